"""The computed verdict of chapter 04 (trends of Z̄ and the other measures), from sweep records.

Input everywhere: ``records``, the tidy rows of :func:`essay_lib.sweeps.run_sweep`
(dicts with ``task``, ``regularizer``, ``strength``, ``seed`` and one field per
measure, e.g. ``z_bar``).  Nothing here trains or draws; every sentence is built
from the numbers it is given.

**The series of a regularizer** on a task is its own records *plus* the
unregularized ones (``regularizer == "none"``) at strength 0: a drop rate, a
penalty coefficient or a mixup α of 0 is the same network.

**The rules** (stated to the reader by :func:`rule_markdown` before any table):

* the trend of a measure under a regularizer is Spearman's ρ between strength
  and the measure over every (strength, seed) member of the series, with a
  percentile bootstrap interval over members (:func:`essay_lib.stats.spearman_with_interval`);
  it **falls** when the whole interval lies below 0, **rises** when it lies
  above 0, and shows **no clear trend** when the interval contains 0;
* the paper predicts that Z̄ falls as the drop rate rises, so for dropout and Z̄
  a fall **supports** the thesis, a rise **contradicts** it, and no clear trend
  leaves it **inconclusive**;
* the effect is **specific to dropout** on a task when dropout lowers Z̄ and L2
  (the control: a plain penalty with no sub-networks) does not; **shared with
  L2** when both lower it.

Chapter 05's analogy table (effect sizes, the paper's three claims) is in
:mod:`essay_lib.analogy`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from essay_lib.report import stats
from essay_lib.report.vocabulary import (
    REGULARIZER_LABELS,
    join_names,
    measure_label,
    task_label,
)

REGULARIZERS = ("dropout", "l1", "l2", "mixup")
DIRECTIONS = ("falls", "rises", "no clear trend")
VERDICTS = ("supports", "contradicts", "inconclusive")
_ARROWS = {"falls": "↓", "rises": "↑", "no clear trend": "–"}


# ---------------------------------------------------------------- rules
def direction(low: float, high: float) -> str:
    """``"falls"`` if ``high < 0``, ``"rises"`` if ``low > 0``, else ``"no clear trend"``."""
    low, high = float(low), float(high)
    if math.isnan(low) or math.isnan(high):
        return "no clear trend"
    if low > high:
        raise ValueError(f"low must not exceed high, got low={low}, high={high}")
    return "falls" if high < 0 else "rises" if low > 0 else "no clear trend"


def thesis_verdict(low: float, high: float) -> str:
    """The paper's thesis (Z̄ falls with the drop rate) read from ρ's interval.

    ``"supports"`` when the interval lies below 0, ``"contradicts"`` above 0,
    ``"inconclusive"`` when it contains 0.
    """
    return dict(zip(DIRECTIONS, VERDICTS, strict=True))[direction(low, high)]


def rule_markdown(confidence: float = 0.95) -> str:
    """The verdict rule as a markdown paragraph, to show the reader before the table."""
    pct = f"{confidence:.0%}"
    return (
        f"**The rule, fixed before looking at the table.** For each task and regularizer we "
        f"compute Spearman's rank correlation $\\rho$ between the regularization strength and "
        f"$\\bar Z$ over every trained network of that series (all strengths, all seeds; the "
        f"unregularized networks count as strength 0), with a {pct} bootstrap interval over "
        f"networks. $\\bar Z$ **falls** (↓) when the whole interval lies below 0, **rises** (↑) "
        f"when it lies above 0, and shows **no clear trend** (–) otherwise. For dropout, a fall "
        f"**supports** the paper's thesis, a rise **contradicts** it, and no clear trend leaves "
        f"it **inconclusive**. The effect is **specific to dropout** on a task when dropout "
        f"lowers $\\bar Z$ and L2, the control, does not; **shared with L2** when both do.")


# ---------------------------------------------------------------- series and trends
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


def _value(record: Mapping, measure: str) -> float:
    if measure not in record:
        raise ValueError(f"measure {measure!r} is not a field of the records; fields: "
                         f"{sorted(record)}")
    v = record[measure]
    return math.nan if v is None else float(v)


def series(records, task: str, regularizer: str, measure: str
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(strength, value, seed) arrays of one task's series for one regularizer.

    The regularizer's records plus the ``"none"`` records at strength 0 (see the
    module docstring); members whose measure is ``None`` or NaN are left out.
    Raises ValueError when the series is empty.
    """
    records = check_records(records)
    rows = [r for r in records if r["task"] == task
            and (r["regularizer"] == regularizer or r["regularizer"] == "none")]
    if not any(r["regularizer"] == regularizer for r in rows):
        known = sorted({(r["task"], r["regularizer"]) for r in records})
        raise ValueError(f"no records for task {task!r} and regularizer {regularizer!r}; "
                         f"present: {known}")
    s = np.array([0.0 if r["regularizer"] == "none" else float(r["strength"]) for r in rows])
    v = np.array([_value(r, measure) for r in rows])
    seeds = np.array([int(r["seed"]) for r in rows])
    ok = np.isfinite(v)
    return s[ok], v[ok], seeds[ok]


