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
  ``SeedSequence((seed, 1, l, c))`` with c = round(65536 × drop rate), so two members
  with one seed and different drop rates draw *independent* masks (with one stream per
  seed they would be nested: the units dropped at 0.1 a subset of those dropped at 0.5);
  drawing 64-bit words read as 16-bit integers;
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

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from essay_lib.nets.ensemble_step import Trainer, linear
from essay_lib.nets.models import ACTIVATIONS, MLP, check_widths, initial_parameters
from essay_lib.nets.training import KINDS, OPTIMIZERS, as_tensors, batch_indices, resolve_device
from essay_lib.util.checks import check_drop_rate, check_int, check_number, check_seed
from essay_lib.util.progress import progress_bar


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
        check_seed("seed", self.seed)
        check_drop_rate("drop_rate", self.drop_rate)
        check_drop_rate("input_drop_rate", self.input_drop_rate)
        for name in ("l1", "l2", "mixup_alpha"):
            check_number(name, getattr(self, name), minimum=0.0)
        check_number("lr", self.lr, minimum=0.0, low_closed=False)

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

    @classmethod
    def from_arrays(cls, widths: Sequence[int], members: Sequence[dict], *,
                    activation: str = "relu", device: str | torch.device = "cpu") -> BatchedMLP:
        """K members from their parameter arrays: ``members[k]`` maps the names of
        :meth:`member_arrays` (``layers.i.weight`` (out, in), ``layers.i.bias`` (out,))
        to arrays."""
        model = cls(widths, [0] * len(members), activation=activation, device=device)
        with torch.no_grad():
            for k, arrays in enumerate(members):
                for i in range(model.n_layers):
                    w = torch.as_tensor(np.asarray(arrays[f"layers.{i}.weight"]))
                    b = torch.as_tensor(np.asarray(arrays[f"layers.{i}.bias"]))
                    if w.shape != model.weights[i][k].T.shape:
                        raise ValueError(f"members[{k}]['layers.{i}.weight'] has shape "
                                         f"{tuple(w.shape)}, expected "
                                         f"{tuple(model.weights[i][k].T.shape)}")
                    model.weights[i][k].copy_(w.T)
                    model.biases[i][k, 0].copy_(b)
        return model

    def member_arrays(self, k: int) -> dict[str, np.ndarray]:
        """Member ``k``'s parameters as float32 arrays named like ``MLP.state_dict()``."""
        out = {}
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            out[f"layers.{i}.weight"] = w[k].T.detach().cpu().numpy().copy()
            out[f"layers.{i}.bias"] = b[k, 0].detach().cpu().numpy().copy()
        return out

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
        k = check_int("k", k, minimum=0, maximum=self.K - 1)
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
    ``eval_loss``: the same for each named held-out set passed as ``eval_data``.
    """

    model: BatchedMLP
    members: tuple[Member, ...]
    epochs: list[int] = field(default_factory=list)
    train_loss: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    eval_loss: dict[str, np.ndarray] = field(default_factory=dict)

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
    eval_data: dict | None = None,
    device: str = "cpu",
    progress: bool | None = None,
    description: str = "ensemble",
) -> EnsembleResult:
    """Train one :class:`BatchedMLP` member per entry of ``members`` on (X, y).

    ``widths``: (n_inputs, *hidden, n_outputs); ``X`` (n, n_inputs); ``y`` (n, k)
    float targets or (n,) integer labels (``kind="classification"``, ``n_outputs``
    classes).  ``epochs`` passes over the data, each ``ceil(n / batch_size)`` steps
    (one with ``batch_size=None``, full batch).  ``eval_every``: record the
    evaluation-mode training loss every that many epochs (always at the end);
    ``eval_data``: ``{name: (X, y)}`` held-out sets whose loss is recorded at the same
    epochs (``result.eval_loss[name]``); they never influence training.
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
    held_out = {name: as_tensors(*pair, kind, dev) for name, pair in (eval_data or {}).items()}
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
    history, held_history = [], {name: [] for name in held_out}
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
                for name, (X_h, y_h) in held_out.items():
                    held_history[name].append(_evaluation_loss(model, X_h, y_h, kind))
    bar.close()
    result.train_loss = np.stack(history).astype(np.float64)
    result.eval_loss = {name: np.stack(h).astype(np.float64) for name, h in held_history.items()}
    return result
