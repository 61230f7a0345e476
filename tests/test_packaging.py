"""Dependency drift: pyproject.toml and environment.yml must list the same packages.

pyproject's ``[project.dependencies]`` plus its ``test`` and ``teach`` extras (pip names) must
match environment.yml's conda dependencies (conda-forge names) one to one, with
the same lower bounds.  ``CONDA_NAMES`` maps the names that differ.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parent.parent
#: pip name -> conda-forge name, where they differ.
CONDA_NAMES = {"torch": "pytorch"}
#: conda entries that are the environment itself, not a dependency of essay_lib.
CONDA_ONLY = {"python", "pip"}
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _split(requirement: str) -> tuple[str, str]:
    """``"numpy>=1.26"`` -> ``("numpy", ">=1.26")`` (name normalised, spaces removed)."""
    match = _REQUIREMENT.match(requirement.split(";")[0])
    assert match, f"cannot parse requirement {requirement!r}"
    return _normalise(match.group(1)), match.group(2).replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    """pip name -> version specifier, from [project.dependencies] and the test and teach
    extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project.get("optional-dependencies", {})
    assert {"test", "teach"} <= set(extras), "pyproject.toml lacks the 'test' or 'teach' extra"
    return dict(_split(r) for r in [*project["dependencies"], *extras["test"], *extras["teach"]])


def environment_file() -> dict:
    """environment.yml parsed with PyYAML (a dependency of jupyter's server)."""

    return yaml.safe_load((ROOT / "environment.yml").read_text())


def conda_requirements() -> dict[str, str]:
    """conda name -> version specifier, the plain (non-pip) entries of environment.yml,
    and the requirements its pip section installs besides essay_lib itself (packages
    that conda-forge lacks)."""
    entries = [e for e in environment_file()["dependencies"] if isinstance(e, str)]
    pip = [line for e in environment_file()["dependencies"] if isinstance(e, dict)
           for line in e.get("pip", []) if not line.startswith("-")]
    return dict(_split(e.replace("=", "==", 1) if re.search(r"[^<>=!]=[^=]", e) else e)
                for e in entries + pip)


def test_environment_yml_is_the_named_conda_environment():
    env = environment_file()
    assert env["name"] == "dropout-essay"
    assert "conda-forge" in env["channels"]
    conda = conda_requirements()
    assert conda.get("python") == "==3.11", f"python pin is {conda.get('python')!r}"
    pip_sections = [e["pip"] for e in env["dependencies"] if isinstance(e, dict) and "pip" in e]
    assert pip_sections, "environment.yml has no pip section installing essay_lib"
    assert any(line.startswith("-e") and "." in line for line in pip_sections[0]), (
        "the pip section must install essay_lib itself in editable mode (-e .)")


def test_dependency_names_match():
    pip_names = {CONDA_NAMES.get(name, name) for name in pyproject_requirements()}
    conda_names = set(conda_requirements()) - CONDA_ONLY
    missing_in_conda = sorted(pip_names - conda_names)
    missing_in_pip = sorted(conda_names - pip_names)
    assert not missing_in_conda and not missing_in_pip, (
        f"dependency lists drifted apart: in pyproject.toml but not environment.yml: "
        f"{missing_in_conda}; in environment.yml but not pyproject.toml: {missing_in_pip} "
        f"(conda-forge names; pip->conda renames: {CONDA_NAMES})")


def test_lower_bounds_match():
    conda = conda_requirements()
    differ = {name: (spec, conda.get(CONDA_NAMES.get(name, name)))
              for name, spec in pyproject_requirements().items()
              if conda.get(CONDA_NAMES.get(name, name), spec) != spec}
    assert not differ, f"version bounds differ (pyproject, environment.yml): {differ}"


def test_pyproject_pins_are_lower_bounds():
    """Lower bounds only (STYLE.md: exact pins rot)."""
    exact = {n: s for n, s in pyproject_requirements().items() if not s.startswith(">=")}
    assert not exact, f"pin these with a lower bound (>=) instead: {exact}"


@pytest.mark.parametrize("requirement, expected", [
    ("numpy>=1.26", ("numpy", ">=1.26")),
    ("scikit_learn >= 1.4", ("scikit-learn", ">=1.4")),
    ("essay_lib[test]", ("essay-lib", "")),
])
def test_requirement_parser(requirement, expected):
    assert _split(requirement) == expected
