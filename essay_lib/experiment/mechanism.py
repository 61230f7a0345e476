"""Chapter 06's tests of the mechanism: sweeps in which sub-network additivity could be shown
*not* to be needed (DESIGN.md §3b).

Each is chapter 05's experiment (:func:`~essay_lib.experiment.essay.essay_experiment`: the
same tasks, data, training and seeds) with one thing changed, trained in the batched engine
and cached like it.  Read together with chapter 05's own networks (the unregularized ones,
dropout, the L2 penalty and plain training stopped early), they answer "does this reproduce
dropout's effect on Z̄ at the same fit?":

* :func:`variant_experiment`: two hidden layers, four kinds of dropout at
  :data:`MECHANISM_RATES` (:data:`VARIANTS`): Gaussian dropout (the same mean and variance,
  no unit removed), dropout's explicit penalty trained deterministically, dropout on the
  first hidden layer only, on the last only;
* :func:`one_layer_experiment`: **one** hidden layer (64 units), where Z_mask = 0 for every
  network by construction: the unregularized network, dropout at :data:`MECHANISM_RATES`,
  and its own early-stopping path (the reference at the same fit).

Both are measured with ``MeasureSpec(scope="mechanism")``: the losses, Z̄, and the
sub-network measures (Z_mask at keep probability 0.5 and at the network's own, the Monte
Carlo gap).  ``tasks`` restricts them to the tasks where they can be read (chapter 04's
validity), so that nothing is trained that no verdict reads.  :func:`penalty_checks` checks
the explicit penalty against Monte Carlo over masks on trained networks.
"""

from __future__ import annotations

from collections.abc import Sequence

from essay_lib.data import load_task
from essay_lib.experiment.essay import ESSAY_SEEDS, essay_experiment
from essay_lib.experiment.spec import ExperimentSpec
from essay_lib.experiment.sweeps import sweep_models
from essay_lib.measures import dropout_checks
from essay_lib.util.checks import check_choices

__all__ = ["MECHANISM_RATES", "ONE_LAYER", "VARIANTS", "one_layer_experiment",
           "penalty_checks", "variant_experiment"]

#: Drop rates of the mechanism's sweeps (PyTorch's p): three of chapter 05's seven, from the
#: weakest to the strongest, so that each path spans chapter 05's range of fit
MECHANISM_RATES = (0.1, 0.4, 0.7)
#: The two-hidden-layer variants of dropout (grid keys of :mod:`essay_lib.experiment.spec`)
VARIANTS = ("gaussian_dropout", "dropout_penalty", "dropout_first", "dropout_last")
#: Z_mask draws per variant network: the variants are read for Z̄, their Z_mask only in a
#: descriptive table (chapter 05's networks take 500)
VARIANT_MASK_DRAWS = 250
#: The hidden layer of the one-hidden-layer networks (one of chapter 05's two)
ONE_LAYER = (64,)


def _tasks(tasks) -> tuple[str, ...] | None:
    if tasks is None:
        return None
    names = essay_experiment(ESSAY_SEEDS[:1]).tasks
    return tuple(check_choices("tasks", tasks, names))


def _chapter05(seeds, tasks):
    base = essay_experiment(tuple(seeds))
    chosen = _tasks(tasks)
    return [s for s in base if chosen is None or s.task in chosen]


def variant_experiment(seeds: Sequence[int] = ESSAY_SEEDS, *,
                       tasks: Sequence[str] | None = None) -> ExperimentSpec:
    """Chapter 05's experiment with the grid :data:`VARIANTS` × :data:`MECHANISM_RATES`
    (two hidden layers; nothing else changed), on ``tasks`` (default: all four)."""
    sweeps = _chapter05(seeds, tasks)
    return ExperimentSpec(tuple(
        s.replace(grid=dict.fromkeys(VARIANTS, MECHANISM_RATES), scope="mechanism",
                  mask_draws=VARIANT_MASK_DRAWS)
        for s in sweeps))


def one_layer_experiment(seeds: Sequence[int] = ESSAY_SEEDS, *,
                         tasks: Sequence[str] | None = None) -> ExperimentSpec:
    """Chapter 05's experiment with one hidden layer (:data:`ONE_LAYER`): the unregularized
    network, dropout at :data:`MECHANISM_RATES` and early stopping (chapter 05's epochs),
    on ``tasks`` (default: all four)."""
    sweeps = _chapter05(seeds, tasks)
    return ExperimentSpec(tuple(
        s.replace(hidden=ONE_LAYER, scope="mechanism",
                  grid={"none": (0.0,), "dropout": MECHANISM_RATES,
                        "early_stop": s.grid_dict["early_stop"]})
        for s in sweeps))


def penalty_checks(experiment_spec: ExperimentSpec, tasks: Sequence[str], *,
                   drop_rate: float = 0.4, n_masks: int = 4000, seed: int = 0,
                   cache_dir=None) -> dict[str, dict[str, float]]:
    """Dropout's explicit penalty against Monte Carlo over masks
    (:func:`~essay_lib.measures.dropout_checks.penalty_check`), per task of ``tasks``: on the
    first seed's network of ``experiment_spec`` trained with the penalty at ``drop_rate``
    (from the sweep cache), on the task's training data, ``n_masks`` masks."""
    out = {}
    for task in check_choices("tasks", tasks, experiment_spec.tasks):
        spec = experiment_spec[task]
        spec = spec.replace(grid={"dropout_penalty": [drop_rate]}, seeds=spec.seeds[:1])
        net = next(iter(sweep_models(spec, cache_dir=cache_dir).values()))
        loaded = load_task(task, **spec.task_kwargs)
        out[task] = dropout_checks.penalty_check(net, loaded.X_train, loaded.y_train,
                                                 drop_rate, kind=loaded.kind,
                                                 n_masks=n_masks, seed=seed)
    return out
