"""Execute one notebook in a fresh kernel, the way the site build does.

The kernel is ipykernel's own ``python3`` for this interpreter (no other kernel spec on the
machine can shadow it), talks over local sockets in a private folder, starts with
:data:`KERNEL_SETUP` (figure alt text, :mod:`essay_lib.site.figure_alt`) and, after the last
cell, is asked which ``essay_lib`` files it imported (the build's cache key).  A failing
cell raises :class:`BuildError` with the notebook, the cell's source and line, and the error.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from essay_lib.util.paths import PACKAGE_DIR

PACKAGE = PACKAGE_DIR

class BuildError(RuntimeError):
    """The build cannot go on (a failing cell, a notebook without a CHAPTERS entry, ...)."""


#: Run in each kernel before the first cell: alt text for inline figures.
KERNEL_SETUP = "__import__('essay_lib.site.figure_alt', fromlist=['install']).install()"

#: Run after the last cell: which essay_lib files the kernel imported (printed as JSON).
_PROBE = ("import json as _j, sys as _s\n"
          "print(_j.dumps(sorted(getattr(m, '__file__', None) or '' for n, m in "
          "list(_s.modules.items()) if n == 'essay_lib' or n.startswith('essay_lib.'))))")


def _cell_line(source_text: str, cell_source: str) -> int | None:
    """1-based line in the .py file where ``cell_source`` starts (its lines appear there in
    a row); ``None`` if it is not found."""
    lines = source_text.splitlines()
    cell = cell_source.splitlines()
    while cell and not cell[0].strip():
        cell.pop(0)
    if not cell:
        return None
    for start in range(len(lines) - len(cell) + 1):
        if lines[start:start + len(cell)] == cell:
            return start + 1
    return None


def _failure_message(source: Path, nb, exc: Exception) -> str:
    from nbconvert.filters import strip_ansi

    failing = None
    for index, cell in enumerate(nb.cells):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            failing = (index, cell)
    lines = [f"notebook {source.name} failed"]
    if failing is None:
        lines.append(f"{type(exc).__name__}: {strip_ansi(str(exc))}")
        return "\n".join(lines)
    index, cell = failing
    error = next(o for o in cell.outputs if o.get("output_type") == "error")
    where = _cell_line(source.read_text(encoding="utf-8"), cell.source)
    at = f", line {where} of {source}" if where else ""
    lines += [f"in cell {index}{at}:", "-" * 60, cell.source, "-" * 60,
              strip_ansi("\n".join(error.get("traceback", []))),
              f"{error.get('ename')}: {error.get('evalue')}"]
    return "\n".join(lines)


def execute_notebook(source: Path, *, cwd: Path, env: dict[str, str], timeout: int,
                     parameters: dict | None = None):
    """Execute the jupytext notebook ``source`` in a fresh kernel of this interpreter.

    ``env`` is the kernel's whole environment; ``timeout`` the seconds allowed per cell;
    ``parameters`` (name -> value): a variant's values, assigned in a cell tagged
    ``injected-parameters`` after the ``parameters`` cell (:mod:`essay_lib.site.variant_build`).
    Returns ``(notebook, modules)``: the executed notebook and the ``essay_lib`` files
    (relative to the package) that the kernel had imported at the end.  Raises
    :class:`BuildError` with the failing cell's source and error.
    """
    import jupytext
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = jupytext.read(source)
    if parameters:
        from essay_lib.site.variant_build import inject_parameters

        nb = inject_parameters(nb, parameters)
    nb.cells.append(nbformat.v4.new_code_cell(_PROBE))
    # An empty kernel search path leaves ipykernel's own "python3": sys.executable.
    specs = KernelSpecManager(kernel_dirs=[])
    # Local sockets (ipc) in a private folder rather than TCP ports.
    sockets = tempfile.TemporaryDirectory(prefix="essay-kernel-")
    manager = KernelManager(kernel_name="python3", kernel_spec_manager=specs, transport="ipc",
                            ip=os.path.join(sockets.name, "kernel"))
    client = NotebookClient(
        nb, km=manager, timeout=timeout, kernel_name="python3", allow_errors=False,
        store_widget_state=False, record_timing=False,
        resources={"metadata": {"path": str(cwd)}},
        extra_arguments=[f"--IPKernelApp.exec_lines={KERNEL_SETUP}"])
    try:
        client.execute(env=env)
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        raise BuildError(_failure_message(source, nb, exc)) from None
    finally:  # nbclient leaves a kernel it was given running
        if manager.has_kernel:
            manager.shutdown_kernel(now=False)
        sockets.cleanup()
    probe = nb.cells.pop()
    text = "".join(o.get("text", "") for o in probe.outputs if o.get("name") == "stdout")
    modules = set()
    for file in json.loads(text.strip().splitlines()[-1]):
        path = Path(file).resolve() if file else None
        if path is not None and path.is_relative_to(PACKAGE):
            modules.add(path.relative_to(PACKAGE).as_posix())
    return nb, sorted(modules)
