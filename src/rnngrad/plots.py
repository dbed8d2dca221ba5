"""Every figure of the chapter, one function each, in either language.

Each function returns a :class:`matplotlib.figure.Figure` built without pyplot, so a
notebook shows it only where the chapter places it (with ``glue``), and no global
matplotlib state is touched: the house style is applied through a context, once, here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, ParamSpec

import matplotlib as mpl
import numpy as np
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import ScalarFormatter
from numpy.typing import ArrayLike, NDArray

from ._validate import as_float_array, check_real, check_shape
from .activations import Activation, get_activation
from .experiments import ExperimentResult
from .i18n import LABELS, check_language, format_number, label
from .jacobians import SpectralSweep
from .scalar import Descent
from .spectral import eigenvalues, singular_values

#: Okabe & Ito's palette, distinguishable with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

# Keys are rcParams names; typed loosely because matplotlib types them as one big Literal.
STYLE: dict[Any, Any] = {
    "axes.prop_cycle": cycler(color=PALETTE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "font.size": 10,
    "legend.frameon": False,
    "figure.dpi": 100,
    "savefig.bbox": "tight",
    "svg.hashsalt": "rnngrad",
}


@contextmanager
def house_style() -> Iterator[None]:
    """Apply the chapter's plotting style for the duration of a ``with`` block."""
    with mpl.rc_context(STYLE):
        yield


