"""``python -m essay_lib lab-settings``: JupyterLab settings for students, inside the venv.

JupyterLab reads *overrides* of its default settings from
``<sys.prefix>/share/jupyter/lab/settings/overrides.json`` (the environment's app settings
folder; a user's own settings still win).  :func:`write_lab_settings` merges
:data:`LAB_OVERRIDES` into that file (other entries are kept; running it again changes
nothing), so that in this environment

* double-clicking ``notebooks/NN_name.py`` opens it as a notebook: jupytext's
  "Jupytext Notebook" is the default viewer of Python files (``defaultViewers`` of
  ``@jupyterlab/docmanager-extension:plugin``), instead of the text editor;
* JupyterLab neither asks to fetch Jupyter news nor checks for updates
  (``@jupyterlab/apputils-extension:notification``: ``fetchNews`` "false", a string in its
  schema; ``checkForUpdates`` false): nothing pops up, nothing is fetched.

``make setup`` and ``make lab`` run it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from essay_lib.util.paths import write_atomic

#: plugin id -> settings merged into ``overrides.json``.
LAB_OVERRIDES = {
    "@jupyterlab/docmanager-extension:plugin": {
        "defaultViewers": {"python": "Jupytext Notebook"}},
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false", "checkForUpdates": False},
}


def lab_settings_dir(prefix: str | Path | None = None) -> Path:
    """The app settings folder of the environment at ``prefix`` (default: this one)."""
    return Path(prefix or sys.prefix) / "share" / "jupyter" / "lab" / "settings"


def _merge(into: dict, new: dict) -> dict:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
    return into


def write_lab_settings(settings_dir: str | Path | None = None) -> Path:
    """Merge :data:`LAB_OVERRIDES` into ``settings_dir/overrides.json`` (default:
    :func:`lab_settings_dir`); returns the file's path.  Idempotent; the file is rewritten
    only when its content changes.  Raises ``ValueError`` if the file exists but is not a
    JSON object."""
    path = Path(settings_dir or lab_settings_dir()) / "overrides.json"
    current = {}
    if path.exists():
        try:
            current = json.loads(path.read_text(encoding="utf-8") or "{}")
        except ValueError as exc:
            raise ValueError(f"{path} is not valid JSON ({exc}); fix or remove it") from None
        if not isinstance(current, dict):
            raise ValueError(f"{path} must hold a JSON object, not {type(current).__name__}")
    merged = _merge(json.loads(json.dumps(current)), LAB_OVERRIDES)
    text = json.dumps(merged, indent=2, sort_keys=True) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
    return path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the ``lab-settings`` command."""
    parser.add_argument("--settings-dir", type=Path, default=None,
                        help="JupyterLab app settings folder (default: this environment's, "
                             "<prefix>/share/jupyter/lab/settings)")


def run(args: argparse.Namespace) -> int:
    """Write the settings; print where."""
    try:
        path = write_lab_settings(args.settings_dir)
    except ValueError as exc:
        print(f"lab-settings failed: {exc}", file=sys.stderr)
        return 1
    print(f"JupyterLab settings: {path} (.py notebooks open as notebooks; no news pop-up)")
    return 0
