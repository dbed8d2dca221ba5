"""What importing a corner of rnngrad imports, and the names its packages export lazily."""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

TRAINING_STACK = ("rnngrad.train", "rnngrad.experiments", "rnngrad.optim", "rnngrad.tasks")


def run_python(code: str) -> str:
    """Run ``code`` in a fresh interpreter; return what it prints, fail on any stderr."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert not done.stderr, done.stderr
    return done.stdout


def test_a_figure_of_activations_does_not_import_the_training_stack() -> None:
    loaded = run_python(
        "import sys\nimport rnngrad.plots.activations\n"
        "print(' '.join(m for m in sys.modules if m.startswith('rnngrad')))"
    ).split()
    assert "rnngrad.plots.activations" in loaded
    assert not set(TRAINING_STACK) & set(loaded), sorted(set(TRAINING_STACK) & set(loaded))


def test_rnngrad_imports_without_fcntl() -> None:
    """As on Windows, where there is no fcntl: the experiment cache locks with filelock."""
    out = run_python(
        "import sys, warnings\n"
        "sys.modules['fcntl'] = None\n"
        # Off Windows, filelock without fcntl falls back on a soft lock, and says so.
        "warnings.filterwarnings('ignore', 'only soft file lock', UserWarning)\n"
        "import rnngrad\n"
        "print(rnngrad.ExperimentConfig().model)"
    )
    assert out == "rnn\n"


def test_train_stays_the_function_when_its_module_is_imported_first() -> None:
    """rnngrad.train names the function, also after something imports the module rnngrad.train."""
    out = run_python(
        "import rnngrad.experiments, rnngrad\n"
        "from rnngrad import *\n"
        "print(rnngrad.train.__name__, type(rnngrad.train).__name__, type(train).__name__)"
    )
    assert out == "train function function\n"


@pytest.mark.parametrize("package", ["rnngrad", "rnngrad.plots"])
def test_every_export_resolves_and_is_listed(package: str) -> None:
    module = importlib.import_module(package)
    assert all(hasattr(module, name) for name in module.__all__)
    assert set(module.__all__) <= set(dir(module))
    with pytest.raises(AttributeError, match=f"module '{package}' has no attribute 'nothing'"):
        module.nothing  # noqa: B018


@pytest.mark.parametrize("package", ["rnngrad", "rnngrad.plots"])
def test_the_lazy_exports_are_the_names_mypy_sees(package: str) -> None:
    """The TYPE_CHECKING imports (for mypy) and the lazy table (at run time) list one set."""
    module = importlib.import_module(package)
    tree = ast.parse(Path(inspect.getfile(module)).read_text(encoding="utf-8"))
    (branch,) = [node for node in tree.body if isinstance(node, ast.If)]
    typed = {
        (node.module, alias.name)
        for node in branch.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    (call,) = [node for node in ast.walk(branch) if isinstance(node, ast.Call)]
    table = ast.literal_eval(call.args[1])
    assert typed == {(module, name) for module, names in table.items() for name in names}
