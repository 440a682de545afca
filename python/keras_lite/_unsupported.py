"""What keras_lite does not support yet, and the errors that say so.

Reading a Keras 3 name that keras_lite lacks (``keras_lite.layers.Conv2D``, ``keras_lite.ops``,
``model.train_step``) raises `NotSupportedError` naming it and what keras_lite has instead, where plain
Python would raise an ``AttributeError`` about a missing name. A name Keras does not have either keeps the
plain ``AttributeError``.

The error for a missing attribute is also an ``AttributeError``, so that ``hasattr``, ``getattr(obj, name,
default)`` and the tools that probe attributes that way (pickle, doctest, IPython, hypothesis) still see the
name as absent. A ``from keras_lite.layers import Conv2D`` statement would turn any ``AttributeError`` into
a bare ``ImportError: cannot import name``, so for that statement the error is not an ``AttributeError``:
`_reading_for_import` recognises it from the caller's bytecode. ``import keras_lite.ops`` (a Keras
submodule keras_lite lacks) raises `NotSupportedError` too, from a finder at the end of ``sys.meta_path``
that answers only for those names.
"""

from __future__ import annotations

import dis
import importlib.abc
import re
import sys
import types
from typing import Any, Callable

from ._errors import FormatError

KERAS_SUBMODULES = frozenset(
    "activations applications backend callbacks config constraints datasets distillation distribution "
    "dtype_policies export initializers layers legacy losses metrics mixed_precision models ops optimizers "
    "preprocessing quantizers random regularizers saving tree utils visualization wrappers".split()
)

