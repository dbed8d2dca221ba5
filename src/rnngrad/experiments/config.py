"""The configuration of a training run: what it depends on, checked and made canonical."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass

import numpy as np

from .._validate import check_choice, check_fraction, check_int, check_real
from ..optim import SGD, Adam, Optimizer
from ..tasks import AddingProblem, AgreementTask, Task
from ..train import Model
from .models import INITS, MODELS, make_model

# Documented where the package exports them (__init__.py).
TASKS = ("adding", "adding-hochreiter", "agreement")
OPTIMIZERS = ("adam", "sgd")
DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class ExperimentConfig:
    """Everything a training run depends on; frozen and hashable.

    Parameters
    ----------
    task : {"adding", "adding-hochreiter", "agreement"}
        The adding problem (Le et al. variant), its Hochreiter–Schmidhuber variant, or the
        agreement task (see :mod:`rnngrad.tasks`).
    lag : int
        Adding: the sequence length T.  Agreement: the clause length L (the subject is
        L + 1 steps before the answer).
    model : {"rnn", "irnn", "lstm", "gru"}
        See :func:`make_model`.
    init : str, optional
        The recurrent initialisation; None is replaced by the model's default.
    n_h : int
        State size.
    optimizer : {"adam", "sgd"}
        Adam (β = 0.9, 0.999) or SGD with momentum ``momentum``.
    lr : float
        Learning rate.
    momentum : float
        Momentum of SGD, in [0, 1) (ignored by Adam).
    clip : float or None
        Threshold of gradient-norm clipping; None: none.
    batch : int
        Minibatch size.
    steps : int
        The largest number of training steps (training stops early when solved).
    eval_every : int
        Steps between evaluations on the held-out set.
    eval_batch : int
        Size of the held-out set.
    seed : int
        Seeds the initialisation and the data.
    radius : float
        Spectral radius for ``init="scaled"``.
    gate_bias : float
        The initial bias of the LSTM's forget gate or the GRU's update gate (see
        :func:`make_model`).
    dtype : {"float32", "float64"}
        The precision of the model and of its training (the data are cast to it).

    Raises
    ------
    ValueError, TypeError
        If a field is out of range or names something unknown.
    """

    task: str = "adding"
    lag: int = 10
    model: str = "rnn"
    init: str | None = None
    n_h: int = 32
    optimizer: str = "adam"
    lr: float = 1e-2
    momentum: float = 0.9
    clip: float | None = 1.0
    batch: int = 32
    steps: int = 2000
    eval_every: int = 50
    eval_batch: int = 256
    seed: int = 0
    radius: float = 1.0
    gate_bias: float = 1.0
    dtype: str = "float32"

    def __post_init__(self) -> None:
        check_choice("task", self.task, TASKS)
        check_choice("model", self.model, MODELS)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        init = INITS[self.model][0] if self.init is None else self.init
        # Canonical values, so that equal settings give equal configs (and cache keys).
        values: dict[str, object] = {
            "init": check_choice(f"init of model {self.model!r}", init, INITS[self.model]),
            "n_h": check_int("n_h", self.n_h, minimum=1),
            "lr": check_real("lr", self.lr, positive=True),
            "momentum": check_fraction("momentum", self.momentum),
            "clip": None if self.clip is None else check_real("clip", self.clip, positive=True),
            "batch": check_int("batch", self.batch, minimum=1),
            "steps": check_int("steps", self.steps, minimum=1),
            "eval_every": check_int("eval_every", self.eval_every, minimum=1),
            "eval_batch": check_int("eval_batch", self.eval_batch, minimum=4),
            "seed": check_int("seed", self.seed, minimum=0),
            "radius": check_real("radius", self.radius, positive=True),
            "gate_bias": check_real("gate_bias", self.gate_bias),
            "dtype": check_choice("dtype", self.dtype, DTYPES),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "lag", check_int("lag", self.lag, minimum=1))
        try:
            self.make_task()  # the task checks the lag against its own minimum
        except ValueError as exc:  # which names the task's argument, not this field
            raise ValueError(f"lag too short for task {self.task!r}: {exc}") from None

    def initial_model(self) -> Model:
        """Return the model as it is before training (the same for every run of this config)."""
        task = self.make_task()
        return make_model(
            self.model, task.n_in, self.n_h, task.n_out, head=task.head, init=self.init,
            radius=self.radius, gate_bias=self.gate_bias, dtype=self.dtype,
            rng=np.random.default_rng(seed_sequences(self.seed)[0]),
        )  # fmt: skip

    def make_task(self) -> Task:
        """Return the task this configuration trains on."""
        if self.task == "agreement":
            return AgreementTask(self.lag)
        return AddingProblem(self.lag, "le" if self.task == "adding" else "hochreiter")

    def make_optimizer(self) -> Optimizer:
        """Return a fresh optimiser as configured."""
        if self.optimizer == "sgd":
            return SGD(self.lr, momentum=self.momentum)
        return Adam(self.lr)

    def key(self) -> str:
        """Return a hex digest of every field: equal configurations, equal keys."""
        text = json.dumps(dataclasses.asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def check_config(config: object) -> ExperimentConfig:
    """Return ``config`` if it is an :class:`ExperimentConfig`, else raise ``TypeError``."""
    if not isinstance(config, ExperimentConfig):
        raise TypeError(f"config must be an ExperimentConfig, got {type(config).__name__}")
    return config


def seed_sequences(seed: int) -> list[np.random.SeedSequence]:
    """Independent seeds for the initialisation and for the data of one run."""
    return np.random.SeedSequence(seed).spawn(2)
