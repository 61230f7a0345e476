"""The nbgrader course folder: one assignment per chapter (``python -m essay_lib assignments``).

:func:`write_course` converts chapter notebooks (:mod:`essay_lib.site.assignments`) and
writes, under the course folder::

    nbgrader_config.py                 course id, "# YOUR CODE HERE" stubs, cell time limit
    README.md                          for the instructor: generate, release, autograde, grade
    source/<NN_name>/<NN_name>.ipynb   the nbgrader source notebook of each chapter

The chapters need no data files: they generate their data locally and import
``essay_lib``, which must be installed where the notebooks run (students and the grading
machine alike); a chapter that reads cached sweeps finds them in ``$ESSAY_CACHE_DIR``.
Every notebook is converted before anything is written, so a broken chapter leaves the
folder as it was.  An existing ``nbgrader_config.py`` is kept (an instructor may have
edited it); ``gradebook.db``, ``release/``, ``submitted/`` and the rest are not touched.

:func:`run_nbgrader` runs ``python -m nbgrader`` in a course folder (nbgrader is the
optional ``teach`` extra, imported only by that subprocess).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from essay_lib.site.assignments import Exercise, source_notebook
from essay_lib.util.paths import write_atomic

__all__ = ["COURSE_ID", "Assignment", "nbgrader_config", "run_nbgrader", "write_course"]

#: the course id written into nbgrader_config.py
COURSE_ID = "dropout-and-linearity"
#: seconds a cell may run when nbgrader executes a notebook (autograde): chapters train
CELL_TIMEOUT = 600


@dataclass(frozen=True)
class Assignment:
    """One chapter's assignment: its nbgrader name (the notebook's stem), its exercises and
    the path of its source notebook."""

    name: str
    exercises: tuple[Exercise, ...]
    path: Path

    @property
    def points(self) -> int:
        return sum(e.points for e in self.exercises)


def nbgrader_config(course_id: str = COURSE_ID, cell_timeout: int = CELL_TIMEOUT) -> str:
    """The text of the course's ``nbgrader_config.py``."""
    if not isinstance(course_id, str) or not course_id.replace("-", "").replace("_", "") \
            .isalnum():
        raise ValueError(f"course_id must be letters, digits, '-' or '_', got {course_id!r}")
    if isinstance(cell_timeout, bool) or not isinstance(cell_timeout, int) or cell_timeout < 1:
        raise ValueError(f"cell_timeout must be a positive int (seconds), got {cell_timeout!r}")
    return (
        '"""nbgrader configuration of the course written by `python -m essay_lib assignments`."""\n'
        "\n"
        "c = get_config()  # noqa: F821 - nbgrader provides it\n"
        "\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        "# A released notebook runs from top to bottom without an error: the stub of a code\n"
        "# answer is a comment (nbgrader's default raises NotImplementedError), and each\n"
        "# answer cell binds answer_N = None before it.\n"
        "c.ClearSolutions.code_stub = {'python': '# YOUR CODE HERE'}\n"
        "c.ClearSolutions.text_stub = 'YOUR ANSWER HERE'\n"
        "# Each notebook first runs its whole chapter, which trains small networks.\n"
        f"c.Execute.timeout = {cell_timeout}\n")


_README = """\
# {course_id}: assignments of the essay "Dropout and Linearity"

Written by `python -m essay_lib assignments` (or `make assignments`) from the chapters'
exercises: one nbgrader assignment per chapter, in `source/<NN_name>/`.

| assignment | exercises | graded by hand | autograded | points |
|---|---|---|---|---|
{rows}

Each notebook runs its chapter first (read-only cells), then asks the chapter's
exercises. Pen-and-paper and conceptual exercises have a markdown answer cell graded by
hand (the source notebook holds the worked solution); computation exercises have an
answer cell (`answer_N = None`, then `# YOUR CODE HERE` in the student's version) and a
test cell with a visible check and hidden tests. Points are the exercises' stars.

Students and the grading machine need `essay_lib` installed (`pip install -e .` of the
essay; the chapters make their data locally). Chapters that read cached sweeps find them
in `$ESSAY_CACHE_DIR` (default: the essay checkout's `.cache/sweeps`).

With nbgrader installed (`pip install -e ".[teach]"` in the essay's checkout) and its
environment activated (`source .venv/bin/activate`: nbgrader runs the `alembic` script it
finds on PATH), in this folder:

    nbgrader generate_assignment 00_introduction       # release/00_introduction/: no solutions
    nbgrader release_assignment 00_introduction        # to the exchange (JupyterHub courses)
    # ... students fetch, work and submit; then, or with files copied by hand to
    # submitted/<student_id>/00_introduction/00_introduction.ipynb:
    nbgrader collect 00_introduction
    nbgrader autograde 00_introduction                 # runs each submission, fills gradebook.db
    nbgrader formgrader                                # or JupyterLab's Formgrader: grade by hand
    nbgrader generate_feedback 00_introduction

`nbgrader_config.py` sets the course id, the answer stubs and a cell time limit of
{timeout} s; `python -m essay_lib assignments` keeps it when it exists. See nbgrader's
documentation (https://nbgrader.readthedocs.io) for the exchange and JupyterHub set-up.
"""


