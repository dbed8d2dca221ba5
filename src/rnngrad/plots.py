"""Every figure of the chapter, one function each, in either language.

Each function returns a :class:`matplotlib.figure.Figure` built without pyplot, so a
notebook shows it only where the chapter places it (with ``glue``), and no global
matplotlib state is touched: the house style is applied through a context, once, here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import numpy as np
from cycler import cycler
from matplotlib.figure import Figure

from ._validate import check_real
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
