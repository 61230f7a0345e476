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
#
# **What the paper claims.** Teague sets up his analogy with the two classic
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

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown, display

from essay_lib import data
from essay_lib.nets import dropout, ensemble, models, regularization, training
from essay_lib.report import plotting

SEED = 0
torch.set_num_threads(2)
plotting.set_style()
COLORS = plotting.REGULARIZER_COLORS

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
HESSIAN = np.array([[1.0, 0.4], [0.4, 2.0]])   # the bowl's shape
OPTIMUM = np.array([2.0, 0.3])                  # the unpenalised optimum
RADIUS = 1.0                                    # the size of the ball

grid = np.linspace(-1.6, 2.6, 300)
W1, W2 = np.meshgrid(grid, grid)
bowl = regularization.quadratic_loss(np.stack([W1, W2], axis=-1), HESSIAN, OPTIMUM)
solutions = {norm: regularization.constrained_minimum(HESSIAN, OPTIMUM, RADIUS, norm)
             for norm in ("l1", "l2")}

fig, axes = plt.subplots(1, 2, figsize=(9, 4.2), sharey=True)
for ax, norm in zip(axes, ("l1", "l2"), strict=True):
    w = solutions[norm]
    touch = regularization.quadratic_loss(w, HESSIAN, OPTIMUM)
    ax.contour(W1, W2, bowl, levels=touch * np.array([0.15, 0.45, 2.0, 3.5, 5.5]),
               colors="0.6", linewidths=0.8)
    ax.contour(W1, W2, bowl, levels=[touch], colors=COLORS[norm], linewidths=1.6)
    ball = regularization.ball_boundary(RADIUS, norm)
    ax.fill(ball[:, 0], ball[:, 1], color=COLORS[norm], alpha=0.25, linewidth=0)
    ax.plot(ball[:, 0], ball[:, 1], color=COLORS[norm])
    ax.plot(*OPTIMUM, "k+", markersize=10, label="unpenalised optimum")
    ax.plot(*w, "o", color="black", markersize=6, label=f"constrained optimum ({w[0]:.2f}, {w[1]:.2f})")
    ax.axhline(0, color="0.3", lw=0.6)
    ax.axvline(0, color="0.3", lw=0.6)
    ax.set_aspect("equal")
    ax.set_xlabel("$w_1$")
    ax.set_title(f"{norm.upper()} ball: " + ("$|w_1| + |w_2| \\leq t$" if norm == "l1" else "$w_1^2 + w_2^2 \\leq t^2$"))
    ax.legend(loc="lower left", fontsize=8)
axes[0].set_ylabel("$w_2$")
fig.suptitle("Loss contours first touch the L1 diamond at a corner, the L2 circle off the axes")
plotting.save_figure(fig, "01-constraint-picture")
plt.show()
display(Markdown(
    f"With the loss bowl above and balls of radius {RADIUS:g}, the L1 solution is "
    f"$w = ({solutions['l1'][0]:.3f}, {solutions['l1'][1]:.3f})$: **exactly** on the $w_1$ axis. "
    f"The L2 solution is $w = ({solutions['l2'][0]:.3f}, {solutions['l2'][1]:.3f})$: smaller than "
    f"the optimum ({OPTIMUM[0]:g}, {OPTIMUM[1]:g}) but with no zero. (Both optima are computed "
    "exactly by `regularization.constrained_minimum`, not read off the grid.)"))

# %% [markdown]
# ## 2 · An exact case: a linear model of the diabetes data
#
# The diabetes task (442 patients, 10 standardised features, a standardised
# disease-progression target) is our running regression example. For a *linear*
# model the penalised problems can be solved exactly: L1 is the lasso (solved
# by coordinate descent), L2 is ridge regression (a closed form). We trace each
# coefficient as $\lambda$ grows.

# %%
task = data.diabetes_task(seed=SEED)
PATH_LAMBDAS = np.logspace(-4, 1, 61)
paths = {pen: regularization.linear_penalty_path(task.X_train, task.y_train, PATH_LAMBDAS, pen)
         for pen in ("l1", "l2")}

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
for ax, pen in zip(axes, ("l1", "l2"), strict=True):
    ax.plot(PATH_LAMBDAS, paths[pen], lw=1.3)
    ax.set_xscale("log")
    ax.set_xlabel("coefficient $\\lambda$")
    ax.set_title(f"{pen.upper()} ({'lasso' if pen == 'l1' else 'ridge'}): "
                 "one line per input feature")
