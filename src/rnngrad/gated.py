"""What the gated layers :class:`~rnngrad.lstm.LSTM` and :class:`~rnngrad.gru.GRU` share.

Both follow the layout of ``torch.nn.LSTM`` and ``torch.nn.GRU``: the k gates of a layer
(k = 4 for the LSTM, 3 for the GRU) are stacked along the rows, so U (``weight_ih_l0``) is
(k n_h, n_in), W (``weight_hh_l0``) is (k n_h, n_h) and b is (k n_h,).  Gate number q of the
pre-activation a_t = U x_t + W h_{t−1} + b is the slice ``a_t[q n_h : (q + 1) n_h]``; the
blocks of U and W are written U_q and W_q in the chapter (U_i, W_f, …).

The state Jacobians of a gated layer are not one n_h × n_h matrix per step when the state
has more than one part (the LSTM's (h, c)).  :func:`block_norms_by_lag` takes the norm of one
block of a product of full-state Jacobians, e.g. ∂h_t/∂h_k.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from . import interop
from ._types import FloatArray
from ._validate import (
    RngLike,
    as_float_array,
    as_generator,
    check_choice,
    check_int,
    check_shape,
    float_dtype,
)
from .heads import HeadMixin
from .jacobians import _as_jacobians, _check_times
from .spectral import orthogonal

GATED_RECURRENT_INITS = ("gaussian", "orthogonal")
TORCH_KEYS = interop.TORCH_RNN_KEYS  # the same four names for torch.nn.LSTM and torch.nn.GRU


class GatedLayer(HeadMixin):
    """Parameter checks, construction, torch interop and input checks of a gated layer.

    A subclass is a frozen dataclass with the fields U, W, b (stacked gates), optionally
    extra bias vectors of size n_h named in ``_VECTORS``, and the head fields V, c, head.
    """

    GATES: ClassVar[int]
    _VECTORS: ClassVar[tuple[str, ...]] = ()
    b: FloatArray

    def _set_parameters(self) -> None:
        """Validate U, W, b, the extra vectors and the head; promote them to one dtype."""
        k = self.GATES
        W = as_float_array("W", self.W, shape=(f"{k}*n_h", "n_h"))
        n_h = W.shape[1]
        check_shape("W", W, (k * n_h, n_h))
        params = {
            "U": as_float_array("U", self.U, shape=(k * n_h, "n_in")),
            "W": W,
            "b": as_float_array("b", self.b, shape=(k * n_h,)),
        }
        for name in self._VECTORS:
            params[name] = as_float_array(name, getattr(self, name), shape=(n_h,))
        params |= self._validated_head(n_h)
        dtype = np.result_type(*params.values())
        for name, value in params.items():
            object.__setattr__(self, name, value.astype(dtype, copy=False))

    def parameters(self) -> dict[str, FloatArray]:
        """Return the parameters by name: U, W, b, the layer's extra biases and, with a head,
        V and c."""
        names = ("U", "W", "b", *self._VECTORS)
        if self.V is not None:
            names += ("V", "c")
        return {name: getattr(self, name) for name in names}

    # ----------------------------------------------------------------- checks
    def _state(self, name: str, value: ArrayLike | None, xs: FloatArray) -> FloatArray:
        """An initial state part (B, n_h) in the dtype of x; zeros if None."""
        B = xs.shape[1]
        if value is None:
            return np.zeros((B, self.n_h), dtype=xs.dtype)
        return as_float_array(name, value, shape=(B, self.n_h)).astype(xs.dtype, copy=False)

    def _gradients(self, g: Mapping[str, ArrayLike]) -> dict[str, FloatArray]:
        """The parameter gradients U, W, b and the extra vectors from ``g``, checked."""
        names = ("U", "W", "b", *self._VECTORS)
        return {
            name: as_float_array(
                f"g[{name!r}]", interop.required(g, "g", name), shape=getattr(self, name).shape
            )
            for name in names
        }


def _random_weights(
    gates: int,
    n_in: int,
    n_h: int,
    n_out: int | None,
    recurrent: str,
    rng: RngLike,
    dtype: type,
) -> dict[str, Any]:
    """Return U, W, zero b and (with ``n_out``) V, zero c of a random gated layer.

    U has i.i.d. N(0, 1/n_in) entries, V N(0, 1/n_h), and each gate's block W_q of W is
    i.i.d. N(0, 1/n_h) (``"gaussian"``) or an orthogonal matrix (``"orthogonal"``).

    Raises
    ------
    ValueError, TypeError
        If a size is not an integer ≥ 1, or ``recurrent``, ``rng`` or ``dtype`` is invalid.
    """
    n_in = check_int("n_in", n_in, minimum=1)
    n_h = check_int("n_h", n_h, minimum=1)
    check_choice("recurrent", recurrent, GATED_RECURRENT_INITS)
    dt = float_dtype(dtype)
    gen = as_generator(rng)
    U = gen.standard_normal((gates * n_h, n_in)) / np.sqrt(n_in)
    if recurrent == "gaussian":
        W = gen.standard_normal((gates * n_h, n_h)) / np.sqrt(n_h)
    else:
        W = np.concatenate([orthogonal(n_h, rng=gen) for _ in range(gates)])
    params: dict[str, Any] = {"U": U.astype(dt), "W": W.astype(dt), "b": np.zeros(gates * n_h, dt)}
    if n_out is not None:
        n_out = check_int("n_out", n_out, minimum=1)
        params["V"] = (gen.standard_normal((n_out, n_h)) / np.sqrt(n_h)).astype(dt)
        params["c"] = np.zeros(n_out, dtype=dt)
    return params


def _parameters_from_torch(
    sd: Mapping[str, ArrayLike], gates: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Return (U, W, b_ih, b_hh) from the state dict of a one-layer ``torch.nn.LSTM``/``GRU``.

    Raises
    ------
    ValueError
        If a key is missing or unknown, or the shapes do not fit ``gates`` stacked gates.
    TypeError
        If ``sd`` is not a mapping or a value is not a real array.
    """
    U_NAME, W_NAME, B_IH_NAME, B_HH_NAME = TORCH_KEYS
    layer = {4: "torch.nn.LSTM", 3: "torch.nn.GRU"}[gates]
    interop.check_keys(
        sd, "sd", required_keys=TORCH_KEYS, allowed_keys=TORCH_KEYS, torch_class=layer
    )
    W = as_float_array(f"sd[{W_NAME!r}]", sd[W_NAME], shape=(f"{gates}*n_h", "n_h"))
    n_h = W.shape[1]
    check_shape(f"sd[{W_NAME!r}]", W, (gates * n_h, n_h))
    U = as_float_array(f"sd[{U_NAME!r}]", sd[U_NAME], shape=(gates * n_h, "n_in"))
    b_ih = as_float_array(f"sd[{B_IH_NAME!r}]", sd[B_IH_NAME], shape=(gates * n_h,))
    b_hh = as_float_array(f"sd[{B_HH_NAME!r}]", sd[B_HH_NAME], shape=(gates * n_h,))
    return U, W, b_ih, b_hh


