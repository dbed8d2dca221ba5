"""The model factory: the networks the chapter compares, freshly initialised."""

from __future__ import annotations

import dataclasses

import numpy as np

from .._validate import RngLike, as_generator, check_choice, check_real, float_dtype
from ..block import LRUBlock
from ..gru import GRU
from ..lstm import LSTM
from ..rnn import RNN
from ..spectral import scaled_gaussian
from ..train import Model

# The public constants are documented where the package exports them (__init__.py).
MODELS = ("rnn", "irnn", "lstm", "gru", "lru")

INITS: dict[str, tuple[str, ...]] = {
    "rnn": ("orthogonal", "gaussian", "scaled", "identity"),
    "irnn": ("identity",),
    "lstm": ("orthogonal", "gaussian"),
    "gru": ("orthogonal", "gaussian"),
    "lru": ("ring",),
}

IRNN_WEIGHT_STD = 0.001
LRU_RING = (0.9, 0.999, np.pi / 10)


def make_model(
    kind: str,
    n_in: int,
    n_h: int,
    n_out: int,
    *,
    head: str,
    init: str | None = None,
    radius: float = 1.0,
    gate_bias: float = 1.0,
    rng: RngLike = None,
    dtype: str = "float64",
) -> Model:
    """Return a freshly initialised model of one of the kinds the chapter compares.

    ``"rnn"``
        tanh RNN.  Recurrent weights ``"orthogonal"`` (default; Saxe, McClelland and Ganguli
        2014), ``"gaussian"`` (N(0, 1/n_h)), ``"scaled"`` (Gaussian with spectral radius
        ``radius``, :func:`~rnngrad.spectral.scaled_gaussian`) or ``"identity"``.
    ``"irnn"``
        ReLU RNN with W = I, zero biases and input and output weights N(0, 0.001²): the
        IRNN of Le, Jaitly and Hinton (2015).
    ``"lstm"``
        LSTM with forget-gate bias b_f = ``gate_bias`` (1 by default: Gers et al. 2000;
        Jozefowicz et al. 2015); recurrent blocks ``"orthogonal"`` (default) or
        ``"gaussian"``.
    ``"gru"``
        GRU with update-gate bias b_u = ``gate_bias``; recurrent blocks ``"orthogonal"``
        (default) or ``"gaussian"``.
    ``"lru"``
        :class:`~rnngrad.block.LRUBlock`: relu(U x_t + b) of width n_h, an LRU of n_h
        complex units, the head.  Its ``"ring"`` initialisation puts abs(λ) on the ring
        [0.9, 0.999] with phases in [0, π/10] (:data:`LRU_RING`), the paper's advice for
        long tasks (initialise near the unit circle, with small phases) made concrete for
        this chapter's lags: 0.999^200 ≈ 0.82, so the slowest units still carry a signal
        from the start of the longest adding problem, while 0.9 (a half-life of seven steps)
        keeps a share of fast units; a phase below π/10 per step keeps the slow units from
        turning a marked value around many times before the answer.  ``gate_bias`` and
        ``radius`` do not apply.

    The gate bias is the same trick for both gated models: it starts the gate that keeps
    the state (f_t, u_t) at σ(1) ≈ 0.73 instead of 0.5, so that the memory, and the
    gradient through it, decays over tens of steps at initialisation rather than halving
    at every step.  With the GRU's default 0, the gradient of the agreement task at
    L = 40 is ~10⁻⁶ of its value at the answer and training needs a few thousand steps
    to escape; with 1 it needs a few hundred.

    Parameters
    ----------
    kind : {"rnn", "irnn", "lstm", "gru", "lru"}
        The model.
    n_in, n_h, n_out : int
        Input, state and output sizes, ≥ 1.
    head : {"linear", "softmax"}
        The head, as the task needs it.
    init : str, optional
        The recurrent initialisation (see above); None for the model's default.
    radius : float
        Spectral radius for ``init="scaled"``, > 0.
    gate_bias : float
        Initial bias of the LSTM's forget gate or the GRU's update gate.
    rng : numpy.random.Generator, int or None
        Random source or seed; None means seed 0.
    dtype : {"float64", "float32"}
        The parameters' dtype; the values are drawn in float64 and rounded, so that the
        two precisions start from the same network.

    Returns
    -------
    RNN, LSTM, GRU or LRUBlock

    Raises
    ------
    ValueError, TypeError
        If a name is unknown, ``init`` does not fit ``kind``, or a number is out of range.
    """
    check_choice("kind", kind, MODELS)
    precision = float_dtype(dtype)
    model = _draw(kind, n_in, n_h, n_out, head, init, radius, gate_bias, rng)
    rounded = {name: value.astype(precision) for name, value in model.parameters().items()}
    return dataclasses.replace(model, **rounded)


def _draw(
    kind: str, n_in: int, n_h: int, n_out: int, head: str, init: str | None, radius: float,
    gate_bias: float, rng: RngLike,
) -> Model:  # fmt: skip
    """The model of :func:`make_model` in float64."""
    recurrent = check_choice("init", INITS[kind][0] if init is None else init, INITS[kind])
    scale = check_real("radius", radius, positive=True)
    bias = check_real("gate_bias", gate_bias)
    gen = as_generator(rng)
    if kind == "lru":
        r_min, r_max, max_phase = LRU_RING
        return LRUBlock.random(
            n_in, n_h, n_out, head=head, r_min=r_min, r_max=r_max, max_phase=max_phase, rng=gen
        )
    if kind == "lstm":
        return LSTM.random(
            n_in, n_h, n_out, forget_bias=bias, head=head, recurrent=recurrent, rng=gen
        )
    if kind == "gru":
        gru = GRU.random(n_in, n_h, n_out, head=head, recurrent=recurrent, rng=gen)
        b = gru.b.copy()
        b[gru.n_h : 2 * gru.n_h] = bias  # the gates are stacked r, z, n
        return dataclasses.replace(gru, b=b)
    activation = "relu" if kind == "irnn" else "tanh"
    built = "gaussian" if recurrent == "scaled" else recurrent
    model = RNN.random(n_in, n_h, n_out, activation=activation, head=head, recurrent=built, rng=gen)
    if recurrent == "scaled":
        return dataclasses.replace(model, W=scaled_gaussian(model.n_h, scale, rng=gen))
    if kind == "irnn":
        return dataclasses.replace(
            model,
            U=IRNN_WEIGHT_STD * gen.standard_normal(model.U.shape),
            V=IRNN_WEIGHT_STD * gen.standard_normal((n_out, model.n_h)),
        )
    return model
