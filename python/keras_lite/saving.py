"""Saving and loading: Keras 3 ``.keras`` files, ``.weights.h5`` files, pickling.

A ``.keras`` file is an uncompressed zip of ``metadata.json``, ``config.json`` (Keras's
``serialize_keras_object`` tree) and ``model.weights.h5`` (``layers/<group>/vars/<i>``, ``optimizer/vars/<i>``,
root ``vars``), readable by Keras 3 and written by it. Every write goes to a temporary file in the target's
directory that replaces the target only once complete (through a symlink to its target, keeping its mode).

Reading treats a file as untrusted: it parses JSON and numeric HDF5 datasets only, with keras_lite's own bounded
HDF5 reader (``_h5read``: nothing outside the file is read, nothing can make it loop); every size the file
declares is checked against what the model needs before anything is inflated, read or allocated; and nothing
is written into a model before the whole file has been checked. No code from a file is ever imported or run.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import io
import json
import os
import secrets
import stat
import warnings
import weakref
import zipfile
from collections.abc import Iterator
from typing import Any, Callable

import numpy as np

from . import _core
from . import _keras_config_read as fmt
from . import _keras_config_write as write
from . import _keras_weights as h5
from ._errors import FormatError

KERAS_VERSION = "3.15.1"  # the Keras release whose file layout keras_lite writes (metadata.json)
_CONFIG, _METADATA, _WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
_MAX_JSON = 64 << 20  # bytes; a larger config.json is not a model description


# ---- files ---------------------------------------------------------------------------------------------------
def _resolve(filepath: str) -> str:
    """The file a write to ``filepath`` lands in: a symlink's target (followed to the end, created if missing),
    so that saving through a link replaces its target, as ``open(filepath, "wb")`` would, and keeps the link."""
    path = os.path.abspath(filepath)
    for _ in range(40):  # the kernel's own limit on links followed (ELOOP)
        if not os.path.islink(path):
            return path
        path = os.path.join(os.path.dirname(path), os.readlink(path))
    raise OSError(errno.ELOOP, "Too many levels of symbolic links", filepath)


def _atomic_write(filepath: str, write: Callable[[Any], None]) -> None:
    """Write ``filepath`` through ``write(fileobj)`` via a temporary file beside it, then rename.

    What ``open(filepath, "wb")`` would keep is kept: a symlink stays a symlink (its target is written), an
    existing file keeps its permission bits, owner and group (where allowed); a new file gets ``open()``'s
    default, 0o666 less the umask. Where a rename would replace something else than the file's contents (a
    file with other hard links, a device, a pipe) or the folder takes no new file, the complete bytes are
    written into the existing file instead, as ``open()`` would: not atomic, but never half-serialized.
    """
    target = _resolve(filepath)
    folder = os.path.dirname(target)
    try:
        existing: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        existing = None
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise IsADirectoryError(errno.EISDIR, "Is a directory", filepath)
    if existing is not None and not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, "Permission denied", filepath)  # what open(filepath, "wb") says
    if existing is not None and (not stat.S_ISREG(existing.st_mode) or existing.st_nlink > 1):
        _write_in_place(target, write)
        return
    tmp = os.path.join(folder, f".{os.path.basename(target)}.{secrets.token_hex(6)}.tmp")
    # Private until complete when it replaces a file (which may be private): its mode is copied at the end.
    mode = 0o600 if existing is not None else 0o666
    try:
        f = open(tmp, "xb", opener=lambda path, flags: os.open(path, flags, mode))
    except PermissionError:
        if existing is None:
            raise
        _write_in_place(target, write)  # a writable file in a folder we may not add to
        return
    try:
        with f:
            write(f)
            f.flush()
            if existing is not None:
                _keep_owner_and_mode(tmp, existing)
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable (POSIX); harmless to skip elsewhere
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass


def _keep_owner_and_mode(path: str, existing: os.stat_result) -> None:
    if hasattr(os, "chown"):  # POSIX: the owner only as root, the group as root or as one of its members
        with contextlib.suppress(OSError):
            os.chown(path, existing.st_uid, existing.st_gid)
        with contextlib.suppress(OSError):
            os.chown(path, -1, existing.st_gid)
    os.chmod(path, stat.S_IMODE(existing.st_mode))  # after chown, which may clear the set-id bits


def _write_in_place(target: str, write: Callable[[Any], None]) -> None:
    """Serialize completely in memory first, then write the bytes into ``target``."""
    buf = io.BytesIO()
    write(buf)
    with open(target, "wb") as f:
        f.write(buf.getbuffer())
        f.flush()
        with contextlib.suppress(OSError):  # not every file (a pipe, a device) can be synced
            os.fsync(f.fileno())


def _check_target(path: str, overwrite: bool) -> None:
    folder = os.path.dirname(_resolve(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"Cannot save {path!r}: the directory {folder!r} does not exist")
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"Cannot save {path!r}: the file exists and overwrite=False")


def _path(filepath: Any, what: str) -> str:
    try:
        return os.fspath(filepath)  # type: ignore[no-any-return]
    except TypeError:
        raise ValueError(f"{what} must be a path or a file object. Received: filepath={filepath!r}") from None


@contextlib.contextmanager
def _opened(filepath: Any) -> Iterator[tuple[Any, str]]:
    """A seekable binary file for ``filepath`` (a path, or a readable file object read from where it stands)
    and how to name it in errors (a missing path is a FileNotFoundError)."""
    if hasattr(filepath, "read"):
        yield io.BytesIO(bytes(filepath.read())), repr(filepath)
        return
    path = _path(filepath, "filepath")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path!r} is a directory; keras_lite reads zipped `.keras` files")
    with open(path, "rb") as f:
        yield f, repr(path)


def _is_zip(f: Any) -> bool:
    magic = f.read(4)
    f.seek(0)
    return bool(magic == b"PK\x03\x04")


def _member_info(zf: zipfile.ZipFile, name: str) -> zipfile.ZipInfo:
    try:
        return zf.getinfo(name)
    except KeyError:
        raise FormatError(f"the archive has no {name} (it is not a Keras 3 `.keras` file)") from None


def _zip_member(zf: zipfile.ZipFile, name: str, limit: int | None = None) -> bytes:
    """A member's bytes, refused before inflating if it declares more than ``limit`` or inflates 1000:1."""
    info = _member_info(zf, name)
    if limit is not None and info.file_size > limit:
        raise FormatError(
            f"{name} declares {info.file_size} bytes, more than the model it describes can need ({limit})"
        )
    if info.file_size > (1 << 28) and info.file_size > 1000 * max(info.compress_size, 1):
        raise FormatError(
            f"{name} declares {info.file_size} bytes stored in {info.compress_size}: refusing it"
        )
    return zf.read(name)  # checks the CRC: a corrupted member is a BadZipFile


