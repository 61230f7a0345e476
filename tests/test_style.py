"""The code style: ruff (its rules in ``pyproject.toml``) finds nothing in the package, the
tests, the benchmarks or the notebooks, so ``make test``, CI and ``make check`` all check it
(``make lint`` runs the same command, with the import contract of test_architecture.py)."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO

CHECKED = ("essay_lib", "tests", "benchmarks", "notebooks")


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *CHECKED],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"ruff check:\n{result.stdout}{result.stderr}"
