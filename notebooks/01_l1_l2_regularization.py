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
# # 01 · L1 and L2 regularization

# %% [markdown]
# **You will learn**
#
# * why an L1 penalty drives weights to exactly zero and an L2 penalty only shrinks them, from
#   the picture of a loss bowl touching a diamond or a circle;
# * the same on a linear model, where the lasso and ridge regression are solved exactly
#   [@tibshirani1996; @hoerl1970];
# * what the two penalties do to the weights of an oversized network: the share of near-zero
#   weights and the weight norm as the coefficient $\lambda$ grows;
# * how to choose $\lambda$ by a grid search on a validation split.
#
# **You need**
#
# * chapter 00: under- and overfitting, the diabetes data, validation data;
# * maths: sums of absolute values and of squares, the gradient of a function, the contour
#   lines of a quadratic function, a histogram on a logarithmic axis.

# %% [markdown]
# **What the paper claims.** Teague [@teague2019] sets up his analogy with the two classic
# weight penalties. Both add a term to the cost that training minimises: the sum
# of the absolute values of the weights (L1) or the sum of their squares (L2),
# each multiplied by a *regularization coefficient* $\lambda$. Both push the
# weights toward smaller values, but differently:
#
# * with L1, the weight set becomes **sparse** as $\lambda$ grows: the weights
#   that matter least approach or reach zero;
# * with L2, the weights shrink **in magnitude** overall, with less of a
#   tendency to land exactly on zero;
# * the coefficient is itself a hyperparameter, to be tuned, for instance by a
#   grid search.
#
# The rest of the essay leans on this picture (dropout is to linearity what L1
# is to sparsity and L2 to magnitude), so we measure it rather than take it on
# trust:
#
# 1. why the two penalties differ, in a two-weight picture;
# 2. the same on a linear model of the diabetes data, where the answer is exact;
# 3. a sweep of $\lambda$ for L1 and L2 on an oversized network, several seeds:
#    fraction of near-zero weights and weight norm side by side, and histograms
#    of the weights;
# 4. $\lambda$ chosen by a grid search on a validation split.
#
# The chapter's settings come first (change them and rerun: everything random
# follows `SEED`).

# %% tags=["parameters"]
SEED = 0                               # data splits and the first network seed
N_SEEDS = 3                            # networks (initialisations) per penalty and lambda
HESSIAN = [[1.0, 0.4], [0.4, 2.0]]     # section 1: the loss bowl's shape
OPTIMUM = [2.0, 0.3]                   # its unpenalised optimum
RADIUS = 1.0                           # the size of the L1 / L2 ball
PATH_LOGSPACE = (-4, 1, 61)            # section 2: lambda grid, np.logspace(start, stop, num)
PATH_REPORT_LAMBDAS = (1e-2, 1e-1, 1.0)  # where exact zeros are counted
HIDDEN = (128, 128)                    # section 3: the oversized ReLU network
EPOCHS = 300                           # full-batch Adam steps
LR = 1e-3                              # Adam's learning rate
LAMBDA_LOGSPACE = (-5, -1, 9)          # the lambda grid of the sweep
VALIDATION_FRACTION = 0.25             # share of the training rows kept for validation
THRESHOLD = 1e-3                       # a weight with |w| below it counts as near zero
HIST_LAMBDAS = (1e-4, 1e-3, 1e-2)      # lambdas of the weight histograms

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display

from essay_lib import data, experiment
from essay_lib.measures import penalty_geometry
from essay_lib.nets import dropout, models, regularization
from essay_lib.report import penalty_sweep, plotting, session, wording

rng = session.setup(seed=SEED)
PENALTIES = ("l1", "l2")
SEEDS = tuple(range(SEED, SEED + N_SEEDS))
YES = {True: "**yes**", False: "**no**"}

