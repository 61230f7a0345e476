"""The tidy table of records (report.table), the fit frontier and the linearity excess
(report.frontier, DESIGN.md §4), and the frontier figure: hand-built paths whose answer is
known, the old hand-written filtering as a second implementation, and a tiny real sweep."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from essay_lib.report import trends
from essay_lib.report.table import check_table, paths, record_table, task_kind

GRID = {"none": [0.0], "dropout": [0.1, 0.3, 0.5], "l2": [1e-4, 1e-3, 1e-2, 1e-1]}


def make_records(*, task="toy", seeds=range(5), rng_seed=0, grid=GRID):
    """Records whose test loss is U-shaped in strength rank and Z̄ falls with it."""
    rng = np.random.default_rng(rng_seed)
    out = []
    for seed in seeds:
        for reg, strengths in grid.items():
            for rank, strength in enumerate(strengths, start=0 if reg == "none" else 1):
                out.append({
                    "task": task, "regularizer": reg, "strength": strength, "seed": seed,
                    "epochs": 100, "hidden": [8, 8], "key": f"{reg}-{strength}-{seed}",
                    "test_loss": 1.0 + 0.1 * (rank - 2) ** 2 + 0.02 * rng.standard_normal(),
                    "train_loss": 0.5 + 0.1 * rank + 0.01 * rng.standard_normal(),
                    "z_bar": 0.4 - 0.05 * rank + 0.01 * rng.standard_normal(),
                    "test_accuracy": None, "test_r2": 0.8,
                    "z_spec": {"logits|0.5|inside": 0.3 - 0.02 * rank,
                               "logits|0.1|inside": None},
                    "curve": {"epoch": [1, 100], "train_loss": [1.0, 0.5]}})
    return out


# ---------------------------------------------------------------- the tidy table
def test_one_row_per_network_with_numeric_fields_as_float_columns():
    records = make_records()
    records[3]["z_bar"] = None
    table = record_table(records)
    assert len(table) == len(records)
    assert list(table.columns[:5]) == ["task", "regularizer", "strength", "seed", "epoch"]
    assert table["seed"].dtype == np.int64 and table["strength"].dtype == np.float64
    assert table["epoch"].isna().all()  # no record names an epoch
    for column in ("test_loss", "train_loss", "z_bar", "test_accuracy", "test_r2", "epochs",
                   "z_spec:logits|0.5|inside", "z_spec:logits|0.1|inside"):
        assert table[column].dtype == np.float64, column
    assert not {"hidden", "key", "curve", "z_spec"} & set(table.columns)
    assert math.isnan(table["z_bar"].iloc[3]) and table["test_accuracy"].isna().all()
    for i in (0, 7, len(records) - 1):
        r = records[i]
        row = table.iloc[i]
        assert (row["task"], row["regularizer"], row["strength"], row["seed"]) == (
            r["task"], r["regularizer"], r["strength"], r["seed"])
        assert row["test_loss"] == r["test_loss"]
        assert row["z_spec:logits|0.5|inside"] == r["z_spec"]["logits|0.5|inside"]
    assert task_kind(table, "toy") == "regression" and task_kind(table, "other") is None


def test_an_epoch_of_early_stopping_and_absent_fields_read_nan():
    records = make_records(seeds=[0])
    records.append({"task": "toy", "regularizer": "early_stopping", "strength": 20,
                    "seed": 0, "epoch": 20, "test_loss": 1.2, "z_bar": 0.2})
    table = record_table(records)
    assert table["epoch"].iloc[-1] == 20.0 and table["epoch"].iloc[:-1].isna().all()
    assert math.isnan(table["train_loss"].iloc[-1])


@pytest.mark.parametrize("records, error, message", [
    ({"task": "toy"}, TypeError, "records must be a sequence"),
    ([], ValueError, "at least one record"),
    ([{"task": "toy", "regularizer": "none", "strength": 0}], ValueError, "lacks ['seed']"),
    ([{"task": 1, "regularizer": "none", "strength": 0, "seed": 0}], TypeError, "'task'"),
    ([{"task": "t", "regularizer": "none", "strength": "0", "seed": 0}], TypeError,
     "'strength'"),
    ([{"task": "t", "regularizer": "none", "strength": -1, "seed": 0}], ValueError,
     "'strength'"),
    ([{"task": "t", "regularizer": "none", "strength": 0, "seed": True}], TypeError, "'seed'"),
    ([{"task": "t", "regularizer": "none", "strength": 0, "seed": 0, "z_spec": [1]}],
     TypeError, "z_spec"),
    ([{"task": "t", "regularizer": "none", "strength": 0, "seed": 0, "z_spec": {"k": "x"}}],
     TypeError, "z_spec"),
    ([{"task": "t", "regularizer": "none", "strength": 0, "seed": 0, "z_bar": 0.1},
      {"task": "t", "regularizer": "none", "strength": 0, "seed": 1, "z_bar": "0.1"}],
     TypeError, "records[1]['z_bar']"),
])
def test_bad_records_are_named(records, error, message):
    with pytest.raises(error, match=message.replace("[", r"\[").replace("]", r"\]")):
        record_table(records)


@pytest.mark.parametrize("measure", ["z_bar", "z_spec:logits|0.5|inside", "train_loss"])
@pytest.mark.parametrize("regularizer", ["dropout", "l2", "none"])
def test_paths_equal_the_old_series(regularizer, measure):
    records = make_records(seeds=[3, 1, 2])
    records[5]["z_bar"] = None  # left out by both
    records[9]["train_loss"] = None
    by_seed = paths(record_table(records), "toy", regularizer, x="test_loss", y=measure)
    s, v, seeds = trends.series(records, "toy", regularizer, measure)
    assert list(by_seed) == sorted(set(seeds.tolist()))
    for seed, (strength, x, y) in by_seed.items():
        order = np.argsort(s[seeds == seed], kind="stable")
        np.testing.assert_array_equal(strength, s[seeds == seed][order])
        np.testing.assert_array_equal(y, v[seeds == seed][order])
        assert np.all(np.diff(strength) > 0) and strength[0] == 0.0
        expected_x = [r["test_loss"] for r in records if r["seed"] == seed and
                      r["regularizer"] in (regularizer, "none")
                      and trends.value_of(r, measure) == trends.value_of(r, measure)]
        assert sorted(x.tolist()) == sorted(expected_x)


def _early_stopping(records, epochs, seed=0, **extra):
    return records + [{"task": "toy", "regularizer": "early_stopping", "strength": e,
                       "seed": seed, "epoch": e, "test_loss": 2.0 - e / 100,
                       "train_loss": 1.0 - e / 400, "z_bar": e / 400, **extra} for e in epochs]


def test_the_unregularized_network_ends_the_early_stopping_path():
    records = make_records(seeds=[0])
    table = record_table(_early_stopping(records, [10, 30, 60]))
    strength, x, y = paths(table, "toy", "early_stopping")[0]
    np.testing.assert_array_equal(strength, [10, 30, 60, 100])  # none at its 100 epochs
    assert x[-1] == records[0]["test_loss"] and y[-1] == records[0]["z_bar"]
    # an early-stopping row at the last epoch is that network: it stands for it, once
    table = record_table(_early_stopping(records, [10, 100]))
    strength, _, y = paths(table, "toy", "early_stopping")[0]
    np.testing.assert_array_equal(strength, [10, 100])
    assert y[-1] == 100 / 400
    # without the training length the unregularized network still comes last
    plain = [{k: v for k, v in r.items() if k != "epochs"} for r in records]
    strength, _, _ = paths(record_table(_early_stopping(plain, [10])), "toy",
                           "early_stopping")[0]
    np.testing.assert_array_equal(strength, [10, np.inf])


def test_paths_refuse_what_they_cannot_read():
    table = record_table(make_records(seeds=[0]))
    with pytest.raises(ValueError, match="no records for task 'toy' and regularizer 'mixup'"):
        paths(table, "toy", "mixup")
    with pytest.raises(ValueError, match="'jacobian' is not a column"):
        paths(table, "toy", "dropout", y="jacobian")
    with pytest.raises(TypeError, match="table must be a pandas DataFrame"):
        paths(make_records(), "toy", "dropout")
    twice = record_table(make_records(seeds=[0]) + make_records(seeds=[0])[1:2])
    with pytest.raises(ValueError, match="seed 0 has 2 networks at strength 0.1"):
        paths(twice, "toy", "dropout")
    with pytest.raises(ValueError, match="'regularizer' is not a column"):
        check_table(pd.DataFrame({"task": ["toy"]}))
