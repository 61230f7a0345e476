"""Z̄ of many networks at once: K members of a batched model on the same triples, float64.

The specification curve of chapter 05 measures every trained network under many
settings (output representation × displacement scale × triple type).  The triples
are drawn once for all K members, each set of points goes through every member in
float64, and every output representation is
computed from that one pass (each member on its own, so its numbers do not depend on
its neighbours).  The result equals :func:`essay_lib.measures.linearity.z_bar`
of each member (``as_function(member, output=...)``) to float64 rounding (tested).

Output representations (:data:`REPRESENTATIONS`): ``"logits"`` (the raw outputs: values
of a regressor, logits of a classifier), ``"centred_logits"`` (logits minus their mean
over the classes, the per-input shift that softmax ignores), ``"log_probabilities"``
(log-softmax) and ``"probabilities"`` (softmax over k >= 2 classes, the sigmoid of the one
output when k = 1, as :class:`essay_lib.measures.linearity.ModuleFunction`).  Centred
logits and log-probabilities only mean something for classifiers (k >= 2).
"""

from __future__ import annotations

import numpy as np
import torch

from essay_lib.measures.additivity import defect_parts, ratio_of_sums
from essay_lib.measures.names import REPRESENTATIONS
from essay_lib.measures.triples import Triples, draw_triples
from essay_lib.nets.engine import ACTIVATIONS, mlp_forward
from essay_lib.nets.ensemble import BatchedMLP
from essay_lib.util.checks import check_array, check_choice, check_int

_ROW_BUDGET = 1 << 22  # members x points per chunk (bounds the float64 activations)
_JACOBIAN_ROWS = 4096  # rows per reverse pass of jacobian_norm_members (bounds memory)


def represent(Y: torch.Tensor, output: str) -> torch.Tensor:
    """Outputs (..., k) in the representation ``output`` (see the module docstring)."""
    check_choice("output", output, REPRESENTATIONS)
    if output == "logits":
        return Y
    if output == "probabilities":
        return torch.sigmoid(Y) if Y.shape[-1] == 1 else torch.softmax(Y, dim=-1)
    if Y.shape[-1] < 2:
        raise ValueError(f"output {output!r} needs k >= 2 outputs (a classifier), "
                         f"got {Y.shape[-1]}")
    if output == "centred_logits":
        return Y - Y.mean(dim=-1, keepdim=True)
    return torch.log_softmax(Y, dim=-1)


@torch.no_grad()
def forward64(model, X: np.ndarray, members: slice = slice(None)) -> torch.Tensor:
    """Evaluation-mode outputs (K', n, k) of ``model.member``s ``members`` on ``X`` (n, d),
    in float64 on the CPU.  Each member runs on its own (a :class:`BatchedMLP` member's
    float64 layers through :func:`~essay_lib.nets.engine.mlp_forward`, any other batched
    model's :meth:`member` module), so a member's numbers do not depend on which others are
    evaluated beside it."""
    x0 = torch.as_tensor(np.asarray(X, dtype=np.float64))
    if not isinstance(model, BatchedMLP):
        return torch.stack([model.member(k).double()(x0) for k in range(model.K)[members]])
    return torch.stack([
        mlp_forward(model.layer_parameters(member=k, dtype=torch.float64), x0,
                    model.activation)[0]
        for k in range(model.K)[members]])


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
    step = max(1, _ROW_BUDGET // (len(points) * model.max_width))
    values = {o: [] for o in outputs}
    raws = {o: [] for o in outputs}
    for start in range(0, model.K, step):
        out = forward64(model, points, slice(start, start + step))
        for o in outputs:
            value, raw = z_of_outputs(represent(out, o), drawn)
            values[o].append(value)
            raws[o].append(raw)
    return {o: (torch.cat(values[o]).numpy(), torch.cat(raws[o]).numpy()) for o in outputs}


def z_of_outputs(Y: torch.Tensor, drawn: Triples) -> tuple[torch.Tensor, torch.Tensor]:
    """Z̄ (K,) and raw mean ‖D‖ (K,) from outputs ``Y`` (K, len(drawn.rows) + 3·drawn.n, k)
    of K functions at the points ``drawn.points(X)`` (in that order)."""
    n_base, n = len(drawn.rows), drawn.n
    f0, fa, fb, fab = (Y[:, :n_base][:, torch.as_tensor(drawn.base_index)],
                       *Y[:, n_base:].split(n, dim=1))
    num, den = defect_parts(f0, fa, fb, fab)
    return ratio_of_sums(num, den, axis=1), num.mean(dim=1)


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
    derivative = ACTIVATIONS[model.activation].derivative
    norms = np.zeros(model.K)
    for k in range(model.K):
        layers = model.layer_parameters(member=k, dtype=torch.float64)
        w_out = layers[-1][0]
        for start in range(0, len(X), _JACOBIAN_ROWS):
            x = torch.as_tensor(X[start: start + _JACOBIAN_ROWS])
            _, hidden = mlp_forward(layers, x, model.activation)
            grad = w_out.T.expand(len(x), *w_out.T.shape)               # (rows, k_out, width)
            for (w, _), h in zip(reversed(layers[:-1]), reversed(hidden), strict=True):
                slope = derivative(h)                                   # (rows, width)
                grad = torch.matmul(grad * slope[:, None, :], w.T)      # (rows, k_out, width')
            norms[k] += float(grad.square().sum(dim=(1, 2)).sqrt().sum())
    return norms / len(X)
