"""essay_lib.data: shapes, determinism, train-only standardisation, no downloads, bad input."""

from __future__ import annotations

import socket

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

from essay_lib import data


@pytest.fixture(scope="module", autouse=True)
def data_cache(tmp_path_factory):
    """A fresh cache folder for the module (MNIST-1D's generated arrays land there)."""
    folder = tmp_path_factory.mktemp("data-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ESSAY_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="module")
def tasks():
    return {name: data.load_task(name, seed=0) for name in data.TASK_NAMES}


@pytest.mark.parametrize("name, kind, n_features, n_outputs, n_total", [
    ("quadratic", "regression", 1, 1, 220),
    ("moons", "classification", 2, 2, 200),
    ("diabetes", "regression", 10, 1, 442),
    ("digits", "classification", 64, 10, 1797),
    ("mnist1d", "classification", 40, 10, 5000),
])
def test_shapes_and_dtypes(tasks, name, kind, n_features, n_outputs, n_total):
    task = tasks[name]
    assert task.name == name and task.kind == kind and task.n_outputs == n_outputs
    assert task.n_features == n_features
    assert task.n_train + task.n_test == n_total
    assert task.X_train.shape == (task.n_train, n_features)
    assert task.X_test.shape == (task.n_test, n_features)
    assert task.X_train.dtype == task.X_test.dtype == np.float32
    if kind == "regression":
        assert task.y_train.shape == (task.n_train, 1) and task.y_train.dtype == np.float32
        assert task.y_test.shape == (task.n_test, 1) and task.y_test.dtype == np.float32
    else:
        assert task.y_train.shape == (task.n_train,) and task.y_train.dtype == np.int64
        assert set(np.unique(task.y_train)) == set(range(n_outputs))
    assert task.description["name"] == name and task.description["seed"] == 0


def test_split_sizes():
    assert data.quadratic_task().n_train == 20
    assert data.diabetes_task(test_fraction=0.3).n_test == 133  # ceil(0.3 * 442)
    moons = data.moons_task(n_samples=100, test_fraction=0.25)
    assert (moons.n_train, moons.n_test) == (75, 25)


@pytest.mark.parametrize("name", data.TASK_NAMES)
def test_same_seed_same_numbers_different_seed_different(name):
    a, b, c = (data.load_task(name, seed=s) for s in (3, 3, 4))
    for field in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.X_train, c.X_train)


def test_quadratic_task_values():
    task = data.quadratic_task(n_train=50, n_test=10, noise=0.0, seed=1)
    x = task.X_train[:, 0]
    assert np.all(np.diff(x) >= 0), "training inputs are sorted for plotting"
    assert np.all((-1 <= x) & (x <= 1))
    np.testing.assert_allclose(task.y_train[:, 0], x.astype(np.float64) ** 2, rtol=1e-6, atol=1e-7)
    noisy = data.quadratic_task(n_train=4000, noise=0.1, seed=1)
    residual = noisy.y_train[:, 0] - data.quadratic_target(noisy.X_train[:, 0])
    assert residual.std() == pytest.approx(0.1, rel=0.05)
    assert abs(residual.mean()) < 0.01
    np.testing.assert_array_equal(data.quadratic_target(np.array([-2.0, 0.5])), [4.0, 0.25])


@pytest.mark.parametrize("name", ["moons", "diabetes", "digits"])
def test_standardised_on_training_split_only(tasks, name):
    task = tasks[name]
    np.testing.assert_allclose(task.X_train.mean(axis=0), 0, atol=1e-5)
    std = task.X_train.std(axis=0)
    # digits has pixels that are constant (0) in the training split: centred, not scaled
    np.testing.assert_allclose(std[std > 1e-6], 1, rtol=1e-4)
    # the test split is transformed with the training statistics, so it is NOT exactly centred
    assert np.abs(task.X_test.mean(axis=0)).max() > 1e-3


