"""Model files from strangers: nothing read from outside the file, no hang, no bomb, no half-load, safe writes.

Each group of tests pins one promise of the model-file reader and writer (docs/GUARANTEES.md):

- bytes come only from the file being loaded (no external storage, virtual datasets, links, other drivers);
- a refused ``load_weights`` leaves the weights and the optimizer state exactly as they were;
- saving over a symlink writes its target, and an existing file keeps its permission bits;
- no file can make loading hang (libhdf5 loops forever on a corrupt local heap; keras_lite reads with its own
  bounded reader, ``keras_lite._h5read``), checked in subprocesses with a timeout;
- declared sizes are checked against the model before anything is read or allocated.
"""

from __future__ import annotations

import bz2
import io
import json
import os
import pickle
import stat
import struct
import subprocess
import sys
import textwrap
import tracemalloc
import warnings
import zipfile
import zlib
from typing import Any

import h5py
import numpy as np
import pytest

import keras_lite as keras
from keras_lite import _h5read, layers

SECRET = b"TOP-SECRET-PASSWORD-1234" * 4  # what a hostile file tries to read into the weights


def _model(seed: int = 0, optimizer: str = "adam") -> keras.Sequential:
    """Dense(4) -> Dense(1) on 4 inputs, compiled and trained one epoch (so it has optimizer state)."""
    rng = np.random.default_rng(seed)
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(4, activation="relu"), layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(rng.normal(size=(32, 4)), rng.normal(size=(32, 1)), batch_size=8, epochs=1, verbose=0)
    return model


def _state(model: keras.Sequential) -> tuple[list[np.ndarray], int, list[np.ndarray]]:
    iterations, rows = model._net.optimizer_state()
    return model.get_weights(), iterations, [v for _, _, v in rows]


def _assert_same_state(a, b) -> None:
    (wa, ia, sa), (wb, ib, sb) = a, b
    assert ia == ib
    for x, y in zip(wa + sa, wb + sb):
        np.testing.assert_array_equal(x, y)


# ---- bytes only from the file itself ---------------------------------------------------------------------------
def _hostile_weights(folder, how: str) -> str:
    """A .weights.h5 for ``_model()`` whose first kernel (or a whole group) would come from outside the file."""
    (folder / "secret.bin").write_bytes(SECRET)
    other = str(folder / "other.h5")
    with h5py.File(other, "w") as o:
        o["kernel"] = np.frombuffer(SECRET[:64], "f4").reshape(4, 4)
        o["layers/dense/vars/0"] = o["kernel"][()]
        o["layers/dense/vars/1"] = np.zeros(4, np.float32)
    path = str(folder / "hostile.weights.h5")
    _model().save_weights(path)
    with h5py.File(path, "r+") as f:
        store = f["layers/dense/vars"]
        if how == "external link to a group":
            del f["layers/dense"]
            f["layers/dense"] = h5py.ExternalLink(other, "/layers/dense")
            return path
        if how == "soft link to a group":
            f.move("layers/dense", "elsewhere")
            f["layers/dense"] = h5py.SoftLink("/elsewhere")
            return path
        target = f["optimizer/vars"] if how.startswith("optimizer") else store
        name = "2" if how.startswith("optimizer") else "0"
        shape = target[name].shape
        del target[name]
        if how.endswith("external storage"):
            target.create_dataset(
                name, shape=shape, dtype="f4", external=[(str(folder / "secret.bin"), 0, 64)]
            )
        elif how == "external link":
            target[name] = h5py.ExternalLink(other, "kernel")
        elif how == "soft link":
            f["elsewhere"] = np.frombuffer(SECRET[:64], "f4").reshape(4, 4)
            target[name] = h5py.SoftLink("/elsewhere")
        elif how == "virtual dataset":
            layout = h5py.VirtualLayout(shape=shape, dtype="f4")
            layout[...] = h5py.VirtualSource(other, "kernel", shape=(4, 4))
            target.create_virtual_dataset(name, layout)
    return path


HOSTILE = [
    "external storage",
    "external link",
    "soft link",
    "virtual dataset",
    "external link to a group",
    "soft link to a group",
    "optimizer slot in external storage",
]


@pytest.mark.parametrize("how", HOSTILE)
def test_weights_from_outside_the_file_are_refused(tmp_path, how):
    path = _hostile_weights(tmp_path, how)
    model = _model(seed=1)
    before = _state(model)
    with pytest.raises(ValueError, match=r"hostile\.weights\.h5.*(external|virtual|soft) ") as info:
        model.load_weights(path)
    assert "keras_lite does not read" in str(info.value)
    _assert_same_state(before, _state(model))
    assert all(SECRET[:16] not in w.tobytes() for w in model.get_weights())


