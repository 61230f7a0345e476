"""The caption of every figure the essay saves: one home, read by the chapter pages, the
gallery and the figures' zip (:mod:`essay_lib.site.numbering` numbers them).

Keys are the names notebooks pass to ``plotting.save_figure(fig, "NN-short-name")``.  A
caption tells the reader what to look at and how to read it: what each mark, line, band,
colour and axis means, and which comparison to make.  It never states a result (the
numbers change with the data and the parameters; the notebook's computed sentences say
what they are), names no file and no code, and types no figure number (numbers are
computed from the order of ``save_figure`` calls).  Colours follow the essay's one colour
system (:mod:`essay_lib.report.vocabulary`): hue is a regularizer (dropout blue, L1
vermillion, L2 orange, mixup green, early stopping reddish purple), greys are everything
else.  ``tests/test_captions.py`` checks that every saved figure has a caption here.
"""

from __future__ import annotations

__all__ = ["CAPTIONS", "caption_for"]

CAPTIONS: dict[str, str] = {
    # ---------------------------------------------------------------- 00 introduction
    "00-quadratic-sizes": (
        "Three networks of different sizes trained on the same noisy samples of y = x² "
        "(black dots); darker grey is a larger network. Left: the function each network "
        "learned, beside the true parabola (dotted). Right: each network's loss through "
        "training on the training points (solid) and on held-out points (dashed), on a log "
        "scale; the dotted horizontal line is the noise variance, the lowest held-out error "
        "any model can expect. A training curve far below that line is fitting the noise; a "
        "held-out curve far above it is missing the signal."),
    "00-diabetes-curves": (
        "Training (solid) and validation (dashed) loss of the three network sizes on the "
        "diabetes data, through training; darker grey is a larger network. Targets are "
        "standardised, so a loss of 1 is what always predicting the mean scores. Overfitting "
        "shows as a gap that opens between a network's two curves: its training loss keeps "
        "falling while its validation loss stops falling or climbs."),
    "00-early-stopping": (
        "Left: the large network's training (solid) and validation (dashed) loss on "
        "diabetes; the dotted vertical line is the epoch of lowest validation loss, whose "
        "weights early stopping restores, and the grey band is the patience, the epochs it "
        "waits for an improvement before it stops. Right: the test R² of each model, one bar "
        "each (1 is perfect, 0 is no better than predicting the mean, below 0 is worse): the "
        "three sizes trained to the end, the large network with early stopping, and ridge "
        "regression, a linear model, as the yardstick."),
    # ---------------------------------------------------------------- 01 L1 and L2
    "01-constraint-picture": (
        "A penalised minimum seen as a constrained one, for a loss of two weights w₁ and "
        "w₂. Grey ellipses are contours of the loss around its unpenalised optimum (+); the "
        "shaded region holds the weights the penalty allows: a diamond for L1 (left), a disc "
        "for L2 (right). The black dot is where the growing contours (the coloured one) "
        "first touch the region: the regularized solution. Look at whether it lands on an "
        "axis, where one weight is exactly zero, or off both axes."),
    "01-linear-paths": (
        "A linear model of the diabetes data: each line is the weight of one input feature "
        "as the penalty coefficient λ grows (log scale, left to right), under L1, the lasso "
        "(left), and L2, ridge regression (right). A line that reaches the zero line and "
        "stays on it has been set exactly to zero; a line that only approaches zero has been "
        "shrunk but kept. Compare how many lines each penalty lays on zero."),
    "01-sparsity-and-norm": (
        "An oversized network on diabetes trained with L1 (vermillion) or L2 (orange) at "
        "each coefficient λ; lines are means over seeds, bands span the lowest to the highest "
        "seed, and the dotted line is the network trained without a penalty. Top left: the "
        "share of weights near zero (below the threshold named on the axis); top right: the "
        "weight norm ‖w‖₂. Bottom: one against the other, a dot per network, which compares "
        "the two penalties at equal weight norm rather than at equal λ (the coefficient "
        "means different things for the two): at the same norm, the higher dot is the "
        "sparser network."),
    "01-weight-histograms": (
        "Histograms of log₁₀|w| over all weights of one seed's network, L1 (vermillion) "
        "against L2 (orange), at three coefficients λ, one per panel; counts are on a log "
        "scale, and weights below 10⁻⁸ are piled up at the left edge. The dotted vertical "
        "line is the near-zero threshold: weights left of it count as near zero. Compare the "
        "shapes: a penalty that splits the weights into a pile below the threshold and a "
        "group of large ones, against one that moves the whole mound to the left together."),
    "01-grid-search": (
        "Choosing λ on validation data, for L1 (left) and L2 (right): the mean training loss "
        "(solid) and validation loss (dashed) over seeds against the coefficient λ, with the "
        "seeds' range as a band; the dotted line is the validation loss without a penalty. "
        "The star on the dash-dotted vertical line marks the λ of lowest mean validation "
        "loss, the one the grid search picks. Where the training loss lies far below the "
        "validation loss the networks overfit; where both climb together they underfit."),
    # ---------------------------------------------------------------- 02 dropout
    "02-subnetworks": (
        "What one dropout mask does. Top left: a small network with every unit (grey). The "
        "other panels: three random masks at the drop rates given in the text; a crossed "
        "circle is a dropped unit, removed together with all its connections, and the blue "
        "units and lines are the sub-network that one training step updates. Every "
        "sub-network uses the same weights as the full network."),
    "02-mc-vs-weight-scaling": (
        "Monte Carlo averaging against weight scaling, for one network trained with dropout "
        "(drop rate and seed in the title). Top: the test error of the average of k randomly "
        "drawn sub-networks (blue line; band: the spread over independent random streams) "
        "against k on a log scale, beside the one deterministic weight-scaled pass (black "
        "dashed) and a grey band of the stated tolerance above it; the dash-dotted line "
        "marks the roughly 50 samples Srivastava et al. needed. Bottom: the root-mean-square "
        "difference between the two predictions. While it follows the grey dashed 1/√k line "
        "the gap is sampling noise; where it levels off at the dotted floor it is a real "
        "difference between the ensemble average and the weight-scaled network."),
    "02-drop-rate-effects": (
        "An oversized network on diabetes trained at each drop rate q of its hidden layers "
        "(0 is no dropout); points are means over seeds, bands span the lowest to the "
        "highest seed. Top left: training (dashed) and test (solid) error; the gap between "
        "them is the overfit that dropout is meant to close. Top right: the mean activation "
        "of the hidden units after the ReLU, over the training inputs. Bottom left: the "
        "share of (example, unit) pairs that are active. In the last two, solid is the "
        "first hidden layer and dashed the second."),
    "02-ridge-equivalence": (
        "Input dropout on linear regression checked against its closed form, a ridge-like "
        "penalty. Top left: the expected squared error under dropout along a line in weight "
        "space, from the least-squares weights w₀ to the closed-form minimiser (drop rate in "
        "the title); the black curve is the formula, the blue dots are Monte Carlo averages "
        "over random masks with bars of two standard errors. Top right: the same dots minus "
        "the formula, zoomed in; a bar that crosses the zero line agrees with it. Bottom: "
        "each weight against the input drop rate, the closed form as grey lines and the "
        "weights trained with dropout as blue dots; a dot on its line means training "
        "reaches the closed form."),
    # ---------------------------------------------------------------- 03 transformation functions
    "03-mlp-function": (
        "A one-hidden-layer ReLU network trained on noisy samples of y = x² (black dots), "
        "evaluated on a dense grid of inputs (black line) beside the true parabola "
        "(dotted). The network is a whole function of x, defined between and beyond the "
        "training points, not only at them; look for its straight stretches and its bends."),
    "03-polynomial-fits": (
        "Least-squares polynomials of three degrees, one per panel (degree and errors in "
        "its title), fitted to a few noisy points of y = x² (black dots); the dotted curve "
        "is the true parabola and the y-axis is clipped. Compare the training error with "
        "the test error in each title: a degree too low misses the curve, a degree high "
        "enough to pass through every point is free to swing between them."),
    "03-degree-sweep": (
        "Training (solid, circles) and test (dashed, squares) mean squared error of "
        "polynomial fits against their degree, on a log scale (a training error of zero is "
        "drawn at 10⁻⁶), for a few of the training points (left) and for all of them "
        "(right). The dotted vertical line marks the degree of lowest test "
        "error; the dash-dotted one, where drawn, the degree n − 1 from which the polynomial "
        "passes through every training point. Read the gap between the two curves as the "
        "overfit."),
    "03-weight-decay": (
        "Weight decay on a high-degree polynomial fitted to a few noisy points (black dots; "
        "the true parabola dotted). Three panels show the fit at three penalties λ, from "
        "none to large (λ and test error in the titles); the fourth plots training (solid) "
        "and test (dashed) error against λ, both on log scales. As λ grows the fit goes from "
        "passing through every point towards a flat line at the targets' mean; the best λ "
        "is where the test curve is lowest."),
    "03-linear-pieces": (
        "The ReLU network of this chapter's first figure again (grey line), with its kinks "
        "found exactly and marked by short black ticks: between two ticks the function is a "
        "straight line. The legend gives the number of linear pieces on [−1, 1]. See where "
        "the kinks crowd together and where one straight piece spans the gap between "
        "training points (black dots)."),
    "03-pieces-vs-width": (
        "The number of linear pieces on [−1, 1] of one-hidden-layer ReLU networks against "
        "their width (hidden units, log scale), before training (grey, dashed) and after "
        "(black, solid); large markers are means over seeds, small ones single seeds. The "
        "dotted line is the most pieces a network of that width can have on one input, "
        "width + 1. Compare each curve with the bound, and the trained networks with the "
        "untrained ones."),
    "03-gates": (
        "Which hidden units and first-layer weights serve which logic gate (columns: AND, "
        "OR, XOR). Left, the hand-set two-unit network, and middle, a trained network (one "
        "seed): each cell is how strongly a first-layer weight (row: input → unit) moves a "
        "gate's output, the mean |∂ gate / ∂ weight| over the four inputs; darker blue is "
        "stronger. Right: the largest error of each gate when one hidden unit is removed; "
        "darker red breaks the gate more, and 0.5 is where a gate reads wrong. A row that is "
        "dark in several columns is a weight or a unit shared by several gates."),
    "03-additivity-defect": (
        "The paper's literal test of linearity, |f(x₁ + x₂) − f(x₁) − f(x₂)| averaged over "
        "random pairs, for polynomial fits of each degree (black, solid) and for the same "
        "fits with their intercept removed, g(x) = f(x) − f(0) (grey, dashed). The dotted "
        "line is the defect of the true function x², the dash-dotted line the degree from "
        "which the fits interpolate. Where the two curves part, the literal test is counting "
        "the intercept, not curvature: even a straight line with an intercept fails it."),
    # ---------------------------------------------------------------- 04 linearity measure
    "04-second-difference": (
        "The second difference D drawn for one triple x₀, a, b (values in the title), on a "
        "straight line with an intercept (left) and on x² (right). The black dots are f at "
        "x₀, x₀ + a, x₀ + b and x₀ + a + b; the red cross is the additive prediction "
        "f(x₀) + u + v, where u and v are the changes that a alone and b alone make. The "
        "red bar from the cross to f(x₀ + a + b) is D: it has no length for any affine "
        "function, whatever its intercept."),
    "04-z-known-functions": (
        "Z̄ on functions whose answer we know (0: additive along every triple; larger: less "
        "linear). Left: the powers xⁿ on [−1, 1] against n, with a 95% bootstrap interval "
        "over triples as a grey band; for n = 1 the function is linear and Z̄ is exactly 0. "
        "Right: chapter 03's polynomial fits of degree 1, 2 and 9 to ten noisy points, and "
        "the true x² (light bar), with 95% intervals. A measure that means what the paper "
        "means climbs with the degree and ranks the interpolating fit above the truth."),
    "04-dose-response": (
        "Does Z̄ see a known change of linearity on the trained networks themselves? One "
        "panel per task: the mean Z̄ of its unregularized networks as they are made more "
        "linear by hand. Solid: the affine blend α·A + (1 − α)·f, from the network (α = 0) "
        "to its best affine fit A (α = 1); dashed: each ReLU replaced by a leaky ReLU whose "
        "negative slope goes from 0 to 1. Greys and markers are the output representations "
        "(logits, centred logits, log-probabilities, probabilities). Both changes end at an "
        "affine function in logits, so there the lines must reach 0 at the right edge; a "
        "line that stays flat until the end shows where the measure barely responds."),
    "04-mixup-control": (
        "The positive control: mixup trains a network's outputs to change linearly between "
        "pairs of training points, so Z̄ on chord midpoints of training pairs should fall as "
        "mixup's α grows. One panel per task; mean over seeds with the seeds' range as a "
        "band; 'none' at the left is the unregularized networks. Solid: the representation "
        "mixup trains (a classifier's probabilities, a regressor's outputs); dashed: a "
        "classifier's logits, for contrast, where mixup's target is not a straight line."),
    "04-learned-functions": (
        "What the networks learned, one column per drop rate, from none to the strongest "
        "shown (first seed; each network's Z̄ in its title). Top: on the 1-D quadratic, the "
        "learned function (blue) with the training points (black) and the true parabola "
        "(dotted). Bottom: on the two moons, the plane coloured by the network's logit "
        "margin between the two classes (blue for one class, red for the other, white where "
        "it is undecided; colour clipped), the decision boundary in black and the test "
        "points. Compare the columns for how sharply the functions bend, and read Z̄ in the "
        "titles for how linear the measure calls them."),
    # ---------------------------------------------------------------- 05 experiment
    "05-training-curves": (
        "Are the unregularized networks trained long enough? One panel per task: the mean "
        "training loss (solid) and test loss (dashed) over seeds against the epoch, on a log "
        "scale, with the seeds' range as a band. The dotted vertical line starts the last "
        "quarter of training, the window the plateau rule reads: right of it the training "
        "curve should be nearly flat."),
    "05-z-vs-strength": (
        "How each regularizer changes Z̄, in common units. One panel per task: the change of "
        "Z̄ from the unregularized networks (open circle at 0) at each strength rank of each "
        "regularizer (1 is the weakest; each has its own strength axis), paired by seed, "
        "with 95% intervals over seeds; colours are regularizers (dropout blue, L1 "
        "vermillion, L2 orange, mixup green). Horizontal lines are references in the same "
        "units: the true function (solid), the untrained networks (dotted) and a smooth "
        "kernel ridge fit (dashed). Below 0 a regularizer made the function more linear "
        "than no regularization did; compare how far each gets, and at what strength."),
    "05-frontier": (
        "The fit frontier: each regularizer's path in the plane of test loss (across) and Z̄ "
        "(up; 0 is additive), one panel per task. Every path starts at the unregularized "
        "networks (open circle) and runs through the regularizer's strengths (dots; means "
        "over seeds); early stopping's path (dashed) runs from the fully trained network "
        "back to the shortest training. Compare paths at the same test loss, along a "
        "vertical line: the lower path reaches a more linear function at that fit."),
    "05-drop-rate-explorer": (
        "The drop rate on the 1-D quadratic. Left: the first seed's learned function at "
        "every drop rate of the experiment, the shade of blue giving the drop rate (legend), "
        "with the training points in black. Right: Z̄ against the drop rate, one grey line "
        "per seed and their mean in blue with a 95% interval. Follow a single seed's line as "
        "well as the mean: the seeds show how much of a trend is shared."),
    # ---------------------------------------------------------------- 06 mechanism
    "06-z-mask-vs-strength": (
        "Do the sub-networks add up? Z_mask (0: the sub-networks' outputs add up exactly; "
        "larger: they interact) at the common keep probability, against each regularizer's "
        "strength: rows are tasks, columns are dropout, L2 and mixup; lines are means over "
        "seeds with 95% intervals. The grey band and dotted line are the unregularized "
        "networks. If dropout made its sub-networks add up, the dropout column would fall "
        "from left to right; the other two columns show whether other regularizers do the "
        "same."),
    "06-mc-gap-bridge": (
        "The first bridge: networks whose sub-networks add up better (smaller Z_mask, "
        "across) should show a smaller gap between Monte Carlo averaging and weight scaling "
        "(up). One dot per network of chapter 05, every seed and strength, coloured by "
        "regularizer; one panel per task, with Spearman's ρ read within seeds in its corner. "
        "A cloud that rises to the right (ρ above 0) is what the bridge predicts."),
    "06-z-bar-bridge": (
        "The second bridge: in the paper's chain, sub-networks that add up (smaller Z_mask, "
        "across) make the whole function more linear (smaller input-space Z̄, up). One dot "
        "per network of chapter 05, coloured by regularizer, on the tasks where chapter 04 "
        "found Z̄ valid, with Spearman's ρ read within seeds in each panel's corner. A cloud "
        "that rises to the right (ρ above 0) is what the chain predicts; look also at "
        "whether the dots of one colour rise together."),
    "06-mechanism-tests": (
        "Tests the mechanism could fail. One panel per task (empty where the measure is not "
        "valid), one row per way of training. Each dot is that way's effect: its Z̄ minus "
        "the Z̄ of plain training stopped early at the same test loss, with a simultaneous "
        "interval over seeds. The grey band is ±δ around 0 (as linear as plain training), "
        "the blue band ±δ around dropout's own effect. A row whose interval sits in the "
        "blue band behaves like dropout; one in the grey band leaves linearity as plain "
        "training does. Rows without sub-networks (Gaussian dropout, the explicit penalty) "
        "or with sub-networks that add up by construction (one hidden layer) are the tests."),
    "06-at-a-glance": (
        "One draw of sub-networks of a 1-D quadratic network (first seed), without dropout "
        "(left) and with dropout (right, drop rate in the title). Each curve is the "
        "network's output along x with only some hidden units kept: a context C alone, C "
        "with a set A, C with a set B, and C with both (red). If the sub-networks added up, "
        "the red curve f(C∪A∪B) would lie on the dashed red one, f(C∪A) + f(C∪B) − f(C); "
        "the shaded gap between the two is the defect D."),
    # ---------------------------------------------------------------- 07 beyond
    "07-variant-effects": (
        "Does chapter 05's picture survive other settings? Rows are variants, grouped by "
        "what was changed ('base' is chapter 05's setting); columns are tasks. Each dot is "
        "the change of Z̄ from the unregularized networks to a regularizer's strongest "
        "setting, paired by seed, with its 95% interval over seeds (a dotted line where too "
        "few seeds give a bounded interval); colours are regularizers. Left of the vertical "
        "line at 0, Z̄ falls. Compare dropout's dot with the others' in the same row, and "
        "each row with the base row of its column."),
    # ---------------------------------------------------------------- 08 conclusion
    "08-analogy": (
        "The paper's analogy, measured. Each row is one claim, regularizer → measure, with "
        "the direction the paper expects (↑ or ↓); each dot is Spearman's ρ between the "
        "regularizer's strength and the measure on one task (marker shape), with a 95% "
        "interval over seeds, coloured by regularizer. The grey band is the side the paper "
        "expects. Above the dashed line are the analogy's three arms (L1 and sparsity, L2 "
        "and weight norm, dropout and Z̄); below it the controls, L2 and mixup acting on Z̄: "
        "where they fall as dropout does, a falling Z̄ is not specific to dropout."),
    # ---------------------------------------------------------------- A appendix
    "A-specification-curve": (
        "Every reading under every specification of the measure. One panel per task; rows "
        "are readings (the trend of Z̄ with the drop rate, and dropout against each "
        "comparator at equal fit), columns are specifications (output representation, "
        "displacement scale, geometry of the triples). A dot's colour is its reading "
        "(legend): blues more linear or falling, reds less linear or rising, dark grey as "
        "linear, gold undetermined; hollow grey circles are specifications under which the "
        "measure is not valid on that task, and the ringed column is the main "
        "specification. A row of one colour means the choice did not matter there."),
}


def caption_for(name: str) -> str | None:
    """The caption of the figure ``name`` (``"NN-short-name"``), or ``None`` if it has none."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    return CAPTIONS.get(name)