axes[0].set_ylabel("weight of the feature")
fig.suptitle("Linear model on diabetes: L1 sets weights to exactly zero one by one, L2 only shrinks them", y=1.03)
plotting.save_figure(fig, "01-linear-paths")
plt.show()

zeros = {pen: (paths[pen] == 0).sum(axis=1) for pen in paths}
at = [int(np.argmin(np.abs(PATH_LAMBDAS - lam))) for lam in (1e-2, 1e-1, 1.0)]
display(Markdown(
    "Number of the 10 weights that are **exactly** zero: "
    + "; ".join(f"at $\\lambda$ = {PATH_LAMBDAS[i]:.2g}, L1 {zeros['l1'][i]} and L2 {zeros['l2'][i]}"
                for i in at)
    + f". The smallest L2 weight at the largest $\\lambda$ ({PATH_LAMBDAS[-1]:g}) is still "
    f"{np.abs(paths['l2'][-1]).min():.2e} in size."))

# %% [markdown]
# ## 3 · An oversized network: sweeping $\lambda$
#
# Now the setting the paper cares about: a network much larger than the task
# needs. We train a ReLU network with two hidden layers of 128 units (about 18
# thousand weights) on three quarters of the diabetes training split, keeping the
# last quarter for validation (used in section 4), full batch with Adam. Without a
# penalty it fits the training targets almost perfectly and does badly on new
# data. We then add L1 or L2 with $\lambda$ on a log grid, three seeds (different
# initial weights) each.
#
# **Near-zero threshold.** Adam's steps do not stop exactly at zero (a weight
# pinned at zero by the L1 term jitters by about the learning rate), so we count
# a weight as *near zero* when $|w| < 10^{-3}$. For scale: the initial weights
# are uniform on $\pm 1/\sqrt{\text{fan-in}}$, about $\pm 0.09$ in the hidden
# layers.

# %%
HIDDEN = (128, 128)
EPOCHS = 300
LR = 1e-3
SEEDS = (0, 1, 2)
LAMBDAS = np.logspace(-5, -1, 9)
THRESHOLD = 1e-3
PENALTIES = ("l1", "l2")

X_fit, y_fit, X_val, y_val = data.train_validation_split(
    task.X_train, task.y_train, validation_fraction=0.25, seed=SEED)
configs = [("none", 0.0)] + [(pen, lam) for pen in PENALTIES for lam in LAMBDAS]
keys = [(pen, lam, s) for pen, lam in configs for s in SEEDS]
# all networks at once, side by side (each one's result depends on its own seed and penalty alone)
sweep = ensemble.train_ensemble(
    (task.n_features, *HIDDEN, 1),
    [ensemble.Member(seed=s, lr=LR, **({} if pen == "none" else {pen: float(lam)})) for pen, lam, s in keys],
    X_fit, y_fit, kind="regression", epochs=EPOCHS, description="lambda sweep")
runs = {key: sweep.model.member(k) for k, key in enumerate(keys)}  # plain essay_lib MLPs
fit_loss = dict(zip(keys, sweep.final_train_loss, strict=True))

# one array per measurement, shape (penalty, lambda, seed); the unpenalised runs apart
measures = {
    "sparsity": lambda key: regularization.weight_sparsity(runs[key], THRESHOLD),
    "norm": lambda key: regularization.weight_norm(runs[key]),
    "train": lambda key: fit_loss[key],
    "val": lambda key: training.score(runs[key], X_val, y_val, kind="regression")["loss"],
    "test": lambda key: training.score(runs[key], task.X_test, task.y_test, kind="regression")["loss"],
}
grid_of = {name: np.array([[[f((pen, lam, s)) for s in SEEDS] for lam in LAMBDAS] for pen in PENALTIES])
           for name, f in measures.items()}
