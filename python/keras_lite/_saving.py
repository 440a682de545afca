"""Saving and loading models: Keras 3 ``.keras`` files, ``.weights.h5`` files, pickling.

A ``.keras`` file is an uncompressed zip of ``metadata.json``, ``config.json`` (Keras's
``serialize_keras_object`` tree) and ``model.weights.h5`` (``layers/<group>/vars/<i>``, ``optimizer/vars/<i>``,
root ``vars``), readable by Keras 3 and written by it. Every write goes to a temporary file in the target's
directory that replaces the target only once complete (``_files``).

Reading treats a file as untrusted: it parses JSON and numeric HDF5 datasets only, with keras_lite's own bounded
HDF5 reader (``_h5read``: nothing outside the file is read, nothing can make it loop); every size the file
declares is checked against what the model needs before anything is inflated, read or allocated; and nothing
is written into a model before the whole file has been checked. No code from a file is ever imported or run.

These are functions of a model: ``Model.save``, ``save_weights``, ``load_weights`` and pickling call them, and
``keras_lite.saving`` and ``keras_lite.models`` export ``save_model`` and ``load_model``. They read the model
through its public surface (``name``, ``layers``, ``built``, ``compiled``, ``optimizer``, ``compile``) and the
methods `Model` keeps for them: ``_core_network``, ``_keras_config``, ``_keras_compile_config``,
``_init_from_config`` and ``_take_place``.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import stat
import warnings
import zipfile
import zlib
from typing import Any, Callable

import numpy as np

from . import _core, _custom, _h5attrs, _h5read, _keras_config_write
from . import _keras_config_read as fmt
from . import _keras_weights as h5
from . import _legacy_h5 as legacy_h5
from . import _legacy_training as legacy_training
from ._errors import ArgumentTypeError, FormatError, NotHDF5Error
from ._files import (
    atomic_write,
    check_target,
    is_hdf5,
    is_zip,
    member_info,
    member_size,
    open_zip,
    opened,
    path_arg,
    read_at_most,
    reading,
    zip_member,
)
from ._structure_lock import _STRUCTURE_LOCK
from ._unsupported import NotSupportedError
from .initializers._random import weights_from_file

KERAS_VERSION = "3.15.1"  # the Keras release whose file layout keras_lite writes (metadata.json)
_CONFIG, _METADATA, _WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
_MAX_JSON = 64 << 20  # bytes; a larger config.json is not a model description
_MOST_DEFLATED = 16  # the most a `.keras` file's deflated weights may inflate to, times their stored bytes


def save(model: Any, filepath: Any, overwrite: bool, zipped: Any, kwargs: dict[str, Any]) -> None:
    """``model.save``: a ``.keras`` file at ``filepath`` (a path, or a writable binary file object), or a legacy
    HDF5 model file for a ``.h5``/``.hdf5`` path, as Keras 3 writes them."""
    include_optimizer = kwargs.pop("include_optimizer", True)
    save_format = kwargs.pop("save_format", None)
    if kwargs:
        raise ValueError(f"save() got unexpected keyword arguments: {sorted(kwargs)}")
    if zipped not in (None, True):
        raise ValueError(f"keras_lite writes zipped `.keras` files only. Received: zipped={zipped!r}")
    if hasattr(filepath, "write"):
        _warn_if_unbuilt(model)
        _write_keras(model, filepath)
        return
    path = path_arg(filepath, "filepath")
    legacy = path.endswith((".h5", ".hdf5"))
    if save_format and not (legacy or path.endswith(".keras")):
        raise ValueError(
            "The `save_format` argument is deprecated in Keras 3. Please remove this argument and pass a file path "
            f"with either `.keras` or `.h5` extension. Received: save_format={save_format}"
        )
    if not legacy and not path.endswith(".keras"):
        raise ValueError(
            "Invalid filepath extension for saving. Please add either a `.keras` extension for the native Keras "
            f"format (recommended) or a `.h5` extension. Received: filepath={path}."
        )
    if legacy:
        warnings.warn(legacy_h5.SAVE_WARNING, UserWarning, stacklevel=3)
        folder = os.path.dirname(path)
        if folder:  # Keras's legacy writer makes a missing folder (its `.keras` writer does not)
            os.makedirs(folder, exist_ok=True)
    check_target(path, overwrite)
    if legacy:
        with _STRUCTURE_LOCK:  # (the layers and their weights read from one structure: see _write_keras)
            data = legacy_h5.model_h5(model, bool(include_optimizer), KERAS_VERSION)
        atomic_write(path, lambda f: f.write(data))
    else:
        _warn_if_unbuilt(model)
        atomic_write(path, lambda f: _write_keras(model, f))


def _warn_if_unbuilt(model: Any) -> None:
    """Keras 3's warning when a `.keras` file is written for a model not built yet (it holds no weights)."""
    if not model.built:
        warnings.warn(
            "You are saving a model that has not yet been built. It might not contain any weights yet. Consider "
            "building the model first by calling it on some data.",
            UserWarning,
            stacklevel=4,
        )


