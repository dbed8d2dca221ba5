"""The runner of many experiments: executors, progress, faults, and its command line."""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest
from test_experiments import TINY, same

import rnngrad.experiments as ex
from rnngrad.experiments import ExperimentConfig, ExperimentResult, cache, cli, run_many, runner
from rnngrad.experiments.runner import Group

# Four tiny runs of two costs; the cheapest, POISON, comes last in the plan.
CONFIGS = [
    dataclasses.replace(TINY, model=model, seed=seed, steps=steps)
    for model, seed, steps in (("gru", 0, 10), ("gru", 1, 10), ("rnn", 0, 6), ("rnn", 1, 2))
]
POISON = CONFIGS[-1]


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[ExperimentConfig]:
    """The configs computed in this process (not read from the cache), in order."""
    calls: list[ExperimentConfig] = []
    train_together = runner._train_together

    def counting(group: Group) -> list[ExperimentResult]:
        calls.extend(group)
        return train_together(group)

    monkeypatch.setattr(runner, "_train_together", counting)
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    return calls


def stored(configs: list[ExperimentConfig], directory: Path) -> list[ExperimentConfig]:
    """The configs whose results the cache holds; fails on any file that does not decode."""
    paths = {ex.cache_path(config, directory): config for config in configs}
    files = set(ex.cache_path(TINY, directory).parent.glob("*.rnnexp"))
    assert files <= set(paths), "a file for no config of the run"
    for path in files:
        assert cache.load(path, paths[path]) is not None, f"{path.name} does not decode"
    assert not list(directory.rglob("*.tmp")), "a temporary file was left behind"
    return [config for path, config in paths.items() if path in files]


def fail_on(
    monkeypatch: pytest.MonkeyPatch, victim: ExperimentConfig, error: BaseException
) -> None:
    """Make the computation of ``victim``'s group (in this process) raise ``error``."""
    train_together = runner._train_together

    def failing(group: Group) -> list[ExperimentResult]:
        if victim in group:
            raise error
        return train_together(group)

    monkeypatch.setattr(runner, "_train_together", failing)


# ---------------------------------------------------------------- groups and executors
def test_the_plan_holds_each_config_once_costliest_first() -> None:
    groups = runner.plan(CONFIGS[::-1])
    assert sorted(c.key() for group in groups for c in group) == sorted(c.key() for c in CONFIGS)
    assert all(groups)
    assert groups[-1] == (POISON,)
    assert {c.steps for c in groups[0]} == {10}
    results = runner.compute_group(tuple(CONFIGS[:2]))
    assert [r.config for r in results] == CONFIGS[:2]


def test_an_executor_passed_in_gives_the_default_results_bit_for_bit(tmp_path: Path) -> None:
    default = run_many(CONFIGS, tmp_path / "default")
    with ThreadPoolExecutor(2) as pool:
        threaded = run_many(CONFIGS, tmp_path / "threads", executor=pool)
        assert pool.submit(len, "left running").result() == len("left running")
    for a, b in zip(default, threaded, strict=True):
        same(a, b)
    assert stored(CONFIGS, tmp_path / "threads") == CONFIGS


def test_the_former_name_of_jobs_still_works(
    tmp_path: Path, computed: list[ExperimentConfig]
) -> None:
    run_many(CONFIGS[:2], tmp_path, processes=1)
    assert sorted(computed, key=CONFIGS.index) == CONFIGS[:2]  # in this process, as jobs=1


def test_two_runs_into_one_cache_at_once_compute_each_config_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, computed: list[ExperimentConfig]
) -> None:
    counting = runner._train_together

    def slow(group: Group) -> list[ExperimentResult]:
        time.sleep(0.2)  # long enough for the other run to ask meanwhile
        return counting(group)

    monkeypatch.setattr(runner, "_train_together", slow)
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: run_many(CONFIGS[:2], tmp_path, jobs=1), range(2)))
    assert sorted(computed, key=CONFIGS.index) == CONFIGS[:2]
    for a, b in zip(*runs, strict=True):
        same(a, b)


