"""Math as a browser shows it: TeX -> MathML that MathML Core lays out (essay_lib.site.mathml).

The defects these guard against were on chapter 02's page: ``\\big\\|`` showed a literal
``\\|``, ``\\Big)^{-1}`` a small closing parenthesis beside a large opening one, and
``\\mathbb E`` an italic E (browsers ignore ``mathvariant``).  The last test renders the
markdown of every notebook, as the site build does, and checks every formula, and that no
TeX is left outside one (chapter 05 once broke a formula across a line that began with
"- ", which markdown read as a list item)."""

from __future__ import annotations

import re

import jupytext
import pytest
from conftest import NOTEBOOKS

from essay_lib.site import mathml, proofread, render

_MATH = re.compile(r"<math\b.*?</math>", re.S)


@pytest.mark.parametrize("tex, shown", [
    (r"\big\|y - Xw\big\|^2", "\u2016"),
    (r"\|y\|^2", "\u2016"),
    (r"\mathbb E_m[x]", "\U0001d53c"),          # double-struck E
    (r"\mathbb{R}^d", "\u211d"),                # a letterlike symbol (the block's hole)
    (r"\boldsymbol{x}", "\U0001d499"),          # bold italic x
    (r"\mathrm{diag}(v)", "d"),
])
def test_what_latex2mathml_leaves_for_mathml_3_is_repaired(tex, shown):
    out = mathml.tex_to_mathml(tex, display=True)
    assert shown in out
    assert "\\" not in out.split('alttext="')[0] + out.split('">', 1)[1]
    assert "mathvariant=\"double-struck\"" not in out and "bold-italic" not in out
    assert mathml.math_problems(out) == []


def test_a_sized_delimiter_under_a_script_is_wrapped_so_it_stretches():
    out = mathml.tex_to_mathml(r"\Big(X + Y\Big)^{-1}", display=True)
    assert re.search(r"<msup><mrow><mo [^>]*minsize=\"1.623em\"[^>]*>\)</mo></mrow>", out)
    raw = '<math><msup><mo minsize="2em">)</mo><mn>2</mn></msup></math>'
    assert mathml.math_problems(raw) == ["sized ')' as a script's base (not stretched)"]


def test_named_spaces_become_lengths():
    out = mathml.tex_to_mathml(r"a\!b", display=False)
    assert 'width="-0.167em"' in out and "mathspace" not in out


def test_math_problems_names_what_a_browser_shows_wrong():
    assert mathml.math_problems("<math><mo>\\|</mo></math>") == ["raw TeX '\\\\|'"]
    assert mathml.math_problems('<math><mi mathvariant="double-struck">E</mi></math>') == [
        "mathvariant='double-struck' on 'E' (browsers ignore it)"]
    assert mathml.math_problems(mathml.tex_to_mathml(r"\backslash", display=False)) == []


def test_a_command_left_raw_fails_naming_the_formula():
    with pytest.raises(mathml.MathError, match=r"\\foo in \$\\foo x\$"):
        mathml.tex_to_mathml(r"\foo x", display=False)
    assert render.MathError is mathml.MathError and render.tex_to_mathml is mathml.tex_to_mathml


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_formula_in_the_notebooks_markdown_renders_for_a_browser(path):
    notebook = jupytext.read(path)
    problems = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown" or "$" not in cell.source:
            continue
        page = render.markdown_to_html(cell.source)
        for element in _MATH.findall(page):
            problems += [f"cell {index}: {p}" for p in mathml.math_problems(element)]
        problems += [f"cell {index}: {p}" for p in proofread.text_problems(
            proofread.reader_text(page)) if p.startswith("raw TeX")]
    assert not problems, f"{path.name}:\n" + "\n".join(problems)