def save_weights(model: Any, filepath: Any, overwrite: bool, max_shard_size: Any) -> None:
    """``model.save_weights``: a ``.weights.h5`` file at ``filepath``."""
    path = path_arg(filepath, "filepath")
    if not path.endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5`. Received: filepath={path}")
    if max_shard_size is not None:
        raise ValueError(
            f"keras_lite does not shard weight files. Received: max_shard_size={max_shard_size!r}"
        )
    check_target(path, overwrite)
    if not model.built:  # (Keras 3's error: the file would hold no weights)
        raise ValueError(
            "You are saving a model that has not yet been built. Try building the model first by calling it on "
            "some data or by using `build()`."
        )
    with _STRUCTURE_LOCK:
        data = h5.weights_h5(model)
    atomic_write(path, lambda f: f.write(data))


def load_weights(model: Any, filepath: Any, skip_mismatch: bool, kwargs: dict[str, Any]) -> None:
    """``model.load_weights`` from a ``.weights.h5`` or ``.keras`` file, or from a legacy HDF5 file (a ``.h5``
    model or weights file, matched to the layers in order, or by name with ``by_name=True``), a path or a
    readable file object."""
    path = filepath if hasattr(filepath, "read") else path_arg(filepath, "filepath")
    legacy = isinstance(path, str) and path.endswith((".h5", ".hdf5")) and not path.endswith(".weights.h5")
    by_name = kwargs.pop("by_name", False) if legacy or not isinstance(path, str) else False
    if kwargs:
        raise ValueError(f"load_weights() got unexpected keyword arguments: {sorted(kwargs)}")
    if isinstance(path, str) and not path.endswith((".keras", ".h5", ".hdf5")):
        raise ValueError(
            f"File format not supported: filepath={path}. keras_lite loads `.keras`, `.weights.h5` and legacy "
            "`.h5` files."
        )
    if not model.built:
        raise ValueError(
            "You are loading weights into a model that has not yet been built. Try building the model first by "
            "calling it on some data or by using `build()`."
        )
    # A legacy model file also holds its config and compile config (at most 64 MiB each).
    limit = h5.size_limit(model) + 2 * legacy_h5.MAX_JSON
    with opened(filepath, limit) as (f, where), reading(where):
        root = _legacy_root(f, limit) if legacy or not isinstance(path, str) else None
        if root is not None:
            stored = h5.Stored(legacy_h5.read_weights(root, model, bool(by_name), skip_mismatch), None)
        elif by_name:
            raise FormatError(
                "by_name=True reads legacy `.h5` files only; Keras 3's `.keras` and `.weights.h5` files are "
                f"matched by layer order. Received: by_name={by_name!r}"
            )
        else:
            stored = h5.read_h5(_weights_bytes(f, h5.size_limit(model)), model)
        plan = h5.plan(model, stored, skip_mismatch)
    h5.commit(model, plan)  # (not in `reading`: a layer another fit trains is its RuntimeError)


def _legacy_root(f: Any, limit: int) -> _h5read.Group | None:
    """The root group of a legacy HDF5 file of at most ``limit`` bytes; None for a `.keras` archive or Keras 3
    weights (their ``layers`` group), which a file object may hold as well."""
    if is_zip(f) or not is_hdf5(f):
        return None
    root = _h5read.File(_whole(f, limit)).root
    if "layers" in root.links():
        f.seek(0)
        return None
    return root


def _whole(f: Any, limit: int | None = None) -> bytes:
    """A legacy file's bytes: the whole file (its size bounds what it can describe), read to ``limit`` bytes
    (or, without one, 1 GiB where its size is not known first: a device, a pipe)."""
    if limit is None:
        try:
            regular = stat.S_ISREG(os.fstat(f.fileno()).st_mode)
        except (AttributeError, OSError, io.UnsupportedOperation):
            regular = True  # an in-memory copy (a file object given is read into one)
        limit = None if regular else 1 << 30
    return bytes(f.read()) if limit is None else read_at_most(f, limit, "a model file for this")


def _weights_bytes(f: Any, limit: int) -> bytes:
    """The HDF5 bytes of a ``.weights.h5`` file or of a ``.keras`` archive's weights, at most ``limit``."""
    if is_zip(f):
        return zip_member(open_zip(f), _WEIGHTS, limit)
    return read_at_most(f, limit, "weights for this model")


# ---- pickling ------------------------------------------------------------------------------------------------
def get_state(model: Any) -> dict[str, Any]:
    """``model.__getstate__``: config dicts, all weights as one bytes string, the optimizer state likewise."""
    with _STRUCTURE_LOCK:
        return _state(model)


def _state(model: Any) -> dict[str, Any]:
    net = model._core_network()
    state: dict[str, Any] = {
        "keras_lite": 1,
        "config": model._keras_config(),
        "compile": model._keras_compile_config(),
        "custom_objects": _custom.of_compiled(model),  # pickled by reference, as the class's own pickle does
        "weights": None,
        "optimizer": None,
    }
    if net is not None:
        weights, opt = net.snapshot()  # one lock: a consistent pair even while another thread trains
        state["weights"] = b"".join(w.tobytes() for w in weights)
        if model.compiled and opt is not None:
            iterations, rows = opt
            state["optimizer"] = (iterations, b"".join(v.tobytes() for _, _, v in rows))
            state["optimizer_shapes"] = [list(v.shape) for _, _, v in rows]
    return state


def set_state(model: Any, state: dict[str, Any]) -> None:
    """``model.__setstate__``: fill a blank instance (unpickling), or replace a live model's state whole."""
    if not isinstance(state, dict) or state.get("keras_lite") != 1:
        raise ValueError("Cannot unpickle this keras_lite model: the state is from an unknown version")
    # Unpickling fills a blank instance. On a live model, build a new one and take its place only once all
    # of the state has loaded, so that a refused state leaves the model as it was.
    fresh = not model.__dict__
    cls: Any = type(model)
    target = model if fresh else cls.__new__(cls)
    try:
        _load_state(target, state)
    except NotSupportedError:
        raise
    # (FormatError, NumPy's and unpacking's ValueErrors, and a config nested thousands deep)
    except (ValueError, KeyError, TypeError, RecursionError) as e:
        raise ValueError(f"Cannot unpickle this keras_lite model: {type(e).__name__}: {e}") from None
    if not fresh:
        model._take_place(target)


def _load_state(model: Any, state: dict[str, Any]) -> None:
    blob = state["weights"]
    # No weights: a model that is not built, which may not hold any (a state that builds one is refused).
    limit = 0 if blob is None else len(blob) // 4
    with weights_from_file():  # (a state with weights has every one of them)
        model._init_from_config(state["config"], max_params=limit)
    net = model._core_network()
    weights = None
    if blob is not None:
        if net is None:
            raise FormatError("weights for a model that is not built")
        flat = np.frombuffer(blob, dtype=np.float32)
        weights = _split(flat, [tuple(t[2]) for t in net.weight_info()], "weights")
    optimizer = None
    if state["compile"]:
        with _custom.scope(state.get("custom_objects")):
            fmt.compile_from_config(model, state["compile"])
        if state["optimizer"] is not None and net is not None:
            steps, blob = state["optimizer"]
            if isinstance(steps, bool) or not isinstance(steps, int) or not 0 <= steps < h5.MAX_STEPS:
                raise FormatError(f"optimizer iterations {steps!r} is not a step count")
            optimizer = h5.pickled_optimizer(model, steps, blob, state.get("optimizer_shapes"))
    if weights is not None:
        h5.commit(model, h5.Plan(weights, optimizer))


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
    # Read under the structure lock: another thread's add, pop or compile would otherwise tear the layers from
    # their weights (a file whose weights do not fit its config).
    with _STRUCTURE_LOCK:
        tree = _keras_config_write.mark_shared_policies(model._keras_config())
        tree["compile_config"] = model._keras_compile_config()
        weights = h5.weights_h5(model)
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(_METADATA, json.dumps(meta))
        zf.writestr(_CONFIG, json.dumps(tree))
        zf.writestr(_WEIGHTS, weights)


def save_model(model: Any, filepath: Any, overwrite: bool = True, zipped: Any = None, **kwargs: Any) -> None:
    """``model.save(filepath)``, as ``keras.saving.save_model`` (``include_optimizer=`` for a ``.h5`` file)."""
    model.save(filepath, overwrite=overwrite, zipped=zipped, **kwargs)


def load_model(model_class: Any, filepath: Any, custom_objects: Any, compile: bool, safe_mode: bool) -> Any:
    """``keras_lite.models.load_model``, which passes ``Sequential`` as ``model_class`` (whose ``_class_for``
    picks the class a file describes)."""
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise ArgumentTypeError(f"custom_objects must be a dict. Received: custom_objects={custom_objects!r}")
    with opened(filepath) as (f, where), reading(where), _custom.scope(custom_objects):
        training_only: list[str] = []
        if is_hdf5(f):
            model = _load_legacy(model_class, _whole(f), compile, training_only)
        elif where.strip("'\"").lower().endswith((".h5", ".hdf5")) and not is_zip(f):
            raise NotHDF5Error(
                "it is not an HDF5 file (it lacks the HDF5 signature: is it truncated or another format?)"
            )
        else:
            model = _load_keras(model_class, f, compile, training_only)
    if training_only:
        warnings.warn(
            f"{where} is loaded for inference: {'; '.join(training_only)}, which keras_lite does not apply in "
            "training (fit() would train without them, and save() writes the model without them).",
            UserWarning,
            stacklevel=3,  # the caller of keras_lite.models.load_model
        )
    return model


def _load_keras(model_class: Any, f: Any, compile: bool, training_only: list[str]) -> Any:
    """A model from a `.keras` archive (``training_only`` collects the settings it holds that keras_lite
    applies in inference only)."""
    if not is_zip(f):
        raise FormatError("it is not a `.keras` file (not a zip archive; is it truncated or another format?)")
    zf = open_zip(f)
    # The weights member bounds the rest. Keras writes a group of at least a kilobyte per layer and a
    # config of under 2 KB per layer (under a quarter of the weights in every file seen), and a model
    # needs 4 bytes of weights per parameter: a larger config, or a config describing a larger model, is
    # refused before it is inflated or parsed, or before the core allocates the model.
    member_info(zf, _CONFIG)  # named first when missing: a zip without it is not a `.keras` file
    weights_size = member_size(zf, _WEIGHTS)  # (checked against the archive: the directory may lie)
    # The config is bounded by the weights' bytes as stored: 64 MB of deflated zeros (64 KB) would otherwise let
    # a deflated 64 MB config through, which parses into over a gigabyte.
    packed = min(weights_size, member_info(zf, _WEIGHTS).compress_size)
    config = zip_member(zf, _CONFIG, min(_MAX_JSON, 4 * packed + (1 << 20)))
    tree = fmt.keras2_model_tree(json.loads(config.decode("utf-8")))
    del config
    cls = model_class._class_for(tree)  # Sequential, or Functional for a Functional model's file
    model = cls.__new__(cls)
    # Deflated weights count for at most 16 times their stored bytes (real weights deflate by under a tenth;
    # zeros by a thousand to one, which would let a 1 MB file build and fill a 1 GB model).
    limit = min(weights_size, _MOST_DEFLATED * packed) // 4
    with weights_from_file():  # (a built model's weights all come from the file, or it is refused)
        model._init_from_config(tree, max_params=limit, training_only=training_only)
    compile_cfg = tree.get("compile_config") if isinstance(tree, dict) else None
    compile = bool(compile and compile_cfg)
    if compile:
        _refuse_training(training_only)
    stored = None
    if model.built:
        stored = h5.read_h5(data := zip_member(zf, _WEIGHTS, h5.size_limit(model)), model)
        if stored.optimizer is not None and _written_by_keras2(zf):
            # tf.keras 2 keeps no learning-rate variable: the step count, then the slots in Keras 3's order.
            stored = stored._replace(fixed=1)
    if compile:
        # The file's learning-rate variable is read only once the config is known to hold a constant rate.
        _compile(
            model,
            compile_cfg,
            lambda: None if stored is None or stored.fixed == 1 else h5.learning_rate(stored.optimizer),
        )
        if model._optimizer is not None:
            model._optimizer._built_on_load = model.built  # as Keras's compile_from_config builds it
        if stored is not None and stored.optimizer is not None and stored.fixed == 1:
            if not h5.state_fits(
                model, stored.optimizer, 1
            ):  # another layout: a fresh optimizer, as in Keras
                warnings.warn(legacy_h5.FRESH_OPTIMIZER, UserWarning, stacklevel=4)
                stored = stored._replace(optimizer=None)
    if stored is not None:
        h5.commit(model, h5.plan(model, stored))
        h5.load_nested_optimizers(data, model)
    return model


def _written_by_keras2(zf: zipfile.ZipFile) -> bool:
    """Whether a `.keras` archive's metadata says tf.keras 2 wrote it."""
    try:
        meta = json.loads(zip_member(zf, _METADATA, 1 << 16).decode("utf-8"))
    except (ValueError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError):
        return False  # no readable metadata (the file is checked by what it holds, as before)
    version = meta.get("keras_version") if isinstance(meta, dict) else None
    return isinstance(version, str) and version.startswith("2.")


def _refuse_training(training_only: list[str]) -> None:
    """Refuse to compile a model whose file holds settings keras_lite applies in inference only."""
    if training_only:
        raise FormatError(
            f"{'; '.join(training_only)}: keras_lite serves such a model but cannot train it as Keras would"
            f"{_FOR_INFERENCE}"
        )


_FOR_INFERENCE = " (load_model(..., compile=False) loads the model for inference)"


def _compile(model: Any, compile_cfg: Any, learning_rate: Callable[[], float | None]) -> None:
    try:
        fmt.compile_from_config(model, compile_cfg, learning_rate)
    except FormatError as e:
        raise type(e)(f"{e}{_FOR_INFERENCE}") from None


def _load_legacy(model_class: Any, data: bytes, compile: bool, training_only: list[str]) -> Any:
    """A model from a legacy HDF5 model file (``model.save("model.h5")``, tf.keras 2's or Keras 3's); its config
    is read against what the file's bytes can hold."""
    root = _h5read.File(data).root
    attrs = _h5attrs.attributes(root)
    tree = fmt.keras2_model_tree(legacy_h5.config_attr(attrs, "model_config"))
    if tree is None:
        raise FormatError(
            "the HDF5 file has no model_config attribute: it holds weights only (load them with "
            "model.load_weights into a model built as the one saved)"
        )
    cls = model_class._class_for(tree)
    model = cls.__new__(cls)
    with weights_from_file():
        model._init_from_config(tree, max_params=len(data) // 4, training_only=training_only)
    # (A model saved before it was built has no weights: read_weights then finds none in the file either.)
    stored = h5.Stored(legacy_h5.read_weights(root, model), None)
    training = legacy_h5.config_attr(attrs, "training_config") if compile else None
    if training is not None:
        _refuse_training(training_only)
        stored = stored._replace(optimizer=legacy_h5.read_optimizer(root, attrs))
        _compile(
            model,
            legacy_training.compile_config(training),
            lambda: None if stored.optimizer is None else h5.learning_rate(stored.optimizer),
        )
        if not legacy_h5.keras3(
            attrs
        ):  # found by name once the optimizer is made (no learning-rate variable)
            stored = stored._replace(optimizer=legacy_h5.keras2_optimizer(root, model), fixed=1)
    h5.commit(model, h5.plan(model, stored))
    return model
