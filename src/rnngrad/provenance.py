"""What a computed result depends on: one digest of rnngrad's source, for every cache.

The book's execution cache (every page's outputs) and the experiment cache (trained networks)
are both keyed on :func:`source_hash`, so a change to the library can never serve a stale
figure or number. The experiment cache asks only for the modules a run imports, so an edit
to a figure function does not retrain the networks.
"""

from __future__ import annotations

import ast
import hashlib
from functools import cache
from pathlib import Path

import numpy as np

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE = PACKAGE_DIR.name


def source_hash(*modules: str) -> str:
    """Return a hex digest of rnngrad's source and the numpy version.

    Parameters
    ----------
    *modules : str
        Dotted names inside the package (``"experiments"``, ``"plots.training"``). The
        digest covers these modules and every package module they import, directly or
        through others. With none, it covers every module of the package.

    Returns
    -------
    str
        A SHA-256 hex digest: equal on two machines with the same source and numpy.
    """
    for name in modules:
        if not isinstance(name, str) or _module_file(name) is None:
            raise ValueError(f"modules: {name!r} is not a module of {PACKAGE}")
    return _digest(tuple(sorted(modules)))


@cache
def _digest(modules: tuple[str, ...]) -> str:
    files = _imported_files(modules) if modules else set(PACKAGE_DIR.rglob("*.py"))
    digest = hashlib.sha256(f"numpy {np.__version__}".encode())
    for path in sorted(files):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _module_file(name: str) -> Path | None:
    """The file of a dotted module name inside the package (a module or a subpackage)."""
    base = PACKAGE_DIR.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _imported_files(modules: tuple[str, ...]) -> set[Path]:
    """The files of ``modules`` and of every package module they import, transitively.

    A subpackage's ``__init__`` counts only where a module imports the subpackage itself.
    Python also runs it before any of its modules, but what it re-exports does not change
    what they compute: editing the chapter's list of experiments must not invalidate every
    cached result.
    """
    seen: set[Path] = set()
    todo = list(modules)
    while todo:
        name = todo.pop()
        path = _module_file(name)
        if path is None or path in seen:
            continue
        seen.add(path)
        parts = name.split(".")
        todo.extend(_relative_imports(path, parts if path.name == "__init__.py" else parts[:-1]))
    return seen


def _relative_imports(path: Path, package: list[str]) -> list[str]:
    """Dotted names (inside the package) that ``path`` imports with ``from .… import``."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        base = package[: len(package) - (node.level - 1)]
        if node.module is not None:
            names.append(".".join([*base, node.module]))
        # `from .x import y` may name a submodule y of x, or of the package itself.
        prefix = [*base, node.module] if node.module else base
        names.extend(".".join([*prefix, alias.name]) for alias in node.names)
    return [name for name in names if name]
