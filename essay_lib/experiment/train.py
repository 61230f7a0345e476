"""Training a sweep's networks: members of a :class:`~essay_lib.experiment.spec.SweepSpec`.

A network of a sweep is named by ``(regularizer, strength, seed)``.  Its training
configuration (:func:`training_config`, the cache key of its weights) holds the task
(its description and a hash of its arrays), the widths, the sweep's training settings,
the :class:`~essay_lib.nets.ensemble.Member` and the device type: dropout masks come
from other streams on CUDA, so CPU and GPU networks are kept apart.

:func:`train_members` trains any number of them with the batched engine
(:func:`essay_lib.nets.ensemble.train_ensemble`), in chunks of
:func:`members_per_run` networks, and returns each network's parameters and its loss
curves (training loss and test loss, evaluation mode, at :data:`CURVE_POINTS`
epochs).  With early stopping the validation loss is checked every epoch and a
network's curve ends where training ended (the last entry: its kept, best-validation
weights); ``best_epoch`` and ``stopped_epoch`` join the curve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from essay_lib.data import Task
from essay_lib.experiment.spec import (
    EPOCH_GRIDS,
    REGULARIZER_SETTINGS,
    REGULARIZERS,
    SweepSpec,
)
from essay_lib.nets.ensemble import Member, batched_model, model_from_arrays, train_ensemble

#: Networks trained in one batched run, by device type.  On the 2-core CPU, runs of 40
#: trained chapter 05's sweeps 1.3-1.6x faster than one run of all 160 networks of a
#: task (the working set stays in cache; 16-40 were best, 8 slower again); a GPU wants
#: large runs.  A network's weights do not depend on the chunking beyond float32
#: rounding (each member has its own streams; tested; on chapter 05's sweeps they came
#: out bit for bit), so this is a speed setting, not part of any cache key.
MEMBERS_PER_RUN = {"cpu": 40}
MAX_MEMBERS = 256  # on other devices (bounds memory)
CURVE_POINTS = 10  # epochs at which the loss curves are recorded (each costs a full evaluation)


#: How the CNN sees an input row of a task, where it is not a 1-D signal of its features
IMAGE_SHAPES = {"digits": (8, 8)}


def member_of(spec: SweepSpec, regularizer: str, strength: float, seed: int) -> Member:
    """The :class:`Member` (seed, regularizer field, the fields the regularizer fixes,
    learning rate, the sweep's weight decay and input drop rate unless the regularizer sets
    them) of one network."""
    name = REGULARIZERS[regularizer]
    base = {"weight_decay": spec.weight_decay, "input_drop_rate": spec.input_drop_rate}
    return Member(seed=seed, lr=spec.lr, **{**base, **({name: strength} if name else {}),
                                            **REGULARIZER_SETTINGS.get(regularizer, {})})


def training_keep_prob(member: Member) -> float:
    """The keep probability a network was trained at: 1 − its drop rate, or 1 − the drop
    rate of its explicit penalty, or 1 (no dropout; input dropout not counted)."""
    return 1.0 - max(member.drop_rate, member.dropout_penalty)


def epochs_of(spec: SweepSpec, regularizer: str, strength: float) -> int:
    """Epochs network (regularizer, strength, ·) trains: the sweep's, or the strength of an
    epoch grid (plain training stopped early, :data:`~essay_lib.experiment.spec.EPOCH_GRIDS`)."""
    return int(strength) if regularizer in EPOCH_GRIDS else spec.epochs


def widths_of(spec: SweepSpec, task: Task) -> tuple[int, ...]:
    """``(n_inputs, *hidden, n_outputs)`` of the sweep's networks on ``task``."""
    return (task.n_features, *spec.hidden, task.n_outputs)


def input_shape_of(spec: SweepSpec, task: Task) -> tuple[int, ...] | None:
    """The CNN's view of an input row (:data:`IMAGE_SHAPES`, else a 1-D signal);
    ``None`` for the other architectures."""
    if spec.architecture != "cnn":
        return None
    return IMAGE_SHAPES.get(task.name, (task.n_features,))


def untrained_model(spec: SweepSpec, task: Task, seeds):
    """The sweep's batched model with one member per seed, at its initial weights."""
    return batched_model(spec.architecture, widths_of(spec, task), list(seeds),
                         input_shape=input_shape_of(spec, task))


def model_of(spec: SweepSpec, task: Task, arrays):
    """The sweep's batched model (CPU) whose member k has the parameters ``arrays[k]``."""
    return model_from_arrays(spec.architecture, widths_of(spec, task), list(arrays),
                             input_shape=input_shape_of(spec, task))


