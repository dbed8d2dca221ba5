"""What every figure shares: the house style, the language, the layout and the tick labels.

A figure function of the chapter is written as the drawing alone and wrapped in
:func:`figure_function`, which does the rest the same way for all of them.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, cast

import matplotlib as mpl
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import AutoLocator, MaxNLocator, ScalarFormatter

from ..i18n import check_language, format_number

# Documented where the package exports it (__init__.py).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

# Keys are rcParams names; typed loosely because matplotlib types them as one big Literal.
STYLE: dict[Any, Any] = {
    "axes.prop_cycle": cycler(color=PALETTE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "font.size": 10,
    "legend.frameon": False,
    "figure.dpi": 100,
    "savefig.bbox": "tight",
    "svg.hashsalt": "rnngrad",
}


# On top of STYLE for a lecture slide: type that reads from the back of a room, thicker lines.
SLIDE_STYLE: dict[Any, Any] = {
    "font.size": 15,
    "axes.titlesize": 15,
    "axes.labelsize": 15,
    "legend.fontsize": 13,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "lines.linewidth": 2.5,
    "lines.markersize": 8,
}
# At most this many intervals between ticks on a slide's linear axes.
SLIDE_TICK_BINS = 4
_ON_SLIDE: ContextVar[bool] = ContextVar("on_slide", default=False)


@contextmanager
def house_style() -> Iterator[None]:
    """Apply the chapter's plotting style for the duration of a ``with`` block."""
    with mpl.rc_context(STYLE):
        yield


@contextmanager
def slide_style() -> Iterator[None]:
    """Draw every figure function called inside the ``with`` block for a lecture slide.

    The figure is the chapter's own, with larger type, thicker lines and fewer ticks on
    linear axes, so that a deck and the chapter show the same computation.
    """
    token = _ON_SLIDE.set(True)
    try:
        yield
    finally:
        _ON_SLIDE.reset(token)


def _fewer_ticks(fig: Figure) -> None:
    """Thin out the ticks matplotlib chose itself; a figure's own locators stay."""
    for axis in (axis for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)):
        if type(axis.get_major_locator()) is AutoLocator:
            axis.set_major_locator(MaxNLocator(nbins=SLIDE_TICK_BINS))


class DecimalComma(ScalarFormatter):
    """Linear-axis tick labels with the decimal comma of a Russian textbook: 0,5 for 0.5."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return super().__call__(x, pos).replace(".", ",")

    def get_offset(self) -> str:
        return super().get_offset().replace(".", ",")


_Params = ParamSpec("_Params")


def figure_function(
    *, layout: bool = True, style: dict[Any, Any] | None = None
) -> Callable[[Callable[_Params, Figure]], Callable[_Params, Figure]]:
    """Make a drawing function into a figure function of the chapter.

    The wrapped function checks its ``lang`` first, then draws in the house style (with
    ``style`` on top of it), lays the figure out (``tight_layout``, unless ``layout`` is
    False, for figures that place their own colour bar) and finally writes the tick labels
    of linear axes as ``lang`` writes numbers.  Legends, titles and glued numbers go through
    :func:`~rnngrad.i18n.format_number`; matplotlib's own tick labels always use a point.
    Log axes print powers of ten only.

    Parameters
    ----------
    layout : bool
        Whether to call ``tight_layout`` once the figure is drawn.
    style : dict, optional
        rcParams that this figure sets beyond the house style.

    Returns
    -------
    callable
        A decorator for a function with a keyword-only parameter ``lang`` that returns a
        :class:`~matplotlib.figure.Figure`.
    """

    def decorate(draw: Callable[_Params, Figure]) -> Callable[_Params, Figure]:
        parameter = inspect.signature(draw).parameters.get("lang")
        if parameter is None or parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise TypeError(f"{draw.__name__} must take lang as a keyword-only parameter")
        default = parameter.default

        @functools.wraps(draw)
        def localized(*args: _Params.args, **kwargs: _Params.kwargs) -> Figure:
            lang = check_language(cast(str, kwargs.get("lang", default)))
            on_slide = _ON_SLIDE.get()
            with (
                house_style(),
                mpl.rc_context(style),
                mpl.rc_context(SLIDE_STYLE if on_slide else None),
            ):
                fig = draw(*args, **kwargs)
                if on_slide:
                    _fewer_ticks(fig)
                if layout:
                    fig.tight_layout()
            if format_number(0.5, lang, digits=1) == "0,5":
                for axis in (axis for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)):
                    if type(axis.get_major_formatter()) is ScalarFormatter:
                        axis.set_major_formatter(DecimalComma())
            return fig

        return localized

    return decorate


def single_axes(width: float, height: float) -> tuple[Figure, Axes]:
    """A figure of ``width`` × ``height`` inches with one axes."""
    fig = Figure(figsize=(width, height))
    return fig, fig.add_subplot()


def in_math(number: str) -> str:
    """A number for TeX math: {,} keeps a decimal comma from being spaced as a list comma."""
    return number.replace(",", "{,}")


def plain_number(value: float, lang: str) -> str:
    """``value`` with as few decimals as it needs (1, 0.1, 0.25), in the language's style."""
    digits = next((d for d in range(7) if round(value, d) == value), 6)
    return format_number(value, lang, digits=digits)
