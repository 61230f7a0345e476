"""essay_lib.util.checks: the shared argument checks, each helper tested directly.

For every helper: accepted values come back (converted as documented), a bool where a
number belongs is a ``TypeError``, NaN/inf are refused where numbers must be finite,
the bounds are exact at their edges (open or closed), a wrong kind of value is a
``TypeError``, a value out of range a ``ValueError``, and the message names the
argument.  Hypothesis checks the same over many values.
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from essay_lib.util.checks import (
    check_array,
    check_bool,
    check_choice,
    check_choices,
    check_column,
    check_drop_rate,
    check_int,
    check_int_sequence,
    check_number,
    check_numbers,
    check_probability,
    check_same_length,
    check_seed,
    check_seed_or_generator,
    is_number,
)

BOOLS = [True, False, np.bool_(True)]
NON_FINITE = [math.nan, math.inf, -math.inf, np.float32("nan"), np.float64("inf")]
finite_floats = st.floats(allow_nan=False, allow_infinity=False)


# ----------------------------------------------------------------------------- is_number
@pytest.mark.parametrize("value", [0, -3, 2.5, np.int8(1), np.uint64(7), np.float32(0.5),
                                   math.nan, math.inf])
def test_is_number_accepts_real_numbers(value):
    assert is_number(value)


@pytest.mark.parametrize("value", [*BOOLS, "1", None, [1], np.array([1.0]), 1 + 2j, object()])
def test_is_number_refuses_bools_and_non_numbers(value):
    assert not is_number(value)


# ----------------------------------------------------------------------------- check_int
def test_check_int_accepts_integers_and_numpy_integers():
    assert check_int("n", 3) == 3
    assert check_int("n", np.int64(5), minimum=5) == 5
    assert type(check_int("n", np.int32(2))) is int


@pytest.mark.parametrize("value, error", [(True, TypeError), (2.0, TypeError), ("3", TypeError),
                                          (0, ValueError), (-4, ValueError)])
def test_check_int_rejects_with_the_argument_name(value, error):
    with pytest.raises(error, match="n_train must be an integer >= 1"):
        check_int("n_train", value)


@pytest.mark.parametrize("value", [*BOOLS, 1.0, np.float64(2.0), None, "1", [1], math.nan])
def test_check_int_wrong_kinds_are_type_errors(value):
    with pytest.raises(TypeError, match="width must be an integer"):
        check_int("width", value, minimum=0)


def test_check_int_bounds_are_closed_and_optional():
    assert check_int("k", 2, minimum=2, maximum=5) == 2
    assert check_int("k", 5, minimum=2, maximum=5) == 5
    for bad in (1, 6):
        with pytest.raises(ValueError, match=r"k must be an integer in \[2, 5\], got"):
            check_int("k", bad, minimum=2, maximum=5)
    assert check_int("k", -10**30, minimum=None) == -10**30
    with pytest.raises(ValueError, match="k must be an integer <= 3"):
        check_int("k", 4, minimum=None, maximum=3)


@given(st.integers(-10**6, 10**6), st.integers(-10**6, 10**6), st.integers(-10**20, 10**20))
def test_check_int_accepts_exactly_the_integers_in_range(a, b, value):
    low, high = min(a, b), max(a, b)
    if low <= value <= high:
        assert check_int("n", value, minimum=low, maximum=high) == value
        assert type(check_int("n", np.int64(value) if abs(value) < 2**62 else value,
                              minimum=low, maximum=high)) is int
    else:
        with pytest.raises(ValueError, match="n must be an integer in"):
            check_int("n", value, minimum=low, maximum=high)


# ----------------------------------------------------------------------------- check_seed
def test_check_seed_accepts_non_negative_integers_only():
    assert check_seed("seed", 0) == 0
    assert check_seed("seed", np.uint32(2**32 - 1)) == 2**32 - 1
    assert check_seed("seed", 10**30) == 10**30
    with pytest.raises(ValueError, match="seed must be an integer >= 0, got -1"):
        check_seed("seed", -1)
    for bad in (True, 1.0, "0", None):
        with pytest.raises(TypeError, match="data_seed must be an integer"):
            check_seed("data_seed", bad)


def test_check_seed_or_generator_passes_generators_through():
    gen = np.random.default_rng(3)
    assert check_seed_or_generator("seed", gen) is gen
    assert check_seed_or_generator("seed", np.int64(4)) == 4
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        check_seed_or_generator("seed", -1)
    for bad in (True, 1.5, math.nan, None, "0", np.random.RandomState(0)):
        with pytest.raises(TypeError, match="seed must be an integer >= 0 or a numpy"):
            check_seed_or_generator("seed", bad)


# ----------------------------------------------------------------------------- check_number
def test_check_number_returns_a_float():
    for value in (3, np.int16(3), 3.0, np.float32(3.0)):
        out = check_number("lr", value)
        assert out == 3.0 and type(out) is float


@pytest.mark.parametrize("value", [*BOOLS, "0.1", None, [0.1], np.array([0.1]), 1j])
def test_check_number_wrong_kinds_are_type_errors(value):
    with pytest.raises(TypeError, match="noise must be a number"):
        check_number("noise", value, minimum=0.0)


@pytest.mark.parametrize("value", NON_FINITE)
def test_check_number_refuses_nan_and_inf_even_without_bounds(value):
    with pytest.raises(ValueError, match="scale must be a finite number"):
        check_number("scale", value)


@pytest.mark.parametrize("low_closed, high_closed, span", [
    (True, True, r"\[0, 1\]"), (False, True, r"\(0, 1\]"),
    (True, False, r"\[0, 1\)"), (False, False, r"\(0, 1\)")])
def test_check_number_bounds_are_exact_at_the_edges(low_closed, high_closed, span):
    kw = dict(minimum=0.0, maximum=1.0, low_closed=low_closed, high_closed=high_closed)
    for edge, closed in ((0.0, low_closed), (1.0, high_closed)):
        if closed:
            assert check_number("q", edge, **kw) == edge
        else:
            with pytest.raises(ValueError, match=f"q must be a finite number in {span}"):
                check_number("q", edge, **kw)
    for inside in (math.ulp(0.0), 0.5, 1.0 - math.ulp(1.0)):
        assert check_number("q", inside, **kw) == inside
    for outside in (-math.ulp(0.0), -1e-300, 1.0 + math.ulp(1.0), 7):
        with pytest.raises(ValueError, match=f"q must be a finite number in {span}"):
            check_number("q", outside, **kw)


def test_check_number_one_sided_bounds_name_the_side():
    with pytest.raises(ValueError, match="lr must be a finite number > 0, got 0"):
        check_number("lr", 0, minimum=0, low_closed=False)
    with pytest.raises(ValueError, match="z must be a finite number <= 2"):
        check_number("z", 3.0, maximum=2)


@given(finite_floats, finite_floats, finite_floats, st.booleans(), st.booleans())
def test_check_number_accepts_exactly_the_finite_floats_in_the_interval(a, b, value, lo_c, hi_c):
    low, high = min(a, b), max(a, b)
    inside = (low < value or (lo_c and value == low)) and (value < high or (hi_c and value == high))
    kw = dict(minimum=low, maximum=high, low_closed=lo_c, high_closed=hi_c)
    if inside:
        out = check_number("x", value, **kw)
        assert out == value and type(out) is float
    else:
        with pytest.raises(ValueError, match="x must be a finite number"):
            check_number("x", value, **kw)


@given(st.integers())
@example(10**400)
@example(-10**400)
def test_check_number_handles_any_python_int(value):
    """Integers too large for a float are out of range (ValueError), not an OverflowError."""
    try:
        as_float = float(value)
    except OverflowError:
        with pytest.raises(ValueError, match="x must be a finite number"):
            check_number("x", value)
        return
    assert check_number("x", value) == as_float


# ----------------------------------------------------------------------------- check_drop_rate
def test_check_drop_rate_range_is_half_open():
    assert check_drop_rate("drop_rate", 0) == 0.0
    assert check_drop_rate("drop_rate", np.float32(0.5)) == 0.5
    for bad in (1.0, -0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match=r"drop_rate must lie in \[0, 1\)"):
            check_drop_rate("drop_rate", bad)
    with pytest.raises(TypeError, match="input_drop_rate"):
        check_drop_rate("input_drop_rate", "0.5")


def test_check_drop_rate_edges_bools_and_infinities():
    assert check_drop_rate("q", 1.0 - math.ulp(1.0)) == 1.0 - math.ulp(1.0)
    assert type(check_drop_rate("q", 0)) is float
    for bad in (-math.ulp(0.0), math.inf, -math.inf, 1):
        with pytest.raises(ValueError, match=r"q must lie in \[0, 1\)"):
            check_drop_rate("q", bad)
    for bad in (*BOOLS, None):
        with pytest.raises(TypeError, match=r"q must be a number in \[0, 1\)"):
            check_drop_rate("q", bad)


@given(st.one_of(st.floats(), st.integers()))
@example(10**400)
def test_check_drop_rate_accepts_exactly_zero_to_one_open(value):
    try:
        ok = 0.0 <= float(value) < 1.0
    except OverflowError:
        ok = False
    if ok:
        assert check_drop_rate("q", value) == float(value)
    else:
        with pytest.raises(ValueError, match="q must lie in"):
            check_drop_rate("q", value)


# ----------------------------------------------------------------------------- check_probability
def test_check_probability_open_and_closed_ends():
    assert check_probability("confidence", 0.95) == 0.95
    for edge in (0, 1, 0.0, 1.0):
        with pytest.raises(ValueError, match=r"confidence must be a finite number in \(0, 1\)"):
            check_probability("confidence", edge)
        assert check_probability("p", edge, open_ends=False) == edge
    for bad in (-0.01, 1.01, math.nan):
        with pytest.raises(ValueError, match=r"p must be a finite number in \[0, 1\]"):
            check_probability("p", bad, open_ends=False)
    for bad in (*BOOLS, "0.5"):
        with pytest.raises(TypeError, match="alpha must be a number"):
            check_probability("alpha", bad)


@given(st.floats(min_value=0.0, max_value=1.0, exclude_min=True, exclude_max=True))
def test_check_probability_accepts_every_float_strictly_inside(value):
    assert check_probability("p", value) == value


# ----------------------------------------------------------------------------- check_bool
def test_check_bool_accepts_only_bools():
    assert check_bool("flag", True) is True
    assert check_bool("flag", np.bool_(False)) is False
    for bad in (0, 1, 1.0, "True", None, np.array([True])):
        with pytest.raises(TypeError, match="flag must be True or False"):
            check_bool("flag", bad)


# ----------------------------------------------------------------------------- check_choice
def test_check_choice_returns_the_value_or_lists_the_choices():
    assert check_choice("kind", "relu", ("relu", "tanh")) == "relu"
    assert check_choice("kind", 2, [1, 2]) == 2
    with pytest.raises(ValueError, match=r"kind must be one of \('relu', 'tanh'\), got 'gelu'"):
        check_choice("kind", "gelu", ("relu", "tanh"))


@pytest.mark.parametrize("value", [["relu"], {"a": 1}, np.array(["relu", "tanh"]),
                                   np.array([1.0, 2.0]), None])
def test_check_choice_odd_values_are_value_errors_naming_the_argument(value):
    """Unhashable values and arrays (whose ``==`` is elementwise) are refused cleanly."""
    with pytest.raises(ValueError, match="kind must be one of"):
        check_choice("kind", value, ("relu", "tanh"))


# ----------------------------------------------------------------------------- check_choices
def test_check_choices_returns_a_tuple_and_names_the_bad_entry():
    assert check_choices("names", ["and", "or"], ("and", "or", "xor")) == ("and", "or")
    assert check_choices("names", (), ("a",), non_empty=False) == ()
    with pytest.raises(ValueError, match=r"names\[1\] must be one of"):
        check_choices("names", ("and", "maybe"), ("and", "or"))
    with pytest.raises(ValueError, match="names must hold at least one value"):
        check_choices("names", [], ("and",))
    for bad in ("and", b"and", 3, None, {"and"}):
        with pytest.raises(TypeError, match="names must be a sequence of values from"):
            check_choices("names", bad, ("and",))


# ----------------------------------------------------------------------------- check_int_sequence
def test_check_int_sequence_returns_plain_ints():
    out = check_int_sequence("hidden", np.array([4, 8]), minimum=1)
    assert out == (4, 8) and all(type(v) is int for v in out)
    assert check_int_sequence("seeds", range(3)) == (0, 1, 2)
    assert check_int_sequence("s", [], non_empty=False) == ()
    with pytest.raises(ValueError, match="hidden must hold at least one integer"):
        check_int_sequence("hidden", [])
    with pytest.raises(ValueError, match=r"hidden\[1\] must be an integer >= 1, got 0"):
        check_int_sequence("hidden", [3, 0], minimum=1)
    for bad in ([3, True], [3, 2.0], [None]):
        with pytest.raises(TypeError, match=r"hidden\[\d\] must be an integer"):
            check_int_sequence("hidden", bad)
    for bad in (3, "34", None, {1, 2}):
        with pytest.raises(TypeError, match="hidden must be a sequence of integers"):
            check_int_sequence("hidden", bad)


@given(st.lists(st.integers(-50, 50), max_size=6), st.integers(-10, 10))
def test_check_int_sequence_refuses_exactly_the_entries_below_minimum(values, minimum):
    if values and min(values) < minimum:
        first = next(i for i, v in enumerate(values) if v < minimum)
        with pytest.raises(ValueError, match=rf"w\[{first}\] must be an integer >= {minimum}"):
            check_int_sequence("w", values, minimum=minimum, non_empty=False)
    else:
        assert check_int_sequence("w", values, minimum=minimum, non_empty=False) == tuple(values)


# ----------------------------------------------------------------------------- check_array
def test_check_array_converts_lists_and_tensors():
    out = check_array("X", [[1, 2], [3, 4]], ndim=2)
    assert out.dtype == np.float64 and out.shape == (2, 2)
    t = torch.ones(3, 2, requires_grad=True)
    assert np.array_equal(check_array("X", t, columns=2), np.ones((3, 2)))
    assert check_array("X", [1, 2], dtype=np.float32).dtype == np.float32
    assert check_array("labels", ["a", "b"], dtype=None).dtype.kind == "U"


def test_check_array_shape_rules_name_the_argument():
    with pytest.raises(ValueError, match=r"X must have 2 dimensions, got shape \(3,\); write"):
        check_array("X", np.zeros(3), ndim=2)
    with pytest.raises(ValueError, match="y must have 1 or 2 dimensions"):
        check_array("y", np.zeros((1, 1, 1)), ndim=(1, 2))
    with pytest.raises(ValueError, match=r"X must not be empty, got shape \(0, 2\)"):
        check_array("X", np.zeros((0, 2)))
    assert check_array("X", np.zeros((0, 2)), non_empty=False).shape == (0, 2)
    with pytest.raises(ValueError, match="X must have at least 3 rows"):
        check_array("X", np.zeros((2, 1)), min_rows=3)
    assert check_array("X", np.zeros((3, 1)), min_rows=3).shape == (3, 1)
    with pytest.raises(ValueError, match="X must have 2 columns, got shape"):
        check_array("X", np.zeros((3, 1)), columns=2)
    with pytest.raises(ValueError, match="X must have 2 columns"):
        check_array("X", np.zeros(2), columns=2)


@pytest.mark.parametrize("bad", NON_FINITE)
def test_check_array_refuses_nan_and_inf_unless_allowed(bad):
    with pytest.raises(ValueError, match="w contains NaN or infinite values"):
        check_array("w", [0.0, bad])
    assert check_array("w", [0.0, bad], finite=False).shape == (2,)


@pytest.mark.parametrize("bad", ["abc", [[1, 2], [3]], object(), {"a": 1}])
def test_check_array_non_numbers_are_type_errors(bad):
    with pytest.raises(TypeError, match="X must be an array of numbers"):
        check_array("X", bad)


@settings(max_examples=50)
@given(st.lists(finite_floats, min_size=1, max_size=8))
def test_check_array_keeps_finite_values_unchanged(values):
    assert check_array("x", values, ndim=1).tolist() == values


# ----------------------------------------------------------------------------- check_column
def test_check_column_takes_vectors_and_single_columns():
    assert check_column("x", [1, 2]).tolist() == [1.0, 2.0]
    assert check_column("x", np.ones((3, 1))).shape == (3,)
    assert check_column("x", torch.zeros(2, 1)).shape == (2,)
    assert check_column("k", [], non_empty=False).shape == (0,)
    for bad in (np.ones((3, 2)), np.ones((1, 1, 1)), 3.0):
        with pytest.raises(ValueError, match=r"x must have shape \(n,\) or \(n, 1\)"):
            check_column("x", bad)
    with pytest.raises(ValueError, match="x must hold at least one value"):
        check_column("x", [])
    with pytest.raises(ValueError, match="x contains NaN"):
        check_column("x", [0.0, math.inf])
    with pytest.raises(TypeError, match="x must be an array of numbers"):
        check_column("x", ["a"])


# ----------------------------------------------------------------------------- check_numbers
def test_check_numbers_bounds_types_and_names():
    out = check_numbers("l2_values", [0, 0.5, 3])
    assert out.dtype == np.float64 and out.tolist() == [0.0, 0.5, 3.0]
    assert check_numbers("s", [1e-9, 1], minimum=0, low_closed=False).tolist() == [1e-9, 1.0]
    with pytest.raises(ValueError, match="strengths must hold numbers > 0, got 0"):
        check_numbers("strengths", [1.0, 0.0], minimum=0, low_closed=False)
    with pytest.raises(ValueError, match=r"q must hold numbers in \[0, 1\), got 1"):
        check_numbers("q", [0.5, 1.0], minimum=0, maximum=1, high_closed=False)
    with pytest.raises(ValueError, match="q contains NaN"):
        check_numbers("q", [0.5, math.nan], minimum=0)
    with pytest.raises(ValueError, match="q must not be empty"):
        check_numbers("q", [])
    with pytest.raises(ValueError, match="q must have 1 dimensions"):
        check_numbers("q", [[1.0]])
    for bad in ([1.0, True], np.array([True, False]), [np.bool_(False)]):
        with pytest.raises(TypeError, match="q must hold numbers, not bools"):
            check_numbers("q", bad)
    with pytest.raises(TypeError, match="q must be an array of numbers"):
        check_numbers("q", ["a"])
    assert check_numbers("q", torch.tensor([0.25, 0.5]), maximum=1).tolist() == [0.25, 0.5]


@given(st.lists(finite_floats, min_size=1, max_size=6), finite_floats)
def test_check_numbers_agrees_with_check_number_elementwise(values, minimum):
    def one(v):
        try:
            check_number("v", v, minimum=minimum, low_closed=False)
            return True
        except ValueError:
            return False
    if all(one(v) for v in values):
        assert check_numbers("v", values, minimum=minimum, low_closed=False).tolist() == values
    else:
        with pytest.raises(ValueError, match="v must hold numbers >"):
            check_numbers("v", values, minimum=minimum, low_closed=False)


# ----------------------------------------------------------------------------- check_same_length
def test_check_same_length_names_every_argument():
    assert check_same_length(("x", [1, 2]), ("y", np.zeros(2))) == 2
    with pytest.raises(ValueError, match="x and y must have the same length, got 3 and 2"):
        check_same_length(("x", [1, 2, 3]), ("y", [1, 2]))
    with pytest.raises(ValueError, match="x, y and seeds must have the same length, got 2, 2"):
        check_same_length(("x", [1, 2]), ("y", [1, 2]), ("seeds", [0]))
    with pytest.raises(ValueError, match="X and y must have the same number of rows"):
        check_same_length(("X", np.zeros((3, 2))), ("y", [1]), what="number of rows")
