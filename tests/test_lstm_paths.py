"""Where the LSTM's gradient goes: ∂E_T/∂c_k split into the carousel part and the rest."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from plot_helpers import legend_texts
from test_lstm import N_H, N_IN, N_OUT, B, initial_parts, make_lstm

from rnngrad import jacobian_product, numerical_gradient, plots, relative_error
from rnngrad.i18n import LANGUAGES, label
from rnngrad.lstm import PATH_PARTS, CellGradientPaths

T = 6


def batch(rng: np.random.Generator, forget_gate: bool = True):
    """A model, inputs, last-step targets and a non-zero initial state."""
    model = make_lstm(forget_gate)
    x = rng.standard_normal((T, B, N_IN))
    y = rng.integers(0, N_OUT, size=B)
    parts = initial_parts(rng)
    return model, x, y, (parts["h0"], parts["c0"])


@pytest.mark.parametrize("forget_gate", [True, False])
def test_the_parts_add_up_to_the_full_gradient(rng, forget_gate) -> None:
    """The parts are carried along the forget gates, the full gradient through the state
    Jacobians: their agreement checks one against the other."""
    model, x, y, h0 = batch(rng, forget_gate)
    paths = model.cell_gradient_paths(x, y, h0)
    assert paths.full.shape == (T + 1, B, N_H)
    scale = np.max(np.abs(paths.full))
    np.testing.assert_allclose(paths.carousel + paths.rest, paths.full, rtol=0, atol=1e-12 * scale)
    assert np.all(np.abs(paths.rest[:-1]) > 0)  # the split is not a trivial one
    np.testing.assert_array_equal(paths.rest[-1], 0.0)


def test_the_full_gradient_matches_finite_differences(rng) -> None:
    """Perturb c_k, recompute h_k = o_k ⊙ tanh c_k (o_k does not read c_k) and run on."""
    model, x, y, h0 = batch(rng)
    paths = model.cell_gradient_paths(x, y, h0)
    _, cache = model.forward(x, h0)
    o = cache.gates[..., 3 * N_H :]
    for k in (1, 3, T - 1):

        def loss(c_k: np.ndarray, k: int = k) -> float:
            h_k = o[k - 1] * np.tanh(c_k)
            return model.loss(x[k:], y, (h_k, c_k), steps="last")

        numeric = numerical_gradient(loss, cache.cells[k])
        assert relative_error(paths.full[k], numeric) < 1e-8, k
    numeric = numerical_gradient(lambda c0: model.loss(x, y, (h0[0], c0), steps="last"), h0[1])
    assert relative_error(paths.full[0], numeric) < 1e-8


def test_at_the_start_the_full_gradient_is_what_bptt_gives_c0(rng) -> None:
    model, x, y, h0 = batch(rng)
    _, grads = model.loss_and_gradients(x, y, h0, steps="last")
    np.testing.assert_allclose(model.cell_gradient_paths(x, y, h0).full[0], grads["c0"], rtol=1e-12)


def test_the_carousel_part_is_the_product_of_forget_gates_applied_to_the_last_cell(rng) -> None:
    model, x, y, h0 = batch(rng)
    paths = model.cell_gradient_paths(x, y, h0)
    for b in range(B):
        f = model.forget_gates(x[:, b], (h0[0][b], h0[1][b]))
        for k in range(T + 1):
            expected = paths.full[T, b] @ jacobian_product(
                np.stack([np.diag(row) for row in f]), T, k
            )
            np.testing.assert_allclose(paths.carousel[k, b], expected, rtol=1e-13, atol=0)


def test_without_recurrent_weights_nothing_leaves_the_cell_and_comes_back(rng) -> None:
    """W = 0: h_j reaches no later gate, so the carousel is the only path (share 1); without
    a forget gate it carries ∂E_T/∂c_T back unchanged."""
    model, x, y, h0 = batch(rng, forget_gate=False)
    model = dataclasses.replace(model, W=np.zeros_like(model.W))
    paths = model.cell_gradient_paths(x, y, h0)
    np.testing.assert_array_equal(paths.rest, 0.0)
    np.testing.assert_array_equal(paths.carousel, np.broadcast_to(paths.full[-1], paths.full.shape))
    np.testing.assert_allclose(paths.carousel_share(), 1.0, rtol=1e-15)


def test_the_two_shares_add_up_to_one_and_the_norms_are_over_the_batch(rng) -> None:
    model, x, y, h0 = batch(rng)
    paths = model.cell_gradient_paths(x, y, h0)
    share = paths.carousel_share()
    rest_share = np.einsum("kbn,kbn->k", paths.rest, paths.full) / np.sum(
        paths.full**2, axis=(1, 2)
    )
    np.testing.assert_allclose(share + rest_share, 1.0, rtol=1e-12)
    assert share[-1] == pytest.approx(1.0, rel=1e-15)
    norms = paths.norms()
    assert list(norms) == list(PATH_PARTS)
    for name, values in norms.items():
        expected = [np.linalg.norm(getattr(paths, name)[k]) for k in range(T + 1)]
        np.testing.assert_allclose(values, expected, rtol=1e-13)


def test_a_zero_gradient_has_no_share() -> None:
    zeros = np.zeros((2, 1, 3))
    share = CellGradientPaths(zeros, zeros, zeros).carousel_share()
    assert np.all(np.isnan(share))


def test_float32_stays_float32(rng) -> None:
    model, x, y, _ = batch(rng)
    model32 = dataclasses.replace(
        model, **{k: v.astype(np.float32) for k, v in model.parameters().items()}
    )
    paths = model32.cell_gradient_paths(x.astype(np.float32), y)
    assert paths.full.dtype == paths.carousel.dtype == paths.rest.dtype == np.float32
    assert paths.carousel_share().dtype == np.float64


# --------------------------------------------------------------------- the figure
@pytest.mark.parametrize("lang", LANGUAGES)
def test_gradient_paths_draws_three_parts_per_network(rng, lang) -> None:
    model, x, y, h0 = batch(rng)
    untrained = model.cell_gradient_paths(x, y, h0)
    other = dataclasses.replace(model, W=0.5 * model.W).cell_gradient_paths(x, y, h0)
    fig = plots.gradient_paths({"before training": untrained, "after training": other}, lang=lang)
    left, right = fig.axes
    assert [left.get_title(), right.get_title()] == [
        label("before training", lang),
        label("after training", lang),
    ]
    assert left.get_yscale() == "log"
    assert legend_texts(left) == [label(f"path {part}", lang) for part in PATH_PARTS]
    assert [line.get_linestyle() for line in left.lines] == ["-", "--", ":"]
    full, carousel, rest = (line.get_ydata() for line in right.lines)
    norms = other.norms()
    np.testing.assert_array_equal(full, norms["full"])
    np.testing.assert_array_equal(carousel, norms["carousel"])
    assert np.isnan(rest[-1])  # the rest is exactly 0 at k = T: no point on a log scale
    np.testing.assert_array_equal(rest[:-1], norms["rest"][:-1])
    assert list(left.lines[0].get_xdata()) == list(range(T + 1))
    assert left.get_xlabel() == label("position k", lang)
    assert left.get_ylabel() == label("cell gradient norm", lang)


def test_gradient_paths_rejects_bad_arguments(rng) -> None:
    model, x, y, h0 = batch(rng)
    paths = model.cell_gradient_paths(x, y, h0)
    with pytest.raises(ValueError, match="paths must hold at least one entry"):
        plots.gradient_paths({})
    with pytest.raises(ValueError, match=r"paths keys must be label keys .*'trained'"):
        plots.gradient_paths({"trained": paths})
    with pytest.raises(TypeError, match=r"paths\['after training'\] must be .*CellGradientPaths"):
        plots.gradient_paths({"after training": paths.full})  # type: ignore[dict-item]
    shorter = model.cell_gradient_paths(x[:3], y, h0)
    with pytest.raises(ValueError, match=r"same length T \+ 1 >= 2, got \[4, 7\]"):
        plots.gradient_paths({"before training": paths, "after training": shorter})
    with pytest.raises(ValueError, match="lang must be one of"):
        plots.gradient_paths({"after training": paths}, lang="de")
