"""The PDF handout: a title page, the chapter as one LaTeX chapter, its solutions and its
API reference as appendices, and every reference to an exercise landing in the document.

Plumbing cells (the cells tagged ``hide-input``, whose code only computes what the prose
glues or a figure) print no code: their numbers and figures stay, and the title page says
where the code is. On the site MyST-NB folds the same cells behind a "Show code" toggle,
worded in the page's language. Cells that teach keep their code on paper and on the site.

`make pdf` runs the LaTeX builder, then XeLaTeX through latexmk, per language:
_build/<lang>/latex/<rnngrad_handout>-<lang>.pdf, copied next to the site's pages.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput, visit_HideCellInput
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.locale import _
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.texescape import escape
from sphinx.writers.html5 import HTML5Translator
from sphinx_exercise import nodes as exercise_nodes

from rnngrad_book.publishing import edition_url

SOLUTIONS_TITLE = {"en": "Solutions to the exercises", "ru": "Решения упражнений"}
SOLUTION_POINTER = {"en": "Solution: page", "ru": "Решение: с."}
LECTURE = {"en": "Grown from the lecture “{}”", "ru": "Глава основана на лекции «{}»"}
# Said once, at the foot of the title page: where the code left off the paper is.
CODE_NOTE = {
    "en": (
        "Code.",
        "Cells that only compute the numbers and figures of the text are not printed; "
        "each is on the site, {url}, and in the notebook of its section (.ipynb in the "
        "download menu). Code that teaches, a derivation checked numerically or an "
        "exercise's solution, is printed where it stands.",
    ),
    "ru": (
        "Код.",
        "Ячейки, которые лишь вычисляют числа и строят рисунки для текста, в печатную версию "
        "не включены; каждая есть на сайте {url} и в блокноте Jupyter своего раздела (.ipynb "
        "в меню загрузки). Код, имеющий учебную ценность, — численная проверка выкладки, "
        "решение упражнения — напечатан на своём месте.",
    ),
}
# MyST-NB's hide modes that fold a cell's input; its output (a figure, a table) stays.
FOLDED_INPUT = ("input", "input+output")

# Sphinx's manual class prints title, release, author and date; the handout's title page
# says what the chapter is and where it comes from instead. Hyperref's page anchors are off
# on it, as Sphinx has them, to avoid a destination that the next page repeats.
TITLE_PAGE = r"""
\makeatletter
\renewcommand{\sphinxmaketitle}{%
  \let\sphinxrestorepageanchorsetting\relax
  \ifHy@pageanchor\def\sphinxrestorepageanchorsetting{\Hy@pageanchortrue}\fi
  \hypersetup{pageanchor=false}%
  \begingroup\def\endgraf{ }\def\and{\& }%
    \hypersetup{pdfauthor={\@author}, pdftitle={\@title}}%
  \endgroup
  \begin{titlepage}%
    \noindent\rule{\textwidth}{1pt}\par
    \begin{flushright}\py@HeaderFamily
      {\Huge \@title\par}\bigskip
      {\itshape\Large <subtitle>\par}
      \vfill
      {\large <lecture>\par}
      \vfill
      {\large \@date\par}
    \end{flushright}%
    \vfill
    \begin{flushleft}\small <code-note>\par\end{flushleft}%
  \end{titlepage}%
  \clearpage
  \sphinxrestorepageanchorsetting
}
\makeatother
"""


#: The handout's LaTeX layout, under conf.py's ``latex_elements`` (which may override a key).
LAYOUT: dict[str, str] = {
    # A handout: no blank pages before chapters, no contents, no index.
    "extraclassoptions": "openany,oneside",
    "tableofcontents": "",
    "makeindex": "",
    "printindex": "",
    # Room for the running head in 11pt (fancyhdr asks for 13.6pt).
    "geometry": r"\usepackage[headheight=14pt]{geometry}",
    # "Chapter 1" / «Глава 1» alike; Sphinx's English default spells it ("Chapter One").
    "fncychap": r"""\usepackage[Sonny]{fncychap}
