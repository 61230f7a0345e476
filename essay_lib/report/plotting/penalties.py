"""Figures of chapter 01 (L1 and L2 penalties, weight histograms, coefficient sweeps).

Helpers take an optional ``axes`` (a sequence of matplotlib axes, one per panel) and
return the axes they drew on (a numpy array); they never call ``plt.show()`` and never
train anything.  ``title`` (optional) becomes the figure's suptitle.  Importing the
module imports neither torch nor :mod:`essay_lib.nets` (a figure of records needs
neither).  Re-exported by :mod:`essay_lib.report.plotting` through ``__all__``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from essay_lib.report.penalty_sweep import PenaltySweep
from essay_lib.report.plotting.basic import plot_mean_interval
from essay_lib.report.plotting.style import figure_legend, panel_grid
from essay_lib.report.vocabulary import regularizer_color, regularizer_label
from essay_lib.util.checks import check_array, check_int, check_number, check_numbers

__all__ = ["log_abs_weights", "plot_constraint_picture", "plot_grid_search",
           "plot_linear_paths", "plot_sparsity_and_norm", "plot_weight_histograms"]

_BALL_TITLES = {"l1": "$|w_1| + |w_2| \\leq t$", "l2": "$w_1^2 + w_2^2 \\leq t^2$"}
_PATH_NAMES = {"l1": "lasso", "l2": "ridge"}


def _panels(axes, n: int, *, title=None, panel=(4.5, 3.6), **subplots_kw):
    """(``axes`` as an array of ``n`` axes, None), or (the panels of a new figure, its
    spare cells): :func:`~essay_lib.report.plotting.style.panel_grid`, a row of one or two
    panels, a 2 × 2 grid for three or four."""
    spare = None
    if axes is None:
        _, axes, spare = panel_grid(n, panel=panel, **subplots_kw)
    axes = np.atleast_1d(np.asarray(axes, dtype=object)).ravel()
    if len(axes) != n:
        raise ValueError(f"axes must hold {n} axes (one per panel), got {len(axes)}")
    if title is not None:
        axes[0].figure.suptitle(str(title))
    return axes, spare


def _finish(axes, spare, *, legend_from=None) -> np.ndarray:
    """Lay out a new figure of :func:`_panels` (``spare`` None: given axes, left alone):
    tight, with the legend of ``legend_from`` (an Axes) moved to a spare cell if any."""
    if spare is None:
        return axes
    fig = axes[0].figure
    if spare and legend_from is not None:
        handles, labels = legend_from.get_legend_handles_labels()
        legend_from.get_legend().remove()
        fig.tight_layout()
        figure_legend(fig, handles, labels, spare=spare)
    fig.tight_layout()
    return axes


def _check_sweep(sweep, metrics) -> PenaltySweep:
    if not isinstance(sweep, PenaltySweep):
        raise TypeError(f"sweep must be a report.penalty_sweep.PenaltySweep, got "
                        f"{type(sweep).__name__}")
    lacking = [m for m in metrics if m not in sweep.values]
    if lacking:
        raise ValueError(f"sweep lacks metric {lacking[0]!r}")
    return sweep


def plot_constraint_picture(hessian, optimum, radius: float, *, norms=("l1", "l2"),
                            extent=(-1.6, 2.6), resolution: int = 300, axes=None,
                            title=None) -> np.ndarray:
    """The two-weight picture: contours of the bowl ``(w - optimum)^T hessian (w - optimum)``
    and the ball ``||w|| <= radius`` of each norm, one panel per norm.

    The contour through the constrained minimum (exact:
    :func:`~essay_lib.measures.penalty_geometry.constrained_minimum`) is drawn in the norm's
    colour, with the minimum (dot) and the unpenalised optimum (+).  ``hessian`` (2, 2)
    symmetric positive definite; ``optimum`` (2,);
    ``extent``: the plotted range of both weights; ``resolution``: grid points per axis.
    """
    # the measures floor's package imports torch: only when drawn
    from essay_lib.measures import penalty_geometry as geometry

    resolution = check_int("resolution", resolution, minimum=10)
    optimum = check_array("optimum", optimum, ndim=1)
    if optimum.shape != (2,):
        raise ValueError(f"optimum must have shape (2,) (two weights), got {optimum.shape}")
    low, high = (check_number("extent[0]", extent[0]), check_number("extent[1]", extent[1]))
    if low >= high:
        raise ValueError(f"extent must be (low, high) with low < high, got {extent}")
    norms = tuple(norms)
    axes, spare = _panels(axes, len(norms), title=title, panel=(4.3, 4.2), sharey=True)
    grid = np.linspace(low, high, resolution)
    W1, W2 = np.meshgrid(grid, grid)
    bowl = geometry.quadratic_loss(np.stack([W1, W2], axis=-1), hessian, optimum)
    for ax, norm in zip(axes, norms, strict=True):
        w = geometry.constrained_minimum(hessian, optimum, radius, norm)
        touch = geometry.quadratic_loss(w, hessian, optimum)
        color = regularizer_color(norm)
        ax.contour(W1, W2, bowl, levels=touch * np.array([0.15, 0.45, 2.0, 3.5, 5.5]),
                   colors="0.6", linewidths=0.8)
        ax.contour(W1, W2, bowl, levels=[touch], colors=color, linewidths=1.6)
        ball = geometry.ball_boundary(radius, norm)
        ax.fill(ball[:, 0], ball[:, 1], color=color, alpha=0.25, linewidth=0)
        ax.plot(ball[:, 0], ball[:, 1], color=color)
        ax.plot(*optimum, "k+", markersize=10, label="unpenalised optimum")
        ax.plot(*w, "o", color="black", markersize=6,
                label=f"constrained optimum ({w[0]:.2f}, {w[1]:.2f})")
        ax.axhline(0, color="0.3", lw=0.6)
        ax.axvline(0, color="0.3", lw=0.6)
        ax.set_aspect("equal")
        ax.set_xlabel("$w_1$")
        ax.set_title(f"{regularizer_label(norm)} ball: {_BALL_TITLES[norm]}")
        ax.legend(loc="lower left")
    axes[0].set_ylabel("$w_2$")
    return _finish(axes, spare)


def plot_linear_paths(strengths, paths: Mapping[str, np.ndarray], *, axes=None,
                      title=None) -> np.ndarray:
    """Coefficient paths of a penalised linear model, one panel per penalty.

    ``strengths``: the coefficients λ, (L,), > 0 (log axis); ``paths``: penalty ->
    weights (L, d), one line per input feature (as
    :func:`~essay_lib.measures.penalty_geometry.linear_penalty_path` returns them).
    """
    strengths = check_numbers("strengths", strengths, minimum=0.0, low_closed=False)  # log axis
    if not isinstance(paths, Mapping) or not paths:
        raise TypeError("paths must be a non-empty mapping penalty -> (L, d) weights")
    arrays = {pen: check_array(f"paths[{pen!r}]", p, ndim=2) for pen, p in paths.items()}
    for pen, p in arrays.items():
        if len(p) != len(strengths):
            raise ValueError(f"paths[{pen!r}] has {len(p)} rows, strengths {len(strengths)}")
    axes, spare = _panels(axes, len(arrays), title=title, panel=(4.3, 3.8), sharey=True)
    for ax, (pen, p) in zip(axes, arrays.items(), strict=True):
        ax.plot(strengths, p, lw=1.3)
        ax.set_xscale("log")
        ax.set_xlabel("coefficient $\\lambda$")
        name = f" ({_PATH_NAMES[pen]})" if pen in _PATH_NAMES else ""
        ax.set_title(f"{regularizer_label(pen)}{name}: one line per input feature")
    axes[0].set_ylabel("weight of the feature")
    return _finish(axes, spare)


def plot_sparsity_and_norm(sweep: PenaltySweep, *, threshold: float, axes=None,
                           title=None) -> np.ndarray:
    """Three panels: near-zero share against λ, weight norm against λ (lines: seed
    means; bands: lowest to highest seed; dotted: no penalty), and the share against
    the norm (one dot per network: the penalties compared at equal weight norm).

    ``sweep`` needs ``weight_sparsity`` and ``weight_norm`` (and a baseline for the
    dotted lines); ``threshold``: the near-zero threshold the share was counted at
    (only for the axis label).
    """
    sweep = _check_sweep(sweep, ("weight_sparsity", "weight_norm"))
    threshold = check_number("threshold", threshold, minimum=0.0, low_closed=False)
    axes, spare = _panels(axes, 3, title=title, panel=(4.6, 3.6))
    sparsity, norm = sweep["weight_sparsity"], sweep["weight_norm"]
    for i, pen in enumerate(sweep.penalties):
        color, label = regularizer_color(pen), regularizer_label(pen)
        for ax, values in ((axes[0], sparsity[i]), (axes[1], norm[i])):
            plot_mean_interval(sweep.strengths, values.mean(axis=1), values.min(axis=1),
                               values.max(axis=1), ax=ax, label=label, color=color)
        axes[2].scatter(norm[i].ravel(), sparsity[i].ravel(), s=16, color=color, label=label)
    for ax, metric in ((axes[0], "weight_sparsity"), (axes[1], "weight_norm")):
        if metric in sweep.baseline:
            ax.axhline(sweep.baseline[metric].mean(), color=regularizer_color("none"),
                       ls=":", lw=1.2, label="no penalty")
        ax.set_xscale("log")
        ax.set_xlabel("coefficient $\\lambda$")
        ax.legend()
    axes[0].set_ylabel(f"fraction of weights with $|w| < {threshold:g}$")
    axes[0].set_title("near-zero weights")
    axes[1].set_ylabel("weight norm $\\|w\\|_2$")
    axes[1].set_yscale("log")
    axes[1].set_title("weight norm")
    axes[2].set_xscale("log")
    axes[2].set_xlabel("weight norm $\\|w\\|_2$")
    axes[2].set_ylabel("fraction near zero")
    axes[2].set_title("near-zero share at equal norm")
    if spare:  # one legend, in the grid's fourth cell
        axes[1].get_legend().remove()
    else:
        axes[2].legend()
    return _finish(axes, spare, legend_from=axes[0])


def log_abs_weights(weights, *, floor: float = 1e-8) -> np.ndarray:
    """``log10(max(|w|, floor))`` of a 1-D array of weights (histogram coordinates:
    weights smaller than ``floor`` pile up at ``log10(floor)``)."""
    floor = check_number("floor", floor, minimum=0.0, low_closed=False)
    w = check_array("weights", weights, ndim=1)
    return np.log10(np.maximum(np.abs(w), floor))


def plot_weight_histograms(weights: Mapping[tuple[str, float], np.ndarray], *,
                           threshold: float, floor: float = 1e-8, bins=None, axes=None,
                           title=None) -> np.ndarray:
    """Histograms of ``log10 |w|`` (log counts), one panel per coefficient, one step
    outline per penalty; a dotted line marks the near-zero ``threshold``.

    ``weights``: ``(penalty, coefficient) -> 1-D array`` (e.g. from
    :func:`~essay_lib.nets.regularization.flat_weights`), panels in the order the
    coefficients first appear; ``floor``: see :func:`log_abs_weights`; ``bins``:
    histogram edges in log10 units (default 60 bins from ``log10(floor)`` to 0.5).
    """
    if not isinstance(weights, Mapping) or not weights:
        raise TypeError("weights must be a non-empty mapping (penalty, coefficient) -> array")
    threshold = check_number("threshold", threshold, minimum=0.0, low_closed=False)
    floor = check_number("floor", floor, minimum=0.0, low_closed=False)
    bins = np.linspace(np.log10(floor), 0.5, 60) if bins is None else check_array(
        "bins", bins, ndim=1)
    strengths: list[float] = []
    for key in weights:
        if not (isinstance(key, tuple) and len(key) == 2):
            raise ValueError(f"weights keys must be (penalty, coefficient), got {key!r}")
        if key[1] not in strengths:
            strengths.append(key[1])
    axes, spare = _panels(axes, len(strengths), title=title, panel=(4.3, 3.4), sharey=True)
    for ax, strength in zip(axes, strengths, strict=True):
        for (pen, s), w in weights.items():
            if s == strength:
                ax.hist(log_abs_weights(w, floor=floor), bins=bins,
                        color=regularizer_color(pen), histtype="step", lw=1.8,
                        label=regularizer_label(pen))
        ax.axvline(np.log10(threshold), color="black", ls=":", lw=1, label="near-zero threshold")
        ax.set_yscale("log")
        ax.set_xlabel("$\\log_{10} |w|$")
        ax.set_title(f"$\\lambda$ = {strength:.0e}")
    axes[0].set_ylabel("number of weights")
    axes[0].legend(loc="upper left")
    for ax in axes:  # a 2 × 2 grid: the first column's y axes are labelled too
        spec = ax.get_subplotspec()
        if spec is not None and spec.is_first_col():
            ax.set_ylabel("number of weights")
    return _finish(axes, spare, legend_from=axes[0])


def plot_grid_search(sweep: PenaltySweep, *, metric: str = "validation_loss",
                     baseline_metric: str = "validation_loss", ylim=(0.0, 1.1), axes=None,
                     title=None) -> np.ndarray:
    """The grid search, one panel per penalty: training loss (solid) and ``metric``
    (dashed) against λ (seed means, bands from the lowest to the highest seed), the
    unpenalised ``baseline_metric`` (dotted) and the chosen coefficient (star: lowest
    seed-mean ``metric``, :meth:`PenaltySweep.best_index`)."""
    sweep = _check_sweep(sweep, ("train_loss", metric))
    axes, spare = _panels(axes, len(sweep.penalties), title=title, panel=(4.4, 3.9),
                          sharey=True)
    lam = sweep.strengths
    for ax, (i, pen) in zip(axes, enumerate(sweep.penalties), strict=True):
        color = regularizer_color(pen)
        for name, style, label in (("train_loss", "-", "train"), (metric, "--", "validation")):
            values = sweep[name][i]
            ax.plot(lam, values.mean(axis=1), style, marker="o", markersize=4, color=color,
                    label=label)
            ax.fill_between(lam, values.min(axis=1), values.max(axis=1), color=color,
                            alpha=0.15, lw=0)
        if baseline_metric in sweep.baseline:
            ax.axhline(sweep.baseline[baseline_metric].mean(), color=regularizer_color("none"),
                       ls=":", lw=1.2, label="validation, no penalty")
        j = sweep.best_index(pen, metric)
        ax.axvline(lam[j], color="black", lw=1, ls="-.")
        ax.plot(lam[j], sweep.mean(metric)[i, j], "*", color="black", markersize=13,
                label=f"chosen $\\lambda$ = {lam[j]:.0e}")
        ax.set_xscale("log")
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.set_xlabel("coefficient $\\lambda$")
        ax.set_title(f"{regularizer_label(pen)}: grid search on the validation split")
        ax.legend(loc="upper left")
    axes[0].set_ylabel("mean squared error")
    return _finish(axes, spare)

