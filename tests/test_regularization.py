"""Tests of essay_lib.nets.regularization: exact values on hand-made tensors, properties, bad
input."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from torch import nn

from essay_lib.nets import models
from essay_lib.nets import regularization as reg

pytestmark = pytest.mark.usefixtures("single_torch_thread")

W = torch.tensor([[1.0, -2.0], [3.0, 0.0]])


def _linear(weight, bias):
    layer = nn.Linear(weight.shape[1], weight.shape[0])
    with torch.no_grad():
        layer.weight.copy_(weight)
        layer.bias.copy_(bias)
    return layer


# ----------------------------------------------------------------------------- penalties
def test_l1_penalty_exact_value():
    assert float(reg.l1_penalty(W, 0.5)) == pytest.approx(3.0)
    assert float(reg.l1_penalty([W, torch.tensor([[-4.0]])], 1.0)) == pytest.approx(10.0)


def test_l2_penalty_exact_value():
    assert float(reg.l2_penalty(W, 0.5)) == pytest.approx(7.0)
    assert float(reg.l2_penalty(np.array([[3.0, 4.0]]), 2)) == pytest.approx(50.0)


def test_penalties_ignore_biases_of_a_module():
    layer = _linear(W, torch.tensor([100.0, -100.0]))
    assert reg.l1_penalty(layer, 1.0).item() == pytest.approx(6.0)
    assert reg.l2_penalty(layer, 1.0).item() == pytest.approx(14.0)
    assert len(reg.weight_tensors(models.make_mlp(3, [4, 5], 2))) == 3


def test_penalty_gradients_are_sign_and_twice_the_weight():
    w = torch.tensor([[1.5, -2.0, 0.5]], requires_grad=True)
    reg.l1_penalty(w, 0.1).backward()
    torch.testing.assert_close(w.grad, torch.tensor([[0.1, -0.1, 0.1]]))
    w.grad = None
    reg.l2_penalty(w, 0.1).backward()
    torch.testing.assert_close(w.grad, torch.tensor([[0.3, -0.4, 0.1]]))


def test_zero_coefficient_gives_zero():
    assert float(reg.l1_penalty(W, 0.0)) == 0.0
    assert float(reg.l2_penalty(W, 0)) == 0.0


# ----------------------------------------------------------------------------- statistics
def test_weight_sparsity_exact_and_strict_threshold():
    w = np.array([[0.0, 1e-4, 0.5, -2e-3]])
    assert reg.weight_sparsity(w, threshold=1e-3) == pytest.approx(0.5)
    assert reg.weight_sparsity(w, threshold=2e-3) == pytest.approx(0.5)  # |w| < threshold, strict
    assert reg.weight_sparsity(w, threshold=3e-3) == pytest.approx(0.75)
    assert reg.weight_sparsity([w, np.zeros((2, 2))], threshold=1e-3) == pytest.approx(6 / 8)


def test_weight_norm_and_flat_weights_exact():
    assert reg.weight_norm(np.array([[3.0, 4.0]])) == pytest.approx(5.0)
    assert reg.weight_norm([torch.tensor([[3.0]]), torch.tensor([[4.0]])]) == pytest.approx(5.0)
    layer = _linear(W, torch.zeros(2))
    np.testing.assert_array_equal(reg.flat_weights(layer), [1.0, -2.0, 3.0, 0.0])
    assert reg.flat_weights(layer).dtype == np.float64


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 5)),
              elements=st.floats(-10, 10)),
       st.floats(0, 5))
def test_penalties_agree_with_norms(w, coefficient):
    assert float(reg.l2_penalty(w, coefficient)) == pytest.approx(
        coefficient * reg.weight_norm(w) ** 2, rel=1e-9, abs=1e-9)
    assert float(reg.l1_penalty(w, 1.0)) >= reg.weight_norm(w) - 1e-9  # ||w||_1 >= ||w||_2


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.integers(1, 30), elements=st.floats(-1, 1)),
       st.floats(1e-6, 1), st.floats(1e-6, 1))
def test_sparsity_is_monotone_in_threshold(w, t1, t2):
    low, high = sorted((t1, t2))
    assert 0 <= reg.weight_sparsity(w[None], low) <= reg.weight_sparsity(w[None], high) <= 1


@pytest.mark.parametrize("call, error, word", [
    (lambda: reg.l1_penalty(W, -1.0), ValueError, "coefficient"),
    (lambda: reg.l2_penalty(W, float("nan")), ValueError, "coefficient"),
    (lambda: reg.l1_penalty(W, "big"), TypeError, "coefficient"),
    (lambda: reg.l2_penalty(W, True), TypeError, "coefficient"),
    (lambda: reg.weight_sparsity(W, 0.0), ValueError, "threshold"),
    (lambda: reg.weight_sparsity(W, "1e-3"), TypeError, "threshold"),
    (lambda: reg.weight_norm([]), ValueError, "no weight"),
    (lambda: reg.weight_norm("weights"), TypeError, "model_or_weights"),
    (lambda: reg.weight_norm([W, 3.0]), TypeError, "weights[1]"),
    (lambda: reg.weight_norm(torch.tensor([[float("inf")]])), ValueError, "weights[0]"),
])
def test_bad_input(call, error, word):
    with pytest.raises(error, match=word.replace("[", r"\[").replace("]", r"\]")):
        call()
