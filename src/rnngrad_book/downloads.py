"""What a reader can download from every page: the edition's PDF handout and, for a page
that is a notebook, the executed notebook, runnable in any Jupyter with rnngrad."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from docutils import nodes
from sphinx.application import Sphinx

from rnngrad_book.handout import handout_name

HANDOUT_TOOLTIP = {"en": "The chapter as a PDF handout", "ru": "Глава в PDF для печати"}
NOTEBOOK_TOOLTIP = {
    "en": "This page as a Jupyter notebook",
    "ru": "Эта страница как блокнот Jupyter",
}
# The theme's label of its download menu in ``header_buttons``.
DOWNLOADS = "download-buttons"
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


def download_menu(context: dict[str, Any]) -> dict[str, Any] | None:
    """The theme's download menu among the page's header buttons, if it has one."""
    groups = context.get("header_buttons", [])
    return next((group for group in groups if group.get("label") == DOWNLOADS), None)


def handout_link(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
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
        "url": context["pathto"](handout_name(app.config), 1),
        "text": ".pdf",
        "tooltip": HANDOUT_TOOLTIP[lang],
        "icon": "fas fa-file-pdf",
        "label": "download-handout-button",
    }
    menu = download_menu(context)
    if menu is None:
        context.setdefault("header_buttons", []).insert(
            0,
            {
                "type": "group",
                "tooltip": HANDOUT_TOOLTIP[lang],
                "icon": "fas fa-download",
                "buttons": [handout],
                "label": DOWNLOADS,
            },
        )
        return
    kept = [b for b in menu["buttons"] if b.get("label") != "download-pdf-button"]
    menu["buttons"] = [*kept, handout]


def executed_notebook(app: Sphinx, docname: str) -> Path:
    """Where MyST-NB writes a page's executed notebook (_build/<lang>/jupyter_execute)."""
    return Path(app.outdir).parent / "jupyter_execute" / f"{docname}.ipynb"


def notebook_link(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: nodes.document | None,
) -> None:
    """A page that is a notebook offers it (.ipynb, relative link) after its source (.md)."""
    menu = download_menu(context)
    if app.builder.format != "html" or menu is None:
        return
    if not executed_notebook(app, pagename).is_file():
        return
    entry = {
        "type": "link",
        "url": context["pathto"](f"{pagename}.ipynb", 1),
        "text": ".ipynb",
        "tooltip": NOTEBOOK_TOOLTIP[app.config.language],
        "icon": "fas fa-code",
        "label": "download-notebook-button",
    }
    labels = [b.get("label") for b in menu["buttons"]]
    source = "download-source-button"
    menu["buttons"].insert(labels.index(source) + 1 if source in labels else 0, entry)


def publish_notebooks(app: Sphinx, exception: Exception | None) -> None:
    """Copy each page's executed notebook next to its page, with the setup cell first."""
    if exception is not None or app.builder.format != "html":
        return
    for docname in sorted(app.env.found_docs):
        source = executed_notebook(app, docname)
        if not source.is_file():
            continue
        notebook = nbformat.read(source, as_version=4)
        notebook.cells.insert(0, nbformat.v4.new_code_cell(NOTEBOOK_SETUP))
        # Cell ids are drawn at random each time a page is executed; numbered ones make the
        # published notebook the same bytes on every build.
        for number, cell in enumerate(notebook.cells):
            cell["id"] = f"cell-{number}" if number else "rnngrad-setup"
        target = Path(app.outdir) / f"{docname}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)


def setup(app: Sphinx) -> None:
    """Add the download links after the theme's (501) and publish the notebooks."""
    app.connect("html-page-context", handout_link, priority=502)
    app.connect("html-page-context", notebook_link, priority=503)
    app.connect("build-finished", publish_notebooks)
