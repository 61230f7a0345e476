"""The fit frontier and dropout's linearity excess (DESIGN.md §4).

Each seed's strength path of a regularizer (:func:`essay_lib.report.table.paths`, the
unregularized network included) traces points (loss, Z̄).  Read as a polyline in strength
order, it says how linear a function that regularizer reaches at each level of fit.

**The crossing rule.**  At a loss level ℓ, the path's value is the Z̄ where the polyline
crosses ℓ (linear interpolation on every segment whose loss range contains ℓ).  A path
can cross one level more than once: test loss typically falls and then rises with the
strength (weak regularization overfits, strong underfits), so one level of test loss is
met once on each side.  There the value is the **lowest** Z̄ among the crossings: the most
linear function that regularizer reaches at that fit, its *frontier*.  The question is
whether dropout reaches a more linear function than another regularizer at the same fit;
giving each regularizer its own best (most linear) point answers it without favouring
either side (the rule is the same for both, so swapping them negates the excess), and it
does not depend on which crossing came first in strength, which says nothing about
linearity.  An average of the crossings would mix two different functions into one
that no network computes.  On training loss, paths are mostly monotone in strength and
the rule rarely has to choose.

**The excess** of path a over path b (one seed) is the mean of value_a(ℓ) − value_b(ℓ)
over ``n_levels`` evenly spaced levels of the loss range both paths cover, ends included.
Where the ranges do not overlap (or meet in one point) it is NaN, and the overlap is
returned so that the chapter can say so.  A positive excess means path a is *less*
linear than path b at the same fit.

Inference over seeds (sign-flip tests, intervals, the equivalence readings) is not done
here: :func:`linearity_excess` returns one value per seed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from essay_lib.report.table import check_table, paths
from essay_lib.util.checks import check_array, check_int

#: Evenly spaced loss levels averaged over (33: the overlap in 32 equal steps).
N_LEVELS = 33


def path_value_at(loss, z, levels) -> np.ndarray:
    """Z̄ of one path at each loss level (see the module docstring's crossing rule).

    ``loss``, ``z``: the path's points in strength order, (n,) finite each; ``levels``: a
    number or an array of loss levels.  Returns an array of ``levels``' shape: the lowest
    Z̄ among the polyline's crossings of each level, NaN outside [min(loss), max(loss)].  A
    segment flat in loss that lies on a level crosses it at both ends.
    """
    loss = check_array("loss", loss, ndim=1)
    z = check_array("z", z, ndim=1)
    if len(z) != len(loss):
        raise ValueError(f"loss and z must have one length, got {len(loss)} and {len(z)}")
    levels = check_array("levels", levels, ndim=(0, 1), finite=False, non_empty=False)
    flat = np.atleast_1d(levels)[:, None]
    if len(loss) == 1:
        return np.where(flat[:, 0] == loss[0], z[0], np.nan).reshape(levels.shape)
    l0, l1, z0, z1 = loss[:-1], loss[1:], z[:-1], z[1:]
    crosses = (np.minimum(l0, l1) <= flat) & (flat <= np.maximum(l0, l1))  # (m, n - 1)
    step = l1 - l0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.clip((flat - l0) / step, 0.0, 1.0)
    value = np.where(step == 0, np.minimum(z0, z1), z0 + t * (z1 - z0))
    lowest = np.min(value, axis=1, where=crosses, initial=np.inf)
    return np.where(np.isinf(lowest), np.nan, lowest).reshape(levels.shape)


def _path(name: str, path) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(path, (str, bytes)) or not isinstance(path, Sequence) \
            or len(path) not in (2, 3):
        raise TypeError(f"{name} must be (loss, z) or (strength, loss, z) arrays, as "
                        f"report.table.paths gives, got {type(path).__name__}")
    loss, z = path[-2:]
    return check_array(f"{name} loss", loss, ndim=1), check_array(f"{name} z", z, ndim=1)


def seed_excess(path_a, path_b, *, n_levels: int = N_LEVELS
                ) -> tuple[float, tuple[float, float]]:
    """``(excess, (low, high))`` of path a over path b (one seed; module docstring).

    ``path_a``, ``path_b``: ``(loss, z)`` in strength order, or ``(strength, loss, z)``
    (one value of :func:`~essay_lib.report.table.paths`).  ``(low, high)`` =
    (max of the two minimum losses, min of the two maximum losses); the ranges overlap
    when ``low < high``, and the excess is NaN otherwise.
    """
    n_levels = check_int("n_levels", n_levels, minimum=2)
    (loss_a, z_a), (loss_b, z_b) = _path("path_a", path_a), _path("path_b", path_b)
    low = float(max(loss_a.min(), loss_b.min()))
    high = float(min(loss_a.max(), loss_b.max()))
    if not low < high:
        return math.nan, (low, high)
    levels = np.linspace(low, high, n_levels)
    difference = path_value_at(loss_a, z_a, levels) - path_value_at(loss_b, z_b, levels)
    return float(np.mean(difference)), (low, high)


def _read_only(*arrays: np.ndarray) -> None:
    for array in arrays:
        array.setflags(write=False)


@dataclass(frozen=True, eq=False)
class Excess:
    """The linearity excess of regularizer ``a`` over ``b`` on one task, seed by seed.

    ``seeds`` (n,): the seeds with a path of both; ``excess`` (n,): mean of
    Z̄_a(ℓ) − Z̄_b(ℓ) over the loss range both paths cover (NaN where they do not
    overlap; negative: ``a`` is more linear at the same fit); ``overlap`` (n, 2): that
    range (low, high), low ≥ high where there is none; ``range_a``, ``range_b`` (n, 2): the
    loss range of each path (min, max), so that a sentence can say where they part;
    ``loss``, ``measure``: the columns read; ``n_levels``: the levels averaged.
    """

    task: str
    a: str
    b: str
    loss: str
    measure: str
    seeds: np.ndarray
    excess: np.ndarray
    overlap: np.ndarray
    range_a: np.ndarray
    range_b: np.ndarray
    n_levels: int

    def __post_init__(self):
        _read_only(self.seeds, self.excess, self.overlap, self.range_a, self.range_b)

    @property
    def overlapping(self) -> np.ndarray:
        """(n,) bool: the seeds whose two paths cover a common loss range."""
        return np.isfinite(self.excess)

    @property
    def n_overlap(self) -> int:
        """The number of seeds with an overlap (and so an excess)."""
        return int(self.overlapping.sum())


def linearity_excess(table, task: str, a: str = "dropout", b: str = "l2", *,
                     loss: str = "test_loss", measure: str = "z_bar",
                     n_levels: int = N_LEVELS) -> Excess:
    """Regularizer ``a``'s linearity excess over ``b`` on ``task``, one value per seed.

    ``table``: :func:`essay_lib.report.table.record_table`; ``a``, ``b``: regularizers
    (``"early_stop"`` too, where the table has it); ``loss``: the fit axis
    (``"test_loss"``, or ``"train_loss"`` for the second reading); ``measure``: the
    linearity axis (``"z_bar"``, or a ``"z_spec:<key>"`` column).  Seeds are paired:
    only seeds with a path of both regularizers enter.  Raises ValueError when either
    regularizer has no rows on the task or no seed has both.
    """
    check_table(table, loss, measure)
    n_levels = check_int("n_levels", n_levels, minimum=2)
    path_a = paths(table, task, a, x=loss, y=measure)
    path_b = paths(table, task, b, x=loss, y=measure)
    seeds = sorted(set(path_a) & set(path_b))
    if not seeds:
        raise ValueError(f"task {task!r}: no seed has a path of both {a!r} (seeds "
                         f"{sorted(path_a)}) and {b!r} (seeds {sorted(path_b)})")
    results = [seed_excess(path_a[s], path_b[s], n_levels=n_levels) for s in seeds]

    def span(p):
        return np.array([[p[s][1].min(), p[s][1].max()] for s in seeds])

    return Excess(task, a, b, loss, measure, np.array(seeds, dtype=np.int64),
                  np.array([e for e, _ in results]), np.array([o for _, o in results]),
                  span(path_a), span(path_b), n_levels)