base = {name: np.array([f(("none", 0.0, s)) for s in SEEDS]) for name, f in measures.items()}
sparsity, norm, train_loss, val_loss, test_loss = (grid_of[name] for name in measures)
init_sparsity = regularization.weight_sparsity(models.make_mlp(task.n_features, HIDDEN, 1, seed=SEED), THRESHOLD)
display(Markdown(
    f"{len(runs)} networks trained ({models.count_parameters(runs['none', 0.0, SEEDS[0]])} "
    f"parameters each). Without a penalty: training loss {base['train'].mean():.3f}, validation "
    f"loss {base['val'].mean():.3f}, test loss {base['test'].mean():.3f} (mean squared error "
    "on standardised targets, so 1.0 is what predicting the mean would score): a clear overfit. "
    f"Share of near-zero weights at initialisation: {init_sparsity:.3f}; after training without "
    f"a penalty: {base['sparsity'].mean():.3f}."))

# %% [markdown]
# Fraction of near-zero weights and weight norm against $\lambda$, side by
# side; lines are means over seeds, bands span the lowest to the highest seed.
# The third panel plots one against the other, which compares the two
# penalties at *equal weight norm* (the coefficient means different things for
# the two penalties, so equal $\lambda$ is not a fair match).

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 3.9))
for i, pen in enumerate(PENALTIES):
    for ax, values in ((axes[0], sparsity[i]), (axes[1], norm[i])):
        plotting.plot_mean_interval(LAMBDAS, values.mean(axis=1), values.min(axis=1), values.max(axis=1),
                                    ax=ax, label=pen.upper(), color=COLORS[pen])
    axes[2].scatter(norm[i].ravel(), sparsity[i].ravel(), s=16, color=COLORS[pen], label=pen.upper())
for ax, ref in ((axes[0], base["sparsity"]), (axes[1], base["norm"])):
    ax.axhline(ref.mean(), color=COLORS["none"], ls=":", lw=1.2, label="no penalty")
    ax.set_xscale("log")
    ax.set_xlabel("coefficient $\\lambda$")
    ax.legend()
axes[0].set_ylabel(f"fraction of weights with $|w| < {THRESHOLD:g}$")
axes[0].set_title("L1 makes the weights sparse")
axes[1].set_ylabel("weight norm $\\|w\\|_2$")
axes[1].set_yscale("log")
axes[1].set_title("both shrink the weights")
axes[2].set_xscale("log")
axes[2].set_xlabel("weight norm $\\|w\\|_2$")
axes[2].set_ylabel("fraction near zero")
axes[2].set_title("at equal norm, L1 is far sparser")
axes[2].legend()
fig.suptitle(f"Oversized MLP {HIDDEN} on diabetes, {len(SEEDS)} seeds per point", y=1.02)
plotting.save_figure(fig, "01-sparsity-and-norm")
plt.show()

# %%
top = len(LAMBDAS) - 1
mid = int(np.argmin(np.abs(LAMBDAS - 1e-3)))
display(Markdown(
    f"At the largest coefficient, $\\lambda$ = {LAMBDAS[top]:g}: L1 leaves "
    f"**{sparsity[0, top].mean():.1%}** of the weights near zero, L2 **{sparsity[1, top].mean():.1%}** "
    f"(weight norms {norm[0, top].mean():.2f} and {norm[1, top].mean():.2f}, against "
    f"{base['norm'].mean():.2f} without a penalty). At $\\lambda$ = {LAMBDAS[mid]:g} the shares are "
    f"{sparsity[0, mid].mean():.1%} (L1) and {sparsity[1, mid].mean():.1%} (L2). "
    f"At the largest $\\lambda$ the L1 network's training loss is {train_loss[0, top].mean():.3f}: "
    "it has been penalised into predicting (nearly) a constant."))

# %% [markdown]
# The claim in the paper is about the weights' *distribution*, so here it is:
# histograms of $\log_{10}|w|$ for one seed at three coefficients (weights
# smaller than $10^{-8}$ are piled up at the left edge).

