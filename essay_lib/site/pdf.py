"""The essay as one PDF: the built site printed through headless Chromium.

``python -m essay_lib pdf`` (``make pdf``) opens the pages of a built site
(``build/html/``) in the Chromium the browser tests use (Debian's ``/usr/bin/chromium``,
driven by Playwright), in print media, and prints them one by one: the index, the chapters
in reading order (numbered chapters ``NN_name.html``, then appendices ``A_name.html``) and
the references (:func:`print_order`; the figure gallery and the instructors' page are for
the screen).  What a page looks like in print is the site's own print stylesheet
(``@media print`` in ``static/essay.css``): no navigation, no folded code, the solutions
after the chapter, figures kept whole.

The pieces are joined with pypdf into one file with one bookmark per page of the site.
Page numbers run through the whole file: each piece's footer names its section (Chromium's
``footer_template``), and a second print of as many blank pages as the file has, whose
footer holds ``pageNumber`` / ``totalPages``, is laid over the pages.  Links between the
site's pages (``file://`` addresses on the machine that printed them) are removed; links to
the web stay.

Playwright and pypdf are imported inside :func:`write_pdf`: a missing one, or a missing
Chromium, is an error that says what to install.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from pathlib import Path

from essay_lib.site.browser import CHROMIUM, headless_chromium
from essay_lib.util.paths import write_atomic

__all__ = ["CHROMIUM", "PdfReport", "print_order", "section_label", "write_pdf"]

#: The essay's title, on the first section's footer and in the PDF's metadata.
TITLE = "Dropout and Linearity"
PAGE_FORMATS = ("A4", "Letter")
#: Page margins: the footer lives in the bottom one.
MARGIN = {"top": "15mm", "bottom": "18mm", "left": "14mm", "right": "14mm"}
#: Chromium lays out at 96 px an inch; 0.85 prints the 16 px text at about 10 pt.
SCALE = 0.85
_CHAPTER = re.compile(r"^(\d\d)_[a-z0-9_]+\.html$")
_APPENDIX = re.compile(r"^([A-Z])_[a-z0-9_]+\.html$")
_FOOTER = ('<div style="font-family: sans-serif; font-size: 8px; color: #666; width: 100%; '
           'margin: 0 14mm; display: flex; justify-content: space-between;">{left}'
           '<span>{right}</span></div>')


@dataclass
class PdfReport:
    """What :func:`write_pdf` wrote: the file, its page count, and per section (the site's
    page) its label and first page (0-based)."""

    path: Path
    pages: int
    sections: list[tuple[str, int]]


def print_order(names) -> list[str]:
    """The site's pages to print, in order, from the file names of a built site: ``index.html``,
    the chapters ``NN_name.html`` by number, the appendices ``A_name.html`` by letter, then
    ``references.html``; other pages (gallery, instructors) are left out.

    Raises :class:`ValueError` when ``names`` holds no ``index.html`` or no chapter.
    """
    names = [str(n) for n in names]
    chapters = sorted(n for n in names if _CHAPTER.match(n))
    appendices = sorted(n for n in names if _APPENDIX.match(n))
    if "index.html" not in names:
        raise ValueError("the site has no index.html: is it a built site (make essay)?")
    if not chapters and not appendices:
        raise ValueError("the site has no chapter pages NN_name.html: build it (make essay)")
    tail = ["references.html"] if "references.html" in names else []
    return ["index.html", *chapters, *appendices, *tail]


def section_label(name: str, title: str) -> str:
    """The footer's name of a printed page: its ``<title>`` (``"02 Dropout"``), the essay's
    title for the index; ``name`` is the page's file name."""
    if name == "index.html" or not title.strip():
        return TITLE
    return title.split(" \u00b7 ")[0].strip()  # "References · Dropout and Linearity"


def _print(page, *, footer: str, page_format: str) -> bytes:
    return page.pdf(format=page_format, print_background=True, display_header_footer=True,
                    header_template="<span></span>", footer_template=footer, margin=MARGIN,
                    scale=SCALE, prefer_css_page_size=False)


