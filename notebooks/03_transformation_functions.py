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
# # 03 · Neural transformation functions: polynomials, kinks and gates
#
# **What the paper claims.** Teague asks us to look past the layers and see a
# trained network as one *transformation function* that carries an input $x$ to
# a prediction $y$, fitted so that it generalises from the training pairs. He
# illustrates it with polynomials of rising degree (the Deep Learning book's
# Fig 5.2), and adds two remarks about real networks: their functions carry
# point-wise non-linearities, the relics of ReLU activations, which let a
# network act like a circuit of logic gates; and unlike a digital circuit, one
# weight can serve several of these "gates" at once, a "(non-quantum)
# superposition". The next chapter builds on this picture: a high-degree,
# overfit polynomial is far from additive, $f(x_1 + x_2) \ne f(x_1) + f(x_2)$.
#
# This chapter makes each piece concrete and measures it:
#
# 1. a small network's learned function on the 1-D quadratic task;
# 2. polynomial fits of degree 1, 2 and 9, the U-shaped test error against
#    degree, and weight decay on the degree-9 fit (the book's Figs 5.2, 5.3, 5.5);
# 3. the ReLU network's function is piecewise linear: we count its pieces;
# 4. ReLU units computing AND, OR and XOR, with weights shared between gates;
# 5. a first look at the literal additivity test against polynomial degree.
#
# The whole notebook runs in well under a minute on a laptop CPU.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import Markdown, display

from essay_lib import data
from essay_lib.measures import gates, linearity
from essay_lib.measures import polynomials as poly
from essay_lib.nets import models, training
from essay_lib.report import plotting

SEED = 0
torch.set_num_threads(1)
plotting.set_style()

task = data.quadratic_task(n_train=20, n_test=200, noise=0.1, seed=SEED)
x_train, y_train = task.X_train[:, 0].astype(float), task.y_train[:, 0].astype(float)
x_test, y_test = task.X_test[:, 0].astype(float), task.y_test[:, 0].astype(float)
grid = np.linspace(-1, 1, 801)
display(Markdown(
    f"The task: {task.n_train} training points and {task.n_test} test points, "
    f"$x$ uniform on $[-1, 1]$, $y = x^2 + \\varepsilon$ with noise standard deviation "
    f"{task.description['noise']}. The best possible test MSE (the noise variance) is about "
    f"{task.description['noise'] ** 2:.3f}."))

# %% [markdown]
# ## 1 · A network is a transformation function
#
# A one-hidden-layer ReLU network with 64 units, trained full-batch with Adam on
# the 20 points, is a function from $\mathbb{R}$ to $\mathbb{R}$. Evaluating it
# on a dense grid shows the whole function, not just its values at the data.

# %%
WIDTH, EPOCHS, LR = 64, 2000, 1e-2
mlp = models.make_mlp(1, [WIDTH], 1, seed=SEED)
mlp_initial = models.make_mlp(1, [WIDTH], 1, seed=SEED)  # the same start, kept untrained
training.train_model(mlp, task.X_train, task.y_train, kind="regression",
                     epochs=EPOCHS, lr=LR, seed=SEED, eval_every=EPOCHS,
                     description="MLP on x^2")
mlp_train = training.score(mlp, task.X_train, task.y_train, kind="regression")["loss"]
mlp_test = training.score(mlp, task.X_test, task.y_test, kind="regression")["loss"]
mlp_grid = training.predict(mlp, grid[:, None])[:, 0]

fig, ax = plt.subplots(figsize=(6.4, 3.8))
plotting.plot_function_1d(grid, mlp_grid, x_train=x_train, y_train=y_train, ax=ax,
                          label=f"MLP, 1 x {WIDTH} ReLU", true_function=data.quadratic_target)
ax.set_title("The learned transformation function of a small ReLU network")
ax.legend(loc="upper center")
plotting.save_figure(fig, "03-mlp-function")
plt.show()
display(Markdown(
    f"Trained for {EPOCHS} epochs, the network reaches a training MSE of {mlp_train:.4f} and a "
    f"test MSE of {mlp_test:.4f}: it follows the parabola between the points, with visible "
    f"corners where its ReLU units switch on or off (section 3 counts them)."))

