"""Every chapter's exercises have range (issue 23): the format the assignments read
(:func:`essay_lib.site.assignments.parse_exercises`), a pen-and-paper or conceptual exercise
in every chapter, more than one level, and solutions that show the computation with public
names instead of presentation scaffolding.  Fast: the notebooks are read, not run."""

from __future__ import annotations

import re

import jupytext
import pytest
from conftest import NOTEBOOKS_DIR

from essay_lib.site import assignments

CHAPTERS = sorted(p for p in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.py"))
#: Names a solution must not call: presentation helpers and internals of the package.
SCAFFOLDING = re.compile(r"\bwording\.|\bvocabulary\.join_names|mc_convergence_many|"
                         r"\b[a-z_]+\._[a-z]\w*\(|\"So (partly|yes|no)")


@pytest.fixture(params=CHAPTERS, ids=lambda p: p.stem)
def exercises(request):
    nb = jupytext.read(request.param)
    _, _, found = assignments.parse_exercises(nb, request.param.stem)
    return request.param.stem, nb, [cells.exercise for cells in found]


def test_every_chapter_has_exercises_in_the_format(exercises):
    stem, _, found = exercises
    assert len(found) >= 3, f"{stem}: {len(found)} exercises (at least 3)"
    assert [e.number for e in found] == list(range(1, len(found) + 1)), stem


def test_every_chapter_has_a_pen_and_paper_or_conceptual_exercise_and_range(exercises):
    stem, _, found = exercises
    kinds = [e.kind for e in found]
    stars = {e.stars for e in found}
    assert set(kinds) & set(assignments.MANUAL_KINDS), f"{stem}: no pen-and-paper exercise"
    assert 1 in stars and stars & {2, 3}, f"{stem}: levels {sorted(stars)}"


def test_solutions_show_computation_not_scaffolding(exercises):
    stem, nb, _ = exercises
    start = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"
                 and c.source.lstrip().startswith("## Exercises"))
    for cell in nb.cells[start:]:
        if cell.cell_type == "code" and "solution" in cell.metadata.get("tags", []):
            found = SCAFFOLDING.search(cell.source)
            assert not found, f"{stem}: a solution cell uses {found.group(0)!r}"
