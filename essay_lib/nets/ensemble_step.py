"""The batched training step of :mod:`essay_lib.ensemble`: streams, products, optimizer.

Internal machinery (the public API is :func:`essay_lib.ensemble.train_ensemble`):

* :class:`Masks`: per-member dropout masks of one layer, from one ``torch.Generator``
  per member seeded by ``SeedSequence((seed, 1, layer, round(65536 · drop rate)))``;
* :class:`Mixup`: per-member mixup draws from numpy generators seeded by
  ``SeedSequence((seed, 2))`` (lambda) and ``SeedSequence((seed, 3))`` (partners);
* :func:`linear`, :func:`grad_weight`, :func:`grad_input`: batched products;
* :class:`Trainer`: one explicit forward/backward pass of a batched MLP, then the
  :class:`~essay_lib.nets.flat_optim.FlatOptimizer` update of its flat buffer;
* :func:`member_masks`: the :class:`Masks` of every maskable layer of a batched model.

Speed notes (2-core CPU, measured): mixed-dtype ``where``/multiplications ran ~10x
slower than float-only ones, so masks are made with ``torch.ge(..., out=float)``;
``rand_like``/``bernoulli_`` cost far more than 64-bit ``random_`` words read as
16-bit integers; MKL's batched GEMM is 2-5x slower when the result has few columns.
"""

from __future__ import annotations

import numpy as np
import torch

from essay_lib.nets.flat_optim import FlatOptimizer
from essay_lib.nets.models import ACTIVATIONS

CHUNK_BYTES = 1 << 23  # dropout randomness drawn ahead, per layer (results do not depend on it)


def derived_seed(*key: int) -> int:
    return int(np.random.SeedSequence(list(key)).generate_state(1, dtype=np.uint64)[0] >> 1)


