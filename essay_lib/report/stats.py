"""Intervals over seeds, rank correlations and multiplicity for the sweep experiment.

**The unit of evidence is the network seed.**  Networks that share a seed share their
initial weights, their data order and their unregularized reference, so they are not
independent draws; intervals resample seeds (a seed's whole series together), never
individual networks.

* :func:`bootstrap_mean_interval`: mean of independent values (e.g. one per seed) with a
  percentile bootstrap interval;
* :func:`paired_change`: mean over seeds of the paired difference b − a, with its interval
  and a bootstrap p-value;
* :func:`seed_spearman`: Spearman's ρ over all (strength, value) rows, with an interval
  from resampling whole seeds (:func:`essay_lib.util.bootstrap.cluster_bootstrap`);
* :func:`spearman_with_interval`: Spearman's ρ with an interval over independent pairs;
* :func:`holm`: Holm's step-down correction for the number of intervals read (the
  p-values come from :func:`essay_lib.util.bootstrap.bootstrap_pvalue`; the adjusted
  p-values from :func:`essay_lib.report.inference.holm_adjust`);

Intervals over few seeds are widened by :func:`essay_lib.util.bootstrap.expanded_level`
(the plain percentile interval over 8 seeds covers about 92%, not 95%).
* :func:`summarize`: tidy records -> one row per group (e.g. regularizer and
  strength) with the mean over seeds of a metric and its interval.

All randomness comes from ``numpy.random.default_rng(seed)``; the same seed
gives the same interval.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as _scipy_stats

from essay_lib.report import inference
from essay_lib.report.inference import holm_adjust
from essay_lib.util.bootstrap import (
    Interval,
    bootstrap_interval,
    bootstrap_pvalue,
    percentile_interval,
)
from essay_lib.util.checks import (
    check_array,
    check_int,
    check_probability,
    check_same_length,
    check_seed_or_generator,
)


@dataclass(frozen=True)
class Correlation(Interval):
    """Spearman's rho with its bootstrap interval and scipy's two-sided p-value."""

    pvalue: float = math.nan


def _sample(name: str, values) -> np.ndarray:
    return check_array(name, values, ndim=1)


def _settings(confidence, n_boot, seed=0) -> tuple[float, int]:
    check_seed_or_generator("seed", seed)
    return check_probability("confidence", confidence), check_int("n_boot", n_boot, 1)


def bootstrap_mean_interval(values, confidence: float = 0.95, n_boot: int = 2000,
                            seed=0) -> Interval:
    """Mean of ``values`` (n,) and its percentile bootstrap interval (scipy).

    The values must be independent draws (e.g. one per network seed).  One value
    gives a zero-width interval.  ``seed``: int or ``numpy.random.Generator``.
    """
    x = _sample("values", values)
    confidence, n_boot = _settings(confidence, n_boot, seed)
    return bootstrap_interval(np.mean, x, confidence=confidence, n_boot=n_boot, seed=seed)


def rank_correlations(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman's rho of each row pair of ``x``, ``y`` (m, n), vectorized (average ranks for
    ties, as ``scipy.stats.spearmanr``); NaN where a row is constant."""
    rx = _scipy_stats.rankdata(np.atleast_2d(x), axis=-1)
    ry = _scipy_stats.rankdata(np.atleast_2d(y), axis=-1)
    rx -= rx.mean(axis=-1, keepdims=True)
    ry -= ry.mean(axis=-1, keepdims=True)
    den = np.sqrt((rx ** 2).sum(axis=-1) * (ry ** 2).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (rx * ry).sum(axis=-1) / np.where(den > 0, den, 1), np.nan)


def holm(pvalues, alpha: float = 0.05) -> np.ndarray:
    """Holm's step-down procedure: which of the hypotheses are rejected at family-wise
    level ``alpha``.  ``pvalues`` (m,) in [0, 1]; NaN p-values are never rejected and do
    not count in m.  Returns (m,) bools: where the adjusted p-value of
    :func:`essay_lib.report.inference.holm_adjust` (the one home of the procedure) is
    <= ``alpha``."""
    alpha = check_probability("alpha", alpha)
    return holm_adjust(np.asarray(pvalues, dtype=np.float64).ravel()) <= alpha


@dataclass(frozen=True)
class Change(Interval):
    """Mean over seeds of a paired difference, with its exact sign-flip interval and
    p-value (:mod:`essay_lib.report.inference`)."""

    pvalue: float = math.nan


def paired_change(before, after, confidence: float = 0.95, n_boot: int = 2000,
                  seed=0) -> Change:
    """Mean of ``after − before`` over paired units (seeds), with the exact sign-flip
    interval and two-sided p-value (null: the differences are symmetric about 0;
    :func:`~essay_lib.report.inference.signflip_interval`, never a p-value of 0; an
    interval of ±inf where too few seeds can reject anything).  ``n_boot`` and ``seed``
    set the Monte Carlo sign vectors beyond
    :data:`~essay_lib.report.inference.EXACT_MAX_N` seeds."""
    a, b = _sample("before", before), _sample("after", after)
    if len(a) != len(b):
        raise ValueError(f"before and after must pair up, got {len(a)} and {len(b)} values")
    confidence, n_boot = _settings(confidence, n_boot, seed)
    diff = b - a
    low, high = inference.signflip_interval(diff, confidence, n_resamples=n_boot, seed=seed)
    pvalue = inference.signflip_pvalue(diff, n_resamples=n_boot, seed=seed)
    return Change(float(diff.mean()), low, high, confidence, len(diff), pvalue)


