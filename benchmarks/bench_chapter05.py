"""Benchmark of chapter 05 (the experiment) with an empty sweep cache (budget: 120 s).

Executes ``notebooks/05_experiment.py`` as the site build does (a fresh kernel,
2 torch threads from the chapter's ``essay_lib.report.session.setup``), first with an
empty temporary sweep cache (cold: it trains and measures every network), then again on
that cache (warm: the prose, statistics and figures alone).  Figures go to a temporary
folder, so the committed ``figures/`` are not touched.  Then it trains one task's sweep (digits,
160 networks) in one batched run and in the runs the engine uses on the CPU
(``experiment.train.members_per_run``), to show what the chunking buys.

The last lines are machine-readable ``name: value``; the ratios come from this one run.

    .venv/bin/python benchmarks/bench_chapter05.py [--skip-runs]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHAPTER = REPO / "notebooks" / "05_experiment.py"
BUDGET_SECONDS = 120.0


def execute_chapter(cache: Path, figures: Path) -> float:
    """Seconds to execute chapter 05 in a fresh kernel on the sweep cache ``cache``."""
    from essay_lib.site.execute import execute_notebook

    env = {**os.environ, "MPLBACKEND": "Agg", "ESSAY_STATIC": "1",
           "ESSAY_CACHE_DIR": str(cache), "ESSAY_FIGURES_DIR": str(figures)}
    start = time.perf_counter()
    execute_notebook(CHAPTER, cwd=CHAPTER.parent, env=env, timeout=1200)
    return time.perf_counter() - start


def training_runs(task_name: str = "digits") -> tuple[float, float, int]:
    """Seconds to train ``task_name``'s sweep of chapter 05 in one run and in the CPU's
    runs, and the run size."""
    import torch

    from essay_lib import data, experiment
    from essay_lib.experiment import train
    from essay_lib.util import session

    session.setup(seed=0)  # the chapter's threads and seed (it draws nothing here)
    spec = experiment.essay_experiment()[task_name]
    task = data.load_task(spec.task, **spec.task_kwargs)
    keys, cpu = spec.members(), torch.device("cpu")
    size = train.members_per_run(cpu)
    times = []
    for per_run in (len(keys), size):
        train.MEMBERS_PER_RUN["cpu"] = per_run
        start = time.perf_counter()
        train.train_members(spec, task, keys, device=cpu, progress=False)
        times.append(time.perf_counter() - start)
    train.MEMBERS_PER_RUN["cpu"] = size
    return times[0], times[1], size


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-runs", action="store_true",
                        help="skip the one-run vs chunked training comparison")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-ch05-") as tmp:
        cache, figures = Path(tmp) / "cache", Path(tmp) / "figures"
        cold = execute_chapter(cache, figures)
        warm = execute_chapter(cache, figures)
    print(f"chapter 05, empty sweep cache: {cold:.1f} s (budget {BUDGET_SECONDS:.0f} s)")
    print(f"chapter 05, warm cache:        {warm:.1f} s (training and measuring: "
          f"{cold - warm:.1f} s)")
    lines = {"cold_seconds": f"{cold:.1f}", "warm_seconds": f"{warm:.1f}",
             "cold_over_budget": f"{cold / BUDGET_SECONDS:.3f}",
             "within_budget": str(cold < BUDGET_SECONDS)}
    if not args.skip_runs:
        whole, chunked, size = training_runs()
        print(f"digits, 160 networks: one run {whole:.1f} s, runs of at most {size} "
              f"{chunked:.1f} s")
        lines["runs_speedup"] = f"{whole / chunked:.2f}"
    for name, value in lines.items():
        print(f"{name}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