class Masks:
    """Per-member dropout masks of one maskable layer (keep/scale as a float (K, b, w) tensor)."""

    def __init__(self, rates, seeds, layer, batch, width, total_steps, device):
        K = len(rates)
        counts = np.round(np.asarray(rates, dtype=np.float64) * 65536.0)
        self.active = [k for k in range(K) if counts[k] > 0]
        self.thresh = torch.as_tensor(counts - 32768, dtype=torch.int16,
                                      device=device).view(K, 1, 1)
        keep = torch.as_tensor(1.0 - counts / 65536.0, dtype=torch.float32, device=device)
        self.scale = (1.0 / keep).view(K, 1, 1)
        self.shape, self.step_len = (batch, width), batch * width
        self.words = -(-self.step_len // 4)
        self.chunk = max(1, min(total_steps, CHUNK_BYTES // (8 * self.words * K)))
        self.gens = {k: torch.Generator(device=device) for k in self.active}
        for k, gen in self.gens.items():
            # the rate is part of the stream's key: members that share a seed but not a
            # drop rate get independent masks, not nested ones (one stream, two thresholds)
            gen.manual_seed(derived_seed(seeds[k], 1, layer, int(counts[k])))
        self.buffer = torch.zeros(K, self.chunk * self.words, dtype=torch.int64, device=device)
        self.position = self.chunk

    def next(self, rows: int) -> torch.Tensor:
        if self.position == self.chunk:
            for k, gen in self.gens.items():
                self.buffer[k].random_(-(2 ** 63), None, generator=gen)
            self.position = 0
        start = self.position * self.words * 4
        self.position += 1
        block = self.buffer.view(torch.int16)[:, start: start + self.step_len]
        block = block.view(-1, *self.shape)[:, :rows]
        mask = torch.empty(block.shape, device=block.device)  # float ops only: mixed-dtype
        torch.ge(block, self.thresh, out=mask)                # where/mul are ~10x slower here
        return mask.mul_(self.scale)


class Mixup:
    """Per-member mixup draws: lambda per step (K,), partner permutation per step (K, b)."""

    def __init__(self, alphas, seeds, batch, device):
        self.active = [k for k, a in enumerate(alphas) if a > 0]
        self.alphas, self.batch, self.device = alphas, batch, device
        self.lam_rngs = {k: np.random.default_rng(derived_seed(seeds[k], 2)) for k in self.active}
        self.perm_rngs = {k: np.random.default_rng(derived_seed(seeds[k], 3)) for k in self.active}
        self.lam = np.ones(len(alphas), dtype=np.float32)
        self.perm = np.tile(np.arange(batch), (len(alphas), 1))

    def next(self, rows: int) -> tuple[torch.Tensor, torch.Tensor]:
        for k in self.active:
            self.lam[k] = self.lam_rngs[k].beta(self.alphas[k], self.alphas[k])
            self.perm[k, :rows] = self.perm_rngs[k].permutation(rows)
        lam = torch.as_tensor(self.lam, device=self.device).view(-1, 1, 1)
        return lam, torch.as_tensor(self.perm[:, :rows], device=self.device)

    def mix(self, x: torch.Tensor, target: torch.Tensor, rows: int):
        """Inputs (K, rows, d) and targets (K, rows, k) mixed with the next draws."""
        K = len(self.alphas)
        lam, perm = self.next(rows)
        x, target = (v.expand(K, *v.shape[-2:]) for v in (x, target))
        pick = torch.arange(K, device=x.device).view(K, 1), perm
        return torch.lerp(x[pick], x, lam), torch.lerp(target[pick], target, lam)


# Batched products, arranged for speed: MKL's batched GEMM is 2-5x slower when the
# result has few columns, so narrow layers (o <= i / 4, e.g. the output layer) use
# the transposed products, and a product through one output is a broadcast multiply.
def narrow(w: torch.Tensor) -> bool:
    return 4 * w.shape[2] <= w.shape[1]


def linear(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """x @ w + b for x (K, n, i), w (K, i, o), b (K, 1, o): (K, n, o)."""
    if w.shape[1] <= 2:  # a sum of outer products (a GEMM over 1 or 2 terms is slow)
        z = torch.addcmul(b, x[..., 0:1], w[:, 0:1, :])
        return z.addcmul_(x[..., 1:2], w[:, 1:2, :]) if w.shape[1] == 2 else z
    if x.dim() == 2:
        x = x.expand(w.shape[0], *x.shape)
    if narrow(w):
        return torch.bmm(w.transpose(1, 2), x.transpose(1, 2)).transpose(1, 2).add(b)
    return torch.baddbmm(b, x, w)


def grad_weight(x: torch.Tensor, d: torch.Tensor, out: torch.Tensor) -> None:
    """out (K, i, o) = x^T d for x (K, n, i), d (K, n, o)."""
    if narrow(out):
        out.copy_(torch.bmm(d.transpose(1, 2), x).transpose(1, 2))
    else:
        torch.bmm(x.transpose(1, 2), d, out=out)


def grad_input(d: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """d w^T for d (K, n, o), w (K, i, o): (K, n, i)."""
    if w.shape[2] == 1:
        return d * w.transpose(1, 2)
    return torch.bmm(d, w.transpose(1, 2))


class Trainer:
    """State of one batched training run of a :class:`~essay_lib.nets.ensemble.BatchedMLP`
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
        self.relu = model.activation == "relu"
        self.derivative = {"relu": lambda a, d: torch.ops.aten.threshold_backward(d, a, 0.0),
                           "tanh": lambda a, d: d.mul_(1 - a * a),
                           "sigmoid": lambda a, d: d.mul_(a * (1 - a)),
                           "identity": lambda a, d: d}[model.activation]

    def step(self, idx: torch.Tensor | None):
        """One optimizer step on rows ``idx`` (K, b) of the data (``None``: all rows)."""
        model, K = self.model, self.model.K
        x, target = (self.X, self.T) if idx is None else (self.X[idx], self.T[idx])
        rows = x.shape[-2]
        if self.mixup is not None:
            x, target = self.mixup.mix(x, target, rows)
        if self.masks[0] is not None:
            x = x * self.masks[0].next(rows)
        inputs, saved = [x.expand(K, *x.shape[-2:])], []
        for i in range(model.n_layers):
            z = linear(x, model.weights[i], model.biases[i])
            if i == model.n_layers - 1:
                break
            a = z.clamp_min_(0) if self.relu else ACTIVATIONS[model.activation](z)
            mask = self.masks[i + 1].next(rows) if self.masks[i + 1] is not None else None
            x = a * mask if mask is not None else a
            inputs.append(x)
            saved.append((a, mask))
        if self.kind == "regression":
            d = (z - target).mul_(2.0 / (rows * z.shape[-1]))
        else:
            d = torch.softmax(z, dim=-1).sub_(target).mul_(1.0 / rows)
        for i in reversed(range(model.n_layers)):
            grad_weight(inputs[i], d, self.g_w[i])
            torch.sum(d, dim=1, keepdim=True, out=self.g_b[i])
            if i == 0:
                break
            d = grad_input(d, model.weights[i])
            a, mask = saved[i - 1]
            if mask is not None:
                d.mul_(mask)
            d = self.derivative(a, d)
        self.optimizer.step()


def member_masks(model, members, batch, total_steps) -> list[Masks | None]:
    """One :class:`Masks` per maskable layer of ``model`` (``model.mask_widths``: the
    input, then each hidden layer), ``None`` where no member drops anything there.
    Layer 0 uses each member's ``input_drop_rate``, the others its ``drop_rate``."""
    masks = []
    for i, width in enumerate(model.mask_widths):
        rates = [m.input_drop_rate if i == 0 else m.drop_rate for m in members]
        masks.append(Masks(rates, model.seeds, i, batch, width, total_steps, model.device)
                     if any(r > 0 for r in rates) else None)
    return masks
