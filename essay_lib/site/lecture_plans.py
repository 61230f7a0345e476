"""The instructors' lecture plans: one 50-minute lecture per chapter (authored data).

The instructors' page (:mod:`essay_lib.site.instructors`) shows each plan beside what it
reads from the chapter itself at build time (its "You need" list, its figures, its
exercises).  A plan names:

* ``sections``: ``(heading, minutes)`` in teaching order; ``heading`` is a ``## `` heading
  of the chapter's notebook, word for word without the ``## `` (TeX included); the minutes
  add up to :data:`LECTURE_MINUTES`;
* ``figures``: the figures to put on slides, by their ``save_figure`` names
  (``"02-subnetworks"``), each saved by that chapter;
* ``prerequisites``: the chapters to have taught first, by number (each one earlier than
  the chapter, and named in the chapter's own "You need" list);
* ``goal``: what students should leave the lecture with, in one sentence.

``tests/test_instructors.py`` checks all of this against the notebooks.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LECTURE_MINUTES", "PLANS", "LecturePlan"]

#: The length of one lecture.
LECTURE_MINUTES = 50


@dataclass(frozen=True)
class LecturePlan:
    """One chapter's lecture (see the module doc)."""

    sections: tuple[tuple[str, int], ...]
    figures: tuple[str, ...]
    prerequisites: tuple[str, ...]
    goal: str

    @property
    def minutes(self) -> int:
        """The minutes of all sections together."""
        return sum(minutes for _, minutes in self.sections)


