"""``python -m essay_lib build``: execute every notebook and render the HTML site.

For each ``notebooks/NN_name.py`` (jupytext percent, the canonical file), in order:

1. **Execute** it in a fresh ``python3`` kernel of this interpreter (nbclient), with the
   working directory ``notebooks/`` (as JupyterLab does), ``TQDM_DISABLE=1`` (no progress
   bars in the pages), ``ESSAY_STATIC=1`` (static figures instead of widgets), matplotlib's
   inline backend, and ``ESSAY_FIGURES_DIR`` set to the figures folder (``figures/`` by
   default; ``save_figure`` writes there).  A failing cell stops the build with the
   notebook, the cell's source and the error.
2. **Cache** the executed notebook in ``build/executed/`` with a content hash of the
   notebook's source, of every ``essay_lib/**/*.py`` module its kernel had imported when it
   finished (asked of the kernel after the last cell) and of the execution settings.  The
   next build re-executes the notebook only when that hash changed, when a figure it wrote
   is missing, or with ``--force``; editing a module the notebook never imports (or the
   build itself) does not re-execute it.
3. **Render** ``build/html/NN_name.html`` (:mod:`essay_lib.site.render`: math as MathML,
   nothing loaded from a network) with previous / contents / next links, then
   ``build/html/index.html``.  Rendering is quick and always redone.

Every notebook needs an entry in :data:`CHAPTERS` (title and one-line summary).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from essay_lib.site.execute import KERNEL_SETUP, BuildError, execute_notebook
from essay_lib.util.paths import FIGURES_ENV, PACKAGE_DIR, REPO_DIR, STATIC_ENV, write_atomic
from essay_lib.util.paths import figures_dir as default_figures_dir
from essay_lib.util.progress import DISABLE_ENV

__all__ = ["CHAPTERS", "BuildError", "BuildReport", "Chapter", "build_site", "find_chapters",
           "execute_notebook"]

REPO = REPO_DIR
PACKAGE = PACKAGE_DIR

TITLE = "Dropout and Linearity"
ABSTRACT = (
    "In an informal 2019 paper, N. Teague argued that dropout does to a neural network what "
    "L1 regularization does to sparsity and L2 to the size of the weights: it pushes the "
    "function the network computes toward linearity. The paper states the idea without "
    "testing it, and its formula for a measure of linearity was lost. This essay rebuilds "
    "the argument one executable chapter at a time: why oversized networks need "
    "regularizing, what L1 and L2 measurably do to the weights, how dropout works, how a "
    "network behaves as a transformation function, and a concrete linearity measure that we "
    "check on functions we understand before asking whether it falls as the dropout rate "
    "rises. Every number and figure on these pages was computed by the notebook that shows "
    "it, so the verdict is whatever the measurements say."
)

#: notebook file stem -> (title, one-line summary).  A notebook without an entry fails
#: the build; an entry without a notebook is left out of the site.
CHAPTERS: dict[str, tuple[str, str]] = {
    "00_introduction": (
        "Introduction: too small, too big, just right",
        "An undersized network underfits, an oversized one overfits; early stopping and "
        "regularization let us oversize safely. Measured on a 1-D task and on diabetes data."),
    "01_l1_l2_regularization": (
        "L1 and L2 regularization",
        "Sweeping the penalty: L1 drives weights to zero (sparsity), L2 shrinks their size; "
        "choosing the coefficient on validation data."),
    "02_dropout": (
        "Dropout",
        "The mechanism (random masks, inverted scaling), dropout as an ensemble, weight "
        "scaling against Monte Carlo averaging, and input dropout as a ridge penalty."),
    "03_transformation_functions": (
        "Networks as transformation functions",
        "Polynomial fits of rising degree, a ReLU network as a piecewise-linear function, "
        "and units that act like logic gates."),
    "04_linearity_measure": (
        "A measure of linearity",
        "The measure Z defined and checked on known functions; then the experiment: does Z "
        "fall as the dropout rate rises, next to L1, L2 and controls?"),
    "05_mechanism": (
        "The mechanism: do dropout's sub-networks add up?",
        "The paper's mechanism tested in mask space: sub-network additivity Z_mask on "
        "chapter 04's networks, its link to Monte Carlo averaging and to Z."),
    "06_beyond": (
        "Beyond one small network",
        "Chapter 04's verdict under one change at a time: width, depth, skip connections, a "
        "CNN, mini-batch SGD, early stopping, data size, input dropout, AdamW, MNIST-1D."),
    "07_conclusion": (
        "Conclusion",
        "The paper's analogy table filled in with measured numbers, the limits of what we "
        "showed, and further reading."),
}

#: The index page's figure; when it does not exist, the first figure of chapter 00.
HEADLINE_FIGURE = "07-analogy"

#: Environment given to every kernel (on top of this process's environment).
KERNEL_ENV = {
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    DISABLE_ENV: "1",
    STATIC_ENV: "1",
    "PYTHONHASHSEED": "0",
}
_STEM_RE = re.compile(r"^(\d\d)_[a-z0-9_]+$")
# save_figure(fig, "NN-name") in a notebook's source, in order.
_SAVED_FIGURE = re.compile(r"save_figure\(\s*[^,()]+,\s*[\"'](\d\d-[a-z0-9-]+)[\"']")


@dataclass(frozen=True)
class Chapter:
    """One notebook of the essay: ``source`` is ``notebooks/NN_name.py``."""

    stem: str
    number: str
    title: str
    summary: str
    source: Path

    @property
    def page(self) -> str:
        """File name of the chapter's HTML page."""
        return f"{self.stem}.html"


