"""essay_lib.measures.triples and .batched: the two kinds of triple, the share of points
outside the data, and Z̄ of many members at once equal to one by one."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from essay_lib import data
from essay_lib.measures import batched, linearity
from essay_lib.measures.triples import draw_triples, outside_share
from essay_lib.nets import ensemble

pytestmark = pytest.mark.usefixtures("single_torch_thread")


def test_inside_triples_are_convex_combinations_of_three_data_points():
    X = np.random.default_rng(0).normal(size=(40, 3))
    t = draw_triples(X, 500, 0.5, seed=1, kind="inside")
    x0 = X[t.rows][t.base_index]
    # a = s (X[j] - x0) for some data row j: x0 + 2a is a data point
    for disp in (t.a, t.b):
        target = x0 + disp / 0.5
        assert np.all(np.min(np.linalg.norm(target[:, None] - X[None], axis=2), axis=1) < 1e-12)
    assert outside_share(X, t) == 0.0
    assert not np.any(np.all(t.a == 0, axis=1))  # j != i, so no zero displacement


def test_extrapolating_triples_leave_the_data_and_inside_ones_do_not():
    X = data.moons_task().X_test.astype(float)
    far = outside_share(X, draw_triples(X, 2000, 0.5, kind="extrapolating"))
    near = outside_share(X, draw_triples(X, 2000, 0.1, kind="extrapolating"))
    assert far > near > 0
    assert outside_share(X, draw_triples(X, 2000, 0.5, kind="inside")) == 0


def test_z_bar_keeps_its_default_draws():
    """The extrapolating draw is the one z_bar always used: same seed, same numbers."""
    X = np.linspace(-1, 1, 50)[:, None]
    rng = np.random.default_rng(3)
    i, j, k = rng.integers(0, 50, size=(3, 100))
    l_, m = (np.stack([j, k]) + rng.integers(1, 50, size=(2, 100))) % 50
    t = draw_triples(X, 100, 0.5, seed=3)
    np.testing.assert_array_equal(t.a, 0.5 * (X[j] - X[l_]))
    np.testing.assert_array_equal(X[t.rows][t.base_index], X[i])
    z = linearity.z_bar(lambda x: x[:, 0] ** 2, X, n_triples=100, seed=3)
    x0, a, b = X[i], 0.5 * (X[j] - X[l_]), 0.5 * (X[k] - X[m])
    D = 2 * a * b
    den = np.abs((x0 + a) ** 2 - x0 ** 2) + np.abs((x0 + b) ** 2 - x0 ** 2) + np.abs(
        (x0 + a + b) ** 2 - x0 ** 2)
    assert z.value == pytest.approx(np.abs(D).sum() / den.sum(), rel=1e-12)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"kind": "sideways"}, ValueError, "kind"), ({"scale": 0}, ValueError, "scale"),
    ({"n_triples": 0}, ValueError, "n_triples"), ({"X": np.zeros((2, 1)), "kind": "inside"},
                                                  ValueError, "at least 3 rows"),
])
def test_bad_triples(kwargs, error, match):
    args = {"X": np.zeros((5, 2)), "n_triples": 10, "scale": 0.5, **kwargs}
    with pytest.raises(error, match=match):
        draw_triples(args.pop("X"), **args)


def test_batched_z_bar_equals_one_member_at_a_time():
    task = data.moons_task(n_samples=80)
    result = ensemble.train_ensemble((2, 8, 8, 2), [ensemble.Member(seed=s) for s in range(3)],
                                     task.X_train, task.y_train, kind="classification",
                                     epochs=10, progress=False)
    X = task.X_test.astype(float)
    values = batched.z_bar_members(result.model, X, n_triples=150, scale=0.25, seed=2,
                                   triples="inside", outputs=batched.REPRESENTATIONS)
    alone = batched.z_bar_members(result.model, X, n_triples=150, scale=0.25, seed=2,
                                  triples="inside", outputs=("logits",))
    for output, (value, raw) in values.items():
        for k in range(3):
            z = linearity.z_bar(linearity.as_function(result.model.member(k), output=output), X,
                                n_triples=150, scale=0.25, seed=2, triples="inside")
            assert value[k] == pytest.approx(z.value, rel=1e-10)
            assert raw[k] == pytest.approx(z.raw, rel=1e-10)
    np.testing.assert_array_equal(alone["logits"][0], values["logits"][0])
    # centring removes the shift of the logits that softmax ignores
    shifted = batched.represent(torch.tensor([[1.0, 3.0]]) + 5, "centred_logits")
    assert torch.allclose(shifted, torch.tensor([[-1.0, 1.0]]))
    with pytest.raises(ValueError, match="k >= 2"):
        batched.represent(torch.zeros(3, 1), "log_probabilities")


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "identity"])
def test_batched_jacobian_norm_equals_autograd_one_member_at_a_time(activation, monkeypatch):
    widths, seeds = (3, 7, 5, 4), (0, 1, 2)
    model = ensemble.BatchedMLP(widths, seeds, activation=activation)
    X = np.random.default_rng(0).normal(size=(50, 3))
    norms = batched.jacobian_norm_members(model, X)
    assert norms.shape == (3,)
    for k in range(3):
        assert norms[k] == pytest.approx(linearity.jacobian_norm(model.member(k), X), rel=1e-10)
    if activation == "identity":  # a linear network: its Jacobian is the weights' product
        w = [m[0].detach().double() for m in model.weights]
        product = w[0] @ w[1] @ w[2]
        assert norms[0] == pytest.approx(float(product.norm()), rel=1e-10)
    monkeypatch.setattr(batched, "_JACOBIAN_ROWS", 7)  # rows in chunks: the same mean
    np.testing.assert_allclose(batched.jacobian_norm_members(model, X), norms, rtol=1e-12)


def test_batched_jacobian_norm_refuses_bad_input():
    model = ensemble.BatchedMLP((3, 4, 2), (0,))
    with pytest.raises(ValueError, match="X"):
        batched.jacobian_norm_members(model, np.zeros((5, 2)))
    with pytest.raises(TypeError, match="model"):
        batched.jacobian_norm_members("net", np.zeros((5, 3)))
