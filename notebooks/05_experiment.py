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
# # 05 · The experiment: is dropout's function more linear at the same fit?

# %% [markdown]
# **You will learn**
#
# * why "$\bar Z$ falls as the drop rate rises" is not enough to support the paper's analogy;
# * how to compare regularizers at the same fit: the fit frontier, paired by network seed;
# * how to read an interval against a margin δ fixed in advance (more linear, as linear, less
#   linear, undetermined), with Holm's correction over the whole family of tests [@holm1979];
# * the answer, in plain words, and whether it replicates on fresh networks and a fresh split
#   of the data.
#
# **You need**
#
# * chapter 04 ($\bar Z$, the validity table, δ), and chapters 01 and 02 (L1, L2, dropout);
# * maths: rank correlation, paired comparisons, confidence intervals; the appendix's
#   statistics primer explains the sign-flip test and Holm's correction.

# %% [markdown]
# **What the paper claims.** Teague's analogy [@teague2019] is the heart of the paper: L1 makes a
# network's weights sparse, L2 makes them small, and dropout makes the function it
# computes more linear, so that a measure of linearity should fall "with increased
# dropout ratio". Chapter 04 built that measure, $\bar Z$, and checked that it responds
# to known changes of linearity on the networks of this experiment: it gives us a
# validated measure on each task and a unit to read effects in, δ, the change of
# $\bar Z$ that a 10 % blend with the best affine fit makes.
#
# **Why "Z̄ falls" is not enough.** Anything that stops a network from fitting its
# training points too closely can flatten what it computes: a stronger L2 penalty, a
# stronger L1 penalty, mixup [@zhang2018], or simply training for fewer epochs. If all of them lower
# $\bar Z$ as they loosen the fit, a fall under dropout says nothing special about
# dropout. The analogy claims more: that dropout is to linearity what L1 is to sparsity.
# So the question of this chapter is
#
# > **at the same fit, is the function that dropout learns more linear than the one
# > that L1, L2, mixup or early stopping learns?**
#
# We answer it in plain words first, then show how: the experiment (§2), every
# regularizer's effect on $\bar Z$ (§3), the fit frontier on which regularizers are
# compared at equal loss (§4), the readings by rules fixed in advance (§5), and a
# replication on fresh networks and a fresh split of the data (§6).

# %% tags=["parameters"]
SEED = 0  # seeds the examples of this chapter (the tests are exact: no resampling)
FIRST_NETWORK_SEED = 0  # the experiment trains seeds FIRST_NETWORK_SEED ... + N_SEEDS - 1
N_SEEDS = 16  # networks per setting: 16 seeds let an exact test reach the family's level
FRESH_DATA_SEED = 1  # the replication's data split (the main experiment uses 0)

# %%
import numpy as np
from IPython.display import HTML, Markdown, display

from essay_lib import data, experiment, report
from essay_lib.measures import linearity
from essay_lib.report import plotting, session, vocabulary

rng = session.setup(seed=SEED)

# %% [markdown]
# The experiment is one frozen spec (`experiment.essay_experiment`): four tasks, an
# oversized 2 × 64 ReLU network, and every regularizer at a range of strengths, each
# trained from 16 network seeds. The sweep engine trains all networks of a task at once
# and caches every network's weights and measured record on disk, so a second run of
# this notebook reads them back in seconds.

# %%
EXPERIMENT = experiment.essay_experiment(range(FIRST_NETWORK_SEED,
                                               FIRST_NETWORK_SEED + N_SEEDS))
TASKS = EXPERIMENT.tasks
records = experiment.run_experiment(EXPERIMENT)
table = report.table.record_table(records)
cells = experiment.validity.validity_table(EXPERIMENT)
main_cells = {c.task: c for c in cells
              if c.representation == "logits" and c.geometry == "extrapolating"}
answer = report.answer.experiment_answer(
    table, TASKS, deltas={t: c.delta for t, c in main_cells.items()},
    valid={t: c.valid for t, c in main_cells.items()})

# %% [markdown]
# ## 1 · The answer, in plain words

# %%
plain = report.answer.plain_answer(answer)
_ = report.sentences.write_sentence("05-answer", plain)
display(Markdown(f"**In plain words.** {plain}"))

# %% [markdown]
# The rest of the chapter shows where each number comes from.
#
# ## 2 · The experiment
#
# * **Tasks**, all offline: the noisy 1-D quadratic of chapter 03 (20 training points),
#   two interleaved moons (2-D, two classes), scikit-learn's diabetes data (10 features,
#   regression) and its 8×8 digits (64 pixels, ten classes, trained on a small share of
#   the images). Each task's held-out rows are split in half: the validation half is
#   kept apart, the test half is where every measure and every test loss is taken.
# * **Regularizers**: dropout on both hidden layers (the drop rate, PyTorch's
#   convention), L1 and L2 penalties on the weights (added to the loss inside Adam),
#   mixup (training on convex combinations of pairs of examples and their targets), and
#   **plain training stopped early**: the unregularized network trained for a half, a
#   quarter, an eighth or a sixteenth of the epochs. Much of what any regularizer does
#   is to stop the fit from going further, and early stopping does only that.
# * **The unit of evidence is the network seed.** A seed fixes one network's initial
#   weights and its random draws; networks that share a seed share their start and
#   their unregularized reference, so every comparison below is paired by seed and
#   every test is a test over seeds.

# %%
display(Markdown(report.experiment_tables.tasks_markdown(EXPERIMENT)))
display(Markdown(
    report.experiment_tables.grid_markdown(EXPERIMENT)
    + f"\n\nIn all: {len(records)} networks, seeds {min(EXPERIMENT[TASKS[0]].seeds)}–"
      f"{max(EXPERIMENT[TASKS[0]].seeds)}."))

# %% [markdown]
# ### Is training long enough?
#
# A fixed number of epochs is only fair if the unregularized networks have stopped
# learning by the end. The figure shows their training and test loss through training
# (mean over seeds; the band is the spread between seeds); the rule reads the last
# quarter of training.

# %%
plateaus = {t: report.matched.plateau(records, t) for t in TASKS}
fig = plotting.plot_training_curves(records, TASKS,
                                    window_starts={t: p.window_start for t, p in plateaus.items()})
_ = plotting.save_figure(fig, "05-training-curves")
display(Markdown(report.experiment_tables.plateau_sentence(records, TASKS)))

# %% [markdown]
# ## 3 · Every regularizer lowers $\bar Z$
#
# Each regularizer has its own strength axis, so to put them side by side the figure
# plots, for each strength *rank*, the change of $\bar Z$ from the unregularized
# networks, paired by seed, with its 95 % interval over seeds. Horizontal lines are
# references in the same units: $\bar Z$ of the true function (the quadratic), of the
# untrained networks, and of a smooth kernel ridge fit.

# %%
references = {t: experiment.reference_values(EXPERIMENT[t]) for t in TASKS}
contrasts = {t: {reg: report.matched.paired_contrasts(records, t, reg, seed=SEED)
                 for reg in ("dropout", "l1", "l2", "mixup")} for t in TASKS}
fig = plotting.plot_paired_changes(contrasts, references=report.experiment_tables.reference_lines(
    references, records))
_ = plotting.save_figure(fig, "05-z-vs-strength")
display(Markdown(report.experiment_tables.reference_markdown(references, records, TASKS,
                                                             seed=SEED)))

# %%
display(Markdown(report.experiment_tables.strongest_changes_markdown(contrasts)))

# %% [markdown]
# ## 4 · The fit frontier
#
# So we compare regularizers **where they fit equally well**. Each seed's networks under
# one regularizer, from the unregularized network to the strongest setting, trace a path
# of points (test loss, $\bar Z$); early stopping's path runs from the fully trained
# network back to the shortest training. The figure shows the paths' means over seeds
# (markers at the strengths; the white point is the unregularized networks). A
# regularizer whose path lies *below* another's at the same loss reaches a more linear
# function at that fit.

# %%
fig = plotting.plot_frontier(table, TASKS, ("dropout", "l1", "l2", "mixup", "early_stop"))
_ = plotting.save_figure(fig, "05-frontier")

# %% [markdown]
# **Dropout's linearity excess against X** at a loss level ℓ is
# $\bar Z_{dropout}(\ell) - \bar Z_X(\ell)$, each read off its own path by linear interpolation between its
# points (where a path crosses the level twice, once while it still overfits and once
# when it underfits, we take the lower $\bar Z$: the most linear function that
# regularizer reaches at that fit, the same rule for both). The excess is averaged over
# the loss range both paths cover, one number per seed. Negative: dropout's function is
# more linear at equal fit.
#
# ## 5 · The readings

# %%
display(Markdown(report.answer.rules_markdown(answer)))
display(Markdown(report.answer.answer_markdown(answer)))

# %% [markdown]
# The same comparison on **training** loss instead of test loss (the second reading):
# at the same training fit, rather than the same generalization.

# %%
on_train = report.answer.experiment_answer(
    table, TASKS, deltas={t: c.delta for t, c in main_cells.items()},
    valid={t: c.valid for t, c in main_cells.items()}, loss="train_loss")
display(Markdown(report.answer.answer_markdown(on_train)))
display(Markdown(report.answer.replication_markdown(
    report.answer.replication_agreement(answer, on_train), intro="Read on training loss")))

# %% [markdown]
# ## 6 · Replication on fresh seeds and a fresh data split
#
# Everything above used one split of each task's data and network seeds
# 0–15. We train the whole experiment again on **new network seeds and a new draw of the
# data** (a fresh sample of the quadratic and the moons, a fresh train/test split of
# diabetes and digits) and read it by the same rules, with δ and validity measured
# again on the new networks. Agreement counts only the same substantive reading.

# %%
FRESH = experiment.replication_experiment(
    tuple(s + N_SEEDS for s in EXPERIMENT[TASKS[0]].seeds), data_seed=FRESH_DATA_SEED)
fresh_table = report.table.record_table(experiment.run_experiment(FRESH))
fresh_cells = {c.task: c for c in experiment.validity.validity_table(FRESH)
               if c.representation == "logits" and c.geometry == "extrapolating"}
fresh = report.answer.experiment_answer(
    fresh_table, TASKS, deltas={t: c.delta for t, c in fresh_cells.items()},
    valid={t: c.valid for t, c in fresh_cells.items()})
display(Markdown(report.answer.answer_markdown(fresh)))
display(Markdown(report.answer.replication_markdown(
    report.answer.replication_agreement(answer, fresh))))

# %% [markdown]
# ## 7 · The drop rate in your hands
#
# Chapter 04 drew what some of these networks learned. The figure below sums it up for the
# 1-D quadratic: the first seed's network at every drop rate, from no dropout (light blue) to
# the strongest (full blue), beside $\bar Z$ against the drop rate for every seed.

# %%
quadratic = data.load_task("quadratic", **EXPERIMENT["quadratic"].task_kwargs)
q_spec = EXPERIMENT["quadratic"].replace(grid={"none": [0.0], "dropout":
                                               EXPERIMENT["quadratic"].grid_dict["dropout"]})
q_grid = np.linspace(-1.1, 1.1, 221)[:, None]
q_functions = {(s, seed): linearity.as_function(net)(q_grid)[:, 0]
               for (_, s, seed), net in experiment.sweep_models(q_spec).items()}
q_z = {(r["strength"], r["seed"]): r["z_bar"] for r in records if r["task"] == "quadratic"
       and r["regularizer"] in ("none", "dropout")}
q_curve = report.analogy.strength_curves(records, "quadratic", "z_bar", ("dropout",),
                                         seed=SEED)[0]
fig = plotting.plot_drop_rate_explorer_static(
    q_grid, q_functions, q_z, q_curve["dropout"], x_train=quadratic.X_train,
    y_train=quadratic.y_train, seed=q_spec.seeds[0])
_ = plotting.save_figure(fig, "05-drop-rate-explorer")

# %% [markdown]
# The explorer below runs in your browser, with no kernel: one slider over the
# experiment's drop rates, and for every task the first seed's network at that rate with
# its $\bar Z$ and test loss. What each panel draws depends on the inputs: the quadratic's
# learned curve; the two moons' logit margin and decision boundary; and for diabetes (10
# inputs) and digits (64 pixels), which no picture of the whole function can show, the
# output along the straight segment between two test points, where a straight line would
# mean the network is linear along that segment. Every frame was computed in this cell from
# the cached networks, and $\bar Z$ is the record's; the slider only shows another frame.
# Without JavaScript the page shows drop rate 0.

# %%
frames = report.explorers.drop_rate_frames(EXPERIMENT, records)
display(HTML(report.explorers.drop_rate_explorer_html(frames)))
display(Markdown(
    f"For this one seed, from no dropout to drop rate {frames.drop_rates[-1]:g}, $\\bar Z$ "
    "moves: " + "; ".join(f"{vocabulary.task_label(t.task)} {t.z_bar[0]:.3f} → "
                          f"{t.z_bar[-1]:.3f}" for t in frames.tasks)
    + ". One seed is an example, not evidence: sections 3 to 5 read all of them."))

# %% [markdown]
# In JupyterLab the next cell adds a slider with a seed menu over every seed of the
# quadratic (ipywidgets, which need a live kernel; the site leaves it out).

# %%
# Interactive: shown in a live notebook only; the static page keeps the figure above.
_ = report.widgets.show_if_interactive(
    report.widgets.drop_rate_explorer, q_grid, q_functions, q_z,
    x_train=quadratic.X_train, y_train=quadratic.y_train,
    true_function=data.quadratic_target, ylim=(-0.4, 1.4))

# %% [markdown]
# ## What we measured

# %%
display(Markdown("\n".join([
    f"- **The experiment.** {len(records)} networks on {len(TASKS)} tasks, and "
    f"{len(fresh_table)} more on fresh seeds and a fresh data split; "
    f"{sum(p.reached for p in plateaus.values())} of {len(TASKS)} tasks reached their "
    f"training plateau.",
    "- **The second reading.** " + report.answer.replication_markdown(
        report.answer.replication_agreement(answer, on_train), intro="Read on training loss"),
])))

# %% [markdown]
# ## Takeaways

# %%
display(Markdown("\n".join([
    "- **The question is the fit, not the fall.** Every way of loosening the fit can lower "
    "$\\bar Z$, so the paper's analogy [@teague2019] needs more: that at the same fit, dropout's "
    "function is more linear than what the other regularizers and early stopping learn.",
    f"- **The answer.** {plain}",
    "- **Replication.** " + report.answer.replication_markdown(
        report.answer.replication_agreement(answer, fresh)),
    "- **How it holds up** under other specifications of $\\bar Z$ and other CPU kernel "
    "paths: the appendix.",
])))

# %% [markdown]
# ## Exercises

# %% [markdown] tags=["exercise"]
# **Exercise 1** (★ · conceptual). In two or three sentences: why does a fall of
# $\bar Z$ as the drop rate rises *not* by itself support the paper's analogy, and what
# comparison does? Which figure of this chapter shows each half of the argument?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 1.** Every way of loosening the fit can lower $\bar Z$: section 3's figure
# shows L1, L2 and mixup moving it down at their stronger settings, and the frontier's
# early-stopping path shows that training for fewer epochs does it too, with no
# regularizer at all. A fall is what any regularizer does, so it cannot single dropout
# out. The analogy says dropout is to linearity what L1 is to sparsity: its function
# must be more linear than the others' **at the same fit**. That is section 4's
# comparison: at each loss level $\ell$ the excess
# $\bar Z_{\mathrm{dropout}}(\ell) - \bar Z_X(\ell)$ read off the two paths of the
# frontier figure, paired by seed. A regularizer that only fits less moves its network
# along the frontier, not below it.

# %% [markdown] tags=["exercise"]
# **Exercise 2** (★★ · pen and paper). Six seeds give the excesses
# $d = (-0.020, -0.014, -0.011, -0.009, -0.006, +0.003)$. The exact sign-flip test
# compares their mean $\bar d$ with the means of all $2^6 = 64$ sign patterns
# $(\pm|d_1|, \dots, \pm|d_6|)$, each equally likely if the $d_i$ are symmetric about 0.
# Without a computer: which patterns have a mean at least as large in size as
# $|\bar d|$, and what is the two-sided p-value? Does it pass a single test at 5 %?
# What is the p-value with $n$ seeds when all but one agree in sign and the one that
# disagrees is the smallest in size?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 2.** Compare sums instead of means (same $n$). The sizes add up to
# $S = 0.063$. A pattern that gives the sign $+$ to a set $F$ of the sizes and $-$ to the
# others has the sum $-(S - 2\,\Sigma_F)$, $\Sigma_F$ the total size in $F$. The observed
# pattern has $F = \{0.003\}$, sum $-0.057$. So a pattern is at least as extreme when
# $|S - 2\Sigma_F| \ge 0.057$, that is $\Sigma_F \le 0.003$ or $\Sigma_F \ge 0.060$. Only
# $F = \varnothing$ and $F = \{0.003\}$ are that small, and their complements that large:
# 4 patterns of 64, so
#
# $$p = \frac{4}{2^6} = \frac{1}{16} = 0.0625 > 0.05 .$$
#
# Five seeds of six agree and the sixth barely disagrees, and still one test cannot
# pass 5 %. The argument does not depend on the values, only on the disagreeing one
# being the smallest: with $n$ seeds $p = 4/2^n$ (for 16 seeds, $4/65536 \approx
# 6.1 \cdot 10^{-5}$). The cell checks both with the package's exact test.

# %% tags=["solution"] jupyter={"source_hidden": true}
d = np.array([-0.020, -0.014, -0.011, -0.009, -0.006, 0.003])
assert np.isclose(np.abs(d).sum(), 0.063) and np.isclose(d.sum(), -0.057)  # S and the sum
assert report.inference.signflip_pvalue(d) == 4 / 2 ** 6
d_16 = np.append(-np.linspace(0.01, 0.03, 15), 0.001)
assert report.inference.signflip_pvalue(d_16) == 4 / 2 ** 16

# %% [markdown] tags=["exercise"]
# **Exercise 3** (★★ · computation). Read the answer on the training loss instead of the
# test loss (section 5 computes it as `on_train`). Which (task, comparator) readings
# differ between the two fit axes? Set `answer_3` to the sorted list of their keys, as in
# `answer.readings()`.

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 3.** `Answer.readings()` maps each (task, comparator) of the valid tasks to
# its reading code; we keep the keys whose codes differ. A difference can be only a
# matter of size ("more linear" against "slightly more linear"): the substance of a
# reading is its direction, and section 5's agreement sentence counts only that.

# %% tags=["solution"] jupyter={"source_hidden": true}
test_readings, train_readings = answer.readings(), on_train.readings()
answer_3 = sorted(key for key, reading in test_readings.items()
                  if train_readings[key] != reading)

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown(
    f"The readings differ in {len(answer_3)} of {len(test_readings)} cells: " + "; ".join(
        f"{task} vs {other} (`{test_readings[task, other]}` → `{train_readings[task, other]}`)"
        for task, other in answer_3) + "."))

# %% tags=["solution", "check"] jupyter={"source_hidden": true}
assert list(answer_3) == sorted(answer_3)
assert set(answer_3) == {key for key, reading in answer.readings().items()
                         if on_train.readings()[key] != reading}

# %% [markdown] tags=["exercise"]
# **Exercise 4** (★★ · computation). Halve δ on every task (a 5 % affine blend instead of
# 10 %) and read the answer again with `report.answer.experiment_answer`. Set `answer_4`
# to a dict from each (task, comparator) whose reading changes to the pair (reading with
# δ, reading with δ/2). In which direction can a reading move? Why can a smaller δ never
# turn "undetermined" into "as linear"?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 4.** The intervals do not depend on δ, only their reading does. "As
# linear" needs the whole interval inside $(-\delta, \delta)$, and "more/less linear"
# needs it entirely beyond $\mp\delta$. Halving δ shrinks the first window and widens
# the second, so a reading can move from "as linear" to "undetermined", or from
# "slightly more linear" to "more linear" (and the mirror), never the other way: an
# interval that did not fit inside $\pm\delta$ cannot fit inside $\pm\delta/2$.

# %% tags=["solution"] jupyter={"source_hidden": true}
half = report.answer.experiment_answer(
    table, TASKS, deltas={t: c.delta / 2 for t, c in main_cells.items()},
    valid={t: c.valid for t, c in main_cells.items()})
answer_4 = {key: (reading, half.readings()[key]) for key, reading in answer.readings().items()
            if half.readings()[key] != reading}

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown(
    f"With δ/2, the reading changes in {len(answer_4)} of {len(answer.readings())} cells: "
    + "; ".join(f"{task} vs {other}, `{before}` → `{after}`"
                for (task, other), (before, after) in answer_4.items()) + "."))

# %% tags=["solution", "check"] jupyter={"source_hidden": true}
halved = report.answer.experiment_answer(
    table, TASKS, deltas={t: c.delta / 2 for t, c in main_cells.items()},
    valid={t: c.valid for t, c in main_cells.items()}).readings()
assert dict(answer_4) == {key: (reading, halved[key])
                          for key, reading in answer.readings().items()
                          if halved[key] != reading}
assert all(after != "as_linear" for _, after in answer_4.values())

# %% [markdown] tags=["exercise"]
# **Exercise 5** (★★★ · pen and paper). (a) With 16 seeds, what is the smallest two-sided
# p-value an exact sign-flip test can give? With 5 seeds? (b) Holm's procedure compares
# the smallest of $m$ p-values with $\alpha/m$ first. How many tests can a family hold
# before a 16-seed test can no longer pass that first threshold at $\alpha$ = 5 %? Can a
# 5-seed test pass it in any family?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 5.** (a) The reference distribution has $2^n$ equally likely sign
# patterns. The observed pattern and its mirror image have the largest $|\bar d|$ when
# every $d_i$ has the same sign, so at best 2 of $2^n$ patterns are as extreme:
# $p_{\min} = 2/2^n$, that is $2/65536 \approx 3.1 \cdot 10^{-5}$ for 16 seeds and
# $2/32 = 0.0625$ for 5. (b) The first threshold is reachable when
# $2/2^n \le \alpha/m$, i.e. $m \le \alpha\, 2^{n-1}$. For $n = 16$:
# $m \le 0.05 \cdot 32768 = 1638.4$, so up to 1638 tests. For $n = 5$,
# $2/32 > 0.05$ already for $m = 1$: no family is small enough, and chapter 07's
# reduced study with few seeds can describe but not decide. The cell checks it with the
# package.

# %% tags=["solution"] jupyter={"source_hidden": true}
assert report.inference.min_pvalue(16) == 2 / 2 ** 16
assert report.inference.min_pvalue(5) == 2 / 2 ** 5
assert report.inference.can_reach(16, 0.05, 1638)
assert not report.inference.can_reach(16, 0.05, 1639)
assert not report.inference.can_reach(5, 0.05, 1)

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown(
    f"Section 5's family holds {answer.family_size} tests: with {N_SEEDS} seeds the "
    f"smallest p-value Holm's first step can give is {answer.family_size} × "
    f"{report.inference.min_pvalue(N_SEEDS):.1e} = "
    f"{answer.family_size * report.inference.min_pvalue(N_SEEDS):.1e}."))
