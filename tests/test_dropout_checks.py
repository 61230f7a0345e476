"""Tests of essay_lib.measures.dropout_checks: chapter 02's loops over networks and drop rates,
each checked against the single-network functions of essay_lib.nets.dropout it repeats."""

import numpy as np
import pytest
import torch

from essay_lib.measures import dropout_checks
from essay_lib.nets import dropout, models, training

pytestmark = pytest.mark.usefixtures("single_torch_thread")

RNG = np.random.default_rng(0)
X_NET = RNG.normal(size=(12, 3))
Y_NET = RNG.normal(size=(12, 1))
X_LIN = RNG.normal(size=(80, 4))
Y_LIN = X_LIN @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1 * RNG.normal(size=80)


@pytest.fixture(scope="module")
def nets():
    return {(q, s): models.make_mlp(3, [8], 1, drop_rate=q, seed=s) for q in (0.2, 0.5)
            for s in (0, 1)}


# ----------------------------------------------------------------------------- sub-networks
def test_subnetwork_masks_are_the_masks_drawn_one_by_one():
    widths, rates = (3, 5, 1), (0.2, 0.5, 0.0)
    samples = dropout_checks.sample_subnetwork_masks(widths, rates, 4,
                                                     torch.Generator().manual_seed(7))
    generator = torch.Generator().manual_seed(7)
    expected = [[dropout.dropout_mask((w,), q, generator) for w, q in zip(widths, rates,
                                                                          strict=True)]
                for _ in range(4)]
    assert len(samples) == 4
    for got, want in zip(samples, expected, strict=True):
        assert [m.shape for m in got] == [(3,), (5,), (1,)]
        assert all(torch.equal(a, b) for a, b in zip(got, want, strict=True))
        assert got[-1].item() == 1.0  # drop rate 0: never dropped


@pytest.mark.parametrize("widths, rates, n, error", [
    ((3, 5, 1), (0.2, 0.5), 2, ValueError),
    ((3, 5, 1), (0.2, 1.0, 0.0), 2, ValueError),
    ((3, 5, 1), (0.2, 0.5, 0.0), 0, ValueError),
    ((3, 5, 1), "abc", 2, TypeError),
])
def test_subnetwork_masks_reject_bad_input(widths, rates, n, error):
    with pytest.raises(error):
        dropout_checks.sample_subnetwork_masks(widths, rates, n)


# ----------------------------------------------------------------------------- MC averaging
def test_mc_convergence_many_repeats_mc_convergence_per_network(nets):
    out = dropout_checks.mc_convergence_many(nets, X_NET, Y_NET, k_max=10, n_streams=3,
                                             tolerance=0.02, margin=0.1,
                                             seeds={key: key[1] + 5 for key in nets})
    assert list(out) == list(nets)
    for key, net in nets.items():
        samples = dropout.mc_predict(net, X_NET, 30, seed=key[1] + 5)
        want = dropout.mc_convergence(samples, training.predict(net, X_NET), Y_NET, n_streams=3,
                                      tolerance=0.02, margin=0.1)
        got = out[key]
        np.testing.assert_array_equal(got["error"], want["error"])
        np.testing.assert_array_equal(got["gap"], want["gap"])
        assert got["error"].shape == (3, 10)
        for name in ("det_error", "floor", "k_meet_relative", "k_meet_margin", "k_settle"):
            assert got[name] == want[name]


def test_mc_convergence_many_with_one_seed_for_all(nets):
    one = dropout_checks.mc_convergence_many(nets, X_NET, Y_NET, k_max=4, n_streams=1, seeds=3)
    mapped = dropout_checks.mc_convergence_many(nets, X_NET, Y_NET, k_max=4, n_streams=1,
                                                seeds=dict.fromkeys(nets, 3))
    for key in nets:
        np.testing.assert_array_equal(one[key]["error"], mapped[key]["error"])


