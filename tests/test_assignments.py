"""Chapter notebooks -> nbgrader source notebooks (essay_lib.site.assignments, .course).

Fast, without nbgrader or a kernel: a tiny synthetic chapter in the exercise format
(one pen-and-paper exercise, two computation exercises of 2 and 3 stars) is converted,
its metadata, points and markers checked, and its source and "released" versions (the
solution regions replaced as nbgrader's ClearSolutions does) run with ``exec``.  The
tests that run nbgrader itself are in ``test_assignments_nbgrader.py``.
"""

from __future__ import annotations

import copy
import io
import re
from contextlib import redirect_stdout

import jupytext
import nbformat
import pytest

from essay_lib import cli
from essay_lib.cli.assignments import chapter_paths
from essay_lib.site import assignments, course

#: a chapter in the exercise format: a body, then 1 pen-and-paper and 2 computation exercises
SYNTHETIC_CHAPTER = '''\
# %% [markdown]
# # 99 · Synthetic: a tiny chapter

# %% tags=["parameters"]
SCALE = 3

# %%
import numpy as np
from IPython.display import Markdown, display

values = np.arange(5) * SCALE

# %% [markdown]
# ## Exercises
#
# Three small exercises.

# %% [markdown] tags=["exercise"]
# **Exercise 1** (★ · pen and paper). Show that the mean of `values` is $2 s$.

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 1.** The mean of $0, \\dots, 4$ is $2$, so the mean of $0, s, \\dots, 4s$ is $2s$.

# %% tags=["solution"] jupyter={"source_hidden": true}
assert values.mean() == 2 * SCALE  # NUMERIC CHECK OF SOLUTION 1

# %% [markdown] tags=["exercise"]
# **Exercise 2** (★★ · computation). Compute the sum of `values` as `answer_2`.

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 2.** Add them up: PROSE OF SOLUTION 2.

# %% tags=["solution"] jupyter={"source_hidden": true}
answer_2 = int(values.sum())

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown(f"The sum is {answer_2}."))

# %% tags=["solution", "check"] jupyter={"source_hidden": true}
assert answer_2 == 10 * SCALE

# %% [markdown] tags=["exercise"]
# **Exercise 3** (★★★ · computation). The largest value, as a float `answer_3`.

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 3.** The last one.

# %% tags=["solution"] jupyter={"source_hidden": true}
answer_3 = float(values.max())

# %% tags=["solution", "check"] jupyter={"source_hidden": true}
reference = 4 * SCALE
assert np.isclose(answer_3, reference)
'''
NAME = "99_synthetic"
#: grade_id of each exercise's graded cell -> points (= stars)
POINTS = {"answer-1": 1, "tests-2": 2, "tests-3": 3}


def chapter(text: str = SYNTHETIC_CHAPTER):
    return jupytext.reads(text, fmt="py:percent")


def by_id(nb) -> dict:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


