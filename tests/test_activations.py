"""Activations: values, derivatives against finite differences, γ, stability, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from rnngrad import ACTIVATIONS, get_activation
from rnngrad._kernels import TANH_EXP_FORM_MIN_SIZE

NAMES = sorted(ACTIVATIONS)
# Points away from ReLU's kink, where its derivative is defined.
Z = np.array([-7.5, -2.0, -0.3, 0.2, 1.1, 4.0, 9.0])


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_central_differences(name: str) -> None:
    act = get_activation(name)
    h = 1e-6
    numeric = (act(Z + h) - act(Z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(Z), numeric, rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("name", NAMES)
def test_derivative_from_output_agrees_with_derivative(name: str) -> None:
    act = get_activation(name)
    np.testing.assert_allclose(act.derivative_from_output(act(Z)), act.derivative(Z), rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_gamma_is_the_supremum_of_the_derivative(name: str) -> None:
    act = get_activation(name)
    grid = np.linspace(-20, 20, 400_001)  # contains 0, where sigmoid' and tanh' peak
    assert np.max(np.abs(act.derivative(grid))) == pytest.approx(act.gamma, rel=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("copies", [1, TANH_EXP_FORM_MIN_SIZE // 4003 + 1])
def test_agrees_with_independent_formulas(dtype: type, copies: int) -> None:
    """The fast kernels against textbook formulas evaluated in extended precision, on arrays
    below and above the size from which float64 tanh takes its exp form."""
    z = np.concatenate([np.linspace(-40, 40, 4001), [-800.0, 800.0]] * copies).astype(dtype)
    wide = z.astype(np.longdouble)
    eps = float(np.finfo(dtype).eps)
    tanh = get_activation("tanh")(z)
    np.testing.assert_allclose(tanh, np.tanh(wide).astype(dtype), rtol=0, atol=2 * eps)
    sigmoid = get_activation("sigmoid")(z)
    reference = (1 / (1 + np.exp(-wide))).astype(dtype)
    # Relative accuracy even where σ is tiny (no cancellation for very negative z).
    np.testing.assert_allclose(sigmoid, reference, rtol=4 * eps, atol=0)


def test_tanh_of_a_strided_view_in_place() -> None:
    """The GRU applies tanh in place to a column block of its gates: a strided view."""
    gates = np.random.default_rng(0).uniform(-40, 40, (TANH_EXP_FORM_MIN_SIZE // 64, 192))
    expected = np.tanh(gates[:, 128:].astype(np.longdouble)).astype(np.float64)
    untouched = gates[:, :128].copy()
    get_activation("tanh").apply_in_place(gates[:, 128:])
    np.testing.assert_allclose(gates[:, 128:], expected, rtol=0, atol=2 * np.finfo(float).eps)
    np.testing.assert_array_equal(gates[:, :128], untouched)


def test_known_values() -> None:
    assert get_activation("sigmoid")(0.0) == 0.5
    assert get_activation("tanh").derivative(0.0) == 1.0
    np.testing.assert_array_equal(get_activation("relu")(np.array([-1.0, 2.0])), [0.0, 2.0])


@pytest.mark.parametrize("name", NAMES)
def test_stable_at_large_arguments(name: str) -> None:
    act = get_activation(name)
    z = np.array([-1e4, 1e4])
    with np.errstate(all="raise"):
        values, slopes = act(z), act.derivative(z)
    assert np.all(np.isfinite(values))
    assert np.all(np.isfinite(slopes))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype: type) -> None:
    z = np.linspace(-1, 1, 5, dtype=dtype)
    assert get_activation("tanh")(z).dtype == dtype
    assert get_activation("sigmoid").derivative(z).dtype == dtype


def test_unknown_name_lists_the_choices() -> None:
    with pytest.raises(ValueError, match=r"activation must be one of .*'tanh'.*got 'softsign'"):
        get_activation("softsign")


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (np.array([0.0, np.nan]), ValueError, "z must be finite"),
        (np.array([np.inf]), ValueError, "z must be finite"),
        (np.array(["a"]), TypeError, "z must hold real numbers"),
        (np.array([1j]), TypeError, "z must hold real numbers"),
    ],
)
def test_bad_input_names_the_argument(value: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        get_activation("tanh")(value)  # type: ignore[arg-type]
