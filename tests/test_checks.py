"""essay_lib.util.checks: the shared argument checks."""

import numpy as np
import pytest

from essay_lib.util.checks import check_drop_rate, check_int


def test_check_int_accepts_integers_and_numpy_integers():
    assert check_int("n", 3) == 3
    assert check_int("n", np.int64(5), minimum=5) == 5
    assert type(check_int("n", np.int32(2))) is int


@pytest.mark.parametrize("value, error", [(True, TypeError), (2.0, TypeError), ("3", TypeError),
                                          (0, ValueError), (-4, ValueError)])
def test_check_int_rejects_with_the_argument_name(value, error):
    with pytest.raises(error, match="n_train must be an integer >= 1"):
        check_int("n_train", value)


def test_check_drop_rate_range_is_half_open():
    assert check_drop_rate("drop_rate", 0) == 0.0
    assert check_drop_rate("drop_rate", np.float32(0.5)) == 0.5
    for bad in (1.0, -0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match=r"drop_rate must lie in \[0, 1\)"):
            check_drop_rate("drop_rate", bad)
    with pytest.raises(TypeError, match="input_drop_rate"):
        check_drop_rate("input_drop_rate", "0.5")
