"""The instructors' page (:mod:`essay_lib.site.instructors`) and its lecture plans
(:mod:`essay_lib.site.lecture_plans`), checked against the notebooks: every planned
section is a real ``## `` heading, the minutes add up to 50, every planned figure is saved
by its chapter, prerequisites come earlier and are named in the chapter's "You need"; the
exercise parser and the rule that picks the exercise to assign; the page renders every
chapter with links that resolve (the browser check is in tests/test_site.py)."""

from __future__ import annotations

import html
import re

import pytest
from conftest import NOTEBOOKS, NOTEBOOKS_DIR

from essay_lib.site import bibliography, build, gallery, instructors
from essay_lib.site.instructors import Exercise, choose_exercise, parse_exercises
from essay_lib.site.lecture_plans import LECTURE_MINUTES, PLANS

CHAPTERS = build.find_chapters(NOTEBOOKS_DIR)


def _source(stem: str) -> str:
    return (NOTEBOOKS_DIR / f"{stem}.py").read_text(encoding="utf-8")


def test_every_chapter_has_a_plan_and_every_plan_a_chapter():
    assert set(PLANS) == {p.stem for p in NOTEBOOKS}


@pytest.mark.parametrize("stem", sorted(PLANS))
def test_a_plan_matches_its_notebook(stem):
    plan, source = PLANS[stem], _source(stem)
    headings = instructors.notebook_headings(source)
    missing = [h for h, _ in plan.sections if h not in headings]
    assert not missing, f"{stem}: no such ## heading: {missing}"
    assert plan.minutes == LECTURE_MINUTES
    assert all(isinstance(m, int) and m > 0 for _, m in plan.sections)
    order = [h for h in headings if h in {h for h, _ in plan.sections}]
    assert [h for h, _ in plan.sections] == order, f"{stem}: sections out of reading order"
    saved = gallery.SAVED_FIGURE.findall(source)
    assert set(plan.figures) <= set(saved), f"{stem}: not saved here: " \
        f"{sorted(set(plan.figures) - set(saved))}"
    assert list(plan.figures) == [n for n in saved if n in plan.figures], "reading order"
    number = stem.split("_")[0]
    needs = instructors.you_need([{"cell_type": "markdown", "source": cell} for cell in
                                  re.split(r"^# %%.*$", source, flags=re.M)])
    for earlier in plan.prerequisites:
        assert earlier in {c.number for c in CHAPTERS}, f"{stem}: no chapter {earlier}"
        assert earlier < number or number.isalpha(), f"{stem}: {earlier} comes later"
        assert needs and f"{int(earlier):02d}" in needs, f"{stem}: {earlier} not in You need"
    assert plan.goal.endswith(".")


def test_the_notebook_headings_and_you_need():
    source = "# %% [markdown]\n# ## 1 · One\n# text\n# ## Two $Z$\n#\n# ### three\n"
    assert instructors.notebook_headings(source) == ["1 · One", "Two $Z$"]
    cells = [{"cell_type": "markdown", "source": "**You will learn**\n\n* a\n\n**You need**"
              "\n\n* chapter 01;\n* maths."}]
    assert instructors.you_need(cells) == "* chapter 01;\n* maths."
    assert instructors.you_need([{"cell_type": "markdown", "source": "no list"}]) is None


def _cell(source: str, tags=("exercise",), kind="markdown") -> dict:
    return {"cell_type": kind, "source": source, "metadata": {"tags": list(tags)}}


def test_exercises_are_parsed_from_their_headers():
    cells = [
        _cell("**Exercise 1** (★ · pen and paper). Show that $Z$ is unchanged."),
        _cell("**Solution 1.** Because ...", tags=("solution",)),
        _cell("**Exercise 2** (★★★ · computation). Compute\n  $D$ for $x^3$."),
        _cell("**Exercise 3** (★★ · conceptual). Why?"),
        _cell("1. Set `MC_RATE = 0.2`. Old style."),  # tagged, but no header
        _cell("**Exercise 4** (★★ · computation). Train.", tags=()),  # not tagged
    ]
    parsed, tagged = parse_exercises(cells)
    assert tagged == 4
    assert parsed == [
        Exercise(1, 1, "pen and paper", "Show that $Z$ is unchanged."),
        Exercise(2, 3, "computation", "Compute $D$ for $x^3$."),
        Exercise(3, 2, "conceptual", "Why?")]
    assert parsed[1].stars == "★★★"
    assert parse_exercises([_cell("**Exercise 1** (★★★★ · computation). x")]) == ([], 1)
    assert parse_exercises([_cell("**Exercise 1** (★ · essay). x")]) == ([], 1)


def test_the_exercise_to_assign():
    e = [Exercise(1, 1, "pen and paper", ""), Exercise(2, 2, "conceptual", ""),
         Exercise(3, 2, "computation", ""), Exercise(4, 3, "computation", "")]
    assert choose_exercise(e).number == 3  # ★★, computation first
    assert choose_exercise(e[:3:2] + e[1:2]).number == 3
    assert choose_exercise([e[0], e[1]]).number == 2  # ★★ though not computation
    assert choose_exercise([e[0], e[3]]).number == 4  # no ★★: ★★★ before ★
    assert choose_exercise([e[0]]).number == 1
    assert choose_exercise([]) is None


def test_heading_anchors_are_the_pages_ids():
    assert instructors.heading_anchor("1 · The mechanism") == "1-%C2%B7-The-mechanism"
    assert instructors.heading_anchor("Exercises") == "Exercises"


def test_the_page_renders_every_chapter_with_links_that_resolve(tmp_path):
    figures = gallery.list_figures(NOTEBOOKS_DIR.parent / "figures")
    path = instructors.write_instructors_page(CHAPTERS, figures, tmp_path, title="T",
                                              licence="CC BY 4.0")
    page = path.read_text(encoding="utf-8")
    anchors = {c.page: {instructors.heading_anchor(h)
                        for h in instructors.notebook_headings(_source(c.stem))}
               for c in CHAPTERS}
    for chapter in CHAPTERS:
        assert f'id="chapter-{chapter.number}"' in page
        assert f'<a href="{chapter.page}">{chapter.number} &middot;' in page \
            or f'<a href="{chapter.page}">{chapter.number} ·' in page
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', page)]
    ids = set(re.findall(r'id="([^"]+)"', page))
    for href in hrefs:
        target, _, fragment = href.partition("#")
        if not target:
            assert fragment in ids, href
        elif target == "references.html":
            assert fragment in bibliography.by_key(), href
        elif target in anchors:
            assert not fragment or fragment in anchors[target], href
        else:
            assert target in {"index.html", "gallery.html", "essay.css"}, href
    assert page.count("<tr><td>") == sum(len(p.sections) for p in PLANS.values())
    assert "nbgrader generate_assignment" in page and "nbgrader autograde" in page
    assert "make assignments" in page and "make pdf" in page
