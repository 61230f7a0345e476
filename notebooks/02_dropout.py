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

# %% [markdown]
# **You will learn**
#
# * how dropout works: random keep masks, inverted scaling, and the two opposite conventions
#   for the letter $p$ [@hinton2012; @srivastava2014];
# * dropout as an ensemble of sub-networks that share one set of weights, and how many of
#   them Monte Carlo averaging needs to match the weight-scaled network;
# * what dropout does to an oversized network's test error and to its hidden activations;
# * an exact result: on linear regression, dropout on the inputs is a ridge penalty scaled
#   by the data.
#
# **You need**
#
# * chapter 01: the L2 penalty, ridge regression and the oversized network on the diabetes
#   data;
# * maths: the expectation and variance of a random variable (a biased coin in particular),
#   and matrix notation such as $X^\top X$.

# %% [markdown]
# **What the paper claims.** Dropout is a regularizer of a different kind from
# L1 and L2: nothing is added to the cost. Instead, a set fraction of the
# network's units, picked at random, is switched off together with its
# connections, and training proceeds on the network that remains. (The paper
# says a new selection is made each epoch; in practice, and in this essay, a
# fresh one is drawn at every training step and for every example.)
# Teague [@teague2019] recalls the explanations summarised in the *Deep Learning*
# book [@goodfellow2016]: dropout resembles **bagging**, an ensemble
# of models trained separately and averaged, except that the "members" are
# sub-networks sharing one set of weights, each nudged for a single step rather
# than trained to the end; and because each step sees a different sub-network,
# training cannot lean on any particular feature, which keeps it from fitting
# individual training points.
#
# The dropout papers of Hinton, Srivastava and colleagues [@hinton2012; @srivastava2014]
# add facts we can check:
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

# %% tags=["parameters"]
SEED = 0
# section 1: one mask at DROP_RATE; sub-networks of a small network (drop rates: inputs, hidden, hidden, outputs)
DROP_RATE, N_DRAWS = 0.5, 200_000
WIDTHS, RATES, N_SUBNETWORKS = (4, 6, 6, 1), (0.2, 0.5, 0.5, 0.0), 3
# sections 2-3: chapter 01's oversized network on diabetes (full-batch Adam), N_SEEDS networks per drop rate
HIDDEN, EPOCHS, LR, N_SEEDS = (128, 128), 300, 1e-3, 3
DROP_RATES = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7)
# Monte Carlo averaging: up to K_MAX sub-networks; STREAMS repeats at MC_RATE, SWEEP_STREAMS at the others
MC_RATE, K_MAX, STREAMS, SWEEP_STREAMS, TOLERANCE = 0.5, 200, 10, 4, 0.01
# section 4: input dropout on linear regression; LINE_RATE (one of Q_GRID) is drawn in detail
Q_GRID, LINE_RATE, MC_MASKS, LINE_MASKS, STEPS = (0.1, 0.3, 0.5, 0.7), 0.5, 5000, 1000, 5000
MC_SIGMAS, WEIGHT_TOL = 4.0, 0.02

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown, display

from essay_lib import data, experiment
from essay_lib.measures import dropout_checks, penalty_geometry
from essay_lib.nets import dropout
from essay_lib.report import plotting, session, tables, vocabulary, wording

rng = session.setup(seed=SEED)
COLOR = vocabulary.REGULARIZER_COLORS["dropout"]

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
generator = torch.Generator().manual_seed(SEED)
mask = dropout.dropout_mask((3, 10), DROP_RATE, generator)
x = torch.arange(1.0, 11.0).expand(3, 10)
print(f"drop_rate q = {DROP_RATE}, keep_prob = {dropout.keep_probability(DROP_RATE)}")
print("x (the same 10 unit outputs for 3 examples):\n", x[0].numpy())
print("keep masks, one row per example:\n", mask.int().numpy())
print("inverted dropout m * x / (1 - q):\n", (mask * x / (1 - DROP_RATE)).numpy())

# %%
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
# same weights. Here are a few (the output is never dropped):

# %%
display(Markdown(
    f"{N_SUBNETWORKS} sub-networks of a network with layers {WIDTHS}, drawn with drop rates "
    + ", ".join(f"{q:g}" for q in RATES[1:-1]) + f" on the hidden layers and {RATES[0]:g} on the inputs."))
samples = dropout_checks.sample_subnetwork_masks(WIDTHS, RATES, N_SUBNETWORKS, generator)
axes = plotting.plot_subnetwork_samples(WIDTHS, samples, color=COLOR)
axes[0].figure.suptitle("Each step trains one thinned network; all share the weights", y=1.03)
plotting.save_figure(axes[0].figure, "02-subnetworks")
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
# We train the oversized network of chapter 01 on the diabetes task at several
# drop rates, a few seeds each, through the experiment's cached sweep (the
# settings are printed below). This section uses the networks trained at one drop
# rate (`MC_RATE`); section 3 uses them all.

