"""The training loop: minibatches of a task, an optimiser, clipping, and what to watch.

:func:`train` fits a model (:class:`~rnngrad.rnn.RNN`, :class:`~rnngrad.lstm.LSTM`,
:class:`~rnngrad.gru.GRU` or :class:`~rnngrad.block.LRUBlock`, with a head that fits the
task) to a task of :mod:`rnngrad.tasks` on the loss of the last step, E = E_T.  Besides
the loss it records what the chapter explains failures with:

* the global norm of the gradient before clipping, at every step;
* at every evaluation, ‖∂E_T/∂s_k‖ for k = 0 … T (:func:`state_gradient_norms`): how much
  of the error signal at the answer reaches the state k steps back.  For a failing network
  this is the vanishing gradient itself, measured on the network as it trains.

Everything is deterministic: one seed gives the held-out set, every minibatch and so the
same history, bit for bit.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._kernels import global_norm_of
from ._types import FloatArray
from ._validate import RngLike, as_generator, check_instance, check_int, check_real
from .block import LRUBlock
from .heads import head_outputs
from .layer import RecurrentLayer
from .optim import Optimizer, per_network, stack_optimizers
from .tasks import Batch, Task

#: The networks :func:`train` accepts: any recurrent layer (RNN, LSTM, GRU) or the LRU block.
Model = RecurrentLayer | LRUBlock

_MODELS = (RecurrentLayer, LRUBlock)
_A_LAYER = "an rnngrad recurrent layer (RNN, LSTM or GRU) or an LRUBlock"


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
    each sequence: ∂E_T/∂s_{k−1} = ∂E_T/∂s_k · J_k.  For the
    :class:`~rnngrad.block.LRUBlock` the state is the LRU's h_k, and
    :meth:`~rnngrad.block.LRUBlock.state_gradient_norms` computes the same in closed form.

    Parameters
    ----------
    model : RNN, LSTM, GRU or LRUBlock
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
    check_instance("model", model, _MODELS, _A_LAYER)
    if isinstance(model, LRUBlock):  # its state is the LRU's h_k, not the head's input
        return model.state_gradient_norms(x, y)
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
    before training, every ``eval_every`` steps and after the last step.  The data are
    cast to the model's dtype, so a float32 model trains in float32.  Training stops
    early when the loss or the gradient becomes NaN or inf (recorded as ``diverged``) and,
    with ``stop_when_solved``, at the first evaluation that counts as solved.

    Parameters
    ----------
    model : RNN, LSTM, GRU or LRUBlock
        The initial model; its head must be the task's (``task.head``, ``task.n_out``
        outputs) and its input size ``task.n_in``.
    task : Task
        E.g. :class:`~rnngrad.tasks.AddingProblem` or :class:`~rnngrad.tasks.AgreementTask`.
    optimizer : Optimizer
        E.g. :class:`~rnngrad.optim.Adam`, fresh (no steps taken).
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

    See Also
    --------
    train_many : the same for K networks at once, each getting exactly this function's result.
    """
    check_instance("model", model, _MODELS, _A_LAYER)
    check_instance("optimizer", optimizer, Optimizer, "an rnngrad Optimizer")
    (result,) = train_many(
        [model], task, [optimizer], steps=steps, batch=batch, clip=clip,
        eval_every=eval_every, eval_batch=eval_batch, gradient_sequences=gradient_sequences,
        stop_when_solved=stop_when_solved, rngs=[rng], progress=progress,
    )  # fmt: skip
    return result


