"""The batched engine's optimizer: one update of K members' flat parameter buffer.

Every batched model (:class:`~essay_lib.nets.ensemble.BatchedMLP` and the stacked models
of :mod:`essay_lib.nets.stacked`) keeps the K members' parameters in one flat float32
buffer; the gradient of each member's own loss fills a buffer of the same layout.
:class:`FlatOptimizer` then applies, in this order:

* the penalties ``l1 * sum|w| + l2 * sum w**2`` (gradients ``l1 sign(w)``, ``2 l2 w``),
  per member, on the weights (not the biases), as :mod:`essay_lib.nets.regularization`;
* decoupled weight decay ``w <- w (1 - lr * weight_decay)`` on the weights (not the
  biases), per member (Loshchilov & Hutter's AdamW with ``"adam"``/``"adamw"``;
  with ``"sgd"`` the decay is applied outside the momentum buffer);
* the update: Adam (PyTorch's defaults: betas 0.9, 0.999, eps 1e-8; ``"adamw"`` is the
  same update, the decay being each member's ``weight_decay``) or SGD with
  ``momentum`` (PyTorch's form: ``buf <- momentum * buf + g``, ``p <- p - lr * buf``,
  no dampening, no Nesterov; ``momentum=0`` is plain SGD).

Adam, SGD and momentum are element-wise, so one update of the stacked buffer is K
independent updates.  With one learning rate for all members the update is
``torch.optim.Adam``/``torch.optim.SGD`` on the flat buffer (``fused=True`` where the
device supports it, else PyTorch's default implementation: public APIs only, no
private kernels).  Members with different learning rates need a per-element rate,
which ``torch.optim`` does not take: then the same formulas run as tensor operations
(``manual=True`` forces that path; tests check that both agree).
"""

from __future__ import annotations

import math

import torch

BETA1, BETA2, EPS = 0.9, 0.999, 1e-8
OPTIMIZERS = ("adam", "sgd", "adamw")

FUSED: dict[str, bool] = {}


def fused_adam_available(device: torch.device) -> bool:
    """Whether ``torch.optim.Adam(..., fused=True)`` steps on ``device`` (checked once)."""
    if device.type not in FUSED:
        try:
            p = torch.zeros(4, device=device)
            p.grad = torch.ones(4, device=device)
            torch.optim.Adam([p], lr=0.1, fused=True).step()
            FUSED[device.type] = True
        except (RuntimeError, TypeError, ValueError, NotImplementedError):
            FUSED[device.type] = False
    return FUSED[device.type]


class FlatOptimizer:
    """Optimizer state of one batched run over ``flat`` with gradient buffer ``grad``.

    ``weights``/``grad_weights``: views (K, ...) of the weight tensors in ``flat`` and
    ``grad`` (penalties and decay act on them); ``blocks``: ``(offset, size)`` of every
    parameter tensor in ``flat``, each K-major (member k owns the k-th ``size // K``
    elements); ``members``: the :class:`~essay_lib.nets.ensemble.Member` s (``lr``,
    ``l1``, ``l2``, ``weight_decay``).
    """

    def __init__(self, flat, grad, weights, grad_weights, blocks, members, optimizer: str,
                 momentum: float = 0.0, *, manual: bool = False):
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
        K, dev = len(members), flat.device
        self.flat, self.grad, self.weights, self.grad_weights = flat, grad, weights, grad_weights
        self.optimizer, self.momentum, self.t = optimizer, float(momentum), 0

        def col(values):
            return torch.tensor(values, dtype=torch.float32, device=dev).view(K, 1, 1)

        self.l1 = col([m.l1 for m in members]) if any(m.l1 > 0 for m in members) else None
        self.l2 = col([2 * m.l2 for m in members]) if any(m.l2 > 0 for m in members) else None
        self.decay = (col([1 - m.lr * m.weight_decay for m in members])
                      if any(m.weight_decay > 0 for m in members) else None)
        lrs = {m.lr for m in members}
        if len(lrs) == 1:
            self.lr = lrs.pop()
        else:  # one learning rate per member, spread over the flat buffer
            per_member = torch.tensor([m.lr for m in members], dtype=torch.float32, device=dev)
            self.lr = torch.cat([per_member.repeat_interleave(size // K) for _, size in blocks])
        self.torch_optimizer = None
        if not isinstance(self.lr, torch.Tensor) and not manual:
            flat.grad = grad
            if optimizer == "sgd":
                self.torch_optimizer = torch.optim.SGD([flat], lr=self.lr, momentum=self.momentum)
            else:
                self.torch_optimizer = torch.optim.Adam(
                    [flat], lr=self.lr, fused=True if fused_adam_available(dev) else None)
        elif optimizer == "sgd":
            self.buffer = torch.zeros_like(flat) if self.momentum > 0 else None
        else:
            self.m1, self.m2 = torch.zeros_like(flat), torch.zeros_like(flat)

    def _penalties(self):
        for w, g in zip(self.weights, self.grad_weights, strict=True):
            if self.l2 is not None:
                g.view(w.shape[0], 1, -1).addcmul_(w.view(w.shape[0], 1, -1), self.l2)
            if self.l1 is not None:
                g.view(w.shape[0], 1, -1).addcmul_(torch.sign(w).view(w.shape[0], 1, -1),
                                                   self.l1)

    def step(self):
        """Penalties, decay and one update, from the data-loss gradient in ``grad``."""
        self._penalties()
        if self.decay is not None:
            for w in self.weights:
                w.view(w.shape[0], 1, -1).mul_(self.decay)
        self.t += 1
        if self.torch_optimizer is not None:
            self.torch_optimizer.step()
            return
        p, g, lr = self.flat, self.grad, self.lr
        if self.optimizer == "sgd":
            if self.buffer is not None:
                (self.buffer.copy_(g) if self.t == 1 else self.buffer.mul_(self.momentum).add_(g))
                g = self.buffer
            p.sub_(g * lr) if isinstance(lr, torch.Tensor) else p.add_(g, alpha=-lr)
            return
        self.m1.lerp_(g, 1 - BETA1)
        self.m2.mul_(BETA2).addcmul_(g, g, value=1 - BETA2)
        bias1, bias2 = 1 - BETA1 ** self.t, 1 - BETA2 ** self.t
        denom = self.m2.sqrt().div_(math.sqrt(bias2)).add_(EPS)
        if isinstance(lr, torch.Tensor):
            p.sub_(self.m1.div(denom).mul_(lr).div_(bias1))
        else:
            p.addcdiv_(self.m1, denom, value=-lr / bias1)
