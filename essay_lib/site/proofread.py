"""Proofreading what a reader sees: the visible text of a rendered page, checked for the
kinds of defect a build can let through without failing.

* :func:`reader_text`: the text of a page as a reader sees it, outside code: folded code
  inputs, ``<style>``, ``<script>`` and ``<svg>`` left out; a formula's symbols spaced
  apart, as typeset (``10^{-3}`` reads ``10 −3``), so that its numbers are read too.
* :func:`text_problems`: in that text, raw TeX, an ``Out[n]`` prompt (an expression's value leaking
  into the page), a build-internal path or file name (``figures/…``, ``….md``, ``….png``,
  "README"), a number written with a hyphen-minus instead of the true minus ``−``, a
  negative zero (``−0.00``), a number below 1e-12 in magnitude printed as a result
  (floating-point noise), and "x to x" or "between x and x" with the same number twice.
* :func:`leaked_values`: code cells of an executed notebook whose last expression's value
  was displayed (an ``execute_result``): assign it to ``_`` instead.

The site tests run these over every chapter page and the index of a full build.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["leaked_values", "reader_text", "text_problems"]

#: Elements whose content is not prose a reader reads.
_SKIPPED = {"style", "script", "svg", "head", "title"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr", "mspace", "mprescripts", "none"}


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skipping: list[str] = []  # open elements whose content is skipped
        self.parts: list[str] = []
        self.in_math = 0  # inside <math>: its tokens, spaced, as a reader sees them

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        attributes = dict(attrs)
        if self.skipping:
            self.skipping.append(tag)
        elif tag in _SKIPPED or (tag == "details"
                                 and "essay-code" in (attributes.get("class") or "")):
            self.skipping.append(tag)
        elif tag == "math":
            self.in_math += 1
        elif tag in ("p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "pre",
                     "figcaption", "summary"):
            self.parts.append("\n" if tag not in ("td", "th") else " | ")

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag == "math" and not self.skipping:
            self.in_math = max(self.in_math - 1, 0)
        if self.skipping and tag not in _VOID:
            # close the innermost element of that name (tolerates sloppy HTML)
            for index in range(len(self.skipping) - 1, -1, -1):
                if self.skipping[index] == tag:
                    del self.skipping[index:]
                    break

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(f" {data.strip()} " if self.in_math else data)


def reader_text(page: str) -> str:
    """The visible text of an HTML page outside code (see the module doc)."""
    if not isinstance(page, str):
        raise TypeError(f"page must be a str, got {type(page).__name__}")
    reader = _Reader()
    reader.feed(page)
    reader.close()
    return "".join(reader.parts)


_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CHECKS = [
    ("raw TeX: a formula the math renderer never saw (a line starting with '- ' inside "
     "$…$ makes a list)", re.compile(r"\\[A-Za-z]{2,}|\$[^$\s][^$\n]*\\[^$\n]*\$")),
    ("an Out[n] prompt: an expression's value shown under the cell (assign it to _)",
     re.compile(r"Out\[\d*\]")),
    ("a build-internal path or file name",
     re.compile(r"\bfigures/[\w./-]*|\b[\w-]+\.(?:md|png|svg|ipynb|npz)\b|\bREADME\b")),
    ("a hyphen-minus where a number needs the true minus −",
     re.compile(rf"(?<![\w.\-−/=^_])-{_NUMBER}(?![\w-])")),
    ("a negative zero", re.compile(r"(?<![\w.])[−-]0(?:\.0+)?(?![\d.])(?!\s*[×x]\s*10)")),
    ("a number below 1e-12 printed as a result (floating-point noise: say 0 to rounding)",
     re.compile(r"\d(?:\.\d+)?\s*(?:[eE]|[×x]\s*10\^?\{?)\s*[−-]\s*(?:1[3-9]|[2-9]\d|\d{3,})"
                r"(?!\d)")),
    ("the same number on both sides of 'to' or 'and' (say it once)",
     re.compile(rf"(?<![\w.\-−])([−-]?{_NUMBER})(\s*%?)\s+(?:to|and)\s+\1\2(?![\d.])")),
]


def text_problems(text: str) -> list[str]:
    """Every defect of :data:`_CHECKS` in ``text``, as ``"<what>: …<context>…"``."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    problems = []
    for what, pattern in _CHECKS:
        for match in pattern.finditer(text):
            start, end = max(match.start() - 40, 0), min(match.end() + 40, len(text))
            context = " ".join(text[start:end].split())
            problems.append(f"{what}: {match.group(0)!r} in …{context}…")
    return problems


def leaked_values(nb) -> list[str]:
    """The code cells of an executed notebook (nbformat) with an ``execute_result``: the
    value of their last expression (a number, a path, a list) shown on the page with an
    ``Out[n]`` prompt.  Rich displays (``display(...)``, figures) are not results."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "execute_result":
                value = output.get("data", {}).get("text/plain", "")
                last = cell.get("source", "").strip().splitlines()[-1:] or [""]
                found.append(f"cell {index} shows {value[:60]!r} (its last line: {last[0]!r})")
    return found