# %%
SEEDS = tuple(range(SEED, SEED + N_SEEDS))
spec = experiment.SweepSpec(task="diabetes", task_args={"seed": SEED}, hidden=HIDDEN, epochs=EPOCHS, lr=LR,
                            grid={"none": [0.0], "dropout": [q for q in DROP_RATES if q > 0]}, seeds=SEEDS)
task = data.load_task(spec.task, **spec.task_kwargs)
records = experiment.run_sweep(spec)          # one record per network (cached)
models = experiment.sweep_models(spec)        # the trained MLPs, keyed (regularizer, strength, seed)
nets = {(q, s): models["dropout" if q > 0 else "none", q, s] for q in DROP_RATES for s in SEEDS}
by_net = {(r["strength"], r["seed"]): r for r in records}
train_err, test_err = (np.array([[by_net[q, s][name] for s in SEEDS] for q in DROP_RATES])
                       for name in ("train_loss", "test_loss"))   # (drop rate, seed)
display(Markdown(
    f"{spec.n_members} networks: drop rates {', '.join(f'{q:g}' for q in DROP_RATES)} on both hidden layers, "
    f"seeds {', '.join(map(str, SEEDS))}; a ReLU MLP with hidden layers {HIDDEN}, Adam with learning "
    f"rate {LR:g}, full batch, {EPOCHS} epochs, {len(task.X_train)} training and {len(task.X_test)} test patients."))

# %% [markdown]
# For each network at `MC_RATE` we draw `K_MAX` sub-networks per test example,
# and repeat this with `STREAMS` independent random streams, so that we see how
# much the Monte Carlo curve itself wobbles. All sub-networks are run in one
# batched pass (`dropout.mc_predict`), not thousands of separate calls.
#
# **When do the two "meet"?** Srivastava et al. read it off a plot. We fix two
# definitions before looking (both computed by `dropout.mc_convergence`, on the
# Monte Carlo test error averaged over the streams):
#
# * **within the tolerance:** $k^*_{1\%}$ is the smallest $k$ from which on (up
#   to `K_MAX`) the Monte Carlo test error stays within `TOLERANCE` (1% by
#   default) of the weight-scaling test error, or below it;
# * **within the noise:** $k^*_{\text{noise}}$ is the smallest $k$ from which on
#   the Monte Carlo test error exceeds the weight-scaling error by less than the
#   seed-to-seed noise: the standard deviation of the weight-scaling test error
#   between the networks trained at `MC_RATE` with different seeds (a rough
#   estimate from a few seeds). A difference smaller than that is smaller than
#   what retraining the network changes anyway.
#
# We also report after how many samples the Monte Carlo error settles within
# the tolerance of its own value at $k$ = `K_MAX`.

# %%
i_mc = DROP_RATES.index(MC_RATE)
SEED_NOISE = float(test_err[i_mc].std(ddof=1))
mc = dropout_checks.mc_convergence_many(
    {(MC_RATE, s): nets[MC_RATE, s] for s in SEEDS}, task.X_test, task.y_test, k_max=K_MAX,
    n_streams=STREAMS, tolerance=TOLERANCE, margin=SEED_NOISE, seeds={(MC_RATE, s): s for s in SEEDS})
display(Markdown(f"Seed-to-seed noise of the test error at drop rate {MC_RATE:g}: {SEED_NOISE:.4f} "
                 f"(standard deviation over {len(SEEDS)} seeds); {TOLERANCE:.0%} of the weight-scaling error is about "
                 f"{TOLERANCE * test_err[i_mc].mean():.4f}."))

# %%
PAPER_K = 50   # Srivastava et al.: Monte Carlo averaging matches weight scaling at about 50 samples
s0 = SEEDS[0]
r0 = mc[MC_RATE, s0]
axes = plotting.plot_mc_convergence(r0, tolerance=TOLERANCE, margin=SEED_NOISE, reference_k=PAPER_K, color=COLOR)
axes[0].figure.suptitle(f"Drop rate {MC_RATE:g}, network seed {s0}", y=1.02)
plotting.save_figure(axes[0].figure, "02-mc-vs-weight-scaling")
plt.show()
display(Markdown(
    f"At k = {K_MAX} the Monte Carlo test error differs from weight scaling by "
    f"{r0['error'][:, -1].mean() / r0['det_error'] - 1:+.1%}; the gap of the predictions levels off "
    f"at {r0['floor']:.3f}."))

