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
# # 00 · Introduction: too small, too big, and what regularization buys
#
# This essay retells, tests and extends a short informal paper, "Dropping Out
# for Fun and Profit — A Theory for Dropout" (N. Teague, 2019). It is a
# notebook you can run: every number in the text below is computed by the code
# beside it, on your machine, in well under a minute.
#
# **What the paper claims.** Teague starts from a practical complaint. For a
# new data set nobody can tell you the right architecture in advance; there are
# no "hard and fast rules", in the paper's words. Guess too big and the network
# memorises its training examples, noise included, unless training is stopped
# early; guess too small and it cannot represent the pattern at all, however
# long it trains. Families of problems (image classification, language) have
# converged on architectures that work, but real data always drift away from
# the laboratory conditions those architectures were tuned for. Regularization
# is the way out the paper points to: it lets us make a network *deliberately*
# too big and rely on the regularizer to keep it from overfitting.
#
# **The paper's thesis.** Dropout, the regularizer that randomly silences
# units during training, was met with scepticism because it is hard to say
# what it does. Teague proposes an analogy:
#
# | regularizer | pushes the weights, or the function, toward | measured by |
# |---|---|---|
# | L1 penalty $\lambda\sum_i \lvert w_i\rvert$ | **sparsity**: many weights at or near zero | fraction of near-zero weights |
# | L2 penalty $\lambda\sum_i w_i^2$ | **small weights** overall | weight norm |
# | dropout with drop rate $q$ | a more **linear** transformation function | a measure $Z$ built on additivity, $f(x_1+x_2)=f(x_1)+f(x_2)$ |
#
# (Throughout the essay the drop rate $q$ is the probability of *dropping* a
# unit, PyTorch's convention; Srivastava et al. write $p = 1 - q$ for the
# probability of keeping it.)
#
# The paper states the third row but never tests it, and its formula for $Z$
# was an image that did not survive. This essay makes $Z$ concrete and measures
# whether it falls as the drop rate rises, next to the first two rows, which we
# measure too.
#
# This chapter measures only the starting point: what "too small", "right" and
# "too big" look like on two small tasks, and how much early stopping, the
# cheapest regularizer of all, rescues a network that is far too big.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown, display
from sklearn.linear_model import RidgeCV
from sklearn.metrics import r2_score

from essay_lib import data
from essay_lib.nets import models, training
from essay_lib.report import plotting
from essay_lib.util import progress

SEED = 0
torch.set_num_threads(1)
plotting.set_style()

# %% [markdown]
# ## 1 · Three networks
#
# We use the same three multi-layer perceptrons (ReLU units, a linear output)
# throughout: one hidden unit, eight hidden units, and two hidden layers of 256
# units. All are trained the same way: the whole training set in every step
# (full batch), Adam, a fixed number of epochs, the same seed. Nothing else
# changes between them but their size.

# %%
SIZES = {"small": (1,), "medium": (8,), "large": (256, 256)}
COLORS = {"small": "#edae49", "medium": "#00798c", "large": "#d1495b"}
LABELS = {"small": "small, 1 unit", "medium": "medium, 8 units", "large": "large, 2 × 256 units"}
LR = 1e-2

quad = data.quadratic_task(n_train=20, noise=0.1, seed=SEED)
diabetes = data.diabetes_task(seed=SEED)
X_fit, y_fit, X_val, y_val = data.train_validation_split(
    diabetes.X_train, diabetes.y_train, validation_fraction=0.25, seed=SEED)

# two one-line helpers: train a fresh network of a given size; the test R^2 of a trained one
train = lambda hidden, X, y, epochs, seed=SEED, **kw: training.train_model(  # noqa: E731
    models.make_mlp(X.shape[1], hidden, 1, seed=seed), X, y, epochs=epochs, lr=LR, seed=seed, **kw)
test_r2 = lambda model, task: training.score(  # noqa: E731
    model, task.X_test, task.y_test, kind=task.kind)["r2"]

rows = [f"| {name} | {hidden} | {models.count_parameters(models.make_mlp(1, hidden, 1))} | "
        f"{models.count_parameters(models.make_mlp(diabetes.n_features, hidden, 1))} |"
        for name, hidden in SIZES.items()]
