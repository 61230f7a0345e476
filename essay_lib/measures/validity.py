"""Is the measure valid on this task?  Dose–response of Z̄ on trained networks (DESIGN.md §3c).

A measure of linearity counts on a task and output representation only where it responds
to *known* changes of linearity there.  Two such changes are applied to the trained
networks themselves:

* **The affine blend** f_α = α·A + (1 − α)·f, where A is the least-squares affine fit of f
  over the data points X.  The blend is made in the *represented* outputs (logits,
  centred logits, log-probabilities, probabilities or a regressor's values): f and A are
  both functions into that space, and f_α is not a network.  Since D is linear in f and
  D(A) = 0, D(f_α) = (1 − α)·D(f) exactly, and Z̄(f_1) = Z̄(A) = 0 up to rounding.  Z̄ is a
  ratio, so it need not fall linearly, nor (in principle) monotonically: with
  t = α / (1 − α), Z̄(f_α) = Σ‖D(f)‖ / Σ(‖u_f + t·u_A‖ + ...), which falls with α wherever f's
  differences and its affine fit's point the same way on average; where A is nearly
  constant (f even around the data's centre), Z̄ barely moves until α is close to 1.
  :func:`affine_blend_curve` measures Z̄(f_α) over a grid of α (:func:`affine_blend` is
  the same blend as one numpy function, for :func:`~essay_lib.measures.linearity.z_bar`).
* **The leaky-ReLU path**: the trained weights with every ReLU replaced by a leaky ReLU of
  negative slope σ (:func:`essay_lib.nets.engine.leaky_relu`).  σ = 0 is the trained
  network, σ = 1 an affine network, whose logits (and centred logits) have Z̄ = 0 up to
  rounding.  Probabilities and log-probabilities of an affine network are still curved
  (the softmax or sigmoid is), so in those representations the path ends at the link's
  own curvature, not at 0.  :func:`leaky_path_curve`.

Effects are read in the blend's unit: :func:`equivalent_blend` inverts a blend curve ("this
Z̄ equals an affine blend of α = …"), and :func:`delta_from_blend` fixes the smallest effect
of interest by a rule stated in advance: δ = mean over the unregularized networks of
Z̄(f) − Z̄(f_0.1), the change a 10 % affine blend makes.

The positive control is measured in the space it trains (:func:`chord_midpoint_z_bar`):
mixup makes a classifier's probabilities (a regressor's values,
:func:`control_representation`) interpolate linearly along chords between training points,
so its Z̄ there is taken on chord-midpoint triples of the training inputs.

``model`` everywhere: a batched model (:class:`~essay_lib.nets.batched_mlp.BatchedMLP`, or
any model of :func:`essay_lib.nets.ensemble.batched_model`; curves (K, m), one row per
member) or one torch module (curves (m,)).  Everything runs in float64 on the CPU; the
triples are drawn once (:func:`~essay_lib.measures.triples.draw_triples`) and every member
and every α or σ is measured on the same ones.  Each batched curve equals the one-by-one
:func:`~essay_lib.measures.linearity.z_bar` of the same function to float64 rounding
(tests/test_validity.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from essay_lib.measures.batched import forward64, represent, z_bar_members, z_of_outputs
from essay_lib.measures.linearity import as_function, z_bar
from essay_lib.measures.names import REPRESENTATIONS, TRIPLE_TYPES
from essay_lib.measures.triples import draw_triples
from essay_lib.nets.batched_mlp import BatchedMLP
from essay_lib.nets.engine import leaky_relu, mlp_forward
from essay_lib.nets.models import MLP
from essay_lib.util.checks import (
    check_array,
    check_choice,
    check_int,
    check_number,
    check_numbers,
    check_same_length,
    check_seed_or_generator,
)

__all__ = ["BLEND_ALPHAS", "DELTA_ALPHA", "LEAKY_SLOPES", "MONOTONE_TOLERANCE", "AffineBlend",
           "AffineFit", "affine_blend", "affine_blend_curve", "affine_fit",
           "chord_midpoint_z_bar", "control_representation", "delta_from_blend",
           "equivalent_blend", "is_monotone", "leaky_path_curve"]

#: The α grid of a blend curve, and the σ grid of the leaky path (few points: cheap)
BLEND_ALPHAS = (0.0, 0.25, 0.5, 0.75, 1.0)
LEAKY_SLOPES = (0.0, 0.25, 0.5, 0.75, 1.0)
#: The blend whose effect on Z̄ is the smallest effect of interest δ
DELTA_ALPHA = 0.1
#: A curve counts as monotonically falling when no step rises by more than this (Z̄ lies in
#: [0, 1]; 1e-9 is float64 rounding of a ratio of sums, far below any effect we read)
MONOTONE_TOLERANCE = 1e-9


# ---------------------------------------------------------------- the affine fit, one function
def _fit_operator(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The data's centre (d,) and the pseudo-inverse (d, n) of the centred data: the
    least-squares slopes of outputs Y over X are ``pinv @ (Y − mean(Y))`` (the minimum-norm
    solution where X is rank deficient, e.g. constant pixels)."""
    centre = X.mean(axis=0)
    return centre, np.linalg.pinv(X - centre)


