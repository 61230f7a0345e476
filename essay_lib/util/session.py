"""Reproducible numbers in one call: torch's thread count and seeded generators.

Floating-point sums depend on how work is split between threads, so a number computed
on 2 threads can differ in its last digits from the same number on 16.  Every chapter
calls :func:`essay_lib.report.session.setup` (which calls :func:`setup` here and sets the
figure style) once, in its first cell, so its pages come out the same on any machine;
tests that compare floats fix the thread count the same way (``tests/conftest.py``).
"""

from __future__ import annotations

import numpy as np

from essay_lib.util.checks import check_int, check_seed

#: torch CPU threads used by the essay's chapters (the 2-core laptop of the README)
DEFAULT_THREADS = 2


def setup(seed: int = 0, *, threads: int | None = DEFAULT_THREADS) -> np.random.Generator:
    """Fix torch's CPU thread count and seed its global stream; return a numpy Generator.

    ``seed`` (>= 0) seeds ``torch.manual_seed`` and the returned
    ``numpy.random.default_rng(seed)``; ``threads``: torch CPU threads (``None`` leaves
    torch's choice, which depends on the machine).  Functions of ``essay_lib`` take their
    own seeds and never read torch's global stream; this only guards code written in a
    notebook by a reader.
    """
    seed = check_seed("seed", seed)
    import torch

    if threads is not None:
        threads = check_int("threads", threads, minimum=1)
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
    torch.manual_seed(seed)
    return np.random.default_rng(seed)
