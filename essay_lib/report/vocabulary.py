"""The essay's vocabulary: how tasks, regularizers and measures are named and coloured.

One home for every label, colour and marker, so a word, a colour or a marker means one
thing in every table, sentence and figure.  Keys are the identifiers of the records
(:mod:`essay_lib.experiment`): task names, grid keys, metric names.

The colour system (every figure module of :mod:`essay_lib.report.plotting` draws its
categorical colours from here; ``tests/test_palette.py`` checks it):

* **hue means a regularizer**, and only a regularizer (:data:`REGULARIZER_COLORS`): the
  essay's main ones are Okabe & Ito's colour-blind-safe set (dropout blue, L1 vermillion,
  L2 orange, mixup bluish green, early stopping reddish purple, input dropout sky blue),
  the unregularized networks a neutral grey; the rarer variants (chapter 06's kinds of
  dropout, AdamW) take further colours from Paul Tol's schemes, distinct from all of them;
* **a task is a panel or a marker** (:data:`TASK_MARKERS`), never a hue: where a task needs
  a colour it is black (:data:`TASK_COLOR`);
* everything else that is a category but not a regularizer (network sizes, output
  representations, train against test, fits) is drawn in greys (:data:`NEUTRALS`) with
  markers or line styles;
* ordered readings (more linear ... less linear) use a diverging blue–red scale
  (:data:`READING_COLORS`), drawn only in figures that colour no regularizer;
* the default colour cycle is neutral, so a line drawn without a colour never looks like
  a regularizer.
"""

from __future__ import annotations

import numpy as np

#: Greys, darkest first, for categories that are neither regularizers nor tasks (also
#: matplotlib's colour cycle in :mod:`essay_lib.report.plotting`).
NEUTRALS = ("#000000", "#6b6b6b", "#a3a3a3", "#3b3b3b", "#8a8a8a")
#: Neutral roles: the black of points and reference lines, the grey of a band or of a
#: reference curve (the true function).
INK, BAND, REFERENCE = "#000000", "#bdbdbd", "#999999"

#: How a task is named in prose and tables.
TASK_LABELS = {"quadratic": "1-D quadratic", "moons": "two moons", "diabetes": "diabetes",
               "digits": "digits", "mnist1d": "MNIST-1D"}

#: How a regularizer is named in prose, tables and legends.
REGULARIZER_LABELS = {"none": "none", "dropout": "dropout", "input_dropout": "input dropout",
                      "l1": "L1", "l2": "L2", "mixup": "mixup", "adamw": "AdamW",
                      "early_stop": "early stopping", "gaussian_dropout": "Gaussian dropout",
                      "dropout_penalty": "dropout's explicit penalty",
                      "dropout_first": "dropout, first layer only",
                      "dropout_last": "dropout, last layer only",
                      "dropout_one_layer": "dropout, one hidden layer"}
#: One colour per regularizer, in every chapter (the module's docstring gives the rules).
REGULARIZER_COLORS = {
    # Okabe & Ito (2008): the essay's main comparison, colour-blind-safe among themselves
    "none": "#595959", "dropout": "#0072b2", "input_dropout": "#56b4e9", "l1": "#d55e00",
    "l2": "#e69f00", "mixup": "#009e73", "early_stop": "#cc79a7",
    # Paul Tol's and ColorBrewer's schemes: the variants, distinct from all of the above
    "adamw": "#8c510a", "gaussian_dropout": "#5d3a9b", "dropout_penalty": "#aa3377",
    "dropout_first": "#997700", "dropout_last": "#fb9a99", "dropout_one_layer": "#225522"}
#: One marker per task (tasks are panels or markers, never hues) and the colour of a task's
#: marker where nothing else colours it.
TASK_MARKERS = {"quadratic": "o", "moons": "s", "diabetes": "^", "digits": "D",
                "mnist1d": "v"}
