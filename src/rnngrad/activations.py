"""Activation functions f, their derivatives f′ and the bound γ = sup :math:`|f'|`.

The factor ∂s_j/∂s_{j−1} = diag(f′(z_j)) W of backpropagation through time carries one
f′ per step, so everything the chapter says about vanishing gradients starts from two
numbers per activation: how large f′ can be (γ) and how fast it falls off (saturation).

Each function is numerically stable: evaluating at :math:`|z| = 10^4` raises no overflow warning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from ._kernels import tanh_into
from ._types import FloatArray
from ._validate import as_float_array, check_choice

# Each activation is defined once, by two in-place kernels: f applied to an array of
# pre-activations, and ds ⊙ f′(z) computed from s = f(z) into ``out``. The inner loops of
# backpropagation through time call them T times per sequence, so they allocate nothing.


def _tanh_(a: FloatArray) -> None:
    # np.tanh, or for large float64 arrays the exp form 2σ(2z) − 1, which agrees with it to
    # 4e−16 absolute (tested) at one exp per entry instead of two.
    tanh_into(a, a)


def _sigmoid_(a: FloatArray) -> None:
    # 1/(1 + e^{−z}): no cancellation for very negative z, where σ is tiny; e^{−z} = inf for
    # z < −709 gives the right limit 0.
    np.negative(a, out=a)
    np.exp(a, out=a)
    a += 1.0
    np.divide(1.0, a, out=a)


def _relu_(a: FloatArray) -> None:
    np.maximum(a, 0, out=a)


def _identity_(a: FloatArray) -> None:
    pass


def _times_tanh_prime(s: FloatArray, ds: FloatArray, out: FloatArray) -> None:
    np.multiply(s, s, out=out)
    np.subtract(1.0, out, out=out)
    out *= ds


def _times_sigmoid_prime(s: FloatArray, ds: FloatArray, out: FloatArray) -> None:
    np.subtract(1.0, s, out=out)
    out *= s
    out *= ds


def _times_relu_prime(s: FloatArray, ds: FloatArray, out: FloatArray) -> None:
    # f′(0) is taken as 0, the subgradient torch uses too.
    np.multiply(ds, s > 0, out=out)


def _times_identity_prime(s: FloatArray, ds: FloatArray, out: FloatArray) -> None:
    np.copyto(out, ds)


@dataclass(frozen=True)
class Activation:
    """An elementwise nonlinearity f of a recurrent layer s_t = f(z_t).

    Attributes
    ----------
    name : str
        The name used across the library: ``"sigmoid"``, ``"tanh"``, ``"relu"``,
        ``"identity"``.
    gamma : float
        γ = :math:`\\sup_z |f'(z)|`, the constant of the Pascanu et al. (2013) bound.
    """

    name: str
    gamma: float
    _apply: Callable[[FloatArray], None] = field(repr=False)
    _times_derivative: Callable[[FloatArray, FloatArray, FloatArray], None] = field(repr=False)

    def __call__(self, z: ArrayLike) -> FloatArray:
        """Return f(z) elementwise."""
        s = as_float_array("z", z).copy()
        self.apply_in_place(s)
        return s

    def derivative(self, z: ArrayLike) -> FloatArray:
        """Return f′(z) elementwise."""
        return self.derivative_from_output(self(z))

    def derivative_from_output(self, s: ArrayLike) -> FloatArray:
        """Return f′(z) computed from s = f(z), as backpropagation through time uses it.

        Every activation here has a derivative that is a function of its own output,
        so the forward pass need not keep the pre-activations z.
        """
        s = as_float_array("s", s)
        out = np.empty_like(s)
        self._times_derivative(s, np.ones_like(s), out)
        return out

    def apply_in_place(self, a: FloatArray) -> None:
        """Overwrite the float array ``a`` of pre-activations z with f(z); no checks.

        The kernel of the forward pass; saturation raises no overflow warning.
        """
        # e^{±z} overflows to inf or underflows to 0 in saturation: both give the right limit.
        with np.errstate(over="ignore", under="ignore"):
            self._apply(a)

    def multiply_by_derivative(self, s: FloatArray, ds: FloatArray, out: FloatArray) -> None:
        """Write ds ⊙ f′(z) into ``out``, with f′ computed from s = f(z); no checks.

        The kernel of backpropagation: the row vector ∂E/∂s_t becomes ∂E/∂z_t.
        """
        self._times_derivative(s, ds, out)


#: The four activations of the chapter, by name.
ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", 0.25, _sigmoid_, _times_sigmoid_prime),
    "tanh": Activation("tanh", 1.0, _tanh_, _times_tanh_prime),
    "relu": Activation("relu", 1.0, _relu_, _times_relu_prime),
    "identity": Activation("identity", 1.0, _identity_, _times_identity_prime),
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
