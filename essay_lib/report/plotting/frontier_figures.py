"""The fit frontier figure (chapter 05): Z̄ against the loss, one line per regularizer.

Drawn from the tidy table of :func:`essay_lib.report.table.record_table`; the numbers
behind it are :mod:`essay_lib.report.frontier`'s.  Helpers return the figure and never
call ``plt.show()``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from essay_lib.report.table import TOWARD_FULL_TRAINING, check_table, paths, task_kind
from essay_lib.report.vocabulary import (
    REGULARIZER_COLORS,
    loss_label,
    regularizer_color,
    regularizer_label,
    task_label,
)

__all__ = ["FRONTIER_MEASURE_LABEL", "frontier_means", "plot_frontier"]

#: The y axis of the frontier figure (Z̄ is a ratio of norms: it has no unit).
FRONTIER_MEASURE_LABEL = "$\\bar Z$ (no unit; 0 = additive)"


def frontier_means(table, task: str, regularizer: str, *, loss: str = "test_loss",
                   measure: str = "z_bar") -> pd.DataFrame:
    """The mean over seeds of each strength's (loss, measure) on one regularizer's path
    (:func:`~essay_lib.report.table.paths`, the unregularized network included), in
    strength order: columns ``strength``, ``loss``, ``measure``, ``n_seeds``."""
    by_seed = paths(table, task, regularizer, x=loss, y=measure)
    points = pd.DataFrame(
        [(s, x, y) for strengths, xs, ys in by_seed.values()
         for s, x, y in zip(strengths, xs, ys, strict=True)],
        columns=["strength", "loss", "measure"])
    means = points.groupby("strength", sort=True).agg(
        loss=("loss", "mean"), measure=("measure", "mean"), n_seeds=("loss", "size"))
    return means.reset_index()


def _panels(ax, n: int):
    """(figure, one Axes per task, columns of the grid: None where ``ax`` was given)."""
    if ax is None:
        n_cols = 1 if n == 1 else 2 if n <= 4 else 3
        n_rows = math.ceil(n / n_cols)
        fig, grid = plt.subplots(n_rows, n_cols, figsize=(3.9 * n_cols, 3.3 * n_rows),
                                 squeeze=False)
        for extra in grid.ravel()[n:]:
            extra.set_visible(False)
        return fig, list(grid.ravel()[:n]), n_cols
    axes = list(np.ravel(ax)) if isinstance(ax, (Sequence, np.ndarray)) else [ax]
    if len(axes) != n or not all(isinstance(a, plt.Axes) for a in axes):
        raise ValueError(f"ax must be one matplotlib Axes per task ({n}), got {ax!r}")
    return axes[0].figure, axes, None


def _check_names(name: str, value) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence) or not value \
            or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{name} must be a non-empty sequence of names, got {value!r}")
    return list(value)


def plot_frontier(table, tasks: Sequence[str], regularizers: Sequence[str] = (
        "dropout", "l1", "l2", "mixup"), *, loss: str = "test_loss", ax=None):
    """The fit frontier: per task one panel of Z̄ against ``loss``, one line per regularizer.

    Each line joins, in strength order, the mean over seeds of each strength's (loss, Z̄)
    (:func:`frontier_means`), with a marker at every strength; it starts at the
    unregularized networks (a white circle), which belong to every path.  Where the table
    has early stopping on a task, its path is drawn too (dashed; it ends at the
    unregularized networks).  Regularizers without rows on a task are left out there.
    Colours and names come from :mod:`essay_lib.report.vocabulary`.

    ``table``: :func:`essay_lib.report.table.record_table`; ``tasks``: one panel each (a
    2×2 grid for four); ``loss``: the fit axis (``"test_loss"`` or ``"train_loss"``);
    ``ax``: one Axes per task, or None for a new figure.  Returns the figure.
    """
    table = check_table(table, loss, "z_bar")
    tasks = _check_names("tasks", tasks)
    regularizers = _check_names("regularizers", regularizers)
    fig, axes, n_cols = _panels(ax, len(tasks))
    named = {}  # the regularizers drawn in any panel, in order
    for i, (panel, task) in enumerate(zip(axes, tasks, strict=True)):
        present = set(table.loc[table["task"] == task, "regularizer"])
        if not present:
            raise ValueError(f"task {task!r} has no rows in table; tasks: "
                             f"{sorted(set(table['task']))}")
        drawn = [r for r in regularizers if r in present and r != "none"]
        drawn += [r for r in TOWARD_FULL_TRAINING if r in present and r not in drawn]
        named.update(dict.fromkeys(drawn))
        for reg in drawn:
            means = frontier_means(table, task, reg, loss=loss)
            panel.plot(means["loss"], means["measure"], marker="o", markersize=3.5,
                       linestyle="--" if reg in TOWARD_FULL_TRAINING else "-",
                       color=regularizer_color(reg), label=regularizer_label(reg), zorder=2)
        base = table.loc[(table["task"] == task) & (table["regularizer"] == "none"),
                         [loss, "z_bar"]].dropna()
        if len(base):
            panel.scatter([base[loss].mean()], [base["z_bar"].mean()], s=60, zorder=4,
                          facecolor="white", edgecolor=REGULARIZER_COLORS["none"],
                          linewidth=1.4, label="no regularization")
        panel.set(title=task_label(task), xlabel=loss_label(loss, task_kind(table, task)))
        if n_cols is None or i % n_cols == 0:  # the grid's first column
            panel.set_ylabel(FRONTIER_MEASURE_LABEL)
    handles = {}
    for panel in axes:
        for handle, label in zip(*panel.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    if n_cols is not None:
        fig.legend(handles.values(), handles.keys(), loc="center left",
                   bbox_to_anchor=(1.0, 0.5))
    else:
        axes[0].legend(handles.values(), handles.keys())
    fig.set_label(f"Z̄ against {loss_label(loss)}: the mean over seeds at each strength, one "
                  f"line per regularizer ({', '.join(map(regularizer_label, named))}) "
                  f"starting at the unregularized networks; one panel per task "
                  f"({', '.join(map(task_label, tasks))})")
    if n_cols is not None:
        fig.tight_layout()
    return fig
