"""Tests for essay_lib.experiment.cache: JSON records and NPZ weights per network, atomic,
keyed by configuration and source fingerprint, never trusted blindly."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import pytest

import essay_lib
from essay_lib.experiment import cache as cache_module
from essay_lib.experiment.cache import CacheWarning, SweepCache
from essay_lib.util import paths

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


def test_key_changes_with_version_code_and_kind(cache, monkeypatch):
    key = cache.key(CONFIG)
    assert cache.key(CONFIG, "weights") != key
    monkeypatch.setattr(cache_module, "VERSION", "9.9.9")
    assert SweepCache(cache.directory).key(CONFIG) != key
    monkeypatch.undo()
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda kind="record": "0" * 64)
    assert SweepCache(cache.directory).key(CONFIG) != key


def _package_copy(tmp_path):
    """A small package tree with the layout the fingerprint reads."""
    root = tmp_path / "pkg"
    for name in ("data.py", "nets/models.py", "nets/ensemble.py", "measures/linearity.py"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"# {name}\n")
    (root / "nets" / "__pycache__").mkdir()
    (root / "nets" / "__pycache__" / "models.cpython-311.pyc").write_bytes(b"\0")
    return root


def test_fingerprint_sees_edits_additions_renames_and_removals(tmp_path):
    root = _package_copy(tmp_path)
    sources = ("data.py", "nets", "measures")
    base = cache_module.fingerprint(sources, root)
    assert base == cache_module.fingerprint(sources, root)  # deterministic
    (root / "nets" / "__pycache__" / "models.cpython-311.pyc").write_bytes(b"\1")
    assert cache_module.fingerprint(sources, root) == base  # compiled files do not count
    (root / "nets" / "models.py").write_text("# edited\n")
    edited = cache_module.fingerprint(sources, root)
    assert edited != base
    (root / "nets" / "extra.py").write_text("")
    added = cache_module.fingerprint(sources, root)
    assert added != edited
    (root / "nets" / "extra.py").rename(root / "nets" / "renamed.py")
    renamed = cache_module.fingerprint(sources, root)
    assert renamed != added
    (root / "nets" / "renamed.py").unlink()
    assert cache_module.fingerprint(sources, root) == edited
    assert cache_module.fingerprint(("data.py", "nets"), root) != edited  # a floor less


def test_a_missing_source_is_an_error(tmp_path):
    root = _package_copy(tmp_path)
    with pytest.raises(FileNotFoundError, match="experiment"):
        cache_module.fingerprint(("nets", "experiment"), root)
    (root / "data.py").unlink()
    with pytest.raises(FileNotFoundError, match="data.py"):
        cache_module.fingerprint(("data.py",), root)


def test_the_real_fingerprints_cover_every_result_floor():
    files = {p.relative_to(cache_module.PACKAGE_DIR).as_posix()
             for p in cache_module.source_files(cache_module.RECORD_SOURCES)}
    assert {"data.py", "nets/ensemble.py", "nets/ensemble_step.py", "measures/linearity.py",
            "experiment/metrics.py", "experiment/sweeps.py", "util/checks.py"} <= files
    assert not any(f.startswith(("report/", "site/", "cli/")) for f in files)
    training = {p.relative_to(cache_module.PACKAGE_DIR).as_posix()
                for p in cache_module.source_files(cache_module.TRAINING_SOURCES)}
    assert "nets/ensemble_step.py" in training and "experiment/metrics.py" not in training
    assert len(cache_module.code_fingerprint("record")) == 64
    assert cache_module.code_fingerprint("record") != cache_module.code_fingerprint("weights")


def test_weights_round_trip_without_pickle(cache):
    import numpy as np

    arrays = {"layers.0.weight": np.arange(6, dtype=np.float32).reshape(2, 3),
              "layers.0.bias": np.zeros(2, np.float32)}
    path = cache.store_arrays(CONFIG, arrays, {"curve": {"epoch": [1, 2]}})
    assert path.suffix == ".npz" and path == cache.path(cache.key(CONFIG, "weights"), "weights")
    with np.load(path, allow_pickle=False) as npz:  # a plain NPZ
        assert set(npz.files) == {*arrays, "__meta__"}
    loaded, extra = cache.load_arrays(CONFIG)
    assert extra == {"curve": {"epoch": [1, 2]}}
    for name, a in arrays.items():
        np.testing.assert_array_equal(loaded[name], a)
    assert cache.load(CONFIG) is None  # records and weights are separate entries


def test_damaged_or_stale_weights_warn(cache):
    import numpy as np

    path = cache.store_arrays(CONFIG, {"w": np.ones(3)})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.warns(CacheWarning, match="unreadable"):
        assert cache.load_arrays(CONFIG) is None
    other = {**CONFIG, "lr": 0.5}
    cache.store_arrays(other, {"w": np.ones(3)})
    cache.path(cache.key(other, "weights"), "weights").replace(path)
    with pytest.warns(CacheWarning, match="stale"):
        assert cache.load_arrays(CONFIG) is None


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

    monkeypatch.setattr(paths.os, "replace", failing_replace)
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
