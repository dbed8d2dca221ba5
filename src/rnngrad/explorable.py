"""The data of the chapter's explorable figures: what a page embeds and its script draws.

Each builder takes a result the library computed (a sweep over the gain, a table of
Jacobian norms, training histories) and returns an :class:`Explorable`: the name of the
drawing function in ``book/_static/explorable.js`` and JSON-ready data. The script only
draws and looks up: every value a figure reads out is formatted here, by :mod:`rnngrad.i18n`
in the page's language, or (the heat map's cells, too many to format one by one) stored as
the digits :func:`~rnngrad.i18n.format_power` prints, with the language's decimal separator
beside them. Curves are stored as log₁₀ in tenths: a tenth of a decade is a pixel at the
figures' size, and the page stays within its budget.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ._validate import check_int
from .activations import get_activation
from .i18n import LABELS, check_language, format_list, format_number, format_power, label
from .meanfield import rms_rate
from .sweep import SpectralSweep

if TYPE_CHECKING:
    from .train import History

#: The MIME type of a glued :class:`Explorable` (a ``+json`` type: a notebook stores it as an
#: object even under the glue's prefix, where plain ``application/json`` would be invalid).
MIME = "application/vnd.rnngrad.explorable+json"

__all__ = ["MIME", "Explorable", "gain_explorable", "heatmap_explorable", "training_explorable"]


@dataclass(frozen=True)
class Explorable:
    """An explorable figure's data, as a page embeds it.

    Glued in a notebook (``glue(key, explorable)``) it is stored under :data:`MIME`, a JSON
    type the notebook format keeps as an object, and the book's ``explorable`` directive
    places it in the page.

    Attributes
    ----------
    kind : str
        The drawing function of ``book/_static/explorable.js``: ``"gain"``, ``"heatmap"``
        or ``"training"``.
    data : dict
        JSON-ready numbers and words.
    """

    kind: str
    data: dict[str, Any]

    def to_json(self) -> str:
        """The data as compact JSON with sorted keys: two builds give the same bytes."""
        return json.dumps(
            {"kind": self.kind, "data": self.data},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        return {MIME: {"kind": self.kind, "data": self.data}, "text/plain": repr(self)}

    def __repr__(self) -> str:
        return f"Explorable({self.kind!r}, {len(self.to_json().encode())} bytes)"


def _tenths(values: ArrayLike) -> list[int]:
    """log₁₀ of positive values in tenths of a decade (a pixel at the figures' size)."""
    logs = np.log10(np.asarray(values, dtype=np.float64))
    return [int(v) for v in np.round(10 * logs)]


def _log_rate(rate: float) -> float | None:
    """log₁₀ of a per-step rate; None (no line) for 0, a step at which every unit was off."""
    return round(float(np.log10(rate)), 4) if rate > 0 else None


def _words(keys: Sequence[str], lang: str) -> dict[str, str]:
    return {key.removeprefix("explore "): label(key, lang) for key in keys}


def _decimal(lang: str) -> str:
    """The decimal separator :func:`~rnngrad.i18n.format_number` uses in ``lang``."""
    return format_number(0.5, lang, digits=1)[1]


_GAIN_WORDS = (
    "explore gain",
    "explore activation",
    "explore lag",
    "explore norm",
    "explore measured",
    "explore bound",
    "explore mean field",
    "explore gain sentence",
    "explore grows",
    "explore decays",
    "explore gain title",
    "explore gain description",
    "explore table",
)


def gain_explorable(sweeps: Sequence[SpectralSweep], *, lag_step: int = 4, lang: str) -> Explorable:
    """The norm against the lag at every gain of a sweep, one sweep per activation.

    For each activation and gain: the measured ‖∂s_T/∂s_{T−ℓ}‖_2 at every ``lag_step``-th
    lag (log₁₀ in tenths), the per-step log₁₀ of the bound's factor γg and of the mean-field
    rate √χ of the network's own steps (:func:`~rnngrad.meanfield.rms_rate`; None if it is 0),
    and the norm at
    the largest lag as :func:`~rnngrad.i18n.format_power` prints it, with whether it grew.

    Parameters
    ----------
    sweeps : sequence of SpectralSweep
        One per activation, all over the same gains and sequence length.
    lag_step : int
        Every how many lags the curves are sampled (≥ 1, dividing T).
    lang : str
        The page's language.

    Returns
    -------
    Explorable
        Kind ``"gain"``.

    Raises
    ------
    ValueError
        If the sweeps are empty, differ in their gains or length, or ``lag_step`` does not
        divide T.
    """
    lang = check_language(lang)
    if not sweeps:
        raise ValueError("sweeps must hold at least one SpectralSweep, got none")
    gains, T = sweeps[0].scales, sweeps[0].norms.shape[1] - 1
    for sweep in sweeps:
        if not np.array_equal(sweep.scales, gains) or sweep.norms.shape[1] != T + 1:
            raise ValueError(
                "sweeps must share their gains and sequence length; "
                f"{sweep.activation} has gains {sweep.scales} and T = {sweep.norms.shape[1] - 1}"
            )
    lag_step = check_int("lag_step", lag_step, minimum=1)
    if T % lag_step:
        raise ValueError(f"lag_step must divide T = {T}, got {lag_step}")
    lags = np.arange(0, T + 1, lag_step)
    curves = {}
    for sweep in sweeps:
        gamma = get_activation(sweep.activation).gamma
        last = sweep.norms[:, -1]
        curves[sweep.activation] = {
            "name": label(sweep.activation, lang),
            "norm": [_tenths(row[lags]) for row in sweep.norms],
            "bound": [round(float(np.log10(gamma * g)), 4) for g in gains],
            "meanfield": [
                _log_rate(rms_rate(d, g)) for d, g in zip(sweep.derivatives, gains, strict=True)
            ],
            "last": [format_power(v, lang) for v in last],
            "grows": [int(v > 1.0) for v in last],
        }
    one = np.flatnonzero(np.isclose(gains, 1.0))
    return Explorable(
        "gain",
        {
            "gains": [format_number(g, lang) for g in gains],
            "start": int(one[0]) if one.size else 0,
            "lags": [int(v) for v in lags],
            "curves": curves,
            "order": [sweep.activation for sweep in sweeps],
            "decimal": _decimal(lang),
            "words": _words(_GAIN_WORDS, lang),
        },
    )


_HEATMAP_WORDS = (
    "explore gain",
    "explore heatmap sentence",
    "explore heatmap title",
    "explore heatmap description",
    "explore heatmap help",
    "explore table",
)


def _power_digits(value: float) -> str:
    """``value`` as the digits :func:`~rnngrad.i18n.format_power` prints: 2.3·10⁻⁵ → "23-5"."""
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa.replace('.', '')}{int(exponent):+d}"