def seed_spearman(x, y, seeds, n_boot: int = 2000, confidence: float = 0.95,
                  seed=0) -> Correlation:
    """Spearman's ρ of (x, y) over all rows, with an interval resampling whole seeds.

    ``seeds`` (n,): the network seed of each row.  A bootstrap draw picks as many seeds
    as there are, with replacement, and takes every row of each drawn seed (so rows that
    share a seed stay together, and duplicating rows within a seed changes nothing).
    ``pvalue`` is the bootstrap p-value of ρ = 0.  Needs at least 2 seeds and 3 rows.
    """
    x, y = _sample("x", x), _sample("y", y)
    labels = np.asarray(seeds)
    check_same_length(("x", x), ("y", y), ("seeds", labels))
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        raise ValueError("x and y need at least 3 rows and must not be constant")
    confidence, n_boot = _settings(confidence, n_boot, seed)
    rho = float(rank_correlations(x, y)[0])
    clusters, inverse = np.unique(labels, return_inverse=True)
    if len(clusters) < 2:
        raise ValueError("seeds must name at least 2 different seeds to resample")
    sizes = np.bincount(inverse)
    picks = np.random.default_rng(seed).integers(0, len(clusters), size=(n_boot, len(clusters)))
    if np.all(sizes == sizes[0]):  # balanced: one (n_boot, n) index matrix, vectorized
        members = np.stack([np.flatnonzero(inverse == c) for c in range(len(clusters))])
        rows = members[picks].reshape(n_boot, -1)
        distribution = rank_correlations(x[rows], y[rows])
    else:
        members = [np.flatnonzero(inverse == c) for c in range(len(clusters))]
        distribution = np.array([rank_correlations(x[r], y[r])[0] for r in (
            np.concatenate([members[c] for c in pick]) for pick in picks)])
    low, high = percentile_interval(distribution, confidence, len(clusters))
    return Correlation(rho, low, high, confidence, len(clusters),
                       bootstrap_pvalue(distribution, n_units=len(clusters)))


def spearman_with_interval(x, y, n_boot: int = 2000, confidence: float = 0.95,
                           seed=0) -> Correlation:
    """Spearman's rank correlation of (x, y) with a bootstrap interval over pairs (scipy).

    x, y: (n,) with n >= 3 and neither constant; the pairs must be independent draws.
    Resamples in which x or y is constant (rho undefined) are left out of the interval.
    Returns :class:`Correlation` (estimate = rho, low, high, confidence, n, pvalue).
    """
    x, y = _sample("x", x), _sample("y", y)
    check_same_length(("x", x), ("y", y))
    if len(x) < 3:
        raise ValueError(f"x and y need at least 3 pairs for a rank correlation, got {len(x)}")
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        raise ValueError("x and y must not be constant (Spearman's rho is undefined)")
    confidence, n_boot = _settings(confidence, n_boot, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rho, pvalue = _scipy_stats.spearmanr(x, y)
    rows = np.random.default_rng(seed).integers(0, len(x), size=(n_boot, len(x)))
    low, high = percentile_interval(rank_correlations(x[rows], y[rows]), confidence)
    return Correlation(float(rho), low, high, confidence, len(x), float(pvalue))


def summarize(records: Sequence[dict], *, by: Sequence[str] = ("regularizer", "strength"),
              metric: str = "z_bar", confidence: float = 0.95, n_boot: int = 2000,
              seed=0) -> list[dict]:
    """One row per distinct value of the ``by`` fields: mean of ``metric`` with its interval.

    Rows come in order of first appearance and hold the ``by`` fields, ``metric``,
    ``n`` (records with a finite value), ``mean``, ``low``, ``high``.  Records whose
    ``metric`` is ``None`` or not finite are left out (a group with none gets NaNs).
    """
    if isinstance(by, str):
        by = (by,)
    if not isinstance(metric, str):
        raise TypeError(f"metric must be a field name (str), got {type(metric).__name__}")
    confidence, n_boot = _settings(confidence, n_boot, seed)
    groups: dict[tuple, list[float]] = {}
    for i, record in enumerate(records):
        if not isinstance(record, dict):
            raise TypeError(f"records[{i}] must be a dict, got {type(record).__name__}")
        missing = [name for name in (*by, metric) if name not in record]
        if missing:
            raise ValueError(f"records[{i}] has no field {missing[0]!r}; "
                             f"fields: {sorted(record)}")
        values = groups.setdefault(tuple(record[name] for name in by), [])
        value = record[metric]
        if value is not None and math.isfinite(float(value)):
            values.append(float(value))
    rows = []
    for group, values in groups.items():
        row = dict(zip(by, group, strict=True))
        if values:
            est = bootstrap_mean_interval(values, confidence, n_boot, seed)
            row.update(metric=metric, n=len(values), mean=est.estimate, low=est.low,
                       high=est.high)
        else:
            row.update(metric=metric, n=0, mean=math.nan, low=math.nan, high=math.nan)
        rows.append(row)
    return rows
