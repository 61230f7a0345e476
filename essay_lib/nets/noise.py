"""Noise and data mixing of the batched engine, drawn from per-member streams.

Pluggable pieces of :func:`essay_lib.nets.ensemble.train_ensemble`: each maskable layer
(``model.mask_widths``: the input, then each hidden layer) gets one noise stream or
``None``; a stream's ``next(rows)`` returns the float (K, rows, width) factor that the
engine's forward pass (:mod:`essay_lib.nets.engine`, through its ``noise`` argument)
multiplies that layer's units by.  Rates are *drop rates* p (PyTorch's convention, the
probability of dropping a unit; Srivastava et al.'s keep probability is 1 − p).

* :class:`Masks`: inverted dropout, per member: a unit is kept with probability 1 − p and
  then scaled by 1 / (1 − p); one ``torch.Generator`` per member seeded by
  ``SeedSequence((seed, 1, layer, c))``, c = round(65536 · p);
* :class:`GaussianNoise`: Gaussian multiplicative noise ("Gaussian dropout", Srivastava et
  al. 2014 §10): each unit times ξ ~ N(1, p / (1 − p)), the mean and variance of
  inverted dropout's factor at drop rate p, no unit ever removed; one ``torch.Generator``
  per member seeded by ``SeedSequence((seed, 4, layer, c))`` (key 4: never a dropout or
  mixup stream);
* :class:`Mixup`: per-member mixup draws from numpy generators seeded by
  ``SeedSequence((seed, 2))`` (λ) and ``SeedSequence((seed, 3))`` (partners);
* :func:`member_masks`: the streams of every maskable layer of a batched model, from each
  member's ``input_drop_rate`` (Bernoulli dropout of the inputs) and ``drop_rate`` with
  its ``noise`` kind on its ``drop_layers``;
* :func:`layer_noise`: the engine's ``noise`` function over those streams, remembering
  the factors it drew (the hand-written backward pass multiplies by them again).

The rate is part of every stream's key, so members that share a seed but not a rate draw
independent noise.  A member's draws depend on its own seed, rate, layer, batch size and
layer width alone (not on K, its position, nor the number of steps of the run), on the
CPU: dropout words are drawn ahead in chunks of whatever length (64-bit words come from
the generator one after another); Gaussian draws in chunks of a fixed number of steps
(:data:`GAUSSIAN_CHUNK`; ``normal_`` transforms in blocks, so its numbers depend on the
length drawn at once).

Speed notes (2-core CPU, measured): mixed-dtype ``where``/multiplications ran ~10x
slower than float-only ones, so masks are made with ``torch.ge(..., out=float)``;
``rand_like``/``bernoulli_`` cost far more than 64-bit ``random_`` words read as
16-bit integers.
"""

from __future__ import annotations

import numpy as np
import torch

CHUNK_BYTES = 1 << 23  # dropout randomness drawn ahead, per layer (results do not depend on it)
#: Gaussian factors drawn ahead per member and layer: max(1, GAUSSIAN_CHUNK // (batch · width))
#: steps (a member's numbers depend on it: it is fixed, never a function of K or the run)
GAUSSIAN_CHUNK = 1 << 15
NOISES = ("dropout", "gaussian")  # the kinds of hidden-layer noise of a member
DROP_LAYERS = ("all", "first", "last")  # the hidden layers a member's drop_rate acts on


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


class GaussianNoise:
    """Per-member Gaussian multiplicative noise of one maskable layer: float (K, b, w)
    factors ξ = 1 + σ z, z ~ N(0, 1), σ² = p / (1 − p) at drop rate p (factors are exactly
    1 for members with p = 0)."""

    def __init__(self, rates, seeds, layer, batch, width, device):
        K = len(rates)
        rates = np.asarray(rates, dtype=np.float64)
        self.active = [k for k in range(K) if rates[k] > 0]
        self.sigma = np.sqrt(rates / (1.0 - rates))
        self.shape, self.step_len = (batch, width), batch * width
        self.chunk = max(1, GAUSSIAN_CHUNK // self.step_len)
        self.gens = {k: torch.Generator(device=device) for k in self.active}
        for k, gen in self.gens.items():
            gen.manual_seed(derived_seed(seeds[k], 4, layer, int(round(rates[k] * 65536.0))))
        self.buffer = torch.ones(K, self.chunk, self.step_len, device=device)
        self.position = self.chunk

    def next(self, rows: int) -> torch.Tensor:
        if self.position == self.chunk:
            for k, gen in self.gens.items():
                self.buffer[k].normal_(1.0, float(self.sigma[k]), generator=gen)
            self.position = 0
        block = self.buffer[:, self.position].view(-1, *self.shape)[:, :rows]
        self.position += 1
        return block


class ProductNoise:
    """Several streams on one layer (members of different noise kinds): the product of
    their factors (each is exactly 1 for the members it leaves alone)."""

    def __init__(self, *streams):
        self.streams = streams

    def next(self, rows: int) -> torch.Tensor:
        factor = self.streams[0].next(rows)
        for stream in self.streams[1:]:
            factor = factor * stream.next(rows)
        return factor


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


def hidden_rate(member, layer: int, n_hidden: int) -> float:
    """The drop rate that ``member``'s ``drop_rate`` puts on hidden layer ``layer`` (0-based)
    of ``n_hidden``: its ``drop_rate`` where its ``drop_layers`` (:data:`DROP_LAYERS`)
    include the layer, else 0."""
    chosen = {"all": True, "first": layer == 0, "last": layer == n_hidden - 1}
    return member.drop_rate if chosen[member.drop_layers] else 0.0


def member_masks(model, members, batch, total_steps) -> list:
    """One noise stream per maskable layer of ``model`` (``model.mask_widths``: the input,
    then each hidden layer), ``None`` where no member puts noise there.

    Layer 0: each member's ``input_drop_rate``, Bernoulli dropout (:class:`Masks`).  Hidden
    layer l (maskable layer l + 1): each member's ``drop_rate`` where its ``drop_layers``
    include l (:func:`hidden_rate`), of its ``noise`` kind: :class:`Masks` for
    ``"dropout"``, :class:`GaussianNoise` for ``"gaussian"`` (a :class:`ProductNoise` of the
    two when members of both kinds share a layer).
    """
    streams, n_hidden = [], len(model.mask_widths) - 1
    for i, width in enumerate(model.mask_widths):
        rates = [m.input_drop_rate if i == 0 else hidden_rate(m, i - 1, n_hidden)
                 for m in members]
        gaussian = [i > 0 and m.noise == "gaussian" for m in members]
        bernoulli = [0.0 if g else r for r, g in zip(rates, gaussian, strict=True)]
        normal = [r if g else 0.0 for r, g in zip(rates, gaussian, strict=True)]
        layer = []
        if any(r > 0 for r in bernoulli):
            layer.append(Masks(bernoulli, model.seeds, i, batch, width, total_steps,
                               model.device))
        if any(r > 0 for r in normal):
            layer.append(GaussianNoise(normal, model.seeds, i, batch, width, model.device))
        streams.append(None if not layer else layer[0] if len(layer) == 1
                       else ProductNoise(*layer))
    return streams


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