def heatmap_explorable(
    tables: Sequence[ArrayLike], gains: Sequence[float], *, lang: str
) -> Explorable:
    """The (t, k) maps of ‖∂s_t/∂s_k‖_2, one per gain, cell by cell.

    Each map's lower triangle (k ≤ t) is stored row by row as the digits of
    :func:`~rnngrad.i18n.format_power`: the script reads out exactly what the library
    prints, and colours by the same number.

    Parameters
    ----------
    tables : sequence of array_like, shape (T + 1, T + 1)
        :func:`~rnngrad.jacobians.jacobian_norm_table` of each network.
    gains : sequence of float
        The gain g of each network's W = gQ.
    lang : str
        The page's language.

    Returns
    -------
    Explorable
        Kind ``"heatmap"``.

    Raises
    ------
    ValueError
        If the tables and gains differ in number, a table is not square or the tables differ
        in size, or a norm in a lower triangle is not a finite number ≥ 0.
    """
    lang = check_language(lang)
    if len(tables) != len(gains) or not gains:
        raise ValueError(
            f"tables and gains must be non-empty and as many, got {len(tables)} and {len(gains)}"
        )
    # The upper triangle is NaN (jacobian_norm_table leaves it blank): only the lower is read.
    maps = [np.asarray(table, dtype=np.float64) for table in tables]
    size = maps[0].shape[0] if maps[0].ndim == 2 else 0
    cells = []
    for table in maps:
        if size == 0 or table.shape != (size, size):
            raise ValueError(f"tables must be square and of one size, got {table.shape}")
        triangle = table[np.tril_indices(size)]
        if not np.all(np.isfinite(triangle) & (triangle >= 0)):
            raise ValueError("tables must hold finite norms ≥ 0 on and below the diagonal")
        cells.append(" ".join(_power_digits(v) for v in triangle))
    return Explorable(
        "heatmap",
        {
            "gains": [format_number(g, lang, digits=1) for g in gains],
            "size": size,
            "cells": cells,
            "decimal": _decimal(lang),
            "words": _words(_HEATMAP_WORDS, lang),
        },
    )


