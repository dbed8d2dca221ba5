"""Training: the metric against the lag per model, and the gradient's reach as training goes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from ..experiments import ExperimentResult
from ..i18n import label
from .style import PALETTE, figure_function, single_axes


@figure_function()
def success_against_lag(results: Sequence[ExperimentResult], *, lang: str = "en") -> Figure:
    """The task metric at the end of training against the lag, one curve per model.

    The results must all be of one task.  Each point is the median over the seeds, the bar
    spans the lowest to the highest seed; a dashed line marks what a network that ignores
    the inputs scores (the MSE of the best constant for the adding problem, 50 % for the
    agreement task).  The MSE is drawn on a logarithmic scale.

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
    models = list(dict.fromkeys(r.config.model for r in results))
    lags = sorted({r.config.lag for r in results})
    fig, ax = single_axes(6.0, 3.6)
    for i, model in enumerate(models):
        values = [
            [r.final_metric for r in results if r.config.model == model and r.config.lag == lag]
            for lag in lags
        ]
        middle = np.array([np.median(v) for v in values])
        spread = np.array(
            [[middle[j] - min(v), max(v) - middle[j]] for j, v in enumerate(values)]
        ).T
        shift = 1 + 0.04 * (i - (len(models) - 1) / 2)  # side by side on the log axis
        ax.errorbar(
            np.array(lags) * shift,
            middle,
            yerr=spread,
            marker="o",
            capsize=3,
            linewidth=2,
            color=PALETTE[i % len(PALETTE)],
            label=label(f"model {model}", lang),
        )
    ax.axhline(
        task.baseline,
        color="black",
        linestyle="--",
        linewidth=1,
        label=label(f"baseline {task.metric}", lang),
    )
    ax.set_xscale("log")
    ax.set_xticks(lags, [str(lag) for lag in lags])
    ax.minorticks_off()
    if task.metric == "mse":
        ax.set_yscale("log")
    ax.set_xlabel(label(f"lag {results[0].config.task}", lang))
    ax.set_ylabel(label(task.metric, lang))
    ax.legend(loc="best", fontsize=8)
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
