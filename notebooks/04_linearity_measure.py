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
# # 04 · A measure of linearity

# %% [markdown]
# **You will learn**
#
# * why the paper's literal test $f(x_1 + x_2) = f(x_1) + f(x_2)$ fails every layer with a
#   bias, and the repair: the mixed second difference $D$;
# * the measure $Z$ and its average $\bar Z$ over the data, with Taleb's heuristic as its
#   diagonal case [@taleb2012];
# * how to trust a measure: check it on functions whose answer is known, then on the trained
#   networks themselves (affine blends, a leaky-ReLU path, and mixup as a positive control
#   [@zhang2018]);
# * δ, the unit in which chapter 05 reads every effect.
#
# **You need**
#
# * chapter 03 (transformation functions, the literal additivity test) and chapter 02 (the
#   drop rate);
# * maths: linear and affine maps, vector norms, a second difference (the discrete cousin of
#   a second derivative); bootstrap intervals [@efron1979] and the sign-flip test, which the
#   appendix's statistics primer explains.

# %% [markdown]
# **What the paper claims.** This is the heart of Teague's paper [@teague2019]. A function is
# linear, he writes, when for any two points $f(x_1 + x_2) = f(x_1) + f(x_2)$;
# a line $f(x) = cx$ passes this test and a polynomial fails it more and more as
# its degree climbs, the way an overfit high-degree fit "becomes unstable". He
# proposes a measure $Z$ of how far a trained network is from this equality (its
# formula was an image, now lost) and the thesis: by training random
# sub-networks whose outputs must add up, dropout pushes the network's function
# toward **decreasing $Z$ with increased dropout ratio**, just as L1 pushes the
# weights toward sparsity and L2 toward small magnitude. He never tests it.
#
# Before we can test it (chapter 05), we need a measure we can trust. This chapter
# builds one and checks it:
#
# 1. from the paper's words to a measure: the literal test, why every layer with
#    a bias fails it, the second difference $D$, the bounded score $Z$ and its
#    average $\bar Z$ over the data (our reconstruction), next to Taleb's heuristic;
# 2. sanity checks on functions whose answer we know;
# 3. validity on the trained networks themselves: does $\bar Z$ respond when we make a
#    trained network more linear by hand, task by task and representation by
#    representation? Does the positive control (mixup) move it in the space it trains?
#    This gives the unit in which chapter 05 reads effects;
# 4. what the networks learned.

# %% tags=["parameters"]
SEED = 0  # seeds the examples of sections 1-2 and every bootstrap interval
FIRST_NETWORK_SEED = 0  # chapter 05's experiment: seeds FIRST_NETWORK_SEED ... + N_SEEDS - 1
N_SEEDS = 16  # network seeds per setting
N_TRIPLES = 2000  # triples of the sanity checks in section 2
SCALE = 0.5  # their displacement scale
SHOW_RATES = (0.0, 0.3, 0.5, 0.7)  # drop rates drawn in "what the networks learned"

# %%
import numpy as np
from IPython.display import HTML, Markdown, display

from essay_lib import data, experiment, report
from essay_lib.measures import examples, linearity, polynomials
from essay_lib.report import plotting, session, tables, vocabulary, wording

rng = session.setup(seed=SEED)

# %% [markdown]
# ## 1 · From the paper's words to a measure
#
# ### The literal test, and the bias pitfall
#
# The paper's test compares $f(x_1 + x_2)$ with $f(x_1) + f(x_2)$. For
# $f(x) = c\,x$ the two agree. But a network's layers compute $Wx + b$, and for
# an *affine* map $f(x) = c\,x + b$
#
# $$f(x_1 + x_2) - f(x_1) - f(x_2) = -b ,$$
#
# whatever $x_1$ and $x_2$ are: a perfectly straight line with an offset fails
# the literal test by its offset. We check this numerically on random points,
# for a line through the origin, the same line lifted by an offset, and a random
# affine map from $\mathbb{R}^{10}$ to $\mathbb{R}^3$.