class _DecimalComma(ScalarFormatter):
    """Linear-axis tick labels with the decimal comma of a Russian textbook: 0,5 for 0.5."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return super().__call__(x, pos).replace(".", ",")

    def get_offset(self) -> str:
        return super().get_offset().replace(".", ",")


_Params = ParamSpec("_Params")


def _ticks_in_language(draw: Callable[_Params, Figure]) -> Callable[_Params, Figure]:
    """Write the tick labels of a figure function's linear axes as its ``lang`` writes numbers.

    Legends, titles and glued numbers go through :func:`~rnngrad.i18n.format_number`;
    matplotlib's own tick labels always use a point. Log axes print powers of ten only.
    """

    @functools.wraps(draw)
    def localized(*args: _Params.args, **kwargs: _Params.kwargs) -> Figure:
        fig = draw(*args, **kwargs)
        if format_number(0.5, str(kwargs.get("lang", "en")), digits=1) == "0,5":
            for axis in (axis for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)):
                if type(axis.get_major_formatter()) is ScalarFormatter:
                    axis.set_major_formatter(_DecimalComma())
        return fig

    return localized


@_ticks_in_language
def activation_and_derivative(
    activation: str = "sigmoid", *, lang: str = "en", z_max: float = 6.0
) -> Figure:
    """Plot f and f′ of an activation on [−z_max, z_max], with γ = sup :math:`|f'|` marked.

    This is the lecture's figure "Sigmoid and derivative": the derivative of the sigmoid
    never exceeds 1/4, so each step of backpropagation through time scales the error by
    at most a quarter of :math:`|w|`.

    Parameters
    ----------
    activation : str
        ``"sigmoid"``, ``"tanh"``, ``"relu"`` or ``"identity"``.
    lang : str
        ``"en"`` or ``"ru"``: the language of the labels.
    z_max : float
        Half-width of the plotted interval, > 0.

    Returns
    -------
    matplotlib.figure.Figure
    """
    return activations_side_by_side((activation,), lang=lang, z_max=z_max)


@_ticks_in_language
def activations_side_by_side(
    activations: Sequence[str] = ("sigmoid", "tanh"), *, lang: str = "en", z_max: float = 6.0
) -> Figure:
    """Plot f and f′ of several activations in panels side by side, γ marked in each.

    Parameters
    ----------
    activations : sequence of str
        One panel per name, at least one.
    lang : str
        ``"en"`` or ``"ru"``.
    z_max : float
        Half-width of the plotted interval, > 0.

    Returns
    -------
    matplotlib.figure.Figure
    """
    acts = [get_activation(name) for name in activations]
    if not acts:
        raise ValueError("activations must name at least one activation, got none")
    check_language(lang)
    z_max = check_real("z_max", z_max, positive=True)
    with house_style():
        fig = Figure(figsize=(max(6.0, 3.6 * len(acts)), 3.4))
        for i, act in enumerate(acts, 1):
            _draw_activation(fig.add_subplot(1, len(acts), i), act, z_max, lang)
        fig.tight_layout()
    return fig


def _draw_activation(ax: Axes, act: Activation, z_max: float, lang: str) -> None:
    z = np.linspace(-z_max, z_max, 601)
    ax.plot(z, act(z), label=label("f", lang), linewidth=2)
    ax.plot(z, act.derivative(z), label=label("df", lang), linewidth=2, linestyle="--")
    ax.axhline(
        act.gamma,
        color=PALETTE[2],
        linewidth=1,
        linestyle=":",
        label=label("gamma", lang).format(gamma=_in_math(_plain_number(act.gamma, lang))),
    )
    ax.set_xlabel(label("z", lang))
    ax.set_title(label(act.name, lang))
    ax.legend(loc="upper left")


@_ticks_in_language
def bptt_term_norms(
    norms: Mapping[str, ArrayLike], words: Sequence[str], *, lang: str = "en"
) -> Figure:
    """Bar chart of the norms of the terms k = 1 … t of ∂E_t/∂θ, one group per word.

    The lecture's slide made visible: how much of the gradient of the error at word t
    comes from the use of the weights at each earlier word k. The scale is logarithmic;
    a term that is exactly zero has no bar and is marked "0".

    Parameters
    ----------
    norms : mapping of str to array_like, shape (t + 1,)
        Per parameter name (``"U"``, ``"W"``, ``"b"``), the norms of terms k = 0 … t, as
        :meth:`rnngrad.bptt.BPTTTerms.norms` returns them; k = 0 is not drawn.
    words : sequence of str
        At least t labels; ``words[k - 1]`` labels word k.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_language(lang)
    if not norms:
        raise ValueError("norms must name at least one parameter, got an empty mapping")
    arrays = {
        name: as_float_array(f"norms[{name!r}]", v, shape=("t + 1",)) for name, v in norms.items()
    }
    lengths = {a.shape[0] for a in arrays.values()}
    if len(lengths) != 1 or min(lengths) < 2:
        raise ValueError(f"norms must all have the same length t + 1 >= 2, got {sorted(lengths)}")
    t = lengths.pop() - 1
    if len(words) < t:
        raise ValueError(f"words must hold at least t = {t} labels, got {len(words)}")
    k = np.arange(1, t + 1)
    width = 0.8 / len(arrays)
    with house_style():
        fig = Figure(figsize=(7.0, 3.6))
        ax = fig.add_subplot()
        ax.set_yscale("log")
        positive = np.concatenate([a[1:][a[1:] > 0] for a in arrays.values()])
        floor = positive.min() / 3 if positive.size else 1e-3
        for i, (name, values) in enumerate(arrays.items()):
            offset = (i - (len(arrays) - 1) / 2) * width
            shown = values[1:]
            ax.bar(
                k + offset,
                np.where(shown > 0, shown, np.nan),
                width,
                label=rf"$\partial E_{{{t}}}/\partial {name}$",
                color=PALETTE[i],
            )
            for position in (k + offset)[shown == 0]:
                ax.text(position, floor, label("zero", lang), ha="center", va="bottom")
        ax.set_ylim(bottom=floor)
        ax.set_xticks(k, [str(w) for w in words[:t]], fontsize=8)
        ax.set_xlabel(label("word", lang))
        ax.set_ylabel(label("term norm", lang))
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper left")
        fig.tight_layout()
    return fig