@dataclass
class BuildReport:
    """What a build did: per chapter ``"executed"``/``"cached"`` and seconds; the site."""

    html_dir: Path
    status: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    pages: list[Path] = field(default_factory=list)
    total_seconds: float = 0.0


def find_chapters(notebooks_dir: Path, chapters: dict | None = None) -> list[Chapter]:
    """The notebooks ``NN_name.py`` in ``notebooks_dir``, sorted; each must be in ``chapters``."""
    chapters = CHAPTERS if chapters is None else chapters
    notebooks_dir = Path(notebooks_dir)
    if not notebooks_dir.is_dir():
        raise BuildError(f"notebooks folder {notebooks_dir} does not exist")
    found, numbers = [], {}
    for path in sorted(notebooks_dir.glob("[0-9][0-9]_*.py")):
        match = _STEM_RE.match(path.stem)
        if not match:
            raise BuildError(f"{path.name}: notebook names are NN_lowercase_words.py")
        if path.stem not in chapters:
            raise BuildError(
                f"{path.name} has no entry in essay_lib.build.CHAPTERS: add "
                f'"{path.stem}": ("Title", "One-line summary") there')
        number = match.group(1)
        if number in numbers:
            raise BuildError(f"{path.name} and {numbers[number]} share the number {number}")
        numbers[number] = path.name
        title, summary = chapters[path.stem]
        found.append(Chapter(path.stem, number, title, summary, path))
    return found


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def code_hashes(names) -> dict[str, str]:
    """sha256 of package files named relative to ``essay_lib/`` ("missing" if gone)."""
    return {name: _sha256((PACKAGE / name).read_bytes()) if (PACKAGE / name).is_file()
            else "missing" for name in sorted(names)}


def execution_inputs(chapter: Chapter, modules, settings: dict) -> dict:
    """What an execution depends on: the notebook's source, the ``essay_lib`` files its
    kernel imported (``modules``, paths relative to the package) and ``settings``."""
    return {"notebook": _sha256(chapter.source.read_bytes()), "code": code_hashes(modules),
            "settings": settings}


def execution_key(inputs: dict) -> str:
    """Content hash of :func:`execution_inputs`: a change means execute again."""
    return _sha256(json.dumps(inputs, sort_keys=True).encode())