def test_diabetes_matches_an_independent_computation():
    X, y = load_diabetes(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=5)
    task = data.diabetes_task(seed=5)
    mean, std = X_tr.mean(axis=0), X_tr.std(axis=0)
    np.testing.assert_allclose(task.X_test, (X_te - mean) / std, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(task.y_test[:, 0], (y_te - y_tr.mean()) / y_tr.std(), rtol=1e-5,
                               atol=1e-5)
    assert task.y_train.mean() == pytest.approx(0, abs=1e-5)
    assert task.y_train.std() == pytest.approx(1, rel=1e-4)


def test_standardize_uses_train_statistics_and_keeps_constant_columns():
    X_train = np.array([[0.0, 5.0], [2.0, 5.0]])
    X_test = np.array([[4.0, 7.0]])
    train, test = data.standardize(X_train, X_test)
    np.testing.assert_array_equal(train, [[-1.0, 0.0], [1.0, 0.0]])
    np.testing.assert_array_equal(test, [[3.0, 2.0]])


def test_nothing_downloads(monkeypatch, tmp_path):
    """Every task builds with the network cut off and an empty scikit-learn data home."""
    def refuse(*args, **kwargs):
        raise AssertionError("a task tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path))
    for name in data.TASK_NAMES:
        assert data.load_task(name, seed=1).n_train > 0
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("call, error, words", [
    (lambda: data.quadratic_task(n_train=0), ValueError, "n_train"),
    (lambda: data.quadratic_task(n_train=-3), ValueError, "n_train"),
    (lambda: data.quadratic_task(n_train=2.5), TypeError, "n_train"),
    (lambda: data.quadratic_task(n_train=True), TypeError, "n_train"),
    (lambda: data.quadratic_task(n_test=0), ValueError, "n_test"),
    (lambda: data.quadratic_task(noise=-0.1), ValueError, "noise"),
    (lambda: data.quadratic_task(noise=float("nan")), ValueError, "noise"),
    (lambda: data.quadratic_task(noise="0.1"), TypeError, "noise"),
    (lambda: data.moons_task(n_samples=3), ValueError, "n_samples"),
    (lambda: data.moons_task(test_fraction=1.0), ValueError, "test_fraction"),
    (lambda: data.diabetes_task(test_fraction=0.0), ValueError, "test_fraction"),
    (lambda: data.digits_task(test_fraction=-0.2), ValueError, "test_fraction"),
    (lambda: data.load_task("mnist"), ValueError, "task name"),
    (lambda: data.train_validation_split(np.array([[1.0], [np.inf]]), np.zeros(2)), ValueError,
     "X contains NaN"),
    (lambda: data.standardize(np.array([[1.0], [np.nan]]), np.zeros((1, 1))), ValueError,
     "X_train"),
    (lambda: data.standardize(np.zeros((3, 2)), np.zeros((2, 3))), ValueError, "X_test"),
    (lambda: data.standardize(np.zeros(3), np.zeros(2)), ValueError, "X_train"),
    (lambda: data.standardize(np.zeros((0, 2)), np.zeros((2, 2))), ValueError, "X_train"),
    (lambda: data.train_validation_split(np.zeros((4, 1)), np.zeros(3)), ValueError, "rows"),
    (lambda: data.train_validation_split(np.zeros((4, 1)), np.zeros(4), validation_fraction=1.5),
     ValueError, "validation_fraction"),
    (lambda: data.train_validation_split(np.zeros((1, 1)), np.zeros(1)), ValueError,
     "validation_fraction"),
    (lambda: data.train_validation_split(np.array([[0.0], [np.nan]]), np.zeros(2)), ValueError,
     "X"),
])
def test_bad_input_names_the_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_train_validation_split_is_seeded():
    X = np.arange(40, dtype=float).reshape(20, 2)
    y = np.arange(20)
    a = data.train_validation_split(X, y, validation_fraction=0.25, seed=0)
    b = data.train_validation_split(X, y, validation_fraction=0.25, seed=0)
    c = data.train_validation_split(X, y, validation_fraction=0.25, seed=1)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[3], c[3])
    assert [len(part) for part in a] == [15, 15, 5, 5]


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 60), fraction=st.floats(0.01, 0.99), seed=st.integers(0, 2**31 - 1))
def test_train_validation_split_partitions_the_rows(n, fraction, seed):
    X = np.arange(n, dtype=float)[:, None]
    y = np.arange(n)
    n_val = max(1, round(fraction * n))
    if n_val >= n:
        with pytest.raises(ValueError, match="validation_fraction"):
            data.train_validation_split(X, y, validation_fraction=fraction, seed=seed)
        return
    X_fit, y_fit, X_val, y_val = data.train_validation_split(X, y, validation_fraction=fraction,
                                                             seed=seed)
    assert len(y_val) == n_val
    np.testing.assert_array_equal(X_fit[:, 0], y_fit)  # rows stay paired with their labels
    np.testing.assert_array_equal(X_val[:, 0], y_val)
    np.testing.assert_array_equal(np.sort(np.concatenate([y_fit, y_val])), np.arange(n))


