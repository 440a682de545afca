"""``Sequential``: a `Model` whose layers form a stack, added and popped in order and built on first use."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from .. import _data, _data_keras, _keras_config_sequential, _keras_config_write, _saving
from .._errors import received
from .._structure_lock import _changes_structure
from .._unsupported import MissingKerasName, NotSupportedError, defines
from ..layers import InputLayer, KerasTensor, Layer
from ..layers._flatten import flatten_input, set_shaped, shaped_prefix
from ..layers._keras_tensor import graph_call
from ..layers._layer import _bind_model
from ..layers._layer_args import _build_width, _shape_arg
from . import _attributes, _display, _nesting, _network
from ._config import CLASSES
from ._model import Model

_MODEL_HOOKS = ("call", "train_step", "test_step", "predict_step", "compute_loss", "compute_metrics")
_NO_LAYERS = "Sequential model {} cannot be built because it has no layers. Call `model.add(layer)`."


class Sequential(Model):
    """A linear stack of layers, as ``keras.Sequential``.

    Args:
        layers: Layers to add, in order; the first may be ``keras.Input(shape=...)`` or carry ``input_shape=``.
        trainable: Whether the model's weights are trained.
        name: Model name (default ``sequential``, ``sequential_1``, ...).
        device: ``"cpu"``, ``"gpu"`` or ``"auto"`` for this model; default ``keras_lite.config``'s setting.

    Example:
        >>> model = keras.Sequential([layers.Dense(4, activation="relu", input_shape=[2]), layers.Dense(1)])
        >>> model.compile(optimizer="adam", loss="mae")
        >>> history = model.fit(x, y, epochs=10, verbose=0)
    """

    _name_base = "sequential"

    @classmethod
    def _refuse_unsupported(cls, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Refuse a subclass that defines its own step or call: the core would not run it."""
        if cls is Sequential:
            return
        custom = [hook for hook in _MODEL_HOOKS if defines(cls, hook)]
        if custom:
            raise NotSupportedError(
                f"keras_lite does not support Sequential subclasses that define {', '.join(custom)} yet: its core "
                f"runs the layers and the training step itself, so they would be ignored. Received: {cls.__name__}"
            )

    def __init__(
        self, layers: Any = None, trainable: bool = True, name: str | None = None, device: str | None = None
    ) -> None:
        super().__init__(name=name, trainable=trainable, device=device)
        self._input_layer: InputLayer | None = None
        # The layers as given, nested models among them (self._layers: the models' layers in their place).
        self._items: list[Any] = []
        if layers is not None:
            if isinstance(layers, (Layer, str, bytes, dict)) or not isinstance(layers, Iterable):
                raise ValueError(f"Sequential expects a list of layers. {received('layers', layers)}")
            layers = list(layers)  # Keras adds the layers of any iterable (a generator too)
            model_refs = {id(layer): layer._model_ref for layer in layers if isinstance(layer, Layer)}
            try:
                names: set[str] = set()  # the names so far: checking each against a list is quadratic
                ids: set[int] = set()  # the layers so far, likewise (thousands of nested models)
                for layer in layers:
                    self._add(layer, rebuild=False, names=names, ids=ids)
                self._maybe_rebuild()
            except BaseException:  # the layers do not stay bound to a model that was never made
                for layer in self._items:
                    if isinstance(layer, Layer):
                        layer._model_ref = model_refs.get(id(layer))
                raise

    # ---- structure ----------------------------------------------------------------------------------
    @_changes_structure("add a layer")
    def add(self, layer: Any, rebuild: bool = True) -> None:
        """Append a layer (or ``keras.Input(...)`` as the first item), or a model."""
        _nesting.refuse_change(self, "add a layer to")
        self._add(layer, rebuild, None)

    def _add(self, layer: Any, rebuild: bool, names: set[str] | None, ids: set[int] | None = None) -> None:
        """``add``; ``names`` and ``ids``, when given, hold the names of ``self._items`` and the ids of
        ``self._layers`` (and get this item's)."""
        if isinstance(layer, KerasTensor):
            layer = layer._keras_history[0]
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self._items:
                raise InputLayer._second(self.name, self._input_layer)
            self._input_layer = layer
            if rebuild:
                self._maybe_rebuild()
            return
        nested = isinstance(layer, Model)
        if nested:
            _nesting.check_item(self, layer)
        elif not isinstance(layer, Layer):
            raise ValueError(
                f"Only instances of `keras.Layer` can be added to a Sequential model. Received: {layer} (of type {type(layer)})"
            )
        if (layer.name in names) if names is not None else any(e.name == layer.name for e in self._items):
            raise ValueError(
                f"All layers added to a Sequential model should have unique names. Name '{layer.name}' is already the name of a layer in this model. Update the `name` argument to pass a unique name."
            )
        added = layer._layers if nested else [layer]
        if nested:  # (a layer added twice has a name already used)
            if ids is None:
                _nesting.check_once([*self._layers, *added], self)
            else:
                _nesting.check_once(added, self, ids)
        input_layer, model_ref = self._input_layer, None if nested else layer._model_ref
        if not self._items and self._input_layer is None:
            dims = _nesting.input_dims(layer) if nested else layer._input_shape_arg
            if dims is not None:
                self._input_layer = InputLayer(shape=dims)
        self._items.append(layer)
        self._layers.extend(added)
        if names is not None:
            names.add(layer.name)
        if ids is not None:
            ids.update(id(x) for x in added)
        if nested:
            _nesting.enter(layer, self)
        else:
            _bind_model(layer, self)
        if rebuild:
            net = self._net
            if self._only_shape_keepers():
                # `add(Input((28, 28)))`, `add(Rescaling(1 / 255))`, then `add(Flatten())`: Keras takes the
                # layers one by one; the model is built once a Flatten makes its output flat.
                return
            try:
                self._maybe_rebuild()
            except BaseException:
                if self._net is net:  # refused before the model changed (a width, a size): leave it as it was
                    self._items.pop()
                    del self._layers[len(self._layers) - len(added) :]
                    self._input_layer = input_layer
                    if not nested:
                        layer._model_ref = model_ref
                raise

    @_changes_structure("pop a layer")
    def pop(self, rebuild: bool = True) -> Layer:
        """Remove and return the last layer (or model). The model is rebuilt at once, its other layers keeping
        their weights, whatever ``rebuild`` says: with ``rebuild=False`` Keras leaves it unbuilt until its next
        ``build`` or ``fit``, which keep the weights too, and never runs the removed layer."""
        _nesting.refuse_change(self, "pop a layer from")
        if not self._items:
            raise IndexError("There are no layers in the model.")
        built_on = self._build_input_shape()
        layer = self._items.pop()
        # Keras keeps the build's shape (and the path) of a model whose last layer is popped.
        self._popped_build_shape = None if self._items else built_on
        if isinstance(layer, Model):
            del self._layers[len(self._layers) - len(layer._layers) :]
        else:
            self._layers.pop()
            layer._model_ref = None
            if getattr(layer, "_graph_owner", None) == self.name:  # its call in this model's graph is void
                layer._inbound = layer._outbound = layer._graph_owner = None
        if self._only_shape_keepers():
            self._net = None  # unbuilt until a Flatten comes, as `add` leaves it
        else:
            self._maybe_rebuild()
        if self._net is None:  # built again from its next data, maybe of another width
            self._graph_input: InputLayer | None = None
        return layer

    def _only_shape_keepers(self) -> bool:
        """Whether the model has an input of several dimensions and only layers that keep its shape (a
        Rescaling), which no keras_lite model can output: it stays unbuilt until a Flatten comes."""
        return (
            bool(self._layers) and self._input_dims() is not None and shaped_prefix(self._layers)[1] is None
        )

    def _maybe_rebuild(self) -> None:
        if self._input_layer is not None and self._layers:
            self._build(math.prod(self._input_layer.shape))
        elif self._net is not None and self._layers:
            self._build(self._net.input_dim)
        elif not self._layers:
            self._net = None

    def _build(self, width: int) -> None:
        """Build (or rebuild) the core network for inputs of ``width``, keeping built layers' weights."""
        dims = self._input_dims()
        keepers, entry = shaped_prefix(self._layers)
        if dims is not None and (entry is None or not entry._takes_shapes):
            if entry is None:  # only layers that keep the shape: the output would have it
                raise NotSupportedError(
                    f"keras_lite models give flat outputs (None, width), so layer {keepers[-1].name!r} "
                    f"({type(keepers[-1]).__name__}) cannot end a model whose input has shape {(None, *dims)}: "
                    "put a keras.layers.Flatten() after it."
                )
            raise NotSupportedError(
                f"keras_lite layers take flat feature vectors (None, width), so layer {entry.name!r} "
                f"({type(entry).__name__}) cannot take the input shape {(None, *dims)}: put a "
                f"keras.layers.Flatten() {'before it' if keepers else 'first'}."
            )
        _nesting.prepare(self._items, width)
        wiring, _ = self._wiring()
        # The Flatten that reads an input of several dimensions, and the layers before it, know its shape before
        # the build (a Rescaling's factors are laid out over it); a refused build leaves them as they were.
        shaped = [layer for layer, _ in wiring if layer._takes_shapes or layer._keeps_shapes]
        before = [(layer._feature_shape, getattr(layer, "_flattener", None)) for layer in shaped]  # type: ignore[attr-defined]
        for layer in shaped:
            reads = dims if layer is entry or any(layer is k for k in keepers) else None
            if layer._takes_shapes:
                layer._feature_shape = reads  # type: ignore[attr-defined]
            else:
                set_shaped([layer], entry, reads)
        old = self._net
        try:
            _network.build(self, wiring, [width], graph=False, finish=self._finish_build)
        finally:
            if self._net is old:  # refused before the model took a new network: the layers as they were
                for layer, (shape, flattener) in zip(shaped, before):
                    layer._feature_shape = shape  # type: ignore[attr-defined]
                    if layer._keeps_shapes:
                        layer._flattener = flattener  # type: ignore[attr-defined]
            else:  # (also when its device or its compile refused it: the model has it, as before)
                self._direct_input = dims is None

    def _finish_build(self, net: Any) -> None:
        self._apply_device(net)  # (a new network, before the model takes it: see _network.build)
        if _attributes.input_source(self) is None:  # named now, as Keras's
            self._graph_input = InputLayer(shape=(net.input_dim,))
        if self.compiled:
            self._compile_core(net)

    def _wiring(self) -> tuple[list[tuple[Layer, list[int]]], list[int]]:
        """Every layer in order (a nested model's layers in its place, as its own wiring has them) with the
        values it reads, and the output's value (see ``_network``)."""
        wiring, value = _network.Wiring(1), 0
        for item in self._items:
            value = wiring.place(item, [value])
        return wiring.layers, [value]

    @_changes_structure("build the model")
    def build(self, input_shape: Any = None) -> None:
        """Build for inputs of ``input_shape``: ``(None, width)``, or ``(None, 28, 28)`` before a Flatten."""
        input_layer, dims = self._input_layer, self._input_dims()
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError("You must provide an `input_shape` argument.")
            width = math.prod(self._input_layer.shape)
        elif isinstance(input_shape, (list, tuple)) and len(input_shape) > 2:  # (None, 28, 28): for a Flatten
            dims = _shape_arg(input_shape[1:], "input_shape", nd=True)
            input_layer = InputLayer(shape=dims) if self._net is None else input_layer
            width = math.prod(dims)
        else:
            width, dims = _build_width(input_shape), None
        if not self._layers:
            raise ValueError(_NO_LAYERS.format(self.name))
        if self._net is not None and (width != self._net.input_dim or dims != self._input_dims()):
            # Rebuilding would start the layers whose shapes change from their initializers again.
            raise ValueError(
                f"Sequential model {self.name!r} has already been built for input shape {self.input_shape}; it "
                f"cannot be built again for another. {received('input_shape', input_shape)}"
            )
        old, self._input_layer = self._input_layer, input_layer
        try:
            self._build(width)
        except BaseException:
            self._input_layer = old
            raise

    def _build_on_use(self, width: int) -> None:
        if self._net is None:
            if not self._layers:
                raise ValueError("Sequential model has no layers; add layers before using it.")
            self._build(width)

    def _input_width(self) -> int | None:
        if self._net is not None:
            return self._net.input_dim
        return math.prod(self._input_layer.shape) if self._input_layer else None

    def _input_dims(self) -> tuple[int, ...] | None:
        """The input's dimensions when it has several (``(28, 28)``, which a Flatten reads), else None."""
        dims = self._input_layer.shape if self._input_layer is not None else None
        return dims if dims is not None and len(dims) > 1 else None

    def _join_inputs(self, x: Any, arg: str) -> np.ndarray | None:
        """``x`` flattened when the first layer is a Flatten that reads inputs of several dimensions (a model
        built on first use takes them from the data, as Keras does); None for flat inputs."""
        if self._only_shape_keepers():
            self._build(self._input_width() or 0)  # refused: no layer flattens the input's shape
        first = shaped_prefix(self._layers)[1]  # the Flatten, after any layers that keep the input's shape
        dims = self._input_dims()
        settled_flat = dims is None and (self._input_layer is not None or self._net is not None)
        if first is None or not first._takes_shapes or settled_flat:
            return None
        array = _data_keras.keras_rank(_data.to_array(x, arg), dims)
        if dims is None:
            if array.ndim <= 2:
                return _data.to_matrix(array, arg)
            if 0 in array.shape:
                raise ValueError(f"`{arg}` is empty: it has shape {array.shape}.")
            dims = (input_layer := InputLayer(shape=array.shape[1:])).shape
            self._input_layer = input_layer
        return _data.to_matrix(flatten_input(first, array, dims, arg), arg)

    @property
    def input_shape(self) -> tuple[Any, ...]:
        if self._net is None:
            raise AttributeError(f"Sequential model {self.name!r} has no defined input shape yet.")
        return (None, *(self._input_dims() or (self._net.input_dim,)))

    @property
    def output_shape(self) -> tuple[Any, ...]:
        if self._net is None:
            raise AttributeError(f"Sequential model {self.name!r} has no defined output shape yet.")
        return (None, self._net.output_dim)

    @property
    def input(self) -> Any:
        """The tensor the model was called on in a Functional graph, as Keras gives it (the model's own input
        tensor is ``inputs[0]``)."""
        return _nesting.called_io(self, "input")

    @property
    def output(self) -> Any:
        """The tensor the model's call in a Functional graph made, as Keras gives it (see `outputs`)."""
        return _nesting.called_io(self, "output")

    @property
    def inputs(self) -> list[KerasTensor]:
        """The input tensor of the graph the model makes of its layers once built (see `_graph`)."""
        return [self._graph("inputs")[0]]

    @property
    def outputs(self) -> list[KerasTensor]:
        """The output tensor of the graph the model makes of its layers once built (see `_graph`)."""
        return [self._graph("outputs")[1]]

    def _graph(self, which: str) -> tuple[KerasTensor, KerasTensor]:
        """The built model as a graph, as Keras's Sequential keeps one: its input tensor (``keras.Input``'s, or
        a new input layer's) and each layer called on the last one's output, so ``layer.output`` is defined and
        ``keras.Model(model.inputs, model.layers[-2].output)`` shares the layers. Layers added since the last
        call are called on now; a layer is called once, so one called on other tensors is refused."""
        if self._net is None:
            raise AttributeError(f"Sequential model {self.name!r} has no defined {which} yet.")
        if (source := _attributes.input_source(self)) is None:
            source = self._graph_input = InputLayer(shape=self.input_shape[1:])
        x = first = source.output
        for item in self._items:
            # Refusals are AttributeErrors too, so that hasattr() and getattr(..., default) answer.
            if isinstance(item, Model):
                raise MissingKerasName(
                    f"keras_lite does not support the graph ({which}, layer inputs and outputs) of a Sequential "
                    f"that holds a model yet: model {item.name!r} is in {self.name!r}."
                )
            if item._inbound is None:
                item(x)
                item._graph_owner = self.name
            elif item._inbound[0] != [x]:
                raise MissingKerasName(
                    f"keras_lite calls a layer once (sharing weights is not supported yet): layer {item.name!r} "
                    f"of {self.name!r} was called on {item._inbound[0]!r}{graph_call(item)}, so the model "
                    f"cannot call it on {x!r} to give its {which}."
                )
            x = item._outbound
        return first, x

    @property
    def layers(self) -> list[Any]:
        """The layers as added: a nested model is one of them."""
        return list(self._items)

    def _summary_rows(
        self, expand: bool, layer_range: Any = None
    ) -> tuple[list[tuple[str, str, str, int | None]], None, list[str]]:
        rows = _display.rows(self._items, expand, layer_range=layer_range)
        return [row for row, _, _ in rows], None, [_display.trainable_mark(layer) for _, layer, _ in rows]

    def _known_input_shape(self) -> tuple[Any, ...] | None:
        """``(None, *dims)``: the input shape it is built on (or its Input's); None before it has either."""
        if self._net is not None:
            return (None, *(self._input_dims() or (self._net.input_dim,)))
        return None if self._input_layer is None else (None, *self._input_layer.shape)

    def _build_input_shape(self) -> tuple[Any, ...] | None:
        # Keras has built a Sequential of an Input and no layer on nothing yet.
        if self._net is None and not self._items:
            return self._popped_build_shape
        return self._known_input_shape()

    _popped_build_shape: tuple[Any, ...] | None = None

    compute_output_shape = _attributes.sequential_output_shape

    def _keras_config(self, shape: tuple[int, ...] | None = None) -> dict[str, Any]:
        """The config.json tree; ``shape``: the input shape a model it is nested in gives it, when it has none."""
        built = self._known_input_shape()  # (an Input and no layer yet, or none left: Keras writes it)
        if built is not None:
            shape = tuple(built[1:])
        source = _attributes.input_source(self)
        input_name = None if source is None else source.name
        tree = _keras_config_write.sequential_config(
            self.name, self.trainable, self._items, shape, input_name
        )
        if self._net is None and not self._items:  # not built: Keras writes no build config
            tree["config"].pop("build_input_shape", None)
            tree.pop("build_config", None)
        return tree

    def _init_from_config(
        self, tree: Any, max_params: int | None = None, training_only: list[str] | None = None
    ) -> None:
        layers, _, name = _keras_config_sequential.sequential_from_config(tree, max_params, training_only)
        Sequential.__init__(self, layers, name=name)  # (as Keras's from_config: its own `trainable` unread)

    def __repr__(self) -> str:
        return f"<Sequential name={self.name}, built={self.built}>"


CLASSES["Sequential"] = Sequential


def load_model(
    filepath: Any, custom_objects: Any = None, compile: bool = True, safe_mode: bool = True
) -> Model:
    """Load a model saved with ``model.save`` by keras_lite or Keras 3 (a ``.keras`` file).

    Args:
        filepath: Path to a ``.keras`` file, or a readable binary file object.
        custom_objects: Accepted for Keras compatibility; keras_lite runs its own layers only, so a file
            that needs custom objects fails with a ``ValueError`` naming them.
        compile: Whether to compile the model as it was saved and restore the optimizer state.
        safe_mode: Accepted for Keras compatibility; keras_lite never runs code from a file.

    Returns:
        A ``Sequential``, or the ``Functional`` model ``keras.Model(inputs, outputs)`` made, with the saved weights
        (compiled, with its optimizer state, when ``compile``).

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: the file is truncated, corrupted, not a ``.keras`` file, or uses something keras_lite
            does not support; the message names the file and the problem.
    """
    return _saving.load_model(Sequential, filepath, custom_objects, compile, safe_mode)