def _torch_state_dict(
    U: FloatArray, W: FloatArray, b_ih: FloatArray, b_hh: FloatArray
) -> dict[str, FloatArray]:
    """Copies of the four arrays under torch's names."""
    arrays = (U, W, b_ih, b_hh)
    return {name: np.array(value) for name, value in zip(TORCH_KEYS, arrays, strict=True)}


def block_norms_by_lag(
    jacobians: ArrayLike, t: int, rows: slice = slice(None), cols: slice = slice(None)
) -> FloatArray:
    """Return ‖[∂z_t/∂z_{t−ℓ}]_{rows, cols}‖_2 for ℓ = 0 … t, one block of a Jacobian product.

    z_j is the full state (for the LSTM, z_j = (h_j, c_j) stacked, 2 n_h entries) and
    ∂z_t/∂z_k = J_t ⋯ J_{k+1} is the product of the full-state Jacobians; the block
    ``[rows, cols]`` of it is, e.g., ∂h_t/∂h_k with ``rows = cols = slice(0, n_h)``.  Only
    the rows asked for are carried through the product, right-multiplying by one older
    J_j per lag.

    Parameters
    ----------
    jacobians : array_like, shape (T, N, N)
        J_1 … J_T of the full state.
    t : int
        The later time, 0 ≤ t ≤ T.
    rows, cols : slice
        The block; the whole matrix by default.

    Returns
    -------
    ndarray of float64, shape (t + 1,)
        ``result[lag]``; ``result[0]`` is the norm of the block of the identity.

    Raises
    ------
    ValueError, TypeError
        If ``jacobians`` is not a finite real stack of square matrices or t is out of range.
    """
    J = _as_jacobians(jacobians)
    t = _check_times(t, 0, J.shape[0])[0]
    product = np.eye(J.shape[1], dtype=J.dtype)[rows]
    blocks = np.empty((t + 1, *product[:, cols].shape), dtype=J.dtype)
    blocks[0] = product[:, cols]
    for lag in range(1, t + 1):
        product = product @ J[t - lag]
        blocks[lag] = product[:, cols]
    return np.linalg.svd(blocks, compute_uv=False)[:, 0].astype(np.float64)


