"""The computed verdict on the paper's thesis (chapter 05), from sweep records.

**The rules**, stated to the reader by :func:`rule_markdown` before any table:

1. *Seed-level trends.*  For each task, Spearman's ρ between strength and Z̄ over every
   network of a series, with a 95% interval from a bootstrap over network seeds
   (:mod:`essay_lib.report.trends`).
2. *The measure must be validated.*  Mixup, the positive control, must lower Z̄ on the
   task (its trend falls); otherwise the task reads **not validated**.
3. *The thesis.*  Where validated, dropout's trend **supports** the thesis when it falls,
   **contradicts** it when it rises, and is **inconclusive** otherwise.
4. *A correction for the number of intervals read.*  Per task the verdict reads three
   intervals (the control's trend, dropout's trend, dropout − L2 at matched fit); over
   all tasks those p-values go through Holm's step-down procedure at family-wise level
   5%, and a direction only counts when its test survives the correction.
5. *Specific to dropout?*  Dropout and the L2 penalty, each at its validation-chosen
   strength, compared by seed (:func:`essay_lib.report.matched.matched_comparison`):
   **specific to dropout** when dropout − L2 lies below 0, **shared with L2** when that
   interval contains 0 (or does not survive the correction), **L2 lowers it more** when
   it lies above 0; **no effect to share** when dropout does not lower Z̄ at its chosen
   strength.  "L2" is a coupled L2 penalty added to the loss inside Adam (not
   decoupled weight decay).  Chapter 07 compares dropout with another penalty in some
   variants (AdamW's decoupled weight decay): the verdict then names that penalty
   (:attr:`TaskVerdict.penalty_label`, "shared with AdamW").

Every function is a pure function of the records it is given; sentences are built
from the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from essay_lib.report import matched as matched_fit
from essay_lib.report import speccurve, stats
from essay_lib.report.speccurve import Agreement
from essay_lib.report.tables import markdown_table
from essay_lib.report.trends import (
    Trend,
    check_records,
    find_trend,
    signed,
    tasks_of,
    trend,
)
from essay_lib.report.vocabulary import (
    REGULARIZER_LABELS,
    join_names,
    measure_label,
    penalty_phrase,
    regularizer_label,
    task_label,
)
from essay_lib.util.checks import check_probability

VERDICTS = ("supports", "contradicts", "inconclusive", "not validated")
ALPHA = 0.05


@dataclass(frozen=True)
class TaskVerdict:
    """The verdict on one task: the three intervals it reads and their Holm decisions.

    ``penalty``: the trend of the penalty dropout is compared with at matched fit (the L2
    penalty in chapter 05; AdamW's weight decay in one of chapter 07's variants), named
    by :attr:`penalty_label`.
    """

    task: str
    measure: str
    dropout: Trend
    control: Trend
    penalty: Trend
    matched: matched_fit.MatchedComparison
    holm_dropout: bool
    holm_control: bool
    holm_matched: bool

    @property
    def penalty_label(self) -> str:
        """The comparison penalty's name in prose and tables (``"L2"``, ``"AdamW"``)."""
        return regularizer_label(self.penalty.regularizer)

    @property
    def validated(self) -> bool:
        return self.control.direction == "falls" and self.holm_control

    @property
    def verdict(self) -> str:
        if not self.validated:
            return "not validated"
        if self.holm_dropout and self.dropout.direction == "falls":
            return "supports"
        if self.holm_dropout and self.dropout.direction == "rises":
            return "contradicts"
        return "inconclusive"

    @property
    def specificity(self) -> str:
        return matched_fit.gated_specificity(self.matched, self.holm_matched)