# Keras 3's public names (keras/api/*/__init__.py, 3.x up to 3.16), by module ("" is the top level). Only
# the ones keras_lite lacks matter: a name a module has is found before its __getattr__ runs.
KERAS_NAMES: dict[str, frozenset[str]] = {
    "": KERAS_SUBMODULES
    | frozenset(
        "DTypePolicy FloatDTypePolicy Function Initializer Input InputSpec KerasTensor Layer Loss Metric Model "
        "Operation Optimizer Quantizer Regularizer RematScope Sequential StatelessScope SymbolicScope Variable "
        "device name_scope remat version".split()
    ),
    "activations": frozenset(
        "celu crelu deserialize elu exponential gelu get glu hard_shrink hard_sigmoid hard_silu hard_swish "
        "hard_tanh leaky_relu linear log_sigmoid log_softmax mish relu relu6 selu serialize sigmoid silu "
        "soft_shrink softmax softplus softsign sparse_plus sparse_sigmoid sparsemax squareplus swish tanh "
        "tanh_shrink threshold".split()
    ),
    "backend": frozenset(
        "backend clear_session epsilon floatx get_uid image_data_format is_float_dtype is_int_dtype "
        "is_keras_tensor result_type set_epsilon set_floatx set_image_data_format standardize_dtype".split()
    ),
    "callbacks": frozenset(
        "BackupAndRestore CSVLogger Callback CallbackList EarlyStopping History LambdaCallback "
        "LearningRateScheduler ModelCheckpoint OrbaxCheckpoint ProgbarLogger ReduceLROnPlateau RemoteMonitor "
        "SwapEMAWeights TensorBoard TerminateOnNaN".split()
    ),
    "config": frozenset(
        "backend disable_flash_attention disable_interactive_logging disable_nnx_backend "
        "disable_traceback_filtering dtype_policy enable_flash_attention enable_interactive_logging "
        "enable_nnx_backend enable_traceback_filtering enable_unsafe_deserialization epsilon floatx "
        "image_data_format is_flash_attention_enabled is_interactive_logging_enabled is_nnx_backend_enabled "
        "is_nnx_enabled "
        "is_traceback_filtering_enabled max_epochs max_steps_per_epoch set_backend set_dtype_policy "
        "set_epsilon set_floatx set_image_data_format set_max_epochs set_max_steps_per_epoch".split()
    ),
    "datasets": frozenset(
        "boston_housing california_housing cifar10 cifar100 fashion_mnist imdb mnist reuters".split()
    ),
    "initializers": frozenset(
        "Constant GlorotNormal GlorotUniform HeNormal HeUniform Identity IdentityInitializer Initializer "
        "LecunNormal LecunUniform Ones Orthogonal OrthogonalInitializer RandomNormal RandomUniform STFT "
        "STFTInitializer TruncatedNormal VarianceScaling Zeros constant deserialize get glorot_normal "
        "glorot_uniform he_normal he_uniform identity lecun_normal lecun_uniform ones orthogonal random_normal "
        "random_uniform serialize stft truncated_normal variance_scaling zeros".split()
    ),
    "layers": frozenset(
        "Activation ActivityRegularization AdaptiveAveragePooling1D AdaptiveAveragePooling2D "
        "AdaptiveAveragePooling3D AdaptiveMaxPooling1D AdaptiveMaxPooling2D AdaptiveMaxPooling3D Add "
        "AdditiveAttention AlphaDropout Attention AugMix AutoContrast "
        "Average AveragePooling1D AveragePooling2D AveragePooling3D AvgPool1D AvgPool2D AvgPool3D "
        "BatchNormalization Bidirectional CategoryEncoding CenterCrop Concatenate Conv1D Conv1DTranspose "
        "ContrastLimitedAdaptiveHistogramEqualization Conv2D Conv2DTranspose Conv3D Conv3DTranspose ConvLSTM1D "
        "ConvLSTM2D ConvLSTM3D Convolution1D "
        "Convolution1DTranspose Convolution2D Convolution2DTranspose Convolution3D Convolution3DTranspose "
        "Cropping1D Cropping2D Cropping3D CutMix Dense DepthwiseConv1D DepthwiseConv2D Discretization Dot "
        "Dropout ELU EinsumDense Embedding Equalization Flatten FlaxLayer GRU GRUCell GaussianDropout "
        "GaussianNoise GlobalAveragePooling1D GlobalAveragePooling2D GlobalAveragePooling3D GlobalAvgPool1D "
        "GlobalAvgPool2D GlobalAvgPool3D GlobalMaxPool1D GlobalMaxPool2D GlobalMaxPool3D GlobalMaxPooling1D "
        "GlobalMaxPooling2D GlobalMaxPooling3D GroupNormalization GroupQueryAttention HashedCrossing Hashing "
        "Identity Input InputLayer InputSpec IntegerLookup JaxLayer LSTM LSTMCell Lambda Layer "
        "LayerNormalization LeakyReLU Masking MaxNumBoundingBoxes MaxPool1D MaxPool2D MaxPool3D MaxPooling1D "
        "MaxPooling2D MaxPooling3D Maximum MelSpectrogram Minimum MixUp MultiHeadAttention Multiply "
        "Normalization PReLU Permute Pipeline RMSNormalization RNN RandAugment RandomBrightness "
        "RandomColorDegeneration RandomColorJitter RandomContrast RandomCrop RandomElasticTransform "
        "RandomErasing RandomFlip RandomGaussianBlur RandomGrayscale RandomHue RandomInvert RandomPerspective "
        "RandomPosterization RandomRotation RandomSaturation RandomSharpness RandomShear RandomTranslation "
        "RandomZoom ReLU RepeatVector Rescaling Reshape Resizing ReversibleEmbedding SeparableConv1D "
        "SeparableConv2D SeparableConvolution1D SeparableConvolution2D SimpleRNN SimpleRNNCell Softmax "
        "Solarization SpatialDropout1D SpatialDropout2D SpatialDropout3D SpectralNormalization "
        "StackedRNNCells StringLookup STFTSpectrogram Subtract TFSMLayer TextVectorization TimeDistributed "
        "TorchModuleWrapper UnitNormalization UpSampling1D UpSampling2D UpSampling3D Wrapper ZeroPadding1D "
        "ZeroPadding2D ZeroPadding3D add average concatenate deserialize dot maximum minimum multiply "
        "serialize subtract".split()
    ),
    "losses": frozenset(
        "BinaryCrossentropy BinaryFocalCrossentropy CTC CategoricalCrossentropy CategoricalFocalCrossentropy "
        "CategoricalGeneralizedCrossEntropy CategoricalHinge Circle CosineSimilarity Dice Hinge Huber "
        "KLDivergence LogCosh Loss "
        "MeanAbsoluteError MeanAbsolutePercentageError MeanSquaredError MeanSquaredLogarithmicError Poisson "
        "SparseCategoricalCrossentropy SquaredHinge Tversky binary_crossentropy binary_focal_crossentropy "
        "categorical_crossentropy categorical_focal_crossentropy categorical_generalized_cross_entropy "
        "categorical_hinge circle cosine_similarity "
        "ctc deserialize dice get hinge huber kl_divergence log_cosh mean_absolute_error "
        "mean_absolute_percentage_error mean_squared_error mean_squared_logarithmic_error poisson serialize "
        "sparse_categorical_crossentropy squared_hinge tversky".split()
    ),
    "metrics": frozenset(
        "AUC Accuracy BinaryAccuracy BinaryCrossentropy BinaryIoU CategoricalAccuracy CategoricalCrossentropy "
        "CategoricalHinge ConcordanceCorrelation CosineSimilarity F1Score FBetaScore FalseNegatives "
        "FalsePositives Hinge IoU KLDivergence LogCoshError Mean MeanAbsoluteError "
        "MeanAbsolutePercentageError MeanIoU MeanMetricWrapper MeanSquaredError MeanSquaredLogarithmicError "
        "Metric OneHotIoU OneHotMeanIoU PearsonCorrelation Poisson Precision PrecisionAtRecall R2Score Recall "
        "RecallAtPrecision RootMeanSquaredError SensitivityAtSpecificity SparseCategoricalAccuracy "
        "SparseCategoricalCrossentropy SparseTopKCategoricalAccuracy SpecificityAtSensitivity SquaredHinge "
        "Sum TopKCategoricalAccuracy TrueNegatives TruePositives binary_accuracy binary_crossentropy "
        "binary_focal_crossentropy categorical_accuracy categorical_crossentropy "
        "categorical_focal_crossentropy categorical_hinge concordance_correlation deserialize get hinge huber "
        "kl_divergence log_cosh mean_absolute_error mean_absolute_percentage_error mean_squared_error "
        "mean_squared_logarithmic_error pearson_correlation poisson serialize sparse_categorical_accuracy "
        "sparse_categorical_crossentropy sparse_top_k_categorical_accuracy squared_hinge "
        "top_k_categorical_accuracy".split()
    ),
    "models": frozenset(
        "Model Sequential clone_layer_graph clone_model load_model model_from_json save_model".split()
    ),
    "optimizers": frozenset(
        "Adadelta Adafactor Adagrad Adam AdamW Adamax Ftrl Lamb Lion LossScaleOptimizer Muon MultiOptimizer "
        "Nadam Optimizer OptimizerMap RMSprop SGD ScheduleFreeAdamW deserialize get legacy schedules serialize".split()
    ),
    "saving": frozenset(
        "CustomObjectScope KerasFileEditor custom_object_scope deserialize_keras_object get_custom_objects "
        "get_registered_name get_registered_object load_model load_weights register_keras_serializable "
        "save_model save_weights serialize_keras_object".split()
    ),
    "utils": frozenset(
        "Config CustomObjectScope FeatureSpace Progbar PyDataset Sequence array_to_img "
        "audio_dataset_from_directory bounding_boxes clear_session convert_data_format "
        "convert_to_channels_first convert_to_channels_last custom_object_scope deserialize_keras_object "
        "disable_interactive_logging enable_interactive_logging get_custom_objects get_file "
        "get_registered_name get_registered_object get_source_inputs image_dataset_from_directory "
        "img_to_array is_interactive_logging_enabled is_keras_tensor legacy load_img model_to_dot normalize "
        "pack_x_y_sample_weight pad_sequences plot_model register_keras_serializable save_img "
        "serialize_keras_object set_random_seed split_dataset standardize_dtype text_dataset_from_directory "
        "timeseries_dataset_from_array to_categorical unpack_x_y_sample_weight".split()
    ),
}