TASK_COLOR = INK
#: Markers for categories in order (tasks take theirs from :data:`TASK_MARKERS` first).
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: How a regularizer's strength is named on an axis, and whether its grid is logarithmic.
STRENGTH_LABELS = {"dropout": ("drop rate", False), "input_dropout": ("input drop rate", False),
                   "l1": ("L1 coefficient", True), "l2": ("L2 coefficient", True),
                   "mixup": ("mixup α", True), "adamw": ("weight decay", True),
                   "early_stop": ("epochs trained", True), "none": ("strength", False),
                   "gaussian_dropout": ("drop rate (moment-matched)", False),
                   "dropout_penalty": ("drop rate of the penalty", False),
                   "dropout_first": ("drop rate", False), "dropout_last": ("drop rate", False)}
#: What a task's loss is and its unit, by the task's kind (regression or classification).
LOSS_UNITS = {"regression": "mean squared error, target units²",
              "classification": "cross-entropy, nats"}

#: How a measure is named in tables (markdown; the site typesets $...$).
MEASURE_LABELS = {
    "z_bar": "$\\bar Z$", "z_bar_raw": "raw ‖D‖",
    "taleb_h": "Taleb's $H$ (normalised)", "taleb_h_raw": "raw ‖H‖",
    "jacobian_norm": "Jacobian norm", "affine_nonlinearity": "$1 - R^2$ (affine fit)",
    "linear_pieces": "linear pieces", "weight_sparsity": "weight sparsity",
    "weight_norm": "weight norm", "test_loss": "test loss", "train_loss": "train loss",
    "test_accuracy": "test accuracy", "test_r2": "test $R^2$",
    "mean_hidden_activation": "mean hidden activation",
    "z_mask": "$Z_{\\mathrm{mask}}$", "z_mask_raw": "raw ‖D_mask‖",
    "z_mask_own": "$Z_{\\mathrm{mask}}$ at the own keep probability",
    "mc_gap": "MC − weight-scaling gap",
}


def task_label(task: str) -> str:
    """The prose name of a task (its key when unknown)."""
    return TASK_LABELS.get(task, str(task))


def regularizer_label(regularizer: str) -> str:
    """The prose name of a regularizer (its key when unknown)."""
    return REGULARIZER_LABELS.get(regularizer, str(regularizer))


def penalty_phrase(regularizer: str) -> str:
    """A comparison penalty as a sentence or a column title names it: ``"L2 penalty"`` for
    the weight penalties, the label alone otherwise (``"AdamW"``)."""
    label = regularizer_label(regularizer)
    return f"{label} penalty" if regularizer in ("l1", "l2") else label


def regularizer_color(regularizer: str) -> str:
    """The colour of a regularizer (the unregularized grey when unknown: an unknown name
    never borrows another regularizer's hue)."""
    return REGULARIZER_COLORS.get(regularizer, REGULARIZER_COLORS["none"])


def task_marker(task: str) -> str:
    """The marker of a task, by key or by label (``"moons"`` or ``"two moons"``; a circle
    when unknown)."""
    by_label = {label: key for key, label in TASK_LABELS.items()}
    return TASK_MARKERS.get(by_label.get(task, task), "o")


def group_markers(groups) -> dict:
    """One distinct marker per group: a task (by key or label) its own, any other group the
    next marker of :data:`MARKERS` that no group has taken."""
    groups = list(dict.fromkeys(groups))
    known = {g: task_marker(g) for g in groups
             if g in TASK_MARKERS or g in TASK_LABELS.values()}
    free = iter(m for m in MARKERS if m not in known.values())
    return {g: known[g] if g in known else next(free, "o") for g in groups}


def neutral(i: int) -> str:
    """The ``i``-th grey of :data:`NEUTRALS` (cycling)."""
    return NEUTRALS[i % len(NEUTRALS)]