def task_verdicts(records, *, measure: str = "z_bar", tasks: Sequence[str] | None = None,
                  control: str = "mixup", alpha: float = ALPHA, confidence: float = 0.95,
                  n_boot: int = 2000, seed: int = 0, dropout: str = "dropout",
                  penalty: str = "l2") -> list[TaskVerdict]:
    """One :class:`TaskVerdict` per task (first-seen order), read by the module's rules.

    ``dropout``/``penalty``: the grid keys read as "dropout" and as the penalty it is
    compared with (chapter 07 reads input dropout, or decoupled weight decay, by the same
    rules; the labels then name them)."""
    records = check_records(records)
    tasks = tasks_of(records) if tasks is None else list(tasks)
    kw = {"confidence": confidence, "n_boot": n_boot, "seed": seed}
    parts = []
    for task in tasks:
        parts.append((trend(records, task, dropout, measure, **kw),
                      trend(records, task, control, measure, **kw),
                      trend(records, task, penalty, measure, **kw),
                      matched_fit.matched_comparison(records, task, dropout, penalty, measure,
                                                     **kw)))
    pvalues = [p for d, c, _, m in parts for p in (d.pvalue, c.pvalue, m.difference.pvalue)]
    rejected = stats.holm(pvalues, alpha).reshape(len(tasks), 3)
    return [TaskVerdict(task, measure, d, c, p, m, bool(r[0]), bool(r[1]), bool(r[2]))
            for task, (d, c, p, m), r in zip(tasks, parts, rejected, strict=True)]


def rule_markdown(confidence: float = 0.95, alpha: float = ALPHA) -> str:
    """The rules as a markdown paragraph, to show the reader before the table."""
    confidence = check_probability("confidence", confidence)
    alpha = check_probability("alpha", alpha)
    return (
        f"**The rules, fixed before looking at the table.** (1) For each task and "
        f"regularizer, Spearman's $\\rho$ between strength and $\\bar Z$ over every trained "
        f"network of the series (the unregularized networks count as strength 0), with a "
        f"{confidence:.0%} interval from a bootstrap over *network seeds*: a seed's whole "
        f"series is resampled together. $\\bar Z$ **falls** (↓) when the interval lies below "
        f"0, **rises** (↑) when it lies above. (2) Mixup, the positive control, must lower "
        f"$\\bar Z$ on a task; otherwise the measure is **not validated** there. (3) Where it "
        f"is validated, a fall under dropout **supports** the paper's thesis, a rise "
        f"**contradicts** it, and anything else is **inconclusive**. (4) Each task's verdict "
        f"reads three tests (control, dropout, dropout − L2); across the tasks their "
        f"bootstrap p-values go through Holm's correction at family-wise level "
        f"{alpha:.0%}, and only surviving tests count. (5) Dropout and the L2 penalty are "
        f"compared at matched fit, each at the strength with the lowest validation loss, "
        f"paired by seed: the effect is **specific to dropout** only when dropout − L2 lies "
        f"below 0.")


def _change(c: stats.Change) -> str:
    return f"{signed(c.estimate)} [{signed(c.low)}, {signed(c.high)}]".replace("+0.00", "0.00")


def _fmt(x: float) -> str:
    return f"{x:.3g}".replace("-", "−")


def _holm_note(t: Trend, survived: bool) -> str:
    """A trend cell, marked when its direction does not survive the Holm correction."""
    return t.cell() + ("" if survived or t.direction == "no clear trend" else
                       " (not after Holm)")


def comparison_penalty(verdicts) -> str:
    """The grid key of the penalty every one of ``verdicts`` compares dropout with
    (``"l2"`` in chapter 05), or ``"penalty"`` when they compare with different ones (or
    there are none): what the tables' column titles name."""
    keys = {v.penalty.regularizer for v in verdicts}
    return keys.pop() if len(keys) == 1 else "penalty"


def verdict_markdown(verdicts: Sequence[TaskVerdict]) -> str:
    """The verdict table: one row per task."""
    penalty = comparison_penalty(verdicts)
    header = ["task", "mixup (control): ρ", "dropout: ρ", f"{penalty_phrase(penalty)}: ρ",
              f"dropout − {regularizer_label(penalty)} at matched fit: Δ$\\bar Z$ "
              f"(Δ test loss)", "thesis", "dropout-specific?"]
    rows = []
    for v in verdicts:
        m = v.matched
        rows.append([
            task_label(v.task), _holm_note(v.control, v.holm_control),
            _holm_note(v.dropout, v.holm_dropout), v.penalty.cell(),
            f"{_change(m.difference)} ({_change(m.loss_difference)}); strengths "
            f"{_fmt(m.strength_a)} / {_fmt(m.strength_b)}",
            f"**{v.verdict}**", v.specificity])
    return markdown_table(header, rows)


