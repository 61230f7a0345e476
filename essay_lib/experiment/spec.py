"""The experiment's settings as frozen objects: what a sweep trains and how it measures.

* :class:`MeasureSpec`: how every trained network is measured (triples and scale of
  Z̄, the metric seed, the sparsity threshold, ...);
* :class:`SweepSpec`: one task's sweep: the task and its arguments, the network, the
  training, the grid of regularizer strengths, the seeds and a :class:`MeasureSpec`;
* :class:`ExperimentSpec`: several sweeps (chapter 05's experiment is one per task).

Every setting that can change a number lives in one of these objects; a sweep
receives the object and computes its cache keys from it (:mod:`essay_lib.experiment.sweeps`),
and nothing reads a module-level setting at call time.  They are frozen: change a
setting with :meth:`SweepSpec.replace` / :meth:`ExperimentSpec.replace` (a new object),
e.g. ``essay_experiment().replace(displacement_scale=0.1)``.  The essay's own
experiments are built from them in :mod:`essay_lib.experiment.essay`.

Regularizers of a grid (:data:`REGULARIZERS`): ``none`` (strength 0 only), ``dropout``
(hidden drop rate, [0, 1)), ``input_dropout`` (input drop rate, [0, 1)), ``l1`` and
``l2`` (penalty coefficients), ``mixup`` (α of Beta(α, α) mixing of inputs and targets:
the positive control that favours linear behaviour between examples), ``adamw``
(decoupled weight decay per step, ``w <- w (1 - lr × strength)``: AdamW with Adam),
``early_stop`` (plain training stopped early: the unregularized network trained for
``strength`` epochs only, fewer than the sweep's; :data:`EPOCH_GRIDS`).  Chapter 06 adds
four kinds of dropout, each at a drop rate in [0, 1) (:data:`REGULARIZER_SETTINGS`):
``gaussian_dropout`` (noise ξ ~ N(1, p / (1 − p)) on every hidden unit: dropout's two
moments, no unit removed), ``dropout_first`` / ``dropout_last`` (dropout on the first /
last hidden layer only), ``dropout_penalty`` (dropout's explicit penalty on the last hidden
layer, trained deterministically: :mod:`essay_lib.nets.penalties`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from essay_lib.data import TASK_NAMES
from essay_lib.measures.names import (
    CURVE_REPRESENTATIONS,
    CURVE_TRIPLE_TYPES,
    REPRESENTATIONS,
    TRIPLE_TYPES,
)
from essay_lib.nets.architectures import check_residual_widths
from essay_lib.nets.ensemble import ARCHITECTURES
from essay_lib.nets.flat_optim import OPTIMIZERS
from essay_lib.util.checks import (
    check_bool,
    check_choice,
    check_int,
    check_int_sequence,
    check_number,
    check_probability,
    check_seed,
)

#: grid key -> the :class:`essay_lib.nets.ensemble.Member` field it sets (``none``: nothing)
REGULARIZERS = {"none": None, "dropout": "drop_rate", "input_dropout": "input_drop_rate",
                "l1": "l1", "l2": "l2", "mixup": "mixup_alpha", "adamw": "weight_decay",
                "early_stop": None, "gaussian_dropout": "drop_rate",
                "dropout_first": "drop_rate", "dropout_last": "drop_rate",
                "dropout_penalty": "dropout_penalty"}
#: grid key -> the other :class:`~essay_lib.nets.ensemble.Member` fields it fixes
REGULARIZER_SETTINGS = {"gaussian_dropout": {"noise": "gaussian"},
                        "dropout_first": {"drop_layers": "first"},
                        "dropout_last": {"drop_layers": "last"}}
#: Grid keys whose strength is an epoch: the unregularized network trained for that many
#: epochs only (plain training stopped early), in [1, the sweep's epochs)
EPOCH_GRIDS = ("early_stop",)
_RATES = ("dropout", "input_dropout", "gaussian_dropout", "dropout_first",
          "dropout_last", "dropout_penalty")
#: What a :class:`MeasureSpec` measures: every metric, only what a verdict reads, or that
#: and the sub-network measures (chapter 06's tests of the mechanism)
MEASURE_SCOPES = ("all", "verdict", "mechanism")


@dataclass(frozen=True)
class MeasureSpec:
    """How each trained network is measured, on its task's test inputs (DESIGN.md §3).

    ``z_triples``: triples of Z̄; ``displacement_scale``: the scale s of its
    displacements (a, b = s × differences of test points; also Taleb's Δ);
    ``metric_seed``: seeds the triples and displacements; ``sparsity_threshold``: a
    weight with |w| below it counts as zero.

    The specification curve (chapter 05) measures Z̄ once more for every combination of
    ``curve_outputs`` (output representations; classifiers only use the ones beyond
    ``"logits"``; default :data:`~essay_lib.measures.names.CURVE_REPRESENTATIONS`:
    logits, centred logits, log-probabilities, while ``"probabilities"`` may be asked
    for), ``curve_scales`` and ``curve_triples`` (default ``"extrapolating"`` and
    ``"inside"``; ``"chord_midpoints"`` may be asked for,
    :mod:`essay_lib.measures.triples`), on the same networks and triples count: the
    record's ``z_spec`` maps ``"output|scale|triples"`` to Z̄.  The defaults are fixed
    tuples, so that adding a representation or a triple type to the measures changes no
    record's key.

    Sub-network additivity (chapter 06, :mod:`essay_lib.measures.subnetworks`):
    ``mask_keep_prob`` (the context's *keep* probability, the same for every network),
    ``mask_draws`` (draws of Z_mask), ``mask_set_fraction`` (size of A and B as a share of
    their layer's units), ``mask_layers`` (``"same"``, the main definition: A and B from one
    hidden layer, so that a deep *linear* network has Z_mask = 0; ``"all"``, the
    cross-layer variant: from all hidden layers together);
    ``mc_samples`` masks per point and the first ``mc_points`` test points for the gap
    between Monte Carlo averaging and weight scaling (``mc_gap``).

    ``scope``: ``"all"`` measures every metric; ``"verdict"`` only what a verdict reads
    (the losses, R² or accuracy, Z̄ and Z̄_raw under the main setting above), leaving
    every other metric ``None`` (the replication on fresh seeds; a fraction of the cost);
    ``"mechanism"`` that and the sub-network measures (``z_mask``, ``z_mask_raw``,
    ``z_mask_own``, ``mc_gap``: chapter 06's tests of the mechanism).
    """

    z_triples: int = 1000
    displacement_scale: float = 0.5
    metric_seed: int = 0
    sparsity_threshold: float = 1e-3
    curve_outputs: tuple[str, ...] = CURVE_REPRESENTATIONS
    curve_scales: tuple[float, ...] = (0.1, 0.25, 0.5)
    curve_triples: tuple[str, ...] = CURVE_TRIPLE_TYPES
    mask_keep_prob: float = 0.5
    mask_draws: int = 500
    mask_set_fraction: float = 0.125
    mask_layers: str = "same"
    mc_samples: int = 64
    mc_points: int = 64
    scope: str = "all"

    def __post_init__(self):
        check_int("z_triples", self.z_triples, minimum=1)
        check_probability("mask_keep_prob", self.mask_keep_prob)
        check_int("mask_draws", self.mask_draws, minimum=1)
        check_number("mask_set_fraction", self.mask_set_fraction, minimum=0, maximum=0.5,
                     low_closed=False)
        check_choice("mask_layers", self.mask_layers, ("all", "same"))
        if check_int("mc_samples", self.mc_samples, minimum=4) % 4:
            raise ValueError(f"mc_samples must be a multiple of 4, got {self.mc_samples}")
        check_int("mc_points", self.mc_points, minimum=2)
        check_choice("scope", self.scope, MEASURE_SCOPES)
        check_number("displacement_scale", self.displacement_scale, minimum=0, low_closed=False)
        check_seed("metric_seed", self.metric_seed)
        check_number("sparsity_threshold", self.sparsity_threshold, minimum=0, low_closed=False)
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        set_("curve_outputs", tuple(check_choice(f"curve_outputs[{i}]", o, REPRESENTATIONS)
                                    for i, o in enumerate(_sequence("curve_outputs",
                                                                    self.curve_outputs))))
        set_("curve_scales", tuple(check_number(f"curve_scales[{i}]", v, minimum=0,
                                                low_closed=False)
                                   for i, v in enumerate(_sequence("curve_scales",
                                                                   self.curve_scales))))
        set_("curve_triples", tuple(check_choice(f"curve_triples[{i}]", t, TRIPLE_TYPES)
                                    for i, t in enumerate(_sequence("curve_triples",
                                                                    self.curve_triples))))

    def specifications(self, kind: str) -> list[tuple[str, float, str]]:
        """(output, scale, triples) of every specification measured on a task of ``kind``
        (regression: raw outputs only)."""
        outputs = [o for o in self.curve_outputs if kind == "classification" or o == "logits"]
        return [(o, s, t) for o in outputs for s in self.curve_scales
                for t in self.curve_triples]

    def as_dict(self) -> dict:
        """A JSON-able dict of every field (part of every record's cache key)."""
        return _plain(dataclasses.asdict(self))

    def replace(self, **changes) -> MeasureSpec:
        """A copy with ``changes`` applied (validated)."""
        return dataclasses.replace(self, **changes)


def specification_key(output: str, scale: float, triples: str) -> str:
    """The key of one specification in a record's ``z_spec``: ``"output|scale|triples"``."""
    return f"{output}|{scale:g}|{triples}"


def _sequence(name: str, value) -> tuple:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or not value:
        raise TypeError(f"{name} must be a non-empty sequence, got {value!r}")
    return tuple(value)


def _plain(value):
    """Tuples -> lists, recursively (JSON has no tuples): the form hashed into keys."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def check_grid(grid) -> tuple[tuple[str, tuple[float, ...]], ...]:
    """Validate ``grid`` (regularizer -> strengths) into ``((name, (s, ...)), ...)``."""
    items = grid.items() if isinstance(grid, Mapping) else grid
    try:
        items = [(key, strengths) for key, strengths in items]
    except (TypeError, ValueError):
        raise TypeError(f"grid must be a mapping from regularizer to strengths, got "
                        f"{type(grid).__name__}") from None
    if not items:
        raise ValueError(f"grid must be a non-empty mapping from regularizer to strengths; "
                         f"allowed keys: {tuple(REGULARIZERS)}")
    out = []
    for key, strengths in items:
        check_choice("grid key", key, tuple(REGULARIZERS))
        if isinstance(strengths, (str, bytes)) or not isinstance(strengths, Sequence) or not (
                strengths):
            raise ValueError(f"grid[{key!r}] must be a non-empty sequence of strengths")
        values = []
        for i, s in enumerate(strengths):
            s = check_number(f"grid[{key!r}][{i}]", s, minimum=0.0)
            if key in _RATES and s >= 1:
                raise ValueError(f"grid[{key!r}] holds {s}; drop rates must lie in [0, 1)")
            if key == "none" and s != 0:
                raise ValueError(f"grid['none'] holds {s}; its only allowed strength is 0")
            if key in EPOCH_GRIDS and (s < 1 or s != int(s)):
                raise ValueError(f"grid[{key!r}] holds {s}; its strengths are epochs, "
                                 f"whole numbers >= 1")
            values.append(float(s))
        out.append((key, tuple(values)))
    if len({k for k, _ in out}) != len(out):
        raise ValueError("grid names a regularizer twice")
    return tuple(out)


def _check_task_args(task_args) -> tuple[tuple[str, object], ...]:
    items = task_args.items() if isinstance(task_args, Mapping) else task_args
    out = []
    for pair in items:
        name, value = pair
        if not isinstance(name, str):
            raise TypeError(f"task_args keys must be argument names (str), got {name!r}")
        if not (value is None or isinstance(value, (bool, int, float, str))):
            raise TypeError(f"task_args[{name!r}] must be a plain number, string or bool, "
                            f"got {type(value).__name__}")
        out.append((name, value))
    return tuple(sorted(out))


@dataclass(frozen=True)
class SweepSpec:
    """One sweep: a task, a network, its training, a grid × seeds, and how to measure.

    ``task``: a name from :data:`essay_lib.data.TASK_NAMES`; ``task_args``: keyword
    arguments of its builder (``data.load_task(task, **task_args)``), e.g.
    ``{"test_fraction": 0.7}``.  ``architecture``: ``"mlp"`` (ReLU MLP), ``"residual"``
    (ReLU MLP with a skip around every hidden layer after the first: equal widths) or
    ``"cnn"`` (1-D convolutions over the input row; digits as 8 x 8 images);
    ``hidden``: hidden-layer widths (the CNN's channels per convolution); ``epochs``,
    ``lr``, ``batch_size`` (``None``: full batch), ``optimizer`` (adam | sgd | adamw),
    ``momentum`` (SGD's, in [0, 1)), ``weight_decay`` (decoupled, every network; the
    ``adamw`` grid sets it per network), ``input_drop_rate`` (every network; the
    ``input_dropout`` grid sets it per network), ``early_stopping`` with ``patience``
    (epochs without a better validation loss; each network keeps its best-validation
    weights: needs a validation split, ``task_args`` ``validation_fraction`` > 0).
    ``grid``: regularizer -> strengths (see :data:`REGULARIZERS`); ``seeds``: one
    network per (regularizer, strength, seed); ``measures``: a :class:`MeasureSpec`.
    Mappings are stored as sorted tuples of pairs (the object is hashable);
    :attr:`grid_dict` and :attr:`task_kwargs` give them back as dicts.
    """

    task: str
    grid: tuple = (("none", (0.0,)),)
    seeds: tuple[int, ...] = (0,)
    task_args: tuple = ()
    hidden: tuple[int, ...] = (64, 64)
    epochs: int = 300
    lr: float = 1e-2
    batch_size: int | None = None
    optimizer: str = "adam"
    measures: MeasureSpec = field(default_factory=MeasureSpec)
    architecture: str = "mlp"
    momentum: float = 0.0
    weight_decay: float = 0.0
    input_drop_rate: float = 0.0
    early_stopping: bool = False
    patience: int = 20

    def __post_init__(self):
        check_choice("task", self.task, TASK_NAMES)
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        set_("grid", check_grid(self.grid))
        set_("seeds", check_int_sequence("seeds", self.seeds, minimum=0))
        if len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"seeds must not repeat, got {self.seeds}")
        set_("task_args", _check_task_args(self.task_args))
        set_("hidden", check_int_sequence("hidden", self.hidden, minimum=1))
        check_int("epochs", self.epochs, minimum=1)
        for key in EPOCH_GRIDS:
            too_long = [s for s in self.grid_dict.get(key, ()) if s >= self.epochs]
            if too_long:
                raise ValueError(f"grid[{key!r}] holds {too_long[0]:g}; a network stopped "
                                 f"early trains fewer than epochs={self.epochs} epochs")
        set_("lr", check_number("lr", self.lr, minimum=0, low_closed=False))
        if self.batch_size is not None:
            check_int("batch_size", self.batch_size, minimum=1)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        if not isinstance(self.measures, MeasureSpec):
            raise TypeError(f"measures must be a MeasureSpec, got {type(self.measures).__name__}")
        check_choice("architecture", self.architecture, ARCHITECTURES)
        if self.architecture == "residual":
            check_residual_widths((1, *self.hidden, 1))
        set_("momentum", check_number("momentum", self.momentum, minimum=0, maximum=1,
                                      high_closed=False))
        if self.momentum and self.optimizer != "sgd":
            raise ValueError(f"momentum is a setting of optimizer='sgd', got "
                             f"optimizer={self.optimizer!r}")
        set_("weight_decay", check_number("weight_decay", self.weight_decay, minimum=0))
        set_("input_drop_rate", check_number("input_drop_rate", self.input_drop_rate,
                                             minimum=0, maximum=1, high_closed=False))
        check_bool("early_stopping", self.early_stopping)
        check_int("patience", self.patience, minimum=1)
        if self.early_stopping and not self.task_kwargs.get("validation_fraction"):
            raise ValueError("early_stopping watches a validation split: give task_args "
                             "validation_fraction > 0")

    @property
    def grid_dict(self) -> dict[str, list[float]]:
        """The grid as ``{regularizer: [strengths]}`` in its order."""
        return {key: list(values) for key, values in self.grid}

    @property
    def task_kwargs(self) -> dict:
        """``task_args`` as keyword arguments of ``data.load_task``."""
        return dict(self.task_args)

    @property
    def n_members(self) -> int:
        """Number of networks: strengths × seeds."""
        return sum(len(v) for _, v in self.grid) * len(self.seeds)

    def members(self) -> list[tuple[str, float, int]]:
        """(regularizer, strength, seed) of every network, in grid order, then seeds."""
        return [(key, s, seed) for key, values in self.grid for s in values
                for seed in self.seeds]

    def training_dict(self) -> dict:
        """The settings every member of the sweep shares (task, network, training), JSON-able."""
        return {"task": self.task, "task_args": _plain(dict(self.task_args)),
                "hidden": list(self.hidden), "epochs": self.epochs, "lr": self.lr,
                "batch_size": self.batch_size, "optimizer": self.optimizer,
                "architecture": self.architecture, "momentum": self.momentum,
                "weight_decay": self.weight_decay, "input_drop_rate": self.input_drop_rate,
                "early_stopping": self.early_stopping, "patience": self.patience}

    def replace(self, **changes) -> SweepSpec:
        """A copy with ``changes`` applied; fields of :class:`MeasureSpec` may be given
        directly (``spec.replace(displacement_scale=0.1)``)."""
        measure_names = {f.name for f in dataclasses.fields(MeasureSpec)}
        measure_changes = {k: changes.pop(k) for k in list(changes) if k in measure_names}
        if measure_changes:
            changes["measures"] = changes.get("measures", self.measures).replace(
                **measure_changes)
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise TypeError(f"SweepSpec has no field {sorted(unknown)[0]!r}; fields: "
                            f"{[f.name for f in dataclasses.fields(self)]} and "
                            f"{sorted(measure_names)}")
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class ExperimentSpec:
    """Several sweeps run and read together (chapter 05: one per task)."""

    sweeps: tuple[SweepSpec, ...]

    def __post_init__(self):
        sweeps = tuple(self.sweeps)
        if not sweeps:
            raise ValueError("sweeps must hold at least one SweepSpec")
        for i, s in enumerate(sweeps):
            if not isinstance(s, SweepSpec):
                raise TypeError(f"sweeps[{i}] must be a SweepSpec, got {type(s).__name__}")
        names = [s.task for s in sweeps]
        if len(set(names)) != len(names):
            raise ValueError(f"each task may appear once, got {names}")
        object.__setattr__(self, "sweeps", sweeps)

    @property
    def tasks(self) -> tuple[str, ...]:
        """Task names in order."""
        return tuple(s.task for s in self.sweeps)

    def __getitem__(self, task: str) -> SweepSpec:
        for s in self.sweeps:
            if s.task == task:
                return s
        raise KeyError(f"no sweep for task {task!r}; tasks: {self.tasks}")

    def __iter__(self):
        return iter(self.sweeps)

    def __len__(self) -> int:
        return len(self.sweeps)

    def replace(self, **changes) -> ExperimentSpec:
        """Every sweep with ``changes`` applied (see :meth:`SweepSpec.replace`)."""
        return ExperimentSpec(tuple(s.replace(**changes) for s in self.sweeps))

    def only(self, *tasks: str) -> ExperimentSpec:
        """The sub-experiment of the named tasks (in the order given)."""
        return ExperimentSpec(tuple(self[t] for t in tasks))
