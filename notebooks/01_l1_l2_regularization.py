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
from essay_lib.report import penalty_sweep, plotting, session, tables, wording

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
# 1. Set `THRESHOLD = 1e-4` (or `1e-2`) and rerun section 3. Which conclusions
#    depend on the threshold, and which do not?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 1.** The threshold only enters the near-zero share; the losses, the
# weight norms and therefore the grid search do not depend on it. So we recount
# the shares of the networks already trained at three thresholds (no retraining).

# %% tags=["solution"] jupyter={"source_hidden": true}
THRESHOLDS = (1e-4, THRESHOLD, 1e-2)
share = {t: penalty_sweep.penalty_arrays(experiment.remeasure.weight_records(networks, threshold=t),
                                         metrics=("weight_sparsity",), penalties=PENALTIES)
         for t in THRESHOLDS}
rows = [[f"{t:g}", f"{s.baseline['weight_sparsity'].mean():.3f}",
         f"{s.mean('weight_sparsity')[0, top]:.3f}", f"{s.mean('weight_sparsity')[1, top]:.3f}",
         f"{s.mean('weight_sparsity')[0, i1]:.3f}", f"{s.mean('weight_sparsity')[1, i2]:.3f}",
         YES[bool(np.all(s.mean('weight_sparsity')[0] >= s.mean('weight_sparsity')[1]))]]
        for t, s in share.items()]
display(Markdown(tables.markdown_table(
    ["threshold", "no penalty", f"L1, $\\lambda$ = {LAMBDAS[top]:g}", f"L2, $\\lambda$ = {LAMBDAS[top]:g}",
     "L1, chosen $\\lambda$", "L2, chosen $\\lambda$", "L1 ≥ L2 at every $\\lambda$"], rows)))

# %% tags=["solution"] jupyter={"source_hidden": true}
holds = [f"{t:g}" for t, row in zip(THRESHOLDS, rows, strict=True) if row[-1] == YES[True]]
display(Markdown(
    f"The shares themselves move a lot with the threshold: without a penalty from "
    f"{share[THRESHOLDS[0]].baseline['weight_sparsity'].mean():.1%} to "
    f"{share[THRESHOLDS[-1]].baseline['weight_sparsity'].mean():.1%}, so a share is only "
    f"meaningful next to its threshold. The ordering \"L1 at least as sparse as L2 at every "
    f"$\\lambda$\" holds at {len(holds)} of the {len(THRESHOLDS)} thresholds "
    f"({', '.join(holds) or 'none'}). The chosen coefficients ({LAMBDAS[i1]:.0e} and "
    f"{LAMBDAS[i2]:.0e}), the test losses and the weight norms do not change at all: they "
    "never look at the threshold."))

# %% [markdown]
# 2. Train the sweep with plain gradient descent: `spec.replace(optimizer="sgd", lr=0.1)`
#    in section 3. Plain gradient descent moves a weight by $\text{lr}\cdot\lambda$ per
#    step under L1; does the share of near-zero weights change? Why?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 2.** We train the L1 networks of the first seed with SGD at learning
# rate 0.1, at every other coefficient of the grid (a small variant of the sweep,
# cached like it), and count their weights near zero, at the chapter's threshold and
# within one L1 step ($\text{lr}\cdot\lambda$) of zero.

# %% tags=["solution"] jupyter={"source_hidden": true}
SGD_LR = 0.1
sgd_spec = spec.replace(optimizer="sgd", lr=SGD_LR, grid={"l1": list(LAMBDAS[::2])},
                        seeds=SEEDS[:1])
sgd = penalty_sweep.penalty_arrays(experiment.run_sweep(sgd_spec), penalties=("l1",),
                                   metrics=("train_loss", "weight_sparsity"))
sgd_models = experiment.sweep_models(sgd_spec)
sgd_share, sgd_train = sgd["weight_sparsity"][0, :, 0], sgd["train_loss"][0, :, 0]
adam = [sweep.strength_index(lam) for lam in sgd.strengths]   # the same coefficients, Adam
adam_share, adam_train = sparsity[0, adam, 0], train_loss[0, adam, 0]