# %% [markdown]
# ## 1 · The penalties and the constraint picture
#
# We train by minimising the mean data loss plus a penalty on the weights
# (biases are not penalised, as is usual):
#
# $$\text{L1:}\quad \mathcal L(w) + \lambda \sum_i |w_i|, \qquad
#   \text{L2:}\quad \mathcal L(w) + \lambda \sum_i w_i^2 .$$
#
# For every $\lambda$ there is a radius $t$ such that the penalised minimum is
# also the minimum of $\mathcal L$ restricted to the ball $\|w\|_1 \le t$ or
# $\|w\|_2 \le t$. So picture the loss as a bowl with elliptic contours centred
# on the unpenalised optimum, and grow the contours until they first touch the
# ball: the touching point is the regularized solution. The L1 ball is a
# diamond whose corners sit on the axes, and a growing ellipse usually meets a
# corner first, where one weight is exactly zero. The L2 ball is round, with no
# corners, so the touching point generally has both weights non-zero.

# %%
solutions = {norm: penalty_geometry.constrained_minimum(HESSIAN, OPTIMUM, RADIUS, norm)
             for norm in PENALTIES}
axes = plotting.plot_constraint_picture(
    HESSIAN, OPTIMUM, RADIUS, title="Where the growing loss contours first touch each ball")
_ = plotting.save_figure(axes[0].figure, "01-constraint-picture")
plt.show()
where = {norm: "**exactly** on the $w_1$ axis" if w[1] == 0 else "**exactly** on the $w_2$ axis"
         if w[0] == 0 else "off both axes" for norm, w in solutions.items()}
display(Markdown(
    f"With the loss bowl above and balls of radius {RADIUS:g}, the L1 solution is "
    f"$w = ({solutions['l1'][0]:.3f}, {solutions['l1'][1]:.3f})$: {where['l1']}. "
    f"The L2 solution is $w = ({solutions['l2'][0]:.3f}, {solutions['l2'][1]:.3f})$: smaller than "
    f"the optimum ({OPTIMUM[0]:g}, {OPTIMUM[1]:g}), {where['l2']}. (Both optima are computed "
    "exactly by `penalty_geometry.constrained_minimum`, not read off the grid.)"))

# %% [markdown]
# ## 2 · An exact case: a linear model of the diabetes data
#
# The diabetes task (patients described by standardised features, a
# standardised disease-progression target) is our running regression example.
# For a *linear* model the penalised problems can be solved exactly: L1 is the
# lasso [@tibshirani1996] (solved by coordinate descent), L2 is ridge regression
# [@hoerl1970] (a closed form).
# We trace each coefficient as $\lambda$ grows.

# %%
task = data.diabetes_task(seed=SEED)
PATH_LAMBDAS = np.logspace(*PATH_LOGSPACE)
paths = {pen: penalty_geometry.linear_penalty_path(task.X_train, task.y_train, PATH_LAMBDAS, pen)
         for pen in PENALTIES}
axes = plotting.plot_linear_paths(
    PATH_LAMBDAS, paths, title="Linear model on diabetes: each feature's weight as $\\lambda$ grows")
_ = plotting.save_figure(axes[0].figure, "01-linear-paths")
plt.show()

# %%
zeros = {pen: (paths[pen] == 0).sum(axis=1) for pen in paths}
at = [int(np.argmin(np.abs(PATH_LAMBDAS - lam))) for lam in PATH_REPORT_LAMBDAS]
display(Markdown(
    f"{task.n_train + task.n_test} patients, {task.n_features} features; the paths are fitted on "
    f"the {task.n_train} training rows. Number of the {task.n_features} weights that are "
    "**exactly** zero: " + "; ".join(
        f"at $\\lambda$ = {PATH_LAMBDAS[i]:.2g}, L1 {zeros['l1'][i]} and L2 {zeros['l2'][i]}" for i in at)
    + f". The smallest L2 weight at the largest $\\lambda$ ({PATH_LAMBDAS[-1]:g}) is still "
    f"{np.abs(paths['l2'][-1]).min():.2e} in size."))

