"""Tests of essay_lib.report.mechanism (chapter 06 in mask space) on synthetic tables with
known answers: the trends at two keep probabilities, the comparisons at the same fit, the
within-seed bridges, the figures."""

import numpy as np
import pandas as pd
import pytest

from essay_lib.report import mechanism, plotting
from essay_lib.report.table import record_table

SEEDS = range(16)
RATES = (0.1, 0.3, 0.5, 0.7)
L2 = (1e-4, 1e-3, 1e-2)


def _records(task, slope, *, own_slope=None, bridge=1.0, l2_offset=0.1, seed=0):
    """Paths in (test loss, z_mask): loss = 1 + strength index / 10 on every path; dropout's
    z_mask = 0.4 + slope × rate, L2's and mixup's = 0.4 + ``l2_offset`` (above dropout's at the
    same loss when positive), early stopping's likewise; z_mask_own follows ``own_slope``;
    z_bar and mc_gap follow z_mask with the sign of ``bridge`` (z_bar) and + (gap)."""
    rng = np.random.default_rng(seed)
    own_slope = slope if own_slope is None else own_slope
    out = []
    series = {"none": (0.0,), "dropout": RATES, "l2": L2, "mixup": (0.2, 1.0),
              "early_stop": (10.0, 20.0)}
    for reg, strengths in series.items():
        for i, s in enumerate(strengths, start=1):
            for sd in SEEDS:
                noise = 0.005 * rng.normal()
                if reg == "none":
                    z, own, loss = 0.4 + noise, 0.4 + noise, 1.0
                elif reg == "dropout":
                    z, own, loss = 0.4 + slope * s + noise, 0.4 + own_slope * s + noise, 1 + i / 10
                else:
                    z = own = 0.4 + l2_offset + noise
                    loss = 1 + i / 10
                out.append({"task": task, "regularizer": reg, "strength": s, "seed": sd,
                            "test_loss": loss + 1e-4 * rng.normal(), "z_mask": z,
                            "z_mask_own": own, "z_bar": 0.5 + bridge * (z - 0.4)
                            + 0.001 * rng.normal(), "mc_gap": 2 * z + 0.001 * rng.normal()})
    return out


RECORDS = (_records("moons", -0.3, own_slope=+0.3) + _records("digits", +0.3, bridge=-1.0,
                                                               seed=1, l2_offset=-0.3))
TABLE = record_table(RECORDS)


@pytest.fixture(scope="module")
def answer():
    return mechanism.mask_answer(TABLE, ["moons", "digits"])


def test_the_trends_follow_z_mask_at_each_keep_probability(answer):
    moons, digits = answer.tasks["moons"], answer.tasks["digits"]
    assert moons.trends["z_mask"].words == "add up more"
    assert moons.trends["z_mask_own"].words == "add up less"  # the own keep turns it
    assert digits.trends["z_mask"].words == "add up less"
    assert moons.trends["z_mask"].estimate == pytest.approx(-1.0)
    assert answer.family_size == 2 * (2 + 3)
    assert answer.confidence == pytest.approx(1 - 0.05 / 10)
    assert moons.delta == pytest.approx(0.1 * TABLE.loc[(TABLE.task == "moons")
                                                        & (TABLE.regularizer == "none"),
                                                        "z_mask"].mean())


def test_the_comparisons_at_the_same_fit(answer):
    moons, digits = answer.tasks["moons"], answer.tasks["digits"]
    # dropout's sub-networks add up better than L2's at every shared loss on moons
    assert moons.comparisons["l2"].reading == "more_linear"
    assert moons.comparisons["l2"].result.estimate < -0.05
    assert digits.comparisons["l2"].reading == "less_linear"
    assert "more additive than L2" in moons.comparisons["l2"].cell()
    assert set(moons.comparisons) == set(mechanism.MASK_COMPARATORS)


def test_words_and_tables(answer):
    text = mechanism.mask_sentence(answer)
    assert "they add up more on 1 of 2 (two moons)" in text
    assert "they add up less on 1 of 2 (digits)" in text
    assert "own training keep probability" in text
    assert "L2 on 1 of 2" in text
    table = mechanism.mask_markdown(answer)
    assert table.count("\n") == 3 and "two moons" in table and "−" in table


def test_bridges_are_within_seed_with_their_sign_and_validity():
    links = mechanism.bridges(TABLE, ("mc_gap", "z_bar"), ["moons", "digits"],
                              valid={"z_bar": {"moons": True, "digits": True}})
    gap = {b.task: b for b in links["mc_gap"]}
    z = {b.task: b for b in links["z_bar"]}
    assert gap["moons"].direction == "rises" and len(gap["moons"].rho) == 16
    assert z["digits"].direction == "falls" and z["digits"].estimate < -0.9
    unread = mechanism.bridges(TABLE, ("z_bar",), ["moons", "digits"],
                               valid={"z_bar": {"digits": False}})["z_bar"]
    assert unread[1].direction == "not valid" and unread[1].cell() == "measure not valid here"
    assert unread[0].p_holm == pytest.approx(unread[0].pvalue)  # a family of one
    along = mechanism.bridges(TABLE, ("z_bar",), ["moons"], regularizers=("none", "dropout"))
    assert along["z_bar"][0].direction == "rises"
    text = mechanism.bridge_sentence(links["z_bar"] + unread[1:], "Z̄")
    assert "rises with" in text and "**falls**" in text and "Not read on digits" in text
    assert "two moons" in mechanism.bridge_markdown({"gap": links["mc_gap"]})


def test_network_values_and_bad_input():
    v = mechanism.network_values(TABLE, "moons", ("z_mask", "z_bar"))
    assert len(v["z_mask"]) == len(v["seed"]) == len(TABLE[TABLE.task == "moons"])
    assert mechanism.network_values(RECORDS, "moons", ("z_mask",))["z_mask"].shape == \
        v["z_mask"].shape
    with pytest.raises(ValueError, match="no records for task 'cifar'"):
        mechanism.network_values(TABLE, "cifar", ("z_mask",))
    with pytest.raises(ValueError, match="'nope' is not a column"):
        mechanism.mask_answer(TABLE, ["moons"], measures=("nope",))
    with pytest.raises(TypeError, match="table must be a pandas DataFrame"):
        mechanism.bridges(RECORDS, ("z_bar",), ["moons"])
    with pytest.raises(ValueError, match="alpha"):
        mechanism.mask_answer(TABLE, ["moons"], alpha=1.5)
    with pytest.raises(ValueError, match="delta_share"):
        mechanism.mask_answer(TABLE, ["moons"], delta_share=0)


def test_the_variant_table():
    variants = {"default": RECORDS, "other": [{**r, "z_mask": -r["z_mask"]} for r in RECORDS]}
    table = mechanism.variant_markdown(variants, "moons")
    assert "↓" in table.splitlines()[2] and "↑" in table.splitlines()[3]
    with pytest.raises(ValueError, match="regularizers"):
        mechanism.variant_markdown(variants, "moons", regularizers=("bogus",))


def test_figures_draw_what_they_are_given():
    values = {t: mechanism.network_values(TABLE, t, ("z_mask", "z_bar"))
              for t in ("moons", "digits")}
    fig = plotting.plot_bridges(values, "z_mask", "z_bar", xlabel="Z_mask", ylabel="Z̄",
                                correlations={"moons": "ρ = +0.9"})
    assert len(fig.axes) == 2 and "two moons" in fig.get_label()
    assert isinstance(TABLE, pd.DataFrame)
