"""rnngrad: vanilla and gated recurrent networks with exact backpropagation through time.

The companion library of the chapter «Затухающие градиенты / Vanishing gradients».
Everything is plain numpy; the chapter's figures and numbers are computed by it.
"""

from .activations import ACTIVATIONS, Activation, get_activation

__all__ = ["ACTIVATIONS", "Activation", "get_activation"]
__version__ = "0.1.0"
