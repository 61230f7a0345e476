"""Chapter 07's variants: the spec (each variant changes exactly its fields, names unique,
pending recipes reported), the report on synthetic records whose answers are known, the
figure helper, bad input, and one tiny variant run through the real sweep and cache."""

from __future__ import annotations

import dataclasses
import re

import matplotlib
import numpy as np
import pytest

from essay_lib.experiment import beyond as V
from essay_lib.experiment.spec import SweepSpec
from essay_lib.report import beyond_verdict as RV

matplotlib.use("Agg")

VARIANTS = V.beyond_variants()
BY_NAME = {v.name: v for v in VARIANTS}
BASE = V.base_experiment()


# ------------------------------------------------------------------ the spec
def test_names_are_unique_and_base_comes_first():
    names = V.variant_names()
    assert len(set(names)) == len(names) and names[0] == "base"
    assert [v.name for v in VARIANTS][0] == "base"
    built = {v.name for v in VARIANTS} | {p.name for p in V.pending_variants()}
    assert built == set(names)


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_each_variant_differs_from_the_base_in_exactly_its_fields(variant):
    changed = V.changed_fields(variant, BASE)
    assert changed, "a variant runs on at least one task"
    for task, fields in changed.items():
        assert fields == set(variant.varies), (task, fields)
        if variant.name != "base":
            assert fields, "only the base changes nothing"


def test_variants_keep_the_base_seeds_measures_and_grid_where_they_do_not_vary_it():
    for v in VARIANTS:
        for sweep in v.experiment:
            assert sweep.seeds == V.CPU_STUDY.seeds
            assert sweep.measures == V.VARIANT_MEASURES
            grid = sweep.grid_dict
            for key, strengths in V.CPU_STUDY.grid_dict.items():
                assert tuple(grid[key]) == strengths


def test_the_extra_regularizers_come_from_the_study():
    if "input dropout" in BY_NAME:
        v = BY_NAME["input dropout"]
        assert v.dropout == "input_dropout" and "quadratic" not in v.tasks
        for sweep in v.experiment:
            assert tuple(sweep.grid_dict["input_dropout"]) == V.CPU_STUDY.input_drop_rates
    if "AdamW" in BY_NAME:
        v = BY_NAME["AdamW"]
        assert v.penalty == "adamw"
        assert tuple(v.experiment.sweeps[0].grid_dict["adamw"]) == V.CPU_STUDY.weight_decays


def test_data_sizes_halve_and_double_the_training_rows():
    from essay_lib.data import load_task

    base = {s.task: s for s in BASE}
    for name, factor in (("half data", 0.5), ("double data", 2.0)):
        for sweep in BY_NAME[name].experiment:
            if sweep.task == "mnist1d":
                continue  # its n_train is set directly (checked by the field test)
            n = load_task(sweep.task, **sweep.task_kwargs).n_train
            n0 = load_task(sweep.task, **base[sweep.task].task_kwargs).n_train
            assert n / n0 == pytest.approx(factor, rel=0.02), (name, sweep.task, n, n0)
    assert "diabetes" not in BY_NAME["double data"].tasks  # 442 patients cannot double


