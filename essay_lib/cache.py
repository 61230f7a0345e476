"""Sweep records on disk: one plain JSON file per trained member.

* **Key**: SHA-256 of the member's full configuration (a JSON-able dict: task
  description, architecture, training settings, regularizer and seed), the
  ``essay_lib`` version and a fingerprint of the source of the modules that
  change results (:data:`RESULT_MODULES`), so editing any of them invalidates
  every entry.  The key is the file name: ``<directory>/<key[:2]>/<key>.json``.
* **Format**: ``{"format": 1, "key": ..., "version": ..., "code": ...,
  "config": {...}, "record": {...}}`` written with ``allow_nan=False``; never pickle.
* **Atomic**: written to a temporary file in the same folder, then ``os.replace``;
  a reader sees the old file or the new one, never half of one.
* **Never trusted blindly**: a file that does not parse (truncated, cut in half),
  lacks fields, or whose stored key, version, code fingerprint or configuration
  differs from what was asked (stale) is reported with a :class:`CacheWarning`
  and treated as missing, so the member is recomputed and the file rewritten.
* **Location**: the ``directory`` argument, else ``$ESSAY_CACHE_DIR``, else
  ``<repository>/.cache/sweeps`` (ignored by git; ``~/.cache/essay_lib/sweeps`` for
  an installed package).  Deleting it is always safe.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import tempfile
import warnings
from pathlib import Path

import essay_lib

FORMAT = 1
#: modules whose source changes the numbers a sweep produces (their text is hashed into keys)
RESULT_MODULES = ("data", "models", "training", "regularization", "ensemble", "ensemble_step",
                  "sweeps", "linearity", "linear_pieces")
ENV_VAR = "ESSAY_CACHE_DIR"


class CacheWarning(UserWarning):
    """A cache entry was unreadable, incomplete or stale and will be recomputed."""


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 (hex) of the source files of :data:`RESULT_MODULES`, in that order."""
    package = Path(essay_lib.__file__).parent
    digest = hashlib.sha256()
    for name in RESULT_MODULES:
        path = package / f"{name}.py"
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()


def default_directory() -> Path:
    """``$ESSAY_CACHE_DIR`` if set and non-empty, else ``<repository>/.cache/sweeps``
    (``~/.cache/essay_lib/sweeps`` when the package is installed outside a checkout)."""
    env = os.environ.get(ENV_VAR, "")
    if env:
        return Path(env)
    root = Path(essay_lib.__file__).resolve().parent.parent
    if (root / "pyproject.toml").exists():
        return root / ".cache" / "sweeps"
    return Path.home() / ".cache" / "essay_lib" / "sweeps"


def canonical_json(value) -> str:
    """Deterministic JSON text (sorted keys, no NaN/inf) of a JSON-able value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def clean_record(record: dict) -> dict:
    """Copy of ``record`` with numpy scalars made plain and non-finite floats made ``None``."""
    out = {}
    for name, value in record.items():
        if hasattr(value, "item") and callable(value.item):
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        out[name] = value
    return out


class SweepCache:
    """A folder of per-member JSON records (see the module docstring).

    ``directory``: a path, or ``None`` for :func:`default_directory`.
    """

    def __init__(self, directory: str | os.PathLike | None = None):
        if directory is not None and not isinstance(directory, (str, os.PathLike)):
            raise TypeError(f"directory must be a path or None, got {type(directory).__name__}")
        self.directory = Path(directory) if directory is not None else default_directory()
        self.version = essay_lib.__version__
        self.code = code_fingerprint()

    def key(self, config: dict) -> str:
        """Hex SHA-256 of (config, version, code fingerprint); ``config`` must be JSON-able."""
        if not isinstance(config, dict):
            raise TypeError(f"config must be a dict, got {type(config).__name__}")
        text = canonical_json({"config": config, "version": self.version, "code": self.code})
        return hashlib.sha256(text.encode()).hexdigest()

    def path(self, key: str) -> Path:
        """File of ``key``: ``<directory>/<key[:2]>/<key>.json``."""
        if not isinstance(key, str) or len(key) != 64 or not all(c in "0123456789abcdef"
                                                                  for c in key):
            raise ValueError(f"key must be a 64-character lowercase hex digest, got {key!r}")
        return self.directory / key[:2] / f"{key}.json"

    def load(self, config: dict) -> dict | None:
        """The stored record of ``config``, or ``None`` when missing or not trustworthy.

        Unreadable, incomplete and stale entries give a :class:`CacheWarning`.
        """
        key = self.key(config)
        path = self.path(key)
        if not path.exists():
            return None
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            return self._reject(path, f"unreadable ({type(exc).__name__}: {exc})")
        if not isinstance(entry, dict) or not isinstance(entry.get("record"), dict):
            return self._reject(path, "not a record (missing 'record' object)")
        expected = {"format": FORMAT, "key": key, "version": self.version, "code": self.code}
        for name, value in expected.items():
            if entry.get(name) != value:
                return self._reject(path, f"stale ({name} is {entry.get(name)!r}, "
                                          f"expected {value!r})")
        if canonical_json(entry.get("config")) != canonical_json(config):
            return self._reject(path, "stale (stored configuration differs)")
        return entry["record"]

    def store(self, config: dict, record: dict) -> Path:
        """Write ``record`` (a flat JSON-able dict) for ``config`` atomically; returns the path."""
        if not isinstance(record, dict):
            raise TypeError(f"record must be a dict, got {type(record).__name__}")
        key = self.key(config)
        path = self.path(key)
        entry = {"format": FORMAT, "key": key, "version": self.version, "code": self.code,
                 "config": config, "record": clean_record(record)}
        text = json.dumps(entry, sort_keys=True, indent=1, allow_nan=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return path

    def _reject(self, path: Path, reason: str) -> None:
        warnings.warn(f"cache entry {path} is {reason}; recomputing it", CacheWarning,
                      stacklevel=3)
        return None
