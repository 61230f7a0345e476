"""``python -m essay_lib sweep``: run or complete a cached sweep, print a summary.

Chapter 05's experiment (``--task``, ``--all``) or chapter 07's variants (``--variant``,
``--variants``; :mod:`essay_lib.experiment.beyond`).  Examples::

    python -m essay_lib sweep --task diabetes
    python -m essay_lib sweep --all --metric test_loss --metric z_bar
    python -m essay_lib sweep --task moons --seeds 2 --epochs 50 --cache-dir /tmp/c
    python -m essay_lib sweep --all --device cuda
    python -m essay_lib sweep --list-variants
    python -m essay_lib sweep --variant CNN --variant "width 256" --task digits
    python -m essay_lib sweep --variants --study full --device cuda

Each table row is one (regularizer, strength): the number of seeds and, per
metric, the mean over seeds with its 95% percentile bootstrap interval; after the
variants, chapter 07's verdict table.  ``--seeds`` and ``--epochs`` change the spec (a
different experiment, cached under different keys); ``--task`` with ``--variant(s)``
runs those variants on that task only.
"""

from __future__ import annotations

import argparse
import math
import time

from essay_lib.data import TASK_NAMES
from essay_lib.experiment import ExperimentSpec, essay_experiment, run_sweep
from essay_lib.experiment import beyond as variant_specs
from essay_lib.experiment.essay import early_stop_epochs
from essay_lib.experiment.metrics import METRICS
from essay_lib.report import stats
from essay_lib.report.vocabulary import regularizer_label

