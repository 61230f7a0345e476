"""Figures of sweeps: a measure against regularization strength, rank-correlation forests.

Helpers take an optional ``ax``/``axes`` and return them; they never call ``plt.show()``.
"""

from __future__ import annotations

import numpy as np

from essay_lib.report.plotting.basic import axes_or_new, draw_intervals, plot_mean_interval
from essay_lib.report.plotting.style import panel_grid
from essay_lib.report.vocabulary import (
    TASK_COLOR,
    group_markers,
    regularizer_color,
    regularizer_label,
    strength_label,
)


def _curve(name: str, curve) -> tuple[np.ndarray, ...]:
    try:
        arrays = [np.asarray(curve[key], dtype=float).ravel()
                  for key in ("strength", "mean", "low", "high")]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"curves[{name!r}] must map 'strength', 'mean', 'low' and 'high' to "
                         f"arrays") from exc
    if len({len(a) for a in arrays}) != 1 or len(arrays[0]) == 0:
        raise ValueError(f"curves[{name!r}]: 'strength', 'mean', 'low' and 'high' must be "
                         f"non-empty and of one length, got {[len(a) for a in arrays]}")
    return tuple(arrays)


def plot_strength_panels(curves, *, measure_label: str, axes=None, baseline=None,
                         sharey: bool = True):
    """One panel per regularizer: a measure against strength, mean with a shaded interval.

    ``curves``: mapping regularizer name (``"dropout"``, ``"l1"``, ``"l2"``,
    ``"mixup"``...) -> mapping with equal-length arrays ``strength``, ``mean``,
    ``low``, ``high`` (e.g. the mean over seeds and its 95% bootstrap interval).
    ``baseline``: optional ``(mean, low, high)`` of the unregularized networks,
    drawn as a grey band in every panel.  L1, L2 and mixup strengths get a
    logarithmic axis (zero strengths are left out there: the baseline shows them).
    ``axes``: a sequence of one Axes per regularizer, or None for a new figure (a row of
    one or two panels, a 2 × 2 grid for three or four).
    Returns the list of Axes.
    """
    if not hasattr(curves, "items") or len(curves) == 0:
        raise ValueError("curves must be a non-empty mapping regularizer -> curve")
    if not isinstance(measure_label, str):
        raise TypeError(f"measure_label must be a str, got {type(measure_label).__name__}")
    data = {name: _curve(name, curve) for name, curve in curves.items()}
    created = axes is None
    if created:
        _, axes, _ = panel_grid(len(data), panel=(3.4, 3.0), sharey=sharey)
    axes = list(np.ravel(axes))
    if len(axes) != len(data):
        raise ValueError(f"axes must hold one Axes per regularizer ({len(data)}), got {len(axes)}")
    for ax, (name, (strength, mean, low, high)) in zip(axes, data.items(), strict=True):
        label, log = strength_label(name)
        keep = strength > 0 if log else np.ones(len(strength), bool)
        if baseline is not None:
            b_mean, b_low, b_high = (float(v) for v in baseline)
            ax.axhspan(b_low, b_high, color="0.6", alpha=0.2, linewidth=0)
            ax.axhline(b_mean, color="0.4", linestyle=":", linewidth=1, label="no regularization")
        plot_mean_interval(strength[keep], mean[keep], low[keep], high[keep], ax=ax,
                           color=regularizer_color(name), label=regularizer_label(name))
        if log:
            ax.set_xscale("log")
        ax.set_xlabel(label)
        ax.set_title(regularizer_label(name))
    for ax in axes:
        spec = ax.get_subplotspec()
        if ax is axes[0] or (spec is not None and spec.is_first_col()):
            ax.set_ylabel(measure_label)
    if created:
        axes[0].figure.tight_layout()
    return axes


def plot_rank_correlations(rows, *, ax=None, xlabel="Spearman's ρ"):
    """A forest plot of rank correlations with their intervals.

    ``rows``: sequence of mappings with ``label`` (one line of the plot, e.g.
    ``"dropout → Z̄"``), ``group`` (e.g. the task; groups are dodged within a line and
    told apart by marker, a task by its own: :func:`~essay_lib.report.vocabulary.task_marker`),
    ``rho``, ``low``, ``high``, and optionally ``regularizer`` (the line's colour; black
    without one).  Lines are drawn top to bottom in first-seen order; a vertical rule
    marks 0.  Returns the Axes.
    """
    rows = list(rows)
    if not rows:
        raise ValueError("rows must hold at least one correlation")
    for i, row in enumerate(rows):
        missing = {"label", "group", "rho", "low", "high"} - set(row)
        if missing:
            raise ValueError(f"rows[{i}] lacks {sorted(missing)}")
    ax = axes_or_new(ax)
    labels = list(dict.fromkeys(r["label"] for r in rows))
    groups = list(dict.fromkeys(r["group"] for r in rows))
    markers = group_markers(groups)
    step = 0.7 / max(len(groups), 1)
    for row in rows:
        k = groups.index(row["group"])
        y = labels.index(row["label"]) + (k - (len(groups) - 1) / 2) * step
        color = regularizer_color(row["regularizer"]) if row.get("regularizer") else TASK_COLOR
        draw_intervals(ax, [y], [row["low"]], [row["high"]], [row["rho"]], horizontal=True,
                       color=color, marker=markers[row["group"]])
    for g in groups:
        ax.plot([], [], markers[g], color=TASK_COLOR, linestyle="none", label=str(g))
    ax.axvline(0, color="0.3", linewidth=1)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlim(-1.05, 1.05)
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    return ax