# %%
slope, offset = 2.0, 0.7
W_aff, b_aff = rng.normal(size=(10, 3)), rng.normal(size=3)
x1, x2 = rng.uniform(-1, 1, (500, 1)), rng.uniform(-1, 1, (500, 1))
X1, X2 = rng.normal(size=(500, 10)), rng.normal(size=(500, 10))
literal_line = linearity.additivity_defect(examples.line(slope), x1, x2)
literal_offset = linearity.additivity_defect(examples.line(slope, offset), x1, x2)
literal_affine = linearity.additivity_defect(examples.affine(W_aff, b_aff), X1, X2)
display(Markdown(
    f"Over 500 random pairs, the literal defect of $f(x) = {slope:g}x$ is at most "
    f"{wording.residual(np.abs(literal_line).max())}; for $f(x) = {slope:g}x + {offset:g}$ it is "
    + wording.from_to(literal_offset.min(), literal_offset.max(), ".4f", same="{} on every pair")
    + f", exactly $-b$; for the random affine map its largest deviation from $-b$ is "
    f"{wording.residual(np.abs(literal_affine + b_aff).max())}. The literal test measures the offset, not "
    f"the curvature."))

# %% [markdown]
# ### The second difference $D$
#
# The fix is to ask the question about changes rather than values. Take a base
# point $x_0$ and two displacements $a$, $b$, and measure the changes of $f$
# along them:
#
# $$u = f(x_0 + a) - f(x_0), \qquad v = f(x_0 + b) - f(x_0), \qquad
#   w = f(x_0 + a + b) - f(x_0).$$
#
# The function $g(s) = f(x_0 + s) - f(x_0)$ has $g(0) = 0$, so the paper's test
# applies to it without the offset problem: $g(a + b) = g(a) + g(b)$ means
# $w = u + v$. The defect is the **mixed second difference**
#
# $$D = w - u - v = f(x_0 + a + b) - f(x_0 + a) - f(x_0 + b) + f(x_0).$$
#
# $D = 0$ for every affine $f$, and for a quadratic form $f(x) = x^\top A x$ it is
# exactly $2\,a^\top A b$: $D$ is a finite-difference version of the curvature
# of $f$ between the two directions.
#
# ### A bounded, scale-free score $Z$ and its average $\bar Z$
#
# $D$ is in the units of the output, so it shrinks if the whole function is
# scaled down, without any change of shape. We divide by the size of the
# changes themselves:
#
# $$Z(x_0, a, b) = \frac{\lVert D \rVert}{\lVert u \rVert + \lVert v \rVert
#   + \lVert w \rVert} \in [0, 1], \qquad \text{with } 0/0 := 0 .$$
#
# $Z$ is 0 exactly when $f$ is additive along the triple and cannot exceed 1
# (the triangle inequality), and it does not change when $f$ is replaced by
# $\alpha f + c$ for any $\alpha \ne 0$. Over a data set $X$ we draw many triples
# (a data point $x_0$; $a$ and $b$ each a difference of two data points scaled by
# $s = 1/2$) and report a ratio of sums,
#
# $$\bar Z = \frac{\sum_t \lVert D_t \rVert}{\sum_t \left(\lVert u_t \rVert +
#   \lVert v_t \rVert + \lVert w_t \rVert\right)},$$
#
# rather than a mean of ratios, so that triples in flat regions (tiny $u$, $v$,
# $w$) do not dominate. This is our reconstruction: one faithful reading of the
# paper's words, not its lost formula, and the appendix varies its choices. Beside it
# we keep the **raw** defect, the mean $\lVert D \rVert$, in output units.
#
# ### Taleb's heuristic
#
# The paper cites Taleb, Canetti et al. (2012), whose fragility heuristic is
#
# $$H(x, \Delta) = \tfrac12 \left[f(x + \Delta) + f(x - \Delta)\right] - f(x),$$
#
# zero for affine $f$, positive where $f$ is convex and negative where it is
# concave. With $a = b = \Delta$ and $x_0 = x - \Delta$ the second difference is
# $D = f(x + \Delta) - 2 f(x) + f(x - \Delta) = 2H$: Taleb's heuristic is the
# diagonal case of $D$. We check these identities numerically.

# %%
A_quad = rng.normal(size=(4, 4))
X0, A_dir, B_dir = (rng.normal(size=(300, 4)) for _ in range(3))
D_quadratic = linearity.second_difference(examples.quadratic_form(A_quad), X0, A_dir, B_dir)
exact_quadratic = np.einsum("ni,ij,nj->n", A_dir, A_quad + A_quad.T, B_dir)
D_affine = linearity.second_difference(examples.affine(W_aff, b_aff),
                                       *(rng.normal(size=(300, 10)) for _ in range(3)))
