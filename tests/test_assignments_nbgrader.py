"""nbgrader itself on the assignments (marker ``nbgrader``: in ``make test``, not ``make check``).

For a course written by :func:`essay_lib.site.course.write_course`, in a temporary folder
with its own gradebook: ``nbgrader generate_assignment`` succeeds, then three submissions
are autograded in one ``nbgrader autograde`` run (bounded in time):

* ``instructor``: the source notebook, solutions included -> full marks on every
  autograded cell;
* ``student``: the released notebook untouched -> it runs to the end, only its test cells
  fail (``set answer_N``), and it scores zero on every graded cell;
* ``wrong``: the released notebook with the instructor's answers filled in, one of them
  deliberately wrong -> it loses exactly that exercise's points.

First on the tiny synthetic chapter of ``test_assignments.py`` (seconds), then on chapter
00 (the chapter runs three times: about a minute and a half), and
``generate_assignment`` on every chapter (no execution).  The kernels inherit this
environment (``ESSAY_CACHE_DIR`` included, where set).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from conftest import NOTEBOOKS_DIR, REPO
from test_assignments import NAME, POINTS, SYNTHETIC_CHAPTER

from essay_lib.cli.assignments import chapter_paths
from essay_lib.site import course

pytest.importorskip("nbgrader")
pytestmark = pytest.mark.nbgrader

#: seconds for one `nbgrader autograde` of the three submissions of one chapter
AUTOGRADE_TIMEOUT = 900
STUDENTS = ("instructor", "student", "wrong")
REAL_CHAPTER = "00_introduction"


def grade_ids(nb, prefix: str) -> list[str]:
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith(prefix)]


def wrong_submission(source, release, wrong_id: str, wrong_line: str):
    """The released notebook with every answer cell of the source filled in and
    ``wrong_line`` appended to the answer cell ``wrong_id``."""
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    assert wrong_id in answers, f"no answer cell {wrong_id}"
    nb = nbformat.from_dict(release)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers and cell.cell_type == "code":
            cell.source = answers[grade_id] + (f"\n{wrong_line}" if grade_id == wrong_id else "")
    return nb


def scores(root: Path, name: str) -> dict[str, dict[str, tuple]]:
    """student -> grade_id -> (auto score, max score), read from the gradebook."""
    with pytest.MonkeyPatch.context() as patch:  # nbgrader runs `alembic` from PATH
        patch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
            return {s: {g.name: (g.auto_score, g.max_score)
                        for g in gradebook.find_submission_notebook(name, name, s).grades}
                    for s in STUDENTS}


def graded_course(root: Path, chapter: Path, wrong_line) -> SimpleNamespace:
    """Write, generate, submit (instructor / student / wrong) and autograde one chapter;
    ``wrong_line(exercises) -> (answer grade_id, line)`` picks the wrong answer."""
    name = chapter.stem
    (assignment,) = course.write_course([chapter], root)
    generated = course.run_nbgrader(root, "generate_assignment", name, timeout=300)
    assert generated.returncode == 0, generated.stderr[-3000:]
    source = nbformat.read(assignment.path, as_version=4)
    release = nbformat.read(root / "release" / name / f"{name}.ipynb", as_version=4)
    wrong_id, line = wrong_line(assignment.exercises)
    submissions = {"instructor": source, "student": release,
                   "wrong": wrong_submission(source, release, wrong_id, line)}
    for student, nb in submissions.items():
        folder = root / "submitted" / student / name
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{name}.ipynb")
    graded = course.run_nbgrader(root, "autograde", name, "--create",
                                 timeout=AUTOGRADE_TIMEOUT)
    assert graded.returncode == 0, graded.stderr[-5000:]
    autograded = {s: nbformat.read(root / "autograded" / s / name / f"{name}.ipynb",
                                   as_version=4) for s in STUDENTS}
    return SimpleNamespace(name=name, root=root, assignment=assignment, release=release,
                           wrong_id=wrong_id, scores=scores(root, name), autograded=autograded)


def errors_by_cell(nb) -> dict[str, str]:
    """grade_id (or cell index) -> 'Name: value' of each cell that raised."""
    found = {}
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                key = cell.metadata.get("nbgrader", {}).get("grade_id", str(index))
                found[key] = f"{output['ename']}: {output['evalue']}"
    return found


def check_course(graded: SimpleNamespace) -> None:
    """The four promises of the module docstring."""
    exercises = graded.assignment.exercises
    release_text = "\n".join(c.source for c in graded.release.cells)
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in release_text, f"the released notebook still holds {marker!r}"
    auto = {e.grade_id: e.points for e in exercises if e.autograded}
    assert auto, "no computation exercise: nothing is autograded"
    instructor, student, wrong = (graded.scores[s] for s in STUDENTS)
    assert {g: instructor[g] for g in auto} == {g: (p, p) for g, p in auto.items()}, instructor
    assert errors_by_cell(graded.autograded["instructor"]) == {}
    assert {g: s for g, (s, _) in student.items()} == {e.grade_id: 0 for e in exercises}
    assert errors_by_cell(graded.autograded["student"]) == {
        g: f"AssertionError: set answer_{g.split('-')[1]}" for g in auto}
    lost = graded.wrong_id.replace("solution-", "tests-")
    assert {g: wrong[g][0] for g in auto} == {g: 0 if g == lost else p for g, p in auto.items()}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    chapter = tmp_path_factory.mktemp("notebooks") / f"{NAME}.py"
    chapter.write_text(SYNTHETIC_CHAPTER)
    return graded_course(root, chapter, lambda exercises: ("solution-3", "answer_3 = -1.0"))


def test_synthetic_chapter_is_generated_and_graded(synthetic):
    check_course(synthetic)
    assert {g: m for g, (_, m) in synthetic.scores["instructor"].items()} == POINTS


def test_synthetic_scores(synthetic):
    """The numbers: instructor 5 of 5 autograded points (plus 1 by hand), student 0, the
    submission with a wrong answer to exercise 3 (3 points) 2."""
    totals = {s: sum(a or 0 for g, (a, _) in synthetic.scores[s].items() if g.startswith("tests"))
              for s in STUDENTS}
    assert totals == {"instructor": 5, "student": 0, "wrong": 2}


def _first_computation(exercises):
    computation = [e for e in exercises if e.autograded]
    assert computation, "the chapter has no computation exercise"
    n = computation[0].number
    return f"solution-{n}", f"answer_{n} = object()  # deliberately wrong"


def test_a_real_chapter_is_generated_and_graded(tmp_path):
    chapter = NOTEBOOKS_DIR / f"{REAL_CHAPTER}.py"
    check_course(graded_course(tmp_path, chapter, _first_computation))


def test_every_chapter_generates(tmp_path):
    """`python -m essay_lib assignments --generate`: every chapter converts and nbgrader's
    generate_assignment accepts it (nothing is executed)."""
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "essay_lib", "assignments", "--generate", "--out",
         str(tmp_path), "--notebooks", str(NOTEBOOKS_DIR)],
        capture_output=True, text=True, cwd=REPO, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    names = [p.stem for p in chapter_paths(NOTEBOOKS_DIR)]
    assert names, f"no chapters in {NOTEBOOKS_DIR}"
    for name in names:
        release = nbformat.read(tmp_path / "release" / name / f"{name}.ipynb", as_version=4)
        assert grade_ids(release, "exercise-"), f"{name}: no exercise in the released notebook"
        assert "BEGIN SOLUTION" not in "\n".join(c.source for c in release.cells)