# %% [markdown]
# ## 2 · Polynomial transformation functions and capacity
#
# The Deep Learning book (§5.2) fits polynomials $p(x) = \sum_{k=0}^{d} c_k x^k$
# by least squares. A degree-$d$ polynomial has $d+1$ coefficients, so it passes
# through $n$ points once $d \ge n-1$. The book's figure uses few points so that
# degree 9 interpolates; with our 20 points a degree-9 fit would not, so for
# this section we take **every other training point**: 10 points spread over
# $[-1, 1]$. When $d \ge n-1$ the interpolant is not unique; like the book we
# take the minimum-norm one, the Moore–Penrose pseudo-inverse solution
# (`essay_lib.polynomials.fit_polynomial`, which solves with numpy's
# Vandermonde matrix and an SVD least-squares solver).

# %%
x_few, y_few = x_train[::2], y_train[::2]
fits = {d: poly.fit_polynomial(x_few, y_few, d) for d in (1, 2, 9)}
errors = {d: (poly.mean_squared_error(p, x_few, y_few), poly.mean_squared_error(p, x_test, y_test))
          for d, p in fits.items()}
verdicts = {1: "underfits", 2: "generalises", 9: "interpolates and swings"}

fig, axes = plt.subplots(1, 3, figsize=(10, 3.2), sharey=True)
for ax, (d, p) in zip(axes, fits.items(), strict=True):
    plotting.plot_function_1d(grid, p(grid), x_train=x_few, y_train=y_few, ax=ax,
                              label=f"degree {d}", color="C1", true_function=data.quadratic_target)
    ax.set_title(f"degree {d}: {verdicts[d]}\ntrain MSE {errors[d][0]:.3f}, "
                 f"test MSE {errors[d][1]:.3f}", fontsize=10)
    ax.set_ylim(-0.4, 1.6)
axes[0].legend(loc="upper center", fontsize=8)
for ax in axes[1:]:
    ax.set_ylabel("")
fig.suptitle("Polynomial fits to 10 noisy points of $y = x^2$ (y-axis clipped)", y=1.12)
plotting.save_figure(fig, "03-polynomial-fits")
plt.show()

# %%
display(Markdown("| degree | train MSE | test MSE |\n|---:|---:|---:|\n" + "\n".join(
    f"| {d} | {tr:.4f} | {te:.4f} |" for d, (tr, te) in errors.items())))
display(Markdown(
    f"Degree 1 cannot bend, so both errors stay high ({errors[1][1]:.3f} on test). Degree 2 "
    f"has the shape of the truth and a test MSE of {errors[2][1]:.4f}. Degree 9 drives the "
    f"training error to {errors[9][0]:.1e} (every point is hit) while its test error, "
    f"{errors[9][1]:.2f}, is {errors[9][1] / errors[2][1]:.0f} times that of degree 2: "
    f"between and beyond the points it swings far from the parabola."))

# %% [markdown]
# ### Training and test error against degree (the book's Fig 5.3)
#
# Sweeping the degree from 0 to 15 traces capacity. The training error can only
# fall as the degree grows (each model contains the previous one); the test error
# falls, bottoms out, and rises again. Beyond degree $n-1$ the training error is
# zero and the pseudo-inverse picks the smallest interpolant. We show the sweep
# for the 10-point subset and for all 20 points.

# %%
DEGREES = range(16)
sweeps = {10: poly.degree_sweep(x_few, y_few, x_test, y_test, DEGREES),
          20: poly.degree_sweep(x_train, y_train, x_test, y_test, DEGREES)}
best_degree = {n: int(s["degree"][np.argmin(s["test_mse"])]) for n, s in sweeps.items()}

fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
for ax, (n, s) in zip(axes, sweeps.items(), strict=True):
    ax.plot(s["degree"], np.maximum(s["train_mse"], 1e-6), marker="o", markersize=4,
            label="training MSE")
    ax.plot(s["degree"], s["test_mse"], marker="s", markersize=4, label="test MSE")
    ax.axvline(best_degree[n], color="0.5", linestyle=":", linewidth=1)
    if n - 1 <= max(DEGREES):
        ax.axvline(n - 1, color="C1", linestyle="--", linewidth=1,
                   label=f"degree n - 1 = {n - 1}: interpolation")
    ax.set_yscale("log")
    ax.set_xticks(list(DEGREES)[::3])
    ax.set_xlabel("polynomial degree")
    ax.set_title(f"{n} training points: lowest test MSE at degree {best_degree[n]}")
