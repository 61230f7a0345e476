"""Chapter 03's figure helpers (essay_lib.report.plotting.functions): each draws what it is
given on the axes it returns, re-exported by ``plotting``, never calls plt.show()."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from numpy.polynomial import Polynomial

from essay_lib.measures import gates
from essay_lib.measures import polynomials as poly
from essay_lib.report import plotting
from essay_lib.report.plotting import functions

plt.switch_backend("Agg")
pytestmark = pytest.mark.usefixtures("no_plt_show")
GRID = np.linspace(-1, 1, 21)


@pytest.fixture
def points():
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(-1, 1, 6))
    return x, x**2 + 0.05 * rng.standard_normal(6)


def test_every_helper_is_re_exported():
    for name in functions.__all__:
        assert getattr(plotting, name) is getattr(functions, name)


@pytest.mark.parametrize(("value", "label"), [(0.0, "0"), (0.1, "10^{-1}"), (1e3, "10^{3}"),
                                              (1.0, "10^{0}"), (3e-2, "3e-02")])
def test_lambda_label(value, label):
    assert plotting.lambda_label(value) == label


def test_plot_polynomial_fits(points):
    x, y = points
    fits = {d: poly.fit_polynomial(x, y, d) for d in (1, 5)}
    errors = {d: (0.5, 0.25) for d in fits}
    axes = plotting.plot_polynomial_fits(GRID, fits, x_train=x, y_train=y, errors=errors,
                                         true_function=np.square, title="fits")
    assert len(axes) == 2
    assert axes[0].get_title() == "degree 1\ntrain MSE 0.500, test MSE 0.250"
    assert axes[0].get_ylim() == (-0.4, 1.6)
    np.testing.assert_allclose(axes[1].lines[1].get_ydata(), fits[5](GRID))
    assert axes[0].figure.get_suptitle() == "fits"
    with pytest.raises(ValueError, match="errors"):
        plotting.plot_polynomial_fits(GRID, fits, x_train=x, y_train=y, errors={1: (0, 0)})
    with pytest.raises(ValueError, match="axes"):
        plotting.plot_polynomial_fits(GRID, fits, x_train=x, y_train=y, errors=errors,
                                      axes=plt.subplots(1, 3)[1])


def test_plot_degree_sweep(points):
    x, y = points
    sweeps = {6: poly.degree_sweep(x, y, x, y, range(8)), 3: poly.degree_sweep(x[::2], y[::2],
                                                                              x, y, range(8))}
    axes = plotting.plot_degree_sweep(sweeps)
    assert len(axes) == 2
    best = int(np.argmin(sweeps[6]["test_mse"]))
    assert axes[0].get_title() == f"6 training points: lowest test MSE at degree {best}"
    assert axes[0].get_yscale() == "log"
    # a zero training error is drawn at the floor; both n - 1 lines (5 and 2) are in range
    assert np.min(axes[0].lines[0].get_ydata()) >= 1e-6
    assert any("n - 1 = 5" in t.get_text() for t in axes[0].get_legend().get_texts())


def test_plot_weight_decay(points):
    x, y = points
    path = poly.weight_decay_path(x, y, x, y, 5, [0.0, 1e-2, 1.0, 100.0])
    axes = plotting.plot_weight_decay(GRID, path, (0.0, 100.0), x_train=x, y_train=y,
                                      title="decay")
    assert len(axes) == 3
    assert axes[1].get_title() == f"$\\lambda = 10^{{2}}$\ntest MSE {path['test_mse'][3]:.3f}"
    assert axes[2].get_xscale() == "log"
    assert len(axes[2].lines[0].get_xdata()) == 3  # lambda = 0 left out
    with pytest.raises(ValueError, match="shown"):
        plotting.plot_weight_decay(GRID, path, (0.5,), x_train=x, y_train=y)


def test_plot_kinks_and_pieces_against_width():
    ax = plotting.plot_kinks(GRID, np.abs(GRID), [0.0], [0.0], label="|x|", title="kinks")
    assert ax.get_title() == "kinks"
    np.testing.assert_array_equal(ax.lines[-1].get_xdata(), [0.0])
    result = {"widths": np.array([2, 8]), "initial": np.array([[2, 3], [5, 6]]),
              "trained": np.array([[3, 3], [7, 9]])}
    ax = plotting.plot_pieces_against_width(result, segment="[-1, 1]")
    assert ax.get_ylabel() == "linear pieces on [-1, 1]"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [2.5, 5.5])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [3.0, 8.0])
    np.testing.assert_array_equal(ax.lines[2].get_ydata(), [3, 9])  # the bound
    assert "mean of 2 seeds" in ax.get_legend().get_texts()[0].get_text()


def test_plot_gate_sharing():
    names = ("and", "or", "xor")
    hand = gates.hand_set_gate_network(names)
    trained = {"seed": 7, **gates.gate_sharing(hand, gates.gate_targets(names))}
    axes = plotting.plot_gate_sharing(gates.weight_gate_sensitivity(hand), trained, names=names,
                                      title="sharing")
    assert [t.get_text() for t in axes[0].get_yticklabels()] == [
        "x1→h1", "x2→h1", "x1→h2", "x2→h2"]
    assert axes[1].get_title() == "trained (seed 7):\n|d gate / d weight|"
    assert [t.get_text() for t in axes[2].get_xticklabels()] == ["AND", "OR", "XOR"]
    assert len(axes[2].texts) == 2 * 3
    with pytest.raises(ValueError, match="gate name"):
        plotting.plot_gate_sharing(gates.weight_gate_sensitivity(hand), trained, names=("and",))


def test_plot_additivity_by_degree():
    ax = plotting.plot_additivity_by_degree(range(3), [0.4, 0.4, 0.1], [0.0, 0.0, 0.1],
                                            truth=0.12, interpolation_degree=2, n_points=3,
                                            title="defect")
    assert ax.get_xlabel() == "polynomial degree (fit to 3 points)"
    assert ax.get_ylim()[0] == 0
    assert len(ax.lines) == 4  # literal, centred, truth, interpolation
    ax = plotting.plot_additivity_by_degree([0, 1], [1, 1], [0, 0], truth=0.5)
    assert ax.get_xlabel() == "polynomial degree" and len(ax.lines) == 3


def test_helpers_draw_on_given_axes(points):
    x, y = points
    fig, ax = plt.subplots()
    assert plotting.plot_kinks(GRID, GRID, [], [], ax=ax) is ax
    fits = {1: Polynomial([0.0, 1.0])}
    axes = plt.subplots(1, 1)[1]
    out = plotting.plot_polynomial_fits(GRID, fits, x_train=x, y_train=y, errors={1: (0, 0)},
                                        axes=[axes])
    assert out[0] is axes
