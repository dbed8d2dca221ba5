"""rnngrad_book.slides, in-process on tests/roots/test-slides: a reveal.js deck whose slides
link back to the chapter, with MathJax from its own _static."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp
from sphinx_apps import UPSTREAM_DEPRECATIONS

from rnngrad_book import assets

# sphinx-revealjs 3.2.1 reads its builder's ``self.app``, which Sphinx 9 deprecates: theirs.
pytestmark = [
    UPSTREAM_DEPRECATIONS,
    pytest.mark.filterwarnings(
        r"ignore:'sphinx_revealjs\.[\w.]+\.app' is deprecated"
        ":sphinx.deprecation.RemovedInSphinx11Warning"
    ),
]


def deck(app: SphinxTestApp) -> BeautifulSoup:
    app.build()
    return BeautifulSoup((app.outdir / "index.html").read_text(encoding="utf-8"), "html.parser")


@pytest.mark.sphinx("revealjs", testroot="slides", srcdir="slides-links")
def test_chapter_links_point_one_level_up(app: SphinxTestApp) -> None:
    links = {a.get_text(): a["href"] for a in deck(app).select("a.chapter-link")}
    assert links == {
        "The factor": "../bptt.html#equation-eq-factor",
        "The chapter": "../index.html",
    }


@pytest.mark.sphinx("revealjs", testroot="slides", srcdir="slides-structure")
def test_every_heading_is_a_slide_with_its_notes(app: SphinxTestApp) -> None:
    html = deck(app)
    slides = html.select("div.slides section:not(:has(> section))")
    assert [s.find(["h1", "h2"]).get_text(strip=True) for s in slides] == ["Probe", "Second"]
    assert [s.select_one("aside.notes") is not None for s in slides] == [False, True]


@pytest.mark.sphinx("revealjs", testroot="slides", srcdir="slides-mathjax")
def test_mathjax_is_served_from_the_deck(app: SphinxTestApp) -> None:
    html = deck(app)
    sources = [s.get("src", "") for s in html.find_all("script")]
    assert "_static/mathjax/tex-chtml-full.js" in sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert (app.outdir / "_static" / "mathjax" / assets.MATHJAX).is_file()


@pytest.mark.sphinx("revealjs", testroot="slides", srcdir="slides-bad")
def test_a_link_that_is_not_a_chapter_page_is_an_error(app: SphinxTestApp) -> None:
    app.build()
    errors = app.warning.getvalue()
    assert "chapter link 'bptt.html#x'" in errors
    assert "chapter link 'api/rnn'" in errors
    assert "expected a page of the chapter" in errors


@pytest.mark.sphinx("revealjs", testroot="slides", srcdir="slides-pruned")
def test_only_what_the_deck_loads_of_revealjs_is_kept(app: SphinxTestApp) -> None:
    html = deck(app)
    revealjs = app.outdir / "_static" / "revealjs"
    kept = {p.relative_to(revealjs).as_posix() for p in revealjs.rglob("*") if p.is_file()}
    loaded = {
        ref.removeprefix("_static/revealjs/").partition("?")[0]
        for ref in [s.get("src", "") for s in html.find_all("script")]
        + [link.get("href", "") for link in html.find_all("link")]
        if ref.startswith("_static/revealjs/")
    }
    assert loaded == {
        "dist/reveal.js",
        "dist/reveal.css",
        "dist/theme/black.css",  # sphinx-revealjs's default style theme
        "plugin/notes/notes.js",
    }
    assert loaded <= kept
    fonts = {path.split("/")[2] for path in kept - loaded}
    assert fonts == {"fonts"}  # the rest: the fonts black.css imports, nothing else
    assert not [path for path in kept if path.endswith((".map", "white.css", "markdown.js"))]
