"""Keras 3's ``config.json`` layout, read: ``serialize_keras_object`` trees into keras_lite objects. Reading
builds only the classes listed here from plain JSON values: nothing in a file is imported or run. Anything
keras_lite cannot honour (an unknown class, a regularizer, a mixed-precision dtype, gradient clipping, ...) is a
``FormatError`` that names it, and a ``NotSupportedError`` too where it is valid Keras. ``_keras_config_write`` writes such trees."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from . import _custom, initializers
from . import layers as L
from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from ._errors import FormatError
from ._files import check_thresholds, threshold_budget
from ._unsupported import NotSupportedError, file_error, unknown_class
from ._unsupported import UnsupportedInFile as Unsupported
from .layers._layer_args import _MAX_SIZE


def _dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FormatError(f"{what} must be a JSON object. Received: {type(value).__name__}")
    return value


def _check_dtype(value: Any, where: str) -> None:
    name = value.get("config", {}).get("name") if isinstance(value, dict) else value
    if name not in (None, "float32"):
        raise FormatError(f"{where} uses dtype {name!r}; keras_lite computes in float32 only")


def _set(value: Any) -> bool:
    """Whether a setting holds something other than its do-nothing value (None, False, empty)."""
    return value not in (None, False, [], {})


def _leftovers(cfg: dict[str, Any], used: set[str], where: str, ignored: tuple[str, ...] = ()) -> None:
    """Keys keras_lite does not implement must hold their do-nothing value (None, False, empty)."""
    for key, value in cfg.items():
        if key in used or key in ignored:
            continue
        if _set(value):
            raise Unsupported(f"{where} sets {key}={_describe(value)}, which keras_lite does not support")


def _name_of(value: Any, where: str) -> str:
    """A function reference: a name, or ``{"class_name": "function", "config": name}``."""
    if isinstance(value, str):
        return value
    if (
        isinstance(value, dict)
        and value.get("class_name") == "function"
        and isinstance(value.get("config"), str)
    ):
        return str(value["config"])
    raise FormatError(f"{where} refers to {value!r}, which is not a built-in keras_lite supports")


_LAYER_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # class: (keys passed to the keras_lite constructor, keys whose values do not matter once weights load)
    "Dense": (
        (
            "units",
            "activation",
            "use_bias",
            "kernel_regularizer",
            "bias_regularizer",
            "kernel_constraint",
            "bias_constraint",
            "activity_regularizer",
        ),
        ("kernel_initializer", "bias_initializer"),
    ),
    "BatchNormalization": (
        ("axis", "momentum", "epsilon", "center", "scale", "synchronized"),  # (synchronized: a no-op here)
        (
            "beta_initializer",
            "gamma_initializer",
            "moving_mean_initializer",
            "moving_variance_initializer",
            "renorm_momentum",
        ),
    ),
    "Dropout": (("rate", "seed"), ()),
    "GaussianDropout": (("rate", "seed"), ()),
    "GaussianNoise": (("stddev", "seed"), ()),
    "Activation": (("activation",), ()),
    "ReLU": (("max_value", "negative_slope", "threshold"), ()),
    "LeakyReLU": (("negative_slope",), ()),
    # Keras 3.15 also writes an input_shape/input_dim given to ELU or Identity into its config (ignored).
    "ELU": (("alpha",), ("input_shape", "input_dim")),
    "Softmax": (("axis",), ()),
    "Identity": ((), ("input_shape", "input_dim")),
    "Flatten": (("data_format",), ()),
    "Reshape": (("target_shape",), ()),
    "PReLU": (("shared_axes",), ("alpha_initializer",)),
    "LayerNormalization": (
        ("axis", "epsilon", "center", "scale", "rms_scaling"),
        ("beta_initializer", "gamma_initializer"),
    ),
    "Concatenate": (("axis",), ()),
    **{merge: ((), ()) for merge in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")},
    "Normalization": (("axis", "mean", "variance", "invert"), ()),
    "Discretization": (("bin_boundaries", "num_bins", "epsilon", "output_mode", "sparse"), ()),
    "CategoryEncoding": (("num_tokens", "output_mode", "sparse"), ()),
    "Rescaling": (("scale", "offset"), ()),
}
# Initializer keys, passed to the constructor when they name one of Keras's built-in initializers (or None).
# Another (a custom class or function, which Keras itself loads only with custom_objects) is left out: the layer
# starts from its default initializer, and its weights come from the file all the same.
_INITIALIZER_KEYS = {
    "PReLU": ("alpha_initializer",),
    "LayerNormalization": ("beta_initializer", "gamma_initializer"),
    "Dense": ("kernel_initializer", "bias_initializer"),
    "BatchNormalization": (
        "beta_initializer",
        "gamma_initializer",
        "moving_mean_initializer",
        "moving_variance_initializer",
    ),
}
# Keys that change how a layer trains, not what it computes once trained: a file that sets them still serves
# predictions exactly, so it loads for inference (with a warning) and is refused only for training.
_TRAINING_ONLY: dict[str, tuple[str, ...]] = {
    "Dense": (),
    "BatchNormalization": (
        "beta_regularizer",
        "gamma_regularizer",
        "activity_regularizer",
        "beta_constraint",
        "gamma_constraint",
    ),
    "Dropout": ("noise_shape", "activity_regularizer"),
    "GaussianDropout": ("activity_regularizer",),
    "GaussianNoise": ("activity_regularizer",),
    **{
        act: ("activity_regularizer",)
        for act in ("Activation", "ReLU", "LeakyReLU", "ELU", "Softmax", "Identity", "Flatten", "Reshape")
    },
    **{
        merge: () for merge in ("Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")
    },
    "Normalization": ("activity_regularizer",),
    "Discretization": (),
    "CategoryEncoding": ("activity_regularizer",),
    "Rescaling": ("activity_regularizer",),
    "PReLU": ("alpha_regularizer", "alpha_constraint", "activity_regularizer"),
    "LayerNormalization": (
        "beta_regularizer",
        "gamma_regularizer",
        "beta_constraint",
        "gamma_constraint",
        "activity_regularizer",
    ),
}


def _initializer_arg(value: Any) -> Any:
    """A built-in initializer's config as the layer argument: an unseeded ``GlorotUniform`` (the default) is
    its name, so that the core draws the kernel as for a model built in code (and no seed is drawn); a
    ``dtype`` key (tf.keras 2 wrote one) is dropped."""
    if not isinstance(value, dict):
        return value
    cfg = value.get("config")
    if isinstance(cfg, dict) and "dtype" in cfg:
        value = {**value, "config": {k: v for k, v in cfg.items() if k != "dtype"}}
        cfg = value["config"]
    if value.get("class_name") == "GlorotUniform" and (cfg is None or all(v is None for v in cfg.values())):
        return "glorot_uniform"
    return value


def _describe(value: Any) -> str:
    """A serialized Keras object as its class and arguments, ``L2(l2=0.01)``; anything else as its repr."""
    if isinstance(value, dict) and isinstance(value.get("class_name"), str):
        cfg = value.get("config")
        args = ", ".join(f"{k}={v!r}" for k, v in cfg.items()) if isinstance(cfg, dict) else ""
        return f"{value['class_name']}({args})"
    return repr(value)


def layer_from_config(item: Any, index: int, training_only: list[str] | None = None) -> L.Layer:
    """The keras_lite layer ``item`` describes; settings that only change training are left out and, with
    ``training_only`` given, described there (else refused)."""
    item = _dict(item, f"layer {index}")
    cls_name = item.get("class_name")
    cfg = _dict(item.get("config", {}), f"layer {index} config")
    name = cfg.get("name")
    where = f"layer {index} ({name!r}, {cls_name})"
    keras = item.get("module", "keras.layers") in ("keras.layers", "keras")  # (else a class of the user's)
    if str(cls_name) not in _LAYER_KEYS or not keras:  # (str: a list is named)
        raise unknown_class(f"layer {index} ({name!r})", cls_name, _LAYER_KEYS, "layers", keras)
    _check_dtype(cfg.get("dtype"), where)
    passed, ignored = _LAYER_KEYS[cls_name]
    training = [f"{k}={_describe(cfg[k])}" for k in _TRAINING_ONLY[cls_name] if _set(cfg.get(k))]
    if training and training_only is None:
        raise Unsupported(f"{where} sets {', '.join(training)}, which keras_lite does not support")
    if training and training_only is not None:
        training_only.append(f"{where} sets {', '.join(training)}")
    _leftovers(cfg, {*passed, "name", "trainable", "dtype", *_TRAINING_ONLY[cls_name]}, where, ignored)
    kwargs = {k: cfg[k] for k in passed if k in cfg}
    kwargs.update(
        {
            k: _initializer_arg(cfg[k])
            for k in _INITIALIZER_KEYS.get(cls_name, ())
            if k in cfg and (cfg[k] is None or initializers.known_config(cfg[k]) or _custom.names(cfg[k]))
        }
    )
    if "activation" in kwargs:
        kwargs["activation"] = _name_of(kwargs["activation"], f"{where} activation")
    axis = kwargs.get("axis")
    if cls_name == "BatchNormalization" and isinstance(axis, list) and len(axis) == 1:
        kwargs["axis"] = axis[0]  # tf.keras 2 writes the axis as a list, [1] for (batch, features) inputs
    cls = getattr(L, cls_name)
    try:
        # Through the class's from_config: an adapted Discretization's config holds its num_bins and boundaries.
        layer = cls.from_config({"name": name, "trainable": bool(cfg.get("trainable", True)), **kwargs})
    except (TypeError, ValueError, KeyError) as e:
        raise file_error(f"{where}: {e}", e) from None
    # A build on rows the layer saw on its own (adapt() on 21 rows: `[21, 3]`) stays what it reports, as Keras's.
    build = item.get("build_config")
    shape = build.get("input_shape") if isinstance(build, dict) and cls_name != "Flatten" else None
    if isinstance(shape, list) and 0 < len(shape) < 3 and all(type(d) is int and d > 0 for d in shape):
        layer._built_alone_on(tuple(shape))
    return layer  # type: ignore[no-any-return]


def keras2_model_tree(tree: Any) -> Any:
    """A model's tree as Keras 3 lays it out, from the older layouts Keras 3 still reads: standalone Keras 2's
    ``"Model"`` (a Functional model) and its Sequential config as a bare list of layers."""
    if not isinstance(tree, dict):
        return tree
    if tree.get("class_name") == "Model":
        tree = {**tree, "class_name": "Functional"}
    if tree.get("class_name") == "Sequential" and isinstance(tree.get("config"), list):
        tree = {**tree, "config": {"layers": tree["config"]}}
    return tree


def _input_shape(shape: Any, where: str) -> tuple[int, ...]:
    """The dimensions after the batch of a file's input shape: ``(width,)``, or several for a Flatten."""
    if (
        not isinstance(shape, (list, tuple))
        or len(shape) < 2
        or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape[1:])
        or math.prod(shape[1:]) > _MAX_SIZE
    ):
        raise FormatError(
            f"{where} has input shape {shape!r}; keras_lite takes (batch, features) inputs, or inputs of "
            "several dimensions read by a Flatten layer"
        )
    return tuple(shape[1:])


