"""The linear recurrence beside the simple and the gated networks: norms by lag."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike, NDArray

from .._validate import as_float_array, check_real, check_shape
from ..i18n import format_number, label
from .checks import check_label_keys, common_length, positive_curves
from .style import PALETTE, figure_function, in_math, single_axes

#: The rings' colours: green, purple and black, far from the blue and vermilion that the
#: networks drawn beside them take first (the palette's orange was too close to the LSTM's).
RING_COLOURS = ("#009E73", "#CC79A7", "#000000")
#: And their markers, every tenth lag, staggered: rings close to the circle end up near 1
#: together on a scale that also shows the networks' 10⁻¹³; the markers tell them apart.
RING_MARKERS = ("o", "s", "^")


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
    abs(λ_i)^ℓ: the slowest unit, which varies from one draw of the ring to the next.  So
    per ring, labelled by its r_min, the median over the draws (solid, with a marker every
    tenth lag) and, for more than
    one draw, the band between their 5th and 95th percentiles (shaded); optionally, dashed
    in the same colour, what the norm hides: a middle unit's abs(λ_i)^ℓ.  The other
    networks come first, in the palette's order without the rings' colours.

    Parameters
    ----------
    curves : mapping of str to array_like, shape (t + 1,)
        Label key of ``rnngrad.i18n.LABELS`` (e.g. ``"rnn tanh"``, ``"lstm"``) → norms for
        the lags 0 … t; may be empty.
    rings : mapping of float to array_like, shape (draws, t + 1) or (t + 1,)
        r_min of the LRU's ring (in [0, 1)) → the norms of each draw for the same lags.
    median : mapping of float to array_like, optional
        r_min → a middle unit's abs(λ_i)^ℓ on that ring, drawn dashed; its keys must be
        keys of ``rings``.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``rings`` is empty or has more entries than :data:`RING_COLOURS`, ``curves`` has
        more than the other colours of :data:`PALETTE`, a key of ``curves`` is not a label,
        an r_min is not in [0, 1), ``median`` names an r_min that ``rings`` lacks, or a
        curve is not finite and > 0 or its length differs or is < 2.
    """
    curve_colours = [c for c in PALETTE if c not in RING_COLOURS]
    if not 0 < len(rings) <= len(RING_COLOURS) or len(curves) > len(curve_colours):
        raise ValueError(
            f"rings must hold 1 to {len(RING_COLOURS)} LRUs and curves at most "
            f"{len(curve_colours)} networks (one colour each), got {len(rings)} and "
            f"{len(curves)}"
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
    draws = {r: _ring_draws(r, v) for r, v in rings.items()}
    dashed = positive_curves("median", {str(r): v for r, v in (median or {}).items()})
    lags = np.arange(
        common_length(
            "curves", [*named.values(), *(d[0] for d in draws.values()), *dashed.values()], "t + 1"
        )
    )
    fig, ax = single_axes(6.4, 4.0)
    for (key, values), colour in zip(named.items(), curve_colours, strict=False):
        ax.semilogy(lags, values, linewidth=2, color=colour, label=label(key, lang))
    styles = enumerate(zip(RING_COLOURS, RING_MARKERS, strict=True))
    for (r_min, norms), (i, (colour, marker)) in zip(draws.items(), styles, strict=False):
        number = in_math(format_number(r_min, lang, digits=1))
        ring_label = label("lru ring", lang).format(r_min=number)
        median_line = np.median(norms, axis=0)
        ax.semilogy(
            lags,
            median_line,
            linewidth=2,
            color=colour,
            label=ring_label,
            marker=marker,
            markevery=(2 + 3 * i, 10),  # staggered, so that no marker hides another
            markersize=5,
        )
        if len(norms) > 1:
            low, high = np.quantile(norms, [0.05, 0.95], axis=0)
            ax.fill_between(lags, low, high, color=colour, alpha=0.15, linewidth=0)
        if str(r_min) in dashed:
            ax.semilogy(lags, dashed[str(r_min)], linewidth=1.5, linestyle="--", color=colour)
    ax.set_xlabel(label("lag", lang))
    ax.set_ylabel(label("lru jacobian norm", lang))
    counts = sorted({len(norms) for norms in draws.values()})
    notes = [label("ring band", lang).format(draws=counts[-1])] if counts[-1] > 1 else []
    notes += [label("median unit", lang)] if dashed else []
    ax.legend(loc="lower left", fontsize=9, title="\n".join(notes) or None, title_fontsize=9)
    return fig


def _ring_draws(r_min: float, values: ArrayLike) -> NDArray[np.floating[Any]]:
    """The norms of one ring as a (draws, t + 1) array, finite and > 0."""
    norms = np.atleast_2d(as_float_array(f"rings[{r_min!r}]", values))
    check_shape(f"rings[{r_min!r}]", norms, ("draws", "t + 1"))
    if np.any(norms <= 0):
        raise ValueError(f"rings[{r_min!r}] must be > 0 (a logarithmic scale)")
    return norms
