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
   nothing loaded from a network, code folded, solutions collapsed, citations linked) with
   previous / contents / next links, a header line under the title (reading time computed
   from the words, :mod:`essay_lib.site.reading`; run time; links to the chapter's
   ``NN_name.ipynb`` and ``NN_name.py``, copied next to the page) and the works the chapter
   cites (:mod:`essay_lib.site.chapter_page`); then ``build/html/references.html`` (the
   bibliography, :mod:`essay_lib.site.bibliography`), ``build/html/index.html`` (with each
   chapter's reading time and run time: the seconds its stored execution took, so a cached
   rebuild writes the same page) and ``build/html/gallery.html`` with every figure
   (:mod:`essay_lib.site.gallery`, files copied to ``html/figures/`` and zipped into
   ``html/figures.zip``) and ``build/html/instructors.html`` (lecture plans, slide figures,
   assignments: :mod:`essay_lib.site.instructors`).  Rendering is quick and always redone.

**Variant builds** (``parameters``, :mod:`essay_lib.site.variant_build`): each chapter runs with
an ``injected-parameters`` cell after its ``parameters`` cell; the figures go to the build
folder's own ``figures/`` (never the committed ``figures/``), and the index page says which
parameters were used and shows the verdict that build computed.

Every notebook needs an entry in :data:`CHAPTERS` (title and one-line summary).
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from essay_lib.site import cache, chapter_page, citations, gallery, pages, schedule, variant_build
from essay_lib.site.cache import code_hashes, execution_key
from essay_lib.site.chapter_page import DOWNLOAD_SUFFIXES
from essay_lib.site.citations import REFERENCES_PAGE
from essay_lib.site.execute import KERNEL_SETUP, BuildError, execute_notebook
from essay_lib.site.instructors import INSTRUCTORS_PAGE
from essay_lib.util.paths import FIGURES_ENV, PACKAGE_DIR, REPO_DIR, STATIC_ENV, write_atomic
from essay_lib.util.paths import figures_dir as default_figures_dir
from essay_lib.util.progress import DISABLE_ENV

__all__ = ["CHAPTERS", "NOTEBOOK_PATTERNS", "BuildError", "BuildReport", "Chapter",
           "build_site", "code_hashes", "execute_notebook", "execution_key", "find_chapters",
           "notebook_paths"]

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
#: the build; an entry without a notebook is left out of the site.  The title is the
#: notebook's H1 without its number ("00 · "), word for word (tests/test_build.py checks).
#: Stems are ``NN_name`` (numbered chapters, in reading order) or ``X_name`` with one
#: capital letter (appendices, after the numbered chapters).
CHAPTERS: dict[str, tuple[str, str]] = {
    "00_introduction": (
        "Introduction: too small, too big, and what regularization buys",
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
        "Neural transformation functions: polynomials, kinks and gates",
        "Polynomial fits of rising degree, a ReLU network as a piecewise-linear function, "
        "and units that act like logic gates."),
    "04_linearity_measure": (
        "A measure of linearity",
        "The measure Z defined and checked on known functions, then validated on trained "
        "networks, task by task and representation by representation."),
    "05_experiment": (
        "The experiment: is dropout's function more linear at the same fit?",
        "Does dropout make a network's function more linear than other ways of reaching the "
        "same fit (L2, mixup, early stopping)? The fit-frontier verdict, in plain words "
        "first, then the numbers."),
    "06_mechanism": (
        "The mechanism: do dropout's sub-networks add up, and is that why?",
        "The paper's mechanism tested in mask space: sub-network additivity Z_mask on "
        "chapter 05's networks, its link to Monte Carlo averaging and to Z."),
    "07_beyond": (
        "Beyond one small network",
        "Chapter 05's verdict under one change at a time: width, depth, skip connections, a "
        "CNN, mini-batch SGD, early stopping, data size, input dropout, AdamW, MNIST-1D."),
    "08_conclusion": (
        "Conclusion: the analogy, measured",
        "The paper's analogy table filled in with measured numbers, the limits of what we "
        "showed, and further reading."),
    "A_appendix": (
        "How the verdict holds up",
        "The specification curve, the replication on fresh seeds and data, the CPU kernel "
        "paths; a statistics primer with a glossary."),
}

