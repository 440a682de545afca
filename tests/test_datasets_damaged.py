"""Damaged files (a few random bytes changed in a valid one, as a bad disk or a partial write leaves them) are
refused by the data-set readers and by `get_file`'s extraction with a ValueError naming the file, whatever the
zip, gzip, tar, NumPy or pickle readers underneath raise; or they read, when the change missed what matters.
Deterministic: the same changes on every run."""

from __future__ import annotations

import gzip
import io
import tarfile
import warnings
import zipfile
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

from keras_lite import _download
from keras_lite.datasets import _cifar, _read

TRIALS = 150


def npz(path: Path) -> None:
    rng = np.random.default_rng(0)
    np.savez_compressed(path, x=rng.random((50, 4)), y=rng.random(50))


def sequences_npz(path: Path) -> None:
    ragged = np.empty(6, dtype=object)
    for i in range(6):
        ragged[i] = list(range(i * 3))
    np.savez_compressed(path, x=ragged, y=np.arange(6))


def idx(path: Path) -> None:
    path.write_bytes(
        gzip.compress(np.array([0x803, 3, 28, 28], ">u4").tobytes() + bytes(range(256)) * 9 + bytes(48))
    )


def cifar_batch(path: Path) -> None:
    import pickle

    data = {b"data": np.arange(2 * 3072, dtype=np.uint8).reshape(2, 3072), b"labels": [1, 2]}
    path.write_bytes(pickle.dumps(data, protocol=4))


def tar_gz(path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for i in range(3):
            info = tarfile.TarInfo(f"d/f{i}.txt")
            payload = bytes(range(256)) * (i + 1)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    path.write_bytes(buf.getvalue())


def zip_file(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(3):
            z.writestr(f"d/f{i}.txt", bytes(range(256)) * (i + 1))


def extract(path: Path) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a damaged member name can point outside: skipped with a warning
        return _download._extract(str(path), str(path.parent / "out"), ["tar", "zip"])


CASES: dict[str, tuple[Callable[[Path], None], Callable[[Path], Any], str]] = {
    "npz": (npz, lambda p: _read.read_npz(str(p), ("x", "y")), ".npz"),
    "sequences npz": (sequences_npz, lambda p: _read.read_npz(str(p), ("x", "y"), objects=True), ".npz"),
    "idx": (idx, lambda p: _read.read_idx(str(p), (28, 28)), ".gz"),
    "cifar batch": (cifar_batch, lambda p: _cifar.load_batch(str(p), "labels"), ""),
    "tar.gz": (tar_gz, extract, ".tar.gz"),
    "zip": (zip_file, extract, ".zip"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_damaged_file_reads_or_is_a_value_error_naming_it(tmp_path: Path, case: str) -> None:
    write, read, suffix = CASES[case]
    good = tmp_path / f"good{suffix}"
    write(good)
    read(good)  # the undamaged file reads
    original = good.read_bytes()
    rng = np.random.default_rng(7)
    refused = 0
    for trial in range(TRIALS):
        damaged = bytearray(original)
        for at in rng.integers(0, len(damaged), int(rng.integers(1, 4))):
            damaged[int(at)] = int(rng.integers(0, 256))
        path = tmp_path / f"damaged_{trial}{suffix}"
        path.write_bytes(bytes(damaged))
        try:
            read(path)
        except ValueError as e:
            assert str(path) in str(e), str(e)
            refused += 1
    assert refused > 0


def test_an_array_header_that_claims_more_than_its_bytes_is_refused(tmp_path: Path) -> None:
    # A .npy member whose header says 10^12 float64s: refused before NumPy allocates them.
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)})
    buf.write(np.zeros(4).tobytes())
    path = tmp_path / "huge.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("x.npy", buf.getvalue())
        z.writestr("y.npy", buf.getvalue())
    with pytest.raises(ValueError, match=r"huge.npz.*an array of shape \(1000000000000,\)"):
        _read.read_npz(str(path), ("x", "y"))


class _Strided:
    """Pickles as ``numpy.ndarray((rows, 3072), uint8, b"\\x07", 0, (0, 0))``: a huge array from one byte."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def __reduce__(self) -> Any:
        return (np.ndarray, (self.shape, np.dtype("uint8"), b"\x07", 0, (0,) * len(self.shape)))


def test_a_pickle_that_calls_ndarray_itself_is_refused(tmp_path: Path) -> None:
    """A pickled CIFAR batch of 153 bytes that declares a million rows through ``numpy.ndarray`` with zero
    strides is refused, before any array of that size exists; NumPy's own pickles of arrays still read."""
    import pickle

    path = tmp_path / "data_batch_1"
    path.write_bytes(
        pickle.dumps({b"data": _Strided((10**6, 3072)), b"labels": _Strided((10**6,))}, protocol=4)
    )
    with pytest.raises(ValueError, match="data_batch_1.*refusing to call numpy.ndarray"):
        _cifar.load_batch(str(path), "labels")
    real = {
        b"data": np.arange(6, dtype=np.uint8).reshape(2, 3),
        b"ragged": np.array([[1, 2], [3]], dtype=object),
    }
    got = _read.load_pickle(pickle.dumps(real, protocol=4), encoding="bytes")
    assert type(got[b"data"]) is np.ndarray and got[b"data"].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert type(got[b"ragged"]) is np.ndarray and got[b"ragged"].tolist() == [[1, 2], [3]]
