"""Multi-layer perceptrons with per-layer dropout, seeded initialisation.

Conventions
-----------
* ``drop_rate`` is the probability of *dropping* a unit (PyTorch's ``p``);
  Srivastava et al. (2014) write ``p`` for the probability of *keeping* it,
  ``keep_prob = 1 - drop_rate``.  Dropout here is "inverted": kept units are
  scaled by ``1 / (1 - drop_rate)`` during training, so evaluation needs no
  rescaling.
* Layer ``i`` maps ``widths[i] -> widths[i+1]`` where
  ``widths = (n_inputs, *hidden, n_outputs)``; the last layer is linear (it
  returns logits for classification, values for regression).
* Initial weights depend only on ``seed`` (a ``torch.Generator`` stream):
  :func:`initial_parameters` is shared with the batched models of
  :mod:`essay_lib.nets.batched_mlp`, so a member seeded ``s`` starts where
  ``make_mlp(..., seed=s)`` starts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from essay_lib.nets.engine import ACTIVATIONS, dropout_noise, mlp_forward
from essay_lib.util.checks import check_choice, check_drop_rate, check_int, check_seed


def check_widths(n_inputs, hidden, n_outputs) -> tuple[int, ...]:
    """Validate layer sizes and return ``(n_inputs, *hidden, n_outputs)``."""
    if isinstance(hidden, (int, float)) or not isinstance(hidden, Sequence):
        raise TypeError(f"hidden must be a sequence of positive integers, got {hidden!r}")
    if len(hidden) == 0:
        raise ValueError("hidden must name at least one hidden layer width, got an empty sequence")
    widths = (n_inputs, *hidden, n_outputs)
    names = ["n_inputs"] + [f"hidden[{i}]" for i in range(len(hidden))] + ["n_outputs"]
    for name, width in zip(names, widths, strict=True):
        check_int(name, width, minimum=1)
    return tuple(int(w) for w in widths)


def initial_parameters(widths: Sequence[int], seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """PyTorch's default ``nn.Linear`` initialisation, drawn from a seeded stream.

    Returns ``[(W_i, b_i)]`` with ``W_i`` of shape (widths[i+1], widths[i]) and
    ``b_i`` of shape (widths[i+1],), float32, both uniform on
    ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``.
    """
    generator = torch.Generator().manual_seed(int(seed))
    params = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:], strict=True):
        bound = 1.0 / math.sqrt(fan_in)
        weight = (torch.rand(fan_out, fan_in, generator=generator) * 2 - 1) * bound
        bias = (torch.rand(fan_out, generator=generator) * 2 - 1) * bound
        params.append((weight, bias))
    return params


class MLP(nn.Module):
    """A fully connected network with optional dropout on the input and each hidden layer.

    Input (n, n_inputs) -> output (n, n_outputs).  ``drop_rates[i]`` applies to the
    output of hidden layer ``i`` (after the activation), ``input_drop_rate`` to the input.
    """

    def __init__(self, widths: Sequence[int], *, activation: str = "relu",
                 drop_rates: Sequence[float] = (), input_drop_rate: float = 0.0):
        super().__init__()
        check_choice("activation", activation, sorted(ACTIVATIONS))
        self.widths = tuple(widths)
        self.activation = activation
        self.drop_rates = tuple(drop_rates)
        self.input_drop_rate = input_drop_rate
        # nn.Linear draws a default initialisation from torch's global stream; fork it so
        # that building a model leaves the caller's global random state untouched
        with torch.random.fork_rng(devices=[]):
            self.layers = nn.ModuleList(
                nn.Linear(a, b) for a, b in zip(self.widths[:-1], self.widths[1:], strict=True)
            )

    @property
    def n_hidden_layers(self) -> int:
        return len(self.layers) - 1

    def layer_parameters(self) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """``[(W_i (in, out), b_i (out,))]``: views of the layers, the engine's layout."""
        return [(layer.weight.T, layer.bias) for layer in self.layers]

    def forward_with_hidden(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Output and the list of hidden activations (after the nonlinearity, before dropout),
        by the engine's :func:`~essay_lib.nets.engine.mlp_forward`."""
        noise = dropout_noise(self.input_drop_rate, self.drop_rates) if self.training else None
        return mlp_forward(self.layer_parameters(), x, self.activation, noise=noise)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_with_hidden(x)[0]

    def extra_repr(self) -> str:
        return (f"widths={self.widths}, activation={self.activation!r}, "
                f"drop_rates={self.drop_rates}, input_drop_rate={self.input_drop_rate}")


def make_mlp(
    n_inputs: int,
    hidden: Sequence[int],
    n_outputs: int,
    *,
    activation: str = "relu",
    drop_rate: float | Sequence[float] = 0.0,
    input_drop_rate: float = 0.0,
    seed: int = 0,
) -> MLP:
    """Build an :class:`MLP` with seeded initial weights.

    ``drop_rate``: one drop probability for every hidden layer, or one per hidden
    layer; ``input_drop_rate``: drop probability of input features.  Both in [0, 1).
    """
    widths = check_widths(n_inputs, hidden, n_outputs)
    if isinstance(drop_rate, Sequence) and not isinstance(drop_rate, str):
        if len(drop_rate) != len(hidden):
            raise ValueError(f"drop_rate must have one entry per hidden layer ({len(hidden)}), "
                             f"got {len(drop_rate)}")
        rates = tuple(check_drop_rate(f"drop_rate[{i}]", r) for i, r in enumerate(drop_rate))
    else:
        rates = (check_drop_rate("drop_rate", drop_rate),) * len(hidden)
    input_drop_rate = check_drop_rate("input_drop_rate", input_drop_rate)
    check_seed("seed", seed)
    model = MLP(widths, activation=activation, drop_rates=rates, input_drop_rate=input_drop_rate)
    with torch.no_grad():
        initial = initial_parameters(widths, seed)
        for layer, (weight, bias) in zip(model.layers, initial, strict=True):
            layer.weight.copy_(weight)
            layer.bias.copy_(bias)
    return model


def count_parameters(model: nn.Module) -> int:
    """Number of trainable scalars in ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
