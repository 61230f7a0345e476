"""Dropout: masks, inverted scaling, Monte Carlo averaging, and the exact linear case.

Conventions
-----------
* ``drop_rate`` (written ``q``) is the probability of *dropping* a unit
  (PyTorch's ``p``); ``keep_prob = 1 - drop_rate`` is Srivastava et al.'s ``p``.
* A *keep mask* ``m`` has entries 1 (kept, probability ``1 - q``) or 0
  (dropped, probability ``q``), drawn independently per entry.
* Dropout here is *inverted*: ``x -> m * x / (1 - q)``, so that
  ``E[m * x / (1 - q)] = x`` and the network needs no rescaling at test time
  (the "weight scaling" rule is built in).
* Linear regression with inverted dropout on the inputs (rows of ``X`` are
  examples; every column is dropped, so centre the data rather than adding a
  constant column) has, averaged over masks, the loss

  ``E ||y - (M * X / (1 - q)) w||^2 = ||y - X w||^2 + q / (1 - q) * sum_j (X^T X)_jj w_j^2``

  whose minimiser is ``(X^T X + q / (1 - q) * diag(X^T X))^{-1} X^T y``
  (Srivastava et al. 2014, section 9.1; Wager et al. 2013).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from essay_lib.nets.models import MLP
from essay_lib.util.checks import (
    check_array,
    check_drop_rate,
    check_int,
    check_number,
    check_same_length,
    check_seed,
    is_number,
)

# ----------------------------------------------------------------------------- validation


def _check_generator(generator) -> torch.Generator | None:
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, "
                        f"got {type(generator).__name__}")
    return generator


def _as_matrix(name: str, value, *, ndim=(2,)) -> np.ndarray:
    return check_array(name, value, ndim=ndim)


def _regression_inputs(X, y, w=None):
    X = _as_matrix("X", X)
    y = _as_matrix("y", y, ndim=(1, 2))
    check_same_length(("X", X), ("y", y), what="number of rows")
    if w is None:
        return X, y
    w = _as_matrix("w", w, ndim=(1, 2))
    if w.shape[0] != X.shape[1]:
        raise ValueError(f"w must have one row per column of X ({X.shape[1]}), got shape {w.shape}")
    if w.ndim != y.ndim or (w.ndim == 2 and w.shape[1] != y.shape[1]):
        raise ValueError(f"w (shape {w.shape}) and y (shape {y.shape}) must both be vectors or "
                         "have the same number of columns")
    return X, y, w


# ----------------------------------------------------------------------------- masks
def keep_probability(drop_rate: float) -> float:
    """Srivastava et al.'s ``p`` (probability of keeping a unit) for a PyTorch ``drop_rate``."""
    return 1.0 - check_drop_rate("drop_rate", drop_rate)


