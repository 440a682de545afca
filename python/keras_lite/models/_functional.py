"""``Functional``: a `Model` built from ``keras.Input`` tensors and layer calls, as ``keras.Model(inputs, outputs)``.

The layers' calls on KerasTensors (``layers._keras_tensor``) record a graph; ``Functional`` orders it as Keras 3
does (``ops/function.py: map_graph``: by depth from the output, then by the order a depth-first walk from the
output first meets each layer) and builds one core network of it (``_core.Model.graph``), whose model inputs
are the ``Input`` tensors in ``model.inputs`` order, side by side in each row the core reads.
"""

from __future__ import annotations

import collections
import warnings
from typing import Any

import numpy as np

from .. import _data, _data_keras, _keras_config_functional, _keras_config_write
from .._errors import received
from .._unsupported import NotSupportedError, defines
from ..layers import InputLayer, KerasTensor, Layer
from ..layers._flatten import flatten_input, set_shaped, shaped_prefix
from ..layers._input_spec import InputSpec
from ..layers._keras_tensor import _tensor_list
from ..layers._layer import _bind_model
from ..layers._layer_args import _dtype_name
from . import _attributes, _call, _display, _nesting, _network
from ._config import CLASSES
from ._model import Model

_MODEL_HOOKS = ("call", "train_step", "test_step", "predict_step", "compute_loss", "compute_metrics")


def _flatten_readers(inputs: list[KerasTensor], nodes: list[Layer], output: KerasTensor) -> list[Any]:
    """For each input, the Flatten layer that reads it when it has several dimensions (None for a flat one),
    directly or after layers that keep its shape (Rescaling): the model flattens that input's data on the way
    in, in the order of the Flatten's ``data_format``, and those layers compute on the flat values."""
    readers: list[Any] = []
    for t in inputs:
        if len(t.shape) <= 2:
            readers.append(None)
            continue
        flattens, keepers, shaped, seen = [], [], [t._keras_history[0]], False
        while shaped:  # what makes a tensor of the input's shape: its InputLayer, then layers that keep it
            maker = shaped.pop()
            seen = seen or output._keras_history[0] is maker
            for node in nodes:
                if not any(u._keras_history[0] is maker for u in node._inbound[0]):
                    continue
                first = node if isinstance(node, Layer) else shaped_prefix(node._layers)  # a model's first
                if isinstance(first, tuple):
                    keepers.extend(first[0])
                    flattens.append(first[1])
                elif first._keeps_shapes:
                    keepers.append(first)
                    shaped.append(first)
                else:
                    flattens.append(first)
        if seen:
            raise NotSupportedError(
                f"keras_lite models give flat outputs (None, width): input {t._keras_history[0].name!r} of shape {t.shape} reaches "
                "the output without a Flatten. Put a keras.layers.Flatten() before the output."
            )
        if not flattens or len({getattr(layer, "data_format", None) for layer in flattens}) != 1:
            raise NotSupportedError(
                f"keras_lite reads an input of shape {t.shape} through Flatten layers with one data_format: "
                f"input {t._keras_history[0].name!r} is read by {[layer.name for layer in flattens] or 'no layer'}."
            )
        for layer in flattens:
            layer._feature_shape = tuple(t.shape[1:])  # type: ignore[attr-defined]
        set_shaped(keepers, flattens[0], tuple(t.shape[1:]))
        readers.append(flattens[0])
    return readers