#: notebook stem -> its lecture plan.
PLANS: dict[str, LecturePlan] = {
    "00_introduction": LecturePlan(
        sections=(("1 · Three networks", 8), ("2 · A noisy parabola", 12),
                  ("3 · Diabetes: a real data set where big hurts", 12),
                  ("4 · Early stopping rescues the large network", 10),
                  ("5 · Is this one lucky split?", 5), ("Takeaways", 3)),
        figures=("00-quadratic-sizes", "00-diabetes-curves", "00-early-stopping"),
        prerequisites=(),
        goal="Too small underfits, too big overfits, and a regularizer such as early "
             "stopping is what makes a deliberately oversized network safe."),
    "01_l1_l2_regularization": LecturePlan(
        sections=(("1 · The penalties and the constraint picture", 12),
                  ("2 · An exact case: a linear model of the diabetes data", 10),
                  ("3 · An oversized network: sweeping $\\lambda$", 15),
                  ("4 · $\\lambda$ as a hyperparameter: a grid search", 8), ("Takeaways", 5)),
        figures=("01-constraint-picture", "01-linear-paths", "01-sparsity-and-norm",
                 "01-grid-search"),
        prerequisites=("00",),
        goal="L1 gives exact zeros and L2 small weights, for a reason students can see in "
             "the constraint picture, and the coefficient is chosen on validation data."),
    "02_dropout": LecturePlan(
        sections=(("1 · The mechanism", 10),
                  ("2 · The ensemble view: weight scaling against Monte Carlo averaging", 12),
                  ("3 · Dropout on an oversized network: test error and activations", 10),
                  ("4 · An exact result: input dropout on linear regression is a ridge "
                   "penalty", 15), ("Takeaways", 3)),
        figures=("02-subnetworks", "02-mc-vs-weight-scaling", "02-drop-rate-effects",
                 "02-ridge-equivalence"),
        prerequisites=("01",),
        goal="Dropout trains an ensemble of sub-networks that share weights; weight scaling "
             "approximates their average, and on linear regression input dropout is "
             "exactly a ridge penalty."),
    "03_transformation_functions": LecturePlan(
        sections=(("1 · A network is a transformation function", 6),
                  ("2 · Polynomial transformation functions and capacity", 12),
                  ("3 · A ReLU network is piecewise linear", 12),
                  ("4 · Gate-like units and their superposition", 10),
                  ("5 · Bridge to chapter 04: the literal additivity test", 7),
                  ("Takeaways", 3)),
        figures=("03-mlp-function", "03-polynomial-fits", "03-linear-pieces", "03-gates",
                 "03-additivity-defect"),
        prerequisites=("00", "01"),
        goal="A network is a function with a shape: polynomials bend more as the degree "
             "rises, a ReLU network is made of linear pieces, and the literal additivity "
             "test fails for every affine function."),
    "04_linearity_measure": LecturePlan(
        sections=(("1 · From the paper's words to a measure", 15),
                  ("2 · Sanity on functions whose answer we know", 12),
                  ("3 · Is the measure valid on the trained networks?", 15),
                  ("4 · What the networks learned", 5), ("Takeaways", 3)),
        figures=("04-second-difference", "04-z-known-functions", "04-dose-response",
                 "04-learned-functions"),
        prerequisites=("02", "03"),
        goal="The second difference D and the ratio Z measure non-linearity, are zero for "
             "every affine function, and are trusted on a task only where they respond to "
             "known changes."),
    "05_experiment": LecturePlan(
        sections=(("1 · The answer, in plain words", 4), ("2 · The experiment", 8),
                  ("3 · Every regularizer lowers $\\bar Z$", 8), ("4 · The fit frontier", 12),
                  ("5 · The readings", 8),
                  ("6 · Replication on fresh seeds and a fresh data split", 5),
                  ("7 · The drop rate in your hands", 5)),
        figures=("05-z-vs-strength", "05-frontier", "05-drop-rate-explorer"),
        prerequisites=("01", "02", "04"),
        goal="Every regularizer lowers Z̄ as it loosens the fit, so the fair question is "
             "what happens at the same fit: the fit frontier answers it, task by task."),
    "06_mechanism": LecturePlan(
        sections=(("1 · From the paper's words to a measure", 8),
                  ("2 · Two networks that add up by construction", 8),
                  ("3 · $Z_{\\mathrm{mask}}$ on chapter 05's networks", 8),
                  ("4 · The bridges to chapters 02 and 05", 8),
                  ("5 · Tests the mechanism could fail", 12), ("6 · The answer", 6)),
        figures=("06-z-mask-vs-strength", "06-mc-gap-bridge", "06-z-bar-bridge",
                 "06-mechanism-tests", "06-at-a-glance"),
        prerequisites=("02", "04", "05"),
        goal="A mechanism is tested where it could fail: one hidden layer, Gaussian "
             "dropout and dropout's explicit penalty ask whether sub-networks adding up is "
             "why dropout's function changes."),
    "07_beyond": LecturePlan(
        sections=(("1 · The variants", 10), ("2 · Training and measuring every variant", 5),
                  ("3 · The verdict of every variant", 12),
                  ("4 · Every variant at a glance", 10),
                  ("5 · What the variants agree on, and where the verdict turns", 10),
                  ("Takeaways", 3)),
        figures=("07-variant-effects",),
        prerequisites=("05",),
        goal="One change at a time around a base configuration, read by chapter 05's "
             "rules; and why five seeds can describe but not decide."),
    "08_conclusion": LecturePlan(
        sections=(("The answer, in plain words", 5), ("The analogy table", 15),
                  ("What held, and what did not", 12), ("Limits of what we showed", 10),
                  ("Further reading", 5), ("Takeaways", 3)),
        figures=("08-analogy",),
        prerequisites=("01", "04", "05"),
        goal="The paper's analogy, each arm measured: what held, what did not, and the "
             "limits of a study of small networks."),
    "A_appendix": LecturePlan(
        sections=(("Chapter 05's answer, as the appendix reads it", 4),
                  ("1 · The specification curve, under the new rules", 14),
                  ("2 · The replication, on fresh seeds and a fresh data split", 8),
                  ("3 · The kernel paths: the same sentences on another CPU", 6),
                  ("4 · A statistics primer, with a glossary", 18)),
        figures=("A-specification-curve",),
        prerequisites=("04", "05"),
        goal="How far a verdict holds up: every reasonable analysis at once, fresh seeds "
             "and data, another CPU; and the statistics behind the essay's tests."),
}
