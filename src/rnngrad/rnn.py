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
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import interop
from ._validate import as_float_array, check_choice, check_int, check_shape
from .activations import Activation, get_activation
from .spectral import (
    RngLike,
    _float_dtype,
    as_generator,
    identity_init,
    orthogonal,
    square_matrix,
)

FloatArray = NDArray[np.floating[Any]]
Gradients = dict[str, FloatArray]

HEADS = ("softmax", "linear")
STEPS = ("every", "last")
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
class RNN:
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
        _set = object.__setattr__
        _set(self, "activation", get_activation(self.activation).name)
        if self.V is None:
            if self.c is not None or self.head is not None:
                raise ValueError("c and head need the output weights V, but V is None")
        else:
            params["V"] = as_float_array("V", self.V, shape=("n_out", n_h))
            n_out = params["V"].shape[0]
            c = np.zeros(n_out) if self.c is None else self.c
            params["c"] = as_float_array("c", c, shape=(n_out,))
            _set(self, "head", check_choice("head", self.head or "softmax", HEADS))
        dtype = np.result_type(*params.values())
        for name, value in params.items():
            _set(self, name, value.astype(dtype, copy=False))

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
        dt = _float_dtype(dtype)
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
    def n_in(self) -> int:
        """Input size, the number of columns of U."""
        return int(self.U.shape[1])

    @property
    def n_h(self) -> int:
        """State size."""
        return int(self.W.shape[0])

    @property
    def n_out(self) -> int | None:
        """Output size of the head, or None without one."""
        return None if self.V is None else int(self.V.shape[0])

    @property
    def dtype(self) -> np.dtype[Any]:
        """The dtype of the parameters."""
        return self.W.dtype

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
        if not isinstance(cache, ForwardCache):
            raise TypeError(
                f"cache must be the ForwardCache from forward, got {type(cache).__name__}"
            )
        check_shape("cache.states", cache.states, ("T+1", "B", self.n_h))
        check_shape("cache.x", cache.x, ("T", "B", self.n_in))
        grad = as_float_array("dhs", dhs, shape=(*cache.x.shape[:2], self.n_h))
        k = None if truncate is None else check_int("truncate", truncate, minimum=0)
        return self._backward(grad.astype(cache.x.dtype, copy=False), cache, k)

    def _backward(self, dhs: FloatArray, cache: ForwardCache, truncate: int | None) -> Gradients:
        U, W = self._cast(dhs.dtype, "U", "W")
        if truncate is None or truncate >= dhs.shape[0]:
            dz, dh0 = _backprop_full(W, self.activation, cache.states, dhs)
        else:
            deriv = self.f.derivative_from_output(cache.states[1:])
            dz, dh0 = _backprop_truncated(W, deriv, dhs, truncate)
        return _gradients_from_dz(U, dz, cache) | {"h0": dh0}

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
        xs = as_float_array("x", x, shape=("T", self.n_in))
        _check_nonempty("x", xs, "T")
        s0 = None if h0 is None else as_float_array("h0", h0, shape=(self.n_h,))[None]
        _, cache = self.forward(xs[:, None], s0)
        return cache.states[:, 0]

    # ----------------------------------------------------------------- the head
    def predict(self, x: ArrayLike, h0: ArrayLike | None = None) -> FloatArray:
        """Return the outputs ŷ_1 … ŷ_T, shape (T, B, n_out), for inputs x (T, B, n_in).

        ŷ_t = softmax(V s_t + c) (class probabilities) or V s_t + c, depending on the head.

        Raises
        ------
        ValueError
            If the network has no head, or x/h0 are invalid (see :meth:`forward`).
        """
        xs = self._inputs(x)
        V, c = self._head_params(xs.dtype)
        hs, _ = self.forward(xs, h0)
        out = hs @ V.T + c
        if self.head == "softmax":
            out = np.exp(_log_softmax(out))
        return out

    def loss(
        self,
        x: ArrayLike,
        y: ArrayLike,
        h0: ArrayLike | None = None,
        *,
        steps: Literal["every", "last"] = "every",
    ) -> float:
        """Return the loss E of the head (see :meth:`loss_and_gradients`)."""
        return self._loss(x, y, h0, steps)[0]

    def loss_and_gradients(
        self,
        x: ArrayLike,
        y: ArrayLike,
        h0: ArrayLike | None = None,
        *,
        steps: Literal["every", "last"] = "every",
        truncate: int | None = None,
    ) -> tuple[float, Gradients]:
        """Return the loss E and its gradient with respect to everything.

        E = (1/B) Σ_b Σ_t E_t summed over the steps t chosen by ``steps`` and averaged
        over the B sequences; for one sequence this is the slides' E = Σ_t E_t.  With the
        softmax head E_t = −log ŷ_t[y_t] (cross-entropy); with the linear head
        E_t = (1/n_out) Σ_o (ŷ_t,o − y_t,o)² (squared error, e.g. for the adding problem).

        Parameters
        ----------
        x : array_like, shape (T, B, n_in)
            Inputs.
        y : array_like
            Targets.  Softmax head: integer class labels in [0, n_out), shape (T, B), or
            (B,) with ``steps="last"``.  Linear head: real, shape (T, B, n_out), or
            (B, n_out) with ``steps="last"``.
        h0 : array_like, shape (B, n_h), optional
            s_0; zeros if None.
        steps : {"every", "last"}
            Loss on every step, or only on the last one (E = E_T).
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

    def _loss(
        self, x: ArrayLike, y: ArrayLike, h0: ArrayLike | None, steps: str
    ) -> tuple[float, FloatArray, ForwardCache, Gradients]:
        check_choice("steps", steps, STEPS)
        xs = self._inputs(x)
        V, c = self._head_params(xs.dtype)
        T, B = xs.shape[:2]
        used = T if steps == "every" else 1
        targets = self._targets(y, (T, B) if steps == "every" else (B,), xs.dtype)
        hs, cache = self.forward(xs, h0)
        loss, ds, dV, dc = _head_loss(self.head or "", V, c, hs[T - used :], targets, B)
        dhs = np.zeros_like(hs)
        dhs[T - used :] = ds
        return loss, dhs, cache, {"V": dV, "c": dc}

    def _targets(
        self, y: ArrayLike, batch_shape: tuple[int, ...], dtype: np.dtype[Any]
    ) -> NDArray[Any]:
        if self.head == "linear":
            return as_float_array("y", y, shape=(*batch_shape, self.n_out or 0)).astype(dtype)
        return _as_labels("y", y, batch_shape, self.n_out or 0)

    # ----------------------------------------------------------------- helpers
    def _cast(self, dtype: np.dtype[Any], *names: str) -> list[FloatArray]:
        return [getattr(self, name).astype(dtype, copy=False) for name in names]

    def _head_params(self, dtype: np.dtype[Any]) -> list[FloatArray]:
        if self.V is None:
            raise ValueError("this RNN has no head (V is None): build it with n_out or V")
        return self._cast(dtype, "V", "c")

    def _inputs(self, x: ArrayLike) -> FloatArray:
        xs = as_float_array("x", x, shape=("T", "B", self.n_in))
        _check_nonempty("x", xs, "T", "B")
        return xs

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


def _gradients_from_dz(U: FloatArray, dz: FloatArray, cache: ForwardCache) -> Gradients:
    T, B, n_h = dz.shape
    n_in = U.shape[1]
    flat = dz.reshape(T * B, n_h)
    return {
        "U": flat.T @ cache.x.reshape(T * B, n_in),
        "W": flat.T @ cache.states[:-1].reshape(T * B, n_h),
        "b": np.ones(T * B, dtype=dz.dtype) @ flat,  # BLAS gemv: faster than flat.sum(axis=0)
        "x": (flat @ U).reshape(T, B, n_in),
    }


def _log_softmax(logits: FloatArray) -> FloatArray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    result: FloatArray = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return result


def _head_loss(
    head: str, V: FloatArray, c: FloatArray, hs: FloatArray, y: NDArray[Any], batch: int
) -> tuple[float, FloatArray, FloatArray, FloatArray]:
    """Return the loss of the head over states ``hs`` and its gradients.

    Parameters
    ----------
    head : {"softmax", "linear"}
        Cross-entropy of softmax(V s + c), or mean squared error of V s + c.
    V, c : ndarray
        Head parameters, shapes (n_out, n_h) and (n_out,).
    hs : ndarray, shape (..., n_h)
        The states the loss is taken on, e.g. (T, B, n_h).
    y : ndarray
        Labels of shape ``hs.shape[:-1]`` (softmax) or targets ``hs.shape[:-1] + (n_out,)``.
    batch : int
        B: the summed loss is divided by it.

    Returns
    -------
    loss : float
    dhs : ndarray, shape of ``hs``
        ∂E/∂s_t = Vᵀ ∂E/∂(V s_t + c) for every given state, as a row vector per state.
    dV, dc : ndarray
        Gradients of the head parameters.
    """
    flat = hs.reshape(-1, hs.shape[-1])
    out = flat @ V.T + c
    if head == "softmax":
        rows = np.arange(out.shape[0])
        labels = y.reshape(-1)
        logp = _log_softmax(out)
        loss = -float(logp[rows, labels].sum()) / batch
        dout = np.exp(logp)
        dout[rows, labels] -= 1.0
        dout /= batch
    else:
        diff = out - y.reshape(out.shape)
        scale = batch * out.shape[1]
        loss = float(np.sum(diff * diff)) / scale
        dout = diff * (2.0 / scale)
    return loss, (dout @ V).reshape(hs.shape), dout.T @ flat, dout.sum(axis=0)


def _as_labels(name: str, y: ArrayLike, shape: tuple[int, ...], n_classes: int) -> NDArray[np.intp]:
    """Return ``y`` as integer class labels in [0, n_classes) of the given shape, or raise."""
    arr = np.asarray(y)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
    check_shape(name, arr, shape)
    if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(
            f"{name} must hold class labels in [0, {n_classes}), got values in "
            f"[{arr.min()}, {arr.max()}]"
        )
    return arr.astype(np.intp, copy=False)


def _check_nonempty(name: str, arr: NDArray[Any], *axes: str) -> None:
    if 0 in arr.shape[: len(axes)]:
        sizes = ", ".join(f"{a} = {n}" for a, n in zip(axes, arr.shape, strict=False))
        raise ValueError(f"{name} must not be empty ({sizes} must be >= 1), got {arr.shape}")
