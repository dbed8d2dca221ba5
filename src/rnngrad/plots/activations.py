"""The activation functions: f, f′ and the bound γ = sup |f′|, one panel each."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .._validate import check_real
from ..activations import Activation, get_activation
from ..i18n import label
from .style import PALETTE, figure_function, in_math, plain_number


@figure_function()
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
    return _activation_panels((activation,), z_max, lang)


@figure_function()
def activations_side_by_side(
    activations: Sequence[str] = ("sigmoid", "tanh"), *, lang: str = "en", z_max: float = 6.0
) -> Figure:
    """Plot f and f′ of several activations in panels side by side, γ marked in each.

    Parameters
    ----------
    activations : sequence of str
        One panel per name, at least one.
    lang : str
        ``"en"`` or ``"ru"``.
    z_max : float
        Half-width of the plotted interval, > 0.

    Returns
    -------
    matplotlib.figure.Figure
    """
    return _activation_panels(activations, z_max, lang)


def _activation_panels(names: Sequence[str], z_max: float, lang: str) -> Figure:
    """One panel of f, f′ and γ per activation, side by side."""
    acts = [get_activation(name) for name in names]
    if not acts:
        raise ValueError("activations must name at least one activation, got none")
    z_max = check_real("z_max", z_max, positive=True)
    fig = Figure(figsize=(max(6.0, 3.6 * len(acts)), 3.4))
    for i, act in enumerate(acts, 1):
        _draw_activation(fig.add_subplot(1, len(acts), i), act, z_max, lang)
    return fig


def _draw_activation(ax: Axes, act: Activation, z_max: float, lang: str) -> None:
    z = np.linspace(-z_max, z_max, 601)
    ax.plot(z, act(z), label=label("f", lang), linewidth=2)
    ax.plot(z, act.derivative(z), label=label("df", lang), linewidth=2, linestyle="--")
    ax.axhline(
        act.gamma,
        color=PALETTE[2],
        linewidth=1,
        linestyle=":",
        label=label("gamma", lang).format(gamma=in_math(plain_number(act.gamma, lang))),
    )
    ax.set_xlabel(label("z", lang))
    ax.set_title(label(act.name, lang))
    ax.legend(loc="upper left")
