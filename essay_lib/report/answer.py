"""Chapter 05's answer: at the same fit, is dropout's function more linear than the others'?

The rules, fixed before the data are read (DESIGN.md §4), one family of tests:

1. **The trend** (one test per task): each seed's Spearman ρ between the drop rate and
   Z̄ along its own dropout path (the unregularized network at rate 0,
   :func:`~essay_lib.report.inference.seed_trends`), tested over seeds with the exact
   sign-flip test.  Z̄ **falls** with dropout when the mean ρ is negative and the test
   survives Holm's correction over the whole family; **rises** when positive; otherwise
   there is **no clear trend**.
2. **The excess at equal fit** (one test per task and comparator X: L1, L2, mixup and
   plain training stopped early): each seed's linearity excess Z̄_dropout(ℓ) − Z̄_X(ℓ)
   averaged over the loss range both paths cover
   (:func:`~essay_lib.report.frontier.linearity_excess`), its sign-flip p-value, and its
   interval read against δ by the four-way equivalence rule
   (:func:`~essay_lib.report.inference.equivalence_reading`).  The intervals of the
   family are simultaneous (confidence 1 − α/m for m tests, Bonferroni), so every
   "more linear" or "less linear" reading is also a test that survives the family's
   correction; seeds whose paths do not overlap in loss are left out (and counted).
3. **Validity**: a task enters only where the measure passed its checks there (chapter
   04); elsewhere it reads "measure not valid here", never a verdict.

δ, the smallest effect of interest, comes from chapter 04's dose–response unit (the
change of Z̄ that a 10 % affine blend makes) and is given per task.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from essay_lib.report import frontier, inference, wording
from essay_lib.report.table import paths
from essay_lib.report.tables import markdown_table
from essay_lib.report.vocabulary import join_names, regularizer_label, task_label
from essay_lib.util.checks import check_number, check_probability

__all__ = ["COMPARATORS", "Answer", "Comparison", "TaskAnswer", "TrendResult", "answer_markdown",
           "as_plain_text", "dropout_trend", "experiment_answer", "plain_answer",
           "replication_agreement", "replication_markdown", "rules_markdown"]

#: what dropout is compared with at equal fit
COMPARATORS = ("l1", "l2", "mixup", "early_stop")
ALPHA = 0.05
#: the readings that say dropout's function differs from the comparator's
DIRECTIONAL = ("more_linear", "slightly_more_linear", "less_linear", "slightly_less_linear")
#: the substantive reading of each code: what a student would repeat ("by less than δ" is a
#: size, not another answer); agreement between two answers is read on these
SUBSTANCE = {"more_linear": "more linear", "slightly_more_linear": "more linear",
             "as_linear": "as linear", "less_linear": "less linear",
             "slightly_less_linear": "less linear", "undetermined": "undetermined"}


@dataclass(frozen=True, eq=False)
class TrendResult:
    """Dropout's trend of Z̄ on one task: per-seed ρ, their mean, p and Holm's p."""

    rho: tuple[float, ...]
    estimate: float
    pvalue: float
    p_holm: float
    alpha: float

    @property
    def direction(self) -> str:
        """``"falls"``, ``"rises"`` or ``"no clear trend"``."""
        if self.p_holm > self.alpha:
            return "no clear trend"
        return "falls" if self.estimate < 0 else "rises"


@dataclass(frozen=True, eq=False)
class Comparison:
    """Dropout against one comparator on one task, at equal fit."""

    other: str
    excess: frontier.Excess
    result: inference.PairedResult
    p_holm: float

    @property
    def reading(self) -> str:
        return self.result.reading

    @property
    def words(self) -> str:
        return self.result.words(regularizer_label(self.other))


@dataclass(frozen=True, eq=False)
class TaskAnswer:
    """One task: validity, δ, dropout's trend, and the comparisons at equal fit."""

    task: str
    valid: bool
    delta: float
    trend: TrendResult | None
    comparisons: dict[str, Comparison]


@dataclass(frozen=True, eq=False)
class Answer:
    """Every task's answer, read as one family of tests."""

    tasks: dict[str, TaskAnswer]
    comparators: tuple[str, ...]
    alpha: float
    family_size: int
    confidence: float
    loss: str
    measure: str

    def readings(self) -> dict[tuple[str, str], str]:
        """(task, comparator) -> reading code, for the valid tasks."""
        return {(t, o): c.reading for t, a in self.tasks.items() if a.valid
                for o, c in a.comparisons.items()}