# %%
MISSING = f"not within {K_MAX}"
conv = dropout_checks.tabulate_convergence(mc, [MC_RATE], SEEDS, missing=MISSING)
display(Markdown(tables.markdown_table(
    ["network seed", "weight-scaling test error", "MC error, k = 1", f"MC error, k = {K_MAX}",
     "$k^*_{1\\%}$", "$k^*_{\\text{noise}}$", f"k to settle ({TOLERANCE:.0%})", "remaining RMS gap"],
    [[s, f"{conv['det_error'][0, j]:.4f}", f"{conv['error_first'][0, j]:.4f}", f"{conv['error_last'][0, j]:.4f}",
      conv["k_meet_relative"][0, j], conv["k_meet_margin"][0, j], conv["k_settle"][0, j],
      f"{conv['floor'][0, j]:.3f}"] for j, s in enumerate(SEEDS)])))

# %% [markdown]
# The left panel is our version of Srivastava et al.'s Figure 11: one
# sub-network alone is worse than the deterministic network, and averaging
# more of them closes most of the gap (the table above says how fast). The
# right panel shows why the curves need not meet exactly: the
# distance between the two predictors first falls like pure sampling noise,
# $1/\sqrt{k}$, and then levels off at a floor, the real difference between the
# ensemble average and the weight-scaled network of a non-linear model. That
# floor can leave the Monte Carlo average slightly worse or slightly better
# than weight scaling, so we repeat the measurement (with `SWEEP_STREAMS`
# streams) at every drop rate of the sweep.

# %%
mc_rates = [q for q in DROP_RATES if q > 0]
others = dropout_checks.mc_convergence_many(
    {(q, s): nets[q, s] for q in mc_rates if q != MC_RATE for s in SEEDS}, task.X_test, task.y_test,
    k_max=K_MAX, n_streams=SWEEP_STREAMS, tolerance=TOLERANCE, seeds={(q, s): s for q in mc_rates for s in SEEDS})
mc_all = {(q, s): mc[q, s] if q == MC_RATE else others[q, s] for q in mc_rates for s in SEEDS}
conv_all = dropout_checks.tabulate_convergence(mc_all, mc_rates, SEEDS, missing=MISSING)
display(Markdown(tables.markdown_table(
    ["drop rate", "weight-scaling test error", f"MC error, k = {K_MAX}", "MC minus weight scaling",
     "$k^*_{1\\%}$, per seed", "k to settle, per seed"],
    [[f"{q:g}", f"{conv_all['det_error'][i].mean():.4f}", f"{conv_all['error_last'][i].mean():.4f}",
      f"{conv_all['excess'][i].mean():+.2%}", ", ".join(map(str, conv_all["k_meet_relative"][i])),
      ", ".join(map(str, conv_all["k_settle"][i]))] for i, q in enumerate(mc_rates)])))
k_found = [v["k_meet_relative"] for v in mc_all.values() if v["k_meet_relative"] is not None]
never = sorted({q for (q, s), v in mc_all.items() if v["k_meet_relative"] is None})

# %% [markdown]
# ## 3 · Dropout on an oversized network: test error and activations
#
# Without dropout this network overfits its few hundred training patients. The
# regularizer's job is to close the gap between training and test error.
# Srivastava et al. also observed that dropout makes hidden units less active;
# we measure the mean hidden activation (in evaluation mode, over the training
# inputs, after the ReLU) and the share of active units for every network.

# %%
acts = {key: dropout.hidden_activation_stats(net, task.X_train) for key, net in nets.items()}
act_mean, act_share = (np.array([[acts[q, s][name] for s in SEEDS] for q in DROP_RATES])
                       for name in ("mean", "active_fraction"))   # (drop rate, seed, layer)
axes = plotting.plot_drop_rate_effects(DROP_RATES, train_err, test_err, act_mean, act_share, color=COLOR)
axes[0].figure.suptitle(f"Oversized MLP {HIDDEN} on diabetes, {len(SEEDS)} seeds per drop rate\n"
                        "(bands: lowest to highest seed)", y=1.04)
plotting.save_figure(axes[0].figure, "02-drop-rate-effects")
plt.show()

