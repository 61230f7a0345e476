"""The essay's figure style and where figures are saved.

:func:`set_style` applies explicit rcParams (no named style sheets, which come and go
between releases); :func:`save_figure` writes ``NAME.png`` and ``NAME.svg`` (``NAME``
like ``"00-learned-functions"``) to :func:`essay_lib.util.paths.figures_dir`.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib as mpl

from essay_lib.report.vocabulary import NEUTRALS
from essay_lib.util.paths import figures_dir

#: Explicit rcParams.
STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "svg.fonttype": "none",
    "svg.hashsalt": "essay",
    "axes.prop_cycle": mpl.cycler(color=list(NEUTRALS)),  # neutral: hue means a regularizer
}

_NAME_RE = re.compile(r"^(\d\d|[A-Z])-[a-z0-9][a-z0-9-]*$")


def set_style() -> None:
    """Apply the essay's rcParams to matplotlib."""
    mpl.rcParams.update(STYLE)


def save_figure(fig, name: str, *, directory: str | Path | None = None) -> list[Path]:
    """Save ``fig`` as ``NAME.png`` and ``NAME.svg``; returns the two paths.

    ``name`` is ``"NN-short-name"``: chapter number (or an appendix's capital letter,
    ``"A-short-name"``), dash, lowercase words.  The folder:
    ``directory``, else :func:`essay_lib.util.paths.figures_dir` (``$ESSAY_FIGURES_DIR``).
    """
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ValueError(f"name must look like '00-short-name' (chapter number or an "
                         f"appendix's letter, dash, lowercase letters/digits/dashes), got {name!r}")
    out = Path(directory) if directory is not None else figures_dir()
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{name}.png", out / f"{name}.svg"]
    for path in paths:
        fig.savefig(path, metadata={"Date": None} if path.suffix == ".svg" else None)
    return paths