def test_mc_convergence_many_rejects_bad_input(nets):
    with pytest.raises(ValueError, match="seeds"):
        dropout_checks.mc_convergence_many(nets, X_NET, Y_NET, k_max=4, n_streams=1,
                                           seeds={(0.2, 0): 1})
    with pytest.raises(TypeError, match="nets"):
        dropout_checks.mc_convergence_many({"a": "not a net"}, X_NET, Y_NET, k_max=4,
                                           n_streams=1)
    with pytest.raises(TypeError, match="nets"):
        dropout_checks.mc_convergence_many({}, X_NET, Y_NET, k_max=4, n_streams=1)
    with pytest.raises(ValueError, match="k_max"):
        dropout_checks.mc_convergence_many(nets, X_NET, Y_NET, k_max=0, n_streams=1)
    with pytest.raises(ValueError, match="no dropout"):
        dropout_checks.mc_convergence_many({"plain": models.make_mlp(3, [4], 1)}, X_NET, Y_NET,
                                           k_max=4, n_streams=1)


def _result(error, det_error=1.0, **ks):
    error = np.asarray(error, dtype=float)
    return {"k": np.arange(1, error.shape[1] + 1), "error": error, "gap": np.ones_like(error),
            "det_error": det_error, "floor": 0.25, "k_meet_relative": None,
            "k_meet_margin": None, "k_settle": None, **ks}


def test_tabulate_convergence_exact_values():
    results = {("a", 0): _result([[2.0, 1.5], [1.0, 0.5]], det_error=0.5, k_meet_relative=2),
               ("a", 1): _result([[1.0, 1.0]], det_error=2.0, k_settle=1)}
    table = dropout_checks.tabulate_convergence(results, ["a"], [0, 1])
    np.testing.assert_allclose(table["det_error"], [[0.5, 2.0]])
    np.testing.assert_allclose(table["error_first"], [[1.5, 1.0]])
    np.testing.assert_allclose(table["error_last"], [[1.0, 1.0]])
    np.testing.assert_allclose(table["excess"], [[1.0, -0.5]])
    np.testing.assert_allclose(table["floor"], [[0.25, 0.25]])
    assert table["k_meet_relative"].tolist() == [[2, None]]
    assert table["k_settle"].tolist() == [[None, 1]]
    text = dropout_checks.tabulate_convergence(results, ["a"], [0, 1], missing="never")
    assert text["k_meet_relative"].tolist() == [[2, "never"]]
    assert text["k_meet_margin"].tolist() == [["never", "never"]]


def test_tabulate_convergence_rejects_bad_input():
    results = {("a", 0): _result([[1.0]])}
    with pytest.raises(ValueError, match="no entry"):
        dropout_checks.tabulate_convergence(results, ["a"], [0, 1])
    with pytest.raises(ValueError, match="rows"):
        dropout_checks.tabulate_convergence(results, [], [0])
    with pytest.raises(TypeError, match="missing"):
        dropout_checks.tabulate_convergence(results, ["a"], [0], missing=0)
    with pytest.raises(TypeError, match="results"):
        dropout_checks.tabulate_convergence([1], ["a"], [0])


def test_meeting_point_hand_made_curve():
    result = _result([[1.2, 1.05, 0.99, 1.02]], det_error=1.0)
    assert dropout_checks.meeting_point(result, 0.01) is None      # the last k is outside
    assert dropout_checks.meeting_point(result, 0.03) == 3
    assert dropout_checks.meeting_point(result, 0.05) == 2
    assert dropout_checks.meeting_point(result, 0.5) == 1
    with pytest.raises(ValueError, match="tolerance"):
        dropout_checks.meeting_point(result, -0.1)
    with pytest.raises(TypeError, match="result"):
        dropout_checks.meeting_point({"error": [[1.0]]}, 0.1)


def test_meeting_point_agrees_with_mc_convergence(nets):
    for tolerance in (0.0, 0.01, 0.05, 0.2):
        out = dropout_checks.mc_convergence_many(nets, X_NET, Y_NET, k_max=20, n_streams=2,
                                                 tolerance=tolerance)
        for result in out.values():
            assert dropout_checks.meeting_point(result, tolerance) == result["k_meet_relative"]