def _weights_bytes(f: Any, limit: int) -> bytes:
    """The HDF5 bytes of a ``.weights.h5`` file or of a ``.keras`` archive's weights, at most ``limit``."""
    if _is_zip(f):
        return _zip_member(zipfile.ZipFile(f), _WEIGHTS, limit)
    data = f.read(limit + 1)  # bounded even where the size cannot be known first (a device, a pipe)
    if len(data) > limit:
        raise FormatError(
            f"the file holds more than {limit} bytes, more than weights for this model can need"
        )
    return bytes(data)


@contextlib.contextmanager
def _reading(where: str) -> Iterator[None]:
    """Any failure while parsing a file becomes a FormatError (a ValueError) naming the file and the problem."""
    try:
        yield
    except FormatError as e:
        raise FormatError(f"Cannot load {where}: {e}") from None
    except zipfile.BadZipFile as e:
        raise FormatError(f"Cannot load {where}: the zip archive is truncated or corrupted ({e})") from None
    except OSError as e:
        if e.errno != errno.EINVAL:  # a read error of the disk or the network stays an OSError
            raise
        # zipfile seeking to an offset the archive's directory gives, before the start of the file
        raise FormatError(f"Cannot load {where}: the zip archive is truncated or corrupted ({e})") from None
    except MemoryError:
        raise FormatError(
            f"Cannot load {where}: not enough memory for the model it describes (MemoryError)"
        ) from None
    except Exception as e:
        raise FormatError(f"Cannot load {where}: {type(e).__name__}: {e}") from e


