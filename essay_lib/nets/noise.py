"""Noise and data mixing of the batched engine, drawn from per-member streams.

Pluggable pieces of :func:`essay_lib.nets.ensemble.train_ensemble`: each maskable layer
(``model.mask_widths``: the input, then each hidden layer) gets one noise stream or
``None``; a stream's ``next(rows)`` returns the float (K, rows, width) factor that the
engine's forward pass (:mod:`essay_lib.nets.engine`, through its ``noise`` argument)
multiplies that layer's units by.

* :class:`Masks`: inverted dropout, per member, from one ``torch.Generator`` per member
  seeded by ``SeedSequence((seed, 1, layer, round(65536 · drop rate)))``;
* :class:`Mixup`: per-member mixup draws from numpy generators seeded by
  ``SeedSequence((seed, 2))`` (λ) and ``SeedSequence((seed, 3))`` (partners);
* :func:`member_masks`: the streams of every maskable layer of a batched model;
* :func:`layer_noise`: the engine's ``noise`` function over those streams, remembering
  the factors it drew (the hand-written backward pass multiplies by them again).

Speed notes (2-core CPU, measured): mixed-dtype ``where``/multiplications ran ~10x
slower than float-only ones, so masks are made with ``torch.ge(..., out=float)``;
``rand_like``/``bernoulli_`` cost far more than 64-bit ``random_`` words read as
16-bit integers.
"""

from __future__ import annotations

import numpy as np
import torch

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


def layer_noise(streams, rows: int, drawn: list | None = None):
    """The engine's ``noise(i, units)`` over ``streams`` (one per maskable layer, or
    ``None``): multiplies layer ``i``'s units by ``streams[i].next(rows)``; with a list
    ``drawn``, ``drawn[i]`` receives the factor used (``None`` where no stream)."""

    def noise(i: int, units: torch.Tensor) -> torch.Tensor:
        stream = streams[i]
        factor = None if stream is None else stream.next(rows)
        if drawn is not None:
            drawn[i] = factor
        return units if factor is None else units * factor

    return noise