# %%
PAPER_RATE, PAPER_ACTIVATION = 0.5, (2.0, 0.7)   # Srivastava et al.'s autoencoder: activation without / with dropout
i_half = int(np.argmin(np.abs(np.array(DROP_RATES) - PAPER_RATE)))   # the drop rate nearest to theirs
q_half = DROP_RATES[i_half]
best = int(np.argmin(test_err.mean(axis=1)))
ratio = act_mean[i_half].mean(axis=0) / act_mean[0].mean(axis=0)
direction = ["falls" if r < 1 else "rises" for r in ratio]
display(Markdown(
    f"Without dropout: training error {train_err[0].mean():.3f}, test error {test_err[0].mean():.3f}. "
    f"The lowest mean test error, {test_err[best].mean():.3f}, comes at drop rate {DROP_RATES[best]:g}; "
    f"at {q_half:g} it is {test_err[i_half].mean():.3f}. "
    f"From drop rate 0 to {q_half:g} (keep probability {1 - q_half:g}) the mean activation "
    + " and ".join(f"{direction[i]} in hidden layer {i + 1} from {act_mean[0, :, i].mean():.3f} "
                   f"to {act_mean[i_half, :, i].mean():.3f} (ratio {r:.2f})" for i, r in enumerate(ratio))
    + f"; Srivastava et al.'s autoencoder went from about {PAPER_ACTIVATION[0]:.1f} to about "
    f"{PAPER_ACTIVATION[1]:.1f}, a ratio of {PAPER_ACTIVATION[1] / PAPER_ACTIVATION[0]:.2f}."))

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
# mask noise). The tolerances are stated before we look (`MC_SIGMAS`,
# `WEIGHT_TOL`): the Monte Carlo loss must lie within that many of its standard
# errors of the formula, and the trained weights within that relative L2
# distance of the closed form.

# %%
X = task.X_train.astype(np.float64)
y = task.y_train[:, 0].astype(np.float64)
rows = dropout_checks.ridge_check(X, y, Q_GRID, n_masks=MC_MASKS, steps=STEPS, seed=SEED)
all_pass = all(abs(r["z"]) <= MC_SIGMAS and r["w_err"] <= WEIGHT_TOL for r in rows)
display(Markdown(tables.markdown_table(
    ["drop rate $q$", "expected loss (formula)", "Monte Carlo ± s.e.", "difference in s.e.",
     "trained vs closed form (rel.)", "OLS vs closed form (rel.)"],
    [[f"{r['q']:g}", f"{r['exact']:.3f}", f"{r['mc']:.3f} ± {r['se']:.3f}", f"{r['z']:+.2f}",
      f"{r['w_err']:.2%}", f"{r['ols_dist']:.1%}"] for r in rows])
    + f"\n\nAll checks within tolerance ({MC_SIGMAS:g} standard errors; {WEIGHT_TOL:.0%} of the weights): "
    f"**{'yes' if all_pass else 'no'}**. The last column shows "
    + ("that the effect is not small: the dropout solution is far from ordinary least squares."
       if min(r["ols_dist"] for r in rows) > 0.1 else "how far the dropout solution is from ordinary least squares.")))

# %%
w_ols = dropout.ridge_equivalent_weights(X, y, 0.0)
w_line = rows[Q_GRID.index(LINE_RATE)]["w"]
line = dropout_checks.loss_along_line(X, y, w_ols, w_line, LINE_RATE, np.linspace(-0.5, 1.5, 9),
                                      np.linspace(-0.5, 1.5, 200), n_masks=LINE_MASKS, seed=SEED)
q_fine = np.linspace(0.0, 0.8, 81)
paths = np.array([dropout.ridge_equivalent_weights(X, y, q) for q in q_fine])
axes = plotting.plot_ridge_equivalence(line, q_fine, paths, Q_GRID, np.array([r["trained"] for r in rows]),
                                       color=COLOR)
largest_z = np.max(np.abs(line["mc"] - line["exact"]) / line["se"])
axes[0].figure.suptitle(f"Input dropout on linear regression, drop rate {LINE_RATE:g}", y=1.02)
plotting.save_figure(axes[0].figure, "02-ridge-equivalence")
plt.show()
display(Markdown(
    f"Monte Carlo losses within {largest_z:.1f} s.e. of the formula (drop rate {LINE_RATE:g}); trained "
    f"weights within {max(r['w_err'] for r in rows):.1%} of the closed form."))

# %% [markdown]
# **The bridge to chapter 01.** Our inputs are standardised, so every column
# has $(X^\top X)_{jj} = n$ and the data-scaled penalty becomes a plain one:
# dividing the expected loss by $n$ gives the mean squared error plus
# $\lambda \sum_j w_j^2$ with $\lambda = q/(1-q)$, chapter 01's L2 penalty
# (drop rate 0.5 is L2 with $\lambda = 1$).

# %%
column_energy = (X ** 2).sum(axis=0) / len(X)
lam = LINE_RATE / (1 - LINE_RATE)
ridge = penalty_geometry.linear_penalty_path(X, y, [lam], "l2")[0]
energy = wording.from_to(column_energy.min(), column_energy.max(), ".6f",
                         same="{} for every column")
