"""Spectra and bounds: norms of products against g and their mean-field rate; powers, spectra."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter
from numpy.typing import ArrayLike

from .._validate import as_float_array, check_instance, check_real
from ..i18n import format_number, label
from ..meanfield import mean_field, measured_rate, rms_rate
from ..spectral import eigenvalues, singular_values
from ..sweep import SpectralSweep
from .checks import check_label_keys
from .style import PALETTE, figure_function, in_math, plain_number, single_axes

#: Markers of :func:`init_spectra`, one per matrix, so that coinciding points stay visible.
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_LINESTYLES = ("-", "--", "-.", ":")
#: Where :func:`mean_field_rates` labels its logarithmic axes, in plain numbers.
_RATE_TICKS = (0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0)


@figure_function()
def spectral_sweep(sweep: SpectralSweep, *, lang: str = "en") -> Figure:
    """‖∂s_T/∂s_{T−ℓ}‖ against the lag ℓ for each gain g of a sweep, with its bound (γg)^ℓ dashed.

    Parameters
    ----------
    sweep : SpectralSweep
        From :func:`rnngrad.sweep.sweep_spectral_norm`.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(sweep, SpectralSweep):
        raise TypeError(f"sweep must be a SpectralSweep, got {type(sweep).__name__}")
    lags = np.arange(sweep.norms.shape[1])
    fig, ax = single_axes(6.0, 3.8)
    for i, (gain, norms, bound) in enumerate(
        zip(sweep.scales, sweep.norms, sweep.bounds, strict=True)
    ):
        colour = PALETTE[i % len(PALETTE)]
        text = rf"$g = {in_math(format_number(gain, lang, digits=1))}$"
        ax.semilogy(lags, norms, linewidth=2, color=colour, label=text)
        ax.semilogy(lags, bound, linewidth=1, linestyle="--", color=colour)
    lowest, highest = float(np.min(sweep.norms[:, -1])), float(np.max(sweep.norms))
    ax.set_ylim(lowest / 100, max(1e3, highest * 100))
    ax.set_xlabel(label("lag", lang))
    ax.set_ylabel(label("jacobian norm", lang))
    ax.set_title(label(sweep.activation, lang) + label("dashed bound", lang))
    ax.legend(loc="lower left", ncol=2)
    return fig