def test_complete_fills_the_cache_and_a_warm_one_decodes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, computed: list[ExperimentConfig]
) -> None:
    run_many(CONFIGS[:1], tmp_path, jobs=1)
    assert runner.complete(CONFIGS, tmp_path, jobs=1) == len(CONFIGS) - 1
    assert stored(CONFIGS, tmp_path) == CONFIGS

    def decoding(path: Path, config: ExperimentConfig) -> None:
        raise AssertionError(f"a warm run decoded {path.name}")

    monkeypatch.setattr(runner, "load", decoding)
    assert runner.complete(CONFIGS, tmp_path, jobs=1) == 0
    assert sorted(computed, key=CONFIGS.index) == CONFIGS
    with pytest.raises(TypeError, match="cache_dir must be a path, got NoneType"):
        runner.complete(CONFIGS, None)


def test_holds_agrees_with_load(tmp_path: Path) -> None:
    run_many(CONFIGS[:2], tmp_path, jobs=1)
    path = ex.cache_path(CONFIGS[0], tmp_path)
    assert cache.holds(path, CONFIGS[0])
    assert not cache.holds(path, CONFIGS[1])  # a file of another configuration
    assert not cache.holds(ex.cache_path(CONFIGS[2], tmp_path), CONFIGS[2])  # none
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    assert not cache.holds(path, CONFIGS[0])
    assert cache.load(path, CONFIGS[0]) is None


# ---------------------------------------------------------------- progress
def test_progress_counts_runs_cached_at_once_and_is_silent_when_off(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], computed: list[ExperimentConfig]
) -> None:
    run_many(CONFIGS[:1], tmp_path, jobs=1)
    run_many(CONFIGS[:3], tmp_path, jobs=1)
    assert capfd.readouterr() == ("", "")
    run_many(CONFIGS, tmp_path, jobs=1, progress=True)
    out, err = capfd.readouterr()
    assert out == ""
    final = err.replace("\r", "\n").strip().splitlines()[-1]
    assert "4/4" in final
    assert "run" in final
    assert "3 cached" in final
    assert computed == [*CONFIGS[:3], POISON]


# ---------------------------------------------------------------- faults
def a_file(directory: Path) -> Path:
    """A plain file: a cache directory under it can be neither made nor written."""
    path = directory / "a file"
    path.write_text("")
    return path


def test_an_unwritable_cache_dir_is_refused_before_any_training(
    tmp_path: Path, computed: list[ExperimentConfig]
) -> None:
    blocker = a_file(tmp_path)
    with pytest.raises(NotADirectoryError, match=r"cache_dir '.*a file/cache' cannot be written"):
        run_many(CONFIGS, blocker / "cache")
    assert computed == []


def test_a_failed_run_is_named_and_the_results_before_it_stay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, computed: list[ExperimentConfig]
) -> None:
    fail_on(monkeypatch, CONFIGS[2], ValueError("diverged"))
    with pytest.raises(
        RuntimeError, match=r"the run of rnn on adding, lag 5, seed 0, .* failed: ValueError"
    ):
        run_many(CONFIGS, tmp_path, jobs=1)
    assert stored(CONFIGS, tmp_path) == CONFIGS[:2]  # the plan runs the costliest first


def test_ctrl_c_leaves_whole_entries_and_the_next_run_computes_only_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, computed: list[ExperimentConfig]
) -> None:
    counting = runner._train_together
    fail_on(monkeypatch, CONFIGS[2], KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        run_many(CONFIGS, tmp_path, jobs=1)
    kept = stored(CONFIGS, tmp_path)
    assert kept == CONFIGS[:2]
    monkeypatch.setattr(runner, "_train_together", counting)
    computed.clear()
    run_many(CONFIGS, tmp_path, jobs=1)
    assert computed == CONFIGS[2:]


def test_ctrl_c_while_storing_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, computed: list[ExperimentConfig]
) -> None:
    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(cache.os, "replace", interrupted)
        with pytest.raises(KeyboardInterrupt):
            run_many(CONFIGS[:1], tmp_path, jobs=1)
    assert stored(CONFIGS, tmp_path) == []
    run_many(CONFIGS[:1], tmp_path, jobs=1)  # neither a stray file nor a held lock blocks it
    assert stored(CONFIGS, tmp_path) == CONFIGS[:1]


