"""Hostile files found by an adversarial sweep of the model-file readers (docs/GUARANTEES.md, "Model files and
dependencies"): each test builds its file by hand (no Keras or TensorFlow; h5py only for the parts that
write a weights file, skipped without it) and checks that it is refused with a ``ValueError`` naming the file,
within a memory bound, leaving the model given it unchanged.

- a legacy ``.h5`` file whose attribute strings all point to one large global-heap object (a 300 KB file decoded
  to hundreds of megabytes of text before), or whose groups' headers share one block of long-named links (a
  1.1 MB file took 2.8 GB);
- a ``.keras`` archive whose zip directory declares a weights member far larger than the archive, which made
  the config's model seem affordable (a 20 KB file built and initialized a 1.5 GB model before failing);
- a deflated ``.keras`` archive whose 64 MB of zero weights (64 KB stored) let a deflated 64 MB config through,
  or a config describing a model of the size of those zeros (a 72 KB file built a 64 MB model);
- a file object that never ends (``load_model(open("/dev/zero", "rb"))`` read until memory ran out);
- a pickled state without weights whose config builds a large model (no weights used to mean no bound);
- a step count of 2**63 - 1 in a weights file or pickled state (the next fit left a model whose save raised
  ``OverflowError``);
- a layer whose Orthogonal initializer's QR decomposition (minutes for a 16,000-wide layer) ran before the
  file's weights replaced its values;
- a Functional config of many layers, or a Sequential of many nested models (quadratic checks: 64,000 layers
  took a minute and five);
- JSON nested thousands deep given to ``model_from_json`` or ``from_config`` (a ``RecursionError`` before);
- a tar archive for ``get_file(extract=True)`` whose chain of long names and links hides a link out of the
  extraction folder from ``realpath`` (and from tarfile's "data" filter before Python 3.11.13): it wrote a
  file outside the folder;
- (found on the way) a legacy ``.h5`` save of a model whose weight names pass 64 KB raised ``OSError``;
- a gzipped IDX file (Fashion-MNIST's, which Keras downloads without a hash) whose header claims billions of
  images (a ``MemoryError`` before, after asking for the gigabytes it claims).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import pickle
import struct
import tarfile
import tracemalloc
import warnings
import zipfile
import zlib
from typing import Any, Callable

import numpy as np
import pytest

import keras_lite as keras
from file_state import assert_same, model_state, trained_model
from keras_lite import layers


def _refused(load: Callable[[], Any], match: str) -> int:
    """Peak bytes Python allocated while ``load`` was refused with a ValueError matching ``match``."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=match):
            load()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# ---- HDF5 attributes: strings that share one heap object ------------------------------------------------------
def _pad8(b: bytes) -> bytes:
    return b + b"\0" * (-len(b) % 8)


def _shared_string_h5(count: int, size: int) -> bytes:
    """An HDF5 file (superblock 2, 8-byte offsets) whose root group has one attribute: ``count`` variable-length
    strings, every one of them the same ``size``-byte object of one global heap collection."""
    name = _pad8(b"names\0")
    datatype = struct.pack("<B3sI", 0x19, b"\x01\0\0", 16)  # class 9 (variable-length) string of 8+8 bytes
    space = struct.pack("<BBB5xQ", 1, 1, 0, count)  # dataspace version 1, one dimension
    body_head = struct.pack("<BBHHH", 1, 0, len(b"names\0"), len(datatype), len(space))
    body_len = len(body_head) + len(name) + len(datatype) + len(space) + 16 * count
    heap_at = 48 + 16 + 8 + body_len  # after the superblock, the root's header and its one message
    heap_at += -heap_at % 8
    values = struct.pack("<IQI", size, heap_at, 1) * count  # length, collection, object 1
    body = body_head + name + datatype + space + values
    message = struct.pack("<HHB3x", 12, len(body), 0) + body  # an attribute message
    header = struct.pack("<BBHII4x", 1, 0, 1, 1, len(message)) + message
    obj = struct.pack("<HH4xQ", 1, 0, size) + _pad8(b"x" * size)
    collection = b"GCOL" + struct.pack("<B3xQ", 1, 16 + len(obj)) + obj
    gap = b"\0" * (heap_at - 48 - len(header))
    end = heap_at + len(collection)
    superblock = b"\x89HDF\r\n\x1a\n" + struct.pack("<BBBBQQQQ4x", 2, 8, 8, 0, 0, 2**64 - 1, end, 48)
    return superblock + header + gap + collection


