"""Figures of chapter 03 (polynomial fits, ReLU pieces, gates).

Helpers take an optional ``ax`` (or ``axes``) and return what they drew on; they never
call ``plt.show()`` and never train anything.  Re-exported by
:mod:`essay_lib.report.plotting` through ``__all__``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from essay_lib.report.plotting.basic import axes_or_new, plot_function_1d, plot_gate_matrix
from essay_lib.report.plotting.style import panel_grid
from essay_lib.report.vocabulary import INK, REFERENCE, neutral, regularizer_color
from essay_lib.util.checks import (
    check_column,
    check_int,
    check_int_sequence,
    check_number,
    check_numbers,
    check_same_length,
)

#: An unregularized fit (a polynomial, a network without a penalty) and weight decay (an L2
#: penalty on the coefficients); two curves of one panel (training and test error, say):
#: black solid with circles, grey dashed with squares.
_FIT, _DECAY = regularizer_color("none"), regularizer_color("l2")
_SOLID = {"color": INK, "marker": "o", "linestyle": "-"}
_DASHED = {"color": neutral(1), "marker": "s", "linestyle": "--"}

__all__ = ["lambda_label", "plot_additivity_by_degree", "plot_degree_sweep", "plot_gate_sharing",
           "plot_kinks", "plot_pieces_against_width", "plot_polynomial_fits",
           "plot_weight_decay"]


def _axes_row(axes, n: int, *, grid: bool = False, **subplots_kw) -> np.ndarray:
    """``axes`` (n of them) as an array, or a new row of n axes (``grid``: the panels of
    :func:`~essay_lib.report.plotting.style.panel_grid`, 2 × 2 for four)."""
    if axes is None and grid:
        _, axes, _ = panel_grid(n, **subplots_kw)
    elif axes is None:
        _, axes = plt.subplots(1, n, **subplots_kw)
    axes = np.atleast_1d(np.asarray(axes, dtype=object))
    if axes.shape != (n,):
        raise ValueError(f"axes must hold {n} axes in a row, got shape {axes.shape}")
    return axes


def lambda_label(value: float) -> str:
    """A weight-decay strength in LaTeX: ``0``, ``10^{-1}`` for powers of ten, else ``3e-02``."""
    value = float(value)
    if value == 0:
        return "0"
    exponent = np.log10(abs(value))
    if value > 0 and np.isclose(exponent, round(exponent)):
        return f"10^{{{round(exponent)}}}"
    return f"{value:.0e}"


def plot_polynomial_fits(grid, fits: Mapping, *, x_train, y_train, errors: Mapping,
                         true_function=None, ylim=(-0.4, 1.6), axes=None, title=None):
    """One panel per fitted polynomial: the fit on ``grid``, the points, the true curve.

    ``fits``: degree -> callable (e.g. a Polynomial); ``errors``: degree -> (train MSE,
    test MSE), shown in the panel titles; ``ylim`` clips the y-axis (high-degree fits
    swing far out).  ``title``: the figure's title.  Returns the array of axes.
    """
    if set(errors) != set(fits):
        raise ValueError("errors must have one (train, test) pair per degree in fits")
    grid = check_column("grid", grid)
    axes = _axes_row(axes, len(fits), figsize=(3.1 * len(fits), 3.6), sharey=True)
    for ax, (degree, p) in zip(axes, fits.items(), strict=True):
        plot_function_1d(grid, p(grid), x_train=x_train, y_train=y_train, ax=ax,
                         label=f"degree {degree}", color=_FIT, true_function=true_function)
        train, test = errors[degree]
        ax.set_title(f"degree {degree}\ntrain MSE {train:.3f}, test MSE {test:.3f}", fontsize=10)
        ax.set_ylim(*ylim)
    axes[0].legend(loc="upper center")
    for ax in axes[1:]:
        ax.set_ylabel("")
    if title:
        axes[0].figure.suptitle(title, y=1.12)
    return axes


def plot_degree_sweep(sweeps: Mapping, *, axes=None, floor: float = 1e-6, title=None):
    """Training and test MSE against degree, one panel per training-set size.

    ``sweeps``: number of training points n -> the dict of
    :func:`essay_lib.measures.polynomials.degree_sweep`.  A dotted line marks the degree
    of lowest test MSE, a dashed one degree n - 1 (from there the fit interpolates) when
    it is in the sweep.  Log scale; a zero training error is drawn at ``floor``.
    Returns the array of axes.
    """
    axes = _axes_row(axes, len(sweeps), figsize=(10, 3.6), sharey=True)
    for ax, (n, sweep) in zip(axes, sweeps.items(), strict=True):
        degrees = np.asarray(sweep["degree"])
        best = int(degrees[np.argmin(sweep["test_mse"])])
        ax.plot(degrees, np.maximum(sweep["train_mse"], floor), markersize=4,
                label="training MSE", **_SOLID)
        ax.plot(degrees, sweep["test_mse"], markersize=4, label="test MSE", **_DASHED)
        ax.axvline(best, color=REFERENCE, linestyle=":", linewidth=1)
        if n - 1 <= degrees.max():
            ax.axvline(n - 1, color=INK, linestyle="-.", linewidth=1,
                       label=f"degree n - 1 = {n - 1}: interpolation")
        ax.set_yscale("log")
        ax.set_xticks(list(degrees)[::3])
        ax.set_xlabel("polynomial degree")
        ax.set_title(f"{n} training points: lowest test MSE at degree {best}")
    axes[0].set_ylabel(f"mean squared error (log; zero shown at {floor:g})".replace("e-0", "e-"))
    axes[0].legend(loc="upper left")
    if title:
        axes[0].figure.suptitle(title, y=1.02)
    return axes


def plot_weight_decay(grid, path: Mapping, shown: Sequence[float], *, x_train, y_train,
                      true_function=None, ylim=(-0.4, 1.6), axes=None, title=None):
    """Fits at a few weight-decay strengths, and training/test MSE against the strength.

    ``path``: the dict of :func:`essay_lib.measures.polynomials.weight_decay_path`;
    ``shown``: strengths (each one of ``path["l2"]``) drawn in the first panels; the last
    panel is the error against λ on log axes (λ = 0 left out).  Returns the array of
    len(shown) + 1 axes.
    """
    grid = check_column("grid", grid)
    l2 = np.asarray(path["l2"], dtype=np.float64)
    index = []
    for lam in shown:
        hits = np.flatnonzero(l2 == lam)
        if not hits.size:
            raise ValueError(f"shown must name strengths from path['l2'], got {lam!r}")
        index.append(int(hits[0]))
    created = axes is None
    axes = _axes_row(axes, len(shown) + 1, grid=True, panel=(4.2, 3.3))
    for ax, k in zip(axes[:-1], index, strict=True):
        plot_function_1d(grid, path["fits"][k](grid), x_train=x_train, y_train=y_train, ax=ax,
                         color=_DECAY, true_function=true_function)
        ax.set_ylim(*ylim)
        ax.set_title(f"$\\lambda = {lambda_label(l2[k])}$\ntest MSE {path['test_mse'][k]:.3f}",
                     fontsize=10)
        spec = ax.get_subplotspec()
        ax.set_ylabel("y" if (ax is axes[0] if spec is None else spec.is_first_col()) else "")
    ax, positive = axes[-1], l2 > 0
    ax.plot(l2[positive], path["train_mse"][positive], markersize=3, label="training MSE",
            **{**_SOLID, "color": _DECAY})
    ax.plot(l2[positive], path["test_mse"][positive], markersize=3, label="test MSE",
            **{**_DASHED, "color": _DECAY})
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("weight decay $\\lambda$")
    ax.set_ylabel("MSE (log)")
    ax.set_title("error against $\\lambda$\n($\\lambda = 0$ not shown)", fontsize=10)
    ax.legend()
    if title:
        axes[0].figure.suptitle(title)
    if created:
        axes[0].figure.tight_layout()
    return axes


def plot_kinks(grid, y_grid, kinks_x, kinks_y, *, x_train=None, y_train=None, label=None,
               ax=None, title=None):
    """A 1-D network function on ``grid`` with its kinks marked (``kinks_x``, ``kinks_y``:
    (m,) positions and the function's values there).  Returns the axes."""
    grid, y_grid = check_column("grid", grid), check_column("y_grid", y_grid)
    check_same_length(("grid", grid), ("y_grid", y_grid))
    kinks_x = check_column("kinks_x", kinks_x, non_empty=False)
    kinks_y = check_column("kinks_y", kinks_y, non_empty=False)
    check_same_length(("kinks_x", kinks_x), ("kinks_y", kinks_y))
    ax = axes_or_new(ax, figsize=(6.4, 3.8))
    plot_function_1d(grid, y_grid, x_train=x_train, y_train=y_train, ax=ax, label=label,
                     color=_FIT)
    ax.plot(kinks_x, kinks_y, "|", color=INK, markersize=14, markeredgewidth=2, label="kinks")
    if title:
        ax.set_title(title)
    ax.legend(loc="upper center")
    return ax


def plot_pieces_against_width(result: Mapping, *, segment: str = "the segment", ax=None,
                              title=None):
    """Linear pieces before and after training against width, with the bound width + 1.

    ``result``: the dict of :func:`essay_lib.measures.linear_pieces.pieces_against_width`;
    lines are means over seeds, dots single seeds; log-log axes.  ``segment`` names the
    segment on the y-axis (e.g. ``"[-1, 1]"``).  Returns the axes.
    """
    ax = axes_or_new(ax, figsize=(6.4, 3.8))
    widths = [int(w) for w in result["widths"]]
    n_seeds = np.shape(result["initial"])[1]
    for key, style in (("initial", {"color": neutral(2), "marker": "o", "linestyle": "--"}),
                       ("trained", {"color": INK, "marker": "s", "linestyle": "-"})):
        counts = np.asarray(result[key])
        line, = ax.plot(widths, counts.mean(axis=1), label=f"{key} (mean of {n_seeds} seeds)",
                        **style)
        for j in range(n_seeds):
            ax.scatter(widths, counts[:, j], s=10, color=line.get_color(), alpha=0.5)
    ax.plot(widths, np.array(widths) + 1, color=REFERENCE, linestyle=":",
            label="upper bound: width + 1")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(widths, [str(w) for w in widths])
    ticks = sorted({1, *widths})
    ax.set_yticks(ticks, [str(t) for t in ticks])
    ax.set_xlabel("hidden units (one layer)")
    ax.set_ylabel(f"linear pieces on {segment}")
    if title:
        ax.set_title(title)
    ax.legend()
    return ax


def _weight_labels(n_units: int) -> list[str]:
    return [f"x{i + 1}→h{j + 1}" for j in range(n_units) for i in range(2)]


def plot_gate_sharing(hand_sensitivity, trained: Mapping, *, names: Sequence[str], axes=None,
                      title=None):
    """Three heat maps: which gates each weight moves (hand-set, trained), and which gates
    break when one hidden unit of the trained network is removed.

    ``hand_sensitivity``: (k, 2, 2) :func:`~essay_lib.measures.gates.weight_gate_sensitivity`
    of the hand-set network; ``trained``: one dict of
    :func:`~essay_lib.measures.gates.train_gate_networks` (``seed``, ``sensitivity``
    (k, m, 2), ``ablation`` (m + 1, k)); ``names``: the k gate names.  Returns the axes.
    """
    columns = [name.upper() for name in names]
    hand = np.asarray(hand_sensitivity, dtype=np.float64)
    sens = np.asarray(trained["sensitivity"], dtype=np.float64)
    if hand.shape[0] != len(names) or sens.shape[0] != len(names):
        raise ValueError(f"the sensitivities must have one row per gate name ({len(names)})")
    axes = _axes_row(axes, 3, figsize=(11, 5.8), gridspec_kw={"wspace": 0.6})
    common = {"column_labels": columns, "symmetric": False, "fmt": "{:.2f}"}
    plot_gate_matrix(hand.transpose(1, 2, 0).reshape(-1, len(names)),
                     row_labels=_weight_labels(hand.shape[1]), ax=axes[0], cmap="Blues",
                     title="hand-set:\n|d gate / d weight|", **common)
    plot_gate_matrix(sens.transpose(1, 2, 0).reshape(-1, len(names)),
                     row_labels=_weight_labels(sens.shape[1]), ax=axes[1], cmap="Blues",
                     title=f"trained (seed {trained['seed']}):\n|d gate / d weight|", **common)
    plot_gate_matrix(np.asarray(trained["ablation"])[1:], ax=axes[2], cmap="Reds",
                     row_labels=[f"without h{j + 1}" for j in range(sens.shape[1])],
                     title="trained, one unit removed:\nlargest error", **common)
    if title:
        axes[0].figure.suptitle(title, y=1.02)
    return axes


def plot_additivity_by_degree(degrees, literal, centred, *, truth: float,
                              interpolation_degree: int | None = None, n_points: int | None = None,
                              ax=None, title=None):
    """Mean literal additivity defect of polynomial fits against degree, with and without
    the intercept, and the true function's defect as a dotted line.

    ``literal``, ``centred``: (m,) from
    :func:`essay_lib.measures.polynomials.additivity_by_degree`; ``interpolation_degree``
    (dashed) marks where the fits start to interpolate; ``n_points``: the number of
    fitted points, named on the x-axis.  Returns the axes.
    """
    degrees = list(check_int_sequence("degrees", degrees, minimum=0))
    literal = check_numbers("literal", literal, minimum=0)
    centred = check_numbers("centred", centred, minimum=0)
    check_same_length(("degrees", degrees), ("literal", literal), ("centred", centred))
    truth = check_number("truth", truth, minimum=0)
    if interpolation_degree is not None:
        interpolation_degree = check_int("interpolation_degree", interpolation_degree, 0)
    if n_points is not None:
        n_points = check_int("n_points", n_points)
    ax = axes_or_new(ax, figsize=(6.4, 3.8))
    ax.plot(degrees, literal, markersize=4, label="literal: $|f(x_1+x_2) - f(x_1) - f(x_2)|$",
            **_SOLID)
    ax.plot(degrees, centred, markersize=4,
            label="intercept removed: same for $g(x) = f(x) - f(0)$", **_DASHED)
    ax.axhline(truth, color=REFERENCE, linestyle=":", label="the true function $x^2$")
    if interpolation_degree is not None:
        ax.axvline(interpolation_degree, color=INK, linestyle="-.", linewidth=1,
                   label=f"interpolation from degree {interpolation_degree}")
    ax.set_ylim(bottom=0)
    fitted = f" (fit to {n_points} points)" if n_points is not None else ""
    ax.set_xlabel(f"polynomial degree{fitted}")
    ax.set_ylabel("mean additivity defect")
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right", frameon=True, framealpha=0.95, edgecolor="white")
    return ax
