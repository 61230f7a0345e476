"""Sweep records read once into one tidy table (a :class:`pandas.DataFrame`), and the
seed-by-seed strength paths the fit frontier reads from it.

:func:`record_table` validates the records in one pass (the rules of
:func:`essay_lib.report.trends.check_records`, plus the types of the identifying fields)
and returns **one row per network**:

* ``task``, ``regularizer`` (str), ``strength`` (float), ``seed`` (int): which network;
* ``epoch`` (float): the epoch at which the network was measured, NaN unless the record
  names one.  Early stopping adds records of the *unregularized* network measured at
  several epochs of its own training, with ``regularizer == "early_stop"`` and
  ``strength`` = the epoch (:data:`TOWARD_FULL_TRAINING`);
* one float column per numeric field of the records: every scalar metric of
  :data:`essay_lib.experiment.metrics.METRICS` (``train_loss``, ``test_loss``, ``z_bar``,
  ...) and the numeric training settings (``epochs``, ``lr``, ...); ``None`` reads NaN.
  Bools, strings, lists and dicts (``curve``, ``hidden``, ``key``) stay in the records;
* the specification curve ``z_spec`` flattened into columns ``"z_spec:<key>"``
  (``"z_spec:logits|0.25|inside"``).  The prefix is
  :data:`essay_lib.report.trends.SPEC_PREFIX`, so a column is named exactly as the
  verdicts already name that measure; one wide frame, because every network has the same
  curve and a second frame would have to be joined back on four keys.

:func:`paths` gives one regularizer's strength path of every seed, the unregularized
network included (see its docstring).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from essay_lib.report.trends import SPEC_PREFIX, check_records
from essay_lib.util.checks import check_number, check_seed, is_number

#: The columns that say which network a row is.
KEYS = ("task", "regularizer", "strength", "seed", "epoch")
#: Regularizers whose strength grows *toward* the unregularized network (the epochs of
#: early stopping): the unregularized network, fully trained, ends their path (at strength =
#: its ``epochs``) instead of starting it at strength 0.
TOWARD_FULL_TRAINING = ("early_stop",)


def _name(i: int, field: str) -> str:
    return f"records[{i}][{field!r}]"


def _flat_row(i: int, record: Mapping) -> dict:
    """One record as {column: value} (identity checked, numbers as floats)."""
    for field in ("task", "regularizer"):
        if not isinstance(record[field], str):
            raise TypeError(f"{_name(i, field)} must be a str, got "
                            f"{type(record[field]).__name__}")
    row = {"task": record["task"], "regularizer": record["regularizer"],
           "strength": check_number(_name(i, "strength"), record["strength"], minimum=0),
           "seed": check_seed(_name(i, "seed"), record["seed"]), "epoch": math.nan}
    for field, value in record.items():
        if field in ("task", "regularizer", "strength", "seed"):
            continue
        if field == "z_spec" and value is not None:
            if not isinstance(value, Mapping):
                raise TypeError(f"{_name(i, 'z_spec')} must be a dict of numbers, got "
                                f"{type(value).__name__}")
            for key, v in value.items():
                row[SPEC_PREFIX + str(key)] = _number(f"{_name(i, 'z_spec')}[{key!r}]", v)
        elif value is None or is_number(value):
            row[field] = math.nan if value is None else float(value)
    return row


def _number(name: str, value) -> float:
    if value is None:
        return math.nan
    if not is_number(value):
        raise TypeError(f"{name} must be a number or None, got {type(value).__name__}")
    return float(value)


def record_table(records) -> pd.DataFrame:
    """The records as one tidy table, one row per network (see the module docstring).

    ``records``: a sequence of record dicts (:func:`essay_lib.experiment.run_experiment`).
    A field that is a number in one record must be a number or ``None`` in every record
    that has it (``TypeError`` otherwise); a field absent from a record reads NaN there.
    Rows keep the records' order.
    """
    records = check_records(records)
    rows, other = [], {}  # other: field -> first record where it is not a number
    for i, record in enumerate(records):
        rows.append(row := _flat_row(i, record))
        for field in record.keys() - row.keys() - {"z_spec"}:
            other.setdefault(field, i)
    numeric = set().union(*rows)
    for field, i in other.items():
        if field in numeric:
            raise TypeError(f"{_name(i, field)} must be a number or None (it is a number in "
                            f"other records), got {type(records[i][field]).__name__}")
    table = pd.DataFrame.from_records(rows)
    columns = [c for c in table.columns if c not in KEYS]
    table = table[[*KEYS, *columns]]
    table = table.astype({"seed": "int64", **dict.fromkeys(["strength", "epoch", *columns],
                                                           "float64")})
    return table


def check_table(table, *columns: str) -> pd.DataFrame:
    """``table`` if it is a :func:`record_table` holding ``columns``; else an error that
    names the argument (and the columns it has)."""
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame from report.table.record_table, got "
                        f"{type(table).__name__}")
    for column in (*KEYS, *columns):
        if not isinstance(column, str) or column not in table.columns:
            raise ValueError(f"{column!r} is not a column of table; columns: "
                             f"{list(table.columns)}")
    return table


def task_kind(table, task: str) -> str | None:
    """``"classification"`` where the task's networks have a test accuracy,
    ``"regression"`` where they have a test R², else None (not in the records)."""
    mine = check_table(table).loc[table["task"] == task]
    for column, kind in (("test_accuracy", "classification"), ("test_r2", "regression")):
        if column in mine and mine[column].notna().any():
            return kind
    return None


def paths(table, task: str, regularizer: str, x: str = "test_loss", y: str = "z_bar"
          ) -> dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Each seed's strength path of ``regularizer`` on ``task``: ``{seed: (strength, x, y)}``,
    three float arrays in increasing strength, seeds in increasing order.

    The unregularized network (``regularizer == "none"``) belongs to every path: a drop
    rate, a penalty or a mixup α of 0 is that network, so it starts the path at strength 0
    (as in :func:`essay_lib.report.trends.series`).  For early stopping
    (:data:`TOWARD_FULL_TRAINING`) it ends the path instead, at strength = its ``epochs``
    (+inf where the table has none).  Where the seed already has a row of the regularizer at
    that strength (an early-stopping row at the last epoch), that row is the unregularized
    network and stands for it.  Networks whose ``x`` or ``y`` is NaN are left out.
    ``x``, ``y``: columns of the table (``"z_spec:<key>"`` for a specification).

    Raises ValueError when ``regularizer`` has no rows on ``task``, or when a seed has two
    networks at one strength (its path would be ambiguous).
    """
    table = check_table(table, x, y)
    mine = table.loc[(table["task"] == task)
                     & table["regularizer"].isin([regularizer, "none"])]
    if not (mine["regularizer"] == regularizer).any():
        present = sorted(set(zip(table["task"], table["regularizer"], strict=True)))
        raise ValueError(f"no records for task {task!r} and regularizer {regularizer!r}; "
                         f"present: {present}")
    mine = mine.loc[np.isfinite(mine[x]) & np.isfinite(mine[y])]
    base = mine["regularizer"].eq("none") & (regularizer != "none")
    strength = mine["strength"].to_numpy(dtype=float, copy=True)
    if regularizer in TOWARD_FULL_TRAINING:
        full = (mine["epochs"].to_numpy(dtype=float) if "epochs" in mine
                else np.full(len(mine), np.nan))
        strength[base.to_numpy()] = np.where(np.isnan(full), np.inf, full)[base.to_numpy()]
    else:
        strength[base.to_numpy()] = 0.0
    frame = pd.DataFrame({"seed": mine["seed"].to_numpy(), "strength": strength,
                          "x": mine[x].to_numpy(dtype=float),
                          "y": mine[y].to_numpy(dtype=float), "base": base.to_numpy()})
    # a row of the regularizer where the unregularized network sits is that network itself
    taken = set(zip(frame["seed"][~frame["base"]], frame["strength"][~frame["base"]],
                    strict=True))
    same = [b and (s, v) in taken for b, s, v in zip(frame["base"], frame["seed"],
                                                        frame["strength"], strict=True)]
    frame = frame.loc[~np.array(same, dtype=bool)].sort_values(["seed", "strength"],
                                                                kind="mergesort")
    twice = frame.loc[frame.duplicated(["seed", "strength"], keep=False)]
    if len(twice):
        seed, s = twice.iloc[0][["seed", "strength"]]
        raise ValueError(f"task {task!r}, {regularizer!r}: seed {int(seed)} has "
                         f"{int((twice['seed'] == seed).sum())} networks at strength {s:g}; a "
                         f"path needs one network per strength")
    return {int(seed): (g["strength"].to_numpy(), g["x"].to_numpy(), g["y"].to_numpy())
            for seed, g in frame.groupby("seed", sort=True)}
