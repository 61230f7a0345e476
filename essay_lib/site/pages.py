"""The site's index and gallery pages, written after the chapters (:mod:`essay_lib.site.build`).

The index lists every chapter with its reading time (:mod:`essay_lib.site.reading`, from the
words of its executed notebook) and its run time -- the seconds its stored execution took
(:func:`essay_lib.site.cache.stored_seconds`), so a cached rebuild writes the same bytes --
the headline figure, the gallery and references links, a variant's parameters and the
licence line.  The
gallery (:mod:`essay_lib.site.gallery`) lists every file of the figures folder, copied
into ``html/figures/`` and zipped into ``html/figures.zip``.
"""

from __future__ import annotations

from pathlib import Path

from essay_lib.site import cache, gallery, reading
from essay_lib.site.citations import REFERENCES_PAGE
from essay_lib.util.paths import write_atomic

__all__ = ["executed_notebooks", "reading_times", "write_index_and_gallery"]


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


def write_index_and_gallery(found: list, executed: dict, *, executed_dir: Path,
                            figures_dir: Path, html_dir: Path, title: str, abstract: str,
                            headline: str, variant: dict | None, log,
                            answer: str | None = None) -> list[Path]:
    """Copy the figures into ``html_dir``, write ``figures.zip``, ``gallery.html`` and
    ``index.html``; returns the two pages.

    ``found``: every chapter (:class:`essay_lib.site.build.Chapter`); ``executed``: stem ->
    executed notebook of this build (the others are read from ``executed_dir``);
    ``headline``: the preferred index figure; ``variant``, ``answer``: see
    :func:`essay_lib.site.render.render_index`.
    """
    from essay_lib.site import render  # nbconvert: loaded only when a build renders

    notebooks = executed_notebooks(found, executed, executed_dir)
    minutes = reading_times(found, executed, executed_dir)
    figures = gallery.list_figures(figures_dir, gallery.figure_alts(notebooks))
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
    saved = [n for c in found
             for n in gallery.SAVED_FIGURE.findall(c.source.read_text(encoding="utf-8"))]
    top = gallery.headline_figure(figures, headline, saved)
    if top is None:
        log(f"note: no {headline}.png and no other figure: the index has no figure")
    elif top.name != headline:
        log(f"note: {headline}.png does not exist yet: the index shows {top.png}")
    figure = None if top is None else {
        "src": f"figures/{top.png}", "alt": top.alt,
        "caption": f"{top.alt} (from {_chapter_name(top.number)})"}
    write_atomic(html_dir / "index.html", render.render_index(
        title=title, abstract=abstract, headline=figure, chapters=chapters, variant=variant,
        gallery="gallery.html", references=REFERENCES_PAGE, licence=gallery.LICENCE_TEXT,
        total_time=render.format_seconds(total) if total else None, answer=answer))
    return [html_dir / "index.html", html_dir / "gallery.html"]
