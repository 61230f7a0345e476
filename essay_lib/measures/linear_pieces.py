"""Linear pieces of ReLU networks along a segment (Hanin & Rolnick 2019), exact in float64.

Re-exported by :mod:`essay_lib.measures.linearity`; kept apart so each module reads in one sitting.

* :func:`linear_piece_breakpoints`, :func:`count_linear_pieces`, :func:`kink_points`: the
  kinks of a network's output along a segment;
* :func:`first_layer_kinks`: where each first-layer unit of a 1-input network switches;
* :func:`pieces_against_width`: pieces before and after training, over widths and seeds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from essay_lib.nets.engine import ACTIVATIONS, mlp_forward
from essay_lib.nets.models import MLP, make_mlp
from essay_lib.nets.training import score, train_model
from essay_lib.util.checks import (
    check_array,
    check_int,
    check_int_sequence,
    check_number,
    check_same_length,
)
from essay_lib.util.progress import progress_bar

__all__ = ["count_linear_pieces", "first_layer_kinks", "kink_points", "linear_piece_breakpoints",
           "pieces_against_width"]


def _relu_layers(model) -> tuple[list[tuple[torch.Tensor, torch.Tensor]], str]:
    """The engine's float64 layers [(W (in, out), b (out,))] and activation (``"relu"`` or
    ``"identity"``) of a ReLU MLP, or of an nn.Sequential of Linear layers with one ReLU
    between each two (Dropout and Identity layers are skipped: evaluation mode)."""
    if isinstance(model, MLP):
        if model.activation not in ("relu", "identity"):
            raise ValueError(f"model must use ReLU (or identity) activations, "
                             f"got activation {model.activation!r}")
        linears, activation = list(model.layers), model.activation
    elif isinstance(model, nn.Sequential):
        kinds = []
        for module in model:
            if isinstance(module, (nn.Linear, nn.ReLU)):
                kinds.append(module)
            elif not isinstance(module, (nn.Dropout, nn.Identity)):
                raise TypeError(f"model may contain only Linear, ReLU, Dropout and Identity "
                                f"layers, got {type(module).__name__}")
        linears = [m for m in kinds if isinstance(m, nn.Linear)]
        pattern = ["relu" if isinstance(m, nn.ReLU) else "linear" for m in kinds]
        if pattern == ["linear"] * len(linears):
            activation = "identity"
        elif pattern == ["linear", "relu"] * (len(linears) - 1) + ["linear"]:
            activation = "relu"
        else:
            raise TypeError("model must alternate Linear and ReLU layers, starting and ending "
                            "with a Linear layer")
    else:
        raise TypeError(f"model must be an essay_lib.nets.models.MLP or an nn.Sequential of "
                        f"Linear/ReLU layers, got {type(model).__name__}")
    layers = []
    for linear in linears:
        W = linear.weight.detach().cpu().double()
        b = (linear.bias.detach().cpu().double() if linear.bias is not None
             else torch.zeros(len(W), dtype=torch.float64))
        layers.append((W.T, b))
    return layers, activation


def linear_piece_breakpoints(model, start, end, *, merge_collinear: bool = True,
                             rtol: float = 1e-9) -> np.ndarray:
    """Positions t in (0, 1) where a ReLU net's output kinks along x(t) = start + t·(end − start).

    Exact (float64), layer by layer: on each interval where the earlier layers'
    activation pattern is fixed, a pre-activation is affine in t, so its zeros
    are found by linear interpolation between the interval's ends.  With
    ``merge_collinear`` (default) neighbouring pieces whose output slopes agree
    to ``rtol`` (relative to the largest slope) are merged: the result marks the
    function's kinks.  Without it, the result marks every activation-region
    boundary (Hanin & Rolnick's count), including switches that leave the
    output unchanged.  start, end: (d,) points.  Returns a sorted array of t.
    """
    layers, activation = _relu_layers(model)
    d = layers[0][0].shape[0]
    start, end = (_segment_end(name, value, d) for name, value in (("start", start), ("end", end)))
    if np.array_equal(start, end):
        raise ValueError("start and end must differ (the segment has zero length)")
    direction = end - start
    ts = np.array([0.0, 1.0])
    n_switching = len(layers) - 1 if activation == "relu" else 0
    for n_relu in range(n_switching):
        z = _pre_activations(layers, activation, start + ts[:, None] * direction, n_relu)
        z0, z1 = z[:-1], z[1:]
        cross = (z0 * z1) < 0
        frac = z0[cross] / (z0[cross] - z1[cross])
        rows = np.nonzero(cross)[0]
        new = ts[rows] + frac * (ts[rows + 1] - ts[rows])
        ts = np.unique(np.concatenate([ts, new]))
        ts = ts[np.concatenate([[True], np.diff(ts) > 1e-13])]  # twin roots from float rounding
    if merge_collinear and len(ts) > 2:
        mids = 0.5 * (ts[:-1] + ts[1:])
        slopes = _slopes(layers, activation, start + mids[:, None] * direction, direction)
        jump = np.linalg.norm(np.diff(slopes, axis=0), axis=1)
        tol = rtol * max(np.linalg.norm(slopes, axis=1).max(), np.finfo(float).tiny)
        return ts[1:-1][jump > tol]
    return ts[1:-1]


def _segment_end(name: str, value, d: int) -> np.ndarray:
    x = np.asarray(value, dtype=np.float64)
    if x.shape != (d,):
        raise ValueError(f"{name} must be a point of shape ({d},) (the model's input), "
                         f"got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def count_linear_pieces(model, start, end, *, merge_collinear: bool = True) -> int:
    """Number of linear pieces of a ReLU network's output along the segment start → end.

    = ``len(linear_piece_breakpoints(model, start, end, ...)) + 1``; exact in
    float64.  1 when no unit switches on the segment (or no switch changes the
    output slope, with ``merge_collinear``).
    """
    return len(linear_piece_breakpoints(model, start, end, merge_collinear=merge_collinear)) + 1


@torch.no_grad()
def _pre_activations(layers, activation: str, x: np.ndarray, hidden_layer: int) -> np.ndarray:
    """Pre-activations (n, width) of ``hidden_layer`` at the rows of ``x`` (n, d)."""
    return mlp_forward(layers, torch.as_tensor(x), activation, stop=hidden_layer)[0].numpy()


@torch.no_grad()
def _slopes(layers, activation: str, x: np.ndarray, tangent: np.ndarray) -> np.ndarray:
    """d output / dt along x + t·``tangent`` at the rows of ``x`` (n, d): (n, k)."""
    _, hidden = mlp_forward(layers, torch.as_tensor(x), activation)
    derivative = ACTIVATIONS[activation].derivative
    dx = torch.as_tensor(np.broadcast_to(tangent, x.shape).copy())
    for (w, _), h in zip(layers, [*hidden, None], strict=True):
        dx = dx @ w
        if h is not None:
            dx = dx * derivative(h)
    return dx.numpy()


def kink_points(model, start, end, *, merge_collinear: bool = True) -> np.ndarray:
    """The kinks of :func:`linear_piece_breakpoints` as input points: shape (m, d), float64.

    Row i is ``start + t_i * (end - start)``; for a 1-input model, ``[:, 0]`` are the
    x positions of the kinks, sorted from ``start`` towards ``end``.
    """
    t = linear_piece_breakpoints(model, start, end, merge_collinear=merge_collinear)
    start = np.asarray(start, dtype=np.float64)
    return start[None, :] + t[:, None] * (np.asarray(end, dtype=np.float64) - start)[None, :]


@torch.no_grad()
def first_layer_kinks(model: MLP) -> np.ndarray:
    """Where each first-layer unit of a 1-input network switches: ``x_j = -b_j / w_j``, (m,).

    Computed in the model's precision (float32), returned as float64; a unit with
    ``w_j = 0`` never switches (±inf, or nan when ``b_j = 0`` too).
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an essay_lib.nets.models.MLP, got {type(model).__name__}")
    if model.widths[0] != 1:
        raise ValueError(f"model must have exactly one input, got {model.widths[0]}")
    first = model.layers[0]
    return (-(first.bias / first.weight[:, 0])).double().numpy()


def pieces_against_width(X_train, y_train, X_test, y_test, widths: Sequence[int],
                         seeds: Sequence[int], *, epochs: int = 500, lr: float = 1e-2,
                         start=(-1.0,), end=(1.0,), progress: bool | None = None) -> dict:
    """Linear pieces of one-hidden-layer ReLU regressors, before and after training.

    For each width and seed: :func:`essay_lib.nets.models.make_mlp` (d inputs from
    ``X_train`` (n, d), one hidden layer, outputs from ``y_train`` (n, k)), pieces on the
    segment ``start`` -> ``end`` (:func:`count_linear_pieces`), full-batch Adam for
    ``epochs`` steps of rate ``lr`` (seeded by the same seed), pieces again and the test
    MSE.  Returns ``{"widths": (W,), "seeds": (S,), "initial": (W, S) int,
    "trained": (W, S) int, "test_mse": (W, S), "kink_inside": (W, S)}``, where
    ``kink_inside`` is the share of first-layer units whose kink (:func:`first_layer_kinks`)
    lies strictly inside the segment at initialisation (nan for d > 1).
    """
    widths = check_int_sequence("widths", widths, minimum=1)
    seeds = check_int_sequence("seeds", seeds, minimum=0)
    epochs = check_int("epochs", epochs)
    lr = check_number("lr", lr, minimum=0.0, low_closed=False)
    X_train = check_array("X_train", X_train, ndim=2)
    y_train = check_array("y_train", y_train, ndim=2)
    X_test = check_array("X_test", X_test, ndim=2)
    y_test = check_array("y_test", y_test, ndim=2)
    for name, train, test in (("X", X_train, X_test), ("y", y_train, y_test)):
        if train.shape[1] != test.shape[1]:
            raise ValueError(f"{name}_train and {name}_test must have the same number of "
                             f"columns, got {train.shape[1]} and {test.shape[1]}")
    check_same_length(("X_train", X_train), ("y_train", y_train), what="number of rows")
    check_same_length(("X_test", X_test), ("y_test", y_test), what="number of rows")
    n_inputs, n_outputs = X_train.shape[1], y_train.shape[1]
    for name, point in (("start", start), ("end", end)):
        _segment_end(name, point, n_inputs)
    low, high = sorted((float(np.ravel(start)[0]), float(np.ravel(end)[0])))
    shape = (len(widths), len(seeds))
    out = {"widths": np.array(widths), "seeds": np.array(seeds), "initial": np.zeros(shape, int),
           "trained": np.zeros(shape, int), "test_mse": np.zeros(shape),
           "kink_inside": np.full(shape, np.nan)}
    cells = [(i, j) for i in range(len(widths)) for j in range(len(seeds))]
    for i, j in progress_bar(cells, enabled=progress, desc="pieces against width"):
        net = make_mlp(n_inputs, [widths[i]], n_outputs, seed=seeds[j])
        out["initial"][i, j] = count_linear_pieces(net, start, end)
        if n_inputs == 1:
            kinks = first_layer_kinks(net)
            out["kink_inside"][i, j] = np.mean((kinks > low) & (kinks < high))
        train_model(net, X_train, y_train, kind="regression", epochs=epochs, lr=lr,
                    seed=seeds[j], eval_every=epochs, progress=False)
        out["trained"][i, j] = count_linear_pieces(net, start, end)
        out["test_mse"][i, j] = score(net, X_test, y_test, kind="regression")["loss"]
    return out
