"""Tests for essay_lib.measures.polynomials: exact fits, interpolation, ridge shrinkage, bad
input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from essay_lib.measures.polynomials import (
    degree_sweep,
    fit_polynomial,
    mean_squared_error,
    polynomial_design,
)


def test_design_is_vandermonde_with_increasing_powers():
    x = np.array([-2.0, 0.5, 3.0])
    V = polynomial_design(x, 3)
    assert V.shape == (3, 4)
    np.testing.assert_allclose(V, np.stack([x**0, x, x**2, x**3], axis=1))
    np.testing.assert_allclose(polynomial_design(x[:, None], 0), np.ones((3, 1)))


def test_noiseless_cubic_is_recovered_exactly():
    x = np.linspace(-1, 1, 25)
    true = np.array([0.5, -1.0, 2.0, 3.0])  # 0.5 - x + 2x^2 + 3x^3
    y = true[0] + true[1] * x + true[2] * x**2 + true[3] * x**3
    p = fit_polynomial(x, y, 3)
    np.testing.assert_allclose(p.coef, true, atol=1e-10)
    # a higher degree finds the same cubic (the extra coefficients are zero)
    q = fit_polynomial(x, y[:, None], 6)
    np.testing.assert_allclose(q.coef, np.r_[true, 0, 0, 0], atol=1e-8)


def test_degree_nine_interpolates_ten_points_and_is_the_pseudo_inverse_solution():
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(-1, 1, 10))
    y = x**2 + 0.1 * rng.standard_normal(10)
    p = fit_polynomial(x, y, 9)
    assert len(p.coef) == 10
    np.testing.assert_allclose(p(x), y, atol=1e-8)
    assert mean_squared_error(p, x, y) < 1e-16
    # under-determined (degree 12, 10 points): still interpolates, and it is pinv(V) @ y
    q = fit_polynomial(x, y, 12)
    np.testing.assert_allclose(q(x), y, atol=1e-8)
    np.testing.assert_allclose(q.coef, np.linalg.pinv(polynomial_design(x, 12)) @ y, atol=1e-6)


def test_ridge_matches_closed_form_and_huge_l2_gives_a_constant():
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, 15)
    y = x**2 + 0.1 * rng.standard_normal(15)
    V = polynomial_design(x, 4)
    lam, n = 0.03, len(x)
    # all coefficients penalised: (V'V/n + lam I) c = V'y/n
    closed = np.linalg.solve(V.T @ V / n + lam * np.eye(5), V.T @ y / n)
    np.testing.assert_allclose(fit_polynomial(x, y, 4, l2=lam, penalize_intercept=True).coef,
                               closed, rtol=1e-8)
    # intercept free (the default): penalty matrix has a 0 in the corner
    E = np.eye(5)
    E[0, 0] = 0
    closed = np.linalg.solve(V.T @ V / n + lam * E, V.T @ y / n)
    np.testing.assert_allclose(fit_polynomial(x, y, 4, l2=lam).coef, closed, rtol=1e-8)
    flat = fit_polynomial(x, y, 9, l2=1e9)
    np.testing.assert_allclose(flat.coef[0], y.mean(), atol=1e-6)
    np.testing.assert_allclose(flat.coef[1:], 0, atol=1e-6)
    zero = fit_polynomial(x, y, 9, l2=1e9, penalize_intercept=True)
    np.testing.assert_allclose(zero.coef, 0, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n=st.integers(3, 20),
    degree=st.integers(0, 9),
    l2_small=st.floats(1e-6, 10.0),
    factor=st.floats(1.0, 1e3),
    penalize_intercept=st.booleans(),
)
def test_larger_l2_never_increases_the_penalised_coefficient_norm(
    seed, n, degree, l2_small, factor, penalize_intercept
):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    y = rng.normal(size=n)
    start = 0 if penalize_intercept else 1
    norms = [
        np.linalg.norm(fit_polynomial(x, y, degree, l2=lam,
                                      penalize_intercept=penalize_intercept).coef[start:])
        for lam in (0.0, l2_small, l2_small * factor)
    ]
    tol = 1e-7 * (1 + norms[0])
    assert norms[1] <= norms[0] + tol
    assert norms[2] <= norms[1] + tol


def test_degree_sweep_train_error_falls_and_test_curve_is_u_shaped():
    rng = np.random.default_rng(0)
    x_train = np.sort(rng.uniform(-1, 1, 10))
    y_train = x_train**2 + 0.1 * rng.standard_normal(10)
    x_test = rng.uniform(-1, 1, 200)
    y_test = x_test**2 + 0.1 * rng.standard_normal(200)
    sweep = degree_sweep(x_train, y_train, x_test, y_test, range(0, 10))
    assert list(sweep["degree"]) == list(range(10))
    assert np.all(np.diff(sweep["train_mse"]) <= 1e-12)  # nested models: never worse in-sample
    assert sweep["train_mse"][9] < 1e-16
    best = int(sweep["degree"][np.argmin(sweep["test_mse"])])
    assert 2 <= best <= 4
    assert sweep["test_mse"][9] > 3 * sweep["test_mse"][2]
    assert sweep["test_mse"][0] > 3 * sweep["test_mse"][2]
    assert sweep["coef_norm"].shape == (10,)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: fit_polynomial([0.0, 1.0], [0.0, 1.0], -1), "degree"),
        (lambda: polynomial_design([0.0, 1.0], -2), "degree"),
        (lambda: fit_polynomial([0.0, 1.0, 2.0], [0.0, 1.0], 1), "same length"),
        (lambda: fit_polynomial([0.0, np.nan], [0.0, 1.0], 1), "x contains NaN"),
        (lambda: fit_polynomial([0.0, 1.0], [np.inf, 1.0], 1), "y contains NaN"),
        (lambda: fit_polynomial([0.0, 1.0], [0.0, 1.0], 1, l2=-0.1), "l2"),
        (lambda: fit_polynomial([0.0, 1.0], [0.0, 1.0], 1, l2=np.nan), "l2"),
        (lambda: fit_polynomial(np.zeros((2, 2)), [0.0, 1.0], 1), "x must have shape"),
        (lambda: fit_polynomial([], [], 1), "at least one"),
        (lambda: degree_sweep([0.0], [0.0], [0.0, 1.0], [0.0], [1]), "x_test and y_test"),
        (lambda: degree_sweep([0.0], [np.nan], [0.0], [0.0], [1]), "y_train"),
        (lambda: degree_sweep([0.0], [0.0], [0.0], [0.0], []), "degrees"),
        (lambda: degree_sweep([0.0], [0.0], [0.0], [0.0], [1, -1]), "degrees"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: fit_polynomial([0.0, 1.0], [0.0, 1.0], 1.5),
        lambda: fit_polynomial([0.0, 1.0], [0.0, 1.0], True),
        lambda: fit_polynomial([0.0, 1.0], [0.0, 1.0], 1, l2="big"),
        lambda: degree_sweep([0.0], [0.0], [0.0], [0.0], 3),
    ],
)
def test_wrong_types_raise_type_error(call):
    with pytest.raises(TypeError):
        call()
