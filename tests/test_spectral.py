"""Singular values, eigenvalues, rescaling, initialisations and the Pascanu bound."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rnngrad import ACTIVATIONS, RNN, product_norms_by_lag
from rnngrad import spectral as sp


def test_singular_values_are_square_roots_of_eigenvalues_of_WtW(rng) -> None:
    W = rng.standard_normal((5, 5))
    sigma = sp.singular_values(W)
    assert np.all(np.diff(sigma) <= 0)
    np.testing.assert_allclose(sigma**2, np.sort(np.linalg.eigvalsh(W.T @ W))[::-1], rtol=1e-12)
    assert sp.spectral_norm(W) == pytest.approx(np.linalg.norm(W, 2), rel=1e-14)


def test_eigenvalues_are_sorted_by_modulus_and_multiply_to_det(rng) -> None:
    W = rng.standard_normal((6, 6))
    lam = sp.eigenvalues(W)
    assert np.all(np.diff(np.abs(lam)) <= 1e-14)
    assert np.prod(lam) == pytest.approx(np.linalg.det(W), rel=1e-10)
    assert sp.spectral_radius(W) == pytest.approx(np.abs(lam[0]), rel=1e-15)


def test_radius_at_most_norm_and_equal_for_symmetric(rng) -> None:
    W = rng.standard_normal((5, 5))
    assert sp.spectral_radius(W) <= sp.spectral_norm(W)
    sym = W + W.T
    assert sp.spectral_radius(sym) == pytest.approx(sp.spectral_norm(sym), rel=1e-12)


@pytest.mark.parametrize("target", [0.5, 1.0, 3.0])
def test_rescaling_hits_the_target(rng, target) -> None:
    W = rng.standard_normal((4, 4))
    assert sp.spectral_norm(sp.rescale_spectral_norm(W, target)) == pytest.approx(target, rel=1e-12)
    assert sp.spectral_radius(sp.rescale_spectral_radius(W, target)) == pytest.approx(
        target, rel=1e-12
    )
    W32 = W.astype(np.float32)
    assert sp.rescale_spectral_norm(W32, target).dtype == np.float32


def test_rescaling_leaves_the_input_alone(rng) -> None:
    W = rng.standard_normal((3, 3))
    before = W.copy()
    sp.rescale_spectral_norm(W, 2.0)
    np.testing.assert_array_equal(W, before)


def test_orthogonal_is_orthogonal_seeded_and_scaled() -> None:
    Q = sp.orthogonal(7, rng=3)
    np.testing.assert_allclose(Q.T @ Q, np.eye(7), atol=1e-14)
    np.testing.assert_array_equal(Q, sp.orthogonal(7, rng=3))
    assert not np.array_equal(Q, sp.orthogonal(7, rng=4))
    np.testing.assert_allclose(sp.singular_values(sp.orthogonal(4, gain=1.5)), 1.5, rtol=1e-14)
    np.testing.assert_allclose(np.abs(sp.eigenvalues(Q)), 1.0, rtol=1e-12)
    assert sp.orthogonal(3, dtype=np.float32).dtype == np.float32


def test_orthogonal_has_the_sign_fix() -> None:
    """Haar-distributed Q has E[Q_11] = 0; LAPACK's raw Q has Q_11 < 0 always."""
    gen = np.random.default_rng(11)
    corner = np.array([sp.orthogonal(3, rng=gen)[0, 0] for _ in range(400)])
    assert 0.35 < np.mean(corner > 0) < 0.65
    assert abs(np.mean(corner)) < 0.15


def test_identity_init() -> None:
    np.testing.assert_array_equal(sp.identity_init(3, gain=0.5), 0.5 * np.eye(3))


def test_pascanu_bound_values(rng) -> None:
    W = sp.rescale_spectral_norm(rng.standard_normal((4, 4)), 2.0)
    np.testing.assert_allclose(sp.pascanu_bound(W, 3, activation="sigmoid"), [1, 0.5, 0.25, 0.125])
    np.testing.assert_allclose(sp.pascanu_bound(W, 2), [1, 2, 4])
    assert sp.pascanu_bound(W, 0).tolist() == [1.0]


def test_pascanu_bound_overflows_to_inf_quietly(rng) -> None:
    W = sp.rescale_spectral_norm(rng.standard_normal((2, 2)), 1e10)
    assert np.isinf(sp.pascanu_bound(W, 40)[-1])


@settings(max_examples=50, deadline=None)
@given(
    W=arrays(
        np.float64,
        st.tuples(st.integers(1, 5)).map(lambda n: (n[0], n[0])),
        elements=st.floats(-2, 2),
    ),
    activation=st.sampled_from(sorted(ACTIVATIONS)),
    seed=st.integers(0, 2**32 - 1),
)
def test_pascanu_bound_holds_along_trajectories(W, activation, seed) -> None:
    n = W.shape[0]
    gen = np.random.default_rng(seed)
    model = RNN(gen.standard_normal((n, 2)), W, gen.standard_normal(n), activation)
    J = model.state_jacobians(gen.standard_normal((8, 2)))
    bound = sp.pascanu_bound(W, 8, activation=activation)
    for t in (1, 4, 8):
        norms = product_norms_by_lag(J, t)
        assert np.all(norms <= bound[: t + 1] * (1 + 1e-9) + 1e-300)


def test_jordan_block_has_one_eigenvalue_yet_powers_that_grow_first() -> None:
    W = sp.jordan_block(4, 0.8, coupling=1.0)
    np.testing.assert_allclose(sp.eigenvalues(W), 0.8)
    assert sp.spectral_radius(W) == pytest.approx(0.8)
    assert sp.spectral_norm(W) > 1.0
    norms = [np.linalg.norm(np.linalg.matrix_power(W, k), 2) for k in range(80)]
    assert max(norms) > 10.0  # a transient far above 1 although ρ < 1 ...
    assert norms[-1] < 1e-2  # ... that ends, as ρ < 1 says it must
    assert sp.spectral_norm(sp.jordan_block(4, 0.8, coupling=0.0)) == pytest.approx(0.8)
