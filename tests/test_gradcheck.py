"""Central differences and the relative error used to judge them."""

from __future__ import annotations

import numpy as np
import pytest

from rnngrad import numerical_gradient, numerical_jacobian, relative_error


def test_gradient_of_a_quadratic_form(rng) -> None:
    A = rng.standard_normal((4, 4))
    x = rng.standard_normal(4)
    numeric = numerical_gradient(lambda v: v @ A @ v, x)
    # Central differences are exact for quadratics up to rounding.
    np.testing.assert_allclose(numeric, (A + A.T) @ x, rtol=1e-8, atol=1e-9)


def test_gradient_keeps_the_shape_and_leaves_x_alone(rng) -> None:
    x = rng.standard_normal((2, 3))
    before = x.copy()
    numeric = numerical_gradient(lambda v: np.sum(np.sin(v)), x)
    assert numeric.shape == (2, 3)
    np.testing.assert_allclose(numeric, np.cos(x), rtol=1e-9)
    np.testing.assert_array_equal(x, before)


def test_step_is_relative_to_large_entries() -> None:
    # At x = 1e12 the spacing of float64 is 1.2e-4, so an absolute step of 6e-6 would leave
    # x ± h == x and the estimate 0; the relative step moves x by 6e6.
    x = np.array([1e12])
    numeric = numerical_gradient(lambda v: np.exp(v[0] / 1e12), x)
    assert numeric[0] == pytest.approx(np.e / 1e12, rel=1e-8)


def test_float32_input_is_checked_in_float64() -> None:
    seen = []
    numeric = numerical_gradient(
        lambda v: seen.append(v.dtype) or float(v[0] ** 2), np.float32([3])
    )
    assert numeric.dtype == np.float64
    assert set(seen) == {np.dtype(np.float64)}
    assert numeric[0] == pytest.approx(6.0, rel=1e-9)


def test_custom_step_changes_the_truncation_error() -> None:
    cube = lambda v: float(v[0] ** 3)  # noqa: E731 - error of the central difference is h²
    coarse = numerical_gradient(cube, np.array([1.0]), h=1e-2)[0]
    assert coarse == pytest.approx(3.0 + 1e-4, rel=1e-9)


def test_relative_error_basics(rng) -> None:
    a = rng.standard_normal(5)
    assert relative_error(a, a) == 0.0
    assert relative_error(a, 2 * a) == pytest.approx(1 / 3, rel=1e-14)
    assert relative_error(a, -a) == pytest.approx(1.0, rel=1e-14)
    b = a + 1e-3
    assert relative_error(a, b) == relative_error(b, a)


def test_relative_error_is_calm_near_zero() -> None:
    tiny = np.array([1e-13, -2e-14])
    assert relative_error(tiny, np.zeros(2)) < 1e-4
    assert relative_error(tiny, np.zeros(2), atol=1e-20) == pytest.approx(1.0)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0


def test_numerical_jacobian_of_a_linear_map_is_its_matrix(rng) -> None:
    A = rng.standard_normal((3, 4))
    J = numerical_jacobian(lambda v: A @ v, rng.standard_normal(4))
    assert J.shape == (3, 4)
    np.testing.assert_allclose(J, A, rtol=1e-9, atol=1e-9)


def test_numerical_jacobian_lists_outputs_first(rng) -> None:
    """For f(M) = M² the entry [i, j, p, q] is ∂(M²)_ij/∂M_pq = δ_ip M_qj + M_ip δ_jq."""
    M = rng.standard_normal((2, 2))
    J = numerical_jacobian(lambda m: m @ m, M)
    eye = np.eye(2)
    exact = np.einsum("ip,qj->ijpq", eye, M) + np.einsum("ip,jq->ijpq", M, eye)
    np.testing.assert_allclose(J, exact, rtol=1e-8, atol=1e-9)