def dropout_trend(table, task: str, measure: str) -> np.ndarray:
    """Each seed's Spearman ρ between the drop rate and ``measure`` along its own dropout path
    (the unregularized network at rate 0), (n_seeds,), for seeds with the full path."""
    by_seed = paths(table, task, "dropout", x="strength", y=measure)
    seeds = sorted(by_seed)
    strengths = by_seed[seeds[0]][0]
    rows = [by_seed[s][2] for s in seeds if np.array_equal(by_seed[s][0], strengths)]
    return inference.seed_trends(strengths, np.array(rows))


def experiment_answer(table, tasks: Sequence[str], *, deltas: Mapping[str, float],
                      valid: Mapping[str, bool] | None = None,
                      comparators: Sequence[str] = COMPARATORS, alpha: float = ALPHA,
                      loss: str = "test_loss", measure: str = "z_bar") -> Answer:
    """The answer of every task in ``tasks`` (see the module docstring for the rules).

    ``table``: :func:`essay_lib.report.table.record_table` of the experiment's records;
    ``deltas``: task -> δ (> 0, in Z̄ units); ``valid``: task -> whether the measure passed
    its checks there (default: every task); ``loss``: the fit axis (``"test_loss"``, or
    ``"train_loss"`` for the second reading).
    """
    alpha = check_probability("alpha", alpha)
    valid = dict.fromkeys(tasks, True) if valid is None else dict(valid)
    tested = [t for t in tasks if valid.get(t, False)]
    m = len(tested) * (1 + len(comparators))
    confidence = 1 - alpha / max(m, 1)
    trends, comparisons, pvalues = {}, {}, []
    for task in tested:
        delta = check_number(f"deltas[{task!r}]", deltas[task], minimum=0.0, low_closed=False)
        rho = dropout_trend(table, task, measure)
        trends[task] = (rho, inference.signflip_pvalue(rho))
        pvalues.append(trends[task][1])
        for other in comparators:
            excess = frontier.linearity_excess(table, task, "dropout", other, loss=loss,
                                               measure=measure)
            values = excess.excess[np.isfinite(excess.excess)]
            result = inference.paired_result(values, delta=delta, confidence=confidence)
            comparisons[task, other] = (excess, result)
            pvalues.append(result.pvalue)
    adjusted = iter(inference.holm_adjust(pvalues) if pvalues else [])
    out = {}
    for task in tasks:
        if task not in tested:
            out[task] = TaskAnswer(task, False, float(deltas.get(task, np.nan)), None, {})
            continue
        rho, p = trends[task]
        trend = TrendResult(tuple(map(float, rho)), float(rho.mean()), p, next(adjusted), alpha)
        comps = {}
        for other in comparators:
            excess, result = comparisons[task, other]
            comps[other] = Comparison(other, excess, result, next(adjusted))
        out[task] = TaskAnswer(task, True, float(deltas[task]), trend, comps)
    return Answer(out, tuple(comparators), alpha, m, confidence, loss, measure)


# ---------------------------------------------------------------- words and tables
def _cell(c: Comparison) -> str:
    r = c.result
    return f"{c.words} ({wording.interval(r.estimate, r.low, r.high)}, {r.n} seeds)"


def answer_markdown(answer: Answer) -> str:
    """One row per task: δ, the trend, and dropout's reading against each comparator
    with its mean excess and simultaneous interval."""
    header = ["task", "δ", "Z̄ with the drop rate", *(f"vs {regularizer_label(o)}"
                                                    for o in answer.comparators)]
    rows = []
    for task, a in answer.tasks.items():
        if not a.valid:
            rows.append([task_label(task), "—", "measure not valid here",
                         *["—"] * len(answer.comparators)])
            continue
        t = a.trend
        trend = f"{t.direction} (mean ρ {wording.signed(t.estimate)}, Holm p {t.p_holm:.2g})"
        rows.append([task_label(task), f"{a.delta:.3f}", trend,
                     *(_cell(a.comparisons[o]) for o in answer.comparators)])
    return markdown_table(header, rows)


def rules_markdown(answer: Answer) -> str:
    """The rules of the answer as a paragraph, with the family's numbers."""
    return (
        f"**The rules, fixed before the data are read.** Every number is one per network "
        f"seed, and every test is the exact sign-flip test over seeds. (1) *Trend*: each "
        f"seed's Spearman ρ between drop rate and $\\bar Z$; $\\bar Z$ falls (rises) when "
        f"the mean ρ is negative (positive) and the test survives Holm's correction. "
        f"(2) *Excess at equal fit*: each seed's $\\bar Z_{{\\mathrm{{dropout}}}}(\\ell) - "
        f"\\bar Z_X(\\ell)$, averaged over the {answer.loss.replace('_', ' ')} range both "
        f"paths cover, with a {answer.confidence:.2%} interval (simultaneous over the "
        f"family of {answer.family_size} tests, so that a reading is a claim the family "
        f"supports), read against δ: entirely below −δ, *more linear*; below 0, "
        f"*slightly more linear*; inside ±δ, *as linear*; the mirror readings; otherwise "
        f"*undetermined*. (3) A task counts only where chapter 04 found the measure valid.")


