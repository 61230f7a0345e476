"""Tests of essay_lib.measures.subnetworks: Z_mask's exact cases (one hidden layer, a
hand-built two-layer net), invariances, batched == one by one, the MC gap, bad input."""

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from essay_lib.measures import subnetworks as S
from essay_lib.nets.ensemble import BatchedMLP
from essay_lib.nets.models import MLP, make_mlp

pytestmark = pytest.mark.usefixtures("single_torch_thread")
FAST = settings(max_examples=20, deadline=None)


def _points(n=40, d=2, seed=0):
    return np.random.default_rng(seed).normal(size=(n, d))


@FAST
@given(seed=st.integers(0, 2**31), width=st.integers(2, 24), k=st.integers(1, 4),
       keep=st.floats(0.1, 0.9), inverted=st.booleans())
def test_one_hidden_layer_is_additive_in_its_masks(seed, width, k, keep, inverted):
    net = make_mlp(3, [width], k, seed=seed % 1000)
    result = S.subnetwork_additivity(net, _points(d=3, seed=seed), keep_prob=keep, n_draws=200,
                                     inverted=inverted, seed=seed)
    assert result.value < 1e-9
    assert result.denominators.sum() > 0  # the masks do change the output


def test_two_hidden_layers_are_not():
    net = make_mlp(2, [16, 16], 3, seed=1)
    assert S.subnetwork_additivity(net, _points(), n_draws=300).value > 0.01


def _all_masks(H):
    return np.array(list(itertools.product([0.0, 1.0], repeat=H)))


def _expected_output(net, X, keep):
    """E_m f(x; m / keep) by exact enumeration of all 2^H masks."""
    masks = _all_masks(sum(net.widths[1:-1]))
    kept = masks.sum(axis=1)
    probs = keep ** kept * (1 - keep) ** (masks.shape[1] - kept)
    outs = S.masked_outputs(net, X, masks, scale=1 / keep)
    return np.einsum("m,mnk->nk", probs, outs)


def test_mc_average_equals_weight_scaling_for_one_hidden_layer_by_enumeration():
    X = _points(n=7)
    net = make_mlp(2, [5], 2, seed=3)
    for keep in (0.3, 0.5, 0.8):
        exact = _expected_output(net, X, keep)
        with torch.no_grad():
            scaled = net(torch.as_tensor(X, dtype=torch.float32)).double().numpy()
        np.testing.assert_allclose(exact, scaled, atol=1e-5)  # float32 forward of the net
        ones = S.masked_outputs(net, X, np.ones((1, 5)))[0]
        np.testing.assert_allclose(exact, ones, atol=1e-12)
    deep = make_mlp(2, [4, 4], 2, seed=3)
    gap = np.abs(_expected_output(deep, X, 0.5) - S.masked_outputs(deep, X, np.ones((1, 8)))[0])
    assert gap.max() > 1e-3  # with two layers the average is not the weight-scaled net


def test_mc_gap_is_zero_in_expectation_for_one_layer_and_not_for_two():
    X = _points(n=64)
    one = make_mlp(2, [6], 2, seed=2)
    gaps = [S.mc_gap(one, X, n_samples=400, keep_prob=0.3, seed=s) for s in range(4)]
    assert abs(np.mean(gaps)) < 0.1
    assert abs(S.mc_gap(one, X, n_samples=8, keep_prob=0.5)) < 1e-6  # antithetic pairs
    deep = make_mlp(2, [6, 6], 2, seed=2)
    # the exact gap, by enumeration, against the estimate
    full = S.masked_outputs(deep, X, np.ones((1, 12)))[0]
    bias = _expected_output(deep, X, 0.5) - full
    exact = np.sqrt((bias**2).sum(axis=1).mean() / ((full - full.mean(0))**2).sum(axis=1).mean())
    estimate = S.mc_gap(deep, X, n_samples=2000, seed=0)
    assert exact > 0.05 and estimate == pytest.approx(exact, rel=0.15)