def train_many(
    models: Sequence[Model],
    task: Task,
    optimizers: Sequence[Optimizer],
    *,
    steps: int,
    batch: int = 64,
    clip: float | Sequence[float | None] | None = 1.0,
    eval_every: int = 100,
    eval_batch: int = 256,
    gradient_sequences: int = 4,
    stop_when_solved: bool = True,
    rngs: Sequence[RngLike] | None = None,
    progress: bool = False,
) -> list[TrainResult]:
    """Train K networks of one kind on one task at once; each gets what :func:`train` gives it.

    The networks' parameters are stacked along a leading axis of K, and every step runs the
    forward pass, BPTT, clipping and the optimiser once for all of them: numpy's cost per
    call is paid once per step instead of K times, which is what bounds the training of
    small networks.  Each network keeps its own data (its generator from ``rngs``), its own
    clipping threshold (on its own global norm), its own optimiser settings and state, its
    own evaluations, and it stops on its own (solved or diverged) while the others go on.
    Each network's products are the same BLAS calls on the same shapes as in its own run,
    and everything else is elementwise, so its result equals
    ``train(models[k], task, optimizers[k], ..., clip=clip[k], rng=rngs[k])`` bit for bit.

    Parameters
    ----------
    models : sequence of RNN, LSTM, GRU or LRUBlock
        K ≥ 1 networks of one class with the same sizes, head, dtype and settings
        (activation, forget gate); their parameter values may differ.
    task : Task
        The task, shared (each network draws its own sequences from it).
    optimizers : sequence of Optimizer
        K fresh optimisers of one class, one per network; their settings may differ.
    steps, batch, eval_every, eval_batch, gradient_sequences, stop_when_solved, progress
        As for :func:`train`, shared by all networks (the progress line counts networks
        finished).
    clip : float, None, or a sequence of them
        As for :func:`train`: one value for all, or one per network.
    rngs : sequence of (numpy.random.Generator, int or None), optional
        The data source of each network; None: seed 0 for every network (the same data).

    Returns
    -------
    list of TrainResult
        In the order of ``models``.

    Raises
    ------
    ValueError, TypeError
        If an argument is out of range, the networks differ in kind or size, the lengths
        of ``models``, ``optimizers``, ``clip`` and ``rngs`` disagree, or a model does not
        fit the task.
    """
    layers = _check_models(models)
    K = len(layers)
    for layer in layers:
        _check_fit(layer, task)
    optimizer = stack_optimizers(_per_model("optimizers", optimizers, K, Optimizer))
    limits = _clip_limits(clip, K)
    gens = [as_generator(r) for r in ([None] * K if rngs is None else _per_model("rngs", rngs, K))]
    run = _Run(
        task, layers, optimizer, limits, gens,
        size=check_int("batch", batch, minimum=1), steps=check_int("steps", steps, minimum=1),
        every=check_int("eval_every", eval_every, minimum=1),
        logs=_logs(task, gens, eval_batch, gradient_sequences, progress, steps),
        stop_when_solved=stop_when_solved,
    )  # fmt: skip
    # A diverging run overflows; that is recorded in the history, not warned about (a
    # warning on stderr would fail a book build, and is an error under pytest).
    with np.errstate(over="ignore", invalid="ignore"):
        results = run.results()
    if progress:
        print(file=sys.stdout)  # end the progress line
    return results


class _Run:
    """The state of :func:`train_many`: the networks still training, stacked."""

    def __init__(
        self, task: Task, layers: list[Model], optimizer: Optimizer, limits: FloatArray,
        gens: list[np.random.Generator], *, size: int, steps: int, every: int,
        logs: list[_Log], stop_when_solved: bool,
    ) -> None:  # fmt: skip
        self.task, self.template, self.optimizer = task, layers[0], optimizer
        self.limits, self.gens, self.logs = limits, gens, logs
        self.size, self.steps, self.every, self.stop = size, steps, every, stop_when_solved
        names = layers[0].parameters()
        self.params = {name: np.stack([m.parameters()[name] for m in layers]) for name in names}
        self.active = list(range(len(layers)))  # the networks still training, as rows
        self.final: dict[int, tuple[Model, bool]] = {}  # finished: model and diverged

    def results(self) -> list[TrainResult]:
        self._evaluate(0)
        step = 0
        while step < self.steps and self.active:
            self._step()
            step += 1
            if self.active and (step % self.every == 0 or step == self.steps):
                self._evaluate(step)
        self._finish([], diverged=False)  # the step budget is spent
        return [
            TrainResult(self.final[k][0], self.logs[k].history(self.final[k][1]))
            for k in range(len(self.logs))
        ]

    def _step(self) -> None:
        batches = [self.task.sample(self.size, self.gens[k]) for k in self.active]
        x = self._inputs([b.x for b in batches])
        y = np.stack([b.y for b in batches])
        if y.dtype.kind == "f":
            y = y.astype(x.dtype)
        losses, grads = _loss_and_gradients(self.template._stacked(self.params), x, y)
        params = {name: grads[name] for name in self.params}
        norms = np.array([global_norm_of(g[row] for g in params.values()) for row in self.rows()])
        for row, k in enumerate(self.active):
            self.logs[k].record(float(losses[row]), float(norms[row]))
        finite = np.isfinite(losses + norms)
        if not finite.all():
            self._finish([row for row in self.rows() if finite[row]], diverged=True)
            params = {name: g[finite] for name, g in params.items()}
            norms = norms[finite]
            if not self.active:
                return
        limits = self.limits[self.active]
        scale, over = np.ones_like(norms), norms > limits  # clip_by_global_norm, per network
        scale[over] = limits[over] / norms[over]
        clipped = {name: g * per_network(scale, g) for name, g in params.items()}
        self.params = self.optimizer.step(self.params, clipped)

    def rows(self) -> range:
        return range(len(self.active))

    def _evaluate(self, step: int) -> None:
        logs = [self.logs[k] for k in self.active]
        layer = self.template._stacked(self.params)
        x = self._inputs([log.held_out.x for log in logs])
        hs, _ = layer._forward(x, None)
        V, c = layer._cast(x.dtype, "V", "c")
        outputs = head_outputs(layer.head or "", V, c, hs[-1])
        solved = [
            log.evaluate(self._model(row), step, outputs[row]) for row, log in enumerate(logs)
        ]
        if self.stop and any(solved):
            self._finish([row for row, done in enumerate(solved) if not done], diverged=False)

    def _inputs(self, xs: list[FloatArray]) -> FloatArray:
        """The networks' inputs stacked time first, (T, K, B, n_in), in the models' dtype."""
        return np.stack(xs, axis=1).astype(self.template.dtype, copy=False)

    def _model(self, row: int) -> Model:
        return dataclasses.replace(self.template, **{n: p[row] for n, p in self.params.items()})

    def _finish(self, keep: list[int], *, diverged: bool) -> None:
        """Finish every active network but the rows ``keep``, which go on training."""
        for row, k in enumerate(self.active):
            if row not in keep:
                self.final[k] = (self._model(row), diverged)
        if len(keep) < len(self.active):
            self.active = [self.active[row] for row in keep]
            self.params = {name: p[keep] for name, p in self.params.items()}
            self.optimizer.keep(keep)


