"""Chapter 02's measurements of dropout, each a loop over networks or drop rates.

Built on :mod:`essay_lib.nets.dropout` (same conventions: ``drop_rate`` ``q`` is the
probability of *dropping* a unit, PyTorch's ``p``; ``keep_prob = 1 - q`` is Srivastava
et al.'s ``p``; dropout is inverted, so the deterministic network *is* the
weight-scaling rule).

* :func:`sample_subnetwork_masks`: keep masks of a few sub-networks of one network;
* :func:`mc_convergence_many`: :func:`~essay_lib.nets.dropout.mc_convergence` for many
  trained networks (Monte Carlo averaging against weight scaling);
* :func:`tabulate_convergence`: their summary numbers as (row, column) arrays;
* :func:`meeting_point`: the "within ``tolerance``" meeting point of one result for
  another tolerance, from its stored error curve;
* :func:`ridge_check`: input dropout on linear regression against its ridge closed form
  (expected loss by Monte Carlo, weights by training) at several drop rates;
* :func:`loss_along_line`: the expected input-dropout loss, exact and by Monte Carlo,
  along the line through two weight vectors;
* :func:`penalty_check`: dropout's explicit penalty (chapter 06) against Monte Carlo over
  masks of the last hidden layer, on one trained network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from torch import nn

from essay_lib.nets import dropout
from essay_lib.nets.engine import mlp_forward
from essay_lib.nets.losses import data_loss
from essay_lib.nets.penalties import dropout_penalty
from essay_lib.nets.training import predict
from essay_lib.util.checks import (
    check_array,
    check_drop_rate,
    check_int,
    check_int_sequence,
    check_number,
    check_seed,
)
from essay_lib.util.progress import progress_bar

__all__ = ["loss_along_line", "meeting_point", "mc_convergence_many", "penalty_check",
           "ridge_check", "sample_subnetwork_masks", "tabulate_convergence"]

#: the scalar summaries of one :func:`~essay_lib.nets.dropout.mc_convergence` result
FLOAT_SUMMARIES = ("det_error", "error_first", "error_last", "excess", "floor")
K_SUMMARIES = ("k_meet_relative", "k_meet_margin", "k_settle")


# ----------------------------------------------------------------------------- sub-networks
def sample_subnetwork_masks(widths: Sequence[int], drop_rates: Sequence[float], n_samples: int,
                            generator: torch.Generator | None = None) -> list[list[torch.Tensor]]:
    """Keep masks of ``n_samples`` sub-networks: a list of ``n_samples`` lists of one float32
    0/1 tensor (width,) per layer.

    ``widths``: units per layer (inputs first, outputs last); ``drop_rates``: one drop rate
    per layer (0 for a layer that is never dropped, e.g. the outputs).  Masks are drawn
    with :func:`~essay_lib.nets.dropout.dropout_mask` from ``generator``, sample after
    sample and layer after layer within a sample.
    """
    widths = check_int_sequence("widths", widths, minimum=1)
    if isinstance(drop_rates, (str, bytes)) or not isinstance(drop_rates, Sequence):
        raise TypeError(f"drop_rates must be a sequence of drop rates, got "
                        f"{type(drop_rates).__name__}")
    if len(drop_rates) != len(widths):
        raise ValueError(f"drop_rates must hold one drop rate per layer ({len(widths)}), "
                         f"got {len(drop_rates)}")
    rates = [check_drop_rate(f"drop_rates[{i}]", q) for i, q in enumerate(drop_rates)]
    n_samples = check_int("n_samples", n_samples)
    return [[dropout.dropout_mask((w,), q, generator) for w, q in zip(widths, rates, strict=True)]
            for _ in range(n_samples)]


# ----------------------------------------------------------------------------- MC averaging
def mc_convergence_many(nets: Mapping, X, y, *, k_max: int, n_streams: int,
                        tolerance: float = 0.01, margin: float | None = None,
                        seeds: Mapping | int = 0, progress: bool | None = None) -> dict:
    """Monte Carlo averaging against weight scaling for every network of ``nets``.

    ``nets``: key -> trained regression network with dropout (e.g. an
    :class:`~essay_lib.nets.models.MLP` carrying its drop rates); ``X`` (n, d), ``y``
    (n, k): the points and targets (e.g. the test split).  For each network,
    ``k_max * n_streams`` sub-networks per example are sampled with
    :func:`~essay_lib.nets.dropout.mc_predict` (seed ``seeds[key]``, or ``seeds`` itself
    when it is an int), cut into ``n_streams`` streams of ``k_max``, and compared with the
    deterministic prediction by :func:`~essay_lib.nets.dropout.mc_convergence` (with
    ``tolerance`` and ``margin``).  Returns key -> that function's dict, in ``nets``' order.
    """
    if not isinstance(nets, Mapping) or not nets:
        raise TypeError("nets must be a non-empty mapping from key to network")
    for key, net in nets.items():
        if not isinstance(net, nn.Module):
            raise TypeError(f"nets[{key!r}] must be a torch nn.Module, got {type(net).__name__}")
    k_max = check_int("k_max", k_max)
    n_streams = check_int("n_streams", n_streams)
    X = check_array("X", X, ndim=2)
    y = check_array("y", y, ndim=2, min_rows=len(X))
    check_number("tolerance", tolerance, minimum=0.0)
    for key, net in nets.items():
        n_inputs = getattr(net, "widths", (X.shape[1],))[0]
        if X.shape[1] != n_inputs:
            raise ValueError(f"X must have {n_inputs} columns (the inputs of nets[{key!r}]), "
                             f"got {X.shape[1]}")
    if isinstance(seeds, Mapping):
        missing = [key for key in nets if key not in seeds]
        if missing:
            raise ValueError(f"seeds has no seed for the network {missing[0]!r}")
        seed_of = {key: check_seed(f"seeds[{key!r}]", seeds[key]) for key in nets}
    else:
        seed_of = dict.fromkeys(nets, check_seed("seeds", seeds))
    out = {}
    for key in progress_bar(list(nets), enabled=progress, desc="Monte Carlo averaging"):
        samples = dropout.mc_predict(nets[key], X, k_max * n_streams, seed=seed_of[key])
        out[key] = dropout.mc_convergence(samples, predict(nets[key], X), y, n_streams=n_streams,
                                          tolerance=tolerance, margin=margin)
    return out


def tabulate_convergence(results: Mapping, rows: Sequence, columns: Sequence, *,
                         missing: str | None = None) -> dict:
    """Summaries of :func:`mc_convergence_many` results as arrays (len(rows), len(columns)).

    ``results[(row, column)]`` must exist for every pair (e.g. rows = drop rates, columns =
    seeds).  Float arrays: ``det_error`` (test MSE of the deterministic, weight-scaled
    network), ``error_first`` / ``error_last`` (Monte Carlo test MSE at k = 1 / k = K,
    mean over streams), ``excess`` (``error_last / det_error - 1``, a fraction),
    ``floor`` (RMS gap of the all-sample average); object arrays of int or ``None``:
    ``k_meet_relative``, ``k_meet_margin``, ``k_settle`` (``missing`` instead of ``None``
    when given, e.g. ``"not within 200"`` for a table).
    """
    if missing is not None and not isinstance(missing, str):
        raise TypeError(f"missing must be a string or None, got {type(missing).__name__}")
    if not isinstance(results, Mapping):
        raise TypeError(f"results must be a mapping, got {type(results).__name__}")
    rows, columns = list(rows), list(columns)
    if not rows or not columns:
        raise ValueError("rows and columns must each name at least one entry")
    absent = [(r, c) for r in rows for c in columns if (r, c) not in results]
    if absent:
        raise ValueError(f"results has no entry for {absent[0]!r}")
    table = {name: np.empty((len(rows), len(columns))) for name in FLOAT_SUMMARIES}
    table.update({name: np.empty((len(rows), len(columns)), dtype=object)
                  for name in K_SUMMARIES})
    for i, r in enumerate(rows):
        for j, c in enumerate(columns):
            result = results[r, c]
            error = np.asarray(result["error"])
            table["det_error"][i, j] = result["det_error"]
            table["error_first"][i, j] = error[:, 0].mean()
            table["error_last"][i, j] = error[:, -1].mean()
            table["excess"][i, j] = error[:, -1].mean() / result["det_error"] - 1
            table["floor"][i, j] = result["floor"]
            for name in K_SUMMARIES:
                k = result[name]
                table[name][i, j] = missing if k is None and missing is not None else k
    return table


def meeting_point(result: Mapping, tolerance: float) -> int | None:
    """First k from which on (up to K) the mean Monte Carlo error of ``result`` (a dict of
    :func:`~essay_lib.nets.dropout.mc_convergence`) stays <= ``(1 + tolerance) *
    det_error``; ``None`` if it never does.  With the tolerance the result was computed
    with, this is its ``"k_meet_relative"``."""
    check_number("tolerance", tolerance, minimum=0.0)
    if not isinstance(result, Mapping) or "error" not in result or "det_error" not in result:
        raise TypeError("result must be a dict of dropout.mc_convergence")
    mean_error = check_array("result['error']", result["error"], ndim=2).mean(axis=0)
    index = dropout.first_sustained_index(mean_error <= (1 + tolerance) * result["det_error"])
    return None if index is None else index + 1


# ----------------------------------------------------------------------------- linear regression
def ridge_check(X, y, drop_rates: Sequence[float], *, n_masks: int, steps: int,
                seed: int = 0) -> list[dict]:
    """Input dropout on linear regression against its closed form, at each drop rate.

    ``X`` (n, d) (centred: no intercept), ``y`` (n,).  Per drop rate ``q`` a dict:
    ``q``; ``w`` the closed form :func:`~essay_lib.nets.dropout.ridge_equivalent_weights`
    (d,); ``exact``: :func:`~essay_lib.nets.dropout.expected_dropout_loss` at ``w`` (a sum
    of squares); ``mc``, ``se``: its Monte Carlo estimate over ``n_masks`` masks and the
    standard error; ``z = (mc - exact) / se``; ``trained``: weights trained with input
    dropout for ``steps`` steps (:func:`~essay_lib.nets.dropout.fit_input_dropout_regression`);
    ``w_err``: ``||trained - w|| / ||w||``; ``ols_dist``: ``||w_ols - w|| / ||w||``.
    Every random draw is seeded with ``seed``.
    """
    if isinstance(drop_rates, (str, bytes)) or not isinstance(drop_rates, Sequence) \
            or not drop_rates:
        raise TypeError("drop_rates must be a non-empty sequence of drop rates")
    rates = [check_drop_rate(f"drop_rates[{i}]", q) for i, q in enumerate(drop_rates)]
    n_masks = check_int("n_masks", n_masks, minimum=2)
    steps = check_int("steps", steps, minimum=2)
    seed = check_seed("seed", seed)
    w_ols = dropout.ridge_equivalent_weights(X, y, 0.0)
    rows = []
    for q in rates:
        w_q = dropout.ridge_equivalent_weights(X, y, q)
        exact = dropout.expected_dropout_loss(X, y, w_q, q)
        mc_mean, mc_se = dropout.mc_dropout_loss(X, y, w_q, q, n_masks, seed=seed)
        trained = dropout.fit_input_dropout_regression(X, y, q, steps=steps, seed=seed)
        rows.append({"q": q, "w": w_q, "trained": trained, "exact": exact, "mc": mc_mean,
                     "se": mc_se, "z": (mc_mean - exact) / mc_se,
                     "w_err": np.linalg.norm(trained - w_q) / np.linalg.norm(w_q),
                     "ols_dist": np.linalg.norm(w_ols - w_q) / np.linalg.norm(w_q)})
    return rows


def loss_along_line(X, y, w_start, w_end, drop_rate: float, t_points, t_fine, *,
                    n_masks: int, seed: int = 0) -> dict:
    """The expected input-dropout loss along ``w(t) = w_start + t (w_end - w_start)``.

    ``X`` (n, d), ``y`` (n,), ``w_start``, ``w_end`` (d,); ``t_points``, ``t_fine``: 1-D
    positions.  Returns ``t_fine`` and ``curve`` (exact loss there), and at ``t_points``
    (key ``t``): ``exact``, ``mc`` and ``se`` (Monte Carlo over ``n_masks`` masks, the
    j-th point seeded ``seed + j``); ``drop_rate`` and ``n_masks``.  Losses are sums of
    squares, as in :func:`~essay_lib.nets.dropout.expected_dropout_loss`.
    """
    q = check_drop_rate("drop_rate", drop_rate)
    w_start = check_array("w_start", w_start, ndim=1)
    w_end = check_array("w_end", w_end, ndim=1)
    if w_start.shape != w_end.shape:
        raise ValueError(f"w_start {w_start.shape} and w_end {w_end.shape} must have one shape")
    t_points = check_array("t_points", t_points, ndim=1)
    t_fine = check_array("t_fine", t_fine, ndim=1)
    n_masks = check_int("n_masks", n_masks, minimum=2)
    seed = check_seed("seed", seed)
    line = [w_start + t * (w_end - w_start) for t in t_points]
    mc = np.array([dropout.mc_dropout_loss(X, y, w, q, n_masks, seed=seed + j)
                   for j, w in enumerate(line)])
    return {"t": t_points, "exact": np.array([dropout.expected_dropout_loss(X, y, w, q)
                                              for w in line]),
            "mc": mc[:, 0], "se": mc[:, 1], "t_fine": t_fine,
            "curve": np.array([dropout.expected_dropout_loss(
                X, y, w_start + t * (w_end - w_start), q) for t in t_fine]),
            "drop_rate": q, "n_masks": n_masks}


@torch.no_grad()
def penalty_check(net, X, y, drop_rate: float, *, kind: str, n_masks: int = 2000,
                  seed=0) -> dict[str, float]:
    """Dropout's explicit penalty against Monte Carlo, on one network.

    ``net``: an :class:`~essay_lib.nets.models.MLP` (its own dropout ignored); ``X`` (n, d),
    ``y`` (n, k) targets (regression) or (n,) class indices; ``drop_rate``: the rate of
    dropout on the **last** hidden layer (inverted masks, one per row and draw);
    ``kind``: ``"regression"`` or ``"classification"``.  Returns ``plain`` (the data loss of
    the weight-scaled network), ``explicit`` (that plus the penalty of
    :mod:`essay_lib.nets.penalties`: exact for regression, second order for
    classification), ``monte_carlo`` (the mean loss over ``n_masks`` draws) and
    ``standard_error`` (of that mean), all in float64.
    """
    q = check_drop_rate("drop_rate", drop_rate)
    n_masks = check_int("n_masks", n_masks, minimum=2)
    layers = [(w.detach().double(), b.detach().double()) for w, b in net.layer_parameters()]
    X_t = torch.as_tensor(check_array("X", X, ndim=2), dtype=torch.float64)
    y_t = torch.as_tensor(np.asarray(y))
    if kind == "regression":
        y_t = y_t.double().reshape(len(X_t), -1)
    f, hidden = mlp_forward(layers, X_t, net.activation)
    plain = data_loss(f, y_t, kind)
    explicit = plain + dropout_penalty(hidden[-1], layers[-1][0], f, q, kind)
    g = torch.Generator().manual_seed(check_seed("seed", seed))
    last = len(layers) - 1
    values = []
    for _ in range(n_masks):
        keep = (torch.rand(hidden[-1].shape, generator=g, dtype=torch.float64) >= q) / (1 - q)
        out = mlp_forward(layers, X_t, net.activation,
                          noise=lambda i, u, keep=keep: u * keep if i == last else u)[0]
        values.append(float(data_loss(out, y_t, kind)))
    values = np.array(values)
    return {"plain": float(plain), "explicit": float(explicit),
            "monte_carlo": float(values.mean()),
            "standard_error": float(values.std(ddof=1) / np.sqrt(n_masks))}
