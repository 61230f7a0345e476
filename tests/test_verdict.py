"""The verdict's statistics on synthetic records whose answer is known: a null effect, a
real effect, a pseudo-replicated set, an underfitting regularizer, a failed positive
control, the specification curve, Holm, and the sentences."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from essay_lib.report import inference, matched, speccurve, stats, trends, verdict
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
    """The exact sign-flip test of the per-seed ρ calls at most 5% of null trends (with 8
    seeds a percentile bootstrap called ~8%); 60 null data sets: at most 9 calls, about
    3 sigma."""
    calls = sum(trends.trend(make_records({}, rng_seed=200 + i), "toy", "dropout",
                             n_boot=400).direction != "no clear trend" for i in range(60))
    assert calls <= 9


def _signflip_by_enumeration(d) -> float:
    """The exact two-sided sign-flip p-value of the mean of ``d``, from all 2**n signs."""
    signs = np.array(list(itertools.product((1.0, -1.0), repeat=len(d))))
    return float(np.mean(np.abs(signs @ d) >= abs(np.sum(d)) - 1e-12))


def test_paired_change_pairs_by_seed():
    before = np.arange(1.0, 9.0)  # 8 seeds with a large spread between them
    after = before - 0.5 + np.array([0.01, -0.01, 0.02, -0.02, 0.015, -0.015, 0.005, -0.005])
    c = stats.paired_change(before, after, seed=0)
    # every pair falls: only the observed signs and their mirror are as extreme
    p = _signflip_by_enumeration(after - before)
    assert p == 2 / 2 ** 8
    assert c.estimate == pytest.approx(-0.5) and c.high < 0 and c.pvalue == p
    assert c.high - c.low < 0.05  # the large between-seed spread cancels in the pairs
    # the interval is the inverted test: shifts just inside it are kept, just outside not
    d = after - before
    assert _signflip_by_enumeration(d - (c.low - 1e-6)) <= 0.05
    assert _signflip_by_enumeration(d - (c.high + 1e-6)) <= 0.05
    assert _signflip_by_enumeration(d - (c.low + 1e-6)) > 0.05
    assert _signflip_by_enumeration(d - (c.high - 1e-6)) > 0.05
    # 4 seeds can never reach 5% (p >= 2/16): no interval, never a p-value of 0
    few = stats.paired_change(before[:4], after[:4], seed=0)
    assert few.pvalue == _signflip_by_enumeration(d[:4]) == 2 / 16
    assert (few.low, few.high) == (-math.inf, math.inf)
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
    # three tasks read 9 tests in one Holm family: the first must reach 0.05 / 9, which an
    # exact sign-flip test on 8 seeds cannot (p >= 2 / 2**8); 12 seeds can
    seeds = range(12)
    assert not inference.can_reach(8, 0.05, 9) and inference.can_reach(len(seeds), 0.05, 9)
    supports = make_records({"dropout": -0.04, "mixup": -0.05}, task="a", seeds=seeds)
    null = make_records({"mixup": -0.05}, task="b", rng_seed=1, seeds=seeds)
    gated = make_records({"dropout": -0.04}, task="c", rng_seed=2, seeds=seeds)
    verdicts = verdict.task_verdicts(supports + null + gated)
    assert [v.verdict for v in verdicts] == ["supports", "inconclusive", "not validated"]
    table = verdict.verdict_markdown(verdicts)
    assert table.count("\n") == 4 and "**supports**" in table
    findings = " ".join(verdict.verdict_findings(verdicts))
    assert "not validated" in findings and "specific to dropout" in findings


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
    """The replication (experiment.replication_experiment) trains the
    VERDICT_REGULARIZERS series (now every series of the grid, early stopping included)
    and measures only VERDICT_METRICS: the verdict and chapter 05's answer on records with
    every other metric filled, and a series the replication does not train, must read
    the same as on the replication's bare records."""
    from essay_lib.experiment import VERDICT_METRICS, VERDICT_REGULARIZERS
    from essay_lib.report import answer
    from essay_lib.report.table import record_table

    kept = make_records({"dropout": -0.04, "mixup": -0.05, "l2": -0.01})
    rng = np.random.default_rng(1)
    for r in [r for r in kept if r["regularizer"] == "none"]:
        r["epochs"] = 400.0
        kept += [{**r, "regularizer": "l1", "strength": s, "z_bar": r["z_bar"] - 0.02 * k,
                  "test_loss": r["test_loss"] + 0.01 * k} for k, s in enumerate((1e-4, 1e-3), 1)]
        kept += [{**r, "regularizer": "early_stop", "strength": e, "epochs": e,
                  "z_bar": r["z_bar"] - 0.01 * k, "test_loss": r["test_loss"] + 0.01 * k}
                 for k, e in enumerate((200.0, 100.0), 1)]
    assert {r["regularizer"] for r in kept} == set(VERDICT_REGULARIZERS)
    full = [{**r, "z_spec": {"logits|0.1|inside": rng.random()}, "taleb_h": rng.random(),
             "z_mask": rng.random(), "jacobian_norm": rng.random()} for r in kept]
    full += [{**r, "regularizer": "input_dropout", "strength": s, "z_bar": rng.random(),
              "validation_loss": rng.random(), "test_loss": rng.random()}
             for r in kept if r["regularizer"] == "none" for s in (0.1, 0.2)]
    fields = {"task", "regularizer", "strength", "seed", "epochs"}
    bare = [{k: (v if k in VERDICT_METRICS or k in fields else None) for k, v in r.items()}
            for r in kept]
    assert verdict.task_verdicts(bare) == verdict.task_verdicts(full)
    read = {name: answer.experiment_answer(record_table(records), ["toy"],
                                           deltas={"toy": 0.01})
            for name, records in (("bare", bare), ("full", full))}
    assert read["bare"].readings() == read["full"].readings()
    assert answer.answer_markdown(read["bare"]) == answer.answer_markdown(read["full"])


