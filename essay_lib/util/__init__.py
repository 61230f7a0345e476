"""The ground floor: argument checks, progress bars, paths and environment switches.

Imports numpy, tqdm and the standard library only; every other floor may use it.

* :mod:`~essay_lib.util.checks`: ``check_int``, ``check_number``, ``check_array``,
  ``check_choice``, ``check_drop_rate``, ... (one message style for bad arguments);
* :mod:`~essay_lib.util.progress`: ``progress_bar`` (tqdm; ``TQDM_DISABLE=1`` silences it);
* :mod:`~essay_lib.util.paths`: ``figures_dir``, ``cache_dir``, ``switch_on``,
  ``write_atomic`` and the names of the environment variables the package reads;
* :mod:`~essay_lib.util.session`: ``setup`` (thread count and seeds for reproducible numbers).
"""

from essay_lib.util import checks, paths, progress, session

__all__ = ["checks", "paths", "progress", "session"]
