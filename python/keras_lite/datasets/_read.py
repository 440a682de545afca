"""Reading the files of Keras's data sets: NumPy ``.npz`` archives, gzipped IDX files (MNIST's format), CIFAR's
pickled batches and word-index JSON files. Pickles (CIFAR's batches, and the object arrays that hold imdb's and
reuters's ragged sequences) are read by an unpickler that rebuilds NumPy arrays and nothing else. Whatever a
damaged or tampered file makes the readers underneath raise, the caller gets a ``ValueError`` that names the
file (`reading`), and no array is allocated beyond what the file's bytes can fill."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import pickle
import pickletools
import zipfile
from collections.abc import Iterator
from typing import Any

import numpy as np

# Deflate's densest output, about 1032 bytes from each byte (zlib's figure): what a gzipped file can inflate to.
_DEFLATE_MOST = 1032
# Far more than any array of Keras's ``.npz`` data sets takes (MNIST's training images, the largest, take 47 MB).
MEMBER_MAX_BYTES = 1 << 31


@contextlib.contextmanager
def reading(
    path: str, what: str = "the data set's file", again: str = "Delete it to download it again."
) -> Iterator[None]:
    """Any failure to read the file at ``path`` as a ``ValueError`` that names it (a damaged or tampered file
    can make the zip, gzip, NumPy and pickle readers raise nearly any exception); a ``MemoryError`` passes."""
    try:
        yield
    except MemoryError:
        raise
    except Exception as e:
        detail = str(e) if isinstance(e, ValueError) else f"{type(e).__name__}: {e}"
        raise ValueError(f"{path!r} is not {what}: {detail}. {again}") from e


# The globals a pickled NumPy object array needs (both spellings of the module: files written by NumPy 1 and 2).
_ARRAY_GLOBALS = frozenset(
    {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
    }
)


class _PickledArray(np.ndarray):
    """What a pickle's ``numpy.ndarray`` stands for: the type ``_reconstruct`` makes an array of, then fills
    from the pickle's own bytes. Called directly (``ndarray(shape, dtype, buffer, 0, strides)``), it would make
    an array of any size it declares from a byte or two (zero strides), or from memory never written: refused.
    `load_pickle` returns plain arrays."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        raise pickle.UnpicklingError("refusing to call numpy.ndarray (only pickled arrays are read)")


