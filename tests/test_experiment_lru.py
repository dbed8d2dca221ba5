"""The LRU block in the chapter's experiment set: fair settings, and the cost summary."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import Case, refused

import rnngrad.experiments as ex
from rnngrad.experiments import chapter
from rnngrad.train import History


def test_the_lru_runs_every_lag_of_both_tasks_like_the_others() -> None:
    _, lags = ex.VARIANTS["lru"]
    assert lags == {"adding": ex.ADDING_LAGS, "agreement": ex.AGREEMENT_LAGS}
    assert lags == ex.VARIANTS["lstm"][1]
    configs = ex.chapter_experiments()
    grid = set(ex.grid_experiments())
    lru = [c for c in configs if ex.variant_of(c) == "lru"]
    lstm = [c for c in configs if ex.variant_of(c) == "lstm"]
    # The same seeds, lags, grid, budgets, batch, size and precision as the LSTM.
    for attribute in ("seed", "lag", "steps", "batch", "n_h", "dtype", "clip", "optimizer"):
        for in_grid in (True, False):
            seen = {(c.task, getattr(c, attribute)) for c in lru if (c in grid) == in_grid}
            assert seen == {(c.task, getattr(c, attribute)) for c in lstm if (c in grid) == in_grid}
    assert {c.lr for c in lru if c in grid} == set(chapter.LEARNING_RATE_GRID)


def test_the_ring_is_what_the_set_trains() -> None:
    config = chapter.config_of("lru", "adding", 200, 0, 0.01)
    model = config.initial_model()
    r_min, r_max, max_phase = ex.LRU_RING
    radius = np.abs(model.lru.eigenvalues)
    assert r_min - 1e-6 <= radius.min()
    assert radius.max() <= r_max + 1e-6
    assert np.exp(model.theta_log).max() <= max_phase * (1 + 1e-6)
    # |λ|^T at the longest lag: the slowest units keep most of a signal from the start.
    assert r_max**200 > 0.8


def fake(variant: str, lag: int, seed: int, steps: int, seconds: float) -> ex.ExperimentResult:
    """A result with the variant's real initial parameters and a given step count and time."""
    config = chapter.config_of(variant, "adding", lag, seed, 0.01)
    history = History(
        loss=np.zeros(steps), grad_norm=np.zeros(steps), eval_steps=np.array([0, steps]),
        eval_metric=np.array([1.0, 0.1]), state_grad_norms=np.ones((2, lag + 1)),
        solved_step=None, diverged=False,
    )  # fmt: skip
    parameters = config.initial_model().parameters()
    return ex.ExperimentResult(config, history, parameters, False, 0.1, seconds)


def test_model_costs_counts_parameters_and_time_per_step() -> None:
    results = [
        fake("lru", 25, 0, 100, 2.0),
        fake("lru", 25, 1, 300, 2.0),
        fake("lstm", 25, 0, 200, 1.0),
        fake("lstm", 50, 0, 10, 99.0),  # another lag: not counted
    ]
    costs = ex.model_costs(results, "adding", 25)
    assert list(costs) == ["lstm", "lru"]  # the order of VARIANTS
    # The block at n_in = 2, width = n_h = 32: encoder 2·32 + 32, LRU 3·32 + 4·32² + 32,
    # linear head 32 + 1.
    assert costs["lru"].parameters == 96 + 96 + 4 * 32 * 32 + 32 + 33
    # LSTM: 4·32·(2 + 32 + 1) weights and biases and the head.
    assert costs["lstm"].parameters == 4 * 32 * 35 + 33
    assert costs["lru"].ms_per_step == pytest.approx(1000 * 4.0 / 400)
    assert costs["lstm"].ms_per_step == pytest.approx(1000 * 1.0 / 200)


COST_CASES: dict[str, Case] = {
    "task": (lambda: ex.model_costs([], "copy", 25), ValueError, r"task must be one of"),
    "lag": (lambda: ex.model_costs([], "adding", 0), ValueError, r"lag must be >= 1"),
    "empty": (
        lambda: ex.model_costs([], "adding", 25),
        ValueError,
        r"results hold no run on task 'adding' at lag 25",
    ),
}


@pytest.mark.parametrize("case", COST_CASES)
def test_model_costs_refuses_bad_arguments(case: str) -> None:
    refused(COST_CASES[case])


def test_start_shares_are_medians_of_the_first_evaluation() -> None:
    results = [fake("lru", 25, seed, 100, 1.0) for seed in range(3)]
    for share, result in zip((0.1, 0.5, 0.2), results, strict=True):
        result.history.state_grad_norms[0] = [1.0] * 26
        result.history.state_grad_norms[0, 1] = share
        result.history.state_grad_norms[1] = 7.0  # a later evaluation: not counted
    assert ex.start_shares(results, ["lru"], 25) == {"lru": pytest.approx(0.2)}
    with pytest.raises(ValueError, match="no run of variant 'lstm' at lag 25"):
        ex.start_shares(results, ["lstm"], 25)
