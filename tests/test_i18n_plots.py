"""Words and numbers in both languages, and the figures that carry them."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from plot_helpers import legend_texts

from rnngrad import RNN, measured_rate, plots
from rnngrad.experiments import ExperimentResult, SuccessRate
from rnngrad.i18n import (
    LABELS,
    LANGUAGES,
    SEED_GLOSS,
    SEED_SENTENCE,
    format_count,
    format_interval,
    format_list,
    format_number,
    format_percent,
    format_power,
    format_value,
    label,
    sentence_labels,
)
from rnngrad.plots.style import figure_function


def test_every_label_has_a_text_in_each_language() -> None:
    assert all(len(texts) == len(LANGUAGES) and all(texts) for texts in LABELS.values())
    assert [label("tanh", lang) for lang in LANGUAGES] == ["tanh", "гиперболический тангенс"]


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [
        (0.25, "en", "0.25"),
        (0.25, "ru", "0,25"),
        (-3.14159, "ru", "\N{MINUS SIGN}3,14"),
        (-4.48, "ru", "\N{MINUS SIGN}4,48"),
    ],
)
def test_format_number(value: float, lang: str, text: str) -> None:
    assert format_number(value, lang) == text


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [
        (2.34e-16, "en", "2.3·10⁻¹⁶"),
        (2.34e-16, "ru", "2,3·10⁻¹⁶"),
        (-1.5e5, "en", "\N{MINUS SIGN}1.5·10⁵"),
        (-2.5e-7, "en", "\N{MINUS SIGN}2.5·10⁻⁷"),
        (2.61, "en", "2.6"),  # no ·10⁰
        (0.0, "ru", "0"),
        (9.99e-3, "en", "1.0·10⁻²"),  # rounding carries into the exponent
    ],
)
def test_format_power(value: float, lang: str, text: str) -> None:
    assert format_power(value, lang) == text


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [(0.459, "en", "0.46"), (2.61, "ru", "2,6"), (15.2, "en", "15"), (1.6e-6, "en", "1.6·10⁻⁶"),
     (0.0123, "en", "0.012"), (-0.5, "en", "\N{MINUS SIGN}0.50"), (0.0, "en", "0")],
)  # fmt: skip
def test_format_value(value: float, lang: str, text: str) -> None:
    assert format_value(value, lang) == text


@pytest.mark.parametrize(
    ("low", "high", "lang", "text"),
    [
        (0.72, 1.0, "en", "[0.72, 1.00]"),
        (0.72, 1.0, "ru", "[0,72; 1,00]"),
        (-1.0, -0.5, "ru", "[\N{MINUS SIGN}1,00; \N{MINUS SIGN}0,50]"),
    ],
)
def test_format_interval(low: float, high: float, lang: str, text: str) -> None:
    assert format_interval(low, high, lang) == text


def test_percent_and_list_follow_each_languages_typesetting() -> None:
    assert format_percent(0.304, "en") == "30%"
    assert format_percent(0.304, "ru") == "30\N{NO-BREAK SPACE}%"
    numbers = [format_number(x, lang, digits=3) for lang in ("en", "ru") for x in (0.001, 0.01)]
    assert format_list(numbers[:2], "en") == "0.001, 0.010"
    assert format_list(numbers[2:], "ru") == "0,001; 0,010"
    negatives = [format_number(x, "en") for x in (-1.0, -2.0)]
    assert format_list(negatives, "en") == "\N{MINUS SIGN}1.00, \N{MINUS SIGN}2.00"


@pytest.mark.parametrize(
    ("count", "noun", "lang", "text"),
    [
        (1, "step", "en", "1 step"),
        (9, "step", "en", "9 steps"),
        (1, "step", "ru", "1 шаг"),
        (3, "step", "ru", "3 шага"),
        (9, "step", "ru", "9 шагов"),
        (12, "step", "ru", "12 шагов"),
        (21, "iteration", "ru", "21 итерация"),
        (73, "iteration", "ru", "73 итерации"),
        (111, "iteration", "ru", "111 итераций"),
        (35, "iteration", "ru", "35 итераций"),
    ],
)
def test_format_count_agrees_the_noun_with_the_number(
    count: int, noun: str, lang: str, text: str
) -> None:
    assert format_count(count, noun, lang) == text


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
    legend = legend_texts(ax)
    assert any(f"= {format_number(0.25, lang)}$".replace(",", "{,}") in t for t in legend), legend


@pytest.mark.parametrize(("lang", "mark", "other"), [("en", ".", ","), ("ru", ",", ".")])
def test_tick_labels_use_the_languages_decimal_mark(lang: str, mark: str, other: str) -> None:
    fig = plots.activations_side_by_side(("sigmoid", "tanh"), lang=lang)
    FigureCanvasAgg(fig).draw()
    ticks = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert any(mark in tick for tick in ticks), ticks
    assert not any(other in tick for tick in ticks), ticks


def test_every_figure_function_localizes_its_ticks() -> None:
    """A new figure function must carry @figure_function, or its Russian ticks read 0.5."""
    figures = [
        name
        for name in plots.__all__
        if inspect.isfunction(function := getattr(plots, name))
        and inspect.signature(function).return_annotation in (Figure, "Figure")
    ]
    assert len(figures) == 19
    bare = [name for name in figures if not hasattr(getattr(plots, name), "__wrapped__")]
    assert not bare, f"figure functions without @figure_function: {bare}"


def test_a_figure_function_must_take_lang_by_keyword() -> None:
    def draw(lang: str = "en") -> Figure:
        return Figure()

    with pytest.raises(TypeError, match="draw must take lang as a keyword-only parameter"):
        figure_function()(draw)


def test_activation_figure_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="activation must be one of"):
        plots.activation_and_derivative("softsign")
    with pytest.raises(ValueError, match="z_max must be > 0"):
        plots.activation_and_derivative("tanh", z_max=-1.0)


def test_seed_sentence_indices_match_the_lecture() -> None:
    """«зашёл» is word 10 and «Человек» word 1 (the slide's E_10); glosses pair up."""
    assert SEED_SENTENCE.index("зашёл") + 1 == 10
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


@pytest.mark.parametrize("lang", LANGUAGES)
def test_chapter_figures_of_the_why_and_evidence_pages_speak_the_language(lang: str) -> None:
    """Each figure's axis labels come from LABELS, and numbers use the language's comma."""
    from rnngrad import scalar
    from rnngrad.jacobians import jacobian_norm_table
    from rnngrad.spectral import jordan_block
    from rnngrad.sweep import sweep_spectral_norm

    sides = plots.activations_side_by_side(("sigmoid", "tanh"), lang=lang)
    assert [ax.get_title() for ax in sides.axes] == [label("sigmoid", lang), label("tanh", lang)]

    w = np.linspace(1.0, 12.0, 50)
    widths = plots.amplifying_widths(w, {"sigmoid": scalar.amplifying_width(w)}, lang=lang)
    assert [ax.get_xlabel() for ax in widths.axes] == [label("|w|", lang), label("gamma |w|", lang)]
    assert widths.axes[1].get_ylabel() == label("relative width", lang)

    sweep = sweep_spectral_norm([0.5, 1.5], n_h=4, T=6)
    ax = plots.spectral_sweep(sweep, lang=lang).axes[0]
    legend = legend_texts(ax)
    assert legend == [
        rf"$g = {format_number(s, lang, digits=1).replace(',', '{,}')}$" for s in (0.5, 1.5)
    ]
    assert len(ax.lines) == 4  # a curve and its dashed bound per σ
    assert ax.get_xlabel() == label("lag", lang)

    powers = [np.linalg.norm(np.linalg.matrix_power(jordan_block(3, 0.8), k), 2) for k in range(9)]
    ax = plots.matrix_powers(0.8 ** np.arange(9), powers, sigma_max=1.5, rho=0.8, lang=lang).axes[0]
    assert label("non-normal W", lang) in legend_texts(ax)

    model = RNN.random(2, 3, rng=0)
    table = jacobian_norm_table(model.state_jacobians(np.ones((5, 2))))
    heat = plots.jacobian_heatmaps([table, table], [1.0, 2.5], lang=lang)
    assert heat.axes[1].get_title() == (
        rf"$g = {format_number(2.5, lang, digits=1).replace(',', '{,}')}$"
    )
    assert heat.axes[-1].get_ylabel() == label("log norm", lang)  # the colour bar

    b = np.linspace(-6.0, 0.0, 30)
    cliff = plots.cliff(b, {8.0: scalar.unit_states(8.0, b)[-1]}, lang=lang)
    assert legend_texts(cliff.axes[0]) == ["$w = 8$"]

    runs = [
        scalar.descend_bias(8.0, -4.0, 3.0, learning_rate=0.1, iterations=5, clip=c)
        for c in (None, 1.0)
    ]
    ax = plots.clipping_descent(*runs, lang=lang).axes[0]
    assert legend_texts(ax) == [
        label("no clipping", lang),
        label("clipping", lang),
    ]


def test_chapter_figures_reject_bad_arguments() -> None:
    from rnngrad import scalar

    with pytest.raises(ValueError, match=r"activations must name at least one"):
        plots.activations_side_by_side(())
    with pytest.raises(ValueError, match=r"widths\['tanh'\] must have shape \(3,\)"):
        plots.amplifying_widths([1.0, 2.0, 3.0], {"tanh": [1.0]})
    with pytest.raises(ValueError, match=r"a key of widths must be one of 'sigmoid', 'tanh'"):
        plots.amplifying_widths([1.0, 2.0], {"relu": [1.0, 2.0]})
    with pytest.raises(TypeError, match="sweep must be a SpectralSweep"):
        plots.spectral_sweep({"norms": []})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="tables and scales must be non-empty and of equal length"):
        plots.jacobian_heatmaps([np.ones((2, 2))], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"tables\[0\] must hold finite norms > 0"):
        plots.jacobian_heatmaps([np.zeros((2, 2))], [1.0])
    with pytest.raises(ValueError, match="rho must be > 0"):
        plots.matrix_powers([1.0, 0.5], [1.0, 2.0], sigma_max=2.0, rho=0.0)
    run = scalar.descend_bias(8.0, -4.0, 3.0, learning_rate=0.1, iterations=2)
    with pytest.raises(TypeError, match="clipping must be a Descent"):
        plots.clipping_descent(run, None)  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_norms_by_lag_draws_one_labelled_line_per_network(lang: str) -> None:
    from rnngrad import GRU, LSTM

    x = np.random.default_rng(0).standard_normal((8, 2))
    lstm = LSTM.random(2, 3, rng=0)
    curves = {
        "rnn tanh": RNN.random(2, 3, rng=0).jacobian_norms_by_lag(x, t=8),
        "lstm": lstm.jacobian_norms_by_lag(x, 8, block="state"),
        "carousel": lstm.jacobian_norms_by_lag(x, 8, block="carousel"),
        "lstm 1997": LSTM.random(2, 3, forget_gate=False, rng=0).jacobian_norms_by_lag(
            x, 8, block="state"
        ),
        "gru": GRU.random(2, 3, rng=0).jacobian_norms_by_lag(x, 8),
    }
    ax = plots.norms_by_lag(curves, parts={"carousel": "lstm"}, lang=lang).axes[0]
    assert ax.get_yscale() == "log"
    assert len(ax.lines) == len(curves)
    assert legend_texts(ax) == [label(k, lang) for k in curves]
    assert [line.get_linestyle() for line in ax.lines] == ["-", "-", "--", "-", "-"]
    colours = [line.get_color() for line in ax.lines]
    assert colours[2] == colours[1]  # the carousel in the colour of the LSTM it is part of
    assert len(set(colours)) == 4
    assert list(ax.lines[0].get_xdata()) == list(range(9))
    assert ax.get_xlabel() == label("lag", lang)
    assert ax.get_ylabel() == label("state jacobian norm", lang)


