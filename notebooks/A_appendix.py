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
# # A · How the verdict holds up

# %% [markdown]
# **You will learn**
#
# * whether chapter 05's answer survives other specifications of $\bar Z$: a specification
#   curve [@simonsohn2020];
# * whether it replicates on fresh seeds and a fresh draw of the data, and whether the
#   essay's sentences survive another CPU's float kernels;
# * the statistics the verdict rests on: rank correlation, pairing by seed, the sign-flip
#   test, Holm's correction [@holm1979], the margin δ and simultaneous intervals.
#
# **You need**
#
# * chapter 05 (its answer and its rules) and chapter 04 (the validity table);
# * maths: for the statistics primer, only means, probabilities and ranks; read it first if
#   the words above are new.

# %% [markdown]
# Chapter 05 answered one question by rules fixed in advance: at the same fit, is
# the function dropout learns more linear than the one L1, L2, mixup or plain
# training stopped early learn? An answer read off one set of choices can belong
# to those choices. This appendix asks three questions of it, and ends with the
# statistics it rests on, in words a student can follow:
#
# 1. **the specification curve**: does the answer change if $\bar Z$ is measured
#    in another output representation, at another displacement scale, or on
#    another kind of triple? Every specification is read by chapter 05's own
#    rules, and only where the measure passed chapter 04's checks;
# 2. **the replication**: do new networks, trained from fresh seeds on a fresh
#    draw of the data, give the same readings?
# 3. **the kernel paths**: do the essay's sentences change when the CPU computes
#    with other float kernels?
# 4. **a statistics primer with a glossary**: Spearman's $\rho$, pairing by seed,
#    the sign-flip test, Holm's correction, the equivalence margin $\delta$ and
#    the four readings, the positive control, the specification curve and
#    simultaneous intervals. If these words are new to you, read section 4 first.
#
# Nothing here trains a network that chapter 05 did not train (the networks and the
# replication's come back from the cache), and every number on this page is computed
# when it runs.

# %% tags=["parameters"]
SEED = 0  # the session's seed (the tests here are exact: nothing else is drawn at random)
FIRST_NETWORK_SEED = 0  # chapter 05's networks: seeds FIRST_NETWORK_SEED ... + N_SEEDS - 1
N_SEEDS = 16  # networks per setting, as in chapter 05; the replication's seeds follow them
FRESH_DATA_SEED = 1  # the replication's data split, as in chapter 05 (the main one uses 0)

# %%
import tempfile
from pathlib import Path

from IPython.display import Markdown, display

from essay_lib import experiment, report
from essay_lib.experiment import curve_extension, validity
from essay_lib.measures import validity as measure_validity
from essay_lib.report import inference, plotting, session, specification_curve, tables, vocabulary

rng = session.setup(seed=SEED)

# %% [markdown]
# ## Chapter 05's answer, as the appendix reads it
#
# The appendix starts from chapter 05's experiment and answer: the same networks
# (read from the cache), the same validity table of chapter 04, the same rules.

# %%
SPEC = experiment.essay_experiment(range(FIRST_NETWORK_SEED, FIRST_NETWORK_SEED + N_SEEDS))
TASKS = SPEC.tasks
table = report.table.record_table(experiment.run_experiment(SPEC))
main_cells = validity.validity_table(SPEC)
deltas, valid = specification_curve.answer_inputs(main_cells)
answer = report.answer.experiment_answer(table, TASKS, deltas=deltas, valid=valid)
display(Markdown(report.answer.plain_answer(answer)))
display(Markdown(report.answer.answer_markdown(answer)))

