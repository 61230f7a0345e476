"""Run the chapters' executions on a few workers, each chapter after the chapters it reads.

A chapter *needs* another when it reads what that one computes: a sweep it trained into
the cache, or a sentence it wrote into the figures folder (:data:`CHAPTER_NEEDS`).  Run
one after the other, a chapter that needs another would find its work done; run side by
side too early, it would redo that work (the sweep cache writes atomically, so the
numbers would be the same, only the time lost).  :func:`run_ordered` starts a chapter only
when everything it needs has finished, and keeps ``jobs`` chapters running at once.

Why run chapters side by side at all: a chapter's kernel spends much of its time in
Python (imports, statistics, figures) on one core, so a second chapter fills the other
core of a 2-core laptop.  Each kernel keeps the thread count its chapter sets
(:func:`essay_lib.report.session.setup`), so the numbers do not depend on ``jobs``.

One catch, measured: torch's OpenMP threads *spin* while they wait for work.  Two kernels
of 2 threads each on 2 cores then spin against each other, and a sweep that takes 10 s
alone took 78 s each side by side.  With ``OMP_WAIT_POLICY=PASSIVE`` (waiting threads
sleep) the same pair took 17.5 s each, 8.8 s a sweep.  So the build gives its kernels that
setting whenever it runs more than one at once (:data:`SIDE_BY_SIDE_WAIT_POLICY`); it
changes how threads wait, not what they compute, so it is not part of the execution key.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

__all__ = ["CHAPTER_NEEDS", "DEFAULT_JOBS", "SIDE_BY_SIDE_WAIT_POLICY", "WAIT_POLICY_ENV",
           "dependents", "needs_of", "run_ordered"]

#: Chapters run at once by default: two (the 2-core laptop the essay is sized for).
DEFAULT_JOBS = 2

#: The OpenMP setting given to kernels that run side by side (see the module docstring).
WAIT_POLICY_ENV, SIDE_BY_SIDE_WAIT_POLICY = "OMP_WAIT_POLICY", "PASSIVE"

#: chapter stem -> the chapters whose results it reads.  05 reads chapter 04's validity
#: cells; 06, 07 and the appendix train on (or read) chapter 05's experiment; 08 and the
#: appendix read the sentences 05, 06 and 07 write into the figures folder.
CHAPTER_NEEDS: dict[str, tuple[str, ...]] = {
    "05_experiment": ("04_linearity_measure",),
    "06_mechanism": ("05_experiment",),
    "07_beyond": ("05_experiment",),
    "08_conclusion": ("05_experiment", "06_mechanism", "07_beyond"),
    "A_appendix": ("05_experiment", "06_mechanism", "07_beyond"),
}


def needs_of(items: Sequence[Hashable], needs: Mapping) -> dict:
    """Item -> the items of ``items`` it needs (``needs`` entries outside ``items`` are
    dropped: a chapter not built this time is taken as done).  Raises ``ValueError`` on a
    cycle, naming an item on it."""
    present = set(items)
    kept = {item: tuple(n for n in needs.get(item, ()) if n in present) for item in items}
    state: dict = {}

    def visit(item, path):
        if state.get(item) == "done":
            return
        if state.get(item) == "open":
            raise ValueError(f"needs: {item!r} needs itself through {' -> '.join(map(str, path))}")
        state[item] = "open"
        for other in kept[item]:
            visit(other, (*path, other))
        state[item] = "done"

    for item in items:
        visit(item, (item,))
    return kept


def dependents(items: Sequence[Hashable], needs: Mapping) -> dict:
    """Item -> how many items need it, directly or through others (the scheduler starts
    the items that most others wait for first)."""
    kept = needs_of(items, needs)
    above: dict = {item: set() for item in items}
    for item in items:  # items are few: a walk from each is enough
        stack = list(kept[item])
        while stack:
            other = stack.pop()
            if item not in above[other]:
                above[other].add(item)
                stack.extend(kept[other])
    return {item: len(above[item]) for item in items}


def run_ordered(items: Sequence[Hashable], work: Callable, *, needs: Mapping | None = None,
                jobs: int = DEFAULT_JOBS) -> dict:
    """``{item: work(item)}`` for every item, with at most ``jobs`` calls running at once
    and each item started only after every item it ``needs`` has returned.

    Of the items ready to start, the one that most others need (:func:`dependents`) goes
    first, then the earliest in ``items``.  When a call raises, no new item starts, the
    running ones finish, and the first exception is raised again.  ``jobs=1`` runs the
    items one by one in that order, in this thread.
    """
    if isinstance(jobs, bool) or not isinstance(jobs, int):
        raise TypeError(f"jobs must be an int, got {type(jobs).__name__}")
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    items = list(items)
    kept = needs_of(items, needs or {})
    rank = dependents(items, kept)
    order = {item: i for i, item in enumerate(items)}
    results: dict = {}
    pending = set(items)

    def next_ready(done):
        ready = [i for i in pending if all(n in done for n in kept[i])]
        return min(ready, key=lambda i: (-rank[i], order[i])) if ready else None

    if jobs == 1:
        while pending:
            item = next_ready(results)
            pending.discard(item)
            results[item] = work(item)
        return {item: results[item] for item in items}

    running: dict[Future, Hashable] = {}
    error: BaseException | None = None
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        while pending or running:
            while error is None and len(running) < jobs:
                item = next_ready(results)
                if item is None:
                    break
                pending.discard(item)
                running[pool.submit(work, item)] = item
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                item = running.pop(future)
                if future.exception() is not None:
                    error = error or future.exception()
                else:
                    results[item] = future.result()
            if error is not None and not running:
                break
    if error is not None:
        raise error
    return {item: results[item] for item in items}