@dataclass(frozen=True, eq=False)
class AffineFit:
    """A(x) = (x − centre) @ weights + intercept: the least-squares affine fit of a function
    over data points (:func:`affine_fit`).  ``centre`` (d,), ``weights`` (d, k),
    ``intercept`` (k,) (the mean output over the data)."""

    centre: np.ndarray
    weights: np.ndarray
    intercept: np.ndarray

    def __call__(self, X) -> np.ndarray:
        X = check_array("X", X, ndim=2, columns=len(self.centre))
        return (X - self.centre) @ self.weights + self.intercept


def _numpy_function(f, name: str = "f"):
    if isinstance(f, nn.Module):
        return as_function(f)
    if not callable(f):
        raise TypeError(f"{name} must be a callable mapping (n, d) to (n, k) or a torch "
                        f"module, got {type(f).__name__}")
    return f


def _outputs_2d(f, X: np.ndarray) -> np.ndarray:
    Y = np.asarray(f(X), dtype=np.float64)
    Y = Y[:, None] if Y.ndim == 1 else Y
    if Y.ndim != 2 or len(Y) != len(X):
        raise ValueError(f"f must map inputs (n, d) to outputs (n,) or (n, k); for inputs of "
                         f"shape {X.shape} it returned shape {Y.shape}")
    return Y


def affine_fit(f, X) -> AffineFit:
    """The least-squares affine fit A of ``f`` over the rows of ``X`` (n, d), n >= 2: the
    minimum-norm slopes where the centred X is rank deficient.  ``f``: a numpy function
    (n, d) -> (n,) or (n, k) (e.g. :func:`~essay_lib.measures.linearity.as_function` of a
    network in a chosen representation) or a torch module (its raw outputs)."""
    f = _numpy_function(f)
    X = check_array("X", X, ndim=2, min_rows=2)
    centre, pinv = _fit_operator(X)
    Y = _outputs_2d(f, X)
    mean = Y.mean(axis=0)
    return AffineFit(centre, pinv @ (Y - mean), mean)


class AffineBlend:
    """f_α(x) = α·A(x) + (1 − α)·f(x), A the least-squares affine fit of f over the data
    (see :func:`affine_blend`); a numpy function (n, d) -> (n, k)."""

    def __init__(self, f, fit: AffineFit, alpha: float):
        self.f, self.fit, self.alpha = f, fit, alpha

    def __call__(self, X) -> np.ndarray:
        X = check_array("X", X, ndim=2)
        return self.alpha * self.fit(X) + (1.0 - self.alpha) * _outputs_2d(self.f, X)

    def __repr__(self) -> str:
        return f"AffineBlend(alpha={self.alpha:g}, f={self.f!r})"