def test_norms_by_lag_labels_differ_between_languages() -> None:
    curves = {"lstm 1997": [1.0, 0.5], "rnn tanh": [1.0, 0.1]}
    texts = {
        lang: legend_texts(plots.norms_by_lag(curves, lang=lang).axes[0]) for lang in LANGUAGES
    }
    assert texts["ru"] == ["LSTM без вентиля забывания (1997)", "RNN с tanh"]
    assert texts["en"] != texts["ru"]


def test_norms_by_lag_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="curves must hold at least one entry"):
        plots.norms_by_lag({})
    with pytest.raises(ValueError, match=r"curves keys must be label keys .*'lstm2'"):
        plots.norms_by_lag({"lstm2": [1.0, 0.5]})
    with pytest.raises(ValueError, match=r"same length t \+ 1 >= 2, got \[2, 3\]"):
        plots.norms_by_lag({"lstm": [1.0, 0.5], "gru": [1.0, 0.5, 0.2]})
    with pytest.raises(ValueError, match=r"same length t \+ 1 >= 2, got \[1\]"):
        plots.norms_by_lag({"lstm": [1.0]})
    with pytest.raises(ValueError, match=r"curves\['gru'\] must be > 0"):
        plots.norms_by_lag({"gru": [1.0, 0.0]})
    with pytest.raises(ValueError, match=r"curves\['gru'\] must be finite"):
        plots.norms_by_lag({"gru": [1.0, np.inf]})
    with pytest.raises(ValueError, match=r"parts must name keys of curves, got \['lstm'\]"):
        plots.norms_by_lag({"carousel": [1.0, 0.5]}, parts={"carousel": "lstm"})
    nested = {"gru": [1.0, 0.5], "lstm": [1.0, 0.5], "carousel": [1.0, 0.5]}
    with pytest.raises(ValueError, match=r"a whole cannot be a part of another curve"):
        plots.norms_by_lag(nested, parts={"carousel": "lstm", "lstm": "gru"})
    with pytest.raises(ValueError, match="lang must be one of"):
        plots.norms_by_lag({"gru": [1.0, 0.5]}, lang="de")


