"""Sweep results on disk: one plain JSON record and one NPZ of weights per trained network.

* **Two kinds of entry.**  ``weights``: a trained network's parameters (NPZ, float32)
  and its training-loss curve, keyed by what training depends on (task, network,
  training settings, the member's regularizer and seed, the device type).
  ``record``: the network's measured numbers (JSON), keyed by that *and* the
  :class:`~essay_lib.experiment.spec.MeasureSpec`.  Changing how networks are
  measured re-measures the cached weights without training them again.
* **Key**: SHA-256 of (kind, the JSON configuration, the ``essay_lib`` version, a
  fingerprint of the source code that can change that kind of result).  The
  fingerprint hashes every ``.py`` file, with its path, under the package folders
  listed in :data:`TRAINING_SOURCES` (weights) or :data:`RECORD_SOURCES` (records),
  so editing, adding, renaming or removing a module there invalidates the entries;
  a listed folder or file that does not exist is an error.  The key is the file
  name: ``<directory>/<key[:2]>/<key>.json`` or ``.npz``.
* **Plain formats**: JSON written with ``allow_nan=False``; NPZ read with
  ``allow_pickle=False``, its metadata a JSON string stored as a text array.  Never pickle.
* **Atomic**: written through :func:`essay_lib.util.paths.write_atomic`.
* **Never trusted blindly**: an entry that does not parse (truncated, cut in half),
  lacks fields, or whose stored key, version, code fingerprint or configuration
  differs from what was asked (stale) gives a :class:`CacheWarning` and is treated
  as missing, so it is recomputed and rewritten.
* **Location**: the ``directory`` argument, else :func:`essay_lib.util.paths.cache_dir`
  (``$ESSAY_CACHE_DIR``, else ``<repository>/.cache/sweeps``).  Deleting it is always safe.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import math
import os
import warnings
import zipfile
from pathlib import Path

import numpy as np

from essay_lib.util.paths import PACKAGE_DIR, cache_dir, write_atomic
from essay_lib.util.version import VERSION

FORMAT = 2
KINDS = ("weights", "record")
#: package paths (folders or files) whose source can change trained weights, given their
#: configuration (the spec's settings are in every key themselves)
TRAINING_SOURCES = ("data.py", "util", "nets", "experiment/train.py")
#: package paths whose source can change a measured record (every result floor)
RECORD_SOURCES = ("data.py", "util", "nets", "measures", "experiment")
_SOURCES = {"weights": TRAINING_SOURCES, "record": RECORD_SOURCES}
_META = "__meta__"


class CacheWarning(UserWarning):
    """A cache entry was unreadable, incomplete or stale and will be recomputed."""


def source_files(sources, package: Path = PACKAGE_DIR) -> list[Path]:
    """The ``.py`` files under ``sources`` (paths relative to ``package``), sorted.

    Raises ``FileNotFoundError`` naming a source that does not exist.
    """
    files = []
    for name in sources:
        path = package / name
        if path.is_dir():
            files.extend(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"result source {name!r} does not exist in {package}; "
                                    f"update essay_lib.experiment.cache's source lists")
    return sorted(set(files))


def fingerprint(sources, package: Path = PACKAGE_DIR) -> str:
    """SHA-256 (hex) of the relative path and bytes of every file of :func:`source_files`."""
    digest = hashlib.sha256()
    for path in source_files(sources, package):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@functools.lru_cache(maxsize=4)
def code_fingerprint(kind: str = "record") -> str:
    """The fingerprint of the sources of one kind of entry (computed once per process)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    return fingerprint(_SOURCES[kind])


