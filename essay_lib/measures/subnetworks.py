"""Do dropout's sub-networks add up?  Additivity in *mask space* (DESIGN.md §3b).

Let f(x; m) be a network whose hidden units are multiplied by a mask m (1 keeps a unit,
0 removes it).  A draw picks a point x of the data, two disjoint sets A, B of hidden
units and a context C of the other units, and measures::

    u = f(x; C∪A) − f(x; C)     v = f(x; C∪B) − f(x; C)     w = f(x; C∪A∪B) − f(x; C)
    D = w − u − v = f(x; C∪A∪B) − f(x; C∪A) − f(x; C∪B) + f(x; C)
    Z_mask = Σ‖D‖ / Σ(‖u‖ + ‖v‖ + ‖w‖)     (ratio of sums over draws; 0/0 := 0)

Z_mask is 0 when what A adds to the output does not depend on whether B is there: the
sub-networks' contributions *add up*.  Unchanged by f → αf + c (α ≠ 0).

**The choices, and their defaults** (each one an argument, varied in chapter 06):

* ``keep_prob`` (0.5), in (0, 1]: each unit outside A ∪ B joins the context C with this
  probability (1: every one).
  It is a *keep* probability (Srivastava's p), the same for every network compared, not
  the drop rate a network was trained with.
* ``set_fraction`` (1/8): A and B hold ``max(1, round(set_fraction × pool))`` units each,
  where the pool is the hidden units they are drawn from (one 64-unit layer: 8 each; all
  128 units of a 2 × 64 network: 16 each); at most 1/2, so that the two sets fit side by
  side.
* ``layers`` (``"same"``, the main definition): A and B come from one hidden layer, drawn
  uniformly per draw; an int ``l``: always from hidden layer ``l`` (0 = the first);
  ``"all"`` (the cross-layer variant): from all hidden layers together.  C always spans
  every hidden layer.  Why same-layer sets are the main definition: a deep *linear*
  network f(x; m) = W_L (m_{L−1} ⊙ … W_2 (m_1 ⊙ W_1 x)) is linear in each layer's mask
  separately, so two sets of one layer add up exactly (D = 0, Z_mask = 0, as its function
  is linear), while sets in two layers multiply (D ≠ 0 for a function that is linear).
* ``inverted`` (True): kept units are multiplied by 1 / ``keep_prob``, as inverted
  dropout does in training, so f(x; C) is exactly one of the sub-networks that dropout
  at drop rate 1 − ``keep_prob`` trains; ``False`` uses plain 0/1 masks.  The same
  factor scales every mask, so the one-hidden-layer exact case holds either way.
* ``output`` (``"logits"``): the representation of :mod:`essay_lib.measures.batched`,
  raw logits as the records' Z̄; ``"centred_logits"`` removes the per-input shift that
  softmax ignores (classifiers).
* A draw: point index uniform over the rows of X, then A, B and C, all from
  ``numpy.random.default_rng(seed)``.  The draws depend on the seed, the widths and X's
  row count only, so every network of one architecture sees the *same* draws (common
  random numbers).  Input units are never masked.

**Why one hidden layer is additive by construction.**  With one hidden layer and a
linear read-out, f(x; m) = W₂ (s m ⊙ h(x)) + b₂ is affine in m, so D = 0 for every draw
and Monte Carlo averaging over masks equals weight scaling exactly:
E f(x; m / p) = f(x; E m / p) = f(x; 1).  From two hidden layers on, a unit's
contribution passes through the next layer's ReLUs, which depend on the other units.

:func:`mc_gap` measures that second consequence directly (chapter 02's question): how far
the Monte Carlo average over inverted masks lies from the weight-scaled (evaluation)
network.  Everything runs in float64 on the CPU; the masked passes of many draws go
through the network in one batched product per layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from essay_lib.measures.additivity import defect_parts, ratio_of_sums
from essay_lib.measures.batched import REPRESENTATIONS, represent
from essay_lib.nets.engine import ACTIVATIONS, mlp_forward
from essay_lib.nets.ensemble import BatchedMLP
from essay_lib.nets.models import MLP
from essay_lib.util.checks import (
    check_array,
    check_bool,
    check_choice,
    check_int,
    check_keep_prob,
    check_number,
    check_probability,
    check_seed,
)

__all__ = ["MaskSets", "SubnetworkAdditivity", "draw_mask_sets", "hidden_widths", "line_outputs",
           "masked_outputs", "mc_gap", "mc_gap_members", "subnetwork_additivity",
           "subnetwork_additivity_members"]

_ROWS = 1 << 14  # draws per batched pass (bounds the float64 activations)


@dataclass(frozen=True, eq=False)
class SubnetworkAdditivity:
    """Z_mask = Σ‖D‖ / Σ(‖u‖+‖v‖+‖w‖) and its per-draw parts.

    ``numerators`` (‖D‖) and ``denominators`` (‖u‖+‖v‖+‖w‖): (n_draws,) each;
    ``points`` (n_draws,): the row of X of each draw (for intervals over points);
    ``raw``: mean ‖D‖ in output units.
    """

    value: float
    raw: float
    numerators: np.ndarray
    denominators: np.ndarray
    points: np.ndarray
    keep_prob: float
    set_size: int

    @property
    def n_draws(self) -> int:
        return len(self.numerators)


@dataclass(frozen=True, eq=False)
class MaskSets:
    """The masks of ``n`` draws over H hidden units: ``context``, ``a``, ``b`` (n, H) bool
    (disjoint), ``points`` (n,) rows of X, and the size of A and B (−1 when it differs
    between the layers drawn from)."""

    context: np.ndarray
    a: np.ndarray
    b: np.ndarray
    points: np.ndarray
    set_size: int

    def stacked(self) -> np.ndarray:
        """(4, n, H) float masks C, C∪A, C∪B, C∪A∪B."""
        c, a, b = self.context, self.a, self.b
        return np.stack([c, c | a, c | b, c | a | b]).astype(np.float64)


def hidden_widths(model) -> tuple[int, ...]:
    """Widths of the hidden layers of an :class:`~essay_lib.nets.models.MLP` or a
    :class:`~essay_lib.nets.ensemble.BatchedMLP`; ``ValueError`` when there are none."""
    if not isinstance(model, (MLP, BatchedMLP)):
        raise TypeError(f"model must be an essay_lib MLP (nets.models.make_mlp) or a "
                        f"BatchedMLP, got {type(model).__name__}")
    if len(model.widths) < 3:
        raise ValueError("model must have at least one hidden layer (its units are masked)")
    return tuple(model.widths[1:-1])


def _layers_arg(layers, n_hidden: int):
    if isinstance(layers, str):
        return check_choice("layers", layers, ("all", "same"))
    return check_int("layers", layers, minimum=0, maximum=n_hidden - 1)


def draw_mask_sets(widths, n_points: int, n_draws: int, *, keep_prob: float = 0.5,
                   set_fraction: float = 0.125, layers="same", seed=0) -> MaskSets:
    """The draws of :func:`subnetwork_additivity` for hidden ``widths`` and ``n_points``
    rows (see the module docstring for each choice)."""
    widths = tuple(check_int(f"widths[{i}]", w, minimum=1) for i, w in enumerate(widths))
    n_points = check_int("n_points", n_points, minimum=1)
    n_draws = check_int("n_draws", n_draws, minimum=1)
    keep_prob = check_keep_prob("keep_prob", keep_prob)
    set_fraction = check_number("set_fraction", set_fraction, minimum=0.0, maximum=0.5,
                                low_closed=False)
    layers = _layers_arg(layers, len(widths))
    rng = np.random.default_rng(check_seed("seed", seed) if not isinstance(
        seed, np.random.Generator) else seed)
    H = sum(widths)
    starts = np.concatenate([[0], np.cumsum(widths)])
    points = rng.integers(0, n_points, size=n_draws)
    if layers == "all":
        pools = np.zeros(n_draws, dtype=int)
        spans = [(0, H)]
    else:
        spans = [(int(starts[i]), int(starts[i + 1])) for i in range(len(widths))]
        pools = (rng.integers(0, len(widths), size=n_draws) if layers == "same"
                 else np.full(n_draws, layers))
    sizes = [max(1, round(set_fraction * (hi - lo))) for lo, hi in spans]
    used = np.unique(pools)
    if any(2 * sizes[p] > spans[p][1] - spans[p][0] for p in used):
        raise ValueError(f"set_fraction={set_fraction} leaves no room for two disjoint sets "
                         f"in a pool of {min(hi - lo for lo, hi in spans)} units")
    size = sizes[used[0]] if len({sizes[p] for p in used}) == 1 else -1
    a, b = (np.zeros((n_draws, H), dtype=bool) for _ in range(2))
    order = rng.random((n_draws, H))
    for p in used:
        (lo, hi), s, rows = spans[p], sizes[p], np.flatnonzero(pools == p)
        ranks = np.argsort(order[rows, lo:hi], axis=1)
        for target, chosen in ((a, ranks[:, :s]), (b, ranks[:, s:2 * s])):
            sub = np.zeros((len(rows), hi - lo), dtype=bool)
            np.put_along_axis(sub, chosen, True, axis=1)
            target[rows, lo:hi] = sub
    context = (rng.random((n_draws, H)) < keep_prob) & ~a & ~b
    return MaskSets(context, a, b, points, int(size))


def _parameters(model, k: int = 0) -> tuple[list[tuple[torch.Tensor, torch.Tensor]], str]:
    """The engine's layers [(W (in, out), b (out,))] in float64 on the CPU, and the
    activation name."""
    if isinstance(model, MLP):
        params = [(w.detach().cpu().double(), b.detach().cpu().double())
                  for w, b in model.layer_parameters()]
    else:
        params = model.layer_parameters(member=k, dtype=torch.float64)
    return params, model.activation


@torch.no_grad()
def _masked(params, activation: str, X: torch.Tensor, points: torch.Tensor,
            masks: torch.Tensor) -> torch.Tensor:
    """f(X[points]; masks): masks (M, R, H) over R rows -> outputs (M, R, k), by the engine's
    :func:`~essay_lib.nets.engine.mlp_forward` with the masks as its noise.  The first
    hidden layer (no mask comes before it) is computed once on the rows of X."""
    first, _ = mlp_forward(params, X, activation, stop=0)
    offsets = np.cumsum([0, *(w.shape[0] for w, _ in params[1:])])

    def mask(i: int, units: torch.Tensor) -> torch.Tensor:  # i >= 1: hidden layer i - 1
        return units * masks[..., offsets[i - 1]: offsets[i]]

    return mlp_forward(params, ACTIVATIONS[activation](first)[points], activation, start=1,
                       noise=mask)[0]


def _check_model_and_points(model, X):
    widths = hidden_widths(model)
    X = check_array("X", X, ndim=2)
    n_inputs = model.widths[0]
    if X.shape[1] != n_inputs:
        raise ValueError(f"X must have {n_inputs} columns (the model's inputs), got "
                         f"{X.shape[1]}")
    return widths, X


def masked_outputs(model, X, masks, *, scale: float = 1.0, output: str = "logits"
                   ) -> np.ndarray:
    """f(x; scale × m) for every mask m and row x: float64 (M, n, k).

    ``model``: an :class:`~essay_lib.nets.models.MLP`; ``X`` (n, d); ``masks`` (M, H)
    over the H hidden units (layer after layer; 1 keeps a unit, fractions allowed);
    ``scale`` multiplies every mask (1 / keep probability for inverted dropout).
    """
    widths, X = _check_model_and_points(model, X)
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an essay_lib MLP, got {type(model).__name__}")
    masks = check_array("masks", masks, ndim=2, columns=sum(widths))
    scale = check_number("scale", scale, minimum=0.0, low_closed=False)
    check_choice("output", output, REPRESENTATIONS)
    params, activation = _parameters(model)
    n, M = len(X), len(masks)
    points = torch.arange(n).repeat(M)
    m = torch.as_tensor(scale * masks).repeat_interleave(n, dim=0)[None]
    out = _masked(params, activation, torch.as_tensor(X), points, m)[0]
    return represent(out, output).reshape(M, n, -1).numpy()


def _parts(params, activation, X_t, sets: MaskSets, masks: torch.Tensor, output: str):
    num, den = [], []
    for start in range(0, len(sets.points), _ROWS):
        part = slice(start, start + _ROWS)
        Y = represent(_masked(params, activation, X_t, torch.as_tensor(sets.points[part]),
                              masks[:, part]), output)
        parts = defect_parts(*Y)
        num.append(parts[0])
        den.append(parts[1])
    return torch.cat(num).numpy(), torch.cat(den).numpy()


def _result(num, den, sets: MaskSets, keep_prob: float) -> SubnetworkAdditivity:
    for array in (num, den):
        array.setflags(write=False)
    return SubnetworkAdditivity(ratio_of_sums(num, den), float(num.mean()), num, den,
                                sets.points, keep_prob, sets.set_size)


def subnetwork_additivity(model, X, *, keep_prob: float = 0.5, n_draws: int = 1000,
                          set_fraction: float = 0.125, layers="same", inverted: bool = True,
                          output: str = "logits", seed=0) -> SubnetworkAdditivity:
    """Z_mask of ``model`` over ``n_draws`` draws on the rows of ``X`` (DESIGN.md §3b).

    ``model``: an :class:`~essay_lib.nets.models.MLP` with >= 1 hidden layer (evaluation
    mode; its own dropout is ignored); ``X`` (n, d) finite; the other arguments are the
    choices of the module docstring.  Returns a :class:`SubnetworkAdditivity`.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an essay_lib MLP (nets.models.make_mlp), got "
                        f"{type(model).__name__}")
    return subnetwork_additivity_members(model, X, keep_prob=keep_prob, n_draws=n_draws,
                                         set_fraction=set_fraction, layers=layers,
                                         inverted=inverted, output=output, seed=seed)[0]


