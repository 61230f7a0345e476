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

# %% [markdown]
# **You will learn**
#
# * what the paper claims: dropout is to the linearity of a network's function what L1 is to
#   the sparsity of its weights and L2 to their size;
# * what "too small", "about right" and "too big" look like on a noisy parabola and on a real
#   data set, the diabetes data;
# * how early stopping, the cheapest regularizer, rescues a network that is far too big, and
#   whether one lucky split of the data explains it;
# * how to read and run this essay: every number is computed by the cell beside it, and each
#   chapter ends with exercises whose solutions are folded.
#
# **You need**
#
# * no earlier chapter: this is where the essay starts;
# * maths: functions and their graphs, the mean squared error, and the idea of fitting a model
#   by gradient descent, in outline;
# * to run it, the set-up of the project's front page (`make lab`); to read it, only a browser.

# %% [markdown]
# This essay retells, tests and extends a short informal paper, "Dropping Out
# for Fun and Profit — A Theory for Dropout" [@teague2019]. It is a
# notebook you can run: every number in the text below is computed by the code
# beside it, on your machine, in well under a minute. A citation links to the
# works listed at the end of each chapter's page and on the site's references
# page (in JupyterLab it shows its key, such as `@teague2019`; the entries live in
# `essay_lib/site/bibliography.py`).
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
# unit, PyTorch's convention; Srivastava et al. [@srivastava2014] write $p = 1 - q$ for the
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

# %% tags=["parameters"]
SEED = 0  # every random choice below derives from it (data splits, initial weights)
SIZES = {"small": (1,), "medium": (8,), "large": (256, 256)}  # hidden widths of the three networks
LR = 1e-2  # Adam's learning rate, full batch
QUAD_N_TRAIN = 20  # training points of the noisy parabola
QUAD_NOISE = 0.1  # standard deviation of its Gaussian noise
QUAD_EPOCHS = 2000
QUAD_EVAL_EVERY = 10  # record the 1-D losses every this many epochs
DIABETES_EPOCHS = 300
VALIDATION_FRACTION = 0.25  # share of the diabetes training rows held back for validation
RIDGE_LOG10_ALPHAS = (-3, 3, 25)  # (start, stop, num) of np.logspace: the penalties RidgeCV tries
PATIENCE = 20  # early stopping: epochs without a better validation loss before stopping
N_SEEDS = 5  # seeds SEED, SEED + 1, ... in section 5

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display
from sklearn.linear_model import RidgeCV
from sklearn.metrics import r2_score

from essay_lib import data
from essay_lib.experiment import configurations
from essay_lib.nets import models, training
from essay_lib.report import plotting, session, tables, wording

rng = session.setup(seed=SEED, threads=1)  # tiny full-batch networks: one thread is fastest

# %% [markdown]
# ## 1 · Three networks
#
# We use the same three multi-layer perceptrons (ReLU units, a linear output)
# throughout: a tiny one, a modest one, and one far bigger than either data set
# could ask for (`SIZES` in the first cell; the table lists their widths). All
# are trained the same way: the whole training set in every step (full batch),
# Adam, a fixed number of epochs, the same seed. Nothing else changes between
# them but their size.

# %%
quad = data.quadratic_task(n_train=QUAD_N_TRAIN, noise=QUAD_NOISE, seed=SEED)
diabetes = data.load_task("diabetes", seed=SEED, validation_fraction=VALIDATION_FRACTION)
labels = {name: plotting.size_label(name, hidden) for name, hidden in SIZES.items()}
rows = [[name, hidden, *(models.count_parameters(models.make_mlp(task.n_features, hidden, 1))
                         for task in (quad, diabetes))] for name, hidden in SIZES.items()]
display(Markdown(
    tables.markdown_table(
        ["network", "hidden widths", "parameters, 1-D task", "parameters, diabetes"], rows,
        align=["left", "left", "right", "right"])
    + f"\n\nTraining rows: {quad.n_train} on the 1-D task, {diabetes.n_train} on diabetes "
      f"(plus {len(diabetes.X_val)} held back for validation)."))