# %% [markdown]
# ## 1 · The specification curve, under the new rules
#
# $\bar Z$ rests on three choices a reviewer could make differently.
#
# * **The output representation.** A regressor has one: its values. A classifier
#   can be read in its raw logits (the main choice), in logits centred on their
#   mean (softmax ignores that per-input shift), in log-probabilities (what the
#   loss sees) or in probabilities (what mixup trains).
# * **The displacement scale** $s$ of the triples: how far $x_0 + a + b$ reaches.
# * **The geometry of the triples**: *extrapolating* (displacements are scaled
#   differences of other data points, so a point can leave the data), *inside*
#   (every point a convex combination of data points) or *chord midpoints*
#   (Taleb's $H$ at the midpoint of a chord between two data points, the geometry
#   mixup trains; it has no scale of its own).
#
# The records of chapter 05 hold $\bar Z$ of every network under the first three
# representations, every scale and the first two geometries. Probabilities and
# chord midpoints are not in them (the records' settings were kept so that no
# cached record had to be measured again), so this appendix measures those two
# here, on the same cached networks, with the records' own triples count, seed and
# points, in batched float64 passes that take seconds per task
# (`experiment.curve_extension`).
#
# **The rules under each specification are chapter 05's, unchanged.** A task
# counts under a specification only where that specification's own cell of
# chapter 04's validity table passed its checks (the same task, representation
# and geometry, measured at that scale), and its $\delta$ comes from that cell;
# elsewhere every reading is "not valid here".
#
# **The family.** Each specification is read as its own family, built exactly as
# chapter 05 builds the main one: every valid task's trend and its comparisons,
# with Holm's correction and simultaneous intervals over them. We do not pool the
# whole curve into one family. The curve asks whether the main answer *depends*
# on a choice, not whether some choice shows an effect, and no claim is read from
# an alternative specification on its own; a correction over every specification
# at once would read each alternative by a stricter rule than the main one, so a
# difference in reading would be the correction's doing, not the data's (exercise
# 1 reads the curve that way, so you can see what changes).
#
# **Agreement is substantive only**: a specification agrees with the main one on
# a task and a reading when it gives the *same* reading ("slightly more linear" is
# not "more linear"); "not valid here" never counts as agreement.

# %%
SCALES = SPEC[TASKS[0]].measures.curve_scales
MAIN_SCALE = SPEC[TASKS[0]].measures.displacement_scale
curve_cells = [*main_cells, *[c for s in SCALES if s != MAIN_SCALE for c in
                              validity.validity_table(SPEC.replace(displacement_scale=s))]]
extension = curve_extension.curve_extension_records(SPEC)
curve_table = specification_curve.add_specifications(table, extension)
curve = specification_curve.curve_answers(curve_table, TASKS, curve_cells)
agreement_rows = specification_curve.curve_agreement(curve)

# %%
same = report.answer.replication_agreement(answer, curve.answers[specification_curve.MAIN])
low, high = specification_curve.family_range(curve)
display(Markdown(
    "Specifications per task: " + "; ".join(f"{vocabulary.task_label(t)} {len(curve.keys[t])}"
                                            for t in TASKS)
    + f" (scales {', '.join(f'{s:g}' for s in SCALES)}). The main specification is "
    f"{vocabulary.specification_label(specification_curve.MAIN)}; read as the curve reads "
    f"it, it gives chapter 05's answer in {len(same['same'])} of "
    f"{len(same['same']) + len(same['different'])} readings. Families range from {low} to "
    f"{high} tests, one per specification."))

# %% [markdown]
# The figure shows every reading under every specification: one panel per task, a
# row for the trend of $\bar Z$ with the drop rate and one for dropout against
# each comparator at equal fit, a column per specification. A column of one colour
# means the choice did not matter there; hollow grey dots are specifications under
# which the measure is not valid on that task; the ringed column is the main
# specification.

# %%
fig = plotting.plot_specification_readings(curve)
_ = plotting.save_figure(fig, "A-specification-curve")

# %% [markdown]
# The table counts, for each task and reading, the other specifications that give
# the main specification's reading, and how many of them are valid there.

# %%
display(Markdown(specification_curve.agreement_markdown(agreement_rows)))
display(Markdown(specification_curve.agreement_sentence(agreement_rows)))

# %% [markdown]
# ## 2 · The replication, on fresh seeds and a fresh data split
#
# Chapter 05's networks were the only ones any choice of this essay was made on.
# Its last section trains the experiment again from new network seeds *and* on a
# new draw of the data (new samples of the quadratic and the moons, a new
# train/test split of diabetes and digits), and reads it by the same rules: its
# own validity table, its own $\delta$, the same family. Here is that replication
# again, beside the curve: a reading counts as repeated only when it is the same
# reading, and every difference is named.

# %%
FRESH = experiment.replication_experiment(
    range(FIRST_NETWORK_SEED + N_SEEDS, FIRST_NETWORK_SEED + 2 * N_SEEDS),
    data_seed=FRESH_DATA_SEED)
fresh_table = report.table.record_table(experiment.run_experiment(FRESH))
fresh_deltas, fresh_valid = specification_curve.answer_inputs(validity.validity_table(FRESH))
fresh = report.answer.experiment_answer(fresh_table, TASKS, deltas=fresh_deltas,
                                        valid=fresh_valid)
