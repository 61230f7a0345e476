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
# # 07 · Beyond one small network

# %% [markdown]
# **You will learn**
#
# * whether chapter 05's verdict survives one change at a time: width, depth, skip
#   connections, convolutions, mini-batch SGD, early stopping, the amount of data, input
#   dropout, decoupled weight decay [@loshchilov2019], and a harder task, MNIST-1D
#   [@greydanus2020];
# * how to read a table of verdicts, variant by variant and task by task;
# * why a study with few seeds describes but cannot decide, and how to run the full one.
#
# **You need**
#
# * chapter 05: its rules, which this chapter applies unchanged;
# * maths: nothing beyond chapter 05.

# %% [markdown]
# **What the paper claims.** Teague [@teague2019] writes that his argument is not about one
# architecture: for "convolutions, LSTM's, skip connections" and the rest, "the
# concepts … still apply". Chapter 05 tested it on one configuration only: two
# hidden layers of 64 ReLU units, trained full-batch with Adam [@kingma2015] for a fixed number
# of epochs on small data sets. Its verdict could belong to that configuration
# rather than to dropout.
#
# This chapter changes **one thing at a time** around chapter 05's configuration
# and reads every variant by chapter 05's rules, unchanged:
#
# 1. the variants: wider, deeper, with skip connections, convolutional, trained
#    with mini-batch SGD and momentum, stopped early on validation data, on half
#    and on twice the training data, with dropout on the inputs, and with
#    decoupled weight decay (AdamW) beside the L2 penalty; the harder MNIST-1D
#    task joins the four tasks of chapter 05;
# 2. the verdict of every variant on every task, in one table;
# 3. every variant's effect at a glance, in one figure;
# 4. what the variants agree on, where the verdict turns, and the paper's claim
#    about convolutions and skip connections, answered from the table.
#
# A chapter that trains a dozen variants on five tasks must stay within a few
# minutes on a laptop, so it runs a **reduced study**: fewer seeds and strengths
# than chapter 05, and most variants on a subset of the tasks. The settings are
# stated below, computed from the spec; the whole design (`STUDY = "full"`) is
# for a GPU and takes the command line given at the end.

# %% tags=["parameters"]
SEED = 0  # seeds every bootstrap interval
STUDY = "cpu"  # "cpu": the reduced study of this page; "full": 16 seeds, 3 strengths, all tasks
DEVICE = "cpu"  # "cuda" trains on a GPU (its dropout masks differ: cached apart)

# %%
from IPython.display import Markdown, display

from essay_lib import report
from essay_lib.experiment import beyond
from essay_lib.report import plotting, session, tables, vocabulary

rng = session.setup(seed=SEED)

# %% [markdown]
# ## 1 · The variants
#
# Each variant is chapter 05's configuration with one field of its spec changed
# (the tests check that each changes exactly the fields it names). Everything
# else stays: the tasks and their splits (each held-out set halved into a
# validation half, which chooses strengths, and a test half, where everything is
# measured), the learning rate, the epochs, the measure $\bar Z$ on the logits,
# and the rules of the verdict.

# %%
STUDY_SPEC = beyond.STUDIES[STUDY]
VARIANTS = beyond.beyond_variants(STUDY_SPEC)
PENDING = beyond.pending_variants(STUDY_SPEC)
display(Markdown(tables.markdown_table(
    ["variant", "what is varied", "what changes", "tasks", "networks"],
    [[v.name, v.group, v.description, vocabulary.join_names(v.tasks), v.n_members]
     for v in VARIANTS])))
if PENDING:
    display(Markdown("Not trained here, for want of the engine's support: " + "; ".join(
        f"{p.name} ({p.reason})" for p in PENDING) + "."))

# %%
listed = {name: ", ".join(f"{s:g}" for s in strengths) for name, strengths in
          [*STUDY_SPEC.grid, ("input", STUDY_SPEC.input_drop_rates),
           ("decay", STUDY_SPEC.weight_decays)]}
n_cells = sum(len(v.tasks) for v in VARIANTS)
n_full = sum(len(v.tasks) for v in beyond.beyond_variants("full"))
display(Markdown(
    f"**The {STUDY} study.** {len(STUDY_SPEC.seeds)} network seeds "
    f"({', '.join(map(str, STUDY_SPEC.seeds))}); drop rates {listed['dropout']} (PyTorch's "
    f"convention: the probability of dropping a unit), L2 coefficients {listed['l2']}, mixup "
    f"α {listed['mixup']}, and no regularization; input drop rates {listed['input']} and "
    f"decoupled weight decays {listed['decay']} in their variants. In all "
    f"{sum(v.n_members for v in VARIANTS)} networks (the base's are shared with the "
    f"input-dropout and AdamW variants), in {n_cells} of the {n_full} (variant, task) cells "
    f"of the full design. $\\bar Z$ uses {beyond.VARIANT_MEASURES.z_triples} triples at "
    f"scale $s = {beyond.VARIANT_MEASURES.displacement_scale:g}$ on the test inputs."))

# %% [markdown]
# ## 2 · Training and measuring every variant
#
# Every variant's sweeps go through the same engine and cache as chapter 05's:
# the networks of one sweep train together in the batched engine, each network's
# weights and record are cached on disk under a key of its whole configuration,
# and a network that two variants share (the base's networks inside the
# input-dropout variant) is trained once. The base's networks are chapter 05's
# own when chapter 05 ran first (the same seeds and strengths), so they are read
# back, not retrained.

# %%
records = beyond.run_variants(VARIANTS, device=DEVICE)
display(Markdown(
    f"{sum(len(r) for r in records.values())} network records of {len(records)} variants "
    f"ready (trained now, or read back from the cache)."))

# %% [markdown]
# ## 3 · The verdict of every variant
#
# The rules are chapter 05's, fixed before the table is read, applied to each
# variant on its own: its Holm correction counts the tests of its own tasks. In
# the input-dropout variant, "dropout" means input dropout (its trend is read in
# the dropout column); in the AdamW variant, dropout is compared at matched fit
# with the decoupled weight decay instead of the L2 penalty.

# %%
display(Markdown(report.verdict.rule_markdown()))

# %% [markdown]
# The table has one row per variant and task: dropout's seed-level $\rho$ with
# its 95% interval (↓ the interval lies below 0, ↑ above, – contains 0), the
# verdict, the directions of the penalty's and of mixup's trends, the
# comparison with the penalty at matched fit, and whether the verdict is the
# base configuration's on the same task ("turns" when it is not).

# %%
verdicts = report.beyond_verdict.variant_verdicts(records, VARIANTS, seed=SEED)
display(Markdown(report.beyond_verdict.variants_markdown(verdicts)))

# %% [markdown]
# ## 4 · Every variant at a glance
#
# The figure shows, for every variant (rows, grouped by what was varied) and
# task (columns), the change of $\bar Z$ from the unregularized networks to the
# strongest setting of each regularizer in the grid, paired by seed, with its 95%
# interval over seeds. Left of the vertical line, $\bar Z$ falls. A variant that
# was not run on a task leaves its row empty there.

# %%
effects = report.beyond_verdict.variant_effects(records, VARIANTS, seed=SEED)
fig = plotting.plot_variant_effects(report.beyond_verdict.effect_rows(effects))
_ = plotting.save_figure(fig, "07-variant-effects")

# %%
strongest = [e for e in effects if e.role == "dropout"]
falls = [e for e in strongest if e.change.high < 0]
rises = [e for e in strongest if e.change.low > 0]
display(Markdown(
    f"At the strongest drop rate, $\\bar Z$ falls (interval below 0) in {len(falls)} of the "
    f"{len(strongest)} (variant, task) cells and rises in {len(rises)}"
    + (f": it rises on {vocabulary.join_names(dict.fromkeys(e.task for e in rises))}"
       if rises else "") + "."))

# %% [markdown]
# ## 5 · What the variants agree on, and where the verdict turns

# %%
display(Markdown(report.beyond_verdict.agreement_paragraph(verdicts)))

# %% [markdown]
# ### Convolutions and skip connections
#
# The paper's sentence is a claim about architectures. Two variants test it
# directly: the residual MLP (a skip connection around each hidden layer) and the
# small CNN (convolutions over the 8×8 digits and the 1-D MNIST-1D signals).

# %%
architectures = report.beyond_verdict.architecture_sentence(verdicts)
display(Markdown(architectures))
headline = f"{report.beyond_verdict.beyond_sentence(verdicts)} {architectures}"
_ = report.sentences.write_sentence("07-beyond", headline)

# %% [markdown]
# ## What we measured
#
# Recomputed from the records each time the notebook runs.

# %%
n_networks = sum(len(r) for r in records.values())
display(Markdown("\n".join([
    f"- **The study.** {len(VARIANTS)} variants"
    + (f" ({len(PENDING)} not trained here)" if PENDING else "")
    + f", {n_networks} network records, {len(STUDY_SPEC.seeds)} seeds each.",
    f"- **In one sentence.** {headline}",
])))

# %% [markdown]
# ## Takeaways

# %%
n_seeds, alpha = len(STUDY_SPEC.seeds), 0.05
decides = report.inference.can_reach(n_seeds, alpha)
takeaways = [
    f"**One configuration is not a law.** Chapter 05's verdict is read again under {len(VARIANTS)} "
    "variants that each change one thing (the network's width, depth and architecture, the "
    "optimizer, when training stops, the amount of data, where dropout acts, the kind of weight "
    "penalty), by chapter 05's rules, unchanged.",
    f"**What the variants say.** {report.beyond_verdict.beyond_sentence(verdicts)}",
    f"**Convolutions and skip connections.** {architectures}",
]

# %%
takeaways += [
    ("**Enough seeds to test.**" if decides else "**A study with few seeds describes; it does not "
     "decide.**") + f" With {n_seeds} seeds the smallest p-value of an exact sign-flip test is "
    f"{report.inference.min_pvalue(n_seeds):.3g}, which {'can' if decides else 'cannot'} pass a "
    f"single test at {alpha:.0%}" + ("." if decides else ": a verdict that turns in one cell is a "
                                     "reason to rerun that cell with the full study."),
]
display(Markdown("\n".join(f"- {line}" for line in takeaways)))

# %%
full = beyond.STUDIES["full"]
display(Markdown(
    f"**The whole study on a GPU.** `python -m essay_lib sweep --variants --study full --device "
    f"cuda` trains every variant of the design ({len(full.seeds)} seeds, "
    f"{max(len(strengths) for _, strengths in full.grid)} strengths per regularizer, every task) "
    "and prints the verdict table; then run this notebook with `STUDY = \"full\"` and "
    "`DEVICE = \"cuda\"` to read the cached networks."))

# %% [markdown]
# ## Exercises

# %% [markdown] tags=["exercise"]
# **Exercise 1** (★ · pen and paper). An exact two-sided sign-flip test on $n$ seeds
# cannot give a p-value below $2/2^n$. (a) Find the smallest $n$ for which a single test
# can reach $\alpha$ = 5 %. (b) Holm's procedure first compares the smallest of $m$
# p-values with $\alpha/m$: find the smallest $n$ for which that threshold can be reached
# in a family of $m = 12$ tests. (c) What does that mean for a table read with fewer
# seeds?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 1.** (a) We need $2/2^n \le 0.05$, i.e. $2^n \ge 40$: $n = 6$ ($2/64 \approx
# 0.031$), while $n = 5$ gives $2/32 = 0.0625$. (b) We need $2/2^n \le 0.05/12$, i.e.
# $2^n \ge 480$: $n = 9$ ($2^9 = 512$; $2^8 = 256$ is too few). (c) Below those numbers no
# data can pass the test: even when every seed's $\rho$ has the same sign the p-value
# stays above the threshold, so every trend reads "no clear trend" by construction, and a
# cell that "turns" or "keeps" its verdict says nothing about dropout. Such a table
# describes (the signs and sizes of the mean $\rho$) but cannot decide. The cell checks
# (a) and (b) with the package, and that no dropout trend of this page's table goes below
# the floor of its seeds.

# %% tags=["solution"] jupyter={"source_hidden": true}
assert report.inference.can_reach(6, 0.05) and not report.inference.can_reach(5, 0.05)
assert report.inference.can_reach(9, 0.05, 12) and not report.inference.can_reach(8, 0.05, 12)
n_seeds = len(STUDY_SPEC.seeds)
smallest_p = min(v.verdict.dropout.pvalue for v in verdicts)
assert smallest_p >= report.inference.min_pvalue(n_seeds)

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown(
    f"This page's study has {n_seeds} seeds: no exact test on them can go below "
    f"{report.inference.min_pvalue(n_seeds):.4g}, and the smallest p-value of any dropout "
    f"trend in its table is {smallest_p:.4g}."))

# %% [markdown] tags=["exercise"]
# **Exercise 2** (★★ · computation). The early-stopping variant trains each network only
# as long as its validation loss improves. Each record's loss curve (`record["curve"]`)
# ends at the epoch where its network stopped. Set `answer_2` to a dict from task to the
# mean last epoch of the unregularized networks (`regularizer == "none"`) of that
# variant, and compare it with the base's fixed number of epochs on the task.

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 2.** `records` maps each variant's name to its records; we keep the
# early-stopping variant's unregularized networks and average the last epoch of their
# curves, task by task. The base's epochs are in its spec, one sweep per task.

# %% tags=["solution"] jupyter={"source_hidden": true}
stopped = [r for r in records["early stopping"] if r["regularizer"] == "none"]
answer_2 = {task: sum(r["curve"]["epoch"][-1] for r in stopped if r["task"] == task)
            / sum(r["task"] == task for r in stopped)
            for task in dict.fromkeys(r["task"] for r in stopped)}
