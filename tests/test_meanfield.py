"""The mean-field rate: quadrature, fixed point, and prediction against measured norms."""

from __future__ import annotations

import numpy as np
import pytest

from rnngrad import RNN, get_activation, orthogonal, sweep_spectral_norm
from rnngrad._types import FloatArray
from rnngrad.meanfield import (
    finite_width,
    gaussian_mean,
    geometric_rate,
    mean_field,
    measured_rate,
    rms_rate,
    second_moments,
)


def _trapezoid_mean(h, q: float) -> float:  # type: ignore[no-untyped-def]
    """E[h(z)], z ~ N(0, q), by a fine trapezoid: an independent check of the quadrature."""
    half_width = 12.0 * np.sqrt(q) + 40.0  # past both the Gaussian and h's own tails
    z = np.linspace(-half_width, half_width, 400_001)
    density = np.exp(-(z**2) / (2.0 * q)) / np.sqrt(2.0 * np.pi * q)
    return float(np.trapezoid(h(z) * density, z))


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
@pytest.mark.parametrize("q", [0.01, 0.5, 1.0, 7.5, 70.0, 1000.0])
def test_second_moments_agree_with_an_independent_integral(activation: str, q: float) -> None:
    f = get_activation(activation)
    square, derivative_square = second_moments(activation, q)
    # The trapezoid of smooth integrands on this grid is good to ~1e-9; the quadrature ~1e-10.
    assert square == pytest.approx(_trapezoid_mean(lambda z: f(z) ** 2, q), rel=1e-7)
    expected = _trapezoid_mean(lambda z: f.derivative(z) ** 2, q)
    assert derivative_square == pytest.approx(expected, rel=1e-7)


@pytest.mark.parametrize("q", [0.01, 3.0, 1000.0])
def test_second_moments_of_relu_and_identity_are_halves_and_wholes(q: float) -> None:
    # ReLU keeps half of the Gaussian (f′ = 1 there), the identity all of it.
    assert second_moments("relu", q) == pytest.approx((q / 2, 0.5))
    assert second_moments("identity", q) == pytest.approx((q, 1.0))


def test_gaussian_mean_is_exact_on_a_gaussian_bump() -> None:
    # E[exp(−z²/2)] for z ~ N(0, q) is 1/√(1 + q): closed form, any q.
    for q in (0.1, 1.0, 50.0):
        assert gaussian_mean(lambda z: np.exp(-(z**2) / 2), q) == pytest.approx(
            1 / np.sqrt(1 + q), rel=1e-12
        )


@pytest.mark.parametrize(("activation", "gain"), [("tanh", 0.5), ("tanh", 3.0), ("sigmoid", 6.0),
                                                  ("relu", 1.0), ("identity", 0.9)])  # fmt: skip
def test_the_fixed_point_is_a_fixed_point(activation: str, gain: float) -> None:
    point = mean_field(activation, gain, input_variance=0.7)
    square, derivative_square = second_moments(activation, point.variance)
    assert point.variance == pytest.approx(gain**2 * square + 0.7, rel=1e-12)
    assert point.chi == pytest.approx(gain**2 * derivative_square, rel=1e-12)
    assert point.rate == pytest.approx(np.sqrt(point.chi))


def test_fixed_points_with_closed_forms() -> None:
    # ReLU: q = g² q/2 + q_in and χ = g²/2; identity: q = g² q + q_in and χ = g².
    relu = mean_field("relu", 1.2, input_variance=2.0)
    assert relu.variance == pytest.approx(2.0 / (1 - 1.2**2 / 2), rel=1e-10)
    assert relu.chi == pytest.approx(1.2**2 / 2)
    linear = mean_field("identity", 0.6)
    assert linear.variance == pytest.approx(1 / (1 - 0.36), rel=1e-10)
    assert linear.chi == pytest.approx(0.36)


@pytest.mark.parametrize(("activation", "gain"), [("relu", 1.5), ("identity", 1.0)])
def test_no_fixed_point_is_an_error_that_names_the_gain(activation: str, gain: float) -> None:
    with pytest.raises(ValueError, match=r"gain = .*no finite fixed point"):
        mean_field(activation, gain, max_iterations=2000)


