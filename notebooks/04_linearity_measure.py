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
# # 04 · A measure of linearity, and the experiment
#
# **What the paper claims.** This is the heart of Teague's paper. A function is
# linear, he writes, when for any two points $f(x_1 + x_2) = f(x_1) + f(x_2)$;
# a line $f(x) = cx$ passes this test and a polynomial fails it more and more as
# its degree climbs, the way an overfit high-degree fit "becomes unstable". He
# proposes a measure $Z$ of how far a trained network is from this equality (its
# formula was an image, now lost) and the thesis: by training random
# sub-networks whose outputs must add up, dropout pushes the network's function
# toward **decreasing $Z$ with increased dropout ratio**, just as L1 pushes the
# weights toward sparsity and L2 toward small magnitude. He never tests it.
#
# This chapter does:
#
# 1. from the paper's words to a measure: the literal test, why every layer with
#    a bias fails it, and the second difference $D$, the bounded score $Z$ and
#    its average $\bar Z$ over the data (our reconstruction), next to Taleb's
#    heuristic;
# 2. sanity checks on functions whose answer we know: affine maps, powers
#    $x^n$, and the polynomial fits of chapter 03;
# 3. the experiment: four tasks, an oversized network, dropout, L1, L2, mixup and
#    no regularization, every strength trained with several seeds;
# 4. $\bar Z$ beside established measures of non-linearity, raw and normalised;
# 5. the verdict, computed from the numbers by a rule stated in advance;
# 6. an interactive view of the learned function as the drop rate changes.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display

from essay_lib import data, experiment
from essay_lib.measures import linearity
from essay_lib.measures import polynomials as poly
from essay_lib.report import analogy, plotting, verdict, widgets