display(Markdown(
    f"$(X^\\top X)_{{jj}}/n$ is {energy}; "
    f"the largest difference between the dropout solution at $q$ = {LINE_RATE:g} and chapter 01's ridge "
    f"solution with $\\lambda$ = {lam:g} is {np.abs(ridge - w_line).max():.2e}."))

# %% [markdown]
# ## What we measured

# %%
met = [conv[name][0] for name in ("k_meet_relative", "k_meet_margin", "k_settle")]
found = [sum(k != MISSING for k in ks) for ks in met[:2]]
summary = [
    f"**Mechanism.** A keep mask at drop rate {DROP_RATE:g} kept {kept_share:.2%} of {N_DRAWS:,} "
    f"units; inverted scaling brings the mean back to {inverted_mean:.4f}.",
    f"**Monte Carlo vs weight scaling** (drop rate {MC_RATE:g}, {len(SEEDS)} trained networks, "
    f"{STREAMS} streams of {K_MAX} samples): one sub-network scores test error {conv['error_first'].mean():.3f} "
    f"on average, the weight-scaled network {conv['det_error'].mean():.3f}, and the {K_MAX}-sample average "
    f"{conv['error_last'].mean():.3f}: at this drop rate the two meet within {TOLERANCE:.0%} for {found[0]} of the "
    f"{len(SEEDS)} networks ($k^*_{{1\\%}}$: {', '.join(map(str, met[0]))}) and within the seed-to-seed noise for "
    f"{found[1]} ($k^*_{{\\text{{noise}}}}$: {', '.join(map(str, met[1]))}), while the Monte Carlo error settles "
    f"within {TOLERANCE:.0%} of its final value after {', '.join(map(str, met[2]))} samples."]

# %%
summary[-1] += (
    f" Over all drop rates and seeds, the two met within {TOLERANCE:.0%} in {len(k_found)} of {len(mc_all)} "
    "networks, at $k^*$ between "
    + (f"{min(k_found)} and {max(k_found)} (median {np.median(k_found):g})" if k_found else "(none)")
    + (f"; the {len(mc_all) - len(k_found)} that did not meet within {K_MAX} samples were trained at drop rate "
       + ", ".join(f"{q:g}" for q in never) if never else f"; all met within {K_MAX} samples")
    + f". Srivastava et al. found about {PAPER_K}, on MNIST classification.")

# %%
summary += [
    f"**Oversized network.** Test error falls from {test_err[0].mean():.3f} without dropout to "
    f"{test_err[best].mean():.3f} at drop rate {DROP_RATES[best]:g}; the train-test gap shrinks from "
    f"{(test_err[0] - train_err[0]).mean():.3f} to {(test_err[best] - train_err[best]).mean():.3f}.",
    f"**Activations.** At keep probability {1 - q_half:g} the mean hidden activation is "
    + " and ".join(f"{r:.2f} (layer {i + 1})" for i, r in enumerate(ratio)) + " times its value without dropout: it "
    + wording.per_item(direction, "layer") + ", against a ratio of about "
    f"{PAPER_ACTIVATION[1] / PAPER_ACTIVATION[0]:.2f} in Srivastava et al.'s autoencoder.",
    f"**Exact result.** The Monte Carlo expected loss matched the formula within "
    f"{max(abs(r['z']) for r in rows):.2f} standard errors at every drop rate, and weights trained with "
    f"input dropout matched the closed form within {max(r['w_err'] for r in rows):.2%} "
    f"(tolerances {MC_SIGMAS:g} s.e. and {WEIGHT_TOL:.0%})."]
display(Markdown("\n".join(f"* {item}" for item in summary)))

# %% [markdown]
# ## Takeaways

# %%
gap = (test_err - train_err).mean(axis=1)  # mean train-test gap at each drop rate
unmet = (f" (the other {len(mc_all) - len(k_found)}, at drop rate {', '.join(f'{q:g}' for q in never)}, "
         "had not)" if never else "")
excess = np.abs(conv_all["excess"])  # |MC error at K_MAX / weight-scaling error - 1|
takeaways = [
    "**Dropout is a random mask, rescaled.** Each unit is kept with probability $1-q$ (the drop rate "
    "$q$ is PyTorch's `p`, the keep probability Srivastava's $p$) and a kept unit is divided by $1-q$: "
    f"over {N_DRAWS:,} draws a unit of value 1 arrives with mean {inverted_mean:.4f}.",
    "**The network at test time stands in for an ensemble of sub-networks.** Averaging sampled "
    f"sub-networks met it within {TOLERANCE:.0%} for {len(k_found)} of {len(mc_all)} networks{unmet}; "
    f"after {K_MAX} samples the two test errors differ by {excess.min():.1%} to {excess.max():.1%} "
    "[@srivastava2014]. Baldi and Sadowski describe the stand-in as a normalised "
    "geometric mean of the sub-networks [@baldi2013]; Gal and Ghahramani read the Monte Carlo average "
    "as approximate Bayesian inference [@gal2016].",
]

