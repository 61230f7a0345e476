"""Chapter 06's verdict on the paper's *mechanism*: do dropout's sub-networks add up?

Input: sweep records holding ``z_mask`` (sub-network additivity, DESIGN.md §3b),
``mc_gap`` (Monte Carlo averaging against weight scaling) and ``z_bar``
(:mod:`essay_lib.experiment.metrics`).  Pure functions of the records they are given.

**The rules** (chapter 05's, :mod:`essay_lib.report.verdict`, applied to Z_mask):

1. *Seed-level trends.*  Per task and regularizer, Spearman's ρ between strength and
   Z_mask over every network of the series, with an interval from a bootstrap over
   network seeds (:func:`essay_lib.report.trends.trend`).
2. *The mechanism.*  Dropout's sub-networks **add up more** as the drop rate rises when
   that trend falls, **add up less** when it rises, else the result is **inconclusive**.
3. *Specific to dropout?*  Dropout and the L2 penalty at their validation-chosen
   strengths, compared by seed (:func:`essay_lib.report.matched.matched_comparison`).
4. *Correction.*  Per task two tests (dropout's trend, dropout − L2); over all tasks their
   p-values go through Holm's procedure at family-wise level 5%.

There is no positive-control gate here: mixup asks for linear behaviour between
*examples* (input space), not between sub-networks, so its Z_mask trend is reported
beside dropout's, not required.

**The bridges.**  Across all networks of a task (every regularizer and strength), the
seed-level Spearman correlation (:func:`essay_lib.report.stats.seed_spearman`) of
Z_mask with the MC − weight-scaling gap (chapter 02: the gap vanishes when sub-networks
add up) and with input-space Z̄ (chapter 05: does the mechanism predict the effect?).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from essay_lib.report import matched as matched_fit
from essay_lib.report import stats
from essay_lib.report.tables import markdown_table
from essay_lib.report.trends import (
    Trend,
    check_records,
    direction,
    signed,
    tasks_of,
    trend,
    value_of,
)
from essay_lib.report.verdict import comparison_penalty
from essay_lib.report.vocabulary import (
    REGULARIZER_LABELS,
    join_names,
    measure_label,
    penalty_phrase,
    regularizer_label,
    task_label,
)

MECHANISM_VERDICTS = ("add up more", "add up less", "inconclusive")
ALPHA = 0.05


@dataclass(frozen=True)
class MechanismVerdict:
    """The mechanism on one task: Z_mask's trends and the matched comparison with the
    penalty (``penalty``: its trend, the L2 penalty's unless told otherwise, named by
    :attr:`penalty_label`)."""

    task: str
    measure: str
    dropout: Trend
    penalty: Trend
    mixup: Trend | None
    matched: matched_fit.MatchedComparison
    holm_dropout: bool
    holm_matched: bool

    @property
    def penalty_label(self) -> str:
        """The comparison penalty's name in prose and tables (``"L2"``)."""
        return regularizer_label(self.penalty.regularizer)

    @property
    def verdict(self) -> str:
        """One of :data:`MECHANISM_VERDICTS` (rule 2, after the Holm correction)."""
        if self.holm_dropout and self.dropout.direction == "falls":
            return "add up more"
        if self.holm_dropout and self.dropout.direction == "rises":
            return "add up less"
        return "inconclusive"

    @property
    def specificity(self) -> str:
        """One of :data:`essay_lib.report.matched.SPECIFICITY` (rule 3, Holm-gated)."""
        return matched_fit.gated_specificity(self.matched, self.holm_matched)


def mechanism_verdicts(records, *, measure: str = "z_mask", tasks: Sequence[str] | None = None,
                       alpha: float = ALPHA, confidence: float = 0.95, n_boot: int = 2000,
                       seed: int = 0, penalty: str = "l2") -> list[MechanismVerdict]:
    """One :class:`MechanismVerdict` per task (first-seen order), by the module's rules;
    ``penalty``: the grid key dropout is compared with at matched fit."""
    records = check_records(records)
    tasks = tasks_of(records) if tasks is None else list(tasks)
    kw = {"confidence": confidence, "n_boot": n_boot, "seed": seed}
    present = {(r["task"], r["regularizer"]) for r in records}
    parts = []
    for task in tasks:
        mixup = trend(records, task, "mixup", measure, **kw) if (task, "mixup") in present else None
        parts.append((trend(records, task, "dropout", measure, **kw),
                      trend(records, task, penalty, measure, **kw), mixup,
                      matched_fit.matched_comparison(records, task, "dropout", penalty, measure,
                                                     **kw)))
    pvalues = [p for d, _, _, m in parts for p in (d.pvalue, m.difference.pvalue)]
    rejected = stats.holm(pvalues, alpha).reshape(len(tasks), 2)
    return [MechanismVerdict(task, measure, d, p, mix, m, bool(r[0]), bool(r[1]))
            for task, (d, p, mix, m), r in zip(tasks, parts, rejected, strict=True)]


