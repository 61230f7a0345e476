"""The site's page for instructors, ``html/instructors.html`` (written by :mod:`.pages`).

For every chapter: a 50-minute lecture plan (:mod:`essay_lib.site.lecture_plans`: the
sections, linked to their headings on the chapter page, with minutes; the figures to show,
as thumbnails linking to the gallery), the chapters to teach first and the chapter's own
"You need" list, and the exercise to assign, chosen by :data:`ASSIGN_RULE` from the
chapter's exercises.  Then how to make and grade assignments (``make assignments``,
nbgrader) and the PDF edition (``make pdf``).

Everything but the plans is read from the notebooks when the page is built, so the page
follows the chapters: exercises are the cells tagged ``exercise`` whose text opens with
``**Exercise N** (★★ · pen and paper).`` (level ★ to ★★★; kind pen and paper, conceptual
or computation); a chapter whose exercises do not parse is sent to its own exercises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from essay_lib.site.assignments import EXERCISE_HEADER
from essay_lib.site.lecture_plans import LECTURE_MINUTES, PLANS
from essay_lib.util.paths import write_atomic

__all__ = ["ASSIGN_RULE", "INSTRUCTORS_PAGE", "Exercise", "choose_exercise", "heading_anchor",
           "notebook_headings", "parse_exercises", "write_instructors_page", "you_need"]

INSTRUCTORS_PAGE = "instructors.html"
#: How the exercise to assign is chosen (said on the page; :func:`choose_exercise`).
ASSIGN_RULE = ("the first ★★ exercise, a computation one first (nbgrader grades it "
               "automatically); without a ★★ exercise the first ★★★, then the first ★")
_HEADING = re.compile(r"^# ## (.+?)\s*$", re.M)
_YOU_NEED = re.compile(r"\*\*You need\*\*\s*\n(.*)", re.S)


@dataclass(frozen=True)
class Exercise:
    """One parsed exercise: its ``number``, ``level`` (1 to 3 stars), ``kind`` (one of
    :data:`essay_lib.site.assignments.KINDS`) and ``text`` (its question, markdown)."""

    number: int
    level: int
    kind: str
    text: str

    @property
    def stars(self) -> str:
        """The level as stars: ``"★★"``."""
        return "★" * self.level


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def parse_exercises(cells) -> tuple[list[Exercise], int]:
    """The exercises of a notebook's ``cells`` (dicts or nbformat cells): every markdown
    cell tagged ``exercise`` whose text opens with ``**Exercise N** (LEVEL · KIND).``;
    returns ``(parsed, tagged)``, ``tagged`` counting every cell tagged ``exercise``."""
    parsed, tagged = [], 0
    for cell in cells:
        if "exercise" not in _tags(cell):
            continue
        tagged += 1
        source = cell.get("source", "").strip()
        match = EXERCISE_HEADER.match(source) if cell.get("cell_type") == "markdown" else None
        if match:  # the assignments' format (essay_lib.site.assignments), one home
            parsed.append(Exercise(int(match.group(1)), len(match.group(2)), match.group(3),
                                   " ".join(source[match.end():].split())))
    return parsed, tagged


def choose_exercise(exercises: list[Exercise]) -> Exercise | None:
    """The exercise to assign after the lecture, by :data:`ASSIGN_RULE`; ``None`` for none."""
    level_rank = {2: 0, 3: 1, 1: 2}
    return min(exercises, default=None,
               key=lambda e: (level_rank.get(e.level, 3), e.kind != "computation", e.number))


def notebook_headings(source: str) -> list[str]:
    """The ``## `` headings of a jupytext percent notebook's text (``# ## Heading`` lines),
    in order, without the ``## ``."""
    return _HEADING.findall(source)


def you_need(cells) -> str | None:
    """The markdown after ``**You need**`` in the first markdown cell that has it."""
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            match = _YOU_NEED.search(cell.get("source", ""))
            if match and match.group(1).strip():
                return match.group(1).strip()
    return None


def heading_anchor(heading: str) -> str:
    """The ``id`` the chapter page gives the ``## heading`` (nbconvert's, math included)."""
    from essay_lib.site import render

    found = re.search(r'<h2 id="([^"]+)"', render.markdown_to_html(f"## {heading}"))
    if not found:
        raise ValueError(f"heading {heading!r}: the renderer gave it no id")
    return found.group(1)


def _chapter_entry(chapter, figures: dict, numbers: dict) -> dict:
    """What the page shows for one chapter (``figures``: name -> gallery Figure)."""
    import jupytext

    from essay_lib.site import render
    from essay_lib.site.citations import link_citations
    from essay_lib.site.gallery import SAVED_FIGURE

    text = chapter.source.read_text(encoding="utf-8")
    cells = jupytext.reads(text, fmt="py:percent").cells
    exercises, tagged = parse_exercises(cells)
    needs = you_need(cells)
    saved = SAVED_FIGURE.findall(text)
    plan = PLANS.get(chapter.stem)
    entry = {"number": chapter.number, "title": chapter.title, "href": chapter.page,
             "stem": chapter.stem, "plan": None, "exercises": exercises, "tagged": tagged,
             "assign": choose_exercise(exercises), "figure_count": len(saved),
             "exercises_href": f"{chapter.page}#{heading_anchor('Exercises')}",
             "needs": render.markdown_to_html(link_citations(needs)) if needs else None,
             "exercise_html": {e.number: render.markdown_to_html(link_citations(e.text))
                               for e in exercises}}
    if plan is not None:
        headings = set(notebook_headings(text))
        entry["plan"] = {
            "goal": plan.goal, "minutes": plan.minutes,
            "sections": [{"heading": render.markdown_to_html(h).strip().removeprefix("<p>")
                          .removesuffix("</p>"), "minutes": m,
                          "href": f"{chapter.page}#{heading_anchor(h)}" if h in headings
                          else None} for h, m in plan.sections],
            "figures": [{"name": n, "alt": figures[n].alt if n in figures else n,
                         "src": f"figures/{figures[n].png}" if n in figures and figures[n].png
                         else None, "href": f"gallery.html#{n}"} for n in plan.figures],
            "prerequisites": [numbers[n] for n in plan.prerequisites if n in numbers]}
    return entry


def write_instructors_page(found: list, figures: list, html_dir: Path, *, title: str,
                           licence: str | None = None) -> Path:
    """Write ``html_dir/instructors.html``; returns its path.

    ``found``: the chapters (:class:`essay_lib.site.build.Chapter`), ``figures``: the
    gallery's figures (:func:`essay_lib.site.gallery.list_figures`).  A chapter without a
    plan in :data:`~essay_lib.site.lecture_plans.PLANS` is listed without one."""
    from essay_lib.site import render

    by_name = {f.name: f for f in figures}
    numbers = {c.number: {"number": c.number, "title": c.title, "href": c.page} for c in found}
    chapters = [_chapter_entry(c, by_name, numbers) for c in found]
    page = render.render_template("instructors.html.j2", title=title, chapters=chapters,
                                   lecture_minutes=LECTURE_MINUTES, rule=ASSIGN_RULE,
                                   licence=licence)
    return write_atomic(Path(html_dir) / INSTRUCTORS_PAGE, page)
