"""Tests of essay_lib.measures.penalty_geometry: the constraint picture against brute force,
the lasso and ridge paths against closed forms and optimality conditions, bad input."""

import numpy as np
import pytest

from essay_lib.measures import penalty_geometry as geo

# ----------------------------------------------------------------------------- the 2-D picture
A = np.array([[1.0, 0.4], [0.4, 2.0]])
C = np.array([2.0, 0.3])


def _brute_force(norm, radius=1.0, n=200_001):
    boundary = geo.ball_boundary(radius, norm, n_points=n)
    return boundary[np.argmin(geo.quadratic_loss(boundary, A, C))]


def test_quadratic_loss_exact():
    assert geo.quadratic_loss(np.array([0.0, 0.0]), A, C) == pytest.approx(
        2.0 ** 2 + 2 * 0.4 * 2.0 * 0.3 + 2.0 * 0.3 ** 2)
    assert geo.quadratic_loss(np.zeros((3, 4, 2)), A, C).shape == (3, 4)


@pytest.mark.parametrize("norm", ["l1", "l2"])
def test_constrained_minimum_matches_brute_force(norm):
    exact = geo.constrained_minimum(A, C, 1.0, norm)
    np.testing.assert_allclose(exact, _brute_force(norm), atol=2e-4)
    assert geo.quadratic_loss(exact, A, C) <= geo.quadratic_loss(_brute_force(norm), A, C) + 1e-12


def test_l1_minimum_lands_on_an_axis_and_l2_does_not():
    w1 = geo.constrained_minimum(A, C, 1.0, "l1")
    w2 = geo.constrained_minimum(A, C, 1.0, "l2")
    np.testing.assert_allclose(w1, [1.0, 0.0], atol=1e-12)  # a vertex of the diamond
    assert np.linalg.norm(w2) == pytest.approx(1.0, abs=1e-9)
    assert abs(w2[1]) > 0.1


def test_centre_inside_the_ball_is_the_answer():
    np.testing.assert_array_equal(geo.constrained_minimum(A, [0.2, 0.1], 1.0, "l1"), [0.2, 0.1])


@pytest.mark.parametrize("norm, order", [("l1", 1), ("l2", 2)])
def test_ball_boundary_has_the_radius(norm, order):
    points = geo.ball_boundary(2.5, norm, n_points=101)
    np.testing.assert_allclose(np.linalg.norm(points, ord=order, axis=1), 2.5)


@pytest.mark.parametrize("call, word", [
    (lambda: geo.constrained_minimum(A, C, 1.0, "l3"), "norm"),
    (lambda: geo.constrained_minimum(A, C, 0.0, "l1"), "radius"),
    (lambda: geo.constrained_minimum(-A, C, 1.0, "l1"), "positive definite"),
    (lambda: geo.constrained_minimum(A, [1.0, 2.0, 3.0], 1.0, "l1"), "center"),
    (lambda: geo.ball_boundary(1.0, "l2", n_points=2), "n_points"),
    (lambda: geo.quadratic_loss(np.zeros(3), A, C), "w must"),
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
    path = geo.linear_penalty_path(X, y, lams, "l1")
    expected = np.sign(b) * np.maximum(np.abs(b)[None] - lams[:, None] / 2, 0.0)
    np.testing.assert_allclose(path, expected, atol=1e-8)
    assert np.all(path[-1] == 0.0)  # exact zeros, not merely small


def test_l2_path_is_shrinkage_on_an_orthogonal_design():
    X, y = _orthogonal_design()
    b = X.T @ y / len(X)
    lams = np.array([0.01, 0.2, 1.0, 3.0])
    path = geo.linear_penalty_path(X, y[:, None], lams, "l2")
    np.testing.assert_allclose(path, b[None] / (1 + lams[:, None]), rtol=1e-12)
    assert np.all(path != 0.0)


def test_l1_path_satisfies_the_optimality_conditions():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((60, 5))
    y = X @ np.array([2.0, 0.0, -1.0, 0.0, 0.5]) + rng.standard_normal(60)
    for lam, w in zip([0.05, 0.5], geo.linear_penalty_path(X, y, [0.05, 0.5], "l1"), strict=True):
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
        geo.linear_penalty_path(*args)
