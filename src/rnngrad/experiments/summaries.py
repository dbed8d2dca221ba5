"""Summaries of many runs: success rates with their intervals, and the longest lag always solved."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np

from .._types import FloatArray
from .._validate import check_choice, check_int
from ..lstm import LSTM
from ..rnn import RNN
from ..train import History
from .chapter import VARIANTS, variant_of
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


class SuccessRate(NamedTuple):
    """How many of the runs at one lag solved the task, with a 95 % interval for the rate."""

    #: Runs that solved the task.
    solved: int
    #: Runs in all (one per seed).
    runs: int
    #: The lower and upper end of the Wilson score interval at 95 %.
    low: float
    high: float

    @property
    def rate(self) -> float:
        """The share of runs that solved the task."""
        return self.solved / self.runs

    @classmethod
    def of(cls, outcomes: Sequence[bool]) -> SuccessRate:
        """The rate of a list of outcomes (True: solved), with its 95 % Wilson interval."""
        solved = sum(bool(o) for o in outcomes)
        return cls(solved, len(outcomes), *wilson_interval(solved, len(outcomes)))


#: The 97.5 % quantile of the standard normal distribution: the z of a 95 % interval.
Z_95 = 1.959963984540054


def wilson_interval(solved: int, runs: int, z: float = Z_95) -> tuple[float, float]:
    """Return the Wilson score interval for a success probability from ``solved`` of ``runs``.

    Unlike the normal approximation p ± z·sqrt(p(1 − p)/n), it stays inside [0, 1] and is
    not empty at 0 or n successes: with 10 of 10 runs solved, the 95 % interval is
    [0.72, 1], which is what ten seeds can say (Wilson 1927; Brown, Cai and DasGupta 2001
    recommend it for small n).

    Parameters
    ----------
    solved : int
        Successes, 0 ≤ solved ≤ runs.
    runs : int
        Trials, ≥ 1.
    z : float
        The normal quantile of the confidence level (1.96 for 95 %).

    Returns
    -------
    (float, float)
        The lower and upper end.

    Raises
    ------
    ValueError, TypeError
        If the counts are not integers with 0 ≤ solved ≤ runs and runs ≥ 1.
    """
    n = check_int("runs", runs, minimum=1)
    k = check_int("solved", solved, minimum=0)
    if k > n:
        raise ValueError(f"solved must be <= runs, got {k} > {n}")
    p, z2 = k / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # At 0 or n successes an end is exactly 0 or 1; rounding must not move it off.
    low = 0.0 if k == 0 else centre - half
    high = 1.0 if k == n else centre + half
    return low, high


def success_rates(
    results: Sequence[ExperimentResult], model: str, task: str
) -> dict[int, SuccessRate]:
    """For each lag, the share of runs of ``model`` on ``task`` that solved it, with its
    95 % Wilson interval (:func:`wilson_interval`).

    Parameters and errors as for :func:`solved_by_lag`.

    Returns
    -------
    dict of int to SuccessRate
        Lag → solved, runs and the interval.
    """
    return _rates(_runs_of(results, model, task))


def _rates(runs: Sequence[ExperimentResult]) -> dict[int, SuccessRate]:
    return {
        lag: SuccessRate.of([r.success for r in runs if r.config.lag == lag]) for lag in _lags(runs)
    }


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


def runs_of(
    results: Sequence[ExperimentResult], variant: str, *, lag: int | None = None
) -> list[ExperimentResult]:
    """The results of one variant of the chapter's set (:func:`variant_of`), at one lag if
    given, in their order."""
    return [r for r in results if variant_of(r.config) == variant and lag in (None, r.config.lag)]


def rates_by_lag(results: Sequence[ExperimentResult], variant: str) -> dict[int, SuccessRate]:
    """Lag → the success rate, with its interval, of the runs of ``variant`` in ``results``."""
    runs = runs_of(results, variant)
    return {
        lag: SuccessRate.of([r.success for r in runs if r.config.lag == lag]) for lag in _lags(runs)
    }


def rates_by_variant(
    results: Sequence[ExperimentResult], task: str
) -> dict[str, dict[int, SuccessRate]]:
    """Variant → lag → success rate of the runs on ``task`` in ``results``, for every variant
    of the chapter's set that runs ``task``."""
    check_choice("task", task, TASKS)
    on_task = [r for r in results if r.config.task == task]
    names = [name for name, (_, lags) in VARIANTS.items() if task in lags]
    return {name: rates_by_lag(on_task, name) for name in names}


def solved_steps(results: Sequence[ExperimentResult], variant: str, *, lag: int) -> list[int]:
    """The step at which each run of ``variant`` at ``lag`` that solved its task did so."""
    steps = (r.history.solved_step for r in runs_of(results, variant, lag=lag) if r.success)
    return [step for step in steps if step is not None]


