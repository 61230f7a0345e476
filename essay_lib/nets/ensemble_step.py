"""The batched MLP's hand-written training step (the fast path of the batched engine).

Internal machinery of :func:`essay_lib.nets.ensemble.train_ensemble` (its public API):
:class:`Trainer` runs the engine's one MLP forward pass
(:func:`essay_lib.nets.engine.mlp_forward`, activations in place, the dropout factors
of :mod:`essay_lib.nets.noise` remembered), then an explicit backward pass (the
activation derivatives of :data:`essay_lib.nets.engine.ACTIVATIONS`, the loss gradient
of :func:`essay_lib.nets.losses.loss_gradient`, the batched products of
:mod:`essay_lib.nets.engine`), then the :class:`~essay_lib.nets.flat_optim.FlatOptimizer`
update of the flat buffer.  ``benchmarks/bench_sweeps.py`` measures it against the
autograd path (:mod:`essay_lib.nets.autograd_step`), which gives the same numbers to
float rounding; it stays while it is clearly faster.
"""

from __future__ import annotations

import torch

from essay_lib.nets.engine import ACTIVATIONS, grad_input, grad_weight, mlp_forward
from essay_lib.nets.flat_optim import FlatOptimizer
from essay_lib.nets.losses import loss_gradient
from essay_lib.nets.noise import Mixup, layer_noise, member_masks


class Trainer:
    """State of one batched training run of a :class:`~essay_lib.nets.batched_mlp.BatchedMLP`
    with the hand-written backward pass (buffers, streams, optimizer)."""

    def __init__(self, model, members, X, targets, kind, batch, total_steps, optimizer,
                 momentum=0.0):
        self.model, self.kind, self.X, self.T = model, kind, X, targets
        self.masks = member_masks(model, members, batch, total_steps)
        alphas = [m.mixup_alpha for m in members]
        self.mixup = (Mixup(alphas, model.seeds, batch, model.device)
                      if any(a > 0 for a in alphas) else None)
        self.grad = torch.zeros_like(model.flat)
        self.g_w, self.g_b = model.views(self.grad)
        self.optimizer = FlatOptimizer(model.flat, self.grad, model.weights, self.g_w,
                                       model.blocks, members, optimizer, momentum)
        self.activation = ACTIVATIONS[model.activation]
        self.layers = model.layer_parameters()

    def step(self, idx: torch.Tensor | None):
        """One optimizer step on rows ``idx`` (K, b) of the data (``None``: all rows)."""
        model, K = self.model, self.model.K
        x, target = (self.X, self.T) if idx is None else (self.X[idx], self.T[idx])
        rows = x.shape[-2]
        if self.mixup is not None:
            x, target = self.mixup.mix(x, target, rows)
        inputs, factors = [], [None] * len(self.masks)
        z, hidden = mlp_forward(self.layers, x, model.activation, in_place=True, inputs=inputs,
                                noise=layer_noise(self.masks, rows, factors))
        inputs[0] = inputs[0].expand(K, *inputs[0].shape[-2:])
        d = loss_gradient(z, target, self.kind)
        for i in reversed(range(model.n_layers)):
            grad_weight(inputs[i], d, self.g_w[i])
            torch.sum(d, dim=1, keepdim=True, out=self.g_b[i])
            if i == 0:
                break
            d = grad_input(d, model.weights[i])
            if factors[i] is not None:
                d.mul_(factors[i])
            d = self.activation.backward_(hidden[i - 1], d)
        self.optimizer.step()
