"""One recurrent unit: where |w f′| ≥ 1, the cliff of x_T over b, and clipping on it."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from .._validate import as_float_array, check_choice, check_real
from ..activations import get_activation
from ..i18n import format_number, label
from ..scalar import SATURATING, STATE_SPAN, Descent
from .style import PALETTE, figure_function, single_axes


@figure_function()
def amplifying_widths(
    weights: ArrayLike, widths: Mapping[str, ArrayLike], *, lang: str = "en"
) -> Figure:
    """Width of the inputs for which :math:`|w f'| \\geq 1`, in two units, per activation.

    Left: the width against :math:`|w|`.  Right: the same curves in the activation's own
    units, the width divided by the length of the interval its states lie in against
    :math:`\\gamma |w|`.  The tanh network is conjugate to a sigmoid network with four times
    the weight (tanh(a) = 2σ(2a) − 1), so in these units the curves coincide: the right panel
    shows that γ = ¼ is a matter of units.

    Parameters
    ----------
    weights : array_like, shape (m,)
        The values of :math:`|w|` on the horizontal axis.
    widths : mapping of str to array_like, shape (m,)
        Activation name (``"sigmoid"`` or ``"tanh"``) → widths, as
        :func:`rnngrad.scalar.amplifying_width` returns them.  The widest point of each curve
        is marked.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If a name is not a saturating activation or a curve does not fit ``weights``.
    """
    w = as_float_array("weights", weights, shape=("m",))
    curves = {
        check_choice("a key of widths", name, SATURATING): as_float_array(
            f"widths[{name!r}]", v, shape=w.shape
        )
        for name, v in widths.items()
    }
    fig = Figure(figsize=(9.0, 3.4))
    absolute, relative = fig.subplots(1, 2)
    for i, (name, width) in enumerate(curves.items()):
        gamma, span = get_activation(name).gamma, STATE_SPAN[name]
        # Dashed over solid, so that coinciding curves stay visible as two.
        style = {"color": PALETTE[i], "linestyle": ("-", "--")[i % 2], "linewidth": 2}
        best = int(np.argmax(width))
        for ax, x, y in ((absolute, w, width), (relative, gamma * w, width / span)):
            ax.plot(x, y, label=label(name, lang), **style)
            ax.plot(x[best], y[best], "o", color=PALETTE[i])
    absolute.set_xlabel(label("|w|", lang))
    absolute.set_ylabel(label("width", lang))
    # Up to where every curve has data, so that the panel compares like with like.
    relative.set_xlim(0.0, min(get_activation(name).gamma for name in curves) * w.max())
    relative.set_xlabel(label("gamma |w|", lang))
    relative.set_ylabel(label("relative width", lang))
    absolute.legend(loc="upper right")
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