# %% [markdown]
# ## 3 · An oversized network: sweeping $\lambda$
#
# Now the setting the paper cares about: a network much larger than the task
# needs. We train a ReLU network on part of the diabetes training split, full
# batch with Adam, keeping the rest for validation (used in section 4).
# Without a penalty it fits the training targets almost perfectly and does
# badly on new data. We then add L1 or L2 with $\lambda$ on a log grid, several
# seeds (different initial weights) each. The networks come from the
# experiment's cached sweep: `experiment.run_sweep` gives one record per
# network (its losses and weight statistics), `experiment.sweep_models` the
# trained networks themselves.
#
# **Near-zero threshold.** Adam's steps do not stop exactly at zero (a weight
# pinned at zero by the L1 term jitters by about the learning rate), so we count
# a weight as *near zero* when $|w|$ is below a threshold of the order of the
# learning rate. For scale: the initial weights are uniform on
# $\pm 1/\sqrt{\text{fan-in}}$.

# %%
LAMBDAS = np.logspace(*LAMBDA_LOGSPACE)
spec = experiment.SweepSpec(
    task="diabetes", task_args={"seed": SEED, "validation_fraction": VALIDATION_FRACTION},
    hidden=HIDDEN, epochs=EPOCHS, lr=LR, seeds=SEEDS,
    grid={"none": [0.0], **{pen: list(LAMBDAS) for pen in PENALTIES}},
    measures=experiment.MeasureSpec(sparsity_threshold=THRESHOLD))
records = experiment.run_sweep(spec)          # trained once, then read from the cache
networks = experiment.sweep_models(spec)      # (penalty, lambda, seed) -> MLP
sweep = penalty_sweep.penalty_arrays(records, penalties=PENALTIES)
sparsity, norm = sweep["weight_sparsity"], sweep["weight_norm"]   # (penalty, lambda, seed)
train_loss, val_loss, test_loss = sweep["train_loss"], sweep["validation_loss"], sweep["test_loss"]
base = {metric: values.mean() for metric, values in sweep.baseline.items()}
fit = data.load_task("diabetes", seed=SEED, validation_fraction=VALIDATION_FRACTION)
init = models.make_mlp(fit.n_features, HIDDEN, 1, seed=SEED)

# %%
display(Markdown(
    f"The network: {wording.layers(HIDDEN, 'hidden layer', 'ReLU units')}, "
    f"{models.count_parameters(init)} parameters; initial hidden-layer weights uniform on "
    f"$\\pm${1 / np.sqrt(HIDDEN[0]):.2f}. It is trained on {fit.n_train} training rows, "
    f"{len(fit.X_val)} more ({VALIDATION_FRACTION:.0%}) are kept for validation; {EPOCHS} "
    f"full-batch Adam steps at learning rate {LR:g}; {len(LAMBDAS)} values of $\\lambda$ from "
    f"{LAMBDAS[0]:g} to {LAMBDAS[-1]:g}, seeds {', '.join(map(str, SEEDS))}: {spec.n_members} "
    f"networks. Near zero means $|w| < {THRESHOLD:g}$.\n\n"
    f"Without a penalty: training loss {base['train_loss']:.3f}, validation "
    f"loss {base['validation_loss']:.3f}, test loss {base['test_loss']:.3f} (mean squared error "
    "on standardised targets, so 1.0 is what predicting the mean would score): a clear overfit. "
    "Share of near-zero weights at initialisation: "
    f"{regularization.weight_sparsity(init, THRESHOLD):.3f}; after training without "
    f"a penalty: {base['weight_sparsity']:.3f}."))

# %% [markdown]
# Fraction of near-zero weights and weight norm against $\lambda$, side by
# side; lines are means over seeds, bands span the lowest to the highest seed.
# The third panel plots one against the other, which compares the two
# penalties at *equal weight norm* (the coefficient means different things for
# the two penalties, so equal $\lambda$ is not a fair match).

# %%
axes = plotting.plot_sparsity_and_norm(
    sweep, threshold=THRESHOLD,
    title=f"Oversized MLP {HIDDEN} on diabetes, {len(SEEDS)} seeds per point")
_ = plotting.save_figure(axes[0].figure, "01-sparsity-and-norm")
plt.show()

