"""What only the GRU has: its equations, the saturated update gate, the candidate's recurrent
bias b_hn (the contract: test_layers.py)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from helpers import Case, methods_without_case, refused

import rnngrad as rg
from rnngrad import GRU

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


def test_forward_matches_the_equations(rng) -> None:
    model = make_gru()
    x = rng.standard_normal((3, 2, N_IN))
    h = rng.standard_normal((2, N_H))
    hs, _ = model.forward(x, h)
    W_r, W_u, W_n = np.split(model.W, 3)
    a_r, a_u, a_n = np.split(x @ model.U.T + model.b, 3, axis=2)

    def sigmoid(a):
        return 1 / (1 + np.exp(-a))

    for t in range(3):
        r, u = sigmoid(a_r[t] + h @ W_r.T), sigmoid(a_u[t] + h @ W_u.T)
        n = np.tanh(a_n[t] + r * (h @ W_n.T + model.b_hn))
        h = (1 - u) * n + u * h
        np.testing.assert_allclose(hs[t], h, rtol=1e-13, atol=1e-15)


def test_saturated_update_gate_copies_the_state(rng) -> None:
    """u ≡ 1 (a huge update bias): h_t = h_{t−1} and ∂h_t/∂h_{t−1} = I up to rounding."""
    model = make_gru(n_out=None)
    b = model.b.copy()
    b[N_H : 2 * N_H] = 50.0
    copying = dataclasses.replace(model, b=b)
    x = rng.standard_normal((5, N_IN))
    J = copying.state_jacobians(x, np.ones(N_H))
    np.testing.assert_allclose(J, np.broadcast_to(np.eye(N_H), J.shape), atol=1e-20)
    np.testing.assert_allclose(copying.jacobian_norms_by_lag(x, 5), 1.0, rtol=1e-15)


def test_a_float32_layer_gets_a_float32_candidate_bias() -> None:
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
    np.testing.assert_array_equal(model.to_torch_state_dict()["bias_hh_l0"][2 * N_H :], model.b_hn)
    np.testing.assert_array_equal(model.to_torch_state_dict()["bias_hh_l0"][rz], 0.0)
    hs, cache = model.forward(rng.standard_normal((3, 2, N_IN)))
    g = model.backward(np.ones_like(hs), cache)
    np.testing.assert_array_equal(model.to_torch_state_dict(g)["bias_hh_l0"][2 * N_H :], g["b_hn"])


# --------------------------------------------------------------------- bad input
MODEL = make_gru()
X = np.random.default_rng(0).standard_normal((6, 2, N_IN))
HS, CACHE = MODEL.forward(X)
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
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_is_refused_with_a_clear_message(case: str) -> None:
    refused(CASES[case])


def test_every_method_beyond_the_contract_has_a_bad_input_case() -> None:
    """The contract's methods have theirs in test_layers.py."""
    assert methods_without_case(GRU, CASES) - set(dir(rg.RecurrentLayer)) == set()
