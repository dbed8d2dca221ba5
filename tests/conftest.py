"""Shared fixtures: where the project and its built site are, and a seeded generator.

Helper functions live in plain modules: tests/helpers.py (the layers), tests/built_site.py
(reading the built site), tests/plot_helpers.py (figures).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from built_site import ROOT, SITE

# The extension rnngrad_book is tested in-process on the tiny projects in tests/roots
# (``@pytest.mark.sphinx("html", testroot="handout")`` builds tests/roots/test-handout).
pytest_plugins = ("sphinx.testing.fixtures",)


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where sphinx.testing finds the test projects."""
    return ROOT / "tests" / "roots"


@pytest.fixture(autouse=True)
def _environment_restored() -> Iterator[None]:
    """The book's extension sets the kernel's environment variables; none may leak into
    the next test."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def site() -> Path:
    """The assembled site. Its absence is a failure, not a skip: `make test` builds it."""
    if not (SITE / "index.html").is_file():
        pytest.fail(f"{SITE} is missing: run `make html` (or `make test`, which builds it first)")
    return SITE


@pytest.fixture
def rng() -> np.random.Generator:
    """A freshly seeded generator: every test sees the same numbers."""
    return np.random.default_rng(20130101)