# %%
top, mid = len(LAMBDAS) - 1, sweep.strength_index(HIST_LAMBDAS[1])
# equal norm: each L2 network against the L1 network whose weight norm is closest (log scale)
partner = [int(np.argmin(np.abs(np.log(norm[0].ravel() / n)))) for n in norm[1].ravel()]
l1_sparser_at_norm = np.mean(sparsity[0].ravel()[partner] > sparsity[1].ravel())
display(Markdown(
    f"At the largest coefficient, $\\lambda$ = {LAMBDAS[top]:g}: L1 leaves "
    f"**{sparsity[0, top].mean():.1%}** of the weights near zero, L2 **{sparsity[1, top].mean():.1%}** "
    f"(weight norms {norm[0, top].mean():.2f} and {norm[1, top].mean():.2f}, against "
    f"{base['weight_norm']:.2f} without a penalty). At $\\lambda$ = {LAMBDAS[mid]:g} the shares are "
    f"{sparsity[0, mid].mean():.1%} (L1) and {sparsity[1, mid].mean():.1%} (L2). "
    f"At the largest $\\lambda$ the L1 network's training loss is {train_loss[0, top].mean():.3f}: "
    "it has been penalised into predicting (nearly) a constant. At equal norm (each L2 network "
    "paired with the L1 network of the closest weight norm), the L1 network has the larger "
    f"near-zero share in {l1_sparser_at_norm:.0%} of the {len(partner)} pairs."))

# %% [markdown]
# The claim in the paper is about the weights' *distribution*, so here it is:
# histograms of $\log_{10}|w|$ for one seed at three coefficients (weights
# smaller than $10^{-8}$ are piled up at the left edge).

# %%
hist_lambdas = [sweep.strengths[sweep.strength_index(lam)] for lam in HIST_LAMBDAS]
weights = {(pen, lam): regularization.flat_weights(networks[pen, lam, SEEDS[0]])
           for lam in hist_lambdas for pen in PENALTIES}
axes = plotting.plot_weight_histograms(
    weights, threshold=THRESHOLD, title=f"Weights of the seed-{SEEDS[0]} networks, L1 and L2")
_ = plotting.save_figure(axes[0].figure, "01-weight-histograms")
plt.show()

# %%
lam = hist_lambdas[1]
size = {pen: np.abs(weights[pen, lam]) for pen in PENALTIES}
size_none = np.abs(regularization.flat_weights(networks["none", 0.0, SEEDS[0]]))
display(Markdown(
    f"In the middle panel ($\\lambda$ = {lam:.0e}), L1 leaves {np.mean(size['l1'] < THRESHOLD):.0%} "
    f"of the weights below the threshold, while the others keep a median size of "
    f"{np.median(size['l1'][size['l1'] >= THRESHOLD]):.3f} (the unpenalised network's median is "
    f"{np.median(size_none):.3f}). Under L2 only {np.mean(size['l2'] < THRESHOLD):.0%} are below the "
    f"threshold, and the median size of all its weights is {np.median(size['l2']):.3f}. L1 splits the "
    "weights into a pile near zero and a few large ones; L2 moves them all down together."))

# %%
lam = hist_lambdas[-1]
tiny = {pen: np.mean(np.abs(weights[pen, lam]) < 1e-6) for pen in PENALTIES}
dead = {pen: dropout.hidden_activation_stats(networks[pen, s, SEEDS[0]], fit.X_train)["dead_units"].sum()
        for pen, s in (("l2", lam), ("none", 0.0))}
display(Markdown(
    f"At $\\lambda$ = {lam:.0e}, {tiny['l2']:.1%} of the L2 network's weights are below $10^{{-6}}$ "
    f"(L1: {tiny['l1']:.1%}). The L2 network has {dead['l2']} hidden units that no training input "
    f"switches on (the unpenalised network has {dead['none']}). A unit that never fires gets no "
    "gradient from the data: without a penalty its weights simply stay where they started, while under L2 "
    "the penalty alone shrinks them geometrically toward zero. That is where the L2 pile at the left edge "
    "comes from."))