smooth = examples.smooth_curve()
x_pts, delta = rng.uniform(-1, 1, (300, 1)), rng.uniform(0.05, 0.5, (300, 1))
D_diag = linearity.second_difference(smooth, x_pts - delta, delta, delta)
H_taleb = linearity.taleb_heuristic(smooth, x_pts, delta)
Z_plain = linearity.z_score(smooth, X0[:, :1], A_dir[:, :1], B_dir[:, :1])
Z_rescaled = linearity.z_score(examples.rescaled(smooth, -3.0, 5.0), X0[:, :1], A_dir[:, :1],
                               B_dir[:, :1])

# %%
display(Markdown("\n".join([
    f"- $D$ of a random affine map $\\mathbb{{R}}^{{10}} \\to \\mathbb{{R}}^3$: largest "
    f"$|D|$ over 300 triples {wording.residual(np.abs(D_affine).max())}.",
    f"- $D$ of a random quadratic form $x^\\top A x$ in 4-D against "
    f"$a^\\top (A + A^\\top) b$ (which is $2a^\\top A b$ for symmetric $A$): largest "
    f"difference {wording.residual(np.abs(D_quadratic - exact_quadratic).max())}.",
    f"- $D = 2H$ for $f(x) = \\sin 3x + x^3$ at 300 random $(x, \\Delta)$: largest "
    f"$|D - 2H|$ {wording.residual(np.abs(D_diag - 2 * H_taleb).max())}.",
    f"- $Z$ of $-3f + 5$ against $Z$ of $f$: largest difference "
    f"{wording.residual(np.abs(Z_plain - Z_rescaled).max())}; $Z$ ranges over "
    f"[{Z_plain.min():.3f}, {Z_plain.max():.3f}] on these triples.",
])))

# %% [markdown]
# The figure shows the geometry. On the left, an affine function: going from
# $x_0$ by $a$ then by $b$ lands exactly where the two separate changes predict
# ($D = 0$). On the right, $f(x) = x^2$: the prediction $f(x_0) + u + v$
# misses $f(x_0 + a + b)$ by $D = 2ab$.

# %%
triple = {"x0": -0.6, "a": 0.4, "b": 0.9}
fig = plotting.plot_second_difference({"affine: $f(x) = 0.8x + 0.5$": examples.line(0.8, 0.5),
                                       "curved: $f(x) = x^2$": examples.power(2)}, **triple)
_ = plotting.save_figure(fig, "04-second-difference")

# %% [markdown]
# ### Try it: $D$ on the quadratic task
#
# The explorer below puts the same construction on the 1-D quadratic task of chapter 05:
# move $x_0$, $a$ and $b$ and pick one of three functions, the true $x^2$ or the first
# seed's network trained on 20 noisy samples of it, without dropout or with drop rate 0.5
# (chapter 05's experiment, trained once and cached; sections 3 and 4 come back to these
# networks). It marks $f$ at the four points, the additive prediction $f(x_0) + u + v$ and
# the gap $D$, and tabulates $D$ and the triple's $Z$ for all three functions. For $x^2$,
# $D = 2ab$ wherever $x_0$ is. A ReLU network is piecewise linear: where the four points
# share one linear piece its $D$ is exactly 0, so its $D$ comes from the kinks between
# them. The curves were computed in this cell on a fine grid and your browser interpolates
# between grid points: nothing is trained when a slider moves. Without JavaScript the page
# shows the triple of the figure above.

# %%
EXPERIMENT = experiment.essay_experiment(range(FIRST_NETWORK_SEED,
                                               FIRST_NETWORK_SEED + N_SEEDS))
d_curves = report.explorers.d_curves(EXPERIMENT["quadratic"], drop_rates=(0.0, 0.5))
display(HTML(report.explorers.d_explorer_html(d_curves, **triple)))

# %% [markdown]
# ## 2 · Sanity on functions whose answer we know
#
# ### Powers $x^n$ on $[-1, 1]$, and chapter 03's polynomial fits
#
# If $\bar Z$ measures what the paper means, it should be zero for $x$ and
# climb with the degree. We draw 200 points uniformly on $[-1, 1]$ and compute
# $\bar Z$ of $x^n$ for $n = 1, \dots, 9$ with a 95% bootstrap interval over the
# triples. Then we refit chapter 03's polynomials of degree 1, 2 and 9 to 10 noisy
# points of $y = x^2$ (the degree-9 fit interpolates them) and measure them on 200
# test inputs. The expected order: the line is exactly linear, the degree-2 fit
# sits near the true parabola, the interpolating degree-9 fit is far less linear.

