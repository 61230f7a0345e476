"""A chapter notebook -> an nbgrader *source* notebook (the assignment of that chapter).

The chapters' exercises follow the exercise format of issue 23: after a markdown cell
holding the line ``## Exercises``, each exercise is a markdown cell tagged ``exercise``
whose text holds the header ``**Exercise N** (LEVEL · KIND).`` (N = 1, 2, ... in order;
LEVEL ★, ★★ or ★★★; KIND ``pen and paper``, ``conceptual`` or ``computation``), then its
cells tagged ``solution``: a markdown worked solution, code cells (a computation's bind
``answer_N``), and for a computation exercise exactly one code cell tagged ``solution``
and ``check``, last, that asserts facts about ``answer_N`` only.

:func:`source_notebook` turns one such notebook into an nbgrader source notebook
(nbformat in, nbformat out, nothing written and nbgrader not imported; nbgrader is the
optional ``teach`` extra):

* an introduction (markdown) and a set-up cell (figures go to ``figures/`` beside the
  notebook), then the chapter's body, the cells before ``## Exercises``: read-only cells
  that run the chapter so that the exercises can use its objects;
* each exercise's header cell: read-only markdown;
* ``pen and paper`` / ``conceptual``: the worked solution becomes a manually graded answer
  cell (markdown, ``solution`` and ``grade``, points = stars); the student sees
  "YOUR ANSWER HERE".  Its numeric-check code cells are left out (they check the worked
  solution, not the student's);
* ``computation``: the solution's code cells become one autograded answer cell,
  ``answer_N = None`` then the solution (its prose as comments first) between
  ``### BEGIN SOLUTION`` / ``### END SOLUTION``, so that the released version, with
  ``# YOUR CODE HERE`` in place of the solution, runs without a ``NameError``; the
  ``check`` cell becomes a test cell (points = stars): a visible
  ``assert answer_N is not None`` and the real checks between ``### BEGIN HIDDEN TESTS`` /
  ``### END HIDDEN TESTS``.

Every nbgrader cell has a unique ``grade_id`` and ``schema_version`` 3.  A notebook
that breaks the format raises ``ValueError`` naming the notebook and the exercise.
:mod:`essay_lib.site.course` writes the course folder around these notebooks.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass

__all__ = ["EXERCISE_HEADER", "KINDS", "MANUAL_KINDS", "Exercise", "exercise_points",
           "parse_exercises", "source_notebook"]

#: the exercise kinds of the format; the first two are graded by hand
KINDS = ("pen and paper", "conceptual", "computation")
MANUAL_KINDS = ("pen and paper", "conceptual")
SCHEMA_VERSION = 3
_SECTION = re.compile(r"^##\s+Exercises\s*$", re.M)
#: an exercise's header: ``**Exercise N** (LEVEL · KIND).``, groups N, the stars and the kind
EXERCISE_HEADER = re.compile(r"^\*\*Exercise (\d+)\*\* \((★{1,3}) · (" + "|".join(KINDS)
                             + r")\)\.", re.M)
#: a line that looks like an exercise header, well formed or not
_HEADER_LIKE = re.compile(r"^\*\*Exercise\b", re.M)
_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
            "BEGIN MARK SCHEME", "END MARK SCHEME")


@dataclass(frozen=True)
class Exercise:
    """One exercise as the assignment grades it.

    ``number`` N (1, 2, ...), ``stars`` 1-3 (= its points), ``kind`` one of :data:`KINDS`;
    ``grade_id`` of its graded cell: the answer cell (``answer-N``) of a pen-and-paper or
    conceptual exercise, the test cell (``tests-N``) of a computation.
    """

    number: int
    stars: int
    kind: str

    @property
    def points(self) -> int:
        return self.stars

    @property
    def autograded(self) -> bool:
        return self.kind == "computation"

    @property
    def grade_id(self) -> str:
        return f"tests-{self.number}" if self.autograded else f"answer-{self.number}"


@dataclass
class _Cells:
    """An exercise's cells: its header and its solution cells, by role."""

    exercise: Exercise
    header: dict
    prose: list
    code: list
    checks: list
    notes: list


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _nbgrader(grade_id: str, *, grade=False, solution=False, locked=False,
              points: int | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked,
            "schema_version": SCHEMA_VERSION, "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return meta


def _cell(cell_type: str, source: str, nbgrader: dict):
    import nbformat

    new = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
    return new(source, metadata={"nbgrader": nbgrader}, id=nbgrader["grade_id"])


def _read_only(cell, grade_id: str):
    """A copy of ``cell`` locked by nbgrader (cell id = ``grade_id``), outputs and the
    hidden-source flag removed."""
    cell = copy.deepcopy(cell)
    metadata = {k: v for k, v in cell.get("metadata", {}).items() if k not in ("jupyter",)}
    metadata["nbgrader"] = _nbgrader(grade_id, locked=True)
    cell["metadata"], cell["id"] = metadata, grade_id  # ids as stable as the grade ids
    if cell.get("cell_type") == "code":
        cell["outputs"], cell["execution_count"] = [], None
    return cell


def _header(cell, name: str, position: int) -> Exercise:
    text = _source(cell)
    found = list(EXERCISE_HEADER.finditer(text))
    if len(found) != 1:
        first = text.strip().splitlines()[0] if text.strip() else "(empty)"
        raise ValueError(
            f"{name}: exercise header cell {position} ({first[:60]!r}) must hold exactly one "
            "header '**Exercise N** (LEVEL · KIND).' with LEVEL ★, ★★ or ★★★ and KIND one "
            f"of {', '.join(KINDS)}; found {len(found)}")
    number, stars, kind = found[0].groups()
    return Exercise(number=int(number), stars=len(stars), kind=kind)


def parse_exercises(nb, name: str):
    """Split the notebook ``nb`` (nbformat v4) named ``name`` into its body, its section
    preamble and its exercises.

    Returns ``(body, preamble, exercises)``: the cells before the ``## Exercises`` cell; the
    cells from it to the first exercise (untagged markdown and code); one :class:`_Cells`
    per exercise, in order (untagged markdown after an exercise's cells is kept with it as a
    note).  Raises ``ValueError`` naming ``name`` (and the exercise) on any break of the
    format.
    """
    cells = list(nb.get("cells", []))
    start = next((i for i, c in enumerate(cells) if c.get("cell_type") == "markdown"
                  and _SECTION.search(_source(c))), None)
    if start is None:
        raise ValueError(f"{name}: no '## Exercises' section (a markdown cell with that line)")
    for index, cell in enumerate(cells):
        marker = next((m for m in _MARKERS if m in _source(cell)), None)
        if marker:
            raise ValueError(f"{name}: cell {index} contains nbgrader's marker {marker!r}")
    preamble, exercises = [], []
    for index, cell in enumerate(cells[start:], start):
        tags, is_md = _tags(cell), cell.get("cell_type") == "markdown"
        where = f"{name}, exercise {exercises[-1].exercise.number}" if exercises else name
        if "exercise" in tags:
            exercise = _header(cell, name, index)
            if exercise.number != len(exercises) + 1:
                raise ValueError(f"{name}: exercise {exercise.number} (cell {index}) should "
                                 f"be numbered {len(exercises) + 1}: 1, 2, ... in order")
            exercises.append(_Cells(exercise, cell, [], [], [], []))
        elif "solution" in tags:
            if not exercises:
                raise ValueError(f"{name}: solution cell {index} comes before any exercise "
                                 "(is the exercise header tagged 'exercise'?)")
            current = exercises[-1]
            if current.notes:
                raise ValueError(f"{where}: solution cell {index} follows an untagged cell")
            if "check" in tags:
                if is_md:
                    raise ValueError(f"{where}: the check cell {index} must be a code cell")
                current.checks.append(cell)
            elif current.checks:
                raise ValueError(f"{where}: solution cell {index} follows the check cell "
                                 "(the check comes right after the solution cells)")
            else:
                (current.prose if is_md else current.code).append(cell)
        elif is_md and _HEADER_LIKE.search(_source(cell)):
            raise ValueError(f"{where}: markdown cell {index} holds an exercise header but is "
                             "not tagged 'exercise'")
        elif not exercises:
            preamble.append(cell)
        elif is_md:
            exercises[-1].notes.append(cell)
        else:
            raise ValueError(f"{where}: code cell {index} is tagged neither 'exercise' nor "
                             "'solution' (an exercise is its header and its solution cells)")
    if not exercises:
        raise ValueError(f"{name}: the Exercises section holds no cell tagged 'exercise'")
    for cells_of in exercises:
        _check_exercise(cells_of, name)
    return cells[:start], preamble, exercises


def _check_exercise(cells: _Cells, name: str) -> None:
    """The format's rules for one exercise's cells (``ValueError`` naming it)."""
    exercise, where = cells.exercise, f"{name}, exercise {cells.exercise.number}"
    if not cells.prose:
        raise ValueError(f"{where}: no worked solution (a markdown cell tagged 'solution')")
    if not exercise.autograded:
        if cells.checks:
            raise ValueError(f"{where}: a {exercise.kind} exercise has no 'check' cell (it is "
                             "graded by hand; tag a numeric check of the solution 'solution' "
                             "only)")
        return
    answer = f"answer_{exercise.number}"
    if len(cells.checks) != 1:
        raise ValueError(f"{where}: a computation exercise needs exactly one cell tagged "
                         f"'check' (found {len(cells.checks)})")
    if not cells.code:
        raise ValueError(f"{where}: a computation exercise needs solution code cells")
    if not re.search(rf"\b{answer}\b", _source(cells.checks[0])):
        raise ValueError(f"{where}: the check cell does not test {answer}")
    if not _binds(answer, "\n".join(map(_source, cells.code))):
        raise ValueError(f"{where}: the solution cells never bind {answer}")


def _binds(variable: str, code: str) -> bool:
    """Whether ``code`` assigns to the name ``variable`` (also in a tuple target or with
    ``:=``); a regex fallback for code that is not plain Python (IPython magics)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return re.search(rf"^\s*{variable}\s*=(?!=)", code, re.M) is not None
    return any(isinstance(node, ast.Name) and node.id == variable
               and isinstance(node.ctx, ast.Store) for node in ast.walk(tree))


def exercise_points(exercises) -> dict[str, int]:
    """``grade_id`` of each exercise's graded cell -> its points (= stars), in order."""
    return {e.grade_id: e.points for e in exercises}


def _title(body, name: str) -> str:
    for cell in body:
        if cell.get("cell_type") == "markdown":
            heading = re.search(r"^#\s+(.+)$", _source(cell), re.M)
            if heading:
                return heading.group(1).strip()
    return name


def _introduction(title: str, exercises) -> str:
    points = "; ".join(f"exercise {e.number} ({'★' * e.stars} · {e.kind}): {e.points}"
                       for e in exercises)
    total = sum(e.points for e in exercises)
    return (
        f"# Assignment · {title}\n\n"
        "This assignment is the chapter with its exercises left for you to answer. The "
        "notebook first runs the whole chapter (its cells are read-only); the exercises at "
        "the end use the objects the chapter builds, so run every cell in order "
        "(*Kernel ▸ Restart Kernel and Run All Cells*) before you answer and again before "
        "you submit.\n\n"
        "* **Computation** exercises: replace `# YOUR CODE HERE` with code that sets "
        "`answer_N`; the test cell below it checks your answer (some of its checks are "
        "hidden and run when the assignment is graded).\n"
        "* **Pen-and-paper** and **conceptual** exercises: write your answer, in words and "
        "math, in the cell that says YOUR ANSWER HERE; they are graded by hand.\n\n"
        f"Points (one a star): {points}; {total} in all.")


_SETUP = ("import os\n\n"
          "# The chapter's figures go to figures/ beside this notebook.\n"
          "os.environ.setdefault(\"ESSAY_FIGURES_DIR\", \"figures\")")


def _comment(text: str) -> str:
    return "\n".join(f"# {line}".rstrip() for line in text.strip().splitlines())


def _exercise_cells(cells: _Cells) -> list:
    """The assignment's cells of one exercise (nbformat cells with nbgrader metadata)."""
    exercise, n = cells.exercise, cells.exercise.number
    out = [_read_only(cells.header, f"exercise-{n}")]
    prose = "\n\n".join(_source(c).strip() for c in cells.prose)
    if not exercise.autograded:
        out.append(_cell("markdown", prose, _nbgrader(
            exercise.grade_id, grade=True, solution=True, points=exercise.points)))
    else:
        answer = f"answer_{n}"
        code = "\n\n".join(_source(c).strip() for c in cells.code)
        out.append(_cell("code", f"{answer} = None\n### BEGIN SOLUTION\n{_comment(prose)}\n\n"
                                 f"{code}\n### END SOLUTION",
                         _nbgrader(f"solution-{n}", solution=True)))
        check = _source(cells.checks[0]).strip()
        out.append(_cell("code", f"assert {answer} is not None, \"set {answer}\"\n"
                                 f"### BEGIN HIDDEN TESTS\n{check}\n### END HIDDEN TESTS",
                         _nbgrader(exercise.grade_id, grade=True, locked=True,
                                   points=exercise.points)))
    out += [_read_only(c, f"exercise-{n}-note-{k}") for k, c in enumerate(cells.notes, 1)]
    return out


def source_notebook(nb, name: str):
    """The nbgrader source notebook of the chapter notebook ``nb`` (nbformat v4, not
    modified) named ``name`` (e.g. ``"00_introduction"``, used in error messages).

    Returns ``(assignment, exercises)``: a new nbformat v4 notebook (cells described in the
    module docstring; kernelspec kept, language ``python`` by default) and the tuple of
    :class:`Exercise` (points: :func:`exercise_points`).  ``ValueError`` naming ``name`` and
    the exercise when ``nb`` breaks the exercise format.
    """
    import nbformat

    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str, got {name!r}")
    if not hasattr(nb, "get") or "cells" not in nb:
        raise TypeError(f"nb must be an nbformat notebook, got {type(nb).__name__}")
    body, preamble, exercises = parse_exercises(nb, name)
    info = [c.exercise for c in exercises]
    cells = [_cell("markdown", _introduction(_title(body, name), info),
                   _nbgrader("assignment-intro", locked=True)),
             _cell("code", _SETUP, _nbgrader("assignment-setup", locked=True))]
    cells += [_read_only(c, f"chapter-{i:03d}") for i, c in enumerate(body)]
    cells += [_read_only(c, f"exercises-{i}") for i, c in enumerate(preamble)]
    for exercise_cells in exercises:
        cells += _exercise_cells(exercise_cells)
    kernelspec = dict(nb.get("metadata", {}).get(
        "kernelspec", {"display_name": "Python 3", "name": "python3"}))
    kernelspec.setdefault("language", "python")
    assignment = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": kernelspec})
    return assignment, tuple(info)
