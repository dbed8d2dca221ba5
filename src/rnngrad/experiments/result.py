"""The outcome of a training run: its history and its trained parameters."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from .._types import FloatArray
from ..train import History, Model
from .config import ExperimentConfig


@dataclass(frozen=True, eq=False)
class ExperimentResult:
    """The outcome of one :class:`ExperimentConfig`.

    Attributes
    ----------
    config : ExperimentConfig
        What was run.
    history : History
        The training history (see :class:`~rnngrad.train.History`).
    parameters : dict of str to ndarray
        The trained model's parameters (:meth:`model` rebuilds the model).
    success : bool
        Whether the task counted as solved on the held-out set.
    final_metric : float
        The task metric at the last evaluation (MSE for adding, accuracy for agreement).
    seconds : float
        The wall time of the computation; the only field that differs between two runs of
        one configuration (and a cached result keeps the time of the run that stored it).
    """

    config: ExperimentConfig
    history: History
    parameters: dict[str, FloatArray]
    success: bool
    final_metric: float
    seconds: float

    def model(self) -> Model:
        """Return the trained model."""
        trained: dict[str, Any] = self.parameters  # every model takes its own parameter names
        return dataclasses.replace(self.config.initial_model(), **trained)
