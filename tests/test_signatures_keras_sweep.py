"""Public constructors and functions take Keras 3.15.1's arguments: the same names, order, kinds and defaults,
so that an argument given by position or keyword means what it means in Keras, and an argument keras_lite
cannot honour is refused by name when it is given another value than its default. Also the attributes a user
reads that a sweep against Keras found different (an unbuilt BatchNormalization's weights, ``Optimizer.built``,
TensorBoard's), and Keras 3.15.1 names keras_lite lacks.

Every golden is what Keras 3.15.1 (TensorFlow 2.21 backend) printed for the same code, written as
``[(name, default), ...]`` for ``inspect.signature`` (``REQUIRED`` for no default; ``*args``/``**kwargs`` by
their stars).
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest

import keras_lite as keras

REQUIRED = "<required>"


def params(obj: Any) -> list[tuple[str, Any]]:
    """``obj``'s signature as ``[(name, default)]``; a ``*args`` is ``("*args", REQUIRED)``."""
    out = []
    for p in inspect.signature(obj).parameters.values():
        star = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
        out.append((star + p.name, REQUIRED if p.default is p.empty else p.default))
    return out


# ---------------------------------------------------------------------------------------------- metrics

# print([(p.name, p.default) for p in inspect.signature(keras.metrics.Hinge).parameters.values()]) and so on.
METRIC_NAMES = {
    "Hinge": "hinge",
    "SquaredHinge": "squared_hinge",
    "CategoricalHinge": "categorical_hinge",
    "KLDivergence": "kl_divergence",
    "Poisson": "poisson",
    "MeanSquaredLogarithmicError": "mean_squared_logarithmic_error",
    "LogCoshError": "logcosh",
}


@pytest.mark.parametrize("cls", sorted(METRIC_NAMES))
def test_loss_metrics_spell_their_default_name(cls: str) -> None:
    make = getattr(keras.metrics, cls)
    assert params(make) == [("name", METRIC_NAMES[cls]), ("dtype", None)]
    assert make().name == METRIC_NAMES[cls]
    # Keras 3.15.1: Hinge().get_config() -> {"name": "hinge", "dtype": "float32"}
    assert make().get_config() == {"name": METRIC_NAMES[cls], "dtype": "float32"}


def test_a_metric_named_none_takes_its_class_name() -> None:
    # Keras 3.15.1: LogCoshError(name=None).name -> 'log_cosh_error' (the default name is 'logcosh').
    assert keras.metrics.LogCoshError(name=None).name.startswith("log_cosh_error")
    assert keras.metrics.LogCoshError().name == "logcosh"


class _Count(keras.metrics.Metric):
    def update_state(self, *args: Any) -> None:
        pass

    def result(self) -> float:
        return 0.0


def test_metric_base_takes_dtype_then_name() -> None:
    # Keras 3.15.1: Metric(dtype=None, name=None); M("float32", "nm") -> name 'nm', dtype 'float32'.
    assert params(keras.metrics.Metric) == [("dtype", None), ("name", None)]
    m = _Count("float32", "nm")
    assert (m.name, m.dtype) == ("nm", "float32")
    # Keras 3.15.1: Metric.add_weight(shape=(), initializer=None, dtype=None, name=None), no aggregation.
    assert params(keras.metrics.Metric.add_weight) == [
        ("self", REQUIRED),
        ("shape", ()),
        ("initializer", None),
        ("dtype", None),
        ("name", None),
    ]
    assert m.add_weight((), None, None, "total").path == "nm/total"


# -------------------------------------------------------------------------------------------- activations


def test_activation_signatures_are_keras() -> None:
    # Keras 3.15.1: softmax(x, axis=-1), log_softmax(x, axis=-1), sigmoid(x), serialize(activation).
    acts = keras.activations
    assert params(acts.softmax) == [("x", REQUIRED), ("axis", -1)]
    assert params(acts.log_softmax) == [("x", REQUIRED), ("axis", -1)]
    for name in ("sigmoid", "tanh", "linear", "selu", "silu", "softplus", "softsign", "relu6", "exponential"):
        assert params(getattr(acts, name)) == [("x", REQUIRED)], name
    assert params(acts.serialize) == [("activation", REQUIRED)]
    assert acts.serialize(activation=acts.relu) == "relu"