@_ticks_in_language
def amplifying_widths(
    weights: ArrayLike, widths: Mapping[str, ArrayLike], *, lang: str = "en"
) -> Figure:
    """Width of the inputs for which :math:`|w f'| \\geq 1`, against :math:`|w|`, per activation.

    Parameters
    ----------
    weights : array_like, shape (m,)
        The values of :math:`|w|` on the horizontal axis.
    widths : mapping of str to array_like, shape (m,)
        Activation name → widths, as :func:`rnngrad.scalar.amplifying_width` returns them.
        The widest point of each curve is marked.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_language(lang)
    w = as_float_array("weights", weights, shape=("m",))
    curves = {
        name: as_float_array(f"widths[{name!r}]", v, shape=w.shape) for name, v in widths.items()
    }
    with house_style():
        fig = Figure(figsize=(6.0, 3.4))
        ax = fig.add_subplot()
        for i, (name, width) in enumerate(curves.items()):
            ax.plot(w, width, linewidth=2, color=PALETTE[i], label=label(name, lang))
            best = int(np.argmax(width))
            ax.plot(w[best], width[best], "o", color=PALETTE[i])
        ax.set_xlabel(label("|w|", lang))
        ax.set_ylabel(label("width", lang))
        ax.legend(loc="upper right")
        fig.tight_layout()
    return fig


@_ticks_in_language
def spectral_sweep(sweep: SpectralSweep, *, lang: str = "en") -> Figure:
    """‖∂s_T/∂s_{T−ℓ}‖ against the lag ℓ for each σ of a sweep, with its bound (γσ)^ℓ dashed.

    Parameters
    ----------
    sweep : SpectralSweep
        From :func:`rnngrad.jacobians.sweep_spectral_norm`.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_language(lang)
    if not isinstance(sweep, SpectralSweep):
        raise TypeError(f"sweep must be a SpectralSweep, got {type(sweep).__name__}")
    lags = np.arange(sweep.norms.shape[1])
    with house_style():
        fig = Figure(figsize=(6.0, 3.8))
        ax = fig.add_subplot()
        for i, (sigma, norms, bound) in enumerate(
            zip(sweep.scales, sweep.norms, sweep.bounds, strict=True)
        ):
            colour = PALETTE[i % len(PALETTE)]
            text = rf"$\sigma = {_in_math(format_number(sigma, lang, digits=1))}$"
            ax.semilogy(lags, norms, linewidth=2, color=colour, label=text)
            ax.semilogy(lags, bound, linewidth=1, linestyle="--", color=colour)
        lowest, highest = float(np.min(sweep.norms[:, -1])), float(np.max(sweep.norms))
        ax.set_ylim(lowest / 100, max(1e3, highest * 100))
        ax.set_xlabel(label("lag", lang))
        ax.set_ylabel(label("jacobian norm", lang))
        ax.set_title(label(sweep.activation, lang) + label("dashed bound", lang))
        ax.legend(loc="lower left", ncol=2)
        fig.tight_layout()
    return fig


@_ticks_in_language
def matrix_powers(
    normal: ArrayLike,
    non_normal: ArrayLike,
    *,
    sigma_max: float,
    rho: float,
    lang: str = "en",
) -> Figure:
    """‖Wᵏ‖ against k for a normal and a non-normal W with the same spectral radius ρ.

    Drawn with ρᵏ (where both end) and σ_maxᵏ of the non-normal matrix (the bound).

    Parameters
    ----------
    normal, non_normal : array_like, shape (K + 1,)
        ‖Wᵏ‖_2 for k = 0 … K.
    sigma_max : float
        σ_max of the non-normal matrix.
    rho : float
        The common spectral radius.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_language(lang)
    a = as_float_array("normal", normal, shape=("K + 1",))
    b = as_float_array("non_normal", non_normal, shape=a.shape)
    sigma_max = check_real("sigma_max", sigma_max, positive=True)
    rho = check_real("rho", rho, positive=True)
    k = np.arange(a.shape[0])
    with house_style():
        fig = Figure(figsize=(6.0, 3.6))
        ax = fig.add_subplot()
        ax.semilogy(k, a, linewidth=2, color=PALETTE[0], label=label("normal W", lang))
        ax.semilogy(k, b, linewidth=2, color=PALETTE[1], label=label("non-normal W", lang))
        ax.semilogy(k, rho**k, linestyle=":", color=PALETTE[2], label=r"$\rho(W)^k$")
        ax.semilogy(
            k, sigma_max**k, linestyle="--", color=PALETTE[1], label=r"$\sigma_{\max}(W)^k$"
        )
        ax.set_ylim(min(a.min(), b.min()) / 3, b.max() * 10)
        ax.set_xlabel("$k$")
        ax.set_ylabel(r"$\|W^k\|_2$")
        ax.legend(loc="upper right")
        fig.tight_layout()
    return fig


@_ticks_in_language
def jacobian_heatmaps(
    tables: Sequence[ArrayLike], scales: Sequence[float], *, lang: str = "en"
) -> Figure:
    """log₁₀ ‖∂s_t/∂s_k‖ over (k, t), one panel per table, on one colour scale.

    Parameters
    ----------
    tables : sequence of array_like, shape (T + 1, T + 1)
        From :func:`rnngrad.jacobians.jacobian_norm_table` (NaN above the diagonal).
    scales : sequence of float
        σ_max(W) of each table, for the panel titles.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_language(lang)
    if len(tables) == 0 or len(tables) != len(scales):
        raise ValueError(
            f"tables and scales must be non-empty and of equal length, got {len(tables)} "
            f"and {len(scales)}"
        )
    logs = [np.log10(_norm_table(f"tables[{i}]", t)) for i, t in enumerate(tables)]
    limit = max(float(np.nanmax(np.abs(x))) for x in logs)
    with house_style(), mpl.rc_context({"axes.grid": False}):
        fig = Figure(figsize=(3.4 * len(logs) + 1.0, 3.4))
        axes = fig.subplots(1, len(logs), squeeze=False)[0]
        for ax, values, sigma in zip(axes, logs, scales, strict=True):
            image = ax.imshow(
                values, origin="lower", cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="equal"
            )
            number = format_number(check_real("scales", sigma), lang, digits=1)
            ax.set_title(rf"$\sigma = {_in_math(number)}$")
            ax.set_xlabel("$k$")
            ax.set_ylabel("$t$")
        fig.colorbar(image, ax=list(axes), label=label("log norm", lang))
    return fig


