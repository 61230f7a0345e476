"""K residual MLPs or K CNNs at once: stacked parameters in one flat buffer, batched ops.

A stacked model holds K members of one :mod:`essay_lib.nets.architectures` module.
Parameter ``name`` of member ``k`` (named as in the member's ``state_dict``, e.g.
``layers.0.weight`` (out, in), ``convs.1.bias``) is ``params[name][k]``, a view into
one flat float32 buffer (K-major per tensor, like
:class:`~essay_lib.nets.batched_mlp.BatchedMLP`), so the engine's optimizer
(:mod:`essay_lib.nets.flat_optim`) and early stopping work on it unchanged.  Member
``k`` starts from ``make_residual``/``make_cnn(..., seed=seeds[k])``.

The forward pass runs all members together: the residual MLP's layers are batched
products (``torch.baddbmm`` on (K, n, width)); the CNN's convolutions are one grouped
convolution (``groups=K``: channels of member k form group k, so no member sees
another's activations), its read-out a batched product.  Gradients come from autograd
(:mod:`essay_lib.nets.autograd_step`); dropout masks per member and maskable layer
(``mask_widths``: the input, then every hidden layer's units) from the engine's
per-member streams.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from essay_lib.nets.architectures import (
    CNN,
    ResidualMLP,
    check_input_shape,
    check_residual_widths,
    make_cnn,
    make_residual,
)
from essay_lib.nets.engine import ACTIVATIONS, cnn_forward, cnn_units, conv_shapes, residual_forward
from essay_lib.nets.models import check_widths
from essay_lib.nets.noise import layer_noise
from essay_lib.nets.training import resolve_device
from essay_lib.util.checks import check_choice, check_int


class StackedModel:
    """K members of one architecture in a flat buffer (base of the two models below)."""

    def __init__(self, widths: Sequence[int], seeds: Sequence[int], *, activation: str = "relu",
                 device: str | torch.device = "cpu"):
        check_choice("activation", activation, sorted(ACTIVATIONS))
        if len(seeds) == 0:
            raise ValueError("seeds must name at least one member, got an empty sequence")
        self.widths = self._check_widths(widths)
        self.activation = activation
        self.seeds = tuple(int(s) for s in seeds)
        self.device = resolve_device(device) if isinstance(device, str) else device
        K = self.K = len(self.seeds)
        members = [self.make_member(seed=s) for s in self.seeds]
        shapes = [(name, tuple(p.shape)) for name, p in members[0].named_parameters()]
        self.flat = torch.empty(sum(K * math.prod(s) for _, s in shapes), device=self.device)
        self.names, self.blocks, offset = [name for name, _ in shapes], [], 0
        for _, shape in shapes:
            self.blocks.append((offset, K * math.prod(shape)))
            offset += K * math.prod(shape)
        self.params = self.views(self.flat)[1]
        self.weights = self.views(self.flat)[0]
        with torch.no_grad():
            for k, member in enumerate(members):
                for name, p in member.named_parameters():
                    self.params[name][k].copy_(p)

    # ------------------------------------------------------------ to be given by a subclass
    def _check_widths(self, widths) -> tuple[int, ...]:
        return check_widths(widths[0], list(widths[1:-1]), widths[-1])

    def make_member(self, *, seed: int = 0, drop_rates=(), input_drop_rate: float = 0.0):
        raise NotImplementedError

    def _forward(self, params, x, noise):
        raise NotImplementedError

    @property
    def mask_widths(self) -> tuple[int, ...]:
        raise NotImplementedError

    #: the name of the read-out weight (outputs = last hidden units @ its transpose + bias)
    readout_name = ""

    # ------------------------------------------------------------ shared
    @property
    def n_hidden_layers(self) -> int:
        return len(self.widths) - 2

    @property
    def max_width(self) -> int:
        """The widest layer (bounds the rows evaluated at once)."""
        return max(*self.mask_widths, self.widths[-1])

    def views(self, buffer: torch.Tensor) -> tuple[list[torch.Tensor], dict[str, torch.Tensor]]:
        """Views of a buffer laid out like :attr:`flat`: the weight tensors (K, ...) (those
        of two or more dimensions per member: penalties and decay act on them) and every
        parameter by name."""
        params = {}
        for name, (offset, size), template in zip(self.names, self.blocks,
                                                  self._shapes(), strict=True):
            params[name] = buffer[offset: offset + size].view(self.K, *template)
        return [v for v in params.values() if v.dim() >= 3], params

    def _shapes(self):
        if not hasattr(self, "_member_shapes"):
            template = self.make_member(seed=0)
            self._member_shapes = [tuple(p.shape) for _, p in template.named_parameters()]
        return self._member_shapes

    def train_pass(self, buffer: torch.Tensor, x: torch.Tensor, masks, rows: int):
        """Training-mode outputs (K, rows, n_outputs) and hidden units (K, rows, units), each
        before its own noise, parameters from ``buffer`` (differentiable)."""
        return self._forward(self.views(buffer)[1], x, layer_noise(masks, rows))

    def train_forward(self, buffer: torch.Tensor, x: torch.Tensor, masks, rows: int):
        """The outputs of :meth:`train_pass`."""
        return self.train_pass(buffer, x, masks, rows)[0]

    def readout(self, buffer: torch.Tensor) -> torch.Tensor:
        """The read-out weights (K, last hidden units, n_outputs) in ``buffer`` (outputs =
        last hidden layer ``@ readout + b``)."""
        return self.views(buffer)[1][self.readout_name].transpose(1, 2)

    def forward_with_hidden(self, X: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Evaluation-mode outputs (K, n, n_outputs) and hidden units (K, n, units) for
        inputs (n, n_inputs) or (K, n, n_inputs)."""
        return self._forward(self.params, X, None)

    @torch.no_grad()
    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.forward_with_hidden(X)[0]

    def member(self, k: int, *, drop_rate: float = 0.0, input_drop_rate: float = 0.0):
        """Member ``k`` as a plain module (CPU, eval mode, own weights, the given rates)."""
        k = check_int("k", k, minimum=0, maximum=self.K - 1)
        model = self.make_member(drop_rates=(float(drop_rate),) * self.n_hidden_layers,
                                 input_drop_rate=float(input_drop_rate))
        with torch.no_grad():
            for name, p in model.named_parameters():
                p.copy_(self.params[name][k].cpu())
        return model.eval()

    def member_arrays(self, k: int) -> dict[str, np.ndarray]:
        """Member ``k``'s parameters as float32 arrays named like its ``state_dict()``."""
        return {name: view[k].detach().cpu().numpy().copy() for name, view in self.params.items()}

    @classmethod
    def from_arrays(cls, widths, members: Sequence[dict], **kwargs):
        """K members from their parameter arrays (``members[k]``: name -> array)."""
        model = cls(widths, [0] * len(members), **kwargs)
        with torch.no_grad():
            for k, arrays in enumerate(members):
                for name, view in model.params.items():
                    value = torch.as_tensor(np.asarray(arrays[name]))
                    if value.shape != view[k].shape:
                        raise ValueError(f"members[{k}][{name!r}] has shape "
                                         f"{tuple(value.shape)}, expected {tuple(view[k].shape)}")
                    view[k].copy_(value)
        return model