@dataclass(frozen=True)
class Bridge:
    """Spearman's ρ of ``y`` against ``x`` over every network of a task, with a seed-level
    interval (``n`` networks, ``n_seeds`` seeds)."""

    task: str
    x: str
    y: str
    rho: float
    low: float
    high: float
    n: int
    n_seeds: int
    pvalue: float

    @property
    def direction(self) -> str:
        """``"falls"`` / ``"rises"`` / ``"no clear trend"``, read from the interval."""
        return direction(self.low, self.high)

    def cell(self) -> str:
        if math.isnan(self.rho):
            return "n/a"
        return f"{signed(self.rho)} [{signed(self.low)}, {signed(self.high)}]"


def network_values(records, task: str, measures: Sequence[str]) -> dict[str, np.ndarray]:
    """Every network of ``task``: ``{measure: (n,)}`` plus ``seed``, ``regularizer`` and
    ``strength``; networks with a missing value of any measure are left out."""
    rows = [r for r in check_records(records) if r["task"] == task]
    if not rows:
        raise ValueError(f"no records for task {task!r}; tasks: {tasks_of(records)}")
    values = np.array([[value_of(r, m) for m in measures] for r in rows], dtype=float)
    ok = np.all(np.isfinite(values), axis=1)
    out = {m: values[ok, i] for i, m in enumerate(measures)}
    out["seed"] = np.array([int(r["seed"]) for r in rows])[ok]
    out["regularizer"] = np.array([r["regularizer"] for r in rows])[ok]
    out["strength"] = np.array([float(r["strength"]) for r in rows])[ok]
    return out


def bridge(records, task: str, x: str = "z_mask", y: str = "z_bar", *,
           confidence: float = 0.95, n_boot: int = 2000, seed: int = 0) -> Bridge:
    """The :class:`Bridge` of ``y`` against ``x`` on ``task`` (ρ NaN when either is
    constant or fewer than 2 seeds)."""
    v = network_values(records, task, (x, y))
    n, n_seeds = len(v[x]), len(np.unique(v["seed"]))
    if n >= 3 and n_seeds >= 2 and np.ptp(v[x]) > 0 and np.ptp(v[y]) > 0:
        c = stats.seed_spearman(v[x], v[y], v["seed"], n_boot=n_boot, confidence=confidence,
                                seed=seed)
        return Bridge(task, x, y, c.estimate, c.low, c.high, n, n_seeds, c.pvalue)
    return Bridge(task, x, y, math.nan, math.nan, math.nan, n, n_seeds, math.nan)


def bridges(records, y: str, *, x: str = "z_mask", tasks: Sequence[str] | None = None,
            **kw) -> list[Bridge]:
    """:func:`bridge` of ``y`` against ``x`` on every task (first-seen order)."""
    tasks = tasks_of(check_records(records)) if tasks is None else list(tasks)
    return [bridge(records, t, x, y, **kw) for t in tasks]


def variant_markdown(variants: Mapping[str, Sequence[dict]], task: str, *,
                     regularizers: Sequence[str] = ("dropout", "l2"), seed: int = 0,
                     n_boot: int = 2000) -> str:
    """Table: one row per variant of the measure (``{label: records}``, e.g. from
    :func:`essay_lib.experiment.remeasure.z_mask_records`), with the mean Z_mask of the
    unregularized networks and each regularizer's seed-level trend."""
    rows = []
    for label, records in variants.items():
        base = [r["z_mask"] for r in records if r["task"] == task and r["regularizer"] == "none"]
        rows.append([label, f"{np.mean(base):.3f}", *[
            trend(list(records), task, reg, "z_mask", seed=seed, n_boot=n_boot).cell()
            for reg in regularizers]])
    header = ["variant", f"{measure_label('z_mask')}, no regularization",
              *[f"{REGULARIZER_LABELS.get(r, r)}: ρ" for r in regularizers]]
    return markdown_table(header, rows)


# ---------------------------------------------------------------- tables and sentences
def _change(c: stats.Change) -> str:
    return f"{signed(c.estimate)} [{signed(c.low)}, {signed(c.high)}]".replace("+0.00", "0.00")


