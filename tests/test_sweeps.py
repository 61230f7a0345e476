"""Tests for essay_lib.experiment: the frozen spec, run_sweep (records, metrics, cache use,
re-measuring cached weights), sweep_models, the essay's experiment and the sweep CLI."""

from __future__ import annotations

import dataclasses
import json
import warnings

import numpy as np
import pytest
import torch

from essay_lib import cli, data
from essay_lib.experiment import (
    REPLICATION_SEEDS,
    VERDICT_METRICS,
    VERDICT_REGULARIZERS,
    CacheWarning,
    ExperimentSpec,
    MeasureSpec,
    SweepCache,
    SweepSpec,
    essay_experiment,
    replication_experiment,
    run_experiment,
    run_sweep,
    sweep_models,
    sweeps,
    train,
)
from essay_lib.experiment.metrics import METRICS, measure_members
from essay_lib.measures import linearity, subnetworks
from essay_lib.nets import ensemble, models, regularization

SMALL = dict(task="quadratic", hidden=(8, 8), epochs=20, lr=1e-2)

pytestmark = pytest.mark.usefixtures("single_torch_thread")


def small(**changes) -> SweepSpec:
    return SweepSpec(**{**SMALL, **changes})


def test_records_are_tidy_and_in_grid_order(tmp_path):
    grid = {"none": [0], "dropout": [0.2, 0.5], "mixup": [1.0]}
    records = run_sweep(small(grid=grid, seeds=(0, 1)), cache_dir=tmp_path, progress=False)
    assert [(r["regularizer"], r["strength"], r["seed"]) for r in records] == [
        (reg, s, seed) for reg, strengths in grid.items() for s in strengths for seed in (0, 1)]
    for r in records:
        assert set(METRICS) <= set(r)
        assert r["task"] == "quadratic" and r["hidden"] == [8, 8] and r["epochs"] == 20
        assert r["test_accuracy"] is None and r["test_r2"] is not None
        assert 0 <= r["z_bar"] <= 1 and 0 <= r["taleb_h"] <= 1 and 0 <= r["weight_sparsity"] <= 1
        assert isinstance(r["linear_pieces"], int) and r["linear_pieces"] >= 1
        curve = r["curve"]
        assert curve["epoch"][-1] == 20 and len(curve["train_loss"]) == len(curve["epoch"])
        assert curve["train_loss"][-1] == pytest.approx(r["train_loss"])
        assert curve["test_loss"][-1] == pytest.approx(r["test_loss"], rel=1e-5)
        assert json.loads(json.dumps(r)) == r  # plain JSON values


def test_the_specification_curve_is_z_bar_under_each_setting(tmp_path):
    spec = small(task="moons", grid={"none": [0], "mixup": [1.0]},
                 measures=MeasureSpec(z_triples=200, curve_scales=(0.1, 0.5)))
    records = run_sweep(spec, cache_dir=tmp_path, progress=False)
    nets = sweep_models(spec, cache_dir=tmp_path)
    X = data.moons_task().X_test.astype(np.float64)
    assert len(records[0]["z_spec"]) == 3 * 2 * 2
    for r in records:
        net = nets[r["regularizer"], r["strength"], r["seed"]]
        for output, scale, triples in spec.measures.specifications("classification"):
            f = linearity.as_function(net, output=output)
            expected = linearity.z_bar(f, X, n_triples=200, scale=scale, seed=0,
                                       triples=triples).value
            assert r["z_spec"][f"{output}|{scale:g}|{triples}"] == pytest.approx(expected,
                                                                                 rel=1e-9)
    assert r["z_spec"]["logits|0.5|extrapolating"] == pytest.approx(r["z_bar"], rel=1e-9)
    quadratic = run_sweep(small(measures=MeasureSpec(z_triples=50)), cache_dir=tmp_path,
                          progress=False)[0]
    assert sorted(quadratic["z_spec"]) == sorted(  # a regressor has one representation
        f"logits|{s:g}|{t}" for s in (0.1, 0.25, 0.5) for t in ("extrapolating", "inside"))


