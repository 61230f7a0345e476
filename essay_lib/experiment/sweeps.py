"""Running a sweep: a :class:`~essay_lib.experiment.spec.SweepSpec` -> one record per network.

:func:`run_sweep` turns the spec's grid × seeds into one network per (regularizer,
strength, seed).  For each network it reads the measured record from the cache; if
that is missing, the trained weights (re-measuring them, e.g. after a change of the
spec's :class:`~essay_lib.experiment.spec.MeasureSpec`); and only if those are missing
too it trains the network, with all other missing ones, in the batched engine.  A
network's result depends on its own configuration alone, never on which others were
trained beside it.  Records come in grid order (regularizer, then strength, then seed)
and hold ``task``, ``regularizer``, ``strength``, ``seed``, the training settings,
every metric of :data:`essay_lib.experiment.metrics.METRICS`, ``curve`` (training and
test loss at a few epochs) and ``key`` (the record's cache key).

:func:`sweep_models` gives back the trained networks themselves (as
:class:`essay_lib.nets.models.MLP`), from the same cache.  :func:`run_experiment` runs
every sweep of an :class:`~essay_lib.experiment.spec.ExperimentSpec`
(:func:`~essay_lib.experiment.essay.essay_experiment` by default).
"""

from __future__ import annotations

import torch

from essay_lib.data import Task, load_task
from essay_lib.experiment.cache import SweepCache, clean_record
from essay_lib.experiment.essay import essay_experiment
from essay_lib.experiment.metrics import measure_members
from essay_lib.experiment.spec import ExperimentSpec, SweepSpec
from essay_lib.experiment.train import (
    Trained,
    epochs_of,
    member_of,
    model_of,
    train_members,
    training_config,
    training_keep_prob,
)
from essay_lib.nets.models import MLP
from essay_lib.nets.training import resolve_device

MAX_MEASURED = 256  # networks measured in one batched model (bounds memory)
#: The series on which ``z_mask_own`` is measured (chapter 06's trend along dropout's path
#: reads it there and nowhere else; elsewhere it is ``None``)
OWN_KEEP_SERIES = ("none", "dropout")


def _check_spec(spec) -> SweepSpec:
    if not isinstance(spec, SweepSpec):
        raise TypeError(f"spec must be an experiment.SweepSpec, got {type(spec).__name__}")
    return spec


def _nan_back(curve: dict) -> dict:
    """A stored loss curve with the ``None`` that JSON keeps for NaN/inf (a diverged network)
    read back as NaN, as the freshly trained curve holds it."""
    return {name: [float("nan") if v is None else v for v in values]
            if isinstance(values, list) else values for name, values in curve.items()}


def _trained(spec: SweepSpec, task: Task, keys, cache: SweepCache, device: torch.device,
             progress, use_cache: bool) -> list[Trained]:
    """The trained networks ``keys``: from the cache, else trained now and stored."""
    configs = [training_config(spec, task, key, device) for key in keys]
    found: list[Trained | None] = []
    for config in configs:
        entry = cache.load_arrays(config) if use_cache else None
        found.append(None if entry is None else Trained(entry[0], _nan_back(entry[1]["curve"])))
    missing = [i for i, t in enumerate(found) if t is None]
    if missing:
        fresh = train_members(spec, task, [keys[i] for i in missing], device=device,
                              progress=progress)
        for i, trained in zip(missing, fresh, strict=True):
            cache.store_arrays(configs[i], trained.arrays, {"curve": trained.curve})
            found[i] = trained
    return found


def run_sweep(spec: SweepSpec, *, cache_dir=None, use_cache: bool = True, device: str = "cpu",
              progress: bool | None = None) -> list[dict]:
    """One record per network of ``spec`` (see the module docstring), cached.

    ``cache_dir``: see :mod:`essay_lib.experiment.cache`; ``use_cache=False`` retrains,
    re-measures and rewrites every entry; ``device``: ``"cpu"``, ``"cuda"`` or
    ``"auto"`` (training; measures run on the CPU in float64).
    """
    spec = _check_spec(spec)
    dev = resolve_device(device)
    task = load_task(spec.task, **spec.task_kwargs)
    cache = SweepCache(cache_dir)
    keys = spec.members()
    measures = spec.measures.as_dict()
    configs = [{"training": training_config(spec, task, key, dev), "measures": measures}
               for key in keys]
    records = [cache.load(c) if use_cache else None for c in configs]
    missing = [i for i, r in enumerate(records) if r is None]
    for start in range(0, len(missing), MAX_MEASURED):
        chunk = missing[start: start + MAX_MEASURED]
        trained = _trained(spec, task, [keys[i] for i in chunk], cache, dev, progress,
                           use_cache)
        model = model_of(spec, task, [t.arrays for t in trained])
        keeps = [training_keep_prob(member_of(spec, *keys[i]))
                 if keys[i][0] in OWN_KEEP_SERIES else None for i in chunk]
        metrics = measure_members(model, [t.train_loss for t in trained], task, spec.measures,
                                  keep_probs=keeps, progress=progress)
        for i, t, values in zip(chunk, trained, metrics, strict=True):
            regularizer, strength, seed = keys[i]
            record = {**spec.training_dict(), "epochs": epochs_of(spec, regularizer, strength),
                      "regularizer": regularizer, "strength": strength, "seed": seed, **values,
                      "curve": t.curve, "key": cache.key(configs[i])}
            cache.store(configs[i], record)
            records[i] = clean_record(record)
    return records


def sweep_models(spec: SweepSpec, *, cache_dir=None, device: str = "cpu",
                 progress: bool | None = None) -> dict[tuple[str, float, int], MLP]:
    """The trained networks of ``spec`` as CPU :class:`MLP` s in eval mode (the module of
    the spec's ``architecture``: :mod:`essay_lib.nets.architectures`), keyed by
    (regularizer, strength, seed): read from the cache, trained (and stored) if missing.

    A network trained with dropout carries its drop rates (``MLP.drop_rates``,
    ``input_drop_rate``), so that Monte Carlo averaging
    (:func:`essay_lib.nets.dropout.mc_predict`) samples the sub-networks it was trained on;
    in eval mode (the default) its dropout is off."""
    spec = _check_spec(spec)
    dev = resolve_device(device)
    task = load_task(spec.task, **spec.task_kwargs)
    keys = spec.members()
    trained = _trained(spec, task, keys, SweepCache(cache_dir), dev, progress, True)
    model = model_of(spec, task, [t.arrays for t in trained])
    members = [member_of(spec, *key) for key in keys]
    return {key: model.member(k, drop_rate=m.drop_rate, input_drop_rate=m.input_drop_rate)
            for k, (key, m) in enumerate(zip(keys, members, strict=True))}


def run_experiment(spec: ExperimentSpec | SweepSpec | None = None, *, cache_dir=None,
                   device: str = "cpu", progress: bool | None = None) -> list[dict]:
    """The records of every sweep of ``spec`` (default: chapter 05's
    :func:`~essay_lib.experiment.essay.essay_experiment`), task after task."""
    spec = essay_experiment() if spec is None else spec
    if isinstance(spec, SweepSpec):
        spec = ExperimentSpec((spec,))
    if not isinstance(spec, ExperimentSpec):
        raise TypeError(f"spec must be an ExperimentSpec or SweepSpec, got "
                        f"{type(spec).__name__}")
    return [r for sweep in spec for r in run_sweep(sweep, cache_dir=cache_dir, device=device,
                                                    progress=progress)]
