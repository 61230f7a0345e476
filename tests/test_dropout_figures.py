"""essay_lib.report.plotting.dropout_figures: chapter 02's figure helpers draw what they are
given on the axes they return, never call plt.show(), and refuse malformed input."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from essay_lib.measures import dropout_checks
from essay_lib.nets import dropout, models
from essay_lib.report import plotting
from essay_lib.report.plotting import dropout_figures

plt.switch_backend("Agg")
pytestmark = pytest.mark.usefixtures("no_plt_show", "single_torch_thread")

RNG = np.random.default_rng(1)


def test_helpers_are_reexported_by_plotting():
    for name in dropout_figures.__all__:
        assert getattr(plotting, name) is getattr(dropout_figures, name)


def test_plot_subnetwork_samples_titles_count_the_kept_units():
    widths, rates = (3, 4, 4, 1), (0.2, 0.5, 0.5, 0.0)
    samples = dropout_checks.sample_subnetwork_masks(widths, rates, 2,
                                                     torch.Generator().manual_seed(0))
    axes = plotting.plot_subnetwork_samples(widths, samples)
    assert len(axes) == 3
    assert axes[0].get_title() == "full network"
    for ax, masks, i in zip(axes[1:], samples, (1, 2), strict=True):
        kept = int(masks[1].sum() + masks[2].sum())
        assert ax.get_title() == f"sample {i}: {kept} of 8 hidden kept"


def test_plot_subnetwork_samples_uses_given_axes_and_rejects_bad_input():
    _, given = plt.subplots(1, 2)
    samples = [[torch.ones(2), torch.ones(3), torch.ones(1)]]
    axes = plotting.plot_subnetwork_samples((2, 3, 1), samples, axes=given)
    assert list(axes) == list(given)
    with pytest.raises(ValueError, match="axes"):
        plotting.plot_subnetwork_samples((2, 3, 1), samples + samples, axes=given)
    with pytest.raises(ValueError, match="hidden"):
        plotting.plot_subnetwork_samples((2, 1), [[torch.ones(2), torch.ones(1)]])


@pytest.fixture(scope="module")
def mc_result():
    net = models.make_mlp(2, [6], 1, drop_rate=0.5, seed=0)
    X, y = RNG.normal(size=(10, 2)), RNG.normal(size=(10, 1))
    return dropout_checks.mc_convergence_many({"net": net}, X, y, k_max=20, n_streams=3,
                                              margin=0.05)["net"]


def test_plot_mc_convergence_draws_both_panels(mc_result):
    axes = plotting.plot_mc_convergence(mc_result, tolerance=0.01, margin=0.05)
    assert len(axes) == 2
    assert axes[0].get_xscale() == "log" and axes[1].get_yscale() == "log"
    labels = [t.get_text() for t in axes[0].get_legend().get_texts()]
    assert "Monte Carlo average of k sub-networks (3 streams)" in labels
    assert "within 1% (seed-to-seed noise: 0.0500)" in labels
    assert "Srivastava et al.: about 50" in labels
    right = [t.get_text() for t in axes[1].get_legend().get_texts()]
    assert "gap of the 60-sample average" in right
    # the weight-scaling line sits at the deterministic error
    dashed = [line for line in axes[0].get_lines() if line.get_linestyle() == "--"]
    assert dashed and dashed[0].get_ydata()[0] == pytest.approx(mc_result["det_error"])


def test_plot_mc_convergence_marks_meeting_points_in_renderable_text(mc_result):
    met = {**mc_result, "k_meet_relative": 7, "k_meet_margin": 3}
    axes = plotting.plot_mc_convergence(met, tolerance=0.01, margin=0.05)
    labels = [t.get_text() for t in axes[0].get_legend().get_texts()]
    assert "$k^*_{1\\%}$ = 7" in labels and "$k^*_{noise}$ = 3" in labels
    axes[0].figure.canvas.draw()  # mathtext must parse (a bare % would not)


def test_plot_mc_convergence_without_reference_or_margin(mc_result):
    axes = plotting.plot_mc_convergence(mc_result, tolerance=0.05, reference_k=None)
    labels = [t.get_text() for t in axes[0].get_legend().get_texts()]
    assert "within 5%" in labels
    assert not any("Srivastava" in label for label in labels)
    with pytest.raises(ValueError, match="tolerance"):
        plotting.plot_mc_convergence(mc_result, tolerance=-1)


def test_plot_drop_rate_effects_plots_means_over_seeds():
    rates = np.array([0.0, 0.3, 0.6])
    train, test = RNG.uniform(size=(3, 2)), RNG.uniform(size=(3, 2))
    act, share = RNG.uniform(size=(3, 2, 2)), RNG.uniform(size=(3, 2, 2))
    axes = plotting.plot_drop_rate_effects(rates, train, test, act, share)
    assert len(axes) == 3
    np.testing.assert_allclose(axes[0].get_lines()[0].get_ydata(), train.mean(axis=1))
    np.testing.assert_allclose(axes[0].get_lines()[1].get_ydata(), test.mean(axis=1))
    np.testing.assert_allclose(axes[1].get_lines()[1].get_ydata(), act[:, :, 1].mean(axis=1))
    np.testing.assert_allclose(axes[2].get_lines()[0].get_ydata(), share[:, :, 0].mean(axis=1))
    assert axes[1].get_ylim()[0] == 0
    with pytest.raises(ValueError, match="one row per drop rate"):
        plotting.plot_drop_rate_effects(rates, train[:2], test, act, share)


def test_plot_ridge_equivalence_panels():
    X = RNG.normal(size=(40, 3))
    y = X @ np.array([1.0, -1.0, 0.5]) + 0.1 * RNG.normal(size=40)
    w0, w1 = (dropout.ridge_equivalent_weights(X, y, q) for q in (0.0, 0.5))
    line = dropout_checks.loss_along_line(X, y, w0, w1, 0.5, [0.0, 1.0], np.linspace(0, 1, 5),
                                          n_masks=50)
    q_path = np.linspace(0, 0.8, 5)
    paths = np.array([dropout.ridge_equivalent_weights(X, y, q) for q in q_path])
    axes = plotting.plot_ridge_equivalence(line, q_path, paths, [0.5], w1[None, :])
    assert len(axes) == 3
    assert axes[0].get_title() == "drop rate 0.5: expected loss along the line"
    np.testing.assert_allclose(axes[0].get_lines()[0].get_ydata(), line["curve"])
    assert len(axes[2].get_lines()) == 3 + 1 + 1  # one path per weight, the dots, the legend stub
    with pytest.raises(ValueError, match="one row per drop rate"):
        plotting.plot_ridge_equivalence(line, q_path, paths[:2], [0.5], w1[None, :])
