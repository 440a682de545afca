"""Hostile model files written by hand for a fuzzing campaign of the readers (docs/GUARANTEES.md, "Model files
and dependencies"): inputs a mutation fuzzer (``tests/fuzz_model_file.py``) is unlikely to reach, each built in
the test from a small model's own file, and each refused with a ``ValueError`` naming the file, quickly, within
a memory bound, leaving the model given it as it was (or, where Keras loads it, loaded as Keras would).

- a ``.keras`` zip whose directory lists hundreds of thousands of entries (a 57 MB file took a gigabyte and a
  minute to list before a member was looked at);
- ``.weights.h5`` variables with the right names and the wrong shape or type (float64 and integers load, cast
  as Keras assigns them; booleans, complex numbers, strings and object references are refused, an object
  reference no longer as a "truncated" datatype);
- damaged HDF5 structures: a huge shape over a few bytes, storage lengths and addresses past the file or
  overflowing, an object header continuing into itself, a cyclic group index, names without their NUL, an
  attribute declaring 2**62 strings;
- a ``.keras`` config naming functions of other modules (``os.system``, ``subprocess.Popen``, ``builtins.eval``)
  where Keras puts classes: nothing is imported or called; a ``metadata.json`` claiming another Keras version;
  JSON nested beyond Python's recursion limit.
"""

from __future__ import annotations

import io
import json
import os
import struct
import sys
import time
import tracemalloc
import warnings
import zipfile
import zlib
from typing import Any, Callable

import h5py
import numpy as np
import pytest

import keras_lite as keras
from file_state import assert_same, model_state, trained_model
from keras_lite import _h5read, layers


