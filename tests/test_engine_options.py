"""The batched engine's training options (issue 14): SGD with momentum, decoupled weight
decay (AdamW), input and hidden dropout, early stopping, the autograd path; each checked
as batched == K independent one-by-one models trained the same way with torch.optim."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from essay_lib import data
from essay_lib.nets import flat_optim, losses, models, noise, training
from essay_lib.nets.ensemble import Member, train_ensemble

pytestmark = pytest.mark.usefixtures("single_torch_thread")


@pytest.fixture(scope="module")
def quadratic():
    return data.load_task("quadratic", n_train=40, validation_fraction=0.25)


@pytest.fixture(scope="module")
def moons():
    return data.moons_task(n_samples=120)


def max_relative(a: torch.nn.Module, b: torch.nn.Module) -> float:
    worst = 0.0
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        p, q = p.detach().double(), q.detach().double()
        worst = max(worst, float((p - q).abs().max() / q.abs().max()))
    return worst


def one_by_one(model, X, y, *, kind="regression", epochs, batch_size, make_optimizer, seed,
               input_drop=0.0, drop=0.0, decay=0.0, lr=1e-2):
    """One MLP trained with autograd and ``make_optimizer(model)``, its batches from
    ``batch_indices`` and its dropout masks from the member's own streams (the ones the
    batched engine uses for a member with this seed and these rates)."""
    X_t, y_t = training.as_tensors(X, y, kind, torch.device("cpu"))
    n = len(X_t)
    batch = n if batch_size is None else min(batch_size, n)
    total = epochs * -(-n // batch)
    widths = model.widths
    masks = [noise.Masks([rate], [seed], i, batch, width, total, torch.device("cpu"))
             if rate > 0 else None
             for i, (width, rate) in enumerate(zip(widths[:-1], [input_drop] + [drop] * (
                 len(widths) - 2), strict=True))]
    opt = make_optimizer(model)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for idx in training.batch_indices(n, batch_size, generator):
            x, rows = X_t[idx], len(idx)
            for i, layer in enumerate(model.layers):
                if masks[i] is not None:
                    x = x * masks[i].next(rows)[0]
                x = layer(x)
                if i < len(model.layers) - 1:
                    x = torch.relu(x)
            loss = losses.data_loss(x, y_t[idx], kind)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if decay:
                with torch.no_grad():
                    for layer in model.layers:
                        layer.weight.mul_(1 - lr * decay)
            opt.step()
    return model


def weights_and_biases(model, weight_decay):
    return [{"params": [layer.weight for layer in model.layers], "weight_decay": weight_decay},
            {"params": [layer.bias for layer in model.layers], "weight_decay": 0.0}]


def test_sgd_with_momentum_in_mini_batches_of_32(moons):
    seeds = (3, 4, 5)
    result = train_ensemble((2, 16, 16, 2), [Member(seed=s, lr=0.05) for s in seeds],
                            moons.X_train, moons.y_train, kind="classification", epochs=15,
                            batch_size=32, optimizer="sgd", momentum=0.9, progress=False)
    for k, seed in enumerate(seeds):
        reference = one_by_one(
            models.make_mlp(2, [16, 16], 2, seed=seed), moons.X_train, moons.y_train,
            kind="classification", epochs=15, batch_size=32, seed=seed,
            make_optimizer=lambda m: torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9))
        assert max_relative(result.model.member(k), reference) < 1e-4
    plain = train_ensemble((2, 16, 16, 2), [Member(seed=3, lr=0.05)], moons.X_train,
                           moons.y_train, kind="classification", epochs=15, batch_size=32,
                           optimizer="sgd", progress=False)
    assert max_relative(plain.model.member(0), result.model.member(0)) > 1e-2


@pytest.mark.parametrize("optimizer", ["adamw", "adam"])
def test_decoupled_weight_decay_is_adamw_on_the_weights(quadratic, optimizer):
    members = [Member(seed=1, weight_decay=0.5), Member(seed=2, weight_decay=0.05),
               Member(seed=3)]
    result = train_ensemble((1, 32, 32, 1), members, quadratic.X_train, quadratic.y_train,
                            epochs=100, optimizer=optimizer, progress=False)
    for k, m in enumerate(members):
        reference = one_by_one(
            models.make_mlp(1, [32, 32], 1, seed=m.seed), quadratic.X_train, quadratic.y_train,
            epochs=100, batch_size=None, seed=m.seed,
            make_optimizer=lambda net, wd=m.weight_decay: torch.optim.AdamW(
                weights_and_biases(net, wd), lr=1e-2))
        assert max_relative(result.model.member(k), reference) < 1e-4
    norms = [float(result.model.weights[0][k].norm()) for k in range(3)]
    assert norms[0] < norms[1] < norms[2]  # stronger decay, smaller weights


def test_decoupled_decay_with_sgd_momentum(quadratic):
    result = train_ensemble((1, 16, 1), [Member(seed=0, lr=0.05, weight_decay=0.3)],
                            quadratic.X_train, quadratic.y_train, epochs=100, optimizer="sgd",
                            momentum=0.5, progress=False)
    reference = one_by_one(
        models.make_mlp(1, [16], 1, seed=0), quadratic.X_train, quadratic.y_train, epochs=100,
        batch_size=None, seed=0, decay=0.3, lr=0.05,
        make_optimizer=lambda m: torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.5))
    assert max_relative(result.model.member(0), reference) < 1e-4


@pytest.mark.parametrize("input_drop, drop", [(0.3, 0.0), (0.0, 0.4), (0.2, 0.5)])
def test_input_and_hidden_dropout_match_one_by_one_models_on_the_same_masks(moons, input_drop,
                                                                             drop):
    seeds = (0, 7)
    members = [Member(seed=s, input_drop_rate=input_drop, drop_rate=drop, lr=3e-3)
               for s in seeds]
    members.insert(1, Member(seed=9, drop_rate=0.6, lr=1e-2))  # a neighbour with other rates
    result = train_ensemble((2, 24, 24, 2), members, moons.X_train, moons.y_train,
                            kind="classification", epochs=20, batch_size=16, progress=False)
    for k, seed in ((0, 0), (2, 7)):
        reference = one_by_one(
            models.make_mlp(2, [24, 24], 2, seed=seed), moons.X_train, moons.y_train,
            kind="classification", epochs=20, batch_size=16, seed=seed, input_drop=input_drop,
            drop=drop, make_optimizer=lambda m: torch.optim.Adam(m.parameters(), lr=3e-3))
        assert max_relative(result.model.member(k), reference) < 1e-4
    undropped = one_by_one(models.make_mlp(2, [24, 24], 2, seed=0), moons.X_train,
                           moons.y_train, kind="classification", epochs=20, batch_size=16,
                           seed=0, make_optimizer=lambda m: torch.optim.Adam(m.parameters(),
                                                                             lr=3e-3))
    assert max_relative(result.model.member(0), undropped) > 1e-2


def test_early_stopping_matches_train_model_per_member(quadratic):
    seeds, kwargs = (0, 1, 2, 3), dict(epochs=400, lr=3e-2)
    validation = (quadratic.X_val, quadratic.y_val)
    result = train_ensemble((1, 32, 32, 1), [Member(seed=s, lr=3e-2) for s in seeds],
                            quadratic.X_train, quadratic.y_train, epochs=400,
                            eval_data={"validation": validation}, patience=4, check_every=10,
                            eval_every=50, progress=False)
    for k, seed in enumerate(seeds):
        reference = models.make_mlp(1, [32, 32], 1, seed=seed)
        history = training.train_model(reference, quadratic.X_train, quadratic.y_train,
                                       validation=validation, patience=4, eval_every=10,
                                       seed=seed, progress=False, **kwargs)
        assert max_relative(result.model.member(k), reference) < 1e-4
        assert result.best_epoch[k] == history.best_epoch
        assert result.stopped_epoch[k] == history.stopped_epoch
    assert result.stopped_epoch.min() < 400  # some member did stop early
    final = result.eval_loss["validation"][-1]
    for k in range(len(seeds)):  # the last row is the loss of the kept (best) weights
        net = result.model.member(k)
        assert final[k] == pytest.approx(training.evaluate_loss(
            net, torch.as_tensor(validation[0]), torch.as_tensor(validation[1]),
            "regression"), rel=1e-5)


def test_early_stopping_members_are_independent(quadratic):
    validation = {"validation": (quadratic.X_val, quadratic.y_val)}
    kwargs = dict(epochs=300, eval_data=validation, patience=3, check_every=10, progress=False)
    target = Member(seed=5, lr=3e-2, drop_rate=0.1)
    alone = train_ensemble((1, 16, 16, 1), [target], quadratic.X_train, quadratic.y_train,
                           **kwargs)
    group = train_ensemble((1, 16, 16, 1), [Member(seed=8, lr=1e-3), target,
                                            Member(seed=9, lr=1e-1)],
                           quadratic.X_train, quadratic.y_train, **kwargs)
    assert max_relative(group.model.member(1), alone.model.member(0)) < 1e-5
    assert group.best_epoch[1] == alone.best_epoch[0]


def test_the_autograd_path_follows_the_hand_written_one(moons):
    members = [Member(seed=1, drop_rate=0.3, input_drop_rate=0.1, l1=1e-4, l2=1e-3,
                      mixup_alpha=0.5, lr=3e-3), Member(seed=2, weight_decay=0.1, lr=1e-2)]
    kwargs = dict(kind="classification", epochs=10, batch_size=20, progress=False)
    hand = train_ensemble((2, 16, 16, 2), members, moons.X_train, moons.y_train, **kwargs)
    auto = train_ensemble((2, 16, 16, 2), members, moons.X_train, moons.y_train,
                          backward="autograd", **kwargs)
    for k in range(2):
        assert max_relative(auto.model.member(k), hand.model.member(k)) < 1e-4


@pytest.mark.parametrize("optimizer, momentum", [("adam", 0.0), ("sgd", 0.0), ("sgd", 0.9)])
def test_per_member_rates_match_torch_optim(optimizer, momentum):
    """The manual update (members with different learning rates) is torch.optim's."""
    gen = torch.Generator().manual_seed(0)
    members = [Member(lr=3e-2, l2=1e-2, weight_decay=0.2), Member(lr=3e-2, l1=1e-2)]
    results = []
    for manual in (False, True):
        flat = torch.randn(2 * 6, generator=torch.Generator().manual_seed(1))
        grad = torch.zeros_like(flat)
        weights, grad_weights = [flat[:8].view(2, 2, 2)], [grad[:8].view(2, 2, 2)]
        opt = flat_optim.FlatOptimizer(flat, grad, weights, grad_weights, [(0, 8), (8, 4)],
                                       members, optimizer, momentum, manual=manual)
        state = gen.get_state()
        for _ in range(20):
            grad.copy_(torch.randn(12, generator=gen))
            opt.step()
        gen.set_state(state)
        results.append(flat.clone())
    torch.testing.assert_close(results[0], results[1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(momentum=0.9), ValueError, "momentum"),
    (dict(optimizer="sgd", momentum=1.0), ValueError, "momentum"),
    (dict(patience=3), ValueError, "validation"),
    (dict(patience=0, eval_data={"validation": None}), ValueError, "patience"),
    (dict(check_every=0), ValueError, "check_every"),
    (dict(backward="finite"), ValueError, "backward"),
    (dict(architecture="transformer"), ValueError, "architecture"),
])
def test_bad_options(quadratic, kwargs, error, match):
    with pytest.raises(error, match=match):
        train_ensemble((1, 4, 1), [Member()], quadratic.X_train, quadratic.y_train, epochs=2,
                       progress=False, **kwargs)
    with pytest.raises(ValueError, match="weight_decay"):
        Member(weight_decay=-1.0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_options_match_cpu(quadratic):
    members = [Member(seed=s, lr=0.05, weight_decay=0.1) for s in range(3)]
    kwargs = dict(epochs=50, optimizer="sgd", momentum=0.9, batch_size=8, progress=False)
    cpu = train_ensemble((1, 16, 16, 1), members, quadratic.X_train, quadratic.y_train, **kwargs)
    gpu = train_ensemble((1, 16, 16, 1), members, quadratic.X_train, quadratic.y_train,
                         device="cuda", **kwargs)
    for k in range(3):
        assert max_relative(gpu.model.member(k), cpu.model.member(k)) < 1e-3
    stopped = train_ensemble((1, 16, 16, 1), members, quadratic.X_train, quadratic.y_train,
                             device="cuda", patience=3, eval_data={
                                 "validation": (quadratic.X_val, quadratic.y_val)}, **kwargs)
    assert stopped.best_epoch.shape == (3,) and np.isfinite(stopped.final_train_loss).all()
