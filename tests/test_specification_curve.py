"""essay_lib.report.specification_curve (chapter 05's answer under every specification) and
its figure, on tables whose readings we set by hand; no network is trained."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pytest

from essay_lib.report import answer as A
from essay_lib.report import plotting
from essay_lib.report import specification_curve as C
from essay_lib.report.table import record_table
from essay_lib.report.vocabulary import specification_label

SEEDS = range(16)
OTHERS = {"l1": 0.5, "l2": 0.5, "mixup": 0.5, "early_stop": 0.5}
MAIN = C.MAIN
SMALL = "logits|0.1|extrapolating"
CENTRED = "centred_logits|0.5|inside"
CHORDS = "probabilities|0.5|chord_midpoints"


@dataclass(frozen=True)
class Cell:
    """A validity cell as experiment.validity.validity_table gives them (the fields read)."""

    task: str
    representation: str
    geometry: str
    scale: float
    delta: float
    valid: bool


def curve_records(task: str, dropout: dict[str, float], *, seed: int = 0,
                  noise: float = 0.002) -> list[dict]:
    """Per seed, the unregularized network and four strengths of each regularizer; under
    every key of ``dropout`` (specification -> dropout's slope) Z̄ falls by slope x 0.1 a
    step while the test loss rises by 0.1 (the others' slope is 0.5), so a steeper dropout
    slope is a more linear function at equal fit.  ``z_bar`` is the main specification's."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in SEEDS:
        base = 0.5 + 0.01 * rng.standard_normal()
        rows.append({"task": task, "regularizer": "none", "strength": 0.0, "seed": s,
                     "test_loss": 1.0, "train_loss": 0.1, "epochs": 100,
                     "z_bar": base, "z_spec": dict.fromkeys(dropout, base)})
        for reg in ("dropout", *OTHERS):
            strengths = [50, 25, 12, 6] if reg == "early_stop" else [0.1, 0.2, 0.3, 0.4]
            for k, strength in enumerate(strengths, 1):
                spec = {key: base - (slope if reg == "dropout" else OTHERS[reg]) * 0.1 * k
                        + noise * rng.standard_normal() for key, slope in dropout.items()}
                rows.append({"task": task, "regularizer": reg, "strength": float(strength),
                             "seed": s, "test_loss": 1.0 + 0.1 * k, "train_loss": 0.1 + 0.1 * k,
                             "epochs": strength if reg == "early_stop" else 100,
                             "z_bar": spec[MAIN], "z_spec": spec})
    return rows


def cells(task: str, valid: dict[str, bool], delta: float = 0.01) -> list[Cell]:
    out = []
    for key, ok in valid.items():
        output, scale, triples = key.split("|")
        out.append(Cell(task, output, triples, float(scale), delta, ok))
    return out


@pytest.fixture(scope="module")
def curve_inputs():
    """Two moons: more linear under the main and small-scale specifications, as linear in
    centred logits, chord midpoints not valid; diabetes (a regressor): main valid, no
    cell at all for its small scale."""
    moons = curve_records("moons", {MAIN: 1.5, SMALL: 1.5, CENTRED: 0.5, CHORDS: 1.5})
    diabetes = curve_records("diabetes", {MAIN: 1.5, SMALL: 1.5}, seed=3)
    table = record_table(moons + diabetes)
    validity = (cells("moons", {MAIN: True, SMALL: True, CENTRED: True, CHORDS: False})
                + cells("diabetes", {MAIN: True}))
    return table, validity


@pytest.fixture(scope="module")
def curve(curve_inputs):
    table, validity = curve_inputs
    return C.curve_answers(table, ["moons", "diabetes"], validity)


def test_keys_come_in_reading_order_and_only_where_measured(curve_inputs):
    table, _ = curve_inputs
    assert C.specification_keys(table, "moons") == [SMALL, MAIN, CENTRED, CHORDS]
    assert C.specification_keys(table, "diabetes") == [SMALL, MAIN]
    with pytest.raises(ValueError, match="task 'digits'"):
        C.specification_keys(table, "digits")


def test_the_main_specification_is_chapter_05s_answer(curve_inputs, curve):
    table, validity = curve_inputs
    deltas, valid = C.answer_inputs(validity)
    assert deltas == {"moons": 0.01, "diabetes": 0.01} and valid == {"moons": True,
                                                                      "diabetes": True}
    main = A.experiment_answer(table, ["moons", "diabetes"], deltas=deltas, valid=valid)
    again = curve.answers[MAIN]
    assert again.readings() == main.readings() and again.family_size == main.family_size
    agreement = A.replication_agreement(main, again)
    assert agreement["different"] == [] and len(agreement["same"]) == 10


def test_each_specification_reads_its_own_validity_and_family(curve):
    assert curve.reading("moons", MAIN, "l2") == "more_linear"
    assert curve.reading("moons", MAIN, C.TREND) == "falls"
    assert curve.reading("moons", CENTRED, "l2") == "as_linear"
    assert {curve.reading("moons", CHORDS, w) for w in (C.TREND, *curve.comparators)} == {
        C.NOT_VALID}
    # no validity cell: not valid, never read
    assert curve.reading("diabetes", SMALL, "mixup") == C.NOT_VALID
    sizes = curve.family_sizes()
    # each specification is its own family: its valid tasks x (trend + 4 comparators)
    assert sizes == {SMALL: 5, MAIN: 10, CENTRED: 5, CHORDS: 0}
    assert C.family_range(curve) == (0, 10)
    assert curve.answers[SMALL].confidence == pytest.approx(1 - 0.05 / 5)
    with pytest.raises(ValueError, match="not measured"):
        curve.reading("diabetes", CENTRED, "l2")
    with pytest.raises(ValueError, match="what"):
        curve.reading("moons", MAIN, "dropout")


def test_agreement_is_substantive_and_not_valid_never_agrees(curve):
    rows = {(r.task, r.what): r for r in C.curve_agreement(curve)}
    assert len(rows) == 2 * 5
    l2 = rows["moons", "l2"]
    assert (l2.main, l2.n_other, l2.n_valid, l2.n_same) == ("more_linear", 3, 2, 1)
    assert l2.counts == {"more_linear": 1, "as_linear": 1, C.NOT_VALID: 1}
    assert not l2.holds  # 1 of 3 others: not more than half
    trend = rows["moons", C.TREND]
    assert (trend.main, trend.n_other, trend.n_valid, trend.n_same) == ("falls", 3, 2, 2)
    assert trend.holds
    diabetes = rows["diabetes", "mixup"]
    assert (diabetes.n_other, diabetes.n_valid, diabetes.n_same) == (1, 0, 0)


def test_a_main_specification_not_valid_has_nothing_to_agree_with(curve_inputs):
    table, validity = curve_inputs
    broken = [Cell(c.task, c.representation, c.geometry, c.scale, c.delta,
                   False if (c.task, c.representation, c.geometry) == ("diabetes", "logits",
                                                                         "extrapolating")
                   else c.valid) for c in validity]
    broken.append(Cell("diabetes", "logits", "extrapolating", 0.1, 0.01, False))
    curve = C.curve_answers(table, ["moons", "diabetes"], broken)
    rows = [r for r in C.curve_agreement(curve) if r.task == "diabetes"]
    assert all(r.main == C.NOT_VALID and r.n_same == 0 for r in rows)  # invalid == invalid: no
    assert "not valid on diabetes, so there is no main reading" in C.agreement_sentence(
        C.curve_agreement(curve))


def test_words_and_table_name_every_weak_reading(curve):
    rows = C.curve_agreement(curve)
    text = C.agreement_sentence(rows)
    scored = [r for r in rows if r.main != C.NOT_VALID]
    n_other, n_same = sum(r.n_other for r in scored), sum(r.n_same for r in scored)
    assert text.startswith(f"Under the other specifications, {n_same} of {n_other} readings")
    assert "two moons, vs L2 (more linear in 1 of 3, 2 valid)" in text
    table = C.agreement_markdown(rows)
    assert table.splitlines()[0].startswith("| task | other specifications | $\\bar Z$ with")
    assert "**more linear**: same in 1 (2 valid)" in table


def test_add_specifications_joins_row_for_row_and_refuses_clashes(curve_inputs):
    table, _ = curve_inputs
    extra = [{"task": t, "regularizer": r, "strength": s, "seed": seed,
              "z_spec": {"probabilities|0.5|inside": 0.1 * seed}}
             for t, r, s, seed in table[["task", "regularizer", "strength", "seed"]]
             .itertuples(index=False) if t == "moons"]
    joined = C.add_specifications(table, extra)
    assert len(joined) == len(table) and list(joined.columns[:len(table.columns)]) == list(
        table.columns)
    column = joined["z_spec:probabilities|0.5|inside"]
    np.testing.assert_array_equal(column[joined["task"] == "moons"],
                                  0.1 * joined.loc[joined["task"] == "moons", "seed"])
    assert column[joined["task"] == "diabetes"].isna().all()
    assert "probabilities|0.5|inside" in C.specification_keys(joined, "moons")
    assert "probabilities|0.5|inside" not in C.specification_keys(joined, "diabetes")
    with pytest.raises(ValueError, match="already has"):
        C.add_specifications(table, [{**extra[0], "z_spec": {MAIN: 0.3}}])
    with pytest.raises(ValueError, match="twice"):
        C.add_specifications(table, [extra[0], extra[0]])
    with pytest.raises(TypeError, match="records"):
        C.add_specifications(table, "records")


def test_bad_inputs_name_themselves(curve_inputs):
    table, validity = curve_inputs
    with pytest.raises(TypeError, match="tasks"):
        C.curve_answers(table, "moons", validity)
    with pytest.raises(TypeError, match="cells\\[0\\]"):
        C.curve_answers(table, ["moons"], [object()])
    with pytest.raises(ValueError, match="two cells"):
        C.specification_cells([validity[0], validity[0]])
    with pytest.raises(ValueError, match="main specification"):
        C.curve_answers(table, ["moons"], validity, main="logits|0.3|inside")
    with pytest.raises(TypeError, match="curve"):
        C.curve_agreement({})


def test_the_figure_draws_a_dot_per_reading_and_rings_the_main(curve):
    fig = plotting.plot_specification_readings(curve)
    try:
        first, second = fig.axes[:2]
        assert first.get_title() == "two moons" and second.get_title() == "diabetes"
        # 4 specifications x 5 readings, plus the main column's rings
        assert sum(len(c.get_offsets()) for c in first.collections) == 4 * 5 + 5
        assert [t.get_text() for t in first.get_xticklabels()] == [
            "logits 0.1 extr.", "logits 0.5 extr.", "centred 0.5 inside", "prob. chords"]
        labels = [t.get_text() for t in fig.legends[0].get_texts()]
        assert "not valid here" in labels and labels[-1] == "main specification"
        assert "specification" in fig.get_label()
    finally:
        plt.close(fig)
    fig, axes = plt.subplots(1, 2)
    assert plotting.plot_specification_readings(curve, ax=axes) is fig
    with pytest.raises(ValueError, match="one Axes per task"):
        plotting.plot_specification_readings(curve, ax=axes[:1])
    plt.close("all")
    with pytest.raises(TypeError, match="curve"):
        plotting.plot_specification_readings({})


def test_specification_labels():
    assert specification_label(MAIN) == "logits, s = 0.5, extrapolating"
    assert specification_label(CHORDS) == "probabilities, chord midpoints"
    assert plotting.short_specification(CENTRED) == "centred 0.5 inside"