@pytest.fixture(scope="module")
def short_runs() -> list[ExperimentResult]:
    """A few tiny training runs (seconds), enough to draw the experiments' figures."""
    from rnngrad import experiments

    return [
        experiments.run(
            experiments.ExperimentConfig(
                task=task, lag=lag, model=model, steps=20, eval_every=10, eval_batch=16, seed=seed
            )
        )
        for task, lag in (("adding", 6), ("adding", 8), ("agreement", 2))
        for model in ("rnn", "lstm")
        for seed in (0, 1)
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_success_against_lag_draws_rates_with_intervals_and_the_metric(
    short_runs: list[ExperimentResult],
    lang: str,
) -> None:
    adding = [r for r in short_runs if r.config.task == "adding"]
    rate_ax, metric_ax = plots.success_against_lag(adding, lang=lang).axes
    assert set(legend_texts(metric_ax)) == {
        label("model rnn", lang),
        label("model lstm", lang),
        label("baseline mse", lang),
    }
    assert rate_ax.get_ylabel() == label("success rate", lang)
    assert rate_ax.get_ylim() == pytest.approx((-0.03, 1.03))
    # Each point of the left panel is a rate with its Wilson interval as the error bar.
    bars = {container.get_label(): container for container in rate_ax.containers}
    for model in ("rnn", "lstm"):
        first = [r.success for r in adding if (r.config.model, r.config.lag) == (model, 6)]
        rate = SuccessRate.of(first)
        data, _, (vertical,) = bars[label(f"model {model}", lang)]
        assert data.get_ydata()[0] == pytest.approx(rate.rate)
        low, high = vertical.get_segments()[0][:, 1]
        assert (low, high) == pytest.approx((rate.low, rate.high))
    assert metric_ax.get_yscale() == "log"
    assert metric_ax.get_xlabel() == label("lag adding", lang)
    agreement = [r for r in short_runs if r.config.task == "agreement"]
    _, metric_ax = plots.success_against_lag(agreement, lang=lang).axes
    assert metric_ax.get_yscale() == "linear"
    assert metric_ax.get_ylabel() == label("accuracy", lang)


def test_experiment_figures_reject_bad_arguments(short_runs: list[ExperimentResult]) -> None:
    with pytest.raises(ValueError, match="results must all be of one task"):
        plots.success_against_lag(short_runs)
    with pytest.raises(TypeError, match="results must be a non-empty sequence"):
        plots.success_against_lag([])
    with pytest.raises(TypeError, match="results must be a non-empty mapping"):
        plots.gradient_during_training({"a": 1})  # type: ignore[dict-item]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_gradient_during_training_draws_one_line_per_evaluation(
    short_runs: list[ExperimentResult],
    lang: str,
) -> None:
    run = short_runs[0]
    fig = plots.gradient_during_training({"RNN": run, "LSTM": short_runs[2]}, lang=lang)
    assert len(fig.axes[0].lines) == min(12, run.history.eval_steps.shape[0])
    assert fig.axes[0].get_title() == "RNN"
    assert fig.axes[0].get_ylabel() == label("gradient share", lang)