@figure_function()
def mean_field_rates(sweeps: Sequence[SpectralSweep], *, lang: str = "en") -> Figure:
    """Measured per-step rate r = ‖∂s_T/∂s_0‖^{1/T} against the mean-field rate √χ, log-log.

    One colour per activation, one point per gain: filled, √χ from the network's own
    pre-activations (:func:`~rnngrad.meanfield.rms_rate`); open, √χ at the mean-field fixed
    point for unit input variance (:func:`~rnngrad.meanfield.mean_field`), where it exists.
    Sweeps of the same activation are draws (seeds) over the same gains: a point is their
    median, its bars the range over the draws.  The diagonal is perfect agreement; the
    vertical line is √χ = 1 (the edge of chaos for tanh and the sigmoid, where the state blows
    up for ReLU) and the horizontal one r = 1, so a point in the lower-left or upper-right
    quarter has growth against decay right.

    Parameters
    ----------
    sweeps : sequence of SpectralSweep
        From :func:`rnngrad.sweep.sweep_spectral_norm`, one or more per activation.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError, ValueError
        If ``sweeps`` is empty, holds something else, more activations than :data:`PALETTE`
        has colours, or sweeps of one activation with different gains.
    """
    groups = _draws_by_activation(sweeps)
    fig, ax = single_axes(6.0, 4.8)
    rates = []
    for colour, (activation, draws) in zip(PALETTE, groups.items(), strict=False):
        name = label(activation, lang)
        scales = draws[0].scales
        measured = np.array([[measured_rate(norms) for norms in one.norms] for one in draws])
        from_states = np.array(
            [
                [rms_rate(d, g) for g, d in zip(scales, one.derivatives, strict=True)]
                for one in draws
            ]
        )
        centre = np.median(measured, axis=0)
        predicted = np.median(from_states, axis=0)
        text = label("from the states", lang).format(name=name)
        ax.errorbar(
            predicted,
            centre,
            xerr=(predicted - from_states.min(axis=0), from_states.max(axis=0) - predicted),
            yerr=(centre - measured.min(axis=0), measured.max(axis=0) - centre),
            color=colour,
            linestyle="none",
            marker="o",
            elinewidth=1,
            label=text,
        )
        fixed = [
            (rate, m)
            for g, m in zip(scales, centre, strict=True)
            if (rate := _fixed_rate(activation, float(g))) is not None
        ]
        if fixed:
            text = label("from the fixed point", lang).format(name=name)
            ax.loglog(
                *np.transpose(fixed), color=colour, linestyle="none", marker="o", mfc="none",
                label=text,
            )  # fmt: skip
        rates += [*measured.ravel(), *from_states.ravel(), *(rate for rate, _ in fixed)]
    ax.set_xscale("log")
    ax.set_yscale("log")
    low, high = min(rates) / 1.5, max(rates) * 1.5
    ax.loglog([low, high], [low, high], color="0.5", linewidth=1)
    ax.axvline(1.0, color="0.3", linestyle="--", linewidth=1, label=label("chi one", lang))
    ax.axhline(1.0, color="0.3", linestyle="--", linewidth=1)
    ticks = [t for t in _RATE_TICKS if low <= t <= high]
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_ticks(ticks, labels=[plain_number(t, lang) for t in ticks])
        axis.set_minor_formatter(NullFormatter())  # the log axis would label minor ticks too
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    ax.text(0.95, low * 1.1, label("order", lang), ha="right", fontsize="small")
    ax.text(high / 1.1, high / 1.1, label("chaos", lang), ha="right", va="top", fontsize="small")
    ax.set_xlabel(label("predicted rate", lang))
    ax.set_ylabel(label("measured rate", lang))
    ax.legend(loc="upper left", fontsize="small")
    return fig


def _draws_by_activation(sweeps: Sequence[SpectralSweep]) -> dict[str, list[SpectralSweep]]:
    """Group the sweeps by activation, checking that the draws of one share their gains."""
    if len(sweeps) == 0:
        raise ValueError("sweeps must hold at least one SpectralSweep, got none")
    groups: dict[str, list[SpectralSweep]] = {}
    for i, sweep in enumerate(sweeps):
        check_instance(f"sweeps[{i}]", sweep, SpectralSweep)
        draws = groups.setdefault(sweep.activation, [])
        if draws and not np.array_equal(draws[0].scales, sweep.scales):
            raise ValueError(
                f"sweeps[{i}] must have the gains {draws[0].scales} of the other "
                f"{sweep.activation} sweeps, got {sweep.scales}"
            )
        draws.append(sweep)
    if len(groups) > len(PALETTE):
        raise ValueError(f"sweeps must span 1 to {len(PALETTE)} activations, got {len(groups)}")
    return groups


def _fixed_rate(activation: str, gain: float) -> float | None:
    """√χ at the mean-field fixed point, or None where the state has none (it explodes)."""
    try:
        return mean_field(activation, gain).rate
    except ValueError:
        return None


