"""Training experiments as frozen configurations, run once and cached on disk.

An :class:`ExperimentConfig` names everything a training run depends on -- task and lag,
model and initialisation, optimiser, clipping, sizes, seed -- and :func:`run` turns it into
an :class:`ExperimentResult`.  The same configuration gives the same result bit for bit, so
a result can be stored and served again: the English and the Russian build of the book
compute each experiment once.

**The cache.**  A result is stored in ``<cache_dir>/<library key>/<config key>.rnnexp``.  The
config key hashes every field of the configuration; the library key hashes the source of
this package and of every module of rnngrad it imports (directly or not), and the numpy
version -- so an edit of the training code or of a model recomputes, while an edit of, say,
the plotting code does not.  A file holds a checksum of its contents and the configuration
it was computed for; a file that is truncated, corrupt or for another configuration is
recomputed, never read as a result.  Files are written to a temporary name and renamed
into place (``os.replace``), so a reader never sees half a file; a lock file beside each
result makes a second build that needs the same experiment at the same time wait for it
rather than compute it again (the ``filelock`` package: ``flock`` on POSIX, ``msvcrt`` on
Windows).

The cache directory is the ``cache_dir`` argument or, if that is None, the environment
variable ``RNNGRAD_EXPERIMENT_CACHE``; with neither, nothing is cached.
"""

from . import cache, chapter, config, models
from .cache import cache_path
from .chapter import (
    AGREEMENT_LAGS,
    SEEDS,
    chapter_experiments,
    choose_learning_rate,
    grid_experiments,
    initial_gate,
    variant_of,
)
from .config import ExperimentConfig
from .models import make_model
from .result import ExperimentResult
from .runner import complete, run, run_many
from .summaries import (
    ModelCost,
    SuccessRate,
    clipped_fraction,
    forget_gap,
    gradient_share,
    histories_by_variant,
    longest_solved,
    mean_slope,
    model_costs,
    rates_by_lag,
    rates_by_variant,
    runs_of,
    solved_by_lag,
    solved_steps,
    start_shares,
    success_rates,
    wilson_interval,
)

# The constants are bound here, not imported, because the API reference reads a constant's
# documentation (its #: comment) only in the module it documents.
#: The environment variable that names the cache directory when ``cache_dir`` is None.
CACHE_ENV = cache.CACHE_ENV
#: The models of :func:`make_model`: tanh RNN, IRNN, LSTM, GRU, the LRU block.
MODELS = models.MODELS
#: The tasks of :class:`ExperimentConfig`: adding (Le et al.), adding (Hochreiter and
#: Schmidhuber), agreement.
TASKS = config.TASKS
#: The optimisers of :class:`ExperimentConfig`.
OPTIMIZERS = config.OPTIMIZERS
#: The initialisations of the recurrent weights each model accepts; the first is its default.
INITS: dict[str, tuple[str, ...]] = models.INITS
#: The standard deviation of the input and output weights of the IRNN (Le et al. 2015).
IRNN_WEIGHT_STD = models.IRNN_WEIGHT_STD
#: The LRU block's ring initialisation (r_min, r_max, max_phase) in :func:`make_model`.
LRU_RING = models.LRU_RING
#: The lags of the chapter's experiments: sequence lengths T of the adding problem and
#: clause lengths L of the agreement task.
ADDING_LAGS = chapter.ADDING_LAGS
#: The variants of the chapter's set: name → (the fields that make it, its lags by task).
VARIANTS = chapter.VARIANTS
#: The learning rate of each (variant, task) in the chapter's set, as the grid chose it.
LEARNING_RATES = chapter.LEARNING_RATES

# Not sorted: autodoc lists a module's members in the order of its __all__, and this is
# the order of the API page.
__all__ = [  # noqa: RUF022
    "CACHE_ENV",
    "MODELS",
    "TASKS",
    "OPTIMIZERS",
    "INITS",
    "IRNN_WEIGHT_STD",
    "LRU_RING",
    "make_model",
    "ExperimentConfig",
    "ExperimentResult",
    "cache_path",
    "run",
    "run_many",
    "complete",
    "ADDING_LAGS",
    "AGREEMENT_LAGS",
    "SEEDS",
    "VARIANTS",
    "LEARNING_RATES",
    "grid_experiments",
    "choose_learning_rate",
    "variant_of",
    "initial_gate",
    "chapter_experiments",
    "SuccessRate",
    "wilson_interval",
    "success_rates",
    "runs_of",
    "rates_by_lag",
    "rates_by_variant",
    "solved_steps",
    "gradient_share",
    "histories_by_variant",
    "start_shares",
    "clipped_fraction",
    "ModelCost",
    "model_costs",
    "mean_slope",
    "forget_gap",
    "solved_by_lag",
    "longest_solved",
]
