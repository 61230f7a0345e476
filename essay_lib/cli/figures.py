"""``python -m essay_lib figures``: list the essay's figures with their captions, or zip them.

Examples::

    python -m essay_lib figures                      # one line per figure: name, files, caption
    python -m essay_lib figures --zip slides.zip     # every file of figures/ + CAPTIONS.md

Figures are listed in reading order with their numbers and captions, as on the chapter
pages ("Figure 5.2. caption": :mod:`essay_lib.site.numbering`, numbered from the notebooks
in ``notebooks/``; captions from :mod:`essay_lib.site.captions`).  A figure without a
caption is described by its alt text, read from the executed notebooks of the last build
(``build/executed/``), or without a build by its name.  The site build writes the same zip
as ``build/html/figures.zip`` and lists the figures in ``gallery.html``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from essay_lib.site import gallery, numbering
from essay_lib.site.build import notebook_paths
from essay_lib.util.paths import REPO_DIR, figures_dir


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the ``figures`` command."""
    parser.add_argument("--zip", type=Path, default=None, metavar="PATH",
                        help="write a zip of every figure file and CAPTIONS.md to PATH")
    parser.add_argument("--figures", type=Path, default=None,
                        help="the figures folder (default: $ESSAY_FIGURES_DIR or figures/)")
    parser.add_argument("--executed", type=Path, default=REPO_DIR / "build" / "executed",
                        help="executed notebooks to take captions from (default: "
                             "build/executed/)")


def captions(executed_dir: Path) -> dict[str, str]:
    """Figure name -> caption from the executed notebooks ``*.ipynb`` in ``executed_dir``."""
    import nbformat

    paths = notebook_paths(Path(executed_dir), ".ipynb")
    return gallery.figure_alts(nbformat.read(p, as_version=4) for p in paths)


def numbers(notebooks_dir: Path = REPO_DIR / "notebooks") -> dict:
    """Figure name -> :class:`essay_lib.site.numbering.FigureNumber`, from the notebooks
    ``NN_name.py`` in ``notebooks_dir`` (in reading order)."""
    return numbering.figure_numbers(
        (path.stem.split("_", 1)[0], path.read_text(encoding="utf-8"))
        for path in notebook_paths(Path(notebooks_dir)))


def run(args: argparse.Namespace) -> int:
    """List the figures, or write the zip; 1 when there are no figures."""
    folder = Path(args.figures or figures_dir())
    figures = gallery.list_figures(folder, captions(args.executed), numbers())
    if not figures:
        print(f"no figures NN-name.* in {folder}", file=sys.stderr)
        return 1
    if args.zip is not None:
        path = gallery.write_zip(figures, folder, args.zip)
        print(f"wrote {path} ({len(figures)} figures, {path.stat().st_size / 1e6:.1f} MB)")
        return 0
    for figure in figures:
        print(f"{figure.name}  [{', '.join(figure.files)}]  {figure.text}")
    return 0
