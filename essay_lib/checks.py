"""Argument checks shared by every module: a wrong value raises an error that names it.

``TypeError`` for the wrong kind of value, ``ValueError`` for a value outside its
allowed range; each message names the argument and the range.
"""

from __future__ import annotations

import numpy as np


def check_int(name: str, value, minimum: int = 1) -> int:
    """``value`` as an int, requiring an integer (not a bool) ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def check_drop_rate(name: str, value) -> float:
    """``value`` as a float drop probability in [0, 1) (PyTorch's ``p``, not a keep rate)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number in [0, 1), got {type(value).__name__}")
    if not 0.0 <= float(value) < 1.0:
        raise ValueError(f"{name} must lie in [0, 1) (it is the probability of dropping a unit), "
                         f"got {value}")
    return float(value)
