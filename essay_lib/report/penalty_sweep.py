"""Chapter 01's coefficient sweep as arrays: one (penalty, strength, seed) array per metric.

:func:`essay_lib.experiment.run_sweep` gives one record per network (``regularizer``,
``strength``, ``seed`` and its metrics).  :func:`penalty_arrays` arranges the records of
a sweep over L1/L2 coefficients into a :class:`PenaltySweep`: for every metric an array
of shape ``(n_penalties, n_strengths, n_seeds)``, plus the unpenalised networks
(regularizer ``none``) apart, shape ``(n_seeds,)``; it reads records of networks measured
again just as well (:func:`essay_lib.experiment.remeasure.weight_records`: the weights at
another near-zero threshold).  :func:`grid_search_table` is the table of the coefficient
chosen on the validation split.

Conventions: a strength is the penalty coefficient λ of ``λ Σ|w|`` (L1) or ``λ Σw²``
(L2) added to the mean data loss (:mod:`essay_lib.nets.regularization`); losses are
mean squared errors (regression) or cross-entropies.  Pure functions of records: no
torch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from essay_lib.report.tables import markdown_table
from essay_lib.report.vocabulary import regularizer_label
from essay_lib.util.checks import check_choice, check_number

__all__ = ["DEFAULT_METRICS", "PENALTIES", "PenaltySweep", "grid_search_table",
           "penalty_arrays"]

#: the penalties a :class:`PenaltySweep` may hold
PENALTIES = ("l1", "l2")
#: the metrics :func:`penalty_arrays` collects unless told otherwise
DEFAULT_METRICS = ("train_loss", "validation_loss", "test_loss", "weight_sparsity",
                   "weight_norm")


@dataclass(frozen=True, eq=False)
class PenaltySweep:
    """A penalty sweep as arrays.

    ``penalties``: e.g. ``("l1", "l2")``; ``strengths``: the coefficients λ, increasing,
    shape (L,), shared by every penalty; ``seeds``: increasing, (S,); ``values``: metric
    -> array (P, L, S) with ``values[m][i, j, k]`` the metric of the network with
    penalty ``penalties[i]``, coefficient ``strengths[j]`` and seed ``seeds[k]``;
    ``baseline``: metric -> array (S,) of the unpenalised networks (empty when the
    sweep has none).
    """

    penalties: tuple[str, ...]
    strengths: np.ndarray
    seeds: tuple[int, ...]
    values: Mapping[str, np.ndarray]
    baseline: Mapping[str, np.ndarray]

    def __getitem__(self, metric: str) -> np.ndarray:
        """``values[metric]``, shape (P, L, S)."""
        check_choice("metric", metric, tuple(self.values))
        return self.values[metric]

    def penalty_index(self, penalty: str) -> int:
        """Position of ``penalty`` in :attr:`penalties`."""
        return self.penalties.index(check_choice("penalty", penalty, self.penalties))

    def strength_index(self, strength: float) -> int:
        """Index of the grid coefficient closest to ``strength`` (absolute difference)."""
        strength = check_number("strength", strength, minimum=0.0)
        return int(np.argmin(np.abs(self.strengths - strength)))

    def mean(self, metric: str) -> np.ndarray:
        """The seed mean of ``metric``, shape (P, L)."""
        return self[metric].mean(axis=2)

    def best_index(self, penalty: str, metric: str = "validation_loss") -> int:
        """Index of the coefficient with the lowest seed-mean ``metric`` for ``penalty``
        (the grid search; the first one on ties)."""
        return int(np.argmin(self.mean(metric)[self.penalty_index(penalty)]))


def _check_records(records) -> list[Mapping]:
    if isinstance(records, (str, bytes, Mapping)) or not isinstance(records, Sequence):
        raise TypeError(f"records must be a sequence of records (dicts), got "
                        f"{type(records).__name__}")
    for i, r in enumerate(records):
        if not isinstance(r, Mapping):
            raise TypeError(f"records[{i}] must be a dict, got {type(r).__name__}")
        missing = [k for k in ("regularizer", "strength", "seed") if k not in r]
        if missing:
            raise ValueError(f"records[{i}] has no {missing[0]!r}")
    return list(records)


def _value(record: Mapping, metric: str) -> float:
    value = record.get(metric)
    if value is None:
        raise ValueError(f"the record of ({record['regularizer']}, {record['strength']:g}, "
                         f"seed {record['seed']}) has no value for metric {metric!r}")
    return float(value)


def penalty_arrays(records, *, metrics: Sequence[str] = DEFAULT_METRICS,
                   penalties: Sequence[str] = PENALTIES) -> PenaltySweep:
    """Arrange sweep records into a :class:`PenaltySweep`.

    ``records``: dicts with ``regularizer``, ``strength``, ``seed`` and every name of
    ``metrics`` (as :func:`essay_lib.experiment.run_sweep` returns them); records of
    regularizers other than ``penalties`` and ``none`` are ignored.  Every penalty must
    have been run at the same coefficients, with every seed, once each; the
    ``none`` records (if any) with the same seeds.
    """
    records = _check_records(records)
    penalties = tuple(check_choice(f"penalties[{i}]", p, PENALTIES)
                      for i, p in enumerate(penalties))
    if not penalties or len(set(penalties)) != len(penalties):
        raise ValueError(f"penalties must name each of {PENALTIES} at most once, got "
                         f"{penalties}")
    metrics = tuple(metrics)
    if not metrics or not all(isinstance(m, str) for m in metrics):
        raise ValueError(f"metrics must be a non-empty sequence of names, got {metrics!r}")
    table: dict[tuple[str, float, int], Mapping] = {}
    for r in records:
        if r["regularizer"] in (*penalties, "none"):
            key = (r["regularizer"], float(r["strength"]), int(r["seed"]))
            if key in table:
                raise ValueError(f"records hold network {key} twice")
            table[key] = r
    strengths = {p: sorted({s for q, s, _ in table if q == p}) for p in penalties}
    seeds = sorted({seed for q, _, seed in table if q in penalties})
    grid = strengths[penalties[0]]
    if not grid:
        raise ValueError(f"records hold no network with penalty {penalties[0]!r}")
    for p in penalties:
        if strengths[p] != grid:
            raise ValueError(f"penalty {p!r} was run at coefficients {strengths[p]}, "
                             f"{penalties[0]!r} at {grid}; they must be the same")
    keys = [[[(p, s, seed) for seed in seeds] for s in grid] for p in penalties]
    absent = [k for plane in keys for row in plane for k in row if k not in table]
    if absent:
        raise ValueError(f"records lack network {absent[0]} ({len(absent)} missing)")
    values = {m: np.array([[[_value(table[k], m) for k in row] for row in plane]
                           for plane in keys]) for m in metrics}
    base_keys = [k for k in table if k[0] == "none"]
    baseline = {}
    if base_keys:
        if sorted(k[2] for k in base_keys) != seeds:
            raise ValueError(f"the unpenalised networks have seeds "
                             f"{sorted(k[2] for k in base_keys)}, the penalised ones {seeds}")
        by_seed = {k[2]: table[k] for k in base_keys}
        baseline = {m: np.array([_value(by_seed[seed], m) for seed in seeds]) for m in metrics}
    return PenaltySweep(penalties, np.array(grid), tuple(seeds), values, baseline)


def grid_search_table(sweep: PenaltySweep, *, metric: str = "validation_loss") -> str:
    """Markdown table of the grid search: for no penalty and for each penalty at its
    chosen coefficient (lowest seed-mean ``metric``), the seed means of the validation
    loss, test loss, near-zero share and weight norm.

    Needs ``validation_loss``, ``test_loss``, ``weight_sparsity`` and ``weight_norm``
    in ``sweep`` and its baseline."""
    if not isinstance(sweep, PenaltySweep):
        raise TypeError(f"sweep must be a PenaltySweep, got {type(sweep).__name__}")
    needed = ("validation_loss", "test_loss", "weight_sparsity", "weight_norm")
    lacking = [m for m in needed if m not in sweep.values or m not in sweep.baseline]
    if lacking:
        raise ValueError(f"sweep lacks metric {lacking[0]!r} (or its unpenalised baseline)")
    base = {m: sweep.baseline[m].mean() for m in needed}
    rows = [["none", "0", f"{base['validation_loss']:.3f}", f"{base['test_loss']:.3f}",
             f"{base['weight_sparsity']:.3f}", f"{base['weight_norm']:.2f}"]]
    for i, pen in enumerate(sweep.penalties):
        j = sweep.best_index(pen, metric)
        mean = {m: sweep.mean(m)[i, j] for m in needed}
        rows.append([regularizer_label(pen), f"{sweep.strengths[j]:.0e}",
                     f"{mean['validation_loss']:.3f}", f"{mean['test_loss']:.3f}",
                     f"{mean['weight_sparsity']:.3f}", f"{mean['weight_norm']:.2f}"])
    header = ["penalty", "chosen $\\lambda$", "validation loss", "test loss",
              "near-zero share", "weight norm"]
    return markdown_table(header, rows)
