"""Tests for essay_lib.report.penalty_sweep: records of a penalty sweep as (penalty, lambda,
seed) arrays (also of weights measured again at another threshold), the grid-search table;
and that chapter 01's sweep through the experiment floor gives the same networks as training
them directly on the chapter's own validation split."""

from __future__ import annotations

import random

import numpy as np
import pytest

from essay_lib import data, experiment
from essay_lib.experiment.remeasure import weight_records
from essay_lib.nets import ensemble, regularization
from essay_lib.report import penalty_sweep
from essay_lib.report.penalty_sweep import PenaltySweep, penalty_arrays

STRENGTHS = (1e-3, 1e-2, 1e-1)
SEEDS = (3, 4)


def code(regularizer, j, seed) -> float:
    """A value that names its network: 100 (L1) / 200 (L2) / 0 (none) + 10 j + seed."""
    return {"none": 0, "l1": 100, "l2": 200}[regularizer] + 10 * j + seed


def synthetic(*, none=True, extra=()):
    records = [{"regularizer": pen, "strength": lam, "seed": seed,
                "metric": code(pen, j, seed), "other": -code(pen, j, seed)}
               for pen in ("l1", "l2") for j, lam in enumerate(STRENGTHS) for seed in SEEDS]
    if none:
        records += [{"regularizer": "none", "strength": 0.0, "seed": seed,
                     "metric": code("none", 0, seed), "other": 0.5} for seed in SEEDS]
    return records + list(extra)


def test_arrays_are_indexed_penalty_strength_seed():
    sweep = penalty_arrays(synthetic(), metrics=("metric", "other"))
    assert sweep.penalties == ("l1", "l2") and sweep.seeds == SEEDS
    np.testing.assert_array_equal(sweep.strengths, STRENGTHS)
    assert sweep["metric"].shape == (2, 3, 2)
    for i, pen in enumerate(("l1", "l2")):
        for j in range(3):
            for k, seed in enumerate(SEEDS):
                assert sweep["metric"][i, j, k] == code(pen, j, seed)
                assert sweep["other"][i, j, k] == -code(pen, j, seed)
    np.testing.assert_array_equal(sweep.baseline["metric"], [3.0, 4.0])
    np.testing.assert_array_equal(sweep.mean("metric")[1], [203.5, 213.5, 223.5])


def test_record_order_and_other_regularizers_do_not_matter():
    records = synthetic(extra=[{"regularizer": "dropout", "strength": 0.5, "seed": 9,
                                "metric": 1.0, "other": 1.0}])
    shuffled = list(records)
    random.Random(0).shuffle(shuffled)
    a = penalty_arrays(records, metrics=("metric",))
    b = penalty_arrays(shuffled, metrics=("metric",))
    np.testing.assert_array_equal(a["metric"], b["metric"])
    np.testing.assert_array_equal(a.baseline["metric"], b.baseline["metric"])


def test_one_penalty_and_no_baseline():
    sweep = penalty_arrays(synthetic(none=False), metrics=("metric",), penalties=("l2",))
    assert sweep.penalties == ("l2",) and sweep["metric"].shape == (1, 3, 2)
    assert sweep["metric"][0, 2, 1] == code("l2", 2, 4)
    assert sweep.baseline == {}