@_ticks_in_language
def cliff(biases: ArrayLike, finals: Mapping[float, ArrayLike], *, lang: str = "en") -> Figure:
    """x_T against b for the one-unit network, one curve per self-weight w.

    Parameters
    ----------
    biases : array_like, shape (m,)
        The values of b.
    finals : mapping of float to array_like, shape (m,)
        w → x_T(b), e.g. from :func:`rnngrad.scalar.unit_states`.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_language(lang)
    b = as_float_array("biases", biases, shape=("m",))
    with house_style():
        fig = Figure(figsize=(6.0, 3.6))
        ax = fig.add_subplot()
        for i, (w, values) in enumerate(finals.items()):
            x = as_float_array(f"finals[{w!r}]", values, shape=b.shape)
            text = f"$w = {format_number(check_real('w', w), lang, digits=0)}$"
            ax.plot(b, x, linewidth=2, color=PALETTE[i % len(PALETTE)], label=text)
        ax.set_xlabel("$b$")
        ax.set_ylabel("$x_T$")
        ax.legend(loc="upper left")
        fig.tight_layout()
    return fig


@_ticks_in_language
def clipping_descent(plain: Descent, clipped: Descent, *, lang: str = "en") -> Figure:
    """Loss against iteration for gradient descent without and with norm clipping.

    Parameters
    ----------
    plain, clipped : Descent
        From :func:`rnngrad.scalar.descend_bias`.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_language(lang)
    with house_style():
        fig = Figure(figsize=(6.0, 3.4))
        ax = fig.add_subplot()
        for i, (key, run) in enumerate((("no clipping", plain), ("clipping", clipped))):
            if not isinstance(run, Descent):
                raise TypeError(f"{key} must be a Descent, got {type(run).__name__}")
            steps = np.arange(run.losses.shape[0])
            ax.semilogy(steps, run.losses, linewidth=2, color=PALETTE[i], label=label(key, lang))
        ax.set_xlabel(label("iteration", lang))
        ax.set_ylabel(label("loss", lang))
        ax.legend(loc="upper right")
        fig.tight_layout()
    return fig


def _norm_table(name: str, table: ArrayLike) -> NDArray[np.float64]:
    """A (T + 1) × (T + 1) table of norms: NaN above the diagonal, positive elsewhere."""
    arr = np.asarray(table, dtype=np.float64)
    check_shape(name, arr, ("T + 1", "T + 1"))
    check_shape(name, arr, (arr.shape[0], arr.shape[0]))
    lower = arr[np.tril_indices(arr.shape[0])]
    if not np.all(np.isfinite(lower) & (lower > 0)):
        raise ValueError(f"{name} must hold finite norms > 0 on and below the diagonal")
    return arr


