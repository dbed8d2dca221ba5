"""What only the LSTM has: its equations, the constant error carousel, the blocks of its state
Jacobian, the forget bias, the state pair (the contract: test_layers.py)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from helpers import Case, methods_without_case, refused

import rnngrad as rg
from rnngrad import LSTM, jacobian_product

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
def test_random_biases_reproducibility_and_variants() -> None:
    model = LSTM.random(2, 3, forget_bias=1.5, rng=4)
    np.testing.assert_array_equal(model.b, np.repeat([0.0, 1.5, 0.0, 0.0], 3))
    np.testing.assert_array_equal(model.W, LSTM.random(2, 3, rng=4).W)
    bare = LSTM.random(2, 3, forget_gate=False)
    assert not bare.forget_gate
    np.testing.assert_array_equal(bare.parameters()["U"][3:6], 0.0)


# --------------------------------------------------------------------- bad input
MODEL = make_lstm()
X = np.random.default_rng(0).standard_normal((6, 2, N_IN))
HS, CACHE = MODEL.forward(X)
SD = MODEL.to_torch_state_dict()
CASES: dict[str, Case] = {
    "LSTM W not 4 n_h rows": (
        lambda: LSTM(np.ones((12, 2)), np.ones((12, 4)), np.zeros(12)),
        ValueError,
        r"W must have shape \(16, 4\), got \(12, 4\)",
    ),
    "LSTM forget_gate not bool": (
        lambda: LSTM(np.ones((8, 2)), np.ones((8, 2)), np.zeros(8), forget_gate="no"),
        TypeError,
        r"forget_gate must be True or False, got str",
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
    "from_torch_state_dict RNN-sized": (
        lambda: LSTM.from_torch_state_dict(rg.RNN.random(3, 4).to_torch_state_dict()),
        ValueError,
        r"sd\['weight_hh_l0'\] must have shape \(16, 4\), got \(4, 4\)",
    ),
    "forget_gates h0 batch": (
        lambda: MODEL.forget_gates(X[:, 0], (np.zeros((1, N_H)), None)),
        ValueError,
        r"h0 must have shape \(4,\), got \(1, 4\)",
    ),
    "cell_gradient_paths without a head": (
        lambda: make_lstm(n_out=None).cell_gradient_paths(X, np.zeros(2, dtype=int)),
        ValueError,
        r"this LSTM has no head \(V is None\)",
    ),
    "cell_gradient_paths targets of every step": (
        lambda: MODEL.cell_gradient_paths(X, np.zeros((6, 2), dtype=int)),
        ValueError,
        r"y must have shape \(2,\)",
    ),
    "jacobian_norms_by_lag unknown block": (
        lambda: MODEL.jacobian_norms_by_lag(X[:, 0], 2, block="W"),
        ValueError,
        r"block must be one of 'c', 'carousel', 'h', 'state', got 'W'",
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_is_refused_with_a_clear_message(case: str) -> None:
    refused(CASES[case])


def test_every_method_beyond_the_contract_has_a_bad_input_case() -> None:
    """The contract's methods have theirs in test_layers.py."""
    assert methods_without_case(LSTM, CASES) - set(dir(rg.RecurrentLayer)) == set()


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
