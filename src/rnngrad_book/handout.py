"""The PDF handout: the chapter as one LaTeX chapter, its solutions and its API reference
as appendices, and every reference to an exercise landing in the document.

`make pdf` runs the LaTeX builder, then XeLaTeX through latexmk, per language:
_build/<lang>/latex/<rnngrad_handout>-<lang>.pdf, copied next to the site's pages.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx_exercise import nodes as exercise_nodes

SOLUTIONS_TITLE = {"en": "Solutions to the exercises", "ru": "Решения упражнений"}
SOLUTION_POINTER = {"en": "Solution: page", "ru": "Решение: с."}


def handout_name(config: Config) -> str:
    """The file name of the edition's PDF; `make pdf` copies it into _build/site/<lang>/."""
    return f"{config.rnngrad_handout}-{config.language}.pdf"


def configure_handout(app: Sphinx, config: Config) -> None:
    """The title page in the document's language (set after ``-D language=…``)."""
    config.latex_documents = [
        (
            config.root_doc,
            handout_name(config).removesuffix(".pdf") + ".tex",
            config.rnngrad_titles[config.language],
            config.rnngrad_authors.get(config.language, config.author),
            "manual",
        )
    ]


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
    # The title page's author per language; Sphinx's ``author`` where none is given.
    app.add_config_value("rnngrad_authors", {}, "env", dict)
    app.connect("config-inited", configure_handout, priority=101)
    app.add_post_transform(HandoutLayout)
    app.add_post_transform(ExerciseLabelsInLatex)
