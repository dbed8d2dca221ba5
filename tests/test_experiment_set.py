"""The chapter's experiment set and its summaries: the design, the grid's choice, intervals."""

from __future__ import annotations

import dataclasses
from collections import Counter

import numpy as np
import pytest
from helpers import Case, refused

import rnngrad.experiments as ex
from rnngrad.experiments import chapter
from rnngrad.train import History


def fake(
    config: ex.ExperimentConfig, solved_step: int | None, metric: float
) -> ex.ExperimentResult:
    """A result as the runner would store it, without training."""
    steps = solved_step if solved_step is not None else config.steps
    history = History(
        loss=np.zeros(steps), grad_norm=np.zeros(steps), eval_steps=np.array([0, steps]),
        eval_metric=np.array([1.0, metric]), state_grad_norms=np.ones((2, 3)),
        solved_step=solved_step, diverged=False,
    )  # fmt: skip
    return ex.ExperimentResult(config, history, {}, solved_step is not None, metric, 0.0)


# ---------------------------------------------------------------- intervals
@pytest.mark.parametrize(
    ("solved", "runs", "low", "high"),
    [(10, 10, 0.7225, 1.0), (0, 10, 0.0, 0.2775), (5, 10, 0.2366, 0.7634), (1, 3, 0.0615, 0.7923)],
)
def test_wilson_intervals_match_the_closed_form(
    solved: int, runs: int, low: float, high: float
) -> None:
    got = ex.wilson_interval(solved, runs)
    assert got == pytest.approx((low, high), abs=5e-5)
    rate = ex.SuccessRate.of([True] * solved + [False] * (runs - solved))
    assert (rate.solved, rate.runs, rate.low, rate.high) == (solved, runs, *got)
    assert rate.low <= rate.rate <= rate.high


