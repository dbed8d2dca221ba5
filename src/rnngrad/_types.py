"""The array types of rnngrad's signatures, defined once."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

#: A real array of either precision the library computes in (float32 or float64).
FloatArray = NDArray[np.floating[Any]]

#: Gradients by name: "U", "W", "b", … and "x", "h0" (what ``backward`` returns).
Gradients = dict[str, FloatArray]
