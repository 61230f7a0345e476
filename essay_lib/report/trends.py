"""Trends of a measure along a regularizer's strength, from sweep records, seed by seed.

Input everywhere: ``records``, the tidy rows of :func:`essay_lib.experiment.run_sweep`
(dicts with ``task``, ``regularizer``, ``strength``, ``seed`` and one field per measure,
e.g. ``z_bar``).  Nothing here trains or draws networks.

**The series of a regularizer** on a task is its own records *plus* the unregularized
ones (``regularizer == "none"``) at strength 0: a drop rate, a penalty coefficient or a
mixup α of 0 is the same network.

**A trend** is a statistic per seed, tested over seeds (DESIGN.md §4): each seed's
Spearman ρ between strength and the measure along its own series
(:func:`essay_lib.report.inference.seed_trends`), because networks that share a seed
share their initial weights, data order and unregularized reference; then the exact
sign-flip test of those ρ over seeds (:mod:`essay_lib.report.inference`): ``rho`` is their
mean, ``pvalue`` the two-sided p (never 0), ``low``/``high`` the inverted test's interval.
A step that every seed takes is a trend, however flat it is between the steps.  The
trend **falls** when the whole interval lies below 0, **rises** when it lies above 0,
and shows **no clear trend** otherwise.  With n seeds no p-value falls below 2 / 2**n,
so with 5 or fewer seeds the 95% interval is (−inf, inf) and every trend reads "no clear
trend", whatever the networks did.

A measure may be a record field (``"z_bar"``) or one specification of the record's
specification curve: ``"z_spec:logits|0.25|inside"`` reads ``record["z_spec"][...]``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from essay_lib.report import inference, wording
from essay_lib.report.vocabulary import measure_label, regularizer_label, task_label
from essay_lib.util.checks import check_int, check_probability, check_seed_or_generator

DIRECTIONS = ("falls", "rises", "no clear trend")
ARROWS = {"falls": "↓", "rises": "↑", "no clear trend": "–"}
SPEC_PREFIX = "z_spec:"


def direction(low: float, high: float) -> str:
    """``"falls"`` if ``high < 0``, ``"rises"`` if ``low > 0``, else ``"no clear trend"``."""
    low, high = float(low), float(high)
    if math.isnan(low) or math.isnan(high):
        return "no clear trend"
    if low > high:
        raise ValueError(f"low must not exceed high, got low={low}, high={high}")
    return "falls" if high < 0 else "rises" if low > 0 else "no clear trend"


def signed(x: float) -> str:
    """``+0.25`` / ``−0.25`` (true minus sign), two decimals, ``0.00`` when it rounds to
    zero; ``+∞`` / ``−∞`` for the unbounded ends of an interval that too few seeds cannot
    close (:func:`essay_lib.report.wording.signed`)."""
    return wording.signed(x, 2)


def check_records(records) -> list[Mapping]:
    """Validate sweep records (a sequence of dicts with task, regularizer, strength, seed)."""
    if isinstance(records, Mapping) or not isinstance(records, Sequence):
        raise TypeError(f"records must be a sequence of dicts, got {type(records).__name__}")
    if not records:
        raise ValueError("records must hold at least one record, got none")
    for i, r in enumerate(records):
        if not isinstance(r, Mapping):
            raise TypeError(f"records[{i}] must be a dict, got {type(r).__name__}")
        missing = {"task", "regularizer", "strength", "seed"} - set(r)
        if missing:
            raise ValueError(f"records[{i}] lacks {sorted(missing)}")
    return list(records)


def value_of(record: Mapping, measure: str) -> float:
    """The record's value of ``measure`` (a field or ``"z_spec:<key>"``); NaN for None."""
    if measure.startswith(SPEC_PREFIX):
        curve = record.get("z_spec") or {}
        key = measure[len(SPEC_PREFIX):]
        if key not in curve:
            raise ValueError(f"specification {key!r} is not in the records' z_spec; "
                             f"present: {sorted(curve)}")
        v = curve[key]
    else:
        if measure not in record:
            raise ValueError(f"measure {measure!r} is not a field of the records; fields: "
                             f"{sorted(record)}")
        v = record[measure]
    return math.nan if v is None else float(v)