def affine_blend(f, X, alpha: float) -> AffineBlend:
    """The affine blend f_α = α·A + (1 − α)·f of ``f`` with its least-squares affine fit A
    over the rows of ``X`` (n, d), as a numpy function: D(f_α) = (1 − α)·D(f) exactly (D is
    linear in f and zero for A), f_0 = f, f_1 = A.  ``alpha``: any finite number (α in
    [0, 1] goes from f to A; α < 0 moves away from A: f + |α|(f − A)).  ``f``: as in
    :func:`affine_fit`; the blend is made in f's own outputs, so wrap a network in the
    representation wanted (``as_function(net, output="probabilities")``)."""
    alpha = check_number("alpha", alpha)
    f = _numpy_function(f)
    return AffineBlend(f, affine_fit(f, X), alpha)


# ---------------------------------------------------------------- batched curves
def _check_model(model):
    if isinstance(model, nn.Module) or (hasattr(model, "K") and hasattr(model, "member")):
        return model
    raise TypeError(f"model must be a batched model (e.g. BatchedMLP) or a torch module, got "
                    f"{type(model).__name__}")


def _check_measure(model, X, representation, triples, scale, n_triples, seed):
    widths = getattr(model, "widths", None)
    X = check_array("X", X, ndim=2, min_rows=2, columns=None if widths is None else widths[0])
    check_choice("representation", representation, REPRESENTATIONS)
    check_choice("triples", triples, TRIPLE_TYPES)
    scale = check_number("scale", scale, minimum=0.0, low_closed=False)
    n_triples = check_int("n_triples", n_triples, minimum=1)
    seed = check_seed_or_generator("seed", seed)
    return X, draw_triples(X, n_triples, scale, seed, triples)


def _represented(model, points: np.ndarray, representation: str) -> torch.Tensor:
    """Outputs (K, n, k) in ``representation``, float64; K = 1 for one torch module."""
    if isinstance(model, nn.Module):
        out = torch.as_tensor(as_function(model)(points))[None]
    else:
        out = forward64(model, points)
    return represent(out, representation)


def _shaped(curves: torch.Tensor | np.ndarray, model) -> np.ndarray:
    curves = np.asarray(curves, dtype=np.float64)
    return curves[0] if isinstance(model, nn.Module) else curves


@torch.no_grad()
def affine_blend_curve(model, X, alphas=BLEND_ALPHAS, *, representation: str = "logits",
                       triples: str = "extrapolating", scale: float = 0.5,
                       n_triples: int = 500, seed=0) -> np.ndarray:
    """Z̄(f_α) for each α of ``alphas``: (K, len(alphas)) for a batched model, (len(alphas),)
    for one module.

    f: each network's outputs in ``representation`` (:data:`REPRESENTATIONS`); A: its
    least-squares affine fit over the rows of ``X`` (n, d); f_α = α·A + (1 − α)·f, blended
    in the represented outputs.  The triples (``triples``, ``scale``, ``n_triples``,
    ``seed``: as :func:`~essay_lib.measures.linearity.z_bar`) are drawn from ``X`` once and
    shared by every member and every α; one float64 pass per member.  At α = 1, Z̄ is 0 up to
    rounding (the blend is A); each entry equals ``z_bar(affine_blend(as_function(member,
    output=representation), X, α), X, ...)`` to float64 rounding.
    """
    model = _check_model(model)
    alphas = check_numbers("alphas", alphas)
    X, drawn = _check_measure(model, X, representation, triples, scale, n_triples, seed)
    points = drawn.points(X)
    Y = _represented(model, np.concatenate([X, points]), representation)
    data, at_points = Y[:, :len(X)], Y[:, len(X):]
    centre, pinv = _fit_operator(X)
    mean = data.mean(dim=1, keepdim=True)                                     # (K, 1, k)
    weights = torch.matmul(torch.as_tensor(pinv), data - mean)                # (K, d, k)
    fit = torch.matmul(torch.as_tensor(points - centre), weights) + mean      # A at the points
    curves = [z_of_outputs(alpha * fit + (1.0 - alpha) * at_points, drawn)[0]
              for alpha in alphas.tolist()]
    return _shaped(torch.stack(curves, dim=1), model)


