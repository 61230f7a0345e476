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
# # 02 · Dropout
#
# **What the paper claims.** Dropout is a regularizer of a different kind from
# L1 and L2: nothing is added to the cost. Instead, a set fraction of the
# network's units, picked at random, is switched off together with its
# connections, and training proceeds on the network that remains. (The paper
# says a new selection is made each epoch; in practice, and in this essay, a
# fresh one is drawn at every training step and for every example.)
# Teague recalls the explanations summarised in the *Deep Learning* book
# (Goodfellow, Bengio and Courville): dropout resembles **bagging**, an ensemble
# of models trained separately and averaged, except that the "members" are
# sub-networks sharing one set of weights, each nudged for a single step rather
# than trained to the end; and because each step sees a different sub-network,
# training cannot lean on any particular feature, which keeps it from fitting
# individual training points.
#
# The original dropout paper (Srivastava, Hinton, Krizhevsky, Sutskever and
# Salakhutdinov, 2014) adds facts we can check:
#
# * averaging the predictions of many sampled sub-networks ("Monte Carlo model
#   averaging") matches the cheap deterministic rule of scaling the weights
#   once about **50** sub-networks are averaged;
# * dropout makes hidden activations smaller and sparser (in their ReLU
#   autoencoder the mean activation fell from about 2.0 to about 0.7 with
#   dropout at keep probability 0.5);
# * for linear regression, dropout on the inputs is *exactly* a ridge (L2)
#   penalty scaled by the data, in expectation.
#
# This chapter shows the mechanism, then measures each of these on the
# oversized network of chapter 01.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown, display

from essay_lib import data
from essay_lib.nets import dropout, ensemble, regularization, training
from essay_lib.report import plotting

SEED = 0
torch.set_num_threads(2)
plotting.set_style()
COLOR = plotting.REGULARIZER_COLORS["dropout"]

# %% [markdown]
# ## 1 · The mechanism
#
# **Two conventions for one number.** The literature uses the letter $p$ for
# opposite things, so this essay never writes a bare $p$:
#
# | name here | meaning | PyTorch | Srivastava et al. |
# |---|---|---|---|
# | `drop_rate` $= q$ | probability that a unit is **dropped** | `nn.Dropout(p=q)` | $1 - p$ |
# | `keep_prob` $= 1 - q$ | probability that a unit is **kept** | $1 - p$ | $p$ ("retain") |
#
# **The mask.** For each unit (and, in a batch, for each example) we draw an
# independent Bernoulli variable $m$ that is 1 with probability $1-q$ and 0 with
# probability $q$, and multiply the unit's output by it.
#
# **Inverted scaling.** A kept unit is also divided by $1-q$, so that
# $\mathbb E[m\,x/(1-q)] = x$: on average each unit sends the next layer what it
# would send with nothing dropped. At test time dropout is simply switched off
# and no rescaling is needed. (Srivastava et al. instead left training unscaled
# and multiplied the weights by the keep probability at test time, the "weight
# scaling" rule; the two are the same network.)

# %%
DROP_RATE = 0.5
generator = torch.Generator().manual_seed(SEED)
mask = dropout.dropout_mask((3, 10), DROP_RATE, generator)
x = torch.arange(1.0, 11.0).expand(3, 10)
print(f"drop_rate q = {DROP_RATE}, keep_prob = {dropout.keep_probability(DROP_RATE)}")
print("x (the same 10 unit outputs for 3 examples):\n", x[0].numpy())
print("keep masks, one row per example:\n", mask.int().numpy())
print("inverted dropout m * x / (1 - q):\n", (mask * x / (1 - DROP_RATE)).numpy())