@pytest.mark.parametrize("how", ["external storage", "virtual dataset", "external link"])
def test_keras_file_with_weights_from_outside_is_refused(tmp_path, how):
    weights = _hostile_weights(tmp_path, how)
    good = tmp_path / "good.keras"
    _model().save(good)
    bad = tmp_path / "hostile.keras"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for name in zin.namelist():
            data = open(weights, "rb").read() if name == "model.weights.h5" else zin.read(name)
            zout.writestr(name, data)
    with pytest.raises(ValueError, match=r"hostile\.keras.*(external|virtual)"):
        keras.models.load_model(bad)
    with pytest.raises(ValueError, match=r"hostile\.keras.*(external|virtual)"):
        _model(seed=2).load_weights(bad)


def test_other_drivers_and_user_blocks_are_refused(tmp_path):
    weights = tmp_path / "w.weights.h5"
    model = _model()
    model.save_weights(weights)
    # The split driver keeps the raw data in "<name>-r.h5": its metadata file must not load from it.
    with h5py.File(weights, "r") as src, h5py.File(str(tmp_path / "split"), "w", driver="split") as dst:
        src.copy("layers", dst)
    os.replace(tmp_path / "split-m.h5", tmp_path / "split.weights.h5")
    with pytest.raises(ValueError, match=r"split\.weights\.h5.*driver"):
        model.load_weights(tmp_path / "split.weights.h5")
    with (
        h5py.File(weights, "r") as src,
        h5py.File(tmp_path / "ub.weights.h5", "w", userblock_size=512) as dst,
    ):
        src.copy("layers", dst)
    with pytest.raises(ValueError, match=r"ub\.weights\.h5.*(user block|signature)"):
        model.load_weights(tmp_path / "ub.weights.h5")


def test_reading_needs_no_h5py(tmp_path):
    # Loading must not touch libhdf5 at all: run it where importing h5py fails.
    model = _model()
    model.save(tmp_path / "m.keras")
    model.save_weights(tmp_path / "m.weights.h5")
    want = model.predict(np.ones((2, 4), np.float32), verbose=0)
    np.save(tmp_path / "want.npy", want)
    code = f"""
        import sys
        sys.modules["h5py"] = None  # any import of h5py now raises ImportError
        import numpy as np, keras_lite as keras
        x = np.ones((2, 4), np.float32)
        want = np.load({str(tmp_path / "want.npy")!r})
        m = keras.models.load_model({str(tmp_path / "m.keras")!r})
        np.testing.assert_array_equal(m.predict(x, verbose=0), want)
        m.load_weights({str(tmp_path / "m.weights.h5")!r})
        np.testing.assert_array_equal(m.predict(x, verbose=0), want)
        assert "h5py" not in sys.modules or sys.modules["h5py"] is None
        print("ok")
    """
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-3000:]


# ---- a refused load changes nothing ----------------------------------------------------------------------------
def _edit_optimizer(path, name: str, value) -> None:
    with h5py.File(path, "r+") as f:
        store = f["optimizer/vars"]
        del store[name]
        store[name] = value


BAD_OPTIMIZER = {
    "nan iterations": ("0", np.float64("nan")),
    "negative iterations": ("0", np.int64(-3)),
    "iterations past int64": ("0", np.uint64(2**64 - 1)),
    "fractional iterations": ("0", np.float32(2.5)),
    "iterations not a scalar": ("0", np.arange(3, dtype=np.int64)),
    "slot of the wrong shape": ("2", np.zeros((3, 3), np.float32)),
    "slot of strings": ("2", np.array([b"abcd"] * 16).reshape(4, 4)),
    "learning rate not a scalar": ("1", np.zeros(4, np.float32)),
    "nan learning rate": ("1", np.float32("nan")),
}


@pytest.mark.parametrize("case", sorted(BAD_OPTIMIZER))
@pytest.mark.parametrize("kind", [".weights.h5", ".keras"])
def test_refused_load_weights_changes_nothing(tmp_path, case, kind):
    name, value = BAD_OPTIMIZER[case]
    weights = tmp_path / "bad.weights.h5"
    _model().save_weights(weights)
    _edit_optimizer(weights, name, value)
    path = weights
    if kind == ".keras":
        path = tmp_path / "bad.keras"
        _model().save(path)
        with zipfile.ZipFile(path, "a") as zf:  # a second model.weights.h5 member: zipfile reads the last one
            with pytest.warns(UserWarning, match="Duplicate name"):
                zf.writestr("model.weights.h5", weights.read_bytes())
    model = _model(seed=1)
    before = _state(model)
    with pytest.raises(ValueError, match=rf"bad{kind.replace('.', '[.]')}.*optimizer/vars/{name}"):
        model.load_weights(path)
    _assert_same_state(before, _state(model))