def _hand_net():
    """x -> h1 = h2 = relu(x) -> g = relu(h1 + h2 - 1) -> y = g (widths 1, 2, 1, 1)."""
    net = make_mlp(1, [2, 1], 1)
    with torch.no_grad():
        net.layers[0].weight.copy_(torch.tensor([[1.0], [1.0]]))
        net.layers[0].bias.zero_()
        net.layers[1].weight.copy_(torch.tensor([[1.0, 1.0]]))
        net.layers[1].bias.fill_(-1.0)
        net.layers[2].weight.fill_(1.0)
        net.layers[2].bias.zero_()
    return net


@pytest.mark.parametrize("inverted, parts", [(True, {0: (2, 10), 1: (2, 26)}),
                                             (False, {0: (1, 1), 1: (1, 5)})])
def test_hand_built_two_layer_network(inverted, parts):
    # A = {h1}, B = {h2} (layer 0, one unit each), C holds g or not.  With the scale
    # s = 1/keep = 2 and g kept: x=1: f(C)=0, f(C∪A)=f(C∪B)=2·relu(2-1)=2,
    # f(C∪A∪B)=2·relu(4-1)=6: |D|=2, sum=10; x=2: 6, 6, 14: |D|=2, sum=26.
    # Without scaling: x=1: 0, 0, 1: |D|=1, sum=1; x=2: 1, 1, 3: |D|=1, sum=5.
    # Draws that drop g give f = 0 everywhere and add 0 to both sums.
    X = np.array([[1.0], [2.0]])
    result = S.subnetwork_additivity(_hand_net(), X, keep_prob=0.5, n_draws=400, layers=0,
                                     set_fraction=0.5, inverted=inverted, seed=0)
    assert result.set_size == 1
    kept = result.denominators > 0
    assert 100 < kept.sum() < 300  # g was kept in about half of the draws
    np.testing.assert_array_equal(result.numerators[~kept], 0)
    for point, (num, den) in parts.items():
        here = kept & (result.points == point)
        np.testing.assert_allclose(result.numerators[here], num, atol=1e-12)
        np.testing.assert_allclose(result.denominators[here], den, atol=1e-12)
    counts = {p: np.sum(kept & (result.points == p)) for p in parts}
    expected = (sum(counts[p] * parts[p][0] for p in parts)
                / sum(counts[p] * parts[p][1] for p in parts))
    assert result.value == pytest.approx(expected, abs=1e-12)


def test_explicit_masks_by_hand():
    net = _hand_net()
    masks = np.array([[0, 0, 1], [1, 0, 1], [1, 1, 1], [1, 1, 0]], dtype=float)
    out = S.masked_outputs(net, np.array([[1.0]]), masks)[:, 0, 0]
    np.testing.assert_allclose(out, [0.0, 0.0, 1.0, 0.0])


@FAST
@given(alpha=st.floats(-5, 5).filter(lambda a: abs(a) > 0.05), shift=st.floats(-10, 10))
def test_invariant_to_scaling_and_shifting_the_output(alpha, shift):
    net = make_mlp(2, [8, 8], 2, seed=4)
    X = _points()
    before = S.subnetwork_additivity(net, X, n_draws=200, seed=1).value
    with torch.no_grad():
        net.layers[-1].weight.mul_(alpha)
        net.layers[-1].bias.mul_(alpha).add_(shift)
    after = S.subnetwork_additivity(net, X, n_draws=200, seed=1).value
    assert after == pytest.approx(before, rel=1e-6)


def test_same_seed_same_number_other_seed_other_draws():
    net = make_mlp(2, [8, 8], 2, seed=4)
    X = _points()
    a, b = (S.subnetwork_additivity(net, X, n_draws=100, seed=3) for _ in range(2))
    assert a.value == b.value and np.array_equal(a.numerators, b.numerators)
    assert S.subnetwork_additivity(net, X, n_draws=100, seed=4).value != a.value