def test_activation_axis_by_position_and_python_errors() -> None:
    acts = keras.activations
    x = np.array([[1.0, 2.0]], dtype="float32")
    # Keras 3.15.1: softmax(x, -1) -> [[0.26894143 0.73105854]]
    np.testing.assert_allclose(acts.softmax(x, -1), [[0.26894143, 0.73105854]], rtol=1e-6)
    np.testing.assert_allclose(acts.log_softmax(x, 1), np.log([[0.26894143, 0.73105854]]), rtol=1e-5)
    # Keras 3.15.1's (Python's) words for these calls.
    with pytest.raises(TypeError, match=r"^sigmoid\(\) takes 1 positional argument but 2 were given$"):
        acts.sigmoid(x, 1)
    with pytest.raises(TypeError, match=r"^sigmoid\(\) got an unexpected keyword argument 'foo'$"):
        acts.sigmoid(x, foo=1)
    with pytest.raises(
        TypeError, match=r"^softmax\(\) takes from 1 to 2 positional arguments but 3 were given$"
    ):
        acts.softmax(x, -1, 3)
    with pytest.raises(TypeError, match=r"^softmax\(\) got multiple values for argument 'axis'$"):
        acts.softmax(x, -1, axis=-1)
    with pytest.raises(keras.NotSupportedError, match="Received: axis=0"):
        acts.softmax(x, 0)


# ------------------------------------------------------------------------------------------------ losses


def test_losses_deserialize_takes_name() -> None:
    # Keras 3.15.1: keras.losses.deserialize(name, custom_objects=None);
    # deserialize(name="mean_squared_error") -> <function mean_squared_error ...>
    assert params(keras.losses.deserialize) == [("name", REQUIRED), ("custom_objects", None)]
    assert keras.losses.deserialize(name="mean_squared_error") is keras.losses.mean_squared_error


# ------------------------------------------------------------------------------------------- optimizers

# Keras 3.15.1: the arguments every optimizer takes after its own, in this order, then name=None and **kwargs.
COMMON = [
    ("weight_decay", None),
    ("clipnorm", None),
    ("clipvalue", None),
    ("global_clipnorm", None),
    ("use_ema", False),
    ("ema_momentum", 0.99),
    ("ema_overwrite_frequency", None),
    ("loss_scale_factor", None),
    ("gradient_accumulation_steps", None),
]
TAIL = [("name", None), ("**kwargs", REQUIRED)]
# Keras 3.15.1: each optimizer's own arguments, before COMMON.
OPTIMIZERS = {
    "Adam": [("beta_1", 0.9), ("beta_2", 0.999), ("epsilon", 1e-07), ("amsgrad", False)],
    "SGD": [("momentum", 0.0), ("nesterov", False)],
    "RMSprop": [("rho", 0.9), ("momentum", 0.0), ("epsilon", 1e-07), ("centered", False)],
    "Adagrad": [("initial_accumulator_value", 0.1), ("epsilon", 1e-07)],
    "Adadelta": [("rho", 0.95), ("epsilon", 1e-07)],
    "Adamax": [("beta_1", 0.9), ("beta_2", 0.999), ("epsilon", 1e-07)],
    "Lion": [("beta_1", 0.9), ("beta_2", 0.99)],
    "Nadam": [("beta_1", 0.9), ("beta_2", 0.999), ("epsilon", 1e-07)],
}


@pytest.mark.parametrize("cls", sorted(OPTIMIZERS))
def test_optimizer_signatures_are_keras(cls: str) -> None:
    rate = 0.01 if cls == "SGD" else 0.001
    expected = [("learning_rate", rate), *OPTIMIZERS[cls], *COMMON, *TAIL]
    assert params(getattr(keras.optimizers, cls)) == expected


def test_adamw_signature_is_keras() -> None:
    # Keras 3.15.1: AdamW takes weight_decay=0.004 second, and not again among the common arguments.
    own = [("weight_decay", 0.004), *OPTIMIZERS["Adam"]]
    expected = [("learning_rate", 0.001), *own, *COMMON[1:], *TAIL]
    assert params(keras.optimizers.AdamW) == expected


