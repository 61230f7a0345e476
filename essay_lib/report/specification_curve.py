"""Chapter 05's answer under every specification of Z̄: the specification curve, new rules.

A **specification** is one choice of output representation, displacement scale and
geometry (triple type), named ``"output|scale|triples"`` as in the records' ``z_spec``
(the table's ``"z_spec:<key>"`` columns; :func:`add_specifications` joins more, such as
the probabilities and chord midpoints of
:func:`essay_lib.experiment.curve_extension.curve_extension_records`).  Under each one:

* **validity** comes from that specification's own cell of chapter 04's validity table
  (the same task, representation and geometry, measured at that scale: cells with
  ``task``, ``representation``, ``geometry``, ``scale``, ``delta``, ``valid``, as
  :func:`essay_lib.experiment.validity.validity_table` gives them).  A task whose cell
  fails its checks, or has no cell, reads **"not valid here"** under that specification,
  and so does every reading of it;
* **the answer** is chapter 05's, by its rules and nothing else
  (:func:`essay_lib.report.answer.experiment_answer` with that column as the measure and
  that cell's δ): the trend of Z̄ with the drop rate, and dropout's excess over each
  comparator at equal fit, read by the four-way rule.

**The family.**  Each specification is its own family, built exactly as the main answer
builds its own (every valid task's trend and comparisons; Holm's adjusted p-values and
simultaneous intervals at 1 − α/m over them).  The curve does not pool all specifications
into one family: it asks whether the main answer *depends* on a choice, not whether some
choice shows an effect, and no claim is read from any one alternative specification.  A
correction over the whole curve (m times the number of specifications) would read every
alternative by a stricter rule than the main one, so its readings would differ from the
main ones because of the correction, not the data.

**Agreement** (:func:`curve_agreement`) is substantive only: for each task and each
reading (the trend and every comparator), how many of the other specifications give the
**same reading code** as the main specification (``"more_linear"`` is not
``"slightly_more_linear"``).  "Not valid here" never agrees with anything, not even with
a main specification that is not valid either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from essay_lib.report.answer import ALPHA, COMPARATORS, Answer, experiment_answer
from essay_lib.report.table import check_table
from essay_lib.report.tables import markdown_table
from essay_lib.report.trends import SPEC_PREFIX
from essay_lib.report.vocabulary import reading_label, regularizer_label, task_label

__all__ = ["MAIN", "NOT_VALID", "TREND", "CurveAgreement", "SpecificationCurve",
           "add_specifications", "agreement_markdown", "agreement_sentence", "answer_inputs",
           "curve_agreement", "curve_answers", "family_range", "specification_cells",
           "specification_keys"]

#: The main specification: raw outputs (logits), s = 0.5, extrapolating triples
MAIN = "logits|0.5|extrapolating"
#: The reading of a task where the measure is not valid under a specification
NOT_VALID = "not_valid"
#: The name of the trend among the readings of a task (the others are comparators)
TREND = "trend"
_OUTPUTS = ("logits", "centred_logits", "log_probabilities", "probabilities")
_GEOMETRIES = ("extrapolating", "inside", "chord_midpoints")
_IDENTITY = ["task", "regularizer", "strength", "seed"]


def _key_order(key: str) -> tuple:
    output, scale, triples = key.split("|")
    rank = lambda seq, v: seq.index(v) if v in seq else len(seq)  # noqa: E731
    return rank(_OUTPUTS, output), rank(_GEOMETRIES, triples), float(scale), key


def add_specifications(table, records) -> pd.DataFrame:
    """``table`` (:func:`~essay_lib.report.table.record_table`) with the ``z_spec`` of
    ``records`` (dicts with ``task``, ``regularizer``, ``strength``, ``seed``, ``z_spec``)
    joined as more ``"z_spec:<key>"`` columns, row for row (NaN where a network has none).

    Raises ValueError when a record names one network twice or a column the table already
    has (a value is never silently replaced)."""
    table = check_table(table)
    if isinstance(records, (str, bytes)) or not isinstance(records, Sequence):
        raise TypeError(f"records must be a sequence of dicts, got {type(records).__name__}")
    rows = []
    for i, r in enumerate(records):
        if not isinstance(r, dict) or not isinstance(r.get("z_spec"), dict):
            raise TypeError(f"records[{i}] must be a dict with a 'z_spec' dict")
        rows.append({"task": r["task"], "regularizer": r["regularizer"],
                     "strength": float(r["strength"]), "seed": int(r["seed"]),
                     **{SPEC_PREFIX + str(k): float(v) for k, v in r["z_spec"].items()}})
    extra = pd.DataFrame.from_records(rows, columns=_IDENTITY) if not rows else \
        pd.DataFrame.from_records(rows)
    twice = extra.duplicated(_IDENTITY)
    if twice.any():
        raise ValueError(f"records name one network twice: "
                         f"{tuple(extra.loc[twice, _IDENTITY].iloc[0])}")
    clash = sorted(set(extra.columns) - set(_IDENTITY) & set(table.columns))
    if clash:
        raise ValueError(f"records hold {clash[0]!r}, a column table already has")
    extra = extra.astype({"seed": "int64", "strength": "float64"})
    return table.merge(extra, on=_IDENTITY, how="left", validate="many_to_one")


def specification_keys(table, task: str) -> list[str]:
    """The specifications measured on every network of ``task`` (``"z_spec:<key>"``
    columns with no NaN there), in reading order: output, geometry, scale."""
    mine = check_table(table).loc[table["task"] == task]
    if mine.empty:
        raise ValueError(f"task {task!r} has no rows in table; tasks: "
                         f"{sorted(set(table['task']))}")
    keys = [c.removeprefix(SPEC_PREFIX) for c in mine.columns if c.startswith(SPEC_PREFIX)
            and mine[c].notna().all()]
    return sorted(keys, key=_key_order)


def _key(output, scale, triples) -> str:
    return f"{output}|{float(scale):g}|{triples}"


def specification_cells(cells) -> dict[tuple[str, str], object]:
    """(task, ``"output|scale|triples"``) -> the validity cell of that task,
    representation and geometry at that scale.  ``cells``: objects with ``task``,
    ``representation``, ``geometry``, ``scale`` (validity tables measured at several
    scales, concatenated).  A chord-midpoint cell is named with its table's scale; its
    value does not depend on it."""
    out = {}
    for i, c in enumerate(cells):
        try:
            key = (c.task, _key(c.representation, c.scale, c.geometry))
        except AttributeError as error:
            raise TypeError(f"cells[{i}] must be a validity cell (task, representation, "
                            f"geometry, scale, delta, valid), got {type(c).__name__}"
                            ) from error
        if key in out:
            raise ValueError(f"cells hold two cells for {key}")
        out[key] = c
    return out


def answer_inputs(cells, key: str = MAIN) -> tuple[dict[str, float], dict[str, bool]]:
    """``(deltas, valid)`` of :func:`~essay_lib.report.answer.experiment_answer` under the
    specification ``key``, read from the validity ``cells``: per task with a cell there,
    its δ and whether it passed its checks."""
    found = {t: c for (t, k), c in specification_cells(cells).items() if k == key}
    return ({t: float(c.delta) for t, c in found.items()},
            {t: bool(c.valid) for t, c in found.items()})


@dataclass(frozen=True, eq=False)
class SpecificationCurve:
    """Chapter 05's answer under every specification: ``answers`` (key -> the
    :class:`~essay_lib.report.answer.Answer` over the tasks where that key is measured),
    ``keys`` (task -> its specifications in reading order), the ``main`` key."""

    tasks: tuple[str, ...]
    keys: dict[str, tuple[str, ...]]
    answers: dict[str, Answer]
    main: str
    comparators: tuple[str, ...]
    alpha: float
    loss: str

    def reading(self, task: str, key: str, what: str) -> str:
        """The reading of ``what`` (:data:`TREND` or a comparator) on ``task`` under
        ``key``: a reading code, a trend direction, or :data:`NOT_VALID`."""
        if key not in self.keys.get(task, ()):
            raise ValueError(f"specification {key!r} was not measured on task {task!r}")
        a = self.answers[key].tasks[task]
        if not a.valid:
            return NOT_VALID
        if what == TREND:
            return a.trend.direction
        if what not in a.comparisons:
            raise ValueError(f"what must be {TREND!r} or one of {self.comparators}, got "
                             f"{what!r}")
        return a.comparisons[what].reading

    def family_sizes(self) -> dict[str, int]:
        """key -> the number of tests in that specification's family."""
        return {k: a.family_size for k, a in self.answers.items()}


