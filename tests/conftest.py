"""Shared fixtures.

* ``REPO``, ``NOTEBOOKS_DIR`` (``notebooks/``, or ``$ESSAY_TEST_NOTEBOOKS`` to try the
  notebook/site/lab tests on another folder), ``NOTEBOOKS`` (its ``NN_*.py``, sorted, then
  the appendices ``A_*.py``).
* ``built_site`` (session): runs the real site build **once per test session** — every
  notebook in ``notebooks/`` executed in full in fresh kernels (``force=True``) into a
  temporary build folder, figures into a temporary folder, sweep cache
  (``ESSAY_CACHE_DIR``) a fresh empty folder so nothing is reused from earlier runs.
  ``tests/test_notebooks.py`` and ``tests/test_site.py`` both use it.
* ``single_torch_thread``: torch runs on one thread for the test (float results that
  are compared do not depend on the thread count), restored afterwards.
* ``browser`` (per module): headless Debian chromium through Playwright
  (:func:`essay_lib.site.browser.headless_chromium`; fails, does not skip, when missing),
  shared by a module's browser tests.
* ``no_plt_show``: ``plt.show()`` raises (plot helpers must not call it); figures are
  closed after the test.
* Tiers: a test that starts a Jupyter kernel (executes a notebook) is marked ``kernel``,
  ``notebooks``, ``site``, ``lab`` or ``nbgrader``, the markers ``make check`` leaves
  out.  As a safety net, in any other test the site build's kernel start (``execute_notebook`` of
  ``essay_lib.site.build`` / ``.execute``, where imported) fails at once, naming the marker.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from essay_lib.site.browser import headless_chromium
from essay_lib.site.build import notebook_paths

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = Path(os.environ.get("ESSAY_TEST_NOTEBOOKS") or REPO / "notebooks").resolve()
NOTEBOOKS = notebook_paths(NOTEBOOKS_DIR)
#: markers of the tests that may start a Jupyter kernel (left out by `make check`)
KERNEL_MARKERS = ("kernel", "notebooks", "site", "lab", "nbgrader")


def _no_kernel_here(*args, **kwargs):
    raise AssertionError("this test starts a Jupyter kernel: mark it @pytest.mark.kernel "
                         "(make check runs no kernel)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    if any(item.get_closest_marker(name) for name in KERNEL_MARKERS):
        yield
        return
    modules = [m for m in map(sys.modules.get, ("essay_lib.site.build", "essay_lib.site.execute"))
               if m is not None and hasattr(m, "execute_notebook")]
    saved = [m.execute_notebook for m in modules]
    for module in modules:
        module.execute_notebook = _no_kernel_here
    try:
        yield
    finally:
        for module, original in zip(modules, saved, strict=True):
            module.execute_notebook = original


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The essay built from scratch: ``SimpleNamespace(report, output_dir, html_dir,
    executed_dir, figures_dir, log)``; a failing notebook fails every test using it."""
    from essay_lib.site.build import build_site

    if not NOTEBOOKS:
        pytest.fail(f"no notebooks NN_name.py in {NOTEBOOKS_DIR}")
    root = tmp_path_factory.mktemp("essay-build")
    log: list[str] = []
    report = build_site(notebooks_dir=NOTEBOOKS_DIR, output_dir=root / "build",
                        figures_dir=root / "figures", force=True, log=log.append,
                        extra_env={"ESSAY_CACHE_DIR": str(root / "sweep-cache")})
    return SimpleNamespace(report=report, output_dir=root / "build", html_dir=report.html_dir,
                           executed_dir=root / "build" / "executed",
                           figures_dir=root / "figures", log=log)


@pytest.fixture(scope="module")
def browser():
    """Headless chromium for a module's browser tests, closed at the module's end: Playwright's
    sync API allows one running instance, and the PDF edition and the screenshots command
    start their own (:func:`essay_lib.site.browser.headless_chromium`)."""
    with headless_chromium() as chromium:
        yield chromium


@pytest.fixture
def single_torch_thread():
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture
def no_plt_show(monkeypatch):
    import matplotlib.pyplot as plt

    def refuse():
        raise AssertionError("plot helpers must not call plt.show()")

    monkeypatch.setattr(plt, "show", refuse)
    yield
    plt.close("all")
