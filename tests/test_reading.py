"""A chapter's reading time (``essay_lib.site.reading``): computed from the words a reader
sees on the page (prose and computed outputs, not code or folded solutions) at 200 words a
minute plus some seconds per figure, rounded to the minute.  On hand-made executed
notebooks; no kernel."""

from __future__ import annotations

import nbformat
import pytest

from essay_lib.site import reading


def words(n: int, word: str = "word") -> str:
    return " ".join([word] * n)


def executed(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def code(source: str, *outputs, tags=()):
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = list(outputs)
    cell.metadata["tags"] = list(tags)
    return cell


def display(mime: str, value: str):
    return nbformat.v4.new_output("display_data", data={mime: value})


@pytest.mark.parametrize("text, expected", [
    ("three plain words", 3),
    ("a formula $f(x_1 + x_2) = f(x_1) + f(x_2)$ counts once", 5),
    ("display $$\\sum_i w_i^2$$ too", 3),
    ("a [linked phrase](https://example.org/a/b) reads as its text", 7),
    ("| a | b |\n|---|---|\n| 1 | 2 |", 4),  # table rules and bars are not words
    ("* bullet — dash, 12 % and 0.5", 5),
    ("<p>tag <b>text</b></p><script>var x = 1;</script><svg><text>axis</text></svg>", 2),
])
def test_count_words(text, expected):
    assert reading.count_words(text) == expected


def test_count_words_refuses_a_non_string():
    with pytest.raises(TypeError, match="text must be a str"):
        reading.count_words(None)


def test_prose_and_outputs_count_code_and_solutions_do_not():
    nb = executed(
        nbformat.v4.new_markdown_cell(words(150)),
        code(words(500, "code"), display("text/markdown", words(40)),
             nbformat.v4.new_output("stream", name="stdout", text=words(10)),
             nbformat.v4.new_output("stream", name="stderr", text=words(99))),
        code("x", nbformat.v4.new_output("execute_result", data={
            "text/html": "<table><tr><td>" + words(3) + "</td></tr></table>",
            "text/plain": words(77)}, execution_count=1)),
        nbformat.v4.new_markdown_cell(words(300, "hidden")),
        code("y", display("text/markdown", words(300, "hidden")), tags=["solution"]),
    )
    nb.cells[3].metadata["tags"] = ["solution"]
    text, figures = reading.visible_text(nb)
    assert reading.count_words(text) == 150 + 40 + 10 + 3 and figures == 0
    assert "hidden" not in text and "code" not in text


def test_figures_add_seconds_and_the_total_rounds_to_the_minute():
    png = nbformat.v4.new_output("display_data", data={"image/png": "iVBOR", "text/plain": "x"})
    explorer = display("text/html", "<div><svg></svg><p>" + words(20) + "</p></div>")
    nb = executed(nbformat.v4.new_markdown_cell(words(reading.WORDS_PER_MINUTE * 2)),
                  code("plot", png, png), code("html", explorer))
    text, figures = reading.visible_text(nb)
    assert figures == 3
    seconds = 60 * (2 * reading.WORDS_PER_MINUTE + 20) / reading.WORDS_PER_MINUTE
    assert reading.reading_seconds(nb) == pytest.approx(seconds + 3 * reading.SECONDS_PER_FIGURE)
    assert reading.reading_minutes(nb) == round((seconds + 3 * reading.SECONDS_PER_FIGURE) / 60)


@pytest.mark.parametrize("n_words, minutes", [(0, 1), (10, 1), (299, 1), (300, 2), (2050, 10),
                                              (2150, 11)])
def test_rounding_half_up_and_at_least_one_minute(n_words, minutes):
    nb = executed(nbformat.v4.new_markdown_cell(words(n_words)))
    assert reading.reading_minutes(nb) == minutes


def test_format_reading():
    assert reading.format_reading(9) == "read in 9 min"
    for bad in (0, -1, 2.5, True, "3"):
        with pytest.raises(ValueError, match="minutes must be a positive int"):
            reading.format_reading(bad)