# %%
X_unit = rng.uniform(-1, 1, (200, 1))
powers = np.arange(1, 10)
power_z = [linearity.z_bar(examples.power(n), X_unit, n_triples=N_TRIPLES, scale=SCALE,
                           seed=SEED) for n in powers]
power_value = np.array([z.value for z in power_z])
power_interval = np.array([z.bootstrap_interval(seed=SEED) for z in power_z])
task_q = data.quadratic_task(n_train=20, n_test=200, noise=0.1, seed=SEED)
fit_functions = {f"degree {d} fit": examples.polynomial_function(polynomials.fit_polynomial(
    task_q.X_train[::2, 0], task_q.y_train[::2, 0], d)) for d in (1, 2, 9)}
fit_functions["true $x^2$"] = examples.power(2)
X_eval = task_q.X_test.astype(float)
fit_z = {name: linearity.z_bar(f, X_eval, n_triples=N_TRIPLES, scale=SCALE, seed=SEED)
         for name, f in fit_functions.items()}

# %%
fig = plotting.plot_known_functions(powers, power_z, fit_z, seed=SEED, reference="true $x^2$")
_ = plotting.save_figure(fig, "04-z-known-functions")

# %%
rows = [[f"$x^{{{n}}}$", f"{z.value:.3f}", f"[{lo:.3f}, {hi:.3f}]", wording.residual(z.raw, ".3g")]
        for n, z, (lo, hi) in zip(powers, power_z, power_interval, strict=True)]
rows += [[name, f"{z.value:.3f}", "[{:.3f}, {:.3f}]".format(*z.bootstrap_interval(seed=SEED)),
          wording.residual(z.raw, ".3g")] for name, z in fit_z.items()]
display(Markdown(tables.markdown_table(
    ["function", "$\\bar Z$", "95% interval", "raw mean $\\lVert D\\rVert$"], rows,
    align=["left", "right", "left", "right"])))

# %%
monotone = bool(np.all(np.diff(power_value) > 0))
fits = {d: fit_z[f"degree {d} fit"].value for d in (1, 2, 9)}
truth = fit_z["true $x^2$"]
ordered = fits[1] < truth.value < fits[9]
display(Markdown(
    f"$\\bar Z$ of $x^n$ {'rises with every step of' if monotone else 'does not rise steadily with'}"
    f" $n$, from {wording.residual(power_value[0])} at $n = 1$ through {power_value[1]:.3f} at $n = 2$ to "
    f"{power_value[-1]:.3f} at $n = 9$; in {np.sum(power_interval[1:, 0] > power_interval[:-1, 1])}"
    f" of the {len(powers) - 1} steps the two 95% intervals do not overlap (they widen with "
    f"$n$, as a few triples with large values dominate the sums). On chapter 03's fits the "
    f"order is {'as expected' if ordered else '**not** the expected one'}: the line scores "
    f"{wording.residual(fits[1])}, the degree-2 fit {fits[2]:.3f} (the true parabola {truth.value:.3f}) and "
    f"the interpolating degree-9 fit {fits[9]:.3f}, {fits[9] / truth.value:.1f} times the "
    f"truth; its raw defect is {fit_z['degree 9 fit'].raw / truth.raw:.0f} times the truth's."))

# %% [markdown]
# ### $\bar Z$ depends on the size of the displacements
#
# $\bar Z$ is a *finite* difference: for a smooth function, at small
# displacements every function looks affine. For $x^2$, $D = 2ab$ while $u
# \approx 2x_0 a$, so $\bar Z$ shrinks roughly in proportion to the scale $s$.
# Comparisons are therefore made at one fixed scale, and the appendix asks whether
# the answer depends on which.

# %%
SCALES = (0.05, 0.1, 0.25, 0.5, 1.0)
scale_table = {s: [linearity.z_bar(f, X_eval, n_triples=N_TRIPLES, scale=s, seed=SEED).value
                   for f in fit_functions.values()] for s in SCALES}
display(Markdown(tables.markdown_table(
    ["scale $s$", *fit_functions], [[f"{s:g}", *[f"{v:.3f}" for v in row]]
                                    for s, row in scale_table.items()],
    align=["right"] * (len(fit_functions) + 1))))
holds = all(r[0] < r[1] < r[2] for r in scale_table.values())
display(Markdown(
    f"Going from $s = {SCALES[0]:g}$ to $s = {SCALES[-1]:g}$, $\\bar Z$ of the true parabola "
    f"moves from {scale_table[SCALES[0]][3]:.3f} to {scale_table[SCALES[-1]][3]:.3f}; the "
    f"order degree 1 < degree 2 < degree 9 {'holds at every' if holds else 'fails at some'} "
    f"scale in the table."))