def canonical_json(value) -> str:
    """Deterministic JSON text (sorted keys, no NaN/inf) of a JSON-able value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def clean_record(record: dict) -> dict:
    """Copy of ``record`` with numpy scalars made plain and non-finite floats made ``None``."""
    out = {}
    for name, value in record.items():
        if hasattr(value, "item") and callable(value.item) and np.ndim(value) == 0:
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        out[name] = value
    return out


class SweepCache:
    """A folder of per-network entries (see the module docstring).

    ``directory``: a path, or ``None`` for :func:`essay_lib.util.paths.cache_dir`.
    """

    def __init__(self, directory: str | os.PathLike | None = None):
        if directory is not None and not isinstance(directory, (str, os.PathLike)):
            raise TypeError(f"directory must be a path or None, got {type(directory).__name__}")
        self.directory = Path(directory) if directory is not None else cache_dir()
        self.version = VERSION

    def key(self, config: dict, kind: str = "record") -> str:
        """Hex SHA-256 of (kind, config, version, code fingerprint); ``config`` JSON-able."""
        if not isinstance(config, dict):
            raise TypeError(f"config must be a dict, got {type(config).__name__}")
        text = canonical_json({"kind": kind, "config": config, "version": self.version,
                               "code": code_fingerprint(kind)})
        return hashlib.sha256(text.encode()).hexdigest()

    def path(self, key: str, kind: str = "record") -> Path:
        """File of ``key``: ``<directory>/<key[:2]>/<key>.json`` (records) or ``.npz``."""
        if not isinstance(key, str) or len(key) != 64 or not all(c in "0123456789abcdef"
                                                                  for c in key):
            raise ValueError(f"key must be a 64-character lowercase hex digest, got {key!r}")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        return self.directory / key[:2] / f"{key}.{'npz' if kind == 'weights' else 'json'}"

    def _header(self, key: str, kind: str) -> dict:
        return {"format": FORMAT, "kind": kind, "key": key, "version": self.version,
                "code": code_fingerprint(kind)}

    def _check(self, path: Path, entry, key: str, kind: str, config: dict) -> bool:
        if not isinstance(entry, dict):
            self._reject(path, "not an entry (no metadata object)")
            return False
        for name, value in self._header(key, kind).items():
            if entry.get(name) != value:
                self._reject(path, f"stale ({name} is {entry.get(name)!r}, expected {value!r})")
                return False
        if canonical_json(entry.get("config")) != canonical_json(config):
            self._reject(path, "stale (stored configuration differs)")
            return False
        return True

    # ------------------------------------------------------------ records (JSON)
    def load(self, config: dict) -> dict | None:
        """The stored record of ``config``, or ``None`` when missing or not trustworthy."""
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
        return entry["record"] if self._check(path, entry, key, "record", config) else None

    def store(self, config: dict, record: dict) -> Path:
        """Write ``record`` (a flat JSON-able dict) for ``config`` atomically; returns the path."""
        if not isinstance(record, dict):
            raise TypeError(f"record must be a dict, got {type(record).__name__}")
        key = self.key(config)
        entry = {**self._header(key, "record"), "config": config, "record": clean_record(record)}
        return write_atomic(self.path(key), json.dumps(entry, sort_keys=True, indent=1,
                                                       allow_nan=False))

    # ------------------------------------------------------------ weights (NPZ)
    def load_arrays(self, config: dict) -> tuple[dict[str, np.ndarray], dict] | None:
        """The stored arrays of ``config`` and their JSON ``extra``, or ``None``."""
        key = self.key(config, "weights")
        path = self.path(key, "weights")
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
            entry = json.loads(str(arrays.pop(_META)))
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            return self._reject(path, f"unreadable ({type(exc).__name__}: {exc})")
        if not self._check(path, entry, key, "weights", config):
            return None
        return arrays, entry.get("extra", {})

    def store_arrays(self, config: dict, arrays: dict[str, np.ndarray],
                     extra: dict | None = None) -> Path:
        """Write named numeric ``arrays`` (and a JSON-able ``extra``) for ``config`` atomically."""
        if not isinstance(arrays, dict) or _META in arrays:
            raise TypeError(f"arrays must be a dict of named arrays (not named {_META!r})")
        key = self.key(config, "weights")
        entry = {**self._header(key, "weights"), "config": config, "extra": extra or {}}
        buffer = io.BytesIO()
        np.savez(buffer, **{name: np.asarray(a) for name, a in arrays.items()},
                 **{_META: np.array(json.dumps(entry, sort_keys=True, allow_nan=False))})
        return write_atomic(self.path(key, "weights"), buffer.getvalue())

    def _reject(self, path: Path, reason: str) -> None:
        warnings.warn(f"cache entry {path} is {reason}; recomputing it", CacheWarning,
                      stacklevel=3)
        return None
