"""Training K small MLPs at once: stacked weights, batched matmuls, explicit gradients.

A :class:`BatchedMLP` holds K members of one architecture.  Layer ``i`` of
member ``k`` has weights ``weights[i][k]`` of shape (in, out) (the transpose of
``nn.Linear.weight``) and bias ``biases[i][k]`` of shape (1, out); all of them
are views into one flat float32 buffer, so an optimizer step is a handful of
whole-buffer operations.  :func:`train_ensemble` writes forward and backward
passes by hand (``torch.bmm`` on (K, n, width) activations) instead of autograd.

**A member's result depends on its own configuration alone** (not on K nor on its
position), because every random stream is keyed by the member's seed:

* initial weights: :func:`essay_lib.models.initial_parameters` (``seed``), the
  same numbers ``make_mlp(..., seed=seed)`` starts from;
* mini-batch order: ``torch.Generator().manual_seed(seed)`` and
  :func:`essay_lib.training.batch_indices`, as in :func:`~essay_lib.training.train_model`,
  so with dropout off a member follows ``train_model``'s trajectory;
* dropout masks of layer ``l`` (0 = input): a ``torch.Generator`` seeded from
  ``SeedSequence((seed, 1, l))``, drawing 64-bit words read as 16-bit integers;
  a unit is kept when its integer clears a threshold, so drop rates are used
  rounded to a multiple of 1/65536 and kept units are scaled by 1 / (1 - that rate);
* mixup: numpy generators seeded from ``SeedSequence((seed, 2))`` (mixing
  weight lambda ~ Beta(alpha, alpha) per step) and ``SeedSequence((seed, 3))``
  (the partner permutation of the batch); classification mixes one-hot targets.

On CUDA the mask generators are CUDA generators (another stream), so members with
dropout differ from their CPU runs (statistically alike); the others agree to float
rounding (checked on an H100).  The step itself lives in :mod:`essay_lib.ensemble_step`.

Losses and penalties follow :mod:`essay_lib.training`: mean squared error or
cross-entropy on logits, plus ``l1 * sum|w| + l2 * sum w**2`` over weights (not
biases).  Adam (PyTorch's defaults: betas 0.9, 0.999, eps 1e-8) or plain SGD.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from .checks import check_int
from .ensemble_step import Trainer, linear
from .models import ACTIVATIONS, MLP, check_widths, initial_parameters
from .progress import progress_bar
from .training import KINDS, OPTIMIZERS, as_tensors, batch_indices, resolve_device


def _rate(name, value, upper=1.0):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not (math.isfinite(value) and 0.0 <= value < upper):
        raise ValueError(f"{name} must lie in [0, {upper:g}), got {value}")
    return float(value)


@dataclass(frozen=True)
class Member:
    """One member's configuration: seed and regularizers.

    ``drop_rate`` (every hidden layer) and ``input_drop_rate``: drop probabilities
    in [0, 1); ``l1``, ``l2``: penalty coefficients >= 0; ``mixup_alpha`` >= 0
    (0 = no mixup); ``lr`` > 0.
    """

    seed: int = 0
    drop_rate: float = 0.0
    input_drop_rate: float = 0.0
    l1: float = 0.0
    l2: float = 0.0
    mixup_alpha: float = 0.0
    lr: float = 1e-2

    def __post_init__(self):
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)):
            raise TypeError(f"seed must be an integer, got {self.seed!r}")
        if self.seed < 0:
            raise ValueError(f"seed must be >= 0, got {self.seed}")
        _rate("drop_rate", self.drop_rate)
        _rate("input_drop_rate", self.input_drop_rate)
        for name in ("l1", "l2", "mixup_alpha", "lr"):
            _rate(name, getattr(self, name), math.inf)
        if self.lr == 0:
            raise ValueError("lr must be > 0, got 0")

    def as_dict(self) -> dict:
        return asdict(self)


class BatchedMLP:
    """K MLPs of widths ``(n_inputs, *hidden, n_outputs)`` stacked in one flat buffer.

    ``seeds[k]`` gives member k the initial weights of ``make_mlp(..., seed=seeds[k])``.
    ``weights[i]``: (K, widths[i], widths[i+1]); ``biases[i]``: (K, 1, widths[i+1]).
    """

    def __init__(self, widths: Sequence[int], seeds: Sequence[int], *, activation: str = "relu",
                 device: str | torch.device = "cpu"):
        self.widths = check_widths(widths[0], list(widths[1:-1]), widths[-1])
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        if len(seeds) == 0:
            raise ValueError("seeds must name at least one member, got an empty sequence")
        self.activation = activation
        self.seeds = tuple(int(s) for s in seeds)
        self.device = resolve_device(device) if isinstance(device, str) else device
        K = self.K = len(self.seeds)
        pairs = list(zip(self.widths[:-1], self.widths[1:], strict=True))
        sizes = [K * a * b for a, b in pairs] + [K * b for _, b in pairs]
        self.n_weights = sum(sizes[: len(pairs)])
        self.flat = torch.empty(sum(sizes), device=self.device)
        self.weights, self.biases, self.blocks, offset = [], [], [], 0
        for i, size in enumerate(sizes):
            view = self.flat[offset: offset + size]
            self.blocks.append((offset, size))
            a, b = pairs[i % len(pairs)]
            (self.weights.append(view.view(K, a, b)) if i < len(pairs)
             else self.biases.append(view.view(K, 1, b)))
            offset += size
        with torch.no_grad():
            for k, seed in enumerate(self.seeds):
                for i, (w, b) in enumerate(initial_parameters(self.widths, seed)):
                    self.weights[i][k].copy_(w.T)
                    self.biases[i][k, 0].copy_(b)

    @property
    def n_layers(self) -> int:
        return len(self.weights)

    def forward_with_hidden(self, X: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Evaluation-mode outputs (K, n, n_outputs) and hidden activations (K, n, width).

        ``X``: (n, n_inputs) shared by all members, or (K, n, n_inputs).
        """
        act = ACTIVATIONS[self.activation]
        hidden, x = [], X
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            x = linear(x, w, b)
            if i < self.n_layers - 1:
                x = act(x)
                hidden.append(x)
        return x, hidden

    @torch.no_grad()
    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Evaluation-mode outputs (K, n, n_outputs) for inputs (n, d) or (K, n, d)."""
        return self.forward_with_hidden(X)[0]

    def member(self, k: int, *, drop_rate: float = 0.0, input_drop_rate: float = 0.0) -> MLP:
        """Member ``k`` as a plain :class:`~essay_lib.models.MLP` (CPU, eval mode, own weights)."""
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k < self.K:
            raise ValueError(f"k must be an integer in [0, {self.K}), got {k!r}")
        model = MLP(self.widths, activation=self.activation,
                    drop_rates=(float(drop_rate),) * (self.n_layers - 1),
                    input_drop_rate=float(input_drop_rate))
        with torch.no_grad():
            for layer, w, b in zip(model.layers, self.weights, self.biases, strict=True):
                layer.weight.copy_(w[k].T.cpu())
                layer.bias.copy_(b[k, 0].cpu())
        return model.eval()


@dataclass
class EnsembleResult:
    """What :func:`train_ensemble` returns.

    ``train_loss``: (len(epochs), K) data loss on the whole training set in
    evaluation mode at the (1-based) ``epochs``; the last row is the end of training.
    """

    model: BatchedMLP
    members: tuple[Member, ...]
    epochs: list[int] = field(default_factory=list)
    train_loss: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    @property
    def final_train_loss(self) -> np.ndarray:
        return self.train_loss[-1]


def member_losses(out: torch.Tensor, target: torch.Tensor, kind: str) -> torch.Tensor:
    """Per-member data loss (K,): MSE over (n, k) for regression; mean cross-entropy otherwise.

    ``out``: (K, n, k); ``target``: (n, k) float / (n,) int labels, or with a leading K.
    """
    if kind == "regression":
        return ((out - target) ** 2).mean(dim=(1, 2))
    logp = torch.log_softmax(out, dim=-1)
    labels = target.expand(out.shape[:2]) if target.dim() == 1 else target
    return -logp.gather(2, labels.unsqueeze(-1)).squeeze(-1).mean(dim=1)


def _evaluation_loss(model: BatchedMLP, X: torch.Tensor, y: torch.Tensor, kind: str) -> np.ndarray:
    """Per-member data loss (K,) on all of (X, y), in row chunks that stay in cache."""
    rows = max(1, (1 << 20) // (model.K * max(model.widths)))
    total = torch.zeros(model.K, dtype=torch.float64, device=X.device)
    for start in range(0, len(X), rows):
        part = slice(start, start + rows)
        weight = len(X[part]) / len(X)
        total += weight * member_losses(model.forward(X[part]), y[part], kind).double()
    return total.cpu().numpy()


def _check_members(members) -> tuple[Member, ...]:
    members = tuple(members)
    if not members:
        raise ValueError("members must hold at least one Member, got none")
    for i, m in enumerate(members):
        if not isinstance(m, Member):
            raise TypeError(f"members[{i}] must be an ensemble.Member, got {type(m).__name__}")
    return members


def train_ensemble(
    widths: Sequence[int],
    members: Sequence[Member],
    X,
    y,
    *,
    kind: str = "regression",
    epochs: int = 500,
    optimizer: str = "adam",
    batch_size: int | None = None,
    activation: str = "relu",
    eval_every: int | None = None,
    device: str = "cpu",
    progress: bool | None = None,
    description: str = "ensemble",
) -> EnsembleResult:
    """Train one :class:`BatchedMLP` member per entry of ``members`` on (X, y).

    ``widths``: (n_inputs, *hidden, n_outputs); ``X`` (n, n_inputs); ``y`` (n, k)
    float targets or (n,) integer labels (``kind="classification"``, ``n_outputs``
    classes).  ``epochs`` passes over the data, each ``ceil(n / batch_size)`` steps
    (one with ``batch_size=None``, full batch).  ``eval_every``: record the
    evaluation-mode training loss every that many epochs (always at the end).
    """
    members = _check_members(members)
    epochs = check_int("epochs", epochs)
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    if batch_size is not None:
        batch_size = check_int("batch_size", batch_size)
    if eval_every is not None:
        eval_every = check_int("eval_every", eval_every)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    dev = resolve_device(device)
    X_t, y_t = as_tensors(X, y, kind, dev)
    model = BatchedMLP(widths, [m.seed for m in members], activation=activation, device=dev)
    n, n_out = len(X_t), model.widths[-1]
    if X_t.shape[1] != model.widths[0]:
        raise ValueError(f"X has {X_t.shape[1]} columns but widths[0] is {model.widths[0]}")
    if kind == "regression":
        if y_t.shape[1] != n_out:
            raise ValueError(f"y has {y_t.shape[1]} columns but widths[-1] is {n_out}")
        targets = y_t
    else:
        if int(y_t.min()) < 0 or int(y_t.max()) >= n_out:
            raise ValueError(f"class labels must lie in [0, {n_out}) (widths[-1] classes)")
        targets = torch.nn.functional.one_hot(y_t, n_out).float()
    full = batch_size is None or batch_size >= n
    batch = n if full else batch_size
    per_epoch = -(-n // batch)
    trainer = Trainer(model, members, X_t, targets, kind, batch, epochs * per_epoch, optimizer)
    order = None if full else [torch.Generator().manual_seed(m.seed) for m in members]
    result = EnsembleResult(model=model, members=members)
    history = []
    bar = progress_bar(total=epochs * per_epoch, enabled=progress, desc=description, unit="step")
    with torch.no_grad():
        for epoch in range(1, epochs + 1):
            if full:
                trainer.step(None)
            else:
                perms = torch.stack([torch.cat(batch_indices(n, batch, g)) for g in order]).to(dev)
                for start in range(0, n, batch):
                    trainer.step(perms[:, start: start + batch])
            bar.update(per_epoch)
            if epoch == epochs or (eval_every is not None and epoch % eval_every == 0):
                result.epochs.append(epoch)
                history.append(_evaluation_loss(model, X_t, y_t, kind))
    bar.close()
    result.train_loss = np.stack(history).astype(np.float64)
    return result
