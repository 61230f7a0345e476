"""essay_lib.nets.training: hand-checked steps, early stopping, determinism, progress, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from torch import nn

from essay_lib import data
from essay_lib.nets import models, training

pytestmark = pytest.mark.usefixtures("single_torch_thread")


@pytest.fixture(scope="module")
def quadratic():
    return data.quadratic_task(n_train=20, seed=0)


def linear_model(w=0.5, b=-0.25):
    """A 1-in 1-out affine model with known parameters (any nn.Module trains)."""
    model = nn.Linear(1, 1)
    with torch.no_grad():
        model.weight.fill_(w)
        model.bias.fill_(b)
    return model


def mse_gradient(w, b, x, y):
    """Gradient of mean((w x + b - y)^2) with respect to (w, b), by hand."""
    residual = w * x + b - y
    return 2 * np.mean(residual * x), 2 * np.mean(residual)


X_SMALL = np.array([[-1.0], [0.0], [0.5], [2.0], [1.5]], dtype=np.float32)
Y_SMALL = np.array([[1.0], [0.0], [0.5], [3.0], [-1.0]], dtype=np.float32)


def test_full_batch_sgd_matches_hand_gradient_descent():
    model = linear_model()
    training.train_model(model, X_SMALL, Y_SMALL, epochs=3, lr=0.1, optimizer="sgd",
                         progress=False)
    w, b = 0.5, -0.25
    x, y = X_SMALL[:, 0].astype(float), Y_SMALL[:, 0].astype(float)
    for _ in range(3):
        gw, gb = mse_gradient(w, b, x, y)
        w, b = w - 0.1 * gw, b - 0.1 * gb
    assert float(model.weight.detach()) == pytest.approx(w, rel=1e-5)
    assert float(model.bias.detach()) == pytest.approx(b, rel=1e-5)


def test_mini_batch_sgd_follows_the_documented_batch_order():
    model = linear_model()
    training.train_model(model, X_SMALL, Y_SMALL, epochs=2, lr=0.1, optimizer="sgd",
                         batch_size=2, seed=7, progress=False)
    w, b = 0.5, -0.25
    x, y = X_SMALL[:, 0].astype(float), Y_SMALL[:, 0].astype(float)
    generator = torch.Generator().manual_seed(7)
    n_steps = 0
    for _ in range(2):
        batches = training.batch_indices(5, 2, generator)
        assert [len(i) for i in batches] == [2, 2, 1]
        for idx in batches:
            gw, gb = mse_gradient(w, b, x[idx.numpy()], y[idx.numpy()])
            w, b = w - 0.1 * gw, b - 0.1 * gb
            n_steps += 1
    assert n_steps == 6
    assert float(model.weight.detach()) == pytest.approx(w, rel=1e-5)
    assert float(model.bias.detach()) == pytest.approx(b, rel=1e-5)
    full = linear_model()
    training.train_model(full, X_SMALL, Y_SMALL, epochs=2, lr=0.1, optimizer="sgd",
                         progress=False)
    assert float(full.weight.detach()) != pytest.approx(w, rel=1e-3)


def test_adam_first_step_moves_each_parameter_by_lr():
    model = linear_model()
    training.train_model(model, X_SMALL, Y_SMALL, epochs=1, lr=0.01, optimizer="adam",
                         progress=False)
    gw, gb = mse_gradient(0.5, -0.25, X_SMALL[:, 0].astype(float), Y_SMALL[:, 0].astype(float))
    # Adam's first update is lr * g / (|g| + eps): a step of lr against the gradient's sign
    assert float(model.weight.detach()) == pytest.approx(0.5 - 0.01 * np.sign(gw), abs=1e-6)
    assert float(model.bias.detach()) == pytest.approx(-0.25 - 0.01 * np.sign(gb), abs=1e-6)


def test_l1_and_l2_penalties_enter_the_gradient_of_weights_only():
    x, y = X_SMALL[:, 0].astype(float), Y_SMALL[:, 0].astype(float)
    gw, gb = mse_gradient(0.5, -0.25, x, y)
    l2_model = linear_model()
    training.train_model(l2_model, X_SMALL, Y_SMALL, epochs=1, lr=0.1, optimizer="sgd", l2=0.3,
                         progress=False)
    expected = 0.5 - 0.1 * (gw + 2 * 0.3 * 0.5)  # d(l2 * w^2)/dw = 2 l2 w
    assert float(l2_model.weight.detach()) == pytest.approx(expected, rel=1e-5)
    assert float(l2_model.bias.detach()) == pytest.approx(-0.25 - 0.1 * gb, rel=1e-5)
    l1_model = linear_model()
    training.train_model(l1_model, X_SMALL, Y_SMALL, epochs=1, lr=0.1, optimizer="sgd", l1=0.3,
                         progress=False)
    assert float(l1_model.weight.detach()) == pytest.approx(0.5 - 0.1 * (gw + 0.3), rel=1e-5)
    assert float(l1_model.bias.detach()) == pytest.approx(-0.25 - 0.1 * gb, rel=1e-5)


def test_loss_decreases_and_history_is_recorded(quadratic):
    model = models.make_mlp(1, [16], 1, seed=0)
    result = training.train_model(model, quadratic.X_train, quadratic.y_train, epochs=200,
                                  lr=1e-2, eval_every=10, progress=False)
    assert result.model is model
    assert result.epochs == list(range(10, 201, 10))
    assert len(result.train_loss) == 20 and result.held_out_loss == []
    assert result.train_loss[-1] < 0.2 * result.train_loss[0]
    assert result.best_epoch is None and result.stopped_epoch == 200
    assert not model.training
    # the recorded loss is the data loss of the final model on the whole training set
    final = training.score(model, quadratic.X_train, quadratic.y_train, kind="regression")
    assert result.train_loss[-1] == pytest.approx(final["loss"], rel=1e-5)


def test_last_epoch_is_always_recorded(quadratic):
    model = models.make_mlp(1, [4], 1, seed=0)
    result = training.train_model(model, quadratic.X_train, quadratic.y_train, epochs=25,
                                  eval_every=10, progress=False)
    assert result.epochs == [10, 20, 25]


def _train(seed, quadratic, **kwargs):
    model = models.make_mlp(1, [16], 1, drop_rate=0.2, seed=seed)
    result = training.train_model(model, quadratic.X_train, quadratic.y_train, epochs=30,
                                  batch_size=8, seed=seed, progress=False, **kwargs)
    return result, torch.cat([p.detach().ravel() for p in model.parameters()])


def test_same_seed_same_numbers_different_seed_different(quadratic):
    (a, wa), (b, wb), (c, wc) = (_train(s, quadratic) for s in (0, 0, 1))
    assert a.train_loss == b.train_loss
    assert torch.equal(wa, wb)
    assert a.train_loss != c.train_loss
    assert not torch.equal(wa, wc)


def test_building_and_training_leave_the_global_rng_alone(quadratic):
    torch.manual_seed(42)
    expected = torch.rand(3)
    torch.manual_seed(42)
    _train(0, quadratic)
    torch.testing.assert_close(torch.rand(3), expected)


def test_early_stopping_restores_the_best_epoch():
    task = data.quadratic_task(n_train=20, seed=0)
    X_fit, y_fit, X_val, y_val = data.train_validation_split(task.X_train, task.y_train, seed=0)
    model = models.make_mlp(1, [256, 256], 1, seed=0)
    result = training.train_model(model, X_fit, y_fit, epochs=2000, lr=1e-2,
                                  validation=(X_val, y_val), patience=20, eval_every=5,
                                  progress=False)
    assert result.restored_best and result.held_out == "validation"
    assert result.stopped_epoch < 2000, "the oversized net should overfit and stop early"
    # patience counts evaluations: it stops `patience` evaluations after the best one
    assert result.stopped_epoch == result.best_epoch + 20 * 5
    best = int(np.argmin(result.held_out_loss))
    assert result.epochs[best] == result.best_epoch
    restored = training.score(model, X_val, y_val, kind="regression")["loss"]
    assert restored == pytest.approx(result.held_out_loss[best], rel=1e-5)
    assert restored < result.held_out_loss[-1]


def test_without_restore_the_last_weights_stay():
    task = data.quadratic_task(n_train=20, seed=0)
    X_fit, y_fit, X_val, y_val = data.train_validation_split(task.X_train, task.y_train, seed=0)
    model = models.make_mlp(1, [64], 1, seed=0)
    result = training.train_model(model, X_fit, y_fit, epochs=300, lr=3e-2,
                                  validation=(X_val, y_val), patience=5, restore_best=False,
                                  progress=False)
    assert not result.restored_best
    last = training.score(model, X_val, y_val, kind="regression")["loss"]
    assert last == pytest.approx(result.held_out_loss[-1], rel=1e-5)


def test_classification_learns_the_moons():
    task = data.moons_task(seed=0)
    model = models.make_mlp(2, [32], 2, seed=0)
    before = training.score(model, task.X_test, task.y_test, kind="classification")
    result = training.train_model(model, task.X_train, task.y_train, kind="classification",
                                  epochs=200, lr=1e-2, validation=(task.X_test, task.y_test),
                                  progress=False)
    after = training.score(model, task.X_test, task.y_test, kind="classification")
    assert after["accuracy"] > 0.8 and after["accuracy"] > before["accuracy"]
    assert after["loss"] < before["loss"]
    assert after["loss"] == pytest.approx(result.held_out_loss[-1], rel=1e-5)


def test_progress_can_be_silenced(quadratic, capsys, monkeypatch):
    args = (models.make_mlp(1, [4], 1), quadratic.X_train, quadratic.y_train)
    training.train_model(*args, epochs=5, progress=True)
    assert "training" in capsys.readouterr().err
    training.train_model(*args, epochs=5, progress=False)
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("TQDM_DISABLE", "1")
    training.train_model(*args, epochs=5)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_evaluate_loss_uses_eval_mode_and_restores_the_mode(mode):
    model = models.make_mlp(3, [64], 1, drop_rate=0.5, seed=0)
    model.train(mode == "train")
    X = torch.randn(10, 3, generator=torch.Generator().manual_seed(0))
    y = torch.zeros(10, 1)
    first = training.evaluate_loss(model, X, y, "regression")
    assert model.training == (mode == "train")
    assert training.evaluate_loss(model, X, y, "regression") == first  # no dropout noise
    model.eval()
    with torch.no_grad():
        assert first == pytest.approx(float((model(X) ** 2).mean()), rel=1e-6)


def test_predict_and_score_match_a_hand_computation():
    model = linear_model(w=2.0, b=1.0)
    model.train()
    X = np.array([[0.0], [1.0], [2.0]])
    y = np.array([[1.5], [2.0], [6.0]])
    prediction = training.predict(model, X)
    assert prediction.dtype == np.float64 and prediction.shape == (3, 1)
    np.testing.assert_allclose(prediction, [[1.0], [3.0], [5.0]])
    assert model.training, "predict restores the mode"
    scores = training.score(model, X, y, kind="regression")
    ss_res = 0.5**2 + 1.0**2 + 1.0**2
    ss_tot = float(((y - y.mean()) ** 2).sum())
    assert scores["loss"] == pytest.approx(ss_res / 3, rel=1e-6)
    assert scores["r2"] == pytest.approx(1 - ss_res / ss_tot, rel=1e-6)


def test_predict_rejects_inputs_that_are_not_a_matrix():
    with pytest.raises(ValueError, match=r"X must have shape \(n, d\)"):
        training.predict(linear_model(), np.zeros(3))


def test_score_accuracy_by_hand():
    model = nn.Linear(2, 3, bias=False)
    with torch.no_grad():
        model.weight.copy_(torch.eye(3, 2))  # logits (x0, x1, 0)
    X = np.array([[2.0, 1.0], [0.0, 3.0], [-1.0, -2.0], [5.0, 0.0]], dtype=np.float32)
    y = np.array([0, 1, 2, 1])
    scores = training.score(model, X, y, kind="classification")
    assert scores["accuracy"] == pytest.approx(3 / 4)
    logits = torch.tensor(np.c_[X, np.zeros(4)])
    expected = float(torch.nn.functional.cross_entropy(logits, torch.tensor(y)))
    assert scores["loss"] == pytest.approx(expected, rel=1e-5)


def test_r2_of_the_mean_predictor_is_zero():
    model = linear_model(w=0.0, b=2.0)
    X = np.arange(4.0)[:, None]
    y = np.array([[1.0], [3.0], [2.0], [2.0]])
    assert training.score(model, X, y, kind="regression")["r2"] == pytest.approx(0.0, abs=1e-12)


def test_resolve_device():
    assert training.resolve_device("cpu").type == "cpu"
    assert training.resolve_device("auto").type in ("cpu", "cuda")
    with pytest.raises(ValueError, match="device"):
        training.resolve_device("tpu")
    if not torch.cuda.is_available():
        with pytest.warns(RuntimeWarning, match="CUDA"):
            assert training.resolve_device("cuda").type == "cpu"


GOOD = dict(kind="regression", epochs=2, progress=False)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(epochs=0), ValueError, "epochs"),
    (dict(epochs=2.5), TypeError, "epochs"),
    (dict(lr=0.0), ValueError, "lr"),
    (dict(lr=-1e-3), ValueError, "lr"),
    (dict(l1=-0.1), ValueError, "l1"),
    (dict(l2=-1.0), ValueError, "l2"),
    (dict(l2=float("nan")), ValueError, "l2"),
    (dict(l1="big"), TypeError, "l1"),
    (dict(batch_size=0), ValueError, "batch_size"),
    (dict(eval_every=0), ValueError, "eval_every"),
    (dict(patience=3), ValueError, "validation"),
    (dict(patience=0, validation=(X_SMALL, Y_SMALL)), ValueError, "patience"),
    (dict(validation=(X_SMALL,)), ValueError, "validation"),
    (dict(optimizer="rmsprop"), ValueError, "optimizer"),
    (dict(kind="ranking"), ValueError, "kind"),
    (dict(device="tpu"), ValueError, "device"),
])
def test_bad_arguments_name_the_argument(kwargs, error, words):
    with pytest.raises(error, match=words):
        training.train_model(linear_model(), X_SMALL, Y_SMALL, **{**GOOD, **kwargs})


@pytest.mark.parametrize("X, y, kind, words", [
    (np.array([[np.nan]] * 5), Y_SMALL, "regression", "X contains NaN"),
    (X_SMALL, np.array([[np.inf]] * 5), "regression", "y contains NaN"),
    (X_SMALL[:, 0], Y_SMALL, "regression", r"X must have shape \(n, d\)"),
    (X_SMALL[:4], Y_SMALL, "regression", "same number of rows"),
    (np.zeros((0, 1)), np.zeros((0, 1)), "regression", "at least one row"),
    (X_SMALL, np.array([0.5, 1, 0, 1, 0]), "classification", "integers"),
])
def test_bad_data(X, y, kind, words):
    model = nn.Linear(1, 2) if kind == "classification" else linear_model()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=words):
            training.train_model(model, X, y, kind=kind, epochs=1, progress=False)