# %% [markdown]
# ## 3 · Is the measure valid on the trained networks?
#
# Known functions are one thing; the networks of chapter 05 are another. A measure
# counts on a task only where it responds to known changes of linearity *there*. So
# we take the experiment's unregularized networks (16 seeds per task, trained once and
# cached for chapter 05) and make them more linear by hand, in two ways whose answer
# we know:
#
# * **the affine blend** $f_\alpha = \alpha A + (1 - \alpha) f$, where $A$ is the
#   least-squares affine fit of $f$ over the data. Since $D(A) = 0$,
#   $D(f_\alpha) = (1 - \alpha) D(f)$ exactly: $\bar Z$ must fall to 0 as
#   $\alpha \to 1$ (monotonically, in practice);
# * **the leaky-ReLU path**: the trained weights with each ReLU replaced by a leaky
#   ReLU of negative slope $\sigma$; at $\sigma = 1$ the network is affine and
#   $\bar Z$ must be exactly 0.
#
# We check every **output representation** a classifier offers (the raw logits, the
# logits centred over the classes, log-probabilities and probabilities; a regressor's
# raw outputs) and every **geometry** of triples (extrapolating, inside the data, and
# chord midpoints, $x_0 = x_i$, $a = b = (x_j - x_i)/2$), at the scale $s = 1/2$.

# %%
TASKS = EXPERIMENT.tasks
cells = experiment.validity.validity_table(EXPERIMENT)
fig = plotting.plot_dose_response(cells, TASKS)
_ = plotting.save_figure(fig, "04-dose-response")

# %% [markdown]
# Each curve is the mean $\bar Z$ over a task's 16 unregularized networks; every one
# of the networks was checked on its own. The table reads the checks: ✓ where the blend
# falls monotonically and reaches 0 and the leaky path reaches 0 (it is checked in the
# logits, where a network with slope 1 is affine; a softmax on top is not), with the
# networks' mean $\bar Z$ and **δ**, the change of $\bar Z$ that a 10 % blend makes.

# %%
display(Markdown(report.validity_report.validity_markdown(cells)))
display(Markdown(report.validity_report.validity_sentence(cells)))

# %% [markdown]
# A cell can fail for a reason worth knowing. Where the best affine fit of a network is
# nearly flat (a function symmetric about the middle of its data, like a parabola on
# inputs centred at 0), blending it in only *rescales* the function plus a constant, and
# a scale-free measure does not move: the blend cannot pass its check there, and δ
# comes out near 0. That is a limit of the check, read honestly: on such a cell chapter 05
# reads "measure not valid here" instead of a verdict.
#
# **The unit of effects.** δ is fixed *before* the experiment is read: it is the
# smallest effect chapter 05 cares about, in a unit a reader can picture ("as much as
# blending 10 % of the best straight fit into the network"). It is not a linear unit: the
# blend curves above bend, so a larger effect is read off the curve itself
# (`measures.validity.equivalent_blend`), not by multiplying δ.
#
# ### The positive control, in its own space
#
# Mixup trains a network on convex combinations of pairs of examples and of their
# targets: it asks the **probabilities** (a classifier's softmax, a regressor's
# values) to change linearly along the chord between two training points. In logits
# that target is curved (the logit of a straight line of probabilities is not
# straight). So the control is checked where it acts: $\bar Z$ on chord midpoints of
# training pairs, in probabilities, per seed along mixup's α, with the exact sign-flip
# test over seeds; in logits on the same chords, for contrast.

# %%
control_rows = experiment.validity.mixup_control(EXPERIMENT)
control = report.validity_report.control_tests(control_rows)
fig = plotting.plot_mixup_control(control_rows)
_ = plotting.save_figure(fig, "04-mixup-control")
display(Markdown(report.validity_report.control_markdown(control)))

# %%
display(Markdown(report.validity_report.control_sentence(control) + " The control speaks "
                 "for the representation and geometry mixup trains; it says nothing, either "
                 "way, about logits on extrapolating triples, which the dose–response checks "
                 "above cover."))

