"""Measured effects of each regularizer: curves over strength, effect sizes, the analogy table.

Chapter 08 fills in the paper's analogy (L1 → sparsity, L2 → small weights,
dropout → linearity) with numbers from the sweep records of chapter 05.  The
records, the series (a regularizer's records plus the unregularized ones at
strength 0) and the trend rule (each seed's Spearman ρ, tested over seeds with the exact
sign-flip test: falls / rises / no clear trend) are those of
:mod:`essay_lib.report.trends`.

* An **effect size** is the mean over seeds of (measure at the strongest setting
  − measure without regularization), paired by seed, with a percentile bootstrap
  interval over seeds (:func:`essay_lib.report.stats.bootstrap_mean_interval`).
* A **claim** (:class:`Claim`) names a regularizer, a measure and the direction
  the paper's analogy predicts; on a task it **held** when the measure's trend
  goes that way, went the **opposite** way when the trend is the reverse, and
  is **unclear** when the interval of ρ contains 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from essay_lib.report import stats, wording
from essay_lib.report.trends import Trend, check_records, series, trend
from essay_lib.report.vocabulary import REGULARIZER_LABELS, join_names, measure_label, task_label
from essay_lib.util.checks import check_choice

OUTCOMES = ("held", "opposite", "unclear")
_MARKS = {"held": "✓", "opposite": "✗", "unclear": "?"}


def strength_curves(records, task: str, measure: str,
                    regularizers: Sequence[str] = ("dropout", "l1", "l2", "mixup"), *,
                    confidence: float = 0.95, n_boot: int = 2000, seed: int = 0
                    ) -> tuple[dict, tuple[float, float, float]]:
    """Per regularizer, the mean of ``measure`` over seeds at each strength, with its interval.

    Returns ``(curves, baseline)``: ``curves[reg]`` maps ``strength``, ``mean``,
    ``low``, ``high`` to arrays in increasing strength (strength 0 = the
    unregularized networks); ``baseline`` = (mean, low, high) without
    regularization.  The shape :func:`essay_lib.report.plotting.plot_strength_panels` draws.
    """
    curves = {}
    for reg in regularizers:
        s, v, _ = series(records, task, reg, measure)
        levels = np.unique(s)
        rows = [stats.bootstrap_mean_interval(v[s == lv], confidence, n_boot, seed)
                for lv in levels]
        curves[reg] = {"strength": levels, "mean": np.array([r.estimate for r in rows]),
                       "low": np.array([r.low for r in rows]),
                       "high": np.array([r.high for r in rows])}
    with_zero = [c for c in curves.values() if c["strength"][0] == 0]
    if not with_zero:
        raise ValueError(f"no unregularized ('none') records for task {task!r}")
    b = with_zero[0]
    return curves, (float(b["mean"][0]), float(b["low"][0]), float(b["high"][0]))


def setting_means(records, task: str, regularizer: str, measures: Sequence[str]) -> list[dict]:
    """Per strength of the series (0 = no regularization first), the mean over seeds of each
    measure: ``[{"strength": s, "n": seeds, measure: mean, ...}, ...]``."""
    columns = {m: series(records, task, regularizer, m) for m in measures}
    levels = np.unique(np.concatenate([c[0] for c in columns.values()]))
    return [{"strength": float(lv), "n": int(np.sum(columns[measures[0]][0] == lv)),
             **{m: float(np.mean(v[s == lv])) if np.any(s == lv) else math.nan
                for m, (s, v, _) in columns.items()}} for lv in levels]


def best_setting(records, task: str, regularizer: str, measures: Sequence[str], *,
                 by: str = "test_loss") -> dict:
    """The row of :func:`setting_means` with the lowest mean ``by`` (ties: the weakest)."""
    rows = setting_means(records, task, regularizer, (by, *[m for m in measures if m != by]))
    return min(rows, key=lambda r: (r[by], r["strength"]))


@dataclass(frozen=True)
class Effect:
    """Mean change of a measure from no regularization to the strongest setting, by seed."""

    task: str
    regularizer: str
    measure: str
    strength: float      # the strongest setting of the series
    baseline: float      # mean without regularization (over the paired seeds)
    strongest: float     # mean at the strongest setting (over the paired seeds)
    change: float        # mean over seeds of (strongest − baseline)
    low: float
    high: float
    n_seeds: int

    def cell(self) -> str:
        """``"0.213 → 0.121 (−0.092 [−0.110, −0.070])"`` for a markdown table: three
        significant digits of the larger mean, the same decimals throughout."""
        size = max(abs(self.baseline), abs(self.strongest))
        digits = max(0, 2 - math.floor(math.log10(size))) if size > 0 else 3
        f = lambda x, sign="": wording.number(x, f"{sign}.{digits}f")  # noqa: E731
        return (f"{f(self.baseline)} → {f(self.strongest)} "
                f"({f(self.change, '+')} [{f(self.low)}, {f(self.high)}])")


def effect(records, task: str, regularizer: str, measure: str, *, confidence: float = 0.95,
           n_boot: int = 2000, seed: int = 0) -> Effect:
    """:class:`Effect` of the strongest ``regularizer`` setting on ``measure``, paired by seed."""
    s, v, seeds = series(records, task, regularizer, measure)
    top = float(s.max())
    base = {int(k): float(x) for k, x, lv in zip(seeds, v, s, strict=True) if lv == 0}
    strong = {int(k): float(x) for k, x, lv in zip(seeds, v, s, strict=True) if lv == top}
    common = sorted(set(base) & set(strong))
    if top == 0 or not common:
        raise ValueError(f"task {task!r}, {regularizer!r}, {measure!r}: need seeds measured both "
                         f"without regularization and at the strongest setting")
    diffs = np.array([strong[k] - base[k] for k in common])
    ci = stats.bootstrap_mean_interval(diffs, confidence, n_boot, seed)
    return Effect(task, regularizer, measure, top, float(np.mean([base[k] for k in common])),
                  float(np.mean([strong[k] for k in common])), ci.estimate, ci.low, ci.high,
                  len(common))


@dataclass(frozen=True)
class Claim:
    """One arm of the analogy: ``regularizer`` should make ``measure`` go ``expected``
    (``"rises"`` or ``"falls"``) as its strength grows."""

    regularizer: str
    measure: str
    expected: str

    def __post_init__(self):
        check_choice("expected", self.expected, ("rises", "falls"))

    @property
    def label(self) -> str:
        arrow = "↑" if self.expected == "rises" else "↓"
        return f"{REGULARIZER_LABELS.get(self.regularizer, self.regularizer)} → " \
               f"{measure_label(self.measure)} {arrow}"


#: The paper's analogy (its three arms), then dropout against the other measures of linearity.
CLAIMS = (Claim("l1", "weight_sparsity", "rises"), Claim("l2", "weight_norm", "falls"),
          Claim("dropout", "z_bar", "falls"), Claim("dropout", "taleb_h", "falls"),
          Claim("dropout", "affine_nonlinearity", "falls"),
          Claim("dropout", "linear_pieces", "falls"), Claim("dropout", "jacobian_norm", "falls"),
          Claim("dropout", "z_bar_raw", "falls"))


def outcome(claim: Claim, t: Trend) -> str:
    """``"held"`` / ``"opposite"`` / ``"unclear"``: the trend against the claim's direction."""
    if t.direction == claim.expected:
        return "held"
    return "unclear" if t.direction == "no clear trend" else "opposite"