def _refused(load: Callable[[], Any], path: Any, match: str | None = None) -> str:
    """``load()`` raises a ValueError naming ``path`` (and matching ``match``) within a second and 16 MiB."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ValueError, match=match) as info:
            load()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 1.0
    assert peak < 16 << 20, f"{peak / 2**20:.0f} MiB allocated before refusing"
    message = str(info.value)
    assert str(path) in message, message
    return message


# ---- a zip directory of many entries ------------------------------------------------------------------------
def _many_entries(count: int, zip64: bool) -> bytes:
    """A zip of one tiny member whose directory lists it ``count`` times (with zip64 end records if asked)."""
    body, name = b"{}", b"config.json"
    fields = (20, 0, 0, 0, 0x21, zlib.crc32(body), len(body), len(body), len(name), 0)
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", *fields) + name + body
    entry = struct.pack("<4sH", b"PK\x01\x02", 20) + struct.pack("<HHHHHIIIHH", *fields)
    entry += struct.pack("<HHHII", 0, 0, 0, 0, 0) + name
    directory = entry * count
    size, at = len(directory), len(local)
    if not zip64:
        end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, size, at, 0)
        return local + directory + end
    record = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, size, at)
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, at + size, 1)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return local + directory + record + locator + end


@pytest.mark.parametrize("zip64", [False, True], ids=["32-bit end record", "zip64 end record"])
@pytest.mark.parametrize("how", ["load_model", "load_weights"])
def test_a_zip_directory_of_many_entries_is_refused_before_it_is_listed(tmp_path, zip64, how):
    # 25,000 entries (65,535 at most without zip64): 1.4 MB listed as 12 MB of Python objects before.
    path = tmp_path / "many.keras"
    path.write_bytes(_many_entries(25_000, zip64))
    model = trained_model()
    before = model_state(model)
    load = (
        (lambda: keras.models.load_model(path)) if how == "load_model" else (lambda: model.load_weights(path))
    )
    _refused(load, path, "directory declares 1425000 bytes")
    assert_same(before, model_state(model))


def _with_zip64_end(data: bytes) -> bytes:
    """An archive's end record replaced by zip64 end records giving the same directory, as zipfile writes
    for archives of over 65,535 members or 4 GiB."""
    end = data.rindex(b"PK\x05\x06")
    _, _, _, count, _, size, at, _ = struct.unpack("<4sHHHHIIH", data[end : end + 22])
    record = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, size, at)
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, end, 1)
    tail = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return data[:end] + record + locator + tail


def test_archives_with_a_few_entries_still_load_with_either_end_record(tmp_path):
    model = trained_model()
    model.save(tmp_path / "m.keras")
    x = np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4)
    data = (tmp_path / "m.keras").read_bytes()
    for name, content in [("plain", data), ("zip64", _with_zip64_end(data))]:
        path = tmp_path / f"{name}.keras"
        path.write_bytes(content)
        loaded = keras.models.load_model(path)
        np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
        fresh = trained_model()
        fresh.load_weights(path)
        np.testing.assert_array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))


# ---- weights with the right names and the wrong shape or type -------------------------------------------------
_KERNEL = "layers/dense/vars/0"


def _replace_kernel(path: Any, make: Callable[[Any], None]) -> None:
    with h5py.File(path, "r+") as f:
        del f[_KERNEL]
        make(f)


_REFUSED_KERNELS: dict[str, tuple[Callable[[Any], None], str]] = {
    "bool": (lambda f: f.create_dataset(_KERNEL, data=np.ones((4, 3), bool)), "an enum datatype"),
    "complex": (
        lambda f: f.create_dataset(_KERNEL, data=np.ones((4, 3), np.complex64)),
        "a compound datatype",
    ),
    "bytes": (lambda f: f.create_dataset(_KERNEL, data=np.full((4, 3), b"1.0")), "string datatype"),
    "str": (lambda f: f.create_dataset(_KERNEL, (4, 3), dtype=h5py.string_dtype()), "string datatype"),
    "object reference": (
        lambda f: f.create_dataset(_KERNEL, (4, 3), dtype=h5py.ref_dtype),
        "a reference datatype",
    ),
    "region reference": (
        lambda f: f.create_dataset(_KERNEL, (4, 3), dtype=h5py.regionref_dtype),
        "a reference datatype",
    ),
    "transposed": (lambda f: f.create_dataset(_KERNEL, data=np.ones((3, 4), np.float32)), r"\(3, 4\)"),
    "flat": (lambda f: f.create_dataset(_KERNEL, data=np.ones(12, np.float32)), r"\(12,\)"),
    "scalar": (lambda f: f.create_dataset(_KERNEL, data=np.float32(1)), r"\(\)"),
    "no rows": (lambda f: f.create_dataset(_KERNEL, data=np.ones((0, 3), np.float32)), r"\(0, 3\)"),
}


@pytest.mark.parametrize("case", list(_REFUSED_KERNELS))
def test_a_variable_of_the_wrong_type_or_shape_is_refused(tmp_path, case):
    make, match = _REFUSED_KERNELS[case]
    path = tmp_path / "w.weights.h5"
    model = trained_model()
    model.save_weights(path)
    _replace_kernel(path, make)
    before = model_state(model)
    message = _refused(lambda: model.load_weights(path), path, match)
    assert "not a valid HDF5 file" not in message  # (it is one)
    assert_same(before, model_state(model))


@pytest.mark.parametrize("dtype", ["float64", "float16", "int32", "uint8", "int64", ">f4"])
def test_a_variable_of_another_real_type_loads_cast_to_float32(tmp_path, dtype):
    # Keras assigns a variable whatever real array the file holds, cast to the variable's float32.
    path = tmp_path / "w.weights.h5"
    model = trained_model()
    model.save_weights(path)
    values = np.arange(12).reshape(4, 3).astype(dtype)
    _replace_kernel(path, lambda f: f.create_dataset(_KERNEL, data=values))
    model.load_weights(path)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], values.astype(np.float32))


def test_a_learning_rate_beyond_float32_is_refused_without_a_numpy_warning(tmp_path):
    path = tmp_path / "w.weights.h5"
    model = trained_model()
    model.save_weights(path)
    with h5py.File(path, "r+") as f:
        del f["optimizer/vars/1"]
        f["optimizer/vars/1"] = np.float64(1e300)
    before = model_state(model)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _refused(lambda: model.load_weights(path), path, "learning rate is 1e\\+300")
    assert_same(before, model_state(model))


# ---- damaged HDF5 structures ------------------------------------------------------------------------------------
def _put(data: bytearray, pos: int, value: int, size: int = 8) -> None:
    data[pos : pos + size] = value.to_bytes(size, "little")


def _kernel_messages(data: bytes) -> tuple[int, dict[int, _h5read.Message]]:
    """Where the kernel's object header is, and its dataspace (1), datatype (3) and layout (8) messages."""
    f = _h5read.File(data)
    group = f.root
    for name in ("layers", "dense", "vars"):
        group = group.get(name)
    address = group.links()["0"].address
    return address, {m.type: m for m in f.messages(address, "")}