def test_optimizer_arguments_by_position_mean_what_they_mean_in_keras() -> None:
    # Keras 3.15.1: Adam(0.01, 0.9, 0.999, 1e-7, False, 0.1) -> weight_decay 0.1, name 'adam'.
    adam = keras.optimizers.Adam(0.01, 0.9, 0.999, 1e-7, False, 0.1)
    assert adam.weight_decay == 0.1
    assert adam.name.startswith("adam")
    sgd = keras.optimizers.SGD(0.1, 0.5, True, None, 1.0)
    assert (sgd.momentum, sgd.nesterov, sgd.clipnorm) == (0.5, True, 1.0)
    assert sgd.get_config()["clipnorm"] == 1.0


@pytest.mark.parametrize(
    "arg, value",
    [
        ("use_ema", True),
        ("ema_overwrite_frequency", 5),
        ("loss_scale_factor", 128.0),
        ("gradient_accumulation_steps", 4),
    ],
)
def test_common_arguments_keras_lite_cannot_honour_are_refused_by_name(arg: str, value: Any) -> None:
    for cls in sorted(OPTIMIZERS) + ["AdamW"]:
        with pytest.raises(keras.NotSupportedError, match=f"Received: {arg}={value!r}"):
            getattr(keras.optimizers, cls)(**{arg: value})


def test_optimizers_deserialize_takes_keras_arguments() -> None:
    # Keras 3.15.1: optimizers.deserialize(config, custom_objects=None); use_legacy_format is a TypeError
    # ("deserialize() got an unexpected keyword argument 'use_legacy_format'").
    assert params(keras.optimizers.deserialize) == [("config", REQUIRED), ("custom_objects", None)]
    with pytest.raises(TypeError, match="use_legacy_format"):
        keras.optimizers.deserialize({"class_name": "Adam", "config": {}}, use_legacy_format=True)  # type: ignore[call-arg]


def test_optimizer_built_is_keras(tmp_path: Any) -> None:
    # Keras 3.15.1: Adam().built False; after compile False; after a fit True; a loaded compiled model's True.
    opt = keras.optimizers.Adam()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    assert opt.built is False
    model.compile(optimizer=opt, loss="mse")
    assert opt.built is False
    model.fit(np.zeros((4, 2)), np.zeros((4, 1)), verbose=0)
    assert opt.built is True
    model.save(tmp_path / "m.keras")
    assert keras.models.load_model(tmp_path / "m.keras").optimizer.built is True


# ---------------------------------------------------------------------------------------- inputs, layers


def test_input_signature_is_keras() -> None:
    # Keras 3.15.1: Input(shape=None, batch_size=None, dtype=None, sparse=None, ragged=None, batch_shape=None,
    # name=None, tensor=None, optional=False), without **kwargs.
    assert params(keras.Input) == [
        ("shape", None),
        ("batch_size", None),
        ("dtype", None),
        ("sparse", None),
        ("ragged", None),
        ("batch_shape", None),
        ("name", None),
        ("tensor", None),
        ("optional", False),
    ]
    assert keras.layers.Input is keras.Input
    # Keras 3.15.1: Input(shape=(3,), input_shape=(3,)) -> TypeError: Input() got an unexpected keyword
    # argument 'input_shape' (InputLayer takes it, with a deprecation warning). keras_lite's is also the
    # ValueError it raised before.
    for kwargs in ({"input_shape": (3,)}, {"batch_input_shape": (None, 3)}, {"trainable": False}):
        name = next(iter(kwargs))
        with pytest.raises(
            TypeError, match=f"^Input\\(\\) got an unexpected keyword argument '{name}'$"
        ) as info:
            keras.Input(**kwargs)
        assert isinstance(info.value, ValueError)


def test_layer_base_takes_keywords_only() -> None:
    # Keras 3.15.1: Layer.__init__(self, *, activity_regularizer=None, trainable=True, dtype=None,
    # autocast=True, name=None, **kwargs); keras.layers.Layer("x") raised
    # TypeError: Layer.__init__() takes 1 positional argument but 2 were given.
    kinds = {p.name: p.kind for p in inspect.signature(keras.layers.Layer.__init__).parameters.values()}
    assert all(kinds[n] is inspect.Parameter.KEYWORD_ONLY for n in ("name", "trainable", "dtype"))
    with pytest.raises(TypeError, match=r"takes 1 positional argument but 2 were given"):
        keras.layers.Layer("x")
    assert keras.layers.Layer(name="x", trainable=False).name == "x"


