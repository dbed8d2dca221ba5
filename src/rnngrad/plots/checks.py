"""Argument checks that several figure functions share: label keys and positive curves."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validate import as_float_array
from ..i18n import LABELS
from .style import PALETTE


def check_label_keys(name: str, keys: Collection[str]) -> None:
    """Raise unless ``keys`` are between 1 and len(PALETTE) keys of rnngrad.i18n.LABELS."""
    if not keys:
        raise ValueError(f"{name} must hold at least one entry, got an empty mapping")
    if len(keys) > len(PALETTE):
        raise ValueError(
            f"{name} must hold at most {len(PALETTE)} entries (one colour each), got {len(keys)}"
        )
    unknown = [key for key in keys if key not in LABELS]
    if unknown:
        raise ValueError(f"{name} keys must be label keys of rnngrad.i18n.LABELS, got {unknown}")


def positive_curves(
    where: str, curves: Mapping[str, ArrayLike]
) -> dict[str, NDArray[np.floating[Any]]]:
    """The curves as finite 1-d arrays, each > 0 everywhere (they go on a log scale)."""
    arrays = {
        key: as_float_array(f"{where}[{key!r}]", v, shape=("m",)) for key, v in curves.items()
    }
    for key, values in arrays.items():
        if np.any(values <= 0):
            raise ValueError(f"{where}[{key!r}] must be > 0 (a logarithmic scale)")
    return arrays


def common_length(name: str, arrays: Iterable[NDArray[Any]], what: str = "") -> int:
    """The one length all ``arrays`` share, which must be >= 2."""
    lengths = sorted({a.shape[0] for a in arrays})
    if len(lengths) != 1 or lengths[0] < 2:
        length = f"length {what} >= 2" if what else "length >= 2"
        raise ValueError(f"{name}: the curves must all have the same {length}, got {lengths}")
    return int(lengths[0])