# %% [markdown]
# ## 2 · A noisy parabola
#
# The first task is the setting of Fig 5.2 in *Deep Learning*
# [@goodfellow2016]: a handful of points $x$ drawn uniformly from
# $[-1, 1]$, targets $y = x^2 + \varepsilon$ with Gaussian noise $\varepsilon$.
# The noise sets a floor: even the true curve has an expected squared error
# equal to the noise variance on new points. A network that fits the training
# points much *better* than that floor is fitting the noise.
#
# We train each network for a few thousand epochs (the task is tiny, so this
# takes a few seconds) and record its loss on the training points and on
# held-out points drawn the same way. Nothing is chosen with the held-out
# curve here (`curves_on="test"` refuses early stopping); it only shows what
# would happen on new data.

# %%
quad_runs = configurations.train_configurations(
    SIZES, [quad], seeds=[SEED], epochs=QUAD_EPOCHS, lr=LR, eval_every=QUAD_EVAL_EVERY,
    curves_on="test", description="1-D task")
quad_fits = quad_runs.at_seed(SEED)  # {size: TrainingResult}
noise_var = quad.description["noise"] ** 2
quad_scores = {name: {"train": run.train_loss[-1], "held-out": run.held_out_loss[-1]}
               for name, run in quad_fits.items()}
x_grid = np.linspace(-1.05, 1.05, 400)[:, None]
quad_curves = {name: training.predict(run.model, x_grid) for name, run in quad_fits.items()}

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
plotting.plot_sizes_1d(x_grid, quad_curves, quad_fits, x_train=quad.X_train, y_train=quad.y_train,
                       true_function=data.quadratic_target, noise_variance=noise_var,
                       labels=labels, axes=axes)
plotting.save_figure(fig, "00-quadratic-sizes")
plt.show()

# %%
display(Markdown(
    tables.markdown_table(["network", "train MSE", "held-out MSE"],
                          [[name, f"{s['train']:.4f}", f"{s['held-out']:.4f}"]
                           for name, s in quad_scores.items()], align=["left", "right", "right"])
    + f"\n\nThe noise variance, the floor for held-out error, is {noise_var:.4f}."))

# %%
small, medium, large = (quad_scores[name] for name in ("small", "medium", "large"))
small_is_constant = np.ptp(quad_curves["small"]) < 1e-3
display(Markdown(
    "**Takeaway.** The small network cannot bend into a parabola: one ReLU unit bends a line at "
    "most once, " + ("and in this run the unit ended up switched off over the whole interval, "
                     "leaving a constant. " if small_is_constant else
                     "so the best it can do is a single hinge. ")
    + f"Its training error ({small['train']:.4f}) is {small['train'] / noise_var:.0f} times the "
    f"noise variance, and its held-out error ({small['held-out']:.4f}) is just as high: it "
    f"*underfits*. The medium network follows the curve, with held-out error "
    f"{medium['held-out']:.4f}, {medium['held-out'] / noise_var:.1f} times the floor. The large one "
    f"drives its training error down to {large['train']:.4f}, {noise_var / large['train']:.1f} "
    f"times *below* the noise variance, so it is fitting the noise: its held-out error is "
    f"{large['held-out']:.4f}, {large['held-out'] / medium['held-out']:.1f} times the medium "
    f"network's. It *overfits*, bending between the training points to reach them."))

# %% [markdown]
# ## 3 · Diabetes: a real data set where big hurts
#
# The second task is scikit-learn's bundled diabetes data: ten standardised
# measurements (age, sex, body-mass index, blood pressure and six blood serum
# values) for 442 patients, and a measure of disease progression one year later.
# We hold out part of the patients as a test set, and from the rest we set
# aside a share (`VALIDATION_FRACTION`) as a *validation* set: the networks never
# train on it, and it is the only data later used to make a decision (when to
# stop). Targets are standardised with the training split's statistics, so a
# loss of 1 is what always predicting the training mean would score.
#
# We report the test $R^2$: the fraction of the variance of the test targets
# that a model explains. 1 is perfect, 0 is no better than predicting the mean,
# and *below 0 is worse than predicting the mean*. As a yardstick we fit the
# classic linear baseline, ridge regression, with its penalty chosen by
# cross-validation on the same training rows.

