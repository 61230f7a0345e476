"""The experiment floor: the frozen spec of a sweep, training, measuring, the cache.

Every loop over configurations, grids and seeds lives here; the networks, their training
and the measures are the floors below.

* :mod:`~essay_lib.experiment.spec`: :class:`SweepSpec`, :class:`MeasureSpec`,
  :class:`ExperimentSpec`;
* :mod:`~essay_lib.experiment.essay`: :func:`essay_experiment` (chapter 05's settings)
  and :func:`replication_experiment` (its replication on fresh seeds);
* :mod:`~essay_lib.experiment.sweeps`: :func:`run_sweep`, :func:`run_experiment`,
  :func:`sweep_models`;
* :mod:`~essay_lib.experiment.train`: the sweep's networks in the batched engine;
* :mod:`~essay_lib.experiment.metrics`: what is measured on every network (``METRICS``);
* :mod:`~essay_lib.experiment.references`: Z̄ of the true function, untrained networks and a
  kernel ridge fit (:func:`reference_values`);
* :mod:`~essay_lib.experiment.validity`: chapter 04's validity table and positive control;
* :mod:`~essay_lib.experiment.cache`: plain JSON/NPZ entries keyed by spec and code;
* :mod:`~essay_lib.experiment.remeasure`: a sweep's trained networks measured again under
  other settings, as records (chapters 01 and 06);
* :mod:`~essay_lib.experiment.configurations`: chapter 00's named MLP sizes over seeds, one
  plain training run each (:func:`~essay_lib.experiment.configurations.train_configurations`);
* :mod:`~essay_lib.experiment.mechanism`: chapter 06's tests of the mechanism (dropout's
  variants, one hidden layer), sweeps read beside chapter 05's;
* :mod:`~essay_lib.experiment.beyond`: chapter 07's variants around the base
  configuration (:func:`beyond_variants`, :func:`run_variants`).
"""

from essay_lib.experiment import (
    beyond,
    cache,
    configurations,
    essay,
    mechanism,
    metrics,
    references,
    remeasure,
    spec,
    sweeps,
    train,
    validity,
)
from essay_lib.experiment.beyond import Variant, beyond_variants, run_variants
from essay_lib.experiment.cache import CacheWarning, SweepCache
from essay_lib.experiment.essay import (
    REPLICATION_SEEDS,
    VERDICT_REGULARIZERS,
    essay_experiment,
    replication_experiment,
)
from essay_lib.experiment.metrics import METRICS, VERDICT_METRICS
from essay_lib.experiment.references import reference_values
from essay_lib.experiment.spec import REGULARIZERS, ExperimentSpec, MeasureSpec, SweepSpec
from essay_lib.experiment.sweeps import run_experiment, run_sweep, sweep_models

__all__ = ["METRICS", "REGULARIZERS", "REPLICATION_SEEDS", "VERDICT_METRICS",
           "VERDICT_REGULARIZERS", "CacheWarning", "ExperimentSpec", "MeasureSpec",
           "SweepCache", "SweepSpec", "Variant", "beyond", "beyond_variants", "cache",
           "configurations", "essay", "essay_experiment", "mechanism", "metrics",
           "reference_values", "references", "remeasure", "replication_experiment",
           "run_experiment", "run_sweep", "run_variants", "spec", "sweep_models", "sweeps",
           "train", "validity"]