display(Markdown(
    "| network | hidden widths | parameters, 1-D task | parameters, diabetes |\n|---|---|---|---|\n"
    + "\n".join(rows)
    + f"\n\nTraining rows: {quad.n_train} on the 1-D task, {len(X_fit)} on diabetes "
      f"(plus {len(X_val)} held back for validation)."))

# %% [markdown]
# ## 2 · A noisy parabola
#
# The first task is the setting of Fig 5.2 in *Deep Learning* (Goodfellow,
# Bengio and Courville): a handful of points $x$ drawn uniformly from
# $[-1, 1]$, targets $y = x^2 + \varepsilon$ with Gaussian noise $\varepsilon$.
# The noise sets a floor: even the true curve has an expected squared error
# equal to the noise variance on new points. A network that fits the training
# points much *better* than that floor is fitting the noise.
#
# We train each network for a few thousand epochs (the task is tiny, so this
# takes a second or two) and record its loss on the training points and on
# held-out points drawn the same way. Nothing is chosen with the held-out
# curve here; it only shows what would happen on new data.

# %%
QUAD_EPOCHS = 2000
quad_runs = {name: train(hidden, quad.X_train, quad.y_train, QUAD_EPOCHS, eval_every=10,
                         validation=(quad.X_test, quad.y_test), description=f"1-D, {name}")
             for name, hidden in SIZES.items()}
noise_var = quad.description["noise"] ** 2
quad_scores = {name: {"train": run.train_loss[-1], "held-out": run.validation_loss[-1]}
               for name, run in quad_runs.items()}

# %%
fig, (ax_f, ax_c) = plt.subplots(1, 2, figsize=(11, 4.2))
x_grid = np.linspace(-1.05, 1.05, 400)[:, None]
for i, (name, run) in enumerate(quad_runs.items()):
    plotting.plot_function_1d(
        x_grid, training.predict(run.model, x_grid), ax=ax_f, color=COLORS[name],
        label=LABELS[name], true_function=data.quadratic_target if i == 0 else None,
        x_train=quad.X_train if i == 0 else None, y_train=quad.y_train if i == 0 else None)
    plotting.plot_learning_curves(run.epochs, run.train_loss, run.validation_loss, ax=ax_c,
                                  label=name, color=COLORS[name], validation_label="held-out")
ax_c.axhline(noise_var, color="0.4", linestyle=":", linewidth=1.2, label="noise variance")
ax_f.set_ylim(-0.35, 1.35)
ax_f.set_title("Learned functions and the training points")
ax_f.legend(loc="upper center", ncol=2, fontsize=8)
ax_c.set_title("Loss (MSE): train solid, held-out dashed")
ax_c.set_ylabel("mean squared error")
ax_c.legend(ncol=2, fontsize=8)
plotting.save_figure(fig, "00-quadratic-sizes")
plt.show()

# %%
display(Markdown(
    "| network | train MSE | held-out MSE |\n|---|---|---|\n"
    + "\n".join(f"| {name} | {s['train']:.4f} | {s['held-out']:.4f} |"
                for name, s in quad_scores.items())
    + f"\n\nThe noise variance, the floor for held-out error, is {noise_var:.4f}."))
small, medium, large = (quad_scores[k] for k in SIZES)
small_range = np.ptp(training.predict(quad_runs["small"].model, x_grid))
display(Markdown(
    "**Takeaway.** The small network cannot bend into a parabola: one ReLU unit bends a "
    "line at most once, "
    + ("and in this run the unit ended up switched off over the whole interval, leaving a "
       "constant. " if small_range < 1e-3 else "so the best it can do is a single hinge. ")
    + f"Its training error ({small['train']:.4f}) is {small['train'] / noise_var:.0f} times "
    f"the noise variance, and its held-out error ({small['held-out']:.4f}) is just as high: it "
    f"*underfits*. The medium "
    f"network follows the curve, with held-out error {medium['held-out']:.4f}, "
    f"{medium['held-out'] / noise_var:.1f} times the floor. The large one drives its training "
    f"error down to {large['train']:.4f}, {noise_var / large['train']:.1f} times *below* the "
    f"noise variance, so it is fitting the noise: its held-out error is "
    f"{large['held-out']:.4f}, {large['held-out'] / medium['held-out']:.1f} times the medium "
    f"network's. It *overfits*, bending between the training points to reach them."))

