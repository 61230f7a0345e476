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
# # 08 · Conclusion: the analogy, measured

# %% [markdown]
# **You will learn**
#
# * the essay's answer to the paper, in plain words;
# * the paper's analogy table filled in with measured numbers: L1 and sparsity, L2 and the
#   weight norm, dropout and $\bar Z$;
# * what held and what did not, what the mechanism (chapter 06) and the other architectures
#   (chapter 07) add, and the limits of what was shown;
# * where to read further.
#
# **You need**
#
# * chapters 01, 04 and 05 (the three arms of the analogy and the verdict), and chapters 06
#   and 07 for their findings;
# * maths: rank correlation and intervals over seeds (the appendix's statistics primer).

# %% [markdown]
# **What the paper claims.** Teague's conclusion [@teague2019] restates the analogy in one
# line: L1 regularization shifts a network's weights toward sparsity, L2 toward
# "macro reduction", and dropout shifts the function the network computes
# toward increased linearity, so a measure of linearity $Z$ should fall as the
# drop rate rises, the way sparsity rises with the L1 coefficient and the weight
# norm falls with the L2 one. He offers the measure as a way to demonstrate the
# effect, without running the demonstration.
#
# Chapter 05 ran it, and asked the question the analogy really poses: not only whether
# $\bar Z$ falls as the drop rate rises, but whether, **at the same fit**, dropout's
# function is more linear than what L1, L2, mixup or plain early stopping learn. This
# chapter states that answer in plain words, then puts the three arms of the analogy side
# by side, with the same networks and the same rules: for each arm and each task, the
# mean over seeds of each seed's Spearman $\rho$ between strength and the measure, with
# its exact sign-flip interval, and the size of the change from no regularization to the
# strongest setting, paired by seed. It reads chapter 05's cached networks, so it runs in
# seconds.

# %% tags=["parameters"]
SEED = 0  # seeds the figure's layout only: every test here is exact
FIRST_NETWORK_SEED = 0  # chapter 05's networks: seeds FIRST_NETWORK_SEED ... + N_SEEDS - 1
N_SEEDS = 16  # network seeds per setting

# %%
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from essay_lib import experiment
from essay_lib.report import (
    analogy,
    answer,
    beyond_verdict,
    mechanism_tests,
    plotting,
    sentences,
    session,
    trends,
    validity_report,
)
from essay_lib.report import table as record_table

# %%
rng = session.setup(seed=SEED)
EXPERIMENT = experiment.essay_experiment(range(FIRST_NETWORK_SEED,
                                               FIRST_NETWORK_SEED + N_SEEDS))
records = experiment.run_experiment(EXPERIMENT)
main = validity_report.main_cells(experiment.validity.validity_table(EXPERIMENT))
the_answer = answer.experiment_answer(
    record_table.record_table(records), EXPERIMENT.tasks,
    deltas={t: c.delta for t, c in main.items()}, valid={t: c.valid for t, c in main.items()})
rows = analogy.analogy_rows(records, seed=SEED)

# %% [markdown]
# ## The answer, in plain words

# %%
display(Markdown(f"**{answer.plain_answer(the_answer)}**"))
display(Markdown(answer.answer_markdown(the_answer)))

# %% [markdown]
# ## The analogy table
#
# Each line is one arm of the analogy: a regularizer, the measure it should
# move, and the direction the paper expects (↑ rises, ↓ falls with strength).
# The first three lines are the paper's analogy itself; the others hold dropout
# to the other measures of linearity of chapter 04, and to the raw defect in
# output units. A cell reads **✓** when the 95% interval of $\rho$ lies on the
# expected side of 0, **✗** when it lies on the other side, and **?** when it
# contains 0: chapter 05's seed-level rule.

# %%
table = analogy.analogy_markdown(rows)
_ = sentences.write_table("08-analogy-table", table)  # the site's index shows it too
display(Markdown(table))

# %% [markdown]
# The size of each effect: the mean over the seeds without regularization → at
# the strongest setting of the grid, and the mean change, paired by seed, with its
# 95% interval (weight sparsity is the fraction of weights whose absolute value is below
# the learning rate, printed below; the weight norm is the Euclidean norm of all weights).

# %%
display(Markdown(analogy.analogy_markdown(rows, what="effect")))
threshold = EXPERIMENT[EXPERIMENT.tasks[0]].measures.sparsity_threshold
display(Markdown(f"Near zero means $|w| <$ {threshold:g}, the learning rate "
                 f"{EXPERIMENT[EXPERIMENT.tasks[0]].lr:g}."))

# %% [markdown]
# ## What held, and what did not
#
# The analogy's arms, read by the table's rule. An arm that holds says only that the
# measure moves with strength; the answer above says whether dropout's move is its own.

# %%
display(Markdown("\n".join(f"- {line}" for line in analogy.analogy_findings(rows))))

