"""Training experiments as frozen configurations, run once and cached on disk.

An :class:`ExperimentConfig` names everything a training run depends on -- task and lag,
model and initialisation, optimiser, clipping, sizes, seed -- and :func:`run` turns it into
an :class:`ExperimentResult`.  The same configuration gives the same result bit for bit, so
a result can be stored and served again: the English and the Russian build of the book
compute each experiment once.

**The cache.**  A result is stored in ``<cache_dir>/<library key>/<config key>.rnnexp``.  The
config key hashes every field of the configuration; the library key hashes the source of
this module and of every module of rnngrad it imports (directly or not), and the numpy
version -- so an edit of the training code or of a model recomputes, while an edit of, say,
the plotting code does not.  A file holds a checksum of its contents and the configuration
it was computed for; a file that is truncated, corrupt or for another configuration is
recomputed, never read as a result.  Files are written to a temporary name and renamed
into place (``os.replace``), so a reader never sees half a file; a lock file beside each
result makes a second build that needs the same experiment at the same time wait for it
rather than compute it again (POSIX ``flock``).

The cache directory is the ``cache_dir`` argument or, if that is None, the environment
variable ``RNNGRAD_EXPERIMENT_CACHE``; with neither, nothing is cached.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import io
import json
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np

from ._types import FloatArray
from ._validate import RngLike, as_generator, check_choice, check_fraction, check_int, check_real
from .gru import GRU
from .lstm import LSTM
from .optim import SGD, Adam, Optimizer
from .provenance import source_hash
from .rnn import RNN
from .spectral import scaled_gaussian
from .tasks import AddingProblem, AgreementTask, Task
from .train import History, Model, train

#: The environment variable that names the cache directory when ``cache_dir`` is None.
CACHE_ENV = "RNNGRAD_EXPERIMENT_CACHE"

#: The models of :func:`make_model`: tanh RNN, IRNN, LSTM, GRU.
MODELS = ("rnn", "irnn", "lstm", "gru")
#: The tasks of :class:`ExperimentConfig`: adding (Le et al.), adding (Hochreiter and
#: Schmidhuber), agreement.
TASKS = ("adding", "adding-hochreiter", "agreement")
#: The optimisers of :class:`ExperimentConfig`.
OPTIMIZERS = ("adam", "sgd")

#: The initialisations of the recurrent weights each model accepts; the first is its default.
INITS: dict[str, tuple[str, ...]] = {
    "rnn": ("orthogonal", "gaussian", "scaled", "identity"),
    "irnn": ("identity",),
    "lstm": ("orthogonal", "gaussian"),
    "gru": ("orthogonal", "gaussian"),
}

#: The standard deviation of the input and output weights of the IRNN (Le et al. 2015).
IRNN_WEIGHT_STD = 0.001

_MAGIC = b"RNNGEXP1"  # the first bytes of a cache file, then the SHA-256 of the rest


# ============================================================================ models
def make_model(
    kind: str,
    n_in: int,
    n_h: int,
    n_out: int,
    *,
    head: str,
    init: str | None = None,
    radius: float = 1.0,
    gate_bias: float = 1.0,
    rng: RngLike = None,
) -> Model:
    """Return a freshly initialised model of one of the four kinds the chapter compares.

    ``"rnn"``
        tanh RNN.  Recurrent weights ``"orthogonal"`` (default; Saxe, McClelland and Ganguli
        2014), ``"gaussian"`` (N(0, 1/n_h)), ``"scaled"`` (Gaussian with spectral radius
        ``radius``, :func:`~rnngrad.spectral.scaled_gaussian`) or ``"identity"``.
    ``"irnn"``
        ReLU RNN with W = I, zero biases and input and output weights N(0, 0.001²): the
        IRNN of Le, Jaitly and Hinton (2015).
    ``"lstm"``
        LSTM with forget-gate bias b_f = ``gate_bias`` (1 by default: Gers et al. 2000;
        Jozefowicz et al. 2015); recurrent blocks ``"orthogonal"`` (default) or
        ``"gaussian"``.
    ``"gru"``
        GRU with update-gate bias b_z = ``gate_bias``; recurrent blocks ``"orthogonal"``
        (default) or ``"gaussian"``.

    The gate bias is the same trick for both gated models: it starts the gate that keeps
    the state (f_t, z_t) at σ(1) ≈ 0.73 instead of 0.5, so that the memory, and the
    gradient through it, decays over tens of steps at initialisation rather than halving
    at every step.  With the GRU's default 0, the gradient of the agreement task at
    L = 40 is ~10⁻⁶ of its value at the answer and training needs a few thousand steps
    to escape; with 1 it needs a few hundred.

    Parameters
    ----------
    kind : {"rnn", "irnn", "lstm", "gru"}
        The model.
    n_in, n_h, n_out : int
        Input, state and output sizes, ≥ 1.
    head : {"linear", "softmax"}
        The head, as the task needs it.
    init : str, optional
        The recurrent initialisation (see above); None for the model's default.
    radius : float
        Spectral radius for ``init="scaled"``, > 0.
    gate_bias : float
        Initial bias of the LSTM's forget gate or the GRU's update gate.
    rng : numpy.random.Generator, int or None
        Random source or seed; None means seed 0.

    Returns
    -------
    RNN, LSTM or GRU

    Raises
    ------
    ValueError, TypeError
        If a name is unknown, ``init`` does not fit ``kind``, or a number is out of range.
    """
    check_choice("kind", kind, MODELS)
    recurrent = check_choice("init", INITS[kind][0] if init is None else init, INITS[kind])
    scale = check_real("radius", radius, positive=True)
    bias = check_real("gate_bias", gate_bias)
    gen = as_generator(rng)
    if kind == "lstm":
        return LSTM.random(
            n_in, n_h, n_out, forget_bias=bias, head=head, recurrent=recurrent, rng=gen
        )
    if kind == "gru":
        gru = GRU.random(n_in, n_h, n_out, head=head, recurrent=recurrent, rng=gen)
        b = gru.b.copy()
        b[gru.n_h : 2 * gru.n_h] = bias  # the gates are stacked r, z, n
        return dataclasses.replace(gru, b=b)
    activation = "relu" if kind == "irnn" else "tanh"
    built = "gaussian" if recurrent == "scaled" else recurrent
    model = RNN.random(n_in, n_h, n_out, activation=activation, head=head, recurrent=built, rng=gen)
    if recurrent == "scaled":
        return dataclasses.replace(model, W=scaled_gaussian(model.n_h, scale, rng=gen))
    if kind == "irnn":
        return dataclasses.replace(
            model,
            U=IRNN_WEIGHT_STD * gen.standard_normal(model.U.shape),
            V=IRNN_WEIGHT_STD * gen.standard_normal((n_out, model.n_h)),
        )
    return model


# ============================================================================ configurations
@dataclass(frozen=True)
class ExperimentConfig:
    """Everything a training run depends on; frozen and hashable.

    Parameters
    ----------
    task : {"adding", "adding-hochreiter", "agreement"}
        The adding problem (Le et al. variant), its Hochreiter–Schmidhuber variant, or the
        agreement task (see :mod:`rnngrad.tasks`).
    lag : int
        Adding: the sequence length T.  Agreement: the clause length L (the subject is
        L + 1 steps before the answer).
    model : {"rnn", "irnn", "lstm", "gru"}
        See :func:`make_model`.
    init : str, optional
        The recurrent initialisation; None is replaced by the model's default.
    n_h : int
        State size.
    optimizer : {"adam", "sgd"}
        Adam (β = 0.9, 0.999) or SGD with momentum ``momentum``.
    lr : float
        Learning rate.
    momentum : float
        Momentum of SGD, in [0, 1) (ignored by Adam).
    clip : float or None
        Threshold of gradient-norm clipping; None: none.
    batch : int
        Minibatch size.
    steps : int
        The largest number of training steps (training stops early when solved).
    eval_every : int
        Steps between evaluations on the held-out set.
    eval_batch : int
        Size of the held-out set.
    seed : int
        Seeds the initialisation and the data.
    radius : float
        Spectral radius for ``init="scaled"``.
    gate_bias : float
        The initial bias of the LSTM's forget gate or the GRU's update gate (see
        :func:`make_model`).

    Raises
    ------
    ValueError, TypeError
        If a field is out of range or names something unknown.
    """

    task: str = "adding"
    lag: int = 10
    model: str = "rnn"
    init: str | None = None
    n_h: int = 16
    optimizer: str = "adam"
    lr: float = 1e-2
    momentum: float = 0.9
    clip: float | None = 1.0
    batch: int = 32
    steps: int = 1500
    eval_every: int = 50
    eval_batch: int = 256
    seed: int = 0
    radius: float = 1.0
    gate_bias: float = 1.0

    def __post_init__(self) -> None:
        check_choice("task", self.task, TASKS)
        check_choice("model", self.model, MODELS)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        init = INITS[self.model][0] if self.init is None else self.init
        # Canonical values, so that equal settings give equal configs (and cache keys).
        values: dict[str, object] = {
            "init": check_choice("init", init, INITS[self.model]),
            "n_h": check_int("n_h", self.n_h, minimum=1),
            "lr": check_real("lr", self.lr, positive=True),
            "momentum": check_fraction("momentum", self.momentum),
            "clip": None if self.clip is None else check_real("clip", self.clip, positive=True),
            "batch": check_int("batch", self.batch, minimum=1),
            "steps": check_int("steps", self.steps, minimum=1),
            "eval_every": check_int("eval_every", self.eval_every, minimum=1),
            "eval_batch": check_int("eval_batch", self.eval_batch, minimum=4),
            "seed": check_int("seed", self.seed, minimum=0),
            "radius": check_real("radius", self.radius, positive=True),
            "gate_bias": check_real("gate_bias", self.gate_bias),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "lag", check_int("lag", self.lag, minimum=1))
        self.make_task()  # the task checks the lag against its own minimum

    def initial_model(self) -> Model:
        """Return the model as it is before training (the same for every run of this config)."""
        task = self.make_task()
        return make_model(
            self.model, task.n_in, self.n_h, task.n_out, head=task.head, init=self.init,
            radius=self.radius, gate_bias=self.gate_bias,
            rng=np.random.default_rng(_seeds(self.seed)[0]),
        )  # fmt: skip

    def make_task(self) -> Task:
        """Return the task this configuration trains on."""
        if self.task == "agreement":
            return AgreementTask(self.lag)
        return AddingProblem(self.lag, "le" if self.task == "adding" else "hochreiter")

    def make_optimizer(self) -> Optimizer:
        """Return a fresh optimiser as configured."""
        if self.optimizer == "sgd":
            return SGD(self.lr, momentum=self.momentum)
        return Adam(self.lr)

    def key(self) -> str:
        """Return a hex digest of every field: equal configurations, equal keys."""
        text = json.dumps(dataclasses.asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


# ============================================================================ results
@dataclass(frozen=True, eq=False)
class ExperimentResult:
    """The outcome of one :class:`ExperimentConfig`.

    Attributes
    ----------
    config : ExperimentConfig
        What was run.
    history : History
        The training history (see :class:`~rnngrad.train.History`).
    parameters : dict of str to ndarray
        The trained model's parameters (:meth:`model` rebuilds the model).
    success : bool
        Whether the task counted as solved on the held-out set.
    final_metric : float
        The task metric at the last evaluation (MSE for adding, accuracy for agreement).
    seconds : float
        The wall time of the computation; the only field that differs between two runs of
        one configuration (and a cached result keeps the time of the run that stored it).
    """

    config: ExperimentConfig
    history: History
    parameters: dict[str, FloatArray]
    success: bool
    final_metric: float
    seconds: float

    def model(self) -> Model:
        """Return the trained model."""
        trained: dict[str, Any] = self.parameters  # every model takes its own parameter names
        return dataclasses.replace(self.config.initial_model(), **trained)


def _seeds(seed: int) -> list[np.random.SeedSequence]:
    """Independent seeds for the initialisation and for the data of one run."""
    return np.random.SeedSequence(seed).spawn(2)


def _compute(config: ExperimentConfig) -> ExperimentResult:
    """Train as configured.  Separate seeds for the initialisation and for the data."""
    start = time.perf_counter()
    task = config.make_task()
    data_seed = _seeds(config.seed)[1]
    trained, history = train(
        config.initial_model(),
        task,
        config.make_optimizer(),
        steps=config.steps,
        batch=config.batch,
        clip=config.clip,
        eval_every=config.eval_every,
        eval_batch=config.eval_batch,
        rng=np.random.default_rng(data_seed),
    )
    return ExperimentResult(
        config=config,
        history=history,
        parameters=trained.parameters(),
        success=history.solved_step is not None,
        final_metric=float(history.eval_metric[-1]),
        seconds=time.perf_counter() - start,
    )


# ============================================================================ the cache
def cache_path(config: ExperimentConfig, cache_dir: str | os.PathLike[str]) -> Path:
    """Return the file under ``cache_dir`` that holds (or will hold) the result of ``config``."""
    _check_config(config)
    return Path(cache_dir) / source_hash("experiments")[:16] / f"{config.key()[:32]}.rnnexp"


def _cache_dir(cache_dir: str | os.PathLike[str] | None) -> Path | None:
    if cache_dir is None:
        cache_dir = os.environ.get(CACHE_ENV) or None
    if cache_dir is not None and not isinstance(cache_dir, str | os.PathLike):
        raise TypeError(f"cache_dir must be a path or None, got {type(cache_dir).__name__}")
    return None if cache_dir is None else Path(cache_dir)


def _encode(result: ExperimentResult) -> bytes:
    """The bytes of a cache file: magic, SHA-256 of the payload, payload (an .npz)."""
    history = dataclasses.asdict(result.history)
    meta = {
        "config": dataclasses.asdict(result.config),
        "solved_step": history.pop("solved_step"),
        "diverged": history.pop("diverged"),
        "success": result.success,
        "final_metric": result.final_metric,
        "seconds": result.seconds,
    }
    arrays = {f"history.{k}": v for k, v in history.items()}
    arrays |= {f"param.{k}": v for k, v in result.parameters.items()}
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.array(json.dumps(meta)), **arrays)
    payload = buffer.getvalue()
    return _MAGIC + hashlib.sha256(payload).digest() + payload


def _decode(data: bytes, config: ExperimentConfig) -> ExperimentResult | None:
    """The result in ``data`` if it is intact and computed for ``config``; else None."""
    head = len(_MAGIC)
    payload = data[head + 32 :]
    if data[:head] != _MAGIC or data[head : head + 32] != hashlib.sha256(payload).digest():
        return None
    with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    meta = json.loads(str(arrays.pop("meta")))
    if meta["config"] != dataclasses.asdict(config):
        return None
    history = History(
        **{k.removeprefix("history."): v for k, v in arrays.items() if k.startswith("history.")},
        solved_step=meta["solved_step"],
        diverged=meta["diverged"],
    )
    parameters = {k.removeprefix("param."): v for k, v in arrays.items() if k.startswith("param.")}
    return ExperimentResult(
        config, history, parameters, meta["success"], meta["final_metric"], meta["seconds"]
    )


def _load(path: Path, config: ExperimentConfig) -> ExperimentResult | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return _decode(data, config)


def _store(path: Path, result: ExperimentResult) -> None:
    """Write atomically: a temporary file in the same directory, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(_encode(result))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