# %%
takeaways += [
    f"**On an oversized network dropout {'narrows' if gap[best] < gap[0] else 'does not narrow'} the "
    f"gap between training and test error**, from {gap[0]:.3f} without dropout to {gap[best]:.3f} at "
    f"drop rate {DROP_RATES[best]:g}, where the test error is lowest; at drop rate {q_half:g} the mean "
    "hidden activation " + " and ".join(f"{d} in layer {i + 1}" for i, d in enumerate(direction)) + ".",
    "**For linear regression, input dropout is an L2 penalty** in expectation, each weight charged by "
    "its feature's $(X^\\top X)_{jj}$ [@wager2013]; every check within tolerance: "
    f"**{'yes' if all_pass else 'no'}**. On standardised inputs it is chapter 01's ridge penalty with "
    f"$\\lambda = q/(1-q)$ (largest difference {np.abs(ridge - w_line).max():.1e}): the first firm link "
    "between dropout and the weight penalties.",
]
display(Markdown("\n".join(f"- {line}" for line in takeaways)))

# %% [markdown]
# ## Exercises
#
# Each exercise has a level (★ to ★★★) and a kind; its worked solution is folded below it.
# The computational ones reuse what the chapter trained.

# %% [markdown] tags=["exercise"]
# **Exercise 1** (★ · pen and paper). A unit's output $x$ is multiplied by a keep mask $m$
# (1 with probability $1 - q$, 0 with probability $q$) and divided by $1 - q$. Compute the mean
# and the variance of $\tilde x = m\,x / (1 - q)$. What would the mean be without the division,
# and what happens to the variance as $q \to 1$?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 1.** $m$ is a Bernoulli variable with $\mathbb E[m] = \mathbb E[m^2] = 1 - q$. So
#
# $$\mathbb E[\tilde x] = \frac{x\,(1 - q)}{1 - q} = x, \qquad
#   \operatorname{Var}[\tilde x] = \frac{x^2\,\mathbb E[m^2]}{(1 - q)^2} - x^2
#   = x^2\Big(\frac{1}{1 - q} - 1\Big) = x^2\,\frac{q}{1 - q}.$$
#
# Without the division the mean would be $(1 - q)\,x$: the next layer would receive less on
# average during training than at test time, which is why the original papers scaled the
# weights by the keep probability at test time instead. The variance $x^2 q/(1-q)$ grows
# without bound as $q \to 1$: a unit that is almost always dropped is, when kept, multiplied
# by a huge factor. This same $q/(1-q)$ is the ridge coefficient of section 4. The cell
# checks both moments on a million draws at drop rate 0.3.

# %% tags=["solution"] jupyter={"source_hidden": true}
q_1, draws = 0.3, torch.ones(1_000_000, dtype=torch.float64)
inverted = dropout.apply_dropout(draws, q_1, torch.Generator().manual_seed(SEED)).numpy()
assert abs(inverted.mean() - 1) < 5 * np.sqrt(q_1 / (1 - q_1) / len(inverted))
assert abs(inverted.var() / (q_1 / (1 - q_1)) - 1) < 0.01