N_DRAWS = 200_000
ones = torch.ones(N_DRAWS, dtype=torch.float64)
kept_share = float(dropout.dropout_mask((N_DRAWS,), DROP_RATE, generator).mean())
inverted_mean = float(dropout.apply_dropout(ones, DROP_RATE, generator).mean())
bound = 5 * np.sqrt(DROP_RATE / (1 - DROP_RATE) / N_DRAWS)
display(Markdown(
    f"Over {N_DRAWS:,} draws the share of kept units is {kept_share:.4f} (expected "
    f"{1 - DROP_RATE:g}): without scaling, a unit of value 1 would arrive on average as "
    f"{kept_share:.4f}. With inverted scaling its mean is {inverted_mean:.4f}, within "
    f"{abs(inverted_mean - 1):.4f} of 1 (five standard errors would be {bound:.4f})."))

# %% [markdown]
# **Sub-networks.** Drawing a mask for every layer picks one *sub-network* of
# the full network: dropped units vanish together with all their connections.
# A network with $N$ droppable units contains $2^N$ of them, all sharing the
# same weights. Here are three, drawn with drop rate 0.5 on the hidden units and
# 0.2 on the inputs (the output is never dropped).

# %%
WIDTHS = (4, 6, 6, 1)
RATES = (0.2, 0.5, 0.5, 0.0)  # input, hidden, hidden, output
fig, axes = plt.subplots(1, 4, figsize=(13, 3.4))
plotting.plot_subnetwork(WIDTHS, ax=axes[0], color="0.35", title="full network")
for i, ax in enumerate(axes[1:], start=1):
    masks = [dropout.dropout_mask((w,), q, generator) for w, q in zip(WIDTHS, RATES, strict=True)]
    kept = int(sum(m.sum() for m in masks[1:-1]))
    plotting.plot_subnetwork(WIDTHS, masks, ax=ax, color=COLOR,
                            title=f"sample {i}: {kept} of {sum(WIDTHS[1:-1])} hidden kept")
fig.suptitle("Each training step uses one randomly thinned network; all of them share the weights", y=1.04)
plotting.save_figure(fig, "02-subnetworks")
plt.show()

# %% [markdown]
# ## 2 · The ensemble view: weight scaling against Monte Carlo averaging
#
# If dropout trains an ensemble of sub-networks, the ensemble's prediction is
# the average over all of them, which we can only estimate by sampling $k$
# sub-networks and averaging their outputs (Monte Carlo averaging). The
# deterministic network used at test time (all units on, inverted scaling built
# in: the weight-scaling rule) is a one-pass shortcut. For a linear network the
# two agree exactly; with ReLUs between the layers they need not.
#
# We train the oversized network of chapter 01 (two hidden layers of 128 ReLU
# units, Adam, full batch, 300 epochs) on the diabetes task at several drop
# rates, three seeds each. This section uses the networks trained at drop rate
# 0.5; section 3 uses them all.

# %%
task = data.diabetes_task(seed=SEED)
HIDDEN = (128, 128)
EPOCHS = 300
LR = 1e-3
SEEDS = (0, 1, 2)
DROP_RATES = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7)

keys = [(q, s) for q in DROP_RATES for s in SEEDS]
# all networks at once, side by side (each one's result depends on its own seed and drop rate alone)
sweep = ensemble.train_ensemble((task.n_features, *HIDDEN, 1),
                                [ensemble.Member(seed=s, drop_rate=q, lr=LR) for q, s in keys],
                                task.X_train, task.y_train, kind="regression", epochs=EPOCHS,
                                description="drop rates")
nets = {(q, s): sweep.model.member(k, drop_rate=q) for k, (q, s) in enumerate(keys)}  # plain MLPs

# %% [markdown]
# For each of the three networks at drop rate 0.5 we draw 200 sub-networks per
# test example, and repeat this with 10 independent random streams, so that we
# see how much the Monte Carlo curve itself wobbles. All sub-networks are run in
# one batched pass (`dropout.mc_predict`), not 2000 separate calls.
#
# **When do the two "meet"?** Srivastava et al. read it off a plot. We fix two
# definitions before looking (both computed by `dropout.mc_convergence`, on the
# Monte Carlo test error averaged over the streams):
#
# * **within 1%:** $k^*_{1\%}$ is the smallest $k$ from which on (up to 200) the
#   Monte Carlo test error stays within `TOLERANCE` (1%) of the weight-scaling
#   test error, or below it;
# * **within the noise:** $k^*_{\text{noise}}$ is the smallest $k$ from which on
#   the Monte Carlo test error exceeds the weight-scaling error by less than the
#   seed-to-seed noise: the standard deviation of the weight-scaling test error
#   between the networks trained at drop rate 0.5 with different seeds (a rough
#   estimate from three seeds). A difference smaller than that is smaller than
#   what retraining the network changes anyway.
#
# We also report after how many samples the Monte Carlo error settles within
# 1% of its own value at $k = 200$.

