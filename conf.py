"""Sphinx configuration shared by both editions of the chapter.

One Sphinx run per language:  sphinx-build -c . -D language=xx book/xx _build/xx/html
Everything that depends on the language is set in ``_configure_language`` because
``-D language=…`` is applied only after this file's body has run.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pybtex.plugin
import sphinx
from docutils import nodes
from pybtex.database import Person
from pybtex.richtext import Text
from pybtex.style import template as bib
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.formatting.unsrt import dashify, toplevel
from pybtex.style.template import FieldIsMissing
from sphinx import addnodes
from sphinx.deprecation import RemovedInSphinx10Warning
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx_exercise import nodes as exercise_nodes
from sphinxcontrib.bibtex.plugin import register_plugin
from sphinxcontrib.bibtex.style.referencing import BracketStyle, PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

LOGGER = logging.getLogger("rnngrad.book")

ROOT = Path(__file__).resolve().parent
# RNNGRAD_BUILD_DIR: where the execution cache and the kernel profile live, for builds that
# must not share them with _build (tests/test_reproducible.py builds twice from scratch).
BUILD = Path(os.environ.get("RNNGRAD_BUILD_DIR") or ROOT / "_build")
LANGUAGES = {"en": "English", "ru": "Русский"}
TITLES = {"en": "Vanishing gradients", "ru": "Затухающие градиенты"}
SEARCH_TEXT = {"en": "Search…", "ru": "Поиск…"}
# A date every reader can parse: «25 ноября 2026», "25 November 2026".
DATE_FORMAT = "%-d %B %Y"


# -- Reproducibility -----------------------------------------------------------------------
# The kernel inherits this environment: matplotlib writes no build date into SVG/PDF files,
# and Python's hash seed cannot reorder anything between two builds.
def _last_commit_time() -> str:
    """The time of the last commit: the same on every build of one commit, and true as a
    "last updated" date. Outside a git checkout, a fixed date."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        out = ""
    return out or "1764633600"


os.environ.setdefault("SOURCE_DATE_EPOCH", _last_commit_time())
os.environ.setdefault("PYTHONHASHSEED", "0")
# sphinx-autodoc-typehints 3.6 calls a Sphinx API deprecated for Sphinx 10; not ours to fix.
warnings.filterwarnings(
    "ignore", category=RemovedInSphinx10Warning, module="sphinx_autodoc_typehints"
)


def execution_key() -> str:
    """A digest of what cell outputs depend on besides cell source.

    That is every source file of rnngrad (and numpy's version) and the kernel's IPython
    profile (figure formats).
    """
    from rnngrad.provenance import source_hash

    digest = hashlib.sha256(source_hash().encode())
    profile = ROOT / "book" / "_ipython"
    for path in sorted(profile.rglob("*.py")):
        digest.update(path.relative_to(profile).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# -- Project -------------------------------------------------------------------------------
project = TITLES["en"]
author = "rnngrad contributors"
copyright = "2026, rnngrad contributors"
language = "en"
root_doc = "index"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx_autodoc_typehints",
    "sphinx.ext.mathjax",
    "sphinx_copybutton",
    "sphinxcontrib.bibtex",
    "sphinx_exercise",
    "sphinx_togglebutton",
]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "jupyter_execute"]
templates_path = [str(ROOT / "book" / "_templates")]
html_static_path = [str(ROOT / "book" / "_static")]
# Switching language keeps the reader at the same section (see the file).
html_js_files = [("language-switch.js", {"defer": "defer"})]
# The theme's Russian catalogue misses a few interface strings; ours fills them in.
locale_dirs = [str(ROOT / "book" / "locale")]

# -- Strictness ----------------------------------------------------------------------------
nitpicky = True


