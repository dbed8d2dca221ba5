"""The chapter's experiment set: every model on both tasks at every lag, for a few seeds."""

from __future__ import annotations

from collections.abc import Sequence

from .config import ExperimentConfig
from .models import MODELS

# Documented where the package exports them (__init__.py).
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
