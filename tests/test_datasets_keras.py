"""Keras's downloaded data sets (`mnist`, `fashion_mnist`, `boston_housing`, `california_housing`; the bad
arguments of all loaders): read from
the cache Keras uses, fetched from their origin when missing, split as Keras splits them, and a damaged file
refused. The files here are synthetic ones in the real files' formats (the tests use no network): the
loaders' origins and hashes are pointed at them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from keras_home import cache_fixture, install
from keras_lite.datasets import (
    boston_housing,
    california_housing,
    cifar100,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)

GOLDEN = Path(__file__).parent / "fixtures" / "keras_dataset_splits.json"
LOADERS = (mnist, fashion_mnist, boston_housing, california_housing, imdb, reuters, cifar100)


cache = cache_fixture(*LOADERS)


def cached(monkeypatch: pytest.MonkeyPatch, module: ModuleType, folder: Path, name: str, writer: Any) -> Path:
    """Write a data set's file into the cache with ``writer`` and make it the one the loader's hash asks for."""
    writer(folder / name)
    return install(monkeypatch, module, folder / name)


def numbered_rows(n: int, width: int, dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose first value is their index, and targets 1.5 times it: a split shows the permutation."""
    x = np.zeros((n, width), dtype)
    x[:, 0] = np.arange(n)
    return x, (np.arange(n) * 1.5).astype(dtype)


