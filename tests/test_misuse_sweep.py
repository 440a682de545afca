"""Misuse found by a differential sweep against Keras 3.15.1 (TensorFlow 2.21): calls with arguments of the
wrong type or value, where keras_lite answered with another exception class than Keras, accepted what Keras
refuses, or refused what Keras accepts.

Each row of ``MISUSE`` states in a comment what Keras 3.15.1 raised and asserts that keras_lite raises Keras's
class (or a subclass of it) with a message naming the argument. Where Keras raises a ``TypeError`` (often from
its own arithmetic on a string or None) and keras_lite raised a ``ValueError`` before, the error is
``keras_lite._errors.ArgumentTypeError``, both a ``TypeError`` and a ``ValueError``, so code that caught either
still does. After each refused call the small model the row was given is unchanged and still trains.
"""

from __future__ import annotations

import os
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers
from keras_lite._errors import ArgumentTypeError

ROWS, WIDTH = 40, 3
_rng = np.random.default_rng(11)
X = _rng.uniform(-1, 1, size=(ROWS, WIDTH)).astype(np.float32)
Y = X.sum(axis=1).astype(np.float32)


def fresh_model() -> keras.Sequential:
    """A 3-4-1 model compiled with Adam and MAE, fitted one epoch (so the optimizer has taken steps)."""
    model = keras.Sequential(
        [keras.Input(shape=(WIDTH,)), layers.Dense(4, activation="relu"), layers.Dense(1)]
    )
    model.compile(optimizer="adam", loss="mae", metrics=["mae"])
    model.fit(X, Y, epochs=1, verbose=0)
    return model


@dataclass(frozen=True)
class Misuse:
    """``call(model)`` must raise ``exc`` (Keras 3.15.1's class) with ``match`` in its message."""

    id: str
    call: Callable[[keras.Sequential], Any]
    exc: type[BaseException]
    match: str


class _NoLength(keras.utils.PyDataset):
    """A PyDataset that defines neither ``__len__`` nor ``num_batches``."""

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        return X[:8], Y[:8]


def _generator_weights(m: keras.Sequential) -> Any:
    return (w for w in m.get_weights())