# %% [markdown]
# ## 4 · What the networks learned
#
# Numbers aside, what do these functions look like? The cache keeps every trained
# network's weights: the first seed's networks of the 1-D quadratic and the two moons,
# without dropout and at three drop rates (they are trained in chapter 05's experiment).
# Whether a smoother-looking function is also *more linear* in the sense of $\bar Z$,
# and more so than other ways of reaching the same fit, is chapter 05's question:
# smoothing and linearising are not the same thing.

# %%
shown_tasks = ("quadratic", "moons")
tasks = {t: data.load_task(t, **EXPERIMENT[t].task_kwargs) for t in shown_tasks}
shown_spec = {t: EXPERIMENT[t].replace(grid={"none": [0.0], "dropout": list(SHOW_RATES[1:])},
                                       seeds=EXPERIMENT[t].seeds[:1]) for t in shown_tasks}
shown = {t: experiment.sweep_models(spec) for t, spec in shown_spec.items()}
z_shown = {(t, r["strength"]): r["z_bar"] for t in shown_tasks
           for r in experiment.run_sweep(shown_spec[t])}
functions = {t: {s: linearity.as_function(net) for (_, s, _), net in nets.items()}
             for t, nets in shown.items()}
fig = plotting.plot_learned_functions(
    functions["quadratic"], functions["moons"], quadratic_task=tasks["quadratic"],
    moons_task=tasks["moons"], z_values=z_shown, true_function=data.quadratic_target,
    seed=EXPERIMENT["quadratic"].seeds[0])
_ = plotting.save_figure(fig, "04-learned-functions")

# %% [markdown]
# ## What we measured
#
# Everything below is recomputed each time the notebook runs.

# %%
sanity = monotone and ordered
main = report.validity_report.main_cells(cells)
display(Markdown("\n".join([
    f"- **The measure.** $D$ vanishes on affine maps (largest $|D|$ "
    f"{wording.residual(np.abs(D_affine).max(), '.0e', zero='0, to rounding')}), $D = 2H$ (largest $|D - 2H|$ "
    f"{wording.residual(np.abs(D_diag - 2 * H_taleb).max(), '.0e', zero='0, to rounding')}), "
    f"$\\bar Z$ of $x^n$ goes from {wording.residual(power_value[0], '.0e')} to {power_value[-1]:.3f}: the sanity "
    f"checks {'pass' if sanity else '**fail**'}.",
    f"- **Validity.** {report.validity_report.validity_sentence(cells)}",
    "- **δ, the unit of chapter 05** (main specification): " + "; ".join(
        f"{vocabulary.task_label(t)} {report.validity_report.number(c.delta)}"
        for t, c in main.items()) + ".",
])))

# %% [markdown]
# ## Takeaways

# %%
valid_tasks = [t for t, c in main.items() if c.valid]
takeaways = [
    "**Additivity is read as a second difference.** The paper's literal test sees a layer's offset, "
    f"not its curvature; $D$ removes the offset (largest $|D|$ of an affine map "
    f"{wording.residual(np.abs(D_affine).max())}), $Z$ divides it by the size of the changes and $\\bar Z$ averages "
    "it over triples from the data. Taleb's heuristic [@taleb2012] is the diagonal case, $D = 2H$.",
    f"**On functions whose answer we know, the measure {'behaves' if sanity else 'misbehaves'}**: "
    f"the sanity checks {'pass' if sanity else '**fail**'}.",
    f"**On the trained networks it is valid on {len(valid_tasks)} of {len(main)} tasks** in the main "
    f"specification ({vocabulary.join_names(valid_tasks) or 'none'}): "
    "chapter 05 reads a verdict only there, and \"measure not valid here\" elsewhere.",
]

# %%
takeaways += [
    "**The positive control, in its own space.** "
    + report.validity_report.control_sentence(control),
    "**δ is the unit of chapter 05**, the change of $\\bar Z$ that a small affine blend makes: "
    + "; ".join(f"{vocabulary.task_label(t)} {report.validity_report.number(c.delta)}"
                for t, c in main.items()) + ".",
]
display(Markdown("\n".join(f"- {line}" for line in takeaways)))

# %% [markdown]
# ## Exercises
#
# Each exercise has a level (★ to ★★★) and a kind; its worked solution is folded below it.

