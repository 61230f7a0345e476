"""Tests of essay_lib.report.mechanism on synthetic records with known answers."""

import math

import numpy as np
import pytest

from essay_lib.report import mechanism

# 3 tasks x 2 tests in one Holm family: the first must reach 0.05 / 6, which an exact
# sign-flip test on 6 seeds (p >= 2 / 2**6) cannot; 10 can
SEEDS = range(10)
GRID = {"none": [0.0], "dropout": [0.1, 0.3, 0.5, 0.7], "l2": [1e-4, 1e-3, 1e-2],
        "mixup": [0.2, 1.0]}


def _records(task, dropout_slope, *, bridge=1.0, seed=0, seeds=SEEDS):
    """z_mask = 0.4 + slope × drop rate (+ noise); L2 and mixup leave it alone; z_bar and
    mc_gap follow z_mask with the sign of ``bridge``; the validation loss is lowest at
    drop rate 0.3 and L2 1e-3 (higher without regularization)."""
    rng = np.random.default_rng(seed)
    out = []
    for reg, strengths in GRID.items():
        for s in strengths:
            for sd in seeds:
                z = 0.4 + (dropout_slope * s if reg == "dropout" else 0.0)
                z += 0.01 * rng.normal()
                best = {"dropout": 0.3, "l2": 1e-3}.get(reg)
                loss = 1.0 + (0.0 if s == best else 0.1)
                out.append({"task": task, "regularizer": reg, "strength": s, "seed": sd,
                            "z_mask": z, "z_bar": 0.5 + bridge * (z - 0.4)
                            + 0.001 * rng.normal(),
                            "mc_gap": 2 * z + 0.001 * rng.normal(),
                            "validation_loss": loss, "test_loss": loss})
    return out


RECORDS = _records("moons", -0.3) + _records("digits", +0.3, bridge=-1.0, seed=1) + _records(
    "diabetes", 0.0, bridge=0.0, seed=2)


@pytest.fixture(scope="module")
def verdicts():
    return mechanism.mechanism_verdicts(RECORDS, n_boot=500)


def test_verdicts_follow_the_trend_of_z_mask(verdicts):
    by = {v.task: v for v in verdicts}
    assert [v.task for v in verdicts] == ["moons", "digits", "diabetes"]
    assert by["moons"].verdict == "add up more" and by["moons"].dropout.rho < -0.8
    assert by["digits"].verdict == "add up less" and by["digits"].dropout.rho > 0.8
    assert by["diabetes"].verdict == "inconclusive"
    assert by["moons"].penalty.direction == "no clear trend"
    assert by["moons"].mixup is not None and by["moons"].mixup.direction == "no clear trend"
    # at the chosen strengths dropout (0.3) is 0.09 below L2: specific to dropout
    assert by["moons"].matched.strength_a == 0.3 and by["moons"].matched.strength_b == 1e-3
    assert by["moons"].matched.difference.estimate == pytest.approx(-0.09, abs=0.01)
    assert by["moons"].specificity == "specific to dropout"
    assert by["digits"].specificity == "no effect to share"


def test_bridges_have_the_sign_built_in():
    z = {b.task: b for b in mechanism.bridges(RECORDS, "z_bar", n_boot=500)}
    assert z["moons"].direction == "rises" and z["moons"].rho > 0.8
    assert z["digits"].direction == "falls"
    assert z["moons"].n == sum(len(v) for v in GRID.values()) * len(SEEDS)
    assert z["moons"].n_seeds == len(SEEDS)
    gap = mechanism.bridge(RECORDS, "moons", "z_mask", "mc_gap", n_boot=500)
    assert gap.rho > 0.95 and gap.low > 0


def test_bridge_of_a_constant_is_undefined():
    records = [dict(r, mc_gap=0.0) for r in RECORDS]
    b = mechanism.bridge(records, "moons", "z_mask", "mc_gap")
    assert math.isnan(b.rho) and b.direction == "no clear trend" and b.cell() == "n/a"


def test_sentences_are_computed(verdicts):
    z = mechanism.bridges(RECORDS, "z_bar", n_boot=500)
    sentence = mechanism.mechanism_sentence(verdicts, z)
    assert "add up more as the drop rate rises on 1 of 3 tasks (two moons)" in sentence
    assert "add up less on 1 of 3 tasks (digits)" in sentence
    assert "inconclusive on 1 of 3 tasks (diabetes)" in sentence
    assert "specific to dropout on 1 of those 1" in sentence
    assert "ranks with input-space Z̄ on 1 of 3 tasks (two moons)" in sentence
    assert not any(ch.isdigit() and "." in sentence[i - 1:i + 2] for i, ch in
                   enumerate(sentence) if 0 < i < len(sentence) - 1)  # no decimals
    line = mechanism.trend_sentence(verdicts[0])
    assert "two moons" in line and f"{verdicts[0].dropout.rho:+.2f}".replace("-", "−") in line
    text = mechanism.bridge_sentence(z, "input-space Z̄")
    assert "rises with" in text and "two moons" in text and "digits" in text