def test_the_cpu_study_runs_what_it_says_and_the_full_study_everything():
    cpu = {v.name: v.tasks for v in VARIANTS}
    for name, tasks in cpu.items():
        chosen = V.CPU_STUDY.tasks_of(name)
        assert chosen is not None and set(tasks) <= set(chosen)
    assert cpu["width 256"] == ("moons",) and "quadratic" not in cpu["base"]
    full = {v.name: v.tasks for v in V.beyond_variants("full")}
    assert set(full["width 256"]) == set(V.base_experiment("full").tasks)
    assert set(full["CNN"]) == {"digits", "mnist1d"}
    # the full study trains chapter 05's 16 seeds: enough for an exact sign-flip test to
    # reach Holm's first threshold in the largest family a variant reads (3 tests a task);
    # the CPU study's 5 seeds cannot reach 5% even in a single test (p >= 2 / 2**5)
    from essay_lib.experiment.essay import ESSAY_SEEDS
    from essay_lib.report.inference import can_reach

    assert V.FULL_STUDY.seeds == ESSAY_SEEDS == tuple(range(16))
    largest = max(len(tasks) for tasks in full.values())
    assert can_reach(len(V.FULL_STUDY.seeds), 0.05, 3 * largest)
    assert len(V.CPU_STUDY.seeds) == 5 and not can_reach(len(V.CPU_STUDY.seeds), 0.05)
    for key, strengths in V.CPU_STUDY.grid_dict.items():  # the CPU study is a subset
        assert set(strengths) <= set(V.FULL_STUDY.grid_dict[key])
    with pytest.raises(ValueError, match="tasks"):
        V.CPU_STUDY.replace(tasks=("mnist",))


def test_a_recipe_the_engine_cannot_build_is_pending_with_the_reason():
    odd = V.Recipe("odd", "width", "an optimizer nobody has", ("optimizer",),
                   lambda s, st: {"optimizer": "lion"})
    with pytest.raises(ValueError, match="optimizer"):
        V.build_variant(odd, BASE)
    nowhere = V.Recipe("nowhere", "width", "no task", ("hidden",),
                       lambda s, st: {"hidden": (8,)}, tasks=("moons",))
    with pytest.raises(ValueError, match="none of its tasks"):
        V.build_variant(nowhere, BASE.only("digits"))
    for p in V.pending_variants():
        assert p.reason and p.name in V.variant_names()


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="names"):
        V.beyond_variants(names=["width 512"])
    with pytest.raises(TypeError, match="names"):
        V.beyond_variants(names="base")
    with pytest.raises(ValueError, match="study"):
        V.beyond_variants("huge")
    with pytest.raises(TypeError, match="study"):
        V.base_experiment(3)
    with pytest.raises(ValueError, match="group"):
        V.Variant("x", "colour", "", BASE)
    with pytest.raises(TypeError, match="experiment"):
        V.Variant("x", "width", "", BASE["moons"])
    with pytest.raises(ValueError, match="name"):
        V.Variant("", "width", "", BASE)
    with pytest.raises(ValueError, match="drop rates"):
        V.CPU_STUDY.replace(input_drop_rates=(1.5,))
    with pytest.raises(TypeError, match="Variant"):
        V.run_variants([BASE])
    with pytest.raises(ValueError, match="unique"):
        V.run_variants([VARIANTS[0], VARIANTS[0]])


def test_a_tiny_variant_runs_through_the_sweep_and_its_cache(tmp_path, single_torch_thread):
    study = V.CPU_STUDY.replace(seeds=(0, 1), grid={"none": [0.0], "dropout": [0.5],
                                                    "l2": [1e-2], "mixup": [1.0]})
    tiny = [dataclasses.replace(v, experiment=v.experiment.only("moons").replace(epochs=3))
            for v in V.beyond_variants(study, names=["base", "input dropout"])]
    first = V.run_variants(tiny, cache_dir=tmp_path)
    assert set(first) == {"base", "input dropout"}
    assert len(first["base"]) == 8 and len(first["input dropout"]) == 8 + 2 * 2
    shared = {(r["regularizer"], r["strength"], r["seed"]): r["key"] for r in first["base"]}
    for r in first["input dropout"]:  # the base's networks are the same cache entries
        k = (r["regularizer"], r["strength"], r["seed"])
        if k in shared:
            assert r["key"] == shared[k]
    again = V.run_variants(tiny, cache_dir=tmp_path)
    assert [r["z_bar"] for r in again["base"]] == [r["z_bar"] for r in first["base"]]


# ------------------------------------------------------------------ synthetic records
GRID = {"none": [0.0], "dropout": [0.3, 0.6], "l2": [1e-3, 1e-2], "mixup": [0.1, 1.0],
        "input_dropout": [0.1, 0.3]}


