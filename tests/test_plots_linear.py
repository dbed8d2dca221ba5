"""The figure of the page on linear recurrences: what it draws, in both languages, and what it
refuses."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from plot_helpers import legend_texts

from rnngrad import plots
from rnngrad.i18n import LANGUAGES, format_number, label

LAGS = np.arange(7)


def rings() -> dict[float, np.ndarray]:
    """Norms of two LRUs whose values the test can find among the lines."""
    return {0.0: 0.99**LAGS, 0.9: 0.995**LAGS}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_linear_norms_by_lag_draws_networks_then_rings_with_their_medians(lang: str) -> None:
    others = {"rnn tanh": 0.5**LAGS, "lstm": 0.8**LAGS}
    median = {0.9: 0.95**LAGS}
    draws = np.array([0.99, 0.995, 0.999])[:, None] ** LAGS  # three draws of the r_min = 0.9 ring
    ax = plots.linear_norms_by_lag(others, {0.0: 0.99**LAGS, 0.9: draws}, median=median, lang=lang)
    ax = ax.axes[0]
    assert ax.get_yscale() == "log"
    numbers = [format_number(r, lang, digits=1).replace(",", "{,}") for r in (0.0, 0.9)]
    rings_labels = [label("lru ring", lang).format(r_min=n) for n in numbers]
    assert legend_texts(ax) == [label("rnn tanh", lang), label("lstm", lang), *rings_labels]
    title = [label("ring band", lang).format(draws=3), label("median unit", lang)]
    assert ax.get_legend().get_title().get_text() == "\n".join(title)
    # Two networks, two rings, one median dashed in the colour of its ring.
    assert [line.get_linestyle() for line in ax.lines] == ["-", "-", "-", "-", "--"]
    assert ax.lines[4].get_color() == ax.lines[3].get_color()
    assert len({line.get_color() for line in ax.lines}) == 4
    assert [line.get_color() for line in ax.lines[2:4]] == list(plots.linear.RING_COLOURS[:2])
    assert [line.get_marker() for line in ax.lines[2:4]] == list(plots.linear.RING_MARKERS[:2])
    assert np.allclose(ax.lines[2].get_ydata(), 0.99**LAGS)
    assert np.allclose(ax.lines[3].get_ydata(), 0.995**LAGS)  # the median of the three draws
    assert np.allclose(ax.lines[4].get_ydata(), 0.95**LAGS)
    # One band, for the ring with several draws: between its 5th and 95th percentiles.
    (band,) = ax.collections
    top = band.get_paths()[0].vertices[:, 1].max()
    assert np.isclose(top, 1.0)
    assert band.get_facecolor()[0][:3] == pytest.approx(to_rgb(plots.linear.RING_COLOURS[1]))
    low = np.quantile(draws, 0.05, axis=0)
    assert np.isclose(band.get_paths()[0].vertices[:, 1].min(), low[-1])
    assert list(ax.lines[0].get_xdata()) == list(LAGS)
    assert ax.get_xlabel() == label("lag", lang)
    assert ax.get_ylabel() == label("lru jacobian norm", lang)


def test_linear_norms_by_lag_russian_label_has_a_decimal_comma() -> None:
    ax = plots.linear_norms_by_lag({}, {0.5: 0.9**LAGS}, lang="ru").axes[0]
    assert legend_texts(ax) == [r"LRU, $r_{\min} = 0{,}5$"]
    assert ax.get_legend().get_title().get_text() == ""  # no median, no dashed lines


@pytest.mark.parametrize(
    ("curves", "ring", "median", "message"),
    [
        ({}, {}, None, "rings must hold 1 to 3 LRUs"),
        ({"lstm2": LAGS + 1.0}, rings(), None, r"curves keys must be label keys .*'lstm2'"),
        ({}, {1.0: LAGS + 1.0}, None, r"an r_min of rings must be in \[0, 1\), got 1.0"),
        ({}, rings(), {0.5: LAGS + 1.0}, r"median must name r_min values of rings, got \[0.5\]"),
        ({}, {0.0: np.zeros(7)}, None, r"rings\[0.0\] must be > 0"),
        ({"gru": np.ones(3)}, rings(), None, r"same length t \+ 1 >= 2, got \[3, 7\]"),
        (
            {},
            {r: LAGS + 1.0 for r in (0.0, 0.3, 0.6, 0.9)},
            None,
            r"rings must hold 1 to 3 LRUs and curves at most 5 networks .*got 4 and 0",
        ),
        ({}, {0.5: np.ones((2, 2, 7))}, None, r"rings\[0.5\] must have shape \(draws, t \+ 1\)"),
    ],
)
def test_linear_norms_by_lag_rejects_bad_arguments(
    curves: dict[str, np.ndarray],
    ring: dict[float, np.ndarray],
    median: dict[float, np.ndarray] | None,
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        plots.linear_norms_by_lag(curves, ring, median=median)


def test_linear_norms_by_lag_checks_the_language() -> None:
    with pytest.raises(ValueError, match="lang must be one of"):
        plots.linear_norms_by_lag({}, rings(), lang="de")