def kill_on_poison() -> None:
    """A pool worker's initializer: the worker kills itself (SIGKILL) when it starts POISON."""
    train_together = runner._train_together

    def deadly(group: Group) -> list[ExperimentResult]:
        if POISON in group:
            os.kill(os.getpid(), signal.SIGKILL)
        return train_together(group)

    runner._train_together = deadly


def test_a_killed_worker_leaves_whole_entries_and_the_next_run_computes_only_the_rest(
    tmp_path: Path, computed: list[ExperimentConfig]
) -> None:
    """POISON starts only after a worker has returned a run (two workers, it comes fourth)."""
    spawn = get_context("spawn")
    with (
        ProcessPoolExecutor(2, mp_context=spawn, initializer=kill_on_poison) as pool,
        pytest.raises(RuntimeError, match=r"the run of .* failed: BrokenProcessPool: ") as error,
    ):
        run_many(CONFIGS, tmp_path, executor=pool)
    assert "terminated abruptly" in str(error.value)
    kept = stored(CONFIGS, tmp_path)
    assert kept
    assert POISON not in kept
    results = run_many(CONFIGS, tmp_path, jobs=1)
    assert sorted(computed, key=CONFIGS.index) == [c for c in CONFIGS if c not in kept]
    assert [r.config for r in results] == CONFIGS
    assert stored(CONFIGS, tmp_path) == CONFIGS


# ---------------------------------------------------------------- config messages
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"task": "adding-hochreiter", "lag": 10}, r"lag too short for task 'adding-hochreiter'"
         r": length must be >= 20, got 10"),
        ({"task": "agreement", "lag": 1}, r"lag too short for task 'agreement': .* >= 2, got 1"),
        ({"model": "lstm", "init": "identity"}, r"init of model 'lstm' must be one of "
         r"'gaussian', 'orthogonal', got 'identity'"),
        ({"momentum": 1.0}, r"momentum must be in \[0, 1\), got 1.0"),
        ({"eval_batch": 2}, r"eval_batch must be >= 4, got 2"),
        ({"clip": 0.0}, r"clip must be > 0, got 0.0"),
    ],
    ids=["lag-hochreiter", "lag-agreement", "init", "momentum", "eval_batch", "clip"],
)  # fmt: skip
def test_a_field_out_of_range_is_named_with_its_range(fields: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ExperimentConfig(**fields)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: run_many([], jobs=0), ValueError, r"jobs must be >= 1, got 0"),
        (lambda: run_many([], executor=2), TypeError, r"executor must be a concurrent.futures"),
    ],
    ids=["jobs", "executor"],
)
def test_bad_runner_arguments_are_named(
    call: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------- the command line
@pytest.fixture
def chapter(monkeypatch: pytest.MonkeyPatch, computed: list[ExperimentConfig]) -> None:
    """The command line's chapter set is CONFIGS."""
    monkeypatch.setattr(cli, "chapter_experiments", lambda: list(CONFIGS))


def command(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.usefixtures("chapter")
def test_run_list_and_clear(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], computed: list[ExperimentConfig]
) -> None:
    where = ("--cache-dir", str(tmp_path))
    status, out, err = command(capsys, "--only", "gru", "--seeds", "1", "--jobs", "1", *where)
    assert status == 0
    assert computed == CONFIGS[:1]
    assert out == f"1 runs cached in {ex.cache_path(TINY, tmp_path).parent} (1 computed now)\n"
    assert "1/1" in err
    status, out, _ = command(capsys, "list", *where)
    lines = out.splitlines()
    assert lines[0].startswith("solved") or lines[0].startswith("not solved")
    assert [line.split()[0] for line in lines[1:4]] == ["missing"] * 3
    assert lines[-1].startswith("4 runs, 1 cached")
    older = tmp_path / ("0" * 16)
    older.mkdir()
    (tmp_path / "keep.txt").write_text("not the cache's")
    assert command(capsys, "clear", *where)[:2] == (
        0,
        f"removed 1 cached results from {tmp_path}\n",
    )
    assert older.is_dir()
    assert command(capsys, "clear", "--all", *where)[0] == 0
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


@pytest.mark.usefixtures("chapter")
def test_the_cache_dir_defaults_to_the_environment_then_the_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert command(capsys, "run", "--only", "rnn", "--seeds", "1", "--jobs", "1")[0] == 0
    assert ex.cache_path(CONFIGS[2], cli.DEFAULT_CACHE_DIR).is_file()
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "env"))
    assert command(capsys, "run", "--only", "rnn", "--seeds", "1", "--jobs", "1")[0] == 0
    assert ex.cache_path(CONFIGS[2], tmp_path / "env").is_file()


