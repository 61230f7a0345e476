"""The essay's one bibliography (``essay_lib.site.bibliography``) and its citations
(``essay_lib.site.citations``): every key a notebook cites has an entry, every entry links
somewhere a reader can open and is cited somewhere, Teague's paper comes first, and a
citation becomes "(Author Year)" links to the references page -- outside code only, and an
unknown key fails loudly.  No kernel, no build."""

from __future__ import annotations

import re

import pytest
from conftest import NOTEBOOKS

from essay_lib.site import bibliography, citations
from essay_lib.site.bibliography import BIBLIOGRAPHY, Reference

DOI = re.compile(r"^10\.\d{4,9}/\S+$")
ARXIV = re.compile(r"^\d{4}\.\d{4,5}$")


def cited_by_notebooks() -> dict[str, set[str]]:
    """key -> the notebooks (stems) that cite it, from their ``.py`` sources."""
    cited: dict[str, set[str]] = {}
    for path in NOTEBOOKS:
        for key in citations.cited_keys(path.read_text(encoding="utf-8")):
            cited.setdefault(key, set()).add(path.stem)
    return cited


def test_every_key_a_notebook_cites_has_an_entry():
    entries = bibliography.by_key()
    missing = {key: sorted(stems) for key, stems in cited_by_notebooks().items()
               if key not in entries}
    assert not missing, f"citations without an entry in BIBLIOGRAPHY: {missing}"


def test_every_entry_is_cited_by_some_chapter():
    uncited = sorted(set(bibliography.by_key()) - set(cited_by_notebooks()))
    assert not uncited, f"entries no chapter cites (cite them or remove them): {uncited}"


def test_every_entry_links_somewhere_a_reader_can_open():
    keys = [ref.key for ref in BIBLIOGRAPHY]
    assert len(keys) == len(set(keys)), "duplicate keys"
    for ref in BIBLIOGRAPHY:
        assert ref.url or ref.doi or ref.arxiv, f"{ref.key} has no URL, DOI or arXiv id"
        assert ref.href and ref.href.startswith("https://"), (ref.key, ref.href)
        assert ref.doi is None or DOI.match(ref.doi), (ref.key, ref.doi)
        assert ref.arxiv is None or ARXIV.match(ref.arxiv), (ref.key, ref.arxiv)
        assert re.fullmatch(r"[a-z]+\d{4}", ref.key), f"key {ref.key}: surname + year"
        assert ref.key.startswith(ref.surnames[0].lower().replace("-", "")), ref.key
        assert str(ref.year) in ref.key and ref.title and ref.venue and ref.why, ref.key


def test_teague_comes_first_then_the_others_by_surname_and_year():
    first, *others = BIBLIOGRAPHY
    assert first.key == "teague2019" and first.short == "Teague 2019"
    assert first.href == ("https://medium.com/from-the-diaries-of-john-henry/"
                          "dropping-out-for-fun-and-profit-152a5539e616")
    order = [(ref.surnames[0], ref.year) for ref in others]
    assert order == sorted(order)


def test_the_works_the_brief_names_are_there_with_their_identifiers():
    entries = bibliography.by_key()
    assert entries["hinton2012"].arxiv == "1207.0580"
    assert entries["srivastava2014"].href == "https://jmlr.org/papers/v15/srivastava14a.html"
    assert entries["efron1979"].doi == "10.1214/aos/1176344552"
    assert entries["simonsohn2020"].doi == "10.1038/s41562-020-0912-z"
    assert entries["tibshirani1996"].doi == "10.1111/j.2517-6161.1996.tb02080.x"
    assert entries["hoerl1970"].doi == "10.1080/00401706.1970.10488634"
    assert {"gal2016", "baldi2013", "wager2013", "wei2020", "holm1979", "zhang2018",
            "goodfellow2016", "taleb2012"} <= set(entries)


@pytest.mark.parametrize("authors, short", [
    (["N. Teague"], "Teague 2019"),
    (["Y. Gal", "Z. Ghahramani"], "Gal & Ghahramani 2019"),
    (["S. Wager", "S. Wang", "P. Liang"], "Wager et al. 2019"),
])
def test_short_labels(authors, short):
    assert Reference("x2019", tuple(authors), 2019, "T", "V", url="https://x").short == short


def test_a_citation_becomes_links_to_the_references_page():
    assert citations.link_citations("As [@srivastava2014] shows.") == (
        "As ([Srivastava et al. 2014](references.html#srivastava2014)) shows.")
    assert citations.link_citations("[@wager2013; @wei2020]", page="refs.html") == (
        "([Wager et al. 2013](refs.html#wager2013); [Wei et al. 2020](refs.html#wei2020))")


def test_code_is_left_alone():
    text = "Write `[@nokey]` and\n\n```\n[@nokey]\n```\n\nbut cite [@holm1979]."
    linked = citations.link_citations(text)
    assert "`[@nokey]`" in linked and "```\n[@nokey]\n```" in linked
    assert "[Holm 1979](references.html#holm1979)" in linked
    assert citations.cited_keys(text) == ["holm1979"]


def test_cited_keys_in_order_each_once():
    assert citations.cited_keys("[@b2000] then [@a1999; @b2000] and [@c2001]") == [
        "b2000", "a1999", "c2001"]
    assert citations.cited_keys("an e-mail@example.org and [not a citation]") == []


def test_an_unknown_key_fails_naming_it():
    with pytest.raises(citations.CitationError, match=r"\[@nosuch2020\] has no entry"):
        citations.link_citations("see [@nosuch2020]")


def test_chapter_references_list_the_cited_works_in_bibliography_order():
    text = citations.chapter_references_markdown(["wager2013", "teague2019", "nosuch"])
    assert text.startswith("## References")
    teague, wager = text.index("N. Teague (2019)"), text.index("S. Wager, S. Wang and P. Liang")
    assert teague < wager and "[arXiv:1307.1493](https://arxiv.org/abs/1307.1493)" in text
    assert "[medium.com](https://medium.com/" in text
    assert citations.chapter_references_markdown([]) is None