def _relu_layers(model) -> list[list[tuple[torch.Tensor, torch.Tensor]]]:
    """Each member's float64 layers [(W (in, out), b (out,))] of a ReLU MLP."""
    if not isinstance(model, (BatchedMLP, MLP)):
        raise TypeError(f"model must be a BatchedMLP or an MLP (the leaky path replaces an "
                        f"MLP's ReLU), got {type(model).__name__}")
    if model.activation != "relu":
        raise ValueError(f"model's activation must be 'relu' (the leaky path starts from a "
                         f"ReLU network), got {model.activation!r}")
    if isinstance(model, MLP):
        return [[(w.detach().cpu().double(), b.detach().cpu().double())
                 for w, b in model.layer_parameters()]]
    return [model.layer_parameters(member=k, dtype=torch.float64) for k in range(model.K)]


@torch.no_grad()
def leaky_path_curve(model, X, slopes=LEAKY_SLOPES, *, representation: str = "logits",
                     triples: str = "extrapolating", scale: float = 0.5, n_triples: int = 500,
                     seed=0) -> np.ndarray:
    """Z̄ of the trained weights with every ReLU replaced by a leaky ReLU of negative slope
    σ, for each σ of ``slopes`` (in [0, 1]): (K, len(slopes)) for a :class:`BatchedMLP`,
    (len(slopes),) for one :class:`~essay_lib.nets.models.MLP` (ReLU networks only).

    σ = 0 is the trained network (Z̄ as :func:`~essay_lib.measures.batched.z_bar_members`);
    σ = 1 makes every layer affine, so the logits and centred logits have Z̄ = 0 up to
    rounding, while probabilities and log-probabilities keep the softmax's (sigmoid's)
    curvature.  Triples as in :func:`affine_blend_curve`, shared by every member and σ.
    """
    slopes = check_numbers("slopes", slopes, minimum=0.0, maximum=1.0)
    members = _relu_layers(model)
    X, drawn = _check_measure(model, X, representation, triples, scale, n_triples, seed)
    x = torch.as_tensor(drawn.points(X))
    curves = torch.empty(len(members), len(slopes), dtype=torch.float64)
    for j, slope in enumerate(slopes.tolist()):
        act = leaky_relu(slope)
        Y = torch.stack([mlp_forward(layers, x, act)[0] for layers in members])
        curves[:, j] = z_of_outputs(represent(Y, representation), drawn)[0]
    return _shaped(curves, model)


def chord_midpoint_z_bar(model, X, *, representation: str = "probabilities",
                         n_triples: int = 500, seed=0) -> np.ndarray | float:
    """Z̄ on chord-midpoint triples of the rows of ``X`` (x0 = x_i, a = b = (x_j − x_i)/2:
    Taleb's H at the midpoint of the chord between two data points), in ``representation``:
    (K,) for a batched model, a float for one module.  With the *training* inputs as ``X``
    and the representation mixup trains (:func:`control_representation`), this is where
    mixup, the positive control, must lower Z̄."""
    model = _check_model(model)
    widths = getattr(model, "widths", None)
    X = check_array("X", X, ndim=2, min_rows=2, columns=None if widths is None else widths[0])
    check_choice("representation", representation, REPRESENTATIONS)
    if isinstance(model, nn.Module):
        raw = as_function(model)
        f = lambda x: represent(torch.as_tensor(raw(x)), representation).numpy()  # noqa: E731
        return z_bar(f, X, n_triples=n_triples, scale=0.5, seed=seed,
                     triples="chord_midpoints").value
    return z_bar_members(model, X, n_triples=n_triples, scale=0.5, seed=seed,
                         triples="chord_midpoints", outputs=(representation,))[representation][0]


