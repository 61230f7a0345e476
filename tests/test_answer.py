"""essay_lib.report.answer: chapter 05's answer on records whose truth we set by hand."""

from __future__ import annotations

import numpy as np
import pytest

from essay_lib.report import answer as A
from essay_lib.report.table import record_table

SEEDS = range(16)


def paths_records(task: str, slopes: dict[str, float], *, noise: float = 0.002,
                  seed: int = 0, epochs: int = 100) -> list[dict]:
    """Per seed: the unregularized network (loss 1, Z̄ 0.5) and, per regularizer, four
    strengths along which the test loss rises by 0.1 a step and Z̄ falls by ``slope`` x 0.1
    a step (plus noise): at equal loss, a steeper slope is a more linear function."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in SEEDS:
        base = 0.5 + 0.01 * rng.standard_normal()
        rows.append({"task": task, "regularizer": "none", "strength": 0.0, "seed": s,
                     "test_loss": 1.0, "train_loss": 0.1, "z_bar": base, "epochs": epochs})
        for reg, slope in slopes.items():
            strengths = ([50, 25, 12, 6] if reg == "early_stop" else [0.1, 0.2, 0.3, 0.4])
            for k, strength in enumerate(strengths, 1):
                rows.append({"task": task, "regularizer": reg, "strength": float(strength),
                             "seed": s, "test_loss": 1.0 + 0.1 * k,
                             "train_loss": 0.1 + 0.1 * k,
                             "z_bar": base - slope * 0.1 * k + noise * rng.standard_normal(),
                             "epochs": strength if reg == "early_stop" else epochs})
    return rows


OTHERS = {"l1": 0.5, "l2": 0.5, "mixup": 0.5, "early_stop": 0.5}


def test_dropout_more_linear_at_equal_fit_and_its_trend():
    table = record_table(paths_records("moons", {"dropout": 1.5, **OTHERS}))
    answer = A.experiment_answer(table, ["moons"], deltas={"moons": 0.01})
    a = answer.tasks["moons"]
    assert a.trend.direction == "falls" and a.trend.estimate < -0.9
    for other, c in a.comparisons.items():
        assert c.reading == "more_linear", other
        # the excess is -1 x (loss - 1), averaged over losses 1 to 1.4
        assert c.result.n == 16 and c.result.estimate == pytest.approx(-0.2, abs=0.005)
        assert 0 < c.result.pvalue <= 2 / 2 ** 16 * 1.0001  # every seed one way: exact minimum
    assert answer.family_size == 5 and answer.confidence == pytest.approx(1 - 0.05 / 5)
    words = A.plain_answer(answer)
    assert "falls on 1 of 1 tasks (two moons)" in words and "more linear in 4" in words


def test_as_linear_rising_and_invalid_tasks_read_as_such():
    same = paths_records("quadratic", {"dropout": 0.5, **OTHERS}, noise=0.0005, seed=1)
    rising = paths_records("digits", {"dropout": -1.0, **OTHERS}, seed=2)
    table = record_table(same + rising + paths_records("diabetes", {"dropout": 1.0, **OTHERS}))
    answer = A.experiment_answer(table, ["quadratic", "digits", "diabetes"],
                                 deltas={"quadratic": 0.02, "digits": 0.01, "diabetes": 0.01},
                                 valid={"quadratic": True, "digits": True, "diabetes": False})
    assert {c.reading for c in answer.tasks["quadratic"].comparisons.values()} == {"as_linear"}
    assert answer.tasks["digits"].trend.direction == "rises"
    assert {c.reading for c in answer.tasks["digits"].comparisons.values()} == {"less_linear"}
    assert not answer.tasks["diabetes"].valid and answer.tasks["diabetes"].comparisons == {}
    assert answer.family_size == 10  # two valid tasks x (trend + 4 comparators)
    words = A.plain_answer(answer)
    assert "**rises** on 1 (digits), against the thesis" in words
    assert "as linear in 4" in words and "less linear in 4" in words
    assert "On diabetes the measure did not pass its checks" in words
    table_md = A.answer_markdown(answer)
    assert "measure not valid here" in table_md and "−" in table_md and "-0." not in table_md


def test_replication_agreement_names_every_difference():
    main = A.experiment_answer(record_table(paths_records("moons", {"dropout": 1.5, **OTHERS})),
                               ["moons"], deltas={"moons": 0.01})
    same = A.experiment_answer(record_table(paths_records("moons", {"dropout": 1.5, **OTHERS},
                                                          seed=5)), ["moons"],
                               deltas={"moons": 0.01})
    other = A.experiment_answer(record_table(paths_records(
        "moons", {"dropout": 0.5, **OTHERS}, noise=0.0005, seed=6)), ["moons"],
        deltas={"moons": 0.02})
    agreement = A.replication_agreement(main, same)
    assert len(agreement["same"]) == 5 and agreement["different"] == []
    differ = A.replication_agreement(main, other)
    assert len(differ["different"]) == 4  # the trend still falls; every excess now as linear
    text = A.replication_markdown(differ)
    assert text.startswith("On fresh network seeds and a fresh data split, 1 of 5 readings")
    assert "two moons, against L1: more linear → as linear" in text


def test_bad_arguments_name_themselves():
    table = record_table(paths_records("moons", {"dropout": 1.5, **OTHERS}))
    with pytest.raises(ValueError, match="deltas\\['moons'\\]"):
        A.experiment_answer(table, ["moons"], deltas={"moons": 0.0})
    with pytest.raises(ValueError, match="alpha"):
        A.experiment_answer(table, ["moons"], deltas={"moons": 0.1}, alpha=1.5)
