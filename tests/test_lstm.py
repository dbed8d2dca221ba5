"""The LSTM: gradients, the constant error carousel, state Jacobians, torch parity, bad input."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import rnngrad as rg
from rnngrad import LSTM, jacobian_product, numerical_gradient, relative_error

LENGTHS = (1, 2, 7)
B, N_IN, N_H, N_OUT = 3, 3, 4, 5


def make_lstm(forget_gate: bool = True, *, n_out: int | None = N_OUT, head: str = "softmax"):
    """A small LSTM whose biases are all non-zero, so that every parameter matters."""
    gen = np.random.default_rng(5)
    model = LSTM.random(N_IN, N_H, n_out, forget_gate=forget_gate, head=head, rng=gen)
    b = model.b + 0.3 * gen.standard_normal(4 * N_H)
    c = None if n_out is None else 0.3 * gen.standard_normal(n_out)
    return dataclasses.replace(model, b=b, c=c)


def pair(parts: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    return parts["h0"], parts["c0"]


def initial_parts(rng: np.random.Generator, batch: int = B) -> dict[str, np.ndarray]:
    return {name: 0.5 * rng.standard_normal((batch, N_H)) for name in ("h0", "c0")}


# --------------------------------------------------------------------- gradients
@pytest.mark.parametrize("forget_gate", [True, False])
@pytest.mark.parametrize("T", LENGTHS)
@pytest.mark.parametrize(("head", "steps"), [("softmax", "every"), ("linear", "last")])
def test_gradients_match_central_differences(
    check_loss_gradients, rng, forget_gate, T, head, steps
) -> None:
    model = make_lstm(forget_gate, head=head)
    x = rng.standard_normal((T, B, N_IN))
    if head == "softmax":
        y = rng.integers(0, N_OUT, size=(T, B))
    else:
        y = rng.standard_normal((B, N_OUT))
    check_loss_gradients(model, x, y, initial_parts(rng), pair, steps=steps)


def test_backward_is_the_gradient_of_a_linear_readout(rng) -> None:
    """backward(dhs) alone, without a head: L = Σ_t ⟨dhs_t, h_t⟩."""
    model = make_lstm(n_out=None)
    x = rng.standard_normal((5, 2, N_IN))
    h0, c0 = pair(initial_parts(rng, 2))
    dhs = rng.standard_normal((5, 2, N_H))
    grads = model.backward(dhs, model.forward(x, (h0, c0))[1])
    readout = {
        "U": lambda v: np.sum(dhs * dataclasses.replace(model, U=v).forward(x, (h0, c0))[0]),
        "W": lambda v: np.sum(dhs * dataclasses.replace(model, W=v).forward(x, (h0, c0))[0]),
        "b": lambda v: np.sum(dhs * dataclasses.replace(model, b=v).forward(x, (h0, c0))[0]),
        "x": lambda v: np.sum(dhs * model.forward(v, (h0, c0))[0]),
        "h0": lambda v: np.sum(dhs * model.forward(x, (v, c0))[0]),
        "c0": lambda v: np.sum(dhs * model.forward(x, (h0, v))[0]),
    }
    values = model.parameters() | {"x": x, "h0": h0, "c0": c0}
    assert set(grads) == set(readout)
    for name, fn in readout.items():
        assert relative_error(grads[name], numerical_gradient(fn, values[name])) < 1e-6, name


def test_without_forget_gate_its_rows_get_no_gradient(rng) -> None:
    model = make_lstm(forget_gate=False)
    x = rng.standard_normal((4, B, N_IN))
    _, grads = model.loss_and_gradients(x, rng.integers(0, N_OUT, size=(4, B)))
    rows = slice(N_H, 2 * N_H)
    for name in ("U", "W", "b"):
        np.testing.assert_array_equal(grads[name][rows], 0.0)
        assert np.any(grads[name] != 0)


def test_forward_matches_the_equations(rng) -> None:
    model = make_lstm()
    x = rng.standard_normal((3, 2, N_IN))
    h, c = pair(initial_parts(rng, 2))
    hs, cache = model.forward(x, (h, c))

    def sigmoid(a):
        return 1 / (1 + np.exp(-a))

    for t in range(3):
        a = x[t] @ model.U.T + h @ model.W.T + model.b
        i, f, g, o = np.split(a, 4, axis=1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        np.testing.assert_allclose(hs[t], h, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(cache.cells[-1], c, rtol=1e-13, atol=1e-15)


def test_missing_state_means_zeros_and_the_pair_is_required(rng) -> None:
    model = make_lstm()
    x = rng.standard_normal((3, 2, N_IN))
    zeros = np.zeros((2, N_H))
    np.testing.assert_array_equal(model.forward(x)[0], model.forward(x, (zeros, None))[0])
    with pytest.raises(TypeError, match=r"h0 must be the pair \(h0, c0\) or None, got ndarray"):
        model.forward(x, zeros)


# --------------------------------------------------------------------- Jacobians
def final_state(model: LSTM, x: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """(h_k, c_k) stacked ↦ (h_t, c_t) stacked, running x_{k+1} … x_t."""

    def run(state: np.ndarray) -> np.ndarray:
        _, cache = model.forward(x[:, None], (state[None, :N_H], state[None, N_H:]))
        return np.concatenate([cache.states[-1, 0], cache.cells[-1, 0]])

    return run


@pytest.mark.parametrize("forget_gate", [True, False])
@pytest.mark.parametrize(("t", "k"), [(1, 0), (4, 1), (6, 0)])
def test_jacobian_products_match_finite_differences(rng, forget_gate, t, k) -> None:
    model = make_lstm(forget_gate, n_out=None)
    x = rng.standard_normal((6, N_IN))
    h0, c0 = 0.5 * rng.standard_normal(N_H), 0.5 * rng.standard_normal(N_H)
    J = model.state_jacobians(x, (h0, c0))
    assert J.shape == (6, 2 * N_H, 2 * N_H)
    _, cache = model.forward(x[:, None], (h0[None], c0[None]))
    state_k = np.concatenate([cache.states[k, 0], cache.cells[k, 0]])
    numeric = rg.numerical_jacobian(final_state(model, x[k:t]), state_k)
    assert relative_error(jacobian_product(J, t, k), numeric) < 1e-7


def test_the_carousel_is_exactly_the_identity_without_forget_gate(rng) -> None:
    """Without f: f_j ≡ 1, and ∂c_j/∂c_{j−1} = I exactly (no peepholes: the gates do not
    see c_{j−1}).  Over several steps the full ∂c_t/∂c_k also has paths through h; with
    W = 0 those vanish and the whole block is exactly I for every lag."""
    model = make_lstm(forget_gate=False, n_out=None)
    x = rng.standard_normal((6, N_IN))
    np.testing.assert_array_equal(model.forget_gates(x), 1.0)
    J = model.state_jacobians(x)
    np.testing.assert_array_equal(J[:, N_H:, N_H:], np.broadcast_to(np.eye(N_H), (6, N_H, N_H)))
    no_recurrence = dataclasses.replace(model, W=np.zeros_like(model.W))
    J0 = no_recurrence.state_jacobians(x)
    for k in range(6):
        np.testing.assert_array_equal(jacobian_product(J0, 6, k)[N_H:, N_H:], np.eye(N_H))
    np.testing.assert_array_equal(model.jacobian_norms_by_lag(x, 6, block="carousel"), 1.0)


def test_one_cell_step_is_the_forget_gate(rng) -> None:
    model = make_lstm(n_out=None)
    x = rng.standard_normal((5, N_IN))
    f = model.forget_gates(x)
    J = model.state_jacobians(x)
    np.testing.assert_array_equal(J[:, N_H:, N_H:], np.stack([np.diag(row) for row in f]))
    no_recurrence = dataclasses.replace(model, W=np.zeros_like(model.W))
    carousel = np.diag(np.prod(no_recurrence.forget_gates(x)[1:5], axis=0))
    full = jacobian_product(no_recurrence.state_jacobians(x), 5, 1)[N_H:, N_H:]
    np.testing.assert_allclose(full, carousel, rtol=1e-15, atol=0)


@pytest.mark.parametrize("block", ["h", "c", "state"])
def test_norms_by_lag_are_norms_of_the_blocks(rng, block) -> None:
    model = make_lstm(n_out=None)
    x = rng.standard_normal((7, N_IN))
    J = model.state_jacobians(x)
    part = {"h": slice(0, N_H), "c": slice(N_H, 2 * N_H), "state": slice(None)}[block]
    expected = [np.linalg.norm(jacobian_product(J, 7, 7 - lag)[part, part], 2) for lag in range(8)]
    norms = model.jacobian_norms_by_lag(x, 7, block=block)
    np.testing.assert_allclose(norms, expected, rtol=1e-12)
    assert norms[0] == 1.0


def test_carousel_norm_is_the_largest_product_of_forget_gates(rng) -> None:
    model = make_lstm(n_out=None)
    x = rng.standard_normal((6, N_IN))
    f = model.forget_gates(x)
    expected = [np.max(np.prod(f[6 - lag : 6], axis=0)) for lag in range(7)]
    norms = model.jacobian_norms_by_lag(x, 6, block="carousel")
    np.testing.assert_allclose(norms, expected, rtol=1e-13)


# --------------------------------------------------------------------- dtypes, construction
def test_float32_in_float32_out(rng) -> None:
    model = make_lstm()
    x64 = rng.standard_normal((4, B, N_IN))
    y = rng.integers(0, N_OUT, size=(4, B))
    hs, cache = model.forward(x64.astype(np.float32))
    assert hs.dtype == np.float32
    grads = model.backward(np.ones_like(hs), cache)
    assert {g.dtype for g in grads.values()} == {np.dtype(np.float32)}
    _, grads32 = model.loss_and_gradients(x64.astype(np.float32), y)
    _, grads64 = model.loss_and_gradients(x64, y)
    for name, g in grads64.items():
        assert grads32[name].dtype == np.float32
        np.testing.assert_allclose(grads32[name], g, rtol=2e-4, atol=2e-5, err_msg=name)
    assert LSTM.random(2, 3, dtype=np.float32).dtype == np.float32


def test_random_biases_reproducibility_and_variants() -> None:
    model = LSTM.random(2, 3, forget_bias=1.5, rng=4)
    np.testing.assert_array_equal(model.b, np.repeat([0.0, 1.5, 0.0, 0.0], 3))
    np.testing.assert_array_equal(model.W, LSTM.random(2, 3, rng=4).W)
    bare = LSTM.random(2, 3, forget_gate=False)
    assert not bare.forget_gate
    np.testing.assert_array_equal(bare.parameters()["U"][3:6], 0.0)
    ortho = LSTM.random(2, 3, recurrent="orthogonal").W[6:9]
    np.testing.assert_allclose(ortho @ ortho.T, np.eye(3), atol=1e-14)
    assert set(LSTM.random(2, 3, 4).parameters()) == {"U", "W", "b", "V", "c"}
    assert (bare.n_in, bare.n_h, bare.n_out) == (2, 3, None)


# --------------------------------------------------------------------- torch
def test_state_dict_round_trip_and_both_biases(rng) -> None:
    sd = {
        "weight_ih_l0": rng.standard_normal((4 * N_H, N_IN)),
        "weight_hh_l0": rng.standard_normal((4 * N_H, N_H)),
        "bias_ih_l0": rng.standard_normal(4 * N_H),
        "bias_hh_l0": rng.standard_normal(4 * N_H),
    }
    model = LSTM.from_torch_state_dict(sd)
    np.testing.assert_array_equal(model.b, sd["bias_ih_l0"] + sd["bias_hh_l0"])
    again = LSTM.from_torch_state_dict(model.to_torch_state_dict())
    x = rng.standard_normal((3, 2, N_IN))
    np.testing.assert_array_equal(again.forward(x)[0], model.forward(x)[0])
    hs, cache = model.forward(x)
    g = model.backward(np.ones_like(hs), cache)
    out = model.to_torch_state_dict(g)
    np.testing.assert_array_equal(out["bias_ih_l0"], g["b"])
    np.testing.assert_array_equal(out["bias_hh_l0"], g["b"])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_forward_and_gradients_match_torch(torch_module, torch_forward_backward, rng, dtype):
    torch = torch_module
    torch.manual_seed(0)
    layer = torch.nn.LSTM(N_IN, N_H, dtype=getattr(torch, dtype))
    x = rng.standard_normal((7, B, N_IN)).astype(dtype)
    parts = {k: v.astype(dtype) for k, v in initial_parts(rng).items()}
    dhs = rng.standard_normal((7, B, N_H)).astype(dtype)
    out, expected = torch_forward_backward(layer, x, parts, dhs)

    model = LSTM.from_torch_state_dict(layer.state_dict())
    hs, cache = model.forward(x, pair(parts))
    g = model.backward(dhs, cache)
    ours = model.to_torch_state_dict(g) | {name: g[name] for name in ("x", "h0", "c0")}
    tol = {"rtol": 1e-12, "atol": 1e-14} if dtype == "float64" else {"rtol": 1e-4, "atol": 1e-5}
    assert hs.dtype == np.dtype(dtype)
    np.testing.assert_allclose(hs, out, **tol)
    assert set(ours) == set(expected)
    for name, grad in expected.items():
        np.testing.assert_allclose(ours[name], grad, **tol, err_msg=name)


# --------------------------------------------------------------------- bad input
MODEL = make_lstm()
X = np.random.default_rng(0).standard_normal((6, 2, N_IN))
HS, CACHE = MODEL.forward(X)
SD = MODEL.to_torch_state_dict()
Case = tuple[Callable[[], Any], type[Exception], str]
CASES: dict[str, Case] = {
    "LSTM U wrong shape": (
        lambda: LSTM(np.ones((8, 2)), np.ones((12, 3)), np.zeros(12)),
        ValueError,
        r"U must have shape \(12, n_in\), got \(8, 2\)",
    ),
    "LSTM W not 4 n_h rows": (
        lambda: LSTM(np.ones((12, 2)), np.ones((12, 4)), np.zeros(12)),
        ValueError,
        r"W must have shape \(16, 4\), got \(12, 4\)",
    ),
    "LSTM b wrong shape": (
        lambda: LSTM(np.ones((8, 2)), np.ones((8, 2)), np.zeros(4)),
        ValueError,
        r"b must have shape \(8,\), got \(4,\)",
    ),
    "LSTM forget_gate not bool": (
        lambda: LSTM(np.ones((8, 2)), np.ones((8, 2)), np.zeros(8), forget_gate="no"),
        TypeError,
        r"forget_gate must be True or False, got str",
    ),
    "LSTM c without V": (
        lambda: LSTM(np.ones((8, 2)), np.ones((8, 2)), np.zeros(8), c=np.zeros(2)),
        ValueError,
        r"c and head need the output weights V",
    ),
    "random forget_bias nan": (
        lambda: LSTM.random(2, 3, forget_bias=float("nan")),
        ValueError,
        r"forget_bias must be finite",
    ),
    "random recurrent identity": (
        lambda: LSTM.random(2, 3, recurrent="identity"),
        ValueError,
        r"recurrent must be one of 'gaussian', 'orthogonal', got 'identity'",
    ),
    "random n_h zero": (lambda: LSTM.random(2, 0), ValueError, r"n_h must be >= 1, got 0"),
    "forward x 2-d": (
        lambda: MODEL.forward(X[:, 0]),
        ValueError,
        r"x must have shape \(T, B, 3\), got \(6, 3\)",
    ),
    "forward h0 not a pair": (
        lambda: MODEL.forward(X, (np.zeros((2, N_H)),)),
        TypeError,
        r"h0 must be the pair \(h0, c0\) or None, got tuple of length 1",
    ),
    "forward c0 wrong shape": (
        lambda: MODEL.forward(X, (np.zeros((2, N_H)), np.zeros((3, N_H)))),
        ValueError,
        r"c0 must have shape \(2, 4\), got \(3, 4\)",
    ),
    "backward cache type": (
        lambda: MODEL.backward(HS, rg.RNN.random(3, 4).forward(X)[1]),
        TypeError,
        r"cache must be the LSTMCache from forward, got ForwardCache",
    ),
    "backward dhs wrong shape": (
        lambda: MODEL.backward(np.zeros((6, 2, 3)), CACHE),
        ValueError,
        r"dhs must have shape \(6, 2, 4\), got \(6, 2, 3\)",
    ),
    "predict without head": (
        lambda: make_lstm(n_out=None).predict(X),
        ValueError,
        r"this LSTM has no head",
    ),
    "loss labels out of range": (
        lambda: MODEL.loss(X, np.full((6, 2), 9)),
        ValueError,
        r"y must hold class labels in \[0, 5\)",
    ),
    "loss_and_gradients unknown steps": (
        lambda: MODEL.loss_and_gradients(X, np.zeros(2, int), steps="first"),
        ValueError,
        r"steps must be one of",
    ),
    "from_torch_state_dict RNN-sized": (
        lambda: LSTM.from_torch_state_dict(rg.RNN.random(3, 4).to_torch_state_dict()),
        ValueError,
        r"sd\['weight_hh_l0'\] must have shape \(16, 4\), got \(4, 4\)",
    ),
    "from_torch_state_dict missing key": (
        lambda: LSTM.from_torch_state_dict({k: v for k, v in SD.items() if k != "bias_ih_l0"}),
        ValueError,
        r"sd is missing the key\(s\) \['bias_ih_l0'\]",
    ),
    "from_torch_state_dict unknown key": (
        lambda: LSTM.from_torch_state_dict(SD | {"weight_hr_l0": SD["weight_hh_l0"]}),
        ValueError,
        r"unknown key\(s\) \['weight_hr_l0'\].*one-layer, unidirectional torch\.nn\.LSTM",
    ),
    "to_torch_state_dict grads wrong shape": (
        lambda: MODEL.to_torch_state_dict({"U": MODEL.U, "W": MODEL.U, "b": MODEL.b}),
        ValueError,
        r"g\['W'\] must have shape \(16, 4\), got \(16, 3\)",
    ),
    "state_jacobians x batch": (
        lambda: MODEL.state_jacobians(X),
        ValueError,
        r"x must have shape \(T, 3\), got \(6, 2, 3\)",
    ),
    "forget_gates h0 batch": (
        lambda: MODEL.forget_gates(X[:, 0], (np.zeros((1, N_H)), None)),
        ValueError,
        r"h0 must have shape \(4,\), got \(1, 4\)",
    ),
    "jacobian_norms_by_lag t beyond T": (
        lambda: MODEL.jacobian_norms_by_lag(X[:, 0], 7),
        ValueError,
        r"need 0 <= k <= t <= T = 6",
    ),
    "jacobian_norms_by_lag unknown block": (
        lambda: MODEL.jacobian_norms_by_lag(X[:, 0], 2, block="W"),
        ValueError,
        r"block must be one of 'c', 'carousel', 'h', 'state', got 'W'",
    ),
    "loss_and_state_gradients unknown steps": (
        lambda: MODEL.loss_and_state_gradients(X, np.zeros(2, int), steps="first"),
        ValueError,
        r"steps must be one of",
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_is_refused_with_a_clear_message(refused, case: str) -> None:
    refused(CASES[case])


def test_every_public_method_has_a_bad_input_case(methods_without_case) -> None:
    assert methods_without_case(LSTM, CASES) == set()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_saturated_gates_reach_their_limits_quietly(rng, dtype) -> None:
    """Pre-activations of order ±10⁴: e^{±a} overflows to inf inside the gate kernel, which
    must give the exact limits (0 or 1 for σ, ±1 for tanh), no warning and finite gradients."""
    base = make_lstm(n_out=None)
    U = 1e4 * base.U
    model = LSTM(*(np.asarray(p, dtype) for p in (U, base.W, base.b)))
    x = rng.standard_normal((4, B, N_IN)).astype(dtype)
    _, cache = model.forward(x)
    a = x.astype(np.float64) @ U.T  # the input part; beside it the rest is of order 1
    far = np.abs(a) > 1000  # beyond the overflow of e^{|a|} in float64 (709.8) and float32
    sigmoid_columns = np.r_[0 : 2 * N_H, 3 * N_H : 4 * N_H]
    g_columns = np.r_[2 * N_H : 3 * N_H]
    assert cache.gates.dtype == dtype
    sig, sig_far = cache.gates[..., sigmoid_columns], far[..., sigmoid_columns]
    np.testing.assert_array_equal(sig[sig_far], a[..., sigmoid_columns][sig_far] > 0)
    g, g_far = cache.gates[..., g_columns], far[..., g_columns]
    np.testing.assert_array_equal(g[g_far], np.sign(a[..., g_columns][g_far]))
    grads = model.backward(rng.standard_normal((4, B, N_H)).astype(dtype), cache)
    for name, value in grads.items():
        assert value.dtype == dtype, name
        assert np.all(np.isfinite(value)), name