# %%
MC_RATE = 0.5
K_MAX = 200
STREAMS = 10
TOLERANCE = 0.01

score = lambda net, X, y: training.score(net, X, y, kind="regression")["loss"]  # noqa: E731
grid = lambda f: np.array([[f(nets[q, s]) for s in SEEDS] for q in DROP_RATES])  # noqa: E731
test_err = grid(lambda n: score(n, task.X_test, task.y_test))   # (drop rate, seed)
SEED_NOISE = float(test_err[DROP_RATES.index(MC_RATE)].std(ddof=1))
mc = {s: dropout.mc_convergence(dropout.mc_predict(nets[MC_RATE, s], task.X_test, K_MAX * STREAMS, seed=s),
                                training.predict(nets[MC_RATE, s], task.X_test), task.y_test,
                                n_streams=STREAMS, tolerance=TOLERANCE, margin=SEED_NOISE)
      for s in SEEDS}
display(Markdown(f"Seed-to-seed noise of the test error at drop rate {MC_RATE:g}: {SEED_NOISE:.4f} "
                 f"(standard deviation over {len(SEEDS)} seeds); 1% of the weight-scaling error is about "
                 f"{TOLERANCE * test_err[DROP_RATES.index(MC_RATE)].mean():.4f}."))

# %%
s0 = SEEDS[0]
r = mc[s0]
k_axis = r["k"]
band = lambda v, ax, label: plotting.plot_mean_interval(  # noqa: E731
    k_axis, v.mean(axis=0), v.min(axis=0), v.max(axis=0), ax=ax, color=COLOR, marker="", label=label)
fig, axes = plt.subplots(1, 2, figsize=(13, 4.4))
band(r["error"], axes[0], f"Monte Carlo average of k sub-networks ({STREAMS} streams)")
axes[0].axhline(r["det_error"], color="black", ls="--", lw=1.3, label="weight scaling (one deterministic pass)")
axes[0].axhspan(r["det_error"], (1 + TOLERANCE) * r["det_error"], color="0.5", alpha=0.35,
                label=f"within {TOLERANCE:.0%} (seed-to-seed noise: {SEED_NOISE:.4f})")
for key, ls in (("k_meet_margin", ":"), ("k_meet_relative", "-")):
    if r[key] is not None:
        axes[0].axvline(r[key], color="black", ls=ls, lw=1.1,
                        label=f"$k^*_{{{'noise' if key == 'k_meet_margin' else '1%'}}}$ = {r[key]}")
axes[0].set_ylabel("test mean squared error")
axes[0].set_title("test error")
band(r["gap"], axes[1], "RMS gap, MC average vs weight scaling")
axes[1].plot(k_axis, r["gap"].mean(axis=0)[0] / np.sqrt(k_axis), color="0.5", ls="--", lw=1,
             label="$\\propto 1/\\sqrt{k}$ (pure sampling noise)")
axes[1].axhline(r["floor"], color="black", ls=":", lw=1.2, label=f"gap of the {K_MAX * STREAMS}-sample average")
axes[1].set_yscale("log")
axes[1].set_ylabel("RMS difference of predictions")
axes[1].set_title("predictions")
for ax in axes:
    ax.axvline(50, color="0.5", ls="-.", lw=1, label="Srivastava et al.: about 50")
    ax.set_xscale("log")
    ax.set_xlabel("number of sampled sub-networks $k$")
    ax.legend(fontsize=8)
