"""Keras 3 API that keras_lite does not support yet says so: a ``NotSupportedError`` (``NotImplementedError`` and
``ValueError``) naming it and what keras_lite has, never a bare ``AttributeError`` or a confusing ``TypeError``.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pickle
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers

# Keras 3 names a script may use (keras/api/*/__init__.py), which keras_lite does not have yet.
KERAS_ONLY = {
    "": "ops applications preprocessing random mixed_precision "
    "export tree distribution dtype_policies quantizers visualization wrappers Variable FloatDTypePolicy device "
    "name_scope Operation Function Regularizer",
    "initializers": "STFT STFTInitializer stft",
    "layers": "Conv1D Conv2D Conv3D LSTM GRU SimpleRNN Embedding Dot "
    "Lambda MultiHeadAttention TextVectorization Resizing "
    "MaxPooling2D GlobalAveragePooling1D Bidirectional TimeDistributed Masking IntegerLookup "
    "Hashing StringLookup UnitNormalization dot",
    "losses": "Dice Tversky CTC Circle",
    "metrics": "IoU MeanIoU OneHotIoU PearsonCorrelation ConcordanceCorrelation pearson_correlation",
    "optimizers": "Ftrl Lamb legacy",
    "callbacks": "SwapEMAWeights",
    "utils": "plot_model split_dataset image_dataset_from_directory timeseries_dataset_from_array",
    "saving": "KerasFileEditor",
    "activations": "glu sparsemax",
    "config": "backend enable_unsafe_deserialization",
}
CASES = [(module, name) for module, names in KERAS_ONLY.items() for name in names.split()]


def module_of(path: str) -> Any:
    return keras if not path else getattr(keras, path)


def keras_path(module: str, name: str) -> str:
    return f"keras.{module}.{name}" if module else f"keras.{name}"


@pytest.mark.parametrize(("module", "name"), CASES, ids=[keras_path(*c) for c in CASES])
def test_a_keras_name_keras_lite_lacks_raises_not_supported(module: str, name: str) -> None:
    mod = module_of(module)
    with pytest.raises(NotImplementedError) as info:
        getattr(mod, name)
    error = info.value
    assert isinstance(error, ValueError) and isinstance(error, keras.NotSupportedError)
    message = str(error)
    assert keras_path(module, name) in message and "not support" in message and "yet" in message
    # ... and what keras_lite has there instead.
    assert "has:" in message
    # Probes still see the name as absent.
    assert isinstance(error, AttributeError)
    assert not hasattr(mod, name)
    assert getattr(mod, name, "absent") == "absent"


@pytest.mark.parametrize(("module", "name"), CASES, ids=[keras_path(*c) for c in CASES])
def test_from_import_of_a_keras_name_keras_lite_lacks_says_so(module: str, name: str) -> None:
    target = "keras_lite" + (f".{module}" if module else "")
    namespace: dict[str, Any] = {}
    with pytest.raises(NotImplementedError, match="not support") as info:
        exec(f"from {target} import {name}", namespace)
    assert keras_path(module, name) in str(info.value)
    assert name not in namespace


@pytest.mark.parametrize(
    "statement",
    [
        "import keras_lite.ops",
        "import keras_lite.preprocessing.image",
        "import keras_lite.quantizers",
        "from keras_lite.applications import ResNet50",
    ],
)
def test_importing_a_keras_submodule_keras_lite_lacks_says_so(statement: str) -> None:
    with pytest.raises(ImportError) as info:
        exec(statement, {})
    assert isinstance(info.value, NotImplementedError)
    assert "keras_lite does not support keras." in str(info.value)


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("", "not_a_keras_name"),
        ("layers", "Conv4D"),
        ("losses", "logcosh"),
        ("utils", "foo"),
        ("config", "x"),
    ],
)
def test_a_name_keras_does_not_have_either_stays_a_plain_attribute_error(module: str, name: str) -> None:
    with pytest.raises(AttributeError) as info:
        getattr(module_of(module), name)
    assert not isinstance(info.value, NotImplementedError)
    with pytest.raises(ImportError) as import_info:
        exec(f"from keras_lite{'.' + module if module else ''} import {name}", {})
    assert not isinstance(import_info.value, NotImplementedError)
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("keras_lite.not_a_keras_module")


def test_tools_that_probe_modules_keep_working() -> None:
    for module in (keras, keras.layers, keras.losses, keras.metrics, keras.utils, keras.callbacks):
        inspect.getmembers(module)
        doctest.DocTestFinder().find(module)
        assert "Conv2D" not in dir(module)
    assert pickle.loads(pickle.dumps(keras.losses.mean_squared_error)) is keras.losses.mean_squared_error
    # A fresh interpreter: the import hook answers only for keras_lite's Keras submodules.
    code = (
        "import keras_lite, json, importlib.util\n"
        "assert importlib.util.find_spec('json') is not None\n"
        "try:\n    import not_a_module_anywhere\nexcept ModuleNotFoundError as e:\n"
        "    assert not isinstance(e, NotImplementedError)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# ---- Keras attributes of models and layers ----------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    ["compute_loss", "make_train_function",
     "add_loss", "train_step", "get_state_tree", "quantize"],
)  # fmt: skip
def test_a_keras_model_attribute_keras_lite_lacks_raises_not_supported(name: str) -> None:
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
    with pytest.raises(keras.NotSupportedError, match=f"Sequential.{name}") as info:
        getattr(model, name)
    assert isinstance(info.value, AttributeError) and f"keras.Model.{name}" in str(info.value)
    assert not hasattr(model, name)


@pytest.mark.parametrize(
    "name",
    ["add_weight", "call", "quantize", "compute_output_spec"],
)
def test_a_keras_layer_attribute_keras_lite_lacks_raises_not_supported(name: str) -> None:
    layer = layers.Dense(2)
    with pytest.raises(keras.NotSupportedError, match=f"Dense.{name}"):
        getattr(layer, name)
    assert not hasattr(layer, name)


def test_other_missing_attributes_keep_their_own_errors() -> None:
    model = keras.Sequential([layers.Dense(1)])
    with pytest.raises(AttributeError) as info:
        model.not_a_keras_attribute  # noqa: B018
    assert not isinstance(info.value, NotImplementedError)
    with pytest.raises(AttributeError, match="no defined input shape yet"):
        model.input_shape  # noqa: B018 - a property's own message survives
    with pytest.raises(AttributeError, match="build the layer"):
        layers.Dense(2).kernel  # noqa: B018
    assert getattr(model, "_net", "missing") is None


def test_batch_normalization_and_dropout_have_keras_attributes() -> None:
    model = keras.Sequential(
        [keras.Input(shape=(3,)), layers.BatchNormalization(center=False), layers.Dropout(0.5)]
    )
    bn = model.layers[0]
    assert bn.beta is None
    np.testing.assert_array_equal(bn.gamma.numpy(), np.ones(3, np.float32))
    np.testing.assert_array_equal(bn.moving_mean.numpy(), np.zeros(3, np.float32))
    np.testing.assert_array_equal(bn.moving_variance.numpy(), np.ones(3, np.float32))
    assert model.layers[1].noise_shape is None


# ---- the Functional API's limits and subclassing --------------------------------------------------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda: keras.Sequential([layers.Dense(2)]),
        lambda: keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2)]),
    ],
    ids=["Sequential", "built Sequential"],
)
def test_calling_a_model_on_keras_input_in_training_mode_is_not_supported(make: Any) -> None:
    # A model called on tensors nests in the graph (tests/test_nested_models.py); training=True there is refused.
    inputs = keras.Input(shape=(3,))
    model = make()
    with pytest.raises(NotImplementedError, match="training=True") as info:
        model(inputs, training=True)
    assert isinstance(info.value, ValueError) and "training=False" in str(info.value)
    assert model(inputs).shape == (None, 2)


@pytest.mark.parametrize("how", ["list", "add"])
def test_a_model_with_several_inputs_inside_a_sequential_is_not_supported(how: str) -> None:
    # A model with one input nests, graph or chain (tests/test_nested_models.py); a Sequential feeds one input.
    a, b = keras.Input(shape=(3,)), keras.Input(shape=(3,))
    two = keras.Model([a, b], layers.Add()([layers.Dense(2)(a), layers.Dense(2)(b)]))
    with pytest.raises(NotImplementedError, match="one input") as info:
        if how == "list":
            keras.Sequential([two, layers.Softmax()])
        else:
            keras.Sequential().add(two)
    assert isinstance(info.value, ValueError) and "layer=<Functional" in str(info.value)
    assert two.predict([np.ones((1, 3)), np.ones((1, 3))], verbose=0).shape == (
        1,
        2,
    )  # the model is untouched


@pytest.mark.parametrize(
    "build",
    [
        lambda i, o: keras.Model(inputs=i, outputs=o),
        lambda i, o: keras.Model(i, o),
        lambda i, o: keras.Model(inputs=[i], outputs=[o], name="m"),
        lambda i, o: keras.models.Model(inputs=i, outputs=o),
    ],
)
def test_keras_model_with_several_outputs_says_they_are_not_supported(build: Any) -> None:
    inputs = keras.Input(shape=(3,))
    with pytest.raises(ValueError, match="at least one layer"):
        build(inputs, inputs)
    a, b = layers.Dense(1)(inputs), layers.Dense(2)(inputs)
    with pytest.raises(NotImplementedError, match="several outputs") as info:
        keras.Model(inputs, [a, b])
    assert isinstance(info.value, ValueError)


def test_keras_model_without_arguments_and_model_subclasses_are_refused() -> None:
    with pytest.raises(keras.NotSupportedError, match="subclassed model"):
        keras.Model()

    class MyModel(keras.Model):
        def __init__(self) -> None:
            super().__init__()
            self.dense = layers.Dense(1)

        def call(self, inputs: Any) -> Any:
            return self.dense(inputs)

    with pytest.raises(keras.NotSupportedError, match="subclassing"):
        MyModel()

    class CustomStep(keras.Sequential):
        def train_step(self, data: Any) -> Any:
            return {}

    with pytest.raises(keras.NotSupportedError, match="train_step"):
        CustomStep([layers.Dense(1)])


def test_sequential_is_a_keras_model_and_plain_subclasses_still_work() -> None:
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
    assert isinstance(model, keras.Model) and isinstance(model, keras.models.Model)

    class Named(keras.Sequential):
        def __init__(self) -> None:
            super().__init__([keras.Input(shape=(3,)), layers.Dense(2)], name="named")

    named = Named()
    assert named.predict(np.zeros((1, 3), np.float32), verbose=0).shape == (1, 2)
    copy = pickle.loads(pickle.dumps(model))
    assert isinstance(copy, keras.Sequential) and copy.input_shape == (None, 3)


def test_a_custom_layer_with_its_own_call_is_refused() -> None:
    class Scale(keras.layers.Layer):
        def call(self, inputs: Any) -> Any:
            return inputs * 2

    with pytest.raises(keras.NotSupportedError, match="custom layers") as info:
        Scale()
    assert "Scale" in str(info.value)
    # The message lists the layers the core runs, every one of them.
    for name in ("Dense", "LayerNormalization", "Rescaling", "Concatenate", "Discretization"):
        assert name in str(info.value)
    assert "InputLayer" not in str(info.value)

    class TwiceDense(layers.Dense):
        def call(self, inputs: Any) -> Any:
            return inputs

    with pytest.raises(keras.NotSupportedError, match="TwiceDense"):
        TwiceDense(3)


def test_keras_base_classes_are_at_the_top_level() -> None:
    assert keras.Layer is layers.Layer and keras.Loss is keras.losses.Loss
    assert keras.Metric is keras.metrics.Metric and keras.Optimizer is keras.optimizers.Optimizer
    assert isinstance(keras.Input(shape=(2,)), keras.KerasTensor)
    assert keras.models.save_model is keras.saving.save_model


# ---- identifiers given as strings (or functions) -----------------------------------------------------------
def compiled() -> keras.Sequential:
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mae", metrics=["mse"])
    return model


UNSUPPORTED_COMPILE = [
    *[("optimizer", name, {"optimizer": name, "loss": "mse"}) for name in
      ["ftrl", "Ftrl", "lamb", "FTRL"]],
    *[("loss", name, {"loss": name}) for name in
      ["Dice", "Tversky",
       "dice", "tversky", "circle"]],
    *[("metrics", name, {"loss": "mse", "metrics": [name]}) for name in
      ["IoU", "MeanIoU", "pearson_correlation", "BinaryIoU", "OneHotIoU", "PearsonCorrelation"]],
]  # fmt: skip


@pytest.mark.parametrize(
    ("arg", "value", "kwargs"), UNSUPPORTED_COMPILE, ids=[c[1] for c in UNSUPPORTED_COMPILE]
)
def test_compile_with_a_keras_name_keras_lite_lacks_says_so(
    arg: str, value: str, kwargs: dict[str, Any]
) -> None:
    model = compiled()
    with pytest.raises(keras.NotSupportedError) as info:
        model.compile(**kwargs)
    message = str(info.value)
    assert f"{arg}={value!r}" in message and "not support" in message and "Supported:" in message
    kind = {"optimizer": "optimizer", "loss": "loss", "metrics": "metric"}[arg]
    assert f"does not support the {kind} {value!r}" in message  # (losses once read "the losse")
    assert model.loss == "mae" and model.compiled_metrics._metrics == ["mse"]  # the earlier compile stays
    model.fit(np.zeros((4, 3), np.float32), np.zeros(4, np.float32), verbose=0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"loss": lambda y_true, y_pred: (y_true - y_pred) ** 2},
        {"loss": "mse", "metrics": [lambda y_true, y_pred: y_pred]},
    ],
    ids=["loss function", "metric function"],
)
def test_compile_with_a_custom_function_says_custom_functions_are_not_supported(
    kwargs: dict[str, Any],
) -> None:
    with pytest.raises(keras.NotSupportedError, match="custom"):
        compiled().compile(**kwargs)


@pytest.mark.parametrize(
    ("make", "arg", "value"),
    [
        (lambda: layers.Dense(2, activation="sparsemax"), "activation", "sparsemax"),
        (lambda: layers.Dense(2, activation="glu"), "activation", "glu"),
        (lambda: layers.Activation("glu"), "activation", "glu"),
        (lambda: layers.Dense(2, activation=np.tanh), "activation", np.tanh),
        (lambda: layers.Dense(2, kernel_initializer="STFT"), "kernel_initializer", "STFT"),
        (lambda: layers.Dense(2, bias_initializer="stft"), "bias_initializer", "stft"),
        (lambda: layers.Activation("relu", activity_regularizer="l1"), "activity_regularizer", "l1"),
        (lambda: layers.BatchNormalization(gamma_regularizer="l2"), "gamma_regularizer", "l2"),
        (
            lambda: layers.BatchNormalization(beta_initializer="STFTInitializer"),
            "beta_initializer",
            "STFTInitializer",
        ),
        (lambda: layers.Dropout(0.5, noise_shape=(None, 1)), "noise_shape", (None, 1)),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_layer_arguments_keras_lite_lacks_say_so_naming_the_argument(make: Any, arg: str, value: Any) -> None:
    with pytest.raises(keras.NotSupportedError) as info:
        make()
    assert f"{arg}={value!r}" in str(info.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.compile(optimizer="nadamx", loss="mse"),
        lambda m: m.compile(loss="logcosh"),
        lambda m: m.compile(loss="mse", metrics=["rmse"]),
        lambda m: layers.Dense(2, activation="relux"),
        lambda m: layers.Dense(2, kernel_initializer="he_normall"),
    ],
)
def test_a_string_keras_does_not_know_either_is_a_plain_value_error(call: Any) -> None:
    with pytest.raises(ValueError, match="Could not interpret") as info:
        call(compiled())
    assert not isinstance(info.value, NotImplementedError)


@pytest.mark.parametrize("name", ["Accuracy", "ACC", "MAE", "MSE"])
def test_keras_metric_spellings_keras_lite_runs_are_accepted(name: str) -> None:
    model = compiled()
    model.compile(optimizer="adam", loss="mse", metrics=[name])
    history = model.fit(np.zeros((4, 3), np.float32), np.zeros(4, np.float32), verbose=0)
    assert name in history.history  # the key is the string given, as in Keras


def test_a_non_keras_lite_callback_object_names_the_argument() -> None:
    with pytest.raises(ValueError, match="callbacks"):
        compiled().fit(np.zeros((4, 3), np.float32), np.zeros(4, np.float32), callbacks=[object()], verbose=0)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: keras.optimizers.AdamW(use_ema=True), ("AdamW", "use_ema=True")),
        (lambda: keras.optimizers.Adam(gradient_accumulation_steps=4), ("gradient_accumulation_steps=4",)),
        (lambda: keras.optimizers.SGD(loss_scale_factor=128.0), ("loss_scale_factor=128.0",)),
    ],
)
def test_keras_optimizer_arguments_keras_lite_lacks_say_so(make: Any, words: tuple[str, ...]) -> None:
    with pytest.raises(keras.NotSupportedError) as info:
        make()
    assert all(w in str(info.value) for w in words)


def test_optimizer_arguments_at_keras_defaults_are_accepted_and_read_back() -> None:
    opt = keras.optimizers.Adam(clipnorm=None, use_ema=False, ema_momentum=0.99, weight_decay=None)
    assert opt.clipnorm is None and opt.use_ema is False and opt.weight_decay is None
    assert keras.optimizers.AdamW(weight_decay=0.1).weight_decay == 0.1
    with pytest.raises(ValueError, match="learning_rate"):
        keras.optimizers.SGD(lr=0.1)
    with pytest.raises(ValueError, match="Unrecognized") as info:
        keras.optimizers.Adam(not_an_argument=1)
    assert not isinstance(info.value, NotImplementedError)


@pytest.mark.parametrize(
    ("obj", "name"),
    [
        (lambda: keras.optimizers.Adam(), "apply_gradients"),
        (lambda: keras.optimizers.SGD(), "variables"),
        (lambda: keras.optimizers.RMSprop(), "build"),
        (lambda: keras.metrics.MeanAbsoluteError(), "stateless_update_state"),
        (lambda: keras.metrics.BinaryAccuracy(), "stateless_result"),
    ],
)
def test_keras_optimizer_and_metric_methods_keras_lite_lacks_say_so(obj: Any, name: str) -> None:
    instance = obj()
    with pytest.raises(keras.NotSupportedError, match=name):
        getattr(instance, name)
    assert not hasattr(instance, name)


def test_calling_a_metric_object_updates_it_and_returns_the_result() -> None:
    assert float(keras.metrics.MeanAbsoluteError()([1.0], [2.0])) == 1.0


@pytest.mark.parametrize(
    "metric",
    [
        lambda: keras.metrics.Mean(),
        lambda: keras.metrics.Sum,
    ],
)
def test_compile_refuses_metric_objects_the_core_does_not_accumulate(metric: Any) -> None:
    model = compiled()
    given = metric()
    name = given.__name__ if isinstance(given, type) else type(given).__name__
    with pytest.raises(keras.NotSupportedError, match=f"{name} works on its own"):
        model.compile(optimizer="adam", loss="mse", metrics=[given])
    assert model.compiled_metrics._metrics == ["mse"]


@pytest.mark.parametrize(
    ("make", "arg"),
    [
        (lambda: layers.Dense(2, dtype="float64"), "dtype"),
        (lambda: layers.Dropout(0.2, activity_regularizer="l2"), "activity_regularizer"),
        (lambda: layers.Dense(2, lora_rank=4), "lora_rank"),
        (lambda: layers.Dense(2, lora_alpha=8), "lora_alpha"),
        (lambda: keras.metrics.MeanAbsoluteError(dtype="float64"), "dtype"),
        (lambda: keras.losses.MeanSquaredError(dtype="float16"), "dtype"),
    ],
)
def test_keras_arguments_with_values_keras_lite_cannot_run_say_so(make: Any, arg: str) -> None:
    with pytest.raises(ValueError, match=arg):
        make()


def test_keras_layer_arguments_that_change_nothing_here_are_accepted() -> None:
    assert layers.Dense(2, autocast=False, activity_regularizer=None, lora_alpha=None).units == 2
    assert layers.BatchNormalization(autocast=True, dtype="float32").momentum == 0.99


def test_keras_input_arguments() -> None:
    assert keras.Input(batch_shape=(None, 3)).shape == (None, 3)
    with pytest.warns(UserWarning, match="`input_shape` is deprecated"):  # legacy spelling, as Keras warns
        model = keras.Sequential([layers.InputLayer(input_shape=(4,)), layers.Dense(1)])
    assert model.input_shape == (None, 4)
    for arg in ("sparse", "ragged", "optional"):
        with pytest.raises(keras.NotSupportedError, match=arg):
            keras.Input(shape=(3,), **{arg: True})
    with pytest.raises(keras.NotSupportedError, match="tensor"):
        keras.Input(shape=(3,), tensor=np.zeros((1, 3)))
    with pytest.raises(ValueError, match="batch_shape"):
        keras.Input(batch_shape=5)


def test_clear_session_restarts_the_automatic_names() -> None:
    layers.Dense(1)
    keras.utils.clear_session()
    assert layers.Dense(1).name == "dense" and keras.Sequential().name == "sequential"
    assert layers.Dense(1).name == "dense_1"


def test_keras_dtype_attributes_read_float32() -> None:
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
    assert model.dtype == model.compute_dtype == model.layers[0].dtype == model.layers[0].variable_dtype
    assert model.dtype == "float32" and keras.metrics.MeanSquaredError().dtype == "float32"


def test_missing_keras_attributes_cost_nothing_on_the_hot_path() -> None:
    # A class-level __getattr__ makes every attribute read on its instances slower (CPython stops
    # specialising them); model(x) and predict read several. The Keras names are descriptors instead.
    for cls in (keras.Sequential, keras.Model, layers.Layer, layers.Dense):
        assert not any("__getattr__" in vars(k) for k in cls.__mro__ if k is not object)
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
    members = dict(inspect.getmembers(model))
    assert "predict" in members and "train_step" not in members


def _public_modules() -> list[Any]:
    return [m for n, m in sorted(sys.modules.items()) if n.split(".")[0] == "keras_lite" and "._" not in n]


@pytest.mark.parametrize("module", _public_modules(), ids=lambda m: m.__name__)
def test_dir_lists_the_public_names_only(module: Any) -> None:
    """``dir(keras.losses)`` (and an editor's completion) lists the module's API, not the typing names and
    helpers it imports (``Any``, ``np``, ``annotations``), each of which still resolves."""
    public = [n for n in dir(module) if not n.startswith("__")]
    assert public == sorted(module.__all__)
    assert not {"Any", "annotations", "np", "received", "unsupported_identifier"} & set(public)
    for name in public:
        getattr(module, name)


# ---- valid Keras in files and configs ----------------------------------------------------------------------
def _tree_with_layer_class(class_name: str, module: str | None = "keras.layers") -> dict[str, Any]:
    import json

    tree = json.loads(keras.Sequential([keras.Input((3,)), layers.Dense(2)]).to_json())
    dense = tree["config"]["layers"][-1]
    dense["class_name"], dense["module"] = class_name, module
    return tree


def _keras_file(path: Any, tree: dict[str, Any]) -> Any:
    import json
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
        z.writestr("config.json", json.dumps(tree))
        z.writestr("model.weights.h5", b"")
    return path


def test_a_file_or_config_of_valid_keras_keras_lite_lacks_is_not_supported(tmp_path: Any) -> None:
    # The same NotSupportedError the code would raise (Keras 3.15.1 loads them), and a FormatError (a
    # ValueError) as any file keras_lite cannot read.
    import json

    tree = _tree_with_layer_class("Conv2D")
    calls = (
        lambda: keras.models.model_from_json(json.dumps(tree)),
        lambda: keras.Sequential.from_config(tree["config"]),
        lambda: keras.models.load_model(_keras_file(tmp_path / "conv.keras", tree)),
    )
    for call in calls:
        with pytest.raises(
            keras.NotSupportedError, match="'Conv2D', which keras_lite does not support"
        ) as info:
            call()
        assert isinstance(info.value, ValueError)
    with pytest.raises(keras.saving.FormatError, match="Conv2D"):
        keras.models.load_model(_keras_file(tmp_path / "conv2.keras", tree))
    import zipfile

    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.save(tmp_path / "adam.keras")
    with zipfile.ZipFile(tmp_path / "adam.keras") as z:
        parts = {name: z.read(name) for name in z.namelist()}
    parts["config.json"] = parts["config.json"].replace(b'"Adam"', b'"Ftrl"')
    with zipfile.ZipFile(tmp_path / "ftrl.keras", "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    with pytest.raises(keras.NotSupportedError, match="'Ftrl'"):
        keras.models.load_model(tmp_path / "ftrl.keras")


def test_a_class_keras_does_not_know_either_is_a_type_error(tmp_path: Any) -> None:
    # Keras 3.15.1: TypeError "Could not locate class 'Nope'" (model_from_json) and "could not be deserialized
    # properly" (an unregistered custom layer in a file).
    import json

    with pytest.raises(TypeError, match="class_name='Nope'") as info:
        keras.models.model_from_json(json.dumps({"class_name": "Nope", "config": {}}))
    assert isinstance(info.value, ValueError) and not isinstance(info.value, keras.NotSupportedError)
    custom = _tree_with_layer_class("MyDense", None)
    with pytest.raises(TypeError, match="'MyDense'") as info:
        keras.models.load_model(_keras_file(tmp_path / "custom.keras", custom))
    assert isinstance(info.value, keras.saving.FormatError)
