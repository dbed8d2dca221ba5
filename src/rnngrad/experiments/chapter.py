"""The chapter's experiment set: a learning-rate grid on development seeds, then every model
on both tasks at every lag for ten seeds, with the rate the grid chose.

The design, and why:

* **Variants.**  The five models of :data:`MODELS` with Adam (the fifth, the
  :class:`~rnngrad.block.LRUBlock`, with the ring of :data:`LRU_RING`, not tuned on these
  tasks); the IRNN also as
  :cite:t:`le2015` trained it, with plain SGD and clipping; and on the agreement task an
  LSTM whose forget gate starts at σ(3) ≈ 0.95 instead of σ(1) ≈ 0.73, to test what the
  forget bias decides.
* **Fair settings.**  Every variant gets its learning rate from :data:`LEARNING_RATE_GRID`
  (SGD: :data:`SGD_LEARNING_RATE_GRID`), chosen on :data:`DEVELOPMENT_SEEDS` -- seeds that
  the reported runs do not use, so the choice does not flatter the results -- at one lag of
  each task (:data:`GRID_LAGS`) by :func:`choose_learning_rate`.  :data:`LEARNING_RATES`
  records the choice; the chapter's experiments page checks that it is still the grid's.
* **Intervals.**  :data:`SEEDS` holds ten seeds per point: a success rate with a 95 % Wilson
  interval of width about 0.3 at worst, enough to tell "always" from "never" and either from
  "half the time", not to rank two models that both mostly succeed.
* **Size and budget.**  32 units, float32 (as deep learning trains; a contribution below
  about 10⁻⁷ of a gradient is lost to rounding, far below anything that moves a network in
  a few thousand steps), minibatches of 32, at most :data:`ADDING_STEPS` steps on the adding
  problem and :data:`AGREEMENT_STEPS` on the agreement task, an evaluation every 50 steps.
  The longest lags are what the cost allows on a two-core machine: about 10 ms per network
  and step for the LSTM at T = 200.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._validate import check_choice
from .config import ExperimentConfig
from .result import ExperimentResult

# Documented where the package exports them (__init__.py).
ADDING_LAGS = (25, 50, 100, 200)
AGREEMENT_LAGS = (20, 40, 80)
SEEDS = tuple(range(10))

#: The seeds of the learning-rate grid, none of them in :data:`SEEDS`.
DEVELOPMENT_SEEDS = (100, 101, 102)
#: The learning rates tried for Adam, and for plain SGD.
LEARNING_RATE_GRID = (1e-3, 3e-3, 1e-2, 3e-2)
SGD_LEARNING_RATE_GRID = (1e-3, 1e-2, 1e-1)
#: The lag of each task at which the grid runs.
GRID_LAGS = {"adding": 50, "agreement": 40}
#: The most training steps on each task.
ADDING_STEPS = 2000
AGREEMENT_STEPS = 1000

#: The variants of the set: name → the fields of ExperimentConfig that make it, and the lags
#: of each task it runs on.  The two simple networks skip the longest adding problem, and the
#: IRNN with SGD runs only at the two shortest: they solve none of their runs at T = 100
#: (SGD at T = 25 and 50 already), and a failing run costs its whole budget of steps.
VARIANTS: dict[str, tuple[dict[str, object], dict[str, tuple[int, ...]]]] = {
    "rnn": ({"model": "rnn"}, {"adding": ADDING_LAGS[:-1], "agreement": AGREEMENT_LAGS}),
    "irnn": ({"model": "irnn"}, {"adding": ADDING_LAGS[:-1], "agreement": AGREEMENT_LAGS}),
    "irnn sgd": (
        {"model": "irnn", "optimizer": "sgd", "momentum": 0.0, "clip": 1.0},
        {"adding": (25, 50)},
    ),
    "lstm": ({"model": "lstm"}, {"adding": ADDING_LAGS, "agreement": AGREEMENT_LAGS}),
    "lstm bf3": ({"model": "lstm", "gate_bias": 3.0}, {"agreement": AGREEMENT_LAGS}),
    "gru": ({"model": "gru"}, {"adding": ADDING_LAGS, "agreement": AGREEMENT_LAGS}),
    "lru": ({"model": "lru"}, {"adding": ADDING_LAGS, "agreement": AGREEMENT_LAGS}),
}

#: The learning rate :func:`choose_learning_rate` picked from the grid, by (variant, task).
LEARNING_RATES: dict[tuple[str, str], float] = {
    ("rnn", "adding"): 3e-3,
    ("irnn", "adding"): 1e-2,
    ("irnn sgd", "adding"): 1e-3,
    ("lstm", "adding"): 3e-2,
    ("gru", "adding"): 3e-2,
    ("rnn", "agreement"): 3e-3,
    ("irnn", "agreement"): 1e-3,
    ("lstm", "agreement"): 3e-3,
    ("lstm bf3", "agreement"): 3e-3,
    ("gru", "agreement"): 1e-2,
    ("lru", "adding"): 3e-2,
    ("lru", "agreement"): 1e-2,
}


def config_of(variant: str, task: str, lag: int, seed: int, lr: float) -> ExperimentConfig:
    """The configuration of one run of a variant of :data:`VARIANTS`."""
    fields, lags = VARIANTS[check_choice("variant", variant, VARIANTS)]
    check_choice("task", task, lags)
    steps = ADDING_STEPS if task == "adding" else AGREEMENT_STEPS
    return ExperimentConfig(task=task, lag=lag, seed=seed, lr=lr, steps=steps, **fields)  # type: ignore[arg-type]


def variant_of(config: ExperimentConfig) -> str:
    """The name in :data:`VARIANTS` of the variant ``config`` belongs to."""
    for name, (fields, _) in VARIANTS.items():
        if all(getattr(config, field) == value for field, value in fields.items()) and all(
            getattr(config, field) == getattr(ExperimentConfig(), field)
            for field in ("optimizer", "gate_bias")
            if field not in fields
        ):
            return name
    raise ValueError(f"config is of no variant of the chapter: {config}")


def initial_gate(variant: str) -> float:
    """σ(b) for the gate bias b that ``variant`` starts with: where its LSTM's forget gates
    or its GRU's update gates sit before training, for a zero input and state."""
    fields, _ = VARIANTS[check_choice("variant", variant, VARIANTS)]
    config = ExperimentConfig(**fields)  # type: ignore[arg-type]
    if config.model not in ("lstm", "gru"):
        raise ValueError(f"variant: {variant!r} has no gates; expected an LSTM or GRU variant")
    return float(1 / (1 + np.exp(-config.gate_bias)))


