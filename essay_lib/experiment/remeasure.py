"""Trained networks measured again under other settings, as records.

A sweep (:func:`essay_lib.experiment.run_sweep`) measures every network once, with the
settings of its spec.  The chapters then ask "and under another choice?": chapter 01
counts near-zero weights at other thresholds, chapter 06 measures sub-network additivity
under other choices of masks and points.  The networks come back from the cache
(:func:`essay_lib.experiment.sweep_models`, keyed ``(regularizer, strength, seed)``),
and each function here returns records of the form the sweep's have, so the report
floor reads them with the same functions
(:func:`essay_lib.report.penalty_sweep.penalty_arrays`,
:func:`essay_lib.report.mechanism.variant_markdown`).

* :func:`weight_records`: near-zero share and norm of the weights (chapter 01);
* :func:`z_mask_records`: Z_mask under other choices of
  :func:`essay_lib.measures.subnetworks.subnetwork_additivity` (chapter 06).
"""

from __future__ import annotations

from collections.abc import Mapping

from essay_lib.measures import subnetworks
from essay_lib.nets import regularization
from essay_lib.util.checks import check_number

__all__ = ["weight_records", "z_mask_records"]


def weight_records(models: Mapping, *, threshold: float = 1e-3) -> list[dict]:
    """Weight statistics of trained networks, as records for
    :func:`essay_lib.report.penalty_sweep.penalty_arrays`.

    ``models``: ``(regularizer, strength, seed) -> network`` (as
    :func:`essay_lib.experiment.sweep_models` returns them); ``threshold`` (> 0): a
    weight with ``|w| < threshold`` counts as near zero.  Each record holds
    ``regularizer``, ``strength``, ``seed``, ``weight_sparsity`` (the near-zero share
    of the weights, biases excluded) and ``weight_norm`` (L2 norm of all weights).
    """
    if not isinstance(models, Mapping) or not models:
        raise TypeError("models must be a non-empty mapping (regularizer, strength, seed) "
                        f"-> network, got {type(models).__name__}")
    threshold = check_number("threshold", threshold, minimum=0.0, low_closed=False)
    records = []
    for key, model in models.items():
        if not (isinstance(key, tuple) and len(key) == 3):
            raise ValueError(f"models keys must be (regularizer, strength, seed), got {key!r}")
        regularizer, strength, seed = key
        records.append({"regularizer": regularizer, "strength": float(strength),
                        "seed": int(seed),
                        "weight_sparsity": regularization.weight_sparsity(model, threshold),
                        "weight_norm": regularization.weight_norm(model)})
    return records


def z_mask_records(nets: Mapping, X, *, task: str, **choices) -> list[dict]:
    """Records (``task``, ``regularizer``, ``strength``, ``seed``, ``z_mask``) of trained
    networks measured again under other choices of
    :func:`essay_lib.measures.subnetworks.subnetwork_additivity` (``choices``: its keyword
    arguments).  ``nets``: (regularizer, strength, seed) -> MLP, as
    :func:`essay_lib.experiment.sweep_models` returns; ``X`` (n, d): the points."""
    if not isinstance(nets, Mapping) or not nets:
        raise ValueError("nets must be a non-empty mapping (regularizer, strength, seed) -> MLP")
    return [{"task": task, "regularizer": reg, "strength": float(s), "seed": int(seed),
             "z_mask": subnetworks.subnetwork_additivity(net, X, **choices).value}
            for (reg, s, seed), net in nets.items()]
