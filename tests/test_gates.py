"""Tests for essay_lib.measures.gates: exact hand-set gates, contributions, ablation, shared
weights."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch

from essay_lib.measures.gates import (
    GATE_INPUTS,
    GATE_NAMES,
    gate_accuracy,
    gate_targets,
    hand_set_gate_network,
    unit_ablation,
    unit_contributions,
    weight_gate_sensitivity,
)
from essay_lib.nets.models import make_mlp
from essay_lib.report.plotting import plot_gate_matrix

pytestmark = pytest.mark.usefixtures("single_torch_thread")


def test_truth_tables():
    t = gate_targets(("and", "or", "xor"))
    assert t.shape == (4, 3) and t.dtype == np.float32
    x1, x2 = GATE_INPUTS[:, 0].astype(bool), GATE_INPUTS[:, 1].astype(bool)
    np.testing.assert_array_equal(t[:, 0], x1 & x2)
    np.testing.assert_array_equal(t[:, 1], x1 | x2)
    np.testing.assert_array_equal(t[:, 2], x1 ^ x2)


def test_hand_set_network_computes_every_gate_exactly():
    model = hand_set_gate_network(GATE_NAMES)
    with torch.no_grad():
        out = model(torch.as_tensor(GATE_INPUTS)).numpy()
    np.testing.assert_array_equal(out, gate_targets(GATE_NAMES))
    np.testing.assert_array_equal(gate_accuracy(model, gate_targets(GATE_NAMES)), np.ones(6))


def test_contributions_sum_to_the_output():
    model = make_mlp(2, [5], 3, seed=3)
    X = np.random.default_rng(0).normal(size=(7, 2)).astype(np.float32)
    c = unit_contributions(model, X)
    assert c.shape == (7, 3, 5)
    with torch.no_grad():
        out = model(torch.as_tensor(X)).double().numpy()
    bias = model.layers[1].bias.detach().double().numpy()
    np.testing.assert_allclose(c.sum(-1) + bias, out, atol=1e-6)
    # hand-set: XOR on input 11 is h1 - 2 h2 = 2 - 2
    hand = unit_contributions(hand_set_gate_network(("and", "or", "xor")))
    np.testing.assert_array_equal(hand[3], [[0, 1], [2, -1], [2, -2]])


def test_ablation_of_the_hand_set_network():
    model = hand_set_gate_network(("and", "or", "xor"))
    ab = unit_ablation(model, gate_targets(("and", "or", "xor")))
    assert ab.shape == (3, 3)
    np.testing.assert_array_equal(ab[0], [0, 0, 0])
    # without h1: AND intact (it is h2); OR(11) = -h2 = -1 (error 2), XOR(11) = -2 (error 2)
    np.testing.assert_array_equal(ab[1], [0, 2, 2])
    # without h2: AND wrong at 11, OR = h1 = 2 at 11, XOR = 2 at 11
    np.testing.assert_array_equal(ab[2], [1, 1, 2])


def test_every_first_layer_weight_feeds_several_gates():
    model = hand_set_gate_network(("and", "or", "xor"))
    sens = weight_gate_sensitivity(model)
    assert sens.shape == (3, 2, 2)
    # closed form |W2[k, j]| * mean(1[pre_j > 0] * |x_i|): h1 active on 01, 10, 11; h2 only on 11
    W2 = np.abs(model.layers[1].weight.detach().double().numpy())
    active = np.array([[0, 1, 1, 1], [0, 0, 0, 1]], dtype=float)  # (units, inputs)
    mean_x = active @ GATE_INPUTS.astype(float) / 4  # (units, 2)
    np.testing.assert_allclose(sens, W2[:, :, None] * mean_x[None], atol=1e-7)
    # the weight x1 -> h2 takes part in AND, OR and XOR
    assert np.all(sens[:, 1, 0] > 0)
    # and x1 -> h1 in OR and XOR but not AND
    assert sens[0, 0, 0] == 0 and sens[1, 0, 0] > 0 and sens[2, 0, 0] > 0


def test_bad_input():
    with pytest.raises(ValueError, match="names"):
        gate_targets(("and", "maybe"))
    with pytest.raises(ValueError, match="names"):
        gate_targets(())
    with pytest.raises(TypeError, match="names"):
        gate_targets("xor")
    with pytest.raises(ValueError, match="one hidden layer"):
        unit_contributions(make_mlp(2, [3, 3], 1))
    with pytest.raises(TypeError, match="model"):
        unit_contributions(torch.nn.Linear(2, 1))
    with pytest.raises(ValueError, match="X"):
        unit_contributions(make_mlp(2, [3], 1), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="X"):
        unit_contributions(make_mlp(2, [3], 1), np.full((4, 2), np.nan))
    with pytest.raises(ValueError, match="targets"):
        unit_ablation(make_mlp(2, [3], 2), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="matrix"):
        plot_gate_matrix(np.zeros((2, 3)), row_labels=["a"], column_labels=["x", "y", "z"])


def test_plot_gate_matrix_returns_axes():
    ax = plot_gate_matrix(np.array([[1.0, -2.0]]), row_labels=["h1"], column_labels=["and", "or"],
                          title="t")
    assert ax.get_title() == "t"
    assert len(ax.texts) == 2
