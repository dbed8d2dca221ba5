"""Truncated backpropagation through time, as it is run and as it can be unbiased.

**TBPTT(k₁, k₂)** (Williams and Peng 1990; the notation of Sutskever's thesis, 2013): the
sequence is read once; every k₁ steps the losses of those k₁ steps are backpropagated
through the last k₂ steps (k₂ ≥ k₁), and the state at the start of that window is held
constant.  A loss at step t′ of a window that ends at t therefore keeps the terms
k = t − k₂ + 1, …, t′ of the expansion (see :mod:`rnngrad.bptt`): it crosses at most
k₂ − 1 Jacobians.  TBPTT(1, τ + 1) is :meth:`rnngrad.rnn.RNN.backward` with
``truncate=τ``; TBPTT(k, k) is what frameworks do when they cut a sequence into chunks of k
steps and detach the state between them; k₁ = k₂ ≥ T is full BPTT.

**The gradient by lag.**  Term k of ∂E_t/∂θ has lag ℓ = t − k.  Summing the terms of every
E_t by their lag gives D_0, …, D_{T−1} with Σ_ℓ D_ℓ = ∂E/∂θ; truncation at τ (each loss
crossing at most τ Jacobians) keeps Σ_{ℓ ≤ τ} D_ℓ.

**Randomised truncation** (Tallec and Ollivier 2017): draw the truncation length L at
random and weight the term of lag ℓ by 1/P(L ≥ ℓ); the expectation is then the full
gradient.  Here L is geometric, P(L ≥ ℓ) = p^ℓ: at every step back the backward pass goes
on with probability p and is scaled by 1/p (the ξ_t of *Dive into Deep Learning*, §9.7,
with π_t = p).  The price is variance, which grows like p^{−ℓ} with the lags it reaches.
One L is drawn for the terms of all losses summed by lag.  Tallec and Ollivier's ARTBP and
d2l's ξ_t draw truncation points in time instead, shared by the losses of a segment; with a
single loss the two are the same estimator, with a loss at every step they are different
unbiased estimators with different variances.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from ._types import FloatArray, Gradients
from ._validate import (
    RngLike,
    as_float_array,
    as_generator,
    check_choice,
    check_instance,
    check_int,
    check_real,
)
from .bptt import PARAMETERS, bptt_terms
from .heads import STEPS
from .layer import RecurrentLayer
from .rnn import RNN


def tbptt_gradients(
    layer: RecurrentLayer,
    x: ArrayLike,
    y: ArrayLike,
    *,
    k1: int,
    k2: int,
    h0: Any = None,
    steps: Literal["every", "last"] = "every",
) -> tuple[float, Gradients]:
    """Return the loss and the TBPTT(k₁, k₂) gradient of every parameter, for any layer.

    The windows end at t = k₁, 2k₁, … and at T; the window ending at t runs the layer again
    from the state at step max(0, t − k₂) (held constant, as a detached state is) over the
    next steps, and backpropagates the losses of the steps after the previous window's end.
    The states of the window are those of the forward pass over the whole sequence, and the
    windows' gradients are added up at the same parameters: one accumulated gradient.
    Williams and Peng, and practice, update the parameters after every window instead, so
    that later windows run on newer weights; that second approximation is not modelled.

    Parameters
    ----------
    layer : RNN, LSTM or GRU
        A layer with a head.
    x, y, h0, steps
        As for :meth:`~rnngrad.heads.HeadMixin.loss_and_gradients`; x is (T, B, n_in).
    k1 : int
        Steps between two backward passes, ≥ 1.
    k2 : int
        Steps each backward pass runs through, ≥ k1.

    Returns
    -------
    loss : float
        The loss E of the whole sequence (the same as without truncation).
    gradients : dict of str to ndarray
        The parameters' TBPTT gradients by name (those of
        :meth:`~rnngrad.layer.RecurrentLayer.parameters`; the head's are exact).

    Raises
    ------
    ValueError, TypeError
        If k1 < 1 or k2 < k1, the layer has no head, or an argument is invalid.
    """
    check_instance("layer", layer, RecurrentLayer, "an RNN, LSTM or GRU")
    k1 = check_int("k1", k1, minimum=1)
    k2 = check_int("k2", k2, minimum=1)
    if k2 < k1:
        raise ValueError(f"k2 must be >= k1 = {k1} (every loss inside a window), got {k2}")
    loss, dhs, cache, head_grads = layer.loss_and_state_gradients(x, y, h0, steps=steps)
    xs = cache.x
    T = xs.shape[0]
    grads = {
        name: np.zeros_like(value, dtype=xs.dtype) for name, value in layer.parameters().items()
    }
    ends = [*range(k1, T, k1), T]
    for previous, end in zip([0, *ends[:-1]], ends, strict=True):
        start = max(0, end - k2)
        window_dhs = np.zeros_like(dhs[start:end])
        window_dhs[previous - start :] = dhs[previous:end]
        _, window_cache = layer.forward(xs[start:end], _state_at(cache, start))
        for name, value in layer.backward(window_dhs, window_cache).items():
            if name in grads:
                grads[name] += value
    return loss, grads | head_grads


def _state_at(cache: Any, step: int) -> Any:
    """The layer's whole state after ``step`` steps, as its ``forward`` takes h0: the pair
    (h, c) for the LSTM, whose cache also keeps the cells; h alone for the RNN and GRU."""
    cells = getattr(cache, "cells", None)
    if cells is None:
        return cache.states[step]
    return cache.states[step], cells[step]


def gradient_by_lag(
    model: RNN,
    x: ArrayLike,
    y: ArrayLike,
    *,
    h0: ArrayLike | None = None,
    steps: Literal["every", "last"] = "every",
) -> dict[str, FloatArray]:
    """Return D_ℓ, ℓ = 0 … T − 1: the terms of ∂E/∂U, ∂E/∂W, ∂E/∂b summed by their lag.

    Every loss term E_t of every sequence is taken apart by :func:`rnngrad.bptt.bptt_terms`
    (given ∂E/∂s_t through the head), and its term k goes to lag ℓ = t − k.  Σ_ℓ D_ℓ is the
    full BPTT gradient and Σ_{ℓ ≤ τ} D_ℓ the gradient truncated at τ
    (:func:`truncated_gradient`).  Costs one :func:`~rnngrad.bptt.bptt_terms` per sequence
    and loss step: for analysis, not for training.

    Parameters
    ----------
    model : RNN
        A network with a head.
    x, y, h0, steps
        As for :meth:`~rnngrad.rnn.RNN.loss_and_gradients`; x is (T, B, n_in), h0 (B, n_h).

    Returns
    -------
    dict of str to ndarray
        ``"U"``, ``"W"``, ``"b"``: arrays (T, *shape of the parameter*); row ℓ is D_ℓ.

    Raises
    ------
    ValueError, TypeError
        If the network has no head, or an argument is invalid.
    """
    check_instance("model", model, RNN)
    check_choice("steps", steps, STEPS)
    _, dhs, cache, _ = model.loss_and_state_gradients(x, y, h0, steps=steps)
    T, B = dhs.shape[:2]
    by_lag = {name: np.zeros((T, *getattr(model, name).shape)) for name in PARAMETERS}
    for t in range(1, T + 1) if steps == "every" else (T,):
        for seq in range(B):
            terms = bptt_terms(
                model, cache.x[:, seq], t, grad_s_t=dhs[t - 1, seq], h0=cache.states[0, seq]
            )
            for name in PARAMETERS:
                # Term k = 1 … t has lag t − k = t − 1 … 0: the rows reversed.
                by_lag[name][:t] += getattr(terms, name)[:0:-1]
    return by_lag


def truncated_gradient(by_lag: dict[str, FloatArray], tau: int) -> dict[str, FloatArray]:
    """Return Σ_{ℓ ≤ τ} D_ℓ: the gradient when no loss crosses more than τ Jacobians.

    Parameters
    ----------
    by_lag : dict of str to ndarray
        From :func:`gradient_by_lag`.
    tau : int
        τ ≥ 0; τ ≥ T − 1 gives the full gradient.

    Returns
    -------
    dict of str to ndarray
        The truncated gradient of each parameter.

    Raises
    ------
    ValueError, TypeError
        If tau is not an integer ≥ 0.
    """
    tau = check_int("tau", tau, minimum=0)
    return {name: lags[: tau + 1].sum(axis=0) for name, lags in by_lag.items()}


def truncation_probabilities(lags: int, continue_probability: float) -> FloatArray:
    """Return P(L = m), m = 0 … lags − 1, for the geometric truncation length L.

    The backward pass goes on one more step with probability p, so P(L ≥ m) = p^m; the last
    entry gathers every L ≥ lags − 1 (all of them reach the oldest lag).

    Parameters
    ----------
    lags : int
        The number of lags, T, ≥ 1.
    continue_probability : float
        p, in (0, 1]; p = 1 never truncates.

    Returns
    -------
    ndarray, shape (lags,)
        Probabilities that add up to 1.

    Raises
    ------
    ValueError, TypeError
        If lags < 1 or p is not in (0, 1].
    """
    lags = check_int("lags", lags, minimum=1)
    p = _check_probability(continue_probability)
    survive: FloatArray = p ** np.arange(lags, dtype=np.float64)  # P(L ≥ m)
    result: FloatArray = survive - np.append(survive[1:], 0.0)
    return result


def randomised_truncation_gradient(
    by_lag: dict[str, FloatArray], continue_probability: float, *, rng: RngLike = None
) -> dict[str, FloatArray]:
    """Return one draw of the unbiased randomised-truncation estimate Σ_{ℓ ≤ L} D_ℓ / p^ℓ.

    Parameters
    ----------
    by_lag : dict of str to ndarray
        From :func:`gradient_by_lag`.
    continue_probability : float
        p, in (0, 1].
    rng : numpy.random.Generator, int or None
        Random source or seed of L; None means seed 0.

    Returns
    -------
    dict of str to ndarray
        The estimate for each parameter; its expectation over L is the full gradient.

    Raises
    ------
    ValueError, TypeError
        If p is not in (0, 1] or by_lag is empty.
    """
    lags = _lag_count(by_lag)
    chances = truncation_probabilities(lags, continue_probability)
    length = as_generator(rng).choice(lags, p=chances)
    weights = _compensation(lags, continue_probability)
    weights[length + 1 :] = 0.0
    return {name: np.tensordot(weights, lags_, axes=1) for name, lags_ in by_lag.items()}


def randomised_truncation_moments(
    by_lag: dict[str, FloatArray], continue_probability: float
) -> tuple[dict[str, FloatArray], dict[str, FloatArray]]:
    """Return the exact mean and variance, entry by entry, of the randomised estimate.

    The estimate is S_L = Σ_{ℓ ≤ L} D_ℓ / p^ℓ, so its moments are sums over the law of L
    (:func:`truncation_probabilities`): the mean is the full gradient Σ_ℓ D_ℓ, and
    the variance is Σ_m P(L = m) S_m² − (Σ_ℓ D_ℓ)².

    Parameters
    ----------
    by_lag : dict of str to ndarray
        From :func:`gradient_by_lag`.
    continue_probability : float
        p, in (0, 1].

    Returns
    -------
    mean, variance : dict of str to ndarray
        For each parameter, arrays of its shape.

    Raises
    ------
    ValueError, TypeError
        If p is not in (0, 1] or by_lag is empty.
    """
    lags = _lag_count(by_lag)
    chances = truncation_probabilities(lags, continue_probability)
    weights = _compensation(lags, continue_probability)
    mean, variance = {}, {}
    for name, lags_ in by_lag.items():
        partial = np.cumsum(weights.reshape(-1, *[1] * (lags_.ndim - 1)) * lags_, axis=0)
        mean[name] = np.tensordot(chances, partial, axes=1)
        variance[name] = np.tensordot(chances, partial**2, axes=1) - mean[name] ** 2
    return mean, variance


@dataclass(frozen=True, eq=False)
class TruncationBias:
    """How far truncated and randomised-truncation gradients fall from the full one.

    All parameters (U, W, b) together as one vector ∇E; ‖·‖ is its Euclidean norm.

    Attributes
    ----------
    cosine : ndarray, shape (T,)
        cos∠(∇_τE, ∇E) for τ = 0 … T − 1, ∇_τE the gradient truncated at τ.
    relative_error : ndarray, shape (T,)
        ‖∇_τE − ∇E‖/‖∇E‖ for the same τ: all of it bias.
    norm_ratio : ndarray, shape (T,)
        ‖∇_τE‖/‖∇E‖: with the cosine, whether the bias turns ∇_τE or only shortens it.
    continue_probabilities : ndarray, shape (m,)
        The p of the randomised estimates.
    mean_length : ndarray, shape (m,)
        E[min(L, T − 1)], the Jacobians a loss crosses on average: the cost to compare with τ.
    rms_error : ndarray, shape (m,)
        sqrt(E‖S_L − ∇E‖²)/‖∇E‖ of the randomised estimate S_L: all of it variance
        (E S_L = ∇E).
    """

    cosine: FloatArray
    relative_error: FloatArray
    norm_ratio: FloatArray
    continue_probabilities: FloatArray
    mean_length: FloatArray
    rms_error: FloatArray


def truncation_bias(
    by_lag: dict[str, FloatArray], continue_probabilities: ArrayLike
) -> TruncationBias:
    """Return the bias of truncation at every τ and the error of randomised truncation.

    Exact, from the terms by lag: no sampling (:func:`randomised_truncation_moments`).

    Parameters
    ----------
    by_lag : dict of str to ndarray
        From :func:`gradient_by_lag`.
    continue_probabilities : array_like, shape (m,)
        The p of the randomised estimates, each in (0, 1].

    Returns
    -------
    TruncationBias

    Raises
    ------
    ValueError, TypeError
        If by_lag is empty or its full gradient is zero, or a p is not in (0, 1].
    """
    lags = _lag_count(by_lag)
    probabilities = as_float_array("continue_probabilities", continue_probabilities, shape=("m",))
    flat = np.concatenate([v.reshape(lags, -1) for v in by_lag.values()], axis=1)
    full = flat.sum(axis=0)
    size = float(np.linalg.norm(full))
    if size == 0:
        raise ValueError("by_lag must have a non-zero full gradient (its terms sum to zero)")
    truncated = np.cumsum(flat, axis=0)
    ratio = np.linalg.norm(truncated, axis=1) / size
    cosine = truncated @ full / (ratio * size**2)
    error = np.linalg.norm(truncated - full, axis=1) / size
    lengths, rms = [], []
    for p in probabilities:
        chances = truncation_probabilities(lags, float(p))
        variance = randomised_truncation_moments({"g": flat}, float(p))[1]["g"]
        lengths.append(float(chances @ np.arange(lags)))
        rms.append(float(np.sqrt(max(variance.sum(), 0.0))) / size)
    return TruncationBias(cosine, error, ratio, probabilities, np.array(lengths), np.array(rms))


@dataclass(frozen=True)
class GradientCosts:
    """What the gradient of one sequence costs: floats stored and multiply-adds per step.

    Attributes
    ----------
    stored : int
        Floats kept for the gradient: the states s_0 … s_T for full BPTT, (T + 1)·n; the
        k₂ + 1 states of a window for TBPTT(k₁, k₂); RTRL's sensitivities ∂s_t/∂θ, n·P for
        P parameters (n·n² for W alone), whatever T is.
    per_step : float
        Multiply-adds of the recurrence per step of the sequence: n² for a backward step
        through W, once per step for full BPTT and k₂/k₁ times for TBPTT(k₁, k₂) (a
        backward pass of k₂ steps every k₁ steps); n²·P for RTRL's update
        ∂s_t/∂θ = J_t ∂s_{t−1}/∂θ + ∂⁺s_t/∂θ.
    """

    stored: int
    per_step: float


def gradient_costs(
    model: RNN, length: int, *, k1: int | None = None, k2: int | None = None
) -> dict[str, GradientCosts]:
    """Return what full BPTT, TBPTT(k₁, k₂) and RTRL cost for ``model`` on one sequence.

    Counted from the network's own sizes: n = n_h and P, the number of entries of U, W
    and b (RTRL keeps, for each of them, what :func:`rnngrad.bptt.total_derivative`
    returns).  Only the recurrence is counted: the input part U x_t and the head cost the
    same in all three.

    Parameters
    ----------
    model : RNN
        The network.
    length : int
        T, the length of the sequence, ≥ 1.
    k1, k2 : int, optional
        TBPTT(k₁, k₂), 1 ≤ k₁ ≤ k₂ ≤ T; both None leaves that entry out.

    Returns
    -------
    dict of str to GradientCosts
        ``"bptt"``, ``"rtrl"`` and, with k₁ and k₂, ``"tbptt"``.

    Raises
    ------
    ValueError, TypeError
        If length < 1, or k1, k2 are not both given with 1 ≤ k1 ≤ k2 ≤ length.
    """
    check_instance("model", model, RNN)
    length = check_int("length", length, minimum=1)
    n = model.n_h
    parameters = sum(getattr(model, name).size for name in PARAMETERS)
    costs = {
        "bptt": GradientCosts(stored=(length + 1) * n, per_step=float(n * n)),
        "rtrl": GradientCosts(stored=n * parameters, per_step=float(n * n * parameters)),
    }
    if k1 is None and k2 is None:
        return costs
    k1 = check_int("k1", k1, minimum=1)
    k2 = check_int("k2", k2, minimum=k1)
    if k2 > length:
        raise ValueError(f"k2 must be <= length = {length}, got {k2}")
    costs["tbptt"] = GradientCosts(stored=(k2 + 1) * n, per_step=k2 / k1 * n * n)
    return costs


def _compensation(lags: int, continue_probability: float) -> FloatArray:
    """1/P(L ≥ ℓ) = p^{−ℓ}, ℓ = 0 … lags − 1."""
    weights: FloatArray = continue_probability ** -np.arange(lags, dtype=np.float64)
    return weights


def _lag_count(by_lag: dict[str, FloatArray]) -> int:
    if not by_lag:
        raise ValueError("by_lag must hold at least one parameter (from gradient_by_lag)")
    return int(next(iter(by_lag.values())).shape[0])


def _check_probability(value: object) -> float:
    p = check_real("continue_probability", value, positive=True)
    if p > 1:
        raise ValueError(f"continue_probability must be in (0, 1], got {p}")
    return p
