"""The figure gallery for teachers: every file in ``figures/``, with its caption, by chapter.

Notebooks save each figure as ``figures/NN-short-name.png`` and ``.svg`` (``NN``: the
chapter, or an appendix's letter: ``A-short-name``); a few write other files there too
(``05-answer.md``).  The site build copies every file of that folder into
``html/figures/``, writes ``html/gallery.html`` listing them in reading order (by chapter,
then in the order the chapter saves them), each with its number and caption as on the
chapter page ("Figure 5.2. caption": :mod:`essay_lib.site.numbering`,
:mod:`essay_lib.site.captions`) and links to each file, and writes ``html/figures.zip``
with all of them and a ``CAPTIONS.md`` holding the same captions.  The image's alt text is
the figure's description as the notebook displayed it (:mod:`essay_lib.site.figure_alt`:
taken from the figure's title), read from the cell that saved it; a figure without a
caption is captioned by it.  ``python -m essay_lib figures --zip PATH`` writes the same
zip without a build.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from essay_lib.site import captions
from essay_lib.site.numbering import SAVED_FIGURE, FigureNumber, figure_text

__all__ = ["LICENCE_TEXT", "Figure", "figure_alts", "gallery_groups", "headline_figure",
           "list_figures", "copy_figures", "write_zip"]

#: What may be reused, and how (the site's footer, the zip's CAPTIONS.md).
LICENCE_TEXT = ("Code: MIT licence. Text and figures: Creative Commons Attribution 4.0 "
                "(CC BY 4.0); credit \u201cDropout and Linearity, an executable essay\u201d. "
                "See LICENSE.")
_FILE = re.compile(r"^(\d\d|[A-Z])-([a-z0-9][a-z0-9-]*)\.([A-Za-z0-9]+)$")
#: Order of a figure's files: pictures first.
_SUFFIX_ORDER = {"png": 0, "svg": 1}


@dataclass(frozen=True)
class Figure:
    """One figure: ``name`` ``"NN-short-name"``, chapter ``number`` ``"NN"``, its ``files``
    (names in the figures folder, PNG then SVG then others), ``alt`` (its description, the
    image's alt text), ``label`` ("Figure 5.2", ``None`` for a file no notebook saves) and
    ``caption`` (:mod:`essay_lib.site.captions`, ``None`` if it has none)."""

    name: str
    number: str
    files: tuple[str, ...]
    alt: str
    label: str | None = None
    caption: str | None = None

    @property
    def text(self) -> str:
        """What the gallery and ``CAPTIONS.md`` print: "Figure 5.2. caption", else the
        caption or the alt text alone."""
        return figure_text(self.label, self.caption or self.alt) or self.alt

    @property
    def png(self) -> str | None:
        """The PNG's file name, if there is one."""
        return next((f for f in self.files if f.endswith(".png")), None)


def figure_alts(notebooks: Iterable) -> dict[str, str]:
    """Figure name -> alt text, from executed notebooks: for each code cell that calls
    ``save_figure(fig, "NN-name")``, the ``alt`` metadata of its last PNG output."""
    alts = {}
    for nb in notebooks:
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            names = SAVED_FIGURE.findall(cell.source)
            found = [o.get("metadata", {}).get("image/png", {}).get("alt")
                     for o in cell.get("outputs", [])]
            found = [a for a in found if a]
            for name in names:
                if found:
                    alts[name] = found[-1]
    return alts


def list_figures(figures_dir: Path, alts: dict[str, str] | None = None,
                 numbers: dict[str, FigureNumber] | None = None) -> list[Figure]:
    """Every ``NN-name.*`` file in ``figures_dir``, one :class:`Figure` per name, in reading
    order: by chapter, then the figures ``numbers`` knows (:func:`essay_lib.site.numbering.
    figure_numbers`) in their order, then the others by name.  A figure without alt text in
    ``alts`` is described as "Figure NN-name"."""
    alts, numbers = alts or {}, numbers or {}
    figures_dir = Path(figures_dir)
    by_name: dict[str, list[str]] = {}
    for path in sorted(figures_dir.iterdir()) if figures_dir.is_dir() else []:
        match = _FILE.match(path.name)
        if path.is_file() and match:
            by_name.setdefault(f"{match.group(1)}-{match.group(2)}", []).append(path.name)
    figures = [Figure(name, name.split("-", 1)[0],
                      tuple(sorted(files, key=lambda f: (
                          _SUFFIX_ORDER.get(f.rsplit(".", 1)[1], 2), f))),
                      alts.get(name) or f"Figure {name}",
                      numbers[name].label if name in numbers else None,
                      captions.caption_for(name))
               for name, files in by_name.items()]

    def reading_order(figure: Figure):
        known = numbers.get(figure.name)
        return (figure.number, 0 if known else 1, known.order if known else (0, 0),
                figure.name)

    return sorted(figures, key=reading_order)


def gallery_groups(figures: list[Figure], chapters: list[dict]) -> list[dict]:
    """Figures grouped by chapter for the gallery page, in chapter order, each group's
    figures in the order of ``figures``: ``[{"number", "title", "href", "figures"}]``;
    ``chapters``: dicts with ``number``, ``title``, ``href`` (a chapter that
    is not in ``chapters`` is titled "Chapter NN", without a link)."""
    known = {c["number"]: c for c in chapters}
    groups: dict[str, dict] = {}
    for figure in figures:
        chapter = known.get(figure.number, {})
        group = groups.setdefault(figure.number, {
            "number": figure.number, "title": chapter.get("title", f"Chapter {figure.number}"),
            "href": chapter.get("href"), "figures": []})
        group["figures"].append(figure)
    return [groups[n] for n in sorted(groups)]


def headline_figure(figures: list[Figure], preferred: str,
                    saved_order: list[str]) -> Figure | None:
    """The index page's figure: ``preferred`` if it has a PNG, else the first of
    ``saved_order`` (figure names in the order the notebooks save them) that has one."""
    by_name = {f.name: f for f in figures if f.png}
    for name in [preferred, *saved_order]:
        if name in by_name:
            return by_name[name]
    return None


def copy_figures(figures: list[Figure], figures_dir: Path, html_dir: Path) -> None:
    """Copy every file of ``figures`` into ``html_dir/figures/`` (emptied first: no stale
    copies)."""
    target = Path(html_dir) / "figures"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for figure in figures:
        for name in figure.files:
            shutil.copyfile(Path(figures_dir) / name, target / name)


def captions_markdown(figures: list[Figure]) -> str:
    """``CAPTIONS.md`` of the zip: every figure with its caption and files, and the licence."""
    lines = ["# Figures of \u201cDropout and Linearity\u201d", "", LICENCE_TEXT, ""]
    for figure in figures:
        lines.append(f"* **{figure.name}**: {figure.text} ({', '.join(figure.files)})")
    return "\n".join(lines) + "\n"


def write_zip(figures: list[Figure], figures_dir: Path, path: Path) -> Path:
    """Write a zip of every file of ``figures`` (under ``figures/``) and ``CAPTIONS.md`` to
    ``path``.  Byte-stable: fixed file dates and order.  Returns ``path``."""
    path = Path(path)
    if not figures:
        raise ValueError(f"no figures NN-name.* in {figures_dir}: nothing to zip")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        entries = [("figures/CAPTIONS.md", captions_markdown(figures).encode())]
        entries += [(f"figures/{name}", (Path(figures_dir) / name).read_bytes())
                    for figure in figures for name in figure.files]
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    partial.replace(path)
    return path
