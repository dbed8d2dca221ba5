"""The sweep over σ_max(W): how the norm of ∂s_T/∂s_{T−ℓ} changes as W = g Q is scaled.

The experiment behind the evidence page's figure of norms against the lag: one network,
one input sequence, one orthogonal Q, and only the gain g of the recurrent matrix moves,
so every row can be held against the Pascanu et al. bound (γ g)^ℓ and against the
mean-field rate of :mod:`rnngrad.meanfield`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ._types import FloatArray
from ._validate import RngLike, as_float_array, as_generator, check_int
from .activations import get_activation
from .rnn import RNN
from .spectral import orthogonal


@dataclass(frozen=True)
class SpectralSweep:
    """‖∂s_T/∂s_{T−ℓ}‖_2 over the lag for recurrent matrices W = g Q, one row per gain g.

    Attributes
    ----------
    activation : str
        f of the network.
    scales : ndarray, shape (m,)
        The gains g = σ_max(W) (all singular values of g Q equal g).
    norms : ndarray, shape (m, T + 1)
        ``norms[i, lag]`` for ``scales[i]``.
    bounds : ndarray, shape (m, T + 1)
        The Pascanu et al. bound (γ g)^lag for the same rows.
    derivatives : ndarray, shape (m, T, n_h)
        f′(z_t) for t = 1 … T and every unit: what the mean-field rate is estimated from.
    """

    activation: str
    scales: FloatArray
    norms: FloatArray
    bounds: FloatArray
    derivatives: FloatArray

    @property
    def mean_derivative(self) -> FloatArray:
        """The mean of f′(z_t) over the steps and units, one per gain: how far from saturation."""
        means: FloatArray = self.derivatives.mean(axis=(1, 2))
        return means


def sweep_spectral_norm(
    scales: ArrayLike,
    *,
    activation: str = "tanh",
    n_h: int = 32,
    T: int = 60,
    rng: RngLike = None,
) -> SpectralSweep:
    """Measure ‖∂s_T/∂s_{T−ℓ}‖_2 for W = g Q at several gains g, all else held fixed.

    One orthogonal Q, one input matrix U (i.i.d. N(0, 1/n_h)) and one sequence of inputs
    x_t ~ N(0, I) are drawn from ``rng`` and shared by every g, so the rows differ only in
    the scale of W.  Since every singular value of g Q is g, the bound of
    :func:`~rnngrad.spectral.pascanu_bound` is (γ g)^lag exactly as the chapter writes it.

    Parameters
    ----------
    scales : array_like, shape (m,)
        The gains g, each > 0.
    activation : str
        f of the network.
    n_h : int
        State (and input) size, ≥ 1.
    T : int
        Length of the sequence, ≥ 1.
    rng : numpy.random.Generator, int or None
        Random source or seed (None: seed 0).

    Returns
    -------
    SpectralSweep

    Raises
    ------
    ValueError, TypeError
        If a scale is not > 0, a size is not an integer ≥ 1 or the activation is unknown.
    """
    gains = as_float_array("scales", scales, shape=("m",)).astype(np.float64)
    if gains.size == 0 or np.any(gains <= 0):
        raise ValueError(f"scales must be a non-empty list of numbers > 0, got {gains}")
    n_h = check_int("n_h", n_h, minimum=1)
    T = check_int("T", T, minimum=1)
    f = get_activation(activation)
    gen = as_generator(rng)
    Q = orthogonal(n_h, rng=gen)
    U = gen.standard_normal((n_h, n_h)) / np.sqrt(n_h)
    x = gen.standard_normal((T, n_h))
    norms, derivatives = [], []
    for gain in gains:
        model = RNN(U, gain * Q, np.zeros(n_h), f.name)
        norms.append(model.jacobian_norms_by_lag(x, T))
        derivatives.append(f.derivative_from_output(model.states(x)[1:]))
    lags = np.arange(T + 1)
    bounds = (f.gamma * gains[:, None]) ** lags
    return SpectralSweep(f.name, gains, np.array(norms), bounds, np.array(derivatives))
