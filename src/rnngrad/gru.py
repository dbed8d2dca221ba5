"""The gated recurrent unit (GRU) of ``torch.nn.GRU``, with exact backpropagation.

For t = 1, …, T, with σ the logistic sigmoid and ⊙ the elementwise product,

    r_t = σ(U_r x_t + W_r h_{t−1} + b_r)                       (reset gate)
    u_t = σ(U_u x_t + W_u h_{t−1} + b_u)                       (update gate)
    n_t = tanh(U_n x_t + b_n + r_t ⊙ (W_n h_{t−1} + b_hn))     (candidate)
    h_t = (1 − u_t) ⊙ n_t + u_t ⊙ h_{t−1},

exactly the equations and the gate order of ``torch.nn.GRU`` (Cho et al. 2014 with the
reset gate applied after the recurrent product; torch names the update gate z, which the
chapter keeps for the pre-activation of the simple network).  torch's two biases add up for
r and u, so b = [b_r; b_u; b_n] holds ``bias_ih_l0`` + ``bias_hh_l0`` in its first 2 n_h
entries and ``bias_ih_l0`` alone in the last n_h; the recurrent bias of the candidate sits
inside r_t ⊙ (…) and is kept apart as b_hn.

Where the LSTM has its cell, the GRU has the update gate: ∂h_t/∂h_{t−1} contains the
term diag(u_t), so a unit with u ≈ 1 copies its state forward and the gradient through it
with it.  See :meth:`GRU.state_jacobians`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike

from ._kernels import (
    contiguous_transpose,
    diagonal,
    gate_row_scales,
    gate_slopes,
    gradients_from_dz,
    input_part,
    logistic_of_negated,
    scaled_rows,
)
from ._types import FloatArray, Gradients
from ._validate import RngLike, as_float_array
from .activations import ACTIVATIONS
from .layer import RecurrentLayer

_TANH = ACTIVATIONS["tanh"]

#: Row factors of U, W, b for the gate kernel (see ``rnngrad._kernels``): r and u are
#: sigmoids; the rows of n are left as they are (its tanh has r ⊙ (W_n h + b_hn) inside).
_GATE_SCALES = (-1.0, -1.0, 1.0)


@dataclass(frozen=True, eq=False)
class GRUCache:
    """What :meth:`GRU.backward` needs from :meth:`GRU.forward`.

    Attributes
    ----------
    x : ndarray, shape (T, B, n_in)
        The inputs.
    states : ndarray, shape (T + 1, B, n_h)
        h_0 … h_T.
    gates : ndarray, shape (T, B, 3 n_h)
        r_t, u_t, n_t side by side (after their nonlinearities).
    recurrent_candidate : ndarray, shape (T, B, n_h)
        W_n h_{t−1} + b_hn, the term the reset gate multiplies.
    """

    x: FloatArray
    states: FloatArray
    gates: FloatArray
    recurrent_candidate: FloatArray


@dataclass(frozen=True, eq=False)
class GRU(RecurrentLayer):
    """A GRU layer as ``torch.nn.GRU`` (gate order r, u, n), with an optional head.

    Parameters
    ----------
    U : array_like, shape (3 n_h, n_in)
        Input weights of the gates, stacked [U_r; U_u; U_n].
    W : array_like, shape (3 n_h, n_h)
        Recurrent weights [W_r; W_u; W_n].
    b : array_like, shape (3 n_h,)
        [b_r; b_u; b_n]: the summed torch biases of r and u, and the input bias of n.
    b_hn : array_like, shape (n_h,), optional
        The recurrent bias of the candidate, inside r_t ⊙ (W_n h_{t−1} + b_hn); zeros if None.
    V : array_like, shape (n_out, n_h), optional
        Output weights of the head ŷ_t = g(V h_t + c) (see :class:`~rnngrad.heads.HeadMixin`).
    c : array_like, shape (n_out,), optional
        Output bias; zeros if V is given without it.
    head : str, optional
        ``"softmax"`` or ``"linear"``; defaults to ``"softmax"`` when V is given.

    Raises
    ------
    ValueError
        If a shape does not fit, an entry is NaN/inf, or a name is unknown.
    TypeError
        If a parameter is not a real array.
    """

    U: FloatArray
    W: FloatArray
    b: FloatArray
    b_hn: FloatArray | None = None
    V: FloatArray | None = None
    c: FloatArray | None = None
    head: str | None = None

    GATES: ClassVar[int] = 3
    TORCH_CLASS: ClassVar[str] = "torch.nn.GRU"
    VECTORS: ClassVar[tuple[str, ...]] = ("b_hn",)

    def __post_init__(self) -> None:
        if self.b_hn is None:  # zeros in W's dtype, so that a float32 layer stays float32
            W = np.asarray(self.W)
            dtype = W.dtype if W.dtype.kind == "f" else np.float64
            object.__setattr__(self, "b_hn", np.zeros(W.shape[-1] if W.ndim == 2 else 0, dtype))
        self._set_parameters()

    # ----------------------------------------------------------------- construction
    @classmethod
    def random(
        cls,
        n_in: int,
        n_h: int,
        n_out: int | None = None,
        *,
        head: str = "softmax",
        recurrent: str = "gaussian",
        rng: RngLike = None,
        dtype: type = np.float64,
    ) -> GRU:
        """Return a randomly initialised GRU (reproducible: ``rng=None`` means seed 0).

        U has i.i.d. N(0, 1/n_in) entries, each gate's block of W is i.i.d. N(0, 1/n_h)
        (``recurrent="gaussian"``) or orthogonal (``"orthogonal"``), V is N(0, 1/n_h); the
        biases are zero.

        Parameters
        ----------
        n_in, n_h : int
            Input and state sizes, ≥ 1.
        n_out : int, optional
            Output size of the head; None for a layer without a head.
        head : str
            ``"softmax"`` or ``"linear"``; ignored without ``n_out``.
        recurrent : str
            ``"gaussian"`` or ``"orthogonal"``.
        rng : numpy.random.Generator, int or None
            Random source or seed.
        dtype : type
            ``np.float64`` or ``np.float32``.

        Returns
        -------
        GRU

        Raises
        ------
        ValueError, TypeError
            If a size is not an integer ≥ 1 or a name or dtype is unknown.
        """
        # b_hn is left to __post_init__: zeros in W's dtype.
        return cls(**cls._random_parameters(n_in, n_h, n_out, head, recurrent, rng, dtype))

    @classmethod
    def from_torch_state_dict(cls, sd: Mapping[str, ArrayLike]) -> GRU:
        """Build the layer from the state dict of a one-layer ``torch.nn.GRU``.

        ``weight_ih_l0`` → U, ``weight_hh_l0`` → W; b = ``bias_ih_l0`` plus the r and u
        parts of ``bias_hh_l0``; b_hn = the n part of ``bias_hh_l0``.  torch is not needed.

        Parameters
        ----------
        sd : mapping of str to array_like
            Exactly the four keys above, of shapes (3 n_h, n_in), (3 n_h, n_h), (3 n_h,),
            (3 n_h,).

        Returns
        -------
        GRU
            Without a head; float32 tensors give a float32 layer.

        Raises
        ------
        ValueError
            If a key is missing or unknown, or a shape does not fit.
        TypeError
            If ``sd`` is not a mapping or a value is not a real array.
        """
        U, W, b_ih, b_hh = cls._torch_parameters(sd)
        n_h = W.shape[1]
        b = b_ih.copy()
        b[: 2 * n_h] += b_hh[: 2 * n_h]
        return cls(U, W, b, b_hh[2 * n_h :])

    def _torch_biases(
        self, arrays: Mapping[str, FloatArray], *, gradients: bool
    ) -> tuple[FloatArray, FloatArray]:
        """``bias_ih_l0`` is b (or ∂L/∂b); ``bias_hh_l0`` is [0; 0; b_hn] for the parameters,
        and for gradients the r and u parts of ∂L/∂b (the two torch biases enter r and u
        alike) followed by ∂L/∂b_hn."""
        b, n = arrays["b"], self.n_h
        rz = b[: 2 * n] if gradients else np.zeros_like(b[: 2 * n])
        return b, np.concatenate([rz, arrays["b_hn"]])

    # ----------------------------------------------------------------- the recurrence
    def forward(self, x: ArrayLike, h0: ArrayLike | None = None) -> tuple[FloatArray, GRUCache]:
        """Run the GRU over a batch of sequences.

        Parameters
        ----------
        x : array_like, shape (T, B, n_in)
            The inputs x_1 … x_T; T, B ≥ 1.  Its dtype is the dtype of the computation.
        h0 : array_like, shape (B, n_h), optional
            The initial state h_0; zeros if None.

        Returns
        -------
        hs : ndarray, shape (T, B, n_h)
            h_1 … h_T (a view into ``cache.states``).
        cache : GRUCache
            For :meth:`backward`.

        Raises
        ------
        ValueError, TypeError
            If x or h0 has the wrong shape, is not real, or holds NaN/inf.
        """
        return self._forward(self._inputs(x), h0)

    def _forward(self, xs: FloatArray, h0: ArrayLike | None) -> tuple[FloatArray, GRUCache]:
        state0 = self._state("h0", h0, xs)
        U, W, b, b_hn = self._cast(xs.dtype, "U", "W", "b", "b_hn")
        cache = _run_forward(U, W, b, b_hn, xs, state0)
        return cache.states[1:], cache

    def backward(self, dhs: ArrayLike, cache: GRUCache) -> Gradients:
        """Backpropagate through time the gradients ∂L/∂h_t arriving from outside.

        Parameters
        ----------
        dhs : array_like, shape (T, B, n_h)
            ``dhs[t - 1]`` is ∂L/∂h_t through everything but the recurrence.
        cache : GRUCache
            From :meth:`forward`, with this layer's parameters unchanged since.

        Returns
        -------
        dict of str to ndarray
            ``"U"``, ``"W"``, ``"b"``, ``"b_hn"``: parameter gradients; ``"x"`` (T, B, n_in)
            and ``"h0"`` (B, n_h).  In the forward dtype.

        Raises
        ------
        ValueError, TypeError
            If dhs does not match the cache, or cache is not a GRUCache.
        """
        return self._backward(self._checked_gradient_input(dhs, cache, GRUCache), cache)

    def _backward(self, dhs: FloatArray, cache: GRUCache) -> Gradients:
        U, W = self._cast(dhs.dtype, "U", "W")
        dgates, drecurrent, dh0 = _backprop(W, cache, dhs)
        n = self.n_h
        grads = gradients_from_dz(U, dgates, cache.x, cache.states[:-1], drecurrent)
        d_bhn = drecurrent[..., 2 * n :].sum(axis=(0, -2))
        return grads | {"b_hn": d_bhn, "h0": dh0}

    # ----------------------------------------------------------------- Jacobians
    def state_jacobians(self, x: ArrayLike, h0: ArrayLike | None = None) -> FloatArray:
        """Return J_j = ∂h_j/∂h_{j−1}, j = 1 … T, along one sequence.

        In numerator layout, writing D(v) = diag(v) and q_j = W_n h_{j−1} + b_hn,

            J_j = D(u_j) + D((h_{j−1} − n_j) ⊙ u_j ⊙ (1 − u_j)) W_u
                  + D((1 − u_j) ⊙ (1 − n_j²) ⊙ r_j) W_n
                  + D((1 − u_j) ⊙ (1 − n_j²) ⊙ q_j ⊙ r_j ⊙ (1 − r_j)) W_r.

        The first term is the GRU's carousel: with u ≈ 1 the state and its gradient pass
        unchanged.  The result works with :func:`~rnngrad.jacobians.jacobian_product` and
        :func:`~rnngrad.jacobians.product_norms_by_lag` as the RNN's does.

        Parameters
        ----------
        x : array_like, shape (T, n_in)
            One sequence.
        h0 : array_like, shape (n_h,), optional
            h_0; zeros if None.

        Returns
        -------
        ndarray, shape (T, n_h, n_h)
            ``result[j - 1]`` = J_j.

        Raises
        ------
        ValueError, TypeError
            If x or h0 is invalid.
        """
        xs = self._sequence(x)
        first = None if h0 is None else as_float_array("h0", h0, shape=(self.n_h,))[None]
        cache = self.forward(xs, first)[1]
        r, u, n = np.split(cache.gates[:, 0], 3, axis=1)
        h_prev, q = cache.states[:-1, 0], cache.recurrent_candidate[:, 0]
        W_r, W_u, W_n = np.split(self.W.astype(r.dtype, copy=False), 3)
        through_n = (1 - u) * (1 - n * n)
        return (
            diagonal(u)
            + scaled_rows((h_prev - n) * u * (1 - u), W_u)
            + scaled_rows(through_n * r, W_n)
            + scaled_rows(through_n * q * r * (1 - r), W_r)
        )


# --------------------------------------------------------------------- the numerics
def _run_forward(
    U: FloatArray, W: FloatArray, b: FloatArray, b_hn: FloatArray, x: FloatArray, h0: FloatArray
) -> GRUCache:
    T, *lead, B, _ = x.shape
    n = W.shape[-1]
    # Rows scaled for the gate kernel: the pre-activations of r and u come out as −a.
    scales = gate_row_scales(_GATE_SCALES, n, x.dtype)
    U, W, b = U * scales[:, None], W * scales[:, None], b * scales
    gates = np.empty((T, *lead, B, 3 * n), dtype=x.dtype)
    # The input part U x_t + b of all three gates at every step in one large matmul.
    input_part(x, U, out=gates)
    gates += b[..., None, :]
    states = np.empty((T + 1, *lead, B, n), dtype=x.dtype)
    states[0] = h0
    candidate = np.empty((T, *lead, B, n), dtype=x.dtype)
    recurrent = np.empty((*lead, B, 3 * n), dtype=x.dtype)
    Wt, bias_hn = contiguous_transpose(W), b_hn[..., None, :]
    with np.errstate(over="ignore"):
        for t in range(T):
            np.matmul(states[t], Wt, out=recurrent)
            G, q = gates[t], candidate[t]
            G[..., : 2 * n] += recurrent[..., : 2 * n]
            logistic_of_negated(G[..., : 2 * n])
            r, u, new = G[..., :n], G[..., n : 2 * n], G[..., 2 * n :]
            np.add(recurrent[..., 2 * n :], bias_hn, out=q)
            np.multiply(r, q, out=recurrent[..., 2 * n :])
            new += recurrent[..., 2 * n :]
            _TANH.apply_in_place(new)
            # h_t = n_t + u_t ⊙ (h_{t−1} − n_t): one product instead of two.
            h = states[t + 1]
            np.subtract(states[t], new, out=h)
            h *= u
            h += new
    return GRUCache(x, states, gates, candidate)


def _backprop(
    W: FloatArray, cache: GRUCache, dhs: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return ∂L/∂(U x_t + b), ∂L/∂(W h_{t−1} + [0; 0; b_hn]) for all t, and ∂L/∂h_0."""
    T, *lead, B, n = dhs.shape
    dgates = np.empty((T, *lead, B, 3 * n), dtype=dhs.dtype)
    drecurrent = np.empty_like(dgates)
    dh = np.zeros((*lead, B, n), dtype=dhs.dtype)  # ∂L/∂h_t through the recurrence
    dn = np.empty_like(dh)
    gate_derivs = np.empty((*lead, B, 3 * n), dtype=dhs.dtype)
    n_columns, ru_columns = slice(2 * n, 3 * n), slice(0, 2 * n)
    for t in range(T - 1, -1, -1):
        G, D, R = cache.gates[t], dgates[t], drecurrent[t]
        r, u, new = G[..., :n], G[..., n : 2 * n], G[..., 2 * n :]
        dr, dz, dnew = D[..., :n], D[..., n : 2 * n], D[..., 2 * n :]
        dh += dhs[t]
        gate_slopes(G, n_columns, gate_derivs)
        # ∂L/∂u_t and ∂L/∂n_t, then n_t's slope, which ∂L/∂r_t needs, then r_t's and u_t's.
        np.subtract(cache.states[t], new, out=dz)
        dz *= dh
        np.subtract(1.0, u, out=dnew)
        dnew *= dh
        dnew *= gate_derivs[..., n_columns]
        np.multiply(dnew, cache.recurrent_candidate[t], out=dr)
        D[..., ru_columns] *= gate_derivs[..., ru_columns]
        R[..., ru_columns] = D[..., ru_columns]
        np.multiply(dnew, r, out=R[..., n_columns])
        np.matmul(R, W, out=dn)
        dh *= u  # the direct path h_t = … + u_t ⊙ h_{t−1}
        dh += dn
    return dgates, drecurrent, dh
