"""Tests of essay_lib.measures.linearity: exact values on known functions, invariants, both f
paths."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from essay_lib.measures import linearity as L
from essay_lib.nets.models import make_mlp

pytestmark = pytest.mark.usefixtures("single_torch_thread")
FAST = settings(max_examples=40, deadline=None)
seeds = st.integers(0, 2**32 - 1)
dims = st.integers(1, 5)


def _affine(rng, d, k):
    A, c = rng.normal(size=(k, d)), rng.normal(size=k)
    return (lambda x: x @ A.T + c), A, c


def _triple(rng, n, d, spread=1.0):
    return tuple(spread * rng.normal(size=(n, d)) for _ in range(3))


def _numpy_mlp(model):
    """An independent numpy forward pass of an essay_lib MLP (ReLU), float64."""
    params = [(lay.weight.detach().double().numpy(), lay.bias.detach().double().numpy())
              for lay in model.layers]

    def f(x):
        for i, (W, b) in enumerate(params):
            x = x @ W.T + b
            if i < len(params) - 1:
                x = np.maximum(x, 0.0)
        return x
    return f


# ---------------------------------------------------------------- known functions
@FAST
@given(seed=seeds, d=dims, k=dims)
def test_affine_has_zero_second_difference_and_additivity_defect_minus_bias(seed, d, k):
    rng = np.random.default_rng(seed)
    f, A, c = _affine(rng, d, k)
    x0, a, b = _triple(rng, 7, d)
    scale = 1 + np.abs(f(x0)).max() + np.abs(f(x0 + a + b)).max()
    np.testing.assert_allclose(L.second_difference(f, x0, a, b), 0, atol=1e-13 * scale)
    assert np.all(L.z_score(f, x0, a, b) < 1e-13 * scale)
    np.testing.assert_allclose(L.additivity_defect(f, x0, a), -np.tile(c, (7, 1)),
                               atol=1e-12 * scale)
    np.testing.assert_allclose(L.taleb_heuristic(f, x0, a), 0, atol=1e-13 * scale)


def test_linear_map_without_bias_passes_the_literal_test():
    A = np.array([[2.0, -1.0], [0.5, 3.0]])
    x1, x2 = np.array([[1.0, 2.0]]), np.array([[-3.0, 0.25]])
    np.testing.assert_allclose(L.additivity_defect(lambda x: x @ A.T, x1, x2), 0, atol=1e-15)
    np.testing.assert_array_equal(L.additivity_defect(lambda x: x[:, 0] + 1.0, x1, x2), [-1.0])


@FAST
@given(seed=seeds, d=dims)
def test_quadratic_form_second_difference_is_two_a_A_b(seed, d):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(d, d))
    A = M + M.T
    x0, a, b = _triple(rng, 6, d)
    D = L.second_difference(lambda x: np.einsum("ni,ij,nj->n", x, A, x), x0, a, b)
    assert D.shape == (6,)
    scale = 1 + np.abs(A).sum() * (np.abs(x0) + np.abs(a) + np.abs(b)).max() ** 2
    np.testing.assert_allclose(D, 2 * np.einsum("ni,ij,nj->n", a, A, b), atol=1e-13 * scale)


def test_quadratic_exact_values_and_taleb_of_square_is_delta_squared():
    x = np.array([[-2.0], [0.0], [0.5], [3.0]])
    np.testing.assert_array_equal(L.second_difference(lambda x: x**2, x, 0.5, 0.25),
                                  np.full((4, 1), 0.25))  # 2·a·b
    delta = np.array([[0.5], [1.0], [0.125], [2.0]])
    np.testing.assert_array_equal(L.taleb_heuristic(lambda x: x[:, 0] ** 2, x, delta),
                                  delta[:, 0] ** 2)
    # sign convention: convex > 0, concave < 0
    assert np.all(L.taleb_heuristic(lambda x: -np.exp(x[:, 0]), x, 0.3) < 0)


@FAST
@given(seed=seeds, d=dims)
def test_second_difference_is_twice_taleb_with_equal_steps(seed, d):
    rng = np.random.default_rng(seed)
    x, delta = rng.normal(size=(5, d)), rng.normal(size=(5, d))
    f = lambda x: np.stack([np.sin(x).sum(1), (x**3).sum(1)], axis=1)  # noqa: E731
    np.testing.assert_allclose(L.second_difference(f, x - delta, delta, delta),
                               2 * L.taleb_heuristic(f, x, delta), atol=1e-12)


# ---------------------------------------------------------------- invariants of Z
def _smooth(x):
    return np.stack([np.tanh(x @ np.arange(1, x.shape[1] + 1)), np.sin(x).prod(1), x[:, 0] ** 3],
                    axis=1)


@FAST
@given(seed=seeds, d=dims, alpha=st.floats(-1e3, 1e3).filter(lambda v: abs(v) > 1e-3),
       shift=st.floats(-1e3, 1e3))
def test_z_in_unit_interval_symmetric_and_invariant_under_affine_output_change(seed, d, alpha,
                                                                               shift):
    rng = np.random.default_rng(seed)
    x0, a, b = _triple(rng, 20, d, spread=rng.uniform(0.01, 3))
    z = L.z_score(_smooth, x0, a, b)
    assert z.shape == (20,) and np.all((z >= 0) & (z <= 1))
    np.testing.assert_allclose(L.z_score(_smooth, x0, b, a), z, rtol=1e-9, atol=1e-12)
    zt = L.z_score(lambda x: alpha * _smooth(x) + shift, x0, a, b)
    np.testing.assert_allclose(zt, z, rtol=1e-6, atol=1e-6)


@FAST
@given(seed=seeds, d=dims, n=st.integers(2, 30))
def test_z_bar_in_unit_interval_and_matches_per_triple_parts(seed, d, n):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    zb = L.z_bar(_smooth, X, n_triples=50, seed=seed)
    assert 0 <= zb.value <= 1 and zb.n_triples == 50
    assert zb.value == pytest.approx(zb.numerators.sum() / zb.denominators.sum())
    assert zb.raw == pytest.approx(zb.numerators.mean())
    assert np.all((zb.per_triple >= 0) & (zb.per_triple <= 1))


def test_z_bar_of_powers_rises_with_degree_and_constant_is_zero():
    X = np.linspace(-1, 1, 101)[:, None]
    values = [L.z_bar(lambda x, n=n: x[:, 0] ** n, X, n_triples=3000, seed=1).value
              for n in range(1, 10)]
    assert values[0] < 1e-12
    assert np.all(np.diff(values) > 0), values
    assert L.z_bar(lambda x: np.full(len(x), 3.0), X, seed=0).value == 0.0
    assert L.z_score(lambda x: np.full(len(x), 3.0), X, X, X).max() == 0.0


def test_z_bar_is_seeded_and_draws_triples_as_documented():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    seen = []

    def spy(x):
        seen.append(x.copy())
        return (x**2).sum(1)
    first = L.z_bar(spy, X, n_triples=500, scale=0.25, seed=7)
    again = L.z_bar(spy, X, n_triples=500, scale=0.25, seed=np.random.default_rng(7))
    np.testing.assert_array_equal(first.numerators, again.numerators)
    assert first.value == again.value
    assert first.value != L.z_bar(spy, X, n_triples=500, scale=0.25, seed=8).value
    stacked = seen[0]
    n_base = len(stacked) - 3 * 500
    assert n_base <= 3 and len(seen) == 3  # one call of f per z_bar, f(x0) once per row
    base_rows = {tuple(r) for r in stacked[:n_base]}
    assert base_rows <= {tuple(r) for r in X}
    xa, xb = stacked[n_base:n_base + 500], stacked[n_base + 500:n_base + 1000]
    xab = stacked[n_base + 1000:]
    a, b = xab - xb, xab - xa
    differences = {tuple(0.25 * (p - q)) for p in X for q in X if not np.array_equal(p, q)}
    assert {tuple(r) for r in np.round(a, 12)} <= {tuple(np.round(r, 12)) for r in differences}
    assert np.all(np.abs(a).sum(1) > 0) and np.all(np.abs(b).sum(1) > 0)  # l ≠ j, m ≠ k


def test_bootstrap_interval_brackets_value_and_is_seeded():
    X = np.linspace(-1, 1, 50)[:, None]
    zb = L.z_bar(lambda x: np.abs(x), X, n_triples=800, seed=0)
    low, high = zb.bootstrap_interval(500, 0.95, seed=3)
    assert low < zb.value < high and high - low < 0.2
    assert (low, high) == zb.bootstrap_interval(500, 0.95, seed=3)
    raw_low, raw_high = zb.bootstrap_interval(500, 0.9, seed=3, quantity="raw")
    assert raw_low < zb.raw < raw_high
    with pytest.raises(ValueError, match="confidence"):
        zb.bootstrap_interval(100, 1.5)
    with pytest.raises(ValueError, match="quantity"):
        zb.bootstrap_interval(100, quantity="median")
    with pytest.raises(ValueError, match="n_boot"):
        zb.bootstrap_interval(0)


# ---------------------------------------------------------------- modules and numpy agree
@pytest.fixture(scope="module")
def mlp_and_data():
    model = make_mlp(3, [16, 16], 2, drop_rate=0.5, seed=4)
    X = np.random.default_rng(0).normal(size=(40, 3))
    return model, _numpy_mlp(model), X


def test_as_function_runs_in_eval_mode_float64_and_restores_state(mlp_and_data):
    _, _, X = mlp_and_data
    model = make_mlp(3, [16, 16], 2, drop_rate=0.5, seed=4)
    f_np = _numpy_mlp(model)
    model.train()
    f = L.as_function(model)
    out = f(X)
    assert out.dtype == np.float64 and out.shape == (40, 2)
    np.testing.assert_allclose(out, f_np(X), rtol=1e-12, atol=1e-12)  # dropout off, float64
    assert model.training and next(model.parameters()).dtype == torch.float32
    probs = L.as_function(model, output="probabilities")(X)
    np.testing.assert_allclose(probs.sum(1), 1.0, rtol=1e-12)
    logp = L.as_function(model, output="log_probabilities")(X)
    np.testing.assert_allclose(np.exp(logp), probs, rtol=1e-10)
    with torch.no_grad():
        model.layers[-1].bias.add_(1.0)
    np.testing.assert_allclose(f(X), out + 1.0, atol=1e-6)  # live weights, not a snapshot


def test_module_and_numpy_paths_agree(mlp_and_data):
    model, f_np, X = mlp_and_data
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=X.shape), rng.normal(size=X.shape)
    for measure in (L.z_score, L.second_difference):
        np.testing.assert_allclose(measure(model, X, a, b), measure(f_np, X, a, b),
                                   rtol=1e-9, atol=1e-12)
    assert L.z_bar(model, X, seed=2).value == pytest.approx(L.z_bar(f_np, X, seed=2).value,
                                                            rel=1e-10)
    np.testing.assert_allclose(L.taleb_heuristic(model, X, 0.3), L.taleb_heuristic(f_np, X, 0.3),
                               atol=1e-12)
    assert L.affine_fit_r2(model, X) == pytest.approx(L.affine_fit_r2(f_np, X), rel=1e-10)
    np.testing.assert_allclose(L.jacobian_norm(model, X, per_point=True),
                               L.jacobian_norm(f_np, X, per_point=True), rtol=1e-6)


def test_jacobian_norm_exact_for_linear_maps_and_matches_finite_differences():
    rng = np.random.default_rng(5)
    f, A, _ = _affine(rng, 4, 3)
    X = rng.normal(size=(10, 4))
    assert L.jacobian_norm(f, X) == pytest.approx(np.linalg.norm(A), rel=1e-8)
    layer = nn.Linear(4, 3)
    assert L.jacobian_norm(layer, X) == pytest.approx(
        np.linalg.norm(layer.weight.detach().double().numpy()), rel=1e-12)
    model = make_mlp(4, [8], 3, activation="tanh", seed=1)
    for output in ("logits", "probabilities"):
        wrapped = L.as_function(model, output=output)
        autograd = L.jacobian_norm(wrapped, X, per_point=True)
        finite = L.jacobian_norm(lambda x, g=wrapped: g(x), X, per_point=True)
        assert autograd.shape == (10,)
        np.testing.assert_allclose(autograd, finite, rtol=1e-7)
    sine = lambda x: np.sin(x).sum(1)  # noqa: E731  gradient cos(x), exact norm known
    np.testing.assert_allclose(L.jacobian_norm(sine, X, per_point=True),
                               np.linalg.norm(np.cos(X), axis=1), rtol=1e-8)


def test_affine_fit_r2_exact_values():
    X = np.linspace(-1, 1, 21)[:, None]
    assert L.affine_fit_r2(lambda x: 3 * x - 2, X) == pytest.approx(1.0)
    assert L.affine_fit_r2(lambda x: x[:, 0] ** 2, X) == pytest.approx(0.0, abs=1e-12)
    assert L.affine_fit_r2(lambda x: np.ones(len(x)), X) == 1.0
    r2 = L.affine_fit_r2(lambda x: np.stack([x[:, 0], x[:, 0] ** 2], 1), X)
    assert 0 < r2 < 1


# ---------------------------------------------------------------- linear pieces
def _sequential(layers):
    modules = []
    for i, (W, b) in enumerate(layers):
        lin = nn.Linear(*np.shape(W)[::-1]).double()
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(W, dtype=torch.float64))
            lin.bias.copy_(torch.tensor(b, dtype=torch.float64))
        modules += [lin] + ([nn.ReLU()] if i < len(layers) - 1 else [])
    return nn.Sequential(*modules)


def test_linear_pieces_of_hand_built_networks():
    kinks = np.array([-0.5, 0.1, 0.7])  # y = relu(x+0.5) - 2 relu(x-0.1) + 1.5 relu(x-0.7)
    net = _sequential([(np.ones((3, 1)), -kinks), ([[1.0, -2.0, 1.5]], [0.0])])
    t = L.linear_piece_breakpoints(net, [-1.0], [1.0])
    np.testing.assert_allclose(t, (kinks + 1) / 2, atol=1e-15)
    assert L.count_linear_pieces(net, [-1.0], [1.0]) == 4
    assert L.count_linear_pieces(net, [1.0], [-1.0]) == 4
    assert L.count_linear_pieces(net, [0.8], [3.0]) == 1  # no kink on the segment
    assert L.count_linear_pieces(net, [-3.0], [-0.6]) == 1
    # y = relu(|x| - 1) built from relu(x) + relu(-x): a region boundary at x = 0 with no kink
    deep = _sequential([([[1.0], [-1.0]], [0.0, 0.0]), ([[1.0, 1.0]], [-1.0]), ([[1.0]], [0.0])])
    np.testing.assert_allclose(L.linear_piece_breakpoints(deep, [-2.0], [2.0]), [0.25, 0.75])
    np.testing.assert_allclose(L.linear_piece_breakpoints(deep, [-2.0], [2.0],
                                                          merge_collinear=False),
                               [0.25, 0.5, 0.75])
    assert L.count_linear_pieces(deep, [-2.0], [2.0], merge_collinear=False) == 4
    # 2-D input, a slanted segment: relu(x1 + 2 x2 - 1) kinks where (1-t)·0 + t·... = 1
    plane = _sequential([([[1.0, 2.0]], [-1.0]), ([[1.0]], [0.0])])
    np.testing.assert_allclose(L.linear_piece_breakpoints(plane, [0.0, 0.0], [1.0, 1.0]), [1 / 3])


def test_linear_pieces_of_a_random_mlp_are_exact():
    model = make_mlp(2, [12, 12], 3, seed=3)
    f = _numpy_mlp(model)
    start, end = np.array([-2.0, -1.5]), np.array([2.5, 1.0])
    t = L.linear_piece_breakpoints(model, start, end)
    assert len(t) >= 5 and np.all(np.diff(t) > 0) and np.all((t > 0) & (t < 1))
    y = lambda s: f(start + np.asarray(s)[:, None] * (end - start))  # noqa: E731
    edges = np.concatenate([[0.0], t, [1.0]])
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):  # affine on every piece
        s = np.linspace(lo, hi, 7)
        interp = y([lo])[0] + (s - lo)[:, None] / (hi - lo) * (y([hi])[0] - y([lo])[0])
        np.testing.assert_allclose(y(s), interp, atol=1e-10)
    h = 1e-7  # and the slope really changes at every breakpoint
    left, right = (y(t) - y(t - h)) / h, (y(t + h) - y(t)) / h
    assert np.all(np.linalg.norm(right - left, axis=1) > 1e-4)
    # every activation-pattern change on a fine grid falls in a cell holding a region boundary
    regions = L.linear_piece_breakpoints(model, start, end, merge_collinear=False)
    grid = np.linspace(0, 1, 200_001)
    x = start + grid[:, None] * (end - start)
    x64, patterns = x, []
    for lay in model.layers[:-1]:
        x64 = x64 @ lay.weight.detach().double().numpy().T + lay.bias.detach().double().numpy()
        patterns.append(x64 > 0)
        x64 = np.maximum(x64, 0)
    changed = np.nonzero(np.any(np.diff(np.hstack(patterns), axis=0), axis=1))[0]
    np.testing.assert_array_equal(changed, np.searchsorted(grid, regions) - 1)
    assert L.count_linear_pieces(model, start, end) == len(t) + 1


def test_linear_pieces_accept_mlp_and_sequential_alike():
    model = make_mlp(2, [6], 1, seed=0)
    seq = nn.Sequential(model.layers[0], nn.ReLU(), nn.Dropout(0.5), model.layers[1])
    start, end = [-3.0, 0.0], [3.0, 1.0]
    np.testing.assert_array_equal(L.linear_piece_breakpoints(model, start, end),
                                  L.linear_piece_breakpoints(seq, start, end))
    linear = make_mlp(2, [6], 1, activation="identity", seed=0)
    assert L.count_linear_pieces(linear, start, end) == 1


# ---------------------------------------------------------------- bad input
def test_bad_inputs_raise_naming_the_argument():
    f = lambda x: x[:, 0] ** 2  # noqa: E731
    X = np.zeros((4, 2))
    cases = [
        (TypeError, "f must be", lambda: L.z_score("x**2", X, X, X)),
        (TypeError, "model_or_f", lambda: L.jacobian_norm(3.0, X)),
        (ValueError, "a must have shape", lambda: L.z_score(f, X, np.zeros((5, 2)), X)),
        (ValueError, "b must have shape", lambda: L.second_difference(f, X, X, np.zeros(3))),
        (ValueError, "x2 must have shape", lambda: L.additivity_defect(f, X, np.zeros((4, 3)))),
        (ValueError, "x0 must be a non-empty 2-D", lambda: L.z_score(f, np.zeros(4), X, X)),
        (ValueError, "x0 contains NaN", lambda: L.z_score(f, X + np.nan, X, X)),
        (ValueError, "delta contains NaN", lambda: L.taleb_heuristic(f, X, np.inf)),
        (ValueError, "X contains NaN", lambda: L.z_bar(f, np.full((4, 2), np.inf))),
        (ValueError, "n_triples", lambda: L.z_bar(f, X, n_triples=0)),
        (ValueError, "n_triples", lambda: L.z_bar(f, X, n_triples=-5)),
        (TypeError, "n_triples", lambda: L.z_bar(f, X, n_triples=2.5)),
        (ValueError, "scale", lambda: L.z_bar(f, X, scale=0.0)),
        (ValueError, "scale", lambda: L.z_bar(f, X, scale=-1.0)),
        (ValueError, "scale", lambda: L.z_bar(f, X, scale=float("nan"))),
        (ValueError, "at least 2 rows", lambda: L.z_bar(f, X[:1])),
        (ValueError, "f must map", lambda: L.z_score(lambda x: x[:2], X, X, X)),
        (ValueError, "f returned NaN", lambda: L.z_bar(lambda x: np.full(len(x), np.nan), X)),
        (ValueError, "step", lambda: L.jacobian_norm(f, X, step=0.0)),
        (ValueError, "more than d", lambda: L.affine_fit_r2(f, X[:3])),
        (ValueError, "output must be", lambda: L.as_function(nn.Linear(2, 1), output="softmax")),
        (TypeError, "model must be", lambda: L.as_function(f)),
        (ValueError, "start must be a point of shape", lambda: L.count_linear_pieces(
            make_mlp(2, [3], 1), [0.0], [1.0])),
        (ValueError, "start and end must differ", lambda: L.count_linear_pieces(
            make_mlp(2, [3], 1), [1.0, 0.0], [1.0, 0.0])),
        (ValueError, "end contains NaN", lambda: L.count_linear_pieces(
            make_mlp(2, [3], 1), [1.0, 0.0], [np.nan, 0.0])),
        (ValueError, "ReLU", lambda: L.count_linear_pieces(
            make_mlp(2, [3], 1, activation="tanh"), [0.0, 0.0], [1.0, 0.0])),
        (TypeError, "only Linear", lambda: L.count_linear_pieces(
            nn.Sequential(nn.Linear(2, 3), nn.Tanh()), [0.0, 0.0], [1.0, 0.0])),
        (ValueError, "end must be a point", lambda: L.count_linear_pieces(
            make_mlp(2, [3], 1), [1.0, 0.0], 3.0)),
        (TypeError, "model must be", lambda: L.count_linear_pieces(f, [0.0], [1.0])),
    ]
    for error, message, call in cases:
        with pytest.raises(error, match=message):
            call()