# %% tags=["solution"] jupyter={"source_hidden": true}
within_step = [regularization.weight_sparsity(sgd_models["l1", lam, SEEDS[0]], SGD_LR * lam)
               for lam in sgd.strengths]
rows = [[f"{lam:.0e}", f"{SGD_LR * lam:.0e}", f"{adam_share[j]:.3f}", f"{sgd_share[j]:.3f}",
         f"{within_step[j]:.3f}", f"{adam_train[j]:.3f}", f"{sgd_train[j]:.3f}"]
        for j, lam in enumerate(sgd.strengths)]
display(Markdown(tables.markdown_table(
    ["$\\lambda$", "lr·$\\lambda$ (SGD)", f"Adam: share < {THRESHOLD:g}", f"SGD: share < {THRESHOLD:g}",
     "SGD: share < lr·$\\lambda$", "Adam: train loss", "SGD: train loss"], rows)))
peak, change = int(np.argmax(sgd_share)), np.abs(sgd_share - adam_share).max()

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown(
    f"{'Yes' if change > 0.05 else 'Hardly'}: at the same $\\lambda$ the two shares differ by up to "
    f"{change:.0%} of all weights. With SGD the near-zero share (below {THRESHOLD:g}) peaks at $\\lambda$ = "
    f"{sgd.strengths[peak]:.0e} ({sgd_share[peak]:.1%}) and falls to {sgd_share[-1]:.1%} at "
    f"$\\lambda$ = {sgd.strengths[-1]:g}, where Adam has {adam_share[-1]:.1%}. Yet counted within "
    f"one step of zero (below lr·$\\lambda$ = {SGD_LR * sgd.strengths[-1]:g}), {within_step[-1]:.1%} "
    "of that network's weights are pinned: under SGD the L1 term moves a weight by lr·$\\lambda$ "
    "per step, so a weight the data do not hold up crosses zero and back and ends within "
    f"lr·$\\lambda$ of it, below the threshold ({THRESHOLD:g}) only while lr·$\\lambda$ is. Adam "
    "divides each step by a running gradient scale, so a pinned weight moves by about the "
    f"learning rate ({LR:g}) whatever $\\lambda$ is (hence the chapter's threshold). At small "
    f"$\\lambda$ the SGD shares are also lower because, in {EPOCHS} epochs at this learning rate, "
    f"SGD fits the data less (training loss {sgd_train[0]:.3f} against Adam's {adam_train[0]:.3f})."))

# %% [markdown]
# 3. Move `OPTIMUM` in section 1 to `[1.0, 1.0]` or change the off-diagonal of
#    `HESSIAN`. When does the L1 solution leave the corner?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 3.** At the corner $(t, 0)$ the loss $\mathcal L(w) = (w-w^*)^\top H (w-w^*)$
# has gradient $g = 2H(w - w^*)$. The corner stays the solution as long as moving along
# either edge of the diamond (directions $(-1, \pm 1)$) does not lower the loss:
# $-g_1 \ge |g_2|$. We scan the off-diagonal $h_{12}$ (keeping $H$ positive definite),
# compare `constrained_minimum` with this condition, and try `OPTIMUM = [1, 1]`.

# %% tags=["solution"] jupyter={"source_hidden": true}
h11, h22 = HESSIAN[0][0], HESSIAN[1][1]
offdiag = np.linspace(-0.99, 0.99, 199) * np.sqrt(h11 * h22)
bowls = [np.array([[h11, b], [b, h22]]) for b in offdiag]
corner = np.array([RADIUS, 0.0])
on_corner = np.array([np.allclose(penalty_geometry.constrained_minimum(H, OPTIMUM, RADIUS, "l1"), corner)
                      for H in bowls])
