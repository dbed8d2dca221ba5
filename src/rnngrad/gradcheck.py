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
from numpy.typing import ArrayLike

from ._types import FloatArray
from ._validate import as_float_array, check_real

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
    return _central_differences(f, x, h, _scalar)


def numerical_jacobian(
    f: Callable[[FloatArray], ArrayLike], x: ArrayLike, *, h: float = DEFAULT_STEP
) -> FloatArray:
    """Return the central-difference Jacobian of an array-valued function ``f`` at ``x``.

    For example ∂s_k/∂W, the *total* derivative of a state with respect to the recurrent
    weights: ``numerical_jacobian(lambda W: dataclasses.replace(model, W=W).states(x)[k],
    model.W)``.

    Parameters
    ----------
    f : callable
        Takes an array shaped like ``x`` (float64) and returns a finite real array of a
        fixed shape.
    x : array_like
        The point θ; not modified.
    h : float
        Relative step, > 0, as for :func:`numerical_gradient`.

    Returns
    -------
    ndarray of float64, shape ``f(x).shape + x.shape``
        Entry ``[i..., j...]`` is ∂f_i/∂θ_j; 2·size(x) calls of ``f``.

    Raises
    ------
    TypeError
        If ``f`` is not callable or returns something other than a real array.
    ValueError
        If ``x`` or a value of ``f`` is not finite, the shape of ``f``'s value changes,
        or ``h`` is not > 0.
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    theta = as_float_array("x", x)
    shape = _array(f(theta.astype(np.float64))).shape

    def checked(value: object) -> FloatArray:
        return as_float_array("f(x)", _array(value), shape=shape)

    columns = _central_differences(f, theta, h, checked)
    # The differences come stacked by entry of x first; a Jacobian lists f's entries first.
    return np.moveaxis(columns, tuple(range(theta.ndim)), tuple(range(-theta.ndim, 0)))


def _central_differences(
    f: Callable[[FloatArray], Any],
    x: ArrayLike,
    h: float,
    evaluate: Callable[[Any], Any],
) -> FloatArray:
    """(f(θ + δ_i e_i) − f(θ − δ_i e_i)) / 2δ_i for every entry i, stacked in x's shape.

    ``evaluate`` checks and converts each value of f (a scalar or an array); the result
    has shape ``x.shape + value.shape``.
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    theta = as_float_array("x", x).astype(np.float64)  # a private copy to perturb
    step = check_real("h", h, positive=True)
    flat = theta.reshape(-1)
    slopes = []
    for i in range(flat.size):
        original = flat[i]
        delta = step * max(1.0, abs(original))
        flat[i] = original + delta
        above = np.asarray(evaluate(f(theta)), dtype=np.float64)
        flat[i] = original - delta
        below = np.asarray(evaluate(f(theta)), dtype=np.float64)
        flat[i] = original
        slopes.append((above - below) / (2.0 * delta))
    return np.asarray(slopes, dtype=np.float64).reshape(theta.shape + np.shape(slopes[0]))


def _array(value: object) -> FloatArray:
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"f must return a real array, got {type(value).__name__} {arr.dtype}")
    return arr


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
