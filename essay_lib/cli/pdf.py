"""``python -m essay_lib pdf``: the built site as one PDF (:mod:`essay_lib.site.pdf`).

Examples::

    python -m essay_lib pdf          # build/html -> build/dropout-and-linearity.pdf
    python -m essay_lib pdf --site build/seed-1/html --out seed-1.pdf --format Letter

The site must be built first (``make essay``; ``make pdf`` does both).  Printing needs
Debian's chromium and the ``pdf`` extra (Playwright and pypdf).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from essay_lib.site import pdf
from essay_lib.util.paths import REPO_DIR


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the ``pdf`` command."""
    parser.add_argument("--site", type=Path, default=REPO_DIR / "build" / "html",
                        help="the built site to print (default: build/html)")
    parser.add_argument("--out", type=Path,
                        default=REPO_DIR / "build" / "dropout-and-linearity.pdf",
                        help="the PDF to write (default: build/dropout-and-linearity.pdf)")
    parser.add_argument("--format", choices=pdf.PAGE_FORMATS, default="A4",
                        help="paper size (default: A4)")


def run(args: argparse.Namespace) -> int:
    """Print the site; 1 (with the reason on stderr) when it cannot."""
    try:
        report = pdf.write_pdf(args.site, args.out, page_format=args.format,
                               log=lambda line: print(line, flush=True))
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        print(f"pdf: {exc}", file=sys.stderr)
        return 1
    size = report.path.stat().st_size / 1e6
    print(f"wrote {report.path} ({report.pages} pages, {size:.1f} MB, "
          f"{len(report.sections)} sections)")
    return 0