# ----------------------------------------------------------------------------- linear regression
def test_ridge_check_rows_match_the_single_functions():
    rows = dropout_checks.ridge_check(X_LIN, Y_LIN, [0.2, 0.5], n_masks=400, steps=600, seed=3)
    w_ols = dropout.ridge_equivalent_weights(X_LIN, Y_LIN, 0.0)
    for row, q in zip(rows, [0.2, 0.5], strict=True):
        w = dropout.ridge_equivalent_weights(X_LIN, Y_LIN, q)
        np.testing.assert_array_equal(row["w"], w)
        assert row["q"] == q
        assert row["exact"] == dropout.expected_dropout_loss(X_LIN, Y_LIN, w, q)
        assert (row["mc"], row["se"]) == dropout.mc_dropout_loss(X_LIN, Y_LIN, w, q, 400, seed=3)
        np.testing.assert_array_equal(row["trained"], dropout.fit_input_dropout_regression(
            X_LIN, Y_LIN, q, steps=600, seed=3))
        assert row["z"] == pytest.approx((row["mc"] - row["exact"]) / row["se"])
        assert abs(row["z"]) < 5
        assert row["w_err"] == pytest.approx(np.linalg.norm(row["trained"] - w) / np.linalg.norm(w))
        assert row["w_err"] < 0.05
        assert row["ols_dist"] == pytest.approx(np.linalg.norm(w_ols - w) / np.linalg.norm(w))


@pytest.mark.parametrize("kwargs, error", [
    ({"drop_rates": []}, TypeError), ({"drop_rates": [1.0]}, ValueError),
    ({"n_masks": 1}, ValueError), ({"steps": 1}, ValueError), ({"seed": -1}, ValueError),
])
def test_ridge_check_rejects_bad_input(kwargs, error):
    arguments = {"drop_rates": [0.5], "n_masks": 10, "steps": 10, "seed": 0, **kwargs}
    with pytest.raises(error):
        dropout_checks.ridge_check(X_LIN, Y_LIN, **arguments)


def test_loss_along_line_exact_ends_and_monte_carlo():
    w0 = dropout.ridge_equivalent_weights(X_LIN, Y_LIN, 0.0)
    w1 = dropout.ridge_equivalent_weights(X_LIN, Y_LIN, 0.5)
    line = dropout_checks.loss_along_line(X_LIN, Y_LIN, w0, w1, 0.5, [0.0, 1.0],
                                          np.linspace(0, 1, 11), n_masks=300, seed=4)
    assert line["exact"][0] == dropout.expected_dropout_loss(X_LIN, Y_LIN, w0, 0.5)
    assert line["exact"][1] == dropout.expected_dropout_loss(X_LIN, Y_LIN, w1, 0.5)
    assert line["curve"][[0, -1]] == pytest.approx(line["exact"])
    assert line["curve"].shape == (11,)
    assert np.argmin(line["curve"]) == 10          # w1 minimises the expected loss
    assert (line["mc"][1], line["se"][1]) == dropout.mc_dropout_loss(X_LIN, Y_LIN, w1, 0.5, 300,
                                                                     seed=5)
    assert np.all(np.abs(line["mc"] - line["exact"]) < 5 * line["se"])
    assert (line["drop_rate"], line["n_masks"]) == (0.5, 300)


def test_loss_along_line_rejects_bad_input():
    w = np.zeros(4)
    with pytest.raises(ValueError, match="shape"):
        dropout_checks.loss_along_line(X_LIN, Y_LIN, w, np.zeros(3), 0.5, [0.0], [0.0],
                                       n_masks=10)
    with pytest.raises(ValueError, match="drop_rate"):
        dropout_checks.loss_along_line(X_LIN, Y_LIN, w, w, 1.5, [0.0], [0.0], n_masks=10)
    with pytest.raises(ValueError, match="n_masks"):
        dropout_checks.loss_along_line(X_LIN, Y_LIN, w, w, 0.5, [0.0], [0.0], n_masks=1)
