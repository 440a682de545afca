"""Tests for keras_lite._data: converting user input once, before it crosses into Rust."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from keras_lite._data import (
    as_positive_int,
    check_same_length,
    split_validation,
    to_matrix,
    to_targets,
    unpack_validation_data,
)


@pytest.fixture
def pd() -> Any:
    """pandas, which is optional: its tests are skipped without it."""
    return pytest.importorskip("pandas")


class ArrayLike:
    """Stands in for a tf.Tensor / torch.Tensor: only has __array__."""

    def __init__(self, values: Any) -> None:
        self._values = np.asarray(values)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self._values if dtype is None else self._values.astype(dtype)


def fake_sparse(dense: np.ndarray) -> Any:
    """An object that looks like a scipy sparse matrix (its type's module is scipy.sparse)."""
    cls = type("csr_matrix", (), {"__module__": "scipy.sparse._csr", "toarray": lambda self: dense.copy()})
    return cls()


def assert_ready(out: np.ndarray, shape: tuple[int, ...]) -> None:
    """What Rust needs: float32, C-contiguous, aligned, 2-D."""
    assert out.dtype == np.float32
    assert out.flags.c_contiguous and out.flags.aligned
    assert out.shape == shape


# --- to_matrix: passing through and converting -------------------------------------------------------


def test_float32_c_contiguous_is_returned_without_copy() -> None:
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    out = to_matrix(x, "x")
    assert out is x
    assert np.shares_memory(out, x)


def test_float32_1d_becomes_a_column_view() -> None:
    x = np.arange(5, dtype=np.float32)
    out = to_matrix(x, "x")
    assert_ready(out, (5, 1))
    assert np.shares_memory(out, x)


@pytest.mark.parametrize(
    "dtype", [np.bool_, np.int8, np.int32, np.int64, np.uint8, np.uint64, np.float16, np.float64, ">f4"]
)
def test_real_dtypes_are_cast_to_float32(dtype: Any) -> None:
    x = (
        (np.arange(6).reshape(3, 2) % 2 == 0)
        if dtype is np.bool_
        else np.arange(6).reshape(3, 2).astype(dtype)
    )
    out = to_matrix(x, "x")
    assert_ready(out, (3, 2))
    assert out.dtype.isnative
    np.testing.assert_array_equal(out, x.astype(np.float32))


def test_fortran_order_and_strided_views_are_made_contiguous() -> None:
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    for x in (np.asfortranarray(base), base[:, ::2], base[::2]):
        out = to_matrix(x, "x")
        assert_ready(out, x.shape)
        np.testing.assert_array_equal(out, x)


def test_float64_is_cast_once() -> None:
    x = np.array([[0.1, 0.2], [0.3, 0.4]])
    out = to_matrix(x, "x")
    assert_ready(out, (2, 2))
    np.testing.assert_array_equal(out, x.astype(np.float32))
    assert not np.shares_memory(out, x)


def test_nested_lists_and_tuples() -> None:
    np.testing.assert_array_equal(to_matrix([[1, 2], [3, 4.5]], "x"), [[1, 2], [3, 4.5]])
    np.testing.assert_array_equal(to_matrix(((1, 2), (3, 4)), "x"), [[1, 2], [3, 4]])
    assert_ready(to_matrix([True, False, True], "x"), (3, 1))
    assert_ready(to_matrix([1.0, 2.0], "x"), (2, 1))


def test_object_with_array_interface() -> None:
    # Like `model.predict(tf.linspace(-1., 1., 100))` in the Kaggle course (1-D tf tensor).
    out = to_matrix(ArrayLike(np.linspace(-1.0, 1.0, 100)), "x")
    assert_ready(out, (100, 1))
    assert out[0, 0] == -1.0 and out[-1, 0] == 1.0


def test_scipy_sparse_is_densified() -> None:
    dense = np.array([[0.0, 1.0], [2.0, 0.0]])
    np.testing.assert_array_equal(to_matrix(fake_sparse(dense), "x"), dense)


def test_real_scipy_sparse() -> None:
    sparse = pytest.importorskip("scipy.sparse")
    dense = np.array([[0.0, 1.0, 0.0], [2.0, 0.0, 3.0]])
    out = to_matrix(sparse.csr_matrix(dense), "x")
    assert_ready(out, (2, 3))
    np.testing.assert_array_equal(out, dense)


def test_masked_entries_become_nan() -> None:
    x = np.ma.masked_array([[1, 2], [3, 4]], mask=[[False, True], [False, False]])
    out = to_matrix(x, "x")
    assert_ready(out, (2, 2))
    np.testing.assert_array_equal(out, [[1, np.nan], [3, 4]])


def test_nan_is_left_for_rust_to_report() -> None:
    out = to_matrix(np.array([[np.nan, 1.0]]), "x")
    assert np.isnan(out[0, 0])


# --- to_matrix: pandas ---------------------------------------------------------------------------------


def test_dataframe_with_mixed_numeric_columns(pd: Any) -> None:
    df = pd.DataFrame({"a": [1, 2, 3], "b": [0.5, 1.5, 2.5], "c": [True, False, True]})
    out = to_matrix(df, "x")
    assert_ready(out, (3, 3))
    np.testing.assert_array_equal(out, [[1, 0.5, 1], [2, 1.5, 0], [3, 2.5, 1]])


def test_dataframe_keeps_row_order_after_sampling(pd: Any) -> None:
    # Kaggle course: df.sample(frac=0.7, random_state=0) gives a shuffled index; position order counts.
    df = pd.DataFrame({"a": np.arange(10.0)}).sample(frac=1.0, random_state=0)
    np.testing.assert_array_equal(to_matrix(df, "x")[:, 0], df["a"].to_numpy())


def test_series_becomes_one_column(pd: Any) -> None:
    out = to_matrix(pd.Series([1.0, 2.0, 3.0], index=[10, 20, 30]), "x")
    assert_ready(out, (3, 1))


def test_nullable_pandas_missing_values_become_nan(pd: Any) -> None:
    df = pd.DataFrame({"a": pd.array([1, None, 3], dtype="Int64"), "b": [1.0, 2.0, 3.0]})
    out = to_matrix(df, "x")
    assert_ready(out, (3, 2))
    assert np.isnan(out[1, 0]) and out[2, 0] == 3


def test_dataframe_string_column_is_named(pd: Any) -> None:
    df = pd.DataFrame({"ok": [1.0, 2.0], "colour": ["red", "blue"]})
    with pytest.raises(TypeError, match=r"`x_train`.*column 'colour'.*Received: x_train=DataFrame"):
        to_matrix(df, "x_train")


@pytest.mark.parametrize(
    "make",
    [
        lambda pd: pd.Series(["a", "b"]),
        lambda pd: pd.Series(pd.Categorical(["x", "y"])),  # (categories that are numbers are read)
        lambda pd: pd.Series([1 + 1j, 2j]),
        lambda pd: pd.Series(pd.to_datetime(["2020-01-01", "2021-01-01"])),
    ],
    ids=["str", "category", "complex", "datetime"],
)
def test_non_numeric_series_is_refused(pd: Any, make: Any) -> None:
    with pytest.raises(TypeError, match=r"`y_val` must be numeric.*Received: y_val="):
        to_matrix(make(pd), "y_val")


# --- to_matrix: errors, each naming the argument -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "error", "fragment"),
    [
        (np.array([["a", "b"]]), TypeError, "must be numeric"),
        (np.array([[1, None]], dtype=object), TypeError, "must be numeric"),
        (np.array([[1 + 2j]]), TypeError, "must be numeric"),
        (np.array(["2020-01-01"], dtype="datetime64[D]"), TypeError, "must be numeric"),
        ([["1", "2"]], TypeError, "must be numeric"),
        ([1.0, None], TypeError, "must be numeric"),
        (None, TypeError, "Unrecognized data type"),
        ("abc", TypeError, "Unrecognized data type"),
        ({"a": [1, 2]}, TypeError, "Unrecognized data type"),
        ((i for i in range(3)), TypeError, "Unrecognized data type"),
        (3.0, ValueError, "not a single number"),
        (np.float32(3.0), ValueError, "not a single number"),
        (np.zeros((2, 3, 4)), ValueError, "1-D or 2-D"),
        (np.zeros((0, 3)), ValueError, "empty"),
        (np.zeros((3, 0)), ValueError, "empty"),
        (np.zeros(0), ValueError, "empty"),
        ([], ValueError, "empty"),
        ([[1, 2], [3]], ValueError, "rectangular"),
    ],
)
def test_errors_name_the_argument_and_what_was_received(value: Any, error: type, fragment: str) -> None:
    with pytest.raises(error) as info:
        to_matrix(value, "x_val")
    message = str(info.value)
    assert "`x_val`" in message
    assert "Received: x_val=" in message
    assert fragment in message


