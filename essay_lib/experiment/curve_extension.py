"""The specification curve beyond the records: Z̄ of the cached networks in probabilities
and on chord midpoints.

The records' ``z_spec`` holds Z̄ under the specifications of
:class:`~essay_lib.experiment.spec.MeasureSpec`'s curve (logits, centred logits and
log-probabilities; extrapolating and inside triples; three scales).  Its defaults are
fixed so that no cached record's key changes, so two specifications of DESIGN.md §3c are
not there: the **probabilities** of a classifier (softmax; the representation mixup
trains), and **chord midpoints** (x0 = X[i], a = b = (X[j] − X[i]) / 2: Taleb's H at the
midpoint of a chord between two data points, the geometry mixup trains; it has no scale
of its own).  :func:`curve_extension_records` measures them on the trained networks of a
spec (from the sweep cache, :func:`~essay_lib.experiment.sweeps.sweep_models`; trained only
if missing), with the records' own triples count, metric seed and points (the task's
``X_test``), in batched float64 passes (:func:`essay_lib.measures.batched.z_bar_members`:
one pass per geometry and scale, shared by its representations).  Nothing is cached:
the measures take seconds per task.

The records have the form the report floor joins onto the record table
(:func:`essay_lib.report.specification_curve.add_specifications`): ``task``,
``regularizer``, ``strength``, ``seed`` and ``z_spec`` (``"output|scale|triples"`` -> Z̄).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from essay_lib.data import load_task
from essay_lib.experiment.spec import ExperimentSpec, MeasureSpec, SweepSpec, specification_key
from essay_lib.experiment.sweeps import sweep_models
from essay_lib.experiment.train import model_of
from essay_lib.experiment.validity import sweeps_of
from essay_lib.measures import batched
from essay_lib.util.checks import check_choice

__all__ = ["CLASSIFIER_ONLY", "EXTRA_GEOMETRY", "EXTRA_OUTPUT", "curve_extension_records",
           "extra_specifications"]

#: The representation the records' curve lacks (classifiers only)
EXTRA_OUTPUT = "probabilities"
#: The geometry the records' curve lacks (no scale of its own)
EXTRA_GEOMETRY = "chord_midpoints"
#: Representations that only mean something for a classifier (k >= 2 outputs)
CLASSIFIER_ONLY = ("centred_logits", "log_probabilities", "probabilities")


def extra_specifications(kind: str, measures: MeasureSpec | None = None
                         ) -> list[tuple[str, float, str]]:
    """(output, scale, triples) of every specification the records of a task of ``kind``
    lack: for a classifier, probabilities under every scale and triple type of
    ``measures``' curve, then chord midpoints in each of the curve's outputs and in
    probabilities; for a regressor, chord midpoints of its raw outputs.  Chord midpoints
    carry ``measures.displacement_scale`` as their scale (it names them; it is not used).
    ``measures``: default :class:`MeasureSpec` ()."""
    check_choice("kind", kind, ("classification", "regression"))
    measures = MeasureSpec() if measures is None else measures
    if not isinstance(measures, MeasureSpec):
        raise TypeError(f"measures must be a MeasureSpec, got {type(measures).__name__}")
    chord = measures.displacement_scale
    if kind == "regression":
        return [("logits", chord, EXTRA_GEOMETRY)]
    outputs = list(dict.fromkeys([*measures.curve_outputs, EXTRA_OUTPUT]))
    return ([(EXTRA_OUTPUT, s, t) for s in measures.curve_scales for t in measures.curve_triples
             if t != EXTRA_GEOMETRY]
            + [(o, chord, EXTRA_GEOMETRY) for o in outputs])


def _specifications(specifications, kind: str, measures: MeasureSpec) -> list[tuple]:
    if specifications is None:
        return extra_specifications(kind, measures)
    if isinstance(specifications, (str, bytes)) or not isinstance(specifications, Sequence):
        raise TypeError(f"specifications must be a sequence of (output, scale, triples), got "
                        f"{type(specifications).__name__}")
    out = []
    for i, item in enumerate(specifications):
        if isinstance(item, (str, bytes)) or not isinstance(item, Sequence) or len(item) != 3:
            raise TypeError(f"specifications[{i}] must be (output, scale, triples), got "
                            f"{item!r}")
        if kind == "regression" and item[0] in CLASSIFIER_ONLY:
            continue  # a regressor has one output: no softmax, nothing to centre
        out.append((str(item[0]), float(item[1]), str(item[2])))
    return list(dict.fromkeys(out))


def curve_extension_records(spec: ExperimentSpec | SweepSpec | None = None,
                            specifications: Sequence | None = None, *, cache_dir=None,
                            device: str = "cpu", progress: bool | None = None) -> list[dict]:
    """One record per network of ``spec`` (default
    :func:`~essay_lib.experiment.essay.essay_experiment`): ``task``, ``regularizer``,
    ``strength``, ``seed`` and ``z_spec`` (``"output|scale|triples"`` -> Z̄), in the
    sweeps' member order.

    ``specifications``: (output, scale, triples) to measure on every task (those of a
    classifier's outputs are skipped on a regressor); default
    :func:`extra_specifications` of each task's kind and the sweep's measures.  Measured on
    the task's ``X_test`` with the sweep's ``z_triples`` and ``metric_seed``, so a
    specification the records hold comes out as the records' value (float64 rounding).
    ``cache_dir``, ``device``, ``progress``: as
    :func:`~essay_lib.experiment.sweeps.sweep_models` (used only when a network must be
    trained).
    """
    records = []
    for sweep in sweeps_of(spec):
        task = load_task(sweep.task, **sweep.task_kwargs)
        settings = _specifications(specifications, task.kind, sweep.measures)
        nets = sweep_models(sweep, cache_dir=cache_dir, device=device, progress=progress)
        keys = sweep.members()
        arrays = [{name: t.detach().cpu().numpy() for name, t in nets[key].state_dict().items()}
                  for key in keys]
        model = model_of(sweep, task, arrays)
        X = task.X_test.astype(np.float64)
        values = {}
        for scale, triples in dict.fromkeys((s, t) for _, s, t in settings):
            outputs = list(dict.fromkeys(o for o, s, t in settings if (s, t) == (scale, triples)))
            measured = batched.z_bar_members(model, X, n_triples=sweep.measures.z_triples,
                                             scale=scale, seed=sweep.measures.metric_seed,
                                             triples=triples, outputs=outputs)
            values.update({specification_key(o, scale, triples): measured[o][0]
                           for o in outputs})
        records += [{"task": sweep.task, "regularizer": regularizer, "strength": float(strength),
                     "seed": int(seed), "z_spec": {k: float(v[m]) for k, v in values.items()}}
                    for m, (regularizer, strength, seed) in enumerate(keys)]
    return records
