"""The batched training step by autograd: any batched model, K members in one graph.

Internal machinery of :func:`essay_lib.nets.ensemble.train_ensemble` for the models
without a hand-written backward pass (the residual MLP and the CNN of
:mod:`essay_lib.nets.stacked`; the MLP too with ``backward="autograd"``, or when a
member has a ``dropout_penalty``).

One step: the model's differentiable :meth:`train_pass` runs on a leaf that shares
the storage of its flat parameter buffer; the loss is the *sum* over members of each
member's mean data loss (plus, for members with a ``dropout_penalty``, dropout's
explicit penalty on the last hidden layer,
:func:`essay_lib.nets.penalties.dropout_penalty`), so the gradient of member k's
parameters is the gradient of member k's own loss (no member's parameters reach
another member's output); the gradient lands in a buffer of the flat layout and
:class:`~essay_lib.nets.flat_optim.FlatOptimizer` applies penalties, decay and the
update.  Noise (:func:`~essay_lib.nets.noise.member_masks`: dropout masks, Gaussian
factors) and mixup draws (:class:`~essay_lib.nets.noise.Mixup`) come from the same
per-member streams as the hand-written step, so an MLP member follows the same
trajectory on either path (to float rounding).
"""

from __future__ import annotations

import torch

from essay_lib.nets.flat_optim import FlatOptimizer
from essay_lib.nets.losses import data_loss
from essay_lib.nets.noise import Mixup, member_masks
from essay_lib.nets.penalties import dropout_penalty


class AutogradTrainer:
    """State of one batched run whose gradients come from autograd (see the module
    docstring); the same interface as :class:`~essay_lib.nets.ensemble_step.Trainer`."""

    def __init__(self, model, members, X, targets, kind, batch, total_steps, optimizer,
                 momentum=0.0):
        self.model, self.kind, self.X, self.T = model, kind, X, targets
        self.masks = member_masks(model, members, batch, total_steps)
        alphas = [m.mixup_alpha for m in members]
        self.mixup = (Mixup(alphas, model.seeds, batch, model.device)
                      if any(a > 0 for a in alphas) else None)
        self.grad = torch.zeros_like(model.flat)
        grad_weights = model.views(self.grad)[0]
        self.optimizer = FlatOptimizer(model.flat, self.grad, model.weights, grad_weights,
                                       model.blocks, members, optimizer, momentum)
        rates = [m.dropout_penalty for m in members]
        self.penalty_rates = rates if any(r > 0 for r in rates) else None

    def step(self, idx: torch.Tensor | None):
        """One optimizer step on rows ``idx`` (K, b) of the data (``None``: all rows)."""
        x, target = (self.X, self.T) if idx is None else (self.X[idx], self.T[idx])
        rows = x.shape[-2]
        if self.mixup is not None:
            x, target = self.mixup.mix(x, target, rows)
        with torch.enable_grad():
            leaf = self.model.flat.detach().requires_grad_()
            if self.penalty_rates is None:
                loss = data_loss(self.model.train_forward(leaf, x, self.masks, rows),
                                 target, self.kind)
            else:
                z, hidden = self.model.train_pass(leaf, x, self.masks, rows)
                loss = data_loss(z, target, self.kind) + dropout_penalty(
                    hidden[-1], self.model.readout(leaf), z, self.penalty_rates, self.kind)
            (grad,) = torch.autograd.grad(loss.sum(), leaf)
        self.grad.copy_(grad)
        self.optimizer.step()
