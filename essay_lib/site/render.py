"""Render executed notebooks to self-contained HTML pages, with math as MathML.

Pages are made by nbconvert with our template ``essay`` (``templates/essay``, which
extends JupyterLab's ``lab`` template), changed in these ways:

* **Math is typeset at build time.**  Every ``$...$``, ``$$...$$``, ``\\(...\\)``,
  ``\\[...\\]`` and ``\\begin{env}...\\end{env}`` in markdown cells, in ``text/markdown``
  outputs (``display(Markdown(...))``) and in ``text/latex`` outputs is converted to
  MathML with ``latex2mathml``, repaired for MathML Core (:mod:`essay_lib.site.mathml`);
  browsers render MathML natively, so no MathJax, no JavaScript and no network.  A TeX
  command the converter does not know fails the build.
* No ``<script>`` loads anything: require.js, MathJax, mermaid and the widget manager
  (all from CDNs in the stock template) are left out.  ``text/html`` outputs are rendered
  as they are (nbconvert's ``sanitize_html`` stays off): that is how the explorers of
  ``essay_lib.report.explorers`` reach the page, inline SVG with a small inline script that
  requests nothing; each reads without JavaScript.
* PNG outputs carry ``alt`` and ``title`` from their output metadata (``essay_lib.site.
  figure_alt`` puts the figure's title there).
* **Figures are numbered and captioned**: the PNG of each cell that saves a figure
  (``save_figure(fig, "NN-name")``) sits in a ``<figure>`` whose ``<figcaption>`` reads
  "Figure C.k. caption" (:mod:`essay_lib.site.numbering`, captions from
  :mod:`essay_lib.site.captions`), numbered in the order the chapter saves them.
* Each page has previous / contents / next links and links ``essay.css``.
* **Citations link**: ``[@key]`` in markdown becomes "(Author Year)", a link to the
  entry on ``references.html`` (:mod:`essay_lib.site.citations`); an unknown key raises
  :class:`essay_lib.site.citations.CitationError`.
* **Code folds, without JavaScript** (:func:`mark_cells`): every code cell's input sits in
  a ``<details class="essay-code"><summary>code</summary>`` block, *collapsed*, so a reader
  who wants the argument reads prose, figures and computed numbers; the code is one click
  away.  The ``parameters`` cell (and a variant build's ``injected-parameters`` cell)
  starts *open*: those are the knobs every number on the page depends on.  Outputs and
  prose are never folded.  Consecutive folded cells that show nothing but the last are
  one cell on the page (:func:`merge_code_runs`): one "code" stub, not a stack of them.
* **Tables scroll in their own box** (:func:`wrap_tables`), with a shadow at the edge that
  hides columns, so a phone shows that a wide table goes on.
* **Solutions are collapsed**: each run of consecutive cells tagged ``solution`` (the worked
  answer to an exercise: prose, code and its outputs) is one ``<details
  class="essay-solution">`` block whose summary is "Solution N" (from the run's first
  ``**Solution N.**``), closed until the reader opens it; the code inside shows as soon as
  the block opens.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import jinja2
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

from essay_lib.site import STATIC_DIR, TEMPLATES_DIR, citations, numbering, reading
from essay_lib.site.mathml import MathError, tex_to_mathml

__all__ = ["OPEN_TAGS", "EssayHTMLExporter", "MathError", "MathMLRenderer", "copy_static",
           "format_seconds", "mark_cells", "markdown_to_html", "merge_code_runs",
           "render_chapter", "render_gallery", "render_index", "render_template", "solution_runs",
           "tex_to_mathml", "wrap_tables"]


_TABLE = re.compile(r"<table\b.*?</table>", re.S)


def wrap_tables(page: str) -> str:
    """Every ``<table>`` of ``page`` (rendered markdown) inside ``<div class="essay-table">``:
    a box that scrolls sideways on a narrow screen and shows a shadow at the edge that hides
    more columns (``essay.css``), so the page itself never scrolls sideways."""
    return _TABLE.sub(lambda m: f'<div class="essay-table" tabindex="0" role="group" '
                      f'aria-label="table (scrolls sideways)">{m.group(0)}</div>', page)


class MathMLRenderer(IPythonRenderer):
    """nbconvert's markdown renderer with math converted to MathML instead of left for MathJax."""

    def block_math(self, body: str) -> str:  # noqa: D102 - mistune hook
        return tex_to_mathml(body, display=True)

    def inline_math(self, body: str) -> str:  # noqa: D102 - mistune hook
        return tex_to_mathml(body, display=False)

    def latex_environment(self, name: str, body: str) -> str:  # noqa: D102 - mistune hook
        return tex_to_mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", display=True)

    def multiline_math(self, text: str) -> str:  # noqa: D102 - mistune v2 hook
        return tex_to_mathml(text.strip().strip("$"), display=True)