def test_a_validation_split_gives_a_validation_loss(tmp_path):
    spec = small(task_args={"validation_fraction": 0.25})
    record = run_sweep(spec, cache_dir=tmp_path, progress=False)[0]
    plain = run_sweep(small(), cache_dir=tmp_path, progress=False)[0]
    assert plain["validation_loss"] is None and "validation_loss" not in plain["curve"]
    assert record["validation_loss"] > 0
    assert record["curve"]["validation_loss"][-1] == pytest.approx(record["validation_loss"],
                                                                    rel=1e-5)


def test_metrics_match_the_linearity_module():
    moons = data.moons_task(n_samples=80)
    member = ensemble.Member(seed=2, drop_rate=0.3)
    result = ensemble.train_ensemble((2, 8, 8, 2), [ensemble.Member(seed=9), member],
                                     moons.X_train, moons.y_train, kind="classification",
                                     epochs=15, progress=False)
    measures = MeasureSpec(z_triples=300, displacement_scale=0.3, metric_seed=4)
    record = measure_members(result.model, result.final_train_loss, moons, measures,
                             progress=False)[1]
    model = result.model.member(1)
    X = moons.X_test.astype(np.float64)
    expected_z = linearity.z_bar(model, X, n_triples=300, scale=0.3, seed=4)
    assert record["z_bar"] == pytest.approx(expected_z.value, rel=1e-9)
    assert record["z_bar_raw"] == pytest.approx(expected_z.raw, rel=1e-9)
    assert record["jacobian_norm"] == pytest.approx(linearity.jacobian_norm(model, X), rel=1e-6)
    assert record["affine_nonlinearity"] == pytest.approx(
        1 - linearity.affine_fit_r2(model, X), rel=1e-9)
    assert record["linear_pieces"] == linearity.count_linear_pieces(model, X.min(0), X.max(0))
    assert record["weight_norm"] == pytest.approx(regularization.weight_norm(model), rel=1e-9)
    out, hidden = model.forward_with_hidden(torch.as_tensor(moons.X_test))
    accuracy = (out.argmax(1).numpy() == moons.y_test).mean()
    assert record["test_accuracy"] == pytest.approx(accuracy) and record["test_r2"] is None
    mean_activation = np.mean([h.double().mean().item() for h in hidden])
    assert record["mean_hidden_activation"] == pytest.approx(mean_activation, rel=1e-6)
    assert record["train_loss"] == pytest.approx(result.final_train_loss[1])
    additivity = subnetworks.subnetwork_additivity(model, X, n_draws=measures.mask_draws, seed=4)
    assert record["z_mask"] == pytest.approx(additivity.value, rel=1e-9)
    assert record["z_mask_raw"] == pytest.approx(additivity.raw, rel=1e-9)
    assert record["mc_gap"] == pytest.approx(subnetworks.mc_gap(
        model, X[:measures.mc_points], n_samples=measures.mc_samples, seed=4), rel=1e-9)
    with pytest.raises(ValueError, match="train_loss"):
        measure_members(result.model, [0.1], moons, measures, progress=False)


def test_taleb_normalised_equals_z_on_symmetric_triples():
    X = np.linspace(-1, 1, 30)[:, None]
    delta = np.full_like(X, 0.2)
    normalised, raw = linearity.taleb_bar(lambda x: x[:, 0] ** 2, X, delta)
    assert raw == pytest.approx(0.04)  # H of x^2 is delta^2
    u, w = 0.2 * (2 * X[:, 0] - 0.2), 4 * 0.2 * X[:, 0]  # f(x)-f(x-d), f(x+d)-f(x-d)
    assert normalised == pytest.approx(2 * 0.04 * 30 / (2 * np.abs(u) + np.abs(w)).sum())
    assert linearity.taleb_bar(lambda x: 3 * x - 1, X, delta) == pytest.approx((0.0, 0.0),
                                                                                abs=1e-12)