fig.suptitle(f"Drop rate {MC_RATE}, network seed {s0}: the Monte Carlo average approaches, but does not become, the weight-scaled network")
plotting.save_figure(fig, "02-mc-vs-weight-scaling")
plt.show()

fmt_k = lambda k: f"not within {K_MAX}" if k is None else str(k)  # noqa: E731
display(Markdown("\n".join(
    ["| network seed | weight-scaling test error | MC error, k = 1 | MC error, k = 200 | $k^*_{1\\%}$ | $k^*_{\\text{noise}}$ | k to settle (1%) | remaining RMS gap |",
     "|---|---|---|---|---|---|---|---|"]
    + [f"| {s} | {mc[s]['det_error']:.4f} | {mc[s]['error'][:, 0].mean():.4f} | {mc[s]['error'][:, -1].mean():.4f} | "
       f"{fmt_k(mc[s]['k_meet_relative'])} | {fmt_k(mc[s]['k_meet_margin'])} | {fmt_k(mc[s]['k_settle'])} | {mc[s]['floor']:.3f} |"
       for s in SEEDS])))

# %% [markdown]
# The left panel is our version of Srivastava et al.'s Figure 11: one
# sub-network alone is worse than the deterministic network, and averaging
# more of them closes most of the gap (the table above says how fast). The
# right panel shows why the curves need not meet exactly: the
# distance between the two predictors first falls like pure sampling noise,
# $1/\sqrt{k}$, and then levels off at a floor, the real difference between the
# ensemble average and the weight-scaled network of a non-linear model. That
# floor can leave the Monte Carlo average slightly worse or slightly better
# than weight scaling, so we repeat the measurement (with 4 streams) at every
# drop rate of the sweep.

# %%
SWEEP_STREAMS = 4
mc_all = {(q, s): mc[s] if q == MC_RATE else dropout.mc_convergence(
              dropout.mc_predict(nets[q, s], task.X_test, K_MAX * SWEEP_STREAMS, seed=s),
              training.predict(nets[q, s], task.X_test), task.y_test,
              n_streams=SWEEP_STREAMS, tolerance=TOLERANCE)
          for q in DROP_RATES if q > 0 for s in SEEDS}
mc_rates = [q for q in DROP_RATES if q > 0]
display(Markdown("\n".join(
    ["| drop rate | weight-scaling test error | MC error, k = 200 | MC minus weight scaling | $k^*_{1\\%}$, per seed | k to settle, per seed |",
     "|---|---|---|---|---|---|"]
    + [f"| {q:g} | {np.mean([mc_all[q, s]['det_error'] for s in SEEDS]):.4f} | "
       f"{np.mean([mc_all[q, s]['error'][:, -1].mean() for s in SEEDS]):.4f} | "
       f"{np.mean([mc_all[q, s]['error'][:, -1].mean() / mc_all[q, s]['det_error'] - 1 for s in SEEDS]):+.2%} | "
       + ", ".join(fmt_k(mc_all[q, s]["k_meet_relative"]) for s in SEEDS) + " | "
       + ", ".join(fmt_k(mc_all[q, s]["k_settle"]) for s in SEEDS) + " |"
       for q in mc_rates])))
k_found = [mc_all[key]["k_meet_relative"] for key in mc_all if mc_all[key]["k_meet_relative"] is not None]
never = sorted({q for (q, s), v in mc_all.items() if v["k_meet_relative"] is None})

# %% [markdown]
# ## 3 · Dropout on an oversized network: test error and activations
#
# Without dropout this network overfits the 309 training patients. The
# regularizer's job is to close the gap between training and test error.
# Srivastava et al. also observed that dropout makes hidden units less active;
# we measure the mean hidden activation (in evaluation mode, over the training
# inputs, after the ReLU) and the share of active units for every network.

# %%
train_err = grid(lambda n: score(n, task.X_train, task.y_train))
stats = {key: grid(lambda n, key=key: dropout.hidden_activation_stats(n, task.X_train)[key])
         for key in ("mean", "active_fraction")}   # (rate, seed, layer)