# %% [markdown]
# ## 4 · $\lambda$ as a hyperparameter: a grid search
#
# The paper notes that the coefficient is a hyperparameter, tuned for instance
# by a grid search. The sweep above is exactly that search: every network was
# trained on the fitting part of the training split and scored on the held-out
# validation part. We pick, for each penalty, the $\lambda$ with the lowest mean
# validation loss, and only then look at the test set.

# %%
chosen = {pen: sweep.best_index(pen, "validation_loss") for pen in PENALTIES}
axes = plotting.plot_grid_search(sweep, title="Training and validation loss against $\\lambda$")
_ = plotting.save_figure(axes[0].figure, "01-grid-search")
plt.show()
display(Markdown(penalty_sweep.grid_search_table(sweep)))
display(Markdown(
    f"At the smallest coefficient ({LAMBDAS[0]:g}) the networks overfit: training loss "
    f"{train_loss[0, 0].mean():.3f} (L1) and {train_loss[1, 0].mean():.3f} (L2) against validation "
    f"losses of {val_loss[0, 0].mean():.3f} and {val_loss[1, 0].mean():.3f}. At the largest "
    f"({LAMBDAS[-1]:g}) L1 underfits (training loss {train_loss[0, -1].mean():.3f}). In between, "
    f"validation picks $\\lambda$ = {LAMBDAS[chosen['l1']]:.0e} for L1 and "
    f"{LAMBDAS[chosen['l2']]:.0e} for L2."))

# %% [markdown]
# ## What we measured

# %%
i1, i2 = chosen["l1"], chosen["l2"]
display(Markdown(
    f"* **The picture.** In the two-weight example the L1 solution lands {where['l1']} "
    f"($w_2$ = {solutions['l1'][1]:.3f}); the L2 solution lands {where['l2']} ($w_2$ = {solutions['l2'][1]:.3f}).\n"
    f"* **Linear model.** At $\\lambda$ = {PATH_LAMBDAS[at[1]]:.2g} the lasso has set "
    f"{zeros['l1'][at[1]]} of the {task.n_features} diabetes weights exactly to zero, ridge {zeros['l2'][at[1]]}.\n"
    f"* **Oversized network, sparsity.** At the largest $\\lambda$ ({LAMBDAS[top]:g}) "
    f"{sparsity[0, top].mean():.1%} of the L1 network's weights are below {THRESHOLD:g} in size, "
    f"against {sparsity[1, top].mean():.1%} for L2 and {base['weight_sparsity']:.1%} without a penalty. "
    f"At the validation-chosen coefficients: L1 {sparsity[0, i1].mean():.1%}, L2 {sparsity[1, i2].mean():.1%}.\n"
    f"* **Magnitude.** Both shrink the weight norm, from {base['weight_norm']:.2f} without a penalty "
    f"to {norm[0, i1].mean():.2f} (L1) and {norm[1, i2].mean():.2f} (L2) at the chosen coefficients.\n"
    f"* **Tuning.** The grid search picks $\\lambda$ = {LAMBDAS[i1]:.0e} for L1 and {LAMBDAS[i2]:.0e} "
    f"for L2; test loss falls from {base['test_loss']:.3f} (no penalty) to {test_loss[0, i1].mean():.3f} "
    f"and {test_loss[1, i2].mean():.3f}."))

# %%
l1_sparser = bool(np.all(sparsity[0].mean(axis=1) >= sparsity[1].mean(axis=1)))
l2_shrinks = bool(np.all(norm[1].mean(axis=1)[LAMBDAS >= HIST_LAMBDAS[1]] < base["weight_norm"]))
tuned = bool(max(test_loss[0, i1].mean(), test_loss[1, i2].mean()) < base["test_loss"])
display(Markdown(
    f"Verdict on the paper's description. L1 leaves more near-zero weights than L2 at every $\\lambda$ "
    f"of the grid: {YES[l1_sparser]}. L2 lowers the weight norm below the unpenalised one at every "
    f"$\\lambda \\geq {HIST_LAMBDAS[1]:g}$: {YES[l2_shrinks]}. The validation-tuned coefficient beats "
    f"no penalty on the test set, for both penalties: {YES[tuned]}."))

