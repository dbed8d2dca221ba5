"""Plain functions the library's tests share: small layers, their initial states, central
differences of a loss, a torch run, bad-input cases.

Imported as ``from helpers import …`` (pytest puts ``tests/`` on the path).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pytest

from rnngrad import GRU, LSTM, RNN, RecurrentLayer, numerical_gradient, relative_error

LAYERS: dict[str, type[RecurrentLayer]] = {"RNN": RNN, "LSTM": LSTM, "GRU": GRU}

#: Every kind of layer the library has, by test id: (class name, options of ``random``).
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "rnn-tanh": ("RNN", {"activation": "tanh"}),
    "rnn-sigmoid": ("RNN", {"activation": "sigmoid"}),
    "rnn-relu": ("RNN", {"activation": "relu"}),
    "rnn-identity": ("RNN", {"activation": "identity"}),
    "lstm": ("LSTM", {}),
    "lstm-1997": ("LSTM", {"forget_gate": False}),
    "gru": ("GRU", {}),
}

#: (callable, exception, regex the message must match)
Case = tuple[Callable[[], Any], type[Exception], str]


# --------------------------------------------------------------------- layers and states
def make_layer(
    kind: str,
    *,
    n_in: int = 3,
    n_h: int = 4,
    n_out: int | None = 5,
    head: str = "softmax",
    seed: int = 0,
    **options: Any,
) -> Any:
    """A small layer of class ``kind`` whose biases are all non-zero, so that every
    parameter matters; ``options`` go to its ``random`` (activation, forget_gate, …)."""
    cls = LAYERS[kind]
    gen = np.random.default_rng(seed)
    model = cls.random(n_in, n_h, n_out, head=head, rng=gen, **options)
    extra = {"b": model.b + 0.3 * gen.standard_normal(model.b.shape)}
    extra |= {name: 0.3 * gen.standard_normal(n_h) for name in cls.VECTORS}
    if n_out is not None:
        extra["c"] = 0.3 * gen.standard_normal(n_out)
    return dataclasses.replace(model, **extra)


def make_rnn(activation: str = "tanh", **kwargs: Any) -> Any:
    """:func:`make_layer` for the RNN with activation f."""
    return make_layer("RNN", activation=activation, **kwargs)


def make_variant(variant: str, **kwargs: Any) -> Any:
    """:func:`make_layer` for one of :data:`VARIANTS`."""
    kind, options = VARIANTS[variant]
    return make_layer(kind, **options, **kwargs)


def state_names(model: RecurrentLayer) -> tuple[str, ...]:
    """The parts of the layer's initial state, as its gradients name them."""
    return ("h0", "c0") if isinstance(model, LSTM) else ("h0",)


def initial_parts(
    model: RecurrentLayer, rng: np.random.Generator, batch: int | None
) -> dict[str, np.ndarray]:
    """Random initial state parts, (batch, n_h) each, or (n_h,) for one sequence."""
    shape = (model.n_h,) if batch is None else (batch, model.n_h)
    return {name: 0.5 * rng.standard_normal(shape) for name in state_names(model)}


def initial_state(model: RecurrentLayer, parts: Mapping[str, np.ndarray]) -> Any:
    """The ``h0`` argument of the layer's methods built from its parts."""
    values = tuple(parts[name] for name in state_names(model))
    return values if len(values) > 1 else values[0]


def full_state(model: RecurrentLayer, cache: Any, t: int) -> np.ndarray:
    """The full state at step t of the first sequence of a forward cache: h_t, or (h_t, c_t)
    stacked for the LSTM (the vector ``state_jacobians`` differentiates)."""
    parts = [cache.states[t, 0]]
    if isinstance(model, LSTM):
        parts.append(cache.cells[t, 0])
    return np.concatenate(parts)


