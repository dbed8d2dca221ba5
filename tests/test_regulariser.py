"""Pascanu et al.'s gradient-norm regulariser Ω and its gradient in W."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import make_rnn

from rnngrad import (
    RNN,
    gradient_norm_regulariser,
    jacobian_product,
    numerical_gradient,
    relative_error,
)

T = 7


def frozen_omega(model: RNN, x: np.ndarray, errors: np.ndarray):
    """Ω as a function of the W inside the Jacobians only: g_{k+1} and f′(z_{k+1}) fixed."""
    deriv = model.f.derivative_from_output(model.states(x)[1 : errors.shape[0]])
    carried = errors[1:]
    directions = carried * deriv  # v_k = g_{k+1} diag(f′(z_{k+1}))

    def omega(W: np.ndarray) -> float:
        ratios = np.linalg.norm(directions @ W, axis=1) / np.linalg.norm(carried, axis=1)
        return float(np.sum((ratios - 1) ** 2))

    return omega


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("t", [1, 4, T])
def test_gradient_matches_central_differences_with_errors_held_fixed(rng, activation, t) -> None:
    model = make_rnn(activation)
    x = rng.standard_normal((T, model.n_in))
    result = gradient_norm_regulariser(model, x, t, grad_s_t=rng.standard_normal(model.n_h))
    omega = frozen_omega(model, x[:t], result.errors)
    assert omega(model.W) == pytest.approx(result.omega, rel=1e-12)
    # Central differences with the default step: truncation O(h²) and rounding O(ε/h)
    # both stay far below 1e-6 for Ω of order 1.
    assert relative_error(result.W, numerical_gradient(omega, model.W)) < 1e-6


def test_errors_are_the_backward_rows_and_ratios_their_norm_ratios(rng) -> None:
    model = make_rnn("tanh")
    x = rng.standard_normal((T, model.n_in))
    g = rng.standard_normal(model.n_h)
    result = gradient_norm_regulariser(model, x, T, grad_s_t=g)
    J = model.state_jacobians(x)
    for k in range(T + 1):
        np.testing.assert_allclose(
            result.errors[k], g @ jacobian_product(J, T, k), rtol=1e-12, atol=1e-15
        )
    for k in range(T):
        stretched = np.linalg.norm(result.errors[k + 1] @ J[k])  # J[k] = ∂s_{k+1}/∂s_k
        expected = stretched / np.linalg.norm(result.errors[k + 1])
        assert result.ratios[k] == pytest.approx(expected, rel=1e-12)
    assert result.omega == pytest.approx(np.sum((result.ratios - 1) ** 2), rel=1e-12)


def test_one_unit_ratios_are_hochreiters_factor(rng) -> None:
    """With one unit the error cancels: ratio_k = |w f′(z_{k+1})| whatever E_t is."""
    model = RNN(U=np.array([[0.7]]), W=np.array([[-1.8]]), b=np.array([0.1]))
    x = rng.standard_normal((T, 1))
    result = gradient_norm_regulariser(model, x, T, grad_s_t=[-2.5])
    z = x[:, 0] * 0.7 + model.W[0, 0] * model.states(x)[:-1, 0] + 0.1
    np.testing.assert_allclose(result.ratios, 1.8 * (1 - np.tanh(z) ** 2), rtol=1e-12)


def test_a_zero_error_leaves_every_term_out(rng) -> None:
    model = make_rnn("tanh")
    result = gradient_norm_regulariser(
        model, rng.standard_normal((T, model.n_in)), T, grad_s_t=np.zeros(model.n_h)
    )
    assert result.omega == 0.0
    np.testing.assert_array_equal(result.ratios, 1.0)
    np.testing.assert_array_equal(result.W, 0.0)
