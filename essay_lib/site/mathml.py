"""TeX to MathML that browsers lay out as TeX would: ``latex2mathml`` plus the repairs that
MathML Core (what Chromium and Firefox implement) needs.

``latex2mathml`` writes MathML 3, and a few of its constructs are not in MathML Core, so
a browser shows them wrong without any error:

* ``\\big\\|`` becomes ``<mo>\\|</mo>``: a literal backslash and bar on the page.  Escaped
  characters are turned into the character itself (``\\|`` is ``‖``).
* ``\\mathbb E`` becomes ``<mi mathvariant="double-struck">E</mi>``; MathML Core ignores
  every ``mathvariant`` except ``normal``, so the reader sees an italic E.  The letter is
  replaced by its Unicode mathematical alphanumeric symbol (``𝔼``), as ``\\mathbb{E}``
  already gives.
* ``\\Big)^{-1}``: a sized delimiter (``minsize``) as the base of a script is not stretched
  (the browser sizes only operators whose parent is a row), so the closing parenthesis
  stays small beside its large opening one.  It is wrapped in an ``<mrow>``.
* Named spaces (``negativethinmathspace``) are not CSS lengths: they become ``em``.

Anything still holding a backslash command after that is a :class:`MathError`, so the build
fails instead of showing raw TeX to a reader.
"""

from __future__ import annotations

import html
import re
import unicodedata
from xml.etree import ElementTree

from latex2mathml.converter import convert_to_element

__all__ = ["MathError", "math_problems", "tex_to_mathml"]


class MathError(ValueError):
    """A formula that cannot be converted to MathML that a browser shows correctly."""


#: A backslash command left in the MathML's text: the converter did not translate it.
_LEFTOVER = re.compile(r"\\(?:[A-Za-z]+|[^A-Za-z\s])")
#: Escaped characters latex2mathml leaves escaped.
_ESCAPED = {"\\|": "\u2016"}
#: MathML ``mathvariant`` -> the words of its Unicode names ("MATHEMATICAL <words> CAPITAL A").
_VARIANT_WORDS = {
    "bold": "BOLD", "italic": "ITALIC", "bold-italic": "BOLD ITALIC",
    "double-struck": "DOUBLE-STRUCK", "script": "SCRIPT", "bold-script": "BOLD SCRIPT",
    "fraktur": "FRAKTUR", "bold-fraktur": "BOLD FRAKTUR", "sans-serif": "SANS-SERIF",
    "bold-sans-serif": "SANS-SERIF BOLD", "sans-serif-italic": "SANS-SERIF ITALIC",
    "sans-serif-bold-italic": "SANS-SERIF BOLD ITALIC", "monospace": "MONOSPACE"}
#: Letters that Unicode encodes in the Letterlike Symbols block instead (holes in the
#: mathematical alphanumeric block): variant words -> Unicode name prefix.
_LETTERLIKE = {"DOUBLE-STRUCK": "DOUBLE-STRUCK", "SCRIPT": "SCRIPT", "FRAKTUR": "BLACK-LETTER"}
#: MathML 3 named spaces -> em (MathML Core takes CSS lengths only).
_NAMED_SPACES = {
    "veryverythinmathspace": 1 / 18, "verythinmathspace": 2 / 18, "thinmathspace": 3 / 18,
    "mediummathspace": 4 / 18, "thickmathspace": 5 / 18, "verythickmathspace": 6 / 18,
    "veryverythickmathspace": 7 / 18}
_SCRIPTS = ("msub", "msup", "msubsup", "munder", "mover", "munderover", "mmultiscripts")


def _styled(char: str, variant: str) -> str:
    """``char`` in the Unicode mathematical style of ``variant`` (a MathML mathvariant)."""
    words = _VARIANT_WORDS.get(variant)
    if words is None:
        raise MathError(f"mathvariant={variant!r} is not supported")
    name = unicodedata.name(char, "")
    if char.isascii() and char.isalpha():
        case = "CAPITAL" if char.isupper() else "SMALL"
        tail = f"{case} {char.upper()}"
    elif char.isascii() and char.isdigit():
        tail = f"DIGIT {name.split()[-1]}"
    elif name.startswith("GREEK "):
        tail = name.replace("GREEK ", "").replace(" LETTER", "")
    else:
        raise MathError(f"no {variant} form of {char!r} in Unicode")
    candidates = [f"MATHEMATICAL {words} {tail}"]
    if words in _LETTERLIKE:
        candidates.append(f"{_LETTERLIKE[words]} {tail}")
    if (words, tail) == ("ITALIC", "SMALL H"):
        candidates.append("PLANCK CONSTANT")
    for candidate in candidates:
        try:
            return unicodedata.lookup(candidate)
        except KeyError:
            continue
    raise MathError(f"no {variant} form of {char!r} in Unicode")


