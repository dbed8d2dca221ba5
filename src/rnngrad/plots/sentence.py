"""The lecture's sentence: the terms of ∂E_t/∂θ, one group of bars per word."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from .._validate import as_float_array
from ..i18n import label
from .style import PALETTE, figure_function, single_axes


@figure_function()
def bptt_term_norms(
    norms: Mapping[str, ArrayLike], words: Sequence[str], *, lang: str = "en"
) -> Figure:
    """Bar chart of the norms of the terms k = 1 … t of ∂E_t/∂θ, one group per word.

    The lecture's slide made visible: how much of the gradient of the error at word t
    comes from the use of the weights at each earlier word k. The scale is logarithmic;
    a term that is exactly zero has no bar and is marked "0".

    Parameters
    ----------
    norms : mapping of str to array_like, shape (t + 1,)
        Per parameter name (``"U"``, ``"W"``, ``"b"``), the norms of terms k = 0 … t, as
        :meth:`rnngrad.bptt.BPTTTerms.norms` returns them; k = 0 is not drawn.
    words : sequence of str
        At least t labels; ``words[k - 1]`` labels word k.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not norms:
        raise ValueError("norms must name at least one parameter, got an empty mapping")
    arrays = {
        name: as_float_array(f"norms[{name!r}]", v, shape=("t + 1",)) for name, v in norms.items()
    }
    lengths = {a.shape[0] for a in arrays.values()}
    if len(lengths) != 1 or min(lengths) < 2:
        raise ValueError(f"norms must all have the same length t + 1 >= 2, got {sorted(lengths)}")
    t = lengths.pop() - 1
    if len(words) < t:
        raise ValueError(f"words must hold at least t = {t} labels, got {len(words)}")
    k = np.arange(1, t + 1)
    width = 0.8 / len(arrays)
    fig, ax = single_axes(7.0, 3.6)
    ax.set_yscale("log")
    positive = np.concatenate([a[1:][a[1:] > 0] for a in arrays.values()])
    floor = positive.min() / 3 if positive.size else 1e-3
    for i, (name, values) in enumerate(arrays.items()):
        offset = (i - (len(arrays) - 1) / 2) * width
        shown = values[1:]
        ax.bar(
            k + offset,
            np.where(shown > 0, shown, np.nan),
            width,
            label=rf"$\partial E_{{{t}}}/\partial {name}$",
            color=PALETTE[i],
        )
        for position in (k + offset)[shown == 0]:
            ax.text(position, floor, label("zero", lang), ha="center", va="bottom")
    ax.set_ylim(bottom=floor)
    ax.set_xticks(k, [str(w) for w in words[:t]], fontsize=8)
    ax.set_xlabel(label("word", lang))
    ax.set_ylabel(label("term norm", lang))
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper left")
    return fig
