"""The contract every recurrent layer satisfies, and the implementation the layers share.

:class:`~rnngrad.rnn.RNN`, :class:`~rnngrad.lstm.LSTM` and :class:`~rnngrad.gru.GRU` are
frozen dataclasses derived from :class:`RecurrentLayer`; what the training loop, the
experiments and the chapter's figures need from a layer is named here once:

* the parameters U (input weights), W (recurrent weights), b (biases), each with the k
  blocks of n_h rows of a layer with k gates stacked (k = 1 for the RNN), optional extra
  bias vectors (the GRU's b_hn), and the head's V, c (:class:`~rnngrad.heads.HeadMixin`);
  :meth:`~RecurrentLayer.parameters` returns them by name;
* :meth:`~RecurrentLayer.random`, :meth:`~RecurrentLayer.from_torch_state_dict` and
  :meth:`~RecurrentLayer.to_torch_state_dict` (the layout of the matching ``torch.nn``
  layer);
* ``forward(x, h0)`` → (h_1 … h_T, cache) and ``backward(dhs, cache)`` → gradients, with
  :meth:`~rnngrad.heads.HeadMixin.loss` and
  :meth:`~rnngrad.heads.HeadMixin.loss_and_gradients` on top;
* :meth:`~RecurrentLayer.state_jacobians` along one sequence and
  :meth:`~RecurrentLayer.jacobian_norms_by_lag`, the norms of their products.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import Field
from typing import Any, ClassVar, Self

import numpy as np
from numpy.typing import ArrayLike

from . import interop
from ._types import FloatArray, Gradients
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
from .jacobians import product_norms_by_lag
from .spectral import identity_init, orthogonal, square_matrix

#: The four keys of a one-layer ``torch.nn.RNN``, ``LSTM`` or ``GRU`` state dict.
TORCH_KEYS = interop.TORCH_RNN_KEYS


class RecurrentLayer(HeadMixin, ABC):
    """A recurrent layer h_t = F(x_t, h_{t−1}) with stacked gates, an optional head, and
    everything the library computes on it.

    A subclass is a frozen dataclass with the fields U, W, b, the extra bias vectors named
    in ``VECTORS`` and the head fields V, c, head; it calls ``_set_parameters`` in
    ``__post_init__`` and implements :meth:`forward`, :meth:`backward` (through
    ``_backward``), :meth:`state_jacobians` and :meth:`random`.
    """

    #: The number of blocks of n_h rows stacked in U, W and b (1 for the RNN).
    GATES: ClassVar[int]
    #: The ``torch.nn`` class whose state dicts the layer reads and writes.
    TORCH_CLASS: ClassVar[str]
    #: The choices of ``recurrent`` in :meth:`random`.
    RECURRENT_INITS: ClassVar[tuple[str, ...]] = ("gaussian", "orthogonal")
    #: Extra bias vectors of size n_h, parameters besides U, W, b.
    VECTORS: ClassVar[tuple[str, ...]] = ()

    b: FloatArray
    # Every layer is a frozen dataclass: this tells type checkers that
    # ``dataclasses.replace(layer, W=...)`` works on any of them.
    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]

    # ----------------------------------------------------------------- the contract
    @classmethod
    @abstractmethod
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
    ) -> Self:
        """Return a randomly initialised layer (reproducible: ``rng=None`` means seed 0)."""

    @classmethod
    @abstractmethod
    def from_torch_state_dict(cls, sd: Mapping[str, ArrayLike]) -> Self:
        """Build the layer from the state dict of the matching one-layer ``torch.nn`` layer."""

    @abstractmethod
    def forward(self, x: ArrayLike, h0: Any = None) -> tuple[FloatArray, Any]:
        """Run the layer over x (T, B, n_in); return h_1 … h_T (T, B, n_h) and a cache."""

    @abstractmethod
    def backward(self, dhs: ArrayLike, cache: Any) -> Gradients:
        """Backpropagate through time the gradients ∂L/∂h_t arriving from outside."""

    @abstractmethod
    def _forward(self, xs: FloatArray, h0: Any) -> tuple[FloatArray, Any]:
        """``forward`` after its checks of x: ``xs`` is (..., T, B, n_in)."""

    @abstractmethod
    def _backward(self, dhs: FloatArray, cache: Any) -> Gradients:
        """``backward`` after its checks: ``dhs`` is (T, B, n_h) in the dtype of the cache."""

    @abstractmethod
    def state_jacobians(self, x: ArrayLike, h0: Any = None) -> FloatArray:
        """Return J_j = ∂(state_j)/∂(state_{j−1}), j = 1 … T, along one sequence (T, n_in)."""

    # ----------------------------------------------------------------- shared
    def parameters(self) -> dict[str, FloatArray]:
        """Return the parameters by name: U, W, b, the layer's extra biases and, with a head,
        V and c."""
        names = ("U", "W", "b", *self.VECTORS)
        if self.V is not None:
            names += ("V", "c")
        return {name: getattr(self, name) for name in names}

    def jacobian_norms_by_lag(self, x: ArrayLike, t: int, h0: Any = None) -> FloatArray:
        """Return ‖∂h_t/∂h_{t−ℓ}‖_2 for the lags ℓ = 0 … t along one sequence.

        Parameters
        ----------
        x : array_like, shape (T, n_in)
            One sequence.
        t : int
            The later time, 0 ≤ t ≤ T.
        h0 : optional
            The initial state of the sequence, as for :meth:`state_jacobians`; zeros if None.

        Returns
        -------
        ndarray of float64, shape (t + 1,)
            ``result[lag]``; ``result[0] = 1``.  Compare with
            :func:`~rnngrad.spectral.pascanu_bound`.

        Raises
        ------
        ValueError, TypeError
            If x or h0 is invalid or t is out of range.
        """
        return product_norms_by_lag(self.state_jacobians(x, h0), t)

    def to_torch_state_dict(
        self, g: Mapping[str, ArrayLike] | None = None
    ) -> dict[str, FloatArray]:
        """Return parameters, or gradients ``g``, under the names of the ``torch.nn`` layer.

        Parameters
        ----------
        g : mapping, optional
            Gradients as returned by ``backward`` (the keys of the layer's parameters
            without the head's; others are ignored).  Both torch biases receive ∂L/∂b where
            the pre-activations depend on each of them exactly as on b.  Without ``g`` the
            parameters are returned, with ``bias_ih_l0`` = b and ``bias_hh_l0`` = 0 (or the
            layer's own recurrent bias): the same layer.

        Returns
        -------
        dict
            ``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0`` (copies).

        Raises
        ------
        ValueError, TypeError
            If ``g`` lacks a key or holds an array of the wrong shape.
        """
        names = ("U", "W", "b", *self.VECTORS)
        if g is None:
            arrays = {name: getattr(self, name) for name in names}
        else:
            arrays = {
                name: as_float_array(
                    f"g[{name!r}]", interop.required(g, "g", name), shape=getattr(self, name).shape
                )
                for name in names
            }
        values = (arrays["U"], arrays["W"], *self._torch_biases(arrays, gradients=g is not None))
        return {name: np.array(value) for name, value in zip(TORCH_KEYS, values, strict=True)}

    # ----------------------------------------------------------------- for the subclasses
    def _set_parameters(self) -> None:
        """Validate U, W, b, the extra vectors and the head; promote them to one dtype."""
        W = self._recurrent_weights("W", self.W)
        rows, n_h = W.shape
        params = {
            "U": as_float_array("U", self.U, shape=(rows, "n_in")),
            "W": W,
            "b": as_float_array("b", self.b, shape=(rows,)),
        }
        for name in self.VECTORS:
            params[name] = as_float_array(name, getattr(self, name), shape=(n_h,))
        params |= self._validated_head(n_h)
        dtype = np.result_type(*params.values())
        for name, value in params.items():
            object.__setattr__(self, name, value.astype(dtype, copy=False))

    @classmethod
    def _recurrent_weights(cls, name: str, value: ArrayLike) -> FloatArray:
        """W as a (k n_h, n_h) matrix of k stacked blocks, or raise naming ``name``."""
        k = cls.GATES
        if k == 1:  # the RNN's W is square, and the message says so
            return square_matrix(name, value)
        W = as_float_array(name, value, shape=(f"{k}*n_h", "n_h"))
        check_shape(name, W, (k * W.shape[1], W.shape[1]))
        return W

    def _stacked(self, parameters: Mapping[str, FloatArray]) -> Self:
        """Return this layer's kind and settings with K networks' parameters stacked.

        For :mod:`rnngrad.train`'s loop over K networks at once: ``parameters`` holds every
        name of :meth:`parameters` with a leading axis of K networks (K ≥ 1), already
        checked.  The result is not validated and serves only ``_forward`` on inputs
        (T, K, B, n_in) and ``_backward``.
        """
        layer = copy.copy(self)
        for name, value in parameters.items():
            object.__setattr__(layer, name, value)
        return layer

    def _state(self, name: str, value: ArrayLike | None, xs: FloatArray) -> FloatArray:
        """An initial state part (B, n_h) in the dtype of x; zeros if None (and then with
        the leading axes of a stack, (..., B, n_h))."""
        B = xs.shape[-2]
        if value is None:
            return np.zeros((*xs.shape[1:-2], B, self.n_h), dtype=xs.dtype)
        return as_float_array(name, value, shape=(B, self.n_h)).astype(xs.dtype, copy=False)

    @classmethod
    def _random_parameters(
        cls,
        n_in: int,
        n_h: int,
        n_out: int | None,
        head: str,
        recurrent: str,
        rng: RngLike,
        dtype: type,
    ) -> dict[str, Any]:
        """Return U, W, zero b and (with ``n_out``) V, zero c and ``head`` of a random layer.

        U has i.i.d. N(0, 1/n_in) entries, V N(0, 1/n_h), and W is i.i.d. N(0, 1/n_h)
        (``"gaussian"``), or each gate's block of it orthogonal (``"orthogonal"``) or the
        identity (``"identity"``).

        Raises
        ------
        ValueError, TypeError
            If a size is not an integer ≥ 1, or ``recurrent``, ``rng`` or ``dtype`` is invalid.
        """
        n_in = check_int("n_in", n_in, minimum=1)
        n_h = check_int("n_h", n_h, minimum=1)
        check_choice("recurrent", recurrent, cls.RECURRENT_INITS)
        dt = float_dtype(dtype)
        gen = as_generator(rng)
        k = cls.GATES
        U = gen.standard_normal((k * n_h, n_in)) / np.sqrt(n_in)
        if recurrent == "gaussian":
            W = gen.standard_normal((k * n_h, n_h)) / np.sqrt(n_h)
        elif recurrent == "orthogonal":
            W = np.concatenate([orthogonal(n_h, rng=gen) for _ in range(k)])
        else:
            W = np.concatenate([identity_init(n_h)] * k)
        params: dict[str, Any] = {"U": U.astype(dt), "W": W.astype(dt), "b": np.zeros(k * n_h, dt)}
        params["head"] = None  # a head without V and c would be a head of nothing
        if n_out is not None:
            params["head"] = head
            n_out = check_int("n_out", n_out, minimum=1)
            params["V"] = (gen.standard_normal((n_out, n_h)) / np.sqrt(n_h)).astype(dt)
            params["c"] = np.zeros(n_out, dtype=dt)
        return params

    @classmethod
    def _torch_parameters(
        cls, sd: Mapping[str, ArrayLike]
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Return (U, W, b_ih, b_hh) from a state dict of the layer's ``torch.nn`` class.

        Raises
        ------
        ValueError
            If a key is missing or unknown, or the shapes do not fit.
        TypeError
            If ``sd`` is not a mapping or a value is not a real array.
        """
        U_NAME, W_NAME, B_IH_NAME, B_HH_NAME = TORCH_KEYS
        interop.check_keys(
            sd, "sd", required_keys=TORCH_KEYS, allowed_keys=TORCH_KEYS, torch_class=cls.TORCH_CLASS
        )
        W = cls._recurrent_weights(f"sd[{W_NAME!r}]", sd[W_NAME])
        rows = W.shape[0]
        U = as_float_array(f"sd[{U_NAME!r}]", sd[U_NAME], shape=(rows, "n_in"))
        b_ih = as_float_array(f"sd[{B_IH_NAME!r}]", sd[B_IH_NAME], shape=(rows,))
        b_hh = as_float_array(f"sd[{B_HH_NAME!r}]", sd[B_HH_NAME], shape=(rows,))
        return U, W, b_ih, b_hh

    def _torch_biases(
        self, arrays: Mapping[str, FloatArray], *, gradients: bool
    ) -> tuple[FloatArray, FloatArray]:
        """torch's (``bias_ih_l0``, ``bias_hh_l0``) from the parameters or their gradients.

        torch adds its two biases wherever the layer has b, so both get ∂L/∂b, and the
        parameters put all of b in the first.
        """
        b = arrays["b"]
        return b, b if gradients else np.zeros_like(b)
