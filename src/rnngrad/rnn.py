"""The vanilla (Elman) recurrent network and its exact backpropagation through time.

Notation of the lecture slides, with the index convention used everywhere in the library:

* s_0 is the initial state (``h0``); the inputs are x_1, …, x_T; for t = 1, …, T

      z_t = U x_t + W s_{t−1} + b,     s_t = f(z_t),
      ŷ_t = softmax(V s_t + c)   (classification head)   or   ŷ_t = V s_t + c   (regression),

  and E = Σ_t E_t with E_t the cross-entropy (or squared error) of ŷ_t against y_t.
* Arrays are 0-based, so ``x[t - 1]`` is x_t and ``hs[t - 1]`` is s_t; the cache keeps
  ``states[t]`` = s_t including ``states[0]`` = s_0.
* Batches are stacked along a second axis, the layout of ``torch.nn.RNN``: x is (T, B, n_in)
  and the states (T, B, n_h).  Internally each row of a batch is a row vector, so the code
  computes z_t = x_t Uᵀ + s_{t−1} Wᵀ + b, the same thing transposed.

Backpropagation through time walks the recurrence backwards with the row vector
∂E/∂s_t = (outside gradient at t) + ∂E/∂z_{t+1} · W  and  ∂E/∂z_t = ∂E/∂s_t ⊙ f′(z_t).
The weight gradients are then sums over t of outer products, done as one matrix product
over all steps at the end (e.g. ∂E/∂W = Σ_t (∂E/∂z_t)ᵀ s_{t−1}): a single large matmul is
far faster than T small ones.

Speed: the loops over t allocate nothing: they use the in-place kernels of
:class:`rnngrad.activations.Activation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
from numpy.typing import ArrayLike

from ._kernels import gradients_from_dz
from ._types import FloatArray, Gradients
from ._validate import RngLike, as_float_array, check_int
from .activations import Activation, get_activation
from .layer import RecurrentLayer

RECURRENT_INITS = ("gaussian", "orthogonal", "identity")


@dataclass(frozen=True, eq=False)
class ForwardCache:
    """What :meth:`RNN.backward` needs from :meth:`RNN.forward`.

    Attributes
    ----------
    x : ndarray, shape (T, B, n_in)
        The inputs x_1 … x_T.
    states : ndarray, shape (T + 1, B, n_h)
        s_0 … s_T; ``states[0]`` is the initial state, ``states[1:]`` is what forward returned.
    """

    x: FloatArray
    states: FloatArray


@dataclass(frozen=True, eq=False)
class RNN(RecurrentLayer):
    """A vanilla (Elman) recurrent layer s_t = f(U x_t + W s_{t−1} + b), with an optional head.

    The fields are validated on construction; the dataclass is frozen, so change a
    parameter with ``dataclasses.replace(model, W=new_W)``, which validates again.  All
    parameters share one dtype (float64 or float32; mixed inputs are promoted).

    Parameters
    ----------
    U : array_like, shape (n_h, n_in)
        Input-to-state weights.
    W : array_like, shape (n_h, n_h)
        Recurrent (state-to-state) weights.
    b : array_like, shape (n_h,)
        Bias of the state.
    activation : str
        f: ``"tanh"`` (default), ``"sigmoid"``, ``"relu"`` or ``"identity"``.
    V : array_like, shape (n_out, n_h), optional
        Output weights of the head ŷ_t = g(V s_t + c).
    c : array_like, shape (n_out,), optional
        Output bias; zeros if V is given without it.
    head : str, optional
        ``"softmax"`` (ŷ_t = softmax(V s_t + c), loss E_t = cross-entropy) or ``"linear"``
        (ŷ_t = V s_t + c, loss E_t = mean over outputs of (ŷ_t − y_t)²).  Defaults to
        ``"softmax"`` when V is given; must be None when it is not.

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
    activation: str = "tanh"
    V: FloatArray | None = None
    c: FloatArray | None = None
    head: str | None = None

    GATES: ClassVar[int] = 1
    TORCH_CLASS: ClassVar[str] = "torch.nn.RNN"
    RECURRENT_INITS: ClassVar[tuple[str, ...]] = RECURRENT_INITS

    def __post_init__(self) -> None:
        object.__setattr__(self, "activation", get_activation(self.activation).name)
        self._set_parameters()

    # ----------------------------------------------------------------- construction
    @classmethod
    def random(
        cls,
        n_in: int,
        n_h: int,
        n_out: int | None = None,
        *,
        activation: str = "tanh",
        head: str = "softmax",
        recurrent: str = "gaussian",
        rng: RngLike = None,
        dtype: type = np.float64,
    ) -> RNN:
        """Return a randomly initialised network (reproducible: ``rng=None`` means seed 0).

        U has i.i.d. N(0, 1/n_in) entries and V, if any, N(0, 1/n_h), so that z_t and the
        outputs have unit-order variance; b and c are zero.  W depends on ``recurrent``:
        ``"gaussian"``, i.i.d. N(0, 1/n_h) (spectral radius ≈ 1, σ_max(W) ≈ 2 for large
        n_h); ``"orthogonal"`` (all singular values 1); ``"identity"`` (W = I).

        Parameters
        ----------
        n_in, n_h : int
            Input and state sizes, ≥ 1.
        n_out : int, optional
            Output size of the head; None for a network without a head.
        activation : str
            ``"tanh"``, ``"sigmoid"``, ``"relu"`` or ``"identity"``.
        head : str
            ``"softmax"`` or ``"linear"``; ignored without ``n_out``.
        recurrent : str
            ``"gaussian"``, ``"orthogonal"`` or ``"identity"``.
        rng : numpy.random.Generator, int or None
            Random source or seed.
        dtype : type
            ``np.float64`` or ``np.float32``.

        Returns
        -------
        RNN

        Raises
        ------
        ValueError, TypeError
            If a size is not an integer ≥ 1 or a name or dtype is unknown.
        """
        params = cls._random_parameters(n_in, n_h, n_out, head, recurrent, rng, dtype)
        return cls(activation=activation, **params)

    @classmethod
    def from_torch_state_dict(cls, sd: Mapping[str, ArrayLike], nonlinearity: str = "tanh") -> RNN:
        """Build the network from the state dict of a one-layer ``torch.nn.RNN``.

        ``weight_ih_l0`` → U, ``weight_hh_l0`` → W, and b = ``bias_ih_l0`` + ``bias_hh_l0``
        (torch adds the two; only their sum matters).  torch is not needed: the values may
        be tensors or anything ``numpy.asarray`` accepts.

        Parameters
        ----------
        sd : mapping of str to array_like
            Exactly the four keys above.
        nonlinearity : str
            torch's ``"tanh"`` or ``"relu"``; ``"sigmoid"`` and ``"identity"`` also work.

        Returns
        -------
        RNN
            Without a head; float32 tensors give a float32 network.

        Raises
        ------
        ValueError
            If a key is missing or unknown, or a shape does not fit.
        TypeError
            If ``sd`` is not a mapping or a value is not a real array.
        """
        U, W, b_ih, b_hh = cls._torch_parameters(sd)
        return cls(U, W, b_ih + b_hh, activation=nonlinearity)

    # ----------------------------------------------------------------- properties
    @property
    def f(self) -> Activation:
        """The activation f as an :class:`~rnngrad.activations.Activation`."""
        return get_activation(self.activation)

    # ----------------------------------------------------------------- the recurrence
    def forward(self, x: ArrayLike, h0: ArrayLike | None = None) -> tuple[FloatArray, ForwardCache]:
        """Run the recurrence over a batch of sequences.

        Parameters
        ----------
        x : array_like, shape (T, B, n_in)
            The inputs x_1 … x_T of B sequences; T, B ≥ 1.  Its dtype (float32 or float64)
            is the dtype of the whole computation.
        h0 : array_like, shape (B, n_h), optional
            The initial state s_0; zeros if None.

        Returns
        -------
        hs : ndarray, shape (T, B, n_h)
            s_1 … s_T (a view into ``cache.states``: do not modify it before backward).
        cache : ForwardCache
            For :meth:`backward`.

        Raises
        ------
        ValueError, TypeError
            If x or h0 has the wrong shape, is not real, or holds NaN/inf.
        """
        xs = self._inputs(x)
        s0 = self._state("h0", h0, xs)
        U, W, b = self._cast(xs.dtype, "U", "W", "b")
        states = _run_forward(U, W, b, self.activation, xs, s0)
        return states[1:], ForwardCache(xs, states)

    def backward(
        self, dhs: ArrayLike, cache: ForwardCache, *, truncate: int | None = None
    ) -> Gradients:
        """Backpropagate through time the gradients ∂L/∂s_t arriving from outside.

        The loss L may depend on every state; ``dhs[t - 1]`` is ∂L/∂s_t through everything
        except the recurrence (e.g. through the head at step t).  The total ∂L/∂s_t adds
        what flows back from s_{t+1}, … through the Jacobians ∂s_j/∂s_{j−1} = diag(f′(z_j)) W.

        Parameters
        ----------
        dhs : array_like, shape (T, B, n_h)
            Outside gradients of every state s_1 … s_T; cast to the dtype of the forward pass.
        cache : ForwardCache
            From :meth:`forward`, with this network's parameters unchanged since.
        truncate : int, optional
            Truncated BPTT to k = ``truncate`` ≥ 0 steps: the gradient injected at s_t flows
            back through at most k Jacobians ∂s_j/∂s_{j−1}, so it reaches z_t, …, z_{t−k}
            (and s_0 only if t ≤ k).  In the slide formula this keeps the terms
            k′ = t − k, …, t of ∂E_t/∂W = Σ_{k′} ∂E_t/∂s_t (Π_{j=k′+1}^{t} ∂s_j/∂s_{j−1})
            ∂⁺s_{k′}/∂W.  ``truncate=0`` keeps only the immediate terms; ``truncate ≥ T``
            (or None) is full BPTT.  Costs O(k) times full BPTT.

        Returns
        -------
        dict of str to ndarray
            ``"U"``, ``"W"``, ``"b"``: parameter gradients; ``"x"`` (T, B, n_in) and
            ``"h0"`` (B, n_h): gradients of the inputs and the initial state.  All in the
            dtype of the forward pass.

        Raises
        ------
        ValueError, TypeError
            If dhs does not match the cache, cache is not a ForwardCache, or ``truncate``
            is not an integer ≥ 0.
        """
        grad = self._checked_gradient_input(dhs, cache, ForwardCache)
        k = None if truncate is None else check_int("truncate", truncate, minimum=0)
        return self._backward(grad, cache, k)

    def _backward(
        self, dhs: FloatArray, cache: ForwardCache, truncate: int | None = None
    ) -> Gradients:
        U, W = self._cast(dhs.dtype, "U", "W")
        if truncate is None or truncate >= dhs.shape[0]:
            dz, dh0 = _backprop_full(W, self.activation, cache.states, dhs)
        else:
            deriv = self.f.derivative_from_output(cache.states[1:])
            dz, dh0 = _backprop_truncated(W, deriv, dhs, truncate)
        return gradients_from_dz(U, dz, cache.x, cache.states[:-1]) | {"h0": dh0}

    # ----------------------------------------------------------------- single sequences
    def states(self, x: ArrayLike, h0: ArrayLike | None = None) -> FloatArray:
        """Return s_0, s_1, …, s_T of one sequence (the form the chapter's plots use).

        Parameters
        ----------
        x : array_like, shape (T, n_in)
            The inputs x_1 … x_T.
        h0 : array_like, shape (n_h,), optional
            s_0; zeros if None.

        Returns
        -------
        ndarray, shape (T + 1, n_h)
            Row t is s_t; row 0 is s_0.

        Raises
        ------
        ValueError, TypeError
            If x or h0 has the wrong shape, is not real, or holds NaN/inf.
        """
        s0 = None if h0 is None else as_float_array("h0", h0, shape=(self.n_h,))[None]
        _, cache = self.forward(self._sequence(x), s0)
        return cache.states[:, 0]

    def state_jacobians(self, x: ArrayLike, h0: ArrayLike | None = None) -> FloatArray:
        """Return all J_j = ∂s_j/∂s_{j−1} = diag(f′(z_j)) W, j = 1 … T, along one sequence.

        See :mod:`rnngrad.jacobians` for the convention (numerator layout) and for the
        products of these matrices.

        Parameters
        ----------
        x, h0 : array_like
            One sequence (T, n_in) and its s_0 (n_h,) or None, as for :meth:`states`.

        Returns
        -------
        ndarray, shape (T, n_h, n_h)
            ``result[j - 1]`` = J_j.  Memory O(T n_h²).

        Raises
        ------
        ValueError, TypeError
            If x or h0 is invalid (see :meth:`states`).
        """
        states = self.states(x, h0)
        deriv = self.f.derivative_from_output(states[1:])
        return deriv[:, :, None] * self.W.astype(states.dtype, copy=False)

    # ----------------------------------------------------------------- the head
    def loss_and_gradients(
        self,
        x: ArrayLike,
        y: ArrayLike,
        h0: ArrayLike | None = None,
        *,
        steps: Literal["every", "last"] = "every",
        truncate: int | None = None,
    ) -> tuple[float, Gradients]:
        """Return the loss E and its gradient with respect to everything, optionally truncated.

        The loss and the arguments x, y, h0, ``steps`` are those of
        :meth:`~rnngrad.heads.HeadMixin.loss_and_gradients`, with h0 the state s_0
        (B, n_h).

        Parameters
        ----------
        truncate : int, optional
            Truncated BPTT, see :meth:`backward`.

        Returns
        -------
        loss : float
        gradients : dict of str to ndarray
            ``"U"``, ``"W"``, ``"b"``, ``"V"``, ``"c"``, ``"x"``, ``"h0"``.

        Raises
        ------
        ValueError, TypeError
            If the network has no head, or an argument is invalid.
        """
        k = None if truncate is None else check_int("truncate", truncate, minimum=0)
        loss, dhs, cache, head_grads = self.loss_and_state_gradients(x, y, h0, steps=steps)
        return loss, self._backward(dhs, cache, k) | head_grads