MISUSE = [
    # --- a string or None for a number: Keras's TypeError (keras_lite raised a ValueError alone) ---------
    # Keras: TypeError "'<=' not supported between instances of 'int' and 'str'"
    Misuse("Dropout rate str", lambda m: layers.Dropout("0.5"), TypeError, "rate"),
    # Keras: TypeError "'<=' not supported between instances of 'int' and 'NoneType'"
    Misuse("Dropout rate None", lambda m: layers.Dropout(None), TypeError, "rate"),
    # Keras: TypeError "'<=' not supported between instances of 'int' and 'str'"
    Misuse("GaussianNoise stddev str", lambda m: layers.GaussianNoise("a"), TypeError, "stddev"),
    # Keras: TypeError "float() argument must be a string or a real number, not 'NoneType'"
    Misuse(
        "BatchNormalization momentum None",
        lambda m: layers.BatchNormalization(momentum=None),
        TypeError,
        "momentum",
    ),
    # Keras: TypeError "int() argument must be a string, a bytes-like object or a real number, not 'NoneType'"
    # (keras_lite: NotSupportedError, "does not support other values of axis yet")
    Misuse("BatchNormalization axis None", lambda m: layers.BatchNormalization(axis=None), TypeError, "axis"),
    Misuse(
        "BatchNormalization epsilon None",
        lambda m: layers.BatchNormalization(epsilon=None),
        TypeError,
        "epsilon",
    ),
    # Keras: TypeError "'<' not supported between instances of 'str' and 'int'"
    Misuse(
        "LeakyReLU negative_slope str",
        lambda m: layers.LeakyReLU(negative_slope="a"),
        TypeError,
        "negative_slope",
    ),
    # Keras: TypeError "'<' not supported between instances of 'str' and 'float'"
    Misuse("ReLU max_value str", lambda m: layers.ReLU(max_value="a"), TypeError, "max_value"),
    # Keras: TypeError "unsupported operand type(s) for -: 'int' and 'str'"
    Misuse("Adam beta_1 str", lambda m: keras.optimizers.Adam(beta_1="a"), TypeError, "beta_1"),
    Misuse("Adam beta_2 str", lambda m: keras.optimizers.Adam(beta_2="a"), TypeError, "beta_2"),
    # Keras: TypeError "Cannot convert 'a' to EagerTensor of dtype float" (at the call)
    Misuse(
        "Orthogonal gain str", lambda m: keras.initializers.Orthogonal(gain="a")((2, 2)), TypeError, "gain"
    ),
    Misuse("Identity gain str", lambda m: keras.initializers.Identity(gain="a")((2, 2)), TypeError, "gain"),
    Misuse("RandomNormal mean str", lambda m: keras.initializers.RandomNormal(mean="a"), TypeError, "mean"),
    Misuse(
        "TruncatedNormal stddev str",
        lambda m: keras.initializers.TruncatedNormal(stddev="a"),
        TypeError,
        "stddev",
    ),
    # Keras: TypeError "'<=' not supported between instances of 'str' and 'float'"
    Misuse(
        "VarianceScaling scale str",
        lambda m: keras.initializers.VarianceScaling(scale="a"),
        TypeError,
        "scale",
    ),
    # Keras: TypeError "Cannot convert 'a' to EagerTensor of dtype float" (when the constraint is applied;
    # keras_lite's ValueError came from float() at compile, naming nothing)
    Misuse("MaxNorm max_value str", lambda m: keras.constraints.MaxNorm("a"), TypeError, "max_value"),
    Misuse("MinMaxNorm rate str", lambda m: keras.constraints.MinMaxNorm(rate="a"), TypeError, "rate"),
    # Keras: TypeError "'<' not supported between instances of 'str' and 'int'" (keras_lite's named nothing)
    Misuse(
        "Precision thresholds str", lambda m: keras.metrics.Precision(thresholds="a"), TypeError, "thresholds"
    ),
    # Keras: TypeError "'str' object cannot be interpreted as an integer"
    Misuse(
        "to_categorical num_classes str",
        lambda m: keras.utils.to_categorical([0, 1], "a"),
        TypeError,
        "num_classes",
    ),
    # Keras: TypeError "bad operand type for abs(): 'str'"
    Misuse(
        "EarlyStopping min_delta str",
        lambda m: keras.callbacks.EarlyStopping(min_delta="a"),
        TypeError,
        "min_delta",
    ),
    # Keras: TypeError "'int' object is not callable" (when training begins)
    Misuse(
        "LearningRateScheduler not callable",
        lambda m: keras.callbacks.LearningRateScheduler(3),
        TypeError,
        "schedule",
    ),
    # --- the training calls ------------------------------------------------------------------------------
    # Keras: TypeError "'float' object cannot be interpreted as an integer"
    Misuse("evaluate steps float", lambda m: m.evaluate(X, Y, steps=2.5, verbose=0), TypeError, "steps"),
    # Keras: TypeError "unsupported operand type(s) for /: 'int' and 'str'"
    Misuse("evaluate steps str", lambda m: m.evaluate(X, Y, steps="2", verbose=0), TypeError, "steps"),
    Misuse("predict steps float", lambda m: m.predict(X, steps=2.5, verbose=0), TypeError, "steps"),
    # Keras: TypeError "'str' object cannot be interpreted as an integer"
    Misuse(
        "fit initial_epoch str",
        lambda m: m.fit(X, Y, initial_epoch="a", verbose=0),
        TypeError,
        "initial_epoch",
    ),
    # Keras: TypeError "Expected float32, but got dense_3 of type 'str'." (a Sequential has no output names;
    # keras_lite's ValueError listed them as [])
    Misuse("Sequential fit y dict", lambda m: m.fit(X, {"dense": Y}, verbose=0), TypeError, "not a dict"),
    # Keras: ValueError "Arguments not recognized: {'foo': 1}" (its evaluate takes **kwargs; keras_lite's
    # raised Python's TypeError), and the same for TF-Keras 2's workers and use_multiprocessing
    Misuse("evaluate unknown keyword", lambda m: m.evaluate(X, Y, foo=1, verbose=0), ValueError, "foo"),
    Misuse("evaluate workers", lambda m: m.evaluate(X, Y, workers=2, verbose=0), ValueError, "workers"),
    # Keras: TypeError "object of type 'int' has no len()"
    Misuse("set_weights int", lambda m: m.set_weights(3), TypeError, "weights"),
    Misuse("set_weights None", lambda m: m.set_weights(None), TypeError, "weights"),
    Misuse("set_weights generator", lambda m: m.set_weights(_generator_weights(m)), TypeError, "weights"),
    Misuse("layer set_weights None", lambda m: m.layers[0].set_weights(None), TypeError, "weights"),
    # --- files -------------------------------------------------------------------------------------------
    # Keras: TypeError "stat: path should be string, bytes, os.PathLike or integer, not NoneType"
    Misuse("load_model None", lambda m: keras.models.load_model(None), TypeError, "filepath"),
    # Keras: TypeError "'list' object is not a mapping"
    Misuse(
        "load_model custom_objects list",
        lambda m: keras.models.load_model("m.keras", custom_objects=[1]),
        TypeError,
        "custom_objects",
    ),
    # Keras: TypeError "Error when deserializing class 'Dense' ... Unrecognized keyword arguments passed to
    # Dense: {'bogus': 1}"
    Misuse(
        "Dense.from_config unknown key",
        lambda m: layers.Dense.from_config({"units": 2, "bogus": 1}),
        TypeError,
        "bogus",
    ),
    # --- keras.Input -------------------------------------------------------------------------------------
    # Keras: TypeError "Input() got an unexpected keyword argument 'foo'"
    Misuse("Input unknown keyword", lambda m: keras.Input((3,), foo=1), TypeError, "foo"),
    # Keras: ValueError "Cannot convert '(-1, 3)' to a shape. Negative dimensions are not allowed." (keras_lite
    # took it with its warning that the batch dimension stays None)
    Misuse("Input batch_size -1", lambda m: keras.Input((3,), batch_size=-1), ValueError, "batch_size=-1"),
    # Keras: ValueError "Cannot convert '(2.5, 3)' to a shape. Found invalid dimension '2.5' ..."
    Misuse(
        "Input batch_size float", lambda m: keras.Input((3,), batch_size=2.5), ValueError, "batch_size=2.5"
    ),
    Misuse("Input batch_size str", lambda m: keras.Input((3,), batch_size="4"), ValueError, "batch_size='4'"),
    Misuse(
        "Input batch_shape negative", lambda m: keras.Input(batch_shape=(-1, 3)), ValueError, "batch_shape"
    ),
    # Keras: ValueError "You cannot pass both `shape` and `batch_shape` at the same time." (keras_lite used
    # batch_shape)
    Misuse(
        "Input shape and batch_shape",
        lambda m: keras.Input(shape=(3,), batch_shape=(None, 3)),
        ValueError,
        "both `shape` and `batch_shape`",
    ),
    # Keras: ValueError "You cannot pass both `batch_size` and `batch_shape` at the same time."
    Misuse(
        "Input batch_size and batch_shape",
        lambda m: keras.Input(batch_shape=(None, 3), batch_size=4),
        ValueError,
        "both `batch_size` and `batch_shape`",
    ),
    # --- layers ------------------------------------------------------------------------------------------
    # Keras: ValueError "Input 0 ... of layer 'dense' is incompatible with the layer: expected min_ndim=2,
    # found ndim=1. Full shape received: (3,)" (keras_lite returned an output of shape (2,))
    Misuse(
        "Dense on a 1-D array", lambda m: layers.Dense(2)(np.ones(3, "float32")), ValueError, "min_ndim=2"
    ),
    # Keras: ValueError "Cannot convert '('a', 2)' to a shape" (keras_lite raised a TypeError alone)
    Misuse("Dense build str", lambda m: layers.Dense(2).build("a"), ValueError, "input_shape"),
    # --- metrics, losses and weights ------------------------------------------------------------------------
    # Keras: ValueError "could not convert string to float: np.str_('a')" (keras_lite raised a TypeError alone)
    Misuse(
        "metric update_state strings",
        lambda m: keras.metrics.MeanSquaredError().update_state(np.array(["a"]), np.ones(1)),
        ValueError,
        "y_true",
    ),
    # Keras: InvalidArgumentError "Incompatible shapes: [2] vs. [3] [Op:Sub]" (keras_lite: NumPy's ValueError
    # "operands could not be broadcast together", naming neither argument)
    Misuse(
        "metric update_state shapes",
        lambda m: keras.metrics.MeanSquaredError().update_state(np.ones(2), np.ones(3)),
        ValueError,
        "y_true.shape=(2,), y_pred.shape=(3,)",
    ),
    Misuse(
        "Variable.assign strings",
        lambda m: m.layers[0].kernel.assign(np.full((3, 4), "a")),
        ValueError,
        "value",
    ),
    # Keras: ValueError "Attempt to convert a value (None) with an unsupported type ... to a Tensor."
    # (keras_lite returned a NaN loss)
    Misuse(
        "loss of None", lambda m: keras.losses.MeanAbsoluteError()(np.ones(1), None), ValueError, "y_pred"
    ),
    Misuse(
        "loss function of None",
        lambda m: keras.losses.mean_squared_error(None, np.ones(1)),
        ValueError,
        "y_true",
    ),
    # Keras: ValueError "Attempt to convert a value (None) ..." (keras_lite raised a TypeError alone)
    Misuse(
        "learning_rate set to None",
        lambda m: setattr(m.optimizer, "learning_rate", None),
        ValueError,
        "learning_rate",
    ),
    # Keras: TypeError "'<' not supported between instances of 'str' and 'int'"
    Misuse(
        "PrecisionAtRecall recall str",
        lambda m: keras.metrics.PrecisionAtRecall(recall="a"),
        TypeError,
        "recall",
    ),
    # Keras: TypeError "'<=' not supported between instances of 'str' and 'int'"
    Misuse(
        "AUC num_thresholds str", lambda m: keras.metrics.AUC(num_thresholds="a"), TypeError, "num_thresholds"
    ),
    Misuse(
        "PrecisionAtRecall num_thresholds str",
        lambda m: keras.metrics.PrecisionAtRecall(0.5, num_thresholds="a"),
        TypeError,
        "num_thresholds",
    ),
    # --- activation functions ------------------------------------------------------------------------------
    # Keras: ValueError "Attempt to convert a value (None) ... to a Tensor." (keras_lite returned NaN)
    Misuse("relu of None", lambda m: keras.activations.relu(None), ValueError, "x"),
    # Keras: InvalidArgumentError "Value for attr 'T' of string is not in the list of allowed values" (keras_lite:
    # NumPy's ValueError "could not convert string to float", naming nothing)
    Misuse("sigmoid of strings", lambda m: keras.activations.sigmoid(np.array(["a"])), ValueError, "`x`"),
    # Keras: ValueError "Unknown activation function 'relu' cannot be serialized ..." (keras_lite: AttributeError)
    Misuse(
        "activations.serialize of a name", lambda m: keras.activations.serialize("relu"), ValueError, "relu"
    ),
    # Keras: TypeError "'<' not supported between instances of 'str' and 'int'"
    Misuse(
        "R2Score num_regressors str",
        lambda m: keras.metrics.R2Score(num_regressors="a"),
        TypeError,
        "num_regressors",
    ),
    # --- a PyDataset with neither __len__ nor num_batches ----------------------------------------------------
    # Keras: NotImplementedError "You need to implement the `num_batches` property" (keras_lite read it as
    # endless: fit without steps_per_epoch never returned; the rows give steps so that a regression fails)
    Misuse(
        "fit PyDataset without a length",
        lambda m: m.fit(_NoLength(), steps_per_epoch=2, verbose=0),
        NotImplementedError,
        "num_batches",
    ),
    Misuse(
        "predict PyDataset without a length",
        lambda m: m.predict(_NoLength(), steps=2, verbose=0),
        NotImplementedError,
        "num_batches",
    ),
    # --- callbacks: refused when made, where Keras fails when training begins or after an epoch ------------
    # Keras: TypeError "expected str, bytes or os.PathLike object, not NoneType" (at fit; keras_lite's, when
    # made, named nothing)
    Misuse("CSVLogger filename None", lambda m: keras.callbacks.CSVLogger(None), TypeError, "filename"),
    # Keras: TypeError '"delimiter" must be string, not int', after the first epoch has trained
    Misuse(
        "CSVLogger separator int",
        lambda m: keras.callbacks.CSVLogger("log.csv", separator=3),
        TypeError,
        "separator",
    ),
    Misuse("TensorBoard log_dir None", lambda m: keras.callbacks.TensorBoard(None), TypeError, "log_dir"),
]