@pytest.mark.parametrize("steps", [np.int32(8), np.int64(8), np.uint16(8), np.float32(8.0), np.float64(8.0)])
def test_iterations_of_any_whole_number_type_load(tmp_path, steps):
    # Keras on JAX saves iterations as int32, on TensorFlow as int64.
    path = tmp_path / "w.weights.h5"
    _model().save_weights(path)
    _edit_optimizer(path, "0", steps)
    model = _model(seed=1)
    model.load_weights(path)
    assert model.optimizer.iterations == 8


def test_refused_load_model_names_the_optimizer_variable(tmp_path):
    weights = tmp_path / "w.weights.h5"
    _model().save_weights(weights)
    _edit_optimizer(weights, "1", np.zeros(4, np.float32))
    good = tmp_path / "good.keras"
    _model().save(good)
    bad = tmp_path / "bad.keras"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.namelist():
            zout.writestr(item, weights.read_bytes() if item == "model.weights.h5" else zin.read(item))
    with pytest.raises(ValueError, match=r"bad\.keras.*optimizer/vars/1 \(the learning rate\)"):
        keras.models.load_model(bad)
    assert keras.models.load_model(bad, compile=False).built


def test_refused_setstate_changes_nothing():
    model = _model()
    state = model.__getstate__()
    iterations, blob = state["optimizer"]
    target = _model(seed=1)
    before = _state(target)
    bad = dict(state, optimizer=(iterations, blob[:-4]))
    with pytest.raises(ValueError, match="optimizer"):
        target.__setstate__(bad)
    _assert_same_state(before, _state(target))
    assert [type(layer) for layer in target.layers] == [layers.Dense, layers.Dense]
    with pytest.raises(ValueError, match="iterations"):
        target.__setstate__(dict(state, optimizer=(-1, blob)))
    _assert_same_state(before, _state(target))
    target.__setstate__(state)  # a good state still loads into it
    _assert_same_state(_state(model), _state(target))
    assert pickle.loads(pickle.dumps(target)).predict(np.ones((1, 4)), verbose=0).shape == (1, 1)


# ---- writes keep symlinks and permission bits ------------------------------------------------------------------
WRITERS = {
    "save": ("m.keras", lambda model, path: model.save(path)),
    "save_weights": ("m.weights.h5", lambda model, path: model.save_weights(path)),
    "save_model": ("m.keras", lambda model, path: keras.saving.save_model(model, path)),
}


def _loads(path) -> None:
    if str(path).endswith(".keras"):
        keras.models.load_model(path)
    else:
        _model().load_weights(path)


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_saving_over_a_symlink_writes_its_target(tmp_path, writer):
    name, write = WRITERS[writer]
    real = tmp_path / "real"
    real.mkdir()
    target = real / name
    target.write_bytes(b"old")
    os.chmod(target, 0o600)
    link = tmp_path / name
    os.symlink(os.path.join("real", name), link)  # relative, as `ln -s` makes them
    chain = tmp_path / f"chain.{name}"
    os.symlink(link.name, chain)  # a link to the link
    write(_model(), chain)
    assert os.path.islink(chain) and os.readlink(chain) == link.name
    assert os.path.islink(link) and os.readlink(link) == os.path.join("real", name)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    _loads(target)
    assert sorted(os.listdir(real)) == [name] and sorted(os.listdir(tmp_path)) == sorted(
        ["real", name, chain.name]
    )


@pytest.mark.parametrize("writer", sorted(WRITERS))
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_saving_over_a_file_keeps_its_permission_bits(tmp_path, monkeypatch, writer, mode):
    name, write = WRITERS[writer]
    path = tmp_path / name
    path.write_bytes(b"old")
    os.chmod(path, mode)
    before_chmod = []  # the temporary file's mode while it is being written: private
    real_chmod = os.chmod

    def spy(target, *args, **kwargs):
        before_chmod.append(stat.S_IMODE(os.stat(target).st_mode))
        return real_chmod(target, *args, **kwargs)

    monkeypatch.setattr(os, "chmod", spy)
    write(_model(), path)
    monkeypatch.undo()
    assert before_chmod == [0o600]
    assert stat.S_IMODE(os.stat(path).st_mode) == mode
    _loads(path)


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_new_files_and_dangling_links_get_the_umask_default(tmp_path, writer):
    name, write = WRITERS[writer]
    old = os.umask(0o027)
    try:
        with open(tmp_path / "probe", "w"):
            pass
        expected = stat.S_IMODE(os.stat(tmp_path / "probe").st_mode)
        write(_model(), tmp_path / name)
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == expected == 0o640
        link = tmp_path / f"link.{name}"
        os.symlink(f"made.{name}", link)  # dangling: the write creates its target, as open() would
        write(_model(), link)
        assert os.path.islink(link) and stat.S_IMODE(os.stat(tmp_path / f"made.{name}").st_mode) == 0o640
    finally:
        os.umask(old)
    _loads(tmp_path / f"made.{name}")


