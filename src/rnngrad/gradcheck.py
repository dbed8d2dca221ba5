"""Checking analytic gradients against finite differences.

The central difference (E(θ + h e_i) − E(θ − h e_i)) / 2h has truncation error O(h²) and
rounding error O(ε/h) (ε the machine epsilon); the sum is smallest near h ≈ ε^{1/3}, about
6e−6 in float64.  Here h_i = ε^{1/3} · max(1, :math:`|\\theta_i|`), so that large entries
are perturbed by the same relative amount.  The check is done in float64 whatever the
dtype of θ: in float32 the best achievable relative error is only about ε_32^{2/3} ≈ 2e−5.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validate import as_float_array, check_real

FloatArray = NDArray[np.floating[Any]]

#: The default relative step ε^{1/3} of float64.
DEFAULT_STEP = float(np.finfo(np.float64).eps ** (1 / 3))


def numerical_gradient(
    f: Callable[[FloatArray], Any], x: ArrayLike, *, h: float = DEFAULT_STEP
) -> FloatArray:
    """Return the central-difference gradient of a scalar function ``f`` at ``x``.

    Parameters
    ----------
    f : callable
        Takes an array shaped like ``x`` (float64) and returns a real scalar, e.g.
        ``lambda W: dataclasses.replace(model, W=W).loss(x, y)``.
    x : array_like
        The point θ; not modified.
    h : float
        Relative step, > 0: entry i moves by ±h · max(1, :math:`|\\theta_i|`).

    Returns
    -------
    ndarray of float64, shape of ``x``
        ∂f/∂θ_i for every entry i; 2·size(x) calls of ``f``.

    Raises
    ------
    TypeError
        If ``f`` is not callable or returns something other than a real scalar.
    ValueError
        If ``x`` or a value of ``f`` is not finite, or ``h`` is not > 0.
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    theta = as_float_array("x", x).astype(np.float64)  # a private copy to perturb
    step = check_real("h", h, positive=True)
    grad = np.empty_like(theta)
    flat, out = theta.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        delta = step * max(1.0, abs(original))
        flat[i] = original + delta
        above = _scalar(f(theta))
        flat[i] = original - delta
        below = _scalar(f(theta))
        flat[i] = original
        out[i] = (above - below) / (2.0 * delta)
    return grad


def _scalar(value: object) -> float:
    arr = np.asarray(value)
    if arr.ndim != 0 or arr.dtype.kind not in "biuf":
        raise TypeError(f"f must return a real scalar, got {type(value).__name__} {arr.shape}")
    return check_real("f(x)", arr.item())


def relative_error(a: ArrayLike, b: ArrayLike, *, atol: float = 1e-8) -> float:
    """Return the norm-wise relative error ‖a − b‖ / max(‖a‖ + ‖b‖, atol).

    Symmetric in a and b, between 0 and 1 (when ‖a‖ + ‖b‖ ≥ atol), and well behaved near
    zero: two gradients that are both below ``atol`` in norm (say 1e−13 and 3e−14, i.e.
    zero up to rounding) compare as close instead of 100 % apart.  Norms are Frobenius
    norms over all entries; the rule of thumb for a float64 check is < 1e−6.

    Parameters
    ----------
    a, b : array_like
        Arrays of the same shape (e.g. analytic and numerical gradient).
    atol : float
        Floor of the denominator, > 0.

    Returns
    -------
    float

    Raises
    ------
    ValueError, TypeError
        If the shapes differ, an array is not finite and real, or ``atol`` is not > 0.
    """
    first = as_float_array("a", a).astype(np.float64)
    second = as_float_array("b", b, shape=first.shape).astype(np.float64)
    floor = check_real("atol", atol, positive=True)
    diff = float(np.linalg.norm((first - second).ravel()))
    scale = float(np.linalg.norm(first.ravel()) + np.linalg.norm(second.ravel()))
    return diff / max(scale, floor)