# %% [markdown] tags=["exercise"]
# **Exercise 2** (★★ · pen and paper). Derive section 4's result: with inverted dropout of
# rate $q$ on the inputs of linear regression, each $X_{ij}$ replaced by
# $\tilde X_{ij} = m_{ij} X_{ij}/(1-q)$ with independent masks, show that
# $\mathbb E_m \lVert y - \tilde X w\rVert^2 = \lVert y - Xw\rVert^2 +
# \frac{q}{1-q}\sum_j (X^\top X)_{jj}\, w_j^2$, and that its minimiser is
# $w_q = \big(X^\top X + \frac{q}{1-q}\operatorname{diag}(X^\top X)\big)^{-1} X^\top y$.

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 2.** Take one row $i$ and its residual $r_i = y_i - \sum_j \tilde X_{ij} w_j$. By
# exercise 1 each $\tilde X_{ij}$ has mean $X_{ij}$ and variance $X_{ij}^2\,q/(1-q)$, and the
# masks are independent, so
#
# $$\mathbb E[r_i] = y_i - \sum_j X_{ij} w_j, \qquad
#   \operatorname{Var}[r_i] = \sum_j w_j^2 X_{ij}^2\,\frac{q}{1-q}.$$
#
# With $\mathbb E[r_i^2] = (\mathbb E r_i)^2 + \operatorname{Var}[r_i]$ and a sum over the rows,
# using $\sum_i X_{ij}^2 = (X^\top X)_{jj}$:
#
# $$\mathbb E\lVert y - \tilde X w\rVert^2 = \lVert y - Xw\rVert^2 +
#   \frac{q}{1-q}\sum_j (X^\top X)_{jj}\,w_j^2 .$$
#
# Writing $\Lambda = \frac{q}{1-q}\operatorname{diag}(X^\top X)$, the gradient is
# $-2X^\top(y - Xw) + 2\Lambda w$, zero where $(X^\top X + \Lambda)\,w = X^\top y$; for $q > 0$
# and no zero column the matrix is positive definite, so this is the unique minimiser $w_q$.
# The cell checks the expectation *exactly*, by summing over all 16 masks of a 2 × 2 problem,
# and the minimiser against `dropout.ridge_equivalent_weights` on the chapter's data.

# %% tags=["solution"] jupyter={"source_hidden": true}
q_2 = 0.3
masks_2 = ((np.arange(16)[:, None] >> np.arange(4)) & 1).reshape(16, 2, 2)  # every 2 x 2 mask
chance = np.prod(np.where(masks_2 == 1, 1 - q_2, q_2), axis=(1, 2))
X_2, y_2, w_2 = X[:2, :2], y[:2], np.array([0.7, -1.3])
losses_2 = ((masks_2 * X_2 / (1 - q_2) @ w_2 - y_2) ** 2).sum(axis=1)
formula_2 = ((y_2 - X_2 @ w_2) ** 2).sum() + q_2 / (1 - q_2) * ((X_2 ** 2).sum(axis=0) * w_2 ** 2).sum()
assert np.isclose(chance @ losses_2, formula_2, rtol=1e-12, atol=0)
gram = X.T @ X
w_closed = np.linalg.solve(gram + q_2 / (1 - q_2) * np.diag(np.diag(gram)), X.T @ y)
assert np.allclose(dropout.ridge_equivalent_weights(X, y, q_2), w_closed)

# %% [markdown] tags=["exercise"]
# **Exercise 3** (★ · computation). Train the networks of section 3 at drop rate 0.9 as well
# (the same spec with the grid `{"dropout": [0.9]}`). Set `answer_3` to the pair
# (mean training error, mean test error) over the seeds. Where does dropout start to
# underfit?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 3.** Only the new networks are trained (the sweep caches the others). Underfitting
# shows as a training error that climbs toward the test error while the test error stops
# falling: past the drop rate with the lowest test error, more dropout costs more fit than it
# saves in overfitting.

# %% tags=["solution"] jupyter={"source_hidden": true}
records_09 = experiment.run_sweep(spec.replace(grid={"dropout": [0.9]}))
answer_3 = (float(np.mean([r["train_loss"] for r in records_09])),
            float(np.mean([r["test_loss"] for r in records_09])))
test_by_rate = [*test_err.mean(axis=1), answer_3[1]]
rates_3 = [*DROP_RATES, 0.9]

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown(
    f"At drop rate 0.9 the training error is {answer_3[0]:.3f} (without dropout "
    f"{train_err[0].mean():.3f}) and the test error {answer_3[1]:.3f}. Over drop rates "
    f"{', '.join(f'{q:g}' for q in rates_3)} the test error is lowest at "
    f"{rates_3[int(np.argmin(test_by_rate))]:g} ({min(test_by_rate):.3f})."))

# %% tags=["solution", "check"] jupyter={"source_hidden": true}
check_records = experiment.run_sweep(spec.replace(grid={"dropout": [0.9]}))
assert len(answer_3) == 2
assert np.allclose(answer_3, (np.mean([r["train_loss"] for r in check_records]),
                              np.mean([r["test_loss"] for r in check_records])))