# %%
diabetes_runs = configurations.train_configurations(
    SIZES, [diabetes], seeds=[SEED], epochs=DIABETES_EPOCHS, lr=LR, description="diabetes")
diabetes_fits = diabetes_runs.at_seed(SEED)
diabetes_r2 = {name: diabetes_runs.test_scores[name][0] for name in SIZES}
train_r2 = {name: diabetes_runs.train_scores[name][0] for name in SIZES}
ridge_alphas = np.logspace(*RIDGE_LOG10_ALPHAS)
ridge = RidgeCV(alphas=ridge_alphas).fit(diabetes.X_train, diabetes.y_train.ravel())
ridge_r2 = r2_score(diabetes.y_test.ravel(), ridge.predict(diabetes.X_test))
display(Markdown(f"Patients: {diabetes.n_train} for training, {len(diabetes.X_val)} for "
                 f"validation, {diabetes.n_test} for testing."))

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.2))
plotting.plot_size_curves(diabetes_fits, ax=ax,
                          title="Diabetes: train (solid) and validation (dashed) loss")
plotting.save_figure(fig, "00-diabetes-curves")
plt.show()

# %%
rows = [[labels[name], f"{train_r2[name]:.3f}", f"{diabetes_r2[name]:.3f}"] for name in SIZES]
rows.append([f"ridge regression (penalty {ridge.alpha_:.3g})",
             f"{ridge.score(diabetes.X_train, diabetes.y_train.ravel()):.3f}", f"{ridge_r2:.3f}"])
display(Markdown(tables.markdown_table(["model", "train $R^2$", "test $R^2$"], rows,
                                       align=["left", "right", "right"])))

# %%
best_name = max(diabetes_r2, key=diabetes_r2.get)
large_min_epoch = diabetes_fits["large"].best_epoch
display(Markdown(
    f"**Takeaway.** The large network explains {train_r2['large']:.0%} of the training "
    f"variance and has a test $R^2$ of {wording.number(diabetes_r2['large'])}: "
    + ("worse than predicting the mean. " if diabetes_r2["large"] < 0 else
       "barely better than predicting the mean. ")
    + f"Its validation loss is lowest at epoch {large_min_epoch} and climbs for the remaining "
      f"{DIABETES_EPOCHS - large_min_epoch} epochs while its training loss keeps falling. Ridge "
      f"regression, a linear model, reaches {wording.number(ridge_r2)}. On this task the best of our three "
      f"networks is the **{best_name}** one ({wording.number(diabetes_r2[best_name])}): the size that "
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
# (the *patience*, `PATIENCE`), then puts back the weights from the best epoch.
# It uses only the validation rows, never the test set.
#
# We train the large network again, now with early stopping. It starts from the
# same initial weights and sees the same full batches, so until it stops it
# follows exactly the path of the run above.

# %%
early = {"large + early stopping": {"hidden": SIZES["large"], "patience": PATIENCE}}
stopped_runs = configurations.train_configurations(
    early, [diabetes], seeds=[SEED], epochs=DIABETES_EPOCHS, lr=LR, description="early stopping")
stopped = stopped_runs.at_seed(SEED)["large + early stopping"]
stopped_r2 = stopped_runs.test_scores["large + early stopping"][0]

# %%
fig, (ax_l, ax_r) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1.2, 1]})
plotting.plot_early_stopping(diabetes_fits["large"], best_epoch=stopped.best_epoch,
                             stopped_epoch=stopped.stopped_epoch, patience=PATIENCE, ax=ax_l)
bars = {**{f"{name}\n{plotting.widths_label(hidden)}": diabetes_r2[name]
           for name, hidden in SIZES.items()}, "large +\nearly stop": stopped_r2, "ridge": ridge_r2}
