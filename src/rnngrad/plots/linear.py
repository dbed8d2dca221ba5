"""The linear recurrence beside the simple and the gated networks: norms by lag."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from .._validate import check_real
from ..i18n import format_number, label
from .checks import check_label_keys, common_length, positive_curves
from .style import PALETTE, figure_function, in_math, single_axes


@figure_function()
def linear_norms_by_lag(
    curves: Mapping[str, ArrayLike],
    rings: Mapping[float, ArrayLike],
    *,
    median: Mapping[float, ArrayLike] | None = None,
    lang: str = "en",
) -> Figure:
    """‖∂h_t/∂h_{t−ℓ}‖_2 against the lag for LRUs on several rings, beside other networks.

    The LRU's state Jacobian over ℓ steps is diag(λ)^ℓ, whose norm is the largest
    abs(λ_i)^ℓ: the slowest unit.  So one line per ring, labelled by its r_min, and
    optionally, dashed in the same colour, what the norm hides: the median unit's
    abs(λ_i)^ℓ.  The other networks come first, in the colours and with the labels of
    :func:`~rnngrad.plots.norms_by_lag`.

    Parameters
    ----------
    curves : mapping of str to array_like, shape (t + 1,)
        Label key of ``rnngrad.i18n.LABELS`` (e.g. ``"rnn tanh"``, ``"lstm"``) → norms for
        the lags 0 … t; may be empty.
    rings : mapping of float to array_like, shape (t + 1,)
        r_min of the LRU's ring (in [0, 1)) → its norms for the same lags.
    median : mapping of float to array_like, optional
        r_min → the median unit's abs(λ_i)^ℓ of that LRU, drawn dashed; its keys must be
        keys of ``rings``.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``rings`` is empty, there are more curves and rings together than
        :data:`PALETTE` has colours, a key of ``curves`` is not a label, an r_min is not in
        [0, 1), ``median`` names an r_min that ``rings`` lacks, or a curve is not finite
        and > 0 or its length differs or is < 2.
    """
    if not rings:
        raise ValueError("rings must hold at least one LRU, got an empty mapping")
    if len(curves) + len(rings) > len(PALETTE):
        raise ValueError(
            f"curves and rings must hold at most {len(PALETTE)} entries together (one colour "
            f"each), got {len(curves)} + {len(rings)}"
        )
    if curves:
        check_label_keys("curves", list(curves))
    for r_min in rings:
        if not 0.0 <= check_real("r_min", r_min) < 1.0:
            raise ValueError(f"an r_min of rings must be in [0, 1), got {r_min}")
    extra = sorted(set(median or {}) - set(rings))
    if extra:
        raise ValueError(f"median must name r_min values of rings, got {extra}")
    named = {key: positive_curves("curves", {key: v})[key] for key, v in curves.items()}
    ring_lines = positive_curves("rings", {str(r): v for r, v in rings.items()})
    dashed = positive_curves("median", {str(r): v for r, v in (median or {}).items()})
    lags = np.arange(
        common_length("curves", [*named.values(), *ring_lines.values(), *dashed.values()], "t + 1")
    )
    fig, ax = single_axes(6.4, 4.0)
    colours = iter(PALETTE)
    for key, values in named.items():
        ax.semilogy(lags, values, linewidth=2, color=next(colours), label=label(key, lang))
    for r_min in rings:
        colour = next(colours)
        number = in_math(format_number(r_min, lang, digits=1))
        ax.semilogy(
            lags,
            ring_lines[str(r_min)],
            linewidth=2,
            color=colour,
            label=label("lru ring", lang).format(r_min=number),
        )
        if str(r_min) in dashed:
            ax.semilogy(lags, dashed[str(r_min)], linewidth=1.5, linestyle="--", color=colour)
    ax.set_xlabel(label("lag", lang))
    ax.set_ylabel(label("state jacobian norm", lang))
    title = label("median unit", lang) if dashed else None
    ax.legend(loc="lower left", fontsize=9, title=title, title_fontsize=9)
    return fig
