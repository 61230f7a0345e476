"""One forward pass per architecture, and one table of activations with their derivatives.

Every place that runs a network calls these functions: the one-model ``nn.Module`` s of
:mod:`~essay_lib.nets.models` and :mod:`~essay_lib.nets.architectures`, the batched
models of :mod:`~essay_lib.nets.batched_mlp` and :mod:`~essay_lib.nets.stacked` (training,
hand-written or autograd, and evaluation), the float64 measures (Z̄ of many members,
Jacobians, masked sub-network passes, linear pieces).  What differs between those
uses is an argument, never a copy of the pass:

* **parameters** with or without a leading member axis: one network's layer ``i`` is
  ``(W (in, out), b (out,))``; K members' is ``(W (K, in, out), b (K, 1, out))``.
  Inputs are (n, in) (shared by every member) or (K, n, in).  :func:`affine` picks the
  product: one ``torch.addmm`` per network (bit for bit ``nn.Linear``), batched
  products for K members.
* **dtype and device**: those of the parameters and inputs (float32 to train, float64
  to measure).
* **noise**: ``noise(i, units) -> units``, applied to maskable layer ``i`` (0: the input
  features; ``l >= 1``: hidden layer ``l - 1``'s output after its activation), with
  ``units`` shaped (n, width) or (K, n, width).  Dropout (inverted, or PyTorch's
  ``F.dropout``), Gaussian multiplicative noise and fixed sub-network masks are all
  such functions; ``None`` is evaluation mode.
* **what comes back**: the output (…, n, n_outputs) and the hidden activations
  (…, n, width) after each activation, before noise.  ``inputs``: a list that collects
  what each affine layer received (the hand-written backward pass needs it).

The activation table :data:`ACTIVATIONS` holds each activation and its derivative
written from its *output* h = act(z) (ReLU: 1 where h > 0): the hand-written backward
pass and the explicit Jacobians both read it.  :func:`leaky_relu` builds the one
parametrised activation, the leaky ReLU of a given negative slope (chapter 04's path from
a trained ReLU network, slope 0, to an affine one, slope 1); :func:`mlp_forward` takes an
:class:`Activation` as well as a name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch.nn import functional as F

from essay_lib.util.checks import check_number

Noise = Callable[[int, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Activation:
    """An activation ``act(z)``, its in-place form, and its derivative from the output."""

    name: str
    function: Callable[[torch.Tensor], torch.Tensor]
    in_place: Callable[[torch.Tensor], torch.Tensor]
    derivative: Callable[[torch.Tensor], torch.Tensor]

    def __call__(self, z: torch.Tensor) -> torch.Tensor:
        return self.function(z)

    def backward_(self, h: torch.Tensor, grad: torch.Tensor) -> torch.Tensor:
        """``grad * act'(z)`` from the output ``h = act(z)`` (``grad`` may be overwritten)."""
        if self.name == "relu":  # one fused kernel instead of a mask and a product
            return torch.ops.aten.threshold_backward(grad, h, 0.0)
        if self.name == "identity":
            return grad
        return grad.mul_(self.derivative(h))


def _identity(z: torch.Tensor) -> torch.Tensor:
    return z


#: name -> :class:`Activation`; ``ACTIVATIONS[name](z)`` applies it
ACTIVATIONS: dict[str, Activation] = {
    "relu": Activation("relu", torch.relu, lambda z: z.clamp_min_(0),
                       lambda h: (h > 0).to(h.dtype)),
    "tanh": Activation("tanh", torch.tanh, torch.tanh_, lambda h: 1 - h * h),
    "sigmoid": Activation("sigmoid", torch.sigmoid, torch.sigmoid_, lambda h: h * (1 - h)),
    "identity": Activation("identity", _identity, _identity, torch.ones_like),
}


def activation(name: str) -> Activation:
    """The :class:`Activation` called ``name``; ``ValueError`` naming the choices."""
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]


def leaky_relu(slope: float) -> Activation:
    """The leaky ReLU ``z -> z`` for z > 0, ``slope · z`` for z <= 0, as an :class:`Activation`
    (``torch.nn.functional.leaky_relu``), named ``"leaky_relu(<slope>)"``.

    ``slope`` in [0, 1]: 0 is the ReLU (its values; a negative z gives -0.0 instead of
    0.0, which no sum, product or comparison downstream tells apart), 1 the identity
    (exactly: ``z * 1.0 == z``).  The derivative is written from the output h, as for
    every activation: for slope > 0, h > 0 exactly where z > 0, so it is 1 where h > 0 and
    ``slope`` where h <= 0 (at the kink z = 0 that is ``slope``, as autograd's).  For
    slope = 0 the same rule gives ReLU's derivative, 1 where h > 0 and 0 elsewhere
    (h = 0 there: the output no longer tells z < 0 from z = 0, and both have slope 0).
    """
    slope = check_number("slope", slope, minimum=0.0, maximum=1.0)

    def derivative(h: torch.Tensor) -> torch.Tensor:
        return torch.where(h > 0, torch.ones_like(h), torch.full_like(h, slope))

    return Activation(f"leaky_relu({slope:g})", lambda z: F.leaky_relu(z, slope),
                      lambda z: F.leaky_relu_(z, slope), derivative)


