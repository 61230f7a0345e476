"""Two more architectures for the variants: a residual MLP and a small CNN (issue 14.2).

Both are plain ``nn.Module`` s with the :class:`~essay_lib.nets.models.MLP`'s
conventions (input (n, n_inputs) -> output (n, n_outputs), logits for a classifier;
``drop_rates[i]`` drops units of hidden layer ``i`` after its activation,
``input_drop_rate`` drops input features; inverted dropout, PyTorch's ``p``;
``forward_with_hidden`` also returns every hidden layer's activations (n, units)).
Their initial weights are PyTorch's default initialisation drawn from torch's stream
seeded with ``seed`` inside ``torch.random.fork_rng`` (the caller's global state is
left alone).  The batched versions that train K of them at once live in
:mod:`essay_lib.nets.stacked`.

* :class:`ResidualMLP`: ``h_1 = act(W_1 x + b_1)``, then ``h_i = h_{i-1} + act(W_i
  h_{i-1} + b_i)`` (a skip around every further hidden layer: all hidden widths are
  equal), output ``W h + b``.
* :class:`CNN`: the input row seen as a 1-D signal ``input_shape=(length,)`` (MNIST-1D:
  40 samples) or an image ``(height, width)`` (digits: 8 x 8), one channel; each hidden
  layer a convolution with stride 2 and "same" padding (kernel 5 in 1-D, 3 in 2-D) and
  the activation; its units are channels x positions; then a linear read-out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from essay_lib.nets.engine import (
    ACTIVATIONS,
    KERNELS,
    STRIDE,
    cnn_forward,
    conv_shapes,
    dropout_noise,
    residual_forward,
)
from essay_lib.nets.models import check_widths
from essay_lib.util.checks import check_choice, check_drop_rate, check_int, check_seed


def _rates(drop_rates, n_hidden: int) -> tuple[float, ...]:
    rates = tuple(drop_rates) if drop_rates else (0.0,) * n_hidden
    if len(rates) != n_hidden:
        raise ValueError(f"drop_rates must have one entry per hidden layer ({n_hidden}), "
                         f"got {len(rates)}")
    return tuple(check_drop_rate(f"drop_rates[{i}]", r) for i, r in enumerate(rates))


def check_residual_widths(widths: Sequence[int]) -> tuple[int, ...]:
    """``(n_inputs, *hidden, n_outputs)`` validated; the hidden widths must be equal."""
    widths = check_widths(widths[0], list(widths[1:-1]), widths[-1])
    if len(set(widths[1:-1])) != 1:
        raise ValueError(f"a residual MLP's hidden widths must be equal (the skips add "
                         f"them), got {widths[1:-1]}")
    return widths


def check_input_shape(input_shape, n_inputs: int) -> tuple[int, ...]:
    """The CNN's view of an input row: ``(n_inputs,)`` (default) or ``(height, width)``."""
    shape = (n_inputs,) if input_shape is None else tuple(input_shape)
    if len(shape) not in KERNELS:
        raise ValueError(f"input_shape must be (length,) or (height, width), got {shape}")
    for i, s in enumerate(shape):
        check_int(f"input_shape[{i}]", s)
    if math.prod(shape) != n_inputs:
        raise ValueError(f"input_shape {shape} does not hold n_inputs={n_inputs} features")
    return shape


