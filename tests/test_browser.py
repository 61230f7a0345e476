"""The one home of the browser the PDF edition, the screenshots and the browser tests use
(essay_lib.site.browser).  Fast: the missing-browser path needs no browser."""

from __future__ import annotations

import pytest

from essay_lib.site import browser


def test_a_missing_chromium_is_a_clear_error_naming_the_path(tmp_path):
    missing = tmp_path / "no-chromium"
    with pytest.raises(FileNotFoundError, match="no-chromium is missing: run `make browser`"):
        with browser.headless_chromium(missing):
            pass


def test_the_flags_keep_the_browser_offline_and_sandbox_free():
    assert "--no-sandbox" in browser.CHROMIUM_ARGS
    assert "--disable-background-networking" in browser.CHROMIUM_ARGS
    assert str(browser.CHROMIUM) == "/usr/bin/chromium"
