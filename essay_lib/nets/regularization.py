"""L1 and L2 weight penalties and the weight statistics they change.

Conventions: penalties cover the *weights* of linear layers (tensors with two
or more dimensions), not biases, as is usual; ``coefficient * sum |w|`` (L1) and
``coefficient * sum w**2`` (L2) are added to the mean data loss.  "Weights" may be
a module (its ``weight`` parameters are used) or an iterable of tensors/arrays.

The same penalties on a 2-D quadratic bowl (the constraint picture) and on linear models
(lasso and ridge paths) are computed in :mod:`essay_lib.measures.penalty_geometry`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import torch
from torch import nn

from essay_lib.util.checks import check_number


def weight_tensors(model_or_weights) -> list[torch.Tensor]:
    """The weight matrices of ``model_or_weights``.

    A module gives its parameters with ``dim >= 2`` (linear weights, not biases);
    a tensor/array or an iterable of them is taken as is (numpy converted to torch).
    """
    if isinstance(model_or_weights, nn.Module):
        tensors = [p for p in model_or_weights.parameters() if p.dim() >= 2]
    elif isinstance(model_or_weights, (torch.Tensor, np.ndarray)):
        tensors = [model_or_weights]
    elif isinstance(model_or_weights, Iterable) and not isinstance(model_or_weights, (str, bytes)):
        tensors = list(model_or_weights)
    else:
        raise TypeError("model_or_weights must be an nn.Module, a tensor/array or an iterable of "
                        f"them, got {type(model_or_weights).__name__}")
    out = []
    for i, t in enumerate(tensors):
        if isinstance(t, np.ndarray):
            t = torch.from_numpy(t)
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"weights[{i}] must be a tensor or array, got {type(t).__name__}")
        if not torch.isfinite(t.detach()).all():
            raise ValueError(f"weights[{i}] contains NaN or infinite values")
        out.append(t)
    if not out:
        raise ValueError("model_or_weights holds no weight tensors")
    return out


def _check_coefficient(coefficient) -> float:
    return check_number("coefficient", coefficient, minimum=0.0)


def l1_penalty(model_or_weights, coefficient: float = 1.0) -> torch.Tensor:
    """``coefficient * sum_i |w_i|`` over all weights (a differentiable scalar tensor)."""
    coefficient = _check_coefficient(coefficient)
    return coefficient * sum(t.abs().sum() for t in weight_tensors(model_or_weights))


def l2_penalty(model_or_weights, coefficient: float = 1.0) -> torch.Tensor:
    """``coefficient * sum_i w_i**2`` over all weights (a differentiable scalar tensor)."""
    coefficient = _check_coefficient(coefficient)
    return coefficient * sum(t.pow(2).sum() for t in weight_tensors(model_or_weights))


def weight_sparsity(model_or_weights, threshold: float = 1e-3) -> float:
    """Fraction of weights with ``|w| < threshold`` (in [0, 1]); ``threshold`` > 0."""
    check_number("threshold", threshold, minimum=0.0, low_closed=False)
    tensors = weight_tensors(model_or_weights)
    small = sum(int((t.detach().abs() < threshold).sum()) for t in tensors)
    total = sum(t.numel() for t in tensors)
    return small / total


def weight_norm(model_or_weights) -> float:
    """Euclidean (L2) norm of all weights taken together: ``sqrt(sum_i w_i**2)``."""
    tensors = weight_tensors(model_or_weights)
    return float(torch.sqrt(sum(t.detach().double().pow(2).sum() for t in tensors)))


def flat_weights(model_or_weights) -> np.ndarray:
    """All weights as one float64 numpy vector (for histograms)."""
    return np.concatenate([t.detach().cpu().double().numpy().ravel()
                           for t in weight_tensors(model_or_weights)])
