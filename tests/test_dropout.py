"""Tests of essay_lib.nets.dropout: masks, inverted scaling, MC averaging, the exact linear
result."""

import itertools

import matplotlib
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize
from torch import nn

from essay_lib.nets import dropout, models
from essay_lib.report import plotting

matplotlib.use("Agg")
pytestmark = pytest.mark.usefixtures("single_torch_thread")

Z = 5.0  # tolerances below are Z standard errors: a false alarm has probability < 1e-6


# ----------------------------------------------------------------------------- masks
@pytest.mark.parametrize("q", [0.1, 0.5, 0.8])
def test_mask_mean_is_keep_probability_within_a_binomial_bound(q):
    n = 400_000
    mask = dropout.dropout_mask((n,), q, torch.Generator().manual_seed(1))
    assert mask.dtype == torch.float32
    assert set(torch.unique(mask).tolist()) == {0.0, 1.0}
    bound = Z * np.sqrt(q * (1 - q) / n)
    assert abs(float(mask.mean()) - (1 - q)) < bound


def test_mask_is_deterministic_given_the_generator_seed():
    a = dropout.dropout_mask((7, 9), 0.3, torch.Generator().manual_seed(3))
    b = dropout.dropout_mask((7, 9), 0.3, torch.Generator().manual_seed(3))
    c = dropout.dropout_mask((7, 9), 0.3, torch.Generator().manual_seed(4))
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert dropout.dropout_mask(5, 0.0).sum() == 5
    assert dropout.dropout_mask((0, 3), 0.5).shape == (0, 3)


def test_keep_probability_is_one_minus_drop_rate():
    assert dropout.keep_probability(0.2) == pytest.approx(0.8)
    assert dropout.keep_probability(0) == 1.0


def test_inverted_dropout_scales_kept_units_and_keeps_the_expectation():
    q, n, value = 0.6, 400_000, 3.0
    x = torch.full((n,), value, dtype=torch.float64)
    out = dropout.apply_dropout(x, q, torch.Generator().manual_seed(0))
    assert out.dtype == torch.float64 and out.shape == x.shape
    kept = out != 0
    torch.testing.assert_close(out[kept], torch.full((int(kept.sum()),), value / (1 - q),
                                                     dtype=torch.float64))
    bound = Z * value * np.sqrt(q / (1 - q) / n)  # std of x*m/(1-q) is x*sqrt(q/(1-q))
    assert abs(float(out.mean()) - value) < bound


@settings(max_examples=25, deadline=None)
@given(st.floats(0.0, 0.95), st.integers(0, 2**31 - 1))
def test_apply_dropout_output_is_zero_or_scaled_input(q, seed):
    x = torch.linspace(-2, 2, 50)
    out = dropout.apply_dropout(x, q, torch.Generator().manual_seed(seed))
    scaled = x / (1 - q)
    assert torch.all((out == 0) | torch.isclose(out, scaled))


def test_apply_dropout_accepts_numpy_and_rejects_integers():
    out = dropout.apply_dropout(np.ones((2, 3), dtype=np.float32), 0.5,
                                torch.Generator().manual_seed(0))
    assert isinstance(out, torch.Tensor) and out.shape == (2, 3)
    with pytest.raises(TypeError, match="x must"):
        dropout.apply_dropout(torch.ones(3, dtype=torch.int64), 0.5)


@pytest.mark.parametrize("call, error, word", [
    (lambda: dropout.dropout_mask((3,), 1.0), ValueError, "drop_rate"),
    (lambda: dropout.dropout_mask((3,), -0.1), ValueError, "drop_rate"),
    (lambda: dropout.dropout_mask((3,), "half"), TypeError, "drop_rate"),
    (lambda: dropout.dropout_mask((3,), True), TypeError, "drop_rate"),
    (lambda: dropout.dropout_mask((-1, 3), 0.5), ValueError, "shape"),
    (lambda: dropout.dropout_mask((3,), 0.5, generator=3), TypeError, "generator"),
    (lambda: dropout.apply_dropout(torch.ones(3), 1.5), ValueError, "drop_rate"),
    (lambda: dropout.keep_probability(1.0), ValueError, "drop_rate"),
])
def test_mask_bad_input(call, error, word):
    with pytest.raises(error, match=word):
        call()


# ----------------------------------------------------------------------------- MC averaging
X_SMALL = np.random.default_rng(0).standard_normal((6, 3)).astype(np.float32)