_OPT_BASE = (
    "name",
    "learning_rate",
    "weight_decay",
    "ema_momentum",
    "is_legacy_optimizer",
    *optimizers_module._CLIPS,
)
_OPT_KEYS = {
    "Adam": ("beta_1", "beta_2", "epsilon", "amsgrad"),
    "AdamW": ("beta_1", "beta_2", "epsilon", "amsgrad", "weight_decay"),
    "SGD": ("momentum", "nesterov"),
    "RMSprop": ("rho", "momentum", "epsilon", "centered"),
    "Adagrad": ("initial_accumulator_value", "epsilon"),
    "Adamax": ("beta_1", "beta_2", "epsilon"),
    "Lion": ("beta_1", "beta_2"),
    "Nadam": ("beta_1", "beta_2", "epsilon"),
    "Adadelta": ("rho", "epsilon"),
}


def _schedule(value: dict[str, Any], where: str) -> Any:
    """The learning-rate schedule a nested config describes: a built-in one, or a class of the
    ``custom_objects`` given to ``load_model`` (FormatError naming anything else)."""
    name = value.get("class_name")
    custom = _custom.find(value)
    builtin = name in optimizers_module.schedules._BY_NAME and value.get("registered_name") in (None, name)
    if custom is None and not builtin:
        raise FormatError(
            f"{where}'s learning rate is the schedule {_describe(value)}, which is not a built-in schedule "
            f"({', '.join(sorted(optimizers_module.schedules._BY_NAME))}): pass its class to load_model in "
            f"custom_objects={{{name!r}: ...}}, or register it with @keras.saving.register_keras_serializable()"
        )
    try:
        if custom is not None:
            return optimizers_module.schedules.deserialize(value, {str(name): custom})
        return optimizers_module.schedules.deserialize(value)
    except (TypeError, ValueError) as e:
        raise file_error(f"{where}'s learning-rate schedule {name}: {e}", e) from None


