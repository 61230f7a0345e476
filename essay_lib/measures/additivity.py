"""The additivity defect D and the ratio Z = ‖D‖ / (‖u‖ + ‖v‖ + ‖w‖): one home (DESIGN.md §3).

For four evaluations of a function, f0 = f(x0), fa = f(x0 + a), fb = f(x0 + b) and
fab = f(x0 + a + b) (in input space), or f(x; C), f(x; C∪A), f(x; C∪B), f(x; C∪A∪B) (in
mask space, :mod:`essay_lib.measures.subnetworks`)::

    u = fa − f0,   v = fb − f0,   w = fab − f0
    D = w − u − v = (fab − fa) − (fb − f0)

:func:`defect_parts` returns ‖D‖ and ‖u‖ + ‖v‖ + ‖w‖ per triple; :func:`ratio` is the
per-triple Z and :func:`ratio_of_sums` the dataset-level Z̄ = Σ‖D‖ / Σ(‖u‖+‖v‖+‖w‖).
Both define 0/0 as 0 (a constant function is linear) and clip at 1 (the triangle
inequality up to rounding).  Every function takes numpy arrays or torch tensors and
returns the same kind; norms are Euclidean over the last axis (the outputs).
"""

from __future__ import annotations

import numpy as np
import torch

_TINY = 1e-300


def norm(Y):
    """Euclidean norm over the last axis: (..., k) -> (...)."""
    if isinstance(Y, torch.Tensor):
        return Y.norm(dim=-1)
    return np.sqrt(np.einsum("...j,...j->...", Y, Y))


def defect(f0, fa, fb, fab):
    """D = (fab − fa) − (fb − f0), the mixed second difference: (..., k)."""
    return (fab - fa) - (fb - f0)


def defect_parts(f0, fa, fb, fab):
    """(‖D‖, ‖u‖ + ‖v‖ + ‖w‖) per triple, each (...,), from four evaluations (..., k)."""
    return norm(defect(f0, fa, fb, fab)), norm(fa - f0) + norm(fb - f0) + norm(fab - f0)


def ratio(num, den):
    """``num / den`` element by element with 0/0 := 0, clipped to [0, 1]: the per-triple Z."""
    if isinstance(num, torch.Tensor):
        return torch.where(den > 0, num / den.clamp_min(_TINY), torch.zeros_like(num)
                           ).clamp(max=1.0)
    safe = np.where(den > 0, den, 1.0)
    return np.where(den > 0, np.minimum(num / safe, 1.0), 0.0)


def ratio_of_sums(num, den, axis: int = -1):
    """Σ num / Σ den along ``axis`` with 0/0 := 0, clipped to [0, 1]: Z̄ from the per-triple
    parts of :func:`defect_parts`.  A float for 1-D numpy input."""
    if isinstance(num, torch.Tensor):
        return ratio(num.sum(dim=axis), den.sum(dim=axis))
    value = ratio(np.sum(num, axis=axis), np.sum(den, axis=axis))
    return float(value) if np.ndim(value) == 0 else value