# The public attributes of Keras 3's Model (Layer, Trainer, Model, Sequential) and Layer, for the objects.
_LAYER_ATTRS = frozenset(
    "activity_regularizer add_loss add_metric add_variable add_weight build_from_config call compute_mask "
    "compute_output_shape compute_output_spec dtype_policy enable_lora get_build_config input input_spec "
    "load_own_variables losses non_trainable_variables output path "
    "quantization_mode quantize quantized_build quantized_call rematerialized_call save_own_variables "
    "stateless_call supports_masking symbolic_call trainable_variables".split()
)
MODEL_ATTRS = _LAYER_ATTRS | frozenset(
    "compile_from_config compute_loss compute_metrics distribute_reduction_method distribute_strategy export "
    "get_compile_config get_layer get_state_tree inputs jit_compile "
    "make_predict_function make_test_function make_train_function optimizer_variables outputs predict_step "
    "run_eagerly set_state_tree steps_per_execution test_on_batch test_step to_json "
    "train_on_batch train_step".split()
)
LAYER_ATTRS = _LAYER_ATTRS | frozenset(
    "bias_constraint bias_initializer bias_regularizer kernel_constraint kernel_initializer "
    "kernel_regularizer lora_alpha lora_enabled lora_rank beta_constraint beta_initializer beta_regularizer "
    "gamma_constraint gamma_initializer gamma_regularizer moving_mean_initializer "
    "moving_variance_initializer synchronized noise_shape".split()
)

