"""Chapter 06 in mask space: do dropout's sub-networks add up more, and does that track Z̄?

Input: chapter 05's records (a :func:`~essay_lib.report.table.record_table`) holding
``z_mask`` (sub-network additivity on same-layer sets at the common keep probability 0.5,
DESIGN.md §3b), ``z_mask_own`` (the same at each network's own training keep probability),
``mc_gap`` (Monte Carlo averaging against weight scaling) and ``z_bar``.  Pure functions.

**The rules** (chapter 05's, DESIGN.md §4, applied to Z_mask), one family of tests:

1. *Trend* (per task, for each of ``z_mask`` and ``z_mask_own``): each seed's Spearman ρ
   between the drop rate and Z_mask along its own dropout path (the unregularized network at
   rate 0), tested over seeds with the exact sign-flip test.  Dropout's sub-networks **add
   up more** as the drop rate rises when the mean ρ is negative and the test survives Holm's
   correction over the family, **add up less** when positive, else **no clear trend**.
2. *At the same fit* (per task, against each of :data:`MASK_COMPARATORS`): dropout's Z_mask
   excess over the comparator's path at equal test loss
   (:func:`~essay_lib.report.frontier.linearity_excess` with ``measure="z_mask"``), paired by
   seed, read against δ_mask by the four-way equivalence rule.  Z_mask has no dose-response
   unit of its own (an affine blend in *input* space leaves every mask difference scaled
   alike, so Z_mask does not move), so δ_mask is fixed in advance as :data:`DELTA_SHARE` of
   the unregularized networks' mean Z_mask on the task.
3. *Correction*: every p-value of rules 1 and 2 over all tasks in one Holm family; the
   excess intervals are simultaneous (confidence 1 − α/m, Bonferroni).

**The bridges.**  Within each seed, Spearman's ρ across all of that seed's networks (every
regularizer and strength) between Z_mask and a second measure: the Monte Carlo gap (chapter
02: the gap is 0 where sub-networks add up exactly) and input-space Z̄ (chapter 05: does
the mechanism predict the effect?).  The per-seed ρ are tested with the exact sign-flip
test, the bridges of all tasks in their own Holm family; a bridge to Z̄ is read only on the
tasks where Z̄ is valid (chapter 04).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _scipy_stats

from essay_lib.report import frontier, inference, wording
from essay_lib.report.answer import dropout_trend
from essay_lib.report.table import check_table, record_table
from essay_lib.report.tables import markdown_table
from essay_lib.report.trends import signed, trend
from essay_lib.report.vocabulary import (
    REGULARIZER_LABELS,
    join_names,
    measure_label,
    regularizer_label,
    task_label,
)
from essay_lib.util.checks import check_choice, check_number, check_probability

__all__ = ["ALPHA", "DELTA_SHARE", "MASK_COMPARATORS", "MASK_MEASURES", "Bridge", "MaskAnswer",
           "MaskTask", "bridge_markdown", "bridge_sentence", "bridges", "mask_answer",
           "mask_markdown", "mask_sentence", "network_values", "variant_markdown"]

ALPHA = 0.05
#: Z_mask at the common keep probability, and at each network's own training keep probability
MASK_MEASURES = ("z_mask", "z_mask_own")
#: What dropout's Z_mask is compared with at the same fit
MASK_COMPARATORS = ("l2", "mixup", "early_stop")
#: δ_mask: this share of the unregularized networks' mean Z_mask on the task
DELTA_SHARE = 0.1

_DIRECTION = {"falls": "add up more", "rises": "add up less", "no clear trend": "no clear trend"}


@dataclass(frozen=True, eq=False)
class MaskTrend:
    """Dropout's trend of one mask measure on one task: per-seed ρ, mean, p, Holm's p."""

    measure: str
    rho: tuple[float, ...]
    estimate: float
    pvalue: float
    p_holm: float
    alpha: float

    @property
    def direction(self) -> str:
        """``"falls"``, ``"rises"`` or ``"no clear trend"`` (Holm-gated)."""
        if not self.p_holm <= self.alpha:
            return "no clear trend"
        return "falls" if self.estimate < 0 else "rises"

    @property
    def words(self) -> str:
        """``"add up more"``, ``"add up less"`` or ``"no clear trend"``."""
        return _DIRECTION[self.direction]

    def cell(self) -> str:
        return f"{self.words} (mean ρ {signed(self.estimate)}, Holm p {self.p_holm:.2g})"


@dataclass(frozen=True, eq=False)
class MaskComparison:
    """Dropout's Z_mask against one comparator at the same fit (rule 2)."""

    other: str
    excess: frontier.Excess
    result: inference.PairedResult
    p_holm: float

    @property
    def reading(self) -> str:
        return self.result.reading

    def cell(self) -> str:
        r = self.result
        words = inference.READINGS[r.reading].format(other=regularizer_label(self.other))
        words = words.replace("linear", "additive")
        return f"{words} ({wording.interval(r.estimate, r.low, r.high)})"