def test_batched_members_equal_one_by_one():
    seeds = [0, 5, 9]
    batched = BatchedMLP((2, 8, 6, 3), seeds)
    X = _points()
    together = S.subnetwork_additivity_members(batched, X, n_draws=150, seed=2)
    gaps = S.mc_gap_members(batched, X, n_samples=16, seed=2)
    for k in range(len(seeds)):
        alone = S.subnetwork_additivity(batched.member(k), X, n_draws=150, seed=2)
        assert together[k].value == pytest.approx(alone.value, rel=1e-12)
        np.testing.assert_allclose(together[k].numerators, alone.numerators, atol=1e-13)
        assert gaps[k] == pytest.approx(S.mc_gap(batched.member(k), X, n_samples=16, seed=2),
                                        rel=1e-12)


def test_the_numbers_do_not_depend_on_the_thread_count():
    """The passes run on the caller's torch threads (chapters: 2); the values must not
    depend on that count."""
    batched = BatchedMLP((3, 64, 64, 4), [0, 1])
    X = np.random.default_rng(3).normal(size=(200, 3))
    results = []
    for threads in (1, 2):
        torch.set_num_threads(threads)
        results.append(([r.value for r in S.subnetwork_additivity_members(
            batched, X, n_draws=300, seed=1)], S.mc_gap_members(batched, X, seed=1)))
    torch.set_num_threads(1)
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_parts_and_choices():
    net = make_mlp(2, [16, 8], 2, seed=0)
    X = _points()
    r = S.subnetwork_additivity(net, X, n_draws=50)
    assert r.numerators.shape == r.denominators.shape == r.points.shape == (50,)
    assert r.set_size == -1  # one layer per draw: 2 of 16 units or 1 of 8 (set sizes differ)
    assert S.subnetwork_additivity(net, X, n_draws=50, layers="all").set_size == 3  # 24 / 8
    assert np.all(r.numerators <= r.denominators + 1e-12)
    assert r.value == pytest.approx(r.numerators.sum() / r.denominators.sum())
    sets = S.draw_mask_sets((16, 8), len(X), 500, layers="same", seed=0)
    assert not np.any(sets.context & sets.a) and not np.any(sets.a & sets.b)
    in_first = sets.a[:, :16].any(axis=1)
    assert np.all(sets.a[in_first, 16:] == 0) and 150 < in_first.sum() < 350
    assert sets.context.mean() == pytest.approx(0.5 * (1 - 2 * sets.a.mean()), abs=0.02)
    centred = S.subnetwork_additivity(net, X, n_draws=50, output="centred_logits")
    assert 0 <= centred.value <= 1


def test_line_outputs_are_one_draw_on_every_row():
    net = make_mlp(1, [8, 8], 1, seed=0)
    x = np.linspace(-1, 1, 9)[:, None]
    out = S.line_outputs(net, x, seed=5)
    sets = S.draw_mask_sets((8, 8), 1, 1, seed=5)
    np.testing.assert_allclose(out, S.masked_outputs(net, x, sets.stacked()[:, 0], scale=2.0))
    assert out.shape == (4, 9, 1)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"keep_prob": 0.0}, ValueError, "keep_prob"),
    ({"keep_prob": 1.5}, ValueError, "keep_prob"),
    ({"keep_prob": "half"}, TypeError, "keep_prob"),
    ({"n_draws": 0}, ValueError, "n_draws"),
    ({"n_draws": 2.5}, TypeError, "n_draws"),
    ({"set_fraction": 0.7}, ValueError, "set_fraction"),
    ({"layers": "any"}, ValueError, "layers"),
    ({"layers": 2}, ValueError, "layers"),
    ({"inverted": 1}, TypeError, "inverted"),
    ({"output": "probs"}, ValueError, "output"),
    ({"seed": -1}, ValueError, "seed"),
])
def test_bad_settings_name_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        S.subnetwork_additivity(make_mlp(2, [4, 4], 1), _points(), **kwargs)


