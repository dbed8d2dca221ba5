"""The vanilla RNN: forward pass, full and truncated BPTT, heads, dtypes, construction."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest

from rnngrad import ACTIVATIONS, RNN, get_activation, numerical_gradient, relative_error

ACTS = sorted(ACTIVATIONS)
LENGTHS = (1, 2, 7)
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


def targets(model: RNN, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    assert model.n_out is not None
    if model.head == "softmax":
        return rng.integers(0, model.n_out, size=shape)
    return rng.standard_normal((*shape, model.n_out))


def away_from_kinks(model: RNN, x: np.ndarray, h0: np.ndarray) -> None:
    """ReLU has no derivative at z = 0: finite differences must not straddle it."""
    states = naive_states(model, x, h0)
    z = x @ model.U.T + states[:-1] @ model.W.T + model.b
    assert np.min(np.abs(z)) > 1e-3, "pick another seed: a pre-activation is near ReLU's kink"


def loss_of(model: RNN, name: str, x, y, h0, steps: str) -> Callable[[np.ndarray], float]:
    """E as a function of one named quantity (a parameter, the inputs x or the state s_0)."""

    def loss(value: np.ndarray) -> float:
        if name == "x":
            return model.loss(value, y, h0, steps=steps)
        if name == "h0":
            return model.loss(x, y, value, steps=steps)
        return dataclasses.replace(model, **{name: value}).loss(x, y, h0, steps=steps)

    return loss


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("T", LENGTHS)
@pytest.mark.parametrize(("head", "steps"), [("softmax", "every"), ("linear", "last")])
def test_gradients_match_central_differences(make_rnn, rng, activation, T, head, steps) -> None:
    model = make_rnn(activation, head=head)
    x = rng.standard_normal((T, B, model.n_in))
    h0 = 0.5 * rng.standard_normal((B, model.n_h))
    y = targets(model, rng, (T, B) if steps == "every" else (B,))
    if activation == "relu":
        away_from_kinks(model, x, h0)
    _, grads = model.loss_and_gradients(x, y, h0, steps=steps)
    inputs = model.parameters() | {"x": x, "h0": h0}
    assert set(grads) == set(inputs)
    for name, value in inputs.items():
        numeric = numerical_gradient(loss_of(model, name, x, y, h0, steps), value)
        assert grads[name].shape == value.shape
        assert relative_error(grads[name], numeric) < 1e-6, name


@pytest.mark.parametrize("activation", ACTS)
def test_forward_matches_a_naive_loop(make_rnn, rng, activation) -> None:
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


def test_missing_h0_means_zeros(make_rnn, rng) -> None:
    model = make_rnn()
    x = rng.standard_normal((4, B, model.n_in))
    np.testing.assert_array_equal(model.forward(x)[0], model.forward(x, np.zeros((B, 4)))[0])


def test_sequences_of_a_batch_are_independent(make_rnn, rng) -> None:
    model = make_rnn()
    x = rng.standard_normal((5, B, model.n_in))
    dhs = rng.standard_normal((5, B, model.n_h))
    _, cache = model.forward(x)
    together = model.backward(dhs, cache)
    _, cache_one = model.forward(x[:, 1:2])
    alone = model.backward(dhs[:, 1:2], cache_one)
    np.testing.assert_allclose(together["x"][:, 1:2], alone["x"], rtol=1e-12)
    np.testing.assert_allclose(together["h0"][1:2], alone["h0"], rtol=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_backward_is_the_gradient_of_a_linear_readout(make_rnn, rng, activation) -> None:
    """backward(dhs) is ∂L/∂θ for L = Σ_t ⟨dhs_t, s_t⟩: checked for every input of the layer."""
    model = make_rnn(activation, n_out=None)
    x = rng.standard_normal((4, 2, model.n_in))
    h0 = rng.standard_normal((2, model.n_h))
    dhs = rng.standard_normal((4, 2, model.n_h))
    if activation == "relu":
        away_from_kinks(model, x, h0)
    _, cache = model.forward(x, h0)
    grads = model.backward(dhs, cache)
    readout = {
        "W": lambda W: np.sum(dhs * dataclasses.replace(model, W=W).forward(x, h0)[0]),
        "x": lambda v: np.sum(dhs * model.forward(v, h0)[0]),
        "h0": lambda v: np.sum(dhs * model.forward(x, v)[0]),
    }
    for name, value in (("W", model.W), ("x", x), ("h0", h0)):
        assert relative_error(grads[name], numerical_gradient(readout[name], value)) < 1e-6


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
def test_truncated_bptt_is_the_gradient_of_the_detached_surrogate(make_rnn, rng, activation, k):
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


def test_truncation_at_or_beyond_the_length_is_full_bptt(make_rnn, rng) -> None:
    model = make_rnn()
    x = rng.standard_normal((5, B, model.n_in))
    y = rng.integers(0, 5, size=(5, B))
    full = model.loss_and_gradients(x, y)[1]
    for k in (5, 50):
        cut = model.loss_and_gradients(x, y, truncate=k)[1]
        for name in full:
            np.testing.assert_allclose(cut[name], full[name], rtol=1e-13, atol=1e-15)


def test_truncation_to_zero_keeps_only_immediate_terms(make_rnn, rng) -> None:
    model = make_rnn(n_out=None)
    x = rng.standard_normal((5, 1, model.n_in))
    dhs = rng.standard_normal((5, 1, model.n_h))
    hs, cache = model.forward(x)
    grads = model.backward(dhs, cache, truncate=0)
    dz = dhs[:, 0] * (1 - hs[:, 0] ** 2)  # tanh′ from the output, no recurrence
    np.testing.assert_allclose(grads["W"], dz.T @ cache.states[:-1, 0], rtol=1e-13)
    np.testing.assert_array_equal(grads["h0"], 0.0)


# --------------------------------------------------------------------- heads and losses
def test_softmax_head_outputs_probabilities(make_rnn, rng) -> None:
    model = make_rnn()
    probs = model.predict(rng.standard_normal((3, B, model.n_in)))
    assert probs.shape == (3, B, 5)
    assert np.all(probs > 0)
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, rtol=1e-14)


def test_cross_entropy_is_minus_log_probability_of_the_label(make_rnn, rng) -> None:
    model = make_rnn()
    x = rng.standard_normal((3, B, model.n_in))
    y = rng.integers(0, 5, size=(3, B))
    probs = model.predict(x)
    expected = -np.log(np.take_along_axis(probs, y[..., None], axis=-1)).sum() / B
    assert model.loss(x, y) == pytest.approx(expected, rel=1e-13)


def test_mse_on_last_step_uses_only_the_last_state(make_rnn, rng) -> None:
    model = make_rnn(head="linear", n_out=1)
    x = rng.standard_normal((6, B, model.n_in))
    y = rng.standard_normal((B, 1))
    out = model.predict(x)
    assert model.loss(x, y, steps="last") == pytest.approx(np.mean((out[-1] - y) ** 2), rel=1e-13)
    # With the same last target, the loss on every step adds T − 1 non-negative terms.
    every = rng.standard_normal((6, B, 1))
    every[-1] = y
    assert model.loss(x, every) > model.loss(x, y, steps="last")


def test_loss_does_not_overflow_for_huge_logits(make_rnn, rng) -> None:
    model = make_rnn()
    big = dataclasses.replace(model, V=1e4 * model.V)
    x = rng.standard_normal((2, B, model.n_in))
    loss, grads = big.loss_and_gradients(x, rng.integers(0, 5, size=(2, B)))
    assert np.isfinite(loss)
    assert all(np.all(np.isfinite(g)) for g in grads.values())


# --------------------------------------------------------------------- dtypes
def test_float32_in_float32_out(make_rnn, rng) -> None:
    model = make_rnn()
    x64 = rng.standard_normal((4, B, model.n_in))
    y = rng.integers(0, 5, size=(4, B))
    hs, cache = model.forward(x64.astype(np.float32))
    assert hs.dtype == np.float32
    grads = model.backward(np.ones_like(hs), cache)
    assert {g.dtype for g in grads.values()} == {np.dtype(np.float32)}
    _, grads32 = model.loss_and_gradients(x64.astype(np.float32), y)
    _, grads64 = model.loss_and_gradients(x64, y)
    assert {g.dtype for g in grads32.values()} == {np.dtype(np.float32)}
    for name, g in grads64.items():
        np.testing.assert_allclose(grads32[name], g, rtol=2e-4, atol=2e-5)


def test_float32_model_keeps_its_dtype() -> None:
    model = RNN.random(2, 3, 4, dtype=np.float32)
    assert model.dtype == np.float32
    assert all(p.dtype == np.float32 for p in model.parameters().values())
    hs, _ = model.forward(np.ones((2, 1, 2), dtype=np.float32))
    assert hs.dtype == np.float32


def test_mixed_parameter_dtypes_are_promoted() -> None:
    model = RNN(np.ones((2, 1), np.float32), np.eye(2), np.zeros(2, np.float32))
    assert model.dtype == np.float64


# --------------------------------------------------------------------- construction
def test_random_is_reproducible_and_seed_dependent() -> None:
    first, again, other = RNN.random(3, 4, rng=7), RNN.random(3, 4, rng=7), RNN.random(3, 4, rng=8)
    np.testing.assert_array_equal(first.W, again.W)
    assert not np.array_equal(first.W, other.W)
    np.testing.assert_array_equal(RNN.random(3, 4).U, RNN.random(3, 4, rng=0).U)


def test_random_recurrent_initialisations() -> None:
    ortho = RNN.random(2, 6, recurrent="orthogonal").W
    np.testing.assert_allclose(ortho.T @ ortho, np.eye(6), atol=1e-14)
    np.testing.assert_array_equal(RNN.random(2, 6, recurrent="identity").W, np.eye(6))


def test_gaussian_init_has_unit_order_spectral_radius() -> None:
    W = RNN.random(1, 400, rng=3).W
    assert 0.9 < np.max(np.abs(np.linalg.eigvals(W))) < 1.1  # circular law: radius → 1


def test_model_is_frozen_and_replace_revalidates(make_rnn) -> None:
    model = make_rnn()
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.W = np.eye(4)  # type: ignore[misc]
    with pytest.raises(ValueError, match=r"W must be square .*got \(4, 3\)"):
        dataclasses.replace(model, W=np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"U must have shape \(3, n_in\), got \(4, 3\)"):
        dataclasses.replace(model, W=np.eye(3))  # W fixes n_h = 3, and U no longer fits


def test_head_defaults_and_sizes(make_rnn) -> None:
    model = make_rnn()
    assert (model.n_in, model.n_h, model.n_out, model.head) == (3, 4, 5, "softmax")
    bare = RNN(np.ones((2, 3)), np.eye(2), np.zeros(2), V=np.ones((1, 2)))
    np.testing.assert_array_equal(bare.c, [0.0])
    assert bare.head == "softmax"
    assert set(make_rnn(n_out=None).parameters()) == {"U", "W", "b"}