bar_colors = [*(plotting.SIZE_COLORS[name] for name in SIZES), plotting.EARLY_STOPPING_COLOR,
              plotting.BASELINE_COLOR]
plotting.plot_score_bars(bars, colors=bar_colors, ax=ax_r)
plotting.save_figure(fig, "00-early-stopping")
plt.show()

# %%
display(Markdown(
    f"**Takeaway.** With early stopping (patience {PATIENCE} epochs) the large network stops at "
    f"epoch {stopped.stopped_epoch} and restores its weights from epoch {stopped.best_epoch}, the "
    f"epoch of lowest validation loss. Its test $R^2$ rises from {wording.number(diabetes_r2['large'])} "
    f"without early stopping to {wording.number(stopped_r2)} with it, against {wording.number(ridge_r2)} for ridge "
    f"regression. It trained for {stopped.stopped_epoch} epochs instead of {DIABETES_EPOCHS}."))

# %% [markdown]
# ## 5 · Is this one lucky split?
#
# A single split of 442 patients is a small sample, so we repeat the whole
# comparison over `N_SEEDS` seeds: each seed draws a new train/test split, a new
# validation set and new initial weights. The first seed is `SEED`, so the first
# row repeats the numbers above.

# %%
seeds = list(range(SEED, SEED + N_SEEDS))
seed_tasks = [data.load_task("diabetes", seed=s, validation_fraction=VALIDATION_FRACTION)
              for s in seeds]
seed_runs = configurations.train_configurations({**SIZES, **early}, seed_tasks, seeds=seeds,
                                                epochs=DIABETES_EPOCHS, lr=LR, description="seeds")
ridges = [RidgeCV(alphas=ridge_alphas).fit(t.X_train, t.y_train.ravel()) for t in seed_tasks]
r2_by_model = {**seed_runs.test_scores, "ridge": np.array(
    [r2_score(t.y_test.ravel(), m.predict(t.X_test)) for t, m in zip(seed_tasks, ridges, strict=True)])}
columns = list(r2_by_model)
rows = [[seed, *(f"{r2_by_model[c][i]:.3f}" for c in columns)] for i, seed in enumerate(seeds)]
rows.append(["**mean**", *(f"**{r2_by_model[c].mean():.3f}**" for c in columns)])
display(Markdown(tables.markdown_table(["seed", *columns], rows,
                                       align=["left", *["right"] * len(columns)])))

# %%
n_negative = int((r2_by_model["large"] < 0).sum())
n_rescued = int((r2_by_model["large + early stopping"] > r2_by_model["large"]).sum())
display(Markdown(
    f"Over {N_SEEDS} seeds the large network's test $R^2$ ranges from "
    f"{wording.number(r2_by_model['large'].min())} to {wording.number(r2_by_model['large'].max())} and is below 0 in "
    f"{n_negative} of {N_SEEDS}; ridge ranges from {wording.number(r2_by_model['ridge'].min())} to "
    f"{wording.number(r2_by_model['ridge'].max())}. Early stopping raises the large network's test $R^2$ "
    f"in {n_rescued} of {N_SEEDS} seeds, to a mean of "
    f"{wording.number(r2_by_model['large + early stopping'].mean())} (ridge: "
    f"{wording.number(r2_by_model['ridge'].mean())})."))

# %% [markdown]
# ## What we measured

