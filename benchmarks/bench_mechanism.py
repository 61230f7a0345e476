"""Cost of chapter 06's sweeps (essay_lib.experiment.mechanism), cold and warm, in one run.

With an empty sweep cache in a temporary folder, this first builds what chapter 06 reads
from chapter 05 (its experiment and chapter 04's validity cells: not timed, ``make essay``
has built them by the time chapter 06 runs), then times:

* ``variants_cold``: the two-hidden-layer variants (Gaussian dropout, explicit penalty,
  first / last layer only) at the mechanism's drop rates, on the tasks where Z̄ is valid,
  trained and measured;
* ``one_layer_cold``: the one-hidden-layer sweep and its validity cells;
* ``warm``: both read back from the cache;
* ``answer``: the tests of :mod:`essay_lib.report.mechanism_tests` on the records.

The last lines are machine-readable: ``<name>_s: <seconds>`` and ``cold_over_warm: <x>``.
Run: ``python benchmarks/bench_mechanism.py`` (about two minutes on the 2-core machine).
"""

from __future__ import annotations

import tempfile
import time

from essay_lib import experiment
from essay_lib.report import session, validity_report
from essay_lib.report.sentences import mechanism_tests_of


def _timed(function):
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


def main() -> None:
    session.setup(seed=0)
    with tempfile.TemporaryDirectory() as cache:
        run = {"cache_dir": cache, "progress": False}
        spec = experiment.essay_experiment()
        experiment.run_experiment(spec, **run)
        cells = validity_report.main_cells(experiment.validity.validity_table(spec, **run))
        tasks = [t for t in spec.tasks if cells[t].valid]
        variants = experiment.mechanism.variant_experiment(tasks=tasks)
        one_layer = experiment.mechanism.one_layer_experiment(tasks=tasks)
        _, variants_cold = _timed(lambda: experiment.run_experiment(variants, **run))
        _, one_cold = _timed(lambda: (experiment.run_experiment(one_layer, **run),
                                      experiment.validity.validity_table(one_layer, **run)))
        _, warm = _timed(lambda: (experiment.run_experiment(variants, **run),
                                  experiment.run_experiment(one_layer, **run)))
        _, answer = _timed(lambda: mechanism_tests_of(**run))
    print(f"tasks read: {', '.join(tasks)}")
    for name, value in (("variants_cold", variants_cold), ("one_layer_cold", one_cold),
                        ("warm", warm), ("answer", answer)):
        print(f"{name}_s: {value:.1f}")
    print(f"cold_over_warm: {(variants_cold + one_cold) / warm:.1f}")


if __name__ == "__main__":
    main()
