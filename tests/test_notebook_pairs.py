"""Paired notebooks: every notebooks/NN_name.py has its .ipynb twin with the same cells, and
no .ipynb carries outputs.

The comparison uses jupytext's own API (``jupytext.read`` of both files, then the cell
types and sources one by one, and ``jupytext.compare.compare_notebooks``, which ignores
outputs but not cell metadata).  ``jupytext --diff`` is no check: it exits 0 even when the
two files differ.  To fix a failure: ``.venv/bin/jupytext --sync notebooks/NN_name.py``
(and clear outputs before committing an .ipynb).
"""

from __future__ import annotations

import os
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupytext.compare import NotebookDifference, compare_notebooks

from essay_lib.site.build import notebook_paths

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = Path(os.environ.get("ESSAY_TEST_NOTEBOOKS") or REPO / "notebooks").resolve()
FORMATS = "ipynb,py:percent"


def missing_partners(folder: Path) -> list[str]:
    """Names of NN_*.py without an .ipynb twin and of NN_*.ipynb without a .py twin."""
    py = {p.stem for p in notebook_paths(folder, ".py")}
    ipynb = {p.stem for p in notebook_paths(folder, ".ipynb")}
    return ([f"{name}.py has no {name}.ipynb" for name in sorted(py - ipynb)]
            + [f"{name}.ipynb has no {name}.py" for name in sorted(ipynb - py)])


def pair_differences(py_path: Path) -> list[str]:
    """Why ``NN_name.py`` and ``NN_name.ipynb`` are not the same notebook ([] when they are)."""
    ipynb_path = py_path.with_suffix(".ipynb")
    from_py = jupytext.read(py_path)
    from_ipynb = jupytext.read(ipynb_path)
    problems = []
    if from_py.metadata.get("jupytext", {}).get("formats") != FORMATS:
        problems.append(f"{py_path.name}: the header must pair formats {FORMATS!r}")
    if len(from_py.cells) != len(from_ipynb.cells):
        problems.append(f"{py_path.name} has {len(from_py.cells)} cells, "
                        f"{ipynb_path.name} has {len(from_ipynb.cells)}")
    for i, (a, b) in enumerate(zip(from_py.cells, from_ipynb.cells, strict=False)):
        if (a.cell_type, a.source) != (b.cell_type, b.source):
            problems.append(f"cell {i} differs: {a.cell_type} {a.source[:60]!r} in .py, "
                            f"{b.cell_type} {b.source[:60]!r} in .ipynb")
            break
    try:
        compare_notebooks(from_ipynb, from_py, fmt="py:percent")
    except NotebookDifference as error:
        problems.append(f"jupytext: {str(error)[:400]}")
    return problems


def output_problems(ipynb_path: Path) -> list[str]:
    """Code cells of the raw .ipynb that carry outputs or execution counts."""
    notebook = nbformat.read(ipynb_path, as_version=4)
    nbformat.validate(notebook)
    return [f"{ipynb_path.name} cell {i}: " + ("has outputs" if cell.outputs else
                                                f"execution_count={cell.execution_count}")
            for i, cell in enumerate(notebook.cells)
            if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)]


PY_FILES = notebook_paths(NOTEBOOKS_DIR, ".py")
IPYNB_FILES = notebook_paths(NOTEBOOKS_DIR, ".ipynb")


def test_there_are_notebooks():
    assert PY_FILES, f"no NN_name.py notebooks in {NOTEBOOKS_DIR}"


def test_every_notebook_has_its_pair():
    assert missing_partners(NOTEBOOKS_DIR) == []


@pytest.mark.parametrize("py_path", PY_FILES, ids=lambda p: p.stem)
def test_pair_has_the_same_cells(py_path):
    if not py_path.with_suffix(".ipynb").exists():
        pytest.fail(f"{py_path.name} has no .ipynb twin")
    problems = pair_differences(py_path)
    assert not problems, (f"{py_path.name} and its .ipynb are out of sync (run "
                          f"`.venv/bin/jupytext --sync {py_path}`): " + "; ".join(problems))


@pytest.mark.parametrize("ipynb_path", IPYNB_FILES, ids=lambda p: p.stem)
def test_ipynb_carries_no_outputs(ipynb_path):
    problems = output_problems(ipynb_path)
    assert not problems, "commit notebooks without outputs: " + "; ".join(problems)


# --- the checks themselves catch what they should -------------------------------------------

HEADER = """# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---
"""
BODY = "\n# %% [markdown]\n# # Title\n\n# %%\nx = 1\nprint(x)\n"


@pytest.fixture
def pair(tmp_path):
    """A synced pair NN_demo.py / NN_demo.ipynb in a temporary folder."""
    py_path = tmp_path / "07_demo.py"
    py_path.write_text(HEADER + BODY)
    notebook = jupytext.read(py_path)
    jupytext.write(notebook, py_path.with_suffix(".ipynb"), fmt="ipynb")
    return py_path


def test_checks_pass_on_a_synced_pair(pair):
    assert missing_partners(pair.parent) == []
    assert pair_differences(pair) == []
    assert output_problems(pair.with_suffix(".ipynb")) == []


def test_checks_catch_an_edited_py(pair):
    pair.write_text(HEADER + BODY.replace("x = 1", "x = 2"))
    problems = pair_differences(pair)
    assert any("cell 1 differs" in p for p in problems)
    assert any(p.startswith("jupytext:") for p in problems)


def test_checks_catch_an_added_cell(pair):
    pair.write_text(HEADER + BODY + "\n# %%\ny = 3\n")
    assert any("has 3 cells" in p for p in pair_differences(pair))


def test_checks_catch_a_changed_cell_type(pair):
    pair.write_text(HEADER + BODY.replace("# %% [markdown]\n# # Title", "# %%\n# # Title"))
    assert pair_differences(pair)


def test_checks_catch_a_missing_partner(pair):
    (pair.parent / "08_lonely.py").write_text(HEADER + BODY)
    pair.unlink()
    assert missing_partners(pair.parent) == ["08_lonely.py has no 08_lonely.ipynb",
                                             "07_demo.ipynb has no 07_demo.py"]


def test_checks_catch_outputs_and_execution_counts(pair):
    ipynb_path = pair.with_suffix(".ipynb")
    notebook = nbformat.read(ipynb_path, as_version=4)
    code = notebook.cells[1]
    code.execution_count = 1
    nbformat.write(notebook, ipynb_path)
    assert output_problems(ipynb_path) == ["07_demo.ipynb cell 1: execution_count=1"]
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    nbformat.write(notebook, ipynb_path)
    assert output_problems(ipynb_path) == ["07_demo.ipynb cell 1: has outputs"]
    assert pair_differences(pair) == [], "outputs alone do not put a pair out of sync"
