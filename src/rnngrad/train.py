"""The training loop: minibatches of a task, an optimiser, clipping, and what to watch.

:func:`train` fits a model (:class:`~rnngrad.rnn.RNN`, :class:`~rnngrad.lstm.LSTM` or
:class:`~rnngrad.gru.GRU`, with a head that fits the task) to a task of
:mod:`rnngrad.tasks` on the loss of the last step, E = E_T.  Besides the loss it records
what the chapter explains failures with:

* the global norm of the gradient before clipping, at every step;
* at every evaluation, ‖∂E_T/∂s_k‖ for k = 0 … T (:func:`state_gradient_norms`): how much
  of the error signal at the answer reaches the state k steps back.  For a failing network
  this is the vanishing gradient itself, measured on the network as it trains.

Everything is deterministic: one seed gives the held-out set, every minibatch and so the
same history, bit for bit.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._kernels import global_norm_of
from ._types import FloatArray
from ._validate import RngLike, as_generator, check_instance, check_int, check_real
from .layer import RecurrentLayer
from .optim import Optimizer, clip_by_global_norm
from .tasks import Batch, Task

#: The networks :func:`train` accepts: any recurrent layer (RNN, LSTM, GRU).
Model = RecurrentLayer

_A_LAYER = "an rnngrad recurrent layer (RNN, LSTM or GRU)"


@dataclass(frozen=True, eq=False)
class History:
    """What happened during :func:`train`.

    Attributes
    ----------
    loss : ndarray, shape (steps,)
        The training loss E_T of each minibatch, before its update.
    grad_norm : ndarray, shape (steps,)
        The global norm of the parameter gradient of each step, before clipping.
    eval_steps : ndarray of int, shape (n_evals,)
        The steps after which the model was evaluated (0 = before training).
    eval_metric : ndarray, shape (n_evals,)
        The task metric (:attr:`~rnngrad.tasks.Task.metric`) on the held-out set.
    state_grad_norms : ndarray, shape (n_evals, T + 1)
        ``state_grad_norms[i, k]`` = ‖∂E_T/∂s_k‖ at evaluation i (see
        :func:`state_gradient_norms`).
    solved_step : int or None
        The first evaluation step at which the task counted as solved, or None.
    diverged : bool
        Whether training stopped because the loss or the gradient became NaN or inf.
    """

    loss: FloatArray
    grad_norm: FloatArray
    eval_steps: NDArray[np.int64]
    eval_metric: FloatArray
    state_grad_norms: FloatArray
    solved_step: int | None
    diverged: bool

    @property
    def steps(self) -> int:
        """The number of training steps taken."""
        return int(self.loss.shape[0])


class TrainResult(NamedTuple):
    """The trained model and its :class:`History`."""

    model: Model
    history: History


def state_gradient_norms(model: Model, x: ArrayLike, y: ArrayLike) -> FloatArray:
    """Return ‖∂E_T/∂s_k‖ for k = 0 … T: the error at the last step, seen from each state.

    E_T is the loss of the last step averaged over the B sequences of ``x``; s_k stands for
    the hidden states h_k of all B sequences together, so the result is
    sqrt(Σ_b ‖∂E_T/∂h_k^(b)‖²).  For the LSTM, whose state is (h, c), it is the gradient
    with respect to h_k with c_k held fixed -- it includes every path through the cells
    after step k.  The vector ∂E_T/∂s_T is carried back through the state Jacobians of
    each sequence: ∂E_T/∂s_{k−1} = ∂E_T/∂s_k · J_k.

    Parameters
    ----------
    model : RNN, LSTM or GRU
        With a head.
    x : array_like, shape (T, B, n_in)
        A few sequences (the cost is B·T Jacobians of size n_h², 4 n_h² for the LSTM).
    y : array_like
        Last-step targets, as for ``loss_and_gradients(..., steps="last")``.

    Returns
    -------
    ndarray of float64, shape (T + 1,)
        ``result[k]`` = ‖∂E_T/∂s_k‖; k = 0 is the initial state.

    Raises
    ------
    ValueError, TypeError
        If ``model`` is not a model with a head, or x or y do not fit it.
    """
    check_instance("model", model, RecurrentLayer, _A_LAYER)
    _, dhs, cache, _ = model.loss_and_state_gradients(x, y, steps="last")
    xs = cache.x
    T, B = xs.shape[:2]
    ds = dhs[-1]
    jac = np.stack([model.state_jacobians(xs[:, b]) for b in range(B)])  # (B, T, m, m)
    n = model.n_h
    v = np.zeros((B, jac.shape[-1]))
    v[:, :n] = ds  # the h part; an LSTM's cell enters E_T only through h_T
    norms = np.empty(T + 1)
    norms[T] = np.linalg.norm(v[:, :n])
    for k in range(T, 0, -1):
        v = np.einsum("bi,bij->bj", v, jac[:, k - 1])
        norms[k - 1] = np.linalg.norm(v[:, :n])
    return norms


def train(
    model: Model,
    task: Task,
    optimizer: Optimizer,
    *,
    steps: int,
    batch: int = 64,
    clip: float | None = 1.0,
    eval_every: int = 100,
    eval_batch: int = 256,
    gradient_sequences: int = 4,
    stop_when_solved: bool = True,
    rng: RngLike = None,
    progress: bool = False,
) -> TrainResult:
    """Train ``model`` on ``task`` with the loss of the last step, E = E_T.

    One generator, from ``rng``, first draws a held-out set of ``eval_batch`` sequences and
    then a fresh minibatch for every step.  Each step computes E_T and its gradient by
    BPTT, records the gradient's global norm, clips it to ``clip`` (Pascanu et al. 2013)
    and lets the optimiser update the model.  The model is evaluated on the held-out set
    before training, every ``eval_every`` steps and after the last step.

    Parameters
    ----------
    model : RNN, LSTM or GRU
        The initial model; its head must be the task's (``task.head``, ``task.n_out``
        outputs) and its input size ``task.n_in``.
    task : Task
        E.g. :class:`~rnngrad.tasks.AddingProblem` or :class:`~rnngrad.tasks.AgreementTask`.
    optimizer : Optimizer
        E.g. :class:`~rnngrad.optim.Adam`; it keeps its state across the steps.
    steps : int
        The largest number of training steps, ≥ 1.
    batch : int
        Sequences per minibatch, ≥ 1.
    clip : float or None
        Clip the global gradient norm to this value (> 0); None: no clipping.
    eval_every : int
        Steps between evaluations, ≥ 1.
    eval_batch : int
        Size of the held-out set, ≥ 1.
    gradient_sequences : int
        How many held-out sequences :func:`state_gradient_norms` uses at each evaluation,
        ≥ 1 (at most ``eval_batch``).
    stop_when_solved : bool
        Stop at the first evaluation at which ``task.solved`` holds.
    rng : numpy.random.Generator, int or None
        Random source or seed of the data; None means seed 0.
    progress : bool
        Print a one-line progress report to stdout, rewritten at every evaluation (for
        interactive use; silent by default, and it never writes to stderr).

    Returns
    -------
    TrainResult
        The model after the last step and the :class:`History`.

    Raises
    ------
    ValueError, TypeError
        If an argument is out of range or the model does not fit the task.
    """
    check_instance("model", model, RecurrentLayer, _A_LAYER)
    _check_fit(model, task)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an rnngrad Optimizer, got {type(optimizer).__name__}")
    n_steps = check_int("steps", steps, minimum=1)
    size = check_int("batch", batch, minimum=1)
    limit = None if clip is None else check_real("clip", clip, positive=True)
    every = check_int("eval_every", eval_every, minimum=1)
    n_eval = check_int("eval_batch", eval_batch, minimum=1)
    n_grad = check_int("gradient_sequences", gradient_sequences, minimum=1)
    if n_grad > n_eval:
        raise ValueError(f"gradient_sequences must be <= eval_batch, got {n_grad} > {n_eval}")
    gen = as_generator(rng)
    held_out = task.sample(n_eval, gen)  # drawn first, so that it never meets a minibatch
    log = _Log(task, held_out, n_grad, progress, n_steps)
    # A diverging run overflows; that is recorded in the history, not warned about (a
    # warning on stderr would fail a book build, and is an error under pytest).
    with np.errstate(over="ignore", invalid="ignore"):
        solved = log.evaluate(model, 0)
        diverged = False
        step = 0
        while step < n_steps and not (solved and stop_when_solved):
            x, y = task.sample(size, gen)
            loss, grads = model.loss_and_gradients(x, y, steps="last")
            params = {name: grads[name] for name in model.parameters()}
            norm = global_norm_of(params.values())
            log.record(loss, norm)
            if not np.isfinite(loss + norm):
                diverged = True
                break
            if limit is not None:
                params, _ = clip_by_global_norm(params, limit)
            model = optimizer.update(model, params)
            step += 1
            if step % every == 0 or step == n_steps:
                solved = log.evaluate(model, step)
    if progress:
        print(file=sys.stdout)  # end the progress line
    return TrainResult(model, log.history(diverged))


def _check_fit(model: Model, task: Task) -> None:
    if not isinstance(task, Task):
        raise TypeError(f"task must be an rnngrad task, got {type(task).__name__}")
    wanted = (task.n_in, task.head, task.n_out)
    if (model.n_in, model.head, model.n_out) != wanted:
        raise ValueError(
            f"model must have n_in = {task.n_in} and a {task.head!r} head with {task.n_out} "
            f"outputs for this task, got n_in = {model.n_in}, head {model.head!r}, "
            f"n_out = {model.n_out}"
        )


class _Log:
    """Collects the history during :func:`train` and prints the optional progress line."""

    def __init__(self, task: Task, held_out: Batch, n_grad: int, progress: bool, steps: int):
        self.task, self.held_out, self.n_grad = task, held_out, n_grad
        self.progress, self.steps = progress, steps
        self.loss: list[float] = []
        self.grad_norm: list[float] = []
        self.evals: list[tuple[int, float, FloatArray]] = []
        self.solved_step: int | None = None

    def record(self, loss: float, norm: float) -> None:
        self.loss.append(loss)
        self.grad_norm.append(norm)

    def evaluate(self, model: Model, step: int) -> bool:
        """Evaluate on the held-out set; return whether the task counts as solved."""
        x, y = self.held_out
        outputs = model.predict(x)[-1]
        metric = self.task.score(outputs, y)
        norms = state_gradient_norms(model, x[:, : self.n_grad], y[: self.n_grad])
        self.evals.append((step, metric, norms))
        solved = self.task.solved(outputs, y)
        if solved and self.solved_step is None:
            self.solved_step = step
        if self.progress:
            line = f"step {step}/{self.steps}  held-out {self.task.metric} {metric:.4g}"
            print(f"\r{line}", end="", file=sys.stdout, flush=True)
        return solved

    def history(self, diverged: bool) -> History:
        steps, metric, norms = zip(*self.evals, strict=True)
        return History(
            loss=np.array(self.loss, dtype=np.float64),
            grad_norm=np.array(self.grad_norm, dtype=np.float64),
            eval_steps=np.array(steps, dtype=np.int64),
            eval_metric=np.array(metric, dtype=np.float64),
            state_grad_norms=np.stack(norms),
            solved_step=self.solved_step,
            diverged=diverged,
        )
