"""The report floor: statistics, verdicts, tables, figures and widgets from sweep records.

Pure functions of the records and arrays they are given: nothing here trains or measures a
network (that is :mod:`essay_lib.experiment` and below).

* :mod:`~essay_lib.report.session`: :func:`~essay_lib.report.session.setup`, a chapter's
  first call (threads, seeds and the figure style);
* :mod:`~essay_lib.report.vocabulary`: names, labels and colours of tasks, regularizers
  and measures;
* :mod:`~essay_lib.report.table`: the records read once into one tidy table, and each
  seed's strength path;
* :mod:`~essay_lib.report.frontier`: the fit frontier and dropout's linearity excess;
* :mod:`~essay_lib.report.validity_report`: chapter 04's validity table and positive control;
* :mod:`~essay_lib.report.answer`: chapter 05's answer (trend and excess at equal fit, read
  as one family of tests) in tables and plain words;
* :mod:`~essay_lib.report.stats`: intervals over seeds and rank correlations;
* :mod:`~essay_lib.report.inference`: exact sign-flip tests and intervals over seeds, Holm's
  adjusted p-values, per-seed trends and the four-way equivalence reading;
* :mod:`~essay_lib.report.trends`: seed-level trends of a measure along a strength;
* :mod:`~essay_lib.report.matched`: paired contrasts, matched-fit comparisons, plateaus;
* :mod:`~essay_lib.report.speccurve`: the verdict under every specification of Z̄;
* :mod:`~essay_lib.report.verdict`: the computed verdict of chapter 05;
* :mod:`~essay_lib.report.mechanism`: chapter 06 in mask space (Z_mask's trends and its
  comparisons at the same fit) and its bridges to chapters 02 and 05;
* :mod:`~essay_lib.report.mechanism_tests`: chapter 06's answer: which ways of training
  match dropout's effect on Z̄ at the same fit;
* :mod:`~essay_lib.report.analogy`: the paper's analogy filled with measured numbers;
* :mod:`~essay_lib.report.tables`: markdown tables;
* :mod:`~essay_lib.report.wording`: how numbers and counts are written (true minus, no
  negative zero, rounding noise as "0 (to rounding)", verbs that agree with counts);
* :mod:`~essay_lib.report.penalty_sweep`: chapter 01's penalty sweep as arrays and tables;
* :mod:`~essay_lib.report.experiment_tables`: chapter 05's tables of its spec and fit;
* :mod:`~essay_lib.report.beyond_verdict`: chapter 07's verdict per variant and task;
* :mod:`~essay_lib.report.sentences`: the computed sentences the README quotes, each
  computed from scratch (:data:`~essay_lib.report.sentences.SENTENCES`) and written to
  ``figures/<name>.md`` (:func:`~essay_lib.report.sentences.write_sentence`);
* :mod:`~essay_lib.report.plotting`: every figure helper;
* :mod:`~essay_lib.report.specification_curve`: chapter 05's answer under every
  specification, by its own rules (the appendix);
* :mod:`~essay_lib.report.kernel_check`: the last run of the kernel-path check (appendix);
* :mod:`~essay_lib.report.widgets`: the interactive cells of JupyterLab (ipywidgets; not on
  the site);
* :mod:`~essay_lib.report.explorers`: the explorers that run in a browser with no kernel
  (chapter 05's drop rate, chapter 04's D): frames computed from the cached networks and
  records, written as HTML with inline SVG and a small inline script by
  :mod:`~essay_lib.report.explorer_html` (style and scripts:
  :mod:`~essay_lib.report.explorer_assets`).
"""

import importlib

__all__ = ["analogy", "answer", "beyond_verdict", "experiment_tables", "frontier", "inference",
           "matched", "mechanism", "mechanism_tests", "penalty_sweep", "plotting", "sentences",
           "session", "speccurve", "stats", "table", "tables", "trends", "validity_report",
           "verdict", "vocabulary", "widgets", "explorers", "explorer_html", "explorer_assets",
           "kernel_check", "specification_curve", "wording"]


def __getattr__(name: str):
    """Load a module of this floor on first use: ``report.plotting`` alone (the site build,
    a figure) does not import the modules that need torch."""
    if name in __all__:
        return importlib.import_module(f"essay_lib.report.{name}")
    raise AttributeError(f"module 'essay_lib.report' has no attribute {name!r}")
