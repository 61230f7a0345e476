"""The data losses, their gradient for the hand-written backward pass, and R²: one home.

* :func:`data_loss`: mean squared error (regression) or mean cross-entropy on logits
  (classification), for one network's outputs (n, k) or K members' (K, n, k), against
  labels (n,) / (K, n) int, or float targets (n, k) / (K, n, k) (values, or one-hot and
  mixed one-hot rows for classification);
* :func:`loss_gradient`: d(mean loss)/d(outputs) of each member, (K, n, k);
* :func:`r2_score`: 1 − Σ‖y − ŷ‖² / Σ‖y − ȳ‖², pooled over outputs, per member.

One network's losses go through ``F.mse_loss`` / ``F.cross_entropy`` (what one-model
training has always used, so its numbers stay bit for bit); K members' through the
batched formulas, which equal them to float rounding (tested).
"""

from __future__ import annotations

import numpy as np
import torch
from torch.nn import functional as F

KINDS = ("regression", "classification")


def check_kind(kind: str) -> str:
    """``kind`` if it is one of :data:`KINDS`, else ``ValueError`` naming the choices."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    return kind


def data_loss(output: torch.Tensor, target: torch.Tensor, kind: str) -> torch.Tensor:
    """Mean data loss: a scalar for outputs (n, k), one per member (K,) for (K, n, k).

    ``target``: regression values of the outputs' shape (or (n, k) shared by members);
    classification labels (n,) / (K, n) int, or soft targets (rows of one-hot vectors,
    possibly mixed) of the outputs' shape.
    """
    check_kind(kind)
    if output.dim() == 2:
        if kind == "regression":
            return F.mse_loss(output, target)
        return F.cross_entropy(output, target)
    if kind == "regression":
        return ((output - target) ** 2).mean(dim=(1, 2))
    logp = torch.log_softmax(output, dim=-1)
    if target.is_floating_point():
        return -(target * logp).sum(dim=-1).mean(dim=1)
    labels = target.expand(output.shape[:2]) if target.dim() == 1 else target
    return -logp.gather(2, labels.unsqueeze(-1)).squeeze(-1).mean(dim=1)


def loss_gradient(output: torch.Tensor, target: torch.Tensor, kind: str) -> torch.Tensor:
    """∂ :func:`data_loss` / ∂ output for each member: (K, n, k) from outputs (K, n, k) and
    float targets of the same shape (regression values, or (mixed) one-hot rows).

    Regression: 2 (z − y) / (n k); classification: (softmax(z) − y) / n.
    """
    rows = output.shape[-2]
    if check_kind(kind) == "regression":
        return (output - target).mul_(2.0 / (rows * output.shape[-1]))
    return torch.softmax(output, dim=-1).sub_(target).mul_(1.0 / rows)


def r2_score(y, prediction):
    """R² = 1 − Σ‖y − ŷ‖² / Σ‖y − ȳ‖² over the rows (axis −2) and outputs (axis −1).

    ``y`` (n, k); ``prediction`` (n, k) or (K, n, k); numpy arrays or torch tensors (the
    result is of the same kind: a float for one network, (K,) for K members).  NaN
    when ``y`` is constant (R² is undefined there).
    """
    total = ((y - y.mean(axis=0)) ** 2).sum()
    residual = ((prediction - y) ** 2).sum(axis=(-2, -1))
    if isinstance(residual, torch.Tensor):
        return 1 - residual / total if total > 0 else torch.full_like(residual, float("nan"))
    value = 1.0 - residual / total if total > 0 else np.full(np.shape(residual), np.nan)
    return float(value) if np.ndim(value) == 0 else value
