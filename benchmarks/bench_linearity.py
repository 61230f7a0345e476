"""Benchmark of essay_lib.measures.linearity on an MLP 64 -> 256 -> 256 -> 10 (issue 3).

Targets (2 CPU threads): ``z_bar`` with 10,000 triples < 1 s and ``jacobian_norm``
on 1,000 points < 1 s.  Each figure is the best of ``--repeats`` timed runs after
one warm-up run; the last lines are machine-readable ``name: value``.

    .venv/bin/python benchmarks/bench_linearity.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from essay_lib.measures import linearity
from essay_lib.nets.models import make_mlp

TARGET_SECONDS = 1.0


def best_time(call, repeats: int) -> float:
    call()  # warm-up: first-call allocations and library initialisation
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per figure (best kept)")
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    model = make_mlp(64, [256, 256], 10, seed=0)
    X = np.random.default_rng(0).normal(size=(2000, 64))
    figures = {
        "z_bar_seconds": best_time(
            lambda: linearity.z_bar(model, X, n_triples=10_000, seed=0), args.repeats),
        "jacobian_norm_seconds": best_time(
            lambda: linearity.jacobian_norm(model, X[:1000]), args.repeats),
        "count_linear_pieces_seconds": best_time(
            lambda: linearity.count_linear_pieces(model, X[0], X[1]), args.repeats),
    }
    for name, seconds in figures.items():
        print(f"{name}: {seconds:.3f}")
    slow = [name for name in ("z_bar_seconds", "jacobian_norm_seconds")
            if figures[name] >= TARGET_SECONDS]
    print(f"within_target: {not slow}")
    return 1 if slow else 0


if __name__ == "__main__":
    raise SystemExit(main())