@dataclass(frozen=True, eq=False)
class MaskTask:
    """One task in mask space: δ_mask, the trends (by measure) and the comparisons."""

    task: str
    delta: float
    base_z_mask: float
    trends: dict[str, MaskTrend]
    comparisons: dict[str, MaskComparison]


@dataclass(frozen=True, eq=False)
class MaskAnswer:
    """Every task's mask-space answer, read as one family."""

    tasks: dict[str, MaskTask]
    alpha: float
    family_size: int
    confidence: float


def mask_answer(table, tasks: Sequence[str], *, measures: Sequence[str] = MASK_MEASURES,
                comparators: Sequence[str] = MASK_COMPARATORS, alpha: float = ALPHA,
                delta_share: float = DELTA_SHARE) -> MaskAnswer:
    """The rules of the module docstring on every task of ``tasks``.

    ``table``: chapter 05's :func:`~essay_lib.report.table.record_table` with the columns
    ``measures`` (default ``z_mask`` and ``z_mask_own``) and ``test_loss``; ``comparators``:
    what dropout's ``z_mask`` is compared with at the same fit; ``delta_share``: δ_mask as a
    share of the unregularized networks' mean Z_mask.
    """
    check_table(table, "test_loss", *measures)
    alpha = check_probability("alpha", alpha)
    delta_share = check_number("delta_share", delta_share, minimum=0.0, low_closed=False)
    m = len(tasks) * (len(measures) + len(comparators))
    confidence = 1 - alpha / max(m, 1)
    raw, pvalues = {}, []
    for task in tasks:
        base = table.loc[(table["task"] == task) & (table["regularizer"] == "none"), "z_mask"]
        delta = delta_share * float(base.mean())
        rho = {}
        for measure in measures:
            rho[measure] = dropout_trend(table, task, measure)
            pvalues.append(inference.signflip_pvalue(rho[measure]))
        comps = {}
        for other in comparators:
            excess = frontier.linearity_excess(table, task, "dropout", other, measure="z_mask")
            values = excess.excess[np.isfinite(excess.excess)]
            comps[other] = (excess, inference.paired_result(values, delta=delta,
                                                            confidence=confidence))
            pvalues.append(comps[other][1].pvalue)
        raw[task] = (delta, float(base.mean()), rho, comps)
    adjusted = iter(inference.holm_adjust(pvalues) if pvalues else [])
    out = {}
    for task, (delta, base, rho, comps) in raw.items():
        trends = {}
        for measure in measures:
            r = rho[measure]
            trends[measure] = MaskTrend(measure, tuple(map(float, r)), float(r.mean()),
                                        inference.signflip_pvalue(r), next(adjusted), alpha)
        comparisons = {o: MaskComparison(o, e, res, next(adjusted))
                       for o, (e, res) in comps.items()}
        out[task] = MaskTask(task, delta, base, trends, comparisons)
    return MaskAnswer(out, alpha, m, confidence)


def mask_markdown(answer: MaskAnswer) -> str:
    """One row per task: δ_mask, each trend, and each comparison at the same fit."""
    first = next(iter(answer.tasks.values()))
    header = ["task", "Z_mask, no regularization (δ_mask)",
              *(f"{measure_label(m)} with the drop rate" for m in first.trends),
              *(f"vs {regularizer_label(o)} at the same fit" for o in first.comparisons)]
    rows = [[task_label(t), f"{a.base_z_mask:.3f} ({a.delta:.3f})",
             *(tr.cell() for tr in a.trends.values()),
             *(c.cell() for c in a.comparisons.values())] for t, a in answer.tasks.items()]
    return markdown_table(header, rows)