def control_representation(kind: str) -> str:
    """The representation mixup trains to be linear along chords: ``"probabilities"`` for a
    ``"classification"`` task (it mixes one-hot targets under cross-entropy), the raw outputs
    ``"logits"`` for ``"regression"`` (it mixes the target values under MSE)."""
    check_choice("kind", kind, ("regression", "classification"))
    return "probabilities" if kind == "classification" else "logits"


# ---------------------------------------------------------------- reading effects in its unit
def is_monotone(curves, *, tolerance: float = MONOTONE_TOLERANCE) -> np.ndarray | bool:
    """Whether each curve (a row of ``curves``, (K, m), or one curve (m,)) never rises by
    more than ``tolerance`` from one entry to the next (along its α or σ grid): a bool per
    row, or one bool."""
    curves = check_numbers("curves", curves, ndim=(1, 2))
    tolerance = check_number("tolerance", tolerance, minimum=0.0)
    ok = np.all(np.diff(curves, axis=-1) <= tolerance, axis=-1)
    return bool(ok) if curves.ndim == 1 else ok


def equivalent_blend(z_values, z_blend_curve, alphas=BLEND_ALPHAS) -> np.ndarray | float:
    """The α at which the blend curve reaches each value of ``z_values``: the unit in which
    effects are read ("this Z̄ equals an affine blend of α = …").

    ``z_blend_curve`` (m,): Z̄(f_α) at ``alphas`` (m,), strictly increasing, e.g. the mean
    over the unregularized networks of :func:`affine_blend_curve`; read between grid points
    by linear interpolation.  A value the curve never reaches gives NaN (above Z̄(f_{α_min}):
    more non-linear than the networks themselves; add α < 0 to the grid to read it).  Where
    the curve is not monotone a value can be reached at several α: the smallest is returned
    (the first blend along the grid that brings Z̄ there); :func:`is_monotone` says whether
    that can happen.  Returns a float for a scalar ``z_values``, else an array of its shape.
    """
    curve = check_numbers("z_blend_curve", z_blend_curve)
    alphas = check_numbers("alphas", alphas)
    check_same_length(("z_blend_curve", curve), ("alphas", alphas))
    if len(alphas) < 2 or np.any(np.diff(alphas) <= 0):
        raise ValueError(f"alphas must hold at least two strictly increasing values, got "
                         f"{alphas.tolist()}")
    z = check_numbers("z_values", z_values, ndim=(0, 1, 2))
    out = np.full(z.shape, np.nan)
    flat = out.reshape(-1)
    for n, value in enumerate(z.reshape(-1)):
        for i in range(len(curve) - 1):
            c0, c1 = curve[i], curve[i + 1]
            if min(c0, c1) <= value <= max(c0, c1):
                share = 0.0 if c0 == c1 else (value - c0) / (c1 - c0)
                flat[n] = alphas[i] + share * (alphas[i + 1] - alphas[i])
                break
    return float(out) if out.ndim == 0 else out


def delta_from_blend(model, X, *, alpha: float = DELTA_ALPHA, representation: str = "logits",
                     triples: str = "extrapolating", scale: float = 0.5, n_triples: int = 500,
                     seed=0) -> float:
    """The smallest effect of interest δ, fixed in advance by a rule: the mean over the
    networks of ``model`` (the unregularized networks of a task) of Z̄(f) − Z̄(f_α), the
    change of Z̄ that an affine blend of ``alpha`` (default :data:`DELTA_ALPHA` = 0.1, a 10 %
    blend) makes, in ``representation`` on the given triples (as
    :func:`affine_blend_curve`)."""
    alpha = check_number("alpha", alpha, minimum=0.0, maximum=1.0, low_closed=False)
    curves = affine_blend_curve(model, X, (0.0, alpha), representation=representation,
                                triples=triples, scale=scale, n_triples=n_triples, seed=seed)
    curves = np.atleast_2d(curves)
    return float(np.mean(curves[:, 0] - curves[:, 1]))