# ---- the Sequential methods ------------------------------------------------------------------------------------
class SavingMixin:
    """Saving methods of ``Sequential`` (kept here so that models.py stays about the model)."""

    def save(self, filepath: Any, overwrite: bool = True, zipped: Any = None, **kwargs: Any) -> None:
        """Save the model (config, weights, compile arguments, optimizer state) as a Keras 3 ``.keras`` file.

        Args:
            filepath: A path ending in ``.keras``, or a writable binary file object.
            overwrite: Whether to replace an existing file (otherwise ``FileExistsError``).
            zipped: Must be None or True: keras_lite writes the zipped format.

        Example:
            >>> model.save("model.keras")
            >>> restored = keras.models.load_model("model.keras")
        """
        if kwargs:
            raise ValueError(f"save() got unexpected keyword arguments: {sorted(kwargs)}")
        if zipped not in (None, True):
            raise ValueError(f"keras_lite writes zipped `.keras` files only. Received: zipped={zipped!r}")
        if hasattr(filepath, "write"):
            _write_keras(self, filepath)
            return
        path = _path(filepath, "filepath")
        if path.endswith((".h5", ".hdf5")):
            raise ValueError(
                f"keras_lite writes the Keras 3 `.keras` format, not the legacy HDF5 model format. Received: filepath={path}"
            )
        if not path.endswith(".keras"):
            raise ValueError(
                f"Invalid filepath extension for saving. Please add a `.keras` extension for the native Keras format. Received: filepath={path}"
            )
        _check_target(path, overwrite)
        _atomic_write(path, lambda f: _write_keras(self, f))

    def save_weights(self, filepath: Any, overwrite: bool = True, max_shard_size: Any = None) -> None:
        """Save the weights (and optimizer state) in Keras 3's ``.weights.h5`` layout."""
        path = _path(filepath, "filepath")
        if not path.endswith(".weights.h5"):
            raise ValueError(f"The filename must end in `.weights.h5`. Received: filepath={path}")
        if max_shard_size is not None:
            raise ValueError(
                f"keras_lite does not shard weight files. Received: max_shard_size={max_shard_size!r}"
            )
        _check_target(path, overwrite)
        data = h5.weights_h5(self)
        _atomic_write(path, lambda f: f.write(data))

    def load_weights(self, filepath: Any, skip_mismatch: bool = False, **kwargs: Any) -> None:
        """Load weights (and the optimizer state, when compiled) from a ``.weights.h5`` or ``.keras`` file.

        Layers are matched as Keras matches them: by class and order, whatever their names.
        """
        if kwargs:
            raise ValueError(f"load_weights() got unexpected keyword arguments: {sorted(kwargs)}")
        path = filepath if hasattr(filepath, "read") else _path(filepath, "filepath")
        if isinstance(path, str) and not path.endswith((".keras", ".weights.h5")):
            raise ValueError(
                f"File format not supported: filepath={path}. keras_lite loads `.keras` and `.weights.h5` files."
            )
        if getattr(self, "_net", None) is None:
            raise ValueError(
                f"Cannot load weights into model {getattr(self, 'name', '?')!r}: it is not built yet. "
                "Build it first (give it an Input, call build((None, features)), or call it on data)."
            )
        with _opened(filepath) as (f, where), _reading(where):
            stored = h5.read_h5(_weights_bytes(f, h5.size_limit(self)), self)
            h5.commit(self, h5.plan(self, stored, skip_mismatch))

    def __getstate__(self) -> dict[str, Any]:
        """Compact pickle state: config dicts, all weights as one bytes string, the optimizer state likewise."""
        net = getattr(self, "_net", None)
        state: dict[str, Any] = {
            "keras_lite": 1,
            "config": _model_config(self),
            "compile": _compile_config(self),
            "weights": None,
            "optimizer": None,
        }
        if net is not None:
            weights, opt = net.snapshot()  # one lock: a consistent pair even while another thread trains
            state["weights"] = b"".join(w.tobytes() for w in weights)
            if self.compiled and opt is not None:  # type: ignore[attr-defined]
                iterations, rows = opt
                state["optimizer"] = (iterations, b"".join(v.tobytes() for _, _, v in rows))
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if not isinstance(state, dict) or state.get("keras_lite") != 1:
            raise ValueError("Cannot unpickle this keras_lite model: the state is from an unknown version")
        # Unpickling fills a blank instance. On a live model, build a new one and take its place only once all
        # of the state has loaded, so that a refused state leaves the model as it was.
        fresh = not self.__dict__
        model = self if fresh else type(self).__new__(type(self))
        try:
            _load_state(model, state)
        except (FormatError, KeyError, TypeError) as e:
            raise ValueError(f"Cannot unpickle this keras_lite model: {type(e).__name__}: {e}") from None
        if not fresh:
            _take_place(self, model)


