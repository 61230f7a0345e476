"""The essay's figure style and where figures are saved.

:func:`set_style` applies explicit rcParams (no named style sheets, which come and go
between releases); :func:`save_figure` writes ``NAME.png`` and ``NAME.svg`` (``NAME``
like ``"00-learned-functions"``) to :func:`essay_lib.util.paths.figures_dir`.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from essay_lib.report.vocabulary import NEUTRALS
from essay_lib.util.paths import figures_dir

#: The smallest font of a saved figure, in points, and the widest a saved figure may be
#: (width / height): legible on a slide and on a phone (tests/test_figure_layout.py).
MIN_FONT_PT = 10
MAX_ASPECT = 2.5

#: Explicit rcParams (no text below MIN_FONT_PT).
STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": MIN_FONT_PT,
    "axes.titlesize": 11,
    "axes.labelsize": MIN_FONT_PT,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "legend.fontsize": MIN_FONT_PT,
    "legend.title_fontsize": MIN_FONT_PT,
    "figure.titlesize": 12,
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

#: PNGs are written at twice the display resolution (sharp on high-density screens and
#: projectors); the SVG beside them scales anyway.
PNG_DPI = 2 * STYLE["savefig.dpi"]

_NAME_RE = re.compile(r"^(\d\d|[A-Z])-[a-z0-9][a-z0-9-]*$")


def set_style() -> None:
    """Apply the essay's rcParams to matplotlib."""
    mpl.rcParams.update(STYLE)


def grid_shape(n: int) -> tuple[int, int]:
    """(rows, columns) of ``n`` panels in a grid no wider than it is tall by much: one row
    for one or two panels, two columns up to four (2 × 2), three beyond."""
    columns = 1 if n == 1 else 2 if n <= 4 else 3
    return -(-n // columns), columns


def panel_grid(n: int, *, panel=(4.0, 3.2), shape: tuple[int, int] | None = None, **subplots_kw):
    """A new figure of ``n`` panels, each about ``panel`` inches, laid out by
    :func:`grid_shape` (or ``shape``): returns ``(figure, the n Axes in reading order, the
    spare Axes)``; spare cells are hidden (a legend may take one, :func:`figure_legend`)."""
    rows, columns = shape or grid_shape(n)
    fig, grid = plt.subplots(rows, columns, squeeze=False,
                             figsize=(panel[0] * columns, panel[1] * rows), **subplots_kw)
    cells = list(grid.ravel())
    for spare in cells[n:]:
        spare.set_visible(False)
    return fig, cells[:n], cells[n:]


def figure_legend(fig, handles, labels, *, spare=(), where: str = "right", **legend_kw):
    """One legend for a figure of panels: in the first spare cell of the grid if there is
    one, else to the right of the panels (``where="right"``) or below them
    (``where="below"``, in up to three columns).  Call after ``tight_layout``.  Returns the
    legend."""
    spare = [ax for ax in spare if ax is not None]
    if spare:
        spare[0].set_visible(True)
        spare[0].set_axis_off()
        return spare[0].legend(handles, labels, loc="center", **legend_kw)
    if where == "below":
        return fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                          ncol=min(len(labels), 3), **legend_kw)
    return fig.legend(handles, labels, loc="center left", bbox_to_anchor=(1.0, 0.5),
                      **legend_kw)


def unique_legend_entries(axes) -> tuple[list, list]:
    """(handles, labels) of every labelled artist of ``axes``, each label once, in
    first-seen order."""
    seen = {}
    for ax in np.ravel(np.asarray(axes, dtype=object)):
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(label, handle)
    return list(seen.values()), list(seen)


def save_figure(fig, name: str, *, directory: str | Path | None = None) -> list[Path]:
    """Save ``fig`` as ``NAME.png`` (at :data:`PNG_DPI`) and ``NAME.svg``; returns the two
    paths.

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
        if path.suffix == ".svg":
            fig.savefig(path, metadata={"Date": None})
        else:
            fig.savefig(path, dpi=PNG_DPI)
    return paths