def optimizer_from_config(
    value: Any, learning_rate: float | Callable[[], float | None] | None = None
) -> optimizers_module.Optimizer:
    """The optimizer a compile_config describes; ``learning_rate`` (a value, or a function called once the
    config is known to hold a constant learning rate) is the file's variable, which overrides the config's."""
    if isinstance(value, str):
        return optimizers_module.get(value)
    value = _dict(value, "the optimizer")
    cls_name = value.get("class_name")
    if cls_name not in _OPT_KEYS:
        raise unknown_class("the optimizer", cls_name, _OPT_KEYS, "optimizers")
    cfg = _dict(value.get("config", {}), "the optimizer config")
    where = f"the {cls_name} optimizer"
    # Without EMA, ema_overwrite_frequency does nothing (tf.keras 2 writes its default of 100 there).
    ignored = () if cfg.get("use_ema") else ("ema_overwrite_frequency",)
    _leftovers(cfg, {*_OPT_BASE, *_OPT_KEYS[cls_name]}, where, ignored)
    kwargs: dict[str, Any] = {}
    lr = cfg.get("learning_rate")
    if isinstance(lr, dict):  # a serialized LearningRateSchedule: Keras then keeps no learning-rate variable
        kwargs["learning_rate"] = _schedule(lr, where)
    else:
        if callable(learning_rate):
            learning_rate = learning_rate()
        if learning_rate is not None and not (
            isinstance(lr, float) and np.float32(lr) == np.float32(learning_rate)
        ):
            lr = learning_rate  # the file's variable wins, as in Keras (e.g. a callback changed it)
        if not isinstance(lr, (int, float)) or isinstance(lr, bool):
            raise FormatError(
                f"{where} has learning_rate={lr!r}; keras_lite supports a float or a built-in schedule"
            )
        kwargs["learning_rate"] = float(lr)
    for k in _OPT_KEYS[cls_name]:
        if k in cfg:
            v = cfg[k]
            kwargs[k] = float(v) if isinstance(v, int) and not isinstance(v, bool) else v
    if isinstance(cfg.get("name"), str):
        kwargs["name"] = cfg["name"]
    kwargs.update(
        {
            k: cfg[k]
            for k in (*optimizers_module._CLIPS, "weight_decay", "ema_momentum")
            if cfg.get(k) is not None
        }
    )
    try:
        return getattr(optimizers_module, cls_name)(**kwargs)  # type: ignore[no-any-return]
    except (TypeError, ValueError) as e:
        raise file_error(f"{where}: {e}", e) from None