def test_tables(verdicts):
    table = mechanism.mechanism_markdown(verdicts)
    assert table.count("\n") == 1 + len(verdicts) and "**add up more**" in table
    z = mechanism.bridges(RECORDS, "z_bar", n_boot=200)
    both = mechanism.bridge_markdown({"Z̄": z, "gap": z[:1]})
    assert "two moons" in both and "n/a" in both


def test_chapter_06s_eight_seeds_over_four_tasks_decide_nothing_and_say_so():
    """4 tasks x 2 tests: Holm's first threshold is 5% / 8 = 1 in 160, below the 1 in 128
    an exact sign-flip test on 8 seeds can give; each trend alone still reaches 5%."""
    from essay_lib.report.verdict import too_few_seeds

    seeds = range(8)
    records = (_records("moons", -0.3, seeds=seeds)
               + _records("digits", +0.3, bridge=-1.0, seed=1, seeds=seeds)
               + _records("diabetes", 0.0, bridge=0.0, seed=2, seeds=seeds)
               + _records("quadratic", -0.3, seed=3, seeds=seeds))
    verdicts = mechanism.mechanism_verdicts(records, n_boot=200)
    by = {v.task: v for v in verdicts}
    assert by["moons"].dropout.direction == "falls" and by["digits"].dropout.direction == "rises"
    assert all(v.family_size == 8 and not v.decidable for v in verdicts)
    reason = too_few_seeds(8, 0.05, 8)
    assert "1 in 160" in reason and "1 in 128" in reason and "at least 9 seeds" in reason
    sentence = mechanism.mechanism_sentence(verdicts)
    assert sentence == ("In mask space (Z_mask, seed-level intervals, Holm-corrected), no "
                        "verdict can be reached on 4 of 4 tasks (two moons, digits, diabetes "
                        f"and 1-D quadratic), {reason}.")
    line = mechanism.trend_sentence(by["moons"])
    assert f"no verdict can be reached, {reason}" in line and "add up" not in line
    assert "[" not in line  # no interval where nothing can be decided
    table = mechanism.mechanism_markdown(verdicts)
    assert table.count("**undecidable** (8 seeds)") == 4 and "inconclusive" not in table


def test_network_values_and_bad_input():
    v = mechanism.network_values(RECORDS, "moons", ("z_mask", "z_bar"))
    assert set(v) == {"z_mask", "z_bar", "seed", "regularizer", "strength"}
    with pytest.raises(ValueError, match="no records for task"):
        mechanism.network_values(RECORDS, "mnist", ("z_mask",))
    with pytest.raises(ValueError, match="measure 'z_nope'"):
        mechanism.bridge(RECORDS, "moons", "z_nope")
    with pytest.raises(TypeError, match="records"):
        mechanism.mechanism_verdicts({"task": "moons"})


@pytest.mark.usefixtures("no_plt_show")
def test_figures_draw_what_they_are_given():
    from essay_lib.report import analogy, plotting

    x = np.linspace(-1, 1, 20)
    Y = np.stack([x, 2 * x, 3 * x, 6 * x])
    fig = plotting.plot_subnetwork_outputs(x, {"no dropout": Y, "dropout": Y[..., None]},
                                           x_train=x, y_train=x)
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 5
    np.testing.assert_allclose(fig.axes[0].lines[4].get_ydata(), 4 * x)  # the additive guess
    with pytest.raises(ValueError, match="shape"):
        plotting.plot_subnetwork_outputs(x, {"bad": Y[:, :5]})
    curves = {t: analogy.strength_curves(RECORDS, t, "z_mask", ("dropout", "l2"), n_boot=100)
              for t in ("moons", "digits")}
    fig = plotting.plot_mask_trends(curves)
    assert len([a for a in fig.axes if a.get_visible()]) == 4
    values = {t: mechanism.network_values(RECORDS, t, ("z_mask", "z_bar")) for t in ("moons",)}
    fig = plotting.plot_bridges(values, "z_mask", "z_bar", xlabel="Z_mask", ylabel="Z̄",
                                correlations={"moons": "ρ = +0.9"})
    assert fig.axes[0].texts[0].get_text() == "ρ = +0.9"
    drawn = sum(len(c.get_offsets()) for c in fig.axes[0].collections)
    assert drawn == len(values["moons"]["z_mask"])


def test_the_variant_table():
    records = [r for r in RECORDS if r["task"] == "moons"]
    table = mechanism.variant_markdown({"default": records, "again": records}, "moons",
                                       regularizers=("dropout",), n_boot=100)
    assert table.count("\n") == 3 and "default" in table
    base = np.mean([r["z_mask"] for r in records if r["regularizer"] == "none"])
    assert table.splitlines()[2].startswith(f"| default | {base:.3f} | ↓")