class EssayHTMLExporter(HTMLExporter):
    """``HTMLExporter`` with our template and MathML math (see the module docstring)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("template_name", "essay")
        kwargs.setdefault("extra_template_basedirs", [str(TEMPLATES_DIR)])
        kwargs.setdefault("embed_images", True)
        super().__init__(**kwargs)

    @jinja2.pass_context
    def markdown2html(self, context, source):
        """Markdown (with math) to HTML; math becomes MathML."""
        cell = context.get("cell", {})
        path = context.get("resources", {}).get("metadata", {}).get("path", "")
        renderer = MathMLRenderer(
            escape=False,
            attachments=cell.get("attachments", {}),
            embed_images=self.embed_images,
            path=path,
            anchor_link_text=self.anchor_link_text,
            exclude_anchor_links=self.exclude_anchor_links,
            **self.lexer_options,
        )
        try:
            return wrap_tables(MarkdownWithMath(renderer=renderer).render(
                citations.link_citations(source)))
        except MathError as exc:
            first = source.strip().splitlines()[0][:80] if source.strip() else ""
            raise MathError(f"{exc}\n  in the cell or output starting: {first!r}") from exc


    def latex_output2html(self, source: str) -> str:
        """A ``text/latex`` output: one ``$...$``/``$$...$$`` formula becomes block math,
        anything else is read as markdown with math."""
        text = source.strip()
        inner = text.strip("$")
        if text.startswith("$") and text.endswith("$") and inner and "$" not in inner:
            return tex_to_mathml(inner, display=True)
        return self.markdown2html({"cell": {}, "resources": {}}, source)

    def default_filters(self):
        """nbconvert's filters plus ``latex_output2html``."""
        yield from super().default_filters()
        yield ("latex_output2html", self.latex_output2html)


#: Tags whose code cells start unfolded (papermill's names for parameters cells).
OPEN_TAGS = ("parameters", "injected-parameters")
_SOLUTION_LABEL = re.compile(r"\*\*\s*(Solution(?:\s+\d+[a-z]?)?)\.?\s*\*\*")


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def solution_runs(cells) -> list[tuple[int, int, str]]:
    """``(first, last, label)`` of every run of consecutive cells tagged ``solution``
    (indices into ``cells``, ``last`` inclusive); ``label`` is "Solution N" from the run's
    first ``**Solution N.**``, else "Solution"."""
    runs, start = [], None
    for index, cell in enumerate([*cells, None]):
        inside = cell is not None and "solution" in _tags(cell)
        if inside and start is None:
            start = index
        elif not inside and start is not None:
            label = "Solution"
            for member in cells[start:index]:
                found = _SOLUTION_LABEL.search(member.get("source", ""))
                if found:
                    label = " ".join(found.group(1).split())
                    break
            runs.append((start, index - 1, label))
            start = None
    return runs


def _folded(cell) -> bool:
    return cell.cell_type == "code" and cell.metadata.get("essay_fold") == "closed"


def merge_code_runs(cells) -> list:
    """``cells`` with each run of consecutive *folded* code cells whose members show nothing
    but the last (no outputs) merged into one cell: one "code" stub instead of two or
    three stacked ones with nothing between them.  The merged cell holds the run's sources
    in order (a blank line between them) and its last cell's outputs, id and execution
    count; ``essay_merged`` counts its cells.  Open cells (parameters, solutions) are
    never merged."""
    merged, run = [], []

    def flush():
        if len(run) > 1:
            cell = run[-1]
            cell.source = "\n\n".join(c.source.rstrip("\n") for c in run)
            cell.metadata["essay_merged"] = len(run)
        merged.extend(run[-1:])
        run.clear()

    for cell in cells:
        if not _folded(cell):
            flush()
            merged.append(cell)
            continue
        run.append(cell)
        if cell.get("outputs"):  # the run ends with the first cell that shows something
            flush()
    flush()
    return merged


def mark_cells(nb):
    """A copy of ``nb`` whose cells carry the template's markers (see the module doc):
    ``essay_fold`` ("open"/"closed") on code cells, ``essay_solution_open`` (the summary)
    on the first cell of a solution run and ``essay_solution_close`` on its last; runs of
    folded code cells without outputs are merged (:func:`merge_code_runs`)."""
    import copy

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            tags = _tags(cell)
            opened = "solution" in tags or any(t in tags for t in OPEN_TAGS)
            cell.metadata["essay_fold"] = "open" if opened else "closed"
    nb.cells = merge_code_runs(nb.cells)
    for first, last, label in solution_runs(nb.cells):
        nb.cells[first].metadata["essay_solution_open"] = label
        nb.cells[last].metadata["essay_solution_close"] = True
    return nb


