"""What only the vanilla RNN has: its forward pass against a loop, each activation, truncated
BPTT, the heads' losses on it, its initialisations (the contract: test_layers.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest
from helpers import make_rnn

from rnngrad import ACTIVATIONS, RNN, get_activation, numerical_gradient, relative_error

ACTS = sorted(ACTIVATIONS)
B = 3


def naive_states(model: RNN, x: np.ndarray, h0: np.ndarray) -> np.ndarray:
    """s_0 … s_T of a batch, one sequence and one step at a time, column-vector style."""
    f = get_activation(model.activation)
    T, batch, _ = x.shape
    out = np.zeros((T + 1, batch, model.n_h))
    for i in range(batch):
        s = h0[i]
        out[0, i] = s
        for t in range(1, T + 1):
            s = f(model.U @ x[t - 1, i] + model.W @ s + model.b)
            out[t, i] = s
    return out


# --------------------------------------------------------------------- the recurrence
@pytest.mark.parametrize("activation", ACTS)
def test_forward_matches_a_naive_loop(rng, activation) -> None:
    model = make_rnn(activation)
    x = rng.standard_normal((6, B, model.n_in))
    h0 = rng.standard_normal((B, model.n_h))
    hs, cache = model.forward(x, h0)
    expected = naive_states(model, x, h0)
    np.testing.assert_allclose(hs, expected[1:], rtol=1e-13, atol=1e-14)
    np.testing.assert_array_equal(cache.states[0], h0)


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_one_step_applies_the_activation(activation, dtype) -> None:
    """With U = 1, W = 0, b = 0 a step is s_t = f(x_t): forward and backward against f and f′."""
    z = np.concatenate([np.linspace(-40, 40, 2001), [-1e4, -800, 800, 1e4]])
    model = RNN(np.ones((1, 1)), np.zeros((1, 1)), np.zeros(1), activation)
    x = z.astype(dtype)[:, None, None]  # one step per value: z_t = x_t exactly
    hs, cache = model.forward(x)
    reference = get_activation(activation)(z.astype(dtype))
    tol = 4e-16 if dtype == np.float64 else 2.5e-7
    np.testing.assert_allclose(hs[:, 0, 0], reference, rtol=0, atol=tol)
    dx = model.backward(np.ones_like(hs), cache)["x"][:, 0, 0]  # f′(z_t), one step each
    slope = get_activation(activation).derivative(z)
    np.testing.assert_allclose(dx, slope, rtol=0, atol=4 * tol)


# --------------------------------------------------------------------- truncated BPTT
def surrogate_readout(model: RNN, x, h0, dhs, k: int, name: str) -> Callable[[np.ndarray], float]:
    """Σ_t ⟨dhs_t, s_t⟩ where s_t is recomputed from s_{t−k−1} held constant (detached).

    Its exact gradient is what truncated BPTT to k steps must return.
    """
    true_states = naive_states(model, x, h0)

    def readout(value: np.ndarray) -> float:
        m = dataclasses.replace(model, **{name: value}) if name in "UWb" else model
        xs = value if name == "x" else x
        start_live = value if name == "h0" else h0
        total = 0.0
        for t in range(1, x.shape[0] + 1):
            first = t - k - 1  # the last state the gradient must not reach through
            start = start_live if first < 0 else true_states[first]
            s_t = m.forward(xs[max(first, 0) : t], start)[0][-1]
            total += float(np.sum(dhs[t - 1] * s_t))
        return total

    return readout


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "identity"])
@pytest.mark.parametrize("k", [0, 1, 3, 6, 7])
def test_truncated_bptt_is_the_gradient_of_the_detached_surrogate(rng, activation, k):
    T = 7
    model = make_rnn(activation, n_out=None)
    x = rng.standard_normal((T, 2, model.n_in))
    h0 = rng.standard_normal((2, model.n_h))
    dhs = rng.standard_normal((T, 2, model.n_h))
    _, cache = model.forward(x, h0)
    grads = model.backward(dhs, cache, truncate=k)
    for name, value in (model.parameters() | {"x": x, "h0": h0}).items():
        numeric = numerical_gradient(surrogate_readout(model, x, h0, dhs, k, name), value)
        assert relative_error(grads[name], numeric) < 1e-6, name


def test_truncation_at_or_beyond_the_length_is_full_bptt(rng) -> None:
    model = make_rnn()
    x = rng.standard_normal((5, B, model.n_in))
    y = rng.integers(0, 5, size=(5, B))
    full = model.loss_and_gradients(x, y)[1]
    for k in (5, 50):
        cut = model.loss_and_gradients(x, y, truncate=k)[1]
        for name in full:
            np.testing.assert_allclose(cut[name], full[name], rtol=1e-13, atol=1e-15)


def test_truncation_to_zero_keeps_only_immediate_terms(rng) -> None:
    model = make_rnn(n_out=None)
    x = rng.standard_normal((5, 1, model.n_in))
    dhs = rng.standard_normal((5, 1, model.n_h))
    hs, cache = model.forward(x)
    grads = model.backward(dhs, cache, truncate=0)
    dz = dhs[:, 0] * (1 - hs[:, 0] ** 2)  # tanh′ from the output, no recurrence
    np.testing.assert_allclose(grads["W"], dz.T @ cache.states[:-1, 0], rtol=1e-13)
    np.testing.assert_array_equal(grads["h0"], 0.0)


# --------------------------------------------------------------------- heads and losses
def test_softmax_head_outputs_probabilities(rng) -> None:
    model = make_rnn()
    probs = model.predict(rng.standard_normal((3, B, model.n_in)))
    assert probs.shape == (3, B, 5)
    assert np.all(probs > 0)
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, rtol=1e-14)


def test_cross_entropy_is_minus_log_probability_of_the_label(rng) -> None:
    model = make_rnn()
    x = rng.standard_normal((3, B, model.n_in))
    y = rng.integers(0, 5, size=(3, B))
    probs = model.predict(x)
    expected = -np.log(np.take_along_axis(probs, y[..., None], axis=-1)).sum() / B
    assert model.loss(x, y) == pytest.approx(expected, rel=1e-13)


def test_mse_on_last_step_uses_only_the_last_state(rng) -> None:
    model = make_rnn(head="linear", n_out=1)
    x = rng.standard_normal((6, B, model.n_in))
    y = rng.standard_normal((B, 1))
    out = model.predict(x)
    assert model.loss(x, y, steps="last") == pytest.approx(np.mean((out[-1] - y) ** 2), rel=1e-13)
    # With the same last target, the loss on every step adds T − 1 non-negative terms.
    every = rng.standard_normal((6, B, 1))
    every[-1] = y
    assert model.loss(x, every) > model.loss(x, y, steps="last")


def test_loss_does_not_overflow_for_huge_logits(rng) -> None:
    model = make_rnn()
    big = dataclasses.replace(model, V=1e4 * model.V)
    x = rng.standard_normal((2, B, model.n_in))
    loss, grads = big.loss_and_gradients(x, rng.integers(0, 5, size=(2, B)))
    assert np.isfinite(loss)
    assert all(np.all(np.isfinite(g)) for g in grads.values())


# --------------------------------------------------------------------- construction
def test_identity_initialisation() -> None:
    np.testing.assert_array_equal(RNN.random(2, 6, recurrent="identity").W, np.eye(6))


def test_gaussian_init_has_unit_order_spectral_radius() -> None:
    W = RNN.random(1, 400, rng=3).W
    assert 0.9 < np.max(np.abs(np.linalg.eigvals(W))) < 1.1  # circular law: radius → 1
