"""Truncation: what truncated and randomised-truncation gradients miss of the full one."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .._validate import check_instance, check_int
from ..i18n import label
from ..truncation import TruncationBias
from .style import PALETTE, figure_function


@figure_function()
def truncation_tradeoff(
    trained: Sequence[TruncationBias],
    initial: Sequence[TruncationBias],
    *,
    far_from: int | None = None,
    lang: str = "en",
) -> Figure:
    """The angle between truncated and full gradient against τ, and the error against cost.

    Left: ∠(∇_τE, ∇E) in degrees against τ, each network after training (solid) and at its
    initialisation (dashed, same colour), with the lags from ``far_from`` on shaded.
    Right, for the trained networks: the error ‖∇_τE − ∇E‖/‖∇E‖ of truncation at τ (a line:
    all bias) and the root-mean-square error of randomised truncation (circles: all
    variance) against the Jacobians a loss crosses, τ or its expectation; log scale.

    Parameters
    ----------
    trained, initial : sequence of TruncationBias
        From :func:`rnngrad.truncation.truncation_bias`, one per network, in the same order,
        all of one length T; at most as many as :data:`PALETTE` has colours.
    far_from : int, optional
        The first lag to shade (e.g. the nearest the first marked number of the adding
        problem can be, T/2 for Le et al.'s variant).
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError, TypeError
        If the sequences are empty, of different lengths, longer than the palette, hold
        something else than TruncationBias, or their curves differ in length.
    """
    _check_pairs(trained, initial)
    lags = np.arange(trained[0].cosine.shape[0])
    fig = Figure(figsize=(9.0, 3.6))
    angle_ax, error_ax = fig.subplots(1, 2)
    for colour, after, before in zip(PALETTE, trained, initial, strict=False):
        angle_ax.plot(lags, _degrees(after.cosine), color=colour, linewidth=2)
        angle_ax.plot(lags, _degrees(before.cosine), color=colour, linestyle="--")
        # τ = T − 1 keeps every term: its error is zero, off a log scale.
        error_ax.semilogy(lags[:-1], after.relative_error[:-1], color=colour, linewidth=2)
        error_ax.semilogy(after.mean_length, after.rms_error, "o:", color=colour)
    if far_from is not None:
        far_from = check_int("far_from", far_from, minimum=0)
        angle_ax.axvspan(far_from, lags[-1], color="0.9", zorder=0, label=label("far lags", lang))
    angle_ax.set_ylabel(label("angle to full", lang))
    angle_ax.legend(
        handles=[
            Line2D([], [], color="black", linewidth=2, label=label("truncation trained", lang)),
            Line2D([], [], color="black", linestyle="--", label=label("truncation initial", lang)),
            *angle_ax.get_legend_handles_labels()[0],
        ],
        fontsize=8,
    )
    error_ax.set_ylabel(label("error to full", lang))
    error_ax.legend(
        handles=[
            Line2D([], [], color="black", linewidth=2, label=label("regular truncation", lang)),
            Line2D([], [], color="black", marker="o", linestyle=":",
                   label=label("randomised truncation", lang)),
        ],
        fontsize=8,
    )  # fmt: skip
    for ax in (angle_ax, error_ax):
        ax.set_xlabel(label("jacobians crossed", lang))
        ax.set_xlim(0, lags[-1])
        ax.grid(True, alpha=0.3)
    return fig


def _degrees(cosine: np.ndarray) -> np.ndarray:
    result: np.ndarray = np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))
    return result


def _check_pairs(trained: Sequence[TruncationBias], initial: Sequence[TruncationBias]) -> None:
    for name, curves in (("trained", trained), ("initial", initial)):
        if not curves:
            raise ValueError(f"{name} must hold at least one TruncationBias, got none")
        for curve in curves:
            check_instance(name, curve, TruncationBias, "a sequence of TruncationBias")
    if len(trained) != len(initial) or len(trained) > len(PALETTE):
        raise ValueError(
            f"trained and initial must be of one length, at most {len(PALETTE)}, "
            f"got {len(trained)} and {len(initial)}"
        )
    lengths = {curve.cosine.shape[0] for curve in (*trained, *initial)}
    if len(lengths) != 1:
        raise ValueError(f"every TruncationBias must be of one length T, got {sorted(lengths)}")
