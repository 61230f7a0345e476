"""Progress bars for long work: tqdm, auto-detecting notebook vs terminal.

``enabled=None`` (the default everywhere in ``essay_lib``) shows the bar unless
the environment variable ``ESSAY_PROGRESS`` is ``"0"``; the site build sets it
so the rendered pages carry no bars.  ``enabled=False`` always silences it.
"""

from __future__ import annotations

import os

from tqdm.auto import tqdm


def progress_enabled(enabled: bool | None = None) -> bool:
    """Resolve ``enabled``: an explicit bool wins, else ``$ESSAY_PROGRESS != "0"``."""
    if enabled is not None:
        return bool(enabled)
    return os.environ.get("ESSAY_PROGRESS", "1") != "0"


def progress_bar(iterable=None, *, enabled: bool | None = None, **kwargs) -> tqdm:
    """``tqdm.auto.tqdm(iterable, **kwargs)``, disabled when :func:`progress_enabled` says so."""
    kwargs.setdefault("leave", False)
    return tqdm(iterable, disable=not progress_enabled(enabled), **kwargs)
