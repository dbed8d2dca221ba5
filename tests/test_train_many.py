"""Training K networks at once (:func:`rnngrad.train.train_many`) gives each network its own run.

The claim of the stacked trainer is exact: every network's history and trained parameters
equal those of :func:`rnngrad.train.train` on that network alone, bit for bit, because each
network's products are the same BLAS calls on the same shapes and everything else is
elementwise.  These tests hold it to that for every kind of layer, with and without
clipping, for both optimisers, with networks that stop at different steps (solved or
diverged) while the others go on.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from helpers import VARIANTS, Case, make_layer, refused

from rnngrad import GRU, LSTM, RNN
from rnngrad._kernels import TANH_EXP_FORM_MIN_SIZE, tanh_into
from rnngrad.optim import SGD, Adam, Optimizer
from rnngrad.tasks import AddingProblem, AgreementTask
from rnngrad.train import TrainResult, _loss_and_gradients, train, train_many

TASK = AddingProblem(6)
SETTINGS: dict[str, Any] = {"steps": 60, "batch": 8, "eval_every": 5, "eval_batch": 32}


def networks(variant: str, K: int, *, dtype: type = np.float64) -> list[Any]:
    kind, options = VARIANTS[variant]
    return [
        make_layer(kind, n_in=TASK.n_in, n_h=5, n_out=1, head="linear", seed=k, **options)
        for k in range(K)
    ]


def assert_same_run(alone: TrainResult, together: TrainResult) -> None:
    for field in dataclasses.fields(alone.history):
        a, b = getattr(alone.history, field.name), getattr(together.history, field.name)
        # NaN: the loss of a diverged step, equal in both
        assert np.array_equal(a, b, equal_nan=np.asarray(a).dtype.kind == "f"), field.name
    for name, value in alone.model.parameters().items():
        assert np.array_equal(value, together.model.parameters()[name]), name


def both_ways(
    models: list[Any], optimizers: list[Optimizer], fresh: list[Optimizer], **kwargs: Any
) -> tuple[list[TrainResult], list[TrainResult]]:
    """The networks trained one by one with ``optimizers`` and together with ``fresh``."""
    clips = kwargs.pop("clip")
    clip_of = clips if isinstance(clips, list) else [clips] * len(models)
    alone = [
        train(m, TASK, opt, clip=c, rng=k, **kwargs)
        for k, (m, opt, c) in enumerate(zip(models, optimizers, clip_of, strict=True))
    ]
    together = train_many(models, TASK, fresh, clip=clips, rngs=range(len(models)), **kwargs)
    return alone, together


@pytest.mark.parametrize("variant", ["rnn-tanh", "rnn-relu", "lstm", "lstm-1997", "gru"])
@pytest.mark.parametrize("clip", [0.5, None])
def test_every_network_gets_its_own_run_bit_for_bit(variant: str, clip: float | None) -> None:
    models = networks(variant, 3)
    lrs = (0.05, 0.01, 0.002)
    alone, together = both_ways(
        models, [Adam(lr) for lr in lrs], [Adam(lr) for lr in lrs], clip=clip, **SETTINGS
    )
    for a, b in zip(alone, together, strict=True):
        assert_same_run(a, b)


def test_networks_that_stop_at_different_steps_leave_the_others_unchanged() -> None:
    """Some solve at different evaluations and stop, one diverges (a huge rate, unclipped),
    one runs out of steps: each exactly as alone."""
    models = networks("rnn-tanh", 5)
    settings = SETTINGS | {"steps": 300, "batch": 16, "eval_every": 10, "eval_batch": 64}
    lrs = (0.1, 0.05, 0.03, 0.02, 1e200)
    alone, together = both_ways(
        models,
        [Adam(lr) for lr in lrs],
        [Adam(lr) for lr in lrs],
        clip=[1.0, 1.0, None, 1.0, None],
        **settings,
    )
    for a, b in zip(alone, together, strict=True):
        assert_same_run(a, b)
    # The case is what the test is about: three stop solved at different steps, one runs
    # out of steps, one diverges.
    solved = [together[k].history.solved_step for k in (0, 2, 3)]
    assert None not in solved
    assert len(set(solved)) == 3, solved
    assert together[1].history.solved_step is None
    assert together[1].history.steps == 300
    assert together[4].history.diverged
    assert together[4].history.steps < 300


def test_agreement_task_and_a_softmax_head() -> None:
    task = AgreementTask(3)
    models = [LSTM.random(task.n_in, 4, task.n_out, rng=k) for k in range(3)]
    kwargs = SETTINGS | {"clip": 1.0, "steps": 20}
    alone = [train(m, task, Adam(0.01), rng=k, **kwargs) for k, m in enumerate(models)]
    together = train_many(models, task, [Adam(0.01) for _ in models], rngs=range(3), **kwargs)
    for a, b in zip(alone, together, strict=True):
        assert_same_run(a, b)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("variant", ["rnn-tanh", "lstm", "gru"])
def test_stacked_losses_and_gradients_are_each_networks_own(variant: str, dtype: type) -> None:
    """For the same weights and batch: equal to 1e-12 relative in float64 (in fact bitwise)."""
    models = networks(variant, 3)
    rng = np.random.default_rng(5)
    xs = rng.standard_normal((7, 3, 4, TASK.n_in)).astype(dtype)  # (T, K, B, n_in)
    ys = rng.standard_normal((3, 4, 1)).astype(dtype)
    params = {n: np.stack([m.parameters()[n] for m in models]) for n in models[0].parameters()}
    losses, grads = _loss_and_gradients(models[0]._stacked(params), xs, ys)
    tolerance = 1e-12 if dtype is np.float64 else 1e-6
    for k, model in enumerate(models):
        loss, single = model.loss_and_gradients(xs[:, k], ys[k], steps="last")
        assert losses[k] == pytest.approx(loss, rel=tolerance)
        for name in params:
            np.testing.assert_allclose(grads[name][k], single[name], rtol=tolerance, atol=0)


BAD: dict[str, Case] = {
    "empty": (lambda: train_many([], TASK, [], steps=1), ValueError, "models must hold"),
    "mixed kinds": (
        lambda: train_many(
            [RNN.random(2, 3, 1, head="linear"), GRU.random(2, 3, 1, head="linear")],
            TASK,
            [Adam(), Adam()],
            steps=1,
        ),
        TypeError,
        r"models\[1\] a GRU",
    ),
    "sizes": (
        lambda: train_many(
            [RNN.random(2, 3, 1, head="linear"), RNN.random(2, 4, 1, head="linear")],
            TASK,
            [Adam(), Adam()],
            steps=1,
        ),
        ValueError,
        r"sizes of models\[0\]; models\[1\]",
    ),
    "activation": (
        lambda: train_many(
            [
                RNN.random(2, 3, 1, head="linear"),
                RNN.random(2, 3, 1, head="linear", activation="relu"),
            ],
            TASK,
            [Adam(), Adam()],
            steps=1,
        ),
        ValueError,
        r"activation of models\[0\] \('tanh'\), but models\[1\] has 'relu'",
    ),
    "optimizer count": (
        lambda: train_many(networks("rnn-tanh", 2), TASK, [Adam()], steps=1),
        ValueError,
        r"optimizers must have one entry per network \(2\), got 1",
    ),
    "mixed optimizers": (
        lambda: train_many(networks("rnn-tanh", 2), TASK, [Adam(), SGD(0.1)], steps=1),
        TypeError,
        r"optimizers\[1\] is a SGD",
    ),
    "used optimizer": (
        lambda: train_many(networks("rnn-tanh", 1), TASK, [used_adam()], steps=1),
        ValueError,
        r"optimizers\[0\] has taken 1 steps",
    ),
    "clip count": (
        lambda: train_many(networks("rnn-tanh", 2), TASK, [Adam(), Adam()], steps=1, clip=[1.0]),
        ValueError,
        r"clip must have one entry per network \(2\), got 1",
    ),
    "clip value": (
        lambda: train_many(
            networks("rnn-tanh", 2), TASK, [Adam(), Adam()], steps=1, clip=[1.0, -1.0]
        ),
        ValueError,
        "clip",
    ),
    "rng count": (
        lambda: train_many(networks("rnn-tanh", 2), TASK, [Adam(), Adam()], steps=1, rngs=[0]),
        ValueError,
        r"rngs must have one entry per network \(2\), got 1",
    ),
    "not a model": (
        lambda: train_many([networks("rnn-tanh", 1)[0], "rnn"], TASK, [Adam(), Adam()], steps=1),
        TypeError,
        r"models\[1\] must be",
    ),
}


def used_adam() -> Adam:
    optimizer = Adam()
    optimizer.step({"w": np.zeros(2)}, {"w": np.ones(2)})
    return optimizer


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_bad_arguments_are_refused_by_name(case: Case) -> None:
    refused(case)


@pytest.mark.parametrize("per_network", [1024, TANH_EXP_FORM_MIN_SIZE])
def test_a_stack_takes_each_networks_own_tanh_formula(per_network: int) -> None:
    """tanh_into picks its formula by size; a stack of K blocks picks what one block would,
    or a network trained in a stack would round differently from the same network alone."""
    z = np.random.default_rng(0).uniform(-5, 5, (16, 32, per_network // 32))  # K, B, n
    stacked = np.empty_like(z)
    tanh_into(z, stacked)
    for k in range(z.shape[0]):
        alone = np.empty_like(z[k])
        tanh_into(z[k], alone)
        np.testing.assert_array_equal(stacked[k], alone)