#: The index page's figure; when it does not exist, the first figure of chapter 00.
HEADLINE_FIGURE = "05-frontier"

#: Environment given to every kernel (on top of this process's environment).
KERNEL_ENV = {
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    DISABLE_ENV: "1",
    STATIC_ENV: "1",
    "PYTHONHASHSEED": "0",
}
_STEM_RE = re.compile(r"^(\d\d|[A-Z])_[a-z0-9_]+$")
#: Notebook file names: numbered chapters ``NN_name``, then appendices ``A_name``.
NOTEBOOK_PATTERNS = ("[0-9][0-9]_*", "[A-Z]_*")
#: Chapter 05 writes the essay's answer in plain words here, in its figures folder: the
#: index shows it first (a variant build shows its own).
VERDICT_FILE = pages.FRONT_FILES["answer"]


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
    """What a build did: per chapter ``"executed"``/``"cached"`` and seconds (of the stored
    execution, for a cached one); the site; a variant's parameters per chapter."""

    html_dir: Path
    status: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    pages: list[Path] = field(default_factory=list)
    total_seconds: float = 0.0
    parameters: dict[str, dict] = field(default_factory=dict)


def notebook_paths(notebooks_dir: Path, suffix: str = ".py") -> list[Path]:
    """The files ``NN_name<suffix>`` in ``notebooks_dir`` sorted by number, then the
    appendices ``A_name<suffix>`` sorted by letter (:data:`NOTEBOOK_PATTERNS`)."""
    notebooks_dir = Path(notebooks_dir)
    return [path for pattern in NOTEBOOK_PATTERNS
            for path in sorted(notebooks_dir.glob(f"{pattern}{suffix}"))]


def find_chapters(notebooks_dir: Path, chapters: dict | None = None) -> list[Chapter]:
    """The notebooks ``NN_name.py`` in ``notebooks_dir``, sorted, then the appendices
    ``A_name.py``; each must be in ``chapters``."""
    chapters = CHAPTERS if chapters is None else chapters
    notebooks_dir = Path(notebooks_dir)
    if not notebooks_dir.is_dir():
        raise BuildError(f"notebooks folder {notebooks_dir} does not exist")
    found, numbers = [], {}
    for path in notebook_paths(notebooks_dir):
        match = _STEM_RE.match(path.stem)
        if not match:
            raise BuildError(f"{path.name}: notebook names are NN_lowercase_words.py "
                             "(or A_lowercase_words.py for an appendix)")
        if path.stem not in chapters:
            raise BuildError(
                f"{path.name} has no entry in essay_lib.site.build.CHAPTERS: add "
                f'"{path.stem}": ("Title", "One-line summary") there')
        number = match.group(1)
        if number in numbers:
            raise BuildError(f"{path.name} and {numbers[number]} share the number {number}")
        numbers[number] = path.name
        title, summary = chapters[path.stem]
        found.append(Chapter(path.stem, number, title, summary, path))
    return found