@pytest.mark.parametrize("how", ["load_model", "load_weights"])
def test_attribute_strings_sharing_one_heap_object_are_refused(tmp_path, how):
    # 1,000 strings of 256 KB each, all one 256 KB object: 256 MB of text from a 280 KB file.
    path = tmp_path / "shared.h5"
    path.write_bytes(_shared_string_h5(1000, 256 << 10))
    assert path.stat().st_size < 300 << 10
    model = trained_model()
    before = model_state(model)
    load = (
        (lambda: keras.models.load_model(path)) if how == "load_model" else (lambda: model.load_weights(path))
    )
    peak = _refused(load, r"shared\.h5.*names")
    assert peak < 16 << 20, f"{peak / 2**20:.0f} MiB allocated before refusing"
    assert_same(before, model_state(model))


def test_attribute_strings_within_the_file_still_read(tmp_path):
    # The same layout with distinct-sized content within the file's bytes reads (the bound is not too tight).
    from keras_lite import _h5attrs, _h5read

    data = _shared_string_h5(2, 64)
    attrs = _h5attrs.attributes(_h5read.File(data).root)
    assert attrs == {"names": ["x" * 64, "x" * 64]}


# ---- HDF5 groups whose headers share one block of long-named links --------------------------------------------
def _message(kind: int, body: bytes) -> bytes:
    return struct.pack("<BHB", kind, len(body), 0) + body


def _header(messages: list[bytes]) -> bytes:
    """A version 2 object header (its checksum is not read)."""
    body = b"".join(messages)
    return b"OHDR" + bytes([2, 0x02]) + struct.pack("<I", len(body)) + body + b"\0" * 4


def _link(name: str, address: int) -> bytes:
    raw = name.encode()
    return _message(6, bytes([1, 0x01]) + struct.pack("<H", len(raw)) + raw + struct.pack("<Q", address))


def _names(name: str, values: list[str]) -> bytes:
    """An attribute of fixed-length strings (version 1 attribute message)."""
    size, raw = max(len(v) for v in values), name.encode() + b"\0"
    datatype = struct.pack("<B3sI", 0x13, b"\0\0\0", size)
    space = struct.pack("<BBB5xQ", 1, 1, 0, len(values))
    data = b"".join(v.encode().ljust(size, b"\0") for v in values)
    head = struct.pack("<BBHHH", 1, 0, len(raw), len(datatype), len(space))
    return _message(12, head + _pad8(raw) + datatype + space + data)


def _shared_links_h5(groups: int, links: int, name_size: int) -> bytes:
    """A legacy weights file listing ``groups`` layers, each a group whose header continues into one shared block:
    ``weight_names=["d"]``, a link ``d`` to a scalar dataset and ``links`` links named with ``name_size`` bytes."""
    names = [f"g{i:05d}" for i in range(groups)]
    listed = [_names("layer_names", names)]
    root_size = len(_header(listed + [_link(n, 0) for n in names]))
    group_size = len(_header([_message(0x10, bytes(16))]))
    dataset_at = 48 + root_size + groups * group_size
    dataset = _header(
        [
            _message(1, bytes([1, 0, 0, 0]) + bytes(4)),  # a scalar
            _message(3, struct.pack("<B3sIHHBBBBI", 0x11, bytes([0x20, 31, 0]), 4, 0, 32, 23, 8, 0, 23, 127)),
            _message(8, bytes([3, 0]) + struct.pack("<Hf", 4, 1.0)),  # compact float32
        ]
    )
    block_at = dataset_at + len(dataset)
    long_names = [_link(f"L{i:04d}".ljust(name_size, "x"), dataset_at) for i in range(links)]
    block = b"OCHK" + _names("weight_names", ["d"]) + _link("d", dataset_at) + b"".join(long_names) + bytes(4)
    root = _header(listed + [_link(n, 48 + root_size + i * group_size) for i, n in enumerate(names)])
    group = _header([_message(0x10, struct.pack("<QQ", block_at, len(block)))])  # a continuation
    end = block_at + len(block)
    superblock = b"\x89HDF\r\n\x1a\n" + struct.pack("<BBBBQQQQ4x", 2, 8, 8, 0, 0, 2**64 - 1, end, 48)
    return superblock + root + group * groups + dataset + block


