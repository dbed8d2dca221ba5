"""Shared fixtures: where the project and its built site are."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "site"


@pytest.fixture(scope="session")
def site() -> Path:
    """The assembled site. Its absence is a failure, not a skip: `make test` builds it."""
    if not (SITE / "index.html").is_file():
        pytest.fail(f"{SITE} is missing: run `make html` (or `make test`, which builds it first)")
    return SITE
