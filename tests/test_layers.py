"""The contract every recurrent layer satisfies, checked once for RNN, LSTM and GRU.

Gradients against central differences (every parameter, x and the initial state), the
state Jacobians and their norms against finite differences, float32, construction, torch
state dicts and parity with ``torch.nn``, and one table of bad input.  What only one layer
has (truncated BPTT, the LSTM's carousel, the GRU's b_hn, torch's gate order) is tested in
that layer's own file.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from helpers import (
    LAYERS,
    VARIANTS,
    Case,
    away_from_kinks,
    check_loss_gradients,
    full_state,
    import_torch,
    initial_parts,
    initial_state,
    make_layer,
    make_variant,
    methods_without_case,
    refused,
    run_from,
    state_names,
    targets,
    torch_forward_backward,
)

import rnngrad as rg
from rnngrad import RecurrentLayer, jacobian_product, numerical_gradient, relative_error

B, N_IN, N_H, N_OUT = 3, 3, 4, 5
LENGTHS = (1, 2, 7)


# --------------------------------------------------------------------- the contract
@pytest.mark.parametrize("kind", LAYERS)
def test_every_layer_is_a_recurrent_layer_with_the_same_names(kind: str) -> None:
    model = make_layer(kind)
    assert isinstance(model, RecurrentLayer)
    assert (model.n_in, model.n_h, model.n_out, model.head) == (N_IN, N_H, N_OUT, "softmax")
    rows = model.GATES * N_H
    assert model.U.shape == (rows, N_IN)
    assert model.W.shape == (rows, N_H)
    assert model.b.shape == (rows,)
    assert list(model.parameters()) == ["U", "W", "b", *model.VECTORS, "V", "c"]
    assert list(make_layer(kind, n_out=None).parameters()) == ["U", "W", "b", *model.VECTORS]


# --------------------------------------------------------------------- gradients
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("T", LENGTHS)
@pytest.mark.parametrize(("head", "steps"), [("softmax", "every"), ("linear", "last")])
def test_gradients_match_central_differences(variant, T, head, steps, rng) -> None:
    model = make_variant(variant, head=head)
    x = rng.standard_normal((T, B, N_IN))
    parts = initial_parts(model, rng, B)
    away_from_kinks(model, x, initial_state(model, parts))
    y = targets(model, rng, (T, B) if steps == "every" else (B,))
    check_loss_gradients(model, x, y, parts, steps=steps)


@pytest.mark.parametrize("variant", VARIANTS)
def test_backward_is_the_gradient_of_a_linear_readout(variant, rng) -> None:
    """backward(dhs) alone, without a head: ∂L/∂θ for L = Σ_t ⟨dhs_t, h_t⟩."""
    model = make_variant(variant, n_out=None)
    x = rng.standard_normal((4, 2, N_IN))
    parts = initial_parts(model, rng, 2)
    away_from_kinks(model, x, initial_state(model, parts))
    dhs = rng.standard_normal((4, 2, N_H))
    grads = model.backward(dhs, model.forward(x, initial_state(model, parts))[1])
    inputs = model.parameters() | {"x": x} | parts
    assert set(grads) == set(inputs)

    def readout(name: str):
        def value_of(v: np.ndarray) -> float:
            m = dataclasses.replace(model, **{name: v}) if name in model.parameters() else model
            state = initial_state(model, parts | {name: v} if name in parts else parts)
            return float(np.sum(dhs * m.forward(v if name == "x" else x, state)[0]))

        return value_of

    for name, value in inputs.items():
        numeric = numerical_gradient(readout(name), value)
        assert relative_error(grads[name], numeric) < 1e-6, name


@pytest.mark.parametrize("kind", LAYERS)
def test_sequences_of_a_batch_are_independent(kind, rng) -> None:
    model = make_layer(kind)
    x = rng.standard_normal((5, B, N_IN))
    dhs = rng.standard_normal((5, B, N_H))
    together = model.backward(dhs, model.forward(x)[1])
    alone = model.backward(dhs[:, 1:2], model.forward(x[:, 1:2])[1])
    for name in ("x", *state_names(model)):
        np.testing.assert_allclose(together[name][..., 1:2, :], alone[name], rtol=1e-12)


@pytest.mark.parametrize("kind", LAYERS)
def test_missing_initial_state_means_zeros(kind, rng) -> None:
    model = make_layer(kind)
    x = rng.standard_normal((4, B, N_IN))
    zeros = initial_state(model, {name: np.zeros((B, N_H)) for name in state_names(model)})
    np.testing.assert_array_equal(model.forward(x)[0], model.forward(x, zeros)[0])


@pytest.mark.parametrize("kind", LAYERS)
def test_loss_and_gradients_is_backward_of_the_state_gradients(kind, rng) -> None:
    model = make_layer(kind)
    x = rng.standard_normal((4, B, N_IN))
    y = targets(model, rng, (B,))
    loss, dhs, cache, head = model.loss_and_state_gradients(x, y, steps="last")
    np.testing.assert_array_equal(dhs[:-1], 0.0)
    expected_loss, expected = model.loss_and_gradients(x, y, steps="last")
    assert loss == expected_loss == model.loss(x, y, steps="last")
    for name, grad in (model.backward(dhs, cache) | head).items():
        np.testing.assert_array_equal(grad, expected[name], err_msg=name)


# --------------------------------------------------------------------- state Jacobians
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(("t", "k"), [(1, 0), (4, 1), (6, 0)])
def test_jacobian_products_match_finite_differences(variant, t, k, rng) -> None:
    model = make_variant(variant, n_out=None)
    x = rng.standard_normal((6, N_IN))
    parts = initial_parts(model, rng, None)
    J = model.state_jacobians(x, initial_state(model, parts))
    size = N_H * len(parts)
    assert J.shape == (6, size, size)
    batch_of_one = {name: value[None] for name, value in parts.items()}
    _, cache = model.forward(x[:, None], initial_state(model, batch_of_one))
    away_from_kinks(model, x[:, None], initial_state(model, batch_of_one))
    numeric = rg.numerical_jacobian(run_from(model, x[k:t]), full_state(model, cache, k))
    assert relative_error(jacobian_product(J, t, k), numeric) < 1e-7


@pytest.mark.parametrize("variant", VARIANTS)
def test_norms_by_lag_are_the_norms_of_the_products(variant, rng) -> None:
    """‖∂h_t/∂h_{t−ℓ}‖_2, the h block of the products (the whole product but for the LSTM)."""
    model = make_variant(variant, n_out=None)
    x = rng.standard_normal((7, N_IN))
    parts = initial_parts(model, rng, None)
    h0 = initial_state(model, parts)
    J = model.state_jacobians(x, h0)
    h = slice(0, N_H)
    expected = [np.linalg.norm(jacobian_product(J, 7, 7 - lag)[h, h], 2) for lag in range(8)]
    norms = model.jacobian_norms_by_lag(x, 7, h0)
    np.testing.assert_allclose(norms, expected, rtol=1e-12)
    assert norms.dtype == np.float64
    assert norms[0] == 1.0
    assert model.jacobian_norms_by_lag(x, 0, h0).tolist() == [1.0]


# --------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("kind", LAYERS)
def test_float32_in_float32_out(kind, rng) -> None:
    model = make_layer(kind)
    x64 = rng.standard_normal((4, B, N_IN))
    y = rng.integers(0, N_OUT, size=(4, B))
    hs, cache = model.forward(x64.astype(np.float32))
    assert hs.dtype == np.float32
    grads = model.backward(np.ones_like(hs), cache)
    assert {g.dtype for g in grads.values()} == {np.dtype(np.float32)}
    _, grads32 = model.loss_and_gradients(x64.astype(np.float32), y)
    _, grads64 = model.loss_and_gradients(x64, y)
    for name, g in grads64.items():
        assert grads32[name].dtype == np.float32, name
        np.testing.assert_allclose(grads32[name], g, rtol=2e-4, atol=2e-5, err_msg=name)
    assert model.state_jacobians(x64[:, 0].astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("kind", LAYERS)
def test_a_float32_layer_keeps_its_dtype_and_mixed_dtypes_are_promoted(kind) -> None:
    cls = LAYERS[kind]
    model = cls.random(2, 3, 4, dtype=np.float32)
    assert model.dtype == np.float32
    assert all(p.dtype == np.float32 for p in model.parameters().values())
    assert model.forward(np.ones((2, 1, 2), dtype=np.float32))[0].dtype == np.float32
    assert model.to_torch_state_dict()["weight_hh_l0"].dtype == np.float32
    rows = cls.GATES * 2
    mixed = cls(np.ones((rows, 1), np.float32), np.ones((rows, 2)), np.zeros(rows, np.float32))
    assert {p.dtype for p in mixed.parameters().values()} == {np.dtype(np.float64)}


# --------------------------------------------------------------------- construction
@pytest.mark.parametrize("kind", LAYERS)
def test_random_is_reproducible_and_seed_dependent(kind) -> None:
    cls = LAYERS[kind]
    first, again, other = cls.random(3, 4, rng=7), cls.random(3, 4, rng=7), cls.random(3, 4, rng=8)
    np.testing.assert_array_equal(first.W, again.W)
    assert not np.array_equal(first.W, other.W)
    np.testing.assert_array_equal(cls.random(3, 4).U, cls.random(3, 4, rng=0).U)


@pytest.mark.parametrize("kind", LAYERS)
def test_orthogonal_init_makes_every_gate_block_orthogonal(kind) -> None:
    cls = LAYERS[kind]
    W = cls.random(2, 6, recurrent="orthogonal").W
    for block in np.split(W, cls.GATES):
        np.testing.assert_allclose(block.T @ block, np.eye(6), atol=1e-14)


@pytest.mark.parametrize("kind", LAYERS)
def test_layer_is_frozen_and_replace_revalidates(kind) -> None:
    model = make_layer(kind)
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.W = model.W  # type: ignore[misc]
    with pytest.raises(ValueError, match=r"U must have shape"):
        dataclasses.replace(model, U=np.ones((1, N_IN)))
    with pytest.raises(ValueError, match=r"V must have shape \(n_out, 4\)"):
        dataclasses.replace(model, V=np.ones((N_OUT, 2)))


@pytest.mark.parametrize("kind", LAYERS)
def test_head_defaults(kind) -> None:
    cls = LAYERS[kind]
    rows = cls.GATES * 2
    layer = cls(np.ones((rows, 3)), np.ones((rows, 2)), np.zeros(rows), V=np.ones((1, 2)))
    np.testing.assert_array_equal(layer.c, [0.0])
    assert layer.head == "softmax"
    assert (layer.n_in, layer.n_h, layer.n_out) == (3, 2, 1)


# --------------------------------------------------------------------- torch state dicts
@pytest.mark.parametrize("kind", LAYERS)
def test_state_dict_round_trip_gives_the_same_layer(kind, rng) -> None:
    model = make_layer(kind, n_out=None)
    sd = model.to_torch_state_dict()
    assert tuple(sd) == rg.layer.TORCH_KEYS
    again = LAYERS[kind].from_torch_state_dict(sd)
    x = rng.standard_normal((3, 2, N_IN))
    np.testing.assert_array_equal(again.forward(x)[0], model.forward(x)[0])
    sd["weight_hh_l0"][0, 0] += 1  # a copy, not a view of the layer's W
    assert model.W[0, 0] != sd["weight_hh_l0"][0, 0]


@pytest.mark.parametrize("kind", LAYERS)
def test_gradients_go_to_both_torch_biases(kind, rng) -> None:
    model = make_layer(kind, n_out=None)
    hs, cache = model.forward(rng.standard_normal((4, 2, N_IN)))
    g = model.backward(np.ones_like(hs), cache)
    out = model.to_torch_state_dict(g)
    np.testing.assert_array_equal(out["weight_ih_l0"], g["U"])
    np.testing.assert_array_equal(out["weight_hh_l0"], g["W"])
    np.testing.assert_array_equal(out["bias_ih_l0"], g["b"])
    rz = slice(0, 2 * N_H) if kind == "GRU" else slice(None)  # the GRU's b_hn: test_gru
    np.testing.assert_array_equal(out["bias_hh_l0"][rz], g["b"][rz])
    out["bias_ih_l0"][0] += 1  # copies, not views of one array
    assert out["bias_hh_l0"][0] == g["b"][0]


def torch_layer(torch: Any, variant: str, dtype: str) -> Any:
    kind, options = VARIANTS[variant]
    cls = getattr(torch.nn, kind)
    extra = {"nonlinearity": options["activation"]} if kind == "RNN" else {}
    return cls(N_IN, N_H, dtype=getattr(torch, dtype), **extra)


@pytest.mark.torch
@pytest.mark.parametrize("variant", ["rnn-tanh", "rnn-relu", "lstm", "gru"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_forward_and_gradients_match_torch(variant, dtype, rng) -> None:
    torch = import_torch()
    torch.manual_seed(0)
    layer = torch_layer(torch, variant, dtype)
    kind, options = VARIANTS[variant]
    extra = {"nonlinearity": options["activation"]} if kind == "RNN" else {}
    model = LAYERS[kind].from_torch_state_dict(layer.state_dict(), **extra)
    x = rng.standard_normal((7, B, N_IN)).astype(dtype)
    parts = {k: v.astype(dtype) for k, v in initial_parts(model, rng, B).items()}
    dhs = rng.standard_normal((7, B, N_H)).astype(dtype)
    out, expected = torch_forward_backward(torch, layer, x, parts, dhs)

    hs, cache = model.forward(x, initial_state(model, parts))
    g = model.backward(dhs, cache)
    ours = model.to_torch_state_dict(g) | {name: g[name] for name in ("x", *parts)}
    tol = {"rtol": 1e-12, "atol": 1e-13} if dtype == "float64" else {"rtol": 1e-4, "atol": 1e-5}
    assert hs.dtype == np.dtype(dtype)
    np.testing.assert_allclose(hs, out, **tol)
    assert set(ours) == set(expected)
    for name, grad in expected.items():
        np.testing.assert_allclose(ours[name], grad, **tol, err_msg=name)


@pytest.mark.torch
@pytest.mark.parametrize("kind", LAYERS)
def test_parameters_load_into_torch(kind, rng) -> None:
    torch = import_torch()
    model = make_layer(kind, n_out=None)
    layer = getattr(torch.nn, kind)(N_IN, N_H, dtype=torch.float64)
    layer.load_state_dict({k: torch.from_numpy(v) for k, v in model.to_torch_state_dict().items()})
    x = rng.standard_normal((5, 2, N_IN))
    out, _ = layer(torch.from_numpy(x))
    np.testing.assert_allclose(out.detach().numpy(), model.forward(x)[0], rtol=1e-12)


# --------------------------------------------------------------------- bad input
T_BAD, B_BAD = 6, 2
X = np.random.default_rng(0).standard_normal((T_BAD, B_BAD, N_IN))
Y = np.zeros((T_BAD, B_BAD), dtype=int)


def contract_cases(kind: str) -> dict[str, Case]:
    """Bad input for every method of the contract, with the layer's own sizes in the
    messages; a case's name starts with the method it calls."""
    cls = LAYERS[kind]
    rows = cls.GATES * N_H
    model, bare = make_layer(kind), make_layer(kind, n_out=None)
    hs, cache = model.forward(X)
    other = make_layer("LSTM" if kind != "LSTM" else "GRU").forward(X)[1]
    sd = model.to_torch_state_dict()
    U, W, b = np.ones((rows, 2)), np.ones((rows, N_H)), np.zeros(rows)
    h0_of = {name: np.zeros((3, N_H)) for name in state_names(model)}
    one_h0 = {name: np.zeros((1, N_H)) for name in state_names(model)}
    return {
        "constructor U wrong shape": (
            lambda: cls(np.ones((rows + 1, 2)), W, b),
            ValueError,
            rf"U must have shape \({rows}, n_in\), got \({rows + 1}, 2\)",
        ),
        "constructor W nan": (
            lambda: cls(U, np.where(W == 1, np.nan, W), b),
            ValueError,
            r"W must be finite",
        ),
        "constructor b wrong shape": (
            lambda: cls(U, W, np.zeros(rows - 1)),
            ValueError,
            rf"b must have shape \({rows},\), got \({rows - 1},\)",
        ),
        "constructor V wrong shape": (
            lambda: cls(U, W, b, V=np.ones((3, N_H + 1))),
            ValueError,
            r"V must have shape \(n_out, 4\), got \(3, 5\)",
        ),
        "constructor c without V": (
            lambda: cls(U, W, b, c=np.zeros(2)),
            ValueError,
            r"c and head need the output weights V",
        ),
        "constructor unknown head": (
            lambda: cls(U, W, b, V=np.ones((1, N_H)), head="tanh"),
            ValueError,
            r"head must be one of 'linear', 'softmax', got 'tanh'",
        ),
        "random n_h zero": (lambda: cls.random(3, 0), ValueError, r"n_h must be >= 1, got 0"),
        "random n_in float": (lambda: cls.random(3.0, 2), TypeError, r"n_in must be an integer"),
        "random n_out zero": (lambda: cls.random(3, 2, 0), ValueError, r"n_out must be >= 1"),
        "random recurrent": (
            lambda: cls.random(3, 2, recurrent="xavier"),
            ValueError,
            r"recurrent must be one of .*got 'xavier'",
        ),
        "random dtype": (
            lambda: cls.random(3, 2, dtype=np.int32),
            TypeError,
            r"dtype must be float32 or float64",
        ),
        "random rng": (lambda: cls.random(3, 2, rng="seed"), TypeError, r"rng must be an integer"),
        "forward x 2-d": (
            lambda: model.forward(X[:, 0]),
            ValueError,
            r"x must have shape \(T, B, 3\), got \(6, 3\)",
        ),
        "forward x wrong n_in": (
            lambda: model.forward(np.ones((2, 2, 7))),
            ValueError,
            r"x must have shape \(T, B, 3\)",
        ),
        "forward x empty": (
            lambda: model.forward(np.ones((0, 2, 3))),
            ValueError,
            r"x must not be empty .*T = 0",
        ),
        "forward x nan": (
            lambda: model.forward(np.where(X > 1, np.nan, X)),
            ValueError,
            r"x must be finite",
        ),
        "forward h0 wrong shape": (
            lambda: model.forward(X, initial_state(model, h0_of)),
            ValueError,
            r"h0 must have shape \(2, 4\), got \(3, 4\)",
        ),
        "backward dhs wrong shape": (
            lambda: model.backward(np.zeros((T_BAD, B_BAD, 3)), cache),
            ValueError,
            r"dhs must have shape \(6, 2, 4\), got \(6, 2, 3\)",
        ),
        "backward dhs nan": (
            lambda: model.backward(np.full(hs.shape, np.nan), cache),
            ValueError,
            r"dhs must be finite",
        ),
        "backward cache type": (
            lambda: model.backward(hs, {"x": X}),
            TypeError,
            rf"cache must be the {type(cache).__name__} from forward, got dict",
        ),
        "backward cache of another layer": (
            lambda: model.backward(hs, other),
            TypeError,
            rf"cache must be the {type(cache).__name__} from forward, got {type(other).__name__}",
        ),
        "backward cache of another size": (
            lambda: make_layer(kind, n_h=7).backward(np.zeros((T_BAD, B_BAD, 7)), cache),
            ValueError,
            r"cache.states must have shape \(T\+1, B, 7\), got \(7, 2, 4\)",
        ),
        "predict without head": (lambda: bare.predict(X), ValueError, rf"this {kind} has no head"),
        "loss without head": (lambda: bare.loss(X, Y), ValueError, rf"this {kind} has no head"),
        "loss labels float": (
            lambda: model.loss(X, Y.astype(float)),
            TypeError,
            r"y must hold integer class labels",
        ),
        "loss labels out of range": (
            lambda: model.loss(X, Y + 5),
            ValueError,
            r"y must hold class labels in \[0, 5\)",
        ),
        "loss labels wrong shape": (
            lambda: model.loss(X, Y[:, :1]),
            ValueError,
            r"y must have shape \(6, 2\), got \(6, 1\)",
        ),
        "loss last wants (B,)": (
            lambda: model.loss(X, Y, steps="last"),
            ValueError,
            r"y must have shape \(2,\)",
        ),
        "loss mse targets wrong shape": (
            lambda: make_layer(kind, n_out=2, head="linear").loss(X, np.zeros((T_BAD, B_BAD))),
            ValueError,
            r"y must have shape \(6, 2, 2\), got \(6, 2\)",
        ),
        "loss_and_gradients unknown steps": (
            lambda: model.loss_and_gradients(X, Y, steps="first"),
            ValueError,
            r"steps must be one of 'every', 'last', got 'first'",
        ),
        "loss_and_state_gradients labels out of range": (
            lambda: model.loss_and_state_gradients(X, Y[-1] - 1, steps="last"),
            ValueError,
            r"y must hold class labels in \[0, 5\), got values in \[-1, -1\]",
        ),
        "from_torch_state_dict missing key": (
            lambda: cls.from_torch_state_dict({k: v for k, v in sd.items() if k != "bias_hh_l0"}),
            ValueError,
            r"sd is missing the key\(s\) \['bias_hh_l0'\]",
        ),
        "from_torch_state_dict unknown key": (
            lambda: cls.from_torch_state_dict(sd | {"weight_ih_l1": sd["weight_ih_l0"]}),
            ValueError,
            rf"unknown key\(s\) \['weight_ih_l1'\].*unidirectional torch\.nn\.{kind} with",
        ),
        "from_torch_state_dict not a mapping": (
            lambda: cls.from_torch_state_dict([1, 2]),
            TypeError,
            r"sd must be a mapping",
        ),
        "from_torch_state_dict wrong shape": (
            lambda: cls.from_torch_state_dict(sd | {"bias_ih_l0": np.zeros(3)}),
            ValueError,
            rf"sd\['bias_ih_l0'\] must have shape \({rows},\), got \(3,\)",
        ),
        "to_torch_state_dict grads missing W": (
            lambda: model.to_torch_state_dict({"U": model.U, "b": model.b}),
            ValueError,
            r"g is missing the key\(s\) \['W'\]",
        ),
        "to_torch_state_dict grads wrong shape": (
            lambda: model.to_torch_state_dict({"U": model.U, "W": model.U, "b": model.b}),
            ValueError,
            rf"g\['W'\] must have shape \({rows}, 4\), got \({rows}, 3\)",
        ),
        "state_jacobians x batch": (
            lambda: model.state_jacobians(X),
            ValueError,
            r"x must have shape \(T, 3\), got \(6, 2, 3\)",
        ),
        "state_jacobians h0 batch": (
            lambda: model.state_jacobians(X[:, 0], initial_state(model, one_h0)),
            ValueError,
            r"h0 must have shape \(4,\), got \(1, 4\)",
        ),
        "jacobian_norms_by_lag t beyond T": (
            lambda: model.jacobian_norms_by_lag(X[:, 0], 7),
            ValueError,
            r"t must be <= T = 6 \(the number of Jacobians\), got 7",
        ),
        "jacobian_norms_by_lag t negative": (
            lambda: model.jacobian_norms_by_lag(X[:, 0], -1),
            ValueError,
            r"t must be >= 0",
        ),
    }


CASES = {(kind, name): case for kind in LAYERS for name, case in contract_cases(kind).items()}


@pytest.mark.parametrize("key", list(CASES), ids=[f"{kind} {name}" for kind, name in CASES])
def test_bad_input_is_refused_with_a_clear_message(key: tuple[str, str]) -> None:
    refused(CASES[key])


@pytest.mark.parametrize("kind", LAYERS)
def test_every_method_of_the_contract_has_a_bad_input_case(kind: str) -> None:
    """A method added to the contract comes with its row in :func:`contract_cases`."""
    assert methods_without_case(RecurrentLayer, contract_cases(kind)) == set()
