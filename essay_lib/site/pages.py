"""The site's index and gallery pages, written after the chapters (:mod:`essay_lib.site.build`).

The index lists every chapter with its reading time (:mod:`essay_lib.site.reading`, from the
words of its executed notebook) and its run time -- the seconds its stored execution took
(:func:`essay_lib.site.cache.stored_seconds`), so a cached rebuild writes the same bytes --
the headline figure, the gallery, instructors and references links, a variant's parameters and the
licence line.  It opens with the essay's answer in plain words, before anything technical
(:data:`FRONT_FILES`, read from the figures folder by :func:`read_front`): the answer and
the mechanism's sentence, the figure of what the networks learned (:data:`LEARNED_FIGURE`),
the paper's analogy table with its ✓/✗ marks; the technical part (abstract, headline
figure) follows.  The
gallery (:mod:`essay_lib.site.gallery`) lists every file of the figures folder in reading
order, numbered and captioned as on the chapter pages (:mod:`essay_lib.site.numbering`),
copied into ``html/figures/`` and zipped into ``html/figures.zip``.
"""

from __future__ import annotations

from pathlib import Path

from essay_lib.site import cache, gallery, instructors, numbering, reading
from essay_lib.site.citations import REFERENCES_PAGE
from essay_lib.util.paths import write_atomic

__all__ = ["FRONT_FILES", "LEARNED_CAPTION", "LEARNED_FIGURE", "executed_notebooks",
           "read_front", "reading_times", "write_index_and_gallery"]

#: What the index shows first, in this order, read from the figures folder: chapter 05's
#: answer in plain words, chapter 06's mechanism sentence, chapter 08's analogy table.
FRONT_FILES = {"answer": "05-answer.md", "mechanism": "06-mechanism.md",
               "analogy": "08-analogy-table.md"}
#: Which chapter writes each of :data:`FRONT_FILES` (the note when one is missing).
FRONT_CHAPTERS = {"answer": "05", "mechanism": "06", "analogy": "08"}
#: The index's first figure: what the networks learned at four drop rates (chapter 04).
LEARNED_FIGURE = "04-learned-functions"
#: Its caption: what to see in it (reader text: no file names).
LEARNED_CAPTION = ("What the networks learned at four drop rates, from none to 0.7: on the "
                   "one-dimensional quadratic (top) and the two moons (bottom), the higher "
                   "the drop rate, the fewer sharp bends the learned function makes "
                   "(from chapter 04).")


def executed_notebooks(found: list, executed: dict, executed_dir: Path) -> list:
    """The executed notebook of every chapter that has one (this build's, else the stored)."""
    import nbformat

    notebooks = []
    for chapter in found:
        path = executed_dir / f"{chapter.stem}.ipynb"
        if chapter.stem in executed:
            notebooks.append(executed[chapter.stem])
        elif path.exists():
            notebooks.append(nbformat.read(path, as_version=4))
    return notebooks


def _chapter_name(number: str) -> str:
    """``"chapter 05"`` or ``"appendix A"``: how the index names a figure's chapter (never
    by the figure's file name, which is the build's business)."""
    return f"appendix {number}" if number.isalpha() else f"chapter {number}"


def reading_times(found: list, executed: dict, executed_dir: Path) -> dict[str, int]:
    """Minutes to read each chapter that has an executed notebook (this build's, else the
    stored one), by :func:`essay_lib.site.reading.reading_minutes`."""
    import nbformat

    minutes = {}
    for chapter in found:
        path = executed_dir / f"{chapter.stem}.ipynb"
        nb = executed.get(chapter.stem) or (nbformat.read(path, as_version=4)
                                            if path.exists() else None)
        if nb is not None:
            minutes[chapter.stem] = reading.reading_minutes(nb)
    return minutes


def read_front(figures_dir: Path, log=print) -> dict[str, str | None]:
    """The texts of :data:`FRONT_FILES` in ``figures_dir`` (key -> text, ``None`` for a
    missing or empty file, with a note to ``log`` saying which chapter writes it)."""
    front = {}
    for key, name in FRONT_FILES.items():
        path = Path(figures_dir) / name
        text = path.read_text(encoding="utf-8").strip() if path.exists() else ""
        front[key] = text or None
        if not text:
            log(f"note: no {name} in {figures_dir} (chapter {FRONT_CHAPTERS[key]} writes "
                "it): the index goes without it")
    return front


