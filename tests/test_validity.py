"""Chapter 04's validity checks: the probabilities representation, chord-midpoint triples,
the leaky ReLU of the engine, the affine blend and the leaky-ReLU path
(essay_lib.measures.validity), and the validity table (essay_lib.experiment.validity)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from essay_lib import data
from essay_lib.measures import batched, linearity, validity
from essay_lib.measures.names import REPRESENTATIONS, TRIPLE_TYPES
from essay_lib.measures.triples import draw_triples, outside_share
from essay_lib.nets import ensemble
from essay_lib.nets.engine import ACTIVATIONS, leaky_relu, mlp_forward

pytestmark = pytest.mark.usefixtures("single_torch_thread")


def _trained(task, widths, n_members, epochs):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return ensemble.train_ensemble(widths, [ensemble.Member(seed=s) for s in range(n_members)],
                                       task.X_train, task.y_train, kind=task.kind,
                                       epochs=epochs, progress=False).model
    finally:
        torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def moons_nets():
    """Three small ReLU classifiers trained on moons (30 epochs) and their test inputs."""
    task = data.moons_task(n_samples=80)
    return _trained(task, (2, 8, 8, 2), 3, 30), task.X_test.astype(np.float64)


@pytest.fixture(scope="module")
def regressors():
    """Two small ReLU regressors (one output) trained on the quadratic task."""
    task = data.quadratic_task()
    return _trained(task, (1, 8, 8, 1), 2, 200), task.X_test.astype(np.float64)


# ---------------------------------------------------------------- representations, triples
def test_the_old_names_keep_their_order_and_the_curve_its_defaults():
    from essay_lib.experiment import MeasureSpec

    assert REPRESENTATIONS[:3] == ("logits", "centred_logits", "log_probabilities")
    assert TRIPLE_TYPES[:2] == ("extrapolating", "inside")
    assert "probabilities" in REPRESENTATIONS and "chord_midpoints" in TRIPLE_TYPES
    spec = MeasureSpec()
    assert spec.curve_outputs == ("logits", "centred_logits", "log_probabilities")
    assert spec.curve_triples == ("extrapolating", "inside")
    assert MeasureSpec(curve_outputs=("probabilities",),
                       curve_triples=("chord_midpoints",)).curve_outputs == ("probabilities",)


def test_probabilities_are_softmax_or_the_sigmoid_of_one_output():
    Y = torch.tensor([[1.0, 3.0], [0.0, 0.0]], dtype=torch.float64)
    assert torch.allclose(batched.represent(Y, "probabilities"), torch.softmax(Y, dim=-1))
    one = torch.tensor([[0.0], [2.0]], dtype=torch.float64)
    assert torch.allclose(batched.represent(one, "probabilities"), torch.sigmoid(one))


def test_chord_midpoints_are_midpoints_of_chords_between_data_points():
    X = np.random.default_rng(0).normal(size=(30, 3))
    t = draw_triples(X, 400, 0.5, seed=4, kind="chord_midpoints")
    x0 = X[t.rows][t.base_index]
    np.testing.assert_array_equal(t.a, t.b)
    end = x0 + t.a + t.b  # a data point X[j], j != i
    distances = np.linalg.norm(end[:, None] - X[None], axis=2)
    assert np.all(distances.min(axis=1) < 1e-12)
    assert not np.any(np.all(t.a == 0, axis=1))
    assert outside_share(X, t) == 0.0
    # the scale does not enter: the same draw at any scale
    np.testing.assert_array_equal(draw_triples(X, 400, 0.1, seed=4, kind="chord_midpoints").a,
                                  t.a)
    # D = f(x_j) - 2 f(mid) + f(x_i) = 2 H(mid, (x_j - x_i) / 2)
    f = lambda x: np.stack([x[:, 0] ** 2, np.sin(x[:, 1])], axis=1)  # noqa: E731
    D = linearity.second_difference(f, x0, t.a, t.b)
    mid = x0 + t.a
    np.testing.assert_allclose(D, 2 * linearity.taleb_heuristic(f, mid, t.a), atol=1e-12)


@pytest.mark.parametrize("output", ["probabilities", "logits", "log_probabilities"])
@pytest.mark.parametrize("triples", ["chord_midpoints", "inside"])
def test_batched_equals_one_by_one_for_the_new_representation_and_geometry(moons_nets, output,
                                                                          triples):
    model, X = moons_nets
    values = batched.z_bar_members(model, X, n_triples=300, scale=0.5, seed=3, triples=triples,
                                   outputs=(output,))[output]
    for k in range(model.K):
        f = linearity.as_function(model.member(k), output=output)
        z = linearity.z_bar(f, X, n_triples=300, scale=0.5, seed=3, triples=triples)
        assert values[0][k] == pytest.approx(z.value, rel=1e-9)
        assert values[1][k] == pytest.approx(z.raw, rel=1e-9)


def test_probabilities_of_one_output_batched_equals_one_by_one(regressors):
    model, X = regressors
    value, raw = batched.z_bar_members(model, X, n_triples=200, scale=0.5, seed=1,
                                       triples="chord_midpoints",
                                       outputs=("probabilities",))["probabilities"]
    for k in range(model.K):
        z = linearity.z_bar(linearity.as_function(model.member(k), output="probabilities"), X,
                            n_triples=200, scale=0.5, seed=1, triples="chord_midpoints")
        assert value[k] == pytest.approx(z.value, rel=1e-9)
        assert raw[k] == pytest.approx(z.raw, rel=1e-9)


# ---------------------------------------------------------------- the leaky ReLU
@pytest.mark.parametrize("slope", [0.0, 0.01, 0.3, 1.0])
def test_leaky_relu_and_its_derivative_against_torch(slope):
    act = leaky_relu(slope)
    z = torch.tensor([-2.0, -0.5, 0.0, 0.0, 0.7, 3.0], dtype=torch.float64, requires_grad=True)
    expected = nn.functional.leaky_relu(z, slope)
    h = act(z)
    assert torch.equal(h, expected)
    assert torch.equal(act.in_place(z.detach().clone()), expected.detach())
    (grad,) = torch.autograd.grad(expected.sum(), z)
    assert torch.equal(act.derivative(h.detach()), grad)  # at z = 0 too: slope, as autograd
    assert torch.equal(act.backward_(h.detach(), torch.full_like(grad, 2.0)), 2 * grad)
    assert act.name == f"leaky_relu({slope:g})"


def test_leaky_relu_ends_are_relu_and_the_identity():
    z = torch.linspace(-3, 3, 61, dtype=torch.float64)
    assert torch.equal(leaky_relu(0)(z), torch.relu(z))  # -0.0 == 0.0
    assert torch.equal(leaky_relu(1)(z), z)
    relu = ACTIVATIONS["relu"]
    assert torch.equal(leaky_relu(0).derivative(relu(z)), relu.derivative(relu(z)))


@pytest.mark.parametrize("slope, error", [(-0.1, ValueError), (1.5, ValueError),
                                          (True, TypeError), (float("nan"), ValueError),
                                          ("0.1", TypeError)])
def test_leaky_relu_refuses_bad_slopes(slope, error):
    with pytest.raises(error, match="slope"):
        leaky_relu(slope)


def test_mlp_forward_takes_an_activation_or_its_name(moons_nets):
    model, X = moons_nets
    layers = model.layer_parameters(member=1, dtype=torch.float64)
    x = torch.as_tensor(X)
    by_name, hidden = mlp_forward(layers, x, "relu")
    by_object, hidden_object = mlp_forward(layers, x, ACTIVATIONS["relu"])
    assert torch.equal(by_name, by_object)
    assert all(torch.equal(a, b) for a, b in zip(hidden, hidden_object, strict=True))
    assert torch.equal(mlp_forward(layers, x, leaky_relu(0.0))[0], by_name)


# ---------------------------------------------------------------- the affine blend
def _curved(x):
    """A smooth non-linear function R^2 -> R^2."""
    return np.stack([x[:, 0] ** 3 - x[:, 0] * x[:, 1] + 2 * x[:, 1], np.tanh(x[:, 1]) + x[:, 0]],
                    axis=1)


@pytest.mark.parametrize("alpha", [0.0, 0.1, 0.5, 0.9, 1.0, -0.5])
def test_the_blend_scales_d_by_one_minus_alpha(alpha):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    x0, a, b = rng.normal(size=(3, 40, 2))
    blend = validity.affine_blend(_curved, X, alpha)
    D = linearity.second_difference(blend, x0, a, b)
    scale = np.abs(_curved(np.concatenate([x0, x0 + a + b]))).max()
    np.testing.assert_allclose(D, (1 - alpha) * linearity.second_difference(_curved, x0, a, b),
                               rtol=0, atol=64 * np.finfo(float).eps * scale)
    if alpha == 0:
        np.testing.assert_array_equal(blend(x0), _curved(x0))


def test_the_affine_fit_is_least_squares_and_exact_for_an_affine_function():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 3))
    W, c = rng.normal(size=(3, 2)), rng.normal(size=2)
    fit = validity.affine_fit(lambda x: x @ W + c, X)
    np.testing.assert_allclose(fit.weights, W, rtol=1e-12)
    np.testing.assert_allclose(fit(X), X @ W + c, rtol=1e-12, atol=1e-12)
    design = np.column_stack([X[:, :2], np.ones(len(X))])
    coef, *_ = np.linalg.lstsq(design, _curved(X[:, :2]), rcond=None)
    fit = validity.affine_fit(_curved, X[:, :2])
    np.testing.assert_allclose(fit(X[:, :2]), design @ coef, rtol=1e-10)
    # a constant feature (rank-deficient data): the minimum-norm slopes, zero on it
    X[:, 2] = 1.0
    fit = validity.affine_fit(lambda x: x @ W + c, X)
    np.testing.assert_allclose(fit.weights[2], 0.0, atol=1e-12)
    np.testing.assert_allclose(fit(X), X @ W + c, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("representation, triples", [
    ("logits", "extrapolating"), ("probabilities", "chord_midpoints"),
    ("log_probabilities", "inside"), ("centred_logits", "chord_midpoints")])
def test_blend_curve_batched_equals_one_by_one(moons_nets, representation, triples):
    model, X = moons_nets
    alphas = (0.0, 0.1, 0.5, 1.0)
    curves = validity.affine_blend_curve(model, X, alphas, representation=representation,
                                         triples=triples, scale=0.25, n_triples=200, seed=5)
    assert curves.shape == (model.K, len(alphas))
    for k in range(model.K):
        f = linearity.as_function(model.member(k), output=representation)
        for j, alpha in enumerate(alphas):
            z = linearity.z_bar(validity.affine_blend(f, X, alpha), X, n_triples=200, scale=0.25,
                                seed=5, triples=triples).value
            assert curves[k, j] == pytest.approx(z, rel=1e-9, abs=1e-13)
        one = validity.affine_blend_curve(model.member(k), X, alphas,
                                          representation=representation, triples=triples,
                                          scale=0.25, n_triples=200, seed=5)
        np.testing.assert_allclose(one, curves[k], rtol=1e-10, atol=1e-13)
    # alpha = 0 is the network's own Z-bar, alpha = 1 its affine fit: 0
    plain = batched.z_bar_members(model, X, n_triples=200, scale=0.25, seed=5, triples=triples,
                                  outputs=(representation,))[representation][0]
    np.testing.assert_allclose(curves[:, 0], plain, rtol=1e-12)
    assert np.all(np.abs(curves[:, -1]) < 1e-12)


def test_the_blend_curve_of_a_regressor(regressors):
    model, X = regressors
    curves = validity.affine_blend_curve(model, X, triples="inside", n_triples=300)
    assert curves.shape == (2, len(validity.BLEND_ALPHAS))
    assert np.all(validity.is_monotone(curves)) and np.all(np.abs(curves[:, -1]) < 1e-12)
    for k in range(2):
        f = linearity.as_function(model.member(k))
        z = linearity.z_bar(validity.affine_blend(f, X, 0.5), X, n_triples=300,
                            triples="inside").value
        assert curves[k, 2] == pytest.approx(z, rel=1e-9)


def test_blend_curves_of_trained_classifiers_fall_monotonically_to_zero(moons_nets):
    model, X = moons_nets
    for representation in REPRESENTATIONS:
        for triples in TRIPLE_TYPES:
            curves = validity.affine_blend_curve(model, X, representation=representation,
                                                 triples=triples, n_triples=300)
            assert np.all(validity.is_monotone(curves)), (representation, triples)
            assert np.all(curves[:, 0] > curves[:, 1]) and np.all(curves[:, -1] < 1e-12)


# ---------------------------------------------------------------- the leaky-ReLU path
def _leaky_module(member, slope):
    """The same weights in an independent torch network with nn.LeakyReLU."""
    linears = [layer for layer in member.layers]
    parts = []
    for i, layer in enumerate(linears):
        parts.append(layer)
        if i < len(linears) - 1:
            parts.append(nn.LeakyReLU(slope))
    return nn.Sequential(*parts)


@pytest.mark.parametrize("representation", ["logits", "probabilities", "log_probabilities"])
def test_leaky_path_batched_equals_an_independent_torch_network(moons_nets, representation):
    model, X = moons_nets
    slopes = (0.0, 0.2, 0.7, 1.0)
    curves = validity.leaky_path_curve(model, X, slopes, representation=representation,
                                       triples="inside", n_triples=200, seed=2)
    assert curves.shape == (model.K, len(slopes))
    for k in range(model.K):
        member = model.member(k)
        for j, slope in enumerate(slopes):
            f = linearity.as_function(_leaky_module(member, slope), output=representation)
            z = linearity.z_bar(f, X, n_triples=200, seed=2, triples="inside").value
            assert curves[k, j] == pytest.approx(z, rel=1e-9, abs=1e-13)
        one = validity.leaky_path_curve(member, X, slopes, representation=representation,
                                        triples="inside", n_triples=200, seed=2)
        np.testing.assert_allclose(one, curves[k], rtol=1e-10, atol=1e-13)


def test_the_leaky_path_starts_at_the_trained_net_and_ends_affine(moons_nets, regressors):
    model, X = moons_nets
    # slope 0: the trained network, exactly
    x = torch.as_tensor(X)
    for k in range(model.K):
        layers = model.layer_parameters(member=k, dtype=torch.float64)
        assert torch.equal(mlp_forward(layers, x, leaky_relu(0.0))[0],
                           batched.forward64(model, X, slice(k, k + 1))[0])
    for representation in ("logits", "centred_logits", "probabilities"):
        curves = validity.leaky_path_curve(model, X, representation=representation)
        plain = batched.z_bar_members(model, X, n_triples=500, scale=0.5, seed=0,
                                      outputs=(representation,))[representation][0]
        np.testing.assert_array_equal(curves[:, 0], plain)
        if representation != "probabilities":  # slope 1: affine logits, Z-bar 0
            assert np.all(np.abs(curves[:, -1]) < 1e-12)
        else:  # the softmax of an affine map is still curved
            assert np.all(curves[:, -1] > 1e-3)
    reg, Xr = regressors
    assert np.all(np.abs(validity.leaky_path_curve(reg, Xr)[:, -1]) < 1e-12)


# ---------------------------------------------------------------- reading effects
def test_equivalent_blend_inverts_the_curve():
    alphas = (0.0, 0.25, 0.5, 0.75, 1.0)
    curve = np.array([0.4, 0.3, 0.2, 0.1, 0.0])
    assert validity.equivalent_blend(0.4, curve, alphas) == 0.0
    assert validity.equivalent_blend(0.25, curve, alphas) == pytest.approx(0.375)
    np.testing.assert_allclose(validity.equivalent_blend(curve, curve, alphas), alphas)
    out = validity.equivalent_blend([0.5, -0.1, 0.05], curve, alphas)
    assert np.isnan(out[0]) and np.isnan(out[1]) and out[2] == pytest.approx(0.875)
    # alpha < 0 on the grid reads values above the networks' own
    assert validity.equivalent_blend(0.45, [0.5, 0.4, 0.0], [-0.25, 0.0, 1.0]) == pytest.approx(
        -0.125)
    # not monotone: the first alpha along the grid that reaches the value
    bumpy = [0.4, 0.3, 0.35, 0.1, 0.0]
    assert validity.equivalent_blend(0.32, bumpy, alphas) == pytest.approx(0.25 * 0.8)
    assert not validity.is_monotone(bumpy) and validity.is_monotone(curve)
    np.testing.assert_array_equal(validity.is_monotone([curve, bumpy]), [True, False])
    assert validity.is_monotone([0.3, 0.3 + 1e-12, 0.0])  # rounding is no rise


def test_delta_is_the_mean_change_of_a_ten_percent_blend(moons_nets):
    model, X = moons_nets
    curves = validity.affine_blend_curve(model, X, (0.0, 0.1), representation="probabilities",
                                         triples="inside", n_triples=300)
    delta = validity.delta_from_blend(model, X, representation="probabilities",
                                      triples="inside", n_triples=300)
    assert delta == pytest.approx(np.mean(curves[:, 0] - curves[:, 1]), rel=1e-12)
    assert delta > 0
    one = validity.delta_from_blend(model.member(0), X, representation="probabilities",
                                    triples="inside", n_triples=300)
    assert one == pytest.approx(curves[0, 0] - curves[0, 1], rel=1e-9)
    assert validity.delta_from_blend(model, X, alpha=0.2) > validity.delta_from_blend(model, X)


def test_the_chord_control_is_z_bar_on_chord_midpoints(moons_nets, regressors):
    model, X = moons_nets
    values = validity.chord_midpoint_z_bar(model, X, n_triples=300, seed=1)
    assert values.shape == (model.K,)
    for k in range(model.K):
        f = linearity.as_function(model.member(k), output="probabilities")
        z = linearity.z_bar(f, X, n_triples=300, seed=1, triples="chord_midpoints").value
        assert values[k] == pytest.approx(z, rel=1e-9)
        assert validity.chord_midpoint_z_bar(model.member(k), X, n_triples=300,
                                             seed=1) == pytest.approx(z, rel=1e-9)
    assert validity.control_representation("classification") == "probabilities"
    assert validity.control_representation("regression") == "logits"
    reg, Xr = regressors
    assert validity.chord_midpoint_z_bar(reg, Xr, representation="logits").shape == (2,)


# ---------------------------------------------------------------- bad input
def _bad_calls(model, X):
    blend = validity.affine_blend_curve
    leaky = validity.leaky_path_curve
    return [
        (lambda: blend("net", X), TypeError, "model"),
        (lambda: blend(model, X[:, :1]), ValueError, "X"),
        (lambda: blend(model, np.full_like(X, np.nan)), ValueError, "X"),
        (lambda: blend(model, X, [0.0, True]), TypeError, "alphas"),
        (lambda: blend(model, X, [0.0, np.nan]), ValueError, "alphas"),
        (lambda: blend(model, X, representation="softmax"), ValueError, "representation"),
        (lambda: blend(model, X, triples="outside"), ValueError, "triples"),
        (lambda: blend(model, X, scale=0.0), ValueError, "scale"),
        (lambda: blend(model, X, n_triples=0), ValueError, "n_triples"),
        (lambda: blend(model, X, n_triples=2.5), TypeError, "n_triples"),
        (lambda: blend(model, X, seed=-1), ValueError, "seed"),
        (lambda: blend(model, X, seed=True), TypeError, "seed"),
        (lambda: leaky(model, X, [0.0, 1.5]), ValueError, "slopes"),
        (lambda: leaky(model, X, [False]), TypeError, "slopes"),
        (lambda: leaky(ensemble.BatchedMLP((2, 4, 2), (0,), activation="tanh"), X),
         ValueError, "activation"),
        (lambda: leaky(ensemble.batched_model("residual", (2, 4, 4, 2), (0,)), X),
         TypeError, "model"),
        (lambda: validity.affine_blend(_curved, X, np.nan), ValueError, "alpha"),
        (lambda: validity.affine_blend(3.0, X, 0.5), TypeError, "f"),
        (lambda: validity.affine_fit(_curved, X[:1]), ValueError, "X"),
        (lambda: validity.equivalent_blend(0.1, [0.2, 0.1], [0.0, 0.5, 1.0]), ValueError,
         "alphas"),
        (lambda: validity.equivalent_blend(0.1, [0.2, 0.1], [0.5, 0.0]), ValueError, "alphas"),
        (lambda: validity.equivalent_blend(np.nan, [0.2, 0.1], [0.0, 1.0]), ValueError,
         "z_values"),
        (lambda: validity.equivalent_blend(True, [0.2, 0.1], [0.0, 1.0]), TypeError,
         "z_values"),
        (lambda: validity.delta_from_blend(model, X, alpha=0.0), ValueError, "alpha"),
        (lambda: validity.delta_from_blend(model, X, alpha=True), TypeError, "alpha"),
        (lambda: validity.chord_midpoint_z_bar(model, X, representation="odds"), ValueError,
         "representation"),
        (lambda: validity.control_representation("ranking"), ValueError, "kind"),
        (lambda: validity.is_monotone([0.1, np.nan]), ValueError, "curves"),
        (lambda: validity.is_monotone([0.1, 0.0], tolerance=-1.0), ValueError, "tolerance"),
    ]


def test_bad_input_is_refused_with_the_arguments_name(moons_nets):
    model, X = moons_nets
    for call, error, name in _bad_calls(model, X):
        with pytest.raises(error, match=name):
            call()


# ---------------------------------------------------------------- the validity table
@pytest.fixture(scope="module")
def tiny_spec():
    from essay_lib.experiment import ExperimentSpec, SweepSpec

    small = dict(hidden=(8, 8), epochs=30, seeds=(0, 1))
    return ExperimentSpec((
        SweepSpec("moons", grid={"none": [0], "dropout": [0.3], "mixup": [0.4, 1.0]}, **small),
        SweepSpec("quadratic", grid={"none": [0], "mixup": [0.4]}, **small)))


@pytest.fixture(scope="module")
def tiny_cache(tmp_path_factory):
    """One sweep cache for the tiny experiment's networks (trained once, by the first test)."""
    return tmp_path_factory.mktemp("validity-cache")


