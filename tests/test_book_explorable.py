"""rnngrad_book.explorable, in-process on tests/roots/test-explorable: the glued data in the
page, the static figure as the no-script fallback and as the handout's figure, the script only
where a figure needs it, and a clear error for a glue key that holds no explorable."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp
from sphinx_apps import UPSTREAM_DEPRECATIONS

from rnngrad.explorable import MIME
from rnngrad_book.explorable import SCRIPT, STYLE

pytestmark = UPSTREAM_DEPRECATIONS


def glued(srcdir: Path) -> dict[str, object]:
    """The Explorable glued in the project's notebook, as the page must carry it."""
    notebook = nbformat.read(srcdir / "index.ipynb", as_version=4)
    outputs = notebook.cells[1]["outputs"]
    prefix = "application/papermill.record/"
    return next(o["data"][prefix + MIME] for o in outputs if prefix + MIME in o["data"])


def page(app: SphinxTestApp) -> BeautifulSoup:
    return BeautifulSoup((app.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")


@pytest.mark.sphinx("html", testroot="explorable")
def test_the_page_carries_the_data_around_the_static_figure(app: SphinxTestApp) -> None:
    app.build()
    html = page(app)
    (root,) = html.select("div.explorable")
    assert root["data-explorable"] == "gain"
    script = root.select_one("script.explorable-data")
    assert script is not None
    assert script["type"] == "application/json"
    # "</script>" inside the data would end the element: it is escaped, and parses back.
    assert "</script> in a word" not in script.decode_contents()
    assert json.loads(script.decode_contents()) == glued(app.srcdir)
    figure = root.select_one("figure#fig-probe")
    assert figure is not None, "the static figure keeps its label inside the explorable"
    assert figure.select_one("figcaption").get_text().split() == [
        "Fig.",
        "1",
        "The",
        "probe’s",
        "caption.¶",
    ]


@pytest.mark.sphinx("html", testroot="explorable")
def test_without_script_the_reader_sees_the_static_image(app: SphinxTestApp) -> None:
    app.build()
    raw = (app.outdir / "index.html").read_text(encoding="utf-8")
    start, end = raw.index("<noscript>"), raw.index("</noscript>")
    assert "<img" in raw[start:end]
    assert 'alt="A probe figure."' in raw[start:end]
    assert raw.count("<img") == 1, "the image is drawn once, inside <noscript>"


@pytest.mark.sphinx("html", testroot="explorable")
def test_the_page_with_an_explorable_links_its_script_and_style(app: SphinxTestApp) -> None:
    app.build()
    html = page(app)
    scripts = [s["src"].split("?")[0] for s in html.select("script[src]")]
    assert f"_static/{SCRIPT}" in scripts
    (tag,) = [s for s in html.select("script[src]") if SCRIPT in s["src"]]
    assert tag.has_attr("defer"), "the script runs once the page is parsed"
    assert f"_static/{STYLE}" in [s["href"].split("?")[0] for s in html.select("link[href]")]


@pytest.mark.sphinx("html", testroot="notebook", srcdir="notebook-no-explorable")
def test_a_page_without_one_does_not(app: SphinxTestApp) -> None:
    app.build()
    assert SCRIPT not in (app.outdir / "index.html").read_text(encoding="utf-8")


@pytest.mark.sphinx("latex", testroot="explorable")
def test_the_handout_gets_the_static_figure_alone(app: SphinxTestApp) -> None:
    app.build()
    (tex,) = app.outdir.glob("*.tex")
    text = tex.read_text(encoding="utf-8")
    assert "\\label{\\detokenize{index:fig-probe}}" in text
    figure = text[text.index("\\begin{figure}") : text.index("\\end{figure}")]
    assert "\\sphinxincludegraphics" in figure
    assert "noscript" not in text
    assert "explorable" not in figure


def test_a_key_that_holds_no_explorable_is_an_error(
    make_app, tmp_path: Path, rootdir: Path
) -> None:
    srcdir = tmp_path / "src"
    shutil.copytree(rootdir / "test-explorable", srcdir)
    notebook = nbformat.read(srcdir / "index.ipynb", as_version=4)
    notebook.cells[2]["source"] = notebook.cells[2]["source"].replace(
        "{explorable} explore-probe", "{explorable} not-explorable"
    )
    nbformat.write(notebook, srcdir / "index.ipynb")
    app = make_app("html", srcdir=srcdir, builddir=tmp_path / "out")
    app.build()
    warnings = app.warning.getvalue()
    assert "explorable: the glue key 'not-explorable'" in warnings
    assert MIME in warnings
    assert "rnngrad.explorable.Explorable" in warnings


def test_the_script_is_small_plain_and_offline() -> None:
    """15 KB for all the figures, no ES module (file:// would refuse it), nothing fetched."""
    script = Path(__file__).resolve().parents[1] / "book" / "_static" / SCRIPT
    text = script.read_text(encoding="utf-8")
    assert script.stat().st_size <= 15 * 1024, f"{SCRIPT}: {script.stat().st_size} bytes"
    assert not re.search(r"^\s*(import|export)\b", text, re.M), "no ES modules"
    assert not re.search(r"\b(fetch|XMLHttpRequest|import\()", text), "the data is in the page"
    assert re.findall(r"https?://[^\"' ]+", text) == ["http://www.w3.org/2000/svg"]