SEED = 0  # seeds the examples of sections 1-2, the bootstrap intervals and the figures' picks
plotting.set_style()
rng = np.random.default_rng(SEED)

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
C_SLOPE, B_OFFSET = 2.0, 0.7
W_aff, b_aff = rng.normal(size=(10, 3)), rng.normal(size=3)
x1, x2 = rng.uniform(-1, 1, (500, 1)), rng.uniform(-1, 1, (500, 1))
X1, X2 = rng.normal(size=(500, 10)), rng.normal(size=(500, 10))
literal_line = linearity.additivity_defect(lambda x: C_SLOPE * x, x1, x2)
literal_offset = linearity.additivity_defect(lambda x: C_SLOPE * x + B_OFFSET, x1, x2)
literal_affine = linearity.additivity_defect(lambda x: x @ W_aff + b_aff, X1, X2)
display(Markdown(
    f"Over 500 random pairs, the literal defect of $f(x) = {C_SLOPE:g}x$ is at most "
    f"{np.abs(literal_line).max():.1e}; for $f(x) = {C_SLOPE:g}x + {B_OFFSET:g}$ it lies between "
    f"{literal_offset.min():.4f} and {literal_offset.max():.4f}, i.e. exactly $-b$ on every "
    f"pair; for the random affine map its largest deviation from $-b$ is "
    f"{np.abs(literal_affine + b_aff).max():.1e}. The literal test measures the offset, not "
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
# $s = 1/2$, so that $x_0 + a + b$ stays near the data) and report a ratio of
# sums,
#
# $$\bar Z = \frac{\sum_t \lVert D_t \rVert}{\sum_t \left(\lVert u_t \rVert +
#   \lVert v_t \rVert + \lVert w_t \rVert\right)},$$
#
# rather than a mean of ratios, so that triples in flat regions (tiny $u$, $v$,
# $w$) do not dominate. This is our reconstruction: one faithful reading of the
# paper's words, not its lost formula. Beside it we keep the **raw** defect, the
# mean $\lVert D \rVert$, in output units.
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
f_quad_A = rng.normal(size=(4, 4))
X0, A_dir, B_dir = (rng.normal(size=(300, 4)) for _ in range(3))
D_quadratic = linearity.second_difference(lambda x: np.einsum("ni,ij,nj->n", x, f_quad_A, x),
                                          X0, A_dir, B_dir)
exact_quadratic = np.einsum("ni,ij,nj->n", A_dir, f_quad_A + f_quad_A.T, B_dir)
D_affine = linearity.second_difference(lambda x: x @ W_aff + b_aff,
                                       rng.normal(size=(300, 10)), rng.normal(size=(300, 10)),
                                       rng.normal(size=(300, 10)))
smooth = lambda x: np.sin(3 * x) + x ** 3  # noqa: E731  any smooth test function
x_pts, delta = rng.uniform(-1, 1, (300, 1)), rng.uniform(0.05, 0.5, (300, 1))
D_diag = linearity.second_difference(smooth, x_pts - delta, delta, delta)
H_taleb = linearity.taleb_heuristic(smooth, x_pts, delta)
Z_plain = linearity.z_score(smooth, X0[:, :1], A_dir[:, :1], B_dir[:, :1])
Z_rescaled = linearity.z_score(lambda x: -3.0 * smooth(x) + 5.0, X0[:, :1], A_dir[:, :1],
                               B_dir[:, :1])
display(Markdown("\n".join([
    f"- $D$ of a random affine map $\\mathbb{{R}}^{{10}} \\to \\mathbb{{R}}^3$: largest "
    f"$|D|$ over 300 triples {np.abs(D_affine).max():.1e} (zero up to rounding).",
    f"- $D$ of a random quadratic form $x^\\top A x$ in 4-D against "
    f"$a^\\top (A + A^\\top) b$ (which is $2a^\\top A b$ for symmetric $A$): largest "
    f"difference {np.abs(D_quadratic - exact_quadratic).max():.1e}.",
    f"- $D = 2H$ for $f(x) = \\sin 3x + x^3$ at 300 random $(x, \\Delta)$: largest "
    f"$|D - 2H|$ {np.abs(D_diag - 2 * H_taleb).max():.1e}.",
    f"- $Z$ of $-3f + 5$ against $Z$ of $f$: largest difference "
    f"{np.abs(Z_plain - Z_rescaled).max():.1e}; $Z$ ranges over "
    f"[{Z_plain.min():.3f}, {Z_plain.max():.3f}] on these triples.",
])))

# %% [markdown]
# The figure shows the geometry. On the left, an affine function: going from
# $x_0$ by $a$ then by $b$ lands exactly where the two separate changes predict
# ($D = 0$), while the literal test, which measures from the origin, is off by
# the offset. On the right, $f(x) = x^2$: the prediction $f(x_0) + u + v$
# misses $f(x_0 + a + b)$ by $D = 2ab$.

# %%
x0_demo, a_demo, b_demo = -0.6, 0.4, 0.9
demo_functions = {"affine: $f(x) = 0.8x + 0.5$": lambda x: 0.8 * x + 0.5,
                  "curved: $f(x) = x^2$": lambda x: x ** 2}
line_x = np.linspace(-1.0, 1.0, 201)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
for ax, (title, f) in zip(axes, demo_functions.items(), strict=True):
    pts = np.array([x0_demo, x0_demo + a_demo, x0_demo + b_demo, x0_demo + a_demo + b_demo])
    vals = f(pts)
    predicted = vals[1] + vals[2] - vals[0]  # f(x0) + u + v
    ax.plot(line_x, f(line_x), color="0.4")
    ax.scatter(pts, vals, color="C0", zorder=3)
    for x, y, name in zip(pts, vals, ["$x_0$", "$x_0+a$", "$x_0+b$", "$x_0+a+b$"], strict=True):
        ax.annotate(name, (x, y), textcoords="offset points", xytext=(-10, 8), fontsize=9)
    ax.scatter([pts[3]], [predicted], marker="x", s=60, color="C1", zorder=4,
               label="$f(x_0) + u + v$ (additive prediction)")
    ax.vlines(pts[3], min(predicted, vals[3]), max(predicted, vals[3]), color="C1",
              linewidth=3, label=f"$D$ = {vals[3] - predicted:+.2f}")
    ax.set_title(title)
    ax.set_xlabel("x")
    ax.legend(loc="upper center", fontsize=8)
axes[0].set_ylabel("f(x)")
fig.suptitle(f"The second difference $D$ for $x_0 = {x0_demo}$, $a = {a_demo}$, $b = {b_demo}$",
             y=1.02)
_ = plotting.save_figure(fig, "04-second-difference")
plt.show()

# %% [markdown]
# ## 2 · Sanity on functions whose answer we know
#
# ### Powers $x^n$ on $[-1, 1]$
#
# If $\bar Z$ measures what the paper means, it should be zero for $x$ and
# climb with the degree. We draw 200 points uniformly on $[-1, 1]$ and compute
# $\bar Z$ of $x^n$ for $n = 1, \dots, 9$ over 2000 triples, with a 95% bootstrap
# interval over the triples.

# %%
N_TRIPLES, SCALE = 2000, 0.5
X_unit = rng.uniform(-1, 1, (200, 1))
powers = np.arange(1, 10)
power_z = [linearity.z_bar(lambda x, n=n: x ** n, X_unit, n_triples=N_TRIPLES, scale=SCALE,
                           seed=SEED) for n in powers]
power_value = np.array([z.value for z in power_z])
power_interval = np.array([z.bootstrap_interval(seed=SEED) for z in power_z])

# %% [markdown]
# ### The polynomial fits of chapter 03
#
# Chapter 03 fitted polynomials of degree 1, 2 and 9 to 10 noisy points of
# $y = x^2$ (every other training point; the degree-9 fit is the pseudo-inverse
# interpolant). We refit them here and compute $\bar Z$ over the 200 test inputs.
# The expected order: the line is exactly linear ($\bar Z = 0$), the degree-2
# fit sits near the true parabola, and the interpolating degree-9 fit is far
# less linear.

# %%
task_q = data.quadratic_task(n_train=20, n_test=200, noise=0.1, seed=SEED)
x_few = task_q.X_train[::2, 0].astype(float)
y_few = task_q.y_train[::2, 0].astype(float)
X_eval = task_q.X_test.astype(float)
poly_fits = {d: poly.fit_polynomial(x_few, y_few, d) for d in (1, 2, 9)}
fit_functions = {f"degree {d} fit": (lambda x, p=p: p(x[:, 0])) for d, p in poly_fits.items()}
fit_functions["true $x^2$"] = lambda x: x[:, 0] ** 2
fit_z = {name: linearity.z_bar(f, X_eval, n_triples=N_TRIPLES, scale=SCALE, seed=SEED)
         for name, f in fit_functions.items()}

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), gridspec_kw={"width_ratios": [3, 2]})
plotting.plot_mean_interval(powers, power_value, power_interval[:, 0], power_interval[:, 1],
                            ax=axes[0], label="$\\bar Z$ of $x^n$, 95% interval over triples")
