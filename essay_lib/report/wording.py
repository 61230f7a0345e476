"""How the essay writes numbers and counts: one home for every sentence and table.

Numbers (:func:`number`, :func:`signed`, :func:`interval`, :func:`residual`,
:func:`from_to`):

* a negative number carries the true minus sign ``−`` (U+2212), never a hyphen-minus;
* a value that rounds to zero at the printed precision prints without a sign: ``0.00``,
  never ``−0.00`` (and a signed zero is ``0.00``, not ``+0.00``);
* a numerical check's residual below :data:`NOISE` (floating-point rounding, e.g.
  ``1.3e-29``) is not a result: it prints as "0 (to rounding)";
* a range whose two ends print alike ("1.000000 to 1.000000") is said once.

Counts (:func:`count_of`, :func:`per_item`, :func:`layers`): the verb agrees with the count ("1 of 3
variants keeps", "both variants keep", "the one variant keeps"), and the same word for
every item is said once ("falls in both layers", not "falls in layer 1 and falls in
layer 2").

Text formatted elsewhere (a table's cells, a number printed by ``str``) goes through
:func:`true_minus`, which :func:`essay_lib.report.tables.markdown_table` applies to every
cell.  Never call ``.replace("-", "−")`` on a sentence: it also turns "1-D" into "1−D".  The
tests scan the package and the notebooks for it.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence

__all__ = ["MINUS", "NOISE", "count_of", "from_to", "interval", "layers", "number",
           "per_item", "residual", "signed", "true_minus"]

#: The true minus sign.
MINUS = "\u2212"
#: Magnitudes below this are floating-point rounding, not results (float64 eps ~ 2e-16,
#: times the sums and scales of the checks).
NOISE = 1e-12
_ZERO = set("0.,%e+-")


def _check_real(x, name: str = "x") -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}")
    return float(x)


def number(x, spec: str = ".3f") -> str:
    """``x`` formatted with the format ``spec`` (``".3f"``, ``"+.2f"``, ``".2e"``, ``".3g"``,
    ``".1%"``) with the true minus sign; a value that prints as zero has no sign;
    infinities are ``∞`` / ``−∞``, NaN is ``n/a``."""
    x = _check_real(x)
    if not isinstance(spec, str):
        raise TypeError(f"spec must be a format string such as '.3f', got {type(spec).__name__}")
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return ("+∞" if spec.startswith("+") else "∞") if x > 0 else f"{MINUS}∞"
    text = format(x, spec)
    mantissa = text.lower().split("e")[0]
    if set(mantissa) <= _ZERO:  # prints as zero: no sign, whatever the float's sign was
        text = format(0.0, spec.lstrip("+"))
    return MINUS + text[1:] if text.startswith("-") else text  # "1e-05" keeps its exponent


def signed(x, digits: int = 2) -> str:
    """``+0.25`` / ``−0.25`` with ``digits`` decimals (a change, a correlation); ``0.00``
    when it rounds to zero; ``+∞`` / ``−∞`` for the unbounded ends of an interval."""
    return number(x, f"+.{int(digits)}f")


def interval(estimate, low, high, digits: int = 3) -> str:
    """An estimate with its interval, signed: ``−0.012 [−0.024, −0.001]``.  At least
    ``digits`` decimals, and up to three more while a value that is not zero (above
    :data:`NOISE`) would print as zero: an interval that lies below 0 never reads
    "[−0.01, 0.00]" (nor "−0.00"), so its reading can be checked by eye."""
    values = [_check_real(v, name) for v, name in
              ((estimate, "estimate"), (low, "low"), (high, "high"))]
    digits = int(digits)
    for extra in range(4):
        shown = [signed(v, digits + extra) for v in values]
        hidden = any(abs(v) >= NOISE and set(t) <= _ZERO | {MINUS}
                     for v, t in zip(values, shown, strict=True) if math.isfinite(v))
        if not hidden:
            break
    return f"{shown[0]} [{shown[1]}, {shown[2]}]"


def residual(x, spec: str = ".1e", *, zero: str = "0 (to rounding)") -> str:
    """A numerical check's deviation (something that should be 0): ``zero`` (``"0 (to
    rounding)"``; e.g. ``"zero to rounding"`` inside parentheses) when its magnitude is
    below :data:`NOISE`, else ``x`` in ``spec``."""
    x = _check_real(x)
    if abs(x) < NOISE:
        return zero
    return number(x, spec)


def from_to(low, high, spec: str = ".3f", *, same: str = "{} throughout") -> str:
    """``"from −1.40 to 1.40"``; when both ends print alike, ``same`` with the one value
    (``"{} throughout"``, or e.g. ``"{} for every column"``)."""
    a, b = number(low, spec), number(high, spec)
    if a == b:
        return same.format(a)
    return f"from {a} to {b}"


#: A hyphen-minus that is a number's sign: not inside a word, a range ("2-4"), a path or an
#: exponent ("1e-3"); the number is the second group.
_SIGN = re.compile(r"(?<![\w.\-−/=^_{])-(\d+(?:,\d{3})*(?:\.\d+)?)(?![\w-])")
#: Spans left alone: inline math and code.
_PROTECTED = re.compile(r"(\$[^$]*\$|`[^`]*`)")


def true_minus(text: str) -> str:
    """``text`` with every hyphen-minus that is a number's sign turned into ``−``, and the
    sign of a number that is all zeros (``-0.00``) dropped; ``$…$`` math and ```…```
    code are left as they are (the math renderer sets its own minus)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")

    def fix(match: re.Match) -> str:
        digits = match.group(1)
        return digits if set(digits) <= set("0.,") else MINUS + digits

    parts = _PROTECTED.split(text)
    return "".join(part if i % 2 else _SIGN.sub(fix, part) for i, part in enumerate(parts))


