"""The long short-term memory (LSTM) layer of ``torch.nn.LSTM``, with exact backpropagation.

For t = 1, …, T, with σ the logistic sigmoid and ⊙ the elementwise product,

    i_t = σ(U_i x_t + W_i h_{t−1} + b_i)        (input gate)
    f_t = σ(U_f x_t + W_f h_{t−1} + b_f)        (forget gate)
    g_t = tanh(U_g x_t + W_g h_{t−1} + b_g)     (cell input)
    o_t = σ(U_o x_t + W_o h_{t−1} + b_o)        (output gate)
    c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t,      h_t = o_t ⊙ tanh(c_t),

exactly the equations and the gate order (i, f, g, o) of ``torch.nn.LSTM``, whose
``weight_ih_l0`` is U = [U_i; U_f; U_g; U_o], ``weight_hh_l0`` is W and whose two biases
add up to b.  The state of the layer is the pair (h_t, c_t); h_t is its output.

**The constant error carousel.**  The cell is updated additively, so along the cell alone
∂c_t/∂c_{t−1} = diag(f_t) -- no weight matrix, no squashing derivative.  Without a forget
gate (``forget_gate=False``: f_t ≡ 1, c_t = c_{t−1} + i_t ⊙ g_t, the LSTM of Hochreiter and
Schmidhuber 1997, to which Gers, Schmidhuber and Cummins 2000 added f_t) this factor is the
identity, and an error on c_t travels back any number of steps unchanged.  The other paths,
through h (c_{k} → h_{k+1} → the gates at k + 2 → c_{k+2} …), do carry W and the gate
derivatives; :meth:`LSTM.state_jacobians` has all of them.

Arrays are laid out as in :mod:`rnngrad.rnn`: x is (T, B, n_in), the states (T, B, n_h),
and the cache keeps h_0 … h_T and c_0 … c_T.  The fast path follows the RNN's: the input
projections of all four gates for all steps in one matrix product up front, one
(B, n_h) @ (n_h, 4 n_h) product per step, preallocated buffers, in-place elementwise kernels,
and the weight gradients as one product over all steps at the end.  The four nonlinearities
of a step are one kernel over the contiguous (B, 4 n_h) block, and so are their derivatives
(see ``rnngrad._kernels``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
from numpy.typing import ArrayLike

from ._kernels import (
    diagonal,
    gate_row_scales,
    gate_slopes,
    gradients_from_dz,
    logistic_of_negated,
    scaled_rows,
    stacked_state,
    tanh_from_logistic,
    tanh_into,
)
from ._types import FloatArray, Gradients
from ._validate import RngLike, as_float_array, check_choice, check_real
from .activations import ACTIVATIONS
from .jacobians import product_norms_by_lag
from .layer import RecurrentLayer

#: Which block of the LSTM's state Jacobian :meth:`LSTM.jacobian_norms_by_lag` reports.
LSTM_BLOCKS = ("h", "c", "state", "carousel")

#: The initial state (h_0, c_0) of :meth:`LSTM.forward`; a part that is None means zeros.
InitialState = tuple[ArrayLike | None, ArrayLike | None]

_TANH = ACTIVATIONS["tanh"]

#: Row factors of U, W, b for the gate kernel (see ``rnngrad._kernels``): i, f, o are
#: sigmoids, g a tanh.
_GATE_SCALES = (-1.0, -1.0, -2.0, -1.0)


@dataclass(frozen=True, eq=False)
class LSTMCache:
    """What :meth:`LSTM.backward` needs from :meth:`LSTM.forward`.

    Attributes
    ----------
    x : ndarray, shape (T, B, n_in)
        The inputs.
    states : ndarray, shape (T + 1, B, n_h)
        h_0 … h_T.
    cells : ndarray, shape (T + 1, B, n_h)
        c_0 … c_T.
    gates : ndarray, shape (T, B, 4 n_h)
        i_t, f_t, g_t, o_t side by side (after their nonlinearities).
    tanh_cells : ndarray, shape (T, B, n_h)
        tanh(c_1) … tanh(c_T).
    """

    x: FloatArray
    states: FloatArray
    cells: FloatArray
    gates: FloatArray
    tanh_cells: FloatArray


@dataclass(frozen=True, eq=False)
class LSTM(RecurrentLayer):
    """An LSTM layer as ``torch.nn.LSTM`` (gate order i, f, g, o), with an optional head.

    Parameters
    ----------
    U : array_like, shape (4 n_h, n_in)
        Input weights of the gates, stacked [U_i; U_f; U_g; U_o].
    W : array_like, shape (4 n_h, n_h)
        Recurrent weights [W_i; W_f; W_g; W_o].
    b : array_like, shape (4 n_h,)
        Biases [b_i; b_f; b_g; b_o] (torch's ``bias_ih_l0 + bias_hh_l0``).
    forget_gate : bool
        True (default): c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t.  False: the 1997 LSTM without a
        forget gate, c_t = c_{t−1} + i_t ⊙ g_t; the f rows of U, W and b are then unused
        and get zero gradients.
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
        If a parameter is not a real array or ``forget_gate`` is not a bool.
    """

    U: FloatArray
    W: FloatArray
    b: FloatArray
    forget_gate: bool = True
    V: FloatArray | None = None
    c: FloatArray | None = None
    head: str | None = None

    GATES: ClassVar[int] = 4
    TORCH_CLASS: ClassVar[str] = "torch.nn.LSTM"

    def __post_init__(self) -> None:
        if not isinstance(self.forget_gate, bool | np.bool_):
            raise TypeError(
                f"forget_gate must be True or False, got {type(self.forget_gate).__name__}"
            )
        object.__setattr__(self, "forget_gate", bool(self.forget_gate))
        self._set_parameters()

    # ----------------------------------------------------------------- construction
    @classmethod
    def random(
        cls,
        n_in: int,
        n_h: int,
        n_out: int | None = None,
        *,
        forget_gate: bool = True,
        forget_bias: float = 1.0,
        head: str = "softmax",
        recurrent: str = "gaussian",
        rng: RngLike = None,
        dtype: type = np.float64,
    ) -> LSTM:
        """Return a randomly initialised LSTM (reproducible: ``rng=None`` means seed 0).

        U has i.i.d. N(0, 1/n_in) entries, each gate's block of W is i.i.d. N(0, 1/n_h)
        (``recurrent="gaussian"``) or orthogonal (``"orthogonal"``), V is N(0, 1/n_h); the
        biases are zero except b_f = ``forget_bias``.  A forget bias of 1 (Gers et al. 2000;
        Jozefowicz, Zaremba and Sutskever 2015) starts f_t near σ(1) ≈ 0.73, so that the
        cell remembers from the first update; 0 is torch's choice up to its random biases.
        Without a forget gate its rows are zero.

        Parameters
        ----------
        n_in, n_h : int
            Input and state sizes, ≥ 1.
        n_out : int, optional
            Output size of the head; None for a layer without a head.
        forget_gate : bool
            See :class:`LSTM`.
        forget_bias : float
            The initial b_f.
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
        LSTM

        Raises
        ------
        ValueError, TypeError
            If a size is not an integer ≥ 1, ``forget_bias`` is not a finite number, or a
            name or dtype is unknown.
        """
        bias = check_real("forget_bias", forget_bias)
        params = cls._random_parameters(n_in, n_h, n_out, head, recurrent, rng, dtype)
        forget_rows = slice(n_h, 2 * n_h)
        if forget_gate:
            params["b"][forget_rows] = bias
        else:
            params["U"][forget_rows] = params["W"][forget_rows] = 0.0
        return cls(forget_gate=forget_gate, **params)

    @classmethod
    def from_torch_state_dict(cls, sd: Mapping[str, ArrayLike]) -> LSTM:
        """Build the layer from the state dict of a one-layer ``torch.nn.LSTM``.

        ``weight_ih_l0`` → U, ``weight_hh_l0`` → W, b = ``bias_ih_l0`` + ``bias_hh_l0``.
        torch is not needed: the values may be tensors or anything ``numpy.asarray`` takes.

        Parameters
        ----------
        sd : mapping of str to array_like
            Exactly the four keys above, of shapes (4 n_h, n_in), (4 n_h, n_h), (4 n_h,),
            (4 n_h,).

        Returns
        -------
        LSTM
            With a forget gate and without a head; float32 tensors give a float32 layer.

        Raises
        ------
        ValueError
            If a key is missing or unknown, or a shape does not fit.
        TypeError
            If ``sd`` is not a mapping or a value is not a real array.
        """
        U, W, b_ih, b_hh = cls._torch_parameters(sd)
        return cls(U, W, b_ih + b_hh)

    # ----------------------------------------------------------------- the recurrence
    def forward(self, x: ArrayLike, h0: InitialState | None = None) -> tuple[FloatArray, LSTMCache]:
        """Run the LSTM over a batch of sequences.

        Parameters
        ----------
        x : array_like, shape (T, B, n_in)
            The inputs x_1 … x_T; T, B ≥ 1.  Its dtype is the dtype of the computation.
        h0 : (array_like, array_like), optional
            The initial state (h_0, c_0), each (B, n_h); zeros if None (either part may be
            None too).

        Returns
        -------
        hs : ndarray, shape (T, B, n_h)
            h_1 … h_T (a view into ``cache.states``).
        cache : LSTMCache
            For :meth:`backward`; ``cache.cells[-1]`` is the last cell state c_T.

        Raises
        ------
        ValueError, TypeError
            If x, h_0 or c_0 has the wrong shape, is not real, or holds NaN/inf, or ``h0``
            is not a pair.
        """
        xs = self._inputs(x)
        first_h, first_c = _pair(h0)
        state0 = self._state("h0", first_h, xs), self._state("c0", first_c, xs)
        U, W, b = self._cast(xs.dtype, "U", "W", "b")
        cache = _run_forward(U, W, b, xs, *state0, forget_gate=self.forget_gate)
        return cache.states[1:], cache

    def backward(self, dhs: ArrayLike, cache: LSTMCache) -> Gradients:
        """Backpropagate through time the gradients ∂L/∂h_t arriving from outside.

        Parameters
        ----------
        dhs : array_like, shape (T, B, n_h)
            ``dhs[t - 1]`` is ∂L/∂h_t through everything but the recurrence.
        cache : LSTMCache
            From :meth:`forward`, with this layer's parameters unchanged since.

        Returns
        -------
        dict of str to ndarray
            ``"U"``, ``"W"``, ``"b"``: parameter gradients (stacked like the parameters);
            ``"x"`` (T, B, n_in), ``"h0"`` and ``"c0"`` (B, n_h).  In the forward dtype.

        Raises
        ------
        ValueError, TypeError
            If dhs does not match the cache, or cache is not an LSTMCache.
        """
        return self._backward(self._checked_gradient_input(dhs, cache, LSTMCache), cache)

    def _backward(self, dhs: FloatArray, cache: LSTMCache) -> Gradients:
        U, W = self._cast(dhs.dtype, "U", "W")
        dgates, dh0, dc0 = _backprop(W, cache, dhs, forget_gate=self.forget_gate)
        return gradients_from_dz(U, dgates, cache.x, cache.states[:-1]) | {"h0": dh0, "c0": dc0}

    # ----------------------------------------------------------------- Jacobians
    def state_jacobians(self, x: ArrayLike, h0: InitialState | None = None) -> FloatArray:
        """Return the Jacobians of the full state, J_j = ∂(h_j, c_j)/∂(h_{j−1}, c_{j−1}).

        The state of an LSTM is the pair (h, c), stacked into one vector of 2 n_h entries,
        h first.  In numerator layout (entry (p, q) = ∂ out_p/∂ in_q)::

            J_j = [[∂h_j/∂h_{j−1}, ∂h_j/∂c_{j−1}],
                   [∂c_j/∂h_{j−1}, ∂c_j/∂c_{j−1}]]

        with, writing D(v) = diag(v) and κ_j = o_j ⊙ (1 − tanh² c_j)::

            ∂c_j/∂c_{j−1} = D(f_j)                        (the carousel; I without forget gate)
            ∂c_j/∂h_{j−1} = D(c_{j−1} ⊙ f_j ⊙ (1 − f_j)) W_f + D(g_j ⊙ i_j ⊙ (1 − i_j)) W_i
                            + D(i_j ⊙ (1 − g_j²)) W_g      (no W_f term without forget gate)
            ∂h_j/∂h_{j−1} = D(tanh c_j ⊙ o_j ⊙ (1 − o_j)) W_o + D(κ_j) ∂c_j/∂h_{j−1}
            ∂h_j/∂c_{j−1} = D(κ_j ⊙ f_j).

        Products ∂(h_t, c_t)/∂(h_k, c_k) = J_t ⋯ J_{k+1} are taken with
        :func:`~rnngrad.jacobians.jacobian_product`; their blocks are the derivatives with
        the other part of the state at time k held fixed: ∂h_t/∂h_k is the top-left block
        (c_k fixed), ∂c_t/∂c_k the bottom-right one (h_k fixed), which contains the
        carousel part Π_{j=k+1}^{t} D(f_j) plus every path that leaves the cell through h.

        Parameters
        ----------
        x : array_like, shape (T, n_in)
            One sequence.
        h0 : (array_like, array_like), optional
            (h_0, c_0), each (n_h,); zeros if None.

        Returns
        -------
        ndarray, shape (T, 2 n_h, 2 n_h)
            ``result[j - 1]`` = J_j.

        Raises
        ------
        ValueError, TypeError
            If x or h0 is invalid.
        """
        cache = self._sequence_cache(x, h0)
        i, f, g, o = np.split(cache.gates[:, 0], 4, axis=1)
        c_prev, tanh_c = cache.cells[:-1, 0], cache.tanh_cells[:, 0]
        W_i, W_f, W_g, W_o = np.split(self.W.astype(i.dtype, copy=False), 4)
        dc_dh = scaled_rows(g * i * (1 - i), W_i) + scaled_rows(i * (1 - g * g), W_g)
        if self.forget_gate:
            dc_dh += scaled_rows(c_prev * f * (1 - f), W_f)
        else:
            f = np.ones_like(f)
        kappa = o * (1 - tanh_c * tanh_c)
        dh_dh = scaled_rows(tanh_c * o * (1 - o), W_o) + kappa[:, :, None] * dc_dh
        return stacked_state([[dh_dh, diagonal(kappa * f)], [dc_dh, diagonal(f)]])

    def forget_gates(self, x: ArrayLike, h0: InitialState | None = None) -> FloatArray:
        """Return f_1 … f_T along one sequence (ones without a forget gate).

        The carousel part of ∂c_t/∂c_k is Π_{j=k+1}^{t} diag(f_j) = diag of
        ``np.prod(result[k:t], axis=0)``: exactly the identity without a forget gate.

        Parameters
        ----------
        x : array_like, shape (T, n_in)
            One sequence.
        h0 : (array_like, array_like), optional
            (h_0, c_0), each (n_h,); zeros if None.

        Returns
        -------
        ndarray, shape (T, n_h)

        Raises
        ------
        ValueError, TypeError
            If x or h0 is invalid.
        """
        f = self._sequence_cache(x, h0).gates[:, 0, self.n_h : 2 * self.n_h]
        return f.copy() if self.forget_gate else np.ones_like(f)

    def jacobian_norms_by_lag(
        self,
        x: ArrayLike,
        t: int,
        h0: InitialState | None = None,
        *,
        block: Literal["h", "c", "state", "carousel"] = "h",
    ) -> FloatArray:
        """Return the spectral norms of a block of ∂(h_t, c_t)/∂(h_{t−ℓ}, c_{t−ℓ}), ℓ = 0 … t.

        Parameters
        ----------
        x : array_like, shape (T, n_in)
            One sequence.
        t : int
            The later time, 0 ≤ t ≤ T.
        h0 : (array_like, array_like), optional
            (h_0, c_0), each (n_h,); zeros if None.
        block : {"h", "c", "state", "carousel"}
            ``"h"``: ‖∂h_t/∂h_k‖_2 (c_k held fixed; the quantity to plot against the RNN's
            ‖∂s_t/∂s_k‖_2); ``"c"``: ‖∂c_t/∂c_k‖_2 (all paths); ``"state"``: the whole
            2 n_h × 2 n_h product; ``"carousel"``: ‖Π_{j=k+1}^{t} diag(f_j)‖_2, the largest
            product of forget gates.

        Returns
        -------
        ndarray of float64, shape (t + 1,)
            ``result[lag]``, k = t − lag; ``result[0] = 1``.

        Raises
        ------
        ValueError, TypeError
            If x or h0 is invalid, t is out of range, or ``block`` is unknown.
        """
        check_choice("block", block, LSTM_BLOCKS)
        n = self.n_h
        if block == "carousel":
            return product_norms_by_lag(diagonal(self.forget_gates(x, h0)), t)
        chosen = {"h": slice(0, n), "c": slice(n, 2 * n), "state": slice(None)}[block]
        return product_norms_by_lag(self.state_jacobians(x, h0), t, chosen, chosen)

    # ----------------------------------------------------------------- helpers
    def _sequence_cache(self, x: ArrayLike, h0: InitialState | None) -> LSTMCache:
        xs = self._sequence(x)
        first_h, first_c = _pair(h0)
        h, c = (
            None if v is None else as_float_array(name, v, shape=(self.n_h,))[None]
            for name, v in (("h0", first_h), ("c0", first_c))
        )
        return self.forward(xs, (h, c))[1]


def _pair(h0: object) -> tuple[Any, Any]:
    """Split the LSTM state argument (h_0, c_0) or None into its two parts."""
    if h0 is None:
        return None, None
    if not isinstance(h0, tuple | list) or len(h0) != 2:
        raise TypeError(
            f"h0 must be the pair (h0, c0) or None, got {type(h0).__name__}"
            + (f" of length {len(h0)}" if isinstance(h0, tuple | list) else "")
        )
    return h0[0], h0[1]


# --------------------------------------------------------------------- the numerics
def _run_forward(
    U: FloatArray,
    W: FloatArray,
    b: FloatArray,
    x: FloatArray,
    h0: FloatArray,
    c0: FloatArray,
    *,
    forget_gate: bool,
) -> LSTMCache:
    T, B, n_in = x.shape
    n = W.shape[1]
    # Rows scaled for the gate kernel: the pre-activations come out as −a (i, f, o), −2a (g).
    scales = gate_row_scales(_GATE_SCALES, n, x.dtype)
    U, W, b = U * scales[:, None], W * scales[:, None], b * scales
    gates = np.empty((T, B, 4 * n), dtype=x.dtype)
    # The input part U x_t of all four gates at every step in one large matmul.
    np.matmul(x.reshape(T * B, n_in), U.T, out=gates.reshape(T * B, 4 * n))
    states = np.empty((T + 1, B, n), dtype=x.dtype)
    cells = np.empty_like(states)
    tanh_cells = np.empty((T, B, n), dtype=x.dtype)
    states[0], cells[0] = h0, c0
    recurrent = np.empty((B, 4 * n), dtype=x.dtype)
    input_part = np.empty((B, n), dtype=x.dtype)
    Wt = np.ascontiguousarray(W.T)  # OpenBLAS: 10-45 % faster than on the transposed view
    with np.errstate(over="ignore"):
        for t in range(T):
            np.matmul(states[t], Wt, out=recurrent)
            recurrent += b  # here, in cache, rather than in a pass over all the gates
            G = gates[t]
            G += recurrent
            logistic_of_negated(G)  # σ(a) for i, f, o; σ(2a) for g
            i, f, g, o = _split_gates(G)
            tanh_from_logistic(g)
            np.multiply(i, g, out=input_part)
            if forget_gate:
                np.multiply(f, cells[t], out=cells[t + 1])
                cells[t + 1] += input_part
            else:
                np.add(cells[t], input_part, out=cells[t + 1])
            tanh_into(cells[t + 1], tanh_cells[t])
            np.multiply(o, tanh_cells[t], out=states[t + 1])
    return LSTMCache(x, states, cells, gates, tanh_cells)


def _backprop(
    W: FloatArray, cache: LSTMCache, dhs: FloatArray, *, forget_gate: bool
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return ∂L/∂(pre-activations of the gates) for all t, ∂L/∂h_0 and ∂L/∂c_0."""
    T, B, n = dhs.shape
    dgates = np.empty((T, B, 4 * n), dtype=dhs.dtype)
    dh = np.zeros((B, n), dtype=dhs.dtype)  # ∂L/∂h_t through the recurrence
    dc = np.zeros((B, n), dtype=dhs.dtype)  # ∂L/∂c_t through c_{t+1}
    scratch, slope = np.empty_like(dh), np.empty_like(dh)
    gate_derivs = np.empty((B, 4 * n), dtype=dhs.dtype)
    g_columns = slice(2 * n, 3 * n)
    for t in range(T - 1, -1, -1):
        G, D = cache.gates[t], dgates[t]
        i, f, g, o = _split_gates(G)
        di, df, dg, do = _split_gates(D)
        tanh_c = cache.tanh_cells[t]
        dh += dhs[t]
        # First ∂L/∂(the gate values) into D, then all four times their slopes at once.
        np.multiply(dh, tanh_c, out=do)
        np.multiply(dh, o, out=scratch)
        _TANH.multiply_by_derivative(tanh_c, scratch, slope)
        dc += slope  # now the total ∂L/∂c_t
        np.multiply(dc, g, out=di)
        np.multiply(dc, i, out=dg)
        if forget_gate:
            np.multiply(dc, cache.cells[t], out=df)
            dc *= f  # the carousel: ∂c_t/∂c_{t−1} = diag(f_t)
        else:
            df.fill(0.0)
        gate_slopes(G, g_columns, gate_derivs)
        D *= gate_derivs
        np.matmul(D, W, out=dh)
    return dgates, dh, dc


def _split_gates(block: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """The column blocks i, f, g, o of a (B, 4 n_h) block (views; faster than np.split)."""
    n = block.shape[1] // 4
    return block[:, :n], block[:, n : 2 * n], block[:, 2 * n : 3 * n], block[:, 3 * n :]
