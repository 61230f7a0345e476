"""Figures of chapter 05's verdict: paired changes on one comparable axis, Z̄ against the
fit, training curves, the specification curve.

Helpers draw what they are given (records, contrasts, verdicts) and return the figure;
they never call ``plt.show()`` and never compute a verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter

from essay_lib.report.plotting.basic import draw_intervals
from essay_lib.report.plotting.style import (
    figure_legend,
    grid_shape,
    panel_grid,
    unique_legend_entries,
)
from essay_lib.report.vocabulary import (
    BAND,
    REFERENCE_STYLES,
    VERDICT_COLORS,
    regularizer_color,
    regularizer_label,
    task_label,
)

__all__ = ["REFERENCE_STYLES", "VERDICT_COLORS", "plot_analogy", "plot_paired_changes",
           "plot_specification_curve", "plot_training_curves", "plot_z_against_loss"]

# REFERENCE_STYLES (line style, colour and label of each reference value) and
# VERDICT_COLORS come from the vocabulary, the one home of the essay's colours.


def _references(ax, references: Mapping[str, float] | None, orientation: str = "h"):
    for name, value in (references or {}).items():
        if value is None or not np.isfinite(value):
            continue
        style, color, label = REFERENCE_STYLES.get(name, ("-.", "0.5", name))
        line = ax.axhline if orientation == "h" else ax.axvline
        line(value, linestyle=style, color=color, linewidth=1.1, label=label, zorder=1)


def plot_paired_changes(contrasts: Mapping[str, Mapping[str, Sequence]], *,
                        references: Mapping[str, Mapping[str, float]] | None = None,
                        measure_label: str = "$\\bar Z$"):
    """One panel per task: each regularizer's paired change of the measure from no
    regularization (mean over seeds, 95% interval) against its strength *rank*, so every
    regularizer shares one comparable axis; rank 0 is the unregularized networks (change 0).

    ``contrasts``: task -> regularizer -> list of
    :class:`~essay_lib.report.matched.Contrast` in increasing strength; ``references``:
    task -> name -> value *as a change from the unregularized mean*.  Returns the figure.
    """
    fig, axes, spare = panel_grid(len(contrasts), panel=(3.8, 3.4))
    for ax, (task, by_reg) in zip(axes, contrasts.items(), strict=True):
        _references(ax, (references or {}).get(task))
        width = max(len(rows) for rows in by_reg.values())
        for k, (reg, rows) in enumerate(by_reg.items()):
            offset = (k - (len(by_reg) - 1) / 2) * 0.08
            ranks = np.arange(len(rows) + 1) + offset
            mean = np.array([0.0, *[r.change.estimate for r in rows]])
            low = np.array([0.0, *[r.change.low for r in rows]])
            high = np.array([0.0, *[r.change.high for r in rows]])
            draw_intervals(ax, ranks, low, high, mean, linestyle="-", markersize=4, capsize=2,
                           color=regularizer_color(reg), label=regularizer_label(reg))
        ax.scatter([0], [0], s=70, facecolor="white", edgecolor="black", zorder=4,
                   label="no regularization")
        ax.axhline(0, color="0.65", linewidth=0.8, zorder=0)
        ax.set_xticks(range(width + 1), ["none", *[str(i) for i in range(1, width + 1)]])
        ax.set(title=task_label(task), xlabel="strength rank (weakest = 1)")
    for ax in axes:
        if ax.get_subplotspec().is_first_col():
            ax.set_ylabel(f"change of {measure_label}\nfrom no regularization")
    fig.tight_layout()
    figure_legend(fig, *unique_legend_entries(axes[:1]), spare=spare)
    return fig


def plot_z_against_loss(records: Sequence[Mapping], tasks: Sequence[str], *,
                        losses: Sequence[str] = ("test_loss", "train_loss"),
                        references: Mapping[str, Mapping[str, float]] | None = None,
                        regularizers: Sequence[str] = ("none", "dropout", "l1", "l2", "mixup")):
    """Z̄ of every network against its loss (one row per loss, one column per task),
    coloured by regularizer; ``references``: task -> name -> Z̄ (horizontal lines).
    Losses on a log axis.  Returns the figure."""
    fig, axes = plt.subplots(len(losses), len(tasks), figsize=(2.9 * len(tasks),
                                                               2.9 * len(losses)),
                             squeeze=False)
    for row, loss in zip(axes, losses, strict=True):
        for ax, task in zip(row, tasks, strict=True):
            _references(ax, (references or {}).get(task))
            for reg in regularizers:
                mine = [r for r in records if r["task"] == task and r["regularizer"] == reg
                        and r.get(loss) is not None and r.get("z_bar") is not None]
                ax.scatter([r[loss] for r in mine], [r["z_bar"] for r in mine], s=10,
                           alpha=0.65, color=regularizer_color(reg),
                           label=regularizer_label(reg), edgecolors="none")
            ax.set_xscale("log")
            ax.xaxis.set_minor_formatter(NullFormatter())  # minor labels would overlap
            ax.set(xlabel=loss.replace("_", " "), title=task_label(task))
        row[0].set_ylabel("$\\bar Z$")
    fig.tight_layout()
    figure_legend(fig, *unique_legend_entries(axes[0, :1]), where="below", markerscale=2)
    return fig


def plot_training_curves(records: Sequence[Mapping], tasks: Sequence[str], *,
                         regularizer: str = "none", window_starts: Mapping[str, int] | None = None):
    """Mean training and test loss (over seeds) of ``regularizer``'s networks against epoch,
    one panel per task (log loss axis); ``window_starts``: task -> the epoch from which the
    plateau is judged (a vertical line).  Returns the figure."""
    fig, axes, _ = panel_grid(len(tasks), panel=(3.8, 3.1))
    for ax, task in zip(axes, tasks, strict=True):
        mine = [r for r in records if r["task"] == task and r["regularizer"] == regularizer]
        epochs = mine[0]["curve"]["epoch"]
        for key, style in (("train_loss", "-"), ("test_loss", "--")):
            curves = np.array([r["curve"][key] for r in mine])
            ax.plot(epochs, curves.mean(axis=0), style, color=regularizer_color(regularizer),
                    label=key.replace("_", " "))
            ax.fill_between(epochs, curves.min(axis=0), curves.max(axis=0), alpha=0.15,
                            color=regularizer_color(regularizer), linewidth=0)
        if window_starts and task in window_starts:
            ax.axvline(window_starts[task], color="0.5", linestyle=":", linewidth=1)
        ax.set_yscale("log")
        ax.set(title=task_label(task), xlabel="epoch")
    for ax in axes:
        if ax.get_subplotspec().is_first_col():
            ax.set_ylabel("loss (mean of seeds;\nband: min-max)")
    axes[0].legend()
    fig.tight_layout()
    return fig


def plot_specification_curve(verdicts: Sequence, *, main: str = "logits|0.5|extrapolating"):
    """One panel per task: dropout's ρ (with its 95% interval) under every specification,
    sorted; colour = the specification's verdict, hollow = the positive control failed
    there (not validated), a ring = the main specification.  Below the points, which
    output, scale and triple type each specification uses.  The tasks in a grid (2 × 2 for
    four), each column as wide as its widest task.  Returns the figure."""
    tasks = list(dict.fromkeys(v.task for v in verdicts))
    widths = [len([v for v in verdicts if v.task == t]) for t in tasks]
    rows, columns = grid_shape(len(tasks))
    column_widths = [max(widths[c::columns]) for c in range(columns)]
    fig = plt.figure(figsize=(2.6 + 0.26 * sum(column_widths), 4.6 * rows))
    grid = fig.add_gridspec(2 * rows, columns, height_ratios=[3, 1.4] * rows,
                            width_ratios=column_widths)
    axes = []
    outputs = ("logits", "centred_logits", "log_probabilities")
    for j, task in enumerate(tasks):
        mine = sorted((v for v in verdicts if v.task == task),
                      key=lambda v: (v.dropout.rho, v.key))  # ties: by key, stable
        row, column = divmod(j, columns)
        top = fig.add_subplot(grid[2 * row, column])
        bottom = fig.add_subplot(grid[2 * row + 1, column])
        axes.append(top)
        for i, v in enumerate(mine):
            color = VERDICT_COLORS[v.verdict]
            d = v.dropout
            draw_intervals(top, [i], [d.low], [d.high], color=color, capsize=2,
                           elinewidth=1.2)
            top.scatter([i], [d.rho], s=36, zorder=3, color=color if v.validated else "white",
                        edgecolors=color, linewidths=1.5)
            if v.key == main:
                top.scatter([i], [d.rho], s=150, facecolor="none", edgecolor="black", zorder=4)
            bottom.scatter([i], [outputs.index(v.output) if v.output in outputs else 0],
                           marker="s", s=14, color="0.3")
            bottom.scatter([i], [3.2], marker="^" if v.triples == "inside" else "v", s=18,
                           color="0.3")
            bottom.annotate(f"{v.scale:g}", (i, 4.0), ha="center", va="bottom", rotation=90)
        top.axhline(0, color="0.3", linewidth=0.8)
        top.set(title=task_label(task), xticks=[], ylim=(-1.05, 1.05))
        bottom.set(xticks=[], ylim=(-0.6, 6.2), xlim=top.get_xlim())
        bottom.set_yticks([0, 1, 2, 3.2, 4.8], ["logits", "centred", "log-prob.",
                                               "triples ▲in ▼out", "scale"]
                          if column == 0 else [])
        bottom.grid(False)
        if column == 0:
            top.set_ylabel("dropout: Spearman's ρ\n(strength vs $\\bar Z$)")
    for name, color in VERDICT_COLORS.items():
        axes[-1].scatter([], [], color=color, label=name)
    axes[-1].scatter([], [], s=150, facecolor="none", edgecolor="black",
                     label="main specification")
    fig.tight_layout()
    figure_legend(fig, *axes[-1].get_legend_handles_labels())
    return fig


def plot_analogy(rows: Sequence[Mapping], expected: Sequence[str], *, n_analogy: int = 3,
                 title: str | None = None):
    """The paper's analogy as rank correlations (a forest plot, one line per claim, one
    colour per task), the side of 0 each claim expects shaded.

    ``rows``: forest rows (``label``, ``group``, ``rho``, ``low``, ``high``; see
    :func:`essay_lib.report.analogy.forest_rows`), lines in order; ``expected``: per line,
    ``"rises"`` or ``"falls"``; the first ``n_analogy`` lines are the analogy itself and
    the rest its controls (a dashed rule between them).  Returns the figure.
    """
    from essay_lib.report.plotting.sweeps import plot_rank_correlations

    fig, ax = plt.subplots(figsize=(7.0, 0.6 * len(expected) + 1.8))
    plot_rank_correlations(rows, ax=ax, xlabel="Spearman's ρ between regularization strength "
                                               "and the measure (95% interval over seeds)")
    for i, side in enumerate(expected):
        ax.fill_betweenx([i - 0.45, i + 0.45], 0, 1.05 if side == "rises" else -1.05,
                         color=BAND, alpha=0.25, linewidth=0)
    ax.fill_between([], [], color=BAND, alpha=0.4, label="side the paper expects")
    if 0 < n_analogy < len(expected):
        # The two section labels sit in the right margin, beside the dashed rule, where no
        # interval can reach them (inside the axes they covered intervals near rho = 1).
        ax.axhline(n_analogy - 0.5, color="0.6", linewidth=0.8, linestyle="--")
        margin = ax.get_yaxis_transform()  # x in axes fractions, y in lines
        ax.text(1.02, n_analogy - 0.55, "the paper's analogy ↑", transform=margin,
                ha="left", va="bottom", color="0.4")
        ax.text(1.02, n_analogy - 0.45, "controls ↓", transform=margin, ha="left", va="top",
                color="0.4")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    if title:
        ax.set_title(title)
    return fig
