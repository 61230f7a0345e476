"""Training one model: full- or mini-batch, Adam or SGD, L1/L2 penalties, early stopping.

Randomness conventions (shared with the batched trainer in :mod:`essay_lib.nets.ensemble`):

* initial weights come from ``make_mlp(..., seed=seed)``;
* mini-batch order: one ``torch.Generator`` seeded with ``seed``; each epoch
  draws ``torch.randperm(n, generator=...)`` and cuts it into consecutive batches
  (:func:`batch_indices`); full batch uses all rows in order;
* dropout masks are drawn from torch's global stream, seeded with ``seed``
  inside ``torch.random.fork_rng`` so the caller's global state is untouched.

Losses: mean squared error for regression (targets (n, 1) float), cross-entropy
on logits for classification (labels (n,) int).  The penalty is added to the
mean data loss; the recorded history holds the *data* loss only.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass, field

import numpy as np
import torch

from essay_lib.nets.losses import check_kind, data_loss, r2_score
from essay_lib.nets.regularization import l1_penalty, l2_penalty
from essay_lib.util.checks import check_array, check_int, check_number, check_seed
from essay_lib.util.progress import progress_bar

OPTIMIZERS = ("adam", "sgd")


def resolve_device(device: str | torch.device = "cpu") -> torch.device:
    """``"cpu"``, ``"cuda"`` (falls back to CPU with a warning when absent) or ``"auto"``."""
    name = str(device)
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda"):
        if torch.cuda.is_available():
            return torch.device(name)
        warnings.warn("device='cuda' was asked for but no CUDA device is present; using the CPU",
                      RuntimeWarning, stacklevel=2)
        return torch.device("cpu")
    if name != "cpu":
        raise ValueError(f"device must be 'cpu', 'cuda' or 'auto', got {device!r}")
    return torch.device("cpu")


def n_inputs_of(model: torch.nn.Module) -> int | None:
    """The number of input features of an essay_lib model (``model.widths[0]``), else None."""
    widths = getattr(model, "widths", None)
    return int(widths[0]) if widths else None


def as_tensors(X, y, kind: str, device: torch.device, *, columns: int | None = None
               ) -> tuple[torch.Tensor, torch.Tensor]:
    """Validate and convert inputs (n, d) and targets ((n, k) float or (n,) int) to tensors;
    ``columns``: the number of input features the model expects (d), when known."""
    check_kind(kind)
    X = np.asarray(X.cpu() if isinstance(X, torch.Tensor) else X)
    y = np.asarray(y.cpu() if isinstance(y, torch.Tensor) else y)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n, d), got {X.shape}")
    if columns is not None and X.shape[1] != columns:
        raise ValueError(f"X must have {columns} columns (the model's inputs), got {X.shape[1]}")
    if len(X) == 0:
        raise ValueError("X must have at least one row")
    if len(y) != len(X):
        raise ValueError(f"X and y must have the same number of rows, got {len(X)} and {len(y)}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite values")
    if kind == "regression":
        y = y.reshape(len(y), -1)
        if not np.all(np.isfinite(y)):
            raise ValueError("y contains NaN or infinite values")
        y_t = torch.as_tensor(y, dtype=torch.float32, device=device)
    else:
        if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"classification labels y must be integers of shape (n,), "
                             f"got dtype {y.dtype} shape {y.shape}")
        y_t = torch.as_tensor(y, dtype=torch.long, device=device)
    return torch.as_tensor(X, dtype=torch.float32, device=device), y_t


def batch_indices(n: int, batch_size: int | None, generator: torch.Generator) -> list[torch.Tensor]:
    """Index batches for one epoch: all rows in order (full batch) or a shuffled split."""
    if batch_size is None or batch_size >= n:
        return [torch.arange(n)]
    order = torch.randperm(n, generator=generator)
    return list(order.split(batch_size))


@dataclass
class TrainingResult:
    """What :func:`train_model` returns.

    ``train_loss`` / ``held_out_loss``: data loss (no penalty) of the whole
    training set / of the held-out rows given as ``validation`` in evaluation mode,
    recorded every ``eval_every`` epochs at the epochs listed in ``epochs`` (1-based).
    ``held_out``: which rows those are, ``"validation"`` (the default) or ``"test"``
    (a curve that chooses nothing, e.g. chapter 00's).  ``best_epoch``: the epoch with
    the lowest held-out loss (``None`` without held-out rows); ``stopped_epoch``: the
    last epoch trained.
    """

    model: torch.nn.Module
    epochs: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    held_out_loss: list[float] = field(default_factory=list)
    held_out: str = "validation"
    best_epoch: int | None = None
    stopped_epoch: int = 0
    restored_best: bool = False


def make_optimizer(name: str, params, lr: float) -> torch.optim.Optimizer:
    """Adam or plain SGD (no momentum) with learning rate ``lr``."""
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {name!r}")


@torch.no_grad()
def evaluate_loss(model: torch.nn.Module, X: torch.Tensor, y: torch.Tensor, kind: str) -> float:
    """Data loss of ``model`` on (X, y) in evaluation mode (restores the previous mode)."""
    was_training = model.training
    model.eval()
    loss = float(data_loss(model(X), y, kind))
    model.train(was_training)
    return loss


def train_model(
    model: torch.nn.Module,
    X,
    y,
    *,
    kind: str = "regression",
    epochs: int = 500,
    lr: float = 1e-2,
    optimizer: str = "adam",
    batch_size: int | None = None,
    l1: float = 0.0,
    l2: float = 0.0,
    validation: tuple | None = None,
    patience: int | None = None,
    restore_best: bool = True,
    eval_every: int = 1,
    seed: int = 0,
    device: str = "cpu",
    progress: bool | None = None,
    description: str = "training",
) -> TrainingResult:
    """Train ``model`` in place on (X, y) and return its loss history.

    ``epochs``: passes over the data (one step each with ``batch_size=None``).
    ``l1``, ``l2``: penalty coefficients (>= 0) on the weights, see
    :mod:`essay_lib.nets.regularization`.  ``validation=(X_val, y_val)`` records a
    validation curve; with ``patience`` (in evaluations) training stops when the
    validation loss has not improved for that long, and with ``restore_best`` the
    best weights are put back.  ``progress``: tqdm bar on/off (``None``: see
    :mod:`essay_lib.util.progress`).
    """
    epochs = check_int("epochs", epochs)
    lr = check_number("lr", lr, minimum=0.0, low_closed=False)
    l1 = check_number("l1", l1, minimum=0.0)
    l2 = check_number("l2", l2, minimum=0.0)
    eval_every = check_int("eval_every", eval_every)
    seed = check_seed("seed", seed)
    if batch_size is not None:
        batch_size = check_int("batch_size", batch_size)
    if patience is not None:
        patience = check_int("patience", patience)
        if validation is None:
            raise ValueError("patience (early stopping) needs validation=(X_val, y_val)")
    dev = resolve_device(device)
    X_t, y_t = as_tensors(X, y, kind, dev, columns=n_inputs_of(model))
    X_v = y_v = None
    if validation is not None:
        if len(validation) != 2:
            raise ValueError("validation must be a pair (X_val, y_val)")
        X_v, y_v = as_tensors(validation[0], validation[1], kind, dev)
    model.to(dev)
    opt = make_optimizer(optimizer, model.parameters(), lr)
    order_generator = torch.Generator().manual_seed(int(seed))
    result = TrainingResult(model=model)
    best_loss, best_state, since_best = np.inf, None, 0
    bar = progress_bar(range(1, epochs + 1), enabled=progress, desc=description)
    with torch.random.fork_rng(devices=[dev] if dev.type == "cuda" else []):
        torch.manual_seed(int(seed))
        for epoch in bar:
            model.train()
            for idx in batch_indices(len(X_t), batch_size, order_generator):
                idx = idx.to(dev)
                loss = data_loss(model(X_t[idx]), y_t[idx], kind)
                if l1 > 0:
                    loss = loss + l1_penalty(model, l1)
                if l2 > 0:
                    loss = loss + l2_penalty(model, l2)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
            result.stopped_epoch = epoch
            if epoch % eval_every and epoch != epochs:
                continue
            result.epochs.append(epoch)
            result.train_loss.append(evaluate_loss(model, X_t, y_t, kind))
            if X_v is None:
                continue
            val = evaluate_loss(model, X_v, y_v, kind)
            result.held_out_loss.append(val)
            if val < best_loss:
                best_loss, result.best_epoch, since_best = val, epoch, 0
                if restore_best and patience is not None:
                    best_state = copy.deepcopy(model.state_dict())
            else:
                since_best += 1
            bar.set_postfix(train=f"{result.train_loss[-1]:.3g}", val=f"{val:.3g}")
            if patience is not None and since_best >= patience:
                break
    bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
        result.restored_best = True
    model.eval()
    return result


@torch.no_grad()
def predict(model: torch.nn.Module, X, *, device: str = "cpu") -> np.ndarray:
    """Model output in evaluation mode as a float64 array (n, k); ``X`` has shape (n, d)."""
    if np.ndim(X) != 2:
        raise ValueError(f"X must have shape (n, d), got {np.shape(X)}")
    X = check_array("X", X, ndim=2, columns=n_inputs_of(model))
    dev = resolve_device(device)
    model.to(dev)
    was_training = model.training
    model.eval()
    out = model(torch.as_tensor(X, dtype=torch.float32, device=dev))
    model.train(was_training)
    return out.double().cpu().numpy()


def score(model: torch.nn.Module, X, y, *, kind: str) -> dict[str, float]:
    """Evaluation-mode metrics: ``loss`` always; ``r2`` (regression) or ``accuracy``."""
    out = predict(model, X)
    X_t, y_t = as_tensors(X, y, kind, torch.device("cpu"))
    loss = float(data_loss(torch.as_tensor(out, dtype=torch.float32), y_t, kind))
    if kind == "regression":
        return {"loss": loss, "r2": r2_score(y_t.double().numpy(), out)}
    return {"loss": loss, "accuracy": float((out.argmax(axis=1) == y_t.numpy()).mean())}