# ---------------------------------------------------------------- the page on remedies
@pytest.mark.parametrize("lang", LANGUAGES)
def test_init_spectra_draws_singular_values_and_eigenvalues(lang: str) -> None:
    from rnngrad.spectral import identity_init, orthogonal, scaled_gaussian

    matrices = {
        "init orthogonal": orthogonal(5, rng=0),
        "init scaled": scaled_gaussian(5, rng=0),
        "init identity": identity_init(5),
    }
    left, right = plots.init_spectra(matrices, lang=lang).axes
    assert legend_texts(left) == [label(key, lang) for key in matrices]
    assert left.get_xlabel() == label("singular index", lang)
    assert left.get_ylabel() == label("singular values", lang)
    assert right.get_title() == label("eigenvalues", lang)
    # the unit circle, then one line of singular values / one set of eigenvalues per matrix
    assert len(left.lines) == 3
    assert len(right.lines) == 4
    assert np.allclose(left.lines[0].get_ydata(), 1.0)  # orthogonal: every σ_i = 1
    identity_eigs = right.lines[3]
    assert np.allclose(identity_eigs.get_xdata(), 1.0)
    assert np.allclose(identity_eigs.get_ydata(), 0.0)


def test_init_spectra_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="matrices must hold at least one entry"):
        plots.init_spectra({})
    with pytest.raises(ValueError, match=r"matrices keys must be label keys .*'orthogonal'"):
        plots.init_spectra({"orthogonal": np.eye(2)})
    with pytest.raises(ValueError, match=r"matrices\['init identity'\] must be square"):
        plots.init_spectra({"init identity": np.ones((2, 3))})
    with pytest.raises(ValueError, match=r"matrices\['init identity'\] must be finite"):
        plots.init_spectra({"init identity": np.array([[1.0, np.nan], [0.0, 1.0]])})
    with pytest.raises(ValueError, match="lang must be one of"):
        plots.init_spectra({"init identity": np.eye(2)}, lang="de")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_state_and_init_panels_speak_the_language(lang: str) -> None:
    states = {1.2: {"tanh": [1.0, 2.0, 3.0], "relu": [1.0, 4.0, 9.0]}, 1.5: {"relu": [1, 8, 27]}}
    fig = plots.state_norms(states, lang=lang)
    first, second = fig.axes
    assert first.get_yscale() == "log"
    assert first.get_xlabel() == label("step t", lang)
    assert first.get_ylabel() == label("state norm", lang)
    assert list(first.lines[0].get_xdata()) == [1, 2, 3]  # t = 1 … T
    assert second.get_title() == ("$g = 1{,}5$" if lang == "ru" else "$g = 1.5$")
    assert legend_texts(first) == [
        label("tanh", lang),
        label("relu", lang),
    ]
    assert first.lines[1].get_color() == second.lines[0].get_color()  # ReLU in both panels

    norms = {
        1.0: {"init orthogonal": [1.0, 0.1], "irnn relu": [1.0, 1.0]},
        0.1: {"irnn relu": [1, 1]},
    }
    fig = plots.norms_by_init(norms, lang=lang)
    assert [ax.get_title() for ax in fig.axes] == [
        label("input scale", lang).format(scale=s)
        for s in ("1", format_number(0.1, lang, digits=1))
    ]
    assert list(fig.axes[0].lines[0].get_xdata()) == [0, 1]  # lags from 0
    assert fig.axes[0].get_ylabel() == label("jacobian norm", lang)
    assert fig.axes[0].get_xlabel() == label("lag", lang)


