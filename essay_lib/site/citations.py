"""Citations ``[@key]`` in the notebooks, turned into links to the references page.

* :func:`cited_keys` finds the keys a text cites (``[@a]``, ``[@a; @b]``), outside code;
* :func:`link_citations` replaces each citation by "(Author Year)" links to
  ``references.html#key`` (markdown, rendered with the rest of the cell); an unknown key
  raises :class:`CitationError`, which fails the build naming the notebook;
* :func:`chapter_references_markdown` is the list of works a chapter cites, shown at the
  foot of its page;
* :func:`references_page` is ``references.html``: every entry of
  :data:`essay_lib.site.bibliography.BIBLIOGRAPHY`, with the chapters that cite it.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from essay_lib.site.bibliography import BIBLIOGRAPHY, Reference, by_key

__all__ = ["REFERENCES_PAGE", "CitationError", "chapter_references_markdown", "cited_keys",
           "entry_markdown", "link_citations", "references_page"]

#: The site's page with every entry.
REFERENCES_PAGE = "references.html"
#: One citation: ``[@key]`` or ``[@key1; @key2]`` (keys: letters, digits, ``_``, ``-``).
CITATION = re.compile(r"\[(@[A-Za-z][\w-]*(?:\s*;\s*@[A-Za-z][\w-]*)*)\]")
#: Code that is left alone: fenced blocks and inline code spans.
_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)


class CitationError(ValueError):
    """A citation whose key is not in the bibliography."""


def _outside_code(text: str) -> list[tuple[bool, str]]:
    """``text`` cut into (is_code, piece) pieces."""
    return [(bool(_CODE.fullmatch(piece)), piece) for piece in _CODE.split(text) if piece]


def _keys(match: re.Match) -> list[str]:
    return [part.strip().lstrip("@") for part in match.group(1).split(";")]


def cited_keys(text: str) -> list[str]:
    """The keys cited in ``text`` (markdown), in order of first citation, each once."""
    keys: dict[str, None] = {}
    for is_code, piece in _outside_code(text):
        if not is_code:
            for match in CITATION.finditer(piece):
                keys.update(dict.fromkeys(_keys(match)))
    return list(keys)


def link_citations(text: str, *, page: str = REFERENCES_PAGE) -> str:
    """``text`` with every citation replaced by markdown links, ``[@srivastava2014]`` ->
    ``([Srivastava et al. 2014](references.html#srivastava2014))``.  Raises
    :class:`CitationError` naming an unknown key."""
    entries = by_key()

    def replace(match: re.Match) -> str:
        links = []
        for key in _keys(match):
            if key not in entries:
                raise CitationError(f"citation [@{key}] has no entry in "
                                    "essay_lib.site.bibliography.BIBLIOGRAPHY")
            links.append(f"[{entries[key].short}]({page}#{key})")
        return "(" + "; ".join(links) + ")"

    return "".join(piece if is_code else CITATION.sub(replace, piece)
                   for is_code, piece in _outside_code(text))


def entry_markdown(ref: Reference) -> str:
    """One entry as a line of markdown: authors (year). *Title*. Venue. and a link labelled
    by its DOI, its arXiv identifier or the site's name."""
    authors = ", ".join(ref.authors[:-1]) + " and " + ref.authors[-1] if len(
        ref.authors) > 1 else ref.authors[0]
    where = (f"doi:{ref.doi}" if ref.doi else f"arXiv:{ref.arxiv}" if ref.arxiv
             else urlparse(ref.href).netloc.removeprefix("www."))
    return f"{authors} ({ref.year}). *{ref.title}*. {ref.venue}. [{where}]({ref.href})"


def chapter_references_markdown(keys, *, page: str = REFERENCES_PAGE) -> str | None:
    """The markdown cell listing the works ``keys`` (cited by a chapter), ``None`` if none."""
    entries = by_key()
    known = [entries[k] for k in keys if k in entries]
    if not known:
        return None
    order = {ref.key: i for i, ref in enumerate(BIBLIOGRAPHY)}
    lines = [f"- {entry_markdown(ref)}" for ref in sorted(known, key=lambda r: order[r.key])]
    return ("## References\n\nThe works this chapter cites; the essay's whole bibliography "
            f"is on [its own page]({page}).\n\n" + "\n".join(lines))


def references_page(*, title: str, cited_by: dict[str, list[dict]],
                    licence: str | None = None) -> str:
    """``references.html``: every entry, its link, why the essay cites it and the chapters
    that do (``cited_by``: key -> ``[{"href", "number"}]``)."""
    from essay_lib.site import render  # nbconvert: loaded only when a build renders

    entries = []
    for ref in BIBLIOGRAPHY:
        entries.append({"key": ref.key, "html": render.markdown_to_html(entry_markdown(ref)),
                        "why": ref.why, "chapters": cited_by.get(ref.key, [])})
    return render._render_template("references.html.j2", title=title, entries=entries,
                                   licence=licence)
