"""The essay's own experiments: chapter 05's sweeps and their replication on fresh seeds.

:func:`essay_experiment` is the experiment every verdict of chapters 05, 06 and 08
reads; :func:`replication_experiment` trains it again on :data:`REPLICATION_SEEDS`,
keeping only what the verdict's rules read (the series of :data:`VERDICT_REGULARIZERS`,
measured with ``MeasureSpec(scope="verdict")``).
"""

from __future__ import annotations

from essay_lib.experiment.spec import ExperimentSpec, SweepSpec

#: Chapter 05's grid; drop rates follow PyTorch (the probability of dropping a unit).
ESSAY_GRID = {"none": (0.0,), "dropout": (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7),
              "l1": (1e-5, 1e-4, 1e-3, 1e-2), "l2": (1e-5, 1e-4, 1e-3, 1e-2),
              "mixup": (0.1, 0.4, 1.0, 2.0)}
ESSAY_SEEDS = tuple(range(8))


#: Seeds of the replication: fresh networks, the same experiment otherwise.
REPLICATION_SEEDS = tuple(range(8, 16))

#: The series a task's verdict reads (:func:`essay_lib.report.verdict.task_verdicts`):
#: the unregularized networks, dropout, the L2 penalty it is compared with at matched
#: fit, and mixup, the positive control.  L1 enters chapter 05's tables, not the verdict.
VERDICT_REGULARIZERS = ("none", "dropout", "l2", "mixup")


def essay_experiment(seeds=ESSAY_SEEDS) -> ExperimentSpec:
    """Chapter 05's experiment: four tasks, a 2 × 64 ReLU MLP, full-batch Adam, 8 seeds.

    ``seeds``: the network seeds (default 0-7).  Each task's held-out rows are split in
    half (``validation_source="test"``): one half chooses each regularizer's strength
    (validation loss), the other is where every measure is taken, so the training data
    are the task's whole training split.  Digits' L1 grid stops at 1e-3 (at 1e-2 every
    member collapses to a constant) and digits trains on 30% of the images (539) so that
    the oversized net overfits.  Epochs: each unregularized net has reached its overfit
    plateau (train loss near 0, test loss flat or rising; chapter 05 shows the curves)
    while the whole experiment stays near a minute.
    """
    held_out = {"validation_fraction": 0.5, "validation_source": "test"}
    base = dict(grid=ESSAY_GRID, seeds=tuple(seeds), hidden=(64, 64), lr=1e-2)
    digits_grid = {**ESSAY_GRID, "l1": (1e-5, 1e-4, 3e-4, 1e-3)}
    return ExperimentSpec((
        SweepSpec("quadratic", epochs=1500, task_args=held_out, **base),
        SweepSpec("moons", epochs=300, task_args=held_out, **base),
        SweepSpec("diabetes", epochs=200, task_args=held_out, **base),
        SweepSpec("digits", epochs=100, task_args={"test_fraction": 0.7, **held_out},
                  **{**base, "grid": digits_grid}),
    ))


def replication_experiment(seeds=REPLICATION_SEEDS) -> ExperimentSpec:
    """:func:`essay_experiment` on fresh network ``seeds`` (default 8-15), cut to what a
    verdict reads: the grid's :data:`VERDICT_REGULARIZERS` series (no L1) at the same
    strengths, measured with ``scope="verdict"`` (losses, R² or accuracy and the main
    specification's Z̄; every other metric ``None``).  Every network trained here is the
    network :func:`essay_experiment` would train for the same seed and grid point."""
    return ExperimentSpec(tuple(
        sweep.replace(grid={k: v for k, v in sweep.grid_dict.items()
                            if k in VERDICT_REGULARIZERS}, scope="verdict")
        for sweep in essay_experiment(seeds)))