def test_input_scale_labels_differ_between_languages() -> None:
    titles = {
        lang: plots.norms_by_init({0.1: {"init gaussian": [1.0, 0.5]}}, lang=lang)
        .axes[0]
        .get_title()
        for lang in LANGUAGES
    }
    assert titles == {"en": "input weights × 0.1", "ru": "входные веса × 0,1"}


@pytest.mark.parametrize("draw", [plots.state_norms, plots.norms_by_init])
def test_state_and_init_panels_reject_bad_arguments(draw) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="norms must hold at least one panel"):
        draw({})
    with pytest.raises(ValueError, match=r"norms\[1.0\] must hold at least one entry"):
        draw({1.0: {}})
    with pytest.raises(ValueError, match="norms keys must be > 0"):
        draw({-1.0: {"tanh": [1.0, 0.5]}})
    with pytest.raises(ValueError, match=r"norms\[1.0\] keys must be label keys .*'sigmoid2'"):
        draw({1.0: {"sigmoid2": [1.0, 0.5]}})
    with pytest.raises(ValueError, match=r"norms\[1.0\]\['tanh'\] must be > 0"):
        draw({1.0: {"tanh": [1.0, 0.0]}})
    with pytest.raises(ValueError, match=r"norms\[1.0\]\['tanh'\] must be finite"):
        draw({1.0: {"tanh": [1.0, np.inf]}})
    with pytest.raises(ValueError, match=r"same length >= 2, got \[2, 3\]"):
        draw({1.0: {"tanh": [1.0, 0.5]}, 2.0: {"tanh": [1.0, 0.5, 0.2]}})
    with pytest.raises(ValueError, match=r"same length >= 2, got \[1\]"):
        draw({1.0: {"tanh": [1.0]}})
    with pytest.raises(ValueError, match="lang must be one of"):
        draw({1.0: {"tanh": [1.0, 0.5]}}, lang="de")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_mean_field_rates_draws_both_predictions_and_the_edge(lang: str) -> None:
    from rnngrad.sweep import sweep_spectral_norm

    sweeps = [
        sweep_spectral_norm([0.5, 3.0], activation="tanh", n_h=4, T=6),
        sweep_spectral_norm([1.0, 3.0], activation="relu", n_h=4, T=6),
    ]
    ax = plots.mean_field_rates(sweeps, lang=lang).axes[0]
    legend = legend_texts(ax)
    # ReLU at g = 3 has no fixed point: its open marker is missing, the filled one is not.
    fixed = [line for line in ax.lines if line.get_markerfacecolor() == "none"]
    assert [len(line.get_xdata()) for line in fixed] == [2, 1]
    assert label("chi one", lang) in legend
    assert label("from the states", lang).format(name=label("relu", lang)) in legend
    assert ax.get_xlabel() == label("predicted rate", lang)