@pytest.mark.usefixtures("chapter")
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--only", "elman"], r"argument --only: unknown model 'elman'; expected .*rnn, irnn"),
        (["--jobs", "0"], r"argument --jobs: expected an integer >= 1, got '0'"),
        (["list", "--seeds", "two"], r"argument --seeds: expected an integer >= 1, got 'two'"),
        (["--task", "copy"], r"argument --task: invalid choice: 'copy'"),
        (["clear", "--jobs", "2"], r"unrecognized arguments: --jobs 2"),
    ],
)
def test_bad_options_exit_2_naming_the_option(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2
    assert re.search(message, capsys.readouterr().err)


@pytest.mark.usefixtures("chapter")
def test_a_failure_exits_1_with_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = a_file(tmp_path)
    status, out, err = command(capsys, "--cache-dir", str(blocker))
    assert (status, out) == (1, "")
    assert err.count("\n") == 1
    assert "cache_dir" in err
    assert "cannot be written" in err
    status, _, err = command(capsys, "--task", "agreement", "--cache-dir", str(tmp_path))
    assert status == 1
    assert err == (
        "python -m rnngrad.experiments: no experiment of the chapter's set has this model "
        "and task\n"
    )
    fail_on(monkeypatch, CONFIGS[0], ValueError("diverged"))
    status, _, err = command(capsys, "--jobs", "1", "--cache-dir", str(tmp_path))
    assert status == 1
    assert err.splitlines()[-1].startswith(
        "python -m rnngrad.experiments: the run of gru on adding, lag 5, seed "
    )  # CONFIGS[0] trains in one group with CONFIGS[1]: either may name the group


def test_the_module_runs_as_a_command(tmp_path: Path) -> None:
    argv = ["list", "--only", "lstm", "--task", "agreement", "--seeds", "1"]
    done = subprocess.run(
        [sys.executable, "-m", "rnngrad.experiments", *argv, "--cache-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    lines = done.stdout.splitlines()
    selected = [
        c for c in ex.chapter_experiments() if (c.model, c.task, c.seed) == ("lstm", "agreement", 0)
    ]  # both LSTM variants, every lag, the first seed
    assert lines[-1].startswith(f"{len(selected)} runs, 0 cached")
    assert all(line.startswith("missing") and "lstm on agreement" in line for line in lines[:-1])


def test_run_refuses_an_unwritable_cache_dir_before_training(
    tmp_path: Path, computed: list[ExperimentConfig]
) -> None:
    blocker = a_file(tmp_path)
    with pytest.raises(NotADirectoryError, match=r"cache_dir '.*a file' cannot be written"):
        ex.run(TINY, blocker)
    assert computed == []