def test_saving_through_a_symlink_loop_is_an_oserror(tmp_path):
    os.symlink("b.keras", tmp_path / "a.keras")
    os.symlink("a.keras", tmp_path / "b.keras")
    with pytest.raises(OSError):
        _model().save(tmp_path / "a.keras")
    assert sorted(os.listdir(tmp_path)) == ["a.keras", "b.keras"]


def test_saving_over_a_hard_link_writes_the_shared_file(tmp_path):
    # As open(path, "wb") does: every name of the file sees the new model (a rename would split them).
    path = tmp_path / "m.keras"
    _model().save(path)
    os.link(path, tmp_path / "other-name.keras")
    inode = os.stat(path).st_ino
    model = _model(seed=3)
    model.save(path)
    assert os.stat(path).st_ino == inode == os.stat(tmp_path / "other-name.keras").st_ino
    x = np.ones((2, 4), np.float32)
    got = keras.models.load_model(tmp_path / "other-name.keras").predict(x, verbose=0)
    np.testing.assert_array_equal(got, model.predict(x, verbose=0))
    assert sorted(os.listdir(tmp_path)) == ["m.keras", "other-name.keras"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_saving_through_a_link_to_a_pipe_writes_into_it(tmp_path):
    # A rename would replace the pipe (or, as root, a device such as /dev/null) with a regular file.
    import threading

    os.mkfifo(tmp_path / "pipe")
    os.symlink("pipe", tmp_path / "m.keras")
    received = []
    reader = threading.Thread(target=lambda: received.append((tmp_path / "pipe").read_bytes()))
    reader.start()
    _model().save(tmp_path / "m.keras")
    reader.join(timeout=30)
    assert stat.S_ISFIFO(os.stat(tmp_path / "pipe").st_mode) and os.path.islink(tmp_path / "m.keras")
    with zipfile.ZipFile(io.BytesIO(received[0])) as zf:
        assert "config.json" in zf.namelist()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root may give files away")
def test_saving_over_another_users_file_keeps_its_owner(tmp_path):
    path = tmp_path / "m.weights.h5"
    path.write_bytes(b"old")
    os.chown(path, 12345, 23456)
    os.chmod(path, 0o2640)
    _model().save_weights(path)
    info = os.stat(path)
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (12345, 23456, 0o2640)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write any folder")
def test_saving_a_writable_file_in_a_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "m.keras").write_bytes(b"old")
    os.chmod(folder, 0o555)
    try:
        _model().save(folder / "m.keras")  # open(path, "wb") could: so can save, writing in place
        keras.models.load_model(folder / "m.keras")
        with pytest.raises(PermissionError):
            _model().save(folder / "new.keras")
    finally:
        os.chmod(folder, 0o755)


# ---- no hang -----------------------------------------------------------------------------------------------------
def _heap_free_list_cycles(data: bytes) -> list[bytes]:
    """One copy of ``data`` per local heap, that heap's first free block pointing at itself.

    Found by flipping single bytes of a saved ``.weights.h5`` (every value of every byte of each heap): h5py
    3.16 / libhdf5 2.0.0 then loops forever inside H5Fopen's heap load, holding the GIL.
    """
    out = []
    start = data.find(b"HEAP")
    while start >= 0:
        size, head, seg = struct.unpack_from("<QQQ", data, start + 8)
        if head != 1 and head + 16 <= size:  # 1 is the end of the free list
            bad = bytearray(data)
            struct.pack_into("<Q", bad, seg + head, head)
            out.append(bytes(bad))
        start = data.find(b"HEAP", start + 4)
    return out


def _run_child(code: str, timeout: float) -> str:
    try:
        run = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"loading did not finish within {timeout} s: it hangs")
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout


def test_corrupt_heap_free_list_does_not_hang(tmp_path):
    model = _model()
    model.save_weights(tmp_path / "w.weights.h5")
    files = _heap_free_list_cycles((tmp_path / "w.weights.h5").read_bytes())
    assert len(files) >= 5
    for i, data in enumerate(files):
        (tmp_path / f"bad{i}.weights.h5").write_bytes(data)
    code = f"""
        import glob, numpy as np, keras_lite as keras
        from keras_lite import layers
        m = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(4, activation="relu"), layers.Dense(1)])
        m.compile(optimizer="adam", loss="mse")
        for path in sorted(glob.glob({str(tmp_path / "bad*.weights.h5")!r})):
            try:
                m.load_weights(path)
                print("loaded")
            except ValueError as e:
                assert path in str(e), e
                print("refused")
    """
    out = _run_child(code, timeout=60).split()
    assert len(out) == len(files) and set(out) <= {"loaded", "refused"}


