"""Inference that is valid with the seeds we have: exact sign-flip tests over network seeds.

**The unit of evidence is the independently seeded network** (DESIGN.md §4).  Every
comparison is reduced to one number per seed (a paired difference, a per-seed trend
statistic, a per-seed linearity excess) and then tested over seeds:

* :func:`signflip_pvalue`: the sign-flip (randomization) test that the per-seed values
  are symmetric about 0, statistic = their mean; exact for n <= :data:`EXACT_MAX_N`;
* :func:`signflip_interval`: the interval for a location shift, by inverting that test;
* :func:`min_pvalue`, :func:`can_reach`: what an exact test on n seeds can conclude at all;
* :func:`seed_trends`: per-seed Spearman ρ of a measure against strength (then tested
  with :func:`signflip_pvalue`, so a step that every seed takes reads as a trend);
* :func:`holm_adjust`: Holm's adjusted p-values (the one home of Holm's procedure;
  :func:`essay_lib.report.stats.holm` reads its rejections from them);
* :func:`equivalence_reading`, :data:`READINGS`, :func:`paired_result`,
  :class:`PairedResult`: the four-way reading of an excess interval against δ.

Conventions.  A test **rejects at level α when p <= α**.  The exact test counts the 2**n
signed sums by meeting in the middle (two halves of 2**(n/2) sums each, one sorted), so
its memory is O(2**(n/2)) and n = 20 takes milliseconds; the Monte Carlo test multiplies
its random sign vectors in chunks of 8192.  The exact two-sided p-value
is a multiple of 2 / 2**n and never below :func:`min_pvalue` ``(n) = 2 / 2**n``; the
Monte Carlo one (n > :data:`EXACT_MAX_N`) is ``(count + 1) / (N + 1)``, never 0.

**Ties.**  Sign vectors whose signed sum equals the observed one count as extreme
(scipy does the same).  Sums that are equal in exact arithmetic can differ by rounding
(0.1 + 0.2 − 0.3 is 5.6e-17, not 0), and in another order of summation or on another
machine they can round the other way.  So a signed sum s counts as at least as extreme
as the observed sum o when ``|s| >= |o| − tol`` (``s >= o − tol``, ``s <= o + tol``
one-sided) with ``tol = TIE_RTOL * sum(|d|)``, ``TIE_RTOL = 1e-9``.  The rounding error
of any signed sum of n values is below ``n * 2**-53 * sum(|d|)`` (2.2e-15 relative for
n = 20), five orders of magnitude inside the tolerance; sums that really differ by less
than 1e-9 of the data's total size count as ties, which can only raise p (the test stays
valid, a hair conservative).  A p-value therefore changes only when a signed sum sits
within rounding of the tolerance's edge, not when it sits at a tie.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy import stats as _scipy_stats

from essay_lib.util.bootstrap import Interval
from essay_lib.util.checks import (
    check_array,
    check_choice,
    check_int,
    check_number,
    check_probability,
    check_seed,
    is_number,
)

__all__ = ["ALTERNATIVES", "DEFAULT_RESAMPLES", "EXACT_MAX_N", "READINGS", "TIE_RTOL",
           "PairedResult", "can_reach", "equivalence_reading", "holm_adjust", "min_pvalue",
           "paired_result", "seed_trends", "signflip_interval", "signflip_pvalue"]

#: the alternatives of :func:`signflip_pvalue`
ALTERNATIVES = ("two-sided", "less", "greater")
#: up to this many values the sign-flip test enumerates all 2**n sign vectors
EXACT_MAX_N = 20
#: random sign vectors of the Monte Carlo test (n > EXACT_MAX_N) unless told otherwise
DEFAULT_RESAMPLES = 99_999
#: ties: a signed sum within TIE_RTOL * sum(|d|) of the observed one counts as extreme
TIE_RTOL = 1e-9
_CHUNK = 8192        # rows of random signs multiplied at once (bounds memory)
_BISECTIONS = 40     # halvings of each side's bracket in signflip_interval

#: the words of each reading of an excess "dropout − X" (negative: dropout more linear);
#: fill in ``{other}`` with the comparator's label
READINGS = {
    "more_linear": "more linear than {other}",
    "slightly_more_linear": "slightly more linear than {other} (by less than δ)",
    "as_linear": "as linear as {other}",
    "slightly_less_linear": "slightly less linear than {other} (by less than δ)",
    "less_linear": "less linear than {other}",
    "undetermined": "undetermined against {other}",
}


# ----------------------------------------------------------------------------- the test

@cache
def _signs(k: int) -> np.ndarray:
    """All 2**k sign vectors of length k as rows of ±1.0, (2**k, k), read-only."""
    bits = (np.arange(2 ** k)[:, None] >> np.arange(k)) & 1
    signs = 1.0 - 2.0 * bits
    signs.setflags(write=False)
    return signs


def _random_signs(n: int, n_resamples, seed) -> np.ndarray | None:
    """Random sign vectors (N, n) as int8 ±1 for the Monte Carlo test, or None (exact)."""
    n_resamples = (DEFAULT_RESAMPLES if n_resamples is None
                   else check_int("n_resamples", n_resamples, 1))
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(
        check_seed("seed", seed))
    if n <= EXACT_MAX_N:
        return None
    return 1 - 2 * rng.integers(0, 2, size=(n_resamples, n), dtype=np.int8)


def _pvalue(x: np.ndarray, alternative: str, signs: np.ndarray | None) -> float:
    """The sign-flip p-value of the sum of ``x`` (n,): exact (``signs`` None) or over the
    random sign vectors ``signs`` (N, n), with the tie rule of the module docstring.

    Exact: meet in the middle.  Every signed sum is a + b, a a signed sum of the first
    n // 2 values, b one of the rest; with b sorted, the sums >= t are counted by one
    ``searchsorted`` of t − a (memory 2 * 2**(n/2) floats instead of 2**n)."""
    observed = float(x.sum())
    tol = TIE_RTOL * float(np.abs(x).sum())
    if signs is None:
        h = len(x) // 2
        a = _signs(h) @ x[:h]
        b = np.sort(_signs(len(x) - h) @ x[h:])
        total, extra = a.size * b.size, 0

        def at_least(t):
            return total - int(np.searchsorted(b, t - a, side="left").sum())

        def at_most(t):
            return int(np.searchsorted(b, t - a, side="right").sum())
    else:
        sums = np.concatenate([signs[i:i + _CHUNK].astype(np.float64) @ x
                               for i in range(0, len(signs), _CHUNK)])
        total, extra = sums.size, 1

        def at_least(t):
            return int(np.count_nonzero(sums >= t))

        def at_most(t):
            return int(np.count_nonzero(sums <= t))
    if alternative == "greater":
        count = at_least(observed - tol)
    elif alternative == "less":
        count = at_most(observed + tol)
    else:
        c = abs(observed) - tol
        count = total if c <= 0 else at_least(c) + at_most(-c)
    return (count + extra) / (total + extra)


def signflip_pvalue(d, *, alternative: str = "two-sided", n_resamples: int | None = None,
                    seed=0) -> float:
    """The sign-flip test of H0: the per-seed values ``d`` (n,) are symmetric about 0.

    Statistic: the mean of ``d``; its null distribution: the means of ``ε * d`` over sign
    vectors ε.  ``alternative``: ``"two-sided"`` (|mean| large), ``"greater"`` (mean
    large), ``"less"`` (mean small).  Exact for n <= :data:`EXACT_MAX_N` (all 2**n sign
    vectors; ``n_resamples`` and ``seed`` are then unused): the two-sided p is a multiple
    of 2 / 2**n, at least :func:`min_pvalue`.  Above, Monte Carlo: ``n_resamples``
    random sign vectors (default :data:`DEFAULT_RESAMPLES`) drawn from ``seed`` (int or
    ``numpy.random.Generator``), p = (count + 1) / (N + 1).  Ties count as extreme, with
    the tolerance of the module docstring.  Never 0; 1 when the mean is 0.
    """
    x = check_array("d", d, ndim=1)
    check_choice("alternative", alternative, ALTERNATIVES)
    return _pvalue(x, alternative, _random_signs(len(x), n_resamples, seed))


def min_pvalue(n: int) -> float:
    """The smallest two-sided p-value an exact sign-flip test on ``n`` values can give:
    2 / 2**n (only the observed sign vector and its mirror are that extreme)."""
    return 2.0 / 2.0 ** check_int("n", n, 1)


def can_reach(n: int, alpha: float, m: int = 1) -> bool:
    """Whether an exact two-sided sign-flip test on ``n`` seeds can reject at ``alpha / m``
    (Holm's first, strictest threshold in a family of ``m`` tests): 2 / 2**n <= alpha / m.

    E.g. 5 seeds can never reach 0.05 (min p 0.0625), 6 can for one test; a family of 20
    tests at 0.05 needs 10 seeds."""
    alpha = check_probability("alpha", alpha)
    return min_pvalue(n) <= alpha / check_int("m", m, 1)


# ------------------------------------------------------------------------- the interval

def signflip_interval(d, confidence: float = 0.95, *, n_resamples: int | None = None,
                      seed=0) -> tuple[float, float]:
    """The interval ``(low, high)`` of location shifts μ that the two-sided sign-flip
    test of ``d − μ`` does not reject at 1 − ``confidence`` (p > 1 − confidence).

    ``d`` (n,).  For μ below the mean, the two-sided p of d − μ equals (2 + 2·N(μ)) / 2**n,
    N(μ) the number of non-empty subsets of d whose mean is <= μ, so it never falls as μ
    climbs towards the mean (and mirrored above it): the accepted μ form an interval whose
    ends are subset means (Hartigan 1969), closed.  Each end is found by bisection between
    a rejected point (beyond the data by their range) and the mean (p = 1), 40 halvings.
    Precision: the returned end is the last *rejected* point, so the interval errs on the
    wide side: outside the exact end by at most 2 · range(d) · 2**-40 (about 2e-12 of the
    range) from the bisection, plus up to ``TIE_RTOL · sum(|d − μ|)`` from the tie rule
    (a subset mean within the tolerance of μ counts as reached).
    Returns ``(−inf, inf)`` when no μ can be rejected: 2 / 2**n > 1 − confidence (5 or
    fewer seeds at 95 %).  Constant ``d`` gives ``(c, c)``.  For n > :data:`EXACT_MAX_N`
    the Monte Carlo test with one fixed set of sign vectors (``n_resamples``, ``seed``)
    is inverted, so the same seed gives the same interval.
    """
    x = check_array("d", d, ndim=1)
    alpha = 1.0 - check_probability("confidence", confidence)
    signs = _random_signs(len(x), n_resamples, seed)
    center, span = float(x.mean()), float(np.ptp(x))
    if span == 0:
        return (center, center) if _pvalue(x - center + 1.0, "two-sided", signs) <= alpha \
            else (-math.inf, math.inf)
    ends = []
    for rejected in (float(x.min()) - span, float(x.max()) + span):
        if _pvalue(x - rejected, "two-sided", signs) > alpha:
            return -math.inf, math.inf
        accepted = center
        for _ in range(_BISECTIONS):
            mid = 0.5 * (rejected + accepted)
            if _pvalue(x - mid, "two-sided", signs) <= alpha:
                rejected = mid
            else:
                accepted = mid
        ends.append(rejected)
    return ends[0], ends[1]


# ---------------------------------------------------------------------------- the trend

def seed_trends(strengths, values) -> np.ndarray:
    """Per-seed Spearman ρ between strength and value: (n_seeds,).

    ``strengths`` (s,), at least two distinct (the unregularized network is strength 0);
    ``values`` (n_seeds, s): each row one seed's path over those strengths.  NaN is
    refused (drop or impute first, the same for every seed).  ρ is Pearson's correlation
    of the average ranks (as ``scipy.stats.spearmanr``); **a constant row gets ρ = 0**
    (a flat path has no trend), where scipy would give NaN.  Test the trend with
    :func:`signflip_pvalue` on the result.
    """
    s = check_array("strengths", strengths, ndim=1)
    v = check_array("values", values, ndim=2)
    if v.shape[1] != len(s):
        raise ValueError(f"values must have one column per strength ({len(s)}), "
                         f"got shape {v.shape}")
    if np.ptp(s) == 0:
        raise ValueError("strengths must hold at least two distinct values")
    rho = np.zeros(len(v))
    moving = np.ptp(v, axis=1) > 0
    if moving.any():
        ranks = _scipy_stats.rankdata(v[moving], axis=1)
        rho[moving] = _scipy_stats.pearsonr(_scipy_stats.rankdata(s)[None, :], ranks,
                                            axis=1).statistic
    return rho


# ------------------------------------------------------------------------- multiplicity

def holm_adjust(pvalues) -> np.ndarray:
    """Holm's step-down adjusted p-values, (m,) like ``pvalues``.

    With the finite p-values sorted, p_(1) <= ... <= p_(m), the adjusted value of the
    i-th is ``min(1, max_{j <= i} (m − j + 1) · p_(j))``: monotone in the raw order, at
    least the raw value, at most 1.  Rejecting where adjusted <= α is Holm's procedure at
    family-wise level α.  NaN marks a test not made: it stays NaN and does not count in
    m.  Values outside [0, 1] (or infinite) raise ``ValueError``; an empty input gives an
    empty output.
    """
    p = check_array("pvalues", pvalues, ndim=1, finite=False, non_empty=False)
    tested = ~np.isnan(p)
    if np.any((p[tested] < 0) | (p[tested] > 1)):
        raise ValueError(f"pvalues must lie in [0, 1] (or be NaN), got {p[tested].tolist()}")
    q = p[tested]
    order = np.argsort(q, kind="stable")
    steps = (len(q) - np.arange(len(q))) * q[order]
    adjusted = np.full(p.shape, np.nan)
    adjusted[np.flatnonzero(tested)[order]] = np.minimum(1.0, np.maximum.accumulate(steps))
    return adjusted


# ---------------------------------------------------------------------- the four readings

def _end(name: str, value) -> float:
    if not is_number(value):
        raise TypeError(f"{name} must be a number (±inf allowed), got {type(value).__name__}")
    if math.isnan(value):
        raise ValueError(f"{name} must not be NaN")
    return float(value)


def equivalence_reading(low, high, delta) -> str:
    """The reading (a key of :data:`READINGS`) of the interval [low, high] of an excess
    "dropout − X" (negative: dropout more linear) against the smallest effect of
    interest ``delta`` > 0 (DESIGN.md §4).

    The rules, in this order (the first that holds):

    1. ``high < −δ``: ``"more_linear"``;  2. ``low > δ``: ``"less_linear"``;
    3. ``high < 0``: ``"slightly_more_linear"`` (below 0, not entirely below −δ);
    4. ``low > 0``: ``"slightly_less_linear"``;
    5. ``−δ < low`` and ``high < δ``: ``"as_linear"``;  6. else ``"undetermined"``.

    The interval is closed and every comparison strict: an end exactly at 0 or ±δ does
    not clear it, so a boundary case gets the weaker reading (high = −δ is only
    "slightly", high = 0 is not a direction, low = −δ is not "as linear").  The rules are
    mirror-symmetric: negating the interval swaps "more" and "less".  An interval that
    contains 0 but reaches beyond ±δ is "undetermined", never "as linear".  Infinite ends
    (an interval from too few seeds) are allowed and read "undetermined".
    """
    low, high = _end("low", low), _end("high", high)
    if low > high:
        raise ValueError(f"low must not exceed high, got low={low} and high={high}")
    delta = check_number("delta", delta, minimum=0.0, low_closed=False)
    if high < -delta:
        return "more_linear"
    if low > delta:
        return "less_linear"
    if high < 0:
        return "slightly_more_linear"
    if low > 0:
        return "slightly_less_linear"
    if -delta < low and high < delta:
        return "as_linear"
    return "undetermined"


@dataclass(frozen=True)
class PairedResult(Interval):
    """A paired comparison over seeds: ``estimate`` (mean of the per-seed values), the
    sign-flip interval ``low``, ``high`` at ``confidence``, ``n`` seeds, the two-sided
    sign-flip ``pvalue``, the ``per_seed`` values, and, when ``delta`` is given, the
    ``reading`` (a key of :data:`READINGS`)."""

    pvalue: float
    per_seed: tuple[float, ...]
    delta: float | None
    reading: str | None

    def words(self, other: str) -> str:
        """The reading in words against the comparator ``other`` (e.g. "L2")."""
        if self.reading is None:
            raise ValueError("this result has no reading: give delta to paired_result")
        return READINGS[self.reading].format(other=other)


def paired_result(d, *, delta: float | None, confidence: float = 0.95) -> PairedResult:
    """The per-seed values ``d`` (n,) (e.g. dropout − X, one per seed) as a
    :class:`PairedResult`: mean, :func:`signflip_interval`, two-sided
    :func:`signflip_pvalue`, and the :func:`equivalence_reading` against ``delta`` (pass
    ``delta=None`` for no reading).  Read several results as one family: their p-values
    through :func:`holm_adjust`, their intervals at a matching confidence (e.g.
    1 − α / m) if their readings are claims too."""
    x = check_array("d", d, ndim=1)
    if delta is not None:
        delta = check_number("delta", delta, minimum=0.0, low_closed=False)
    low, high = signflip_interval(x, confidence)
    reading = None if delta is None else equivalence_reading(low, high, delta)
    return PairedResult(float(x.mean()), low, high, float(confidence), len(x),
                        signflip_pvalue(x), tuple(map(float, x)), delta, reading)
