"""Tests of essay_lib.regularization: exact values on hand-made tensors, properties, bad input."""

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


# ----------------------------------------------------------------------------- the 2-D picture
A = np.array([[1.0, 0.4], [0.4, 2.0]])
C = np.array([2.0, 0.3])


def _brute_force(norm, radius=1.0, n=200_001):
    boundary = reg.ball_boundary(radius, norm, n_points=n)
    return boundary[np.argmin(reg.quadratic_loss(boundary, A, C))]


def test_quadratic_loss_exact():
    assert reg.quadratic_loss(np.array([0.0, 0.0]), A, C) == pytest.approx(
        2.0 ** 2 + 2 * 0.4 * 2.0 * 0.3 + 2.0 * 0.3 ** 2)
    assert reg.quadratic_loss(np.zeros((3, 4, 2)), A, C).shape == (3, 4)


@pytest.mark.parametrize("norm", ["l1", "l2"])
def test_constrained_minimum_matches_brute_force(norm):
    exact = reg.constrained_minimum(A, C, 1.0, norm)
    np.testing.assert_allclose(exact, _brute_force(norm), atol=2e-4)
    assert reg.quadratic_loss(exact, A, C) <= reg.quadratic_loss(_brute_force(norm), A, C) + 1e-12


def test_l1_minimum_lands_on_an_axis_and_l2_does_not():
    w1 = reg.constrained_minimum(A, C, 1.0, "l1")
    w2 = reg.constrained_minimum(A, C, 1.0, "l2")
    np.testing.assert_allclose(w1, [1.0, 0.0], atol=1e-12)  # a vertex of the diamond
    assert np.linalg.norm(w2) == pytest.approx(1.0, abs=1e-9)
    assert abs(w2[1]) > 0.1


def test_centre_inside_the_ball_is_the_answer():
    np.testing.assert_array_equal(reg.constrained_minimum(A, [0.2, 0.1], 1.0, "l1"), [0.2, 0.1])


@pytest.mark.parametrize("norm, order", [("l1", 1), ("l2", 2)])
def test_ball_boundary_has_the_radius(norm, order):
    points = reg.ball_boundary(2.5, norm, n_points=101)
    np.testing.assert_allclose(np.linalg.norm(points, ord=order, axis=1), 2.5)


@pytest.mark.parametrize("call, word", [
    (lambda: reg.constrained_minimum(A, C, 1.0, "l3"), "norm"),
    (lambda: reg.constrained_minimum(A, C, 0.0, "l1"), "radius"),
    (lambda: reg.constrained_minimum(-A, C, 1.0, "l1"), "positive definite"),
    (lambda: reg.constrained_minimum(A, [1.0, 2.0, 3.0], 1.0, "l1"), "center"),
    (lambda: reg.ball_boundary(1.0, "l2", n_points=2), "n_points"),
    (lambda: reg.quadratic_loss(np.zeros(3), A, C), "w must"),
])
def test_picture_bad_input(call, word):
    with pytest.raises(ValueError, match=word):
        call()


# ----------------------------------------------------------------------------- linear paths
def _orthogonal_design(n=40, d=3, seed=0):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((n, d)))
    X = q * np.sqrt(n)  # X^T X = n I
    y = X @ np.array([1.0, -0.3, 0.05]) + 0.1 * rng.standard_normal(n)
    return X, y


def test_l1_path_is_soft_thresholding_on_an_orthogonal_design():
    X, y = _orthogonal_design()
    b = X.T @ y / len(X)
    lams = np.array([0.01, 0.2, 1.0, 3.0])
    path = reg.linear_penalty_path(X, y, lams, "l1")
    expected = np.sign(b) * np.maximum(np.abs(b)[None] - lams[:, None] / 2, 0.0)
    np.testing.assert_allclose(path, expected, atol=1e-8)
    assert np.all(path[-1] == 0.0)  # exact zeros, not merely small


def test_l2_path_is_shrinkage_on_an_orthogonal_design():
    X, y = _orthogonal_design()
    b = X.T @ y / len(X)
    lams = np.array([0.01, 0.2, 1.0, 3.0])
    path = reg.linear_penalty_path(X, y[:, None], lams, "l2")
    np.testing.assert_allclose(path, b[None] / (1 + lams[:, None]), rtol=1e-12)
    assert np.all(path != 0.0)


def test_l1_path_satisfies_the_optimality_conditions():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((60, 5))
    y = X @ np.array([2.0, 0.0, -1.0, 0.0, 0.5]) + rng.standard_normal(60)
    for lam, w in zip([0.05, 0.5], reg.linear_penalty_path(X, y, [0.05, 0.5], "l1"), strict=True):
        grad = 2 / len(X) * X.T @ (y - X @ w)  # must equal lam*sign(w) where w != 0, |.| <= lam
        nonzero = w != 0
        np.testing.assert_allclose(grad[nonzero], lam * np.sign(w[nonzero]), atol=1e-6)
        assert np.all(np.abs(grad[~nonzero]) <= lam + 1e-6)


@pytest.mark.parametrize("args, word", [
    ((np.ones((5, 2)), np.ones(5), [0.1], "l0"), "norm"),
    ((np.ones((5, 2)), np.ones(4), [0.1], "l1"), "y must"),
    ((np.ones(5), np.ones(5), [0.1], "l1"), "X must"),
    ((np.ones((5, 2)), np.ones(5), [0.0], "l2"), "coefficients"),
    ((np.ones((5, 2)), np.ones(5), [], "l2"), "coefficients"),
])
def test_path_bad_input(args, word):
    with pytest.raises(ValueError, match=word):
        reg.linear_penalty_path(*args)
