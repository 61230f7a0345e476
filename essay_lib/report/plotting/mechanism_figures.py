"""Figures of chapter 06 (the mechanism): sub-network outputs along a line, Z_mask against
strength per task, and the bridges (Z_mask against the MC gap and against Z̄).

Helpers draw what they are given (arrays, curves, per-network values) and return the
figure; they never call ``plt.show()`` and never train or measure anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from essay_lib.report.plotting.style import figure_legend, panel_grid
from essay_lib.report.plotting.sweeps import plot_strength_panels
from essay_lib.report.vocabulary import (
    DEFECT_COLOR,
    INK,
    neutral,
    regularizer_color,
    regularizer_label,
    task_label,
)
from essay_lib.util.checks import check_column

__all__ = ["plot_bridges", "plot_mask_trends", "plot_mechanism_tests", "plot_subnetwork_outputs"]

_SUBNETS = ("$f(x; C)$", "$f(x; C∪A)$", "$f(x; C∪B)$", "$f(x; C∪A∪B)$")
# C, C∪A, C∪B in greys; C∪A∪B, the additive guess and D in the defect's colour (red)
_COLORS = (neutral(2), neutral(1), INK, DEFECT_COLOR)


def plot_subnetwork_outputs(x, outputs: Mapping[str, np.ndarray], *, x_train=None,
                            y_train=None, xlabel: str = "x", ylabel: str = "output"):
    """One panel per network (title -> array (4, n) or (4, n, 1)): the outputs of the four
    sub-networks C, C∪A, C∪B, C∪A∪B along ``x`` (n,), and the additive prediction
    f(C∪A) + f(C∪B) − f(C) of f(C∪A∪B) (dashed); the shaded gap between the two is D.
    Returns the figure."""
    x = check_column("x", x)
    if not isinstance(outputs, Mapping) or not outputs:
        raise ValueError("outputs must be a non-empty mapping: title -> array (4, n)")
    fig, axes = plt.subplots(1, len(outputs), figsize=(4.6 * len(outputs), 3.6), sharey=True,
                             squeeze=False)
    for ax, (title, Y) in zip(axes[0], outputs.items(), strict=True):
        Y = np.asarray(Y, dtype=float).reshape(4, -1)
        if Y.shape[1] != len(x):
            raise ValueError(f"outputs[{title!r}] must have shape (4, {len(x)}) (one column per "
                             f"point of x), got {Y.shape}")
        if x_train is not None:
            ax.scatter(np.ravel(x_train), np.ravel(y_train), s=10, color="black", alpha=0.4,
                       zorder=1, label="training points")
        for values, name, color in zip(Y, _SUBNETS, _COLORS, strict=True):
            ax.plot(x, values, color=color, label=name, linewidth=1.6)
        additive = Y[1] + Y[2] - Y[0]
        ax.plot(x, additive, color=_COLORS[3], linestyle="--", linewidth=1.4,
                label="$f(C∪A) + f(C∪B) − f(C)$")
        ax.fill_between(x, additive, Y[3], color=_COLORS[3], alpha=0.18, linewidth=0,
                        label="$D$ (the defect)")
        ax.set(title=title, xlabel=xlabel)
    axes[0, 0].set_ylabel(ylabel)
    fig.set_label("Outputs of the sub-networks C, C∪A, C∪B and C∪A∪B along the input, with "
                  "the additive prediction f(C∪A) + f(C∪B) − f(C) dashed and the defect D "
                  "shaded; panels: " + "; ".join(outputs))
    fig.tight_layout()
    figure_legend(fig, *axes[0, -1].get_legend_handles_labels(), where="below")
    return fig


def plot_mask_trends(curves: Mapping[str, tuple], *, measure_label: str = "$Z_{\\mathrm{mask}}$"):
    """One row per task: the measure against strength for each regularizer (mean over seeds
    with its interval; the unregularized networks as a grey band).  ``curves``: task ->
    ``(curves, baseline)`` as :func:`essay_lib.report.analogy.strength_curves` returns.
    Returns the figure."""
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError("curves must be a non-empty mapping: task -> (curves, baseline)")
    n_cols = max(len(c) for c, _ in curves.values())
    fig, axes = plt.subplots(len(curves), n_cols, figsize=(3.1 * n_cols + 0.6,
                                                           2.6 * len(curves)),
                             squeeze=False, sharey="row")
    for row, (task, (task_curves, baseline)) in zip(axes, curves.items(), strict=True):
        plot_strength_panels(task_curves, measure_label=measure_label,
                             axes=row[:len(task_curves)], baseline=baseline)
        row[0].set_ylabel(f"{task_label(task)}\n{measure_label}")
        for ax in row[len(task_curves):]:
            ax.set_visible(False)
    fig.set_label(f"{measure_label} against regularization strength, mean over seeds with a "
                  f"95% interval, one row per task ({', '.join(map(task_label, curves))}), one "
                  f"panel per regularizer")
    fig.tight_layout()
    return fig


def plot_bridges(values: Mapping[str, Mapping[str, np.ndarray]], x: str, y: str, *,
                 xlabel: str, ylabel: str, correlations: Mapping[str, str] | None = None,
                 regularizers: Sequence[str] = ("none", "dropout", "l1", "l2", "mixup")):
    """One panel per task: ``y`` against ``x`` for every network, coloured by regularizer.

    ``values``: task -> arrays ``{x: (n,), y: (n,), "regularizer": (n,)}`` (as
    :func:`essay_lib.report.mechanism.network_values` returns); ``correlations``: task ->
    a short text drawn in the panel's corner (e.g. "ρ = +0.61 [+0.40, +0.77]").
    Returns the figure."""
    if not isinstance(values, Mapping) or not values:
        raise ValueError("values must be a non-empty mapping: task -> arrays")
    fig, axes, spare = panel_grid(len(values), panel=(3.8, 3.4))  # 2 × 2 for four tasks
    for ax, (task, v) in zip(axes, values.items(), strict=True):
        for reg in regularizers:
            mine = np.asarray(v["regularizer"]) == reg
            if mine.any():
                ax.scatter(np.asarray(v[x])[mine], np.asarray(v[y])[mine], s=10, alpha=0.65,
                           color=regularizer_color(reg), label=regularizer_label(reg),
                           edgecolors="none")
        if correlations and task in correlations:
            ax.text(0.03, 0.97, correlations[task], transform=ax.transAxes, va="top")
        ax.set(title=task_label(task), xlabel=xlabel)
    for ax in axes:
        if ax.get_subplotspec().is_first_col():
            ax.set_ylabel(ylabel)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.set_label(f"{ylabel} against {xlabel} for every network, coloured by regularizer, one "
                  f"panel per task ({', '.join(map(task_label, values))})")
    fig.tight_layout()
    figure_legend(fig, handles, labels, spare=spare, markerscale=2)
    return fig


def plot_mechanism_tests(tests, *, xlabel: str = "$\\bar Z$ − plain training's, at the same "
                                                 "test loss"):
    """The chapter's answer: one panel per task (2 × 2 for four tasks), one row per series
    (dropout on two hidden layers first): its mean linearity excess over plain training
    stopped early, with its simultaneous interval.  The grey band is ±δ around 0 (as linear
    as plain training); the band in dropout's colour is ±δ around dropout's mean (a series
    whose interval lies inside it matches dropout).  A task where Z̄ is not valid says so.

    ``tests``: a :class:`~essay_lib.report.mechanism_tests.MechanismTests`.  Returns the
    figure."""
    from essay_lib.report.mechanism_tests import SERIES, series_label

    if not hasattr(tests, "tasks") or not tests.tasks:
        raise TypeError("tests must be a report.mechanism_tests.MechanismTests with tasks")
    n = len(tests.tasks)
    n_cols = 1 if n == 1 else 2
    n_rows = -(-n // n_cols)
    fig, grid = plt.subplots(n_rows, n_cols, figsize=(5.2 * n_cols, 3.3 * n_rows),
                             squeeze=False)
    for extra in grid.ravel()[n:]:
        extra.set_visible(False)
    rows = list(SERIES)
    for ax, (task, t) in zip(grid.ravel(), tests.tasks.items(), strict=False):
        ax.set_title(task_label(task))
        if not t.valid:
            ax.text(0.5, 0.5, "measure not valid here", transform=ax.transAxes, ha="center",
                    va="center", color="0.4")
            ax.set(xticks=[], yticks=[])
            continue
        ax.axvspan(-t.delta, t.delta, color="0.88", zorder=0, linewidth=0)
        base = t.series["dropout"].effect.estimate
        ax.axvspan(base - t.delta, base + t.delta, color=regularizer_color("dropout"),
                   alpha=0.15, zorder=0, linewidth=0)
        ax.axvline(0, color="0.3", linewidth=0.8)
        for y, s in enumerate(rows):
            if s not in t.series:
                ax.text(0.02, y, "not valid here", va="center", color="0.4",
                        transform=ax.get_yaxis_transform())
                continue
            e = t.series[s].effect
            low, high = (np.clip(v, -1e3, 1e3) for v in (e.low, e.high))
            ax.plot([low, high], [y, y], color=regularizer_color(s), linewidth=2)
            ax.plot(e.estimate, y, "o", color=regularizer_color(s), markersize=5)
        ax.set_yticks(range(len(rows)), [series_label(s) for s in rows])
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlabel(xlabel)
    fig.set_label("For each task, each way of training's mean difference in Z̄ from plain "
                  "training stopped early at the same test loss, with simultaneous intervals "
                  "over seeds; grey band: ±δ around 0; blue band: ±δ around dropout's mean")
    fig.tight_layout()
    return fig