# %% [markdown]
# ## 3 · Diabetes: a real data set where big hurts
#
# The second task is scikit-learn's bundled diabetes data: ten standardised
# measurements (age, sex, body-mass index, blood pressure and six blood serum
# values) for 442 patients, and a measure of disease progression one year later. We
# hold out 30% of the patients as a test set, and from the rest we set aside a
# quarter as a *validation* set: the networks never train on it, and it is the
# only data later used to make a decision (when to stop). Targets are
# standardised with the training split's statistics, so a loss of 1 is what
# always predicting the training mean would score.
#
# We report the test $R^2$: the fraction of the variance of the test targets
# that a model explains. 1 is perfect, 0 is no better than predicting the mean,
# and *below 0 is worse than predicting the mean*. As a yardstick we fit the
# classic linear baseline, ridge regression, with its penalty chosen by
# cross-validation on the same training rows.

# %%
DIABETES_EPOCHS = 300
diabetes_runs = {name: train(hidden, X_fit, y_fit, DIABETES_EPOCHS, validation=(X_val, y_val),
                             description=f"diabetes, {name}")
                 for name, hidden in SIZES.items()}
diabetes_r2 = {name: test_r2(run.model, diabetes) for name, run in diabetes_runs.items()}
RIDGE_ALPHAS = np.logspace(-3, 3, 25)  # ridge penalties tried by RidgeCV
ridge = RidgeCV(alphas=RIDGE_ALPHAS).fit(X_fit, y_fit.ravel())
ridge_r2 = r2_score(diabetes.y_test.ravel(), ridge.predict(diabetes.X_test))
train_r2 = {name: training.score(run.model, X_fit, y_fit, kind="regression")["r2"]
            for name, run in diabetes_runs.items()}

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.2))
for name, run in diabetes_runs.items():
    plotting.plot_learning_curves(run.epochs, run.train_loss, run.validation_loss, ax=ax,
                                  label=name, color=COLORS[name], log_y=False)
ax.set_ylim(0, 1.5)
ax.set_title("Diabetes: train (solid) and validation (dashed) loss")
ax.set_ylabel("mean squared error (standardised targets)")
ax.legend(ncol=3, fontsize=8, loc="upper right")
plotting.save_figure(fig, "00-diabetes-curves")
plt.show()

# %%
display(Markdown(
    "| model | train $R^2$ | test $R^2$ |\n|---|---|---|\n"
    + "\n".join(f"| {LABELS[name]} | {train_r2[name]:.3f} | "
                f"{diabetes_r2[name]:.3f} |" for name in SIZES)
    + f"\n| ridge regression (penalty {ridge.alpha_:.3g}) | "
      f"{ridge.score(X_fit, y_fit.ravel()):.3f} | {ridge_r2:.3f} |"))
best_name = max(diabetes_r2, key=diabetes_r2.get)
large_run = diabetes_runs["large"]
large_min_epoch = large_run.best_epoch
display(Markdown(
    f"**Takeaway.** The large network explains {train_r2['large']:.0%} of the training "
    f"variance and has a test $R^2$ of {diabetes_r2['large']:.3f}: "
    + ("worse than predicting the mean. " if diabetes_r2["large"] < 0 else
       "barely better than predicting the mean. ")
    + f"Its validation loss is lowest at epoch {large_min_epoch} and climbs for the remaining "
      f"{DIABETES_EPOCHS - large_min_epoch} epochs while its training loss keeps falling. Ridge "
      f"regression, a linear model, reaches {ridge_r2:.3f}. On this task the best of our three "
      f"networks is the **{best_name}** one ({diabetes_r2[best_name]:.3f}): the size that "
      f"underfit the parabola is "
    + ("about right here, because the signal in these data is close to linear."
       if best_name == "small" else "not the best choice here.")
    + " The right size depends on the data, which is the paper's starting point."))

# %% [markdown]
# ## 4 · Early stopping rescues the large network
#
# The paper's sentence about oversized networks has a condition in it: they
# overfit *without early stopping*. Early stopping watches the validation loss
# while training and stops once it has not improved for a number of epochs
# (the *patience*), then puts back the weights from the best epoch. It uses
# only the validation rows, never the test set.
#
# We train the large network again with a patience of 20 epochs. It starts
# from the same initial weights and sees the same full batches, so until it
# stops it follows exactly the path of the run above.

