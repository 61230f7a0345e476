"""``python -m essay_lib build``: execute every notebook and render the HTML site.

The work is :func:`essay_lib.site.build.build_site`; this module only parses the options.
A **variant build** (``--seed N`` and/or ``--param NAME=VALUE``) runs every chapter with
those parameters (:mod:`essay_lib.site.variant_build`) into its own folder
(``build/seed-N`` by default) with its own ``figures/``; the committed figures are not
touched.  ``make essay SEED=1`` runs ``--seed 1 --output build/seed-1``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from essay_lib.site.build import REPO, BuildError, build_site
from essay_lib.site.schedule import DEFAULT_JOBS
from essay_lib.site.variant_build import parse_param, seed_parameters


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m essay_lib build``."""
    parser.add_argument("--force", action="store_true",
                        help="execute every notebook again, even if unchanged")
    parser.add_argument("--only", action="append", metavar="NN",
                        help="only this chapter number (repeatable), e.g. --only 00")
    parser.add_argument("--notebooks", type=Path, default=REPO / "notebooks",
                        help="folder of NN_name.py notebooks (default: notebooks/)")
    parser.add_argument("--output", "--out", type=Path, default=None,
                        help="build folder: executed/ and html/ go there (default: build/, "
                             "or build/seed-N for --seed N, build/variant for --param)")
    parser.add_argument("--figures", type=Path, default=None,
                        help="where notebooks save figures (default: $ESSAY_FIGURES_DIR or "
                             "figures/; OUTPUT/figures for a variant)")
    parser.add_argument("--timeout", type=int, default=1800,
                        help="seconds allowed per cell (default: 1800)")
    parser.add_argument("--jobs", type=int, default=DEFAULT_JOBS, metavar="N",
                        help=f"chapters executed at once, each after the chapters it reads "
                             f"(default: {DEFAULT_JOBS}; 1 runs them one by one; the numbers "
                             f"are the same)")
    parser.add_argument("--seed", type=int, default=None,
                        help="variant build: SEED = N in every chapter and the network seeds "
                             "of chapters 05 and 08 from 16 N (FIRST_NETWORK_SEED)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="variant build: set a parameter of the chapters' parameters cells "
                             "(repeatable; VALUE a Python literal), e.g. --param N_SEEDS=3")


def variant_of(args: argparse.Namespace) -> tuple[dict, str | None]:
    """The variant's parameters and the command line that asked for them (``({}, None)``
    for the essay itself).  Raises ``ValueError`` for a bad ``--seed`` or ``--param``."""
    parameters, words = {}, []
    if args.seed is not None:
        parameters.update(seed_parameters(args.seed))
        words.append(f"--seed {args.seed}")
    for text in args.param:
        name, value = parse_param(text)
        parameters[name] = value
        words.append(f"--param {name}={value!r}")
    if not parameters:
        return {}, None
    return parameters, "python -m essay_lib build " + " ".join(words)


def run(args: argparse.Namespace) -> int:
    """Run the build from parsed arguments; 0 on success, 1 on a build error."""
    try:
        parameters, command = variant_of(args)
    except ValueError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    if args.jobs < 1:
        print(f"build failed: --jobs must be at least 1, got {args.jobs}", file=sys.stderr)
        return 1
    output = args.output
    if output is None:
        output = REPO / "build" / (f"seed-{args.seed}" if args.seed is not None and
                                   not args.param else "variant" if parameters else "")
    try:
        build_site(notebooks_dir=args.notebooks, output_dir=output,
                   figures_dir=args.figures, force=args.force, only=args.only,
                   timeout=args.timeout, parameters=parameters or None, command=command,
                   jobs=args.jobs)
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    return 0
