"""The verdict's statistics on synthetic records whose answer is known: a null effect, a
real effect, a pseudo-replicated set, an underfitting regularizer, a failed positive
control, the specification curve, Holm, and the sentences."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from essay_lib.report import matched, speccurve, stats, trends, verdict
from essay_lib.util.bootstrap import (
    bootstrap_pvalue,
    expanded_level,
    percentile_interval,
    resample_clusters,
)

GRID = {"none": [0.0], "dropout": [0.1, 0.3, 0.5, 0.7], "l2": [1e-4, 1e-3, 1e-2],
        "mixup": [0.1, 1.0, 2.0]}


def make_records(effects, *, task="toy", seeds=range(8), noise=0.02, seed_sd=0.05,
                 loss_slope=None, rng_seed=0, z_spec=None):
    """Records with z_bar = 0.3 + seed effect + slope(reg) × rank of strength + noise.

    ``effects``: regularizer -> slope per strength step; ``loss_slope``: regularizer ->
    slope of the validation/test loss per step (an underfitting regularizer's loss
    climbs); ``z_spec``: key -> regularizer -> slope (specification curve entries).
    """
    rng = np.random.default_rng(rng_seed)
    out = []
    for s in seeds:
        base = 0.3 + seed_sd * rng.standard_normal()
        for reg, strengths in GRID.items():
            for rank, strength in enumerate(strengths, start=1 if reg != "none" else 0):
                slope = effects.get(reg, 0.0)
                loss = 1.0 + (loss_slope or {}).get(reg, 0.0) * rank
                r = {"task": task, "regularizer": reg, "strength": strength, "seed": s,
                     "z_bar": base + slope * rank + noise * rng.standard_normal(),
                     "validation_loss": loss + 0.01 * rng.standard_normal(),
                     "test_loss": loss + 0.01 * rng.standard_normal()}
                r["z_spec"] = {key: base + by.get(reg, 0.0) * rank
                               + noise * rng.standard_normal()
                               for key, by in (z_spec or {}).items()}
                out.append(r)
    return out


def test_a_null_effect_reads_no_clear_trend():
    records = make_records({"mixup": -0.05})
    t = trends.trend(records, "toy", "dropout")
    assert t.direction == "no clear trend" and t.low < 0 < t.high
    v = verdict.task_verdicts(records)[0]
    assert v.verdict == "inconclusive" and v.specificity == "no effect to share"


def test_a_real_effect_supports_the_thesis():
    records = make_records({"dropout": -0.04, "mixup": -0.05})
    v = verdict.task_verdicts(records)[0]
    assert v.dropout.direction == "falls" and v.dropout.n_seeds == 8
    assert v.verdict == "supports" and v.holm_dropout and v.validated
    assert v.specificity == "specific to dropout"  # L2 does nothing here
    rising = verdict.task_verdicts(make_records({"dropout": 0.04, "mixup": -0.05}))[0]
    assert rising.verdict == "contradicts"


def test_a_failed_positive_control_means_not_validated():
    records = make_records({"dropout": -0.04, "mixup": 0.0})
    v = verdict.task_verdicts(records)[0]
    assert v.dropout.direction == "falls" and v.verdict == "not validated"


def test_shared_with_l2_is_decided_by_the_interval_of_the_difference():
    records = make_records({"dropout": -0.04, "l2": -0.053, "mixup": -0.05},
                           loss_slope={"dropout": -0.05, "l2": -0.05})
    v = verdict.task_verdicts(records)[0]
    assert v.verdict == "supports"
    assert (v.matched.strength_a, v.matched.strength_b) == (0.7, 1e-2)  # best fits: strongest
    # both at their chosen strengths lower Z̄ alike (-0.16 and -0.159)
    assert v.matched.difference.low < 0 < v.matched.difference.high
    assert v.specificity == "shared with L2"


def test_an_underfitting_regularizer_is_compared_where_it_fits_best():
    """L2 lowers Z̄ a lot, but only by fitting worse: the validation loss chooses its
    weakest strength, where it barely moves Z̄, so dropout's effect is its own."""
    records = make_records({"dropout": -0.03, "l2": -0.1, "mixup": -0.05},
                           loss_slope={"l2": 0.5})
    m = matched.matched_comparison(records, "toy")
    assert m.strength_b == 0.0  # no L2 beats every L2 strength on validation loss
    assert m.strength_a == 0.1 or m.strength_a > 0
    assert m.difference.high < 0 and matched.specificity(m) == "specific to dropout"
    assert abs(m.loss_difference.estimate) < 0.05  # the fits are matched
    assert trends.trend(records, "toy", "l2").direction == "falls"  # the naive reading