def _graph(inputs: list[KerasTensor], output: KerasTensor) -> list[Layer]:
    """The layers from ``inputs`` to ``output`` (InputLayers included) in Keras 3's order, or a ValueError
    naming a tensor the inputs do not reach."""
    first_seen: dict[int, int] = {}
    finished: set[int] = set()
    post: list[Layer] = []  # each layer after the layers it reads
    stack: list[tuple[Layer, bool]] = [(output._keras_history[0], False)]
    while stack:  # a depth-first walk from the output, without recursion (deep chains)
        layer, expanded = stack.pop()
        if id(layer) in finished:
            continue
        if expanded:
            finished.add(id(layer))
            post.append(layer)
            continue
        first_seen.setdefault(id(layer), len(first_seen))
        stack.append((layer, True))
        if layer._inbound is not None:
            for t in reversed(layer._inbound[0]):
                stack.append((t._keras_history[0], False))
    depth: dict[int, int] = {}
    for layer in reversed(post):
        d = depth.setdefault(id(layer), 0)
        if layer._inbound is not None:
            for t in layer._inbound[0]:
                parent = id(t._keras_history[0])
                depth[parent] = max(depth.get(parent, 0), d + 1)
    declared = {id(t._keras_history[0]) for t in inputs}
    for layer in post:
        if isinstance(layer, InputLayer) and id(layer) not in declared:
            raise ValueError(
                f"Output {output!r} is not connected to `inputs`: it depends on the input {layer.name!r}, which "
                f"is not one of the model's inputs. Received: inputs={inputs!r}"
            )
    for t in inputs:  # an input the output does not read: Keras keeps it, at depth 0
        layer = t._keras_history[0]
        if id(layer) not in depth:
            depth[id(layer)], first_seen[id(layer)] = 0, -1
            post.append(layer)
    ordered = sorted(post, key=lambda layer: (-depth[id(layer)], first_seen[id(layer)]))
    # Counted in one pass (a count per name was quadratic: 16,000 layers of a file's config took 4 s).
    for name, count in collections.Counter(layer.name for layer in ordered).items():
        if count != 1:
            raise ValueError(
                f'The name "{name}" is used {count} times in the model. All layer names should be unique.'
            )
    return ordered


def _given(tensors: list[KerasTensor], structure: Any) -> Any:
    """``tensors`` (in Keras's order: a dict's by sorted key) in the structure `_tensor_list` read them from."""
    if structure is None:
        return tensors[0]
    if structure is list:
        return list(tensors)
    by_key = dict(zip(sorted(structure), tensors))
    return {key: by_key[key] for key in structure}


