"""Tests for essay_lib.report.inference: exact sign-flip tests over seeds, their intervals,
Holm's adjusted p-values, per-seed trends, the four-way reading, and a simulation of the
whole decision rule's family-wise false-positive rate and power."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from essay_lib.report import inference, stats
from essay_lib.report.inference import (
    ALTERNATIVES,
    READINGS,
    PairedResult,
    can_reach,
    equivalence_reading,
    holm_adjust,
    min_pvalue,
    paired_result,
    seed_trends,
    signflip_interval,
    signflip_pvalue,
)


def brute_force_sums(d: np.ndarray) -> np.ndarray:
    """Every signed sum of ``d``: the (2**n, n) matrix of sign vectors times ``d``."""
    signs = np.array(list(itertools.product((1.0, -1.0), repeat=len(d))))
    return signs @ d


def brute_force_pvalue(d: np.ndarray, alternative: str) -> float:
    """The exact p-value by the full sign matrix (for data whose sums are exact in floats)."""
    sums, observed = brute_force_sums(d), d.sum()
    extreme = {"two-sided": np.abs(sums) >= abs(observed), "greater": sums >= observed,
               "less": sums <= observed}[alternative]
    return extreme.mean()


# ------------------------------------------------------------------------- exact p-values

def test_three_values_by_hand():
    # d = (1, 2, 3): the 8 signed sums are 6, 4, 2, 0, 0, -2, -4, -6; observed 6
    assert signflip_pvalue([1, 2, 3]) == 2 / 8  # |s| >= 6: 6 and -6
    assert signflip_pvalue([1, 2, 3], alternative="greater") == 1 / 8
    assert signflip_pvalue([1, 2, 3], alternative="less") == 8 / 8
    # d = (1, -2, 3): the same 8 sums, observed 2
    assert signflip_pvalue([1, -2, 3]) == 6 / 8  # 6, 4, 2, -2, -4, -6
    assert signflip_pvalue([1, -2, 3], alternative="greater") == 3 / 8  # 6, 4, 2
    assert signflip_pvalue([1, -2, 3], alternative="less") == 6 / 8  # 2, 0, 0, -2, -4, -6
    assert signflip_pvalue([4.0]) == 1.0 == min_pvalue(1)


def test_ties_count_as_extreme_despite_rounding():
    # the sums of ±0.1 ±0.2 ±0.3 are 0.6, 0.4, 0.2, 0, 0, -0.2, -0.4, -0.6 in exact arithmetic;
    # observed 0.1 + 0.2 - 0.3 is 5.6e-17 in floats, its mirror -5.6e-17: both are ties
    assert 0.1 + 0.2 - 0.3 != 0
    assert signflip_pvalue([0.1, 0.2, -0.3], alternative="greater") == 5 / 8
    assert signflip_pvalue([0.3, -0.1, -0.2], alternative="greater") == 5 / 8
    assert signflip_pvalue([0.1, 0.2, -0.3]) == 1.0


def test_ties_make_the_pvalue_robust_to_float_noise(monkeypatch):
    # integer-like data have many exactly tied signed sums; noise at the level of another
    # machine's rounding (1e-13 relative) must not change any p-value
    d = np.array([3, -1, 2, 2, -1, 1, 3, 1, -2, 1, 2, 1.0]) * 0.1
    rng = np.random.default_rng(1)
    noisy = [d * (1 + rng.uniform(-1e-13, 1e-13, len(d))) for _ in range(20)]
    for alternative in ALTERNATIVES:
        base = signflip_pvalue(d, alternative=alternative)
        assert all(signflip_pvalue(x, alternative=alternative) == base for x in noisy)
    monkeypatch.setattr(inference, "TIE_RTOL", 0.0)  # without the tolerance, ties break
    base = signflip_pvalue(d, alternative="greater")
    assert any(signflip_pvalue(x, alternative="greater") != base for x in noisy)


@pytest.mark.parametrize("n", [2, 3, 5, 8, 11])
def test_agrees_with_scipy_exact_permutation_test(n):
    d = np.random.default_rng(n).normal(0.4, 1.0, n)
    for alternative in ALTERNATIVES:
        # one sample with permutation_type="samples": scipy flips the signs of the values
        expected = scipy_stats.permutation_test(
            (d,), lambda x, axis: np.mean(x, axis=axis), permutation_type="samples",
            vectorized=True, n_resamples=np.inf, alternative=alternative).pvalue
        assert signflip_pvalue(d, alternative=alternative) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("n", [1, 4, 7, 10, 13])
def test_agrees_with_the_full_sign_matrix_on_tied_integer_data(n):
    d = np.random.default_rng(10 + n).integers(-3, 5, n).astype(float)  # sums exact, many ties
    for alternative in ALTERNATIVES:
        assert signflip_pvalue(d, alternative=alternative) == brute_force_pvalue(d, alternative)


def test_never_zero_and_smallest_values():
    for n in range(1, 21):
        d = np.arange(1.0, n + 1)  # every value positive: only the observed signs (and their
        assert signflip_pvalue(d) == min_pvalue(n) == 2 / 2 ** n  # mirror) are as extreme
        assert signflip_pvalue(d, alternative="greater") == 1 / 2 ** n
    assert signflip_pvalue(np.arange(1.0, 31), n_resamples=999) == 1 / 1000  # Monte Carlo
    assert signflip_pvalue(np.zeros(7)) == 1.0


def test_monte_carlo_above_twenty_values_agrees_with_the_exact_distribution():
    # integer data: the exact null distribution of the signed sum by convolution
    d = np.array([-1, 1, -1, 7, -2, 6, 5, 6, -3, 0, 3, 1, 3, 4, 3, -4, 7, 2, 6, -1, 0, 6, -2, -4.0])
    counts = np.ones(1)
    for v in np.abs(d).astype(int):
        counts = np.convolve(counts, np.eye(1, 2 * v + 1, 0)[0] + np.eye(1, 2 * v + 1, 2 * v)[0])
    sums = np.arange(len(counts)) - (len(counts) - 1) // 2
    observed = d.sum()
    exact = {"two-sided": counts[np.abs(sums) >= abs(observed)].sum() / 2 ** 24,
             "greater": counts[sums >= observed].sum() / 2 ** 24}
    for alternative, p in exact.items():
        mc = signflip_pvalue(d, alternative=alternative, seed=3)
        assert abs(mc - p) < 4 * math.sqrt(p * (1 - p) / 99_999) + 1e-5
        assert mc * 100_000 == pytest.approx(round(mc * 100_000))  # (count + 1) / (N + 1)
    assert signflip_pvalue(d, seed=3) == signflip_pvalue(d, seed=3)
    assert signflip_pvalue(d, seed=np.random.default_rng(3)) == signflip_pvalue(d, seed=3)


values = st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(values, st.randoms(use_true_random=False), st.integers(0, 20))
def test_symmetries_of_the_pvalue(d, random, power):
    d = np.array(d)
    p = {a: signflip_pvalue(d, alternative=a) for a in ALTERNATIVES}
    assert all(min_pvalue(len(d)) / 2 <= v <= 1 for v in p.values())
    assert p["two-sided"] >= min_pvalue(len(d))
    shuffled = d[random.sample(range(len(d)), len(d))]
    assert signflip_pvalue(shuffled) == p["two-sided"]
    assert signflip_pvalue(-d) == p["two-sided"]
    assert signflip_pvalue(-d, alternative="less") == p["greater"]
    assert signflip_pvalue(d * 2.0 ** power) == p["two-sided"]  # exact rescaling


# ----------------------------------------------------------------------------- intervals

def subset_mean_interval(d: np.ndarray, confidence: float) -> tuple[float, float]:
    """The exact interval of Hartigan (1969): the k-th smallest and largest of the 2**n − 1
    subset means, k the smallest integer with (2 + 2k) / 2**n > 1 − confidence."""
    means = np.sort([np.mean(c) for r in range(1, len(d) + 1)
                     for c in itertools.combinations(d, r)])
    k = math.floor((1 - confidence) * 2 ** (len(d) - 1) - 1) + 1
    return means[k - 1], means[-k]


@pytest.mark.parametrize("n, confidence", [(6, 0.95), (7, 0.9), (9, 0.95), (12, 0.95),
                                           (12, 0.5)])
def test_interval_inverts_the_test_at_the_subset_means(n, confidence):
    d = np.random.default_rng(n).standard_t(3, n)
    low, high = signflip_interval(d, confidence)
    exact_low, exact_high = subset_mean_interval(d, confidence)
    slack = 2e-9 * np.abs(d - d.mean()).sum() + 1e-11 * np.ptp(d)  # tie rule + bisection
    assert exact_low - slack <= low <= exact_low and exact_high <= high <= exact_high + slack
    alpha = 1 - confidence  # the returned ends are rejected, the exact (closed) ends are not
    assert signflip_pvalue(d - low) <= alpha and signflip_pvalue(d - high) <= alpha
    assert signflip_pvalue(d - exact_low) > alpha and signflip_pvalue(d - exact_high) > alpha


def test_interval_edge_cases():
    assert signflip_interval([0.3, 0.1, 0.2, 0.5, 0.4]) == (-math.inf, math.inf)  # 2/32 > 0.05
    d = [0.3, 0.1, 0.2, 0.5, 0.4, 0.6]  # 6 values: 2/64 <= 0.05, only the extremes reject
    assert signflip_interval(d) == pytest.approx((0.1, 0.6), abs=1e-9)
    assert signflip_interval([0.3, 0.1, 0.2, 0.5, 0.4], confidence=0.9) == pytest.approx(
        (0.1, 0.5), abs=1e-9)
    assert signflip_interval([2.5] * 8) == (2.5, 2.5)
    assert signflip_interval([2.5] * 3) == (-math.inf, math.inf)


def test_interval_contains_the_mean_and_shrinks_with_more_seeds():
    widths = []
    for n in (6, 10, 16, 20):
        d = 1.0 + scipy_stats.norm.ppf((np.arange(n) + 0.5) / n)  # symmetric, sd about 1
        low, high = signflip_interval(d)
        assert low < d.mean() < high
        widths.append(high - low)
    assert all(a > b for a, b in itertools.pairwise(widths))
    many = np.random.default_rng(0).normal(1.0, 1.0, 24)  # Monte Carlo, seeded
    low, high = signflip_interval(many, seed=4)
    assert low < many.mean() < high and (low, high) == signflip_interval(many, seed=4)


def test_interval_covers_at_its_confidence():
    rng = np.random.default_rng(11)
    repetitions, true_shift = 400, 0.7
    covered = 0
    for _ in range(repetitions):
        d = true_shift + rng.laplace(0.0, 1.0, 16)  # symmetric, heavier tails than normal
        low, high = signflip_interval(d)
        covered += low <= true_shift <= high
    se = math.sqrt(0.95 * 0.05 / repetitions)
    assert abs(covered / repetitions - 0.95) <= 3 * se


def test_what_few_seeds_can_reach():
    assert min_pvalue(5) == 0.0625 and min_pvalue(16) == 2 / 65536
    assert not can_reach(5, 0.05) and can_reach(6, 0.05)
    assert not can_reach(9, 0.05, m=20) and can_reach(10, 0.05, m=20)
    assert can_reach(16, 0.05, m=20) and not can_reach(8, 0.05, m=20)


# -------------------------------------------------------------------------------- trends

def test_seed_trends_are_spearman_per_seed():
    strengths = [0.0, 0.1, 0.2, 0.3, 0.5, 0.7]
    values = np.random.default_rng(0).normal(size=(5, 6))
    values[1, 2] = values[1, 3]  # a tie: average ranks, as scipy
    expected = [scipy_stats.spearmanr(strengths, row).statistic for row in values]
    np.testing.assert_allclose(seed_trends(strengths, values), expected, atol=1e-12)
    flat = seed_trends(strengths, np.ones((2, 6)))  # a constant path has no trend
    np.testing.assert_array_equal(flat, [0.0, 0.0])


def test_a_step_every_seed_takes_is_a_clear_trend():
    rng = np.random.default_rng(2)
    strengths = np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.5])
    # every seed drops once dropout is on, then wanders on a plateau: no smooth slope (a
    # seed's ρ can even be > 0), but the seeds point one way
    values = rng.normal(0, 1, (16, 1)) - 3.0 * (strengths > 0) + rng.normal(0, 0.3, (16, 6))
    rho = seed_trends(strengths, values)
    assert np.sum(rho < 0) >= 14
    assert signflip_pvalue(rho) <= 0.05 / 20  # clears Holm's strictest threshold of 20 tests
    assert signflip_pvalue(rho[rho < 0]) == min_pvalue(int(np.sum(rho < 0)))


# -------------------------------------------------------------------------------- Holm

def holm_loop(p, alpha):
    """The step-down loop stats.holm ran before holm_adjust became its one home."""
    order = np.argsort(np.where(np.isnan(p), np.inf, p), kind="stable")
    rejected, m = np.zeros(len(p), dtype=bool), int(np.sum(np.isfinite(p)))
    for rank, i in enumerate(order):
        if not np.isfinite(p[i]) or p[i] > alpha / (m - rank):
            break
        rejected[i] = True
    return rejected


def test_holm_known_values():
    np.testing.assert_allclose(holm_adjust([0.01, 0.04, 0.03, 0.005]),
                               [0.03, 0.06, 0.06, 0.02])
    np.testing.assert_allclose(holm_adjust([0.5, np.nan, 0.01]), [0.5, np.nan, 0.02])
    assert holm_adjust([]).shape == (0,) and stats.holm([]).shape == (0,)
    np.testing.assert_array_equal(stats.holm([0.01, 0.02, 0.03], 0.05), [True, True, True])


pvalue_lists = st.lists(st.one_of(st.floats(0, 1), st.just(math.nan), st.sampled_from(
    [0.0, 0.01, 0.0125, 0.025, 0.05, 1.0])), min_size=1, max_size=15)


@settings(max_examples=150, deadline=None)
@given(pvalue_lists, st.sampled_from([0.01, 0.05, 0.1, 0.2]))
def test_holm_properties(p, alpha):
    p = np.array(p)
    tested = ~np.isnan(p)
    # no p-value where k·p <= α and p <= α/k disagree in floats (a rounding error away)
    assume(all((v * k <= alpha) == (v <= alpha / k) for v in p[tested]
               for k in range(1, len(p) + 1)))
    adjusted = holm_adjust(p)
    np.testing.assert_array_equal(np.isnan(adjusted), ~tested)
    q, a = p[tested], adjusted[tested]
    assert np.all(a >= q) and np.all(a <= 1)
    order = np.argsort(q, kind="stable")
    assert np.all(np.diff(a[order]) >= 0)
    if len(q):
        assert a.min() == min(1.0, len(q) * q.min())
    np.testing.assert_array_equal(stats.holm(p, alpha), adjusted <= alpha)
    np.testing.assert_array_equal(stats.holm(p, alpha), holm_loop(p, alpha))


# ------------------------------------------------------------------------------ readings

@pytest.mark.parametrize("low, high, reading", [
    (-3.0, -1.5, "more_linear"), (-3.0, -1.0, "slightly_more_linear"),  # high = -δ: slightly
    (-3.0, -0.2, "slightly_more_linear"), (-0.5, -0.2, "slightly_more_linear"),
    (-3.0, 0.0, "undetermined"), (-0.5, 0.0, "as_linear"),  # an end at 0 clears nothing
    (-0.9, 0.9, "as_linear"), (-1.0, 0.5, "undetermined"),  # low = -δ: not inside
    (-1.2, 0.3, "undetermined"), (-5.0, 5.0, "undetermined"),  # contains 0, wider than δ
    (0.0, 0.5, "as_linear"), (0.2, 0.5, "slightly_less_linear"), (0.2, 3.0, "slightly_less_linear"),
    (1.0, 3.0, "slightly_less_linear"), (1.5, 3.0, "less_linear"),
    (-math.inf, math.inf, "undetermined"), (-math.inf, -2.0, "more_linear"),
])
def test_reading_rules_at_the_boundaries(low, high, reading):
    assert equivalence_reading(low, high, 1.0) == reading


MIRROR = {"more_linear": "less_linear", "slightly_more_linear": "slightly_less_linear",
          "as_linear": "as_linear", "undetermined": "undetermined"}
MIRROR.update({v: k for k, v in MIRROR.items()})


@settings(max_examples=200, deadline=None)
@given(st.floats(-5, 5), st.floats(0, 5), st.floats(0.01, 3))
def test_readings_are_mirror_symmetric(low, width, delta):
    high = low + width
    reading = equivalence_reading(low, high, delta)
    assert reading in READINGS
    assert equivalence_reading(-high, -low, delta) == MIRROR[reading]
    if reading == "as_linear":
        assert -delta < low and high < delta
    if low <= 0 <= high and (low <= -delta or high >= delta):
        assert reading == "undetermined"  # containing 0 is never "as linear" by itself


def test_paired_result():
    d = np.random.default_rng(3).normal(-0.05, 0.02, 16)
    result = paired_result(d, delta=0.01)
    assert isinstance(result, PairedResult) and result.n == 16 and result.confidence == 0.95
    assert result.estimate == pytest.approx(d.mean()) and result.per_seed == tuple(d)
    assert (result.low, result.high) == signflip_interval(d)
    assert result.pvalue == signflip_pvalue(d) < 1e-3
    assert result.reading == "more_linear" and result.words("L2") == "more linear than L2"
    assert paired_result(d, delta=None).reading is None
    with pytest.raises(ValueError, match="delta"):
        paired_result(d, delta=None).words("L2")
    few = paired_result(d[:5], delta=0.01)
    assert few.reading == "undetermined" and (few.low, few.high) == (-math.inf, math.inf)


def reading_by_duality(d, delta, alpha):
    """The strong readings from three tests: high < −δ iff the mean is below −δ and the
    test of d + δ rejects (the accepted shifts form an interval around the mean)."""
    if d.mean() < -delta and signflip_pvalue(d + delta) <= alpha:
        return "more_linear"
    if d.mean() > delta and signflip_pvalue(d - delta) <= alpha:
        return "less_linear"
    if signflip_pvalue(d) <= alpha:
        return "slightly_more_linear" if d.mean() < 0 else "slightly_less_linear"
    if signflip_pvalue(d + delta) <= alpha and signflip_pvalue(d - delta) <= alpha:
        return "as_linear"
    return "undetermined"


def test_readings_from_intervals_equal_readings_from_tests():
    rng = np.random.default_rng(8)
    seen = set()
    for shift in np.linspace(-2.5, 2.5, 21):
        for scale in (0.3, 1.0, 3.0):
            d = shift + rng.normal(0, scale, 16)
            reading = paired_result(d, delta=1.0).reading
            assert reading == reading_by_duality(d, 1.0, 0.05)
            seen.add(reading)
    assert seen == set(READINGS)


# ----------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("call, error, name", [
    (lambda: signflip_pvalue([0.1, math.nan]), ValueError, "d"),
    (lambda: signflip_pvalue([[0.1, 0.2]]), ValueError, "d"),
    (lambda: signflip_pvalue([]), ValueError, "d"),
    (lambda: signflip_pvalue(["a"]), TypeError, "d"),
    (lambda: signflip_pvalue([1.0], alternative="both"), ValueError, "alternative"),
    (lambda: signflip_pvalue([1.0], n_resamples=0), ValueError, "n_resamples"),
    (lambda: signflip_pvalue([1.0], n_resamples=True), TypeError, "n_resamples"),
    (lambda: signflip_pvalue([1.0], seed=-1), ValueError, "seed"),
    (lambda: signflip_interval([1.0, math.inf]), ValueError, "d"),
    (lambda: signflip_interval([1.0, 2.0], confidence=1.0), ValueError, "confidence"),
    (lambda: min_pvalue(0), ValueError, "n"),
    (lambda: min_pvalue(2.0), TypeError, "n"),
    (lambda: can_reach(6, 1.5), ValueError, "alpha"),
    (lambda: can_reach(6, 0.05, m=0), ValueError, "m"),
    (lambda: seed_trends([0.0, 0.1], [[1.0, math.nan]]), ValueError, "values"),
    (lambda: seed_trends([0.0, 0.1], [[1.0, 2.0, 3.0]]), ValueError, "values"),
    (lambda: seed_trends([0.1, 0.1], [[1.0, 2.0]]), ValueError, "strengths"),
    (lambda: seed_trends([0.0, 0.1], [1.0, 2.0]), ValueError, "values"),
    (lambda: holm_adjust([0.1, 1.5]), ValueError, "pvalues"),
    (lambda: holm_adjust([0.1, math.inf]), ValueError, "pvalues"),
    (lambda: stats.holm([0.1, -0.1]), ValueError, "pvalues"),
    (lambda: equivalence_reading(-1.0, 1.0, 0.0), ValueError, "delta"),
    (lambda: equivalence_reading(-1.0, 1.0, "0.1"), TypeError, "delta"),
    (lambda: equivalence_reading(math.nan, 1.0, 0.1), ValueError, "low"),
    (lambda: equivalence_reading(1.0, -1.0, 0.1), ValueError, "low"),
    (lambda: equivalence_reading(-1.0, None, 0.1), TypeError, "high"),
    (lambda: paired_result([0.1, 0.2], delta=-1.0), ValueError, "delta"),
])
def test_bad_input_names_the_argument(call, error, name):
    with pytest.raises(error, match=rf"\b{name}\b"):
        call()


# ------------------------------------------------------- the whole rule, simulated

SEEDS, COMPARATORS = 16, 4
STRENGTHS = np.linspace(0.0, 0.5, 6)
SHARED_SD, OWN_SD = 0.012, 0.016  # per-seed excess: a seed's shared part + its own part
EXCESS_SD = math.hypot(SHARED_SD, OWN_SD)  # 0.02, the size of a Z̄ difference
DELTA = 0.5 * EXCESS_SD


def one_headline(rng, effect: float = 0.0):
    """One null experiment shaped like the essay's: 4 tasks, each with a trend test over 16
    seeds (paths of 6 strengths with no trend) and 4 comparator excess tests (paired by
    seed: a shared per-seed component).  ``effect`` shifts comparator 0 of task 0.

    Returns the 20 Holm-adjusted p-values (task by task: its trend, then its 4 excesses;
    index 1 is comparator 0 of task 0) and, for the 15
    null comparators, whether any 95 % reading claims "more"/"less linear", whether any
    95 % interval leaves 0 ("slightly" or more), and whether any leaves 0 at the
    family's Bonferroni level 1 − 0.05/16."""
    pvalues, strong, any95, any_family = [], False, False, False
    for task in range(4):
        paths = rng.normal(0, 1, (SEEDS, 1)) + rng.normal(0, 0.5, (SEEDS, len(STRENGTHS)))
        pvalues.append(signflip_pvalue(seed_trends(STRENGTHS, paths)))
        excess = rng.normal(0, SHARED_SD, (SEEDS, 1)) + rng.laplace(
            0, OWN_SD / math.sqrt(2), (SEEDS, COMPARATORS))
        if task == 0:
            excess[:, 0] -= effect
        for comparator in range(COMPARATORS):
            d = excess[:, comparator]
            p = signflip_pvalue(d)
            pvalues.append(p)
            if task == 0 and comparator == 0:
                continue
            strong |= reading_by_duality(d, DELTA, 0.05) in ("more_linear", "less_linear")
            any95 |= p <= 0.05
            any_family |= p <= 0.05 / 16
    return holm_adjust(pvalues), strong, any95, any_family


