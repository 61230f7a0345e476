"""Offline tasks of the essay: generated data and scikit-learn's bundled sets.

Every task is a :class:`Task` holding float32 numpy arrays:

* ``X_train`` (n_train, d), ``X_test`` (n_test, d): inputs, standardised with
  statistics of the *training* split only (the 1-D task is left on its
  natural scale [-1, 1] so that plots read in the original units);
* ``y_train``, ``y_test``: regression targets of shape (n, 1), float32,
  or class labels of shape (n,), int64.

Nothing is downloaded: the polynomial and moons tasks are generated from a
seed, diabetes and digits ship inside scikit-learn, and MNIST-1D (Greydanus 2020) is
generated locally by the ``mnist1d`` package's own generator (``make_dataset``, never
its downloading ``get_dataset``) and kept as an NPZ file under the cache folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import random
import zipfile
from dataclasses import dataclass, field

import numpy as np
from sklearn.datasets import load_diabetes, load_digits, make_moons
from sklearn.model_selection import train_test_split

from essay_lib.util.checks import (
    check_array,
    check_choice,
    check_int,
    check_number,
    check_probability,
    check_same_length,
    check_seed,
)
from essay_lib.util.paths import cache_dir, write_atomic

TASK_NAMES = ("quadratic", "moons", "diabetes", "digits", "mnist1d")


@dataclass(frozen=True)
class Task:
    """A supervised task with a fixed train/test split.

    ``kind`` is ``"regression"`` (targets (n, 1), MSE loss) or
    ``"classification"`` (integer labels (n,), cross-entropy on logits).
    ``n_outputs`` is the width of the network's last layer.
    ``description`` states the task's generating parameters (used in cache keys).
    ``X_val``/``y_val``: an optional validation split carved out of the training data
    (``load_task(..., validation_fraction=...)``), ``None`` otherwise; it chooses
    settings and is never trained on.
    """

    name: str
    kind: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_outputs: int
    description: dict = field(default_factory=dict)
    X_val: np.ndarray | None = None
    y_val: np.ndarray | None = None

    @property
    def has_validation(self) -> bool:
        return self.X_val is not None

    def data_sha256(self) -> str:
        """SHA-256 of the task's arrays (dtype, shape, bytes): cache keys cover the data."""
        digest = hashlib.sha256()
        arrays = (self.X_train, self.y_train, self.X_test, self.y_test)
        if self.has_validation:
            arrays += (self.X_val, self.y_val)
        for array in arrays:
            array = np.ascontiguousarray(array)
            digest.update(f"{array.dtype.str}{array.shape}".encode())
            digest.update(array.tobytes())
        return digest.hexdigest()

    @property
    def n_features(self) -> int:
        return int(self.X_train.shape[1])

    @property
    def n_train(self) -> int:
        return int(self.X_train.shape[0])

    @property
    def n_test(self) -> int:
        return int(self.X_test.shape[0])


