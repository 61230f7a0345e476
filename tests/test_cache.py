"""Tests for essay_lib.cache: per-member JSON records, atomic, never trusted blindly."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import pytest

import essay_lib
from essay_lib import cache as cache_module
from essay_lib.cache import CacheWarning, SweepCache

CONFIG = {"task": {"name": "quadratic", "seed": 0}, "widths": [1, 8, 1], "member": {"seed": 3},
          "lr": 0.01}
RECORD = {"task": "quadratic", "seed": 3, "z_bar": 0.25, "linear_pieces": 4, "test_r2": None}


@pytest.fixture
def cache(tmp_path):
    return SweepCache(tmp_path / "sweeps")


def _no_warnings():
    return warnings.catch_warnings(record=True)


def test_round_trip_is_plain_json(cache):
    path = cache.store(CONFIG, RECORD)
    assert path == cache.path(cache.key(CONFIG)) and path.suffix == ".json"
    entry = json.loads(path.read_text())
    assert entry["record"] == RECORD and entry["config"] == CONFIG
    assert entry["version"] == essay_lib.__version__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cache.load(CONFIG) == RECORD


def test_missing_entry_is_none_without_warning(cache):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cache.load(CONFIG) is None


def test_key_is_deterministic_and_covers_the_config(cache, tmp_path):
    key = cache.key(CONFIG)
    assert key == SweepCache(tmp_path / "elsewhere").key(dict(reversed(CONFIG.items())))
    assert len(key) == 64 and set(key) <= set("0123456789abcdef")
    changed = {**CONFIG, "member": {"seed": 4}}
    assert cache.key(changed) != key
    assert cache.key({**CONFIG, "lr": 0.010001}) != key


def test_key_changes_with_version_and_code(cache, monkeypatch):
    key = cache.key(CONFIG)
    monkeypatch.setattr(essay_lib, "__version__", "9.9.9")
    assert SweepCache(cache.directory).key(CONFIG) != key
    monkeypatch.undo()
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "0" * 64)
    assert SweepCache(cache.directory).key(CONFIG) != key


def test_code_fingerprint_hashes_result_modules():
    fingerprint = cache_module.code_fingerprint()
    assert len(fingerprint) == 64
    assert {"ensemble", "ensemble_step", "sweeps", "models", "training", "linearity"} <= set(
        cache_module.RESULT_MODULES)


def test_file_cut_in_half_warns_and_is_ignored(cache):
    path = cache.store(CONFIG, RECORD)
    text = path.read_bytes()
    path.write_bytes(text[: len(text) // 2])
    with pytest.warns(CacheWarning, match="unreadable"):
        assert cache.load(CONFIG) is None
    cache.store(CONFIG, RECORD)  # recomputed and rewritten
    assert cache.load(CONFIG) == RECORD


@pytest.mark.parametrize("content, match", [
    (b"", "unreadable"),
    (b"\xff\xfe garbage \x00", "unreadable"),
    (b"[1, 2, 3]", "not a record"),
    (b'{"record": 5}', "not a record"),
])
def test_corrupt_entries_warn(cache, content, match):
    path = cache.path(cache.key(CONFIG))
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.warns(CacheWarning, match=match):
        assert cache.load(CONFIG) is None


@pytest.mark.parametrize("field, value", [
    ("version", "0.0.0-old"), ("code", "f" * 64), ("format", 0), ("key", "0" * 64),
    ("config", {"something": "else"}),
])
def test_stale_entries_warn(cache, field, value):
    path = cache.store(CONFIG, RECORD)
    entry = json.loads(path.read_text())
    entry[field] = value
    path.write_text(json.dumps(entry))
    with pytest.warns(CacheWarning, match="stale"):
        assert cache.load(CONFIG) is None


def test_non_finite_values_become_null(cache):
    import numpy as np

    path = cache.store(CONFIG, {"a": float("nan"), "b": np.float64(2.5), "c": float("inf"),
                                "d": np.int64(3)})
    assert "NaN" not in path.read_text() and "Infinity" not in path.read_text()
    assert cache.load(CONFIG) == {"a": None, "b": 2.5, "c": None, "d": 3}


def test_write_is_atomic(cache, monkeypatch):
    path = cache.store(CONFIG, RECORD)
    before = path.read_bytes()

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(cache_module.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        cache.store(CONFIG, {**RECORD, "z_bar": 0.5})
    assert path.read_bytes() == before  # the old entry survives whole
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left


def test_location_argument_env_default(tmp_path, monkeypatch):
    monkeypatch.setenv("ESSAY_CACHE_DIR", str(tmp_path / "env"))
    assert SweepCache(tmp_path / "arg").directory == tmp_path / "arg"
    assert SweepCache().directory == tmp_path / "env"
    monkeypatch.delenv("ESSAY_CACHE_DIR")
    default = SweepCache().directory
    assert default.parts[-2:] == (".cache", "sweeps")
    assert default.parent.parent == Path(essay_lib.__file__).resolve().parent.parent


def test_cache_folder_is_ignored_by_git():
    root = Path(essay_lib.__file__).resolve().parent.parent
    ignored = (root / ".gitignore").read_text().split()
    assert any(line.strip("/") in (".cache", ".cache/*", ".cache/sweeps") for line in ignored)


def test_bad_arguments(cache):
    with pytest.raises(TypeError, match="config"):
        cache.key(["not", "a", "dict"])
    with pytest.raises(TypeError, match="record"):
        cache.store(CONFIG, [1, 2])
    with pytest.raises(ValueError, match="key"):
        cache.path("../../etc/passwd")
    with pytest.raises(TypeError, match="directory"):
        SweepCache(directory=5)
    with pytest.raises(ValueError):
        cache.store({"x": float("nan")}, RECORD)  # configs must be plain, finite JSON


def test_deleting_the_folder_is_safe(cache):
    cache.store(CONFIG, RECORD)
    for path in sorted(cache.directory.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    cache.directory.rmdir()
    assert cache.load(CONFIG) is None
    assert cache.store(CONFIG, RECORD).exists()
    assert os.path.isdir(cache.directory)
