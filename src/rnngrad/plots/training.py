"""Training: the metric against the lag per model, and the gradient's reach as training goes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from ..experiments import ExperimentResult
from ..experiments.chapter import variant_of
from ..experiments.summaries import SuccessRate
from ..i18n import label
from .style import PALETTE, figure_function


@figure_function()
def success_against_lag(results: Sequence[ExperimentResult], *, lang: str = "en") -> Figure:
    """Success rate and final metric against the lag, one curve per variant of the chapter's
    set (:func:`~rnngrad.experiments.variant_of`).

    The results must all be of one task.  Left: the share of seeds that solved the task at
    each lag, with its 95 % Wilson interval (:func:`~rnngrad.experiments.success_rates`).
    Right: the task metric at the end of training, the median over the seeds with a bar
    from the lowest to the highest seed, and a dashed line at what a network that ignores
    the inputs scores (the MSE of the best constant for the adding problem, 50 % for the
    agreement task); the MSE on a logarithmic scale.

    Parameters
    ----------
    results : sequence of ExperimentResult
        From :func:`rnngrad.experiments.run_many`.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not results or not all(isinstance(r, ExperimentResult) for r in results):
        raise TypeError("results must be a non-empty sequence of ExperimentResult")
    tasks = {r.config.task for r in results}
    if len(tasks) != 1:
        raise ValueError(f"results must all be of one task, got {sorted(tasks)}")
    task = results[0].config.make_task()
    variants = list(dict.fromkeys(variant_of(r.config) for r in results))
    lags = sorted({r.config.lag for r in results})
    fig = Figure(figsize=(9.0, 3.6))
    rate_ax, metric_ax = fig.subplots(1, 2)
    for i, name in enumerate(variants):
        runs = [r for r in results if variant_of(r.config) == name]
        at = sorted({r.config.lag for r in runs})
        # Side by side on the log axis, so that the bars of equal values do not hide.
        shifted = np.array(at) * (1 + 0.04 * (i - (len(variants) - 1) / 2))
        style = {"marker": "o", "capsize": 3, "linewidth": 2, "color": PALETTE[i % len(PALETTE)],
                 "label": label(f"model {name}", lang)}  # fmt: skip
        rates = [SuccessRate.of([r.success for r in runs if r.config.lag == lag]) for lag in at]
        middle = np.array([r.rate for r in rates])
        bars = np.array([[r.rate - r.low for r in rates], [r.high - r.rate for r in rates]])
        rate_ax.errorbar(shifted, middle, yerr=bars, **style)
        values = [[r.final_metric for r in runs if r.config.lag == lag] for lag in at]
        medians = np.array([np.median(v) for v in values])
        spread = np.array([[m - min(v), max(v) - m] for m, v in zip(medians, values, strict=True)])
        metric_ax.errorbar(shifted, medians, yerr=spread.T, **style)
    metric_ax.axhline(task.baseline, color="black", linestyle="--", linewidth=1,
                      label=label(f"baseline {task.metric}", lang))  # fmt: skip
    for ax in (rate_ax, metric_ax):
        ax.set_xscale("log")
        ax.set_xticks(lags, [str(lag) for lag in lags])
        ax.minorticks_off()
        ax.set_xlabel(label(f"lag {results[0].config.task}", lang))
        ax.grid(True, alpha=0.3)
    rate_ax.set_ylim(-0.03, 1.03)
    rate_ax.set_ylabel(label("success rate", lang))
    if task.metric == "mse":
        metric_ax.set_yscale("log")
    metric_ax.set_ylabel(label(task.metric, lang))
    metric_ax.legend(loc="best", fontsize=8)
    return fig


@figure_function()
def gradient_during_training(
    results: Mapping[str, ExperimentResult], *, lang: str = "en"
) -> Figure:
    """‖∂E_T/∂s_k‖ / ‖∂E_T/∂s_T‖ over k at each evaluation of training, one panel per run.

    Early evaluations are drawn light, late ones dark: how the share of the gradient that
    reaches the first steps of the sequence changes as the model trains.

    Parameters
    ----------
    results : mapping of str to ExperimentResult
        Panel title (already in the page's language) → result.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not results or not all(isinstance(r, ExperimentResult) for r in results.values()):
        raise TypeError("results must be a non-empty mapping of titles to ExperimentResult")
    fig = Figure(figsize=(3.4 * len(results) + 0.6, 3.4))
    axes = fig.subplots(1, len(results), sharey=True, squeeze=False)[0]
    for ax, (title, result) in zip(axes, results.items(), strict=True):
        history = result.history
        norms = history.state_grad_norms
        k = np.arange(norms.shape[1])
        # At most a dozen evaluations, evenly spread, first and last included: more lines
        # add weight to the SVG and nothing a reader can tell apart.
        rows = np.unique(np.linspace(0, norms.shape[0] - 1, 12).round().astype(int))
        shades = mpl.colormaps["Blues"](np.linspace(0.35, 1.0, rows.shape[0]))
        for row, shade in zip(norms[rows], shades, strict=True):
            share = row / row[-1]
            ax.semilogy(k[1:], share[1:], color=shade, linewidth=1.2)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(label("position k", lang))
        first, last = int(history.eval_steps[0]), int(history.eval_steps[-1])
        ax.text(
            0.98, 0.02, label("training shades", lang).format(first=first, last=last),
            transform=ax.transAxes, ha="right", va="bottom", fontsize=7,
        )  # fmt: skip
    axes[0].set_ylabel(label("gradient share", lang))
    return fig
