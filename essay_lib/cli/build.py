"""``python -m essay_lib build``: execute every notebook and render the HTML site.

The work is :func:`essay_lib.site.build.build_site`; this module only parses the options.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from essay_lib.site.build import REPO, BuildError, build_site


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m essay_lib build``."""
    parser.add_argument("--force", action="store_true",
                        help="execute every notebook again, even if unchanged")
    parser.add_argument("--only", action="append", metavar="NN",
                        help="only this chapter number (repeatable), e.g. --only 00")
    parser.add_argument("--notebooks", type=Path, default=REPO / "notebooks",
                        help="folder of NN_name.py notebooks (default: notebooks/)")
    parser.add_argument("--output", type=Path, default=REPO / "build",
                        help="build folder: executed/ and html/ go there (default: build/)")
    parser.add_argument("--figures", type=Path, default=None,
                        help="where notebooks save figures (default: $ESSAY_FIGURES_DIR or "
                             "figures/)")
    parser.add_argument("--timeout", type=int, default=1800,
                        help="seconds allowed per cell (default: 1800)")


def run(args: argparse.Namespace) -> int:
    """Run the build from parsed arguments; 0 on success, 1 on a build error."""
    try:
        build_site(notebooks_dir=args.notebooks, output_dir=args.output,
                   figures_dir=args.figures, force=args.force, only=args.only,
                   timeout=args.timeout)
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    return 0
