"""Chapter 06's answer: which ways of training reproduce dropout's effect on Z̄ at the same fit?

The tests of the mechanism that could fail (DESIGN.md §3b), read by the frontier rules of §4.
Each *series* is a path of networks over a strength: dropout on two hidden layers (chapter
05's), dropout with **one** hidden layer (where Z_mask = 0 for every network), Gaussian
dropout, dropout's explicit penalty trained deterministically, dropout on the last or the
first hidden layer only, and the L2 penalty (:data:`SERIES`).

**Its effect** on one task: per seed, the linearity excess of the series over plain
training stopped early *of the same architecture* (the unregularized network's own
trajectory, :data:`REFERENCE`), Z̄_series(ℓ) − Z̄_reference(ℓ) averaged over the test-loss
range both paths cover (:func:`~essay_lib.report.frontier.linearity_excess`); negative:
more linear than plain training at the same fit.  Read against δ (chapter 04's unit) by the
four-way equivalence rule.

**Does it reproduce dropout's effect?**  Per seed, the series' effect minus the effect of
dropout on two hidden layers (seeds paired: the same seeds, initial weights and data
order), read by the same rule: inside ±δ, *matches dropout*; below 0, *more linear than
dropout*; above, *less linear than dropout*; otherwise *undetermined*.  Never "matches"
because an interval contains 0.  Note that dropout's own effect may be of either sign:
matching it means ending where
dropout ends, whatever that is.

All p-values (every effect and every difference, over all valid tasks) form one Holm family;
the intervals are simultaneous (confidence 1 − α/m).  A task counts only where chapter 04
found Z̄ valid; the one-hidden-layer series counts only where Z̄ is valid for one-hidden-layer
networks too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from essay_lib.report import frontier, inference, wording
from essay_lib.report.tables import markdown_table
from essay_lib.report.vocabulary import join_names, regularizer_label, task_label
from essay_lib.util.checks import check_number, check_probability

__all__ = ["ALPHA", "REFERENCE", "SERIES", "MechanismTests", "SeriesResult", "TaskTests",
           "mechanism_tests", "tests_markdown", "tests_sentence"]

ALPHA = 0.05
#: The series of the answer, in the figure's order; ``dropout_one_layer`` is read from the
#: one-hidden-layer table (as ``"dropout"`` there)
SERIES = ("dropout", "dropout_one_layer", "gaussian_dropout", "dropout_penalty",
          "dropout_last", "dropout_first", "l2")
#: The reference path at the same fit: plain training stopped early
REFERENCE = "early_stop"
#: How the reading of "series − dropout" is said: where the series ends at the same fit,
#: relative to dropout (two hidden layers)
VERSUS_WORDS = {"more_linear": "more linear than dropout",
                "slightly_more_linear": "more linear than dropout",
                "as_linear": "matches dropout", "slightly_less_linear": "less linear than dropout",
                "less_linear": "less linear than dropout", "undetermined": "undetermined"}
#: The substance of an effect's reading (what a student would repeat)
SUBSTANCE = {"more_linear": "more linear", "slightly_more_linear": "more linear",
             "as_linear": "as linear", "slightly_less_linear": "less linear",
             "less_linear": "less linear", "undetermined": "undetermined"}
#: How the reading of a series' effect against plain training is said
EFFECT_WORDS = {"more_linear": "more linear", "slightly_more_linear": "slightly more linear",
                "as_linear": "as linear", "slightly_less_linear": "slightly less linear",
                "less_linear": "less linear", "undetermined": "undetermined"}


@dataclass(frozen=True, eq=False)
class SeriesResult:
    """One series on one task: its per-seed excess over the reference (``excess``), the
    effect's :class:`~essay_lib.report.inference.PairedResult`, and the difference from
    dropout's effect (``None`` for dropout itself), with Holm's p of each."""

    series: str
    excess: frontier.Excess
    effect: inference.PairedResult
    p_holm: float
    versus: inference.PairedResult | None
    p_holm_versus: float

    @property
    def effect_words(self) -> str:
        return EFFECT_WORDS[self.effect.reading]

    @property
    def versus_words(self) -> str:
        return "—" if self.versus is None else VERSUS_WORDS[self.versus.reading]


@dataclass(frozen=True, eq=False)
class TaskTests:
    """One task: validity, δ, and the result of each series (those that could be read)."""

    task: str
    valid: bool
    delta: float
    series: dict[str, SeriesResult]
    unread: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class MechanismTests:
    """Every task's tests, one Holm family."""

    tasks: dict[str, TaskTests]
    alpha: float
    family_size: int
    confidence: float