axes[0].set_xlabel("power $n$")
axes[0].set_ylabel("$\\bar Z$")
axes[0].set_ylim(0, 1)
axes[0].set_title("$\\bar Z$ climbs with the degree of $x^n$")
axes[0].legend(loc="upper left", fontsize=8)
names = list(fit_z)
intervals = np.array([fit_z[n].bootstrap_interval(seed=SEED) for n in names])
values = np.array([fit_z[n].value for n in names])
colors = ["C1", "C1", "C1", "0.5"]
axes[1].bar(range(len(names)), values, color=colors,
            yerr=[values - intervals[:, 0], intervals[:, 1] - values], capsize=4)
axes[1].set_xticks(range(len(names)), [n.replace(" fit", "\nfit") for n in names], fontsize=9)
for i, v in enumerate(values):
    axes[1].annotate(f"{v:.2f}", (i, intervals[i, 1]), textcoords="offset points", xytext=(0, 3),
                     ha="center", fontsize=8)
axes[1].set_ylim(0, 1)
axes[1].set_ylabel("$\\bar Z$")
axes[1].set_title("Chapter 03's fits (10 points)")
_ = plotting.save_figure(fig, "04-z-known-functions")
plt.show()

# %%
display(Markdown("| function | $\\bar Z$ | 95% interval | raw mean $\\lVert D\\rVert$ |\n"
                 "|---|---:|---|---:|\n" + "\n".join(
    [f"| $x^{{{n}}}$ | {z.value:.3f} | [{lo:.3f}, {hi:.3f}] | {z.raw:.3g} |"
     for n, z, (lo, hi) in zip(powers, power_z, power_interval, strict=True)]
    + [f"| {name} | {fit_z[name].value:.3f} | [{lo:.3f}, {hi:.3f}] | {fit_z[name].raw:.3g} |"
       for name, (lo, hi) in zip(names, intervals, strict=True)])))
ordered = fit_z["degree 1 fit"].value < fit_z["true $x^2$"].value < fit_z["degree 9 fit"].value
display(Markdown(
    f"$\\bar Z$ of $x^n$ "
    f"{'rises with every step of' if np.all(np.diff(power_value) > 0) else 'does not rise steadily with'}"
    f" $n$, from {power_value[0]:.1e} at $n = 1$ "
    f"through {power_value[1]:.3f} at $n = 2$ to {power_value[-1]:.3f} at $n = 9$; "
    f"in {np.sum(power_interval[1:, 0] > power_interval[:-1, 1])} of the {len(powers) - 1} steps "
    f"from $n$ to $n + 1$ the two 95% intervals do not overlap (they widen with $n$, as a few "
    f"triples with large values dominate the sums). On chapter 03's fits the order is "
    f"{'as expected' if ordered else '**not** the expected one'}: the line scores "
    f"{fit_z['degree 1 fit'].value:.1e}, the degree-2 fit {fit_z['degree 2 fit'].value:.3f} "
    f"(the true parabola {fit_z['true $x^2$'].value:.3f}) and the interpolating degree-9 fit "
    f"{fit_z['degree 9 fit'].value:.3f}, "
    f"{fit_z['degree 9 fit'].value / fit_z['true $x^2$'].value:.1f} times the truth. Its raw "
    f"defect is {fit_z['degree 9 fit'].raw / fit_z['true $x^2$'].raw:.0f} times the truth's: "
    f"the swings between and beyond the points are large in output units as well."))

# %% [markdown]
# ### $\bar Z$ depends on the size of the displacements
#
# $\bar Z$ is a *finite* difference: for a smooth function, at small
# displacements every function looks affine. For $x^2$, $D = 2ab$ while $u
# \approx 2x_0 a$, so $\bar Z$ shrinks roughly in proportion to the scale $s$.
# Comparisons are therefore only meaningful at one fixed scale; we keep
# $s = 1/2$ throughout.

# %%
SCALES = (0.05, 0.1, 0.25, 0.5, 1.0)
scale_table = {s: [linearity.z_bar(f, X_eval, n_triples=N_TRIPLES, scale=s, seed=SEED).value
                   for f in fit_functions.values()] for s in SCALES}
