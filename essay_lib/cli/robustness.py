"""``python -m essay_lib robustness``: do the essay's sentences survive another CPU's kernels?

Another machine computes float-level different numbers (other BLAS/ATen kernels), training
amplifies them, and the computed sentences (:mod:`essay_lib.report.sentences`) must not
change (DESIGN.md §4).  This command simulates other machines on this one: for each kernel
path of :data:`KERNEL_PATHS` (default: the machine's own; ``SSE4_2``/``default``;
``AVX2``/``avx2``) it starts ``python -m essay_lib sentences --json`` in a subprocess whose
environment selects that path, from an **empty sweep cache of its own** (so a network trained
under one path never passes for another's), and compares the sentences.  Examples::

    python -m essay_lib robustness
    python -m essay_lib robustness --only 06-mechanism --keep-caches
    python -m essay_lib robustness --path default --path mkl-compatible

It prints, per sentence, whether the paths agree (and, where not, each path's text
word-diffed against the first path's), the wall time and torch's CPU capability per path,
and a final line ``robustness: N of M sentences agree on K kernel paths``.  Exit status 0
only when every computed sentence agrees on every path; a *pending* sentence (its inputs
not built yet) is listed and not counted.  It trains everything once per path: minutes.
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from essay_lib.cli.sentences import add_only_argument, check_only
from essay_lib.util import paths
from essay_lib.util.progress import DISABLE_ENV
from essay_lib.util.session import DEFAULT_THREADS

#: the variables that choose a kernel path; removed from the environment of the default one
KERNEL_ENV = ("MKL_ENABLE_INSTRUCTIONS", "ATEN_CPU_CAPABILITY", "MKL_CBWR")


@dataclass(frozen=True)
class KernelPath:
    """A way to run torch's CPU kernels, chosen by environment variables set before start."""

    name: str
    env: dict = field(default_factory=dict)

    def describe(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.env.items()) or "(the machine's own)"


#: every kernel path the command knows; :data:`DEFAULT_PATHS` are the ones DESIGN.md names
KERNEL_PATHS = {p.name: p for p in (
    KernelPath("default"),
    KernelPath("sse4.2", {"MKL_ENABLE_INSTRUCTIONS": "SSE4_2", "ATEN_CPU_CAPABILITY": "default"}),
    KernelPath("avx2", {"MKL_ENABLE_INSTRUCTIONS": "AVX2", "ATEN_CPU_CAPABILITY": "avx2"}),
    # MKL's reproducible code path: changes MKL's sgemm on CPUs where MKL ignores
    # MKL_ENABLE_INSTRUCTIONS (seen on an AMD EPYC)
    KernelPath("mkl-compatible", {"MKL_CBWR": "COMPATIBLE"}),
)}
DEFAULT_PATHS = ("default", "sse4.2", "avx2")


@dataclass
class PathRun:
    """One kernel path's subprocess: its exit ``returncode`` (-1: timed out), the
    ``payload`` it printed (``sentences --json``'s object; ``None`` if none could be read),
    wall ``seconds``, and the ``cache_dir`` it trained into."""

    path: KernelPath
    returncode: int
    payload: dict | None
    seconds: float
    cache_dir: Path


def path_environment(path: KernelPath, cache_dir: Path, base: dict | None = None) -> dict:
    """The subprocess's environment: ``base`` (default ``os.environ``) without any kernel
    switch, then ``path.env``; no progress bars; hashing, threads and the matplotlib
    backend fixed; the sweep cache and figures folder inside ``cache_dir``."""
    env = {k: v for k, v in (os.environ if base is None else base).items()
           if k not in KERNEL_ENV}
    env.update(path.env)
    env.update({DISABLE_ENV: "1", "PYTHONHASHSEED": "0", "MPLBACKEND": "Agg",
                paths.CACHE_ENV: str(cache_dir),
                paths.FIGURES_ENV: str(Path(cache_dir) / "figures")})
    return env


