"""`keras.datasets.imdb` and `reuters`: the word-index sequences Keras's loaders return for the same files
(goldens from Keras 3.15.1: fixtures/make_sequence_datasets.py), their word indexes and topic names, and files
that would run code when unpickled refused. The files are synthetic ones in the real files' layout."""

from __future__ import annotations

import io
import json
import os
import pickle
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from keras_lite.datasets import imdb, reuters

FIXTURES = Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
from sequence_data import CASES, sequence_files  # noqa: E402

from keras_home import cache_fixture, install  # noqa: E402

GOLDEN = json.loads((FIXTURES / "keras_sequence_datasets.json").read_text())


cache = cache_fixture(imdb, reuters)


@pytest.fixture
def files(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    imdb_file, reuters_file = sequence_files(tmp_path)
    install(monkeypatch, imdb, cache / "imdb.npz", imdb_file.read_bytes())
    install(monkeypatch, reuters, cache / "reuters.npz", reuters_file.read_bytes())


def as_lists(parts: Any) -> dict[str, Any]:
    (x_train, y_train), (x_test, y_test) = parts
    for x in (x_train, x_test):
        assert x.dtype == object and x.ndim == 1 and all(type(s) is list for s in x)
    return {
        "x_train": [list(map(int, s)) for s in x_train],
        "y_train": [int(v) for v in y_train],
        "x_test": [list(map(int, s)) for s in x_test],
        "y_test": [int(v) for v in y_test],
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_imdb_returns_what_keras_returns(files: None, case: str) -> None:
    assert as_lists(imdb.load_data(**CASES[case])) == GOLDEN[f"imdb {case}"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_reuters_returns_what_keras_returns(files: None, case: str) -> None:
    assert as_lists(reuters.load_data(**CASES[case], test_split=0.25)) == GOLDEN[f"reuters {case}"]


def test_multi_hot_reviews_train_a_dense_network(files: None) -> None:
    (x_train, y_train), _ = keras.datasets.imdb.load_data(num_words=50)
    multi_hot = np.zeros((len(x_train), 50), np.float32)
    for i, review in enumerate(x_train):
        multi_hot[i, review] = 1.0
    model = keras.Sequential(
        [keras.Input((50,)), keras.layers.Dense(8, "relu"), keras.layers.Dense(1, "sigmoid")]
    )
    model.compile("rmsprop", "binary_crossentropy", metrics=["accuracy"])
    assert np.isfinite(model.fit(multi_hot, y_train, epochs=2, verbose=0).history["loss"]).all()


def test_word_indexes_and_topic_names(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index = tmp_path / "index.json"
    index.write_text(json.dumps({"the": 1, "film": 2}))
    install(monkeypatch, imdb, cache / "imdb_word_index.json", index.read_bytes(), "WORD_INDEX_HASH")
    assert imdb.get_word_index() == {"the": 1, "film": 2}
    install(monkeypatch, reuters, cache / "reuters_word_index.json", index.read_bytes(), "WORD_INDEX_HASH")
    assert reuters.get_word_index() == {"the": 1, "film": 2}
    names = reuters.get_label_names()
    assert len(names) == 46 and names[:4] == ("cocoa", "grain", "veg-oil", "earn") and names[-1] == "lead"
    index.write_text("[1, 2]")
    install(monkeypatch, imdb, cache / "imdb_word_index.json", index.read_bytes(), "WORD_INDEX_HASH")
    with pytest.raises(ValueError, match="not the data set's word index"):
        imdb.get_word_index()


class _Payload:
    """Unpickling this calls ``os.system``: what a tampered file would do."""

    def __reduce__(self) -> Any:
        return (os.system, ("echo pwned > /dev/null",))


def test_a_file_that_would_run_code_when_unpickled_is_refused(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    evil = tmp_path / "evil.npz"
    with zipfile.ZipFile(evil, "w") as z:
        header = np.lib.format.header_data_from_array_1_0(np.empty(1, dtype=object))
        buf = io.BytesIO()
        np.lib.format.write_array_header_1_0(buf, header)
        pickle.dump(_Payload(), buf, protocol=2)
        for name in ("x", "y"):
            z.writestr(f"{name}.npy", buf.getvalue())
    install(monkeypatch, reuters, cache / "reuters.npz", evil.read_bytes())
    calls: list[Any] = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a))
    with pytest.raises(ValueError, match="refusing to unpickle (posix|os|nt).system"):
        reuters.load_data()
    assert calls == []


def test_a_maxlen_that_keeps_nothing_is_an_error(files: None) -> None:
    for load in (imdb.load_data, reuters.load_data):
        with pytest.raises(ValueError, match="no sequence was kept. Increase maxlen"):
            load(maxlen=1)
