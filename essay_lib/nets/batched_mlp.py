"""K multi-layer perceptrons stacked in one flat buffer (the batched engine's MLP).

A :class:`BatchedMLP` holds K members of one architecture.  Layer ``i`` of
member ``k`` has weights ``weights[i][k]`` of shape (in, out) (the transpose of
``nn.Linear.weight``) and bias ``biases[i][k]`` of shape (1, out); all of them
are views into one flat float32 buffer, so an optimizer step is a handful of
whole-buffer operations.  Member ``k`` starts from the weights of
``make_mlp(..., seed=seeds[k])`` (:func:`essay_lib.nets.models.initial_parameters`).
Training: :func:`essay_lib.nets.ensemble.train_ensemble`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from essay_lib.nets.engine import activation as check_activation
from essay_lib.nets.engine import mlp_forward
from essay_lib.nets.models import MLP, check_widths, initial_parameters
from essay_lib.nets.noise import layer_noise
from essay_lib.nets.training import resolve_device
from essay_lib.util.checks import check_int


class BatchedMLP:
    """K MLPs of widths ``(n_inputs, *hidden, n_outputs)`` stacked in one flat buffer.

    ``seeds[k]`` gives member k the initial weights of ``make_mlp(..., seed=seeds[k])``.
    ``weights[i]``: (K, widths[i], widths[i+1]); ``biases[i]``: (K, 1, widths[i+1]).
    """

    def __init__(self, widths: Sequence[int], seeds: Sequence[int], *, activation: str = "relu",
                 device: str | torch.device = "cpu"):
        self.widths = check_widths(widths[0], list(widths[1:-1]), widths[-1])
        check_activation(activation)
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

    @property
    def max_width(self) -> int:
        """The widest layer (bounds the rows evaluated at once)."""
        return max(self.widths)

    @property
    def mask_widths(self) -> tuple[int, ...]:
        """Widths of the maskable layers: the input, then every hidden layer."""
        return self.widths[:-1]

    def views(self, buffer: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Views of a buffer laid out like :attr:`flat` (e.g. its gradient): the weights
        (K, in, out) and biases (K, 1, out) of every layer."""
        parts = [buffer[o: o + s] for o, s in self.blocks]
        weights = [v.view_as(w) for v, w in zip(parts, self.weights, strict=False)]
        return weights, [v.view_as(b) for v, b in zip(parts[self.n_layers:], self.biases,
                                                       strict=True)]

    def layer_parameters(self, buffer: torch.Tensor | None = None, *, member: int | None = None,
                         dtype: torch.dtype | None = None) -> list[tuple[torch.Tensor, ...]]:
        """The engine's layers ``[(W_i, b_i)]``: all members' (K, in, out) and (K, 1, out) views
        of ``buffer`` (default :attr:`flat`), or with ``member=k`` member k's own (in, out)
        and (out,) (with ``dtype``, copies of that type on the CPU: float64 measuring)."""
        weights, biases = self.views(buffer) if buffer is not None else (self.weights,
                                                                          self.biases)
        if member is None:
            return list(zip(weights, biases, strict=True))
        k = check_int("member", member, minimum=0, maximum=self.K - 1)
        layers = [(w[k], b[k, 0]) for w, b in zip(weights, biases, strict=True)]
        if dtype is not None:
            layers = [(w.detach().cpu().to(dtype), b.detach().cpu().to(dtype))
                      for w, b in layers]
        return layers

    def train_pass(self, buffer: torch.Tensor, x: torch.Tensor, masks, rows: int):
        """Training-mode outputs (K, rows, n_outputs) and hidden activations (K, rows, width)
        (each before its own noise) with the parameters in ``buffer`` (differentiable: the
        autograd path of :mod:`essay_lib.nets.autograd_step`); ``masks``: one noise stream
        of :mod:`essay_lib.nets.noise` or ``None`` per entry of :attr:`mask_widths`, drawn
        in the hand-written trainer's order."""
        return mlp_forward(self.layer_parameters(buffer), x, self.activation,
                           noise=layer_noise(masks, rows))

    def train_forward(self, buffer: torch.Tensor, x: torch.Tensor, masks, rows: int):
        """The outputs of :meth:`train_pass`."""
        return self.train_pass(buffer, x, masks, rows)[0]

    def readout(self, buffer: torch.Tensor) -> torch.Tensor:
        """The read-out weights (K, last hidden width, n_outputs) in ``buffer``: the last
        layer maps the last hidden layer to the outputs as ``h @ readout + b``."""
        return self.views(buffer)[0][-1]

    def forward_with_hidden(self, X: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Evaluation-mode outputs (K, n, n_outputs) and hidden activations (K, n, width).

        ``X``: (n, n_inputs) shared by all members, or (K, n, n_inputs).
        """
        return mlp_forward(self.layer_parameters(), X, self.activation)

    @torch.no_grad()
    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Evaluation-mode outputs (K, n, n_outputs) for inputs (n, d) or (K, n, d)."""
        return self.forward_with_hidden(X)[0]

    def member(self, k: int, *, drop_rate: float = 0.0, input_drop_rate: float = 0.0) -> MLP:
        """Member ``k`` as a plain :class:`~essay_lib.nets.models.MLP` (CPU, eval mode, own
        weights)."""
        k = check_int("k", k, minimum=0, maximum=self.K - 1)
        model = MLP(self.widths, activation=self.activation,
                    drop_rates=(float(drop_rate),) * (self.n_layers - 1),
                    input_drop_rate=float(input_drop_rate))
        with torch.no_grad():
            for layer, w, b in zip(model.layers, self.weights, self.biases, strict=True):
                layer.weight.copy_(w[k].T.cpu())
                layer.bias.copy_(b[k, 0].cpu())
        return model.eval()
