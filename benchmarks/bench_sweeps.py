"""Speed of the batched trainer (essay_lib.nets.ensemble) against a loop of nn.Modules.

Three workloads, all with dropout and Adam (issues 4, 11.6 and 14.2, "Speed"):

* small: K=64 members of 1->64->64->1, full batch of 20 points, 300 steps
  (the chapter 05 regime, dominated by per-call overhead);
* large: K=32 members of 2->256->256->1, mini-batches of 256 out of 2048
  points, 200 steps (compute-bound);
* conv: K=32 CNNs 40->(8, 16 channels)->10 (MNIST-1D's shape: 1-D convolutions,
  stride 2), mini-batches of 32 out of 512 signals, 80 steps; batched as one grouped
  convolution with autograd (:mod:`essay_lib.nets.stacked`).

The loop baseline trains separate ``make_mlp``/``make_cnn`` models with
``torch.optim.Adam`` and autograd, the way :func:`essay_lib.nets.training.train_model`
does (without its per-epoch evaluation).  The MLP workloads are also trained by the
batched engine's autograd path (``train_ensemble(..., backward="autograd")``: the
stacked parameters as one leaf, autograd through the batched forward, the same
``torch.optim`` update), the baseline of the hand-written backward pass.  All sides are
timed in alternating rounds (the best round counts) and reported per member-step,
scaled to the workload: the loop on a few models (its cost is linear in their number),
the large workload on 40-step runs (the batched runs include building the model and
the final evaluation).  The matmul rate is that of ``torch.mm`` on 1024x1024 float32
matrices, measured in the same run; the trainer's FLOPs are counted as 6 x parameters
x batch per member-step.

Decisions this benchmark backs (see also :mod:`essay_lib.nets.flat_optim`):

* the hand-written backward pass of the MLP is kept because it is faster than the
  batched autograd path (``hand_vs_autograd``, autograd time / hand-written time on the
  small workload): 2.1-2.4x (once 4.9x) in alternating isolated runs on the project's
  shared 2-core machine, but only 1.5x and 1.0x in two full runs of this script at load
  averages 5-11, where every timing swung by up to 10x; and the autograd path, equal
  to float rounding but not bit for bit, would move chapter 05's numbers (its chaotic
  runs amplify rounding).  Re-measure on a quiet machine before changing this; the
  residual MLP and the CNN use autograd;
* the optimizer step no longer calls the private ``torch._fused_adam_``: it is
  ``torch.optim.Adam(fused=True)`` on the flat buffer where the device supports it
  (the same kernel, so the numbers did not change), PyTorch's default Adam otherwise.

The last lines are machine-readable: ``speedup_small: <x>``, ``speedup_large: <x>``,
``fraction_of_matmul: <x>``, ``hand_vs_autograd: <x>``, ``hand_vs_autograd_large: <x>``,
``speedup_conv: <x>``.

Usage: ``.venv/bin/python benchmarks/bench_sweeps.py [--threads 2]``
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch
from torch.nn import functional as F

from essay_lib.nets import architectures, ensemble, models, training

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


def batched_time(widths, K, X, y, steps, batch_size, **options) -> float:
    """Seconds for :func:`essay_lib.nets.ensemble.train_ensemble` to train K members
    ``steps`` steps (including building the model and the final evaluation); ``options``
    go to it (``backward="autograd"``, ``architecture="cnn"``, ``kind=...``)."""
    members = [ensemble.Member(seed=s, drop_rate=DROP_RATE, lr=1e-3) for s in range(K)]
    per_epoch = -(-len(X) // (batch_size or len(X)))
    start = time.perf_counter()
    ensemble.train_ensemble(widths, members, X, y, epochs=steps // per_epoch,
                            batch_size=batch_size, progress=False, **options)
    return time.perf_counter() - start


def cnn_loop_time(widths, n_models, X, y, steps, batch_size) -> float:
    """Seconds to train ``n_models`` separate CNNs one after another with autograd + Adam."""
    X_t, y_t = torch.as_tensor(X), torch.as_tensor(y)
    start = time.perf_counter()
    for seed in range(n_models):
        model = architectures.make_cnn(widths, drop_rates=(DROP_RATE,) * (len(widths) - 2),
                                       seed=seed)
        model.train()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        gen = torch.Generator().manual_seed(seed)
        done = 0
        while done < steps:
            for idx in training.batch_indices(len(X_t), batch_size, gen):
                loss = F.cross_entropy(model(X_t[idx]), y_t[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                done += 1
                if done == steps:
                    break
    return time.perf_counter() - start


def conv_workload(K=32, widths=(40, 8, 16, 10), n=512, steps=80, batch_size=32, *,
                  loop_models=4, rounds=3, budget_s=40.0):
    """Per member-step seconds of the CNN loop and of the batched CNN (alternating rounds,
    the best of each counts)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, widths[0])).astype(np.float32)
    y = rng.integers(0, widths[-1], size=n)
    options = dict(architecture="cnn", kind="classification")
    batched_time(widths, 2, X, y, n // batch_size, batch_size, **options)
    cnn_loop_time(widths, 1, X, y, 2, batch_size)
    per_batched = per_loop = np.inf
    deadline = time.perf_counter() + budget_s
    for _ in range(rounds):
        if per_loop < np.inf and time.perf_counter() > deadline:
            break
        per_batched = min(per_batched, batched_time(widths, K, X, y, steps, batch_size,
                                                    **options) / (K * steps))
        per_loop = min(per_loop, cnn_loop_time(widths, loop_models, X, y, steps, batch_size)
                       / (loop_models * steps))
    print(f"conv: K={K} widths={widths} n={n} batch={batch_size} steps={steps}")
    print(f"  loop    {per_loop * 1e3:8.3f} ms per model-step  -> {per_loop * K * steps:7.2f} s "
          f"for the workload ({loop_models} models x {steps} steps timed per round)")
    print(f"  batched {per_batched * 1e3:8.3f} ms per member-step -> {per_batched * K * steps:7.2f}"
          f" s (one grouped convolution per layer, autograd)")
    return per_loop, per_batched


def workload(name, widths, K, n, steps, batch_size, *, loop_models, round_steps, rounds,
             budget_s=40.0):
    """Per member-step seconds of the loop and of the batched trainer, scaled to the workload.

    ``rounds`` alternating rounds of ``round_steps`` steps each (the batched trainer on
    all K members, the loop on ``loop_models`` models); the best round of each counts,
    so a burst of load from other processes hurts neither side more than the other.
    No round starts after ``budget_s`` seconds.
    """
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(n, widths[0])).astype(np.float32)
    y = (X ** 2).sum(axis=1, keepdims=True).astype(np.float32)
    warm = -(-n // (batch_size or n))
    batched_time(widths, min(K, 4), X, y, warm, batch_size)
    loop_time(widths, 1, X, y, warm, batch_size)
    batched_time(widths, min(K, 4), X, y, warm, batch_size, backward="autograd")
    per_batched, per_loop, per_autograd = np.inf, np.inf, np.inf
    deadline = time.perf_counter() + budget_s
    for _ in range(rounds):
        if per_loop < np.inf and time.perf_counter() > deadline:
            break  # a busy machine: keep the whole run near its two-minute budget
        per_batched = min(per_batched, batched_time(widths, K, X, y, round_steps, batch_size)
                          / (K * round_steps))
        per_autograd = min(per_autograd, batched_time(widths, K, X, y, round_steps, batch_size,
                                                      backward="autograd") / (K * round_steps))
        per_loop = min(per_loop, loop_time(widths, loop_models, X, y, round_steps, batch_size)
                       / (loop_models * round_steps))
    params = sum(a * b + b for a, b in zip(widths[:-1], widths[1:], strict=True))
    flop_rate = 6 * params * (batch_size or n) / per_batched
    print(f"{name}: K={K} widths={widths} n={n} batch={batch_size or n} steps={steps}")
    print(f"  loop    {per_loop * 1e3:8.3f} ms per model-step  -> {per_loop * K * steps:7.2f} s "
          f"for the workload ({loop_models} models x {round_steps} steps timed per round)")
    print(f"  batched {per_batched * 1e3:8.3f} ms per member-step -> {per_batched * K * steps:7.2f}"
          f" s ({flop_rate / 1e9:.1f} GFLOP/s; {round_steps}-step runs)")
    print(f"  autograd {per_autograd * 1e3:7.3f} ms per member-step -> "
          f"{per_autograd * K * steps:7.2f} s (the batched engine's autograd path)")
    return per_loop, per_batched, flop_rate, per_autograd


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: all)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating timing rounds")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    start = time.perf_counter()
    rates = [matmul_rate()]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}; matmul 1024^2 float32: "
          f"{rates[0] / 1e9:.1f} GFLOP/s")
    small_loop, small_batched, _, small_autograd = workload(
        "small", (1, 64, 64, 1), 64, 20, 300, None, loop_models=8, round_steps=300,
        rounds=args.rounds)
    rates.append(matmul_rate())
    large_loop, large_batched, flop_rate, large_autograd = workload(
        "large", (2, 256, 256, 1), 32, 2048, 200, 256, loop_models=4, round_steps=40,
        rounds=args.rounds)
    rates.append(matmul_rate())
    conv_loop, conv_batched = conv_workload(rounds=args.rounds)
    rate = max(rates)
    print(f"matmul rate: {', '.join(f'{r / 1e9:.1f}' for r in rates)} GFLOP/s "
          f"(before, between and after the workloads; the fraction uses the best)")
    print(f"total time {time.perf_counter() - start:.1f} s; load average now "
          f"{os.getloadavg()[0]:.2f} (other processes slow both sides, the loop most)")
    print(f"speedup_small: {small_loop / small_batched:.2f}")
    print(f"speedup_large: {large_loop / large_batched:.2f}")
    print(f"fraction_of_matmul: {flop_rate / rate:.3f}")
    print(f"hand_vs_autograd: {small_autograd / small_batched:.2f}")
    print(f"hand_vs_autograd_large: {large_autograd / large_batched:.2f}")
    print(f"speedup_conv: {conv_loop / conv_batched:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
