"""Training a sweep's networks: members of a :class:`~essay_lib.experiment.spec.SweepSpec`.

A network of a sweep is named by ``(regularizer, strength, seed)``.  Its training
configuration (:func:`training_config`, the cache key of its weights) holds the task
(its description and a hash of its arrays), the widths, the sweep's training settings,
the :class:`~essay_lib.nets.ensemble.Member` and the device type: dropout masks come
from other streams on CUDA, so CPU and GPU networks are kept apart.

:func:`train_members` trains any number of them with the batched engine
(:func:`essay_lib.nets.ensemble.train_ensemble`), in chunks of :data:`MAX_MEMBERS`,
and returns each network's parameters and its loss curves (training loss and test
loss, evaluation mode, at :data:`CURVE_POINTS` epochs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from essay_lib.data import Task
from essay_lib.experiment.spec import REGULARIZERS, SweepSpec
from essay_lib.nets.ensemble import Member, train_ensemble

MAX_MEMBERS = 256  # networks trained in one batched model (bounds memory)
CURVE_POINTS = 10  # epochs at which the loss curves are recorded (each costs a full evaluation)


def member_of(spec: SweepSpec, regularizer: str, strength: float, seed: int) -> Member:
    """The :class:`Member` (seed, regularizer field, learning rate) of one network."""
    name = REGULARIZERS[regularizer]
    return Member(seed=seed, lr=spec.lr, **({name: strength} if name else {}))


def widths_of(spec: SweepSpec, task: Task) -> tuple[int, ...]:
    """``(n_inputs, *hidden, n_outputs)`` of the sweep's networks on ``task``."""
    return (task.n_features, *spec.hidden, task.n_outputs)


def training_config(spec: SweepSpec, task: Task, key: tuple[str, float, int],
                    device: torch.device) -> dict:
    """What the trained weights of network ``key`` depend on (a JSON-able dict)."""
    regularizer, strength, seed = key
    return {"task_description": task.description, "data_sha256": task.data_sha256(),
            "kind": task.kind, "widths": list(widths_of(spec, task)), "activation": "relu",
            **spec.training_dict(), "regularizer": regularizer, "strength": strength,
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


def train_members(spec: SweepSpec, task: Task, keys, *, device: torch.device,
                  progress: bool | None = None) -> list[Trained]:
    """Train the networks ``keys`` ((regularizer, strength, seed) each) of ``spec`` on
    ``task``; one :class:`Trained` per key, in order."""
    keys = list(keys)
    out: list[Trained] = []
    every = max(1, spec.epochs // CURVE_POINTS)
    for start in range(0, len(keys), MAX_MEMBERS):
        chunk = keys[start: start + MAX_MEMBERS]
        result = train_ensemble(
            widths_of(spec, task), [member_of(spec, *k) for k in chunk], task.X_train,
            task.y_train, kind=task.kind, epochs=spec.epochs, optimizer=spec.optimizer,
            batch_size=spec.batch_size, eval_every=every,
            eval_data=_held_out(task), device=str(device),
            progress=progress, description=f"{task.name}: {len(chunk)} networks")
        for k in range(len(chunk)):
            curve = {"epoch": list(result.epochs),
                     "train_loss": [float(v) for v in result.train_loss[:, k]]}
            for name, losses in result.eval_loss.items():
                curve[f"{name}_loss"] = [float(v) for v in losses[:, k]]
            out.append(Trained(result.model.member_arrays(k), curve))
    return out