# ============================================================================ running
def _check_config(config: object) -> ExperimentConfig:
    if not isinstance(config, ExperimentConfig):
        raise TypeError(f"config must be an ExperimentConfig, got {type(config).__name__}")
    return config


def run(
    config: ExperimentConfig, cache_dir: str | os.PathLike[str] | None = None
) -> ExperimentResult:
    """Return the result of ``config``, from the cache if it holds it, else computed.

    Parameters
    ----------
    config : ExperimentConfig
        What to run.
    cache_dir : path, optional
        The cache directory; None means ``$RNNGRAD_EXPERIMENT_CACHE``, and no caching if
        that is unset or empty.

    Returns
    -------
    ExperimentResult

    Raises
    ------
    TypeError
        If ``config`` is not an ExperimentConfig or ``cache_dir`` is not a path.
    """
    return _run_one(_check_config(config), _cache_dir(cache_dir))


def _run_one(config: ExperimentConfig, directory: Path | None) -> ExperimentResult:
    if directory is None:
        return _compute(config)
    path = cache_path(config, directory)
    with _computing(path):
        result = _load(path, config)
        if result is None:
            result = _compute(config)
            _store(path, result)
    return result


@contextlib.contextmanager
def _computing(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<path>.lock``: a second build (say, the other language)
    that wants the same experiment meanwhile waits for the result instead of recomputing it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        yield


def run_many(
    configs: Sequence[ExperimentConfig],
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    processes: int = 2,
) -> list[ExperimentResult]:
    """Run several configurations, the ones missing from the cache in parallel processes.

    Cached results are read in this process; the others are computed by up to
    ``processes`` worker processes (started fresh, with single-threaded BLAS, since
    small matrices gain nothing from more threads and the workers share the cores), longest
    first.  Each worker stores its result as soon as it is done.

    Parameters
    ----------
    configs : sequence of ExperimentConfig
        What to run; duplicates are computed once.
    cache_dir : path, optional
        As for :func:`run`.
    processes : int
        The number of worker processes, ≥ 1; 1 computes in this process.

    Returns
    -------
    list of ExperimentResult
        In the order of ``configs``.

    Raises
    ------
    TypeError, ValueError
        If an entry is not an ExperimentConfig, or ``processes`` is not an integer ≥ 1.
    """
    if isinstance(configs, ExperimentConfig) or not isinstance(configs, Sequence):
        raise TypeError(
            f"configs must be a sequence of ExperimentConfig, got {type(configs).__name__}"
        )
    wanted = [_check_config(c) for c in configs]
    workers = check_int("processes", processes, minimum=1)
    directory = _cache_dir(cache_dir)
    done: dict[ExperimentConfig, ExperimentResult] = {}
    if directory is not None:
        for config in wanted:
            cached = _load(cache_path(config, directory), config)
            if cached is not None:
                done[config] = cached
    missing = sorted(set(wanted) - set(done), key=_cost, reverse=True)
    if workers == 1 or len(missing) <= 1:
        done |= {config: _run_one(config, directory) for config in missing}
    else:
        with _single_threaded_blas(), ProcessPoolExecutor(
            max_workers=min(workers, len(missing)), mp_context=get_context("spawn")
        ) as pool:  # fmt: skip
            futures = {config: pool.submit(_run_one, config, directory) for config in missing}
            done |= {config: future.result() for config, future in futures.items()}
    return [done[config] for config in wanted]


def _cost(config: ExperimentConfig) -> tuple[int, str]:
    """A rough guess of the run time, for scheduling; the key breaks ties reproducibly."""
    gates = {"rnn": 1, "irnn": 1, "lstm": 4, "gru": 3}[config.model]
    return config.steps * config.make_task().length * (gates + 1), config.key()


@contextlib.contextmanager
def _single_threaded_blas() -> Iterator[None]:
    """Set the BLAS thread counts to 1 for processes started inside (unless already set)."""
    names = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    saved = {name: os.environ.get(name) for name in names}
    for name in names:
        os.environ.setdefault(name, "1")
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# ============================================================================ the chapter
#: The lags of the chapter's experiments: sequence lengths T of the adding problem and
#: clause lengths L of the agreement task.
ADDING_LAGS = (10, 20, 50, 100, 200)
AGREEMENT_LAGS = (2, 5, 10, 20, 40)
SEEDS = (0, 1, 2)


def chapter_experiments(seeds: Sequence[int] = SEEDS) -> list[ExperimentConfig]:
    """Return the experiments of the chapter: every model on both tasks at every lag.

    The four models of :data:`MODELS` on the adding problem (Le et al. variant) at
    T ∈ :data:`ADDING_LAGS` and on the agreement task at L ∈ :data:`AGREEMENT_LAGS`, once
    per seed, with the default settings of :class:`ExperimentConfig`.  The book and
    ``benchmarks/bench_experiments.py`` both use this list.

    "Solved" means solved within the step budget; read a miss, and a success, with the
    history: the ratio r = ‖∂E_T/∂s_1‖/‖∂E_T/∂s_T‖ of
    :attr:`~rnngrad.train.History.state_grad_norms` (values as measured). The tanh RNN's
    misses on the adding problem (T ≥ 50) come with r below 10⁻¹⁵ and remain misses with
    four times the steps: the gradient has vanished. The IRNN starts without vanishing (r ≈
    0.7), but r collapses as training moves W away from the identity (to 10⁻¹² at T = 100);
    with four times the steps it does solve T = 100, so its misses are partly a matter of
    training time. A tiny r after a success is no contradiction: the tanh RNN solves
    agreement at L = 40 while r is still about 10⁻², and once the subject's gender is
    latched in its state r falls to 10⁻¹⁴ -- storing a bit robustly makes its gradient
    vanish (Bengio, Simard and Frasconi 1994).

    Parameters
    ----------
    seeds : sequence of int
        The seeds, each ≥ 0.

    Returns
    -------
    list of ExperimentConfig

    Raises
    ------
    ValueError, TypeError
        If a seed is not an integer ≥ 0.
    """
    return [
        ExperimentConfig(task=task, lag=lag, model=model, seed=seed)
        for task, lags in (("adding", ADDING_LAGS), ("agreement", AGREEMENT_LAGS))
        for lag in lags
        for model in MODELS
        for seed in seeds
    ]


# ============================================================================ summaries
def solved_by_lag(results: Sequence[ExperimentResult], model: str, task: str) -> dict[int, int]:
    """For each lag, how many runs of ``model`` on ``task`` solved it.

    Parameters
    ----------
    results : sequence of ExperimentResult
        E.g. from :func:`run_many`.
    model : {"rnn", "irnn", "lstm", "gru"}
        The model.
    task : {"adding", "adding-hochreiter", "agreement"}
        The task.

    Returns
    -------
    dict of int to int
        Lag → number of successful runs (over the seeds), for every lag that was run.

    Raises
    ------
    ValueError
        If the model or task is unknown, or no result matches both.
    """
    runs = _runs_of(results, model, task)
    return {lag: sum(r.success for r in runs if r.config.lag == lag) for lag in _lags(runs)}


def longest_solved(results: Sequence[ExperimentResult], model: str, task: str) -> int:
    """Return the longest lag at which every run of ``model`` on ``task`` solved it, or 0.

    Parameters and errors as for :func:`solved_by_lag`.
    """
    runs = _runs_of(results, model, task)
    every = [lag for lag in _lags(runs) if all(r.success for r in runs if r.config.lag == lag)]
    return max(every, default=0)


def _runs_of(results: Sequence[ExperimentResult], model: str, task: str) -> list[ExperimentResult]:
    check_choice("model", model, MODELS)
    check_choice("task", task, TASKS)
    runs = [r for r in results if r.config.model == model and r.config.task == task]
    if not runs:
        raise ValueError(f"results hold no run of model {model!r} on task {task!r}")
    return runs


def _lags(runs: Sequence[ExperimentResult]) -> list[int]:
    return sorted({r.config.lag for r in runs})
