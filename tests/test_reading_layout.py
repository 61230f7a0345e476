"""Comfortable reading, measured in a real browser (Debian's chromium through Playwright) at a
desktop width (1280 px) and a phone width (390 px):

* the prose measure: about 70 to 80 characters a line at 1280 px;
* every cell's content (prose, a computed sentence, a figure, a table, the "code" stub)
  starts at the same left edge (JupyterLab's prompt column once put outputs 17 px left
  of the text);
* consecutive folded code cells with nothing shown between them are one "code" stub;
* a table wider than a phone scrolls in its own box, with a visible shadow at the edge
  that hides columns (and none once the reader has scrolled to that edge), and the page
  itself never scrolls sideways;
* a solution box is set in the page's own type and aligned with the text.

The page is rendered by the site's own renderer from a notebook with outputs (no kernel);
with ``$ESSAY_LAYOUT_PAGE`` set to a built chapter page (``build/html/02_dropout.html``)
that page is measured instead.  Screenshots go to ``build/screens/``.
"""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path

import nbformat
import pytest
from conftest import REPO

from essay_lib.site import render

pytestmark = pytest.mark.site

SCREENS = REPO / "build" / "screens"
WIDTHS = (1280, 390)

PROSE = (
    "Dropout is a regularizer of a different kind from L1 and L2: nothing is added to the "
    "cost. Instead, a set fraction of the network's units, picked at random, is switched off "
    "together with its connections, and training proceeds on the network that remains. The "
    "paper says a new selection is made each epoch; in practice a fresh one is drawn at every "
    "training step and for every example, so that no unit can count on any other being there "
    "and each must be useful on its own, which keeps the network from fitting individual "
    "training points.")
WIDE_TABLE = "\n".join([
    "| task | regularizer | drop rate | test loss | Z̄ | Z̄ raw | Jacobian norm | 1 − R² | pieces |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    *[f"| two moons | dropout | 0.{i} | 0.31{i}4 | 0.12{i}3 | 0.0{i}512 | 1.23{i} | 0.0{i}21 "
      f"| 1{i} |" for i in range(1, 6)]])


def _png(width: float, height: float) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height), dpi=100)
    ax.plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _notebook():
    """A chapter with what the layout must handle: long prose, a computed sentence, a
    figure, three code cells in a row that show nothing, a wide table, a solution."""
    v4 = nbformat.v4
    markdown_out = {"output_type": "display_data", "metadata": {},
                    "data": {"text/markdown": PROSE, "text/plain": "<Markdown>"}}
    image_out = {"output_type": "display_data", "data": {"image/png": _png(9, 3)},
                 "metadata": {"image/png": {"alt": "A straight line"}}}
    table_out = {"output_type": "display_data", "metadata": {},
                 "data": {"text/markdown": WIDE_TABLE, "text/plain": "<Markdown>"}}
    cells = [
        v4.new_markdown_cell(f"# 00 · Layout\n\n{PROSE}\n\n{PROSE}"),
        v4.new_code_cell("SEED = 0", metadata={"tags": ["parameters"]}),
        v4.new_code_cell("import numpy as np"),
        v4.new_code_cell("x = np.linspace(0, 1)"),
        v4.new_code_cell("y = x ** 2"),
        v4.new_code_cell("display(Markdown(sentence))", outputs=[markdown_out]),
        v4.new_markdown_cell(f"## 1 · A figure and a table\n\n{PROSE}"),
        v4.new_code_cell("fig = plotting.plot_line(x, y)", outputs=[image_out]),
        v4.new_code_cell("display(Markdown(table))", outputs=[table_out]),
        v4.new_markdown_cell("**Exercise 1.** Change the seed."),
        v4.new_markdown_cell(f"**Solution 1.** {PROSE}", metadata={"tags": ["solution"]}),
        v4.new_code_cell("print(SEED)", metadata={"tags": ["solution"]},
                         outputs=[v4.new_output("stream", name="stdout", text="0\n")]),
        v4.new_markdown_cell(f"## Summary\n\n{PROSE}"),
    ]
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index}"
    return v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3",
                                                                 "display_name": "Python 3",
                                                                 "language": "python"}})


@pytest.fixture(scope="module")
def page_path(tmp_path_factory) -> Path:
    chosen = os.environ.get("ESSAY_LAYOUT_PAGE")
    if chosen:
        return Path(chosen).resolve()
    folder = tmp_path_factory.mktemp("layout")
    page = render.render_chapter(render.EssayHTMLExporter(), _notebook(), title="00 Layout",
                                 notebooks_dir=REPO,
                                 nav={"prev": None, "next": None, "contents": "index.html"})
    (folder / "00_layout.html").write_text(page, encoding="utf-8")
    render.copy_static(folder)
    return folder / "00_layout.html"


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def page(request, browser, page_path):
    context = browser.new_context(offline=True, viewport={"width": request.param, "height": 900})
    tab = context.new_page()
    tab.goto(page_path.as_uri(), wait_until="load")
    tab.evaluate("document.fonts.ready.then(() => true)")
    SCREENS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENS / f"layout-{page_path.stem}-{request.param}.png"))
    yield tab
    context.close()