axes[0].set_ylabel("mean squared error (log; zero shown at 1e-6)")
axes[0].legend(fontsize=8, loc="upper left")
fig.suptitle("Capacity: training error falls with degree, test error is U-shaped", y=1.02)
plotting.save_figure(fig, "03-degree-sweep")
plt.show()
display(Markdown(
    f"With 10 points the test error is lowest at degree {best_degree[10]} "
    f"({sweeps[10]['test_mse'][best_degree[10]]:.4f}) and reaches "
    f"{sweeps[10]['test_mse'][-1]:.1f} at degree 15; with 20 points the lowest is at degree "
    f"{best_degree[20]} ({sweeps[20]['test_mse'][best_degree[20]]:.4f}), and the climb starts "
    f"later, because more data supports more capacity."))

# %% [markdown]
# ### Weight decay on the degree-9 fit (the book's Fig 5.5)
#
# Keep degree 9 but penalise large coefficients: minimise
# $\frac{1}{n}\sum_i (p(x_i) - y_i)^2 + \lambda \sum_{k \ge 1} c_k^2$. We leave the
# intercept $c_0$ unpenalised (so a huge $\lambda$ leaves the constant
# $\bar y$, the book's flat line, rather than the constant 0).

# %%
LAMBDAS = np.r_[0.0, np.logspace(-8, 3, 23)]
decay = [poly.fit_polynomial(x_few, y_few, 9, l2=float(lam)) for lam in LAMBDAS]
decay_test = np.array([poly.mean_squared_error(p, x_test, y_test) for p in decay])
decay_train = np.array([poly.mean_squared_error(p, x_few, y_few) for p in decay])
SHOWN = {"overfit: $\\lambda = 0$": 0.0, "right shape: $\\lambda = 10^{-1}$": 1e-1,
         "constant: $\\lambda = 10^{3}$": 1e3}

fig, axes = plt.subplots(1, 4, figsize=(13, 3.2), gridspec_kw={"wspace": 0.35})
for ax, (title, lam) in zip(axes[:3], SHOWN.items(), strict=True):
    p = decay[int(np.flatnonzero(LAMBDAS == lam)[0])]
    plotting.plot_function_1d(grid, p(grid), x_train=x_few, y_train=y_few, ax=ax, color="C1",
                              true_function=data.quadratic_target)
    ax.set_ylim(-0.4, 1.6)
    ax.set_title(f"{title}\ntest MSE {poly.mean_squared_error(p, x_test, y_test):.3f}",
                 fontsize=10)
    ax.set_ylabel("y" if ax is axes[0] else "")
ax = axes[3]
ax.plot(LAMBDAS[1:], decay_train[1:], marker="o", markersize=3, label="training MSE")
ax.plot(LAMBDAS[1:], decay_test[1:], marker="s", markersize=3, label="test MSE")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("weight decay $\\lambda$")
ax.set_ylabel("MSE (log)")
ax.set_title("degree 9: error against $\\lambda$\n($\\lambda = 0$ not shown)", fontsize=10)
ax.legend(fontsize=8)
fig.suptitle("Weight decay moves the degree-9 fit from overfit to the right shape to a constant",
             y=1.1)
plotting.save_figure(fig, "03-weight-decay")
plt.show()
best_lambda = LAMBDAS[np.argmin(decay_test)]
display(Markdown(
    f"On the grid, the test MSE of the degree-9 fit falls from {decay_test[0]:.2f} at "
    f"$\\lambda = 0$ to {decay_test.min():.4f} at $\\lambda \\approx$ {best_lambda:.0e} and "
    f"rises to {decay_test[-1]:.3f} at $\\lambda =$ {LAMBDAS[-1]:.0e}, where the fit is a "
    f"near-constant at the mean of the targets ({y_few.mean():.3f})."))