def _repair(element: ElementTree.Element) -> None:
    """Make ``element`` (latex2mathml's output) MathML Core, in place (see the module doc)."""
    for node in element.iter():
        for attr in ("text", "tail"):
            value = getattr(node, attr)
            if value:
                value = html.unescape(value)
                for escaped, char in _ESCAPED.items():
                    value = value.replace(escaped, char)
                setattr(node, attr, value)
        variant = node.attrib.get("mathvariant")
        if variant and variant != "normal" and node.tag in ("mi", "mn", "mo", "mtext"):
            node.text = "".join(_styled(c, variant) if not c.isspace() else c
                                for c in node.text or "")
            del node.attrib["mathvariant"]
        width = node.attrib.get("width", "")
        name = width.removeprefix("negative")
        if node.tag == "mspace" and name in _NAMED_SPACES:
            sign = "-" if width.startswith("negative") else ""
            node.set("width", f"{sign}{_NAMED_SPACES[name]:.3f}em")
    for script in element.iter():
        if script.tag in _SCRIPTS and len(script) and script[0].tag == "mo" \
                and "minsize" in script[0].attrib:
            row = ElementTree.Element("mrow")
            row.append(script[0])
            script.remove(script[0])
            script.insert(0, row)


def math_problems(mathml: str) -> list[str]:
    """What a browser would show wrong in ``mathml`` (one ``<math>`` element, a string):
    backslash commands in its text, ``mathvariant`` values MathML Core ignores, sized
    delimiters that are a script's base.  Empty for :func:`tex_to_mathml`'s output."""
    element = ElementTree.fromstring(mathml)
    problems = []
    for node in element.iter():
        for text in (node.text, node.tail):
            if text and _LEFTOVER.search(text):
                problems.append(f"raw TeX {_LEFTOVER.search(text).group(0)!r}")
        variant = node.attrib.get("mathvariant")
        if variant and variant != "normal":
            problems.append(f"mathvariant={variant!r} on {node.text!r} (browsers ignore it)")
        if node.tag in _SCRIPTS and len(node) and node[0].tag == "mo" \
                and "minsize" in node[0].attrib:
            problems.append(f"sized {node[0].text!r} as a script's base (not stretched)")
    return problems


def tex_to_mathml(tex: str, *, display: bool) -> str:
    """Convert one TeX formula (without delimiters) to a ``<math>`` element (a string).

    ``display=True`` gives block math (``display="block"``), else inline.  The TeX source is
    kept in the ``alttext`` attribute.  The element has no ``xmlns`` (HTML puts ``<math>`` in
    the MathML namespace itself), its text is escaped for HTML, and it is repaired for
    MathML Core (see the module doc).  Raises :class:`MathError` naming the formula when the
    converter fails or leaves a TeX command that a browser would show raw.
    """
    if not isinstance(tex, str):
        raise TypeError(f"tex must be a str, got {type(tex).__name__}")
    body = tex.strip()
    if not body:
        raise MathError("empty formula")
    try:
        element = convert_to_element(body, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises many exception types
        raise MathError(f"cannot convert ${body}$ to MathML: {type(exc).__name__} {exc}") from exc
    try:
        _repair(element)
    except MathError as exc:
        raise MathError(f"{exc} in ${body}$") from None
    for node in element.iter():
        for text in (node.text, node.tail):
            leftover = _LEFTOVER.search(text or "")
            if leftover:
                raise MathError(f"TeX command {leftover.group(0)} in ${body}$ is not supported "
                                "by latex2mathml; rewrite the formula with a supported command")
    element.attrib.pop("xmlns", None)
    element.set("alttext", body)
    return ElementTree.tostring(element, encoding="unicode")
