"""Measures of how linear a function is: the essay's Z and the established measures (DESIGN.md §3).

Every measure takes ``f``: a numpy callable mapping inputs (n, d) to outputs (n,)
or (n, k), or a torch module (wrapped by :func:`as_function`: eval mode, no grad,
float64 numpy out).  Norms are Euclidean over the output dimension.  Each measure
evaluates ``f`` once on one stacked array (rows ``[x0; x0+a; x0+b; x0+a+b]`` and
the like), never in a Python loop over points.

For a base point x0 and displacements a, b::

    u = f(x0+a) - f(x0),  v = f(x0+b) - f(x0),  w = f(x0+a+b) - f(x0)
    D = w - u - v = f(x0+a+b) - f(x0+a) - f(x0+b) + f(x0)
    Z = ||D|| / (||u|| + ||v|| + ||w||)   in [0, 1], with 0/0 := 0

Modules run in float64: each call converts the module's *current* parameters
to float64 (``torch.func.functional_call``; the module itself is not touched),
so second differences of a float32-trained net are not drowned by float32
rounding, and a wrapper always sees the latest weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.func import functional_call

from essay_lib.measures.additivity import defect, norm, ratio, ratio_of_sums
from essay_lib.measures.linear_pieces import count_linear_pieces, linear_piece_breakpoints
from essay_lib.measures.triples import draw_triples
from essay_lib.nets.losses import r2_score
from essay_lib.util.bootstrap import bootstrap_interval
from essay_lib.util.checks import check_choice, check_number, check_seed_or_generator

__all__ = [
    "OUTPUTS", "ModuleFunction", "ZBar", "additivity_defect", "affine_fit_r2", "as_function",
    "count_linear_pieces", "jacobian_norm", "linear_piece_breakpoints", "second_difference",
    "taleb_bar", "taleb_heuristic", "z_bar", "z_score",
]

OUTPUTS = ("logits", "centred_logits", "probabilities", "log_probabilities")
_CHUNK_ROWS = 32768  # rows per forward pass of a wrapped module (bounds memory)


# ---------------------------------------------------------------- wrapping and validation
class ModuleFunction:
    """A torch module seen as a numpy function (n, d) -> float64 (n, k); see :func:`as_function`."""

    def __init__(self, module: nn.Module, output: str = "logits"):
        self.module, self.output = module, output

    def torch_forward(self, x: torch.Tensor) -> torch.Tensor:
        """Differentiable float64 forward pass (eval mode; the module's flags are restored)."""
        modes = [(m, m.training) for m in self.module.modules()]
        self.module.eval()
        try:
            state = {name: t.detach().to(torch.float64) if t.is_floating_point() else t
                     for name, t in [*self.module.named_parameters(),
                                     *self.module.named_buffers()]}
            out = functional_call(self.module, state, (x,))
        finally:
            for m, mode in modes:
                m.training = mode
        if out.ndim == 1:
            out = out[:, None]
        if self.output == "centred_logits":
            return out - out.mean(dim=1, keepdim=True)
        if self.output == "probabilities":
            return torch.sigmoid(out) if out.shape[1] == 1 else torch.softmax(out, dim=1)
        if self.output == "log_probabilities":
            return (nn.functional.logsigmoid(out) if out.shape[1] == 1
                    else torch.log_softmax(out, dim=1))
        return out

    @property
    def device(self) -> torch.device:
        tensor = next(iter([*self.module.parameters(), *self.module.buffers()]), None)
        return tensor.device if tensor is not None else torch.device("cpu")

    def __call__(self, X) -> np.ndarray:
        x = torch.as_tensor(np.asarray(X, dtype=np.float64), device=self.device)
        with torch.no_grad():
            parts = [self.torch_forward(x[i:i + _CHUNK_ROWS])
                     for i in range(0, max(len(x), 1), _CHUNK_ROWS)]
        return torch.cat(parts).cpu().numpy()

    def __repr__(self) -> str:
        return f"ModuleFunction({type(self.module).__name__}, output={self.output!r})"


def as_function(model: nn.Module, *, output: str = "logits") -> ModuleFunction:
    """Wrap a torch module as a numpy function (n, d) -> float64 array (n, k).

    ``output``: ``"logits"`` (default: the module's raw output, i.e. the
    pre-activation logits of a classifier or the values of a regressor, "the step
    preceding the coarse graining"), ``"centred_logits"`` (logits minus their mean
    over the classes: softmax ignores that per-input shift), ``"probabilities"``
    (softmax; sigmoid when k = 1) or ``"log_probabilities"``.  The module runs in eval
    mode (dropout off), without gradients, in float64, on its own device; its state is
    left as it was.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    check_choice("output", output, OUTPUTS)
    return ModuleFunction(model, output)


def _function(f, name: str = "f"):
    if isinstance(f, nn.Module):
        return as_function(f)
    if not callable(f):
        raise TypeError(f"{name} must be a callable mapping (n, d) to (n,) or (n, k), "
                        f"or a torch.nn.Module; got {type(f).__name__}")
    return f


def _points(name: str, value) -> np.ndarray:
    x = np.asarray(value, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (n, d), got shape {x.shape}; "
                         f"write x[:, None] for n scalar inputs")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def _displacement(name: str, value, shape: tuple[int, int], points: str) -> np.ndarray:
    """A displacement broadcastable to the shape of the points called ``points``: scalar,
    (d,), (1, d) or (n, d)."""
    x = np.asarray(value, dtype=np.float64)
    try:
        fits = x.ndim <= 2 and np.broadcast_shapes(x.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{name} must have shape {shape} (that of {points}), ({shape[1]},) or "
                         f"be a scalar, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return np.broadcast_to(x, shape)


def _evaluate(f, X: np.ndarray, groups) -> tuple[list[np.ndarray], bool]:
    """One call of ``f`` on ``X``, split into ``groups`` equal blocks (or blocks of these sizes).

    Returns the (n, k) blocks and whether ``f`` returned a 1-D array (n,).
    """
    Y = np.asarray(f(X), dtype=np.float64)
    one_d = Y.ndim == 1
    if one_d:
        Y = Y[:, None]
    if Y.ndim != 2 or Y.shape[0] != X.shape[0]:
        raise ValueError(f"f must map inputs (n, d) to outputs (n,) or (n, k); for inputs of "
                         f"shape {X.shape} it returned shape {np.shape(Y)}")
    if not np.all(np.isfinite(Y)):
        raise ValueError("f returned NaN or infinite values")
    sections = groups if isinstance(groups, int) else np.cumsum(groups)[:-1]
    return np.split(Y, sections), one_d


def _squeeze(Y: np.ndarray, one_d: bool) -> np.ndarray:
    return Y[:, 0] if one_d else Y


# ---------------------------------------------------------------- differences and Z
def _terms(f, x0, a, b, base_index=None):
    """u, v, w, D as (n, k) arrays and whether f returns (n,).

    With ``base_index`` (n,), f(x0) is evaluated once per distinct base row:
    ``x0`` then holds the distinct rows and the triples use ``x0[base_index]``.
    """
    f = _function(f)
    base = _points("x0", x0)
    x0 = base if base_index is None else base[base_index]
    a = _displacement("a", a, x0.shape, "x0")
    b = _displacement("b", b, x0.shape, "x0")
    xa = x0 + a
    (f0, fa, fb, fab), one_d = _evaluate(f, np.concatenate([base, xa, x0 + b, xa + b]),
                                         [len(base)] + [len(x0)] * 3)
    f0 = f0 if base_index is None else f0[base_index]
    return fa - f0, fb - f0, fab - f0, defect(f0, fa, fb, fab), one_d


def additivity_defect(f, x1, x2) -> np.ndarray:
    """The paper's literal test f(x1 + x2) - f(x1) - f(x2).

    x1: (n, d); x2: (n, d), (d,) or scalar.  Returns (n, k), or (n,) when ``f``
    returns (n,).  Zero for f(x) = c·x but equal to -b for an affine f(x) = c·x + b:
    every layer with a bias fails it, which is why Z uses :func:`second_difference`.
    """
    f = _function(f)
    x1 = _points("x1", x1)
    x2 = _displacement("x2", x2, x1.shape, "x1")
    (f1, f2, f12), one_d = _evaluate(f, np.concatenate([x1, x2, x1 + x2]), 3)
    return _squeeze(f12 - f1 - f2, one_d)


def second_difference(f, x0, a, b) -> np.ndarray:
    """D = f(x0+a+b) - f(x0+a) - f(x0+b) + f(x0), the additivity defect of s -> f(x0+s) - f(x0).

    x0: (n, d); a, b: (n, d), (d,) or scalar.  Returns (n, k), or (n,) when ``f``
    returns (n,).  Zero for every affine f; 2·aᵀAb for f(x) = xᵀAx.
    """
    *_, D, one_d = _terms(f, x0, a, b)
    return _squeeze(D, one_d)


def z_score(f, x0, a, b) -> np.ndarray:
    """Per-triple linearity defect Z = ‖D‖ / (‖u‖ + ‖v‖ + ‖w‖) in [0, 1] (DESIGN.md §3).

    x0: (n, d); a, b: (n, d), (d,) or scalar.  Returns (n,).  0 where f is additive
    along the triple (and 0/0 := 0: a constant is linear); unchanged by
    f -> αf + c (α ≠ 0); symmetric in a and b.
    """
    u, v, w, D, _ = _terms(f, x0, a, b)
    return ratio(norm(D), norm(u) + norm(v) + norm(w))


@dataclass(frozen=True, eq=False)
class ZBar:
    """Dataset-level Z̄ = Σ‖D‖ / Σ(‖u‖+‖v‖+‖w‖) and its per-triple parts.

    ``numerators`` (‖D‖) and ``denominators`` (‖u‖+‖v‖+‖w‖) have one entry per
    triple; ``raw`` = mean ‖D‖ is the unnormalised defect, in output units, which
    shrinks with the output scale (report it beside ``value``, never instead).
    """

    value: float
    raw: float
    numerators: np.ndarray
    denominators: np.ndarray
    scale: float
    seed: object

    @property
    def n_triples(self) -> int:
        return len(self.numerators)

    @property
    def per_triple(self) -> np.ndarray:
        """Z of each triple, (n_triples,), 0/0 := 0."""
        return ratio(self.numerators, self.denominators)

    def bootstrap_interval(self, n_boot: int = 1000, confidence: float = 0.95, seed=0,
                           *, quantity: str = "value") -> tuple[float, float]:
        """Percentile bootstrap interval over triples (resampled with replacement).

        ``quantity``: ``"value"`` (the ratio of sums Z̄) or ``"raw"`` (mean ‖D‖).
        ``seed``: int or ``numpy.random.Generator``.  Returns (low, high).
        """
        check_choice("quantity", quantity, ("value", "raw"))
        if quantity == "raw":
            statistic = lambda num, axis: num.mean(axis=axis)  # noqa: E731
            samples = (self.numerators,)
        else:
            statistic = lambda num, den, axis: ratio_of_sums(num, den, axis=axis)  # noqa: E731
            samples = (self.numerators, self.denominators)
        interval = bootstrap_interval(statistic, *samples, confidence=confidence,
                                      n_boot=n_boot, seed=seed)
        return interval.low, interval.high


def z_bar(f, X, *, n_triples: int = 2000, scale: float = 0.5, seed=0,
          triples: str = "extrapolating") -> ZBar:
    """Dataset-level linearity defect Z̄ over random triples drawn from the rows of ``X``.

    ``triples="extrapolating"`` (default): triple t uses five row indices from
    ``numpy.random.default_rng(seed)``: i, j, k uniform over the n rows, and l ≠ j,
    m ≠ k uniform over the other rows; then ``x0 = X[i]``, ``a = scale·(X[j] − X[l])``,
    ``b = scale·(X[k] − X[m])``.  ``triples="inside"``: ``a = scale·(X[j] − X[i])``,
    ``b = scale·(X[k] − X[i])``, so for scale ≤ 1/2 every point stays inside the data's
    convex hull; ``triples="chord_midpoints"``: ``a = b = (X[j] − X[i]) / 2`` (the scale
    does not enter), Taleb's H at the midpoint of a chord between two data points
    (:mod:`essay_lib.measures.triples`).  Z̄ = Σ‖D‖ / Σ(‖u‖+‖v‖+‖w‖), a
    ratio of sums (flat regions do not blow it up), in [0, 1]; 0 for a constant f.  One
    call of f on the distinct base rows and the 3·n_triples displaced points.

    X: (n, d) with n >= 2; n_triples >= 1; scale > 0; seed: int or Generator.
    Returns a :class:`ZBar` (value, raw mean ‖D‖, per-triple parts, intervals).
    """
    f = _function(f)
    X = _points("X", X)
    check_seed_or_generator("seed", seed)
    drawn = draw_triples(X, n_triples, scale, seed, triples)
    u, v, w, D, _ = _terms(f, X[drawn.rows], drawn.a, drawn.b, drawn.base_index)
    num, den = norm(D), norm(u) + norm(v) + norm(w)
    for array in (num, den):
        array.setflags(write=False)
    return ZBar(ratio_of_sums(num, den), float(num.mean()), num, den, float(scale), seed)


def taleb_heuristic(f, x, delta) -> np.ndarray:
    """Taleb et al. (2012): H(x, Δ) = ½[f(x + Δ) + f(x − Δ)] − f(x).

    x: (n, d); delta: (n, d), (d,) or scalar (the same Δ in every coordinate).
    Returns (n, k), or (n,) when ``f`` returns (n,).  Zero for affine f, > 0 where
    f is convex, < 0 where concave; with a = b = Δ and x0 = x − Δ, D = 2H.
    """
    f = _function(f)
    x = _points("x", x)
    delta = _displacement("delta", delta, x.shape, "x")
    (f0, fp, fm), one_d = _evaluate(f, np.concatenate([x, x + delta, x - delta]), 3)
    return _squeeze(0.5 * (fp + fm) - f0, one_d)


def taleb_bar(f, x, delta) -> tuple[float, float]:
    """Taleb's heuristic over many points: (normalised, raw) = (Σ‖2H‖ / Σ(‖u‖+‖v‖+‖w‖),
    mean ‖H‖).

    The normalised value is Z̄ on the symmetric triples (x − Δ, Δ, Δ), where D = 2H
    (u = v = f(x) − f(x − Δ), w = f(x + Δ) − f(x − Δ)), in [0, 1]; the raw value is in
    output units.  x: (n, d); delta: (n, d), (d,) or scalar.  One call of ``f``.
    """
    f = _function(f)
    x = _points("x", x)
    delta = _displacement("delta", delta, x.shape, "x")
    (lo, mid, hi), _ = _evaluate(f, np.concatenate([x - delta, x, x + delta]), 3)
    h = norm(0.5 * (hi + lo) - mid)
    return ratio_of_sums(2 * h, 2 * norm(mid - lo) + norm(hi - lo)), float(h.mean())


# ---------------------------------------------------------------- established measures
def jacobian_norm(model_or_f, X, *, per_point: bool = False, step: float | None = None):
    """Input–output Jacobian Frobenius norm ‖∂f/∂x‖_F (Novak et al. 2018), mean over rows of X.

    Torch modules (and :func:`as_function` wrappers) use exact reverse-mode
    autograd in float64 (one backward pass for all k outputs: the rows are
    replicated k times); numpy callables use central differences with step
    ``step·max(1, |x_j|)`` (default step: cube root of float64 epsilon), from one
    call of f on 2·n·d stacked rows.  Both assume f treats rows independently (true
    for MLPs in eval mode).  X: (n, d).  Returns a float, or the (n,) per-row norms
    when ``per_point``.
    """
    X = _points("X", X)
    f = _function(model_or_f, "model_or_f")
    n, d = X.shape
    if isinstance(f, ModuleFunction):
        norms = np.concatenate([_autograd_norms(f, X[s:s + 4096]) for s in range(0, n, 4096)])
    else:
        step = np.finfo(np.float64).eps ** (1 / 3) if step is None else step
        check_number("step", step, minimum=0.0, low_closed=False)
        h = step * np.maximum(1.0, np.abs(X))                            # (n, d)
        offsets = np.eye(d)[None] * h[:, None, :]                        # (n, d, d)
        plus, minus = X[:, None, :] + offsets, X[:, None, :] - offsets
        hp = (plus - X[:, None, :]).diagonal(axis1=1, axis2=2)           # exact steps taken
        hm = (X[:, None, :] - minus).diagonal(axis1=1, axis2=2)
        (fp, fm), _ = _evaluate(f, np.concatenate([plus.reshape(-1, d), minus.reshape(-1, d)]), 2)
        J = (fp - fm).reshape(n, d, -1) / (hp + hm)[:, :, None]           # (n, d, k)
        norms = np.sqrt(np.einsum("ndk,ndk->n", J, J))
    return norms if per_point else float(norms.mean())


def _autograd_norms(f: ModuleFunction, X: np.ndarray) -> np.ndarray:
    x = torch.as_tensor(X, device=f.device)
    k = f.torch_forward(x[:1].detach()).shape[1]
    xr = x.repeat(k, 1).requires_grad_(True)                              # (k·n, d)
    out = f.torch_forward(xr).reshape(k, len(X), k)
    torch.diagonal(out, dim1=0, dim2=2).sum().backward()                 # row j: d out_j / dx
    grad = xr.grad.reshape(k, len(X), -1)
    return grad.pow(2).sum(dim=(0, 2)).sqrt().cpu().numpy()


def affine_fit_r2(f, X) -> float:
    """R² of the least-squares affine fit y ≈ Wx + c of f over the rows of X.

    Pooled over outputs: 1 − Σ‖y − ŷ‖² / Σ‖y − ȳ‖²; 1 for a constant f.  1 − R² is a
    global non-linearity index.  X: (n, d) with n > d + 1 (otherwise the fit is
    exact by construction).
    """
    f = _function(f)
    X = _points("X", X)
    if len(X) <= X.shape[1] + 1:
        raise ValueError(f"X must have more than d + 1 = {X.shape[1] + 1} rows for a "
                         f"meaningful affine fit, got {len(X)}")
    (Y,), _ = _evaluate(f, X, 1)
    Xc, Yc = X - X.mean(axis=0), Y - Y.mean(axis=0)
    if not np.any(Yc):
        return 1.0  # a constant is fitted exactly
    coef, *_ = np.linalg.lstsq(Xc, Yc, rcond=None)
    return r2_score(Y, Xc @ coef + Y.mean(axis=0))
