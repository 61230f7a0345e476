"""Paired contrasts, comparisons at matched fit, and whether training reached its plateau.

Input: sweep records (see :mod:`essay_lib.report.trends`).  Every comparison pairs
networks by seed (the same initial weights and data order) and resamples seeds.

* :func:`paired_contrasts`: for each strength of a regularizer, the mean over seeds of
  (measure at that strength − measure without regularization), with an interval and a
  bootstrap p-value;
* :func:`chosen_strength`: the strength with the lowest mean validation loss over seeds;
* :func:`matched_comparison`: two regularizers, each at its validation-chosen strength
  (so each fits as well as it can), compared by seed on a measure and on the test loss.
  "Specific to dropout" is decided by the interval of this *difference*
  (:func:`specificity`), never by one effect being significant and the other not;
* :func:`plateau`: whether a task's unregularized networks had stopped improving on their
  training data by the end of training (from the records' loss curves).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from essay_lib.report import stats
from essay_lib.report.trends import check_records, series, value_of
from essay_lib.report.vocabulary import regularizer_label
from essay_lib.util.checks import check_number


def specificity_labels(penalty: str = "l2") -> tuple[str, str, str, str]:
    """The four readings of dropout against the comparison ``penalty`` (a grid key, named
    by its :func:`~essay_lib.report.vocabulary.regularizer_label`) at matched fit: specific
    to dropout, shared with the penalty, the penalty lowers it more, no effect to share."""
    name = regularizer_label(penalty)
    return ("specific to dropout", f"shared with {name}", f"{name} lowers it more",
            "no effect to share")


#: The readings against chapter 05's comparison, the L2 penalty.
SPECIFICITY = specificity_labels("l2")


def _by_seed(records, task, regularizer, strength, measure) -> dict[int, float]:
    rows = [r for r in records if r["task"] == task and r["regularizer"] == regularizer
            and (regularizer == "none" or float(r["strength"]) == float(strength))]
    return {int(r["seed"]): v for r in rows if math.isfinite(v := value_of(r, measure))}


def _pair(records, task, a, b, measure, **kw) -> stats.Change:
    """Change from networks ``a`` = (regularizer, strength) to ``b``, paired by seed."""
    first, second = (_by_seed(records, task, *x, measure) for x in (a, b))
    common = sorted(set(first) & set(second))
    if not common:
        raise ValueError(f"task {task!r}: no seed was measured for both {a} and {b} "
                         f"({measure!r})")
    return stats.paired_change([first[s] for s in common], [second[s] for s in common], **kw)


@dataclass(frozen=True)
class Contrast:
    """The change of ``measure`` from no regularization to ``regularizer`` at ``strength``."""

    task: str
    regularizer: str
    measure: str
    strength: float
    change: stats.Change


def paired_contrasts(records, task: str, regularizer: str, measure: str = "z_bar", *,
                     confidence: float = 0.95, n_boot: int = 2000, seed: int = 0
                     ) -> list[Contrast]:
    """One :class:`Contrast` per strength of ``regularizer`` (in increasing order)."""
    records = check_records(records)
    strengths = sorted({float(r["strength"]) for r in records
                        if r["task"] == task and r["regularizer"] == regularizer})
    if not strengths:
        raise ValueError(f"no records for task {task!r} and regularizer {regularizer!r}")
    kw = {"confidence": confidence, "n_boot": n_boot, "seed": seed}
    return [Contrast(task, regularizer, measure, s,
                     _pair(records, task, ("none", 0.0), (regularizer, s), measure, **kw))
            for s in strengths]


def chosen_strength(records, task: str, regularizer: str, *, by: str = "validation_loss"
                    ) -> float:
    """The strength (0 = no regularization) with the lowest mean ``by`` over seeds; ties
    go to the weakest.  Raises ValueError when the records have no ``by`` values."""
    s, v, _ = series(check_records(records), task, regularizer, by)
    if len(s) == 0:
        raise ValueError(f"task {task!r}: the records hold no {by!r}; a validation split "
                         f"(task_args validation_fraction) is needed to choose a strength")
    levels = np.unique(s)
    means = [float(np.mean(v[s == lv])) for lv in levels]
    return float(levels[int(np.argmin(means))])


@dataclass(frozen=True)
class MatchedComparison:
    """Regularizers ``a`` and ``b``, each at its validation-chosen strength.

    ``difference``: measure(a) − measure(b) by seed; ``loss_difference``: the same for the
    test loss (near 0 when the fits are matched); ``a_change``/``b_change``: each against
    no regularization.
    """

    task: str
    measure: str
    a: str
    b: str
    strength_a: float
    strength_b: float
    difference: stats.Change
    loss_difference: stats.Change
    a_change: stats.Change
    b_change: stats.Change


def matched_comparison(records, task: str, a: str = "dropout", b: str = "l2",
                       measure: str = "z_bar", *, by: str = "validation_loss",
                       loss: str = "test_loss", confidence: float = 0.95, n_boot: int = 2000,
                       seed: int = 0) -> MatchedComparison:
    """See :class:`MatchedComparison`; strengths chosen by :func:`chosen_strength`."""
    records = check_records(records)
    sa, sb = (chosen_strength(records, task, r, by=by) for r in (a, b))
    net_a = ("none", 0.0) if sa == 0 else (a, sa)
    net_b = ("none", 0.0) if sb == 0 else (b, sb)
    kw = {"confidence": confidence, "n_boot": n_boot, "seed": seed}
    return MatchedComparison(
        task, measure, a, b, sa, sb, _pair(records, task, net_b, net_a, measure, **kw),
        _pair(records, task, net_b, net_a, loss, **kw),
        _pair(records, task, ("none", 0.0), net_a, measure, **kw),
        _pair(records, task, ("none", 0.0), net_b, measure, **kw))


def specificity(m: MatchedComparison) -> str:
    """One of :func:`specificity_labels` of the comparison penalty ``m.b``, from the
    interval of dropout − penalty at matched fit (with L2: :data:`SPECIFICITY`).

    ``"no effect to share"`` when dropout at its chosen strength does not lower the
    measure (its paired change's interval does not lie below 0); otherwise
    ``"specific to dropout"`` if dropout − penalty lies below 0, ``"L2 lowers it more"``
    (the penalty's name) if it lies above 0, and ``"shared with L2"`` if the interval
    contains 0.
    """
    specific, shared, penalty_more, no_effect = specificity_labels(m.b)
    if not m.a_change.high < 0:
        return no_effect
    if m.difference.high < 0:
        return specific
    if m.difference.low > 0:
        return penalty_more
    return shared


@dataclass(frozen=True)
class Plateau:
    """How much of its whole decrease a task's mean training loss made in the last
    ``window`` of the epochs (``late_share``), and whether that is below ``tolerance``;
    ``test_change``: the mean test loss at the end minus at the start of the window."""

    task: str
    regularizer: str
    late_share: float
    reached: bool
    test_change: float
    window_start: int
    epochs: int


def plateau(records, task: str, regularizer: str = "none", *, window: float = 0.25,
            tolerance: float = 0.05) -> Plateau:
    """:class:`Plateau` of the mean (over seeds) loss curves of ``regularizer``'s networks."""
    window = check_number("window", window, minimum=0, maximum=1, low_closed=False,
                          high_closed=False)
    tolerance = check_number("tolerance", tolerance, minimum=0)
    rows = [r for r in check_records(records)
            if r["task"] == task and r["regularizer"] == regularizer and r.get("curve")]
    if not rows:
        raise ValueError(f"no loss curves for task {task!r} and regularizer {regularizer!r}")
    epochs = np.asarray(rows[0]["curve"]["epoch"])
    train = np.mean([r["curve"]["train_loss"] for r in rows], axis=0)
    test = np.mean([r["curve"]["test_loss"] for r in rows], axis=0)
    start = int(np.searchsorted(epochs, (1 - window) * epochs[-1]))
    total = train[0] - train[-1]
    late = train[start] - train[-1]
    share = float(late / total) if total > 0 else 0.0
    return Plateau(task, regularizer, share, share <= tolerance, float(test[-1] - test[start]),
                   int(epochs[start]), int(epochs[-1]))


def gated_specificity(comparison: MatchedComparison, corrected: bool) -> str:
    """:func:`specificity` after the verdict's correction: a difference between dropout
    and the penalty that does not survive it (``corrected`` False) reads "shared with L2"
    (the penalty's name)."""
    specific, shared, penalty_more, _ = specificity_labels(comparison.b)
    spec = specificity(comparison)
    if spec in (specific, penalty_more) and not corrected:
        return shared
    return spec