def test_indices_and_the_grid_search():
    sweep = penalty_arrays(synthetic(), metrics=("metric",))
    assert sweep.penalty_index("l2") == 1
    assert sweep.strength_index(0.011) == 1 and sweep.strength_index(1.0) == 2
    assert sweep.best_index("l1", "metric") == 0
    records = synthetic()
    for r in records:  # a validation curve with its minimum at the middle coefficient
        if r["regularizer"] != "none":
            r["metric"] = abs(r["strength"] - 1e-2)
    assert penalty_arrays(records, metrics=("metric",)).best_index("l2", "metric") == 1


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="records"):
        penalty_arrays({"regularizer": "l1"})
    with pytest.raises(ValueError, match="'seed'"):
        penalty_arrays([{"regularizer": "l1", "strength": 1.0}])
    with pytest.raises(ValueError, match="penalties"):
        penalty_arrays(synthetic(), metrics=("metric",), penalties=("dropout",))
    with pytest.raises(ValueError, match="twice"):
        penalty_arrays(synthetic() + synthetic()[:1], metrics=("metric",))
    with pytest.raises(ValueError, match="lack network"):
        penalty_arrays(synthetic()[1:], metrics=("metric",))
    with pytest.raises(ValueError, match="same"):
        penalty_arrays([r for r in synthetic() if not (r["regularizer"] == "l2"
                                                       and r["strength"] == 0.1)],
                       metrics=("metric",))
    with pytest.raises(ValueError, match="'missing'"):
        penalty_arrays(synthetic(), metrics=("missing",))
    records = synthetic()
    records[0]["metric"] = None
    with pytest.raises(ValueError, match="'metric'"):
        penalty_arrays(records, metrics=("metric",))
    sweep = penalty_arrays(synthetic(), metrics=("metric",))
    with pytest.raises(ValueError, match="metric"):
        sweep["other"]
    with pytest.raises(ValueError, match="penalty"):
        sweep.penalty_index("l3")
    with pytest.raises(ValueError, match="strength"):
        sweep.strength_index(-1.0)


def test_grid_search_table():
    records = synthetic()
    for r in records:
        r.update(validation_loss=1.0 if r["strength"] != 1e-2 else 0.5, test_loss=0.25,
                 weight_sparsity=0.125, weight_norm=2.0)
    sweep = penalty_arrays(records, metrics=("validation_loss", "test_loss", "weight_sparsity",
                                             "weight_norm"))
    assert penalty_sweep.grid_search_table(sweep).splitlines() == [
        "| penalty | chosen $\\lambda$ | validation loss | test loss | near-zero share | "
        "weight norm |",
        "|---|---|---|---|---|---|",
        "| none | 0 | 1.000 | 0.250 | 0.125 | 2.00 |",
        "| L1 | 1e-02 | 0.500 | 0.250 | 0.125 | 2.00 |",
        "| L2 | 1e-02 | 0.500 | 0.250 | 0.125 | 2.00 |"]
    with pytest.raises(ValueError, match="test_loss"):
        penalty_sweep.grid_search_table(penalty_arrays(records, metrics=("validation_loss",)))
    with pytest.raises(TypeError, match="PenaltySweep"):
        penalty_sweep.grid_search_table(records)


def test_the_cached_sweep_equals_direct_training_on_the_chapter_split(tmp_path,
                                                                      single_torch_thread):
    """Chapter 01 moved from ``ensemble.train_ensemble`` on ``train_validation_split`` to
    ``experiment.run_sweep`` on ``load_task(..., validation_fraction=...)``: same networks."""
    lams = [1e-3, 1e-2]
    spec = experiment.SweepSpec(task="diabetes", task_args={"seed": 0,
                                                            "validation_fraction": 0.25},
                                hidden=(8,), epochs=15, lr=1e-2, seeds=(0, 1),
                                grid={"none": [0.0], "l1": lams, "l2": lams},
                                measures=experiment.MeasureSpec(z_triples=10))
    sweep = penalty_arrays(experiment.run_sweep(spec, cache_dir=tmp_path, progress=False))
    nets = experiment.sweep_models(spec, cache_dir=tmp_path, progress=False)
    task = data.diabetes_task(seed=0)
    X_fit, y_fit, X_val, y_val = data.train_validation_split(
        task.X_train, task.y_train, validation_fraction=0.25, seed=0)
    keys = spec.members()
    direct = ensemble.train_ensemble(
        (10, 8, 1), [ensemble.Member(seed=s, lr=1e-2, **({} if r == "none" else {r: lam}))
                     for r, lam, s in keys], X_fit, y_fit, kind="regression", epochs=15,
        progress=False)
    for k, key in enumerate(keys):
        mine, theirs = regularization.flat_weights(nets[key]), regularization.flat_weights(
            direct.model.member(k))
        np.testing.assert_array_equal(mine, theirs)
    again = penalty_arrays(weight_records(nets, threshold=1e-3), metrics=("weight_sparsity",))
    np.testing.assert_array_equal(again["weight_sparsity"], sweep["weight_sparsity"])
    assert isinstance(sweep, PenaltySweep) and sweep["validation_loss"].shape == (2, 2, 2)
