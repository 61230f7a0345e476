"""What the build adds around a chapter's cells (``essay_lib.site.chapter_page``), on a tiny
fixture site and without a kernel: a hand-made "executed" notebook is rendered the way
``build_site`` renders one, and the page must show its reading time (from its words) and run
time under the title, link its ``.ipynb`` and ``.py`` (copied next to it, so the links work),
turn its citations into links to ``references.html`` and list the works it cites; the
references page lists every entry with the chapters that cite it, and every local link of
both pages resolves to a file of the folder."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlparse

import jupytext
import nbformat
import pytest

from essay_lib.site import bibliography, chapter_page, citations, reading, render

SOURCE = """# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 00 · Tiny

# %% [markdown]
# **You will learn**
#
# * one thing [@srivastava2014].

# %%
from IPython.display import Markdown, display

display(Markdown("Computed, as in [@holm1979]."))
"""


class Links(HTMLParser):
    """Every ``href`` and element ``id`` of a page."""

    def __init__(self):
        super().__init__()
        self.hrefs, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if attrs.get("id"):
            self.ids.add(attrs["id"])


def links_of(page: Path) -> Links:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def local_targets(links: Links) -> list[tuple[str, str]]:
    """(file, fragment) of every link that stays on this machine."""
    targets = []
    for href in links.hrefs:
        parsed = urlparse(href)
        if not parsed.scheme and parsed.path:
            targets.append((parsed.path, parsed.fragment))
    return targets


def executed_notebook(source: Path):
    """The notebook of ``source`` as an execution would leave it (outputs filled in)."""
    nb = jupytext.read(source)
    nb.cells[-1].outputs = [nbformat.v4.new_output(
        "display_data", data={"text/markdown": "Computed, as in [@holm1979].",
                              "text/plain": "<IPython.core.display.Markdown object>"})]
    nb.cells[-1].execution_count = 1
    return nb


@pytest.fixture
def site(tmp_path):
    """A notebooks folder with ``00_tiny.py`` (no ``.ipynb`` yet) and an empty html folder."""
    notebooks, html = tmp_path / "notebooks", tmp_path / "html"
    notebooks.mkdir()
    html.mkdir()
    source = notebooks / "00_tiny.py"
    source.write_text(SOURCE, encoding="utf-8")
    chapter = SimpleNamespace(stem="00_tiny", number="00", page="00_tiny.html", source=source)
    return SimpleNamespace(notebooks=notebooks, html=html, source=source, chapter=chapter)


def render_page(site, nb, seconds=12.3) -> Path:
    shown = chapter_page.page_notebook(nb, source=site.source, html_dir=site.html,
                                       seconds=seconds)
    page = render.render_chapter(render.EssayHTMLExporter(), shown, title="00 Tiny",
                                 notebooks_dir=site.notebooks,
                                 nav={"contents": "index.html", "prev": None, "next": None})
    path = site.html / site.chapter.page
    path.write_text(page, encoding="utf-8")
    (site.html / "index.html").write_text("<html></html>", encoding="utf-8")  # the nav's target
    return path


def test_the_chapter_page_shows_reading_and_run_time_and_links_its_files(site):
    nb = executed_notebook(site.source)
    page = render_page(site, nb)
    text = page.read_text(encoding="utf-8")
    minutes = reading.reading_minutes(nb)
    assert f"Read in {minutes} min" in text and "code runs in 12 s" in text
    # the header sits between the title and the objectives
    title = re.search(r"<h1[^>]*>00 · Tiny", text)
    assert title and title.start() < text.index("essay-meta") < text.index("You will learn")
    links = links_of(page)
    assert {"00_tiny.ipynb", "00_tiny.py"} <= set(links.hrefs)
    assert (site.html / "00_tiny.py").read_text(encoding="utf-8") == SOURCE
    made = nbformat.read(site.html / "00_tiny.ipynb", as_version=4)  # made from the .py
    assert [c.cell_type for c in made.cells] == ["markdown", "markdown", "code"]
    for target, _ in local_targets(links):
        if target != citations.REFERENCES_PAGE:
            assert (site.html / target).is_file(), f"broken link {target}"


def test_citations_link_to_the_references_page_and_the_chapter_lists_them(site):
    page = render_page(site, executed_notebook(site.source))
    text = page.read_text(encoding="utf-8")
    assert '<a href="references.html#srivastava2014">Srivastava et al. 2014</a>' in text
    assert '<a href="references.html#holm1979">Holm 1979</a>' in text  # in a computed output
    assert "[@" not in re.sub(r"<pre>.*?</pre>", "", text, flags=re.S)  # code keeps its source
    assert text.index('id="References"') > text.index("Computed, as in")  # after the last cell
    assert "Dropout: A Simple Way to Prevent Neural Networks from Overfitting" in text
    references = chapter_page.write_references([site.chapter], site.html, title="Tiny",
                                               licence="CC BY 4.0")
    ref_links = links_of(references)
    assert {ref.key for ref in bibliography.BIBLIOGRAPHY} <= ref_links.ids
    assert "00_tiny.html" in ref_links.hrefs and "CC BY 4.0" in references.read_text()
    for target, fragment in local_targets(links_of(page)) + local_targets(ref_links):
        assert (site.html / target).is_file(), f"broken link {target}"
        if target == citations.REFERENCES_PAGE and fragment:
            assert fragment in ref_links.ids, f"no entry #{fragment} on the references page"


def test_an_existing_ipynb_is_copied_as_it_is(site):
    twin = site.source.with_suffix(".ipynb")
    jupytext.write(jupytext.read(site.source), twin, fmt="ipynb")
    links = chapter_page.copy_downloads(site.source, site.html)
    assert links == [("notebook (.ipynb)", "00_tiny.ipynb"), ("script (.py)", "00_tiny.py")]
    assert (site.html / "00_tiny.ipynb").read_bytes() == twin.read_bytes()


def test_an_unknown_citation_fails_the_render(site):
    site.source.write_text(SOURCE.replace("[@srivastava2014]", "[@nosuch1999]"))
    with pytest.raises(citations.CitationError, match="nosuch1999"):
        render_page(site, executed_notebook(site.source))


def test_the_header_goes_after_the_title_or_first():
    titled = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 01 · T"),
                                             nbformat.v4.new_code_cell("x = 1")])
    shown = chapter_page.with_page_extras(titled, header="<p>H</p>", references="## References")
    assert [c.source for c in shown.cells] == ["# 01 · T", "<p>H</p>", "x = 1", "## References"]
    assert len(titled.cells) == 2  # the executed notebook is left as it ran
    untitled = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    shown = chapter_page.with_page_extras(untitled, header="<p>H</p>", references=None)
    assert [c.source for c in shown.cells] == ["<p>H</p>", "x = 1"]
    html = chapter_page.header_html(minutes=3, run_time=None, downloads=[])
    assert html == '<p class="essay-meta"><span class="essay-readtime">Read in 3 min</span></p>'


def test_the_index_says_read_in_and_code_runs_in():
    index = render.render_index(
        title="T", abstract="A", headline=None, references="references.html",
        chapters=[{"href": "00_a.html", "number": "00", "title": "A", "summary": "S.",
                   "built": True, "time": "8 s", "reading": 3},
                  {"href": "01_b.html", "number": "01", "title": "B", "summary": "S.",
                   "built": False}])
    assert ('<span class="essay-readtime">read in 3 min</span> &middot; '
            '<span class="essay-runtime">code runs in 8 s</span>') in index
    assert f"{reading.WORDS_PER_MINUTE} words a minute" in index
    assert '<a href="references.html">references</a>' in index


def test_a_made_ipynb_is_the_same_file_every_build(site, tmp_path):
    chapter_page.copy_downloads(site.source, site.html)
    first = (site.html / "00_tiny.ipynb").read_bytes()
    again = tmp_path / "again"
    again.mkdir()
    chapter_page.copy_downloads(site.source, again)
    assert (again / "00_tiny.ipynb").read_bytes() == first
