"""The specification curve under the new rules (the appendix): every reading of chapter
05's answer under every specification, one panel per task.

Drawn from a :class:`essay_lib.report.specification_curve.SpecificationCurve`; the
helper computes nothing and never calls ``plt.show()``.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D

from essay_lib.report.specification_curve import NOT_VALID, TREND, SpecificationCurve
from essay_lib.report.vocabulary import (
    READING_COLORS,
    reading_label,
    regularizer_label,
    task_label,
)

__all__ = ["plot_specification_readings", "short_specification"]

_OUTPUT_SHORT = {"logits": "logits", "centred_logits": "centred", "log_probabilities": "log-p",
                 "probabilities": "prob."}
_TRIPLES_SHORT = {"extrapolating": "extr.", "inside": "inside", "chord_midpoints": "chords"}


def short_specification(key: str) -> str:
    """A tick label of a specification: ``"logits 0.5 extr."``, ``"prob. chords"``."""
    output, scale, triples = key.split("|")
    words = [_OUTPUT_SHORT.get(output, output)]
    if triples != "chord_midpoints":
        words.append(scale)
    return " ".join([*words, _TRIPLES_SHORT.get(triples, triples)])


def plot_specification_readings(curve: SpecificationCurve, *, ax=None):
    """Per task one panel: a row per reading (Z̄'s trend with the drop rate, then dropout
    against each comparator at equal fit), a column per specification, a dot coloured by
    the reading there (hollow grey: the measure is not valid there); the main
    specification's column ringed.  ``ax``: one Axes per task, or None for a new figure
    (a 2 × 2 grid for four tasks).  Returns the figure."""
    if not isinstance(curve, SpecificationCurve):
        raise TypeError(f"curve must be a SpecificationCurve, got {type(curve).__name__}")
    tasks, whats = list(curve.tasks), [TREND, *curve.comparators]
    first_column = set(tasks)
    if ax is None:
        n_cols = 1 if len(tasks) == 1 else 2
        n_rows = math.ceil(len(tasks) / n_cols)
        # each column of panels as wide as its widest panel's specifications
        widths = [max(len(curve.keys[t]) for t in tasks[c::n_cols]) + 1.5
                  for c in range(n_cols)]
        fig, grid = plt.subplots(n_rows, n_cols, squeeze=False,
                                 figsize=(1.4 + 0.2 * sum(widths), n_rows * 3.1),
                                 gridspec_kw={"width_ratios": widths})
        for extra in grid.ravel()[len(tasks):]:
            extra.set_visible(False)
        axes = list(grid.ravel()[:len(tasks)])
        first_column = set(tasks[::n_cols])
    else:
        axes = list(ax) if isinstance(ax, (list, tuple)) else list(getattr(ax, "flat", [ax]))
        if len(axes) != len(tasks):
            raise ValueError(f"ax must be one Axes per task ({len(tasks)}), got {len(axes)}")
        fig = axes[0].figure
    seen = {}
    for panel, task in zip(axes, tasks, strict=True):
        keys = curve.keys[task]
        for x, key in enumerate(keys):
            for y, what in enumerate(whats):
                reading = curve.reading(task, key, what)
                seen.setdefault(reading, None)
                color = READING_COLORS.get(reading, "0.5")
                panel.scatter([x], [y], s=42, zorder=3, linewidths=1.2,
                              facecolor="white" if reading == NOT_VALID else color,
                              edgecolor="0.55" if reading == NOT_VALID else color)
            if key == curve.main:
                panel.scatter([x] * len(whats), range(len(whats)), s=140, zorder=4,
                              facecolor="none", edgecolor="black", linewidths=1.1)
        panel.set_xticks(range(len(keys)), [short_specification(k) for k in keys],
                         rotation=90)
        panel.set_yticks(range(len(whats)), ["Z̄ trend" if w == TREND else
                                             f"vs {regularizer_label(w)}" for w in whats]
                         if task in first_column else [])
        panel.set(title=task_label(task), xlim=(-0.7, len(keys) - 0.3),
                  ylim=(len(whats) - 0.5, -0.5))
        panel.grid(False)
    handles = [Line2D([], [], marker="o", linestyle="", markersize=6,
                      markerfacecolor="white" if r == NOT_VALID else READING_COLORS.get(r, "0.5"),
                      markeredgecolor="0.55" if r == NOT_VALID else READING_COLORS.get(r, "0.5"),
                      label=reading_label(r))
               for r in sorted(seen, key=lambda r: list(READING_COLORS).index(r)
                               if r in READING_COLORS else len(READING_COLORS))]
    handles.append(Line2D([], [], marker="o", linestyle="", markersize=10,
                          markerfacecolor="none", markeredgecolor="black",
                          label="main specification"))
    fig.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.set_label(f"The readings of chapter 05's answer under every specification of Z̄: "
                  f"per task ({', '.join(map(task_label, tasks))}) a row per reading (the "
                  f"trend with the drop rate, dropout against "
                  f"{', '.join(map(regularizer_label, curve.comparators))}) and a column per "
                  f"specification; colour = reading, hollow = measure not valid there, the "
                  f"main specification ringed")
    if ax is None:
        fig.tight_layout()
    return fig
