"""The state-to-state Jacobians ∂s_j/∂s_{j−1} and their products ∂s_t/∂s_k.

Convention (numerator layout): ∂s_j/∂s_{j−1} is the n_h × n_h matrix whose entry (i, q) is
∂s_j[i]/∂s_{j−1}[q].  From s_j = f(U x_j + W s_{j−1} + b),

    ∂s_j/∂s_{j−1} = diag(f′(z_j)) · W,

first W (how z_j moves with s_{j−1}), then f′ row by row (how s_j moves with z_j).  The
slides write this factor as "W ∂f/∂(W s_{j−1})", which is the same matrix read loosely:
∂f/∂(W s_{j−1}) = diag(f′(z_j)) is diagonal, and the order only matters because W is not.
Products follow the chain rule left to right in time, newest first:

    ∂s_t/∂s_k = Π_{j=k+1}^{t} ∂s_j/∂s_{j−1} = J_t J_{t−1} ⋯ J_{k+1},   ∂s_t/∂s_t = I.

Backpropagation multiplies a *row* vector from the left by these matrices,
∂E/∂s_{j−1} = ∂E/∂s_j · diag(f′(z_j)) W; in column form that is Wᵀ diag(f′(z_j)) times the
column gradient.  Every function here returns the numerator-layout matrices J_j themselves.

Index convention as in :mod:`rnngrad.rnn`: s_0 is the initial state, x_1 … x_T the inputs,
and ``jacobians[j - 1]`` is J_j = ∂s_j/∂s_{j−1} for j = 1 … T.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._types import FloatArray
from ._validate import as_float_array, check_int, check_shape
from .activations import Activation, get_activation
from .spectral import square_matrix


def state_jacobian(
    W: ArrayLike, s_j: ArrayLike, activation: str | Activation = "tanh"
) -> FloatArray:
    """Return J_j = ∂s_j/∂s_{j−1} = diag(f′(z_j)) W, with f′(z_j) computed from s_j = f(z_j).

    Parameters
    ----------
    W : array_like, shape (n_h, n_h)
        The recurrent matrix.
    s_j : array_like, shape (n_h,)
        The state s_j (not s_{j−1}): every activation's f′ is a function of its output.
    activation : str or Activation
        f.

    Returns
    -------
    ndarray, shape (n_h, n_h)
        Entry (i, q) is ∂s_j[i]/∂s_{j−1}[q].

    Raises
    ------
    ValueError, TypeError
        If W is not square, s_j does not have n_h entries, either is not finite and real,
        or the activation is unknown.
    """
    w = square_matrix("W", W)
    s = as_float_array("s_j", s_j, shape=(w.shape[0],))
    return get_activation(activation).derivative_from_output(s)[:, None] * w


def jacobian_product(jacobians: ArrayLike, t: int, k: int) -> FloatArray:
    """Return ∂s_t/∂s_k = J_t J_{t−1} ⋯ J_{k+1} (the identity when k = t).

    Parameters
    ----------
    jacobians : array_like, shape (T, n_h, n_h)
        J_1 … J_T, e.g. from a layer's ``state_jacobians``.
    t, k : int
        Times with 0 ≤ k ≤ t ≤ T.

    Returns
    -------
    ndarray, shape (n_h, n_h)

    Raises
    ------
    ValueError, TypeError
        If ``jacobians`` is not a stack of square matrices or k, t are out of range.
    """
    J = _as_jacobians(jacobians)
    t, k = _check_times(t, k, J.shape[0])
    product = np.eye(J.shape[1], dtype=J.dtype)
    for j in range(t, k, -1):  # newest first: right-multiplying appends the older J_j
        product = product @ J[j - 1]
    return product


def jacobian_norm_table(jacobians: ArrayLike) -> FloatArray:
    """Return the table of spectral norms ‖∂s_t/∂s_k‖_2 for all 0 ≤ k ≤ t ≤ T.

    Entry [t, k] is ‖J_t ⋯ J_{k+1}‖_2 (1 on the diagonal); entries with k > t are NaN so that
    ``matplotlib.pyplot.imshow`` leaves them blank.

    Row t is built backwards, ∂s_t/∂s_{k} = ∂s_t/∂s_{k+1} · J_{k+1}, so only the products of
    one row are held at a time: memory O(T n_h²) rather than the O(T² n_h²) of all products;
    time O(T² n_h³) (T²/2 matrix products and as many SVDs, which dominate): 3–5 s for T = 200,
    n_h = 64.

    Parameters
    ----------
    jacobians : array_like, shape (T, n_h, n_h)
        J_1 … J_T.

    Returns
    -------
    ndarray, shape (T + 1, T + 1)

    Raises
    ------
    ValueError, TypeError
        If ``jacobians`` is not a finite real stack of square matrices.
    """
    J = _as_jacobians(jacobians)
    T = J.shape[0]
    table = np.full((T + 1, T + 1), np.nan)
    for t in range(T + 1):
        table[t, : t + 1] = _block_norms(J, t, slice(None), slice(None))[::-1]
    return table


def product_norms_by_lag(
    jacobians: ArrayLike, t: int, rows: slice = slice(None), cols: slice = slice(None)
) -> FloatArray:
    """Return ‖[∂s_t/∂s_{t−ℓ}]_{rows, cols}‖_2 for the lags ℓ = 0 … t, from the Jacobians.

    With the whole matrix (the default) this is row t of :func:`jacobian_norm_table`,
    reversed.  For a state with several parts, stacked into one vector (the LSTM's
    (h_j, c_j), 2 n_h entries), the block ``[rows, cols]`` of the product is e.g. ∂h_t/∂h_k
    with ``rows = cols = slice(0, n_h)``.  Only the rows asked for are carried through the
    product, right-multiplying by one older J_j per lag.

    Parameters
    ----------
    jacobians : array_like, shape (T, N, N)
        J_1 … J_T of the full state, e.g. from a layer's ``state_jacobians``.
    t : int
        The time of the later state, 0 ≤ t ≤ T.
    rows, cols : slice
        The block; the whole matrix by default.

    Returns
    -------
    ndarray of float64, shape (t + 1,)
        ``result[lag]``; ``result[0]`` is the norm of the block of the identity (1 for the
        whole matrix).  Compare with :func:`~rnngrad.spectral.pascanu_bound`.

    Raises
    ------
    ValueError, TypeError
        If ``jacobians`` is not a finite real stack of square matrices or t is out of range.
    """
    J = _as_jacobians(jacobians)
    t = check_int("t", t, minimum=0)
    if t > J.shape[0]:
        raise ValueError(f"t must be <= T = {J.shape[0]} (the number of Jacobians), got {t}")
    return _block_norms(J, t, rows, cols)


def _block_norms(J: FloatArray, t: int, rows: slice, cols: slice) -> FloatArray:
    product = np.eye(J.shape[1], dtype=J.dtype)[rows]
    blocks = np.empty((t + 1, *product[:, cols].shape), dtype=J.dtype)
    blocks[0] = product[:, cols]
    for lag in range(1, t + 1):
        product = product @ J[t - lag]
        blocks[lag] = product[:, cols]
    return np.linalg.svd(blocks, compute_uv=False)[:, 0].astype(np.float64)


def _as_jacobians(jacobians: ArrayLike) -> FloatArray:
    J = as_float_array("jacobians", jacobians, shape=("T", "n_h", "n_h"))
    check_shape("jacobians", J, ("T", J.shape[1], J.shape[1]))
    return J


def _check_times(t: int, k: int, T: int) -> tuple[int, int]:
    t = check_int("t", t, minimum=0)
    k = check_int("k", k, minimum=0)
    if not k <= t <= T:
        raise ValueError(f"need 0 <= k <= t <= T = {T}, got k = {k}, t = {t}")
    return t, k