def test_input_layer_and_batch_normalization_orders_are_keras() -> None:
    # Keras 3.15.1: InputLayer(shape, batch_size, dtype, sparse, ragged, batch_shape, input_tensor, optional,
    # name, **kwargs); BatchNormalization(..., renorm, renorm_clipping, renorm_momentum, synchronized, **kwargs).
    assert [name for name, _ in params(keras.layers.InputLayer)] == [
        "shape",
        "batch_size",
        "dtype",
        "sparse",
        "ragged",
        "batch_shape",
        "input_tensor",
        "optional",
        "name",
        "**kwargs",
    ]
    assert params(keras.layers.BatchNormalization)[-5:] == [
        ("renorm", False),
        ("renorm_clipping", None),
        ("renorm_momentum", 0.99),
        ("synchronized", False),
        ("**kwargs", REQUIRED),
    ]
    layer = keras.layers.InputLayer((3,), None, None, None, None, None, None, False, "x")
    assert (layer.name, layer.batch_shape) == ("x", (None, 3))
    with pytest.raises(ValueError, match="ragged"):
        keras.layers.InputLayer((3,), None, None, None, True)


def test_unbuilt_layers_answer_for_their_weights_as_keras() -> None:
    # Keras 3.15.1, before build: BatchNormalization().gamma, .beta, .moving_mean, .moving_variance -> None;
    # Dense(2).kernel -> AttributeError: You must build the layer before accessing `kernel`.
    bn = keras.layers.BatchNormalization()
    assert [bn.gamma, bn.beta, bn.moving_mean, bn.moving_variance] == [None, None, None, None]
    bn.build((None, 3))
    assert bn.gamma is not None and bn.moving_variance.shape == (3,)
    with pytest.raises(AttributeError, match=r"^You must build the layer before accessing `kernel`\.$"):
        keras.layers.Dense(2).kernel  # noqa: B018


def test_layer_from_config_takes_custom_objects_where_keras_does() -> None:
    # Keras 3.15.1: Discretization.from_config(config, custom_objects=None), and Rescaling's the same.
    for layer in (keras.layers.Discretization([0.0, 1.0]), keras.layers.Rescaling(2.0, 1.0)):
        cls = type(layer)
        assert params(cls.from_config) == [("config", REQUIRED), ("custom_objects", None)]
        assert cls.from_config(layer.get_config(), {}).get_config() == layer.get_config()


# ------------------------------------------------------------------------------------------------ saving


def test_saving_functions_take_keras_arguments(tmp_path: Any) -> None:
    # Keras 3.15.1: deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs);
    # save_weights(model, filepath, overwrite=True, max_shard_size=None, **kwargs);
    # CustomObjectScope(custom_objects) (CustomObjectScope() -> TypeError: CustomObjectScope.__init__()
    # missing 1 required positional argument: 'custom_objects').
    saving = keras.saving
    assert params(saving.deserialize_keras_object) == [
        ("config", REQUIRED),
        ("custom_objects", None),
        ("safe_mode", True),
        ("**kwargs", REQUIRED),
    ]
    assert params(saving.save_weights) == [
        ("model", REQUIRED),
        ("filepath", REQUIRED),
        ("overwrite", True),
        ("max_shard_size", None),
        ("**kwargs", REQUIRED),
    ]
    for scope in (saving.CustomObjectScope, keras.utils.custom_object_scope):
        assert params(scope) == [("custom_objects", REQUIRED)]
        with pytest.raises(TypeError, match="custom_objects"):
            scope()  # type: ignore[call-arg]
    config = saving.serialize_keras_object(keras.losses.Huber(delta=2.0))
    assert saving.deserialize_keras_object(config, None, False).get_config() == config["config"]
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="max_shard_size=1"):
        saving.save_weights(model, str(tmp_path / "m.weights.h5"), True, 1)
    saving.save_weights(model, str(tmp_path / "m.weights.h5"), True, None)
    assert (tmp_path / "m.weights.h5").exists()