def test_mnist_reads_the_cached_npz(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (60, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, 60, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, 10, dtype=np.uint8),
    }
    cached(monkeypatch, mnist, cache, "mnist.npz", lambda p: np.savez(p, **arrays))
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    for got, name in [(x_train, "x_train"), (y_train, "y_train"), (x_test, "x_test"), (y_test, "y_test")]:
        assert got.dtype == np.uint8 and np.array_equal(got, arrays[name])
    # The images go through a Flatten as they come.
    model = keras.Sequential(
        [keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10, "softmax")]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train / 255.0, y_train, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_a_damaged_or_pickled_cached_file_is_refused(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cached(monkeypatch, mnist, cache, "mnist.npz", lambda p: p.write_bytes(b"not a zip"))
    with pytest.raises(ValueError, match="is not the data set's file"):
        mnist.load_data()
    # Object arrays would need pickle to load: refused, not unpickled.
    objects = np.array([{"a": 1}], dtype=object)
    cached(
        monkeypatch,
        mnist,
        cache,
        "mnist.npz",
        lambda p: np.savez(p, x_train=objects, y_train=objects, x_test=objects, y_test=objects),
    )
    with pytest.raises(ValueError, match="is not the data set's file.*pickle"):
        mnist.load_data()
    cached(monkeypatch, mnist, cache, "mnist.npz", lambda p: np.savez(p, x_train=np.zeros(3)))
    with pytest.raises(ValueError, match="has no array 'y_train'"):
        mnist.load_data()


def test_a_cached_file_that_fails_its_hash_is_downloaded_again(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Keras's own hash (the real file) against a synthetic copy: get_file tries the origin, which is unreachable.
    (cache / "mnist.npz").write_bytes(b"stale")
    with pytest.raises(OSError, match="URL fetch failure on http://127.0.0.1:9/mnist.npz"):
        mnist.load_data()
    assert (cache / "mnist.npz").read_bytes() == b"stale"  # kept until a good download replaces it


def idx_bytes(values: np.ndarray, magic: int | None = None, count: int | None = None) -> bytes:
    dims = values.shape
    header = np.array(
        [magic or 0x800 + 1 + (len(dims) - 1), count if count is not None else dims[0], *dims[1:]], ">u4"
    )
    return gzip.compress(header.tobytes() + values.astype(np.uint8).tobytes())


def write_fashion(folder: Path, parts: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in parts.items():
        (folder / name).write_bytes(data)


def fashion_parts(n_train: int = 50, n_test: int = 20) -> tuple[dict[str, bytes], list[np.ndarray]]:
    rng = np.random.default_rng(1)
    arrays = [
        rng.integers(0, 10, n_train),
        rng.integers(0, 256, (n_train, 28, 28)),
        rng.integers(0, 10, n_test),
        rng.integers(0, 256, (n_test, 28, 28)),
    ]
    return dict(zip(fashion_mnist.FILES, (idx_bytes(a) for a in arrays))), arrays


def test_fashion_mnist_reads_the_cached_idx_files(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parts, arrays = fashion_parts()
    write_fashion(cache / "fashion-mnist", parts)
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert [a.dtype for a in (x_train, y_train, x_test, y_test)] == [np.uint8] * 4
    for got, want in zip((y_train, x_train, y_test, x_test), arrays):
        assert np.array_equal(got, want)
    x_train[0, 0, 0] = 7  # writable arrays (a user may scale in place)
    assert len(fashion_mnist.CLASS_NAMES) == 10


@pytest.mark.parametrize(
    ("case", "match"),
    [
        ("magic", "header is not that of images"),
        ("count", "holds 15680 bytes of values where its header says 31360"),
        ("labels", "holds 50 labels"),
        ("gzip", "is not the data set.s file: BadGzipFile"),
    ],
)
def test_a_damaged_fashion_mnist_file_is_refused(
    cache: Path, monkeypatch: pytest.MonkeyPatch, case: str, match: str
) -> None:
    parts, arrays = fashion_parts()
    images = fashion_mnist.FILES[3]
    if case == "magic":
        parts[images] = idx_bytes(arrays[3], magic=0x801)
    elif case == "count":
        parts[images] = idx_bytes(arrays[3], count=40)
    elif case == "labels":
        parts[fashion_mnist.FILES[1]] = idx_bytes(arrays[3])  # 20 training images for 50 labels
        match = "holds 20 images but .* 50 labels"
    else:
        parts[images] = b"\x1f\x8b" + b"\x00" * 30
    write_fashion(cache / "fashion-mnist", parts)
    with pytest.raises(ValueError, match=match):
        fashion_mnist.load_data()


SPLITS = [(0.2, 113), (0.25, 7), (0.0, 113), (0.5, 0)]


def check_split(parts: Any, want: dict[str, Any], dtype: Any) -> None:
    (x_train, y_train), (x_test, y_test) = parts
    assert (len(x_train), len(x_test)) == (want["n_train"], want["n_test"])
    assert x_train[:8, 0].astype(int).tolist() == want["train_head"]
    assert x_test[:8, 0].astype(int).tolist() == want["test_head"]
    assert float((x_train[:, 0] * np.arange(len(x_train))).sum()) == want["train_check"]
    assert np.array_equal(y_train, x_train[:, 0] * 1.5) and np.array_equal(y_test, x_test[:, 0] * 1.5)
    assert x_train.dtype == dtype and y_test.dtype == dtype
    # Every row once.
    assert sorted(np.concatenate([x_train[:, 0], x_test[:, 0]]).astype(int).tolist()) == list(
        range(len(x_train) + len(x_test))
    )


@pytest.mark.parametrize(("test_split", "seed"), SPLITS)
def test_boston_housing_splits_as_keras(
    cache: Path, monkeypatch: pytest.MonkeyPatch, test_split: float, seed: int
) -> None:
    golden = json.loads(GOLDEN.read_text())
    x, y = numbered_rows(506, 13, np.float64)
    cached(monkeypatch, boston_housing, cache, "boston_housing.npz", lambda p: np.savez(p, x=x, y=y))
    parts = boston_housing.load_data(test_split=test_split, seed=seed)
    check_split(parts, golden[f"boston {test_split} {seed}"], np.float64)


@pytest.mark.parametrize("version", ["small", "large"])
@pytest.mark.parametrize(("test_split", "seed"), SPLITS)
def test_california_housing_splits_as_keras(
    cache: Path, monkeypatch: pytest.MonkeyPatch, version: str, test_split: float, seed: int
) -> None:
    golden = json.loads(GOLDEN.read_text())
    x, y = numbered_rows(20640, 8, np.float32)
    cached(monkeypatch, california_housing, cache, "california_housing.npz", lambda p: np.savez(p, x=x, y=y))
    parts = california_housing.load_data(version=version, test_split=test_split, seed=seed)
    check_split(parts, golden[f"california {version} {test_split} {seed}"], np.float32)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: boston_housing.load_data(test_split=1.0), ValueError, "test_split=1.0"),
        (lambda: boston_housing.load_data(test_split="0.2"), TypeError, "test_split='0.2'"),
        (lambda: california_housing.load_data(test_split=-0.1), ValueError, "test_split=-0.1"),
        (lambda: california_housing.load_data(version="medium"), ValueError, "version='medium'"),
        (lambda: mnist.load_data(path="sub/mnist.npz"), ValueError, "Paths are no longer accepted"),
        (lambda: imdb.load_data(num_word=100), TypeError, "Unrecognized keyword arguments: \\['num_word'\\]"),
        (lambda: imdb.load_data(num_words=-1), ValueError, "num_words=-1"),
        (lambda: imdb.load_data(maxlen=2.5), ValueError, "maxlen=2.5"),
        (lambda: reuters.load_data(skip_top=None), ValueError, "skip_top=None"),
        (lambda: reuters.load_data(test_split=1.5), ValueError, "test_split=1.5"),
        (lambda: cifar100.load_data(label_mode="medium"), ValueError, "label_mode='medium'"),
    ],
)
def test_bad_arguments_are_refused_before_any_download(
    cache: Path, call: Any, error: type, match: str
) -> None:
    with pytest.raises(error, match=match):
        call()
    assert list(cache.iterdir()) == []
