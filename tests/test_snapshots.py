"""Snapshots along training (``train_ensemble(..., snapshot_epochs=...)``): the weights after
epoch e of a longer run are those of the same run stopped at e, bit for bit on the CPU."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from essay_lib import data
from essay_lib.nets.ensemble import Member, train_ensemble

pytestmark = pytest.mark.usefixtures("single_torch_thread")


@pytest.fixture(scope="module")
def quadratic():
    return data.load_task("quadratic", n_train=40, validation_fraction=0.25)


MEMBERS = [Member(seed=1, drop_rate=0.3, input_drop_rate=0.1, mixup_alpha=0.5, lr=3e-3),
           Member(seed=2, drop_rate=0.4, noise="gaussian", drop_layers="last"),
           Member(seed=3, dropout_penalty=0.2, l2=1e-3), Member(seed=4, weight_decay=0.1)]


@pytest.mark.parametrize("architecture, widths, members, backward", [
    ("mlp", (1, 16, 16, 1), MEMBERS[:2] + MEMBERS[3:], None),  # the hand-written pass
    ("mlp", (1, 16, 16, 1), MEMBERS, None),  # a penalty: autograd
    ("residual", (1, 8, 8, 8, 1), MEMBERS, None),
])
def test_a_snapshot_is_the_run_stopped_there(quadratic, architecture, widths, members,
                                             backward):
    kwargs = dict(architecture=architecture, batch_size=8, backward=backward, progress=False)
    X, y = quadratic.X_train, quadratic.y_train
    long = train_ensemble(widths, members, X, y, epochs=12, snapshot_epochs=(12, 4, 7, 4),
                          eval_every=5, **kwargs)
    assert sorted(long.snapshots) == [4, 7, 12]
    for epoch in (4, 7):
        short = train_ensemble(widths, members, X, y, epochs=epoch, **kwargs)
        assert torch.equal(long.snapshots[epoch], short.model.flat)  # bit for bit
        model = long.model_at(epoch)
        assert torch.equal(model.flat, short.model.flat)
        assert torch.equal(model.forward(torch.as_tensor(X)), short.model.forward(
            torch.as_tensor(X)))
    assert torch.equal(long.snapshots[12], long.model.flat)
    assert not torch.equal(long.snapshots[4], long.snapshots[12])
    assert long.model_at(4).flat.data_ptr() != long.model.flat.data_ptr()  # a copy
    assert torch.equal(long.snapshots[12], long.model.flat)  # training's model left alone


def test_snapshots_with_early_stopping(quadratic):
    validation = {"validation": (quadratic.X_val, quadratic.y_val)}
    members = [Member(seed=s, lr=3e-2) for s in range(3)]
    result = train_ensemble((1, 16, 16, 1), members, quadratic.X_train, quadratic.y_train,
                            epochs=400, eval_data=validation, patience=3, check_every=10,
                            snapshot_epochs=(50, 399, 400), progress=False)
    last = int(result.stopped_epoch.max())
    assert last < 399  # every member stopped early: the later snapshots are the final weights
    for epoch in (399, 400):
        assert torch.equal(result.snapshots[epoch], result.model.flat)
    snapshot = result.model_at(50)
    stopped = result.stopped_epoch <= 50
    assert stopped.any() and not stopped.all()  # (measured: stopped at 90, 50, 90)
    for k in range(3):
        same = [torch.equal(w[k], w_final[k])
                for w, w_final in zip(snapshot.weights, result.model.weights, strict=True)]
        # a member stopped by then is held at its best (final) weights; the others were
        # still training, at their current weights
        assert all(same) if stopped[k] else not all(same)


@pytest.mark.parametrize("value, error", [
    ((0,), ValueError), ((5, 13), ValueError), ((2.5,), TypeError), ((True,), TypeError),
    (5, TypeError), ("3", TypeError)])
def test_bad_snapshot_epochs(quadratic, value, error):
    with pytest.raises(error, match="snapshot_epochs"):
        train_ensemble((1, 4, 1), [Member()], quadratic.X_train, quadratic.y_train, epochs=12,
                       snapshot_epochs=value, progress=False)


def test_model_at_names_the_snapshot_epochs(quadratic):
    result = train_ensemble((1, 4, 1), [Member()], quadratic.X_train, quadratic.y_train,
                            epochs=3, snapshot_epochs=[2], progress=False)
    assert list(result.snapshots) == [2]
    for bad in (1, 3, True):
        with pytest.raises(ValueError, match=r"snapshot epochs \[2\]"):
            result.model_at(bad)
    none = train_ensemble((1, 4, 1), [Member()], quadratic.X_train, quadratic.y_train,
                          epochs=3, progress=False)
    assert none.snapshots == {}
    assert np.isfinite(none.final_train_loss).all()
