"""Chapter 07's reading of the variants: chapter 05's verdict, once per variant and task.

Input: ``records_by_variant`` (variant name -> the records of
:func:`essay_lib.experiment.beyond.run_variants`) and the
:class:`~essay_lib.experiment.beyond.Variant` objects (their group, and which grid keys
play "dropout" and the penalty it is compared with: L2, or AdamW's weight decay, which the
tables and labels then name).  Every function is a pure function of these.

**The rules are chapter 05's** (:mod:`essay_lib.report.verdict`), applied to each variant
on its own: seed-level Spearman trends, mixup as the positive control that must lower Z̄
before dropout's result counts, Holm's correction over the tests of that variant's tasks,
and dropout against the penalty at matched fit.  A variant's verdict on a task **turns**
when it differs from the base configuration's verdict on the same task.

:func:`variant_effects` gives, per variant, task and regularizer, the paired change of Z̄
(by seed) from no regularization to the strongest strength of the grid: the figure's
forest (:func:`essay_lib.report.plotting.plot_variant_effects`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from essay_lib.experiment.beyond import Variant
from essay_lib.report import stats
from essay_lib.report.matched import paired_contrasts
from essay_lib.report.tables import markdown_table
from essay_lib.report.trends import ARROWS, check_records, tasks_of
from essay_lib.report.verdict import TaskVerdict, task_verdicts
from essay_lib.report.vocabulary import join_names, regularizer_label, task_label

ROLES = ("dropout", "penalty", "control")


def _check_inputs(records_by_variant, variants) -> list[Variant]:
    if not isinstance(records_by_variant, Mapping):
        raise TypeError(f"records_by_variant must map variant names to records, got "
                        f"{type(records_by_variant).__name__}")
    if isinstance(variants, Variant):
        variants = [variants]
    variants = list(variants)
    if not variants:
        raise ValueError("variants must hold at least one Variant")
    for i, v in enumerate(variants):
        if not isinstance(v, Variant):
            raise TypeError(f"variants[{i}] must be a Variant, got {type(v).__name__}")
        if v.name not in records_by_variant:
            raise ValueError(f"records_by_variant has no records for variant {v.name!r}; "
                             f"present: {sorted(records_by_variant)}")
        check_records(records_by_variant[v.name])
    return variants


@dataclass(frozen=True)
class VariantVerdict:
    """Chapter 05's verdict for one variant on one task, beside the base's verdict there
    (``base``: ``None`` when the base has no verdict on the task, e.g. the base itself)."""

    variant: str
    group: str
    task: str
    verdict: TaskVerdict
    base: str | None = None

    @property
    def turns(self) -> bool:
        """Whether the verdict differs from the base configuration's on the task."""
        return self.base is not None and self.verdict.verdict != self.base

    @property
    def penalty_same(self) -> bool:
        """Whether the penalty's trend of Z̄ has the direction of dropout's."""
        return self.verdict.penalty.direction == self.verdict.dropout.direction

    @property
    def control_same(self) -> bool:
        """Whether mixup's trend of Z̄ has the direction of dropout's."""
        return self.verdict.control.direction == self.verdict.dropout.direction


def variant_verdicts(records_by_variant: Mapping[str, Sequence[Mapping]],
                     variants: Sequence[Variant], *, base: str = "base",
                     confidence: float = 0.95, n_boot: int = 2000, seed: int = 0
                     ) -> list[VariantVerdict]:
    """One :class:`VariantVerdict` per (variant, task), variants in the order given, tasks
    in first-seen order of each variant's records.  ``base``: the variant the others are
    compared with (when it is among ``variants``)."""
    variants = _check_inputs(records_by_variant, variants)
    kw = {"confidence": confidence, "n_boot": n_boot, "seed": seed}
    read = {v.name: task_verdicts(records_by_variant[v.name], dropout=v.dropout,
                                  penalty=v.penalty, **kw) for v in variants}
    reference = {tv.task: tv.verdict for tv in read.get(base, [])}
    return [VariantVerdict(v.name, v.group, tv.task, tv,
                           None if v.name == base else reference.get(tv.task))
            for v in variants for tv in read[v.name]]


