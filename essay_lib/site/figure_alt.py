"""Alt text for inline matplotlib figures, installed in each kernel the site build starts.

The build starts every kernel with ``IPKernelApp.exec_lines`` calling :func:`install`.
From then on, each ``image/png`` that IPython makes of a matplotlib ``Figure`` carries
output metadata ``{"alt": ...}``, which the site template writes as the ``<img>``'s
``alt`` and ``title``.  The text comes from the figure itself (:func:`figure_alt_text`):

1. ``fig.set_label("...")`` if the author set one (an explicit description);
2. else the figure's suptitle;
3. else the axes titles, joined with "; ";
4. else the axis labels ("y against x"), or ``"Figure"``.

Nothing here changes what a notebook computes or draws.
"""

from __future__ import annotations

import sys

_MARK = "_essay_alt_wrapped"


def figure_alt_text(fig) -> str:
    """A one-line description of a matplotlib ``Figure`` (see the module docstring)."""
    label = (fig.get_label() or "").strip()
    if label:
        return label
    suptitle = fig.get_suptitle().strip() if hasattr(fig, "get_suptitle") else ""
    if suptitle:
        return suptitle
    titles, labels = [], []
    for ax in fig.get_axes():
        for loc in ("center", "left", "right"):
            title = ax.get_title(loc).strip()
            if title and title not in titles:
                titles.append(title)
        if ax.get_ylabel() and ax.get_xlabel():
            labels.append(f"{ax.get_ylabel()} against {ax.get_xlabel()}")
    if titles:
        return "; ".join(titles)
    if labels:
        return "Figure: " + "; ".join(labels)
    return "Figure"


def _wrap_png_formatter(shell) -> None:
    """Make the shell's PNG formatter for ``Figure`` also return ``{"alt": ...}`` metadata."""
    if "matplotlib.figure" not in sys.modules:
        return
    from matplotlib.figure import Figure

    formatter = shell.display_formatter.formatters["image/png"]
    try:
        current = formatter.lookup_by_type(Figure)
    except KeyError:
        return
    if getattr(current, _MARK, False):
        return

    def png_with_alt(fig):
        result = current(fig)
        if result is None:
            return None
        data, metadata = result if isinstance(result, tuple) else (result, {})
        return data, {**(metadata or {}), "alt": figure_alt_text(fig)}

    setattr(png_with_alt, _MARK, True)
    formatter.for_type(Figure, png_with_alt)


def install(shell=None) -> None:
    """Register the wrapper on ``shell`` (default: the running IPython) before each cell
    and after each cell (so it is in place before the inline backend flushes figures)."""
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    if shell is None:
        raise RuntimeError("install() must run inside IPython (the build's kernel)")
    callback = lambda *_: _wrap_png_formatter(shell)  # noqa: E731
    shell.events.register("pre_execute", callback)
    shell.events.register("post_execute", callback)