def _count(answer: Answer, reading_codes: Sequence[str]) -> list[tuple[str, str]]:
    return [(t, o) for (t, o), r in answer.readings().items() if r in reading_codes]


def plain_answer(answer: Answer) -> str:
    """The answer in plain words, counts first: what dropout does to Z̄ as its rate rises,
    then how its function compares with the others' at the same fit."""
    valid = [t for t, a in answer.tasks.items() if a.valid]
    invalid = [t for t, a in answer.tasks.items() if not a.valid]
    directions = {t: answer.tasks[t].trend.direction for t in valid}
    falls = [t for t in valid if directions[t] == "falls"]
    rises = [t for t in valid if directions[t] == "rises"]
    parts = [f"As the drop rate rises, the networks' $\\bar Z$ falls on {len(falls)} of "
             f"{len(valid)} tasks" + (f" ({join_names([task_label(t) for t in falls])})"
                                      if falls else "")]
    if rises:
        parts.append(f"and **rises** on {len(rises)} "
                     f"({join_names([task_label(t) for t in rises])}), against the thesis")
    sentence = " ".join(parts) + "."
    n_cells = len(valid) * len(answer.comparators)
    groups = [("more linear", ("more_linear", "slightly_more_linear")),
              ("as linear", ("as_linear",)),
              ("less linear", ("less_linear", "slightly_less_linear")),
              ("undetermined", ("undetermined",))]
    counts = []
    for words, codes in groups:
        cells = _count(answer, codes)
        if cells:
            counts.append(f"{words} in {len(cells)}")
    comparators = join_names([regularizer_label(o) for o in answer.comparators])
    sentence += (f" But every way of loosening the fit lowers $\\bar Z$, so the question is "
                 f"what happens **at the same fit**: there, compared with {comparators} "
                 f"on each task ({n_cells} comparisons), dropout's function is "
                 f"{join_names(counts)}.")
    if invalid:
        sentence += (f" On {join_names([task_label(t) for t in invalid])} the measure did "
                     f"not pass its checks, so no verdict is read there.")
    return sentence


def as_plain_text(markdown: str) -> str:
    """A sentence of this module without its markup (for alt texts and plain captions):
    Z̄ for ``$\\bar Z$``, no bold."""
    return markdown.replace("$\\bar Z$", "Z̄").replace("**", "")


def replication_agreement(main: Answer, fresh: Answer) -> dict[str, list]:
    """Which trends and (task, comparator) readings a second answer repeats: the same
    substantive reading (:data:`SUBSTANCE`: "slightly more linear" and "more linear" are one
    answer; a trend in the same direction) counts, and every disagreement is listed.  A task
    where either answer found the measure not valid is a disagreement unless both did, and
    even then it is not counted as agreement (nothing was read there).  Returns
    ``{"same": [...], "different": [(key, main, fresh)], "unread": [task, ...]}`` with
    trend keys ``(task, "trend")``."""
    same, different, unread = [], [], []
    for task, a in main.tasks.items():
        b = fresh.tasks.get(task)
        if b is None or not (a.valid and b.valid):
            if b is not None and not a.valid and not b.valid:
                unread.append(task)
            else:
                different.append(((task, "validity"), a.valid, None if b is None else b.valid))
            continue
        pairs = [((task, "trend"), a.trend.direction, b.trend.direction)]
        pairs += [((task, o), SUBSTANCE[a.comparisons[o].reading],
                   SUBSTANCE[b.comparisons[o].reading])
                  for o in main.comparators if o in b.comparisons]
        for key, x, y in pairs:
            (same.append(key) if x == y else different.append((key, x, y)))
    return {"same": same, "different": different, "unread": unread}


def replication_markdown(agreement: dict[str, list], *,
                         intro: str = "On fresh network seeds and a fresh data split") -> str:
    """A sentence: how many readings a second answer repeats (substantively), and each one
    it does not; ``intro`` says what the second answer is."""
    same, different = agreement["same"], agreement["different"]
    total = len(same) + len(different)
    text = f"{intro}, {len(same)} of {total} readings came out the same."
    if different:
        items = []
        for (task, what), x, y in different:
            name = "the trend" if what == "trend" else (
                "validity" if what == "validity" else f"against {regularizer_label(what)}")
            items.append(f"{task_label(task)}, {name}: "
                         f"{str(x).replace('_', ' ')} → {str(y).replace('_', ' ')}")
        text += " Different: " + "; ".join(items) + "."
    if agreement.get("unread"):
        text += (" Not read in either (the measure not valid): "
                 + join_names([task_label(t) for t in agreement["unread"]]) + ".")
    return text
