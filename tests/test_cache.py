"""Tests for essay_lib.experiment.cache: JSON records and NPZ weights per network, atomic,
keyed by configuration and source fingerprint, never trusted blindly."""

from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path

import numpy as np
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


PACKAGE = "essay_lib"  # the toy package imports itself by this name
#: a small package with the layout and import forms the closure rules are about
TOY_PACKAGE = {
    "__init__.py": "from essay_lib.util.version import VERSION\n",
    "data.py": "import numpy as np\n",
    "experiment/__init__.py": "from essay_lib.experiment import metrics, train\n",
    "experiment/train.py": ("import os\n"
                            "from essay_lib.nets import engine\n"
                            "from essay_lib.util.progress import progress_bar\n\n\n"
                            "def train():\n"
                            "    from essay_lib.data import load  # inside a function\n"
                            f"    import {PACKAGE}.nets.deep.inner\n"),
    "experiment/metrics.py": ("from essay_lib.measures import batched\n"
                              "from essay_lib.measures import NAME  # from the package itself\n"),
    "experiment/sweeps.py": "from . import metrics, train\n",
    "experiment/references.py": "from .train import train\n",
    "measures/__init__.py": "from essay_lib.measures import extra\nNAME = 1\n",
    "measures/batched.py": "from ..nets.models import MLP\n",
    "measures/extra.py": "",
    "measures/unused.py": "",
    "nets/__init__.py": "from essay_lib.nets import engine, models, plots\n",
    "nets/engine.py": "from .models import MLP\nfrom ..util import checks\n",
    "nets/models.py": "MLP = object\n",
    "nets/plots.py": "from essay_lib.report import plotting\n",
    "nets/deep/__init__.py": f"from {PACKAGE}.nets.deep import unused\n",
    "nets/deep/inner.py": "",
    "nets/deep/unused.py": "",
    "report/__init__.py": "",
    "report/plotting.py": "from essay_lib.nets import engine\n",
    "util/__init__.py": "from essay_lib.util import checks, paths, progress\n",
    "util/checks.py": "",
    "util/paths.py": "",
    "util/progress.py": "from essay_lib.util import paths\n",
    "util/version.py": "VERSION = '0'\n",
}


def _toy_package(tmp_path):
    root = tmp_path / "essay_lib"
    for name, text in TOY_PACKAGE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "nets" / "__pycache__").mkdir()
    (root / "nets" / "__pycache__" / "engine.cpython-311.pyc").write_bytes(b"\0")
    return root


def _rel(paths, root):
    return {p.relative_to(root).as_posix() for p in paths}


def test_the_closure_follows_imports_not_folders(tmp_path):
    root = _toy_package(tmp_path)
    weights = _rel(cache_module.source_files("weights", root), root)
    assert weights == {"experiment/train.py", "nets/engine.py", "nets/models.py",
                       "util/checks.py", "data.py", "nets/deep/inner.py"}
    # not: a package's __init__ as the parent of a submodule (nets/__init__.py would pull
    # in nets/plots.py and report/), nor the presentation-only progress bar (nor what only
    # it imports: util/paths.py), nor modules nobody imports
    record = _rel(cache_module.source_files("record", root), root)
    assert record == weights | {"experiment/metrics.py", "experiment/sweeps.py",
                                "experiment/references.py", "measures/batched.py",
                                "measures/__init__.py", "measures/extra.py"}
    # measures/__init__.py is followed where an import names the package itself (NAME)
    chains = cache_module.import_closure(cache_module.ENTRY_MODULES["weights"], root)
    assert chains["experiment/train.py"] is None
    assert chains["nets/models.py"] == "nets/engine.py"


