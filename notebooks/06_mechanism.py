# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,jupyter,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 06 · The mechanism: do dropout's sub-networks add up?
#
# **What the paper claims.** Chapter 05 tested the paper's *conclusion*: that the
# function a network computes gets more linear ($\bar Z$ falls) as the drop rate
# rises. But Teague's argument has a middle step, and it is the step that would
# make the conclusion more than a coincidence. In his words, dropout trains "the
# composition of all of those subsets of weightings" so that "the transformation
# function from each of these subsets … is increasingly additive to the other
# subsets in its output". Put plainly: every training step keeps a random subset
# of the hidden units; over many steps, what one group of units adds to the output
# should stop depending on which other groups are present. Sub-networks that add
# up, he argues, make a whole that adds up.
#
# That middle step is a claim about *masks*, not inputs, and we can test it there.
# No treatment we know of does. This chapter:
#
# 1. turns the claim into a measure, $Z_{\mathrm{mask}}$;
# 2. shows why a network with one hidden layer adds up by construction, so the
#    question only has content from two hidden layers on;
# 3. measures $Z_{\mathrm{mask}}$ on every network of chapter 05: does it fall as
#    the drop rate rises, and does it under the L2 penalty and mixup?
# 4. links it to chapter 02 (Monte Carlo averaging against weight scaling) and to
#    chapter 05 (does $Z_{\mathrm{mask}}$ predict input-space $\bar Z$?);
# 5. draws the sub-networks of one small network at a glance;
# 6. varies the measure's choices once, and states the verdict.

# %% tags=["parameters"]
SEED = 0  # seeds the examples, the mask draws and every bootstrap interval
FIRST_NETWORK_SEED = 0  # chapter 05's networks: seeds FIRST_NETWORK_SEED ... + N_SEEDS - 1
N_SEEDS = 16  # chapter 05's seeds: fewer cannot reach the family's level in an exact test
KEEP_PROB = 0.5  # keep probability of the context C (Srivastava's p, not a drop rate)
GLANCE_DROP_RATE = 0.5  # drop rate of the dropout network in the at-a-glance figure
VARIANT_TASK = "moons"  # the task on which the measure's choices are varied

# %%
import numpy as np
from IPython.display import Markdown, display

from essay_lib import data, experiment, report
from essay_lib.measures import subnetworks
from essay_lib.nets import models
from essay_lib.report import analogy, mechanism, plotting, stats, tables, trends, vocabulary

rng = report.session.setup(seed=SEED)

# %% [markdown]
# ## 1 · From the paper's words to a measure
#
# Write $f(x; m)$ for the network with a mask $m$ on its hidden units: $m_j = 1$
# keeps unit $j$, $m_j = 0$ removes it. A *draw* picks a data point $x$, two
# disjoint sets of hidden units $A$ and $B$, and a *context* $C$ of other units.
# Then we ask what $A$ adds, what $B$ adds, and what both add together, on top of
# the context:
#
# $$u = f(x; C∪A) − f(x; C),\quad v = f(x; C∪B) − f(x; C),\quad
#   w = f(x; C∪A∪B) − f(x; C).$$
#
# If the two sub-networks add up, $w = u + v$. The defect
# $D = w − u − v = f(x; C∪A∪B) − f(x; C∪A) − f(x; C∪B) + f(x; C)$ is the same mixed
# second difference as chapter 04's $D$, taken in mask space instead of input
# space, and the same normalisation gives a bounded, scale-free number:
#
# $$Z_{\mathrm{mask}} = \frac{\sum \lVert D\rVert}{\sum (\lVert u\rVert + \lVert v\rVert
#   + \lVert w\rVert)} \in [0, 1],$$
#
# a ratio of sums over many draws (0 when every pair of sub-networks adds up;
# unchanged when the output is scaled or shifted).
#
# **The choices, stated before the numbers.** $A$ and $B$ hold one eighth of the
# hidden units each (16 of the 128 units of chapter 05's networks), drawn from all
# hidden layers together; every other unit joins the context with probability
# `KEEP_PROB`, the same for every network compared; kept units are scaled by
# 1 / `KEEP_PROB`, as inverted dropout does in training, so $f(x; C)$ is one of the
# sub-networks dropout at drop rate 1 − `KEEP_PROB` trains; classifiers are measured
# on their logits, like $\bar Z$ in chapter 04. Section 7 varies each choice once.

