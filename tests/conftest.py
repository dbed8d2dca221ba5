"""Shared fixtures: where the project and its built site are."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "site"


@pytest.fixture(scope="session")
def site() -> Path:
    """The assembled site. Its absence is a failure, not a skip: `make test` builds it."""
    if not (SITE / "index.html").is_file():
        pytest.fail(f"{SITE} is missing: run `make html` (or `make test`, which builds it first)")
    return SITE


@pytest.fixture(scope="session")
def equation_numbers(site: Path) -> Callable[[str], dict[tuple[str, str], str]]:
    """``numbers(lang)``: ``{(page, label): number}`` for every numbered equation of one
    edition as the site shows it; ``page`` is the docname (``"why"``, ``"api/rnn"``)."""
    from bs4 import BeautifulSoup

    def numbers(lang: str) -> dict[tuple[str, str], str]:
        found = {}
        for path in sorted((site / lang).rglob("*.html")):
            if "_static" in path.parts:
                continue
            page = path.relative_to(site / lang).with_suffix("").as_posix()
            html = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
            for div in html.select("div.math[id^=equation-]"):
                number = div.select_one("span.eqno")
                if number is not None:
                    label = div["id"].removeprefix("equation-")
                    found[page, label] = number.get_text().strip("()# \n")
        return found

    return numbers


# ------------------------------------------------ rnngrad (helper functions: tests/helpers.py)
@pytest.fixture
def rng() -> np.random.Generator:
    """A freshly seeded generator: every test sees the same numbers."""
    return np.random.default_rng(20130101)
