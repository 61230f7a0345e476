"""JupyterLab opens the essay: a real ``jupyter lab`` from this environment, on a free
loopback port with a token, serves each ``notebooks/*.py`` as a notebook (jupytext's
contents manager) with the same cells as its paired ``.ipynb``; then it shuts down cleanly.
"""

from __future__ import annotations

import json
import os
import secrets
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

    def __init__(self, root: Path, home: Path):
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = home / "jupyter.log"
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"),
               "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_RUNTIME_DIR": str(home / "run"),
               "JUPYTER_PLATFORM_DIRS": "1"}
        command = [str(JUPYTER), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                   f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                   f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={root}"]
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