fixed = {sweep.task: sweep.epochs for v in VARIANTS if v.name == "base"
         for sweep in v.experiment}

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown("Mean last epoch of the unregularized networks under early stopping: "
                 + "; ".join(f"{task} {epoch:.0f} of {fixed[task]}"
                             for task, epoch in answer_2.items()) + "."))

# %% tags=["solution", "check"] jupyter={"source_hidden": true}
none = [r for r in records["early stopping"] if r["regularizer"] == "none"]
assert set(answer_2) == {r["task"] for r in none}
assert all(abs(answer_2[task] - sum(r["curve"]["epoch"][-1] for r in none if r["task"] == task)
               / sum(r["task"] == task for r in none)) < 1e-9 for task in answer_2)

# %% [markdown] tags=["exercise"]
# **Exercise 3** (★★ · computation). Chapter 05 found that the L2 penalty often lowers
# $\bar Z$ as much as dropout does. Across the variants, does the penalty's trend keep the
# sign it has in the base more often than dropout's keeps its own? For each task of the
# base, count the other variants on that task whose mean dropout $\rho$
# (`v.verdict.dropout.rho`) has the sign of the base's, the same for the penalty
# (`v.verdict.penalty.rho`: L2, or AdamW's decay in its variant), and the number of
# those variants. Set `answer_3` to a dict from task to these three counts.

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 3.** The verdicts carry each variant's trends; we compare the sign of each
# mean $\rho$ with the base's on the same task. Signs are a description, not a test: with
# the few seeds of the reduced study no trend is decided (exercise 1), so a sign that
# flips in one variant is a reason to run that cell with the full study, not a finding.

# %% tags=["solution"] jupyter={"source_hidden": true}
base_rho = {v.task: (v.verdict.dropout.rho, v.verdict.penalty.rho)
            for v in verdicts if v.variant == "base"}
others = [v for v in verdicts if v.variant != "base" and v.task in base_rho]
answer_3 = {task: (sum((v.verdict.dropout.rho > 0) == (dropout > 0)
                       for v in others if v.task == task),
                   sum((v.verdict.penalty.rho > 0) == (penalty > 0)
                       for v in others if v.task == task),
                   sum(v.task == task for v in others))
            for task, (dropout, penalty) in base_rho.items()}

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown("Variants keeping the base's sign of $\\rho$ (dropout / penalty, of all): "
                 + "; ".join(f"{task} {d} / {p} of {n}"
                             for task, (d, p, n) in answer_3.items()) + "."))

# %% tags=["solution", "check"] jupyter={"source_hidden": true}
base = {v.task: v.verdict for v in verdicts if v.variant == "base"}
per_task = {task: [v.verdict for v in verdicts if v.variant != "base" and v.task == task]
            for task in base}
assert set(answer_3) == set(base)
assert all(answer_3[task] == (
    sum((c.dropout.rho > 0) == (base[task].dropout.rho > 0) for c in per_task[task]),
    sum((c.penalty.rho > 0) == (base[task].penalty.rho > 0) for c in per_task[task]),
    len(per_task[task])) for task in base)

# %% [markdown] tags=["exercise"]
# **Exercise 4** (★★★ · conceptual). Suppose the full study (`STUDY = "full"`, enough
# seeds for every test) were run. (a) What reading of one variant would show that
# chapter 05's verdict belongs to its configuration rather than to dropout, and what
# would only fail to confirm it? (b) Why is a verdict that turns in one (variant, task)
# cell weaker evidence than one that turns on every task of a variant? (c) The paper says
# its argument "still applies" to convolutions and skip connections. Which readings of the
# CNN and residual-MLP rows would refute that sentence, and which would leave it open?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 4.** (a) A verdict that *turns*: where the base's trend of $\bar Z$
# significantly falls with the drop rate ("supports") and the variant's significantly
# rises ("contradicts"), or the reverse, each surviving Holm's correction, with mixup
# still validating the measure in the variant. A variant that reads "inconclusive" does
# not turn anything: it fails to confirm, and absence of evidence is not evidence of
# absence. (b) Multiplicity: the table holds dozens of cells, each variant corrected only
# for its own tasks, so among many cells one may turn by chance at the 5 % level; a
# change of one thing that turns the verdict on every task it was run on is a pattern
# that chance rarely makes, and it names the cause (the thing varied). (c) The sentence is
# refuted where the CNN or the residual MLP, with the measure validated, reads
# "contradicts" ($\bar Z$ rises with dropout), or where dropout does no better than the
# L2 penalty at matched fit while the base says it does; "inconclusive" or "not
# validated" leave it open, and "supports" agrees with it only for the trend, not for
# chapter 05's stricter question of dropout against the others at the same fit.
