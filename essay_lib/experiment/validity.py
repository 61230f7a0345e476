"""Chapter 04's validity table: on which task, representation and geometry is Z̄ valid?

A measure counts on a task and output representation only where it responds to known
changes of linearity there (DESIGN.md §3c; the measures are
:mod:`essay_lib.measures.validity`).  For every sweep of an experiment spec,
:func:`validity_table` takes the trained *unregularized* networks (from the sweep cache,
:func:`~essay_lib.experiment.sweeps.sweep_models`; trained only if missing) and measures, on
the task's measuring points (``X_test``, where every record's Z̄ is taken), for each
representation (regression: the raw outputs, ``"logits"``; classifiers: logits, centred
logits, log-probabilities, probabilities) × geometry (extrapolating, inside, chord
midpoints) at the spec's displacement scale, triples count and metric seed:

(a) the affine-blend curve Z̄(f_α) of every network: it must fall monotonically (no step
    rising by more than :data:`~essay_lib.measures.validity.MONOTONE_TOLERANCE`, rounding;
    the share of networks that do is reported, and the check passes only when all do) and
    reach 0 at α = 1 (every network within :data:`ZERO_TOLERANCE`);
(b) the leaky-ReLU path: at slope 1 the network is affine, so Z̄ must be 0 (within
    :data:`ZERO_TOLERANCE`) in the logits and centred logits.  In probabilities and
    log-probabilities the path ends at the softmax's own curvature, so there the end value is
    reported and not checked (``leaky_reaches_zero`` is ``None``); likewise for
    architectures other than the MLP (the path is defined for ReLU MLPs).  The share of
    networks whose path falls monotonically is reported, not checked;
(c) δ > 0: the unit in which effects are read exists (a 10 % blend lowers the mean Z̄).

A cell is ``valid`` when its checks pass.  Where the least-squares affine fit of f is
nearly constant (an even function around the data's centre, as the quadratic task's x²),
the blend is nearly f·(1 − α) + constant, which Z̄ does not see by design (it ignores
f -> c·f + b): the curve stays flat, may rise a little, and δ is ~0, so (a) and (c) fail
and the cell reads "not valid here" even where the leaky path shows Z̄ responding.

Each cell also carries what the table prints: the mean Z̄ of the unregularized networks,
the smallest effect of interest δ
(:func:`~essay_lib.measures.validity.delta_from_blend`: the change of a 10 % affine blend)
and the mean curves.

The positive control is apart (:func:`mixup_control`): per task, per seed, Z̄ on chord
midpoints of *training* pairs in the representation mixup trains (a classifier's
probabilities, a regressor's values), over the sweep's mixup strengths, with the
unregularized network of the same seed as strength 0; for classifiers also in logits on the
same chords, for contrast.  Its (n_seeds, n_strengths) values are what a per-seed trend test
reads.

Nothing is cached here: the networks come from the sweep cache and the measures take
seconds (on one thread, torch's and the BLAS's, restored afterwards).
"""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass

import numpy as np
import torch

from essay_lib.data import load_task
from essay_lib.experiment.essay import essay_experiment
from essay_lib.experiment.metrics import single_threaded_blas
from essay_lib.experiment.spec import ExperimentSpec, SweepSpec
from essay_lib.experiment.sweeps import sweep_models
from essay_lib.experiment.train import model_of
from essay_lib.measures import validity
from essay_lib.nets.batched_mlp import BatchedMLP
from essay_lib.util.checks import check_int, check_numbers

__all__ = ["CLASSIFIER_REPRESENTATIONS", "GEOMETRIES", "ZERO_TOLERANCE", "ControlRow",
           "ValidityCell", "mixup_control", "validity_table"]

#: The geometries (triple types) and classifier representations of the table
GEOMETRIES = ("extrapolating", "inside", "chord_midpoints")
CLASSIFIER_REPRESENTATIONS = ("logits", "centred_logits", "log_probabilities", "probabilities")
#: "Reaches 0": Z̄ at the end of a path within this of 0 (float64 rounding of an affine
#: function's second differences is ~1e-16 of its outputs)
ZERO_TOLERANCE = 1e-10
#: Representations whose leaky path must end at 0 (affine logits stay affine there)
_AFFINE_AT_SLOPE_ONE = ("logits", "centred_logits")


@dataclass(frozen=True)
class ValidityCell:
    """One cell of the validity table (a task × representation × geometry at a scale).

    ``z_unregularized``: mean Z̄ of the ``n_networks`` unregularized networks; ``delta``: δ,
    the mean change of Z̄ under a 10 % affine blend; ``alphas`` / ``blend_curve``: the blend
    grid and the mean Z̄(f_α) over the networks; ``monotone_share``: the share of networks
    whose own curve falls monotonically; ``blend_end``: the largest |Z̄(f_1)|; ``slopes`` /
    ``leaky_curve`` / ``leaky_monotone_share`` / ``leaky_end``: the same for the leaky-ReLU
    path (``None`` where there is none); the checks ``blend_monotone``,
    ``blend_reaches_zero``, ``leaky_reaches_zero`` (``None``: not checked here),
    ``delta_positive``; ``valid``: all checks pass."""

    task: str
    representation: str
    geometry: str
    scale: float
    n_networks: int
    z_unregularized: float
    delta: float
    alphas: tuple[float, ...]
    blend_curve: tuple[float, ...]
    monotone_share: float
    blend_end: float
    slopes: tuple[float, ...] | None
    leaky_curve: tuple[float, ...] | None
    leaky_monotone_share: float | None
    leaky_end: float | None
    blend_monotone: bool
    blend_reaches_zero: bool
    leaky_reaches_zero: bool | None
    delta_positive: bool
    valid: bool

    def as_dict(self) -> dict:
        """The cell as a plain dict (lists for the curves)."""
        return {k: list(v) if isinstance(v, tuple) else v
                for k, v in dataclasses.asdict(self).items()}


