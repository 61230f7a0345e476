"""The experiment floor: the frozen spec of a sweep, training, measuring, the cache.

* :mod:`~essay_lib.experiment.spec`: :class:`SweepSpec`, :class:`MeasureSpec`,
  :class:`ExperimentSpec`, :func:`essay_experiment` (chapter 04's settings);
* :mod:`~essay_lib.experiment.sweeps`: :func:`run_sweep`, :func:`run_experiment`,
  :func:`sweep_models`;
* :mod:`~essay_lib.experiment.train`: the sweep's networks in the batched engine;
* :mod:`~essay_lib.experiment.metrics`: what is measured on every network (``METRICS``);
* :mod:`~essay_lib.experiment.references`: Z̄ of the true function, untrained networks and a
  kernel ridge fit (:func:`reference_values`);
* :mod:`~essay_lib.experiment.cache`: plain JSON/NPZ entries keyed by spec and code;
* :mod:`~essay_lib.experiment.variants`: chapter 06's variants around the base
  configuration (:func:`beyond_variants`, :func:`run_variants`).
"""

from essay_lib.experiment import cache, metrics, references, spec, sweeps, train, variants
from essay_lib.experiment.cache import CacheWarning, SweepCache
from essay_lib.experiment.metrics import METRICS
from essay_lib.experiment.references import reference_values
from essay_lib.experiment.spec import (
    REGULARIZERS,
    REPLICATION_SEEDS,
    ExperimentSpec,
    MeasureSpec,
    SweepSpec,
    essay_experiment,
)
from essay_lib.experiment.sweeps import run_experiment, run_sweep, sweep_models
from essay_lib.experiment.variants import Variant, beyond_variants, run_variants

__all__ = ["METRICS", "REGULARIZERS", "REPLICATION_SEEDS", "CacheWarning", "ExperimentSpec",
           "MeasureSpec", "SweepCache", "SweepSpec", "cache", "essay_experiment", "metrics",
           "reference_values", "references", "run_experiment", "run_sweep", "spec",
           "sweep_models", "sweeps", "train", "Variant", "beyond_variants", "run_variants",
           "variants"]
