"""One member of the batched engine: its seed and its regularizers (:class:`Member`).

:func:`essay_lib.nets.ensemble.train_ensemble` trains one network per :class:`Member`;
``Member.as_dict()`` enters the cache key of trained weights
(:mod:`essay_lib.experiment.train`).  Every rate is a **drop rate** p (PyTorch's ``p``, the
probability of dropping a unit), never Srivastava et al.'s keep probability 1 − p.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from essay_lib.nets.noise import DROP_LAYERS, NOISES
from essay_lib.util.checks import check_choice, check_drop_rate, check_number, check_seed

#: Fields added after the cache keys of trained weights were first written, with their
#: defaults: :meth:`Member.as_dict` leaves a field out while it holds its default, so a
#: member that does not use it keeps the key it always had.
OPTIONAL_FIELDS = {"noise": "dropout", "drop_layers": "all", "dropout_penalty": 0.0}


@dataclass(frozen=True)
class Member:
    """One member's configuration: seed and regularizers.

    * ``drop_rate``: noise on the hidden layers at drop rate p in [0, 1), of the kind
      ``noise`` (:data:`~essay_lib.nets.noise.NOISES`): ``"dropout"`` (inverted dropout:
      a unit kept with probability 1 − p, then scaled by 1 / (1 − p)) or ``"gaussian"``
      (each unit times ξ ~ N(1, p / (1 − p)): the same mean and variance, no unit
      removed), on the hidden layers named by ``drop_layers``
      (:data:`~essay_lib.nets.noise.DROP_LAYERS`): ``"all"``, ``"first"`` (the first
      hidden layer only) or ``"last"`` (the last hidden layer only);
    * ``input_drop_rate``: inverted (Bernoulli) dropout of the input features, drop rate
      in [0, 1) (``noise`` and ``drop_layers`` leave it alone);
    * ``dropout_penalty``: a drop rate p in [0, 1) whose *explicit* penalty is added to the
      data loss, deterministically (no noise drawn): dropout on the last hidden layer,
      averaged over its masks in closed form for regression, to second order for
      classification (:mod:`essay_lib.nets.penalties`); 0 = none.  Trained by autograd;
    * ``l1``, ``l2``: penalty coefficients >= 0 on the weights; ``weight_decay`` >= 0:
      decoupled decay per step, ``w <- w (1 - lr * weight_decay)`` (AdamW's with Adam);
      ``mixup_alpha`` >= 0 (0 = no mixup); ``lr`` > 0.
    """

    seed: int = 0
    drop_rate: float = 0.0
    input_drop_rate: float = 0.0
    l1: float = 0.0
    l2: float = 0.0
    mixup_alpha: float = 0.0
    lr: float = 1e-2
    weight_decay: float = 0.0
    noise: str = "dropout"
    drop_layers: str = "all"
    dropout_penalty: float = 0.0

    def __post_init__(self):
        check_seed("seed", self.seed)
        check_drop_rate("drop_rate", self.drop_rate)
        check_drop_rate("input_drop_rate", self.input_drop_rate)
        check_drop_rate("dropout_penalty", self.dropout_penalty)
        for name in ("l1", "l2", "mixup_alpha", "weight_decay"):
            check_number(name, getattr(self, name), minimum=0.0)
        check_number("lr", self.lr, minimum=0.0, low_closed=False)
        check_choice("noise", self.noise, NOISES)
        check_choice("drop_layers", self.drop_layers, DROP_LAYERS)

    def as_dict(self) -> dict:
        """The fields as a dict, without those of :data:`OPTIONAL_FIELDS` that hold their
        default (so the cache keys of members that do not use them stay unchanged)."""
        values = asdict(self)
        for name, default in OPTIONAL_FIELDS.items():
            if values[name] == default:
                del values[name]
        return values