def training_config(spec: SweepSpec, task: Task, key: tuple[str, float, int],
                    device: torch.device) -> dict:
    """What the trained weights of network ``key`` depend on (a JSON-able dict)."""
    regularizer, strength, seed = key
    shape = input_shape_of(spec, task)
    return {"task_description": task.description, "data_sha256": task.data_sha256(),
            "kind": task.kind, "widths": list(widths_of(spec, task)), "activation": "relu",
            "input_shape": None if shape is None else list(shape),
            **spec.training_dict(), "epochs": epochs_of(spec, regularizer, strength),
            "regularizer": regularizer, "strength": strength,
            "member": member_of(spec, regularizer, strength, seed).as_dict(),
            "device": device.type}


@dataclass
class Trained:
    """One trained network: parameters (``layers.i.weight``/``bias``) and loss curves.

    ``curve``: ``{"epoch": [...], "train_loss": [...], "test_loss": [...]}`` and
    ``"validation_loss"`` when the task has a validation split (lists of equal length,
    the last entry at the end of training).
    """

    arrays: dict[str, np.ndarray]
    curve: dict[str, list]

    @property
    def train_loss(self) -> float:
        return float(self.curve["train_loss"][-1])


def _held_out(task: Task) -> dict:
    sets = {"test": (task.X_test, task.y_test)}
    if task.has_validation:
        sets["validation"] = (task.X_val, task.y_val)
    return sets


def members_per_run(device: torch.device) -> int:
    """At most how many networks :func:`train_members` trains in one batched run on
    ``device`` (it splits a larger set into equal runs)."""
    return MEMBERS_PER_RUN.get(torch.device(device).type, MAX_MEMBERS)


def train_members(spec: SweepSpec, task: Task, keys, *, device: torch.device,
                  progress: bool | None = None) -> list[Trained]:
    """Train the networks ``keys`` ((regularizer, strength, seed) each) of ``spec`` on
    ``task``; one :class:`Trained` per key, in order."""
    keys = list(keys)
    # networks stopped early train in runs of their own length, and networks with dropout's
    # explicit penalty (autograd) apart from the others (the hand-written backward)
    runs = [(epochs_of(spec, r, s), member_of(spec, r, s, seed).dropout_penalty > 0)
            for r, s, seed in keys]
    if len(set(runs)) > 1:
        found = {}
        for run in sorted(set(runs), reverse=True):
            group = [k for k, g in zip(keys, runs, strict=True) if g == run]
            found.update(zip(group, train_members(spec, task, group, device=device,
                                                  progress=progress), strict=True))
        return [found[k] for k in keys]
    n_epochs = runs[0][0] if runs else spec.epochs
    out: list[Trained] = []
    every = max(1, n_epochs // CURVE_POINTS)
    n_runs = -(-len(keys) // members_per_run(device))
    size = max(1, -(-len(keys) // max(n_runs, 1)))  # equal runs: 128 train as 4 × 32
    for start in range(0, len(keys), size):
        chunk = keys[start: start + size]
        runs = f" ({start // size + 1} of {n_runs})" if n_runs > 1 else ""
        result = train_ensemble(
            widths_of(spec, task), [member_of(spec, *k) for k in chunk], task.X_train,
            task.y_train, kind=task.kind, epochs=n_epochs, optimizer=spec.optimizer,
            momentum=spec.momentum, batch_size=spec.batch_size, eval_every=every,
            architecture=spec.architecture, input_shape=input_shape_of(spec, task),
            patience=spec.patience if spec.early_stopping else None,
            eval_data=_held_out(task), device=str(device),
            progress=progress, description=f"{task.name}: {len(chunk)} networks{runs}")
        for k in range(len(chunk)):
            rows = list(range(len(result.epochs)))
            epochs = list(result.epochs)
            if result.best_epoch is not None:  # the curve ends where this network stopped
                stopped = int(result.stopped_epoch[k])
                rows = [i for i, e in enumerate(epochs) if e < stopped] + [len(epochs) - 1]
                epochs = [epochs[i] for i in rows[:-1]] + [stopped]
            curve = {"epoch": epochs,
                     "train_loss": [float(result.train_loss[i, k]) for i in rows]}
            for name, losses in result.eval_loss.items():
                curve[f"{name}_loss"] = [float(losses[i, k]) for i in rows]
            if result.best_epoch is not None:
                curve["best_epoch"] = int(result.best_epoch[k])
                curve["stopped_epoch"] = int(result.stopped_epoch[k])
            out.append(Trained(result.model.member_arrays(k), curve))
    return out
