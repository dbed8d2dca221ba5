"""One recurrent unit: where |w f′| ≥ 1, the cliff of x_T over b, and clipping on it."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from .._validate import as_float_array, check_real
from ..i18n import format_number, label
from ..scalar import Descent
from .style import PALETTE, figure_function, single_axes


@figure_function()
def amplifying_widths(
    weights: ArrayLike, widths: Mapping[str, ArrayLike], *, lang: str = "en"
) -> Figure:
    """Width of the inputs for which :math:`|w f'| \\geq 1`, against :math:`|w|`, per activation.

    Parameters
    ----------
    weights : array_like, shape (m,)
        The values of :math:`|w|` on the horizontal axis.
    widths : mapping of str to array_like, shape (m,)
        Activation name → widths, as :func:`rnngrad.scalar.amplifying_width` returns them.
        The widest point of each curve is marked.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    w = as_float_array("weights", weights, shape=("m",))
    curves = {
        name: as_float_array(f"widths[{name!r}]", v, shape=w.shape) for name, v in widths.items()
    }
    fig, ax = single_axes(6.0, 3.4)
    for i, (name, width) in enumerate(curves.items()):
        ax.plot(w, width, linewidth=2, color=PALETTE[i], label=label(name, lang))
        best = int(np.argmax(width))
        ax.plot(w[best], width[best], "o", color=PALETTE[i])
    ax.set_xlabel(label("|w|", lang))
    ax.set_ylabel(label("width", lang))
    ax.legend(loc="upper right")
    return fig


@figure_function()
def cliff(biases: ArrayLike, finals: Mapping[float, ArrayLike], *, lang: str = "en") -> Figure:
    """x_T against b for the one-unit network, one curve per self-weight w.

    Parameters
    ----------
    biases : array_like, shape (m,)
        The values of b.
    finals : mapping of float to array_like, shape (m,)
        w → x_T(b), e.g. from :func:`rnngrad.scalar.unit_states`.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    b = as_float_array("biases", biases, shape=("m",))
    fig, ax = single_axes(6.0, 3.6)
    for i, (w, values) in enumerate(finals.items()):
        x = as_float_array(f"finals[{w!r}]", values, shape=b.shape)
        text = f"$w = {format_number(check_real('w', w), lang, digits=0)}$"
        ax.plot(b, x, linewidth=2, color=PALETTE[i % len(PALETTE)], label=text)
    ax.set_xlabel("$b$")
    ax.set_ylabel("$x_T$")
    ax.legend(loc="upper left")
    return fig


@figure_function()
def clipping_descent(plain: Descent, clipped: Descent, *, lang: str = "en") -> Figure:
    """Loss against iteration for gradient descent without and with norm clipping.

    Parameters
    ----------
    plain, clipped : Descent
        From :func:`rnngrad.scalar.descend_bias`.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = single_axes(6.0, 3.4)
    for i, (key, run) in enumerate((("no clipping", plain), ("clipping", clipped))):
        if not isinstance(run, Descent):
            raise TypeError(f"{key} must be a Descent, got {type(run).__name__}")
        steps = np.arange(run.losses.shape[0])
        ax.semilogy(steps, run.losses, linewidth=2, color=PALETTE[i], label=label(key, lang))
    ax.set_xlabel(label("iteration", lang))
    ax.set_ylabel(label("loss", lang))
    ax.legend(loc="upper right")
    return fig
