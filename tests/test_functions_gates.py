"""Chapter 03's gate helpers: hidden activations, trained gate networks and how much their
gates share units and weights (exact on the hand-set network)."""

import numpy as np
import pytest
import torch

from essay_lib.measures.gates import (
    gate_accuracy,
    gate_sharing,
    gate_targets,
    hand_set_gate_network,
    hidden_activations,
    train_gate_network,
    train_gate_networks,
    unit_ablation,
    weight_gate_sensitivity,
)
from essay_lib.nets.models import make_mlp

pytestmark = pytest.mark.usefixtures("single_torch_thread")
NAMES = ("and", "or", "xor")


def test_hidden_activations_of_the_hand_set_network():
    # h1 = relu(x1 + x2), h2 = relu(x1 + x2 - 1) on 00, 01, 10, 11
    h = hidden_activations(hand_set_gate_network(NAMES))
    assert h.dtype == np.float64
    np.testing.assert_array_equal(h, [[0, 0], [1, 0], [1, 0], [2, 1]])
    model = make_mlp(2, [4], 1, seed=2)
    X = np.array([[0.3, -0.7]], dtype=np.float32)
    with torch.no_grad():
        expected = model.forward_with_hidden(torch.as_tensor(X))[1][0].double().numpy()
    np.testing.assert_array_equal(hidden_activations(model, X), expected)


def test_gate_sharing_of_the_hand_set_network_is_exact():
    share = gate_sharing(hand_set_gate_network(NAMES), gate_targets(NAMES),
                         relative_sensitivity=0.0)
    assert share["worst_accuracy"] == 1.0
    assert share["live_units"] == 2
    # without h1 OR and XOR break; without h2 all three break (tests/test_gates.py)
    np.testing.assert_array_equal(share["ablation"][1:], [[0, 2, 2], [1, 1, 2]])
    assert share["multi_gate_units"] == 2
    # weights into h1 move OR and XOR, those into h2 all three: all 4 serve >= 2 gates
    assert share["multi_gate_weights"] == 4
    assert share["sensitivity"].shape == (3, 2, 2)
    # only AND: no unit or weight serves two gates
    alone = gate_sharing(hand_set_gate_network(("and",)), gate_targets(("and",)))
    assert alone["multi_gate_units"] == 0 and alone["multi_gate_weights"] == 0
    assert alone["live_units"] == 1  # h1 has output weight 0 for AND


def test_trained_gate_networks_solve_the_gates_and_are_reproducible():
    model = train_gate_network(NAMES, 8, seed=0, epochs=500, lr=0.03)
    assert not model.training
    np.testing.assert_array_equal(gate_accuracy(model, gate_targets(NAMES)), [1, 1, 1])
    summaries = train_gate_networks(NAMES, 8, range(2), epochs=500, lr=0.03, progress=False)
    assert [s["seed"] for s in summaries] == [0, 1]
    first = summaries[0]
    for a, b in zip(first["model"].parameters(), model.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    np.testing.assert_array_equal(first["ablation"], unit_ablation(model, gate_targets(NAMES)))
    sens = weight_gate_sensitivity(model)
    np.testing.assert_array_equal(first["sensitivity"], sens)
    expected = int(((sens > 0.05 * sens.max()).sum(axis=0) >= 2).sum())
    assert first["multi_gate_weights"] == expected
    assert 1 <= first["live_units"] <= 8


@pytest.mark.parametrize(("call", "error", "name"), [
    (lambda: train_gate_network(("and", "nope")), ValueError, "names"),
    (lambda: train_gate_network(NAMES, 0), ValueError, "width"),
    (lambda: train_gate_network(NAMES, 2, epochs=0), ValueError, "epochs"),
    (lambda: train_gate_networks(NAMES, 2, [0, -1]), ValueError, r"seeds\[1\]"),
    (lambda: train_gate_networks(NAMES, 2, 3), TypeError, "seeds"),
    (lambda: gate_sharing(hand_set_gate_network(NAMES), gate_targets(NAMES),
                          break_error=0.0), ValueError, "break_error"),
    (lambda: gate_sharing(hand_set_gate_network(NAMES), gate_targets(NAMES),
                          relative_sensitivity=1.0), ValueError, "relative_sensitivity"),
    (lambda: gate_sharing(hand_set_gate_network(NAMES), np.zeros((4, 2))), ValueError,
     "targets"),
    (lambda: hidden_activations(make_mlp(2, [3, 3], 1)), ValueError, "one hidden layer"),
])
def test_bad_input_names_the_argument(call, error, name):
    with pytest.raises(error, match=name):
        call()