OPTIMIZER_ATTRS = frozenset(
    "add_variable add_variable_from_reference apply apply_gradients assign assign_add assign_sub build "
    "built exclude_from_weight_decay finalize_variable_values from_config load_own_variables "
    "save_own_variables scale_loss set_weights stateless_apply update_step variables".split()
)
METRIC_ATTRS = frozenset(
    "add_variable add_weight from_config reset_state result stateless_reset_state stateless_result "
    "stateless_update_state update_state variables".split()
)


class NotSupportedError(NotImplementedError, ValueError):
    """A Keras feature keras_lite does not support yet.

    Both a ``NotImplementedError`` (it is valid Keras, only missing here) and a ``ValueError`` (what keras_lite
    raises for every argument it refuses), so either ``except`` clause catches it.
    """


class UnsupportedInFile(NotSupportedError, FormatError):
    """A file, JSON text or config that is valid Keras but uses something keras_lite does not support yet: the
    `NotSupportedError` the same code would raise, and a `FormatError`, as for any file keras_lite cannot read."""


class UnknownClassError(FormatError, TypeError):
    """A config naming a class that neither Keras nor keras_lite defines (an unregistered custom object), for
    which Keras raises ``TypeError`` ("Could not locate class"); a `FormatError` too."""


def file_error(
    message: str, cause: BaseException | None = None, kind: str = "", name: Any = None
) -> FormatError:
    """The error for something a file or config holds that keras_lite cannot read, of the family of ``cause``
    (the error reading it raised), or else of ``name`` in Keras's module ``kind`` (``"layers"``): an
    `UnsupportedInFile` for valid Keras, an `UnknownClassError` for a class Keras lacks, else a `FormatError`."""
    if isinstance(cause, FormatError):
        return type(cause)(message)
    if isinstance(cause, NotSupportedError):
        return UnsupportedInFile(message)
    if kind:
        known = isinstance(name, str) and name in KERAS_NAMES.get(kind, ())
        return UnsupportedInFile(message) if known else UnknownClassError(message)
    return FormatError(message)


def unknown_class(what: str, cls_name: Any, supported: Any, kind: str, keras: bool = True) -> FormatError:
    """The error for ``what`` in a config naming class ``cls_name`` that keras_lite lacks among its ``supported``
    ``kind`` (``"layers"``); ``keras``: the config gives it as Keras's."""
    text = f"{what} is a {cls_name!r}, which keras_lite does not support. Supported {kind}: {', '.join(sorted(supported))}"
    return file_error(text, kind=kind, name=cls_name if keras else None)


class MissingKerasName(NotSupportedError, AttributeError):
    """A Keras attribute keras_lite lacks; an ``AttributeError`` too, so ``hasattr`` answers False."""


class MissingKerasModule(NotSupportedError, ModuleNotFoundError):
    """A Keras submodule keras_lite lacks, on ``import keras_lite.<name>``."""


_IMPORT_FROM = dis.opmap["IMPORT_FROM"]


def _reading_for_import(frame: Any) -> bool:
    """Whether ``frame`` is executing a ``from module import name`` statement (its IMPORT_FROM opcode)."""
    try:
        code = frame.f_code.co_code
        return bool(code[frame.f_lasti] == _IMPORT_FROM)
    except (AttributeError, IndexError, TypeError):
        return False


