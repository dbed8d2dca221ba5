"""The Linear Recurrent Unit: its equations, exact BPTT against central differences, the ring
initialisation, the state Jacobians, float32, stacking for the engine, and bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from helpers import Case, methods_without_case, refused

from rnngrad import (
    LRU,
    LRUCache,
    numerical_gradient,
    numerical_jacobian,
    product_norms_by_lag,
    relative_error,
)

N_IN, N_H = 3, 4


def make_lru(seed: int = 1, **ring: float) -> LRU:
    """A small LRU with eigenvalues spread over a wide ring, so that every parameter matters."""
    return LRU.random(N_IN, N_H, **({"r_min": 0.4, "r_max": 0.99} | ring), rng=seed)


def weighted_loss(weights: np.ndarray):
    """E = Σ w ⊙ y²: a real loss whose ∂E/∂y depends on y, so G differs at every step."""

    def loss(lru: LRU, x: np.ndarray) -> float:
        y, _ = lru.forward(x)
        return float(np.sum(weights * y**2))

    return loss


def test_forward_matches_the_equations(rng) -> None:
    lru = make_lru()
    x = rng.standard_normal((5, 2, N_IN))
    y, cache = lru.forward(x)
    lam = np.exp(-np.exp(lru.nu_log) + 1j * np.exp(lru.theta_log))
    B = lru.B_re + 1j * lru.B_im
    C = lru.C_re + 1j * lru.C_im
    h = np.zeros((2, N_H), dtype=complex)
    for t in range(5):
        h = lam * h + np.exp(lru.gamma_log) * (x[t] @ B.T)
        np.testing.assert_allclose(cache.states[t + 1], h, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(y[t], (h @ C.T).real + lru.D * x[t], rtol=1e-12, atol=1e-14)
    assert y.shape == x.shape


@pytest.mark.parametrize("T", [1, 4, 13])
def test_bptt_matches_central_differences(T: int, rng) -> None:
    """Every parameter and the input, float64, B = 3: relative error < 1e−6."""
    lru = make_lru(seed=T)
    x = rng.standard_normal((T, 3, N_IN))
    weights = rng.standard_normal(x.shape)
    loss = weighted_loss(weights)
    y, cache = lru.forward(x)
    grads = lru.backward(2 * weights * y, cache)
    assert set(grads) == {*LRU.PARAMETERS, "x"}
    for name, value in lru.parameters().items():
        numerical = numerical_gradient(
            lambda p, name=name: loss(dataclasses.replace(lru, **{name: p}), x), value
        )
        assert relative_error(grads[name], numerical) < 1e-6, name
    assert relative_error(grads["x"], numerical_gradient(lambda p: loss(lru, p), x)) < 1e-6


def test_float32_computes_in_float32_and_agrees_with_float64(rng) -> None:
    lru = make_lru()
    single = LRU(**{n: p.astype(np.float32) for n, p in lru.parameters().items()})
    x = rng.standard_normal((20, 2, N_IN))
    G = rng.standard_normal(x.shape)
    y64, cache64 = lru.forward(x)
    y32, cache32 = single.forward(x)
    assert y32.dtype == np.float32
    assert cache32.states.dtype == np.complex64
    # float32 rounding (ε ≈ 6e−8) grows at most linearly over 20 steps of |λ| < 1.
    assert relative_error(y32, y64) < 1e-5
    g64, g32 = lru.backward(G, cache64), single.backward(G, cache32)
    for name, grad in g32.items():
        assert grad.dtype == np.float32, name
        assert relative_error(grad, g64[name]) < 1e-4, name


def test_mixed_precision_parameters_are_promoted() -> None:
    params = make_lru().parameters()
    mixed = LRU(**(params | {"D": params["D"].astype(np.float32)}))
    assert {p.dtype for p in mixed.parameters().values()} == {np.dtype(np.float64)}


@pytest.mark.parametrize(
    ("r_min", "r_max", "max_phase"), [(0.0, 1.0, 2 * np.pi), (0.9, 0.999, 0.3)]
)
def test_ring_initialisation(r_min: float, r_max: float, max_phase: float) -> None:
    lru = LRU.random(5, 400, r_min=r_min, r_max=r_max, max_phase=max_phase, rng=3)
    radius = np.abs(lru.eigenvalues)
    assert np.all((radius >= r_min) & (radius <= r_max))
    phase = np.exp(lru.theta_log)
    assert np.all((phase > 0) & (phase <= max_phase))
    np.testing.assert_allclose(np.exp(lru.gamma_log), np.sqrt(1 - radius**2), rtol=1e-12)
    # Uniform in area: abs(λ)² is uniform on [r_min², r_max²]; its mean, with 400 draws,
    # lies within 4 standard errors of the middle.
    lo, hi = r_min**2, r_max**2
    assert abs(np.mean(radius**2) - (lo + hi) / 2) < 4 * (hi - lo) / np.sqrt(12 * 400)
    # B is complex Glorot: E abs(B_ij)² = 1/n_in, within 10 % with 2,000 entries.
    assert np.mean(lru.B_re**2 + lru.B_im**2) == pytest.approx(1 / 5, rel=0.1)


def test_random_is_reproducible_and_honours_dtype() -> None:
    a, b = LRU.random(2, 3, rng=7), LRU.random(2, 3, rng=7)
    assert all(np.array_equal(a.parameters()[n], b.parameters()[n]) for n in LRU.PARAMETERS)
    single = LRU.random(2, 3, rng=7, dtype=np.float32)
    assert single.dtype == np.float32
    np.testing.assert_allclose(single.nu_log, a.nu_log, rtol=1e-6)


def test_any_nu_log_gives_a_stable_recurrence() -> None:
    lru = dataclasses.replace(make_lru(), nu_log=np.array([-30.0, -5.0, 0.0, 5.0]))
    # exp(−exp(−30)) = 1 − 9e−14 is still below 1 in float64.
    assert np.all(np.abs(lru.eigenvalues) < 1)


def test_state_jacobian_is_diag_lambda_in_real_coordinates(rng) -> None:
    """∂h_t/∂x_k = diag(λ)^{t−k} diag(κ) B, by central differences through the inputs: the
    Jacobians multiply exactly as the recurrence carries a perturbation."""
    lru = make_lru()
    T, t, k = 6, 5, 1
    x = rng.standard_normal((T, 1, N_IN))
    J = lru.state_jacobians(x[:, 0])
    assert J.shape == (T, 2 * N_H, 2 * N_H)

    def state(xk: np.ndarray) -> np.ndarray:
        _, cache = lru.forward(np.concatenate([x[:k], xk[None, None], x[k + 1 :]]))
        h = cache.states[t + 1, 0]
        return np.concatenate([h.real, h.imag])

    kappa = np.exp(lru.gamma_log)[:, None]
    entry = np.concatenate([kappa * lru.B_re, kappa * lru.B_im])  # ∂(Re h_k, Im h_k)/∂x_k
    product = np.linalg.multi_dot([*J[k + 1 : t + 1], entry])
    numerical = numerical_jacobian(state, x[k, 0])
    assert relative_error(product, numerical) < 1e-8


def test_norms_by_lag_are_the_largest_modulus_to_the_lag(rng) -> None:
    lru = make_lru()
    x = rng.standard_normal((30, N_IN))
    norms = lru.jacobian_norms_by_lag(x, 30)
    assert norms[0] == 1.0
    np.testing.assert_allclose(norms, product_norms_by_lag(lru.state_jacobians(x), 30), rtol=1e-10)
    np.testing.assert_allclose(norms[17], np.max(np.abs(lru.eigenvalues)) ** 17, rtol=1e-12)


def test_stacked_networks_compute_each_its_own(rng) -> None:
    """K = 3 networks stacked on a leading axis give each network's own outputs and gradients."""
    lrus = [make_lru(seed) for seed in (1, 2, 3)]
    stacked = lrus[0]._stacked(
        {n: np.stack([m.parameters()[n] for m in lrus]) for n in LRU.PARAMETERS}
    )
    x = rng.standard_normal((7, 3, 2, N_IN))
    G = rng.standard_normal(x.shape)
    ys, cache = stacked._forward(x)
    grads = stacked._backward(G, cache)
    for k, lru in enumerate(lrus):
        y, own = lru.forward(x[:, k])
        np.testing.assert_allclose(ys[:, k], y, rtol=1e-12, atol=1e-14)
        for name, grad in lru.backward(G[:, k], own).items():
            np.testing.assert_allclose(
                grads[name][:, k] if name == "x" else grads[name][k], grad, rtol=1e-10, atol=1e-13
            )