def test_the_grid_table_has_a_row_per_trained_regularizer():
    """Every regularizer a sweep trains has a row (early stopping included, by its shares
    of the epochs); one that no sweep trains has none.  The replication trains every
    series of the grid, so its table is the main one's."""
    from essay_lib.experiment import (
        VERDICT_REGULARIZERS,
        essay_experiment,
        replication_experiment,
    )
    from essay_lib.experiment.essay import early_stop_epochs
    from essay_lib.experiment.spec import ExperimentSpec
    from essay_lib.report import experiment_tables, vocabulary

    experiment = essay_experiment()
    main = experiment_tables.grid_markdown(experiment)
    fresh = experiment_tables.grid_markdown(replication_experiment())
    trained = {k for sweep in experiment for k in sweep.grid_dict}
    assert trained == set(VERDICT_REGULARIZERS)
    rows = [line.split(" | ")[0].lstrip("| ") for line in main.splitlines()[2:]]
    assert sorted(rows) == sorted(vocabulary.regularizer_label(k) for k in trained)
    assert fresh == main
    assert "1e-05, 0.0001, 0.001, 0.01" in main and "digits: 1e-05" in main  # the exception
    assert "| early stopping | 1/2, 1/4, 1/8, 1/16 of the task's epochs | — |" in main
    assert early_stop_epochs(1500) == (750.0, 375.0, 188.0, 94.0)
    # a sweep without L1 (or with its own early-stopping path) reads so
    label = vocabulary.regularizer_label("l1")
    without = ExperimentSpec(tuple(s.replace(grid={k: v for k, v in s.grid_dict.items()
                                                   if k != "l1"}) for s in experiment))
    assert f"| {label} |" not in experiment_tables.grid_markdown(without)
    assert experiment_tables.grid_markdown(without).count("\n") == main.count("\n") - 1
    odd = experiment_tables.grid_markdown(experiment.replace(
        grid={**experiment.sweeps[0].grid_dict, "early_stop": (10.0, 20.0)}))
    assert "| early stopping | 10, 20 | — |" in odd


def test_the_seeds_an_exact_test_needs():
    """2 / 2**n <= alpha / m, i.e. n >= log2(2 m / alpha): 6 seeds for one test at 5%,
    9 for a family of 9, 10 for 20; with fewer the sentence says why, without decimals."""
    for m in (1, 9, 20):
        assert verdict.seeds_needed(0.05, m) == math.ceil(math.log2(2 * m / 0.05))
    assert [verdict.seeds_needed(0.05, m) for m in (1, 9, 20)] == [6, 9, 10]
    assert verdict.too_few_seeds(5) == (
        "with 5 seeds no test can reach the 5% level (an exact sign-flip test on 5 seeds "
        "cannot give a p-value below 1 in 16; that takes at least 6 seeds)")
    assert verdict.too_few_seeds(8, 0.05, 9) == (
        "with 8 seeds no test can reach Holm's first threshold for the 9 tests read together "
        "(5% over 9, 1 in 180): an exact sign-flip test on 8 seeds cannot give a p-value "
        "below 1 in 128; that takes at least 9 seeds")
    with pytest.raises(ValueError, match="not too few"):
        verdict.too_few_seeds(6)
    with pytest.raises(ValueError, match="n_seeds"):
        verdict.too_few_seeds(-1)


