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

# %% [markdown] tags=["exercise"]
# **Exercise 1** (★ · conceptual). The analogy table's row "dropout → $\bar Z$ ↓" can
# read ✓ on a task where the answer of chapter 05 says that dropout's function is *not*
# more linear than L2's at the same fit. (a) How can both be true? (b) What result would
# overturn the essay's answer in the paper's favour? (c) What result would overturn not
# the answer but the measure it is read in?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 1.** (a) The table reads the trend of $\bar Z$ along dropout's own strength
# path: stronger dropout, lower $\bar Z$. So does every regularizer that loosens the fit,
# and so does stopping early. The answer asks a different question: at equal test loss,
# is dropout's $\bar Z$ below the others'? A ✓ and a "not more linear" together say that
# dropout lowers $\bar Z$ by loosening the fit, as L2 does, and no further. (b) On every
# task where the measure is valid, dropout's excess $\bar Z_{\mathrm{dropout}}(\ell) -
# \bar Z_X(\ell)$ over each comparator with its whole simultaneous interval below $-\delta$
# ("more linear"), the same reading again on fresh seeds and a fresh split of the data,
# and under the appendix's other specifications of $\bar Z$. (c) Chapter 04's checks
# failing on the trained networks (the affine blend not driving $\bar Z$ to 0, or mixup
# not lowering it in the space it trains), or the answer changing sign with an arbitrary
# choice of the measure (the output representation, the displacement scale, the
# triples): then the verdict is about the measure, not about dropout. The sentence below
# counts both readings on this page.

# %% tags=["solution"] jupyter={"source_hidden": true}
dropout_z = [row for row in rows if row.claim == analogy.Claim("dropout", "z_bar", "falls")]
more_linear = [code for code in the_answer.readings().values()
               if code in ("more_linear", "slightly_more_linear")]
display(Markdown(
    f"Here the arm dropout → $\\bar Z$ ↓ held on {sum(r.outcome == 'held' for r in dropout_z)} "
    f"of {len(dropout_z)} tasks, and at the same fit dropout's function was more linear "
    f"than the comparator in {len(more_linear)} of {len(the_answer.readings())} comparisons."))

# %% [markdown] tags=["exercise"]
# **Exercise 2** (★★ · pen and paper). One seed's $\bar Z$ over the drop rates 0, 0.1,
# 0.2, 0.3, 0.4 is 0.30, 0.25, 0.20, 0.26, 0.29: it falls by a third, then comes back.
# Compute its Spearman $\rho$ by hand, with $\rho = 1 - 6\sum_i d_i^2 / (n(n^2-1))$ for
# $n$ values without ties, $d_i$ the difference between the rank of the $i$-th strength
# and the rank of its $\bar Z$. Do the same for 0.30, 0.25, 0.20, 0.18, 0.16. What does
# the pair say about the limit "monotone trends only"?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 2.** The strengths have ranks 1 to 5. The U-shaped values rank
# 5, 2, 1, 3, 4 (0.20 is the smallest), so $d = (-4, 0, 2, 1, 1)$,
# $\sum d_i^2 = 16 + 0 + 4 + 1 + 1 = 22$ and
#
# $$\rho = 1 - \frac{6 \cdot 22}{5 \cdot 24} = 1 - \frac{132}{120} = -0.1 .$$
#
# The steady fall ranks 5, 4, 3, 2, 1, $\sum d_i^2 = 16 + 4 + 0 + 4 + 16 = 40$ and
# $\rho = 1 - 240/120 = -1$. A path whose middle is far more linear than either end
# reads almost "no trend", while a fall of the same depth that stays down reads a
# perfect one: $\rho$ sees order, not depth, and a U-shape cancels itself. That is one
# reason the answer rests on the frontier (the excess at equal fit) rather than on the
# trend. The cell checks both values with the package's per-seed trend.

# %% tags=["solution"] jupyter={"source_hidden": true}
from essay_lib.report import inference

paths_rho = inference.seed_trends([0, 0.1, 0.2, 0.3, 0.4], [[0.30, 0.25, 0.20, 0.26, 0.29],
                                                           [0.30, 0.25, 0.20, 0.18, 0.16]])
assert abs(paths_rho[0] - (-0.1)) < 1e-12 and abs(paths_rho[1] - (-1)) < 1e-12

# %% [markdown] tags=["exercise"]
# **Exercise 3** (★★ · computation). Srivastava et al. report that dropout lowers the
# mean activation of the hidden units [@srivastava2014]. Add the claim
# `analogy.Claim("dropout", "mean_hidden_activation", "falls")` and read it with
# `analogy.analogy_rows(records, [...], seed=SEED)`, the table's rule. Set `answer_3` to a
# dict from task to the claim's outcome (`"held"`, `"opposite"` or `"unclear"`).

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 3.** One more claim, read by the same rule: each seed's Spearman $\rho$
# between drop rate and mean activation, its exact sign-flip interval over seeds, and the
# outcome from the side of 0 the interval lies on.