def subnetwork_additivity_members(model, X, *, keep_prob: float = 0.5, n_draws: int = 1000,
                                  set_fraction: float = 0.125, layers="same",
                                  inverted: bool = True, output: str = "logits", seed=0
                                  ) -> list[SubnetworkAdditivity]:
    """:func:`subnetwork_additivity` of every member of a
    :class:`~essay_lib.nets.ensemble.BatchedMLP` (or of one MLP), on the same draws; one
    result per member, each equal to the member's own measure.

    ``keep_prob``: one keep probability for all, or a sequence of one per member (e.g.
    each network's own training keep probability; ``None`` leaves a member unmeasured, its
    result ``None``); members with equal keep probabilities share their draws (the draws
    depend on the seed and the keep probability)."""
    widths, X = _check_model_and_points(model, X)
    K = model.K if isinstance(model, BatchedMLP) else 1
    if isinstance(keep_prob, (list, tuple, np.ndarray)):
        if len(keep_prob) != K:
            raise ValueError(f"keep_prob must be one number or one per member ({K}), got "
                             f"{len(keep_prob)}")
        keeps = [None if q is None else check_keep_prob(f"keep_prob[{k}]", q)
                 for k, q in enumerate(keep_prob)]
    else:
        keeps = [check_keep_prob("keep_prob", keep_prob)] * K
    check_bool("inverted", inverted)
    check_choice("output", output, REPRESENTATIONS)
    drawn = {}
    for q in dict.fromkeys(q for q in keeps if q is not None):
        sets = draw_mask_sets(widths, len(X), n_draws, keep_prob=q,
                              set_fraction=set_fraction, layers=layers, seed=seed)
        drawn[q] = sets, torch.as_tensor(sets.stacked()) * (1.0 / q if inverted else 1.0)
    X_t = torch.as_tensor(X)
    out = []
    for k, q in enumerate(keeps):  # q None: not measured
        parts = None if q is None else _parts(*_parameters(model, k), X_t, *drawn[q], output)
        out.append(None if q is None else _result(*parts, drawn[q][0], q))
    return out