rates = np.array(DROP_RATES)

fig, axes = plt.subplots(1, 3, figsize=(14, 3.9))
for values, label, style in ((train_err, "train", "--"), (test_err, "test", "-")):
    axes[0].plot(rates, values.mean(axis=1), style, marker="o", markersize=4, color=COLOR, label=label)
    axes[0].fill_between(rates, values.min(axis=1), values.max(axis=1), color=COLOR, alpha=0.2, lw=0)
axes[0].set_xlabel("drop rate $q$ (hidden layers)")
axes[0].set_ylabel("mean squared error")
axes[0].set_title("error: the overfit closes as $q$ grows")
axes[0].legend()
for layer, ls in zip(range(len(HIDDEN)), ("-", "--"), strict=True):
    for ax, key in ((axes[1], "mean"), (axes[2], "active_fraction")):
        v = stats[key][:, :, layer]
        ax.plot(rates, v.mean(axis=1), ls, marker="o", markersize=4, color=COLOR, label=f"hidden layer {layer + 1}")
        ax.fill_between(rates, v.min(axis=1), v.max(axis=1), color=COLOR, alpha=0.2, lw=0)
axes[1].set_ylabel("mean activation")
axes[1].set_title("mean hidden activation")
axes[2].set_ylabel("share of (example, unit) pairs > 0")
axes[2].set_title("share of active units")
for ax in axes[1:]:
    ax.set_xlabel("drop rate $q$ (hidden layers)")
    ax.set_ylim(bottom=0)
    ax.legend()
fig.suptitle(f"Oversized MLP {HIDDEN} on diabetes, {len(SEEDS)} seeds per drop rate (band: lowest to highest seed)")
plotting.save_figure(fig, "02-drop-rate-effects")
plt.show()

i_half = DROP_RATES.index(0.5)
best = int(np.argmin(test_err.mean(axis=1)))
ratio = stats["mean"][i_half].mean(axis=0) / stats["mean"][0].mean(axis=0)
direction = lambda r: "falls" if r < 1 else "rises"  # noqa: E731
display(Markdown(
    f"Without dropout: training error {train_err[0].mean():.3f}, test error {test_err[0].mean():.3f}. "
    f"The lowest mean test error, {test_err[best].mean():.3f}, comes at drop rate {DROP_RATES[best]:g}; "
    f"at 0.5 it is {test_err[i_half].mean():.3f}. "
    f"From drop rate 0 to 0.5 (keep probability 0.5) the mean activation "
    + " and ".join(f"{direction(r)} in hidden layer {i + 1} from {stats['mean'][0, :, i].mean():.3f} "
                   f"to {stats['mean'][i_half, :, i].mean():.3f} (ratio {r:.2f})" for i, r in enumerate(ratio))
    + f"; Srivastava et al.'s autoencoder went from about 2.0 to about 0.7, a ratio of {0.7 / 2.0:.2f}."))

# %% [markdown]
# ## 4 · An exact result: input dropout on linear regression is a ridge penalty
#
# Take linear regression $\hat y = Xw$ ($X$ is $n \times d$) and apply inverted
# dropout to the *inputs*: each entry $X_{ij}$ is replaced by
# $m_{ij}X_{ij}/(1-q)$ with independent keep masks $m_{ij}$. Averaged over the
# masks, the squared error is
#
# $$\mathbb E_m \big\|y - \tilde X w\big\|^2 = \|y - Xw\|^2 + \frac{q}{1-q}\sum_j (X^\top X)_{jj}\, w_j^2 ,$$
#
# because each dropped-and-rescaled entry has mean $X_{ij}$ and variance
# $X_{ij}^2\, q/(1-q)$, and the variances of independent terms add up. The first
# term is ordinary least squares; the second is an L2 penalty in which each
# weight is charged in proportion to how much signal its feature carries. The
# minimiser is
#
# $$w_q = \Big(X^\top X + \tfrac{q}{1-q}\,\mathrm{diag}(X^\top X)\Big)^{-1} X^\top y .$$
#
# We check three things on the diabetes training data (standardised, so no
# intercept is needed): the closed-form expected loss against a Monte Carlo
# average over random masks, and the closed-form weights against weights
# *trained* with dropout (full-batch gradient descent with a fresh mask every
# step, averaging the iterates of the second half of training to remove the
# mask noise). The tolerances are stated before we look: the Monte Carlo loss
# must lie within 4 of its standard errors of the formula, and the trained
# weights within 2% (relative L2 distance) of the closed form.

