"""The house in floors (DESIGN.md §7): the import contracts hold, and fail on an upward import,
on the site reaching into the science (or the science into the site) and on the package root
importing a floor; modules stay readable in one sitting; notebooks stay thin."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import NOTEBOOKS, REPO

PACKAGE = REPO / "essay_lib"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_MODULE_LINES = 400
MAX_CELL_LINES = 15


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """Run import-linter on the package under ``root`` with ``root/pyproject.toml``."""
    return subprocess.run([str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"),
                           "--no-cache"], cwd=root, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})


def test_the_import_contract_holds():
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize("module, line, contract", [
    ("util/checks.py", "from essay_lib.report import vocabulary", "Floors"),
    ("nets/models.py", "import essay_lib.experiment.spec", "Floors"),
    ("measures/linearity.py", "from essay_lib.site import render", "Floors"),
    ("site/render.py", "import torch", "without torch"),
    ("site/render.py", "from essay_lib import data", "beside the science"),
    ("site/gallery.py", "from essay_lib.report import vocabulary", "beside the science"),
    ("report/tables.py", "from essay_lib.site import render", "Floors"),
    ("__init__.py", "from essay_lib.report.plotting import set_style", "package root"),
    ("__init__.py", "import essay_lib.nets.models", "package root"),
])
def test_the_contract_fails_on_an_upward_import(tmp_path, module, line, contract):
    shutil.copytree(PACKAGE, tmp_path / "essay_lib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "essay_lib" / module
    target.write_text(target.read_text() + f"\n{line}  # added by the test\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout
    assert "BROKEN" in result.stdout and contract in result.stdout


def test_every_module_has_a_floor_and_reads_in_one_sitting():
    floors = {"util", "nets", "measures", "experiment", "report", "site", "cli"}
    top_level = {"__init__.py", "__main__.py", "data.py"}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        assert (relative.parts[0] in floors) or (str(relative) in top_level), (
            f"essay_lib/{relative} lives on no floor of DESIGN.md §7")
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= MAX_MODULE_LINES, f"essay_lib/{relative} has {lines} lines"


# ---------------------------------------------------------------- thin notebooks
_CELL = re.compile(r"^# %%(.*)$", re.M)


def code_cells(text: str) -> list[tuple[int, str]]:
    """(line number, source) of every code cell of a jupytext percent notebook."""
    marks = list(_CELL.finditer(text))
    cells = []
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        if "[markdown]" in mark.group(1):
            continue
        body = text[mark.end(): following.start() if following else len(text)]
        cells.append((text[: mark.start()].count("\n") + 1, body))
    return cells


def cell_problems(source: str) -> list[str]:
    """Why a notebook code cell breaks the thin-notebook rules (empty list: it does not)."""
    problems = []
    lines = [line for line in source.splitlines() if line.strip()]
    if len(lines) > MAX_CELL_LINES:
        problems.append(f"{len(lines)} non-blank lines (at most {MAX_CELL_LINES})")
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            problems.append(f"defines {node.name!r} (helpers belong in essay_lib)")
        elif isinstance(node, ast.Lambda):
            problems.append("defines a lambda (helpers belong in essay_lib)")
        elif isinstance(node, ast.Attribute) and node.attr == "set_num_threads":
            problems.append("sets a thread count (essay_lib.report.session.setup does)")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names]
            module = getattr(node, "module", None) or ""
            if module == "time" or "time" in names:
                problems.append("imports time (pages must not print wall-clock seconds)")
            if module.startswith("essay_lib") and any(n.startswith("_") for n in names):
                problems.append(f"imports a private name from {module}")
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                and not node.attr.startswith("__") and isinstance(node.value, ast.Name):
            problems.append(f"uses the private name {node.value.id}.{node.attr}")
    return problems


@pytest.mark.parametrize("source, expected", [
    ("x = 1\n", []),
    ("\n".join(f"x{i} = {i}" for i in range(16)), ["16 non-blank lines"]),
    ("def f(x):\n    return x\n", ["defines 'f'"]),
    ("class A:\n    pass\n", ["defines 'A'"]),
    ("f = lambda x: x\n", ["lambda"]),
    ("import torch\ntorch.set_num_threads(2)\n", ["thread count"]),
    ("import time\n", ["imports time"]),
    ("from essay_lib.report.verdict import _where\n", ["private name"]),
    ("y = verdict._where(1)\n", ["private name verdict._where"]),
    ("x = np.__version__\n", []),
])
def test_the_cell_rules_catch_what_they_should(source, expected):
    problems = cell_problems(source)
    assert len(problems) == len(expected)
    for problem, fragment in zip(problems, expected, strict=True):
        assert fragment in problem


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_cells_are_thin(notebook):
    text = notebook.read_text(encoding="utf-8")
    bad = [f"line {line}: {'; '.join(problems)}" for line, source in code_cells(text)
           if (problems := cell_problems(source))]
    assert not bad, f"{notebook.name}:\n" + "\n".join(bad)
