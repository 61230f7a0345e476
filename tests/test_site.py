"""The rendered site in a real browser: Debian's chromium, headless, driven by Playwright.

Also, for readers, teachers and students: code folds (click "code" and it shows) and
solutions start collapsed, without JavaScript; the gallery links every file of the
figures folder; the index shows each chapter's reading and run time, the references link and
the licence.

Every page of the site that ``built_site`` built from scratch is opened from ``file://``
with the network emulated offline, and must: load; show every equation typeset (MathML
laid out by the browser, no raw TeX left in the visible text); show every image; request
nothing outside the site's folder; have navigation links that resolve to existing files.
A full-page screenshot of each page goes to ``build/screenshots/`` for a person to look at.
The reader text of every chapter page and the index is proofread
(:mod:`essay_lib.site.proofread`); the reading layout is measured in
``tests/test_reading_layout.py``.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest
from conftest import NOTEBOOKS, NOTEBOOKS_DIR, REPO

from essay_lib.site import proofread

pytestmark = pytest.mark.site

SCREENSHOTS = REPO / "build" / "screenshots"

# Raw TeX that a reader must never see: display/inline delimiters, environments, commands.
RAW_TEX = re.compile(r"\$\$|\\\(|\\\[|\\begin\{|\$[^$\s][^$\n]*\$|\\[A-Za-z]{2,}")

# A backslash command inside typeset math: the converter passed it through as text.
RAW_TEX_IN_MATH = re.compile(r"\\[A-Za-z|{}]")

# Visible text outside code: the text of <main> without <pre>, <code> and code cells.
VISIBLE_PROSE = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('pre, code, .jp-InputArea, math, style, script').forEach(e => e.remove());
  return copy.innerText;
}"""

MATH_LAYOUT = """() => [...document.querySelectorAll('math')].map(m => {
  const r = m.getBoundingClientRect();
  return {tex: m.getAttribute('alttext'), width: r.width, height: r.height, text: m.textContent,
          display: getComputedStyle(m).display, errors: m.querySelectorAll('merror').length};
})"""

# Elements the HTML parser did not know: e.g. "ns0:math" from an XML round trip.
FOREIGN = """() => [...document.querySelectorAll('*')].map(e => e.tagName)
  .filter(t => t.includes(':'))"""

IMAGES = """() => [...document.images].map(i => ({src: i.currentSrc.slice(0, 80),
  complete: i.complete, width: i.naturalWidth, alt: i.getAttribute('alt')}))"""

LINKS = """() => [...document.querySelectorAll('a[href]')].map(a => ({href: a.href,
  raw: a.getAttribute('href'), nav: !!a.closest('nav')}))"""


def _pages(site) -> list[Path]:
    return sorted(site.html_dir.glob("*.html"))


def test_the_site_has_an_index_and_a_page_per_notebook(built_site):
    names = {p.name for p in _pages(built_site)}
    assert names == ({"index.html", "gallery.html", "references.html", "instructors.html"}
                     | {f"{p.stem}.html" for p in NOTEBOOKS})
    for path in NOTEBOOKS:  # each chapter's notebook and script, downloadable from its page
        assert (built_site.html_dir / f"{path.stem}.ipynb").is_file()
        assert (built_site.html_dir / f"{path.stem}.py").is_file()


