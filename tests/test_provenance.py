"""The one source digest that keys the book's execution cache and the experiment cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rnngrad import provenance


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A tiny package: runner imports model (relatively) and a subpackage; figure is apart."""
    root = tmp_path / "pkg"
    (root / "sub").mkdir(parents=True)
    (root / "jobs").mkdir()
    files = {
        "__init__.py": "from .figure import draw\n",
        "runner.py": "from .model import Model\nfrom .sub import tools\n",
        "model.py": "import numpy\n",
        "figure.py": "from . import model\n",
        "sub/__init__.py": "",
        "sub/tools.py": "from ..model import Model\n",
        "jobs/__init__.py": "from .chapter import SET\nfrom .worker import run\n",
        "jobs/chapter.py": "SET = 1\n",
        "jobs/worker.py": "from ..model import Model\n",
    }
    for name, text in files.items():
        (root / name).write_text(text)
    monkeypatch.setattr(provenance, "PACKAGE_DIR", root)
    provenance._digest.cache_clear()
    yield root
    provenance._digest.cache_clear()


def _edit(path: Path) -> None:
    path.write_text(path.read_text() + "# edited\n")
    provenance._digest.cache_clear()


@pytest.mark.parametrize("edited", ["model.py", "sub/tools.py", "sub/__init__.py", "runner.py"])
def test_a_module_the_runner_imports_changes_its_hash(package: Path, edited: str) -> None:
    before = provenance.source_hash("runner")
    _edit(package / edited)
    assert provenance.source_hash("runner") != before


def test_a_module_the_runner_does_not_import_leaves_its_hash(package: Path) -> None:
    before = provenance.source_hash("runner")
    _edit(package / "figure.py")
    assert provenance.source_hash("runner") == before
    assert provenance.source_hash() != provenance.source_hash("runner")


def test_what_a_subpackage_lists_leaves_the_hash_of_its_worker(package: Path) -> None:
    before = provenance.source_hash("jobs.worker")
    _edit(package / "jobs" / "chapter.py")
    assert provenance.source_hash("jobs.worker") == before
    _edit(package / "model.py")
    assert provenance.source_hash("jobs.worker") != before


def test_the_whole_package_hash_covers_every_module(package: Path) -> None:
    before = provenance.source_hash()
    _edit(package / "figure.py")
    assert provenance.source_hash() != before


def test_the_experiment_key_covers_the_models_but_not_the_plots() -> None:
    files = provenance._imported_files(("experiments.runner",))
    names = {path.relative_to(provenance.PACKAGE_DIR).as_posix() for path in files}
    computing = {"experiments/runner.py", "experiments/models.py", "train.py", "rnn.py", "lstm.py"}
    assert computing | {"gru.py", "activations.py"} <= names
    assert not any(name.startswith("plots") for name in names)
    assert "experiments/chapter.py" not in names  # a new experiment keeps the others cached


def test_the_hash_of_the_real_package_is_the_same_when_computed_afresh() -> None:
    first = provenance.source_hash("experiments")
    provenance._digest.cache_clear()
    assert provenance.source_hash("experiments") == first
    assert len(first) == 64
    assert provenance.source_hash() != first


@pytest.mark.parametrize("name", ["nonexistent", "experiments.nope", 3])
def test_an_unknown_module_is_named(name: object) -> None:
    with pytest.raises(ValueError, match=r"modules: .* is not a module of rnngrad"):
        provenance.source_hash(name)  # type: ignore[arg-type]