\ChNameVar{\Large\normalfont\sffamily}
\ChTitleVar{\Large\normalfont\sffamily}""",
    # Long code lines wrap, even inside a long identifier, instead of running off the page.
    "sphinxsetup": "verbatimforcewraps=true, verbatimmaxunderfull=2",
}


def handout_name(config: Config) -> str:
    """The file name of the edition's PDF; `make pdf` copies it into _build/site/<lang>/."""
    return f"{config.rnngrad_handout}-{config.language}.pdf"


def configure_handout(app: Sphinx, config: Config) -> None:
    """The handout's layout and title page in the document's language (set after
    ``-D language=…``), and the site's toggle of plumbing code worded in it (book/locale holds
    the Russian)."""
    config.latex_documents = [
        (
            config.root_doc,
            handout_name(config).removesuffix(".pdf") + ".tex",
            config.rnngrad_titles[config.language],
            # Not printed on the title page; the PDF's metadata carries it.
            config.rnngrad_authors.get(config.language, config.author),
            "manual",
        )
    ]
    elements: dict[str, str] = LAYOUT | config.latex_elements
    elements["preamble"] = elements.get("preamble", "") + title_page(config)
    config.latex_elements = elements
    config.nb_code_prompt_show = str(_("Show code"))
    config.nb_code_prompt_hide = str(_("Hide code"))


def title_page(config: Config) -> str:
    """LaTeX that makes the title page: title, subtitle, the lecture the chapter grew from,
    date, and where the code that is not printed can be found."""
    lang = config.language
    heading, text = CODE_NOTE[lang]
    engine = config.latex_engine
    lecture = config.rnngrad_lectures.get(lang)
    lecture = LECTURE[lang].format(lecture) if lecture else ""
    before, after = (escape(part, engine) for part in text.split("{url}"))
    note = rf"\textbf{{{heading}}} {before}\url{{{edition_url(config)}}}{after}"
    return (
        TITLE_PAGE.replace("<subtitle>", escape(config.rnngrad_subtitles.get(lang, ""), engine))
        .replace("<lecture>", escape(lecture, engine))
        .replace("<code-note>", note)
    )


def visit_folded_code(translator: HTML5Translator, node: HideCodeCellNode) -> None:
    """MyST-NB's toggle over folded code, named by its visible prompt.

    MyST-NB (1.4) labels every toggle ``aria-label="Toggle hidden content"``, in English on
    the Russian pages too, and a label hides the visible «Показать код» from a screen
    reader. Without it the summary's shown prompt, in the page's language, is its name.
    """
    visit_HideCellInput(translator, node)
    summary = translator.body.index('<summary aria-label="Toggle hidden content">\n', -4)
    translator.body[summary] = "<summary>\n"


def usual_label(env: BuildEnvironment, label: str | None) -> str | None:
    """Sphinx's ``<docname>:<label>`` for an exercise or a solution of sphinx-exercise, the
    label LaTeX refers to it by; None for a label the extension does not know."""
    registry = getattr(env, "sphinx_exercise_registry", {})
    docname = registry.get(label, {}).get("docname") if label else None
    return f"{docname}:{label}" if label and docname else None


class ExerciseLabelsInLatex(SphinxPostTransform):
    """Let a reference to an exercise land in the handout.

    sphinx-exercise (1.2.1) labels an exercise ``exercise:<label>`` in LaTeX, but a
    reference to it ({ref} in the text, the "Solution to Exercise N" title) points at
    Sphinx's usual ``<docname>:<label>``, which it never writes: XeLaTeX reports undefined
    references. The usual label is added in front of each exercise.
    """

    builders = ("latex",)
    default_priority = 800

    def run(self, **kwargs: Any) -> None:
        """Put a ``\\label`` with the usual name before each known exercise."""
        for node in list(self.document.findall(exercise_nodes.exercise_enumerable_node)):
            target = usual_label(self.env, node.get("label"))
            if target:
                anchor = rf"\phantomsection\label{{{target}}}"
                node.parent.insert(node.parent.index(node), nodes.raw("", anchor, format="latex"))


