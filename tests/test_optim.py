"""Clipping keeps the direction and caps the norm; SGD and Adam take the textbook steps."""

from __future__ import annotations

import numpy as np
import pytest

from rnngrad import RNN
from rnngrad.optim import SGD, Adam, clip_by_global_norm, clip_by_value, global_norm

GRADS = {"W": np.array([[3.0, 0.0], [0.0, 0.0]]), "b": np.array([0.0, 4.0])}  # norm 5


def test_global_norm_treats_all_arrays_as_one_vector() -> None:
    assert global_norm(GRADS) == pytest.approx(5.0)
    assert global_norm({}) == 0.0


def test_clipping_caps_the_norm_and_keeps_the_direction() -> None:
    clipped, norm = clip_by_global_norm(GRADS, 1.0)
    assert norm == pytest.approx(5.0)
    assert global_norm(clipped) == pytest.approx(1.0)
    for name, g in GRADS.items():
        np.testing.assert_allclose(clipped[name], g / 5.0)


def test_clipping_below_the_threshold_changes_nothing() -> None:
    clipped, norm = clip_by_global_norm(GRADS, 5.5)
    assert norm == pytest.approx(5.0)
    for name, g in GRADS.items():
        np.testing.assert_array_equal(clipped[name], g)
        assert clipped[name] is not g  # new arrays: the caller's are never aliased


def test_clipping_by_value_clips_each_entry() -> None:
    clipped = clip_by_value(GRADS, 2.0)
    np.testing.assert_array_equal(clipped["W"], [[2.0, 0.0], [0.0, 0.0]])
    np.testing.assert_array_equal(clipped["b"], [0.0, 2.0])


# ---------------------------------------------------------------- a quadratic, by hand
A = np.array([[2.0, 0.0], [0.0, 0.5]])  # E(p) = ½ pᵀ A p, ∇E = A p


def grad(p: np.ndarray) -> dict[str, np.ndarray]:
    return {"p": A @ p}


def test_sgd_with_momentum_takes_the_heavy_ball_steps() -> None:
    p0 = np.array([1.0, -2.0])
    opt = SGD(0.1, momentum=0.5)
    p1 = opt.step({"p": p0}, grad(p0))["p"]
    g0 = A @ p0
    np.testing.assert_allclose(p1, p0 - 0.1 * g0)  # v_1 = g_0
    p2 = opt.step({"p": p1}, grad(p1))["p"]
    v2 = 0.5 * g0 + A @ p1
    np.testing.assert_allclose(p2, p1 - 0.1 * v2)


def test_adam_takes_the_bias_corrected_steps() -> None:
    p0 = np.array([1.0, -2.0])
    opt = Adam(0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    p1 = opt.step({"p": p0}, grad(p0))["p"]
    g0 = A @ p0
    # Step 1: m̂ = g, v̂ = g², so the step is lr · g/(|g| + ε) ≈ lr · sign(g).
    np.testing.assert_allclose(p1, p0 - 0.1 * g0 / (np.abs(g0) + 1e-8))
    g1 = A @ p1
    m = 0.9 * 0.1 * g0 + 0.1 * g1
    v = 0.999 * 0.001 * g0**2 + 0.001 * g1**2
    m_hat, v_hat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    p2 = opt.step({"p": p1}, grad(p1))["p"]
    np.testing.assert_allclose(p2, p1 - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8))


@pytest.mark.parametrize("opt", [SGD(0.2, momentum=0.5), Adam(0.05)], ids=["sgd", "adam"])
def test_optimisers_find_the_minimum_of_a_quadratic(opt: SGD | Adam) -> None:
    p = np.array([1.0, -2.0])
    for _ in range(500):
        p = opt.step({"p": p}, grad(p))["p"]
    np.testing.assert_allclose(p, 0.0, atol=1e-3)


def test_update_returns_a_new_model_and_ignores_extra_gradients() -> None:
    model = RNN.random(2, 3, 1, head="linear", rng=0)
    x, y = np.ones((4, 2, 2)), np.zeros((2, 1))
    _, grads = model.loss_and_gradients(x, y, steps="last")  # also holds "x" and "h0"
    new = SGD(0.1).update(model, grads)
    assert type(new) is RNN
    assert new is not model
    for name, value in model.parameters().items():
        np.testing.assert_allclose(getattr(new, name), value - 0.1 * grads[name])
    assert new.loss(x, y, steps="last") < model.loss(x, y, steps="last")


def test_an_optimiser_refuses_the_state_of_another_model() -> None:
    opt = Adam()
    opt.step({"W": np.ones((2, 2))}, {"W": np.ones((2, 2))})
    with pytest.raises(ValueError, match=r"params\['W'\] has shape \(3, 3\), but this optimiser"):
        opt.step({"W": np.ones((3, 3))}, {"W": np.ones((3, 3))})
    assert opt.t == 1  # the refused step changed nothing