def test_groups_sharing_a_block_of_long_link_names_are_refused(tmp_path):
    # 300 groups x 8 names of 60 KB in one shared block: 144 MB of names from a 490 KB file.
    path = tmp_path / "shared_links.h5"
    path.write_bytes(_shared_links_h5(300, 8, 60_000))
    assert path.stat().st_size < 500 << 10
    model = trained_model()
    before = model_state(model)
    peak = _refused(
        lambda: model.load_weights(path), r"shared_links\.h5.*(circular|larger than its contents)"
    )
    assert peak < 16 << 20, f"{peak / 2**20:.0f} MiB allocated before refusing"
    assert_same(before, model_state(model))


def test_the_hand_made_layout_reads_when_nothing_is_repeated():
    # One group of the same layout reads (the test above is refused for what it repeats, not for its form).
    from keras_lite import _h5attrs, _h5read

    root = _h5read.File(_shared_links_h5(1, 2, 16)).root
    group = root.get("g00000")
    assert isinstance(group, _h5read.Group)
    assert _h5attrs.attributes(group) == {"weight_names": ["d"]}
    dataset = group.get("d")
    assert isinstance(dataset, _h5read.Dataset) and dataset.read().item() == 1.0
    assert len(group.links()) == 3


# ---- a zip directory that lies about the weights' size ----------------------------------------------------------
def _zip(members: dict[str, bytes], declared: dict[str, tuple[int, int, int]]) -> bytes:
    """A zip of ``members`` stored as they are, whose headers declare ``(method, compressed, size)`` for the
    members named in ``declared``."""
    data, directory = b"", b""
    for name, real in members.items():
        method, packed, size = declared.get(name, (0, len(real), len(real)))
        fields = (20, 0, method, 0, 0x21, zlib.crc32(real), packed, size, len(name), 0)
        directory += struct.pack("<4sH", b"PK\x01\x02", 20) + struct.pack("<HHHHHIIIHH", *fields)
        directory += struct.pack("<HHHII", 0, 0, 0, 0, len(data)) + name.encode()
        data += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", *fields) + name.encode() + real
    count = len(members)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, len(directory), len(data), 0)
    return data + directory + end


@pytest.mark.parametrize(
    "declared",
    [(0, 0xFFFFFFFF, 0xFFFFFFFF), (0, 1000, 0xFFFFFFFF), (8, 1000, 0xFFFFFFFF), (8, 1000, 1 << 28)],
    ids=["stored, both sizes", "stored, its size", "deflated past 1032:1", "deflated 256 MB in 1 KB"],
)
def test_a_zip_directory_inflating_the_weights_is_refused_before_the_model_is_built(
    tmp_path, monkeypatch, declared
):
    # The config describes 20000 x 20000 (400 million parameters, 1.6 GB): a 4 GB weights member could hold
    # it, the archive's 2 KB cannot.
    tree = json.loads(keras.Sequential([keras.Input(shape=(20000,)), layers.Dense(20000)]).to_json())
    members = {
        "metadata.json": b"{}",
        "config.json": json.dumps(tree).encode(),
        "model.weights.h5": b"\x89HDF\r\n\x1a\n" + b"\0" * 1000,
    }
    path = tmp_path / "liar.keras"
    path.write_bytes(_zip(members, {"model.weights.h5": declared}))
    built: list[Any] = []
    real_init = keras.Sequential._init_from_config
    monkeypatch.setattr(
        keras.Sequential,
        "_init_from_config",
        lambda self, *a, **k: built.append(1) or real_init(self, *a, **k),
    )
    for compile in (True, False):
        with pytest.raises(ValueError, match=r"liar\.keras.*model\.weights\.h5 declares .* cannot hold"):
            keras.models.load_model(path, compile=compile)
    assert built == []