@dataclass(frozen=True, eq=False)
class ControlRow:
    """The mixup control of one task: Z̄ on chord midpoints of training pairs.

    ``strengths`` (m,): 0 (the unregularized network) then the sweep's mixup α;
    ``seeds`` (n,); ``values`` (n, m): Z̄ of the network of each seed and strength in
    ``representation`` (the one mixup trains); ``contrast_values`` (n, m): the same
    networks and chords in ``contrast_representation`` (logits; ``None`` for a regressor,
    whose raw outputs are already the trained space)."""

    task: str
    representation: str
    strengths: np.ndarray
    seeds: tuple[int, ...]
    values: np.ndarray
    contrast_representation: str | None
    contrast_values: np.ndarray | None
    n_triples: int

    def as_dict(self) -> dict:
        """The row as a plain dict (nested lists for the arrays)."""
        out = dataclasses.asdict(self)
        return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in out.items()}


@contextlib.contextmanager
def _one_thread():
    """torch and numpy's BLAS on one thread while measuring (restored afterwards): the
    products here are small, and on a busy 2-core machine two threads made the table 5-10x
    slower; the numbers then do not depend on the machine's core count either."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with single_threaded_blas():
            yield
    finally:
        torch.set_num_threads(threads)


def sweeps_of(spec) -> tuple[SweepSpec, ...]:
    """The sweeps of ``spec``: an ExperimentSpec, one SweepSpec, or ``None`` (the essay's
    experiment)."""
    spec = essay_experiment() if spec is None else spec
    if isinstance(spec, SweepSpec):
        return (spec,)
    if not isinstance(spec, ExperimentSpec):
        raise TypeError(f"spec must be an ExperimentSpec or a SweepSpec, got "
                        f"{type(spec).__name__}")
    return tuple(spec)


def _networks(sweep: SweepSpec, task, grid: dict, cache_dir, device, progress):
    """The batched model of the networks of ``grid`` (keys in grid order, then seeds)."""
    missing = [k for k in grid if k not in sweep.grid_dict]
    if missing:
        raise ValueError(f"spec's {sweep.task!r} sweep must have {missing[0]!r} in its grid "
                         f"(it has {list(sweep.grid_dict)})")
    sub = sweep.replace(grid=grid)
    nets = sweep_models(sub, cache_dir=cache_dir, device=device, progress=progress)
    keys = sub.members()
    arrays = [{name: t.detach().cpu().numpy() for name, t in nets[key].state_dict().items()}
              for key in keys]
    return model_of(sub, task, arrays), keys


def _at(grid: np.ndarray, value: float, name: str) -> int:
    hits = np.flatnonzero(grid == value)
    if not len(hits):
        raise ValueError(f"{name} must include {value:g}, got {grid.tolist()}")
    return int(hits[0])


def validity_table(spec: ExperimentSpec | SweepSpec | None = None, *, cache_dir=None,
                   device: str = "cpu", n_triples: int = 500,
                   alphas=validity.BLEND_ALPHAS, slopes=validity.LEAKY_SLOPES,
                   progress: bool | None = None) -> list[ValidityCell]:
    """The validity table of ``spec`` (default :func:`essay_experiment`): one
    :class:`ValidityCell` per task × representation × geometry (see the module docstring),
    tasks in the spec's order, then :data:`GEOMETRIES`, then representations.

    Every sweep's grid must hold ``"none"``.  Measured on each task's ``X_test`` at the
    spec's ``displacement_scale`` and ``metric_seed`` with ``n_triples`` triples (fewer
    than the records' ``z_triples``: these are checks, not the reported Z̄).  ``alphas``
    must hold 0 and 1 (the cells' curves are measured at ``alphas`` and
    :data:`~essay_lib.measures.validity.DELTA_ALPHA`, which gives δ), ``slopes`` 0 and 1.
    ``cache_dir``, ``device``, ``progress``: as
    :func:`~essay_lib.experiment.sweeps.sweep_models` (used only when a network must be
    trained).
    """
    sweeps = sweeps_of(spec)
    n_triples = check_int("n_triples", n_triples, minimum=1)
    alphas = check_numbers("alphas", alphas)
    slopes = check_numbers("slopes", slopes, minimum=0.0, maximum=1.0)
    for grid, name in ((alphas, "alphas"), (slopes, "slopes")):
        _at(grid, 0.0, name)
        _at(grid, 1.0, name)
    alphas = np.union1d(alphas, [validity.DELTA_ALPHA])
    cells = []
    for sweep in sweeps:
        task = load_task(sweep.task, **sweep.task_kwargs)
        model, keys = _networks(sweep, task, {"none": [0.0]}, cache_dir, device, progress)
        with _one_thread():
            for geometry in GEOMETRIES:
                cells += _cells(sweep, task, model, geometry, n_triples, alphas, slopes)
    return cells


def _cells(sweep: SweepSpec, task, model, geometry: str, n_triples: int, alphas: np.ndarray,
           slopes: np.ndarray) -> list[ValidityCell]:
    """The cells of one task and geometry, one per representation."""
    representations = (CLASSIFIER_REPRESENTATIONS if task.kind == "classification"
                       else ("logits",))
    X = task.X_test.astype(np.float64)
    where = dict(representations=representations, triples=geometry, n_triples=n_triples,
                 scale=sweep.measures.displacement_scale, seed=sweep.measures.metric_seed)
    blends = validity.affine_blend_curves(model, X, alphas, **where)
    leaky = isinstance(model, BatchedMLP) and model.activation == "relu"
    paths = validity.leaky_path_curves(model, X, slopes, **where) if leaky else {}
    a0, a1, s1 = _at(alphas, 0.0, "alphas"), _at(alphas, 1.0, "alphas"), _at(slopes, 1.0,
                                                                           "slopes")
    cells = []
    for rep in representations:
        blend, path = blends[rep], paths.get(rep)
        monotone = validity.is_monotone(blend)
        blend_end = float(np.abs(blend[:, a1]).max())
        leaky_end = None if path is None else float(np.abs(path[:, s1]).max())
        leaky_ok = (leaky_end <= ZERO_TOLERANCE
                    if path is not None and rep in _AFFINE_AT_SLOPE_ONE else None)
        delta = validity.delta_from_curves(blend, alphas)
        checks = (bool(np.all(monotone)), blend_end <= ZERO_TOLERANCE, leaky_ok, delta > 0)
        cells.append(ValidityCell(
            task=sweep.task, representation=rep, geometry=geometry,
            scale=where["scale"], n_networks=len(blend),
            z_unregularized=float(blend[:, a0].mean()), delta=delta,
            alphas=tuple(alphas.tolist()), blend_curve=tuple(blend.mean(axis=0).tolist()),
            monotone_share=float(np.mean(monotone)), blend_end=blend_end,
            slopes=None if path is None else tuple(slopes.tolist()),
            leaky_curve=None if path is None else tuple(path.mean(axis=0).tolist()),
            leaky_monotone_share=(None if path is None
                                  else float(np.mean(validity.is_monotone(path)))),
            leaky_end=leaky_end, blend_monotone=checks[0], blend_reaches_zero=checks[1],
            leaky_reaches_zero=checks[2], delta_positive=checks[3],
            valid=checks[0] and checks[1] and checks[2] is not False and checks[3]))
    return cells


def mixup_control(spec: ExperimentSpec | SweepSpec | None = None, *, cache_dir=None,
                  device: str = "cpu", n_triples: int = 500,
                  progress: bool | None = None) -> list[ControlRow]:
    """The positive control of each task of ``spec`` (default :func:`essay_experiment`):
    a :class:`ControlRow` of per-seed Z̄ on chord midpoints of the task's *training*
    inputs, in the representation mixup trains
    (:func:`~essay_lib.measures.validity.control_representation`), over strength 0 (the
    unregularized networks) and the sweep's mixup strengths; classifiers also in logits.
    Every sweep's grid must hold ``"none"`` and ``"mixup"``; ``n_triples`` chords drawn
    with the spec's ``metric_seed``, the same for every network."""
    sweeps = sweeps_of(spec)
    n_triples = check_int("n_triples", n_triples, minimum=1)
    rows = []
    for sweep in sweeps:
        task = load_task(sweep.task, **sweep.task_kwargs)
        grid = {"none": [0.0], "mixup": sweep.grid_dict.get("mixup")}
        model, _ = _networks(sweep, task, grid, cache_dir, device, progress)
        strengths = [0.0, *grid["mixup"]]
        X = task.X_train.astype(np.float64)
        rep = validity.control_representation(task.kind)
        contrast = "logits" if rep != "logits" else None
        outputs = (rep,) if contrast is None else (rep, contrast)
        with _one_thread():
            measured = {o: validity.chord_midpoint_z_bar(model, X, representation=o,
                                                         n_triples=n_triples,
                                                         seed=sweep.measures.metric_seed)
                        for o in outputs}
        seeds = sweep.seeds
        # members come in grid order (none, then each mixup strength), then seeds
        shaped = {o: v.reshape(len(strengths), len(seeds)).T for o, v in measured.items()}
        rows.append(ControlRow(task=sweep.task, representation=rep,
                               strengths=np.array(strengths), seeds=tuple(seeds),
                               values=shaped[rep], contrast_representation=contrast,
                               contrast_values=None if contrast is None else shaped[contrast],
                               n_triples=n_triples))
    return rows

