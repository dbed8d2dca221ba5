"""No module of the library imports another module's private name.

The rule, checked on the syntax tree of every module under ``src/``:

* A name that starts with an underscore is private to the module that defines it, so an
  ``import`` statement of another module may not bind it: ``from .heads import _head_loss``
  and ``from ..rnn import _run_forward`` fail, whatever the depth of the relative import,
  and so does the absolute ``from rnngrad.heads import _head_loss``.
* A module whose own name starts with an underscore (``_validate``, ``_types``, ``_kernels``,
  or a ``_name.py`` inside a subpackage) is private to its package, not to itself:
  its public names are there for the package's modules, and the module itself may be
  imported by name (``from . import _kernels``).  Its private names stay private.

A helper that several modules need is therefore made public in a room named for it, which
is what keeps the rooms of the library independent of each other's insides.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
MODULES = sorted(SRC.rglob("*.py"))


def private_imports(path: Path, source: str | None = None) -> list[str]:
    """The imports of the module at ``path`` (its text ``source``, or the file's) that bind
    another module's private name, as ``"file:line: from x import _y"``."""
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level == 0 and not (node.module or "").startswith("rnngrad"):
            continue  # another distribution's names are its own business
        for alias in node.names:
            if alias.name.startswith("_") and not _is_private_module(path, node, alias.name):
                found.append(f"{path.name}:{node.lineno}: from {node.module} import {alias.name}")
    return found


def _is_private_module(path: Path, node: ast.ImportFrom, name: str) -> bool:
    """Whether ``from <node's package> import name`` names a module (``_name.py``) or
    a subpackage of the library rather than a name inside one."""
    base = SRC if node.level == 0 else path.parents[node.level - 1]
    if node.module:
        base = base.joinpath(*node.module.split("."))
    return (base / f"{name}.py").is_file() or (base / name / "__init__.py").is_file()


@pytest.mark.parametrize("module", MODULES, ids=[str(m.relative_to(SRC)) for m in MODULES])
def test_no_module_imports_another_modules_private_name(module: Path) -> None:
    assert private_imports(module) == []


def test_the_check_finds_what_it_forbids_and_allows_the_private_modules() -> None:
    """The rule itself, on a made-up module inside the package."""
    module = SRC / "rnngrad" / "made_up.py"
    source = "\n".join(
        [
            "from .heads import _head_loss, head_loss",
            "from ..rnngrad.rnn import _run_forward",
            "from rnngrad.optim import _as_gradients",
            "from ._validate import _describe",
            "from . import _kernels",
            "from ._kernels import gate_slopes",
            "from numpy import _core",
        ]
    )
    assert private_imports(module, source) == [
        "made_up.py:1: from heads import _head_loss",
        "made_up.py:2: from rnngrad.rnn import _run_forward",
        "made_up.py:3: from rnngrad.optim import _as_gradients",
        "made_up.py:4: from _validate import _describe",
    ]