def test_the_edge_of_chaos_of_tanh_is_at_gain_one_without_input() -> None:
    # With q_in → 0 the fixed point of tanh is q* → 0 for g ≤ 1, where f′(0)² = 1: χ = g².
    assert mean_field("tanh", 0.8, input_variance=1e-12).chi == pytest.approx(0.64, rel=1e-6)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: mean_field("softplus", 1.0), ValueError, "activation must be one of"),
        (lambda: mean_field("tanh", 0.0), ValueError, "gain must be > 0"),
        (lambda: mean_field("tanh", 1.0, input_variance=-1.0), ValueError, "input_variance"),
        (lambda: mean_field("tanh", 1.0, max_iterations=0), ValueError, "max_iterations"),
        (lambda: second_moments("tanh", 0.0), ValueError, "variance must be > 0"),
        (lambda: rms_rate(np.ones(3), 1.0), ValueError, r"derivatives must have shape \(T, n\)"),
        (lambda: rms_rate(np.ones((0, 3)), 1.0), ValueError, "derivatives must not be empty"),
        (lambda: geometric_rate(np.ones((2, 3)), -1.0), ValueError, "gain must be > 0"),
        (lambda: rms_rate([[np.nan]], 1.0), ValueError, "derivatives must be finite"),
        (lambda: measured_rate([1.0]), ValueError, "norms must hold"),
        (lambda: measured_rate([1.0, -0.5]), ValueError, "norms must hold"),
        (lambda: measured_rate("a"), TypeError, "norms must hold real numbers"),
        (lambda: finite_width(np.zeros((2, 3)), 2), ValueError, "derivatives must not all be 0"),
        (lambda: finite_width(np.ones((2, 3)), 0), ValueError, "lag must be"),
        (
            lambda: finite_width(np.ones((2, 3)), 2).interval(-1.0),
            ValueError,
            "deviations must be ≥ 0",
        ),
    ],
)
def test_bad_input_is_named(call, error: type[Exception], match: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=match):
        call()


# The measured rate r = ‖∂s_60/∂s_0‖^{1/60} of a width-32 network against √χ of its own
# pre-activations (g times the geometric mean over the steps of √(mean f′² over the units)),
# over seeds (Q, U and the inputs drawn anew).  finite_width gives the band: the Jensen gap
# below, the largest stretch's excess above, each widened by the spread of one draw.  The
# median of SEEDS draws scatters by ≈ 1.25·spread/√SEEDS, so one spread is ≈ 2.5 of its
# standard deviations at 10 seeds; a single draw is held to 4 spreads.
# Only states that settle (a finite fixed point) are held to the band: where the state
# explodes (ReLU, g² ≥ 2) the prediction leaves its assumptions.
SEEDS = 10
CASES = [("tanh", [0.5, 0.9, 1.0, 1.5, 3.0]), ("sigmoid", [1.0, 4.0, 6.0, 12.0]),
         ("relu", [0.5, 1.0])]  # fmt: skip


def _log_errors(activation: str, gains: list[float]) -> tuple[FloatArray, FloatArray, FloatArray]:
    """log(r/√χ) and the bands at 1 and 4 spreads, shaped (gain, seed) and (gain, seed, 2)."""
    errors, narrow, wide = [], [], []
    for seed in range(SEEDS):
        sweep = sweep_spectral_norm(gains, activation=activation, n_h=32, T=60, rng=seed)
        for gain, norms, derivatives in zip(gains, sweep.norms, sweep.derivatives, strict=True):
            errors.append(np.log(measured_rate(norms) / rms_rate(derivatives, gain)))
            band = finite_width(derivatives, 60)
            narrow.append(band.interval(1.0))
            wide.append(band.interval(4.0))
    shape = (SEEDS, len(gains))
    return (
        np.reshape(errors, shape).T,
        np.reshape(narrow, (*shape, 2)).transpose(1, 0, 2),
        np.reshape(wide, (*shape, 2)).transpose(1, 0, 2),
    )


@pytest.mark.parametrize(("activation", "gains"), CASES)
def test_the_median_rate_over_seeds_lies_in_the_finite_width_band(
    activation: str, gains: list[float]
) -> None:
    errors, narrow, _ = _log_errors(activation, gains)
    median, band = np.median(errors, axis=1), np.median(narrow, axis=1)
    assert np.all((band[:, 0] < median) & (median < band[:, 1])), (median, band)


@pytest.mark.parametrize(("activation", "gains"), CASES)
def test_every_seed_lies_in_the_wide_band(activation: str, gains: list[float]) -> None:
    errors, _, wide = _log_errors(activation, gains)
    assert np.all((wide[..., 0] < errors) & (errors < wide[..., 1])), errors


