"""``TensorBoard``: the logs of ``fit`` and ``evaluate`` as TensorBoard event files, as Keras 3's callback writes
them, without TensorFlow.

The files are TensorBoard's own format, written here: records of length, data and masked CRC-32C checksums
(``_records``), each an ``Event`` protocol buffer encoded by hand (``_Proto``): the file version first, then
scalar summaries (``simple_value``), weight histograms (``HistogramProto``) and the model's config for the
graph dashboard (a string tensor for the ``graph_keras_model`` plugin). ``log_dir/train`` gets the training
logs, ``log_dir/validation`` the validation and evaluation logs, with Keras's tags: ``epoch_<name>`` per epoch
(``epoch_learning_rate`` too), ``batch_<name>`` every ``update_freq`` batches, and
``evaluation_<name>_vs_iterations`` at the end of each evaluation, at the optimizer's step count.
"""

from __future__ import annotations

import itertools
import os
import socket
import struct
import time
from typing import IO, Any

import numpy as np

from ._callback import Callback, Logs, _default
from ._errors import received
from ._unsupported import NotSupportedError

HISTOGRAM_BUCKETS = 30  # tf.summary.histogram's default
_FILES = itertools.count()  # numbers the event files of this process, so that their names sort in order


def _crc_table() -> list[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc_table()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), the checksum of TensorFlow's record files."""
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def _masked(data: bytes) -> bytes:
    c = crc32c(data)
    return struct.pack("<I", (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF)


def _record(data: bytes) -> bytes:
    """One record: length, its checksum, the data, its checksum."""
    length = struct.pack("<Q", len(data))
    return length + _masked(length) + data + _masked(data)


class _Proto:
    """A protocol buffer message being encoded: fields appended in order."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    @staticmethod
    def _varint(n: int) -> bytes:
        n &= (1 << 64) - 1  # int64: negative values take ten bytes, as protobuf encodes them
        out = bytearray()
        while True:
            byte = n & 0x7F
            n >>= 7
            if n:
                out.append(byte | 0x80)
            else:
                out.append(byte)
                return bytes(out)

    def varint(self, field: int, n: int) -> _Proto:
        self.parts += [self._varint(field << 3), self._varint(n)]
        return self

    def double(self, field: int, x: float) -> _Proto:
        self.parts += [self._varint(field << 3 | 1), struct.pack("<d", x)]
        return self

    def float32(self, field: int, x: float) -> _Proto:
        self.parts += [self._varint(field << 3 | 5), struct.pack("<f", x)]
        return self

    def blob(self, field: int, data: bytes | str | _Proto) -> _Proto:
        raw = data.encode() if isinstance(data, str) else data.encode_() if isinstance(data, _Proto) else data
        self.parts += [self._varint(field << 3 | 2), self._varint(len(raw)), raw]
        return self

    def doubles(self, field: int, values: Any) -> _Proto:
        return self.blob(field, np.asarray(values, dtype="<f8").tobytes())  # packed

    def encode_(self) -> bytes:
        return b"".join(self.parts)


def _event(step: int, value: _Proto | None = None, file_version: str | None = None) -> bytes:
    """An ``Event``: wall time (1), step (2), and a file version (3) or a summary (5) of one value."""
    event = _Proto().double(1, time.time()).varint(2, int(step))
    if file_version is not None:
        event.blob(3, file_version)
    if value is not None:
        event.blob(5, _Proto().blob(1, value))
    return event.encode_()


def _histogram(values: np.ndarray) -> _Proto:
    """A ``HistogramProto`` of ``values``: ``HISTOGRAM_BUCKETS`` equal buckets from their min to their max."""
    v = np.asarray(values, dtype=np.float64).ravel()
    lo, hi = (float(v.min()), float(v.max())) if v.size else (0.0, 0.0)
    counts, edges = np.histogram(v, bins=HISTOGRAM_BUCKETS, range=(lo, hi if hi > lo else lo + 1.0))
    histo = _Proto().double(1, lo).double(2, hi).double(3, float(v.size))
    histo.double(4, float(v.sum())).double(5, float((v * v).sum()))
    return histo.doubles(6, edges[1:]).doubles(7, counts)


class _Writer:
    """An event file in ``directory``, created on the first write (again after ``close``)."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.file: IO[bytes] | None = None

    def write(self, step: int, value: _Proto) -> None:
        if self.file is None:
            os.makedirs(self.directory, exist_ok=True)
            stamp = f"{int(time.time()):010d}.{socket.gethostname()}.{os.getpid()}.{next(_FILES):06d}"
            name = f"events.out.tfevents.{stamp}.v2"
            self.file = open(os.path.join(self.directory, name), "wb")  # noqa: SIM115 (open until closed)
            self.file.write(_record(_event(0, file_version="brain.Event:2")))
        self.file.write(_record(_event(step, value)))

    def scalar(self, tag: str, value: Any, step: int) -> None:
        if np.ndim(value):  # a vector metric's log (several thresholds, R² per output), as tf.summary refuses
            raise ValueError(f"Expected scalar shape, saw shape: {np.shape(value)}.")
        self.write(step, _Proto().blob(1, tag).float32(2, float(value)))

    def flush(self) -> None:
        if self.file is not None:
            self.file.flush()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


@_default
def _no_batch_hook(batch: int, logs: Logs = None) -> None:
    """The batch hooks of a TensorBoard that writes per epoch: nothing to do, so fit does not call back."""


class TensorBoard(Callback):
    """Write the training and evaluation logs for TensorBoard (``tensorboard --logdir logs``), as Keras 3 does.

    Args:
        log_dir: Where to write (``log_dir/train`` and ``log_dir/validation``).
        histogram_freq: Every how many epochs to write a histogram of each weight (0: never).
        write_graph: Write the model's config, which TensorBoard's graph dashboard draws.
        write_images: False (True raises ``NotSupportedError``).
        write_steps_per_second: Also write the training steps per second.
        update_freq: ``"epoch"``, ``"batch"`` or an integer: also write the batch logs every that many batches.
        profile_batch, embeddings_freq, embeddings_metadata: 0 or None (others raise ``NotSupportedError``).
    """

    def __init__(
        self,
        log_dir: Any = "logs",
        histogram_freq: int = 0,
        write_graph: bool = True,
        write_images: bool = False,
        write_steps_per_second: bool = False,
        update_freq: Any = "epoch",
        profile_batch: Any = 0,
        embeddings_freq: int = 0,
        embeddings_metadata: Any = None,
    ) -> None:
        super().__init__()
        for arg, value in (
            ("write_images", write_images),
            ("profile_batch", profile_batch),
            ("embeddings_freq", embeddings_freq),
            ("embeddings_metadata", embeddings_metadata),
        ):
            if value:
                raise NotSupportedError(
                    f"keras_lite's TensorBoard writes scalars, weight histograms and the model's graph only. "
                    f"{received(arg, value)}"
                )
        if update_freq != "epoch" and update_freq != "batch":
            if isinstance(update_freq, bool) or not isinstance(update_freq, int) or update_freq < 1:
                raise ValueError(
                    f"update_freq must be 'epoch', 'batch' or a positive integer. {received('update_freq', update_freq)}"
                )
        if isinstance(histogram_freq, bool) or not isinstance(histogram_freq, int) or histogram_freq < 0:
            raise ValueError(
                f"histogram_freq must be an integer >= 0. {received('histogram_freq', histogram_freq)}"
            )
        try:
            self.log_dir = os.fspath(log_dir)
        except TypeError:  # Keras's TypeError (when training begins), naming the argument here
            raise TypeError(f"`log_dir` must be a path. {received('log_dir', log_dir)}") from None
        self.histogram_freq = histogram_freq
        self.write_graph = bool(write_graph)
        self.write_images = False
        self.embeddings_freq, self.embeddings_metadata = (
            embeddings_freq,
            embeddings_metadata,
        )  # 0 or None: Keras's
        self.write_steps_per_second = bool(write_steps_per_second)
        self.update_freq: Any = 1 if update_freq == "batch" else update_freq
        self._train = _Writer(os.path.join(self.log_dir, "train"))
        self._val = _Writer(os.path.join(self.log_dir, "validation"))
        self._global_train_batch = 0
        self._epoch_start = (0.0, 0)
        self._batch_start = 0.0
        if self.update_freq == "epoch":
            # Nothing is written per batch: leave fit's loop without batch hooks.
            self.on_train_batch_begin = self.on_train_batch_end = _no_batch_hook  # type: ignore[method-assign]

    def set_model(self, model: Any) -> None:
        super().set_model(model)
        self._train.close()  # each model (each fit or evaluate) writes new files, as Keras's writers do
        self._val.close()
        if self.write_graph:
            try:
                config = model.to_json()
            except Exception:  # noqa: BLE001 - a model that cannot be described gets no graph, as in Keras
                return
            metadata = _Proto().blob(1, _Proto().blob(1, "graph_keras_model").blob(2, b"1"))
            tensor = _Proto().varint(1, 7).blob(2, b"").blob(8, config)  # DT_STRING, a scalar
            self._train.write(0, _Proto().blob(1, "keras").blob(9, metadata).blob(8, tensor))
            self._train.flush()

    def on_train_begin(self, logs: Logs = None) -> None:
        self._global_train_batch = 0

    def on_train_end(self, logs: Logs = None) -> None:
        self._train.close()
        self._val.close()

    def on_train_batch_begin(self, batch: int, logs: Logs = None) -> None:
        self._global_train_batch += 1
        self._batch_start = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        step = self._global_train_batch
        if step % self.update_freq:
            return
        if self.write_steps_per_second:
            elapsed = time.perf_counter() - self._batch_start
            self._train.scalar("batch_steps_per_second", 1.0 / elapsed if elapsed > 0 else 0.0, step)
        for name, value in (logs or {}).items():
            self._train.scalar(f"batch_{name}", value, step)

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        self._epoch_start = (time.perf_counter(), self._iterations())

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        logs = dict(logs or {})
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        if self.model is not None and getattr(self.model, "optimizer", None) is not None:
            train["learning_rate"] = float(self.model.optimizer.learning_rate)
        if self.write_steps_per_second:
            elapsed = time.perf_counter() - self._epoch_start[0]
            steps = self._iterations() - self._epoch_start[1]
            train["steps_per_second"] = steps / elapsed if elapsed > 0 else 0.0
        for name, value in train.items():
            self._train.scalar(f"epoch_{name}", value, epoch)
        for name, value in logs.items():
            if name.startswith("val_"):
                self._val.scalar(f"epoch_{name[4:]}", value, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            for layer in self.model.layers:
                for weight in layer.weights:
                    tag = f"{weight.path.replace(':', '_')}/histogram"
                    self._train.write(epoch, _Proto().blob(1, tag).blob(5, _histogram(weight.numpy())))
        self._train.flush()
        self._val.flush()

    def on_test_end(self, logs: Logs = None) -> None:
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None:
            step = self._iterations()
            for name, value in (logs or {}).items():
                self._val.scalar(f"evaluation_{name}_vs_iterations", value, step)
            self._val.flush()

    def _iterations(self) -> int:
        optimizer = getattr(self.model, "optimizer", None)
        return int(optimizer.iterations) if optimizer is not None else 0
