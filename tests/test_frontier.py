"""The tidy table of records (report.table), the fit frontier and the linearity excess
(report.frontier, DESIGN.md §4), and the frontier figure: hand-built paths whose answer is
known, the old hand-written filtering as a second implementation, and a tiny real sweep."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from essay_lib.report import frontier, plotting, trends, vocabulary
from essay_lib.report.table import check_table, paths, record_table, task_kind

plt.switch_backend("Agg")

GRID = {"none": [0.0], "dropout": [0.1, 0.3, 0.5], "l2": [1e-4, 1e-3, 1e-2, 1e-1]}


def make_records(*, task="toy", seeds=range(5), rng_seed=0, grid=GRID):
    """Records whose test loss is U-shaped in strength rank and Z̄ falls with it."""
    rng = np.random.default_rng(rng_seed)
    out = []
    for seed in seeds:
        for reg, strengths in grid.items():
            for rank, strength in enumerate(strengths, start=0 if reg == "none" else 1):
                out.append({
                    "task": task, "regularizer": reg, "strength": strength, "seed": seed,
                    "epochs": 100, "hidden": [8, 8], "key": f"{reg}-{strength}-{seed}",
                    "test_loss": 1.0 + 0.1 * (rank - 2) ** 2 + 0.02 * rng.standard_normal(),
                    "train_loss": 0.5 + 0.1 * rank + 0.01 * rng.standard_normal(),
                    "z_bar": 0.4 - 0.05 * rank + 0.01 * rng.standard_normal(),
                    "test_accuracy": None, "test_r2": 0.8,
                    "z_spec": {"logits|0.5|inside": 0.3 - 0.02 * rank,
                               "logits|0.1|inside": None},
                    "curve": {"epoch": [1, 100], "train_loss": [1.0, 0.5]}})
    return out


# ---------------------------------------------------------------- the tidy table
def test_one_row_per_network_with_numeric_fields_as_float_columns():
    records = make_records()
    records[3]["z_bar"] = None
    table = record_table(records)
    assert len(table) == len(records)
    assert list(table.columns[:5]) == ["task", "regularizer", "strength", "seed", "epoch"]
    assert table["seed"].dtype == np.int64 and table["strength"].dtype == np.float64
    assert table["epoch"].isna().all()  # no record names an epoch
    for column in ("test_loss", "train_loss", "z_bar", "test_accuracy", "test_r2", "epochs",
                   "z_spec:logits|0.5|inside", "z_spec:logits|0.1|inside"):
        assert table[column].dtype == np.float64, column
    assert not {"hidden", "key", "curve", "z_spec"} & set(table.columns)
    assert math.isnan(table["z_bar"].iloc[3]) and table["test_accuracy"].isna().all()
    for i in (0, 7, len(records) - 1):
        r = records[i]
        row = table.iloc[i]
        assert (row["task"], row["regularizer"], row["strength"], row["seed"]) == (
            r["task"], r["regularizer"], r["strength"], r["seed"])
        assert row["test_loss"] == r["test_loss"]
        assert row["z_spec:logits|0.5|inside"] == r["z_spec"]["logits|0.5|inside"]
    assert task_kind(table, "toy") == "regression" and task_kind(table, "other") is None


def test_an_epoch_of_early_stopping_and_absent_fields_read_nan():
    records = make_records(seeds=[0])
    records.append({"task": "toy", "regularizer": "early_stop", "strength": 20,
                    "seed": 0, "epoch": 20, "test_loss": 1.2, "z_bar": 0.2})
    table = record_table(records)
    assert table["epoch"].iloc[-1] == 20.0 and table["epoch"].iloc[:-1].isna().all()
    assert math.isnan(table["train_loss"].iloc[-1])


@pytest.mark.parametrize("records, error, message", [
    ({"task": "toy"}, TypeError, "records must be a sequence"),
    ([], ValueError, "at least one record"),
    ([{"task": "toy", "regularizer": "none", "strength": 0}], ValueError, "lacks ['seed']"),
    ([{"task": 1, "regularizer": "none", "strength": 0, "seed": 0}], TypeError, "'task'"),
    ([{"task": "t", "regularizer": "none", "strength": "0", "seed": 0}], TypeError,
     "'strength'"),
    ([{"task": "t", "regularizer": "none", "strength": -1, "seed": 0}], ValueError,
     "'strength'"),
    ([{"task": "t", "regularizer": "none", "strength": 0, "seed": True}], TypeError, "'seed'"),
    ([{"task": "t", "regularizer": "none", "strength": 0, "seed": 0, "z_spec": [1]}],
     TypeError, "z_spec"),
    ([{"task": "t", "regularizer": "none", "strength": 0, "seed": 0, "z_spec": {"k": "x"}}],
     TypeError, "z_spec"),
    ([{"task": "t", "regularizer": "none", "strength": 0, "seed": 0, "z_bar": 0.1},
      {"task": "t", "regularizer": "none", "strength": 0, "seed": 1, "z_bar": "0.1"}],
     TypeError, "records[1]['z_bar']"),
])
def test_bad_records_are_named(records, error, message):
    with pytest.raises(error, match=message.replace("[", r"\[").replace("]", r"\]")):
        record_table(records)


@pytest.mark.parametrize("measure", ["z_bar", "z_spec:logits|0.5|inside", "train_loss"])
@pytest.mark.parametrize("regularizer", ["dropout", "l2", "none"])
def test_paths_equal_the_old_series(regularizer, measure):
    records = make_records(seeds=[3, 1, 2])
    records[5]["z_bar"] = None  # left out by both
    records[9]["train_loss"] = None
    by_seed = paths(record_table(records), "toy", regularizer, x="test_loss", y=measure)
    s, v, seeds = trends.series(records, "toy", regularizer, measure)
    assert list(by_seed) == sorted(set(seeds.tolist()))
    for seed, (strength, x, y) in by_seed.items():
        order = np.argsort(s[seeds == seed], kind="stable")
        np.testing.assert_array_equal(strength, s[seeds == seed][order])
        np.testing.assert_array_equal(y, v[seeds == seed][order])
        assert np.all(np.diff(strength) > 0) and strength[0] == 0.0
        expected_x = [r["test_loss"] for r in records if r["seed"] == seed and
                      r["regularizer"] in (regularizer, "none")
                      and trends.value_of(r, measure) == trends.value_of(r, measure)]
        assert sorted(x.tolist()) == sorted(expected_x)


def _early_stopping(records, epochs, seed=0, **extra):
    return records + [{"task": "toy", "regularizer": "early_stop", "strength": e,
                       "seed": seed, "epoch": e, "test_loss": 2.0 - e / 100,
                       "train_loss": 1.0 - e / 400, "z_bar": e / 400, **extra} for e in epochs]


def test_the_unregularized_network_ends_the_early_stopping_path():
    records = make_records(seeds=[0])
    table = record_table(_early_stopping(records, [10, 30, 60]))
    strength, x, y = paths(table, "toy", "early_stop")[0]
    np.testing.assert_array_equal(strength, [10, 30, 60, 100])  # none at its 100 epochs
    assert x[-1] == records[0]["test_loss"] and y[-1] == records[0]["z_bar"]
    # an early-stopping row at the last epoch is that network: it stands for it, once
    table = record_table(_early_stopping(records, [10, 100]))
    strength, _, y = paths(table, "toy", "early_stop")[0]
    np.testing.assert_array_equal(strength, [10, 100])
    assert y[-1] == 100 / 400
    # without the training length the unregularized network still comes last
    plain = [{k: v for k, v in r.items() if k != "epochs"} for r in records]
    strength, _, _ = paths(record_table(_early_stopping(plain, [10])), "toy",
                           "early_stop")[0]
    np.testing.assert_array_equal(strength, [10, np.inf])


def test_paths_refuse_what_they_cannot_read():
    table = record_table(make_records(seeds=[0]))
    with pytest.raises(ValueError, match="no records for task 'toy' and regularizer 'mixup'"):
        paths(table, "toy", "mixup")
    with pytest.raises(ValueError, match="'jacobian' is not a column"):
        paths(table, "toy", "dropout", y="jacobian")
    with pytest.raises(TypeError, match="table must be a pandas DataFrame"):
        paths(make_records(), "toy", "dropout")
    twice = record_table(make_records(seeds=[0]) + make_records(seeds=[0])[1:2])
    with pytest.raises(ValueError, match="seed 0 has 2 networks at strength 0.1"):
        paths(twice, "toy", "dropout")
    with pytest.raises(ValueError, match="'regularizer' is not a column"):
        check_table(pd.DataFrame({"task": ["toy"]}))


# ---------------------------------------------------------------- the crossing rule
def test_a_straight_path_is_read_by_linear_interpolation():
    value = frontier.path_value_at([1.0, 2.0, 4.0], [0.5, 0.3, 0.1], [1.0, 1.5, 3.0, 4.0])
    np.testing.assert_allclose(value, [0.5, 0.4, 0.2, 0.1], rtol=0, atol=1e-15)
    assert np.isnan(frontier.path_value_at([1.0, 2.0], [0.5, 0.3], [0.5, 2.5])).all()
    assert frontier.path_value_at([1.0, 2.0], [0.5, 0.3], 1.5).shape == ()
    # strength order, not loss order: a path whose loss falls reads the same
    np.testing.assert_allclose(frontier.path_value_at([4.0, 2.0, 1.0], [0.1, 0.3, 0.5], 3.0),
                               0.2, rtol=0, atol=1e-15)


def test_a_path_that_turns_back_in_loss_reads_its_lowest_crossing():
    # test loss falls (2 -> 1) then rises (1 -> 3) as Z̄ falls all along: a level in (1, 2]
    # is crossed twice, and the frontier is the stronger, more linear crossing
    loss, z = [2.0, 1.0, 3.0], [0.6, 0.4, 0.0]
    value = frontier.path_value_at(loss, z, [1.5, 2.0, 1.0, 2.5, 3.0])
    np.testing.assert_allclose(value, [0.3, 0.2, 0.4, 0.1, 0.0], rtol=0, atol=1e-15)
    # the lowest, not the first: reversing Z̄ along the path picks the other crossing
    value = frontier.path_value_at(loss, [0.0, 0.4, 0.6], [1.5])
    np.testing.assert_allclose(value, [0.2], rtol=0, atol=1e-15)


def test_single_points_and_flat_segments():
    assert frontier.path_value_at([1.0], [0.3], 1.0) == 0.3
    assert np.isnan(frontier.path_value_at([1.0], [0.3], 1.1))
    np.testing.assert_array_equal(frontier.path_value_at([1.0, 1.0, 2.0], [0.5, 0.2, 0.4],
                                                         [1.0]), [0.2])
    with pytest.raises(ValueError, match="one length"):
        frontier.path_value_at([1.0, 2.0], [0.1], [1.0])
    with pytest.raises(ValueError, match="loss contains NaN"):
        frontier.path_value_at([1.0, np.nan], [0.1, 0.2], [1.0])


# ---------------------------------------------------------------- the excess of one seed
A = (np.array([0.0, 0.1, 0.3, 0.5]), np.array([1.4, 1.1, 1.0, 1.3]),
     np.array([0.40, 0.31, 0.22, 0.10]))
B = (np.array([0.0, 0.01, 0.1]), np.array([1.4, 1.2, 1.6]), np.array([0.40, 0.38, 0.33]))


def test_known_excess_of_two_straight_paths():
    # a: Z̄ = loss on [0, 2]; b: Z̄ = 0 on [1, 3]: the mean of ℓ over [1, 2] is 1.5
    excess, overlap = frontier.seed_excess(([0.0, 2.0], [0.0, 2.0]), ([1.0, 3.0], [0.0, 0.0]))
    assert excess == pytest.approx(1.5, abs=1e-15) and overlap == (1.0, 2.0)
    # crossing lines: a = ℓ, b = 2 − ℓ on [0, 2]: equal at ℓ = 1, mean difference 0
    excess, _ = frontier.seed_excess(([0.0, 2.0], [0.0, 2.0]), ([0.0, 2.0], [2.0, 0.0]))
    assert excess == pytest.approx(0.0, abs=1e-15)


def test_identical_paths_have_excess_exactly_zero():
    assert frontier.seed_excess(A, A) == (0.0, (1.0, 1.4))


def test_swapping_the_paths_negates_the_excess():
    ab, overlap_ab = frontier.seed_excess(A, B)
    ba, overlap_ba = frontier.seed_excess(B, A)
    assert ab == -ba and overlap_ab == overlap_ba == (1.2, 1.4) and ab != 0


@pytest.mark.parametrize("c", [0.25, -0.07, 1e-3])
def test_a_constant_shift_of_z_is_the_excess(c):
    shifted = (A[0], A[1], A[2] + c)
    excess, overlap = frontier.seed_excess(shifted, A)
    assert excess == pytest.approx(c, rel=1e-12, abs=1e-15) and overlap == (1.0, 1.4)
    assert frontier.seed_excess(shifted, B)[0] == pytest.approx(
        frontier.seed_excess(A, B)[0] + c, rel=1e-12)


def test_paths_that_do_not_overlap_have_no_excess():
    excess, (low, high) = frontier.seed_excess(([1.0, 2.0], [0.1, 0.2]), ([2.5, 3.0], [0, 0]))
    assert math.isnan(excess) and (low, high) == (2.5, 2.0)  # the gap: (2.0, 2.5)
    excess, overlap = frontier.seed_excess(([1.0, 2.0], [0.1, 0.2]), ([2.0, 3.0], [0, 0]))
    assert math.isnan(excess) and overlap == (2.0, 2.0)  # one point is no range
    assert math.isnan(frontier.seed_excess(([1.0], [0.1]), ([0.5, 3.0], [0, 0]))[0])


def test_seed_excess_checks_its_arguments():
    with pytest.raises(TypeError, match="path_a must be"):
        frontier.seed_excess([1.0, 2.0, 3.0, 4.0], A)
    with pytest.raises(ValueError, match="n_levels must be an integer >= 2"):
        frontier.seed_excess(A, B, n_levels=1)
    with pytest.raises(ValueError, match="path_b z contains NaN"):
        frontier.seed_excess(A, (B[1], [0.1, np.nan, 0.2]))


# ---------------------------------------------------------------- per seed, from a table
def test_linearity_excess_pairs_the_seeds_of_a_table():
    records = make_records(seeds=range(4))
    for r in records:  # dropout: the same path as L2's loss, Z̄ lower by 0.05 on seed 1
        if r["regularizer"] == "dropout":
            r["z_bar"] -= 0.05 * (r["seed"] == 1)
    table = record_table(records)
    result = frontier.linearity_excess(table, "toy")
    assert (result.task, result.a, result.b, result.loss, result.measure) == (
        "toy", "dropout", "l2", "test_loss", "z_bar")
    np.testing.assert_array_equal(result.seeds, [0, 1, 2, 3])
    assert result.excess.shape == (4,) and result.overlap.shape == (4, 2)
    assert result.n_overlap == 4 and result.overlapping.all()
    for k, seed in enumerate(result.seeds):
        by_a, by_b = paths(table, "toy", "dropout")[seed], paths(table, "toy", "l2")[seed]
        excess, overlap = frontier.seed_excess(by_a, by_b)
        assert result.excess[k] == excess and tuple(result.overlap[k]) == overlap
        assert tuple(result.range_a[k]) == (by_a[1].min(), by_a[1].max())
    swapped = frontier.linearity_excess(table, "toy", "l2", "dropout")
    np.testing.assert_array_equal(swapped.excess, -result.excess)
    with pytest.raises(ValueError, match="read-only"):
        result.excess[0] = 1.0


def test_linearity_excess_reads_training_loss_and_says_where_paths_part():
    records = make_records(seeds=range(3))
    none = {r["seed"]: r["train_loss"] for r in records if r["regularizer"] == "none"}
    for r in records:  # seed 2: L2 fits its training data ever better, dropout ever worse
        if r["regularizer"] == "l2" and r["seed"] == 2:
            r["train_loss"] = none[2] - 0.01 * r["strength"] - 0.01
        if r["regularizer"] == "dropout" and r["seed"] == 2:
            r["train_loss"] = none[2] + 0.01 + r["strength"]
    by_train = frontier.linearity_excess(record_table(records), "toy", loss="train_loss")
    assert by_train.loss == "train_loss" and by_train.n_overlap == 2
    assert math.isnan(by_train.excess[2]) and not by_train.overlapping[2]
    # the unregularized network starts both paths: they meet in that one point, no range
    assert by_train.range_b[2][1] == by_train.range_a[2][0] == none[2]
    assert tuple(by_train.overlap[2]) == (none[2], none[2])
    assert np.isfinite(by_train.excess[:2]).all()


def test_linearity_excess_against_early_stopping_and_on_a_specification():
    records = []
    for seed in range(3):
        records += _early_stopping(make_records(seeds=[seed]), [20, 50], seed=seed)
    table = record_table(records)
    result = frontier.linearity_excess(table, "toy", "dropout", "early_stop")
    assert result.seeds.tolist() == [0, 1, 2] and result.excess.shape == (3,)
    spec = frontier.linearity_excess(table, "toy", measure="z_spec:logits|0.5|inside")
    assert spec.measure == "z_spec:logits|0.5|inside" and spec.n_overlap == 3


def test_linearity_excess_refuses_what_it_cannot_pair():
    records = [r for r in make_records(seeds=[0, 1])
               if not (r["regularizer"] == "l2" and r["seed"] == 0)]
    records = [r for r in records if not (r["regularizer"] == "none")]
    records = [r for r in records if not (r["regularizer"] == "dropout" and r["seed"] == 1)]
    with pytest.raises(ValueError, match="no seed has a path of both"):
        frontier.linearity_excess(record_table(records), "toy")
    with pytest.raises(ValueError, match="'mixup'"):
        frontier.linearity_excess(record_table(make_records()), "toy", b="mixup")
    with pytest.raises(ValueError, match="'val_loss' is not a column"):
        frontier.linearity_excess(record_table(make_records()), "toy", loss="val_loss")


# ---------------------------------------------------------------- the figure
TASKS = ("quadratic", "moons", "diabetes", "digits")


def _four_tasks():
    records = []
    for k, task in enumerate(TASKS):
        records += make_records(task=task, seeds=range(3), rng_seed=k)
    records = _early_stopping(records, [20, 50])  # toy early stopping, task "toy"
    for r in records:
        if r["task"] == "moons":
            r["test_accuracy"], r["test_r2"] = 0.9, None
    return record_table(records)


@pytest.mark.usefixtures("no_plt_show")
def test_the_frontier_figure_draws_one_line_per_regularizer_in_its_colour():
    table = _four_tasks()
    fig = plotting.plot_frontier(table, TASKS, ["dropout", "l2"])
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 4
    assert {(round(ax.get_position().x0, 2), round(ax.get_position().y0, 2))
            for ax in axes}.__len__() == 4  # a 2×2 grid, not a strip
    assert len({round(ax.get_position().y0, 2) for ax in axes}) == 2
    for ax, task in zip(axes, TASKS, strict=True):
        assert ax.get_title() == vocabulary.task_label(task)
        lines = {line.get_label(): line for line in ax.get_lines()}
        assert set(lines) == {"dropout", "L2"}
        for reg in ("dropout", "l2"):
            line = lines[vocabulary.regularizer_label(reg)]
            assert line.get_color() == vocabulary.REGULARIZER_COLORS[reg]
            means = plotting.frontier_means(table, task, reg)
            np.testing.assert_allclose(line.get_xdata(), means["loss"])
            np.testing.assert_allclose(line.get_ydata(), means["measure"])
            assert means["strength"].iloc[0] == 0.0 and (means["n_seeds"] == 3).all()
        marker = [c for c in ax.collections if c.get_label() == "no regularization"]
        assert len(marker) == 1
    assert axes[0].get_xlabel() == "test loss (mean squared error, target units²)"
    assert axes[1].get_xlabel() == "test loss (cross-entropy, nats)"
    assert axes[0].get_ylabel() == plotting.FRONTIER_MEASURE_LABEL and not axes[1].get_ylabel()
    assert fig.get_label().startswith("Z̄ against test loss")


@pytest.mark.usefixtures("no_plt_show")
def test_the_frontier_figure_adds_early_stopping_and_draws_on_given_axes():
    records = _early_stopping(make_records(seeds=[0]), [20, 50])
    table = record_table(records)
    fig, ax = plt.subplots()
    out = plotting.plot_frontier(table, ["toy"], ["dropout", "l2", "mixup"], ax=ax,
                                 loss="train_loss")
    assert out is fig
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"dropout", "L2", "early stopping"}  # mixup: no rows, left out
    stop = lines["early stopping"]
    assert stop.get_color() == vocabulary.REGULARIZER_COLORS["early_stop"]
    assert stop.get_linestyle() == "--" and len(stop.get_xdata()) == 3
    assert ax.get_xlabel() == "train loss (mean squared error, target units²)"
    assert "(dropout, L2, early stopping)" in fig.get_label()
    with pytest.raises(ValueError, match="one matplotlib Axes per task"):
        plotting.plot_frontier(table, ["toy", "toy"], ax=ax)
    with pytest.raises(ValueError, match="task 'digits' has no rows"):
        plotting.plot_frontier(table, ["digits"])
    with pytest.raises(TypeError, match="regularizers must be"):
        plotting.plot_frontier(table, ["toy"], [1])


# ---------------------------------------------------------------- a tiny real sweep
@pytest.mark.usefixtures("single_torch_thread")
def test_a_small_real_sweep_gives_one_excess_per_seed(tmp_path):
    from essay_lib.experiment import METRICS, MeasureSpec, SweepSpec, run_experiment

    spec = SweepSpec(task="quadratic", hidden=(8, 8), epochs=20, lr=1e-2, seeds=(0, 1, 2),
                     grid={"none": [0], "dropout": [0.2, 0.5], "l2": [1e-3, 1e-1]},
                     measures=MeasureSpec(z_triples=100, mask_draws=20, mc_samples=8,
                                          mc_points=8, curve_scales=(0.5,)))
    records = run_experiment(spec, cache_dir=tmp_path, progress=False)
    table = record_table(records)
    assert len(table) == len(records) == 15
    assert set(METRICS) - {"z_spec"} <= set(table.columns)
    for i, r in enumerate(records):
        for key, value in r["z_spec"].items():
            assert table[f"z_spec:{key}"].iloc[i] == value
    for reg in ("dropout", "l2"):
        s, v, seeds = trends.series(records, "quadratic", reg, "z_bar")
        for seed, (strength, _, y) in paths(table, "quadratic", reg).items():
            np.testing.assert_array_equal(strength, np.sort(s[seeds == seed]))
            np.testing.assert_array_equal(y, v[seeds == seed][np.argsort(s[seeds == seed])])
    for loss in ("test_loss", "train_loss"):
        result = frontier.linearity_excess(table, "quadratic", loss=loss)
        assert result.seeds.tolist() == [0, 1, 2] and result.excess.shape == (3,)
        assert np.isfinite(result.excess[result.overlapping]).all()
        assert np.all(np.abs(result.excess[result.overlapping]) <= 1)
    fig = plotting.plot_frontier(table, ["quadratic"], ["dropout", "l2"])
    assert len(fig.axes[0].get_lines()) == 2
    plt.close(fig)