@dataclass(frozen=True)
class Trend:
    """Spearman's ρ of one measure against strength, for one task and regularizer."""

    task: str
    regularizer: str
    measure: str
    rho: float
    low: float
    high: float
    n: int
    confidence: float

    @property
    def direction(self) -> str:
        return direction(self.low, self.high)

    @property
    def verdict(self) -> str:
        """The thesis reading of this interval (meaningful for dropout and Z̄)."""
        return thesis_verdict(self.low, self.high)

    def cell(self) -> str:
        """``"↓ −0.91 [−0.95, −0.84]"``: arrow, ρ and interval, for a markdown table."""
        if math.isnan(self.rho):
            return "n/a"
        return (f"{_ARROWS[self.direction]} {signed(self.rho)} "
                f"[{signed(self.low)}, {signed(self.high)}]")


def signed(x: float) -> str:
    """``+0.25`` / ``−0.25`` (true minus sign), two decimals."""
    return f"{x:+.2f}".replace("-", "−")


def trend(records, task: str, regularizer: str, measure: str = "z_bar", *,
          confidence: float = 0.95, n_boot: int = 2000, seed: int = 0) -> Trend:
    """Spearman's ρ (strength vs ``measure``) over the series, with a bootstrap interval.

    A measure that does not vary over the series (e.g. constant) gives ρ = NaN
    and "no clear trend".
    """
    s, v, _ = series(records, task, regularizer, measure)
    if len(s) >= 3 and np.ptp(s) > 0 and np.ptp(v) > 0:
        c = stats.spearman_with_interval(s, v, n_boot=n_boot, confidence=confidence, seed=seed)
        rho, low, high = c.estimate, c.low, c.high
    else:
        rho = low = high = math.nan
    return Trend(task, regularizer, measure, float(rho), float(low), float(high), len(s),
                 float(confidence))


def trend_table(records, *, measures: Sequence[str] = ("z_bar",),
                regularizers: Sequence[str] = REGULARIZERS, tasks: Sequence[str] | None = None,
                confidence: float = 0.95, n_boot: int = 2000, seed: int = 0) -> list[Trend]:
    """One :class:`Trend` per (task, regularizer, measure), tasks in first-seen order.

    Pairs with no records are skipped; measures that are ``None`` on a task
    (e.g. linear pieces in 10-D) are skipped for that task.
    """
    records = check_records(records)
    tasks = list(dict.fromkeys(r["task"] for r in records)) if tasks is None else list(tasks)
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


def _tasks(trends: Sequence[Trend]) -> list[str]:
    return list(dict.fromkeys(t.task for t in trends))


def specificity(trends: Sequence[Trend], task: str) -> str:
    """``"specific to dropout"``, ``"shared with L2"`` or ``"no effect to share"``
    (dropout does not lower Z̄ on this task), from the Z̄ trends of dropout and L2."""
    d, l2 = find_trend(trends, task, "dropout"), find_trend(trends, task, "l2")
    if d is None or l2 is None:
        raise ValueError(f"trends need Z̄ rows for dropout and l2 on task {task!r}")
    if d.direction != "falls":
        return "no effect to share"
    return "shared with L2" if l2.direction == "falls" else "specific to dropout"