def _has(module: types.ModuleType) -> str:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            name
            for name, value in vars(module).items()
            if not name.startswith("_")
            and callable(value)
            and getattr(value, "__module__", None) == module.__name__
        ]
    return ", ".join(sorted(names))


def missing(what: str, has: str, frame: Any, attribute: str | None = None, obj: Any = None) -> Exception:
    """The error for Keras's ``what`` (``"keras.layers.Conv2D"``), read by ``frame``; ``has`` says what exists."""
    message = f"keras_lite does not support {what} yet. {has}"
    if _reading_for_import(frame):
        return NotSupportedError(message)
    error = MissingKerasName(message)
    error.name, error.obj = attribute, obj
    return error


def _module_getattr(module: types.ModuleType, keras_path: str, names: frozenset[str]) -> Callable[[str], Any]:
    def __getattr__(name: str) -> Any:
        if name in names:
            what = f"keras.{keras_path}.{name}" if keras_path else f"keras.{name}"
            has = f"{module.__name__} has: {_has(module)}."
            raise missing(what, has, sys._getframe(1), name, module)
        raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")

    return __getattr__


class MissingAttribute:
    """A Keras attribute keras_lite's class lacks: reading it on an instance raises `MissingKerasName`.

    A descriptor rather than ``__getattr__``: a class with ``__getattr__`` makes every attribute read on its
    instances slower (~25 ns in CPython, which stops specialising them), and ``model(x)`` is a hot path.
    """

    def __init__(self, name: str, keras_owner: str) -> None:
        self.name, self.keras_owner = name, keras_owner

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self
        cls = type(obj).__name__
        raise missing(
            f"{cls}.{self.name} (keras.{self.keras_owner}.{self.name})",
            f"See dir() of the {cls} for what it has.",
            sys._getframe(1),
            self.name,
            obj,
        )


def defines(cls: type, name: str) -> bool:
    """Whether ``cls`` or a base has ``name`` for real (not a `MissingAttribute`)."""
    for k in cls.__mro__:
        if name in vars(k):
            return not isinstance(vars(k)[name], MissingAttribute)
    return False


def _own_methods(obj: Any, methods: tuple[str, ...]) -> list[str]:
    """Which of ``methods`` ``obj``'s class (derived from keras_lite's) defines itself, in classes of the user's
    below keras_lite's: code the core, which computes keras_lite's own classes, would not run."""
    own: list[str] = []
    for k in type(obj).__mro__:
        if k.__module__.startswith("keras_lite."):
            break
        own += [m for m in methods if m in vars(k) and m not in own]
    return own


def refuse_own_code(obj: Any, kind: str, methods: tuple[str, ...], supported: str) -> None:
    """Raise `NotSupportedError` for an ``obj`` whose class computes its own way (`_own_methods`), which
    keras_lite's core would silently replace by its base class's computation."""
    own = _own_methods(obj, methods)
    if own:
        raise NotSupportedError(
            f"keras_lite computes {kind}s in its core and does not support one of your own ({type(obj).__name__} "
            f"defines {', '.join(own)}) yet. Supported: {supported}. Received: {type(obj).__name__}"
        )


def add_missing_attributes(cls: type, names: frozenset[str], keras_owner: str) -> None:
    """Give ``cls`` a `MissingAttribute` for each Keras name in ``names`` that it does not define."""
    for name in sorted(names):
        if not any(name in vars(k) for k in cls.__mro__):
            setattr(cls, name, MissingAttribute(name, keras_owner))


