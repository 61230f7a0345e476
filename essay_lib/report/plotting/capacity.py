"""Figures of chapter 00 (network size, overfitting, early stopping).

Helpers take an optional ``ax`` (or ``axes``) and return what they drew on; they never
call ``plt.show()`` and never train anything: they draw curves and predictions that the
caller computed.  A *run* is anything with ``epochs``, ``train_loss`` and
``held_out_loss`` lists (a :class:`essay_lib.nets.training.TrainingResult`); *runs* is
``{size name: run}`` in drawing order.  Re-exported by :mod:`essay_lib.report.plotting`
through ``__all__``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from essay_lib.report.plotting.basic import axes_or_new, plot_function_1d, plot_learning_curves
from essay_lib.report.vocabulary import BASELINE_COLOR, EARLY_STOPPING_COLOR, SIZE_COLORS
from essay_lib.util.checks import check_int, check_int_sequence, check_number

__all__ = ["BASELINE_COLOR", "EARLY_STOPPING_COLOR", "SIZE_COLORS", "plot_early_stopping",
           "plot_score_bars", "plot_size_curves", "plot_sizes_1d", "size_label", "units_label",
           "widths_label"]

# SIZE_COLORS (one grey per network size of chapter 00), EARLY_STOPPING_COLOR ("large
# network + early stopping") and BASELINE_COLOR (the ridge baseline) come from the
# vocabulary, the one home of the essay's colours.

LOSS_LABEL = "mean squared error (standardised targets)"


def widths_label(hidden: Sequence[int]) -> str:
    """Hidden widths as a compact label: ``(256, 256)`` -> ``"256×256"``, ``(8,)`` -> ``"8"``."""
    hidden = check_int_sequence("hidden", hidden, minimum=1)
    return "×".join(str(h) for h in hidden)


def units_label(hidden: Sequence[int]) -> str:
    """The hidden units in words: ``(1,)`` -> ``"1 unit"``, ``(8,)`` -> ``"8 units"``,
    ``(256, 256)`` -> ``"2 × 256 units"`` (equal layers), ``(16, 8)`` -> ``"16 + 8 units"``."""
    hidden = check_int_sequence("hidden", hidden, minimum=1)
    if len(hidden) == 1:
        return f"{hidden[0]} unit" + ("" if hidden[0] == 1 else "s")
    if len(set(hidden)) == 1:
        return f"{len(hidden)} × {hidden[0]} units"
    return " + ".join(str(h) for h in hidden) + " units"


def size_label(name: str, hidden: Sequence[int]) -> str:
    """A legend label naming a size and its hidden units (:func:`units_label`):
    ``("small", (1,))`` -> ``"small, 1 unit"``, ``("large", (256, 256))`` ->
    ``"large, 2 × 256 units"``."""
    return f"{name}, {units_label(hidden)}"


def _color(colors, name):
    return (colors or SIZE_COLORS).get(name)


def plot_sizes_1d(x_grid, predictions: Mapping, runs: Mapping, *, x_train, y_train,
                  true_function=None, noise_variance: float | None = None,
                  labels: Mapping | None = None, colors: Mapping | None = None,
                  ylim=(-0.35, 1.35), axes=None):
    """Learned 1-D functions (left) and their loss curves (right), one colour per size.

    ``x_grid`` (m, 1); ``predictions[name]`` (m,) or (m, 1): each network's output on
    the grid; ``runs[name]``: its curves (the dashed one is labelled "held-out": points
    that choose nothing).  The training points and ``true_function`` are drawn once;
    ``noise_variance`` (target units squared) is a dotted line on the loss panel, the
    floor of the expected held-out error.  Returns the two axes.
    """
    if set(predictions) != set(runs):
        raise ValueError("predictions and runs must name the same sizes")
    if noise_variance is not None:
        noise_variance = check_number("noise_variance", noise_variance, minimum=0.0)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    ax_f, ax_c = axes
    for i, name in enumerate(runs):
        run = runs[name]
        plot_function_1d(
            x_grid, predictions[name], ax=ax_f, color=_color(colors, name),
            label=(labels or {}).get(name, name),
            true_function=true_function if i == 0 else None,
            x_train=x_train if i == 0 else None, y_train=y_train if i == 0 else None)
        plot_learning_curves(run.epochs, run.train_loss, run.held_out_loss, ax=ax_c,
                             label=name, color=_color(colors, name), held_out_label="held-out")
    if noise_variance is not None:
        ax_c.axhline(noise_variance, color="0.4", linestyle=":", linewidth=1.2,
                     label="noise variance")
    ax_f.set_ylim(*ylim)
    ax_f.set_title("Learned functions and the training points")
    ax_f.legend(loc="upper center", ncol=2)
    ax_c.set_title("Loss (MSE): train solid, held-out dashed")
    ax_c.set_ylabel("mean squared error")
    ax_c.legend(ncol=2)
    return ax_f, ax_c


def plot_size_curves(runs: Mapping, *, colors: Mapping | None = None, ax=None, ylim=(0, 1.5),
                     title: str = "Train (solid) and validation (dashed) loss"):
    """Train (solid) and validation (dashed) loss of each size on a linear scale.

    ``runs``: ``{name: run}``; losses are MSE on standardised targets (1 = predicting
    the training mean).  Returns the axes.
    """
    ax = axes_or_new(ax, figsize=(7.5, 4.2))
    for name, run in runs.items():
        plot_learning_curves(run.epochs, run.train_loss, run.held_out_loss, ax=ax,
                             label=name, color=_color(colors, name), log_y=False)
    ax.set_ylim(*ylim)
    ax.set_title(title)
    ax.set_ylabel(LOSS_LABEL)
    ax.legend(ncol=3, loc="upper right")
    return ax


def plot_early_stopping(run, *, best_epoch: int, stopped_epoch: int, patience: int,
                        label: str = "large", color: str | None = SIZE_COLORS["large"],
                        ax=None, ylim=(0, 1.5),
                        title: str = "Large network: where early stopping stops"):
    """The curves of a run trained to the end, with where early stopping would stop.

    ``run``: the full-length run; ``best_epoch``: the epoch of lowest validation loss
    (dotted line, the weights early stopping restores); ``stopped_epoch``: the last
    epoch the early-stopped run trained; the grey band between them is the
    ``patience`` (epochs without improvement).  Returns the axes.
    """
    best_epoch = check_int("best_epoch", best_epoch)
    stopped_epoch = check_int("stopped_epoch", stopped_epoch, minimum=best_epoch)
    patience = check_int("patience", patience)
    ax = axes_or_new(ax)
    plot_learning_curves(run.epochs, run.train_loss, run.held_out_loss, ax=ax, label=label,
                         color=color, log_y=False)
    ax.set_ylim(*ylim)
    ax.axvline(best_epoch, color="black", linestyle=":", linewidth=1.2,
               label=f"best epoch ({best_epoch})")
    ax.axvspan(best_epoch, stopped_epoch, color="0.85", alpha=0.6,
               label=f"patience ({patience} epochs)")
    ax.set_title(title)
    ax.set_ylabel(LOSS_LABEL)
    ax.legend(loc="upper right")
    return ax


def plot_score_bars(scores: Mapping[str, float], *, colors: Sequence | None = None, ax=None,
                    ylabel: str = "test $R^2$", xlabel: str = "model (hidden widths)",
                    title: str = "Test $R^2$ on diabetes"):
    """One bar per model with its value written on it; a black line at 0.

    ``scores``: ``{bar label: value}`` in drawing order (a label may hold ``"\\n"``);
    ``colors``: one colour per bar.  Values below 0 are labelled under their bar.
    Returns the axes.
    """
    values = np.asarray(list(scores.values()), dtype=float)
    if values.ndim != 1 or not len(values) or not np.all(np.isfinite(values)):
        raise ValueError("scores must map at least one label to a finite number")
    if colors is not None and len(colors) != len(values):
        raise ValueError(f"colors must give one colour per bar ({len(values)}), "
                         f"got {len(colors)}")
    ax = axes_or_new(ax)
    ax.bar(list(scores), list(scores.values()), color=colors)
    ax.axhline(0, color="black", linewidth=0.8)
    for i, value in enumerate(scores.values()):
        ax.annotate(f"{value:.2f}", (i, value), ha="center",
                    va="bottom" if value >= 0 else "top",
                    xytext=(0, 2 if value >= 0 else -2), textcoords="offset points")
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return ax
