"""Every figure of the chapter, one function each, in either language.

Each function returns a :class:`matplotlib.figure.Figure` built without pyplot, so a
notebook shows it only where the chapter places it (with ``glue``), and no global
matplotlib state is touched: the house style is applied through a context, once, here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import numpy as np
from cycler import cycler
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from ._validate import as_float_array, check_real
from .activations import get_activation
from .i18n import check_language, label

#: Okabe & Ito's palette, distinguishable with every common colour-vision deficiency.
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


@contextmanager
def house_style() -> Iterator[None]:
    """Apply the chapter's plotting style for the duration of a ``with`` block."""
    with mpl.rc_context(STYLE):
        yield


def activation_and_derivative(
    activation: str = "sigmoid", *, lang: str = "en", z_max: float = 6.0
) -> Figure:
    """Plot f and f′ of an activation on [−z_max, z_max], with γ = sup :math:`|f'|` marked.

    This is the lecture's figure "Sigmoid and derivative": the derivative of the sigmoid
    never exceeds 1/4, so each step of backpropagation through time scales the error by
    at most a quarter of :math:`|w|`.

    Parameters
    ----------
    activation : str
        ``"sigmoid"``, ``"tanh"``, ``"relu"`` or ``"identity"``.
    lang : str
        ``"en"`` or ``"ru"``: the language of the labels.
    z_max : float
        Half-width of the plotted interval, > 0.

    Returns
    -------
    matplotlib.figure.Figure
    """
    act = get_activation(activation)
    check_language(lang)
    z_max = check_real("z_max", z_max, positive=True)
    z = np.linspace(-z_max, z_max, 601)
    with house_style():
        fig = Figure(figsize=(6.0, 3.4))
        ax = fig.add_subplot()
        ax.plot(z, act(z), label=label("f", lang), linewidth=2)
        ax.plot(z, act.derivative(z), label=label("df", lang), linewidth=2, linestyle="--")
        ax.axhline(
            act.gamma,
            color=PALETTE[2],
            linewidth=1,
            linestyle=":",
            label=label("gamma", lang).format(gamma=act.gamma),
        )
        ax.set_xlabel(label("z", lang))
        ax.set_title(label(act.name, lang))
        ax.legend(loc="upper left")
        fig.tight_layout()
    return fig


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
    check_language(lang)
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
    with house_style():
        fig = Figure(figsize=(7.0, 3.6))
        ax = fig.add_subplot()
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
        fig.tight_layout()
    return fig