def _snake(name: str) -> str:
    """Keras's ``to_snake_case``: ``"RootMeanSquaredError"`` -> ``"root_mean_squared_error"`` (the same as
    ``layers._layer.to_snake_case``, which cannot be imported here: the layers import this module)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


# The strings Keras accepts for each kind of object, beyond the public names of its module (KERAS_NAMES).
_IDENTIFIER_ALIASES = {
    "losses": {"mae", "MAE", "mse", "MSE", "mape", "MAPE", "msle", "MSLE", "bce", "BCE", "kld", "KLD"}
    | {"crossentropy", "ce", "CE"},  # resolved by compile from the shapes
    "metrics": {"mae", "MAE", "mse", "MSE", "mape", "MAPE", "msle", "MSLE", "bce", "BCE", "accuracy", "acc"},
    "optimizers": set(),
    "activations": set(),
    "initializers": {"normal", "uniform", "one", "zero"},
}


def keras_identifiers(module: str) -> frozenset[str]:
    """The identifier strings Keras 3 resolves for ``module``: names, their snake_case forms, aliases."""
    names = {n for n in KERAS_NAMES[module] if n not in ("get", "serialize", "deserialize")}
    return frozenset(names | {_snake(n) for n in names if n[:1].isupper()} | _IDENTIFIER_ALIASES[module])


def unsupported_identifier(module: str, arg: str, value: Any, supported: Any, lower: bool = False) -> None:
    """Raise `NotSupportedError` if ``value`` is a Keras identifier for ``module`` that keras_lite lacks.

    ``arg`` is the argument it came in (``"loss"``, ``"metrics"``), ``supported`` what keras_lite accepts;
    ``lower`` matches without case, as Keras does for optimizers.
    """
    kind = module[:-2] if module.endswith("ses") else module[:-1]  # "loss", "metric", "optimizer", ...
    if callable(value) and not isinstance(value, type):
        raise NotSupportedError(
            f"keras_lite computes {module} in its core and does not support custom {kind} functions or objects "
            f"yet. Supported: {', '.join(supported)}. Received: {arg}={value!r}"
        )
    if not isinstance(value, str):
        return
    known = keras_identifiers(module)
    if value in known or (lower and value.lower() in {k.lower() for k in known}):
        raise NotSupportedError(
            f"keras_lite does not support the {kind} {value!r} (keras.{module}) yet. "
            f"Supported: {', '.join(supported)}. Received: {arg}={value!r}"
        )


class _KerasSubmoduleFinder(importlib.abc.MetaPathFinder):
    """Answers ``import keras_lite.ops`` (a Keras submodule keras_lite lacks) with `MissingKerasModule`."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        parts = fullname.split(".")
        if len(parts) != 2 or parts[0] != "keras_lite" or parts[1] not in KERAS_NAMES[""]:
            return None
        if parts[1] in _PACKAGE_MODULES:
            return None
        has = f"keras_lite has: {', '.join(sorted(_PACKAGE_MODULES))}."
        error = MissingKerasModule(f"keras_lite does not support keras.{parts[1]} yet. {has}")
        error.name = fullname
        raise error


_PACKAGE_MODULES: frozenset[str] = frozenset()


def _public_names(module: types.ModuleType) -> Callable[[], list[str]]:
    """A module's ``__dir__``: its ``__all__`` and its dunders, not the helpers and typing names it imports, so
    that ``dir(keras.losses)`` and an editor's completion list what Keras's module has (and keras_lite's own
    additions), nothing else."""

    def __dir__() -> list[str]:
        return sorted({*getattr(module, "__all__", ()), *(n for n in vars(module) if n.startswith("__"))})

    return __dir__


def install(package: types.ModuleType) -> None:
    """Give ``package`` (keras_lite) and its Keras-named submodules the errors for Keras names they lack."""
    global _PACKAGE_MODULES
    _PACKAGE_MODULES = frozenset(
        name
        for name in KERAS_SUBMODULES
        if isinstance(getattr(package, name, None), types.ModuleType)
        and name in vars(package)  # not reached through __getattr__
    )
    vars(package)["__getattr__"] = _module_getattr(package, "", KERAS_NAMES[""])
    for sub, names in KERAS_NAMES.items():
        module = vars(package).get(sub)
        if sub and isinstance(module, types.ModuleType):
            vars(module)["__getattr__"] = _module_getattr(module, sub, names)
    for name, module in list(sys.modules.items()):
        public = name == package.__name__ or name.startswith(package.__name__ + ".") and "._" not in name
        if public and hasattr(module, "__all__"):
            vars(module)["__dir__"] = _public_names(module)
    add_missing_attributes(package.models.Model, MODEL_ATTRS, "Model")
    add_missing_attributes(package.layers.Layer, LAYER_ATTRS, "layers.Layer")
    add_missing_attributes(package.optimizers.Optimizer, OPTIMIZER_ATTRS, "optimizers.Optimizer")
    add_missing_attributes(package.metrics.Metric, METRIC_ATTRS, "metrics.Metric")
    if not any(isinstance(f, _KerasSubmoduleFinder) for f in sys.meta_path):
        sys.meta_path.append(_KerasSubmoduleFinder())
