"""Tests for essay_lib.report.stats: bootstrap mean intervals, Spearman with an interval,
summaries."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from essay_lib.report.stats import bootstrap_mean_interval, spearman_with_interval, summarize


def test_mean_interval_known_values():
    result = bootstrap_mean_interval([1.0, 2.0, 3.0, 4.0, 5.0], n_boot=4000, seed=1)
    assert result.estimate == 3.0 and result.n == 5 and result.confidence == 0.95
    # the bootstrap distribution of the mean has sd sqrt(2 / 5) = 0.632; with 5 values the
    # expanded interval approaches the t interval 3 +- 2.776 * 1.581 / sqrt(5) = [1.04, 4.96]
    # (the discrete resampling keeps it slightly narrower), not the plain +-1.96 sd
    assert 1.0 < result.low < 1.5 and 4.5 < result.high < 5.0
    constant = bootstrap_mean_interval([2.5] * 6)
    assert tuple(constant) == (2.5, 2.5, 2.5)


def test_mean_interval_width_matches_normal_theory():
    values = np.random.default_rng(0).normal(10.0, 2.0, size=400)
    result = bootstrap_mean_interval(values, n_boot=4000, seed=0)
    expected = 2 * 1.959964 * values.std() / math.sqrt(len(values))
    assert result.high - result.low == pytest.approx(expected, rel=0.08)
    assert result.low < values.mean() < result.high
    narrower = bootstrap_mean_interval(values, confidence=0.5, n_boot=4000, seed=0)
    assert narrower.high - narrower.low < 0.5 * (result.high - result.low)


def test_mean_interval_is_seeded():
    values = [0.3, 0.1, 0.9, 0.4, 0.7, 0.2]
    assert bootstrap_mean_interval(values, seed=3) == bootstrap_mean_interval(values, seed=3)
    assert bootstrap_mean_interval(values, seed=3) != bootstrap_mean_interval(values, seed=4)
    generator = np.random.default_rng(3)
    assert tuple(bootstrap_mean_interval(values, seed=generator)) == tuple(
        bootstrap_mean_interval(values, seed=3))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=30), st.integers(0, 100))
def test_mean_interval_lies_within_the_sample(values, seed):
    result = bootstrap_mean_interval(values, n_boot=200, seed=seed)
    lo, hi = min(values), max(values)
    slack = 1e-9 * max(1.0, abs(lo), abs(hi))
    assert lo - slack <= result.low <= result.high <= hi + slack
    assert lo - slack <= result.estimate <= hi + slack


@pytest.mark.parametrize("values, error, match", [
    ([], ValueError, "must not be empty"),
    ([1.0, float("nan")], ValueError, "NaN"),
    ([[1.0, 2.0]], ValueError, "must have 1 dimensions"),
    (["a", "b"], TypeError, "numbers"),
])
def test_mean_interval_bad_values(values, error, match):
    with pytest.raises(error, match=match):
        bootstrap_mean_interval(values)


@pytest.mark.parametrize("kwargs, match", [
    (dict(confidence=1.0), "confidence"), (dict(confidence=0), "confidence"),
    (dict(n_boot=0), "n_boot"),
])
def test_mean_interval_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        bootstrap_mean_interval([1.0, 2.0], **kwargs)


def test_spearman_known_values():
    x = np.arange(10.0)
    perfect = spearman_with_interval(x, x ** 3, n_boot=500)
    assert perfect.estimate == pytest.approx(1.0) and perfect.low == pytest.approx(1.0)
    assert perfect.pvalue < 1e-6
    reverse = spearman_with_interval(x, -np.exp(x), n_boot=500)
    assert reverse.estimate == pytest.approx(-1.0) and reverse.high == pytest.approx(-1.0)
    # a hand-checked value: ranks of y are (1, 3, 2, 5, 4), sum d^2 = 4, rho = 1 - 6*4/120
    small = spearman_with_interval([1, 2, 3, 4, 5], [10, 30, 20, 50, 40], n_boot=500)
    assert small.estimate == pytest.approx(0.8)


def test_spearman_matches_scipy_with_ties_and_is_seeded():
    rng = np.random.default_rng(1)
    strength = np.repeat([0.0, 0.1, 0.3, 0.5], 8)  # strengths repeat over seeds: ties
    y = -strength + rng.normal(0, 0.2, size=len(strength))
    result = spearman_with_interval(strength, y, n_boot=1000, seed=2)
    assert result.estimate == pytest.approx(scipy_stats.spearmanr(strength, y)[0])
    assert result.low < result.estimate < result.high < 0
    assert result == spearman_with_interval(strength, y, n_boot=1000, seed=2)
    assert result.n == 32


def test_spearman_interval_covers_zero_for_independent_data():
    rng = np.random.default_rng(5)
    result = spearman_with_interval(rng.normal(size=40), rng.normal(size=40), seed=0)
    assert result.low < 0 < result.high


@pytest.mark.parametrize("x, y, match", [
    ([1, 2, 3], [1, 2], "same length"),
    ([1, 2], [1, 2], "at least 3"),
    ([1, 1, 1], [1, 2, 3], "constant"),
    ([1, 2, float("inf")], [1, 2, 3], "x contains"),
])
def test_spearman_bad_input(x, y, match):
    with pytest.raises(ValueError, match=match):
        spearman_with_interval(x, y)


RECORDS = [
    {"regularizer": "none", "strength": 0.0, "seed": 0, "z_bar": 0.30},
    {"regularizer": "none", "strength": 0.0, "seed": 1, "z_bar": 0.34},
    {"regularizer": "dropout", "strength": 0.5, "seed": 0, "z_bar": 0.20},
    {"regularizer": "dropout", "strength": 0.5, "seed": 1, "z_bar": None},
    {"regularizer": "l2", "strength": 0.1, "seed": 0, "z_bar": None},
]


def test_summarize_groups_in_order():
    rows = summarize(RECORDS, metric="z_bar", n_boot=200)
    assert [(r["regularizer"], r["strength"], r["n"]) for r in rows] == [
        ("none", 0.0, 2), ("dropout", 0.5, 1), ("l2", 0.1, 0)]
    assert rows[0]["mean"] == pytest.approx(0.32)
    assert 0.30 <= rows[0]["low"] <= rows[0]["high"] <= 0.34
    assert rows[1]["low"] == rows[1]["high"] == 0.20
    assert math.isnan(rows[2]["mean"])
    by_reg = summarize(RECORDS, by="regularizer", metric="seed", n_boot=50)
    assert [r["mean"] for r in by_reg] == [0.5, 0.5, 0.0]


def test_summarize_bad_input():
    with pytest.raises(ValueError, match="no field 'accuracy'"):
        summarize(RECORDS, metric="accuracy")
    with pytest.raises(TypeError, match=r"records\[0\]"):
        summarize([["not", "a", "dict"]])
    with pytest.raises(TypeError, match="metric"):
        summarize(RECORDS, metric=3)
