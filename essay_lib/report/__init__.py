"""The report floor: statistics, verdicts, tables, figures and widgets from sweep records.

* :mod:`~essay_lib.report.vocabulary`: names, labels and colours of tasks, regularizers
  and measures;
* :mod:`~essay_lib.report.stats`: intervals over seeds and rank correlations;
* :mod:`~essay_lib.report.verdict`: the computed verdict of chapter 04;
* :mod:`~essay_lib.report.analogy`: the paper's analogy filled with measured numbers;
* :mod:`~essay_lib.report.tables`: markdown tables;
* :mod:`~essay_lib.report.plotting`: every figure helper;
* :mod:`~essay_lib.report.widgets`: the interactive cells (static on the site).
"""

from essay_lib.report import analogy, plotting, stats, tables, verdict, vocabulary, widgets

__all__ = ["analogy", "plotting", "stats", "tables", "verdict", "vocabulary", "widgets"]