class ResidualMLP(nn.Module):
    """A residual MLP of widths ``(n_inputs, *hidden, n_outputs)`` (see the module doc)."""

    def __init__(self, widths: Sequence[int], *, activation: str = "relu",
                 drop_rates: Sequence[float] = (), input_drop_rate: float = 0.0):
        super().__init__()
        check_choice("activation", activation, sorted(ACTIVATIONS))
        self.widths = check_residual_widths(widths)
        self.activation = activation
        self.drop_rates = _rates(drop_rates, len(self.widths) - 2)
        self.input_drop_rate = check_drop_rate("input_drop_rate", input_drop_rate)
        with torch.random.fork_rng(devices=[]):
            self.layers = nn.ModuleList(
                nn.Linear(a, b) for a, b in zip(self.widths[:-1], self.widths[1:], strict=True))

    def forward_with_hidden(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Output and hidden activations, by :func:`~essay_lib.nets.engine.residual_forward`."""
        params = {f"layers.{i}.{name}": getattr(layer, name)
                  for i, layer in enumerate(self.layers) for name in ("weight", "bias")}
        noise = dropout_noise(self.input_drop_rate, self.drop_rates) if self.training else None
        return residual_forward(params, x, self.activation, len(self.layers), noise=noise)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_with_hidden(x)[0]


class CNN(nn.Module):
    """A small CNN: ``widths = (n_inputs, *channels, n_outputs)`` (see the module doc)."""

    def __init__(self, widths: Sequence[int], *, input_shape: Sequence[int] | None = None,
                 activation: str = "relu", drop_rates: Sequence[float] = (),
                 input_drop_rate: float = 0.0):
        super().__init__()
        check_choice("activation", activation, sorted(ACTIVATIONS))
        self.widths = check_widths(widths[0], list(widths[1:-1]), widths[-1])
        self.input_shape = check_input_shape(input_shape, self.widths[0])
        self.activation = activation
        self.drop_rates = _rates(drop_rates, len(self.widths) - 2)
        self.input_drop_rate = check_drop_rate("input_drop_rate", input_drop_rate)
        conv = nn.Conv1d if len(self.input_shape) == 1 else nn.Conv2d
        k = KERNELS[len(self.input_shape)]
        channels = (1, *self.widths[1:-1])
        last = channels[-1] * math.prod(conv_shapes(self.input_shape, len(channels) - 1)[-1])
        with torch.random.fork_rng(devices=[]):
            self.convs = nn.ModuleList(conv(a, b, k, stride=STRIDE, padding=k // 2)
                                       for a, b in zip(channels[:-1], channels[1:], strict=True))
            self.head = nn.Linear(last, self.widths[-1])

    def forward_with_hidden(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Output and hidden units (n, channels x positions), by
        :func:`~essay_lib.nets.engine.cnn_forward`."""
        params = {f"convs.{i}.{name}": getattr(conv, name)
                  for i, conv in enumerate(self.convs) for name in ("weight", "bias")}
        params.update({"head.weight": self.head.weight, "head.bias": self.head.bias})
        noise = dropout_noise(self.input_drop_rate, self.drop_rates) if self.training else None
        return cnn_forward(params, x, self.activation, self.input_shape, len(self.convs),
                           noise=noise)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_with_hidden(x)[0]


def _seeded(build, seed: int) -> nn.Module:
    check_seed("seed", seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        model = build()
        for module in model.modules():  # the default initialisation, from the seeded stream
            if isinstance(module, (nn.Linear, nn.Conv1d, nn.Conv2d)):
                module.reset_parameters()
    return model


def make_residual(widths: Sequence[int], *, activation: str = "relu",
                  drop_rates: Sequence[float] = (), input_drop_rate: float = 0.0,
                  seed: int = 0) -> ResidualMLP:
    """A :class:`ResidualMLP` with seeded initial weights."""
    return _seeded(lambda: ResidualMLP(widths, activation=activation, drop_rates=drop_rates,
                                       input_drop_rate=input_drop_rate), seed)


def make_cnn(widths: Sequence[int], *, input_shape: Sequence[int] | None = None,
             activation: str = "relu", drop_rates: Sequence[float] = (),
             input_drop_rate: float = 0.0, seed: int = 0) -> CNN:
    """A :class:`CNN` with seeded initial weights."""
    return _seeded(lambda: CNN(widths, input_shape=input_shape, activation=activation,
                               drop_rates=drop_rates, input_drop_rate=input_drop_rate), seed)
