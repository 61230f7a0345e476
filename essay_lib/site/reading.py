"""How long a chapter takes to read, computed from its words (not from its run time).

The rule, applied to the *executed* notebook (so the computed sentences count too):

* **words**: the words of every markdown cell and of every visible output of the code
  cells: displayed Markdown, printed text, HTML tables (text only) and LaTeX; a plain-text
  result counts only when nothing richer is shown in its place.  A formula (``$...$`` or
  ``$$...$$``) counts as one word, a link as the words of its text; tokens without a letter
  or a digit (table rules, bullets) do not count;
* **left out**: the code itself (folded on the page) and the exercises' solutions (cells
  tagged ``solution``, collapsed until the reader opens them);
* **figures**: every image output (PNG or SVG) and every inline-SVG explorer adds
  :data:`SECONDS_PER_FIGURE` seconds;
* **time** = words / :data:`WORDS_PER_MINUTE` minutes + the figures' seconds, rounded to
  the nearest minute, at least 1.

:func:`reading_minutes` gives the minutes; the site shows them on each chapter page and on
the index, beside the run time ("read in 9 min · code runs in 41 s").
"""

from __future__ import annotations

import math
import re

__all__ = ["SECONDS_PER_FIGURE", "WORDS_PER_MINUTE", "count_words", "format_reading",
           "reading_minutes", "reading_seconds", "visible_text"]

#: A steady reading pace for technical prose with formulas.
WORDS_PER_MINUTE = 200
#: Time to look at one figure and read its axes.
SECONDS_PER_FIGURE = 12

_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.S)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_SKIP_HTML = re.compile(r"<(script|style|svg)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[^\W_]", re.U)
_FIGURE_MIMES = ("image/png", "image/svg+xml", "image/jpeg")
_TEXT_MIMES = ("text/markdown", "text/latex")


def count_words(text: str) -> int:
    """Words of a markdown (or HTML) text, by the rule of the module docstring."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    text = _MATH.sub(" formula ", text)
    text = _LINK.sub(r" \1 ", text)
    text = _TAG.sub(" ", _SKIP_HTML.sub(" ", text))
    return sum(1 for token in text.split() if _WORD.search(token))


def _is_solution(cell) -> bool:
    return "solution" in cell.get("metadata", {}).get("tags", [])


def _output_text(output) -> tuple[str, int]:
    """(text a reader sees, figures) of one code-cell output."""
    kind = output.get("output_type")
    if kind == "stream":
        return (output.get("text", "") if output.get("name") == "stdout" else ""), 0
    if kind not in ("display_data", "execute_result"):
        return "", 0
    data = output.get("data", {})
    if any(mime in data for mime in _FIGURE_MIMES):
        return "", 1
    if "text/html" in data:
        markup = data["text/html"]
        markup = "".join(markup) if isinstance(markup, list) else markup
        return markup, int(bool(re.search(r"<svg\b", markup, re.I)))
    for mime in (*_TEXT_MIMES, "text/plain"):
        if mime in data:
            value = data[mime]
            return ("".join(value) if isinstance(value, list) else value), 0
    return "", 0


def visible_text(nb) -> tuple[str, int]:
    """(the text a reader of the page reads, the number of figures) of an executed
    notebook ``nb`` (an ``nbformat`` node or a dict with ``cells``)."""
    texts, figures = [], 0
    for cell in nb["cells"]:
        if _is_solution(cell):
            continue
        if cell.get("cell_type") == "markdown":
            texts.append(cell.get("source", ""))
        elif cell.get("cell_type") == "code":
            for output in cell.get("outputs", []):
                text, shown = _output_text(output)
                texts.append(text)
                figures += shown
    return "\n\n".join(t for t in texts if t), figures


def reading_seconds(nb) -> float:
    """Seconds to read the executed notebook ``nb``: words at :data:`WORDS_PER_MINUTE`,
    plus :data:`SECONDS_PER_FIGURE` per figure."""
    text, figures = visible_text(nb)
    return 60.0 * count_words(text) / WORDS_PER_MINUTE + SECONDS_PER_FIGURE * figures


def reading_minutes(nb) -> int:
    """:func:`reading_seconds` in whole minutes, rounded half up, at least 1."""
    return max(1, math.floor(reading_seconds(nb) / 60.0 + 0.5))


def format_reading(minutes: int) -> str:
    """``"read in 9 min"``."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1:
        raise ValueError(f"minutes must be a positive int, got {minutes!r}")
    return f"read in {minutes} min"
