"""The LRU block (encoder, LRU, head): exact gradients, its state gradients, training alone and
stacked, the model factory, and bad input."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from helpers import Case, methods_without_case, refused

from rnngrad import LRU, numerical_gradient, relative_error
from rnngrad.block import LRUBlock
from rnngrad.experiments import LRU_RING, make_model
from rnngrad.optim import Adam
from rnngrad.tasks import AddingProblem
from rnngrad.train import state_gradient_norms, train, train_many

N_IN, N_H, WIDTH, N_OUT = 3, 4, 5, 2


def make_block(seed: int = 0, *, head: str = "softmax", n_out: int | None = N_OUT) -> LRUBlock:
    """A small block whose encoder bias and head bias are non-zero, so that every parameter
    matters (and few pre-activations sit near the ReLU's kink)."""
    gen = np.random.default_rng(seed)
    block = LRUBlock.random(
        N_IN, N_H, n_out, width=WIDTH, head=head, r_min=0.5, r_max=0.99, rng=gen
    )
    extra: dict[str, Any] = {"b": 0.3 * gen.standard_normal(WIDTH)}
    if n_out is not None:
        extra["c"] = 0.3 * gen.standard_normal(n_out)
    return dataclasses.replace(block, **extra)


def targets(head: str, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    if head == "softmax":
        return rng.integers(0, N_OUT, size=shape)
    return rng.standard_normal((*shape, N_OUT))


@pytest.mark.parametrize("head", ["softmax", "linear"])
@pytest.mark.parametrize("steps", ["every", "last"])
@pytest.mark.parametrize("T", [1, 5, 11])
def test_gradients_match_central_differences(head: str, steps: str, T: int, rng) -> None:
    """Every parameter and the input, float64, B = 3: relative error < 1e−6."""
    block = make_block(T, head=head)
    x = rng.standard_normal((T, 3, N_IN))
    y = targets(head, (T, 3) if steps == "every" else (3,), rng)
    _, grads = block.loss_and_gradients(x, y, steps=steps)
    assert set(grads) == {*block.parameters(), "x"}
    for name, value in block.parameters().items():
        numerical = numerical_gradient(
            lambda p, name=name: dataclasses.replace(block, **{name: p}).loss(x, y, steps=steps),
            value,
        )
        assert relative_error(grads[name], numerical) < 1e-6, name
    numerical = numerical_gradient(lambda p: block.loss(p, y, steps=steps), x)
    assert relative_error(grads["x"], numerical) < 1e-6


def test_forward_is_encoder_then_lru(rng) -> None:
    block = make_block()
    x = rng.standard_normal((6, 2, N_IN))
    y, _ = block.forward(x)
    lru = LRU(**{name: getattr(block, name) for name in LRU.PARAMETERS})
    expected, _ = lru.forward(np.maximum(x @ block.U.T + block.b, 0))
    np.testing.assert_array_equal(y, expected)


def test_state_gradient_norms_match_differences_through_the_state(rng) -> None:
    """‖∂E_T/∂h_k‖ against central differences of E_T in a perturbation δ added to h_k,
    with the recurrence and the head written out here from the equations."""
    block = make_block(3, head="linear")
    T, B = 7, 2
    x = rng.standard_normal((T, B, N_IN))
    y = rng.standard_normal((B, N_OUT))
    lam = np.exp(-np.exp(block.nu_log) + 1j * np.exp(block.theta_log))
    u = np.maximum(x @ block.U.T + block.b, 0)
    drive = np.exp(block.gamma_log) * (u @ (block.B_re + 1j * block.B_im).T)

    def loss_with(k: int, delta: np.ndarray) -> float:
        h = np.zeros((B, N_H), dtype=complex)
        for t in range(1, T + 1):
            h = lam * h + drive[t - 1]
            if t == k:
                h = h + delta[:, :N_H] + 1j * delta[:, N_H:]
        if k == 0:
            h = h + lam**T * (delta[:, :N_H] + 1j * delta[:, N_H:])
        out = (h @ (block.C_re + 1j * block.C_im).T).real + block.D * u[-1]
        return float(np.mean(np.sum((out @ block.V.T + block.c - y) ** 2, axis=1)) / N_OUT)

    norms = state_gradient_norms(block, x, y)
    assert norms.shape == (T + 1,)
    for k in (0, 1, 4, T):
        numerical = numerical_gradient(lambda d, k=k: loss_with(k, d), np.zeros((B, 2 * N_H)))
        assert norms[k] == pytest.approx(np.linalg.norm(numerical), rel=1e-6), k


def test_state_jacobians_are_the_lrus(rng) -> None:
    block = make_block()
    x = rng.standard_normal((9, N_IN))
    J = block.state_jacobians(x)
    assert J.shape == (9, 2 * N_H, 2 * N_H)
    np.testing.assert_array_equal(J, block.lru.state_jacobians(np.zeros((9, WIDTH))))
    norms = block.jacobian_norms_by_lag(x, 9)
    np.testing.assert_allclose(norms, np.max(np.abs(block.lru.eigenvalues)) ** np.arange(10))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_train_many_gives_each_block_its_own_run(dtype: type) -> None:
    """K = 3 blocks trained together: each one's history and parameters equal its own
    :func:`train` run, bit for bit (the engine's claim for every model)."""
    task = AddingProblem(6)
    blocks = [
        LRUBlock.random(task.n_in, 4, 1, head="linear", r_min=0.5, rng=k, dtype=dtype)
        for k in range(3)
    ]
    settings: dict[str, Any] = {"steps": 40, "batch": 8, "eval_every": 5, "eval_batch": 16}
    alone = [
        train(m, task, Adam(lr), rng=k, **settings)
        for k, (m, lr) in enumerate(zip(blocks, (0.01, 0.03, 0.1), strict=True))
    ]
    together = train_many(
        blocks, task, [Adam(lr) for lr in (0.01, 0.03, 0.1)], rngs=range(3), **settings
    )
    for one, many in zip(alone, together, strict=True):
        for field in dataclasses.fields(one.history):
            a, b = getattr(one.history, field.name), getattr(many.history, field.name)
            assert np.array_equal(a, b), field.name
        for name, value in one.model.parameters().items():
            assert value.dtype == dtype
            assert np.array_equal(value, many.model.parameters()[name]), name


def test_training_lowers_the_loss_of_the_adding_problem() -> None:
    """A check that the gradient is of use, not only correct: 150 steps of Adam on T = 10
    bring the held-out MSE below half the baseline's (0.167 for Le et al.'s variant)."""
    task = AddingProblem(10)
    block = make_model("lru", task.n_in, 16, task.n_out, head=task.head, rng=1)
    result = train(block, task, Adam(0.01), steps=150, batch=32, eval_every=50, rng=2)
    assert result.history.eval_metric[-1] < 0.5 * task.baseline


def test_make_model_draws_the_ring(rng) -> None:
    block = make_model("lru", 2, 64, 1, head="linear", rng=5, dtype="float32")
    assert isinstance(block, LRUBlock)
    assert block.dtype == np.float32
    r_min, r_max, max_phase = LRU_RING
    radius = np.abs(block.lru.eigenvalues)
    assert radius.min() >= r_min - 1e-6
    assert radius.max() <= r_max + 1e-6
    assert np.exp(block.theta_log).max() <= max_phase * (1 + 1e-6)
    assert block.width == block.n_h == 64


def bad_input_cases() -> dict[str, Case]:
    block = make_block()
    headless = make_block(n_out=None)
    params = block.parameters()
    x = np.zeros((4, 2, N_IN))
    _, cache = block.forward(x)
    return {
        "__init__ encoder width": (
            lambda: LRUBlock(**(params | {"b": np.zeros(WIDTH + 1)})),
            ValueError,
            r"b must have shape \(5,\), got \(6,\)",
        ),
        "__init__ lru input": (
            lambda: LRUBlock(
                **(
                    params
                    | {
                        "B_re": np.zeros((N_H, 2)),
                        "B_im": np.zeros((N_H, 2)),
                        "C_re": np.zeros((2, N_H)),
                        "C_im": np.zeros((2, N_H)),
                        "D": np.zeros(2),
                    }
                )
            ),
            ValueError,
            r"B_re must have shape \(4, 5\), got \(4, 2\)",
        ),
        "__init__ head": (
            lambda: LRUBlock(**(params | {"head": "tanh"})),
            ValueError,
            r"head must be",
        ),
        "random width": (lambda: LRUBlock.random(2, 3, width=0), ValueError, r"width must be >= 1"),
        "random ring": (lambda: LRUBlock.random(2, 3, r_min=1.0), ValueError, r"r_min < r_max"),
        "forward h0": (
            lambda: block.forward(x, np.zeros((2, N_H))),
            ValueError,
            r"h0 must be None",
        ),
        "forward width": (
            lambda: block.forward(np.zeros((4, 2, 1))),
            ValueError,
            r"x must have shape",
        ),
        "backward cache": (
            lambda: block.backward(np.zeros((4, 2, WIDTH)), None),
            TypeError,
            r"cache must be the BlockCache from forward",
        ),
        "backward dhs": (
            lambda: block.backward(np.zeros((4, 2, N_H)), cache),
            ValueError,
            r"dhs must have shape \(4, 2, 5\)",
        ),
        "predict headless": (lambda: headless.predict(x), ValueError, r"has no head"),
        "loss labels": (
            lambda: block.loss(x, np.full((4, 2), 7)),
            ValueError,
            r"class labels in \[0, 2\)",
        ),
        "loss_and_gradients steps": (
            lambda: block.loss_and_gradients(x, np.zeros((4, 2), int), steps="all"),
            ValueError,
            r"steps must be one of",
        ),
        "loss_and_state_gradients headless": (
            lambda: headless.loss_and_state_gradients(x, np.zeros((4, 2), int)),
            ValueError,
            r"has no head",
        ),
        "state_jacobians shape": (
            lambda: block.state_jacobians(x),
            ValueError,
            r"x must have shape \(T, 3\)",
        ),
        "jacobian_norms_by_lag t": (
            lambda: block.jacobian_norms_by_lag(x[:, 0], 9),
            ValueError,
            r"t must be <= T = 4",
        ),
        "state_gradient_norms y": (
            lambda: block.state_gradient_norms(x, np.zeros((3,), int)),
            ValueError,
            r"y must have shape \(2,\)",
        ),
        "train mixed kinds": (
            lambda: train_many(
                [
                    make_model("lru", 2, 4, 1, head="linear"),
                    make_model("rnn", 2, 4, 1, head="linear"),
                ],
                AddingProblem(6),
                [Adam(0.01), Adam(0.01)],
                steps=1,
            ),
            TypeError,
            r"models must all be of one kind",
        ),
        "train not a model": (
            lambda: train(LRU.random(2, 3), AddingProblem(6), Adam(0.01), steps=1),
            TypeError,
            r"model must be an rnngrad recurrent layer \(RNN, LSTM or GRU\) or an LRUBlock",
        ),
    }


@pytest.mark.parametrize("case", bad_input_cases())
def test_bad_input_is_refused_with_a_clear_message(case: str) -> None:
    refused(bad_input_cases()[case])


def test_every_public_method_has_a_bad_input_case() -> None:
    assert methods_without_case(LRUBlock, bad_input_cases()) == set()
