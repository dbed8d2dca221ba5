"""The torch.nn.RNN state dict read by the RNN, without torch (parity with torch and the
round trip of every layer: test_layers.py)."""

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


def test_all_of_b_goes_to_the_first_torch_bias(rng) -> None:
    model = RNN.from_torch_state_dict(torch_like_state_dict(rng))
    out = model.to_torch_state_dict()
    assert tuple(out) == TORCH_RNN_KEYS
    np.testing.assert_array_equal(out["bias_ih_l0"], model.b)
    np.testing.assert_array_equal(out["bias_hh_l0"], 0.0)


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