display(Markdown("| scale $s$ | " + " | ".join(names) + " |\n|---:|" + "---:|" * len(names) + "\n"
                 + "\n".join(f"| {s:g} | " + " | ".join(f"{v:.3f}" for v in row) + " |"
                             for s, row in scale_table.items())))
display(Markdown(
    f"Going from $s = {SCALES[0]:g}$ to $s = {SCALES[-1]:g}$, $\\bar Z$ of the true parabola "
    f"moves from {scale_table[SCALES[0]][3]:.3f} to {scale_table[SCALES[-1]][3]:.3f}; the "
    f"order degree 1 < degree 2 < degree 9 "
    f"{'holds at every' if all(r[0] < r[1] < r[2] for r in scale_table.values()) else 'fails at some'}"
    f" scale in the table."))

# %% [markdown]
# ## 3 · The experiment
#
# Now the thesis itself. We train many copies of one **oversized** ReLU network
# (its layers are in the table below) on four small tasks where such a network
# overfits, under each regularizer at a range of strengths, and measure every
# trained network on its task's *test* inputs.
#
# * **Tasks:** the noisy 1-D quadratic of chapter 03 (20 training points), two
#   interleaved moons (2-D, two classes), scikit-learn's diabetes data (10
#   features, regression) and its 8×8 digits (64 pixels, ten classes, trained on
#   a small share of the images). All ship with the libraries; nothing is
#   downloaded.
# * **Regularizers:** none; **dropout** on both hidden layers (the drop rate,
#   PyTorch's convention); **L1** and **L2** penalties on the weights (log grids
#   of the coefficient); and **mixup** (training on random convex combinations of
#   pairs of examples and of their targets, with mixing weight drawn from
#   $\mathrm{Beta}(\alpha, \alpha)$). Mixup is our *positive control*: it asks the
#   network, by construction, to behave linearly between training examples, so a
#   measure of linearity ought to see it. L2 is the *control* the other way: it
#   shrinks the network without any sub-networks, so if dropout's effect is shared
#   by L2 it is not the mechanism the paper describes.
# * **Measures**, on the logits for the classifiers: $\bar Z$ (triples and scale
#   under the tables below) and the raw mean $\lVert D \rVert$; Taleb's $H$, normalised the same
#   way on symmetric triples, and raw; the mean input–output Jacobian norm; $1 -
#   R^2$ of the best affine fit over the test inputs; the number of linear pieces
#   along the segment across the test inputs (1-D and 2-D tasks); and weight
#   sparsity, weight norm and test loss.
# * Every setting is trained with **8 seeds** (0 to 7: each seed fixes the
#   initial weights, the batch order, the dropout masks and the mixup draws of one
#   network); every interval below is a 95% bootstrap interval over seeds (means)
#   or over networks (rank correlations), with bootstrap seed `SEED`.
#
# The sweep engine (`essay_lib.sweeps`) trains all the networks of a task at once
# as one batched model and caches each network's record on disk
# (`.cache/sweeps/`, or `$ESSAY_CACHE_DIR`), so rerunning this notebook reads the
# records back in seconds; deleting the cache retrains them. A network's result
# depends only on its own settings and seed, never on which others were trained
# beside it.

# %%
EXPERIMENT = experiment.essay_experiment()
TASKS = EXPERIMENT.tasks
specs = {t: EXPERIMENT[t] for t in TASKS}
MEASURES = EXPERIMENT[TASKS[0]].measures
tasks = {t: data.load_task(t, **specs[t].task_kwargs) for t in TASKS}
REGS = verdict.REGULARIZERS
display(Markdown(
    "| task | inputs → outputs | kind | train / test points | hidden layers | full-batch Adam "
    "epochs |\n|---|---|---|---|---|---|\n" + "\n".join(
        f"| {verdict.task_label(t)} | {tk.n_features} → {tk.n_outputs} | {tk.kind} | "
        f"{tk.n_train} / {tk.n_test} | {' × '.join(map(str, specs[t].hidden))} | "
        f"{specs[t].epochs} (learning rate {specs[t].lr:g}) |"
        for t, tk in tasks.items())))
grid_rows = []
for reg in ("none", *REGS):
    variants = {t: tuple(specs[t].grid_dict[reg]) for t in TASKS}
    common = max(set(variants.values()), key=list(variants.values()).count)
    note = "; ".join(f"{verdict.task_label(t)}: {', '.join(f'{v:g}' for v in g)}"
                     for t, g in variants.items() if g != common)
    grid_rows.append(f"| {verdict.REGULARIZER_LABELS[reg]} | {', '.join(f'{v:g}' for v in common)}"
                     f" | {note or '—'} |")
n_networks = sum(len(specs[t].seeds) * sum(len(v) for v in specs[t].grid_dict.values())
                 for t in TASKS)