def render_chapter(exporter: EssayHTMLExporter, nb, *, title: str, notebooks_dir: Path,
                   nav: dict, chapter: str | None = None) -> str:
    """One chapter page (an HTML string) from an executed notebook ``nb``.

    ``nav`` holds ``prev`` / ``next`` (``{"href", "title"}`` or ``None``) and ``contents``
    (an href); the template draws them at the top and bottom of the page.  ``chapter``:
    the chapter's number (``"05"``, ``"A"``) for its figures' numbers
    (:func:`essay_lib.site.numbering.mark_figures`; ``None``: from the figures' names).
    """
    nb = mark_cells(numbering.mark_figures(nb, chapter))
    nb.metadata = dict(nb.metadata)
    nb.metadata.pop("widgets", None)  # widget state would pull in the CDN widget manager
    nb.metadata["title"] = title
    resources = {"metadata": {"name": title, "path": str(notebooks_dir)}, "essay": nav}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def _render_template(name: str, **context) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    return env.get_template(name).render(**context)


def render_template(name: str, **context) -> str:
    """A page from the site template ``templates/<name>`` (autoescaped, strict: a missing
    name in ``context`` is an error)."""
    return _render_template(name, **context)


def markdown_to_html(text: str) -> str:
    """A markdown paragraph (with ``$...$`` math, which becomes MathML) as HTML."""
    return MarkdownWithMath(renderer=MathMLRenderer(escape=False)).render(text)


def render_index(*, title: str, abstract: str, chapters: list[dict], headline: dict | None,
                 notes: list[str] = (), variant: dict | None = None, gallery: str | None = None,
                 licence: str | None = None, total_time: str | None = None,
                 answer: str | None = None, references: str | None = None,
                 mechanism: str | None = None, analogy: str | None = None,
                 learned: dict | None = None, instructors: str | None = None) -> str:
    """The contents page: title, abstract, headline figure, chapter list (an HTML string).

    ``chapters``: dicts with ``href``, ``number``, ``title``, ``summary``, ``built`` (bool),
    ``time`` (the chapter's run time as text, or ``None``) and ``reading`` (minutes to read
    it, or ``None``); ``headline``: ``{"src",
    "alt", "caption"}`` or ``None``; ``variant``: ``{"parameters", "command", "verdict"}``
    for a variant build; ``gallery``: href of the figure gallery; ``licence``: the footer's
    licence line; ``total_time``: the sum of the run times, as text; ``answer``: the
    essay's answer in plain words (markdown, shown first), or ``None``; ``references``: href
    of the references page; ``mechanism``: the mechanism's sentence (markdown, a second
    paragraph of the answer), or ``None``; ``learned``: the figure shown under the answer
    (``{"src", "alt", "caption"}``), or ``None``; ``analogy``: the analogy table (markdown,
    under that figure), or ``None``; ``instructors``: href of the instructors' page.
    Without the answer or the table, a note says where they will come from; the abstract
    and the headline figure (the technical part) follow.
    """
    chapters = [{"time": None, "reading": None, **c} for c in chapters]
    return _render_template("contents.html.j2", title=title, abstract=abstract,
                            chapters=chapters, headline=headline, notes=list(notes),
                            variant=variant, gallery=gallery, licence=licence,
                            total_time=total_time, references=references,
                            words_per_minute=reading.WORDS_PER_MINUTE,
                            figure_seconds=reading.SECONDS_PER_FIGURE,
                            answer=None if answer is None else markdown_to_html(answer),
                            mechanism=None if mechanism is None else markdown_to_html(mechanism),
                            analogy=None if analogy is None else markdown_to_html(analogy),
                            learned=learned, instructors=instructors)


def render_gallery(*, title: str, groups: list[dict], zip_name: str | None = None,
                   licence: str | None = None) -> str:
    """The figure gallery page (an HTML string); ``groups`` from
    :func:`essay_lib.site.gallery.gallery_groups`, ``zip_name``: href of the figures' zip."""
    return _render_template("gallery.html.j2", title=title, groups=groups, zip=zip_name,
                            licence=licence)


def format_seconds(seconds: float) -> str:
    """A run time for the index page: ``"8 s"``, ``"35 s"``, ``"2 min 05 s"``."""
    total = int(round(seconds))
    if total < 60:
        return f"{max(total, 1)} s"
    return f"{total // 60} min {total % 60:02d} s"


def copy_static(html_dir: Path) -> None:
    """Copy the site's static files (``essay.css``) into ``html_dir``."""
    for path in STATIC_DIR.iterdir():
        if path.is_file():
            shutil.copyfile(path, html_dir / path.name)
