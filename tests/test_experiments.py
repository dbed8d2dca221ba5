"""Experiment configs, the models they name, and the on-disk cache of their results."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import rnngrad.experiments as ex
from rnngrad import GRU, LSTM, RNN, spectral_radius
from rnngrad.experiments import (
    ExperimentConfig,
    ExperimentResult,
    cache,
    make_model,
    run,
    run_many,
    runner,
)

TINY = ExperimentConfig(task="adding", lag=5, model="rnn", n_h=4, batch=4, steps=6, eval_every=3)


def same(a: ExperimentResult, b: ExperimentResult) -> None:
    """Equal in everything but the wall time."""
    assert a.config == b.config
    assert (a.success, a.final_metric) == (b.success, b.final_metric)
    for field in dataclasses.fields(a.history):
        np.testing.assert_array_equal(
            getattr(a.history, field.name), getattr(b.history, field.name)
        )
    assert a.parameters.keys() == b.parameters.keys()
    for name, value in a.parameters.items():
        np.testing.assert_array_equal(value, b.parameters[name])


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[ExperimentConfig]:
    """The configs actually computed (not read from the cache), in order."""
    calls: list[ExperimentConfig] = []
    train_together = runner._train_together

    def counting(group: tuple[ExperimentConfig, ...]) -> list[ExperimentResult]:
        calls.extend(group)
        return train_together(group)

    monkeypatch.setattr(runner, "_train_together", counting)
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    return calls


# ---------------------------------------------------------------- configs and models
def test_configs_are_canonical_and_hashable() -> None:
    a = ExperimentConfig(lr=1, clip=1)
    b = ExperimentConfig(lr=1.0, clip=1.0, init="orthogonal")
    assert a == b
    assert hash(a) == hash(b)
    assert a.key() == b.key()
    assert a.key() != ExperimentConfig(seed=1).key()
    assert ExperimentConfig(model="irnn").init == "identity"


def test_make_model_builds_the_named_initialisations() -> None:
    irnn = make_model("irnn", 2, 8, 1, head="linear", rng=0)
    assert isinstance(irnn, RNN)
    assert irnn.activation == "relu"
    np.testing.assert_array_equal(irnn.W, np.eye(8))
    assert np.std(irnn.U) < 0.01
    scaled = make_model("rnn", 2, 8, 1, head="linear", init="scaled", radius=0.7, rng=0)
    assert scaled.activation == "tanh"
    assert spectral_radius(scaled.W) == pytest.approx(0.7)
    lstm = make_model("lstm", 2, 8, 1, head="linear", gate_bias=2.0, rng=0)
    assert isinstance(lstm, LSTM)
    np.testing.assert_array_equal(lstm.b, np.repeat([0.0, 2.0, 0.0, 0.0], 8))  # i, f, g, o
    gru = make_model("gru", 2, 8, 1, head="linear", gate_bias=2.0, rng=0)
    assert isinstance(gru, GRU)
    np.testing.assert_array_equal(gru.b, np.repeat([0.0, 2.0, 0.0], 8))  # r, z, n


def test_the_chapter_set_covers_each_variants_lags_with_every_seed() -> None:
    configs = ex.chapter_experiments()
    assert len(configs) == len(set(configs))
    reported = [c for c in configs if c.seed in ex.SEEDS]
    expected = {
        (name, task, lag, seed)
        for name, (_, lags) in ex.VARIANTS.items()
        for task, task_lags in lags.items()
        for lag in task_lags
        for seed in ex.SEEDS
    }
    assert {(ex.variant_of(c), c.task, c.lag, c.seed) for c in reported} == expected
    assert len(reported) == len(expected)
    assert {(c.task, c.lag) for c in reported} == {("adding", t) for t in ex.ADDING_LAGS} | {
        ("agreement", lag) for lag in ex.AGREEMENT_LAGS
    }


def test_a_result_rebuilds_its_trained_model() -> None:
    result = run(TINY)
    model = result.model()
    for name, value in result.parameters.items():
        np.testing.assert_array_equal(getattr(model, name), value)


# ---------------------------------------------------------------- the cache
def test_same_config_same_result_bit_for_bit(computed: list[ExperimentConfig]) -> None:
    same(run(TINY), run(TINY))
    assert computed == [TINY, TINY]  # without a cache directory, nothing is cached


def test_a_cached_result_is_served_without_recomputing(
    tmp_path: Path, computed: list[ExperimentConfig]
) -> None:
    first = run(TINY, tmp_path)
    second = run(TINY, tmp_path)
    assert computed == [TINY]
    same(first, second)
    assert second.seconds == first.seconds  # the stored time of the run that computed it
    other = dataclasses.replace(TINY, seed=1)
    run(other, tmp_path)
    assert computed == [TINY, other]
    assert not list(tmp_path.rglob("*.tmp"))  # the temporary files were renamed into place


def test_the_environment_variable_names_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, computed: list[ExperimentConfig]
) -> None:
    monkeypatch.setenv(ex.CACHE_ENV, str(tmp_path))
    run(TINY)
    assert ex.cache_path(TINY, tmp_path).is_file()
    run(TINY)
    assert computed == [TINY]


def test_an_edit_of_the_library_recomputes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, computed: list[ExperimentConfig]
) -> None:
    run(TINY, tmp_path)
    monkeypatch.setattr(cache, "source_hash", lambda *modules: "0" * 64)
    run(TINY, tmp_path)
    assert computed == [TINY, TINY]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # a partial write
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),  # one flipped bit
        lambda data: b"",
        lambda data: b"not a cache file at all, but long enough to hold a header" * 2,
    ],
    ids=["truncated", "bit-flip", "empty", "garbage"],
)
def test_a_damaged_file_is_recomputed_never_read(
    tmp_path: Path, computed: list[ExperimentConfig], damage
) -> None:
    good = run(TINY, tmp_path)
    path = ex.cache_path(TINY, tmp_path)
    path.write_bytes(damage(path.read_bytes()))
    same(run(TINY, tmp_path), good)
    assert computed == [TINY, TINY]
    run(TINY, tmp_path)  # and the file was repaired
    assert computed == [TINY, TINY]


def test_a_file_of_another_config_is_not_served(
    tmp_path: Path, computed: list[ExperimentConfig]
) -> None:
    other = dataclasses.replace(TINY, seed=3)
    run(other, tmp_path)
    path = ex.cache_path(TINY, tmp_path)
    ex.cache_path(other, tmp_path).rename(path)
    assert run(TINY, tmp_path).config == TINY
    assert computed == [other, TINY]


def test_two_builds_at_once_compute_an_experiment_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, computed: list[ExperimentConfig]
) -> None:
    counting = runner.compute

    def slow(config: ExperimentConfig) -> ExperimentResult:
        time.sleep(0.3)  # long enough for the other build to ask meanwhile
        return counting(config)

    monkeypatch.setattr(runner, "compute", slow)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: run(TINY, tmp_path), range(2)))
    assert computed == [TINY]
    same(*results)


# A process that, like a build of one edition, asks for TINY while counting its computations
# in a log; the first argument blocks fcntl, as on Windows, where filelock has no flock.
RACER = """
import sys
import time
import warnings