_LOSS_KEYS = {
    "MeanAbsoluteError": (),
    "MeanSquaredError": (),
    "Huber": ("delta",),
    "BinaryCrossentropy": ("from_logits", "label_smoothing", "axis"),
    "CategoricalCrossentropy": ("from_logits", "label_smoothing", "axis"),
    "SparseCategoricalCrossentropy": ("from_logits", "ignore_class", "axis"),
    "MeanAbsolutePercentageError": (),
    "MeanSquaredLogarithmicError": (),
    "LogCosh": (),
    "Poisson": (),
    "KLDivergence": (),
    "Hinge": (),
    "SquaredHinge": (),
    "CategoricalHinge": (),
    "CosineSimilarity": ("axis",),
    "BinaryFocalCrossentropy": (
        "apply_class_balancing",
        "alpha",
        "gamma",
        "from_logits",
        "label_smoothing",
        "axis",
    ),
    "CategoricalFocalCrossentropy": ("alpha", "gamma", "from_logits", "label_smoothing", "axis"),
}


def loss_from_config(value: Any) -> Any:
    """The ``loss`` argument for ``compile``: a name, or a keras_lite ``Loss`` instance."""
    if isinstance(value, dict) and str(value.get("class_name")) in _LOSS_KEYS:
        cls_name = value["class_name"]
        cfg = _dict(value.get("config", {}), "the loss config")
        where = f"the {cls_name} loss"
        _check_dtype(cfg.get("dtype"), where)
        keys = ("name", "reduction", *_LOSS_KEYS[cls_name])
        _leftovers(cfg, {*keys, "dtype"}, where)
        try:
            return getattr(losses_module, cls_name)(**{k: cfg[k] for k in keys if k in cfg})
        except (TypeError, ValueError) as e:
            raise file_error(f"{where}: {e}", e) from None
    name = _name_of(value, "the loss")
    if name.lower() in losses_module.AUTO_CROSSENTROPY:
        return name  # compile chooses the crossentropy from the targets, as Keras does
    try:
        losses_module._loss(name)
    except ValueError as e:
        raise file_error(str(e), e) from None
    return losses_module.get(name) if isinstance(value, dict) else name  # a function entry: the function