# --------------------------------------------------------------------------------------------- callbacks


def test_tensorboard_keeps_keras_attributes(tmp_path: Any) -> None:
    # Keras 3.15.1: TensorBoard(log_dir, histogram_freq=1, write_graph=False, update_freq=5) has
    # embeddings_freq 0 and embeddings_metadata None, beside the arguments it was given.
    tb = keras.callbacks.TensorBoard(str(tmp_path), histogram_freq=1, write_graph=False, update_freq=5)
    assert (tb.histogram_freq, tb.write_graph, tb.write_images, tb.update_freq) == (1, False, False, 5)
    assert (tb.embeddings_freq, tb.embeddings_metadata) == (0, None)
    with pytest.raises(keras.NotSupportedError, match="embeddings_freq=1"):
        keras.callbacks.TensorBoard(str(tmp_path), embeddings_freq=1)


def test_compile_execution_arguments_as_docs_say() -> None:
    # Keras 3.15.1 with compile(steps_per_execution=2, jit_compile=True): batch callbacks see [1, 3] of 4
    # batches, get_compile_config() holds 2 and True. keras_lite trains every step alike and says so in
    # docs/keras-compatibility.md: every batch is seen and the config holds Keras's defaults.
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", steps_per_execution=2, jit_compile=True, run_eagerly=False)
    seen: list[int] = []
    hook = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))
    model.fit(np.ones((8, 2)), np.ones((8, 1)), batch_size=2, verbose=0, callbacks=[hook])
    assert seen == [0, 1, 2, 3] and int(model.optimizer.iterations) == 4
    config = model.get_compile_config()
    assert (config["run_eagerly"], config["steps_per_execution"], config["jit_compile"]) == (False, 1, False)
    with pytest.raises(keras.NotSupportedError, match="steps_per_execution"):
        model.steps_per_execution  # noqa: B018


# ------------------------------------------------------------------------------------ names keras_lite lacks

# Keras 3.15.1 has these (dir(keras.layers) and so on); keras_lite names them in its NotSupportedError.
KERAS_315_NAMES = [
    ("layers", "AdaptiveAveragePooling2D"),
    ("layers", "AdaptiveMaxPooling1D"),
    ("layers", "ContrastLimitedAdaptiveHistogramEqualization"),
    ("losses", "CategoricalGeneralizedCrossEntropy"),
    ("losses", "categorical_generalized_cross_entropy"),
    ("optimizers", "MultiOptimizer"),
    ("optimizers", "OptimizerMap"),
    ("optimizers", "ScheduleFreeAdamW"),
    ("config", "is_nnx_enabled"),
]


@pytest.mark.parametrize("module, name", KERAS_315_NAMES)
def test_keras_315_names_keras_lite_lacks_say_so(module: str, name: str) -> None:
    with pytest.raises(keras.NotSupportedError, match=f"keras.{module}.{name}"):
        getattr(getattr(keras, module), name)
    assert not hasattr(getattr(keras, module), name)


# ---------------------------------------------------------------------------- what docs/keras-compatibility.md lists


def test_the_signature_differences_docs_list() -> None:
    # Keras 3.15.1 takes these (InputLayer(shape=(3,), foo=1) and MeanMetricWrapper(None) are made;
    # losses.deserialize(3) returns 3); keras_lite refuses them by name, as docs/keras-compatibility.md says.
    with pytest.raises(TypeError, match="foo"):
        keras.layers.InputLayer(shape=(3,), foo=1)
    with pytest.raises(ValueError, match="fn=None"):
        keras.metrics.MeanMetricWrapper(None)
    with pytest.raises(ValueError, match="name=3"):
        keras.losses.deserialize(3)
    assert [name for name, _ in params(keras.Sequential)] == ["layers", "trainable", "name", "device"]
    # Keras 3.15.1: GlorotUniform().seed is an integer drawn when it is made; its config holds None.
    init = keras.initializers.GlorotUniform()
    assert init.seed is None and init.get_config()["seed"] is None
    init((2, 2))
    assert isinstance(init.seed, int) and init.get_config()["seed"] is None
