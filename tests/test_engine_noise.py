"""Noise kinds as pluggable streams (essay_lib.nets.noise): Gaussian multiplicative noise,
dropout on chosen hidden layers; Bernoulli dropout and cache keys unchanged; every new
option batched == one by one, hand-written == autograd."""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pytest
import torch
from scipy import stats as scipy_stats

from essay_lib import data
from essay_lib.nets import losses, models, noise, training
from essay_lib.nets.ensemble import Member, batched_model, train_ensemble

pytestmark = pytest.mark.usefixtures("single_torch_thread")
CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def quadratic():
    return data.load_task("quadratic", n_train=40, validation_fraction=0.25)


@pytest.fixture(scope="module")
def moons():
    return data.moons_task(n_samples=120)


def max_relative(a, b) -> float:
    return max(float((p.detach().double() - q.detach().double()).abs().max()
                     / q.detach().abs().max())
               for p, q in zip(a.parameters(), b.parameters(), strict=True))


# ---------------------------------------------------------------- the Gaussian stream
def moments_agree(draws: np.ndarray, mean: float, variance: float, z: float = 5.0) -> bool:
    """Whether normal draws are consistent with ``mean`` and ``variance``: each sample
    moment within ``z`` standard errors (mean: sqrt(var / N); variance of normal draws:
    var · sqrt(2 / (N - 1)))."""
    n = draws.size
    return (abs(draws.mean() - mean) < z * math.sqrt(variance / n)
            and abs(draws.var(ddof=1) - variance) < z * variance * math.sqrt(2 / (n - 1)))


def test_gaussian_factors_have_mean_one_and_variance_p_over_1_minus_p():
    rates, seeds = [0.0, 0.3, 0.75], [0, 1, 2]
    stream = noise.GaussianNoise(rates, seeds, 1, 50, 40, CPU)
    drawn = torch.stack([stream.next(50) for _ in range(40)]).double().numpy()  # 80 000 each
    assert np.all(drawn[:, 0] == 1.0)  # rate 0: exactly 1, no noise
    for k in (1, 2):
        p = rates[k]
        values = drawn[:, k].ravel()
        assert moments_agree(values, 1.0, p / (1 - p))
        # the test rejects wrong variances: 5% off, or dropout's p, or the keep probability
        for wrong in (1.05 * p / (1 - p), 0.95 * p / (1 - p), p, 1 - p):
            assert not moments_agree(values, 1.0, wrong)
        standard = (values - 1) / math.sqrt(p / (1 - p))
        assert scipy_stats.kstest(standard[:20000], "norm").pvalue > 1e-3
    # one member alone draws what it draws beside others
    alone = noise.GaussianNoise([0.3], [1], 1, 50, 40, CPU)
    mine = torch.stack([alone.next(50) for _ in range(40)])[:, 0]
    assert torch.equal(mine, torch.as_tensor(drawn[:, 1]).float())


def test_gaussian_streams_are_their_own():
    """A Gaussian stream shares nothing with the dropout stream of the same seed, layer and
    rate, and rows of a short batch are the first rows of the step's draws."""
    gauss = noise.GaussianNoise([0.5], [3], 1, 64, 32, CPU).next(64)[0]
    masks = noise.Masks([0.5], [3], 1, 64, 32, 1, CPU).next(64)[0]
    r = np.corrcoef(gauss.ravel().numpy(), masks.ravel().numpy())[0, 1]
    assert abs(r) < 5 / math.sqrt(gauss.numel())
    short = noise.GaussianNoise([0.5], [3], 1, 64, 32, CPU).next(10)
    assert short.shape == (1, 10, 32) and torch.equal(short[0], gauss[:10])
    other_layer = noise.GaussianNoise([0.5], [3], 2, 64, 32, CPU).next(64)[0]
    assert not torch.equal(other_layer, gauss)


