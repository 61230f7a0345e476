"""``python -m essay_lib sentences``: compute the essay's sentences in this process, print them.

Every sentence of :data:`essay_lib.report.sentences.SENTENCES` (or those named by
``--only``) is computed from scratch: the sweeps it reads are run, or read back from the
sweep cache (``--cache-dir``).  Examples::

    python -m essay_lib sentences
    python -m essay_lib sentences --only 06-mechanism 07-beyond
    python -m essay_lib sentences --json --cache-dir /tmp/empty-cache

Torch's threads are fixed as in the chapters (:func:`essay_lib.util.session.setup`).
Progress goes to stderr; the sentences to stdout, as text (``name: sentence``) or, with
``--json``, one object (:func:`as_json`).  Exit status 1 when a sentence raised an error;
a *pending* sentence (its inputs not built yet) is reported, not an error.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

from essay_lib.util.session import DEFAULT_THREADS


def _names() -> tuple[str, ...]:
    from essay_lib.report.sentences import SENTENCES

    return tuple(SENTENCES)


def add_only_argument(parser: argparse.ArgumentParser) -> None:
    """``--only NAME [NAME ...]`` (repeatable), checked against the registry."""
    parser.add_argument("--only", nargs="+", action="extend", default=None, metavar="NAME",
                        help=f"only these sentences (of: {', '.join(_names())})")


def check_only(parser: argparse.ArgumentParser, only) -> tuple[str, ...] | None:
    """The ``--only`` names without repeats, in the registry's order; a usage error (exit
    2) for a name the registry does not hold."""
    if only is None:
        return None
    known = _names()
    unknown = [n for n in dict.fromkeys(only) if n not in known]
    if unknown:
        parser.error(f"--only: no sentence named {', '.join(map(repr, unknown))} "
                     f"(known: {', '.join(known)})")
    return tuple(n for n in known if n in only)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the ``sentences`` command."""
    add_only_argument(parser)
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object (sentences, pending, errors, seconds, torch)")
    parser.add_argument("--cache-dir", default=None,
                        help="sweep cache folder "
                             "(default: $ESSAY_CACHE_DIR or <repo>/.cache/sweeps)")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                        help=f"torch CPU threads (default: {DEFAULT_THREADS}, as the chapters)")
    parser.set_defaults(parser=parser)


def _torch_info() -> dict:
    import torch

    return {"version": torch.__version__,
            "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "threads": torch.get_num_threads(), "machine": platform.machine()}


def as_json(results, torch_info: dict) -> dict:
    """The payload of ``--json``: ``sentences`` (name -> text), ``pending`` and ``errors``
    (name -> why), ``seconds`` (name -> wall time) and ``torch`` (version, the CPU
    capability its kernels use, threads, machine)."""
    return {"sentences": {r.name: r.text for r in results if r.status == "ok"},
            "pending": {r.name: r.pending for r in results if r.status == "pending"},
            "errors": {r.name: r.error for r in results if r.status == "error"},
            "seconds": {r.name: round(r.seconds, 3) for r in results},
            "torch": torch_info}


def run(args: argparse.Namespace) -> int:
    """Compute the chosen sentences and print them; 1 when one raised an error."""
    parser = args.parser
    names = check_only(parser, args.only)
    if args.threads < 1:
        parser.error(f"--threads must be a positive integer, got {args.threads}")
    if args.cache_dir is not None and Path(args.cache_dir).exists() \
            and not Path(args.cache_dir).is_dir():
        parser.error(f"--cache-dir {args.cache_dir!r} is not a folder")
    from essay_lib.report import sentences
    from essay_lib.util import session

    session.setup(seed=0, threads=args.threads)
    results = sentences.compute_sentences(
        names, cache_dir=args.cache_dir,
        report=lambda line: print(f"sentences: {line}", file=sys.stderr, flush=True))
    if args.json:
        print(json.dumps(as_json(results, _torch_info()), ensure_ascii=False, indent=1))
    else:
        for r in results:
            why = f"({r.status}: {r.pending or r.error})"
            print(f"{r.name}: {r.text if r.status == 'ok' else why}")
    return 1 if any(r.status == "error" for r in results) else 0