# %% [markdown]
# ## 2 · One hidden layer adds up by construction
#
# With one hidden layer $h(x)$ and a linear read-out, the masked network is
#
# $$f(x; m) = W_2\,(s\, m \odot h(x)) + b_2 ,$$
#
# an *affine* function of the mask $m$. Its mixed second difference in $m$ is
# exactly zero, whatever the weights: $Z_{\mathrm{mask}} = 0$ for every such
# network, trained or not, with dropout or without. The same fact gives
# chapter 02's result for free: averaging $f(x; m / p)$ over random masks equals
# the network with every unit kept, $E\,f(x; m/p) = f(x; E\,m/p) = f(x; 1)$, so
# Monte Carlo averaging and weight scaling agree exactly.
#
# So the paper's mechanism can only have content from **two hidden layers on**,
# where what a unit adds passes through the next layer's ReLUs, which depend on
# which other units are present. Numerically, on untrained networks of depth 1
# to 3 (the gap column is the Monte Carlo − weight-scaling gap of section 4,
# relative to the spread of the output):

# %%
X_demo = rng.normal(size=(200, 2))
depth_nets = {d: models.make_mlp(2, [64] * d, 2, seed=SEED) for d in (1, 2, 3)}
depth_z = {d: subnetworks.subnetwork_additivity(net, X_demo, keep_prob=KEEP_PROB, seed=SEED)
           for d, net in depth_nets.items()}
depth_gap = {d: subnetworks.mc_gap(net, X_demo, keep_prob=KEEP_PROB, seed=SEED)
             for d, net in depth_nets.items()}
display(Markdown(tables.markdown_table(
    ["hidden layers", "$Z_{\\mathrm{mask}}$", "MC − weight-scaling gap"],
    [[d, f"{depth_z[d].value:.2e}", f"{depth_gap[d]:+.2e}"] for d in depth_nets])))
display(Markdown(
    f"With one hidden layer $Z_{{\\mathrm{{mask}}}}$ = {depth_z[1].value:.0e}: zero up to "
    f"float64 rounding, and the Monte Carlo gap is {depth_gap[1]:+.0e}. From two layers on "
    f"both are clearly positive ({depth_z[2].value:.3f} and {depth_z[3].value:.3f})."))

# %% [markdown]
# ## 3 · $Z_{\mathrm{mask}}$ on chapter 05's networks
#
# Every network of chapter 05 (two hidden layers of 64 ReLU units; four tasks;
# dropout, L1, the L2 penalty, mixup, early stopping and no regularization; 16 seeds) is
# read back
# from the sweep cache, and its record now holds $Z_{\mathrm{mask}}$ and the
# Monte Carlo gap, measured on the test inputs with the same draws for every
# network (common random numbers), in float64.

# %%
EXPERIMENT = experiment.essay_experiment(range(FIRST_NETWORK_SEED,
                                               FIRST_NETWORK_SEED + N_SEEDS))
TASKS = EXPERIMENT.tasks
MEASURES = EXPERIMENT[TASKS[0]].measures
records = experiment.run_experiment(EXPERIMENT)
display(Markdown(
    f"{len(records)} network records. $Z_{{\\mathrm{{mask}}}}$: {MEASURES.mask_draws} draws "
    f"per network, context keep probability {MEASURES.mask_keep_prob:g}, sets of "
    f"{MEASURES.mask_set_fraction:g} of the hidden units from {MEASURES.mask_layers!r} "
    f"hidden layers; gap: {MEASURES.mc_samples} masks on each of the first "
    f"{MEASURES.mc_points} test points."))

# %% [markdown]
# The figure shows $Z_{\mathrm{mask}}$ against each regularizer's strength (mean over
# seeds, with its 95% interval; the grey band is the unregularized networks). If the
# paper's mechanism is at work, the dropout panels fall from left to right.

# %%
REGS = ("dropout", "l2", "mixup")
curves = {t: analogy.strength_curves(records, t, "z_mask", REGS, seed=SEED) for t in TASKS}
fig = plotting.plot_mask_trends(curves)
_ = plotting.save_figure(fig, "06-z-mask-vs-strength")
by_rate = {t: dict(zip(c["dropout"]["strength"], c["dropout"]["mean"], strict=True))
           for t, (c, _) in curves.items()}
display(Markdown("Mean $Z_{\\mathrm{mask}}$ by drop rate: " + "; ".join(
    f"{vocabulary.task_label(t)} " + ", ".join(f"{s:g}: {z:.3f}" for s, z in rates.items())
    for t, rates in by_rate.items()) + "."))

