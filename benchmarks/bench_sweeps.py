"""Speed of the batched trainer (essay_lib.ensemble) against a loop of nn.Modules.

Two workloads, both with dropout and Adam (issue 4, "Speed"):

* small: K=64 members of 1->64->64->1, full batch of 20 points, 300 steps
  (the chapter 04 regime, dominated by per-call overhead);
* large: K=32 members of 2->256->256->1, mini-batches of 256 out of 2048
  points, 200 steps (compute-bound).

The loop baseline trains separate ``make_mlp`` models with ``torch.optim.Adam``
and autograd, the way :func:`essay_lib.training.train_model` does (without its
per-epoch evaluation).  The loop for the large workload is timed on
``--loop-fraction`` of the members and scaled to K (its cost is linear in the
number of models).  The matmul rate is that of ``torch.mm`` on 1024x1024
float32 matrices, measured in the same run; the trainer's FLOPs are counted as
6 x parameters x batch per member-step.

The last three lines are machine-readable:
``speedup_small: <x>``, ``speedup_large: <x>``, ``fraction_of_matmul: <x>``.

Usage: ``.venv/bin/python benchmarks/bench_sweeps.py [--threads 2]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from torch.nn import functional as F

from essay_lib import ensemble, models, training

DROP_RATE = 0.5


def matmul_rate(size: int = 1024, repeats: int = 20) -> float:
    """Best-of-3 FLOP/s of ``torch.mm`` on (size, size) float32 matrices."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    out = torch.empty(size, size)
    torch.mm(a, b, out=out)
    best = np.inf
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(repeats):
            torch.mm(a, b, out=out)
        best = min(best, time.perf_counter() - start)
    return 2 * size ** 3 * repeats / best


def loop_time(widths, n_models, X, y, steps, batch_size) -> float:
    """Seconds to train ``n_models`` separate MLPs one after another with autograd + Adam."""
    X_t, y_t = torch.as_tensor(X), torch.as_tensor(y)
    start = time.perf_counter()
    for seed in range(n_models):
        model = models.make_mlp(widths[0], list(widths[1:-1]), widths[-1], drop_rate=DROP_RATE,
                                seed=seed)
        model.train()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        gen = torch.Generator().manual_seed(seed)
        done = 0
        while done < steps:
            for idx in training.batch_indices(len(X_t), batch_size, gen):
                loss = F.mse_loss(model(X_t[idx]), y_t[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                done += 1
                if done == steps:
                    break
    return time.perf_counter() - start


def batched_time(widths, K, X, y, steps, batch_size) -> float:
    """Seconds for :func:`essay_lib.ensemble.train_ensemble` to train K members ``steps`` steps."""
    members = [ensemble.Member(seed=s, drop_rate=DROP_RATE, lr=1e-3) for s in range(K)]
    per_epoch = -(-len(X) // (batch_size or len(X)))
    epochs = steps // per_epoch
    start = time.perf_counter()
    ensemble.train_ensemble(widths, members, X, y, epochs=epochs, batch_size=batch_size,
                            progress=False)
    return time.perf_counter() - start


def workload(name, widths, K, n, steps, batch_size, loop_fraction, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, widths[0])).astype(np.float32)
    y = (X ** 2).sum(axis=1, keepdims=True).astype(np.float32)
    batched_time(widths, min(K, 4), X, y, steps if batch_size is None else 2 * (n // batch_size),
                 batch_size)  # warm-up
    t_batched = batched_time(widths, K, X, y, steps, batch_size)
    n_loop = max(1, int(round(K * loop_fraction)))
    t_loop = loop_time(widths, n_loop, X, y, steps, batch_size) * K / n_loop
    params = sum(a * b + b for a, b in zip(widths[:-1], widths[1:], strict=False))
    flops = 6 * params * (batch_size or n) * K * steps
    print(f"{name}: K={K} widths={widths} n={n} batch={batch_size or n} steps={steps}")
    print(f"  loop    {t_loop:8.3f} s  ({t_loop / (K * steps) * 1e3:.3f} ms per model-step; "
          f"timed on {n_loop} of {K} models)")
    print(f"  batched {t_batched:8.3f} s  ({t_batched / (K * steps) * 1e3:.3f} ms per "
          f"member-step, {flops / t_batched / 1e9:.1f} GFLOP/s)")
    return t_loop, t_batched, flops


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: all)")
    parser.add_argument("--loop-fraction", type=float, default=0.25,
                        help="fraction of the large workload's models timed in the loop")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    start = time.perf_counter()
    rate = matmul_rate()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; "
          f"matmul 1024^2 float32: {rate / 1e9:.1f} GFLOP/s")
    small_loop, small_batched, _ = workload("small", (1, 64, 64, 1), 64, 20, 300, None, 1.0)
    large_loop, large_batched, flops = workload("large", (2, 256, 256, 1), 32, 2048, 200, 256,
                                                args.loop_fraction)
    rate_after = matmul_rate()
    print(f"matmul rate after the workloads: {rate_after / 1e9:.1f} GFLOP/s "
          f"(the fraction uses the mean of both)")
    fraction = flops / large_batched / ((rate + rate_after) / 2)
    print(f"total time {time.perf_counter() - start:.1f} s")
    print(f"speedup_small: {small_loop / small_batched:.2f}")
    print(f"speedup_large: {large_loop / large_batched:.2f}")
    print(f"fraction_of_matmul: {fraction:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