def test_pseudo_replication_leaves_the_intervals_unchanged():
    """Copying every record four times inside its seed adds no information: seed-level
    intervals keep their width (within 15%); a bootstrap over networks would shrink."""
    records = make_records({"dropout": -0.01, "mixup": -0.05})
    copied = [dict(r) for r in records for _ in range(4)]
    for reg in ("dropout", "l2", "mixup"):
        a, b = trends.trend(records, "toy", reg), trends.trend(copied, "toy", reg)
        assert (b.high - b.low) == pytest.approx(a.high - a.low, rel=0.15)
    naive = [stats.spearman_with_interval(*trends.series(r, "toy", "dropout", "z_bar")[:2])
             for r in (records, copied)]
    assert naive[1].high - naive[1].low < 0.6 * (naive[0].high - naive[0].low)


def test_seed_spearman_resamples_whole_seeds_and_matches_scipy():
    rng = np.random.default_rng(1)
    seeds = np.repeat(np.arange(6), 5)
    x = np.tile(np.arange(5.0), 6)
    y = -x + rng.normal(size=30) + np.repeat(rng.normal(size=6), 5)
    c = stats.seed_spearman(x, y, seeds, n_boot=200, seed=4)
    assert c.estimate == pytest.approx(scipy_stats.spearmanr(x, y)[0])
    # the same draws as resample_clusters, each checked against scipy
    _, draws = resample_clusters(seeds, 200, seed=4)
    dist = np.array([scipy_stats.spearmanr(x[r], y[r])[0] for r in draws])
    low, high = percentile_interval(dist, 0.95, 6)
    assert (c.low, c.high) == pytest.approx((low, high))
    assert c.n == 6
    with pytest.raises(ValueError, match="2 different seeds"):
        stats.seed_spearman(x, y, np.zeros(30))


def test_holm_is_stricter_than_each_test_alone_and_looser_than_bonferroni():
    p = np.array([0.01, 0.04, 0.03, 0.2, np.nan])
    np.testing.assert_array_equal(stats.holm(p, 0.05), [True, False, False, False, False])
    np.testing.assert_array_equal(stats.holm([0.01, 0.02, 0.03], 0.05), [True, True, True])
    assert not stats.holm([0.02, 0.02, 0.02, 0.02], 0.05).any()  # 0.02 > 0.05/4
    assert bootstrap_pvalue(np.linspace(0.1, 1, 100)) == 0.0
    assert bootstrap_pvalue(np.linspace(-1, 1, 101)) == pytest.approx(1.0)


def test_p_values_agree_with_the_expanded_intervals():
    """p < 5% exactly when the expanded 95% interval excludes 0; few units widen both."""
    rng = np.random.default_rng(3)
    for shift in np.linspace(-0.5, 0.5, 21):
        dist = rng.normal(shift, 0.2, size=4000)
        for n in (4, 8, 30):
            low, high = percentile_interval(dist, 0.95, n)
            p = bootstrap_pvalue(dist, n_units=n)
            if min(abs(low), abs(high)) > 0.01:  # away from the boundary
                assert (p < 0.05) == (low > 0 or high < 0)
    assert expanded_level(0.95, 8) > 0.98 and expanded_level(0.95, 1000) == pytest.approx(
        0.95, abs=0.002)


def test_null_trends_are_called_at_about_the_nominal_rate():
    """With 8 seeds the plain percentile interval would call ~8% of null trends; the
    expanded one stays near 5% (60 null data sets: at most 9 calls, about 3 sigma)."""
    calls = sum(trends.trend(make_records({}, rng_seed=200 + i), "toy", "dropout",
                             n_boot=400).direction != "no clear trend" for i in range(60))
    assert calls <= 9


def test_paired_change_pairs_by_seed():
    before = np.array([1.0, 2.0, 3.0, 4.0])
    after = before - 0.5 + np.array([0.01, -0.01, 0.02, -0.02])
    c = stats.paired_change(before, after, seed=0)
    assert c.estimate == pytest.approx(-0.5) and c.high < 0 and c.pvalue == 0.0
    assert c.high - c.low < 0.05  # the large between-seed spread cancels in the pairs
    with pytest.raises(ValueError, match="pair up"):
        stats.paired_change([1.0], [1.0, 2.0])


def test_paired_contrasts_per_strength():
    records = make_records({"dropout": -0.04, "mixup": -0.05})
    rows = matched.paired_contrasts(records, "toy", "dropout")
    assert [r.strength for r in rows] == GRID["dropout"]
    assert all(r.change.high < 0 for r in rows[1:])
    assert rows[-1].change.estimate == pytest.approx(-0.16, abs=0.03)