# %% [markdown]
# **The rules** are chapter 05's, applied to $Z_{\mathrm{mask}}$: Spearman's $\rho$
# between strength and $Z_{\mathrm{mask}}$ over every network of a series, with a
# 95% interval from a bootstrap over network seeds; dropout's sub-networks **add up
# more** when the interval lies below 0 and **add up less** when it lies above;
# dropout and the L2 penalty are compared at matched fit (each at its
# validation-chosen strength, paired by seed); the two tests per task go through
# Holm's correction across tasks. There is no positive-control gate here: mixup asks
# for linear behaviour between *examples*, not between sub-networks, so its column is
# there to compare, not to validate.

# %%
verdicts = mechanism.mechanism_verdicts(records, seed=SEED)
display(Markdown(mechanism.mechanism_markdown(verdicts)))
display(Markdown("\n".join(f"- {mechanism.trend_sentence(v)}" for v in verdicts)))

# %% [markdown]
# ## 4 · The bridge to chapter 02: Monte Carlo averaging against weight scaling
#
# Chapter 02 compared two ways of predicting with a dropout network: averaging many
# sampled sub-networks (Monte Carlo) and running the whole network once (weight
# scaling, which inverted dropout builds in). Section 2 showed that the two agree
# exactly when $f$ is affine in the mask. So if $Z_{\mathrm{mask}}$ measures what it
# should, networks whose sub-networks add up better should show a smaller gap.
#
# The gap of one network is the root-mean-square distance between the Monte Carlo
# average (over masks at keep probability `KEEP_PROB`) and the weight-scaled
# prediction, relative to the spread of the prediction over the data. It is estimated
# from two independent halves of antithetic mask pairs, which removes the Monte Carlo
# noise floor (so it can be slightly negative when the true gap is 0). Each panel is
# one task, each point one network.

# %%
gap_bridges = mechanism.bridges(records, "mc_gap", seed=SEED)
fig = plotting.plot_bridges(
    {t: mechanism.network_values(records, t, ("z_mask", "mc_gap")) for t in TASKS},
    "z_mask", "mc_gap", xlabel="$Z_{\\mathrm{mask}}$", ylabel="MC − weight-scaling gap",
    correlations={b.task: f"ρ = {b.cell()}" for b in gap_bridges})
_ = plotting.save_figure(fig, "06-mc-gap-bridge")
display(Markdown(mechanism.bridge_sentence(gap_bridges, "the Monte Carlo gap")
                 + " (Spearman's ρ over every network of the task, 95% interval over seeds.)"))

# %% [markdown]
# ## 5 · The bridge to chapter 05: does $Z_{\mathrm{mask}}$ predict $\bar Z$?
#
# The paper's chain runs: sub-networks add up → the whole network is more linear.
# If that is how dropout works, then across the networks of one task, those with a
# lower $Z_{\mathrm{mask}}$ should also have a lower input-space $\bar Z$: a positive
# rank correlation, whatever regularizer produced the network.

# %%
z_bridges = mechanism.bridges(records, "z_bar", seed=SEED)
fig = plotting.plot_bridges(
    {t: mechanism.network_values(records, t, ("z_mask", "z_bar")) for t in TASKS},
    "z_mask", "z_bar", xlabel="$Z_{\\mathrm{mask}}$", ylabel="$\\bar Z$ (input space)",
    correlations={b.task: f"ρ = {b.cell()}" for b in z_bridges})
_ = plotting.save_figure(fig, "06-z-bar-bridge")
display(Markdown(mechanism.bridge_markdown({"MC gap vs $Z_{\\mathrm{mask}}$": gap_bridges,
                                            "$\\bar Z$ vs $Z_{\\mathrm{mask}}$": z_bridges})))
display(Markdown(mechanism.bridge_sentence(z_bridges, "input-space $\\bar Z$")))

# %% [markdown]
# ## 6 · At a glance
#
# One draw of the sets, on chapter 05's 1-D quadratic networks (first seed), without
# dropout and with dropout at `GLANCE_DROP_RATE`. Each panel draws the four
# sub-networks along the input axis: the context alone, the context with $A$, with
# $B$, and with both. If the sub-networks added up, the red curve $f(C∪A∪B)$ would
# lie on the dashed one, $f(C∪A) + f(C∪B) − f(C)$; the shaded gap between them is
# $D$. The same units form $A$, $B$ and $C$ in both panels.

# %%
q_spec = EXPERIMENT["quadratic"].replace(grid={"none": [0.0], "dropout": [GLANCE_DROP_RATE]},
                                         seeds=EXPERIMENT["quadratic"].seeds[:1])