# %%
X = task.X_train.astype(np.float64)
y = task.y_train[:, 0].astype(np.float64)
Q_GRID = (0.1, 0.3, 0.5, 0.7)
MC_MASKS = 5000
STEPS = 5000
MC_SIGMAS, WEIGHT_TOL = 4.0, 0.02

w_ols = dropout.ridge_equivalent_weights(X, y, 0.0)
rows = []
for q in Q_GRID:
    w_q = dropout.ridge_equivalent_weights(X, y, q)
    exact = dropout.expected_dropout_loss(X, y, w_q, q)
    mc_mean, mc_se = dropout.mc_dropout_loss(X, y, w_q, q, MC_MASKS, seed=SEED)
    w_trained = dropout.fit_input_dropout_regression(X, y, q, steps=STEPS, seed=SEED)
    rows.append({"q": q, "w": w_q, "trained": w_trained, "exact": exact, "mc": mc_mean, "se": mc_se,
                 "z": (mc_mean - exact) / mc_se,
                 "w_err": np.linalg.norm(w_trained - w_q) / np.linalg.norm(w_q),
                 "ols_dist": np.linalg.norm(w_ols - w_q) / np.linalg.norm(w_q)})
all_pass = all(abs(r["z"]) <= MC_SIGMAS and r["w_err"] <= WEIGHT_TOL for r in rows)
display(Markdown("\n".join(
    ["| drop rate $q$ | expected loss (formula) | Monte Carlo ± s.e. | difference in s.e. | trained vs closed form (rel.) | OLS vs closed form (rel.) |",
     "|---|---|---|---|---|---|"]
    + [f"| {r['q']:g} | {r['exact']:.3f} | {r['mc']:.3f} ± {r['se']:.3f} | {r['z']:+.2f} | {r['w_err']:.2%} | {r['ols_dist']:.1%} |"
       for r in rows]
    + ["", f"All checks within tolerance ({MC_SIGMAS:g} standard errors; {WEIGHT_TOL:.0%} of the weights): "
       f"**{'yes' if all_pass else 'no'}**. The last column shows that the effect is not small: the "
       "dropout solution is far from ordinary least squares."])))

# %%
i_mid = Q_GRID.index(0.5)
w_mid = rows[i_mid]["w"]
T = np.linspace(-0.5, 1.5, 9)
line = [w_ols + t * (w_mid - w_ols) for t in T]
fine = np.linspace(-0.5, 1.5, 200)
curve = [dropout.expected_dropout_loss(X, y, w_ols + t * (w_mid - w_ols), 0.5) for t in fine]
mc_line = np.array([dropout.mc_dropout_loss(X, y, w, 0.5, 1000, seed=SEED + j) for j, w in enumerate(line)])

q_fine = np.linspace(0.0, 0.8, 81)
paths = np.array([dropout.ridge_equivalent_weights(X, y, q) for q in q_fine])
fig, axes = plt.subplots(1, 3, figsize=(16, 4.2), gridspec_kw={"width_ratios": [1.2, 0.8, 1.2]})
axes[0].plot(fine, curve, color="black", lw=1.5, label="formula: $\\|y - Xw\\|^2 + \\frac{q}{1-q}\\sum_j (X^TX)_{jj} w_j^2$")
axes[0].errorbar(T, mc_line[:, 0], yerr=2 * mc_line[:, 1], fmt="o", color=COLOR, capsize=3,
                 label="Monte Carlo over 1000 masks (± 2 s.e.)")
