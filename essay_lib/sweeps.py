"""Regularization sweeps: a grid of strengths x seeds -> tidy records, trained in batches, cached.

:func:`run_sweep` turns ``grid`` (regularizer -> strengths) and ``seeds`` into one
member per (regularizer, strength, seed), trains the members missing from the
cache together with :func:`essay_lib.ensemble.train_ensemble` (a member's result
does not depend on which others train beside it), measures each one on the
task's *test* split and returns one flat record (a dict) per member.

Regularizers (:data:`REGULARIZERS`): ``none`` (strength 0 only), ``dropout``
(hidden drop rate, [0, 1)), ``input_dropout`` (input drop rate, [0, 1)), ``l1``
and ``l2`` (penalty coefficients), ``mixup`` (alpha of Beta(alpha, alpha) mixing
of inputs and targets: the positive control that favours linear behaviour
between examples).

Metrics of a record (:data:`METRICS`), on the test split unless named ``train_``:
``train_loss``, ``test_loss`` (MSE or cross-entropy), ``test_r2`` (regression) or
``test_accuracy`` (classification; the other is ``None``), ``z_bar`` (Z̄,
normalised) and ``z_bar_raw`` (mean ‖D‖, output units), ``taleb_h`` (Σ‖2H‖ /
Σ(‖u‖+‖v‖+‖w‖) over the triples (x−Δ, Δ, Δ): Z̄ on symmetric triples, so D = 2H)
and ``taleb_h_raw`` (mean ‖H‖, output units), ``jacobian_norm`` (mean Frobenius
norm), ``affine_nonlinearity`` (1 − R² of the best affine fit), ``linear_pieces``
(along the segment from the per-feature minimum to the maximum of the test
inputs, for 1-D and 2-D inputs; ``None`` otherwise), ``weight_sparsity``
(fraction of weights with |w| < :data:`SPARSITY_THRESHOLD`), ``weight_norm`` (L2
norm of all weights), ``mean_hidden_activation`` (mean over test points, units
and hidden layers, eval mode).  Function measures use the logits, in float64.
Displacements: Δ, a, b are :data:`DISPLACEMENT_SCALE` times differences of two
test points, drawn with seed :data:`METRIC_SEED`.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from collections.abc import Mapping, Sequence

import numpy as np
import torch

from . import linearity, regularization
from .cache import SweepCache, clean_record
from .data import TASK_NAMES, Task, load_task
from .ensemble import Member, member_losses, train_ensemble
from .progress import progress_bar
from .training import OPTIMIZERS

#: grid key -> Member field it sets (``none`` sets nothing)
REGULARIZERS = {"none": None, "dropout": "drop_rate", "input_dropout": "input_drop_rate",
                "l1": "l1", "l2": "l2", "mixup": "mixup_alpha"}
METRICS = ("train_loss", "test_loss", "test_r2", "test_accuracy", "z_bar", "z_bar_raw",
           "taleb_h", "taleb_h_raw", "jacobian_norm", "affine_nonlinearity", "linear_pieces",
           "weight_sparsity", "weight_norm", "mean_hidden_activation")
SPARSITY_THRESHOLD = 1e-3
Z_TRIPLES = 1000
DISPLACEMENT_SCALE = 0.5
METRIC_SEED = 0
MAX_MEMBERS = 256  # members trained in one batched model (bounds memory)
_METRIC_SETTINGS = {"sparsity_threshold": SPARSITY_THRESHOLD, "z_triples": Z_TRIPLES,
                    "scale": DISPLACEMENT_SCALE, "seed": METRIC_SEED}

SEEDS = tuple(range(8))
_GRID = {"none": [0.0], "dropout": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
         "l1": [1e-5, 1e-4, 1e-3, 1e-2], "l2": [1e-5, 1e-4, 1e-3, 1e-2],
         "mixup": [0.1, 0.4, 1.0, 2.0]}
#: chapter 04's experiment: per task, the task's arguments, architecture, training and grid.
#: Digits' L1 grid stops at 1e-3: at 1e-2 every member collapses to a constant (chance).
#: Digits trains on 30% of the images (539) so that the oversized net overfits.  Epochs:
#: each unregularized net has reached its overfit plateau (train loss near 0, test loss
#: flat or rising; diabetes test R^2 < 0) while the whole experiment stays near a minute.
ESSAY_EXPERIMENT = {
    "quadratic": {"task": {}, "hidden": (64, 64), "epochs": 600, "lr": 1e-2, "grid": _GRID},
    "moons": {"task": {}, "hidden": (64, 64), "epochs": 300, "lr": 1e-2, "grid": _GRID},
    "diabetes": {"task": {}, "hidden": (64, 64), "epochs": 200, "lr": 1e-2, "grid": _GRID},
    "digits": {"task": {"test_fraction": 0.7}, "hidden": (64, 64), "epochs": 100, "lr": 1e-2,
               "grid": {**_GRID, "l1": [1e-5, 1e-4, 3e-4, 1e-3]}},
}


def essay_experiment(task: str) -> dict:
    """A copy of ``ESSAY_EXPERIMENT[task]`` plus ``seeds``: what :func:`run_experiment` runs."""
    if task not in ESSAY_EXPERIMENT:
        raise ValueError(f"task must be one of {tuple(ESSAY_EXPERIMENT)}, got {task!r}")
    spec = ESSAY_EXPERIMENT[task]
    grid = {key: list(values) for key, values in spec["grid"].items()}
    return {**spec, "task": dict(spec["task"]), "grid": grid, "seeds": list(SEEDS)}


def run_experiment(task: str, *, cache_dir=None, device: str = "cpu", progress=None) -> list[dict]:
    """Chapter 04's sweep of one task (see :data:`ESSAY_EXPERIMENT`), cached; returns records."""
    spec = essay_experiment(task)
    return run_sweep(load_task(task, **spec["task"]), spec["grid"], spec["seeds"],
                     hidden=spec["hidden"], epochs=spec["epochs"], lr=spec["lr"],
                     cache_dir=cache_dir, device=device, progress=progress)


