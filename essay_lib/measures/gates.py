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
  which gates each first-layer weight moves.

Works on the :class:`essay_lib.models.MLP` of :func:`essay_lib.models.make_mlp`
with one hidden layer (outputs are gate values, read as true when > 0.5).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from essay_lib.nets.models import ACTIVATIONS, MLP, make_mlp

__all__ = ["GATE_INPUTS", "GATE_NAMES", "gate_accuracy", "gate_targets", "hand_set_gate_network",
           "unit_ablation", "unit_contributions", "weight_gate_sensitivity"]

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
    if isinstance(names, str) or not isinstance(names, Sequence):
        raise TypeError(f"names must be a sequence of gate names from {GATE_NAMES}, got {names!r}")
    if len(names) == 0:
        raise ValueError("names must hold at least one gate name, got an empty sequence")
    for name in names:
        if name not in _TABLES:
            raise ValueError(f"names must be gate names from {GATE_NAMES}, got {name!r}")
    return tuple(names)


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
        raise TypeError(f"model must be an essay_lib.models.MLP, got {type(model).__name__}")
    if model.n_hidden_layers != 1:
        raise ValueError(f"model must have exactly one hidden layer, got {model.n_hidden_layers}")
    return model


def _inputs(X) -> torch.Tensor:
    X = np.asarray(GATE_INPUTS if X is None else X, dtype=np.float32)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
        raise ValueError(f"X must have shape (n, 2) with n >= 1, got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite values")
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
    first, last = model.layers
    hidden = ACTIVATIONS[model.activation](first(X))
    return (hidden[:, None, :] * last.weight[None, :, :]).double().numpy()


@torch.no_grad()
def unit_ablation(model: MLP, targets, X=None) -> np.ndarray:
    """Largest error of each gate when one hidden unit is removed: shape (m + 1, k).

    Row 0 is the intact model; row ``j + 1`` has hidden unit ``j`` set to zero.
    Entry = ``max_i |output_k(X[i]) - targets[i, k]|``; a gate read as
    ``output > 0.5`` is still right on every input when the entry is < 0.5.
    """
    contributions = unit_contributions(model, X)
    targets = np.asarray(targets, dtype=np.float64)
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
    targets = np.asarray(targets)
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
