"""Markdown tables: the one helper every table of the essay goes through."""

from __future__ import annotations

from collections.abc import Sequence

from essay_lib.report.wording import true_minus
from essay_lib.util.checks import check_choices

_ALIGN = {"left": "---", "right": "---:", "center": ":---:"}


def markdown_table(header: Sequence[str], rows: Sequence[Sequence], *,
                   align: Sequence[str] | None = None) -> str:
    """A GitHub-flavoured markdown table.

    ``header``: the column titles; ``rows``: sequences of cells (turned into text with
    ``str``; ``None`` shows as "n/a"); ``align``: per column "left", "right" or
    "center" (default: all left).  A ``|`` inside a cell is escaped, and a number's
    hyphen-minus becomes the true minus (:func:`essay_lib.report.wording.true_minus`).
    """
    header = [str(h) for h in header]
    align = (check_choices("align", list(align), tuple(_ALIGN), non_empty=False)
             if align is not None else ("left",) * len(header))
    if len(align) != len(header):
        raise ValueError(f"align must name one alignment per column ({len(header)}), "
                         f"got {len(align)}")

    def cell(value) -> str:
        if value is None:
            return "n/a"
        return true_minus(str(value)).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(_ALIGN[a] for a in align) + "|"]
    for i, row in enumerate(rows):
        row = list(row)
        if len(row) != len(header):
            raise ValueError(f"rows[{i}] has {len(row)} cells, the header {len(header)}")
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(lines)