def test_a_deflated_config_bomb_is_bounded_by_the_weights_as_stored(tmp_path):
    # 64 MB of zeros as the weights deflate to 64 KB; a 63 MB config of "[]," beside them deflates as well and
    # parses into over a gigabyte of lists (a 126 KB file took 1.5 GB and 9 s). The config may be no larger
    # than four times the weights' stored bytes (plus 1 MB).
    path = tmp_path / "bomb.keras"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.json", b"{}")
        with archive.open("config.json", "w", force_zip64=True) as member:
            member.write(b"[")
            for _ in range(80):
                member.write(b"[]," * (1 << 18))
            member.write(b"[]]")
        with archive.open("model.weights.h5", "w", force_zip64=True) as member:
            for _ in range(64):
                member.write(bytes(1 << 20))
    assert path.stat().st_size < 256 << 10
    peak = _refused(lambda: keras.models.load_model(path), r"bomb\.keras.*config\.json declares")
    assert peak < 16 << 20, f"{peak / 2**20:.0f} MiB allocated before refusing"


def test_deflated_zeros_cannot_stand_for_a_model_a_thousand_times_the_file(tmp_path):
    # 72 MB of zeros deflate to 72 KB and would hold the 16 million parameters of a Dense(4000) on 4000 inputs:
    # the model (64 MB, and its weights inflated after it) was built from a 72 KB file. Deflated weights count
    # for at most 16 times their stored bytes.
    tree = json.loads(keras.Sequential([keras.Input(shape=(4000,)), layers.Dense(4000)]).to_json())
    path = tmp_path / "zeros.keras"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.json", b"{}")
        archive.writestr("config.json", json.dumps(tree))
        with archive.open("model.weights.h5", "w", force_zip64=True) as member:
            for _ in range(72):
                member.write(bytes(1 << 20))
    assert path.stat().st_size < 128 << 10
    for compile in (True, False):
        with pytest.raises(ValueError, match=r"zeros\.keras.*16,000,000 parameters.*can hold"):
            keras.models.load_model(path, compile=compile)


def test_an_honest_deflated_keras_file_still_loads(tmp_path):
    # A deflated archive (Keras stores its members; zip tools may deflate them) keeps loading.
    pytest.importorskip("h5py")  # (to write the weights)
    model = trained_model()
    model.save(tmp_path / "good.keras")
    with zipfile.ZipFile(tmp_path / "good.keras") as zin:
        members = {n: zin.read(n) for n in zin.namelist()}
    with zipfile.ZipFile(tmp_path / "deflated.keras", "w", zipfile.ZIP_DEFLATED) as zout:
        for n, data in members.items():
            zout.writestr(n, data)
    loaded = keras.models.load_model(tmp_path / "deflated.keras")
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


class _Endless:
    """A stream of zeros without end (a pipe, a socket, ``/dev/zero``), counting what it served."""

    def __init__(self) -> None:
        self.served = 0

    def read(self, size: int = -1) -> bytes:
        assert 0 <= size, "the whole of an endless stream was asked for"
        assert self.served < 1 << 30, "the reader did not stop"
        chunk = bytes(min(size, 1 << 20))
        self.served += len(chunk)
        return chunk


def test_an_endless_stream_given_as_a_file_object_is_refused():
    # load_model(open("/dev/zero", "rb")) read until memory ran out (the path "/dev/zero" was refused at 1 GiB).
    model = trained_model()
    before = model_state(model)
    stream = _Endless()
    with pytest.raises(ValueError, match="_Endless.*more than"):
        model.load_weights(stream)
    assert stream.served < 256 << 20  # what this model's weights could need, not more
    assert_same(before, model_state(model))