def _named(verdicts, predicate) -> list[str]:
    return [v.task for v in verdicts if predicate(v)]


def verdict_findings(verdicts: Sequence[TaskVerdict]) -> list[str]:
    """Markdown sentences reading the verdict table."""
    n = len(verdicts)
    out = []
    gated = _named(verdicts, lambda v: not v.validated)
    if gated:
        out.append(f"The positive control does not lower $\\bar Z$ on {join_names(gated)}: "
                   f"there the measure is not validated, and dropout's result does not count.")
    for word, phrase in (("supports", "support"), ("contradicts", "contradict"),
                         ("inconclusive", "are inconclusive about")):
        hit = [v for v in verdicts if v.verdict == word]
        if hit:
            rhos = "; ".join(f"{task_label(v.task)}: ρ = {signed(v.dropout.rho)}" for v in hit)
            out.append(f"The data {phrase} the paper's thesis on {len(hit)} of {n} tasks "
                       f"({rhos}).")
    readings = dict.fromkeys(spec for v in verdicts
                             for spec in matched_fit.specificity_labels(v.penalty.regularizer)[:3])
    for spec in readings:
        hit = _named(verdicts, lambda v, s=spec: v.verdict == "supports" and v.specificity == s)
        if hit:
            out.append(f"Where dropout lowers $\\bar Z$, at matched fit the effect is "
                       f"**{spec}** on {join_names(hit)}.")
    return out


def headline_sentence(verdicts: Sequence[TaskVerdict], agreements: Sequence[Agreement] = (),
                      replicated: Sequence[str] | None = None) -> str:
    """One plain-text sentence of the verdict (README, index page): counts and names only
    (no decimals, so it does not flicker with the last digit of a rerun)."""
    n = len(verdicts)
    by = {w: _named(verdicts, lambda v, w=w: v.verdict == w) for w in VERDICTS}
    verbs = {"supports": ("supports", "support", " the paper's thesis"),
             "contradicts": ("contradicts", "contradict", " it"),
             "inconclusive": ("is inconclusive", "are inconclusive", ""),
             "not validated": ("fails the positive control", "fail the positive control", "")}
    parts = [f"{len(by[w])} of {n} tasks {verbs[w][len(by[w]) != 1]}{verbs[w][2]} "
             f"({join_names(by[w])})" for w in VERDICTS if by[w]]
    sentence = "By seed-level intervals with a Holm correction, " + "; ".join(parts)
    specific = _named(verdicts, lambda v: v.verdict == "supports"
                      and v.specificity == "specific to dropout")
    if by["supports"]:
        sentence += (f"; at matched fit the effect is specific to dropout on "
                     f"{len(specific)} of those {len(by['supports'])}")
    if agreements:
        total = sum(a.n_specs for a in agreements)
        agree = sum(a.n_agree for a in agreements)
        sentence += f"; {agree} of {total} specifications of Z̄ give the same verdicts"
    if replicated is not None:
        sentence += (f"; on fresh seeds the verdict replicated on {len(replicated)} of {n} "
                     f"tasks")
    return sentence + "."


def replication_markdown(main: Sequence[TaskVerdict], fresh: Sequence[TaskVerdict],
                         labels: tuple[str, str] = ("main seeds", "fresh seeds")) -> str:
    """Table: per task, the verdict, its specificity and dropout's ρ on both sets of seeds,
    and whether each agrees."""
    fresh_by = {v.task: v for v in fresh}
    rows = []
    for v in main:
        w = fresh_by.get(v.task)
        rows.append([task_label(v.task), f"{v.verdict}, {v.specificity} ({v.dropout.cell()})",
                     "n/a" if w is None else
                     f"{w.verdict}, {w.specificity} ({w.dropout.cell()})",
                     "n/a" if w is None else ("yes" if w.verdict == v.verdict else "**no**"),
                     "n/a" if w is None else ("yes" if w.specificity == v.specificity
                                              else "**no**")])
    return markdown_table(["task", *labels, "verdict replicated?", "specificity replicated?"],
                          rows)


