"""The one bootstrap engine of the package: percentile intervals, plain or by cluster.

* :func:`bootstrap_interval`: the ordinary bootstrap of a statistic of one or more
  samples (paired or not), by ``scipy.stats.bootstrap`` with the percentile method.
  Used where the rows really are independent draws: triples of a Z̄ (drawn i.i.d.
  from the data), or one value per independently seeded network.
* :func:`expanded_level`: the small-sample widening of a percentile interval over few
  units (used for every interval over seeds);
* :func:`cluster_bootstrap`: resamples whole *clusters* (e.g. every record of one
  network seed) with replacement and recomputes the statistic on the rows of the
  drawn clusters.  Networks that share a seed share their initial weights, data order
  and unregularized reference, so they are not independent: their seed is the unit of
  evidence, and duplicating rows inside a cluster leaves the interval unchanged.
  scipy has no cluster bootstrap; this is the one hand-written resampler.

Intervals hold the central ``confidence`` share of the bootstrap distribution
(percentile method).  Randomness comes from ``numpy.random.default_rng(seed)``: the
same seed gives the same interval.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from essay_lib.util.checks import (
    check_array,
    check_int,
    check_probability,
    check_seed_or_generator,
)

__all__ = ["Interval", "bootstrap_interval", "bootstrap_pvalue", "cluster_bootstrap",
           "expanded_level",
           "percentile_interval", "resample_clusters"]


@dataclass(frozen=True)
class Interval:
    """A point estimate with a two-sided interval at ``confidence``; ``n`` units resampled."""

    estimate: float
    low: float
    high: float
    confidence: float
    n: int

    def __iter__(self):
        return iter((self.estimate, self.low, self.high))

    @property
    def width(self) -> float:
        return self.high - self.low

    def excludes_zero(self) -> bool:
        """True when the whole interval lies on one side of 0."""
        return self.low > 0 or self.high < 0


def _settings(confidence, n_boot, seed=0) -> tuple[float, int]:
    check_seed_or_generator("seed", seed)
    return check_probability("confidence", confidence), check_int("n_boot", n_boot, 1)


def expanded_level(confidence: float, n_units: int) -> float:
    """The share of the bootstrap distribution an interval over ``n_units`` resampled units
    should hold (Hesterberg's expanded percentile interval, 2015).

    The plain percentile interval is too narrow when few units are resampled (with 8
    seeds a nominal 95% interval covers about 92%): it behaves like a normal interval
    where a t interval with n − 1 degrees of freedom is due, and it uses the plug-in
    spread (divisor n).  The level returned widens it by both factors:
    ``2 Φ(sqrt(n / (n − 1)) · t_{n−1, (1+c)/2}) − 1``.  ``n_units`` < 2: ``confidence``.
    """
    if n_units < 2:
        return confidence
    t = scipy_stats.t.ppf((1 + confidence) / 2, n_units - 1)
    return float(2 * scipy_stats.norm.cdf(math.sqrt(n_units / (n_units - 1)) * t) - 1)


def percentile_interval(distribution, confidence: float, n_units: int | None = None
                        ) -> tuple[float, float]:
    """The central ``confidence`` share of a bootstrap distribution (NaNs left out); with
    ``n_units`` (the number of resampled units), the expanded share of :func:`expanded_level`."""
    values = np.asarray(distribution, dtype=np.float64)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return math.nan, math.nan
    level = confidence if n_units is None else expanded_level(confidence, n_units)
    alpha = (1 - level) / 2
    low, high = np.quantile(values, [alpha, 1 - alpha])
    return float(low), float(high)


def bootstrap_interval(statistic, *samples, paired: bool = True, confidence: float = 0.95,
                       n_boot: int = 2000, seed=0) -> Interval:
    """Percentile bootstrap interval of ``statistic(*samples, axis=-1)`` (scipy), at the
    expanded level of :func:`expanded_level` for the sample size.

    ``samples``: 1-D arrays (of equal length when ``paired``); ``statistic`` must be
    vectorized: it receives arrays with the resamples along the leading axes and
    reduces ``axis``.  One value per sample gives a zero-width interval.
    """
    confidence, n_boot = _settings(confidence, n_boot, seed)
    data = [check_array(f"samples[{i}]", s, ndim=1) for i, s in enumerate(samples)]
    if not data:
        raise ValueError("bootstrap_interval needs at least one sample")
    estimate = float(statistic(*data, axis=-1))
    n = len(data[0])
    if paired and any(len(d) != n for d in data):
        raise ValueError(f"paired samples must have one length, got {[len(d) for d in data]}")
    if all(len(d) == 1 for d in data) or all(np.ptp(d) == 0 for d in data):
        return Interval(estimate, estimate, estimate, confidence, n)
    with warnings.catch_warnings():  # scipy warns on degenerate (e.g. constant) resamples
        warnings.simplefilter("ignore")
        result = scipy_stats.bootstrap(
            tuple(data), statistic, n_resamples=n_boot, paired=paired, vectorized=True,
            axis=-1, confidence_level=expanded_level(confidence, n), method="percentile",
            rng=np.random.default_rng(seed))
    low, high = result.confidence_interval
    return Interval(estimate, float(low), float(high), confidence, n)


def bootstrap_pvalue(distribution, null: float = 0.0, n_units: int | None = None) -> float:
    """Two-sided bootstrap p-value of "the statistic equals ``null``".

    Twice the smaller share of the distribution on either side of ``null``: the level at
    which the plain percentile interval just reaches ``null``.  With ``n_units``, that
    level is mapped back through :func:`expanded_level`, so that the p-value agrees with
    the expanded interval (p < 1 − confidence exactly when that interval excludes
    ``null``).  NaNs are left out; NaN when nothing is left.
    """
    d = np.asarray(distribution, dtype=np.float64)
    d = d[np.isfinite(d)]
    if len(d) == 0:
        return math.nan
    plain = float(min(1.0, 2 * min(np.mean(d <= null), np.mean(d >= null))))
    if n_units is None or n_units < 2 or plain in (0.0, 1.0):
        return plain
    z = scipy_stats.norm.ppf(1 - plain / 2) / math.sqrt(n_units / (n_units - 1))
    return float(2 * scipy_stats.t.sf(z, n_units - 1))


def resample_clusters(labels, n_boot: int, seed=0) -> tuple[np.ndarray, list[np.ndarray]]:
    """The cluster resamples of :func:`cluster_bootstrap`.

    ``labels``: (n,) cluster of each row.  Returns ``(clusters, draws)``: the distinct
    labels (sorted) and, for each of ``n_boot`` resamples, the row indices of the drawn
    clusters (a cluster drawn twice contributes its rows twice).
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) == 0:
        raise ValueError(f"labels must be a non-empty 1-D array, got shape {labels.shape}")
    n_boot = check_int("n_boot", n_boot, 1)
    check_seed_or_generator("seed", seed)
    clusters, inverse = np.unique(labels, return_inverse=True)
    rows = [np.flatnonzero(inverse == c) for c in range(len(clusters))]
    picks = np.random.default_rng(seed).integers(0, len(clusters), size=(n_boot, len(clusters)))
    return clusters, [np.concatenate([rows[c] for c in pick]) for pick in picks]


def cluster_bootstrap(statistic, labels, *, confidence: float = 0.95, n_boot: int = 2000,
                      seed=0, return_distribution: bool = False):
    """Percentile interval of ``statistic(rows)`` resampling whole clusters of rows.

    ``statistic``: a function of an index array (rows of the data, repeats allowed) to a
    float; NaN results (a degenerate resample) are left out of the interval.
    ``labels``: (n,) cluster of each row (e.g. the network seed).  Returns an
    :class:`Interval` whose ``n`` is the number of clusters (and the distribution, an
    (n_boot,) array, with ``return_distribution``).
    """
    confidence, n_boot = _settings(confidence, n_boot, seed)
    labels = np.asarray(labels)
    estimate = float(statistic(np.arange(len(labels))))
    clusters, draws = resample_clusters(labels, n_boot, seed)
    distribution = np.array([statistic(rows) for rows in draws], dtype=np.float64)
    if len(clusters) == 1:
        low = high = estimate
    else:
        low, high = percentile_interval(distribution, confidence, len(clusters))
    interval = Interval(estimate, low, high, confidence, len(clusters))
    return (interval, distribution) if return_distribution else interval