def mask_sentence(answer: MaskAnswer) -> str:
    """Counts in words: the trend at the common and at the own keep probability, and how
    often dropout's sub-networks add up more than each comparator's at the same fit."""
    n = len(answer.tasks)
    parts = []
    for measure, where in (("z_mask", "at the common keep probability 0.5"),
                           ("z_mask_own", "at each network's own training keep probability")):
        if not all(measure in a.trends for a in answer.tasks.values()):
            continue
        groups = {}
        for t, a in answer.tasks.items():
            groups.setdefault(a.trends[measure].words, []).append(task_label(t))
        parts.append(f"{where}, " + "; ".join(
            f"they {w} on {len(ts)} of {n} ({join_names(ts)})" if w != "no clear trend"
            else f"no clear trend on {len(ts)} of {n} ({join_names(ts)})"
            for w, ts in groups.items()))
    text = "As the drop rate rises, dropout's sub-networks: " + "; ".join(parts) + "."
    more = ("more_linear", "slightly_more_linear")
    counts = []
    for other in next(iter(answer.tasks.values())).comparisons:
        k = sum(a.comparisons[other].reading in more for a in answer.tasks.values())
        counts.append(f"{regularizer_label(other)} on {k} of {n}")
    return text + (" At the same fit, dropout's sub-networks add up more than those of "
                   + join_names(counts) + " tasks.")


# ---------------------------------------------------------------------------- bridges
@dataclass(frozen=True, eq=False)
class Bridge:
    """Within-seed Spearman ρ of ``y`` against ``x`` on one task: the per-seed ρ, their mean,
    the exact sign-flip interval and p, Holm's p over the family (``valid``: whether ``y``
    may be read on this task; otherwise nothing is tested)."""

    task: str
    x: str
    y: str
    valid: bool
    rho: tuple[float, ...] = ()
    estimate: float = math.nan
    low: float = math.nan
    high: float = math.nan
    pvalue: float = math.nan
    p_holm: float = math.nan
    alpha: float = ALPHA

    @property
    def direction(self) -> str:
        """``"rises"`` / ``"falls"`` / ``"no clear trend"`` (Holm-gated); ``"not valid"``."""
        if not self.valid:
            return "not valid"
        if not self.p_holm <= self.alpha:
            return "no clear trend"
        return "rises" if self.estimate > 0 else "falls"

    def cell(self) -> str:
        if not self.valid:
            return "measure not valid here"
        if math.isnan(self.estimate):
            return "n/a"
        return (f"{wording.interval(self.estimate, self.low, self.high, 2)}, Holm p "
                f"{self.p_holm:.2g}")


def network_values(records_or_table, task: str, measures: Sequence[str]
                   ) -> dict[str, np.ndarray]:
    """Every network of ``task``: ``{measure: (n,)}`` plus ``seed``, ``regularizer`` and
    ``strength``; networks with a missing value of any measure are left out."""
    table = (records_or_table if isinstance(records_or_table, pd.DataFrame)
             else record_table(records_or_table))
    check_table(table, *measures)
    mine = table.loc[table["task"] == task]
    if mine.empty:
        raise ValueError(f"no records for task {task!r}; tasks: "
                         f"{list(dict.fromkeys(table['task']))}")
    values = mine[list(measures)].to_numpy(dtype=float)
    ok = np.all(np.isfinite(values), axis=1)
    out = {m: values[ok, i] for i, m in enumerate(measures)}
    out["seed"] = mine["seed"].to_numpy()[ok]
    out["regularizer"] = mine["regularizer"].to_numpy()[ok]
    out["strength"] = mine["strength"].to_numpy(dtype=float)[ok]
    return out


def _seed_rho(x: np.ndarray, y: np.ndarray) -> float:
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return 0.0
    return float(_scipy_stats.spearmanr(x, y).statistic)