def _huge_shape(data: bytearray) -> None:  # 2**40 x 3 values over 48 bytes of storage
    _put(data, _kernel_messages(data)[1][1].pos + 8, 1 << 40)


def _zero_by_huge(data: bytearray) -> None:  # (0, 2**64 - 1): no values, and no array NumPy could shape
    _, msgs = _kernel_messages(data)
    _put(data, msgs[1].pos + 8, 0)
    _put(data, msgs[1].pos + 16, 2**64 - 1)
    _put(data, msgs[8].pos + 10, 0)


def _length_overflowing(data: bytearray) -> None:
    _put(data, _kernel_messages(data)[1][8].pos + 10, 2**64 - 1)


def _address_past_the_end(data: bytearray) -> None:
    _put(data, _kernel_messages(data)[1][8].pos + 2, len(data) - 8)


def _address_wrapping(data: bytearray) -> None:  # address + length passes 2**64
    _put(data, _kernel_messages(data)[1][8].pos + 2, 2**64 - 16)


def _compact_past_its_message(data: bytearray) -> None:  # compact layout of 65,535 bytes in a 24-byte message
    pos = _kernel_messages(data)[1][8].pos
    data[pos + 1] = 0
    _put(data, pos + 2, 0xFFFF, 2)


def _chunked(data: bytearray) -> None:
    data[_kernel_messages(data)[1][8].pos + 1] = 2


def _header_continuing_into_itself(data: bytearray) -> None:
    address, msgs = _kernel_messages(data)
    space = msgs[1]
    _put(data, space.pos - 8, 0x10, 2)  # the dataspace message becomes a continuation to the header's start
    _put(data, space.pos, address + 16)
    _put(data, space.pos + 8, space.size)


def _header_continuing_past_the_end(data: bytearray) -> None:
    _, msgs = _kernel_messages(data)
    space = msgs[1]
    _put(data, space.pos - 8, 0x10, 2)
    _put(data, space.pos, len(data) - 16)
    _put(data, space.pos + 8, 2**63)


def _cyclic_group_index(data: bytearray) -> None:  # the root's B-tree node: level 1, its child itself
    f = _h5read.File(bytes(data))
    table = f.messages(f.root_address, "")[0]
    node = f._addr(table.pos)
    data[node + 5] = 1
    _put(data, node + 8 + 2 * f.O + f.L, node)


def _names_without_their_nul(data: bytearray) -> None:
    f = _h5read.File(bytes(data))
    heap = f._addr(f.messages(f.root_address, "")[0].pos + f.O)
    size, start = f._int(heap + 8, f.L), f._addr(heap + 8 + 2 * f.L)
    data[start : start + size] = data[start : start + size].replace(b"\0", b"x")


def _heap_past_the_end(data: bytearray) -> None:
    f = _h5read.File(bytes(data))
    heap = f._addr(f.messages(f.root_address, "")[0].pos + f.O)
    _put(data, heap + 8, 2**64 - 1)


_DAMAGE: dict[str, tuple[Callable[[bytearray], None], str]] = {
    "huge shape, tiny storage": (_huge_shape, "stores 48 bytes"),
    "zero by 2**64 - 1": (_zero_by_huge, "expects 2 weights"),
    "length 2**64 - 1": (_length_overflowing, "stores 18446744073709551615 bytes"),
    "address past the end": (_address_past_the_end, "outside the file"),
    "address + length wrapping": (_address_wrapping, "outside the file"),
    "compact past its message": (_compact_past_its_message, "run past their message"),
    "chunked": (_chunked, "chunked storage"),
    "continuation loop": (_header_continuing_into_itself, "continues into itself"),
    "continuation past the end": (_header_continuing_past_the_end, "outside the file"),
    "cyclic group B-tree": (_cyclic_group_index, "circular"),
    "names without NUL": (_names_without_their_nul, "terminating NUL"),
    "heap past the end": (_heap_past_the_end, "outside the file"),
}