def _kernel_env(figures_dir: Path, extra_env: dict | None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(KERNEL_ENV)
    env[FIGURES_ENV] = str(figures_dir)
    env.update(extra_env or {})
    return env


def _link(chapter: Chapter) -> dict:
    return {"href": chapter.page, "title": f"{chapter.number} {chapter.title}"}


def _variant_parameters(found: list[Chapter], parameters: dict | None) -> dict[str, dict]:
    """Per chapter, the part of ``parameters`` its parameters cell defines; a name that no
    chapter defines is a :class:`BuildError` (a typo would silently change nothing), except
    the names ``--seed`` sets (:data:`variant_build.SEED_NAMES`)."""
    if not parameters:
        return {c.stem: {} for c in found}
    import jupytext

    per_chapter = {c.stem: variant_build.chapter_parameters(jupytext.read(c.source), parameters)
                   for c in found}
    used = {name for chosen in per_chapter.values() for name in chosen}
    unknown = [n for n in parameters if n not in used and n not in variant_build.SEED_NAMES]
    if unknown:
        raise BuildError(f"parameter {', '.join(unknown)}: no chapter's 'parameters' cell "
                         f"defines it (chapters: {', '.join(c.number for c in found)})")
    return per_chapter


def _execute(chapter: Chapter, *, executed_dir: Path, figures_dir: Path, notebooks_dir: Path,
             env: dict, settings: dict, parameters: dict, force: bool, timeout: int, log):
    """Execute ``chapter`` or reuse its stored execution; returns ``(nb, status, seconds)``,
    ``seconds`` being those of the (stored) execution."""
    import nbformat

    nb_path = executed_dir / f"{chapter.stem}.ipynb"
    meta_path = executed_dir / f"{chapter.stem}.json"
    meta = cache.read_meta(meta_path)
    stored = meta.get("inputs", {})
    settings = {**settings, "parameters": {k: repr(v) for k, v in parameters.items()}}
    inputs = cache.execution_inputs(chapter.source, stored.get("code", {}), settings)
    missing = [f for f in meta.get("figures", []) if not (figures_dir / f).exists()]
    reason = ("--force" if force else "new" if not stored else
              cache.what_changed(stored, inputs)
              if meta.get("key") != execution_key(inputs) else
              f"missing figure {missing[0]}" if missing else
              "no executed notebook" if not nb_path.exists() else None)
    if reason is None:
        log(f"[{chapter.number}] {chapter.stem}: unchanged, using {nb_path}")
        return nbformat.read(nb_path, as_version=4), "cached", float(meta.get("seconds", 0.0))
    with_params = f" with {variant_build.describe_parameters(parameters)}" if parameters else ""
    log(f"[{chapter.number}] {chapter.stem}: executing ({reason}){with_params} ...")
    t0, wall = time.perf_counter(), time.time()
    nb, modules = execute_notebook(chapter.source, cwd=notebooks_dir, env=env, timeout=timeout,
                                   parameters=parameters)
    seconds = round(time.perf_counter() - t0, 2)
    inputs = cache.execution_inputs(chapter.source, modules, settings)
    write_atomic(nb_path, nbformat.writes(nb))
    write_atomic(meta_path, json.dumps({
        "key": execution_key(inputs), "seconds": seconds, "source": str(chapter.source),
        "figures": cache.figures_since(figures_dir, chapter.number, wall),
        "inputs": inputs}, indent=1))
    log(f"[{chapter.number}] {chapter.stem}: executed in {seconds:.1f} s")
    return nb, "executed", seconds


def build_site(*, notebooks_dir: Path | str = REPO / "notebooks",
               output_dir: Path | str = REPO / "build", figures_dir: Path | str | None = None,
               force: bool = False, only: list[str] | None = None, timeout: int = 1800,
               extra_env: dict | None = None, chapters: dict | None = None,
               parameters: dict | None = None, command: str | None = None,
               jobs: int = schedule.DEFAULT_JOBS, log=None) -> BuildReport:
    """Execute (or reuse) every notebook and render ``output_dir/html``; see the module doc.

    ``only``: chapter numbers ("00", ...) to execute and render (others are left as they
    are); ``extra_env``: more environment for the kernels (e.g. ``ESSAY_CACHE_DIR``);
    ``chapters``: replaces :data:`CHAPTERS` (tests); ``parameters``: a variant build's
    parameters (name -> value, e.g. ``variant_build.seed_parameters(1)``), with its figures in
    ``output_dir/figures`` unless ``figures_dir`` says otherwise (never the default
    ``figures/``); ``command``: how the variant was asked for (shown on its index page);
    ``jobs``: chapters executed at once, each after the chapters it reads
    (:mod:`essay_lib.site.schedule`; the numbers do not depend on it).
    Raises :class:`BuildError`.
    """
    from essay_lib.site import render

    start = time.perf_counter()
    log = log or (lambda message: print(message, flush=True))
    if not isinstance(timeout, int) or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if parameters is not None and not isinstance(parameters, dict):
        raise TypeError(f"parameters must be a dict, got {type(parameters).__name__}")
    notebooks_dir = Path(notebooks_dir).resolve()
    output_dir = Path(output_dir).resolve()
    if parameters and figures_dir is None:
        figures_dir = output_dir / "figures"
    figures_dir = Path(figures_dir or default_figures_dir()).resolve()
    if parameters and figures_dir == Path(default_figures_dir()).resolve():
        raise BuildError(f"a variant build must not write the essay's figures ({figures_dir}):"
                         " leave --figures out (the variant's go to its build folder)")
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
    per_chapter = _variant_parameters(found, parameters)
    executed_dir, html_dir = output_dir / "executed", output_dir / "html"
    executed_dir.mkdir(parents=True, exist_ok=True)
    html_dir.mkdir(parents=True, exist_ok=True)
    figures_dir.mkdir(parents=True, exist_ok=True)

    env = _kernel_env(figures_dir, extra_env)
    if jobs > 1:  # kernels side by side: OpenMP threads must sleep, not spin, while waiting
        env.setdefault(schedule.WAIT_POLICY_ENV, schedule.SIDE_BY_SIDE_WAIT_POLICY)
    settings = {"env": KERNEL_ENV, "setup": KERNEL_SETUP, "python": sys.executable,
                "extra_env": extra_env or {}}
    report = BuildReport(html_dir=html_dir, parameters=per_chapter)
    by_stem = {c.stem: c for c in selected}
    runs = schedule.run_ordered(
        list(by_stem), lambda stem: _execute(
            by_stem[stem], executed_dir=executed_dir, figures_dir=figures_dir,
            notebooks_dir=notebooks_dir, env=env, settings=settings,
            parameters=per_chapter[stem], force=force, timeout=timeout, log=log),
        needs=schedule.CHAPTER_NEEDS, jobs=jobs)
    executed = {}
    for stem, (nb, status, seconds) in runs.items():
        executed[stem], report.status[stem], report.seconds[stem] = nb, status, seconds

    exporter = render.EssayHTMLExporter()
    for chapter in selected if only else found:
        position = found.index(chapter)
        nav = {"contents": "index.html", "licence": gallery.LICENCE_TEXT,
               "instructors": INSTRUCTORS_PAGE,
               "prev": _link(found[position - 1]) if position > 0 else None,
               "next": _link(found[position + 1]) if position + 1 < len(found) else None}
        shown = chapter_page.page_notebook(executed[chapter.stem], source=chapter.source,
                                           html_dir=html_dir,
                                           seconds=report.seconds[chapter.stem])
        try:
            page = render.render_chapter(
                exporter, shown, title=f"{chapter.number} {chapter.title}",
                notebooks_dir=notebooks_dir, nav=nav, chapter=chapter.number)
        except (render.MathError, citations.CitationError) as exc:
            raise BuildError(f"notebook {chapter.source.name}: {exc}") from None
        write_atomic(html_dir / chapter.page, page)
        report.pages.append(html_dir / chapter.page)
    if not only:  # pages (and downloads) of notebooks that no longer exist
        keep = {c.page for c in found} | {"index.html", "gallery.html", REFERENCES_PAGE,
                                          INSTRUCTORS_PAGE}
        keep |= {f"{c.stem}{suffix}" for c in found for suffix in DOWNLOAD_SUFFIXES}
        for stale in [*html_dir.glob("*.html"), *(p for s in DOWNLOAD_SUFFIXES
                                                  for p in html_dir.glob(f"*{s}"))]:
            if stale.name not in keep:
                stale.unlink()
    render.copy_static(html_dir)
    report.pages.append(chapter_page.write_references(found, html_dir, title=TITLE,
                                                      licence=gallery.LICENCE_TEXT))
    variant = None
    front = pages.read_front(figures_dir, log)  # the answer, the mechanism, the analogy
    answer = front["answer"]
    if parameters:
        variant = {"parameters": variant_build.describe_parameters(parameters), "command": command,
                   "verdict": answer}
    report.pages[:0] = pages.write_index_and_gallery(
        found, executed, executed_dir=executed_dir, figures_dir=figures_dir, html_dir=html_dir,
        title=TITLE, abstract=ABSTRACT, headline=HEADLINE_FIGURE, variant=variant, log=log,
        answer=answer, mechanism=front["mechanism"], analogy=front["analogy"])
    report.total_seconds = time.perf_counter() - start
    size = sum(p.stat().st_size for p in html_dir.rglob("*") if p.is_file())
    log(f"built {len(report.pages)} pages ({size / 1e6:.1f} MB) in {report.total_seconds:.1f} s")
    log(f"open {(html_dir / 'index.html').as_uri()}")
    return report