class PlumbingCodeOffPaper(SphinxPostTransform):
    """Print no code for the cells tagged ``hide-input``.

    MyST-NB (1.4) folds such a cell's input on the site only; the LaTeX builder prints it
    in full. The input is removed here, the output (a figure, a table) stays, and a cell
    left with nothing to show, as a cell that only glues values is, goes altogether.
    """

    builders = ("latex",)
    default_priority = 200

    def run(self, **kwargs: Any) -> None:
        """Drop the source of every folded cell, and the cell if nothing else is left."""
        for cell in list(self.document.findall(nodes.container)):
            if cell.get("nb_element") != "cell_code" or cell.get("hide_mode") not in FOLDED_INPUT:
                continue
            for part in list(cell.children):
                if isinstance(part, nodes.Element) and part.get("nb_element") == "cell_code_source":
                    cell.remove(part)
            if not cell.children:
                cell.parent.remove(cell)


class HandoutLayout(SphinxPostTransform):
    """Shape the handout as a textbook chapter: a chapter, then its appendices.

    The LaTeX builder takes the root page's title for the title page and drops it from the
    text, so the page's sections would become LaTeX chapters. Wrapped in an outer section
    whose title is the one dropped, the page is one chapter («Глава 1. Затухающие
    градиенты») and its sections are sections. The builder also inlines a toctree where it
    stands, which would make the API reference a section of the chapter; the pages in
    ``rnngrad_handout_appendices`` move to the end, behind ``\\appendix`` («Приложение А»),
    after an appendix that collects the exercises' solutions: on paper a solution cannot be
    folded away, so it must not stand under its exercise.
    """

    builders = ("latex",)
    default_priority = 900

    def run(self, **kwargs: Any) -> None:
        """Wrap the chapter, move its solutions and appendix pages behind ``\\appendix``."""
        chapter = next(
            (node for node in self.document.children if isinstance(node, nodes.section)), None
        )
        if chapter is None:
            return
        moved: list[nodes.Element] = [
            node
            for node in chapter.findall(addnodes.start_of_file)
            if node["docname"] in self.config.rnngrad_handout_appendices
        ]
        for node in moved:
            node.parent.remove(node)
        solutions = list(chapter.findall(exercise_nodes.solution_node))
        if solutions:
            moved.insert(0, self._solutions_appendix(solutions))
        outer = nodes.section()
        outer += nodes.title("", chapter[0].astext())
        chapter.replace_self(outer)
        outer += chapter
        if moved:
            self.document += nodes.raw("", "\n\\appendix\n", format="latex")
            self.document.extend(moved)

    def _solutions_appendix(self, solutions: list[nodes.Element]) -> nodes.section:
        appendix = nodes.section(ids=["handout-solutions"])
        appendix += nodes.title("", SOLUTIONS_TITLE[self.config.language])
        for node in solutions:
            node.replace_self(self._pointer_to(node))
            appendix += node
        return appendix

    def _pointer_to(self, solution: nodes.Element) -> nodes.raw:
        """ "Solution: page 57", where the solution stood, linked to it (sphinx-exercise
        labels a solution ``<docname>:<label>`` in LaTeX)."""
        target = usual_label(self.env, solution.get("label"))
        if target is None:
            raise ValueError(
                f"solution {solution.get('label')!r} is not in sphinx-exercise's registry"
            )
        words = SOLUTION_POINTER[self.config.language]
        latex = rf"\par\noindent\hyperref[{target}]{{{words}~\pageref*{{{target}}}}}.\par"
        return nodes.raw("", latex, format="latex")


def setup(app: Sphinx) -> None:
    """Register the handout's settings, its title page and its layout."""
    app.add_config_value("rnngrad_handout", "handout", "env", str)
    app.add_config_value("rnngrad_handout_appendices", (), "env", (tuple, list))
    # The PDF's author (its metadata, not its title page) per language; Sphinx's ``author``
    # where none is given.
    app.add_config_value("rnngrad_authors", {}, "env", dict)
    # The title page's subtitle and the lecture the chapter grew from, per language.
    app.add_config_value("rnngrad_subtitles", {}, "env", dict)
    app.add_config_value("rnngrad_lectures", {}, "env", dict)
    app.connect("config-inited", configure_handout, priority=101)
    app.add_post_transform(PlumbingCodeOffPaper)
    app.add_node(HideCodeCellNode, override=True, html=(visit_folded_code, depart_HideCellInput))
    app.add_post_transform(HandoutLayout)
    app.add_post_transform(ExerciseLabelsInLatex)
