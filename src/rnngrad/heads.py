"""The optional output head ŷ_t = g(V h_t + c) and its losses, shared by every recurrent layer.

:class:`~rnngrad.rnn.RNN`, :class:`~rnngrad.lstm.LSTM` and :class:`~rnngrad.gru.GRU` differ
only in how they compute the states h_1 … h_T (s_t on the slides).  Everything on top of the
states -- the head, the loss E = Σ_t E_t and the gradient ∂E/∂h_t it sends back into the
recurrence -- is written once here, in :class:`HeadMixin`, which each layer inherits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._types import FloatArray, Gradients
from ._validate import as_float_array, check_choice, check_shape

HEADS = ("softmax", "linear")
STEPS = ("every", "last")


class StateGradients(NamedTuple):
    """What :meth:`HeadMixin.loss_and_state_gradients` returns."""

    #: The loss E.
    loss: float
    #: ∂E/∂h_t through the head, (T, B, n_h); row t − 1 is step t.
    dhs: FloatArray
    #: The layer's forward cache, for its ``backward``.
    cache: Any
    #: The gradients of the head's parameters, ``"V"`` and ``"c"``.
    head: Gradients


class HeadMixin:
    """The head ŷ_t = softmax(V h_t + c) or V h_t + c of a recurrent layer, and its losses.

    A layer that inherits it has the fields U (input weights, n_in columns), W (recurrent
    weights, n_h columns), V, c and head, and the methods ``forward(x, h0)`` and
    ``_backward(dhs, cache)``; the mixin adds the sizes, :meth:`predict`, :meth:`loss` and
    :meth:`loss_and_gradients`.
    """

    U: FloatArray
    W: FloatArray
    V: FloatArray | None
    c: FloatArray | None
    head: str | None

    if TYPE_CHECKING:  # provided by each layer

        def forward(self, x: ArrayLike, h0: Any = None) -> tuple[FloatArray, Any]:
            raise NotImplementedError

        def _backward(self, dhs: FloatArray, cache: Any) -> Gradients:
            raise NotImplementedError

        def _forward(self, xs: FloatArray, h0: Any) -> tuple[FloatArray, Any]:
            raise NotImplementedError

    # ----------------------------------------------------------------- sizes
    @property
    def n_in(self) -> int:
        """Input size, the number of columns of U."""
        return int(self.U.shape[-1])

    @property
    def n_h(self) -> int:
        """State size, the number of columns of W."""
        return int(self.W.shape[-1])

    @property
    def n_out(self) -> int | None:
        """Output size of the head, or None without one."""
        return None if self.V is None else int(self.V.shape[-2])

    @property
    def dtype(self) -> np.dtype[Any]:
        """The dtype of the parameters."""
        return self.W.dtype

    # ----------------------------------------------------------------- the head
    def predict(self, x: ArrayLike, h0: Any = None) -> FloatArray:
        """Return the outputs ŷ_1 … ŷ_T, shape (T, B, n_out), for inputs x (T, B, n_in).

        ŷ_t = softmax(V h_t + c) (class probabilities) or V h_t + c, depending on the head;
        ``h0`` is the initial state as for the layer's ``forward``.

        Raises
        ------
        ValueError
            If the layer has no head, or x/h0 are invalid (see the layer's ``forward``).
        """
        xs = self._inputs(x)
        V, c = self._head_params(xs.dtype)
        hs, _ = self.forward(xs, h0)
        return head_outputs(self.head or "", V, c, hs)

    def loss(
        self,
        x: ArrayLike,
        y: ArrayLike,
        h0: Any = None,
        *,
        steps: Literal["every", "last"] = "every",
    ) -> float:
        """Return the loss E of the head (see :meth:`loss_and_gradients`)."""
        return self.loss_and_state_gradients(x, y, h0, steps=steps).loss

    def loss_and_gradients(
        self,
        x: ArrayLike,
        y: ArrayLike,
        h0: Any = None,
        *,
        steps: Literal["every", "last"] = "every",
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
        h0 : optional
            The initial state, as for the layer's ``forward``; zeros if None.
        steps : {"every", "last"}
            Loss on every step, or only on the last one (E = E_T).

        Returns
        -------
        loss : float
        gradients : dict of str to ndarray
            Those of the layer's ``backward`` and ``"V"``, ``"c"``.

        Raises
        ------
        ValueError, TypeError
            If the layer has no head, or an argument is invalid.
        """
        loss, dhs, cache, head_grads = self.loss_and_state_gradients(x, y, h0, steps=steps)
        return loss, self._backward(dhs, cache) | head_grads

    def loss_and_state_gradients(
        self,
        x: ArrayLike,
        y: ArrayLike,
        h0: Any = None,
        *,
        steps: Literal["every", "last"] = "every",
    ) -> StateGradients:
        """Return the loss E, its gradients ∂E/∂h_t through the head, and the forward cache.

        The first half of :meth:`loss_and_gradients`: ``backward(result.dhs, result.cache)``
        is the second.  Arguments and errors as for :meth:`loss_and_gradients`.

        Returns
        -------
        StateGradients
            The loss, ∂E/∂h_t (T, B, n_h) for t = 1 … T (zero where no loss is taken), the
            forward cache, and the gradients of V and c.
        """
        check_choice("steps", steps, STEPS)
        xs = self._inputs(x)
        self._require_head()  # before the targets, which only a head gives a shape
        T, B = xs.shape[:2]
        targets = self._targets(y, (T, B) if steps == "every" else (B,), xs.dtype)
        return self._head_state_gradients(xs, targets, h0, used=T if steps == "every" else 1)

    def _head_state_gradients(
        self, xs: FloatArray, targets: NDArray[Any], h0: Any, *, used: int
    ) -> StateGradients:
        """:meth:`loss_and_state_gradients` after its checks, with the loss on the last
        ``used`` steps.  Also for K stacked networks (``rnngrad.train.train_many``): xs
        (T, K, B, n_in) and targets (K, B, …) with ``used`` = 1, and then a loss per network."""
        V, c = self._head_params(xs.dtype)
        T, B = xs.shape[0], xs.shape[-2]
        hs, cache = self._forward(xs, h0)
        loss, ds, dV, dc = head_loss(self.head or "", V, c, hs[T - used :], targets, B)
        dhs = np.zeros_like(hs)
        dhs[T - used :] = ds
        return StateGradients(loss, dhs, cache, {"V": dV, "c": dc})

    # ----------------------------------------------------------------- helpers
    def _validated_head(self, n_h: int) -> dict[str, FloatArray]:
        """Check V, c and head against the state size; set the default head; return V and c."""
        if self.V is None:
            if self.c is not None or self.head is not None:
                raise ValueError("c and head need the output weights V, but V is None")
            return {}
        V = as_float_array("V", self.V, shape=("n_out", n_h))
        n_out = V.shape[0]
        c = as_float_array("c", np.zeros(n_out) if self.c is None else self.c, shape=(n_out,))
        object.__setattr__(self, "head", check_choice("head", self.head or "softmax", HEADS))
        return {"V": V, "c": c}

    def _targets(
        self, y: ArrayLike, batch_shape: tuple[int, ...], dtype: np.dtype[Any]
    ) -> NDArray[Any]:
        if self.head == "linear":
            return as_float_array("y", y, shape=(*batch_shape, self.n_out or 0)).astype(dtype)
        return as_labels("y", y, batch_shape, self.n_out or 0)

    def _cast(self, dtype: np.dtype[Any], *names: str) -> list[FloatArray]:
        return [getattr(self, name).astype(dtype, copy=False) for name in names]

    def _head_params(self, dtype: np.dtype[Any]) -> list[FloatArray]:
        self._require_head()
        return self._cast(dtype, "V", "c")

    def _require_head(self) -> None:
        if self.V is None:
            name = type(self).__name__
            raise ValueError(f"this {name} has no head (V is None): build it with n_out or V")

    def _sequence(self, x: ArrayLike) -> FloatArray:
        """One sequence (T, n_in) as a batch of one, (T, 1, n_in)."""
        xs = as_float_array("x", x, shape=("T", self.n_in))
        _check_nonempty("x", xs, "T")
        return xs[:, None]

    def _checked_gradient_input(
        self, dhs: ArrayLike, cache: Any, cache_type: type[Any]
    ) -> FloatArray:
        """``dhs`` as (T, B, n_h) in the dtype of the cache, after checking the cache."""
        if not isinstance(cache, cache_type):
            raise TypeError(
                f"cache must be the {cache_type.__name__} from forward, got {type(cache).__name__}"
            )
        check_shape("cache.states", cache.states, ("T+1", "B", self.n_h))
        check_shape("cache.x", cache.x, ("T", "B", self.n_in))
        grad = as_float_array("dhs", dhs, shape=(*cache.x.shape[:2], self.n_h))
        return grad.astype(cache.x.dtype, copy=False)

    def _inputs(self, x: ArrayLike) -> FloatArray:
        xs = as_float_array("x", x, shape=("T", "B", self.n_in))
        _check_nonempty("x", xs, "T", "B")
        return xs


def _log_softmax(logits: FloatArray) -> FloatArray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    result: FloatArray = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return result


def head_outputs(head: str, V: FloatArray, c: FloatArray, hs: FloatArray) -> FloatArray:
    """Return ŷ = softmax(V h + c) or V h + c for states ``hs`` (..., n_h).

    V and c are one network's, or K networks' (K, n_out, n_h) and (K, n_out) for states
    (..., K, B, n_h).
    """
    out: FloatArray = hs @ V.mT + c[..., None, :]
    if head == "softmax":
        out = np.exp(_log_softmax(out))
    return out


def head_loss(
    head: str, V: FloatArray, c: FloatArray, hs: FloatArray, y: NDArray[Any], batch: int
) -> tuple[Any, FloatArray, FloatArray, FloatArray]:
    """Return the loss of the head over states ``hs`` and its gradients.

    Parameters
    ----------
    head : {"softmax", "linear"}
        Cross-entropy of softmax(V s + c), or mean squared error of V s + c.
    V, c : ndarray
        Head parameters, shapes (n_out, n_h) and (n_out,); or (K, n_out, n_h) and
        (K, n_out) for K networks (:func:`rnngrad.train.train_many`), whose ``hs`` and ``y`` then
        start with the same K.
    hs : ndarray, shape (..., n_h)
        The states the loss is taken on, e.g. (T, B, n_h) (or (K, T, B, n_h)).
    y : ndarray
        Labels of shape ``hs.shape[:-1]`` (softmax) or targets ``hs.shape[:-1] + (n_out,)``.
    batch : int
        B: the summed loss is divided by it.

    Returns
    -------
    loss : float (ndarray of shape (K,) for K networks)
    dhs : ndarray, shape of ``hs``
        ∂E/∂s_t = Vᵀ ∂E/∂(V s_t + c) for every given state, as a row vector per state.
    dV, dc : ndarray
        Gradients of the head parameters.
    """
    lead = V.shape[:-2]
    flat = hs.reshape(*lead, -1, hs.shape[-1])
    out = flat @ V.mT + c[..., None, :]
    if head == "softmax":
        labels = y.reshape(*lead, -1, 1)
        logp = _log_softmax(out)
        picked = np.take_along_axis(logp, labels, axis=-1)
        loss = -_in_float64(picked.sum(axis=(-2, -1))) / batch
        dout = np.exp(logp)
        np.put_along_axis(dout, labels, np.take_along_axis(dout, labels, axis=-1) - 1.0, axis=-1)
        dout /= batch
    else:
        diff = out - y.reshape(out.shape)
        scale = batch * out.shape[-1]
        loss = _in_float64(np.sum(diff * diff, axis=(-2, -1))) / scale
        dout = diff * (2.0 / scale)
    total = float(loss) if not lead else loss
    return total, (dout @ V).reshape(hs.shape), dout.mT @ flat, dout.sum(axis=-2)


def _in_float64(total: Any) -> Any:
    """A float32 sum widened before it is divided: the loss is reported in float64."""
    return np.asarray(total, dtype=np.float64)


def as_labels(name: str, y: ArrayLike, shape: tuple[int, ...], n_classes: int) -> NDArray[np.intp]:
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