# A variant on 2 tasks reads 6 tests in one Holm family: the first must reach 0.05 / 6,
# which an exact sign-flip test on 5 seeds (p >= 2 / 2**5) cannot; 10 seeds can.
SEEDS = range(10)


def make_records(slopes, *, task="moons", seeds=SEEDS, rng_seed=0):
    """z_bar = 0.3 + seed effect + slope(reg) × strength rank + small noise; losses flat."""
    rng = np.random.default_rng(rng_seed)
    out = []
    for s in seeds:
        base = 0.3 + 0.05 * rng.standard_normal()
        for reg, strengths in GRID.items():
            for rank, strength in enumerate(strengths, start=1 if reg != "none" else 0):
                out.append({"task": task, "regularizer": reg, "strength": strength, "seed": s,
                            "z_bar": base + slopes.get(reg, 0.0) * rank
                            + 0.002 * rng.standard_normal(),
                            "validation_loss": 1.0 + 0.01 * rng.standard_normal(),
                            "test_loss": 1.0 + 0.01 * rng.standard_normal()})
    return out


FALLS = {"dropout": -0.05, "l2": -0.05, "mixup": -0.05, "input_dropout": 0.05}
RISES = {"dropout": 0.05, "l2": -0.05, "mixup": -0.05, "input_dropout": -0.05}


@pytest.fixture
def synthetic():
    names = ("base", "depth 4", "input dropout")
    variants = [BY_NAME[n] for n in names]
    records = {"base": make_records(FALLS) + make_records(FALLS, task="digits"),
               "depth 4": make_records(RISES) + make_records(FALLS, task="digits"),
               "input dropout": make_records(RISES)}
    return variants, records


def test_variant_verdicts_read_chapter_05s_rules_and_find_the_turns(synthetic):
    variants, records = synthetic
    verdicts = RV.variant_verdicts(records, variants, n_boot=400)
    cells = {(v.variant, v.task): v for v in verdicts}
    assert [(v.variant, v.task) for v in verdicts] == [
        ("base", "moons"), ("base", "digits"), ("depth 4", "moons"), ("depth 4", "digits"),
        ("input dropout", "moons")]
    assert cells["base", "moons"].verdict.verdict == "supports"
    assert cells["base", "moons"].base is None and not cells["base", "moons"].turns
    assert cells["depth 4", "moons"].verdict.verdict == "contradicts"
    assert cells["depth 4", "moons"].turns and not cells["depth 4", "digits"].turns
    assert cells["depth 4", "moons"].base == "supports"
    # input dropout's verdict reads the input_dropout records: they fall there
    inp = cells["input dropout", "moons"]
    assert inp.verdict.dropout.regularizer == "input_dropout"
    assert inp.verdict.verdict == "supports" and not inp.turns
    assert cells["base", "moons"].penalty_same and not cells["depth 4", "moons"].penalty_same
    assert not cells["depth 4", "moons"].control_same


def test_the_table_paragraph_and_sentences_state_the_computed_answer(synthetic):
    variants, records = synthetic
    verdicts = RV.variant_verdicts(records, variants, n_boot=400)
    table = RV.variants_markdown(verdicts)
    assert table.count("\n") == 1 + len(verdicts)
    assert "**turns** (supports → contradicts)" in table
    assert "input dropout: ↓" in table
    paragraph = RV.agreement_paragraph(verdicts)
    assert ("Beyond the base configuration, 2 of 3 (variant, task) cells keep the base's "
            "verdict; the other one turns.") in paragraph
    assert "depth 4 on two moons (supports → contradicts" in paragraph
    # never "1 of 1 variants keeps": the verb and the count agree (report.wording.count_of)
    assert "On digits, the one variant keeps the base's" in paragraph
    assert not re.search(r"\b1 of 1\b|\b1 \w+s keep\b", paragraph)
    sentence = RV.architecture_sentence(verdicts)
    assert "untested" in sentence  # neither the residual MLP nor the CNN is in these records
    relabelled = RV.architecture_sentence(verdicts, skip="depth 4", convolution="base")
    assert "with skip connections (depth 4) the thesis is supported on 1 of 2 tasks" in (
        relabelled)
    assert "the verdict is the base MLP's on 1 of 2" in relabelled
    assert RV.beyond_sentence(verdicts).startswith(
        "Changing one thing at a time around the base configuration (2 variants), dropout's "
        "verdict on Z̄ stayed the base's in 2 of 3")


