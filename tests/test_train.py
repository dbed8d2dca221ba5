"""The training loop: what it records, that it is deterministic, and that short lags are learned."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rnngrad import GRU, LSTM, RNN, numerical_gradient
from rnngrad.experiments import make_model
from rnngrad.optim import SGD, Adam
from rnngrad.tasks import AddingProblem, AgreementTask
from rnngrad.train import state_gradient_norms, train


def gradient_from(model, x, y, k: int) -> np.ndarray:
    """∂E_T/∂s_k by rerunning from s_k: the h0 gradient of the run over x_{k+1} … x_T."""
    hs, _ = model.forward(x)
    if isinstance(model, LSTM):
        _, cache = model.forward(x)
        state = (cache.states[k], cache.cells[k])
    else:
        state = np.concatenate([np.zeros_like(hs[:1]), hs])[k]
    _, grads = model.loss_and_gradients(x[k:], y, state, steps="last")
    return grads["h0"]


@pytest.mark.parametrize("cls", [RNN, LSTM, GRU])
def test_state_gradient_norms_match_rerunning_from_each_state(cls) -> None:
    model = cls.random(3, 4, 2, rng=1)
    task_x = np.random.default_rng(2).standard_normal((6, 3, 3))
    y = np.array([0, 1, 1])
    norms = state_gradient_norms(model, task_x, y)
    assert norms.shape == (7,)
    for k in range(6):  # k = T has no sequence left to rerun
        expected = np.linalg.norm(gradient_from(model, task_x, y, k))
        assert norms[k] == pytest.approx(expected, rel=1e-10)


def test_state_gradient_of_the_last_state_matches_finite_differences() -> None:
    model = RNN.random(2, 3, 1, head="linear", rng=3)
    x = np.random.default_rng(4).standard_normal((5, 2, 2))
    y = np.array([[0.5], [-1.0]])
    hs, _ = model.forward(x)
    V, c = model.V, model.c

    def loss(last: np.ndarray) -> float:
        return float(np.mean((last @ V.T + c - y) ** 2))

    numeric = numerical_gradient(loss, hs[-1].copy())
    assert state_gradient_norms(model, x, y)[-1] == pytest.approx(np.linalg.norm(numeric))


def test_history_records_every_step_and_evaluation() -> None:
    task = AddingProblem(8)
    model = make_model("rnn", 2, 8, 1, head="linear", rng=0)
    _, h = train(
        model, task, Adam(1e-2), steps=25, batch=8, eval_every=10, eval_batch=16, rng=1,
        stop_when_solved=False,
    )  # fmt: skip
    assert h.steps == 25
    assert h.loss.shape == h.grad_norm.shape == (25,)
    np.testing.assert_array_equal(h.eval_steps, [0, 10, 20, 25])
    assert h.eval_metric.shape == (4,)
    assert h.state_grad_norms.shape == (4, 9)
    assert np.all(h.grad_norm > 0)
    assert h.solved_step is None
    assert not h.diverged


def test_training_is_bit_identical_for_a_seed() -> None:
    task = AgreementTask(3)

    def once():
        model = make_model("gru", task.n_in, 6, 2, head="softmax", rng=5)
        return train(model, task, Adam(1e-2), steps=20, batch=8, eval_every=5, rng=9)

    (m1, h1), (m2, h2) = once(), once()
    for field in dataclasses.fields(h1):
        np.testing.assert_array_equal(getattr(h1, field.name), getattr(h2, field.name))
    for name, value in m1.parameters().items():
        np.testing.assert_array_equal(value, getattr(m2, name))


def test_clipping_caps_the_step_but_the_history_keeps_the_norm_before() -> None:
    task = AddingProblem(6)
    model = make_model("rnn", 2, 4, 1, head="linear", rng=0)
    common = dict(steps=1, batch=4, eval_batch=4, rng=2)
    _, h = train(model, task, SGD(1.0), clip=None, **common)
    clipped, h_clip = train(model, task, SGD(1.0), clip=1e-3, **common)
    assert h.grad_norm[0] == h_clip.grad_norm[0] > 1e-3
    moved = np.sqrt(
        sum(np.sum((p - getattr(model, n)) ** 2) for n, p in clipped.parameters().items())
    )
    assert moved == pytest.approx(1e-3)


def test_divergence_stops_training_instead_of_raising() -> None:
    task = AddingProblem(20)
    model = make_model("rnn", 2, 4, 1, head="linear", init="scaled", radius=3.0, rng=0)
    model = dataclasses.replace(model, activation="identity")
    _, h = train(model, task, SGD(1e3), clip=None, steps=50, batch=4, eval_batch=4, rng=0)
    assert h.diverged
    assert h.steps < 50


def test_progress_goes_to_stdout_only(capsys: pytest.CaptureFixture[str]) -> None:
    task = AddingProblem(4)
    model = make_model("rnn", 2, 4, 1, head="linear", rng=0)
    train(model, task, Adam(), steps=4, batch=4, eval_every=2, eval_batch=4, progress=True)
    out, err = capsys.readouterr()
    assert "step 4/4" in out
    assert err == ""
    train(model, task, Adam(), steps=4, batch=4, eval_every=2, eval_batch=4)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("kind", ["rnn", "irnn", "lstm", "gru"])
def test_every_model_learns_a_short_lag(kind: str) -> None:
    """Adding with T = 6: every model ends well under the baseline (and stops early)."""
    task = AddingProblem(6)
    model = make_model(kind, 2, 16, 1, head="linear", rng=0)
    _, h = train(model, task, Adam(1e-2), steps=1500, batch=32, eval_every=50, rng=0)
    assert h.solved_step is not None
    assert h.eval_metric[-1] < 0.1 * task.baseline < h.eval_metric[0]


def test_lstm_learns_a_lag_at_which_the_gradient_of_the_tanh_rnn_has_vanished() -> None:
    """The chapter's headline: same budget, T = 30. The LSTM solves the adding problem; the
    tanh RNN stays at the baseline, and the error at the answer reaches its first steps
    hundreds of times weaker than the LSTM's."""
    task = AddingProblem(30)
    runs = {}
    for kind in ("rnn", "lstm"):
        model = make_model(kind, 2, 16, 1, head="linear", rng=0)
        _, runs[kind] = train(
            model, task, Adam(1e-2), steps=400, batch=32, eval_every=50, eval_batch=128, rng=0
        )
    rnn, lstm = runs["rnn"], runs["lstm"]
    assert lstm.solved_step is not None
    assert lstm.eval_metric[-1] < 0.1 * task.baseline
    assert rnn.solved_step is None
    assert rnn.eval_metric[-1] > 0.8 * task.baseline
    reach = {k: h.state_grad_norms[-1, 0] / h.state_grad_norms[-1, -1] for k, h in runs.items()}
    assert reach["rnn"] < 1e-2 * reach["lstm"]