class Functional(Model):
    """A model of a graph of layers, as ``keras.Model(inputs, outputs)`` makes it.

    Args:
        inputs: ``keras.Input`` tensors: one, a list, or a dict by name (``model.inputs`` sorts a dict by key).
        outputs: The output tensor (one output; a list of one is accepted).
        name: Model name (default ``functional``, ``functional_1``, ...).
        trainable: Whether the model's weights are trained.
        device: ``"cpu"``, ``"gpu"`` or ``"auto"``; default ``keras_lite.config``'s setting.

    Example:
        >>> a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
        >>> joined = layers.Concatenate()([layers.Dense(8, activation="relu")(a), b])
        >>> model = keras.Model([a, b], layers.Dense(1)(joined))
        >>> model.fit([xa, xb], y, epochs=10)
    """

    _name_base = "functional"
    _paths_name_model = False

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output's shape for inputs of ``input_shape`` (in the structure of ``model.input``), as Keras's."""
        return _given(_attributes.functional_output_shapes(self, input_shape), self._output_structure)

    def get_build_config(self) -> dict[str, Any]:
        return {"input_shape": None}  # as Keras's (its layers were built when called)

    @property
    def input_spec(self) -> list[InputSpec]:
        """An ``InputSpec`` of each input's shape and name (a dict's keys, sorted), as Keras's."""
        return [
            InputSpec(shape=t.shape, allow_last_axis_squeeze=True, name=name)
            for t, name in zip(self._inputs, self._input_names())
        ]

    @classmethod
    def _refuse_unsupported(cls, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        custom = [hook for hook in _MODEL_HOOKS if defines(cls, hook)]
        if cls is not Functional and custom:
            raise NotSupportedError(
                f"keras_lite does not support Model subclasses that define {', '.join(custom)} yet: its core "
                f"runs the layers and the training step itself. Received: {cls.__name__}"
            )

    def __init__(
        self,
        inputs: Any,
        outputs: Any,
        name: str | None = None,
        trainable: bool = True,
        device: str | None = None,
        dtype: Any = None,
    ) -> None:
        if _dtype_name(dtype) not in (None, "float32"):  # (Keras takes a model's dtype policy)
            raise NotSupportedError(f"keras_lite computes in float32 only. {received('dtype', dtype)}")
        super().__init__(name=name, trainable=trainable, device=device)
        self._inputs, self._input_structure = _tensor_list(inputs, "inputs")
        if isinstance(inputs, dict):
            for k, v in inputs.items():
                if isinstance(v, KerasTensor) and k != v.name:
                    warnings.warn(
                        "When providing `inputs` as a dict, all keys in the dict must match the names of the "
                        f"corresponding tensors. Received key '{k}' mapping to value {v!r} which has name "
                        f"'{v.name}'. Change the tensor name to '{k}' (via `Input(..., name='{k}')`)",
                        UserWarning,
                        stacklevel=2,  # the keras.Model(...) call (type.__call__ has no Python frame)
                    )
        outs, self._output_structure = _tensor_list(outputs, "outputs")
        if len(outs) != 1:
            raise NotSupportedError(
                f"keras_lite does not support models with several outputs yet: give keras.Model one output "
                f"tensor. Received: outputs={outputs!r}"
            )
        self._outputs = outs
        for t in self._inputs:
            if not isinstance(t._keras_history[0], InputLayer):
                raise NotSupportedError(
                    "keras_lite builds Functional models from keras.Input(...) tensors only: an input must not "
                    f"be a layer's output. Received: inputs={inputs!r}"
                )
        if len({id(t) for t in self._inputs}) != len(self._inputs):
            raise ValueError(f"Each input of a model must be a different tensor. Received: inputs={inputs!r}")
        self._all_layers = _graph(self._inputs, outs[0])
        nodes = [layer for layer in self._all_layers if not isinstance(layer, InputLayer)]
        if not nodes:
            raise ValueError(
                f"The model's output is one of its inputs: it needs at least one layer. Received: outputs={outputs!r}"
            )
        self._single_input = len(self._inputs) == 1
        self._readers = _flatten_readers(self._inputs, nodes, outs[0])
        # (not for one input given by name: an array for it takes Keras's structure warning on the general path)
        self._direct_input = (
            self._single_input and self._readers[0] is None and not isinstance(self._input_structure, list)
        )
        self._nodes = nodes  # layers and nested models, in order (self._layers: the models' layers in place)
        self._layers = [
            layer for node in nodes for layer in ([node] if isinstance(node, Layer) else node._layers)
        ]
        _nesting.check_once(self._layers, self)
        self._build()
        for node in nodes:
            if isinstance(node, Layer):
                _bind_model(node, self)
            else:
                _nesting.enter(node, self)

    def _build(self) -> None:
        """Build the core network of the graph, each layer starting from its initializers (or keeping the weights
        it has, built before)."""
        _network.build(
            self, self._wiring()[0], [t._width for t in self._inputs], graph=True, finish=self._apply_device
        )

    # ---- the graph ------------------------------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """Every layer, ``InputLayer`` s included, in Keras's order."""
        return list(self._all_layers)

    @property
    def inputs(self) -> list[KerasTensor]:
        return list(self._inputs)

    @property
    def outputs(self) -> list[KerasTensor]:
        return list(self._outputs)

    @property
    def input(self) -> Any:
        """The input tensors as ``keras.Model`` was given them: one, a list, or a dict by name."""
        return _given(self._inputs, self._input_structure)

    @property
    def output(self) -> Any:
        """The output tensor as ``keras.Model`` was given it: alone, in a list, or in a dict."""
        return _given(self._outputs, self._output_structure)

    @property
    def input_shape(self) -> Any:
        shapes = [t.shape for t in self._inputs]
        return shapes[0] if self._single_input else shapes

    @property
    def output_shape(self) -> tuple[Any, ...]:
        return self._outputs[0].shape

    def predict(self, *args: Any, **kwargs: Any) -> Any:
        """As ``Model.predict``; for a model built with a dict of outputs, the array in a dict by its key, as
        Keras gives it (so is ``model(x)``, and ``fit`` and ``evaluate`` take targets in such a dict)."""
        return self._keyed(super().predict(*args, **kwargs))

    def __call__(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        listed = self._input_structure is list
        if (listed or self._input_structure is None) and listed != isinstance(inputs, (list, tuple)):
            _call.warn_structure([t.name for t in self._inputs], listed, inputs)
        out = super().__call__(inputs, training)
        if isinstance(out, KerasTensor):  # called on tensors: the output in the structure the model was given
            return _given([out], self._output_structure)
        return self._keyed(out)

    def _keyed(self, out: Any) -> Any:
        keys = self._output_structure
        return {keys[0]: out} if isinstance(keys, list) else out

    @property
    def output_names(self) -> list[str]:
        return [t._keras_history[0].name for t in self._outputs]

    def _input_width(self) -> int | None:
        return int(self._net.input_dim)

    def _output_width(self, width: int) -> int:
        """Its output's width (its graph fixes it, whatever the width it is called on, which is checked)."""
        return int(self._outputs[0]._width)

    def _build_on_use(self, width: int) -> None:
        pass

    def _input_names(self) -> list[str]:
        """The inputs' names in ``model.inputs`` order: a dict-built model's keys (sorted, as Keras orders its
        inputs), else the input layers' names. Data dicts and calls on tensors are read by them."""
        keys = self._input_structure
        return sorted(keys) if isinstance(keys, list) else [t._keras_history[0].name for t in self._inputs]

    def _join_inputs(self, x: Any, arg: str) -> np.ndarray:
        """``x`` (an array for one input; a list in ``inputs`` order or a dict by input name) as the core's
        ``(n, Σ widths)`` float32 array, each input's width checked."""
        keys = self._input_structure if isinstance(self._input_structure, list) else None
        names = self._input_names()
        _call.check_structure(self._input_structure, self._inputs, x)
        if keys is not None and isinstance(x, (list, tuple)) and not self._single_input:
            if keys != sorted(keys):
                raise ValueError(
                    f"The structure of `{arg}` doesn't match the expected structure: model {self.name!r} was built "
                    f"from a dict of inputs whose keys {keys} are not sorted, so pass `{arg}` as a dict by those "
                    f"keys. {received(arg, 'a list')}"
                )
            warnings.warn(
                f"The structure of `{arg}` doesn't match the expected structure. Expected: a dict with keys "
                f"{keys}. Received: a list (read in the sorted order of the keys, {names})",
                UserWarning,
                stacklevel=4,
            )
        if isinstance(x, dict):
            parts = _attributes.keyed_values(x, names)
        elif self._single_input:
            one = isinstance(x, (list, tuple)) and len(x) == 1 and hasattr(x[0], "shape")
            parts = [x[0] if one else x]
        elif isinstance(x, (list, tuple)) and len(x) == len(names):
            parts = list(x)
        else:
            got = len(x) if isinstance(x, (list, tuple)) else 1
            raise ValueError(
                f"Model {self.name!r} expects {len(names)} inputs ({', '.join(names)}): pass `{arg}` as a list "
                f"in that order or a dict by name. {received(arg, f'{got} input(s)')}"
            )
        arrays = []
        for i, (t, part) in enumerate(zip(self._inputs, parts)):
            where = arg if self._single_input else f"{arg}[{i}]"
            reader = self._readers[i]  # the Flatten of an input of several dimensions
            part = _data_keras.keras_rank(part, tuple(t.shape[1:]))
            if reader is not None:
                part = flatten_input(reader, _data.to_array(part, where), t.shape[1:], where)
            a = _data.to_matrix(part, where)
            if a.shape[1] != t._width:
                raise ValueError(
                    f"Input {i} with name {t._keras_history[0].name!r} of model {self.name!r} is incompatible with the model: "
                    f"expected shape={t.shape}, found shape={a.shape} in `{where}`"
                )
            arrays.append(a)
        if len(arrays) == 1:
            return arrays[0]
        rows = [a.shape[0] for a in arrays]
        if len(set(rows)) > 1:
            sizes = ", ".join(f"{n!r}: {r}" for n, r in zip(names, rows))
            raise ValueError(
                f"Data cardinality is ambiguous: the inputs of `{arg}` have different numbers of samples "
                f"({sizes}). Make sure all arrays contain the same number of samples."
            )
        return np.ascontiguousarray(np.hstack(arrays), dtype=np.float32)

    # ---- display, saving and export --------------------------------------------------------------------------
    def _export_graph(
        self,
    ) -> tuple[list[tuple[str, tuple[int, ...]]], list[tuple[Layer, list[int]]], list[int]]:
        """The graph ``model.export`` writes (``_onnx_export``), as the core's: the inputs ``(name, shape)`` in
        ``model.inputs`` order (named by their keys for a dict-built model, as its data is), every layer but the
        InputLayers, in order, with the values it reads (input ``i`` is value ``i``, the ``j``-th such layer's
        result value ``n_inputs + j``), and the output's value."""
        names = self._input_names()
        nodes, outputs = self._wiring()
        return [(name, tuple(t.shape[1:])) for name, t in zip(names, self._inputs)], nodes, outputs

    def _wiring(self) -> tuple[list[tuple[Layer, list[int]]], list[int]]:
        """Every layer but the InputLayers, in order (a nested model's layers in its place), with the values it
        reads, and the outputs' values, in the core's numbering: input ``i`` is value ``i``, the ``j``-th layer's
        result value ``n_inputs + j``."""
        value = {id(t._keras_history[0]): i for i, t in enumerate(self._inputs)}
        wiring = _network.Wiring(len(self._inputs))

        def reads(tensors: list[KerasTensor]) -> list[int]:
            return [value[id(t._keras_history[0])] for t in tensors]

        for node in self._nodes:
            value[id(node)] = wiring.place(node, reads(node._inbound[0]))
        return wiring.layers, reads(self._outputs)

    def _sequential_like(self) -> bool:
        """Whether Keras prints the summary without its ``Connected to`` column: one layer per depth, each
        reading one tensor (a chain from a single input)."""
        return self._single_input and all(
            len(layer._inbound[0]) == 1 and layer._inbound[0][0]._keras_history[0] is self._all_layers[i]
            for i, layer in enumerate(self._all_layers[1:])
        )

    def _summary_rows(
        self, expand: bool, layer_range: Any = None
    ) -> tuple[list[tuple[str, str, str, int | None]], list[str] | None, list[str]]:
        rows = _display.rows(self._all_layers, expand, layer_range=layer_range)
        connected = [
            "-"
            if level or isinstance(layer, InputLayer)  # a nested model's layers: none of this graph's calls
            else ", ".join(f"{t._keras_history[0].name}[0][0]" for t in layer._inbound[0])
            for _, layer, level in rows
        ]
        marks = [_display.trainable_mark(layer) for _, layer, _ in rows]
        return [row for row, _, _ in rows], None if self._sequential_like() else connected, marks

    def _keras_config(self, shape: tuple[int, ...] | None = None) -> dict[str, Any]:
        """The config.json tree (its inputs give its shape, so ``shape``, which a Sequential gives the model
        it nests, changes nothing)."""
        return _keras_config_write.functional_config(self)

    def _init_from_config(
        self, tree: Any, max_params: int | None = None, training_only: list[str] | None = None
    ) -> None:
        inputs, outputs, trainable, name = _keras_config_functional.functional_from_config(
            tree, max_params, training_only
        )
        Functional.__init__(self, inputs, outputs, name=name, trainable=trainable)

    def __repr__(self) -> str:
        return f"<Functional name={self.name}, built=True>"


Model._functional = CLASSES["Functional"] = Functional