def _outside_names() -> str:
    """A pattern for reference targets that are not rnngrad's own names.

    The site is offline, so there is no intersphinx: numpy's, typing's and matplotlib's
    types, and the numpydoc vocabulary in docstring types ("array_like", "shape (T, B)",
    "optional"), are shown as text. A reference to rnngrad itself -- its module or any name
    it exports -- must still resolve, so a renamed function cannot leave a dead link.
    """
    import rnngrad

    own = "|".join(["rnngrad", *sorted(rnngrad.__all__)])
    return rf"(?!(?:{own})(?:\.|$)).*"


nitpick_ignore_regex = [(r"py:(class|data|obj)", _outside_names())]
# Docstring types such as "array_like, shape (T, n_h)" make every word a cross-reference, and
# "n_h" names an attribute of RNN, LSTM and GRU alike. "ref.python" is only the warning
# about such ambiguous targets; a missing target is still an error.
suppress_warnings = ["ref.python"]

# -- MyST and execution --------------------------------------------------------------------
# Figures and equations are numbered through the chapter, in toctree order, as in the
# handout: "(17)" names one equation wherever it is cited from, and a reference from another
# page cannot be mistaken for an equation of the page being read.
numfig = True
# 0: no section prefix, here and in the handout (Sphinx's LaTeX then stops resetting the
# counters at each chapter): Fig. 7 and (17), not Fig. 1.7 and (1.17).
numfig_secnum_depth = 0
math_numfig = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
myst_dmath_double_inline = True
nb_execution_mode = "cache"
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 300
# Anything a cell prints to stderr (a RuntimeWarning from numpy, say) is shown on the page
# and reported, text included, as a build warning by _report_stderr; -W makes it an error.
nb_output_stderr = "show"
nb_merge_streams = False

# -- Bibliography --------------------------------------------------------------------------
# One .bib file for both editions; prose cites with {cite:t}`key` ("Pascanu et al. (2013)")
# or {cite:p}`key`. The Russian edition joins authors the Russian way ("Pascanu и др.").
bibtex_bibfiles = ["book/references.bib"]
REFERENCE_STYLES = {"en": "author_year_round", "ru": "author_year_round_ru"}
ENTRY_STYLES = {"en": "plain", "ru": "plain_ru"}
bibtex_default_style = ENTRY_STYLES["en"]


def _round_brackets() -> BracketStyle:
    return BracketStyle(left="(", right=")")


@dataclass
class RoundBrackets(AuthorYearReferenceStyle):
    """Author–year citations in round brackets: Pascanu et al. (2013)."""

    bracket_parenthetical: BracketStyle = field(default_factory=_round_brackets)
    bracket_textual: BracketStyle = field(default_factory=_round_brackets)
    bracket_year: BracketStyle = field(default_factory=_round_brackets)


@dataclass
class RussianRoundBrackets(RoundBrackets):
    """The same, with Russian joiners: Pascanu и др. (2013), Hochreiter и Schmidhuber."""

    person: PersonStyle = field(
        default_factory=lambda: PersonStyle(sep2=" и ", last_sep=" и ", other=" и др.")
    )


def _initials(person: Person) -> list[Text]:
    return [name.abbreviate() for name in person.rich_first_names + person.rich_middle_names]


def _surname_initials(person: Person, abbreviate: bool = True) -> Text:
    """Pascanu R., van Merriënboer B.: surname first, then initials, kept on one line."""
    surname = Text(" ").join(person.rich_prelast_names + person.rich_last_names)
    return Text(surname, *(Text("\N{NO-BREAK SPACE}", i) for i in _initials(person)))


@bib.node
def _editors(children: list[Any], context: dict[str, Any]) -> Text:
    """«ed. by J. F. Kolen, S. C. Kremer»: after «/» the initials come first."""
    entry = context["entry"]
    if "editor" not in entry.persons:
        raise FieldIsMissing("editor", entry)
    people = [
        Text(*(Text(i, "\N{NO-BREAK SPACE}") for i in _initials(p)), *p.rich_last_names)
        for p in entry.persons["editor"]
    ]
    return Text("ed. by ", Text(", ").join(people))


