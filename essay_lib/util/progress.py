"""Progress bars for long work: tqdm, auto-detecting notebook vs terminal.

``enabled=None`` (the default everywhere in ``essay_lib``) shows the bar unless tqdm's
own environment variable ``TQDM_DISABLE`` is set to a true value (``1``, ``true``,
``yes``); the site build sets it so the rendered pages carry no bars, and every other
tqdm bar obeys it too.  ``enabled=False`` always silences a bar, ``True`` always shows it.
"""

from __future__ import annotations

from tqdm.auto import tqdm

from essay_lib.util.paths import switch_on

#: tqdm's own switch (tqdm reads ``TQDM_*`` variables as defaults of its arguments).
DISABLE_ENV = "TQDM_DISABLE"


def progress_enabled(enabled: bool | None = None) -> bool:
    """Resolve ``enabled``: an explicit bool wins, else not ``$TQDM_DISABLE``."""
    if enabled is not None:
        return bool(enabled)
    return not switch_on(DISABLE_ENV)


def progress_bar(iterable=None, *, enabled: bool | None = None, **kwargs) -> tqdm:
    """``tqdm.auto.tqdm(iterable, **kwargs)``, disabled when :func:`progress_enabled` says so."""
    kwargs.setdefault("leave", False)
    return tqdm(iterable, disable=not progress_enabled(enabled), **kwargs)
