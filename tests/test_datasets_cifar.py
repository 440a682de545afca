"""`keras.datasets.cifar10` and `cifar100`: the archive extracted from Keras's cache, the batches in order, the
layout Keras gives (channels last unless the image format says otherwise, labels of shape (n, 1), Keras's label
dtypes), and batches that would run code when unpickled, or are not CIFAR batches, refused. The archives are
small synthetic ones in the real archives' layout. (A full-size synthetic archive of each, read by Keras 3.15.1
and by keras_lite in both image formats and label modes, gave identical arrays, dtypes and shapes.)"""

from __future__ import annotations

import io
import os
import pickle
import tarfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from keras_home import cache_fixture, install
from keras_lite.datasets import cifar10, cifar100

cache = cache_fixture(cifar10, cifar100, file="archive.tar.gz")


@pytest.fixture(autouse=True)
def image_format() -> Any:
    yield
    keras.config.set_image_data_format("channels_last")


def batch(rng: np.random.Generator, n: int, **labels: int) -> dict[bytes, Any]:
    out: dict[bytes, Any] = {
        b"batch_label": b"synthetic",
        b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
    }
    for key, classes in labels.items():
        out[key.encode()] = [int(v) for v in rng.integers(0, classes, n)]
    return out


def archive(members: dict[str, Any]) -> bytes:
    """A tar.gz of pickled members (bytes members are stored as they are)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, value in members.items():
            data = value if isinstance(value, bytes) else pickle.dumps(value, protocol=4)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def cifar10_members(rng: np.random.Generator) -> dict[str, Any]:
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    return {f"cifar-10-batches-py/{n}": batch(rng, 4 + i, labels=10) for i, n in enumerate(names)}


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_cifar10_reads_the_batches_in_order_in_keras_layout(
    cache: Path, monkeypatch: pytest.MonkeyPatch, data_format: str
) -> None:
    members = cifar10_members(np.random.default_rng(0))
    install(monkeypatch, cifar10, cache / "cifar-10-batches-py-target_archive", archive(members))
    keras.config.set_image_data_format(data_format)
    (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
    batches = list(members.values())
    want_x = np.concatenate([b[b"data"] for b in batches[:5]]).reshape(-1, 3, 32, 32)
    want_test = batches[5][b"data"].reshape(-1, 3, 32, 32)
    if data_format == "channels_last":
        want_x, want_test = want_x.transpose(0, 2, 3, 1), want_test.transpose(0, 2, 3, 1)
    assert x_train.shape == ((30, 32, 32, 3) if data_format == "channels_last" else (30, 3, 32, 32))
    assert np.array_equal(x_train, want_x) and np.array_equal(x_test, want_test)
    assert y_train.shape == (30, 1) and y_test.shape == (9, 1)
    assert y_train.ravel().tolist() == sum((b[b"labels"] for b in batches[:5]), [])
    assert y_test.ravel().tolist() == batches[5][b"labels"]
    assert [a.dtype for a in (x_train, y_train, x_test, y_test)] == [np.uint8] * 4
    assert x_train.flags.c_contiguous and x_test.flags.c_contiguous
    assert len(cifar10.CLASS_NAMES) == 10
    # Images through a Flatten, as they come.
    model = keras.Sequential([keras.Input(x_train.shape[1:]), keras.layers.Flatten(), keras.layers.Dense(10)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert np.isfinite(model.fit(x_train / 255.0, y_train, epochs=1, verbose=0).history["loss"][0])


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100_label_modes(cache: Path, monkeypatch: pytest.MonkeyPatch, label_mode: str) -> None:
    rng = np.random.default_rng(1)
    members = {
        "cifar-100-python/train": batch(rng, 12, fine_labels=100, coarse_labels=20),
        "cifar-100-python/test": batch(rng, 5, fine_labels=100, coarse_labels=20),
    }
    install(monkeypatch, cifar100, cache / "cifar-100-python-target_archive", archive(members))
    (x_train, y_train), (x_test, y_test) = cifar100.load_data(label_mode=label_mode)
    train = members["cifar-100-python/train"]
    assert np.array_equal(x_train, train[b"data"].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    assert y_train.ravel().tolist() == train[f"{label_mode}_labels".encode()]
    assert y_train.dtype == np.int64 and y_test.shape == (5, 1)  # as Keras gives them
    assert x_test.shape == (5, 32, 32, 3)


class _Payload:
    def __reduce__(self) -> Any:
        return (os.system, ("echo pwned > /dev/null",))


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (
            lambda m: m.update({"cifar-10-batches-py/data_batch_3": {b"data": _Payload(), b"labels": []}}),
            "refusing to unpickle",
        ),
        (lambda m: m.update({"cifar-10-batches-py/test_batch": [1, 2]}), "not a pickled dict"),
        (lambda m: m.update({"cifar-10-batches-py/test_batch": {b"labels": [1]}}), "no 'data'"),
        (
            lambda m: m.update(
                {"cifar-10-batches-py/test_batch": {b"data": np.zeros((2, 5), np.uint8), b"labels": [1, 2]}}
            ),
            "its data are uint8 \\(2, 5\\)",
        ),
        (
            lambda m: m.update(
                {
                    "cifar-10-batches-py/test_batch": {
                        b"data": np.zeros((2, 3072), np.uint8),
                        b"labels": [1, 300],
                    }
                }
            ),
            "labels are not integers from 0 to 255",
        ),
        (lambda m: m.update({"cifar-10-batches-py/test_batch": b"\x80\x04garbage"}), "not a CIFAR batch"),
        (  # an allowed global called wrongly: the unpickler's TypeError is a refused batch too
            lambda m: m.update(
                {"cifar-10-batches-py/test_batch": b"\x80\x02cnumpy._core.multiarray\n_reconstruct\nq\x00)R."}
            ),
            "not a CIFAR batch: TypeError: _reconstruct",
        ),
        (lambda m: m.pop("cifar-10-batches-py/data_batch_5"), "data_batch_5"),
    ],
)
def test_a_damaged_or_tampered_batch_is_refused(
    cache: Path, monkeypatch: pytest.MonkeyPatch, change: Any, match: str
) -> None:
    members = cifar10_members(np.random.default_rng(2))
    change(members)
    install(monkeypatch, cifar10, cache / "cifar-10-batches-py-target_archive", archive(members))
    calls: list[Any] = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a))
    with pytest.raises(ValueError, match=match):
        cifar10.load_data()
    assert calls == []