def test_the_validity_table_of_a_tiny_experiment(tiny_spec, tiny_cache):
    from essay_lib.experiment import sweep_models
    from essay_lib.experiment.validity import GEOMETRIES, validity_table

    cells = validity_table(tiny_spec, cache_dir=tiny_cache, n_triples=200, progress=False)
    assert [(c.task, c.geometry, c.representation) for c in cells] == [
        *[("moons", g, r) for g in GEOMETRIES for r in ("logits", "centred_logits",
                                                         "log_probabilities", "probabilities")],
        *[("quadratic", g, "logits") for g in GEOMETRIES]]
    for c in cells:
        assert c.n_networks == 2 and c.scale == 0.5 and c.valid
        assert c.blend_monotone and c.monotone_share == 1.0 and c.blend_reaches_zero
        assert c.blend_curve[0] == c.z_unregularized > c.delta > 0 and c.blend_end < 1e-12
        if c.representation in ("logits", "centred_logits"):
            assert c.leaky_reaches_zero and c.leaky_end < 1e-12
        else:  # probabilities of an affine map: curved, reported, not checked
            assert c.leaky_reaches_zero is None and c.leaky_end > 1e-3
        d = c.as_dict()
        assert isinstance(d["blend_curve"], list) and d["valid"] is True
    # the numbers are those of the measures on the cached networks
    nets = sweep_models(tiny_spec["moons"].replace(grid={"none": [0]}), cache_dir=tiny_cache)
    X = data.moons_task().X_test.astype(np.float64)
    cell = next(c for c in cells if (c.task, c.geometry, c.representation) == (
        "moons", "inside", "probabilities"))
    curves = [validity.affine_blend_curve(nets["none", 0.0, s], X, representation="probabilities",
                                          triples="inside", n_triples=200) for s in (0, 1)]
    np.testing.assert_allclose(cell.blend_curve, np.mean(curves, axis=0), rtol=1e-9, atol=1e-15)