# %%
units = {name: plotting.units_label(hidden) for name, hidden in SIZES.items()}
display(Markdown(
    f"* On the noisy parabola, the small network ({units['small']}) underfits (held-out MSE "
    f"{quad_scores['small']['held-out']:.4f}), the medium one ({units['medium']}) fits (held-out "
    f"MSE {quad_scores['medium']['held-out']:.4f}, noise variance {noise_var:.4f}), and the large "
    f"one ({units['large']}) overfits (train MSE {quad_scores['large']['train']:.4f}, held-out "
    f"{quad_scores['large']['held-out']:.4f}).\n"
    f"* On diabetes, the large network's test $R^2$ is {wording.number(diabetes_r2['large'])}, against "
    f"{wording.number(ridge_r2)} for ridge regression; the small and medium networks reach "
    f"{wording.number(diabetes_r2['small'])} and {wording.number(diabetes_r2['medium'])}.\n"
    f"* Early stopping with a patience of {PATIENCE} epochs picks epoch "
    f"{stopped.best_epoch} and lifts the large network to a test $R^2$ of {wording.number(stopped_r2)}; "
    f"over {N_SEEDS} seeds the large network averages {wording.number(r2_by_model['large'].mean())} "
    f"without and {wording.number(r2_by_model['large + early stopping'].mean())} with early stopping."))

# %% [markdown]
# ## Takeaways

# %%
held_out = {name: s["held-out"] for name, s in quad_scores.items()}
best_quad, best_diabetes = min(held_out, key=held_out.get), max(diabetes_r2, key=diabetes_r2.get)
fits_noise, rescued = quad_scores["large"]["train"] < noise_var, stopped_r2 > diabetes_r2["large"]
takeaways = [
    ("**No size is right for every task.**" if best_quad != best_diabetes else
     "**Here the same size wins on both tasks.**")
    + f" The {best_quad} network predicts the parabola best (held-out MSE {held_out[best_quad]:.4f}), "
    f"the {best_diabetes} network the diabetes data (test $R^2$ "
    f"{wording.number(diabetes_r2[best_diabetes])}).",
    f"**A network far too big {'fits the noise' if fits_noise else 'does not fit the noise here'}.** "
    f"The large network's training error on the parabola is {quad_scores['large']['train']:.4f}, the noise "
    f"variance {noise_var:.4f}; on diabetes its test $R^2$ is {wording.number(diabetes_r2['large'])}, "
    f"{'below' if diabetes_r2['large'] < ridge_r2 else 'above'} ridge regression's "
    f"{wording.number(ridge_r2)}.",
]

# %%
takeaways += [
    f"**Early stopping {'rescues' if rescued else 'does not rescue'} it.** Stopped on the validation loss, "
    f"the large network scores a test $R^2$ of {wording.number(stopped_r2)} instead of "
    f"{wording.number(diabetes_r2['large'])}, and "
    f"it does better with early stopping on {n_rescued} of {N_SEEDS} splits.",
    "**Regularization lets us make a network too big on purpose.** The rest of the essay asks *how* "
    "L1, L2 and dropout restrain it, and whether dropout does it by making the function more "
    "linear [@teague2019].",
]
display(Markdown("\n".join(f"- {line}" for line in takeaways)))

# %% [markdown]
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
#   functions whose answer we know, then validated on trained networks, task
#   by task and representation by representation.
# * **05 · The experiment.** The test the paper never ran: at the same fit, is
#   the function dropout learns more linear than the one L2, mixup or early
#   stopping learn? A verdict computed from the numbers, in plain words first.
# * **06 · The mechanism.** Do dropout's sub-networks add up, and is that why
#   $\bar Z$ falls?
# * **07 · Beyond one small network.** The verdict under one change at a time:
#   width, depth, skip connections, a CNN, SGD, data size, a harder task.
# * **08 · Conclusion.** The paper's analogy table filled in with what we
#   measured, the limits of the measurements, and further reading.
# * **A · Appendix.** How the verdict holds up (specification curve,
#   replication, CPU kernel paths) and a statistics primer with a glossary.

# %% [markdown]
# ## Exercises
#
# Each exercise has a level (★ to ★★★) and a kind; its worked solution is folded below it.
# The computational ones reuse what the chapter trained and add only the few networks they
# need.