def test_an_interval_narrows_with_more_runs_at_the_same_rate() -> None:
    widths = [np.subtract(*ex.wilson_interval(n // 2, n)[::-1]) for n in (4, 10, 40, 400)]
    assert widths == sorted(widths, reverse=True)


BAD: dict[str, Case] = {
    "more solved than runs": (
        lambda: ex.wilson_interval(3, 2),
        ValueError,
        "solved must be <= runs",
    ),
    "no runs": (lambda: ex.wilson_interval(0, 0), ValueError, "runs"),
    "negative": (lambda: ex.wilson_interval(-1, 2), ValueError, "solved"),
    "grid mixes": (
        lambda: ex.choose_learning_rate(
            [
                fake(chapter.config_of("rnn", "adding", 50, 0, 0.01), 100, 0.01),
                fake(chapter.config_of("gru", "adding", 50, 0, 0.01), 100, 0.01),
            ]
        ),
        ValueError,
        "one variant on one task",
    ),
    "grid empty": (lambda: ex.choose_learning_rate([]), ValueError, "results must hold"),
    "gate of a gateless variant": (lambda: ex.initial_gate("irnn"), ValueError, "no gates"),
    "rates of no task": (lambda: ex.rates_by_variant([], "copying"), ValueError, "task"),
    "unknown variant": (
        lambda: chapter.config_of("elman", "adding", 50, 0, 0.01),
        ValueError,
        "variant",
    ),
    "variant off its task": (
        lambda: chapter.config_of("irnn sgd", "agreement", 40, 0, 0.01),
        ValueError,
        "task",
    ),
}


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_bad_arguments_are_refused_by_name(case: Case) -> None:
    refused(case)


# ---------------------------------------------------------------- the grid's choice
def test_the_grid_prefers_more_solved_then_fewer_steps_then_a_better_metric() -> None:
    def runs(lr: float, steps: list[int | None], metric: float) -> list[ex.ExperimentResult]:
        return [
            fake(chapter.config_of("lstm", "adding", 50, seed, lr), step, metric)
            for seed, step in zip(chapter.DEVELOPMENT_SEEDS, steps, strict=True)
        ]

    # 3e-2 solves more; among the others 1e-2 is faster.
    grid = runs(3e-3, [900, None, 800], 0.01) + runs(1e-2, [300, None, 200], 0.02)
    assert ex.choose_learning_rate(grid + runs(3e-2, [1900, 1800, 1700], 0.03)) == 3e-2
    assert ex.choose_learning_rate(grid) == 1e-2
    # Equal counts and steps: the lower held-out MSE wins.
    tied = runs(3e-3, [300, None, 200], 0.01) + runs(1e-2, [300, None, 200], 0.02)
    assert ex.choose_learning_rate(tied) == 3e-3


# ---------------------------------------------------------------- the design
def test_every_point_of_the_set_has_ten_seeds_and_its_variants_rate() -> None:
    configs = ex.chapter_experiments()
    assert len(set(configs)) == len(configs)
    grid = set(ex.grid_experiments())
    reported = [c for c in configs if c not in grid]
    assert configs[: len(grid)] == ex.grid_experiments()
    points = Counter((ex.variant_of(c), c.task, c.lag) for c in reported)
    assert set(points.values()) == {len(ex.SEEDS)}
    assert len(ex.SEEDS) >= 10
    for config in reported:
        assert config.lr == ex.LEARNING_RATES[ex.variant_of(config), config.task]
        assert config.n_h >= 32


def test_the_grid_runs_on_development_seeds_only_and_covers_each_variant() -> None:
    grid = ex.grid_experiments()
    assert {c.seed for c in grid} == set(chapter.DEVELOPMENT_SEEDS)
    assert not set(chapter.DEVELOPMENT_SEEDS) & set(ex.SEEDS)
    for (name, task), lr in ex.LEARNING_RATES.items():
        tried = {c.lr for c in grid if (ex.variant_of(c), c.task) == (name, task)}
        assert lr in tried


@pytest.mark.parametrize("name", list(ex.VARIANTS))
def test_each_variant_is_recognised_from_its_configuration(name: str) -> None:
    task = next(iter(ex.VARIANTS[name][1]))
    config = chapter.config_of(name, task, chapter.GRID_LAGS[task], 0, 0.01)
    assert ex.variant_of(config) == name
    assert ex.variant_of(dataclasses.replace(config, seed=7, lr=0.03)) == name


def test_a_configuration_of_no_variant_is_refused() -> None:
    with pytest.raises(ValueError, match="no variant"):
        ex.variant_of(ex.ExperimentConfig(model="lstm", gate_bias=2.0))


def test_the_plan_stacks_seeds_and_keeps_each_group_within_its_memory() -> None:
    from rnngrad.experiments import runner

    configs = ex.chapter_experiments()
    groups = runner.plan(configs)
    assert sorted(c.key() for group in groups for c in group) == sorted(c.key() for c in configs)
    gates = {"rnn": 1, "irnn": 1, "lstm": 4, "gru": 3, "lru": 2}
    for group in groups:
        assert len({runner.stack_key(c) for c in group}) == 1
        first = group[0]
        entries = len(group) * first.make_task().length * gates[first.model] * first.n_h
        assert len(group) == 1 or entries <= runner.GROUP_STATE_ENTRIES
        assert len(group) <= runner.GROUP_SIZE
    assert max(len(group) for group in groups) == runner.GROUP_SIZE  # seeds do stack


def test_the_pages_measures_of_runs() -> None:
    configs = [
        chapter.config_of("lstm", "adding", lag, seed, 0.01) for lag in (25, 50) for seed in (0, 1)
    ]
    results = [fake(c, 100 if c.seed == 0 else None, 0.01) for c in configs]
    results[0].history.grad_norm[:40] = 2.0  # clipping (threshold 1) acted on 40 of 100 steps
    assert ex.runs_of(results, "lstm", lag=50) == results[2:]
    assert ex.runs_of(results, "gru") == []
    rates = ex.rates_by_lag(results, "lstm")
    assert [(lag, r.solved, r.runs) for lag, r in rates.items()] == [(25, 1, 2), (50, 1, 2)]
    by_variant = ex.rates_by_variant(results, "agreement")
    assert "irnn sgd" not in by_variant  # a variant that never runs the task has no entry
    assert by_variant["lstm"] == {}  # no agreement runs among the results
    assert by_variant["lstm bf3"] == {}
    assert ex.rates_by_variant(results, "adding")["lstm"] == rates
    assert ex.solved_steps(results, "lstm", lag=50) == [100]
    assert ex.solved_steps(results, "gru", lag=50) == []
    results[0].history.state_grad_norms[0] = [5.0, 0.5, 10.0]
    assert ex.gradient_share(results[0]) == pytest.approx(0.05)
    assert ex.clipped_fraction(results[:1]) == pytest.approx(0.4)


def test_the_initial_gate_is_the_sigmoid_of_the_variants_gate_bias() -> None:
    for name in ("lstm", "lstm bf3", "gru"):
        bias = chapter.config_of(name, "agreement", 40, 0, 0.01).gate_bias
        assert ex.initial_gate(name) == pytest.approx(1 / (1 + np.exp(-bias)), rel=1e-15)
    assert ex.initial_gate("lstm bf3") > ex.initial_gate("lstm")


def test_what_training_changed_inside_a_network() -> None:
    from rnngrad import LSTM, RNN

    inputs = np.random.default_rng(0).standard_normal((6, 3, 2))
    rnn = RNN.random(2, 4, 1, head="linear", rng=0)
    states = np.stack([rnn.states(inputs[:, b]) for b in range(3)])
    assert ex.mean_slope(rnn, inputs) == pytest.approx(np.mean(1 - states[:, 1:] ** 2))
    assert 0 < ex.mean_slope(rnn, inputs) <= 1
    lstm = LSTM.random(2, 4, 1, head="linear", rng=0)
    gap = ex.forget_gap(lstm, inputs)
    assert 0 < gap < 1
    keeper = dataclasses.replace(lstm, b=lstm.b + np.repeat([0.0, 20.0, 0.0, 0.0], 4))
    assert ex.forget_gap(keeper, inputs) < 1e-6  # forget gates at 1: nothing decays
