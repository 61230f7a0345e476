"""The numbers measured on every trained network of a sweep (one record each).

Metrics (:data:`METRICS`), on the task's test split unless named ``train_``:
``train_loss``, ``validation_loss`` (on the task's validation split; ``None`` without one),
``test_loss`` (MSE or cross-entropy), ``test_r2`` (regression) or
``test_accuracy`` (classification; the other is ``None``), ``z_bar`` (Z̄, normalised)
and ``z_bar_raw`` (mean ‖D‖, output units), ``taleb_h`` (Σ‖2H‖ / Σ(‖u‖+‖v‖+‖w‖) over
the triples (x−Δ, Δ, Δ): Z̄ on symmetric triples, so D = 2H) and ``taleb_h_raw``
(mean ‖H‖, output units), ``jacobian_norm`` (mean Frobenius norm),
``affine_nonlinearity`` (1 − R² of the best affine fit), ``linear_pieces`` (along the
segment from the per-feature minimum to the maximum of the test inputs, for MLPs on 1-D
and 2-D inputs; ``None`` otherwise), ``weight_sparsity`` (fraction of weights with |w|
below the spec's threshold), ``weight_norm`` (L2 norm of all weights),
``mean_hidden_activation`` (mean over test points, units and hidden layers, eval mode);
``z_spec`` (a dict: Z̄ under every specification of the spec's curve, keyed
``"output|scale|triples"``, see :meth:`~essay_lib.experiment.spec.MeasureSpec.specifications`);
``z_mask`` (sub-network additivity Z_mask on the test inputs, logits, and ``z_mask_raw``,
mean ‖D‖) and ``mc_gap`` (relative RMS gap between Monte Carlo averaging over inverted
masks and weight scaling, on the first ``mc_points`` test inputs), both at the spec's
``mask_keep_prob``, and ``z_mask_own`` (Z_mask at the network's own training keep
probability, :func:`~essay_lib.experiment.train.training_keep_prob`: 1 − its drop rate,
1 without dropout; measured where a trend reads it, on the unregularized networks and on
dropout's, :data:`~essay_lib.experiment.sweeps.OWN_KEEP_SERIES`, else ``None``)
(:mod:`essay_lib.measures.subnetworks`, with the spec's ``mask_layers``; ``None`` for the
residual MLP and the CNN).  Under
``MeasureSpec(scope="verdict")`` only :data:`VERDICT_METRICS` are measured and every other
metric is ``None``; under ``scope="mechanism"`` also :data:`MASK_METRICS`.

Function measures use the logits, in float64.  Every setting comes from the
:class:`~essay_lib.experiment.spec.MeasureSpec` passed in: Δ, a, b are its
``displacement_scale`` times differences of two test points, drawn with its
``metric_seed``.
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch

from essay_lib.data import Task
from essay_lib.experiment.spec import MeasureSpec, specification_key
from essay_lib.measures import batched, linearity, subnetworks
from essay_lib.nets import regularization
from essay_lib.nets.ensemble import BatchedMLP
from essay_lib.nets.losses import data_loss, r2_score
from essay_lib.util.progress import progress_bar

METRICS = ("train_loss", "validation_loss", "test_loss", "test_r2", "test_accuracy", "z_bar",
           "z_bar_raw", "taleb_h", "taleb_h_raw", "jacobian_norm", "affine_nonlinearity",
           "linear_pieces", "weight_sparsity", "weight_norm", "mean_hidden_activation", "z_spec",
           "z_mask", "z_mask_raw", "z_mask_own", "mc_gap")
#: The metrics a verdict reads (``MeasureSpec(scope="verdict")`` measures only these)
VERDICT_METRICS = ("train_loss", "validation_loss", "test_loss", "test_r2", "test_accuracy",
                   "z_bar", "z_bar_raw")
#: The sub-network measures (``scope="mechanism"`` adds them to :data:`VERDICT_METRICS`)
MASK_METRICS = ("z_mask", "z_mask_raw", "z_mask_own", "mc_gap")


@torch.no_grad()
def batched_metrics(model, task: Task) -> dict[str, np.ndarray | None]:
    """Per-member validation and test loss, R² / accuracy and mean hidden activation, (K,)
    each (``None`` where it does not apply)."""
    X = torch.as_tensor(task.X_test, device=model.device)
    y = torch.as_tensor(task.y_test, device=model.device)
    out, hidden = model.forward_with_hidden(X)
    loss = data_loss(out, y, task.kind)
    if task.kind == "regression":
        r2, accuracy = r2_score(y, out), None
    else:
        accuracy, r2 = (out.argmax(dim=-1) == y).double().mean(dim=1), None
    activation = torch.stack([h.double().mean(dim=(1, 2)) for h in hidden]).mean(dim=0)
    validation = None
    if task.has_validation:
        X_v = torch.as_tensor(task.X_val, device=model.device)
        validation = data_loss(model.forward(X_v),
                                   torch.as_tensor(task.y_val, device=model.device), task.kind)
    as_np = {"validation_loss": validation, "test_loss": loss, "test_r2": r2,
             "test_accuracy": accuracy, "mean_hidden_activation": activation}
    return {name: None if t is None else t.double().cpu().numpy() for name, t in as_np.items()}


def taleb_displacements(X: np.ndarray, measures: MeasureSpec) -> np.ndarray:
    """Δ for Taleb's heuristic at each test point: the scale times the difference to
    another test point, drawn with the metric seed; (n, d)."""
    rng = np.random.default_rng(measures.metric_seed)
    j = rng.integers(0, len(X), size=len(X))
    partner = (j + rng.integers(1, len(X), size=len(X))) % len(X)
    return measures.displacement_scale * (X[j] - X[partner])


def z_bar_settings(model, task: Task, measures: MeasureSpec) -> dict:
    """Z̄ of every member under the main setting and every specification of the curve:
    ``{(output, scale, triples): (value (K,), raw (K,))}`` (batched, float64; one pass
    per (scale, triples), shared by its output representations)."""
    X = task.X_test.astype(np.float64)
    main = ("logits", measures.displacement_scale, "extrapolating")
    settings = [main] if measures.scope == "verdict" else [
        main, *measures.specifications(task.kind)]
    out = {}
    for scale, triples in dict.fromkeys((s, t) for _, s, t in settings):
        outputs = list(dict.fromkeys(o for o, s, t in settings if (s, t) == (scale, triples)))
        values = batched.z_bar_members(model, X, n_triples=measures.z_triples, scale=scale,
                                       seed=measures.metric_seed, triples=triples,
                                       outputs=outputs)
        out.update({(o, scale, triples): values[o] for o in outputs})
    return out


def specification_curve(values: dict, task: Task, measures: MeasureSpec) -> list[dict]:
    """Per member, ``{"output|scale|triples": Z̄}`` over the spec's curve, read from the
    :func:`z_bar_settings` ``values``."""
    settings = measures.specifications(task.kind)
    n_members = len(values[settings[0]][0])
    return [{specification_key(*setting): float(values[setting][0][k]) for setting in settings}
            for k in range(n_members)]


def mask_metrics(model, task: Task, measures: MeasureSpec, keep_probs=None
                 ) -> dict[str, np.ndarray | None]:
    """Per member (K,): ``z_mask``, ``z_mask_raw`` and ``mc_gap`` (batched, float64, the
    same draws for every member) at the spec's keep probability, and ``z_mask_own`` at
    ``keep_probs`` (K,), each member's own training keep probability (``None`` for all or
    for one member: not measured, NaN); ``None`` each for models other than the plain MLP
    (the residual MLP and the CNN have no hidden-unit masks here)."""
    if not isinstance(model, BatchedMLP):
        return dict.fromkeys(MASK_METRICS)
    X = task.X_test.astype(np.float64)
    settings = dict(n_draws=measures.mask_draws, set_fraction=measures.mask_set_fraction,
                    layers=measures.mask_layers, seed=measures.metric_seed)
    additivity = subnetworks.subnetwork_additivity_members(
        model, X, keep_prob=measures.mask_keep_prob, **settings)
    own = None if keep_probs is None else np.array([
        np.nan if r is None else r.value for r in subnetworks.subnetwork_additivity_members(
            model, X, keep_prob=[None if q is None else float(q) for q in keep_probs],
            **settings)])
    gap = subnetworks.mc_gap_members(model, X[: measures.mc_points],
                                     keep_prob=measures.mask_keep_prob,
                                     n_samples=measures.mc_samples, seed=measures.metric_seed)
    return {"z_mask": np.array([r.value for r in additivity]),
            "z_mask_raw": np.array([r.raw for r in additivity]), "z_mask_own": own,
            "mc_gap": gap}


def single_threaded_blas():
    """numpy's BLAS on one thread: the metrics' small solves run faster so, a busy machine
    does not stall them, and the numbers do not depend on the core count."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def measure_members(model, train_loss, task: Task, measures: MeasureSpec, *,
                    keep_probs=None, progress: bool | None = None) -> list[dict]:
    """The :data:`METRICS` of every member of ``model`` (a dict each, in member order).

    ``model``: any batched model of :func:`essay_lib.nets.ensemble.batched_model` (the
    MLP, the residual MLP, the CNN); ``train_loss``: (K,) final evaluation-mode training
    loss of each member (from its
    training run); ``task``: the task the members were trained on (its test split is
    measured); ``measures``: the settings of every measure (its ``scope`` decides which
    metrics are measured; the others are ``None``); ``keep_probs`` (K,): each member's own
    training keep probability, for ``z_mask_own`` (``None``: that metric is ``None``).
    """
    train_loss = np.asarray(train_loss, dtype=np.float64).ravel()
    if len(train_loss) != model.K:
        raise ValueError(f"train_loss must hold one value per member ({model.K}), "
                         f"got {len(train_loss)}")
    X = task.X_test.astype(np.float64)
    # Z̄ of the raw outputs, batched: equal to linearity.z_bar on each member (rel 1e-10,
    # tests/test_triples.py) at a fraction of the cost of K separate calls.
    z_values = z_bar_settings(model, task, measures)
    main_z = z_values["logits", measures.displacement_scale, "extrapolating"]
    losses = batched_metrics(model, task)
    if measures.scope in ("verdict", "mechanism"):
        values = {**losses, "train_loss": train_loss, "z_bar": main_z[0],
                  "z_bar_raw": main_z[1]}
        wanted = VERDICT_METRICS
        if measures.scope == "mechanism":
            values.update(mask_metrics(model, task, measures, keep_probs))
            wanted += MASK_METRICS
        kept = {name: values[name] if name in wanted else None for name in METRICS}
        return [{name: None if v is None else float(v[k]) for name, v in kept.items()}
                for k in range(model.K)]
    per_member = {**losses, **mask_metrics(model, task, measures, keep_probs)}
    curves = specification_curve(z_values, task, measures)
    jacobian = (batched.jacobian_norm_members(model, X) if isinstance(model, BatchedMLP)
                else None)
    delta = taleb_displacements(X, measures)
    segment = ((X.min(axis=0), X.max(axis=0))
               if X.shape[1] <= 2 and isinstance(model, BatchedMLP) else None)
    records = []
    finite = finite_members(model, X)
    with single_threaded_blas():
        for k in progress_bar(range(model.K), enabled=progress, desc=f"{task.name}: metrics"):
            net = model.member(k)
            record = {"train_loss": float(train_loss[k])}
            record.update({name: None if v is None else float(v[k])
                           for name, v in per_member.items()})
            record["z_spec"] = curves[k]
            record.update(z_bar=float(main_z[0][k]), z_bar_raw=float(main_z[1][k]))
            record.update(member_measures(net, X, delta, segment, measures.sparsity_threshold,
                                          None if jacobian is None else float(jacobian[k]))
                          if finite[k] else dict.fromkeys(MEMBER_MEASURES))
            records.append({name: record[name] for name in METRICS})
    return records


