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

# %% [markdown]
# **You will learn**
#
# * to see a trained network as one transformation function from inputs to outputs;
# * polynomial degree as a capacity dial, from underfit to the right shape to interpolation,
#   and weight decay as a second dial (the *Deep Learning* book's Figs 5.2, 5.3 and 5.5
#   [@goodfellow2016]);
# * why a ReLU network is piecewise linear, and how many linear pieces trained networks
#   actually have [@hanin2019];
# * how ReLU units compute logic gates that share their weights, and a first, literal test of
#   additivity.
#
# **You need**
#
# * chapter 00 (the noisy parabola) and chapter 01 (the L2 penalty, here called weight decay);
# * maths: polynomials, least squares, piecewise-linear functions, and the truth tables of
#   AND, OR and XOR.

# %% [markdown]
# **What the paper claims.** Teague [@teague2019] asks us to look past the layers and see a
# trained network as one *transformation function* that carries an input $x$ to
# a prediction $y$, fitted so that it generalises from the training pairs. He
# illustrates it with polynomials of rising degree (the Deep Learning book's
# Fig 5.2 [@goodfellow2016]), and adds two remarks about real networks: their functions carry
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
# The whole notebook runs in well under a minute on a laptop CPU. The first cell
# holds every setting of the chapter; everything random derives from `SEED`.

# %% tags=["parameters"]
SEED = 0
N_TRAIN, N_TEST, NOISE, GRID_POINTS = 20, 200, 0.1, 801  # the 1-D quadratic task
WIDTH, EPOCHS, LR = 64, 2000, 1e-2  # section 1's network: hidden units, Adam steps, rate
SUBSET_STEP = 2  # section 2 fits one training point in SUBSET_STEP
SHOWN_DEGREES = (1, 2, 9)  # too low, right, interpolating (the book's Fig 5.2)
MAX_DEGREE = 15  # the degree sweep runs from 0 to MAX_DEGREE
DECAY_DEGREE, LOG10_LAMBDAS, N_LAMBDAS = 9, (-8, 3), 23  # weight decay: degree and grid
SHOWN_LAMBDAS = (0.0, 1e-1, 1e3)  # three strengths drawn (each on the grid, or 0)
WIDTHS, N_PIECE_SEEDS, PIECE_EPOCHS = (2, 4, 16, 64, 256), 3, 500  # pieces against width
GATE_NAMES = ("and", "or", "xor")
GATE_WIDTH, GATE_EPOCHS, GATE_LR, N_GATE_SEEDS = 8, 500, 0.03, 5  # trained gate networks
N_PAIRS, PAIR_HALF_WIDTH = 2000, 0.5  # additivity pairs x1, x2 uniform on [-h, h]
OVERFIT_FROM_DEGREE = 5  # section 5 calls fits of this degree and above overfit

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display
from numpy.polynomial import Polynomial

from essay_lib import data
from essay_lib.measures import gates, linear_pieces, linearity
from essay_lib.measures import polynomials as poly
from essay_lib.nets import models, training
from essay_lib.report import plotting, session, tables, vocabulary, wording

rng = session.setup(seed=SEED)

# %%
task = data.quadratic_task(n_train=N_TRAIN, n_test=N_TEST, noise=NOISE, seed=SEED)
x_train, y_train = task.X_train[:, 0].astype(float), task.y_train[:, 0].astype(float)
x_test, y_test = task.X_test[:, 0].astype(float), task.y_test[:, 0].astype(float)
grid = np.linspace(-1, 1, GRID_POINTS)
display(Markdown(
    f"The task: {task.n_train} training points and {task.n_test} test points, "
    f"$x$ uniform on $[-1, 1]$, $y = x^2 + \\varepsilon$ with noise standard deviation "
    f"{task.description['noise']}. The best possible test MSE (the noise variance) is about "
    f"{task.description['noise'] ** 2:.3f}."))

# %% [markdown]
# ## 1 · A network is a transformation function
#
# A one-hidden-layer ReLU network, trained full-batch with Adam on the training
# points, is a function from $\mathbb{R}$ to $\mathbb{R}$. Evaluating it on a
# dense grid shows the whole function, not just its values at the data.

# %%
mlp = models.make_mlp(1, [WIDTH], 1, seed=SEED)
mlp_initial = models.make_mlp(1, [WIDTH], 1, seed=SEED)  # the same start, kept untrained
training.train_model(mlp, task.X_train, task.y_train, kind="regression",
                     epochs=EPOCHS, lr=LR, seed=SEED, eval_every=EPOCHS,
                     description="MLP on x^2")
mlp_train = training.score(mlp, task.X_train, task.y_train, kind="regression")["loss"]
mlp_test = training.score(mlp, task.X_test, task.y_test, kind="regression")["loss"]
mlp_grid = training.predict(mlp, grid[:, None])[:, 0]

# %%
fig, ax = plt.subplots(figsize=(6.4, 3.8))
plotting.plot_function_1d(grid, mlp_grid, x_train=x_train, y_train=y_train, ax=ax,
                          label=f"MLP, 1 x {WIDTH} ReLU", true_function=data.quadratic_target)