glance = experiment.sweep_models(q_spec)
quadratic = data.load_task("quadratic", **q_spec.task_kwargs)
x_line = np.linspace(quadratic.X_train.min(), quadratic.X_train.max(), 200)[:, None]
names = {"none": "no dropout", "dropout": f"dropout, drop rate {GLANCE_DROP_RATE:g}"}
outputs = {names[reg]: subnetworks.line_outputs(net, x_line, keep_prob=KEEP_PROB, seed=SEED)
           for (reg, _, _), net in glance.items()}
fig = plotting.plot_subnetwork_outputs(x_line, outputs, x_train=quadratic.X_train,
                                       y_train=quadratic.y_train)
_ = plotting.save_figure(fig, "06-at-a-glance")

# %%
glance_z = {r["regularizer"]: r["z_mask"] for r in records if r["task"] == "quadratic"
            and r["seed"] == q_spec.seeds[0] and (r["regularizer"], r["strength"]) in
            {("none", 0.0), ("dropout", GLANCE_DROP_RATE)}}
display(Markdown(
    f"Over all {MEASURES.mask_draws} draws (not just the one drawn), these two networks have "
    f"$Z_{{\\mathrm{{mask}}}}$ = {glance_z['none']:.3f} without dropout and "
    f"{glance_z['dropout']:.3f} with it."))

# %% [markdown]
# ## 7 · The choices, varied once
#
# The measure has four free choices. We vary each one at a time around the default,
# on the networks of one task, and read dropout's and L2's trends again: the
# context's keep probability, the size of $A$ and $B$, whether they come from all
# hidden layers or from one, and whether kept units are rescaled.

# %%
v_spec = EXPERIMENT[VARIANT_TASK].replace(grid={k: v for k, v in EXPERIMENT[
    VARIANT_TASK].grid_dict.items() if k in ("none", "dropout", "l2")})
v_nets = experiment.sweep_models(v_spec)
X_v = data.load_task(VARIANT_TASK, **v_spec.task_kwargs).X_test
VARIANTS = {"default": {}, "keep 0.3": {"keep_prob": 0.3}, "keep 0.8": {"keep_prob": 0.8},
            "sets of 1/16": {"set_fraction": 1 / 16}, "sets of 1/4": {"set_fraction": 0.25},
            "sets in one layer": {"layers": "same"}, "no rescaling": {"inverted": False}}
variant_records = {label: experiment.remeasure.z_mask_records(
    v_nets, X_v, task=VARIANT_TASK, n_draws=MEASURES.mask_draws, seed=SEED,
    **{"keep_prob": KEEP_PROB, **choice}) for label, choice in VARIANTS.items()}
display(Markdown(mechanism.variant_markdown(variant_records, VARIANT_TASK, seed=SEED)))

# %%
dropout_dirs = {label: trends.trend(recs, VARIANT_TASK, "dropout", "z_mask", seed=SEED).direction
                for label, recs in variant_records.items()}
same = [label for label, d in dropout_dirs.items() if d == dropout_dirs["default"]]
display(Markdown(
    f"On {vocabulary.task_label(VARIANT_TASK)}, dropout's trend of $Z_{{\\mathrm{{mask}}}}$ "
    f"under the default choices: **{dropout_dirs['default']}**; {len(same) - 1} of "
    f"{len(VARIANTS) - 1} variants give the same direction"
    + ("." if len(same) == len(VARIANTS) else ", the others: " + "; ".join(
        f"{label} {d}" for label, d in dropout_dirs.items() if d != dropout_dirs["default"])
        + ".")))

# %% [markdown]
# ## 8 · The verdict on the mechanism
#
# One sentence, computed from the tables above; chapter 08 and the README reuse it.

# %%
sentence = mechanism.mechanism_sentence(verdicts, z_bridges)
_ = report.sentences.write_sentence("06-mechanism", sentence)
display(Markdown(f"**The mechanism in one sentence:** {sentence}"))

# %% [markdown]
# ## What we measured
#
# Everything below is recomputed from the records each time the notebook runs.

# %%
display(Markdown("\n".join([
    f"- **One hidden layer:** $Z_{{\\mathrm{{mask}}}}$ = {depth_z[1].value:.0e} (additive by "
    f"construction); two and three layers: {depth_z[2].value:.3f}, {depth_z[3].value:.3f}.",
    "- **Chapter 05's networks, by task:** " + "; ".join(
        f"{vocabulary.task_label(v.task)} **{v.verdict}** ({v.dropout.cell()}; "
        f"{v.specificity})" for v in verdicts) + ".",
    "- **Chapter 02 bridge (MC gap vs $Z_{\\mathrm{mask}}$):** " + "; ".join(
        f"{vocabulary.task_label(b.task)} {b.cell()}" for b in gap_bridges) + ".",
    "- **Chapter 05 bridge ($\\bar Z$ vs $Z_{\\mathrm{mask}}$):** " + "; ".join(
        f"{vocabulary.task_label(b.task)} {b.cell()}" for b in z_bridges) + ".",
    f"- **In one sentence.** {sentence}",
])))

