"""Activation functions f, their derivatives f′ and the bound γ = sup |f′|.

The factor ∂s_j/∂s_{j−1} = diag(f′(z_j)) W of backpropagation through time carries one
f′ per step, so everything the chapter says about vanishing gradients starts from two
numbers per activation: how large f′ can be (γ) and how fast it falls off (saturation).

Each function is numerically stable: evaluating at |z| = 1e4 raises no overflow warning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validate import as_float_array, check_choice

FloatArray = NDArray[np.floating[Any]]


def _sigmoid(z: FloatArray) -> FloatArray:
    # 1/(1+e^{-z}) overflows e^{-z} for z < -709; the tanh form never does.
    out: FloatArray = 0.5 * (1.0 + np.tanh(0.5 * z))
    return out


def _sigmoid_from_output(s: FloatArray) -> FloatArray:
    return s * (1.0 - s)


def _tanh_from_output(s: FloatArray) -> FloatArray:
    return 1.0 - s * s


def _relu(z: FloatArray) -> FloatArray:
    return np.maximum(z, 0.0)


def _relu_from_output(s: FloatArray) -> FloatArray:
    # f'(0) is taken as 0, the subgradient torch uses too.
    return (s > 0).astype(s.dtype)


def _identity(z: FloatArray) -> FloatArray:
    return z.copy()


def _ones_like(s: FloatArray) -> FloatArray:
    return np.ones_like(s)


@dataclass(frozen=True)
class Activation:
    """An elementwise nonlinearity f of a recurrent layer s_t = f(z_t).

    Attributes
    ----------
    name : str
        The name used across the library: ``"sigmoid"``, ``"tanh"``, ``"relu"``,
        ``"identity"``.
    gamma : float
        γ = sup_z |f′(z)|, the constant of the Pascanu et al. (2013) bound.
    """

    name: str
    gamma: float
    _f: Callable[[FloatArray], FloatArray]
    _df_from_output: Callable[[FloatArray], FloatArray]

    def __call__(self, z: ArrayLike) -> FloatArray:
        """Return f(z) elementwise."""
        return self._f(as_float_array("z", z))

    def derivative(self, z: ArrayLike) -> FloatArray:
        """Return f′(z) elementwise."""
        return self._df_from_output(self._f(as_float_array("z", z)))

    def derivative_from_output(self, s: ArrayLike) -> FloatArray:
        """Return f′(z) computed from s = f(z), as backpropagation through time uses it.

        Every activation here has a derivative that is a function of its own output,
        so the forward pass need not keep the pre-activations z.
        """
        return self._df_from_output(as_float_array("s", s))


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", 0.25, _sigmoid, _sigmoid_from_output),
    "tanh": Activation("tanh", 1.0, np.tanh, _tanh_from_output),
    "relu": Activation("relu", 1.0, _relu, _relu_from_output),
    "identity": Activation("identity", 1.0, _identity, _ones_like),
}


def get_activation(name: str | Activation) -> Activation:
    """Return the :class:`Activation` called ``name`` (an Activation passes through).

    Raises
    ------
    ValueError
        If ``name`` is not one of ``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"identity"``.
    """
    if isinstance(name, Activation):
        return name
    return ACTIVATIONS[check_choice("activation", name, ACTIVATIONS)]
