"""rnngrad: vanilla and gated recurrent networks with exact backpropagation through time.

The companion library of the chapter «Затухающие градиенты / Vanishing gradients».
Everything is plain numpy; the chapter's figures and numbers are computed by it.
"""

from typing import TYPE_CHECKING

from ._lazy import lazy_exports
from .activations import ACTIVATIONS, Activation, get_activation
from .block import BlockCache, LRUBlock
from .bptt import (
    BPTTTerms,
    NormPreservation,
    bptt_terms,
    gradient_norm_regulariser,
    immediate_derivative,
    total_derivative,
)
from .explorable import Explorable, gain_explorable, heatmap_explorable, training_explorable
from .gradcheck import numerical_gradient, numerical_jacobian, relative_error
from .gru import GRU, GRUCache
from .jacobians import (
    jacobian_norm_table,
    jacobian_product,
    product_norms_by_lag,
    state_jacobian,
)
from .layer import RecurrentLayer
from .lru import LRU, LRUCache
from .lstm import LSTM, LSTMCache
from .meanfield import (
    FiniteWidth,
    MeanField,
    finite_width,
    gaussian_mean,
    geometric_rate,
    mean_field,
    measured_rate,
    rms_rate,
    second_moments,
)
from .rnn import RNN, ForwardCache
from .spectral import (
    eigenvalues,
    identity_init,
    orthogonal,
    pascanu_bound,
    rescale_spectral_norm,
    rescale_spectral_radius,
    scaled_gaussian,
    singular_values,
    spectral_norm,
    spectral_radius,
)
from .sweep import SpectralSweep, sweep_spectral_norm
from .truncation import (
    GradientCosts,
    TruncationBias,
    gradient_by_lag,
    gradient_costs,
    randomised_truncation_gradient,
    randomised_truncation_moments,
    tbptt_gradients,
    truncated_gradient,
    truncation_bias,
    truncation_probabilities,
)

# The training stack is imported when first asked for, so that importing a figure of
# activations (rnngrad.plots.activations runs this file first) does not import it.
if TYPE_CHECKING:
    from .experiments import ExperimentConfig, ExperimentResult, chapter_experiments, make_model
    from .optim import SGD, Adam, Optimizer, clip_by_global_norm, clip_by_value, global_norm
    from .tasks import AddingProblem, AgreementTask, Task
    from .train import History, TrainResult, state_gradient_norms, train
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "experiments": (
                "ExperimentConfig",
                "ExperimentResult",
                "chapter_experiments",
                "make_model",
            ),
            "optim": (
                "SGD",
                "Adam",
                "Optimizer",
                "clip_by_global_norm",
                "clip_by_value",
                "global_norm",
            ),
            "tasks": ("AddingProblem", "AgreementTask", "Task"),
            "train": ("History", "TrainResult", "state_gradient_norms", "train"),
        },
    )

__all__ = [
    "ACTIVATIONS",
    "GRU",
    "LRU",
    "LSTM",
    "RNN",
    "SGD",
    "Activation",
    "Adam",
    "AddingProblem",
    "AgreementTask",
    "BPTTTerms",
    "BlockCache",
    "ExperimentConfig",
    "ExperimentResult",
    "Explorable",
    "FiniteWidth",
    "ForwardCache",
    "GRUCache",
    "GradientCosts",
    "History",
    "LRUBlock",
    "LRUCache",
    "LSTMCache",
    "MeanField",
    "NormPreservation",
    "Optimizer",
    "RecurrentLayer",
    "SpectralSweep",
    "Task",
    "TrainResult",
    "TruncationBias",
    "bptt_terms",
    "chapter_experiments",
    "clip_by_global_norm",
    "clip_by_value",
    "eigenvalues",
    "finite_width",
    "gain_explorable",
    "gaussian_mean",
    "geometric_rate",
    "get_activation",
    "global_norm",
    "gradient_by_lag",
    "gradient_costs",
    "gradient_norm_regulariser",
    "heatmap_explorable",
    "identity_init",
    "immediate_derivative",
    "jacobian_norm_table",
    "jacobian_product",
    "make_model",
    "mean_field",
    "measured_rate",
    "numerical_gradient",
    "numerical_jacobian",
    "orthogonal",
    "pascanu_bound",
    "product_norms_by_lag",
    "randomised_truncation_gradient",
    "randomised_truncation_moments",
    "relative_error",
    "rescale_spectral_norm",
    "rescale_spectral_radius",
    "rms_rate",
    "scaled_gaussian",
    "second_moments",
    "singular_values",
    "spectral_norm",
    "spectral_radius",
    "state_gradient_norms",
    "state_jacobian",
    "sweep_spectral_norm",
    "tbptt_gradients",
    "total_derivative",
    "train",
    "training_explorable",
    "truncated_gradient",
    "truncation_bias",
    "truncation_probabilities",
]
__version__ = "0.1.0"
