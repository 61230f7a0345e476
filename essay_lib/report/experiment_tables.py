"""Tables and sentences that describe chapter 05's experiment, computed from its spec and
records: the tasks and networks, the grid, the fit at each regularizer's chosen strength,
the plateau of training, the share of evaluation points outside the data, the references.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from essay_lib.data import load_task
from essay_lib.experiment.essay import EARLY_STOP_SHARES, early_stop_epochs
from essay_lib.experiment.spec import ExperimentSpec
from essay_lib.measures.triples import draw_triples, outside_share
from essay_lib.report import matched, stats, wording
from essay_lib.report.tables import markdown_table
from essay_lib.report.trends import check_records
from essay_lib.report.vocabulary import join_names, regularizer_label, task_label

REGULARIZERS = ("dropout", "l1", "l2", "mixup")


def tasks_markdown(experiment: ExperimentSpec) -> str:
    """One row per task: inputs → outputs, kind, train / validation / test rows, network,
    epochs and learning rate (full-batch Adam)."""
    rows = []
    for spec in experiment:
        t = load_task(spec.task, **spec.task_kwargs)
        n_val = 0 if t.X_val is None else len(t.X_val)
        rows.append([task_label(spec.task), f"{t.n_features} → {t.n_outputs}", t.kind,
                     f"{t.n_train} / {n_val} / {t.n_test}", " × ".join(map(str, spec.hidden)),
                     f"{spec.epochs} (learning rate {spec.lr:g})"])
    return markdown_table(["task", "inputs → outputs", "kind", "train / validation / test",
                           "hidden layers", f"{experiment.sweeps[0].optimizer} epochs"], rows)


def grid_markdown(experiment: ExperimentSpec) -> str:
    """One row per regularizer of the grids: the strengths most tasks use, and the
    exceptions (a regularizer no sweep trains has no row).  Rows: none, then
    :data:`REGULARIZERS`, then any other grid key in first-seen order.  Early stopping's
    strengths are epochs; where every sweep's path is :func:`early_stop_epochs` of its own
    epochs, the row says so (the shares) instead of listing each task's epochs."""
    rows = []
    keys = dict.fromkeys(("none", *REGULARIZERS, *(k for s in experiment for k in s.grid_dict)))
    for reg in keys:
        variants = {s.task: tuple(s.grid_dict.get(reg, ())) for s in experiment}
        if not any(variants.values()):
            continue
        if reg == "early_stop" and all(g == early_stop_epochs(s.epochs) for s in experiment
                                       if (g := variants[s.task])):
            shares = ", ".join(f"1/{k}" for k in EARLY_STOP_SHARES)
            skipped = [t for t, g in variants.items() if not g]
            rows.append([regularizer_label(reg), f"{shares} of the task's epochs",
                         f"not trained on {join_names(skipped)}" if skipped else "—"])
            continue
        values = list(variants.values())
        common = max(set(values), key=values.count)
        note = "; ".join(f"{task_label(t)}: {', '.join(f'{v:g}' for v in g)}"
                         for t, g in variants.items() if g != common)
        rows.append([regularizer_label(reg), ", ".join(f"{v:g}" for v in common), note or "—"])
    return markdown_table(["regularizer", "strengths", "exceptions"], rows)


def fit_markdown(records, tasks: Sequence[str], regularizers=("dropout", "l2", "mixup"), *,
                 seed: int = 0) -> str:
    """Per task: test loss without regularization and, per regularizer, its
    validation-chosen strength and the paired change of the test loss there."""
    records = check_records(records)
    rows = []
    for task in tasks:
        base = [r["test_loss"] for r in records if r["task"] == task
                and r["regularizer"] == "none"]
        cells = [task_label(task), f"{np.mean(base):.3f}"]
        for reg in regularizers:
            s = matched.chosen_strength(records, task, reg)
            if s == 0:
                cells.append("0 (none is best)")
                continue
            c = matched.paired_contrasts(records, task, reg, "test_loss", seed=seed)
            change = next(x.change for x in c if x.strength == s)
            cells.append(f"{s:g}: {wording.interval(change.estimate, change.low, change.high)}")
        rows.append(cells)
    header = ["task", "test loss, no regularization",
              *[f"{regularizer_label(r)}: chosen strength, Δ test loss" for r in regularizers]]
    return markdown_table(header, rows)


def plateau_sentence(records, tasks: Sequence[str]) -> str:
    """Whether each task's unregularized networks reached their training plateau."""
    results = [matched.plateau(records, t) for t in tasks]
    reached = [p.task for p in results if p.reached]
    parts = [f"{task_label(p.task)} {p.late_share:.1%}" for p in results]
    overfit = [p.task for p in results if p.test_change >= 0]
    text = (f"In the last quarter of training the unregularized networks' training loss fell "
            f"by this share of its whole fall: {'; '.join(parts)}. By the rule (at most 5%) "
            f"they reached their plateau on {len(reached)} of {len(results)} tasks"
            + (f" ({join_names(reached)})" if reached else "") + ". ")
    text += (f"Their test loss stayed flat or rose over that stretch on {len(overfit)} of "
             f"{len(results)} tasks" + (f" ({join_names(overfit)})" if overfit else "")
             + ": further training would not have improved their fit.")
    return text


