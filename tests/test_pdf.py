"""The PDF edition (:mod:`essay_lib.site.pdf`, ``make pdf``).

Fast tests: which pages are printed and in what order, the footer's labels, bad arguments.
The browser test (marked ``site``, on the site ``built_site`` built once for the session):
the PDF of the whole site has a plausible number of pages, holds every chapter's title and
page numbers, and none of the site's "code" stubs.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from conftest import NOTEBOOKS

from essay_lib.site import pdf


def test_print_order_index_chapters_appendices_references():
    names = ["references.html", "gallery.html", "instructors.html", "A_appendix.html",
             "02_dropout.html", "00_introduction.html", "index.html", "B_more.html",
             "10_late.html", "essay.css", "notes.html"]
    assert pdf.print_order(names) == [
        "index.html", "00_introduction.html", "02_dropout.html", "10_late.html",
        "A_appendix.html", "B_more.html", "references.html"]
    assert pdf.print_order(["index.html", "00_a.html"]) == ["index.html", "00_a.html"]


def test_print_order_needs_a_built_site():
    with pytest.raises(ValueError, match="no index.html"):
        pdf.print_order(["00_introduction.html", "references.html"])
    with pytest.raises(ValueError, match="no chapter pages"):
        pdf.print_order(["index.html", "gallery.html", "references.html"])


def test_section_labels():
    assert pdf.section_label("index.html", "Dropout and Linearity") == pdf.TITLE
    assert pdf.section_label("02_dropout.html", "02 Dropout") == "02 Dropout"
    assert pdf.section_label("references.html",
                             "References \u00b7 Dropout and Linearity") == "References"
    assert pdf.section_label("00_x.html", "  ") == pdf.TITLE


def test_write_pdf_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="page_format must be one of"):
        pdf.write_pdf(tmp_path, tmp_path / "x.pdf", page_format="A5")
    with pytest.raises(FileNotFoundError, match="build the site first"):
        pdf.write_pdf(tmp_path / "nowhere", tmp_path / "x.pdf")
    with pytest.raises(ValueError, match="no index.html"):
        pdf.write_pdf(tmp_path, tmp_path / "x.pdf")
    (tmp_path / "index.html").write_text("<html></html>")
    (tmp_path / "00_tiny.html").write_text("<html></html>")
    with pytest.raises(FileNotFoundError, match="no-chromium is missing"):
        pdf.write_pdf(tmp_path, tmp_path / "x.pdf", chromium=tmp_path / "no-chromium")
    assert not (tmp_path / "x.pdf").exists()


def test_the_cli_reports_a_missing_site(tmp_path, capsys):
    from essay_lib.cli import main

    assert main(["pdf", "--site", str(tmp_path / "nowhere"), "--out",
                 str(tmp_path / "x.pdf")]) == 1
    assert "build the site first" in capsys.readouterr().err


def _h1(path) -> str:
    found = re.search(r"^# # (.+?)\s*$", path.read_text(encoding="utf-8"), re.M)
    assert found, f"{path.name} has no H1"
    return found.group(1)


def _words(text: str) -> str:
    """``text`` with its whitespace collapsed, ligatures (the PDF's "ﬁ") spelled out and
    words broken at a hyphen across lines ("sub-\nnetworks") joined again."""
    return re.sub(r"-\s+", "-", " ".join(unicodedata.normalize("NFKC", text).split()))


@pytest.mark.site
def test_the_pdf_edition_of_the_built_site(built_site, tmp_path):
    import pypdf

    out = tmp_path / "essay.pdf"
    report = pdf.write_pdf(built_site.html_dir, out, log=lambda line: None)
    reader = pypdf.PdfReader(out)
    pages = len(reader.pages)
    assert report.pages == pages
    assert 2 * len(NOTEBOOKS) <= pages <= 400, f"{pages} pages"
    labels = [label for label, _ in report.sections]
    assert labels[0] == pdf.TITLE and labels[-1] == "References"
    assert labels[1:-1] == [_h1(p).replace(" \u00b7 ", " ", 1) for p in NOTEBOOKS], labels
    texts = [page.extract_text() for page in reader.pages]
    text = _words("\n".join(texts))
    for path in NOTEBOOKS:
        assert _words(_h1(path)) in text, f"no title of {path.name} in the PDF"
    # no folded code, no "code" stubs, no fold text
    assert "\u25b8" not in text and "Show code" not in text
    lines = {line.strip() for t in texts for line in t.splitlines()}
    assert "code" not in lines, "a 'code' summary was printed"
    # the solutions are printed, after their chapter
    assert "Solutions to the exercises" in text
    # page numbers run through the file
    assert f"page 1 of {pages}" in texts[0] and f"page {pages} of {pages}" in texts[-1]
    assert all(f"of {pages}" in t for t in texts)
    # one bookmark per printed page of the site, and no link to the printing machine's files
    assert [item.title for item in reader.outline] == [label for label, _ in report.sections]
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            uri = str(annot.get_object().get("/A", {}).get("/URI", ""))
            assert not uri.startswith("file:"), uri
