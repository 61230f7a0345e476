"""Tests for chapter 01's figure helpers (essay_lib.report.plotting.penalties): each returns
its axes, draws what it says, never calls plt.show(), and names bad arguments."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from essay_lib.measures import penalty_geometry
from essay_lib.report import plotting
from essay_lib.report.penalty_sweep import penalty_arrays
from essay_lib.report.plotting import penalties

plt.switch_backend("Agg")  # no windows, whatever MPLBACKEND says
pytestmark = pytest.mark.usefixtures("no_plt_show")

HESSIAN = [[1.0, 0.4], [0.4, 2.0]]
OPTIMUM = [2.0, 0.3]


def sweep(seed=0):
    rng = np.random.default_rng(seed)
    records = []
    for pen in ("l1", "l2"):
        for lam in (1e-3, 1e-2, 1e-1):
            for s in (0, 1):
                records.append({"regularizer": pen, "strength": lam, "seed": s,
                                "train_loss": lam * 5, "validation_loss": abs(np.log10(lam) + 2),
                                "test_loss": 0.5, "weight_sparsity": rng.uniform(),
                                "weight_norm": rng.uniform(0.1, 10)})
    records += [{"regularizer": "none", "strength": 0.0, "seed": s, "train_loss": 0.0,
                 "validation_loss": 0.8, "test_loss": 0.9, "weight_sparsity": 0.01,
                 "weight_norm": 12.0} for s in (0, 1)]
    return penalty_arrays(records)


def test_every_helper_is_re_exported():
    for name in penalties.__all__:
        assert getattr(plotting, name) is getattr(penalties, name)


def test_constraint_picture_marks_the_exact_minima():
    axes = plotting.plot_constraint_picture(HESSIAN, OPTIMUM, 1.0, resolution=60, title="t")
    assert len(axes) == 2 and axes[0].figure.get_suptitle() == "t"
    for ax, norm in zip(axes, ("l1", "l2"), strict=True):
        dots = [line for line in ax.get_lines() if line.get_marker() == "o"]
        w = penalty_geometry.constrained_minimum(HESSIAN, OPTIMUM, 1.0, norm)
        np.testing.assert_allclose(np.ravel(dots[0].get_xydata()), w)
        assert norm.upper() in ax.get_title()


def test_constraint_picture_on_given_axes_and_bad_input():
    _, given = plt.subplots(1, 1)
    axes = plotting.plot_constraint_picture(HESSIAN, OPTIMUM, 1.0, norms=("l1",), axes=given,
                                            resolution=20)
    assert axes[0] is given
    with pytest.raises(ValueError, match="axes"):
        plotting.plot_constraint_picture(HESSIAN, OPTIMUM, 1.0, axes=[given], resolution=20)
    with pytest.raises(ValueError, match="extent"):
        plotting.plot_constraint_picture(HESSIAN, OPTIMUM, 1.0, extent=(1, 0))
    with pytest.raises(ValueError, match="resolution"):
        plotting.plot_constraint_picture(HESSIAN, OPTIMUM, 1.0, resolution=2)


def test_linear_paths_one_line_per_feature():
    lams = np.logspace(-2, 0, 5)
    paths = {"l1": np.zeros((5, 3)), "l2": np.ones((5, 3))}
    axes = plotting.plot_linear_paths(lams, paths)
    assert len(axes) == 2 and [len(ax.get_lines()) for ax in axes] == [3, 3]
    assert "lasso" in axes[0].get_title() and axes[0].get_xscale() == "log"
    with pytest.raises(ValueError, match="rows"):
        plotting.plot_linear_paths(lams, {"l1": np.zeros((4, 3))})
    with pytest.raises(ValueError, match="> 0"):
        plotting.plot_linear_paths(np.zeros(5), paths)
    with pytest.raises(TypeError, match="paths"):
        plotting.plot_linear_paths(lams, {})


def test_sparsity_and_norm():
    s = sweep()
    axes = plotting.plot_sparsity_and_norm(s, threshold=1e-3, title="x")
    assert len(axes) == 3
    assert "0.001" in axes[0].get_ylabel() and axes[1].get_yscale() == "log"
    mean_line = axes[0].get_lines()[0]
    np.testing.assert_allclose(mean_line.get_ydata(), s["weight_sparsity"][0].mean(axis=1))
    offsets = np.concatenate([c.get_offsets() for c in axes[2].collections])
    assert len(offsets) == 12  # one dot per network
    with pytest.raises(ValueError, match="threshold"):
        plotting.plot_sparsity_and_norm(s, threshold=0)
    with pytest.raises(TypeError, match="PenaltySweep"):
        plotting.plot_sparsity_and_norm({}, threshold=1e-3)


def test_log_abs_weights():
    np.testing.assert_allclose(plotting.log_abs_weights([-10.0, 1e-3, 0.0]), [1.0, -3.0, -8.0])
    np.testing.assert_allclose(plotting.log_abs_weights([0.0], floor=1e-4), [-4.0])
    with pytest.raises(ValueError, match="floor"):
        plotting.log_abs_weights([1.0], floor=0)
    with pytest.raises(ValueError, match="weights"):
        plotting.log_abs_weights(np.ones((2, 2)))


def test_weight_histograms_one_panel_per_coefficient():
    rng = np.random.default_rng(0)
    weights = {(pen, lam): rng.normal(size=200) for lam in (1e-3, 1e-2) for pen in ("l1", "l2")}
    axes = plotting.plot_weight_histograms(weights, threshold=1e-3)
    assert len(axes) == 2 and "1e-03" in axes[0].get_title()
    assert len(axes[0].patches) == 2  # one step outline per penalty
    assert axes[0].get_yscale() == "log"
    with pytest.raises(ValueError, match="keys"):
        plotting.plot_weight_histograms({"l1": np.ones(3)}, threshold=1e-3)
    with pytest.raises(TypeError, match="weights"):
        plotting.plot_weight_histograms({}, threshold=1e-3)


def test_grid_search_stars_the_chosen_coefficient():
    s = sweep()
    axes = plotting.plot_grid_search(s)
    for i, ax in enumerate(axes):
        star = [line for line in ax.get_lines() if line.get_marker() == "*"][0]
        j = s.best_index(s.penalties[i])
        assert j == 1 and star.get_xdata()[0] == s.strengths[j]
        assert star.get_ydata()[0] == pytest.approx(s.mean("validation_loss")[i, j])
    with pytest.raises(ValueError, match="metric"):
        plotting.plot_grid_search(s, metric="nothing")