def test_single_byte_corruptions_end_quickly(tmp_path):
    # Every byte of each local heap (where the hang above was found) set to a few values, and 2,000 random
    # single-byte changes elsewhere: each load ends, loaded or refused with a ValueError.
    model = _model()
    model.save_weights(tmp_path / "w.weights.h5")
    code = f"""
        import io, warnings, numpy as np, keras_lite as keras
        from keras_lite import layers
        warnings.simplefilter("ignore")
        m = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(4, activation="relu"), layers.Dense(1)])
        m.compile(optimizer="adam", loss="mse")
        data = open({str(tmp_path / "w.weights.h5")!r}, "rb").read()
        rng = np.random.default_rng(0)
        changes = []
        start = data.find(b"HEAP")
        while start >= 0:
            segment = int.from_bytes(data[start + 24:start + 32], "little")
            for offset in [*range(start, start + 32), *range(segment, segment + 48)]:
                changes += [(offset, v) for v in {{0, 0xFF, data[offset] ^ 1, 24}} - {{data[offset]}}]
            start = data.find(b"HEAP", start + 4)
        changes += [(int(o), int(v)) for o, v in zip(rng.integers(len(data), size=2000), rng.integers(256, size=2000))]
        outcomes = {{"loaded": 0, "refused": 0}}
        for offset, value in changes:
            bad = bytearray(data)
            bad[offset] = value
            try:
                m.load_weights(io.BytesIO(bytes(bad)))
                outcomes["loaded"] += 1
            except ValueError:
                outcomes["refused"] += 1
        print(outcomes)
    """
    out = _run_child(code, timeout=120)
    assert "'refused': " in out and "'refused': 0," not in out, out


def test_many_links_to_one_large_object_end_quickly(tmp_path):
    # 5,000 names for one dataset whose header holds 3,000 attributes: each header is parsed once.
    path = tmp_path / "links.weights.h5"
    with h5py.File(path, "w") as f:
        store = f.create_group("layers/dense/vars")
        first = store.create_dataset("0", data=np.zeros((4, 4), np.float32))
        for i in range(3000):
            first.attrs[f"a{i}"] = np.int64(i)
        for i in range(1, 5000):
            store[str(i)] = first
    code = f"""
        import time, keras_lite as keras
        from keras_lite import layers
        m = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(4), layers.Dense(1)])
        start = time.perf_counter()
        try:
            m.load_weights({str(path)!r})
        except ValueError as e:
            assert "expects 2 weights" in str(e) and len(str(e)) < 1000, e
        print(time.perf_counter() - start)
    """
    assert float(_run_child(code, timeout=60)) < 5.0


# ---- sizes are checked before anything is read or allocated ------------------------------------------------------
def _refused_with_peak(fn) -> tuple[str, int]:
    """The message of the ValueError that ``fn()`` raises, and the most memory Python had allocated meanwhile."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            fn()
        return str(info.value), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("gigabytes", [1, 8])
def test_fill_value_bomb_is_refused_before_allocating(tmp_path, gigabytes):
    path = tmp_path / "bomb.weights.h5"
    _model().save_weights(path)
    with h5py.File(path, "r+") as f:
        del f["layers/dense/vars/0"]
        f["layers/dense/vars"].create_dataset("0", shape=(gigabytes << 28, 1), dtype="f4")  # never written
    assert path.stat().st_size < 64 << 10
    model = _model(seed=1)
    before = _state(model)
    message, peak = _refused_with_peak(lambda: model.load_weights(path))
    assert "bomb.weights.h5" in message
    assert peak < 16 << 20, f"{peak / 2**20:.0f} MiB allocated before refusing"
    _assert_same_state(before, _state(model))


def test_deflated_keras_member_bomb_is_refused_before_inflating(tmp_path):
    model = _model()
    model.save(tmp_path / "good.keras")
    padded = io.BytesIO()
    with h5py.File(padded, "w") as f, zipfile.ZipFile(tmp_path / "good.keras") as zin:
        with h5py.File(io.BytesIO(zin.read("model.weights.h5")), "r") as src:
            for name in src:
                src.copy(name, f)
        f["padding"] = np.zeros(64 << 20, np.uint8)  # 64 MiB of zeros: deflates about 1000:1
    with zipfile.ZipFile(tmp_path / "good.keras") as zin:
        with zipfile.ZipFile(tmp_path / "bomb.keras", "w", zipfile.ZIP_DEFLATED) as zout:
            for name in zin.namelist():
                zout.writestr(name, padded.getvalue() if name == "model.weights.h5" else zin.read(name))
    assert (tmp_path / "bomb.keras").stat().st_size < 1 << 20
    del padded
    message, peak = _refused_with_peak(lambda: keras.models.load_model(tmp_path / "bomb.keras"))
    assert "bomb.keras" in message
    assert peak < 16 << 20, f"{peak / 2**20:.0f} MiB allocated before refusing"
    message, peak = _refused_with_peak(lambda: model.load_weights(tmp_path / "bomb.keras"))
    assert "bomb.keras" in message
    assert peak < 16 << 20, f"{peak / 2**20:.0f} MiB allocated before refusing"


def _lying_zip(path, members: dict[str, bytes], bomb: str, method: int) -> None:
    """A zip of ``members`` whose ``bomb`` member's data is 64 MiB of zeros compressed with ``method``
    (8 deflate, 12 bzip2), while its headers declare the real member's size and CRC."""
    packed = zlib.compressobj(9, zlib.DEFLATED, -15) if method == 8 else bz2.BZ2Compressor(9)
    zeros = packed.compress(b"\0" * (64 << 20)) + packed.flush()
    data, directory = b"", b""
    for name, real in members.items():
        body, how = (zeros, method) if name == bomb else (real, 0)
        fields = (20, 0, how, 0, 0x21, zlib.crc32(real), len(body), len(real), len(name), 0)
        directory += struct.pack("<4sH", b"PK\x01\x02", 20) + struct.pack("<HHHHHIIIHH", *fields)
        directory += struct.pack("<HHHII", 0, 0, 0, 0, len(data)) + name.encode()
        data += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", *fields) + name.encode() + body
    end = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), len(data), 0
    )
    path.write_bytes(data + directory + end)