def _numbers(browser, total: int, page_format: str) -> bytes:
    """``total`` blank pages whose footers read "page n of total" (right-aligned)."""
    page = browser.new_page()
    body = '<div style="break-after: page; height: 1px"></div>' * (total - 1) + "<div></div>"
    page.set_content(f"<!DOCTYPE html><html><body style='margin:0'>{body}</body></html>")
    footer = _FOOTER.format(left="<span></span>", right='page <span class="pageNumber"></span>'
                            ' of <span class="totalPages"></span>')
    data = page.pdf(format=page_format, display_header_footer=True, margin=MARGIN,
                    header_template="<span></span>", footer_template=footer, scale=SCALE)
    page.close()
    return data


def _drop_local_links(page) -> None:
    """Remove the link annotations of ``page`` that point at ``file:`` addresses."""
    annots = page.get("/Annots")
    if annots is None:
        return
    kept = [a for a in annots.get_object()
            if not str(a.get_object().get("/A", {}).get("/URI", "")).startswith("file:")]
    from pypdf.generic import ArrayObject, NameObject

    page[NameObject("/Annots")] = ArrayObject(kept)


def write_pdf(html_dir: Path | str, out: Path | str, *, page_format: str = "A4",
              chromium: Path | str = CHROMIUM, log=print) -> PdfReport:
    """Print the built site in ``html_dir`` to one PDF at ``out`` (see the module doc).

    ``page_format``: one of :data:`PAGE_FORMATS`; ``chromium``: the browser's executable;
    ``log``: called with one line per printed page.  Raises :class:`FileNotFoundError` for
    a missing site or browser, :class:`ValueError` for a bad argument or a folder that is not
    a built site, :class:`RuntimeError` when Playwright or pypdf is not installed.
    """
    if page_format not in PAGE_FORMATS:
        raise ValueError(f"page_format must be one of {PAGE_FORMATS}, got {page_format!r}")
    html_dir, out, chromium = Path(html_dir), Path(out), Path(chromium)
    if not html_dir.is_dir():
        raise FileNotFoundError(f"site folder {html_dir} does not exist: build the site first "
                                "(make essay, or python -m essay_lib build)")
    order = print_order(p.name for p in html_dir.glob("*.html"))
    try:
        import pypdf
    except ImportError as exc:
        raise RuntimeError(f"the PDF edition needs {exc.name}: pip install -e '.[pdf]' "
                           "(make pdf installs it)") from None

    writer, sections = pypdf.PdfWriter(), []
    with headless_chromium(chromium) as browser:
        for name in order:
            page = browser.new_page()
            page.emulate_media(media="print")
            page.goto((html_dir / name).resolve().as_uri(), wait_until="load")
            label = section_label(name, page.title())
            footer = _FOOTER.format(left=f"<span>{html.escape(label)}</span>", right="")
            reader = pypdf.PdfReader(io.BytesIO(_print(page, footer=footer,
                                                       page_format=page_format)))
            page.close()
            sections.append((label, len(writer.pages)))
            writer.append(reader, outline_item=label)
            log(f"printed {name}: {len(reader.pages)} pages")
        numbers = pypdf.PdfReader(io.BytesIO(_numbers(browser, len(writer.pages),
                                                       page_format)))
    if len(numbers.pages) != len(writer.pages):
        raise RuntimeError(f"page numbers: {len(numbers.pages)} pages for "
                           f"{len(writer.pages)}")
    for page, overlay in zip(writer.pages, numbers.pages, strict=True):
        page.merge_page(overlay)
        _drop_local_links(page)
    writer.add_metadata({"/Title": TITLE,
                         "/Author": f"{TITLE}, an executable essay (text: CC BY 4.0)"})
    buffer = io.BytesIO()
    writer.write(buffer)
    write_atomic(out, buffer.getvalue())
    return PdfReport(out, len(writer.pages), sections)