def standardize(X_train: np.ndarray, X_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale columns to zero mean, unit variance using the training split's statistics.

    ``X_train`` (n_train, d) and ``X_test`` (n_test, d), returned as float64.
    Constant training columns are left centred but unscaled (no division by 0).
    """
    X_train = check_array("X_train", X_train, non_empty=False)
    X_test = check_array("X_test", X_test, non_empty=False)
    if X_train.ndim != 2 or X_test.ndim != 2 or X_train.shape[1] != X_test.shape[1]:
        raise ValueError(f"X_train and X_test must have shapes (n_train, d) and (n_test, d), "
                         f"got {X_train.shape} and {X_test.shape}")
    if len(X_train) == 0:
        raise ValueError("X_train must have at least one row")
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (X_train - mean) / std, (X_test - mean) / std


def quadratic_target(x: np.ndarray) -> np.ndarray:
    """The true function of the 1-D task: y = x**2 (the Deep Learning book's Fig 5.2 setting)."""
    return np.asarray(x, dtype=np.float64) ** 2


def quadratic_task(
    *, n_train: int = 20, n_test: int = 200, noise: float = 0.1, seed: int = 0
) -> Task:
    """Noisy quadratic on [-1, 1]: y = x**2 + noise * N(0, 1).

    Inputs are uniform on [-1, 1] (not standardised), shape (n, 1); targets (n, 1).
    ``noise`` is the standard deviation of the Gaussian noise, in target units.
    """
    n_train = check_int("n_train", n_train)
    n_test = check_int("n_test", n_test)
    noise = check_number("noise", noise, minimum=0.0)
    seed = check_seed("seed", seed)
    rng = np.random.default_rng(seed)
    x_train = np.sort(rng.uniform(-1, 1, size=n_train))
    x_test = rng.uniform(-1, 1, size=n_test)
    y_train = quadratic_target(x_train) + noise * rng.standard_normal(n_train)
    y_test = quadratic_target(x_test) + noise * rng.standard_normal(n_test)
    return Task(
        name="quadratic",
        kind="regression",
        X_train=x_train[:, None].astype(np.float32),
        y_train=y_train[:, None].astype(np.float32),
        X_test=x_test[:, None].astype(np.float32),
        y_test=y_test[:, None].astype(np.float32),
        n_outputs=1,
        description={"name": "quadratic", "n_train": n_train, "n_test": n_test,
                     "noise": noise, "seed": seed},
    )


def moons_task(
    *, n_samples: int = 200, noise: float = 0.3, test_fraction: float = 0.5, seed: int = 0
) -> Task:
    """scikit-learn's two interleaving half-moons, 2 classes, standardised inputs (n, 2)."""
    n_samples = check_int("n_samples", n_samples, minimum=4)
    noise = check_number("noise", noise, minimum=0.0)
    test_fraction = check_probability("test_fraction", test_fraction)
    seed = check_seed("seed", seed)
    X, y = make_moons(n_samples=n_samples, noise=noise, random_state=seed)
    return _split_task("moons", "classification", X, y, 2, test_fraction, seed,
                       {"n_samples": n_samples, "noise": noise})


def diabetes_task(*, test_fraction: float = 0.3, seed: int = 0) -> Task:
    """scikit-learn's bundled diabetes regression (442 patients, 10 features).

    Targets are standardised with the training split's mean and std as well, so
    a loss of 1.0 is the variance of the training targets.
    """
    test_fraction = check_probability("test_fraction", test_fraction)
    X, y = load_diabetes(return_X_y=True)
    return _split_task("diabetes", "regression", X, y, 1, test_fraction, seed, {})


def digits_task(*, test_fraction: float = 0.3, seed: int = 0) -> Task:
    """scikit-learn's bundled 8x8 digits (1797 images, 64 features, 10 classes)."""
    test_fraction = check_probability("test_fraction", test_fraction)
    X, y = load_digits(return_X_y=True)
    return _split_task("digits", "classification", X, y, 10, test_fraction, seed, {})


def mnist1d_task(*, test_fraction: float = 0.2, n_train: int | None = None, seed: int = 0,
                 n_samples: int = 5000, data_seed: int = 42) -> Task:
    """MNIST-1D: 10 classes of 1-D signals of 40 samples (digit templates padded,
    translated, sheared, scaled, with correlated and iid noise), inputs (n, 40).

    The signals come from ``mnist1d``'s generator with its default settings and
    ``n_samples`` (default 5000: the published set) and generator seed ``data_seed``
    (42: the published set's), generated locally (:func:`mnist1d_arrays`).  ``seed``
    draws the stratified train/test split (``test_fraction`` of the rows held out) and,
    with ``n_train``, a stratified subset of that many training rows; inputs are then
    standardised per column with the training rows' statistics.
    """
    test_fraction = check_probability("test_fraction", test_fraction)
    if n_train is not None:
        n_train = check_int("n_train", n_train, minimum=10)
    X, y = mnist1d_arrays(n_samples=n_samples, data_seed=data_seed)
    return _split_task("mnist1d", "classification", X, y, 10, test_fraction, seed,
                       {"n_samples": n_samples, "data_seed": data_seed, "n_train": n_train},
                       n_train=n_train)


def _mnist1d_args(n_samples: int, data_seed: int):
    from mnist1d.data import get_dataset_args  # imported on use: it loads matplotlib

    args = get_dataset_args()
    args.num_samples, args.seed = n_samples, data_seed
    return args


def mnist1d_arrays(*, n_samples: int = 5000, data_seed: int = 42) -> tuple[np.ndarray,
                                                                            np.ndarray]:
    """All MNIST-1D signals (n_samples, 40) float64 and labels (n_samples,) int64, in the
    generator's order (its train rows, then its test rows).

    Generated by ``mnist1d.data.make_dataset`` with the package's default arguments,
    ``num_samples=n_samples`` and ``seed=data_seed``.  That generator seeds Python's and
    numpy's global random streams; their states are saved and restored, so calling
    this leaves the caller's global random state untouched.  The arrays are kept in
    ``<cache folder>/data/mnist1d-<hash>.npz`` (the hash covers the generator's
    arguments and the package version); a damaged file is regenerated.
    """
    n_samples = check_int("n_samples", n_samples, minimum=10)
    data_seed = check_seed("data_seed", data_seed)
    from importlib.metadata import version

    args = _mnist1d_args(n_samples, data_seed)
    settings = {k: v for k, v in vars(args).items() if k != "url"}
    settings["mnist1d_version"] = version("mnist1d")
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]
    path = cache_dir() / "data" / f"mnist1d-{digest}.npz"
    if path.exists():
        try:
            with np.load(path, allow_pickle=False) as npz:
                X, y = npz["X"], npz["y"]
            if X.shape == (n_samples - n_samples % 10, 40) and len(y) == len(X):
                return X, y
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            pass  # regenerate below
    from mnist1d.data import make_dataset

    py_state, np_state = random.getstate(), np.random.get_state()  # noqa: NPY002
    try:
        made = make_dataset(args)
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)  # noqa: NPY002 (the generator's global stream)
    X = np.concatenate([made["x"], made["x_test"]]).astype(np.float64)
    y = np.concatenate([made["y"], made["y_test"]]).astype(np.int64)
    buffer = io.BytesIO()
    np.savez(buffer, X=X, y=y)
    write_atomic(path, buffer.getvalue())
    return X, y