@dataclass(frozen=True)
class AnalogyRow:
    """A claim measured on one task: its trend, its effect size and the outcome."""

    claim: Claim
    trend: Trend
    effect: Effect

    @property
    def task(self) -> str:
        return self.trend.task

    @property
    def outcome(self) -> str:
        return outcome(self.claim, self.trend)


def analogy_rows(records, claims: Sequence[Claim] = CLAIMS, *, tasks: Sequence[str] | None = None,
                 confidence: float = 0.95, n_boot: int = 2000, seed: int = 0
                 ) -> list[AnalogyRow]:
    """One :class:`AnalogyRow` per (claim, task); a measure that is ``None`` on a task
    (linear pieces beyond 2-D inputs) is skipped there."""
    records = check_records(records)
    tasks = list(dict.fromkeys(r["task"] for r in records)) if tasks is None else list(tasks)
    out = []
    for claim in claims:
        for task in tasks:
            if len(series(records, task, claim.regularizer, claim.measure)[0]) == 0:
                continue
            kw = {"confidence": confidence, "n_boot": n_boot, "seed": seed}
            out.append(AnalogyRow(claim, trend(records, task, claim.regularizer, claim.measure,
                                               **kw),
                                  effect(records, task, claim.regularizer, claim.measure, **kw)))
    return out