def test_received_array_is_summarised_not_dumped() -> None:
    with pytest.raises(ValueError) as info:
        to_matrix(np.zeros((100, 3, 2)), "x")
    assert "Received: x=ndarray with shape (100, 3, 2) and dtype float64" in str(info.value)


# --- to_matrix: expected_width -------------------------------------------------------------------------


def test_1d_input_is_a_column_when_the_model_takes_one_feature() -> None:
    assert_ready(to_matrix(np.arange(4.0), "x", expected_width=1), (4, 1))


def test_1d_input_is_refused_when_the_model_takes_several_features() -> None:
    with pytest.raises(ValueError, match=r"`x` is 1-D.*4 samples of 1 feature.*expects 3 features"):
        to_matrix(np.arange(4.0), "x", expected_width=3)


def test_width_mismatch_names_expected_and_received_width() -> None:
    with pytest.raises(ValueError, match=r"`x` must have 11 columns.*but it has 8.*shape \(5, 8\)"):
        to_matrix(np.zeros((5, 8)), "x", expected_width=11)


def test_matching_width_passes_through() -> None:
    x = np.zeros((5, 11), dtype=np.float32)
    assert to_matrix(x, "x", expected_width=11) is x


# --- to_matrix: properties -----------------------------------------------------------------------------