axes[0].axvline(1.0, color="0.5", ls=":", lw=1)
axes[0].set_xticks([0, 1], ["OLS\n$w_0$", "closed form\n$w_{0.5}$"])
axes[0].set_xlabel("position on the line $w_0 + t\\,(w_{0.5} - w_0)$")
axes[0].set_ylabel("expected squared error under dropout")
axes[0].set_title("drop rate 0.5: the formula is exact, its minimum is $w_{0.5}$")
axes[0].legend(fontsize=8)
exact_line = np.array([dropout.expected_dropout_loss(X, y, w, 0.5) for w in line])
axes[1].errorbar(T, mc_line[:, 0] - exact_line, yerr=2 * mc_line[:, 1], fmt="o", color=COLOR, capsize=3,
                 label="Monte Carlo minus formula (± 2 s.e.)")
axes[1].axhline(0, color="black", lw=1)
axes[1].set_xticks([0, 1], ["$w_0$", "$w_{0.5}$"])
axes[1].set_xlabel("position on the same line")
axes[1].set_ylabel("difference in expected squared error")
axes[1].set_title("zoomed in: the differences are noise")
axes[1].legend(fontsize=8)
axes[2].plot(q_fine, paths, color="0.55", lw=1)
trained = np.array([r["trained"] for r in rows])
axes[2].plot(np.repeat(Q_GRID, X.shape[1]), trained.ravel(), "o", color=COLOR, markersize=5,
             label="trained with dropout (one dot per weight)")
axes[2].plot([], [], color="0.55", label="closed form $w_q$, one line per weight")
axes[2].set_xlabel("input drop rate $q$")
axes[2].set_ylabel("weight")
axes[2].set_title("weights: closed form vs trained with input dropout")
axes[2].legend(fontsize=8)
fig.suptitle("Input dropout on linear regression is, in expectation, a data-scaled ridge penalty")
plotting.save_figure(fig, "02-ridge-equivalence")
plt.show()

# %% [markdown]
# **The bridge to chapter 01.** Our inputs are standardised, so every column
# has $(X^\top X)_{jj} = n$ and the data-scaled penalty becomes a plain one:
# dividing the expected loss by $n$ gives the mean squared error plus
# $\lambda \sum_j w_j^2$ with $\lambda = q/(1-q)$, chapter 01's L2 penalty. Drop
# rate 0.5 is L2 with $\lambda = 1$ here.

# %%
column_energy = (X ** 2).sum(axis=0) / len(X)
ridge = regularization.linear_penalty_path(X, y, [0.5 / (1 - 0.5)], "l2")[0]
display(Markdown(
    f"$(X^\\top X)_{{jj}}/n$ ranges from {column_energy.min():.6f} to {column_energy.max():.6f}; "
    f"the largest difference between the dropout solution at $q$ = 0.5 and chapter 01's ridge "
    f"solution with $\\lambda$ = 1 is {np.abs(ridge - w_mid).max():.2e}."))

# %% [markdown]
# ## What we measured