def test_the_decision_rule_keeps_its_family_wise_error_rate():
    rng = np.random.default_rng(2024)
    repetitions = 400
    runs = [one_headline(rng) for _ in range(repetitions)]
    limit = 0.05 + 2 * math.sqrt(0.05 * 0.95 / repetitions)  # 5 % + 2 SE = 7.2 %
    holm_false = np.mean([np.any(adjusted <= 0.05) for adjusted, *_ in runs])
    strong_false = np.mean([run[1] for run in runs])
    any95_false = np.mean([run[2] for run in runs])
    family_false = np.mean([run[3] for run in runs])
    assert holm_false <= limit  # measured 0.050
    assert strong_false <= limit  # measured 0.000: "more/less linear" needs to clear ±δ
    assert family_false <= limit  # measured 0.045
    # per-comparison 95 % intervals are no family-wise rule: some "slightly" reading is
    # false in about half of the null experiments (measured 0.50)
    assert any95_false > 0.3


def test_the_decision_rule_finds_a_real_effect():
    rng = np.random.default_rng(7)
    repetitions = 200
    found = [one_headline(rng, effect=2 * EXCESS_SD)[0][1] <= 0.05 for _ in range(repetitions)]
    assert np.mean(found) >= 0.8  # measured 1.00 (and 0.71 at 1 sd)
    d = -2 * EXCESS_SD + np.random.default_rng(9).normal(0, EXCESS_SD, SEEDS)
    assert paired_result(d, delta=DELTA).reading == "more_linear"