# %%
HIST_LAMBDAS = (1e-4, 1e-3, 1e-2)
fig, axes = plt.subplots(1, len(HIST_LAMBDAS), figsize=(13, 3.6), sharey=True)
bins = np.linspace(-8, 0.5, 60)
for ax, lam in zip(axes, HIST_LAMBDAS, strict=True):
    key = LAMBDAS[int(np.argmin(np.abs(LAMBDAS - lam)))]
    for pen in PENALTIES:
        w = regularization.flat_weights(runs[pen, key, SEEDS[0]])
        ax.hist(np.log10(np.maximum(np.abs(w), 1e-8)), bins=bins, color=COLORS[pen], histtype="step",
                lw=1.8, label=pen.upper())
    ax.axvline(np.log10(THRESHOLD), color="black", ls=":", lw=1, label="near-zero threshold")
    ax.set_yscale("log")
    ax.set_xlabel("$\\log_{10} |w|$")
    ax.set_title(f"$\\lambda$ = {key:.0e}")
axes[0].set_ylabel("number of weights")
axes[0].legend(loc="upper left")
fig.suptitle("L1 splits the weights into a pile near zero and a few large ones; L2 moves them all down together",
             y=1.03)
plotting.save_figure(fig, "01-weight-histograms")
plt.show()
tiny = {pen: float(np.mean(np.abs(regularization.flat_weights(runs[pen, LAMBDAS[-3], SEEDS[0]])) < 1e-6))
        for pen in PENALTIES}
dead = {pen: dropout.hidden_activation_stats(runs[pen, LAMBDAS[-3], SEEDS[0]], X_fit)["dead_units"]
        for pen in PENALTIES}