def _trend_cell(t: Trend | None, survived: bool = True) -> str:
    if t is None:
        return "n/a"
    return t.cell() + ("" if survived or t.direction == "no clear trend" else " (not after Holm)")


def mechanism_markdown(verdicts: Sequence[MechanismVerdict]) -> str:
    """The mechanism table: one row per task."""
    penalty = comparison_penalty(verdicts)
    header = ["task", "dropout: ρ", f"{penalty_phrase(penalty)}: ρ", "mixup: ρ",
              f"dropout − {regularizer_label(penalty)} at matched fit: "
              f"Δ{measure_label('z_mask')}", "sub-networks", "dropout-specific?"]
    rows = [[task_label(v.task), _trend_cell(v.dropout, v.holm_dropout),
             _trend_cell(v.penalty),
             _trend_cell(v.mixup), _change(v.matched.difference), f"**{v.verdict}**",
             v.specificity] for v in verdicts]
    return markdown_table(header, rows)


def bridge_markdown(rows: dict[str, Sequence[Bridge]]) -> str:
    """Table: one row per task, one column per bridge (``{column title: bridges}``)."""
    titles = list(rows)
    tasks = list(dict.fromkeys(b.task for bs in rows.values() for b in bs))
    by = {(t, b.task): b for t, bs in rows.items() for b in bs}
    body = [[task_label(task), *[by[t, task].cell() if (t, task) in by else "n/a"
                                 for t in titles]] for task in tasks]
    return markdown_table(["task", *titles], body)


def trend_sentence(v: MechanismVerdict) -> str:
    """One sentence with the numbers of one task's verdict (markdown)."""
    d = v.dropout
    return (f"On {task_label(v.task)}, {measure_label(v.measure)} against the drop rate has "
            f"ρ = {signed(d.rho)} [{signed(d.low)}, {signed(d.high)}] over {d.n} networks "
            f"({d.n_seeds} seeds): dropout's sub-networks **{v.verdict}**"
            f"{'' if v.verdict == 'inconclusive' else ' as the drop rate rises'}; under the "
            f"{penalty_phrase(v.penalty.regularizer)} ρ = {signed(v.penalty.rho)}; at matched "
            f"fit the result is "
            f"*{v.specificity}*.")


def bridge_sentence(items: Sequence[Bridge], what: str) -> str:
    """A sentence counting the tasks where ``what`` rises / falls with Z_mask (markdown)."""
    rises = [b.task for b in items if b.direction == "rises"]
    falls = [b.task for b in items if b.direction == "falls"]
    cells = "; ".join(f"{task_label(b.task)}: ρ = {b.cell()}" for b in items)
    parts = []
    if rises:
        parts.append(f"rises with {measure_label('z_mask')} on {join_names(rises)}")
    if falls:
        parts.append(f"falls as {measure_label('z_mask')} rises on {join_names(falls)}")
    rest = len(items) - len(rises) - len(falls)
    if rest:
        parts.append(f"shows no clear rank correlation on {rest} of {len(items)} tasks")
    return f"Across networks, {what} " + "; ".join(parts) + f" ({cells})."


def mechanism_sentence(verdicts: Sequence[MechanismVerdict],
                       z_bridges: Sequence[Bridge] | None = None) -> str:
    """One plain-text sentence of the mechanism's verdict over all tasks (chapters 06 and 08,
    README): counts and task names, no decimals (a rerun does not make it flicker)."""
    n = len(verdicts)
    by = {w: [v.task for v in verdicts if v.verdict == w] for w in MECHANISM_VERDICTS}
    words = {"add up more": "dropout's sub-networks add up more as the drop rate rises",
             "add up less": "they add up less",
             "inconclusive": "the trend is inconclusive"}
    parts = [f"{words[w]} on {len(by[w])} of {n} tasks ({join_names(by[w])})"
             for w in MECHANISM_VERDICTS if by[w]]
    sentence = "In mask space (Z_mask, seed-level intervals, Holm-corrected), " + "; ".join(parts)
    more = [v for v in verdicts if v.verdict == "add up more"]
    if more:
        specific = [v for v in more if v.specificity == "specific to dropout"]
        sentence += (f"; at matched fit that is specific to dropout on {len(specific)} of "
                     f"those {len(more)}")
    if z_bridges:
        rises = [b.task for b in z_bridges if b.direction == "rises"]
        sentence += (f"; across networks, Z_mask ranks with input-space Z̄ on {len(rises)} of "
                     f"{len(z_bridges)} tasks" + (f" ({join_names(rises)})" if rises else ""))
    return sentence + "."
