"""Alt text for inline matplotlib figures, installed in each kernel the site build starts.

The build starts every kernel with ``IPKernelApp.exec_lines`` calling :func:`install`.
From then on, each ``image/png`` that IPython makes of a matplotlib ``Figure`` (the inline
backend's figures, ``display(fig)``) carries output metadata ``{"alt": ...}``, which the
site template writes as the ``<img>``'s ``alt`` and ``title``.  The text comes from the
figure itself (:func:`figure_alt_text`):

1. ``fig.set_label("...")`` if the author set one (an explicit description);
2. else the figure's suptitle;
3. else the axes titles, joined with "; ";
4. else the axis labels ("y against x"), or ``"Figure"``.

Nothing here changes what a notebook computes or draws.
"""

from __future__ import annotations

import re
import sys

_MARK = "_essay_alt_wrapped"


def _plain(text: str) -> str:
    """Readable text from matplotlib mathtext: ``$R^2$`` -> ``R^2``, ``$\\bar Z$`` ->
    ``bar Z``; newlines -> spaces."""
    text = re.sub(r"\\([A-Za-z]+)\s*", r"\1 ", text)
    for char in "${}\\":
        text = text.replace(char, "")
    return " ".join(text.split())


def figure_alt_text(fig) -> str:
    """A one-line description of a matplotlib ``Figure`` (see the module docstring)."""
    label = (fig.get_label() or "").strip()
    if label:
        return _plain(label)
    suptitle = fig.get_suptitle().strip() if hasattr(fig, "get_suptitle") else ""
    if suptitle:
        return _plain(suptitle)
    titles, labels = [], []
    for ax in fig.get_axes():
        for loc in ("center", "left", "right"):
            title = ax.get_title(loc).strip()
            if title and title not in titles:
                titles.append(title)
        if ax.get_ylabel() and ax.get_xlabel():
            labels.append(f"{ax.get_ylabel()} against {ax.get_xlabel()}")
    if titles:
        return _plain("; ".join(titles))
    if labels:
        return _plain("Figure: " + "; ".join(labels))
    return "Figure"


def _with_alt(format_method):
    """Wrap ``DisplayFormatter.format``: a ``Figure``'s PNG gets ``{"alt": ...}`` metadata."""

    def format_with_alt(obj, include=None, exclude=None):
        data, metadata = format_method(obj, include=include, exclude=exclude)
        figure_module = sys.modules.get("matplotlib.figure")
        if figure_module is not None and isinstance(obj, figure_module.Figure) \
                and "image/png" in data:
            metadata = dict(metadata)
            metadata["image/png"] = {**metadata.get("image/png", {}),
                                     "alt": figure_alt_text(obj)}
        return data, metadata

    setattr(format_with_alt, _MARK, True)
    return format_with_alt


def install(shell=None) -> None:
    """Give ``shell``'s (default: the running IPython's) figure PNGs alt-text metadata.

    Wraps the shell's display formatter, which every ``display(fig)`` (and the inline
    backend's end-of-cell display) goes through, whenever matplotlib is loaded.
    """
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    if shell is None:
        raise RuntimeError("install() must run inside IPython (the build's kernel)")
    formatter = shell.display_formatter
    if not getattr(formatter.format, _MARK, False):
        formatter.format = _with_alt(formatter.format)