def _arrow(direction: str) -> str:
    return ARROWS[direction]


def variants_markdown(verdicts: Sequence[VariantVerdict]) -> str:
    """The variants table: one row per (variant, task): dropout's ρ with its interval, the
    verdict, how the penalty and mixup moved Z̄, dropout against the penalty at matched
    fit, and whether the verdict turns from the base's."""
    header = ["what was varied", "variant", "task", "dropout: ρ [95% interval]", "verdict",
              "penalty / mixup", "dropout vs penalty at matched fit", "against the base"]
    rows, last = [], None
    for v in verdicts:
        t = v.verdict
        first = v.variant != last
        last = v.variant
        dropout = regularizer_label(t.dropout.regularizer)
        compare = ("—" if v.base is None else
                   f"**turns** ({v.base} → {t.verdict})" if v.turns else "same")
        rows.append([v.group if first else "", v.variant if first else "", task_label(v.task),
                     f"{dropout}: {t.dropout.cell()}", f"**{t.verdict}**",
                     f"{t.penalty_label} {_arrow(t.penalty.direction)} / "
                     f"mixup {_arrow(t.control.direction)}", t.specificity, compare])
    return markdown_table(header, rows)


def _count(verdicts, predicate) -> int:
    return sum(1 for v in verdicts if predicate(v))


def agreement_paragraph(verdicts: Sequence[VariantVerdict]) -> str:
    """A markdown paragraph: how many (variant, task) cells keep the base's verdict, per task
    what the variants agree on, where the verdict turns, and how the penalty and mixup moved
    beside dropout."""
    verdicts = list(verdicts)
    if not verdicts:
        raise ValueError("verdicts must hold at least one VariantVerdict")
    compared = [v for v in verdicts if v.base is not None]
    parts = []
    if not compared:
        parts.append("No variant shares a task with the base configuration, so none can be "
                     "compared with it.")
    else:
        kept = _count(compared, lambda v: not v.turns)
        parts.append(f"Of the {len(compared)} (variant, task) cells beyond the base "
                     f"configuration, {kept} keep the base's verdict and "
                     f"{len(compared) - kept} turn.")
        for task in dict.fromkeys(v.task for v in compared):
            mine = [v for v in compared if v.task == task]
            same = _count(mine, lambda v: not v.turns)
            verb = "keeps" if same == 1 else "keep"
            parts.append(f"On {task_label(task)}, {same} of {len(mine)} variants {verb} the "
                         f"base's **{mine[0].base}**.")
        turned = [v for v in compared if v.turns]
        if turned:
            parts.append("The verdict turns for " + "; ".join(
                f"{v.variant} on {task_label(v.task)} ({v.base} → {v.verdict.verdict}, "
                f"{regularizer_label(v.verdict.dropout.regularizer)}'s ρ "
                f"{v.verdict.dropout.cell()})" for v in turned) + ".")
    n = len(verdicts)
    validated = _count(verdicts, lambda v: v.verdict.validated)
    parts.append(f"Over all {n} cells the positive control passes in {validated}; the penalty "
                 f"moves $\\bar Z$ the way dropout does in "
                 f"{_count(verdicts, lambda v: v.penalty_same)} and mixup in "
                 f"{_count(verdicts, lambda v: v.control_same)}.")
    specific = [v for v in verdicts if v.verdict.verdict == "supports"
                and v.verdict.specificity == "specific to dropout"]
    supports = _count(verdicts, lambda v: v.verdict.verdict == "supports")
    if supports:
        parts.append(f"Where dropout lowers $\\bar Z$ ({supports} cells), the effect is "
                     f"specific to dropout at matched fit in {len(specific)}.")
    return " ".join(parts)