def test_the_table_has_distinct_cases() -> None:
    assert len({row.id for row in MISUSE}) == len(MISUSE) == 62


@pytest.mark.parametrize("row", MISUSE, ids=[row.id for row in MISUSE])
def test_misuse_raises_keras_s_class_naming_the_argument_and_leaves_the_model_unchanged(
    row: Misuse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = {t.name for t in threading.enumerate()}
    model = fresh_model()
    weights = model.get_weights()
    optimizer, steps = model.optimizer, int(model.optimizer.iterations.numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(row.exc, match=row.match.replace("(", r"\(").replace(")", r"\)")) as info:
            row.call(model)
    if isinstance(info.value, TypeError) and not isinstance(info.value, ValueError):
        # the rows where keras_lite raised a ValueError before keep it, so code that caught that still does
        assert row.id in {"CSVLogger filename None", "CSVLogger separator int", "TensorBoard log_dir None"}
    assert model.optimizer is optimizer and int(model.optimizer.iterations.numpy()) == steps
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), weights))
    assert not os.listdir(tmp_path)  # no file half-written
    assert not [t for t in threading.enumerate() if t is not threading.main_thread() and t.name not in before]
    model.fit(X, Y, epochs=1, verbose=0)
    assert model.predict(X, verbose=0).shape == (ROWS, 1)


