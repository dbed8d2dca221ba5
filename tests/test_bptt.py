"""The term-by-term decomposition of ∂E_t/∂W, and immediate versus total derivatives."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from helpers import make_rnn

from rnngrad import (
    ACTIVATIONS,
    RNN,
    bptt_terms,
    get_activation,
    immediate_derivative,
    jacobian_product,
    numerical_gradient,
    relative_error,
    rescale_spectral_norm,
    total_derivative,
)

T = 6


def gradient_of_E_t(model: RNN, x: np.ndarray, t: int, grad_s_t: np.ndarray) -> dict:
    """Full BPTT of a loss whose only outside gradient is ∂E_t/∂s_t at step t."""
    dhs = np.zeros((x.shape[0], 1, model.n_h))
    dhs[t - 1, 0] = grad_s_t
    _, cache = model.forward(x[:, None])
    return model.backward(dhs, cache)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("t", [1, 3, T])
def test_terms_sum_to_the_full_gradient(rng, activation, t) -> None:
    model = make_rnn(activation)
    x = rng.standard_normal((T, model.n_in))
    g = rng.standard_normal(model.n_h)
    terms = bptt_terms(model, x, t, grad_s_t=g)
    full = gradient_of_E_t(model, x, t, g)
    for name in ("W", "U", "b"):
        np.testing.assert_allclose(terms.total(name), full[name], rtol=0, atol=1e-12)


@pytest.mark.parametrize(("head", "y_t"), [("softmax", 2), ("linear", [0.5, -1.0, 2.0])])
def test_terms_from_the_head_use_dE_t_dy_t(rng, head, y_t) -> None:
    model = make_rnn(head=head, n_out=3)
    x = rng.standard_normal((T, model.n_in))
    t = 4
    terms = bptt_terms(model, x, t, y_t=y_t)

    def E_t(W: np.ndarray) -> float:
        m = dataclasses.replace(model, W=W)
        y = np.array([[y_t]]) if head == "softmax" else np.array([[y_t]], dtype=float)
        return m.loss(x[:t, None], y[0], steps="last")

    assert relative_error(terms.total("W"), numerical_gradient(E_t, model.W)) < 1e-6


def test_each_term_is_the_slide_product(rng) -> None:
    """Term k = ∂E_t/∂s_t · (Π_{j=k+1}^t ∂s_j/∂s_{j−1}) · ∂⁺s_k/∂W, multiplied out literally."""
    model = make_rnn("sigmoid")
    x = rng.standard_normal((10, model.n_in))
    g = rng.standard_normal(model.n_h)
    terms = bptt_terms(model, x, 10, grad_s_t=g)
    J = model.state_jacobians(x)
    for k in range(11):
        carried = g @ jacobian_product(J, 10, k)
        expected = np.tensordot(carried, immediate_derivative(model, x, k), axes=1)
        np.testing.assert_allclose(terms.W[k], expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(terms.W[0], 0.0)  # s_0 does not depend on W


def test_norms_are_frobenius_norms_of_the_terms(rng) -> None:
    model = make_rnn()
    terms = bptt_terms(model, rng.standard_normal((T, 3)), T, grad_s_t=np.ones(4))
    assert terms.norms("U").shape == (T + 1,)
    for k in range(T + 1):
        assert terms.norms("W")[k] == pytest.approx(np.linalg.norm(terms.W[k]), rel=1e-14)
        assert terms.norms("b")[k] == pytest.approx(np.linalg.norm(terms.b[k]), rel=1e-14)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_distant_terms_obey_the_pascanu_bound(rng, activation) -> None:
    """‖term_k‖ ≤ ‖∂E_t/∂s_t‖ (γ σ_max)^{t−k} · γ ‖s_{k−1}‖: the bar chart decays geometrically."""
    model = make_rnn(activation)
    model = dataclasses.replace(model, W=rescale_spectral_norm(model.W, 0.9))
    x = rng.standard_normal((12, model.n_in))
    g = rng.standard_normal(model.n_h)
    terms = bptt_terms(model, x, 12, grad_s_t=g)
    states = model.states(x)
    gamma = get_activation(activation).gamma
    for k in range(1, 13):
        bound = (
            np.linalg.norm(g) * (gamma * 0.9) ** (12 - k) * gamma * np.linalg.norm(states[k - 1])
        )
        assert terms.norms("W")[k] <= bound * (1 + 1e-12)


@pytest.mark.parametrize("param", ["W", "U", "b"])
def test_immediate_derivative_holds_the_previous_state_fixed(rng, param) -> None:
    model = make_rnn("tanh")
    x = rng.standard_normal((T, model.n_in))
    k = 4
    s_prev = model.states(x)[k - 1]
    analytic = immediate_derivative(model, x, k, param=param)
    for i in range(model.n_h):

        def s_k_i(value: np.ndarray, i: int = i) -> float:
            m = dataclasses.replace(model, **{param: value})
            return float(m.states(x[k - 1 : k], h0=s_prev)[-1, i])

        numeric = numerical_gradient(s_k_i, getattr(model, param))
        assert relative_error(analytic[i], numeric) < 1e-6


@pytest.mark.parametrize("param", ["W", "U", "b"])
def test_total_derivative_follows_the_parameter_through_every_state(rng, param) -> None:
    model = make_rnn("sigmoid")
    x = rng.standard_normal((T, model.n_in))
    h0 = rng.standard_normal(model.n_h)
    k = 5
    analytic = total_derivative(model, x, k, param=param, h0=h0)
    for i in range(model.n_h):

        def s_k_i(value: np.ndarray, i: int = i) -> float:
            return float(dataclasses.replace(model, **{param: value}).states(x, h0)[k, i])

        numeric = numerical_gradient(s_k_i, getattr(model, param))
        assert relative_error(analytic[i], numeric) < 1e-6


def test_immediate_and_total_derivatives_differ_after_the_first_step(rng) -> None:
    model = make_rnn()
    x = rng.standard_normal((T, model.n_in))
    h0 = rng.standard_normal(model.n_h)
    np.testing.assert_array_equal(immediate_derivative(model, x, 0, h0=h0), 0.0)
    np.testing.assert_array_equal(total_derivative(model, x, 0, h0=h0), 0.0)
    np.testing.assert_allclose(
        total_derivative(model, x, 1, h0=h0), immediate_derivative(model, x, 1, h0=h0)
    )
    for k in (2, T):  # (with s_0 = 0, ∂⁺s_1/∂W = 0 and k = 2 would show no gap for W)
        total = total_derivative(model, x, k, h0=h0)
        gap = total - immediate_derivative(model, x, k, h0=h0)
        assert np.linalg.norm(gap) > 1e-3 * np.linalg.norm(total)


def test_shapes_of_the_derivatives(rng) -> None:
    model = make_rnn()
    x = rng.standard_normal((T, model.n_in))
    assert immediate_derivative(model, x, 2, param="W").shape == (4, 4, 4)
    assert immediate_derivative(model, x, 2, param="U").shape == (4, 4, 3)
    assert total_derivative(model, x, 2, param="b").shape == (4, 4)
    terms = bptt_terms(model, x, 3, grad_s_t=np.ones(4))
    assert (terms.W.shape, terms.U.shape, terms.b.shape) == ((4, 4, 4), (4, 4, 3), (4, 4))


def test_float32_terms_stay_float32(rng) -> None:
    model = make_rnn()
    x = rng.standard_normal((T, model.n_in)).astype(np.float32)
    terms = bptt_terms(model, x, T, y_t=1)
    assert terms.W.dtype == terms.U.dtype == terms.b.dtype == np.float32
