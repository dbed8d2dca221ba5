"""rnngrad: vanilla and gated recurrent networks with exact backpropagation through time.

The companion library of the chapter «Затухающие градиенты / Vanishing gradients».
Everything is plain numpy; the chapter's figures and numbers are computed by it.
"""

from .activations import ACTIVATIONS, Activation, get_activation
from .bptt import BPTTTerms, bptt_terms, immediate_derivative, total_derivative
from .gated import block_norms_by_lag
from .gradcheck import numerical_gradient, numerical_jacobian, relative_error
from .gru import GRU, GRUCache
from .jacobians import (
    jacobian_norm_table,
    jacobian_norms_by_lag,
    jacobian_product,
    state_jacobian,
    state_jacobians,
)
from .lstm import LSTM, LSTMCache
from .rnn import RNN, ForwardCache
from .spectral import (
    eigenvalues,
    identity_init,
    orthogonal,
    pascanu_bound,
    rescale_spectral_norm,
    rescale_spectral_radius,
    singular_values,
    spectral_norm,
    spectral_radius,
)

__all__ = [
    "ACTIVATIONS",
    "GRU",
    "LSTM",
    "RNN",
    "Activation",
    "BPTTTerms",
    "ForwardCache",
    "GRUCache",
    "LSTMCache",
    "block_norms_by_lag",
    "bptt_terms",
    "eigenvalues",
    "get_activation",
    "identity_init",
    "immediate_derivative",
    "jacobian_norm_table",
    "jacobian_norms_by_lag",
    "jacobian_product",
    "numerical_gradient",
    "numerical_jacobian",
    "orthogonal",
    "pascanu_bound",
    "relative_error",
    "rescale_spectral_norm",
    "rescale_spectral_radius",
    "singular_values",
    "spectral_norm",
    "spectral_radius",
    "state_jacobian",
    "state_jacobians",
    "total_derivative",
]
__version__ = "0.1.0"