def test_mc_predict_shape_determinism_and_modes():
    model = models.make_mlp(3, [16, 16], 2, drop_rate=0.5, seed=0)
    model.eval()
    state = torch.random.get_rng_state()
    a = dropout.mc_predict(model, X_SMALL, 20, seed=1)
    b = dropout.mc_predict(model, X_SMALL, 20, seed=1, max_rows=7)  # 1 sample per chunk
    c = dropout.mc_predict(model, X_SMALL, 20, seed=2)
    assert a.shape == (20, 6, 2) and a.dtype == np.float64
    np.testing.assert_array_equal(a, dropout.mc_predict(model, X_SMALL, 20, seed=1))
    assert b.shape == a.shape and not np.array_equal(a, c)
    assert torch.equal(state, torch.random.get_rng_state())  # global stream untouched
    assert not model.training and not any(m.training for m in model.modules())
    model.train()
    dropout.mc_predict(model, X_SMALL, 3, seed=0)
    assert all(m.training for m in model.modules())


def test_mc_samples_differ_from_each_other_and_from_weight_scaling():
    model = models.make_mlp(3, [16], 1, drop_rate=0.5, seed=0)
    samples = dropout.mc_predict(model, X_SMALL, 30, seed=0)
    deterministic = model.eval()(torch.as_tensor(X_SMALL)).detach().double().numpy()
    assert samples.std(axis=0).min() > 0
    assert not np.allclose(samples[0], deterministic)


def test_mc_average_equals_weight_scaling_for_a_linear_model():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Dropout(0.4), nn.Linear(3, 2))
    model.eval()
    samples = dropout.mc_predict(model, X_SMALL, 4000, seed=0)
    deterministic = model(torch.as_tensor(X_SMALL)).detach().double().numpy()
    standard_error = samples.std(axis=0, ddof=1) / np.sqrt(len(samples))
    assert np.all(np.abs(samples.mean(axis=0) - deterministic) < Z * standard_error)
    assert not model.training and not model[0].training


def test_mc_predict_bad_input():
    with pytest.raises(ValueError, match="no dropout"):
        dropout.mc_predict(models.make_mlp(3, [4], 1), X_SMALL, 5)
    model = models.make_mlp(3, [4], 1, drop_rate=0.5)
    with pytest.raises(ValueError, match="n_samples"):
        dropout.mc_predict(model, X_SMALL, 0)
    with pytest.raises(TypeError, match="model"):
        dropout.mc_predict("net", X_SMALL, 5)
    with pytest.raises(ValueError, match="X"):
        dropout.mc_predict(model, X_SMALL[0], 5)
    with pytest.raises(TypeError, match="seed"):
        dropout.mc_predict(model, X_SMALL, 5, seed=1.5)


def test_running_mean_exact():
    np.testing.assert_allclose(dropout.running_mean(np.array([1.0, 3.0, 5.0, 7.0])),
                               [1.0, 2.0, 3.0, 4.0])
    samples = np.arange(12.0).reshape(3, 2, 2)
    np.testing.assert_allclose(dropout.running_mean(samples)[-1], samples.mean(axis=0))


def test_first_sustained_index():
    assert dropout.first_sustained_index(np.array([False, True, False, True, True])) == 3
    assert dropout.first_sustained_index(np.array([True, True])) == 0
    assert dropout.first_sustained_index(np.array([True, False])) is None
    with pytest.raises(ValueError, match="condition"):
        dropout.first_sustained_index(np.array([1, 0]))


