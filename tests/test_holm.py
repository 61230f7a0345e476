"""Holm's step-down correction (essay_lib.report.stats.holm), by its properties.

``holm`` returns which hypotheses are rejected, not adjusted p-values, so the
properties of Holm's adjusted p-values are checked through an independent
adjusted-p-value implementation (here) and through the rejections they imply:

* adjusted p >= raw p, <= 1, monotone in the order of the raw p-values, and equal to
  Bonferroni's ``m * p`` for the smallest;
* ``holm`` rejects exactly the hypotheses whose adjusted p is <= alpha (away from
  floating-point ties with a threshold ``alpha / (m - rank)``);
* its rejections are a prefix of the sorted p-values, include Bonferroni's, are
  included in the uncorrected ones, grow (as sets) with alpha, and do not depend on
  the order in which the p-values are given; NaN is never rejected and not counted.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from essay_lib.report.stats import holm

pvalue = st.floats(min_value=0.0, max_value=1.0)
pvalues = st.lists(pvalue, min_size=1, max_size=12)
alphas = st.floats(min_value=1e-6, max_value=0.999, exclude_max=True)


def holm_adjusted(p) -> np.ndarray:
    """Holm's adjusted p-values: ``max over j <= i of min(1, (m - j) p_(j))`` in sorted order."""
    p = np.asarray(p, dtype=np.float64)
    order = np.argsort(p, kind="stable")
    m = len(p)
    running, out = 0.0, np.empty(m)
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def _near_a_threshold(p, alpha) -> bool:
    """True when some p is within rounding of one of Holm's thresholds alpha / (m - r)."""
    m = len(p)
    return any(math.isclose(x, alpha / (m - r), rel_tol=1e-9) for x in p for r in range(m))


@given(pvalues)
def test_adjusted_pvalues_bound_the_raw_ones_and_keep_their_order(p):
    adj = holm_adjusted(p)
    assert np.all(adj >= np.asarray(p)) and np.all(adj <= 1.0)
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(adj[order]) >= 0)
    smallest = order[0]
    assert adj[smallest] == min(1.0, len(p) * p[smallest])  # Bonferroni for the smallest


@given(pvalues, alphas)
def test_holm_rejects_exactly_where_the_adjusted_pvalue_is_within_alpha(p, alpha):
    assume(not _near_a_threshold(p, alpha))
    assert np.array_equal(holm(p, alpha), holm_adjusted(p) <= alpha)


@given(pvalues, alphas)
def test_rejections_are_a_prefix_between_bonferroni_and_uncorrected(p, alpha):
    rejected = holm(p, alpha)
    p = np.asarray(p)
    assert rejected.dtype == bool and rejected.shape == p.shape
    # a prefix of the sorted p-values: every p below a rejected one is rejected too
    if rejected.any():
        assert np.all(rejected[p < p[rejected].max()])
    assert np.all(rejected[p <= alpha / len(p)])           # at least Bonferroni's
    assert not np.any(rejected[p > alpha])                  # at most the uncorrected ones
    # the smallest p is rejected exactly when Bonferroni rejects it
    assert rejected[np.argmin(p)] == (p.min() <= alpha / len(p))


@given(pvalues, alphas, alphas)
def test_a_larger_alpha_rejects_a_superset(p, a, b):
    small, large = sorted((a, b))
    assert np.all(holm(p, large)[holm(p, small)])


@settings(max_examples=50)
@given(pvalues, alphas, st.randoms(use_true_random=False))
def test_the_order_of_the_pvalues_does_not_matter(p, alpha, rnd):
    order = list(range(len(p)))
    rnd.shuffle(order)
    shuffled = holm([p[i] for i in order], alpha)
    assert np.array_equal(shuffled, holm(p, alpha)[order])


@given(pvalues, st.lists(st.just(math.nan), min_size=1, max_size=3), alphas)
def test_nan_is_never_rejected_and_not_counted(p, nans, alpha):
    with_nan = holm(p + nans, alpha)
    assert not with_nan[len(p):].any()
    assert np.array_equal(with_nan[:len(p)], holm(p, alpha))


def test_holm_on_a_worked_example():
    # m = 4, alpha = 0.05: thresholds 0.0125, 0.01667, 0.025, 0.05
    p = [0.01, 0.04, 0.03, 0.005]
    assert holm(p, 0.05).tolist() == [True, False, False, True]
    assert holm(p, 0.12).tolist() == [True, True, True, True]
    assert holm_adjusted(p).tolist() == pytest.approx([0.03, 0.06, 0.06, 0.02])
    with pytest.raises(ValueError, match="alpha"):
        holm(p, 1.5)
    with pytest.raises(TypeError, match="alpha"):
        holm(p, True)
