"""Chapter 07's variants: the spec (each variant changes exactly its fields, names unique,
pending recipes reported), the report on synthetic records whose answers are known, the
figure helper, bad input, and one tiny variant run through the real sweep and cache."""

from __future__ import annotations

import dataclasses

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
    assert V.FULL_STUDY.seeds == tuple(range(8))
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


def make_records(slopes, *, task="moons", seeds=range(5), rng_seed=0):
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
    assert "Of the 3 (variant, task) cells beyond the base configuration, 2 keep" in paragraph
    assert "depth 4 on two moons (supports → contradicts" in paragraph
    assert "On digits, 1 of 1 variants keeps" in paragraph
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
