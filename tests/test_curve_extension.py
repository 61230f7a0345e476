"""essay_lib.experiment.curve_extension: Z̄ of the cached networks under specifications the
records lack, on a tiny experiment (trained once, into a temporary cache)."""

from __future__ import annotations

import pytest

from essay_lib.experiment import ExperimentSpec, MeasureSpec, SweepSpec, run_experiment, validity
from essay_lib.experiment import curve_extension as E
from essay_lib.report import specification_curve as C
from essay_lib.report.table import record_table

SMALL = dict(hidden=(8, 8), epochs=6, seeds=(0, 1),
             measures=MeasureSpec(z_triples=60, mask_draws=10, mc_samples=8, mc_points=8,
                                  curve_scales=(0.25, 0.5)))


GRID = {"none": [0], "dropout": [0.3, 0.6], "l2": [1e-2, 1e-1]}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A classifier (with early stopping) and a regressor, trained and measured once."""
    spec = ExperimentSpec((
        SweepSpec("moons", grid={**GRID, "early_stop": [3]}, **SMALL),
        SweepSpec("quadratic", grid=GRID, **SMALL)))
    cache = tmp_path_factory.mktemp("curve-extension-cache")
    return spec, cache, run_experiment(spec, cache_dir=cache, progress=False)


def test_the_extra_specifications_of_each_kind():
    measures = MeasureSpec()
    classifier = E.extra_specifications("classification", measures)
    assert classifier[:6] == [("probabilities", s, t) for s in (0.1, 0.25, 0.5)
                              for t in ("extrapolating", "inside")]
    assert classifier[6:] == [(o, 0.5, "chord_midpoints") for o in
                              ("logits", "centred_logits", "log_probabilities", "probabilities")]
    assert E.extra_specifications("regression") == [("logits", 0.5, "chord_midpoints")]
    with pytest.raises(ValueError, match="kind"):
        E.extra_specifications("clustering")
    with pytest.raises(TypeError, match="measures"):
        E.extra_specifications("regression", {"displacement_scale": 0.5})


def test_a_specification_the_records_hold_comes_out_as_the_records_value(tiny):
    spec, cache, records = tiny
    asked = [("logits", 0.25, "inside"), ("centred_logits", 0.5, "extrapolating")]
    again = E.curve_extension_records(spec, asked, cache_dir=cache, progress=False)
    assert len(again) == len(records)
    for old, new in zip(records, again, strict=True):
        assert (old["task"], old["regularizer"], old["strength"], old["seed"]) == (
            new["task"], new["regularizer"], new["strength"], new["seed"])
        # the regressor has no centred logits: skipped there, not an error
        keys = ["logits|0.25|inside"] + (["centred_logits|0.5|extrapolating"]
                                         if old["task"] == "moons" else [])
        assert sorted(new["z_spec"]) == sorted(keys)
        for key in keys:
            assert new["z_spec"][key] == pytest.approx(old["z_spec"][key], rel=1e-12, abs=1e-15)
    assert {r["regularizer"] for r in again if r["task"] == "moons"} == {
        "none", "dropout", "l2", "early_stop"}


def test_probabilities_and_chord_midpoints_join_the_table(tiny):
    spec, cache, records = tiny
    extra = E.curve_extension_records(spec, cache_dir=cache, progress=False)
    table = C.add_specifications(record_table(records), extra)
    moons = C.specification_keys(table, "moons")
    expected = [f"{o}|{s:g}|{t}" for o, s, t in E.extra_specifications(
        "classification", spec["moons"].measures)]
    assert set(expected) <= set(moons)
    assert "logits|0.5|chord_midpoints" in C.specification_keys(table, "quadratic")
    probabilities = table.loc[table["task"] == "moons",
                              [f"z_spec:{k}" for k in expected]].to_numpy()
    assert ((0 <= probabilities) & (probabilities <= 1)).all()


def test_bad_arguments_name_themselves(tiny):
    spec, cache, _ = tiny
    with pytest.raises(TypeError, match="spec"):
        E.curve_extension_records("essay")
    with pytest.raises(TypeError, match="specifications"):
        E.curve_extension_records(spec, "logits|0.5|inside", cache_dir=cache)
    with pytest.raises(TypeError, match="specifications\\[0\\]"):
        E.curve_extension_records(spec, [("logits", 0.5)], cache_dir=cache)


def test_the_whole_curve_on_real_networks(tiny):
    """Validity cells at each scale, the extension joined, every specification answered,
    agreement counted and drawn: what the appendix does, on the tiny experiment."""
    from essay_lib.report import plotting

    spec, cache, records = tiny
    cells = [c for s in spec["moons"].measures.curve_scales for c in validity.validity_table(
        spec.replace(displacement_scale=s), cache_dir=cache, n_triples=40, progress=False)]
    table = C.add_specifications(record_table(records), E.curve_extension_records(
        spec, cache_dir=cache, progress=False))
    curve = C.curve_answers(table, ["moons", "quadratic"], cells, comparators=("l2",),
                            loss="train_loss")
    assert set(curve.keys["quadratic"]) >= {C.MAIN, "logits|0.5|chord_midpoints"}
    by_cell = C.specification_cells(cells)
    for task in curve.tasks:
        for key in curve.keys[task]:
            cell = by_cell.get((task, key))
            expected_valid = cell is not None and cell.valid
            assert curve.answers[key].tasks[task].valid == expected_valid, (task, key)
    rows = C.curve_agreement(curve)
    assert len(rows) == 2 * 2 and C.agreement_sentence(rows)
    plotting.plot_specification_readings(curve)