def test_effects_are_the_paired_changes_at_the_strongest_strength(synthetic):
    variants, records = synthetic
    effects = RV.variant_effects(records, variants, n_boot=400)
    assert len(effects) == 3 * 5
    e = next(e for e in effects if (e.variant, e.task, e.role) == ("base", "moons", "dropout"))
    assert e.strength == 0.6 and e.change.estimate == pytest.approx(-0.10, abs=0.01)
    assert e.change.high < 0
    inp = next(e for e in effects if e.variant == "input dropout" and e.role == "dropout")
    assert inp.regularizer == "input_dropout" and inp.change.estimate == pytest.approx(
        -0.10, abs=0.01)
    rows = RV.effect_rows(effects)
    assert set(rows[0]) == {"variant", "group", "task", "role", "regularizer", "estimate",
                            "low", "high"}
    from essay_lib.report import plotting

    fig = plotting.plot_variant_effects(rows)
    assert len(fig.axes) == 2 and len(fig.legends) == 1
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["base", "depth 4  (depth)", "input dropout  (dropout site)"]
    assert "not run" in [t.get_text() for t in fig.axes[1].texts]  # input dropout: no digits


def _five_seed_records(names=("base", "depth 4", "input dropout")):
    """The synthetic design on the CPU study's 5 seeds."""
    seeds = V.CPU_STUDY.seeds
    records = {"base": make_records(FALLS, seeds=seeds)
               + make_records(FALLS, task="digits", seeds=seeds),
               "depth 4": make_records(RISES, seeds=seeds)
               + make_records(FALLS, task="digits", seeds=seeds),
               "input dropout": make_records(RISES, seeds=seeds)}
    return [BY_NAME[n] for n in names], {n: records[n] for n in names}


def test_five_seeds_decide_nothing_and_every_sentence_says_so():
    """The CPU study's 5 seeds: every seed's trend points one way, yet an exact sign-flip
    test on 5 seeds cannot give p below 1 in 16, so every interval is (−inf, inf), every
    trend reads "no clear trend", no cell is decided, none keeps or turns the base's
    verdict, and the table, paragraph and sentences say why instead of counting them."""
    from essay_lib.report import plotting, verdict

    variants, records = _five_seed_records()
    verdicts = RV.variant_verdicts(records, variants, n_boot=400)
    assert len(verdicts) == 5
    for v in verdicts:
        for t in (v.verdict.dropout, v.verdict.control, v.verdict.penalty):
            assert (t.low, t.high) == (-np.inf, np.inf) and t.direction == "no clear trend"
        assert abs(v.verdict.dropout.rho) > 0.9 and v.verdict.dropout.pvalue == 1 / 16
        assert v.verdict.n_seeds == 5 and not v.verdict.decidable
        assert not v.comparable and not v.turns
    reason = verdict.too_few_seeds(5, 0.05, 6)
    assert reason.startswith("with 5 seeds no test can reach the 5% level (an exact "
                             "sign-flip test on 5 seeds cannot give a p-value below 1 in 16")
    table = RV.variants_markdown(verdicts)
    assert table.count("**undecidable** (5 seeds)") == 5 and "turns" not in table
    assert table.count("n/a (too few seeds)") == 3 and "inf" not in table
    paragraph = RV.agreement_paragraph(verdicts)
    assert paragraph.startswith(f"None of the 5 (variant, task) cells can be decided: "
                                f"{reason}.")
    assert "keep the base's" not in paragraph and "positive control passes" not in paragraph
    sentence = RV.beyond_sentence(verdicts)
    assert "stayed the base's" not in sentence and "supported in" not in sentence
    assert sentence == ("Changing one thing at a time around the base configuration (2 "
                        "variants), no verdict on Z̄ could be reached in any of the 5 "
                        f"(variant, task) cells: {reason}.")
    architectures = RV.architecture_sentence(verdicts, skip="depth 4", convolution="base")
    assert architectures.count("no verdict can be reached with 5 seeds") == 2
    assert "supported on" not in architectures
    effects = RV.variant_effects(records, variants, n_boot=400)
    assert all((e.change.low, e.change.high) == (-np.inf, np.inf) for e in effects)
    fig = plotting.plot_variant_effects(RV.effect_rows(effects))
    dotted = [line for ax in fig.axes for line in ax.lines
              if line.get_linestyle() == ":" and len(line.get_xdata())]  # not the legend's
    assert len(dotted) == len(effects)  # each unbounded interval drawn across its panel
    assert plotting.UNBOUNDED_LABEL in [t.get_text() for t in fig.legends[0].get_texts()]


