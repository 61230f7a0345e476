"""``python -m essay_lib sweep``: run or complete chapter 04's cached sweep, print a summary.

Examples::

    python -m essay_lib sweep --task diabetes
    python -m essay_lib sweep --all --metric test_loss --metric z_bar
    python -m essay_lib sweep --task moons --seeds 2 --epochs 50 --cache-dir /tmp/c
    python -m essay_lib sweep --all --device cuda

Each table row is one (regularizer, strength): the number of seeds and, per
metric, the mean over seeds with its 95% percentile bootstrap interval.
``--seeds`` and ``--epochs`` change the experiment's spec (a different experiment,
cached under different keys).
"""

from __future__ import annotations

import argparse
import math
import time

from essay_lib.experiment import essay_experiment, run_sweep
from essay_lib.experiment.metrics import METRICS
from essay_lib.report import stats
from essay_lib.report.vocabulary import regularizer_label

DEFAULT_METRICS = ("test_loss", "z_bar", "jacobian_norm")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the ``sweep`` command."""
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--task", choices=essay_experiment().tasks,
                       help="the task whose sweep to run")
    which.add_argument("--all", action="store_true", help="run every task's sweep")
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


def run(args: argparse.Namespace) -> int:
    """Run the sweep(s) named by ``args`` and print one summary table per task."""
    for name, value in (("--seeds", args.seeds), ("--epochs", args.epochs),
                        ("--threads", args.threads)):
        if value is not None and value < 1:
            raise SystemExit(f"{name} must be a positive integer, got {value}")
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    experiment = essay_experiment()
    changes = {}
    if args.seeds:
        changes["seeds"] = tuple(range(args.seeds))
    if args.epochs:
        changes["epochs"] = args.epochs
    if changes:
        experiment = experiment.replace(**changes)
    if not args.all:
        experiment = experiment.only(args.task)
    metrics = tuple(args.metric) if args.metric else DEFAULT_METRICS
    total = time.perf_counter()
    for spec in experiment:
        start = time.perf_counter()
        records = run_sweep(spec, cache_dir=args.cache_dir, use_cache=not args.recompute,
                            device=args.device, progress=False if args.quiet else None)
        print(f"\n{spec.task}: {len(records)} members, hidden={tuple(spec.hidden)}, "
              f"epochs={spec.epochs}, {len(spec.seeds)} seeds "
              f"({time.perf_counter() - start:.1f} s)")
        print(format_table(records, metrics))
    if len(experiment) > 1:
        print(f"\ntotal: {time.perf_counter() - total:.1f} s")
    return 0
