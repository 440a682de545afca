"""Tests for keras_lite.datasets.auto_mpg: the shipped Auto MPG data and its loaders."""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import runpy
import sys
from importlib import resources
from typing import Any

import numpy as np
import pytest

from keras_lite.datasets import auto_mpg

ROWS = 392


def _data_file(name: str) -> Any:
    return resources.files("keras_lite.datasets") / "data" / name


def test_shapes_and_dtypes() -> None:
    (x_train, y_train), (x_test, y_test) = auto_mpg.load_data()
    # int(392 * (1 - 0.2)) = 313 training rows, as in keras.datasets.boston_housing
    assert x_train.shape == (313, 9) and y_train.shape == (313,)
    assert x_test.shape == (79, 9) and y_test.shape == (79,)
    for array in (x_train, y_train, x_test, y_test):
        assert array.dtype == np.float32
        assert array.flags.c_contiguous
        assert np.isfinite(array).all()


def test_names() -> None:
    assert len(auto_mpg.FEATURES) == 9 and len(set(auto_mpg.FEATURES)) == 9
    assert auto_mpg.TARGET == "Miles_per_Gallon"
    assert auto_mpg.TARGET not in auto_mpg.FEATURES


@pytest.mark.parametrize("test_split", [0.0, 0.1, 0.25, 0.5, 0.99])
def test_split_sizes(test_split: float) -> None:
    (x_train, y_train), (x_test, y_test) = auto_mpg.load_data(test_split=test_split)
    assert len(x_train) == len(y_train) == int(ROWS * (1 - test_split))
    assert len(x_train) + len(x_test) == ROWS
    assert len(x_test) == len(y_test)


def test_same_seed_gives_same_split() -> None:
    first = auto_mpg.load_data(seed=7)
    second = auto_mpg.load_data(seed=7)
    for a, b in zip((*first[0], *first[1]), (*second[0], *second[1])):
        np.testing.assert_array_equal(a, b)


def test_different_seeds_shuffle_differently() -> None:
    (x_a, _), _ = auto_mpg.load_data(seed=1)
    (x_b, _), _ = auto_mpg.load_data(seed=2)
    assert not np.array_equal(x_a, x_b)


def _order(seed: int) -> np.ndarray:
    # The Keras recipe: indices = arange(n); RandomState(seed).shuffle(indices); rows taken in that order.
    indices = np.arange(ROWS)
    np.random.RandomState(seed).shuffle(indices)
    return indices


def test_shuffle_is_numpy_random_state() -> None:
    (shuffled_x, shuffled_y), _ = auto_mpg.load_data(test_split=0.0, seed=0)
    file_x, file_y = np.empty_like(shuffled_x), np.empty_like(shuffled_y)
    file_x[_order(0)], file_y[_order(0)] = shuffled_x, shuffled_y  # undo the seed-0 shuffle
    (x_train, y_train), (x_test, y_test) = auto_mpg.load_data()
    np.testing.assert_array_equal(np.concatenate([x_train, x_test]), file_x[_order(113)])
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), file_y[_order(113)])


def test_train_and_test_together_hold_every_row_once() -> None:
    (x_train, y_train), (x_test, y_test) = auto_mpg.load_data(seed=3)
    rows = np.concatenate([np.column_stack([x_train, y_train]), np.column_stack([x_test, y_test])])
    (x_all, y_all), _ = auto_mpg.load_data(test_split=0.0, seed=4)
    reference = np.column_stack([x_all, y_all])
    assert np.array_equal(rows[np.lexsort(rows.T)], reference[np.lexsort(reference.T)])


def test_returned_arrays_are_fresh() -> None:
    (x_train, y_train), _ = auto_mpg.load_data()
    x_train[:] = -1
    y_train[:] = -1
    (x_again, y_again), _ = auto_mpg.load_data()
    assert (x_again >= 0).all() and (y_again > 0).all()