def test_bad_models_and_points():
    net = make_mlp(2, [4, 4], 1)
    with pytest.raises(ValueError, match="X contains NaN"):
        S.subnetwork_additivity(net, np.array([[0.0, np.nan]]))
    with pytest.raises(ValueError, match="X must have 2 dimensions"):
        S.subnetwork_additivity(net, np.zeros(3))
    with pytest.raises(ValueError, match="X must have 2 columns"):
        S.subnetwork_additivity(net, np.zeros((3, 5)))
    with pytest.raises(TypeError, match="model must be"):
        S.subnetwork_additivity(torch.nn.Linear(2, 1), _points())
    with pytest.raises(TypeError, match="model must be"):
        S.subnetwork_additivity(lambda x: x, _points())
    with pytest.raises(ValueError, match="at least one hidden layer"):
        S.subnetwork_additivity(MLP((2, 1)), _points())  # no hidden layer to mask
    with pytest.raises(ValueError, match="n_samples"):
        S.mc_gap(net, _points(), n_samples=1)
    with pytest.raises(ValueError, match="multiple of 4"):
        S.mc_gap(net, _points(), n_samples=6)
    with pytest.raises(ValueError, match="masks must have 8 columns"):
        S.masked_outputs(net, _points(), np.ones((2, 3)))


@FAST
@given(seed=st.integers(0, 2**31), depth=st.integers(2, 4), keep=st.floats(0.1, 1.0))
def test_a_deep_linear_network_adds_up_on_same_layer_sets_and_not_across(seed, depth, keep):
    """f(x; m) of a network without activations is linear in each layer's mask: sets of
    one layer add up exactly (its function is linear), sets across layers multiply."""
    net = make_mlp(3, [12] * depth, 2, activation="identity", seed=seed % 1000)
    X = _points(d=3, seed=seed)
    same = S.subnetwork_additivity(net, X, keep_prob=keep, n_draws=200, seed=seed)
    assert same.value < 1e-12 and np.all(same.numerators < 1e-12 * (1 + same.denominators))
    assert S.subnetwork_additivity(net, X, keep_prob=min(keep, 0.9), n_draws=200,
                                   layers="all", seed=seed).value > 1e-3


def test_same_layer_sets_are_the_default_and_stay_in_one_layer():
    sets = S.draw_mask_sets((8, 6), 10, 50, seed=0)
    for a, b in zip(sets.a, sets.b, strict=True):
        layers = {0 if j < 8 else 1 for j in np.flatnonzero(a | b)}
        assert len(layers) == 1
    assert S.subnetwork_additivity(make_mlp(2, [8, 6], 1, seed=0), _points(), n_draws=50,
                                   seed=0).value == S.subnetwork_additivity(
        make_mlp(2, [8, 6], 1, seed=0), _points(), n_draws=50, layers="same", seed=0).value


def test_one_keep_probability_per_member_equals_one_call_each():
    batched = BatchedMLP((2, 8, 6, 3), [0, 1, 2])
    X = _points()
    keeps = [0.5, 1.0, 0.3]
    together = S.subnetwork_additivity_members(batched, X, keep_prob=keeps, n_draws=120,
                                               seed=4)
    for k, q in enumerate(keeps):
        alone = S.subnetwork_additivity(batched.member(k), X, keep_prob=q, n_draws=120, seed=4)
        assert together[k].value == pytest.approx(alone.value, rel=1e-12)
        assert together[k].keep_prob == q
    full = S.draw_mask_sets((8, 6), 10, 30, keep_prob=1.0, seed=0)
    np.testing.assert_array_equal(full.context, ~full.a & ~full.b)  # keep 1: all the rest
    skipped = S.subnetwork_additivity_members(batched, X, keep_prob=[0.5, None, 0.3],
                                              n_draws=120, seed=4)
    assert skipped[1] is None and skipped[0].value == together[0].value
    with pytest.raises(ValueError, match="keep_prob must be one number or one per member"):
        S.subnetwork_additivity_members(batched, X, keep_prob=[0.5, 0.5])
    with pytest.raises(ValueError, match=r"keep_prob\[1\]"):
        S.subnetwork_additivity_members(batched, X, keep_prob=[0.5, 0.0, 0.5])
