"""Every figure of the chapter, one function each, in either language.

Each function returns a :class:`matplotlib.figure.Figure` built without pyplot, so a
notebook shows it only where the chapter places it (with ``glue``), and no global
matplotlib state is touched: the house style is applied through a context, by the one
decorator every figure function carries.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports
from . import style
from .activations import activation_and_derivative, activations_side_by_side
from .linear import linear_norms_by_lag
from .norms import gradient_paths, jacobian_heatmaps, norms_by_init, norms_by_lag, state_norms
from .sentence import bptt_term_norms
from .spectra import init_spectra, matrix_powers, mean_field_rates, spectral_sweep
from .style import STYLE, house_style, slide_style
from .truncation import truncation_tradeoff

# Bound here, not imported, because the API reference reads a constant's documentation
# (its #: comment) only in the module it documents.
#: Okabe & Ito's palette, distinguishable with every common colour-vision deficiency.
PALETTE = style.PALETTE

# The figures of one unit need rnngrad.optim (through rnngrad.scalar), those of training
# rnngrad.experiments: both are imported when first asked for.
if TYPE_CHECKING:
    from .scalar import amplifying_widths, cliff, clipping_descent
    from .training import gradient_during_training, success_against_lag
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "scalar": ("amplifying_widths", "cliff", "clipping_descent"),
            "training": ("gradient_during_training", "success_against_lag"),
        },
    )

# Not sorted: autodoc lists a module's members in the order of its __all__, and this is
# the order of the API page.
__all__ = [  # noqa: RUF022
    "PALETTE",
    "STYLE",
    "house_style",
    "slide_style",
    "activation_and_derivative",
    "activations_side_by_side",
    "bptt_term_norms",
    "amplifying_widths",
    "spectral_sweep",
    "mean_field_rates",
    "matrix_powers",
    "jacobian_heatmaps",
    "cliff",
    "clipping_descent",
    "truncation_tradeoff",
    "norms_by_lag",
    "gradient_paths",
    "linear_norms_by_lag",
    "success_against_lag",
    "gradient_during_training",
    "state_norms",
    "norms_by_init",
    "init_spectra",
]