def test_column_means() -> None:
    (x, y), _ = auto_mpg.load_data(test_split=0.0)
    means = dict(zip(auto_mpg.FEATURES, x.astype(np.float64).mean(axis=0)))
    # Means of UCI's 392 complete rows (the same rows as ISLR's `Auto`), from
    # pandas.read_csv("auto_mpg.csv").mean(); e.g. Miles_per_Gallon = 9190.1 / 392.
    assert y.astype(np.float64).mean() == pytest.approx(23.445918, abs=1e-5)
    assert means["Cylinders"] == pytest.approx(5.471939, abs=1e-5)
    assert means["Horsepower"] == pytest.approx(104.469388, abs=1e-5)
    assert means["Weight_in_lbs"] == pytest.approx(2977.584184, abs=1e-3)
    assert means["Year"] == pytest.approx(75.979592, abs=1e-5)


def test_value_ranges() -> None:
    (x, y), _ = auto_mpg.load_data(test_split=0.0)
    column = {name: x[:, i] for i, name in enumerate(auto_mpg.FEATURES)}
    assert set(np.unique(column["Cylinders"])) == {3, 4, 5, 6, 8}
    assert column["Year"].min() == 70 and column["Year"].max() == 82
    # 13 model years; the count per year matches UCI's cleaned data (README, change 4).
    years, counts = np.unique(column["Year"], return_counts=True)
    assert years.tolist() == list(range(70, 83))
    assert counts.tolist() == [29, 27, 28, 40, 26, 30, 34, 28, 36, 29, 27, 28, 30]
    origin = np.column_stack([column["Origin_USA"], column["Origin_Europe"], column["Origin_Japan"]])
    np.testing.assert_array_equal(origin.sum(axis=1), np.ones(ROWS))
    assert origin.sum(axis=0).tolist() == [245, 68, 79]
    assert y.min() == 9 and y.max() == pytest.approx(46.6)


@pytest.mark.parametrize("test_split", [1.0, -0.1, 2, float("nan")])
def test_bad_test_split_is_refused(test_split: float) -> None:
    with pytest.raises(ValueError, match=r"Received: test_split="):
        auto_mpg.load_data(test_split=test_split)


@pytest.mark.parametrize("test_split", ["0.2", None, True])
def test_test_split_of_wrong_type_is_refused(test_split: Any) -> None:
    with pytest.raises(TypeError, match=r"Received: test_split="):
        auto_mpg.load_data(test_split=test_split)


def test_load_frame() -> None:
    pytest.importorskip("pandas")
    frame = auto_mpg.load_frame()
    assert frame.shape == (ROWS, 10)
    assert list(frame.columns) == [*auto_mpg.FEATURES, auto_mpg.TARGET]
    assert not frame.isna().any().any()
    assert frame["Year"].dtype.kind == "i" and frame[auto_mpg.TARGET].dtype.kind == "f"
    (x, y), _ = auto_mpg.load_data(test_split=0.0)
    order = _order(113)
    np.testing.assert_array_equal(frame[auto_mpg.FEATURES].to_numpy(np.float32)[order], x)
    np.testing.assert_array_equal(frame[auto_mpg.TARGET].to_numpy(np.float32)[order], y)


def test_load_frame_without_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` raise ImportError
    with pytest.raises(ImportError, match=r"needs pandas.*pip install pandas.*load_data\(\)"):
        auto_mpg.load_frame()


def test_load_data_does_not_need_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    auto_mpg._read_table.cache_clear()  # read the CSV again, with pandas unavailable
    (x_train, _), _ = auto_mpg.load_data()
    assert x_train.shape == (313, 9)


def test_licence_and_source_are_shipped() -> None:
    readme = _data_file("README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme
    assert "Quinlan, R. (1993). Auto MPG" in readme
    assert "https://doi.org/10.24432/C5859H" in readme


def test_readme_hash_matches_the_shipped_file() -> None:
    readme = _data_file("README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(_data_file("auto_mpg.csv").read_bytes()).hexdigest()
    assert f"The result has SHA-256 `{digest}`" in readme


def test_readme_script_reproduces_the_csv(tmp_path: Any) -> None:
    # Runs the derivation script printed in data/README.md against the vega_datasets copy of the data.
    pytest.importorskip("vega_datasets")
    readme = _data_file("README.md").read_text(encoding="utf-8")
    section = readme.split("\n## auto_mpg.csv\n")[1].split("\n## ")[0]
    (script,) = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    path = tmp_path / "derive.py"
    path.write_text(script, encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(str(path), run_name="__main__")
    assert out.getvalue() == _data_file("auto_mpg.csv").read_text(encoding="utf-8")
