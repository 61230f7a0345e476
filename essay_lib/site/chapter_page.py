"""What the build adds to a chapter's page around the notebook's own cells.

* **the header line**, right after the chapter's title: how long it takes to read
  (:mod:`essay_lib.site.reading`), how long its code ran, and links to download the
  chapter's notebook (``.ipynb``) and script (``.py``), which :func:`copy_downloads` puts
  next to the page;
* **the chapter's references**, after its last cell: the works it cites
  (:mod:`essay_lib.site.citations`);
* and, beside the chapters, ``references.html`` (:func:`write_references`).

Both are markdown cells added to a copy of the executed notebook before it is rendered,
so the page shows them in the flow of the text and the executed notebook stays as it ran.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

from essay_lib.site import citations, reading
from essay_lib.util.paths import write_atomic

__all__ = ["DOWNLOAD_SUFFIXES", "cited_in_notebook", "copy_downloads", "header_html",
           "page_notebook", "with_page_extras", "write_references"]

#: The files of a chapter a reader can download from its page, with their labels.
DOWNLOAD_SUFFIXES = {".ipynb": "notebook (.ipynb)", ".py": "script (.py)"}


def copy_downloads(source: Path, html_dir: Path) -> list[tuple[str, str]]:
    """Copy the chapter's ``.py`` (``source``) and its paired ``.ipynb`` next to its page in
    ``html_dir`` (an ``.ipynb`` that is missing is made from the ``.py`` with jupytext);
    returns ``[(label, href)]``, hrefs relative to the page."""
    source = Path(source)
    links = []
    for suffix, label in DOWNLOAD_SUFFIXES.items():
        path, target = source.with_suffix(suffix), Path(html_dir) / f"{source.stem}{suffix}"
        if path.is_file():
            shutil.copyfile(path, target)
        elif suffix == ".ipynb":
            import jupytext

            nb = jupytext.read(source)
            for number, cell in enumerate(nb.cells):  # fixed ids: a rebuild writes the same file
                cell["id"] = f"cell-{number}"
            jupytext.write(nb, target, fmt="ipynb")
        else:
            continue
        links.append((label, target.name))
    return links


def header_html(*, minutes: int, run_time: str | None, downloads) -> str:
    """The line under a chapter's title: "Read in 9 min · code runs in 41 s · download
    this chapter: notebook (.ipynb), script (.py)"."""
    parts = [f'<span class="essay-readtime">{reading.format_reading(minutes).capitalize()}'
             "</span>"]
    if run_time:
        parts.append(f'<span class="essay-runtime">code runs in {run_time}</span>')
    if downloads:
        links = ", ".join(f'<a href="{href}" download>{label}</a>' for label, href in downloads)
        parts.append(f'<span class="essay-downloads">download this chapter: {links}</span>')
    return '<p class="essay-meta">' + " &middot; ".join(parts) + "</p>"


def cited_in_notebook(nb) -> list[str]:
    """The keys cited by the notebook ``nb``: in its markdown cells and the Markdown its
    cells display, in order of first citation."""
    texts = []
    for cell in nb["cells"]:
        if cell.get("cell_type") == "markdown":
            texts.append(cell.get("source", ""))
        for output in cell.get("outputs", []):
            value = output.get("data", {}).get("text/markdown", "")
            texts.append("".join(value) if isinstance(value, list) else value)
    return citations.cited_keys("\n\n".join(texts))


def _markdown_cell(source: str, marker: str):
    import nbformat

    cell = nbformat.v4.new_markdown_cell(source)
    cell.metadata["essay_added"] = marker
    cell["id"] = f"essay-{marker}"  # fixed: a cached rebuild writes the same page
    return cell


def with_page_extras(nb, *, header: str | None, references: str | None):
    """A copy of the executed notebook ``nb`` with the ``header`` (HTML) after its first
    cell when that cell is the title (a markdown cell starting ``# ``; else before it) and
    the ``references`` (markdown) after its last cell; ``None`` leaves either out."""
    nb = copy.deepcopy(nb)
    cells = list(nb.cells)
    if header:
        first = cells[0] if cells else None
        titled = (first is not None and first.cell_type == "markdown"
                  and first.source.lstrip().startswith("# "))
        cells.insert(1 if titled else 0, _markdown_cell(header, "header"))
    if references:
        cells.append(_markdown_cell(references, "references"))
    nb.cells = cells
    return nb


def page_notebook(nb, *, source: Path, html_dir: Path, seconds: float | None):
    """The executed notebook ``nb`` of the chapter ``source`` as its page shows it: the
    header line (reading time, ``seconds`` of run time, downloads copied into ``html_dir``)
    and the chapter's references added (:func:`with_page_extras`)."""
    from essay_lib.site import render  # nbconvert: loaded only when a build renders

    header = header_html(minutes=reading.reading_minutes(nb),
                         run_time=render.format_seconds(seconds) if seconds else None,
                         downloads=copy_downloads(source, html_dir))
    references = citations.chapter_references_markdown(cited_in_notebook(nb))
    return with_page_extras(nb, header=header, references=references)


def write_references(found, html_dir: Path, *, title: str, licence: str | None) -> Path:
    """Write ``references.html`` into ``html_dir``: the bibliography, each entry with the
    chapters of ``found`` (:class:`essay_lib.site.build.Chapter`) whose source cites it and
    whose page is there; returns its path."""
    cited_by: dict[str, list[dict]] = {}
    for chapter in found:
        if (Path(html_dir) / chapter.page).exists():
            for key in citations.cited_keys(chapter.source.read_text(encoding="utf-8")):
                cited_by.setdefault(key, []).append({"href": chapter.page,
                                                     "number": chapter.number})
    path = Path(html_dir) / citations.REFERENCES_PAGE
    write_atomic(path, citations.references_page(title=title, cited_by=cited_by,
                                                 licence=licence))
    return path