def test_regularizers_move_their_own_statistic(tmp_path):
    spec = small(grid={"none": [0], "l1": [3e-2], "l2": [3e-2]}, hidden=(16, 16), epochs=150)
    by = {r["regularizer"]: r for r in run_sweep(spec, cache_dir=tmp_path, progress=False)}
    assert by["l1"]["weight_sparsity"] > by["none"]["weight_sparsity"] + 0.2
    assert by["l2"]["weight_norm"] < 0.7 * by["none"]["weight_norm"]


def test_members_match_a_separate_run(tmp_path):
    one = run_sweep(small(grid={"dropout": [0.5]}, seeds=(3,)), cache_dir=tmp_path / "a",
                    progress=False)
    many = run_sweep(small(grid={"none": [0], "dropout": [0.1, 0.5]}, seeds=(1, 3, 5)),
                     cache_dir=tmp_path / "b", progress=False)
    twin = next(r for r in many if r["regularizer"] == "dropout" and r["strength"] == 0.5
                and r["seed"] == 3)
    for name in ("train_loss", "test_loss", "z_bar", "weight_norm"):
        assert twin[name] == pytest.approx(one[0][name], rel=1e-5)
    assert twin["key"] == one[0]["key"]


@pytest.fixture
def count_training(monkeypatch):
    """Wraps the sweep's trainer: the list holds the number of networks of each call."""
    calls = []
    real = sweeps.train_members
    monkeypatch.setattr(sweeps, "train_members",
                        lambda spec, task, keys, **k: calls.append(len(keys)) or real(
                            spec, task, keys, **k))
    return calls


def test_cache_hits_skip_training_and_damaged_entries_are_recomputed(tmp_path, count_training):
    spec = small(grid={"none": [0], "l2": [1e-3]}, seeds=(0, 1))
    first = run_sweep(spec, cache_dir=tmp_path, progress=False)
    assert count_training == [4]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = run_sweep(spec, cache_dir=tmp_path, progress=False)
    assert again == first and count_training == [4]
    path = SweepCache(tmp_path).path(first[2]["key"])
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.warns(CacheWarning, match="unreadable"):
        repaired = run_sweep(spec, cache_dir=tmp_path, progress=False)
    assert count_training == [4]  # its weights were cached: re-measured, not retrained
    assert repaired[2] == first[2]
    assert json.loads(path.read_text())["record"]["key"] == first[2]["key"]
    run_sweep(spec, cache_dir=tmp_path, use_cache=False, progress=False)
    assert count_training == [4, 4]


def test_a_new_measurement_setting_remeasures_without_retraining(tmp_path, count_training):
    spec = small(grid={"none": [0], "dropout": [0.5]})
    first = run_sweep(spec, cache_dir=tmp_path, progress=False)
    other = run_sweep(spec.replace(displacement_scale=0.1), cache_dir=tmp_path, progress=False)
    assert count_training == [2]
    for a, b in zip(first, other, strict=True):
        assert a["key"] != b["key"]
        assert a["test_loss"] == b["test_loss"] and a["weight_norm"] == b["weight_norm"]
        assert a["z_bar"] != b["z_bar"]  # freshly measured at the new scale
        assert b["z_bar"] == pytest.approx(
            linearity.z_bar(sweep_models(spec, cache_dir=tmp_path)[
                (a["regularizer"], a["strength"], a["seed"])], data.quadratic_task().X_test,
                n_triples=1000, scale=0.1, seed=0).value, rel=1e-9)


