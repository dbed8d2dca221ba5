"""The built site in a real browser: Debian's Chromium, driven by Playwright, offline.

The test serves ``_build/site`` from 127.0.0.1 itself and opens every page of both
editions once. Each visit records console errors, failed requests and any request that
would leave 127.0.0.1 (those are aborted and counted), waits for MathJax, looks at the
rendered text, the figures, the headings, runs axe-core (the copy shipped in the pinned
PyPI package ``axe-playwright-python``; nothing is fetched) and follows the language link
there and back. Further tests cover search, keyboard navigation and time to rendered math.

Chromium is Debian's (``/usr/bin/chromium``, or ``$CHROMIUM``); Playwright never downloads
a browser of its own here. Outside CI a missing Chromium skips these tests with the command
that installs it; in CI (``$CI`` set) it fails them, and ``.ci/run`` installs it first.
Measurements (time to rendered math, axe counts) go to ``_build/browser-report.json``.
"""

from __future__ import annotations

import collections
import functools
import http.server
import importlib.resources
import itertools
import json
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from rnngrad_book import slides

pytestmark = [pytest.mark.site, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("en", "ru")
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
INSTALL = (
    "install Debian's Chromium: `sudo apt-get install --no-install-recommends chromium` "
    "(.ci/run does it in CI), or point $CHROMIUM at a Chromium binary"
)
# The flags that keep Chromium from calling home, shared with the slides' PDF printer.
CHROMIUM_ARGS = slides.CHROMIUM_ARGS
# Raw TeX that must not survive MathJax in the visible text of a page.
RAW_TEX = ("$$", "\\frac", "\\(", "\\[")
# axe-core: the rules of WCAG 2.1 A/AA plus Deque's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# Violations in the theme's own markup that our templates cannot change, by rule id and the
# exact selector axe reports. Every entry must still occur (see test_axe_allow_list_is_live),
# so the list cannot outlive a theme upgrade that fixes the bug.
AXE_ALLOWED: dict[str, set[str]] = {}
REPORT = ROOT / "_build" / "browser-report.json"


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def unavailable(reason: str) -> None:
    """A missing browser fails in CI and skips, with how to install it, elsewhere."""
    if in_ci():
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


def html_pages(site: Path, lang: str) -> list[str]:
    root = site / lang
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*.html")
        if not {"_static", "slides"} & set(p.relative_to(root).parts)  # the decks: *_slides.py
    )


# ------------------------------------------------------------------------------- fixtures
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    """The site over HTTP on 127.0.0.1 and an ephemeral port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        unavailable(f"no Chromium at {CHROMIUM}: {INSTALL}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed: run `make test`, which installs the test extra")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def axe_source() -> str:
    try:
        path = importlib.resources.files("axe_playwright_python") / "axe.min.js"
        return path.read_text(encoding="utf-8")
    except (ImportError, FileNotFoundError):
        unavailable("axe-playwright-python (axe-core) is not installed: run `make test`")
        raise  # unreachable: unavailable() fails or skips


@dataclass
class Visit:
    """What one page did in the browser."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    math_ms: float | None = None
    math_count: int = 0
    has_math_source: bool = False
    visible_text: str = ""
    images: list[dict[str, Any]] = field(default_factory=list)
    headings: list[int] = field(default_factory=list)
    switch_target: str = ""
    switch_back: str = ""
    axe: list[dict[str, Any]] = field(default_factory=list)


# Runs in the page before its own scripts: records when MathJax has typeset the page.
MATH_TIMER = """
(() => {
  const poll = setInterval(() => {
    const promise = window.MathJax && MathJax.startup && MathJax.startup.promise;
    if (promise) {
      clearInterval(poll);
      promise.then(() => { window.__rnngradMathReady = performance.now(); });
    }
  }, 2);
})();
"""


