"""Norms of Jacobian products by lag, of states by step, and over (k, t) as heat maps."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike, NDArray

from .._validate import check_real, check_shape
from ..i18n import format_number, label
from .checks import check_label_keys, common_length, positive_curves
from .style import PALETTE, figure_function, in_math, plain_number, single_axes


@figure_function(layout=False, style={"axes.grid": False})
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
    if len(tables) == 0 or len(tables) != len(scales):
        raise ValueError(
            f"tables and scales must be non-empty and of equal length, got {len(tables)} "
            f"and {len(scales)}"
        )
    logs = [np.log10(_norm_table(f"tables[{i}]", t)) for i, t in enumerate(tables)]
    limit = max(float(np.nanmax(np.abs(x))) for x in logs)
    fig = Figure(figsize=(3.4 * len(logs) + 1.0, 3.4))
    axes = fig.subplots(1, len(logs), squeeze=False)[0]
    for ax, values, sigma in zip(axes, logs, scales, strict=True):
        image = ax.imshow(
            values, origin="lower", cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="equal"
        )
        number = format_number(check_real("scales", sigma), lang, digits=1)
        ax.set_title(rf"$\sigma = {in_math(number)}$")
        ax.set_xlabel("$k$")
        ax.set_ylabel("$t$")
    fig.colorbar(image, ax=list(axes), label=label("log norm", lang))
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


@figure_function()
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
    check_label_keys("curves", list(curves))
    extra = sorted(set(dashed) - set(curves))
    if extra:
        raise ValueError(f"dashed must name keys of curves, got {extra}")
    arrays = positive_curves("curves", curves)
    lags = np.arange(common_length("curves", arrays.values(), "t + 1"))
    fig, ax = single_axes(6.4, 4.0)
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
    return fig


@figure_function()
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
    panels = _curve_panels("norms", norms)
    titles = [rf"$\sigma = {in_math(plain_number(sigma, lang))}$" for sigma, _ in panels]
    return _draw_curve_panels(
        panels, titles, first_x=1, xlabel="step t", ylabel="state norm", lang=lang
    )


@figure_function()
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
    panels = _curve_panels("norms", norms)
    titles = [label("input scale", lang).format(scale=plain_number(c, lang)) for c, _ in panels]
    return _draw_curve_panels(
        panels, titles, first_x=0, xlabel="lag", ylabel="jacobian norm", lang=lang
    )


def _curve_panels(
    name: str, panels: Mapping[float, Mapping[str, ArrayLike]]
) -> list[tuple[float, dict[str, NDArray[np.floating[Any]]]]]:
    """Check panel value → (label key → positive curve), all curves of one length >= 2."""
    if not panels:
        raise ValueError(f"{name} must hold at least one panel, got an empty mapping")
    checked = []
    for value, curves in panels.items():
        where = f"{name}[{value!r}]"
        number = check_real(f"{name} keys", value, positive=True)
        check_label_keys(where, list(curves))
        checked.append((number, positive_curves(where, curves)))
    common_length(name, [a for _, arrays in checked for a in arrays.values()])
    return checked


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
    return fig
