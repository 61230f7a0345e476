"""Numbered, captioned figures in a real browser (Debian's chromium, headless, through
Playwright) at a desktop width (1280 px) and a phone width (390 px):

* every chapter page shows each figure its notebook saves, in order, in a ``<figure>``
  whose ``<figcaption>`` is visible and reads "Figure C.k. caption" (with JavaScript off:
  captions need none), and no image is wider than the viewport;
* the gallery lists the figures in reading order with the same numbered captions;
* ``python -m essay_lib screenshots`` shoots the index, chapter 05 and the explorers.

The site is the one ``built_site`` builds (one full build per test session, shared with
``tests/test_site.py``); with ``$ESSAY_FIGURES_SITE`` set to a built site's ``html`` folder
that site is checked instead (only the chapter pages it has), e.g.::

    ESSAY_CACHE_DIR=... python -m essay_lib build --only 02 --output /tmp/b
    ESSAY_FIGURES_SITE=/tmp/b/html pytest tests/test_figures_browser.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import NOTEBOOKS, REPO

from essay_lib.site import captions, numbering

pytestmark = pytest.mark.site

WIDTHS = (1280, 390)
FIGURES = """() => [...document.querySelectorAll('figure.essay-figure')].map(f => {
  const img = f.querySelector('img'), cap = f.querySelector('figcaption');
  const box = img.getBoundingClientRect(), capBox = cap ? cap.getBoundingClientRect() : null;
  return {id: f.id, alt: img.getAttribute('alt'), left: box.left, right: box.right,
          loaded: img.complete && img.naturalWidth > 0,
          caption: cap ? cap.textContent.trim().replace(/\\s+/g, ' ') : null,
          captionVisible: !!capBox && capBox.width > 0 && capBox.height > 0
                          && getComputedStyle(cap).visibility !== 'hidden'};
})"""
GALLERY = """() => [...document.querySelectorAll('.essay-gallery-figure')].map(f => ({
  id: f.id, caption: f.querySelector('figcaption').childNodes.length ?
    [...f.querySelector('figcaption').childNodes].filter(n => !(n.classList &&
      n.classList.contains('essay-gallery-files'))).map(n => n.textContent).join('')
      .trim().replace(/\\s+/g, ' ') : ''}))"""
PAGE_WIDTH = "() => [document.documentElement.clientWidth, document.documentElement.scrollWidth]"


@pytest.fixture(scope="module")
def html_dir(request) -> Path:
    site = os.environ.get("ESSAY_FIGURES_SITE")
    if site:
        return Path(site)
    return request.getfixturevalue("built_site").html_dir


@pytest.fixture(scope="module")
def expected() -> dict[str, list[tuple[str, str]]]:
    """Chapter page -> [(figure name, "Figure C.k. caption")] in the order it saves them."""
    chapters = [(p.stem.split("_", 1)[0], p.read_text(encoding="utf-8")) for p in NOTEBOOKS]
    numbers = numbering.figure_numbers(chapters)
    return {f"{path.stem}.html": [(name, f"{numbers[name].label}. {captions.caption_for(name)}")
                                  for name in numbering.saved_figures(source)]
            for path, (_, source) in zip(NOTEBOOKS, chapters, strict=True)}


def _open(browser, path: Path, width: int, js: bool = True):
    context = browser.new_context(offline=True, java_script_enabled=js,
                                  viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(path.as_uri(), wait_until="load")
    return context, page


@pytest.mark.parametrize("width", WIDTHS)
def test_every_chapter_figure_is_numbered_and_captioned_and_fits(html_dir, expected, browser,
                                                                  width):
    pages = [name for name in expected if (html_dir / name).is_file()]
    assert pages, f"no chapter page in {html_dir}"
    problems = []
    for name in pages:
        context, page = _open(browser, html_dir / name, width, js=False)
        found = page.evaluate(FIGURES)
        view, scroll = page.evaluate(PAGE_WIDTH)
        context.close()
        want = expected[name]
        if [f["id"] for f in found] != [f"fig-{n}" for n, _ in want]:
            problems.append(f"{name}: figures {[f['id'] for f in found]}, expected "
                            f"{[n for n, _ in want]}")
            continue
        for figure, (figure_name, text) in zip(found, want, strict=True):
            if figure["caption"] != text:
                problems.append(f"{name} {figure_name}: caption {figure['caption']!r}")
            if not figure["captionVisible"] or not figure["caption"].startswith("Figure"):
                problems.append(f"{name} {figure_name}: no visible caption")
            if not figure["alt"] or not figure["loaded"]:
                problems.append(f"{name} {figure_name}: image without alt text or not loaded")
            if figure["left"] < -1 or figure["right"] > view + 1:
                problems.append(f"{name} {figure_name}: image spans {figure['left']:.0f}–"
                                f"{figure['right']:.0f} px of a {view} px viewport")
        if scroll > view + 1:
            problems.append(f"{name}: the page scrolls sideways ({scroll} > {view} px)")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_gallery_lists_figures_in_reading_order_with_the_same_captions(html_dir, expected,
                                                                            browser, width):
    context, page = _open(browser, html_dir / "gallery.html", width)
    listed = page.evaluate(GALLERY)
    boxes = page.evaluate("""() => [...document.querySelectorAll('.essay-gallery-figure img')]
        .map(i => i.getBoundingClientRect().right)""")
    view = page.evaluate(PAGE_WIDTH)[0]
    context.close()
    in_order = [(n, text) for figures in expected.values() for n, text in figures]
    texts = dict(in_order)
    shown = [(f["id"], f["caption"]) for f in listed if f["id"] in texts]
    saved = {f["id"] for f in listed}
    assert shown == [(n, text) for n, text in in_order if n in saved]
    assert len(shown) >= 1, "the gallery shows no figure a notebook saves"
    assert all(right <= view + 1 for right in boxes), "a gallery image is wider than the page"


def test_the_screenshots_command_shoots_the_index_chapter_05_and_the_explorers(html_dir,
                                                                                tmp_path):
    from PIL import Image

    from essay_lib.cli import screenshots

    result = subprocess.run([sys.executable, "-m", "essay_lib", "screenshots", "--site",
                             str(html_dir), "--output", str(tmp_path)], capture_output=True,
                            text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr
    written = {p.name for p in tmp_path.glob("*.png")}
    expected = {f"{name}-{width}.png" for name, (page, _) in screenshots.SHOTS.items()
                for width in screenshots.WIDTHS if (html_dir / page).is_file()}
    assert expected <= written, result.stdout
    for name in written:
        with Image.open(tmp_path / name) as image:
            width = int(name.rsplit("-", 1)[1].removesuffix(".png"))
            assert 0 < image.width <= width and image.height > 50, name
