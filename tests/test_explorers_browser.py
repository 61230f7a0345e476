"""The explorers in a real browser (Debian's chromium, headless, through Playwright), at a
desktop width (1280 px) and a phone width (390 px): each control moved changes the picture
and the number; the page asks for nothing outside its folder and raises no error; with
JavaScript off, the static first frame (or default triple) and its numbers stay visible
and the controls are hidden.

By default the page is rendered by the site's own renderer (``essay_lib.site.render``) from a
notebook whose outputs are the two explorers, built from functions on the essay's data sets
(no training, no kernel).  With ``$ESSAY_EXPLORER_SITE`` set to a built site's ``html``
folder, the real chapter pages are checked instead (05 for the drop rate, 04 for D), e.g.::

    ESSAY_CACHE_DIR=... python -m essay_lib build --only 04 --only 05 --output /tmp/b
    ESSAY_EXPLORER_SITE=/tmp/b/html pytest tests/test_explorers_browser.py

Screenshots of each explorer at each width go to ``build/screens/``.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np
import pytest
from conftest import REPO

pytestmark = pytest.mark.site

SCREENS = REPO / "build" / "screens"
WIDTHS = (1280, 390)
DROP = '[aria-label="drop-rate explorer"]'
D = '[aria-label="second-difference (D) explorer"]'


def _fixture_html() -> dict[str, str]:
    """The two explorers' HTML, from plain functions on the essay's tasks."""
    from essay_lib import data
    from essay_lib.report import explorers

    rates = (0.0, 0.2, 0.5)
    tasks = []
    for name in ("quadratic", "moons", "diabetes", "digits"):
        task = data.load_task(name)
        d, k = task.X_train.shape[1], task.n_outputs
        weights = np.random.default_rng(0).normal(size=(d, k))
        functions = [lambda X, r=r, W=weights: (1 - r) * np.sin(2 * X @ W) + r * (X @ W)
                     for r in rates]
        tasks.append(explorers.task_frames(task, functions, [0.3, 0.2, 0.1], [1.0, 0.9, 0.8]))
    frames = explorers.DropRateFrames(rates, 0, tuple(tasks))
    grid = np.linspace(-3, 3, 1201)
    curves = explorers.DCurves(start=-3.0, step=0.005, x_train=np.linspace(-1, 1, 9),
                               y_train=np.linspace(-1, 1, 9) ** 2,
                               functions={"true x²": grid ** 2,
                                          "no dropout": np.sin(3 * grid) / 2 + grid ** 2 / 2,
                                          "drop rate 0.5": np.abs(grid - 0.1)})
    return {"drop": explorers.drop_rate_explorer_html(frames),
            "d": explorers.d_explorer_html(curves)}


def _render(tmp: Path) -> Path:
    """A site page (our template, CSS, navigation) whose outputs are the two explorers."""
    import nbformat

    from essay_lib.site import render

    fragments = _fixture_html()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Explorers\n\nThe drop rate, then $D$.")]
    for key in ("drop", "d"):
        cell = nbformat.v4.new_code_cell("display(HTML(...))", execution_count=1)
        cell.outputs = [nbformat.v4.new_output("display_data", data={
            "text/html": fragments[key], "text/plain": "<IPython.core.display.HTML object>"})]
        nb.cells.append(cell)
    page = render.render_chapter(render.EssayHTMLExporter(), nb, title="Explorers",
                                 notebooks_dir=REPO / "notebooks",
                                 nav={"prev": None, "next": None, "contents": "index.html"})
    (tmp / "explorers.html").write_text(page, encoding="utf-8")
    (tmp / "index.html").write_text("<!doctype html><title>contents</title>", encoding="utf-8")
    render.copy_static(tmp)
    return tmp / "explorers.html"


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """Explorer ("drop", "d") -> the page that holds it."""
    site = os.environ.get("ESSAY_EXPLORER_SITE")
    if site:
        html = Path(site)
        return {"drop": html / "05_experiment.html", "d": html / "04_linearity_measure.html"}
    page = _render(tmp_path_factory.mktemp("explorers"))
    return {"drop": page, "d": page}


@pytest.fixture
def open_page(browser):
    """``open_page(path, width, js=True)`` -> (page, problems): requests outside the page's
    folder and script errors are collected in ``problems``."""
    contexts = []

    def opener(path: Path, width: int, js: bool = True):
        context = browser.new_context(offline=True, java_script_enabled=js,
                                      viewport={"width": width, "height": 900})
        contexts.append(context)
        page, problems = context.new_page(), []
        root = path.parent.resolve()

        def request(r):
            parsed = urlparse(r.url)
            if parsed.scheme == "data":
                return
            if parsed.scheme != "file" or not Path(unquote(parsed.path)).resolve(
                    ).is_relative_to(root):
                problems.append(f"requested {r.url[:100]}")

        page.on("request", request)
        page.on("pageerror", lambda e: problems.append(f"error: {e}"))
        page.on("console", lambda m: problems.append(f"console: {m.text}")
                if m.type == "error" else None)
        page.goto(path.as_uri(), wait_until="load")
        return page, problems

    yield opener
    for context in contexts:
        context.close()


def _shot(locator, name: str) -> bytes:
    SCREENS.mkdir(parents=True, exist_ok=True)
    locator.scroll_into_view_if_needed()
    return locator.screenshot(path=str(SCREENS / f"{name}.png"))


def _visible_frames(explorer) -> list[str]:
    return explorer.evaluate("""e => [...e.querySelectorAll('g[data-frame]')]
        .filter(g => getComputedStyle(g).display !== 'none')
        .map(g => g.getAttribute('data-frame'))""")


def _z_bars(explorer) -> list[str]:
    return explorer.evaluate("""e => [...e.querySelectorAll('[data-z-bar]')]
        .filter(s => getComputedStyle(s).display !== 'none').map(s => s.textContent)""")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_drop_rate_slider_changes_the_picture_and_z_bar(pages, open_page, width):
    page, problems = open_page(pages["drop"], width)
    explorer = page.locator(DROP)
    slider = explorer.locator("input[type=range]")
    assert slider.is_visible() and not explorer.locator("[data-without-js]").is_visible()
    panels = explorer.locator("figure").count()
    assert panels >= 1 and _visible_frames(explorer) == ["0"] * panels
    before, z_before = _shot(explorer, f"drop-rate-{width}"), _z_bars(explorer)
    assert len(z_before) == panels
    box = explorer.locator("svg").first.bounding_box()
    assert box["width"] > 0.6 * min(width, 420) and box["x"] + box["width"] <= width + 1
    slider.focus()
    page.keyboard.press("End")  # the strongest drop rate
    last = slider.get_attribute("max")
    assert slider.input_value() == last
    assert _visible_frames(explorer) == [last] * panels
    assert _z_bars(explorer) != z_before
    after = _shot(explorer, f"drop-rate-{width}-strongest")
    assert after != before
    page.keyboard.press("ArrowLeft")
    assert _visible_frames(explorer) == [str(int(last) - 1)] * panels
    assert not problems, problems


@pytest.mark.parametrize("width", WIDTHS)
def test_the_drop_rate_explorer_reads_without_javascript(pages, open_page, width):
    page, problems = open_page(pages["drop"], width, js=False)
    explorer = page.locator(DROP)
    assert not explorer.locator("input[type=range]").is_visible()
    assert explorer.locator("[data-without-js]").is_visible()
    panels = explorer.locator("figure").count()
    assert _visible_frames(explorer) == ["0"] * panels
    assert len(_z_bars(explorer)) == panels
    assert all(explorer.locator("svg").nth(i).bounding_box()["height"] > 50
               for i in range(panels))
    _shot(explorer, f"drop-rate-{width}-no-js")
    assert not problems, problems


def _d_state(explorer) -> dict:
    return explorer.evaluate("""e => ({
        d: e.querySelector('[data-d]').textContent,
        z: e.querySelector('[data-z]').textContent,
        twoAb: (e.querySelector('[data-two-ab]') || {}).textContent,
        name: e.querySelector('[data-name]').textContent,
        marks: [...e.querySelectorAll('circle[data-point]')]
            .map(c => c.getAttribute('cx') + ',' + c.getAttribute('cy')).join(' '),
        table: [...e.querySelectorAll('tbody td')].map(c => c.textContent).join(' ')})""")


def _move(page, explorer, name: str, key: str, times: int = 3):
    explorer.locator(f"input[name={name}]").focus()
    for _ in range(times):
        page.keyboard.press(key)


@pytest.mark.parametrize("width", WIDTHS)
def test_each_d_control_changes_the_picture_and_d(pages, open_page, width):
    page, problems = open_page(pages["d"], width, js=False)
    static = _d_state(page.locator(D))
    page, problems = open_page(pages["d"], width)
    explorer = page.locator(D)
    assert explorer.locator("input[name=x0]").is_visible()
    start = _d_state(explorer)
    assert start == static  # the script's numbers at the default are Python's
    shots = {"start": _shot(explorer, f"d-{width}")}
    for name, key in (("x0", "ArrowRight"), ("a", "ArrowLeft"), ("b", "ArrowLeft")):
        before = _d_state(explorer)
        _move(page, explorer, name, key)
        after = _d_state(explorer)
        assert after["marks"] != before["marks"], f"moving {name} left the markers in place"
        assert after["d"] != before["d"], f"moving {name} left D at {before['d']}"
        assert after["table"] != before["table"]
    shots["moved"] = _shot(explorer, f"d-{width}-moved")
    assert shots["moved"] != shots["start"]
    # the true x²: D = 2ab, whatever x0
    explorer.locator("label", has_text="true x²").click()
    truth = _d_state(explorer)
    assert truth["name"] == "true x²" and truth["d"] == truth["twoAb"]
    _move(page, explorer, "x0", "ArrowLeft", times=5)
    moved = _d_state(explorer)
    assert moved["d"] == truth["d"] and moved["marks"] != truth["marks"]
    _move(page, explorer, "a", "ArrowRight", times=2)
    assert _d_state(explorer)["d"] == _d_state(explorer)["twoAb"] != truth["d"]
    assert not problems, problems


@pytest.mark.parametrize("width", WIDTHS)
def test_the_d_explorer_reads_without_javascript(pages, open_page, width):
    page, problems = open_page(pages["d"], width, js=False)
    explorer = page.locator(D)
    assert not explorer.locator("input[name=x0]").is_visible()
    assert explorer.locator("[data-without-js]").is_visible()
    assert explorer.locator("svg").bounding_box()["height"] > 100
    state = _d_state(explorer)
    assert state["d"] and state["table"].count(" ") >= 6 * 3 - 1
    _shot(explorer, f"d-{width}-no-js")
    assert not problems, problems