# --------------------------------------------------------------------- the numerics
def _run_forward(
    U: FloatArray, W: FloatArray, b: FloatArray, activation: str, x: FloatArray, s0: FloatArray
) -> FloatArray:
    T, B, n_in = x.shape
    n_h = W.shape[0]
    states = np.empty((T + 1, B, n_h), dtype=x.dtype)
    states[0] = s0
    # The input part U x_t of every step in one large matmul.
    np.matmul(x.reshape(T * B, n_in), U.T, out=states[1:].reshape(T * B, n_h))
    apply_f = get_activation(activation).apply_in_place
    recurrent = np.empty((B, n_h), dtype=x.dtype)
    Wt = np.ascontiguousarray(W.T)  # OpenBLAS: 10-45 % faster than on the transposed view
    for t in range(1, T + 1):
        np.matmul(states[t - 1], Wt, out=recurrent)
        recurrent += b  # here, in cache, rather than in a pass over all the states
        states[t] += recurrent
        apply_f(states[t])
    return states


def _backprop_full(
    W: FloatArray, activation: str, states: FloatArray, dhs: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Return ∂L/∂z_t for all t (row t − 1) and ∂L/∂s_0, from the states s_0 … s_T."""
    times_fprime = get_activation(activation).multiply_by_derivative
    T = dhs.shape[0]
    dz = np.empty_like(dhs)
    times_fprime(states[T], dhs[T - 1], dz[T - 1])
    ds = np.empty_like(dhs[0])
    for t in range(T - 2, -1, -1):
        np.matmul(dz[t + 1], W, out=ds)  # the row vector ∂L/∂z_{t+2} times ∂z_{t+2}/∂s_{t+1}
        ds += dhs[t]
        times_fprime(states[t + 1], ds, dz[t])
    return dz, dz[0] @ W


def _backprop_truncated(
    W: FloatArray, deriv: FloatArray, dhs: FloatArray, k: int
) -> tuple[FloatArray, FloatArray]:
    """Like :func:`_backprop_full`, but no gradient crosses more than k Jacobians.

    One running sum cannot forget what is older than k steps, so the gradient reaching s_t
    is kept split by age: ``by_age[a]`` came from s_{t+a} through exactly a Jacobians.
    """
    dz = np.empty_like(deriv)
    by_age = np.zeros((k + 1, *dhs.shape[1:]), dtype=dhs.dtype)
    for t in range(dhs.shape[0] - 1, -1, -1):
        by_age[0] = dhs[t]
        dz_by_age = by_age * deriv[t]
        dz[t] = dz_by_age.sum(axis=0)
        by_age[1:] = dz_by_age[:k] @ W  # one step older; the oldest falls off
    return dz, by_age[1:].sum(axis=0)