replication = report.answer.replication_agreement(answer, fresh)
display(Markdown(f"Fresh network seeds {FRESH[TASKS[0]].seeds[0]}–{FRESH[TASKS[0]].seeds[-1]}, "
                 f"{len(fresh_table)} networks."))
display(Markdown(report.answer.answer_markdown(fresh)))
display(Markdown(report.answer.replication_markdown(replication)))

# %% [markdown]
# ## 3 · The kernel paths: the same sentences on another CPU
#
# The same code on another CPU can give numbers that differ in the last bits:
# linear algebra libraries pick different kernels (vector instruction sets,
# orders of summation) on different processors. The essay's *sentences* must not
# change with them: no reading may rest on a tie broken by rounding, or on a
# statistic a hair from its threshold without saying so. The command
# `python -m essay_lib robustness` recomputes every sentence under several kernel
# paths, from empty caches, and compares them. It takes minutes, far longer than
# this page may take to build, so it is not run here: the page shows the result of
# its last run on this machine, as the command left it.

# %%
kernel = report.kernel_check.read_kernel_check()
display(Markdown(report.kernel_check.kernel_check_markdown(kernel)))

# %% [markdown]
# ## 4 · A statistics primer, with a glossary
#
# **Spearman's $\rho$.** A correlation of *ranks*: replace each value by its rank
# and compute the ordinary correlation. It is $+1$ when one quantity always rises
# with the other, $-1$ when it always falls, whatever the shape of the curve. *In
# the essay*: each seed's $\rho$ between the drop rate and $\bar Z$ along its own
# path is the trend of chapter 05 (and the trends of chapters 06 to 08).
#
# **Paired by seed.** Networks trained from one seed share their initial weights
# and the order of their data, so two networks of one seed differ only by what
# was changed. Every comparison is first made inside a seed, one number per
# seed, and only those numbers are compared across seeds: the seed is the unit
# of evidence, not the network. *In the essay*: every trend and every excess at
# equal fit (chapter 05).
#
# **The sign-flip test.** If a change did nothing, each seed's difference would
# be as likely to come out positive as negative. The test flips the signs of the
# differences in every one of the $2^n$ possible ways ($n$ seeds) and asks how
# often the mean of the flipped values is at least as far from 0 as the mean we
# observed: that share is the p-value. It is exact, needs no assumption about the
# shape of the noise, and can never be 0: the observed signs and their mirror
# image are always among the most extreme, so **the smallest p-value is
# $2/2^n$**. *In the essay*: the trends and comparisons of chapters 04 to 08.

# %%
can = {True: "can", False: "cannot"}
display(Markdown("Smallest p-value of the exact sign-flip test with $n$ seeds: " + "; ".join(
    f"$n$ = {n}: {inference.min_pvalue(n):.3g}" for n in (5, 8, 16)) + f". At α = "
    f"{answer.alpha:g}, one test on 5 seeds {can[inference.can_reach(5, answer.alpha)]} "
    f"reject; in chapter 05's family of {answer.family_size} tests, {N_SEEDS} seeds "
    f"{can[inference.can_reach(N_SEEDS, answer.alpha, answer.family_size)]} reach Holm's "
    f"strictest threshold, α/{answer.family_size}."))
one_way, one_reversed = [0.3, 0.1, 0.4, 0.2, 0.5], [0.3, 0.1, -0.4, 0.2, 0.5]
display(Markdown(f"{len(one_way)} seeds whose differences all point one way: p = "
                 f"{inference.signflip_pvalue(one_way):.4g}, the smallest possible; with one "
                 f"of them reversed: p = {inference.signflip_pvalue(one_reversed):.4g}."))
step = inference.seed_trends([0.0, 0.1, 0.2, 0.3], [[0.5, 0.5, 0.4, 0.4]])[0]
step_text = report.wording.signed(step, 3)
display(Markdown(f"A step is a trend: a path that stays flat, drops once and stays flat "
                 f"has ρ = {step_text}, and if every seed takes that step the test says so."))

# %% [markdown]
# **Holm's correction** [@holm1979]. Reading many tests at once, some will cross $\alpha$ by
# luck. Holm's procedure keeps the chance of *any* false finding in the whole
# family below $\alpha$: sort the $m$ p-values from smallest to largest, compare
# the smallest with $\alpha/m$, the next with $\alpha/(m-1)$, and so on, and stop
# at the first that fails. Equivalently, each p-value is *adjusted* (multiplied by
# how many tests were still in play, never below an earlier adjusted value) and
# compared with $\alpha$ itself. *In the essay*: the family of chapter 05 (every
# valid task's trend and comparisons), and the controls of chapter 04. Below, a
# small family of made-up p-values:

# %%
example_p = [0.004, 0.03, 0.012, 0.2]
example_adjusted = inference.holm_adjust(example_p)
display(Markdown(tables.markdown_table(
    ["raw p", "Holm-adjusted p", f"rejected at α = {answer.alpha:g}"],
    [[f"{p:g}", f"{q:.3g}", "yes" if q <= answer.alpha else "no"]
     for p, q in zip(example_p, example_adjusted, strict=True)])))

# %% [markdown]
# **The equivalence margin $\delta$ and the four readings.** "Not significant"
# does not mean "no effect": it may only mean too few seeds. So before reading
# the data we fix the smallest effect that would matter, $\delta$, in a unit with
# a meaning: the change of $\bar Z$ that a small affine blend makes on the task's
# own networks (chapter 04; the share of the blend is given below). An interval
# for dropout's excess over a comparator then reads: entirely below $-\delta$,
# **more linear**; below 0 but not below $-\delta$, **slightly more linear**;
# inside $\pm\delta$, **as linear**; the mirror readings for **less linear**;
# anything else, **undetermined**. An interval that contains 0 but reaches past
# $\delta$ is undetermined, never "as linear". *In the essay*: every comparison of
# chapter 05, and here every specification's.

# %%
example_delta = 0.01
example_intervals = [(-0.05, -0.02), (-0.015, -0.002), (-0.004, 0.006), (-0.03, 0.02),
                     (0.001, 0.008)]
display(Markdown(tables.markdown_table(
    ["interval of the excess", "δ", "reading"],
    [[f"[{report.wording.signed(lo, 3)}, {report.wording.signed(hi, 3)}]", f"{example_delta:g}",
      inference.READINGS[inference.equivalence_reading(lo, hi, example_delta)].format(
          other="X")] for lo, hi in example_intervals])))
display(Markdown(f"In the essay, δ is the change of $\\bar Z$ that a {measure_validity.DELTA_ALPHA:.0%} affine "
                 f"blend makes: " + "; ".join(f"{vocabulary.task_label(t)} {d:.3g}"
                                              for t, d in deltas.items()) + "."))

# %% [markdown]
# **Simultaneous intervals.** An interval at confidence $1 - \alpha$ misses the
# truth with probability $\alpha$; a table of many such intervals is likely to
# hold a miss somewhere.
# Simultaneous intervals are each made wider, at confidence $1 - \alpha/m$ for a
# family of $m$, so that all of them hold together with probability at least
# $1 - \alpha$ (Bonferroni's inequality). Every "more linear" or "less linear"
# reading is then a claim the whole family supports. *In the essay*: the
# intervals of chapter 05's answer.
#
# **Positive control.** A measurement that cannot see an effect where we *know*
# there is one cannot be trusted when it sees none. A positive control is such a
# known case. Chapter 04 has two kinds: the trained networks blended step by step
# with their own affine fit (their $\bar Z$ must fall to 0, and the fall gives
# $\delta$ its unit), and mixup, which trains a network to behave linearly along
# chords between examples (it must lower $\bar Z$ in the space it trains:
# probabilities, on chord midpoints). *In the essay*: the validity table of chapter
# 04, which decides where a reading counts at all.
#
# **Specification curve.** The same analysis repeated under every reasonable set
# of choices (here: representation, scale, geometry), all shown at once, so a
# reader sees whether the conclusion is a property of the data or of one choice
# [@simonsohn2020]. *In the essay*: section 1 of this
# appendix.

# %%
display(Markdown(
    f"In chapter 05's answer, the family holds {answer.family_size} tests, so each "
    f"interval is a {answer.confidence:.2%} interval and together they hold with "
    f"probability at least {1 - answer.alpha:.0%}."))

# %% [markdown]
# ## What we measured
#
# Everything below is recomputed from the records and the cached networks each time
# the notebook runs.

