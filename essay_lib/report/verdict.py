"""Chapter 07's verdict per variant and task, by the trend rules (the answer of chapter 05
is :mod:`essay_lib.report.answer`; this module reads each variant's records).

**The rules**, stated to the reader by :func:`rule_markdown` before any table:

1. *Seed-level trends.*  For each task, each network seed's Spearman ρ between strength
   and Z̄ along its own series, tested over seeds with the exact sign-flip test; the trend
   is the mean of those ρ with the inverted test's 95% interval
   (:mod:`essay_lib.report.trends`).
2. *The measure must be validated.*  Mixup, the positive control, must lower Z̄ on the
   task (its trend falls); otherwise the task reads **not validated**.
3. *The thesis.*  Where validated, dropout's trend **supports** the thesis when it falls,
   **contradicts** it when it rises, and is **inconclusive** otherwise.
4. *A correction for the number of intervals read.*  Per task the verdict reads three
   intervals (the control's trend, dropout's trend, dropout − L2 at matched fit); over
   all tasks those p-values go through Holm's step-down procedure at family-wise level
   5%, and a direction only counts when its test survives the correction.  An exact
   sign-flip test on n seeds never gives p below 2 / 2**n: where that is above Holm's
   first threshold (α / m for a family of m tests) no verdict can be reached at all, and
   the sentences say so (:attr:`TaskVerdict.decidable`, :func:`too_few_seeds`) instead of
   reading "not validated" or "inconclusive" into it.
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

from essay_lib.report import inference, stats, wording
from essay_lib.report import matched as matched_fit
from essay_lib.report.tables import markdown_table
from essay_lib.report.trends import (
    Trend,
    check_records,
    signed,
    tasks_of,
    trend,
)
from essay_lib.report.vocabulary import (
    join_names,
    penalty_phrase,
    regularizer_label,
    task_label,
)
from essay_lib.util.checks import check_int, check_probability

VERDICTS = ("supports", "contradicts", "inconclusive", "not validated")
ALPHA = 0.05


def seeds_needed(alpha: float = ALPHA, family_size: int = 1) -> int:
    """The fewest seeds with which an exact two-sided sign-flip test can reach Holm's first
    threshold ``alpha / family_size`` (:func:`~essay_lib.report.inference.can_reach`)."""
    alpha = check_probability("alpha", alpha)
    n = 1
    while not inference.can_reach(n, alpha, family_size):
        n += 1
    return n


def too_few_seeds(n_seeds: int, alpha: float = ALPHA, family_size: int = 1) -> str:
    """Why ``n_seeds`` seeds decide nothing, as a clause in lower case without decimals:
    the smallest p-value an exact sign-flip test on them can give (2 / 2**n, "1 in
    2**(n-1)"), the threshold it would have to reach (``alpha``, or Holm's first threshold
    ``alpha / family_size`` for a family of tests read together) and the seeds that would.

    ``too_few_seeds(5)``: "with 5 seeds no test can reach the 5% level (an exact
    sign-flip test on 5 seeds cannot give a p-value below 1 in 16; that takes at least 6
    seeds)".  Raises ``ValueError`` when the seeds are enough."""
    alpha = check_probability("alpha", alpha)
    n = check_int("n_seeds", n_seeds, 0)
    m = check_int("family_size", family_size, 1)
    if n >= 1 and inference.can_reach(n, alpha, m):
        raise ValueError(f"{n} seeds can reach {alpha:g} / {m}: they are not too few")
    seeds = f"{n} seed{'' if n == 1 else 's'}"
    floor = ("a trend over seeds needs at least 2 of them" if n < 2 else
             f"an exact sign-flip test on {seeds} cannot give a p-value below "
             f"1 in {2 ** (n - 1)}")
    needed = seeds_needed(alpha, m)
    level = f"{100 * alpha:g}%"
    if n < 1 or not inference.can_reach(n, alpha):
        family = "" if m == 1 else f", with the {m} tests read together by Holm's rule"
        return (f"with {seeds} no test can reach the {level} level ({floor}; that "
                f"takes at least {needed} seeds{family})")
    return (f"with {seeds} no test can reach Holm's first threshold for the {m} tests read "
            f"together ({level} over {m}, 1 in {round(m / alpha)}): {floor}; that takes "
            f"at least {needed} seeds")


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
    family_size: int = 1
    alpha: float = ALPHA

    @property
    def penalty_label(self) -> str:
        """The comparison penalty's name in prose and tables (``"L2"``, ``"AdamW"``)."""
        return regularizer_label(self.penalty.regularizer)

    @property
    def n_seeds(self) -> int:
        """The seeds behind the verdict: the fewer of the control's and dropout's trends."""
        return min(self.control.n_seeds, self.dropout.n_seeds)

    @property
    def decidable(self) -> bool:
        """Whether these seeds can reach a verdict at all: an exact sign-flip test on
        :attr:`n_seeds` seeds can give a p-value at Holm's first threshold
        ``alpha / family_size`` (``family_size``: the tests read together).  Where not,
        :attr:`verdict` still reads "not validated", by construction, not by the data."""
        return self.n_seeds >= 1 and inference.can_reach(self.n_seeds, self.alpha,
                                                         self.family_size)

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
    family = max(1, sum(p == p for p in pvalues))  # Holm counts the tests made (not NaN)
    return [TaskVerdict(task, measure, d, c, p, m, bool(r[0]), bool(r[1]), bool(r[2]),
                        family, alpha)
            for task, (d, c, p, m), r in zip(tasks, parts, rejected, strict=True)]