# %% [markdown]
# ## 3 · A ReLU network is piecewise linear
#
# Polynomials are smooth; ReLU networks are not. Each hidden unit
# $\max(0, w x + b)$ is linear on both sides of $x = -b/w$, so a one-hidden-layer
# network on one input is a continuous chain of straight segments, with at most
# one kink per unit. `essay_lib.linearity.linear_piece_breakpoints` finds the
# kinks exactly (in float64, layer by layer) along a segment, and
# `count_linear_pieces` counts the pieces; we use the segment from $x=-1$ to $x=1$.

# %%
START, END = np.array([-1.0]), np.array([1.0])
kinks_t = linearity.linear_piece_breakpoints(mlp, START, END)
kinks_x = START[0] + kinks_t * (END[0] - START[0])
pieces_trained = linearity.count_linear_pieces(mlp, START, END)
pieces_initial = linearity.count_linear_pieces(mlp_initial, START, END)

fig, ax = plt.subplots(figsize=(6.4, 3.8))
plotting.plot_function_1d(grid, mlp_grid, x_train=x_train, y_train=y_train, ax=ax,
                          label=f"trained MLP ({pieces_trained} pieces)")
ax.plot(kinks_x, training.predict(mlp, kinks_x[:, None])[:, 0], "|", color="C1",
        markersize=14, markeredgewidth=2, label="kinks")
ax.set_title("The trained network is a chain of straight pieces")
ax.legend(loc="upper center")
plotting.save_figure(fig, "03-linear-pieces")
plt.show()
display(Markdown(
    f"On $[-1, 1]$ the trained {WIDTH}-unit network is made of **{pieces_trained} linear "
    f"pieces** (the same network before training had {pieces_initial}); one hidden layer of "
    f"{WIDTH} units allows at most {WIDTH + 1}."))

# %% [markdown]
# How does the count depend on width, and on training? We train networks of
# several widths (3 seeds each, Adam as above but 500 epochs to keep the notebook
# quick) and count pieces on $[-1, 1]$ before and after.

# %%
WIDTHS, PIECE_SEEDS, PIECE_EPOCHS = (2, 4, 16, 64, 256), (0, 1, 2), 500
counts = {"initial": np.zeros((len(WIDTHS), len(PIECE_SEEDS)), dtype=int)}
counts["trained"] = counts["initial"].copy()
piece_test = np.zeros(counts["initial"].shape)
kink_inside = np.zeros(counts["initial"].shape)  # share of units whose kink -b/w lies in (-1, 1)
for i, width in enumerate(WIDTHS):
    for j, seed in enumerate(PIECE_SEEDS):
        net = models.make_mlp(1, [width], 1, seed=seed)
        counts["initial"][i, j] = linearity.count_linear_pieces(net, START, END)
        w, b = net.layers[0].weight.detach()[:, 0], net.layers[0].bias.detach()
        kink_inside[i, j] = float((torch.abs(b / w) < 1).float().mean())
        training.train_model(net, task.X_train, task.y_train, kind="regression",
                             epochs=PIECE_EPOCHS, lr=LR, seed=seed, eval_every=PIECE_EPOCHS,
                             progress=False)
        counts["trained"][i, j] = linearity.count_linear_pieces(net, START, END)
        piece_test[i, j] = training.score(net, task.X_test, task.y_test,
                                          kind="regression")["loss"]

fig, ax = plt.subplots(figsize=(6.4, 3.8))
for key, marker in (("initial", "o"), ("trained", "s")):
    ax.plot(WIDTHS, counts[key].mean(axis=1), marker=marker, label=f"{key} (mean of 3 seeds)")
    for j in range(len(PIECE_SEEDS)):
        ax.scatter(WIDTHS, counts[key][:, j], s=10, color=ax.lines[-1].get_color(), alpha=0.5)
ax.plot(WIDTHS, np.array(WIDTHS) + 1, color="0.6", linestyle=":", label="upper bound: width + 1")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xticks(WIDTHS, [str(w) for w in WIDTHS])
ax.set_yticks([1, 2, 4, 16, 64, 256], ["1", "2", "4", "16", "64", "256"])
ax.set_xlabel("hidden units (one layer)")
ax.set_ylabel("linear pieces on [-1, 1]")
ax.set_title("Linear pieces of a ReLU network grow with width")
ax.legend(fontsize=8)
plotting.save_figure(fig, "03-pieces-vs-width")
plt.show()

