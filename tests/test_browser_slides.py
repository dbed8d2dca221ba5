# ruff: noqa: F811 -- the fixtures of tests/test_browser.py, imported by name and then requested
"""The lecture's decks in a real browser: Debian's Chromium through Playwright, offline.

Each deck (``_build/site/<lang>/slides/index.html``) is served from 127.0.0.1 with the rest
of the site, as tests/test_browser.py serves the chapter (its fixtures are reused here): every
slide and every fragment is reachable with the arrow keys and with the space bar, MathJax has
typeset every formula, every image has loaded and has alt text, nothing is requested from
outside the site, and axe-core finds nothing, on the first slide and over the whole deck
(reveal.js's print view shows every slide at once).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from bs4 import BeautifulSoup
from test_browser import (  # noqa: F401 -- pytest finds these fixtures by name
    AXE_TAGS,
    LANGS,
    axe_source,
    browser,
    server,
)

pytestmark = [pytest.mark.site, pytest.mark.browser]

# Presses enough to walk a deck of 30 slides with their fragments, twice over.
MAX_PRESSES = 200
WHERE = "() => { const i = Reveal.getIndices(); return [i.h, i.v, i.f ?? -1]; }"
AT_END = "() => Reveal.isLastSlide() && !Reveal.availableFragments().next"
AT_START = "() => Reveal.isFirstSlide() && !Reveal.availableFragments().prev"


class Deck:
    """One deck open in its own browser context, with the requests it makes recorded."""

    def __init__(self, browser: Any, base: str, lang: str, query: str = "") -> None:
        self.context = browser.new_context(service_workers="block")
        self.outside: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.context.route(re.compile(r"^(?!" + re.escape(base) + r")"), self._abort)
        self.page = self.context.new_page()
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(r.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.goto(f"{base}{lang}/slides/index.html{query}", wait_until="load")
        self.page.wait_for_function("window.Reveal && Reveal.isReady()")
        self.page.evaluate("() => MathJax.startup.promise")

    def _abort(self, route: Any) -> None:
        self.outside.append(route.request.url)
        route.abort()

    def walk(self, key: str, done: str) -> list[tuple[int, int, int]]:
        """Press ``key`` until ``done`` holds; every position met on the way."""
        seen = [tuple(self.page.evaluate(WHERE))]
        for _ in range(MAX_PRESSES):
            if self.page.evaluate(done):
                return seen
            self.page.keyboard.press(key)
            seen.append(tuple(self.page.evaluate(WHERE)))
        raise AssertionError(f"{key}: not done after {MAX_PRESSES} presses, at {seen[-1]}")

    def axe(self, source: str) -> list[str]:
        self.page.add_script_tag(content=source)
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})",
            AXE_TAGS,
        )
        return [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
        ]


@pytest.fixture(params=LANGS)
def deck(request: pytest.FixtureRequest, browser: Any, server: str) -> Iterator[Deck]:
    opened = Deck(browser, server, request.param)
    try:
        yield opened
    finally:
        opened.context.close()


def slide_count(deck: Deck) -> int:
    return int(deck.page.evaluate("() => Reveal.getTotalSlides()"))


def fragment_count(deck: Deck) -> int:
    return int(deck.page.evaluate("() => document.querySelectorAll('.slides .fragment').length"))


@pytest.mark.parametrize("key", ["ArrowRight", "Space"])
def test_every_slide_and_fragment_reachable_by_keyboard(deck: Deck, key: str) -> None:
    seen = deck.walk(key, AT_END)
    assert sorted({h for h, _, _ in seen}) == list(range(slide_count(deck)))
    # Each fragment is one press: a slide with n fragments is met at n + 1 positions.
    assert len(set(seen)) == slide_count(deck) + fragment_count(deck)
    assert fragment_count(deck) >= 3  # the BPTT expansion, one term at a time
    back = deck.walk("ArrowLeft", AT_START)
    assert back[-1][0] == 0


def test_math_typeset_images_loaded_nothing_outside(deck: Deck) -> None:
    untypeset = deck.page.evaluate(
        "() => [...document.querySelectorAll('.slides .math')]"
        ".filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 60))"
    )
    assert deck.page.locator(".slides mjx-container").count() > 20
    assert not untypeset, f"formulas MathJax did not typeset: {untypeset}"
    images = deck.page.evaluate(
        "() => Promise.all([...document.images].map(img => img.decode().then("
        "() => [img.getAttribute('src'), img.naturalWidth, img.getAttribute('alt')],"
        "() => [img.getAttribute('src'), 0, img.getAttribute('alt')])))"
    )
    assert len(images) >= 5
    assert not [src for src, width, _ in images if not width], "images that did not load"
    assert not [src for src, _, alt in images if not alt], "images without alt text"
    assert not deck.outside, f"requests leaving the site: {deck.outside}"
    assert not deck.failed, f"failed requests: {deck.failed}"
    assert not deck.errors, f"console errors: {deck.errors}"


def test_axe_clean_on_the_first_slide(deck: Deck, axe_source: str) -> None:
    assert deck.axe(axe_source) == []


@pytest.mark.parametrize("lang", LANGS)
def test_axe_clean_over_every_slide(browser: Any, server: str, axe_source: str, lang: str) -> None:
    printed = Deck(browser, server, lang, "?print-pdf")
    try:
        assert printed.page.locator(".pdf-page").count() == slide_count(printed)
        assert printed.axe(axe_source) == []
    finally:
        printed.context.close()


def test_speaker_notes_on_every_slide(deck: Deck) -> None:
    notes = deck.page.evaluate(
        "() => Reveal.getSlides().map(s => (s.querySelector('aside.notes') || {}).textContent)"
    )
    assert len(notes) == slide_count(deck)
    assert all(note and len(note.split()) >= 10 for note in notes)


def test_speaker_view_shows_the_notes(deck: Deck) -> None:
    # getSlideNotes() returns HTML ("&nbsp;" before a Russian dash); compare the text.
    notes_html = deck.page.evaluate("() => Reveal.getSlideNotes()")
    notes = " ".join(BeautifulSoup(notes_html, "html.parser").get_text().split())
    with deck.page.expect_popup() as opened:
        deck.page.keyboard.press("s")
    # The speaker view fills in the notes once the deck inside it has connected.
    opened.value.wait_for_function(
        "words => (document.querySelector('.speaker-controls-notes .value') || {})"
        ".textContent?.replace(/\\s+/g, ' ').includes(words)",
        arg=notes[:60],
        timeout=30_000,
    )
    assert not deck.outside, f"requests leaving the site: {deck.outside}"