def check_grid(grid) -> dict[str, list[float]]:
    """Validate ``grid`` (regularizer -> sequence of strengths) and return it with float lists."""
    if not isinstance(grid, Mapping) or not grid:
        raise ValueError(f"grid must be a non-empty mapping from regularizer to strengths; "
                         f"allowed keys: {tuple(REGULARIZERS)}")
    out = {}
    for key, strengths in grid.items():
        if key not in REGULARIZERS:
            raise ValueError(f"unknown grid key {key!r}; allowed keys: {tuple(REGULARIZERS)}")
        if isinstance(strengths, (str, bytes)) or not isinstance(strengths, Sequence) or not (
                strengths):
            raise ValueError(f"grid[{key!r}] must be a non-empty sequence of strengths")
        values = []
        for s in strengths:
            if isinstance(s, bool) or not isinstance(s, (int, float, np.integer, np.floating)):
                raise TypeError(f"grid[{key!r}] holds {s!r}; strengths must be numbers")
            if not math.isfinite(s) or s < 0:
                raise ValueError(f"grid[{key!r}] holds {s}; strengths must be finite and >= 0")
            if key in ("dropout", "input_dropout") and s >= 1:
                raise ValueError(f"grid[{key!r}] holds {s}; drop rates must lie in [0, 1)")
            if key == "none" and s != 0:
                raise ValueError(f"grid['none'] holds {s}; its only allowed strength is 0")
            values.append(float(s))
        out[key] = values
    return out


def _check_seeds(seeds) -> list[int]:
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence) or len(seeds) == 0:
        raise ValueError(f"seeds must be a non-empty sequence of integers >= 0, got {seeds!r}")
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0:
            raise ValueError(f"seeds must be integers >= 0, got {s!r}")
    return [int(s) for s in seeds]


def _member(regularizer: str, strength: float, seed: int, lr: float) -> Member:
    field = REGULARIZERS[regularizer]
    return Member(seed=seed, lr=lr, **({field: strength} if field else {}))


