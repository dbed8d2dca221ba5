"""Shared fixtures: where the project and its built site are."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from rnngrad import RNN

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "site"


@pytest.fixture(scope="session")
def site() -> Path:
    """The assembled site. Its absence is a failure, not a skip: `make test` builds it."""
    if not (SITE / "index.html").is_file():
        pytest.fail(f"{SITE} is missing: run `make html` (or `make test`, which builds it first)")
    return SITE


# ---------------------------------------------------------------- rnngrad core fixtures
@pytest.fixture
def rng() -> np.random.Generator:
    """A freshly seeded generator: every test sees the same numbers."""
    return np.random.default_rng(20130101)


@pytest.fixture
def make_rnn() -> Callable[..., RNN]:
    """Factory of small networks with non-zero biases, so that every parameter matters."""

    def make(
        activation: str = "tanh",
        *,
        n_in: int = 3,
        n_h: int = 4,
        n_out: int | None = 5,
        head: str = "softmax",
        seed: int = 0,
    ) -> RNN:
        gen = np.random.default_rng(seed)
        model = RNN.random(n_in, n_h, n_out, activation=activation, head=head, rng=gen)
        extra: dict[str, np.ndarray] = {"b": 0.3 * gen.standard_normal(n_h)}
        if n_out is not None:
            extra["c"] = 0.3 * gen.standard_normal(n_out)
        return dataclasses.replace(model, **extra)

    return make
