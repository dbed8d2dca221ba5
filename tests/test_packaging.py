"""Packaging: one version, the type information shipped, every dependency pinned."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import rnngrad

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# The compare extra pins torch itself; its wheel is platform-specific (constraints.txt says why).
PINNED_ELSEWHERE = {"torch"}


def normalized(name: str) -> str:
    """PEP 503: the name pip compares, whatever its spelling."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    found = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert found, f"not a requirement: {requirement!r}"
    return normalized(found.group())


def test_the_version_is_written_once() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project
    assert "version" in project["dynamic"]
    assert importlib.metadata.version("rnngrad") == rnngrad.__version__


def test_the_package_says_it_is_typed() -> None:
    assert (Path(rnngrad.__file__).parent / "py.typed").is_file()


def test_every_requirement_is_pinned_in_the_constraints() -> None:
    """A dependency added to pyproject.toml without `make constraints` fails here."""
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pins = [line for line in lines if line and not line.startswith("#")]
    malformed = [pin for pin in pins if not re.fullmatch(r"[A-Za-z0-9._-]+==[\w.+!-]+", pin)]
    assert not malformed, f"not NAME==VERSION: {malformed}"
    pinned = {normalized(pin.partition("==")[0]) for pin in pins}
    project = PYPROJECT["project"]
    requirements = [
        *project["dependencies"],
        *(r for extra in project["optional-dependencies"].values() for r in extra),
        *PYPROJECT["build-system"]["requires"],
    ]
    unpinned = {requirement_name(r) for r in requirements} - pinned - PINNED_ELSEWHERE
    assert not unpinned, f"not in constraints.txt (run `make constraints`): {sorted(unpinned)}"