# %%
PATIENCE = 20
stopped = train(SIZES["large"], X_fit, y_fit, DIABETES_EPOCHS, validation=(X_val, y_val),
                patience=PATIENCE, description="diabetes, large, early stopping")
stopped_r2 = test_r2(stopped.model, diabetes)

# %%
fig, (ax_l, ax_r) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1.2, 1]})
plotting.plot_learning_curves(large_run.epochs, large_run.train_loss, large_run.validation_loss,
                              ax=ax_l, label="large", color=COLORS["large"], log_y=False)
ax_l.set_ylim(0, 1.5)
ax_l.axvline(stopped.best_epoch, color="black", linestyle=":", linewidth=1.2,
             label=f"best epoch ({stopped.best_epoch})")
ax_l.axvspan(stopped.best_epoch, stopped.stopped_epoch, color="0.85", alpha=0.6,
             label=f"patience ({PATIENCE} epochs)")
ax_l.set_title("Large network: where early stopping stops")
ax_l.set_ylabel("mean squared error (standardised targets)")
ax_l.legend(fontsize=8, loc="upper right")
bars = {**{f"{name}\n{'×'.join(map(str, SIZES[name]))}": diabetes_r2[name] for name in SIZES},
        "large +\nearly stop": stopped_r2, "ridge": ridge_r2}
bar_colors = [COLORS[name] for name in SIZES] + ["#6a4c93", "#3d3d3d"]
ax_r.bar(list(bars), list(bars.values()), color=bar_colors)
ax_r.axhline(0, color="black", linewidth=0.8)
for i, value in enumerate(bars.values()):
    ax_r.annotate(f"{value:.2f}", (i, value), ha="center", fontsize=8,
                  va="bottom" if value >= 0 else "top",
                  xytext=(0, 2 if value >= 0 else -2), textcoords="offset points")
ax_r.set_ylabel("test $R^2$")
ax_r.set_xlabel("model (hidden widths)")
ax_r.set_title("Test $R^2$ on diabetes")
ax_r.tick_params(axis="x", labelsize=8)
plotting.save_figure(fig, "00-early-stopping")
plt.show()

# %%
display(Markdown(
    f"**Takeaway.** With early stopping the large network stops at epoch "
    f"{stopped.stopped_epoch} and restores its weights from epoch {stopped.best_epoch}, the "
    f"epoch of lowest validation loss. Its test $R^2$ rises from {diabetes_r2['large']:.3f} "
    f"without early stopping to {stopped_r2:.3f} with it, against {ridge_r2:.3f} for ridge "
    f"regression. It trained for {stopped.stopped_epoch} epochs instead of {DIABETES_EPOCHS}."))

# %% [markdown]
# ## 5 · Is this one lucky split?
#
# A single split of 442 patients is a small sample, so we repeat the whole
# comparison with five different seeds: each seed draws a new train/test split,
# a new validation set and new initial weights.

# %%
N_SEEDS = 5
seed_rows = []
for seed in progress.progress_bar(range(N_SEEDS), desc="seeds"):
    task = data.diabetes_task(seed=seed)
    Xf, yf, Xv, yv = data.train_validation_split(task.X_train, task.y_train, seed=seed)
    row = {name: test_r2(train(h, Xf, yf, DIABETES_EPOCHS, seed=seed, progress=False).model,
                         task) for name, h in SIZES.items()}
    early = train(SIZES["large"], Xf, yf, DIABETES_EPOCHS, seed=seed, progress=False,
                  validation=(Xv, yv), patience=PATIENCE)
    row["large + early stopping"] = test_r2(early.model, task)
    ridge_s = RidgeCV(alphas=RIDGE_ALPHAS).fit(Xf, yf.ravel())
    row["ridge"] = r2_score(task.y_test.ravel(), ridge_s.predict(task.X_test))
    seed_rows.append(row)
columns = list(seed_rows[0])
r2_by_model = {c: np.array([row[c] for row in seed_rows]) for c in columns}
display(Markdown(
    "| seed | " + " | ".join(columns) + " |\n" + "|---" * (len(columns) + 1) + "|\n"
    + "\n".join(f"| {s} | " + " | ".join(f"{row[c]:.3f}" for c in columns) + " |"
                for s, row in enumerate(seed_rows))
    + "\n| **mean** | " + " | ".join(f"**{r2_by_model[c].mean():.3f}**" for c in columns)
    + " |"))