@pytest.mark.parametrize("method", [8, 12], ids=["deflate", "bzip2"])
@pytest.mark.parametrize("bomb", ["model.weights.h5", "metadata.json", "config.json"])
def test_member_inflating_past_its_declared_size_costs_no_more_than_that(tmp_path, bomb, method):
    model = _model()
    model.save(tmp_path / "good.keras")
    with zipfile.ZipFile(tmp_path / "good.keras") as zin:
        members = {name: zin.read(name) for name in zin.namelist()}
    _lying_zip(tmp_path / "bomb.keras", members, bomb, method)
    assert (tmp_path / "bomb.keras").stat().st_size < 1 << 20
    loaders = [lambda: keras.models.load_model(tmp_path / "bomb.keras")]
    if bomb == "model.weights.h5":
        loaders.append(lambda: model.load_weights(tmp_path / "bomb.keras"))
    for load in loaders:
        tracemalloc.start()
        try:
            try:  # metadata.json is read only for what it says of tf.keras 2: a bad one may be passed over
                load()
            except ValueError as e:
                assert "bomb.keras" in str(e)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 16 << 20, f"{peak / 2**20:.0f} MiB allocated inflating {bomb}"


def test_config_bomb_is_refused_before_parsing(tmp_path):
    # 64 MB of "[]," deflates to a few dozen KB and would parse into 21 million lists (over 1 GB).
    model = _model()
    model.save(tmp_path / "good.keras")
    with zipfile.ZipFile(tmp_path / "good.keras") as zin:
        with zipfile.ZipFile(tmp_path / "bomb.keras", "w", zipfile.ZIP_DEFLATED) as zout:
            for name in zin.namelist():
                data = b"[" + b"[]," * (21 << 20) + b"[]]" if name == "config.json" else zin.read(name)
                zout.writestr(name, data)
    assert (tmp_path / "bomb.keras").stat().st_size < 1 << 20
    message, peak = _refused_with_peak(lambda: keras.models.load_model(tmp_path / "bomb.keras"))
    assert "bomb.keras" in message and "config.json" in message
    assert peak < 16 << 20, f"{peak / 2**20:.0f} MiB allocated before refusing"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_endless_weights_file_is_refused(tmp_path):
    os.symlink("/dev/zero", tmp_path / "zero.weights.h5")
    message, peak = _refused_with_peak(lambda: _model().load_weights(tmp_path / "zero.weights.h5"))
    assert "zero.weights.h5" in message
    assert peak < 16 << 20, f"{peak / 2**20:.0f} MiB allocated before refusing"


@pytest.mark.parametrize(
    "edit",
    [
        {"units": 2**40},
        {"units": 2**62},
        {"input": 2**40},
        {"input": 2**40, "units": 1},
    ],
    ids=["units 2**40", "units 2**62", "input width 2**40", "input width 2**40, one unit"],
)
def test_config_declaring_a_huge_model_is_refused_naming_the_file(tmp_path, edit):
    import json

    _model().save(tmp_path / "good.keras")
    with zipfile.ZipFile(tmp_path / "good.keras") as zin:
        tree = json.loads(zin.read("config.json"))
        members = {name: zin.read(name) for name in zin.namelist()}
    if "units" in edit:
        tree["config"]["layers"][1]["config"]["units"] = edit["units"]
    if "input" in edit:
        tree["config"]["layers"][0]["config"]["batch_shape"] = [None, edit["input"]]
    members["config.json"] = json.dumps(tree).encode()
    with zipfile.ZipFile(tmp_path / "huge.keras", "w") as zout:
        for name, data in members.items():
            zout.writestr(name, data)
    for compile in (True, False):
        with pytest.raises(ValueError, match=r"huge\.keras.*(parameters|units)"):
            keras.models.load_model(tmp_path / "huge.keras", compile=compile)