# ----------------------------------------------------------------------------- linear case
def _problem(n=40, d=4, k=None, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * np.array([0.5, 1.0, 2.0, 3.0])[:d]
    w = rng.standard_normal((d,) if k is None else (d, k))
    y = X @ w + 0.3 * rng.standard_normal((n,) if k is None else (n, k))
    return X, y


def test_expected_loss_exact_hand_made_value():
    X = np.array([[1.0, 0.0], [0.0, 2.0]])
    # residual [0, -1] -> 1; penalty q/(1-q) = 1 times (1*1 + 4*1) -> 5
    assert dropout.expected_dropout_loss(X, [1.0, 1.0], [1.0, 1.0], 0.5) == pytest.approx(6.0)
    assert dropout.expected_dropout_loss(X, [1.0, 1.0], [1.0, 1.0], 0.0) == pytest.approx(1.0)


def test_expected_loss_equals_the_average_over_every_mask():
    X = np.array([[1.0, -2.0], [0.5, 3.0], [2.0, 1.0]])
    y, w, q = np.array([1.0, -1.0, 0.5]), np.array([0.7, -0.4]), 0.3
    total = 0.0
    for bits in itertools.product([0, 1], repeat=X.size):
        mask = np.array(bits, dtype=float).reshape(X.shape)
        probability = np.prod(np.where(mask == 1, 1 - q, q))
        total += probability * np.sum((y - (mask * X / (1 - q)) @ w) ** 2)
    assert dropout.expected_dropout_loss(X, y, w, q) == pytest.approx(total, rel=1e-12)


@pytest.mark.parametrize("q", [0.0, 0.2, 0.5, 0.8])
def test_ridge_weights_match_an_augmented_least_squares_solve(q):
    X, y = _problem()
    lam = q / (1 - q)
    X_aug = np.vstack([X, np.diag(np.sqrt(lam * (X ** 2).sum(axis=0)))])
    y_aug = np.concatenate([y, np.zeros(X.shape[1])])
    direct = np.linalg.lstsq(X_aug, y_aug, rcond=None)[0]
    np.testing.assert_allclose(dropout.ridge_equivalent_weights(X, y, q), direct, rtol=1e-10)


def test_ridge_weights_minimise_the_expected_loss():
    X, y = _problem(seed=2)
    q = 0.4
    found = minimize(lambda w: dropout.expected_dropout_loss(X, y, w, q), np.zeros(4),
                     method="BFGS", options={"gtol": 1e-10}).x
    np.testing.assert_allclose(dropout.ridge_equivalent_weights(X, y, q), found, atol=1e-6)


def test_ridge_weights_multi_output_columns_are_independent():
    X, y = _problem(k=2)
    both = dropout.ridge_equivalent_weights(X, y, 0.3)
    assert both.shape == (4, 2)
    np.testing.assert_allclose(both[:, 1], dropout.ridge_equivalent_weights(X, y[:, 1], 0.3))


@pytest.mark.parametrize("q", [0.2, 0.7])
def test_monte_carlo_loss_matches_the_closed_form(q):
    X, y = _problem()
    w = dropout.ridge_equivalent_weights(X, y, q)
    mean, standard_error = dropout.mc_dropout_loss(X, y, w, q, 4000, seed=0)
    assert abs(mean - dropout.expected_dropout_loss(X, y, w, q)) < Z * standard_error
    assert (mean, standard_error) == dropout.mc_dropout_loss(X, y, w, q, 4000, seed=0)


@pytest.mark.parametrize("q", [0.0, 0.3, 0.6])
def test_training_with_input_dropout_finds_the_ridge_weights(q):
    X, y = _problem(seed=3)
    trained = dropout.fit_input_dropout_regression(X, y, q, steps=4000, seed=0)
    closed = dropout.ridge_equivalent_weights(X, y, q)
    assert np.linalg.norm(trained - closed) / np.linalg.norm(closed) < 0.02


@pytest.mark.parametrize("call, error, word", [
    (lambda: dropout.ridge_equivalent_weights(np.ones((3, 2)), np.ones(3), 1.0), ValueError,
     "drop_rate"),
    (lambda: dropout.ridge_equivalent_weights(np.ones((3, 2)), np.ones(4), 0.5), ValueError,
     "same number of rows"),
    (lambda: dropout.ridge_equivalent_weights(np.ones(3), np.ones(3), 0.5), ValueError, "X must"),
    (lambda: dropout.ridge_equivalent_weights(np.ones((1, 2)), np.ones(1), 0.0), ValueError,
     "singular"),
    (lambda: dropout.ridge_equivalent_weights(np.full((3, 2), np.nan), np.ones(3), 0.5),
     ValueError, "NaN"),
    (lambda: dropout.expected_dropout_loss(np.ones((3, 2)), np.ones(3), np.ones(3), 0.5),
     ValueError, "w must"),
    (lambda: dropout.expected_dropout_loss(np.ones((3, 2)), np.ones(3), np.ones((2, 1)), 0.5),
     ValueError, "w \\(shape"),
    (lambda: dropout.mc_dropout_loss(np.ones((3, 2)), np.ones(3), np.ones(2), 0.5, 1),
     ValueError, "n_samples"),
    (lambda: dropout.fit_input_dropout_regression(np.ones((3, 2)), np.ones(3), 0.5, lr=2.0),
     ValueError, "lr"),
    (lambda: dropout.fit_input_dropout_regression(np.ones((3, 2)), np.ones(3), 0.5,
                                                  average_from=1.0), ValueError, "average_from"),
])
def test_linear_bad_input(call, error, word):
    with pytest.raises(error, match=word):
        call()


# ----------------------------------------------------------------------------- activations, drawing
def test_hidden_activation_stats_exact():
    model = models.make_mlp(1, [2], 1, seed=0)
    with torch.no_grad():
        model.layers[0].weight.copy_(torch.tensor([[1.0], [-1.0]]))
        model.layers[0].bias.zero_()
    stats = dropout.hidden_activation_stats(model, np.array([[1.0], [2.0]]))
    np.testing.assert_allclose(stats["mean"], [0.75])  # hidden [[1, 0], [2, 0]]
    np.testing.assert_allclose(stats["active_fraction"], [0.5])
    np.testing.assert_array_equal(stats["dead_units"], [1])  # the second unit never fires
    with pytest.raises(ValueError, match="columns"):
        dropout.hidden_activation_stats(model, np.ones((2, 3)))
    with pytest.raises(TypeError, match="MLP"):
        dropout.hidden_activation_stats(nn.Linear(1, 1), np.ones((2, 1)))


def test_plot_subnetwork_draws_and_validates():
    masks = [np.array([1, 0, 1]), np.array([0, 1, 1, 1]), np.array([1])]
    ax = plotting.plot_subnetwork([3, 4, 1], masks, title="one")
    assert ax.get_title() == "one" and len(ax.lines) == 2 * 3 + 3 * 1
    with pytest.raises(ValueError, match="keep_masks"):
        plotting.plot_subnetwork([3, 4, 1], masks[:2])
    matplotlib.pyplot.close("all")


# ----------------------------------------------------------------------------- MC convergence
def test_mc_convergence_exact_hand_made_case():
    samples = np.array([[[1.0], [1.0]], [[-1.0], [-1.0]]])  # 1 stream, K = 2, n = 2
    out = dropout.mc_convergence(samples, np.zeros((2, 1)), np.ones((2, 1)), n_streams=1)
    np.testing.assert_array_equal(out["k"], [1, 2])
    np.testing.assert_allclose(out["error"], [[0.0, 1.0]])
    np.testing.assert_allclose(out["gap"], [[1.0, 0.0]])
    assert out["det_error"] == 1.0 and out["floor"] == 0.0
    assert (out["k_meet_relative"], out["k_meet_margin"], out["k_settle"]) == (1, None, 2)


def test_mc_convergence_noise_falls_like_one_over_k():
    rng = np.random.default_rng(0)
    streams, k_max, n, sigma = 50, 40, 400, 0.5
    det = rng.standard_normal((n, 1))
    y = det + 0.3 * rng.standard_normal((n, 1))
    samples = det + sigma * rng.standard_normal((streams * k_max, n, 1))
    out = dropout.mc_convergence(samples, det, y, n_streams=streams, margin=0.025)
    gap2 = (out["gap"] ** 2).mean(axis=0)
    np.testing.assert_allclose(gap2, sigma ** 2 / out["k"], rtol=0.05)  # E gap^2 = sigma^2 / k
    excess = out["error"].mean(axis=0) - out["det_error"]
    np.testing.assert_allclose(excess, sigma ** 2 / out["k"], rtol=0.1, atol=0.003)
    assert out["floor"] < 0.02
    assert out["k_meet_margin"] == pytest.approx(10, abs=2)  # sigma^2 / k <= 0.025 from k = 10
    assert out["k_meet_relative"] is None  # 1% of det_error (~0.09) needs k ~ 280 > k_max


def test_mc_convergence_finds_a_bias_that_never_meets():
    det, y = np.zeros((3, 1)), np.ones((3, 1))
    samples = np.full((20, 3, 1), 0.5)  # every sub-network is better than weight scaling
    assert dropout.mc_convergence(samples, det, y)["k_meet_relative"] == 1
    worse = np.full((20, 3, 1), -0.5)  # error 2.25 against 1.0, at every k
    out = dropout.mc_convergence(worse, det, y, n_streams=2, margin=1.0)
    assert out["k_meet_relative"] is None and out["k_meet_margin"] is None
    assert out["k_settle"] == 1 and out["floor"] == pytest.approx(0.5)


@pytest.mark.parametrize("kwargs, word", [
    ({"n_streams": 3}, "n_streams"),
    ({"tolerance": -0.1}, "tolerance"),
    ({"margin": float("nan")}, "margin"),
])
def test_mc_convergence_bad_input(kwargs, word):
    with pytest.raises(ValueError, match=word):
        dropout.mc_convergence(np.zeros((4, 2, 1)), np.zeros((2, 1)), np.zeros((2, 1)), **kwargs)
    with pytest.raises(ValueError, match="deterministic"):
        dropout.mc_convergence(np.zeros((4, 2, 1)), np.zeros((3, 1)), np.zeros((3, 1)))
