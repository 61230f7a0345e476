"""Figures of single networks and functions: curves, 1-D functions, 2-D maps, diagrams.

Helpers take an optional ``ax`` and return it; they never call ``plt.show()`` and
never train anything.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from essay_lib.report.vocabulary import INK, REFERENCE, regularizer_color
from essay_lib.util.checks import check_column, check_int_sequence, check_same_length


def axes_or_new(ax, **subplots_kw):
    """``ax``, or the axes of a new figure (``plt.subplots(**subplots_kw)``)."""
    if ax is None:
        _, ax = plt.subplots(**subplots_kw)
    return ax


def draw_intervals(ax, positions, lows, highs, estimates=None, *, horizontal=False,
                   color=None, marker="o", markersize=5, capsize=3, linestyle="none",
                   label=None, **errorbar_kw):
    """Draw intervals ``[lows, highs]`` at ``positions``, with a marker at each estimate.

    Unlike ``ax.errorbar(estimate, yerr=...)`` this draws an interval that need not
    contain its estimate (a percentile bootstrap interval of Spearman's ρ can exclude
    the full-sample ρ): the bar spans exactly [low, high] and the marker sits at the
    estimate wherever it is.  ``horizontal=True`` puts the values on the x axis (a
    forest plot).  ``estimates=None`` draws the bars only; ``linestyle`` joins the
    markers (``"-"`` for a curve).  An interval with an infinite end (an exact test on too
    few seeds bounds nothing) is drawn as a dotted line across the whole axis, so it
    neither vanishes nor stretches the axis limits.  Returns the Axes.
    """
    at = np.atleast_1d(np.asarray(positions, dtype=float))
    lows = np.atleast_1d(np.asarray(lows, dtype=float))
    highs = np.atleast_1d(np.asarray(highs, dtype=float))
    if not (at.shape == lows.shape == highs.shape):
        raise ValueError(f"positions, lows and highs must have one shape, got {at.shape}, "
                         f"{lows.shape} and {highs.shape}")
    if np.any(lows > highs):
        raise ValueError("lows must not exceed highs")
    unbounded = np.isinf(lows) | np.isinf(highs)
    b = ~unbounded
    middle, half = (lows[b] + highs[b]) / 2, (highs[b] - lows[b]) / 2
    xy = (middle, at[b]) if horizontal else (at[b], middle)
    err = {"xerr" if horizontal else "yerr": half}
    ax.errorbar(*xy, **err, fmt="none", capsize=capsize, ecolor=color, **errorbar_kw)
    across = ax.get_yaxis_transform() if horizontal else ax.get_xaxis_transform()
    for p in at[unbounded]:
        ends = ([0, 1], [p, p]) if horizontal else ([p, p], [0, 1])
        ax.plot(*ends, transform=across, linestyle=":", linewidth=1, color=color)
    if estimates is not None:
        est = np.atleast_1d(np.asarray(estimates, dtype=float))
        if est.shape != at.shape:
            raise ValueError(f"estimates must have the shape of positions {at.shape}, "
                             f"got {est.shape}")
        ax.plot(*((est, at) if horizontal else (at, est)), marker=marker, linestyle=linestyle,
                markersize=markersize, color=color, label=label)
    return ax


def plot_learning_curves(epochs, train_loss, held_out_loss=None, *, label="", ax=None,
                         color=None, best_epoch=None, log_y=True,
                         held_out_label="validation"):
    """Train (solid) and held-out (dashed) loss against epoch; marks ``best_epoch``.

    ``held_out_label`` names the dashed curve in the legend: ``"validation"``, or e.g.
    ``"held-out"`` when it is measured on test points that choose nothing.
    """
    ax = axes_or_new(ax)
    line, = ax.plot(epochs, train_loss, color=color, label=f"{label} train".strip())
    if held_out_loss is not None and len(held_out_loss):
        ax.plot(epochs, held_out_loss, color=line.get_color(), linestyle="--",
                label=f"{label} {held_out_label}".strip())
    if best_epoch is not None:
        ax.axvline(best_epoch, color=line.get_color(), linestyle=":", linewidth=1)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if log_y:
        ax.set_yscale("log")
    return ax


def plot_function_1d(x_grid, y_grid, *, x_train=None, y_train=None, ax=None, label=None,
                     color=None, true_function=None):
    """A learned 1-D function on a grid, with training points and the true curve if given.

    ``x_grid``, ``y_grid``: (n,) or (n, 1) finite values; ``x_train``, ``y_train``: the
    same for the training points (both or neither)."""
    x_grid, y_grid = check_column("x_grid", x_grid), check_column("y_grid", y_grid)
    check_same_length(("x_grid", x_grid), ("y_grid", y_grid))
    if x_train is not None or y_train is not None:
        x_train, y_train = check_column("x_train", x_train), check_column("y_train", y_train)
        check_same_length(("x_train", x_train), ("y_train", y_train))
    ax = axes_or_new(ax)
    if true_function is not None:
        ax.plot(x_grid, true_function(x_grid), color=REFERENCE, linestyle=":",
                label="true function")
    ax.plot(x_grid, y_grid, color=color, label=label)
    if x_train is not None:
        ax.scatter(x_train, y_train, s=18, color=INK, zorder=3, label="training points")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return ax


def plot_mean_interval(x, mean, low, high, *, ax=None, label=None, color=None, log_x=False,
                       marker="o"):
    """Mean with a shaded interval (e.g. a 95% bootstrap interval over seeds)."""
    ax = axes_or_new(ax)
    line, = ax.plot(x, mean, marker=marker, markersize=4, color=color, label=label)
    ax.fill_between(x, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    if log_x:
        ax.set_xscale("symlog", linthresh=min(v for v in np.ravel(x) if v > 0))
    return ax


def plot_decision_function_2d(x_grid, y_grid, values, *, X=None, labels=None, ax=None,
                              cmap="RdBu_r", limit=None, colorbar_label=None):
    """A scalar function of two inputs (e.g. the logit margin of a classifier) as a heat map.

    ``x_grid`` (nx,), ``y_grid`` (ny,): the grid axes; ``values``: (ny, nx).  The
    colour scale is symmetric about 0 (``limit`` = largest |value| shown, default
    the data's); the 0 level (the decision boundary) is a black line.  ``X``
    (n, 2) and integer ``labels`` (n,) are drawn as points.  Returns the Axes.
    """
    x_grid, y_grid = np.asarray(x_grid, float).ravel(), np.asarray(y_grid, float).ravel()
    values = np.asarray(values, float)
    if values.shape != (len(y_grid), len(x_grid)):
        raise ValueError(f"values must have shape (len(y_grid), len(x_grid)) = "
                         f"{(len(y_grid), len(x_grid))}, got {values.shape}")
    ax = axes_or_new(ax)
    limit = float(np.max(np.abs(values))) if limit is None else float(limit)
    limit = limit if limit > 0 else 1.0
    mesh = ax.pcolormesh(x_grid, y_grid, np.clip(values, -limit, limit), cmap=cmap,
                         vmin=-limit, vmax=limit, shading="auto", rasterized=True)
    if values.min() < 0 < values.max():
        ax.contour(x_grid, y_grid, values, levels=[0.0], colors="black", linewidths=1.2)
    if X is not None:
        X = np.asarray(X, float)
        c = None if labels is None else np.asarray(labels).ravel()
        ax.scatter(X[:, 0], X[:, 1], c=c, cmap="coolwarm", s=10, edgecolors="white",
                   linewidths=0.4, zorder=3)
    if colorbar_label is not None:
        ax.figure.colorbar(mesh, ax=ax, label=colorbar_label, shrink=0.85)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.grid(False)
    return ax


def plot_subnetwork(widths: Sequence[int], keep_masks: Sequence | None = None, *, ax=None,
                    color: str = regularizer_color("none"), title: str | None = None):
    """Draw a fully connected network; units with a 0 in ``keep_masks`` are dropped.

    ``keep_masks``: one 0/1 vector per layer (len(widths) vectors, the last
    usually all ones); None draws the full network.  Dropped units are hollow
    with a cross, and their connections are left out.  Returns the axes.
    """
    check_int_sequence("widths", widths, minimum=1)
    if keep_masks is None:
        keep_masks = [np.ones(w) for w in widths]
    keep = [np.asarray(m, dtype=float).ravel() > 0.5 for m in keep_masks]
    if len(keep) != len(widths) or any(len(k) != w for k, w in zip(keep, widths, strict=False)):
        raise ValueError("keep_masks must hold one vector per layer with the layer's width")
    if ax is None:
        _, ax = plt.subplots(figsize=(3, 3))
    height = max(widths)
    ys = [np.linspace(0, height - 1, w) if w > 1 else np.array([(height - 1) / 2]) for w in widths]
    for i in range(len(widths) - 1):
        for a in np.flatnonzero(keep[i]):
            for b in np.flatnonzero(keep[i + 1]):
                ax.plot([i, i + 1], [ys[i][a], ys[i + 1][b]], color=color, lw=0.6, alpha=0.5,
                        zorder=1)
    for i, (y, k) in enumerate(zip(ys, keep, strict=True)):
        ax.scatter(np.full(k.sum(), i), y[k], s=90, color=color, zorder=3, edgecolor="black",
                   linewidth=0.6)
        ax.scatter(np.full((~k).sum(), i), y[~k], s=90, facecolor="white", edgecolor="0.6",
                   zorder=3, linewidth=0.8)
        ax.scatter(np.full((~k).sum(), i), y[~k], s=40, marker="x", color="0.6", zorder=4,
                   linewidth=0.8)
    ax.set_xlim(-0.4, len(widths) - 0.6)
    ax.set_ylim(-0.8, height - 0.2)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def plot_gate_matrix(matrix, *, row_labels, column_labels, ax=None, title=None,
                     cmap="RdBu_r", fmt="{:+.2f}", symmetric=True):
    """A small annotated heat map (e.g. a unit-by-gate table); returns the axes."""
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape != (len(row_labels), len(column_labels)):
        raise ValueError(f"matrix must have shape ({len(row_labels)}, {len(column_labels)}) "
                         f"matching row_labels and column_labels, got {matrix.shape}")
    ax = axes_or_new(ax)
    bound = float(np.abs(matrix).max()) or 1.0
    limits = (-bound, bound) if symmetric else (0.0, bound)
    ax.imshow(matrix, cmap=cmap, vmin=limits[0], vmax=limits[1], aspect="auto")
    for (r, c), value in np.ndenumerate(matrix):
        strong = abs(value) > 0.6 * bound
        ax.text(c, r, fmt.format(value), ha="center", va="center",
                color="white" if strong else "black")
    ax.set_xticks(range(len(column_labels)), column_labels)
    ax.set_yticks(range(len(row_labels)), row_labels)
    ax.grid(False)
    if title:
        ax.set_title(title)
    return ax
