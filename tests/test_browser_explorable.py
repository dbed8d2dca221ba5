"""The explorable figures in Chromium: every control, driven by the keyboard, redraws the SVG
and the live sentence; the values read out are rnngrad's (recomputed here for a few settings);
the markup says what each part is; without script the static figure shows; from file:// as
from the test server; no console error, no request outside the site, axe-core clean.

The fixtures (the server, Chromium, axe-core) and the Tab that records errors and outside
requests are tests/test_browser.py's, imported from it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_browser import (  # noqa: F401 (fixtures, found by pytest by name)
    AXE_TAGS,
    ROOT,
    Tab,
    axe_source,
    browser,
    server,
)

import rnngrad
from rnngrad.i18n import format_power, label

pytestmark = [pytest.mark.site, pytest.mark.browser]

LANGS = ("en", "ru")
# page → the kinds of its explorable figures, in order
PAGES = {"evidence.html": ["gain", "heatmap"], "experiments.html": ["training"]}
STATE = """root => ({svg: root.querySelector('svg.explorable-plot').innerHTML,
                    live: root.querySelector('[aria-live=polite]').textContent})"""


def roots(tab: Tab) -> Any:
    return tab.page.locator("div.explorable")


def state(tab: Tab, index: int) -> dict[str, str]:
    return roots(tab).nth(index).evaluate(STATE)


def press(tab: Tab, selector: str, index: int, *keys: str) -> dict[str, str]:
    """Focus a control of figure ``index`` and press ``keys``; the figure's state after."""
    roots(tab).nth(index).locator(selector).focus()
    for key in keys:
        tab.page.keyboard.press(key)
    return state(tab, index)


@pytest.fixture
def tab(browser: Any, server: str) -> Any:  # noqa: F811
    opened = Tab(browser, server)
    yield opened
    assert not opened.errors, f"console errors: {opened.errors}"
    assert not opened.outside, f"requests leaving the site: {opened.outside}"
    assert not opened.failed, f"failed requests: {opened.failed}"
    opened.close()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_markup_says_what_each_part_is(tab: Tab, lang: str, name: str) -> None:
    tab.open(f"{lang}/{name}")
    found = roots(tab).evaluate_all(
        """roots => roots.map(root => {
          const svg = root.querySelectorAll('svg');
          const controls = [...root.querySelectorAll('input, select')];
          return {kind: root.dataset.explorable, svgs: svg.length,
            role: svg[0] && svg[0].getAttribute('role'),
            named: svg[0] && svg[0].getAttribute('aria-labelledby').split(' ')
              .map(id => document.getElementById(id).textContent.trim().length > 0),
            live: root.querySelectorAll('[aria-live=polite]').length,
            labelled: controls.map(c => c.labels.length === 1
              && c.labels[0].textContent.trim() !== ''),
            valuetext: [...root.querySelectorAll('input[type=range]')]
              .map(r => r.getAttribute('aria-valuetext')),
            table: !!root.querySelector('details > table, details table'),
            caption: !!root.querySelector('figcaption .caption-number')};
        })"""
    )
    assert [f["kind"] for f in found] == PAGES[name]
    for figure in found:
        assert figure["svgs"] == 1, figure
        assert figure["role"] == "img"
        assert figure["named"] == [True, True], "the SVG has a title and a description"
        assert figure["live"] == 1
        assert figure["labelled"], "the figure has controls"
        assert all(figure["labelled"]), "every control has a label"
        assert figure["table"], "the data of the view is in a table"
        assert figure["caption"], "the caption keeps the figure's number"
        for text in figure["valuetext"]:
            assert "=" in text, f"aria-valuetext says name and value: {text!r}"
    words = found[0]["valuetext"][0]
    assert words.startswith(
        label("explore gain" if name == "evidence.html" else "explore step", lang)
    )
    if name == "evidence.html":
        assert words.endswith("1,00" if lang == "ru" else "1.00"), words


@pytest.mark.parametrize("lang", LANGS)
def test_the_gain_figure_reads_out_rnngrads_norm(tab: Tab, lang: str) -> None:
    tab.open(f"{lang}/evidence.html")
    before = state(tab, 0)
    after = press(tab, "input[type=range]", 0, "ArrowRight")
    assert after["svg"] != before["svg"]
    assert after["live"] != before["live"]
    # g = 1.5 (tanh): from 0.5 in steps of 0.05
    moved = press(tab, "input[type=range]", 0, "Home", *["ArrowRight"] * 20)
    sweep = rnngrad.sweep_spectral_norm([1.5, 3.0], activation="tanh", n_h=32, T=60, rng=0)
    assert format_power(sweep.norms[0, -1], lang) in moved["live"]
    # g = 3 with ReLU: the menu, then the slider's end
    chosen = press(tab, "select", 0, "ArrowDown", "ArrowDown")
    assert label("relu", lang) in chosen["live"]
    assert chosen["svg"] != moved["svg"]
    end = press(tab, "input[type=range]", 0, "End")
    relu = rnngrad.sweep_spectral_norm([3.0], activation="relu", n_h=32, T=60, rng=0)
    assert format_power(relu.norms[0, -1], lang) in end["live"]
    assert label("explore grows", lang) in end["live"]