@pytest.mark.parametrize("case", list(_DAMAGE))
@pytest.mark.parametrize("kind", ["weights.h5", "keras"])
def test_damaged_hdf5_structures_are_refused(tmp_path, case, kind):
    damage, match = _DAMAGE[case]
    model = trained_model()
    model.save_weights(tmp_path / "w.weights.h5")
    data = bytearray((tmp_path / "w.weights.h5").read_bytes())
    damage(data)
    path = tmp_path / f"damaged.{kind}"
    if kind == "keras":
        model.save(tmp_path / "m.keras")
        with zipfile.ZipFile(tmp_path / "m.keras") as src, zipfile.ZipFile(path, "w") as dst:
            for info in src.infolist():
                dst.writestr(
                    info.filename, bytes(data) if info.filename == "model.weights.h5" else src.read(info)
                )
        _refused(lambda: keras.models.load_model(path), path, match)
    before = model_state(model)
    path.write_bytes(bytes(data)) if kind == "weights.h5" else None
    _refused(lambda: model.load_weights(path), path, match)
    assert_same(before, model_state(model))


def test_a_legacy_attribute_declaring_2_62_names_is_refused(tmp_path):
    model = trained_model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras's notice that the format is legacy
        model.save(tmp_path / "m.h5")
    data = bytearray((tmp_path / "m.h5").read_bytes())
    # layer_names: a version 1 attribute message, its fixed-length string datatype, a one-dimensional dataspace.
    name = data.index(b"layer_names\0")
    head = name - 8
    _, _, name_size, type_size, _ = struct.unpack_from("<BBHHH", data, head)
    space = name + (name_size + 7) // 8 * 8 + (type_size + 7) // 8 * 8
    assert data[space : space + 2] == b"\x01\x01"  # version 1, rank 1
    _put(data, space + 8, 1 << 62)
    path = tmp_path / "damaged.h5"
    path.write_bytes(bytes(data))
    before = model_state(model)
    _refused(lambda: model.load_weights(path), path, "layer_names")
    _refused(lambda: keras.models.load_model(path), path, "layer_names")
    assert_same(before, model_state(model))


# ---- configs that name code from other modules -------------------------------------------------------------
# A module name that would show up in sys.modules if anything imported it.
_PROBE = "keras_lite_campaign_probe"


def _call(module: str, name: str, **config: Any) -> dict[str, Any]:
    return {"module": module, "class_name": name, "config": config, "registered_name": name}


