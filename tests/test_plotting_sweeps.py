"""essay_lib.report.plotting helpers for sweeps: strength panels, rank-correlation forest, 2-D
maps."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from essay_lib.report import plotting

plt.switch_backend("Agg")


pytestmark = pytest.mark.usefixtures("no_plt_show")


def _curve(strength, offset=0.0):
    s = np.asarray(strength, float)
    return {"strength": s, "mean": s + offset, "low": s + offset - 0.1, "high": s + offset + 0.1}


CURVES = {"dropout": _curve([0.0, 0.2, 0.5]), "l2": _curve([0.0, 1e-4, 1e-2], 1.0)}


def test_strength_panels_draw_one_panel_per_regularizer_with_the_given_means():
    axes = plotting.plot_strength_panels(CURVES, measure_label="Z", baseline=(0.3, 0.2, 0.4))
    assert len(axes) == 2
    assert [ax.get_title() for ax in axes] == ["dropout", "L2"]  # the vocabulary's labels
    assert axes[0].get_ylabel() == "Z" and axes[0].get_xlabel() == "drop rate"
    assert axes[0].get_xscale() == "linear" and axes[1].get_xscale() == "log"
    dropout_line = [ln for ln in axes[0].lines if ln.get_label() == "dropout"][0]
    np.testing.assert_allclose(dropout_line.get_ydata(), [0.0, 0.2, 0.5])
    l2_line = [ln for ln in axes[1].lines if ln.get_label() == "L2"][0]
    np.testing.assert_allclose(l2_line.get_xdata(), [1e-4, 1e-2])  # zero left out on a log axis
    assert l2_line.get_color() == plotting.REGULARIZER_COLORS["l2"]
    baseline = [ln for ln in axes[1].lines if ln.get_label() == "no regularization"][0]
    np.testing.assert_allclose(baseline.get_ydata(), [0.3, 0.3])


def test_strength_panels_use_given_axes():
    fig, axes = plt.subplots(1, 2)
    out = plotting.plot_strength_panels(CURVES, measure_label="Z", axes=axes)
    assert list(out) == list(axes)


@pytest.mark.parametrize("curves, message", [
    ({}, "non-empty"),
    ({"dropout": {"strength": [0, 1], "mean": [0, 1], "low": [0]}}, "must map"),
    ({"dropout": {"strength": [0, 1], "mean": [0], "low": [0], "high": [0]}}, "one length"),
])
def test_strength_panels_reject_bad_curves(curves, message):
    with pytest.raises(ValueError, match=message):
        plotting.plot_strength_panels(curves, measure_label="Z")


def test_strength_panels_reject_wrong_number_of_axes():
    _, axes = plt.subplots(1, 3)
    with pytest.raises(ValueError, match="one Axes per regularizer"):
        plotting.plot_strength_panels(CURVES, measure_label="Z", axes=axes)


def test_rank_correlations_place_points_and_intervals():
    rows = [{"label": "dropout → Z", "group": "moons", "rho": -0.5, "low": -0.7, "high": -0.2},
            {"label": "dropout → Z", "group": "digits", "rho": 0.1, "low": -0.2, "high": 0.4},
            {"label": "L2 → norm", "group": "moons", "rho": -0.9, "low": -0.95, "high": -0.8}]
    ax = plotting.plot_rank_correlations(rows)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["dropout → Z", "L2 → norm"]
    points = sorted(tuple(np.ravel(ln.get_xydata())) for ln in ax.lines
                    if len(ln.get_xdata()) == 1 and ln.get_marker() in ("s", "D"))
    xs = sorted(p[0] for p in points)
    assert xs == [-0.9, -0.5, 0.1]
    assert ax.get_xlim() == (-1.05, 1.05)
    handles, labels = ax.get_legend_handles_labels()
    assert labels == ["moons", "digits"]
    assert [h.get_marker() for h in handles] == ["s", "D"]  # each task its own marker


def test_rank_correlations_reject_incomplete_rows():
    with pytest.raises(ValueError, match="at least one"):
        plotting.plot_rank_correlations([])
    with pytest.raises(ValueError, match=r"rows\[0\] lacks \['high'\]"):
        plotting.plot_rank_correlations([{"label": "a", "group": "g", "rho": 0, "low": 0}])


def test_decision_function_2d_draws_the_zero_level_and_points():
    xs, ys = np.linspace(-1, 1, 30), np.linspace(-2, 2, 20)
    values = xs[None, :] - ys[:, None] / 2  # zero along x1 = x2 / 2
    ax = plotting.plot_decision_function_2d(xs, ys, values, X=np.zeros((5, 2)),
                                            labels=np.arange(5) % 2, colorbar_label="margin")
    assert ax.collections, "nothing drawn"
    mesh = ax.collections[0]
    assert mesh.get_clim() == (-2.0, 2.0)  # symmetric about 0, the data's largest |value|
    assert ax.get_xlabel() == "$x_1$"
    assert len(ax.figure.axes) == 2  # the colour bar


def test_decision_function_2d_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"values must have shape"):
        plotting.plot_decision_function_2d(np.arange(3), np.arange(4), np.zeros((3, 4)))
