"""Reference values of Z̄ for a sweep's task: where does "lower" put a trained network?

A lower Z̄ can mean "closer to the truth" or "flatter than the truth".  Three
references, measured on the same test inputs, triples and specifications as the
sweep's networks (:class:`~essay_lib.experiment.spec.MeasureSpec`):

* ``"true"``: the true function where it is known (the 1-D quadratic: y = x²);
  ``None`` elsewhere;
* ``"untrained"``: the sweep's networks at their initial weights (one per seed), what
  training starts from;
* ``"kernel_ridge"``: a smooth baseline fit, scikit-learn's kernel ridge regression with
  an RBF kernel (penalty and width chosen by 5-fold cross-validation on the training
  data; classifiers fit one-hot targets, and its scores stand in for logits).

:func:`reference_values` computes them (a few seconds) and caches them as one JSON
record per sweep, keyed like the sweep's records.
"""

from __future__ import annotations

import numpy as np
import torch

from essay_lib.data import Task, load_task, quadratic_target
from essay_lib.experiment.cache import SweepCache
from essay_lib.experiment.spec import MeasureSpec, SweepSpec, specification_key
from essay_lib.experiment.train import untrained_model, widths_of
from essay_lib.measures import batched, linearity

REFERENCES = ("true", "untrained", "kernel_ridge")


def function_values(f, task: Task, measures: MeasureSpec) -> dict:
    """``{"z_bar": main Z̄, "z_spec": {key: Z̄}}`` of a numpy function ``f`` (n, d) -> (n, k)
    on the task's test inputs, under every specification of ``measures``."""
    X = task.X_test.astype(np.float64)
    out = {"z_spec": {}}
    settings = [("logits", measures.displacement_scale, "extrapolating"),
                *measures.specifications(task.kind)]
    for output, scale, triples in dict.fromkeys(settings):
        g = (f if output == "logits" else
             lambda x, o=output: batched.represent(torch.as_tensor(f(x)), o).numpy())
        z = linearity.z_bar(g, X, n_triples=measures.z_triples, scale=scale,
                            seed=measures.metric_seed, triples=triples).value
        if (output, scale, triples) == settings[0]:
            out["z_bar"] = z
        if (output, scale, triples) in settings[1:]:
            out["z_spec"][specification_key(output, scale, triples)] = z
    return out


def untrained_values(spec: SweepSpec, task: Task) -> list[dict]:
    """:func:`function_values` of each seed's network at its initial weights (batched)."""
    model = untrained_model(spec, task, spec.seeds)
    X = task.X_test.astype(np.float64)
    m = spec.measures
    per_seed = [{"seed": s, "z_spec": {}} for s in spec.seeds]
    settings = [("logits", m.displacement_scale, "extrapolating"), *m.specifications(task.kind)]
    for scale, triples in dict.fromkeys((s, t) for _, s, t in settings):
        outputs = list(dict.fromkeys(o for o, s, t in settings if (s, t) == (scale, triples)))
        values = batched.z_bar_members(model, X, n_triples=m.z_triples, scale=scale,
                                       seed=m.metric_seed, triples=triples, outputs=outputs)
        for o, (value, _) in values.items():
            for k, row in enumerate(per_seed):
                if (o, scale, triples) == settings[0]:
                    row["z_bar"] = float(value[k])
                if (o, scale, triples) in settings[1:]:
                    row["z_spec"][specification_key(o, scale, triples)] = float(value[k])
    return per_seed


def kernel_ridge_function(task: Task, seed: int = 0):
    """A fitted kernel ridge regression (RBF) as a numpy function (n, d) -> (n, k)."""
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.model_selection import GridSearchCV, KFold

    X = task.X_train.astype(np.float64)
    y = (task.y_train.astype(np.float64) if task.kind == "regression"
         else np.eye(task.n_outputs)[task.y_train])
    gammas = np.array([0.1, 0.3, 1.0, 3.0]) / X.shape[1]
    search = GridSearchCV(KernelRidge(kernel="rbf"),
                          {"alpha": [1e-3, 1e-2, 1e-1, 1.0], "gamma": list(gammas)},
                          cv=KFold(5, shuffle=True, random_state=seed),
                          scoring="neg_mean_squared_error")
    model = search.fit(X, y).best_estimator_
    return lambda x: np.asarray(model.predict(np.asarray(x, dtype=np.float64))).reshape(len(x),
                                                                                           -1)


def reference_values(spec: SweepSpec, *, cache_dir=None, use_cache: bool = True) -> dict:
    """The references of the module docstring for one sweep: ``{"true": values | None,
    "untrained": [values per seed], "kernel_ridge": values}`` (values as in
    :func:`function_values`), cached."""
    if not isinstance(spec, SweepSpec):
        raise TypeError(f"spec must be an experiment.SweepSpec, got {type(spec).__name__}")
    task = load_task(spec.task, **spec.task_kwargs)
    cache = SweepCache(cache_dir)
    config = {"references": REFERENCES, "task_description": task.description,
              "data_sha256": task.data_sha256(), "widths": list(widths_of(spec, task)),
              "architecture": spec.architecture, "seeds": list(spec.seeds),
              "measures": spec.measures.as_dict()}
    found = cache.load(config) if use_cache else None
    if found is not None:
        return found
    values = {"true": (function_values(quadratic_target, task, spec.measures)
                       if spec.task == "quadratic" else None),
              "untrained": untrained_values(spec, task),
              "kernel_ridge": function_values(kernel_ridge_function(task), task,
                                              spec.measures)}
    cache.store(config, values)
    return values