# %% [markdown]
# The closing figure draws the analogy's arms and the two controls of chapter
# 05 (the L2 penalty and mixup acting on $\bar Z$) as rank correlations: a dot
# right of the vertical line means the measure rises with strength, left means it
# falls; the shaded side is the one the paper expects.

# %%
FIGURE_CLAIMS = (*analogy.CLAIMS[:3], analogy.Claim("l2", "z_bar", "falls"),
                 analogy.Claim("mixup", "z_bar", "falls"))
figure_rows = analogy.analogy_rows(records, FIGURE_CLAIMS, seed=SEED)
fig = plotting.plot_analogy(analogy.forest_rows(figure_rows), [c.expected for c in FIGURE_CLAIMS],
                            title=f"The paper's analogy, measured on {len(EXPERIMENT)} tasks × "
                                  f"{len(EXPERIMENT[EXPERIMENT.tasks[0]].seeds)} seeds")
_ = plotting.save_figure(fig, "08-analogy")
alt = ("Forest plot of Spearman's rho between regularization strength and a measure, per task: "
       "L1 and weight sparsity, L2 and weight norm, dropout and the linearity defect Z-bar, and "
       "the controls L2 and mixup on Z-bar. "
       + answer.as_plain_text(answer.plain_answer(the_answer)))
display(fig, metadata={"image/png": {"alt": alt}})
plt.close(fig)

# %% [markdown]
# Chapter 06 tested the paper's *mechanism*: do the sub-networks that dropout trains add
# up, and is that why its function changes? Its answer compares, at the same fit, dropout
# with training that has no sub-networks (Gaussian dropout, dropout's explicit penalty) or
# whose sub-networks add up by construction (one hidden layer).

# %%
mechanism_answer = mechanism_tests.tests_sentence(sentences.mechanism_tests_of(
    range(FIRST_NETWORK_SEED, FIRST_NETWORK_SEED + N_SEEDS)))
display(Markdown(f"**The mechanism (chapter 06):** {mechanism_answer}"))

# %%
BEYOND = experiment.beyond.beyond_variants()
beyond = beyond_verdict.variant_verdicts(experiment.run_variants(BEYOND), BEYOND, seed=SEED)
display(Markdown(f"**Beyond one small network (chapter 07):** "
                 f"{beyond_verdict.beyond_sentence(beyond)}"))

# %% [markdown]
# ## Limits of what we showed
#
# * **$Z$ is our reconstruction.** The paper's formula was an image and is
#   lost. We built $\bar Z$ from its words (additivity, "the step preceding the
#   coarse graining", its citation of Taleb et al. [@taleb2012]) and had to choose: the
#   second difference instead of the literal test (which only sees the bias),
#   normalisation by the size of the changes, a ratio of sums over triples, and
#   displacements half the size of differences between data points. Another
#   faithful reading could weigh things differently; chapter 04 checks where the measure
#   responds to known changes of linearity, and the appendix reads the answer under
#   every other specification (output representation, displacement scale, triples
#   inside or beyond the data).
# * **Small networks, small data.** Chapter 05 tests two hidden layers of 64 ReLU
#   units, full-batch Adam, a fixed number of epochs (checked to reach their
#   plateau), four tasks that fit on a laptop: the regime where an oversized
#   network overfits a small data set. Chapter 07 varies one thing at a time
#   around it.
# * **Sixteen seeds.** Every test is an exact sign-flip test over network seeds; with
#   16 of them its smallest p-value is $2/2^{16}$, small enough for the family of tests
#   the answer reads (a simulation checks that the whole rule calls a null effect about
#   5 % of the time). Fresh seeds and a fresh draw of the data replicate it. Chapter
#   07's variants have 5 seeds, too few for any exact test to reach 5 %: they describe,
#   they do not decide.
# * **Equal fit is read along each regularizer's path.** Where a path crosses a loss
#   level twice, the lower $\bar Z$ counts; where two paths do not cover the same loss
#   range, there is no comparison. A different reading of "the same fit" (training loss
#   instead of test loss) is shown beside the main one in chapter 05.
# * **Monotone trends only.** Spearman's $\rho$ detects a steady rise or fall with
#   strength; a U-shape reads as "no clear trend", which is why the answer rests on the
#   frontier, not on the trend.
# * **Sparsity is measured with a threshold.** With Adam, L1 rarely lands a
#   weight exactly on zero: a weight it pins there jitters by about one step, the learning
#   rate (chapter 01), so "sparse" means "below the learning rate".
# * **Test inputs only.** Every measure is taken on the test inputs of each
#   task. Far from the data, the functions can behave differently.
#
# ## Further reading
#
# * The dropout paper [@srivastava2014], after its first description [@hinton2012]: the
#   method, the keep-probability convention, weight scaling against Monte Carlo averaging,
#   and the link to ridge regression for linear models.
# * Dropout as adaptive regularization [@wager2013]: to second order, dropout on a
#   generalized linear model is an L2 penalty scaled by the data, the bridge checked
#   exactly in chapter 02.
# * The implicit and explicit regularization effects of dropout [@wei2020]: dropout's
#   explicit part penalises a curvature-weighted sensitivity of the output to the hidden
#   units; one precise sense in which dropout does prefer "flatter" functions.
# * The inductive bias of dropout [@helmbold2015; @helmbold2017]: dropout's penalty is not
#   a norm, and in deep networks it can grow exponentially with depth, evidence that
#   dropout is not just L2 in disguise.
# * Two readings of the average over sub-networks: a normalised geometric mean
#   [@baldi2013], and approximate Bayesian inference [@gal2016].
# * Sensitivity and generalization [@novak2018]: the input–output Jacobian norm as a
#   measure of a trained network's sensitivity, and its link to generalization.
# * The linear regions of ReLU networks [@hanin2019]: counting the linear pieces, and why
#   trained networks have far fewer than their bound.
# * *Deep Learning* [@goodfellow2016]: chapter 5 (capacity, Figs 5.2 and 5.5) and
#   chapter 7 (regularization, dropout and its bagging interpretation), the sources of the
#   paper's pictures.
# * The fragility heuristic [@taleb2012]: the second-difference heuristic $H$ that the
#   paper cites, the diagonal case of our $D$.
# * mixup [@zhang2018]: the positive control of chapters 04 and 05; MNIST-1D
#   [@greydanus2020]: the harder task of chapter 07.
#
# Every work the essay cites is listed, with a link to read it, on the site's references
# page.

# %% [markdown]
# ## Takeaways

# %%
display(Markdown("\n".join(f"- {line}" for line in [
    f"**The answer.** {answer.plain_answer(the_answer)}",
    "**The analogy's arms, one by one.** " + " ".join(analogy.analogy_findings(rows)),
    "**The linearity arm needed a measure first**: $\\bar Z$, a bounded, scale-free "
    "second-difference defect, checked on functions whose answer is known and validated task "
    "by task on the trained networks (chapter 04).",
    f"**The mechanism.** {mechanism_answer}",
    f"**Beyond one small network.** {beyond_verdict.beyond_sentence(beyond)}",
])))

# %% [markdown]
# ## Exercises
#
# 1. Add a claim, e.g. `analogy.Claim("dropout", "mean_hidden_activation",
#    "falls")` (Srivastava et al. report that dropout lowers mean activations),
#    to `analogy.analogy_rows(records, [...])`. Does it hold on every task?

# %% [markdown] jupyter={"source_hidden": true} tags=["solution"]
# **Solution 1.** One more claim, read by the same rule.

# %% jupyter={"source_hidden": true} tags=["solution"]
activation = analogy.analogy_rows(records, [analogy.Claim("dropout", "mean_hidden_activation",
                                                          "falls")], seed=SEED)
display(Markdown(analogy.analogy_markdown(activation)))
display(Markdown(" ".join(analogy.analogy_findings(activation))))

# %% [markdown]
# 2. The rule uses 95% intervals. Rebuild the analogy table with `confidence=0.8`
#    in `analogy.analogy_rows`: which cells change, and what does that say about
#    how close they were?

# %% [markdown] jupyter={"source_hidden": true} tags=["solution"]
# **Solution 2.** Narrower intervals can only turn a **?** into a ✓ or ✗.

# %% jupyter={"source_hidden": true} tags=["solution"]
loose = analogy.analogy_rows(records, confidence=0.8, seed=SEED)
flipped = [f"{a.claim.label} on {a.task}: {a.outcome} → {b.outcome}"
           for a, b in zip(rows, loose, strict=True) if a.outcome != b.outcome]
display(Markdown(f"{len(flipped)} of {len(rows)} cells change at 80%"
                 + (": " + "; ".join(flipped) + "." if flipped else ".")
                 + " Those were the close calls: their 95% intervals only just reached 0."))

# %% [markdown]
# 3. Ask the same question of L1: is L1's effect on $\bar Z$ (chapter 05's
#    trends) closer to dropout's or to the L2 penalty's? What would that mean for
#    the analogy?

# %% [markdown] jupyter={"source_hidden": true} tags=["solution"]
# **Solution 3.** We compare L1's seed-level trend on $\bar Z$ with dropout's and
# L2's, task by task.

# %% jupyter={"source_hidden": true} tags=["solution"]
z_trends = trends.trend_table(records, regularizers=("dropout", "l1", "l2"), seed=SEED)
closer = {t: "dropout" if abs(trends.find_trend(z_trends, t, "l1").rho
                              - trends.find_trend(z_trends, t, "dropout").rho)
          < abs(trends.find_trend(z_trends, t, "l1").rho - trends.find_trend(z_trends, t, "l2").rho)
          else "L2" for t in EXPERIMENT.tasks}
display(Markdown(
    "L1's ρ on $\\bar Z$ is closer to " + "; ".join(f"{w}'s on {t}" for t, w in closer.items())
    + ". Where every penalty lowers $\\bar Z$ alike, lower $\\bar Z$ is a property of "
      "regularization in general, not of dropout's sub-networks."))
