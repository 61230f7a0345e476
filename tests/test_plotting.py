"""essay_lib.report.plotting: the style, save_figure's files and names, helpers that return their
axes."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from essay_lib.report import plotting

plt.switch_backend("Agg")  # no windows, whatever MPLBACKEND says


pytestmark = pytest.mark.usefixtures("no_plt_show")


@pytest.fixture
def figure():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    ax.set_title("a line")
    return fig


def test_set_style_applies_explicit_rcparams():
    with matplotlib.rc_context():
        matplotlib.rcParams["axes.grid"] = False
        plotting.set_style()
        for key, value in plotting.STYLE.items():
            expected = list(value) if isinstance(value, tuple) else value
            assert matplotlib.rcParams[key] == expected, key
    assert set(plotting.REGULARIZER_COLORS) >= {"none", "dropout", "l1", "l2"}


def test_save_figure_writes_png_and_svg(figure, tmp_path):
    paths = plotting.save_figure(figure, "00-a-line", directory=tmp_path / "out")
    assert paths == [tmp_path / "out" / "00-a-line.png", tmp_path / "out" / "00-a-line.svg"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = paths[1].read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "a line" in svg  # text stays text (svg.fonttype none)


def test_save_figure_is_reproducible(figure, tmp_path):
    with matplotlib.rc_context():
        plotting.set_style()
        first = plotting.save_figure(figure, "01-again", directory=tmp_path / "a")[1].read_bytes()
        second = plotting.save_figure(figure, "01-again", directory=tmp_path / "b")[1].read_bytes()
    assert first == second, "the SVG carries no date or random ids"


def test_save_figure_honours_the_environment_variable(figure, tmp_path, monkeypatch):
    monkeypatch.setenv("ESSAY_FIGURES_DIR", str(tmp_path))
    assert plotting.figures_dir() == tmp_path
    plotting.save_figure(figure, "02-env")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["02-env.png", "02-env.svg"]


def test_default_folder_is_the_repository_figures_folder(monkeypatch):
    monkeypatch.delenv("ESSAY_FIGURES_DIR", raising=False)
    folder = plotting.figures_dir()
    assert folder.name == "figures" and (folder.parent / "essay_lib").is_dir()


def test_save_figure_takes_an_appendix_letter(figure, tmp_path):
    paths = plotting.save_figure(figure, "A-primer", directory=tmp_path)
    assert [p.name for p in paths] == ["A-primer.png", "A-primer.svg"]


@pytest.mark.parametrize("name", ["intro", "0-intro", "00_intro", "00-Intro", "00-intro.png",
                                  "00-", "../00-x", "00-a b", "a-intro", "AB-intro", "", 0,
                                  None])
def test_save_figure_rejects_bad_names(figure, tmp_path, name):
    with pytest.raises(ValueError, match="name"):
        plotting.save_figure(figure, name, directory=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_plot_learning_curves():
    fig, ax = plt.subplots()
    out = plotting.plot_learning_curves([1, 2, 3], [1.0, 0.5, 0.25], [1.1, 0.7, 0.9], label="net",
                                        ax=ax, best_epoch=2, color="C1")
    assert out is ax
    train, validation, best = ax.get_lines()
    assert train.get_label() == "net train" and validation.get_label() == "net validation"
    assert validation.get_linestyle() == "--"
    assert train.get_color() == validation.get_color() == "C1"
    np.testing.assert_array_equal(best.get_xdata(), [2, 2])
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"


def test_plot_learning_curves_names_the_dashed_curve():
    ax = plotting.plot_learning_curves([1, 2], [1.0, 0.5], [1.2, 0.9], held_out_label="held-out")
    assert [line.get_label() for line in ax.get_lines()] == ["train", "held-out"]


def test_plot_learning_curves_without_validation_makes_its_own_axes():
    ax = plotting.plot_learning_curves([1, 2], [1.0, 0.5], log_y=False)
    assert len(ax.get_lines()) == 1 and ax.get_yscale() == "linear"
    assert ax.get_lines()[0].get_label() == "train"


def test_plot_function_1d():
    x = np.linspace(-1, 1, 11)
    ax = plotting.plot_function_1d(x, 2 * x, x_train=[0.0, 0.5], y_train=[0.1, 0.2],
                                   label="model", true_function=np.square)
    true, model = ax.get_lines()
    np.testing.assert_allclose(true.get_ydata(), x**2)
    np.testing.assert_allclose(model.get_ydata(), 2 * x)
    (points,) = ax.collections
    np.testing.assert_allclose(points.get_offsets(), [[0.0, 0.1], [0.5, 0.2]])
    labels = ax.get_legend_handles_labels()[1]
    assert labels == ["true function", "model", "training points"]


def test_plot_mean_interval():
    fig, ax = plt.subplots()
    x = np.array([0.0, 0.1, 1.0])
    out = plotting.plot_mean_interval(x, [1, 2, 3], [0.5, 1.5, 2.5], [1.5, 2.5, 3.5], ax=ax,
                                      label="mean", log_x=True)
    assert out is ax
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_ydata(), [1, 2, 3])
    assert len(ax.collections) == 1  # the shaded interval
    assert ax.get_xscale() == "symlog"


def test_draw_intervals_spans_exactly_low_to_high_even_when_the_estimate_lies_outside():
    fig, ax = plt.subplots()
    plotting.draw_intervals(ax, [0, 1], [0.2, -0.5], [0.6, -0.1], [0.1, -0.3], horizontal=True)
    bars = ax.collections[0].get_segments()  # the errorbar line collection
    spans = sorted(v for s in bars for v in (float(min(s[:, 0])), float(max(s[:, 0]))))
    assert spans == pytest.approx([-0.5, -0.1, 0.2, 0.6])
    marker = ax.lines[-1]
    assert list(marker.get_xdata()) == pytest.approx([0.1, -0.3])  # 0.1 is below its 0.2
    plt.close(fig)


def test_draw_intervals_rejects_reversed_or_mismatched_intervals():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="lows"):
        plotting.draw_intervals(ax, [0], [1.0], [0.0])
    with pytest.raises(ValueError, match="estimates"):
        plotting.draw_intervals(ax, [0, 1], [0, 0], [1, 1], [0.5])
    plt.close(fig)


def test_rank_correlation_forest_draws_an_estimate_outside_its_interval():
    rows = [{"label": "dropout → Z̄", "group": "digits", "rho": -0.9, "low": -0.85,
             "high": -0.4}]
    ax = plotting.plot_rank_correlations(rows)
    assert any(list(line.get_xdata()) == [-0.9] for line in ax.lines)
    plt.close(ax.figure)