# %% tags=["solution"] jupyter={"source_hidden": true}
activation = analogy.analogy_rows(
    records, [analogy.Claim("dropout", "mean_hidden_activation", "falls")], seed=SEED)
answer_3 = {row.task: row.outcome for row in activation}

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown(analogy.analogy_markdown(activation)))

# %% tags=["solution", "check"] jupyter={"source_hidden": true}
expected = analogy.analogy_rows(
    records, [analogy.Claim("dropout", "mean_hidden_activation", "falls")], seed=SEED)
assert dict(answer_3) == {row.task: row.outcome for row in expected}
assert set(answer_3.values()) <= {"held", "opposite", "unclear"}

# %% [markdown] tags=["exercise"]
# **Exercise 4** (★★ · computation). The table's rule uses 95 % intervals. Rebuild the
# rows with `confidence=0.8` in `analogy.analogy_rows` and set `answer_4` to the list of
# (claim label, task) cells whose outcome changes, in the table's order. Which outcomes
# can change, and in which direction?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 4.** The exact sign-flip interval at 80 % lies inside the one at 95 %: it
# keeps the shifts that a test at level 20 % does not reject, a subset of those a test at
# 5 % does not reject. So an interval that lay on one side of 0 still does, and only a
# "?" (an interval containing 0) can become a ✓ or a ✗. The cells that change are the
# close calls, where 0 sat near an end of the 95 % interval.

# %% tags=["solution"] jupyter={"source_hidden": true}
loose = analogy.analogy_rows(records, confidence=0.8, seed=SEED)
answer_4 = [(strict.claim.label, strict.task) for strict, wide in zip(rows, loose, strict=True)
            if strict.outcome != wide.outcome]

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown(f"{len(answer_4)} of {len(rows)} cells change at 80 %."))

# %% tags=["solution", "check"] jupyter={"source_hidden": true}
at_80 = {(r.claim.label, r.task): r.outcome
         for r in analogy.analogy_rows(records, confidence=0.8, seed=SEED)}
assert list(answer_4) == [(r.claim.label, r.task) for r in rows
                          if r.outcome != at_80[r.claim.label, r.task]]
assert all(r.outcome == "unclear" for r in rows if (r.claim.label, r.task) in answer_4)

# %% [markdown] tags=["exercise"]
# **Exercise 5** (★★★ · computation). Is L1's effect on $\bar Z$ closer to dropout's or to
# the L2 penalty's? Read the trends with `trends.trend_table(records, regularizers=
# ("dropout", "l1", "l2"), seed=SEED)` and set `answer_5` to a dict from task to the pair
# ($|\rho_{L1} - \rho_{\mathrm{dropout}}|$, $|\rho_{L1} - \rho_{L2}|$) of mean per-seed
# $\rho$. What would it mean for the analogy if L1 sat with L2 everywhere?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 5.** Each `Trend` carries the mean over seeds of the per-seed $\rho$; we take
# the distances task by task. If L1 and L2, two penalties on the weights, move $\bar Z$
# alike while dropout moves it differently, then the lower $\bar Z$ under the penalties is
# what loosening the fit does in general, and dropout's effect on the function has its
# own character; whether that character is "more linear at the same fit" is chapter 05's
# frontier question, not this one. If L1 sat with dropout instead, the analogy's claim
# that dropout acts on linearity as L1 acts on sparsity would lose its contrast.

# %% tags=["solution"] jupyter={"source_hidden": true}
z_trends = trends.trend_table(records, regularizers=("dropout", "l1", "l2"), seed=SEED)
rho = {(t.task, t.regularizer): t.rho for t in z_trends}
answer_5 = {task: (abs(rho[task, "l1"] - rho[task, "dropout"]),
                   abs(rho[task, "l1"] - rho[task, "l2"])) for task in EXPERIMENT.tasks}

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown(f"L1's ρ on $\\bar Z$ is closer to L2's than to dropout's on "
                 f"{sum(to_l2 < to_dropout for to_dropout, to_l2 in answer_5.values())} "
                 f"of {len(answer_5)} tasks."))

# %% tags=["solution", "check"] jupyter={"source_hidden": true}
reference = {(t.task, t.regularizer): t.rho for t in
             trends.trend_table(records, regularizers=("dropout", "l1", "l2"), seed=SEED)}
assert set(answer_5) == set(EXPERIMENT.tasks)
assert all(abs(answer_5[task][0] - abs(reference[task, "l1"] - reference[task, "dropout"]))
           < 1e-12 and abs(answer_5[task][1] - abs(reference[task, "l1"] - reference[task, "l2"]))
           < 1e-12 for task in EXPERIMENT.tasks)
