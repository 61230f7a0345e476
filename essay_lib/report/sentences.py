"""The essay's computed sentences: one home for every sentence the README and the site quote.

A computed sentence is a product, like a figure (STYLE.md): the package writes it to
``figures/<name>.md`` (:func:`write_sentence`), the README quotes it between
``<!-- ...:start -->`` and ``<!-- ...:end -->`` markers, and it must not depend on the
machine that computed it (DESIGN.md §4, "Robust to the machine";
``python -m essay_lib robustness`` checks that on three CPU kernel paths).

:data:`SENTENCES` maps each file name (without ``.md``) to a function that computes its
sentence **from scratch**: it runs (or reads back from the sweep cache) the experiment the
chapter reads, with the chapter's default parameters, then the report functions the chapter
calls.  Each takes the keyword arguments ``cache_dir`` (the sweep cache; ``None``: the
default, :func:`essay_lib.util.paths.cache_dir`) and ``progress`` (progress bars; ``None``:
unless ``$TQDM_DISABLE``).  A function whose inputs are not built yet raises
:class:`SentencePending`, which :func:`compute_sentences` reports as *pending*, not as an
error.

The ``*_text`` functions are the last step alone (records in, sentence out), the step the
chapters also take.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from essay_lib import experiment
from essay_lib.experiment import beyond
from essay_lib.report import answer, beyond_verdict, mechanism_tests, validity_report
from essay_lib.report.table import record_table
from essay_lib.util import paths
from essay_lib.util.checks import check_choice, check_choices

__all__ = ["NOT_YET_WRITTEN", "SENTENCES", "SentencePending", "SentenceResult",
           "answer_of", "answer_sentence", "beyond_sentence", "beyond_text",
           "TABLES", "compute_sentences", "mechanism_sentence", "mechanism_tests_of",
           "write_sentence", "write_table"]


class SentencePending(NotImplementedError):
    """A sentence whose inputs are not built yet (a module still on another branch)."""


# ------------------------------------------------------------------ mechanism (chapter 06)
def mechanism_tests_of(seeds=None, *, cache_dir=None, progress: bool | None = None
                       ) -> mechanism_tests.MechanismTests:
    """Chapter 06's :class:`~essay_lib.report.mechanism_tests.MechanismTests`, computed as the
    chapter computes it: chapter 05's experiment on ``seeds`` (default: its 16) and δ and
    validity from chapter 04's cells; the mechanism's sweeps
    (:mod:`essay_lib.experiment.mechanism`) on the tasks where Z̄ is valid; the validity of
    Z̄ for one-hidden-layer networks from their own cells."""
    seeds = experiment.essay.ESSAY_SEEDS if seeds is None else tuple(seeds)
    run = {"cache_dir": cache_dir, "progress": progress}
    spec = experiment.essay_experiment(seeds)
    records = experiment.run_experiment(spec, **run)
    main = validity_report.main_cells(experiment.validity.validity_table(spec, **run))
    tasks = [t for t in spec.tasks if main[t].valid]
    if not tasks:
        return mechanism_tests.mechanism_tests(record_table(records), None, spec.tasks,
                                               deltas={}, valid={})
    variants = experiment.run_experiment(
        experiment.mechanism.variant_experiment(seeds, tasks=tasks), **run)
    one_spec = experiment.mechanism.one_layer_experiment(seeds, tasks=tasks)
    one_layer = experiment.run_experiment(one_spec, **run)
    one_main = validity_report.main_cells(experiment.validity.validity_table(one_spec, **run))
    return mechanism_tests.mechanism_tests(
        record_table(records + variants), record_table(one_layer), spec.tasks,
        deltas={t: c.delta for t, c in main.items()}, valid={t: c.valid for t, c in main.items()},
        valid_one_layer={t: c.valid for t, c in one_main.items()})


def mechanism_sentence(*, cache_dir=None, progress: bool | None = None) -> str:
    """``06-mechanism``: chapter 06's answer (which ways of training match dropout's effect on
    Z̄ at the same fit, and what that says about sub-network additivity)."""
    return mechanism_tests.tests_sentence(mechanism_tests_of(cache_dir=cache_dir,
                                                             progress=progress))


# ------------------------------------------------------------------ beyond (chapter 07)
def beyond_text(verdicts: Sequence[beyond_verdict.VariantVerdict]) -> str:
    """Chapter 07's headline from its variants' verdicts: what the variants agree on, then
    the paper's claim about convolutions and skip connections."""
    verdicts = list(verdicts)
    return (f"{beyond_verdict.beyond_sentence(verdicts)} "
            f"{beyond_verdict.architecture_sentence(verdicts)}")


def beyond_sentence(*, cache_dir=None, progress: bool | None = None) -> str:
    """``07-beyond``: chapter 07's headline over its reduced (``"cpu"``) study, trained on
    the CPU as the chapter is."""
    variants = beyond.beyond_variants(beyond.STUDIES["cpu"])
    records = beyond.run_variants(variants, cache_dir=cache_dir, device="cpu",
                                  progress=progress)
    return beyond_text(beyond_verdict.variant_verdicts(records, variants, seed=0))


