"""Shared fixtures: where the project and its built site are."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from built_site import ROOT, SITE

from rnngrad import RNN

# The extension rnngrad_book is tested in-process on the tiny projects in tests/roots
# (``@pytest.mark.sphinx("html", testroot="handout")`` builds tests/roots/test-handout).
pytest_plugins = ("sphinx.testing.fixtures",)


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where sphinx.testing finds the test projects."""
    return ROOT / "tests" / "roots"


@pytest.fixture(autouse=True)
def _environment_restored() -> Iterator[None]:
    """The book's extension sets the kernel's environment variables; none may leak into
    the next test."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def site() -> Path:
    """The assembled site. Its absence is a failure, not a skip: `make test` builds it."""
    if not (SITE / "index.html").is_file():
        pytest.fail(f"{SITE} is missing: run `make html` (or `make test`, which builds it first)")
    return SITE


# ---------------------------------------------------------------- rnngrad core fixtures
@pytest.fixture
def rng() -> np.random.Generator:
    """A freshly seeded generator: every test sees the same numbers."""
    return np.random.default_rng(20130101)


@pytest.fixture
def make_rnn() -> Callable[..., RNN]:
    """Factory of small networks with non-zero biases, so that every parameter matters."""

    def make(
        activation: str = "tanh",
        *,
        n_in: int = 3,
        n_h: int = 4,
        n_out: int | None = 5,
        head: str = "softmax",
        seed: int = 0,
    ) -> RNN:
        gen = np.random.default_rng(seed)
        model = RNN.random(n_in, n_h, n_out, activation=activation, head=head, rng=gen)
        extra: dict[str, np.ndarray] = {"b": 0.3 * gen.standard_normal(n_h)}
        if n_out is not None:
            extra["c"] = 0.3 * gen.standard_normal(n_out)
        return dataclasses.replace(model, **extra)

    return make


# ---------------------------------------------------------------- gated layers (LSTM, GRU)
@pytest.fixture
def check_loss_gradients() -> Callable[..., None]:
    """Check loss_and_gradients of a layer with a head against central differences.

    ``parts`` are the initial-state arrays by gradient name (``{"h0": …}`` or with ``"c0"``),
    and ``build_state(parts)`` turns them into the layer's ``h0`` argument.
    """
    from rnngrad import numerical_gradient, relative_error

    def check(model, x, y, parts, build_state, steps="every", tol=1e-6) -> None:
        state = build_state(parts)
        _, grads = model.loss_and_gradients(x, y, state, steps=steps)
        inputs = model.parameters() | {"x": x} | parts
        assert set(grads) == set(inputs)

        def loss_of(name: str) -> Callable[[np.ndarray], float]:
            def loss(value: np.ndarray) -> float:
                if name == "x":
                    return model.loss(value, y, state, steps=steps)
                if name in parts:
                    return model.loss(x, y, build_state(parts | {name: value}), steps=steps)
                return dataclasses.replace(model, **{name: value}).loss(x, y, state, steps=steps)

            return loss

        for name, value in inputs.items():
            numeric = numerical_gradient(loss_of(name), value)
            assert grads[name].shape == value.shape, name
            assert relative_error(grads[name], numeric) < tol, name

    return check


@pytest.fixture
def torch_module():
    """torch, or a skip: it is optional and only used to compare against."""
    reason = "torch not installed (optional): pip install torch==2.13.0"
    return pytest.importorskip("torch", reason=reason)


@pytest.fixture
def torch_forward_backward(torch_module) -> Callable[..., tuple[np.ndarray, dict]]:
    """Run a torch layer on numpy x (T, B, n_in) and initial state parts {name: (B, n_h)},
    backpropagate dhs; return the outputs and the gradients (torch names, x and the parts)."""
    torch = torch_module

    def run(layer, x, parts: dict[str, np.ndarray], dhs) -> tuple[np.ndarray, dict]:
        xt = torch.from_numpy(x).requires_grad_()
        states = {k: torch.from_numpy(v)[None].clone().requires_grad_() for k, v in parts.items()}
        state = tuple(states.values())
        out, _ = layer(xt, state if len(state) > 1 else state[0])
        out.backward(torch.from_numpy(dhs))
        grads = {name: p.grad.numpy() for name, p in layer.named_parameters()}
        grads |= {"x": xt.grad.numpy()} | {k: v.grad[0].numpy() for k, v in states.items()}
        return out.detach().numpy(), grads

    return run


@pytest.fixture
def refused() -> Callable[[tuple[Callable[[], object], type[Exception], str]], None]:
    """Check one bad-input case (call, exception, message regex), as in test_validation."""

    def check(case: tuple[Callable[[], object], type[Exception], str]) -> None:
        call, exception, message = case
        with pytest.raises(exception, match=message):
            call()

    return check


@pytest.fixture
def methods_without_case() -> Callable[[type, dict[str, object]], set[str]]:
    """Public methods of a class (inherited ones too) that no bad-input case name starts with."""

    def uncovered(cls: type, cases: dict[str, object]) -> set[str]:
        covered = {case.split(" ")[0] for case in cases}
        public = {n for n in dir(cls) if not n.startswith("_") and callable(getattr(cls, n))}
        return public - {"parameters"} - covered

    return uncovered
