"""Chapter 07's figure: every variant's effect on Z̄ at a glance.

The helper draws the rows it is given (:func:`essay_lib.report.beyond_verdict.effect_rows`) and
returns the figure; it never trains anything and never computes a verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt

from essay_lib.report.plotting.basic import draw_intervals
from essay_lib.report.vocabulary import regularizer_color, regularizer_label, task_label

__all__ = ["ROLE_LABELS", "plot_variant_effects"]

#: How each role is named in the legend (the regularizer's own name is added).
ROLE_LABELS = {"dropout": "dropout", "penalty": "weight penalty", "control": "mixup (control)"}
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
    """A forest plot: one column per task, one line per variant (grouped by what was
    varied, groups separated by a rule, the group named after the variant), and on each
    line the paired change of the measure from no regularization to each regularizer's
    strongest strength (mean over seeds, drawn over exactly its 95% interval), one colour
    per regularizer.

    ``rows``: mappings with ``variant``, ``group``, ``task``, ``role`` (dropout / penalty /
    control), ``regularizer``, ``estimate``, ``low``, ``high`` (in the order to draw:
    variants top to bottom in first-seen order).  A variant not run on a task leaves its
    line empty there.  Returns the figure.
    """
    rows = _check_rows(rows)
    tasks = list(dict.fromkeys(r["task"] for r in rows)) if tasks is None else list(tasks)
    variants = list(dict.fromkeys(r["variant"] for r in rows))
    group_of = {r["variant"]: r["group"] for r in rows}
    roles = list(dict.fromkeys(r["role"] for r in rows))
    step = 0.6 / max(len(roles), 1)
    fig, axes = plt.subplots(1, len(tasks), figsize=(panel_width * len(tasks) + 1.6,
                                                     0.34 * len(variants) + 1.4),
                             sharey=True, squeeze=False)
    seen = {}
    for ax, task in zip(axes[0], tasks, strict=True):
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
                        va="center", fontsize=7, color="0.55", style="italic")
        for i in range(1, len(variants)):
            if group_of[variants[i]] != group_of[variants[i - 1]]:
                ax.axhline(i - 0.5, color="0.8", linewidth=0.7)
        ax.set_title(task_label(task))
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(f"change of {measure_label}")
    first = axes[0, 0]
    first.set_yticks(range(len(variants)), [
        v if group_of[v] == v else f"{v}  ({group_of[v]})" for v in variants])
    first.set_ylim(len(variants) - 0.5, -0.5)
    handles = [first.plot([], [], "o", color=color, label=label)[0]
               for label, color in seen.items()]
    fig.tight_layout()
    fig.legend(handles, list(seen), fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig
