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
# # 06 · The mechanism: do dropout's sub-networks add up, and is that why?

# %% [markdown]
# **You will learn**
#
# * what the paper's mechanism claims in *mask space*, and $Z_{\mathrm{mask}}$, a measure of
#   whether sub-networks add up;
# * why a network with one hidden layer, and a deep linear network, add up by construction;
# * whether dropout's sub-networks add up more than other regularizers' at the same fit, and
#   how that links to Monte Carlo averaging and to $\bar Z$;
# * the tests the mechanism could fail: one hidden layer, Gaussian dropout, dropout's
#   explicit penalty [@wager2013; @wei2020], and dropout on one layer only.
#
# **You need**
#
# * chapter 02 (masks, Monte Carlo averaging against weight scaling), chapter 04 (the second
#   difference $D$, $\bar Z$, δ) and chapter 05 (the fit frontier and its readings);
# * maths: expectations over random masks, and the second difference of chapter 04.

# %% [markdown]
# **What the paper claims.** Chapter 05 tested the paper's *conclusion*: at the same fit,
# is the function dropout learns more linear than what other regularizers learn? Teague's
# argument [@teague2019] also has a middle step, the one that would make the conclusion more than a
# coincidence. Dropout trains "the composition of all of those subsets of weightings", and
# so "the transformation function from each of these subsets … is increasingly additive
# to the other subsets in its output". Put plainly: every training step keeps a random
# subset of the hidden units; over many steps, what one group of units adds to the output
# should stop depending on which other groups are present. Sub-networks that add up, he
# argues, make a whole that adds up.
#
# **A test that could fail.** Measuring whether dropout's sub-networks add up is easy, but
# read as a sceptic would, a positive answer says little: dropout *trains* the network to
# do well under random masks, so sub-networks that add up under those masks are what its
# objective rewards. The informative question is whether the mechanism is **needed** for
# what dropout does to the function. This chapter:
#
# 1. turns the claim into a measure, $Z_{\mathrm{mask}}$, on sets of units of one layer;
# 2. shows two networks that add up by construction: one hidden layer, and a deep *linear*
#    network;
# 3. measures $Z_{\mathrm{mask}}$ on chapter 05's networks, at one common keep
#    probability and at each network's own, and compares dropout with the others **at the
#    same fit**;
# 4. links it to chapter 02 (Monte Carlo against weight scaling) and chapter 05 ($\bar Z$);
# 5. trains the tests that could show the mechanism is not needed: one hidden layer,
#    noise without sub-networks, dropout's explicit penalty, and dropout on one layer only;
# 6. answers with one figure and one sentence.

# %% tags=["parameters"]
SEED = 0  # seeds the examples and the mask draws
FIRST_NETWORK_SEED = 0  # chapter 05's networks: seeds FIRST_NETWORK_SEED ... + N_SEEDS - 1
N_SEEDS = 16  # chapter 05's seeds: fewer cannot reach the family's level in an exact test
KEEP_PROB = 0.5  # keep probability of the context C (Srivastava's p, not a drop rate)
GLANCE_DROP_RATE = 0.5  # drop rate of the dropout network in the at-a-glance figure
VARIANT_TASK = "moons"  # the task on which the measure's choices are varied
VARIANT_SEEDS = 8  # its first seeds, and VARIANT_DRAWS draws per network: a sensitivity check
VARIANT_DRAWS = 250

# %%
import numpy as np
from IPython.display import Markdown, display

from essay_lib import data, experiment, report
from essay_lib.measures import subnetworks
from essay_lib.nets import models
from essay_lib.report import analogy, mechanism, mechanism_tests, plotting, vocabulary, wording

rng = report.session.setup(seed=SEED)

# %% [markdown]
# ## 1 · From the paper's words to a measure
#
# Write $f(x; m)$ for the network with a mask $m$ on its hidden units: $m_j = 1$
# keeps unit $j$, $m_j = 0$ removes it. A *draw* picks a data point $x$, two
# disjoint sets of hidden units $A$ and $B$ **of the same hidden layer**, and a *context*
# $C$ of other units (from every layer). Then we ask what $A$ adds, what $B$ adds, and
# what both add together, on top of the context:
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
# **The choices, stated before the numbers.** $A$ and $B$ hold one eighth of their
# layer's units each (8 of 64); every other unit joins the context with probability
# `KEEP_PROB`, the same for every network compared, and kept units are scaled by
# 1 / `KEEP_PROB`, as inverted dropout does in training; classifiers are measured on their
# logits, like $\bar Z$ in chapter 04. Why the sets come from one layer is section 2's
# second example. Section 9 varies each choice once.

# %% [markdown]
# ## 2 · Two networks that add up by construction
#
# **One hidden layer.** With one hidden layer $h(x)$ and a linear read-out, the masked
# network is
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
# **A deep linear network.** Without activations, $f(x; m) = W_3 (m_2 \odot W_2 (m_1
# \odot W_1 x))$ is a linear function of $x$, so a measure of the function's linearity
# should find nothing to report. In mask space it is linear in each layer's mask
# *separately* but not jointly: two sets of the same layer add up exactly, while a set
# in layer 1 and a set in layer 2 multiply. Sets drawn across layers would call this
# linear function non-additive, which is why the main definition draws $A$ and $B$ from one
# layer. Numerically, on untrained networks (the gap column is the Monte Carlo −
# weight-scaling gap of section 4, relative to the spread of the output):

# %%
X_demo = rng.normal(size=(200, 2))
demo_nets = {f"ReLU, {d} hidden layer{'s' * (d > 1)}": models.make_mlp(2, [64] * d, 2, seed=SEED)
             for d in (1, 2, 3)}
demo_nets["linear, 2 hidden layers"] = models.make_mlp(2, [64, 64], 2, activation="identity",
                                                       seed=SEED)
demo = {name: [subnetworks.subnetwork_additivity(net, X_demo, keep_prob=KEEP_PROB,
                                                 layers=layers, seed=SEED).value
               for layers in ("same", "all")]
        + [subnetworks.mc_gap(net, X_demo, keep_prob=KEEP_PROB, seed=SEED)]
        for name, net in demo_nets.items()}
display(Markdown(report.tables.markdown_table(
    ["network", "$Z_{\\mathrm{mask}}$, sets in one layer", "sets across layers",
     "MC − weight-scaling gap"],
    [[name, *(wording.residual(v, ".2e") for v in values)] for name, values in demo.items()])))

# %%
one, linear = demo["ReLU, 1 hidden layer"], demo["linear, 2 hidden layers"]
display(Markdown(
    f"With one hidden layer $Z_{{\\mathrm{{mask}}}}$ is {wording.residual(one[0], '.0e')} and "
    f"the Monte Carlo gap {wording.residual(one[2], '+.0e')}. The "
    f"deep linear network has $Z_{{\\mathrm{{mask}}}}$ = {wording.residual(linear[0], '.0e')} on "
    f"sets of one layer but "
    f"{linear[1]:.3f} on sets across layers, for a function that is exactly linear. From "
    f"two ReLU layers on, both measures are clearly positive."))

# %% [markdown]
# ## 3 · $Z_{\mathrm{mask}}$ on chapter 05's networks
#
# Every network of chapter 05 (two hidden layers of 64 ReLU units; four tasks; dropout,
# L1, the L2 penalty, mixup, early stopping and no regularization; 16 seeds) is read back
# from the sweep cache. Its record holds $Z_{\mathrm{mask}}$ twice: at the common keep
# probability `KEEP_PROB`, the same for every network, and at **the network's own
# training keep probability** (1 − its drop rate; 1 for a network trained without
# dropout). The first puts every network on the same masks, which are exactly the masks
# dropout at rate 0.5 trains on; the second asks each network about the sub-networks it
# was trained with. Both use the same draws for every network (common random numbers), in
# float64.

# %%
EXPERIMENT = experiment.essay_experiment(range(FIRST_NETWORK_SEED,
                                               FIRST_NETWORK_SEED + N_SEEDS))
TASKS = EXPERIMENT.tasks
MEASURES = EXPERIMENT[TASKS[0]].measures
records = experiment.run_experiment(EXPERIMENT)
table = report.table.record_table(records)
display(Markdown(
    f"{len(records)} network records. $Z_{{\\mathrm{{mask}}}}$: {MEASURES.mask_draws} draws "
    f"per network, sets of {MEASURES.mask_set_fraction:g} of a layer's units from "
    f"{'one hidden layer' if MEASURES.mask_layers == 'same' else 'all hidden layers'}; "
    f"gap: {MEASURES.mc_samples} masks on each of the first {MEASURES.mc_points} test "
    f"points."))

# %% [markdown]
# The figure shows $Z_{\mathrm{mask}}$ (common keep probability) against each
# regularizer's strength (mean over seeds, with its 95% interval; the grey band is the
# unregularized networks). If dropout makes its sub-networks add up, the dropout panels
# fall from left to right.

# %%
REGS = ("dropout", "l2", "mixup")
curves = {t: analogy.strength_curves(records, t, "z_mask", REGS, seed=SEED) for t in TASKS}
fig = plotting.plot_mask_trends(curves)
_ = plotting.save_figure(fig, "06-z-mask-vs-strength")

# %% [markdown]
# **The rules** are chapter 05's, applied to $Z_{\mathrm{mask}}$. *Trend*: each seed's
# Spearman $\rho$ between drop rate and $Z_{\mathrm{mask}}$ along its own dropout path,
# tested over seeds with the exact sign-flip test; the sub-networks **add up more** when
# the mean $\rho$ is negative and the test survives Holm's correction. *At the same
# fit*: dropout's $Z_{\mathrm{mask}}$ minus another regularizer's at equal test loss,
# along each seed's two paths (chapter 05's frontier), read against a margin
# $\delta_{\mathrm{mask}}$ fixed in advance at one tenth of the unregularized networks'
# mean $Z_{\mathrm{mask}}$ (chapter 04's affine blend cannot serve as the unit here: an
# affine part of $f$ cancels from every mask difference). All tests of the table form one
# Holm family, and the intervals are simultaneous.

# %%
mask_answer = mechanism.mask_answer(table, TASKS)
display(Markdown(mechanism.mask_markdown(mask_answer)))
display(Markdown(mechanism.mask_sentence(mask_answer)))

# %% [markdown]
# Read the two trend columns together. At the common keep probability the masks are
# those of dropout at rate 0.5, so networks trained nearer that rate do better on them: a
# falling $Z_{\mathrm{mask}}$ there is partly the objective at work. At each network's own
# keep probability the question changes with the network, and the sentence above says
# where the trend survives that change and where it turns.

# %% [markdown]
# ## 4 · The bridges to chapters 02 and 05
#
# Section 2 showed that Monte Carlo averaging and weight scaling agree exactly when $f$ is
# affine in the mask, so if $Z_{\mathrm{mask}}$ measures what it should, networks whose
# sub-networks add up better should show a smaller Monte Carlo gap (chapter 02's
# question). And the paper's chain runs: sub-networks add up → the whole network is more
# linear, so networks with a lower $Z_{\mathrm{mask}}$ should have a lower input-space
# $\bar Z$ (chapter 05's measure). Both are read **within seeds**: for each seed, Spearman's
# $\rho$ across all of that seed's networks, then the exact sign-flip test over the 16
# seeds, one Holm family for the table. A bridge to $\bar Z$ is read only where chapter 04
# found $\bar Z$ valid.

# %%
cells = report.validity_report.main_cells(experiment.validity.validity_table(EXPERIMENT))
valid = {t: c.valid for t, c in cells.items()}
deltas = {t: c.delta for t, c in cells.items()}
links = mechanism.bridges(table, ("mc_gap", "z_bar"), TASKS, valid={"z_bar": valid})
fig = plotting.plot_bridges(
    {t: mechanism.network_values(table, t, ("z_mask", "mc_gap")) for t in TASKS},
    "z_mask", "mc_gap", xlabel="$Z_{\\mathrm{mask}}$", ylabel="MC − weight-scaling gap",
    correlations={b.task: f"ρ = {wording.signed(b.estimate)}" for b in links["mc_gap"]})
_ = plotting.save_figure(fig, "06-mc-gap-bridge")

# %%
fig = plotting.plot_bridges(
    {t: mechanism.network_values(table, t, ("z_mask", "z_bar")) for t in TASKS if valid[t]},
    "z_mask", "z_bar", xlabel="$Z_{\\mathrm{mask}}$", ylabel="$\\bar Z$ (input space)",
    correlations={b.task: f"ρ = {wording.signed(b.estimate)}"
                  for b in links["z_bar"] if b.valid})
_ = plotting.save_figure(fig, "06-z-bar-bridge")

# %% [markdown]
# Across *all* of a seed's networks, the regularizers differ in many ways at once. The
# paper's chain is about dropout, so we read the $\bar Z$ bridge once more **along
# dropout's own path** (the unregularized network and the seven drop rates of each seed).

# %%
along = mechanism.bridges(table, ("z_bar",), TASKS, valid={"z_bar": valid},
                          regularizers=("none", "dropout"))
display(Markdown(mechanism.bridge_markdown(
    {"MC gap vs $Z_{\\mathrm{mask}}$": links["mc_gap"],
     "$\\bar Z$ vs $Z_{\\mathrm{mask}}$, all networks": links["z_bar"],
     "$\\bar Z$ vs $Z_{\\mathrm{mask}}$, dropout's path": along["z_bar"]})))
display(Markdown("\n".join([
    "- " + mechanism.bridge_sentence(links["mc_gap"], "the Monte Carlo gap"),
    "- " + mechanism.bridge_sentence(links["z_bar"], "input-space $\\bar Z$ (all networks)"),
    "- " + mechanism.bridge_sentence(along["z_bar"],
                                     "input-space $\\bar Z$ along dropout's path")])))

# %% [markdown]
# ## 5 · Tests the mechanism could fail
#
# If sub-networks that add up are *why* dropout changes the function, then training that
# has no sub-networks, or whose sub-networks add up by construction, should not reproduce
# dropout's effect. Four sweeps, each chapter 05's experiment with one thing changed,
# trained in the batched engine and cached like it, at three of chapter 05's drop rates
# from the weakest to the strongest (`experiment.mechanism.MECHANISM_RATES`):
#
# * **One hidden layer** (64 units), where $Z_{\mathrm{mask}} = 0$ for every network
#   (section 2), with its own early-stopping path as the reference;
# * **Gaussian dropout**: every hidden unit multiplied by $\xi \sim N(1, p/(1-p))$, the
#   same mean and variance as inverted dropout at drop rate $p$, and no unit ever removed;
# * **Dropout's explicit penalty**, trained deterministically, with no noise at all. For a
#   linear read-out $v$, squared error and dropout on the last hidden layer $h$ only,
#   averaging over the masks gives exactly
#   $E_m[(y - \tilde f)^2] = (y - f)^2 + \frac{p}{1-p}\sum_j v_j^2 h_j(x)^2$ ($f$ the
#   weight-scaled network). For cross-entropy we use the second-order approximation of
#   [@wager2013], and say so. This separates what dropout's objective asks for
#   explicitly from the noise it trains with [@wei2020];
# * **Where dropout acts**: the first hidden layer only, and the last only.
#
# Only tasks where chapter 04 found $\bar Z$ valid are trained. The explicit penalty is
# checked against Monte Carlo over random masks on one trained network of each kind (its
# training data; the table gives the Monte Carlo standard error):

# %%
TESTED = [t for t in TASKS if valid[t]]
checks = experiment.mechanism.penalty_checks(EXPERIMENT, ["diabetes", "moons"], seed=SEED)

# %%
display(Markdown(report.tables.markdown_table(
    ["task", "loss of f", "+ explicit penalty", "Monte Carlo over masks (± 1 s.e.)"],
    [[vocabulary.task_label(t), f"{c['plain']:.4f}", f"{c['explicit']:.4f}",
      f"{c['monte_carlo']:.4f} ± {c['standard_error']:.4f}"] for t, c in checks.items()])))
share = {t: (c["explicit"] - c["plain"]) / (c["monte_carlo"] - c["plain"])
         for t, c in checks.items()}
display(Markdown(
    f"For regression (diabetes) the identity is exact: the two differ by "
    f"{abs(checks['diabetes']['explicit'] - checks['diabetes']['monte_carlo']) / checks['diabetes']['standard_error']:.1f} "
    f"standard errors of the Monte Carlo mean. For classification (two moons) the "
    f"second-order penalty accounts for {share['moons']:.0%} of the loss that masks add "
    f"on average: it is an approximation, and on this network a "
    f"{'loose' if abs(share['moons'] - 1) > 0.2 else 'close'} one."))

# %%
variants = experiment.run_experiment(experiment.mechanism.variant_experiment(
    EXPERIMENT[TASKS[0]].seeds, tasks=TESTED))
ONE_LAYER = experiment.mechanism.one_layer_experiment(EXPERIMENT[TASKS[0]].seeds, tasks=TESTED)
one_layer = report.table.record_table(experiment.run_experiment(ONE_LAYER))
one_cells = report.validity_report.main_cells(experiment.validity.validity_table(ONE_LAYER))
display(Markdown(
    f"{len(variants)} networks with dropout's variants and {len(one_layer)} with one hidden "
    f"layer. Largest $Z_{{\\mathrm{{mask}}}}$ of any one-hidden-layer network: "
    f"{wording.residual(one_layer['z_mask'].abs().max(), '.0e')}, as section 2 says. "
    f"$\\bar Z$ is valid for one-hidden-layer networks on "
    f"{sum(c.valid for c in one_cells.values())} of {len(one_cells)} tasks."))

# %% [markdown]
# ## 6 · The answer
#
# For each task and each way of training, the figure shows its **effect**: $\bar Z$ minus
# the $\bar Z$ of plain training stopped early (the unregularized network's own
# trajectory, same architecture) at the same test loss, averaged over the loss range both
# paths cover, paired by seed, with simultaneous intervals over the 16 seeds. The grey
# band is ±δ around 0 (as linear as plain training; δ is chapter 04's unit, the change a
# 10 % affine blend makes); the blue band is ±δ around dropout's own effect. A way of
# training **matches dropout** when its effect minus dropout's, seed by seed, has an
# interval inside ±δ; every effect and every difference is one test of one Holm family.

# %%
tests = mechanism_tests.mechanism_tests(
    report.table.record_table(records + variants), one_layer, TASKS, deltas=deltas,
    valid=valid, valid_one_layer={t: c.valid for t, c in one_cells.items()})
fig = plotting.plot_mechanism_tests(tests)
_ = plotting.save_figure(fig, "06-mechanism-tests")

# %%
display(Markdown(mechanism_tests.tests_markdown(tests)))

# %%
sentence = mechanism_tests.tests_sentence(tests)
_ = report.sentences.write_sentence("06-mechanism", sentence)
display(Markdown(f"**The mechanism in plain words.** {sentence}"))

# %% [markdown]
# ## 7 · Do the variants' sub-networks add up?
#
# The paper's mechanism would also predict that each variant moves $Z_{\mathrm{mask}}$ as
# dropout does. The table gives the mean $Z_{\mathrm{mask}}$ (common keep probability) of
# each variant at each drop rate, beside the unregularized networks, on the tested tasks.

# %%
variant_table = report.table.record_table(variants)
means = variant_table.groupby(["task", "regularizer", "strength"])["z_mask"].mean()
base = table.loc[table["regularizer"] == "none"].groupby("task")["z_mask"].mean()
display(Markdown(report.tables.markdown_table(
    ["task", "variant", "none", *(f"drop rate {r:g}" for r in
                                  experiment.mechanism.MECHANISM_RATES)],
    [[vocabulary.task_label(t), vocabulary.regularizer_label(v), f"{base[t]:.3f}",
      *(f"{means[t, v, r]:.3f}" for r in experiment.mechanism.MECHANISM_RATES)]
     for t in TESTED for v in experiment.mechanism.VARIANTS])))

# %% [markdown]
# ## 8 · At a glance
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
# ## 9 · The choices, varied once
#
# The measure has four free choices. We vary each one at a time around the default,
# on the networks of one task, and read dropout's and L2's trends again: the
# context's keep probability, the size of $A$ and $B$, whether they come from one hidden
# layer or from all (the cross-layer variant of section 2), and whether kept units are
# rescaled. It is a sensitivity check, so it reads the first `VARIANT_SEEDS` seeds with
# `VARIANT_DRAWS` draws per network (the table's first row is the default on those).

