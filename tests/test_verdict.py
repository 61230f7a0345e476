"""essay_lib.verdict and essay_lib.analogy: the rules, on records whose answer is known."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from essay_lib.report import analogy, verdict

SEEDS = range(8)
GRIDS = {"dropout": [0.1, 0.3, 0.5, 0.7], "l1": [1e-4, 1e-2], "l2": [1e-4, 1e-3, 1e-2],
         "mixup": [0.2, 1.0]}


def make_records(shapes: dict, tasks=("moons",), *, noise=1e-3, extra=None):
    """Records whose measure ``z_bar`` = shapes[(task, regularizer)](strength) + a seed
    offset ``noise * (seed - 3.5) / 3.5`` (the same at every strength, so a flat shape has
    rho exactly 0); ``shapes`` default to a constant 0.5.  ``extra``: more measures,
    name -> f(task, regularizer, strength, seed)."""
    out = []
    for task in tasks:
        for reg, strengths in {"none": [0.0], **GRIDS}.items():
            f = shapes.get((task, reg), shapes.get((task, "*"), lambda s: 0.5 + 0 * s))
            for s in strengths:
                for seed in SEEDS:
                    level = shapes.get((task, "none"), None)
                    base = f(0.0) if reg == "none" and level is None else f(s)
                    r = {"task": task, "regularizer": reg, "strength": s, "seed": seed,
                         "z_bar": float(base + noise * (seed - 3.5) / 3.5)}
                    for name, g in (extra or {}).items():
                        r[name] = g(task, reg, s, seed)
                    out.append(r)
    return out


FALLS = lambda s: 0.5 - 0.5 * s  # noqa: E731
RISES = lambda s: 0.5 + 0.5 * s  # noqa: E731
FLAT = lambda s: 0.5 + 0 * s  # noqa: E731


# ---------------------------------------------------------------- rules
@pytest.mark.parametrize("low, high, want, thesis", [
    (-0.9, -0.1, "falls", "supports"), (0.1, 0.8, "rises", "contradicts"),
    (-0.3, 0.2, "no clear trend", "inconclusive"), (-0.5, 0.0, "no clear trend", "inconclusive"),
    (math.nan, math.nan, "no clear trend", "inconclusive")])
def test_direction_and_thesis_follow_the_interval(low, high, want, thesis):
    assert verdict.direction(low, high) == want
    assert verdict.thesis_verdict(low, high) == thesis


def test_direction_rejects_a_reversed_interval():
    with pytest.raises(ValueError, match="low must not exceed high"):
        verdict.direction(0.5, -0.5)


def test_the_rule_text_names_every_outcome_and_the_confidence():
    text = verdict.rule_markdown(0.9)
    for word in ("falls", "rises", "no clear trend", "supports", "contradicts", "inconclusive",
                 "90%", "specific to dropout", "shared with L2"):
        assert word in text


# ---------------------------------------------------------------- series and trends
def test_series_adds_the_unregularized_networks_at_strength_zero():
    recs = make_records({("moons", "dropout"): FALLS})
    s, v, seeds = verdict.series(recs, "moons", "dropout", "z_bar")
    assert len(s) == 8 * (1 + len(GRIDS["dropout"]))
    assert sorted(set(s)) == [0.0, *GRIDS["dropout"]]
    assert sorted(set(seeds)) == list(SEEDS)


def test_series_skips_missing_values_and_names_unknown_pairs():
    recs = make_records({}, extra={"pieces": lambda t, r, s, k: None if k == 0 else 1.0})
    s, v, _ = verdict.series(recs, "moons", "l2", "pieces")
    assert len(s) == 7 * 4 and np.all(v == 1.0)
    with pytest.raises(ValueError, match="no records for task 'moons' and regularizer 'l3'"):
        verdict.series(recs, "moons", "l3", "z_bar")
    with pytest.raises(ValueError, match="measure 'nope' is not a field"):
        verdict.series(recs, "moons", "l2", "nope")


@pytest.mark.parametrize("bad, error, message", [
    ({"task": "x"}, TypeError, "sequence of dicts"), ([], ValueError, "at least one"),
    ([1], TypeError, r"records\[0\] must be a dict"),
    ([{"task": "x", "regularizer": "l2"}], ValueError, r"lacks \['seed', 'strength'\]")])
def test_bad_records_are_refused(bad, error, message):
    with pytest.raises(error, match=message):
        verdict.trend_table(bad)


def test_a_monotone_fall_gives_rho_minus_one_and_supports():
    # noise 0: equal values within a strength, ties in both variables: rho is exactly -1
    recs = make_records({("moons", "dropout"): FALLS}, noise=0.0)
    t = verdict.trend(recs, "moons", "dropout", n_boot=200)
    assert (t.rho, t.low, t.high) == pytest.approx((-1.0, -1.0, -1.0))
    assert (t.direction, t.verdict) == ("falls", "supports")
    assert t.n == 40 and t.cell() == "↓ −1.00 [−1.00, −1.00]"


def test_a_noisy_fall_keeps_its_sign():
    recs = make_records({("moons", "dropout"): FALLS}, noise=0.15)
    t = verdict.trend(recs, "moons", "dropout", n_boot=500)
    assert -1 < t.rho < -0.5 and t.low < t.rho < t.high < 0


def test_a_rise_contradicts_and_a_u_shape_is_inconclusive():
    recs = make_records({("moons", "dropout"): RISES, ("digits", "dropout"):
                         lambda s: (s - 0.35) ** 2}, tasks=("moons", "digits"), noise=0.0)
    moons = verdict.trend(recs, "moons", "dropout", n_boot=500)
    digits = verdict.trend(recs, "digits", "dropout", n_boot=500)
    assert moons.verdict == "contradicts"
    assert digits.low < 0 < digits.high and digits.verdict == "inconclusive"


def test_a_constant_measure_has_no_rho():
    recs = make_records({}, noise=0.0)
    t = verdict.trend(recs, "moons", "l2")
    assert math.isnan(t.rho) and t.direction == "no clear trend" and t.cell() == "n/a"


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(-10**6, 10**6), min_size=40, max_size=40, unique=True))
def test_trend_depends_only_on_ranks(values):
    """Spearman's rho and its interval are unchanged by a monotone map of the measure."""
    recs = [r for r in make_records({}) if r["regularizer"] in ("none", "dropout")]
    a = [r | {"z_bar": v / 1e6} for r, v in zip(recs, values, strict=True)]
    b = [r | {"z_bar": math.exp(v / 1e6)} for r, v in zip(recs, values, strict=True)]
    ta, tb = (verdict.trend(x, "moons", "dropout", n_boot=100) for x in (a, b))
    assert (ta.rho, ta.low, ta.high) == pytest.approx((tb.rho, tb.low, tb.high))
    assert ta.direction == verdict.direction(ta.low, ta.high)
    assert -1 <= ta.low <= ta.high <= 1


