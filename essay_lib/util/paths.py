"""Paths and environment switches: the one place that reads them, and atomic writes.

Environment variables the package reads (all optional):

* ``ESSAY_FIGURES_DIR``: where :func:`essay_lib.report.plotting.save_figure` writes
  (default ``<repository>/figures``);
* ``ESSAY_CACHE_DIR``: the sweep cache (default ``<repository>/.cache/sweeps``, or
  ``~/.cache/essay_lib/sweeps`` for a package installed outside a checkout);
* ``ESSAY_STATIC``: ``1`` when no live front end runs the page (the site build sets it):
  widgets are replaced by their static figures;
* ``TQDM_DISABLE``: tqdm's own switch, read by :mod:`essay_lib.util.progress`.

Every reader takes the value at call time, so a notebook that sets one in
``os.environ`` sees the effect at once.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
#: the checkout holding the package (its ``pyproject.toml`` sits there), if any
REPO_DIR = PACKAGE_DIR.parent

FIGURES_ENV = "ESSAY_FIGURES_DIR"
CACHE_ENV = "ESSAY_CACHE_DIR"
STATIC_ENV = "ESSAY_STATIC"

_TRUE = ("1", "true", "yes", "on")


def switch_on(name: str) -> bool:
    """Whether the environment variable ``name`` is set to a true value (1/true/yes/on)."""
    return os.environ.get(name, "").strip().lower() in _TRUE


def in_checkout() -> bool:
    """True when the package runs from a source checkout (not an installed copy)."""
    return (REPO_DIR / "pyproject.toml").exists()


def figures_dir() -> Path:
    """Where figures go: ``$ESSAY_FIGURES_DIR`` if set, else ``<repository>/figures``."""
    env = os.environ.get(FIGURES_ENV, "")
    return Path(env) if env else REPO_DIR / "figures"


def cache_dir() -> Path:
    """``$ESSAY_CACHE_DIR`` if set and non-empty, else ``<repository>/.cache/sweeps``
    (``~/.cache/essay_lib/sweeps`` when the package is installed outside a checkout)."""
    env = os.environ.get(CACHE_ENV, "")
    if env:
        return Path(env)
    if in_checkout():
        return REPO_DIR / ".cache" / "sweeps"
    return Path.home() / ".cache" / "essay_lib" / "sweeps"


def write_atomic(path: str | os.PathLike, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` atomically; returns the path.

    The data go to a temporary file in the same folder, which then replaces ``path``
    (``os.replace``): a reader sees the old file or the new one, never half of one.
    Missing parent folders are created.
    """
    path = Path(path)
    if not isinstance(data, (str, bytes)):
        raise TypeError(f"data must be str or bytes, got {type(data).__name__}")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