# ---- pickles ------------------------------------------------------------------------------------------------
def test_a_pickled_state_without_weights_cannot_build_a_large_model():
    state = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3)]).__getstate__()
    state["config"]["config"]["layers"][0]["config"]["batch_shape"] = [None, 20000]
    state["config"]["config"]["layers"][1]["config"]["units"] = 20000  # 400 million parameters
    state["weights"], state["compile"], state["optimizer"] = None, {}, None
    blank = keras.Sequential.__new__(keras.Sequential)
    with pytest.raises(ValueError, match="unpickle.*parameters"):
        blank.__setstate__(state)
    live = trained_model()
    before = model_state(live)
    with pytest.raises(ValueError, match="unpickle.*parameters"):
        live.__setstate__(state)
    assert_same(before, model_state(live))
    # Models that are not built still round-trip (their state has no weights).
    for model in (keras.Sequential([layers.Dense(3)]), keras.Sequential([keras.Input(shape=(4,))])):
        assert pickle.loads(pickle.dumps(model)).built is False


def test_a_step_count_near_int64s_end_is_refused(tmp_path):
    # Keras keeps the step count in an int64: a file's count of 2**63 - 1 loaded, and the next fit left a model
    # whose save() raised OverflowError (and whose pickle would not load).
    model = trained_model()
    state = model.__getstate__()
    steps, slots = state["optimizer"]
    state["optimizer"] = (2**63 - 1, slots)
    before = model_state(model)
    with pytest.raises(ValueError, match="unpickle.*not a step count"):
        model.__setstate__(state)
    assert_same(before, model_state(model))
    state["optimizer"] = (steps + 5, slots)  # an ordinary count still loads
    model.__setstate__(state)
    assert int(model.optimizer.iterations) == steps + 5
    h5py = pytest.importorskip("h5py")  # (to write the weights file)
    model.save_weights(tmp_path / "steps.weights.h5")
    with h5py.File(tmp_path / "steps.weights.h5", "r+") as f:
        del f["optimizer/vars/0"]
        f["optimizer/vars/0"] = np.int64(2**63 - 1)
    before = model_state(model)
    with pytest.raises(ValueError, match=r"steps\.weights\.h5.*iterations.*not a step count"):
        model.load_weights(tmp_path / "steps.weights.h5")
    assert_same(before, model_state(model))
    model.fit(np.ones((8, 4)), np.ones((8, 2)), epochs=1, verbose=0)
    model.save(tmp_path / "after.keras")


