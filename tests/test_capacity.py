"""Chapter 00's package side: training several sizes over seeds (experiment.configurations) and
its figures (report.plotting.capacity).  Checked against plain train_model runs and by hand."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from essay_lib import data
from essay_lib.experiment import configurations
from essay_lib.nets import models, training
from essay_lib.report import plotting

plt.switch_backend("Agg")

pytestmark = pytest.mark.usefixtures("single_torch_thread")

SIZES = {"tiny": (2,), "wide": (16,), "deep": (8, 8)}


@pytest.fixture(scope="module")
def quad():
    return data.quadratic_task(n_train=16, n_test=40, seed=3)


@pytest.fixture(scope="module")
def diabetes():
    return data.load_task("diabetes", seed=1, validation_fraction=0.25)


def reference_run(task, hidden, seed, **kw):
    """The run train_configurations must reproduce: make_mlp + train_model, same seed."""
    model = models.make_mlp(task.n_features, hidden, task.n_outputs, seed=seed)
    return training.train_model(model, task.X_train, task.y_train, kind=task.kind, seed=seed,
                                progress=False, **kw)


# ---------------------------------------------------------------- train_configurations
def test_each_network_is_the_plain_train_model_run(quad):
    runs = configurations.train_configurations(SIZES, [quad, quad], seeds=[0, 5], epochs=40,
                                               lr=1e-2, eval_every=5, curves_on="test",
                                               progress=False)
    assert runs.names == list(SIZES) and runs.seeds == [0, 5] and runs.metric == "r2"
    for name, hidden in SIZES.items():
        for i, seed in enumerate(runs.seeds):
            got = runs.results[name][i]
            want = reference_run(quad, hidden, seed, epochs=40, lr=1e-2, eval_every=5,
                                 validation=(quad.X_test, quad.y_test))
            assert got.epochs == want.epochs == [5, 10, 15, 20, 25, 30, 35, 40]
            assert got.train_loss == want.train_loss
            assert got.held_out_loss == want.held_out_loss
            assert got.held_out == "test" and want.held_out == "validation"
            for p, q in zip(got.model.parameters(), want.model.parameters(), strict=True):
                assert torch.equal(p, q)
            test_r2 = training.score(want.model, quad.X_test, quad.y_test, kind="regression")["r2"]
            train_r2 = training.score(want.model, quad.X_train, quad.y_train,
                                      kind="regression")["r2"]
            assert runs.test_scores[name][i] == test_r2
            assert runs.train_scores[name][i] == train_r2
    assert runs.test_scores["tiny"].shape == (2,)


def test_validation_curves_and_early_stopping_follow_the_full_run(diabetes):
    configs = {"full": (32,), "stopped": {"hidden": (32,), "patience": 3}}
    runs = configurations.train_configurations(configs, [diabetes], seeds=[2], epochs=150,
                                               lr=3e-2, progress=False)
    full, stopped = runs.at_seed(2)["full"], runs.at_seed(2)["stopped"]
    assert full.held_out == stopped.held_out == "validation"
    assert len(full.held_out_loss) == 150  # the task's validation rows, every epoch
    assert stopped.stopped_epoch < 150 and stopped.restored_best
    n = stopped.stopped_epoch
    assert stopped.held_out_loss == full.held_out_loss[:n]  # same path until it stops
    assert stopped.best_epoch == 1 + int(np.argmin(full.held_out_loss[:n]))
    want = reference_run(diabetes, (32,), 2, epochs=150, lr=3e-2, patience=3,
                         validation=(diabetes.X_val, diabetes.y_val))
    assert runs.test_scores["stopped"][0] == training.score(
        want.model, diabetes.X_test, diabetes.y_test, kind="regression")["r2"]


def test_settings_of_a_configuration_override_the_arguments(quad):
    configs = {"short": {"hidden": (4,), "epochs": 7, "lr": 0.1, "l2": 1e-3}, "long": (4,)}
    runs = configurations.train_configurations(configs, [quad], seeds=[0], epochs=12, lr=1e-2,
                                               progress=False)
    assert runs.results["short"][0].stopped_epoch == 7
    assert runs.results["long"][0].stopped_epoch == 12
    want = reference_run(quad, (4,), 0, epochs=7, lr=0.1, l2=1e-3)
    assert runs.results["short"][0].train_loss == want.train_loss
    assert runs.results["short"][0].held_out_loss == []  # the quadratic task has no X_val


def test_classification_tasks_score_accuracy():
    moons = data.moons_task(n_samples=60, seed=0)
    runs = configurations.train_configurations({"net": (8,)}, [moons], seeds=[0], epochs=20,
                                               progress=False)
    assert runs.metric == "accuracy"
    model = reference_run(moons, (8,), 0, epochs=20).model
    assert runs.test_scores["net"][0] == training.score(model, moons.X_test, moons.y_test,
                                                        kind="classification")["accuracy"]


@pytest.mark.parametrize("configs, kwargs, error, fragment", [
    ({}, {}, ValueError, "configurations"),
    ({"a": (4,)}, {"seeds": [0, 1]}, ValueError, "same length"),
    ({"a": (4,)}, {"seeds": [-1]}, ValueError, "seeds[0]"),
    ({"a": (4,)}, {"curves_on": "train"}, ValueError, "curves_on"),
    ({"a": {"hidden": (4,), "patience": 2}}, {"curves_on": "test"}, ValueError, "test set"),
    ({"a": {"patience": 2}}, {}, ValueError, "'hidden'"),
    ({"a": {"hidden": (4,), "dropout": 0.5}}, {}, ValueError, "unknown settings"),
    ({"a": 4}, {}, TypeError, "hidden"),
    ({"a": (0,)}, {}, ValueError, "hidden"),
])
def test_bad_input_names_the_argument(quad, configs, kwargs, error, fragment):
    kwargs = {"seeds": [0], "epochs": 2, "progress": False, **kwargs}
    with pytest.raises(error) as caught:
        configurations.train_configurations(configs, [quad], **kwargs)
    assert fragment in str(caught.value)


def test_at_seed_refuses_a_seed_it_did_not_train(quad):
    runs = configurations.train_configurations({"a": (2,)}, [quad], seeds=[4], epochs=2,
                                               progress=False)
    assert set(runs.at_seed(4)) == {"a"}
    with pytest.raises(ValueError, match="seed must be one of"):
        runs.at_seed(0)


# ---------------------------------------------------------------- labels
@pytest.mark.parametrize("hidden, units, widths", [
    ((1,), "1 unit", "1"), ((8,), "8 units", "8"), ((256, 256), "2 × 256 units", "256×256"),
    ((16, 8), "16 + 8 units", "16×8"),
])
def test_labels(hidden, units, widths):
    assert plotting.units_label(hidden) == units
    assert plotting.widths_label(hidden) == widths
    assert plotting.size_label("large", hidden) == f"large, {units}"


@pytest.mark.parametrize("bad, error", [((), ValueError), ((0,), ValueError), (8, TypeError),
                                        ("8", TypeError)])
def test_labels_refuse_bad_widths(bad, error):
    with pytest.raises(error, match="hidden"):
        plotting.units_label(bad)


# ---------------------------------------------------------------- figures
@pytest.fixture(scope="module")
def quad_runs(quad):
    return configurations.train_configurations(
        {"small": (1,), "large": (16, 16)}, [quad], seeds=[0], epochs=20, eval_every=5,
        curves_on="test", progress=False).at_seed(0)


@pytest.mark.usefixtures("no_plt_show")
def test_plot_sizes_1d_draws_functions_and_curves(quad, quad_runs):
    x_grid = np.linspace(-1, 1, 30)[:, None]
    predictions = {n: training.predict(r.model, x_grid) for n, r in quad_runs.items()}
    ax_f, ax_c = plotting.plot_sizes_1d(x_grid, predictions, quad_runs, x_train=quad.X_train,
                                        y_train=quad.y_train, true_function=data.quadratic_target,
                                        noise_variance=0.01, labels={"small": "small, 1 unit"})
    assert isinstance(ax_f, matplotlib.axes.Axes) and ax_f.figure is ax_c.figure
    labels_f = [line.get_label() for line in ax_f.get_lines()]
    assert labels_f == ["true function", "small, 1 unit", "large"]
    np.testing.assert_allclose(ax_f.get_lines()[1].get_ydata(), predictions["small"].ravel())
    assert len(ax_f.collections) == 1  # the training points, drawn once
    labels_c = [line.get_label() for line in ax_c.get_lines()]
    assert labels_c == ["small train", "small held-out", "large train", "large held-out",
                        "noise variance"]
    assert ax_c.get_lines()[0].get_color() == plotting.SIZE_COLORS["small"]
    assert ax_f.get_ylim() == (-0.35, 1.35)
    with pytest.raises(ValueError, match="same sizes"):
        plotting.plot_sizes_1d(x_grid, {"small": predictions["small"]}, quad_runs,
                               x_train=quad.X_train, y_train=quad.y_train)


@pytest.mark.usefixtures("no_plt_show")
def test_plot_size_curves_and_early_stopping(quad_runs):
    ax = plotting.plot_size_curves(quad_runs, title="curves")
    assert ax.get_title() == "curves" and ax.get_yscale() == "linear"
    assert [line.get_label() for line in ax.get_lines()][::2] == ["small train", "large train"]
    ax = plotting.plot_early_stopping(quad_runs["large"], best_epoch=5, stopped_epoch=15,
                                      patience=2)
    marks = [line for line in ax.get_lines() if line.get_label().startswith("best epoch")]
    assert len(marks) == 1 and list(marks[0].get_xdata()) == [5, 5]
    assert any(p.get_label() == "patience (2 epochs)" for p in ax.patches)
    with pytest.raises(ValueError, match="stopped_epoch"):
        plotting.plot_early_stopping(quad_runs["large"], best_epoch=9, stopped_epoch=4,
                                     patience=2)


@pytest.mark.usefixtures("no_plt_show")
def test_plot_score_bars_writes_each_value():
    scores = {"a\n1": 0.4, "b": -0.25, "c": 0.0}
    ax = plotting.plot_score_bars(scores, colors=["red", "green", "blue"])
    assert [round(bar.get_height(), 6) for bar in ax.patches] == [0.4, -0.25, 0.0]
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["0.40", "-0.25", "0.00"]
    assert [t.get_va() for t in ax.texts] == ["bottom", "top", "bottom"]
    with pytest.raises(ValueError, match="colors"):
        plotting.plot_score_bars(scores, colors=["red"])
    with pytest.raises(ValueError, match="scores"):
        plotting.plot_score_bars({"a": float("nan")})