def test_the_specification_curve_and_its_agreement():
    spec = {"logits|0.5|extrapolating": {"dropout": -0.04, "mixup": -0.05},
            "logits|0.1|inside": {"dropout": 0.04, "mixup": -0.05},
            "centred_logits|0.5|inside": {"dropout": -0.04, "mixup": 0.0}}
    records = make_records({"dropout": -0.04, "mixup": -0.05}, z_spec=spec)
    verdicts = speccurve.specification_verdicts(records)
    by = {v.key: v.verdict for v in verdicts}
    assert by == {"logits|0.5|extrapolating": "supports", "logits|0.1|inside": "contradicts",
                  "centred_logits|0.5|inside": "not validated"}
    (a,) = speccurve.agreement(verdicts)
    assert (a.main, a.n_specs, a.n_validated, a.n_agree) == ("supports", 3, 2, 1)


def test_plateau_from_loss_curves():
    flat = {"epoch": [10, 20, 30, 40], "train_loss": [1.0, 0.1, 0.05, 0.049],
            "test_loss": [1.0, 0.5, 0.6, 0.7]}
    still = {**flat, "train_loss": [1.0, 0.8, 0.6, 0.4]}
    rec = lambda curve: [{"task": "t", "regularizer": "none", "strength": 0.0, "seed": s,  # noqa: E731
                          "curve": curve} for s in range(2)]
    p = matched.plateau(rec(flat), "t")
    assert p.reached and p.late_share == pytest.approx(0.001 / 0.951) and p.test_change > 0
    assert not matched.plateau(rec(still), "t").reached


def test_sentences_follow_the_numbers():
    supports = make_records({"dropout": -0.04, "mixup": -0.05}, task="a")
    null = make_records({"mixup": -0.05}, task="b", rng_seed=1)
    gated = make_records({"dropout": -0.04}, task="c", rng_seed=2)
    verdicts = verdict.task_verdicts(supports + null + gated)
    assert [v.verdict for v in verdicts] == ["supports", "inconclusive", "not validated"]
    headline = verdict.headline_sentence(verdicts, replicated=["a", "b"])
    assert "1 of 3 tasks supports the paper" in headline
    assert "1 of 3 tasks is inconclusive" in headline
    assert "fails the positive control (c)" in headline
    assert "replicated on 2 of 3" in headline and not any(ch.isdigit() and ch != "0"
                                                          for ch in headline.split(".")[1:])
    table = verdict.verdict_markdown(verdicts)
    assert table.count("\n") == 4 and "**supports**" in table
    findings = " ".join(verdict.verdict_findings(verdicts))
    assert "not validated" in findings and "specific to dropout" in findings
    replication = verdict.replication_markdown(verdicts, verdicts[:2])
    assert replication.count("yes") == 4 and "n/a" in replication


def test_bad_records():
    with pytest.raises(TypeError, match="records"):
        trends.trend({"task": "x"}, "x", "dropout")
    with pytest.raises(ValueError, match="lacks"):
        trends.trend([{"task": "x"}], "x", "dropout")
    with pytest.raises(ValueError, match="no records"):
        trends.trend(make_records({}), "toy", "l1")
    with pytest.raises(ValueError, match="validation split"):
        matched.chosen_strength([{**r, "validation_loss": None} for r in make_records({})],
                                "toy", "dropout")


def test_specification_keys_do_not_depend_on_the_stored_order_of_z_spec():
    """Fresh records keep insertion order, cached ones come back from JSON with sorted
    keys: both must give one order (else a cold and a warm build draw different figures)."""
    from essay_lib.report import speccurve

    fresh = [{"task": "t", "z_spec": {"logits|0.5|inside": 0.1, "centred_logits|0.1|x": 0.2}}]
    cached = [{"task": "t", "z_spec": {"centred_logits|0.1|x": 0.2, "logits|0.5|inside": 0.1}}]
    assert speccurve.specification_keys(fresh, "t") == speccurve.specification_keys(cached, "t")
    assert speccurve.specification_keys(fresh, "t") == ["centred_logits|0.1|x",
                                                        "logits|0.5|inside"]


def test_gated_specificity_reads_shared_when_the_difference_fails_the_correction():
    from essay_lib.report import matched
    from essay_lib.report.stats import Change

    def comparison(low, high):
        c = Change(-0.2, -0.3, -0.1, 0.95, 8)
        return matched.MatchedComparison("t", "z_bar", "dropout", "l2", 0.5, 1e-3,
                                         Change((low + high) / 2, low, high, 0.95, 8), c, c, c)

    below, above, across = comparison(-0.3, -0.1), comparison(0.1, 0.3), comparison(-0.1, 0.1)
    assert matched.gated_specificity(below, True) == "specific to dropout"
    assert matched.gated_specificity(above, True) == "L2 lowers it more"
    assert matched.gated_specificity(below, False) == "shared with L2"
    assert matched.gated_specificity(above, False) == "shared with L2"
    assert matched.gated_specificity(across, True) == "shared with L2"