display(Markdown("| regularizer | strengths | exceptions |\n|---|---|---|\n"
                 + "\n".join(grid_rows)
                 + f"\n\nIn all: {n_networks} networks, seeds "
                   f"{', '.join(map(str, specs[TASKS[0]].seeds))}. $\\bar Z$ uses "
                   f"{MEASURES.z_triples} triples at scale $s = {MEASURES.displacement_scale:g}$ "
                   f"(triple seed {MEASURES.metric_seed}), on the test inputs."))

# %%
sweep_start = time.perf_counter()
records = experiment.run_experiment(EXPERIMENT)
sweep_seconds = time.perf_counter() - sweep_start
display(Markdown(f"{len(records)} network records ready in {sweep_seconds:.0f} s "
                 f"(trained now, or read back from the cache)."))

# %% [markdown]
# First, does regularization matter here at all? The table compares, per task,
# the unregularized networks with the best drop rate and the best L2 coefficient
# (best = lowest mean test loss over the 8 seeds). Training loss near zero with a
# higher test loss is the overfitting that regularization is meant to fix.

# %%
score_rows = []
for t in TASKS:
    metric = "test_r2" if tasks[t].kind == "regression" else "test_accuracy"
    label = "$R^2$" if metric == "test_r2" else "accuracy"
    cols = ("test_loss", "train_loss", metric)
    plain = analogy.setting_means(records, t, "dropout", cols)[0]
    best = {reg: analogy.best_setting(records, t, reg, cols) for reg in ("dropout", "l2")}
    score_rows.append(
        f"| {verdict.task_label(t)} | {plain['train_loss']:.3f} / {plain['test_loss']:.3f} "
        f"({label} {plain[metric]:.2f}) | " + " | ".join(
            f"{b['strength']:g}: {b['test_loss']:.3f} ({label} {b[metric]:.2f})"
            for b in best.values()) + " |")
display(Markdown("| task | no regularization: train / test loss | best drop rate: test loss "
                 "| best L2 coefficient: test loss |\n|---|---|---|---|\n"
                 + "\n".join(score_rows)))

# %% [markdown]
# ### $\bar Z$ against strength
#
# One row per task, one panel per regularizer: the mean $\bar Z$ over the 8 seeds
# at each strength, with its 95% bootstrap interval; the grey band is the
# unregularized networks. The paper predicts the blue curves (dropout) to fall.

# %%
fig, axes = plt.subplots(len(TASKS), len(REGS), figsize=(12, 2.6 * len(TASKS)), sharey="row",
                         squeeze=False)
z_curves = {t: analogy.strength_curves(records, t, "z_bar", REGS, seed=SEED) for t in TASKS}
for row, t in zip(axes, TASKS, strict=True):
    curves, base = z_curves[t]
    plotting.plot_strength_panels(curves, measure_label=f"{verdict.task_label(t)}\n$\\bar Z$",
                                  axes=row, baseline=base)
    for ax in row[1:]:
        ax.set_ylabel("")
for ax in axes[:-1].ravel():
    ax.set_xlabel("")
for ax, reg in zip(axes[0], REGS, strict=True):
    ax.set_title(verdict.REGULARIZER_LABELS[reg])
for ax in axes[1:].ravel():
    ax.set_title("")
axes[0, 0].legend(fontsize=8, loc="best")
fig.suptitle("$\\bar Z$ of the trained networks against regularization strength "
             "(mean of 8 seeds, 95% interval)", y=1.0)
fig.tight_layout()
_ = plotting.save_figure(fig, "04-z-vs-strength")
plt.show()

# %%
change = {t: analogy.effect(records, t, "dropout", "z_bar", seed=SEED) for t in TASKS}
display(Markdown(
    "From no dropout to the strongest drop rate, mean $\\bar Z$ goes " + "; ".join(
        f"on {verdict.task_label(t)} from {e.baseline:.3f} to {e.strongest:.3f} "
        f"({e.change / e.baseline:+.0%})" for t, e in change.items())
    + ". The next sections turn these curves into rank correlations and a verdict."))

# %% [markdown]
# ### What the networks learned
#
# Numbers aside, what do these functions look like? The sweep's cache keeps every
# trained network's weights, so we read back the networks of the 1-D quadratic at
# every drop rate (all 8 seeds, for the interactive cell of section 6) and of the
# two moons at four drop rates, and draw them. Measured again here, their $\bar Z$
# matches the cached records (checked below).

# %%
SHOW_RATES = (0.0, 0.3, 0.5, 0.7)
q_rates = [0.0, *specs["quadratic"].grid_dict["dropout"]]
retrain = {t: {(s, seed): net for (reg, s, seed), net in
               experiment.sweep_models(specs[t].replace(grid={"none": [0], "dropout": rates}, seeds=seeds)).items()}
           for t, rates, seeds in (("quadratic", q_rates[1:], specs["quadratic"].seeds),
                                   ("moons", SHOW_RATES[1:], (SEED,)))}

