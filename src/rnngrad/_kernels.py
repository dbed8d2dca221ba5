"""The numerical kernels that the recurrent layers share.

A private module whose names are public to the package: the layers import them, the
reader of the library does not need them.  Three kinds:

* the in-place elementwise kernels of the gated layers' inner loops;
* the weight gradients from ∂L/∂(pre-activations) that closes every layer's backward pass,
  and the global norm of arrays already checked;
* the assembly of state Jacobians from diagonal and row-scaled blocks.

σ(a) = 1/(1 + e^{−a}) and tanh a = 2σ(2a) − 1.  Multiplying the rows of U, W and b that
feed a sigmoid gate by −1, and those of a tanh gate by −2, is exact in floating point, and
turns these gates into the same kernel 1/(1 + e^{·}) with one exp per entry (the GRU's
candidate, with r_t inside its tanh, keeps the tanh of :mod:`rnngrad.activations`).  For the
LSTM the kernel then runs over the whole contiguous (B, 4 n_h) block of a step: numpy is 2-3
times slower on a column block of it (a strided view) than on contiguous memory, and small
calls cost more in overhead than in arithmetic.  The loops run these kernels under one
``np.errstate(over="ignore")``: e^{·} = inf in saturation gives the right limit, σ = 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ._types import FloatArray, Gradients


# --------------------------------------------------------------------- gate kernels
def gate_row_scales(gate_scales: tuple[float, ...], n_h: int, dtype: np.dtype[Any]) -> FloatArray:
    """The factor of each row of the stacked U, W, b: ``gate_scales[q]`` for gate q's n_h rows."""
    return np.repeat(np.asarray(gate_scales, dtype=dtype), n_h)


def logistic_of_negated(a: FloatArray, numerator: float = 1.0) -> None:
    """a ← numerator / (1 + e^a), i.e. numerator · σ(−a), in place."""
    np.exp(a, out=a)
    a += 1.0
    np.divide(numerator, a, out=a)


def tanh_from_logistic(s: FloatArray) -> None:
    """s = σ(2z) ← tanh z = 2 s − 1, in place."""
    s *= 2.0
    s -= 1.0


def tanh_into(z: FloatArray, out: FloatArray) -> None:
    """out ← tanh z = 2σ(2z) − 1, one exp per entry (for float64 np.tanh costs two)."""
    np.multiply(z, -2.0, out=out)
    logistic_of_negated(out, 2.0)
    out -= 1.0


def gate_slopes(gates: FloatArray, tanh_columns: slice, out: FloatArray) -> None:
    """out ← the derivative of each gate's nonlinearity, from the gate values of one step.

    σ′ = σ (1 − σ) over the whole block first (contiguous), then tanh′ = 1 − tanh² over the
    columns of the tanh gate.
    """
    np.subtract(1.0, gates, out=out)
    out *= gates
    tanh_gate, tanh_slope = gates[..., tanh_columns], out[..., tanh_columns]
    np.multiply(tanh_gate, tanh_gate, out=tanh_slope)
    np.subtract(1.0, tanh_slope, out=tanh_slope)


# --------------------------------------------------------------------- stacks
# The loops of the layers run on arrays (..., T, B, n): one network's (T, B, n), or K
# networks' (K, T, B, n) with weights (K, m, n) (rnngrad.batched).  Each network's
# products are then the same BLAS calls on the same shapes as its own run, so a stack
# computes every network's numbers exactly as a single run does.
def merged_steps(a: FloatArray, *, view: bool = False) -> FloatArray:
    """(..., T, B, n) → (..., T·B, n); with ``view``, a view of ``a`` (or an error, never a
    copy), for a matmul that writes all steps in place."""
    *lead, T, B, n = a.shape
    merged: FloatArray = np.reshape(a, (*lead, T * B, n), copy=False if view else None)
    return merged


def at_step(a: FloatArray, t: int) -> FloatArray:
    """Step t of (..., T, B, n): (..., B, n)."""
    return a[..., t, :, :]


# --------------------------------------------------------------------- gradients
def gradients_from_dz(
    U: FloatArray,
    dz: FloatArray,
    x: FloatArray,
    h_prev: FloatArray,
    dz_recurrent: FloatArray | None = None,
) -> Gradients:
    """Gradients of U, W, b and x from ∂L/∂z_t of the pre-activations z_t = U x_t + W h_{t−1} + b.

    ``dz`` is (..., T, B, m) (m = n_h, or the stacked gates of a gated layer); ``h_prev``
    holds h_0 … h_{T−1}.  A layer whose recurrent term W h_{t−1} enters z_t differently from
    U x_t (the GRU's reset gate) passes its own ∂L/∂(W h_{t−1}) as ``dz_recurrent``.  Each
    weight gradient is a sum over t of outer products, done as one matrix product over all
    steps: a single large matmul is far faster than T small ones.
    """
    *lead, T, B, _ = dz.shape
    flat = merged_steps(dz)
    recurrent = flat if dz_recurrent is None else merged_steps(dz_recurrent)
    return {
        "U": flat.mT @ merged_steps(x),
        "W": recurrent.mT @ merged_steps(h_prev),
        "b": np.ones(T * B, dtype=dz.dtype) @ flat,  # BLAS gemv: faster than flat.sum(axis=-2)
        "x": (flat @ U).reshape(*lead, T, B, -1),
    }


def global_norm_of(arrays: Iterable[FloatArray]) -> float:
    """sqrt(Σ Σ g²) of arrays already checked: NaN or inf in, NaN or inf out (the training
    loop records a divergence instead of refusing it)."""
    return float(np.sqrt(sum(float(np.vdot(g, g)) for g in arrays)))


# --------------------------------------------------------------------- Jacobian blocks
def stacked_state(blocks: list[list[FloatArray]]) -> FloatArray:
    """Assemble (T, N, N) full-state Jacobians from a grid of (T, n, n) blocks."""
    return np.concatenate([np.concatenate(row, axis=2) for row in blocks], axis=1)


def diagonal(values: FloatArray) -> FloatArray:
    """(T, n) → (T, n, n): a stack of diagonal matrices."""
    T, n = values.shape
    out = np.zeros((T, n, n), dtype=values.dtype)
    out[:, np.arange(n), np.arange(n)] = values
    return out


def scaled_rows(values: FloatArray, matrix: FloatArray) -> FloatArray:
    """(T, n) and (n, m) → (T, n, m): diag(values_t) · matrix for every t."""
    result: FloatArray = values[:, :, None] * matrix
    return result