# %% [markdown]
# ## Summary
#
# * The paper's mechanism is a claim in *mask space*: what one subset of units adds
#   to the output should not depend on which other subsets are present.
#   $Z_{\mathrm{mask}}$, the normalised mixed second difference over random pairs of
#   unit sets on top of a random context, measures how far that fails.
# * With one hidden layer and a linear read-out, a network is affine in its mask:
#   $Z_{\mathrm{mask}} = 0$ and Monte Carlo averaging equals weight scaling, exactly.
#   The mechanism can only be tested from two hidden layers on.
# * On chapter 05's networks, section 3 reads whether dropout lowers
#   $Z_{\mathrm{mask}}$ by the same seed-level rules as chapter 05; section 4 whether
#   it tracks the Monte Carlo gap, as the theory says it must; section 5 whether it
#   predicts input-space $\bar Z$, as the paper's chain of reasoning needs. Section 8
#   puts the outcome in one sentence.
#
# ## Exercises
#
# 1. Measure every dropout network of the two moons at the keep probability it was
#    trained with (1 − its drop rate) instead of a common 0.5. Does
#    $Z_{\mathrm{mask}}$ still move the same way with the drop rate?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 1.** We measure each dropout network at its own keep probability and
# read the trend again (the unregularized networks keep the default). Read the
# result with section 7 in mind: the keep probability changes $Z_{\mathrm{mask}}$ by
# itself (larger contexts, different sub-networks), so this trend mixes two effects,
# which is why the chapter compares all networks at one common keep probability.

# %% tags=["solution"] jupyter={"source_hidden": true}
default = variant_records["default"]
own = [r for r in default if r["regularizer"] == "none"] + [
    {**r, "z_mask": subnetworks.subnetwork_additivity(
        v_nets[r["regularizer"], r["strength"], r["seed"]], X_v, keep_prob=1 - r["strength"],
        n_draws=MEASURES.mask_draws, seed=SEED).value}
    for r in default if r["regularizer"] == "dropout"]
own_trend = trends.trend(own, VARIANT_TASK, "dropout", "z_mask", seed=SEED)
common = trends.trend(default, VARIANT_TASK, "dropout", "z_mask", seed=SEED)
display(Markdown(
    f"At each network's own keep probability: ρ = {own_trend.cell()} ({own_trend.direction}); "
    f"at the common {KEEP_PROB:g}: ρ = {common.cell()} ({common.direction})."))

# %% [markdown]
# 2. Build untrained networks with two hidden layers of widths 16, 64 and 256. Does
#    $Z_{\mathrm{mask}}$ of a random network depend on its width?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 2.** Same points as section 2, one network per width, the default choices
# (the sets hold one eighth of the units at every width).

# %% tags=["solution"] jupyter={"source_hidden": true}
width_z = {w: subnetworks.subnetwork_additivity(models.make_mlp(2, [w, w], 2, seed=SEED),
                                                X_demo, seed=SEED).value
           for w in (16, 64, 256)}
display(Markdown("Untrained two-layer networks: " + ", ".join(
    f"width {w}: $Z_{{\\mathrm{{mask}}}}$ = {z:.3f}" for w, z in width_z.items()) + "."))

# %% [markdown]
# 3. Chapter 02 found that Monte Carlo averaging needs many samples to match weight
#    scaling. Using section 4's records, which regularizer gives the networks with the
#    smallest gap on each task?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 3.** The mean gap over seeds of each (regularizer, strength); we name
# the smallest per task.

# %% tags=["solution"] jupyter={"source_hidden": true}
gap_rows = {t: stats.summarize([r for r in records if r["task"] == t], metric="mc_gap",
                               seed=SEED) for t in TASKS}
smallest = {t: rows[int(np.argmin([row["mean"] for row in rows]))]
            for t, rows in gap_rows.items()}
display(Markdown("Smallest mean gap: " + "; ".join(
    f"{vocabulary.task_label(t)}: {vocabulary.regularizer_label(row['regularizer'])} at "
    f"{row['strength']:g} ({row['mean']:+.3f})" for t, row in smallest.items()) + "."))
