"""Chapter 04's validity table, the positive control's tests and their sentences.

Reads the cells of :func:`essay_lib.experiment.validity.validity_table` and the rows of
:func:`~essay_lib.experiment.validity.mixup_control` (the measuring is done there); the
control is tested like every trend of the essay: each seed's Spearman ρ between mixup's
α and Z̄, then the exact sign-flip test over seeds
(:mod:`essay_lib.report.inference`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from essay_lib.report import inference, wording
from essay_lib.report.tables import markdown_table
from essay_lib.report.vocabulary import join_names, task_label
from essay_lib.util.checks import check_probability

__all__ = ["MAIN", "ControlTest", "control_markdown", "control_sentence", "control_tests",
           "main_cells", "number",
           "validity_markdown", "validity_sentence"]

#: The main specification: raw outputs (logits) on extrapolating triples
MAIN = ("logits", "extrapolating")
_GEOMETRY_LABELS = {"extrapolating": "extrapolating", "inside": "inside",
                    "chord_midpoints": "chord midpoints"}
_REPRESENTATION_LABELS = {"logits": "logits / raw outputs", "centred_logits": "centred logits",
                          "log_probabilities": "log-probabilities",
                          "probabilities": "probabilities"}


def number(x: float, digits: int = 3) -> str:
    """``x`` to ``digits`` decimals with a true minus sign, and no "−0.000"
    (:func:`essay_lib.report.wording.number`)."""
    return wording.number(x, f".{digits}f")


def main_cells(cells: Sequence) -> dict:
    """task -> the cell of the main specification (:data:`MAIN`)."""
    return {c.task: c for c in cells if (c.representation, c.geometry) == MAIN}


def validity_markdown(cells: Sequence) -> str:
    """One row per task × representation, one column per geometry: ✓ (valid) or ✗, the
    unregularized networks' mean Z̄ and δ (the change of a 10 % affine blend)."""
    geometries = list(dict.fromkeys(c.geometry for c in cells))
    keys = list(dict.fromkeys((c.task, c.representation) for c in cells))
    by_key = {(c.task, c.representation, c.geometry): c for c in cells}
    rows = []
    for task, rep in keys:
        row = [task_label(task), _REPRESENTATION_LABELS.get(rep, rep)]
        for g in geometries:
            c = by_key.get((task, rep, g))
            row.append("—" if c is None else
                       f"{'✓' if c.valid else '✗'} {number(c.z_unregularized)} "
                       f"(δ {number(c.delta)})")
        rows.append(row)
    return markdown_table(["task", "output", *(_GEOMETRY_LABELS.get(g, g) for g in geometries)],
                          rows)


def validity_sentence(cells: Sequence) -> str:
    """How many cells pass, and on which tasks the main specification is valid."""
    passed = [c for c in cells if c.valid]
    main = main_cells(cells)
    valid_main = [t for t, c in main.items() if c.valid]
    failed = [c for c in cells if not c.valid]
    text = (f"The measure passes its checks in {len(passed)} of {len(cells)} cells; in the "
            f"main specification (raw outputs, extrapolating triples) it is valid on "
            f"{len(valid_main)} of {len(main)} tasks"
            + (f" ({join_names([task_label(t) for t in valid_main])})" if valid_main else "")
            + ".")
    if failed:
        text += " Where it fails: " + "; ".join(
            f"{task_label(c.task)}, {_REPRESENTATION_LABELS.get(c.representation)}, "
            f"{_GEOMETRY_LABELS.get(c.geometry)} ("
            + ", ".join(name for name, ok in (("the blend does not fall monotonically",
                                               c.blend_monotone),
                                              ("the blend does not reach 0",
                                               c.blend_reaches_zero),
                                              ("the leaky path does not reach 0",
                                               c.leaky_reaches_zero is not False),
                                              ("δ is not positive", c.delta_positive))
                        if not ok) + ")" for c in failed) + "."
    return text


@dataclass(frozen=True, eq=False)
class ControlTest:
    """The mixup control on one task, in one representation: per-seed ρ (α vs Z̄), their
    mean and the exact two-sided sign-flip p-value."""

    task: str
    representation: str
    own: bool
    rho: tuple[float, ...]
    estimate: float
    pvalue: float


def control_tests(rows: Sequence) -> list[ControlTest]:
    """The trend tests of each control row: in the representation mixup trains and, where
    there is one, in the contrast representation (logits)."""
    out = []
    for row in rows:
        for rep, values, own in ((row.representation, row.values, True),
                                 (row.contrast_representation, row.contrast_values, False)):
            if values is None:
                continue
            rho = inference.seed_trends(row.strengths, values)
            out.append(ControlTest(row.task, rep, own, tuple(map(float, rho)),
                                   float(rho.mean()), inference.signflip_pvalue(rho)))
    return out


def _directions(tests: Sequence[ControlTest], alpha: float) -> list[str]:
    alpha = check_probability("alpha", alpha)
    adjusted = inference.holm_adjust([t.pvalue for t in tests])
    return ["no clear trend" if p > alpha else ("falls" if t.estimate < 0 else "rises")
            for t, p in zip(tests, adjusted, strict=True)]


def control_sentence(tests: Sequence[ControlTest], *, alpha: float = 0.05) -> str:
    """Where the control works in its own space (Holm over every control test), and what
    it does in logits where those are a contrast."""
    directions = _directions(tests, alpha)
    own = [(t, d) for t, d in zip(tests, directions, strict=True) if t.own]
    falls = [task_label(t.task) for t, d in own if d == "falls"]
    contrast = [(t, d) for t, d in zip(tests, directions, strict=True) if not t.own]
    text = (f"In the space it trains, mixup lowers $\\bar Z$ at chord midpoints on "
            f"{len(falls)} of {len(own)} tasks" + (f" ({join_names(falls)})" if falls else "")
            + ".")
    if contrast:
        text += " In logits, on the same chords of the classifiers: " + "; ".join(
            f"{task_label(t.task)} {d}" for t, d in contrast) + "."
    return text


def control_markdown(tests: Sequence[ControlTest], *, alpha: float = 0.05) -> str:
    """One row per task: the control's trend in each representation (mean ρ, p), read
    with Holm's correction over the rows' tests."""
    adjusted = inference.holm_adjust([t.pvalue for t in tests])
    rows = []
    for t, p, direction in zip(tests, adjusted, _directions(tests, alpha), strict=True):
        rows.append([task_label(t.task), _REPRESENTATION_LABELS.get(t.representation),
                     wording.signed(t.estimate), f"{p:.2g}", direction])
    return markdown_table(["task", "output", "mean ρ (mixup α vs $\\bar Z$)", "Holm p",
                           "$\\bar Z$ at chord midpoints"], rows)
