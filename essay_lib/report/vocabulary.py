"""The essay's vocabulary: how tasks, regularizers and measures are named and coloured.

One home for every label and colour, so a word or a colour means one thing in every
table, sentence and figure.  Keys are the identifiers of the records
(:mod:`essay_lib.experiment`): task names, grid keys, metric names.
"""

from __future__ import annotations

#: The figure palette (also matplotlib's colour cycle in :mod:`essay_lib.report.plotting`).
PALETTE = ("#1b6ca8", "#d1495b", "#edae49", "#00798c", "#6a4c93", "#3d3d3d", "#8ab17d",
           "#e07a5f")

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
#: One colour per regularizer, in every chapter.
REGULARIZER_COLORS = {"none": "#3d3d3d", "dropout": "#1b6ca8", "input_dropout": "#6a4c93",
                      "l1": "#d1495b", "l2": "#edae49", "mixup": "#5a9e4b", "adamw": "#e07a5f",
                      "early_stop": "#8c6d46", "gaussian_dropout": "#00798c",
                      "dropout_penalty": "#9c4f96", "dropout_first": "#7fa7c9",
                      "dropout_last": "#0f3d63", "dropout_one_layer": "#4f9bd9"}
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


def regularizer_color(regularizer: str) -> str | None:
    """The colour of a regularizer (``None``, i.e. matplotlib's choice, when unknown)."""
    return REGULARIZER_COLORS.get(regularizer)


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
#: of a trend, and "not valid here", as short labels and colours: more linear in blues,
#: less linear in reds, nothing shown in sand, not valid in grey.
READING_LABELS = {"more_linear": "more linear", "slightly_more_linear": "slightly more linear",
                  "as_linear": "as linear", "slightly_less_linear": "slightly less linear",
                  "less_linear": "less linear", "undetermined": "undetermined",
                  "falls": "falls", "rises": "rises", "no clear trend": "no clear trend",
                  "not_valid": "not valid here"}
READING_COLORS = {"more_linear": "#1b6ca8", "slightly_more_linear": "#8fbbd9",
                  "as_linear": "#5a9e4b", "slightly_less_linear": "#eba0aa",
                  "less_linear": "#d1495b", "undetermined": "#edae49",
                  "falls": "#1b6ca8", "rises": "#d1495b", "no clear trend": "#edae49",
                  "not_valid": "#bdbdbd"}


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