def _load_state(model: Any, state: dict[str, Any]) -> None:
    blob = state["weights"]
    limit = None if blob is None else len(blob) // 4
    _model_from_config(state["config"], into=model, max_params=limit)
    net = model._net
    weights = None
    if blob is not None:
        if net is None:
            raise FormatError("weights for a model that is not built")
        flat = np.frombuffer(blob, dtype=np.float32)
        weights = _split(flat, [tuple(t[2]) for t in net.weight_info()], "weights")
    optimizer = None
    if state["compile"]:
        fmt.compile_from_config(model, state["compile"])
        if state["optimizer"] is not None and net is not None:
            steps, blob = state["optimizer"]
            if isinstance(steps, bool) or not isinstance(steps, int) or not 0 <= steps < 2**63:
                raise FormatError(f"optimizer iterations {steps!r} is not a step count")
            _, rows = net.optimizer_state()
            flat = np.frombuffer(blob, dtype=np.float32)
            optimizer = (steps, _split(flat, [v.shape for _, _, v in rows], "optimizer state"))
    if weights is not None:
        h5.commit(model, h5.Plan(weights, optimizer))


def _take_place(model: Any, other: Any) -> None:
    """Make ``model`` the model ``other`` is: its state, and its layers' and optimizer's links back to it."""
    from .layers._layer import _bind_model

    model.__dict__.clear()
    model.__dict__.update(other.__dict__)
    for layer in model._layers:
        _bind_model(layer, model)
    if model.optimizer is not None:
        model.optimizer._model = weakref.ref(model)


def _model_config(model: Any) -> dict[str, Any]:
    net, first = model._net, model._input_layer
    return write.sequential_config(
        model.name,
        model.trainable,
        model._layers,
        None if net is None else net.input_dim,
        None if first is None else first.name,
    )


def _compile_config(model: Any) -> dict[str, Any]:
    if not model.compiled:
        return {}
    return write.compile_config(model.optimizer, model.loss, model._compile_metrics)


def _model_from_config(
    tree: Any, into: Any = None, max_params: int | None = None, training_only: list[str] | None = None
) -> Any:
    from .models import Sequential

    layers, trainable, name = fmt.sequential_from_config(tree, max_params, training_only)
    model = into if into is not None else Sequential.__new__(Sequential)
    Sequential.__init__(model, layers, trainable=trainable, name=name)
    return model


def _split(flat: np.ndarray, shapes: list[tuple[int, ...]], what: str) -> list[np.ndarray]:
    sizes = [int(np.prod(s)) for s in shapes]
    if sum(sizes) != flat.size:
        raise FormatError(f"{flat.size} values of {what} where the model needs {sum(sizes)}")
    out, start = [], 0
    for shape, n in zip(shapes, sizes):
        out.append(np.ascontiguousarray(flat[start : start + n].reshape(shape)))
        start += n
    return out


def _write_keras(model: Any, fileobj: Any) -> None:
    meta = {
        "keras_version": KERAS_VERSION,
        "keras_lite_version": _core.__version__,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
    }
    tree = _model_config(model)
    tree["compile_config"] = _compile_config(model)
    weights = h5.weights_h5(model)
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(_METADATA, json.dumps(meta))
        zf.writestr(_CONFIG, json.dumps(tree))
        zf.writestr(_WEIGHTS, weights)