# %% [markdown] tags=["exercise"]
# **Exercise 1** (★★ · conceptual). The paper claims that dropout is to the *linearity* of
# a network's function what L1 is to the *sparsity* of its weights. Suppose you can measure a
# linearity score $\bar Z$ of any trained network (chapter 04 builds one). Which results would
# count as evidence **against** the claim? Name at least three, and explain why "$\bar Z$
# falls as the drop rate rises" would on its own not be enough evidence **for** it.

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 1.** A claim is only worth testing if some outcome could refute it. Any of these
# would count against it:
#
# * **No trend, or the wrong one.** On a task where the measure is trustworthy, $\bar Z$ does
#   not fall (or rises) as the drop rate $q$ grows, over several seeds.
# * **Nothing special about dropout.** Every regularizer that loosens the fit flattens the
#   function: L2, a smaller network or early stopping can all lower $\bar Z$. The analogy says
#   dropout targets linearity the way L1 targets sparsity (L2 also shrinks weights, but does
#   not set them to zero). So if, *at the same fit* (the same training or test loss), the
#   networks trained with dropout are no more linear than those trained with L2 or stopped
#   early, dropout does nothing distinctive for linearity.
# * **An artefact of scale.** Dropout and L2 both shrink the outputs; a raw, unnormalised
#   defect $\lVert D\rVert$ falls with them even when the *shape* of the function does not
#   change. A fall that disappears in a scale-free measure is no evidence.
# * **A measure that does not measure.** If $\bar Z$ does not respond to known changes of
#   linearity on the same networks (blending them with their affine fit, for instance), its
#   trend says nothing either way.
# * **It does not generalise.** The effect vanishes on other tasks, seeds, widths or depths,
#   which the paper says it covers.
# * **The wrong mechanism.** The paper's reason is that the sub-networks become additive.
#   If dropout lowers $\bar Z$ just as much in a network whose sub-networks are additive by
#   construction, the effect may be real but the explanation is not.
#
# "$\bar Z$ falls with $q$" is therefore *necessary* for the claim but not *sufficient*: it is
# also what any regularizer that makes the fit looser would produce. Chapters 04 to 07 test
# each item of this list.

# %% [markdown] tags=["exercise"]
# **Exercise 2** (★ · pen and paper). The targets of section 2 are
# $y = f(x) + \varepsilon$ with $f(x) = x^2$ and noise $\varepsilon$ of mean 0 and variance
# $\sigma^2$, independent of $x$. Let $g$ be any predictor fixed after training, and $(x, y)$ a
# new point drawn the same way. Show that
# $\mathbb E\big[(y - g(x))^2\big] = \sigma^2 + \mathbb E\big[(f(x) - g(x))^2\big] \ge \sigma^2$.
# Why, then, does a *training* error far below $\sigma^2$ signal overfitting?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 2.** Write $y - g(x) = \varepsilon + (f(x) - g(x))$ and expand the square:
#
# $$\mathbb E\big[(y - g(x))^2\big] = \mathbb E[\varepsilon^2] +
#   2\,\mathbb E\big[\varepsilon\,(f(x) - g(x))\big] + \mathbb E\big[(f(x) - g(x))^2\big].$$
#
# $\mathbb E[\varepsilon^2] = \sigma^2$; the middle term is 0 because the new $\varepsilon$
# is independent of $x$ and of $g$ (fixed before the point was drawn) and has mean 0; the last
# term is $\ge 0$, and 0 only when $g = f$. So no predictor beats $\sigma^2$ on new data.
# On the *training* points the argument fails: $g$ was fitted to their $\varepsilon$, so the
# middle term can be negative, and a training error below $\sigma^2$ means $g$ follows the
# noise. On new points that noise is not there: the part of $g$ that followed it is a
# deviation from $f$ and adds to $\mathbb E[(f - g)^2]$ instead. The cell checks the identity
# on 100,000 fresh points with the medium network as $g$.

# %% tags=["solution"] jupyter={"source_hidden": true}
fresh = data.quadratic_task(n_train=QUAD_N_TRAIN, n_test=100_000, noise=QUAD_NOISE, seed=SEED + 1)
g_fresh = training.predict(quad_fits["medium"].model, fresh.X_test)
held_out_fresh = np.mean((fresh.y_test - g_fresh) ** 2)
decomposed = noise_var + np.mean((fresh.X_test ** 2 - g_fresh) ** 2)  # f(x) = x^2
assert abs(held_out_fresh - decomposed) < 0.05 * noise_var and held_out_fresh > 0.95 * noise_var

