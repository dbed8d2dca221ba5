"""The truncation figure: what it draws, in both languages, and what it refuses."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from matplotlib.figure import Figure
from plot_helpers import legend_texts

from rnngrad import TruncationBias, plots
from rnngrad.i18n import LANGUAGES, label

T = 6


def bias(scale: float) -> TruncationBias:
    """Curves of the right shapes whose values the test can find in the figure."""
    cosine = np.linspace(0.5, 1.0, T)
    return TruncationBias(
        cosine=cosine,
        relative_error=scale * np.linspace(1.0, 1e-3, T),
        norm_ratio=np.linspace(0.5, 1.0, T),
        continue_probabilities=np.array([0.5, 0.9]),
        mean_length=np.array([1.0, 4.0]),
        rms_error=scale * np.array([10.0, 2.0]),
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_figure_draws_both_panels_in_the_language(lang: str) -> None:
    trained, initial = [bias(1.0), bias(2.0)], [bias(0.5), bias(0.25)]
    fig = plots.truncation_tradeoff(trained, initial, far_from=3, lang=lang)
    assert isinstance(fig, Figure)
    angle_ax, error_ax = fig.axes
    assert angle_ax.get_xlabel() == label("jacobians crossed", lang)
    assert angle_ax.get_ylabel() == label("angle to full", lang)
    assert error_ax.get_yscale() == "log"
    keys = ("truncation trained", "truncation initial", "far lags")
    assert legend_texts(angle_ax) == [label(k, lang) for k in keys]
    assert legend_texts(error_ax) == [
        label(k, lang) for k in ("regular truncation", "randomised truncation")
    ]
    # Angle: arccos of the cosine, in degrees (60° where the cosine is 1/2).
    first = angle_ax.get_lines()[0].get_ydata()
    np.testing.assert_allclose(np.asarray(first)[[0, -1]], [60.0, 0.0], atol=1e-12)
    # One solid line and one dotted series of circles per trained network.
    rms = [line for line in error_ax.get_lines() if line.get_marker() == "o"]
    assert len(rms) == 2
    np.testing.assert_array_equal(rms[1].get_xdata(), [1.0, 4.0])
    np.testing.assert_array_equal(rms[1].get_ydata(), [20.0, 4.0])


def test_without_far_lags_there_is_no_shading() -> None:
    fig = plots.truncation_tradeoff([bias(1.0)], [bias(1.0)], lang="en")
    assert legend_texts(fig.axes[0]) == ["trained", "at initialisation"]


@pytest.mark.parametrize(
    ("trained", "initial", "message"),
    [
        ([], [bias(1.0)], r"trained must hold at least one TruncationBias"),
        ([bias(1.0)], [bias(1.0), bias(1.0)], r"must be of one length, at most 8"),
        (
            [bias(1.0)],
            [dataclasses.replace(bias(1.0), cosine=np.ones(T + 1))],
            r"every TruncationBias must be of one length T, got \[6, 7\]",
        ),
    ],
)
def test_bad_curves_are_refused(trained, initial, message) -> None:
    with pytest.raises(ValueError, match=message):
        plots.truncation_tradeoff(trained, initial, lang="en")


def test_a_wrong_type_is_named() -> None:
    with pytest.raises(TypeError, match=r"initial must be a sequence of TruncationBias, got dict"):
        plots.truncation_tradeoff([bias(1.0)], [{}], lang="en")  # type: ignore[list-item]
    with pytest.raises(ValueError, match=r"far_from must be >= 0"):
        plots.truncation_tradeoff([bias(1.0)], [bias(1.0)], far_from=-1, lang="en")
