"""A chapter's first call: reproducible numbers and the essay's figure style.

Every chapter calls :func:`setup` once, in its first code cell::

    from essay_lib.report import session
    rng = session.setup(seed=SEED)

It lives on the report floor because it sets the figure style
(:func:`essay_lib.report.plotting.set_style`) besides torch's threads and seed
(:func:`essay_lib.util.session.setup`, the ground floor's part, which tests and scripts
that draw nothing call directly).
"""

from __future__ import annotations

import numpy as np

from essay_lib.report.plotting.style import set_style
from essay_lib.util.session import DEFAULT_THREADS
from essay_lib.util.session import setup as session_setup

__all__ = ["setup"]


def setup(seed: int = 0, *, threads: int | None = DEFAULT_THREADS) -> np.random.Generator:
    """Prepare a notebook session: torch's thread count and seed
    (:func:`essay_lib.util.session.setup`, same arguments) and the figure style
    (:func:`essay_lib.report.plotting.set_style`); returns
    ``numpy.random.default_rng(seed)``."""
    rng = session_setup(seed, threads=threads)
    set_style()
    return rng
