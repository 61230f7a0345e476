"""The report floor: statistics, verdicts, tables, figures and widgets from sweep records.

* :mod:`~essay_lib.report.vocabulary`: names, labels and colours of tasks, regularizers
  and measures;
* :mod:`~essay_lib.report.stats`: intervals over seeds and rank correlations;
* :mod:`~essay_lib.report.trends`: seed-level trends of a measure along a strength;
* :mod:`~essay_lib.report.matched`: paired contrasts, matched-fit comparisons, plateaus;
* :mod:`~essay_lib.report.speccurve`: the verdict under every specification of Z̄;
* :mod:`~essay_lib.report.verdict`: the computed verdict of chapter 04;
* :mod:`~essay_lib.report.analogy`: the paper's analogy filled with measured numbers;
* :mod:`~essay_lib.report.tables`: markdown tables;
* :mod:`~essay_lib.report.experiment_tables`: chapter 04's tables of its spec and fit;
* :mod:`~essay_lib.report.plotting`: every figure helper;
* :mod:`~essay_lib.report.widgets`: the interactive cells (static on the site).
"""

from essay_lib.report import (
    analogy,
    experiment_tables,
    matched,
    plotting,
    speccurve,
    stats,
    tables,
    trends,
    verdict,
    vocabulary,
    widgets,
)

__all__ = ["analogy", "experiment_tables", "matched", "plotting", "speccurve", "stats", "tables",
           "trends", "verdict", "vocabulary", "widgets"]
