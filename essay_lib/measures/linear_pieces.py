"""Linear pieces of ReLU networks along a segment (Hanin & Rolnick 2019), exact in float64.

Re-exported by :mod:`essay_lib.linearity`; kept apart so each module reads in one sitting.
"""

from __future__ import annotations

import numpy as np
from torch import nn

from essay_lib.nets.models import MLP


def _relu_ops(model) -> list:
    """[("linear", W, b) | ("relu",)] in float64 numpy, for a ReLU MLP or nn.Sequential."""
    if isinstance(model, MLP):
        if model.activation not in ("relu", "identity"):
            raise ValueError(f"model must use ReLU (or identity) activations, "
                             f"got activation {model.activation!r}")
        modules = []
        for layer in model.layers[:-1]:
            modules += [layer, nn.ReLU() if model.activation == "relu" else nn.Identity()]
        modules.append(model.layers[-1])
    elif isinstance(model, nn.Sequential):
        modules = list(model)
    else:
        raise TypeError(f"model must be an essay_lib.models.MLP or an nn.Sequential of "
                        f"Linear/ReLU layers, got {type(model).__name__}")
    ops = []
    for module in modules:
        if isinstance(module, nn.Linear):
            W = module.weight.detach().cpu().double().numpy()
            b = (module.bias.detach().cpu().double().numpy() if module.bias is not None
                 else np.zeros(len(W)))
            ops.append(("linear", W, b))
        elif isinstance(module, nn.ReLU):
            ops.append(("relu",))
        elif not isinstance(module, (nn.Dropout, nn.Identity)):
            raise TypeError(f"model may contain only Linear, ReLU, Dropout and Identity layers, "
                            f"got {type(module).__name__}")
    return ops


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
    ops = _relu_ops(model)
    d = ops[0][1].shape[1]
    start, end = (_segment_end(name, value, d) for name, value in (("start", start), ("end", end)))
    if np.array_equal(start, end):
        raise ValueError("start and end must differ (the segment has zero length)")
    direction = end - start
    ts = np.array([0.0, 1.0])
    for n_relu in range(sum(op[0] == "relu" for op in ops)):
        z = _forward(ops, start + ts[:, None] * direction, stop_at_relu=n_relu)
        z0, z1 = z[:-1], z[1:]
        cross = (z0 * z1) < 0
        frac = z0[cross] / (z0[cross] - z1[cross])
        rows = np.nonzero(cross)[0]
        new = ts[rows] + frac * (ts[rows + 1] - ts[rows])
        ts = np.unique(np.concatenate([ts, new]))
        ts = ts[np.concatenate([[True], np.diff(ts) > 1e-13])]  # twin roots from float rounding
    if merge_collinear and len(ts) > 2:
        mids = 0.5 * (ts[:-1] + ts[1:])
        slopes = _forward(ops, start + mids[:, None] * direction, tangent=direction)
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


def _forward(ops, x: np.ndarray, *, stop_at_relu: int | None = None, tangent=None):
    """Pre-activations at the ``stop_at_relu``-th ReLU, or d output / dt along ``tangent``."""
    dx = None if tangent is None else np.broadcast_to(tangent, x.shape)
    seen = 0
    for op in ops:
        if op[0] == "linear":
            x = x @ op[1].T + op[2]
            dx = None if dx is None else dx @ op[1].T
        else:
            if seen == stop_at_relu:
                return x
            seen += 1
            active = x > 0
            x = np.where(active, x, 0.0)
            dx = None if dx is None else np.where(active, dx, 0.0)
    return dx if tangent is not None else x