# Per field: a changed value, and a metric whose value must change with it.
FIELD_CHANGES = {
    "task_args": ({"noise": 0.3}, "test_loss"), "hidden": ((8, 9), "weight_norm"),
    "epochs": (21, "train_loss"), "lr": (2e-2, "train_loss"), "batch_size": (7, "train_loss"),
    "optimizer": ("sgd", "train_loss"),
    "z_triples": (300, "z_bar"), "displacement_scale": (0.2, "z_bar"),
    "metric_seed": (5, "z_bar"), "sparsity_threshold": (1e-1, "weight_sparsity"),
    "curve_outputs": (("logits",), "z_spec"), "curve_scales": ((0.3,), "z_spec"),
    "curve_triples": (("inside",), "z_spec"),
    "mask_keep_prob": (0.7, "z_mask"), "mask_draws": (300, "z_mask"),
    "mask_set_fraction": (0.25, "z_mask"), "mask_layers": ("all", "z_mask"),
    "mc_samples": (32, "mc_gap"), "mc_points": (40, "mc_gap"), "scope": ("verdict", "z_spec"),
    "architecture": ("residual", "train_loss"),
    "momentum": ((0.9, {"optimizer": "sgd"}), "train_loss"),
    "weight_decay": (0.5, "weight_norm"),
    "input_drop_rate": (0.3, "train_loss"),
    "early_stopping": ((True, {"task_args": {"validation_fraction": 0.3}, "epochs": 60,
                               "lr": 5e-2, "patience": 2}), "train_loss"),
    "patience": ((10, {"task_args": {"validation_fraction": 0.3}, "epochs": 60, "lr": 5e-2,
                       "early_stopping": True, "patience": 3}), "train_loss"),
}


def test_every_field_is_covered_by_the_checks_below():
    fields = {f.name for f in dataclasses.fields(SweepSpec)} | {
        f.name for f in dataclasses.fields(MeasureSpec)}
    assert fields - {"task", "grid", "seeds", "measures"} == set(FIELD_CHANGES)


@pytest.mark.parametrize("name", sorted(FIELD_CHANGES))
def test_changing_a_setting_changes_the_key_and_the_numbers(name, tmp_path):
    spec = small(grid={"none": [0]}, seeds=(1,))
    if name == "curve_outputs":  # only classifiers have more than one representation
        spec = spec.replace(task="moons")
    value, metric = FIELD_CHANGES[name]
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], dict):
        value, base_changes = value  # a setting that acts only beside others
        spec = spec.replace(**base_changes)
    base = run_sweep(spec, cache_dir=tmp_path, progress=False)[0]
    changed = run_sweep(spec.replace(**{name: value}), cache_dir=tmp_path, progress=False)[0]
    assert changed["key"] != base["key"]
    assert changed[metric] != base[metric]


def test_task_grid_and_seeds_decide_which_networks_exist(tmp_path):
    spec = small(grid={"none": [0], "l2": [1e-3]}, seeds=(0, 1))
    keys = {r["key"] for r in run_sweep(spec, cache_dir=tmp_path, progress=False)}
    more = {r["key"] for r in run_sweep(spec.replace(seeds=(0, 1, 2)), cache_dir=tmp_path,
                                        progress=False)}
    assert keys < more and len(more) == 6  # one more seed: two more networks, same others
    grid = {r["key"] for r in run_sweep(spec.replace(grid={"none": [0], "l2": [1e-2]}),
                                        cache_dir=tmp_path, progress=False)}
    assert len(grid & keys) == 2 and len(grid) == 4  # the 'none' networks are shared
    moons = run_sweep(spec.replace(task="moons"), cache_dir=tmp_path, progress=False)
    assert not {r["key"] for r in moons} & more


def test_cpu_and_gpu_networks_are_kept_apart():
    spec, task = small(), data.quadratic_task()
    cpu = train.training_config(spec, task, ("none", 0.0, 0), torch.device("cpu"))
    gpu = train.training_config(spec, task, ("none", 0.0, 0), torch.device("cuda"))
    assert SweepCache().key(cpu, "weights") != SweepCache().key(gpu, "weights")