def test_argument_type_error_is_both_classes() -> None:
    assert issubclass(ArgumentTypeError, TypeError) and issubclass(ArgumentTypeError, ValueError)
    with pytest.raises(ValueError, match="rate"):
        layers.Dropout("0.5")  # what tests/test_bad_inputs.py pins, still true


def test_a_numeric_value_out_of_range_stays_keras_s_value_error() -> None:
    # Keras 3.15.1: ValueError "Invalid value received for argument `rate`. Expected a float value between 0
    # and 1." for 1.5, and ValueError "steps"... for a negative steps keras_lite refuses as before
    with pytest.raises(ValueError, match="rate") as info:
        layers.Dropout(1.5)
    assert not isinstance(info.value, TypeError)
    with pytest.raises(ValueError, match="steps") as info:
        fresh_model().evaluate(X, Y, steps=-1, verbose=0)
    assert not isinstance(info.value, TypeError)


def test_a_dense_layer_refused_on_a_1d_array_stays_unbuilt_and_works_on_rows() -> None:
    dense = layers.Dense(2)
    with pytest.raises(ValueError, match="min_ndim=2"):
        dense(np.ones(3, "float32"))
    assert not dense.built
    assert dense(np.ones((5, 3), "float32")).shape == (5, 2)
    with pytest.raises(ValueError, match=r"Full shape received: \(3,\)"):
        dense(np.ones(3, "float32"))


