"""Words and numbers in both languages, and the figures that carry them."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from rnngrad import plots
from rnngrad.i18n import (
    LABELS,
    LANGUAGES,
    SEED_GLOSS,
    SEED_SENTENCE,
    format_number,
    format_power,
    label,
    sentence_labels,
)


def test_both_languages_have_the_same_labels() -> None:
    assert set(LABELS) == set(LANGUAGES)
    assert set(LABELS["en"]) == set(LABELS["ru"])


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [(0.25, "en", "0.25"), (0.25, "ru", "0,25"), (-3.14159, "ru", "-3,14")],
)
def test_format_number(value: float, lang: str, text: str) -> None:
    assert format_number(value, lang) == text


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [
        (2.34e-16, "en", "2.3·10⁻¹⁶"),
        (2.34e-16, "ru", "2,3·10⁻¹⁶"),
        (-1.5e5, "en", "-1.5·10⁵"),
        (0.0, "ru", "0"),
        (9.99e-3, "en", "1.0·10⁻²"),  # rounding carries into the exponent
    ],
)
def test_format_power(value: float, lang: str, text: str) -> None:
    assert format_power(value, lang) == text


def test_unknown_language_is_named() -> None:
    with pytest.raises(ValueError, match=r"lang must be one of 'en', 'ru', got 'de'"):
        label("z", "de")
    with pytest.raises(ValueError, match=r"lang must be one of"):
        format_power(1.0, "fr")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_activation_figure_speaks_the_language(lang: str) -> None:
    fig = plots.activation_and_derivative("sigmoid", lang=lang)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert ax.get_xlabel() == label("z", lang)
    assert ax.get_title() == label("sigmoid", lang)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("0.25" in text for text in legend)


def test_activation_figure_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="activation must be one of"):
        plots.activation_and_derivative("softsign")
    with pytest.raises(ValueError, match="z_max must be > 0"):
        plots.activation_and_derivative("tanh", z_max=-1.0)


def test_seed_sentence_indices_match_the_lecture() -> None:
    """«зашел» is word 10 and «Человек» word 1 (the slide's E_10); glosses pair up."""
    assert SEED_SENTENCE.index("зашел") + 1 == 10
    assert SEED_SENTENCE.index("Человек") + 1 == 1
    assert len(SEED_GLOSS) == len(SEED_SENTENCE)
    assert sentence_labels("ru") == list(SEED_SENTENCE)
    assert sentence_labels("en")[0] == "Человек\n(man)"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_bptt_term_norms_draws_one_bar_per_word_and_marks_zeros(lang: str) -> None:
    norms = {"U": np.array([0.0, 1e-3, 1e-2, 1e-1]), "W": np.array([0.0, 0.0, 2e-2, 2e-1])}
    fig = plots.bptt_term_norms(norms, sentence_labels(lang), lang=lang)
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == sentence_labels(lang)[:3]
    heights = [p.get_height() for p in ax.patches]
    assert sorted(h for h in heights if np.isfinite(h)) == [1e-3, 1e-2, 2e-2, 1e-1, 2e-1]
    assert [t.get_text() for t in ax.texts] == ["0"]  # W's zero term at k = 1
    assert ax.get_xlabel() == label("word", lang)


def test_bptt_term_norms_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="norms must name at least one parameter"):
        plots.bptt_term_norms({}, ["a"])
    with pytest.raises(ValueError, match="same length"):
        plots.bptt_term_norms({"U": np.ones(3), "W": np.ones(4)}, ["a", "b", "c"])
    with pytest.raises(ValueError, match=r"words must hold at least t = 3 labels, got 2"):
        plots.bptt_term_norms({"U": np.ones(4)}, ["a", "b"])
    with pytest.raises(ValueError, match=r"norms\['U'\] must be finite"):
        plots.bptt_term_norms({"U": np.array([0.0, np.nan])}, ["a"])
