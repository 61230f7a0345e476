"""Chapter 03's polynomial helpers: the weight-decay path, the intercept removed, and the
literal additivity defect by degree (checked against closed forms)."""

import numpy as np
import pytest
from numpy.polynomial import Polynomial

from essay_lib.measures.polynomials import (
    additivity_by_degree,
    fit_polynomial,
    mean_squared_error,
    weight_decay_path,
    without_intercept,
)


@pytest.fixture
def points():
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(-1, 1, 10))
    x_test = rng.uniform(-1, 1, 50)
    return x, x**2 + 0.1 * rng.standard_normal(10), x_test, x_test**2


def test_weight_decay_path_is_one_fit_per_strength(points):
    x, y, x_test, y_test = points
    l2 = [0.0, 1e-3, 1.0, 1e6]
    path = weight_decay_path(x, y, x_test, y_test, 9, l2)
    assert set(path) == {"l2", "fits", "train_mse", "test_mse"}
    np.testing.assert_array_equal(path["l2"], l2)
    for lam, p, train, test in zip(l2, path["fits"], path["train_mse"], path["test_mse"],
                                   strict=True):
        np.testing.assert_array_equal(p.coef, fit_polynomial(x, y, 9, l2=lam).coef)
        assert train == mean_squared_error(p, x, y)
        assert test == mean_squared_error(p, x_test, y_test)
    assert path["train_mse"][0] < 1e-20  # degree 9 through 10 points
    np.testing.assert_allclose(path["fits"][-1].coef[0], y.mean(), atol=1e-5)  # flat at mean(y)
    assert np.all(np.diff(path["train_mse"]) >= -1e-12)  # more decay never fits better
    zero = weight_decay_path(x, y, x_test, y_test, 9, [1e9], penalize_intercept=True)
    np.testing.assert_allclose(zero["fits"][0].coef, 0, atol=1e-6)


def test_without_intercept_shifts_to_zero_at_zero():
    p = Polynomial([0.7, -2.0, 3.0])
    g = without_intercept(p)
    x = np.linspace(-1, 1, 9)
    np.testing.assert_allclose(g(x), p(x) - 0.7, atol=1e-15)
    assert g(0.0) == 0.0
    assert "without_intercept" in repr(g)


def test_additivity_by_degree_matches_closed_forms():
    rng = np.random.default_rng(1)
    x1, x2 = rng.uniform(-0.5, 0.5, size=(2, 500, 1))
    line, square, constant = Polynomial([0.3, -1.5]), Polynomial([0.0, 0.0, 1.0]), Polynomial([2.0])
    out = additivity_by_degree([constant, line, square], x1, x2)
    assert out["literal"].shape == out["centred"].shape == (3,)
    # c x + b: defect -b; constant b: defect -b; x^2: defect 2 x1 x2 (no intercept to remove)
    np.testing.assert_allclose(out["literal"], [2.0, 0.3, np.mean(np.abs(2 * x1 * x2))],
                               rtol=1e-12)
    np.testing.assert_allclose(out["centred"][:2], 0, atol=1e-15)
    np.testing.assert_allclose(out["centred"][2], np.mean(np.abs(2 * x1 * x2)), rtol=1e-12)


@pytest.mark.parametrize(("call", "error", "name"), [
    (lambda p: weight_decay_path(*p, 3, [0.1, -1.0]), ValueError, "l2_values"),
    (lambda p: weight_decay_path(*p, 3, []), ValueError, "l2_values"),
    (lambda p: weight_decay_path(*p, -1, [0.1]), ValueError, "degree"),
    (lambda p: weight_decay_path(p[0], p[1][:3], p[2], p[3], 3, [0.1]), ValueError,
     "x_train and y_train"),
    (lambda p: without_intercept(3.0), TypeError, "p must be a callable"),
    (lambda p: additivity_by_degree([], np.zeros((2, 1)), np.zeros((2, 1))), TypeError,
     "polynomials"),
    (lambda p: additivity_by_degree([1.0], np.zeros((2, 1)), np.zeros((2, 1))), TypeError,
     "polynomials"),
])
def test_bad_input_names_the_argument(points, call, error, name):
    with pytest.raises(error, match=name):
        call(points)