def strength_ramp(regularizer: str, n: int) -> list:
    """``n`` RGB colours from a light tint to the full colour of ``regularizer``: one per
    strength, weakest lightest (an ordered scale in the regularizer's own hue)."""
    rgb = np.array([int(regularizer_color(regularizer)[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return [tuple(1 - t * (1 - rgb)) for t in np.linspace(0.3, 1.0, max(int(n), 1))]


def measure_label(measure: str) -> str:
    """The table name of a measure (its key when unknown)."""
    return MEASURE_LABELS.get(measure, str(measure))


def strength_label(regularizer: str) -> tuple[str, bool]:
    """(axis label, logarithmic?) of a regularizer's strength."""
    return STRENGTH_LABELS.get(regularizer, (f"{regularizer} strength", False))


def loss_label(loss: str, kind: str | None = None) -> str:
    """An axis label of a loss with its unit: ``"test loss (cross-entropy, nats)"``; the
    loss's name alone when ``kind`` is None or unknown."""
    name = MEASURE_LABELS.get(loss, loss.replace("_", " "))
    unit = LOSS_UNITS.get(kind)
    return f"{name} ({unit})" if unit else name


def join_names(names) -> str:
    """A prose list: ``"two moons, diabetes and digits"`` (task keys become labels)."""
    names = [task_label(t) for t in names]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


#: How an output representation of Z̄ is named (DESIGN.md §3c).
REPRESENTATION_LABELS = {"logits": "logits / raw outputs", "centred_logits": "centred logits",
                         "log_probabilities": "log-probabilities",
                         "probabilities": "probabilities"}
#: How a geometry (triple type) of Z̄ is named.
GEOMETRY_LABELS = {"extrapolating": "extrapolating", "inside": "inside",
                   "chord_midpoints": "chord midpoints"}
#: The readings of a comparison at equal fit (:data:`essay_lib.report.inference.READINGS`),
#: of a trend, and "not valid here", as short labels and colours: a diverging scale (Paul
#: Tol's BuRd), more linear in blues, less linear in reds, "as linear" dark grey, nothing
#: shown in sand, not valid in light grey.
READING_LABELS = {"more_linear": "more linear", "slightly_more_linear": "slightly more linear",
                  "as_linear": "as linear", "slightly_less_linear": "slightly less linear",
                  "less_linear": "less linear", "undetermined": "undetermined",
                  "falls": "falls", "rises": "rises", "no clear trend": "no clear trend",
                  "not_valid": "not valid here"}
READING_COLORS = {"more_linear": "#2166ac", "slightly_more_linear": "#92c5de",
                  "as_linear": "#4d4d4d", "slightly_less_linear": "#f4a582",
                  "less_linear": "#b2182b", "undetermined": "#ddcc77",
                  "falls": "#2166ac", "rises": "#b2182b", "no clear trend": "#ddcc77",
                  "not_valid": BAND}
#: The colour of a defect D (what is not additive) wherever a figure draws it: the reading
#: "less linear".
DEFECT_COLOR = READING_COLORS["less_linear"]
#: The colour of a verdict of the paper's claim, on the readings' scale: supports = more
#: linear, contradicts = less linear, inconclusive = undetermined.
VERDICT_COLORS = {"supports": READING_COLORS["more_linear"],
                  "contradicts": READING_COLORS["less_linear"],
                  "inconclusive": READING_COLORS["undetermined"], "not validated": BAND}
#: Line style, colour and label of each reference value (essay_lib.experiment.references):
#: neutral, told apart by line style.
REFERENCE_STYLES = {"true": ("-", INK, "true function"),
                    "untrained": (":", "#6b6b6b", "untrained networks"),
                    "kernel_ridge": ("--", "#3b3b3b", "kernel ridge fit")}
#: Chapter 00's network sizes (an ordered scale of greys: small light, large dark; those
#: networks are unregularized); "large + early stopping" is early stopping's colour and the
#: ridge baseline L2's (ridge regression is the L2-penalized linear model).
SIZE_COLORS = {"small": "#a3a3a3", "medium": "#6b6b6b", "large": "#262626"}
EARLY_STOPPING_COLOR = REGULARIZER_COLORS["early_stop"]
BASELINE_COLOR = REGULARIZER_COLORS["l2"]


def reading_label(reading: str) -> str:
    """The short label of a reading, a trend's direction or ``"not_valid"``."""
    return READING_LABELS.get(reading, str(reading).replace("_", " "))


def specification_label(key: str) -> str:
    """A specification ``"output|scale|triples"`` in words: ``"logits, s = 0.5,
    extrapolating"``; chord midpoints have no scale of their own."""
    output, scale, triples = str(key).split("|")
    output = REPRESENTATION_LABELS.get(output, output).split(" / ")[0]
    if triples == "chord_midpoints":
        return f"{output}, chord midpoints"
    return f"{output}, s = {scale}, {GEOMETRY_LABELS.get(triples, triples)}"
