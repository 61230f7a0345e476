"""Dropout's explicit penalty: what dropout on the last hidden layer adds to the loss on average.

Conventions: ``p`` is a **drop rate** (the probability of dropping a unit; the keep
probability is 1 − p); dropout is *inverted* (a kept unit is scaled by 1 / (1 − p)), so
the weight-scaled network f is the plain network.  ``hidden``: the last hidden layer's
activations h, (n, J) for one network or (K, n, J) for K members; ``readout``: the
read-out weights V in the engine's (in, out) layout, (J, k) or (K, J, k), so that
``f = h V + b``; ``logits``: f itself, (n, k) or (K, n, k).  ``drop_rate``: a number, or
one per member (a sequence or tensor of K).  Each function returns the mean over the
rows: a scalar for one network, (K,) for K members, to be *added* to the mean data loss
(:func:`essay_lib.nets.losses.data_loss`).

**Regression (exact).**  With masks m_j ~ Bernoulli(1 − p) on the last hidden layer, the
output is f̃_k = Σ_j v_jk h_j m_j / (1 − p) + b_k, whose mean is f_k and whose variance is
Σ_j v_jk² h_j² Var(m_j / (1 − p)) = (p / (1 − p)) Σ_j v_jk² h_j² (the m_j independent).
So E_m[(y_k − f̃_k)²] = (y_k − f_k)² + (p / (1 − p)) Σ_j v_jk² h_j², and the mean squared
error over k outputs (the engine's MSE is a mean over rows *and* outputs) is, averaged
over the masks, exactly

    MSE(f) + (p / (1 − p)) · mean over rows of (1/k) Σ_k Σ_j v_jk² h_j(x)²

(:func:`regression_dropout_penalty`).  Gaussian multiplicative noise ξ ~ N(1, p / (1 − p))
has the same mean and variance, so the same identity holds for it.

**Classification (second order; Wager, Wang & Liang 2013).**  Cross-entropy on logits is
ℓ(θ) = −yᵀθ + A(θ), A(θ) = log Σ_k exp θ_k, with ∇²A = diag(π) − ππᵀ, π = softmax(θ).
The noisy logits are θ̃ = f + δ with E δ = 0 and Cov(δ) = (p / (1 − p)) Σ_j h_j² v_j v_jᵀ
(v_j the j-th row of V: unit j's weights to the k outputs).  Expanding A to second order
around f, E ℓ(θ̃) ≈ ℓ(f) + ½ tr(∇²A(f) Cov δ), that is

    CE(f) + (p / (1 − p)) · mean over rows of ½ Σ_j h_j² v_jᵀ (diag(π) − ππᵀ) v_j
          = ... ½ Σ_j h_j² [Σ_k π_k v_jk² − (Σ_k π_k v_jk)²]

(:func:`classification_dropout_penalty`; the bracket is the variance of v_j· under π, so
the penalty is >= 0).  It is an **approximation**: the higher cumulants of δ are dropped.
For Gaussian noise they vanish and the neglected terms are O(p²), so the approximation
becomes exact relative to the penalty as p → 0.  For Bernoulli masks every cumulant of
δ is O(p) (the third is about −p Σ_j (h_j v_j)³), so the relative error does not vanish
with p; it is small when each unit's contribution h_j v_j is small (many units).  π is a
function of the parameters and is differentiated through, as in Wager et al.
"""

from __future__ import annotations

import torch

__all__ = ["classification_dropout_penalty", "dropout_penalty", "penalty_factor",
           "regression_dropout_penalty"]


def penalty_factor(drop_rate, like: torch.Tensor) -> torch.Tensor:
    """p / (1 − p) as a tensor of ``like``'s dtype and device: a scalar, or (K,) for one
    drop rate per member.  ``ValueError`` naming ``drop_rate`` outside [0, 1)."""
    p = torch.as_tensor(drop_rate, dtype=torch.float64)
    if p.dim() > 1 or not bool(((p >= 0) & (p < 1)).all()):
        raise ValueError(f"drop_rate must be a drop probability in [0, 1) (or one per "
                         f"member), got {drop_rate!r}")
    return (p / (1 - p)).to(dtype=like.dtype, device=like.device)


def _check(hidden: torch.Tensor, readout: torch.Tensor) -> None:
    if hidden.dim() not in (2, 3) or readout.dim() != hidden.dim():
        raise ValueError(f"hidden (n, J) / (K, n, J) and readout (J, k) / (K, J, k) must have "
                         f"matching ranks, got {tuple(hidden.shape)} and {tuple(readout.shape)}")
    if hidden.shape[-1] != readout.shape[-2]:
        raise ValueError(f"hidden has {hidden.shape[-1]} units but readout has "
                         f"{readout.shape[-2]} rows")


def regression_dropout_penalty(hidden: torch.Tensor, readout: torch.Tensor,
                               drop_rate) -> torch.Tensor:
    """(p / (1 − p)) · mean over rows of (1/k) Σ_k Σ_j v_jk² h_j²: the exact excess of the
    mask-averaged MSE over the weight-scaled network's MSE (see the module docstring)."""
    _check(hidden, readout)
    per_unit = (readout * readout).sum(dim=-1, keepdim=True) / readout.shape[-1]  # (..., J, 1)
    rows = torch.matmul(hidden * hidden, per_unit).squeeze(-1)  # (..., n)
    return penalty_factor(drop_rate, rows) * rows.mean(dim=-1)


def classification_dropout_penalty(hidden: torch.Tensor, readout: torch.Tensor,
                                   logits: torch.Tensor, drop_rate) -> torch.Tensor:
    """(p / (1 − p)) · mean over rows of ½ Σ_j h_j² v_jᵀ (diag(π) − ππᵀ) v_j, π =
    softmax(logits): Wager et al.'s second-order approximation of the excess of the
    mask-averaged cross-entropy (see the module docstring)."""
    _check(hidden, readout)
    pi = torch.softmax(logits, dim=-1)  # (..., n, k)
    h2 = hidden * hidden
    first = (torch.matmul(h2, readout * readout) * pi).sum(dim=-1)  # Σ_j h_j² Σ_k π_k v_jk²
    mean_v = torch.matmul(pi, readout.transpose(-1, -2))  # (..., n, J): Σ_k π_k v_jk
    second = (h2 * mean_v * mean_v).sum(dim=-1)
    return penalty_factor(drop_rate, first) * (0.5 * (first - second)).mean(dim=-1)


def dropout_penalty(hidden: torch.Tensor, readout: torch.Tensor, logits: torch.Tensor,
                    drop_rate, kind: str) -> torch.Tensor:
    """The penalty of ``kind`` (``"regression"``: exact; ``"classification"``: second
    order), mean over rows, for one network or (K,) for K members."""
    if kind == "regression":
        return regression_dropout_penalty(hidden, readout, drop_rate)
    if kind == "classification":
        return classification_dropout_penalty(hidden, readout, logits, drop_rate)
    raise ValueError(f"kind must be one of ('regression', 'classification'), got {kind!r}")