def _edits(marker: str) -> dict[str, Callable[[dict[str, Any]], None]]:
    touch = ["touch", marker]

    def layer(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
        return lambda c: c["config"]["layers"][1]["config"].__setitem__(key, value)

    return {
        "model os.system": lambda c: c.update(module="os", class_name="system"),
        "model from a probe module": lambda c: c.update(module=_PROBE, class_name="Sequential"),
        "layer os.system": lambda c: c["config"]["layers"][1].update(module="os", class_name="system"),
        "layer registered builtins>eval": lambda c: c["config"]["layers"][1].update(
            registered_name="builtins>eval", class_name="eval"
        ),
        "activation os.system": layer("activation", _call("os", "system", command=f"touch {marker}")),
        "activation 'os.system'": layer("activation", "os.system"),
        "initializer builtins.eval": layer("kernel_initializer", _call("builtins", "eval", source="1")),
        "initializer from a probe module": layer("kernel_initializer", _call(_PROBE, "GlorotUniform")),
        "loss subprocess.Popen": lambda c: c["compile_config"].__setitem__(
            "loss", _call("subprocess", "Popen", args=touch)
        ),
        "optimizer os.system": lambda c: c["compile_config"].__setitem__(
            "optimizer", _call("os", "system", command=f"touch {marker}")
        ),
        "metric from a probe module": lambda c: c["compile_config"].__setitem__(
            "metrics", [_call(_PROBE, "Metric")]
        ),
    }


def _rewrite(src: Any, dst: Any, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(src) as zf:
        kept = {info.filename: zf.read(info) for info in zf.infolist()}
    with zipfile.ZipFile(dst, "w") as zf:
        for name, content in {**kept, **members}.items():
            zf.writestr(name, content)


@pytest.mark.parametrize("edit", list(_edits("")))
def test_nothing_a_config_names_is_imported_or_called(tmp_path, edit):
    marker = str(tmp_path / "ran")
    model = trained_model()
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        config = json.loads(zf.read("config.json"))
    _edits(marker)[edit](config)
    path = tmp_path / "edited.keras"
    _rewrite(tmp_path / "m.keras", path, {"config.json": json.dumps(config).encode()})
    try:
        loaded = keras.models.load_model(path)
    except ValueError as e:
        assert str(path) in str(e)
    else:  # (an initializer the file's weights replace is not looked at: the layer's default stands in)
        x = np.ones((2, 4), np.float32)
        np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert not os.path.exists(marker)
    assert _PROBE not in sys.modules


@pytest.mark.parametrize(
    "metadata",
    [{"keras_version": "99.0.0"}, {"keras_version": 3}, {}, [1, 2], "not json", b"\xff\xfe"],
    ids=["a future version", "a number", "no version", "a list", "not JSON", "not UTF-8"],
)
def test_metadata_claiming_another_keras_is_read_by_what_the_file_holds(tmp_path, metadata):
    model = trained_model()
    model.save(tmp_path / "m.keras")
    raw = metadata if isinstance(metadata, bytes) else json.dumps(metadata).encode()
    if metadata == "not json":
        raw = b"{keras_version: 3.15"
    path = tmp_path / "edited.keras"
    _rewrite(tmp_path / "m.keras", path, {"metadata.json": raw})
    loaded = keras.models.load_model(path)
    x = np.ones((2, 4), np.float32)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.optimizer.iterations.numpy() == model.optimizer.iterations.numpy()


@pytest.mark.parametrize("depth", [1_000, 200_000])
@pytest.mark.parametrize("where", ["whole config", "a layer's units"])
def test_json_nested_past_the_recursion_limit_is_refused(tmp_path, depth, where):
    model = trained_model()
    model.save(tmp_path / "m.keras")
    nested = "[" * depth + "]" * depth
    if where == "whole config":
        text = nested
    else:
        with zipfile.ZipFile(tmp_path / "m.keras") as zf:
            config = zf.read("config.json").decode()
        text = config.replace('"units": 3', f'"units": {nested}', 1)
        assert text != config
    path = tmp_path / "deep.keras"
    _rewrite(tmp_path / "m.keras", path, {"config.json": text.encode()})
    _refused(lambda: keras.models.load_model(path), path)


def test_the_hand_made_inputs_come_from_a_file_that_loads(tmp_path):
    # The damage above is what is refused: the same steps without it load.
    model = trained_model()
    model.save_weights(tmp_path / "w.weights.h5")
    data = (tmp_path / "w.weights.h5").read_bytes()
    _, msgs = _kernel_messages(data)
    assert set(msgs) >= {1, 3, 8}
    fresh = trained_model()
    fresh.load_weights(io.BytesIO(data))
    assert_same(model_state(model), model_state(fresh))


# ---- metrics: thresholds together, and many of one name -------------------------------------------------------
def _auc(i: int) -> dict[str, Any]:
    return {
        "module": "keras.metrics",
        "class_name": "AUC",
        "config": {"num_thresholds": 1 << 16, "name": f"a{i}"},
    }


@pytest.mark.parametrize("split", [(17, 0), (9, 8)], ids=["metrics", "metrics and weighted_metrics"])
def test_metrics_asking_for_millions_of_thresholds_together_are_refused(tmp_path, split):
    # 300 AUCs of 65,536 thresholds each (each within the bound for one metric) took 500 MB and 5 s to load from
    # a config of 43 KB; a file's metrics may ask for 2**20 thresholds together (16 such AUCs).
    model = trained_model()
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        config = json.loads(zf.read("config.json"))
    plain, weighted = split
    config["compile_config"]["metrics"] = [_auc(i) for i in range(plain)]
    config["compile_config"]["weighted_metrics"] = [_auc(i) for i in range(plain, plain + weighted)]
    path = tmp_path / "aucs.keras"
    _rewrite(tmp_path / "m.keras", path, {"config.json": json.dumps(config).encode()})
    with pytest.raises(ValueError, match="1114112 thresholds together.*at most 1048576") as info:
        keras.models.load_model(path)  # (having made the 16 metrics within the bound: no time bound here)
    assert str(path) in str(info.value)
    assert keras.models.load_model(path, compile=False).predict(np.ones((1, 4)), verbose=0).shape == (1, 2)
    config["compile_config"]["metrics"] = [_auc(i) for i in range(16)]
    config["compile_config"]["weighted_metrics"] = None
    _rewrite(tmp_path / "m.keras", path, {"config.json": json.dumps(config).encode()})
    logs = keras.models.load_model(path).evaluate(
        np.ones((4, 4)), np.ones((4, 2)), verbose=0, return_dict=True
    )
    assert sorted(logs) == sorted(["loss", *(f"a{i}" for i in range(16))])


def test_many_metrics_of_one_name_are_numbered_in_linear_time():
    # Each name was looked for in a list of all the names before it: 16,000 "mae" of a file's compile config
    # took 3.2 s (100,000: 100 s), against 0.6 s now.
    import gc

    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"] * 100)  # (warm)
    seconds = []
    for count in (2000, 16000):
        best = float("inf")
        for _ in range(2):
            gc.disable()
            try:
                start = time.perf_counter()
                model.compile(optimizer="sgd", loss="mse", metrics=["mae"] * count)
                best = min(best, time.perf_counter() - start)
            finally:
                gc.enable()
        seconds.append(best)
    assert seconds[1] < 16 * seconds[0], seconds  # 8 times the metrics (64 times the time before)
    logs = model.evaluate(np.ones((2, 4)), np.ones((2, 2)), verbose=0, return_dict=True)
    assert {"mae", "mae_1", "mae_15999"} <= set(logs) and "mae_16000" not in logs


# ---- an array's record in a config ----------------------------------------------------------------------------
def _record(dtype: Any, count: int = 4) -> dict[str, Any]:
    return {"class_name": "__numpy__", "config": {"value": [0.5] * count, "dtype": dtype}}


@pytest.mark.parametrize(
    "dtype",
    ["S100000000", "U20000000", "V100000000", "(100,100,100)f8", {"names": ["a"], "formats": ["f4"]}, 5],
)
@pytest.mark.parametrize("where", ["Rescaling scale", "Constant initializer"])
def test_an_array_record_s_dtype_cannot_ask_for_gigabytes(tmp_path, dtype, where):
    # The record's dtype went to NumPy as it was: four values of "S100000000" set aside 400 MB, and a string of
    # a few more digits as many gigabytes as it says.
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Rescaling(np.full(4, 0.5)), layers.Dense(2)])
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        config = json.loads(zf.read("config.json"))
    rescaling, dense = config["config"]["layers"][1:3]
    assert rescaling["config"]["scale"] == _record("float64")  # as Keras writes an array
    path = tmp_path / "record.keras"
    x = np.ones((2, 4), np.float32)
    for given in (dtype, "float64"):  # refused, then the same file with the dtype Keras writes
        if where == "Rescaling scale":
            rescaling["config"]["scale"] = _record(given)
        else:
            value = {"value": _record(given, 1)}
            dense["config"]["kernel_initializer"] = {
                "module": "keras.initializers",
                "class_name": "Constant",
                "config": value,
            }
        _rewrite(tmp_path / "m.keras", path, {"config.json": json.dumps(config).encode()})
        if given == dtype:
            _refused(lambda: keras.models.load_model(path), path, "an array's record names")
        else:
            loaded = keras.models.load_model(path)
            np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