@_ticks_in_language
def norms_by_lag(
    curves: Mapping[str, ArrayLike],
    *,
    dashed: Collection[str] = (),
    lang: str = "en",
) -> Figure:
    """Norms of Jacobian products against the lag, one line per network, on a log scale.

    The figure that sets the gated networks beside the simple one: for instance
    ‖∂s_t/∂s_{t−ℓ}‖_2 of a tanh RNN, ‖∂h_t/∂h_{t−ℓ}‖_2 of an LSTM and of a GRU (as
    :meth:`~rnngrad.lstm.LSTM.jacobian_norms_by_lag` and
    :meth:`~rnngrad.layer.RecurrentLayer.jacobian_norms_by_lag` return them), and the LSTM's
    carousel ‖Π diag(f_j)‖_2, all for ℓ = 0 … t.

    Parameters
    ----------
    curves : mapping of str to array_like, shape (t + 1,)
        Label key → norms for the lags 0 … t, all of the same length t + 1 ≥ 2 and > 0.
        The keys name labels of ``rnngrad.i18n.LABELS`` (e.g. ``"rnn tanh"``,
        ``"lstm"``, ``"lstm 1997"``, ``"gru"``, ``"carousel"``), which become the legend;
        the lines are drawn in this order, in the colours of :data:`PALETTE`.
    dashed : collection of str
        Keys of ``curves`` drawn dashed, e.g. a quantity of another kind than the rest.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``curves`` is empty or has more entries than :data:`PALETTE` has colours, a key
        is not a label, a curve is not finite and > 0, the lengths differ or are < 2, or
        ``dashed`` names a key that is not in ``curves``.
    """
    check_language(lang)
    _label_keys("curves", list(curves), lang)
    extra = sorted(set(dashed) - set(curves))
    if extra:
        raise ValueError(f"dashed must name keys of curves, got {extra}")
    arrays = _positive_curves("curves", curves)
    lags = np.arange(_common_length("curves", arrays.values(), "t + 1"))
    with house_style():
        fig = Figure(figsize=(6.4, 4.0))
        ax = fig.add_subplot()
        for i, (key, values) in enumerate(arrays.items()):
            ax.semilogy(
                lags,
                values,
                linewidth=1.5 if key in dashed else 2,
                linestyle="--" if key in dashed else "-",
                color=PALETTE[i],
                label=label(key, lang),
            )
        ax.set_xlabel(label("lag", lang))
        ax.set_ylabel(label("h jacobian norm", lang))
        ax.legend(loc="lower left", fontsize=9)
        fig.tight_layout()
    return fig


@_ticks_in_language
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
    check_language(lang)
    if not results or not all(isinstance(r, ExperimentResult) for r in results):
        raise TypeError("results must be a non-empty sequence of ExperimentResult")
    tasks = {r.config.task for r in results}
    if len(tasks) != 1:
        raise ValueError(f"results must all be of one task, got {sorted(tasks)}")
    task = results[0].config.make_task()
    models = list(dict.fromkeys(r.config.model for r in results))
    lags = sorted({r.config.lag for r in results})
    with house_style():
        fig = Figure(figsize=(6.0, 3.6))
        ax = fig.add_subplot()
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
        fig.tight_layout()
    return fig


@_ticks_in_language
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
    check_language(lang)
    if not results or not all(isinstance(r, ExperimentResult) for r in results.values()):
        raise TypeError("results must be a non-empty mapping of titles to ExperimentResult")
    with house_style():
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
        fig.tight_layout()
    return fig


# ------------------------------------------------- other activations, other initialisations
#: Markers of :func:`init_spectra`, one per matrix, so that coinciding points stay visible.
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_LINESTYLES = ("-", "--", "-.", ":")


def _label_keys(name: str, keys: Collection[str], lang: str) -> None:
    """Raise unless ``keys`` are between 1 and len(PALETTE) label keys of ``lang``."""
    if not keys:
        raise ValueError(f"{name} must hold at least one entry, got an empty mapping")
    if len(keys) > len(PALETTE):
        raise ValueError(
            f"{name} must hold at most {len(PALETTE)} entries (one colour each), got {len(keys)}"
        )
    unknown = [key for key in keys if key not in LABELS[lang]]
    if unknown:
        raise ValueError(f"{name} keys must be label keys of rnngrad.i18n.LABELS, got {unknown}")


def _curve_panels(
    name: str, panels: Mapping[float, Mapping[str, ArrayLike]], lang: str
) -> list[tuple[float, dict[str, NDArray[np.floating[Any]]]]]:
    """Check panel value → (label key → positive curve), all curves of one length >= 2."""
    if not panels:
        raise ValueError(f"{name} must hold at least one panel, got an empty mapping")
    checked = []
    for value, curves in panels.items():
        where = f"{name}[{value!r}]"
        number = check_real(f"{name} keys", value, positive=True)
        _label_keys(where, list(curves), lang)
        checked.append((number, _positive_curves(where, curves)))
    _common_length(name, [a for _, arrays in checked for a in arrays.values()])
    return checked