def grid_experiments() -> list[ExperimentConfig]:
    """The learning-rate grid: every variant on every task it runs on, at the grid's lag,
    for each rate of its grid and each development seed."""
    return [
        config_of(name, task, GRID_LAGS[task], seed, lr)
        for name, (fields, tasks) in VARIANTS.items()
        for task in tasks
        for lr in (
            SGD_LEARNING_RATE_GRID if fields.get("optimizer") == "sgd" else LEARNING_RATE_GRID
        )
        for seed in DEVELOPMENT_SEEDS
    ]


def choose_learning_rate(results: Sequence[ExperimentResult]) -> float:
    """The grid's choice among runs of one variant on one task: the rate that solved the
    task in the most development seeds, then in the fewest steps on average (a run that
    did not solve it counting its whole budget), then with the best final held-out metric.

    Raises
    ------
    ValueError
        If ``results`` is empty or mixes variants or tasks.
    """
    if not results:
        raise ValueError("results must hold the grid's runs of one variant on one task")
    kinds = {(variant_of(r.config), r.config.task) for r in results}
    if len(kinds) != 1:
        raise ValueError(f"results must be of one variant on one task, got {sorted(kinds)}")
    sign = 1.0 if results[0].config.make_task().metric == "mse" else -1.0

    def score(lr: float) -> tuple[float, float, float]:
        runs = [r for r in results if r.config.lr == lr]
        solved = sum(r.success for r in runs)
        steps = np.mean([r.history.steps if r.success else r.config.steps for r in runs])
        metric = np.mean([sign * r.final_metric for r in runs])
        return -solved, float(steps), float(metric)

    return min(sorted({r.config.lr for r in results}), key=score)


def chapter_experiments(seeds: Sequence[int] = SEEDS) -> list[ExperimentConfig]:
    """Return the experiments of the chapter: the grid, then every variant on every task it
    runs on, at every lag, once per seed, with the learning rate of :data:`LEARNING_RATES`.

    The book and ``benchmarks/bench_experiments.py`` both use this list.

    Parameters
    ----------
    seeds : sequence of int
        The seeds of the reported runs, each ≥ 0.

    Returns
    -------
    list of ExperimentConfig
        The grid's runs first.

    Raises
    ------
    ValueError, TypeError
        If a seed is not an integer ≥ 0.
    """
    reported = [
        config_of(name, task, lag, seed, LEARNING_RATES[name, task])
        for name, (_, lags) in VARIANTS.items()
        for task, task_lags in lags.items()
        for lag in task_lags
        for seed in seeds
    ]
    return grid_experiments() + reported
