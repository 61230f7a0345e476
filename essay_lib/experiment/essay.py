"""The essay's own experiments: chapter 05's sweeps and their replication.

:func:`essay_experiment` is the experiment chapters 04 (validity), 05 (the answer), 06
(the mechanism) and 08 read; :func:`replication_experiment` trains it again on fresh
network seeds *and* a fresh draw of the data (:data:`REPLICATION_SEEDS`,
``data_seed=1``), measured with ``MeasureSpec(scope="verdict")`` (what the answer reads).
"""

from __future__ import annotations

from essay_lib.experiment.spec import ExperimentSpec, MeasureSpec, SweepSpec
from essay_lib.util.checks import check_seed

#: The experiment's grid; drop rates follow PyTorch (the probability of dropping a unit).
#: Each task adds ``early_stop``: its unregularized network trained for 1/2, 1/4, 1/8 and
#: 1/16 of the epochs (:func:`early_stop_epochs`).
ESSAY_GRID = {"none": (0.0,), "dropout": (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7),
              "l1": (1e-5, 1e-4, 1e-3, 1e-2), "l2": (1e-5, 1e-4, 1e-3, 1e-2),
              "mixup": (0.1, 0.4, 1.0, 2.0)}
#: 16 network seeds: with fewer, an exact sign-flip test cannot reach the family's level
#: (the smallest two-sided p of n seeds is 2 / 2**n; the answer reads a family of 20 tests)
ESSAY_SEEDS = tuple(range(16))

#: Seeds of the replication: fresh networks (and, with ``data_seed=1``, fresh data).
REPLICATION_SEEDS = tuple(range(16, 32))

#: Adam's learning rate of every network of the experiment, and the weight size below which a
#: weight counts as zero (a weight L1 pins at zero jitters by about one Adam step)
ESSAY_LR = 1e-2

#: The series the answer reads (:mod:`essay_lib.report.answer`): every one of the grid.
VERDICT_REGULARIZERS = ("none", "dropout", "l1", "l2", "mixup", "early_stop")


#: The early-stopping path: the unregularized network trained for 1/2, 1/4, 1/8 and 1/16
#: of the sweep's epochs (the denominators).
EARLY_STOP_SHARES = (2, 4, 8, 16)


def early_stop_epochs(epochs: int) -> tuple[float, ...]:
    """The early-stopping path of a sweep of ``epochs``: 1/2, 1/4, 1/8, 1/16 of them
    (:data:`EARLY_STOP_SHARES`), rounded, at least 1."""
    return tuple(dict.fromkeys(float(max(1, round(epochs / k))) for k in EARLY_STOP_SHARES))


def essay_experiment(seeds=ESSAY_SEEDS, *, data_seed: int = 0) -> ExperimentSpec:
    """The experiment: four tasks, a 2 × 64 ReLU MLP, full-batch Adam, 16 seeds.

    ``seeds``: the network seeds (default 0-15); ``data_seed``: the draw of the data
    (the quadratic's and the moons' samples, the train/test split of diabetes and digits)
    and of the validation half.  Each task's held-out rows are split in half
    (``validation_source="test"``): one half is kept apart as validation data, the other
    is where every measure is taken, so the training data are the task's whole training
    split.  Digits' L1 grid stops at 1e-3 (at 1e-2 every member collapses to a constant)
    and digits trains on 30% of the images (539) so that the oversized net overfits.
    Epochs: each unregularized net has reached its overfit plateau (train loss near 0,
    test loss flat or rising; chapter 05 shows the curves).  Weight sparsity counts a weight
    as zero when |w| is below the learning rate (:data:`ESSAY_LR`): chapter 01's argument,
    Adam leaves a weight that L1 pins at zero jittering by about one step, the learning rate
    (at 1e-3, ten times below it, the L1 networks' sparsity fell at the strongest L1).
    """
    data_seed = check_seed("data_seed", data_seed)
    held_out = {"validation_fraction": 0.5, "validation_source": "test"}
    if data_seed:
        held_out["seed"] = data_seed
    base = dict(seeds=tuple(seeds), hidden=(64, 64), lr=ESSAY_LR,
                measures=MeasureSpec(sparsity_threshold=ESSAY_LR))
    epochs = {"quadratic": 1500, "moons": 300, "diabetes": 200, "digits": 100}
    grids = {t: {**ESSAY_GRID, "early_stop": early_stop_epochs(e)} for t, e in epochs.items()}
    grids["digits"]["l1"] = (1e-5, 1e-4, 3e-4, 1e-3)
    extra = {"digits": {"test_fraction": 0.7}}
    return ExperimentSpec(tuple(
        SweepSpec(task, epochs=e, grid=grids[task],
                  task_args={**extra.get(task, {}), **held_out}, **base)
        for task, e in epochs.items()))


def replication_experiment(seeds=REPLICATION_SEEDS, *, data_seed: int = 1) -> ExperimentSpec:
    """:func:`essay_experiment` on fresh network ``seeds`` (default 16-31) and a fresh
    draw of the data (``data_seed``), measured with ``scope="verdict"`` (losses, R² or
    accuracy and the main specification's Z̄; every other metric ``None``)."""
    return ExperimentSpec(tuple(
        sweep.replace(grid={k: v for k, v in sweep.grid_dict.items()
                            if k in VERDICT_REGULARIZERS}, scope="verdict")
        for sweep in essay_experiment(seeds, data_seed=data_seed)))
