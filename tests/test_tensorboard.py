"""The TensorBoard callback: its event files read back by a decoder written here (record framing with CRC-32C,
the protocol buffer wire format), holding Keras 3.15.1's tags at Keras's steps (checked by hand against Keras's
own files for the same fit), the values of the History and the batch logs, weight histograms and the model's
config; per-batch writing only when asked; the arguments refused."""

from __future__ import annotations

import glob
import json
import os
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers
from keras_lite._tensorboard import crc32c
from keras_lite._unsupported import NotSupportedError

RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 4)).astype(np.float32)
Y = X[:, :1] * 2


def _varint(data: bytes, i: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        b = data[i]
        n |= (b & 0x7F) << shift
        i, shift = i + 1, shift + 7
        if not b & 0x80:
            return n, i


def _fields(data: bytes) -> list[tuple[int, Any]]:
    """A message's fields as (number, value): varints as ints, fixed64 and fixed32 as raw bytes, others bytes."""
    out, i = [], 0
    while i < len(data):
        key, i = _varint(data, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 1:
            value, i = data[i : i + 8], i + 8
        elif wire == 5:
            value, i = data[i : i + 4], i + 4
        else:
            size, i = _varint(data, i)
            value, i = data[i : i + size], i + size
        out.append((field, value))
    return out


def _masked_crc(data: bytes) -> int:
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _events(directory: Path) -> list[dict[str, Any]]:
    """Every event of the files in ``directory``, in order: step, file version, and the summary value's tag
    with its scalar, histogram (count and sum) or string tensor."""
    events = []
    for path in sorted(glob.glob(str(directory / "*tfevents*"))):
        data = Path(path).read_bytes()
        i = 0
        while i < len(data):
            (length,) = struct.unpack("<Q", data[i : i + 8])
            assert struct.unpack("<I", data[i + 8 : i + 12])[0] == _masked_crc(data[i : i + 8])
            record = data[i + 12 : i + 12 + length]
            assert struct.unpack("<I", data[i + 12 + length : i + 16 + length])[0] == _masked_crc(record)
            i += 16 + length
            fields = dict(_fields(record))
            event: dict[str, Any] = {"step": fields.get(2, 0), "version": fields.get(3, b"").decode()}
            event["time"] = struct.unpack("<d", fields[1])[0]
            if 5 in fields:
                value = dict(_fields(dict(_fields(fields[5]))[1]))
                event["tag"] = value[1].decode()
                if 2 in value:
                    event["scalar"] = struct.unpack("<f", value[2])[0]
                if 5 in value:
                    histo = dict(_fields(value[5]))
                    event["count"], event["sum"] = (struct.unpack("<d", histo[k])[0] for k in (3, 4))
                if 8 in value:
                    event["text"] = dict(_fields(value[8]))[8].decode()
            events.append(event)
    return sorted(events, key=lambda e: e["time"])  # the files of several fits and evaluations, in time order


def _model() -> keras.Sequential:
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3, activation="relu"), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


def test_crc32c_check_value() -> None:
    assert crc32c(b"123456789") == 0xE3069283  # the CRC-32C catalogue's check value


def test_fit_and_evaluate_write_keras_tags_and_values(tmp_path: Path) -> None:
    model = _model()
    tensorboard = keras.callbacks.TensorBoard(log_dir=tmp_path, histogram_freq=1)
    history = model.fit(
        X, Y, batch_size=16, epochs=2, validation_data=(X[:16], Y[:16]), callbacks=[tensorboard], verbose=0
    )
    evaluated = model.evaluate(X, Y, callbacks=[tensorboard], verbose=0, return_dict=True)
    train, val = _events(tmp_path / "train"), _events(tmp_path / "validation")
    assert all(e["version"] == "brain.Event:2" for e in train + val if "tag" not in e)
    scalars = {(e["tag"], e["step"]): e["scalar"] for e in train if "scalar" in e}
    for epoch in (0, 1):
        for name in ("loss", "mae"):
            assert scalars[(f"epoch_{name}", epoch)] == pytest.approx(history.history[name][epoch], rel=1e-6)
        assert scalars[("epoch_learning_rate", epoch)] == pytest.approx(0.001)
    assert {tag for tag, _ in scalars} == {"epoch_loss", "epoch_mae", "epoch_learning_rate"}  # no batch tags
    histograms = {(e["tag"], e["step"]): e for e in train if "count" in e}
    assert {tag for tag, _ in histograms} == {
        f"{w.path}/histogram" for layer in model.layers for w in layer.weights
    }
    kernel = model.layers[0].weights[0]
    assert histograms[(f"{kernel.path}/histogram", 1)]["count"] == 12
    assert histograms[(f"{kernel.path}/histogram", 1)]["sum"] == pytest.approx(
        float(kernel.numpy().sum()), rel=1e-6
    )
    graphs = [e["text"] for e in train if e.get("tag") == "keras"]
    assert graphs and json.loads(graphs[0]) == json.loads(model.to_json())
    val_scalars = [(e["tag"], e["step"], e["scalar"]) for e in val if "scalar" in e]
    epochs = [(t, s, v) for t, s, v in val_scalars if t.startswith("epoch_")]
    assert [(t, s) for t, s, _ in epochs] == [
        ("epoch_loss", 0),
        ("epoch_mae", 0),
        ("epoch_loss", 1),
        ("epoch_mae", 1),
    ]
    assert [v for t, _, v in epochs if t == "epoch_loss"] == pytest.approx(
        history.history["val_loss"], rel=1e-6
    )
    # Each evaluation (the two validations of fit, then evaluate) at the optimizer's step count, as Keras.
    losses = [(s, v) for t, s, v in val_scalars if t == "evaluation_loss_vs_iterations"]
    assert [s for s, _ in losses] == [4, 8, 8]
    assert losses[2][1] == pytest.approx(evaluated["loss"], rel=1e-6)


def test_batch_logs_every_update_freq_batches(tmp_path: Path) -> None:
    seen: dict[int, dict[str, float]] = {}
    counter = [0]

    def record(batch: int, logs: Any) -> None:
        counter[0] += 1
        seen[counter[0]] = dict(logs)

    tensorboard = keras.callbacks.TensorBoard(log_dir=tmp_path, update_freq=3, write_graph=False)
    spy = keras.callbacks.LambdaCallback(on_train_batch_end=record)
    _model().fit(X, Y, batch_size=16, epochs=2, callbacks=[tensorboard, spy], verbose=0)
    batches = [
        (e["tag"], e["step"], e["scalar"])
        for e in _events(tmp_path / "train")
        if e.get("tag", "").startswith("batch_")
    ]
    assert [(t, s) for t, s, _ in batches] == [
        ("batch_loss", 3),
        ("batch_mae", 3),
        ("batch_loss", 6),
        ("batch_mae", 6),
    ]
    for tag, step, value in batches:
        assert value == pytest.approx(seen[step][tag[len("batch_") :]], rel=1e-6)
    assert not any(e.get("tag") == "keras" for e in _events(tmp_path / "train"))


def test_per_epoch_writing_adds_no_batch_hooks(tmp_path: Path) -> None:
    epoch_only = keras.callbacks.CallbackList([keras.callbacks.TensorBoard(log_dir=tmp_path)])
    per_batch = keras.callbacks.CallbackList(
        [keras.callbacks.TensorBoard(log_dir=tmp_path, update_freq="batch")]
    )
    assert not epoch_only.needs_batch_hooks("train") and per_batch.needs_batch_hooks("train")


def test_what_is_refused(tmp_path: Path) -> None:
    for kwargs in ({"write_images": True}, {"profile_batch": 5}, {"embeddings_freq": 1}):
        with pytest.raises(NotSupportedError, match=next(iter(kwargs))):
            keras.callbacks.TensorBoard(log_dir=tmp_path, **kwargs)
    with pytest.raises(ValueError, match="update_freq"):
        keras.callbacks.TensorBoard(log_dir=tmp_path, update_freq="sometimes")
    with pytest.raises(ValueError, match="histogram_freq"):
        keras.callbacks.TensorBoard(log_dir=tmp_path, histogram_freq=-1)
    assert os.listdir(tmp_path) == []  # nothing written before fit