def run_path(path: KernelPath, names: tuple[str, ...] | None, cache_dir: Path,
             timeout: float | None = None) -> PathRun:
    """Run ``python -m essay_lib sentences --json`` on ``path`` with ``cache_dir`` (stderr
    passes through, so its progress shows)."""
    command = [sys.executable, "-m", "essay_lib", "sentences", "--json",
               "--cache-dir", str(cache_dir), "--threads", str(DEFAULT_THREADS)]
    if names:
        command += ["--only", *names]
    start = time.perf_counter()
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, timeout=timeout,
                              env=path_environment(path, cache_dir),
                              cwd=paths.REPO_DIR if paths.in_checkout() else None)
        returncode, stdout = done.returncode, done.stdout
    except subprocess.TimeoutExpired:
        returncode, stdout = -1, ""
    try:
        payload = json.loads(stdout)
    except json.JSONDecodeError:
        payload = None
    return PathRun(path, returncode, payload, time.perf_counter() - start, cache_dir)


# ------------------------------------------------------------------ comparing
def word_diff(old: str, new: str, *, context: int = 6) -> str:
    """``new`` against ``old`` word by word, git's ``--word-diff`` style: ``[-removed-]``,
    ``{+added+}``; equal words more than ``context`` away from a change are cut to ``…``.
    Equal texts come back whole."""
    a, b = old.split(), new.split()
    opcodes = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    if all(tag == "equal" for tag, *_ in opcodes):
        return new
    parts = []
    for k, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = a[i1:i2]
            head = 0 if k == 0 else context  # words kept after the change before
            tail = 0 if k == len(opcodes) - 1 else context  # ... before the change after
            if len(words) > head + tail + 1:
                words = words[:head] + ["…"] + (words[len(words) - tail:] if tail else [])
            parts.append(" ".join(words))
            continue
        if i2 > i1:
            parts.append(f"[-{' '.join(a[i1:i2])}-]")
        if j2 > j1:
            parts.append(f"{{+{' '.join(b[j1:j2])}+}}")
    return " ".join(parts)


@dataclass(frozen=True)
class Comparison:
    """One sentence over the paths: ``status`` ``"agree"``, ``"differ"``, ``"pending"`` or
    ``"failed"``; ``texts``: path name -> text (``None`` where it has none); ``why``: the
    pending reason or the failures."""

    name: str
    status: str
    texts: dict
    why: str = ""


def compare(runs: list[PathRun], names: tuple[str, ...]) -> list[Comparison]:
    """Compare each sentence in ``names`` across ``runs`` (the first run is the reference)."""
    out = []
    for name in names:
        texts, failures, pending = {}, [], []
        for r in runs:
            p = r.payload or {}
            texts[r.path.name] = p.get("sentences", {}).get(name)
            if name in p.get("pending", {}):
                pending.append(p["pending"][name])
            elif texts[r.path.name] is None:
                why = p.get("errors", {}).get(name) or (
                    "missing" if r.payload is not None else "timed out" if r.returncode == -1
                    else f"exit status {r.returncode}, no JSON")
                failures.append(f"{r.path.name}: {why}")
        if len(pending) == len(runs):
            out.append(Comparison(name, "pending", texts, pending[0]))
        elif failures or pending:
            if pending:
                failures.append(f"pending on some paths only: {pending[0]}")
            out.append(Comparison(name, "failed", texts, "; ".join(failures)))
        else:
            out.append(Comparison(name, "agree" if len(set(texts.values())) == 1 else "differ",
                                  texts))
    return out


def format_report(runs: list[PathRun], comparisons: list[Comparison],
                  committed: dict | None = None) -> str:
    """The command's report (see the module docstring); ``committed``: name -> the text of
    ``figures/<name>.md`` where one exists, compared with the reference path's."""
    committed = committed or {}
    lines = [f"robustness: {len(runs)} kernel paths, each from an empty sweep cache"]
    for r in runs:
        capability = ((r.payload or {}).get("torch") or {}).get("cpu_capability", "?")
        lines.append(f"  {r.path.name:<15} {r.path.describe():<58} torch kernels: "
                     f"{capability:<8} {r.seconds:7.1f} s"
                     + ("" if r.returncode == 0 else f"  (exit status {r.returncode})"))
    reference = runs[0].path.name
    for c in comparisons:
        lines.append("")
        if c.status == "agree":
            lines.append(f"{c.name}: agree")
            lines.append(f"  {c.texts[reference]}")
        elif c.status == "differ":
            lines.append(f"{c.name}: DIFFER")
            lines.append(f"  {reference}: {c.texts[reference]}")
            for r in runs[1:]:
                text = c.texts[r.path.name]
                lines.append(f"  {r.path.name}: " + ("the same" if text == c.texts[reference]
                                                    else word_diff(c.texts[reference], text)))
        else:
            lines.append(f"{c.name}: {c.status.upper() if c.status == 'failed' else c.status}"
                         f" ({c.why})")
        ref_text = c.texts.get(reference)
        if c.name in committed and ref_text is not None:
            old = committed[c.name]
            lines.append(f"  figures/{c.name}.md: " + (
                "the same as the first path's" if old == ref_text else
                "differs from the first path's: " + word_diff(old, ref_text)))
    counted = [c for c in comparisons if c.status != "pending"]
    agree = sum(c.status == "agree" for c in counted)
    pending = [c.name for c in comparisons if c.status == "pending"]
    lines.append("")
    lines.append(f"robustness: {agree} of {len(counted)} sentences agree on {len(runs)} kernel "
                 f"paths" + (f" ({len(pending)} pending: {', '.join(pending)})" if pending else ""))
    return "\n".join(lines)