# %% [markdown]
# One nuance the sweep adds: in a ReLU network a strong L2 penalty also
# produces near-zero weights, in units that switch off for every input (they
# receive no gradient from the data, and the penalty decays their weights).
# That is why the equal-norm panel is the fairer comparison of the two.

# %% [markdown]
# ## Takeaways

# %%
takeaways = [
    "**Two penalties, two shapes.** L1 adds $\\lambda\\sum|w|$ to the loss, L2 adds $\\lambda\\sum w^2$; "
    "the solution is where the loss contours first touch a diamond or a circle. In the two-weight "
    f"picture the L1 solution lands {where['l1']}, the L2 solution {where['l2']}.",
    f"**L1 {'gives' if l1_sparser else 'does not always give'} sparse weights.** The lasso [@tibshirani1996] "
    f"sets {zeros['l1'][at[1]]} of the {task.n_features} weights of the linear model exactly to zero at "
    f"$\\lambda$ = {PATH_LAMBDAS[at[1]]:.2g}, ridge regression [@hoerl1970] {zeros['l2'][at[1]]}; in the "
    "oversized network L1 leaves more near-zero weights than L2 at every $\\lambda$ of the grid: "
    f"{YES[l1_sparser]}.",
]

# %%
takeaways += [
    f"**L2 {'shrinks' if l2_shrinks else 'does not always shrink'} the weights.** It lowers the weight "
    f"norm below the unpenalised {base['weight_norm']:.2f} at every $\\lambda \\geq {HIST_LAMBDAS[1]:g}$: "
    f"{YES[l2_shrinks]}. The near-zero weights it leaves come with hidden units that no training "
    f"input switches on: {dead['l2']} in the seed-{SEEDS[0]} network at $\\lambda$ = "
    f"{hist_lambdas[-1]:.0e}, {dead['none']} without a penalty.",
    f"**The coefficient is tuned on held-out data.** Validation picks $\\lambda$ = {LAMBDAS[i1]:.0e} "
    f"for L1 and {LAMBDAS[i2]:.0e} for L2; the tuned networks beat no penalty on the test set: "
    f"{YES[tuned]}.",
]
display(Markdown("\n".join(f"- {line}" for line in takeaways)))

# %% [markdown]
# ## Exercises
#
# Each exercise has a level (★ to ★★★) and a kind; its worked solution is folded below it.

# %% [markdown] tags=["exercise"]
# **Exercise 1** (★ · pen and paper). One weight, no network: minimise
# $\;(w - z)^2 + \lambda |w|\;$ and $\;(w - z)^2 + \lambda w^2\;$ over $w$, for a given $z$ and
# $\lambda > 0$. For which $z$ is each solution exactly 0? What does this say about section 3's
# histograms?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 1.** *L2.* The objective is smooth: $2(w - z) + 2\lambda w = 0$ gives
# $w^* = z / (1 + \lambda)$, every weight shrunk by the same factor $1/(1 + \lambda)$ and zero
# only when $z = 0$.
#
# *L1.* For $w > 0$ the derivative $2(w - z) + \lambda$ vanishes at $w = z - \lambda/2$, a
# valid point only when $z > \lambda/2$; for $w < 0$ likewise $w = z + \lambda/2$ when
# $z < -\lambda/2$. At $w = 0$ the objective has a corner, and 0 is the minimum when 0 lies in
# its subgradient $-2z + \lambda[-1, 1]$, i.e. when $|z| \le \lambda/2$. Together,
#
# $$w^* = \operatorname{sign}(z)\,\max\big(|z| - \lambda/2,\; 0\big),$$
#
# *soft thresholding*: every $z$ in a whole interval $[-\lambda/2, \lambda/2]$ is sent to
# exactly 0, and the others are moved toward 0 by the same amount $\lambda/2$. So L1 piles
# the weights the data hold up only weakly at zero and leaves the rest large, while L2 moves
# all of them down by one factor: the two shapes of section 3's histograms. The cell checks
# both formulas against a brute-force minimisation on a fine grid.