def test_fingerprint_sees_what_training_reads_and_nothing_else(tmp_path):
    root = _toy_package(tmp_path)
    base = {kind: cache_module.fingerprint(kind, root) for kind in cache_module.KINDS}
    same = {kind: cache_module.fingerprint(kind, root) for kind in cache_module.KINDS}
    assert same == base and base["weights"] != base["record"]  # deterministic, per kind
    assert cache_module.code_fingerprint("weights", package=root) == base["weights"]

    def now(kind="weights"):
        return cache_module.fingerprint(kind, root)

    (root / "nets" / "__pycache__" / "engine.cpython-311.pyc").write_bytes(b"\1")
    (root / "nets" / "plots.py").write_text("# edited\n")
    (root / "util" / "progress.py").write_text("# edited\n")
    (root / "nets" / "new_unused.py").write_text("")
    assert now() == base["weights"] and now("record") == base["record"]
    (root / "measures" / "batched.py").write_text("EDITED = 1  # a measure edited\n")
    assert now() == base["weights"] and now("record") != base["record"]
    (root / "nets" / "models.py").write_text("MLP = int\n")
    edited = now()
    assert edited != base["weights"]
    engine = (root / "nets" / "engine.py").read_text()
    (root / "nets" / "engine.py").write_text(engine + "from .added import f\n")
    (root / "nets" / "added.py").write_text("f = 1\n")
    added = now()
    assert added != edited  # a module added where it is imported
    (root / "nets" / "added.py").rename(root / "nets" / "renamed.py")
    with pytest.raises(FileNotFoundError, match=r"nets/engine.py imports \.added"):
        now()
    (root / "nets" / "engine.py").write_text(engine.replace(".models", ".renamed"))
    (root / "nets" / "renamed.py").write_text("MLP = int\n")
    (root / "nets" / "models.py").unlink()
    assert now() not in (edited, added)  # renamed: the path is hashed with the bytes


def test_a_missing_module_is_an_error(tmp_path):
    root = _toy_package(tmp_path)
    (root / "data.py").unlink()
    with pytest.raises(FileNotFoundError, match="essay_lib.data"):
        cache_module.fingerprint("weights", root)
    (root / "experiment" / "train.py").unlink()
    with pytest.raises(FileNotFoundError, match="essay_lib.experiment.train"):
        cache_module.fingerprint("weights", root)


def test_a_bad_kind_names_kind(cache, tmp_path):
    for call in (lambda: cache_module.source_files("bogus"),
                 lambda: cache_module.fingerprint("bogus"),
                 lambda: cache_module.code_fingerprint("bogus"),
                 lambda: cache.key(CONFIG, "bogus"),
                 lambda: cache.path("0" * 64, "bogus")):
        with pytest.raises(ValueError, match="kind"):
            call()


# ------------------------------------------------------------ the real package
#: where the forward pass lives: the engine after the lead's refactor, today the ensemble step
FORWARD_PASS = ("nets/engine.py", "nets/ensemble_step.py")
#: the batched engine's modules (those present must all be training code)
ENGINE = ("nets/engine.py", "nets/ensemble.py", "nets/ensemble_step.py", "nets/batched_mlp.py")


def _real_closure(kind):
    return _rel(cache_module.source_files(kind), cache_module.PACKAGE_DIR)


def test_the_real_closures():
    weights, record = _real_closure("weights"), _real_closure("record")
    engine = {p for p in ENGINE if (cache_module.PACKAGE_DIR / p).is_file()}
    assert engine and {"data.py", "experiment/train.py", "util/checks.py"} | engine <= weights
    assert weights < record
    assert {"experiment/metrics.py", "experiment/sweeps.py", "experiment/references.py",
            "measures/batched.py", "measures/linearity.py", "measures/subnetworks.py"} <= record
    assert not any(f.startswith("measures/") and f != "measures/names.py" for f in weights)
    for files in (weights, record):
        assert "util/progress.py" not in files
        assert not any(f.startswith(("report/", "site/", "cli/")) for f in files)
        assert not any(f.endswith("__init__.py") for f in files)
    assert "nets/dropout_checks.py" not in record and "experiment/variants.py" not in record
    assert len(cache_module.code_fingerprint("record")) == 64
    assert cache_module.code_fingerprint("record") != cache_module.code_fingerprint("weights")
    assert cache_module.code_fingerprint("weights") == cache_module.fingerprint("weights")


@pytest.fixture
def package_copy(tmp_path):
    """A copy of the real package (its code; not the site's templates)."""
    root = tmp_path / "essay_lib"
    shutil.copytree(cache_module.PACKAGE_DIR, root,
                    ignore=shutil.ignore_patterns("__pycache__", "static", "templates"))
    return root


def _append(path: Path):
    path.write_text(path.read_text() + "\n_EDITED_BY_A_TEST = 1\n")


