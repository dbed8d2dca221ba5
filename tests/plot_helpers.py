"""Plain functions that read what a figure shows, for the tests of rnngrad.plots."""

from __future__ import annotations

from matplotlib.axes import Axes


def legend_texts(ax: Axes) -> list[str]:
    """The entries of the legend of ``ax``, in order; fails if it has none."""
    legend = ax.get_legend()
    assert legend is not None, "the axes have no legend"
    return [text.get_text() for text in legend.get_texts()]
