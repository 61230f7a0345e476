"""Sweep results on disk: one plain JSON record and one NPZ of weights per trained network.

* **Two kinds of entry.**  ``weights``: a trained network's parameters (NPZ, float32)
  and its training-loss curve, keyed by what training depends on (task, network,
  training settings, the member's regularizer and seed, the device type).
  ``record``: the network's measured numbers (JSON), keyed by that *and* the
  :class:`~essay_lib.experiment.spec.MeasureSpec`.  Changing how networks are
  measured re-measures the cached weights without training them again.
* **Key**: SHA-256 of (kind, the JSON configuration, the ``essay_lib`` version, a
  fingerprint of the source code that can change that kind of result).  The key is
  the file name: ``<directory>/<key[:2]>/<key>.json`` or ``.npz``.
* **Which code** (:func:`source_files`): the *import closure* of the modules that
  compute the entry (:data:`ENTRY_MODULES`), read by parsing their imports with
  :mod:`ast` (nothing is imported).  Weights: the training loop
  (:mod:`essay_lib.experiment.train`) and every ``essay_lib`` module it reaches: the
  batched engine and its forward passes, the optimizers, the data, the spec, the
  argument checks.  Records: that, plus what measures a network and writes its record
  (:mod:`~essay_lib.experiment.sweeps`, :mod:`~essay_lib.experiment.metrics`,
  :mod:`~essay_lib.experiment.references` and the ``measures`` they reach).  Rules:

  - every ``import`` counts, also one inside a function; modules outside ``essay_lib``
    do not (their versions are not part of the key);
  - ``import essay_lib.<a>.<b>``, ``from essay_lib.<a> import <b>``, ``from
    essay_lib.<a>.<b> import name`` and relative imports lead to the module file ``a/b.py``
    (or the subpackage ``a/b/__init__.py``); a package's ``__init__.py`` is followed only
    when the import names the package itself (``from essay_lib.<a> import name`` where
    ``name`` is no submodule), never as the parent of a submodule: it only re-exports, and
    following it would pull in every sibling (``nets/__init__.py`` names them all);
  - the few modules of :data:`PRESENTATION_ONLY` (a progress bar) never change a
    number: they are neither hashed nor followed, even where imported.

  So editing a plot helper, a progress bar, a chapter's helper (``report/``,
  ``nets/dropout_checks.py``, ...) or the site changes no key; editing a forward pass
  changes every key; editing a measure re-measures without retraining.  The
  fingerprint hashes each file's path relative to the package and its code
  (:func:`code_text`: the syntax tree without docstrings, comments or layout), so editing
  the code of, adding (where imported), renaming or removing a module it reads changes
  it, while editing a docstring or a comment does not; an entry module or an imported
  ``essay_lib`` module without a source file is an error.
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

import ast
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
#: The package's import name (the source of a copy still says ``essay_lib``)
PACKAGE_NAME = "essay_lib"
#: The modules that compute each kind of entry; the fingerprint reads their import
#: closure.  Weights: the sweep's training loop.  Records: it, the sweep (which writes the
#: record: training settings, metrics, curve), the per-network metrics and the references.
ENTRY_MODULES = {
    "weights": ("essay_lib.experiment.train",),
    "record": ("essay_lib.experiment.train", "essay_lib.experiment.sweeps",
               "essay_lib.experiment.metrics", "essay_lib.experiment.references"),
}
#: Modules (paths relative to the package) that only present and never change a number:
#: not hashed and not followed even where an entry's code imports them.
PRESENTATION_ONLY = ("util/progress.py",)
_META = "__meta__"


class CacheWarning(UserWarning):
    """A cache entry was unreadable, incomplete or stale and will be recomputed."""


def _check_kind(kind) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    return kind


def _locate(package: Path, parts: tuple[str, ...]) -> Path | None:
    """The source file of the module ``essay_lib.<parts>`` in ``package``, or ``None``."""
    if parts:
        module = package.joinpath(*parts[:-1], f"{parts[-1]}.py")
        if module.is_file():
            return module
    init = package.joinpath(*parts, "__init__.py")
    return init if init.is_file() else None


def _module_parts(name: str) -> tuple[str, ...] | None:
    """``essay_lib.<a>.<b>`` -> ``("<a>", "<b>")``; ``None`` for a module outside the package."""
    head, *rest = name.split(".")
    return tuple(rest) if head == PACKAGE_NAME else None


def _imports(path: Path, package: Path) -> list[Path]:
    """The source files of the ``essay_lib`` modules that ``path`` imports anywhere in it."""
    own = path.relative_to(package).with_suffix("").parts  # ("a", "b") or ("a", "__init__")
    found = []

    def resolve(parts: tuple[str, ...], text: str) -> Path:
        target = _locate(package, parts)
        if target is None:
            raise FileNotFoundError(f"{path.relative_to(package).as_posix()} imports {text}, "
                                    f"which has no source file in {package}")
        return target

    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = _module_parts(alias.name)
                if parts is not None:
                    found.append(resolve(parts, alias.name))
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the module's own package, up level - 1
                up = len(own) - node.level
                if up < 0:
                    raise ValueError(f"{path}: relative import beyond the package")
                base = own[:up] + (tuple(node.module.split(".")) if node.module else ())
            else:
                base = _module_parts(node.module)
                if base is None:
                    continue
            text = "." * node.level + (node.module or "")
            for alias in node.names:  # a submodule, else the module (or package) itself
                sub = None if alias.name == "*" else _locate(package, base + (alias.name,))
                found.append(sub if sub is not None else resolve(base, text))
    return found


def import_closure(entries, package: Path = PACKAGE_DIR,
                   exclude=None) -> dict[str, str | None]:
    """The ``essay_lib`` source files that the modules ``entries`` (dotted names) reach by
    their imports (rules: module docstring), skipping the package paths ``exclude``
    (default :data:`PRESENTATION_ONLY`).

    Returns ``{path relative to package: the file that first imported it}`` (``None`` for
    an entry), so that a chain can be read back.  Raises ``FileNotFoundError`` naming an
    entry or an imported module without a source file.
    """
    package = Path(package)
    excluded = set(PRESENTATION_ONLY if exclude is None else exclude)
    reached: dict[str, str | None] = {}
    queue: list[Path] = []
    for name in entries:
        parts = _module_parts(name)
        path = None if parts is None else _locate(package, parts)
        if path is None:
            raise FileNotFoundError(f"entry module {name!r} has no source file in {package}; "
                                    f"update essay_lib.experiment.cache.ENTRY_MODULES")
        rel = path.relative_to(package).as_posix()
        if rel not in reached and rel not in excluded:
            reached[rel] = None
            queue.append(path)
    while queue:
        path = queue.pop(0)
        for target in _imports(path, package):
            rel = target.relative_to(package).as_posix()
            if rel not in reached and rel not in excluded:
                reached[rel] = path.relative_to(package).as_posix()
                queue.append(target)
    return reached


def source_files(kind: str, package: Path = PACKAGE_DIR) -> list[Path]:
    """The source files that ``kind`` (``"weights"`` or ``"record"``) of entry depends on:
    the import closure of its :data:`ENTRY_MODULES` less :data:`PRESENTATION_ONLY`, sorted."""
    package = Path(package)
    return sorted(package / rel for rel in import_closure(ENTRY_MODULES[_check_kind(kind)],
                                                          package))


def code_text(path: Path) -> str:
    """What a source file computes, as text: its syntax tree (``ast.dump``, no line numbers)
    without docstrings or other bare string statements, so that editing prose, comments or
    layout changes no key (a change of code does)."""
    tree = ast.parse(Path(path).read_bytes(), filename=str(path))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            kept = [s for s in body if not (isinstance(s, ast.Expr)
                                            and isinstance(s.value, ast.Constant)
                                            and isinstance(s.value.value, str))]
            node.body = kept or [ast.Pass()]
    return ast.dump(tree)


def fingerprint(kind: str, package: Path = PACKAGE_DIR) -> str:
    """SHA-256 (hex) of the relative path and :func:`code_text` of every file of
    :func:`source_files`."""
    package = Path(package)
    digest = hashlib.sha256()
    for path in source_files(kind, package):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(code_text(path).encode() + b"\0")
    return digest.hexdigest()


@functools.lru_cache(maxsize=4)
def _installed_fingerprint(kind: str) -> str:
    return fingerprint(kind, PACKAGE_DIR)


def code_fingerprint(kind: str = "record", package: Path | None = None) -> str:
    """The fingerprint of the sources of one kind of entry: of the installed package
    (``package=None``, computed once per process), or of the package folder ``package``
    (computed afresh, e.g. for a copy)."""
    _check_kind(kind)
    return _installed_fingerprint(kind) if package is None else fingerprint(kind, package)


def canonical_json(value) -> str:
    """Deterministic JSON text (sorted keys, no NaN/inf) of a JSON-able value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _plain(value):
    """``value`` with numpy scalars made plain and non-finite floats made ``None``, inside
    dicts and lists too (a diverged network's loss curve or specification curve)."""
    if isinstance(value, dict):
        return {name: _plain(v) for name, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item) and np.ndim(value) == 0:
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def clean_record(record: dict) -> dict:
    """Copy of ``record`` with numpy scalars made plain and non-finite floats made ``None``,
    at any depth (JSON has no NaN)."""
    return {name: _plain(value) for name, value in record.items()}


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
        _check_kind(kind)
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
        entry = {**self._header(key, "weights"), "config": config,
                 "extra": _plain(extra or {})}
        buffer = io.BytesIO()
        np.savez(buffer, **{name: np.asarray(a) for name, a in arrays.items()},
                 **{_META: np.array(json.dumps(entry, sort_keys=True, allow_nan=False))})
        return write_atomic(self.path(key, "weights"), buffer.getvalue())

    def _reject(self, path: Path, reason: str) -> None:
        warnings.warn(f"cache entry {path} is {reason}; recomputing it", CacheWarning,
                      stacklevel=3)
        return None