def test_sweep_models_are_the_measured_networks(tmp_path):
    spec = small(grid={"none": [0], "dropout": [0.3]}, seeds=(0, 2))
    records = run_sweep(spec, cache_dir=tmp_path, progress=False)
    nets = sweep_models(spec, cache_dir=tmp_path)
    assert set(nets) == {(r["regularizer"], r["strength"], r["seed"]) for r in records}
    X = data.quadratic_task().X_test.astype(np.float64)
    for r in records:
        net = nets[r["regularizer"], r["strength"], r["seed"]]
        assert isinstance(net, models.MLP) and not net.training
        assert net.drop_rates == ((r["strength"],) * 2 if r["regularizer"] == "dropout"
                                  else (0.0, 0.0))
        assert linearity.z_bar(net, X, n_triples=1000, scale=0.5, seed=0).value == pytest.approx(
            r["z_bar"], rel=1e-12)


@pytest.mark.parametrize("changes, error, match", [
    ({"grid": {"dropuot": [0.1]}}, ValueError, r"grid key must be one of.*'dropout'"),
    ({"grid": {"l2": [-1e-3]}}, ValueError, r"grid\['l2'\].*>= 0"),
    ({"grid": {"dropout": [1.0]}}, ValueError, r"grid\['dropout'\].*\[0, 1\)"),
    ({"grid": {"input_dropout": [1.5]}}, ValueError, "input_dropout"),
    ({"grid": {"none": [0.1]}}, ValueError, r"grid\['none'\]"),
    ({"grid": {"l1": []}}, ValueError, r"grid\['l1'\]"),
    ({"grid": {"l1": [float("nan")]}}, ValueError, r"grid\['l1'\]"),
    ({"grid": {"l1": ["big"]}}, TypeError, r"grid\['l1'\]"),
    ({"grid": {}}, ValueError, "allowed keys"),
    ({"grid": 5}, TypeError, "grid"),
    ({"seeds": ()}, ValueError, "seeds"),
    ({"seeds": (-1,)}, ValueError, "seeds"),
    ({"seeds": (1, 1)}, ValueError, "repeat"),
    ({"task": "mnist"}, ValueError, "task must be one of"),
    ({"optimizer": "lbfgs"}, ValueError, "optimizer"),
    ({"lr": -1.0}, ValueError, "lr"),
    ({"epochs": 0}, ValueError, "epochs"),
    ({"hidden": (8, 0)}, ValueError, r"hidden\[1\]"),
    ({"batch_size": True}, TypeError, "batch_size"),
    ({"task_args": {"noise": [1]}}, TypeError, "task_args"),
    ({"measures": {"z_triples": 5}}, TypeError, "measures"),
    ({"architecture": "rnn"}, ValueError, "architecture"),
    ({"architecture": "residual", "hidden": (8, 9)}, ValueError, "equal"),
    ({"momentum": 0.9}, ValueError, "momentum"),
    ({"optimizer": "sgd", "momentum": 1.0}, ValueError, "momentum"),
    ({"weight_decay": -1.0}, ValueError, "weight_decay"),
    ({"input_drop_rate": 1.0}, ValueError, "input_drop_rate"),
    ({"early_stopping": 1}, TypeError, "early_stopping"),
    ({"early_stopping": True}, ValueError, "validation_fraction"),
    ({"patience": 0}, ValueError, "patience"),
    ({"grid": {"adamw": [-0.1]}}, ValueError, "adamw"),
])
def test_bad_specs_name_the_setting(changes, error, match):
    with pytest.raises(error, match=match):
        small(**changes)


def test_bad_measure_settings_and_replace():
    with pytest.raises(ValueError, match="displacement_scale"):
        MeasureSpec(displacement_scale=0)
    with pytest.raises(TypeError, match="z_triples"):
        MeasureSpec(z_triples=1.5)
    with pytest.raises(TypeError, match="no field 'scale'"):
        small().replace(scale=0.1)
    with pytest.raises(TypeError, match="spec must be"):
        run_sweep("quadratic")