def bad_input_cases() -> dict[str, Case]:
    lru = make_lru()
    params = lru.parameters()
    x = np.zeros((4, 2, N_IN))
    _, cache = lru.forward(x)
    return {
        "__init__ B_im shape": (
            lambda: LRU(**(params | {"B_im": np.zeros((N_H, N_IN + 1))})),
            ValueError,
            r"B_im must have shape \(4, 3\), got \(4, 4\)",
        ),
        "__init__ D shape": (
            lambda: LRU(**(params | {"D": np.zeros(2)})),
            ValueError,
            r"D must have shape \(3,\)",
        ),
        "__init__ complex": (
            lambda: LRU(**(params | {"C_re": params["C_re"] + 0j})),
            TypeError,
            r"C_re must hold real numbers",
        ),
        "__init__ nan": (
            lambda: LRU(**(params | {"nu_log": np.full(N_H, np.nan)})),
            ValueError,
            r"nu_log must be finite",
        ),
        "random ring": (
            lambda: LRU.random(2, 3, r_min=0.9, r_max=0.5),
            ValueError,
            r"0 <= r_min < r_max <= 1",
        ),
        "random r_max": (
            lambda: LRU.random(2, 3, r_max=1.5),
            ValueError,
            r"r_max <= 1, got 0.0, 1.5",
        ),
        "random phase": (
            lambda: LRU.random(2, 3, max_phase=7.0),
            ValueError,
            r"max_phase must be in \(0, 2π\]",
        ),
        "random n_h": (lambda: LRU.random(2, 0), ValueError, r"n_h must be >= 1"),
        "random dtype": (
            lambda: LRU.random(2, 3, dtype=np.int32),
            TypeError,
            r"dtype must be float32 or float64",
        ),
        "forward width": (
            lambda: lru.forward(np.zeros((4, 2, 2))),
            ValueError,
            r"x must have shape \(T, B, 3\)",
        ),
        "forward empty": (
            lambda: lru.forward(np.zeros((0, 2, N_IN))),
            ValueError,
            r"x must not be empty",
        ),
        "backward cache": (
            lambda: lru.backward(x, {"x": x}),
            TypeError,
            r"cache must be the LRUCache from forward",
        ),
        "backward G": (
            lambda: lru.backward(x[:3], cache),
            ValueError,
            r"G must have shape \(4, 2, 3\)",
        ),
        "backward other layer": (
            lambda: LRU.random(N_IN, N_H + 1).backward(x, cache),
            ValueError,
            r"cache.states must have shape",
        ),
        "state_jacobians shape": (
            lambda: lru.state_jacobians(np.zeros((4, 2))),
            ValueError,
            r"x must have shape \(T, 3\), got \(4, 2\)",
        ),
        "jacobian_norms_by_lag t": (
            lambda: lru.jacobian_norms_by_lag(x[:, 0], 5),
            ValueError,
            r"t must be <= T = 4",
        ),
        "jacobian_norms_by_lag negative": (
            lambda: lru.jacobian_norms_by_lag(x[:, 0], -1),
            ValueError,
            r"t must be >= 0",
        ),
    }


@pytest.mark.parametrize("case", bad_input_cases())
def test_bad_input_is_refused_with_a_clear_message(case: str) -> None:
    refused(bad_input_cases()[case])


def test_every_public_method_has_a_bad_input_case() -> None:
    assert methods_without_case(LRU, bad_input_cases()) == set()


def test_cache_is_exported() -> None:
    _, cache = make_lru().forward(np.zeros((2, 1, N_IN)))
    assert isinstance(cache, LRUCache)
