"""Running configurations: one at a time, or many through an executor, via the cache."""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import os
import signal
import sys
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

import numpy as np
from tqdm import tqdm

from .._validate import check_instance, check_int
from ..train import train_many
from .cache import (
    cache_path,
    check_writable,
    holds,
    load,
    lock,
    resolve_cache_dir,
    run_lock,
    store,
)
from .config import ExperimentConfig, check_config, seed_sequences
from .result import ExperimentResult

#: A group of configurations computed together by one call of :func:`compute_group`.
Group = tuple[ExperimentConfig, ...]


def compute(config: ExperimentConfig) -> ExperimentResult:
    """Train as configured, without the cache; separate seeds for initialisation and data."""
    (result,) = _train_together((check_config(config),))
    return result


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
    OSError
        If ``cache_dir`` cannot be written and the result is missing from it.
    """
    return _run_one(check_config(config), resolve_cache_dir(cache_dir))


def _run_one(config: ExperimentConfig, directory: Path | None) -> ExperimentResult:
    if directory is None:
        return compute(config)
    path = cache_path(config, directory)
    result = load(path, config)  # a cache that holds it serves it, even a read-only one
    if result is None:
        check_writable(directory)
        with lock(path):
            result = load(path, config)  # computed by another process while this one waited
            if result is None:
                result = compute(config)
                store(path, result)
    return result


def compute_group(group: Group) -> list[ExperimentResult]:
    """Compute the results of one group of configurations, without the cache.

    The unit of work :func:`run_many` hands to an executor: a module-level function of the
    configurations alone, so that a process pool or a distributed executor can send it by
    name, and nothing in it touches the disk (a remote worker has no access to the cache).
    The group's networks train together (:func:`~rnngrad.train.train_many`), each exactly
    as it would alone.

    Parameters
    ----------
    group : tuple of ExperimentConfig
        Distinct configurations that :func:`plan` put together (they share
        :func:`stack_key`).

    Returns
    -------
    list of ExperimentResult
        One per configuration, in the order of ``group``; each equal, but for the wall time,
        to what the configuration gives alone.  The wall time of each is the group's
        divided by its size.

    Raises
    ------
    ValueError
        If the configurations do not share a stack key.
    """
    if any(stack_key(config) != stack_key(group[0]) for config in group):
        raise ValueError("a group's configurations must share stack_key(); plan() groups them")
    return _train_together(group)


def _train_together(group: Group) -> list[ExperimentResult]:
    first = group[0]
    start = time.perf_counter()
    trained = train_many(
        [config.initial_model() for config in group],
        first.make_task(),
        [config.make_optimizer() for config in group],
        steps=first.steps,
        batch=first.batch,
        clip=[config.clip for config in group],
        eval_every=first.eval_every,
        eval_batch=first.eval_batch,
        rngs=[np.random.default_rng(seed_sequences(config.seed)[1]) for config in group],
    )
    seconds = (time.perf_counter() - start) / len(group)
    return [
        ExperimentResult(
            config=config,
            history=history,
            parameters=model.parameters(),
            success=history.solved_step is not None,
            final_metric=float(history.eval_metric[-1]),
            seconds=seconds,
        )
        for config, (model, history) in zip(group, trained, strict=True)
    ]


# Blocks of n_h entries in a network's state per step: the gates stacked (LSTM, GRU), or the
# real and imaginary parts of the LRU's complex state.
_STATE_BLOCKS = {"rnn": 1, "irnn": 1, "lstm": 4, "gru": 3, "lru": 2}

#: The most networks :func:`plan` puts in one group.
GROUP_SIZE = 10
#: The most state entries a group holds at once, T · K · gate blocks · n_h (a group's arrays,
#: of B rows each, grow with it): ten LSTMs of 32 units at T = 200 would need 256,000, twice
#: this, and a worker that holds on to its peak memory would pass 500 MB.
GROUP_STATE_ENTRIES = 128_000


def stack_key(config: ExperimentConfig) -> tuple[object, ...]:
    """What configurations trained together must share: all but the seed and the settings
    each network keeps for itself (initialisation, learning rate, momentum, clipping)."""
    own = {"seed", "init", "radius", "gate_bias", "lr", "momentum", "clip"}
    return tuple(
        getattr(config, field.name) for field in dataclasses.fields(config) if field.name not in own
    )


def plan(missing: Collection[ExperimentConfig]) -> list[Group]:
    """Split the configurations to compute into the groups :func:`compute_group` takes.

    Configurations with the same :func:`stack_key` train together, up to
    :data:`GROUP_SIZE` at a time (more would gain little, since the cost per network
    stops falling once numpy's overhead per call is shared, and would leave a worker idle
    at the end), and fewer where their arrays would pass :data:`GROUP_STATE_ENTRIES`.

    Parameters
    ----------
    missing : collection of ExperimentConfig
        Distinct configurations.

    Returns
    -------
    list of tuple of ExperimentConfig
        Non-empty groups, together holding each configuration once, in the order to submit
        them: the costliest first, so that no long run starts last while the other workers
        are idle.
    """
    stacks: dict[tuple[object, ...], list[ExperimentConfig]] = {}
    for config in sorted(missing, key=_cost, reverse=True):
        stacks.setdefault(stack_key(config), []).append(config)
    groups = [
        tuple(stack[i : i + size])
        for stack in stacks.values()
        for size in [_group_size(stack[0])]
        for i in range(0, len(stack), size)
    ]
    return sorted(groups, key=_group_cost, reverse=True)


def _group_size(config: ExperimentConfig) -> int:
    """How many networks like ``config`` one group takes (see :data:`GROUP_STATE_ENTRIES`)."""
    gates = _STATE_BLOCKS[config.model]
    entries = config.make_task().length * gates * config.n_h
    return max(1, min(GROUP_SIZE, GROUP_STATE_ENTRIES // entries))


def _group_cost(group: Group) -> tuple[int, str]:
    return sum(_cost(config)[0] for config in group), _cost(group[0])[1]


def run_many(
    configs: Sequence[ExperimentConfig],
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    executor: Executor | None = None,
    jobs: int = 2,
    progress: bool = False,
    processes: int | None = None,
) -> list[ExperimentResult]:
    """Run several configurations: those missing from the cache through an executor.

    Cached results are read in this process.  The others are grouped by ``plan`` and
    each group is computed by ``compute_group`` (both in ``rnngrad.experiments.runner``)
    on ``executor``; this process stores each result in the cache as soon as its group
    returns, so an interrupted run loses only the groups in flight, and the next run
    computes only what is missing.  While it computes, the run holds the cache's run lock:
    another run into the same cache waits for it, then reads what it stored.

    Parameters
    ----------
    configs : sequence of ExperimentConfig
        What to run; duplicates are computed once.
    cache_dir : path, optional
        As for :func:`run`.  It must be writable if anything is missing from it (checked
        before any training starts).
    executor : concurrent.futures.Executor, optional
        Where to compute, e.g. ``dask.distributed.Client().get_executor()``; it is used and
        left running.  None: a pool of ``jobs`` fresh processes (spawned, with
        single-threaded BLAS, since small matrices gain nothing from more threads and the
        workers share the cores), shut down at the end.
    jobs : int
        The number of worker processes when ``executor`` is None, ≥ 1; 1 computes in this
        process.
    progress : bool
        Show a progress bar on stderr counting runs (cached ones at once): done, remaining
        and the estimated time.  False writes nothing at all.
    processes : int, optional
        The former name of ``jobs``, still used by ``benchmarks/bench_experiments.py``;
        if given, it replaces ``jobs``.

    Returns
    -------
    list of ExperimentResult
        In the order of ``configs``.

    Raises
    ------
    TypeError, ValueError
        If an entry is not an ExperimentConfig, ``executor`` is not an Executor, or
        ``jobs`` is not an integer ≥ 1.
    OSError
        If ``cache_dir`` cannot be written and a result is missing from it.
    RuntimeError
        If a group fails (its exception, or a worker that died, is chained); the message
        names a configuration of the group.  The results stored before stay in the cache.
    """
    wanted = _check_configs(configs)
    if processes is None:
        workers = check_int("jobs", jobs, minimum=1)
    else:
        workers = check_int("processes", processes, minimum=1)
    directory = resolve_cache_dir(cache_dir)
    done = _complete(wanted, directory, executor, workers, progress)
    if directory is not None:  # read what was cached (recomputed if damaged meanwhile)
        done |= {c: _run_one(c, directory) for c in dict.fromkeys(wanted) if c not in done}
    return [done[config] for config in wanted]


def complete(
    configs: Sequence[ExperimentConfig],
    cache_dir: str | os.PathLike[str],
    *,
    executor: Executor | None = None,
    jobs: int = 2,
    progress: bool = False,
) -> int:
    """Compute what the cache misses of ``configs``, without reading what it holds.

    :func:`run_many` without its return value: what ``make experiments`` needs, and fast
    when everything is cached (each file's checksum and configuration are checked, its
    arrays are not decoded).

    Parameters
    ----------
    configs : sequence of ExperimentConfig
        What to make sure the cache holds.
    cache_dir : path
        The cache directory.
    executor, jobs, progress
        As for :func:`run_many`.

    Returns
    -------
    int
        The number of configurations computed.

    Raises
    ------
    TypeError, ValueError, OSError, RuntimeError
        As :func:`run_many` does.
    """
    wanted = _check_configs(configs)
    if not isinstance(cache_dir, str | os.PathLike):
        raise TypeError(f"cache_dir must be a path, got {type(cache_dir).__name__}")
    directory = Path(cache_dir)
    return len(_complete(wanted, directory, executor, check_int("jobs", jobs, minimum=1), progress))


def _check_configs(configs: object) -> list[ExperimentConfig]:
    if isinstance(configs, ExperimentConfig) or not isinstance(configs, Sequence):
        raise TypeError(
            f"configs must be a sequence of ExperimentConfig, got {type(configs).__name__}"
        )
    return [check_config(c) for c in configs]


def _complete(
    wanted: list[ExperimentConfig],
    directory: Path | None,
    executor: Executor | None,
    workers: int,
    progress: bool,
) -> dict[ExperimentConfig, ExperimentResult]:
    """Compute and store what ``directory`` misses of ``wanted``; return what was computed."""
    if executor is not None:
        check_instance("executor", executor, Executor, "a concurrent.futures.Executor")
    distinct = list(dict.fromkeys(wanted))
    cached = _held(distinct, directory)
    if directory is not None and len(cached) < len(distinct):
        check_writable(directory)
    computed: dict[ExperimentConfig, ExperimentResult] = {}
    with tqdm(
        total=len(distinct), initial=len(cached), unit="run", desc="experiments",
        postfix=f"{len(cached)} cached", file=sys.stderr, disable=not progress,
        dynamic_ncols=True,
    ) as bar, _computing(directory, cached, distinct):  # fmt: skip
        bar.update(len(cached) - bar.n)  # what another run stored while this one waited
        groups = plan([c for c in distinct if c not in cached])
        for group, results in _computed(groups, executor, workers):
            for config, result in zip(group, results, strict=True):
                if result.config != config:
                    raise RuntimeError(
                        "compute_group returned a result for another configuration than "
                        + describe(config)
                    )
                if directory is not None:
                    store(cache_path(config, directory), result)
                computed[config] = result
            bar.update(len(group))
    return computed


def describe(config: ExperimentConfig) -> str:
    """Name a configuration in one line: its model, task, lag and seed, and any other field
    that differs from the default."""
    defaults = ExperimentConfig(task=config.task, model=config.model)
    others = [
        f"{field.name}={getattr(config, field.name)!r}"
        for field in dataclasses.fields(config)
        if field.name not in {"task", "lag", "model", "seed"}
        and getattr(config, field.name) != getattr(defaults, field.name)
    ]
    return ", ".join([f"{config.model} on {config.task}", f"lag {config.lag}",
                      f"seed {config.seed}", *others])  # fmt: skip


def _held(configs: Iterable[ExperimentConfig], directory: Path | None) -> set[ExperimentConfig]:
    """The configurations in ``configs`` whose results the cache holds intact."""
    if directory is None:
        return set()
    return {config for config in configs if holds(cache_path(config, directory), config)}


@contextlib.contextmanager
def _computing(
    directory: Path | None, cached: set[ExperimentConfig], configs: list[ExperimentConfig]
) -> Iterator[None]:
    """Hold the run lock while anything is missing; ``cached`` gains what another run
    stored while this one waited for the lock."""
    if directory is None or len(cached) == len(configs):
        yield
        return
    with run_lock(directory):
        cached |= _held((c for c in configs if c not in cached), directory)
        yield


def _computed(
    groups: list[Group], executor: Executor | None, workers: int
) -> Iterator[tuple[Group, list[ExperimentResult]]]:
    """Yield each group with its results as it is done (in this process, in order)."""
    if executor is not None:
        yield from _as_done(_submit(executor, groups))
    elif workers == 1 or len(groups) <= 1:
        for group in groups:
            try:
                results = compute_group(group)
            except Exception as exc:
                raise _failed(group, exc) from exc
            yield group, results
    else:
        # The variables must be set while the pool spawns its workers, which it does on submit.
        with _single_threaded_blas():
            pool = ProcessPoolExecutor(
                max_workers=min(workers, len(groups)),
                mp_context=get_context("spawn"),
                initializer=_prepare_worker,
            )
            futures = _submit(pool, groups)
        try:
            yield from _as_done(futures)
        finally:
            # After a failure or Ctrl-C: start nothing more, wait only for the groups running.
            pool.shutdown(cancel_futures=True)


def _prepare_worker() -> None:
    """Set up a pool worker: Ctrl-C ends it, and freed memory is kept for reuse."""
    _end_on_ctrl_c()
    keep_freed_memory()


def keep_freed_memory() -> None:
    """Make this process keep the memory it frees for its next allocations (glibc only).

    A training step allocates its large arrays afresh (states, gates, gradients: tens of
    megabytes for ten networks); by default glibc maps every block over 128 KiB anew and
    gives it back on free, so each step pays the kernel to map and zero the same memory
    again -- more than half of a step's time for ten small networks.  Turning that off
    (``M_MMAP_MAX`` = 0, ``M_TRIM_THRESHOLD`` = 1 GiB) lets the next step reuse it.  The
    process's memory then stays at its peak.  Elsewhere than on glibc this does nothing.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_trim_threshold, m_mmap_max = -1, -4  # <malloc.h>
    libc.mallopt(m_mmap_max, 0)
    libc.mallopt(m_trim_threshold, 2**30)


