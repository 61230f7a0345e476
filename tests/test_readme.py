"""The README's answer block stays true: its sentence is the one chapter 05 generates.

The block sits between ``<!-- verdict:start -->`` and ``<!-- verdict:end -->``: one line
``**The answer, as computed by chapter 05:** <sentence>`` and the frontier figure
``figures/05-frontier.png``.  Chapter 05 writes the sentence it generates from the sweep
records (``essay_lib.report.answer.plain_answer``) to ``05-answer.md`` in the figures
folder.  The sentence holds counts and task names only, no decimals, so a rerun with the
same seeds reproduces it.  When the results change, copy the new ``05-answer.md`` into
the README.
"""

from __future__ import annotations

import re

import pytest
from conftest import REPO

README = REPO / "README.md"
PREFIX = "**The answer, as computed by chapter 05:** "
_BLOCK = re.compile(r"<!-- verdict:start -->\n(.*?)\n<!-- verdict:end -->", re.S)


def readme_verdict(text: str) -> tuple[str, str]:
    """(sentence, block) of the README's verdict block; AssertionError if malformed."""
    assert text.count("<!-- verdict:start -->") == 1, "one <!-- verdict:start --> marker"
    assert text.count("<!-- verdict:end -->") == 1, "one <!-- verdict:end --> marker"
    match = _BLOCK.search(text)
    assert match, "the verdict markers must enclose the block, start before end"
    block = match.group(1)
    lines = [line for line in block.splitlines() if line.startswith(PREFIX)]
    assert len(lines) == 1, f"the block needs one line starting with {PREFIX!r}"
    return lines[0][len(PREFIX):].strip(), block


def test_readme_has_a_verdict_block_with_the_closing_figure():
    sentence, block = readme_verdict(README.read_text(encoding="utf-8"))
    assert re.search(r"!\[[^\]]{20,}\]\(figures/05-frontier\.png\)", block), (
        "the block shows figures/05-frontier.png with alt text")
    assert sentence.startswith("As the drop rate rises") and sentence.endswith(".")
    assert "\n" not in sentence and not re.search(r"\d\.\d", sentence), (
        "one sentence without decimals (it must not flicker between reruns)")
    intro_end = README.read_text(encoding="utf-8").index("## Quick start")
    assert README.read_text(encoding="utf-8").index("<!-- verdict:end -->") < intro_end


def test_the_block_parser_rejects_malformed_blocks():
    good = f"<!-- verdict:start -->\n{PREFIX}As it was.\n<!-- verdict:end -->"
    assert readme_verdict(good)[0] == "As it was."
    for bad in (good.replace("<!-- verdict:end -->", ""), good + "\n" + good,
                good.replace(PREFIX, ""),
                "<!-- verdict:end -->\n<!-- verdict:start -->"):
        with pytest.raises(AssertionError):
            readme_verdict(bad)


def test_readme_sentence_matches_the_figures_folder():
    """When ``figures/`` holds a built essay, its verdict is the README's."""
    written = REPO / "figures" / "05-answer.md"
    if not written.exists():
        pytest.skip("figures/05-answer.md not built yet (make essay)")
    assert readme_verdict(README.read_text(encoding="utf-8"))[0] == written.read_text(
        encoding="utf-8").strip(), "README's answer differs from figures/05-answer.md"
    assert (REPO / "figures" / "05-frontier.png").exists()


@pytest.mark.notebooks
def test_readme_sentence_matches_the_essay_built_from_scratch(built_site):
    """The build executes every chapter with an empty sweep cache: chapter 05's sentence,
    generated from freshly trained networks, is the README's."""
    written = built_site.figures_dir / "05-answer.md"
    assert written.exists(), "chapter 05 did not write 05-answer.md"
    assert readme_verdict(README.read_text(encoding="utf-8"))[0] == written.read_text(
        encoding="utf-8").strip()


MECHANISM = "**The mechanism, as computed by chapter 06:** "
_MECHANISM = re.compile(r"<!-- mechanism:start -->\n(.*?)\n<!-- mechanism:end -->", re.S)


def test_readme_mechanism_sentence_matches_the_figures_folder():
    """The README's mechanism line is the sentence chapter 06 wrote (``06-mechanism.md``)."""
    text = README.read_text(encoding="utf-8")
    match = _MECHANISM.search(text)
    assert match and match.group(1).startswith(MECHANISM), "a mechanism block in the README"
    sentence = match.group(1)[len(MECHANISM):].strip()
    assert sentence.startswith("At the same fit as plain training stopped early") and not \
        re.search(r"\d\.\d", sentence)
    written = REPO / "figures" / "06-mechanism.md"
    if not written.exists():
        pytest.skip("figures/06-mechanism.md not built yet (make essay)")
    assert sentence == written.read_text(encoding="utf-8").strip()


BEYOND = "**Beyond one small network, as computed by chapter 07:** "
_BEYOND = re.compile(r"<!-- beyond:start -->\n(.*?)\n<!-- beyond:end -->", re.S)


def test_readme_beyond_sentence_matches_the_figures_folder():
    """The README's chapter 07 line is the sentence chapter 07 wrote (``07-beyond.md``)."""
    text = README.read_text(encoding="utf-8")
    match = _BEYOND.search(text)
    assert match and match.group(1).startswith(BEYOND), "a chapter 07 block in the README"
    sentence = match.group(1)[len(BEYOND):].strip()
    assert sentence.startswith("Changing one thing at a time") and not re.search(r"\d\.\d",
                                                                                sentence)
    written = REPO / "figures" / "07-beyond.md"
    if not written.exists():
        pytest.skip("figures/07-beyond.md not built yet (make essay)")
    assert sentence == written.read_text(encoding="utf-8").strip()
