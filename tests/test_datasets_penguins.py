"""Tests for keras_lite.datasets.penguins: the shipped Palmer Penguins data and its loaders."""

from __future__ import annotations

import contextlib
import csv
import fnmatch
import hashlib
import io
import re
import runpy
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from keras_lite.datasets import penguins

ROWS = 333
# SHA-256 of the shipped penguins.csv; data/README.md says how it was made and must give the same digest.
CSV_SHA256 = "94584510c1999948fe5563e0e4b5427e5a8f6c43485ba450fd874694be15d551"
ROOT = Path(__file__).resolve().parent.parent


def _data_file(name: str) -> Any:
    return resources.files("keras_lite.datasets") / "data" / name


def _readme_section() -> str:
    readme = _data_file("README.md").read_text(encoding="utf-8")
    return readme.split("\n## penguins.csv\n")[1].split("\n## ")[0]


def _everything() -> tuple[np.ndarray, np.ndarray]:
    (x, y), _ = penguins.load_data(test_split=0.0)
    return x, y


def test_shapes_and_dtypes() -> None:
    (x_train, y_train), (x_test, y_test) = penguins.load_data()
    # int(333 * (1 - 0.2)) = 266 training rows, as in keras.datasets.boston_housing
    assert x_train.shape == (266, 9) and y_train.shape == (266,)
    assert x_test.shape == (67, 9) and y_test.shape == (67,)
    for x in (x_train, x_test):
        assert x.dtype == np.float32 and x.flags.c_contiguous and np.isfinite(x).all()
    for y in (y_train, y_test):
        assert y.dtype == np.int64 and y.flags.c_contiguous


def test_names() -> None:
    assert len(penguins.FEATURES) == 9 and len(set(penguins.FEATURES)) == 9
    assert penguins.TARGET == "species" and penguins.TARGET not in penguins.FEATURES
    assert penguins.CLASS_NAMES == ["Adelie", "Chinstrap", "Gentoo"]


def test_labels_are_class_ids_and_class_counts() -> None:
    x, y = _everything()
    assert set(np.unique(y).tolist()) == {0, 1, 2}
    # Complete cases of palmerpenguins' 344 rows: 152 Adelie less 6, 68 Chinstrap, 124 Gentoo less 5.
    assert np.bincount(y).tolist() == [146, 68, 119]
    # The default split (seed 113) is not stratified; these are its counts.
    (_, y_train), (_, y_test) = penguins.load_data()
    assert np.bincount(y_train, minlength=3).tolist() == [126, 47, 93]
    assert np.bincount(y_test, minlength=3).tolist() == [20, 21, 26]


@pytest.mark.parametrize("test_split", [0.0, 0.1, 0.25, 0.5, 0.99])
def test_split_sizes(test_split: float) -> None:
    (x_train, y_train), (x_test, y_test) = penguins.load_data(test_split=test_split)
    assert len(x_train) == len(y_train) == int(ROWS * (1 - test_split))
    assert len(x_train) + len(x_test) == ROWS
    assert len(x_test) == len(y_test)


def test_same_seed_gives_same_split() -> None:
    first = penguins.load_data(seed=7)
    second = penguins.load_data(seed=7)
    for a, b in zip((*first[0], *first[1]), (*second[0], *second[1])):
        np.testing.assert_array_equal(a, b)


def test_different_seeds_shuffle_differently() -> None:
    (x_a, _), _ = penguins.load_data(seed=1)
    (x_b, _), _ = penguins.load_data(seed=2)
    assert not np.array_equal(x_a, x_b)


def _order(seed: int) -> np.ndarray:
    # The Keras recipe: indices = arange(n); RandomState(seed).shuffle(indices); rows taken in that order.
    indices = np.arange(ROWS)
    np.random.RandomState(seed).shuffle(indices)
    return indices


def _file_order() -> tuple[np.ndarray, np.ndarray]:
    shuffled_x, shuffled_y = _everything()  # seed 113
    file_x, file_y = np.empty_like(shuffled_x), np.empty_like(shuffled_y)
    file_x[_order(113)], file_y[_order(113)] = shuffled_x, shuffled_y  # undo the shuffle
    return file_x, file_y


def test_shuffle_is_numpy_random_state() -> None:
    file_x, file_y = _file_order()
    # The file starts with the Adelie, then the Gentoo, then the Chinstrap penguins (data/README.md).
    assert file_y[:146].tolist() == [0] * 146 and file_y[146:265].tolist() == [2] * 119
    np.testing.assert_array_equal(file_x[0], np.float32([0, 0, 1, 39.1, 18.7, 181, 3750, 1, 2007]))
    (x_train, y_train), (x_test, y_test) = penguins.load_data(seed=5)
    np.testing.assert_array_equal(np.concatenate([x_train, x_test]), file_x[_order(5)])
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), file_y[_order(5)])


def test_train_and_test_together_hold_every_row_once() -> None:
    (x_train, y_train), (x_test, y_test) = penguins.load_data(seed=3)
    rows = np.concatenate([np.column_stack([x_train, y_train]), np.column_stack([x_test, y_test])])
    x_all, y_all = _everything()
    reference = np.column_stack([x_all, y_all])
    assert np.array_equal(rows[np.lexsort(rows.T)], reference[np.lexsort(reference.T)])


def test_returned_arrays_are_fresh() -> None:
    (x_train, y_train), _ = penguins.load_data()
    x_train[:] = -1
    y_train[:] = -1
    (x_again, y_again), _ = penguins.load_data()
    assert (x_again >= 0).all() and (y_again >= 0).all()


