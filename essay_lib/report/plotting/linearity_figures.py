"""Figures of chapter 04's measure: the geometry of D, Z̄ on known functions, learned
functions, the measures relative to no regularization, the static drop-rate explorer.

Helpers draw what they are given (numbers, callables, trained networks) and return the
figure; they never call ``plt.show()`` and never train anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from essay_lib.report.plotting.basic import (
    plot_decision_function_2d,
    plot_function_1d,
    plot_mean_interval,
)
from essay_lib.report.plotting.style import figure_legend, panel_grid
from essay_lib.report.vocabulary import (
    BAND,
    DEFECT_COLOR,
    INK,
    MARKERS,
    measure_label,
    neutral,
    regularizer_color,
    strength_label,
    strength_ramp,
    task_label,
)
from essay_lib.util.checks import check_number

__all__ = ["plot_drop_rate_explorer_static", "plot_known_functions", "plot_learned_functions",
           "plot_relative_measures", "plot_second_difference"]

_POINT_NAMES = ("$x_0$", "$x_0+a$", "$x_0+b$", "$x_0+a+b$")


def plot_second_difference(functions: Mapping[str, object], x0: float, a: float, b: float, *,
                           x_range=(-1.0, 1.0)):
    """One panel per function (title -> scalar callable): f at x0, x0+a, x0+b, x0+a+b, the
    additive prediction f(x0) + u + v and the gap D to f(x0+a+b).  Returns the figure."""
    x0, a, b = (check_number(n, v) for n, v in (("x0", x0), ("a", a), ("b", b)))
    fig, axes = plt.subplots(1, len(functions), figsize=(5 * len(functions), 3.8), sharey=True,
                             squeeze=False)
    grid = np.linspace(*x_range, 201)
    for ax, (title, f) in zip(axes[0], functions.items(), strict=True):
        pts = np.array([x0, x0 + a, x0 + b, x0 + a + b])
        vals = np.asarray(f(pts), dtype=float)
        predicted = vals[1] + vals[2] - vals[0]
        ax.plot(grid, f(grid), color=neutral(1))
        ax.scatter(pts, vals, color=INK, zorder=3)
        for x, y, name in zip(pts, vals, _POINT_NAMES, strict=True):
            ax.annotate(name, (x, y), textcoords="offset points", xytext=(-10, 8))
        ax.scatter([pts[3]], [predicted], marker="x", s=60, color=DEFECT_COLOR, zorder=4,
                   label="$f(x_0) + u + v$ (additive prediction)")
        ax.vlines(pts[3], min(predicted, vals[3]), max(predicted, vals[3]), color=DEFECT_COLOR,
                  linewidth=3, label=f"$D$ = {vals[3] - predicted:+.2f}")
        ax.set_title(title)
        ax.set_xlabel("x")
        ax.legend(loc="upper center")
    axes[0, 0].set_ylabel("f(x)")
    fig.suptitle(f"The second difference $D$ for $x_0 = {x0:g}$, $a = {a:g}$, $b = {b:g}$",
                 y=1.02)
    return fig


def plot_known_functions(powers: Sequence[int], power_z: Sequence, fits: Mapping[str, object],
                         *, seed: int = 0, reference: str | None = None):
    """Left: Z̄ of x^n against n with 95% intervals over triples; right: bars of Z̄ of named
    fits (``fits``: name -> :class:`~essay_lib.measures.linearity.ZBar`; ``reference``: the
    name drawn in grey, e.g. the true function).  Returns the figure."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8),
                                      gridspec_kw={"width_ratios": [3, 2]})
    values = np.array([z.value for z in power_z])
    bands = np.array([z.bootstrap_interval(seed=seed) for z in power_z])
    plot_mean_interval(np.asarray(powers), values, bands[:, 0], bands[:, 1], ax=left,
                       label="$\\bar Z$ of $x^n$, 95% interval over triples")
    left.set(xlabel="power $n$", ylabel="$\\bar Z$", ylim=(0, 1),
             title="$\\bar Z$ against the degree of $x^n$")
    left.legend(loc="upper left")
    names = list(fits)
    fit_values = np.array([fits[n].value for n in names])
    fit_bands = np.array([fits[n].bootstrap_interval(seed=seed) for n in names])
    colors = [BAND if n == reference else regularizer_color("none") for n in names]
    right.bar(range(len(names)), fit_values, color=colors, capsize=4,
              yerr=[fit_values - fit_bands[:, 0], fit_bands[:, 1] - fit_values])
    right.set_xticks(range(len(names)), [n.replace(" fit", "\nfit") for n in names])
    for i, v in enumerate(fit_values):
        right.annotate(f"{v:.2f}", (i, fit_bands[i, 1]), textcoords="offset points",
                       xytext=(0, 3), ha="center")
    right.set(ylim=(0, 1), ylabel="$\\bar Z$", title="Chapter 03's fits (10 points)")
    return fig


