"""Tests of essay_lib.report.mechanism_tests (chapter 06's answer) on synthetic paths with
known answers: effects against plain training at the same fit, differences from dropout,
one Holm family, the plain sentence, the figure."""

import re

import numpy as np
import pytest

from essay_lib.report import frontier, mechanism_tests, plotting
from essay_lib.report.table import record_table

SEEDS = range(16)
DELTA = 0.01


def _paths(task, offsets, *, seed=0, copy=None):
    """Every series of ``offsets`` (key -> Z̄ offset over plain training) at test losses
    1.1, 1.2, 1.3; the unregularized network at (1.0, 0.5); early stopping at offset 0.
    ``copy``: (series, of) pairs whose values are exactly another series' values."""
    rng = np.random.default_rng(seed)
    out = []
    for sd in SEEDS:
        out.append({"task": task, "regularizer": "none", "strength": 0.0, "seed": sd,
                    "test_loss": 1.0, "z_bar": 0.5})
        for reg, offset in {"early_stop": 0.0, **offsets}.items():
            strengths = (10.0, 20.0, 40.0) if reg == "early_stop" else (0.1, 0.4, 0.7)
            for i, s in enumerate(strengths, start=1):
                out.append({"task": task, "regularizer": reg, "strength": s, "seed": sd,
                            "test_loss": 1 + i / 10, "z_bar": 0.5 + offset
                            + 0.002 * rng.normal()})
    for series, of in copy or ():
        out += [{**r, "regularizer": series} for r in out if r["regularizer"] == of]
    return out


TWO = record_table(
    _paths("moons", {"dropout": -0.05, "dropout_penalty": 0.2, "dropout_last": -0.05,
                     "dropout_first": 0.0, "l2": 0.05}, copy=[("gaussian_dropout", "dropout")])
    + _paths("digits", {"dropout": 0.05, "dropout_penalty": 0.05, "dropout_last": 0.05,
                        "dropout_first": 0.05, "l2": 0.0},
             copy=[("gaussian_dropout", "dropout")], seed=1)
    + _paths("quadratic", {"dropout": 0.0}, seed=2))
ONE = record_table(_paths("moons", {"dropout": 0.0}, seed=3)
                   + _paths("digits", {"dropout": 0.05}, seed=4))


@pytest.fixture(scope="module")
def tests():
    return mechanism_tests.mechanism_tests(
        TWO, ONE, ["quadratic", "moons", "digits"], deltas=dict.fromkeys(
            ["quadratic", "moons", "digits"], DELTA),
        valid={"quadratic": False, "moons": True, "digits": True},
        valid_one_layer={"moons": True, "digits": False})


def test_effects_are_frontier_excesses_over_plain_training(tests):
    moons = tests.tasks["moons"]
    for series, result in moons.series.items():
        name = "dropout" if series == "dropout_one_layer" else series
        table = ONE if series == "dropout_one_layer" else TWO
        expected = frontier.linearity_excess(table, "moons", name, "early_stop")
        np.testing.assert_array_equal(result.excess.excess, expected.excess)
        assert result.effect.estimate == pytest.approx(np.mean(expected.excess))
    assert moons.series["dropout"].effect_words == "more linear"
    assert moons.series["l2"].effect.reading in ("less_linear", "slightly_less_linear")


def test_which_series_match_dropout(tests):
    moons = tests.tasks["moons"]
    assert moons.series["dropout"].versus is None
    assert moons.series["gaussian_dropout"].versus.estimate == 0.0  # the same values
    assert moons.series["gaussian_dropout"].versus_words == "matches dropout"
    assert moons.series["dropout_penalty"].versus_words == "less linear than dropout"
    assert moons.series["dropout_one_layer"].versus_words == "less linear than dropout"
    assert moons.series["dropout_one_layer"].effect.reading == "as_linear"


def test_validity_and_the_family(tests):
    assert not tests.tasks["quadratic"].valid and tests.tasks["quadratic"].series == {}
    digits = tests.tasks["digits"]
    assert "dropout_one_layer" not in digits.series
    assert digits.unread == ("dropout_one_layer",)
    # moons: 7 effects + 6 differences; digits: 6 + 5
    assert tests.family_size == 13 + 11
    assert tests.confidence == pytest.approx(1 - 0.05 / 24)
    p = [r.p_holm for t in tests.tasks.values() for r in t.series.values()]
    raw = [r.effect.pvalue for t in tests.tasks.values() for r in t.series.values()]
    assert all(a >= b for a, b in zip(p, raw, strict=True))


def test_the_sentence_says_what_the_tests_say(tests):
    text = mechanism_tests.tests_sentence(tests)
    assert text.startswith("At the same fit as plain training stopped early, dropout's")
    assert "more linear on 1 of 2 tasks (two moons)" in text
    assert "less linear on 1 of 2 tasks (digits)" in text
    assert "the same result comes from Gaussian dropout on every task" in text
    assert "Gaussian dropout (no unit ever removed) is more linear than plain training too" \
        in text
    assert "could have refuted the mechanism there and did not" in text  # one layer: as linear
    assert not re.search(r"\d\.\d", text)  # counts and names only: no decimals to flicker
    table = mechanism_tests.tests_markdown(tests)
    assert "measure not valid here" in table and "matches dropout" in table


def test_no_valid_task_and_bad_input():
    none_valid = mechanism_tests.mechanism_tests(TWO, ONE, ["moons"], deltas={"moons": DELTA},
                                                 valid={"moons": False})
    assert mechanism_tests.tests_sentence(none_valid).startswith("On no task is Z̄ valid")
    with pytest.raises(ValueError, match="series must include 'dropout'"):
        mechanism_tests.mechanism_tests(TWO, ONE, ["moons"], deltas={"moons": DELTA},
                                        valid={"moons": True}, series=("l2",))
    with pytest.raises(ValueError, match=r"deltas\['moons'\]"):
        mechanism_tests.mechanism_tests(TWO, ONE, ["moons"], deltas={"moons": 0.0},
                                        valid={"moons": True})


def test_the_answer_figure(tests):
    fig = plotting.plot_mechanism_tests(tests)
    axes = [a for a in fig.axes if a.get_visible()]
    assert len(axes) == 3
    assert [t.get_text() for t in axes[1].get_yticklabels()][:2] == [
        "dropout, two hidden layers", "dropout, one hidden layer"]
    assert "measure not valid here" in [t.get_text() for t in axes[0].texts]
    with pytest.raises(TypeError, match="MechanismTests"):
        plotting.plot_mechanism_tests({"moons": 1})
