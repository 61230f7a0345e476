"""The kernel-path check, as its last run left it: do the essay's sentences change with
the CPU's float kernels?

``python -m essay_lib robustness`` recomputes the essay's sentences under several CPU
kernel paths (DESIGN.md §4, "Robust to the machine": ``MKL_ENABLE_INSTRUCTIONS`` and
``ATEN_CPU_CAPABILITY`` pinned to older instruction sets), from empty caches.  It takes
minutes, too long for the site build, so it writes its result to
``figures/A-robustness.md`` and the appendix only reads that file
(:func:`read_kernel_check`, :func:`kernel_check_markdown`); nothing here runs it.

The file is markdown.  It may open with a front matter of ``key: value`` lines between two
``---`` lines; the appendix shows ``date`` and ``kernel_paths`` (a comma-separated list, or
``[a, b, c]``) from it.  Without front matter, lines such as ``Date: ...`` and
``Kernel paths: ...`` (bold or in a list, any case) are read instead.  The rest is the
result, shown as it is.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from essay_lib.util.paths import figures_dir

__all__ = ["COMMAND", "ROBUSTNESS_FILE", "KernelCheck", "kernel_check_markdown",
           "read_kernel_check", "stale_sentences"]

#: The file the robustness command writes, in the figures folder
ROBUSTNESS_FILE = "A-robustness.md"
#: The command that writes it
COMMAND = "python -m essay_lib robustness"

_LABELLED = re.compile(r"^[\s>*_\-]*(?P<key>date|run on|kernel paths?)[\s*_]*:[\s*_]*"
                       r"(?P<value>.+?)[\s*_]*$", re.IGNORECASE)


@dataclass(frozen=True)
class KernelCheck:
    """The last run of the kernel-path check: ``path`` read, whether it ``exists``, the
    ``date`` and ``kernel_paths`` it records (``None`` / ``()`` where it names none), its
    ``body`` (the markdown after the front matter) and every front-matter ``fields``."""

    path: Path
    exists: bool
    date: str | None = None
    kernel_paths: tuple[str, ...] = ()
    body: str = ""
    fields: dict = field(default_factory=dict)


def _paths(value: str) -> tuple[str, ...]:
    value = value.strip().removeprefix("[").removesuffix("]")
    return tuple(p.strip().strip("`'\"") for p in value.split(",") if p.strip())


def _front_matter(text: str) -> tuple[dict, str]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}, text
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            fields = {}
            for line in lines[1:end]:
                key, sep, value = line.partition(":")
                if sep and key.strip():
                    fields[key.strip().lower().replace(" ", "_")] = value.strip().strip("'\"")
            return fields, "\n".join(lines[end + 1:]).strip()
    return {}, text


def read_kernel_check(path: str | os.PathLike | None = None) -> KernelCheck:
    """The kernel-path check's last result (module docstring), from ``path`` (default
    ``figures_dir() / ROBUSTNESS_FILE``).  A missing file gives ``exists=False``; the file
    is only read, never run or written."""
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a path or None, got {type(path).__name__}")
    path = Path(path) if path is not None else figures_dir() / ROBUSTNESS_FILE
    if not path.is_file():
        return KernelCheck(path, False)
    text = path.read_text(encoding="utf-8")
    fields, body = _front_matter(text)
    date = fields.get("date") or None
    kernel_paths = _paths(fields.get("kernel_paths", "") or fields.get("kernel_path", ""))
    if not fields:
        for line in body.splitlines():
            match = _LABELLED.match(line)
            if not match:
                continue
            key, value = match["key"].lower(), match["value"]
            if key.startswith("kernel") and not kernel_paths:
                kernel_paths = _paths(value)
            elif not key.startswith("kernel") and date is None:
                date = value
    return KernelCheck(path, True, date, kernel_paths, body.strip(), fields)


_SENTENCE_LINE = re.compile(r"^(?P<name>[0-9A-Z]{1,2}-[a-z0-9-]+): \S")


def stale_sentences(check: KernelCheck) -> list[str]:
    """The sentences the check reports whose text is no longer the one in the figures folder
    beside it (``figures/<name>.md``): the code or the data changed since the check ran, so
    what it says about them describes an earlier sentence."""
    if not isinstance(check, KernelCheck):
        raise TypeError(f"check must be a KernelCheck, got {type(check).__name__}")
    lines = check.body.splitlines()
    stale = []
    for i, line in enumerate(lines[:-1]):
        match = _SENTENCE_LINE.match(line)
        current = check.path.parent / f"{match['name']}.md" if match else None
        if current is not None and current.is_file() and \
                lines[i + 1].strip() != current.read_text(encoding="utf-8").strip():
            stale.append(match["name"])
    return stale


def kernel_check_markdown(check: KernelCheck) -> str:
    """The check for the page: when it ran and under which kernel paths, then its result;
    or, plainly, that it has not run on this machine yet and how to run it."""
    if not isinstance(check, KernelCheck):
        raise TypeError(f"check must be a KernelCheck, got {type(check).__name__}")
    if not check.exists:
        return (f"**The kernel-path check has not been run on this machine yet**; run "
                f"`{COMMAND}` (it takes minutes: every sentence is recomputed under each "
                f"kernel path from empty caches), then rebuild this page.")
    when = check.date or "a date it does not record"
    paths = (", ".join(f"`{p}`" for p in check.kernel_paths) if check.kernel_paths
             else "kernel paths it does not name")
    head = f"**Last run of `{COMMAND}`:** {when}, under {paths}."
    text = head + "\n\n" + (check.body or "*(The file holds no result.)*")
    stale = stale_sentences(check)
    if stale:
        text += (f"\n\n**Since that run, the sentence of {', '.join(stale)} has changed** (its "
                 f"code or data changed), so what the run says about it describes the earlier "
                 f"sentence; `{COMMAND}` checks the new one.")
    return text