def test_random_uniform_with_minval_above_maxval_draws_between_them_as_keras() -> None:
    # Keras 3.15.1: RandomUniform(1.0, 0.0)((200,)) gives values in [0, 1] (minval + (maxval - minval) * u);
    # keras_lite raised NumPy's ValueError "high - low < 0", which named no argument.
    values = np.asarray(keras.initializers.RandomUniform(1.0, 0.0, seed=1)((200,)))
    assert values.dtype == np.float32 and 0.0 <= values.min() and values.max() <= 1.0
    assert values.std() > 0.2  # spread over the interval, not one value
    ordered = np.asarray(keras.initializers.RandomUniform(0.0, 1.0, seed=1)((200,)))
    np.testing.assert_allclose(values, 1.0 - ordered, atol=1e-6)  # the same draws, from the other end


def test_sequential_takes_any_iterable_of_layers_as_keras() -> None:
    # Keras 3.15.1 adds the layers of any iterable: Sequential(generator) has its 2 layers (keras_lite
    # refused all but lists and tuples). A single layer, a string or a dict stay refused.
    model = keras.Sequential(layers.Dense(i + 1) for i in range(2))
    assert [layer.units for layer in model.layers] == [1, 2]
    for bad in (layers.Dense(1), "ab", {"a": layers.Dense(1)}, 3):
        with pytest.raises(ValueError, match="layers"):
            keras.Sequential(bad)