# %% [markdown] tags=["exercise"]
# **Exercise 1** (★ · pen and paper). Show that $Z$ is unchanged when $f$ is replaced by
# $\alpha f + c$ ($\alpha \neq 0$, $c$ a constant vector).

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 1.** Each of $u, v, w$ is a difference of two values of $f$, and $D$ a signed sum
# of four values whose signs add up to 0 ($+1 - 1 - 1 + 1$), so $c$ cancels in all of them and
# each is multiplied by $\alpha$: $u' = \alpha u$, $v' = \alpha v$, $w' = \alpha w$,
# $D' = \alpha D$. So
#
# $$Z' = \frac{|\alpha|\,\lVert D\rVert}{|\alpha|\,(\lVert u\rVert + \lVert v\rVert + \lVert w\rVert)} = Z .$$
#
# (When $u = v = w = 0$ both are $0/0$, defined as 0.) The cell checks it on triples around
# the moons data for a trained network and $-2.5 f + 4$.

# %% tags=["solution"] jupyter={"source_hidden": true}
net_f = linearity.as_function(next(iter(shown["moons"].values())))
X_m = tasks["moons"].X_test[:50].astype(float)
a_m, b_m = 0.3 * X_m[::-1], 0.2 * np.roll(X_m, 1, axis=0)
z_f = linearity.z_score(net_f, X_m, a_m, b_m)
assert np.allclose(z_f, linearity.z_score(examples.rescaled(net_f, -2.5, 4.0), X_m, a_m, b_m),
                   rtol=0, atol=1e-9)

# %% [markdown] tags=["exercise"]
# **Exercise 2** (★★ · pen and paper). Compute $D$ for $f(x) = x^3$ at $x_0$ with
# displacements $a$, $b$, and compare with $f(x) = x^2$. Then compute $Z$ of both functions at
# $x_0 = 0$, $a = b$.

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 2.** Expanding the cubes, every term without both $a$ and $b$ cancels:
#
# $$D = (x_0 + a + b)^3 - (x_0 + a)^3 - (x_0 + b)^3 + x_0^3 = 6x_0ab + 3ab(a + b).$$
#
# For $x^2$ the same steps give $D = 2ab$, the same at every $x_0$; the cubic's defect grows
# with $|x_0|$, so its $\bar Z$ depends on where the data lie. At $x_0 = 0$, $a = b$: for $x^3$,
# $u = v = a^3$, $w = 8a^3$, $D = 6a^3$, so $Z = 6/(1 + 1 + 8) = 3/5$; for $x^2$, $u = v = a^2$,
# $w = 4a^2$, $D = 2a^2$, so $Z = 2/6 = 1/3$. Neither depends on $a$: $Z$ is scale-free along
# a ray from a point where $f$ is a pure power. The cell checks the formula on random triples
# and both values.

# %% tags=["solution"] jupyter={"source_hidden": true}
x0_c, a_c, b_c = np.random.default_rng(SEED).uniform(-1, 1, (3, 100, 1))
D_cube = linearity.second_difference(examples.power(3), x0_c, a_c, b_c)
assert np.allclose(D_cube, 6 * x0_c * a_c * b_c + 3 * a_c * b_c * (a_c + b_c), rtol=0, atol=1e-12)
zero_start, same_step = np.zeros((3, 1)), np.array([[0.1], [0.5], [2.0]])
assert np.allclose(linearity.z_score(examples.power(3), zero_start, same_step, same_step), 3 / 5)
assert np.allclose(linearity.z_score(examples.power(2), zero_start, same_step, same_step), 1 / 3)

# %% [markdown] tags=["exercise"]
# **Exercise 3** (★★★ · pen and paper). Show that $0 \le Z \le 1$ on every triple. For a
# scalar $f$, when is $Z = 1$? Check your condition on $f(x) = x^2$ at the triple of the
# figure in section 1 ($x_0 = -0.6$, $a = 0.4$, $b = 0.9$).

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 3.** By definition $D = w - u - v$, so the triangle inequality gives
# $\lVert D\rVert \le \lVert w\rVert + \lVert u\rVert + \lVert v\rVert$, hence $Z \le 1$; and
# $Z \ge 0$ as a ratio of norms. For scalars, $|w - u - v| = |w| + |u| + |v|$ holds exactly
# when the three numbers $w$, $-u$, $-v$ never have opposite signs (all $\ge 0$ or all
# $\le 0$): **$u$ and $v$ lie on the side of 0 opposite to $w$**. Both single steps move $f$
# one way and the combined step the other way, so the defect is as large as the changes
# themselves. For $x^2$ at the figure's triple, $D = 2ab > 0$ always; with $x_0 < 0$ and
# $x_0 + a$, $x_0 + b$ closer to 0 than $x_0$, both single steps *lower* $f$ ($u, v < 0$), while
# the combined step ends on the far side of the turning point, higher than it started
# ($w > 0$): so $Z = 1$. The cells compute $u, v, w, D$ there and check the value with
# `z_score`, and the bounds on random triples.

