"""One figure style for the essay and helpers that draw what they are given.

Helpers take an optional ``ax`` and return it; they never call ``plt.show()``
and never train anything.  :func:`save_figure` writes ``figures/NAME.png`` and
``figures/NAME.svg`` (``NAME`` like ``"00-learned-functions"``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

#: Explicit rcParams (no named style sheets, which come and go between releases).
STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "svg.fonttype": "none",
    "svg.hashsalt": "essay",
    "axes.prop_cycle": mpl.cycler(color=["#1b6ca8", "#d1495b", "#edae49", "#00798c",
                                         "#6a4c93", "#3d3d3d", "#8ab17d", "#e07a5f"]),
}

#: Colours by regularizer, used by every chapter so a colour means one thing.
REGULARIZER_COLORS = {"none": "#3d3d3d", "dropout": "#1b6ca8", "l1": "#d1495b",
                      "l2": "#edae49", "mixup": "#00798c"}

_NAME_RE = re.compile(r"^\d\d-[a-z0-9][a-z0-9-]*$")


def set_style() -> None:
    """Apply the essay's rcParams to matplotlib."""
    mpl.rcParams.update(STYLE)


def figures_dir() -> Path:
    """Where figures go: ``$ESSAY_FIGURES_DIR`` if set, else ``<repo>/figures``."""
    env = os.environ.get("ESSAY_FIGURES_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "figures"


def save_figure(fig, name: str, *, directory: str | Path | None = None) -> list[Path]:
    """Save ``fig`` as ``NAME.png`` and ``NAME.svg``; returns the two paths.

    ``name`` is ``"NN-short-name"``: chapter number, dash, lowercase words.
    """
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(f"name must look like '00-short-name' (chapter number, dash, lowercase "
                         f"letters/digits/dashes), got {name!r}")
    out = Path(directory) if directory is not None else figures_dir()
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{name}.png", out / f"{name}.svg"]
    for path in paths:
        fig.savefig(path, metadata={"Date": None} if path.suffix == ".svg" else None)
    return paths


def _axes(ax):
    if ax is None:
        _, ax = plt.subplots()
    return ax


def plot_learning_curves(epochs, train_loss, validation_loss=None, *, label="", ax=None,
                         color=None, best_epoch=None, log_y=True,
                         validation_label="validation"):
    """Train (solid) and validation (dashed) loss against epoch; marks ``best_epoch``.

    ``validation_label`` names the dashed curve in the legend (e.g. ``"held-out"`` when
    it is measured on test points that choose nothing).
    """
    ax = _axes(ax)
    line, = ax.plot(epochs, train_loss, color=color, label=f"{label} train".strip())
    if validation_loss is not None and len(validation_loss):
        ax.plot(epochs, validation_loss, color=line.get_color(), linestyle="--",
                label=f"{label} {validation_label}".strip())
    if best_epoch is not None:
        ax.axvline(best_epoch, color=line.get_color(), linestyle=":", linewidth=1)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if log_y:
        ax.set_yscale("log")
    return ax


def plot_function_1d(x_grid, y_grid, *, x_train=None, y_train=None, ax=None, label=None,
                     color=None, true_function=None):
    """A learned 1-D function on a grid, with training points and the true curve if given."""
    ax = _axes(ax)
    x_grid = np.asarray(x_grid).ravel()
    if true_function is not None:
        ax.plot(x_grid, true_function(x_grid), color="0.6", linestyle=":", label="true function")
    ax.plot(x_grid, np.asarray(y_grid).ravel(), color=color, label=label)
    if x_train is not None:
        ax.scatter(np.asarray(x_train).ravel(), np.asarray(y_train).ravel(), s=18, color="black",
                   zorder=3, label="training points")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return ax


def plot_mean_interval(x, mean, low, high, *, ax=None, label=None, color=None, log_x=False,
                       marker="o"):
    """Mean with a shaded interval (e.g. a 95% bootstrap interval over seeds)."""
    ax = _axes(ax)
    line, = ax.plot(x, mean, marker=marker, markersize=4, color=color, label=label)
    ax.fill_between(x, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    if log_x:
        ax.set_xscale("symlog", linthresh=min(v for v in np.ravel(x) if v > 0))
    return ax


# ---------------------------------------------------------------- sweeps (chapters 04 and 05)
#: How a regularizer's strength is named on an axis, and whether its grid is logarithmic.
STRENGTH_LABELS = {"dropout": ("drop rate", False), "l1": ("L1 coefficient", True),
                   "l2": ("L2 coefficient", True), "mixup": ("mixup α", True),
                   "none": ("strength", False)}


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
    ``axes``: a sequence of one Axes per regularizer, or None for a new row.
    Returns the list of Axes.
    """
    if not hasattr(curves, "items") or len(curves) == 0:
        raise ValueError("curves must be a non-empty mapping regularizer -> curve")
    if not isinstance(measure_label, str):
        raise TypeError(f"measure_label must be a str, got {type(measure_label).__name__}")
    data = {name: _curve(name, curve) for name, curve in curves.items()}
    if axes is None:
        _, axes = plt.subplots(1, len(data), figsize=(3.0 * len(data) + 0.6, 3.0),
                               sharey=sharey, squeeze=False)
        axes = axes[0]
    axes = list(np.ravel(axes))
    if len(axes) != len(data):
        raise ValueError(f"axes must hold one Axes per regularizer ({len(data)}), got {len(axes)}")
    for ax, (name, (strength, mean, low, high)) in zip(axes, data.items(), strict=True):
        label, log = STRENGTH_LABELS.get(name, (f"{name} strength", False))
        keep = strength > 0 if log else np.ones(len(strength), bool)
        if baseline is not None:
            b_mean, b_low, b_high = (float(v) for v in baseline)
            ax.axhspan(b_low, b_high, color="0.6", alpha=0.2, linewidth=0)
            ax.axhline(b_mean, color="0.4", linestyle=":", linewidth=1, label="no regularization")
        plot_mean_interval(strength[keep], mean[keep], low[keep], high[keep], ax=ax,
                           color=REGULARIZER_COLORS.get(name), label=name)
        if log:
            ax.set_xscale("log")
        ax.set_xlabel(label)
        ax.set_title(name)
    axes[0].set_ylabel(measure_label)
    return axes


def plot_rank_correlations(rows, *, ax=None, group_colors=None, xlabel="Spearman's ρ"):
    """A forest plot of rank correlations with their intervals.

    ``rows``: sequence of mappings with ``label`` (one line of the plot, e.g.
    ``"dropout → Z̄"``), ``group`` (e.g. the task; groups are dodged within a
    line and coloured), ``rho``, ``low``, ``high``.  Lines are drawn top to
    bottom in first-seen order; a vertical rule marks 0.  Returns the Axes.
    """
    rows = list(rows)
    if not rows:
        raise ValueError("rows must hold at least one correlation")
    for i, row in enumerate(rows):
        missing = {"label", "group", "rho", "low", "high"} - set(row)
        if missing:
            raise ValueError(f"rows[{i}] lacks {sorted(missing)}")
    ax = _axes(ax)
    labels = list(dict.fromkeys(r["label"] for r in rows))
    groups = list(dict.fromkeys(r["group"] for r in rows))
    colors = dict(group_colors or {})
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, g in enumerate(groups):
        colors.setdefault(g, cycle[i % len(cycle)])
    step = 0.7 / max(len(groups), 1)
    for row in rows:
        k = groups.index(row["group"])
        y = labels.index(row["label"]) + (k - (len(groups) - 1) / 2) * step
        ax.errorbar([row["rho"]], [y], xerr=[[row["rho"] - row["low"]], [row["high"] - row["rho"]]],
                    fmt="o", markersize=5, capsize=3, color=colors[row["group"]])
    for g in groups:
        ax.plot([], [], "o", color=colors[g], label=str(g))
    ax.axvline(0, color="0.3", linewidth=1)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlim(-1.05, 1.05)
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
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
    ax = _axes(ax)
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
                    color: str = "#1b6ca8", title: str | None = None):
    """Draw a fully connected network; units with a 0 in ``keep_masks`` are dropped.

    ``keep_masks``: one 0/1 vector per layer (len(widths) vectors, the last
    usually all ones); None draws the full network.  Dropped units are hollow
    with a cross, and their connections are left out.  Returns the axes.
    """
    for i, w in enumerate(widths):
        if isinstance(w, bool) or not isinstance(w, (int, np.integer)) or w < 1:
            raise ValueError(f"widths[{i}] must be a positive integer, got {w!r}")
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