DEFAULT_METRICS = ("test_loss", "z_bar", "jacobian_norm")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the ``sweep`` command."""
    parser.add_argument("--task", choices=TASK_NAMES,
                        help="the task whose sweep to run (with --variant(s): only this task)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="run every task's sweep")
    which.add_argument("--variant", action="append", default=None,
                       choices=variant_specs.variant_names(), metavar="NAME",
                       help="run chapter 07's variant NAME (repeatable; see --list-variants)")
    which.add_argument("--variants", action="store_true",
                       help="run every variant of chapter 07")
    which.add_argument("--list-variants", action="store_true",
                       help="list chapter 07's variants, their tasks and sizes, and stop")
    parser.add_argument("--study", default="cpu", choices=tuple(variant_specs.STUDIES),
                        help="how much of the variants' design to run (default: cpu, the "
                             "chapter's; full: 8 seeds, 3 strengths each, every task)")
    parser.add_argument("--metric", action="append", choices=METRICS, default=None,
                        help=f"metric to summarise (repeatable; default: {DEFAULT_METRICS})")
    parser.add_argument("--cache-dir", default=None,
                        help="cache folder (default: $ESSAY_CACHE_DIR or <repo>/.cache/sweeps)")
    parser.add_argument("--recompute", action="store_true",
                        help="ignore cached records and weights (they are rewritten)")
    parser.add_argument("--seeds", type=int, default=None,
                        help="number of seeds 0..N-1 (default: the experiment's)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="training epochs (default: the experiment's)")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda", "auto"))
    parser.add_argument("--threads", type=int, default=None,
                        help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def _cell(row: dict) -> str:
    if row["n"] == 0 or not math.isfinite(row["mean"]):
        return "n/a"
    return f"{row['mean']:.4g} [{row['low']:.4g}, {row['high']:.4g}]"


def format_table(records: list[dict], metrics) -> str:
    """Text table: regularizer, strength, n and 'mean [low, high]' per metric (95%, bootstrap)."""
    columns = {m: stats.summarize(records, metric=m, seed=0) for m in metrics}
    first = columns[metrics[0]]
    header = ["regularizer", "strength", "n", *[f"{m} [95% CI]" for m in metrics]]
    rows = [[regularizer_label(r["regularizer"]) if r["regularizer"] != "none" else "none",
             f"{r['strength']:g}", str(r["n"]), *[_cell(columns[m][i]) for m in metrics]]
            for i, r in enumerate(first)]
    widths = [max(len(line[c]) for line in [header, *rows]) for c in range(len(header))]
    lines = ["  ".join(text.ljust(w) for text, w in zip(line, widths, strict=True)).rstrip()
             for line in [header, *rows]]
    return "\n".join(lines)


def _study(args) -> variant_specs.Study:
    study = variant_specs.STUDIES[args.study]
    return study.replace(seeds=tuple(range(args.seeds))) if args.seeds else study


def list_variants(study: variant_specs.Study) -> str:
    """One line per variant of ``study``: name, what it varies, tasks, networks; then the
    pending recipes with their reasons."""
    lines = [f"{v.name:<16} {v.group:<15} {v.n_members:>4} networks  {', '.join(v.tasks)}"
             for v in variant_specs.beyond_variants(study)]
    lines += [f"{p.name:<16} pending: {p.reason}" for p in variant_specs.pending_variants(study)]
    return "\n".join(lines)


def _resized(spec, changes: dict):
    """``spec`` with ``changes``; a new ``epochs`` moves the early-stopping path with it."""
    if "epochs" in changes and "early_stop" in spec.grid_dict:
        changes = {**changes, "grid": {**spec.grid_dict,
                                       "early_stop": early_stop_epochs(changes["epochs"])}}
    return spec.replace(**changes)


def _selected(args) -> list[tuple[str, object]]:
    """(label, SweepSpec) of every sweep the arguments name."""
    changes = {"epochs": args.epochs} if args.epochs else {}
    if args.variant or args.variants:
        chosen = variant_specs.beyond_variants(_study(args), names=args.variant)
        missing = sorted(set(args.variant or ()) - {v.name for v in chosen})
        if missing:
            raise SystemExit(f"variant {missing[0]!r} cannot run here: "
                             + next(p.reason for p in variant_specs.pending_variants()
                                    if p.name == missing[0]))
        out = [(v.name, s.replace(**changes)) for v in chosen for s in v.experiment
               if args.task is None or s.task == args.task]
        if not out:
            raise SystemExit(f"none of the chosen variants runs on task {args.task!r}")
        return out
    experiment = essay_experiment()
    if args.seeds:
        changes["seeds"] = tuple(range(args.seeds))
    if changes:
        experiment = ExperimentSpec(tuple(_resized(s, changes) for s in experiment))
    if not args.all:
        if args.task not in experiment.tasks:
            raise SystemExit(f"chapter 05's experiment has no task {args.task!r} (tasks: "
                             f"{', '.join(experiment.tasks)}); use --variant(s) for it")
        experiment = experiment.only(args.task)
    return [("", s) for s in experiment]


def _verdict_table(runs: list[tuple[str, dict]], study: variant_specs.Study) -> str:
    from essay_lib.report import beyond_verdict as variant_report

    by_name: dict[str, list] = {}
    for name, records in runs:
        by_name.setdefault(name, []).extend(records)
    variants = [v for v in variant_specs.beyond_variants(study) if v.name in by_name]
    return variant_report.variants_markdown(variant_report.variant_verdicts(by_name, variants))


def run(args: argparse.Namespace) -> int:
    """Run the sweep(s) named by ``args`` and print one summary table per task."""
    for name, value in (("--seeds", args.seeds), ("--epochs", args.epochs),
                        ("--threads", args.threads)):
        if value is not None and value < 1:
            raise SystemExit(f"{name} must be a positive integer, got {value}")
    if args.list_variants:
        print(list_variants(_study(args)))
        return 0
    if not (args.task or args.all or args.variant or args.variants):
        raise SystemExit("name what to run: --task, --all, --variant NAME or --variants")
    if args.all and args.task:
        raise SystemExit("--all runs every task; drop --task")
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    selected = _selected(args)
    metrics = tuple(args.metric) if args.metric else DEFAULT_METRICS
    total = time.perf_counter()
    runs = []
    for label, spec in selected:
        start = time.perf_counter()
        records = run_sweep(spec, cache_dir=args.cache_dir, use_cache=not args.recompute,
                            device=args.device, progress=False if args.quiet else None)
        runs.append((label, records))
        print(f"\n{label + ' · ' if label else ''}{spec.task}: {len(records)} members, "
              f"{spec.architecture} hidden={tuple(spec.hidden)}, {spec.optimizer}, "
              f"epochs={spec.epochs}, {len(spec.seeds)} seeds "
              f"({time.perf_counter() - start:.1f} s)")
        print(format_table(records, metrics))
    if len(selected) > 1:
        print(f"\ntotal: {time.perf_counter() - total:.1f} s")
    if args.variant or args.variants:
        print("\nChapter 07's verdict per variant and task:\n")
        print(_verdict_table(runs, _study(args)))
    return 0
