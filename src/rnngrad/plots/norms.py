"""Norms of Jacobian products by lag, of states by step, and over (k, t) as heat maps; the
LSTM's gradient by path."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike, NDArray

from .._validate import check_instance, check_real, check_shape
from ..i18n import format_number, label
from ..lstm import CellGradientPaths
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
        The gain g of each W = g Q (its σ_max), for the panel titles.
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
        ax.set_title(rf"$g = {in_math(number)}$")
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
    parts: Mapping[str, str] | None = None,
    lang: str = "en",
) -> Figure:
    """Norms of Jacobian products against the lag, one line per network, on a log scale.

    The figure that sets the gated networks beside the simple one, each with its full
    state: ‖∂s_t/∂s_{t−ℓ}‖_2 of a tanh RNN and of a GRU (state h), and of an LSTM, whose
    state is the pair (h, c) (``block="state"`` of
    :meth:`~rnngrad.lstm.LSTM.jacobian_norms_by_lag`), for ℓ = 0 … t.  A curve may be the
    norm of a part of another curve's matrix -- the LSTM's carousel Π diag(f_j), the one
    path that stays in the cell, is a part of its state Jacobian -- and is then drawn
    dashed in that curve's colour.

    Parameters
    ----------
    curves : mapping of str to array_like, shape (t + 1,)
        Label key → norms for the lags 0 … t, all of the same length t + 1 ≥ 2 and > 0.
        The keys name labels of ``rnngrad.i18n.LABELS`` (e.g. ``"rnn tanh"``,
        ``"lstm"``, ``"lstm 1997"``, ``"gru"``, ``"carousel"``), which become the legend;
        the lines are drawn in this order, each whole in the next colour of
        :data:`PALETTE`.
    parts : mapping of str to str, optional
        Key of a part → key of the curve it is a part of, both in ``curves``, e.g.
        ``{"carousel": "lstm"}``.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``curves`` is empty or has more wholes than :data:`PALETTE` has colours, a key
        is not a label, a curve is not finite and > 0, the lengths differ or are < 2, or
        ``parts`` names a key that is not in ``curves`` or a part of a part.
    """
    check_label_keys("curves", list(curves))
    wholes = _wholes("parts", parts or {}, curves)
    arrays = positive_curves("curves", curves)
    lags = np.arange(common_length("curves", arrays.values(), "t + 1"))
    colours = dict(zip([key for key in curves if key not in wholes], PALETTE, strict=False))
    fig, ax = single_axes(6.4, 4.0)
    for key, values in arrays.items():
        part = key in wholes
        ax.semilogy(
            lags,
            values,
            linewidth=1.5 if part else 2,
            linestyle="--" if part else "-",
            color=colours[wholes.get(key, key)],
            label=label(key, lang),
        )
    ax.set_xlabel(label("lag", lang))
    ax.set_ylabel(label("state jacobian norm", lang))
    ax.legend(loc="lower left", fontsize=9)
    return fig


def _wholes(name: str, parts: Mapping[str, str], curves: Collection[str]) -> dict[str, str]:
    """Check part → whole: both keys of ``curves``, and no whole is itself a part."""
    unknown = sorted({key for pair in parts.items() for key in pair} - set(curves))
    if unknown:
        raise ValueError(f"{name} must name keys of curves, got {unknown}")
    nested = sorted(set(parts.values()) & set(parts))
    if nested:
        raise ValueError(f"{name}: a whole cannot be a part of another curve, got {nested}")
    return dict(parts)


@figure_function()
def gradient_paths(paths: Mapping[str, CellGradientPaths], *, lang: str = "en") -> Figure:
    """‖∂E_T/∂c_k‖ of an LSTM against the step k, split by path, one panel per network.

    The three norms of :meth:`~rnngrad.lstm.CellGradientPaths.norms` on a log scale: the
    full gradient with respect to the cells (solid), the part that stays on the carousel
    from c_k to c_T (dashed) and the part on every path that leaves the cell (dotted), for
    k = 0 … T.  A part that is exactly 0 -- the rest at k = T -- is left out.  The norms of
    the two parts can both exceed the full one where they cancel; the text should quote
    :meth:`~rnngrad.lstm.CellGradientPaths.carousel_share` beside them.

    Parameters
    ----------
    paths : mapping of str to CellGradientPaths
        Label key (the panel's title, e.g. ``"before training"``, ``"after training"``) →
        the split for one network, from :meth:`~rnngrad.lstm.LSTM.cell_gradient_paths`;
        all of the same T.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError
        If a value of ``paths`` is not a CellGradientPaths.
    ValueError
        If ``paths`` is empty, a key is not a label, or the lengths differ.
    """
    check_label_keys("paths", list(paths))
    for key, value in paths.items():
        check_instance(f"paths[{key!r}]", value, CellGradientPaths)
    norms = {key: value.norms() for key, value in paths.items()}
    steps = np.arange(common_length("paths", [n["full"] for n in norms.values()], "T + 1"))
    fig = Figure(figsize=(3.6 * len(norms) + 0.6, 3.8))
    axes = fig.subplots(1, len(norms), sharey=True, squeeze=False)[0]
    for ax, (key, curves) in zip(axes, norms.items(), strict=True):
        for i, (part, values) in enumerate(curves.items()):
            ax.semilogy(
                steps,
                np.where(values > 0, values, np.nan),
                linewidth=2 if part == "full" else 1.5,
                linestyle=_PATH_STYLES[part],
                color=PALETTE[i],
                label=label(f"path {part}", lang),
            )
        ax.set_title(label(key, lang))
        ax.set_xlabel(label("position k", lang))
    axes[0].set_ylabel(label("cell gradient norm", lang))
    axes[0].legend(loc="best", fontsize=8)
    return fig


#: How :func:`gradient_paths` draws each part of the gradient.
_PATH_STYLES = {"full": "-", "carousel": "--", "rest": ":"}


@figure_function()
def state_norms(norms: Mapping[float, Mapping[str, ArrayLike]], *, lang: str = "en") -> Figure:
    """‖s_t‖_2 against the step t, one panel per gain g = σ_max(W), one line per activation.

    The forward pass of networks that differ only in f: a bounded f (tanh) keeps every
    state inside the cube (−1, 1)ⁿ whatever W is; ReLU and the identity do not, and with
    g > 1 their states can grow geometrically.

    Parameters
    ----------
    norms : mapping of float to mapping of str to array_like, shape (T,)
        g → (label key → ‖s_t‖_2 for t = 1 … T).  The keys name labels of
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
        If ``norms`` or a panel is empty, a g is not > 0, a key is not a label, a curve is
        not finite and > 0, or the lengths differ or are < 2.
    """
    panels = _curve_panels("norms", norms)
    titles = [rf"$g = {in_math(plain_number(sigma, lang))}$" for sigma, _ in panels]
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