# Characters per line of the long prose paragraphs (the last, short line left out).
MEASURE = """() => [...document.querySelectorAll('.jp-RenderedMarkdown p')]
  .filter(p => p.innerText.length > 400 && !p.querySelector('math')
               && !p.closest('details')).map(p => {
    const lines = new Map();
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.length; i++) {
        const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        if (rect) { const top = Math.round(rect.top); lines.set(top, (lines.get(top) || 0) + 1); }
      }
    }
    const counts = [...lines.entries()].sort((a, b) => a[0] - b[0]).map(e => e[1]);
    counts.pop();
    return counts.reduce((a, b) => a + b, 0) / counts.length;
  })"""

LEFT_EDGES = """() => {
  const left = sel => [...document.querySelectorAll(sel)]
    .filter(e => e.offsetParent !== null && !e.closest('details.essay-solution'))
    .map(e => Math.round(e.getBoundingClientRect().left));
  return {prose: left('.jp-MarkdownCell .jp-RenderedMarkdown > p'),
          sentence: left('.jp-OutputArea-output.jp-RenderedMarkdown > p'),
          figure: left('.jp-OutputArea-output img'),
          table: left('.essay-table'),
          stub: left('details.essay-code > summary'),
          heading: left('.jp-RenderedMarkdown > h2')};
}"""

STACKED_STUBS = """() => [...document.querySelectorAll('.jp-CodeCell')].filter(cell => {
  const next = cell.nextElementSibling;
  return next && next.matches('.jp-CodeCell') && !cell.querySelector('.jp-OutputArea-output')
    && cell.querySelector('details.essay-code:not([open])')
    && next.querySelector('details.essay-code:not([open])');
}).map(cell => cell.id)"""


def test_prose_keeps_a_comfortable_measure(page):
    width = page.viewport_size["width"]
    per_line = page.evaluate(MEASURE)
    assert per_line, "no long paragraph to measure"
    if width >= 1280:
        assert all(68 <= n <= 82 for n in per_line), f"characters per line: {per_line}"
    else:
        assert all(30 <= n <= 60 for n in per_line), f"characters per line: {per_line}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width, \
        "the page scrolls sideways"


def test_outputs_start_where_the_text_starts(page):
    edges = page.evaluate(LEFT_EDGES)
    found = {kind: xs for kind, xs in edges.items() if xs}
    assert {"prose", "figure", "stub"} <= set(found), found
    lefts = {x for xs in found.values() for x in xs}
    assert max(lefts) - min(lefts) <= 1, f"left edges differ: {found}"


def test_consecutive_code_stubs_are_one(page):
    assert page.evaluate(STACKED_STUBS) == []
    if os.environ.get("ESSAY_LAYOUT_PAGE"):
        return
    merged = page.locator(".jp-CodeCell", has_text="y = x ** 2")
    assert merged.count() == 1
    merged.locator("summary").click()
    code = merged.locator(".jp-InputArea-editor").inner_text()
    assert code.index("import numpy") < code.index("np.linspace") < code.index("y = x ** 2")


def _edge_brightness(page, box, side: str) -> float:
    """Mean brightness (0-255) of the 2 px at the ``side`` edge of ``box`` (a screenshot)."""
    from PIL import Image

    clip = {"x": box["x"] + (box["width"] - 2 if side == "right" else 0), "y": box["y"],
            "width": 2, "height": box["height"]}
    image = Image.open(io.BytesIO(page.screenshot(clip=clip))).convert("L")
    pixels = image.tobytes()
    return sum(pixels) / len(pixels)


def test_a_wide_table_shows_that_it_scrolls(page):
    tables = page.locator(".essay-table")
    assert tables.count() >= 1, "tables are not wrapped in their scrolling box"
    # a table that hides no more than its cell padding (a few px) needs no cue
    wide = [t for t in tables.all() if t.evaluate("b => b.scrollWidth > b.clientWidth + 12")]
    if page.viewport_size["width"] >= 1280:
        return
    if not os.environ.get("ESSAY_LAYOUT_PAGE"):
        assert wide, "the wide table fits a phone: the test shows nothing"
    for table in wide:
        assert table.evaluate("b => getComputedStyle(b).overflowX") in ("auto", "scroll")
        table.scroll_into_view_if_needed()
        box = table.bounding_box()
        hidden_right = _edge_brightness(page, box, "right")
        table.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
        page.wait_for_timeout(50)
        at_the_end = _edge_brightness(page, box, "right")
        shaded_left = _edge_brightness(page, box, "left")
        assert hidden_right < at_the_end - 15, (
            f"no cue that columns lie to the right: edge {hidden_right:.0f} vs {at_the_end:.0f}")
        assert shaded_left < at_the_end - 15, "no cue that columns lie to the left"
        table.evaluate("b => { b.scrollLeft = 0; }")


def test_a_solution_is_set_in_the_pages_own_type(page):
    solution = page.locator("details.essay-solution").first
    style = solution.evaluate("""d => {
      const p = [...document.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown > p')]
        .find(e => !e.className && !e.closest('details') && e.innerText.length > 200);
      const s = getComputedStyle(d.querySelector('summary'));
      return {summary: s.fontFamily, text: getComputedStyle(p).fontFamily,
              size: s.fontSize, textSize: getComputedStyle(p).fontSize,
              background: getComputedStyle(d).backgroundColor,
              left: Math.round(d.getBoundingClientRect().left),
              textLeft: Math.round(p.getBoundingClientRect().left)};
    }""")
    assert style["summary"] == style["text"] and style["size"] == style["textSize"], style
    assert style["background"] in ("rgba(0, 0, 0, 0)", "transparent"), style
    assert abs(style["left"] - style["textLeft"]) <= 1, style
