"""The GRU: gradients, the state Jacobian, torch parity (including b_hn), bad input."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import rnngrad as rg
from rnngrad import GRU, jacobian_product, product_norms_by_lag, relative_error

B, N_IN, N_H, N_OUT = 3, 3, 4, 5


def make_gru(*, n_out: int | None = N_OUT, head: str = "softmax") -> GRU:
    """A small GRU whose biases are all non-zero, so that every parameter matters."""
    gen = np.random.default_rng(6)
    model = GRU.random(N_IN, N_H, n_out, head=head, rng=gen)
    return dataclasses.replace(
        model,
        b=0.3 * gen.standard_normal(3 * N_H),
        b_hn=0.3 * gen.standard_normal(N_H),
        c=None if n_out is None else 0.3 * gen.standard_normal(n_out),
    )


def only_h0(parts: dict[str, np.ndarray]) -> np.ndarray:
    return parts["h0"]


@pytest.mark.parametrize("T", [1, 2, 7])
@pytest.mark.parametrize(("head", "steps"), [("softmax", "every"), ("linear", "last")])
def test_gradients_match_central_differences(check_loss_gradients, rng, T, head, steps) -> None:
    model = make_gru(head=head)
    x = rng.standard_normal((T, B, N_IN))
    if head == "softmax":
        y = rng.integers(0, N_OUT, size=(T, B))
    else:
        y = rng.standard_normal((B, N_OUT))
    parts = {"h0": 0.5 * rng.standard_normal((B, N_H))}
    check_loss_gradients(model, x, y, parts, only_h0, steps=steps)


def test_forward_matches_the_equations(rng) -> None:
    model = make_gru()
    x = rng.standard_normal((3, 2, N_IN))
    h = rng.standard_normal((2, N_H))
    hs, _ = model.forward(x, h)
    W_r, W_z, W_n = np.split(model.W, 3)
    a_r, a_z, a_n = np.split(x @ model.U.T + model.b, 3, axis=2)

    def sigmoid(a):
        return 1 / (1 + np.exp(-a))

    for t in range(3):
        r, z = sigmoid(a_r[t] + h @ W_r.T), sigmoid(a_z[t] + h @ W_z.T)
        n = np.tanh(a_n[t] + r * (h @ W_n.T + model.b_hn))
        h = (1 - z) * n + z * h
        np.testing.assert_allclose(hs[t], h, rtol=1e-13, atol=1e-15)


def test_jacobian_products_match_finite_differences(rng) -> None:
    model = make_gru(n_out=None)
    x = rng.standard_normal((6, N_IN))
    h0 = 0.5 * rng.standard_normal(N_H)
    J = model.state_jacobians(x, h0)
    states = model.forward(x[:, None], h0[None])[1].states[:, 0]
    for t, k in [(1, 0), (4, 1), (6, 0)]:

        def run(h_k: np.ndarray, k=k, t=t) -> np.ndarray:
            return model.forward(x[k:t, None], h_k[None])[0][-1, 0]

        numeric = rg.numerical_jacobian(run, states[k])
        assert relative_error(jacobian_product(J, t, k), numeric) < 1e-7, (t, k)
    np.testing.assert_allclose(
        model.jacobian_norms_by_lag(x, 6, h0), product_norms_by_lag(J, 6), rtol=1e-13
    )


def test_saturated_update_gate_copies_the_state(rng) -> None:
    """z ≡ 1 (a huge update bias): h_t = h_{t−1} and ∂h_t/∂h_{t−1} = I up to rounding."""
    model = make_gru(n_out=None)
    b = model.b.copy()
    b[N_H : 2 * N_H] = 50.0
    copying = dataclasses.replace(model, b=b)
    x = rng.standard_normal((5, N_IN))
    J = copying.state_jacobians(x, np.ones(N_H))
    np.testing.assert_allclose(J, np.broadcast_to(np.eye(N_H), J.shape), atol=1e-20)
    np.testing.assert_allclose(copying.jacobian_norms_by_lag(x, 5), 1.0, rtol=1e-15)


def test_float32_in_float32_out(rng) -> None:
    model = make_gru()
    x64 = rng.standard_normal((4, B, N_IN))
    y = rng.integers(0, N_OUT, size=(4, B))
    _, grads32 = model.loss_and_gradients(x64.astype(np.float32), y)
    _, grads64 = model.loss_and_gradients(x64, y)
    for name, g in grads64.items():
        assert grads32[name].dtype == np.float32, name
        np.testing.assert_allclose(grads32[name], g, rtol=2e-4, atol=2e-5, err_msg=name)
    float32 = GRU(*(np.ones(s, np.float32) for s in ((6, 1), (6, 2), (6,))))
    assert float32.dtype == np.float32
    assert float32.b_hn.dtype == np.float32


def test_state_dict_keeps_the_candidate_bias_apart(rng) -> None:
    sd = {
        "weight_ih_l0": rng.standard_normal((3 * N_H, N_IN)),
        "weight_hh_l0": rng.standard_normal((3 * N_H, N_H)),
        "bias_ih_l0": rng.standard_normal(3 * N_H),
        "bias_hh_l0": rng.standard_normal(3 * N_H),
    }
    model = GRU.from_torch_state_dict(sd)
    rz = slice(0, 2 * N_H)
    np.testing.assert_array_equal(model.b[rz], sd["bias_ih_l0"][rz] + sd["bias_hh_l0"][rz])
    np.testing.assert_array_equal(model.b[2 * N_H :], sd["bias_ih_l0"][2 * N_H :])
    np.testing.assert_array_equal(model.b_hn, sd["bias_hh_l0"][2 * N_H :])
    again = GRU.from_torch_state_dict(model.to_torch_state_dict())
    x = rng.standard_normal((3, 2, N_IN))
    np.testing.assert_array_equal(again.forward(x)[0], model.forward(x)[0])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_forward_and_gradients_match_torch(torch_module, torch_forward_backward, rng, dtype):
    torch = torch_module
    torch.manual_seed(0)
    layer = torch.nn.GRU(N_IN, N_H, dtype=getattr(torch, dtype))
    x = rng.standard_normal((7, B, N_IN)).astype(dtype)
    h0 = rng.standard_normal((B, N_H)).astype(dtype)
    dhs = rng.standard_normal((7, B, N_H)).astype(dtype)
    out, expected = torch_forward_backward(layer, x, {"h0": h0}, dhs)

    model = GRU.from_torch_state_dict(layer.state_dict())
    hs, cache = model.forward(x, h0)
    g = model.backward(dhs, cache)
    ours = model.to_torch_state_dict(g) | {"x": g["x"], "h0": g["h0"]}
    tol = {"rtol": 1e-12, "atol": 1e-14} if dtype == "float64" else {"rtol": 1e-4, "atol": 1e-5}
    assert hs.dtype == np.dtype(dtype)
    np.testing.assert_allclose(hs, out, **tol)
    assert set(ours) == set(expected)
    for name, grad in expected.items():
        np.testing.assert_allclose(ours[name], grad, **tol, err_msg=name)


# --------------------------------------------------------------------- bad input
MODEL = make_gru()
X = np.random.default_rng(0).standard_normal((6, 2, N_IN))
HS, CACHE = MODEL.forward(X)
Case = tuple[Callable[[], Any], type[Exception], str]
CASES: dict[str, Case] = {
    "GRU W not 3 n_h rows": (
        lambda: GRU(np.ones((8, 2)), np.ones((8, 4)), np.zeros(8)),
        ValueError,
        r"W must have shape \(12, 4\), got \(8, 4\)",
    ),
    "GRU b_hn wrong shape": (
        lambda: GRU(np.ones((6, 2)), np.ones((6, 2)), np.zeros(6), np.zeros(6)),
        ValueError,
        r"b_hn must have shape \(2,\), got \(6,\)",
    ),
    "random dtype": (
        lambda: GRU.random(2, 3, dtype=np.int64),
        TypeError,
        r"dtype must be float32 or float64",
    ),
    "forward h0 wrong shape": (
        lambda: MODEL.forward(X, np.zeros((3, N_H))),
        ValueError,
        r"h0 must have shape \(2, 4\), got \(3, 4\)",
    ),
    "backward cache of an LSTM": (
        lambda: MODEL.backward(HS, rg.LSTM.random(3, 4).forward(X)[1]),
        TypeError,
        r"cache must be the GRUCache from forward, got LSTMCache",
    ),
    "predict x nan": (
        lambda: MODEL.predict(np.full((1, 1, N_IN), np.nan)),
        ValueError,
        r"x must be finite",
    ),
    "loss last wants (B,)": (
        lambda: MODEL.loss(X, np.zeros((6, 2), int), steps="last"),
        ValueError,
        r"y must have shape \(2,\)",
    ),
    "loss_and_gradients float labels": (
        lambda: MODEL.loss_and_gradients(X, np.zeros((6, 2))),
        TypeError,
        r"y must hold integer class labels",
    ),
    "from_torch_state_dict LSTM-sized": (
        lambda: GRU.from_torch_state_dict(rg.LSTM.random(3, 4).to_torch_state_dict()),
        ValueError,
        r"sd\['weight_hh_l0'\] must have shape \(12, 4\), got \(16, 4\)",
    ),
    "to_torch_state_dict grads without b_hn": (
        lambda: MODEL.to_torch_state_dict({"U": MODEL.U, "W": MODEL.W, "b": MODEL.b}),
        ValueError,
        r"g is missing the key\(s\) \['b_hn'\]",
    ),
    "state_jacobians h0 batch": (
        lambda: MODEL.state_jacobians(X[:, 0], np.zeros((1, N_H))),
        ValueError,
        r"h0 must have shape \(4,\), got \(1, 4\)",
    ),
    "jacobian_norms_by_lag t negative": (
        lambda: MODEL.jacobian_norms_by_lag(X[:, 0], -1),
        ValueError,
        r"t must be >= 0",
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
    assert methods_without_case(GRU, CASES) == set()