recorded = {(r["task"], 0.0 if r["regularizer"] == "none" else r["strength"], r["seed"]): r["z_bar"]
            for r in records if r["regularizer"] in ("none", "dropout")}
z_again = {(t, *key): linearity.z_bar(net, tasks[t].X_test.astype(float),
                                      n_triples=MEASURES.z_triples, scale=MEASURES.displacement_scale,
                                      seed=MEASURES.metric_seed).value
           for t, nets in retrain.items() for key, net in nets.items()}
mismatch = max(abs(z - recorded[key]) for key, z in z_again.items())
display(Markdown(f"Read back {len(z_again)} networks; the largest difference between their "
                 f"$\\bar Z$ and the cached records is {mismatch:.1e}."))

# %%
x_line = np.linspace(-1.1, 1.1, 401)[:, None]
g1, g2 = np.meshgrid(np.linspace(-2.6, 2.6, 161), np.linspace(-2.6, 2.6, 161))
plane = np.column_stack([g1.ravel(), g2.ravel()])
moons = tasks["moons"]
fig, axes = plt.subplots(2, len(SHOW_RATES), figsize=(13, 6.4))
for j, rate in enumerate(SHOW_RATES):
    q_net = retrain["quadratic"][rate, SEED]
    plotting.plot_function_1d(x_line, linearity.as_function(q_net)(x_line), ax=axes[0, j],
                              x_train=tasks["quadratic"].X_train, y_train=tasks["quadratic"].y_train,
                              true_function=data.quadratic_target, color="C0")
    axes[0, j].set_ylim(-0.4, 1.4)
    axes[0, j].set_title(f"drop rate {rate:g}: $\\bar Z$ = {z_again['quadratic', rate, SEED]:.3f}")
    logits = linearity.as_function(retrain["moons"][rate, SEED])(plane)
    plotting.plot_decision_function_2d(g1[0], g2[:, 0], (logits[:, 1] - logits[:, 0]).reshape(g1.shape),
                                       X=moons.X_test, labels=moons.y_test, ax=axes[1, j], limit=10)
    axes[1, j].set_title(f"drop rate {rate:g}: $\\bar Z$ = {z_again['moons', rate, SEED]:.3f}")
axes[0, 0].legend(fontsize=7, loc="upper center")
fig.suptitle("Learned functions at four drop rates (seed 0)\ntop: 1-D quadratic; bottom: two "
             "moons, logit margin (colour clipped at ±10), decision boundary in black, test points",
             y=1.02)
fig.tight_layout()
_ = plotting.save_figure(fig, "04-learned-functions")
plt.show()

# %% [markdown]
# Compare the panels from left to right: how much of the swing through the
# training points, and of the small islands of the decision boundary, survives
# as the drop rate grows? Whether a smoother-looking function is also *more
# linear* in the sense of $\bar Z$ is for the numbers to decide: smoothing and
# linearising are not the same thing.
#
# ## 4 · $\bar Z$ beside established measures
#
# A single reconstructed measure could mislead, so we put it beside the measures
# of non-linearity the literature uses, computed on the same networks and the
# same test inputs: Taleb's $H$ (normalised like $\bar Z$), the input–output
# Jacobian norm (Novak et al. 2018; a measure of *sensitivity*, in output units),
# $1 - R^2$ of the best affine fit (a *global* non-linearity index: 0 for an
# affine function), and the number of linear pieces along a segment through the
# data (Hanin & Rolnick 2019), plus the raw defect $\lVert D \rVert$ in output
# units. The table gives Spearman's $\rho$ between strength and each measure, by
# the same rule as the verdict (↓ the interval lies below 0, ↑ above, – contains 0).

# %%
MEASURES = ("z_bar", "z_bar_raw", "taleb_h", "jacobian_norm", "affine_nonlinearity",
            "linear_pieces")
trends = verdict.trend_table(records, measures=(*MEASURES, "weight_norm"), seed=SEED)
display(Markdown(verdict.measures_markdown(trends, MEASURES, ("dropout", "l2", "mixup"))))

# %% [markdown]
# Both dropout and L2 shrink a network's outputs, and any measure in output units
# falls with them even if the shape of the function does not change. The figure
# shows each measure under dropout *relative to the unregularized networks*
# (1 = no change; log scale): the two measures in output units (dashed) beside
# the scale-free ones (solid).

# %%
fig, axes = plt.subplots(1, len(TASKS), figsize=(13, 3.4), sharey=True)
for ax, t in zip(axes, TASKS, strict=True):
    for m in (m for m in MEASURES if m != "linear_pieces" or tasks[t].n_features <= 2):
        curves, (b, _, _) = analogy.strength_curves(records, t, m, ("dropout",), seed=SEED)
        c = curves["dropout"]
        line = plotting.plot_mean_interval(c["strength"], c["mean"] / b, c["low"] / b,
                                           c["high"] / b, ax=ax,
                                           label=verdict.measure_label(m)).lines[-1]
        line.set_linestyle("--" if m in ("z_bar_raw", "jacobian_norm") else "-")
    ax.axhline(1.0, color="0.4", linewidth=1, linestyle=":")
    ax.set_yscale("log")
    ax.set_yticks([0.2, 0.3, 0.5, 0.7, 1, 1.5, 2], ["0.2", "0.3", "0.5", "0.7", "1", "1.5", "2"])
    ax.minorticks_off()
    ax.set_title(verdict.task_label(t))
    ax.set_xlabel("drop rate")