def _readme(assignments: list[Assignment], course_id: str) -> str:
    rows = []
    for a in assignments:
        manual = sum(e.points for e in a.exercises if not e.autograded)
        auto = a.points - manual
        rows.append(f"| {a.name} | {len(a.exercises)} | {manual} | {auto} | {a.points} |")
    return _README.format(course_id=course_id, rows="\n".join(rows), timeout=CELL_TIMEOUT)


def write_course(notebooks, out_dir, course_id: str = COURSE_ID) -> list[Assignment]:
    """Write the course folder ``out_dir`` from the chapter ``notebooks`` (paths of jupytext
    ``.py`` or ``.ipynb`` files named ``NN_name``); returns one :class:`Assignment` each.

    ``ValueError`` (naming the notebook and exercise) when a notebook breaks the exercise
    format, raised before anything is written; ``ValueError`` for an empty list or two
    notebooks with the same name.
    """
    import jupytext
    import nbformat

    paths = [Path(p) for p in notebooks]
    if not paths:
        raise ValueError("notebooks is empty: no chapter to make an assignment of")
    names = [p.stem for p in paths]
    if len(set(names)) != len(names):
        raise ValueError(f"notebooks has two notebooks with the same name: {names}")
    config = nbgrader_config(course_id)
    out_dir = Path(out_dir)
    converted = [(p.stem, *source_notebook(jupytext.read(p), p.stem)) for p in paths]
    assignments = []
    for name, notebook, exercises in converted:
        path = out_dir / "source" / name / f"{name}.ipynb"
        write_atomic(path, nbformat.writes(notebook) + "\n")
        assignments.append(Assignment(name, exercises, path))
    if not (out_dir / "nbgrader_config.py").exists():
        write_atomic(out_dir / "nbgrader_config.py", config)
    write_atomic(out_dir / "README.md", _readme(assignments, course_id))
    return assignments


def nbgrader_available() -> bool:
    """Whether nbgrader (the ``teach`` extra) is installed in this interpreter."""
    return importlib.util.find_spec("nbgrader") is not None


def run_nbgrader(course_dir, *args: str, timeout: float = 600,
                 env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m nbgrader <args>`` in ``course_dir`` with this interpreter; returns the
    completed process (output captured as text; the caller checks ``returncode``).

    ``timeout`` (seconds) bounds the whole command (``subprocess.TimeoutExpired``); ``env``
    is the subprocess's environment (default: this one), with this interpreter's folder put
    first on ``PATH`` (nbgrader runs the ``alembic`` script installed beside it, also from
    a virtual environment that is not activated).  ``RuntimeError`` when nbgrader is not
    installed.
    """
    course_dir = Path(course_dir)
    if not course_dir.is_dir():
        raise ValueError(f"course_dir {course_dir} is not a folder")
    if not nbgrader_available():
        raise RuntimeError("nbgrader is not installed: pip install -e \".[teach]\" "
                           "(or make assignments)")
    env = dict(os.environ if env is None else env)
    scripts = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([scripts, *(p for p in env.get("PATH", "").split(os.pathsep)
                                              if p and p != scripts)])
    return subprocess.run([sys.executable, "-m", "nbgrader", *map(str, args)], cwd=course_dir,
                          capture_output=True, text=True, timeout=timeout, env=env)
