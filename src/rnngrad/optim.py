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

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

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

    :func:`stack_optimizers` joins K fresh optimisers of one kind into one that steps K
    networks' stacked parameters (leading axis K) as each of them would step its own: its
    hyper-parameters are then arrays of shape (K,), one value per network.
    """

    #: The names of the hyper-parameters, the attributes :func:`stack_optimizers` stacks.
    HYPERPARAMETERS: ClassVar[tuple[str, ...]] = ("lr",)

    def __init__(self, lr: float) -> None:
        self.lr: Hyper = check_real("lr", lr, positive=True)
        self.t = 0  # the number of steps taken
        self._shapes: dict[str, tuple[int, ...]] = {}
        self.state: dict[str, tuple[FloatArray, ...]] = {}

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
            name: (p - per_network(self.lr, p) * self._direction(name, g)).astype(
                p.dtype, copy=False
            )
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

    def keep(self, networks: Sequence[int]) -> None:
        """Keep only the given networks of a stacked optimiser (rows of its state), in order."""
        rows = np.asarray(networks, dtype=np.intp)
        for name in self.HYPERPARAMETERS:
            setattr(self, name, np.asarray(getattr(self, name))[rows])
        self.state = {name: tuple(a[rows] for a in arrays) for name, arrays in self.state.items()}
        self._shapes = {name: (len(rows), *shape[1:]) for name, shape in self._shapes.items()}

    def _direction(self, name: str, g: FloatArray) -> FloatArray:
        """The step direction for parameter ``name`` (the update is p ← p − lr · direction)."""
        raise NotImplementedError


#: A hyper-parameter: one float, or one per network of a stacked optimiser.
Hyper = float | NDArray[np.float64]


def per_network(value: Hyper, like: FloatArray) -> Any:
    """Return ``value`` as it multiplies ``like``: a float as it is (one network); K values
    (one per network of a stack) as (K, 1, …, 1) in ``like``'s dtype, which gives every
    row of ``like`` the same result as numpy gives a float beside one network's array."""
    if isinstance(value, np.ndarray):
        return value.astype(like.dtype).reshape(-1, *([1] * (like.ndim - 1)))
    return value


def stack_optimizers(optimizers: Sequence[Optimizer]) -> Optimizer:
    """Join K fresh optimisers of one kind into one for K networks' stacked parameters.

    The result steps parameters of shape (K, …) so that row k moves exactly as
    ``optimizers[k]`` would move network k alone (the same operations on the same values,
    so bit for bit); :meth:`Optimizer.keep` drops networks that stop.

    Parameters
    ----------
    optimizers : sequence of Optimizer
        K ≥ 1 optimisers of one class (e.g. :class:`Adam` with different learning rates),
        none of which has taken a step.

    Returns
    -------
    Optimizer
        A new optimiser of that class whose hyper-parameters are arrays of shape (K,).

    Raises
    ------
    TypeError, ValueError
        If ``optimizers`` is empty, mixes classes, or holds one that has taken steps.
    """
    if isinstance(optimizers, Optimizer) or not isinstance(optimizers, Sequence):
        given = type(optimizers).__name__
        raise TypeError(f"optimizers must be a sequence of rnngrad Optimizers, got {given}")
    if not optimizers:
        raise ValueError("optimizers must hold at least one optimiser, got none")
    kind = type(optimizers[0])
    for k, opt in enumerate(optimizers):
        if type(opt) is not kind or not isinstance(opt, Optimizer):
            raise TypeError(
                f"optimizers must all be {kind.__name__}s, but optimizers[{k}] is a "
                f"{type(opt).__name__}"
            )
        if opt.t:
            raise ValueError(f"optimizers[{k}] has taken {opt.t} steps; stack fresh ones")
    stacked = copy.copy(optimizers[0])
    stacked.t, stacked._shapes, stacked.state = 0, {}, {}
    for name in kind.HYPERPARAMETERS:
        values = [getattr(opt, name) for opt in optimizers]
        setattr(stacked, name, np.array(values, dtype=np.float64))
    return stacked


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

    HYPERPARAMETERS = ("lr", "momentum")

    def __init__(self, lr: float, momentum: float = 0.0) -> None:
        super().__init__(lr)
        self.momentum: Hyper = check_fraction("momentum", momentum)

    def _direction(self, name: str, g: FloatArray) -> FloatArray:
        previous = self.state.get(name)
        v = g.copy() if previous is None else per_network(self.momentum, g) * previous[0] + g
        self.state[name] = (v,)
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

    HYPERPARAMETERS = ("lr", "beta1", "beta2", "eps")

    def __init__(
        self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ) -> None:
        super().__init__(lr)
        self.beta1: Hyper = check_fraction("beta1", beta1)
        self.beta2: Hyper = check_fraction("beta2", beta2)
        self.eps: Hyper = check_real("eps", eps, positive=True)

    def _direction(self, name: str, g: FloatArray) -> FloatArray:
        m, v = self.state.get(name, (np.zeros_like(g), np.zeros_like(g)))
        b1, b2 = self.beta1, self.beta2
        m = per_network(b1, g) * m + per_network(1.0 - b1, g) * g
        v = per_network(b2, g) * v + per_network(1.0 - b2, g) * (g * g)
        self.state[name] = (m, v)
        m_hat = m / per_network(_bias_correction(b1, self.t), g)
        v_hat = v / per_network(_bias_correction(b2, self.t), g)
        direction: FloatArray = m_hat / (np.sqrt(v_hat) + per_network(self.eps, g))
        return direction


def _bias_correction(beta: Hyper, t: int) -> Hyper:
    """1 − βᵗ, for each network in Python's float arithmetic: numpy's power of an array
    differs from Python's ``**`` in the last bit for some t, and a stack must not."""
    if isinstance(beta, np.ndarray):
        return np.array([1.0 - float(b) ** t for b in beta])
    return 1.0 - beta**t
