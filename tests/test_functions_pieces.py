"""Chapter 03's linear-pieces helpers: kinks as input points, first-layer kinks, and the
pieces-against-width loop (each cell checked against a network built and trained by hand)."""

import numpy as np
import pytest
import torch
from torch import nn

from essay_lib.measures.linear_pieces import (
    count_linear_pieces,
    first_layer_kinks,
    kink_points,
    linear_piece_breakpoints,
    pieces_against_width,
)
from essay_lib.nets.models import make_mlp
from essay_lib.nets.training import score, train_model

pytestmark = pytest.mark.usefixtures("single_torch_thread")


def hand_net():
    """relu(x) - relu(x - 0.5): kinks at x = 0 and x = 0.5."""
    net = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 1))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[1.0], [1.0]]))
        net[0].bias.copy_(torch.tensor([0.0, -0.5]))
        net[2].weight.copy_(torch.tensor([[1.0, -1.0]]))
        net[2].bias.zero_()
    return net


def test_kink_points_of_a_hand_built_network():
    points = kink_points(hand_net(), [-1.0], [1.0])
    assert points.shape == (2, 1)
    np.testing.assert_allclose(points[:, 0], [0.0, 0.5], atol=1e-15)
    np.testing.assert_allclose(kink_points(hand_net(), [1.0], [-1.0])[:, 0], [0.5, 0.0],
                               atol=1e-15)
    assert kink_points(hand_net(), [0.6], [2.0]).shape == (0, 1)
    # 2-D inputs: the points lie on the segment at the breakpoints t
    model = make_mlp(2, [6], 1, seed=4)
    start, end = np.array([-1.0, 0.5]), np.array([1.0, -0.5])
    t = linear_piece_breakpoints(model, start, end)
    np.testing.assert_allclose(kink_points(model, start, end), start + t[:, None] * (end - start))


def test_first_layer_kinks_are_minus_b_over_w():
    model = make_mlp(1, [5], 1, seed=1)
    w = model.layers[0].weight.detach()[:, 0]
    b = model.layers[0].bias.detach()
    np.testing.assert_array_equal(first_layer_kinks(model), (-(b / w)).double().numpy())
    with torch.no_grad():
        model.layers[0].weight[0, 0] = 0.0
    assert not np.isfinite(first_layer_kinks(model)[0])
    with pytest.raises(ValueError, match="one input"):
        first_layer_kinks(make_mlp(2, [3], 1))
    with pytest.raises(TypeError, match="model"):
        first_layer_kinks(hand_net())


def test_pieces_against_width_repeats_the_loop_by_hand():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (12, 1)).astype(np.float32)
    y = (X**2).astype(np.float32)
    X_test = rng.uniform(-1, 1, (30, 1)).astype(np.float32)
    y_test = (X_test**2).astype(np.float32)
    out = pieces_against_width(X, y, X_test, y_test, (2, 8), (3, 4), epochs=20, lr=0.01,
                               progress=False)
    for key in ("initial", "trained", "test_mse", "kink_inside"):
        assert out[key].shape == (2, 2), key
    np.testing.assert_array_equal(out["widths"], [2, 8])
    for i, width in enumerate((2, 8)):
        for j, seed in enumerate((3, 4)):
            net = make_mlp(1, [width], 1, seed=seed)
            assert out["initial"][i, j] == count_linear_pieces(net, [-1.0], [1.0])
            kinks = first_layer_kinks(net)
            assert out["kink_inside"][i, j] == np.mean(np.abs(kinks) < 1)
            train_model(net, X, y, kind="regression", epochs=20, lr=0.01, seed=seed,
                        eval_every=20, progress=False)
            assert out["trained"][i, j] == count_linear_pieces(net, [-1.0], [1.0])
            assert out["test_mse"][i, j] == score(net, X_test, y_test, kind="regression")["loss"]
            assert 1 <= out["trained"][i, j] <= width + 1


@pytest.mark.parametrize(("kwargs", "error", "name"), [
    ({"widths": (2, 0)}, ValueError, r"widths\[1\]"),
    ({"widths": 4}, TypeError, "widths"),
    ({"seeds": (-1,)}, ValueError, "seeds"),
    ({"epochs": 0}, ValueError, "epochs"),
    ({"lr": 0.0}, ValueError, "lr"),
])
def test_bad_input_names_the_argument(kwargs, error, name):
    X = np.zeros((4, 1), dtype=np.float32)
    args = {"widths": (2,), "seeds": (0,), **kwargs}
    with pytest.raises(error, match=name):
        pieces_against_width(X, X, X, X, args.pop("widths"), args.pop("seeds"), **args)