def gradient_share(result: ExperimentResult, evaluation: int = 0) -> float:
    """‖∂E_T/∂s_1‖ / ‖∂E_T/∂s_T‖ at one evaluation of a run (0: before training), from its
    history: how much of the error at the answer reaches the first step."""
    norms = result.history.state_grad_norms[evaluation]
    return float(norms[1] / norms[-1])


def histories_by_variant(
    results: Sequence[ExperimentResult], *, seed: int = 0
) -> dict[str, dict[int, History]]:
    """Variant → lag → the training history of the run with ``seed``: what
    :func:`~rnngrad.explorable.training_explorable` draws. Variants in the order of
    :data:`VARIANTS` (a variant added there appears with no change here), lags ascending."""
    seed = check_int("seed", seed, minimum=0)
    chosen = sorted(
        (r for r in results if r.config.seed == seed), key=lambda r: (r.config.lag, r.config.task)
    )
    found: dict[str, dict[int, History]] = {name: {} for name in VARIANTS}
    for result in chosen:
        found[variant_of(result.config)].setdefault(result.config.lag, result.history)
    return {name: runs for name, runs in found.items() if runs}


class ModelCost(NamedTuple):
    """What a variant of the chapter's set costs: its size and its measured time per step."""

    #: The number of trained parameters, the head's included.
    parameters: int
    #: Wall-clock milliseconds per network and training step, evaluations included, as
    #: measured while the set was computed (networks trained K at a time; see
    #: :func:`model_costs`).
    ms_per_step: float


def model_costs(results: Sequence[ExperimentResult], task: str, lag: int) -> dict[str, ModelCost]:
    """Variant → its parameter count and measured cost per step on ``task`` at ``lag``.

    The cost is the wall time of the variant's runs there divided by the training steps they
    took: what one network's step cost inside :func:`~rnngrad.train.train_many`, which
    trains up to ten seeds as one stacked computation.  It was measured on whatever machine
    computed the cache, with the other workers running: a comparison between models made
    at the same time, not a benchmark (``make bench`` times the layers alone).

    Parameters
    ----------
    results : sequence of ExperimentResult
        E.g. the chapter's set.
    task : {"adding", "adding-hochreiter", "agreement"}
        The task.
    lag : int
        The lag; only the variants that ran there are listed.

    Returns
    -------
    dict of str to ModelCost
        In the order of :data:`~rnngrad.experiments.VARIANTS`.

    Raises
    ------
    ValueError, TypeError
        If the task is unknown, the lag is not an integer ≥ 1, or no result ran there.
    """
    check_choice("task", task, TASKS)
    check_int("lag", lag, minimum=1)
    here = [r for r in results if r.config.task == task and r.config.lag == lag]
    if not here:
        raise ValueError(f"results hold no run on task {task!r} at lag {lag}")
    costs = {}
    for name in VARIANTS:
        runs = [r for r in here if variant_of(r.config) == name]
        if runs:
            size = sum(int(np.size(p)) for p in runs[0].parameters.values())
            steps = sum(r.history.steps for r in runs)
            costs[name] = ModelCost(size, 1000 * sum(r.seconds for r in runs) / steps)
    return costs


def start_shares(
    results: Sequence[ExperimentResult], variants: Iterable[str], lag: int
) -> dict[str, float]:
    """Variant → the median over its runs at ``lag`` of :func:`gradient_share` before
    training: how much of the error at the answer reached the first step at the start.

    Raises
    ------
    ValueError
        If a variant has no run at ``lag`` in ``results``.
    """
    shares = {}
    for name in variants:
        runs = runs_of(results, name, lag=lag)
        if not runs:
            raise ValueError(f"results hold no run of variant {name!r} at lag {lag}")
        shares[name] = float(np.median([gradient_share(r) for r in runs]))
    return shares


def clipped_fraction(results: Sequence[ExperimentResult]) -> float:
    """The share of all training steps of ``results`` at which clipping acted (the gradient's
    norm before clipping above the threshold)."""
    acted = sum(
        int(np.sum(r.history.grad_norm > (np.inf if r.config.clip is None else r.config.clip)))
        for r in results
    )
    return acted / sum(r.history.steps for r in results)


def mean_slope(model: RNN, inputs: FloatArray) -> float:
    """The average derivative f′(z_j) of a tanh network over its units, the steps and the
    sequences ``inputs`` (T, B, n_in): how far into saturation the network works."""
    states = np.stack([model.states(inputs[:, b]) for b in range(inputs.shape[1])])
    return float(np.mean(model.f.derivative_from_output(states[:, 1:])))


def forget_gap(model: LSTM, inputs: FloatArray) -> float:
    """1 − f̄ for the LSTM's most persistent unit, f̄ its forget gate averaged over the steps
    and the sequences ``inputs`` (T, B, n_in): how fast that unit's memory decays per step."""
    gates = np.stack([model.forget_gates(inputs[:, b]) for b in range(inputs.shape[1])])
    return 1 - float(np.max(gates.mean(axis=(0, 1))))