class ArraysOnly(pickle.Unpickler):
    """Rebuilds NumPy arrays (of lists, ints and other pickle primitives) and refuses every other global, so a
    tampered file cannot run code through a pickled callable."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("numpy", "ndarray"):
            return _PickledArray
        if (module, name) in _ARRAY_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to unpickle {module}.{name} (only NumPy arrays are read)")


def _plain(value: Any) -> Any:
    """``value`` with each `_PickledArray` in it (in dicts, lists and tuples, and the items of object arrays) a
    plain array. (The lists an object array holds, a ragged data set's sequences of ints, are left as read.)"""
    if isinstance(value, np.ndarray):
        value = value.view(np.ndarray) if isinstance(value, _PickledArray) else value
        if value.dtype.hasobject:
            value = np.ascontiguousarray(value)
            flat = value.reshape(-1)
            for i, item in enumerate(flat):
                if isinstance(item, _PickledArray):
                    flat[i] = item.view(np.ndarray)
        return value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


def load_pickle(data: bytes, **kwargs: Any) -> Any:
    """What the pickle ``data`` holds, read by `ArraysOnly`. Its opcodes are walked first: a damaged length
    field is then a ``ValueError``, not an attempt to allocate the gigabytes it claims. A damaged array shape
    can still ask NumPy for more memory than any machine has: that ``MemoryError`` is a damaged file too (the
    data sets' pickles hold at most a few hundred megabytes)."""
    for _ in pickletools.genops(io.BytesIO(data)):
        pass
    try:
        return _plain(ArraysOnly(io.BytesIO(data), **kwargs).load())
    except MemoryError as e:
        raise pickle.UnpicklingError(f"its {len(data)} bytes ask for more memory than there is") from e


def _read_member(raw: bytes, objects: bool) -> np.ndarray:
    fp = io.BytesIO(raw)
    version = np.lib.format.read_magic(fp)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(fp)
    elif version in ((2, 0), (3, 0)):  # 3.0 differs from 2.0 only in the header's text encoding
        shape, _, dtype = np.lib.format.read_array_header_2_0(fp)
    else:
        raise ValueError(f"unknown .npy version {version}")
    if not dtype.hasobject:
        size = int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
        if size > len(raw) - fp.tell():
            raise ValueError(f"an array of shape {shape} and dtype {dtype} in {len(raw)} bytes")
        fp.seek(0)
        return np.lib.format.read_array(fp, allow_pickle=False)
    if not objects:
        raise ValueError("it holds an array of pickled objects, which this data set's file does not")
    array = load_pickle(fp.read())
    if not isinstance(array, np.ndarray) or array.shape != shape:
        raise ValueError("an object member that is not the array its header describes")
    return array


def read_npz(path: str, names: tuple[str, ...], objects: bool = False) -> list[np.ndarray]:
    """Arrays ``names`` of the ``.npz`` file at ``path``, each no larger than its bytes in the file allow; with
    ``objects``, object arrays (ragged sequences) too, unpickled by `ArraysOnly`."""
    arrays = []
    with reading(path), zipfile.ZipFile(path) as archive:
        members = set(archive.namelist())
        for name in names:
            if f"{name}.npy" not in members:
                raise ValueError(f"it has no array {name!r} (it has {sorted(members)})")
            size = archive.getinfo(f"{name}.npy").file_size
            if size > MEMBER_MAX_BYTES:
                raise ValueError(f"its {name!r} says it inflates to {size} bytes")
            arrays.append(_read_member(archive.read(f"{name}.npy"), objects))
    return arrays


def read_idx(path: str, dims: tuple[int, ...]) -> np.ndarray:
    """The uint8 array of a gzipped IDX file (MNIST's format): a header of magic number and sizes, then the
    values. Its item shape must be ``dims``; no more is inflated than the header promises."""
    magic = 0x800 + 1 + len(dims)
    with reading(path), gzip.open(path, "rb") as f:
        header = f.read(4 * (1 + 1 + len(dims)))
        sizes = np.frombuffer(header, ">u4") if len(header) % 4 == 0 else np.zeros(0, ">u4")
        if len(sizes) != 2 + len(dims) or sizes[0] != magic or tuple(int(s) for s in sizes[2:]) != dims:
            raise ValueError(f"its header is not that of {'labels' if not dims else 'images'} {dims}")
        count = int(sizes[1]) * int(np.prod(dims, dtype=np.int64))
        packed = os.path.getsize(path)
        if count > _DEFLATE_MOST * packed:  # (before anything is set aside for them: a MemoryError otherwise)
            raise ValueError(
                f"its header says {count} bytes of values, more than its {packed} bytes can inflate to"
            )
        data = bytearray()
        while len(data) <= count:  # a megabyte at a time: what the file holds, not what its header says
            chunk = f.read(min(1 << 20, count + 1 - len(data)))
            if not chunk:
                break
            data += chunk
        if len(data) != count:
            raise ValueError(f"it holds {len(data)} bytes of values where its header says {count}")
    return np.frombuffer(data, np.uint8).reshape((int(sizes[1]), *dims)).copy()


def read_word_index(path: str) -> dict[str, int]:
    """The word-index JSON file at ``path``: a dict of word to index."""
    with reading(path, "the data set's word index"), open(path, encoding="utf-8") as f:
        index = json.load(f)
    if not isinstance(index, dict):
        raise ValueError(f"{path!r} is not the data set's word index (not a JSON object).")
    return index