axes[0].set_ylabel("measure / its value without dropout")
fig.legend(*axes[0].get_legend_handles_labels(), fontsize=8, loc="center left",
           bbox_to_anchor=(0.91, 0.5))
fig.suptitle("Each measure under dropout, relative to the same networks without dropout "
             "(mean of 8 seeds, 95% interval)", y=1.04)
_ = plotting.save_figure(fig, "04-measures-vs-drop-rate")
plt.show()

# %%
raw_lines = verdict.raw_vs_normalised(trends)
agree = {t: verdict.agreement(trends, t, "dropout", ("taleb_h", "affine_nonlinearity",
                                                     "linear_pieces")) for t in TASKS}
display(Markdown(
    ("Where a raw measure and $\\bar Z$ disagree:\n\n" + "\n".join(f"- {line}" for line in raw_lines)
     if raw_lines else "No raw measure falls where $\\bar Z$ does not.")
    + "\n\nAgreement of the other scale-free measures with $\\bar Z$ under dropout (same "
    "direction by the rule): " + "; ".join(
        f"{verdict.task_label(t)} {n} of {total}" for t, (n, total) in agree.items()) + "."))

# %% [markdown]
# ## 5 · The verdict
#
# The rule comes first, and the table is read by it, not the other way round.

# %%
display(Markdown(verdict.rule_markdown()))

# %%
display(Markdown(verdict.verdict_markdown(trends)))

# %%
display(Markdown("\n\n".join(verdict.verdict_findings(trends))))

# %% [markdown]
# The same rank correlations as a picture: one line per regularizer, one colour
# per task, each dot $\rho$ with its 95% interval. Left of the vertical line,
# $\bar Z$ falls as the strength grows.

# %%
forest = [{"label": f"{verdict.REGULARIZER_LABELS[tr.regularizer]} → $\\bar Z$",
           "group": verdict.task_label(tr.task), "rho": tr.rho, "low": tr.low, "high": tr.high}
          for tr in trends if tr.measure == "z_bar"]
fig, ax = plt.subplots(figsize=(7.5, 3.6))
plotting.plot_rank_correlations(forest, ax=ax,
                                xlabel="Spearman's ρ between strength and $\\bar Z$ (95% interval)")
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
ax.set_title("Which regularizers make the networks more linear by $\\bar Z$?")
_ = plotting.save_figure(fig, "04-verdict")
plt.show()
headline = verdict.headline_sentence(trends)
display(Markdown(f"**In one sentence:** {headline}"))
steps = {t: analogy.effect(records, t, "dropout", "z_bar", seed=SEED) for t in TASKS}
notes = [f"On {verdict.task_label(t)} the rule finds no monotone trend, yet the strongest drop "
         f"rate's $\\bar Z$ differs from the unregularized one by {e.change:+.3f} "
         f"[{e.low:+.3f}, {e.high:+.3f}] (paired by seed): $\\bar Z$ changes, but not steadily "
         f"with the drop rate (see the first row of the figure in section 3)."
         for t, e in steps.items() if verdict.find_trend(trends, t, "dropout").verdict ==
         "inconclusive" and (e.high < 0 or e.low > 0)]
if notes:
    display(Markdown(" ".join(notes)))

# %% [markdown]
# ## 6 · Move the drop rate yourself
#
# The figure below is the static version: the seed-0 network of the 1-D
# quadratic at every drop rate of the sweep, coloured from no dropout (dark) to
# the strongest (light), beside $\bar Z$ against the drop rate for all 8 seeds.
# Run the notebook in JupyterLab and the cell after it shows a slider instead:
# pick a drop rate and a seed, and see the learned function and its $\bar Z$
# (read from the networks retrained in section 3; nothing is trained when you
# move it).

# %%
q_task = tasks["quadratic"]
q_grid = np.linspace(-1.1, 1.1, 221)[:, None]
q_functions = {key: linearity.as_function(net)(q_grid)[:, 0]
               for key, net in retrain["quadratic"].items()}
q_z = {key[1:]: z for key, z in z_again.items() if key[0] == "quadratic"}
fig, (ax_f, ax_z) = plt.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [3, 2]})
colors = plt.cm.viridis(np.linspace(0, 0.9, len(q_rates)))
for color, rate in zip(colors, q_rates, strict=True):
    ax_f.plot(q_grid[:, 0], q_functions[rate, SEED], color=color, label=f"{rate:g}")
