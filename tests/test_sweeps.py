"""Tests for essay_lib.sweeps (grid -> records, metrics, cache use) and the sweep CLI."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import torch

from essay_lib import __main__ as cli
from essay_lib import data, ensemble, linearity, models, regularization, sweeps
from essay_lib.cache import CacheWarning, SweepCache

SMALL = dict(hidden=(8, 8), epochs=20, lr=1e-2, progress=False)


pytestmark = pytest.mark.usefixtures("single_torch_thread")


@pytest.fixture(scope="module")
def quadratic():
    return data.quadratic_task()


@pytest.fixture(scope="module")
def moons():
    return data.moons_task(n_samples=80)


def test_records_are_tidy_and_in_grid_order(quadratic, tmp_path):
    grid = {"none": [0], "dropout": [0.2, 0.5], "mixup": [1.0]}
    records = sweeps.run_sweep(quadratic, grid, [0, 1], cache_dir=tmp_path, **SMALL)
    assert [(r["regularizer"], r["strength"], r["seed"]) for r in records] == [
        (reg, s, seed) for reg, strengths in grid.items() for s in strengths for seed in (0, 1)]
    for r in records:
        assert set(sweeps.METRICS) <= set(r)
        assert r["task"] == "quadratic" and r["hidden"] == [8, 8] and r["epochs"] == 20
        assert r["test_accuracy"] is None and r["test_r2"] is not None
        assert 0 <= r["z_bar"] <= 1 and 0 <= r["taleb_h"] <= 1 and 0 <= r["weight_sparsity"] <= 1
        assert isinstance(r["linear_pieces"], int) and r["linear_pieces"] >= 1
        assert json.loads(json.dumps(r)) == r  # plain JSON values


def test_metrics_match_the_linearity_module(moons, tmp_path):
    member = ensemble.Member(seed=2, drop_rate=0.3)
    result = ensemble.train_ensemble((2, 8, 8, 2), [ensemble.Member(seed=9), member],
                                     moons.X_train, moons.y_train, kind="classification",
                                     epochs=15, progress=False)
    record = sweeps.measure_members(result, moons, progress=False)[1]
    model = result.model.member(1)
    X = moons.X_test.astype(np.float64)
    expected_z = linearity.z_bar(model, X, n_triples=sweeps.Z_TRIPLES,
                                 scale=sweeps.DISPLACEMENT_SCALE, seed=sweeps.METRIC_SEED)
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


def test_taleb_normalised_equals_z_on_symmetric_triples():
    X = np.linspace(-1, 1, 30)[:, None]
    delta = np.full_like(X, 0.2)
    f = lambda x: x[:, 0] ** 2  # noqa: E731
    normalised, raw = sweeps._taleb(f, X, delta)
    assert raw == pytest.approx(0.04)  # H of x^2 is delta^2
    u, w = 0.2 * (2 * X[:, 0] - 0.2), 4 * 0.2 * X[:, 0]  # f(x)-f(x-d), f(x+d)-f(x-d)
    assert normalised == pytest.approx(2 * 0.04 * 30 / (2 * np.abs(u) + np.abs(w)).sum())
    assert sweeps._taleb(lambda x: 3 * x - 1, X, delta) == pytest.approx((0.0, 0.0), abs=1e-12)


def test_regularizers_move_their_own_statistic(quadratic, tmp_path):
    grid = {"none": [0], "l1": [3e-2], "l2": [3e-2]}
    records = sweeps.run_sweep(quadratic, grid, [0], hidden=(16, 16), epochs=150, lr=1e-2,
                               cache_dir=tmp_path, progress=False)
    by = {r["regularizer"]: r for r in records}
    assert by["l1"]["weight_sparsity"] > by["none"]["weight_sparsity"] + 0.2
    assert by["l2"]["weight_norm"] < 0.7 * by["none"]["weight_norm"]


def test_members_match_a_separate_run(quadratic, tmp_path):
    one = sweeps.run_sweep(quadratic, {"dropout": [0.5]}, [3], cache_dir=tmp_path / "a", **SMALL)
    many = sweeps.run_sweep(quadratic, {"none": [0], "dropout": [0.1, 0.5]}, [1, 3, 5],
                            cache_dir=tmp_path / "b", **SMALL)
    twin = next(r for r in many if r["regularizer"] == "dropout" and r["strength"] == 0.5
                and r["seed"] == 3)
    for name in ("train_loss", "test_loss", "z_bar", "weight_norm"):
        assert twin[name] == pytest.approx(one[0][name], rel=1e-5)
    assert twin["key"] == one[0]["key"]


def test_cache_hits_skip_training_and_damaged_entries_are_recomputed(quadratic, tmp_path,
                                                                      monkeypatch):
    grid = {"none": [0], "l2": [1e-3]}
    first = sweeps.run_sweep(quadratic, grid, [0, 1], cache_dir=tmp_path, **SMALL)
    calls = []
    real = sweeps.train_ensemble
    monkeypatch.setattr(sweeps, "train_ensemble",
                        lambda *a, **k: calls.append(len(a[1])) or real(*a, **k))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = sweeps.run_sweep(quadratic, grid, [0, 1], cache_dir=tmp_path, **SMALL)
    assert again == first and calls == []
    path = SweepCache(tmp_path).path(first[2]["key"])
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.warns(CacheWarning, match="unreadable"):
        repaired = sweeps.run_sweep(quadratic, grid, [0, 1], cache_dir=tmp_path, **SMALL)
    assert calls == [1]  # only the damaged member was trained again
    assert repaired[2]["z_bar"] == pytest.approx(first[2]["z_bar"], rel=1e-6)
    assert json.loads(path.read_text())["record"]["key"] == first[2]["key"]
    sweeps.run_sweep(quadratic, grid, [0, 1], cache_dir=tmp_path, use_cache=False, **SMALL)
    assert calls == [1, 4]


def test_different_settings_are_different_entries(quadratic, tmp_path):
    a = sweeps.run_sweep(quadratic, {"none": [0]}, [0], cache_dir=tmp_path, **SMALL)
    b = sweeps.run_sweep(quadratic, {"none": [0]}, [0], cache_dir=tmp_path,
                         **{**SMALL, "epochs": 21})
    c = sweeps.run_sweep(data.quadratic_task(noise=0.2), {"none": [0]}, [0], cache_dir=tmp_path,
                         **SMALL)
    assert len({a[0]["key"], b[0]["key"], c[0]["key"]}) == 3


@pytest.mark.parametrize("grid, seeds, error, match", [
    ({"dropuot": [0.1]}, [0], ValueError, r"unknown grid key 'dropuot'.*'dropout'"),
    ({"l2": [-1e-3]}, [0], ValueError, r"grid\['l2'\].*>= 0"),
    ({"dropout": [1.0]}, [0], ValueError, r"grid\['dropout'\].*\[0, 1\)"),
    ({"input_dropout": [1.5]}, [0], ValueError, "input_dropout"),
    ({"none": [0.1]}, [0], ValueError, r"grid\['none'\]"),
    ({"l1": []}, [0], ValueError, r"grid\['l1'\]"),
    ({"l1": [float("nan")]}, [0], ValueError, r"grid\['l1'\]"),
    ({"l1": ["big"]}, [0], TypeError, r"grid\['l1'\]"),
    ({}, [0], ValueError, "allowed keys"),
    ({"none": [0]}, [], ValueError, "seeds"),
    ({"none": [0]}, [-1], ValueError, "seeds"),
])
def test_bad_grid_or_seeds(quadratic, tmp_path, grid, seeds, error, match):
    with pytest.raises(error, match=match):
        sweeps.run_sweep(quadratic, grid, seeds, cache_dir=tmp_path, **SMALL)


def test_bad_task_and_settings(tmp_path):
    with pytest.raises(ValueError, match="task must be"):
        sweeps.run_sweep("mnist", {"none": [0]}, [0], cache_dir=tmp_path, **SMALL)
    with pytest.raises(TypeError, match="task must be"):
        sweeps.run_sweep(42, {"none": [0]}, [0], cache_dir=tmp_path, **SMALL)
    with pytest.raises(ValueError, match="optimizer"):
        sweeps.run_sweep("quadratic", {"none": [0]}, [0], cache_dir=tmp_path,
                         optimizer="lbfgs", **SMALL)
    with pytest.raises(ValueError, match="lr"):
        sweeps.run_sweep("quadratic", {"none": [0]}, [0], cache_dir=tmp_path,
                         **{**SMALL, "lr": -1.0})


def test_the_essay_experiment_is_well_formed():
    assert set(sweeps.ESSAY_EXPERIMENT) == set(data.TASK_NAMES)
    assert len(sweeps.SEEDS) >= 8
    for name in data.TASK_NAMES:
        spec = sweeps.essay_experiment(name)
        grid = sweeps.check_grid(spec["grid"])
        assert set(grid) == {"none", "dropout", "l1", "l2", "mixup"}
        assert max(grid["dropout"]) == pytest.approx(0.7) and min(grid["dropout"]) <= 0.1
        for key in ("l1", "l2", "mixup"):
            assert len(grid[key]) >= 4 and sorted(grid[key]) == grid[key]
        assert spec["epochs"] >= 50 and spec["lr"] > 0 and len(spec["hidden"]) == 2
        task = data.load_task(name, **spec["task"])
        # oversized: more weights than training numbers
        n_weights = models.count_parameters(models.make_mlp(task.n_features, list(spec["hidden"]),
                                                            task.n_outputs))
        assert n_weights > task.n_train
    spec = sweeps.essay_experiment("moons")
    spec["grid"]["dropout"].append(0.9)  # a copy: the experiment is unchanged
    assert 0.9 not in sweeps.ESSAY_EXPERIMENT["moons"]["grid"]["dropout"]
    with pytest.raises(ValueError, match="task must be one of"):
        sweeps.essay_experiment("mnist")


def test_cli_runs_and_completes_a_sweep(tmp_path, capsys):
    argv = ["sweep", "--task", "quadratic", "--seeds", "2", "--epochs", "5", "--quiet",
            "--cache-dir", str(tmp_path), "--metric", "z_bar", "--metric", "test_loss"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "quadratic: 40 members" in out
    lines = out.strip().splitlines()
    header = next(line for line in lines if line.startswith("regularizer"))
    assert "z_bar [95% CI]" in header and "test_loss [95% CI]" in header
    dropout_rows = [line for line in lines if line.startswith("dropout")]
    assert len(dropout_rows) == 7 and all(" 2 " in row for row in dropout_rows)
    files = list(tmp_path.rglob("*.json"))
    assert len(files) == 40
    assert cli.main(argv) == 0  # completes from the cache
    assert capsys.readouterr().out.count("quadratic: 40 members") == 1


def test_cli_rejects_bad_arguments(capsys):
    with pytest.raises(SystemExit):
        cli.main(["sweep", "--task", "mnist"])
    with pytest.raises(SystemExit):
        cli.main(["sweep"])
    with pytest.raises(SystemExit, match="--seeds"):
        cli.main(["sweep", "--task", "moons", "--seeds", "0", "--quiet"])
