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

**Too few seeds decide nothing.**  An exact sign-flip test on n seeds never gives p below
2 / 2**n (the CPU study's 5 seeds: 1 in 16, above 5% even for one test).  A cell whose
seeds cannot reach Holm's first threshold (:attr:`TaskVerdict.decidable
<essay_lib.report.verdict.TaskVerdict.decidable>`) has no verdict to keep or turn: the
table marks it **undecidable**, and the sentences leave it out of their counts and say
why (:func:`essay_lib.report.verdict.too_few_seeds`).

:func:`variant_effects` gives, per variant, task and regularizer, the paired change of Z̄
(by seed) from no regularization to the strongest strength of the grid: the figure's
forest (:func:`essay_lib.report.plotting.plot_variant_effects`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from essay_lib.experiment.beyond import Variant
from essay_lib.report import stats, wording
from essay_lib.report.matched import paired_contrasts
from essay_lib.report.tables import markdown_table
from essay_lib.report.trends import ARROWS, check_records, tasks_of
from essay_lib.report.verdict import TaskVerdict, task_verdicts, undecided_clause, verdict_cell
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
    (``base``: ``None`` when the base has no verdict on the task, e.g. the base itself;
    ``base_decidable``: whether the base's seeds could reach that verdict at all)."""

    variant: str
    group: str
    task: str
    verdict: TaskVerdict
    base: str | None = None
    base_decidable: bool = True

    @property
    def comparable(self) -> bool:
        """Whether the cell can be held against the base's: both have a verdict their seeds
        could reach (:attr:`TaskVerdict.decidable
        <essay_lib.report.verdict.TaskVerdict.decidable>`)."""
        return self.base is not None and self.base_decidable and self.verdict.decidable

    @property
    def turns(self) -> bool:
        """Whether the verdict differs from the base configuration's on the task (never
        where either cannot be decided with its seeds)."""
        return self.comparable and self.verdict.verdict != self.base

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
    reference = {tv.task: tv for tv in read.get(base, [])}
    out = []
    for v in variants:
        for tv in read[v.name]:
            ref = None if v.name == base else reference.get(tv.task)
            out.append(VariantVerdict(v.name, v.group, tv.task, tv,
                                      None if ref is None else ref.verdict,
                                      True if ref is None else ref.decidable))
    return out


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
                   "n/a (too few seeds)" if not v.comparable else
                   f"**turns** ({v.base} → {t.verdict})" if v.turns else "same")
        rows.append([v.group if first else "", v.variant if first else "", task_label(v.task),
                     f"{dropout}: {t.dropout.cell()}", verdict_cell(t),
                     f"{t.penalty_label} {_arrow(t.penalty.direction)} / "
                     f"mixup {_arrow(t.control.direction)}", t.specificity, compare])
    return markdown_table(header, rows)


def _count(verdicts, predicate) -> int:
    return sum(1 for v in verdicts if predicate(v))


def agreement_paragraph(verdicts: Sequence[VariantVerdict]) -> str:
    """A markdown paragraph: how many (variant, task) cells keep the base's verdict, per task
    what the variants agree on, where the verdict turns, and how the penalty and mixup moved
    beside dropout.  Cells whose seeds cannot reach a verdict are named first, with the
    reason, and left out of every count."""
    verdicts = list(verdicts)
    if not verdicts:
        raise ValueError("verdicts must hold at least one VariantVerdict")
    decided = [v for v in verdicts if v.verdict.decidable]
    if not decided:
        return (f"None of the {len(verdicts)} (variant, task) cells can be decided: "
                f"{undecided_clause([v.verdict for v in verdicts])}. Every trend therefore "
                f"reads \"no clear trend\" whatever the networks did, and no variant can keep "
                f"or turn the base's verdict.")
    parts = []
    if len(decided) < len(verdicts):
        parts.append(f"{len(verdicts) - len(decided)} of the {len(verdicts)} (variant, task) "
                     f"cells cannot be decided "
                     f"({undecided_clause([v.verdict for v in verdicts])}); they are left out "
                     f"below.")
    compared = [v for v in verdicts if v.comparable]
    if not any(v.base is not None for v in verdicts):
        parts.append("No variant shares a task with the base configuration, so none can be "
                     "compared with it.")
    elif not compared:
        parts.append("No decided variant shares a task with a decided base configuration, so "
                     "none can be compared with it.")
    else:
        kept = _count(compared, lambda v: not v.turns)
        cells = wording.count_of(kept, len(compared), "(variant, task) cell",
                                 "keep the base's verdict")
        parts.append(f"Beyond the base configuration, {cells}"
                     + (("; the other one turns" if len(compared) - kept == 1 else
                         f"; the other {len(compared) - kept} turn")
                        if 0 < kept < len(compared) else "")
                     + ".")
        for task in dict.fromkeys(v.task for v in compared):
            mine = [v for v in compared if v.task == task]
            same = _count(mine, lambda v: not v.turns)
            parts.append(f"On {task_label(task)}, "
                         + wording.count_of(same, len(mine), "variant", "keep the base's")
                         + f" **{mine[0].base}**.")
        turned = [v for v in compared if v.turns]
        if turned:
            parts.append("The verdict turns for " + "; ".join(
                f"{v.variant} on {task_label(v.task)} ({v.base} → {v.verdict.verdict}, "
                f"{regularizer_label(v.verdict.dropout.regularizer)}'s ρ "
                f"{v.verdict.dropout.cell()})" for v in turned) + ".")
    n = len(decided)
    validated = _count(decided, lambda v: v.verdict.validated)
    parts.append(f"Over all {n} {'decided ' if n < len(verdicts) else ''}cells the positive "
                 f"control passes in {validated}; the penalty moves $\\bar Z$ the way dropout "
                 f"does in {_count(decided, lambda v: v.penalty_same)} and mixup in "
                 f"{_count(decided, lambda v: v.control_same)}.")
    specific = [v for v in decided if v.verdict.verdict == "supports"
                and v.verdict.specificity == "specific to dropout"]
    supports = _count(decided, lambda v: v.verdict.verdict == "supports")
    if supports:
        parts.append(f"Where dropout lowers $\\bar Z$ ({supports} cells), the effect is "
                     f"specific to dropout at matched fit in {len(specific)}.")
    return " ".join(parts)


def _architecture_part(verdicts, name: str, what: str) -> str | None:
    mine = [v for v in verdicts if v.variant == name]
    if not mine:
        return None
    decided = [v for v in mine if v.verdict.decidable]
    if not decided:
        return (f"with {what} ({name}) no verdict can be reached with "
                f"{min(v.verdict.n_seeds for v in mine)} seeds")
    supports = [v.task for v in decided if v.verdict.verdict == "supports"]
    same = [v for v in mine if v.comparable and not v.turns]
    compared = [v for v in mine if v.comparable]
    text = (f"with {what} ({name}) the thesis is supported on {len(supports)} of "
            f"{len(decided)} {'decided ' if len(decided) < len(mine) else ''}tasks"
            + (f" ({join_names(supports)})" if supports else ""))
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
    variants = list(dict.fromkeys(v.variant for v in verdicts if v.base is not None))
    start = (f"Changing one thing at a time around the base configuration ({len(variants)} "
             f"variants)")
    decided = [v for v in verdicts if v.verdict.decidable]
    if not decided:
        return (f"{start}, no verdict on Z̄ could be reached in any of the {len(verdicts)} "
                f"(variant, task) cells: {undecided_clause([v.verdict for v in verdicts])}.")
    compared = [v for v in verdicts if v.comparable]
    kept = _count(compared, lambda v: not v.turns)
    supports = _count(decided, lambda v: v.verdict.verdict == "supports")
    held = (f"dropout's verdict on Z̄ stayed the base's in {kept} of {len(compared)} "
            f"(variant, task) cells" if compared else
            "no variant's verdict on Z̄ could be held against a decided base verdict")
    sentence = (f"{start}, {held}, and the thesis was supported in {supports} of all "
                f"{len(decided)}")
    if len(decided) < len(verdicts):
        sentence += (f" decided cells; {len(verdicts) - len(decided)} cells could not be "
                     f"decided ({undecided_clause([v.verdict for v in verdicts])})")
    return sentence + "."


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