def dropout_mask(shape, drop_rate: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """A Bernoulli *keep* mask: float32 tensor of ``shape`` with entries in {0, 1}.

    Each entry is 1 with probability ``1 - drop_rate`` and 0 with probability
    ``drop_rate``, independently.  The mask is *not* scaled; inverted dropout
    multiplies by ``mask / (1 - drop_rate)`` (see :func:`apply_dropout`).
    ``generator``: a seeded ``torch.Generator`` (None: torch's global stream).
    """
    q = check_drop_rate("drop_rate", drop_rate)
    generator = _check_generator(generator)
    if is_number(shape):
        shape = (shape,)
    if not isinstance(shape, Sequence) or not all(
            is_number(s) and float(s).is_integer() and s >= 0 for s in shape):
        raise ValueError(f"shape must be a tuple of non-negative integers, got {shape!r}")
    uniform = torch.rand(tuple(int(s) for s in shape), generator=generator)
    return (uniform >= q).to(torch.float32)


def apply_dropout(x, drop_rate: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Inverted dropout of ``x`` (tensor or array, any shape): ``x * mask / (1 - drop_rate)``.

    Returns a tensor of ``x``'s shape (float32 for numpy input); its expectation
    over masks is ``x``.  ``drop_rate = 0`` returns ``x`` unchanged (as a tensor).
    """
    q = check_drop_rate("drop_rate", drop_rate)
    try:
        x = torch.as_tensor(x)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise TypeError(f"x must be a tensor or an array of numbers ({exc})") from None
    if not torch.is_floating_point(x):
        raise TypeError(f"x must hold floating-point values, got dtype {x.dtype}")
    if q == 0.0:
        return x
    mask = dropout_mask(tuple(x.shape), q, generator).to(dtype=x.dtype, device=x.device)
    return x * mask / (1.0 - q)


# ----------------------------------------------------------------------------- MC averaging
def _dropout_modules(model: nn.Module) -> list[nn.Module]:
    """Modules whose dropout depends on their ``training`` flag and is actually on."""
    found = []
    for module in model.modules():
        if isinstance(module, MLP) and (module.input_drop_rate > 0 or any(module.drop_rates)):
            found.append(module)
        elif isinstance(module, nn.modules.dropout._DropoutNd) and module.p > 0:
            found.append(module)
    return found


@torch.no_grad()
def mc_predict(model: nn.Module, X, n_samples: int, seed: int = 0, *,
               max_rows: int = 1 << 16) -> np.ndarray:
    """Predictions of ``n_samples`` sampled sub-networks: float64 array (n_samples, n, k).

    Everything is in evaluation mode except dropout, which is switched on for
    :class:`~essay_lib.nets.models.MLP` modules (their own flag only) and ``nn.Dropout``
    layers; the previous modes are restored.  ``X`` (n, d) is stacked
    ``n_samples`` times and run in batches of at most ``max_rows`` rows, so each
    (sample, example) pair gets its own mask: for every example the
    ``n_samples`` outputs come from independent sub-networks.  Masks come from
    torch's global stream seeded with ``seed`` inside ``fork_rng`` (the caller's
    random state is untouched).  Average over axis 0 (or use
    :func:`running_mean`) for the Monte Carlo model average.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch nn.Module, got {type(model).__name__}")
    n_samples = check_int("n_samples", n_samples)
    max_rows = check_int("max_rows", max_rows)
    check_seed("seed", seed)
    X = _as_matrix("X", X)
    switch = _dropout_modules(model)
    if not switch:
        raise ValueError("model has no dropout with a rate > 0: Monte Carlo averaging would "
                         "repeat the deterministic prediction")
    device = next(model.parameters()).device
    X_t = torch.as_tensor(X, dtype=torch.float32, device=device)
    n = len(X_t)
    per_chunk = max(1, max_rows // n)
    modes = {m: m.training for m in model.modules()}
    outputs = []
    try:
        model.eval()
        for module in switch:
            module.training = True
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
            torch.manual_seed(int(seed))
            for start in range(0, n_samples, per_chunk):
                reps = min(per_chunk, n_samples - start)
                out = model(X_t.repeat(reps, 1))
                outputs.append(out.double().cpu().reshape(reps, n, -1))
    finally:
        for module, mode in modes.items():
            module.training = mode
    return torch.cat(outputs).numpy()


def running_mean(samples) -> np.ndarray:
    """Cumulative mean over axis 0: ``out[k-1] = mean(samples[:k], axis=0)`` for k = 1..K."""
    samples = _as_matrix("samples", samples, ndim=(1, 2, 3, 4))
    counts = np.arange(1, len(samples) + 1).reshape((-1,) + (1,) * (samples.ndim - 1))
    return np.cumsum(samples, axis=0) / counts


def first_sustained_index(condition) -> int | None:
    """Smallest index i with ``condition[j]`` true for every j >= i (None if the last is false).

    Used for "from which k on does the Monte Carlo curve stay within the
    tolerance": pass a boolean vector indexed by k - 1.
    """
    condition = np.asarray(condition)
    if condition.ndim != 1 or condition.size == 0 or condition.dtype != bool:
        raise ValueError(f"condition must be a non-empty 1-D boolean array, got dtype "
                         f"{condition.dtype} shape {condition.shape}")
    if not condition[-1]:
        return None
    failures = np.flatnonzero(~condition)
    return int(failures[-1] + 1) if failures.size else 0


def mc_convergence(samples, deterministic, y, *, n_streams: int = 1, tolerance: float = 0.01,
                   margin: float | None = None) -> dict:
    """How fast the Monte Carlo average of sub-networks approaches weight scaling (regression).

    ``samples``: (n_streams * K, n, k) from :func:`mc_predict`, cut into ``n_streams``
    independent streams of K consecutive samples; ``deterministic``: (n, k) predictions
    of the full network in evaluation mode; ``y``: targets (n, k).  Returns arrays over
    k = 1..K (key ``"k"``): ``"error"`` (n_streams, K) test MSE of each stream's
    running mean and ``"gap"`` (n_streams, K) RMS distance of that running mean from
    ``deterministic``; and scalars: ``"det_error"``, ``"floor"`` (RMS gap of the
    average of *all* samples), and first k values ("from k on, up to K"; None if never):
    ``"k_meet_relative"``: mean MC error <= (1 + tolerance) * det_error;
    ``"k_meet_margin"``: mean MC error <= det_error + margin (None without ``margin``),
    e.g. ``margin`` = the seed-to-seed spread of the test error;
    ``"k_settle"``: mean MC error within ``tolerance`` (relative) of its value at K.
    """
    samples = _as_matrix("samples", samples, ndim=(3,))
    n_streams = check_int("n_streams", n_streams)
    if len(samples) % n_streams:
        raise ValueError(f"samples ({len(samples)} rows) must split into n_streams={n_streams} "
                         "equal streams")
    det = _as_matrix("deterministic", deterministic)
    y = _as_matrix("y", y)
    if det.shape != samples.shape[1:] or y.shape != det.shape:
        raise ValueError(f"deterministic {det.shape} and y {y.shape} must both have shape "
                         f"{samples.shape[1:]}")
    check_number("tolerance", tolerance, minimum=0.0)
    if margin is not None:
        check_number("margin", margin, minimum=0.0)
    n_k = len(samples) // n_streams
    running = running_mean(samples.reshape(n_streams, n_k, *det.shape).swapaxes(0, 1))
    error = ((running - y) ** 2).mean(axis=(2, 3)).T
    det_error = float(((det - y) ** 2).mean())
    mean_error = error.mean(axis=0)

    def first_k(condition):
        index = first_sustained_index(np.asarray(condition, dtype=bool))
        return None if index is None else index + 1

    return {"k": np.arange(1, n_k + 1), "error": error,
            "gap": np.sqrt(((running - det) ** 2).mean(axis=(2, 3))).T,
            "det_error": det_error,
            "floor": float(np.sqrt(((samples.mean(axis=0) - det) ** 2).mean())),
            "k_meet_relative": first_k(mean_error <= (1 + tolerance) * det_error),
            "k_meet_margin": None if margin is None else first_k(mean_error <= det_error + margin),
            "k_settle": first_k(np.abs(mean_error - mean_error[-1])
                                <= tolerance * abs(mean_error[-1]))}


# ----------------------------------------------------------------------------- linear regression
def ridge_equivalent_weights(X, y, drop_rate: float) -> np.ndarray:
    """Minimiser of the expected input-dropout loss: float64, shape of ``y`` with d rows.

    ``(X^T X + q / (1 - q) * diag(X^T X))^{-1} X^T y`` for ``X`` (n, d), ``y`` (n,)
    or (n, k), ``q = drop_rate`` in [0, 1).  ``q = 0`` gives ordinary least squares.
    Raises ``ValueError`` when the system is singular (e.g. q = 0 with n < d).
    """
    q = check_drop_rate("drop_rate", drop_rate)
    X, y = _regression_inputs(X, y)
    gram = X.T @ X
    matrix = gram + q / (1.0 - q) * np.diag(np.diag(gram))
    try:
        return np.linalg.solve(matrix, X.T @ y)
    except np.linalg.LinAlgError as error:
        raise ValueError(f"X^T X + q/(1-q) diag(X^T X) is singular for drop_rate={q}: "
                         "X has a zero or duplicated column, or too few rows") from error


def expected_dropout_loss(X, y, w, drop_rate: float) -> float:
    """``||y - X w||^2 + q / (1 - q) * sum_j (X^T X)_jj w_j^2`` (a sum of squares, not a mean).

    The exact mean over keep masks of ``||y - (M * X / (1 - q)) w||^2``; ``w`` has
    shape (d,) with ``y`` (n,), or (d, k) with ``y`` (n, k).
    """
    q = check_drop_rate("drop_rate", drop_rate)
    X, y, w = _regression_inputs(X, y, w)
    residual = y - X @ w
    column_energy = (X ** 2).sum(axis=0)
    w2 = w ** 2 if w.ndim == 1 else (w ** 2).sum(axis=1)
    return float((residual ** 2).sum() + q / (1.0 - q) * column_energy @ w2)


def mc_dropout_loss(X, y, w, drop_rate: float, n_samples: int,
                    seed: int = 0) -> tuple[float, float]:
    """Monte Carlo estimate of :func:`expected_dropout_loss`: ``(mean, standard_error)``.

    Draws ``n_samples`` independent keep masks of ``X``'s shape, applies inverted
    dropout and averages ``||y - X_dropped w||^2``.  Seeded by ``seed``.
    """
    q = check_drop_rate("drop_rate", drop_rate)
    X, y, w = _regression_inputs(X, y, w)
    n_samples = check_int("n_samples", n_samples, minimum=2)
    generator = torch.Generator().manual_seed(int(seed))
    X_t, y_t, w_t = (torch.as_tensor(a, dtype=torch.float64) for a in (X, y, w))
    losses = []
    chunk = max(1, (1 << 22) // X.size)
    for start in range(0, n_samples, chunk):
        reps = min(chunk, n_samples - start)
        X_drop = apply_dropout(X_t.expand(reps, *X_t.shape), q, generator)
        residual = y_t - X_drop @ w_t
        losses.append(residual.pow(2).flatten(1).sum(dim=1))
    losses = torch.cat(losses).numpy()
    return float(losses.mean()), float(losses.std(ddof=1) / np.sqrt(n_samples))


def fit_input_dropout_regression(X, y, drop_rate: float, *, steps: int = 4000, lr: float = 0.05,
                                 average_from: float = 0.5, seed: int = 0) -> np.ndarray:
    """Linear regression (no bias) trained with inverted input dropout: w, float64 (d,) or (d, k).

    Plain full-batch gradient descent on the mean squared error
    ``(1/n) ||y - X_dropped w||^2`` with a fresh keep mask (every entry of ``X``)
    each step, starting from ``w = 0``; ``lr`` in (0, 1] is scaled by ``1 / max_j
    mean_i X_ij^2`` to make it unit-free.  The returned weights are the average of
    the iterates after the first ``average_from`` fraction of the steps
    (Polyak-Ruppert averaging), which removes most of the mask noise.
    Masks come from a ``torch.Generator`` seeded with ``seed``.
    """
    q = check_drop_rate("drop_rate", drop_rate)
    X, y = _regression_inputs(X, y)
    steps = check_int("steps", steps, minimum=2)
    check_number("lr", lr, minimum=0.0, maximum=1.0, low_closed=False)
    check_number("average_from", average_from, minimum=0.0, maximum=1.0, high_closed=False)
    n = len(X)
    step_size = lr / max(float((X ** 2).mean(axis=0).max()), 1e-12)
    generator = torch.Generator().manual_seed(int(seed))
    X_t, y_t = (torch.as_tensor(a, dtype=torch.float64) for a in (X, y))
    w = torch.zeros((X.shape[1],) + y.shape[1:], dtype=torch.float64)
    total = torch.zeros_like(w)
    first = int(average_from * steps)
    for step in range(steps):
        X_drop = apply_dropout(X_t, q, generator)
        gradient = -2.0 / n * X_drop.T @ (y_t - X_drop @ w)
        w = w - step_size * gradient
        if step >= first:
            total += w
    return (total / (steps - first)).numpy()


# ----------------------------------------------------------------------------- activations
@torch.no_grad()
def hidden_activation_stats(model: MLP, X) -> dict[str, np.ndarray]:
    """Per hidden layer, in evaluation mode: ``"mean"``, ``"active_fraction"``, ``"dead_units"``.

    ``mean``: average over examples and units of the activation (after the
    nonlinearity, before dropout); ``active_fraction``: share of (example, unit)
    pairs with activation > 0; ``dead_units``: number of units that are <= 0 for
    every row of ``X``.  Arrays of shape (n_hidden_layers,).
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an essay_lib.nets.models.MLP, got {type(model).__name__}")
    X = check_array("X", X, ndim=2, columns=model.widths[0])
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    _, hidden = model.forward_with_hidden(torch.as_tensor(X, dtype=torch.float32, device=device))
    model.train(was_training)
    return {"mean": np.array([float(h.double().mean()) for h in hidden]),
            "active_fraction": np.array([float((h > 0).double().mean()) for h in hidden]),
            "dead_units": np.array([int((h.max(dim=0).values <= 0).sum()) for h in hidden])}
