"""Names and shapes of ``torch.nn.RNN`` parameters, for moving weights and gradients across.

A one-layer ``torch.nn.RNN`` computes h_t = f(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), which is
the slides' s_t = f(U x_t + W s_{t−1} + b) with

=================  ==============  =====================================
torch name          shape           slide symbol
=================  ==============  =====================================
``weight_ih_l0``    (n_h, n_in)     U
``weight_hh_l0``    (n_h, n_h)      W
``bias_ih_l0``      (n_h,)          b = ``bias_ih_l0`` + ``bias_hh_l0``
``bias_hh_l0``      (n_h,)
=================  ==============  =====================================

The LSTM and GRU use the same four names, with their gates' blocks stacked in torch's order
(:class:`~rnngrad.layer.RecurrentLayer` reads and writes the state dicts of all three).
torch is never imported here. Multi-layer, bidirectional, ``proj_size`` and ``bias=False``
state dicts are refused: their keys are not these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

U_NAME, W_NAME, B_IH_NAME, B_HH_NAME = "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"
#: The keys of the state dict of ``torch.nn.RNN(n_in, n_h)`` (one layer, with biases).
TORCH_RNN_KEYS = (U_NAME, W_NAME, B_IH_NAME, B_HH_NAME)


def required(mapping: Mapping[str, Any], name: str, key: str) -> Any:
    """Return ``mapping[key]``, raising a ValueError naming ``name`` and ``key`` if absent."""
    check_keys(mapping, name, required_keys=(key,))
    return mapping[key]


def check_keys(
    mapping: Mapping[str, Any],
    name: str,
    *,
    required_keys: Iterable[str],
    allowed_keys: Iterable[str] | None = None,
    torch_class: str = "torch.nn.RNN",
) -> None:
    """Raise unless ``mapping`` is a mapping holding ``required_keys`` and nothing outside
    ``allowed_keys`` (any extra key is allowed when it is None).  ``torch_class`` names the
    layer whose state dict was expected, for the message.

    Raises
    ------
    TypeError
        If ``mapping`` is not a mapping.
    ValueError
        Naming the missing or unknown keys.
    """
    if not isinstance(mapping, Mapping):
        raise TypeError(f"{name} must be a mapping (a dict), got {type(mapping).__name__}")
    missing = [key for key in required_keys if key not in mapping]
    if missing:
        raise ValueError(f"{name} is missing the key(s) {missing}; it has {sorted(mapping)}")
    if allowed_keys is not None:
        unknown = sorted(set(mapping) - set(allowed_keys))
        if unknown:
            raise ValueError(
                f"{name} has unknown key(s) {unknown}; expected exactly {list(allowed_keys)} "
                f"(only one-layer, unidirectional {torch_class} with biases is supported)"
            )
