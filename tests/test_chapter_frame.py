"""Every chapter opens and closes the same way (issue 22), read from the notebooks' sources
without running them:

* the first cell is the title alone (``# NN · Title``), so the site can put the reading time
  right under it;
* the second cell says what the reader will learn (3 or 4 points) and what they need first:
  ``**You will learn**`` and ``**You need**``, each followed by a bulleted list;
* the chapter closes with ``## Takeaways`` before its exercises: a code cell displays them as
  Markdown built from the chapter's own values (so a number or a verdict in them is
  computed), and they never send the reader back to "the tables above".
"""

from __future__ import annotations

import re

import jupytext
import pytest
from conftest import NOTEBOOKS

TITLE = re.compile(r"^# (\d\d|[A-Z]) · \S.*$")
BULLET = re.compile(r"^\* \S", re.M)
#: A takeaway that sends the reader back instead of stating the result.
POINTING_BACK = re.compile(r"\bsee (the )?(tables?|figures?|verdict|sentence)\b|"
                           r"\b(tables?|figures?|sentence|verdict) above\b", re.I)


def cells_of(path):
    return jupytext.read(path).cells


def heading(cell) -> str | None:
    """The cell's first line when it is a markdown heading of level 2."""
    first = cell.source.lstrip().splitlines()[0] if cell.source.strip() else ""
    return first[3:].strip() if cell.cell_type == "markdown" and first.startswith("## ") else None


def opening_problems(cells) -> list[str]:
    problems = []
    if not (cells and cells[0].cell_type == "markdown"
            and TITLE.fullmatch(cells[0].source.strip())):
        problems.append("the first cell must be the title alone: '# NN · Title'")
    if len(cells) < 2 or cells[1].cell_type != "markdown":
        return problems + ["the second cell must be a markdown cell"]
    text = cells[1].source
    if not text.startswith("**You will learn**") or "**You need**" not in text:
        return problems + ["the second cell starts '**You will learn**' and has '**You need**'"]
    learn, need = text.split("**You need**", 1)
    if not 3 <= len(BULLET.findall(learn)) <= 4:
        problems.append(f"{len(BULLET.findall(learn))} learning objectives (3 or 4)")
    if not BULLET.findall(need):
        problems.append("'You need' lists nothing")
    return problems


def closing_problems(cells) -> list[str]:
    headings = [(i, heading(c)) for i, c in enumerate(cells) if heading(c)]
    found = [i for i, h in headings if h == "Takeaways"]
    if len(found) != 1:
        return [f"{len(found)} '## Takeaways' cells (one)"]
    start = found[0]
    later = [i for i, h in headings if i > start]
    end = later[0] if later else len(cells)
    problems = []
    exercises = [i for i, h in headings if h.startswith("Exercises")]
    if exercises and exercises[0] < start:
        problems.append("the takeaways come after the exercises")
    numbered = [i for i, h in headings if re.match(r"\d+ · ", h)]
    if numbered and numbered[-1] > start:
        problems.append("a numbered section follows the takeaways")
    section = cells[start:end]
    if not any(c.cell_type == "code" and "display(Markdown(" in c.source for c in section):
        problems.append("no code cell displays the takeaways as computed Markdown")
    markdown = "\n".join(c.source for c in section if c.cell_type == "markdown")
    everything = "\n".join(c.source for c in section)
    if re.search(r"\babove\b", markdown, re.I) or POINTING_BACK.search(everything):
        problems.append("the takeaways point back ('above', 'see the table') instead of stating")
    return problems


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_chapter_opens_with_what_you_will_learn_and_need(notebook):
    problems = opening_problems(cells_of(notebook))
    assert not problems, f"{notebook.name}: " + "; ".join(problems)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_chapter_closes_with_computed_takeaways(notebook):
    problems = closing_problems(cells_of(notebook))
    assert not problems, f"{notebook.name}: " + "; ".join(problems)


def _cells(*sources):
    from nbformat.v4 import new_code_cell, new_markdown_cell

    return [new_code_cell(s[5:]) if s.startswith("code:") else new_markdown_cell(s)
            for s in sources]


GOOD = ("# 03 · A title", "**You will learn**\n\n* a;\n* b;\n* c.\n\n**You need**\n\n* 02.",
        "## 1 · First", "code:x = 1", "## Takeaways",
        'code:display(Markdown(f"- x is {x}"))', "## Exercises")


def test_the_checks_pass_a_good_chapter_and_name_what_is_wrong():
    assert opening_problems(_cells(*GOOD)) == [] and closing_problems(_cells(*GOOD)) == []
    merged = ("# 03 · A title\n\nProse in the title cell.", *GOOD[1:])
    assert "title alone" in opening_problems(_cells(*merged))[0]
    five = GOOD[1].replace("* c.", "* c;\n* d;\n* e.")
    assert "5 learning objectives" in opening_problems(_cells(GOOD[0], five))[0]
    assert "You need" in opening_problems(_cells(GOOD[0], "**You will learn**\n\n* a"))[0]
    typed = (*GOOD[:4], "## Takeaways\n\n* See the tables above.", *GOOD[5:])
    assert any("point back" in p for p in closing_problems(_cells(*typed)))
    untyped = (*GOOD[:5], "* x is 1", *GOOD[6:])
    assert "computed Markdown" in closing_problems(_cells(*untyped))[0]
    assert "0 '## Takeaways'" in closing_problems(_cells(*GOOD[:4]))[0]
    late = (*GOOD[:4], *GOOD[6:], *GOOD[4:6])
    assert "after the exercises" in closing_problems(_cells(*late))[0]
