"""Argument checks shared by every module: a wrong value raises an error that names it.

``TypeError`` for the wrong kind of value, ``ValueError`` for a value outside its
allowed range; each message names the argument and the allowed range.  Every public
function of ``essay_lib`` validates through these, so messages read the same
everywhere.  ``bool`` is never accepted where a number is asked for (``True`` is an
``int`` to Python, but ``epochs=True`` is a mistake).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["check_array", "check_bool", "check_choice", "check_choices", "check_column",
           "check_drop_rate", "check_int", "check_int_sequence", "check_number", "check_numbers",
           "check_probability", "check_same_length", "check_seed", "check_seed_or_generator",
           "is_number"]


def is_number(value) -> bool:
    """True for a real number (Python or numpy int/float), False for bools and anything else."""
    return (not isinstance(value, (bool, np.bool_))
            and isinstance(value, (int, float, np.integer, np.floating)))


def check_int(name: str, value, minimum: int | None = 1, maximum: int | None = None) -> int:
    """``value`` as an int, requiring an integer (not a bool) in ``[minimum, maximum]``."""
    span = _span(minimum, maximum, True, True)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer{span}, got {value!r}")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be an integer{span}, got {value}")
    return int(value)


def check_seed(name: str, value) -> int:
    """A seed: an integer >= 0 (numpy and torch accept any such integer)."""
    return check_int(name, value, minimum=0)


def check_seed_or_generator(name: str, value):
    """A seed for ``numpy.random.default_rng``: an integer >= 0 (returned as an int) or a
    ``numpy.random.Generator`` (returned as it is)."""
    if isinstance(value, np.random.Generator):
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= 0 or a numpy.random.Generator, "
                        f"got {value!r}")
    return check_seed(name, value)


def _span(low, high, low_closed, high_closed) -> str:
    if low is None and high is None:
        return ""
    if high is None:
        return f" {'>=' if low_closed else '>'} {low:g}"
    if low is None:
        return f" {'<=' if high_closed else '<'} {high:g}"
    return (f" in {'[' if low_closed else '('}{low:g}, {high:g}{']' if high_closed else ')'}")


def check_number(name: str, value, *, minimum: float | None = None,
                 maximum: float | None = None, low_closed: bool = True,
                 high_closed: bool = True) -> float:
    """``value`` as a finite float in the interval given by ``minimum``/``maximum``.

    ``low_closed``/``high_closed`` say whether the ends are allowed: e.g. a learning
    rate is ``check_number("lr", lr, minimum=0, low_closed=False)`` (> 0).
    """
    span = _span(minimum, maximum, low_closed, high_closed)
    if not is_number(value):
        raise TypeError(f"{name} must be a number{span}, got {type(value).__name__}")
    v = _as_float(value)
    bad = not math.isfinite(v)
    if minimum is not None:
        bad |= v < minimum or (not low_closed and v == minimum)
    if maximum is not None:
        bad |= v > maximum or (not high_closed and v == maximum)
    if bad:
        raise ValueError(f"{name} must be a finite number{span}, got {value}")
    return v


def _as_float(value) -> float:
    """``float(value)`` for a number; an int too large for a float becomes +-inf (out of
    every finite range) instead of raising ``OverflowError``."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def check_drop_rate(name: str, value) -> float:
    """A drop probability in [0, 1) (PyTorch's ``p``: the probability of *dropping* a unit,
    not Srivastava et al.'s keep probability)."""
    if not is_number(value):
        raise TypeError(f"{name} must be a number in [0, 1), got {type(value).__name__}")
    if not 0.0 <= _as_float(value) < 1.0:
        raise ValueError(f"{name} must lie in [0, 1) (it is the probability of dropping a unit), "
                         f"got {value}")
    return float(value)


def check_keep_prob(name: str, value) -> float:
    """A keep probability in (0, 1] (Srivastava et al.'s p, the probability of *keeping* a
    unit; 1 keeps every unit), not PyTorch's drop rate."""
    return check_number(name, value, minimum=0.0, maximum=1.0, low_closed=False)


def check_probability(name: str, value, *, open_ends: bool = True) -> float:
    """A probability in (0, 1) (``open_ends``) or [0, 1]."""
    return check_number(name, value, minimum=0.0, maximum=1.0, low_closed=not open_ends,
                        high_closed=not open_ends)


