"""Logic gates computed by small ReLU networks, and how their weights are shared.

The paper says ReLU kinks let a network act like logic gates, with one
difference from a digital circuit: a weight may serve several "gates" at once,
a (non-quantum) superposition.  This module makes that concrete on the four
points of {0, 1}^2:

* :data:`GATE_INPUTS` (4, 2) float32 and :func:`gate_targets` (4, k) float32
  (1.0 = true, 0.0 = false) for gates named in :data:`GATE_NAMES`;
* :func:`hand_set_gate_network`: two hidden ReLU units ``h1 = relu(x1 + x2)``
  and ``h2 = relu(x1 + x2 - 1)`` shared by every gate; each output is
  ``c + a*h1 + b*h2`` (AND = h2, OR = h1 - h2, XOR = h1 - 2*h2, ...);
* :func:`unit_contributions`, :func:`unit_ablation`, :func:`weight_gate_sensitivity`:
  what each hidden unit adds to each gate, what breaks when it is removed, and
  which gates each first-layer weight moves;
* :func:`train_gate_network`, :func:`train_gate_networks`, :func:`gate_sharing`:
  networks trained on the truth tables, and how many units and weights their gates share.

Works on the :class:`essay_lib.nets.models.MLP` of :func:`essay_lib.nets.models.make_mlp`
with one hidden layer (outputs are gate values, read as true when > 0.5).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from essay_lib.nets.engine import mlp_forward
from essay_lib.nets.models import MLP, make_mlp
from essay_lib.nets.training import train_model
from essay_lib.util.checks import (
    check_array,
    check_choices,
    check_int,
    check_int_sequence,
    check_number,
)
from essay_lib.util.progress import progress_bar

__all__ = ["GATE_INPUTS", "GATE_NAMES", "gate_accuracy", "gate_sharing", "gate_targets",
           "hand_set_gate_network", "hidden_activations", "train_gate_network",
           "train_gate_networks", "unit_ablation", "unit_contributions", "weight_gate_sensitivity"]

#: The four inputs (x1, x2) in the order 00, 01, 10, 11; shape (4, 2), float32.
GATE_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)

#: Truth tables on GATE_INPUTS, and each gate as (constant, weight of h1, weight of h2)
#: for the hand-set hidden units h1 = relu(x1 + x2), h2 = relu(x1 + x2 - 1).
_TABLES = {
    "and": ((0, 0, 0, 1), (0.0, 0.0, 1.0)),
    "or": ((0, 1, 1, 1), (0.0, 1.0, -1.0)),
    "xor": ((0, 1, 1, 0), (0.0, 1.0, -2.0)),
    "nand": ((1, 1, 1, 0), (1.0, 0.0, -1.0)),
    "nor": ((1, 0, 0, 0), (1.0, -1.0, 1.0)),
    "xnor": ((1, 0, 0, 1), (1.0, -1.0, 2.0)),
}
GATE_NAMES = tuple(_TABLES)


def _check_names(names) -> tuple[str, ...]:
    return check_choices("names", names, GATE_NAMES)


def gate_targets(names: Sequence[str] = ("and", "or", "xor")) -> np.ndarray:
    """Truth tables on :data:`GATE_INPUTS`: shape (4, len(names)), float32, 1.0 = true."""
    names = _check_names(names)
    return np.array([_TABLES[n][0] for n in names], dtype=np.float32).T


def hand_set_gate_network(names: Sequence[str] = ("and", "or", "xor")) -> MLP:
    """A 2-2-k ReLU network computing the named gates exactly on {0, 1}^2.

    Hidden layer: ``W1 = [[1, 1], [1, 1]]``, ``b1 = [0, -1]`` (h1 counts the true
    inputs, h2 fires only when both are true).  Output k = ``c_k + a_k*h1 + b_k*h2``.
    Every first-layer weight therefore feeds every gate whose ``a_k`` or ``b_k`` is non-zero.
    """
    names = _check_names(names)
    model = make_mlp(2, [2], len(names), activation="relu", seed=0)
    first, last = model.layers
    with torch.no_grad():
        first.weight.copy_(torch.tensor([[1.0, 1.0], [1.0, 1.0]]))
        first.bias.copy_(torch.tensor([0.0, -1.0]))
        rows = torch.tensor([_TABLES[n][1] for n in names])
        last.weight.copy_(rows[:, 1:])
        last.bias.copy_(rows[:, 0])
    model.eval()
    return model


def _check_model(model) -> MLP:
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an essay_lib.nets.models.MLP, got {type(model).__name__}")
    if model.n_hidden_layers != 1:
        raise ValueError(f"model must have exactly one hidden layer, got {model.n_hidden_layers}")
    return model


def _inputs(X) -> torch.Tensor:
    X = check_array("X", GATE_INPUTS if X is None else X, ndim=2, columns=2, dtype=np.float32)
    return torch.as_tensor(X)


@torch.no_grad()
def unit_contributions(model: MLP, X=None) -> np.ndarray:
    """What each hidden unit adds to each output: shape (n, k, m), float64.

    ``[i, k, j] = W2[k, j] * h_j(X[i])`` (``h`` after the activation), so
    ``contributions.sum(-1) + b2`` is the model's output (k gates, m hidden
    units).  ``X`` defaults to :data:`GATE_INPUTS`.  Evaluation mode (no dropout).
    """
    model = _check_model(model)
    X = _inputs(X)
    _, (hidden,) = mlp_forward(model.layer_parameters(), X, model.activation)
    return (hidden[:, None, :] * model.layers[1].weight[None, :, :]).double().numpy()


@torch.no_grad()
def unit_ablation(model: MLP, targets, X=None) -> np.ndarray:
    """Largest error of each gate when one hidden unit is removed: shape (m + 1, k).

    Row 0 is the intact model; row ``j + 1`` has hidden unit ``j`` set to zero.
    Entry = ``max_i |output_k(X[i]) - targets[i, k]|``; a gate read as
    ``output > 0.5`` is still right on every input when the entry is < 0.5.
    """
    contributions = unit_contributions(model, X)
    targets = check_array("targets", targets, non_empty=False)
    if targets.shape != contributions.shape[:2]:
        raise ValueError(f"targets must have shape {contributions.shape[:2]} (inputs, gates), "
                         f"got {targets.shape}")
    bias = model.layers[-1].bias.detach().double().numpy()
    full = contributions.sum(-1) + bias
    rows = [np.abs(full - targets).max(axis=0)]
    for j in range(contributions.shape[2]):
        rows.append(np.abs(full - contributions[:, :, j] - targets).max(axis=0))
    return np.array(rows)


def gate_accuracy(model: MLP, targets, X=None) -> np.ndarray:
    """Fraction of inputs on which each gate, read as ``output > 0.5``, is right: shape (k,)."""
    model = _check_model(model)
    X = _inputs(X)
    targets = check_array("targets", targets, non_empty=False)
    with torch.no_grad():
        out = model(X).double().numpy()
    if targets.shape != out.shape:
        raise ValueError(f"targets must have shape {out.shape} (inputs, gates), "
                         f"got {targets.shape}")
    return ((out > 0.5) == (targets > 0.5)).mean(axis=0)


def weight_gate_sensitivity(model: MLP, X=None) -> np.ndarray:
    """How much each first-layer weight moves each gate: shape (k, m, 2), float64.

    ``[k, j, i] = mean over X of |d output_k / d W1[j, i]|`` (the weight from
    input i to hidden unit j).  A weight with non-zero entries for several k
    takes part in several gates at once.  For ReLU this equals
    ``|W2[k, j]| * mean(1[pre_j > 0] * |x_i|)``.
    """
    model = _check_model(model)
    X = _inputs(X)
    was_training = model.training
    model.eval()
    first = model.layers[0]
    out = model(X)
    sens = np.zeros((out.shape[1], *first.weight.shape))
    for k in range(out.shape[1]):
        for i in range(len(X)):
            (grad,) = torch.autograd.grad(out[i, k], first.weight, retain_graph=True)
            sens[k] += grad.abs().double().numpy()
    model.train(was_training)
    return sens / len(X)


@torch.no_grad()
def hidden_activations(model: MLP, X=None) -> np.ndarray:
    """Hidden units after the activation: shape (n, m), float64 (``X`` defaults to
    :data:`GATE_INPUTS`; evaluation mode, so no dropout)."""
    model = _check_model(model)
    X = _inputs(X)
    _, (hidden,) = mlp_forward(model.layer_parameters(), X, model.activation)
    return hidden.double().numpy()


def train_gate_network(names: Sequence[str] = ("and", "or", "xor"), width: int = 8, *,
                       seed: int = 0, epochs: int = 500, lr: float = 0.03) -> MLP:
    """A 2-``width``-k ReLU network fitted to the named truth tables.

    Initial weights from ``seed`` (:func:`essay_lib.nets.models.make_mlp`); full-batch
    Adam on the mean squared error between the k outputs and the 0/1 targets of
    :func:`gate_targets` on :data:`GATE_INPUTS`, ``epochs`` steps of learning rate ``lr``.
    Returns the trained model in evaluation mode.
    """
    names = _check_names(names)
    width = check_int("width", width)
    model = make_mlp(2, [width], len(names), seed=seed)
    train_model(model, GATE_INPUTS, gate_targets(names), kind="regression", epochs=epochs,
                lr=lr, seed=seed, eval_every=epochs, progress=False)
    return model


def gate_sharing(model: MLP, targets, *, break_error: float = 0.5,
                 relative_sensitivity: float = 0.05) -> dict:
    """How much the gates of a one-hidden-layer network share units and weights.

    ``targets``: (4, k) truth tables.  A unit *serves* a gate when removing it
    (:func:`unit_ablation`) makes that gate's largest error reach ``break_error``
    (0.5: the gate, read as output > 0.5, is wrong somewhere); a first-layer weight
    *moves* a gate when its :func:`weight_gate_sensitivity` exceeds
    ``relative_sensitivity`` times the network's largest sensitivity (0 counts every
    non-zero one).  Returns ``{"ablation": (m + 1, k), "sensitivity": (k, m, 2),
    "worst_accuracy": lowest gate accuracy in [0, 1], "live_units": units that add
    something to some output, "multi_gate_units": units serving >= 2 gates,
    "multi_gate_weights": first-layer weights moving >= 2 gates}``.
    """
    break_error = check_number("break_error", break_error, minimum=0.0, low_closed=False)
    relative_sensitivity = check_number("relative_sensitivity", relative_sensitivity,
                                        minimum=0.0, maximum=1.0, high_closed=False)
    ablation = unit_ablation(model, targets)
    sens = weight_gate_sensitivity(model)
    live = np.abs(unit_contributions(model)).max(axis=(0, 1)) > 0
    gates_per_weight = (sens > relative_sensitivity * sens.max()).sum(axis=0)
    return {"ablation": ablation, "sensitivity": sens,
            "worst_accuracy": float(gate_accuracy(model, targets).min()),
            "live_units": int(live.sum()),
            "multi_gate_units": int(((ablation[1:] >= break_error).sum(axis=1) >= 2).sum()),
            "multi_gate_weights": int((gates_per_weight >= 2).sum())}


def train_gate_networks(names: Sequence[str] = ("and", "or", "xor"), width: int = 8,
                        seeds: Sequence[int] = (0, 1, 2, 3, 4), *, epochs: int = 500,
                        lr: float = 0.03, progress: bool | None = None) -> list[dict]:
    """:func:`train_gate_network` once per seed, each summarised by :func:`gate_sharing`.

    Returns one dict per seed, in the order of ``seeds``: ``{"seed", "model", **gate_sharing}``
    (default thresholds).  ``progress``: a bar over the seeds (``None``: see
    :mod:`essay_lib.util.progress`).
    """
    names = _check_names(names)
    seeds = check_int_sequence("seeds", seeds, minimum=0)
    targets = gate_targets(names)
    summaries = []
    for seed in progress_bar(seeds, enabled=progress, desc="gate networks"):
        model = train_gate_network(names, width, seed=seed, epochs=epochs, lr=lr)
        summaries.append({"seed": seed, "model": model, **gate_sharing(model, targets)})
    return summaries