def _stacked_state(blocks: list[list[FloatArray]]) -> FloatArray:
    """Assemble (T, N, N) full-state Jacobians from a grid of (T, n, n) blocks."""
    return np.concatenate([np.concatenate(row, axis=2) for row in blocks], axis=1)


def _diagonal(values: FloatArray) -> FloatArray:
    """(T, n) → (T, n, n): a stack of diagonal matrices."""
    T, n = values.shape
    out = np.zeros((T, n, n), dtype=values.dtype)
    out[:, np.arange(n), np.arange(n)] = values
    return out


def _scaled_rows(values: FloatArray, matrix: FloatArray) -> FloatArray:
    """(T, n) and (n, m) → (T, n, m): diag(values_t) · matrix for every t."""
    result: FloatArray = values[:, :, None] * matrix
    return result


# --------------------------------------------------------------------- kernels of the inner loops
# σ(a) = 1/(1 + e^{−a}) and tanh a = 2σ(2a) − 1.  Multiplying the rows of U, W and b that
# feed a sigmoid gate by −1, and those of a tanh gate by −2, is exact in floating point, and
# turns these gates into the same kernel 1/(1 + e^{·}) with one exp per entry (the GRU's
# candidate, with r_t inside its tanh, keeps the tanh of :mod:`rnngrad.activations`).  For the
# LSTM the kernel then runs over the whole contiguous (B, 4 n_h) block of a step: numpy is 2-3
# times slower on a column block of it (a strided view) than on contiguous memory, and small
# calls cost more in overhead than in arithmetic.  The loops run these kernels under one
# ``np.errstate(over="ignore")``: e^{·} = inf in saturation gives the right limit, σ = 0.


def _gate_row_scales(gate_scales: tuple[float, ...], n_h: int, dtype: np.dtype[Any]) -> FloatArray:
    """The factor of each row of the stacked U, W, b: ``gate_scales[q]`` for gate q's n_h rows."""
    return np.repeat(np.asarray(gate_scales, dtype=dtype), n_h)


def _logistic_of_negated(a: FloatArray, numerator: float = 1.0) -> None:
    """a ← numerator / (1 + e^a), i.e. numerator · σ(−a), in place."""
    np.exp(a, out=a)
    a += 1.0
    np.divide(numerator, a, out=a)


def _tanh_from_logistic(s: FloatArray) -> None:
    """s = σ(2z) ← tanh z = 2 s − 1, in place."""
    s *= 2.0
    s -= 1.0


def _tanh_into(z: FloatArray, out: FloatArray) -> None:
    """out ← tanh z = 2σ(2z) − 1, one exp per entry (for float64 np.tanh costs two)."""
    np.multiply(z, -2.0, out=out)
    _logistic_of_negated(out, 2.0)
    out -= 1.0


def _gate_slopes(gates: FloatArray, tanh_columns: slice, out: FloatArray) -> None:
    """out ← the derivative of each gate's nonlinearity, from the gate values of one step.

    σ′ = σ (1 − σ) over the whole block first (contiguous), then tanh′ = 1 − tanh² over the
    columns of the tanh gate.
    """
    np.subtract(1.0, gates, out=out)
    out *= gates
    tanh_gate, tanh_slope = gates[:, tanh_columns], out[:, tanh_columns]
    np.multiply(tanh_gate, tanh_gate, out=tanh_slope)
    np.subtract(1.0, tanh_slope, out=tanh_slope)