# %%
display(Markdown("| width | pieces at init | pieces trained | bound | test MSE trained |\n"
                 "|---:|---:|---:|---:|---:|\n" + "\n".join(
    f"| {w} | {counts['initial'][i].mean():.1f} | {counts['trained'][i].mean():.1f} | {w + 1} "
    f"| {piece_test[i].mean():.4f} |" for i, w in enumerate(WIDTHS))))
display(Markdown(
    f"The number of pieces grows in proportion to width but stays near half the bound: at "
    f"width {WIDTHS[-1]}, {counts['trained'][-1].mean():.0f} pieces on average out of a "
    f"possible {WIDTHS[-1] + 1}. The reason is the initialisation: a unit's kink sits at "
    f"$x = -b/w$, and with PyTorch's default $w$ and $b$ drawn from the same interval, "
    f"{kink_inside[-1].mean():.0%} of the {WIDTHS[-1]} units start with their kink inside "
    f"$[-1, 1]$. Training moves kinks but barely changes how many there are (on average "
    f"{np.mean(counts['trained'] - counts['initial']):+.1f} pieces over these networks): a "
    f"smooth-looking fit is still a polyline."))

# %% [markdown]
# ## 4 · Gate-like units and their superposition
#
# The kinks let a network compute logic. On the four inputs $\{0,1\}^2$, two
# ReLU units are enough for AND, OR and XOR at once:
#
# $$h_1 = \max(0, x_1 + x_2), \qquad h_2 = \max(0, x_1 + x_2 - 1),$$
# $$\text{AND} = h_2, \qquad \text{OR} = h_1 - h_2, \qquad \text{XOR} = h_1 - 2 h_2 .$$
#
# $h_1$ counts the true inputs and $h_2$ fires only when both are true. XOR
# needs the kink: no linear function of $x_1, x_2$ computes it. A digital
# circuit would build three separate gates; here the three outputs are read off
# the *same* two hidden units, so the four first-layer weights serve every gate
# at once. `essay_lib.gates.hand_set_gate_network` builds this network.

# %%
GATE_NAMES = ("and", "or", "xor")
targets = gates.gate_targets(GATE_NAMES)
hand = gates.hand_set_gate_network(GATE_NAMES)
contrib = gates.unit_contributions(hand)  # (input, gate, unit)
hand_out = contrib.sum(-1) + hand.layers[1].bias.detach().numpy()
with torch.no_grad():
    hand_hidden = hand.forward_with_hidden(torch.as_tensor(gates.GATE_INPUTS))[1][0].numpy()
rows = []
for i, (x1, x2) in enumerate(gates.GATE_INPUTS.astype(int)):
    cells = " | ".join(f"{contrib[i, k, 0] + 0.0:+.0f} {contrib[i, k, 1] + 0.0:+.0f} = "
                       f"{hand_out[i, k] + 0.0:.0f}"
                       for k in range(len(GATE_NAMES)))
    rows.append(f"| {x1} {x2} | {hand_hidden[i, 0]:.0f} | {hand_hidden[i, 1]:.0f} | {cells} |")
display(Markdown(
    "Each gate's output as (contribution of $h_1$) + (contribution of $h_2$):\n\n"
    "| $x_1 x_2$ | $h_1$ | $h_2$ | AND | OR | XOR |\n|---|---:|---:|---:|---:|---:|\n"
    + "\n".join(rows)))
hand_sens = gates.weight_gate_sensitivity(hand)  # (gate, unit, input)
hand_gates_per_weight = (hand_sens > 0).sum(axis=0)
display(Markdown(
    f"All {len(GATE_NAMES)} gates are exact (accuracy "
    f"{gates.gate_accuracy(hand, targets).min():.0%}). Of the 4 first-layer weights, "
    f"{(hand_gates_per_weight >= 2).sum()} take part in two or more gates: the weights into "
    f"$h_2$ move AND, OR and XOR alike ({hand_gates_per_weight[1].min()} gates each), those "
    f"into $h_1$ move OR and XOR ({hand_gates_per_weight[0].min()} gates each)."))

