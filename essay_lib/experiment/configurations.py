"""Chapter 00's networks: several named MLP sizes over seeds, one plain training run each.

:func:`train_configurations` trains a fresh MLP per configuration and seed with
:func:`essay_lib.nets.training.train_model` (autograd, one network at a time) and scores
each on its task's training and test rows (:func:`essay_lib.nets.training.score`); a
configuration names its hidden widths and, optionally, settings of ``train_model``
(:data:`CONFIGURATION_KEYS`).  The loop over configurations and seeds is an experiment,
so it lives on this floor; the networks and their training live in :mod:`essay_lib.nets`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from essay_lib.nets.models import make_mlp
from essay_lib.nets.training import TrainingResult, score, train_model
from essay_lib.util.checks import check_int_sequence, check_seed
from essay_lib.util.progress import progress_bar

__all__ = ["CONFIGURATION_KEYS", "CURVES_ON", "ConfigurationRuns", "configuration_settings",
           "train_configurations"]

#: Settings a configuration of :func:`train_configurations` may give besides ``hidden``.
CONFIGURATION_KEYS = ("patience", "l1", "l2", "epochs", "lr", "optimizer", "batch_size",
                      "restore_best")
CURVES_ON = ("validation", "test")


@dataclass
class ConfigurationRuns:
    """What :func:`train_configurations` returns: one trained network per (name, seed).

    ``results[name][i]``: the :class:`~essay_lib.nets.training.TrainingResult` of
    configuration ``name`` on ``tasks[i]`` with network seed ``seeds[i]`` (its
    ``held_out`` names the rows of its held-out curve).  ``train_scores[name]`` /
    ``test_scores[name]``: arrays (len(seeds),) of the evaluation-mode ``metric``
    (``"r2"`` for regression, ``"accuracy"`` for classification) on each task's
    training rows (the validation rows excluded) / test rows.
    """

    names: list[str]
    seeds: list[int]
    metric: str
    results: dict[str, list[TrainingResult]]
    train_scores: dict[str, np.ndarray]
    test_scores: dict[str, np.ndarray]

    def at_seed(self, seed: int) -> dict[str, TrainingResult]:
        """The results of every configuration for network seed ``seed``, by name."""
        if seed not in self.seeds:
            raise ValueError(f"seed must be one of {self.seeds}, got {seed!r}")
        i = self.seeds.index(seed)
        return {name: self.results[name][i] for name in self.names}


def configuration_settings(name: str, configuration) -> tuple[tuple[int, ...], dict]:
    """(hidden widths, extra :func:`~essay_lib.nets.training.train_model` settings) of one
    configuration.

    ``configuration``: a sequence of hidden widths, e.g. ``(256, 256)``, or a mapping
    with ``"hidden"`` and optional keys of :data:`CONFIGURATION_KEYS`.
    """
    if isinstance(configuration, Mapping):
        settings = dict(configuration)
        if "hidden" not in settings:
            raise ValueError(f"configurations[{name!r}] must give 'hidden' (the hidden widths)")
        unknown = sorted(set(settings) - {"hidden", *CONFIGURATION_KEYS})
        if unknown:
            raise ValueError(f"configurations[{name!r}] has unknown settings {unknown}; "
                             f"allowed: 'hidden' and {CONFIGURATION_KEYS}")
        hidden = settings.pop("hidden")
    else:
        hidden, settings = configuration, {}
    return check_int_sequence(f"configurations[{name!r}] hidden", hidden, minimum=1), settings


def train_configurations(configurations, tasks, *, seeds, epochs: int = 500, lr: float = 1e-2,
                         eval_every: int = 1, curves_on: str = "validation",
                         progress: bool | None = None,
                         description: str = "networks") -> ConfigurationRuns:
    """Train a fresh MLP per named configuration and seed, with
    :func:`~essay_lib.nets.training.train_model`.

    ``configurations``: ``{name: hidden widths}`` or ``{name: {"hidden": widths,
    "patience": ..., "l2": ...}}`` (keys in :data:`CONFIGURATION_KEYS`; ``epochs``
    and ``lr`` there override the arguments).  ``tasks``: one task per seed (an
    :class:`essay_lib.data.Task`: ``X_train`` (n, d), ``y_train``, ``X_test``,
    ``y_test``, ``kind``, ``n_outputs``, optional ``X_val``/``y_val``); ``seeds``: the
    network seeds (``make_mlp(..., seed=s)`` and ``train_model(..., seed=s)``).

    ``curves_on``: where the held-out loss curve (``held_out_loss``, named by
    ``held_out``) is recorded: ``"validation"`` (the task's validation rows, none when it
    has none; early stopping watches them) or ``"test"`` (the test rows, a curve that
    chooses nothing, so ``patience`` is refused).
    Every network of a configuration starts from the weights its seed gives, so the
    same seed and widths give the same network with and without early stopping until
    it stops.  ``progress``: one bar over all networks.
    """
    tasks, seeds = list(tasks), [check_seed(f"seeds[{i}]", s) for i, s in enumerate(seeds)]
    if not configurations:
        raise ValueError("configurations must name at least one network")
    if len(tasks) != len(seeds) or not tasks:
        raise ValueError(f"tasks and seeds must be non-empty and of the same length, got "
                         f"{len(tasks)} tasks and {len(seeds)} seeds")
    if curves_on not in CURVES_ON:
        raise ValueError(f"curves_on must be one of {CURVES_ON}, got {curves_on!r}")
    settings = {str(n): configuration_settings(str(n), c) for n, c in configurations.items()}
    if curves_on == "test" and any("patience" in s for _, s in settings.values()):
        raise ValueError("patience (early stopping) must watch validation rows, not the test "
                         "set: use curves_on='validation'")
    metric = "r2" if tasks[0].kind == "regression" else "accuracy"
    results = {name: [] for name in settings}
    jobs = [(name, i) for i in range(len(tasks)) for name in settings]
    for name, i in progress_bar(jobs, enabled=progress, desc=description):
        task, seed = tasks[i], seeds[i]
        hidden, extra = settings[name]
        held_out = (task.X_test, task.y_test) if curves_on == "test" else (
            (task.X_val, task.y_val) if getattr(task, "X_val", None) is not None else None)
        model = make_mlp(task.X_train.shape[1], hidden, task.n_outputs, seed=seed)
        result = train_model(model, task.X_train, task.y_train, kind=task.kind,
                             validation=held_out, eval_every=eval_every, seed=seed,
                             progress=False, **{"epochs": epochs, "lr": lr, **extra})
        result.held_out = curves_on
        results[name].append(result)
    scores = {"train": {}, "test": {}}
    for split, name in [(split, name) for split in scores for name in results]:
        scores[split][name] = np.array([
            score(r.model, getattr(t, f"X_{split}"), getattr(t, f"y_{split}"), kind=t.kind)[metric]
            for r, t in zip(results[name], tasks, strict=True)])
    return ConfigurationRuns(list(settings), seeds, metric, results, scores["train"],
                             scores["test"])