ax_f.scatter(q_task.X_train[:, 0], q_task.y_train[:, 0], s=16, color="black", zorder=3)
ax_f.set_ylim(-0.4, 1.4)
ax_f.set_xlabel("x")
ax_f.set_ylabel("network output")
ax_f.set_title(f"1-D quadratic, seed {SEED}, every drop rate")
ax_f.legend(title="drop rate", fontsize=7, title_fontsize=8, ncol=2, loc="upper center")
for seed in specs["quadratic"].seeds:
    ax_z.plot(q_rates, [q_z[r, seed] for r in q_rates], color="0.7", linewidth=0.8, marker=".")
curve = z_curves["quadratic"][0]["dropout"]
plotting.plot_mean_interval(curve["strength"], curve["mean"], curve["low"], curve["high"],
                            ax=ax_z, color=plotting.REGULARIZER_COLORS["dropout"],
                            label="mean of 8 seeds, 95% interval")
ax_z.plot([], [], color="0.7", linewidth=0.8, label="one seed")
ax_z.set_xlabel("drop rate")
ax_z.set_ylabel("$\\bar Z$")
ax_z.set_title("$\\bar Z$ against drop rate")
ax_z.legend(fontsize=8)
_ = plotting.save_figure(fig, "04-drop-rate-explorer")
plt.show()

# %%
# Interactive: shown in a live notebook only; the static page keeps the figure above.
_ = widgets.show_if_interactive(lambda: widgets.drop_rate_explorer(
    q_grid, q_functions, q_z, x_train=q_task.X_train, y_train=q_task.y_train,
    true_function=data.quadratic_target, ylim=(-0.4, 1.4)))

# %% [markdown]
# ## What we measured
#
# Everything below is recomputed from the records each time the notebook runs.

# %%
z_rows = {t: verdict.find_trend(trends, t, "dropout") for t in TASKS}
display(Markdown("\n".join([
    f"- **The measure.** $D$ vanishes on affine maps (largest $|D|$ "
    f"{np.abs(D_affine).max():.0e}), $D = 2H$ to {np.abs(D_diag - 2 * H_taleb).max():.0e}, and "
    f"$\\bar Z$ of $x^n$ goes from {power_value[0]:.0e} ($n = 1$) to {power_value[-1]:.3f} "
    f"($n = 9$); chapter 03's fits score {fit_z['degree 1 fit'].value:.0e} (degree 1), "
    f"{fit_z['degree 2 fit'].value:.3f} (degree 2) and {fit_z['degree 9 fit'].value:.3f} "
    f"(degree 9): the sanity checks "
    f"{'pass' if np.all(np.diff(power_value) > 0) and ordered else '**fail**'} (monotone in $n$, "
    f"fits in the order of their capacity).",
    f"- **The experiment.** {len(records)} networks: {len(TASKS)} tasks; no regularization, "
    f"{', '.join(verdict.REGULARIZER_LABELS[r] for r in REGS)} at "
    f"{', '.join(str(len(specs[TASKS[0]].grid_dict[r])) for r in REGS)} strengths; "
    f"{len(specs[TASKS[0]].seeds)} seeds each.",
    "- **Dropout and $\\bar Z$** (Spearman's ρ, 95% interval): " + "; ".join(
        f"{verdict.task_label(t)} {tr.cell()} → {tr.verdict}" for t, tr in z_rows.items()) + ".",
    f"- **The verdict.** {headline}",
])))

# %% [markdown]
# ## Summary
#
# * The paper's literal test $f(x_1 + x_2) = f(x_1) + f(x_2)$ measures a layer's
#   offset, not its curvature. The mixed second difference $D$ removes the offset;
#   dividing by the size of the changes gives a bounded, scale-free $Z$, and
#   averaging over triples from the data gives $\bar Z$. Taleb's heuristic is its
#   diagonal case, $D = 2H$.
# * $\bar Z$ was checked on functions whose answer is known (section 2), then
#   measured on hundreds of trained networks (section 3); the outcome of both is in
#   "What we measured" above.
# * On trained networks, the verdict is the table of section 5, read by a rule
#   fixed in advance; its one-sentence form is in "What we measured" above.
#   Measures in output units shrink with the network's outputs, so only the
#   scale-free ones can say whether the *shape* became more linear.
#
# ## Exercises
#
# 1. Change the displacement scale $s$ of $\bar Z$ (`SCALE` in section 2, and
#    `experiment.essay_experiment().replace(displacement_scale=0.1)` for the experiment). Does the verdict on any
#    task change at $s = 0.1$? Why might it?
# 2. Make the rule stricter: require $\rho < -0.5$ *and* an interval below 0
#    before calling a fall. Which verdicts survive?
# 3. Add input dropout to the grid (`"input_dropout"` in the spec's `grid`, e.g. `EXPERIMENT["moons"].replace(grid={...})`) on
#    the two moons. Is its effect on $\bar Z$ like hidden-unit dropout's?
# 4. In the interactive cell, find the drop rate at which the seed-0 network of
#    the 1-D quadratic stops passing through the training points. Is that where
#    $\bar Z$ changes most?
