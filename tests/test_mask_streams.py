"""Dropout masks of members that share a seed but not a drop rate are independent draws,
not nested thresholds of one stream (DESIGN.md §4)."""

from __future__ import annotations

import numpy as np
import torch

from essay_lib.nets.noise import Masks


def _masks(rates, seeds, rows=64, width=256):
    m = Masks(rates, seeds, layer=1, batch=rows, width=width, total_steps=1,
              device=torch.device("cpu"))
    return m.next(rows).numpy() > 0  # kept units, (K, rows, width)


def test_same_seed_different_rates_are_not_nested():
    low, high = _masks([0.1, 0.5], [3, 3])
    dropped_low, dropped_high = ~low, ~high
    # nested masks would drop every unit of the 0.1 member in the 0.5 member too
    share = (dropped_low & dropped_high).sum() / dropped_low.sum()
    assert 0.4 < share < 0.6  # independent: about P(dropped at 0.5) = 0.5
    assert abs(dropped_low.mean() - 0.1) < 0.01 and abs(dropped_high.mean() - 0.5) < 0.01


def test_a_member_still_depends_on_its_own_seed_and_rate_alone():
    alone = _masks([0.3], [7])[0]
    beside = _masks([0.5, 0.3, 0.3], [7, 7, 8])
    np.testing.assert_array_equal(beside[1], alone)
    assert not np.array_equal(beside[2], alone)
