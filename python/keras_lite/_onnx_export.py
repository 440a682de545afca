"""``model.export(filepath, format="onnx")``: the model's inference forward pass as a standard ONNX graph.

Keras 3.8+ exports ONNX through tf2onnx, jax2onnx or torch.onnx; keras_lite knows its layers' formulas, so it
writes the graph itself with the ``onnx`` package (an optional dependency: ``pip install onnx``). The graph
reads float32 ``(batch, width)`` inputs (or the dimensions a ``Flatten`` reads) with a dynamic batch dimension,
and ONNX Runtime (C++, Java, C#, JavaScript, Python...) serves it without keras_lite.

A model is exported as a list of nodes: each a layer and the ids of the values it reads, where the model's
inputs are values ``0..n_inputs-1`` and node ``i``'s result is value ``n_inputs + i`` (the core's own graph
convention). A `Sequential` is a chain; a model with another structure (a `Functional` one) provides
``model._export_graph()``, returning ``(inputs, nodes, outputs)``: ``inputs`` a list of ``(name, shape)``,
``nodes`` a list of ``(layer, [value ids])`` and ``outputs`` a list of value ids. `_onnx_ops` writes each node.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from . import _core
from ._errors import received
from ._io import print_msg
from ._unsupported import NotSupportedError

# Keras 3's export formats (models/model.py); keras_lite writes ONNX only.
FORMATS = ("tf_saved_model", "onnx", "openvino", "litert", "torch")
DEFAULT_OPSET = 17  # read by ONNX Runtime 1.13 (2022) and later, in every language it has
MIN_OPSET = 13  # Softmax over one axis and Clip's bounds as inputs, as the graph writes them

Graph = tuple[list[tuple[str, tuple[int, ...]]], list[tuple[Any, list[int]]], list[int]]


def export(
    self: Any,
    filepath: Any,
    format: str = "tf_saved_model",
    verbose: Any = None,
    input_signature: Any = None,
    **kwargs: Any,
) -> None:
    """Export the model as an artifact for inference, as Keras 3's ``model.export``; keras_lite writes ONNX.

    Args:
        filepath: Where to write the ``.onnx`` file: a path (``str`` or ``pathlib.Path``) or a writable
            binary file object.
        format: ``"onnx"``. Keras's default, ``"tf_saved_model"``, and its ``"openvino"``, ``"litert"`` and
            ``"torch"`` formats need TensorFlow, OpenVINO or PyTorch: keras_lite raises `NotSupportedError`.
        verbose: Whether to print ``Saved artifact at '...'.`` (None: yes, as Keras).
        input_signature: Optional: the input, as ``keras.Input(shape=(width,))``, an array of the inputs, or
            an object with ``shape``, ``dtype`` (float32) and ``name`` such as ``keras.InputSpec`` or
            ``tf.TensorSpec``; or a list of them, one per model input. It names the ONNX input and fixes the
            batch size where the spec gives one (else the batch dimension is dynamic). Without it the model
            must be built (called, fitted, or started with ``keras.Input``).
        opset_version: The ONNX opset, 13 or later (default 17).

    The ONNX graph has one input per model input (in ``model.inputs`` order), named as the input
    (``keras.Input(name=...)``, or its key for a model built from a dict of inputs; else the ``InputLayer``'s
    name, or ``input_0``), shaped ``(batch, width)``, and outputs ``output_0``, ...

    Example:
        >>> model.export("model.onnx", format="onnx")
        >>> session = onnxruntime.InferenceSession("model.onnx")
        >>> session.run(None, {session.get_inputs()[0].name: x.astype("float32")})[0]
    """
    if not isinstance(format, str) or format not in FORMATS:
        raise ValueError(f"Unrecognized format={format}. Supported formats are: {list(FORMATS)}.")
    if format != "onnx":
        needs = {"tf_saved_model": "TensorFlow", "openvino": "OpenVINO", "litert": "TensorFlow Lite"}
        raise NotSupportedError(
            f"keras_lite cannot export format={format!r}: it needs {needs.get(format, 'PyTorch')}, which "
            "keras_lite does not use. Export the model as ONNX instead, which ONNX Runtime serves from C++, "
            "Java, C#, JavaScript and Python: model.export(filepath, format='onnx'). "
            f"{received('format', format)}"
        )
    opset = kwargs.pop("opset_version", None)
    if kwargs:
        raise ValueError(f"export() got unexpected keyword arguments: {sorted(kwargs)}")
    path = _filepath(filepath)
    proto = onnx_model(self, input_signature, opset)
    import onnx

    onnx.save_model(proto, path)
    if verbose is None or verbose:
        print_msg(f"Saved artifact at '{filepath}'.")


def _filepath(filepath: Any) -> Any:
    if isinstance(filepath, (str, os.PathLike)):
        return os.fspath(filepath)
    if callable(getattr(filepath, "write", None)):
        return filepath
    raise ValueError(
        f"filepath must be a path or a writable binary file object. {received('filepath', filepath)}"
    )


def _require_onnx() -> Any:
    try:
        import onnx
    except ImportError as e:
        raise ImportError(
            "Exporting to ONNX requires the onnx package. You can install it via `pip install onnx` "
            "(or `pip install keras_lite[onnx]`)."
        ) from e
    return onnx


def _opset(opset_version: Any, onnx: Any) -> int:
    if opset_version is None:
        return DEFAULT_OPSET
    newest = onnx.defs.onnx_opset_version()
    if (
        isinstance(opset_version, bool)
        or not isinstance(opset_version, (int, np.integer))
        or not MIN_OPSET <= opset_version <= newest
    ):
        raise ValueError(
            f"opset_version must be an integer from {MIN_OPSET} to {newest} (the newest the installed onnx "
            f"package knows). {received('opset_version', opset_version)}"
        )
    return int(opset_version)


def model_graph(model: Any) -> Graph:
    """The model as ``(inputs, nodes, outputs)`` (see the module's docstring): a `Functional` model gives its
    own graph, a `Sequential` its wiring (a chain, unless a model nested in it has branches)."""
    own = getattr(model, "_export_graph", None)
    if own is not None:
        graph: Graph = own()
        return graph
    input_layer = getattr(model, "_input_layer", None)
    name = input_layer.name if input_layer is not None else "input_0"
    nodes, outputs = model._wiring()  # a nested model's layers in its place
    return [(name, model.input_shape[1:])], nodes, outputs


def _specs(input_signature: Any) -> list[Any]:
    """The specs of ``input_signature``, one per input (Keras's ``[[a, b]]`` form too)."""
    specs = list(input_signature) if isinstance(input_signature, (list, tuple)) else [input_signature]
    if len(specs) == 1 and isinstance(specs[0], (list, tuple)):
        specs = list(specs[0])
    return specs


def _spec(spec: Any, i: int) -> tuple[str | None, int | None, tuple[int, ...]]:
    """``(name, batch, shape)`` of one input spec (``shape`` without the batch); ``batch`` None is dynamic."""
    shape = getattr(spec, "shape", None)
    if shape is None or isinstance(spec, (str, bytes)):
        raise TypeError(
            f"Unsupported x={spec!r} of the type ({type(spec)}) in input_signature. Supported types are: "
            "keras.Input(...), an array, or a spec with `shape` and `dtype` (keras.InputSpec, tf.TensorSpec)."
        )
    try:
        dims = [None if d is None else int(d) for d in shape]
    except (TypeError, ValueError):
        dims = []
    if len(dims) < 2 or any(d is None or d <= 0 for d in dims[1:]) or (dims[0] is not None and dims[0] <= 0):
        raise ValueError(
            f"keras_lite models take (batch, features) inputs (or several dimensions for a Flatten): "
            f"input_signature[{i}] must have a shape (batch or None, width). Received: shape={tuple(shape)}"
        )
    dtype = getattr(spec, "dtype", None)
    dtype_name = str(getattr(dtype, "name", dtype))
    if dtype is not None and dtype_name != "float32":
        raise ValueError(
            f"keras_lite exports float32 models: input_signature[{i}] must be float32. Received: dtype={dtype_name}"
        )
    name = getattr(spec, "name", None)
    # An array or a keras.Input gives the shape only: the batch stays dynamic, as Keras makes it.
    dynamic = isinstance(spec, np.ndarray) or hasattr(spec, "_keras_history")
    shape_after = tuple(int(d) for d in dims[1:] if d is not None)  # none is None (checked above)
    return (name if isinstance(name, str) and name else None), (None if dynamic else dims[0]), shape_after


def _inputs(model: Any, input_signature: Any) -> tuple[Graph, list[int | None]]:
    """The model's graph, with the input names and batch sizes ``input_signature`` gives."""
    specs = None if input_signature is None else [_spec(s, i) for i, s in enumerate(_specs(input_signature))]
    if not model.built:
        if specs is None or len(specs) != 1 or not model.layers:
            raise ValueError(
                "The model provided has never called. It must be built before export: call it on data, fit "
                "it, build it (model.build((None, width))), or start it with keras.Input(shape=(width,))."
            )
        model.build((None, *specs[0][2]))
    inputs, nodes, outputs = model_graph(model)
    if specs is None:
        return (inputs, nodes, outputs), [None] * len(inputs)
    if len(specs) != len(inputs):
        raise ValueError(
            f"input_signature must give one spec per model input: the model has {len(inputs)}. "
            f"Received: {len(specs)} specs"
        )
    for i, ((_, shape), (_, _, given)) in enumerate(zip(inputs, specs)):
        if given != shape:
            has = f"is {shape[0]} wide" if len(shape) == 1 else f"has shape {(None, *shape)}"
            raise ValueError(
                f"input_signature[{i}] does not fit the model: its input {i} {has}. "
                f"Received: shape={(None, *given)}"
            )
    named = [(spec[0] or name, shape) for (name, shape), spec in zip(inputs, specs)]
    return (named, nodes, outputs), [spec[1] for spec in specs]


def onnx_model(model: Any, input_signature: Any = None, opset_version: Any = None) -> Any:
    """The ``onnx.ModelProto`` of ``model``'s inference forward pass, checked by ``onnx.checker``."""
    onnx = _require_onnx()
    from . import _onnx_ops

    opset = _opset(opset_version, onnx)
    (inputs, nodes, outputs), batches = _inputs(model, input_signature)
    g = _onnx_ops.GraphWriter(opset)
    n_in = len(inputs)
    out_names = [f"output_{i}" for i in range(len(outputs))]
    for name in [name for name, _ in inputs] + out_names:
        g.reserve(name)
    names = [name for name, _ in inputs]
    widths = [math.prod(shape) for _, shape in inputs]
    for k, (layer, reads) in enumerate(nodes):
        if any(not 0 <= v < n_in + k for v in reads):
            raise ValueError(
                f"Node {k} ({layer.name!r}) reads a value that is not computed before it: {reads}"
            )
        v = n_in + k
        out = out_names[outputs.index(v)] if v in outputs else g.fresh(layer.name)
        widths.append(
            _onnx_ops.emit_node(g, layer, [names[r] for r in reads], [widths[r] for r in reads], out)
        )
        names.append(out)
    for i, v in enumerate(outputs):
        if names[v] != out_names[i]:  # an input, or a value that is already another output
            g.op("Identity", [names[v]], out_names[i], f"output_{i}")
    batch: list[Any] = [b if b is not None else "batch" for b in batches]
    one_batch = batch[0] if len(set(map(str, batch))) == 1 else "batch"
    graph = onnx.helper.make_graph(
        g.nodes,
        str(model.name),
        [_tensor_info(onnx, name, b, shape) for (name, shape), b in zip(inputs, batch)],
        [_tensor_info(onnx, name, one_batch, (widths[v],)) for name, v in zip(out_names, outputs)],
        initializer=g.initializers,
    )
    opsets = [onnx.helper.make_opsetid("", opset)]
    proto = onnx.helper.make_model(
        graph,
        opset_imports=opsets,
        producer_name="keras_lite",
        producer_version=str(_core.__version__),
        ir_version=onnx.helper.find_min_ir_version_for(opsets),
    )
    onnx.checker.check_model(proto, full_check=True)
    return proto


def _tensor_info(onnx: Any, name: str, batch: Any, shape: tuple[int, ...]) -> Any:
    return onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, [batch, *map(int, shape)])
