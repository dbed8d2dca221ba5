"""Summaries of many runs: how many seeds solved each lag, and the longest lag always solved."""

from __future__ import annotations

from collections.abc import Sequence

from .._validate import check_choice
from .config import TASKS
from .models import MODELS
from .result import ExperimentResult


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