def series(records, task: str, regularizer: str, measure: str
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(strength, value, seed) arrays of one task's series for one regularizer.

    The regularizer's records plus the ``"none"`` records at strength 0 (see the module
    docstring); networks whose measure is ``None`` or NaN are left out.  Raises
    ValueError when the regularizer has no records on the task.
    """
    records = check_records(records)
    rows = [r for r in records if r["task"] == task
            and (r["regularizer"] == regularizer or r["regularizer"] == "none")]
    if not any(r["regularizer"] == regularizer for r in rows):
        known = sorted({(r["task"], r["regularizer"]) for r in records})
        raise ValueError(f"no records for task {task!r} and regularizer {regularizer!r}; "
                         f"present: {known}")
    s = np.array([0.0 if r["regularizer"] == "none" else float(r["strength"]) for r in rows])
    v = np.array([value_of(r, measure) for r in rows])
    seeds = np.array([int(r["seed"]) for r in rows])
    ok = np.isfinite(v)
    return s[ok], v[ok], seeds[ok]


@dataclass(frozen=True)
class Trend:
    """The trend of one measure against strength, for one task and regularizer.

    ``rho``: the mean over seeds of each seed's Spearman ρ along its own series (the
    unregularized network at strength 0); ``low``, ``high``: the exact sign-flip interval
    of that mean at ``confidence`` (±inf where too few seeds can reject anything);
    ``pvalue``: the exact two-sided sign-flip p-value of the per-seed ρ (read with
    :func:`essay_lib.report.stats.holm` when several trends are read together); ``n``:
    networks in the series; ``n_seeds``: seeds with a series of their own.
    """

    task: str
    regularizer: str
    measure: str
    rho: float
    low: float
    high: float
    n: int
    confidence: float
    n_seeds: int = 0
    pvalue: float = math.nan

    @property
    def direction(self) -> str:
        return direction(self.low, self.high)

    def cell(self) -> str:
        """``"↓ −0.91 [−0.95, −0.84]"``: arrow, ρ and interval, for a markdown table."""
        if math.isnan(self.rho):
            return "n/a"
        return f"{ARROWS[self.direction]} {wording.interval(self.rho, self.low, self.high, 2)}"


def trend(records, task: str, regularizer: str, measure: str = "z_bar", *,
          confidence: float = 0.95, n_boot: int = 2000, seed: int = 0) -> Trend:
    """The seed-level :class:`Trend` of ``measure`` along ``regularizer``'s strength: each
    seed's Spearman ρ over its own series (a step that every seed takes is a trend), then
    the exact sign-flip test over seeds (:mod:`essay_lib.report.inference`; ``n_boot`` and
    ``seed`` set its Monte Carlo sign vectors beyond 20 seeds).

    A measure that does not vary over the series (e.g. constant) gives ρ = NaN and
    "no clear trend"; a seed whose own series has fewer than 3 strengths is left out.
    """
    confidence = check_probability("confidence", confidence)
    n_boot = check_int("n_boot", n_boot, 1)
    check_seed_or_generator("seed", seed)
    s, v, seeds = series(records, task, regularizer, measure)
    per_seed = [inference.seed_trends(s[seeds == k], v[seeds == k][None, :])[0]
                for k in np.unique(seeds)
                if np.sum(seeds == k) >= 3 and np.ptp(s[seeds == k]) > 0]
    if len(per_seed) >= 2 and np.ptp(v) > 0:
        rhos = np.array(per_seed)
        low, high = inference.signflip_interval(rhos, confidence, n_resamples=n_boot,
                                                seed=seed)
        rho, pvalue = rhos.mean(), inference.signflip_pvalue(rhos, n_resamples=n_boot,
                                                             seed=seed)
    else:
        rho = low = high = pvalue = math.nan
    return Trend(task, regularizer, measure, float(rho), float(low), float(high), len(s),
                 float(confidence), len(per_seed), float(pvalue))


def tasks_of(records_or_trends) -> list[str]:
    """Task names in first-seen order."""
    return list(dict.fromkeys(r.task if isinstance(r, Trend) else r["task"]
                              for r in records_or_trends))


def trend_table(records, *, measures: Sequence[str] = ("z_bar",),
                regularizers: Sequence[str] = ("dropout", "l1", "l2", "mixup"),
                tasks: Sequence[str] | None = None, confidence: float = 0.95,
                n_boot: int = 2000, seed: int = 0) -> list[Trend]:
    """One :class:`Trend` per (task, regularizer, measure), tasks in first-seen order.

    Pairs with no records are skipped; measures that are ``None`` on a task (e.g. linear
    pieces in 10-D) are skipped for that task.
    """
    records = check_records(records)
    tasks = tasks_of(records) if tasks is None else list(tasks)
    present = {(r["task"], r["regularizer"]) for r in records}
    out = []
    for task in tasks:
        for reg in regularizers:
            if (task, reg) not in present:
                continue
            for m in measures:
                if len(series(records, task, reg, m)[0]) == 0:
                    continue
                out.append(trend(records, task, reg, m, confidence=confidence, n_boot=n_boot,
                                 seed=seed))
    return out


def find_trend(trends: Sequence[Trend], task: str, regularizer: str, measure: str = "z_bar"
               ) -> Trend | None:
    """The trend of (task, regularizer, measure) in ``trends``, or None."""
    for t in trends:
        if (t.task, t.regularizer, t.measure) == (task, regularizer, measure):
            return t
    return None


def forest_rows(trends: Sequence[Trend], *, line: str = "regularizer",
                group: str = "task") -> list[dict]:
    """Rows for :func:`essay_lib.report.plotting.plot_rank_correlations`: one per trend with
    ρ defined, the line named by ``line`` and the dodged group (a marker each) by ``group``
    ("regularizer", "task" or "measure"), in prose labels; the trend's regularizer colours
    its interval."""


    name = {"regularizer": lambda t: f"{regularizer_label(t.regularizer)} → "
                                     f"{measure_label(t.measure)}",
            "task": lambda t: task_label(t.task), "measure": lambda t: measure_label(t.measure)}
    return [{"label": name[line](t), "group": name[group](t), "regularizer": t.regularizer,
             "rho": t.rho, "low": t.low, "high": t.high} for t in trends if not math.isnan(t.rho)]