# %% [markdown] tags=["exercise"]
# **Exercise 3** (★ · computation). A layer with fan-in $a$ and fan-out $b$ has $(a + 1)\,b$
# parameters ($a\,b$ weights and $b$ biases). Count the parameters of the large network on the
# diabetes task from its widths, and set `answer_3` to the number of parameters per diabetes
# training patient.

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 3.** The widths run from the inputs through the hidden layers to the single
# output; we add $(a + 1)\,b$ over consecutive pairs and divide by the number of training rows.

# %% tags=["solution"] jupyter={"source_hidden": true}
widths = [diabetes.n_features, *SIZES["large"], 1]
n_large = sum((a + 1) * b for a, b in zip(widths[:-1], widths[1:], strict=True))
answer_3 = n_large / diabetes.n_train

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown(f"The large network has {n_large:,} parameters for {diabetes.n_train} training "
                 f"patients: {answer_3:.0f} parameters per patient."))

# %% tags=["solution", "check"] jupyter={"source_hidden": true}
large_net = models.make_mlp(diabetes.n_features, SIZES["large"], 1)
assert np.isclose(answer_3, models.count_parameters(large_net) / diabetes.n_train)

# %% [markdown] tags=["exercise"]
# **Exercise 4** (★★★ · computation). Retrain the large network on diabetes with early
# stopping at patience 5 and at patience 100 (same seed, epochs and learning rate as section
# 4). Set `answer_4` to the dict `{5: (restored epoch, stopped epoch), 100: (...)}`. Then
# explain both pairs from the validation curve of the run *without* early stopping, and say
# what a too-short patience risks.

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 4.** Until it stops, an early-stopped run follows exactly the path of the full
# run (same initial weights, same full batches). It stops at the first epoch $e$ at which the
# validation loss has not improved for $P$ epochs, i.e. $e = e^* + P$ with $e^*$ the best
# epoch so far, and restores $e^*$. So both pairs can be read off the full run's validation
# curve: the restored epoch is the lowest point of the curve *before the stop*, which for a
# short patience can be a shallow early dip rather than the curve's real minimum. A short
# patience stops at the first plateau; a long one costs only training time, since the weights
# of the best epoch are restored anyway.

# %% tags=["solution"] jupyter={"source_hidden": true}
patience_runs = configurations.train_configurations(
    {f"patience {p}": {"hidden": SIZES["large"], "patience": p} for p in (5, 100)},
    [diabetes], seeds=[SEED], epochs=DIABETES_EPOCHS, lr=LR, progress=False).at_seed(SEED)
answer_4 = {p: (patience_runs[f"patience {p}"].best_epoch, patience_runs[f"patience {p}"].stopped_epoch)
            for p in (5, 100)}

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown(
    f"Patience 5 stops at epoch {answer_4[5][1]} and restores epoch {answer_4[5][0]}; patience "
    f"100 stops at epoch {answer_4[100][1]} and restores epoch {answer_4[100][0]}. The full "
    f"run's validation loss is lowest at epoch {large_min_epoch}."))

# %% tags=["solution", "check"] jupyter={"source_hidden": true}
full_val = np.asarray(diabetes_fits["large"].held_out_loss)  # validation loss at epochs 1, 2, ...
step = np.arange(len(full_val))
since_best = step - np.maximum.accumulate(np.where(full_val == np.minimum.accumulate(full_val), step, 0))
stops = {p: int(np.argmax(since_best >= p)) + 1 if np.any(since_best >= p) else DIABETES_EPOCHS
         for p in (5, 100)}
assert set(answer_4) == {5, 100}
assert all(tuple(answer_4[p]) == (1 + int(np.argmin(full_val[:s])), s) for p, s in stops.items())
