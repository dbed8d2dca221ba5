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
    check_instance("model", model, RNN)
    states = model.states(x, h0)
    xs = as_float_array("x", x).astype(states.dtype, copy=False)
    t = _check_step("t", t, states.shape[0] - 1, minimum=1)
    g = _grad_s_t(model, states[t], y_t, grad_s_t)
    deriv = model.f.derivative_from_output(states[1 : t + 1])
    W = model.W.astype(states.dtype, copy=False)
    delta = np.zeros((t + 1, model.n_h), dtype=states.dtype)  # δ_k = ∂E_t/∂z_k via term k
    for k in range(t, 0, -1):
        delta[k] = g * deriv[k - 1]
        g = delta[k] @ W
    # Row k of the terms pairs δ_k with s_{k−1} (for W) or x_k (for U); row 0 stays zero.
    return BPTTTerms(
        t=t,
        W=delta[:, :, None] * _one_step_late(states[:t])[:, None, :],
        U=delta[:, :, None] * _one_step_late(xs[:t])[:, None, :],
        b=delta,
    )


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
