"""The build's execution cache: what an executed notebook depends on, and its content hash.

An executed notebook in ``build/executed/NN_name.ipynb`` is reused while the hash of
:func:`execution_inputs` (the notebook's source, every ``essay_lib`` file its kernel
imported, the execution settings, a variant's parameters) is the one stored beside it in
``NN_name.json``; that file also keeps the seconds the execution took, so a cached rebuild
reports the same run times (the index page shows them).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from essay_lib.util.paths import PACKAGE_DIR

__all__ = ["code_hashes", "execution_inputs", "execution_key", "figures_since",
           "read_meta", "stored_seconds", "what_changed"]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def code_hashes(names) -> dict[str, str]:
    """sha256 of package files named relative to ``essay_lib/`` ("missing" if gone)."""
    return {name: _sha256((PACKAGE_DIR / name).read_bytes())
            if (PACKAGE_DIR / name).is_file() else "missing" for name in sorted(names)}


def execution_inputs(source: Path, modules, settings: dict) -> dict:
    """What an execution of the notebook ``source`` depends on: its text, the ``essay_lib``
    files its kernel imported (``modules``, paths relative to the package) and ``settings``."""
    return {"notebook": _sha256(Path(source).read_bytes()), "code": code_hashes(modules),
            "settings": settings}


def execution_key(inputs: dict) -> str:
    """Content hash of :func:`execution_inputs`: a change means execute again."""
    return _sha256(json.dumps(inputs, sort_keys=True).encode())


def what_changed(old: dict, new: dict) -> str:
    """Why ``new`` inputs differ from the ``old`` ones, in a few words (for the build log)."""
    if old.get("notebook") != new["notebook"]:
        return "notebook changed"
    if old.get("settings") != new["settings"]:
        return "build settings changed"
    old_code = old.get("code", {})
    changed = sorted(k for k in set(old_code) | set(new["code"])
                     if old_code.get(k) != new["code"].get(k))
    return "changed: " + ", ".join(f"essay_lib/{k}" for k in changed[:3]) + (
        " ..." if len(changed) > 3 else "")


def figures_since(figures_dir: Path, number: str, since: float) -> list[str]:
    """Names of the files ``NN-*`` in ``figures_dir`` written since ``since`` (epoch s)."""
    if not figures_dir.is_dir():
        return []
    return sorted(p.name for p in figures_dir.glob(f"{number}-*")
                  if p.is_file() and p.stat().st_mtime >= since - 1.0)


def read_meta(path: Path) -> dict:
    """The stored ``NN_name.json`` beside an executed notebook (``{}`` if none or unreadable)."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}


def stored_seconds(executed_dir: Path, stem: str) -> float | None:
    """Seconds the stored execution of notebook ``stem`` took (``None`` if never executed)."""
    seconds = read_meta(Path(executed_dir) / f"{stem}.json").get("seconds")
    return float(seconds) if isinstance(seconds, (int, float)) else None