# %%
v_spec = EXPERIMENT[VARIANT_TASK].replace(grid={k: v for k, v in EXPERIMENT[
    VARIANT_TASK].grid_dict.items() if k in ("none", "dropout", "l2")},
    seeds=EXPERIMENT[VARIANT_TASK].seeds[:VARIANT_SEEDS])
v_nets = experiment.sweep_models(v_spec)
X_v = data.load_task(VARIANT_TASK, **v_spec.task_kwargs).X_test
VARIANTS = {"default": {}, "keep 0.3": {"keep_prob": 0.3}, "keep 0.8": {"keep_prob": 0.8},
            "sets of 1/16": {"set_fraction": 1 / 16}, "sets of 1/4": {"set_fraction": 0.25},
            "sets across layers": {"layers": "all"}, "no rescaling": {"inverted": False}}
variant_records = {label: experiment.remeasure.z_mask_records(
    v_nets, X_v, task=VARIANT_TASK, n_draws=VARIANT_DRAWS, seed=SEED,
    **{"keep_prob": KEEP_PROB, **choice}) for label, choice in VARIANTS.items()}
display(Markdown(mechanism.variant_markdown(variant_records, VARIANT_TASK)))

# %%
dropout_dirs = {label: report.trends.trend(recs, VARIANT_TASK, "dropout", "z_mask").direction
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
# ## What we measured
#
# Everything below is recomputed from the records each time the notebook runs.

# %%
dropout_effect = {t: r.series["dropout"] for t, r in tests.tasks.items() if r.valid}
display(Markdown("\n".join([
    f"- **Built to add up:** one hidden layer, $Z_{{\\mathrm{{mask}}}}$ = "
    f"{wording.residual(one[0], '.0e')}; a deep linear network, "
    f"{wording.residual(linear[0], '.0e')} on sets of one layer, {linear[1]:.3f} across layers.",
    f"- **Mask space, chapter 05's networks:** {mechanism.mask_sentence(mask_answer)}",
    "- **Bridges:** " + mechanism.bridge_sentence(along["z_bar"],
                                                  "$\\bar Z$ along dropout's path"),
    "- **Dropout against plain training at the same fit:** " + "; ".join(
        f"{vocabulary.task_label(t)} {wording.signed(r.effect.estimate, 3)} ({r.effect_words})"
        for t, r in dropout_effect.items()) + ".",
    f"- **In plain words.** {sentence}",
])))

# %% [markdown]
# ## Takeaways

# %%
display(Markdown("\n".join(f"- {line}" for line in [
    "**The mechanism is a claim in mask space**: what one set of units adds to the output should "
    "not depend on which other sets are present. $Z_{\\mathrm{mask}}$ measures how far that fails, "
    "on sets of units of one layer (sets across layers would call a deep linear network "
    "non-additive).",
    "**Some networks add up by construction.** With one hidden layer and a linear read-out a "
    f"network is affine in its mask: $Z_{{\\mathrm{{mask}}}}$ = {wording.residual(one[0], '.0e')} "
    f"and the Monte Carlo gap {wording.residual(one[2], '+.0e')}.",
    f"**On chapter 05's networks.** {mechanism.mask_sentence(mask_answer)}",
    f"**The tests the mechanism could fail.** {sentence}",
])))

# %% [markdown]
# ## Exercises

# %% [markdown] tags=["exercise"]
# **Exercise 1** (★★ · pen and paper). Show that a network with one hidden layer and a
# linear read-out is affine in its mask $m$, and conclude that $D_{\mathrm{mask}} = 0$ for
# every draw and that Monte Carlo averaging equals weight scaling. Then find a network
# with two hidden layers and no activations whose $D_{\mathrm{mask}}$ is not 0 for a set
# $A$ in layer 1 and a set $B$ in layer 2.

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 1.** With $h(x)$ the hidden layer and $s$ the rescaling of kept units,
#
# $$f(x; m) = W_2 (s\,m \odot h(x)) + b_2 = b_2 + \sum_j m_j\, s\,h_j(x)\, W_{2,:j},$$
#
# one term per unit, each linear in its own $m_j$: $f$ is affine in $m$. Adding the set
# $A$ to any context adds $\sum_{j\in A} s\,h_j(x)\, W_{2,:j}$, whatever else is kept, so
# $w = u + v$ and $D_{\mathrm{mask}} = 0$ on every draw, hence $Z_{\mathrm{mask}} = 0$.
# An affine map commutes with the expectation: with $s = 1/p$ and $E\,m_j = p$,
# $E\,f(x; m) = b_2 + \sum_j h_j(x)\, W_{2,:j}$, the network with every unit kept and
# none rescaled, which is weight scaling.
#
# Without activations and with two layers, $f = W_3 (m_2 \odot W_2 (m_1 \odot W_1 x))$.
# Take an empty context, $A$ = unit $a$ of layer 1 and $B$ = unit $b$ of layer 2. Alone,
# neither unit has a path to the output, so $f(x; C) = f(x; C∪A) = f(x; C∪B) = 0$, but
# together $f(x; C∪A∪B) = W_{3,:b}\, W_{2,ba}\, W_{1,a:}\, x$, so $D_{\mathrm{mask}}$ is
# that product, not 0 when the three weights and $x$ are not. The function is linear in
# $x$ all the same: the masks of two layers multiply. The cell checks all three facts on
# small random networks.

# %% tags=["solution"] jupyter={"source_hidden": true}
X_check = np.random.default_rng(SEED).normal(size=(50, 3))
shallow = models.make_mlp(3, [16], 2, seed=1)
deep_linear = models.make_mlp(3, [16, 16], 2, activation="identity", seed=1)
assert subnetworks.subnetwork_additivity(shallow, X_check, seed=SEED).value < 1e-12
assert abs(subnetworks.mc_gap(shallow, X_check, seed=SEED)) < 1e-6
assert subnetworks.subnetwork_additivity(deep_linear, X_check, seed=SEED).value < 1e-12
assert subnetworks.subnetwork_additivity(deep_linear, X_check, layers="all",
                                         seed=SEED).value > 0.01

# %% [markdown] tags=["exercise"]
# **Exercise 2** (★★★ · pen and paper). Let the last hidden layer $h(x) \in \mathbb R^J$
# feed a linear read-out $f(x) = \sum_j v_j h_j(x) + b$, and apply inverted dropout at
# drop rate $p$ to that layer only: $\tilde f = \sum_j v_j h_j\, m_j / (1-p) + b$ with
# independent $m_j \sim \mathrm{Bernoulli}(1-p)$. Show that for squared error
#
# $$E_m\big[(y - \tilde f)^2\big] = (y - f)^2 + \frac{p}{1-p} \sum_j v_j^2\, h_j(x)^2 .$$
#
# Which units does the penalty leave alone? Why does the same identity hold for Gaussian
# dropout (section 5's variant), and why is it only an approximation for cross-entropy?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 2.** Write $r = m_j/(1-p)$: $E\,r = 1$ and
# $\operatorname{Var} r = \frac{(1-p)\,p}{(1-p)^2} = \frac{p}{1-p}$. So
# $E\,\tilde f = \sum_j v_j h_j + b = f$, the weight-scaled network, and with the $m_j$
# independent, $\operatorname{Var} \tilde f = \sum_j v_j^2 h_j^2 \frac{p}{1-p}$. For any
# random $\tilde f$, $E(y - \tilde f)^2 = (y - E\tilde f)^2 + \operatorname{Var}\tilde f$
# (expand around $E\tilde f$; the cross term has mean 0), which is the identity. The
# penalty is a ridge penalty on the read-out weights, each weighted by its unit's squared
# activation at $x$: units that are off at $x$ ($h_j(x) = 0$, a silent ReLU) cost nothing,
# so dropout asks for small weights on the units that are active, not on all of them.
# Only the mean and the variance of the noise entered, and Gaussian dropout's
# $\xi \sim N(1, p/(1-p))$ has the same two, so the identity holds for it exactly. For
# cross-entropy the loss is not quadratic in $\tilde f$: a second-order expansion gives
# Wager et al.'s penalty, and the higher moments of the noise are dropped. The cell checks
# the identity exactly, by summing over all $2^J$ masks with their probabilities, and
# against Monte Carlo.

# %% tags=["solution"] jupyter={"source_hidden": true}
rng_check = np.random.default_rng(SEED)
p, J, b, y = 0.3, 5, 0.2, 1.0
h, v = rng_check.uniform(0, 2, size=J), rng_check.normal(size=J)
f = v @ h + b
penalty = p / (1 - p) * np.sum(v ** 2 * h ** 2)
masks = (np.arange(2 ** J)[:, None] >> np.arange(J)) & 1  # all 2^J masks, one per row
weights = (1 - p) ** masks.sum(axis=1) * p ** (J - masks.sum(axis=1))
f_tilde = (masks * v * h).sum(axis=1) / (1 - p) + b
assert np.isclose(weights @ (y - f_tilde) ** 2, (y - f) ** 2 + penalty, rtol=1e-12, atol=0)
sampled = rng_check.random((200_000, J)) >= p  # keep a unit with probability 1 - p
losses = (y - ((sampled * v * h).sum(axis=1) / (1 - p) + b)) ** 2
assert abs(losses.mean() - (y - f) ** 2 - penalty) < 4 * losses.std() / np.sqrt(len(losses))

# %% [markdown] tags=["exercise"]
# **Exercise 3** (★ · computation). Build untrained networks with two hidden layers of
# widths 16, 64 and 256 (`models.make_mlp(2, [w, w], 2, seed=SEED)`) and measure their
# $Z_{\mathrm{mask}}$ on section 2's points `X_demo` with the default choices
# (`seed=SEED`). Set `answer_3` to a dict from width to $Z_{\mathrm{mask}}$. Does the
# measure of a random network depend on its width?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 3.** One call of `subnetworks.subnetwork_additivity` per width. The sets
# hold one eighth of a layer's units at every width, so a wider network's sets hold more
# units; the values are what a trained network of the same width is to be compared with,
# not 0.

# %% tags=["solution"] jupyter={"source_hidden": true}
answer_3 = {w: subnetworks.subnetwork_additivity(models.make_mlp(2, [w, w], 2, seed=SEED),
                                                 X_demo, seed=SEED).value
            for w in (16, 64, 256)}

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown("Untrained two-layer networks: " + "; ".join(
    f"width {w}, $Z_{{\\mathrm{{mask}}}}$ = {z:.3f}" for w, z in answer_3.items()) + "."))