def check_bool(name: str, value) -> bool:
    """A real ``bool`` (numpy bools too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_choice(name: str, value, choices: Sequence):
    """``value`` if it is one of ``choices``; else ``ValueError`` listing them."""
    choices = tuple(choices)
    try:
        ok = bool(value in choices)
    except (TypeError, ValueError):  # incomparable values; arrays (elementwise ==)
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def check_choices(name: str, value, choices: Sequence, *, non_empty: bool = True) -> tuple:
    """A sequence (not a string) whose every entry is one of ``choices``, as a tuple."""
    choices = tuple(choices)
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a sequence of values from {choices}, "
                        f"got {type(value).__name__}")
    if non_empty and len(value) == 0:
        raise ValueError(f"{name} must hold at least one value from {choices}, got none")
    return tuple(check_choice(f"{name}[{i}]", v, choices) for i, v in enumerate(value))


def check_int_sequence(name: str, value, *, minimum: int | None = 0,
                       non_empty: bool = True) -> tuple[int, ...]:
    """A sequence of integers (each ``>= minimum``) as a tuple; not a string or a bare int."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a sequence of integers, got {type(value).__name__}")
    if non_empty and len(value) == 0:
        raise ValueError(f"{name} must hold at least one integer, got none")
    return tuple(check_int(f"{name}[{i}]", v, minimum) for i, v in enumerate(value))


def check_array(name: str, value, *, ndim: int | Sequence[int] | None = None,
                dtype=np.float64, finite: bool = True, non_empty: bool = True,
                min_rows: int | None = None, columns: int | None = None) -> np.ndarray:
    """``value`` (array-like or torch tensor) as a numpy array of ``dtype``.

    ``ndim``: the allowed number(s) of dimensions; ``finite``: NaN/inf are refused;
    ``non_empty``: a size-0 array is refused; ``min_rows``: at least that many rows;
    ``columns``: exactly that many columns (2-D arrays).
    """
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers ({exc})") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            dims = " or ".join(map(str, allowed))
            hint = "; write x[:, None] for n scalar inputs" if 2 in allowed else ""
            raise ValueError(f"{name} must have {dims} dimensions, got shape {array.shape}{hint}")
    if non_empty and array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if min_rows is not None and (array.ndim == 0 or len(array) < min_rows):
        raise ValueError(f"{name} must have at least {min_rows} rows, got shape {array.shape}")
    if columns is not None and (array.ndim != 2 or array.shape[1] != columns):
        raise ValueError(f"{name} must have {columns} columns, got shape {array.shape}")
    if finite and np.issubdtype(array.dtype, np.number) and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def check_column(name: str, value, *, non_empty: bool = True) -> np.ndarray:
    """One value per row, shape (n,) or (n, 1), finite numbers, as a float64 vector (n,)."""
    array = check_array(name, value, non_empty=False)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"{name} must have shape (n,) or (n, 1), got {array.shape}")
    if non_empty and array.size == 0:
        raise ValueError(f"{name} must hold at least one value, got an empty array")
    return array


def check_numbers(name: str, value, *, minimum: float | None = None,
                  maximum: float | None = None, low_closed: bool = True,
                  high_closed: bool = True, ndim: int | Sequence[int] = 1,
                  non_empty: bool = True) -> np.ndarray:
    """``value`` as a float64 array of finite numbers (not bools), each in the interval
    given by ``minimum``/``maximum`` and ``low_closed``/``high_closed`` (as
    :func:`check_number`); ``ndim`` as :func:`check_array` (default: a vector)."""
    raw = value if hasattr(value, "detach") else np.asarray(value, dtype=object)
    if not hasattr(raw, "detach") and any(isinstance(v, (bool, np.bool_)) for v in raw.flat):
        raise TypeError(f"{name} must hold numbers, not bools")
    array = check_array(name, value, ndim=ndim, non_empty=non_empty)
    bad = np.zeros(array.shape, dtype=bool)
    if minimum is not None:
        bad |= (array < minimum) if low_closed else (array <= minimum)
    if maximum is not None:
        bad |= (array > maximum) if high_closed else (array >= maximum)
    if bad.any():
        span = _span(minimum, maximum, low_closed, high_closed)
        raise ValueError(f"{name} must hold numbers{span}, got {array[bad].flat[0]:g}")
    return array


def check_same_length(*named, what: str = "length") -> int:
    """The common length of several ``(name, sequence)`` pairs; ``ValueError`` naming them
    all when the lengths differ.  E.g. ``check_same_length(("x", x), ("y", y))``;
    ``what`` names the length in the message (e.g. ``"number of rows"``)."""
    lengths = [len(v) for _, v in named]
    if len(set(lengths)) > 1:
        names = [n for n, _ in named]
        listed = ", ".join(names[:-1]) + " and " + names[-1]
        got = ", ".join(map(str, lengths[:-1])) + f" and {lengths[-1]}"
        raise ValueError(f"{listed} must have the same {what}, got {got}")
    return lengths[0] if lengths else 0