def all_agree(comparisons: list[Comparison]) -> bool:
    """True when at least one sentence was compared and every compared one agrees."""
    counted = [c for c in comparisons if c.status != "pending"]
    return bool(counted) and all(c.status == "agree" for c in counted)


def committed_sentences(names, folder: Path | None = None) -> dict:
    """name -> the text of ``<figures>/<name>.md`` (without its newline), where it exists."""
    folder = paths.figures_dir() if folder is None else Path(folder)
    return {n: (folder / f"{n}.md").read_text(encoding="utf-8").rstrip("\n")
            for n in names if (folder / f"{n}.md").is_file()}


# ------------------------------------------------------------------ the command
def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the ``robustness`` command."""
    add_only_argument(parser)
    parser.add_argument("--path", action="append", choices=tuple(KERNEL_PATHS), default=None,
                        help=f"a kernel path to run (repeatable; the first is the reference; "
                             f"default: {', '.join(DEFAULT_PATHS)})")
    parser.add_argument("--keep-caches", action="store_true",
                        help="keep each path's sweep cache folder (printed) for inspection")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds one path may take (default: no limit)")
    parser.add_argument("--write", action="store_true",
                        help="also write the report to figures/A-robustness.md (the appendix "
                             "shows its last run)")
    parser.set_defaults(parser=parser)


def write_result(report: str, runs: list[PathRun], folder: Path | None = None) -> Path:
    """The report as ``figures/A-robustness.md``, with the date and the kernel paths in a
    front matter (read by :mod:`essay_lib.report.kernel_check`)."""
    folder = paths.figures_dir() if folder is None else Path(folder)
    text = (f"---\ndate: {datetime.date.today().isoformat()}\n"
            f"kernel_paths: {', '.join(r.path.name for r in runs)}\n---\n"
            f"```\n{report}\n```\n")
    return paths.write_atomic(folder / "A-robustness.md", text)


def _say(line: str) -> None:
    print(f"robustness: {line}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    """Run every chosen path from an empty cache, compare, print the report; 0 when all
    computed sentences agree."""
    from essay_lib.report.sentences import SENTENCES

    names = check_only(args.parser, args.only) or tuple(SENTENCES)
    chosen = [KERNEL_PATHS[n] for n in dict.fromkeys(args.path or DEFAULT_PATHS)]
    if len(chosen) < 2:
        args.parser.error("--path: name at least two different kernel paths to compare")
    if args.timeout is not None and not args.timeout > 0:
        args.parser.error(f"--timeout must be positive, got {args.timeout}")
    root = Path(tempfile.mkdtemp(prefix="essay-robustness-"))
    runs = []
    try:
        for i, path in enumerate(chosen, 1):
            cache = root / path.name
            cache.mkdir()  # empty: nothing trained on another path can be read here
            _say(f"[{i}/{len(chosen)}] {path.name} ({path.describe()}): "
                 f"{', '.join(names)} from an empty cache")
            runs.append(run_path(path, names, cache, timeout=args.timeout))
            _say(f"[{i}/{len(chosen)}] {path.name} done in {runs[-1].seconds:.1f} s "
                 f"(exit status {runs[-1].returncode})")
    finally:
        if args.keep_caches:
            _say(f"caches kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    comparisons = compare(runs, names)
    report = format_report(runs, comparisons, committed_sentences(names))
    print(report)
    if args.write:
        _say(f"wrote {write_result(report, runs)}")
    return 0 if all_agree(comparisons) else 1