def plot_learned_functions(quadratic: Mapping, moons: Mapping, *, quadratic_task, moons_task,
                           z_values: Mapping, true_function=None, seed: int = 0,
                           limit: float = 10.0):
    """Two rows, one column per drop rate: the 1-D quadratic's learned function (top) and
    the two moons' logit margin (bottom).  ``quadratic``/``moons``: drop rate -> network
    (a numpy function of inputs); ``z_values``: (task, drop rate) -> Z̄.  Returns the figure."""
    rates = list(quadratic)
    fig, axes = plt.subplots(2, len(rates), figsize=(3.25 * len(rates), 6.4), squeeze=False)
    x_line = np.linspace(-1.1, 1.1, 401)[:, None]
    g1, g2 = np.meshgrid(np.linspace(-2.6, 2.6, 161), np.linspace(-2.6, 2.6, 161))
    plane = np.column_stack([g1.ravel(), g2.ravel()])
    for j, rate in enumerate(rates):
        plot_function_1d(x_line, quadratic[rate](x_line), ax=axes[0, j],
                         x_train=quadratic_task.X_train, y_train=quadratic_task.y_train,
                         true_function=true_function, color=regularizer_color("dropout"))
        axes[0, j].set_ylim(-0.4, 1.4)
        axes[0, j].set_title(f"drop rate {rate:g}: $\\bar Z$ = "
                             f"{z_values['quadratic', rate]:.3f}")
        logits = moons[rate](plane)
        plot_decision_function_2d(g1[0], g2[:, 0],
                                  (logits[:, 1] - logits[:, 0]).reshape(g1.shape),
                                  X=moons_task.X_test, labels=moons_task.y_test,
                                  ax=axes[1, j], limit=limit)
        axes[1, j].set_title(f"drop rate {rate:g}: $\\bar Z$ = {z_values['moons', rate]:.3f}")
    axes[0, 0].legend(loc="upper center")
    axes[0, 0].set_ylabel("1-D quadratic: $y$")
    axes[1, 0].set_ylabel("two moons: $x_2$")
    fig.suptitle(f"Learned functions at {len(rates)} drop rates (seed {seed})")
    fig.set_label(f"Learned functions at {len(rates)} drop rates (seed {seed}); top: 1-D "
                  f"quadratic; bottom: two moons, logit margin (colour clipped at ±{limit:g}), "
                  "decision boundary in black, test points")
    fig.tight_layout()
    return fig


def plot_relative_measures(curves: Mapping[str, Mapping[str, Mapping]], *,
                           raw: Sequence[str] = ("z_bar_raw", "jacobian_norm"),
                           regularizer: str = "dropout"):
    """Per task, each measure's mean over seeds divided by its value without
    regularization, against strength (log scale; 1 = no change); measures in output units
    (``raw``) dashed.  ``curves``: task -> measure -> dict with ``strength``, ``mean``,
    ``low``, ``high`` already divided by the baseline.  Returns the figure."""
    fig, panels, spare = panel_grid(len(curves), panel=(3.6, 3.2), sharey=True)
    for ax, (task, per_measure) in zip(panels, curves.items(), strict=True):
        for i, (m, c) in enumerate(per_measure.items()):
            plot_mean_interval(c["strength"], c["mean"], c["low"], c["high"], ax=ax,
                               label=measure_label(m), color=neutral(i),
                               marker=MARKERS[i % len(MARKERS)])
            ax.lines[-1].set_linestyle("--" if m in raw else "-")
        ax.axhline(1.0, color="0.4", linewidth=1, linestyle=":")
        ax.set_yscale("log")
        ticks = [0.2, 0.3, 0.5, 0.7, 1, 1.5, 2]
        ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
        ax.minorticks_off()
        ax.set(title=task_label(task), xlabel=strength_label(regularizer)[0])
    for ax in panels:
        if ax.get_subplotspec().is_first_col():
            ax.set_ylabel("measure / its value\nwithout regularization")
    fig.tight_layout()
    figure_legend(fig, *panels[0].get_legend_handles_labels(), spare=spare)
    return fig


def plot_drop_rate_explorer_static(x_grid, functions: Mapping, z_values: Mapping, curve, *,
                                   x_train=None, y_train=None, seed: int = 0,
                                   ylim=(-0.4, 1.4)):
    """Left: seed ``seed``'s learned function at every drop rate (light to dark in dropout's
    colour); right: Z̄ against drop rate for every seed (grey) with the mean over seeds and
    its interval.
    ``functions``/``z_values``: (drop rate, seed) -> values on ``x_grid`` / Z̄;
    ``curve``: dict with ``strength``, ``mean``, ``low``, ``high``.  Returns the figure."""
    rates = sorted({k[0] for k in functions})
    seeds = sorted({k[1] for k in functions})
    fig, (ax_f, ax_z) = plt.subplots(1, 2, figsize=(10, 4.2),
                                     gridspec_kw={"width_ratios": [3, 2]})
    for color, rate in zip(strength_ramp("dropout", len(rates)), rates, strict=True):
        ax_f.plot(np.ravel(x_grid), np.ravel(functions[rate, seed]), color=color,
                  label=f"{rate:g}")
    if x_train is not None:
        ax_f.scatter(np.ravel(x_train), np.ravel(y_train), s=16, color="black", zorder=3)
    ax_f.set(ylim=ylim, xlabel="x", ylabel="network output",
             title=f"1-D quadratic, seed {seed}, every drop rate")
    ax_f.legend(title="drop rate", ncol=2, loc="upper center")
    for s in seeds:
        ax_z.plot(rates, [z_values[r, s] for r in rates], color=BAND, linewidth=0.8,
                  marker=".")
    plot_mean_interval(curve["strength"], curve["mean"], curve["low"], curve["high"], ax=ax_z,
                       color=regularizer_color("dropout"),
                       label=f"mean of {len(seeds)} seeds, 95% interval")
    ax_z.plot([], [], color=BAND, linewidth=0.8, label="one seed")
    ax_z.set(xlabel="drop rate", ylabel="$\\bar Z$", title="$\\bar Z$ against drop rate")
    ax_z.legend()
    return fig