def test_the_essay_experiment_is_well_formed():
    experiment = essay_experiment()
    assert isinstance(experiment, ExperimentSpec)
    assert set(experiment.tasks) == {"quadratic", "moons", "diabetes", "digits"}
    for spec in experiment:
        assert len(spec.seeds) >= 16  # an exact sign-flip test must reach the family's level
        grid = spec.grid_dict
        assert set(grid) == {"none", "dropout", "l1", "l2", "mixup", "early_stop"}
        assert grid["early_stop"] == [spec.epochs / k for k in (2, 4, 8, 16)] or all(
            1 <= e < spec.epochs for e in grid["early_stop"])
        assert max(grid["dropout"]) == pytest.approx(0.7) and min(grid["dropout"]) <= 0.1
        for key in ("l1", "l2", "mixup"):
            assert len(grid[key]) >= 4 and sorted(grid[key]) == grid[key]
        assert spec.epochs >= 50 and spec.lr > 0 and len(spec.hidden) == 2
        task = data.load_task(spec.task, **spec.task_kwargs)
        # oversized: more weights than training numbers
        n_weights = models.count_parameters(models.make_mlp(task.n_features, list(spec.hidden),
                                                            task.n_outputs))
        assert n_weights > task.n_train
    changed = experiment.replace(displacement_scale=0.1)
    assert all(s.measures.displacement_scale == 0.1 for s in changed)
    assert all(s.measures.displacement_scale == 0.5 for s in essay_experiment())  # frozen
    with pytest.raises(dataclasses.FrozenInstanceError):
        experiment["moons"].epochs = 5
    with pytest.raises(KeyError, match="mnist"):
        experiment["mnist"]
    assert experiment.only("digits", "moons").tasks == ("digits", "moons")


def test_the_replication_is_the_essay_experiment_cut_to_the_verdict():
    main, fresh = essay_experiment(), replication_experiment()
    assert fresh.tasks == main.tasks
    for a, b in zip(main, fresh, strict=True):
        assert b.seeds == REPLICATION_SEEDS and not set(b.seeds) & set(a.seeds)
        assert list(b.grid_dict) == [k for k in a.grid_dict if k in VERDICT_REGULARIZERS]
        assert all(b.grid_dict[k] == a.grid_dict[k] for k in b.grid_dict)
        assert b.task_kwargs == {**a.task_kwargs, "seed": 1}  # a fresh draw of the data
        assert {k: v for k, v in b.training_dict().items() if k != "task_args"} == {
            k: v for k, v in a.training_dict().items() if k != "task_args"}
        assert b.measures == a.measures.replace(scope="verdict")
    assert replication_experiment((20, 21))["moons"].seeds == (20, 21)


def test_the_verdict_scope_measures_the_verdict_metrics_alone(tmp_path, count_training):
    spec = small(task="moons", grid={"none": [0], "dropout": [0.3], "mixup": [1.0]},
                 task_args={"validation_fraction": 0.3})
    full = run_sweep(spec, cache_dir=tmp_path, progress=False)
    bare = run_sweep(spec.replace(scope="verdict"), cache_dir=tmp_path, progress=False)
    assert count_training == [3]  # the same networks, measured again
    for a, b in zip(full, bare, strict=True):
        assert set(b) == set(a) and a["key"] != b["key"]
        for name in METRICS:
            if name in VERDICT_METRICS and a[name] is not None:
                assert b[name] == a[name], name
            else:
                assert b[name] is None, name
    assert all(r["z_bar"] is not None and r["validation_loss"] is not None for r in bare)
    with pytest.raises(ValueError, match="scope"):
        MeasureSpec(scope="some")


