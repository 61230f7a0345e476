"""Figure numbers, computed in reading order, and the numbered captions of chapter pages.

A figure is what a notebook saves with ``plotting.save_figure(fig, "NN-short-name")``
(:data:`SAVED_FIGURE` finds the calls in a notebook's source or cells, in order).  Its
number is "Figure C.k": ``C`` the chapter's number without its leading zero (``"05"`` ->
``5``; an appendix keeps its letter, ``A``), ``k`` the position of that ``save_figure``
call among the chapter's calls, counted from 1.  Nothing is typed: adding or moving a
figure renumbers the ones after it on the page, in the gallery and in the zip alike.

On a chapter page (:func:`mark_figures`, called by :func:`essay_lib.site.render.
render_chapter`) the PNG that a saving cell displays gets output metadata
``essay_figure`` = ``{"name", "label", "caption"}``; the page template wraps that image in
``<figure>`` with ``<figcaption>`` "Figure C.k. caption" (:mod:`essay_lib.site.captions`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass

from essay_lib.site import captions

__all__ = ["SAVED_FIGURE", "FigureNumber", "chapter_label", "figure_numbers", "figure_text",
           "mark_figures", "saved_figures"]

#: ``save_figure(fig, "NN-name")`` in a notebook's source; group 1 is the name.
SAVED_FIGURE = re.compile(r"save_figure\(\s*[^,()]+,\s*[\"']((?:\d\d|[A-Z])-[a-z0-9-]+)[\"']")
_CHAPTER = re.compile(r"^(?:\d\d|[A-Z])$")


def chapter_label(chapter: str) -> str:
    """How a figure number names its chapter: ``"05"`` -> ``"5"``, ``"A"`` -> ``"A"``."""
    if not isinstance(chapter, str) or not _CHAPTER.match(chapter):
        raise ValueError(f"chapter must be two digits or one capital letter, got {chapter!r}")
    return chapter if chapter.isalpha() else str(int(chapter))


@dataclass(frozen=True)
class FigureNumber:
    """Where a figure stands in reading order: its ``name``, the ``chapter`` (``"NN"`` or a
    letter) whose notebook saves it, ``position`` (that chapter's place among the chapters,
    from 0) and ``index`` (its place among the chapter's figures, from 1)."""

    name: str
    chapter: str
    position: int
    index: int

    @property
    def label(self) -> str:
        """``"Figure 5.2"``."""
        return f"Figure {chapter_label(self.chapter)}.{self.index}"

    @property
    def order(self) -> tuple[int, int]:
        """Sort key in reading order: chapter, then figure."""
        return self.position, self.index


def saved_figures(source: str) -> list[str]:
    """The figure names ``source`` (a notebook's text or a cell's) saves, in order."""
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, got {type(source).__name__}")
    return SAVED_FIGURE.findall(source)


def figure_numbers(chapters: Iterable[tuple[str, str]]) -> dict[str, FigureNumber]:
    """Name -> :class:`FigureNumber` for every figure saved by ``chapters``: ``(number,
    source)`` pairs in reading order (``number`` ``"NN"`` or an appendix's letter,
    ``source`` the notebook's text).  A name saved twice keeps its first number (and the
    second call still counts: numbers follow the calls)."""
    numbers: dict[str, FigureNumber] = {}
    for position, (chapter, source) in enumerate(chapters):
        chapter_label(chapter)  # validates
        for index, name in enumerate(saved_figures(source), start=1):
            numbers.setdefault(name, FigureNumber(name, chapter, position, index))
    return numbers


def figure_text(label: str | None, caption: str | None) -> str | None:
    """The numbered caption ``"Figure 5.2. caption"`` (the caption alone without a label,
    ``None`` without a caption)."""
    if not caption:
        return None
    return f"{label}. {caption}" if label else caption


def _png_outputs(cell) -> list:
    return [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]


def mark_figures(nb, chapter: str | None = None):
    """A copy of the executed notebook ``nb`` in which the PNG output of each cell that
    saves a figure carries ``metadata["essay_figure"] = {"name", "label", "caption"}``.

    ``chapter``: the chapter's number (``"05"``, ``"A"``); ``None`` takes it from each
    figure's name.  The ``k``-th ``save_figure`` call of the notebook is "Figure C.k".  A
    cell that saves several figures pairs its names with its PNG outputs from the last
    backwards (a figure saved without being shown gets a number but no frame).  A figure
    without a caption in :mod:`essay_lib.site.captions` is captioned by its alt text.
    """
    nb = copy.deepcopy(nb)
    counts: dict[str, int] = {}
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        names = saved_figures(cell.get("source", ""))
        numbered = []
        for name in names:
            where = chapter or name.split("-", 1)[0]
            counts[where] = counts.get(where, 0) + 1
            numbered.append(FigureNumber(name, where, 0, counts[where]))
        for number, output in zip(reversed(numbered), reversed(_png_outputs(cell)),
                                  strict=False):
            metadata = output.setdefault("metadata", {})
            alt = metadata.get("image/png", {}).get("alt")
            metadata["essay_figure"] = {
                "name": number.name, "label": number.label,
                "caption": captions.caption_for(number.name) or alt or number.name}
    return nb