def _positive_curves(
    where: str, curves: Mapping[str, ArrayLike]
) -> dict[str, NDArray[np.floating[Any]]]:
    """The curves as finite 1-d arrays, each > 0 everywhere (they go on a log scale)."""
    arrays = {
        key: as_float_array(f"{where}[{key!r}]", v, shape=("m",)) for key, v in curves.items()
    }
    for key, values in arrays.items():
        if np.any(values <= 0):
            raise ValueError(f"{where}[{key!r}] must be > 0 (a logarithmic scale)")
    return arrays


def _common_length(name: str, arrays: Iterable[NDArray[Any]], what: str = "") -> int:
    """The one length all ``arrays`` share, which must be >= 2."""
    lengths = sorted({a.shape[0] for a in arrays})
    if len(lengths) != 1 or lengths[0] < 2:
        length = f"length {what} >= 2" if what else "length >= 2"
        raise ValueError(f"{name}: the curves must all have the same {length}, got {lengths}")
    return int(lengths[0])


def _in_math(number: str) -> str:
    """A number for TeX math: {,} keeps a decimal comma from being spaced as a list comma."""
    return number.replace(",", "{,}")


def _plain_number(value: float, lang: str) -> str:
    """``value`` with as few decimals as it needs (1, 0.1, 0.25), in the language's style."""
    digits = next((d for d in range(7) if round(value, d) == value), 6)
    return format_number(value, lang, digits=digits)


def _draw_curve_panels(
    panels: list[tuple[float, dict[str, NDArray[np.floating[Any]]]]],
    titles: Sequence[str],
    *,
    first_x: int,
    xlabel: str,
    ylabel: str,
    lang: str,
) -> Figure:
    """One log-scale panel per entry, sharing the y axis; a key keeps its colour throughout."""
    keys = list(dict.fromkeys(key for _, curves in panels for key in curves))
    if len(keys) > len(PALETTE):
        raise ValueError(f"at most {len(PALETTE)} different curves can be told apart, got {keys}")
    colours = {key: PALETTE[i] for i, key in enumerate(keys)}
    with house_style():
        fig = Figure(figsize=(3.3 * len(panels) + 0.6, 3.8))
        axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
        for ax, (_, curves), title in zip(axes, panels, titles, strict=True):
            for key, values in curves.items():
                steps = np.arange(first_x, first_x + values.shape[0])
                ax.semilogy(steps, values, linewidth=2, color=colours[key], label=label(key, lang))
            ax.set_title(title)
            ax.set_xlabel(label(xlabel, lang))
        axes[0].set_ylabel(label(ylabel, lang))
        axes[0].legend(loc="best", fontsize=8)
        fig.tight_layout()
    return fig


@_ticks_in_language
def state_norms(norms: Mapping[float, Mapping[str, ArrayLike]], *, lang: str = "en") -> Figure:
    """‖s_t‖_2 against the step t, one panel per σ_max(W) = σ, one line per activation.

    The forward pass of networks that differ only in f: a bounded f (tanh) keeps every
    state inside the cube (−1, 1)ⁿ whatever W is; ReLU and the identity do not, and with
    σ > 1 their states can grow geometrically.

    Parameters
    ----------
    norms : mapping of float to mapping of str to array_like, shape (T,)
        σ → (label key → ‖s_t‖_2 for t = 1 … T).  The keys name labels of
        ``rnngrad.i18n.LABELS`` (e.g. ``"tanh"``, ``"relu"``, ``"identity"``), which become
        the legend; a key has the same colour in every panel.  All curves have the same
        length T >= 2 and are > 0.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``norms`` or a panel is empty, a σ is not > 0, a key is not a label, a curve is
        not finite and > 0, or the lengths differ or are < 2.
    """
    check_language(lang)
    panels = _curve_panels("norms", norms, lang)
    titles = [rf"$\sigma = {_in_math(_plain_number(sigma, lang))}$" for sigma, _ in panels]
    return _draw_curve_panels(
        panels, titles, first_x=1, xlabel="step t", ylabel="state norm", lang=lang
    )