def _split_task(name, kind, X, y, n_outputs, test_fraction, seed, extra, n_train=None) -> Task:
    seed = check_seed("seed", seed)
    stratify = y if kind == "classification" else None
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_fraction, random_state=seed, stratify=stratify
    )
    if n_train is not None and n_train < len(X_train):
        X_train, _, y_train, _ = train_test_split(
            X_train, y_train, train_size=n_train, random_state=seed,
            stratify=y_train if kind == "classification" else None)
    X_train, X_test = standardize(X_train, X_test)
    if kind == "regression":
        mean, std = y_train.mean(), y_train.std()
        y_train = ((y_train - mean) / std)[:, None].astype(np.float32)
        y_test = ((y_test - mean) / std)[:, None].astype(np.float32)
    else:
        y_train = y_train.astype(np.int64)
        y_test = y_test.astype(np.int64)
    description = {"name": name, "test_fraction": test_fraction, "seed": seed, **extra}
    return Task(name, kind, X_train.astype(np.float32), y_train, X_test.astype(np.float32),
                y_test, n_outputs, description)


def load_task(name: str, *, seed: int = 0, validation_fraction: float = 0.0,
              validation_source: str = "train", **kwargs) -> Task:
    """Build a task by name: one of ``TASK_NAMES``; ``kwargs`` go to its builder.

    ``validation_fraction`` > 0 moves that share of the rows of the
    ``validation_source`` split (``"train"`` or ``"test"``; drawn with ``seed`` by
    :func:`train_validation_split`) into ``X_val``/``y_val``; see :func:`with_validation`.
    """
    builders = {"quadratic": quadratic_task, "moons": moons_task,
                "diabetes": diabetes_task, "digits": digits_task, "mnist1d": mnist1d_task}
    check_choice("task name", name, TASK_NAMES)
    task = builders[name](seed=seed, **kwargs)
    validation_fraction = check_number("validation_fraction", validation_fraction,
                                       minimum=0.0, maximum=1.0, high_closed=False)
    if not validation_fraction:
        return task
    return with_validation(task, validation_fraction, seed, source=validation_source)


def with_validation(task: Task, validation_fraction: float, seed: int = 0, *,
                    source: str = "train") -> Task:
    """``task`` with ``validation_fraction`` of the rows of its ``source`` split moved to
    a validation split (seeded).

    ``source="train"``: the usual carve-out of the training data (fewer rows to train
    on); ``source="test"``: the held-out rows are split in two, one part chooses settings
    (validation), the other reports results (test), and the training data are untouched.
    """
    check_choice("source", source, ("train", "test"))
    X, y = (task.X_train, task.y_train) if source == "train" else (task.X_test, task.y_test)
    X_keep, y_keep, X_val, y_val = train_validation_split(
        X, y, validation_fraction=validation_fraction, seed=seed)
    description = {**task.description, "validation_fraction": validation_fraction,
                   "validation_seed": seed, "validation_source": source}
    kept = ({"X_train": X_keep, "y_train": y_keep} if source == "train"
            else {"X_test": X_keep, "y_test": y_keep})
    return dataclasses.replace(task, **kept, X_val=X_val, y_val=y_val, description=description)


def train_validation_split(
    X: np.ndarray, y: np.ndarray, *, validation_fraction: float = 0.25, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split a training set into (X_fit, y_fit, X_val, y_val), seeded, no shuffling of labels."""
    validation_fraction = check_probability("validation_fraction", validation_fraction)
    seed = check_seed("seed", seed)
    X = check_array("X", X, dtype=None, non_empty=False)
    y = check_array("y", y, dtype=None, non_empty=False)
    check_same_length(("X", X), ("y", y), what="number of rows")
    n_val = max(1, int(round(validation_fraction * len(X))))
    if n_val >= len(X):
        raise ValueError(f"validation_fraction={validation_fraction} leaves no training rows")
    order = np.random.default_rng(seed).permutation(len(X))
    val, fit = order[:n_val], order[n_val:]
    return X[fit], y[fit], X[val], y[val]