ax.set_title("The learned transformation function of a small ReLU network")
ax.legend(loc="upper center")
plotting.save_figure(fig, "03-mlp-function")
plt.show()
display(Markdown(
    f"With {WIDTH} hidden units and {EPOCHS} full-batch Adam steps (learning rate {LR:g}), "
    f"the network reaches a training MSE of {mlp_train:.4f} and a "
    f"test MSE of {mlp_test:.4f}: it follows the parabola between the points, with visible "
    f"corners where its ReLU units switch on or off (section 3 counts them)."))

# %% [markdown]
# ## 2 · Polynomial transformation functions and capacity
#
# The Deep Learning book (§5.2) fits polynomials $p(x) = \sum_{k=0}^{d} c_k x^k$
# by least squares. A degree-$d$ polynomial has $d+1$ coefficients, so it passes
# through $n$ points once $d \ge n-1$. The book's figure uses few points so that
# degree 9 interpolates; with all our training points a degree-9 fit would not,
# so for this section we keep a subset of them, still spread over $[-1, 1]$.
# When $d \ge n-1$ the interpolant is not unique; like the book we take the
# minimum-norm one, the Moore–Penrose pseudo-inverse solution
# (`essay_lib.measures.polynomials.fit_polynomial`, which solves with numpy's
# Vandermonde matrix and an SVD least-squares solver).

# %%
x_few, y_few = x_train[::SUBSET_STEP], y_train[::SUBSET_STEP]
fits = {d: poly.fit_polynomial(x_few, y_few, d) for d in SHOWN_DEGREES}
errors = {d: (poly.mean_squared_error(p, x_few, y_few), poly.mean_squared_error(p, x_test, y_test))
          for d, p in fits.items()}
axes = plotting.plot_polynomial_fits(
    grid, fits, x_train=x_few, y_train=y_few, errors=errors, true_function=data.quadratic_target,
    title=f"Polynomial fits to {len(x_few)} noisy points of $y = x^2$ (y-axis clipped)")
plotting.save_figure(axes[0].figure, "03-polynomial-fits")
plt.show()
display(Markdown(
    f"We keep one training point in {SUBSET_STEP}: {len(x_few)} points, so every fit of "
    f"degree {len(x_few) - 1} or more passes through all of them."))

# %%
D_LOW, D_RIGHT, D_HIGH = SHOWN_DEGREES
display(Markdown(tables.markdown_table(
    ["degree", "train MSE", "test MSE"],
    [[d, f"{tr:.4f}", f"{te:.4f}"] for d, (tr, te) in errors.items()], align=["right"] * 3)))
display(Markdown(
    f"Degree {D_LOW} cannot bend, so both errors stay high ({errors[D_LOW][1]:.3f} on test). "
    f"Degree {D_RIGHT} has the shape of the truth and a test MSE of {errors[D_RIGHT][1]:.4f}. "
    f"Degree {D_HIGH} drives the training error to {wording.residual(errors[D_HIGH][0])} and "
    f"hits every point, while its test error, {errors[D_HIGH][1]:.2f}, is "
    f"{errors[D_HIGH][1] / errors[D_RIGHT][1]:.0f} times that of degree {D_RIGHT}: "
    f"between and beyond the points it swings far from the parabola."))

# %% [markdown]
# ### Training and test error against degree (the book's Fig 5.3)
#
# Sweeping the degree from 0 upwards traces capacity. The training error can only
# fall as the degree grows (each model contains the previous one); the test error
# falls, bottoms out, and rises again. Beyond degree $n-1$ the training error is
# zero and the pseudo-inverse picks the smallest interpolant. We show the sweep
# for the subset of section 2 and for all the training points.

# %%
DEGREES = range(MAX_DEGREE + 1)
n_few, n_all = len(x_few), len(x_train)
degree_sweeps = {n_few: poly.degree_sweep(x_few, y_few, x_test, y_test, DEGREES),
                 n_all: poly.degree_sweep(x_train, y_train, x_test, y_test, DEGREES)}
best_degree = {n: int(s["degree"][np.argmin(s["test_mse"])]) for n, s in degree_sweeps.items()}
axes = plotting.plot_degree_sweep(
    degree_sweeps, title="Training and test error of polynomial fits against degree")
plotting.save_figure(axes[0].figure, "03-degree-sweep")
plt.show()

# %%
few_test, all_test = degree_sweeps[n_few]["test_mse"], degree_sweeps[n_all]["test_mse"]
climb = {n: int(s["degree"][(s["degree"] > best_degree[n])
                            & (s["test_mse"] > 10 * s["test_mse"].min())][0])
         for n, s in degree_sweeps.items()}  # first degree past the best at 10x its error