_TRAINING_WORDS = (
    "explore step",
    "explore training lag",
    "explore position",
    "explore share",
    "explore training sentence",
    "explore last evaluated",
    "explore training title",
    "explore training description",
    "explore table",
)


def _model_name(name: str, lang: str) -> str:
    """The label of ``model <name>`` as plain text, or the name itself for a model that has
    none yet: a model new to the experiment set appears without a change here."""
    key = f"model {name}"
    return label(key, lang).replace("$", "") if key in LABELS else name


def training_explorable(
    histories: Mapping[str, Mapping[int, History]], *, points: int = 21, lang: str
) -> Explorable:
    """The state-gradient share over the steps k, at every evaluation of training.

    ``histories[model][lag]`` is the :class:`~rnngrad.train.History` of one run. Its share
    at evaluation i is ``state_grad_norms[i, k] / state_grad_norms[i, -1]``, stored at about
    ``points`` steps k from 1 to T (log₁₀ in tenths); the share at k = 1 is also formatted by
    :func:`~rnngrad.i18n.format_power`. A model need not run at every lag, and a run that
    stopped early (solved) keeps its last evaluation: the steps of a lag are those of its
    longest run, of which every other run's are the first.

    Parameters
    ----------
    histories : mapping of str to mapping of int to History
        By model (its name in the experiment set) and lag, in the order to draw them.
    points : int
        About how many steps k each curve keeps (≥ 2).
    lang : str
        The page's language.

    Returns
    -------
    Explorable
        Kind ``"training"``.

    Raises
    ------
    ValueError
        If there is no run, the evaluations of one lag are not at the same steps, or a share
        is not a finite number > 0.
    """
    lang = check_language(lang)
    points = check_int("points", points, minimum=2)
    names = list(histories)
    lags = sorted({lag for runs in histories.values() for lag in runs})
    if not lags:
        raise ValueError("histories must hold at least one run, got none")
    by_lag = []
    for lag in lags:
        runs = {i: histories[name][lag] for i, name in enumerate(names) if lag in histories[name]}
        steps = max((run.eval_steps for run in runs.values()), key=len)
        ks = np.unique(np.round(np.linspace(1, lag, points)).astype(int))
        drawn = []
        for i, run in runs.items():
            if not np.array_equal(run.eval_steps, steps[: len(run.eval_steps)]):
                raise ValueError(f"lag {lag}: {names[i]!r} was evaluated at other steps")
            with np.errstate(divide="ignore", invalid="ignore"):  # reported just below
                share = run.state_grad_norms / run.state_grad_norms[:, -1:]
            if not np.all(np.isfinite(share) & (share > 0)):
                raise ValueError(f"lag {lag}: {names[i]!r} has a share that is not finite and > 0")
            drawn.append(
                {
                    "model": i,
                    "share": [_tenths(row[ks]) for row in share],
                    "first": [format_power(v, lang) for v in share[:, 1]],
                }
            )
        by_lag.append({"steps": [int(v) for v in steps], "k": [int(v) for v in ks], "runs": drawn})
    return Explorable(
        "training",
        {
            "models": [_model_name(name, lang) for name in names],
            "lags": [int(v) for v in lags],
            "byLag": by_lag,
            "list": format_list(["", ""], lang),
            "decimal": _decimal(lang),
            "words": _words(_TRAINING_WORDS, lang),
        },
    )