def released(nb):
    """What nbgrader's generate_assignment leaves of a code cell: solution regions ->
    '# YOUR CODE HERE', hidden tests removed (markdown answers are checked separately)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.source = re.sub(r"### BEGIN SOLUTION.*?### END SOLUTION", "# YOUR CODE HERE",
                             cell.source, flags=re.S)
        cell.source = re.sub(r"\n?### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", "",
                             cell.source, flags=re.S)
    return nb


def run_cells(nb) -> dict[str, str]:
    """exec every code cell in one namespace; grade_id -> the error it raised (or '')."""
    namespace, errors = {}, {}
    with redirect_stdout(io.StringIO()):
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            try:
                exec(compile(cell.source, "<cell>", "exec"), namespace)  # noqa: S102
                errors[cell.metadata["nbgrader"]["grade_id"]] = ""
            except Exception as error:  # noqa: BLE001 - recorded, asserted on below
                errors[cell.metadata["nbgrader"]["grade_id"]] = f"{type(error).__name__}: {error}"
    return errors


@pytest.fixture(scope="module")
def converted():
    return assignments.source_notebook(chapter(), NAME)


def test_exercises_kinds_and_points_come_from_the_headers(converted):
    _, exercises = converted
    assert [(e.number, e.stars, e.kind) for e in exercises] == [
        (1, 1, "pen and paper"), (2, 2, "computation"), (3, 3, "computation")]
    assert assignments.exercise_points(exercises) == POINTS


def test_nbgrader_metadata_is_valid_and_unique(converted):
    nb, _ = converted
    nbformat.validate(nb)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells]
    assert len(ids) == len(set(ids)) == len(nb.cells), "every cell needs its own grade_id"
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", i) for i in ids)
    assert all(c.metadata["nbgrader"]["schema_version"] == 3 for c in nb.cells)
    graded = {i: c.metadata["nbgrader"] for i, c in by_id(nb).items()
              if c.metadata["nbgrader"]["grade"]}
    assert {i: m["points"] for i, m in graded.items()} == POINTS
    assert nb.metadata["kernelspec"]["language"] == "python"


def test_cell_roles(converted):
    cells = by_id(converted[0])
    answer = cells["answer-1"]
    assert answer.cell_type == "markdown"
    assert answer.metadata["nbgrader"] | {"grade_id": "", "points": 0} == {
        "grade": True, "solution": True, "locked": False, "task": False, "schema_version": 3,
        "grade_id": "", "points": 0}
    assert answer.source.startswith("**Solution 1.**")
    for n in (2, 3):
        solution, tests = cells[f"solution-{n}"], cells[f"tests-{n}"]
        assert solution.metadata["nbgrader"]["solution"] and not solution.metadata[
            "nbgrader"]["grade"]
        assert tests.metadata["nbgrader"]["grade"] and not tests.metadata["nbgrader"][
            "solution"]
        assert cells[f"exercise-{n}"].metadata["nbgrader"]["locked"]
    for grade_id, cell in cells.items():
        if grade_id.startswith("chapter-"):
            assert cell.metadata["nbgrader"]["locked"] and "jupyter" not in cell.metadata


def test_markers_and_stubs(converted):
    cells = by_id(converted[0])
    solution = cells["solution-2"].source
    assert solution.startswith("answer_2 = None\n### BEGIN SOLUTION\n")
    assert solution.endswith("### END SOLUTION")
    assert "answer_2 = int(values.sum())" in solution and "display(Markdown" in solution
    assert "# **Solution 2.** Add them up: PROSE OF SOLUTION 2." in solution
    tests = cells["tests-3"].source
    assert tests.splitlines()[0] == 'assert answer_3 is not None, "set answer_3"'
    hidden = re.search(r"### BEGIN HIDDEN TESTS\n(.*)\n### END HIDDEN TESTS$", tests, re.S)
    assert hidden and hidden.group(1) == ("reference = 4 * SCALE\n"
                                         "assert np.isclose(answer_3, reference)")


def test_the_chapter_body_is_kept_and_the_pen_and_paper_check_left_out(converted):
    nb, _ = converted
    text = "\n".join(c.source for c in nb.cells)
    assert "NUMERIC CHECK OF SOLUTION 1" not in text
    body = [c.source for c in chapter().cells[:3]]
    kept = [c.source for c in nb.cells if c.metadata["nbgrader"]["grade_id"].startswith(
        "chapter-")]
    assert kept == body
    assert nb.cells[0].source.startswith("# Assignment · 99 · Synthetic: a tiny chapter")
    assert "6 in all" in nb.cells[0].source


def test_the_source_version_passes_and_the_released_one_runs_and_fails_only_its_tests(
        converted):
    nb, _ = converted
    assert all(not e for e in run_cells(nb).values()), run_cells(nb)
    errors = run_cells(released(nb))
    failing = {i: e for i, e in errors.items() if e}
    assert failing == {"tests-2": "AssertionError: set answer_2",
                       "tests-3": "AssertionError: set answer_3"}


def test_a_wrong_answer_fails_its_hidden_test_only(converted):
    nb = copy.deepcopy(converted[0])
    by_id(nb)["solution-3"].source += "\nanswer_3 = -1.0"
    failing = {i for i, e in run_cells(nb).items() if e}
    assert failing == {"tests-3"}


def test_the_input_notebook_is_not_modified():
    nb = chapter()
    before = copy.deepcopy(nb)
    assignments.source_notebook(nb, NAME)
    assert nb == before


def _edit(old: str, new: str) -> str:
    assert old in SYNTHETIC_CHAPTER, old
    return SYNTHETIC_CHAPTER.replace(old, new)


@pytest.mark.parametrize("text, message", [
    (_edit("# ## Exercises", "# ## Problems"), "no '## Exercises' section"),
    (_edit("(★★ · computation)", "(★★★★ · computation)"), "exercise header cell"),
    (_edit("(★ · pen and paper)", "(★ · essay)"), "exercise header cell"),
    (_edit("**Exercise 3** (★★★", "**Exercise 4** (★★★"), "should be numbered 3"),
    (_edit('# %% tags=["solution", "check"] jupyter={"source_hidden": true}\n'
           "assert answer_2", '# %% tags=["solution"] jupyter={"source_hidden": true}\n'
           "assert answer_2"), "exercise 2: a computation exercise needs exactly one"),
    (_edit("assert answer_2 == 10 * SCALE", "assert values.sum() == 10 * SCALE"),
     "exercise 2: the check cell does not test answer_2"),
    (_edit("answer_3 = float(values.max())", "biggest = float(values.max())"),
     "exercise 3: the solution cells never bind answer_3"),
    (_edit('# %% tags=["solution"] jupyter={"source_hidden": true}\nassert values.mean()',
           '# %% tags=["solution", "check"] jupyter={"source_hidden": true}\n'
           "assert values.mean()"), "exercise 1: a pen and paper exercise has no 'check'"),
    (_edit('# %% [markdown] tags=["exercise"]\n# **Exercise 2**',
           "# %% [markdown]\n# **Exercise 2**"), "not tagged 'exercise'"),
    (_edit('# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}\n'
           "# **Solution 3.** The last one.\n\n", ""), "exercise 3: no worked solution"),
    (_edit('# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}\n'
           "# **Solution 3.**", "# %% [markdown]\n# **Solution 3.**"),
     "exercise 3: solution cell 14 follows an untagged cell"),
    (_edit("# %%\nimport numpy", "# %%\n# ### BEGIN SOLUTION\nimport numpy"),
     "nbgrader's marker"),
    (SYNTHETIC_CHAPTER + "\n# %%\nprint(answer_3)\n", "exercise 3: code cell"),
])
def test_bad_chapters_are_refused_naming_notebook_and_exercise(text, message):
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        assignments.source_notebook(chapter(text), NAME)
    assert str(error.value).startswith(NAME)


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError, match="nb"):
        assignments.source_notebook("not a notebook", NAME)
    with pytest.raises(TypeError, match="name"):
        assignments.source_notebook(chapter(), "")
    with pytest.raises(ValueError, match="course_id"):
        course.nbgrader_config("a course")
    with pytest.raises(ValueError, match="notebooks is empty"):
        course.write_course([], "unused")


@pytest.fixture
def chapters(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / f"{NAME}.py").write_text(SYNTHETIC_CHAPTER)
    (folder / "98_other.py").write_text(SYNTHETIC_CHAPTER)
    (folder / "A_appendix.py").write_text(SYNTHETIC_CHAPTER)
    return folder


def test_write_course(chapters, tmp_path):
    out = tmp_path / "course"
    written = course.write_course(chapter_paths(chapters), out)
    assert [a.name for a in written] == ["98_other", NAME]
    assert [a.points for a in written] == [6, 6]
    nb = nbformat.read(out / "source" / NAME / f"{NAME}.ipynb", as_version=4)
    assert nb == assignments.source_notebook(chapter(), NAME)[0]
    config = (out / "nbgrader_config.py").read_text()
    compile(config, "nbgrader_config.py", "exec")
    assert "c.ClearSolutions.code_stub = {'python': '# YOUR CODE HERE'}" in config
    assert f"c.CourseDirectory.course_id = {course.COURSE_ID!r}" in config
    readme = (out / "README.md").read_text()
    assert f"| {NAME} | 3 | 1 | 5 | 6 |" in readme and "nbgrader autograde" in readme
    (out / "nbgrader_config.py").write_text("# edited by the instructor\n")
    (chapters / "98_other.py").write_text(SYNTHETIC_CHAPTER.replace("## Exercises", "## X"))
    with pytest.raises(ValueError, match="98_other: no '## Exercises'"):
        course.write_course(chapter_paths(chapters), out)
    course.write_course([chapters / f"{NAME}.py"], out)
    assert (out / "nbgrader_config.py").read_text() == "# edited by the instructor\n"


def test_chapter_paths_choose_numbered_chapters_or_named_ones(chapters):
    assert [p.stem for p in chapter_paths(chapters)] == ["98_other", NAME]
    assert [p.stem for p in chapter_paths(chapters, ["A", "99"])] == [NAME, "A_appendix"]
    with pytest.raises(ValueError, match="--only 42"):
        chapter_paths(chapters, ["42"])


def test_the_command(chapters, tmp_path, capsys):
    out = tmp_path / "course"
    assert cli.main(["assignments", "--notebooks", str(chapters), "--out", str(out),
                     "--only", "99"]) == 0
    printed = capsys.readouterr().out
    assert f"{NAME}: 3 exercises, 6 points" in printed
    assert (out / "source" / NAME / f"{NAME}.ipynb").exists()
    assert not (out / "source" / "98_other").exists()
    (chapters / f"{NAME}.py").write_text(SYNTHETIC_CHAPTER.replace("answer_2 ==", "0 =="))
    assert cli.main(["assignments", "--notebooks", str(chapters), "--out", str(out)]) == 1
    assert "exercise 2: the check cell does not test answer_2" in capsys.readouterr().err