_PAGES = bib.join["P.\N{NO-BREAK SPACE}", bib.field("pages", apply_func=dashify)]


class RussianEntries(UnsrtStyle):
    """Bibliography entries as a Russian textbook prints a foreign source (after GOST R
    7.0.100): authors as "Surname I.", the container after «//», then year, volume, number
    and pages, each closed by a full stop; the source's own words stay in its language.

    pybtex's styles write English joiners ("and", "In", "editors", "volume … of") that a
    Russian page should not carry.
    """

    default_sorting_style = "author_year_title"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(abbreviate_names=True, **kwargs)
        self.format_name = _surname_initials

    def format_names(self, role: str, as_sentence: bool = True) -> Any:
        people = bib.names(role, sep=", ")
        return bib.sentence[people] if as_sentence else people

    def _title_in(self, container: Any) -> Any:
        return bib.sentence[bib.join(sep=" // ")[bib.field("title"), container]]

    def _published(self) -> Any:
        return bib.sentence[bib.join(sep=", ")[bib.field("publisher"), bib.field("year")]]

    def _year_volume_pages(self) -> Any:
        return bib.sentence(sep=". ")[
            bib.field("year"),
            bib.optional[bib.join["Vol.\N{NO-BREAK SPACE}", bib.field("volume")]],
            bib.optional[bib.join["No.\N{NO-BREAK SPACE}", bib.field("number")]],
            bib.optional[_PAGES],
        ]

    def _note_and_links(self, e: Any) -> list[Any]:
        return [bib.optional[bib.sentence[bib.field("note")]], self.format_web_refs(e)]

    def get_article_template(self, e: Any) -> Any:
        return toplevel[
            self.format_names("author"),
            self._title_in(bib.field("journal")),
            self._year_volume_pages(),
            *self._note_and_links(e),
        ]

    def get_inproceedings_template(self, e: Any) -> Any:
        series = bib.optional[" (", bib.field("series"), ")"]
        return toplevel[
            self.format_names("author"),
            self._title_in(bib.join[bib.field("booktitle"), series]),
            self._year_volume_pages(),
            *self._note_and_links(e),
        ]

    def get_incollection_template(self, e: Any) -> Any:
        book = bib.join(sep=" / ")[bib.field("booktitle"), bib.optional[_editors]]
        return toplevel[
            self.format_names("author"),
            self._title_in(book),
            self._published(),
            bib.optional[bib.sentence[_PAGES]],
            *self._note_and_links(e),
        ]

    def get_book_template(self, e: Any) -> Any:
        return toplevel[
            self.format_names("author"),
            bib.sentence[bib.field("title")],
            self._published(),
            *self._note_and_links(e),
        ]

    def get_misc_template(self, e: Any) -> Any:
        return toplevel[
            self.format_names("author"),
            bib.sentence[bib.field("title")],
            bib.optional[bib.sentence[bib.field("howpublished")]],
            bib.sentence[bib.field("year")],
            *self._note_and_links(e),
        ]


pybtex.plugin.register_plugin("pybtex.style.formatting", ENTRY_STYLES["ru"], RussianEntries)
register_plugin("sphinxcontrib.bibtex.style.referencing", REFERENCE_STYLES["en"], RoundBrackets)
register_plugin(
    "sphinxcontrib.bibtex.style.referencing", REFERENCE_STYLES["ru"], RussianRoundBrackets
)


