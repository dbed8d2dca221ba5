"""Words and numbers in both languages, and the figures that carry them."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from rnngrad import plots
from rnngrad.i18n import LABELS, LANGUAGES, format_number, format_power, label


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