# %% [markdown] tags=["exercise"]
# **Exercise 4** (★★★ · computation). In section 4, scale the columns differently: column $j$
# of $X$ multiplied by $c_j = j$ ($j = 1, \dots, d$). Show that the dropout solution on the
# scaled data is $w'_j = w_{q,j} / c_j$, where $w_q$ is the solution on the unscaled data, so
# that the fitted function does not change. Set `answer_4` to the dropout weights $w'$ at
# `LINE_RATE` on the scaled data. Does a plain ridge penalty behave the same way?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 4.** Write $X' = XC$ with $C = \operatorname{diag}(c)$. Then
# $(X'^\top X')_{jj} = c_j^2 (X^\top X)_{jj}$, and substituting $w = C^{-1} v$ into the
# expected loss of exercise 2 gives $X'w = Xv$ and
# $\sum_j c_j^2 (X^\top X)_{jj}\, w_j^2 = \sum_j (X^\top X)_{jj}\, v_j^2$: exactly the problem on
# the unscaled data, in $v$. So $v^* = w_q$ and $w' = C^{-1} w_q$, the same predictions
# $X'w' = Xw_q$. Per unit of weight dropout charges the column scaled by $c_j$ by $c_j^2$ more,
# which exactly offsets that such a weight needs to be only $1/c_j$ as large: the penalty is
# invariant to the scale of each feature. A plain ridge penalty $\lambda\sum_j w_j^2$ charges
# every weight alike, so rescaling the columns changes its fitted function.

# %% tags=["solution"] jupyter={"source_hidden": true}
scale = np.arange(1, X.shape[1] + 1)
X_scaled = X * scale  # column j multiplied by j
answer_4 = dropout.ridge_equivalent_weights(X_scaled, y, LINE_RATE)
ridge_scaled = penalty_geometry.linear_penalty_path(X_scaled, y, [lam], "l2")[0]
ridge_moved = np.sqrt(np.mean((X_scaled @ ridge_scaled - X @ ridge) ** 2))

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown(
    f"Rescaling the columns leaves dropout's predictions where they were; a plain ridge penalty "
    f"with $\\lambda$ = {lam:g} moves its predictions by an RMS of {ridge_moved:.3f} (the "
    f"targets have standard deviation {y.std():.2f})."))

# %% tags=["solution", "check"] jupyter={"source_hidden": true}
columns = np.arange(1, X.shape[1] + 1)
assert np.shape(answer_4) == (X.shape[1],)
assert np.allclose(np.asarray(answer_4) * columns, dropout.ridge_equivalent_weights(X, y, LINE_RATE))

# %% [markdown] tags=["exercise"]
# **Exercise 5** (★★ · conceptual). Section 2 found a floor: even with many sub-networks,
# Monte Carlo averaging does not reach the weight-scaled network exactly. Show that for a
# network with **one** hidden layer, dropout on that layer only and a linear read-out, the
# average over all masks *equals* the weight-scaled network. Why does this fail once a ReLU
# layer follows the dropped one, and in which direction?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 5.** With hidden activations $h(x)$, read-out weights $v$ and bias $c$, the
# network with mask $m$ is $f(x; m) = \sum_j v_j\, m_j h_j(x)/(1 - q) + c$, *linear* in $m$.
# The expectation of a linear function is the function of the expectation, and
# $\mathbb E[m_j/(1-q)] = 1$, so $\mathbb E_m f(x; m) = \sum_j v_j h_j(x) + c$: the
# weight-scaled network, exactly, for every input. If a ReLU layer follows, its input
# $z = W(m \odot h)/(1-q) + b$ is still linear in $m$ with mean $Wh + b$, but the ReLU is
# convex, so Jensen's inequality gives $\mathbb E[\operatorname{relu}(z)] \ge
# \operatorname{relu}(\mathbb E z)$, strictly where $z$ changes sign across masks. So
# each unit of that layer is *larger* on average over masks than in the weight-scaled network,
# and a read-out that mixes these units with weights of both signs can move either way: the
# floor of section 2. The cell checks both statements by summing over all 16 masks of a
# 4-unit layer.

# %% tags=["solution"] jupyter={"source_hidden": true}
rng_5 = np.random.default_rng(SEED)
h_5, v_5, W_5 = np.maximum(rng_5.normal(size=(5, 4)), 0), rng_5.normal(size=4), rng_5.normal(size=(4, 3))
masks_5 = (np.arange(16)[:, None] >> np.arange(4)) & 1  # every mask of 4 units
chance_5 = np.prod(np.where(masks_5 == 1, 1 - DROP_RATE, DROP_RATE), axis=1)
dropped = masks_5[:, None, :] * h_5 / (1 - DROP_RATE)  # (mask, input, unit)
assert np.allclose(chance_5 @ (dropped @ v_5), h_5 @ v_5)  # linear read-out: exact
averaged_relu = np.tensordot(chance_5, np.maximum(dropped @ W_5, 0), axes=1)
assert np.all(averaged_relu >= np.maximum(h_5 @ W_5, 0) - 1e-12)  # Jensen, unit by unit
assert np.any(averaged_relu > np.maximum(h_5 @ W_5, 0) + 1e-6)
