"""Tests of essay_lib.experiment.remeasure: trained networks measured again, as records,
against the measures computed directly (by hand for the weights, by the measure itself for
Z_mask); bad input."""

import numpy as np
import pytest

from essay_lib.experiment.remeasure import weight_records, z_mask_records
from essay_lib.measures import subnetworks
from essay_lib.nets import models


def test_weight_records_count_small_weights(single_torch_thread):
    nets = {("l1", 0.1, 0): models.make_mlp(3, (5,), 1, seed=0),
            ("none", 0.0, 0): models.make_mlp(3, (5,), 1, seed=1)}
    records = weight_records(nets, threshold=0.2)
    for r, (key, net) in zip(records, nets.items(), strict=True):
        assert (r["regularizer"], r["strength"], r["seed"]) == key
        w = np.concatenate([p.detach().numpy().ravel() for name, p in net.named_parameters()
                            if name.endswith("weight")])
        assert r["weight_sparsity"] == pytest.approx(np.mean(np.abs(w) < 0.2), abs=0)
        assert r["weight_norm"] == pytest.approx(np.sqrt(np.sum(w.astype(np.float64) ** 2)))
    with pytest.raises(ValueError, match="threshold"):
        weight_records(nets, threshold=0.0)
    with pytest.raises(TypeError, match="models"):
        weight_records([])
    with pytest.raises(ValueError, match="keys"):
        weight_records({"l1": nets["l1", 0.1, 0]})


def test_z_mask_records_measure_each_network_again(single_torch_thread):
    nets = {(reg, s, seed): models.make_mlp(2, [8, 8], 1,
                                            seed=seed + (10 if reg == "dropout" else 0))
            for reg, s in (("none", 0.0), ("dropout", 0.5)) for seed in range(3)}
    X = np.random.default_rng(0).normal(size=(30, 2))
    records = z_mask_records(nets, X, task="moons", n_draws=50)
    assert len(records) == 6 and {r["regularizer"] for r in records} == {"none", "dropout"}
    assert [(r["regularizer"], r["strength"], r["seed"]) for r in records] == list(nets)
    assert all(r["task"] == "moons" for r in records)
    assert records[0]["z_mask"] == subnetworks.subnetwork_additivity(
        nets["none", 0.0, 0], X, n_draws=50).value
    other = z_mask_records(nets, X, task="moons", n_draws=50, keep_prob=0.3)
    assert other[0]["z_mask"] == subnetworks.subnetwork_additivity(
        nets["none", 0.0, 0], X, n_draws=50, keep_prob=0.3).value
    with pytest.raises(ValueError, match="nets"):
        z_mask_records({}, X, task="moons")