def metric_from_config(value: Any) -> Any:
    """A metric of a file's compile config, its threshold count checked first (``_files.check_thresholds``)."""
    check_thresholds(value)
    return metrics_module._config_metric(value)


def _as_given(value: Any, key: str, leaf: Callable[[Any], Any], nested: bool) -> Any:
    """A compile_config entry in the structure compile was given, as Keras keeps it (a loss may be a list of one
    loss or a dict by output name, ``{"out": "mse"}``; metrics a list, a list of one list or a dict by output
    name), its losses or metrics read by ``leaf``; tuples (in-memory configs) are lists. Several outputs are a
    ``FormatError``: keras_lite models have one."""

    def read(v: Any) -> Any:
        if isinstance(v, (list, tuple)):
            return [read(item) for item in v]
        if isinstance(v, dict) and "class_name" not in v:  # by output name, not an object's config
            return {name: read(item) for name, item in v.items()}
        return None if v is None and nested else leaf(v)

    value = list(value) if isinstance(value, tuple) else value
    by_name = isinstance(value, dict) and "class_name" not in value
    listed = isinstance(value, list) and (
        not nested or (value and all(isinstance(v, (list, tuple)) for v in value))
    )
    if (by_name or listed) and len(value) != 1:
        raise FormatError(
            f"compile_config {key} names several outputs; keras_lite models have one: {value!r}"
        )
    return read(value)


def compile_from_config(
    model: Any, cfg: Any, learning_rate: float | Callable[[], float | None] | None = None
) -> None:
    """Compile ``model`` as ``compile_config`` says (``learning_rate`` overrides the config's, as Keras's file does)."""
    cfg = _dict(cfg, "compile_config")
    read_metric = threshold_budget(metric_from_config)  # (thresholds of all of them together bounded)
    metrics = _as_given(cfg.get("metrics"), "metrics", read_metric, nested=True)
    weighted = _as_given(cfg.get("weighted_metrics"), "weighted_metrics", read_metric, nested=True)
    optimizer = optimizer_from_config(cfg.get("optimizer", "rmsprop"), learning_rate)
    loss = _as_given(cfg.get("loss"), "loss", loss_from_config, nested=False)
    weights = {"loss_weights": cfg["loss_weights"]} if cfg.get("loss_weights") not in (None, [], {}) else {}
    try:
        model.compile(optimizer=optimizer, loss=loss, metrics=metrics, weighted_metrics=weighted, **weights)
    except (NotSupportedError, ValueError, TypeError) as e:
        # A combination keras_lite cannot train (mse metrics next to a sparse loss), or a structure compile
        # refuses (metrics not in a list, a loss keyed by another output's name): the model still serves.
        raise file_error(f"compile_config: {e}", e) from None