def test_loading_skips_the_orthogonal_decomposition_its_weights_replace(tmp_path, monkeypatch):
    # A file may declare a 16,000-wide layer with an Orthogonal initializer: its QR decomposition (the cube of
    # the side: minutes) ran before the file's weights replaced its values. Loading now takes the seed alone.
    model = keras.Sequential([keras.Input(shape=(64,)), layers.Dense(64, kernel_initializer="orthogonal")])
    blob = pickle.dumps(model)
    qr_calls: list[Any] = []
    real_qr = np.linalg.qr
    monkeypatch.setattr(
        np.linalg, "qr", lambda a, *args, **kw: qr_calls.append(a.shape) or real_qr(a, *args, **kw)
    )
    copy = pickle.loads(blob)
    for a, b in zip(model.get_weights(), copy.get_weights()):
        np.testing.assert_array_equal(a, b)
    paths = []
    if _has_h5py():
        model.save(tmp_path / "orthogonal.keras")
        paths.append(tmp_path / "orthogonal.keras")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (the legacy format's warning)
            model.save(tmp_path / "orthogonal.h5")
        paths.append(tmp_path / "orthogonal.h5")
    for path in paths:
        loaded = keras.models.load_model(path)
        for a, b in zip(model.get_weights(), loaded.get_weights()):
            np.testing.assert_array_equal(a, b)
    assert qr_calls == []
    fresh = keras.models.clone_model(model)  # a model made from a config still draws its orthogonal kernel
    assert qr_calls == [(64, 64)]
    kernel = fresh.get_weights()[0]
    np.testing.assert_allclose(kernel.T @ kernel, np.eye(64), atol=1e-5)


def _has_h5py() -> bool:
    try:
        import h5py  # noqa: F401
    except ImportError:
        return False
    return True


def _relu_chain(count: int) -> dict[str, Any]:
    """A Functional model's config: an input and ``count`` ReLU layers, each called on the one before."""
    inputs = keras.Input(shape=(4,), name="in")
    config = keras.Model(inputs, layers.ReLU(name="r0")(inputs)).get_config()
    first = config["layers"][1]
    for i in range(1, count):
        layer = json.loads(json.dumps(first).replace('"r0"', f'"r{i}"'))
        layer["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = [f"r{i - 1}", 0, 0]
        config["layers"].append(layer)
    config["output_layers"] = [[f"r{count - 1}", 0, 0]]
    return config


def _nested_sequentials(count: int) -> dict[str, Any]:
    """A Sequential's config: an input and ``count`` nested Sequentials of one ReLU each."""
    start = {"class_name": "InputLayer", "config": {"batch_shape": [None, 4], "name": "in"}}
    nested = [
        {
            "class_name": "Sequential",
            "config": {"name": f"n{i}", "layers": [{"class_name": "ReLU", "config": {}}]},
        }
        for i in range(count)
    ]
    return {"name": "outer", "layers": [start, *nested]}


@pytest.mark.parametrize("kind", ["Functional", "nested Sequentials"])
def test_a_config_of_many_layers_loads_in_linear_time(kind):
    # A Functional model's check that every layer's name is unique counted each name in the whole list, and a
    # Sequential checked each nested model's layers against all the layers before them: 16,000 layers of a
    # file's config took 4 s and 20 s (64,000: a minute and five), against 0.6 s and 1 s now.
    import gc

    make, build = (
        (_relu_chain, keras.Model.from_config)
        if kind == "Functional"
        else (_nested_sequentials, keras.Sequential.from_config)
    )
    seconds = []
    for count in (2000, 8000):
        config = make(count)
        gc.disable()
        try:
            best = min(_timed(lambda: build(config)) for _ in range(2))  # noqa: B023
        finally:
            gc.enable()
        seconds.append(best)
    assert seconds[1] < 8 * seconds[0], seconds
    inputs = keras.Input(shape=(4,))
    with pytest.raises(ValueError, match='"twice" is used 2 times'):
        keras.Model(inputs, layers.ReLU(name="twice")(layers.ReLU(name="twice")(inputs)))
    shared = layers.Dense(4)
    with pytest.raises(ValueError, match="twice"):  # a layer in two nested models is still refused
        keras.Sequential([keras.Input(shape=(4,)), shared, keras.Sequential([shared], name="again")])


def _timed(call: Callable[[], Any]) -> float:
    import time

    start = time.perf_counter()
    call()
    return time.perf_counter() - start


# ---- JSON nested thousands deep -------------------------------------------------------------------------------
def test_json_nested_without_end_is_a_value_error():
    text = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)]).to_json()
    deep = text.replace('"name": "dense', '"label": ' + "[" * 100_000 + "]" * 100_000 + ', "name": "dense', 1)
    with pytest.raises(ValueError, match="json_string"):
        keras.models.model_from_json(deep)
    inputs = keras.Input(shape=(4,))
    config = keras.Model(inputs, layers.Dense(2)(inputs)).get_config()
    nested: list[Any] = []
    for _ in range(100_000):
        nested = [nested]
    config["layers"][1]["inbound_nodes"][0]["kwargs"] = {"mask": nested}
    with pytest.raises(ValueError, match="nests"):
        keras.Model.from_config(config)
    # A pickled state, and compile_from_config, likewise; the model given them is unchanged.
    model = keras.Model(inputs, layers.Dense(2)(inputs))
    before = model.get_config()
    state = model.__getstate__()
    state["config"]["config"] = config
    with pytest.raises(ValueError, match="unpickle.*RecursionError"):
        model.__setstate__(state)
    with pytest.raises(ValueError, match="nests"):
        model.compile_from_config({"optimizer": "adam", "loss": "mse", "metrics": nested})
    assert not model.compiled and model.get_config() == before