# %% tags=["solution"] jupyter={"source_hidden": true}
w_grid, z_values, lam_1 = np.linspace(-3, 3, 600_001), np.array([-2.0, -0.3, 0.1, 0.45, 2.5]), 1.0
objective_l1 = (w_grid - z_values[:, None]) ** 2 + lam_1 * np.abs(w_grid)
objective_l2 = (w_grid - z_values[:, None]) ** 2 + lam_1 * w_grid ** 2
soft_threshold = np.sign(z_values) * np.maximum(np.abs(z_values) - lam_1 / 2, 0.0)
assert np.allclose(w_grid[np.argmin(objective_l1, axis=1)], soft_threshold, atol=1e-5)
assert np.allclose(w_grid[np.argmin(objective_l2, axis=1)], z_values / (1 + lam_1), atol=1e-5)

# %% [markdown] tags=["exercise"]
# **Exercise 2** (★★ · pen and paper). In section 1 the L1 solution sits on the corner
# $c = (t, 0)$ of the diamond $|w_1| + |w_2| \le t$ ($t$ = `RADIUS`). The loss is
# $\mathcal L(w) = (w - w^*)^\top H (w - w^*)$ with gradient $g = 2H(c - w^*)$ at the corner.
# Show that the corner is the constrained minimum exactly when $-g_1 \ge |g_2|$. For the
# chapter's bowl, scan the off-diagonal entry $h_{12}$ of $H$ and say when the solution leaves
# the corner.

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 2.** $\mathcal L$ is convex and the diamond is convex, so $c$ is the constrained
# minimum exactly when no feasible direction $d$ out of $c$ goes downhill: $g^\top d \ge 0$ for
# every $d$ that stays in the diamond. At the corner these directions form a cone spanned by
# the two edges, $d = (-1, 1)$ (toward $(0, t)$) and $d = (-1, -1)$ (toward $(0, -t)$); every
# other feasible direction is a non-negative combination of the two. So the condition is
# $-g_1 + g_2 \ge 0$ and $-g_1 - g_2 \ge 0$, that is
#
# $$-g_1 \ge |g_2| .$$
#
# In words: the pull toward the optimum along $w_1$ must beat the sideways pull along $w_2$.
# Tilting the bowl (a larger $|h_{12}|$) turns $g$ sideways, and once $|g_2| > -g_1$ sliding
# along an edge lowers the loss and the solution leaves the corner, with both weights
# non-zero (or jumps to another corner). The cell computes $g$ for the chapter's bowl and
# checks that the condition agrees with `constrained_minimum` over a scan of $h_{12}$ (keeping
# $H$ positive definite).

# %% tags=["solution"] jupyter={"source_hidden": true}
corner = np.array([RADIUS, 0.0])
h12_scan = np.linspace(-0.99, 0.99, 21) * np.sqrt(HESSIAN[0][0] * HESSIAN[1][1])
bowls = [np.array([[HESSIAN[0][0], h], [h, HESSIAN[1][1]]]) for h in h12_scan]
gradients = np.array([2 * H @ (corner - np.asarray(OPTIMUM)) for H in bowls])
predicted = -gradients[:, 0] >= np.abs(gradients[:, 1])
on_corner = np.array([np.allclose(penalty_geometry.constrained_minimum(H, OPTIMUM, RADIUS, "l1"),
                                  corner) for H in bowls])
assert np.array_equal(predicted, on_corner) and predicted.any() and not predicted.all()

# %% [markdown] tags=["exercise"]
# **Exercise 3** (★ · computation). Without retraining, recount the share of near-zero
# weights of the seed-`SEEDS[0]` networks at the largest $\lambda$ of the sweep, with the
# thresholds $10^{-4}$, `THRESHOLD` and $10^{-2}$. Set `answer_3` to a dict
# `{"l1": shares, "l2": shares}`, each an array over the three thresholds. Which conclusions of
# section 3 depend on the threshold, and which cannot?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 3.** The threshold enters only the near-zero *share*: the losses, the weight norms
# and therefore the grid search of section 4 never look at it. The shares themselves grow with
# the threshold (a larger threshold counts more weights), so a share means something only next
# to its threshold; what the sentence below reports is whether L1's share stays above L2's.