# %% tags=["solution"] jupyter={"source_hidden": true}
x0_t, a_t, b_t = triple["x0"], triple["a"], triple["b"]
square = examples.power(2)
u_t = float(square(x0_t + a_t) - square(x0_t))
v_t = float(square(x0_t + b_t) - square(x0_t))
w_t = float(square(x0_t + a_t + b_t) - square(x0_t))
display(Markdown(f"At $x_0 = {x0_t}$, $a = {a_t}$, $b = {b_t}$: $u = {u_t:.2f}$, $v = {v_t:.2f}$, "
                 f"$w = {w_t:.2f}$, so $D = w - u - v = {w_t - u_t - v_t:.2f} = 2ab$ and "
                 f"$Z = {abs(w_t - u_t - v_t):.2f} / {abs(u_t) + abs(v_t) + abs(w_t):.2f}$."))

# %% tags=["solution"] jupyter={"source_hidden": true}
figure_triple = [np.array([[triple[key]]]) for key in ("x0", "a", "b")]
assert np.isclose(linearity.z_score(examples.power(2), *figure_triple)[0], 1.0)
x0_r, a_r, b_r = np.random.default_rng(SEED + 1).uniform(-1, 1, (3, 200, 1))
z_random = linearity.z_score(examples.smooth_curve(), x0_r, a_r, b_r)
assert np.all((z_random >= 0) & (z_random <= 1 + 1e-12))

# %% [markdown] tags=["exercise"]
# **Exercise 4** (★★ · conceptual). Why must the leaky-ReLU path of section 3 end at exactly 0
# in the logits but not in the probabilities? What does the probabilities' end value measure?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 4.** At slope 1 every activation is the identity, so the logits are an affine
# function of the input and $D = 0$ on every triple. The probabilities are the softmax (or
# sigmoid) of those logits: a curved function of an affine one, so $\bar Z > 0$ remains, the
# curvature of the softmax itself along the triples. It measures how far the *read-out* alone
# is from linear, which no training of the hidden layers can remove: a floor below which a
# network's $\bar Z$ in probabilities cannot be read as "more linear".

# %% [markdown] tags=["exercise"]
# **Exercise 5** (★ · computation). Take the two moons networks of section 4 trained without
# dropout and at drop rate 0.5 (seed `EXPERIMENT["moons"].seeds[0]`). Measure $\bar Z$ of each
# on the moons test inputs with `linearity.z_bar` (default settings), in logits and in
# probabilities. Set `answer_5` to the dict `{(drop rate, representation): Z̄}` with drop rates
# 0.0 and 0.5 and representations `"logits"` and `"probabilities"`.

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 5.** `linearity.as_function(net, output=...)` picks the representation; the
# same default triples (same seed) are used for every network, so the four numbers differ only
# through the functions. One seed is an example, not a verdict: chapter 05 compares many seeds
# at matched fit.

# %% tags=["solution"] jupyter={"source_hidden": true}
moons_seed = EXPERIMENT["moons"].seeds[0]
moons_nets = {0.0: shown["moons"]["none", 0.0, moons_seed], 0.5: shown["moons"]["dropout", 0.5, moons_seed]}
X_moons = tasks["moons"].X_test.astype(float)
answer_5 = {(q, rep): linearity.z_bar(linearity.as_function(net, output=rep), X_moons).value
            for q, net in moons_nets.items() for rep in ("logits", "probabilities")}

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown(
    f"In logits, $\\bar Z$ is {answer_5[0.0, 'logits']:.3f} without dropout and "
    f"{answer_5[0.5, 'logits']:.3f} at drop rate 0.5; in probabilities, "
    f"{answer_5[0.0, 'probabilities']:.3f} and {answer_5[0.5, 'probabilities']:.3f}."))

# %% tags=["solution", "check"] jupyter={"source_hidden": true}
first = EXPERIMENT["moons"].seeds[0]
expected = {(q, rep): linearity.z_bar(linearity.as_function(shown["moons"][name, q, first], output=rep),
                                      tasks["moons"].X_test.astype(float)).value
            for name, q in (("none", 0.0), ("dropout", 0.5)) for rep in ("logits", "probabilities")}
assert set(answer_5) == set(expected)
assert all(np.isclose(answer_5[key], expected[key]) for key in expected)
