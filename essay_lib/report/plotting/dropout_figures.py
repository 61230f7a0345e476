"""Figures of chapter 02 (masks, sub-networks, Monte Carlo averaging, drop-rate effects).

Helpers take an optional ``axes`` (a sequence of matplotlib Axes, one per panel) and return
what they drew on; they never call ``plt.show()`` and never train anything.  Their panel
titles describe what is shown, never what it proves: the chapter writes its conclusions,
from the numbers, in the text and the figure's suptitle.  Conventions: ``drop_rate`` ``q``
is the probability of dropping a unit (PyTorch's ``p``).  Re-exported by
:mod:`essay_lib.report.plotting` through ``__all__``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from essay_lib.report.plotting.basic import plot_mean_interval, plot_subnetwork
from essay_lib.report.plotting.style import figure_legend, panel_grid
from essay_lib.report.vocabulary import REGULARIZER_COLORS
from essay_lib.util.checks import check_array, check_int, check_int_sequence, check_number

__all__ = ["plot_drop_rate_effects", "plot_mc_convergence", "plot_ridge_equivalence",
           "plot_subnetwork_samples"]

_COLOR = REGULARIZER_COLORS["dropout"]


def _panels(axes, n: int, **grid_kw) -> np.ndarray:
    """``axes`` as an array of ``n`` Axes, or the panels of a new figure
    (:func:`~essay_lib.report.plotting.style.panel_grid`)."""
    if axes is None:
        _, axes, _ = panel_grid(n, **grid_kw)
    axes = np.asarray(axes, dtype=object).ravel()
    if len(axes) != n:
        raise ValueError(f"axes must hold {n} Axes, got {len(axes)}")
    return axes


def plot_subnetwork_samples(widths: Sequence[int], samples: Sequence, *, axes=None,
                            color: str | None = None) -> np.ndarray:
    """The full network, then one panel per sampled sub-network.

    ``widths``: units per layer; ``samples``: one list of per-layer 0/1 keep masks per
    sub-network (e.g. :func:`essay_lib.measures.dropout_checks.sample_subnetwork_masks`).  Each
    sample's title counts its kept hidden units.  Returns the ``len(samples) + 1`` Axes.
    """
    widths = check_int_sequence("widths", widths, minimum=1)
    if len(widths) < 3:
        raise ValueError(f"widths must include at least one hidden layer, got {widths}")
    created = axes is None
    axes = _panels(axes, len(samples) + 1, panel=(3.25, 3.4))
    plot_subnetwork(widths, ax=axes[0], color="0.35", title="full network")
    for i, (ax, masks) in enumerate(zip(axes[1:], samples, strict=True), start=1):
        kept = int(sum(float(np.asarray(m).sum()) for m in masks[1:-1]))
        plot_subnetwork(widths, masks, ax=ax, color=color or _COLOR,
                        title=f"sample {i}: {kept} of {sum(widths[1:-1])} hidden kept")
    if created:
        axes[0].figure.tight_layout()
    return axes


def _k_label(key: str, k) -> str:
    """Legend text of a meeting point (mathtext: a bare % would end the formula)."""
    name = "noise" if key == "k_meet_margin" else "1\\%"
    return f"$k^*_{{{name}}}$ = {k}"


def plot_mc_convergence(result: Mapping, *, tolerance: float, margin: float | None = None,
                        reference_k: int | None = 50, axes=None,
                        color: str | None = None) -> np.ndarray:
    """Monte Carlo averaging against weight scaling for one network: two panels, stacked.

    ``result``: a dict of :func:`essay_lib.nets.dropout.mc_convergence` (streams × K).
    Top: test MSE of the average of k sub-networks (mean over streams, band: lowest to
    highest stream), the weight-scaling error (dashed), the band within ``tolerance``
    above it, and the meeting points ``k*``.  Bottom: RMS gap between the two predictors,
    a ``1/sqrt(k)`` reference and the gap of the all-sample average.  ``margin``: the
    seed-to-seed noise named in the legend; ``reference_k``: Srivastava et al.'s "about
    50" (None: no line).  Log k axes.  Returns the two Axes.
    """
    check_number("tolerance", tolerance, minimum=0.0)
    if margin is not None:
        check_number("margin", margin, minimum=0.0)
    if reference_k is not None:
        check_int("reference_k", reference_k)
    error = check_array("result['error']", result["error"], ndim=2)
    gap = check_array("result['gap']", result["gap"], ndim=2)
    k = check_array("result['k']", result["k"], ndim=1)
    color = color or _COLOR
    created = axes is None
    axes = _panels(axes, 2, panel=(7.5, 3.8), shape=(2, 1))  # stacked: two wide panels
    det = result["det_error"]
    streams, k_max = error.shape
    for ax, values, label in ((axes[0], error, f"Monte Carlo average of k sub-networks "
                               f"({streams} streams)"),
                              (axes[1], gap, "RMS gap, MC average vs weight scaling")):
        plot_mean_interval(k, values.mean(axis=0), values.min(axis=0), values.max(axis=0),
                           ax=ax, color=color, marker="", label=label)
    axes[0].axhline(det, color="black", ls="--", lw=1.3,
                    label="weight scaling (one deterministic pass)")
    noise = "" if margin is None else f" (seed-to-seed noise: {margin:.4f})"
    axes[0].axhspan(det, (1 + tolerance) * det, color="0.5", alpha=0.35,
                    label=f"within {tolerance:.0%}{noise}")
    for key, ls in (("k_meet_margin", ":"), ("k_meet_relative", "-")):
        if result.get(key) is not None:
            axes[0].axvline(result[key], color="black", ls=ls, lw=1.1,
                            label=_k_label(key, result[key]))
    axes[0].set(ylabel="test mean squared error", title="test error")
    axes[1].plot(k, gap.mean(axis=0)[0] / np.sqrt(k), color="0.5", ls="--", lw=1,
                 label="$\\propto 1/\\sqrt{k}$ (pure sampling noise)")
    axes[1].axhline(result["floor"], color="black", ls=":", lw=1.2,
                    label=f"gap of the {k_max * streams}-sample average")
    axes[1].set_yscale("log")
    axes[1].set(ylabel="RMS difference of predictions", title="predictions")
    for ax in axes:
        if reference_k is not None:
            ax.axvline(reference_k, color="0.5", ls="-.", lw=1,
                       label=f"Srivastava et al.: about {reference_k}")
        ax.set_xscale("log")
        ax.set_xlabel("number of sampled sub-networks $k$")
        ax.legend()
    if created:
        axes[0].figure.tight_layout()
    return axes


def plot_drop_rate_effects(drop_rates, train_error, test_error, activation_mean,
                           active_fraction, *, axes=None, color: str | None = None) -> np.ndarray:
    """Error, mean hidden activation and share of active units against the drop rate.

    ``drop_rates`` (R,); ``train_error``, ``test_error``: (R, seeds); ``activation_mean``,
    ``active_fraction``: (R, seeds, hidden layers), e.g. from
    :func:`essay_lib.nets.dropout.hidden_activation_stats`.  Lines: mean over seeds;
    bands: lowest to highest seed.  Returns the three Axes.
    """
    rates = check_array("drop_rates", drop_rates, ndim=1)
    errors = [check_array(n, v, ndim=2) for n, v in (("train_error", train_error),
                                                    ("test_error", test_error))]
    stats = [check_array(n, v, ndim=3) for n, v in (("activation_mean", activation_mean),
                                                   ("active_fraction", active_fraction))]
    named = zip(("train_error", "test_error", "activation_mean", "active_fraction"),
                (*errors, *stats), strict=True)
    for name, a in named:
        if len(a) != len(rates):
            raise ValueError(f"{name} must have one row per drop rate of drop_rates "
                             f"({len(rates)}), got {len(a)}")
    color = color or _COLOR
    spare = None
    if axes is None:  # 2 × 2: the three panels and the hidden layers' legend
        fig, axes, (spare,) = panel_grid(3, panel=(4.6, 3.6))
    axes = _panels(axes, 3)

    def band(ax, values, style, label):
        ax.plot(rates, values.mean(axis=1), style, marker="o", markersize=4, color=color,
                label=label)
        ax.fill_between(rates, values.min(axis=1), values.max(axis=1), color=color, alpha=0.2,
                        lw=0)

    for values, label, style in zip(errors, ("train", "test"), ("--", "-"), strict=True):
        band(axes[0], values, style, label)
    axes[0].set(ylabel="mean squared error", title="training and test error")
    for layer in range(stats[0].shape[2]):
        for ax, values in zip(axes[1:], stats, strict=True):
            band(ax, values[:, :, layer], "-" if layer == 0 else "--", f"hidden layer {layer + 1}")
    axes[1].set(ylabel="mean activation", title="mean hidden activation")
    axes[2].set(ylabel="share of (example, unit) pairs > 0", title="share of active units")
    for ax in axes:
        ax.set_xlabel("drop rate $q$ (hidden layers)")
    for ax in axes[1:]:
        ax.set_ylim(bottom=0)
    axes[0].legend()
    if spare is None:
        for ax in axes[1:]:
            ax.legend()
    else:
        fig.tight_layout()
        figure_legend(fig, *axes[1].get_legend_handles_labels(), spare=[spare])
    return axes


def plot_ridge_equivalence(line: Mapping, path_rates, path_weights, trained_rates,
                           trained_weights, *, axes=None, color: str | None = None) -> np.ndarray:
    """Input dropout on linear regression: three panels.

    ``line``: a dict of :func:`essay_lib.measures.dropout_checks.loss_along_line` from the
    least-squares weights ``w_0`` (t = 0) to the closed form ``w_q`` (t = 1).  Top left: the
    exact expected loss along the line and its Monte Carlo estimates (± 2 s.e.); top right:
    Monte Carlo minus exact; below, across: the closed-form weights ``path_weights``
    (len(path_rates), d) against the drop rate, one line per weight, and the weights trained
    with input dropout ``trained_weights`` (len(trained_rates), d) as dots.  Returns the
    three Axes.
    """
    path_rates = check_array("path_rates", path_rates, ndim=1)
    path_weights = check_array("path_weights", path_weights, ndim=2)
    trained_rates = check_array("trained_rates", trained_rates, ndim=1)
    trained_weights = check_array("trained_weights", trained_weights, ndim=2)
    for name, weights, rates in (("path", path_weights, path_rates),
                                 ("trained", trained_weights, trained_rates)):
        if len(weights) != len(rates):
            raise ValueError(f"{name}_weights must have one row per drop rate of {name}_rates "
                             f"({len(rates)}), got {len(weights)}")
    color = color or _COLOR
    created = axes is None
    if created:  # the line and its zoom side by side, the weights below across both
        fig = plt.figure(figsize=(10, 8))
        grid = fig.add_gridspec(2, 2, width_ratios=[1.3, 1.0])
        axes = [fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1]),
                fig.add_subplot(grid[1, :])]
    axes = _panels(axes, 3)
    q = f"{line['drop_rate']:g}"
    axes[0].plot(line["t_fine"], line["curve"], color="black", lw=1.5,
                 label="formula: $\\|y - Xw\\|^2 + \\frac{q}{1-q}\\sum_j (X^TX)_{jj} w_j^2$")
    axes[0].errorbar(line["t"], line["mc"], yerr=2 * line["se"], fmt="o", color=color, capsize=3,
                     label=f"Monte Carlo over {line['n_masks']} masks (± 2 s.e.)")
    axes[0].axvline(1.0, color="0.5", ls=":", lw=1)
    axes[0].set_xticks([0, 1], ["OLS\n$w_0$", f"closed form\n$w_{{{q}}}$"])
    axes[0].set(xlabel=f"position on the line $w_0 + t\\,(w_{{{q}}} - w_0)$",
                ylabel="expected squared error under dropout",
                title=f"drop rate {q}: expected loss along the line")
    axes[1].errorbar(line["t"], line["mc"] - line["exact"], yerr=2 * line["se"], fmt="o",
                     color=color, capsize=3, label="Monte Carlo minus formula (± 2 s.e.)")
    axes[1].axhline(0, color="black", lw=1)
    axes[1].set_xticks([0, 1], ["$w_0$", f"$w_{{{q}}}$"])
    axes[1].set(xlabel="position on the same line", ylabel="difference in expected squared error",
                title="zoomed in: Monte Carlo minus formula")
    axes[2].plot(path_rates, path_weights, color="0.55", lw=1)
    axes[2].plot(np.repeat(trained_rates, trained_weights.shape[1]), trained_weights.ravel(), "o",
                 color=color, markersize=5, label="trained with dropout (one dot per weight)")
    axes[2].plot([], [], color="0.55", label="closed form $w_q$, one line per weight")
    axes[2].set(xlabel="input drop rate $q$", ylabel="weight",
                title="weights: closed form vs trained with input dropout")
    for ax in axes:
        ax.legend()
    if created:
        axes[0].figure.tight_layout()
    return axes