# ---------------------------------------------------------------- streams per layer
def test_member_masks_put_each_kind_on_its_layers():
    model = batched_model("mlp", (3, 8, 8, 8, 1), [0, 1, 2])
    kinds = {
        (): [None, None, None, None],
        (Member(drop_rate=0.2, input_drop_rate=0.1),): ["Masks"] * 4,
        (Member(drop_rate=0.2, drop_layers="first"),): [None, "Masks", None, None],
        (Member(drop_rate=0.2, drop_layers="last", noise="gaussian"),):
            [None, None, None, "GaussianNoise"],
        (Member(drop_rate=0.2, noise="gaussian", input_drop_rate=0.3),):
            ["Masks", "GaussianNoise", "GaussianNoise", "GaussianNoise"],
        (Member(drop_rate=0.2, drop_layers="first"), Member(drop_rate=0.2, noise="gaussian")):
            [None, "ProductNoise", "GaussianNoise", "GaussianNoise"],
    }
    for chosen, expected in kinds.items():
        members = list(chosen) + [Member()] * (3 - len(chosen))
        streams = noise.member_masks(model, members, 4, 10)
        assert [None if s is None else type(s).__name__ for s in streams] == expected
    # a layer shared by both kinds: each member gets exactly its own factors
    members = [Member(seed=0, drop_rate=0.4), Member(seed=1, drop_rate=0.4, noise="gaussian"),
               Member(seed=2)]
    mixed = noise.member_masks(model, members, 4, 10)[1].next(4)
    assert torch.equal(mixed[0], noise.Masks([0.4], [0], 1, 4, 8, 10, CPU).next(4)[0])
    assert torch.equal(mixed[1], noise.GaussianNoise([0.4], [1], 1, 4, 8, CPU).next(4)[0])
    assert torch.all(mixed[2] == 1.0)


#: sha256 of the float32 draws of Masks([0.3, 0.0, 0.5], [1, 2, 3], 1, 8, 16, 30) over 30
#: steps, computed before Gaussian noise and drop_layers were added
MASKS_SHA256 = "525f80a1a16f3fd248c307b95f2bfa357dea0ddff96b8d9047c4e0019c7774da"


def test_bernoulli_dropout_is_unchanged(quadratic):
    masks = noise.Masks([0.3, 0.0, 0.5], [1, 2, 3], 1, 8, 16, 30, CPU)
    drawn = torch.stack([masks.next(8) for _ in range(30)]).numpy()
    assert hashlib.sha256(drawn.tobytes()).hexdigest() == MASKS_SHA256
    model = batched_model("mlp", (1, 16, 16, 1), [1, 2, 3])
    members = [Member(seed=1, drop_rate=0.3), Member(seed=2), Member(seed=3, drop_rate=0.5)]
    streams = noise.member_masks(model, members, 8, 30)
    drawn = torch.stack([streams[1].next(8) for _ in range(30)])
    reference = noise.Masks([0.3, 0.0, 0.5], [1, 2, 3], 1, 8, 16, 30, CPU)
    assert torch.equal(drawn, torch.stack([reference.next(8) for _ in range(30)]))
    # a run's weights before the change (float32 rounding aside, across machines)
    members = [Member(seed=1, drop_rate=0.3, input_drop_rate=0.1, l2=1e-3, mixup_alpha=0.5,
                      lr=3e-3), Member(seed=2, drop_rate=0.5), Member(seed=3)]
    flat = train_ensemble((1, 16, 16, 1), members, quadratic.X_train, quadratic.y_train,
                          epochs=20, batch_size=8, progress=False).model.flat.numpy()
    assert float(np.abs(flat).sum(dtype=np.float64)) == pytest.approx(152.12073659695307,
                                                                     rel=1e-4)
    np.testing.assert_allclose(flat[:4], [0.56952167, -0.45776471, -0.20474613, 0.44080895],
                               rtol=1e-4)
    np.testing.assert_allclose(flat[-4:], [-0.07491076, 0.03778011, 0.1818059, 0.22103901],
                               rtol=1e-4)


def test_new_fields_stay_out_of_the_cache_key_at_their_defaults():
    old_keys = {"seed", "drop_rate", "input_drop_rate", "l1", "l2", "mixup_alpha", "lr",
                "weight_decay"}
    assert set(Member(seed=3, drop_rate=0.2).as_dict()) == old_keys
    assert Member(noise="dropout", drop_layers="all", dropout_penalty=0.0).as_dict() == \
        Member().as_dict()
    assert Member(noise="gaussian").as_dict()["noise"] == "gaussian"
    assert Member(drop_layers="last").as_dict()["drop_layers"] == "last"
    assert Member(dropout_penalty=0.3).as_dict()["dropout_penalty"] == 0.3
    for field, value, error in (("noise", "uniform", ValueError),
                                ("drop_layers", "middle", ValueError),
                                ("dropout_penalty", -0.1, ValueError),
                                ("dropout_penalty", "0.1", TypeError)):
        with pytest.raises(error, match=field):
            Member(**{field: value})