def _keys(cache, root, monkeypatch):
    """The keys of two configurations of each kind, from the code in the package ``root``:
    ``[weights, record, weights, record]``."""
    codes = {kind: cache_module.fingerprint(kind, root) for kind in cache_module.KINDS}
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda kind="record": codes[kind])
    configs = [CONFIG, {**CONFIG, "lr": 0.5}]
    return [cache.key(c, kind) for c in configs for kind in cache_module.KINDS]


def test_presentation_and_chapter_edits_retrain_nothing(package_copy, cache, monkeypatch):
    root = package_copy
    keys = _keys(cache, root, monkeypatch)
    plot_helper = sorted((root / "report" / "plotting").rglob("*.py"))[-1]
    chapter_helpers = [root / p for p in ("report/penalty_sweep.py", "nets/dropout_checks.py")
                       if (root / p).is_file()]
    assert chapter_helpers
    edited = [plot_helper, root / "util" / "progress.py", *chapter_helpers]
    for path in edited:
        _append(path)
    assert _keys(cache, root, monkeypatch) == keys, f"a key changed on editing {edited}"
    _append(root / "measures" / "batched.py")  # a measure: re-measure, do not retrain
    new = _keys(cache, root, monkeypatch)
    assert new[0::2] == keys[0::2]  # weights keys unchanged, record keys all new
    assert all(a != b for a, b in zip(new[1::2], keys[1::2], strict=True))


def test_prose_comments_and_layout_change_no_key(package_copy, cache, monkeypatch):
    """Keys follow what the code computes: a docstring, a comment or a reformatted line of a
    module that training reads retrains nothing."""
    root = package_copy
    keys = _keys(cache, root, monkeypatch)
    engine = root / "nets" / "engine.py"
    text = engine.read_text()
    assert text.startswith('"""')
    engine.write_text('"""A rewritten docstring."""\n# a new comment\n'
                      + text.split('"""', 2)[2].replace("\n\n\n", "\n\n\n\n"))
    assert _keys(cache, root, monkeypatch) == keys
    assert "code_text" in dir(cache_module)
    engine.write_text(engine.read_text() + "\n_EDITED_BY_A_TEST = 1\n")
    assert _keys(cache, root, monkeypatch) != keys


def test_editing_the_forward_pass_changes_every_key(package_copy, cache, monkeypatch):
    root = package_copy
    keys = _keys(cache, root, monkeypatch)
    forward = next(root / p for p in FORWARD_PASS if (root / p).is_file())
    _append(forward)
    assert all(a != b for a, b in zip(_keys(cache, root, monkeypatch), keys, strict=True))


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


def test_non_finite_values_are_stored_as_none_at_any_depth(tmp_path):
    """A diverged network (another CPU's float kernels can tip one over) has NaN or inf
    inside its loss curve or specification curve; its record is stored, never a crash."""
    from essay_lib.experiment.cache import clean_record

    record = {"z_bar": np.float64("nan"), "curve": {"train_loss": [1.0, float("inf")]},
              "z_spec": {"logits|0.5|inside": float("nan"), "logits|0.1|inside": 0.2},
              "seeds": (1, np.int64(2))}
    clean = clean_record(record)
    assert clean == {"z_bar": None, "curve": {"train_loss": [1.0, None]},
                     "z_spec": {"logits|0.5|inside": None, "logits|0.1|inside": 0.2},
                     "seeds": [1, 2]}
    cache = SweepCache(tmp_path)
    cache.store({"network": 1}, record)
    assert cache.load({"network": 1}) == clean


def test_a_diverged_networks_curve_is_stored_and_read_back_as_nan(tmp_path):
    from essay_lib.experiment.sweeps import _nan_back

    cache = SweepCache(tmp_path)
    curve = {"epoch": [1, 2], "train_loss": [0.5, float("nan")], "test_loss": [0.6, float("inf")]}
    cache.store_arrays({"network": 2}, {"w": np.zeros(2)}, {"curve": curve})
    _, extra = cache.load_arrays({"network": 2})
    assert extra["curve"]["train_loss"] == [0.5, None]
    back = _nan_back(extra["curve"])
    assert back["epoch"] == [1, 2] and np.isnan(back["train_loss"][1])
    assert np.isnan(back["test_loss"][1])  # inf is not kept: JSON has neither