def curve_answers(table, tasks: Sequence[str], cells, *, main: str = MAIN,
                  comparators: Sequence[str] = COMPARATORS, alpha: float = ALPHA,
                  loss: str = "test_loss") -> SpecificationCurve:
    """Chapter 05's answer under every specification the table holds for ``tasks``
    (module docstring): validity and δ from each specification's own cell of ``cells``
    (:func:`specification_cells`), the answer by
    :func:`~essay_lib.report.answer.experiment_answer` on the ``"z_spec:<key>"`` column.
    ``main``: the main specification's key (every task must have it)."""
    if isinstance(tasks, str) or not isinstance(tasks, Sequence) or not tasks:
        raise TypeError(f"tasks must be a non-empty sequence of task names, got {tasks!r}")
    by_cell = specification_cells(cells)
    keys = {t: tuple(specification_keys(table, t)) for t in tasks}
    for t in tasks:
        if main not in keys[t]:
            raise ValueError(f"task {t!r} has no main specification {main!r}; it has "
                             f"{list(keys[t])}")
    answers = {}
    for key in sorted(set().union(*keys.values()), key=_key_order):
        mine = [t for t in tasks if key in keys[t]]
        found = {t: by_cell.get((t, key)) for t in mine}
        answers[key] = experiment_answer(
            table, mine, deltas={t: float(c.delta) for t, c in found.items() if c is not None},
            valid={t: c is not None and bool(c.valid) for t, c in found.items()},
            comparators=comparators, alpha=alpha, loss=loss, measure=SPEC_PREFIX + key)
    return SpecificationCurve(tuple(tasks), keys, answers, main, tuple(comparators),
                              float(alpha), loss)