def test_every_page_in_the_browser(built_site, browser):
    site_root = built_site.html_dir.resolve()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for path in _pages(built_site):
        context = browser.new_context(offline=True, viewport={"width": 1200, "height": 900})
        page = context.new_page()
        requests, failures = [], []
        page.on("request", lambda r, requests=requests: requests.append(r.url))
        page.on("requestfailed", lambda r, failures=failures: failures.append(r.url))
        page.on("pageerror", lambda e, failures=failures: failures.append(f"error: {e}"))
        response = page.goto(path.as_uri(), wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        name = path.name
        if response is not None and not response.ok:
            problems.append(f"{name}: status {response.status}")
        # nothing outside the site folder
        for url in requests:
            parsed = urlparse(url)
            if parsed.scheme == "data":
                continue
            local = Path(unquote(parsed.path)).resolve() if parsed.scheme == "file" else None
            if local is None or not local.is_relative_to(site_root):
                problems.append(f"{name}: requested {url[:120]}")
        problems += [f"{name}: failed {u[:120]}" for u in failures]
        # math: laid out by the browser's MathML engine, no raw TeX in the prose
        maths = page.evaluate(MATH_LAYOUT)
        for m in maths:
            if m["width"] <= 0 or m["height"] <= 0 or "math" not in m["display"] or m["errors"]:
                problems.append(f"{name}: equation not typeset: {m}")
            if RAW_TEX_IN_MATH.search(m["text"]):  # e.g. \big\| shown as "\|"
                problems.append(f"{name}: TeX left raw inside an equation: {m['tex']}")
        foreign = page.evaluate(FOREIGN)
        if foreign:
            problems.append(f"{name}: elements the browser does not know: {sorted(set(foreign))}")
        raw = RAW_TEX.findall(page.evaluate(VISIBLE_PROSE))
        if raw:
            problems.append(f"{name}: raw TeX in the visible text: {raw[:5]}")
        if name not in ("index.html", "gallery.html", "references.html", "instructors.html"):
            source = (NOTEBOOKS_DIR / f"{path.stem}.py").read_text(encoding="utf-8")
            if "$" in source and not maths:
                problems.append(f"{name}: the notebook has math but the page has no <math>")
        # images: loaded, with alt text
        for image in page.evaluate(IMAGES):
            if not image["complete"] or image["width"] <= 0:
                problems.append(f"{name}: image did not load: {image['src']}")
            if not image["alt"] or image["alt"] == "Figure":
                problems.append(f"{name}: image without alt text (give the figure a title): "
                                f"{image['src']}")
        # links to local files resolve; the navigation is there
        links = page.evaluate(LINKS)
        for link in links:
            parsed = urlparse(link["href"])
            if parsed.scheme == "file" and not Path(unquote(parsed.path)).exists():
                problems.append(f"{name}: broken link {link['raw']}")
        nav = {link["raw"] for link in links if link["nav"]}
        if name not in ("index.html",) and "index.html" not in nav:
            problems.append(f"{name}: no link back to the contents")
        page.screenshot(path=str(SCREENSHOTS / f"{path.stem}.png"), full_page=True)
        context.close()
    assert not problems, "\n".join(problems)


def test_the_index_page(built_site, browser):
    page = browser.new_page()
    page.goto((built_site.html_dir / "index.html").as_uri(), wait_until="load")
    assert page.title() == "Dropout and Linearity"
    assert page.inner_text("h1") == "Dropout and Linearity"
    hrefs = page.eval_on_selector_all(".essay-chapters a",
                                      "as => as.map(a => a.getAttribute('href'))")
    assert hrefs == [f"{p.stem}.html" for p in NOTEBOOKS]
    headline = page.eval_on_selector(".essay-headline img", "i => [i.naturalWidth, i.alt]")
    assert headline[0] > 0 and headline[1]
    page.close()


def test_chapter_pages_link_previous_and_next(built_site, browser):
    stems = [p.stem for p in NOTEBOOKS]
    page = browser.new_page()
    for i, stem in enumerate(stems):
        page.goto((built_site.html_dir / f"{stem}.html").as_uri(), wait_until="load")
        prev = page.eval_on_selector_all(".essay-nav-top a[rel=prev]",
                                         "as => as.map(a => a.getAttribute('href'))")
        nxt = page.eval_on_selector_all(".essay-nav-top a[rel=next]",
                                        "as => as.map(a => a.getAttribute('href'))")
        assert prev == ([f"{stems[i - 1]}.html"] if i > 0 else [])
        assert nxt == ([f"{stems[i + 1]}.html"] if i + 1 < len(stems) else [])
    page.close()


# ---------------------------------------------------------------- folding, solutions, gallery
def _chapter_pages(site) -> list[Path]:
    return [site.html_dir / f"{p.stem}.html" for p in NOTEBOOKS]


def test_code_folds_and_solutions_start_collapsed(built_site, browser):
    page = browser.new_page(java_script_enabled=False)  # no JavaScript needed
    for path in _chapter_pages(built_site):
        page.goto(path.as_uri(), wait_until="load")
        code = page.locator("details.essay-code")
        solutions = page.locator("details.essay-solution")
        assert solutions.count() >= 1, f"{path.name}: no solution blocks"
        assert page.locator("details.essay-solution[open]").count() == 0, path.name
        assert all(s.strip().startswith("Solution") for s in
                   page.locator("details.essay-solution > summary").all_text_contents())
        # every code cell's input is folded under a "code" summary; the parameters cell open
        assert code.count() == page.locator(".jp-CodeCell").count(), path.name
        assert {t.strip() for t in
                page.locator("details.essay-code > summary").all_text_contents()} == {"code"}
        assert page.locator(".celltag_parameters details.essay-code[open]").count() == 1
        # a solution's content is hidden until its summary is clicked
        first = solutions.first
        inner = first.locator(".jp-Cell").first
        assert not inner.is_visible()
        first.locator("summary").first.click()
        assert inner.is_visible(), f"{path.name}: opening a solution shows nothing"
        # a folded code cell: hidden, then shown by a click; its outputs were visible all along
        folded = page.locator(".jp-CodeCell:not(.celltag_solution):not(.celltag_parameters)"
                              " details.essay-code:not([open])").first.element_handle()
        editor = folded.query_selector(".jp-InputArea-editor")  # fixed: the same cell after
        assert not editor.is_visible()
        folded.query_selector("summary").click()
        assert editor.is_visible(), f"{path.name}: clicking 'code' does not show the code"
        outputs = page.locator(".jp-CodeCell:not(.celltag_solution) .jp-OutputArea-output")
        assert outputs.count() == 0 or outputs.first.is_visible()
    page.close()


def test_the_gallery_links_every_figure_file(built_site, browser):
    page = browser.new_page()
    page.goto((built_site.html_dir / "gallery.html").as_uri(), wait_until="load")
    hrefs = set(page.eval_on_selector_all(".essay-gallery-figure a",
                                          "as => as.map(a => a.getAttribute('href'))"))
    files = {p.name for p in built_site.figures_dir.iterdir() if p.is_file()}
    assert files, "the build wrote no figures"
    assert {f"figures/{name}" for name in files} <= hrefs
    for href in hrefs:
        assert (built_site.html_dir / href).is_file(), href
    # every picture is captioned by its description, not by its bare name
    for figure in page.locator(".essay-gallery-figure:has(img)").all():
        name = figure.get_attribute("id")
        alt = figure.locator("img").get_attribute("alt")
        assert alt and alt != f"Figure {name}", f"{name} has no caption"
        assert figure.locator("img").evaluate("i => i.complete && i.naturalWidth > 0")
    assert page.locator(".essay-gallery-chapter").count() >= 1
    assert "CC BY 4.0" in page.inner_text("body")
    page.close()


def test_the_index_shows_run_times_the_gallery_and_the_licence(built_site, browser):
    page = browser.new_page()
    page.goto((built_site.html_dir / "index.html").as_uri(), wait_until="load")
    times = page.locator(".essay-runtime").all_inner_texts()
    assert len(times) == len(NOTEBOOKS) and all(re.match(r"code runs in \d", t) for t in times)
    reads = page.locator(".essay-readtime").all_inner_texts()
    assert len(reads) == len(NOTEBOOKS) and all(re.fullmatch(r"read in \d+ min", t) for t in reads)
    assert page.locator("a[href='references.html']").count() == 1
    assert page.locator("a[href='gallery.html']").count() == 1
    assert "MIT" in page.inner_text(".essay-licence")
    page.close()


def test_reader_text_holds_no_build_artefacts_or_badly_written_numbers(built_site):
    """What a reader sees on every chapter page and the index (essay_lib.site.proofread):
    no ``Out[n]`` prompt or expression's value, no build-internal path or file name, the
    true minus in numbers, no negative zero, no rounding noise printed as a result, no
    "x to x" with the same number, no raw TeX."""
    problems = []
    for path in [*_chapter_pages(built_site), built_site.html_dir / "index.html"]:
        text = proofread.reader_text(path.read_text(encoding="utf-8"))
        problems += [f"{path.name}: {p}" for p in proofread.text_problems(text)]
    for notebook in NOTEBOOKS:
        executed = nbformat.read(built_site.executed_dir / f"{notebook.stem}.ipynb", as_version=4)
        problems += [f"{notebook.stem}: {p}" for p in proofread.leaked_values(executed)]
    assert not problems, "\n".join(problems)


def test_the_instructors_page_is_linked_and_its_links_land(built_site, browser):
    """The index and every chapter's navigation link the instructors' page; each chapter
    has its section there; its links to a chapter's sections land on an element."""
    page = browser.new_page()
    page.goto((built_site.html_dir / "index.html").as_uri(), wait_until="load")
    page.locator("a[href='instructors.html']").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/instructors.html")
    assert page.inner_text("h1") == "For instructors"
    for path in NOTEBOOKS:
        number = path.stem.split("_")[0]
        assert page.locator(f"#chapter-{number} h2 a[href='{path.stem}.html']").count() == 1
    assert page.locator(".essay-lecture-plan tbody tr").count() >= len(NOTEBOOKS)
    assert "nbgrader autograde" in page.inner_text("body")
    targets = page.eval_on_selector_all(
        "a[href*='.html#']", "as => as.map(a => a.getAttribute('href'))")
    assert targets
    by_page: dict[str, set[str]] = {}
    for href in targets:
        name, fragment = href.split("#", 1)
        by_page.setdefault(name, set()).add(fragment)
    chapter = browser.new_page()
    for name, fragments in sorted(by_page.items()):
        chapter.goto((built_site.html_dir / name).as_uri(), wait_until="load")
        missing = chapter.evaluate("fs => fs.filter(f => !(document.getElementById(f)"
                                   " || document.getElementById(decodeURIComponent(f))))",
                                   sorted(fragments))
        assert not missing, f"instructors.html: links to {name} land on nothing: {missing}"
    for path in _chapter_pages(built_site)[:1]:
        chapter.goto(path.as_uri(), wait_until="load")
        assert chapter.locator(".essay-nav-top a[href='instructors.html']").count() == 1
    chapter.close()
    page.close()
