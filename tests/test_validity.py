"""Chapter 04's validity checks: the probabilities representation, chord-midpoint triples,
the leaky ReLU of the engine, the affine blend and the leaky-ReLU path
(essay_lib.measures.validity), and the validity table (essay_lib.experiment.validity)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from essay_lib import data
from essay_lib.measures import batched, linearity
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
