"""Truncated BPTT as run in practice, the gradient by lag, and the unbiased randomised
truncation: each against full BPTT, the term-by-term expansion or central differences."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from helpers import LAYERS, initial_parts, initial_state, make_layer, make_rnn, targets

from rnngrad import (
    bptt_terms,
    gradient_by_lag,
    gradient_costs,
    numerical_gradient,
    randomised_truncation_gradient,
    randomised_truncation_moments,
    relative_error,
    tbptt_gradients,
    total_derivative,
    truncated_gradient,
    truncation_bias,
    truncation_probabilities,
)

T, B = 7, 2


def layer_and_data(kind: str, rng: np.random.Generator) -> tuple[Any, np.ndarray, Any, Any]:
    model = make_layer(kind)
    x = rng.standard_normal((T, B, model.n_in))
    return model, x, targets(model, rng, (T, B)), initial_state(model, initial_parts(model, rng, B))


# --------------------------------------------------------------------- TBPTT(k1, k2)
@pytest.mark.parametrize("kind", list(LAYERS))
@pytest.mark.parametrize(("k1", "k2"), [(T, T), (T, 50), (3, 50)])
def test_a_window_as_long_as_the_sequence_is_full_bptt(rng, kind, k1, k2) -> None:
    """k2 ≥ T lets every loss reach s_0: the windows add up to the full gradient."""
    model, x, y, h0 = layer_and_data(kind, rng)
    loss, full = model.loss_and_gradients(x, y, h0)
    cut_loss, cut = tbptt_gradients(model, x, y, k1=k1, k2=k2, h0=h0)
    assert cut_loss == loss
    assert set(cut) == set(model.parameters())
    for name, value in cut.items():
        assert relative_error(value, full[name]) < 1e-12, name


@pytest.mark.parametrize("tau", [0, 2, 6])
@pytest.mark.parametrize("steps", ["every", "last"])
def test_tbptt_every_step_is_the_rnns_truncated_backward(rng, tau, steps) -> None:
    """TBPTT(1, τ + 1) keeps, of each E_t, the terms that cross at most τ Jacobians."""
    model, x, y, h0 = layer_and_data("RNN", rng)
    y = y if steps == "every" else y[-1]
    _, expected = model.loss_and_gradients(x, y, h0, steps=steps, truncate=tau)
    _, cut = tbptt_gradients(model, x, y, k1=1, k2=tau + 1, h0=h0, steps=steps)
    for name, value in cut.items():
        assert relative_error(value, expected[name]) < 1e-12, name


def test_tbptt_keeps_the_terms_of_its_window(rng) -> None:
    """One loss, at the end of the sequence, in a window of k2 steps: the terms
    k = T − k2 + 1 … T of the expansion, no more, no fewer."""
    model, x, _, _ = layer_and_data("RNN", rng)
    seq = x[:, :1]
    label = np.array([3])
    for k2 in (1, 3, 5):
        _, cut = tbptt_gradients(model, seq, label, k1=k2, k2=k2, steps="last")
        _, dhs, _, _ = model.loss_and_state_gradients(seq, label, steps="last")
        terms = bptt_terms(model, seq[:, 0], T, grad_s_t=dhs[-1, 0])
        for name in ("U", "W", "b"):
            kept = getattr(terms, name)[T - k2 + 1 :].sum(axis=0)
            assert relative_error(cut[name], kept) < 1e-12, (name, k2)


def chunked_loss(model: Any, x: np.ndarray, y: Any, h0: Any, k: int, name: str, cache: Any):
    """The loss with the state detached every k steps: each chunk starts from the true
    state of the full forward pass, held constant.  Its exact gradient is TBPTT(k, k)."""
    starts = range(0, x.shape[0], k)

    def loss(value: np.ndarray) -> float:
        m = dataclasses.replace(model, **{name: value})
        total = 0.0
        for start in starts:
            chunk = slice(start, start + k)
            first = h0 if start == 0 else full_start(model, cache, start)
            total += m.loss(x[chunk], y[chunk], first)  # summed over steps, as E is
        return total

    return loss


def full_start(model: Any, cache: Any, step: int) -> Any:
    if hasattr(cache, "cells"):
        return cache.states[step], cache.cells[step]
    return cache.states[step]


@pytest.mark.parametrize("kind", list(LAYERS))
@pytest.mark.parametrize("k", [2, 3])
def test_tbptt_k_k_is_the_exact_gradient_of_the_detached_chunks(rng, kind, k) -> None:
    """TBPTT(k, k) is no approximation of something vague: it is the exact gradient of the
    loss in which the state is held constant every k steps, and central differences say so.
    (T − 1 = 6 steps, a multiple of k: a last, shorter chunk would be a window of k steps.)"""
    model, x, y, h0 = layer_and_data(kind, rng)
    x, y = x[1:], y[1:]
    _, cache = model.forward(x, h0)
    _, cut = tbptt_gradients(model, x, y, k1=k, k2=k, h0=h0)
    for name, value in model.parameters().items():
        numeric = numerical_gradient(chunked_loss(model, x, y, h0, k, name, cache), value)
        assert relative_error(cut[name], numeric) < 1e-6, name


def test_tbptt_differs_from_full_bptt_when_it_truncates(rng) -> None:
    model, x, y, h0 = layer_and_data("RNN", rng)
    _, full = model.loss_and_gradients(x, y, h0)
    _, cut = tbptt_gradients(model, x, y, k1=2, k2=3, h0=h0)
    assert relative_error(cut["W"], full["W"]) > 1e-3


# --------------------------------------------------------------------- the gradient by lag
@pytest.mark.parametrize("steps", ["every", "last"])
def test_the_lags_add_up_to_full_and_truncated_bptt(rng, steps) -> None:
    model, x, y, h0 = layer_and_data("RNN", rng)
    y = y if steps == "every" else y[-1]
    by_lag = gradient_by_lag(model, x, y, h0=h0, steps=steps)
    assert by_lag["W"].shape == (T, *model.W.shape)
    for tau in (0, 1, 4, T - 1, 100):
        _, expected = model.loss_and_gradients(x, y, h0, steps=steps, truncate=tau)
        cut = truncated_gradient(by_lag, tau)
        for name, value in cut.items():
            assert relative_error(value, expected[name]) < 1e-12, (name, tau)


def test_a_last_step_loss_has_its_lag_l_term_at_step_t_minus_l(rng) -> None:
    model, x, y, _ = layer_and_data("RNN", rng)
    seq = x[:, :1]
    by_lag = gradient_by_lag(model, seq, y[-1, :1], steps="last")
    _, dhs, _, _ = model.loss_and_state_gradients(seq, y[-1, :1], steps="last")
    terms = bptt_terms(model, seq[:, 0], T, grad_s_t=dhs[-1, 0])
    for lag in range(T):
        np.testing.assert_allclose(by_lag["W"][lag], terms.W[T - lag], rtol=1e-12, atol=0)


# --------------------------------------------------------------------- randomised truncation
def test_truncation_probabilities_are_a_law_with_geometric_tails() -> None:
    p = 0.6
    chances = truncation_probabilities(5, p)
    assert chances.sum() == pytest.approx(1.0, abs=1e-15)
    survive = np.cumsum(chances[::-1])[::-1]  # P(L ≥ m), m = 0 … 4
    np.testing.assert_allclose(survive, p ** np.arange(5), rtol=1e-14)
    np.testing.assert_array_equal(truncation_probabilities(4, 1.0), [0, 0, 0, 1])


def test_the_exact_mean_is_the_full_gradient(rng) -> None:
    model, x, y, h0 = layer_and_data("RNN", rng)
    by_lag = gradient_by_lag(model, x, y, h0=h0)
    _, full = model.loss_and_gradients(x, y, h0)
    for p in (0.3, 0.8, 1.0):
        mean, variance = randomised_truncation_moments(by_lag, p)
        for name, value in mean.items():
            assert relative_error(value, full[name]) < 1e-12, (name, p)
            assert np.all(variance[name] >= -1e-12 * np.max(np.abs(full[name])) ** 2)
    _, no_truncation = randomised_truncation_moments(by_lag, 1.0)
    assert max(np.max(np.abs(v)) for v in no_truncation.values()) < 1e-20


def test_the_sample_mean_of_many_draws_converges_to_the_full_gradient(rng) -> None:
    """The unbiased estimator, averaged over N seeded draws, lands on the full gradient.

    Bound: each entry of the mean of N independent draws has standard deviation
    sqrt(Var/N), with Var the exact variance; 5 of those allow a deviation that a normal
    variable exceeds with probability 6e-7, so over the 4·4 + 4·3 + 4 = 32 entries of W, U
    and b a correct estimator fails less than once in 50,000 seeds (N = 4,000 draws from a
    law with 7 atoms make the mean close to normal).  A biased estimator (the
    weights without compensation) must fail the same bound.
    """
    model, x, y, h0 = layer_and_data("RNN", rng)
    by_lag = gradient_by_lag(model, x, y, h0=h0)
    p, draws = 0.5, 4000
    mean, variance = randomised_truncation_moments(by_lag, p)
    gen = np.random.default_rng(7)
    samples = [randomised_truncation_gradient(by_lag, p, rng=gen) for _ in range(draws)]
    for name, exact in mean.items():
        sample_mean = np.mean([s[name] for s in samples], axis=0)
        bound = 5 * np.sqrt(variance[name] / draws) + 1e-12
        assert np.all(np.abs(sample_mean - exact) <= bound), name
        spread = np.var([s[name] for s in samples], axis=0)
        np.testing.assert_allclose(spread, variance[name], rtol=0.2, atol=1e-12)
    # Truncating at the same random L without the compensation 1/p^ℓ is biased.
    plain = np.mean(
        [truncated_gradient(by_lag, int(gen.geometric(1 - p)) - 1)["W"] for _ in range(draws)],
        axis=0,
    )
    bound = 5 * np.sqrt(variance["W"] / draws) + 1e-12
    assert np.any(np.abs(plain - mean["W"]) > bound)


def test_one_draw_is_reproducible_and_a_truncated_reweighted_sum(rng) -> None:
    model, x, y, h0 = layer_and_data("RNN", rng)
    by_lag = gradient_by_lag(model, x, y, h0=h0)
    first = randomised_truncation_gradient(by_lag, 0.5, rng=3)
    again = randomised_truncation_gradient(by_lag, 0.5, rng=3)
    np.testing.assert_array_equal(first["W"], again["W"])
    candidates = [
        sum(by_lag["W"][lag] / 0.5**lag for lag in range(length + 1)) for length in range(T)
    ]
    assert min(relative_error(first["W"], c) for c in candidates) < 1e-12


# --------------------------------------------------------------------- costs
def test_rtrl_stores_the_sensitivities_total_derivative_computes(rng) -> None:
    model = make_rnn(n_in=3, n_h=4)
    seq = rng.standard_normal((T, model.n_in))
    sizes = sum(total_derivative(model, seq, T, param=name).size for name in ("U", "W", "b"))
    costs = gradient_costs(model, T, k1=2, k2=6)
    assert costs["rtrl"].stored == sizes
    assert costs["rtrl"].per_step == model.n_h * sizes
    assert costs["bptt"].stored == model.states(seq).size
    assert costs["tbptt"].stored == 7 * model.n_h
    assert costs["tbptt"].per_step == 3 * costs["bptt"].per_step
    assert gradient_costs(model, T, k1=T, k2=T)["tbptt"].per_step == costs["bptt"].per_step
    assert "tbptt" not in gradient_costs(model, T)


# --------------------------------------------------------------------- bias against τ
def test_the_bias_curves_agree_with_the_gradients_they_summarise(rng) -> None:
    model, x, y, h0 = layer_and_data("RNN", rng)
    by_lag = gradient_by_lag(model, x, y, h0=h0)
    bias = truncation_bias(by_lag, [0.5, 1.0])
    full = np.concatenate([v.sum(axis=0).ravel() for v in by_lag.values()])
    for tau in (0, 3):
        cut = np.concatenate([v.ravel() for v in truncated_gradient(by_lag, tau).values()])
        cosine = cut @ full / (np.linalg.norm(cut) * np.linalg.norm(full))
        assert bias.cosine[tau] == pytest.approx(cosine, rel=1e-12)
        error = np.linalg.norm(cut - full) / np.linalg.norm(full)
        assert bias.relative_error[tau] == pytest.approx(error, rel=1e-12)
        ratio = np.linalg.norm(cut) / np.linalg.norm(full)
        assert bias.norm_ratio[tau] == pytest.approx(ratio, rel=1e-12)
    assert bias.cosine[-1] == pytest.approx(1.0, abs=1e-14)
    assert bias.relative_error[-1] < 1e-14
    _, variance = randomised_truncation_moments(by_lag, 0.5)
    total = sum(v.sum() for v in variance.values())
    assert bias.rms_error[0] == pytest.approx(np.sqrt(total) / np.linalg.norm(full), rel=1e-12)
    chances = truncation_probabilities(T, 0.5)
    assert bias.mean_length[0] == pytest.approx(chances @ np.arange(T), rel=1e-14)
    # p = 1 never truncates: every loss crosses all T − 1 Jacobians it can, with no error.
    assert bias.mean_length[1] == T - 1
    assert bias.rms_error[1] < 1e-6
