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

torch is never imported here: values are whatever ``numpy.asarray`` accepts (CPU
tensors included), and the returned dicts hold numpy arrays, which
``{k: torch.from_numpy(v) for k, v in d.items()}`` turns into a loadable state dict.
Multi-layer, bidirectional, ``proj_size`` and ``bias=False`` state dicts are refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._types import FloatArray
from ._validate import as_float_array
from .spectral import square_matrix

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


def parameters_from_torch(sd: Mapping[str, ArrayLike]) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return (U, W, b) from the state dict of a one-layer ``torch.nn.RNN``.

    Parameters
    ----------
    sd : mapping of str to array_like
        Exactly the keys of :data:`TORCH_RNN_KEYS`.

    Returns
    -------
    U : ndarray, shape (n_h, n_in)
    W : ndarray, shape (n_h, n_h)
    b : ndarray, shape (n_h,)
        ``bias_ih_l0 + bias_hh_l0``.

    Raises
    ------
    ValueError
        If a key is missing or unknown, or the shapes do not fit together.
    TypeError
        If ``sd`` is not a mapping or a value is not a real array.
    """
    check_keys(sd, "sd", required_keys=TORCH_RNN_KEYS, allowed_keys=TORCH_RNN_KEYS)
    W = square_matrix(f"sd[{W_NAME!r}]", sd[W_NAME])
    n_h = W.shape[0]
    U = as_float_array(f"sd[{U_NAME!r}]", sd[U_NAME], shape=(n_h, "n_in"))
    b_ih = as_float_array(f"sd[{B_IH_NAME!r}]", sd[B_IH_NAME], shape=(n_h,))
    b_hh = as_float_array(f"sd[{B_HH_NAME!r}]", sd[B_HH_NAME], shape=(n_h,))
    return U, W, b_ih + b_hh


def parameters_to_torch(U: ArrayLike, W: ArrayLike, b: ArrayLike) -> dict[str, FloatArray]:
    """Return a ``torch.nn.RNN`` state dict for (U, W, b): b goes to ``bias_ih_l0``, 0 to
    ``bias_hh_l0`` (torch only uses their sum).  Arrays are copies.

    Raises
    ------
    ValueError, TypeError
        If the arrays are not finite real arrays of fitting shapes.
    """
    u, w, bias = _checked(U, W, b)
    return {
        U_NAME: u.copy(),
        W_NAME: w.copy(),
        B_IH_NAME: bias.copy(),
        B_HH_NAME: np.zeros_like(bias),
    }


def gradients_to_torch(dU: ArrayLike, dW: ArrayLike, db: ArrayLike) -> dict[str, FloatArray]:
    """Return gradients (∂L/∂U, ∂L/∂W, ∂L/∂b) under torch's names.

    ∂z_t/∂b_ih = ∂z_t/∂b_hh = ∂z_t/∂b = I, so both torch biases get ∂L/∂b.  Arrays are copies.

    Raises
    ------
    ValueError, TypeError
        If the arrays are not finite real arrays of fitting shapes.
    """
    u, w, bias = _checked(dU, dW, db)
    return {U_NAME: u.copy(), W_NAME: w.copy(), B_IH_NAME: bias.copy(), B_HH_NAME: bias.copy()}


def _checked(U: ArrayLike, W: ArrayLike, b: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    w = square_matrix("W", W)
    n_h = w.shape[0]
    return as_float_array("U", U, shape=(n_h, "n_in")), w, as_float_array("b", b, shape=(n_h,))