class _BibliographyAsList(SphinxPostTransform):
    """Give the site's bibliography list semantics: an ordered list of entries.

    docutils writes citations as ``<div role="doc-biblioentry">`` inside a
    ``<div role="list">``: a deprecated ARIA role, and a list without list items, which
    screen readers announce wrongly (axe-core reports both). After the citations are
    resolved, each run of them becomes an ``<ol>`` whose items keep the citations' ids, so
    every link from the text still lands on its entry. The handout keeps LaTeX's own
    bibliography.
    """

    builders = ("html",)
    default_priority = 950  # after sphinxcontrib-bibtex and reference resolution

    def run(self, **kwargs: Any) -> None:
        for parent in {
            id(c.parent): c.parent for c in self.document.findall(nodes.citation)
        }.values():
            citations = [child for child in parent.children if isinstance(child, nodes.citation)]
            entries = nodes.enumerated_list(enumtype="arabic", classes=["bibliography"])
            for citation in citations:
                entry = nodes.list_item(ids=citation["ids"])
                entry.extend(
                    c.deepcopy() for c in citation.children if not isinstance(c, nodes.label)
                )
                entries += entry
            parent.insert(parent.index(citations[0]), entries)
            for citation in citations:
                parent.remove(citation)


def _usual_label(env: Any, label: str | None) -> str | None:
    """Sphinx's ``<docname>:<label>`` for an exercise or a solution of sphinx-exercise, the
    label LaTeX refers to it by; None for a label the extension does not know."""
    docname = getattr(env, "sphinx_exercise_registry", {}).get(label, {}).get("docname")
    return f"{docname}:{label}" if label and docname else None


class _ExerciseLabelsInLatex(SphinxPostTransform):
    """Let a reference to an exercise land in the handout.

    sphinx-exercise labels an exercise ``exercise:<label>`` in LaTeX, but a reference to it
    ({ref} in the text, the "Solution to Exercise N" title) points at Sphinx's usual
    ``<docname>:<label>``, which it never writes: XeLaTeX reports undefined references. The
    usual label is added in front of each exercise.
    """

    builders = ("latex",)
    default_priority = 800

    def run(self, **kwargs: Any) -> None:
        for node in list(self.document.findall(exercise_nodes.exercise_enumerable_node)):
            target = _usual_label(self.env, node.get("label"))
            if target:
                anchor = rf"\phantomsection\label{{{target}}}"
                node.parent.insert(node.parent.index(node), nodes.raw("", anchor, format="latex"))


# A solution's title in the page's grammar, where sphinx-exercise's is wrong: it puts its
# "Solution to" before the exercise's own title, which in Russian reads «Решение к
# Упражнение 3» (a preposition asking for the dative, then a nominative).
SOLUTION_TITLES = {"ru": ("Решение", "упражнения {number}")}


class _SolutionTitles(SphinxPostTransform):
    """Retitle each solution «Решение упражнения 3», the link still on the exercise."""

    default_priority = 30  # after sphinx-exercise has built the titles (21)

    def run(self, **kwargs: Any) -> None:
        words = SOLUTION_TITLES.get(self.config.language)
        if words is None:
            return
        lead, exercise = words
        for node in self.document.findall(exercise_nodes.solution_node):
            title = node.children[0]
            link = next(title.findall(nodes.reference), None)
            number = re.search(r"\d+", link.astext()) if link is not None else None
            if link is None or number is None:
                raise ValueError(f"solution {node.get('label')!r}: no numbered exercise link")
            link.clear()
            link += nodes.Text(exercise.format(number=number.group()))
            title.clear()
            title += [nodes.Text(f"{lead} "), link]
            node["title"] = title.astext()


# -- Autodoc -------------------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_type_aliases = {"ArrayLike": "numpy.typing.ArrayLike"}
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
typehints_use_rtype = False
always_document_param_types = False

# -- HTML ----------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_last_updated_fmt = DATE_FORMAT
today_fmt = DATE_FORMAT
html_copy_source = True
html_show_sourcelink = True
# Sphinx loads MathJax from a CDN by default; the site must work offline, so it is served
# from _static (copied there from the pinned django-static-mathjax wheel at build time).
mathjax_path = "mathjax/tex-chtml-full.js"
html_theme_options: dict[str, Any] = {
    "article_header_end": ["language-switch.html", "article-header-buttons.html"],
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "show_toc_level": 2,
    # The sidebar lists the chapter's pages, not the API reference's module pages (they are
    # listed on the API page): a nested level would add the theme's expand toggles, whose
    # <summary> has no text (axe-core: summary-name, serious).
    "max_navbar_depth": 1,
}