# %% [markdown]
# Now let training find its own solution: an 8-unit network with three outputs,
# fitted to the three truth tables by mean squared error (five seeds, 500
# full-batch Adam steps each). Which hidden units carry which gate? We ask in
# two ways: remove one unit and see which gates break (their largest error
# reaches 0.5, the reading threshold), and measure how much each first-layer
# weight moves each gate output (mean $|\partial \text{gate}_k / \partial W_{1,ji}|$
# over the four inputs).

# %%
GATE_WIDTH, GATE_EPOCHS, GATE_SEEDS = 8, 500, (0, 1, 2, 3, 4)
summary = []
for seed in GATE_SEEDS:
    net = models.make_mlp(2, [GATE_WIDTH], len(GATE_NAMES), seed=seed)
    training.train_model(net, gates.GATE_INPUTS, targets, kind="regression",
                         epochs=GATE_EPOCHS, lr=0.03, seed=seed, eval_every=GATE_EPOCHS,
                         progress=False)
    ablation = gates.unit_ablation(net, targets)
    sens = gates.weight_gate_sensitivity(net)
    gates_per_weight = (sens > 0.05 * sens.max()).sum(axis=0)
    summary.append({"seed": seed, "net": net, "ablation": ablation, "sens": sens,
                    "accuracy": gates.gate_accuracy(net, targets).min(),
                    "live": int((np.abs(gates.unit_contributions(net)).max(axis=(0, 1)) > 0).sum()),
                    "multi_units": int(((ablation[1:] >= 0.5).sum(axis=1) >= 2).sum()),
                    "multi_weights": int((gates_per_weight >= 2).sum())})
first = summary[0]
unit_labels = [f"h{j + 1}" for j in range(GATE_WIDTH)]
weight_labels = [f"x{i + 1}→h{j + 1}" for j in range(GATE_WIDTH) for i in range(2)]

fig, axes = plt.subplots(1, 3, figsize=(13, 5), gridspec_kw={"wspace": 0.55})
plotting.plot_gate_matrix(hand_sens.transpose(1, 2, 0).reshape(4, 3),
                       row_labels=["x1→h1", "x2→h1", "x1→h2", "x2→h2"],
                       column_labels=[g.upper() for g in GATE_NAMES], ax=axes[0], cmap="Blues",
                       symmetric=False, fmt="{:.2f}",
                       title="hand-set: |d gate / d weight|")
plotting.plot_gate_matrix(first["sens"].transpose(1, 2, 0).reshape(-1, 3), row_labels=weight_labels,
                       column_labels=[g.upper() for g in GATE_NAMES], ax=axes[1], cmap="Blues",
                       symmetric=False, fmt="{:.2f}",
                       title=f"trained (seed {first['seed']}): |d gate / d weight|")
plotting.plot_gate_matrix(first["ablation"][1:], row_labels=[f"without {u}" for u in unit_labels],
                       column_labels=[g.upper() for g in GATE_NAMES], ax=axes[2], cmap="Reds",
                       symmetric=False, fmt="{:.2f}",
                       title="trained: largest error, one unit removed")
fig.suptitle("One weight, several gates: first-layer weights and hidden units serve AND, OR "
             "and XOR together", y=1.02)
plotting.save_figure(fig, "03-gates")
plt.show()

# %%
display(Markdown(
    "| seed | all gates right | live units | units whose removal breaks ≥ 2 gates "
    "| first-layer weights moving ≥ 2 gates |\n|---:|---:|---:|---:|---:|\n" + "\n".join(
        f"| {s['seed']} | {s['accuracy']:.0%} | {s['live']} / {GATE_WIDTH} | {s['multi_units']} "
        f"| {s['multi_weights']} / {2 * GATE_WIDTH} |" for s in summary)))
