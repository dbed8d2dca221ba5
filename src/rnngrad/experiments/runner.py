"""Running configurations: one at a time, or many in parallel processes, through the cache."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from .._validate import check_int
from ..train import train
from .cache import cache_path, load, lock, resolve_cache_dir, store
from .config import ExperimentConfig, check_config, seed_sequences
from .result import ExperimentResult


def compute(config: ExperimentConfig) -> ExperimentResult:
    """Train as configured, without the cache; separate seeds for initialisation and data."""
    start = time.perf_counter()
    task = config.make_task()
    data_seed = seed_sequences(config.seed)[1]
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
    return _run_one(check_config(config), resolve_cache_dir(cache_dir))


def _run_one(config: ExperimentConfig, directory: Path | None) -> ExperimentResult:
    if directory is None:
        return compute(config)
    path = cache_path(config, directory)
    with lock(path):
        result = load(path, config)
        if result is None:
            result = compute(config)
            store(path, result)
    return result


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
    wanted = [check_config(c) for c in configs]
    workers = check_int("processes", processes, minimum=1)
    directory = resolve_cache_dir(cache_dir)
    done: dict[ExperimentConfig, ExperimentResult] = {}
    if directory is not None:
        for config in wanted:
            cached = load(cache_path(config, directory), config)
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