def run_from(model: RecurrentLayer, x: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """The map full state before x ↦ full state after running the sequence x (T, n_in)."""
    n = model.n_h

    def run(state: np.ndarray) -> np.ndarray:
        parts = {
            name: state[i * n : (i + 1) * n][None] for i, name in enumerate(state_names(model))
        }
        _, cache = model.forward(x[:, None], initial_state(model, parts))
        return full_state(model, cache, -1)

    return run


def targets(model: RecurrentLayer, rng: np.random.Generator, shape: tuple[int, ...]) -> Any:
    """Random targets for the layer's head: class labels, or real vectors for ``"linear"``."""
    assert model.n_out is not None
    if model.head == "softmax":
        return rng.integers(0, model.n_out, size=shape)
    return rng.standard_normal((*shape, model.n_out))


def away_from_kinks(model: RecurrentLayer, x: np.ndarray, h0: Any) -> None:
    """ReLU has no derivative at z = 0: central differences must not straddle it."""
    if getattr(model, "activation", None) != "relu":
        return
    _, cache = model.forward(x, h0)
    z = x @ model.U.T + cache.states[:-1] @ model.W.T + model.b
    assert np.min(np.abs(z)) > 1e-3, "pick another seed: a pre-activation is near ReLU's kink"


# --------------------------------------------------------------------- gradient checks
def check_loss_gradients(
    model: RecurrentLayer,
    x: np.ndarray,
    y: Any,
    parts: dict[str, np.ndarray],
    *,
    steps: str = "every",
    tol: float = 1e-6,
) -> None:
    """Assert that loss_and_gradients matches central differences for every parameter, x
    and each initial state part."""
    state = initial_state(model, parts)
    _, grads = model.loss_and_gradients(x, y, state, steps=steps)
    inputs = model.parameters() | {"x": x} | parts
    assert set(grads) == set(inputs)

    def loss_of(name: str) -> Callable[[np.ndarray], float]:
        def loss(value: np.ndarray) -> float:
            if name == "x":
                return model.loss(value, y, state, steps=steps)
            if name in parts:
                return model.loss(x, y, initial_state(model, parts | {name: value}), steps=steps)
            return dataclasses.replace(model, **{name: value}).loss(x, y, state, steps=steps)

        return loss

    for name, value in inputs.items():
        numeric = numerical_gradient(loss_of(name), value)
        assert grads[name].shape == value.shape, name
        assert relative_error(grads[name], numeric) < tol, name


# --------------------------------------------------------------------- torch
def import_torch() -> Any:
    """torch, or a skip: it is optional and only used to compare against."""
    return pytest.importorskip("torch", reason="torch not installed (optional): pip install torch")


def torch_forward_backward(
    torch: Any, layer: Any, x: np.ndarray, parts: dict[str, np.ndarray], dhs: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Run a torch layer on x (T, B, n_in) from the initial state parts {name: (B, n_h)},
    backpropagate dhs; return the outputs and the gradients (torch names, x and the parts)."""
    xt = torch.from_numpy(x).requires_grad_()
    states = {k: torch.from_numpy(v)[None].clone().requires_grad_() for k, v in parts.items()}
    state = tuple(states.values())
    out, _ = layer(xt, state if len(state) > 1 else state[0])
    out.backward(torch.from_numpy(dhs))
    grads = {name: p.grad.numpy() for name, p in layer.named_parameters()}
    grads |= {"x": xt.grad.numpy()} | {k: v.grad[0].numpy() for k, v in states.items()}
    return out.detach().numpy(), grads


# --------------------------------------------------------------------- bad input
def refused(case: Case) -> None:
    """Assert that the call of a bad-input case raises its exception with its message."""
    call, exception, message = case
    with pytest.raises(exception, match=message):
        call()


def methods_without_case(cls: type, cases: Mapping[str, object]) -> set[str]:
    """Public methods of ``cls`` (inherited ones too) that no case name starts with."""
    covered = {case.split(" ")[0] for case in cases}
    public = {n for n in dir(cls) if not n.startswith("_") and callable(getattr(cls, n))}
    return public - {"parameters"} - covered
