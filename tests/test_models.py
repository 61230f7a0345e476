"""essay_lib.nets.models: shapes, seeded initialisation, dropout conventions, bad input."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from essay_lib.nets import models

pytestmark = pytest.mark.usefixtures("single_torch_thread")


def test_widths_layers_and_output_shape():
    model = models.make_mlp(3, [5, 4], 2, activation="tanh", seed=0)
    assert model.widths == (3, 5, 4, 2)
    assert model.n_hidden_layers == 2
    assert [(layer.in_features, layer.out_features) for layer in model.layers] == [
        (3, 5), (5, 4), (4, 2)]
    out, hidden = model.forward_with_hidden(torch.zeros(7, 3))
    assert out.shape == (7, 2)
    assert [h.shape for h in hidden] == [(7, 5), (7, 4)]
    assert models.count_parameters(model) == 3 * 5 + 5 + 5 * 4 + 4 + 4 * 2 + 2


def test_forward_matches_a_hand_computation():
    model = models.make_mlp(2, [3], 1, activation="relu", seed=4)
    x = torch.tensor([[0.5, -1.0], [2.0, 0.25]])
    (w1, b1), (w2, b2) = models.initial_parameters((2, 3, 1), seed=4)
    expected = torch.relu(x @ w1.T + b1) @ w2.T + b2
    torch.testing.assert_close(model(x), expected)
    _, (hidden,) = model.forward_with_hidden(x)
    torch.testing.assert_close(hidden, torch.relu(x @ w1.T + b1))


@pytest.mark.parametrize("activation, function", [
    ("relu", torch.relu), ("tanh", torch.tanh), ("sigmoid", torch.sigmoid),
    ("identity", lambda z: z)])
def test_activations(activation, function):
    model = models.make_mlp(1, [2], 1, activation=activation, seed=0)
    x = torch.linspace(-2, 2, 5)[:, None]
    _, (hidden,) = model.forward_with_hidden(x)
    torch.testing.assert_close(hidden, function(model.layers[0](x)))


def test_same_seed_same_weights_different_seed_different():
    a, b, c = (models.make_mlp(4, [8, 8], 3, seed=s) for s in (1, 1, 2))
    for pa, pb, pc in zip(a.parameters(), b.parameters(), c.parameters(), strict=True):
        assert torch.equal(pa, pb)
        assert not torch.equal(pa, pc)


def test_initialisation_is_pytorch_default_range_and_ignores_global_rng():
    torch.manual_seed(123)
    a = models.make_mlp(16, [32], 1, seed=0)
    torch.manual_seed(999)
    b = models.make_mlp(16, [32], 1, seed=0)
    assert torch.equal(a.layers[0].weight, b.layers[0].weight)
    bound = 1 / math.sqrt(16)
    weight = a.layers[0].weight
    assert weight.abs().max() <= bound
    assert weight.abs().max() > 0.9 * bound  # spread over the whole range
    assert abs(float(weight.detach().mean())) < 0.2 * bound


@torch.no_grad()
def test_dropout_is_inverted_and_only_in_train_mode():
    width = 2000
    model = models.make_mlp(1, [width], 1, activation="identity", drop_rate=0.25, seed=0)
    assert model.drop_rates == (0.25,)
    # every hidden unit outputs 1; the output averages them
    model.layers[0].weight.fill_(1.0)
    model.layers[0].bias.zero_()
    model.layers[1].weight.fill_(1.0 / width)
    model.layers[1].bias.zero_()
    x = torch.ones(1, 1)
    model.eval()
    assert float(model(x)) == pytest.approx(1.0, rel=1e-5)
    model.train()
    torch.manual_seed(0)
    first = float(model(x))
    # inverted dropout: kept units are scaled by 1 / (1 - 0.25), so out = n_kept / (0.75 * width)
    n_kept = first * 0.75 * width
    assert n_kept == pytest.approx(round(n_kept), abs=1e-2)
    assert round(n_kept) != width
    assert 0.7 * width < n_kept < 0.8 * width
    assert float(model(x)) != first  # a fresh mask on the next call
    torch.manual_seed(0)
    assert float(model(x)) == first  # masks come from torch's global stream


def test_hidden_activations_are_before_dropout():
    model = models.make_mlp(3, [50], 1, drop_rate=0.5, seed=0)
    model.train()
    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    _, (hidden,) = model.forward_with_hidden(x)
    torch.testing.assert_close(hidden, torch.relu(model.layers[0](x)))


def test_per_layer_and_input_drop_rates():
    model = models.make_mlp(5, [4, 4], 1, drop_rate=[0.1, 0.0], input_drop_rate=0.2, seed=0)
    assert model.drop_rates == (0.1, 0.0)
    assert model.input_drop_rate == 0.2
    model.eval()
    x = torch.ones(3, 5)
    torch.testing.assert_close(model(x), model(x))  # deterministic in eval mode


@torch.no_grad()
def test_input_dropout_zeroes_whole_features_in_train_mode():
    model = models.make_mlp(200, [1], 1, activation="identity", input_drop_rate=0.5, seed=0)
    with torch.no_grad():
        model.layers[0].weight.fill_(1.0)
        model.layers[0].bias.zero_()
    model.train()
    torch.manual_seed(1)
    _, (hidden,) = model.forward_with_hidden(torch.ones(1, 200))
    # sum over 200 inputs each 0 or 2: an even integer near 200, not exactly 200 by chance
    value = float(hidden)
    assert value == pytest.approx(round(value / 2) * 2, abs=1e-4)
    assert 140 < value < 260


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(hidden=[]), ValueError, "hidden"),
    (dict(hidden=()), ValueError, "hidden"),
    (dict(hidden=8), TypeError, "hidden"),
    (dict(hidden=[8, 0]), ValueError, r"hidden\[1\]"),
    (dict(hidden=[8, 2.5]), TypeError, r"hidden\[1\]"),
    (dict(n_inputs=0), ValueError, "n_inputs"),
    (dict(n_outputs=-1), ValueError, "n_outputs"),
    (dict(drop_rate=1.0), ValueError, r"drop_rate.*\[0, 1\)"),
    (dict(drop_rate=-0.1), ValueError, "drop_rate"),
    (dict(drop_rate="0.5"), TypeError, "drop_rate"),
    (dict(drop_rate=[0.5]), ValueError, "one entry per hidden layer"),
    (dict(drop_rate=[0.5, 1.5]), ValueError, r"drop_rate\[1\]"),
    (dict(input_drop_rate=1.0), ValueError, "input_drop_rate"),
    (dict(activation="gelu"), ValueError, "activation"),
    (dict(seed=1.5), TypeError, "seed"),
])
def test_bad_input_names_the_argument(kwargs, error, words):
    args = dict(n_inputs=3, hidden=[8, 8], n_outputs=1)
    args.update(kwargs)
    with pytest.raises(error, match=words):
        models.make_mlp(args.pop("n_inputs"), args.pop("hidden"), args.pop("n_outputs"), **args)


@settings(max_examples=30, deadline=None)
@given(widths=st.lists(st.integers(1, 12), min_size=3, max_size=5), seed=st.integers(0, 10**6))
def test_initial_parameters_shapes_and_bounds(widths, seed):
    params = models.initial_parameters(widths, seed)
    assert len(params) == len(widths) - 1
    layers = zip(params, widths[:-1], widths[1:], strict=True)
    for (weight, bias), fan_in, fan_out in layers:
        assert weight.shape == (fan_out, fan_in) and bias.shape == (fan_out,)
        assert weight.dtype == torch.float32
        bound = 1 / math.sqrt(fan_in)
        assert weight.abs().max() <= bound and bias.abs().max() <= bound
