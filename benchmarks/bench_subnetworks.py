"""Benchmark of the sub-network measures (issue 13): Z_mask and the MC gap of every network
of chapter 05's experiment, as a cold sweep computes them.

The networks have chapter 05's architecture on each task (widths and test inputs of
``essay_experiment()``, as many members as its grid × seeds) with their initial weights:
the cost does not depend on the weights, and no training or cache is needed.  Target:
at most 20 s for all of them.  The loop line times the same measure one draw at a time
(four masked passes per draw, on a few members) and prints how many times faster the
batched version is.  Machine-readable ``name: value`` lines.

    .venv/bin/python benchmarks/bench_subnetworks.py
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from essay_lib.data import load_task
from essay_lib.experiment import essay_experiment
from essay_lib.experiment.metrics import mask_metrics
from essay_lib.experiment.train import widths_of
from essay_lib.measures import subnetworks
from essay_lib.nets.ensemble import BatchedMLP

TARGET_SECONDS = 20.0


def loop_seconds_per_member(model: BatchedMLP, X: np.ndarray, measures, n_members: int) -> float:
    """Z_mask of ``n_members`` members, one draw (four masked passes) at a time."""
    widths = model.widths[1:-1]
    sets = subnetworks.draw_mask_sets(widths, len(X), measures.mask_draws,
                                      keep_prob=measures.mask_keep_prob,
                                      set_fraction=measures.mask_set_fraction,
                                      layers=measures.mask_layers, seed=0)
    masks = sets.stacked() / measures.mask_keep_prob
    start = time.perf_counter()
    for k in range(n_members):
        net = model.member(k)
        num = den = 0.0
        for d in range(len(sets.points)):
            x = X[sets.points[d]][None]
            f0, fa, fb, fab = subnetworks.masked_outputs(net, x, masks[:, d])[:, 0]
            num += np.linalg.norm(fab - fa - fb + f0)
            den += sum(np.linalg.norm(t - f0) for t in (fa, fb, fab))
    return (time.perf_counter() - start) / n_members


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loop-members", type=int, default=2,
                        help="members timed one draw at a time (the loop baseline)")
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    total, n_networks, batched_per_member, loop_per_member = 0.0, 0, [], []
    for sweep in essay_experiment():
        task = load_task(sweep.task, **sweep.task_kwargs)
        model = BatchedMLP(widths_of(sweep, task), range(sweep.n_members))
        start = time.perf_counter()
        mask_metrics(model, task, sweep.measures)
        seconds = time.perf_counter() - start
        print(f"z_mask_seconds_{sweep.task}: {seconds:.3f}  ({sweep.n_members} networks)")
        total += seconds
        n_networks += sweep.n_members
        batched_per_member.append(seconds / sweep.n_members)
        loop_per_member.append(loop_seconds_per_member(
            model, task.X_test.astype(np.float64), sweep.measures, args.loop_members))
    print(f"networks: {n_networks}")
    print(f"z_mask_seconds_all_networks: {total:.3f}")
    print(f"z_mask_target_seconds: {TARGET_SECONDS:.0f}")
    ratio = float(np.mean(np.array(loop_per_member) / np.array(batched_per_member)))
    print(f"z_mask_loop_over_batched_ratio: {ratio:.1f}  (Z_mask only in the loop; the batched "
          f"time includes the MC gap)")
    return 0 if total <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
