"""The slide style: the chapter's own figure, drawn for a lecture slide."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from rnngrad import plots
from rnngrad.plots.style import SLIDE_STYLE, SLIDE_TICK_BINS, STYLE


def tick_label_sizes(fig: Figure) -> set[float]:
    return {label.get_fontsize() for ax in fig.axes for label in ax.get_xticklabels()}


def linear_tick_counts(fig: Figure) -> list[int]:
    fig.canvas.draw()
    return [
        len([t for t in axis.get_majorticklocs() if lo <= t <= hi])
        for ax in fig.axes
        for axis, (lo, hi) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim()))
        if axis.get_scale() == "linear"
    ]


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_slide_figure_has_larger_type_and_fewer_ticks(lang: str) -> None:
    chapter = plots.activations_side_by_side(lang=lang)
    with plots.slide_style():
        slide = plots.activations_side_by_side(lang=lang)
    assert tick_label_sizes(slide) == {SLIDE_STYLE["xtick.labelsize"]}
    assert max(tick_label_sizes(chapter)) < SLIDE_STYLE["xtick.labelsize"]
    assert max(linear_tick_counts(slide)) <= SLIDE_TICK_BINS + 1
    assert sum(linear_tick_counts(slide)) < sum(linear_tick_counts(chapter))


def test_slide_style_ends_with_its_block_even_on_error() -> None:
    with pytest.raises(RuntimeError), plots.slide_style():
        raise RuntimeError
    after = plots.activations_side_by_side(lang="en")
    assert tick_label_sizes(after) != {SLIDE_STYLE["xtick.labelsize"]}
    assert STYLE["font.size"] < SLIDE_STYLE["font.size"]


def test_slide_style_keeps_the_decimal_comma() -> None:
    with plots.slide_style():
        fig = plots.activations_side_by_side(lang="ru")
    fig.canvas.draw()
    labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert any("," in text for text in labels)
    assert not any("." in text for text in labels)