# ------------------------------------------------------------------ the answer (chapter 05)
def answer_of(spec, *, cache_dir=None, progress: bool | None = None) -> answer.Answer:
    """Chapter 05's :class:`~essay_lib.report.answer.Answer` for ``spec``: its records read
    once into a table, δ and validity from chapter 04's validity cells of the main
    specification (raw outputs, extrapolating triples), the rules of
    :mod:`essay_lib.report.answer`."""
    records = experiment.run_experiment(spec, cache_dir=cache_dir, progress=progress)
    main = validity_report.main_cells(experiment.validity.validity_table(
        spec, cache_dir=cache_dir, progress=progress))
    return answer.experiment_answer(record_table(records), spec.tasks,
                                    deltas={t: c.delta for t, c in main.items()},
                                    valid={t: c.valid for t, c in main.items()})


def answer_sentence(*, cache_dir=None, progress: bool | None = None) -> str:
    """``05-answer``: chapter 05's answer in plain words (at the same fit, is dropout's
    function more linear than the others'?), from the essay's experiment."""
    return answer.plain_answer(answer_of(experiment.essay_experiment(), cache_dir=cache_dir,
                                         progress=progress))


# ------------------------------------------------------------------ the registry
#: figure-md name -> function(*, cache_dir=None, progress=None) -> the sentence
SENTENCES: dict[str, Callable[..., str]] = {
    "05-answer": answer_sentence,
    "06-mechanism": mechanism_sentence,
    "07-beyond": beyond_sentence,
}
#: registered names whose ``figures/<name>.md`` no chapter writes yet
NOT_YET_WRITTEN: tuple[str, ...] = ()


def write_sentence(name: str, text: str, figures_dir: str | Path | None = None) -> Path:
    """Write ``text`` and a newline to ``<figures>/<name>.md`` (atomically); returns the path.

    ``name``: a key of :data:`SENTENCES`; ``text``: one non-empty line;
    ``figures_dir``: the folder (default :func:`essay_lib.util.paths.figures_dir`, i.e.
    ``$ESSAY_FIGURES_DIR`` or ``<repository>/figures``).
    """
    name = check_choice("name", name, tuple(SENTENCES))
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if not text.strip() or "\n" in text or "\r" in text:
        raise ValueError(f"text must be one non-empty line, got {text!r}")
    folder = Path(figures_dir) if figures_dir is not None else paths.figures_dir()
    return paths.write_atomic(folder / f"{name}.md", text + "\n")


#: computed markdown tables a chapter writes to ``figures/<name>.md`` for the site's index
#: (:func:`write_table`): products like the sentences, but not sentences (not in
#: :data:`SENTENCES`: the README quotes none of them)
TABLES: tuple[str, ...] = ("08-analogy-table",)


def write_table(name: str, markdown: str, figures_dir: str | Path | None = None) -> Path:
    """Write the markdown table ``markdown`` and a newline to ``<figures>/<name>.md``
    (atomically); returns the path.

    ``name``: one of :data:`TABLES`; ``markdown``: a table, every line starting with ``|``;
    ``figures_dir``: as in :func:`write_sentence`.
    """
    name = check_choice("name", name, TABLES)
    if not isinstance(markdown, str):
        raise TypeError(f"markdown must be a str, got {type(markdown).__name__}")
    lines = markdown.strip().splitlines()
    if len(lines) < 3 or not all(line.startswith("|") for line in lines):
        raise ValueError(f"markdown must be a table (a header, a rule, rows), got {markdown!r}")
    folder = Path(figures_dir) if figures_dir is not None else paths.figures_dir()
    return paths.write_atomic(folder / f"{name}.md", "\n".join(lines) + "\n")


@dataclass(frozen=True)
class SentenceResult:
    """One computed sentence: its ``text``, or why not (``pending``: inputs not built yet;
    ``error``: the exception, as ``"Type: message"``), and the wall ``seconds`` it took."""

    name: str
    text: str | None
    pending: str | None
    error: str | None
    seconds: float

    @property
    def status(self) -> str:
        """``"ok"``, ``"pending"`` or ``"error"``."""
        return "ok" if self.text is not None else "pending" if self.pending else "error"


def compute_sentences(names: Sequence[str] | None = None, *, cache_dir=None,
                      progress: bool | None = None,
                      report: Callable[[str], None] | None = None) -> list[SentenceResult]:
    """Compute the sentences ``names`` (default: all of :data:`SENTENCES`, in its order).

    A function that raises :class:`SentencePending` gives a pending result, any other
    exception an error result (the others are still computed).  ``report``: called with
    one line before and after each sentence (progress for a log; ``None``: silent).
    """
    names = tuple(SENTENCES) if names is None else check_choices("names", names,
                                                                tuple(SENTENCES))
    out = []
    for name in dict.fromkeys(names):
        if report:
            report(f"{name}: computing")
        start = time.perf_counter()
        text = pending = error = None
        try:
            text = SENTENCES[name](cache_dir=cache_dir, progress=progress)
        except SentencePending as why:
            pending = str(why) or "pending"
        except Exception as why:  # noqa: BLE001 - reported, the others still run
            error = f"{type(why).__name__}: {why}"
        result = SentenceResult(name, text, pending, error, time.perf_counter() - start)
        out.append(result)
        if report:
            report(f"{name}: {result.status} in {result.seconds:.1f} s"
                   + (f" ({pending or error})" if result.status != "ok" else ""))
    return out