display(Markdown(
    f"Training solves all three gates in "
    f"{sum(s['accuracy'] == 1 for s in summary)} of {len(summary)} seeds. In every seed at "
    f"least {min(s['multi_units'] for s in summary)} hidden units are needed by two or more "
    f"gates (on average {np.mean([s['multi_units'] for s in summary]):.1f}), and "
    f"{np.mean([s['multi_weights'] for s in summary]):.1f} of the {2 * GATE_WIDTH} first-layer "
    f"weights move two or more gate outputs (sensitivity above 5% of the largest). This is the "
    f"paper's superposition in the plainest terms: the gates are not stored in separate "
    f"weights, they overlap in the same ones."))

# %% [markdown]
# ## 5 · Bridge to chapter 04: the literal additivity test
#
# The paper calls a function linear when $f(x_1 + x_2) = f(x_1) + f(x_2)$ for
# any pair, and says the equality fails faster as the polynomial degree climbs.
# We take the polynomial fits of section 2 (10 points, degrees 0 to 15) and
# measure the mean literal defect $|f(x_1 + x_2) - f(x_1) - f(x_2)|$ over 2000
# random pairs with $x_1, x_2$ uniform on $[-\tfrac12, \tfrac12]$ (so that
# $x_1 + x_2$ stays in the data's range), using
# `essay_lib.linearity.additivity_defect`.
#
# A pitfall shows at once: a straight line with an intercept,
# $f(x) = cx + b$, has defect exactly $|b|$, not 0, since
# $c(x_1 + x_2) + b - (cx_1 + b) - (cx_2 + b) = -b$. Only $f(x) = cx$ passes.
# So we also show the defect of $g(x) = f(x) - f(0)$, which removes the
# intercept, and, as a yardstick, the defect of the true function $x^2$ (which is
# $|2x_1x_2|$: the truth itself is not additive). Chapter 04 builds its measure
# $Z$ on this repair and normalises it.

# %%
rng = np.random.default_rng(SEED)
pair_x1, pair_x2 = rng.uniform(-0.5, 0.5, size=(2, 2000, 1))
bridge_fits = [poly.fit_polynomial(x_few, y_few, d) for d in DEGREES]
literal = np.array([np.abs(linearity.additivity_defect(p, pair_x1, pair_x2)).mean()
                    for p in bridge_fits])
centred = np.array([np.abs(linearity.additivity_defect(lambda x, p=p: p(x) - p(0.0),
                                                       pair_x1, pair_x2)).mean()
                    for p in bridge_fits])
truth_defect = np.abs(linearity.additivity_defect(data.quadratic_target, pair_x1, pair_x2)).mean()
line = bridge_fits[1]
slope_only = np.abs(linearity.additivity_defect(lambda x: line.coef[1] * x,
                                                pair_x1, pair_x2)).max()

fig, ax = plt.subplots(figsize=(6.4, 3.8))
ax.plot(list(DEGREES), literal, marker="o", markersize=4,
        label="literal: $|f(x_1+x_2) - f(x_1) - f(x_2)|$")
ax.plot(list(DEGREES), centred, marker="s", markersize=4,
        label="intercept removed: same for $g(x) = f(x) - f(0)$")
ax.axhline(truth_defect, color="0.5", linestyle=":", label="the true function $x^2$")
ax.axvline(len(x_few) - 1, color="C1", linestyle="--", linewidth=1,
           label=f"interpolation from degree {len(x_few) - 1}")
ax.set_ylim(bottom=0)
ax.set_xlabel("polynomial degree (fit to 10 points)")
ax.set_ylabel("mean additivity defect")
ax.set_title("Literal additivity defect of polynomial fits against degree")
ax.legend(fontsize=8, loc="upper right", frameon=True, framealpha=0.95, edgecolor="white")
plotting.save_figure(fig, "03-additivity-defect")
plt.show()
high = np.asarray(DEGREES) >= 5
display(Markdown(
    f"The literal test ranks the fits badly: the constant (degree 0) and the line score "
    f"{literal[0]:.3f} and {literal[1]:.3f}, while no fit of degree 2 or more scores above "
    f"{literal[2:].max():.3f}, because the "
    f"defect of the degree-1 fit $f(x) = {line.coef[1]:.3f}\\,x {line.coef[0]:+.3f}$ is "
    f"exactly its intercept ({abs(line.coef[0]):.4f}); the same slope without the intercept "
    f"has a largest defect of {slope_only:.1e} over the pairs. With the intercept removed, "
    f"degrees 0 and 1 score {max(centred[0], centred[1]):.1e}, degree 2 scores "
    f"{centred[2]:.3f} (the truth: {truth_defect:.3f}), and the overfit fits of degree 5 to "
    f"15 score {centred[high].min():.3f} to {centred[high].max():.3f}, up to "
    f"{centred[high].max() / truth_defect:.1f} times the truth. The rise is real but not "
    f"steep, and it stops once the fit interpolates: the literal defect mixes the fit's "
    f"scale, its intercept and its curvature. Chapter 04 separates them."))

