"""The smallest model around an LRU that can learn the chapter's tasks: encoder, LRU, head.

A linear recurrence with a linear readout cannot multiply a value by its marker (the adding
problem needs v·m); Orvieto et al. (2023) put position-wise nonlinear layers around the
recurrence.  The least of them that suffices here is one before it:

    u_t = relu(U x_t + b)                      (position-wise, width d)
    y_t = LRU(u)_t = Re(C h_t) + D ⊙ u_t,      h_t = λ ⊙ h_{t−1} + κ ⊙ (B u_t)
    ŷ = softmax(V y_T + c)  or  V y_T + c      (the head every model of the chapter shares)

The ReLU layer can compute relu(v + m − 1) = v·m for m ∈ {0, 1} and v ∈ [0, 1], and the
recurrence, with abs(λ) near 1, can sum it; on the agreement task the clause always holds one
noun of each gender, so a sum of per-token gender features over the sequence tells the
subject's.  Both tasks are thus within reach of a linear readout of a linear state; the
paper's MLP or GLU after the recurrence, its normalisation and residual connections and its
stack of several blocks are left out, so that what the experiments compare is the
recurrence, not depth.

The gradient is exact: the head's ∂E/∂y_t goes through :meth:`rnngrad.lru.LRU.backward`,
whose ∂E/∂u_t goes through the ReLU (∂E/∂a_t = ∂E/∂u_t ⊙ [a_t > 0]) to U, b and x.  The
state of the model, for :func:`rnngrad.train.state_gradient_norms` and the chapter's
"state-gradient share", is the LRU's h_t; since the loss is taken at the last step only,
∂E_T/∂h_k = conj(λ)^{T−k} ⊙ ∂E_T/∂h_T exactly.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from ._kernels import from_network_rows, per_network_rows
from ._types import FloatArray, Gradients
from ._validate import RngLike, as_float_array, as_generator, check_int, check_shape, float_dtype
from .heads import HeadMixin
from .lru import LRU, LRUCache


@dataclass(frozen=True, eq=False)
class BlockCache:
    """What :meth:`LRUBlock.backward` needs from :meth:`LRUBlock.forward`.

    Attributes
    ----------
    x : ndarray, shape (T, B, n_in)
        The inputs.
    pre : ndarray, shape (T, B, d)
        The encoder's pre-activations a_t = U x_t + b.
    lru : LRUCache
        The LRU's cache (its inputs u_t and states h_t).
    """

    x: FloatArray
    pre: FloatArray
    lru: LRUCache


@dataclass(frozen=True, eq=False)
class LRUBlock(HeadMixin):
    """Encoder relu(U x_t + b), an :class:`~rnngrad.lru.LRU` of width d, and a head on y_T.

    The fields are validated on construction and promoted to one dtype; change one with
    ``dataclasses.replace(block, nu_log=...)``.  :meth:`parameters`, :meth:`forward`,
    :meth:`backward`, :meth:`loss_and_gradients` (E on every step or the last),
    :meth:`state_jacobians` and :meth:`jacobian_norms_by_lag` are what
    :func:`~rnngrad.train.train` and :func:`~rnngrad.train.train_many` use.

    Parameters
    ----------
    U : array_like, shape (d, n_in)
        Encoder weights.
    b : array_like, shape (d,)
        Encoder bias.
    nu_log, theta_log, gamma_log, B_re, B_im, C_re, C_im, D : array_like
        The LRU's parameters, as for :class:`~rnngrad.lru.LRU` with n_in = d.
    V : array_like, shape (n_out, d), optional
        Output weights of the head; c and head as for :class:`~rnngrad.rnn.RNN`.
    c : array_like, shape (n_out,), optional
        Output bias; zeros if V is given without it.
    head : str, optional
        ``"softmax"`` or ``"linear"``; ``"softmax"`` by default when V is given.

    Raises
    ------
    ValueError
        If a shape does not fit, an entry is NaN or inf, or the head is unknown.
    TypeError
        If a parameter is not a real array.
    """

    U: FloatArray
    b: FloatArray
    nu_log: FloatArray
    theta_log: FloatArray
    gamma_log: FloatArray
    B_re: FloatArray
    B_im: FloatArray
    C_re: FloatArray
    C_im: FloatArray
    D: FloatArray
    V: FloatArray | None = None
    c: FloatArray | None = None
    head: str | None = None

    #: The encoder's parameters; the LRU's are :data:`rnngrad.lru.LRU.PARAMETERS`.
    ENCODER: ClassVar[tuple[str, ...]] = ("U", "b")

    def __post_init__(self) -> None:
        U = as_float_array("U", self.U, shape=("d", "n_in"))
        b = as_float_array("b", self.b, shape=(U.shape[0],))
        lru = LRU(**{name: getattr(self, name) for name in LRU.PARAMETERS})
        check_shape("B_re", lru.B_re, (lru.n_h, U.shape[0]))  # the LRU's input is u, width d
        params = {"U": U, "b": b} | lru.parameters() | self._validated_head(U.shape[0])
        dtype = np.result_type(*params.values())
        for name, value in params.items():
            object.__setattr__(self, name, value.astype(dtype, copy=False))
        # The block's LRU, not a field: it is made of the fields, in their dtype.
        object.__setattr__(self, "_lru", LRU(**{n: getattr(self, n) for n in LRU.PARAMETERS}))

    # ----------------------------------------------------------------- construction
    @classmethod
    def random(
        cls,
        n_in: int,
        n_h: int,
        n_out: int | None = None,
        *,
        width: int | None = None,
        head: str = "softmax",
        r_min: float = 0.0,
        r_max: float = 1.0,
        max_phase: float = 2 * np.pi,
        rng: RngLike = None,
        dtype: type = np.float64,
    ) -> LRUBlock:
        """Return a randomly initialised block (reproducible: ``rng=None`` means seed 0).

        U is N(0, 2/n_in) (He et al. 2015: a ReLU layer keeps the second moment), b = 0;
        the LRU is :meth:`LRU.random <rnngrad.lru.LRU.random>` with the given ring; V is
        N(0, 1/d) and c = 0, as for the other models.

        Parameters
        ----------
        n_in : int
            Input size, ≥ 1.
        n_h : int
            The LRU's complex state units, ≥ 1.
        n_out : int, optional
            Output size of the head; None for a block without one.
        width : int, optional
            d, the width of the encoder and of the LRU's input and output; n_h if None.
        head : str
            ``"softmax"`` or ``"linear"``; ignored without ``n_out``.
        r_min, r_max, max_phase : float
            The LRU's ring initialisation.
        rng : numpy.random.Generator, int or None
            Random source or seed.
        dtype : type
            ``np.float64`` or ``np.float32`` (drawn in float64 and rounded).

        Returns
        -------
        LRUBlock

        Raises
        ------
        ValueError, TypeError
            If a size is not an integer ≥ 1, or another argument is out of range.
        """
        n_in = check_int("n_in", n_in, minimum=1)
        d = check_int("width", n_h if width is None else width, minimum=1)
        dt = float_dtype(dtype)
        gen = as_generator(rng)
        lru = LRU.random(d, n_h, r_min=r_min, r_max=r_max, max_phase=max_phase, rng=gen)
        params: dict[str, Any] = {
            "U": gen.standard_normal((d, n_in)) * np.sqrt(2 / n_in),
            "b": np.zeros(d),
        }
        params |= lru.parameters()
        if n_out is not None:
            n_out = check_int("n_out", n_out, minimum=1)
            params |= {"V": gen.standard_normal((n_out, d)) / np.sqrt(d), "c": np.zeros(n_out)}
        arrays = {name: np.asarray(p, dtype=dt) for name, p in params.items()}
        return cls(**arrays, head=None if n_out is None else head)

    # ----------------------------------------------------------------- sizes
    @property
    def width(self) -> int:
        """d, the width of the encoder and of the LRU's input and output."""
        return int(self.U.shape[-2])

    @property
    def n_h(self) -> int:
        """The LRU's complex state units."""
        return int(self.nu_log.shape[-1])

    @property
    def dtype(self) -> np.dtype[Any]:
        """The dtype of the parameters."""
        return self.U.dtype

    @property
    def lru(self) -> LRU:
        """The block's LRU."""
        layer: LRU = self.__dict__["_lru"]
        return layer

    def parameters(self) -> dict[str, FloatArray]:
        """Return the parameters by name: U, b, the LRU's and, with a head, V and c."""
        names = (*self.ENCODER, *LRU.PARAMETERS) + (("V", "c") if self.V is not None else ())
        return {name: getattr(self, name) for name in names}

    # ----------------------------------------------------------------- forward and backward
    def forward(self, x: ArrayLike, h0: Any = None) -> tuple[FloatArray, BlockCache]:
        """Run the block over a batch of sequences; return y_1 … y_T and the cache.

        Parameters
        ----------
        x : array_like, shape (T, B, n_in)
            Inputs; computed in the block's dtype.
        h0 : None
            The LRU starts from h_0 = 0; the argument exists because the heads' methods
            pass one, and anything but None is refused.

        Returns
        -------
        y : ndarray, shape (T, B, d)
            The LRU's outputs, which the head reads.
        cache : BlockCache
            For :meth:`backward`.

        Raises
        ------
        ValueError, TypeError
            If x is not a finite real array (T, B, n_in) with T, B ≥ 1, or h0 is given.
        """
        return self._forward(self._inputs(x).astype(self.dtype, copy=False), h0)

    def backward(self, dhs: ArrayLike, cache: BlockCache) -> Gradients:
        """Backpropagate the gradients ∂E/∂y_t arriving from outside through the block.

        Parameters
        ----------
        dhs : array_like, shape (T, B, d)
            ∂E/∂y_t for t = 1 … T.
        cache : BlockCache
            From :meth:`forward` of this block.

        Returns
        -------
        dict of str to ndarray
            The gradient of U, b and the LRU's parameters under their names, and ∂E/∂x
            under ``"x"``.

        Raises
        ------
        ValueError, TypeError
            If the cache is not from this block's ``forward`` or dhs does not fit it.
        """
        if not isinstance(cache, BlockCache):
            raise TypeError(
                f"cache must be the BlockCache from forward, got {type(cache).__name__}"
            )
        xs = as_float_array("cache.x", cache.x, shape=("T", "B", self.n_in))
        check_shape("cache.pre", cache.pre, (*xs.shape[:2], self.width))
        grad = as_float_array("dhs", dhs, shape=(*xs.shape[:2], self.width))
        return self._backward(grad.astype(xs.dtype, copy=False), cache)

    def _forward(self, xs: FloatArray, h0: Any) -> tuple[FloatArray, BlockCache]:
        """``forward`` after its checks of x: xs is (T, ..., B, n_in) (K stacked networks)."""
        if h0 is not None:
            raise ValueError(
                f"h0 must be None (the LRU starts from h_0 = 0), got {type(h0).__name__}"
            )
        pre = xs @ self.U.mT + self.b[..., None, :]
        ys, lru_cache = self.lru._forward(np.maximum(pre, 0))
        return ys, BlockCache(xs, pre, lru_cache)

    def _backward(self, dhs: FloatArray, cache: BlockCache) -> Gradients:
        """``backward`` after its checks (also for K stacked networks)."""
        grads = self.lru._backward(dhs, cache.lru)
        d_pre = grads.pop("x") * (cache.pre > 0)
        rows = per_network_rows(d_pre)
        grads["U"] = rows.mT @ per_network_rows(cache.x)
        grads["b"] = rows.sum(axis=-2)
        grads["x"] = from_network_rows(rows @ self.U, d_pre.shape[0])
        return grads

    # ----------------------------------------------------------------- the state
    def state_jacobians(self, x: ArrayLike) -> FloatArray:
        """The LRU's :meth:`~rnngrad.lru.LRU.state_jacobians` along one sequence x (T, n_in).

        The encoder acts on each step alone, so the state Jacobian of the block is the
        LRU's, diag(λ) as a real 2 n_h × 2 n_h matrix, whatever x is.

        Raises
        ------
        ValueError, TypeError
            If x is not a finite real array (T, n_in) with T ≥ 1.
        """
        T = self._sequence(x).shape[0]
        return self.lru.state_jacobians(np.zeros((T, self.width), dtype=self.dtype))

    def jacobian_norms_by_lag(self, x: ArrayLike, t: int) -> FloatArray:
        """‖∂h_t/∂h_{t−ℓ}‖_2 = max_i abs(λ_i)^ℓ for ℓ = 0 … t, along one sequence x (T, n_in).

        Raises
        ------
        ValueError, TypeError
            If x is invalid or t is out of range (see
            :meth:`~rnngrad.lru.LRU.jacobian_norms_by_lag`).
        """
        T = self.state_jacobians(x).shape[0]
        return self.lru.jacobian_norms_by_lag(np.zeros((T, self.width)), t)

    def state_gradient_norms(self, x: ArrayLike, y: ArrayLike) -> FloatArray:
        """Return ‖∂E_T/∂h_k‖ for k = 0 … T, E_T the loss of the last step (mean over B).

        What :func:`rnngrad.train.state_gradient_norms` computes for the recurrent layers,
        here in closed form: ∂E_T/∂h_T = Cᴴ ∂E_T/∂y_T (as the real vector
        (Re h_T, Im h_T)), and ∂E_T/∂h_k = conj(λ)^{T−k} ⊙ ∂E_T/∂h_T, the norm taken over
        the units and the B sequences together.

        Parameters
        ----------
        x : array_like, shape (T, B, n_in)
            A few sequences.
        y : array_like
            Last-step targets, as for ``loss_and_gradients(..., steps="last")``.

        Returns
        -------
        ndarray of float64, shape (T + 1,)
            ``result[k]``; k = 0 is the initial state.

        Raises
        ------
        ValueError, TypeError
            If the block has no head, or x or y do not fit it.
        """
        _, dhs, cache, _ = self.loss_and_state_gradients(x, y, steps="last")
        G = dhs[-1].astype(np.float64)
        lru = self.lru
        g_h = G @ lru.C_re - 1j * (G @ lru.C_im)  # (B, n_h)
        energy = np.sum(np.abs(g_h) ** 2, axis=0)
        T = cache.x.shape[0]
        lags = np.arange(T, -1, -1)[:, None]
        modulus = np.abs(lru.eigenvalues.astype(np.complex128))
        norms: FloatArray = np.sqrt(np.sum(modulus ** (2 * lags) * energy, axis=1))
        return norms

    def _stacked(self, parameters: Mapping[str, FloatArray]) -> LRUBlock:
        """This block with K networks' parameters stacked on a leading axis, unvalidated.

        For :func:`rnngrad.train.train_many`: the result serves only ``_forward`` on
        inputs (T, K, B, n_in) and ``_backward``.
        """
        block = copy.copy(self)
        for name in (f.name for f in fields(self)):
            if name in parameters:
                object.__setattr__(block, name, parameters[name])
        object.__setattr__(block, "_lru", self.lru._stacked(parameters))
        return block
