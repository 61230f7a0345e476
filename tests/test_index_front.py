"""The index opens with the answer, before anything technical (``essay_lib.site.pages``), on
a small fixture figures folder and without a kernel: the answer and the mechanism in plain
words, then the figure of what the networks learned with its caption, then the analogy
table, then the technical part (abstract and headline figure); a missing file leaves its
place to a clear note."""

from __future__ import annotations

from pathlib import Path

import pytest

from essay_lib.site import pages, proofread

ANSWER = "As the drop rate rises, the networks' $\\bar Z$ **falls** on 2 of 3 tasks."
MECHANISM = "At the same fit as plain training stopped early, dropout is more linear on 1 task."
TABLE = ("| claim | two moons | digits |\n|---|---|---|\n"
         "| dropout → Z̄ ↓ | ✓ ρ −0.50 | ✗ ρ 0.40 |\n")


def _figures(folder: Path, *, answer=True, mechanism=True, analogy=True, learned=True) -> Path:
    folder.mkdir()
    names = ["00-first", "05-frontier"] + ([pages.LEARNED_FIGURE] if learned else [])
    for name in names:
        (folder / f"{name}.png").write_bytes(b"\x89PNG fixture")
    texts = {"answer": ANSWER if answer else None, "mechanism": MECHANISM if mechanism else None,
             "analogy": TABLE if analogy else None}
    for key, text in texts.items():
        if text is not None:
            (folder / pages.FRONT_FILES[key]).write_text(text + "\n", encoding="utf-8")
    return folder


def _index(tmp_path: Path, **present) -> tuple[str, list[str]]:
    figures = _figures(tmp_path / "figures", **present)
    html_dir = tmp_path / "html"
    html_dir.mkdir()
    notes: list[str] = []
    front = pages.read_front(figures, notes.append)
    pages.write_index_and_gallery(
        [], {}, executed_dir=tmp_path / "executed", figures_dir=figures, html_dir=html_dir,
        title="T", abstract="The technical abstract.", headline="05-frontier", variant=None,
        log=notes.append, **front)
    return (html_dir / "index.html").read_text(encoding="utf-8"), notes


def test_the_index_opens_with_the_answer_then_the_figure_then_the_table(tmp_path):
    index, notes = _index(tmp_path)
    assert notes == []
    order = ['class="essay-answer"', "<strong>falls</strong>", "dropout is more linear on 1",
             f'src="figures/{pages.LEARNED_FIGURE}.png"', pages.LEARNED_CAPTION,
             'class="essay-analogy"', "<table>", "<td>✓ ρ −0.50</td>",
             'class="essay-technical"', "The technical abstract.",
             'src="figures/05-frontier.png"', "<h2>Chapters</h2>"]
    at = [index.find(s) for s in order]
    assert -1 not in at, [s for s, i in zip(order, at, strict=True) if i < 0]
    assert at == sorted(at), "the index's parts are out of order"
    assert "<math" in index  # the answer's formula is typeset
    assert index.count(f"figures/{pages.LEARNED_FIGURE}.png") == 1
    assert proofread.text_problems(proofread.reader_text(index)) == []


@pytest.mark.parametrize("missing, says", [
    ("answer", "The answer is not computed yet: it appears here once chapter 05 has run."),
    ("analogy", "The analogy table is not computed yet: it appears here once chapter 08 has run."),
])
def test_a_missing_file_leaves_a_clear_note(tmp_path, missing, says):
    index, notes = _index(tmp_path, **{missing: False})
    assert says in index
    assert notes == [f"note: no {pages.FRONT_FILES[missing]} in {tmp_path / 'figures'} "
                     f"(chapter {pages.FRONT_CHAPTERS[missing]} writes it): the index goes "
                     "without it"]
    assert 'class="essay-technical"' in index and "05-frontier.png" in index
    assert proofread.text_problems(proofread.reader_text(index)) == []


def test_without_the_mechanism_or_the_learned_figure_the_rest_stays(tmp_path):
    index, notes = _index(tmp_path, mechanism=False, learned=False)
    assert "<strong>falls</strong>" in index and "essay-mechanism" not in index
    assert "Computed by chapter 05 from" in index
    assert pages.LEARNED_CAPTION not in index and "<td>✓ ρ −0.50</td>" in index
    assert any(pages.FRONT_FILES["mechanism"] in n for n in notes)
    assert any(f"{pages.LEARNED_FIGURE}.png does not exist yet" in n for n in notes)