def _excess(two_layers, one_layer, task: str, series: str) -> frontier.Excess:
    if series == "dropout_one_layer":
        return frontier.linearity_excess(one_layer, task, "dropout", REFERENCE)
    return frontier.linearity_excess(two_layers, task, series, REFERENCE)


def mechanism_tests(two_layers, one_layer, tasks: Sequence[str], *,
                    deltas: Mapping[str, float], valid: Mapping[str, bool],
                    valid_one_layer: Mapping[str, bool] | None = None,
                    series: Sequence[str] = SERIES, alpha: float = ALPHA) -> MechanismTests:
    """The tests of the module docstring.

    ``two_layers``: a :func:`~essay_lib.report.table.record_table` of chapter 05's networks
    together with the two-hidden-layer variants (:mod:`essay_lib.experiment.mechanism`);
    ``one_layer``: that of the one-hidden-layer networks; ``deltas``: task -> δ (Z̄ units);
    ``valid``: task -> whether Z̄ is valid there (chapter 04); ``valid_one_layer``: the same
    for one-hidden-layer networks (default: as ``valid``).
    """
    alpha = check_probability("alpha", alpha)
    series = tuple(series)
    if "dropout" not in series:
        raise ValueError(f"series must include 'dropout' (the effect others are compared "
                         f"with), got {series}")
    valid_one = dict(valid) if valid_one_layer is None else dict(valid_one_layer)
    tested = [t for t in tasks if valid.get(t, False)]
    raw, pvalues = {}, []
    for task in tested:
        delta = check_number(f"deltas[{task!r}]", deltas[task], minimum=0.0, low_closed=False)
        per = {s: _excess(two_layers, one_layer, task, s) for s in series
               if s != "dropout_one_layer" or valid_one.get(task, False)}
        raw[task] = (delta, per)
    m = sum(2 * len(per) - 1 for _, per in raw.values())
    confidence = 1 - alpha / max(m, 1)
    results = {}
    for task, (delta, per) in raw.items():
        base = per["dropout"]
        base_by_seed = dict(zip(base.seeds.tolist(), base.excess, strict=True))
        for s, excess in per.items():
            values = excess.excess[np.isfinite(excess.excess)]
            effect = inference.paired_result(values, delta=delta, confidence=confidence)
            versus = None
            if s != "dropout":
                diff = np.array([e - base_by_seed[k] for k, e in
                                 zip(excess.seeds.tolist(), excess.excess, strict=True)
                                 if k in base_by_seed and np.isfinite(e)
                                 and np.isfinite(base_by_seed[k])])
                versus = inference.paired_result(diff, delta=delta, confidence=confidence)
            results[task, s] = (excess, effect, versus)
            pvalues.append(effect.pvalue)
            if versus is not None:
                pvalues.append(versus.pvalue)
    adjusted = iter(inference.holm_adjust(pvalues) if pvalues else [])
    out = {}
    for task in tasks:
        if task not in raw:
            out[task] = TaskTests(task, False, float(deltas.get(task, np.nan)), {})
            continue
        delta, per = raw[task]
        found = {}
        for s in per:
            excess, effect, versus = results[task, s]
            p = next(adjusted)
            pv = next(adjusted) if versus is not None else np.nan
            found[s] = SeriesResult(s, excess, effect, float(p), versus, float(pv))
        unread = tuple(s for s in series if s not in per)
        out[task] = TaskTests(task, True, delta, found, unread)
    return MechanismTests(out, alpha, m, confidence)


#: How a series is named inside a sentence (the figure's labels are shorter)
PROSE = {"dropout": "dropout on two hidden layers", "dropout_one_layer":
         "dropout with one hidden layer", "gaussian_dropout": "Gaussian dropout",
         "dropout_penalty": "dropout's explicit penalty",
         "dropout_last": "dropout on the last layer only",
         "dropout_first": "dropout on the first layer only", "l2": "the L2 penalty"}


