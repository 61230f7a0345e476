"""Debian's Chromium driven by Playwright: one home for where it is and how it starts.

The PDF edition (:mod:`essay_lib.site.pdf`), the screenshots command
(:mod:`essay_lib.cli.screenshots`) and the browser tests (``tests/conftest.py``) all start
it through :func:`headless_chromium`.  ``make browser`` installs Chromium (Debian's
package); Playwright comes with the ``test`` and ``pdf`` extras.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "headless_chromium"]

#: Debian's chromium.
CHROMIUM = Path("/usr/bin/chromium")
#: Its flags: no sandbox (root in containers and CI), no GPU, nothing fetched in the
#: background (the pages are read offline).
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-quic")


@contextmanager
def headless_chromium(chromium: Path | str = CHROMIUM) -> Iterator:
    """A headless Playwright ``Browser`` on ``chromium``, closed on exit.

    Raises ``FileNotFoundError`` when ``chromium`` is missing (``make browser`` installs
    it) and ``RuntimeError`` when Playwright is not installed."""
    chromium = Path(chromium)
    if not chromium.exists():
        raise FileNotFoundError(f"{chromium} is missing: run `make browser` (or apt-get "
                                "install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise RuntimeError("playwright is not installed: pip install -e '.[test]'") from None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium),
                                             args=list(CHROMIUM_ARGS), headless=True)
        try:
            yield browser
        finally:
            browser.close()