_DTYPES = st.sampled_from(
    [np.bool_, np.int8, np.int32, np.int64, np.uint16, np.float16, np.float32, np.float64]
)


@st.composite
def _numeric_arrays(draw: st.DrawFn) -> np.ndarray:
    dtype = np.dtype(draw(_DTYPES))
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=6))
    # Stay inside float32's range so the cast never overflows (overflow would give inf, which Rust reports).
    elements = st.floats(-1e30, 1e30, width=64) if dtype == np.float64 else None
    array = draw(hnp.arrays(dtype, shape, elements=elements))
    if draw(st.booleans()) and array.ndim == 2:
        array = np.asfortranarray(array)
    return array


@settings(max_examples=60, deadline=None)
@given(_numeric_arrays())
def test_any_real_array_converts_to_float32_with_same_values(array: np.ndarray) -> None:
    out = to_matrix(array, "x")
    rows = array.shape[0]
    width = 1 if array.ndim == 1 else array.shape[1]
    assert_ready(out, (rows, width))
    np.testing.assert_array_equal(out, array.astype(np.float32).reshape(rows, width))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.floats(-1e6, 1e6), min_size=3, max_size=3), min_size=1, max_size=8))
def test_lists_convert_like_numpy(rows: list[list[float]]) -> None:
    np.testing.assert_array_equal(to_matrix(rows, "x"), np.asarray(rows, dtype=np.float32))


# --- to_targets ----------------------------------------------------------------------------------------


def test_targets_1d_becomes_column() -> None:
    y = np.array([0, 1, 1, 0])
    out = to_targets(y)
    assert_ready(out, (4, 1))
    np.testing.assert_array_equal(out[:, 0], y)


def test_targets_series_becomes_column(pd: Any) -> None:
    assert_ready(to_targets(pd.Series([0.1, 0.2, 0.3], name="quality")), (3, 1))


def test_targets_keep_several_outputs() -> None:
    y = np.ones((5, 2), dtype=np.float32)
    assert to_targets(y) is y


def test_targets_errors_name_y_by_default() -> None:
    with pytest.raises(TypeError, match=r"`y` must be numeric.*Received: y="):
        to_targets(["a", "b"])
    with pytest.raises(ValueError, match=r"`y` must be 1-D or 2-D"):
        to_targets(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match=r"`y_val` is empty"):
        to_targets(np.zeros(0), "y_val")


# --- check_same_length ---------------------------------------------------------------------------------


def test_same_length_passes() -> None:
    check_same_length(np.zeros((3, 2)), np.zeros((3, 1)))


def test_different_lengths_name_both() -> None:
    with pytest.raises(ValueError, match=r"`x` has 100 samples but `y` has 99"):
        check_same_length(np.zeros((100, 2)), np.zeros((99, 1)))
    with pytest.raises(ValueError, match=r"`x_val` has 2 samples but `y_val` has 3"):
        check_same_length(np.zeros((2, 1)), np.zeros((3, 1)), x_arg="x_val", y_arg="y_val")


# --- split_validation ----------------------------------------------------------------------------------


def test_split_takes_the_last_rows_as_views() -> None:
    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10, dtype=np.float32).reshape(10, 1)
    (x_train, y_train), (x_val, y_val) = split_validation(x, y, 0.2)
    # split_at = floor(10 * (1 - 0.2)) = 8
    np.testing.assert_array_equal(x_train, x[:8])
    np.testing.assert_array_equal(y_val[:, 0], [8, 9])
    for part, whole in ((x_train, x), (x_val, x), (y_train, y), (y_val, y)):
        assert np.shares_memory(part, whole)
        assert part.flags.c_contiguous


def test_split_uses_floor_like_keras() -> None:
    x = np.zeros((7, 1), dtype=np.float32)
    # floor(7 * (1 - 0.5)) = floor(3.5) = 3 training rows
    (x_train, _), (x_val, _) = split_validation(x, x, 0.5)
    assert (len(x_train), len(x_val)) == (3, 4)


