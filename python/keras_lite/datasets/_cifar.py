"""What ``cifar10`` and ``cifar100`` share: their archive (a tar.gz of pickled dicts, read by an unpickler that
rebuilds NumPy arrays and nothing else) and Keras's layout of the result."""

from __future__ import annotations

import numpy as np

from .. import config
from .._download import get_file
from ._read import load_pickle, reading

SIDE = 32
VALUES = 3 * SIDE * SIDE


def extracted(name: str, origin: str, file_hash: str) -> str:
    """The folder the archive at ``origin`` is extracted to: downloaded when it is not cached (or fails its
    hash), and extracted on every call, as Keras does."""
    return get_file(fname=name, origin=origin, extract=True, file_hash=file_hash)


def load_batch(path: str, label_key: str) -> tuple[np.ndarray, np.ndarray]:
    """The images (``n x 3 x 32 x 32`` uint8) and integer labels of one pickled batch file."""
    with reading(path, "a CIFAR batch", "Delete the data set's folder and archive to download it again."):
        with open(path, "rb") as f:
            batch = load_pickle(f.read(), encoding="bytes")
        if not isinstance(batch, dict):
            raise ValueError("it is not a pickled dict")
        batch = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in batch.items()}
        if "data" not in batch or label_key not in batch:
            raise ValueError(f"it has no 'data' or no {label_key!r}")
        data, labels = np.asarray(batch["data"]), np.asarray(batch[label_key])
        if (
            data.dtype != np.uint8
            or data.ndim != 2
            or data.shape[1] != VALUES
            or labels.shape != (len(data),)
        ):
            raise ValueError(f"its data are {data.dtype} {data.shape} and its labels {labels.shape}")
    if labels.dtype.kind not in "iu" or (labels.size and (labels.min() < 0 or labels.max() > 255)):
        raise ValueError(f"{path!r} is not a CIFAR batch: its labels are not integers from 0 to 255")
    return data.reshape(len(data), 3, SIDE, SIDE), labels


def arrange(
    train: list[tuple[np.ndarray, np.ndarray]], test: tuple[np.ndarray, np.ndarray]
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Keras's layout: the training batches in order, labels of shape ``(n, 1)`` (of the dtype the caller
    made them), images channels-last unless ``keras.config.image_data_format()`` is ``"channels_first"``
    (C-contiguous arrays either way)."""
    x_train = np.concatenate([x for x, _ in train]) if len(train) > 1 else train[0][0]
    y_train = np.concatenate([y for _, y in train]) if len(train) > 1 else train[0][1]
    x_test, y_test = test
    if config.image_data_format() == "channels_last":
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (
        (np.ascontiguousarray(x_train), y_train.reshape(-1, 1)),
        (np.ascontiguousarray(x_test), y_test.reshape(-1, 1)),
    )