def test_training_in_runs_gives_the_same_networks(monkeypatch):
    spec = small(task="moons", grid={"none": [0], "dropout": [0.2, 0.5], "mixup": [1.0]},
                 seeds=(0, 1))
    task = data.load_task("moons")
    keys = spec.members()
    whole = train.train_members(spec, task, keys, device=torch.device("cpu"), progress=False)
    monkeypatch.setitem(train.MEMBERS_PER_RUN, "cpu", 3)
    assert train.members_per_run(torch.device("cpu")) == 3
    runs = train.train_members(spec, task, keys, device=torch.device("cpu"), progress=False)
    for a, b in zip(whole, runs, strict=True):
        assert a.arrays.keys() == b.arrays.keys()
        for n in a.arrays:  # equal to float32 rounding (batched products of other sizes)
            np.testing.assert_allclose(a.arrays[n], b.arrays[n], rtol=1e-5, atol=1e-6)
        assert a.curve["train_loss"] == pytest.approx(b.curve["train_loss"], rel=1e-5)
    assert train.members_per_run(torch.device("cuda")) == train.MAX_MEMBERS


def test_run_experiment_reads_every_sweep(tmp_path):
    spec = ExperimentSpec((small(), small(task="moons")))
    records = run_experiment(spec, cache_dir=tmp_path, progress=False)
    assert [r["task"] for r in records] == ["quadratic", "moons"]
    assert run_experiment(small(), cache_dir=tmp_path, progress=False) == records[:1]
    with pytest.raises(TypeError, match="ExperimentSpec"):
        run_experiment({"task": "moons"})