def test_the_jensen_gap_and_the_spread_match_random_directions() -> None:
    # The derivation of finite_width, checked by sampling: ½ log‖diag(d) u‖² for uniformly
    # random unit u has mean ½ log mean(d²) − jensen and standard deviation spread·√ℓ.
    rng = np.random.default_rng(6)
    n = 32
    d = np.abs(rng.standard_normal((1, n)))
    u = rng.standard_normal((200_000, n))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    logs = 0.5 * np.log((u**2 * d**2).sum(axis=1))
    band = finite_width(d, 1)
    assert logs.mean() == pytest.approx(
        0.5 * np.log(np.mean(d**2)) - band.jensen, abs=0.1 * band.jensen
    )
    assert logs.std() == pytest.approx(band.spread, rel=0.15)


def test_the_rms_rate_averages_the_steps_geometrically() -> None:
    # Over ℓ steps the mean square grows by the product of g² m_j: steps with m = 1 and 4
    # give g·√2 per step, not g·√2.5, and a step with every f′ = 0 stops the gradient.
    assert rms_rate([[1.0, 1.0], [2.0, 2.0]], 3.0) == pytest.approx(3.0 * np.sqrt(2.0))
    assert rms_rate([[1.0, 1.0], [0.0, 0.0]], 3.0) == 0.0


def test_steps_that_differ_but_are_constant_over_the_units_have_no_jensen_gap() -> None:
    # The gap is a spread over the units at one step; a change from step to step is not one.
    band = finite_width([[0.2] * 8, [0.9] * 8], 2)
    assert band.jensen == band.spread == 0.0


def test_constant_derivatives_have_no_jensen_gap_and_no_spread() -> None:
    band = finite_width(np.full((5, 8), 0.7), 5)
    assert band.jensen == band.spread == 0.0
    assert band.excess == pytest.approx(np.log(8) / 10)
    assert band.interval(3.0) == (0.0, pytest.approx(np.log(8) / 10))


def test_the_fixed_point_predicts_a_tanh_network_over_seeds() -> None:
    # tanh is odd: the units' offsets average out, and the median over seeds of the measured
    # rate lies in the finite-width band around the fixed point's √χ as around the network's.
    gains = [0.5, 1.0, 1.5, 3.0]
    sweeps = [sweep_spectral_norm(gains, n_h=32, T=60, rng=seed) for seed in range(SEEDS)]
    for i, gain in enumerate(gains):
        rates = [measured_rate(sweep.norms[i]) for sweep in sweeps]
        bands = [finite_width(sweep.derivatives[i], 60).interval(1.0) for sweep in sweeps]
        low, high = np.median(bands, axis=0)
        assert low < np.log(np.median(rates) / mean_field("tanh", gain).rate) < high, gain


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_a_diagonal_w_has_the_geometric_rate_exactly(activation: str) -> None:
    rng = np.random.default_rng(4)
    n, T, gain = 16, 40, 1.1
    model = RNN(rng.standard_normal((n, n)) / 4, gain * np.eye(n), np.zeros(n), activation)
    x = rng.standard_normal((T, n))
    derivatives = model.f.derivative_from_output(model.states(x)[1:])
    norms = model.jacobian_norms_by_lag(x, T)
    # ∂s_T/∂s_0 is diagonal: its norm is the largest product along one unit, up to rounding.
    assert geometric_rate(derivatives, gain) == pytest.approx(measured_rate(norms), rel=1e-12)


def test_rotating_and_diagonal_w_differ_although_their_means_agree() -> None:
    # Same singular values, similar mean f′, different rates: the mean is the wrong statistic.
    rng = np.random.default_rng(5)
    n, T = 64, 60
    U, x = rng.standard_normal((n, n)) / np.sqrt(n), rng.standard_normal((T, n))
    rates = {}
    for name, W in (("rotating", orthogonal(n, rng=rng)), ("diagonal", np.eye(n))):
        model = RNN(U, W, np.zeros(n), "tanh")
        d = model.f.derivative_from_output(model.states(x)[1:])
        rates[name] = (measured_rate(model.jacobian_norms_by_lag(x, T)), d)
    (rotating, d_rot), (diagonal, d_diag) = rates["rotating"], rates["diagonal"]
    assert abs(d_rot.mean() - d_diag.mean()) < 0.05
    low, high = finite_width(d_rot, T).interval(4.0)
    assert low < np.log(rotating / rms_rate(d_rot, 1.0)) < high
    assert diagonal == pytest.approx(geometric_rate(d_diag, 1.0), rel=1e-12)
    assert rotating > 1.1 * diagonal