def line_outputs(model, X, *, keep_prob: float = 0.5, set_fraction: float = 0.125,
                 layers="same", inverted: bool = True, output: str = "logits", seed=0
                 ) -> np.ndarray:
    """f(x; C), f(x; C∪A), f(x; C∪B), f(x; C∪A∪B) for *one* draw of the sets, applied to
    every row of ``X`` (n, d), e.g. points along a line: float64 (4, n, k).  The sets come
    from the same generator as :func:`subnetwork_additivity` (its first draw's masks)."""
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an essay_lib MLP (nets.models.make_mlp), got "
                        f"{type(model).__name__}")
    widths, X = _check_model_and_points(model, X)
    keep_prob = check_probability("keep_prob", keep_prob)
    check_bool("inverted", inverted)
    sets = draw_mask_sets(widths, 1, 1, keep_prob=keep_prob, set_fraction=set_fraction,
                          layers=layers, seed=seed)
    masks = sets.stacked()[:, 0]
    return masked_outputs(model, X, masks, scale=1.0 / keep_prob if inverted else 1.0,
                          output=output)


def mc_gap_members(model, X, *, keep_prob: float = 0.5, n_samples: int = 64,
                   output: str = "logits", seed=0) -> np.ndarray:
    """:func:`mc_gap` of every member of a BatchedMLP (or one MLP), on the same masks: (K,)."""
    widths, X = _check_model_and_points(model, X)
    keep_prob = check_probability("keep_prob", keep_prob)
    n_samples = check_int("n_samples", n_samples, minimum=4)
    if n_samples % 4:
        raise ValueError(f"n_samples must be a multiple of 4 (two halves of antithetic "
                         f"pairs), got {n_samples}")
    check_choice("output", output, REPRESENTATIONS)
    rng = np.random.default_rng(check_seed("seed", seed))
    n, H = len(X), sum(widths)
    uniform = rng.random((n_samples // 2, n, H))
    pairs = np.stack([uniform < keep_prob, 1.0 - uniform < keep_prob], axis=1)
    masks = torch.as_tensor(pairs.reshape(n_samples, n, H) / keep_prob)
    masks = torch.cat([torch.ones(1, n, H, dtype=torch.float64), masks])
    points = torch.arange(n)
    X_t = torch.as_tensor(X)
    K = model.K if isinstance(model, BatchedMLP) else 1
    gaps = np.zeros(K)
    half = n_samples // 2
    for k in range(K):
        params, activation = _parameters(model, k)
        Y = represent(_masked(params, activation, X_t, points, masks), output)
        full, samples = Y[0], Y[1:]
        first = samples[:half].mean(dim=0) - full
        second = samples[half: 2 * half].mean(dim=0) - full
        squared = float((first * second).sum(dim=-1).mean())
        spread = float(((full - full.mean(dim=0)) ** 2).sum(dim=-1).mean())
        ratio = squared / spread if spread > 0 else 0.0
        gaps[k] = np.sign(ratio) * np.sqrt(abs(ratio))
    return gaps


def mc_gap(model, X, *, keep_prob: float = 0.5, n_samples: int = 64, output: str = "logits",
           seed=0) -> float:
    """How far Monte Carlo averaging over dropout masks lies from weight scaling, relative
    to the spread of the prediction over the data (chapter 02's question, per network).

    With f the evaluation (weight-scaled) network and ā₁, ā₂ the averages of f(x; m / p)
    over two independent halves of ``n_samples`` masks per row (each unit kept with
    probability p = ``keep_prob``, inverted scaling)::

        s = mean_x ⟨ā₁(x) − f(x), ā₂(x) − f(x)⟩ / mean_x ‖f(x) − f̄‖²
        mc_gap = sign(s) · sqrt(|s|)

    s is an unbiased estimate of the squared bias ‖E f(x; m / p) − f(x)‖² relative to the
    spread of f over the data (f̄: the mean prediction over the rows of ``X`` (n, d)): the
    product of two *independent* half-averages has no Monte Carlo noise floor σ²/S in
    expectation, which the plain mean ‖ā − f‖ would have.  So mc_gap is the relative RMS
    gap, and it scatters around 0 (either sign) when the true gap is 0: exactly the case of
    one hidden layer (f affine in the mask).  Unchanged by f → αf + c; 0 for a constant f.

    The masks come in antithetic pairs (a unit is kept when u < p in one mask and when
    1 − u < p in its partner, u uniform; each mask is Bernoulli(p) on its own, and both of
    a pair fall in the same half), which cuts the Monte Carlo noise: at p = 1/2 the partner
    is the complement, so for one hidden layer each pair averages to f(x) exactly and the
    gap is 0 to rounding.  ``n_samples``: a multiple of 4; masks per row of ``X``; same
    ``seed``, same masks for every network.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an essay_lib MLP (nets.models.make_mlp), got "
                        f"{type(model).__name__}")
    return float(mc_gap_members(model, X, keep_prob=keep_prob, n_samples=n_samples,
                                output=output, seed=seed)[0])