# -- Language-dependent settings -----------------------------------------------------------
def _configure_language(app: Any, config: Any) -> None:
    lang = config.language
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {sorted(LANGUAGES)}, got {lang!r}")
    config.project = TITLES[lang]
    config.html_title = TITLES[lang]
    config.html_theme_options["search_bar_text"] = SEARCH_TEXT[lang]
    config.bibtex_reference_style = REFERENCE_STYLES[lang]
    config.bibtex_default_style = ENTRY_STYLES[lang]
    key = execution_key()
    config.rnngrad_execution_key = key
    # jupyter-cache keys on cell source only; a cache per library version means an edit of
    # src/rnngrad re-executes every page instead of serving outputs of the old library.
    cache_root = BUILD / lang / "jupyter_cache"
    config.nb_execution_cache_path = str(cache_root / key)
    if cache_root.is_dir():
        for stale in cache_root.iterdir():
            if stale.name != key:
                shutil.rmtree(stale)
    _use_project_ipython_profile()
    _complete_search_messages(config)
    # The chapter's training experiments are cached on disk, keyed on their configuration and
    # the library's source: the English and the Russian build (and the test builds) compute
    # each one once. Not under RNNGRAD_BUILD_DIR: a from-scratch test build reuses them.
    os.environ.setdefault("RNNGRAD_EXPERIMENT_CACHE", str(ROOT / "_build" / "experiments"))


def _complete_search_messages(config: Any) -> None:
    """Give the search page the messages Sphinx's own catalogue leaves empty.

    Sphinx ships each language's search messages as a ready ``sphinx.js`` and reads no .po
    for them. Its Russian one has "Search finished, found N pages" as four empty plural
    forms, so a Russian reader was never told that the search had finished or how much it
    found. This writes Sphinx's catalogue with our translations of its messages laid over it,
    and puts it first among the locale directories, where Sphinx looks for ``sphinx.js``.
    """
    from babel.messages.pofile import read_po

    lang = config.language
    shipped = Path(sphinx.__file__).parent / "locale" / lang / "LC_MESSAGES" / "sphinx.js"
    ours = ROOT / "book" / "locale" / lang / "LC_MESSAGES" / "sphinx.po"
    if not (shipped.is_file() and ours.is_file()):
        return
    text = shipped.read_text(encoding="utf-8")
    catalogue = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    messages = catalogue["messages"]
    with ours.open("rb") as po:
        for message in read_po(po, locale=lang):
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            if key in messages and message.string:
                messages[key] = (
                    list(message.string) if isinstance(message.string, tuple) else message.string
                )
    folder = BUILD / lang / "locale"
    target = folder / lang / "LC_MESSAGES" / "sphinx.js"
    target.parent.mkdir(parents=True, exist_ok=True)
    content = f"Documentation.addTranslations({json.dumps(catalogue, ensure_ascii=False)});\n"
    if not target.is_file() or target.read_text(encoding="utf-8") != content:
        target.write_text(content, encoding="utf-8")
    config.locale_dirs = [str(folder), *(d for d in config.locale_dirs if d != str(folder))]


def _use_project_ipython_profile() -> None:
    """Point the kernel at a copy of book/_ipython so figures come out as SVG and PDF.

    The copy lives under _build because IPython writes into its profile directory.
    """
    target = BUILD / "ipython"
    shutil.copytree(ROOT / "book" / "_ipython", target, dirs_exist_ok=True)
    os.environ["IPYTHONDIR"] = str(target)