def test_the_mixup_control_per_seed_and_strength(tiny_spec, tiny_cache):
    from essay_lib.experiment import sweep_models
    from essay_lib.experiment.validity import mixup_control

    rows = mixup_control(tiny_spec, cache_dir=tiny_cache, n_triples=200, progress=False)
    moons, quadratic = rows
    assert moons.representation == "probabilities" and moons.contrast_representation == "logits"
    assert quadratic.representation == "logits" and quadratic.contrast_values is None
    np.testing.assert_array_equal(moons.strengths, [0.0, 0.4, 1.0])
    assert moons.values.shape == moons.contrast_values.shape == (2, 3)
    assert quadratic.values.shape == (2, 2)
    nets = sweep_models(tiny_spec["moons"], cache_dir=tiny_cache, progress=False)
    X = data.moons_task().X_train.astype(np.float64)
    for i, seed in enumerate((0, 1)):
        for j, key in enumerate([("none", 0.0), ("mixup", 0.4), ("mixup", 1.0)]):
            net = nets[(*key, seed)]
            assert moons.values[i, j] == pytest.approx(
                validity.chord_midpoint_z_bar(net, X, n_triples=200), rel=1e-9)
            assert moons.contrast_values[i, j] == pytest.approx(
                validity.chord_midpoint_z_bar(net, X, representation="logits", n_triples=200),
                rel=1e-9)
    assert moons.as_dict()["values"] == moons.values.tolist()


