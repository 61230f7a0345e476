"""Proofreading what a reader sees (essay_lib.site.proofread), and the notebook habits that
keep those defects out of the pages.

Each kind was once on the built site: ``Out[11]: 533`` under a paragraph of chapter 06 (an
expression's value), ``figures/07-beyond.md`` and "the README" in chapter text and a
figure's file name in the index caption, ``-0.05`` beside ``−0.05``, ``1.3e-29`` printed
as a training error, "1.000000 to 1.000000", ``−0.00 [−0.01, −0.00]``.  The site tests
run the same checks over every page of a full build (tests/test_site.py)."""

from __future__ import annotations

import ast

import jupytext
import nbformat
import pytest
from conftest import NOTEBOOKS

from essay_lib.site import proofread

PAGE = """<html><head><style>p { color: red } /* figures/x.png */</style>
<script>var x = -1;</script></head><body><main>
<details class="essay-code"><summary>code</summary><pre>_ = save("figures/05-a.png"); y = -1</pre>
</details>
<div class="jp-RenderedMarkdown"><p>Over 5 seeds the test R² is −0.146.</p>
<p>With <math alttext="10^{-3}"><msup><mn>10</mn><mrow><mo>−</mo><mn>3</mn></mrow></msup></math>
as the threshold.</p></div>
<svg><text>-0.5</text></svg>
</main></body></html>"""


def test_reader_text_leaves_out_code_styles_scripts_and_drawings():
    text = proofread.reader_text(PAGE)
    assert "Over 5 seeds the test R² is −0.146." in text
    assert "figures/" not in text and "y = -1" not in text and "var x" not in text
    assert "-0.5" not in text and "10 − 3" in " ".join(text.split())
    assert proofread.text_problems(text) == []


@pytest.mark.parametrize("text, kind", [
    ("Out[11]: 533", "Out[n] prompt"),
    ("chapter 07 and the README reuse it", "build-internal"),
    ("(also in `figures/07-beyond.md`)", "build-internal"),
    ("the loss curves (figures/07-analogy.png)", "build-internal"),
    ("a test R² of -0.146: worse", "hyphen-minus"),
    ("gap (-0.90%)", "hyphen-minus"),
    ("−0.00 [−0.01, −0.00]", "negative zero"),
    ("drives the training error to 1.3e-29 (every", "below 1e-12"),
    ("largest |D − 2H| 6.7e−16.", "below 1e-12"),
    ("1.3 × 10^{-29}", "below 1e-12"),
    ("ranges from 1.000000 to 1.000000;", "same number"),
    ("it lies between −0.7000 and −0.7000, i.e.", "same number"),
    (r"is $\bar Z_{dropout}(\ell)", "raw TeX"),
])
def test_text_problems_finds_each_kind(text, kind):
    problems = proofread.text_problems(text)
    assert any(kind in p for p in problems), problems


@pytest.mark.parametrize("text", [
    "the 1-D quadratic and MNIST-1D", "2-4 layers", "lr 1e-3, threshold 1e-12",
    "falls from −0.318 to 0.021", "a negative R² (−0.146)", "from 0.0 to 0.5", "+2 −1 = 1",
    "0.00 [−0.01, 0.00]", "seeds 0–15", "x₀ = −0.6", "n − 1", "5.0e-09",
    "chapter 08 reuses it", "drop rate 0.5 and 0.7",
])
def test_text_problems_leaves_good_text_alone(text):
    assert proofread.text_problems(text) == []


def test_bad_input():
    with pytest.raises(TypeError, match="page must be a str"):
        proofread.reader_text(b"<p>")
    with pytest.raises(TypeError, match="text must be a str"):
        proofread.text_problems(None)


def test_leaked_values_finds_an_expressions_shown_value():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("path.write_text(text)", outputs=[nbformat.v4.new_output(
            "execute_result", data={"text/plain": "533"}, execution_count=11)]),
        nbformat.v4.new_code_cell("display(fig)", outputs=[nbformat.v4.new_output(
            "display_data", data={"text/plain": "<Figure>"})])])
    assert proofread.leaked_values(nb) == [
        "cell 0 shows '533' (its last line: 'path.write_text(text)')"]


#: Calls whose value is None (or that the notebooks use for their display): allowed last.
SHOWS_NOTHING = {"display", "print", "plt.show", "plt.close"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_no_code_cell_ends_in_a_bare_value(path):
    """A cell whose last statement is an expression shows its value with an ``Out[n]``
    prompt (``write_sentence(...)`` once showed ``Out[11]: 533``, the characters it
    wrote): end with ``display(...)`` or assign the value to ``_``."""
    problems = []
    for index, cell in enumerate(jupytext.read(path).cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        last = ast.parse(cell.source).body[-1]
        if isinstance(last, ast.Expr):
            call = ast.unparse(last.value.func) if isinstance(last.value, ast.Call) else None
            if call not in SHOWS_NOTHING:
                problems.append(f"cell {index}: {ast.unparse(last)[:70]}")
    assert not problems, f"{path.name}: assign to _ or display():\n" + "\n".join(problems)
