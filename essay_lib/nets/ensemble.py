"""Training K small networks at once: stacked parameters, batched products, one update.

The batched models keep K members of one architecture in one flat float32 buffer:
:class:`~essay_lib.nets.batched_mlp.BatchedMLP` (the MLP, with a hand-written
backward pass: ``torch.bmm`` on (K, n, width) activations, :mod:`.ensemble_step`),
and the stacked models of :mod:`essay_lib.nets.stacked` (a residual MLP and a small
1-D/2-D CNN, trained by autograd over the whole stack, :mod:`.autograd_step`).
:func:`train_ensemble` trains one member per :class:`Member`.

**A member's result depends on its own configuration alone** (not on K nor on its
position), because every random stream is keyed by the member's seed:

* initial weights: :func:`essay_lib.nets.models.initial_parameters` (``seed``), the
  same numbers ``make_mlp(..., seed=seed)`` starts from (other architectures: their
  ``make_*(..., seed=seed)``);
* mini-batch order: ``torch.Generator().manual_seed(seed)`` and
  :func:`essay_lib.nets.training.batch_indices`, as in
  :func:`~essay_lib.nets.training.train_model`, so with dropout off a member follows
  ``train_model``'s trajectory;
* noise of maskable layer ``l`` (0 = input, ``l >= 1`` hidden layer ``l - 1``;
  :mod:`essay_lib.nets.noise`), all rates *drop rates* p:

  - dropout masks (the inputs' ``input_drop_rate``; a hidden ``drop_rate`` of ``noise``
    ``"dropout"``): a ``torch.Generator`` seeded from ``SeedSequence((seed, 1, l, c))``
    with c = round(65536 × p), so two members with one seed and different drop rates
    draw *independent* masks (with one stream per seed they would be nested: the units
    dropped at 0.1 a subset of those dropped at 0.5); 64-bit words read as 16-bit
    integers; a unit is kept when its integer clears a threshold, so drop rates are
    used rounded to a multiple of 1/65536 and kept units are scaled by 1 / (1 - that
    rate);
  - Gaussian multiplicative noise (a hidden ``drop_rate`` of ``noise`` ``"gaussian"``):
    factors N(1, p / (1 − p)) from a ``torch.Generator`` seeded from
    ``SeedSequence((seed, 4, l, c))``;
  - a member's ``drop_layers`` (``"all"``, ``"first"``, ``"last"``) names the hidden
    layers its ``drop_rate`` acts on;
* mixup: numpy generators seeded from ``SeedSequence((seed, 2))`` (mixing
  weight lambda ~ Beta(alpha, alpha) per step) and ``SeedSequence((seed, 3))``
  (the partner permutation of the batch); classification mixes one-hot targets;
* early stopping watches each member's own validation loss and keeps each member's
  own best weights.

On CUDA the noise generators are CUDA generators (another stream), so members with
dropout differ from their CPU runs (statistically alike); the others agree to float
rounding (checked on an H100).

Losses and penalties follow :mod:`essay_lib.nets.training`: mean squared error or
cross-entropy on logits, plus ``l1 * sum|w| + l2 * sum w**2`` over weights (not
biases); decoupled weight decay, Adam / AdamW / SGD with momentum:
:mod:`essay_lib.nets.flat_optim`; a member's ``dropout_penalty`` adds dropout's explicit
penalty on the last hidden layer (:mod:`essay_lib.nets.penalties`, autograd path).
``snapshot_epochs`` keeps copies of the weights along training
(:attr:`EnsembleResult.snapshots`, :meth:`EnsembleResult.model_at`).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from essay_lib.nets.autograd_step import AutogradTrainer
from essay_lib.nets.batched_mlp import BatchedMLP
from essay_lib.nets.ensemble_step import Trainer
from essay_lib.nets.flat_optim import OPTIMIZERS
from essay_lib.nets.losses import check_kind, data_loss
from essay_lib.nets.member import Member
from essay_lib.nets.stacked import BatchedCNN, BatchedResidualMLP
from essay_lib.nets.training import as_tensors, batch_indices, resolve_device
from essay_lib.util.checks import check_choice, check_int, check_int_sequence, check_number
from essay_lib.util.progress import progress_bar

__all__ = ["ARCHITECTURES", "BACKWARDS", "BatchedMLP", "EarlyStopping", "EnsembleResult",
           "Member", "batched_model", "model_from_arrays", "train_ensemble"]

ARCHITECTURES = ("mlp", "residual", "cnn")
BACKWARDS = ("hand", "autograd")


def batched_model(architecture: str, widths: Sequence[int], seeds: Sequence[int], *,
                  activation: str = "relu", input_shape: Sequence[int] | None = None,
                  device: str | torch.device = "cpu"):
    """A batched model of ``architecture`` (:data:`ARCHITECTURES`) with K = len(seeds).

    ``widths``: (n_inputs, *hidden, n_outputs); hidden widths of the MLP, of the
    residual MLP's layers (all equal: the skips add them), or the CNN's channels per
    convolution.  ``input_shape``: the CNN's view of an input row, ``(n_inputs,)`` for a
    1-D signal (default) or ``(height, width)`` for an image.
    """
    check_choice("architecture", architecture, ARCHITECTURES)
    if architecture == "mlp":
        return BatchedMLP(widths, seeds, activation=activation, device=device)
    if architecture == "residual":
        return BatchedResidualMLP(widths, seeds, activation=activation, device=device)
    return BatchedCNN(widths, seeds, activation=activation, input_shape=input_shape,
                      device=device)


def model_from_arrays(architecture: str, widths: Sequence[int], members: Sequence[dict], *,
                      activation: str = "relu", input_shape: Sequence[int] | None = None,
                      device: str | torch.device = "cpu"):
    """A batched model of ``architecture`` whose member k has the parameter arrays
    ``members[k]`` (named as its ``member_arrays``)."""
    check_choice("architecture", architecture, ARCHITECTURES)
    if architecture == "mlp":
        return BatchedMLP.from_arrays(widths, members, activation=activation, device=device)
    cls = BatchedResidualMLP if architecture == "residual" else BatchedCNN
    extra = {} if architecture == "residual" else {"input_shape": input_shape}
    return cls.from_arrays(widths, members, activation=activation, device=device, **extra)


@dataclass
class EnsembleResult:
    """What :func:`train_ensemble` returns.

    ``train_loss``: (len(epochs), K) data loss on the whole training set in
    evaluation mode at the (1-based) ``epochs``; the last row is the end of training.
    ``eval_loss``: the same for each named held-out set passed as ``eval_data``.
    With early stopping (``patience``): ``best_epoch`` (K,) the epoch of each member's
    lowest validation loss (whose weights it ends with), ``stopped_epoch`` (K,) the
    last epoch it trained; a stopped member's later curve entries are those of its
    best weights.  Without early stopping both are ``None``.

    ``snapshots``: ``{epoch: flat buffer}`` for each of ``train_ensemble``'s
    ``snapshot_epochs``, a copy (on the model's device) of every member's parameters as
    they stand after that epoch's updates; :meth:`model_at` turns one into a model.  With
    early stopping a member whose training had ended by that epoch (``stopped_epoch <=
    epoch``) holds its best-validation weights there, the others their current (not best)
    weights; once every member has stopped, training ends and the later snapshots are the
    final (best) weights.  Without early stopping the snapshot at the last epoch is the
    final model, bit for bit.  A snapshot at epoch e equals the same run trained for e
    epochs, bit for bit on the CPU (tested: hand-written and autograd, dropout, Gaussian
    noise, mixup, the penalty); not checked on CUDA, where a generator's numbers depend
    on how many are drawn at once and dropout words are drawn ahead in chunks that
    depend on the run's length.
    """

    model: object
    members: tuple[Member, ...]
    epochs: list[int] = field(default_factory=list)
    train_loss: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    eval_loss: dict[str, np.ndarray] = field(default_factory=dict)
    best_epoch: np.ndarray | None = None
    stopped_epoch: np.ndarray | None = None

    snapshots: dict[int, torch.Tensor] = field(default_factory=dict)

    @property
    def final_train_loss(self) -> np.ndarray:
        return self.train_loss[-1]

    def model_at(self, epoch: int):
        """A batched model of :attr:`model`'s architecture holding the weights of
        ``snapshots[epoch]`` (a copy: training's model is left alone)."""
        if isinstance(epoch, (bool, np.bool_)) or epoch not in self.snapshots:
            raise ValueError(f"epoch must be one of the snapshot epochs "
                             f"{sorted(self.snapshots)}, got {epoch!r}")
        grad, self.model.flat.grad = self.model.flat.grad, None  # not copied along
        try:
            model = copy.deepcopy(self.model)  # the views stay views of the copy's buffer
        finally:
            self.model.flat.grad = grad
        model.flat.copy_(self.snapshots[epoch])
        return model


def _evaluation_loss(model, X: torch.Tensor, y: torch.Tensor, kind: str) -> np.ndarray:
    """Per-member data loss (K,) on all of (X, y), in row chunks that stay in cache."""
    rows = max(1, (1 << 20) // (model.K * model.max_width))
    total = torch.zeros(model.K, dtype=torch.float64, device=X.device)
    for start in range(0, len(X), rows):
        part = slice(start, start + rows)
        weight = len(X[part]) / len(X)
        total += weight * data_loss(model.forward(X[part]), y[part], kind).double()
    return total.cpu().numpy()


def _check_snapshot_epochs(snapshot_epochs, epochs: int) -> tuple[int, ...]:
    """``snapshot_epochs`` as a sorted tuple of distinct epochs in [1, ``epochs``]."""
    if snapshot_epochs is None:
        return ()
    values = check_int_sequence("snapshot_epochs", snapshot_epochs, minimum=1, non_empty=False)
    for i, e in enumerate(values):
        if e > epochs:
            raise ValueError(f"snapshot_epochs[{i}] must be an epoch in [1, {epochs}] "
                             f"(epochs), got {e}")
    return tuple(sorted(set(values)))


def _check_members(members) -> tuple[Member, ...]:
    members = tuple(members)
    if not members:
        raise ValueError("members must hold at least one Member, got none")
    for i, m in enumerate(members):
        if not isinstance(m, Member):
            raise TypeError(f"members[{i}] must be an ensemble.Member, got {type(m).__name__}")
    return members


class EarlyStopping:
    """Each member's best validation loss and weights; members whose loss has not
    improved for ``patience`` checks are stopped (held at their best weights)."""

    def __init__(self, model, patience: int):
        self.model, self.patience = model, patience
        self.best_loss = np.full(model.K, np.inf)
        self.best_epoch = np.zeros(model.K, dtype=np.int64)
        self.stopped_epoch = np.zeros(model.K, dtype=np.int64)
        self.since = np.zeros(model.K, dtype=np.int64)
        self.best = model.flat.clone()
        self.stopped = np.zeros(model.K, dtype=bool)

    def _copy(self, source, target, members: np.ndarray):
        index = torch.as_tensor(np.flatnonzero(members), device=source.device)
        for offset, size in self.model.blocks:
            s = source[offset: offset + size].view(self.model.K, -1)
            target[offset: offset + size].view(self.model.K, -1)[index] = s[index]

    def check(self, epoch: int, loss: np.ndarray) -> None:
        """Record the validation losses (K,) of the members after ``epoch``."""
        active = ~self.stopped
        better = active & (loss < self.best_loss)
        self.best_loss[better], self.best_epoch[better], self.since[better] = (
            loss[better], epoch, 0)
        self.since[active & ~better] += 1
        if better.any():
            self._copy(self.model.flat, self.best, better)
        self.stopped_epoch[active] = epoch
        newly = active & (self.since >= self.patience)
        self.stopped |= newly
        if newly.any():
            self._copy(self.best, self.model.flat, newly)

    def hold(self) -> None:
        """Put the stopped members back to their best weights (after a step)."""
        if self.stopped.any():
            self._copy(self.best, self.model.flat, self.stopped)

    def finish(self) -> None:
        """Every member ends with its best-validation weights."""
        self._copy(self.best, self.model.flat, np.ones(self.model.K, dtype=bool))


def train_ensemble(
    widths: Sequence[int],
    members: Sequence[Member],
    X,
    y,
    *,
    kind: str = "regression",
    epochs: int = 500,
    optimizer: str = "adam",
    momentum: float = 0.0,
    batch_size: int | None = None,
    activation: str = "relu",
    architecture: str = "mlp",
    input_shape: Sequence[int] | None = None,
    backward: str | None = None,
    eval_every: int | None = None,
    eval_data: dict | None = None,
    patience: int | None = None,
    check_every: int = 1,
    snapshot_epochs: Sequence[int] | None = None,
    device: str = "cpu",
    progress: bool | None = None,
    description: str = "ensemble",
) -> EnsembleResult:
    """Train one batched-model member per entry of ``members`` on (X, y).

    ``widths``: (n_inputs, *hidden, n_outputs) (see :func:`batched_model` for
    ``architecture`` and ``input_shape``); ``X`` (n, n_inputs); ``y`` (n, k) float
    targets or (n,) integer labels (``kind="classification"``, ``n_outputs`` classes).
    ``epochs`` passes over the data, each ``ceil(n / batch_size)`` steps (one with
    ``batch_size=None``, full batch).  ``optimizer``: ``"adam"``, ``"adamw"`` (the
    same update; decoupled decay is each member's ``weight_decay``) or ``"sgd"`` with
    ``momentum`` in [0, 1).  ``backward``: ``"hand"`` (the MLP's hand-written pass) or
    ``"autograd"`` (every other architecture always); ``None`` (default): the
    hand-written pass for the MLP unless a member has a ``dropout_penalty`` (autograd
    only: ``backward="hand"`` with one raises ``ValueError``).  ``eval_every``: record the
    evaluation-mode training loss every that many epochs (always at the end);
    ``eval_data``: ``{name: (X, y)}`` held-out sets whose loss is recorded at the same
    epochs (``result.eval_loss[name]``); they never influence training, except that
    ``patience`` (early stopping) watches ``eval_data["validation"]``, checked every
    ``check_every`` epochs (and at the end): a member whose validation loss has not
    improved for ``patience`` checks stops, and every member ends with its own
    best-validation weights (as :func:`~essay_lib.nets.training.train_model` with
    ``patience`` and ``restore_best``).  ``snapshot_epochs``: epochs in [1, ``epochs``]
    after which to keep a copy of the weights (:attr:`EnsembleResult.snapshots`).
    ``device``: ``"cpu"``, ``"cuda"`` or ``"auto"``.
    """
    members = _check_members(members)
    epochs = check_int("epochs", epochs)
    check_choice("optimizer", optimizer, OPTIMIZERS)
    momentum = check_number("momentum", momentum, minimum=0.0, maximum=1.0, high_closed=False)
    if momentum and optimizer != "sgd":
        raise ValueError(f"momentum is a setting of optimizer='sgd', got optimizer={optimizer!r}")
    if backward is not None:
        check_choice("backward", backward, BACKWARDS)
    penalized = any(m.dropout_penalty > 0 for m in members)
    if penalized and backward == "hand" and architecture == "mlp":
        raise ValueError("backward='hand' has no dropout_penalty (a member asks for one): "
                         "use backward='autograd' or None")
    snapshot_epochs = _check_snapshot_epochs(snapshot_epochs, epochs)
    if batch_size is not None:
        batch_size = check_int("batch_size", batch_size)
    if eval_every is not None:
        eval_every = check_int("eval_every", eval_every)
    check_every = check_int("check_every", check_every)
    check_kind(kind)
    if patience is not None:
        patience = check_int("patience", patience)
        if "validation" not in (eval_data or {}):
            raise ValueError("patience (early stopping) needs eval_data['validation']")
    dev = resolve_device(device)
    X_t, y_t = as_tensors(X, y, kind, dev)
    held_out = {name: as_tensors(*pair, kind, dev) for name, pair in (eval_data or {}).items()}
    model = batched_model(architecture, widths, [m.seed for m in members],
                          activation=activation, input_shape=input_shape, device=dev)
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
    hand = architecture == "mlp" and backward != "autograd" and not penalized
    trainer = (Trainer if hand else AutogradTrainer)(
        model, members, X_t, targets, kind, batch, epochs * per_epoch, optimizer, momentum)
    order = None if full else [torch.Generator().manual_seed(m.seed) for m in members]
    stopping = EarlyStopping(model, patience) if patience is not None else None
    result = EnsembleResult(model=model, members=members)
    history, held_history = [], {name: [] for name in held_out}

    def record(epoch):
        result.epochs.append(epoch)
        history.append(_evaluation_loss(model, X_t, y_t, kind))
        for name, (X_h, y_h) in held_out.items():
            held_history[name].append(_evaluation_loss(model, X_h, y_h, kind))

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
            last = epoch == epochs
            if stopping is not None:
                stopping.hold()
                if last or epoch % check_every == 0:
                    stopping.check(epoch, _evaluation_loss(model, *held_out["validation"], kind))
                    last = last or bool(stopping.stopped.all())
            if epoch in snapshot_epochs:
                result.snapshots[epoch] = model.flat.clone()
            if last or (eval_every is not None and epoch % eval_every == 0):
                record(epoch)
            if last:
                break
        if stopping is not None:  # every member ends with its best weights: the last row too
            stopping.finish()
            result.epochs.pop()
            history.pop()
            for values in held_history.values():
                values.pop()
            record(epoch)
            result.best_epoch, result.stopped_epoch = stopping.best_epoch, stopping.stopped_epoch
        for later in snapshot_epochs:  # after every member stopped: their final weights
            if later > epoch:
                result.snapshots[later] = model.flat.clone()
    bar.close()
    result.train_loss = np.stack(history).astype(np.float64)
    result.eval_loss = {name: np.stack(h).astype(np.float64) for name, h in held_history.items()}
    return result