# ---------------------------------------------------------------- tables and sentences
def verdict_markdown(trends: Sequence[Trend], measure: str = "z_bar") -> str:
    """The verdict table: one row per task; ρ cells per regularizer; thesis; specificity."""
    regs = [r for r in REGULARIZERS if any(t.regularizer == r and t.measure == measure
                                           for t in trends)]
    head = ("| task | " + " | ".join(f"{REGULARIZER_LABELS[r]}: ρ [95% interval]" for r in regs)
            + " | paper's thesis (dropout) | dropout-specific? |")
    rows = [head, "|---|" + "---|" * (len(regs) + 2)]
    for task in _tasks(trends):
        cells = [(find_trend(trends, task, r, measure) or _missing(task, r, measure)).cell()
                 for r in regs]
        d = find_trend(trends, task, "dropout", measure)
        verdict = f"**{d.verdict}**" if d is not None else "n/a"
        spec = specificity(trends, task) if measure == "z_bar" and "l2" in regs else "n/a"
        rows.append(f"| {task_label(task)} | " + " | ".join(cells) + f" | {verdict} | {spec} |")
    return "\n".join(rows)


def _missing(task, regularizer, measure) -> Trend:
    return Trend(task, regularizer, measure, math.nan, math.nan, math.nan, 0, 0.95)


def measures_markdown(trends: Sequence[Trend], measures: Sequence[str],
                      regularizers: Sequence[str] = ("dropout", "l2", "mixup")) -> str:
    """Markdown table: one row per (task, regularizer), one ρ cell per measure."""
    head = "| task | regularizer | " + " | ".join(measure_label(m) for m in measures) + " |"
    lines = [head, "|---|---|" + "---|" * len(measures)]
    for task in _tasks(trends):
        for reg in regularizers:
            cells = [find_trend(trends, task, reg, m) for m in measures]
            if all(c is None for c in cells):
                continue
            lines.append(f"| {task_label(task)} | {REGULARIZER_LABELS.get(reg, reg)} | "
                         + " | ".join("n/a" if c is None else c.cell() for c in cells) + " |")
    return "\n".join(lines)


def agreement(trends: Sequence[Trend], task: str, regularizer: str, measures: Sequence[str],
              reference: str = "z_bar") -> tuple[int, int]:
    """(how many of ``measures`` move like ``reference`` by the rule, how many were measured)."""
    ref = find_trend(trends, task, regularizer, reference)
    found = [t for m in measures if (t := find_trend(trends, task, regularizer, m)) is not None]
    if ref is None:
        raise ValueError(f"no {reference!r} trend for task {task!r} and {regularizer!r}")
    return sum(t.direction == ref.direction for t in found), len(found)


def _where(trends: Sequence[Trend], regularizer: str, wanted: str, measure: str = "z_bar"
           ) -> list[str]:
    return [t.task for t in trends if t.regularizer == regularizer and t.measure == measure
            and t.direction == wanted]


def verdict_findings(trends: Sequence[Trend]) -> list[str]:
    """Markdown sentences reading the Z̄ table: the thesis per task, the L2 control, mixup."""
    tasks = _tasks(trends)
    n = len(tasks)
    dropout = {t: d for t in tasks if (d := find_trend(trends, t, "dropout")) is not None}
    out = []
    for word, phrase in (("supports", "support"), ("contradicts", "contradict"),
                         ("inconclusive", "are inconclusive about")):
        hit = [t for t, d in dropout.items() if d.verdict == word]
        if hit:
            rhos = "; ".join(f"{task_label(t)}: ρ = {signed(dropout[t].rho)}" for t in hit)
            out.append(f"The data {phrase} the paper's thesis on {len(hit)} of {n} tasks "
                       f"({rhos}).")
    if any(d.verdict == "contradicts" for d in dropout.values()):
        out.append("Where they contradict it, the network's function becomes measurably *less* "
                   "additive as the drop rate rises, not more.")
    falls_d, falls_l2 = _where(trends, "dropout", "falls"), _where(trends, "l2", "falls")
    shared = [t for t in falls_d if t in falls_l2]
    specific = [t for t in falls_d if t not in falls_l2]
    if falls_d:
        parts = []
        if shared:
            parts.append(f"shared with L2 on {join_names(shared)}")
        if specific:
            parts.append(f"specific to dropout on {join_names(specific)}")
        out.append("Where dropout lowers $\\bar Z$, the effect is " + " and ".join(parts)
                   + f"; L2 lowers $\\bar Z$ on {len(falls_l2)} of {n} tasks"
                   + (f" ({join_names(falls_l2)})." if falls_l2 else "."))
    mix = _where(trends, "mixup", "falls")
    if any(t.regularizer == "mixup" for t in trends):
        stronger = [t for t in tasks if (m := find_trend(trends, t, "mixup")) and
                    (d := find_trend(trends, t, "dropout")) and m.rho < d.rho]
        out.append(f"Mixup, the positive control, lowers $\\bar Z$ on {len(mix)} of {n} tasks"
                   + (f" ({join_names(mix)})" if mix else "")
                   + f", and its ρ is more negative than dropout's on {len(stronger)} of {n}.")
    return out