@figure_function()
def matrix_powers(
    normal: ArrayLike,
    non_normal: ArrayLike,
    *,
    sigma_max: float,
    rho: float,
    lang: str = "en",
) -> Figure:
    """‖Wᵏ‖ against k for a normal and a non-normal W with the same spectral radius ρ.

    Drawn with ρᵏ (where both end) and σ_maxᵏ of the non-normal matrix (the bound).

    Parameters
    ----------
    normal, non_normal : array_like, shape (K + 1,)
        ‖Wᵏ‖_2 for k = 0 … K.
    sigma_max : float
        σ_max of the non-normal matrix.
    rho : float
        The common spectral radius.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    a = as_float_array("normal", normal, shape=("K + 1",))
    b = as_float_array("non_normal", non_normal, shape=a.shape)
    sigma_max = check_real("sigma_max", sigma_max, positive=True)
    rho = check_real("rho", rho, positive=True)
    k = np.arange(a.shape[0])
    fig, ax = single_axes(6.0, 3.6)
    ax.semilogy(k, a, linewidth=2, color=PALETTE[0], label=label("normal W", lang))
    ax.semilogy(k, b, linewidth=2, color=PALETTE[1], label=label("non-normal W", lang))
    ax.semilogy(k, rho**k, linestyle=":", color=PALETTE[2], label=r"$\rho(W)^k$")
    ax.semilogy(k, sigma_max**k, linestyle="--", color=PALETTE[1], label=r"$\sigma_{\max}(W)^k$")
    ax.set_ylim(min(a.min(), b.min()) / 3, b.max() * 10)
    ax.set_xlabel("$k$")
    ax.set_ylabel(r"$\|W^k\|_2$")
    ax.legend(loc="upper right")
    return fig


@figure_function()
def init_spectra(matrices: Mapping[str, ArrayLike], *, lang: str = "en") -> Figure:
    """Singular values and eigenvalues of recurrent matrices, one colour per initialisation.

    Left, the singular values σ_1 ≥ … ≥ σ_n of each W against their index: σ_1 = σ_max(W)
    bounds every step back (Pascanu et al. 2013).  Right, the eigenvalues in the complex
    plane with the unit circle (dotted): ρ(W) = max :math:`|\\lambda_i|` decides where long products
    of W end.

    Parameters
    ----------
    matrices : mapping of str to array_like, shape (n, n)
        Label key → W.  The keys name labels of ``rnngrad.i18n.LABELS`` (e.g.
        ``"init orthogonal"``, ``"init gaussian"``, ``"init scaled"``, ``"init identity"``),
        which become the legend; the matrices may differ in size.
    lang : str
        ``"en"`` or ``"ru"``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``matrices`` is empty or has more entries than :data:`PALETTE` has colours, a key
        is not a label, or a matrix is not square, finite and real.
    """
    check_label_keys("matrices", list(matrices))
    spectra = {}
    for key, W in matrices.items():
        arr = as_float_array(f"matrices[{key!r}]", W, shape=("n", "n"))
        if arr.shape[0] != arr.shape[1]:
            raise ValueError(f"matrices[{key!r}] must be square, got shape {arr.shape}")
        spectra[key] = (singular_values(arr), eigenvalues(arr))
    circle = np.exp(1j * np.linspace(0.0, 2.0 * np.pi, 361))
    fig = Figure(figsize=(8.0, 3.8))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1.0]})
    right.plot(
        circle.real,
        circle.imag,
        color="0.4",
        linewidth=1,
        linestyle=":",
    )
    for i, (key, (sv, lam)) in enumerate(spectra.items()):
        style = {
            "color": PALETTE[i],
            "marker": _MARKERS[i],
            "markersize": 4,
            "fillstyle": "none",
        }
        # A marker on every eighth value only: one per value made the SVG too heavy.
        left.plot(
            np.arange(1, sv.shape[0] + 1),
            sv,
            linestyle=_LINESTYLES[i % len(_LINESTYLES)],
            linewidth=1.5,
            label=label(key, lang),
            markevery=8,
            **style,
        )
        # Hundreds of markers as vector paths weigh over 100 KB in SVG: drawn as an image.
        right.plot(lam.real, lam.imag, linestyle="none", rasterized=True, **style)
    left.set_xlabel(label("singular index", lang))
    left.set_ylabel(label("singular values", lang))
    left.set_ylim(bottom=0)
    left.legend(loc="upper right", fontsize=8)
    right.set_aspect("equal")
    right.set_xlabel(r"$\mathrm{Re}\,\lambda$")
    right.set_ylabel(r"$\mathrm{Im}\,\lambda$")
    right.set_title(label("eigenvalues", lang))
    return fig
