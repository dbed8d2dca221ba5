"""The slide formula for ∂E_t/∂W taken apart term by term.

With s_0 the initial state and x_1 … x_T the inputs (the convention of :mod:`rnngrad.rnn`),

    ∂E_t/∂W = Σ_{k=0}^{t} ∂E_t/∂ŷ_t · ∂ŷ_t/∂s_t · (Π_{j=k+1}^{t} ∂s_j/∂s_{j−1}) · ∂⁺s_k/∂W.

Term k says how much E_t changes through W's *direct* use at step k, carried to step t by
the t − k Jacobians ∂s_j/∂s_{j−1} = diag(f′(z_j)) W.  For a ten-word sentence x_1 … x_10 and
t = 10 (the verb), the subject's term is k = 1 with Π_{j=2}^{10}: nine Jacobians.

∂⁺s_k/∂W is the *immediate* derivative: s_k = f(U x_k + W s_{k−1} + b) differentiated in W
with s_{k−1} held constant, i.e. ∂⁺s_k[i]/∂W[p, q] = f′(z_k)[i] δ_{ip} s_{k−1}[q].  It is not the
*total* derivative ∂s_k/∂W, which also follows W through s_{k−1}, s_{k−2}, …:

    ∂s_k/∂W = Σ_{k′=1}^{k} (∂s_k/∂s_{k′}) ∂⁺s_{k′}/∂W.

The k = 0 term is zero: s_0 is given and does not depend on W (nor on U or b).  The same
holds with U (∂⁺s_k/∂U uses x_k) and b.

The rows g_k = ∂E_t/∂s_k of the same backward pass also give the regulariser Ω of Pascanu,
Mikolov and Bengio (2013), which asks every step back to keep the norm of g
(:func:`gradient_norm_regulariser`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._types import FloatArray
from ._validate import as_float_array, check_choice, check_instance, check_int
from .heads import as_labels, head_loss
from .jacobians import jacobian_product
from .rnn import RNN

PARAMETERS = ("U", "W", "b")


@dataclass(frozen=True, eq=False)
class BPTTTerms:
    """The terms k = 0 … t of ∂E_t/∂U, ∂E_t/∂W and ∂E_t/∂b for one sequence.

    Attributes
    ----------
    t : int
        The step of the loss E_t.
    W : ndarray, shape (t + 1, n_h, n_h)
        ``W[k]`` is the k-th term of ∂E_t/∂W; ``W[0]`` is zero.
    U : ndarray, shape (t + 1, n_h, n_in)
        The same for ∂E_t/∂U.
    b : ndarray, shape (t + 1, n_h)
        The same for ∂E_t/∂b.
    """

    t: int
    W: FloatArray
    U: FloatArray
    b: FloatArray

    def total(self, param: str = "W") -> FloatArray:
        """Return Σ_k of the terms of ``param``: the full gradient ∂E_t/∂``param``."""
        result: FloatArray = self._terms(param).sum(axis=0)
        return result

    def norms(self, param: str = "W") -> FloatArray:
        """Return the Frobenius norm of each term k = 0 … t of ``param`` (for a bar chart)."""
        terms = self._terms(param)
        result: FloatArray = np.linalg.norm(terms.reshape(terms.shape[0], -1), axis=1)
        return result

    def _terms(self, param: str) -> FloatArray:
        result: FloatArray = getattr(self, check_choice("param", param, PARAMETERS))
        return result


def bptt_terms(
    model: RNN,
    x: ArrayLike,
    t: int,
    *,
    y_t: ArrayLike | None = None,
    grad_s_t: ArrayLike | None = None,
    h0: ArrayLike | None = None,
) -> BPTTTerms:
    """Return every term k = 0 … t of ∂E_t/∂W, ∂E_t/∂U and ∂E_t/∂b.

    Term k is ∂E_t/∂s_t · (Π_{j=k+1}^{t} ∂s_j/∂s_{j−1}) · ∂⁺s_k/∂θ: the backward row vector
    δ_k = ∂E_t/∂s_t J_t ⋯ J_{k+1} diag(f′(z_k)) times s_{k−1} (for W), x_k (for U) or 1
    (for b).  The terms add up to the gradient :meth:`~rnngrad.rnn.RNN.backward` gives
    for E_t alone.

    Parameters
    ----------
    model : RNN
        The network.
    x : array_like, shape (T, n_in)
        One sequence x_1 … x_T; only x_1 … x_t are used.
    t : int
        The step of the loss, 1 ≤ t ≤ T.
    y_t : int or array_like, optional
        The target at step t, to take E_t from the model's head: a class label for the
        softmax head (cross-entropy), a vector (n_out,) for the linear head (squared error).
    grad_s_t : array_like, shape (n_h,), optional
        Instead of ``y_t``: ∂E_t/∂s_t = ∂E_t/∂ŷ_t · ∂ŷ_t/∂s_t given directly (any E_t).
    h0 : array_like, shape (n_h,), optional
        s_0; zeros if None.

    Returns
    -------
    BPTTTerms

    Raises
    ------
    ValueError, TypeError
        If not exactly one of ``y_t`` and ``grad_s_t`` is given, t is out of range, or an
        array is invalid.
    """
    states, xs, t, _, delta = _backward_rows(model, x, t, y_t, grad_s_t, h0)
    # Row k of the terms pairs δ_k with s_{k−1} (for W) or x_k (for U); row 0 stays zero.
    return BPTTTerms(
        t=t,
        W=delta[:, :, None] * _one_step_late(states[:t])[:, None, :],
        U=delta[:, :, None] * _one_step_late(xs[:t])[:, None, :],
        b=delta,
    )


@dataclass(frozen=True, eq=False)
class NormPreservation:
    """The regulariser Ω of Pascanu, Mikolov and Bengio (2013) for one loss E_t.

    Attributes
    ----------
    errors : ndarray, shape (t + 1, n_h)
        ``errors[k]`` is the row vector g_k = ∂E_t/∂s_k, k = 0 … t.
    ratios : ndarray, shape (t,)
        ``ratios[k]`` = ‖g_{k+1} ∂s_{k+1}/∂s_k‖ / ‖g_{k+1}‖ = ‖g_k‖ / ‖g_{k+1}‖ for
        k = 0 … t − 1: how much one step back stretches the error in its own direction;
        1 where g_{k+1} = 0 (the ratio is undefined there and the term is left out).
    omega : float
        Ω = Σ_k (ratios[k] − 1)².
    W : ndarray, shape (n_h, n_h)
        ∂Ω/∂W with the rows g_{k+1} and the states held constant, as Pascanu et al.'s paper
        and code do: only the W inside each Jacobian diag(f′(z_{k+1})) W is differentiated.
    """

    errors: FloatArray
    ratios: FloatArray
    omega: float
    W: FloatArray


def gradient_norm_regulariser(
    model: RNN,
    x: ArrayLike,
    t: int,
    *,
    y_t: ArrayLike | None = None,
    grad_s_t: ArrayLike | None = None,
    h0: ArrayLike | None = None,
) -> NormPreservation:
    """Return Pascanu et al.'s Ω = Σ_k (‖g_{k+1} J_{k+1}‖ / ‖g_{k+1}‖ − 1)² and ∂Ω/∂W.

    With g_{k+1} = ∂E_t/∂s_{k+1} a row vector and J_{k+1} = diag(f′(z_{k+1})) W, the
    product g_{k+1} J_{k+1} is g_k: Ω asks each step back to keep the norm of the error it
    carries.  Holding g_{k+1} and the states fixed, with v_k = g_{k+1} diag(f′(z_{k+1}))
    the term k is (‖v_k W‖ / ‖g_{k+1}‖ − 1)², whose gradient in W is

        2 (ratio_k − 1) / ‖g_{k+1}‖ · v_kᵀ (v_k W) / ‖v_k W‖.

    Parameters
    ----------
    model, x, t, y_t, grad_s_t, h0
        As for :func:`bptt_terms`.

    Returns
    -------
    NormPreservation

    Raises
    ------
    ValueError, TypeError
        As for :func:`bptt_terms`.
    """
    _, _, t, g, delta = _backward_rows(model, x, t, y_t, grad_s_t, h0)
    carried = np.linalg.norm(g[1:], axis=1)  # ‖g_{k+1}‖
    kept = np.linalg.norm(g[:-1], axis=1)  # ‖g_{k+1} J_{k+1}‖ = ‖g_k‖
    defined = carried > 0
    ratios = np.divide(kept, carried, out=np.ones_like(kept), where=defined)
    # The norm ‖v_k W‖ has no gradient where it is 0; that term then contributes none.
    weight = np.divide(
        2 * (ratios - 1), carried * kept, out=np.zeros_like(kept), where=defined & (kept > 0)
    )
    grad_W: FloatArray = np.einsum("k,ki,kj->ij", weight, delta[1:], g[:-1])
    return NormPreservation(
        errors=g, ratios=ratios, omega=float(np.sum((ratios - 1) ** 2)), W=grad_W
    )


def _backward_rows(
    model: RNN,
    x: ArrayLike,
    t: int,
    y_t: ArrayLike | None,
    grad_s_t: ArrayLike | None,
    h0: ArrayLike | None,
) -> tuple[FloatArray, FloatArray, int, FloatArray, FloatArray]:
    """The states, the inputs, t, and the rows g_k = ∂E_t/∂s_k and δ_k = ∂E_t/∂z_k.

    ``g[k]`` for k = 0 … t (row t is ∂E_t/∂s_t); ``delta[k]`` for k = 1 … t, row 0 zero.
    """
    check_instance("model", model, RNN)
    states = model.states(x, h0)
    xs = as_float_array("x", x).astype(states.dtype, copy=False)
    t = _check_step("t", t, states.shape[0] - 1, minimum=1)
    deriv = model.f.derivative_from_output(states[1 : t + 1])
    W = model.W.astype(states.dtype, copy=False)
    g = np.empty((t + 1, model.n_h), dtype=states.dtype)
    g[t] = _grad_s_t(model, states[t], y_t, grad_s_t)
    delta = np.zeros_like(g)
    for k in range(t, 0, -1):
        delta[k] = g[k] * deriv[k - 1]
        g[k - 1] = delta[k] @ W
    return states, xs, t, g, delta


def _one_step_late(rows: FloatArray) -> FloatArray:
    return np.concatenate([np.zeros_like(rows[:1]), rows])


def _grad_s_t(
    model: RNN, s_t: FloatArray, y_t: ArrayLike | None, grad_s_t: ArrayLike | None
) -> FloatArray:
    if (y_t is None) == (grad_s_t is None):
        raise ValueError("give exactly one of y_t (a target for the head) and grad_s_t")
    if grad_s_t is not None:
        return as_float_array("grad_s_t", grad_s_t, shape=(model.n_h,)).astype(s_t.dtype)
    if y_t is None or model.V is None or model.c is None:
        raise ValueError("y_t needs a head (V is None): give grad_s_t = ∂E_t/∂s_t instead")
    V, c = model.V.astype(s_t.dtype), model.c.astype(s_t.dtype)
    if model.head == "linear":
        target: NDArray[Any] = as_float_array("y_t", y_t, shape=(V.shape[0],))[None]
    else:
        target = as_labels("y_t", y_t, (), V.shape[0])[None]
    grad: FloatArray = head_loss(model.head or "", V, c, s_t[None], target, 1)[1][0]
    return grad


def immediate_derivative(
    model: RNN, x: ArrayLike, k: int, *, param: str = "W", h0: ArrayLike | None = None
) -> FloatArray:
    """Return ∂⁺s_k/∂θ, the derivative of s_k in θ = U, W or b with s_{k−1} held constant.

    ∂⁺s_k[i]/∂W[p, q] = f′(z_k)[i] δ_{ip} s_{k−1}[q]: only row i = p of W acts on s_k[i]
    directly.  Likewise ∂⁺s_k/∂U uses x_k, and ∂⁺s_k/∂b = diag(f′(z_k)).  Zero for k = 0.

    Parameters
    ----------
    model : RNN
        The network.
    x : array_like, shape (T, n_in)
        One sequence.
    k : int
        The step, 0 ≤ k ≤ T.
    param : {"W", "U", "b"}
        θ.
    h0 : array_like, shape (n_h,), optional
        s_0; zeros if None.

    Returns
    -------
    ndarray
        Shape (n_h, n_h, n_h) for W, (n_h, n_h, n_in) for U, (n_h, n_h) for b; entry
        [i, …] is the derivative of s_k[i].

    Raises
    ------
    ValueError, TypeError
        If k is out of range, ``param`` unknown or an array invalid.
    """
    check_instance("model", model, RNN)
    states = model.states(x, h0)
    k = _check_step("k", k, states.shape[0] - 1)
    return _immediate(model, states, as_float_array("x", x), k, param)


def _immediate(model: RNN, states: FloatArray, x: FloatArray, k: int, param: str) -> FloatArray:
    check_choice("param", param, PARAMETERS)
    n_h = model.n_h
    shape = {"W": (n_h, n_h, n_h), "U": (n_h, n_h, model.n_in), "b": (n_h, n_h)}[param]
    result = np.zeros(shape, dtype=states.dtype)
    if k == 0:
        return result
    fprime = model.f.derivative_from_output(states[k])
    rows = np.arange(n_h)
    if param == "b":
        result[rows, rows] = fprime
    else:
        source = states[k - 1] if param == "W" else x[k - 1]
        result[rows, rows, :] = fprime[:, None] * source[None, :]
    return result


def total_derivative(
    model: RNN, x: ArrayLike, k: int, *, param: str = "W", h0: ArrayLike | None = None
) -> FloatArray:
    """Return the total derivative ∂s_k/∂θ = Σ_{k′=1}^{k} (∂s_k/∂s_{k′}) ∂⁺s_{k′}/∂θ.

    Computed literally as that sum over the earlier immediate derivatives, each carried to
    step k by the Jacobian product (see :func:`immediate_derivative`, whose shapes it shares).
    Differs from ∂⁺s_k/∂θ for k ≥ 2 unless W = 0.

    Parameters
    ----------
    model, x, k, param, h0
        As for :func:`immediate_derivative`.

    Returns
    -------
    ndarray
        Same shape as :func:`immediate_derivative`.

    Raises
    ------
    ValueError, TypeError
        As for :func:`immediate_derivative`.
    """
    check_instance("model", model, RNN)
    states = model.states(x, h0)
    xs = as_float_array("x", x)
    k = _check_step("k", k, states.shape[0] - 1)
    jacobians = model.state_jacobians(x, h0)
    total = _immediate(model, states, xs, 0, param)
    for earlier in range(1, k + 1):
        carry = jacobian_product(jacobians, k, earlier)
        total += np.tensordot(carry, _immediate(model, states, xs, earlier, param), axes=1)
    return total


def _check_step(name: str, value: int, T: int, *, minimum: int = 0) -> int:
    step = check_int(name, value, minimum=minimum)
    if step > T:
        raise ValueError(f"{name} must be <= T = {T} (the length of x), got {step}")
    return step
