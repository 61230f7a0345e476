"""essay_lib: the companion package of the executable essay "Dropout and Linearity".

The science is a house of floors (DESIGN.md §7); a floor imports only the floors below it,
and contracts in ``pyproject.toml`` (import-linter) say so:

=================  ==============================================================
``cli``            the command line (``python -m essay_lib build|sweep``)
``report``         statistics, verdicts, tables, figures, widgets, vocabulary,
                   a chapter's set-up (:func:`essay_lib.report.session.setup`)
``experiment``     the experiment spec, sweeps, per-network metrics, the cache,
                   every loop over configurations and seeds
``measures``       linearity (Z, Z̄, H, ...), linear pieces, sub-network additivity,
                   dropout's checks, polynomials, gates, the penalties' geometry
``nets``           models, penalties, dropout, training, the batched ensemble
``data``           the offline tasks
``util``           argument checks, progress bars, paths and switches, bootstrap
=================  ==============================================================

Beside the science stands ``site``, the publishing stack (execute the notebooks, render
the HTML site): it imports only ``util``, and no floor of the science imports it; only
``cli`` uses both.  This package root imports only ``util`` (its version).

Import what you need, e.g. ``from essay_lib import data`` or
``from essay_lib.report import plotting``.  A chapter's first cell calls
``session.setup(seed=SEED)`` (``from essay_lib.report import session``) once.
"""

from essay_lib.util.version import VERSION as __version__

__all__ = ["__version__"]
