"""essay_lib: the companion package of the executable essay "Dropout and Linearity".

The package is a house of floors (DESIGN.md §7); a floor imports only the floors
below it, and a contract in ``pyproject.toml`` (import-linter) says so:

=================  ==============================================================
``cli``            the command line (``python -m essay_lib build|sweep``)
``site``           execute the notebooks, render the HTML site
``report``         statistics, verdicts, tables, figures, widgets, vocabulary
``experiment``     the experiment spec, sweeps, per-network metrics, the cache
``measures``       linearity (Z, Z̄, H, ...), linear pieces, polynomials, gates
``nets``           models, regularization, dropout, training, the batched ensemble
``data``           the offline tasks
``util``           argument checks, progress bars, paths and switches, bootstrap
=================  ==============================================================

Import what you need, e.g. ``from essay_lib import data`` or
``from essay_lib.report import plotting``.  A chapter's first cell calls
:func:`setup` once.
"""

from essay_lib.util.version import VERSION as __version__

__all__ = ["__version__", "setup"]


def setup(seed: int = 0, *, threads: int | None = 2):
    """Prepare a notebook session: torch threads and seed (see
    :func:`essay_lib.util.session.setup`) and the figure style; returns
    ``numpy.random.default_rng(seed)``."""
    from essay_lib.report.plotting import set_style
    from essay_lib.util.session import setup as session_setup

    rng = session_setup(seed, threads=threads)
    set_style()
    return rng