# ---------------------------------------------------------------- training
def one_by_one(widths, X, y, *, kind, epochs, batch_size, seed, drop, layers, gaussian,
               lr=1e-2):
    """One MLP trained by autograd and torch.optim.Adam, its noise drawn from the member's
    own streams: hidden layer l gets ``drop`` where ``l in layers``."""
    model = models.make_mlp(widths[0], list(widths[1:-1]), widths[-1], seed=seed)
    X_t, y_t = training.as_tensors(X, y, kind, CPU)
    n = len(X_t)
    batch = n if batch_size is None else min(batch_size, n)
    total = epochs * -(-n // batch)
    streams = [None]
    for i, width in enumerate(widths[1:-1], start=1):
        if i - 1 not in layers:
            streams.append(None)
        elif gaussian:
            streams.append(noise.GaussianNoise([drop], [seed], i, batch, width, CPU))
        else:
            streams.append(noise.Masks([drop], [seed], i, batch, width, total, CPU))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for idx in training.batch_indices(n, batch_size, generator):
            x, rows = X_t[idx], len(idx)
            for i, layer in enumerate(model.layers):
                if streams[i] is not None:
                    x = x * streams[i].next(rows)[0]
                x = layer(x)
                if i < len(model.layers) - 1:
                    x = torch.relu(x)
            loss = losses.data_loss(x, y_t[idx], kind)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return model


@pytest.mark.parametrize("noise_kind", ["dropout", "gaussian"])
@pytest.mark.parametrize("drop_layers, chosen", [("all", (0, 1, 2)), ("first", (0,)),
                                                 ("last", (2,))])
def test_noise_on_chosen_layers_matches_one_by_one(moons, noise_kind, drop_layers, chosen):
    widths = (2, 12, 12, 12, 2)
    members = [Member(seed=4, drop_rate=0.4, noise=noise_kind, drop_layers=drop_layers),
               Member(seed=5, drop_rate=0.2, noise="gaussian", drop_layers="first"),
               Member(seed=6, drop_rate=0.3)]
    kwargs = dict(kind="classification", epochs=8, batch_size=20)
    result = train_ensemble(widths, members, moons.X_train, moons.y_train, progress=False,
                            **kwargs)
    reference = one_by_one(widths, moons.X_train, moons.y_train, seed=4, drop=0.4,
                           layers=chosen, gaussian=noise_kind == "gaussian", **kwargs)
    assert max_relative(result.model.member(0), reference) < 1e-4
    auto = train_ensemble(widths, members, moons.X_train, moons.y_train, backward="autograd",
                          progress=False, **kwargs)
    for k in range(3):
        assert max_relative(auto.model.member(k), result.model.member(k)) < 1e-4
    if (noise_kind, drop_layers) != ("dropout", "all"):  # the option changed the network
        plain = train_ensemble(widths, [Member(seed=4, drop_rate=0.4)], moons.X_train,
                               moons.y_train, progress=False, **kwargs)
        assert max_relative(plain.model.member(0), result.model.member(0)) > 1e-2


@pytest.mark.parametrize("architecture, widths, shape", [
    ("mlp", (2, 24, 24, 2), None), ("residual", (2, 12, 12, 12, 2), None),
    ("cnn", (16, 3, 4, 2), (4, 4))])
def test_new_noise_alone_equals_in_a_group(architecture, widths, shape):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(64, widths[0])).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    kwargs = dict(kind="classification", epochs=5, batch_size=16, architecture=architecture,
                  input_shape=shape, progress=False)
    targets = [Member(seed=7, drop_rate=0.3, noise="gaussian", input_drop_rate=0.1, lr=3e-3),
               Member(seed=8, drop_rate=0.5, drop_layers="last", mixup_alpha=0.4),
               Member(seed=9, drop_rate=0.2, noise="gaussian", drop_layers="first")]
    others = [Member(seed=s, drop_rate=r, noise=kind) for s, r, kind in
              ((7, 0.3, "dropout"), (1, 0.0, "dropout"), (2, 0.6, "gaussian"))]
    group = train_ensemble(widths, [others[0], targets[0], others[1], targets[1], others[2],
                                    targets[2]], X, y, **kwargs)
    for position, target in zip((1, 3, 5), targets, strict=True):
        alone = train_ensemble(widths, [target], X, y, **kwargs)
        assert max_relative(group.model.member(position), alone.model.member(0)) < 1e-5