def heatmap_table(gain: float) -> np.ndarray:
    """The evidence page's recipe for the map at ``gain``."""
    x = np.random.default_rng(3).standard_normal((40, 32))
    model = rnngrad.RNN.random(n_in=32, n_h=32, rng=2)
    model = dataclasses.replace(model, W=rnngrad.orthogonal(32, gain=gain, rng=1))
    return rnngrad.jacobian_norm_table(model.state_jacobians(x))


@pytest.mark.parametrize("lang", LANGS)
def test_the_map_is_walked_by_the_keyboard(tab: Tab, lang: str) -> None:
    tab.open(f"{lang}/evidence.html")
    start = state(tab, 1)
    table = heatmap_table(1.0)
    assert format_power(table[40, 0], lang) in start["live"]
    moved = press(tab, ".explorable-map", 1, "ArrowUp", "ArrowUp", "ArrowRight")
    assert moved["svg"] != start["svg"]
    assert moved["live"].startswith("t = 38, k = 1:")
    assert format_power(table[38, 1], lang) in moved["live"]
    end = press(tab, ".explorable-map", 1, "End")
    assert end["live"].startswith("t = 38, k = 38:")
    other = press(tab, "select", 1, "ArrowDown")
    assert format_power(heatmap_table(3.0)[38, 38], lang) in other["live"]
    assert other["svg"] != end["svg"]
    # the pointer: the middle of cell (t, k) = (30, 10), from the drawing's own geometry
    box = roots(tab).nth(1).locator("svg.explorable-plot").bounding_box()
    scale, left, top, cell = box["width"] / 560, 64, 12, (300 - 12 - 40) / 41
    tab.page.mouse.move(
        box["x"] + scale * (left + 10.5 * cell), box["y"] + scale * (top + 30.5 * cell)
    )
    pointed = state(tab, 1)
    assert pointed["live"].startswith("t = 30, k = 10:")
    assert format_power(heatmap_table(3.0)[30, 10], lang) in pointed["live"]


@pytest.mark.parametrize("lang", LANGS)
def test_training_is_scrubbed_by_the_keyboard(tab: Tab, lang: str) -> None:
    tab.open(f"{lang}/experiments.html")
    first = state(tab, 0)
    later = press(tab, "input[type=range]", 0, "ArrowRight", "ArrowRight")
    assert later["svg"] != first["svg"]
    assert later["live"] != first["live"]
    longer = press(tab, "select", 0, "ArrowDown")
    assert longer["live"] != later["live"]
    assert longer["svg"] != later["svg"]


def test_the_training_figure_reads_out_the_histories(tab: Tab) -> None:
    from rnngrad import experiments

    cache = ROOT / "_build" / "experiments"  # what `make html` computed for the pages
    assert cache.is_dir(), f"{cache} is missing: run `make html`"
    results = experiments.run_many(rnngrad.chapter_experiments(), cache)
    adding = [r for r in results if r.config.task == "adding" and r.config.seed == 0]
    histories = experiments.histories_by_variant(adding)
    tab.open("ru/experiments.html")
    at_start = state(tab, 0)["live"]
    press(tab, "select", 0, "ArrowDown")  # T = 50
    end = press(tab, "input[type=range]", 0, "End")  # its last step
    for name in ("rnn", "lstm"):
        share = histories[name][25].state_grad_norms
        assert format_power(share[0, 1] / share[0, -1], "ru") in at_start
        run = histories[name][50].state_grad_norms
        assert format_power(run[-1, 1] / run[-1, -1], "ru") in end["live"]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_axe_finds_nothing_with_the_tables_open(tab: Tab, axe_source: str, name: str) -> None:  # noqa: F811
    tab.open(f"ru/{name}")
    tab.page.evaluate(
        "document.querySelectorAll('div.explorable details').forEach(d => d.open = true)"
    )
    assert not tab.errors, tab.errors
    tab.page.add_script_tag(content=axe_source)
    found = tab.page.evaluate(
        "tags => axe.run(document.querySelectorAll('div.explorable'),"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => v.id + ': ' + v.help))",
        AXE_TAGS,
    )
    # axe fetches the theme's stylesheets itself and resolves their @import against the page
    # (a 404 no reader's browser makes; see test_browser.visit): not the page's error.
    tab.reset()
    assert not found, found


@pytest.mark.parametrize("name", sorted(PAGES))
def test_without_script_the_static_figure_shows(browser: Any, site: Path, name: str) -> None:  # noqa: F811
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto((site / "en" / name).as_uri(), wait_until="load")
        images = page.evaluate(
            """[...document.querySelectorAll('div.explorable figure img')]
                 .map(img => img.complete && img.naturalWidth > 0)"""
        )
        assert images == [True] * len(PAGES[name]), images
        assert page.locator("div.explorable svg.explorable-plot").count() == 0
    finally:
        context.close()


@pytest.mark.parametrize("name", sorted(PAGES))
def test_it_works_from_file(browser: Any, site: Path, name: str) -> None:  # noqa: F811
    context = browser.new_context()
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto((site / "ru" / name).as_uri(), wait_until="load")
        live = page.evaluate(
            "[...document.querySelectorAll('div.explorable [aria-live]')].map(e => e.textContent)"
        )
        assert len(live) == len(PAGES[name])
        assert all(live), live
        page.locator("div.explorable input[type=range]").first.focus()
        page.keyboard.press("ArrowRight")
        assert (
            page.evaluate("document.querySelector('div.explorable [aria-live]').textContent")
            != live[0]
        )
    finally:
        context.close()
    assert not errors, errors
