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
#
# 1. Which kind of change turns the verdict most often? Count, per group of
#    variants (what was varied), the cells that turn.

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 1.** The verdicts carry their group and whether they turn.

# %% tags=["solution"] jupyter={"source_hidden": true}
groups = dict.fromkeys(v.group for v in verdicts if v.base is not None)
turned = {g: sum(v.turns for v in verdicts if v.group == g) for g in groups}
cells = {g: sum(v.base is not None for v in verdicts if v.group == g) for g in groups}
display(Markdown("Turned cells by what was varied: " + "; ".join(
    f"{g} {turned[g]} of {cells[g]}" for g in groups) + "."))

# %% [markdown]
# 2. Early stopping trains each network only as long as its validation loss
#    improves. How long did the unregularized networks train, per task, and how
#    does that compare with the fixed epochs of the base?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 2.** Each record's loss curve ends at the epoch where its network
# stopped; we average the last epoch over the unregularized networks.

# %% tags=["solution"] jupyter={"source_hidden": true}
stopped = {r["task"]: [] for r in records.get("early stopping", [])}
for r in records.get("early stopping", []):
    if r["regularizer"] == "none":
        stopped[r["task"]].append(r["curve"]["epoch"][-1])
fixed = {s.task: s.epochs for v in VARIANTS if v.name == "base" for s in v.experiment}
display(Markdown("Mean last epoch of the unregularized networks under early stopping: "
                 + "; ".join(f"{vocabulary.task_label(t)} {sum(e) / len(e):.0f} of "
                             f"{fixed[t]}" for t, e in stopped.items() if e) + "."
                 if stopped else "The early-stopping variant was not built here."))

# %% [markdown]
# 3. Chapter 05 found that L2 often lowers $\bar Z$ as much as dropout does. Does
#    the L2 penalty keep its direction across the variants more often than
#    dropout keeps its own? Count, per task, the variants in which each one's
#    trend has the direction it has in the base.

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 3.** We compare each variant's trend directions with the base's on
# the same task (the base's cells are left out).

# %% tags=["solution"] jupyter={"source_hidden": true}
base_dirs = {v.task: (v.verdict.dropout.direction, v.verdict.penalty.direction)
             for v in verdicts if v.variant == "base"}
compared = [v for v in verdicts if v.base is not None and v.task in base_dirs]
keeps = {t: [sum(v.verdict.dropout.direction == base_dirs[t][0] for v in compared
                 if v.task == t), sum(v.verdict.penalty.direction == base_dirs[t][1]
                                      for v in compared if v.task == t),
             sum(v.task == t for v in compared)] for t in base_dirs}
display(Markdown("Variants keeping the base's direction (dropout / penalty, of all): "
                 + "; ".join(f"{vocabulary.task_label(t)} {d} / {p} of {n}"
                             for t, (d, p, n) in keeps.items()) + "."))
