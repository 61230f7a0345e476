"""Z̄ of many networks at once: K members of a batched model on the same triples, float64.

The specification curve of chapter 04 measures every trained network under many
settings (output representation × displacement scale × triple type).  The triples
are drawn once for all K members, each set of points goes through every member in
float64, and every output representation is
computed from that one pass (each member on its own, so its numbers do not depend on
its neighbours).  The result equals :func:`essay_lib.measures.linearity.z_bar`
of each member (``as_function(member, output=...)``) to float64 rounding (tested).

Output representations (:data:`REPRESENTATIONS`): ``"logits"`` (the raw outputs: values
of a regressor, logits of a classifier), ``"centred_logits"`` (logits minus their mean
over the classes, the per-input shift that softmax ignores) and ``"log_probabilities"``
(log-softmax).  The last two only mean something for classifiers (k >= 2).
"""

from __future__ import annotations

import numpy as np
import torch

from essay_lib.measures.names import REPRESENTATIONS
from essay_lib.measures.triples import draw_triples
from essay_lib.nets.ensemble import BatchedMLP
from essay_lib.nets.models import ACTIVATIONS
from essay_lib.util.checks import check_array, check_choice, check_int

_ROW_BUDGET = 1 << 22  # members x points per chunk (bounds the float64 activations)
_JACOBIAN_ROWS = 4096  # rows per reverse pass of jacobian_norm_members (bounds memory)


def represent(Y: torch.Tensor, output: str) -> torch.Tensor:
    """Outputs (..., k) in the representation ``output`` (see the module docstring)."""
    check_choice("output", output, REPRESENTATIONS)
    if output == "logits":
        return Y
    if Y.shape[-1] < 2:
        raise ValueError(f"output {output!r} needs k >= 2 outputs (a classifier), "
                         f"got {Y.shape[-1]}")
    if output == "centred_logits":
        return Y - Y.mean(dim=-1, keepdim=True)
    return torch.log_softmax(Y, dim=-1)


def member_parameters64(model: BatchedMLP, k: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Member ``k``'s layers as [(W (in, out), b (out,))], float64 on the CPU."""
    return [(w[k].detach().cpu().double(), b[k, 0].detach().cpu().double())
            for w, b in zip(model.weights, model.biases, strict=True)]


@torch.no_grad()
def forward64(model, X: np.ndarray, members: slice = slice(None)) -> torch.Tensor:
    """Evaluation-mode outputs (K', n, k) of ``model.member``s ``members`` on ``X`` (n, d),
    in float64 on the CPU.  Each member is its own 2-D product chain (a
    :class:`BatchedMLP`) or its own module (:meth:`member`, any other batched model), so
    a member's numbers do not depend on which others are evaluated beside it."""
    x0 = torch.as_tensor(np.asarray(X, dtype=np.float64))
    if not isinstance(model, BatchedMLP):
        return torch.stack([model.member(k).double()(x0) for k in range(model.K)[members]])
    act = ACTIVATIONS[model.activation]
    outs = []
    for k in range(model.K)[members]:
        x = x0
        for i, (w, b) in enumerate(member_parameters64(model, k)):
            x = torch.addmm(b, x, w)
            if i < model.n_layers - 1:
                x = act(x)
        outs.append(x)
    return torch.stack(outs)


def z_bar_members(model, X, *, n_triples: int, scale: float, seed=0,
                  triples: str = "extrapolating", outputs=("logits",)) -> dict:
    """Z̄ and raw mean ‖D‖ of every member, per output representation.

    ``X`` (n, d): the points the triples are drawn from (as in ``z_bar``);
    ``outputs``: representations to measure.  Returns ``{output: (value (K,), raw (K,))}``
    as float64 numpy arrays.
    """
    X = check_array("X", X, ndim=2)
    n_triples = check_int("n_triples", n_triples, 1)
    outputs = tuple(check_choice("outputs", o, REPRESENTATIONS) for o in outputs)
    drawn = draw_triples(X, n_triples, scale, seed, triples)
    points = drawn.points(X)
    n_base, n = len(drawn.rows), drawn.n
    base = torch.as_tensor(drawn.base_index)
    step = max(1, _ROW_BUDGET // (len(points) * model.max_width))
    values = {o: [] for o in outputs}
    raws = {o: [] for o in outputs}
    for start in range(0, model.K, step):
        out = forward64(model, points, slice(start, start + step))
        for o in outputs:
            Y = represent(out, o)
            f0, fa, fb, fab = Y[:, :n_base][:, base], *Y[:, n_base:].split(n, dim=1)
            u, v, w = fa - f0, fb - f0, fab - f0
            num = (fab - fa - fb + f0).norm(dim=-1)
            den = u.norm(dim=-1) + v.norm(dim=-1) + w.norm(dim=-1)
            total = den.sum(dim=1)
            value = torch.where(total > 0, num.sum(dim=1) / total.clamp_min(1e-300),
                                torch.zeros_like(total)).clamp(max=1.0)
            values[o].append(value)
            raws[o].append(num.mean(dim=1))
    return {o: (torch.cat(values[o]).numpy(), torch.cat(raws[o]).numpy()) for o in outputs}


#: d act(z) / dz from the activation's output h = act(z) (ReLU: h > 0 exactly when z > 0)
_DERIVATIVES = {"relu": lambda h: (h > 0).double(), "tanh": lambda h: 1 - h * h,
                "sigmoid": lambda h: h * (1 - h), "identity": torch.ones_like}


@torch.no_grad()
def jacobian_norm_members(model: BatchedMLP, X) -> np.ndarray:
    """Mean over the rows of ``X`` (n, d) of each member's input–output Jacobian
    Frobenius norm ‖∂f/∂x‖_F, (K,) float64: :func:`essay_lib.measures.linearity.jacobian_norm`
    of every member of a :class:`BatchedMLP` (equal to float64 rounding, tested), by an
    explicit reverse pass through each member's own float64 chain (no autograd graph).
    At a ReLU's kink (z = 0) the derivative is 0, as in autograd."""
    if not isinstance(model, BatchedMLP):
        raise TypeError(f"model must be a BatchedMLP, got {type(model).__name__}")
    X = check_array("X", X, ndim=2, columns=model.widths[0])
    act, derivative = ACTIVATIONS[model.activation], _DERIVATIVES[model.activation]
    norms = np.zeros(model.K)
    for k in range(model.K):
        *hidden, (w_out, _) = member_parameters64(model, k)
        for start in range(0, len(X), _JACOBIAN_ROWS):
            slopes, x = [], torch.as_tensor(X[start: start + _JACOBIAN_ROWS])
            for w, b in hidden:
                x = act(torch.addmm(b, x, w))
                slopes.append(derivative(x))                            # (rows, width)
            grad = w_out.T.expand(len(x), *w_out.T.shape)               # (rows, k_out, width)
            for (w, _), slope in zip(reversed(hidden), reversed(slopes), strict=True):
                grad = torch.matmul(grad * slope[:, None, :], w.T)      # (rows, k_out, width')
            norms[k] += float(grad.square().sum(dim=(1, 2)).sqrt().sum())
    return norms / len(X)