def _plural(noun: str) -> str:
    return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")


def _third_person(verb: str) -> str:
    first, _, rest = verb.partition(" ")
    return " ".join(filter(None, [_plural(first) if first != "have" else "has", rest]))


def count_of(n: int, total: int, noun: str, verb: str) -> str:
    """``n`` of ``total`` things doing something, with the verb agreeing: ``"2 of 3 variants
    keep"``, ``"1 of 3 variants keeps"``, ``"both variants keep"``, ``"all 4 variants
    keep"``, ``"none of the 3 variants keeps"``, ``"the one variant keeps"``, ``"the one
    variant does not keep"``.  ``verb`` in its plural form (``"keep the base's"``)."""
    for value, name in ((n, "n"), (total, "total")):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise ValueError(f"{name} must be a count (an int >= 0), got {value!r}")
    if n > total or total == 0:
        raise ValueError(f"n must lie in 0..total with total >= 1, got n={n}, total={total}")
    nouns = _plural(noun)
    if total == 1:
        return f"the one {noun} {_third_person(verb) if n else 'does not ' + verb}"
    if n == total:
        return f"both {nouns} {verb}" if total == 2 else f"all {total} {nouns} {verb}"
    if n == 0:
        return f"none of the {total} {nouns} {_third_person(verb)}"
    return f"{n} of {total} {nouns} {_third_person(verb) if n == 1 else verb}"


_COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def layers(widths: Sequence[int], noun: str = "layer", unit: str = "units") -> str:
    """Layer widths in words: ``(128, 128)`` → ``"two layers of 128 units"``; ``(64, 32)``
    → ``"layers of 64 and 32 units"``; ``(16,)`` → ``"one layer of 16 units"`` (never "128
    and 128")."""
    widths = list(widths)
    if not widths or not all(isinstance(w, numbers.Integral) and not isinstance(w, bool)
                             and w >= 1 for w in widths):
        raise ValueError(f"widths must be a non-empty list of positive ints, got {widths!r}")
    widths = [int(w) for w in widths]
    if len(set(widths)) == 1:
        count = _COUNT_WORDS[len(widths)] if len(widths) < len(_COUNT_WORDS) else len(widths)
        plural = _plural(noun) if len(widths) > 1 else noun
        return f"{count} {plural} of {widths[0]} {unit}"
    listed = ", ".join(map(str, widths[:-1])) + f" and {widths[-1]}"
    return f"{_plural(noun)} of {listed} {unit}"


def per_item(words: Sequence[str], noun: str) -> str:
    """What happens in each of a numbered series of things (layers), merged: ``["falls",
    "falls"]`` → ``"falls in both layers"``; ``["falls", "rises"]`` → ``"falls in layer 1
    and rises in layer 2"``; ``["falls", "falls", "rises"]`` → ``"falls in layers 1 and 2
    and rises in layer 3"``."""
    words = list(words)
    if not words or not all(isinstance(w, str) and w for w in words):
        raise ValueError(f"words must be a non-empty list of words, got {words!r}")
    if len(set(words)) == 1:
        if len(words) == 1:
            return f"{words[0]} in the one {noun}"
        scope = f"both {_plural(noun)}" if len(words) == 2 else f"all {len(words)} {_plural(noun)}"
        return f"{words[0]} in {scope}"
    clauses = []
    for word in dict.fromkeys(words):
        where = [str(i + 1) for i, w in enumerate(words) if w == word]
        label = noun if len(where) == 1 else _plural(noun)
        listed = where[0] if len(where) == 1 else ", ".join(where[:-1]) + " and " + where[-1]
        clauses.append(f"{word} in {label} {listed}")
    return ", ".join(clauses[:-1]) + " and " + clauses[-1]