def raw_vs_normalised(trends: Sequence[Trend], regularizers: Sequence[str] = ("dropout", "l2"),
                      raw: str = "z_bar_raw", normalised: str = "z_bar") -> list[str]:
    """Sentences naming each (task, regularizer) where the raw measure falls but the
    normalised one does not: output shrinkage mistaken for linearity.  An empty
    list means it never happens in these trends."""
    out = []
    for task in _tasks(trends):
        for reg in regularizers:
            r, z = find_trend(trends, task, reg, raw), find_trend(trends, task, reg, normalised)
            if r is None or z is None:
                continue
            if r.direction == "falls" and z.direction != "falls":
                if z.direction == "rises":
                    verb, reading = "rises", "the shape becomes less linear"
                else:
                    verb, reading = "shows no clear trend", "the shape does not steadily become "\
                                                            "more linear"
                out.append(f"On {task_label(task)}, {REGULARIZER_LABELS[reg]} makes "
                           f"{measure_label(raw)} fall (ρ = {signed(r.rho)}) while "
                           f"{measure_label(normalised)} {verb} (ρ = {signed(z.rho)}): the "
                           f"outputs shrink, but by {measure_label(normalised)} {reading}.")
    return out


def headline_sentence(trends: Sequence[Trend]) -> str:
    """One plain-text sentence of the verdict (for the README): no decimals, so it does
    not flicker with the last digit of a rerun; task names and counts only."""
    tasks = _tasks(trends)
    n = len(tasks)
    falls, rises = _where(trends, "dropout", "falls"), _where(trends, "dropout", "rises")
    unclear = [t for t in tasks if t not in falls and t not in rises]
    groups = [(verb, rest, hit) for verb, rest, hit in
              (("lowered", "", falls), ("raised", "", rises),
               ("left", " without a clear trend", unclear)) if hit]
    parts = [f"{verb} {'our linearity defect Z̄' if i == 0 else 'it'}{rest} on {len(hit)}"
             f"{f' of {n} tasks' if i == 0 else ''} ({join_names(hit)})"
             for i, (verb, rest, hit) in enumerate(groups)]
    dropout_part = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    if len(falls) == n:
        thesis = "the data support the paper's thesis on every task"
    elif not falls:
        thesis = "the data do not support the paper's thesis on any task"
    else:
        thesis = "the paper's thesis holds only in part"
    l2 = _where(trends, "l2", "falls")
    shared = [t for t in falls if t in l2]
    if falls and len(shared) == len(falls):
        spec = ("and L2 weight decay lowered Z̄ wherever dropout did, so the effect is not "
                "specific to dropout")
    elif falls and not shared:
        spec = "and L2 weight decay did not, so the effect is specific to dropout"
    elif falls:
        spec = (f"and L2 weight decay lowered it on {len(shared)} of those {len(falls)} tasks "
                f"too")
    else:
        spec = f"while L2 weight decay lowered it on {len(l2)}"
    return f"As the drop rate rose, dropout {dropout_part}: {thesis}, {spec}."