@_ticks_in_language
def norms_by_init(norms: Mapping[float, Mapping[str, ArrayLike]], *, lang: str = "en") -> Figure:
    """‖∂s_t/∂s_{t−ℓ}‖_2 against the lag ℓ, one panel per input-weight scale, one line per init.

    The start of training: how the initialisation of W, and how large the input weights
    are (which decides how saturated the units are), set the norms before any step of
    gradient descent.

    Parameters
    ----------
    norms : mapping of float to mapping of str to array_like, shape (t + 1,)
        Input-weight scale c (U multiplied by c) → (label key → norms for the lags
        0 … t, e.g. from :func:`rnngrad.jacobians.product_norms_by_lag`).  The keys name
        labels of ``rnngrad.i18n.LABELS`` (e.g. ``"init orthogonal"``, ``"init gaussian"``,
        ``"init scaled"``, ``"init identity"``, ``"irnn relu"``); a key has the same colour
        in every panel.  All curves have the same length t + 1 >= 2 and are > 0.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``norms`` or a panel is empty, a scale is not > 0, a key is not a label, a
        curve is not finite and > 0, or the lengths differ or are < 2.
    """
    check_language(lang)
    panels = _curve_panels("norms", norms, lang)
    titles = [label("input scale", lang).format(scale=_plain_number(c, lang)) for c, _ in panels]
    return _draw_curve_panels(
        panels, titles, first_x=0, xlabel="lag", ylabel="jacobian norm", lang=lang
    )


@_ticks_in_language
def init_spectra(matrices: Mapping[str, ArrayLike], *, lang: str = "en") -> Figure:
    """Singular values and eigenvalues of recurrent matrices, one colour per initialisation.

    Left, the singular values σ_1 ≥ … ≥ σ_n of each W against their index: σ_1 = σ_max(W)
    bounds every step back (Pascanu et al. 2013).  Right, the eigenvalues in the complex
    plane with the unit circle (dotted): ρ(W) = max :math:`|\\lambda_i|` decides where long products
    of W end.

    Parameters
    ----------
    matrices : mapping of str to array_like, shape (n, n)
        Label key → W.  The keys name labels of ``rnngrad.i18n.LABELS`` (e.g.
        ``"init orthogonal"``, ``"init gaussian"``, ``"init scaled"``, ``"init identity"``),
        which become the legend; the matrices may differ in size.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``matrices`` is empty or has more entries than :data:`PALETTE` has colours, a key
        is not a label, or a matrix is not square, finite and real.
    """
    check_language(lang)
    _label_keys("matrices", list(matrices), lang)
    spectra = {}
    for key, W in matrices.items():
        arr = as_float_array(f"matrices[{key!r}]", W, shape=("n", "n"))
        if arr.shape[0] != arr.shape[1]:
            raise ValueError(f"matrices[{key!r}] must be square, got shape {arr.shape}")
        spectra[key] = (singular_values(arr), eigenvalues(arr))
    circle = np.exp(1j * np.linspace(0.0, 2.0 * np.pi, 361))
    with house_style():
        fig = Figure(figsize=(8.0, 3.8))
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1.0]})
        right.plot(
            circle.real,
            circle.imag,
            color="0.4",
            linewidth=1,
            linestyle=":",
        )
        for i, (key, (sv, lam)) in enumerate(spectra.items()):
            style = {
                "color": PALETTE[i],
                "marker": _MARKERS[i],
                "markersize": 4,
                "fillstyle": "none",
            }
            # A marker on every eighth value only: one per value made the SVG too heavy.
            left.plot(
                np.arange(1, sv.shape[0] + 1),
                sv,
                linestyle=_LINESTYLES[i % len(_LINESTYLES)],
                linewidth=1.5,
                label=label(key, lang),
                markevery=8,
                **style,
            )
            # Hundreds of markers as vector paths weigh over 100 KB in SVG: drawn as an image.
            right.plot(lam.real, lam.imag, linestyle="none", rasterized=True, **style)
        left.set_xlabel(label("singular index", lang))
        left.set_ylabel(label("singular values", lang))
        left.set_ylim(bottom=0)
        left.legend(loc="upper right", fontsize=8)
        right.set_aspect("equal")
        right.set_xlabel(r"$\mathrm{Re}\,\lambda$")
        right.set_ylabel(r"$\mathrm{Im}\,\lambda$")
        right.set_title(label("eigenvalues", lang))
        fig.tight_layout()
    return fig