dead["none"] = dropout.hidden_activation_stats(runs["none", 0.0, SEEDS[0]], X_fit)["dead_units"]
display(Markdown(
    f"At $\\lambda$ = {LAMBDAS[-3]:.0e}, {tiny['l2']:.1%} of the L2 network's weights are below $10^{{-6}}$ "
    f"(L1: {tiny['l1']:.1%}). The L2 network has {dead['l2'].sum()} hidden units that no training input "
    f"switches on (the unpenalised network has {dead['none'].sum()}). A unit that never fires gets no "
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
mean_val = val_loss.mean(axis=2)
chosen = {pen: int(np.argmin(mean_val[i])) for i, pen in enumerate(PENALTIES)}
fig, axes = plt.subplots(1, 2, figsize=(11, 3.9), sharey=True)
for ax, (i, pen) in zip(axes, enumerate(PENALTIES), strict=True):
    for values, style, label in ((train_loss[i], "-", "train"), (val_loss[i], "--", "validation")):
        ax.plot(LAMBDAS, values.mean(axis=1), style, marker="o", markersize=4, color=COLORS[pen], label=label)
        ax.fill_between(LAMBDAS, values.min(axis=1), values.max(axis=1), color=COLORS[pen], alpha=0.15, lw=0)
    ax.axhline(base["val"].mean(), color=COLORS["none"], ls=":", lw=1.2, label="validation, no penalty")
    ax.axvline(LAMBDAS[chosen[pen]], color="black", lw=1, ls="-.")
    ax.plot(LAMBDAS[chosen[pen]], mean_val[i, chosen[pen]], "*", color="black", markersize=13,
            label=f"chosen $\\lambda$ = {LAMBDAS[chosen[pen]]:.0e}")
    ax.set_xscale("log")
    ax.set_ylim(0, 1.1)
    ax.set_xlabel("coefficient $\\lambda$")
    ax.set_title(f"{pen.upper()}: grid search on the validation split")
    ax.legend(fontsize=8, loc="upper left")
axes[0].set_ylabel("mean squared error")
fig.suptitle("Too small a coefficient overfits, too large underfits; validation picks the middle", y=1.02)
plotting.save_figure(fig, "01-grid-search")
plt.show()

display(Markdown("\n".join(
    ["| penalty | chosen $\\lambda$ | validation loss | test loss | near-zero share | weight norm |",
     "|---|---|---|---|---|---|",
     f"| none | 0 | {base['val'].mean():.3f} | {base['test'].mean():.3f} | {base['sparsity'].mean():.3f} | {base['norm'].mean():.2f} |"]
    + [f"| {pen.upper()} | {LAMBDAS[j]:.0e} | {val_loss[i, j].mean():.3f} | {test_loss[i, j].mean():.3f} | "
       f"{sparsity[i, j].mean():.3f} | {norm[i, j].mean():.2f} |"
       for i, pen in enumerate(PENALTIES) for j in [chosen[pen]]])))

# %% [markdown]
# ## What we measured

# %%
i1, i2 = chosen["l1"], chosen["l2"]
display(Markdown(
    f"* **The picture.** In the two-weight example the L1 solution lands exactly on an axis "
    f"($w_2$ = {solutions['l1'][1]:.3f}); the L2 solution does not ($w_2$ = {solutions['l2'][1]:.3f}).\n"
    f"* **Linear model.** At $\\lambda$ = {PATH_LAMBDAS[at[1]]:.2g} the lasso has set "
    f"{zeros['l1'][at[1]]} of the 10 diabetes weights exactly to zero, ridge {zeros['l2'][at[1]]}.\n"
    f"* **Oversized network, sparsity.** At the largest $\\lambda$ ({LAMBDAS[top]:g}) "
    f"{sparsity[0, top].mean():.1%} of the L1 network's weights are below {THRESHOLD:g} in size, "
    f"against {sparsity[1, top].mean():.1%} for L2 and {base['sparsity'].mean():.1%} without a penalty. "
    f"At the validation-chosen coefficients: L1 {sparsity[0, i1].mean():.1%}, L2 {sparsity[1, i2].mean():.1%}.\n"
    f"* **Magnitude.** Both shrink the weight norm, from {base['norm'].mean():.2f} without a penalty "
    f"to {norm[0, i1].mean():.2f} (L1) and {norm[1, i2].mean():.2f} (L2) at the chosen coefficients.\n"
    f"* **Tuning.** The grid search picks $\\lambda$ = {LAMBDAS[i1]:.0e} for L1 and {LAMBDAS[i2]:.0e} "
    f"for L2; test loss falls from {base['test'].mean():.3f} (no penalty) to {test_loss[0, i1].mean():.3f} "
    f"and {test_loss[1, i2].mean():.3f}."))

# %%
l1_sparser = bool(np.all(sparsity[0].mean(axis=1) >= sparsity[1].mean(axis=1)))
l2_shrinks = bool(np.all(norm[1].mean(axis=1)[LAMBDAS >= 1e-3] < base["norm"].mean()))
tuned = bool(max(test_loss[0, i1].mean(), test_loss[1, i2].mean()) < base["test"].mean())
yes = lambda flag: "**yes**" if flag else "**no**"  # noqa: E731
display(Markdown(
    f"Verdict on the paper's description. L1 leaves more near-zero weights than L2 at every $\\lambda$ "
    f"of the grid: {yes(l1_sparser)}. L2 lowers the weight norm below the unpenalised one at every "
    f"$\\lambda \\geq 10^{{-3}}$: {yes(l2_shrinks)}. The validation-tuned coefficient beats no penalty "
    f"on the test set, for both penalties: {yes(tuned)}."))

# %% [markdown]
# One nuance the sweep adds: in a ReLU network a strong L2 penalty also
# produces near-zero weights, in units that switch off for every input (they
# receive no gradient from the data, and the penalty decays their weights).
# That is why the equal-norm panel is the fairer comparison of the two.
#
# ## Summary
#
# * L1 adds $\lambda\sum|w|$, L2 adds $\lambda\sum w^2$ to the loss; geometrically, the
#   solution is where the loss contours first touch a diamond or a circle.
# * The diamond's corners make L1 solutions sparse: exact zeros for a linear model, a
#   pile of near-zero weights in a network trained with Adam.
# * L2 shrinks every weight a little; it rarely zeroes a weight, except in units
#   that the network has stopped using.
# * The best $\lambda$ depends on the task and the penalty; a grid search on held-out
#   data finds it.
#
# ## Exercises
#
# 1. Set `THRESHOLD = 1e-4` (or `1e-2`) and rerun section 3. Which conclusions
#    depend on the threshold, and which do not?
# 2. Pass `optimizer="sgd"` to `ensemble.train_ensemble` in section 3 and set `LR = 0.1`.
#    Plain gradient descent moves a weight by $\text{lr}\cdot\lambda$ per step under
#    L1; does the share of near-zero weights change? Why?
# 3. Move `OPTIMUM` in section 1 to `[1.0, 1.0]` or change the off-diagonal of
#    `HESSIAN`. When does the L1 solution leave the corner?
# 4. Make the network smaller (`HIDDEN = (16,)`). Does it still overfit without a
#    penalty, and does the grid search still choose a large $\lambda$?
