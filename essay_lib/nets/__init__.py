"""The networks floor: models, penalties, dropout, one-model training, the batched engine.

* :mod:`~essay_lib.nets.models`: :class:`MLP`, :func:`make_mlp` (seeded initialisation);
* :mod:`~essay_lib.nets.architectures`: a residual MLP and a small 1-D/2-D CNN (seeded);
* :mod:`~essay_lib.nets.regularization`: L1/L2 penalties, sparsity, norms, the 2-D picture;
* :mod:`~essay_lib.nets.dropout`: masks, Monte Carlo averaging, the exact linear case;
* :mod:`~essay_lib.nets.dropout_checks`: chapter 02's checks over many networks (Monte
  Carlo convergence, the input-dropout ridge check);
* :mod:`~essay_lib.nets.training`: :func:`train_model` (one network, autograd);
* :mod:`~essay_lib.nets.ensemble`: :func:`train_ensemble` (K networks at once) over the
  batched models of :mod:`~essay_lib.nets.batched_mlp` and :mod:`~essay_lib.nets.stacked`,
  with the optimizer of :mod:`~essay_lib.nets.flat_optim`, one
  :class:`~essay_lib.nets.member.Member` per network, the noise streams of
  :mod:`~essay_lib.nets.noise` (dropout, Gaussian dropout, mixup) and dropout's explicit
  penalty (:mod:`~essay_lib.nets.penalties`).
"""

from essay_lib.nets import (
    architectures,
    batched_mlp,
    dropout,
    dropout_checks,
    ensemble,
    flat_optim,
    member,
    models,
    noise,
    penalties,
    regularization,
    stacked,
    training,
)

__all__ = ["architectures", "batched_mlp", "dropout", "dropout_checks", "ensemble",
           "flat_optim", "member", "models", "noise", "penalties", "regularization", "stacked",
           "training"]
