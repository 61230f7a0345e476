"""The networks floor: models, penalties, dropout, one-model training, the batched engine.

* :mod:`~essay_lib.nets.models`: :class:`MLP`, :func:`make_mlp` (seeded initialisation);
* :mod:`~essay_lib.nets.architectures`: a residual MLP and a small 1-D/2-D CNN (seeded);
* :mod:`~essay_lib.nets.regularization`: the L1/L2 weight penalties and the weight
  statistics they change (sparsity, norm);
* :mod:`~essay_lib.nets.dropout`: masks, Monte Carlo averaging, the exact linear case;
* :mod:`~essay_lib.nets.training`: :func:`train_model` (one network, autograd);
* :mod:`~essay_lib.nets.ensemble`: :func:`train_ensemble` (K networks at once) over the
  batched models of :mod:`~essay_lib.nets.batched_mlp` and :mod:`~essay_lib.nets.stacked`,
  with the optimizer of :mod:`~essay_lib.nets.flat_optim`, one
  :class:`~essay_lib.nets.member.Member` per network, the noise streams of
  :mod:`~essay_lib.nets.noise` (dropout, Gaussian dropout, mixup) and dropout's explicit
  penalty (:mod:`~essay_lib.nets.penalties`);
* :mod:`~essay_lib.nets.engine`: the one forward pass of each architecture, the
  activations and their derivatives; :mod:`~essay_lib.nets.losses`: losses and R².

What is measured on networks lives a floor up (:mod:`essay_lib.measures`), and loops over
configurations and seeds two floors up (:mod:`essay_lib.experiment`).
"""

from essay_lib.nets import (
    architectures,
    batched_mlp,
    dropout,
    engine,
    ensemble,
    flat_optim,
    losses,
    member,
    models,
    noise,
    penalties,
    regularization,
    stacked,
    training,
)

__all__ = ["architectures", "batched_mlp", "dropout", "engine", "ensemble", "flat_optim",
           "losses", "member", "models", "noise", "penalties", "regularization", "stacked",
           "training"]