def series_label(series: str) -> str:
    """How a series is named (``"dropout"`` on two hidden layers: "dropout, two layers")."""
    return "dropout, two hidden layers" if series == "dropout" else regularizer_label(series)


def tests_markdown(tests: MechanismTests) -> str:
    """One row per (task, series): the effect against plain training at the same fit (mean
    excess, simultaneous interval, reading) and the comparison with dropout's effect."""
    rows = []
    for task, t in tests.tasks.items():
        if not t.valid:
            rows.append([task_label(task), "—", "measure not valid here", "—"])
            continue
        for s, r in t.series.items():
            e = r.effect
            cell = f"{wording.interval(e.estimate, e.low, e.high)} ({r.effect_words}, {e.n} seeds)"
            versus = "—" if r.versus is None else (
                f"{wording.interval(r.versus.estimate, r.versus.low, r.versus.high)} "
                f"({r.versus_words})")
            rows.append([task_label(task), series_label(s), cell, versus])
        for s in t.unread:
            rows.append([task_label(task), series_label(s), "measure not valid here", "—"])
    return markdown_table(["task", "series", "Z̄ − plain training's at the same fit",
                           "minus dropout's effect"], rows)


def tests_sentence(tests: MechanismTests) -> str:
    """The chapter's answer in plain words, counts and names only (no decimals): dropout's
    own effect, which series match it on every valid task, on some, or on none, and what the
    two tests without sub-networks (one hidden layer, Gaussian dropout) say about
    sub-network additivity."""
    read = [t for t in tests.tasks.values() if t.valid]
    if not read:
        return "On no task is Z̄ valid, so no test of the mechanism can be read."
    n = len(read)
    effects = {}
    for t in read:
        effects.setdefault(SUBSTANCE[t.series["dropout"].effect.reading], []).append(t)
    text = ("At the same fit as plain training stopped early, dropout's function (two hidden "
            "layers) is " + "; ".join(
                f"{w} on {len(ts)} of {n} tasks ({join_names([task_label(t.task) for t in ts])})"
                for w, ts in effects.items()) + ".")
    others = [s for s in SERIES if s != "dropout" and any(s in t.series for t in read)]
    found, never = [], []
    for s in others:
        words = [t.series[s].versus_words for t in read if s in t.series]
        same = sum(w == "matches dropout" for w in words)
        if not same:
            never.append(PROSE.get(s, series_label(s)))
        else:
            found.append(f"{PROSE.get(s, series_label(s))} on "
                         + ("every task" if same == len(words) else f"{same} of {len(words)}"))
    text += " Within δ, the same result comes from " + (join_names(found) if found else
                                                        "none of the other ways of training")
    text += (f"; from {join_names(never)} on no task." if never and found else ".")
    more = effects.get("more linear", [])
    if not more:
        return text + (" So there is no linearizing effect at the same fit for sub-network "
                       "additivity to explain.")
    names = join_names([task_label(t.task) for t in more])
    for s, what in (("gaussian_dropout", "Gaussian dropout (no unit ever removed)"),
                    ("dropout_one_layer", "dropout with one hidden layer (where sub-networks "
                                          "add up exactly)")):
        found = [t for t in more if s in t.series]
        if not found:
            continue
        substance = [SUBSTANCE[t.series[s].effect.reading] for t in found]
        kept = substance.count("more linear")
        unknown = substance.count("undetermined")
        head = f" Where dropout is more linear ({names}), {what}"
        if kept == len(found):
            text += (f"{head} is more linear than plain training too: sub-networks are not "
                     f"needed for that effect.")
        elif unknown == len(found):
            text += f"{head} is undetermined against plain training: this test cannot decide."
        elif kept == 0 and unknown == 0:
            text += (f"{head} is not more linear than plain training: this test could have "
                     f"refuted the mechanism there and did not.")
        else:
            text += (f"{head} is more linear than plain training on {kept} of {len(found)} "
                     f"tasks ({unknown} undetermined).")
    return text
