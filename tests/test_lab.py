"""JupyterLab opens the essay: a real ``jupyter lab`` from this environment, on a free
loopback port with a token, serves each ``notebooks/*.py`` as a notebook (jupytext's
contents manager) with the same cells as its paired ``.ipynb``; then it shuts down cleanly.

Then JupyterLab's real UI in Debian's chromium (Playwright), as a student meets it: a server
on a temporary copy of ``notebooks/`` (so autosave never touches the repository; figures
to a temporary folder) with the settings overrides that ``make setup`` writes into the venv
(``python -m essay_lib lab-settings``, here into a temporary app settings folder): no news
pop-up; double-clicking each ``.py`` in the file browser opens a notebook, not a text
editor; "Run All Cells" from the Run menu runs the fastest chapter with no error output.
A screenshot of the first view goes to ``build/lab-first-open.png``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from conftest import NOTEBOOKS, NOTEBOOKS_DIR

pytestmark = pytest.mark.lab

JUPYTER = Path(sys.executable).parent / "jupyter"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Lab:
    """A running ``jupyter lab`` process and a tiny client for its REST API."""

    def __init__(self, root: Path, home: Path, extra_args=(), extra_env=None):
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = home / "jupyter.log"
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"),
               "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_RUNTIME_DIR": str(home / "run"),
               "JUPYTER_PLATFORM_DIRS": "1", **(extra_env or {})}
        command = [str(JUPYTER), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                   f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                   f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={root}"]
        command += list(extra_args)
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT,
                                        env=env, cwd=root)

    def request(self, path: str, method: str = "GET") -> tuple[int, bytes]:
        req = urllib.request.Request(self.url + path, method=method,
                                     headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def get_json(self, path: str) -> dict:
        status, body = self.request(path)
        assert status == 200, f"GET {path}: {status} {body[:300]!r}"
        return json.loads(body)

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"jupyter lab exited with {self.process.returncode}:\n{self.output()}")
            try:
                if self.request("/api/status")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        pytest.fail(f"jupyter lab did not answer within {timeout} s:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text()[-3000:]

    def stop(self) -> int | None:
        """Ask the server to shut down (``POST /api/shutdown``); kill it only if it hangs."""
        try:
            if self.process.poll() is None:
                self.request("/api/shutdown", method="POST")
                return self.process.wait(timeout=30)
            return self.process.returncode
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait(timeout=10)
            return None
        finally:
            self.log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    server = Lab(NOTEBOOKS_DIR.parent, tmp_path_factory.mktemp("jupyter-home"))
    try:
        server.wait_ready()
        yield server
    finally:
        code = server.stop()
    assert code == 0, f"jupyter lab did not shut down cleanly ({code}):\n{server.output()}"


def test_jupyterlab_is_served(lab):
    status, body = lab.request("/lab")
    assert status == 200 and b"JupyterLab" in body
    assert lab.request("/api/contents")[0] == 200
    anonymous = urllib.request.Request(lab.url + "/api/contents")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(anonymous, timeout=30)
    assert info.value.code == 403  # the token is required


def test_the_notebooks_folder_lists_text_notebooks_as_notebooks(lab):
    listing = lab.get_json(f"/api/contents/{NOTEBOOKS_DIR.name}?content=1")
    kinds = {item["name"]: item["type"] for item in listing["content"]}
    for path in NOTEBOOKS:
        assert kinds.get(path.name) == "notebook", (
            f"{path.name} is listed as {kinds.get(path.name)!r}: jupytext's contents manager "
            "is not active in `jupyter lab`")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_each_py_opens_as_the_paired_notebook(lab, path):
    model = lab.get_json(f"/api/contents/{NOTEBOOKS_DIR.name}/{path.name}?type=notebook&content=1")
    assert model["type"] == "notebook" and model["format"] == "json"
    served = nbformat.from_dict(model["content"])
    pair = path.with_suffix(".ipynb")
    assert pair.exists(), f"{path.name} has no paired {pair.name}"
    paired = nbformat.read(pair, as_version=4)
    assert [(c.cell_type, c.source) for c in served.cells] == [
        (c.cell_type, c.source) for c in paired.cells]
    assert served.metadata.get("kernelspec", {}).get("name") == "python3"


# ---------------------------------------------------------------- the real UI in chromium
SCREENSHOT = Path(__file__).resolve().parent.parent / "build" / "lab-first-open.png"
#: The chapter run cell by cell through the UI: the quickest (about 20 s in a build).
FASTEST = "01_l1_l2_regularization"
RUN_ALL_TIMEOUT_S = 900

# What the app says about the panel in front (window.jupyterapp: --expose-app-in-browser).
CURRENT = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  if (!w) return null;
  const cells = w.content && w.content.model ? [...w.content.model.cells] : null;
  return {title: w.title.label, classes: [...w.node.classList],
          path: w.context ? w.context.path : null,
          cells: cells ? cells.map(c => { const j = c.toJSON();
            return {type: j.cell_type, count: j.execution_count === undefined ? null
                    : j.execution_count, outputs: j.outputs || [],
                    tags: (j.metadata || {}).tags || [],
                    blank: [].concat(j.source).join('').trim() === ''}; }) : null};
}"""