# %%
display(Markdown(
    f"* **Mechanism.** A keep mask at drop rate {DROP_RATE:g} kept {kept_share:.2%} of {N_DRAWS:,} "
    f"units; inverted scaling brings the mean back to {inverted_mean:.4f}.\n"
    f"* **Monte Carlo vs weight scaling** (drop rate {MC_RATE:g}, {len(SEEDS)} trained networks, "
    f"{STREAMS} streams of {K_MAX} samples): one sub-network scores test error "
    f"{np.mean([mc[s]['error'][:, 0].mean() for s in SEEDS]):.3f} on average, the weight-scaled network "
    f"{np.mean([mc[s]['det_error'] for s in SEEDS]):.3f}, and the {K_MAX}-sample average "
    f"{np.mean([mc[s]['error'][:, -1].mean() for s in SEEDS]):.3f}: at this drop rate the two meet within "
    f"{TOLERANCE:.0%} for {sum(mc[s]['k_meet_relative'] is not None for s in SEEDS)} of the {len(SEEDS)} "
    "networks ($k^*_{1\\%}$: " + ", ".join(fmt_k(mc[s]["k_meet_relative"]) for s in SEEDS)
    + f") and within the seed-to-seed noise for {sum(mc[s]['k_meet_margin'] is not None for s in SEEDS)} "
    "($k^*_{\\text{noise}}$: "
    + ", ".join(fmt_k(mc[s]["k_meet_margin"]) for s in SEEDS) + "), while the Monte Carlo error "
    f"settles within {TOLERANCE:.0%} of its final value after " + ", ".join(fmt_k(mc[s]["k_settle"]) for s in SEEDS)
    + " samples. Over all drop rates and seeds, the two met within "
    f"{TOLERANCE:.0%} in {len(k_found)} of {len(mc_all)} networks, at $k^*$ between "
    + (f"{min(k_found)} and {max(k_found)} (median {np.median(k_found):g})" if k_found else "(none)")
    + (f"; the {len(mc_all) - len(k_found)} that did not meet within {K_MAX} samples were trained at drop rate "
       + ", ".join(f"{q:g}" for q in never) if never else f"; all met within {K_MAX} samples")
    + ". Srivastava et al. found about 50, on MNIST classification.\n"
    f"* **Oversized network.** Test error falls from {test_err[0].mean():.3f} without dropout to "
    f"{test_err[best].mean():.3f} at drop rate {DROP_RATES[best]:g}; the train-test gap shrinks from "
    f"{(test_err[0] - train_err[0]).mean():.3f} to {(test_err[best] - train_err[best]).mean():.3f}.\n"
    f"* **Activations.** At keep probability 0.5 the mean hidden activation is {ratio[0]:.2f} (layer 1) "
    f"and {ratio[1]:.2f} (layer 2) times its value without dropout: it "
    f"{direction(ratio[0])} in layer 1 and {direction(ratio[1])} in layer 2, against a ratio of about "
    f"{0.7 / 2.0:.2f} in Srivastava et al.'s autoencoder.\n"
    f"* **Exact result.** The Monte Carlo expected loss matched the formula within "
    f"{max(abs(r['z']) for r in rows):.2f} standard errors at every drop rate, and weights trained with "
    f"input dropout matched the closed form within {max(r['w_err'] for r in rows):.2%} "
    f"(tolerances {MC_SIGMAS:g} s.e. and {WEIGHT_TOL:.0%})."))

# %% [markdown]
# ## Summary
#
# * Dropout multiplies units by random keep masks (drop rate $q$ = PyTorch's `p`;
#   keep probability $1-q$ = Srivastava's $p$) and, in its inverted form, divides
#   the kept ones by $1-q$ so that nothing changes on average.
# * Each step trains one of exponentially many weight-sharing sub-networks; the
#   deterministic network at test time is a one-pass stand-in for their average.
#   The Monte Carlo average of sampled sub-networks converges to a nearby but
#   different predictor: how many samples it takes to match weight scaling,
#   and whether it ever does, depends on the network (measured above).
# * On an oversized network dropout narrows the gap between training and test
#   error, and it changes how active the hidden units are.
# * For linear regression, input dropout *is* an L2 penalty in expectation,
#   weighted by each feature's energy $(X^\top X)_{jj}$: the first firm link in the
#   paper's analogy between dropout and the weight penalties of chapter 01.
#
# ## Exercises
#
# 1. Set `MC_RATE = 0.2` (and keep it in `DROP_RATES`). Does Monte Carlo
#    averaging meet weight scaling sooner or later? Why might a smaller drop
#    rate shrink the floor in the right-hand panel?
# 2. Change `TOLERANCE` to 0.5% and 5%. How much does $k^*$ depend on the
#    definition of "meet"?
# 3. Add `0.9` to `DROP_RATES`. Where does dropout start to underfit?
# 4. In section 4, replace the standardised `X` by `X * [1, 2, ..., 10]` (scale
#    the columns differently). The closed form and the trained weights should
#    still agree, but the penalty is no longer an ordinary ridge: which weights
#    does dropout now shrink the most?
