# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -all
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
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown, display

from essay_lib import data, linearity, plotting
from essay_lib import polynomials as poly

SEED = 0
torch.set_num_threads(1)
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
