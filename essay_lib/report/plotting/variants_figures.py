"""Chapter 07's figure: every variant's effect on Z̄ at a glance.

The helper draws the rows it is given (:func:`essay_lib.report.beyond_verdict.effect_rows`) and
returns the figure; it never trains anything and never computes a verdict.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from essay_lib.report.plotting.basic import draw_intervals
from essay_lib.report.plotting.style import figure_legend, panel_grid
from essay_lib.report.vocabulary import regularizer_color, regularizer_label, task_label

__all__ = ["ROLE_LABELS", "UNBOUNDED_LABEL", "plot_variant_effects"]

#: How each role is named in the legend (the regularizer's own name is added).
ROLE_LABELS = {"dropout": "dropout", "penalty": "weight penalty", "control": "mixup (control)"}
#: The legend's words for a dotted line: an interval the seeds cannot bound.
UNBOUNDED_LABEL = "no bounded interval (too few seeds)"
_KEYS = ("variant", "group", "task", "role", "regularizer", "estimate", "low", "high")


def _check_rows(rows) -> list[Mapping]:
    rows = list(rows)
    if not rows:
        raise ValueError("rows must hold at least one effect")
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise TypeError(f"rows[{i}] must be a mapping, got {type(row).__name__}")
        missing = set(_KEYS) - set(row)
        if missing:
            raise ValueError(f"rows[{i}] lacks {sorted(missing)}")
    return rows


def plot_variant_effects(rows: Sequence[Mapping], *, tasks: Sequence[str] | None = None,
                         measure_label: str = "$\\bar Z$", panel_width: float = 2.9):
    """A forest plot: one panel per task (a row of two, a 2 × 2 grid for four), one line per
    variant (grouped by what was
    varied, groups separated by a rule, the group named after the variant), and on each
    line the paired change of the measure from no regularization to each regularizer's
    strongest strength (mean over seeds, drawn over exactly its 95% interval), one colour
    per regularizer.

    ``rows``: mappings with ``variant``, ``group``, ``task``, ``role`` (dropout / penalty /
    control), ``regularizer``, ``estimate``, ``low``, ``high`` (in the order to draw:
    variants top to bottom in first-seen order).  A variant not run on a task leaves its
    line empty there.  An interval with an infinite end (too few seeds for the exact test
    to bound it) is a dotted line across the panel, and the legend says so
    (:data:`UNBOUNDED_LABEL`).  Returns the figure.
    """
    rows = _check_rows(rows)
    tasks = list(dict.fromkeys(r["task"] for r in rows)) if tasks is None else list(tasks)
    variants = list(dict.fromkeys(r["variant"] for r in rows))
    group_of = {r["variant"]: r["group"] for r in rows}
    roles = list(dict.fromkeys(r["role"] for r in rows))
    step = 0.6 / max(len(roles), 1)
    height = 0.34 * len(variants) + 1.4
    fig, axes, _ = panel_grid(len(tasks), panel=(panel_width + 0.8, height), sharey=True)
    seen = {}
    for ax, task in zip(axes, tasks, strict=True):
        for row in (r for r in rows if r["task"] == task):
            k = roles.index(row["role"])
            y = variants.index(row["variant"]) + (k - (len(roles) - 1) / 2) * step
            color = regularizer_color(row["regularizer"])
            label = regularizer_label(row["regularizer"])
            draw_intervals(ax, [y], [row["low"]], [row["high"]], [row["estimate"]],
                           horizontal=True, color=color, markersize=4, capsize=2)
            seen.setdefault(label, color)
        ax.axvline(0, color="0.3", linewidth=0.9)
        ran = {r["variant"] for r in rows if r["task"] == task}
        for i, v in enumerate(variants):
            if v not in ran:
                ax.text(0.5, i, "not run", transform=ax.get_yaxis_transform(), ha="center",
                        va="center", color="0.55", style="italic")
        for i in range(1, len(variants)):
            if group_of[variants[i]] != group_of[variants[i - 1]]:
                ax.axhline(i - 0.5, color="0.8", linewidth=0.7)
        ax.set_title(task_label(task))
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(f"change of {measure_label}")
    first = axes[0]
    first.set_yticks(range(len(variants)), [
        v if group_of[v] == v else f"{v}  ({group_of[v]})" for v in variants])
    first.set_ylim(len(variants) - 0.5, -0.5)
    handles = [first.plot([], [], "o", color=color, label=label)[0]
               for label, color in seen.items()]
    labels = list(seen)
    if any(math.isinf(r["low"]) or math.isinf(r["high"]) for r in rows):
        handles.append(first.plot([], [], linestyle=":", color="0.4")[0])
        labels.append(UNBOUNDED_LABEL)
    fig.tight_layout()
    figure_legend(fig, handles, labels)
    return fig