# %% tags=["solution"] jupyter={"source_hidden": true}
thresholds = (1e-4, THRESHOLD, 1e-2)
largest = sweep.strengths[-1]
answer_3 = {pen: np.array([regularization.weight_sparsity(networks[pen, largest, SEEDS[0]], t)
                           for t in thresholds]) for pen in PENALTIES}

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown(
    f"At $\\lambda$ = {largest:g} the L1 network's near-zero share is "
    + ", ".join(f"{s:.1%}" for s in answer_3["l1"]) + " and the L2 network's "
    + ", ".join(f"{s:.1%}" for s in answer_3["l2"])
    + f" at thresholds {', '.join(f'{t:g}' for t in thresholds)}; L1's share is the larger at "
    f"{int(np.sum(answer_3['l1'] > answer_3['l2']))} of the {len(thresholds)} thresholds."))

# %% tags=["solution", "check"] jupyter={"source_hidden": true}
reference = {pen: [np.mean(np.abs(regularization.flat_weights(networks[pen, sweep.strengths[-1], SEEDS[0]])) < t)
                   for t in (1e-4, THRESHOLD, 1e-2)] for pen in PENALTIES}
assert set(answer_3) == set(PENALTIES)
assert all(np.allclose(answer_3[pen], reference[pen]) for pen in PENALTIES)

# %% [markdown] tags=["exercise"]
# **Exercise 4** (★★★ · computation). The lasso of section 2 minimises
# $\frac1n\lVert y - Xw\rVert^2 + \lambda \lVert w\rVert_1$. Show that $w = 0$ is its solution
# exactly when $\lambda \ge \lambda_{\max} = \frac2n \lVert X^\top y\rVert_\infty$ (the largest
# $|\cdot|$ entry). Set `answer_4` to $\lambda_{\max}$ on the diabetes training data, and say
# which feature enters the lasso path first as $\lambda$ falls below it.

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 4.** The objective is convex, so $w = 0$ is a minimum exactly when 0 lies in its
# subgradient there. The data term has gradient $-\frac2n X^\top (y - Xw)$, which at $w = 0$
# is $-\frac2n X^\top y$; the subgradient of $\lambda\lVert w\rVert_1$ at 0 is every vector
# with entries in $[-\lambda, \lambda]$. So 0 is optimal iff
# $\big|\frac2n (X^\top y)_j\big| \le \lambda$ for every $j$, i.e.
# $\lambda \ge \frac2n \lVert X^\top y\rVert_\infty$. Just below $\lambda_{\max}$ the
# condition fails first for the feature $j$ with the largest $|(X^\top y)_j|$, the one most
# correlated with the target (the features are standardised): it is the first to leave zero.
# This is exercise 1's soft threshold again, applied to the correlation of each feature with
# the target.

# %% tags=["solution"] jupyter={"source_hidden": true}
correlation = task.X_train.T @ task.y_train.ravel()        # (X^T y)_j, one per feature
answer_4 = 2 * np.abs(correlation).max() / task.n_train
first_feature = int(np.argmax(np.abs(correlation)))
just_below = penalty_geometry.linear_penalty_path(task.X_train, task.y_train, [0.99 * answer_4], "l1")[0]

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown(
    f"$\\lambda_{{\\max}}$ = {answer_4:.4f}; below it, feature {first_feature} (counting from 0) "
    f"enters first: at $\\lambda$ = {0.99 * answer_4:.4f} the lasso keeps only the weights "
    f"of features {', '.join(map(str, np.flatnonzero(just_below)))}."))

# %% tags=["solution", "check"] jupyter={"source_hidden": true}
above, below = penalty_geometry.linear_penalty_path(task.X_train, task.y_train,
                                                    [1.001 * answer_4, 0.99 * answer_4], "l1")
assert np.all(above == 0) and np.any(below != 0)