def rule_markdown(confidence: float = 0.95, alpha: float = ALPHA) -> str:
    """The rules as a markdown paragraph, to show the reader before the table."""
    confidence = check_probability("confidence", confidence)
    alpha = check_probability("alpha", alpha)
    return (
        f"**The rules, fixed before looking at the table.** (1) For each task and "
        f"regularizer, each *network seed's* Spearman $\\rho$ between strength and "
        f"$\\bar Z$ along its own series (its unregularized network counts as strength 0); "
        f"the trend is the mean of these $\\rho$ over seeds, with the {confidence:.0%} "
        f"interval of the exact sign-flip test over seeds. $\\bar Z$ **falls** (↓) when the "
        f"interval lies below 0, **rises** (↑) when it lies above. With $n$ seeds the test "
        f"cannot give a p-value below $2/2^n$, so too few seeds leave the interval unbounded "
        f"and decide nothing. (2) Mixup, the positive control, must lower "
        f"$\\bar Z$ on a task; otherwise the measure is **not validated** there. (3) Where it "
        f"is validated, a fall under dropout **supports** the paper's thesis, a rise "
        f"**contradicts** it, and anything else is **inconclusive**. (4) Each task's verdict "
        f"reads three tests (control, dropout, dropout − L2); across the tasks their "
        f"exact sign-flip p-values go through Holm's correction at family-wise level "
        f"{alpha:.0%}, and only surviving tests count. (5) Dropout and the L2 penalty are "
        f"compared at matched fit, each at the strength with the lowest validation loss, "
        f"paired by seed: the effect is **specific to dropout** only when dropout − L2 lies "
        f"below 0.")


def _change(c: stats.Change) -> str:
    return wording.interval(c.estimate, c.low, c.high, 2)


def _fmt(x: float) -> str:
    return wording.number(x, ".3g")


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


def undecided_clause(verdicts) -> str:
    """Why the undecidable ones of ``verdicts`` (anything with ``n_seeds``,
    ``family_size``, ``alpha``) decide nothing: :func:`too_few_seeds` of the fewest seeds
    and the largest family among them."""
    undecided = [v for v in verdicts if not v.decidable]
    if not undecided:
        raise ValueError("every verdict is decidable: there is nothing to explain")
    worst = min(undecided, key=lambda v: (v.n_seeds, -v.family_size))
    return too_few_seeds(worst.n_seeds, worst.alpha,
                         max(v.family_size for v in undecided if v.n_seeds == worst.n_seeds))


def verdict_cell(v) -> str:
    """The verdict in a table cell: ``**supports**``, or ``**undecidable** (5 seeds)`` where
    the seeds cannot reach a verdict (``v``: a :class:`TaskVerdict` or anything with
    ``verdict``, ``decidable`` and ``n_seeds``)."""
    return f"**{v.verdict}**" if v.decidable else f"**undecidable** ({v.n_seeds} seeds)"


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
            verdict_cell(v), v.specificity])
    return markdown_table(header, rows)


def _named(verdicts, predicate) -> list[str]:
    return [v.task for v in verdicts if predicate(v)]


def verdict_findings(verdicts: Sequence[TaskVerdict]) -> list[str]:
    """Markdown sentences reading the verdict table."""
    n = len(verdicts)
    out = []
    undecided = _named(verdicts, lambda v: not v.decidable)
    if undecided:
        out.append(f"On {join_names(undecided)} no verdict can be reached: "
                   f"{undecided_clause(verdicts)}.")
    verdicts = [v for v in verdicts if v.decidable]
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