@pytest.mark.parametrize(
    ("rows", "validation_split"),
    [
        (10, 0.0),  # split_at == n: no validation rows
        (10, 0.95),  # floor(10 * 0.05) = 0: no training rows
        (1, 0.5),
        (3, 0.7),  # floor(3 * 0.3) = 0
    ],
)
def test_split_leaving_an_empty_part_is_refused(rows: int, validation_split: float) -> None:
    x = np.zeros((rows, 1), dtype=np.float32)
    with pytest.raises(
        ValueError, match=rf"contains {rows} samples.*`validation_split={validation_split!r}`"
    ):
        split_validation(x, x, validation_split)


@pytest.mark.parametrize("validation_split", [1.0, 1.5, -0.1, math.nan, math.inf])
def test_split_outside_unit_interval_is_refused(validation_split: float) -> None:
    x = np.zeros((10, 1), dtype=np.float32)
    with pytest.raises(ValueError, match=r"`validation_split` must be a float in \[0, 1\)"):
        split_validation(x, x, validation_split)


@pytest.mark.parametrize("validation_split", [True, "0.2", None])
def test_split_of_wrong_type_is_refused(validation_split: Any) -> None:
    x = np.zeros((10, 1), dtype=np.float32)
    with pytest.raises(TypeError, match=r"Received: validation_split="):
        split_validation(x, x, validation_split)


def test_split_accepts_numpy_floats() -> None:
    x = np.zeros((10, 1), dtype=np.float32)
    (x_train, _), _ = split_validation(x, x, np.float32(0.3))
    assert len(x_train) == math.floor(10 * (1.0 - float(np.float32(0.3))))


def test_split_checks_lengths() -> None:
    with pytest.raises(ValueError, match=r"`x` has 10 samples but `y` has 9"):
        split_validation(np.zeros((10, 1)), np.zeros((9, 1)), 0.2)


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 300), st.floats(0.0, 1.0, exclude_max=True))
def test_split_property(rows: int, validation_split: float) -> None:
    x = np.arange(rows, dtype=np.float32).reshape(rows, 1)
    split_at = math.floor(rows * (1.0 - validation_split))
    if split_at in (0, rows):
        with pytest.raises(ValueError):
            split_validation(x, x, validation_split)
        return
    (x_train, y_train), (x_val, y_val) = split_validation(x, x, validation_split)
    assert len(x_train) == split_at and len(x_val) == rows - split_at
    np.testing.assert_array_equal(np.concatenate([x_train, x_val]), x)
    np.testing.assert_array_equal(y_val, x[split_at:])


# --- unpack_validation_data ----------------------------------------------------------------------------


def test_unpack_pair_tuple_and_list() -> None:
    x_val, y_val = np.zeros((2, 3)), np.ones(2)
    for data in ((x_val, y_val), [x_val, y_val], (x_val, y_val, None)):
        got_x, got_y, got_w = unpack_validation_data(data)
        assert got_x is x_val and got_y is y_val and got_w is None


def test_unpack_keeps_the_sample_weight() -> None:
    w = np.ones(2)
    assert unpack_validation_data((np.zeros((2, 1)), np.zeros(2), w))[2] is w


@pytest.mark.parametrize(
    "data", [None, (np.zeros((2, 1)),), (1, 2, 3, 4), np.zeros((2, 3)), {"x": 1, "y": 2}, "xy"]
)
def test_unpack_refuses_anything_else(data: Any) -> None:
    with pytest.raises(ValueError, match=r"`validation_data` must be a tuple.*Received: validation_data="):
        unpack_validation_data(data)


# --- as_positive_int -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1, 32, 10**12, np.int8(5), np.int64(256), np.uint32(7)])
def test_positive_int_accepts_python_and_numpy_integers(value: Any) -> None:
    out = as_positive_int(value, "batch_size")
    assert out == int(value) and type(out) is int


@pytest.mark.parametrize(("value", "shown"), [(0, "0"), (-3, "-3"), (np.int64(0), "0")])
def test_positive_int_refuses_zero_and_negatives(value: Any, shown: str) -> None:
    with pytest.raises(ValueError) as info:
        as_positive_int(value, "batch_size")
    assert str(info.value).endswith(f"Received: batch_size={shown}")


@pytest.mark.parametrize("value", [True, False, np.bool_(True), 2.0, np.float64(3.0), "32", None, [32]])
def test_positive_int_refuses_non_integers(value: Any) -> None:
    with pytest.raises(TypeError, match=r"`epochs`.*Received: epochs="):
        as_positive_int(value, "epochs")
