"""Argument checks shared by every public function.

A bad argument must fail at the door with a message that names it, says what was expected
and what was given -- never as a NaN three steps later or a broadcasting error deep inside
numpy.  Every public function of :mod:`rnngrad` runs its inputs through these helpers so
that all of them speak with one voice.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: A shape pattern: an ``int`` is a required size, a ``str`` names a free size in messages.
ShapeSpec = Sequence[int | str]

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _describe(shape: ShapeSpec) -> str:
    inner = ", ".join(str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def as_float_array(
    name: str,
    value: ArrayLike,
    *,
    shape: ShapeSpec | None = None,
    dtype: np.dtype[Any] | type | None = None,
) -> NDArray[np.floating[Any]]:
    """Return ``value`` as a finite float array, or raise naming ``name``.

    Integers and booleans are promoted to float64; float32 and float64 are kept unless
    ``dtype`` asks for a particular one.  Complex, object and string data are refused.
    ``shape`` is a pattern such as ``("T", "B", 3)``: integers must match, strings match
    any size and only serve to name it in the message.
    """
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged nested lists, unconvertible objects
        raise TypeError(f"{name} must be an array of real numbers; {exc}") from None
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind != "f":
        raise TypeError(
            f"{name} must hold real numbers (float32 or float64), got dtype {arr.dtype}"
        )
    elif arr.dtype not in FLOAT_DTYPES:
        arr = arr.astype(np.float64)
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    if shape is not None:
        check_shape(name, arr, shape)
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(
            f"{name} must be finite, but {bad} of its {arr.size} entries are NaN or inf"
        )
    return arr


def check_shape(name: str, arr: NDArray[Any], shape: ShapeSpec) -> None:
    """Raise ``ValueError`` unless ``arr.shape`` fits the pattern ``shape``."""
    fits = arr.ndim == len(shape) and all(
        isinstance(want, str) or want == got for want, got in zip(shape, arr.shape, strict=False)
    )
    if not fits:
        raise ValueError(f"{name} must have shape {_describe(shape)}, got {tuple(arr.shape)}")


def check_int(name: str, value: object, *, minimum: int | None = None) -> int:
    """Return ``value`` as an ``int`` (bools refused), at least ``minimum`` if given."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_real(name: str, value: object, *, positive: bool = False) -> float:
    """Return ``value`` as a finite ``float``; with ``positive`` it must be > 0."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    number = float(value)
    if not np.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    if positive and number <= 0:
        raise ValueError(f"{name} must be > 0, got {number}")
    return number


def check_choice(name: str, value: object, choices: Collection[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise naming them all."""
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(c) for c in sorted(choices))
        raise ValueError(f"{name} must be one of {listed}, got {value!r}")
    return value


def check_instance(
    name: str, value: object, cls: type | tuple[type, ...], what: str | None = None
) -> None:
    """Raise a TypeError naming ``name`` unless ``value`` is an instance of ``cls`` (of one
    of them, for a tuple).

    ``what`` describes the expected type in the message (default: ``rnngrad.<class name>``
    of the first class).
    """
    if not isinstance(value, cls):
        first = cls[0] if isinstance(cls, tuple) else cls
        expected = what or f"an rnngrad.{first.__name__}"
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__}")


def check_fraction(name: str, value: object) -> float:
    """``value`` as a float in [0, 1), or raise naming ``name``."""
    number = check_real(name, value)
    if not 0.0 <= number < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {number}")
    return number


def float_dtype(dtype: object) -> np.dtype[Any]:
    """``dtype`` as float32 or float64, or raise a TypeError naming it."""
    try:
        resolved: np.dtype[Any] | None = np.dtype(dtype)  # type: ignore[call-overload]
    except TypeError:
        resolved = None
    if resolved is None or resolved not in FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}")
    return resolved


#: What a ``rng`` argument may be: a Generator, a seed, or None for the fixed seed 0.
RngLike = np.random.Generator | int | None


def as_generator(rng: RngLike) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` for ``rng``.

    ``None`` gives a generator seeded with 0, so that every default in the library is
    reproducible; an ``int`` is a seed; a Generator passes through (and is advanced).

    Raises
    ------
    TypeError
        If ``rng`` is none of these.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng(0)
    seed = check_int("rng", rng, minimum=0)
    return np.random.default_rng(seed)