def _what_changed(old: dict, new: dict) -> str:
    if old.get("notebook") != new["notebook"]:
        return "notebook changed"
    if old.get("settings") != new["settings"]:
        return "build settings changed"
    old_code = old.get("code", {})
    changed = sorted(k for k in set(old_code) | set(new["code"])
                     if old_code.get(k) != new["code"].get(k))
    return "changed: " + ", ".join(f"essay_lib/{k}" for k in changed[:3]) + (
        " ..." if len(changed) > 3 else "")


def _figures_since(figures_dir: Path, number: str, since: float) -> list[str]:
    if not figures_dir.is_dir():
        return []
    return sorted(p.name for p in figures_dir.glob(f"{number}-*")
                  if p.is_file() and p.stat().st_mtime >= since - 1.0)


def _kernel_env(figures_dir: Path, extra_env: dict | None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(KERNEL_ENV)
    env[FIGURES_ENV] = str(figures_dir)
    env.update(extra_env or {})
    return env


def _link(chapter: Chapter) -> dict:
    return {"href": chapter.page, "title": f"{chapter.number} {chapter.title}"}


def _headline(chapters: list[Chapter], executed: dict, figures_dir: Path, html_dir: Path,
              log) -> dict | None:
    """Copy the headline figure into the site; its alt text from the cell that saved it.

    :data:`HEADLINE_FIGURE` if it exists, else the first figure saved in the earliest
    chapter (in the order of the ``save_figure`` calls in its source)."""
    name = HEADLINE_FIGURE
    if not (figures_dir / f"{name}.png").exists():
        candidates = [n for c in chapters
                      for n in _SAVED_FIGURE.findall(c.source.read_text(encoding="utf-8"))
                      if (figures_dir / f"{n}.png").exists()]
        if not candidates:
            log(f"note: no {name}.png and no other figure: the index has no figure")
            return None
        name = candidates[0]
        log(f"note: {HEADLINE_FIGURE}.png does not exist yet: the index shows {name}.png")
    alt = f"Figure {name}"
    for nb in executed.values():
        for cell in nb.cells:
            if cell.cell_type == "code" and (f'"{name}"' in cell.source
                                             or f"'{name}'" in cell.source):
                for output in cell.get("outputs", []):
                    found = output.get("metadata", {}).get("image/png", {}).get("alt")
                    if found:
                        alt = found
    shutil.rmtree(html_dir / "figures", ignore_errors=True)  # no stale copies
    (html_dir / "figures").mkdir()
    shutil.copyfile(figures_dir / f"{name}.png", html_dir / "figures" / f"{name}.png")
    return {"src": f"figures/{name}.png", "alt": alt, "caption": f"{alt} (figures/{name}.png)"}


def build_site(*, notebooks_dir: Path | str = REPO / "notebooks",
               output_dir: Path | str = REPO / "build", figures_dir: Path | str | None = None,
               force: bool = False, only: list[str] | None = None, timeout: int = 1800,
               extra_env: dict | None = None, chapters: dict | None = None,
               log=None) -> BuildReport:
    """Execute (or reuse) every notebook and render ``output_dir/html``; see the module doc.

    ``only``: chapter numbers ("00", ...) to execute and render (others are left as they
    are); ``extra_env``: more environment for the kernels (e.g. ``ESSAY_CACHE_DIR``);
    ``chapters``: replaces :data:`CHAPTERS` (tests).  Raises :class:`BuildError`.
    """
    from essay_lib.site import render

    start = time.perf_counter()
    log = log or (lambda message: print(message, flush=True))
    if not isinstance(timeout, int) or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    notebooks_dir = Path(notebooks_dir).resolve()
    output_dir = Path(output_dir).resolve()
    figures_dir = Path(figures_dir or default_figures_dir()).resolve()
    found = find_chapters(notebooks_dir, chapters)
    if not found:
        raise BuildError(f"no notebooks NN_name.py in {notebooks_dir}")
    selected = found
    if only:
        unknown = sorted(set(only) - {c.number for c in found})
        if unknown:
            raise BuildError(f"--only {', '.join(unknown)}: no such chapter number in "
                             f"{notebooks_dir} (have {', '.join(c.number for c in found)})")
        selected = [c for c in found if c.number in only]
    executed_dir, html_dir = output_dir / "executed", output_dir / "html"
    executed_dir.mkdir(parents=True, exist_ok=True)
    html_dir.mkdir(parents=True, exist_ok=True)
    figures_dir.mkdir(parents=True, exist_ok=True)

    import nbformat

    env = _kernel_env(figures_dir, extra_env)
    settings = {"env": KERNEL_ENV, "setup": KERNEL_SETUP, "python": sys.executable,
                "extra_env": extra_env or {}}
    report = BuildReport(html_dir=html_dir)
    executed = {}
    for chapter in selected:
        nb_path = executed_dir / f"{chapter.stem}.ipynb"
        meta_path = executed_dir / f"{chapter.stem}.json"
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        stored = meta.get("inputs", {})
        inputs = execution_inputs(chapter, stored.get("code", {}), settings)
        missing = [f for f in meta.get("figures", []) if not (figures_dir / f).exists()]
        reason = ("--force" if force else "new" if not stored else
                  _what_changed(stored, inputs)
                  if meta.get("key") != execution_key(inputs) else
                  f"missing figure {missing[0]}" if missing else
                  "no executed notebook" if not nb_path.exists() else None)
        t0 = time.perf_counter()
        if reason is None:
            executed[chapter.stem] = nbformat.read(nb_path, as_version=4)
            report.status[chapter.stem] = "cached"
            log(f"[{chapter.number}] {chapter.stem}: unchanged, using {nb_path}")
        else:
            log(f"[{chapter.number}] {chapter.stem}: executing ({reason}) ...")
            wall = time.time()
            nb, modules = execute_notebook(chapter.source, cwd=notebooks_dir, env=env,
                                           timeout=timeout)
            seconds = time.perf_counter() - t0
            inputs = execution_inputs(chapter, modules, settings)
            write_atomic(nb_path, nbformat.writes(nb))
            write_atomic(meta_path, json.dumps({
                "key": execution_key(inputs), "seconds": round(seconds, 2),
                "source": str(chapter.source),
                "figures": _figures_since(figures_dir, chapter.number, wall),
                "inputs": inputs}, indent=1))
            executed[chapter.stem] = nb
            report.status[chapter.stem] = "executed"
            log(f"[{chapter.number}] {chapter.stem}: executed in {seconds:.1f} s")
        report.seconds[chapter.stem] = time.perf_counter() - t0

    exporter = render.EssayHTMLExporter()
    for chapter in selected if only else found:
        position = found.index(chapter)
        nav = {"contents": "index.html",
               "prev": _link(found[position - 1]) if position > 0 else None,
               "next": _link(found[position + 1]) if position + 1 < len(found) else None}
        try:
            page = render.render_chapter(
                exporter, executed[chapter.stem], title=f"{chapter.number} {chapter.title}",
                notebooks_dir=notebooks_dir, nav=nav)
        except render.MathError as exc:
            raise BuildError(f"notebook {chapter.source.name}: {exc}") from None
        write_atomic(html_dir / chapter.page, page)
        report.pages.append(html_dir / chapter.page)
    if not only:  # pages of notebooks that no longer exist
        keep = {c.page for c in found} | {"index.html"}
        for stale in html_dir.glob("*.html"):
            if stale.name not in keep:
                stale.unlink()
    render.copy_static(html_dir)
    headline = _headline(found, executed, figures_dir, html_dir, log)
    index = render.render_index(
        title=TITLE, abstract=ABSTRACT, headline=headline,
        chapters=[{"href": c.page, "number": c.number, "title": c.title, "summary": c.summary,
                   "built": (html_dir / c.page).exists()} for c in found])
    write_atomic(html_dir / "index.html", index)
    report.pages.insert(0, html_dir / "index.html")
    report.total_seconds = time.perf_counter() - start
    size = sum(p.stat().st_size for p in html_dir.rglob("*") if p.is_file())
    log(f"built {len(report.pages)} pages ({size / 1e6:.1f} MB) in {report.total_seconds:.1f} s")
    log(f"open {(html_dir / 'index.html').as_uri()}")
    return report