def bridges(table, ys: Sequence[str], tasks: Sequence[str], *, x: str = "z_mask",
            valid: Mapping[str, Mapping[str, bool]] | None = None, alpha: float = ALPHA,
            regularizers: Sequence[str] | None = None) -> dict[str, list[Bridge]]:
    """``{y: [Bridge per task]}``: within-seed ρ of each ``y`` against ``x``, one Holm
    family over every bridge tested; intervals simultaneous at 1 − α/m.  ``valid``:
    ``{y: {task: bool}}`` (default: every bridge is read); ``regularizers``: only the
    networks of these grid keys (e.g. ``("none", "dropout")``: along dropout's own path;
    default: every network of the seed)."""
    check_table(table, x, *ys)
    if regularizers is not None:
        table = table.loc[table["regularizer"].isin(list(regularizers))]
    alpha = check_probability("alpha", alpha)
    valid = {y: dict((valid or {}).get(y, {})) for y in ys}
    tested = [(y, t) for y in ys for t in tasks if valid[y].get(t, True)]
    confidence = 1 - alpha / max(len(tested), 1)
    per_seed = {}
    for y, t in tested:
        v = network_values(table, t, (x, y))
        per_seed[y, t] = np.array([_seed_rho(v[x][v["seed"] == s], v[y][v["seed"] == s])
                                   for s in np.unique(v["seed"])])
    pvalues = [inference.signflip_pvalue(per_seed[k]) for k in tested]
    adjusted = dict(zip(tested, inference.holm_adjust(pvalues) if pvalues else [],
                        strict=True))
    out = {}
    for y in ys:
        out[y] = []
        for t in tasks:
            if (y, t) not in per_seed:
                out[y].append(Bridge(t, x, y, False, alpha=alpha))
                continue
            rho = per_seed[y, t]
            low, high = inference.signflip_interval(rho, confidence)
            out[y].append(Bridge(t, x, y, True, tuple(map(float, rho)), float(rho.mean()),
                                 float(low), float(high), inference.signflip_pvalue(rho),
                                 float(adjusted[y, t]), alpha))
    return out


def bridge_markdown(rows: Mapping[str, Sequence[Bridge]]) -> str:
    """Table: one row per task, one column per bridge (``{column title: bridges}``)."""
    titles = list(rows)
    tasks = list(dict.fromkeys(b.task for bs in rows.values() for b in bs))
    by = {(title, b.task): b for title, bs in rows.items() for b in bs}
    body = [[task_label(task), *[by[title, task].cell() if (title, task) in by else "n/a"
                                 for title in titles]] for task in tasks]
    return markdown_table(["task", *titles], body)


def bridge_sentence(items: Sequence[Bridge], what: str) -> str:
    """A sentence: on which tasks ``what`` rises or falls with Z_mask, within seeds."""
    read = [b for b in items if b.valid]
    groups = {"rises": [], "falls": [], "no clear trend": []}
    for b in read:
        groups[b.direction].append(task_label(b.task))
    parts = []
    if groups["rises"]:
        parts.append(f"rises with {measure_label('z_mask')} on {join_names(groups['rises'])}")
    if groups["falls"]:
        parts.append(f"**falls** as {measure_label('z_mask')} rises on "
                     f"{join_names(groups['falls'])}, against the chain")
    if groups["no clear trend"]:
        parts.append(f"shows no clear rank correlation on "
                     f"{join_names(groups['no clear trend'])}")
    text = f"Within seeds, {what} " + "; ".join(parts) + "."
    unread = [task_label(b.task) for b in items if not b.valid]
    if unread:
        text += f" Not read on {join_names(unread)} (the measure is not valid there)."
    return text


def variant_markdown(variants: Mapping[str, Sequence[dict]], task: str, *,
                     regularizers: Sequence[str] = ("dropout", "l2")) -> str:
    """Table: one row per variant of the measure (``{label: records}``, e.g. from
    :func:`essay_lib.experiment.remeasure.z_mask_records`), with the mean Z_mask of the
    unregularized networks and each regularizer's seed-level trend (mean per-seed ρ and
    its exact sign-flip interval, not corrected for the rows)."""
    for r in regularizers:
        check_choice("regularizers entry", r, tuple(REGULARIZER_LABELS))
    rows = []
    for label, records in variants.items():
        base = [r["z_mask"] for r in records if r["task"] == task and r["regularizer"] == "none"]
        rows.append([label, f"{np.mean(base):.3f}", *[
            trend(list(records), task, reg, "z_mask").cell() for reg in regularizers]])
    header = ["variant", f"{measure_label('z_mask')}, no regularization",
              *[f"{REGULARIZER_LABELS.get(r, r)}: ρ" for r in regularizers]]
    return markdown_table(header, rows)