#: Measures taken one member at a time (None for a member whose outputs are not finite: a
#: diverged network, which another CPU's float kernels can produce)
MEMBER_MEASURES = ("taleb_h", "taleb_h_raw", "jacobian_norm", "affine_nonlinearity",
                   "linear_pieces", "weight_sparsity", "weight_norm")


@torch.no_grad()
def finite_members(model, X: np.ndarray) -> np.ndarray:
    """(K,) bool: whether each member's outputs on ``X`` are all finite."""
    out = model.forward(torch.as_tensor(X, dtype=torch.float32, device=model.device))
    return torch.isfinite(out).all(dim=(1, 2)).cpu().numpy()


def member_measures(net, X: np.ndarray, delta: np.ndarray, segment, sparsity_threshold: float,
                    jacobian) -> dict:
    """:data:`MEMBER_MEASURES` of one network: Taleb's H, the Jacobian norm (``jacobian``
    when already computed), 1 − R² of the affine fit, the linear pieces along ``segment``
    (``None``: not measured), weight sparsity and norm."""
    f = linearity.as_function(net)
    taleb, taleb_raw = linearity.taleb_bar(f, X, delta)
    return {"taleb_h": taleb, "taleb_h_raw": taleb_raw,
            "jacobian_norm": linearity.jacobian_norm(net, X) if jacobian is None else jacobian,
            "affine_nonlinearity": 1.0 - linearity.affine_fit_r2(f, X),
            "linear_pieces": None if segment is None else linearity.count_linear_pieces(
                net, *segment),
            "weight_sparsity": regularization.weight_sparsity(net, sparsity_threshold),
            "weight_norm": regularization.weight_norm(net)}