# %% [markdown]
# ## What we measured
#
# The numbers below are recomputed every time the notebook runs.

# %%
display(Markdown("\n".join([
    f"- **Polynomials (10 points, pseudo-inverse fits).** Train / test MSE: degree 1 "
    f"{errors[1][0]:.4f} / {errors[1][1]:.4f}; degree 2 {errors[2][0]:.4f} / "
    f"{errors[2][1]:.4f}; degree 9 {errors[9][0]:.1e} / {errors[9][1]:.3f}.",
    f"- **Capacity.** The test error is lowest at degree {best_degree[10]} with 10 points and "
    f"at degree {best_degree[20]} with 20; weight decay brings the degree-9 test MSE from "
    f"{decay_test[0]:.2f} down to {decay_test.min():.4f}.",
    f"- **Piecewise linearity.** The trained 1 x {WIDTH} ReLU network is made of "
    f"{pieces_trained} linear pieces on $[-1, 1]$ ({pieces_initial} before training; bound "
    f"{WIDTH + 1}); at width {WIDTHS[-1]} networks have {counts['trained'][-1].mean():.0f} "
    f"pieces on average.",
    f"- **Gates.** Two hand-set ReLU units compute AND, OR and XOR exactly; trained 8-unit "
    f"networks solve all three in {sum(s['accuracy'] == 1 for s in summary)} of "
    f"{len(summary)} seeds, with {np.mean([s['multi_weights'] for s in summary]):.1f} of "
    f"{2 * GATE_WIDTH} first-layer weights shared by two or more gates.",
    f"- **Additivity.** The literal defect of a line equals its intercept "
    f"({literal[1]:.4f}); with the intercept removed, the defect is {centred[1]:.1e} at "
    f"degree 1, {centred[2]:.3f} at degree 2 (the truth $x^2$: {truth_defect:.3f}) and "
    f"{centred[9]:.3f} at degree 9.",
])))

# %% [markdown]
# ## Summary
#
# * A trained network is a transformation function; looking at it on a dense grid
#   shows what it does between the training points.
# * Polynomial degree is a capacity dial: too low underfits, too high interpolates the
#   noise and swings, and the test error against degree is U-shaped. Weight decay is a
#   second dial on the same fit, from overfit to the right shape to a constant.
# * A ReLU network is a polyline in one dimension: its pieces can be counted exactly,
#   and the count grows with width but stays far below the bound.
# * ReLU kinks compute logic (XOR needs one), and the gates of a network share their
#   hidden units and weights: the paper's "superposition", in numbers.
# * The literal test $f(x_1 + x_2) = f(x_1) + f(x_2)$ punishes every intercept; once the
#   intercept is removed, the defect grows with the degree. Chapter 04 turns this into
#   the measure $Z$.
#
# ## Exercises
#
# 1. Use all 20 training points in section 2 (`x_few, y_few = x_train, y_train`). Which
#    degree now interpolates, and where does the test curve bottom out?
# 2. Penalise the intercept too (`penalize_intercept=True` in `fit_polynomial`). What does
#    the degree-9 fit become at $\lambda = 10^3$, and why?
# 3. Make the network of section 1 two layers deep (`[32, 32]`). Count its linear pieces
#    before and after training. Does depth add more pieces than the same number of units
#    in one layer?
# 4. Add NAND and XNOR to `GATE_NAMES` (both are in `gates.GATE_NAMES`). Do the hand-set
#    units still compute everything? How many first-layer weights does a trained
#    network share between gates now?
