"""The verdict under every reasonable specification of Z̄: the specification curve.

A specification is one choice of output representation (raw logits, centred logits,
log-probabilities), displacement scale and triple type (extrapolating or inside the
data); the records' ``z_spec`` holds Z̄ of every network under each (see
:class:`essay_lib.experiment.MeasureSpec`).  Under each specification and on each task:

* **the positive control** (mixup, which asks a network to behave linearly between
  examples) must lower Z̄, i.e. its seed-level trend must *fall*; otherwise the measure
  is not validated there and the dropout result reads **"not validated"**;
* where it is validated, dropout's trend **supports** the paper's thesis when it falls,
  **contradicts** it when it rises, and is **inconclusive** otherwise.

:func:`agreement` counts, per task, how many specifications give the main
specification's verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from essay_lib.report.trends import SPEC_PREFIX, Trend, check_records, tasks_of, trend

VERDICTS = ("supports", "contradicts", "inconclusive", "not validated")
MAIN = "logits|0.5|extrapolating"


def thesis_verdict(dropout: Trend, control: Trend | None) -> str:
    """One of :data:`VERDICTS`: the gate of the positive control, then dropout's trend."""
    if control is not None and control.direction != "falls":
        return "not validated"
    return {"falls": "supports", "rises": "contradicts"}.get(dropout.direction, "inconclusive")


@dataclass(frozen=True)
class SpecVerdict:
    """The verdict on one task under one specification (``key`` = ``"output|scale|triples"``)."""

    task: str
    key: str
    dropout: Trend
    control: Trend

    @property
    def output(self) -> str:
        return self.key.split("|")[0]

    @property
    def scale(self) -> float:
        return float(self.key.split("|")[1])

    @property
    def triples(self) -> str:
        return self.key.split("|")[2]

    @property
    def validated(self) -> bool:
        return self.control.direction == "falls"

    @property
    def verdict(self) -> str:
        return thesis_verdict(self.dropout, self.control)


def specification_keys(records, task: str) -> list[str]:
    """The specifications measured on every record of ``task``, sorted (one order whether
    the records were just measured or read back from the cache, whose JSON sorts keys)."""
    curves = [r.get("z_spec") or {} for r in records if r["task"] == task]
    if not curves:
        raise ValueError(f"no records for task {task!r}")
    return sorted(k for k in curves[0] if all(k in c for c in curves))


def specification_verdicts(records, *, tasks: Sequence[str] | None = None,
                           control: str = "mixup", confidence: float = 0.95,
                           n_boot: int = 2000, seed: int = 0) -> list[SpecVerdict]:
    """One :class:`SpecVerdict` per (task, specification), tasks in first-seen order."""
    records = check_records(records)
    out = []
    for task in tasks_of(records) if tasks is None else tasks:
        for key in specification_keys(records, task):
            kw = {"confidence": confidence, "n_boot": n_boot, "seed": seed}
            measure = SPEC_PREFIX + key
            out.append(SpecVerdict(task, key, trend(records, task, "dropout", measure, **kw),
                                   trend(records, task, control, measure, **kw)))
    return out


@dataclass(frozen=True)
class Agreement:
    """Per task: the main specification's verdict, how many specifications were measured,
    how many were validated by the control, and how many agree with the main verdict."""

    task: str
    main: str
    n_specs: int
    n_validated: int
    n_agree: int
    counts: dict


def agreement(verdicts: Sequence[SpecVerdict], main: str = MAIN) -> list[Agreement]:
    """:class:`Agreement` per task (``main``: the key of the main specification)."""
    out = []
    for task in dict.fromkeys(v.task for v in verdicts):
        mine = [v for v in verdicts if v.task == task]
        head = next((v for v in mine if v.key == main), None)
        if head is None:
            raise ValueError(f"task {task!r} has no main specification {main!r}")
        counts = {name: sum(v.verdict == name for v in mine) for name in VERDICTS}
        out.append(Agreement(task, head.verdict, len(mine), sum(v.validated for v in mine),
                             counts[head.verdict], counts))
    return out