def _with_config(tmp_path, name: str, edit) -> Any:
    """A copy of a small model's file whose config.json ``edit(tree)`` changed."""
    _model().save(tmp_path / "good.keras")
    with zipfile.ZipFile(tmp_path / "good.keras") as zin:
        tree = json.loads(zin.read("config.json"))
        members = {n: zin.read(n) for n in zin.namelist()}
    edit(tree)
    members["config.json"] = json.dumps(tree).encode()
    with zipfile.ZipFile(tmp_path / name, "w") as zout:
        for n, data in members.items():
            zout.writestr(n, data)
    return tmp_path / name


def _nested(width: int, units: int, name: str, built: bool = True) -> dict[str, Any]:
    """A nested Sequential's config: a Dense of ``units``, after an InputLayer of ``width`` when it is ``built``
    as it is read (else it is built where it is used)."""
    dense = {"class_name": "Dense", "config": {"units": units, "name": f"{name}_dense"}}
    start = {"class_name": "InputLayer", "config": {"batch_shape": [None, width], "name": f"{name}_in"}}
    return {
        "module": "keras",
        "class_name": "Sequential",
        "config": {"name": name, "layers": [start, dense] if built else [dense]},
    }


def _called_on(item: dict[str, Any], name: str, width: int) -> dict[str, Any]:
    """``item`` as a Functional model's config lists a layer called on the tensor of layer ``name``."""
    tensor = {
        "class_name": "__keras_tensor__",
        "config": {"shape": [None, width], "keras_history": [name, 0, 0]},
    }
    return {**item, "name": item["config"]["name"], "inbound_nodes": [{"args": [tensor], "kwargs": {}}]}


@pytest.mark.parametrize(
    ("copies", "outer"),
    [(1, "Sequential"), (40, "Sequential"), (40, "Functional"), (40, "Functional of unbuilt models")],
)
def test_nested_models_larger_than_the_weights_are_refused_before_allocating(tmp_path, copies, outer):
    # One nested model of 10**10 parameters, or 40 of 2,000,000 each (320 MB together; each alone within what
    # a 10 MB weights file could hold, not together): refused before the core allocates, whatever the nesting.
    # The core's allocations are not Python's, so a child process reports its peak resident memory.
    width, units = (100_000, 100_000) if copies == 1 else (2_000, 1_000)

    def edit(tree: dict[str, Any]) -> None:
        built = outer != "Functional of unbuilt models"  # (those are built as the graph calls them)
        inner = [_nested(width, units, f"inner_{i}", built) for i in range(copies)]
        if outer == "Sequential":
            tree["config"]["layers"] = [*inner, *tree["config"]["layers"][1:]]
            return
        x = {"class_name": "InputLayer", "name": "x", "config": {"batch_shape": [None, width], "name": "x"}}
        tree.update(class_name="Functional", module="keras.src.models.functional")
        tree["config"] = {
            "name": "graph",
            "layers": [{**x, "inbound_nodes": []}, *(_called_on(m, "x", width) for m in inner)],
            "input_layers": ["x", 0, 0],
            "output_layers": [f"inner_{copies - 1}", 0, 0],
        }

    path = _with_config(tmp_path, "nested.keras", edit)
    with h5py.File(tmp_path / "pad.h5", "w") as f:  # weights of 2,500,000 floats: room for one copy, not 40
        f["pad"] = np.zeros(2_500_000, np.float32)
    with zipfile.ZipFile(path) as zin:
        members = {n: zin.read(n) for n in zin.namelist()}
    members["model.weights.h5"] = (tmp_path / "pad.h5").read_bytes()
    with zipfile.ZipFile(path, "w") as zout:
        for n, data in members.items():
            zout.writestr(n, data)
    code = f"""
        import resource
        import keras_lite as keras
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            keras.models.load_model({str(path)!r})
        except ValueError as e:
            print(str(e))
        print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
    """
    *message, grown = _run_child(code, timeout=120).strip().splitlines()
    assert "nested.keras" in message[0] and "parameters" in message[0], message
    assert int(grown) < 100, f"{grown} MiB more resident memory before refusing"


def test_models_nested_without_end_are_refused(tmp_path):
    def edit(tree: dict[str, Any]) -> None:
        inner: dict[str, Any] = {"class_name": "Dense", "config": {"units": 1, "name": "deepest"}}
        for i in range(200):
            inner = {"class_name": "Sequential", "config": {"name": f"level_{i}", "layers": [inner]}}
        tree["config"]["layers"] = [tree["config"]["layers"][0], inner]

    with pytest.raises(ValueError, match=r"deep\.keras.*nests models more than 32 deep"):
        keras.models.load_model(_with_config(tmp_path, "deep.keras", edit))