def run_sweep(task: Task | str, grid: Mapping[str, Sequence[float]], seeds: Sequence[int], *,
              hidden: Sequence[int] = (64, 64), epochs: int = 300, lr: float = 1e-2,
              batch_size: int | None = None, optimizer: str = "adam", cache_dir=None,
              use_cache: bool = True, device: str = "cpu", progress: bool | None = None
              ) -> list[dict]:
    """Train and measure one member per (regularizer, strength, seed); one record each.

    ``task``: a :class:`essay_lib.data.Task` or a name from ``TASK_NAMES``;
    ``grid``: e.g. ``{"none": [0], "dropout": [0.1, 0.5], "l2": [1e-4]}``;
    ``seeds``: non-empty integers.  ``hidden``, ``epochs``, ``lr``, ``batch_size``
    (``None``: full batch), ``optimizer`` (adam | sgd) apply to every member.
    Records come in grid order (regularizer, then strength, then seed) and hold
    ``task``, ``regularizer``, ``strength``, ``seed``, the training settings, every
    name in :data:`METRICS` and ``key`` (the cache key).  Cached members are read
    back (``cache_dir``: see :mod:`essay_lib.cache`; ``use_cache=False`` recomputes
    and rewrites them); the others are trained together and stored.
    """
    if isinstance(task, str):
        if task not in TASK_NAMES:
            raise ValueError(f"task must be a data.Task or one of {TASK_NAMES}, got {task!r}")
        task = load_task(task)
    if not isinstance(task, Task):
        raise TypeError(f"task must be a data.Task or a task name, got {type(task).__name__}")
    grid, seeds = check_grid(grid), _check_seeds(seeds)
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    widths = (task.n_features, *hidden, task.n_outputs)
    Member(lr=lr)  # validates lr
    settings = {"task": task.name, "hidden": list(hidden), "epochs": epochs, "lr": lr,
                "batch_size": batch_size, "optimizer": optimizer}
    specs = [(reg, s, seed) for reg, strengths in grid.items() for s in strengths for seed in seeds]
    cache = SweepCache(cache_dir)
    configs = [{"task_description": task.description, "data_sha256": _data_hash(task),
                "kind": task.kind, "widths": list(widths),
                "activation": "relu", **settings, "regularizer": reg, "strength": s,
                "member": _member(reg, s, seed, lr).as_dict(), "metrics": _METRIC_SETTINGS}
               for reg, s, seed in specs]
    records = [cache.load(c) if use_cache else None for c in configs]
    missing = [i for i, r in enumerate(records) if r is None]
    for start in range(0, len(missing), MAX_MEMBERS):
        chunk = missing[start: start + MAX_MEMBERS]
        result = train_ensemble(widths, [_member(*specs[i], lr) for i in chunk], task.X_train,
                                task.y_train, kind=task.kind, epochs=epochs, optimizer=optimizer,
                                batch_size=batch_size, device=device, progress=progress,
                                description=f"{task.name}: {len(chunk)} members")
        for k, metrics in enumerate(measure_members(result, task, progress=progress)):
            i = chunk[k]
            reg, strength, seed = specs[i]
            record = {**settings, "regularizer": reg, "strength": strength, "seed": seed,
                      **metrics, "key": cache.key(configs[i])}
            cache.store(configs[i], record)
            records[i] = clean_record(record)
    return records