# %% tags=["solution", "check"] jupyter={"source_hidden": true}
assert set(answer_3) == {16, 64, 256}
assert all(0 <= z <= 1 for z in answer_3.values())
assert np.isclose(answer_3[16], subnetworks.subnetwork_additivity(
    models.make_mlp(2, [16, 16], 2, seed=SEED), X_demo, seed=SEED).value)

# %% [markdown] tags=["exercise"]
# **Exercise 4** (★★ · computation). Chapter 02 found that Monte Carlo averaging needs
# many samples to match weight scaling. Using section 3's records (`table`, column
# `mc_gap`), find on each task the (regularizer, strength) whose networks have the
# smallest mean gap over seeds (signed, as recorded). Set `answer_4` to a dict from task
# to that pair. Is it dropout's setting everywhere, and why would one expect dropout to
# do well here?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 4.** Group the records by task, regularizer and strength, average the gap
# over seeds, and take the smallest row per task. Dropout trains the network under the
# very masks that Monte Carlo averaging draws, so its objective rewards a network whose
# average over masks is close to the weight-scaled one (for one hidden layer they are
# equal, exercise 1); other regularizers do not ask for that, though they may get it by
# flattening the function.

# %% tags=["solution"] jupyter={"source_hidden": true}
gaps = table.groupby(["task", "regularizer", "strength"])["mc_gap"].mean()
smallest = gaps.groupby(level="task").idxmin()
answer_4 = {task: (regularizer, strength) for task, (_, regularizer, strength)
            in smallest.items()}

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown("Smallest mean gap: " + "; ".join(
    f"{task}, `{reg}` at {strength:g}"
    for task, (reg, strength) in answer_4.items()) + "."))

# %% tags=["solution", "check"] jupyter={"source_hidden": true}
mean_gap = table.groupby(["task", "regularizer", "strength"])["mc_gap"].mean()
assert set(answer_4) == set(table["task"])
assert all(np.isclose(mean_gap[task, reg, strength], mean_gap[task].min())
           for task, (reg, strength) in answer_4.items())