display(Markdown(
    f"With {n_few} points the test error is lowest at degree {best_degree[n_few]} "
    f"({few_test[best_degree[n_few]]:.4f}) and reaches {few_test[-1]:.1f} at degree "
    f"{MAX_DEGREE}; with {n_all} points the lowest is at degree {best_degree[n_all]} "
    f"({all_test[best_degree[n_all]]:.4f}). The climb starts later with more data: the test "
    f"error first exceeds ten times its lowest value at degree {climb[n_few]} with {n_few} "
    f"points and at degree {climb[n_all]} with {n_all}, because more data supports more "
    f"capacity. Past that point the {n_all}-point fits swing "
    f"{'further' if all_test[-1] > few_test[-1] else 'less far'} from the parabola near the "
    f"ends of the data: at degree {MAX_DEGREE} their test MSE is {all_test[-1]:.3g}, against "
    f"{few_test[-1]:.3g} with {n_few} points."))

# %% [markdown]
# ### Weight decay on a high-degree fit (the book's Fig 5.5)
#
# Keep the interpolating degree but penalise large coefficients: minimise
# $\frac{1}{n}\sum_i (p(x_i) - y_i)^2 + \lambda \sum_{k \ge 1} c_k^2$. We leave the
# intercept $c_0$ unpenalised (so a huge $\lambda$ leaves the constant
# $\bar y$, the book's flat line, rather than the constant 0).

# %%
LAMBDAS = np.r_[0.0, np.logspace(*LOG10_LAMBDAS, N_LAMBDAS)]
decay = poly.weight_decay_path(x_few, y_few, x_test, y_test, DECAY_DEGREE, LAMBDAS)
axes = plotting.plot_weight_decay(
    grid, decay, SHOWN_LAMBDAS, x_train=x_few, y_train=y_few, true_function=data.quadratic_target,
    title=f"Weight decay $\\lambda$ on the degree-{DECAY_DEGREE} fit to {n_few} points")
plotting.save_figure(axes[0].figure, "03-weight-decay")
plt.show()
decay_test, best_lambda = decay["test_mse"], LAMBDAS[np.argmin(decay["test_mse"])]
display(Markdown(
    f"On the grid, the test MSE of the degree-{DECAY_DEGREE} fit falls from {decay_test[0]:.2f} at "
    f"$\\lambda = 0$ to {decay_test.min():.4f} at $\\lambda \\approx$ {best_lambda:.0e} and "
    f"rises to {decay_test[-1]:.3f} at $\\lambda =$ {LAMBDAS[-1]:.0e}, where the fit is a "
    f"near-constant at the mean of the targets ({y_few.mean():.3f}): from overfit to the "
    f"right shape to a constant."))

# %% [markdown]
# ## 3 · A ReLU network is piecewise linear
#
# Polynomials are smooth; ReLU networks are not. Each hidden unit
# $\max(0, w x + b)$ is linear on both sides of $x = -b/w$, so a one-hidden-layer
# network on one input is a continuous chain of straight segments, with at most
# one kink per unit. `essay_lib.measures.linear_pieces.linear_piece_breakpoints`
# finds the kinks exactly (in float64, layer by layer) along a segment,
# `kink_points` turns them into inputs and `count_linear_pieces` counts the pieces;
# we use the segment from $x=-1$ to $x=1$.

# %%
START, END = np.array([-1.0]), np.array([1.0])
kinks_x = linear_pieces.kink_points(mlp, START, END)[:, 0]
kinks_y = training.predict(mlp, kinks_x[:, None])[:, 0]
pieces_trained = linear_pieces.count_linear_pieces(mlp, START, END)
pieces_initial = linear_pieces.count_linear_pieces(mlp_initial, START, END)
ax = plotting.plot_kinks(grid, mlp_grid, kinks_x, kinks_y, x_train=x_train, y_train=y_train,
                         label=f"trained MLP ({pieces_trained} pieces)",
                         title="The trained network's linear pieces and their kinks")
plotting.save_figure(ax.figure, "03-linear-pieces")
plt.show()
display(Markdown(
    f"On $[-1, 1]$ the trained {WIDTH}-unit network is made of **{pieces_trained} linear "
    f"pieces** (the same network before training had {pieces_initial}); one hidden layer of "
    f"{WIDTH} units allows at most {WIDTH + 1}."))

# %% [markdown]
# How does the count depend on width, and on training? We train networks of
# several widths (a few seeds each, Adam as above but fewer steps, to keep the
# notebook quick) and count their pieces on $[-1, 1]$ before and after
# (`linear_pieces.pieces_against_width`).

# %%
piece_seeds = range(SEED, SEED + N_PIECE_SEEDS)
by_width = linear_pieces.pieces_against_width(
    task.X_train, task.y_train, task.X_test, task.y_test, WIDTHS, piece_seeds,
    epochs=PIECE_EPOCHS, lr=LR, start=START, end=END)
ax = plotting.plot_pieces_against_width(
    by_width, segment="[-1, 1]", title="Linear pieces of one-hidden-layer ReLU networks against width")
plotting.save_figure(ax.figure, "03-pieces-vs-width")
plt.show()
display(Markdown(
    f"Widths {', '.join(map(str, WIDTHS))}; seeds {piece_seeds.start} to {piece_seeds.stop - 1}; "
    f"{PIECE_EPOCHS} full-batch Adam steps of learning rate {LR:g}."))

