"""∂s_j/∂s_{j−1}, the products ∂s_t/∂s_k and their norm table, against finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import make_rnn

from rnngrad import (
    ACTIVATIONS,
    get_activation,
    jacobian_norm_table,
    jacobian_product,
    numerical_gradient,
    product_norms_by_lag,
    relative_error,
    state_jacobian,
)
from rnngrad.sweep import sweep_spectral_norm

T = 7


def numerical_jacobian(model, x, t: int, k: int) -> np.ndarray:
    """∂s_t/∂s_k by central differences: rerun steps k+1 … t from a perturbed s_k."""
    s_k = model.states(x)[k]
    rows = [
        numerical_gradient(lambda s, i=i: model.states(x[k:t], h0=s)[-1, i], s_k)
        for i in range(model.n_h)
    ]
    return np.array(rows)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_one_step_jacobian_matches_finite_differences(rng, activation) -> None:
    model = make_rnn(activation, n_h=5)
    x = rng.standard_normal((T, model.n_in))
    J = model.state_jacobians(x)
    assert J.shape == (T, 5, 5)
    for j in (1, 4, T):
        assert relative_error(J[j - 1], numerical_jacobian(model, x, j, j - 1)) < 1e-6


@pytest.mark.parametrize(("t", "k"), [(T, 0), (T, 3), (5, 1), (2, 1)])
def test_products_match_finite_differences_of_s_t_in_s_k(rng, t, k) -> None:
    model = make_rnn("tanh", n_h=5)
    x = rng.standard_normal((T, model.n_in))
    product = jacobian_product(model.state_jacobians(x), t, k)
    assert relative_error(product, numerical_jacobian(model, x, t, k)) < 1e-6


def test_product_order_is_newest_first(rng) -> None:
    J = rng.standard_normal((3, 2, 2))
    np.testing.assert_allclose(jacobian_product(J, 3, 0), J[2] @ J[1] @ J[0], rtol=1e-14)
    np.testing.assert_array_equal(jacobian_product(J, 2, 2), np.eye(2))


def test_state_jacobian_is_diag_fprime_times_W(rng) -> None:
    model = make_rnn("sigmoid")
    x = rng.standard_normal((T, model.n_in))
    s = model.states(x)
    fprime = s[3] * (1 - s[3])
    expected = np.diag(fprime) @ model.W
    np.testing.assert_allclose(state_jacobian(model.W, s[3], "sigmoid"), expected, rtol=1e-14)
    np.testing.assert_allclose(model.state_jacobians(x)[2], expected, rtol=1e-14)


def test_norm_table_matches_explicit_products(rng) -> None:
    J = 0.6 * rng.standard_normal((9, 4, 4))
    table = jacobian_norm_table(J)
    assert table.shape == (10, 10)
    for t in range(10):
        for k in range(10):
            if k > t:
                assert np.isnan(table[t, k])
            else:
                explicit = np.linalg.norm(jacobian_product(J, t, k), ord=2)
                assert table[t, k] == pytest.approx(explicit, rel=1e-12)


def test_norms_by_lag_are_the_reversed_row(rng) -> None:
    J = rng.standard_normal((6, 3, 3))
    table = jacobian_norm_table(J)
    for t in range(7):
        np.testing.assert_allclose(product_norms_by_lag(J, t), table[t, t::-1], rtol=1e-14)
    assert product_norms_by_lag(J, 0).tolist() == [1.0]


def test_identity_network_at_W_equal_I_has_unit_norms(rng) -> None:
    J = np.broadcast_to(np.eye(3), (5, 3, 3))
    table = jacobian_norm_table(J)
    np.testing.assert_allclose(table[np.tril_indices(6)], 1.0, rtol=1e-14)


def test_float32_jacobians(rng) -> None:
    model = make_rnn()
    J = model.state_jacobians(rng.standard_normal((T, model.n_in)).astype(np.float32))
    assert J.dtype == np.float32
    assert jacobian_product(J, T, 0).dtype == np.float32


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_spectral_sweep_stays_under_its_bound_and_scales_only_W(activation: str) -> None:
    sweep = sweep_spectral_norm([0.5, 1.0, 3.0], activation=activation, n_h=8, T=12, rng=4)
    assert sweep.norms.shape == sweep.bounds.shape == (3, 13)
    assert np.all(sweep.norms <= sweep.bounds * (1 + 1e-12))
    gamma = get_activation(activation).gamma
    np.testing.assert_allclose(sweep.bounds[:, 5], (gamma * sweep.scales) ** 5)
    assert np.all((sweep.mean_derivative > 0) & (sweep.mean_derivative <= gamma))
    # Same Q, U and inputs for every σ: a repeat with the same seed gives the same rows.
    again = sweep_spectral_norm([3.0], activation=activation, n_h=8, T=12, rng=4)
    np.testing.assert_array_equal(again.norms[0], sweep.norms[2])