@dataclass(frozen=True)
class CurveAgreement:
    """One task and reading (``what``: :data:`TREND` or a comparator): the ``main``
    specification's reading, and over the ``n_other`` other specifications measured on the
    task, how many are valid there (``n_valid``) and how many give the main reading
    (``n_same``; 0 when the main specification is not valid); ``counts``: reading ->
    number of other specifications."""

    task: str
    what: str
    main: str
    n_other: int
    n_valid: int
    n_same: int
    counts: dict

    @property
    def holds(self) -> bool:
        """Whether more than half of the other specifications give the main reading."""
        return self.n_same > self.n_other / 2


def curve_agreement(curve: SpecificationCurve) -> list[CurveAgreement]:
    """:class:`CurveAgreement` for every task and reading, tasks in order, the trend first."""
    if not isinstance(curve, SpecificationCurve):
        raise TypeError(f"curve must be a SpecificationCurve, got {type(curve).__name__}")
    rows = []
    for task in curve.tasks:
        others = [k for k in curve.keys[task] if k != curve.main]
        for what in (TREND, *curve.comparators):
            main = curve.reading(task, curve.main, what)
            readings = [curve.reading(task, k, what) for k in others]
            counts = {r: readings.count(r) for r in dict.fromkeys(readings)}
            same = 0 if main == NOT_VALID else readings.count(main)
            rows.append(CurveAgreement(task, what, main, len(others),
                                       len(others) - counts.get(NOT_VALID, 0), same, counts))
    return rows


def _what(what: str) -> str:
    return "the trend" if what == TREND else f"vs {regularizer_label(what)}"


def _column(what: str) -> str:
    return "$\\bar Z$ with the drop rate" if what == TREND else \
        f"dropout vs {regularizer_label(what)}"


def agreement_markdown(rows: Sequence[CurveAgreement]) -> str:
    """One row per task, one column per reading: the main specification's reading, and in
    how many other specifications it recurs (how many of them are valid there)."""
    whats = list(dict.fromkeys(r.what for r in rows))
    tasks = list(dict.fromkeys(r.task for r in rows))
    by = {(r.task, r.what): r for r in rows}
    body = []
    for task in tasks:
        first = by[task, whats[0]]
        body.append([task_label(task), str(first.n_other)] + [
            f"**{reading_label(by[task, w].main)}**: "
            + (f"same in {by[task, w].n_same}" if by[task, w].main != NOT_VALID else "—")
            + f" ({by[task, w].n_valid} valid)" for w in whats])
    return markdown_table(["task", "other specifications", *map(_column, whats)], body)


def agreement_sentence(rows: Sequence[CurveAgreement]) -> str:
    """How often the other specifications repeat the main readings, and where a main
    reading does not hold under most of them (each such cell named with its counts)."""
    rows = list(rows)
    scored = [r for r in rows if r.main != NOT_VALID]
    n_other = sum(r.n_other for r in scored)
    n_same = sum(r.n_same for r in scored)
    n_invalid = sum(r.n_other - r.n_valid for r in scored)
    if not n_other:
        return "No other specification was measured where the main one is valid."
    text = (f"Under the other specifications, {n_same} of {n_other} readings "
            f"({n_same / n_other:.0%}) repeat the main specification's; {n_invalid} of them "
            f"are under specifications where the measure is not valid, which never count as "
            f"agreement.")
    held = [r for r in scored if r.holds]
    text += (f" The main reading holds under more than half of the other specifications in "
             f"{len(held)} of {len(scored)} cases (task × reading).")
    weak = [r for r in scored if not r.holds]
    if weak:
        text += " It does not in: " + "; ".join(
            f"{task_label(r.task)}, {_what(r.what)} ({reading_label(r.main)} in {r.n_same} "
            f"of {r.n_other}, {r.n_valid} valid)" for r in weak) + "."
    missing = list(dict.fromkeys(r.task for r in rows if r.main == NOT_VALID))
    if missing:
        text += (" Under the main specification the measure is not valid on "
                 + ", ".join(task_label(t) for t in missing)
                 + ", so there is no main reading to agree with there.")
    return text


def family_range(curve: SpecificationCurve) -> tuple[int, int]:
    """The smallest and largest family size over the curve's specifications."""
    sizes = np.array(list(curve.family_sizes().values()))
    return int(sizes.min()), int(sizes.max())