def test_column_means() -> None:
    x, _ = _everything()
    means = dict(zip(penguins.FEATURES, x.astype(np.float64).mean(axis=0)))
    # Means of the 333 complete cases of palmerpenguins' `penguins` (as in data/README.md).
    assert means["bill_length_mm"] == pytest.approx(43.992793, abs=1e-5)
    assert means["bill_depth_mm"] == pytest.approx(17.164865, abs=1e-5)
    assert means["flipper_length_mm"] == pytest.approx(200.966967, abs=1e-5)
    assert means["body_mass_g"] == pytest.approx(4207.057057, abs=1e-5)


def test_value_ranges() -> None:
    x, y = _everything()
    column = {name: x[:, i] for i, name in enumerate(penguins.FEATURES)}
    island = np.column_stack([column["island_Biscoe"], column["island_Dream"], column["island_Torgersen"]])
    assert set(np.unique(island).tolist()) == {0, 1}
    np.testing.assert_array_equal(island.sum(axis=1), np.ones(ROWS))
    assert island.sum(axis=0).tolist() == [163, 123, 47]
    # Gentoo live on Biscoe only, Chinstrap on Dream only; Adelie on all three islands.
    assert island[y == 2].sum(axis=0).tolist() == [119, 0, 0]
    assert island[y == 1].sum(axis=0).tolist() == [0, 68, 0]
    assert island[y == 0].sum(axis=0).tolist() == [44, 55, 47]
    assert np.bincount(column["sex_male"].astype(np.int64)).tolist() == [165, 168]
    years, counts = np.unique(column["year"], return_counts=True)
    assert years.tolist() == [2007, 2008, 2009] and counts.tolist() == [103, 113, 117]
    assert column["bill_length_mm"].min() == pytest.approx(32.1) and column["body_mass_g"].max() == 6300


def test_csv_has_no_missing_values() -> None:
    header, *rows = csv.reader(io.StringIO(_data_file("penguins.csv").read_text(encoding="utf-8")))
    assert header == [*penguins.FEATURES, penguins.TARGET]
    assert len(rows) == ROWS
    assert all(len(row) == 10 and all(re.fullmatch(r"\d+(\.\d)?", value) for value in row) for row in rows)


@pytest.mark.parametrize("test_split", [1.0, -0.1, 2, float("nan")])
def test_bad_test_split_is_refused(test_split: float) -> None:
    with pytest.raises(ValueError, match=r"Received: test_split="):
        penguins.load_data(test_split=test_split)


@pytest.mark.parametrize("test_split", ["0.2", None, True])
def test_test_split_of_wrong_type_is_refused(test_split: Any) -> None:
    with pytest.raises(TypeError, match=r"Received: test_split="):
        penguins.load_data(test_split=test_split)


def test_load_frame() -> None:
    pytest.importorskip("pandas")
    frame = penguins.load_frame()
    assert frame.shape == (ROWS, 10)
    assert list(frame.columns) == [*penguins.FEATURES, penguins.TARGET]
    assert not frame.isna().any().any()
    assert frame["body_mass_g"].dtype.kind == "i" and frame["bill_depth_mm"].dtype.kind == "f"
    assert frame[penguins.TARGET].dtype.kind == "i"
    names = frame[penguins.TARGET].map(dict(enumerate(penguins.CLASS_NAMES)))
    assert names.value_counts().to_dict() == {"Adelie": 146, "Gentoo": 119, "Chinstrap": 68}
    file_x, file_y = _file_order()
    np.testing.assert_array_equal(frame[penguins.FEATURES].to_numpy(np.float32), file_x)
    np.testing.assert_array_equal(frame[penguins.TARGET].to_numpy(np.int64), file_y)


def test_load_frame_without_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` raise ImportError
    with pytest.raises(ImportError, match=r"needs pandas.*pip install pandas.*load_data\(\)"):
        penguins.load_frame()


def test_load_data_does_not_need_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    penguins._read_table.cache_clear()  # read the CSV again, with pandas unavailable
    (x_train, _), _ = penguins.load_data()
    assert x_train.shape == (266, 9)


def test_package_data_is_shipped() -> None:
    data = _data_file("penguins.csv")
    assert data.is_file()
    assert hashlib.sha256(data.read_bytes()).hexdigest() == CSV_SHA256
    assert data.read_text(encoding="utf-8").count("\n") == ROWS + 1
    # pyproject.toml's maturin include puts the file into the wheel and the sdist.
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    formats = {
        fmt
        for entry in config["tool"]["maturin"]["include"]
        if fnmatch.fnmatch("python/keras_lite/datasets/data/penguins.csv", entry["path"])
        for fmt in entry["format"]
    }
    assert formats >= {"wheel", "sdist"}


def test_licence_and_source_are_shipped() -> None:
    section = _readme_section()
    assert "CC0" in section
    citation = "Horst AM, Hill AP, Gorman KB (2020). palmerpenguins: Palmer Archipelago (Antarctica) penguin"
    assert citation in section
    assert "doi:10.5281/zenodo.3960218" in section
    assert "`palmerpenguins` PyPI package, version 0.1.6" in section


def test_readme_hash_matches_the_shipped_file() -> None:
    assert f"The result has SHA-256 `{CSV_SHA256}`" in _readme_section()


def test_readme_script_reproduces_the_csv(tmp_path: Any) -> None:
    # Runs the derivation script printed in data/README.md against the palmerpenguins package's copy.
    pytest.importorskip("palmerpenguins")
    (script,) = re.findall(r"```python\n(.*?)```", _readme_section(), flags=re.DOTALL)
    path = tmp_path / "derive.py"
    path.write_text(script, encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(str(path), run_name="__main__")
    assert out.getvalue() == _data_file("penguins.csv").read_text(encoding="utf-8")
