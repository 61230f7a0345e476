"""Chapter 07's variants: one thing changed at a time around chapter 05's base configuration.

Chapter 05 tests one configuration (two hidden layers of 64 ReLU units, full-batch Adam,
fixed epochs, small data).  A :class:`Variant` changes *one* thing of it (the width, the
depth, the architecture, the optimizer, how training stops, the amount of data, where
dropout acts, the kind of weight penalty) and keeps everything else: the same tasks, one
grid of none / dropout / L2 / mixup, the same seeds, the same measures
(:data:`VARIANT_MEASURES`).  How much is run is a :class:`Study`: :data:`CPU_STUDY`
(chapter 07 on a laptop: 5 seeds, two strengths each) or :data:`FULL_STUDY` (a GPU:
chapter 05's 16 seeds, three strengths, every task).  An exact sign-flip test on 5 seeds
cannot give p below 1 in 16, so the CPU study decides no verdict (its report says so,
:mod:`essay_lib.report.beyond_verdict`); the full study's 16 seeds can.  Its networks go through
:func:`essay_lib.experiment.run_sweep` and the cache like chapter 05's, so networks
shared with the base (the base grid inside the input-dropout variant, say) are trained
once.

A variant is built from a *recipe* (:data:`RECIPES`): the spec fields it changes, per task.
Some recipes name models, optimizers or tasks the engine may not provide yet (a residual
MLP, a CNN, SGD with momentum, early stopping, AdamW, MNIST-1D); building such a variant
fails the spec's own validation, and :func:`beyond_variants` lists it in
:func:`pending_variants` with the reason instead of inventing a substitute.

Conventions: drop rates follow PyTorch (the probability of dropping a unit);
``Variant.dropout`` names the grid key whose verdict the variant reads (``"dropout"``,
or ``"input_dropout"`` for the input-dropout variant), ``Variant.penalty`` the penalty
it is compared with at matched fit (``"l2"``, or ``"adamw"``: decoupled weight decay).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields

from essay_lib.data import TASK_NAMES
from essay_lib.experiment.essay import ESSAY_SEEDS, essay_experiment
from essay_lib.experiment.spec import ExperimentSpec, MeasureSpec, SweepSpec, check_grid
from essay_lib.experiment.sweeps import run_sweep
from essay_lib.util.checks import check_choice, check_int_sequence

#: Network seeds: the first five of chapter 05's (so the base reuses its trained weights).
VARIANT_SEEDS = ESSAY_SEEDS[:5]
#: How every variant's networks are measured: chapter 05's settings (weight sparsity below
#: the learning rate, 1e-2), the specification curve reduced to its main specification
#: (logits, s = 0.5, extrapolating triples).
VARIANT_MEASURES = MeasureSpec(curve_outputs=("logits",), curve_scales=(0.5,),
                               curve_triples=("extrapolating",), sparsity_threshold=1e-2)
#: What a variant varies, in the order of the table and the figure.
GROUPS = ("base", "width", "depth", "architecture", "optimizer", "stopping", "data size",
          "dropout site", "weight penalty")
#: MNIST-1D's base sweep (when the data floor has the task): full-batch Adam like the
#: others, 500 training signals (a stratified subset; the 1000 held-out rows are split
#: into validation and test halves), 100 epochs: the unregularized nets reach train loss
#: ~1e-3 with a rising test loss, the overfit regime of the other tasks.
MNIST1D_TRAIN = 500
MNIST1D_EPOCHS = 100

# Training sets half and double the base size, per task (keyword arguments of the task's
# builder).  Two moons: the held-out rows stay at 100; digits: the share of the 1797
# images that trains (base 30%); diabetes has 442 patients, so it cannot double.
_DATA_SIZES = {
    "small": {"quadratic": {"n_train": 10}, "moons": {"n_samples": 150, "test_fraction": 2 / 3},
              "diabetes": {"test_fraction": 0.65}, "digits": {"test_fraction": 0.85},
              "mnist1d": {"n_train": MNIST1D_TRAIN // 2}},
    "large": {"quadratic": {"n_train": 40}, "moons": {"n_samples": 300, "test_fraction": 1 / 3},
              "digits": {"test_fraction": 0.4}, "mnist1d": {"n_train": 2 * MNIST1D_TRAIN}},
}


@dataclass(frozen=True)
class Study:
    """How much of the design is run: the network ``seeds``, the ``grid`` of none / dropout /
    L2 / mixup every variant sweeps, the strengths of the two extra regularizers
    (``input_drop_rates``, ``weight_decays``), and on which tasks: ``tasks`` for every
    variant (``None``: all), ``only`` per variant name (overrides ``tasks``), always within
    the tasks where the variant makes sense.  Drop rates follow PyTorch."""

    name: str
    seeds: tuple[int, ...]
    grid: tuple
    input_drop_rates: tuple[float, ...]
    weight_decays: tuple[float, ...]
    tasks: tuple[str, ...] | None = None
    only: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __post_init__(self):
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        set_("seeds", check_int_sequence("seeds", self.seeds, minimum=0))
        set_("grid", check_grid(self.grid))
        for name in ("input_drop_rates", "weight_decays"):
            key = "input_dropout" if name == "input_drop_rates" else "l2"
            set_(name, check_grid({key: getattr(self, name)})[0][1])
        check = lambda name, tasks: tuple(  # noqa: E731
            check_choice(f"{name}[{i}]", t, TASK_NAMES) for i, t in enumerate(tasks))
        if self.tasks is not None:
            set_("tasks", check("tasks", self.tasks))
        only = self.only.items() if isinstance(self.only, Mapping) else self.only
        set_("only", tuple((str(v), check(f"only[{v!r}]", t)) for v, t in only))

    @property
    def grid_dict(self) -> dict[str, tuple[float, ...]]:
        return dict(self.grid)

    def tasks_of(self, variant: str) -> tuple[str, ...] | None:
        """The tasks the study runs ``variant`` on (``None``: every task)."""
        return dict(self.only).get(variant, self.tasks)

    def replace(self, **changes) -> Study:
        """A copy with ``changes`` applied (validated)."""
        return dataclasses.replace(self, **changes)


#: The chapter's study on a 2-core CPU (about two to three minutes cold): 5 seeds (too few
#: for an exact test to reach 5%: it shows the pipeline, not a verdict), two
#: strengths per regularizer; the variants on two moons, diabetes and MNIST-1D, the base
#: and the CNN also on digits, width 256 on two moons only (16 times the
#: arithmetic of a 64-wide layer); the 1-D quadratic is left to the full study.
CPU_STUDY = Study("cpu", VARIANT_SEEDS,
                  {"none": (0.0,), "dropout": (0.3, 0.6), "l2": (1e-3, 1e-2),
                   "mixup": (0.1, 1.0)},
                  input_drop_rates=(0.1, 0.3), weight_decays=(1e-1, 1.0),
                  tasks=("moons", "diabetes", "mnist1d"),
                  only={"base": ("moons", "diabetes", "digits", "mnist1d"),
                        "CNN": ("digits", "mnist1d"), "width 256": ("moons",)})
#: The whole design (for a GPU): chapter 05's 16 seeds, three strengths per regularizer
#: (a superset of the CPU study's), every variant on every task where it makes sense.
FULL_STUDY = Study("full", ESSAY_SEEDS,
                   {"none": (0.0,), "dropout": (0.1, 0.3, 0.6), "l2": (1e-4, 1e-3, 1e-2),
                    "mixup": (0.1, 0.4, 1.0)},
                   input_drop_rates=(0.1, 0.2, 0.3), weight_decays=(1e-2, 1e-1, 1.0))
STUDIES = {"cpu": CPU_STUDY, "full": FULL_STUDY}


@dataclass(frozen=True)
class Recipe:
    """How to build one variant from the base sweeps.

    ``changes(sweep, study)``: the :class:`SweepSpec` fields to replace on a base sweep (a
    dict); ``varies``: the names of those fields (the tests check them against the base);
    ``tasks``: the tasks where the variant makes sense (``None``: every base task).
    """

    name: str
    group: str
    description: str
    varies: tuple[str, ...]
    changes: Callable[[SweepSpec, Study], dict]
    tasks: tuple[str, ...] | None = None
    dropout: str = "dropout"
    penalty: str = "l2"


@dataclass(frozen=True)
class Variant:
    """One configuration of chapter 07: a name, what was varied (``group``, one of
    :data:`GROUPS`), a sentence, and its :class:`ExperimentSpec` (one sweep per task).

    ``varies``: the spec fields it changes from the base; ``dropout``/``penalty``: the grid
    keys whose verdict it reads and that dropout is compared with at matched fit.
    """

    name: str
    group: str
    description: str
    experiment: ExperimentSpec
    varies: tuple[str, ...] = ()
    dropout: str = "dropout"
    penalty: str = "l2"

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"name must be a non-empty string, got {self.name!r}")
        check_choice("group", self.group, GROUPS)
        if not isinstance(self.experiment, ExperimentSpec):
            raise TypeError(f"experiment must be an ExperimentSpec, got "
                            f"{type(self.experiment).__name__}")

    @property
    def tasks(self) -> tuple[str, ...]:
        return self.experiment.tasks

    @property
    def n_members(self) -> int:
        """Networks of the variant (some may be shared with others through the cache)."""
        return sum(s.n_members for s in self.experiment)


def _grid_with(key: str, attribute: str) -> Callable[[SweepSpec, Study], dict]:
    return lambda sweep, study: {"grid": {**sweep.grid_dict, key: getattr(study, attribute)}}


def _data_size(size: str) -> Callable[[SweepSpec, Study], dict]:
    return lambda sweep, study: {"task_args": {**sweep.task_kwargs,
                                               **_DATA_SIZES[size][sweep.task]}}


#: Every variant of chapter 07, base first.  Field values that the engine does not know yet
#: make the spec refuse the variant (then it is pending, see :func:`pending_variants`).
RECIPES: tuple[Recipe, ...] = (
    Recipe("base", "base", "chapter 05's configuration: 2 × 64 ReLU MLP, full-batch Adam, "
           "fixed epochs", (), lambda s, st: {}),
    Recipe("width 256", "width", "two hidden layers of 256 units instead of 64", ("hidden",),
           lambda s, st: {"hidden": (256, 256)}),
    Recipe("depth 4", "depth", "four hidden layers of 64 units instead of two", ("hidden",),
           lambda s, st: {"hidden": (64, 64, 64, 64)}),
    Recipe("residual MLP", "architecture", "the 2 × 64 MLP with a skip connection around "
           "each hidden layer", ("architecture",), lambda s, st: {"architecture": "residual"}),
    Recipe("CNN", "architecture", "a small convolutional network instead of the MLP: two "
           "stride-2 convolutions of 8 and 16 channels (digits as 8×8 images, MNIST-1D as "
           "1-D signals), dropout on their units, a linear read-out",
           ("architecture", "hidden"), lambda s, st: {"architecture": "cnn", "hidden": (8, 16)},
           ("digits", "mnist1d")),
    Recipe("SGD + momentum", "optimizer", "mini-batch SGD with momentum 0.9, batches of 32, "
           "learning rate 0.05, instead of full-batch Adam",
           ("optimizer", "momentum", "batch_size", "lr"),
           lambda s, st: {"optimizer": "sgd", "momentum": 0.9, "batch_size": 32, "lr": 0.05}),
    Recipe("early stopping", "stopping", "training stops when the validation loss has not "
           "improved for 20 epochs (the best epoch's weights are kept), instead of fixed "
           "epochs (at most the base's)", ("early_stopping",),
           lambda s, st: {"early_stopping": True, "patience": 20}),
    Recipe("half data", "data size", "half the training rows", ("task_args",),
           _data_size("small"), tuple(_DATA_SIZES["small"])),
    Recipe("double data", "data size", "twice the training rows (diabetes has too few "
           "patients to double)", ("task_args",), _data_size("large"),
           tuple(_DATA_SIZES["large"])),
    Recipe("input dropout", "dropout site", "dropout on the inputs as well, beside "
           "hidden-unit dropout; its verdict reads input dropout (a 1-D input has nothing "
           "to drop beside)", ("grid",), _grid_with("input_dropout", "input_drop_rates"),
           ("moons", "diabetes", "digits", "mnist1d"), dropout="input_dropout"),
    Recipe("AdamW", "weight penalty", "decoupled weight decay (AdamW) beside the L2 penalty "
           "added to the loss; dropout is compared with the decay at matched fit",
           ("grid",), _grid_with("adamw", "weight_decays"), penalty="adamw"),
)


def base_experiment(study: Study = CPU_STUDY) -> ExperimentSpec:
    """Chapter 05's experiment on the study's seeds and grid, measured with
    :data:`VARIANT_MEASURES`, plus an MNIST-1D sweep when the data floor has the task."""
    study = _check_study(study)
    sweeps = [s.replace(grid=study.grid, measures=VARIANT_MEASURES)
              for s in essay_experiment(study.seeds)]
    if "mnist1d" in TASK_NAMES:
        held_out = {"validation_fraction": 0.5, "validation_source": "test",
                    "n_train": MNIST1D_TRAIN}
        sweeps.append(SweepSpec("mnist1d", grid=study.grid, seeds=study.seeds,
                                task_args=held_out, epochs=MNIST1D_EPOCHS,
                                measures=VARIANT_MEASURES))
    return ExperimentSpec(tuple(sweeps))


def _check_study(study) -> Study:
    if isinstance(study, str):
        study = STUDIES[check_choice("study", study, tuple(STUDIES))]
    if not isinstance(study, Study):
        raise TypeError(f"study must be a Study or one of {tuple(STUDIES)}, got "
                        f"{type(study).__name__}")
    return study


def build_variant(recipe: Recipe, base: ExperimentSpec, study: Study = CPU_STUDY) -> Variant:
    """The variant of ``recipe`` on the tasks of ``base`` it applies to and the study runs
    it on (:meth:`Study.tasks_of`).

    Raises ValueError or TypeError (from the spec's validation) when the engine does not
    know a value or field the recipe names, or when none of its tasks is left.
    """
    study = _check_study(study)
    chosen = study.tasks_of(recipe.name)
    wanted = [t for t in (base.tasks if recipe.tasks is None else recipe.tasks)
              if t in base.tasks and (chosen is None or t in chosen)]
    if not wanted:
        raise ValueError(f"variant {recipe.name!r}: none of its tasks {recipe.tasks} is "
                         f"available (tasks: {base.tasks})")
    sweeps = tuple(base[t].replace(**recipe.changes(base[t], study)) for t in wanted)
    return Variant(recipe.name, recipe.group, recipe.description, ExperimentSpec(sweeps),
                   recipe.varies, recipe.dropout, recipe.penalty)


@dataclass(frozen=True)
class Pending:
    """A recipe that could not be built yet, and why (the spec's error message)."""

    name: str
    group: str
    reason: str


def _build_all(study, names) -> tuple[list[Variant], list[Pending]]:
    study = _check_study(study)
    base = base_experiment(study)
    known = variant_names()
    if names is not None:
        if isinstance(names, str):
            raise TypeError(f"names must be a sequence of variant names, got {names!r}")
        names = [check_choice(f"names[{i}]", n, known) for i, n in enumerate(names)]
    built, pending = [], []
    for recipe in RECIPES:
        if names is not None and recipe.name not in names:
            continue
        try:
            built.append(build_variant(recipe, base, study))
        except (TypeError, ValueError) as error:
            pending.append(Pending(recipe.name, recipe.group, str(error)))
    return built, pending


def beyond_variants(study: Study | str = CPU_STUDY, *, names: Sequence[str] | None = None
                    ) -> tuple[Variant, ...]:
    """Every variant of :data:`RECIPES` the engine can train now (base first), for
    ``study`` (a :class:`Study` or a name of :data:`STUDIES`); ``names``: only these
    recipes.  The others are listed by :func:`pending_variants`."""
    return tuple(_build_all(study, names)[0])


def pending_variants(study: Study | str = CPU_STUDY) -> tuple[Pending, ...]:
    """The recipes :func:`beyond_variants` leaves out, each with the reason."""
    return tuple(_build_all(study, None)[1])


def variant_names() -> tuple[str, ...]:
    """The names of every recipe, built or pending."""
    return tuple(r.name for r in RECIPES)


def changed_fields(variant: Variant, base: ExperimentSpec) -> dict[str, set[str]]:
    """Per task of ``variant``: the :class:`SweepSpec` fields whose value differs from
    ``base``'s sweep of that task (what the variant changed)."""
    out = {}
    for sweep in variant.experiment:
        ref = base[sweep.task]
        out[sweep.task] = {f.name for f in fields(SweepSpec)
                           if getattr(sweep, f.name) != getattr(ref, f.name)}
    return out


def run_variants(variants: Sequence[Variant], *, cache_dir=None, device: str = "cpu",
                 progress: bool | None = None) -> dict[str, list[dict]]:
    """The records of every variant (name -> records of all its tasks), through
    :func:`run_sweep` and its cache; ``device`` as there."""
    if isinstance(variants, Variant):
        variants = [variants]
    variants = list(variants)
    for i, v in enumerate(variants):
        if not isinstance(v, Variant):
            raise TypeError(f"variants[{i}] must be a Variant, got {type(v).__name__}")
    names = [v.name for v in variants]
    if len(set(names)) != len(names):
        raise ValueError(f"variant names must be unique, got {names}")
    return {v.name: [r for sweep in v.experiment
                     for r in run_sweep(sweep, cache_dir=cache_dir, device=device,
                                        progress=progress)]
            for v in variants}
