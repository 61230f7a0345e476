"""How numbers and counts are written (essay_lib.report.wording): the true minus, no
negative zero, rounding noise as "0 (to rounding)", a range said once when its ends print
alike, verbs that agree with counts, and clauses merged when every item says the same.

The last test keeps wording the one home: no module and no notebook may build a minus
sign by ``.replace("-", "−")`` (which also turned "1-D quadratic" into "1−D quadratic")."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import NOTEBOOKS, REPO

from essay_lib.report import tables, trends, wording

M = "\u2212"


@pytest.mark.parametrize("x, spec, text", [
    (-0.146, ".3f", f"{M}0.146"), (0.146, ".3f", "0.146"), (-0.0004, ".3f", "0.000"),
    (-0.0, ".2f", "0.00"), (0.0, "+.2f", "0.00"), (-0.004, "+.2f", "0.00"),
    (0.25, "+.2f", "+0.25"), (-0.009, ".1%", f"{M}0.9%"), (-2.5e-5, ".1e", f"{M}2.5e-05"),
    (float("inf"), "+.2f", "+∞"), (float("-inf"), ".2f", f"{M}∞"), (float("nan"), ".2f", "n/a"),
    (np.float64(-1.5), ".1f", f"{M}1.5"), (-1234.5, ",.1f", f"{M}1,234.5"),
])
def test_number_uses_the_true_minus_and_never_a_negative_zero(x, spec, text):
    assert wording.number(x, spec) == text


def test_signed_interval_residual_and_ranges():
    assert wording.signed(-0.8) == f"{M}0.80" and wording.signed(0.7) == "+0.70"
    assert trends.signed(-0.001) == "0.00" and trends.signed(float("-inf")) == f"{M}∞"
    assert wording.interval(-0.0004, -0.01, 0.0) == f"{M}0.0004 [{M}0.0100, 0.0000]"
    # once "−0.00 [−0.01, −0.00]" beside "specific to dropout": the interval lies below 0,
    # and the printed bounds must say so
    assert wording.interval(-0.0052, -0.0104, -0.0012, 2) == f"{M}0.005 [{M}0.010, {M}0.001]"
    assert wording.interval(-0.018, -0.024, -0.011) == f"{M}0.018 [{M}0.024, {M}0.011]"
    assert wording.residual(1.3e-29) == "0 (to rounding)"
    assert wording.residual(-5e-16, zero="zero to rounding") == "zero to rounding"
    assert wording.residual(2.1e-3) == "2.1e-03"
    assert wording.from_to(-1.4, 1.4, ".2f") == f"from {M}1.40 to 1.40"
    assert wording.from_to(1.0000001, 0.9999999, ".6f", same="{} for every column") == \
        "1.000000 for every column"


def test_bad_arguments_name_what_is_wrong():
    with pytest.raises(TypeError, match="x must be a real number"):
        wording.number("1.0")
    with pytest.raises(TypeError, match="x must be a real number"):
        wording.number(True)
    with pytest.raises(TypeError, match="spec must be a format string"):
        wording.number(1.0, 3)
    with pytest.raises(ValueError, match="n must lie in 0..total"):
        wording.count_of(3, 2, "variant", "keep")
    with pytest.raises(ValueError, match="total must be a count"):
        wording.count_of(0, -1, "variant", "keep")
    with pytest.raises(ValueError, match="words must be a non-empty list"):
        wording.per_item([], "layer")
    with pytest.raises(TypeError, match="text must be a str"):
        wording.true_minus(-1)


@pytest.mark.parametrize("n, total, text", [
    (1, 1, "the one variant keeps the base's"), (0, 1, "the one variant does not keep the base's"),
    (2, 2, "both variants keep the base's"), (4, 4, "all 4 variants keep the base's"),
    (0, 3, "none of the 3 variants keeps the base's"), (1, 3, "1 of 3 variants keeps the base's"),
    (2, 3, "2 of 3 variants keep the base's"),
])
def test_count_of_agrees_the_verb_with_the_count(n, total, text):
    assert wording.count_of(n, total, "variant", "keep the base's") == text


def test_layers_never_says_128_and_128():
    assert wording.layers((128, 128), "hidden layer", "ReLU units") == \
        "two hidden layers of 128 ReLU units"
    assert wording.layers((64, 32, 16)) == "layers of 64, 32 and 16 units"
    assert wording.layers([16]) == "one layer of 16 units"
    for bad in ([], [0], [True, 2], [2.5]):
        with pytest.raises(ValueError, match="widths must be a non-empty list"):
            wording.layers(bad)


@pytest.mark.parametrize("words, text", [
    (["falls", "falls"], "falls in both layers"),
    (["falls", "rises"], "falls in layer 1 and rises in layer 2"),
    (["falls", "falls", "rises"], "falls in layers 1 and 2 and rises in layer 3"),
    (["rises"] * 3, "rises in all 3 layers"), (["falls"], "falls in the one layer"),
])
def test_per_item_says_a_shared_word_once(words, text):
    assert wording.per_item(words, "layer") == text


@pytest.mark.parametrize("text, fixed", [
    ("-0.146", f"{M}0.146"), ("R² of -0.146: worse", f"R² of {M}0.146: worse"),
    ("(-2.24, -2.00)", f"({M}2.24, {M}2.00)"), ("-0.00", "0.00"), ("+2 -1 = 1", f"+2 {M}1 = 1"),
    ("-0.90%", f"{M}0.90%"), ("1-D quadratic", "1-D quadratic"), ("MNIST-1D", "MNIST-1D"),
    ("2-4 layers", "2-4 layers"), ("lr 1e-3", "lr 1e-3"), ("`l2=-1`", "`l2=-1`"), ("x-1", "x-1"),
    ("$x^{-1}$ and -2", f"$x^{{-1}}$ and {M}2"),
])
def test_true_minus_changes_signs_only(text, fixed):
    assert wording.true_minus(text) == fixed


def test_every_markdown_table_prints_the_true_minus():
    table = tables.markdown_table(["x", "gate"], [[-0.146, "+2 -1 = 1"], ["-0.00", "1-D"]])
    assert f"| {M}0.146 | +2 {M}1 = 1 |" in table and "| 0.00 | 1-D |" in table


_HAND_MADE_MINUS = re.compile(r"""\.replace\(\s*["']-["']\s*,\s*["'](?:−|\\u2212)["']""")


#: Not Python sentences: wording's own docstring names the habit; the explorers' scripts
#: are JavaScript, which formats its numbers in the browser.
_EXEMPT = {"report/wording.py", "report/explorer_assets.py"}


def test_no_module_or_notebook_makes_its_own_minus_sign():
    package = [p for p in sorted((REPO / "essay_lib").rglob("*.py"))
               if p.relative_to(REPO / "essay_lib").as_posix() not in _EXEMPT]
    files = [*package, *NOTEBOOKS]
    found = [f"{path.relative_to(REPO)}:{i}" for path in files
             for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if _HAND_MADE_MINUS.search(line)]
    assert not found, ("write numbers with essay_lib.report.wording (number, signed, interval, "
                       "true_minus), not .replace('-', '−'):\n" + "\n".join(found))