def test_the_same_seed_gives_the_same_table():
    recs = make_records({("moons", "*"): FALLS})
    a = verdict.trend_table(recs, n_boot=300, seed=3)
    b = verdict.trend_table(recs, n_boot=300, seed=3)
    assert a == b and len(a) == 4


# ---------------------------------------------------------------- verdict table and sentences
SCENARIO = {("moons", "dropout"): FALLS, ("moons", "l2"): FALLS, ("moons", "mixup"): FALLS,
            ("diabetes", "dropout"): FALLS, ("diabetes", "l2"): FLAT,
            ("diabetes", "mixup"): FALLS,
            ("digits", "dropout"): RISES, ("digits", "l2"): FALLS, ("digits", "mixup"): FLAT}


@pytest.fixture(scope="module")
def scenario_trends():
    recs = make_records(SCENARIO, tasks=("moons", "diabetes", "digits"), noise=1e-3,
                        extra={"z_bar_raw": lambda t, r, s, k: 1.0 - 0.5 * s + 1e-4 * k})
    return verdict.trend_table(recs, measures=("z_bar", "z_bar_raw"), n_boot=400)


def test_specificity_compares_dropout_with_l2(scenario_trends):
    assert verdict.specificity(scenario_trends, "moons") == "shared with L2"
    assert verdict.specificity(scenario_trends, "diabetes") == "specific to dropout"
    assert verdict.specificity(scenario_trends, "digits") == "no effect to share"


def test_the_verdict_table_has_one_row_per_task(scenario_trends):
    table = verdict.verdict_markdown(scenario_trends).splitlines()
    assert len(table) == 2 + 3
    assert "| two moons |" in table[2] and "**supports**" in table[2]
    assert "shared with L2" in table[2]
    assert "**contradicts**" in table[4] and table[4].count("↑") == 1


def test_findings_name_the_tasks(scenario_trends):
    text = " ".join(verdict.verdict_findings(scenario_trends))
    assert "support the paper's thesis on 2 of 3 tasks" in text
    assert "contradict the paper's thesis on 1 of 3 tasks (digits: ρ = +" in text
    assert "shared with L2 on two moons and specific to dropout on diabetes" in text
    assert "Mixup, the positive control, lowers $\\bar Z$ on 2 of 3 tasks" in text


def test_raw_measure_falling_while_z_does_not_is_reported(scenario_trends):
    lines = verdict.raw_vs_normalised(scenario_trends)
    assert len(lines) == 2  # digits: dropout (Z rises) and diabetes: L2 (Z flat)
    assert lines[0].startswith("On diabetes, L2 makes raw") and "no clear trend" in lines[0]
    assert lines[1].startswith("On digits, dropout makes raw") and "$\\bar Z$ rises" in lines[1]


