"""The decks in the assembled site (``make html``): where they are, how a reader finds them,
and that every slide's link back lands on an element of the chapter."""

from __future__ import annotations

import posixpath
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from built_site import SITE

pytestmark = pytest.mark.site

LANGS = ("en", "ru")


@cache
def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def book_pages(lang: str) -> list[Path]:
    root = SITE / lang
    skipped = {"_static", "slides"}
    return sorted(p for p in root.rglob("*.html") if not skipped & set(p.relative_to(root).parts))


def resolve(page: Path, href: str) -> tuple[Path, str]:
    target, _, anchor = href.partition("#")
    return Path(posixpath.normpath(page.parent / target)), anchor


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_links_to_its_deck(site: Path, lang: str) -> None:
    deck = SITE / lang / "slides" / "index.html"
    assert deck.is_file()
    for page in book_pages(lang):
        links = soup(page).select(".slides-link a")
        assert len(links) == 1, page
        assert resolve(page, links[0]["href"])[0] == deck, page


@pytest.mark.parametrize("lang", LANGS)
def test_title_page_links_to_the_deck_and_its_pdf(site: Path, lang: str) -> None:
    index = SITE / lang / "index.html"
    targets = {resolve(index, a["href"])[0] for a in soup(index).select("p.slides-line a")}
    slides = SITE / lang / "slides"
    assert targets == {slides / "index.html", slides / f"vanishing-gradients-slides-{lang}.pdf"}


@pytest.mark.parametrize("lang", LANGS)
def test_every_slide_links_back_to_an_element_of_the_chapter(site: Path, lang: str) -> None:
    deck = SITE / lang / "slides" / "index.html"
    slides = soup(deck).select("div.slides section:not(:has(> section))")
    assert slides
    for slide in slides:
        links = slide.select("a.chapter-link")
        assert links, slide.find("h1").get_text()
        for link in links:
            target, anchor = resolve(deck, link["href"])
            assert target.is_file(), link["href"]
            if anchor:
                assert soup(target).find(id=anchor) is not None, link["href"]


# A deck weighs little beside its edition: its page, its figures, its share of _static.
PAGE_BUDGET = 150 * 1024
FIGURE_BUDGET = 100 * 1024
DECK_BUDGET = 1024 * 1024  # the page and its figures
STATIC_BUDGET = 5 * 1024 * 1024  # reveal.js (pruned), MathJax, the theme's font


@pytest.mark.parametrize("lang", LANGS)
def test_deck_within_budget(site: Path, lang: str) -> None:
    root = SITE / lang / "slides"
    sizes = {
        p.relative_to(root).as_posix(): p.stat().st_size for p in root.rglob("*") if p.is_file()
    }
    static = sum(s for n, s in sizes.items() if n.startswith("_static/"))
    deck = sum(
        s
        for n, s in sizes.items()
        if not n.startswith("_static/") and n.endswith((".html", ".svg"))
    )
    assert sizes["index.html"] <= PAGE_BUDGET
    assert max(s for n, s in sizes.items() if n.startswith("_images/")) <= FIGURE_BUDGET
    assert deck <= DECK_BUDGET, f"{lang}: the deck weighs {deck / 1024:.0f} KB"
    assert static <= STATIC_BUDGET, f"{lang}/slides/_static: {static / 1024 / 1024:.1f} MB"


def test_the_decks_leave_their_build_files_behind(site: Path) -> None:
    for lang in LANGS:
        slides = SITE / lang / "slides"
        assert not [p for p in (".buildinfo", "_sources", "objects.inv") if (slides / p).exists()]