def analogy_markdown(rows: Sequence[AnalogyRow], *, what: str = "trend") -> str:
    """Markdown table, one line per claim and one column per task.

    ``what="trend"``: outcome mark (✓ held, ✗ opposite, ? unclear), ρ and its
    interval; ``what="effect"``: no regularization → strongest setting, and the
    paired change with its interval.
    """
    check_choice("what", what, ("trend", "effect"))
    tasks = list(dict.fromkeys(r.task for r in rows))
    claims = list(dict.fromkeys(r.claim for r in rows))
    lines = ["| claim | " + " | ".join(task_label(t) for t in tasks) + " |",
             "|---|" + "---|" * len(tasks)]
    for claim in claims:
        cells = []
        for task in tasks:
            row = next((r for r in rows if r.claim == claim and r.task == task), None)
            if row is None:
                cells.append("n/a")
            elif what == "trend":
                cells.append(f"{_MARKS[row.outcome]} ρ "
                             f"{wording.interval(row.trend.rho, row.trend.low, row.trend.high, 2)}")
            else:
                cells.append(row.effect.cell())
        lines.append(f"| {claim.label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def analogy_findings(rows: Sequence[AnalogyRow]) -> list[str]:
    """One markdown sentence per claim: on how many tasks it held, went the opposite way,
    or stayed unclear, with the task names."""
    out = []
    for claim in dict.fromkeys(r.claim for r in rows):
        mine = [r for r in rows if r.claim == claim]
        by = {o: [r.task for r in mine if r.outcome == o] for o in OUTCOMES}
        parts = [f"held on {len(by['held'])} of {len(mine)} tasks"
                 + (f" ({join_names(by['held'])})" if by["held"] else "")]
        if by["opposite"]:
            parts.append(f"went the opposite way on {join_names(by['opposite'])}")
        if by["unclear"]:
            parts.append(f"was unclear on {join_names(by['unclear'])}")
        out.append(f"**{claim.label}**: " + "; ".join(parts) + ".")
    return out


def forest_rows(rows: Sequence[AnalogyRow]) -> list[dict]:
    """Rows for :func:`essay_lib.report.plotting.plot_rank_correlations` (label, group = the
    task, regularizer = the line's colour, rho, low, high)."""
    return [{"label": r.claim.label, "group": task_label(r.task),
             "regularizer": r.claim.regularizer, "rho": r.trend.rho,
             "low": r.trend.low, "high": r.trend.high} for r in rows
            if not math.isnan(r.trend.rho)]


def relative_curves(records, task: str, measures: Sequence[str], regularizer: str = "dropout",
                    *, confidence: float = 0.95, n_boot: int = 2000, seed: int = 0
                    ) -> dict[str, dict]:
    """Per measure, :func:`strength_curves` of ``regularizer`` divided by the mean without
    regularization (1 = no change), for
    :func:`essay_lib.report.plotting.plot_relative_measures`.  Measures that are ``None``
    on the task (linear pieces beyond 2-D inputs) are left out."""
    out = {}
    for m in measures:
        if len(series(records, task, regularizer, m)[0]) == 0:
            continue
        curves, (base, _, _) = strength_curves(records, task, m, (regularizer,),
                                               confidence=confidence, n_boot=n_boot, seed=seed)
        c = curves[regularizer]
        out[m] = {"strength": c["strength"], **{k: c[k] / base for k in ("mean", "low", "high")}}
    return out