class BatchedResidualMLP(StackedModel):
    """K :class:`~essay_lib.nets.architectures.ResidualMLP` s of widths
    ``(n_inputs, *hidden, n_outputs)`` (equal hidden widths)."""

    def _check_widths(self, widths):
        return check_residual_widths(widths)

    def make_member(self, *, seed=0, drop_rates=(), input_drop_rate=0.0) -> ResidualMLP:
        return make_residual(self.widths, activation=self.activation, drop_rates=drop_rates,
                             input_drop_rate=input_drop_rate, seed=seed)

    @property
    def mask_widths(self) -> tuple[int, ...]:
        return self.widths[:-1]

    @property
    def readout_name(self) -> str:
        return f"layers.{len(self.widths) - 2}.weight"

    def _forward(self, params, x, noise):
        return residual_forward(params, x, self.activation, len(self.widths) - 1, noise=noise)


class BatchedCNN(StackedModel):
    """K :class:`~essay_lib.nets.architectures.CNN` s, ``widths = (n_inputs, *channels,
    n_outputs)``, ``input_shape``: ``(length,)`` (default ``(n_inputs,)``) or
    ``(height, width)``."""

    def __init__(self, widths, seeds, *, activation="relu", input_shape=None, device="cpu"):
        self.input_shape = check_input_shape(input_shape, int(widths[0]))
        super().__init__(widths, seeds, activation=activation, device=device)
        self.spatial = conv_shapes(self.input_shape, self.n_hidden_layers)

    def make_member(self, *, seed=0, drop_rates=(), input_drop_rate=0.0) -> CNN:
        return make_cnn(self.widths, input_shape=self.input_shape, activation=self.activation,
                        drop_rates=drop_rates, input_drop_rate=input_drop_rate, seed=seed)

    @classmethod
    def from_arrays(cls, widths, members, *, input_shape=None, **kwargs):
        return super().from_arrays(widths, members, input_shape=input_shape, **kwargs)

    @property
    def mask_widths(self) -> tuple[int, ...]:
        return (self.widths[0], *cnn_units(self.input_shape, self.widths[1:-1]))

    readout_name = "head.weight"

    def _forward(self, params, x, noise):
        return cnn_forward(params, x, self.activation, self.input_shape, self.n_hidden_layers,
                           noise=noise)