# %%
counts_initial, counts_trained = by_width["initial"], by_width["trained"]
display(Markdown(tables.markdown_table(
    ["width", "pieces at init", "pieces trained", "bound", "test MSE trained"],
    [[w, f"{counts_initial[i].mean():.1f}", f"{counts_trained[i].mean():.1f}", w + 1,
      f"{by_width['test_mse'][i].mean():.4f}"] for i, w in enumerate(WIDTHS)],
    align=["right"] * 5)))

# %%
display(Markdown(
    f"The number of pieces grows with width but stays far below the bound: at width "
    f"{WIDTHS[-1]}, {counts_trained[-1].mean():.0f} pieces on average out of a possible "
    f"{WIDTHS[-1] + 1} ({counts_trained[-1].mean() / (WIDTHS[-1] + 1):.0%}). The reason is the "
    f"initialisation: a unit's kink sits at $x = -b/w$, and with PyTorch's default $w$ and $b$ "
    f"drawn from the same interval, {by_width['kink_inside'][-1].mean():.0%} of the "
    f"{WIDTHS[-1]} units start with their kink inside $[-1, 1]$. Training moves kinks but "
    f"barely changes how many there are (on average "
    f"{wording.number(np.mean(counts_trained - counts_initial), '+.1f')} pieces over these networks): a "
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
# at once. `essay_lib.measures.gates.hand_set_gate_network` builds this network.

# %%
targets = gates.gate_targets(GATE_NAMES)
hand = gates.hand_set_gate_network(GATE_NAMES)
contrib = gates.unit_contributions(hand)  # (input, gate, unit)
hand_out = contrib.sum(-1) + hand.layers[1].bias.detach().numpy()
hand_hidden = gates.hidden_activations(hand)  # (input, unit)
rows = [[f"{x1} {x2}", f"{h[0]:.0f}", f"{h[1]:.0f}",
         *(f"{c[k, 0] + 0.0:+.0f} {c[k, 1] + 0.0:+.0f} = {o[k] + 0.0:.0f}"
           for k in range(len(GATE_NAMES)))]
        for (x1, x2), h, c, o in zip(gates.GATE_INPUTS.astype(int), hand_hidden, contrib,
                                     hand_out, strict=True)]

# %%
display(Markdown(
    "Each gate's output as (contribution of $h_1$) + (contribution of $h_2$):\n\n"
    + tables.markdown_table(["$x_1 x_2$", "$h_1$", "$h_2$", *(g.upper() for g in GATE_NAMES)],
                            rows, align=["left"] + ["right"] * (2 + len(GATE_NAMES)))))

# %%
hand_sens = gates.weight_gate_sensitivity(hand)  # (gate, unit, input)
hand_gates_per_weight = (hand_sens > 0).sum(axis=0)  # (unit, input)
moves = hand_sens.max(axis=2) > 0  # (gate, unit): the unit's weights move the gate
moved = [vocabulary.join_names([g.upper() for g, m in zip(GATE_NAMES, moves[:, j], strict=True) if m])
         for j in range(2)]  # the gates moved by the weights into h1, h2
display(Markdown(
    f"All {len(GATE_NAMES)} gates are exact (accuracy "
    f"{gates.gate_accuracy(hand, targets).min():.0%}). Of the 4 first-layer weights, "
    f"{(hand_gates_per_weight >= 2).sum()} take part in two or more gates: the weights into "
    f"$h_2$ move {moved[1]} alike ({hand_gates_per_weight[1].min()} gates each), those "
    f"into $h_1$ move {moved[0]} ({hand_gates_per_weight[0].min()} gates each)."))

# %% [markdown]
# Now let training find its own solution: a wider network with one output per gate,
# fitted to the truth tables by mean squared error (several seeds, full-batch
# Adam). Which hidden units carry which gate? We ask in two ways: remove one unit
# and see which gates break (their largest error reaches 0.5, the reading
# threshold), and measure how much each first-layer weight moves each gate output
# (mean $|\partial \text{gate}_k / \partial W_{1,ji}|$ over the four inputs);
# `gates.train_gate_networks` does both for every seed.

# %%
gate_seeds = range(SEED, SEED + N_GATE_SEEDS)
summary = gates.train_gate_networks(GATE_NAMES, GATE_WIDTH, gate_seeds, epochs=GATE_EPOCHS,
                                    lr=GATE_LR)
axes = plotting.plot_gate_sharing(
    hand_sens, summary[0], names=GATE_NAMES,
    title="Which gates each first-layer weight and each hidden unit serves")
plotting.save_figure(axes[0].figure, "03-gates")
plt.show()
display(Markdown(
    f"Trained: {GATE_WIDTH} hidden units, {len(GATE_NAMES)} outputs, seeds "
    f"{gate_seeds.start} to {gate_seeds.stop - 1}, {GATE_EPOCHS} Adam steps of learning rate "
    f"{GATE_LR:g}; the middle and right panels show seed {summary[0]['seed']}."))

# %%
multi_weights = np.mean([s["multi_gate_weights"] for s in summary])
display(Markdown(tables.markdown_table(
    ["seed", "all gates right", "live units", "units whose removal breaks ≥ 2 gates",
     "first-layer weights moving ≥ 2 gates"],
    [[s["seed"], f"{s['worst_accuracy']:.0%}", f"{s['live_units']} / {GATE_WIDTH}",
      s["multi_gate_units"], f"{s['multi_gate_weights']} / {2 * GATE_WIDTH}"] for s in summary],
    align=["right"] * 5)))

# %%
display(Markdown(
    f"Training solves all {len(GATE_NAMES)} gates in "
    f"{sum(s['worst_accuracy'] == 1 for s in summary)} of {len(summary)} seeds. In every seed at "
    f"least {min(s['multi_gate_units'] for s in summary)} hidden units are needed by two or more "
    f"gates (on average {np.mean([s['multi_gate_units'] for s in summary]):.1f}), and "
    f"{multi_weights:.1f} of the {2 * GATE_WIDTH} first-layer "
    f"weights move two or more gate outputs (sensitivity above 5% of the largest). This is the "
    f"paper's superposition in the plainest terms: the gates are not stored in separate "
    f"weights, they overlap in the same ones."))

# %% [markdown]
# ## 5 · Bridge to chapter 04: the literal additivity test
#
# The paper calls a function linear when $f(x_1 + x_2) = f(x_1) + f(x_2)$ for
# any pair, and says the equality fails faster as the polynomial degree climbs.
# We take the polynomial fits of section 2 (the subset, every degree of the sweep)
# and measure the mean literal defect $|f(x_1 + x_2) - f(x_1) - f(x_2)|$ over
# random pairs with $x_1, x_2$ uniform on $[-h, h]$, $h = \tfrac12$ (so that
# $x_1 + x_2$ stays in the data's range), using
# `essay_lib.measures.polynomials.additivity_by_degree`.
#
# A pitfall shows at once: a straight line with an intercept,
# $f(x) = cx + b$, has defect exactly $|b|$, not 0, since
# $c(x_1 + x_2) + b - (cx_1 + b) - (cx_2 + b) = -b$. Only $f(x) = cx$ passes.
# So we also show the defect of $g(x) = f(x) - f(0)$, which removes the
# intercept, and, as a yardstick, the defect of the true function $x^2$ (which is
# $|2x_1x_2|$: the truth itself is not additive). Chapter 04 builds its measure
# $Z$ on this repair and normalises it.

# %%
pair_x1, pair_x2 = rng.uniform(-PAIR_HALF_WIDTH, PAIR_HALF_WIDTH, size=(2, N_PAIRS, 1))
bridge_fits = [poly.fit_polynomial(x_few, y_few, d) for d in DEGREES]
defects = poly.additivity_by_degree(bridge_fits, pair_x1, pair_x2)
literal, centred = defects["literal"], defects["centred"]
truth_defect = np.abs(linearity.additivity_defect(data.quadratic_target, pair_x1, pair_x2)).mean()
line = bridge_fits[1]
slope_only = np.abs(linearity.additivity_defect(Polynomial([0.0, line.coef[1]]),
                                                pair_x1, pair_x2)).max()  # c x, no intercept
high = np.asarray(DEGREES) >= OVERFIT_FROM_DEGREE  # the overfit fits
interpolating = np.asarray(DEGREES) >= n_few - 1
ranks_badly = literal[:2].min() > literal[2:].max()  # line and constant look worst

# %%
ax = plotting.plot_additivity_by_degree(
    DEGREES, literal, centred, truth=truth_defect, interpolation_degree=n_few - 1, n_points=n_few,
    title="Literal additivity defect of polynomial fits against degree")
plotting.save_figure(ax.figure, "03-additivity-defect")
plt.show()

# %%
display(Markdown(
    f"Over {N_PAIRS} pairs ($h = {PAIR_HALF_WIDTH:g}$), the constant (degree 0) and the line "
    f"score {literal[0]:.3f} and {literal[1]:.3f}, and the fits of degree 2 or more at most "
    f"{literal[2:].max():.3f}{': the literal test ranks the fits badly' if ranks_badly else ''}. "
    f"The defect of the degree-1 fit $f(x) = {line.coef[1]:.3f}\\,x {line.coef[0]:+.3f}$ is "
    f"exactly its intercept ({abs(line.coef[0]):.4f}); the same slope without the intercept "
    f"has a largest defect of {wording.residual(slope_only)} over the pairs. With the intercept "
    f"removed, degrees 0 and 1 score {wording.residual(max(centred[0], centred[1]))}, degree 2 scores "
    f"{centred[2]:.3f} (the truth: {truth_defect:.3f}), and the overfit fits of degree "
    f"{OVERFIT_FROM_DEGREE} to {MAX_DEGREE} score {centred[high].min():.3f} to "
    f"{centred[high].max():.3f}, up to {centred[high].max() / truth_defect:.1f} times the truth; "
    f"from degree {n_few - 1} on, where the fits interpolate, they stay between "
    f"{centred[interpolating].min():.3f} and {centred[interpolating].max():.3f}. The literal "
    f"defect mixes the fit's scale, its intercept and its curvature. Chapter 04 separates them."))

# %% [markdown]
# ## What we measured
#
# The numbers below are recomputed every time the notebook runs.

# %%
display(Markdown("\n".join([
    f"- **Polynomials ({n_few} points, pseudo-inverse fits).** Train / test MSE: degree "
    f"{D_LOW} {errors[D_LOW][0]:.4f} / {errors[D_LOW][1]:.4f}; degree {D_RIGHT} "
    f"{errors[D_RIGHT][0]:.4f} / {errors[D_RIGHT][1]:.4f}; degree {D_HIGH} "
    f"{wording.residual(errors[D_HIGH][0])} / {errors[D_HIGH][1]:.3f}.",
    f"- **Capacity.** The test error is lowest at degree {best_degree[n_few]} with {n_few} points "
    f"and at degree {best_degree[n_all]} with {n_all}; weight decay brings the "
    f"degree-{DECAY_DEGREE} test MSE from {decay_test[0]:.2f} down to {decay_test.min():.4f}.",
    f"- **Piecewise linearity.** The trained 1 x {WIDTH} ReLU network is made of "
    f"{pieces_trained} linear pieces on $[-1, 1]$ ({pieces_initial} before training; bound "
    f"{WIDTH + 1}); at width {WIDTHS[-1]} networks have {counts_trained[-1].mean():.0f} "
    f"pieces on average.",
])))

# %%
display(Markdown("\n".join([
    f"- **Gates.** Two hand-set ReLU units compute {vocabulary.join_names(g.upper() for g in GATE_NAMES)} "
    f"exactly; trained {GATE_WIDTH}-unit networks solve all {len(GATE_NAMES)} in "
    f"{sum(s['worst_accuracy'] == 1 for s in summary)} of {len(summary)} seeds, with "
    f"{multi_weights:.1f} of {2 * GATE_WIDTH} first-layer weights shared by two or more gates.",
    f"- **Additivity.** The literal defect of a line equals its intercept "
    f"({literal[1]:.4f}); with the intercept removed, the defect is {wording.residual(centred[1])} at "
    f"degree 1, {centred[2]:.3f} at degree 2 (the truth $x^2$: {truth_defect:.3f}) and "
    f"{centred[DECAY_DEGREE]:.3f} at degree {DECAY_DEGREE}.",
])))

# %% [markdown]
# ## Takeaways

# %%
solved = sum(s["worst_accuracy"] == 1 for s in summary)
takeaways = [
    "**A trained network is one transformation function**; evaluating it on a dense grid shows "
    "what it does between the training points.",
    f"**Polynomial degree is a capacity dial.** With {n_few} points the test error is lowest at "
    f"degree {best_degree[n_few]}, and the degree-{D_HIGH} fit's test error is "
    f"{errors[D_HIGH][1] / errors[D_RIGHT][1]:.0f} times the degree-{D_RIGHT} fit's. Weight decay "
    f"is a second dial: it takes the degree-{DECAY_DEGREE} fit from a test MSE of {decay_test[0]:.2f} "
    f"to {decay_test.min():.4f} at its best [@goodfellow2016].",
    f"**A ReLU network is a polyline in one dimension.** The trained {WIDTH}-unit network has "
    f"{pieces_trained} linear pieces where {WIDTH + 1} are possible; at width {WIDTHS[-1]} trained "
    f"networks use {counts_trained[-1].mean() / (WIDTHS[-1] + 1):.0%} of the bound [@hanin2019].",
]

# %%
takeaways += [
    f"**ReLU kinks compute logic, and the gates share weights.** Trained networks solve all "
    f"{len(GATE_NAMES)} gates in {solved} of {len(summary)} seeds, and {multi_weights:.1f} of their "
    f"{2 * GATE_WIDTH} first-layer weights serve two or more gates: the paper's superposition, in numbers.",
    f"**The literal test measures the intercept.** A line's literal defect is its intercept "
    f"({literal[1]:.4f}); with the intercept removed, the defect "
    f"{'grows' if centred[DECAY_DEGREE] > centred[1] else 'does not grow'} from "
    f"{wording.residual(centred[1])} at "
    f"degree 1 to {centred[DECAY_DEGREE]:.3f} at degree {DECAY_DEGREE}. Chapter 04 turns this repair "
    "into the measure $Z$.",
]
display(Markdown("\n".join(f"- {line}" for line in takeaways)))

# %% [markdown]
# ## Exercises
#
# Each exercise has a level (★ to ★★★) and a kind; its worked solution is folded below it.

# %% [markdown] tags=["exercise"]
# **Exercise 1** (★ · pen and paper). Compute the literal additivity defect
# $f(x_1 + x_2) - f(x_1) - f(x_2)$ of the line $f(x) = cx + b$ and of the parabola
# $f(x) = x^2$. For $x_1, x_2$ drawn independently and uniformly on $[-h, h]$, what is the
# mean absolute defect of the parabola? Compare with the truth's value in section 5.

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 1.** For the line, $c(x_1 + x_2) + b - (cx_1 + b) - (cx_2 + b) = -b$: the slope
# cancels and only the intercept is left, whatever the pair. For the parabola,
# $(x_1 + x_2)^2 - x_1^2 - x_2^2 = 2x_1x_2$. With independent $x_1, x_2$,
#
# $$\mathbb E\,|2x_1x_2| = 2\,\mathbb E|x_1|\;\mathbb E|x_2| = 2\Big(\frac h2\Big)^2 = \frac{h^2}{2},$$
#
# since $|x|$ is uniform on $[0, h]$ with mean $h/2$. The cell checks the line's defect and
# that section 5's sample mean for the truth lies within five standard errors of $h^2/2$.

# %% tags=["solution"] jupyter={"source_hidden": true}
line_defect = linearity.additivity_defect(Polynomial([0.7, 2.0]), pair_x1, pair_x2)  # f = 2x + 0.7
assert np.allclose(line_defect, -0.7)
standard_error = np.std(np.abs(2 * pair_x1 * pair_x2)) / np.sqrt(N_PAIRS)
assert abs(truth_defect - PAIR_HALF_WIDTH ** 2 / 2) < 5 * standard_error

# %% [markdown] tags=["exercise"]
# **Exercise 2** (★★ · pen and paper). Show that a ReLU network with one hidden layer of $N$
# units and one input is made of at most $N + 1$ linear pieces on any interval. Where is the
# kink of unit $j$, with input weight $w_j$ and bias $b_j$? Why do section 3's networks have
# far fewer pieces than $N + 1$ on $[-1, 1]$?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 2.** The network is $f(x) = \sum_j v_j \operatorname{relu}(w_j x + b_j) + c$.
# Each term is linear on either side of the point where its argument changes sign,
# $x_j = -b_j/w_j$ (no kink at all when $w_j = 0$): it is a function with at most one kink. A
# sum of functions is linear wherever all of them are, so $f$ can bend only at the $x_j$: at
# most $N$ kinks, hence at most $N + 1$ pieces. Fewer pieces appear when kinks fall outside
# the interval, when two units share a kink, or when a unit's read-out weight $v_j$ is 0 (its
# kink does not change the slope of $f$). With PyTorch's initialisation many $x_j = -b_j/w_j$
# lie outside $[-1, 1]$, as section 3 measured, and training moves few of them in. The cell
# checks the bound on every network of the width sweep and, for section 1's network, that its
# pieces are at most one more than the number of kinks $-b_j/w_j$ inside $[-1, 1]$.

# %% tags=["solution"] jupyter={"source_hidden": true}
assert np.all(counts_trained <= np.asarray(WIDTHS)[:, None] + 1)
assert np.all(counts_initial <= np.asarray(WIDTHS)[:, None] + 1)
w_first = mlp.layers[0].weight.detach().numpy()[:, 0]
b_first = mlp.layers[0].bias.detach().numpy()
assert pieces_trained <= np.sum(np.abs(-b_first / w_first) < 1) + 1

# %% [markdown] tags=["exercise"]
# **Exercise 3** (★ · computation). Fit polynomials to **all** the training points of
# section 2, of every degree from 0 to $n + 4$ ($n$ the number of points). Set `answer_3` to
# the pair (first degree that interpolates, degree with the lowest test error), counting a fit
# as interpolating when its training MSE is below $10^{-12}$ times the variance of the targets.
# Why is the first number exactly what it is?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 3.** A polynomial of degree $d$ has $d + 1$ coefficients, so it can pass through
# $n$ points with distinct $x$ once $d + 1 \ge n$: the Vandermonde system then has a solution
# (for $d = n - 1$ a unique one, its matrix being invertible), and below that degree there are
# more equations than unknowns and noisy points are, in general, not all hit. So the first
# interpolating degree is $n - 1$. The tolerance $10^{-12}$ only absorbs float64 rounding.
# More points push the bottom of the test curve, and the start of its climb, to higher
# degrees.

# %% tags=["solution"] jupyter={"source_hidden": true}
all_sweep = poly.degree_sweep(x_train, y_train, x_test, y_test, range(n_all + 5))
interpolates = all_sweep["train_mse"] < 1e-12 * np.var(y_train)
answer_3 = (int(all_sweep["degree"][np.argmax(interpolates)]),
            int(all_sweep["degree"][np.argmin(all_sweep["test_mse"])]))

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown(
    f"With all {n_all} points the first interpolating degree is {answer_3[0]}, and the test "
    f"error is lowest at degree {answer_3[1]} ({all_sweep['test_mse'][answer_3[1]]:.4f}); with "
    f"{n_few} points it was lowest at degree {best_degree[n_few]}."))

# %% tags=["solution", "check"] jupyter={"source_hidden": true}
reference_sweep = poly.degree_sweep(x_train, y_train, x_test, y_test, range(len(x_train) + 5))
assert answer_3[0] == len(x_train) - 1
assert answer_3[1] == int(reference_sweep["degree"][np.argmin(reference_sweep["test_mse"])])

# %% [markdown] tags=["exercise"]
# **Exercise 4** (★★ · pen and paper). Penalise the intercept too: minimise
# $\frac1n\sum_i (p(x_i) - y_i)^2 + \lambda \lVert c\rVert^2$ over **all** coefficients $c$ of
# $p$ (`penalize_intercept=True` in `fit_polynomial`). Solve the degree-0 case by hand. What do
# the fits of every degree tend to as $\lambda \to \infty$, and how does that differ from
# section 2, where the intercept is free?

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 4.** For degree 0, $p(x) = c_0$ and the objective is
# $\frac1n\sum_i (c_0 - y_i)^2 + \lambda c_0^2$. Its derivative $2(c_0 - \bar y) + 2\lambda c_0$
# vanishes at
#
# $$c_0 = \frac{\bar y}{1 + \lambda},$$
#
# which tends to **0** as $\lambda \to \infty$, not to the mean $\bar y$ that the free
# intercept keeps. In general, with the Vandermonde matrix $V$, the minimiser is
# $c = (V^\top V/n + \lambda I)^{-1} V^\top y / n$, so
# $\lVert c\rVert \le \lVert V^\top y/n\rVert / \lambda \to 0$: every fit shrinks to the
# constant 0. With the intercept free, the penalty never touches $c_0$, and the limit is the
# best constant, $\bar y$. Which is right depends on the data: penalising the intercept makes
# the fit depend on where the origin of $y$ is, which is why it is usually left free (or the
# targets are centred first). The cell checks both statements.

# %% tags=["solution"] jupyter={"source_hidden": true}
constant_fit = poly.fit_polynomial(x_few, y_few, 0, l2=1.0, penalize_intercept=True)
assert np.isclose(constant_fit.coef[0], y_few.mean() / (1 + 1.0))
strong = float(LAMBDAS[-1])
all_penalised = poly.fit_polynomial(x_few, y_few, DECAY_DEGREE, l2=strong, penalize_intercept=True)
vander = np.polynomial.polynomial.polyvander(x_few, DECAY_DEGREE)
assert np.linalg.norm(all_penalised.coef) <= np.linalg.norm(vander.T @ y_few / len(x_few)) / strong

# %% [markdown] tags=["exercise"]
# **Exercise 5** (★★★ · computation). Split section 1's `WIDTH` units over two hidden layers
# of `WIDTH // 2` units each (same seed and learning rate) and train for the `PIECE_EPOCHS`
# steps of section 3's width sweep. Set `answer_5` to the pair (linear pieces on $[-1, 1]$
# before training, after training). Show that two layers of widths $N_1, N_2$ allow at most
# $(N_1 + 1)(N_2 + 1)$ pieces on a line, and compare with one layer of the same units.

# %% [markdown] tags=["solution"] jupyter={"source_hidden": true}
# **Solution 5.** The first layer is exercise 2's network: at most $N_1$ kinks, so at most
# $N_1 + 1$ pieces on which every first-layer output is linear. On each such piece a
# second-layer unit's pre-activation is linear too, so it changes sign at most once there:
# each of the $N_2$ units adds at most $N_1 + 1$ kinks. In total at most
# $N_1 + N_2(N_1 + 1)$ kinks, that is $(N_1 + 1)(N_2 + 1)$ pieces, against $N_1 + N_2 + 1$
# for the same units in one layer. Depth *can* multiply the pieces; whether a trained network
# uses that room is what the computation shows.

# %% tags=["solution"] jupyter={"source_hidden": true}
deep_hidden = [WIDTH // 2, WIDTH // 2]
deep = models.make_mlp(1, deep_hidden, 1, seed=SEED)
deep_before = linear_pieces.count_linear_pieces(deep, START, END)
training.train_model(deep, task.X_train, task.y_train, kind="regression", epochs=PIECE_EPOCHS,
                     lr=LR, seed=SEED, eval_every=PIECE_EPOCHS, progress=False)
answer_5 = (deep_before, linear_pieces.count_linear_pieces(deep, START, END))
one_layer_row = int(np.argmin(np.abs(np.asarray(WIDTHS) - WIDTH)))  # the sweep's width nearest WIDTH

# %% tags=["solution"] jupyter={"source_hidden": true}
display(Markdown(
    f"Two layers of {deep_hidden[0]} units: {answer_5[0]} pieces before training and "
    f"{answer_5[1]} after, out of at most {(deep_hidden[0] + 1) * (deep_hidden[1] + 1)}; one "
    f"layer of {WIDTHS[one_layer_row]} units with seed {SEED} had {counts_initial[one_layer_row, 0]} "
    f"and {counts_trained[one_layer_row, 0]}, out of at most {WIDTHS[one_layer_row] + 1}."))

# %% tags=["solution", "check"] jupyter={"source_hidden": true}
reference_net = models.make_mlp(1, [WIDTH // 2, WIDTH // 2], 1, seed=SEED)
before = linear_pieces.count_linear_pieces(reference_net, START, END)
training.train_model(reference_net, task.X_train, task.y_train, kind="regression",
                     epochs=PIECE_EPOCHS, lr=LR, seed=SEED, eval_every=PIECE_EPOCHS, progress=False)
assert tuple(answer_5) == (before, linear_pieces.count_linear_pieces(reference_net, START, END))
