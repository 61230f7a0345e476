"""Every notebook of the essay, executed in full in a fresh kernel (the ``built_site``
fixture runs the real build once, from scratch), ran without error, wrote its figures,
and shows no warnings or local paths to a reader."""

from __future__ import annotations

import json
import re

import nbformat
import pytest
from conftest import NOTEBOOKS, NOTEBOOKS_DIR, REPO

pytestmark = pytest.mark.notebooks

_SAVED = re.compile(r"save_figure\(\s*[^,()]+,\s*[\"']((?:\d\d|[A-Z])-[a-z0-9-]+)[\"']")


def test_the_essay_has_notebooks():
    assert NOTEBOOKS, f"no notebooks NN_name.py in {NOTEBOOKS_DIR}"


@pytest.fixture(params=[p.stem for p in NOTEBOOKS])
def executed(request, built_site):
    """(stem, executed notebook, built_site) for one chapter."""
    stem = request.param
    path = built_site.executed_dir / f"{stem}.ipynb"
    assert path.exists(), f"{stem} was not executed (build log: {built_site.log})"
    return stem, nbformat.read(path, as_version=4), built_site


def test_every_code_cell_ran_without_error(executed):
    stem, nb, site = executed
    assert site.report.status[stem] == "executed"
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert code, f"{stem} has no code"
    for index, cell in enumerate(code):
        assert cell.execution_count is not None, f"{stem}: code cell {index} did not run"
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"{stem}: code cell {index} raised {errors[0].ename}"


def test_it_wrote_its_figures(executed):
    """Every ``save_figure(fig, "NN-name")`` in the source wrote PNG and SVG during the run
    (the build records the ``NN-*`` files each notebook wrote), and there is at least one."""
    stem, nb, site = executed
    number = stem.split("_", 1)[0]  # "04", or an appendix's "A"
    meta = json.loads((site.executed_dir / f"{stem}.json").read_text())
    written = set(meta["figures"])
    assert any(n.endswith(".png") for n in written), (
        f"{stem} wrote no figure: call plotting.save_figure(fig, '{number}-short-name')")
    source = (NOTEBOOKS_DIR / f"{stem}.py").read_text(encoding="utf-8")
    for name in sorted(set(_SAVED.findall(source))):
        assert name.startswith(f"{number}-"), f"{stem}: figure {name} must start with {number}-"
        for suffix in (".png", ".svg"):
            path = site.figures_dir / f"{name}{suffix}"
            assert path.name in written, f"{stem} did not write {path.name} in this run"
            assert path.stat().st_size > 0, f"{path} is empty"
    for name in written:
        assert (site.figures_dir / name).exists()


def test_no_warnings_or_local_paths_in_the_outputs(executed):
    """A reader of the site should see neither warnings (stderr) nor this machine's paths
    (write `_ = plotting.save_figure(...)` so its returned paths are not displayed)."""
    stem, nb, site = executed
    local = [str(REPO), str(site.figures_dir), str(site.output_dir)]
    for index, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        for output in cell.outputs:
            if output.output_type == "stream" and output.name == "stderr":
                pytest.fail(f"{stem}: code cell {index} wrote to stderr:\n{output.text[:500]}")
            text = output.get("text", "") or output.get("data", {}).get("text/plain", "")
            for path in local:
                assert path not in text, (f"{stem}: code cell {index} shows the local path "
                                          f"{path}: {text[:200]!r}")
