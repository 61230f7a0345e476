"""``python -m essay_lib screenshots``: PNG screenshots of a built site, for a note or a review.

Examples::

    python -m essay_lib screenshots                        # build/html -> build/screenshots/
    python -m essay_lib screenshots --site /tmp/b/html --full-page

For each width (1280 px, a desktop, and 390 px, a phone) it writes, into the output
folder:

* ``index-W.png``: the top of the contents page (the answer first);
* ``05-experiment-W.png``: the top of chapter 05's page, and ``05-figure-W.png``: its first
  numbered figure with its caption;
* ``explorer-drop-rate-W.png`` (chapter 05) and ``explorer-d-W.png`` (chapter 04): the two
  explorers as a reader first sees them;
* with ``--full-page``, the index and chapter 05 pages whole.

The pages are opened from ``file://`` in Debian's chromium (``/usr/bin/chromium``, headless,
through Playwright: ``make browser`` installs it), offline.  A page or element the site does
not have is reported and skipped; the command fails (1) only when nothing was written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from essay_lib.site.browser import headless_chromium
from essay_lib.util.paths import REPO_DIR

__all__ = ["SHOTS", "WIDTHS", "add_arguments", "run"]

WIDTHS = (1280, 390)
#: name -> (page, CSS selector of the element, or None for the top of the page).
SHOTS = {
    "index": ("index.html", None),
    "05-experiment": ("05_experiment.html", None),
    "05-figure": ("05_experiment.html", "figure.essay-figure"),
    "explorer-drop-rate": ("05_experiment.html", '[aria-label="drop-rate explorer"]'),
    "explorer-d": ("04_linearity_measure.html", '[aria-label="second-difference (D) explorer"]'),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the ``screenshots`` command."""
    parser.add_argument("--site", type=Path, default=REPO_DIR / "build" / "html",
                        help="the built site's html folder (default: build/html)")
    parser.add_argument("--output", type=Path, default=REPO_DIR / "build" / "screenshots",
                        help="where the PNGs go (default: build/screenshots)")
    parser.add_argument("--full-page", action="store_true",
                        help="also shoot the index and chapter 05 pages whole")


def _shoot(browser, site: Path, output: Path, width: int, full_page: bool, log) -> list[Path]:
    written = []
    context = browser.new_context(offline=True, device_scale_factor=1,
                                  viewport={"width": width, "height": 900 if width > 600 else 844})
    try:
        for name, (page_name, selector) in SHOTS.items():
            path = site / page_name
            if not path.is_file():
                log(f"skipped {name}: no {page_name} in {site}")
                continue
            page = context.new_page()
            page.goto(path.as_uri(), wait_until="load")
            target = output / f"{name}-{width}.png"
            if selector is None:
                page.screenshot(path=str(target))
                if full_page:
                    whole = output / f"{name}-{width}-full.png"
                    page.screenshot(path=str(whole), full_page=True)
                    written.append(whole)
            else:
                element = page.locator(selector).first
                if page.locator(selector).count() == 0:
                    log(f"skipped {name}: {page_name} has no {selector}")
                    page.close()
                    continue
                element.scroll_into_view_if_needed()
                element.screenshot(path=str(target))
            written.append(target)
            page.close()
    finally:
        context.close()
    return written


def run(args: argparse.Namespace, log=print) -> int:
    """Write the screenshots; 1 when the site, the browser or every shot is missing."""
    site, output = Path(args.site), Path(args.output)
    if not (site / "index.html").is_file():
        print(f"no built site in {site} (no index.html): run `python -m essay_lib build`",
              file=sys.stderr)
        return 1
    output.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        with headless_chromium() as browser:
            for width in WIDTHS:
                written += _shoot(browser, site, output, width, args.full_page, log)
    except (FileNotFoundError, RuntimeError) as exc:  # no chromium, or no playwright
        print(exc, file=sys.stderr)
        return 1
    for path in written:
        log(f"wrote {path}")
    return 0 if written else 1