# ---- data sets ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("images", [2**32 - 1, 20_000_000])
def test_an_idx_header_claiming_billions_of_images_is_a_value_error(tmp_path, images):
    from keras_lite.datasets import _read

    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(struct.pack(">IIII", 0x803, images, 28, 28) + bytes(1000)))
    peak = _refused(lambda: _read.read_idx(str(path), (28, 28)), r"train-images-idx3-ubyte\.gz.*header")
    assert peak < 16 << 20, f"{peak / 2**20:.0f} MiB allocated before refusing"
    # A file that holds what its header says still reads.
    path.write_bytes(
        gzip.compress(struct.pack(">IIII", 0x803, 2, 28, 28) + bytes(range(256)) * 6 + bytes(32))
    )
    assert _read.read_idx(str(path), (28, 28)).shape == (2, 28, 28)


# ---- get_file archives ----------------------------------------------------------------------------------------
def test_a_tar_chain_of_long_names_and_links_cannot_write_outside_its_folder(tmp_path):
    # Sixteen directories of 247-character names, each with a one-letter link to it: the link "a/b/.../p/lll"
    # made through them points 16 levels up (back to the top), so "escape", made through it, points out of the
    # folder, and "escape/evil.txt" is written there. The paths are longer than PATH_MAX, where realpath stops
    # resolving, so a check by realpath sees them inside.
    outside = tmp_path / "outside"
    outside.mkdir()
    archive, long_dir, path = tmp_path / "poc.tar", "d" * 247, ""
    steps = "abcdefghijklmnop"
    with tarfile.open(archive, "w") as tar:
        for step in steps:
            folder = tarfile.TarInfo(os.path.join(path, long_dir))
            folder.type = tarfile.DIRTYPE
            tar.addfile(folder)
            link = tarfile.TarInfo(os.path.join(path, step))
            link.type, link.linkname = tarfile.SYMTYPE, long_dir
            tar.addfile(link)
            path = os.path.join(path, long_dir)
        up = tarfile.TarInfo(os.path.join(*steps, "l" * 254))
        up.type, up.linkname = tarfile.SYMTYPE, os.path.join(*[".."] * len(steps))
        tar.addfile(up)
        escape = tarfile.TarInfo("escape")  # from home/datasets/poc_extracted up to tmp_path/outside
        escape.type, escape.linkname = tarfile.SYMTYPE, up.name + "/../../../outside"
        tar.addfile(escape)
        evil = tarfile.TarInfo("escape/evil.txt")
        evil.size = 5
        tar.addfile(evil, io.BytesIO(b"pwned"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        folder = keras.utils.get_file(
            fname="poc.tar", origin=archive.as_uri(), extract=True, cache_dir=str(tmp_path / "home")
        )
    assert list(outside.iterdir()) == []
    assert not os.path.lexists(os.path.join(folder, "escape"))
    skipped = " ".join(str(w.message) for w in caught)
    assert "'escape'" in skipped and "'escape/evil.txt'" in skipped
    assert os.path.isdir(os.path.join(folder, long_dir))  # the rest is extracted


# ---- found on the way: a legacy file of many weights ----------------------------------------------------------
def test_a_legacy_file_whose_weight_names_exceed_one_attribute_saves_and_loads(tmp_path):
    # model.save("x.h5") raised OSError ("object header message is too large") once a list of weight names
    # passed 64 KB (here 4,202 optimizer variables): it is now split into numbered attributes of at most 64 KB,
    # as Keras splits it (Keras 3.15.1 reads such a file, optimizer state included).
    h5py = pytest.importorskip("h5py")
    stack = [layers.Dense(2) if i % 2 else layers.ReLU() for i in range(2100)]
    model = keras.Sequential([keras.Input(shape=(2,)), *stack])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((4, 2)), np.ones((4, 2)), epochs=1, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the legacy format's warning)
        model.save(tmp_path / "many.h5")
    with h5py.File(tmp_path / "many.h5", "r") as f:
        parts = sorted(f["optimizer_weights"].attrs)
        assert parts == [f"weight_names{i}" for i in range(len(parts))] and len(parts) > 1
    loaded = keras.models.load_model(tmp_path / "many.h5")
    assert int(loaded.optimizer.iterations) == 1
    assert_same(model_state(model), model_state(loaded))
