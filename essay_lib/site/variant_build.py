"""Variant builds: the essay executed with other parameters, papermill's way.

Every chapter's first code cell is tagged ``parameters`` and holds its knobs (``SEED = 0``,
...).  A variant build inserts, right after it, a cell tagged ``injected-parameters`` that
assigns the new values (:func:`inject_parameters`), so everything below the parameters
cell -- numbers, figures, the verdict sentences -- is recomputed from them.  A chapter gets
only the parameters its own parameters cell defines (:func:`chapter_parameters`).

``--seed N`` (:func:`seed_parameters`) sets ``SEED = N`` in every chapter and moves the
network seeds of chapters 05 and 08 to ``FIRST_NETWORK_SEED = 16 * N``: the experiment
trains 8 networks from there and replicates on the next 8, so the 16 networks of seed N
never overlap those of another seed (the essay itself, seed 0, uses networks 0-15).
"""

from __future__ import annotations

import ast
import copy
import re

from essay_lib.util.checks import check_seed

__all__ = ["INJECTED_TAG", "NETWORK_SEEDS_PER_VARIANT", "PARAMETERS_TAG", "SEED_NAMES",
           "chapter_parameters",
           "describe_parameters", "inject_parameters", "notebook_parameters", "parse_param",
           "seed_parameters"]

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
#: Networks a variant seed owns in chapters 05 and 08: 8 for the experiment, 8 fresh ones.
NETWORK_SEEDS_PER_VARIANT = 16
#: The parameters ``--seed`` sets (a chapter without a network seed simply lacks the second).
SEED_NAMES = ("SEED", "FIRST_NETWORK_SEED")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def seed_parameters(seed: int) -> dict:
    """The parameters of ``--seed N``: ``SEED = N`` and ``FIRST_NETWORK_SEED = 16 * N``."""
    seed = check_seed("seed", seed)
    return {"SEED": seed, "FIRST_NETWORK_SEED": NETWORK_SEEDS_PER_VARIANT * seed}


def parse_param(text: str) -> tuple[str, object]:
    """``"NAME=VALUE"`` -> ``(NAME, value)``; VALUE is a Python literal (``3``, ``0.5``,
    ``(64, 64)``, ``'moons'``).  Raises ``ValueError`` naming ``--param``."""
    if not isinstance(text, str) or "=" not in text:
        raise ValueError(f"--param must look like NAME=VALUE, got {text!r}")
    name, value = (part.strip() for part in text.split("=", 1))
    if not _NAME.match(name) or name.startswith("_"):
        raise ValueError(f"--param {text!r}: {name!r} is not a parameter name")
    try:
        return name, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        raise ValueError(f"--param {text!r}: the value must be a Python literal (a number, "
                         "a string in quotes, a tuple, ...)") from None


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _parameters_index(nb) -> int | None:
    return next((i for i, c in enumerate(nb.cells)
                 if c.cell_type == "code" and PARAMETERS_TAG in _tags(c)), None)


def notebook_parameters(nb) -> dict[str, str]:
    """Names assigned in ``nb``'s ``parameters`` cell -> the source of their value
    (``{}`` if it has none); tuple assignments (``A, B = 1, 2``) count name by name."""
    index = _parameters_index(nb)
    if index is None:
        return {}
    source = nb.cells[index].source
    found = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if isinstance(target, ast.Name):
                found[target.id] = ast.get_source_segment(source, node.value)
            elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                for name, value in zip(target.elts, node.value.elts, strict=False):
                    if isinstance(name, ast.Name):
                        found[name.id] = ast.get_source_segment(source, value)
    return found


def chapter_parameters(nb, parameters: dict) -> dict:
    """The part of ``parameters`` that ``nb``'s parameters cell defines, in its order."""
    defined = notebook_parameters(nb)
    return {name: parameters[name] for name in defined if name in parameters}


def inject_parameters(nb, parameters: dict, *, comment: str = "a variant build"):
    """A copy of ``nb`` with a cell tagged ``injected-parameters`` after its ``parameters``
    cell, assigning ``parameters`` (a dict name -> Python value; its values are written with
    ``repr``).  An earlier injected cell is replaced.  ``{}`` gives the notebook unchanged.
    Raises ``ValueError`` when ``nb`` has no parameters cell or a name is no identifier."""
    if not isinstance(parameters, dict):
        raise TypeError(f"parameters must be a dict, got {type(parameters).__name__}")
    nb = copy.deepcopy(nb)
    nb.cells = [c for c in nb.cells if INJECTED_TAG not in _tags(c)]
    if not parameters:
        return nb
    for name in parameters:
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"parameters: {name!r} is not a parameter name")
    index = _parameters_index(nb)
    if index is None:
        raise ValueError("the notebook has no cell tagged 'parameters' to inject after")
    import nbformat

    lines = [f"# Parameters of {comment}", *(f"{n} = {v!r}" for n, v in parameters.items())]
    cell = nbformat.v4.new_code_cell("\n".join(lines), metadata={"tags": [INJECTED_TAG]})
    cell["id"] = INJECTED_TAG  # a stable page: no random cell id
    nb.cells.insert(index + 1, cell)
    return nb


def describe_parameters(parameters: dict) -> str:
    """``"SEED = 1, FIRST_NETWORK_SEED = 16"`` (for the log and the index page)."""
    return ", ".join(f"{name} = {value!r}" for name, value in parameters.items())
