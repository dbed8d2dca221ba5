"""Spectral tools for the recurrent matrix W.

Whether gradients vanish or explode is decided, to first order, by how much W stretches
vectors: its largest singular value σ_max(W) = ‖W‖_2 (the spectral norm) and its spectral
radius ρ(W) = max :math:`|\\lambda_i(W)|`.  This module measures both, rescales W to a chosen
value of either, builds the classic initialisations (orthogonal, identity and a Gaussian matrix
of chosen spectral radius) and evaluates the bound of Pascanu, Mikolov and Bengio (2013),

    ‖∂s_t/∂s_k‖_2 ≤ (γ · σ_max(W))^{t−k},

with γ = sup :math:`|f'|` the constant of the activation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._types import FloatArray
from ._validate import RngLike, as_float_array, as_generator, check_int, check_real, float_dtype
from .activations import Activation, get_activation


def square_matrix(name: str, W: ArrayLike) -> FloatArray:
    """Return ``W`` as a finite real square matrix, or raise naming ``name`` and its shape."""
    arr = as_float_array(name, W, shape=("n", "n"))
    if arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be square with shape (n, n), got {arr.shape}")
    return arr


def singular_values(W: ArrayLike) -> FloatArray:
    """Return the singular values σ_1 ≥ σ_2 ≥ … of W.

    Parameters
    ----------
    W : array_like, shape (n_h, n_h)
        The recurrent matrix.

    Returns
    -------
    ndarray, shape (n_h,)
        The singular values in descending order, in the dtype of W.

    Raises
    ------
    ValueError
        If W is not square or not finite.
    TypeError
        If W is not real.
    """
    return np.linalg.svd(square_matrix("W", W), compute_uv=False)


def eigenvalues(W: ArrayLike) -> NDArray[np.complexfloating[Any, Any]]:
    """Return the eigenvalues λ_i of W ordered by decreasing modulus :math:`|\\lambda_i|`.

    Returns
    -------
    ndarray of complex, shape (n_h,)
        The eigenvalues; ``abs(result[0])`` is the spectral radius ρ(W).  W and the
        errors raised are as for :func:`singular_values`.
    """
    lam = np.linalg.eigvals(square_matrix("W", W)).astype(np.complex128)
    # A stable sort keeps complex-conjugate pairs next to each other.
    return lam[np.argsort(-np.abs(lam), kind="stable")]


def spectral_norm(W: ArrayLike) -> float:
    """Return σ_max(W) = ‖W‖_2, the largest singular value of W (see :func:`singular_values`)."""
    return float(singular_values(W)[0])


def spectral_radius(W: ArrayLike) -> float:
    """Return ρ(W) = max_i :math:`|\\lambda_i(W)|` (see :func:`eigenvalues`).

    ρ(W) ≤ σ_max(W) always; for a normal W (e.g. symmetric or orthogonal) they are equal.
    """
    return float(np.abs(eigenvalues(W)[0]))


def jordan_block(n: int, eigenvalue: float, *, coupling: float = 1.0) -> FloatArray:
    """Return λ I_n + c N, with N the shift (ones just above the diagonal).

    The simplest *non-normal* matrix: every eigenvalue is λ, so ρ = :math:`|\\lambda|`,
    yet σ_max ≥ ρ strictly when c ≠ 0, and the powers
    Wᵏ = Σ_i C(k, i) λ^{k−i} cⁱ Nⁱ grow polynomially before the geometric factor λᵏ wins.
    With ρ < 1 the products still tend to 0, but only after a transient that can be large:
    the spectral radius says where the norms end, σ_max how fast they can grow on the way.

    Parameters
    ----------
    n : int
        Size, ≥ 1.
    eigenvalue : float
        λ, the only eigenvalue.
    coupling : float
        c, the entries above the diagonal.

    Returns
    -------
    ndarray, shape (n, n)

    Raises
    ------
    ValueError, TypeError
        If n is not an integer ≥ 1 or λ, c are not finite reals.
    """
    size = check_int("n", n, minimum=1)
    lam = check_real("eigenvalue", eigenvalue)
    c = check_real("coupling", coupling)
    return lam * np.eye(size) + c * np.eye(size, k=1)


def _rescale(W: FloatArray, current: float, target: float, what: str) -> FloatArray:
    if current == 0.0:
        raise ValueError(f"W has {what} 0 and cannot be rescaled to {target}")
    return (W * (target / current)).astype(W.dtype, copy=False)


def rescale_spectral_norm(W: ArrayLike, target: float) -> FloatArray:
    """Return c·W with ‖c·W‖_2 = ``target``.

    Parameters
    ----------
    W : array_like, shape (n_h, n_h)
        The recurrent matrix; it is not modified.
    target : float
        The wanted spectral norm σ_max, > 0.

    Returns
    -------
    ndarray, shape (n_h, n_h)
        The rescaled matrix, in the dtype of W.

    Raises
    ------
    ValueError
        If W is not square, not finite or zero, or ``target`` is not > 0.
    """
    arr = square_matrix("W", W)
    goal = check_real("target", target, positive=True)
    return _rescale(arr, spectral_norm(arr), goal, "spectral norm")


def rescale_spectral_radius(W: ArrayLike, target: float) -> FloatArray:
    """Return c·W with ρ(c·W) = ``target``; otherwise like :func:`rescale_spectral_norm`.

    Raises
    ------
    ValueError
        If W is not square, not finite or nilpotent (ρ = 0), or ``target`` is not > 0.
    """
    arr = square_matrix("W", W)
    goal = check_real("target", target, positive=True)
    return _rescale(arr, spectral_radius(arr), goal, "spectral radius")


def orthogonal(
    n: int, *, gain: float = 1.0, rng: RngLike = None, dtype: type = np.float64
) -> FloatArray:
    """Return a random orthogonal n×n matrix times ``gain``, uniform (Haar) over O(n).

    Q of the QR decomposition of a Gaussian matrix is orthogonal, but LAPACK's sign
    convention makes it not uniformly distributed; multiplying each column by the sign
    of the matching diagonal entry of R fixes that (Mezzadri 2007).  Every singular value
    and every eigenvalue has modulus ``gain``.

    Parameters
    ----------
    n : int
        Size, ≥ 1.
    gain : float
        Scale factor, > 0.
    rng : numpy.random.Generator, int or None
        Random source or seed; None means seed 0.
    dtype : type
        ``np.float64`` (default) or ``np.float32``.

    Returns
    -------
    ndarray, shape (n, n)

    Raises
    ------
    ValueError, TypeError
        If ``n`` is not an integer ≥ 1, ``gain`` not > 0, or ``rng`` not a Generator/seed.
    """
    size = check_int("n", n, minimum=1)
    scale = check_real("gain", gain, positive=True)
    gaussian = as_generator(rng).standard_normal((size, size))
    q, r = np.linalg.qr(gaussian)
    signs = np.where(np.diag(r) < 0, -1.0, 1.0)
    return (scale * q * signs).astype(float_dtype(dtype))


def identity_init(n: int, *, gain: float = 1.0, dtype: type = np.float64) -> FloatArray:
    """Return ``gain`` · I_n, the recurrent initialisation of Le, Jaitly and Hinton (2015).

    With W = I and f = relu the state is carried unchanged while z_t stays positive, so
    ∂s_t/∂s_k = I: neither vanishing nor exploding at initialisation.

    Raises
    ------
    ValueError, TypeError
        If ``n`` is not an integer ≥ 1 or ``gain`` is not > 0.
    """
    size = check_int("n", n, minimum=1)
    scale = check_real("gain", gain, positive=True)
    return scale * np.eye(size, dtype=float_dtype(dtype))


def scaled_gaussian(
    n: int, radius: float = 1.0, *, rng: RngLike = None, dtype: type = np.float64
) -> FloatArray:
    """Return an n×n Gaussian matrix rescaled to spectral radius ``radius`` exactly.

    The entries are drawn i.i.d. N(0, 1/n), whose spectral radius is only close to 1 for
    large n (the circular law), and the matrix is then rescaled by
    :func:`rescale_spectral_radius`.  The classic way to set how fast the state of a tanh
    network forgets: ρ < 1 contracts, ρ > 1 may expand.

    Parameters
    ----------
    n : int
        Size, ≥ 1.
    radius : float
        The spectral radius ρ of the result, > 0.
    rng : numpy.random.Generator, int or None
        Random source or seed; None means seed 0.
    dtype : type
        ``np.float64`` (default) or ``np.float32``.

    Returns
    -------
    ndarray, shape (n, n)

    Raises
    ------
    ValueError, TypeError
        If ``n`` is not an integer ≥ 1, ``radius`` not > 0, or ``rng``/``dtype`` invalid.
    """
    size = check_int("n", n, minimum=1)
    goal = check_real("radius", radius, positive=True)
    dt = float_dtype(dtype)
    gaussian = as_generator(rng).standard_normal((size, size)) / np.sqrt(size)
    return rescale_spectral_radius(gaussian, goal).astype(dt)


def pascanu_bound(
    W: ArrayLike, max_lag: int, *, activation: str | Activation = "tanh"
) -> FloatArray:
    """Return the upper bound (γ·σ_max(W))^{t−k} on ‖∂s_t/∂s_k‖_2 for lags t−k = 0…max_lag.

    Each factor ∂s_j/∂s_{j−1} = diag(f′(z_j)) W has norm ≤ ‖diag(f′)‖_2 ‖W‖_2 ≤ γ σ_max(W),
    and the norm of a product is at most the product of the norms (Pascanu, Mikolov and
    Bengio 2013).  If γ σ_max(W) < 1 the gradient vanishes at least geometrically; if it is
    > 1 the bound says nothing (explosion is possible, not certain).

    Parameters
    ----------
    W : array_like, shape (n_h, n_h)
        The recurrent matrix.
    max_lag : int
        The largest lag t − k, ≥ 0.
    activation : str or Activation
        Supplies γ = sup :math:`|f'|`: 0.25 for sigmoid, 1 for tanh, relu and identity.

    Returns
    -------
    ndarray, shape (max_lag + 1,)
        ``result[lag] = (γ σ_max(W))**lag`` in float64; ``result[0] = 1``.

    Raises
    ------
    ValueError, TypeError
        If W is not a finite real square matrix, ``max_lag`` not an integer ≥ 0, or
        ``activation`` unknown.
    """
    sigma = spectral_norm(W)
    lags = np.arange(check_int("max_lag", max_lag, minimum=0) + 1, dtype=np.float64)
    with np.errstate(over="ignore"):  # an infinite bound is a correct (useless) bound
        return (get_activation(activation).gamma * sigma) ** lags
