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

import math
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


#: Below this many entries numpy's float64 tanh beats its exp form (see :func:`tanh_into`).
TANH_EXP_FORM_MIN_SIZE = 16_384


def tanh_into(z: FloatArray, out: FloatArray) -> None:
    """out ← tanh z; ``out`` may be ``z`` itself.

    np.tanh is one call.  For float64 it costs about twice np.exp per entry, so on large
    contiguous arrays the form tanh z = 2σ(2z) − 1, one exp per entry in five calls, is
    10-20 % faster; below :data:`TANH_EXP_FORM_MIN_SIZE` entries the four extra calls
    (≈ 1 µs each) cost more than they save, and on a strided view (the GRU's candidate
    columns) each of the five passes is slow enough that np.tanh wins by 40 %.  numpy's
    float32 tanh is faster than its float32 exp: np.tanh always.
    """
    # The size of one network's block (B, n), not of a stack of K of them: a network must
    # get the same formula, and so the same bits, alone and in a stack.
    exp_form = (
        z.dtype == np.float64
        and math.prod(z.shape[-2:]) >= TANH_EXP_FORM_MIN_SIZE
        and z.flags.c_contiguous
        and out.flags.c_contiguous
    )
    if not exp_form:
        np.tanh(z, out=out)
        return
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
# The loops of the layers run on arrays (T, ..., B, n): one network's (T, B, n), or K
# networks' (T, K, B, n) with weights (K, m, n) (rnngrad.train.train_many).  Time comes
# first so that every step is one contiguous block; each network's products are the same
# BLAS calls on the same shapes as in its own run, so a stack computes every network's
# numbers as that run does.
def contiguous_transpose(W: FloatArray) -> FloatArray:
    """Wᵀ of each network as contiguous memory: numpy multiplies a stack of matrices about
    twice as fast by a contiguous stack as by a transposed view."""
    return np.ascontiguousarray(W.mT)


def per_network_rows(a: FloatArray) -> FloatArray:
    """(T, ..., B, n) → (..., T·B, n): each network's steps as the rows of one matrix
    (a view for one network; a copy for a stack, whose steps interleave the networks)."""
    T, *lead, B, n = a.shape
    if lead:
        a = np.moveaxis(a, 0, len(lead))
    return a.reshape(*lead, T * B, n)


def from_network_rows(rows: FloatArray, T: int) -> FloatArray:
    """The inverse of :func:`per_network_rows`: (..., T·B, n) → (T, ..., B, n)."""
    *lead, TB, n = rows.shape
    return np.moveaxis(rows.reshape(*lead, T, TB // T, n), len(lead), 0)


def input_part(x: FloatArray, U: FloatArray, out: FloatArray) -> None:
    """out ← U x_t for every step t, one matrix product per network."""
    if U.ndim == 2:
        np.matmul(per_network_rows(x), U.T, out=per_network_rows(out))
    else:
        out[...] = from_network_rows(per_network_rows(x) @ U.mT, x.shape[0])


# --------------------------------------------------------------------- gradients
def gradients_from_dz(
    U: FloatArray,
    dz: FloatArray,
    x: FloatArray,
    h_prev: FloatArray,
    dz_recurrent: FloatArray | None = None,
) -> Gradients:
    """Gradients of U, W, b and x from ∂L/∂z_t of the pre-activations z_t = U x_t + W h_{t−1} + b.

    ``dz`` is (T, ..., B, m) (m = n_h, or the stacked gates of a gated layer); ``h_prev``
    holds h_0 … h_{T−1}.  A layer whose recurrent term W h_{t−1} enters z_t differently from
    U x_t (the GRU's reset gate) passes its own ∂L/∂(W h_{t−1}) as ``dz_recurrent``.  Each
    weight gradient is a sum over t of outer products, done as one matrix product over all
    steps: a single large matmul is far faster than T small ones.
    """
    flat = per_network_rows(dz)
    recurrent = flat if dz_recurrent is None else per_network_rows(dz_recurrent)
    return {
        "U": flat.mT @ per_network_rows(x),
        "W": recurrent.mT @ per_network_rows(h_prev),
        # BLAS gemv: faster than flat.sum(axis=-2)
        "b": np.ones(flat.shape[-2], dtype=dz.dtype) @ flat,
        "x": from_network_rows(flat @ U, dz.shape[0]),
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