# %%
display(Markdown("\n".join([
    f"- **Chapter 05's answer.** {report.answer.plain_answer(answer)}",
    f"- **The specification curve.** {specification_curve.agreement_sentence(agreement_rows)}",
    f"- **The replication.** {report.answer.replication_markdown(replication)}",
    "- **The kernel paths.** " + (
        f"last run {kernel.date or '(undated)'}, under "
        f"{', '.join(kernel.kernel_paths) or 'paths it does not name'}; its result is in "
        "section 3." if kernel.exists else
        "not run on this machine yet; run `python -m essay_lib robustness`."),
])))

# %% [markdown]
# ## Takeaways

# %%
scored = [r for r in agreement_rows if r.main != specification_curve.NOT_VALID]
n_same, n_other = sum(r.n_same for r in scored), sum(r.n_other for r in scored)
n_repeated, n_compared = len(replication["same"]), len(replication["same"]) + len(replication["different"])
takeaways = [
    "**Read an answer under every defensible choice.** Under the other specifications of "
    f"$\\bar Z$ (representation, scale, geometry), {n_same} of {n_other} readings repeat the main "
    "specification's, each read by chapter 05's rules and only where the measure is valid "
    "[@simonsohn2020].",
    "**Replicate on new networks and new data.** On fresh seeds and a fresh data split, "
    f"{n_repeated} of {n_compared} readings came out the same"
    + ("; section 2 names the others." if n_repeated < n_compared else "."),
]

# %%
takeaways += [
    "**A sentence must not depend on the machine.** " + (
        f"The kernel-path check last ran {kernel.date or '(undated)'}, under "
        f"{', '.join(kernel.kernel_paths) or 'paths it does not name'}; section 3 shows its result."
        if kernel.exists else "The kernel-path check has not run on this machine yet."),
    "**The statistics are few and exact**: one number per seed, sign-flip tests whose smallest "
    f"p-value is $2/2^n$ ({inference.min_pvalue(N_SEEDS):.1e} with {N_SEEDS} seeds), Holm's "
    f"correction [@holm1979] and simultaneous intervals over one family of {answer.family_size} "
    "tests, and readings against a margin δ fixed in advance.",
]
display(Markdown("\n".join(f"- {line}" for line in takeaways)))

# %% [markdown]
# ## Exercises
#
# 1. Read the whole curve as one family: divide $\alpha$ by the number of
#    specifications, so that every specification's tests share one family-wise
#    error rate. How many readings still agree with the main specification?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 1.** We recompute every specification's answer with
# $\alpha / (\text{number of specifications})$ and count agreement again. The main
# specification is now read by the stricter rule too, so both sides move.

# %% tags=["solution"] jupyter={"source_hidden": true}
strict_alpha = answer.alpha / len(curve.answers)
strict = specification_curve.curve_answers(curve_table, TASKS, curve_cells, alpha=strict_alpha)
display(Markdown(f"With α = {strict_alpha:.2g} for every test: "
                 + specification_curve.agreement_sentence(
                     specification_curve.curve_agreement(strict))))

# %% [markdown]
# 2. How many seeds would an exact sign-flip test need for its smallest p-value
#    to pass Holm's first, strictest threshold, if every test of the whole curve
#    were one family?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 2.** Holm's first threshold is $\alpha/m$ for a family of $m$
# tests, and the smallest p-value is $2/2^n$; we look for the first $n$ that
# reaches it (`inference.can_reach`).

# %% tags=["solution"] jupyter={"source_hidden": true}
m_curve = sum(curve.family_sizes().values())
needed = next(n for n in range(1, 64) if inference.can_reach(n, answer.alpha, m_curve))
display(Markdown(f"The whole curve holds {m_curve} tests; their first Holm threshold is "
                 f"{answer.alpha / m_curve:.2g}, which {needed} seeds can reach "
                 f"({inference.min_pvalue(needed):.2g}); the experiment has {N_SEEDS}."))

# %% [markdown]
# 3. Write a result file of the kernel-path check by hand, with a front matter
#    holding `date` and `kernel_paths`, in a folder of your own, and read it the
#    way section 3 does.

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 3.** A front matter between two `---` lines, then the result as
# markdown; `read_kernel_check` takes the file's path.

# %% tags=["solution"] jupyter={"source_hidden": true}
mine = Path(tempfile.mkdtemp()) / report.kernel_check.ROBUSTNESS_FILE
mine.write_text("---\ndate: today\nkernel_paths: default, AVX2\n---\n\nEvery sentence "
                "was the same.\n", encoding="utf-8")
display(Markdown(report.kernel_check.kernel_check_markdown(
    report.kernel_check.read_kernel_check(mine))))