def test_the_comparison_penalty_is_named_by_what_it_is():
    """Chapter 07's AdamW variant compares dropout with decoupled weight decay: the verdict
    holds that trend as ``penalty`` and its labels say AdamW; with L2 (chapter 05) every
    label is the one the figures' sentences were written with."""
    records = make_records({"dropout": -0.04, "l2": -0.053, "mixup": -0.05},
                           loss_slope={"dropout": -0.05, "l2": -0.05})
    adamw = [{**r, "regularizer": "adamw"} if r["regularizer"] == "l2" else r for r in records]
    with_l2 = verdict.task_verdicts(records)[0]
    with_adamw = verdict.task_verdicts(adamw, penalty="adamw")[0]
    assert with_l2.penalty.regularizer == "l2" and with_l2.penalty_label == "L2"
    assert with_adamw.penalty.regularizer == "adamw" and with_adamw.penalty_label == "AdamW"
    assert with_adamw.penalty.rho == with_l2.penalty.rho  # the same numbers, another name
    assert with_l2.specificity == "shared with L2"
    assert with_adamw.specificity == "shared with AdamW"
    assert matched.SPECIFICITY == matched.specificity_labels("l2") == (
        "specific to dropout", "shared with L2", "L2 lowers it more", "no effect to share")
    assert matched.specificity_labels("adamw")[1:3] == ("shared with AdamW",
                                                        "AdamW lowers it more")
    l2_header = verdict.verdict_markdown([with_l2]).splitlines()[0]
    assert "| L2 penalty: ρ | dropout − L2 at matched fit:" in l2_header
    adamw_table = verdict.verdict_markdown([with_adamw])
    assert "| AdamW: ρ | dropout − AdamW at matched fit:" in adamw_table
    assert "shared with AdamW" in adamw_table and "L2" not in adamw_table
    assert "**shared with AdamW**" in " ".join(verdict.verdict_findings([with_adamw]))
    mixed = verdict.verdict_markdown([with_l2, with_adamw]).splitlines()[0]
    assert "| penalty: ρ | dropout − penalty at matched fit:" in mixed


def test_gated_specificity_names_the_comparison_penalty():
    from essay_lib.report.stats import Change

    c = Change(-0.2, -0.3, -0.1, 0.95, 8)
    above = matched.MatchedComparison("t", "z_bar", "dropout", "adamw", 0.5, 1e-3,
                                      Change(0.2, 0.1, 0.3, 0.95, 8), c, c, c)
    assert matched.gated_specificity(above, True) == "AdamW lowers it more"
    assert matched.gated_specificity(above, False) == "shared with AdamW"


def test_the_verdict_reads_only_what_the_replication_keeps():
    """The replication (experiment.replication_experiment) trains only the
    VERDICT_REGULARIZERS series and measures only VERDICT_METRICS: a verdict on records
    with an extra L1 series and every other metric filled must read the same."""
    from essay_lib.experiment import VERDICT_METRICS, VERDICT_REGULARIZERS

    kept = make_records({"dropout": -0.04, "mixup": -0.05, "l2": -0.01})
    assert {r["regularizer"] for r in kept} == set(VERDICT_REGULARIZERS)
    rng = np.random.default_rng(1)
    full = [{**r, "z_spec": {"logits|0.1|inside": rng.random()}, "taleb_h": rng.random(),
             "z_mask": rng.random(), "jacobian_norm": rng.random()} for r in kept]
    full += [{**r, "regularizer": "l1", "strength": s, "z_bar": rng.random(),
              "validation_loss": rng.random()}
             for r in kept if r["regularizer"] == "none" for s in (1e-4, 1e-3)]
    bare = [{k: (v if k in VERDICT_METRICS or k in ("task", "regularizer", "strength", "seed")
                 else None) for k, v in r.items()} for r in kept]
    assert verdict.task_verdicts(bare) == verdict.task_verdicts(full)


def test_the_grid_table_has_a_row_per_trained_regularizer():
    from essay_lib.experiment import essay_experiment, replication_experiment
    from essay_lib.report import experiment_tables, vocabulary

    main = experiment_tables.grid_markdown(essay_experiment())
    fresh = experiment_tables.grid_markdown(replication_experiment())
    label = vocabulary.regularizer_label("l1")
    assert f"| {label} |" in main and label not in fresh
    assert fresh.count("\n") == main.count("\n") - 1
    assert "1e-05, 0.0001, 0.001, 0.01" in main and "digits: 1e-05" in main  # the exception
