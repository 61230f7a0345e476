"""Chapter 04's validity figures: does Z̄ respond to known changes of linearity?

Drawn from the cells of :func:`essay_lib.experiment.validity.validity_table` (plain
objects with ``task``, ``representation``, ``geometry``, ``alphas``, ``blend_curve``,
``slopes``, ``leaky_curve``) and the rows of
:func:`~essay_lib.experiment.validity.mixup_control`.  Helpers return the figure and
never call ``plt.show()``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from essay_lib.report.vocabulary import BAND, MARKERS, neutral, regularizer_color, task_label

__all__ = ["REPRESENTATION_LABELS", "plot_dose_response", "plot_mixup_control"]

#: How an output representation is named in legends.
REPRESENTATION_LABELS = {"logits": "logits (raw outputs)", "centred_logits": "centred logits",
                         "log_probabilities": "log-probabilities",
                         "probabilities": "probabilities"}


def _grid(n: int, width: float = 4.0, height: float = 3.0):
    cols = 2 if n > 1 else 1
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def plot_dose_response(cells: Sequence, tasks: Sequence[str], *,
                       geometry: str = "extrapolating"):
    """Per task one panel: the mean Z̄ of the unregularized networks along the affine blend
    f_α = α·A + (1 − α)·f (solid, α on the x axis) and along the leaky-ReLU path (dashed,
    the negative slope on the same axis), one colour per output representation; both must
    reach 0 at 1.  ``cells``: validity cells; ``geometry``: which triples to draw."""
    if not tasks:
        raise ValueError("tasks must name at least one task")
    fig, axes = _grid(len(tasks))
    for ax, task in zip(axes, tasks, strict=True):
        chosen = [c for c in cells if c.task == task and c.geometry == geometry]
        if not chosen:
            raise ValueError(f"cells hold no cell of task {task!r} and geometry {geometry!r}")
        for i, c in enumerate(chosen):
            # the unregularized networks: greys, one marker per representation
            color, marker = neutral(i), MARKERS[i % len(MARKERS)]
            label = REPRESENTATION_LABELS.get(c.representation, c.representation)
            ax.plot(c.alphas, c.blend_curve, "-", marker=marker, color=color, ms=4,
                    label=label)
            if c.leaky_curve is not None:
                ax.plot(c.slopes, c.leaky_curve, "--", color=color, lw=1)
        ax.axhline(0, color=BAND, lw=0.6)
        ax.set_title(task_label(task))
        ax.set_xlabel("blend α (solid) · leaky slope (dashed)")
        ax.set_ylabel("$\\bar Z$")
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(bottom=0)
    fullest = max(axes, key=lambda a: len(a.get_legend_handles_labels()[1]))
    fullest.legend(loc="best")
    fig.suptitle("Z̄ of the trained networks made more linear by hand", fontsize=11)
    fig.set_label("Dose-response of Z-bar on the unregularized networks of "
                  + ", ".join(task_label(t) for t in tasks)
                  + ": along an affine blend and a leaky-ReLU path, both ending at 0")
    fig.tight_layout()
    return fig


def plot_mixup_control(rows: Sequence):
    """Per task one panel: Z̄ on chord midpoints of training pairs against mixup's α (the
    unregularized networks at the left), mean over seeds with the seeds' range, in the
    representation mixup trains (solid) and, for classifiers, in logits (dashed)."""
    if not rows:
        raise ValueError("rows must hold at least one control row")
    fig, axes = _grid(len(rows))
    color = regularizer_color("mixup")
    for ax, row in zip(axes, rows, strict=True):
        x = np.arange(len(row.strengths))
        for values, style, name in ((row.values, "-o", row.representation),
                                    (row.contrast_values, "--s", row.contrast_representation)):
            if values is None:
                continue
            values = np.asarray(values)
            ax.fill_between(x, values.min(axis=0), values.max(axis=0), color=color,
                            alpha=0.12 if style == "-o" else 0.06, lw=0)
            ax.plot(x, values.mean(axis=0), style, color=color, ms=3,
                    label=REPRESENTATION_LABELS.get(name, name))
        ax.set_xticks(x, ["none", *(f"{s:g}" for s in row.strengths[1:])])
        ax.set_title(task_label(row.task))
        ax.set_xlabel("mixup α")
        ax.set_ylabel("$\\bar Z$ at chord midpoints")
        ax.legend()
    fig.set_label("The positive control: Z-bar on chord midpoints of training pairs against "
                  "mixup's alpha, in the representation mixup trains and in logits")
    fig.tight_layout()
    return fig