def test_cells_the_seeds_cannot_decide_are_left_out_of_the_counts():
    """The base on 10 seeds is decided, depth 4 on 5 is not: nothing can be held against
    the base, and the sentences count only what was decided."""
    variants, few = _five_seed_records(("base", "depth 4"))
    records = {"base": make_records(FALLS) + make_records(FALLS, task="digits"),
               "depth 4": few["depth 4"]}
    verdicts = RV.variant_verdicts(records, variants, n_boot=400)
    assert [v.verdict.decidable for v in verdicts] == [True, True, False, False]
    assert [v.verdict.verdict for v in verdicts[:2]] == ["supports", "supports"]
    assert not any(v.turns or v.comparable for v in verdicts)
    reason = "with 5 seeds no test can reach the 5% level"
    paragraph = RV.agreement_paragraph(verdicts)
    assert paragraph.startswith(f"2 of the 4 (variant, task) cells cannot be decided ({reason}")
    assert "Over all 2 decided cells the positive control passes in 2" in paragraph
    assert "No decided variant shares a task with a decided base configuration" in paragraph
    sentence = RV.beyond_sentence(verdicts)
    assert ("no variant's verdict on Z̄ could be held against a decided base verdict, and the "
            "thesis was supported in 2 of all 2 decided cells; 2 cells could not be decided "
            f"({reason}") in sentence
    table = RV.variants_markdown(verdicts)
    assert table.count("**supports**") == 2 and table.count("n/a (too few seeds)") == 2


def test_report_functions_refuse_bad_input(synthetic):
    variants, records = synthetic
    with pytest.raises(TypeError, match="records_by_variant"):
        RV.variant_verdicts([records["base"]], variants)
    with pytest.raises(ValueError, match="no records for variant 'depth 4'"):
        RV.variant_verdicts({"base": records["base"]}, variants[:2])
    with pytest.raises(ValueError, match="at least one"):
        RV.variant_verdicts(records, [])
    with pytest.raises(TypeError, match="Variant"):
        RV.variant_verdicts(records, ["base"])
    with pytest.raises(ValueError, match="roles"):
        RV.variant_effects(records, variants, roles=("dropout", "l1"))
    with pytest.raises(ValueError, match="at least one"):
        RV.agreement_paragraph([])
    from essay_lib.report import plotting

    with pytest.raises(ValueError, match="lacks"):
        plotting.plot_variant_effects([{"variant": "base"}])
    with pytest.raises(ValueError, match="at least one"):
        plotting.plot_variant_effects([])


def test_sweepspec_is_the_only_home_of_the_fields_a_recipe_varies():
    names = {f.name for f in dataclasses.fields(SweepSpec)}
    for recipe in V.RECIPES:
        assert set(recipe.varies) <= names, recipe.name