def test_mean_field_rates_draws_the_median_of_seeds_with_its_range() -> None:
    from rnngrad.sweep import sweep_spectral_norm

    sweeps = [
        sweep_spectral_norm([0.5, 3.0], activation="tanh", n_h=4, T=6, rng=s) for s in (0, 1, 2)
    ]
    ax = plots.mean_field_rates(sweeps).axes[0]
    filled = [
        line
        for line in ax.lines
        if line.get_marker() == "o" and line.get_markerfacecolor() != "none"
    ]
    assert len(filled) == 1
    assert len(filled[0].get_ydata()) == 2  # one point per gain, not per seed
    measured = np.array([[measured_rate(norms) for norms in one.norms] for one in sweeps])
    assert np.allclose(filled[0].get_ydata(), np.median(measured, axis=0))
    assert len(ax.collections) == 2  # the bars: the range over the seeds on both axes


def test_mean_field_rates_rejects_bad_arguments() -> None:
    from rnngrad.sweep import sweep_spectral_norm

    with pytest.raises(ValueError, match="sweeps must hold at least one"):
        plots.mean_field_rates([])
    mismatched = [sweep_spectral_norm(gains, n_h=4, T=6) for gains in ([0.5, 3.0], [1.0])]
    with pytest.raises(ValueError, match=r"sweeps\[1\] must have the gains"):
        plots.mean_field_rates(mismatched)
    with pytest.raises(TypeError, match=r"sweeps\[0\] must be an rnngrad.SpectralSweep"):
        plots.mean_field_rates([{"norms": []}])  # type: ignore[list-item]
