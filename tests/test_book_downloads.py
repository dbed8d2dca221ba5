"""rnngrad_book.downloads and rnngrad_book.assets, in-process on tests/roots/test-notebook:
the published notebook, the download menu, MathJax served from the site itself."""

from __future__ import annotations

import nbformat
import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp
from sphinx_apps import UPSTREAM_DEPRECATIONS

from rnngrad_book.assets import FONTS, MATHJAX
from rnngrad_book.downloads import NOTEBOOK_SETUP

pytestmark = UPSTREAM_DEPRECATIONS


@pytest.mark.sphinx("html", testroot="notebook", srcdir="notebook-downloads")
def test_the_notebook_is_published_with_the_setup_cell_first(app: SphinxTestApp) -> None:
    app.build()
    published = nbformat.read(app.outdir / "index.ipynb", as_version=4)
    first, *rest = published.cells
    assert first["id"] == "rnngrad-setup"
    assert first["source"] == NOTEBOOK_SETUP
    original = nbformat.read(app.srcdir / "index.ipynb", as_version=4)
    assert [cell["source"] for cell in rest] == [cell["source"] for cell in original.cells]
    assert [cell["id"] for cell in rest] == [f"cell-{n}" for n in range(1, len(rest) + 1)]


@pytest.mark.sphinx("html", testroot="notebook", srcdir="notebook-downloads")
def test_the_download_menu_offers_source_notebook_and_handout(app: SphinxTestApp) -> None:
    app.build()
    page = BeautifulSoup((app.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")
    menu = page.select_one(".dropdown-download-buttons")
    assert menu is not None, "the page has no download menu"
    entries = [
        next(c for c in item["class"] if c.startswith("btn-download-"))
        for item in menu.select(".dropdown-item")
    ]
    assert entries == [
        "btn-download-source-button",
        "btn-download-notebook-button",
        "btn-download-handout-button",
    ], "the theme's print-to-PDF entry must give way to the handout"
    links = {a.get_text(strip=True): a["href"] for a in menu.select("a.dropdown-item")}
    assert links[".pdf"] == "probe-en.pdf"
    notebook = menu.select_one(".btn-download-notebook-button")
    assert notebook is not None
    assert notebook["href"] == "index.ipynb"


@pytest.mark.sphinx("html", testroot="notebook", srcdir="notebook-downloads")
def test_mathjax_is_served_from_the_site(app: SphinxTestApp) -> None:
    app.build()
    mathjax = app.outdir / "_static" / "mathjax"
    assert (mathjax / MATHJAX).is_file()
    assert any((mathjax / FONTS).glob("*.woff"))