KERNEL_IDLE = """() => { const w = window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session
            && w.sessionContext.session.kernel;
  return !!(k && w.sessionContext.isReady && k.connectionStatus === 'connected'
            && k.status === 'idle'); }"""
STARTED = """() => [...document.querySelectorAll('.jp-NotebookPanel .jp-InputPrompt')]
  .some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))
  || [...window.jupyterapp.shell.currentWidget.content.model.cells]
     .some(c => c.toJSON().execution_count)"""


@pytest.fixture(scope="module")
def lab_ui(tmp_path_factory):
    """A server on a copy of notebooks/ with the essay's lab settings; ``(server, root)``."""
    from essay_lib.cli.lab import write_lab_settings

    root = tmp_path_factory.mktemp("student")
    shutil.copy(NOTEBOOKS_DIR.parent / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(NOTEBOOKS_DIR, root / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    settings = write_lab_settings(root / "app-settings").parent
    server = Lab(root / "notebooks", tmp_path_factory.mktemp("student-home"),
                 extra_args=[f"--LabApp.app_settings_dir={settings}",
                             "--LabApp.expose_app_in_browser=True"],
                 extra_env={"ESSAY_FIGURES_DIR": str(root / "figures")})
    try:
        server.wait_ready()
        yield server, root
    finally:
        code = server.stop()
    assert code == 0, f"jupyter lab did not shut down cleanly ({code}):\n{server.output()}"


@pytest.fixture(scope="module")
def lab_page(lab_ui, browser):
    """Chromium on JupyterLab's first view, as a student opens it (its screenshot saved)."""
    server, _ = lab_ui
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(f"{server.url}/lab?token={server.token}")
    page.wait_for_selector(".jp-DirListing-item", state="visible")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell")
    page.wait_for_timeout(4000)  # any toast (news, updates) would be up by now
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    yield page
    context.close()


def _open_by_double_click(page, name: str) -> dict:
    item = page.locator(".jp-DirListing-item").filter(
        has=page.locator(".jp-DirListing-itemText", has_text=re.compile(f"^{re.escape(name)}$")))
    item.dblclick()
    page.wait_for_function(f"() => {{ const w = window.jupyterapp.shell.currentWidget;"
                           f" return w && w.title.label === {json.dumps(name)}"
                           f" && (!w.context || w.context.isReady); }}")
    page.wait_for_timeout(500)
    return page.evaluate(CURRENT)


def _close_current(page):
    """Close the tab in front (Alt+W), discarding changes if JupyterLab asks (starting a
    kernel records its metadata in the notebook, which makes it "changed")."""
    page.keyboard.press("Alt+w")
    discard = page.locator(".jp-Dialog button", has_text=re.compile("^Discard$"))
    try:
        discard.wait_for(state="visible", timeout=5000)
    except Exception:  # noqa: BLE001 - no dialog: nothing had changed
        return
    discard.click()


def _shut_down_kernels(server):
    for kernel in server.get_json("/api/kernels"):
        server.request(f"/api/kernels/{kernel['id']}", method="DELETE")


def test_no_news_or_update_pop_up_on_first_open(lab_page):
    toasts = lab_page.locator(".Toastify__toast, .jp-Notification-Toast").all_inner_texts()
    assert not any("news" in t.lower() or "version" in t.lower() for t in toasts), toasts
    # the overrides become the schema's defaults, which the student's settings start from
    schema = lab_page.evaluate("""async () => (await window.jupyterapp.serviceManager.settings
        .fetch('@jupyterlab/apputils-extension:notification')).schema.properties""")
    assert schema["fetchNews"]["default"] == "false"
    assert schema["checkForUpdates"]["default"] is False
    assert SCREENSHOT.exists() and SCREENSHOT.stat().st_size > 10_000


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_double_clicking_each_py_opens_a_notebook(lab_ui, lab_page, path):
    server, _ = lab_ui
    current = _open_by_double_click(lab_page, path.name)
    assert "jp-NotebookPanel" in current["classes"], (
        f"{path.name} opened as {current['classes']}, not as a notebook (a text editor?)")
    assert current["path"] == path.name and current["cells"], current
    assert lab_page.locator(".jp-FileEditor:visible").count() == 0
    lab_page.wait_for_selector(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell",
                               state="visible")
    paired = nbformat.read(path.with_suffix(".ipynb"), as_version=4)
    assert len(current["cells"]) == len(paired.cells)
    hidden = [c for c in current["cells"] if "solution" in c["tags"] and c["type"] == "code"]
    assert hidden, f"{path.name}: no solution cells"
    _close_current(lab_page)
    _shut_down_kernels(server)


def test_run_all_cells_of_the_fastest_chapter_through_the_ui(lab_ui, lab_page):
    server, root = lab_ui
    name = f"{FASTEST}.py"
    assert (root / "notebooks" / name).exists()
    _open_by_double_click(lab_page, name)
    # the kernel is up and idle before the student clicks (as they would wait for it)
    lab_page.wait_for_function(KERNEL_IDLE, timeout=300_000, polling=1000)
    for attempt in range(3):
        lab_page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
        lab_page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Run All Cells$")).click()
        try:  # a cell is queued or ran: the click took
            lab_page.wait_for_function(STARTED, timeout=60_000, polling=500)
            break
        except Exception:  # noqa: BLE001 - the menu was not ready; click again
            if attempt == 2:
                raise
    lab_page.wait_for_function(
        """() => { const cells = [...window.jupyterapp.shell.currentWidget.content.model.cells]
                   .map(c => c.toJSON()).filter(c => c.cell_type === 'code'
                                                && [].concat(c.source).join('').trim());
                   const failed = cells.some(c => (c.outputs || []).some(
                     o => o.output_type === 'error'));
                   return failed || cells.every(c => c.execution_count !== null); }""",
        timeout=RUN_ALL_TIMEOUT_S * 1000, polling=2000)
    current = lab_page.evaluate(CURRENT)
    # JupyterLab runs no blank code cell (it keeps no execution count)
    code = [c for c in current["cells"] if c["type"] == "code" and not c["blank"]]
    errors = [(i, o.get("ename"), o.get("evalue")) for i, c in enumerate(code)
              for o in c["outputs"] if o.get("output_type") == "error"]
    assert not errors, f"{name}: error output in cells {errors}"
    assert all(c["count"] for c in code)
    assert list((root / "figures").glob("01-*.png")), "the chapter saved no figure"
    lab_page.screenshot(path=str(SCREENSHOT.with_name("lab-run-all.png")))
    _shut_down_kernels(server)