def _end_on_ctrl_c() -> None:
    """Make Ctrl-C end a pool worker at once.

    The terminal sends SIGINT to the workers too.  As a KeyboardInterrupt it would only end
    the worker's current run, and the worker would start the next one it had queued while
    the interrupted parent waits for it to finish.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _submit(executor: Executor, groups: list[Group]) -> dict[Future[list[ExperimentResult]], Group]:
    return {executor.submit(compute_group, group): group for group in groups}


def _as_done(
    futures: dict[Future[list[ExperimentResult]], Group],
) -> Iterator[tuple[Group, list[ExperimentResult]]]:
    """Yield each group with its results as it finishes; after the first failure, cancel
    the groups not started, yield the others that still finish, then raise it.  Whatever
    ends the iteration early (Ctrl-C, an error in the caller) cancels the groups not started.
    """
    failure: tuple[Group, BaseException] | None = None
    try:
        for future in as_completed(futures):
            if future.cancelled():
                continue
            group, error = futures[future], future.exception()
            if error is None:
                yield group, future.result()
            elif failure is None:
                failure = group, error
                _cancel(futures)
    finally:
        _cancel(futures)
    if failure is not None:
        group, error = failure
        if not isinstance(error, Exception):  # a KeyboardInterrupt in a worker, say
            raise error
        raise _failed(group, error) from error


def _cancel(futures: Iterable[Future[list[ExperimentResult]]]) -> None:
    for future in futures:
        future.cancel()


def _failed(group: Group, error: Exception) -> RuntimeError:
    """The error a caller sees: which run failed, and how."""
    more = f" (and {len(group) - 1} more of its group)" if len(group) > 1 else ""
    return RuntimeError(
        f"the run of {describe(group[0])}{more} failed: {type(error).__name__}: {error}"
    )


def _cost(config: ExperimentConfig) -> tuple[int, str]:
    """A rough guess of the run time, for scheduling; the key breaks ties reproducibly."""
    gates = _STATE_BLOCKS[config.model]
    work = config.steps * config.make_task().length * (gates + 1) * config.n_h
    return work, config.key()


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