def test_input_layer_has_keras_s_batch_shape() -> None:
    # Keras 3.15.1: InputLayer(shape=(3,)).batch_shape == (None, 3) (keras_lite: AttributeError)
    assert layers.InputLayer(shape=(3,)).batch_shape == (None, 3)
    assert keras.Input(batch_shape=(None, 3)).shape == (None, 3)


@pytest.mark.parametrize("functional", [False, True])
def test_the_one_output_s_targets_in_a_list_train_as_the_array_as_in_keras(functional: bool) -> None:
    # Keras 3.15.1 takes fit(x, [y]), fit(x, (y,)), validation_data=(x, [y]) and evaluate(x, [y]) for a model
    # of one output, a Sequential or keras.Model(i, o) or keras.Model(i, [o]); keras_lite read the list as a
    # row of 40 targets ("Data cardinality is ambiguous: `x` has 40 samples but `y` has 1").
    def run(y: Any, validation_y: Any) -> tuple[Any, ...]:
        keras.utils.set_random_seed(3)
        if functional:
            i = keras.Input((WIDTH,))
            model: Any = keras.Model(i, [layers.Dense(1)(layers.Dense(4)(i))])
        else:
            model = keras.Sequential([keras.Input((WIDTH,)), layers.Dense(4), layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        history = model.fit(X, y, epochs=2, validation_data=(X, validation_y), shuffle=False, verbose=0)
        return history.history, model.evaluate(X, validation_y, verbose=0), model.train_on_batch(X, y)

    plain = run(Y, Y)
    assert run([Y], (Y,)) == plain
    assert run((Y[:, None],), [Y]) == plain
    with pytest.raises(ValueError, match="y"):  # a nested list of numbers stays rows: one sample of 40
        run([Y.tolist()], Y)


def test_sample_weights_of_the_one_output_in_a_list_are_the_array_as_in_keras() -> None:
    # Keras 3.15.1 takes sample_weight=[w] and validation_data=(x, y, [w]) for one output; keras_lite refused
    # them ("sample_weight must hold one weight per sample ... Received: sample_weight.shape=(1, 40)").
    weights = np.linspace(0.5, 1.5, ROWS).astype(np.float32)

    def run(w: Any) -> Any:
        keras.utils.set_random_seed(5)
        model = keras.Sequential([keras.Input((WIDTH,)), layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        history = model.fit(X, Y, sample_weight=w, validation_data=(X, Y, w), shuffle=False, verbose=0)
        return history.history

    assert run([weights]) == run(weights) == run((weights[:, None],))
    # one sample: a list of one NumPy number is still that sample's weight (and its target)
    model = keras.Sequential([keras.Input((WIDTH,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X[:1], [np.float32(2.0)], sample_weight=[np.float64(1.0)], verbose=0)


def test_a_model_call_takes_keras_s_mask_argument_and_computes_as_without() -> None:
    # Keras 3.15.1: model(x, mask=...) runs (its Dense layers pass a mask on unread); keras_lite raised
    # "TypeError: Model.__call__() got an unexpected keyword argument 'mask'".
    model = fresh_model()
    i = keras.Input((WIDTH,))
    functional = keras.Model(i, layers.Dense(2)(i))
    for net in (model, functional):
        np.testing.assert_array_equal(net(X, mask=np.zeros(X.shape, bool)), net(X))
        np.testing.assert_array_equal(net(X, mask=None), net(X))
    assert functional(keras.Input((WIDTH,)), mask=None).shape == (None, 2)


@pytest.mark.parametrize("name", ["m.h5", "m.hdf5", "w.weights.h5", "legacy.h5"])
@pytest.mark.parametrize("content", [b"", b"not hdf5 " * 20])
def test_a_file_named_hdf5_that_is_not_raises_keras_s_os_error(
    tmp_path: Path, name: str, content: bytes
) -> None:
    # Keras 3.15.1 (h5py): OSError "Unable to synchronously open file (file signature not found)"; keras_lite
    # raised a FormatError (a ValueError) alone, which for load_model called the file "not a `.keras` file".
    path = tmp_path / name
    path.write_bytes(content)
    model = fresh_model()
    weights = model.get_weights()
    if name.startswith("m."):
        with pytest.raises(OSError, match="not an HDF5 file") as info:
            keras.models.load_model(path)
    else:
        with pytest.raises(OSError, match="HDF5 signature") as info:
            model.load_weights(path)
    assert isinstance(info.value, ValueError)  # still the FormatError it was
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), weights))


def test_evaluate_and_predict_of_a_stream_with_steps_0_read_all_of_it_as_keras() -> None:
    # Keras 3.15.1: evaluate(generator, steps=0) and evaluate(PyDataset, steps=0) read the whole source, as
    # steps=0 reads all the rows of arrays (keras_lite: "expected a positive integer. Received: steps=0").
    model = fresh_model()

    def batches() -> Any:
        return ((X[i : i + 8], Y[i : i + 8]) for i in range(0, ROWS, 8))

    whole = model.evaluate(X, Y, batch_size=8, verbose=0)
    assert model.evaluate(batches(), steps=0, verbose=0) == pytest.approx(whole, rel=1e-6)
    assert model.predict(((x,) for x, _ in batches()), steps=0, verbose=0).shape == (ROWS, 1)
    with pytest.raises(ValueError, match="steps"):
        model.evaluate(batches(), steps=-1, verbose=0)


def test_a_weight_has_keras_s_assign_add_and_assign_sub() -> None:
    # Keras 3.15.1: layer.kernel.assign_add(1.0) and assign_sub(array) work (keras_lite: AttributeError); a
    # value that does not broadcast to the weight is refused (Keras on TensorFlow: "Incompatible shapes").
    model = fresh_model()
    kernel = model.layers[0].kernel
    start = kernel.numpy()
    kernel.assign_add(1.0)
    kernel.assign_sub(np.full(start.shape, 0.5, np.float32))
    kernel.assign_add(np.arange(start.shape[1], dtype=np.float32))  # broadcast along the rows
    np.testing.assert_allclose(kernel.numpy(), start + 0.5 + np.arange(start.shape[1]), rtol=1e-6)
    np.testing.assert_allclose(model.get_weights()[0], kernel.numpy())  # the model computes with it
    now = kernel.numpy()
    with pytest.raises(ValueError, match=r"variable.shape=\(3, 4\), Received: value.shape=\(2, 2\)"):
        kernel.assign_add(np.ones((2, 2)))
    with pytest.raises(ValueError, match="value"):
        kernel.assign_sub("a")
    np.testing.assert_array_equal(kernel.numpy(), now)
