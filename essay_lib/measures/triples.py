"""Triples (x0, a, b) drawn from data for Z̄, and how far they leave the data.

Three kinds of triple (DESIGN.md §3c and §4, "triple type"); the first two with
displacements ``scale`` × differences of data points:

* ``"extrapolating"`` (the essay's default): x0 = X[i], a = s·(X[j] − X[l]),
  b = s·(X[k] − X[m]) with l ≠ j, m ≠ k: the changes look like the data's own
  differences, but x0 + a + b can land outside the data (far for s = 0.5);
* ``"inside"``: x0 = X[i], a = s·(X[j] − X[i]), b = s·(X[k] − X[i]) with j, k ≠ i.
  Then x0 + a = (1 − s)X[i] + sX[j], and x0 + a + b = (1 − 2s)X[i] + sX[j] + sX[k]:
  for s ≤ 1/2 all four points are convex combinations of three data points, so they
  stay inside the data's convex hull (Taleb's midpoints are the case j = k);
* ``"chord_midpoints"``: x0 = X[i], a = b = (X[j] − X[i]) / 2 with j ≠ i, whatever the
  ``scale`` (the chord's own length sets the step).  Then x0 + a = x0 + b is the chord's
  midpoint, x0 + a + b = X[j], and D = f(X[j]) − 2 f(midpoint) + f(X[i]) = 2H(midpoint,
  (X[j] − X[i]) / 2): Taleb's heuristic at the midpoint of a chord between two data
  points, the quantity mixup trains to zero (in the representation it trains: the
  probabilities of a classifier, the values of a regressor).

:func:`outside_share` reports the share of the evaluated points outside the data's
bounding box (per-feature minimum to maximum): 0 for inside triples and chord midpoints.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from essay_lib.measures.names import TRIPLE_TYPES
from essay_lib.util.checks import check_array, check_choice, check_int, check_number


@dataclass(frozen=True, eq=False)
class Triples:
    """``n`` triples over the rows of X: x0 = ``X[rows][base_index]``, displacements a, b.

    ``rows``: the distinct base rows (sorted), ``base_index`` (n,) into them, ``a`` and
    ``b`` (n, d).  ``points(X)`` stacks the (len(rows) + 3n, d) evaluation points
    ``[X[rows]; x0 + a; x0 + b; x0 + a + b]``.
    """

    rows: np.ndarray
    base_index: np.ndarray
    a: np.ndarray
    b: np.ndarray

    @property
    def n(self) -> int:
        return len(self.base_index)

    def points(self, X: np.ndarray) -> np.ndarray:
        x0 = X[self.rows][self.base_index]
        return np.concatenate([X[self.rows], x0 + self.a, x0 + self.b, x0 + self.a + self.b])


def draw_triples(X, n_triples: int, scale: float, seed=0, kind: str = "extrapolating"
                 ) -> Triples:
    """``n_triples`` triples of ``kind`` over the rows of ``X`` (n, d), n >= 2 (>= 3 for
    ``"inside"``), drawn with ``numpy.random.default_rng(seed)``; see the module doc
    (``scale`` > 0 is checked for every kind, and not used by ``"chord_midpoints"``)."""
    X = check_array("X", X, ndim=2)
    n_triples = check_int("n_triples", n_triples, 1)
    scale = check_number("scale", scale, minimum=0.0, low_closed=False)
    check_choice("kind", kind, TRIPLE_TYPES)
    n = len(X)
    if n < (3 if kind == "inside" else 2):
        raise ValueError(f"X must have at least {3 if kind == 'inside' else 2} rows for "
                         f"{kind} triples, got {n}")
    rng = np.random.default_rng(seed)
    if kind == "chord_midpoints":
        i = rng.integers(0, n, size=n_triples)
        j = (i + 1 + rng.integers(0, n - 1, size=n_triples)) % n  # j != i
        a = 0.5 * (X[j] - X[i])
        rows, base_index = np.unique(i, return_inverse=True)
        return Triples(rows, base_index, a, a.copy())
    i, j, k = rng.integers(0, n, size=(3, n_triples))
    if kind == "extrapolating":
        l_, m = (np.stack([j, k]) + rng.integers(1, n, size=(2, n_triples))) % n
        a, b = scale * (X[j] - X[l_]), scale * (X[k] - X[m])
    else:
        j, k = (i + 1 + rng.integers(0, n - 1, size=(2, n_triples))) % n  # j, k != i
        a, b = scale * (X[j] - X[i]), scale * (X[k] - X[i])
    rows, base_index = np.unique(i, return_inverse=True)  # f(x0) once per distinct row
    return Triples(rows, base_index, a, b)


def outside_share(X, triples: Triples) -> float:
    """Share of the 3n displaced points (x0 + a, x0 + b, x0 + a + b) that fall outside the
    bounding box of ``X`` (some feature below its minimum or above its maximum)."""
    X = check_array("X", X, ndim=2)
    low, high = X.min(axis=0), X.max(axis=0)
    tol = 1e-9 * np.maximum(1.0, np.abs(X).max(axis=0))
    displaced = triples.points(X)[len(triples.rows):]
    outside = np.any((displaced < low - tol) | (displaced > high + tol), axis=1)
    return float(outside.mean())
