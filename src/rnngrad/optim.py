"""Gradient clipping and the two optimisers the chapter trains with: SGD with momentum and Adam.

Everything works on dictionaries of arrays keyed by parameter name -- the form of a model's
:meth:`~rnngrad.layer.RecurrentLayer.parameters` and of the gradients its
``loss_and_gradients`` returns.
The models are frozen dataclasses, so an optimiser does not modify them: :meth:`Optimizer.update`
returns a new model built with ``dataclasses.replace``.  The gradient dictionary may hold
more than the parameters (``"x"``, ``"h0"``); only the model's parameters are updated.

Clipping by the global norm (Pascanu, Mikolov and Bengio 2013) treats all arrays of the
dictionary as one long vector g: if ‖g‖ > threshold, g ← threshold · g/‖g‖.  Its direction is
kept and only its length is capped, so a step off a "cliff" of the loss surface stays a step
in the steepest direction.  It does nothing against *vanishing* gradients: a short vector is
left as it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TypeVar

import numpy as np
from numpy.typing import ArrayLike

from ._kernels import global_norm_of
from ._types import FloatArray
from ._validate import as_float_array, check_fraction, check_real
from .interop import required

#: Any of the library's networks (RNN, LSTM, GRU): an update returns the same type.
Model = TypeVar("Model")


def _as_gradients(grads: Mapping[str, ArrayLike]) -> dict[str, FloatArray]:
    """``grads`` as a dict of finite float arrays, or raise naming the bad entry."""
    if not isinstance(grads, Mapping):
        raise TypeError(f"grads must be a mapping of names to arrays, got {type(grads).__name__}")
    return {name: as_float_array(f"grads[{name!r}]", g) for name, g in grads.items()}


def global_norm(grads: Mapping[str, ArrayLike]) -> float:
    """Return the Euclidean norm of all arrays of ``grads`` taken together as one vector.

    Parameters
    ----------
    grads : mapping of str to array_like
        E.g. the gradients of ``loss_and_gradients``.

    Returns
    -------
    float
        sqrt(Σ_name Σ_entries g²).

    Raises
    ------
    TypeError, ValueError
        If ``grads`` is not a mapping or an entry is not a finite real array.
    """
    return global_norm_of(_as_gradients(grads).values())


def clip_by_global_norm(
    grads: Mapping[str, ArrayLike], threshold: float
) -> tuple[dict[str, FloatArray], float]:
    """Rescale all gradients jointly so that their global norm is at most ``threshold``.

    If ‖g‖ > threshold every array is multiplied by threshold/‖g‖ (Pascanu et al. 2013);
    otherwise the arrays are returned unchanged.

    Parameters
    ----------
    grads : mapping of str to array_like
        The gradients.
    threshold : float
        The largest norm allowed, > 0.

    Returns
    -------
    clipped : dict of str to ndarray
        The (possibly rescaled) gradients, new arrays.
    norm : float
        The global norm before clipping, e.g. to record how often clipping acts.

    Raises
    ------
    TypeError, ValueError
        If ``grads`` is not a mapping of finite real arrays, or ``threshold`` is not > 0.
    """
    limit = check_real("threshold", threshold, positive=True)
    arrays = _as_gradients(grads)
    norm = global_norm(arrays)
    scale = limit / norm if norm > limit else 1.0
    return {name: g * scale for name, g in arrays.items()}, norm


def clip_by_value(grads: Mapping[str, ArrayLike], limit: float) -> dict[str, FloatArray]:
    """Clip every entry of every gradient to [−limit, limit].

    Unlike :func:`clip_by_global_norm` this changes the direction of the gradient.

    Raises
    ------
    TypeError, ValueError
        If ``grads`` is not a mapping of finite real arrays, or ``limit`` is not > 0.
    """
    bound = check_real("limit", limit, positive=True)
    return {name: np.clip(g, -bound, bound) for name, g in _as_gradients(grads).items()}


class Optimizer:
    """A first-order optimiser with per-parameter state (the velocity, the moments).

    Subclasses implement ``_direction``.  The state is created on the first step, one
    entry per parameter name; use one optimiser for one model.
    """

    def __init__(self, lr: float) -> None:
        self.lr = check_real("lr", lr, positive=True)
        self.t = 0  # the number of steps taken
        self._shapes: dict[str, tuple[int, ...]] = {}

    def step(
        self, params: Mapping[str, ArrayLike], grads: Mapping[str, ArrayLike]
    ) -> dict[str, FloatArray]:
        """Return the parameters after one step along ``grads``.

        Parameters
        ----------
        params : mapping of str to array_like
            The current parameters (not modified).
        grads : mapping of str to array_like
            Must hold every key of ``params``, with the same shape; other keys are ignored.

        Returns
        -------
        dict of str to ndarray
            The new parameters, in the dtype of the old ones.

        Raises
        ------
        TypeError, ValueError
            If a gradient is missing, of the wrong shape or not finite, or a parameter's
            shape differs from the one this optimiser has state for.
        """
        for what, mapping in (("params", params), ("grads", grads)):
            if not isinstance(mapping, Mapping):
                kind = type(mapping).__name__
                raise TypeError(f"{what} must be a mapping of names to arrays, got {kind}")
        pairs: dict[str, tuple[FloatArray, FloatArray]] = {}
        for name, value in params.items():  # check everything before any state changes
            p = as_float_array(f"params[{name!r}]", value)
            g = as_float_array(f"grads[{name!r}]", required(grads, "grads", name), shape=p.shape)
            if self._shapes.setdefault(name, p.shape) != p.shape:
                raise ValueError(
                    f"params[{name!r}] has shape {p.shape}, but this optimiser's state for it "
                    f"has shape {self._shapes[name]}: use one optimiser per model"
                )
            pairs[name] = (p, g)
        self.t += 1
        return {
            name: (p - self.lr * self._direction(name, g)).astype(p.dtype, copy=False)
            for name, (p, g) in pairs.items()
        }

    def update(self, model: Model, grads: Mapping[str, ArrayLike]) -> Model:
        """Return a copy of ``model`` (a frozen dataclass with ``parameters()``) after one step.

        Raises
        ------
        TypeError, ValueError
            As :meth:`step`; TypeError also if ``model`` has no ``parameters()``.
        """
        parameters = getattr(model, "parameters", None)
        if not dataclasses.is_dataclass(model) or not callable(parameters):
            raise TypeError(
                f"model must be an rnngrad model (RNN, LSTM, GRU), got {type(model).__name__}"
            )
        return dataclasses.replace(model, **self.step(parameters(), grads))  # type: ignore[type-var]

    def _direction(self, name: str, g: FloatArray) -> FloatArray:
        """The step direction for parameter ``name`` (the update is p ← p − lr · direction)."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with (heavy-ball) momentum, as ``torch.optim.SGD``.

    v ← μ v + g,   p ← p − lr · v   (with v = 0 before the first step; μ = 0 is plain SGD).

    Parameters
    ----------
    lr : float
        Learning rate, > 0.
    momentum : float
        μ, in [0, 1).

    Raises
    ------
    TypeError, ValueError
        If ``lr`` is not > 0 or ``momentum`` is not in [0, 1).
    """

    def __init__(self, lr: float, momentum: float = 0.0) -> None:
        super().__init__(lr)
        self.momentum = check_fraction("momentum", momentum)
        self.velocity: dict[str, FloatArray] = {}

    def _direction(self, name: str, g: FloatArray) -> FloatArray:
        v = self.velocity.get(name)
        v = g.copy() if v is None else self.momentum * v + g
        self.velocity[name] = v
        return v


class Adam(Optimizer):
    """Adam (Kingma and Ba 2015), as ``torch.optim.Adam`` without weight decay.

    m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²,  p ← p − lr · m̂ / (sqrt(v̂) + ε)
    with the bias corrections m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ) at step t = 1, 2, …

    Parameters
    ----------
    lr : float
        Learning rate, > 0.
    beta1, beta2 : float
        Decay rates of the two moment estimates, in [0, 1).
    eps : float
        Added to sqrt(v̂), > 0.

    Raises
    ------
    TypeError, ValueError
        If a parameter is out of its range.
    """

    def __init__(
        self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ) -> None:
        super().__init__(lr)
        self.beta1 = check_fraction("beta1", beta1)
        self.beta2 = check_fraction("beta2", beta2)
        self.eps = check_real("eps", eps, positive=True)
        self.moments: dict[str, tuple[FloatArray, FloatArray]] = {}

    def _direction(self, name: str, g: FloatArray) -> FloatArray:
        m, v = self.moments.get(name, (np.zeros_like(g), np.zeros_like(g)))
        m = self.beta1 * m + (1.0 - self.beta1) * g
        v = self.beta2 * v + (1.0 - self.beta2) * (g * g)
        self.moments[name] = (m, v)
        m_hat = m / (1.0 - self.beta1**self.t)
        v_hat = v / (1.0 - self.beta2**self.t)
        return m_hat / (np.sqrt(v_hat) + self.eps)