def test_a_validation_split_comes_out_of_the_training_rows():
    plain = data.load_task("diabetes", seed=3)
    task = data.load_task("diabetes", seed=3, validation_fraction=0.25)
    X_fit, y_fit, X_val, y_val = data.train_validation_split(
        plain.X_train, plain.y_train, validation_fraction=0.25, seed=3)
    np.testing.assert_array_equal(task.X_train, X_fit)
    np.testing.assert_array_equal(task.y_val, y_val)
    np.testing.assert_array_equal(task.X_test, plain.X_test)
    assert task.has_validation and not plain.has_validation
    assert len(task.X_train) + len(task.X_val) == len(plain.X_train)
    assert task.description["validation_fraction"] == 0.25
    assert task.data_sha256() != plain.data_sha256()
    with pytest.raises(ValueError, match="validation_fraction"):
        data.load_task("diabetes", validation_fraction=1.0)


def test_a_validation_split_can_come_out_of_the_held_out_rows():
    plain = data.load_task("quadratic")
    task = data.load_task("quadratic", validation_fraction=0.5, validation_source="test")
    np.testing.assert_array_equal(task.X_train, plain.X_train)  # training data untouched
    assert len(task.X_test) + len(task.X_val) == len(plain.X_test) == 200
    pooled = np.sort(np.concatenate([task.X_test, task.X_val])[:, 0])
    np.testing.assert_array_equal(pooled, np.sort(plain.X_test[:, 0]))
    assert task.description["validation_source"] == "test"
    with pytest.raises(ValueError, match="source"):
        data.load_task("quadratic", validation_fraction=0.5, validation_source="both")


# ------------------------------------------------------------------ MNIST-1D
def _global_states():
    import random

    import torch

    numpy_state = np.random.get_state()  # noqa: NPY002 (the global stream is what is checked)
    return random.getstate(), numpy_state, torch.random.get_rng_state()


def _same_states(a, b) -> bool:
    return (a[0] == b[0] and all(np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y
                                 for x, y in zip(a[1], b[1], strict=True))
            and bool((a[2] == b[2]).all()))


def test_mnist1d_generates_offline_and_leaves_the_global_streams_alone(monkeypatch, tmp_path):
    """Cut off from the network and with an empty cache, the task is generated locally;
    the generator's reseeding of Python's and numpy's global streams does not leak."""
    def refuse(*args, **kwargs):
        raise OSError("a task tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("ESSAY_CACHE_DIR", str(tmp_path))
    import random

    random.seed(123)
    np.random.seed(456)  # noqa: NPY002 (the global stream is what is checked)
    before = _global_states()
    task = data.load_task("mnist1d", seed=2)
    assert _same_states(before, _global_states())
    assert list((tmp_path / "data").glob("mnist1d-*.npz"))  # generated, then kept
    again = data.load_task("mnist1d", seed=2)  # read back from the NPZ file
    assert _same_states(before, _global_states())
    for field in ("X_train", "y_train", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(task, field), getattr(again, field))
    assert task.data_sha256() == again.data_sha256()


def test_mnist1d_shapes_classes_and_standardisation(tasks):
    task = tasks["mnist1d"]
    assert (task.n_train, task.n_test) == (4000, 1000) and task.n_features == 40
    for labels in (task.y_train, task.y_test):
        counts = np.bincount(labels, minlength=10)
        assert len(counts) == 10 and counts.min() > 0
        assert counts.max() - counts.min() <= 2  # 500 per class, split stratified
    np.testing.assert_allclose(task.X_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(task.X_train.std(axis=0), 1, atol=1e-4)
    assert abs(task.X_test.mean()) > 1e-4  # test rows use the training rows' statistics


def test_mnist1d_is_the_generator_output_and_its_options_act():
    X, y = data.mnist1d_arrays()
    assert X.shape == (5000, 40) and X.dtype == np.float64 and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [500] * 10)
    other, _ = data.mnist1d_arrays(n_samples=200, data_seed=1)
    assert other.shape == (200, 40) and not np.array_equal(other, X[:200])
    small = data.load_task("mnist1d", seed=0, n_train=300, validation_fraction=0.2)
    assert small.n_train == 240 and len(small.y_val) == 60 and small.n_features == 40
    assert np.bincount(small.y_train, minlength=10).min() > 0
    assert small.description["n_train"] == 300
    with pytest.raises(ValueError, match="n_train"):
        data.mnist1d_task(n_train=3)
    with pytest.raises(ValueError, match="test_fraction"):
        data.mnist1d_task(test_fraction=1.0)