def _loss_and_gradients(
    layer: Model, x: FloatArray, y: NDArray[Any]
) -> tuple[FloatArray, dict[str, FloatArray]]:
    """Losses (K,) and gradients of K stacked networks on their batches x (T, K, B, n_in)
    with last-step targets y (K, B, …)."""
    losses, dhs, cache, head = layer._head_state_gradients(x, y, None, used=1)
    return np.asarray(losses), layer._backward(dhs, cache) | head


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


def _check_models(models: Sequence[Model]) -> list[Model]:
    """The K ≥ 1 networks as a list, or raise unless they are of one kind, size and setting."""
    layers = _per_model("models", models, None, _MODELS, _A_LAYER)
    first = layers[0]
    settings = [f for f in first.__dataclass_fields__ if f not in first.parameters()]
    for k, layer in enumerate(layers[1:], start=1):
        if type(layer) is not type(first):
            raise TypeError(
                f"models must all be of one kind, but models[0] is a {type(first).__name__} "
                f"and models[{k}] a {type(layer).__name__}"
            )
        shapes = {n: p.shape for n, p in layer.parameters().items()}
        if shapes != {n: p.shape for n, p in first.parameters().items()}:
            raise ValueError(f"models must all have the sizes of models[0]; models[{k}] differs")
        for name in ("dtype", *settings):
            if getattr(layer, name) != getattr(first, name):
                raise ValueError(
                    f"models must all have the {name} of models[0] "
                    f"({getattr(first, name)!r}), but models[{k}] has {getattr(layer, name)!r}"
                )
    return layers


def _per_model(
    name: str,
    values: Sequence[Any],
    K: int | None,
    kind: type | tuple[type, ...] | None = None,
    what: str | None = None,
) -> list[Any]:
    """``values`` as a list of K entries (any K ≥ 1 if None), each a ``kind`` if given."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise TypeError(
            f"{name} must be a sequence, one entry per network, got {type(values).__name__}"
        )
    if K is None and not values:
        raise ValueError(f"{name} must hold at least one network, got none")
    if K is not None and len(values) != K:
        raise ValueError(f"{name} must have one entry per network ({K}), got {len(values)}")
    if kind is not None:
        for k, value in enumerate(values):
            check_instance(f"{name}[{k}]", value, kind, what)
    return list(values)


def _clip_limits(clip: float | Sequence[float | None] | None, K: int) -> FloatArray:
    """The clipping threshold of each network, inf for none."""
    values = _per_model("clip", clip, K) if isinstance(clip, Sequence) else [clip] * K
    return np.array([np.inf if c is None else check_real("clip", c, positive=True) for c in values])


def _logs(
    task: Task, gens: list[np.random.Generator], eval_batch: int, gradient_sequences: int,
    progress: bool, steps: int,
) -> list[_Log]:  # fmt: skip
    """One log per network, each with its held-out set (drawn first, so that it never
    meets a minibatch)."""
    n_eval = check_int("eval_batch", eval_batch, minimum=1)
    n_grad = check_int("gradient_sequences", gradient_sequences, minimum=1)
    if n_grad > n_eval:
        raise ValueError(f"gradient_sequences must be <= eval_batch, got {n_grad} > {n_eval}")
    return [_Log(task, task.sample(n_eval, gen), n_grad, progress, steps) for gen in gens]


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

    def evaluate(self, model: Model, step: int, outputs: FloatArray) -> bool:
        """Record the evaluation of ``model``, whose last outputs on the held-out set are
        ``outputs``; return whether the task counts as solved."""
        x, y = self.held_out
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