def test_headline_sentence_is_generated_from_the_trends(scenario_trends):
    assert verdict.headline_sentence(scenario_trends) == (
        "As the drop rate rose, dropout lowered our linearity defect Z̄ on 2 of 3 tasks "
        "(two moons and diabetes) and raised it on 1 (digits): the paper's thesis holds only "
        "in part, and L2 weight decay lowered it on 1 of those 2 tasks too.")


def test_headline_sentence_when_everything_falls():
    recs = make_records({("moons", "*"): FALLS, ("digits", "*"): FALLS},
                        tasks=("moons", "digits"))
    trends = verdict.trend_table(recs, n_boot=200)
    assert verdict.headline_sentence(trends) == (
        "As the drop rate rose, dropout lowered our linearity defect Z̄ on 2 of 2 tasks "
        "(two moons and digits): the data support the paper's thesis on every task, and L2 "
        "weight decay lowered Z̄ wherever dropout did, so the effect is not specific to dropout.")


def test_measures_table_has_a_row_per_task_and_regularizer(scenario_trends):
    table = verdict.measures_markdown(scenario_trends, ("z_bar", "z_bar_raw"))
    lines = table.splitlines()
    assert lines[0] == "| task | regularizer | $\\bar Z$ | raw ‖D‖ |"
    assert len(lines) == 2 + 3 * 3


# ---------------------------------------------------------------- analogy
def test_effect_is_paired_by_seed():
    recs = make_records({}, noise=0.0, extra={
        "weight_norm": lambda t, r, s, k: 10.0 + k - (5.0 if (r, s) == ("l2", 1e-2) else 0.0)})
    e = analogy.effect(recs, "moons", "l2", "weight_norm", n_boot=200)
    assert e.strength == 1e-2 and e.n_seeds == 8
    assert e.baseline == pytest.approx(13.5) and e.strongest == pytest.approx(8.5)
    # every seed drops by exactly 5: the paired interval has zero width
    assert (e.change, e.low, e.high) == pytest.approx((-5.0, -5.0, -5.0))
    assert e.cell() == "13.5 → 8.5 (−5.0 [−5.0, −5.0])"


def test_strength_curves_have_the_baseline_first():
    recs = make_records({("moons", "dropout"): FALLS}, noise=0.0)
    curves, base = analogy.strength_curves(recs, "moons", "z_bar", ("dropout", "l2"), n_boot=50)
    np.testing.assert_allclose(curves["dropout"]["strength"], [0.0, *GRIDS["dropout"]])
    np.testing.assert_allclose(curves["dropout"]["mean"], FALLS(curves["dropout"]["strength"]))
    assert base == pytest.approx((0.5, 0.5, 0.5))


def test_claims_and_outcomes():
    with pytest.raises(ValueError, match="expected must be"):
        analogy.Claim("l1", "weight_sparsity", "up")
    recs = make_records({("moons", "dropout"): RISES}, noise=1e-3, extra={
        "weight_sparsity": lambda t, r, s, k: (0.5 * s if r == "l1" else 0.0) + 1e-4 * k})
    claims = (analogy.Claim("l1", "weight_sparsity", "rises"), analogy.Claim("dropout", "z_bar",
                                                                              "falls"))
    rows = analogy.analogy_rows(recs, claims, n_boot=300)
    assert [r.outcome for r in rows] == ["held", "opposite"]
    assert rows[0].claim.label == "L1 → weight sparsity ↑"
    table = analogy.analogy_markdown(rows).splitlines()
    assert table[2].startswith("| L1 → weight sparsity ↑ | ✓ ρ +")
    assert table[3].startswith("| dropout → $\\bar Z$ ↓ | ✗ ρ +")
    findings = analogy.analogy_findings(rows)
    assert findings[1] == ("**dropout → $\\bar Z$ ↓**: held on 0 of 1 tasks; went the opposite "
                           "way on two moons.")
    forest = analogy.forest_rows(rows)
    assert forest[0]["group"] == "two moons" and forest[0]["label"] == rows[0].claim.label
    with pytest.raises(ValueError, match="what must be"):
        analogy.analogy_markdown(rows, what="both")


def test_setting_means_and_best_setting():
    recs = make_records({}, noise=0.0, extra={
        "test_loss": lambda t, r, s, k: {0.0: 1.0, 0.1: 0.8, 0.3: 0.5, 0.5: 0.5, 0.7: 0.9}.get(
            s, 1.0) + 0.01 * k})
    rows = analogy.setting_means(recs, "moons", "dropout", ("test_loss", "z_bar"))
    assert [r["strength"] for r in rows] == [0.0, 0.1, 0.3, 0.5, 0.7]
    assert rows[0] == pytest.approx({"strength": 0.0, "n": 8, "test_loss": 1.035, "z_bar": 0.5})
    best = analogy.best_setting(recs, "moons", "dropout", ("z_bar",))
    assert best["strength"] == 0.3  # tie with 0.5: the weaker setting wins
    assert best["test_loss"] == pytest.approx(0.535)
