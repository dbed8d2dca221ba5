"""The one-unit network: Hochreiter's factor w f′ and the cliff of Pascanu et al."""

from __future__ import annotations

import numpy as np
import pytest

from rnngrad import get_activation
from rnngrad.gradcheck import relative_error
from rnngrad.scalar import (
    STATE_SPAN,
    amplifying_width,
    descend_bias,
    driven_unit,
    final_state_and_slope,
    find_wall,
    unit_states,
)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
@pytest.mark.parametrize("w", [-9.0, 1.5, 4.5, 6.9, 20.0])
def test_width_matches_a_brute_force_count(activation: str, w: float) -> None:
    """Count the grid points a with |w f′(w a + b)| ≥ 1 (b arbitrary) and compare."""
    f = get_activation(activation)
    a = np.linspace(-3.0, 3.0, 600_001)
    inside = np.abs(w * f.derivative(w * a + 0.7)) >= 1.0
    expected = inside.sum() * (a[1] - a[0])
    assert amplifying_width(w, activation) == pytest.approx(expected, abs=2e-5)


def test_width_is_empty_below_one_over_gamma_and_widest_where_nielsen_says() -> None:
    assert amplifying_width([3.99, -3.0, 0.0], "sigmoid").tolist() == [0.0, 0.0, 0.0]
    assert amplifying_width(0.99, "tanh") == 0.0
    w = np.linspace(4.0, 20.0, 16_001)
    widths = amplifying_width(w)
    assert w[np.argmax(widths)] == pytest.approx(6.9, abs=0.05)  # Nielsen, ch. 5: |w| ≈ 6.9
    assert widths.max() == pytest.approx(0.45, abs=0.005)
    assert widths[-1] < widths.max() / 1.5  # and larger weights make it narrower again


def test_tanh_window_is_the_sigmoid_window_of_four_times_the_weight_twice_as_wide() -> None:
    """The conjugacy tanh(a) = 2σ(2a) − 1 maps a tanh unit of weight w to a sigmoid unit of
    weight 4w whose states span half the length, so in units of the state interval
    (STATE_SPAN) against γ|w| the two windows are the same function."""
    w = np.linspace(0.5, 20.0, 400)
    tanh, sigmoid = amplifying_width(w, "tanh"), amplifying_width(4.0 * w, "sigmoid")
    assert np.count_nonzero(tanh) > 300  # the comparison is not between empty windows
    np.testing.assert_allclose(tanh, 2.0 * sigmoid, rtol=1e-12, atol=0.0)
    np.testing.assert_allclose(
        tanh / STATE_SPAN["tanh"], sigmoid / STATE_SPAN["sigmoid"], rtol=1e-12, atol=0.0
    )


def test_width_refuses_activations_without_a_bump() -> None:
    with pytest.raises(ValueError, match=r"activation must be one of 'sigmoid', 'tanh'"):
        amplifying_width(5.0, "relu")


def test_states_follow_the_recursion() -> None:
    b = np.array([[-1.0, 0.5], [2.0, -3.0]])
    x = unit_states(3.0, b, x0=0.2, steps=4, activation="tanh")
    assert x.shape == (5, 2, 2)
    assert np.all(x[0] == 0.2)
    np.testing.assert_allclose(x[3], 3.0 * np.tanh(x[2]) + b, rtol=1e-15)


@pytest.mark.parametrize("w", [2.0, 6.0, 8.0])
def test_slope_matches_central_differences(w: float) -> None:
    b = np.array([-3.9, -2.0, -1.0, 0.5])
    _, slope = final_state_and_slope(w, b, steps=15)
    h = 1e-6
    up = final_state_and_slope(w, b + h, steps=15)[0]
    down = final_state_and_slope(w, b - h, steps=15)[0]
    assert relative_error(slope, (up - down) / (2 * h)) < 1e-6


def test_the_wall_is_where_x_T_jumps() -> None:
    w = 8.0
    b = find_wall(w, steps=15)
    below, at, above = unit_states(w, np.array([b - 0.01, b, b + 0.01]), steps=15)[-1]
    assert above - below > 5.0  # from one stable fixed point to the other within 0.02
    assert below < at < above
    assert abs(at - (below + above) / 2) < 1.0
    assert -w < b < 0
    with pytest.raises(ValueError, match=r"no wall for w = 3.0"):
        find_wall(3.0)


def test_clipping_caps_each_step_and_keeps_its_direction() -> None:
    w, steps = 8.0, 15
    b0 = find_wall(w, steps=steps)
    target = float(final_state_and_slope(w, -3.0, steps=steps)[0])
    plain = descend_bias(w, b0, target, learning_rate=0.1, iterations=40, steps=steps)
    clipped = descend_bias(w, b0, target, learning_rate=0.1, iterations=40, clip=1.0, steps=steps)
    assert abs(plain.gradients[0]) > 1e4  # the wall: a huge gradient
    assert plain.biases[1] - plain.biases[0] == pytest.approx(-0.1 * plain.gradients[0])
    moves = np.diff(clipped.biases)
    assert np.all(np.abs(moves) <= 0.1 + 1e-12)
    assert np.all(np.sign(moves) == -np.sign(clipped.gradients[:-1]))
    assert clipped.losses[-1] < plain.losses[-1]
    np.testing.assert_allclose(clipped.losses[0], plain.losses[0])


def test_descent_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        descend_bias(8.0, -4.0, 1.0, learning_rate=0.0, iterations=3)
    with pytest.raises(ValueError, match="clip must be > 0"):
        descend_bias(8.0, -4.0, 1.0, learning_rate=0.1, iterations=3, clip=-1.0)
    with pytest.raises(ValueError, match="steps must be"):
        unit_states(8.0, 0.0, steps=0)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_driven_unit_adds_the_inputs_and_its_sensitivity_matches_central_differences(
    rng, activation: str
) -> None:
    x0 = np.array([-1.5, 0.05, 2.0])
    inputs = 0.3 * rng.standard_normal((4, 3))  # few steps: dx_T/dx_0 stays far above ε/h
    states, sensitivity = driven_unit(2.5, x0, inputs, b=-0.2, activation=activation)
    f = get_activation(activation)
    np.testing.assert_allclose(states[3], 2.5 * f(states[2]) - 0.2 + inputs[2], rtol=1e-15)
    h = 1e-6
    up = driven_unit(2.5, x0 + h, inputs, b=-0.2, activation=activation)[0][-1]
    down = driven_unit(2.5, x0 - h, inputs, b=-0.2, activation=activation)[0][-1]
    # Truncation O(h²) and rounding O(ε/h) stay near 1e-9 against a slope of order 0.1.
    assert relative_error(sensitivity, (up - down) / (2 * h)) < 1e-6


def test_driven_unit_refuses_inputs_of_the_wrong_shape() -> None:
    with pytest.raises(ValueError, match=r"inputs must have shape \(T, 2\)"):
        driven_unit(2.0, [0.1, 0.2], np.zeros((5, 3)))
    with pytest.raises(ValueError, match="inputs must hold at least one step"):
        driven_unit(2.0, 0.1, np.zeros(0))
