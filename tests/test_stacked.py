"""The residual MLP and the CNN (issue 14.2): modules, their batched (stacked) versions,
batched training == one-by-one training, member independence, measures on them."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from essay_lib import data
from essay_lib.measures import batched, linearity
from essay_lib.nets import architectures, training
from essay_lib.nets.ensemble import Member, batched_model, model_from_arrays, train_ensemble

pytestmark = pytest.mark.usefixtures("single_torch_thread")

CASES = {  # architecture, widths, input_shape, maker
    "residual": ("residual", (3, 12, 12, 12, 2), None),
    "cnn1d": ("cnn", (40, 4, 6, 10), None),
    "cnn2d": ("cnn", (64, 4, 6, 10), (8, 8)),
}


def make(name, seed, **rates):
    architecture, widths, shape = CASES[name]
    if architecture == "residual":
        return architectures.make_residual(widths, seed=seed, **rates)
    return architectures.make_cnn(widths, input_shape=shape, seed=seed, **rates)


def max_relative(a, b) -> float:
    worst = 0.0
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        p, q = p.detach().double(), q.detach().double()
        worst = max(worst, float((p - q).abs().max() / q.abs().max()))
    return worst


@pytest.fixture(scope="module")
def signals():
    """A small MNIST-1D-like classification set: 120 signals of 40 samples, 10 classes."""
    rng = np.random.default_rng(0)
    y = np.arange(120) % 10
    t = np.linspace(0, 1, 40)
    X = np.sin(2 * np.pi * (y[:, None] + 1) * t / 3) + 0.3 * rng.standard_normal((120, 40))
    return X.astype(np.float32), y.astype(np.int64)


@pytest.fixture(scope="module")
def digits():
    task = data.digits_task(test_fraction=0.9)
    return task.X_train[:96], task.y_train[:96]


@pytest.mark.parametrize("name", sorted(CASES))
def test_batched_forward_is_each_members_forward(name):
    architecture, widths, shape = CASES[name]
    seeds = [4, 0, 11]
    model = batched_model(architecture, widths, seeds, input_shape=shape)
    X = torch.randn(6, widths[0], generator=torch.Generator().manual_seed(1))
    out, hidden = model.forward_with_hidden(X)
    stacked = model.forward(X.expand(3, *X.shape))
    assert out.shape == (3, 6, widths[-1]) and len(hidden) == len(widths) - 2
    for k, seed in enumerate(seeds):
        reference = make(name, seed).eval()
        for p, q in zip(model.member(k).parameters(), reference.parameters(), strict=True):
            assert torch.equal(p, q)  # member k starts from make_*(seed=seeds[k])
        expected, expected_hidden = reference.forward_with_hidden(X)
        torch.testing.assert_close(out[k], expected, rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(stacked[k], expected, rtol=1e-5, atol=1e-6)
        for h, e in zip(hidden, expected_hidden, strict=True):
            torch.testing.assert_close(h[k], e, rtol=1e-5, atol=1e-6)
    assert model.mask_widths[0] == widths[0]
    assert [h.shape[-1] for h in hidden] == list(model.mask_widths[1:])


def test_seeded_initialisation_leaves_the_global_stream_alone():
    state = torch.random.get_rng_state()
    a, b, c = make("cnn1d", 3), make("cnn1d", 3), make("cnn1d", 4)
    assert torch.equal(state, torch.random.get_rng_state())
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(a.head.weight, c.head.weight)


@pytest.mark.parametrize("name, batch_size, epochs", [
    ("residual", None, 150), ("cnn1d", 32, 6), ("cnn2d", 32, 6)])
def test_batched_training_matches_one_by_one_models(name, batch_size, epochs, signals, digits):
    architecture, widths, shape = CASES[name]
    if name == "residual":
        task = data.moons_task(n_samples=120)
        X, y = task.X_train, task.y_train
        X = np.concatenate([X, X[:, :1] * X[:, 1:]], axis=1)  # three features
    else:
        X, y = signals if name == "cnn1d" else digits
    seeds = (2, 5)
    result = train_ensemble(widths, [Member(seed=s, lr=3e-3) for s in seeds], X, y,
                            kind="classification", epochs=epochs, batch_size=batch_size,
                            architecture=architecture, input_shape=shape, progress=False)
    for k, seed in enumerate(seeds):
        reference = make(name, seed)
        training.train_model(reference, X, y, kind="classification", epochs=epochs, lr=3e-3,
                             batch_size=batch_size, seed=seed, progress=False)
        assert max_relative(result.model.member(k), reference) < 1e-4
        assert max_relative(make(name, seed), reference) > 1e-2  # training moved it


@pytest.mark.parametrize("name", ["residual", "cnn1d"])
def test_a_member_does_not_depend_on_its_neighbours(name, signals):
    architecture, widths, shape = CASES[name]
    X, y = signals
    if name == "residual":
        X, y = X[:, :3], y % 2
    target = Member(seed=7, drop_rate=0.3, input_drop_rate=0.1, l2=1e-3, mixup_alpha=0.4,
                    weight_decay=0.1, lr=3e-3)
    others = [Member(seed=1, drop_rate=0.6, lr=1e-2), Member(seed=2, mixup_alpha=1.0)]
    kwargs = dict(kind="classification", epochs=3, batch_size=32, architecture=architecture,
                  input_shape=shape, optimizer="adamw", progress=False)
    alone = train_ensemble(widths, [target], X, y, **kwargs)
    group = train_ensemble(widths, [others[0], target, others[1]], X, y, **kwargs)
    assert max_relative(group.model.member(1), alone.model.member(0)) < 1e-5
    plain = train_ensemble(widths, [Member(seed=7, lr=3e-3)], X, y, **kwargs)
    assert max_relative(plain.model.member(0), alone.model.member(0)) > 1e-3  # rates acted


def test_early_stopping_and_sgd_work_on_a_cnn(signals):
    X, y = signals
    result = train_ensemble((40, 4, 10), [Member(seed=s, lr=0.05) for s in range(3)], X[:90],
                            y[:90], kind="classification", epochs=30, optimizer="sgd",
                            momentum=0.9, batch_size=32, architecture="cnn",
                            eval_data={"validation": (X[90:], y[90:])}, patience=3,
                            progress=False)
    assert result.best_epoch.shape == (3,) and np.all(result.best_epoch >= 1)
    assert np.isfinite(result.train_loss).all()


@pytest.mark.parametrize("name", sorted(CASES))
def test_arrays_round_trip_and_measures_see_each_member(name):
    architecture, widths, shape = CASES[name]
    model = batched_model(architecture, widths, [0, 1], input_shape=shape)
    arrays = [model.member_arrays(k) for k in range(2)]
    again = model_from_arrays(architecture, widths, arrays, input_shape=shape)
    assert torch.equal(again.flat, model.flat)
    X = np.random.default_rng(0).normal(size=(30, widths[0]))
    values = batched.z_bar_members(again, X, n_triples=50, scale=0.5, seed=0)["logits"][0]
    for k in range(2):
        expected = linearity.z_bar(again.member(k), X, n_triples=50, scale=0.5, seed=0).value
        assert values[k] == pytest.approx(expected, rel=1e-9)
    with pytest.raises(ValueError, match="shape"):
        model_from_arrays(architecture, widths, [{n: a[..., :1] for n, a in arrays[0].items()}],
                          input_shape=shape)


def test_member_carries_its_drop_rates():
    model = batched_model("cnn", (40, 4, 10), [0])
    net = model.member(0, drop_rate=0.25, input_drop_rate=0.1)
    assert net.drop_rates == (0.25,) and net.input_drop_rate == 0.1 and not net.training


@pytest.mark.parametrize("call, error, match", [
    (lambda: architectures.make_residual((3, 8, 9, 1)), ValueError, "equal"),
    (lambda: architectures.make_cnn((40, 4, 10), input_shape=(7, 7)), ValueError, "input_shape"),
    (lambda: architectures.make_cnn((40, 4, 10), input_shape=(2, 4, 5)), ValueError,
     "input_shape"),
    (lambda: architectures.make_cnn((40, 4, 10), drop_rates=(0.1, 0.2)), ValueError,
     "drop_rates"),
    (lambda: architectures.make_residual((3, 8, 1), drop_rates=(1.0,)), ValueError,
     r"drop_rates\[0\]"),
    (lambda: architectures.make_cnn((40, 4, 10), seed=-1), ValueError, "seed"),
    (lambda: batched_model("cnn", (40, 4, 10), []), ValueError, "seeds"),
    (lambda: batched_model("residual", (3, 8, 1), [0]).member(1), ValueError, "k must"),
])
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("name", sorted(CASES))
def test_cuda_matches_cpu_without_dropout(name, signals, digits):
    architecture, widths, shape = CASES[name]
    X, y = signals if name != "cnn2d" else digits
    if name == "residual":
        X, y = X[:, :3], y % 2
    members = [Member(seed=s, lr=3e-3, weight_decay=0.1) for s in range(3)]
    kwargs = dict(kind="classification", epochs=5, batch_size=32, architecture=architecture,
                  input_shape=shape, optimizer="adamw", progress=False)
    cpu = train_ensemble(widths, members, X, y, **kwargs)
    gpu = train_ensemble(widths, members, X, y, device="cuda", **kwargs)
    assert gpu.model.flat.device.type == "cuda"
    for k in range(3):
        assert max_relative(gpu.model.member(k), cpu.model.member(k)) < 1e-3
    dropped = train_ensemble(widths, [Member(drop_rate=0.5, input_drop_rate=0.2)], X, y,
                             device="cuda", **kwargs)
    assert np.isfinite(dropped.final_train_loss).all()