# %%
n_negative = int((r2_by_model["large"] < 0).sum())
n_rescued = int((r2_by_model["large + early stopping"] > r2_by_model["large"]).sum())
display(Markdown(
    f"Over {N_SEEDS} seeds the large network's test $R^2$ ranges from "
    f"{r2_by_model['large'].min():.3f} to {r2_by_model['large'].max():.3f} and is below 0 in "
    f"{n_negative} of {N_SEEDS}; ridge ranges from {r2_by_model['ridge'].min():.3f} to "
    f"{r2_by_model['ridge'].max():.3f}. Early stopping raises the large network's test $R^2$ "
    f"in {n_rescued} of {N_SEEDS} seeds, to a mean of "
    f"{r2_by_model['large + early stopping'].mean():.3f} (ridge: "
    f"{r2_by_model['ridge'].mean():.3f})."))

# %% [markdown]
# ## What we measured

# %%
display(Markdown(
    f"* On the noisy parabola, one hidden unit underfits (held-out MSE "
    f"{quad_scores['small']['held-out']:.4f}), eight fit (held-out MSE "
    f"{quad_scores['medium']['held-out']:.4f}, noise variance {noise_var:.4f}), and two "
    f"layers of 256 overfit (train MSE {quad_scores['large']['train']:.4f}, held-out "
    f"{quad_scores['large']['held-out']:.4f}).\n"
    f"* On diabetes, the large network's test $R^2$ is {diabetes_r2['large']:.3f}, against "
    f"{ridge_r2:.3f} for ridge regression; the small and medium networks reach "
    f"{diabetes_r2['small']:.3f} and {diabetes_r2['medium']:.3f}.\n"
    f"* Early stopping with a patience of {PATIENCE} epochs picks epoch "
    f"{stopped.best_epoch} and lifts the large network to a test $R^2$ of {stopped_r2:.3f}; "
    f"over {N_SEEDS} seeds the large network averages {r2_by_model['large'].mean():.3f} "
    f"without and {r2_by_model['large + early stopping'].mean():.3f} with early stopping."))

# %% [markdown]
# ## Summary
#
# * There is no recipe for the right size: the same three networks rank
#   differently on the two tasks, and the one that underfits the parabola does
#   well on the diabetes data, whose signal is close to linear.
# * A network much larger than the data can support fits the training set
#   almost perfectly and generalises worse than a straight line, unless
#   something stops it.
# * Early stopping is the simplest such thing. Regularization in general is
#   what lets us choose a network that is too big on purpose; the rest of the
#   essay is about *how* three regularizers restrain it.
#
# ## Road map
#
# * **01 · L1 and L2 regularization.** The two weight penalties, measured:
#   L1 drives weights to exactly zero (sparsity), L2 shrinks them all (small
#   norm); choosing the coefficient by a grid search.
# * **02 · Dropout.** How it works (random masks, inverted scaling), the
#   ensemble view, weight scaling against Monte Carlo averaging, and an exact
#   check: input dropout on linear regression is a ridge penalty.
# * **03 · Transformation functions.** Polynomials of rising degree, a ReLU
#   network as a piecewise-linear function, and units that act like logic
#   gates: the picture the paper's argument rests on.
# * **04 · A measure of linearity.** The measure $Z$ defined and checked on
#   functions whose answer we know, then the experiment the paper never ran:
#   does $Z$ fall as the drop rate rises, next to L1, L2 and controls, with
#   confidence intervals, and a verdict computed from the numbers.
# * **05 · Conclusion.** The paper's analogy table filled in with what we
#   measured, the limits of the measurements, and further reading.
#
# ## Exercises
#
# 1. Change `SIZES["medium"]` to `(32,)` or `(2,)` and re-run section 2: where
#    does the 1-D task go from underfitting to fitting to overfitting?
# 2. Raise `noise` in `data.quadratic_task` to `0.3`. Which network suffers
#    most, and does the large one still reach a training error below the noise
#    variance?
# 3. Set `PATIENCE` to `5` and then to `100`. How does the early-stopping epoch
#    move, and what happens to the test $R^2$?
# 4. Train the large network on diabetes with `l2=1e-3` (an argument of
#    `training.train_model`) instead of early stopping. Does a weight penalty
#    rescue it too? Chapter 01 looks at this properly.