def test_the_table_refuses_bad_input(tiny_spec, tmp_path):
    from essay_lib.experiment import SweepSpec
    from essay_lib.experiment.validity import mixup_control, validity_table

    no_none = SweepSpec("moons", grid={"dropout": [0.3]}, hidden=(8, 8), epochs=5)
    cases = [
        (lambda: validity_table("essay"), TypeError, "spec"),
        (lambda: validity_table(no_none, cache_dir=tmp_path), ValueError, "none"),
        (lambda: mixup_control(no_none, cache_dir=tmp_path), ValueError, "none"),
        (lambda: validity_table(tiny_spec, n_triples=0), ValueError, "n_triples"),
        (lambda: validity_table(tiny_spec, alphas=(0.0, 0.5)), ValueError, "alphas"),
        (lambda: validity_table(tiny_spec, alphas=(0.0, True)), TypeError, "alphas"),
        (lambda: validity_table(tiny_spec, slopes=(0.5, 1.0)), ValueError, "slopes"),
        (lambda: mixup_control(tiny_spec, n_triples=1.5), TypeError, "n_triples"),
        (lambda: mixup_control(tiny_spec["moons"].replace(grid={"none": [0]}),
                               cache_dir=tmp_path), ValueError, "mixup"),
    ]
    for call, error, name in cases:
        with pytest.raises(error, match=name):
            call()