def test_cli_runs_and_completes_a_sweep(tmp_path, capsys):
    argv = ["sweep", "--task", "quadratic", "--seeds", "2", "--epochs", "5", "--quiet",
            "--cache-dir", str(tmp_path), "--metric", "z_bar", "--metric", "test_loss"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "quadratic: 44 members" in out  # 2 seeds x (20 strengths + 2 early stops of 5)
    lines = out.strip().splitlines()
    header = next(line for line in lines if line.startswith("regularizer"))
    assert "z_bar [95% CI]" in header and "test_loss [95% CI]" in header
    dropout_rows = [line for line in lines if line.startswith("dropout")]
    assert len(dropout_rows) == 7 and all(" 2 " in row for row in dropout_rows)
    assert len(list(tmp_path.rglob("*.json"))) == 44
    assert len(list(tmp_path.rglob("*.npz"))) == 44
    assert cli.main(argv) == 0  # completes from the cache
    assert capsys.readouterr().out.count("quadratic: 44 members") == 1


def test_cli_rejects_bad_arguments(capsys):
    with pytest.raises(SystemExit):
        cli.main(["sweep", "--task", "mnist"])
    with pytest.raises(SystemExit):
        cli.main(["sweep"])
    with pytest.raises(SystemExit, match="--seeds"):
        cli.main(["sweep", "--task", "moons", "--seeds", "0", "--quiet"])


TASK_ARGS = {"digits": {"test_fraction": 0.9}, "mnist1d": {"n_train": 100, "test_fraction": 0.1}}


@pytest.mark.parametrize("task, architecture, hidden", [
    ("moons", "residual", (8, 8)), ("quadratic", "cnn", (3,)), ("digits", "cnn", (4, 4)),
    ("mnist1d", "cnn", (4, 4)), ("mnist1d", "mlp", (8,))])
def test_other_architectures_run_as_sweeps(tmp_path, monkeypatch, task, architecture, hidden):
    monkeypatch.setenv("ESSAY_CACHE_DIR", str(tmp_path / "data"))  # MNIST-1D's arrays
    grid = {"none": [0], "dropout": [0.3], "adamw": [0.1]}
    spec = small(task=task, architecture=architecture, hidden=hidden, grid=grid, epochs=4,
                 task_args=TASK_ARGS.get(task, {})).replace(z_triples=50, curve_scales=(0.5,))
    records = run_sweep(spec, cache_dir=tmp_path, progress=False)
    assert [r["architecture"] for r in records] == [architecture] * 3
    for r in records:
        assert 0 <= r["z_bar"] <= 1
        assert (r["linear_pieces"] is None) == (architecture != "mlp" or task != "moons")
        assert np.isfinite(r["jacobian_norm"]) and r["mean_hidden_activation"] >= 0
    nets = sweep_models(spec, cache_dir=tmp_path)
    X = data.load_task(task, **spec.task_kwargs).X_test.astype(np.float64)
    for r in records:
        net = nets[r["regularizer"], r["strength"], r["seed"]]
        assert type(net).__name__ == {"residual": "ResidualMLP", "cnn": "CNN",
                                      "mlp": "MLP"}[architecture]
        assert linearity.z_bar(net, X, n_triples=50, scale=0.5, seed=0).value == pytest.approx(
            r["z_bar"], rel=1e-9)
    assert run_sweep(spec, cache_dir=tmp_path, progress=False) == records  # cached


def test_early_stopping_curves_end_where_each_network_stopped(tmp_path):
    spec = small(task_args={"validation_fraction": 0.3}, epochs=80, lr=5e-2, seeds=(0, 1, 2),
                 early_stopping=True, patience=3)
    records = run_sweep(spec, cache_dir=tmp_path, progress=False)
    for r in records:
        curve = r["curve"]
        assert curve["epoch"][-1] == curve["stopped_epoch"] <= 80
        assert 1 <= curve["best_epoch"] <= curve["stopped_epoch"]
        assert curve["train_loss"][-1] == pytest.approx(r["train_loss"])
        assert curve["validation_loss"][-1] == pytest.approx(r["validation_loss"], rel=1e-5)
    alone = run_sweep(spec.replace(seeds=(1,)), cache_dir=tmp_path / "alone", progress=False)
    assert alone[0]["curve"] == records[1]["curve"]  # a network's curve is its own


def test_early_stop_networks_are_the_unregularized_network_trained_for_fewer_epochs(tmp_path):
    spec = small(grid={"none": [0], "early_stop": [5, 12]}, seeds=(0, 1))
    records = run_sweep(spec, cache_dir=tmp_path, progress=False)
    stopped = [r for r in records if r["regularizer"] == "early_stop"]
    assert [(r["strength"], r["seed"]) for r in stopped] == [(5, 0), (5, 1), (12, 0), (12, 1)]
    assert [r["epochs"] for r in stopped] == [5, 5, 12, 12]  # what each network trained
    assert all(r["curve"]["epoch"][-1] == r["epochs"] for r in stopped)
    nets = sweep_models(spec, cache_dir=tmp_path)
    shorter = sweep_models(small(grid={"none": [0]}, seeds=(0, 1), epochs=5),
                           cache_dir=tmp_path)
    for seed in (0, 1):  # the same network as a sweep of 5 epochs, to float32 rounding
        for p, q in zip(nets["early_stop", 5.0, seed].parameters(),
                        shorter["none", 0.0, seed].parameters(), strict=True):
            np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-5,
                                       atol=1e-6)
    none = [r for r in records if r["regularizer"] == "none"]
    assert all(r["epochs"] == spec.epochs for r in none)


@pytest.mark.parametrize("strengths, message", [
    ([20], "fewer than epochs=20"), ([2.5], "whole numbers"), ([0], "whole numbers")])
def test_early_stop_strengths_are_epochs_below_the_sweeps(strengths, message):
    with pytest.raises(ValueError, match=message):
        small(grid={"none": [0], "early_stop": strengths})


def test_a_diverged_member_is_measured_as_none_not_a_crash():
    """Other float kernels can tip a network over (NaN weights): its function measures are
    None, its neighbours are measured as usual."""
    task = data.load_task("moons")
    model = ensemble.BatchedMLP((2, 8, 8, 2), [0, 1])
    with torch.no_grad():
        model.weights[0][1].fill_(float("nan"))
    records = measure_members(model, [0.1, 0.2], task, MeasureSpec(z_triples=50, mask_draws=20,
                                                                      mc_points=8, mc_samples=8),
                              progress=False)
    assert records[1]["taleb_h"] is None and records[1]["jacobian_norm"] is None
    assert records[0]["taleb_h"] is not None and np.isfinite(records[0]["jacobian_norm"])
