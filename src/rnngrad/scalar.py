"""One recurrent unit: the scalar case of Hochreiter (1991) and the cliff of Pascanu et al. (2013).

With a single unit everything the matrix case hides can be computed in closed form.

*Hochreiter's factor.*  The error sent back one step through a unit with self-weight w is
multiplied by w f′(z).  For its size to stay ≥ 1, z must sit where f′(z) ≥ 1/abs(w); the
inputs a for which that happens (with z = w a + b) form an interval whose width
:func:`amplifying_width` returns.  It is empty for abs(w) < 1/γ and shrinks again for
large abs(w), because f′ falls off faster than abs(w) grows: a larger weight does not
rescue the gradient.

*The cliff.*  The unit x_t = w f(x_{t−1}) + b, run for T steps from x_0, is the one-unit
network of Pascanu, Mikolov and Bengio (2013).  For w large enough it has two stable fixed
points, and as b crosses a threshold x_T jumps from one to the other: the loss, seen as a
function of b, has a wall whose gradient is huge.  :func:`unit_states` runs it,
:func:`final_state_and_slope` returns x_T and the exact dx_T/db (forward-mode, as BPTT would
give it), and :func:`descend_bias` runs gradient descent on b with or without clipping.

*Latching.*  The same two stable fixed points store a bit (Bengio, Simard and Frasconi,
1994).  :func:`driven_unit` runs the unit under an input sequence of perturbations and
returns dx_T/dx_0, the product of the factors w f′ along the way: where the bit is stored
robustly these factors are below 1 and the product vanishes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ._types import FloatArray
from ._validate import as_float_array, check_choice, check_int, check_real
from .activations import get_activation
from .optim import clip_by_global_norm

#: The activations with a bounded bump-shaped derivative, for which the width is finite.
SATURATING = ("sigmoid", "tanh")
#: The length of the interval the states of each lie in, (0, 1) and (−1, 1): the unit in
#: which a window's width is comparable across activations.
STATE_SPAN = {"sigmoid": 1.0, "tanh": 2.0}


def amplifying_width(w: ArrayLike, activation: str = "sigmoid") -> FloatArray:
    """Width of the set of inputs a for which one step back does not shrink the error.

    The set is :math:`\\{a : |w f'(w a + b)| \\geq 1\\}`.  Shifting b shifts it without
    changing its width, so the width depends on w alone:

    * sigmoid, f′ = p(1 − p) with p = σ(z): p(1 − p) ≥ 1/abs(w) holds for p between
      p₋ and p₊ = (1 ± √(1 − 4/abs(w)))/2, i.e. for z in an interval of width 2 ln(p₊/p₋);
      empty for abs(w) < 4;
    * tanh, f′ = 1 − tanh²(z) ≥ 1/abs(w) holds for abs(z) ≤ artanh √(1 − 1/abs(w));
      empty for abs(w) < 1.

    Dividing the width in z by abs(w) gives the width in a.

    Parameters
    ----------
    w : array_like
        Self-weights (any shape); finite.
    activation : str
        ``"sigmoid"`` or ``"tanh"``.

    Returns
    -------
    ndarray
        The widths, the shape of ``w``; 0 where abs(w) < 1/γ.

    Raises
    ------
    ValueError, TypeError
        If w is not a finite real array or the activation is not one of these two.
    """
    check_choice("activation", activation, SATURATING)
    size = np.abs(as_float_array("w", w).astype(np.float64))
    threshold = 1.0 / get_activation(activation).gamma
    width = np.zeros_like(size)
    big = size >= threshold
    root = np.sqrt(1.0 - threshold / size[big])
    if activation == "sigmoid":
        width_z = 2.0 * np.log((1.0 + root) / (1.0 - root))
    else:
        width_z = 2.0 * np.arctanh(root)
    width[big] = width_z / size[big]
    return width


def unit_states(
    w: float,
    b: ArrayLike,
    *,
    x0: float = 0.5,
    steps: int = 50,
    activation: str = "sigmoid",
) -> FloatArray:
    """Run x_t = w f(x_{t−1}) + b for ``steps`` steps from x_0, for every b at once.

    Parameters
    ----------
    w : float
        The self-weight.
    b : array_like
        Biases (any shape): one independent unit per entry.
    x0 : float
        The initial state.
    steps : int
        T ≥ 1.
    activation : str
        f: ``"sigmoid"`` (Pascanu et al.'s choice), ``"tanh"``, ``"relu"`` or ``"identity"``.

    Returns
    -------
    ndarray, shape (steps + 1, *b.shape)
        x_0, x_1, …, x_T.

    Raises
    ------
    ValueError, TypeError
        If an argument is not finite and real, or ``steps`` < 1.
    """
    return _run(w, b, x0, steps, activation)[0]


def final_state_and_slope(
    w: float,
    b: ArrayLike,
    *,
    x0: float = 0.5,
    steps: int = 50,
    activation: str = "sigmoid",
) -> tuple[FloatArray, FloatArray]:
    """Return x_T and its exact derivative dx_T/db.

    Differentiating x_t = w f(x_{t−1}) + b gives the recursion
    dx_t/db = w f′(x_{t−1}) dx_{t−1}/db + 1 with dx_0/db = 0: the same product of one-step
    factors w f′ that backpropagation through time forms, carried forward.

    Parameters
    ----------
    w, b, x0, steps, activation
        As for :func:`unit_states`.

    Returns
    -------
    x_T : ndarray, shape of b
    slope : ndarray, shape of b
        dx_T/db.

    Raises
    ------
    ValueError, TypeError
        As for :func:`unit_states`.
    """
    states, slope = _run(w, b, x0, steps, activation)
    return states[-1], slope


def find_wall(
    w: float,
    *,
    b_range: tuple[float, float] | None = None,
    x0: float = 0.5,
    steps: int = 50,
    activation: str = "sigmoid",
) -> float:
    """Return the bias at which x_T jumps between the two stable fixed points.

    x_T(b) is scanned on a grid over ``b_range`` for its largest jump between neighbouring
    points; bisection then finds, to the last floating-point digit, the b in that grid cell
    at which x_T crosses the middle of the jump.  The wall's width shrinks geometrically
    with T: at T = 15 it is still a steep but continuous rise, at T = 50 narrower than the
    spacing of floating-point numbers.

    Parameters
    ----------
    w : float
        The self-weight; a wall exists only when it is large enough for two stable fixed
        points (w > 4 for the sigmoid).
    b_range : (float, float), optional
        Where to look; default (−w, 0), which holds the wall of the sigmoid unit.
    x0, steps, activation
        As for :func:`unit_states`.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If x_T has no jump (larger than 1) in the range.
    """
    w = check_real("w", w)
    lo, hi = b_range if b_range is not None else (-abs(w), 0.0)
    grid = np.linspace(check_real("b_range[0]", lo), check_real("b_range[1]", hi), 2001)
    finals = unit_states(w, grid, x0=x0, steps=steps, activation=activation)[-1]
    cell = int(np.argmax(np.abs(np.diff(finals))))
    if abs(finals[cell + 1] - finals[cell]) <= 1.0:
        raise ValueError(f"x_T has no wall for w = {w} with b in [{lo}, {hi}]")
    left, right = grid[cell], grid[cell + 1]
    middle, rising = (finals[cell] + finals[cell + 1]) / 2, finals[cell + 1] > finals[cell]
    while left < np.nextafter(right, left):
        mid = (left + right) / 2
        below = unit_states(w, mid, x0=x0, steps=steps, activation=activation)[-1] < middle
        if below == rising:
            left = mid
        else:
            right = mid
    return float(left)


@dataclass(frozen=True)
class Descent:
    """The path of gradient descent on b: ``biases[i]``, ``losses[i]``, ``gradients[i]``
    at iteration i (``gradients`` before clipping)."""

    biases: FloatArray
    losses: FloatArray
    gradients: FloatArray


def descend_bias(
    w: float,
    b0: float,
    target: float,
    *,
    learning_rate: float,
    iterations: int,
    clip: float | None = None,
    x0: float = 0.5,
    steps: int = 50,
    activation: str = "sigmoid",
) -> Descent:
    """Gradient descent on b for the loss L(b) = (x_T(b) − target)², optionally clipped.

    With ``clip`` set, the gradient goes through
    ``rnngrad.optim.clip_by_global_norm`` before the step: if abs(g) > clip it becomes
    clip · g / abs(g), so the step keeps its direction but is never longer than
    ``learning_rate * clip``.

    Parameters
    ----------
    w : float
        The self-weight (held fixed).
    b0 : float
        The starting bias.
    target : float
        The value x_T should reach.
    learning_rate : float
        η > 0.
    iterations : int
        Number of steps, ≥ 1.
    clip : float, optional
        The clipping threshold, > 0; None for plain gradient descent.
    x0, steps, activation
        As for :func:`unit_states`.

    Returns
    -------
    Descent
        ``iterations + 1`` biases (b0 first) with their losses and gradients.

    Raises
    ------
    ValueError, TypeError
        If an argument is invalid.
    """
    target = check_real("target", target)
    learning_rate = check_real("learning_rate", learning_rate, positive=True)
    iterations = check_int("iterations", iterations, minimum=1)
    if clip is not None:
        clip = check_real("clip", clip, positive=True)
    biases, losses, gradients = (np.empty(iterations + 1) for _ in range(3))
    b = check_real("b0", b0)
    for i in range(iterations + 1):
        x_T, slope = final_state_and_slope(w, b, x0=x0, steps=steps, activation=activation)
        error = float(x_T) - target
        grad = 2.0 * error * float(slope)
        biases[i], losses[i], gradients[i] = b, error**2, grad
        if clip is not None:
            grad = float(clip_by_global_norm({"b": np.array(grad)}, clip)[0]["b"])
        b -= learning_rate * grad
    if not np.all(np.isfinite(biases)):
        raise ValueError(
            "gradient descent diverged (b is no longer finite): lower learning_rate or set clip"
        )
    return Descent(biases, losses, gradients)


def driven_unit(
    w: float,
    x0: ArrayLike,
    inputs: ArrayLike,
    *,
    b: float = 0.0,
    activation: str = "sigmoid",
) -> tuple[FloatArray, FloatArray]:
    """Run x_t = w f(x_{t−1}) + b + e_t driven by inputs e_1 … e_T; return dx_T/dx_0 too.

    The setting of Bengio, Simard and Frasconi (1994): the inputs perturb the state, and the
    unit has latched a bit if the state stays in the basin of the attractor it started in.
    The derivative dx_T/dx_0 = Π_t w f′(x_{t−1}) is the product of one-step factors that
    backpropagation through time forms.

    Parameters
    ----------
    w : float
        The self-weight.
    x0 : array_like
        Initial states (any shape): one independent unit per entry.
    inputs : array_like, shape (T,) + x0.shape
        e_1 … e_T for every unit; T ≥ 1.
    b : float
        The bias.
    activation : str
        f, as for :func:`unit_states`.

    Returns
    -------
    states : ndarray, shape (T + 1,) + x0.shape
        x_0, x_1, …, x_T.
    sensitivity : ndarray, shape of x0
        dx_T/dx_0.

    Raises
    ------
    ValueError, TypeError
        If an argument is not finite and real, or ``inputs`` does not have the shape
        (T,) + x0.shape with T ≥ 1.
    """
    start = as_float_array("x0", x0).astype(np.float64)
    drive = as_float_array("inputs", inputs, shape=("T", *start.shape)).astype(np.float64)
    if drive.shape[0] < 1:
        raise ValueError("inputs must hold at least one step, got T = 0")
    states, factors = _iterate(check_real("w", w), activation, start, drive + check_real("b", b))
    return states, np.prod(factors, axis=0)


def _run(
    w: float, b: ArrayLike, x0: float, steps: int, activation: str
) -> tuple[FloatArray, FloatArray]:
    """States x_0 … x_T and dx_T/db, for every entry of b."""
    biases = as_float_array("b", b).astype(np.float64)
    start = np.full(biases.shape, check_real("x0", x0))
    steps = check_int("steps", steps, minimum=1)
    drive = np.broadcast_to(biases, (steps, *biases.shape))
    states, factors = _iterate(check_real("w", w), activation, start, drive)
    slope = np.zeros_like(biases)
    for factor in factors:  # dx_t/db = w f′(x_{t−1}) dx_{t−1}/db + 1
        slope = factor * slope + 1.0
    return states, slope


def _iterate(
    w: float, activation: str, start: FloatArray, drive: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Run x_t = w f(x_{t−1}) + drive[t − 1]; return the states and the factors w f′(x_{t−1})."""
    f = get_activation(activation)
    states = np.empty((drive.shape[0] + 1, *start.shape))
    states[0] = start
    factors = np.empty_like(drive)
    for t in range(1, drive.shape[0] + 1):
        previous = states[t - 1]
        factors[t - 1] = w * f.derivative(previous)
        states[t] = w * f(previous) + drive[t - 1]
    return states, factors
