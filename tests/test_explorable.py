"""rnngrad.explorable and experiments.histories_by_variant: the data the explorable figures
embed is the library's own, read out as rnngrad.i18n prints it, and the same bytes twice."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

import rnngrad
from rnngrad import experiments
from rnngrad.experiments import ExperimentConfig, ExperimentResult
from rnngrad.explorable import MIME, gain_explorable, heatmap_explorable, training_explorable
from rnngrad.i18n import format_power, label
from rnngrad.train import History

GAINS = [0.5, 1.0, 1.5, 3.0]
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


@pytest.fixture(scope="module")
def sweeps() -> list[rnngrad.SpectralSweep]:
    return [
        rnngrad.sweep_spectral_norm(GAINS, activation=name, n_h=8, T=12, rng=0)
        for name in ("tanh", "relu")
    ]


def test_the_gain_data_holds_the_sweeps_numbers(sweeps: list[rnngrad.SpectralSweep]) -> None:
    data = gain_explorable(sweeps, lag_step=3, lang="en").data
    assert data["lags"] == [0, 3, 6, 9, 12]
    assert data["order"] == ["tanh", "relu"]
    assert data["start"] == 1, "the slider starts at g = 1"
    for sweep in sweeps:
        curve = data["curves"][sweep.activation]
        norms = np.log10(sweep.norms[:, ::3])
        # tenths of a decade: within half a tenth of the library's value
        np.testing.assert_allclose(np.array(curve["norm"]) / 10, norms, atol=0.05 + 1e-12)
        gamma = rnngrad.get_activation(sweep.activation).gamma
        np.testing.assert_allclose(curve["bound"], np.log10(gamma * np.array(GAINS)), atol=1e-4)
        rates = [rnngrad.rms_rate(d, g) for d, g in zip(sweep.derivatives, GAINS, strict=True)]
        np.testing.assert_allclose(curve["meanfield"], np.log10(rates), atol=1e-4)
        assert curve["last"] == [format_power(v, "en") for v in sweep.norms[:, -1]]
        assert curve["grows"] == [int(v > 1) for v in sweep.norms[:, -1]]


def test_a_rate_of_zero_draws_no_mean_field_line(sweeps: list[rnngrad.SpectralSweep]) -> None:
    relu = sweeps[1]
    silent = relu.derivatives.copy()
    silent[0, 3] = 0.0  # every unit off at one step: the product of the steps is 0
    dead = dataclasses.replace(relu, derivatives=silent)
    curve = gain_explorable([dead], lang="en").data["curves"]["relu"]
    assert curve["meanfield"][0] is None
    assert (
        curve["meanfield"][1:]
        == gain_explorable([relu], lang="en").data["curves"]["relu"]["meanfield"][1:]
    )
    json.loads(gain_explorable([dead], lang="en").to_json())  # still valid JSON


def test_the_gain_data_speaks_the_pages_language(sweeps: list[rnngrad.SpectralSweep]) -> None:
    en, ru = (gain_explorable(sweeps, lang=lang).data for lang in ("en", "ru"))
    assert (en["decimal"], ru["decimal"]) == (".", ",")
    assert ru["gains"][0] == "0,50"
    assert en["gains"][0] == "0.50"
    assert ru["curves"]["tanh"]["name"] == label("tanh", "ru")
    assert ru["words"]["gain"] == label("explore gain", "ru") != en["words"]["gain"]
    assert all("." not in value for value in ru["curves"]["tanh"]["last"])


def test_the_json_is_the_same_bytes_every_time(sweeps: list[rnngrad.SpectralSweep]) -> None:
    first, second = (gain_explorable(sweeps, lang="ru").to_json() for _ in range(2))
    assert first == second
    assert json.loads(first) == {"kind": "gain", "data": gain_explorable(sweeps, lang="ru").data}
    bundle = gain_explorable(sweeps, lang="ru")._repr_mimebundle_()
    assert MIME.endswith("+json")
    assert bundle[MIME]["kind"] == "gain"


def test_the_gain_data_rejects_what_it_cannot_draw(sweeps: list[rnngrad.SpectralSweep]) -> None:
    with pytest.raises(ValueError, match="sweeps must hold"):
        gain_explorable([], lang="en")
    other = rnngrad.sweep_spectral_norm([1.0, 2.0], n_h=8, T=12, rng=0)
    with pytest.raises(ValueError, match="share their gains"):
        gain_explorable([sweeps[0], other], lang="en")
    with pytest.raises(ValueError, match="lag_step must divide T = 12"):
        gain_explorable(sweeps, lag_step=5, lang="en")
    with pytest.raises(ValueError, match="lang"):
        gain_explorable(sweeps, lang="de")


def decode(token: str, decimal: str) -> str:
    """What explorable.js prints for a heat-map cell (a mirror of its ``value``)."""
    mantissa, exponent = token[:2], int(token[2:])
    text = f"{mantissa[0]}{decimal}{mantissa[1]}"
    return f"{text}·10{str(exponent).translate(SUPERSCRIPTS)}" if exponent else text


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_each_heatmap_cell_reads_out_as_format_power(lang: str, rng: np.random.Generator) -> None:
    tables = []
    for gain in (1.0, 3.0):
        model = rnngrad.RNN.random(n_in=4, n_h=6, rng=2)
        model = rnngrad.RNN(model.U, rnngrad.orthogonal(6, gain=gain, rng=1), model.b, "tanh")
        tables.append(
            rnngrad.jacobian_norm_table(model.state_jacobians(rng.standard_normal((9, 4))))
        )
    data = heatmap_explorable(tables, [1.0, 3.0], lang=lang).data
    assert data["size"] == 10
    assert data["gains"] == (["1.0", "3.0"] if lang == "en" else ["1,0", "3,0"])
    for table, cells in zip(tables, data["cells"], strict=True):
        tokens = cells.split(" ")
        assert len(tokens) == 10 * 11 // 2
        expected = [format_power(table[t, k], lang) for t in range(10) for k in range(t + 1)]
        assert [decode(token, data["decimal"]) for token in tokens] == expected


def test_the_heatmap_rejects_a_broken_table() -> None:
    good = np.tril(np.ones((4, 4))) + np.triu(np.full((4, 4), np.nan), 1)
    with pytest.raises(ValueError, match="as many"):
        heatmap_explorable([good], [1.0, 3.0], lang="en")
    with pytest.raises(ValueError, match="square and of one size"):
        heatmap_explorable([good, good[:3, :3]], [1.0, 3.0], lang="en")
    broken = good.copy()
    broken[2, 1] = np.nan
    with pytest.raises(ValueError, match="finite norms"):
        heatmap_explorable([broken], [1.0], lang="en")


def history(norms: list[list[float]], steps: list[int], solved: int | None) -> History:
    n = len(steps)
    return History(
        loss=np.zeros(steps[-1] + 1),
        grad_norm=np.zeros(steps[-1] + 1),
        eval_steps=np.array(steps, dtype=np.int64),
        eval_metric=np.zeros(n),
        state_grad_norms=np.array(norms, dtype=np.float64),
        solved_step=solved,
        diverged=False,
    )


def test_the_training_data_holds_each_share_and_any_model() -> None:
    slow = history(
        [[1e-6, 1e-4, 0.1, 1.0], [1e-9, 1e-8, 0.2, 2.0], [1e-9, 1e-7, 0.3, 3.0]], [0, 5, 10], None
    )
    fast = history([[0.5, 0.5, 0.5, 1.0], [0.2, 0.2, 0.4, 1.0]], [0, 5], 5)
    data = training_explorable(
        {"rnn": {3: slow}, "new model": {3: fast, 6: history([[1.0] * 7], [0], None)}},
        points=3,
        lang="ru",
    ).data
    # a model without a label yet appears under its own name, second
    assert data["models"] == [label("model rnn", "ru"), "new model"]
    assert data["lags"] == [3, 6]
    three = data["byLag"][0]
    assert three["steps"] == [0, 5, 10], "the longest run's steps"
    assert three["k"] == [1, 2, 3]
    rnn, lru = three["runs"]
    assert (rnn["model"], lru["model"]) == (0, 1)
    assert rnn["first"] == [
        format_power(1e-4, "ru"),
        format_power(1e-8 / 2, "ru"),
        format_power(1e-7 / 3, "ru"),
    ]
    assert rnn["share"][0] == [-40, -10, 0]
    assert len(lru["share"]) == 2, "a solved run keeps its own evaluations only"
    assert [run["model"] for run in data["byLag"][1]["runs"]] == [1]
    assert data["list"] == "; "


def test_the_training_data_rejects_runs_it_cannot_align() -> None:
    one = history([[0.1, 1.0], [0.2, 1.0]], [0, 5], None)
    other = history([[0.1, 1.0], [0.2, 1.0]], [0, 10], None)
    with pytest.raises(ValueError, match="evaluated at other steps"):
        training_explorable({"rnn": {1: one}, "gru": {1: other}}, lang="en")
    silent = history([[0.0, 0.0]], [0], None)
    with pytest.raises(ValueError, match="not finite and > 0"):
        training_explorable({"irnn": {1: silent}}, lang="en")
    with pytest.raises(ValueError, match="at least one run"):
        training_explorable({}, lang="en")


def result(model: str, lag: int, seed: int, marker: float) -> ExperimentResult:
    config = ExperimentConfig(model=model, lag=lag, seed=seed)
    return ExperimentResult(config, history([[marker, 1.0]], [0], None), {}, False, 0.0, 0.0)


def test_histories_by_variant_picks_one_seed_in_the_sets_order() -> None:
    results = [
        result("lstm", 50, 0, 0.1),
        result("rnn", 50, 1, 0.2),
        result("rnn", 50, 0, 0.3),
        result("rnn", 25, 0, 0.4),
    ]
    found = experiments.histories_by_variant(results)
    assert list(found) == ["rnn", "lstm"], "the order of experiments.VARIANTS"
    assert list(found["rnn"]) == [25, 50]
    assert found["rnn"][50].state_grad_norms[0, 0] == 0.3
    assert (
        experiments.histories_by_variant(results, seed=1)["rnn"][50].state_grad_norms[0, 0] == 0.2
    )
    with pytest.raises(ValueError, match="seed"):
        experiments.histories_by_variant(results, seed=-1)
