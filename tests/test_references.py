"""Every ``essay_lib.<dotted.name>`` the code and the README name exists.

Modules moved to their floors (DESIGN.md §7) and were renamed to say what they hold; a
docstring, an error message or a README line that still names the old path sends the reader
nowhere.  The scan covers the package, the notebooks, the benchmarks, these tests and the
README, and skips nothing.  A reference resolves when its longest importable prefix is a
module and the rest are attributes of it, one after the other.
"""

from __future__ import annotations

import importlib
import re

import pytest
from conftest import REPO

PACKAGE = "essay_lib"
#: ``essay_lib`` followed by dotted names, not inside a longer name or dotted path
REFERENCE = re.compile(r"(?<![\w.])essay_lib(?:\.[A-Za-z_]\w*)+")


def scanned_files() -> list:
    """The files whose references must resolve: every ``.py`` of the package, the
    notebooks, the benchmarks and the tests, and the README."""
    return sorted([*(REPO / PACKAGE).rglob("*.py"), *(REPO / "notebooks").glob("*.py"),
                   *(REPO / "benchmarks").glob("*.py"), *(REPO / "tests").glob("*.py"),
                   REPO / "README.md"])


def references(text: str) -> list[tuple[int, str]]:
    """(line number, dotted name) of every reference in ``text``."""
    return [(number, match.group(0)) for number, line in enumerate(text.splitlines(), 1)
            for match in REFERENCE.finditer(line)]


def resolves(name: str) -> bool:
    """Whether the dotted ``name`` is a module, or an attribute (chain) of one."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        module_name = ".".join(parts[:end])
        try:
            target = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            missing = error.name or ""
            if module_name == missing or module_name.startswith(missing + "."):
                continue  # this prefix is not a module: try a shorter one
            raise  # a module that exists failed to import one of its own dependencies
        for attribute in parts[end:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


@pytest.mark.parametrize("text, expected", [
    ("see :func:`~essay_lib.nets.models.MLP`.", ["essay_lib.nets.models.MLP"]),
    ("``essay_lib.report`` and essay_lib.util.checks.check_int()",
     ["essay_lib.report", "essay_lib.util.checks.check_int"]),
    ("essay_lib/nets/models.py, my_essay_lib.x, a.essay_lib.y, python -m essay_lib", []),
])
def test_the_pattern_finds_dotted_names_only(text, expected):
    assert [name for _, name in references(text)] == expected


@pytest.mark.parametrize("name, expected", [
    (f"{PACKAGE}.nets.models.MLP", True),
    (f"{PACKAGE}.report.plotting.set_style", True),
    (f"{PACKAGE}.report.session.setup", True),  # a floor that loads its modules lazily
    (f"{PACKAGE}.__version__", True),
    (f"{PACKAGE}.models.MLP", False),  # a module from before the floors
    (f"{PACKAGE}.nets.models.NoSuchThing", False),
    (f"{PACKAGE}.nets.nowhere", False),
])
def test_the_resolver_tells_a_name_from_a_missing_one(name, expected):
    assert resolves(name) is expected


def test_every_named_reference_resolves():
    files = scanned_files()
    assert len(files) > 50 and REPO / "README.md" in files
    missing = [f"{path.relative_to(REPO)}:{number}: {name}"
               for path in files
               for number, name in references(path.read_text(encoding="utf-8"))
               if not resolves(name)]
    assert not missing, "references to names that do not exist:\n" + "\n".join(missing)