def save_model(model: Any, filepath: Any, overwrite: bool = True, zipped: Any = None) -> None:
    """``model.save(filepath)``, as ``keras.saving.save_model``."""
    model.save(filepath, overwrite=overwrite, zipped=zipped)


def load_model(
    filepath: Any, custom_objects: Any = None, compile: bool = True, safe_mode: bool = True
) -> Any:
    """Load a model saved with ``model.save`` by keras_lite or Keras 3 (a ``.keras`` file).

    Args:
        filepath: Path to a ``.keras`` file, or a readable binary file object.
        custom_objects: Accepted for Keras compatibility; keras_lite runs its own layers only, so a file
            that needs custom objects fails with a ``ValueError`` naming them.
        compile: Whether to compile the model as it was saved and restore the optimizer state.
        safe_mode: Accepted for Keras compatibility; keras_lite never runs code from a file.

    Returns:
        A ``Sequential`` with the saved weights (compiled, with its optimizer state, when ``compile``).

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: the file is truncated, corrupted, not a ``.keras`` file, or uses something keras_lite
            does not support; the message names the file and the problem.
    """
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise ValueError(f"custom_objects must be a dict. Received: custom_objects={custom_objects!r}")
    if isinstance(filepath, (str, os.PathLike)) and os.fspath(filepath).endswith((".h5", ".hdf5")):
        raise ValueError(
            f"Cannot load {os.fspath(filepath)!r}: legacy HDF5 model files (tf.keras 2) are not supported; "
            "keras_lite loads Keras 3 `.keras` files (use load_weights for `.weights.h5` files)."
        )
    with _opened(filepath) as (f, where), _reading(where):
        if not _is_zip(f):
            raise FormatError(
                "it is not a `.keras` file (not a zip archive; is it truncated or another format?)"
            )
        zf = zipfile.ZipFile(f)
        # The weights member bounds the rest. Keras writes a group of at least a kilobyte per layer and a
        # config of under 2 KB per layer (under a quarter of the weights in every file seen), and a model
        # needs 4 bytes of weights per parameter: a larger config, or a config describing a larger model, is
        # refused before it is inflated or parsed, or before the core allocates the model.
        _member_info(zf, _CONFIG)  # named first when missing: a zip without it is not a `.keras` file
        weights_size = _member_info(zf, _WEIGHTS).file_size
        config = _zip_member(zf, _CONFIG, min(_MAX_JSON, 4 * weights_size + (1 << 20)))
        tree = json.loads(config.decode("utf-8"))
        del config
        training_only: list[str] = []
        model = _model_from_config(tree, max_params=weights_size // 4, training_only=training_only)
        compile_cfg = tree.get("compile_config") if isinstance(tree, dict) else None
        compile = bool(compile and compile_cfg)
        if compile and training_only:
            raise FormatError(
                f"{'; '.join(training_only)}: keras_lite serves such a model but cannot train it as Keras would"
                f"{_FOR_INFERENCE}"
            )
        stored = None
        if model._net is not None:
            stored = h5.read_h5(_zip_member(zf, _WEIGHTS, h5.size_limit(model)), model)
        if compile:
            # The file's learning-rate variable is read only once the config is known to hold a constant rate.
            _compile(
                model, compile_cfg, lambda: None if stored is None else h5.learning_rate(stored.optimizer)
            )
        if stored is not None:
            h5.commit(model, h5.plan(model, stored))
    if training_only:
        warnings.warn(
            f"{where} is loaded for inference: {'; '.join(training_only)}, which keras_lite does not apply in "
            "training (fit() would train without them, and save() writes the model without them).",
            UserWarning,
            stacklevel=2,
        )
    return model


_FOR_INFERENCE = " (load_model(..., compile=False) loads the model for inference)"


def _compile(model: Any, compile_cfg: Any, learning_rate: Callable[[], float | None]) -> None:
    try:
        fmt.compile_from_config(model, compile_cfg, learning_rate)
    except FormatError as e:
        raise FormatError(f"{e}{_FOR_INFERENCE}") from None


__all__ = ["FormatError", "SavingMixin", "load_model", "save_model"]