if sys.argv[1] == "no-fcntl":
    sys.modules["fcntl"] = None  # import fcntl now fails, as it does on Windows
    # filelock then falls back on its lock by exclusive file creation, and says so.
    warnings.filterwarnings("ignore", "only soft file lock is available", UserWarning)
from rnngrad.experiments import ExperimentConfig, run, runner

compute = runner.compute


def logged(config):
    with open(sys.argv[3], "a") as log:
        log.write("computed\\n")
    time.sleep(0.5)  # long enough for the other process to ask meanwhile
    return compute(config)


runner.compute = logged
config = ExperimentConfig(task="adding", lag=5, model="rnn", n_h=4, batch=4, steps=6, eval_every=3)
print(run(config, sys.argv[2]).final_metric)
"""


def start_racer(fcntl: str, cache_dir: Path, log: Path) -> subprocess.Popen[str]:
    """Start a process that runs TINY with ``cache_dir`` and logs each computation."""
    return subprocess.Popen(
        [sys.executable, "-c", RACER, fcntl, str(cache_dir), str(log)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("fcntl", ["fcntl", "no-fcntl"])
def test_two_processes_at_once_compute_an_experiment_once(tmp_path: Path, fcntl: str) -> None:
    """The lock works across processes, with flock and, as on Windows, without fcntl."""
    log = tmp_path / "computations.log"
    racers = [start_racer(fcntl, tmp_path / "cache", log) for _ in range(2)]
    outputs = [racer.communicate(timeout=60) for racer in racers]
    for racer, (_, err) in zip(racers, outputs, strict=True):
        assert racer.returncode == 0, err
        assert not err, err
    assert log.read_text().splitlines() == ["computed"]
    assert outputs[0][0] == outputs[1][0] == f"{run(TINY).final_metric}\n"


def test_run_many_keeps_the_order_and_computes_duplicates_once(
    tmp_path: Path, computed: list[ExperimentConfig]
) -> None:
    configs = [dataclasses.replace(TINY, seed=s) for s in (2, 0, 2)]
    run(configs[1], tmp_path)
    results = run_many(configs, tmp_path, jobs=1)
    assert [r.config for r in results] == configs
    assert computed == [configs[1], configs[0]]


def test_run_many_in_processes_matches_one_process(tmp_path: Path) -> None:
    configs = [dataclasses.replace(TINY, seed=s, model=m) for s in (0, 1) for m in ("rnn", "gru")]
    parallel = run_many(configs, tmp_path / "parallel", jobs=2)
    for config, result in zip(configs, parallel, strict=True):
        assert ex.cache_path(config, tmp_path / "parallel").is_file()
        same(result, run(config))


def test_initial_model_is_the_start_of_training_and_summaries_count_seeds() -> None:
    config = ExperimentConfig(task="adding", lag=6, model="rnn", steps=10, eval_every=5, seed=3)
    first, again = config.initial_model(), config.initial_model()
    np.testing.assert_array_equal(first.W, again.W)
    result = ex.run(config)
    assert not np.array_equal(result.model().W, first.W)  # training moved W
    other = ex.run(dataclasses.replace(config, seed=4))
    counts = ex.solved_by_lag([result, other], "rnn", "adding")
    assert counts == {6: int(result.success) + int(other.success)}
    longest = ex.longest_solved([result, other], "rnn", "adding")
    assert longest == (6 if result.success and other.success else 0)
    with pytest.raises(ValueError, match="results hold no run of model 'lstm'"):
        ex.solved_by_lag([result], "lstm", "adding")
