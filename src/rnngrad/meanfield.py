"""The mean-field rate: how fast ‖∂s_t/∂s_{t−ℓ}‖ shrinks or grows per step for W = g Q.

With Q a random orthogonal matrix, one step back multiplies a vector v by
diag(f′(z_t)) g Q.  Q turns v into a direction u that has nothing to do with the units, and
E‖diag(f′) u‖² = ‖u‖² · mean of f′² over the units, exactly, for a uniformly random direction.
So the mean square of the norm changes per step by χ, with

    χ = g² E[f′(z)²]

(Poole et al. 2016, χ₁; Schoenholz et al. 2017 for the gradients; Chen, Pennington and
Schoenholz 2018 for recurrent networks), and √χ is the predicted per-step rate r; over steps
whose E[f′²] differ, the mean square grows by their product, so r is g times the geometric
mean over the steps of √E[f′²].  χ < 1 is
the ordered phase, where the gradient vanishes, χ > 1 the chaotic one, where it explodes.
At a finite width n the measured rate departs from √χ in three ways (:func:`finite_width`):
the typical vector grows more slowly than the root mean square (a Jensen gap of order
CV²(f′²)/n per step, downward), the norm of the product is its largest stretch, not the
root-mean-square stretch ‖J‖_F/√n (at most n^{1/(2ℓ)} above it, upward), and one draw
fluctuates (of order CV(f′²)/√(nℓ)).  A diagonal W = g I mixes nothing: each unit keeps its
own product, and the rate is g times the largest geometric mean of the absolute values of f′
along one unit.

The distribution of z is taken either from the network's own states
(:func:`rms_rate`) or from the self-consistent Gaussian of the mean-field theory
(:func:`mean_field`): z = g (Q s) + (U x + b) is a sum of many terms, hence Gaussian, with
second moment q = g² E[f(z)²] + q_in when s = f(z) and q_in is the second moment of U x + b.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import ArrayLike

from ._types import FloatArray
from ._validate import as_float_array, check_int, check_real
from .activations import get_activation

#: Gauss–Hermite nodes; 128 integrate the smooth derivatives below to ~1e-11 at any variance.
_NODES = 128


@cache
def _hermite_rule(nodes: int) -> tuple[FloatArray, FloatArray]:
    x, w = np.polynomial.hermite_e.hermegauss(nodes)
    return x, w / w.sum()


def gaussian_mean(h: Callable[[FloatArray], FloatArray], variance: float) -> float:
    """E[h(z)] for z ~ N(0, q) by Gauss–Hermite quadrature, for an h that decays.

    The nodes are spread at the scale of the narrower of the two factors, N(0, q) and h
    (taken to have width ~ 1): at q ≫ 1 nodes spread at √q would step over the whole of
    a derivative such as tanh′, and the integral would come out near 0.  The ratio of the two
    Gaussian densities is carried in the weights, which asks h to decay at least
    exponentially, as f′ and f′² of tanh and the sigmoid do.

    Parameters
    ----------
    h : callable
        Vectorised h(z).
    variance : float
        q > 0.

    Returns
    -------
    float
    """
    if not callable(h):
        raise TypeError(f"h must be a function of z, got {type(h).__name__}")
    q = check_real("variance", variance, positive=True)
    v = min(q, 1.0)
    x, w = _hermite_rule(_NODES)
    z = np.sqrt(v) * x
    ratio = np.sqrt(v / q) * np.exp(0.5 * z**2 * (1.0 / v - 1.0 / q))
    return float(np.sum(w * ratio * h(z)))


def _derivative(name: str) -> Callable[[FloatArray], FloatArray]:
    return get_activation(name).derivative


# E[f(z)²] and E[f′(z)²] for z ~ N(0, q), activation by activation.  tanh² = 1 − tanh′ and
# σ² = σ − σ′ with E[σ(z)] = ½ leave only decaying integrands for the quadrature; ReLU and
# the identity are exact (half of the Gaussian, or all of it).
_MOMENTS: dict[str, tuple[Callable[[float], float], Callable[[float], float]]] = {
    "tanh": (
        lambda q: 1.0 - gaussian_mean(_derivative("tanh"), q),
        lambda q: gaussian_mean(lambda z: _derivative("tanh")(z) ** 2, q),
    ),
    "sigmoid": (
        lambda q: 0.5 - gaussian_mean(_derivative("sigmoid"), q),
        lambda q: gaussian_mean(lambda z: _derivative("sigmoid")(z) ** 2, q),
    ),
    "relu": (lambda q: 0.5 * q, lambda q: 0.5),
    "identity": (lambda q: q, lambda q: 1.0),
}


def second_moments(activation: str, variance: float) -> tuple[float, float]:
    """E[f(z)²] and E[f′(z)²] for z ~ N(0, q).

    Parameters
    ----------
    activation : str
        f: ``"tanh"``, ``"sigmoid"``, ``"relu"`` or ``"identity"``.
    variance : float
        q > 0.

    Returns
    -------
    tuple of float
        (E[f(z)²], E[f′(z)²]).

    Raises
    ------
    ValueError
        If the activation is unknown or q is not > 0.
    """
    name = get_activation(activation).name
    q = check_real("variance", variance, positive=True)
    square, derivative_square = _MOMENTS[name]
    return square(q), derivative_square(q)


@dataclass(frozen=True)
class MeanField:
    """The mean-field fixed point of a network with W = g Q and Gaussian input.

    Attributes
    ----------
    activation : str
        f.
    gain : float
        g.
    input_variance : float
        q_in, the second moment of each entry of U x + b.
    variance : float
        q*, the second moment E[z²] of the pre-activations at the fixed point (their
        variance if their mean is 0).
    chi : float
        χ = g² E[f′(z)²] for z ~ N(0, q*).
    """

    activation: str
    gain: float
    input_variance: float
    variance: float
    chi: float

    @property
    def rate(self) -> float:
        """√χ: the predicted per-step factor of ‖∂s_t/∂s_{t−ℓ}‖_2."""
        return float(np.sqrt(self.chi))


def mean_field(
    activation: str,
    gain: float,
    *,
    input_variance: float = 1.0,
    max_iterations: int = 10_000,
) -> MeanField:
    """Solve q* = g² E_{z∼N(0,q*)}[f(z)²] + q_in and return χ there.

    The map q ↦ g² E[f(z)²] + q_in is increasing, so iterating it from q_in climbs to its
    smallest fixed point, or without bound when there is none (ReLU with g² ≥ 2, the
    identity with g ≥ 1: the state itself explodes).

    Parameters
    ----------
    activation : str
        f: ``"tanh"``, ``"sigmoid"``, ``"relu"`` or ``"identity"``.
    gain : float
        g > 0, W = g Q.
    input_variance : float
        q_in > 0: the second moment of each entry of U x + b (1 for U with entries of variance
        1/n and x ~ N(0, I), as in :func:`~rnngrad.sweep.sweep_spectral_norm`).
    max_iterations : int
        Iterations allowed before giving up, ≥ 1.

    Returns
    -------
    MeanField

    Raises
    ------
    ValueError
        If an argument is out of range, or the variance has no finite fixed point.
    """
    name = get_activation(activation).name
    g = check_real("gain", gain, positive=True)
    q_in = check_real("input_variance", input_variance, positive=True)
    max_iterations = check_int("max_iterations", max_iterations, minimum=1)
    square = _MOMENTS[name][0]
    q = q_in
    for _ in range(max_iterations):
        following = g**2 * square(q) + q_in
        if abs(following - q) <= 1e-13 * following:
            return MeanField(name, g, q_in, following, g**2 * second_moments(name, following)[1])
        q = following
    raise ValueError(
        f"gain = {g}: the second moment of the pre-activations of a {name} network has no finite "
        f"fixed point (it reached {q:.3g} after {max_iterations} iterations); the state grows "
        "without bound, and the mean-field rate does not apply"
    )


def _derivative_table(derivatives: ArrayLike) -> FloatArray:
    d = as_float_array("derivatives", derivatives, shape=("T", "n")).astype(np.float64)
    if d.size == 0:
        raise ValueError(f"derivatives must not be empty, got shape {d.shape}")
    return d


def rms_rate(derivatives: ArrayLike, gain: float) -> float:
    """√χ of the network's own steps: the predicted per-step rate r for a rotating W = g Q.

    Step j multiplies the mean square of a random direction's length by g² m_j, m_j the mean
    of f′(z_j)² over the units, so over the steps the mean square grows by the product of the
    g² m_j, and the per-step rate is their geometric mean: g · exp(mean over j of ½ ln m_j).
    An arithmetic mean of m_j over the steps would add a second, temporal Jensen gap (it
    counts the unsaturated first steps after s_0 = 0 too heavily).

    Parameters
    ----------
    derivatives : array_like, shape (T, n)
        f′(z_t) of the network's own steps and units.
    gain : float
        g > 0.

    Returns
    -------
    float
        0 if every unit had f′ = 0 at some step.
    """
    d = _derivative_table(derivatives)
    g = check_real("gain", gain, positive=True)
    with np.errstate(divide="ignore"):  # a step with every f′ = 0 has log −inf: the rate is 0
        logs = np.log(np.mean(d**2, axis=1))
    return g * float(np.exp(0.5 * logs.mean()))


def geometric_rate(derivatives: ArrayLike, gain: float) -> float:
    """g times the largest geometric mean of the absolute f′(z_t) along a unit: the W = g I rate.

    With a diagonal W, ∂s_t/∂s_{t−ℓ} is diagonal with entries Π g f′(z_j) along each unit,
    so its norm is the largest of these products, and exactly so, not only for wide networks.

    Parameters
    ----------
    derivatives : array_like, shape (T, n)
        f′(z_t) of the steps t − ℓ + 1 … t and all units.
    gain : float
        g > 0.

    Returns
    -------
    float
        0 if every unit had f′ = 0 at some step.
    """
    d = np.abs(_derivative_table(derivatives))
    g = check_real("gain", gain, positive=True)
    with np.errstate(divide="ignore"):  # a unit with f′ = 0 has log −inf: its product is 0
        logs = np.log(d).mean(axis=0)
    return g * float(np.exp(logs.max()))


def measured_rate(norms: ArrayLike) -> float:
    """The per-step rate r = ‖∂s_t/∂s_{t−ℓ}‖^{1/ℓ} at the largest lag ℓ of ``norms``.

    Parameters
    ----------
    norms : array_like, shape (ℓ + 1,)
        The norms for lags 0 … ℓ, ℓ ≥ 1, as
        :meth:`~rnngrad.layer.RecurrentLayer.jacobian_norms_by_lag` gives them.

    Returns
    -------
    float
    """
    values = as_float_array("norms", norms, shape=("lag + 1",))
    if values.size < 2 or np.any(values < 0):
        raise ValueError(f"norms must hold ≥ 2 norms ≥ 0 (lags 0 … ℓ), got {values}")
    return float(values[-1] ** (1.0 / (values.size - 1)))


@dataclass(frozen=True)
class FiniteWidth:
    """How far log r may lie from log √χ at width n and lag ℓ, per step.

    Attributes
    ----------
    jensen : float
        CV²(f′²) / (2 (n + 2)) ≥ 0, CV² over the units averaged over the steps: the downward
        bias of the typical vector's log-growth against the mean square's (a Jensen gap; the
        rate of the norm tends to the top Lyapunov exponent, which lies below log √χ).  Zero
        when f′ is constant over the units.
    excess : float
        ln n / (2 ℓ): the most by which the largest stretch, ‖J‖₂, can exceed the
        root-mean-square stretch ‖J‖_F / √n, since ‖J‖₂ ≤ ‖J‖_F; over a typical vector's
        stretch the excess is larger.
    spread : float
        ½ √(2 / (n + 2)) · CV(f′²) / √ℓ: the standard deviation of one draw's log-rate, the
        per-step spread of log ‖diag(f′) u‖ for a random direction u averaged over ℓ steps.
    """

    jensen: float
    excess: float
    spread: float

    def interval(self, deviations: float) -> tuple[float, float]:
        """The band (−jensen − k·spread, excess + k·spread) for log(r / √χ), k = ``deviations``."""
        k = check_real("deviations", deviations)
        if k < 0:
            raise ValueError(f"deviations must be ≥ 0, got {k}")
        return -self.jensen - k * self.spread, self.excess + k * self.spread


def finite_width(derivatives: ArrayLike, lag: int) -> FiniteWidth:
    """The three finite-width departures of log r from log √χ for W = g Q.

    For a random unit vector u of n coordinates, ‖diag(d) u‖² has mean m = mean of d² and
    relative variance 2/(n + 2) · CV²(d²), CV the coefficient of variation over the units.
    Its logarithm therefore averages log m − CV²/(n + 2) to second order (half of that for
    the stretch itself), and scatters by √(2/(n + 2)) · CV (half of that for the stretch).
    The derivation takes a fresh direction each step, as for weights drawn anew at every
    step (untied); with one Q for all steps the draws scatter more than the spread says for
    the sigmoid at large gains and where the state does not settle (ReLU, g² ≥ 2).  CV is
    taken over the units of each step, and CV² averaged over the steps.  See Pennington,
    Schoenholz and Ganguli (2017) for how the spectrum of such products depends on the moments
    of f′².

    Parameters
    ----------
    derivatives : array_like, shape (T, n)
        f′(z_t) of the network's own steps and units, n ≥ 1 and not all 0.
    lag : int
        ℓ ≥ 1, the lag at which the rate is measured.

    Returns
    -------
    FiniteWidth

    Raises
    ------
    ValueError
        If ``derivatives`` is empty or all 0 at a step, or ``lag`` < 1.
    """
    d2 = _derivative_table(derivatives) ** 2
    ell = check_int("lag", lag, minimum=1)
    mean = d2.mean(axis=1)
    if np.any(mean == 0.0):
        raise ValueError(
            "derivatives must not all be 0 at a step: the rate is then 0 and has no logarithm"
        )
    n = d2.shape[1]
    cv2 = float(np.mean(d2.var(axis=1) / mean**2))  # per step, as each step's gap is
    return FiniteWidth(
        jensen=cv2 / (2.0 * (n + 2)),
        excess=float(np.log(n)) / (2.0 * ell),
        spread=0.5 * float(np.sqrt(2.0 / (n + 2) / ell * cv2)),
    )