class Tab:
    """One browser page with listeners that record errors and outside requests."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.context = browser.new_context(service_workers="block")
        self.context.add_init_script(MATH_TIMER)
        self.outside: list[str] = []
        self.context.route(re.compile(r"^(?!" + re.escape(base) + r")"), self._abort_outside)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        self.page.on("requestfailed", self._failed)
        self.page.on(
            "response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} ({r.status})")
        )

    def _abort_outside(self, route: Any) -> None:
        self.outside.append(route.request.url)
        route.abort()

    def _failed(self, request: Any) -> None:
        # ERR_ABORTED is the browser cancelling a request of a page it is leaving (the
        # favicon, when the test clicks the language link at once), not a failure to load.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.failed.append(f"{request.url} ({request.failure})")

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} at {message.location.get('url', '?')}")

    def reset(self) -> None:
        self.errors.clear()
        self.failed.clear()
        self.outside.clear()

    def open(self, path: str) -> None:
        self.page.goto(self.base + path, wait_until="load")
        self.page.wait_for_function(
            "!window.MathJax || !MathJax.startup || window.__rnngradMathReady !== undefined",
            timeout=30_000,
        )

    def close(self) -> None:
        self.context.close()


def visit(tab: Tab, lang: str, name: str, axe_source: str) -> Visit:
    other = "ru" if lang == "en" else "en"
    tab.reset()
    tab.open(f"{lang}/{name}")
    page = tab.page
    record = Visit(url=page.url)
    record.math_ms = page.evaluate("window.__rnngradMathReady ?? null")
    record.math_count = page.locator("mjx-container").count()
    record.has_math_source = bool(page.locator(".math").count())
    record.visible_text = page.inner_text("body")
    record.images = page.evaluate(
        """[...document.images].map(img => ({src: img.getAttribute('src'),
            complete: img.complete, width: img.naturalWidth, alt: img.getAttribute('alt'),
            inFigure: !!img.closest('figure')}))"""
    )
    # The headings a reader meets in the main content (the theme's print-only copy of the
    # title is hidden on screen and so not counted).
    record.headings = page.evaluate(
        "[...document.querySelectorAll('main :is(h1,h2,h3,h4,h5,h6,[role=heading])')]"
        ".filter(h => h.checkVisibility())"
        ".map(h => Number(h.getAttribute('aria-level') || h.tagName[1]))"
    )
    # axe-core fetches the stylesheets itself and resolves the theme's `@import "../basic.css"`
    # against the page, not the stylesheet (a 404 no reader's browser makes): what the page
    # loads is judged up to here, the language switch below is judged again.
    errors, failed, outside = list(tab.errors), list(tab.failed), list(tab.outside)
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        AXE_TAGS,
    )
    tab.reset()
    record.axe = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [" ".join(map(str, n["target"])) for n in v["nodes"]],
        }
        for v in result["violations"]
    ]
    # The language switch: to the same page in the other edition, and back.
    page.click(f"nav.language-switch a[hreflang={other}]")
    page.wait_for_load_state("load")
    record.switch_target = page.url
    page.click(f"nav.language-switch a[hreflang={lang}]")
    page.wait_for_load_state("load")
    record.switch_back = page.url
    record.console_errors = errors + tab.errors
    record.failed_requests = failed + tab.failed
    record.outside_requests = outside + tab.outside
    return record


@pytest.fixture(scope="module")
def visits(site: Path, server: str, browser: Any, axe_source: str) -> dict[str, Visit]:
    """Every page of both editions, visited once."""
    tab = Tab(browser, server)
    try:
        records = {
            f"{lang}/{name}": visit(tab, lang, name, axe_source)
            for lang in LANGS
            for name in html_pages(site, lang)
        }
    finally:
        tab.close()
    write_report(records)
    return records


def write_report(records: dict[str, Visit]) -> None:
    impacts = collections.Counter(
        v["impact"] for record in records.values() for v in record.axe if not allowed(v)
    )
    report = {
        "time_to_rendered_math_ms": {
            key: round(r.math_ms) for key, r in records.items() if r.math_count
        },
        "axe_violations_by_impact": dict(impacts),
        "axe_allowed": {
            key: [v["id"] for v in r.axe if allowed(v)] for key, r in records.items() if r.axe
        },
        "outside_requests": sum(len(r.outside_requests) for r in records.values()),
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def allowed(violation: dict[str, Any]) -> bool:
    targets = AXE_ALLOWED.get(violation["id"], set())
    return all(t in targets for t in violation["targets"])


def page_ids(site_root: Path = ROOT / "_build" / "site") -> list[str]:
    """Page keys for parametrisation, read when the module is collected."""
    return [f"{lang}/{name}" for lang in LANGS for name in html_pages(site_root, lang)] or [
        f"{lang}/index.html" for lang in LANGS
    ]


PAGES = page_ids()


# ----------------------------------------------------------------------------- per page
@pytest.mark.parametrize("key", PAGES)
def test_page_loads_cleanly_and_offline(visits: dict[str, Visit], key: str) -> None:
    record = visits[key]
    assert not record.outside_requests, (
        f"{key}: {len(record.outside_requests)} request(s) leaving 127.0.0.1: "
        f"{record.outside_requests}"
    )
    assert not record.failed_requests, f"{key}: failed requests {record.failed_requests}"
    assert not record.console_errors, f"{key}: console errors {record.console_errors}"


@pytest.mark.parametrize("key", PAGES)
def test_math_is_rendered(visits: dict[str, Visit], key: str) -> None:
    record = visits[key]
    if record.has_math_source:
        assert record.math_count > 0, f"{key}: math on the page but no mjx-container"
    leftovers = [raw for raw in RAW_TEX if raw in record.visible_text]
    assert not leftovers, f"{key}: raw TeX {leftovers} in the visible text"


@pytest.mark.parametrize("key", PAGES)
def test_figures_load_with_alt_text(visits: dict[str, Visit], key: str) -> None:
    for img in visits[key].images:
        assert img["complete"], f"{key}: {img['src']} did not finish loading"
        assert img["width"] > 0, f"{key}: {img['src']} is broken (naturalWidth 0)"
        assert img["alt"] is not None, f"{key}: {img['src']} has no alt attribute"
        if img["inFigure"]:
            assert img["alt"].strip(), f"{key}: figure {img['src']} has empty alt text"


def test_the_chapter_has_figures(visits: dict[str, Visit]) -> None:
    for lang in LANGS:
        assert any(i["inFigure"] for i in visits[f"{lang}/index.html"].images), lang


@pytest.mark.parametrize("key", PAGES)
def test_headings_descend_one_level_at_a_time(visits: dict[str, Visit], key: str) -> None:
    levels = visits[key].headings
    assert levels, f"{key}: the main content has no heading"
    assert levels[0] == 1, f"{key}: the article does not open with its h1: {levels}"
    assert levels.count(1) == 1, f"{key}: more than one h1: {levels}"
    jumps = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
    assert not jumps, f"{key}: heading levels skip: {jumps} in {levels}"


@pytest.mark.parametrize("key", PAGES)
def test_language_link_goes_to_the_twin_and_back(
    visits: dict[str, Visit], server: str, key: str
) -> None:
    lang, name = key.split("/", 1)
    other = "ru" if lang == "en" else "en"
    record = visits[key]
    assert record.switch_target == f"{server}{other}/{name}", record.switch_target
    assert record.switch_back == f"{server}{lang}/{name}", record.switch_back


@pytest.mark.parametrize("lang", LANGS)
def test_language_switch_keeps_the_readers_place(browser: Any, server: str, lang: str) -> None:
    """A reader halfway down a page who switches language lands at the same section of the
    twin (book/_static/language-switch.js), not at its top."""
    other = "ru" if lang == "en" else "en"
    tab = Tab(browser, server)
    try:
        tab.open(f"{lang}/why.html")
        # "saturation" is a label, so both editions give that section the same id.
        tab.page.evaluate("document.getElementById('saturation').scrollIntoView()")
        # The switch is inside the sticky header bar, where the reader sees it.
        bar, switch, link = tab.page.evaluate(
            f"['.bd-header-article', 'nav.language-switch', 'a[hreflang={other}]'].map(s => {{"
            " const r = document.querySelector(s).getBoundingClientRect();"
            " return [r.top, r.bottom, r.left + r.width / 2]; })"
        )
        assert bar[0] <= switch[0], f"switch {switch} sticks out above the bar {bar}"
        assert switch[1] <= bar[1], f"switch {switch} hangs below the bar {bar}"
        # A mouse click where the reader sees the link. Playwright's click() would first
        # scroll the link into view: for an element in a sticky bar Chromium scrolls anyway.
        tab.page.mouse.click(link[2], (link[0] + link[1]) / 2)
        tab.page.wait_for_function(
            "location.pathname.endsWith('/why.html') && location.hash === '#saturation'"
            " && Math.abs(document.getElementById('saturation').getBoundingClientRect().top"
            " - (parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop) || 0))"
            " < 8",
            timeout=30_000,
        )
        assert tab.page.url == f"{server}{other}/why.html#saturation"
        assert not tab.errors, tab.errors
    finally:
        tab.close()


@pytest.mark.parametrize("key", PAGES)
def test_axe_finds_no_violation(visits: dict[str, Visit], key: str) -> None:
    found = [v for v in visits[key].axe if not allowed(v)]
    assert not found, f"{key}: axe-core violations:\n" + "\n".join(
        f"  [{v['impact']}] {v['id']}: {v['help']} at {v['targets']}" for v in found
    )


def test_axe_allow_list_is_live(visits: dict[str, Visit]) -> None:
    """Each allowed (rule, selector) still occurs: a fixed theme bug leaves the list."""
    seen = {(v["id"], t) for r in visits.values() for v in r.axe for t in v["targets"]}
    stale = [(rule, t) for rule, targets in AXE_ALLOWED.items() for t in targets]
    stale = [pair for pair in stale if pair not in seen]
    assert not stale, f"allow-listed axe violations that no longer occur: {stale}"


def test_time_to_rendered_math(visits: dict[str, Visit]) -> None:
    """MathJax typesets the chapter page within a budget (generous: CI machines are busy)."""
    for lang in LANGS:
        record = visits[f"{lang}/index.html"]
        assert record.math_ms is not None, f"{lang}: MathJax never finished"
        assert record.math_ms < 5_000, f"{lang}: math rendered after {record.math_ms:.0f} ms"


# --------------------------------------------------------------------- search, keyboard
SUMMARY_WORD = {"en": "found", "ru": "найден"}


@pytest.mark.parametrize(
    ("lang", "query"),
    [("ru", "градиентов"), ("ru", "сигмоиды"), ("en", "gradients"), ("en", "derivatives")],
)
def test_search_finds_the_chapter(browser: Any, server: str, lang: str, query: str) -> None:
    """An inflected word finds the chapter: the search stems (snowball, per language)."""
    tab = Tab(browser, server)
    try:
        tab.page.goto(f"{server}{lang}/search.html?q={query}", wait_until="load")
        # Done when Sphinx writes its summary ("Search finished, found N pages…" or "did not
        # match"): _finishSearch does it once, after the last result. Not Search._pulse_status:
        # a pulse timer still pending when the search stops sets it from -1 back to 0 and
        # pulses on, so -1 lasts at most 500 ms and a busy machine's poll can miss it (that
        # made this test time out in CI, at 20 s and again at 60 s).
        tab.page.wait_for_function(
            "(document.querySelector('#search-results p.search-summary') || {}).innerText",
            # 1-2 s on a quiet machine; CI shares two cores with the rest of the suite.
            timeout=60_000,
        )
        hits = tab.page.eval_on_selector_all(
            "#search-results ul.search li a", "links => links.map(a => a.getAttribute('href'))"
        )
        assert any(h.split("?")[0].split("#")[0] == "index.html" for h in hits), (
            f"{lang} search for {query!r} did not find the chapter: {hits}"
        )
        # The summary counts the pages in the reader's language (Sphinx's Russian catalogue
        # leaves it empty; rnngrad_book.bilingual fills it in from book/locale).
        summary = tab.page.inner_text("#search-results p.search-summary")
        assert str(len(hits)) in summary, f"{lang}: summary {summary!r} for {len(hits)} hits"
        assert SUMMARY_WORD[lang] in summary, f"{lang}: summary {summary!r} not in {lang}"
        assert not tab.errors, tab.errors
        assert not tab.outside, tab.outside
    finally:
        tab.close()


@pytest.mark.parametrize("lang", LANGS)
def test_keyboard_reaches_the_language_switch_and_search(
    browser: Any, server: str, lang: str
) -> None:
    tab = Tab(browser, server)
    try:
        tab.open(f"{lang}/index.html")
        reached: list[str] = []
        for _ in range(80):
            tab.page.keyboard.press("Tab")
            reached.append(
                tab.page.evaluate(
                    """(() => { const e = document.activeElement;
                    if (e.closest('nav.language-switch')) return 'language-switch';
                    if (e.closest('.search-button-field, .search-button, form.bd-search'))
                      return 'search';
                    return e.tagName.toLowerCase(); })()"""
                )
            )
            if {"language-switch", "search"} <= set(reached):
                break
        assert "language-switch" in reached, f"{lang}: Tab never reached the language switch"
        assert "search" in reached, f"{lang}: Tab never reached the search"
    finally:
        tab.close()