def _other_language_link(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Give every page the relative URL of the same page in the other language.

    The two builds sit side by side (site/en, site/ru), so ``../`` climbs out of this
    language; relative links work from file:// and under any base URL.
    """
    lang = app.config.language
    up = "../" * (pagename.count("/") + 1)
    context["language_links"] = [
        {"code": code, "name": name, "url": f"{up}{code}/{pagename}.html", "current": code == lang}
        for code, name in LANGUAGES.items()
    ]


def _report_stderr(app: Any, doctree: nodes.document) -> None:
    for node in doctree.findall(nodes.literal_block):
        if "stderr" in node.get("classes", []):
            LOGGER.warning("a code cell wrote to stderr:\n%s", node.astext(), location=node)


def _copy_mathjax(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("django-static-mathjax is not installed: run `make html`")
    es5 = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax" / "es5"
    target = Path(app.outdir) / "_static" / "mathjax"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(es5 / "tex-chtml-full.js", target)
    fonts = Path("output") / "chtml" / "fonts" / "woff-v2"
    shutil.copytree(es5 / fonts, target / fonts, dirs_exist_ok=True)


# -- LaTeX / PDF: the handout ---------------------------------------------------------------
# `make pdf` runs the LaTeX builder with the site's SPHINXOPTS (as strict as the site), then
# XeLaTeX through latexmk, per language: _build/<lang>/latex/vanishing-gradients-<lang>.pdf,
# copied next to the pages of _build/site/<lang>/. Sphinx's xelatex defaults (polyglossia,
# fontspec, FreeSerif/FreeSans/FreeMono) cover Cyrillic and give Russian hyphenation. Figures
# are vector PDF: the kernel emits them (book/_ipython) and the LaTeX builder prefers PDF.
HANDOUT = "vanishing-gradients"
HANDOUT_AUTHORS = {"en": author, "ru": "Авторы rnngrad"}
HANDOUT_TOOLTIP = {"en": "The chapter as a PDF handout", "ru": "Глава в PDF для печати"}
# Pages printed after the chapter as appendices ("Appendix A" / «Приложение А»), not as
# sections of it. The exercises' solutions go first, into an appendix of their own: on paper
# a solution cannot be folded away, so it must not stand under its exercise.
HANDOUT_APPENDICES = ("api",)
SOLUTIONS_TITLE = {"en": "Solutions to the exercises", "ru": "Решения упражнений"}
SOLUTION_POINTER = {"en": "Solution: page", "ru": "Решение: с."}

latex_engine = "xelatex"
latex_use_xindy = False
latex_toplevel_sectioning = "chapter"
latex_domain_indices = False
latex_show_urls = "footnote"
latex_elements: dict[str, str] = {
    "papersize": "a4paper",
    "pointsize": "11pt",
    # A handout: no blank pages before chapters, whether printed on one side or two.
    "extraclassoptions": "openany,oneside",
    # A chapter of a few pages needs neither a table of contents nor an index.
    "tableofcontents": "",
    "makeindex": "",
    "printindex": "",
    # Room for the running head in 11pt (fancyhdr asks for 13.6pt).
    "geometry": r"\usepackage[headheight=14pt]{geometry}",
    # The same chapter heading in both languages ("Chapter 1" / «Глава 1»); Sphinx's
    # English default spells the number out ("Chapter One").
    "fncychap": r"""\usepackage[Sonny]{fncychap}
\ChNameVar{\Large\normalfont\sffamily}
\ChTitleVar{\Large\normalfont\sffamily}""",
    # Long code lines wrap, even inside a long identifier, instead of running off the page.
    "sphinxsetup": "verbatimforcewraps=true, verbatimmaxunderfull=2",
}


def handout_name(lang: str) -> str:
    """The file name of one language's PDF; `make pdf` copies it into _build/site/<lang>/."""
    return f"{HANDOUT}-{lang}.pdf"


def _configure_handout(app: Any, config: Any) -> None:
    """The LaTeX settings that depend on the language (set after ``-D language=…``)."""
    lang = config.language
    # Title page: the title and author in the document's language; the date is `today_fmt`
    # formatted in that language («25 ноября 2026»); polyglossia follows `language`.
    config.latex_documents = [
        (
            config.root_doc,
            handout_name(lang).removesuffix(".pdf") + ".tex",
            TITLES[lang],
            HANDOUT_AUTHORS[lang],
            "manual",
        )
    ]


def _handout_link(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Every page's download menu offers its language's PDF handout.

    The link is relative (works from file://); `make pdf` puts the file there, and `make
    html` alone keeps the last one built. It replaces the theme's "print this page to PDF"
    entry, since two ".pdf" entries would be ambiguous. Pages without a source file (search,
    index) get a menu with the handout only.
    """
    lang = app.config.language
    handout = {
        "type": "link",
        "url": context["pathto"](handout_name(lang), 1),
        "text": ".pdf",
        "tooltip": HANDOUT_TOOLTIP[lang],
        "icon": "fas fa-file-pdf",
        "label": "download-handout-button",
    }
    buttons = context.setdefault("header_buttons", [])
    for group in buttons:
        if group.get("label") == "download-buttons":
            group["buttons"] = [
                b for b in group["buttons"] if b.get("label") != "download-pdf-button"
            ] + [handout]
            return
    buttons.insert(
        0,
        {
            "type": "group",
            "tooltip": HANDOUT_TOOLTIP[lang],
            "icon": "fas fa-download",
            "buttons": [handout],
            "label": "download-buttons",
        },
    )


class _HandoutLayout(SphinxPostTransform):
    """Shape the handout as a textbook chapter: a chapter, then its appendices.

    The LaTeX builder takes the root page's title for the title page and drops it from the
    text, so the page's sections would become LaTeX chapters. Wrapped in an outer section
    whose title is the one dropped, the page is one chapter («Глава 1. Затухающие
    градиенты») and its sections are sections. The builder also inlines a toctree where it
    stands, which would make the API reference a section of the chapter; the pages in
    HANDOUT_APPENDICES move to the end, behind ``\appendix`` («Приложение А»), after an
    appendix that collects the exercises' solutions.
    """

    builders = ("latex",)
    default_priority = 900

    def run(self, **kwargs: Any) -> None:
        chapter = next(
            (node for node in self.document.children if isinstance(node, nodes.section)), None
        )
        if chapter is None:
            return
        moved = [
            node
            for node in chapter.findall(addnodes.start_of_file)
            if node["docname"] in HANDOUT_APPENDICES
        ]
        for node in moved:
            node.parent.remove(node)
        solutions = list(chapter.findall(exercise_nodes.solution_node))
        if solutions:
            appendix = nodes.section(ids=["handout-solutions"])
            appendix += nodes.title("", SOLUTIONS_TITLE[self.config.language])
            for node in solutions:
                node.replace_self(self._pointer_to(node))
                appendix += node
            moved.insert(0, appendix)
        outer = nodes.section()
        outer += nodes.title("", chapter[0].astext())
        chapter.replace_self(outer)
        outer += chapter
        if moved:
            self.document += nodes.raw("", "\n\\appendix\n", format="latex")
            self.document.extend(moved)

    def _pointer_to(self, solution: nodes.Element) -> nodes.raw:
        """ "Solution: page 57", where the solution stood, linked to it (sphinx-exercise
        labels a solution ``<docname>:<label>`` in LaTeX)."""
        target = _usual_label(self.env, solution.get("label"))
        if target is None:
            raise ValueError(
                f"solution {solution.get('label')!r} is not in sphinx-exercise's registry"
            )
        words = SOLUTION_POINTER[self.config.language]
        latex = rf"\par\noindent\hyperref[{target}]{{{words}~\pageref*{{{target}}}}}.\par"
        return nodes.raw("", latex, format="latex")


# -- The site as readers meet it: accessibility, notebook downloads -------------------------
# tests/test_browser.py opens every page in Chromium (axe-core included) and
# tests/test_downloads.py runs a downloaded notebook; these settings are what they need.
# The theme's colour mode for a reader who never chose one. Left empty, the theme logs
# "Got invalid theme mode" as a console error on every first visit.
html_context: dict[str, Any] = {"default_mode": "auto"}
# The theme's sidebar, with its title link inside a <nav> landmark (home-link.html): in the
# theme's plain <div> it is content outside any landmark (axe-core rule "region").
html_sidebars = {
    "**": ["home-link.html", "icon-links.html", "search-button-field.html", "sbt-sidebar-nav.html"]
}
# Without an icon of its own every page makes the browser ask for /favicon.ico (a 404).
html_favicon = str(ROOT / "book" / "_static" / "favicon.svg")

NOTEBOOK_TOOLTIP = {
    "en": "This page as a Jupyter notebook",
    "ru": "Эта страница как блокнот Jupyter",
}
# The first cell of every published notebook: the chapter's cells glue values with MyST-NB;
# in a Jupyter that has only rnngrad (and numpy, matplotlib) the values are shown instead.
NOTEBOOK_SETUP = """\
# Runs in any Jupyter with rnngrad installed (pip install rnngrad, or `pip install -e .` in
# the book's repository). In the book, `glue` puts values into the text; here it shows them.
%matplotlib inline
try:
    import myst_nb  # noqa: F401
except ImportError:
    import sys
    import types

    from IPython.display import display as _display

    def _glue(name, variable, display=True):
        _display(variable)

    sys.modules["myst_nb"] = types.ModuleType("myst_nb")
    sys.modules["myst_nb"].glue = _glue"""


def _executed_notebook(app: Any, docname: str) -> Path:
    """Where MyST-NB writes a page's executed notebook (_build/<lang>/jupyter_execute)."""
    return Path(app.outdir).parent / "jupyter_execute" / f"{docname}.ipynb"


def _notebook_link(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """A page that is a notebook offers it (.ipynb, relative link) after its source (.md)."""
    if app.builder.format != "html" or not _executed_notebook(app, pagename).is_file():
        return
    entry = {
        "type": "link",
        "url": context["pathto"](f"{pagename}.ipynb", 1),
        "text": ".ipynb",
        "tooltip": NOTEBOOK_TOOLTIP[app.config.language],
        "icon": "fas fa-code",
        "label": "download-notebook-button",
    }
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            labels = [b.get("label") for b in group["buttons"]]
            at = (
                labels.index("download-source-button") + 1
                if "download-source-button" in labels
                else 0
            )
            group["buttons"].insert(at, entry)
            return


def _publish_notebooks(app: Any, exception: Exception | None) -> None:
    """Copy each page's executed notebook next to its page, with the setup cell first."""
    if exception is not None or app.builder.format != "html":
        return
    import nbformat

    for docname in sorted(app.env.found_docs):
        source = _executed_notebook(app, docname)
        if not source.is_file():
            continue
        notebook = nbformat.read(source, as_version=4)
        setup_cell = nbformat.v4.new_code_cell(NOTEBOOK_SETUP)
        setup_cell["id"] = "rnngrad-setup"  # fixed, not random: the same bytes on every build
        notebook.cells.insert(0, setup_cell)
        target = Path(app.outdir) / f"{docname}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)


def setup(app: Any) -> dict[str, Any]:
    # A change of value makes Sphinx re-read every page, so the kernel runs again.
    app.add_config_value("rnngrad_execution_key", "", "env")
    app.connect("config-inited", _configure_language, priority=100)
    app.connect("doctree-read", _report_stderr)
    app.connect("html-page-context", _other_language_link)
    app.connect("build-finished", _copy_mathjax)
    # The PDF handout (see "LaTeX / PDF" above).
    app.connect("config-inited", _configure_handout, priority=101)
    app.connect("html-page-context", _handout_link, priority=502)
    app.add_post_transform(_HandoutLayout)
    app.add_post_transform(_BibliographyAsList)
    app.add_post_transform(_ExerciseLabelsInLatex)
    app.add_post_transform(_SolutionTitles)
    # The site as readers meet it (see the block above).
    app.connect("html-page-context", _notebook_link, priority=503)
    app.connect("build-finished", _publish_notebooks)
    return {"parallel_read_safe": True}
