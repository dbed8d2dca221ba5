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
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from . import interop
from ._types import FloatArray
from ._validate import RngLike, as_float_array, as_generator, check_choice, check_int, float_dtype
from .activations import Activation, get_activation
from .heads import Gradients, HeadMixin
from .spectral import identity_init, orthogonal, square_matrix

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
class RNN(HeadMixin):
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

    def __post_init__(self) -> None:
        W = square_matrix("W", self.W)
        n_h = W.shape[0]
        params = {
            "U": as_float_array("U", self.U, shape=(n_h, "n_in")),
            "W": W,
            "b": as_float_array("b", self.b, shape=(n_h,)),
        }
        object.__setattr__(self, "activation", get_activation(self.activation).name)
        params |= self._validated_head(n_h)
        dtype = np.result_type(*params.values())
        for name, value in params.items():
            object.__setattr__(self, name, value.astype(dtype, copy=False))

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
        n_in = check_int("n_in", n_in, minimum=1)
        n_h = check_int("n_h", n_h, minimum=1)
        check_choice("recurrent", recurrent, RECURRENT_INITS)
        dt = float_dtype(dtype)
        gen = as_generator(rng)
        U = gen.standard_normal((n_h, n_in)) / np.sqrt(n_in)
        if recurrent == "gaussian":
            W = gen.standard_normal((n_h, n_h)) / np.sqrt(n_h)
        elif recurrent == "orthogonal":
            W = orthogonal(n_h, rng=gen)
        else:
            W = identity_init(n_h)
        V = c = None
        if n_out is not None:
            n_out = check_int("n_out", n_out, minimum=1)
            V = (gen.standard_normal((n_out, n_h)) / np.sqrt(n_h)).astype(dt)
            c = np.zeros(n_out, dtype=dt)
        return cls(
            U.astype(dt), W.astype(dt), np.zeros(n_h, dt), activation, V, c,
            head if V is not None else None,
        )  # fmt: skip

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
        U, W, b = interop.parameters_from_torch(sd)
        return cls(U, W, b, activation=nonlinearity)

    def to_torch_state_dict(
        self, g: Mapping[str, ArrayLike] | None = None
    ) -> dict[str, FloatArray]:
        """Return parameters, or gradients ``g``, under the names of ``torch.nn.RNN``.

        Parameters
        ----------
        g : mapping, optional
            Gradients as returned by :meth:`backward` (keys ``"U"``, ``"W"``, ``"b"``; others
            are ignored).  Both torch biases receive ∂L/∂b, because z_t depends on each of
            them exactly as on b.  Without ``g`` the parameters are returned, with
            ``bias_ih_l0`` = b and ``bias_hh_l0`` = 0 (the same network).

        Returns
        -------
        dict
            ``weight_ih_l0`` (n_h, n_in), ``weight_hh_l0`` (n_h, n_h), ``bias_ih_l0`` (n_h,),
            ``bias_hh_l0`` (n_h,).

        Raises
        ------
        ValueError, TypeError
            If ``g`` lacks a key or holds an array of the wrong shape.
        """
        if g is None:
            return interop.parameters_to_torch(self.U, self.W, self.b)
        grads = {
            name: as_float_array(f"g[{name!r}]", interop.required(g, "g", name), shape=like.shape)
            for name, like in (("U", self.U), ("W", self.W), ("b", self.b))
        }
        return interop.gradients_to_torch(grads["U"], grads["W"], grads["b"])

    # ----------------------------------------------------------------- properties
    @property
    def f(self) -> Activation:
        """The activation f as an :class:`~rnngrad.activations.Activation`."""
        return get_activation(self.activation)

    def parameters(self) -> dict[str, FloatArray]:
        """Return the parameters by slide name: U, W, b and, with a head, V and c."""
        names = ("U", "W", "b") if self.V is None else ("U", "W", "b", "V", "c")
        return {name: getattr(self, name) for name in names}

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
        s0 = self._initial_state(h0, xs)
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
        return _gradients_from_dz(U, dz, cache.x, cache.states[:-1]) | {"h0": dh0}

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
        loss, dhs, cache, head_grads = self._loss(x, y, h0, steps)
        return loss, self._backward(dhs, cache, k) | head_grads

    def _initial_state(self, h0: ArrayLike | None, xs: FloatArray) -> FloatArray:
        B = xs.shape[1]
        if h0 is None:
            return np.zeros((B, self.n_h), dtype=xs.dtype)
        return as_float_array("h0", h0, shape=(B, self.n_h)).astype(xs.dtype, copy=False)


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
    Wt = W.T
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


def _gradients_from_dz(
    U: FloatArray,
    dz: FloatArray,
    x: FloatArray,
    h_prev: FloatArray,
    dz_recurrent: FloatArray | None = None,
) -> Gradients:
    """Gradients of U, W, b and x from ∂L/∂z_t of the pre-activations z_t = U x_t + W h_{t−1} + b.

    ``dz`` is (T, B, m) (m = n_h, or the stacked gates of a gated layer); ``h_prev`` holds
    h_0 … h_{T−1}.  A layer whose recurrent term W h_{t−1} enters z_t differently from
    U x_t (the GRU's reset gate) passes its own ∂L/∂(W h_{t−1}) as ``dz_recurrent``.
    """
    T, B, m = dz.shape
    flat = dz.reshape(T * B, m)
    recurrent = flat if dz_recurrent is None else dz_recurrent.reshape(T * B, m)
    return {
        "U": flat.T @ x.reshape(T * B, -1),
        "W": recurrent.T @ h_prev.reshape(T * B, -1),
        "b": np.ones(T * B, dtype=dz.dtype) @ flat,  # BLAS gemv: faster than flat.sum(axis=0)
        "x": (flat @ U).reshape(T, B, -1),
    }
