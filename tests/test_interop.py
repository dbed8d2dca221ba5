"""The torch.nn.RNN state-dict contract, with and without torch."""

from __future__ import annotations

import numpy as np
import pytest

from rnngrad import RNN
from rnngrad.interop import TORCH_RNN_KEYS


def torch_like_state_dict(rng: np.random.Generator, n_in: int = 3, n_h: int = 4) -> dict:
    return {
        "weight_ih_l0": rng.standard_normal((n_h, n_in)),
        "weight_hh_l0": rng.standard_normal((n_h, n_h)) / 2,
        "bias_ih_l0": rng.standard_normal(n_h),
        "bias_hh_l0": rng.standard_normal(n_h),
    }


def test_names_map_to_the_slide_symbols(rng) -> None:
    sd = torch_like_state_dict(rng)
    model = RNN.from_torch_state_dict(sd, nonlinearity="relu")
    np.testing.assert_array_equal(model.U, sd["weight_ih_l0"])
    np.testing.assert_array_equal(model.W, sd["weight_hh_l0"])
    np.testing.assert_array_equal(model.b, sd["bias_ih_l0"] + sd["bias_hh_l0"])
    assert model.activation == "relu"
    assert model.V is None


def test_parameters_round_trip_to_the_same_network(rng) -> None:
    sd = torch_like_state_dict(rng)
    model = RNN.from_torch_state_dict(sd)
    out = model.to_torch_state_dict()
    assert tuple(out) == TORCH_RNN_KEYS
    np.testing.assert_array_equal(out["bias_hh_l0"], 0.0)
    again = RNN.from_torch_state_dict(out)
    x = rng.standard_normal((3, 2, 3))
    np.testing.assert_allclose(again.forward(x)[0], model.forward(x)[0], rtol=1e-15)


def test_gradients_go_to_both_biases(rng) -> None:
    model = RNN.from_torch_state_dict(torch_like_state_dict(rng))
    x = rng.standard_normal((4, 2, 3))
    hs, cache = model.forward(x)
    g = model.backward(np.ones_like(hs), cache)
    out = model.to_torch_state_dict(g)
    np.testing.assert_array_equal(out["weight_ih_l0"], g["U"])
    np.testing.assert_array_equal(out["weight_hh_l0"], g["W"])
    np.testing.assert_array_equal(out["bias_ih_l0"], g["b"])
    np.testing.assert_array_equal(out["bias_hh_l0"], g["b"])
    out["bias_ih_l0"][0] += 1  # copies, not views of one array
    assert out["bias_hh_l0"][0] == g["b"][0]


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu", "sigmoid", "identity"])
def test_every_library_nonlinearity_is_accepted(rng, nonlinearity) -> None:
    assert RNN.from_torch_state_dict(torch_like_state_dict(rng), nonlinearity).activation == (
        nonlinearity
    )


def test_float32_state_dict_gives_a_float32_network(rng) -> None:
    sd = {k: v.astype(np.float32) for k, v in torch_like_state_dict(rng).items()}
    model = RNN.from_torch_state_dict(sd)
    assert model.dtype == np.float32
    assert model.to_torch_state_dict()["weight_hh_l0"].dtype == np.float32


# --------------------------------------------------------------------- against torch itself
@pytest.fixture
def torch():
    try:
        import torch
    except ImportError:
        pytest.skip("torch not installed (optional): pip install torch==2.13.0")
    return torch


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_forward_and_gradients_match_torch(torch, rng, nonlinearity, dtype) -> None:
    tdtype = getattr(torch, dtype)
    torch.manual_seed(0)
    layer = torch.nn.RNN(3, 5, nonlinearity=nonlinearity, dtype=tdtype)
    x_np = rng.standard_normal((6, 2, 3)).astype(dtype)
    h0_np = rng.standard_normal((2, 5)).astype(dtype)
    dhs_np = rng.standard_normal((6, 2, 5)).astype(dtype)
    x = torch.from_numpy(x_np).requires_grad_()
    h0 = torch.from_numpy(h0_np)[None].clone().requires_grad_()
    out, _ = layer(x, h0)
    out.backward(torch.from_numpy(dhs_np))

    model = RNN.from_torch_state_dict(layer.state_dict(), nonlinearity=nonlinearity)
    hs, cache = model.forward(x_np, h0_np)
    g = model.backward(dhs_np, cache)
    tol = {"rtol": 1e-12, "atol": 1e-13} if dtype == "float64" else {"rtol": 1e-4, "atol": 1e-5}
    assert hs.dtype == np.dtype(dtype)
    np.testing.assert_allclose(hs, out.detach().numpy(), **tol)
    for name, grad in model.to_torch_state_dict(g).items():
        np.testing.assert_allclose(grad, getattr(layer, name).grad.numpy(), **tol, err_msg=name)
    np.testing.assert_allclose(g["x"], x.grad.numpy(), **tol)
    np.testing.assert_allclose(g["h0"], h0.grad[0].numpy(), **tol)


def test_parameters_load_into_torch(torch, rng) -> None:
    model = RNN.random(3, 4, rng=rng)
    layer = torch.nn.RNN(3, 4, dtype=torch.float64)
    layer.load_state_dict({k: torch.from_numpy(v) for k, v in model.to_torch_state_dict().items()})
    x = rng.standard_normal((5, 2, 3))
    out, _ = layer(torch.from_numpy(x))
    np.testing.assert_allclose(out.detach().numpy(), model.forward(x)[0], rtol=1e-12)
