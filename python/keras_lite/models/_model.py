"""``Model``: the graph (the layers, and the core network that holds their weights) and the training methods.

keras_lite builds models with `Sequential` (``_sequential``), which adds, pops and builds the layers. ``Model``
holds what does not depend on how they were put together: the weights, compile, fit, evaluate, predict and
``model(x)`` (their argument handling is in ``_trainer``), ``summary``, and saving.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from .. import _onnx_export, _saving, config
from .. import losses as losses_module
from .._errors import ArgumentTypeError, boolean
from .._structure_lock import _STRUCTURE_LOCK, _changes_structure, _refuse_while_fitting, _tracks_fit
from .._tensor import Tensor
from .._unsupported import NotSupportedError
from ..layers import Layer
from ..layers._attributes import _HOLDING, forget_activity_losses
from ..layers._layer import _bind_model, _named
from . import _call, _compile, _display, _nesting, _on_batch, _ownership, _trainer, _weight_values
from ._attributes import ModelAttributes
from ._config import ConfigMethods

_ndarray = np.ndarray  # the predict fast path's type test, without two lookups a call


class Model(_compile.CompileState, ConfigMethods, _nesting.AsLayer, _ownership.Holder, ModelAttributes):
    """``keras.Model``: the base class of `Sequential` and `Functional`, so ``isinstance(model, keras.Model)``
    holds for both.

    ``keras.Model(inputs, outputs)`` makes a `Functional` model (the Functional API). Model subclassing (a
    ``keras.Model`` subclass with its own ``call``, or a ``Sequential`` subclass that defines its own ``call``
    or ``train_step``) raises `NotSupportedError` until keras_lite supports it.
    """

    _fits = 0  # fit calls running on this model now (see _tracks_fit); structure changes wait for 0
    history: Any  # the last fit's History, set by it (a model that never trained has none, as in Keras)
    _name_base = "model"  # automatic names are this, then this_1, ...
    dtype = compute_dtype = variable_dtype = input_dtype = "float32"  # Keras's dtype attributes
    export = _onnx_export.export  # Keras 3.8+'s model.export(filepath, format="onnx", ...)

    _functional: Any = None  # models._functional.Functional, what keras.Model(inputs, outputs) makes
    _single_input = True  # whether x is one array
    _paths_name_model = True  # whether weight paths start with the model's name (not a Functional's)

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            return super().__new__(Model._functional)
        cls._refuse_unsupported(args, kwargs)
        return super().__new__(cls)

    @classmethod
    def _refuse_unsupported(cls, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """Refuse model subclassing, which keras_lite does not run yet (`Sequential` and `Functional` take over
        for their own subclasses)."""
        use = "keras.Sequential([...]) or keras.Model(inputs, outputs) from keras.Input(...) and layer calls"
        what = (
            "keras.Model() (a subclassed model's base)"
            if cls is Model
            else f"model subclassing ({cls.__name__})"
        )
        raise NotSupportedError(
            f"keras_lite does not support {what} yet: its core runs graphs of its built-in layers. "
            f"Build the model as {use}."
        )

    def __init__(self, name: str | None = None, trainable: bool = True, device: str | None = None) -> None:
        self._device = None if device is None else config._normalize_device(device)
        self.name = _named(name, self._name_base)
        self._layers: list[Layer] = []
        self._net: Any = None  # the _core.Model holding the weights and the optimizer state, once built
        self._trainable = boolean("trainable", trainable)
        self.stop_training = False
        self._initial_epoch: int | None = None  # where a callback (BackupAndRestore) makes fit start
        self._optimizer: Any = None
        self.loss: Any = None  # compile()'s `loss` (assigning it changes nothing, as in Keras)
        self._compiled_loss: Any = None  # what compile() was given: what training uses and files hold
        self._loss_obj: losses_module.Loss | None = None
        self._logits_warned: set[str] = set()  # see _compile.warn_if_output_is_not_logits
        self._untrainable_warned = False  # see _compile.trains_nothing
        self._metrics_built = False  # see _compile.first_use
        self._core_loss: losses_module.Loss | None = (
            None  # the loss the core computes (what "crossentropy" chose)
        )
        self._target_width: int | None = None  # y's columns when fit/evaluate first saw them after compile
        self._compile_metrics: list[Any] = []  # compile()'s `metrics`, as given
        self._compile_weighted: list[Any] = []  # compile()'s `weighted_metrics`
        self._loss_weight = 1.0  # compile()'s `loss_weights`, which multiplies the loss
        self._metric_names: list[str] = []  # the keys of the core's results: "loss", then each metric's name
        self._metric_bases: list[
            str
        ] = []  # each one's own name, before Keras's numbering and weighted_ prefix
        self._metric_sizes: list[int] = []  # how many values each metric reports (after the loss)
        self._metrics_given = False
        self._compile_given: dict[str, Any] = {}  # compile()'s loss, metrics, weighted_metrics as given
        self.compiled = False
        self.compiled_loss: Any = None
        self.compiled_metrics: Any = None

    def _ensure_built(self, width: int, train: bool = False) -> None:
        """Build the model for inputs of ``width`` unless it is built, and have its network hold all its layers'
        weights (``train``: the caller is about to train them)."""
        self._build_on_use(width)
        if self._stale:
            _ownership.claim(self, train)

    # What the structure (Sequential, Functional) provides.
    def _input_width(self) -> int | None:
        """The width inputs must have (None until the model knows it)."""
        raise NotImplementedError

    def _build_on_use(self, width: int) -> None:
        """Build the model for inputs of ``width`` unless it is built."""
        raise NotImplementedError

    def _join_inputs(self, x: Any, arg: str) -> np.ndarray | None:
        """``x`` as the core's array, or None where it is one flat array (not several, none a Flatten reads)."""
        return None

    @classmethod
    def _class_for(cls, tree: Any) -> Any:
        """The class a file's config.json tree describes: Functional for ``"Functional"``, else ``cls``."""
        functional = isinstance(tree, dict) and tree.get("class_name") == "Functional"
        return Model._functional if functional else cls

    def _init_from_config(
        self, tree: Any, max_params: int | None = None, training_only: list[str] | None = None
    ) -> None:
        """Initialize this blank instance as a Keras 3 ``config.json`` tree describes (what loading reads)."""
        raise NotImplementedError

    # ---- the graph ----------------------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    @property
    def built(self) -> bool:
        return self._net is not None

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        if value is not self._trainable:  # (Keras on TensorFlow skips assigning the value it holds)
            self._trainable = boolean("trainable", value)
            for layer in self.layers:  # (a Functional model's InputLayers too, as Keras freezes them)
                layer.trainable = self._trainable
            for inner in _nesting.nested_models(self):
                inner._trainable = self._trainable

    def _apply_device(self, net: Any) -> None:  # (net: a network being built, before the model takes it)
        requested = self._device or config.default_device()
        if net is not None and config.resolve_device(requested) == "gpu":
            net.set_device("gpu", config._software_allowed())

    @property
    def device(self) -> str:
        """Where this model computes: ``"cpu"`` or ``"gpu"``."""
        return "cpu" if self._net is None else str(self._net.device[0])

    @_changes_structure("move the model to another device")
    def to(self, device: str) -> Model:
        """Move the model (weights and optimizer state) to ``"cpu"``, ``"gpu"`` or ``"auto"``; returns it."""
        self._device = config._normalize_device(device)
        if self._net is not None:
            target = config.resolve_device(self._device)
            self._net.set_device(target, config._software_allowed())
        return self

    # ---- weights ------------------------------------------------------------------------------------
    @property
    def weights(self) -> list[Any]:
        return [v for layer in self._layers for v in layer.weights]

    @property
    def variables(self) -> list[Any]:
        return self.weights

    @property
    def trainable_weights(self) -> list[Any]:
        # A model made with trainable=False trains none of its weights, whatever its layers say (Keras 3).
        return [v for v in self.weights if v.trainable] if self._trainable else []

    @property
    def non_trainable_weights(self) -> list[Any]:
        return [v for v in self.weights if not v.trainable] if self._trainable else list(self.weights)

    # Keras 3's other names for them.
    trainable_variables, non_trainable_variables = trainable_weights, non_trainable_weights

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every weight, layer by layer (Keras order)."""
        return _weight_values.get(self)

    def set_weights(self, weights: list[Any]) -> None:
        """Set every weight; the count and each shape must match exactly."""
        _weight_values.set_all(self, weights)

    def count_params(self) -> int:
        """Number of weight values."""
        if self._net is None:
            raise ValueError(  # Keras 3.15.1's words, which call the model a layer
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't built. "
                "You can build it manually via: `layer.build(input_shape)`."
            )
        return int(sum(int(np.prod(v.shape)) for v in self.weights))

    # ---- compile ------------------------------------------------------------------------------------
    @_changes_structure("compile the model (it would replace the loss, metrics and optimizer fit is using)")
    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        loss_weights: Any = None,
        metrics: Any = None,
        weighted_metrics: Any = None,
        run_eagerly: bool = False,
        steps_per_execution: int = 1,
        jit_compile: Any = "auto",
        auto_scale_loss: bool = True,
    ) -> None:
        """Configure training: optimizer, loss and metrics (Keras names and defaults).

        ``run_eagerly``, ``steps_per_execution``, ``jit_compile`` and ``auto_scale_loss`` are accepted for
        Keras compatibility and change nothing: the core runs every step the same way.

        Args:
            optimizer: Name (any case) or ``keras_lite.optimizers`` instance; default ``"rmsprop"``.
            loss: Name, ``keras_lite.losses`` function or instance.
            loss_weights: A number (or a list or dict of one) that multiplies the loss; default 1.
            metrics: List of metric names or instances.
        """
        _compile.compile(self, optimizer, loss, loss_weights, metrics, weighted_metrics)

    def _compile_core(self, net: Any = None) -> None:
        """Compile a newly built core network (``net``; else the model's) as the model was compiled."""
        assert self._loss_obj is not None
        net, opt = self._net if net is None else net, self.optimizer
        _compile.compile_net(self, net, opt, self._loss_obj, self._compile_metrics, self._target_width)

    # ---- training and inference ---------------------------------------------------------------------
    @_tracks_fit
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: Any = None,
        epochs: int = 1,
        verbose: Any = "auto",
        callbacks: Any = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: bool = True,
        class_weight: Any = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
        steps_per_epoch: Any = None,
        validation_steps: Any = None,
        validation_batch_size: Any = None,
        validation_freq: int = 1,
    ) -> Any:
        """Train for ``epochs`` epochs (Keras semantics; the loop runs in Rust with the GIL released).

        Returns:
            A ``History`` whose ``.history`` maps each metric (and ``val_`` metric) to per-epoch floats.
        """
        validates = validation_data is not None or bool(validation_split)
        forget_activity_losses(self)
        _compile.first_use(self, ("train", "test") if validates else ("train",))
        return _trainer.fit(
            self,
            x,
            y,
            batch_size,
            epochs,
            verbose,
            callbacks,
            validation_split,
            validation_data,
            shuffle,
            class_weight,
            sample_weight,
            initial_epoch,
            steps_per_epoch,
            validation_steps,
            validation_batch_size,
            validation_freq,
        )

    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: Any = None,
        verbose: Any = "auto",
        sample_weight: Any = None,
        steps: Any = None,
        callbacks: Any = None,
        return_dict: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Loss (and metrics) on ``(x, y)`` in inference mode: a float, a list, or a dict."""
        if kwargs:  # Keras's ValueError (its evaluate takes **kwargs); a TypeError too, as Python's own
            raise ArgumentTypeError(f"Arguments not recognized: {kwargs}")
        _compile.first_use(self, ("test",))
        forget_activity_losses(self)
        return _trainer.evaluate(
            self, x, y, batch_size, verbose, sample_weight, steps, callbacks, return_dict
        )

    def predict(
        self, x: Any, batch_size: Any = None, verbose: Any = "auto", steps: Any = None, callbacks: Any = None
    ) -> np.ndarray:
        """Predictions for ``x`` as a float32 NumPy array of shape ``(n, units)``."""
        if _HOLDING:  # (tested here: a call costs more than the test on the one-row fast path)
            forget_activity_losses(self)
        if (
            type(x) is _ndarray
            and verbose == 0
            and batch_size is None
            and steps is None
            and callbacks is None
        ):
            # Fast path for services: a float32 C-contiguous (n, width) array goes straight to the core;
            # anything else (or any error) takes the general path, which converts or explains. An empty
            # array takes that path too, which refuses it whatever its dtype.
            net = self._net
            if net is not None and x.size and self._fast:
                try:
                    return net.predict(x)
                except (TypeError, ValueError):
                    pass
        return _trainer.predict(self, x, batch_size, verbose, steps, callbacks)

    # Keras 3's one-batch calls (a batch as given, no callbacks, metrics afresh at each call).
    train_on_batch = _on_batch.train_on_batch
    test_on_batch = _on_batch.test_on_batch
    predict_on_batch = _on_batch.predict_on_batch

    def __call__(self, inputs: Any, training: Any = None, mask: Any = None) -> Tensor:
        """Apply the model: a float32 NumPy array that also has Keras's ``.numpy()``. With ``training=True``,
        Dropout and BatchNormalization run in training mode, as in Keras (see ``_call``). A ``mask`` changes no
        output of keras_lite's layers (Keras's pass it on unread), so it is taken and not used."""
        if _HOLDING:
            forget_activity_losses(self)
        if training:
            return _call.call_training(self, inputs)
        net = self._net
        array = type(inputs) is _ndarray or type(inputs) is Tensor
        if net is not None and array and inputs.size and self._fast:
            try:  # (an empty array is refused by the general path)
                return net.predict(inputs, Tensor)
            except (TypeError, ValueError):
                pass
        return _trainer.call(self, inputs, training)

    # ---- display ------------------------------------------------------------------------------------
    def summary(
        self,
        line_length: Any = None,
        positions: Any = None,
        print_fn: Any = None,
        expand_nested: bool = False,
        show_trainable: bool = False,
        layer_range: Any = None,
    ) -> None:
        """Print the layer table in Keras 3's layout (with a ``Connected to`` column for a graph), each nested
        model's layers under its row with ``expand_nested``, whether each trains with ``show_trainable``;
        ``positions``: the columns' right edges; ``layer_range``: two names (regexes) bounding the rows."""
        _display.summary(self, line_length, positions, print_fn, expand_nested, show_trainable, layer_range)

    def _summary_rows(
        self, expand: bool, layer_range: Any = None
    ) -> tuple[list[tuple[str, str, str, int | None]], list[str] | None, list[str]]:
        """One ``(name, class, output shape, params or None if unbuilt)`` row per layer (``expand``: a nested
        model's layers after it; ``layer_range``: the model's own layers between two names), each row's
        ``Connected to`` text (None: a stack, printed without it), and each row's ``Trainable`` mark."""
        raise NotImplementedError

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """The layer called ``name``, or at ``index`` in ``model.layers``."""
        return _display.get_layer(self, name, index)

    # ---- saving (keras_lite._saving does it) --------------------------------------------------------
    def save(self, filepath: Any, overwrite: bool = True, zipped: Any = None, **kwargs: Any) -> None:
        """Save the model (config, weights, compile arguments, optimizer state) as a Keras 3 ``.keras`` file, or
        as Keras's legacy HDF5 model file for a ``.h5`` path (with a warning, as Keras 3 gives).

        Args:
            filepath: A path ending in ``.keras`` (or ``.h5``/``.hdf5``), or a writable binary file object.
            overwrite: Whether to replace an existing file (otherwise ``FileExistsError``).
            zipped: Must be None or True: keras_lite writes the zipped format.
            **kwargs: ``include_optimizer`` (a ``.h5`` file without the optimizer's state when False) and
                ``save_format`` (deprecated in Keras 3: ``"h5"`` or ``"keras"`` with a matching path).
        """
        _saving.save(self, filepath, overwrite, zipped, kwargs)

    def save_weights(self, filepath: Any, overwrite: bool = True, max_shard_size: Any = None) -> None:
        """Save the weights (and optimizer state) in Keras 3's ``.weights.h5`` layout."""
        _saving.save_weights(self, filepath, overwrite, max_shard_size)

    def load_weights(self, filepath: Any, skip_mismatch: bool = False, **kwargs: Any) -> None:
        """Load weights (and the optimizer state, when compiled) from a ``.weights.h5`` or ``.keras`` file, or
        the weights of a legacy ``.h5`` file (a model file, or tf.keras 2's ``save_weights``).

        Layers are matched as Keras matches them: by class and order (a legacy file's: in order) whatever their
        names, or, for a legacy file with ``by_name=True``, by name (layers the file lacks are left as they are).
        """
        _saving.load_weights(self, filepath, skip_mismatch, kwargs)

    def __getstate__(self) -> dict[str, Any]:
        """Compact pickle state: config dicts, all weights as one bytes string, the optimizer state likewise."""
        return _saving.get_state(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        # On a model in a fit (not a fresh one being unpickled) it would replace what the fit trains.
        with _STRUCTURE_LOCK:
            if getattr(self, "_fits", 0):
                _refuse_while_fitting(self, "replace the model's state (__setstate__)")
            _saving.set_state(self, state)

    # What saving reads besides the public surface (keras_lite's own, not Keras API).
    def _core_network(self, write: bool = False) -> Any:
        """The ``_core.Model`` holding the weights and the optimizer state (None until built): saving reads and
        (``write``) writes both through it, under one lock."""
        if self._stale:
            _ownership.claim(self, write)
        return self._net

    def _take_place(self, other: Model) -> None:
        """Become ``other`` (just loaded): its state, and its layers' and optimizer's links back to the model."""
        self.__dict__.clear()
        self.__dict__.update(other.__dict__)
        for layer in self._layers:
            if layer._holder is not None and layer._holder() is other:
                layer._holder = weakref.ref(self)
        for item in _nesting.items_of(self):
            if isinstance(item, Model):
                _nesting.enter(item, self)
            else:
                _bind_model(item, self)
        if self._optimizer is not None:
            self._optimizer._model = weakref.ref(self)