def dropout_noise(input_drop_rate: float, drop_rates: Sequence[float]) -> Noise:
    """PyTorch's inverted dropout as the engine's ``noise``: ``F.dropout`` (torch's global
    stream, like ``nn.Dropout``) at ``input_drop_rate`` on the input features and
    ``drop_rates[l]`` on hidden layer ``l`` (drop probabilities; 0 leaves a layer alone).
    One-network modules use it in training mode."""

    def noise(i: int, units: torch.Tensor) -> torch.Tensor:
        rate = input_drop_rate if i == 0 else drop_rates[i - 1]
        return F.dropout(units, rate, True) if rate > 0 else units

    return noise


# ---------------------------------------------------------------- products
# Batched products, arranged for speed: MKL's batched GEMM is 2-5x slower when the
# result has few columns, so narrow layers (o <= i / 4, e.g. the output layer) use
# the transposed products, and a product through one or two inputs is a sum of outer
# products.
def narrow(w: torch.Tensor) -> bool:
    """Whether a (K, i, o) weight is narrow enough (o <= i / 4) for the transposed GEMM."""
    return 4 * w.shape[2] <= w.shape[1]


def affine(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``x @ w + b``: one network (w (i, o), b (o,); x (..., n, i)) or K members (w (K, i, o),
    b (K, 1, o); x (n, i) shared or (K, n, i)) -> (..., n, o)."""
    if w.dim() == 2:
        return torch.addmm(b, x, w) if x.dim() == 2 else torch.matmul(x, w) + b
    if w.shape[1] <= 2:  # a sum of outer products (a GEMM over 1 or 2 terms is slow)
        z = torch.addcmul(b, x[..., 0:1], w[:, 0:1, :])
        return z.addcmul_(x[..., 1:2], w[:, 1:2, :]) if w.shape[1] == 2 else z
    if x.dim() == 2:
        x = x.expand(w.shape[0], *x.shape)
    if narrow(w):
        return torch.bmm(w.transpose(1, 2), x.transpose(1, 2)).transpose(1, 2).add(b)
    return torch.baddbmm(b, x, w)


def grad_weight(x: torch.Tensor, d: torch.Tensor, out: torch.Tensor) -> None:
    """out (K, i, o) = xᵀ d for x (K, n, i), d (K, n, o) (the backward of :func:`affine`)."""
    if narrow(out):
        out.copy_(torch.bmm(d.transpose(1, 2), x).transpose(1, 2))
    else:
        torch.bmm(x.transpose(1, 2), d, out=out)


def grad_input(d: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """d wᵀ for d (K, n, o), w (K, i, o): (K, n, i) (the backward of :func:`affine`)."""
    if w.shape[2] == 1:
        return d * w.transpose(1, 2)
    return torch.bmm(d, w.transpose(1, 2))


# ---------------------------------------------------------------- the MLP
def mlp_forward(layers: Sequence[tuple[torch.Tensor, torch.Tensor]], x: torch.Tensor,
                activation_name: str | Activation, *, noise: Noise | None = None, start: int = 0,
                stop: int | None = None, in_place: bool = False,
                inputs: list | None = None) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """The MLP: ``h_0 = x``, ``h_{i+1} = act(h_i W_i + b_i)``, output ``h_L W_L + b_L``.

    ``layers``: ``[(W_i, b_i)]`` (see the module docstring for shapes); ``x``: the input
    (…, n, in), or with ``start = s > 0`` the output of hidden layer ``s - 1`` (after
    its activation, before noise), from which the pass continues with layer ``s``.
    ``stop = s``: return the *pre-activation* of hidden layer ``s`` instead of the output
    (linear pieces find its zeros).  ``in_place``: the activation overwrites its input
    (no autograd).  ``activation_name``: a name of :data:`ACTIVATIONS` or an
    :class:`Activation` (e.g. :func:`leaky_relu`).  Returns (output or pre-activation,
    hidden activations computed).
    """
    act = (activation_name if isinstance(activation_name, Activation)
           else ACTIVATIONS[activation_name])
    last, hidden = len(layers) - 1, []
    x = noise(start, x) if noise is not None else x
    for i in range(start, last + 1):
        if inputs is not None:
            inputs.append(x)
        z = affine(x, *layers[i])
        if i == last or i == stop:
            return z, hidden
        h = act.in_place(z) if in_place else act(z)
        hidden.append(h)
        x = noise(i + 1, h) if noise is not None else h
    raise ValueError(f"start must be below the number of layers ({len(layers)}), got {start}")


# ---------------------------------------------------------------- the residual MLP
def residual_forward(params: dict[str, torch.Tensor], x: torch.Tensor, activation_name: str,
                     n_layers: int, *, noise: Noise | None = None
                     ) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """The residual MLP: ``h_1 = act(W_1 x + b_1)``, ``h_i = h_{i-1} + act(W_i h_{i-1} + b_i)``,
    output ``W h + b``.  ``params``: ``layers.i.weight`` (out, in) and ``layers.i.bias``
    (out,) as in the module's ``state_dict``, each with a leading member axis K or without;
    ``n_layers``: the number of linear layers."""
    act = ACTIVATIONS[activation_name]
    x = noise(0, x) if noise is not None else x
    hidden = []
    for i in range(n_layers):
        w, b = params[f"layers.{i}.weight"], params[f"layers.{i}.bias"]
        z = affine(x, w.T, b) if w.dim() == 2 else affine(x, w.transpose(1, 2), b.unsqueeze(1))
        if i == n_layers - 1:
            return z, hidden
        x = act(z) if i == 0 else x + act(z)
        hidden.append(x)
        x = noise(i + 1, x) if noise is not None else x
    raise ValueError(f"n_layers must be at least 1, got {n_layers}")


# ---------------------------------------------------------------- the CNN
KERNELS = {1: 5, 2: 3}  # kernel size by number of spatial dimensions
STRIDE = 2


def conv_shapes(input_shape: Sequence[int], n_layers: int) -> list[tuple[int, ...]]:
    """Spatial shape after each convolution (stride 2, same padding)."""
    k = KERNELS[len(input_shape)]
    shapes, shape = [], tuple(input_shape)
    for _ in range(n_layers):
        shape = tuple((s + 2 * (k // 2) - k) // STRIDE + 1 for s in shape)
        shapes.append(shape)
    return shapes


def cnn_forward(params: dict[str, torch.Tensor], x: torch.Tensor, activation_name: str,
                input_shape: Sequence[int], n_convs: int, *, noise: Noise | None = None
                ) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """The CNN: the input row seen as one channel of ``input_shape`` ((length,) or
    (height, width)); ``n_convs`` convolutions (stride 2, same padding, kernel 5 in 1-D and
    3 in 2-D), each followed by the activation; a linear read-out of the last feature map.

    ``params``: ``convs.i.weight`` (out, in, *kernel), ``convs.i.bias``, ``head.weight``,
    ``head.bias`` as in the module's ``state_dict``, with a leading member axis K (the K
    members run as one grouped convolution, ``groups=K``: no member sees another's
    channels) or without.  A hidden layer's units are its channels × positions, flattened
    channel-major, (…, n, units)."""
    act = ACTIVATIONS[activation_name]
    conv = F.conv1d if len(input_shape) == 1 else F.conv2d
    k = KERNELS[len(input_shape)]
    members = params["head.weight"].dim() == 3
    K = params["head.weight"].shape[0] if members else 1
    x = noise(0, x) if noise is not None else x
    n = x.shape[-2]
    if not members:
        h = x.reshape(n, 1, *input_shape)
    elif x.dim() == 2:
        h = x.reshape(n, 1, *input_shape).expand(n, K, *input_shape).contiguous()
    else:
        h = x.transpose(0, 1).reshape(n, K, *input_shape)

    def units(t):  # (n, K*C, *S) -> (K, n, C*S), or (n, C*S) for one network
        return t.reshape(n, K, -1).transpose(0, 1) if members else t.flatten(1)

    hidden = []
    for i in range(n_convs):
        w, b = params[f"convs.{i}.weight"], params[f"convs.{i}.bias"]
        if members:
            w, b = w.reshape(-1, *w.shape[2:]), b.reshape(-1)
        h = act(conv(h, w, b, stride=STRIDE, padding=k // 2, groups=K))
        hidden.append(units(h))
        if noise is not None:
            shape = h.shape
            noisy = noise(i + 1, units(h))
            h = (noisy.transpose(0, 1) if members else noisy).reshape(shape)
    w, b = params["head.weight"], params["head.bias"]
    features = units(h)
    out = affine(features, w.T, b) if not members else affine(features, w.transpose(1, 2),
                                                                b.unsqueeze(1))
    return out, hidden


def cnn_units(input_shape: Sequence[int], channels: Sequence[int]) -> tuple[int, ...]:
    """Units of each hidden layer of a CNN (channels × positions)."""
    shapes = conv_shapes(input_shape, len(channels))
    return tuple(c * math.prod(s) for c, s in zip(channels, shapes, strict=True))