def replicated_tasks(main: Sequence[TaskVerdict], fresh: Sequence[TaskVerdict]) -> list[str]:
    """Tasks whose verdict is the same on both sets of seeds."""
    fresh_by = {v.task: v.verdict for v in fresh}
    return [v.task for v in main if fresh_by.get(v.task) == v.verdict]


# ---------------------------------------------------------------- other measures
def measures_markdown(trends: Sequence[Trend], measures: Sequence[str],
                      regularizers: Sequence[str] = ("dropout", "l2", "mixup")) -> str:
    """Markdown table: one row per (task, regularizer), one ρ cell per measure."""
    rows = []
    for task in tasks_of(trends):
        for reg in regularizers:
            cells = [find_trend(trends, task, reg, m) for m in measures]
            if any(c is not None for c in cells):
                rows.append([task_label(task), REGULARIZER_LABELS.get(reg, reg),
                             *["n/a" if c is None else c.cell() for c in cells]])
    return markdown_table(["task", "regularizer", *[measure_label(m) for m in measures]], rows)


def measure_agreement(trends: Sequence[Trend], task: str, regularizer: str,
                      measures: Sequence[str], reference: str = "z_bar") -> tuple[int, int]:
    """(how many of ``measures`` move like ``reference`` by the rule, how many were measured)."""
    ref = find_trend(trends, task, regularizer, reference)
    if ref is None:
        raise ValueError(f"no {reference!r} trend for task {task!r} and {regularizer!r}")
    found = [t for m in measures if (t := find_trend(trends, task, regularizer, m)) is not None]
    return sum(t.direction == ref.direction for t in found), len(found)


def raw_vs_normalised(trends: Sequence[Trend], regularizers: Sequence[str] = ("dropout", "l2"),
                      raw: str = "z_bar_raw", normalised: str = "z_bar") -> list[str]:
    """Sentences naming each (task, regularizer) where the raw measure falls but the
    normalised one does not: output shrinkage mistaken for linearity (empty: never)."""
    out = []
    for task in tasks_of(trends):
        for reg in regularizers:
            r, z = find_trend(trends, task, reg, raw), find_trend(trends, task, reg, normalised)
            if r is None or z is None or r.direction != "falls" or z.direction == "falls":
                continue
            verb, reading = (("rises", "the shape becomes less linear") if z.direction == "rises"
                             else ("shows no clear trend",
                                   "the shape does not steadily become more linear"))
            out.append(f"On {task_label(task)}, {REGULARIZER_LABELS[reg]} makes "
                       f"{measure_label(raw)} fall (ρ = {signed(r.rho)}) while "
                       f"{measure_label(normalised)} {verb} (ρ = {signed(z.rho)}): the "
                       f"outputs shrink, but by {measure_label(normalised)} {reading}.")
    return out


@dataclass(frozen=True)
class EssayVerdict:
    """Everything the headline reads: the main verdicts, the specification curve's
    agreement, the verdicts on fresh seeds, the replicated tasks and the sentence."""

    verdicts: list
    agreements: list
    fresh: list
    replicated: list
    headline: str


def essay_verdict(records, fresh_records, *, seed: int = 0) -> EssayVerdict:
    """The whole verdict of chapter 05 from its records and the replication's (chapters 05
    and 08 and the README read the same sentence)."""
    verdicts = task_verdicts(records, seed=seed)
    agreements = speccurve.agreement(speccurve.specification_verdicts(records, seed=seed))
    fresh = task_verdicts(fresh_records, seed=seed)
    replicated = replicated_tasks(verdicts, fresh)
    return EssayVerdict(verdicts, agreements, fresh, replicated,
                        headline_sentence(verdicts, agreements, replicated))