gradients = np.array([2 * H @ (corner - OPTIMUM) for H in bowls])
kkt = -gradients[:, 0] >= np.abs(gradients[:, 1])
moved = penalty_geometry.constrained_minimum(HESSIAN, [1.0, 1.0], RADIUS, "l1")
g = 2 * np.asarray(HESSIAN) @ (corner - OPTIMUM)

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown(
    f"With the chapter's bowl the gradient at the corner is $g$ = ({wording.number(g[0], '.2f')}, "
    f"{wording.number(g[1], '.2f')}), so "
    f"$-g_1$ = {-g[0]:.2f} ≥ $|g_2|$ = {abs(g[1]):.2f}: the corner holds. Scanning $h_{{12}}$ from "
    f"{wording.number(offdiag[0], '.2f')} to {wording.number(offdiag[-1], '.2f')} ({len(offdiag)} values), the L1 solution sits on the "
    f"corner ({RADIUS:g}, 0) for $h_{{12}}$ between {wording.number(offdiag[on_corner].min(), '.2f')} and "
    f"{wording.number(offdiag[on_corner].max(), '.2f')} and leaves it outside that range, when the bowl tilts so "
    f"that sliding along an edge lowers the loss; the condition $-g_1 \\ge |g_2|$ agrees with "
    f"`constrained_minimum` at {np.mean(kkt == on_corner):.0%} of the scanned values. With "
    f"`OPTIMUM = [1, 1]` (on the diagonal) the L1 solution is ({moved[0]:.3f}, {moved[1]:.3f}): "
    f"{'on an axis' if np.any(moved == 0) else 'on an edge of the diamond, with no zero'}: "
    "an optimum far from both axes, or a bowl tilted along an edge, takes the solution off the corner."))

# %% [markdown]
# 4. Make the network smaller (`HIDDEN = (16,)`). Does it still overfit without a
#    penalty, and does the grid search still choose a large $\lambda$?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 4.** The same sweep (task, splits, grid, seeds, training) with one
# hidden layer of 16 units, read through the same table.

# %% tags=["solution"] jupyter={"source_hidden": true}
small_spec = spec.replace(hidden=(16,))
small = penalty_sweep.penalty_arrays(experiment.run_sweep(small_spec), penalties=PENALTIES)
small_base = {metric: values.mean() for metric, values in small.baseline.items()}
small_chosen = {pen: small.best_index(pen) for pen in PENALTIES}
smaller = [pen.upper() for pen in PENALTIES if small_chosen[pen] < chosen[pen]]
display(Markdown(penalty_sweep.grid_search_table(small)))

# %% tags=["solution"] jupyter={"source_hidden": true}
best = {pen: small.mean("validation_loss")[i, small_chosen[pen]] for i, pen in enumerate(PENALTIES)}
big_best = {pen: val_loss[i, chosen[pen]].mean() for i, pen in enumerate(PENALTIES)}
helps = small_base["validation_loss"] - min(best.values()) > 0.01
display(Markdown(
    f"Without a penalty the {small_spec.hidden} network reaches training loss "
    f"{small_base['train_loss']:.3f} and validation loss {small_base['validation_loss']:.3f} "
    f"(the {HIDDEN} network: {base['train_loss']:.3f} and {base['validation_loss']:.3f}): the gap "
    f"between them is {small_base['validation_loss'] - small_base['train_loss']:.3f} instead of "
    f"{base['validation_loss'] - base['train_loss']:.3f}. The grid search picks "
    f"$\\lambda$ = {small.strengths[small_chosen['l1']]:.0e} (L1) and {small.strengths[small_chosen['l2']]:.0e} "
    f"(L2), against {LAMBDAS[i1]:.0e} and {LAMBDAS[i2]:.0e} for the large network (smaller for: "
    f"{', '.join(smaller) or 'neither'}). Its best validation losses, {best['l1']:.3f} (L1) and "
    f"{best['l2']:.3f} (L2) against {small_base['validation_loss']:.3f} without a penalty (large "
    f"network: {big_best['l1']:.3f} and {big_best['l2']:.3f} against {base['validation_loss']:.3f}), "
    f"say that for the small network the penalty {'still helps' if helps else 'hardly matters'}."))