def _architecture_part(verdicts, name: str, what: str) -> str | None:
    mine = [v for v in verdicts if v.variant == name]
    if not mine:
        return None
    supports = [v.task for v in mine if v.verdict.verdict == "supports"]
    same = [v for v in mine if v.base is not None and not v.turns]
    compared = [v for v in mine if v.base is not None]
    text = (f"with {what} ({name}) the thesis is supported on {len(supports)} of {len(mine)} "
            f"tasks" + (f" ({join_names(supports)})" if supports else ""))
    if compared:
        text += f" and the verdict is the base MLP's on {len(same)} of {len(compared)}"
    return text


def architecture_sentence(verdicts: Sequence[VariantVerdict], *,
                          skip: str = "residual MLP", convolution: str = "CNN") -> str:
    """One sentence answering the paper's claim that its argument "still applies" to
    skip connections and convolutions, from the verdicts of the variants named ``skip``
    and ``convolution`` (says so when either was not measured)."""
    verdicts = list(verdicts)
    parts = [p for p in (_architecture_part(verdicts, skip, "skip connections"),
                         _architecture_part(verdicts, convolution, "convolutions"))
             if p is not None]
    missing = [name for name in (skip, convolution) if not any(v.variant == name
                                                               for v in verdicts)]
    claim = "The paper says its argument still applies to convolutions and skip connections"
    if not parts:
        return (f"{claim}; this build measured neither the {skip} nor the {convolution}, so "
                f"the claim stays untested here.")
    sentence = f"{claim}: " + "; ".join(parts)
    if missing:
        sentence += f" (the {' and the '.join(missing)} could not be measured in this build)"
    return sentence + "."


def beyond_sentence(verdicts: Sequence[VariantVerdict]) -> str:
    """One plain sentence for the conclusion: counts only (no decimals)."""
    verdicts = list(verdicts)
    compared = [v for v in verdicts if v.base is not None]
    variants = list(dict.fromkeys(v.variant for v in compared))
    kept = _count(compared, lambda v: not v.turns)
    supports = _count(verdicts, lambda v: v.verdict.verdict == "supports")
    return (f"Changing one thing at a time around the base configuration ({len(variants)} "
            f"variants), dropout's verdict on Z̄ stayed the base's in {kept} of "
            f"{len(compared)} (variant, task) cells, and the thesis was supported in "
            f"{supports} of all {len(verdicts)}.")


@dataclass(frozen=True)
class Effect:
    """The paired change of a measure (by seed) from no regularization to ``strength`` of
    ``regularizer`` (playing ``role``: dropout, penalty or control) in one variant."""

    variant: str
    group: str
    task: str
    role: str
    regularizer: str
    strength: float
    change: stats.Change


def variant_effects(records_by_variant: Mapping[str, Sequence[Mapping]],
                    variants: Sequence[Variant], *, measure: str = "z_bar",
                    roles: Sequence[str] = ROLES, confidence: float = 0.95,
                    n_boot: int = 2000, seed: int = 0) -> list[Effect]:
    """One :class:`Effect` per (variant, task, role) at the strongest strength of the grid
    (roles: ``"dropout"``, ``"penalty"``, ``"control"`` = mixup)."""
    variants = _check_inputs(records_by_variant, variants)
    for r in roles:
        if r not in ROLES:
            raise ValueError(f"roles must be drawn from {ROLES}, got {r!r}")
    kw = {"confidence": confidence, "n_boot": n_boot, "seed": seed}
    out = []
    for v in variants:
        records = records_by_variant[v.name]
        keys = {"dropout": v.dropout, "penalty": v.penalty, "control": "mixup"}
        for task in tasks_of(records):
            for role in roles:
                strongest = paired_contrasts(records, task, keys[role], measure, **kw)[-1]
                out.append(Effect(v.name, v.group, task, role, keys[role], strongest.strength,
                                  strongest.change))
    return out


def effect_rows(effects: Sequence[Effect]) -> list[dict]:
    """Rows for :func:`essay_lib.report.plotting.plot_variant_effects`: variant, group,
    task, role, regularizer, estimate, low, high."""
    return [{"variant": e.variant, "group": e.group, "task": e.task, "role": e.role,
             "regularizer": e.regularizer, "estimate": e.change.estimate,
             "low": e.change.low, "high": e.change.high} for e in effects]