def test_five_seeds_decide_nothing_and_the_sentences_say_so():
    """A clear effect on 5 seeds: every seed's ρ is negative, yet no exact sign-flip test on 5
    seeds reaches 5% (p >= 2 / 32), so every interval is unbounded and the verdict is
    undecidable: the table and sentences say so, never "fails the positive control"."""
    records = make_records({"dropout": -0.04, "mixup": -0.05}, seeds=range(5))
    (v,) = verdict.task_verdicts(records)
    for t in (v.dropout, v.control, v.penalty):
        assert (t.low, t.high) == (-math.inf, math.inf) and t.direction == "no clear trend"
    assert v.dropout.rho < -0.9 and v.dropout.pvalue == 2 / 2 ** 5  # every seed falls
    assert v.n_seeds == 5 and not v.decidable and v.verdict == "not validated"
    table = verdict.verdict_markdown([v])
    assert "**undecidable** (5 seeds)" in table and "[−∞, +∞]" in table and "inf" not in table
    reason = verdict.too_few_seeds(5, 0.05, 3)
    findings = verdict.verdict_findings([v])
    assert findings == [f"On toy no verdict can be reached: {reason}."]
    # the same effect on 16 seeds is decided
    (w,) = verdict.task_verdicts(make_records({"dropout": -0.04, "mixup": -0.05},
                                              seeds=range(16)))
    assert w.decidable and w.verdict == "supports" and "**supports**" in (
        verdict.verdict_markdown([w]))


def test_a_family_too_large_for_its_seeds_is_undecidable_though_each_test_alone_is_not():
    """8 seeds reach 5% in one test (2 / 256), not Holm's 5% / 9 over three tasks."""
    records = [r for i, task in enumerate("abc") for r in make_records(
        {"dropout": -0.04, "mixup": -0.05}, task=task, rng_seed=i)]
    verdicts = verdict.task_verdicts(records)
    for v in verdicts:
        assert v.dropout.direction == "falls" and v.control.direction == "falls"
        assert v.family_size == 9 and not v.decidable and not v.holm_control
    findings = " ".join(verdict.verdict_findings(verdicts))
    assert "no verdict can be reached" in findings
    assert "1 in 180" in findings and "at least 9 seeds" in findings


def test_a_trend_is_the_mean_of_each_seeds_rho_tested_by_sign_flips():
    """Derived independently: scipy's Spearman ρ along each seed's own series (the
    unregularized network at strength 0), their mean, the exact p by enumerating every
    sign vector, and the interval as the shifts that enumeration does not reject."""
    records = make_records({"dropout": -0.01, "mixup": -0.05}, noise=0.03)
    t = trends.trend(records, "toy", "dropout")
    rhos = []
    for s in range(8):
        mine = [r for r in records if r["seed"] == s and r["regularizer"] in ("none", "dropout")]
        rhos.append(scipy_stats.spearmanr([r["strength"] for r in mine],
                                          [r["z_bar"] for r in mine])[0])
    rhos = np.array(rhos)
    assert len(set(np.round(rhos, 6))) > 2  # the seeds disagree: a real test
    assert t.rho == pytest.approx(rhos.mean()) and t.n_seeds == 8 and t.n == 8 * 5
    assert t.pvalue == pytest.approx(_signflip_by_enumeration(rhos))
    assert _signflip_by_enumeration(rhos - (t.low - 1e-6)) <= 0.05
    assert _signflip_by_enumeration(rhos - (t.low + 1e-6)) > 0.05
    assert _signflip_by_enumeration(rhos - (t.high + 1e-6)) <= 0.05
    assert _signflip_by_enumeration(rhos - (t.high - 1e-6)) > 0.05
    with pytest.raises(ValueError, match="n_boot"):
        trends.trend(make_records({}, seeds=range(1)), "toy", "dropout", n_boot=0)


def test_the_rules_shown_to_the_reader_are_the_rules_applied():
    rules = verdict.rule_markdown()
    assert "exact sign-flip test over seeds" in rules and "bootstrap" not in rules
    assert "exact sign-flip p-values go through Holm's correction" in rules
    assert "$2/2^n$" in rules