def outside_markdown(experiment: ExperimentSpec) -> str:
    """Per task, the share of displaced evaluation points outside the test inputs'
    bounding box, for every (scale, triple type) of the specification curve."""
    spec0 = experiment.sweeps[0].measures
    settings = [(s, t) for s in spec0.curve_scales for t in spec0.curve_triples]
    rows = []
    for spec in experiment:
        X = load_task(spec.task, **spec.task_kwargs).X_test.astype(np.float64)
        m = spec.measures
        rows.append([task_label(spec.task), *[
            f"{outside_share(X, draw_triples(X, m.z_triples, s, m.metric_seed, t)):.0%}"
            for s, t in settings]])
    return markdown_table(["task", *[f"s = {s:g}, {t}" for s, t in settings]], rows,
                          align=["left", *["right"] * len(settings)])


def reference_markdown(references: dict, records, tasks: Sequence[str], *,
                       seed: int = 0) -> str:
    """Per task: Z̄ of the unregularized networks (mean, interval over seeds) beside the
    true function, the untrained networks and the kernel ridge fit."""
    records = check_records(records)
    rows = []
    for task in tasks:
        base = [r["z_bar"] for r in records if r["task"] == task and r["regularizer"] == "none"]
        ci = stats.bootstrap_mean_interval(base, seed=seed)
        ref = references[task]
        untrained = stats.bootstrap_mean_interval([u["z_bar"] for u in ref["untrained"]],
                                                  seed=seed)
        rows.append([task_label(task), f"{ci.estimate:.3f} [{ci.low:.3f}, {ci.high:.3f}]",
                     "—" if ref["true"] is None else f"{ref['true']['z_bar']:.3f}",
                     f"{untrained.estimate:.3f} [{untrained.low:.3f}, {untrained.high:.3f}]",
                     f"{ref['kernel_ridge']['z_bar']:.3f}"])
    return markdown_table(["task", "trained, no regularization", "true function",
                           "untrained networks", "kernel ridge fit"], rows)


def reference_lines(references: dict, records=None) -> dict[str, dict[str, float]]:
    """task -> reference name -> Z̄ (the untrained networks: their mean over seeds), for
    the figures; with ``records``, as changes from the unregularized networks' mean Z̄."""
    out = {}
    for task, ref in references.items():
        lines = {"true": None if ref["true"] is None else ref["true"]["z_bar"],
                 "untrained": float(np.mean([u["z_bar"] for u in ref["untrained"]])),
                 "kernel_ridge": ref["kernel_ridge"]["z_bar"]}
        if records is not None:
            base = np.mean([r["z_bar"] for r in records
                            if r["task"] == task and r["regularizer"] == "none"])
            lines = {k: None if v is None else float(v - base) for k, v in lines.items()}
        out[task] = lines
    return out


def strongest_changes_markdown(contrasts: dict) -> str:
    """A table, one row per task and one column per regularizer: the change of mean Z̄ from
    the unregularized networks to the regularizer's strongest setting (paired by seed,
    with its interval), then a sentence: on how many tasks every regularizer lowers Z̄.

    ``contrasts``: task -> regularizer -> the :class:`~essay_lib.report.matched.Contrast`
    list of :func:`~essay_lib.report.matched.paired_contrasts` (increasing strength)."""
    if not contrasts:
        raise ValueError("contrasts must hold at least one task")
    regularizers = list(dict.fromkeys(r for row in contrasts.values() for r in row))
    rows, lowered = [], 0
    for task, row in contrasts.items():
        strongest = {r: row[r][-1] for r in regularizers if row.get(r)}
        rows.append([task_label(task), *(
            "—" if r not in strongest else
            f"{wording.interval(*_triple(strongest[r].change))} at {strongest[r].strength:g}"
            for r in regularizers)])
        lowered += all(c.change.estimate < 0 for c in strongest.values())
    table = markdown_table(["task", *(regularizer_label(r) for r in regularizers)], rows)
    every = wording.count_of(lowered, len(contrasts), "task", "see")
    return (f"{table}\n\nChange of mean $\\bar Z$ at each regularizer's strongest setting "
            f"(the strength after \"at\"), with its 95% interval over seeds. "
            f"{every[0].upper()}{every[1:]} every regularizer lower $\\bar Z$: a fall under "
            f"dropout is necessary for the thesis, not sufficient.")


def _triple(change) -> tuple[float, float, float]:
    return change.estimate, change.low, change.high