def _data_hash(task: Task) -> str:
    """SHA-256 of the task's arrays (dtype, shape, bytes): a cache key covers the data itself."""
    digest = hashlib.sha256()
    for array in (task.X_train, task.y_train, task.X_test, task.y_test):
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def _segment(X: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    return (X.min(axis=0), X.max(axis=0)) if X.shape[1] <= 2 else None


@torch.no_grad()
def _batched_metrics(model, task: Task) -> dict[str, np.ndarray]:
    """Per-member test loss, R² / accuracy and mean hidden activation, (K,) each."""
    dev = model.device
    X = torch.as_tensor(task.X_test, device=dev)
    out, hidden = model.forward_with_hidden(X)
    if task.kind == "regression":
        y = torch.as_tensor(task.y_test, device=dev)
        loss = member_losses(out, y, task.kind)
        total = ((y - y.mean(dim=0)) ** 2).sum()
        r2 = 1 - ((out - y) ** 2).sum(dim=(1, 2)) / total
        accuracy = None
    else:
        y = torch.as_tensor(task.y_test, device=dev)
        loss = member_losses(out, y, task.kind)
        accuracy, r2 = (out.argmax(dim=-1) == y).double().mean(dim=1), None
    activation = torch.stack([h.double().mean(dim=(1, 2)) for h in hidden]).mean(dim=0)
    as_np = lambda t: None if t is None else t.double().cpu().numpy()  # noqa: E731
    return {"test_loss": as_np(loss), "test_r2": as_np(r2), "test_accuracy": as_np(accuracy),
            "mean_hidden_activation": as_np(activation)}


def _taleb(f, X: np.ndarray, delta: np.ndarray) -> tuple[float, float]:
    """(normalised, raw) Taleb heuristic over the rows of X with displacements delta."""
    H = linearity.taleb_heuristic(f, X, delta)
    H = H[:, None] if H.ndim == 1 else H
    Y = np.asarray(f(np.concatenate([X - delta, X, X + delta])), dtype=np.float64)
    lo, mid, hi = np.split(Y.reshape(3 * len(X), -1), 3)
    norm = lambda A: np.sqrt((A * A).sum(axis=1))  # noqa: E731
    h = norm(H)
    den = (2 * norm(mid - lo) + norm(hi - lo)).sum()
    return (float(min(2 * h.sum() / den, 1.0)) if den > 0 else 0.0), float(h.mean())


def measure_members(result, task: Task, *, progress: bool | None = None) -> list[dict]:
    """Metrics (:data:`METRICS`) of each member of an :class:`~essay_lib.ensemble.EnsembleResult`.

    ``task``: the task the members were trained on (its test split is used).
    """
    batched = _batched_metrics(result.model, task)
    X = task.X_test.astype(np.float64)
    rng = np.random.default_rng(METRIC_SEED)
    j = rng.integers(0, len(X), size=len(X))
    partner = (j + rng.integers(1, len(X), size=len(X))) % len(X)
    delta = DISPLACEMENT_SCALE * (X[j] - X[partner])
    segment = _segment(X)
    records = []
    with _single_threaded_blas():
        for k in progress_bar(range(result.model.K), enabled=progress,
                              desc=f"{task.name}: metrics"):
            records.append(_member_metrics(result, k, task, X, delta, segment, batched))
    return records


def _single_threaded_blas():
    """numpy's BLAS on one thread: the metrics' small solves run faster so, and a busy
    machine does not stall them (threadpoolctl comes with scikit-learn; else no limit)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _member_metrics(result, k, task, X, delta, segment, batched) -> dict:
    model = result.model.member(k)
    f = linearity.as_function(model)
    zb = linearity.z_bar(f, X, n_triples=Z_TRIPLES, scale=DISPLACEMENT_SCALE, seed=METRIC_SEED)
    taleb, taleb_raw = _taleb(f, X, delta)
    record = {"train_loss": float(result.final_train_loss[k])}
    record.update({name: None if v is None else float(v[k]) for name, v in batched.items()})
    record.update(
        z_bar=zb.value, z_bar_raw=zb.raw, taleb_h=taleb, taleb_h_raw=taleb_raw,
        jacobian_norm=linearity.jacobian_norm(model, X),
        affine_nonlinearity=1.0 - linearity.affine_fit_r2(f, X),
        linear_pieces=None if segment is None else linearity.count_linear_pieces(
            model, *segment),
        weight_sparsity=regularization.weight_sparsity(model, SPARSITY_THRESHOLD),
        weight_norm=regularization.weight_norm(model))
    return {name: record[name] for name in METRICS}