def test_reader_reads_what_keras_and_h5py_write():
    # Every dataset of every Keras-written fixture, value for value against h5py; then h5py's other layouts.
    import glob

    fixtures = os.path.join(os.path.dirname(__file__), "fixtures")
    blobs = [zipfile.ZipFile(p).read("model.weights.h5") for p in sorted(glob.glob(f"{fixtures}/*.keras"))]
    for libver, track_order in (("earliest", False), ("earliest", True), ("latest", False)):
        buf = io.BytesIO()
        with h5py.File(buf, "w", libver=libver, track_order=track_order) as f:
            store = f.create_group("layers/dense/vars")
            store["0"] = np.arange(12, dtype="<f4").reshape(3, 4)
            store["1"] = np.arange(4, dtype=">f8")
            store["2"] = np.int32(7)
            store["3"] = np.arange(3, dtype=">u2")
            store["4"] = np.arange(5, dtype="f2")
        blobs.append(buf.getvalue())
    count = 0
    for blob in blobs:
        count += _same_as_h5py(_h5read.File(blob).root, h5py.File(io.BytesIO(blob), "r"), "")
    assert count > 150


def _same_as_h5py(group, theirs, path: str) -> int:
    """How many datasets under ``group`` (our reader) equal h5py's, asserting that every one does."""
    assert sorted(group.links()) == sorted(theirs[path or "/"])
    count = 0
    for name in group.links():
        item = group.get(name)
        if isinstance(item, _h5read.Group):
            count += _same_as_h5py(item, theirs, f"{path}/{name}")
        else:
            want = theirs[f"{path}/{name}"][()]
            got = item.read()
            assert got.dtype == want.dtype and got.shape == want.shape
            np.testing.assert_array_equal(got, want)
            count += 1
    return count


@pytest.mark.parametrize("kind", ["keras", "h5"])
@pytest.mark.parametrize("metric", ["AUC", "PrecisionAtRecall"])
def test_a_metric_asking_for_millions_of_thresholds_is_refused_before_building(tmp_path, kind, metric):
    # A few bytes of config would make the load build 10**8 thresholds (gigabytes, tens of seconds).
    model = _model()
    path = tmp_path / f"m.{kind}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the legacy format's warning
        model.save(path)
    entry = {
        "module": "keras.metrics",
        "class_name": metric,
        "config": {"num_thresholds": 10**8, "name": "m"},
    }
    if metric == "PrecisionAtRecall":
        entry["config"]["recall"] = 0.5
    if kind == "keras":
        with zipfile.ZipFile(path) as zin:
            members = {name: zin.read(name) for name in zin.namelist()}
        config = json.loads(members["config.json"])
        config["compile_config"]["metrics"] = [entry]
        members["config.json"] = json.dumps(config).encode()
        with zipfile.ZipFile(path, "w") as zout:
            for name, data in members.items():
                zout.writestr(name, data)
    else:
        with h5py.File(path, "r+") as f:
            training = json.loads(f.attrs["training_config"])
            training["metrics"] = [entry]
            f.attrs["training_config"] = json.dumps(training).encode()
    message, peak = _refused_with_peak(lambda: keras.models.load_model(path))
    assert "num_thresholds" in message and "65536" in message and str(path.name) in message
    assert peak < 16 << 20, f"{peak / 2**20:.0f} MiB allocated before refusing"
    assert keras.models.load_model(path, compile=False).predict(np.ones((1, 4), np.float32), verbose=0).shape


@pytest.mark.parametrize("edit", ["class_list", "history_list", "argument_string"])
def test_malformed_configs_are_refused_naming_what_is_wrong(tmp_path, edit):
    inp = keras.Input((3,), name="a")
    model = keras.Model(inp, layers.Dense(2, name="d")(inp))
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zin:
        members = {name: zin.read(name) for name in zin.namelist()}
    config = json.loads(members["config.json"])
    dense = config["config"]["layers"][1]
    if edit == "class_list":
        dense["class_name"] = ["Dense"]
    elif edit == "history_list":
        dense["inbound_nodes"][0]["args"][0]["config"]["keras_history"] = [["a"], 0, 0]
    else:
        dense["inbound_nodes"][0]["args"] = ["a"]
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(tmp_path / "bad.keras", "w") as zout:
        for name, data in members.items():
            zout.writestr(name, data)
    with pytest.raises(ValueError) as info:
        keras.models.load_model(tmp_path / "bad.keras")
    message = str(info.value)
    assert "bad.keras" in message and "TypeError" not in message and "AttributeError" not in message, message


def test_a_damaged_pickle_state_is_refused_naming_unpickling():
    model = _model()
    state = model.__getstate__()
    before = _state(model)
    for bad in (dict(state, weights=state["weights"][:-1]), dict(state, optimizer=(1, 2, 3))):
        with pytest.raises(ValueError, match="Cannot unpickle this keras_lite model"):
            model.__setstate__(bad)
    _assert_same_state(before, _state(model))