def write_index_and_gallery(found: list, executed: dict, *, executed_dir: Path,
                            figures_dir: Path, html_dir: Path, title: str, abstract: str,
                            headline: str, variant: dict | None, log,
                            answer: str | None = None, mechanism: str | None = None,
                            analogy: str | None = None,
                            learned: str | None = LEARNED_FIGURE) -> list[Path]:
    """Copy the figures into ``html_dir``, write ``figures.zip``, ``gallery.html``,
    ``instructors.html`` (:mod:`essay_lib.site.instructors`) and ``index.html``; returns the
    three pages.

    ``found``: every chapter (:class:`essay_lib.site.build.Chapter`); ``executed``: stem ->
    executed notebook of this build (the others are read from ``executed_dir``);
    ``headline``: the preferred index figure; ``variant``, ``answer``, ``mechanism``,
    ``analogy``: see :func:`essay_lib.site.render.render_index` (:func:`read_front` reads
    the last three); ``learned``: the figure shown first, under the answer (``None``: none).
    """
    from essay_lib.site import render  # nbconvert: loaded only when a build renders

    notebooks = executed_notebooks(found, executed, executed_dir)
    minutes = reading_times(found, executed, executed_dir)
    sources = [(c.number, c.source.read_text(encoding="utf-8")) for c in found]
    figures = gallery.list_figures(figures_dir, gallery.figure_alts(notebooks),
                                   numbering.figure_numbers(sources))
    gallery.copy_figures(figures, figures_dir, html_dir)
    zip_name = "figures.zip" if figures else None
    if figures:
        gallery.write_zip(figures, figures_dir, html_dir / zip_name)
    chapters = []
    for c in found:
        seconds = cache.stored_seconds(executed_dir, c.stem)
        chapters.append({"href": c.page, "number": c.number, "title": c.title,
                         "summary": c.summary, "built": (html_dir / c.page).exists(),
                         "time": render.format_seconds(seconds) if seconds else None,
                         "seconds": seconds, "reading": minutes.get(c.stem)})
    total = sum(c["seconds"] or 0.0 for c in chapters)
    links = [{"number": c["number"], "title": c["title"],
              "href": c["href"] if c["built"] else None} for c in chapters]
    write_atomic(html_dir / "gallery.html", render.render_gallery(
        title=title, groups=gallery.gallery_groups(figures, links), zip_name=zip_name,
        licence=gallery.LICENCE_TEXT))
    teaching = instructors.write_instructors_page(found, figures, html_dir, title=title,
                                                  licence=gallery.LICENCE_TEXT)
    saved = [n for _, source in sources for n in numbering.saved_figures(source)]
    top = gallery.headline_figure(figures, headline, saved)
    if top is None:
        log(f"note: no {headline}.png and no other figure: the index has no figure")
    elif top.name != headline:
        log(f"note: {headline}.png does not exist yet: the index shows {top.png}")
    figure = None if top is None else {
        "src": f"figures/{top.png}", "alt": top.alt,
        "caption": f"{top.alt} (from {_chapter_name(top.number)})"}
    by_name = {f.name: f for f in figures if f.png}
    first = None
    if learned is not None and learned in by_name:
        first = {"src": f"figures/{by_name[learned].png}", "alt": by_name[learned].alt,
                 "caption": LEARNED_CAPTION}
        if figure is not None and top.name == learned:  # not twice: the headline goes
            figure = None
    elif learned is not None:
        log(f"note: {learned}.png does not exist yet: the index opens without it")
    write_atomic(html_dir / "index.html", render.render_index(
        title=title, abstract=abstract, headline=figure, chapters=chapters, variant=variant,
        gallery="gallery.html", references=REFERENCES_PAGE, licence=gallery.LICENCE_TEXT,
        instructors=teaching.name,
        total_time=render.format_seconds(total) if total else None, answer=answer,
        mechanism=mechanism, analogy=analogy, learned=first))
    return [html_dir / "index.html", html_dir / "gallery.html", teaching]
