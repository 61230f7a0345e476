"""One figure style for the essay and helpers that draw what they are given.

Helpers take an optional ``ax`` and return it; they never call ``plt.show()``
and never train anything.  :func:`save_figure` writes ``figures/NAME.png`` and
``figures/NAME.svg`` (``NAME`` like ``"00-learned-functions"``).
"""

from __future__ import annotations

import os
import re
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
