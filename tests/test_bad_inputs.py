"""The bad-input table (issue 7): every public entry point, called wrongly, answers with the documented
exception and a message that names the argument, and leaves the model exactly as it was and usable.

One parametrized test runs the ``BAD`` table. Each row is a `Bad` case: an id, a call made on a fresh small
model (compiled and fitted once, so optimizer slots exist and ``iterations > 0``; calls on the bare API
ignore it), the exception class, and the words the message must contain. After the call the test checks
that the weights, ``optimizer.iterations``, the optimizer object, loss and metrics are unchanged, that no
thread was left behind, and that the model still fits and predicts.

Unusual but valid inputs (non-contiguous, read-only, big-endian, huge batch sizes) are a second table,
``GOOD``: they must work and give the same numbers as the plain C-ordered float32 call.

Rows marked ``bug=`` are known library bugs, run as ``xfail(strict=True)`` so that the fix turns them
green (and the marker must then be removed).

pyo3's ``PanicException`` derives from ``BaseException``, so the checks catch ``BaseException`` and reject
a panic by its type name.
"""

from __future__ import annotations

import gc
import importlib.util
import threading
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Union

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers
from keras_lite._unsupported import NotSupportedError

# --- data and models -----------------------------------------------------------------------------------

ROWS, WIDTH = 40, 3
_rng = np.random.default_rng(7)
X = _rng.uniform(-1, 1, size=(ROWS, WIDTH)).astype(np.float32)
Y = X.sum(axis=1).astype(np.float32)
STEPS_PER_EPOCH = 2  # 40 rows at the default batch_size of 32


def fresh_model() -> keras.Sequential:
    """A 3-4-1 model compiled with Adam, MAE and an MAE metric, fitted one epoch."""
    model = keras.Sequential(
        [keras.Input(shape=(WIDTH,)), layers.Dense(4, activation="relu"), layers.Dense(1)], name="table"
    )
    model.compile(optimizer="adam", loss="mae", metrics=["mae"])
    model.fit(X, Y, epochs=1, verbose=0)
    return model


def big_x() -> np.ndarray:
    """400,000 finite rows of the model's width: more values than one thread checks alone."""
    return np.resize(X, (400_000, X.shape[1]))


def big_y() -> np.ndarray:
    return np.resize(Y, 400_000)


def with_value(a: np.ndarray, row: int, col: int, value: float = np.nan) -> np.ndarray:
    """A float64 copy of ``a`` with ``value`` at ``[row, col]`` (``[row]`` when 1-D)."""
    out = np.array(a, dtype=np.float64)
    out[(row, col) if out.ndim == 2 else row] = value
    return out


def readonly(a: np.ndarray) -> np.ndarray:
    """A read-only view of ``a`` (same memory layout)."""
    out = a.view()
    out.flags.writeable = False
    return out


def strided(a: np.ndarray) -> np.ndarray:
    """A view of ``a`` whose rows are two apart in memory (not contiguous)."""
    return np.repeat(a, 2, axis=0)[::2]


def masked_at(a: np.ndarray, row: int, col: int) -> np.ndarray:
    mask = np.zeros(a.shape, dtype=bool)
    mask[row, col] = True
    return np.ma.masked_array(a, mask=mask)


def two_way_y() -> np.ndarray:
    return np.stack([Y, Y], axis=1)


def deferred() -> keras.Sequential:
    return keras.Sequential([layers.Dense(1)])


def reuse_layer_at_other_width(m: keras.Sequential) -> Any:
    layer = layers.Dense(2)
    keras.Sequential([keras.Input(shape=(3,)), layer])
    return keras.Sequential([keras.Input(shape=(5,)), layer])


# --- the bad-input table -------------------------------------------------------------------------------

Exc = Union[type[BaseException], tuple[type[BaseException], ...]]


@dataclass(frozen=True)
class Bad:
    """One bad call: ``call(model)`` must raise ``exc`` with each of ``words`` in its message."""

    id: str
    call: Callable[[keras.Sequential], Any]
    exc: Exc
    words: tuple[str, ...]
    bug: str | None = None  # a known library bug: the row runs as xfail(strict=True)


OPT = keras.optimizers
LOSS = keras.losses
CB = keras.callbacks
ES = keras.callbacks.EarlyStopping
WRONG_TYPE = (TypeError, ValueError)  # where Keras itself is not consistent, either is a clear answer

CONSTRUCTORS = [
    # Sequential
    Bad("Sequential layers not a list", lambda m: keras.Sequential(layers.Dense(1)), ValueError, ("layers",)),
    Bad("Sequential item not a layer", lambda m: keras.Sequential([np.zeros(3)]), ValueError, ("Layer",)),
    Bad(
        "Sequential duplicate layer names",
        lambda m: keras.Sequential([layers.Dense(1, name="d"), layers.Dense(1, name="d")]),
        ValueError,
        ("names", "'d'"),
    ),
    Bad(
        "Sequential two Inputs",
        lambda m: keras.Sequential([keras.Input(shape=(2,)), keras.Input(shape=(2,))]),
        ValueError,
        ("Input layer",),
    ),
    # Dense
    Bad("Dense units 0", lambda m: layers.Dense(0), ValueError, ("units", "0")),
    Bad("Dense units -1", lambda m: layers.Dense(-1), ValueError, ("units", "-1")),
    Bad("Dense units float", lambda m: layers.Dense(2.5), ValueError, ("units", "2.5")),
    Bad("Dense units str", lambda m: layers.Dense("4"), ValueError, ("units", "'4'")),
    Bad("Dense units bool", lambda m: layers.Dense(True), ValueError, ("units", "True")),
    Bad("Dense units None", lambda m: layers.Dense(None), ValueError, ("units",)),
    Bad(
        "Dense units 2**62 (huge)",
        lambda m: keras.Sequential([keras.Input(shape=(2,)), layers.Dense(2**62)]),
        MemoryError,
        ("parameters",),
    ),
    Bad(
        "Dense units 2**64 (beyond 64 bits)",
        lambda m: keras.Sequential([keras.Input(shape=(2,)), layers.Dense(2**64)]),
        ValueError,
        ("units",),
    ),
    Bad("Dense unknown activation", lambda m: layers.Dense(3, activation="relux"), ValueError, ("relux",)),
    Bad(
        "Dense activation lambda",
        lambda m: layers.Dense(3, activation=lambda t: t),
        ValueError,
        ("activation",),
    ),
    Bad("Dense activation int", lambda m: layers.Dense(3, activation=3), ValueError, ("activation",)),
    Bad("Dense dtype float64", lambda m: layers.Dense(3, dtype="float64"), ValueError, ("dtype",)),
    Bad("Dense empty name", lambda m: layers.Dense(3, name=""), ValueError, ("name",)),
    Bad(
        "Dense kernel_initializer",
        lambda m: layers.Dense(3, kernel_initializer="he_normall"),
        ValueError,
        ("kernel_initializer",),
    ),
    Bad(
        "Dense kernel_regularizer",
        lambda m: layers.Dense(3, kernel_regularizer="l1_l2"),
        ValueError,
        ("regularizer identifier: l1_l2",),
    ),
    Bad("Dense unknown kwarg", lambda m: layers.Dense(1, input_dims=3), ValueError, ("input_dims",)),
    Bad(
        "Dense input_shape rank 2",
        lambda m: layers.Dense(1, input_shape=(2, 3)),
        ValueError,
        ("input_shape",),
    ),
    Bad("Dense input_dim -5", lambda m: layers.Dense(1, input_dim=-5), ValueError, ("input_dim",)),
    # Activation
    Bad("Activation unknown name", lambda m: layers.Activation("softmaxx"), ValueError, ("softmaxx",)),
    Bad("Activation int", lambda m: layers.Activation(3), ValueError, ("activation",)),
    Bad("activations.get unknown", lambda m: keras.activations.get("nope"), ValueError, ("nope",)),
    # Dropout
    Bad("Dropout rate 1.5", lambda m: layers.Dropout(1.5), ValueError, ("rate",)),
    Bad("Dropout rate -0.1", lambda m: layers.Dropout(-0.1), ValueError, ("rate",)),
    Bad("Dropout rate NaN", lambda m: layers.Dropout(float("nan")), ValueError, ("rate",)),
    Bad("Dropout rate str", lambda m: layers.Dropout("0.5"), ValueError, ("rate",)),
    Bad("Dropout rate bool", lambda m: layers.Dropout(True), ValueError, ("rate",)),
    Bad("Dropout seed -1", lambda m: layers.Dropout(0.1, seed=-1), ValueError, ("seed",)),
    Bad(
        "Dropout seed 2**64",
        lambda m: keras.Sequential(
            [keras.Input(shape=(3,)), layers.Dropout(0.1, seed=2**64), layers.Dense(1)]
        ),
        ValueError,
        ("seed",),
    ),
    Bad("Dropout noise_shape", lambda m: layers.Dropout(0.1, noise_shape=(1,)), ValueError, ("noise_shape",)),
    # BatchNormalization
    Bad("BatchNormalization axis 0", lambda m: layers.BatchNormalization(axis=0), ValueError, ("axis",)),
    Bad(
        "BatchNormalization epsilon below 0",
        lambda m: layers.BatchNormalization(epsilon=-1e-3),
        ValueError,
        ("epsilon",),
    ),
    Bad(
        "BatchNormalization epsilon str",
        lambda m: layers.BatchNormalization(epsilon="a"),
        WRONG_TYPE,
        ("epsilon",),
    ),
    Bad(
        "BatchNormalization momentum str",
        lambda m: layers.BatchNormalization(momentum="a"),
        WRONG_TYPE,
        ("momentum",),
    ),
    Bad(
        "BatchNormalization momentum inf",
        lambda m: keras.Sequential(
            [keras.Input(shape=(3,)), layers.BatchNormalization(momentum=float("inf")), layers.Dense(1)]
        ),
        ValueError,
        ("momentum",),
    ),
    Bad(
        "BatchNormalization gamma_initializer",
        lambda m: layers.BatchNormalization(gamma_initializer="zeroes"),
        ValueError,
        ("gamma_initializer",),
    ),
    # Input
    Bad("Input shape 0", lambda m: keras.Input(shape=(0,)), ValueError, ("shape",)),
    Bad("Input shape empty", lambda m: keras.Input(shape=()), ValueError, ("shape",)),
    Bad("Input shape zero axis", lambda m: keras.Input(shape=(2, 0)), ValueError, ("shape",)),
    Bad(
        "Dense on an input of rank 2",
        lambda m: layers.Dense(2)(keras.Input(shape=(2, 3))),
        NotSupportedError,
        ("Flatten", "(None, 2, 3)"),
    ),
    Bad("Input shape None", lambda m: keras.Input(shape=None), ValueError, ("shape",)),
    Bad("Input shape float", lambda m: keras.Input(shape=(2.5,)), ValueError, ("shape",)),
    Bad("Input shape object", lambda m: keras.Input(shape=object()), TypeError, ("shape",)),
    Bad("Input dtype int32", lambda m: keras.Input(shape=(2,), dtype="int32"), ValueError, ("dtype",)),
    Bad(
        "Input width 2**62 (weights overflow)",
        lambda m: keras.Sequential([keras.Input(shape=(2**62,)), layers.Dense(4)]),
        ValueError,
        ("too large",),
    ),
    Bad(
        "Input width 2**64",
        lambda m: keras.Sequential([keras.Input(shape=(2**64,)), layers.Dense(1)]),
        ValueError,
        ("shape",),
    ),
    # optimizers
    Bad("Adam learning_rate int", lambda m: OPT.Adam(learning_rate=1), ValueError, ("learning_rate",)),
    Bad("Adam learning_rate str", lambda m: OPT.Adam(learning_rate="0.1"), ValueError, ("learning_rate",)),
    Bad("Adam learning_rate None", lambda m: OPT.Adam(learning_rate=None), ValueError, ("learning_rate",)),
    Bad("Adam learning_rate -0.1", lambda m: OPT.Adam(learning_rate=-0.1), ValueError, ("learning_rate",)),
    Bad(
        "Adam learning_rate inf",
        lambda m: OPT.Adam(learning_rate=float("inf")),
        ValueError,
        ("learning_rate",),
    ),
    Bad("Adam learning_rate complex", lambda m: OPT.Adam(learning_rate=1j), ValueError, ("learning_rate",)),
    Bad("Adam beta_1 str", lambda m: OPT.Adam(beta_1="x"), ValueError, ("beta_1",)),
    Bad("Adam unknown kwarg lr", lambda m: OPT.Adam(lr=0.1), ValueError, ("lr",)),
    Bad("AdamW weight_decay str", lambda m: OPT.AdamW(weight_decay="x"), ValueError, ("weight_decay",)),
    Bad(
        "AdamW learning_rate NaN",
        lambda m: OPT.AdamW(learning_rate=float("nan")),
        ValueError,
        ("learning_rate",),
    ),
    Bad("SGD momentum 1.5", lambda m: OPT.SGD(momentum=1.5), ValueError, ("momentum",)),
    Bad("SGD momentum -0.1", lambda m: OPT.SGD(momentum=-0.1), ValueError, ("momentum",)),
    Bad("SGD momentum NaN", lambda m: OPT.SGD(momentum=float("nan")), ValueError, ("momentum",)),
    Bad("SGD unknown kwarg", lambda m: OPT.SGD(momentun=0.1), ValueError, ("momentun",)),
    Bad("RMSprop rho str", lambda m: OPT.RMSprop(rho="x"), ValueError, ("rho",)),
    Bad("RMSprop momentum str", lambda m: OPT.RMSprop(momentum="x"), ValueError, ("momentum",)),
    Bad(
        "RMSprop learning_rate bool",
        lambda m: OPT.RMSprop(learning_rate=True),
        ValueError,
        ("learning_rate",),
    ),
    Bad("optimizers.get unknown", lambda m: OPT.get("nope"), ValueError, ("nope",)),
    # losses and metrics
    Bad("losses.get unknown", lambda m: LOSS.get("nope"), ValueError, ("nope",)),
    Bad("Huber delta 0", lambda m: LOSS.Huber(delta=0.0), ValueError, ("delta",)),
    Bad(
        "Huber delta str",
        lambda m: LOSS.Huber(delta="a"),
        WRONG_TYPE,
        ("delta",),
    ),
    Bad(
        "BinaryCrossentropy label_smoothing 2",
        lambda m: LOSS.BinaryCrossentropy(label_smoothing=2.0),
        ValueError,
        ("label_smoothing",),
    ),
    Bad(
        "BinaryCrossentropy label_smoothing str",
        lambda m: LOSS.BinaryCrossentropy(label_smoothing="a"),
        WRONG_TYPE,
        ("label_smoothing",),
    ),
    Bad("BinaryCrossentropy axis 0", lambda m: LOSS.BinaryCrossentropy(axis=0), ValueError, ("axis",)),
    Bad(
        "loss reduction unknown",
        lambda m: LOSS.MeanSquaredError(reduction="bogus"),
        ValueError,
        ("reduction",),
    ),
    Bad(
        "loss call shape mismatch",
        lambda m: LOSS.MeanSquaredError()(np.zeros((3, 2)), np.zeros((3, 3))),
        ValueError,
        ("y_true", "y_pred"),
    ),
    Bad(
        "loss call sample_weight shape",
        lambda m: LOSS.MeanSquaredError()(np.zeros((3, 1)), np.zeros((3, 1)), sample_weight=np.zeros(5)),
        ValueError,
        ("sample_weight",),
    ),
    Bad(
        "Precision thresholds outside [0, 1] in compile",
        lambda m: m.compile(loss="mse", metrics=[keras.metrics.Precision(thresholds=[0.5, 1.5])]),
        ValueError,
        ("thresholds",),
    ),
    # callbacks
    Bad("EarlyStopping patience -1", lambda m: ES(patience=-1), ValueError, ("patience",)),
    Bad("EarlyStopping patience float", lambda m: ES(patience=1.5), ValueError, ("patience",)),
    Bad("EarlyStopping patience bool", lambda m: ES(patience=True), ValueError, ("patience",)),
    Bad("EarlyStopping min_delta str", lambda m: ES(min_delta="a"), ValueError, ("min_delta",)),
    Bad(
        "EarlyStopping start_from_epoch -1",
        lambda m: ES(start_from_epoch=-1),
        ValueError,
        ("start_from_epoch",),
    ),
    Bad(
        "EarlyStopping monitor int",
        lambda m: ES(monitor=3),
        WRONG_TYPE,
        ("monitor",),
    ),
    Bad(
        "LambdaCallback unknown hook",
        lambda m: CB.LambdaCallback(on_epoch_ends=print),
        ValueError,
        ("on_epoch_ends",),
    ),
    Bad(
        "LambdaCallback not callable",
        lambda m: CB.LambdaCallback(on_epoch_end=3),
        ValueError,
        ("on_epoch_end",),
    ),
    # utils / config
    Bad("set_random_seed -1", lambda m: keras.utils.set_random_seed(-1), ValueError, ("seed",)),
    Bad("set_random_seed float", lambda m: keras.utils.set_random_seed(1.5), ValueError, ("seed",)),
    Bad("set_random_seed str", lambda m: keras.utils.set_random_seed("1"), ValueError, ("seed",)),
    Bad("set_random_seed None", lambda m: keras.utils.set_random_seed(None), ValueError, ("seed",)),
    Bad("set_random_seed bool", lambda m: keras.utils.set_random_seed(True), ValueError, ("seed",)),
]

COMPILE = [
    Bad(
        "compile unknown optimizer",
        lambda m: m.compile(optimizer="adamm", loss="mae"),
        ValueError,
        ("adamm",),
    ),
    Bad(
        "compile unknown loss",
        lambda m: m.compile(optimizer="adam", loss="mean_abs"),
        ValueError,
        ("mean_abs",),
    ),
    Bad(
        "compile unknown metric",
        lambda m: m.compile(optimizer="adam", loss="mae", metrics=["acc_uracy"]),
        ValueError,
        ("acc_uracy",),
    ),
    Bad("compile optimizer int", lambda m: m.compile(optimizer=3, loss="mae"), ValueError, ("optimizer",)),
    Bad(
        "compile optimizer class not instance",
        lambda m: m.compile(optimizer=OPT.Adam, loss="mae"),
        ValueError,
        ("optimizer",),
    ),
    Bad(
        "compile loss lambda",
        lambda m: m.compile(optimizer="adam", loss=lambda a, b: a),
        ValueError,
        ("loss",),
    ),
    Bad("compile metrics str", lambda m: m.compile(loss="mae", metrics="mae"), ValueError, ("metrics",)),
    Bad("compile metrics [None]", lambda m: m.compile(loss="mae", metrics=[None]), ValueError, ("metric",)),
    Bad(
        "compile loss_weights for two outputs",
        lambda m: m.compile(loss="mae", loss_weights=[1.0, 2.0]),
        ValueError,
        ("loss_weights",),
    ),
    Bad(
        "compile loss_weights nan",
        lambda m: m.compile(loss="mae", loss_weights=float("nan")),
        ValueError,
        ("loss_weights",),
    ),
    Bad(
        "compile SGD learning_rate 1e300 (inf in float32)",
        lambda m: m.compile(optimizer=OPT.SGD(learning_rate=1e300), loss="mae"),
        ValueError,
        ("learning_rate",),
    ),
    Bad(
        "compile Huber delta 1e-300 (0 in float32)",
        lambda m: m.compile(optimizer="adam", loss=LOSS.Huber(delta=1e-300)),
        ValueError,
        ("delta",),
    ),
    Bad(
        "compile an unbuilt model, SGD learning_rate 1e300",
        lambda m: deferred().compile(optimizer=OPT.SGD(learning_rate=1e300), loss="mae"),
        ValueError,
        ("learning_rate",),
    ),
    Bad(
        "compile an unbuilt model, Huber delta 1e-300",
        lambda m: deferred().compile(optimizer="adam", loss=LOSS.Huber(delta=1e-300)),
        ValueError,
        ("delta",),
    ),
]

FIT = [
    # shapes and ranks
    Bad("fit x width 2", lambda m: m.fit(X[:, :2], Y, verbose=0), ValueError, ("x", "3", "2")),
    Bad("fit x 1-D", lambda m: m.fit(X[:, 0], Y, verbose=0), ValueError, ("x", "3")),
    Bad(
        "fit x rank 3", lambda m: m.fit(X[:, None, :], Y, verbose=0), ValueError, ("x",)
    ),  # (n, 3, 1) is taken
    Bad("fit x scalar", lambda m: m.fit(3.0, Y, verbose=0), ValueError, ("x",)),
    Bad("fit x list of arrays", lambda m: m.fit([X, X], Y, verbose=0), ValueError, ("x",)),
    Bad("fit x ragged list", lambda m: m.fit([[1, 2, 3], [1, 2]], [1, 2], verbose=0), ValueError, ("x",)),
    Bad("fit x None", lambda m: m.fit(None, Y, verbose=0), ValueError, ("x",)),
    Bad("fit y None", lambda m: m.fit(X, None, verbose=0), ValueError, ("y",)),
    Bad("fit y width 2", lambda m: m.fit(X, two_way_y(), verbose=0), ValueError, ("y",)),
    Bad("fit y rank 4", lambda m: m.fit(X, Y[:, None, None, None], verbose=0), ValueError, ("y",)),
    Bad("fit x y lengths", lambda m: m.fit(X, Y[:10], verbose=0), ValueError, ("x", "y", "40", "10")),
    # types and dtypes
    Bad("fit x str", lambda m: m.fit("abc", Y, verbose=0), TypeError, ("x",)),
    Bad("fit x set", lambda m: m.fit({1, 2}, Y, verbose=0), TypeError, ("x",)),
    Bad("fit x generator and y", lambda m: m.fit((r for r in X), Y, verbose=0), ValueError, ("y",)),
    Bad("fit x dict", lambda m: m.fit({"a": X}, Y, verbose=0), TypeError, ("x",)),
    Bad("fit x dtype str", lambda m: m.fit(np.full((ROWS, 3), "a"), Y, verbose=0), TypeError, ("x",)),
    Bad("fit x dtype object", lambda m: m.fit(X.astype(object), Y, verbose=0), TypeError, ("x",)),
    Bad("fit x dtype complex", lambda m: m.fit(X.astype(complex), Y, verbose=0), TypeError, ("x",)),
    Bad(
        "fit x dtype datetime64",
        lambda m: m.fit(np.zeros((ROWS, 3), "M8[s]"), Y, verbose=0),
        TypeError,
        ("x",),
    ),
    Bad("fit x dtype bytes", lambda m: m.fit(np.zeros((ROWS, 3), "S1"), Y, verbose=0), TypeError, ("x",)),
    Bad(
        "fit x structured dtype",
        lambda m: m.fit(np.zeros(ROWS, dtype=[("a", "f4"), ("b", "f4"), ("c", "f4")]), Y, verbose=0),
        TypeError,
        ("x",),
    ),
    Bad("fit y dtype complex", lambda m: m.fit(X, Y.astype(complex), verbose=0), TypeError, ("y",)),
    Bad("fit y dtype object", lambda m: m.fit(X, np.array([None] * ROWS), verbose=0), TypeError, ("y",)),
    Bad("fit y dtype str", lambda m: m.fit(X, np.array(["a"] * ROWS), verbose=0), TypeError, ("y",)),
    # empty and huge
    Bad("fit x no rows", lambda m: m.fit(X[:0], Y[:0], verbose=0), ValueError, ("x", "empty")),
    Bad("fit x no columns", lambda m: m.fit(np.zeros((ROWS, 0)), Y, verbose=0), ValueError, ("x", "empty")),
    Bad("fit y no columns", lambda m: m.fit(X, np.zeros((ROWS, 0)), verbose=0), ValueError, ("y", "empty")),
    Bad(
        "fit x 2**50 rows (broadcast view)",
        lambda m: m.fit(np.broadcast_to(np.float32(0), (2**50, 3)), np.broadcast_to(np.float32(0), (2**50,))),
        MemoryError,
        ("x",),
    ),
    # NaN and inf: the message names the argument, row and column
    Bad(
        "fit x NaN",
        lambda m: m.fit(with_value(X, 5, 1), Y, verbose=0),
        ValueError,
        ("x", "row 5", "column 1"),
    ),
    Bad(
        "fit x +inf",
        lambda m: m.fit(with_value(X, 0, 2, np.inf), Y, verbose=0),
        ValueError,
        ("x", "row 0", "column 2", "inf"),
    ),
    Bad(
        "fit x -inf in the last row",
        lambda m: m.fit(with_value(X, 39, 0, -np.inf), Y, verbose=0),
        ValueError,
        ("x", "row 39", "column 0"),
    ),
    # A set of over 2**20 values is scanned in parts, one per thread: the first bad value is still the one named.
    Bad(
        "fit x NaN late in a large set, inf after it",
        lambda m: m.fit(with_value(with_value(big_x(), 300_001, 2), 399_999, 0, np.inf), big_y(), verbose=0),
        ValueError,
        ("x", "row 300001", "column 2", "NaN"),
    ),
    Bad(
        "evaluate x inf in the first half of a large set, NaN in the second",
        lambda m: m.evaluate(with_value(with_value(big_x(), 7, 1, -np.inf), 250_000, 0), big_y(), verbose=0),
        ValueError,
        ("x", "row 7", "column 1", "inf"),
    ),
    Bad(
        "fit x float64 beyond float32",
        lambda m: m.fit(with_value(X, 3, 1, 1e39), Y, verbose=0),
        ValueError,
        ("x", "row 3", "column 1"),
    ),
    Bad(
        "fit x masked value",
        lambda m: m.fit(masked_at(X, 7, 2), Y, verbose=0),
        ValueError,
        ("x", "row 7", "column 2"),
    ),
    Bad(
        "fit y NaN",
        lambda m: m.fit(X, with_value(Y, 7, 0), verbose=0),
        ValueError,
        ("y", "row 7", "column 0"),
    ),
    Bad(
        "fit y (n, 1) inf",
        lambda m: m.fit(X, with_value(Y[:, None], 12, 0, np.inf), verbose=0),
        ValueError,
        ("y", "row 12", "column 0"),
    ),
    Bad(
        "fit validation x NaN",
        lambda m: m.fit(X, Y, validation_data=(with_value(X, 2, 1), Y), verbose=0),
        ValueError,
        ("validation", "row 2", "column 1"),
    ),
    Bad(
        "fit validation y inf",
        lambda m: m.fit(X, Y, validation_data=(X, with_value(Y, 3, 0, np.inf)), verbose=0),
        ValueError,
        ("validation", "row 3", "column 0"),
    ),
    Bad(
        "fit validation_split NaN in a held-out row",
        lambda m: m.fit(with_value(X, 38, 2), Y, validation_split=0.1, verbose=0),
        ValueError,
        ("x", "row 38", "column 2"),
    ),
    # counts and settings
    Bad(
        "fit batch_size -3", lambda m: m.fit(X, Y, batch_size=-3, verbose=0), ValueError, ("batch_size", "-3")
    ),
    Bad(
        "fit batch_size -1", lambda m: m.fit(X, Y, batch_size=-1, verbose=0), ValueError, ("batch_size", "-1")
    ),
    Bad("fit batch_size float", lambda m: m.fit(X, Y, batch_size=2.5, verbose=0), TypeError, ("batch_size",)),
    Bad("fit batch_size str", lambda m: m.fit(X, Y, batch_size="32", verbose=0), TypeError, ("batch_size",)),
    Bad("fit batch_size bool", lambda m: m.fit(X, Y, batch_size=True, verbose=0), TypeError, ("batch_size",)),
    Bad("fit epochs -3", lambda m: m.fit(X, Y, epochs=-3, verbose=0), ValueError, ("epochs", "-3")),
    Bad("fit epochs float", lambda m: m.fit(X, Y, epochs=2.0, verbose=0), TypeError, ("epochs",)),
    Bad(
        "fit epochs 2**64",
        lambda m: m.fit(X, Y, epochs=2**64, verbose=0),
        ValueError,
        ("epochs",),
    ),
    Bad(
        "fit initial_epoch -1",
        lambda m: m.fit(X, Y, initial_epoch=-1, verbose=0),
        ValueError,
        ("initial_epoch",),
    ),
    Bad(
        "fit initial_epoch float",
        lambda m: m.fit(X, Y, initial_epoch=1.0, verbose=0),
        ValueError,
        ("initial_epoch",),
    ),
    Bad(
        "fit initial_epoch 2**64",
        lambda m: m.fit(X, Y, initial_epoch=2**64, verbose=0),
        ValueError,
        ("initial_epoch",),
    ),
    Bad("fit verbose 3", lambda m: m.fit(X, Y, verbose=3), ValueError, ("verbose", "3")),
    Bad("fit verbose str", lambda m: m.fit(X, Y, verbose="loud"), ValueError, ("verbose", "loud")),
    Bad(
        "fit validation_split 1",
        lambda m: m.fit(X, Y, validation_split=1.0, verbose=0),
        ValueError,
        ("validation_split",),
    ),
    Bad(
        "fit validation_split -0.1",
        lambda m: m.fit(X, Y, validation_split=-0.1, verbose=0),
        ValueError,
        ("validation_split",),
    ),
    Bad(
        "fit validation_split str",
        lambda m: m.fit(X, Y, validation_split="0.2", verbose=0),
        TypeError,
        ("validation_split",),
    ),
    Bad(
        "fit validation_split leaves no rows",
        lambda m: m.fit(X[:3], Y[:3], validation_split=0.9, verbose=0),
        ValueError,
        ("validation_split",),
    ),
    Bad(
        "fit validation_data not a tuple",
        lambda m: m.fit(X, Y, validation_data=X, verbose=0),
        ValueError,
        ("validation_data",),
    ),
    Bad(
        "fit validation_data 1-tuple",
        lambda m: m.fit(X, Y, validation_data=(X,), verbose=0),
        ValueError,
        ("validation_data",),
    ),
    Bad(
        "fit validation_data with negative sample weights",
        lambda m: m.fit(X, Y, validation_data=(X, Y, -np.ones(ROWS)), verbose=0),
        ValueError,
        ("validation_data", "sample_weight"),
    ),
    Bad(
        "fit validation x width",
        lambda m: m.fit(X, Y, validation_data=(X[:, :2], Y), verbose=0),
        ValueError,
        ("validation",),
    ),
    Bad(
        "fit validation_batch_size -1",
        lambda m: m.fit(X, Y, validation_data=(X, Y), validation_batch_size=-1, verbose=0),
        ValueError,
        ("validation_batch_size",),
    ),
    Bad("fit shuffle str", lambda m: m.fit(X, Y, shuffle="yes", verbose=0), ValueError, ("shuffle",)),
    Bad(
        "fit class_weight",
        lambda m: m.fit(X, Y, class_weight={0: 1.0}, verbose=0),
        ValueError,
        ("class_weight",),
    ),
    Bad(
        "fit sample_weight of the wrong length",
        lambda m: m.fit(X, Y, sample_weight=np.ones(ROWS + 1), verbose=0),
        ValueError,
        ("sample_weight",),
    ),
    Bad(
        "fit steps_per_epoch -1",
        lambda m: m.fit(X, Y, steps_per_epoch=-1, verbose=0),
        ValueError,
        ("steps_per_epoch",),
    ),
    Bad(
        "fit validation_freq 0",
        lambda m: m.fit(X, Y, validation_freq=0, verbose=0),
        ValueError,
        ("validation_freq",),
    ),
    # callbacks given to fit
    Bad("fit callbacks str", lambda m: m.fit(X, Y, callbacks="es", verbose=0), ValueError, ("callbacks",)),
    Bad("fit callbacks [3]", lambda m: m.fit(X, Y, callbacks=[3], verbose=0), ValueError, ("callbacks",)),
    Bad(
        "fit callbacks dict", lambda m: m.fit(X, Y, callbacks={"a": 1}, verbose=0), ValueError, ("callbacks",)
    ),
    Bad(
        "fit callbacks class not instance",
        lambda m: m.fit(X, Y, callbacks=[CB.EarlyStopping], verbose=0),
        ValueError,
        ("callbacks",),
    ),
]

INFERENCE = [
    Bad("predict x width 4", lambda m: m.predict(np.zeros((2, 4)), verbose=0), ValueError, ("x", "3")),
    Bad(
        "predict float32 x width 4",
        lambda m: m.predict(np.zeros((2, 4), np.float32), verbose=0),
        ValueError,
        ("x", "3"),
    ),
    Bad("predict x 1-D", lambda m: m.predict(np.zeros(3, np.float32), verbose=0), ValueError, ("x", "3")),
    Bad(
        "predict x rank 3",
        lambda m: m.predict(np.zeros((2, 1, 3), np.float32), verbose=0),
        ValueError,
        ("x",),
    ),
    Bad("predict x no rows", lambda m: m.predict(np.zeros((0, 3)), verbose=0), ValueError, ("x", "empty")),
    Bad(
        "predict float32 x no rows",
        lambda m: m.predict(np.zeros((0, 3), np.float32), verbose=0),
        ValueError,
        ("x", "empty"),
    ),
    Bad(
        "call x no rows of the wrong width",  # (no rows of the right width give no rows, as in Keras)
        lambda m: m(np.zeros((0, 4), np.float32)),
        ValueError,
        ("inputs", "3", "4"),
    ),
    Bad("predict x None", lambda m: m.predict(None, verbose=0), TypeError, ("x",)),
    Bad("predict x strings", lambda m: m.predict([["a", "b", "c"]], verbose=0), TypeError, ("x",)),
    Bad("predict x complex", lambda m: m.predict(X.astype(complex), verbose=0), TypeError, ("x",)),
    Bad("predict x object", lambda m: m.predict(X.astype(object), verbose=0), TypeError, ("x",)),
    Bad(
        "predict batch_size -1", lambda m: m.predict(X, batch_size=-1, verbose=0), ValueError, ("batch_size",)
    ),
    Bad(
        "predict batch_size float",
        lambda m: m.predict(X, batch_size=1.5, verbose=0),
        TypeError,
        ("batch_size",),
    ),
    Bad("predict verbose 7", lambda m: m.predict(X, verbose=7), ValueError, ("verbose",)),
    Bad(
        "predict x 2**50 rows (broadcast view)",
        lambda m: m.predict(np.broadcast_to(np.float32(0), (2**50, 3)), verbose=0),
        MemoryError,
        ("x",),
    ),
    Bad("call x width 5", lambda m: m(np.zeros((2, 5), np.float32)), ValueError, ("inputs", "3")),
    Bad(
        "call training=True x width 5",
        lambda m: m(np.zeros((2, 5), np.float32), training=True),
        ValueError,
        ("inputs", "3"),
    ),
    Bad("call x strings", lambda m: m(np.full((2, 3), "a")), TypeError, ("inputs",)),
    Bad("call x None", lambda m: m(None), TypeError, ("inputs",)),
    Bad("evaluate x width 1", lambda m: m.evaluate(X[:, :1], Y, verbose=0), ValueError, ("x", "3")),
    Bad("evaluate x y lengths", lambda m: m.evaluate(X[:5], Y, verbose=0), ValueError, ("x", "y")),
    Bad("evaluate y width 3", lambda m: m.evaluate(X, np.zeros((ROWS, 3)), verbose=0), ValueError, ("y",)),
    Bad("evaluate y None", lambda m: m.evaluate(X, None, verbose=0), TypeError, ("y",)),
    Bad("evaluate y complex", lambda m: m.evaluate(X, Y.astype(complex), verbose=0), TypeError, ("y",)),
    Bad("evaluate x no rows", lambda m: m.evaluate(X[:0], Y[:0], verbose=0), ValueError, ("x",)),
    Bad(
        "evaluate x NaN",
        lambda m: m.evaluate(with_value(X, 4, 0), Y, verbose=0),
        ValueError,
        ("x", "row 4", "column 0"),
    ),
    Bad(
        "evaluate y -inf",
        lambda m: m.evaluate(X, with_value(Y, 39, 0, -np.inf), verbose=0),
        ValueError,
        ("y", "row 39"),
    ),
    Bad(
        "evaluate batch_size -2",
        lambda m: m.evaluate(X, Y, batch_size=-2, verbose=0),
        ValueError,
        ("batch_size",),
    ),
    Bad(
        "evaluate sample_weight with a NaN",
        lambda m: m.evaluate(X, Y, sample_weight=np.full(ROWS, np.nan), verbose=0),
        ValueError,
        ("sample_weight",),
    ),
    Bad("evaluate verbose -1", lambda m: m.evaluate(X, Y, verbose=-1), ValueError, ("verbose",)),
]


def _weights_with(m: keras.Sequential, i: int, value: Any) -> list[Any]:
    weights: list[Any] = m.get_weights()
    weights[i] = value
    return weights


WEIGHTS = [
    Bad(
        "set_weights too few",
        lambda m: m.set_weights(m.get_weights()[:-1]),
        ValueError,
        ("weights", "3", "4"),
    ),
    Bad(
        "set_weights too many",
        lambda m: m.set_weights([*m.get_weights(), np.zeros(1)]),
        ValueError,
        ("weights", "5", "4"),
    ),
    Bad("set_weights empty list", lambda m: m.set_weights([]), ValueError, ("weights", "0")),
    Bad("set_weights not a list", lambda m: m.set_weights(np.zeros(4)), ValueError, ("weights",)),
    Bad("set_weights None", lambda m: m.set_weights(None), ValueError, ("weights",)),
    Bad(
        "set_weights transposed kernel",
        lambda m: m.set_weights(_weights_with(m, 0, m.get_weights()[0].T)),
        ValueError,
        ("kernel", "(3, 4)", "(4, 3)"),
    ),
    Bad(
        "set_weights bias shape",
        lambda m: m.set_weights(_weights_with(m, 3, np.zeros(2))),
        ValueError,
        ("bias", "(1,)", "(2,)"),
    ),
    Bad(
        "set_weights scalar bias (no broadcasting)",
        lambda m: m.set_weights(_weights_with(m, 1, np.float32(1.0))),
        ValueError,
        ("bias",),
    ),
    Bad(
        "set_weights strings",
        lambda m: m.set_weights(_weights_with(m, 0, np.full((3, 4), "a"))),
        TypeError,
        ("kernel",),
    ),
    Bad(
        "set_weights complex",
        lambda m: m.set_weights(_weights_with(m, 0, np.zeros((3, 4), complex))),
        TypeError,
        ("kernel",),
    ),
    Bad(
        "set_weights object",
        lambda m: m.set_weights(_weights_with(m, 0, np.full((3, 4), None))),
        TypeError,
        ("kernel",),
    ),
    Bad(
        "set_weights ragged nested list",
        lambda m: m.set_weights(_weights_with(m, 0, [[1.0, 2.0], [3.0]])),
        ValueError,
        ("kernel",),
    ),
    Bad(
        "layer set_weights count",
        lambda m: m.layers[0].set_weights([np.zeros((3, 4))]),
        ValueError,
        ("weights", "1"),
    ),
    Bad(
        "layer set_weights shape",
        lambda m: m.layers[1].set_weights([np.zeros((1, 4)), np.zeros(1)]),
        ValueError,
        ("kernel", "(4, 1)"),
    ),
    Bad(
        "layer set_weights None",
        lambda m: m.layers[0].set_weights(None),
        WRONG_TYPE,
        ("weights",),
    ),
    Bad(
        "layer set_weights strings",
        lambda m: m.layers[0].set_weights([np.full((3, 4), "a"), np.zeros(4)]),
        TypeError,
        ("kernel",),
    ),
    Bad(
        "layer set_weights complex",
        lambda m: m.layers[0].set_weights([np.full((3, 4), 1j), np.zeros(4)]),
        TypeError,
        ("kernel",),
    ),
    Bad(
        "Variable.assign shape",
        lambda m: m.weights[1].assign(np.zeros(5)),
        ValueError,
        ("value", "(4,)", "(5,)"),
    ),
    Bad("Variable.assign None", lambda m: m.weights[1].assign(None), WRONG_TYPE, ("value",)),
    Bad(
        "Variable.assign strings",
        lambda m: m.weights[1].assign(np.full(4, "a")),
        TypeError,
        ("value",),
    ),
    Bad(
        "Variable.assign complex",
        lambda m: m.weights[1].assign(np.full(4, 1j)),
        TypeError,
        ("value",),
    ),
    Bad(
        "Variable.assign object None",
        lambda m: m.weights[1].assign(np.full(4, None)),
        TypeError,
        ("value",),
    ),
]

CALL_ORDER = [
    Bad("fit before compile", lambda m: deferred().fit(X, Y, verbose=0), ValueError, ("compile",)),
    Bad("evaluate before compile", lambda m: deferred().evaluate(X, Y, verbose=0), ValueError, ("compile",)),
    Bad(
        "predict with no layers", lambda m: keras.Sequential().predict(X, verbose=0), ValueError, ("layers",)
    ),
    Bad("count_params before build", lambda m: deferred().count_params(), ValueError, ("count_params",)),
    Bad("build without input_shape", lambda m: deferred().build(), ValueError, ("input_shape",)),
    Bad(
        "build with a string input_shape",
        lambda m: deferred().build("ab"),
        WRONG_TYPE,
        ("input_shape",),
    ),
    Bad(
        "kernel before build", lambda m: layers.Dense(1).kernel, AttributeError, ("build the layer", "kernel")
    ),
    Bad("pop from an empty model", lambda m: keras.Sequential().pop(), IndexError, ("no layers",)),
    Bad("add a non-layer", lambda m: m.add(3), ValueError, ("Layer",)),
    Bad(
        "add a duplicate name",
        lambda m: m.add(layers.Dense(1, name=m.layers[0].name)),
        ValueError,
        ("unique names",),
    ),
    Bad("add an Input after layers", lambda m: m.add(keras.Input(shape=(1,))), ValueError, ("Input layer",)),
    Bad(
        "dropout on tensors with training=True",
        lambda m: layers.Dropout(0.5)(keras.Input(shape=(3,)), training=True),
        ValueError,
        ("training=True",),
    ),
    Bad(
        "layer call with strings",
        lambda m: m.layers[0](np.full((2, 3), "a")),
        TypeError,
        ("inputs",),
    ),
    Bad(
        "layer of a built model called at another width",
        lambda m: m.layers[0](np.zeros((2, 5), np.float32)),
        ValueError,
        ("3",),
    ),
    Bad(
        "layer reused in a model of another width",
        reuse_layer_at_other_width,
        ValueError,
        ("3",),
    ),
    Bad("summary line_length -5", lambda m: m.summary(line_length=-5), ValueError, ("line_length",)),
]

PANDAS: list[Bad] = []
if importlib.util.find_spec("pandas") is not None:
    import pandas as pd

    PANDAS = [
        Bad(
            "fit DataFrame NaN",
            lambda m: m.fit(pd.DataFrame(with_value(X, 1, 1)), pd.Series(Y), verbose=0),
            ValueError,
            ("x", "row 1", "column 1"),
        ),
        Bad(
            "fit DataFrame string column",
            lambda m: m.fit(pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": ["s"] * ROWS}), Y, verbose=0),
            TypeError,
            ("x", "'c'"),
        ),
        Bad(
            "fit Series of strings", lambda m: m.fit(X, pd.Series(["s"] * ROWS), verbose=0), TypeError, ("y",)
        ),
    ]

BAD: list[Bad] = CONSTRUCTORS + COMPILE + FIT + INFERENCE + WEIGHTS + CALL_ORDER + PANDAS


# --- checks --------------------------------------------------------------------------------------------


def is_panic(exc: BaseException) -> bool:
    return type(exc).__name__ == "PanicException" or "pyo3_runtime" in type(exc).__module__


def expect_error(call: Callable[[], Any], exc: Exc, words: tuple[str, ...]) -> None:
    """Run ``call``; it must raise ``exc`` (not a panic) with each of ``words`` in the message."""
    try:
        with warnings.catch_warnings(), np.errstate(over="ignore"):
            warnings.simplefilter("ignore", UserWarning)  # input_shape= on a layer warns, as in Keras
            call()
    except BaseException as err:  # noqa: B036 - a PanicException is a BaseException
        assert not is_panic(err), f"a Rust panic escaped: {err!r}"
        assert isinstance(err, exc), f"expected {exc}, got {type(err).__name__}: {err}"
        message = str(err)
        missing = [w for w in words if w not in message]
        assert not missing, f"{missing} not in message: {message!r}"
        return
    pytest.fail(f"no {exc} raised")


@dataclass
class Snapshot:
    weights: list[np.ndarray]
    iterations: int
    optimizer: Any
    loss: Any
    metrics: list[Any]  # the metrics compile was given
    threads: int


def snapshot(model: keras.Sequential) -> Snapshot:
    return Snapshot(
        model.get_weights(),
        model.optimizer.iterations,
        model.optimizer,
        model.loss,
        list(model.compiled_metrics._metrics),
        threading.active_count(),
    )


def assert_intact_and_usable(model: keras.Sequential, before: Snapshot) -> None:
    after = model.get_weights()
    assert [w.shape for w in after] == [w.shape for w in before.weights]
    for a, b in zip(after, before.weights):
        np.testing.assert_array_equal(a, b)
    assert [v.shape for v in model.weights] == [w.shape for w in before.weights]
    for v, b in zip(model.weights, before.weights):  # the handles still read the model's own weights
        np.testing.assert_array_equal(v.numpy(), b)
    assert model.optimizer is before.optimizer
    assert model.optimizer.iterations == before.iterations
    assert model.loss == before.loss and model.compiled_metrics._metrics == before.metrics
    assert threading.active_count() == before.threads
    out = model.predict(X, verbose=0)
    assert out.shape == (ROWS, 1) and out.dtype == np.float32 and np.isfinite(out).all()
    history = model.fit(X, Y, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert model.optimizer.iterations == before.iterations + STEPS_PER_EPOCH


def _params(cases: list[Bad]) -> list[Any]:
    return [
        pytest.param(c, id=c.id, marks=pytest.mark.xfail(strict=True, reason=c.bug) if c.bug else ())
        for c in cases
    ]


def test_the_table_has_80_distinct_cases() -> None:
    ids = [c.id for c in BAD]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    assert len(BAD) >= 80
    print(f"{len(BAD)} bad-input cases, {sum(c.bug is not None for c in BAD)} of them known bugs (xfail)")


@pytest.mark.filterwarnings("ignore:Casting complex values to real")
@pytest.mark.parametrize("case", _params(BAD))
def test_bad_input_is_refused_and_the_model_is_unchanged(case: Bad) -> None:
    model = fresh_model()
    before = snapshot(model)
    expect_error(lambda: case.call(model), case.exc, case.words)
    assert_intact_and_usable(model, before)


# --- unusual but valid inputs: they work and give the plain call's numbers -----------------------------


def fortran(a: np.ndarray) -> np.ndarray:
    return np.asfortranarray(a)


def fit_weights(x: Any, y: Any, **kw: Any) -> list[np.ndarray]:
    """Weights (and any val_loss history) after fitting a freshly seeded 3-4-1 model on ``(x, y)``."""
    keras.utils.set_random_seed(11)
    model = keras.Sequential(
        [keras.Input(shape=(WIDTH,)), layers.Dense(4, activation="tanh"), layers.Dense(1)]
    )
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, y, shuffle=False, verbose=0, **kw)
    return [*model.get_weights(), np.array(history.history.get("val_loss", []))]


def set_and_get(m: keras.Sequential, weights: list[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    m.set_weights(weights)
    return m.get_weights(), [np.ascontiguousarray(w) for w in weights]


def layer_set_and_get(m: keras.Sequential, kernel: np.ndarray, bias: np.ndarray) -> tuple[Any, Any]:
    m.layers[0].set_weights([kernel, bias])
    return m.get_weights()[:2], [np.ascontiguousarray(kernel), np.ascontiguousarray(bias)]


def assign_and_get(m: keras.Sequential, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    m.weights[0].assign(value)
    return m.weights[0].numpy(), np.ascontiguousarray(value)


WIDE = _rng.normal(size=(ROWS, 6)).astype(np.float32)
KERNEL = np.arange(12, dtype=np.float32).reshape(4, 3) / 10  # transposed below: a Fortran-ordered (3, 4)

# (id, call returning (got, want)); equal bit for bit, or to float32 rounding where the id ends in "~"
GOOD: list[tuple[str, Callable[[keras.Sequential], tuple[Any, Any]]]] = [
    ("predict Fortran-ordered", lambda m: (m.predict(fortran(X), verbose=0), m.predict(X, verbose=0))),
    (
        "predict reversed rows",
        lambda m: (m.predict(X[::-1], verbose=0), m.predict(X[::-1].copy(), verbose=0)),
    ),
    ("predict strided rows", lambda m: (m.predict(strided(X), verbose=0), m.predict(X, verbose=0))),
    (
        "predict strided columns",
        lambda m: (m.predict(WIDE[:, ::2], verbose=0), m.predict(WIDE[:, ::2].copy(), verbose=0)),
    ),
    ("predict read-only", lambda m: (m.predict(readonly(X), verbose=0), m.predict(X, verbose=0))),
    (
        "predict read-only strided",
        lambda m: (m.predict(readonly(strided(X)), verbose=0), m.predict(X, verbose=0)),
    ),
    (
        "predict broadcast (zero stride)",
        lambda m: (
            m.predict(np.broadcast_to(X[:1], (5, 3)), verbose=0),
            m.predict(np.repeat(X[:1], 5, 0), verbose=0),
        ),
    ),
    ("predict big-endian", lambda m: (m.predict(X.astype(">f4"), verbose=0), m.predict(X, verbose=0))),
    ("predict float64", lambda m: (m.predict(X.astype(np.float64), verbose=0), m.predict(X, verbose=0))),
    (
        "predict bool",
        lambda m: (m.predict(X > 0, verbose=0), m.predict((X > 0).astype(np.float32), verbose=0)),
    ),
    # One row takes the matrix-vector kernel, a batch the matrix-matrix one: equal up to rounding.
    ("predict one row ~", lambda m: (m.predict(X[:1], verbose=0), m.predict(X, verbose=0)[:1])),
    (
        "predict batch_size 2**70",
        lambda m: (m.predict(X, batch_size=2**70, verbose=0), m.predict(X, verbose=0)),
    ),
    ("call Fortran-ordered read-only", lambda m: (m(readonly(fortran(X))), m(X))),
    ("predict_on_batch strided", lambda m: (m.predict_on_batch(strided(X)), m.predict(X, verbose=0))),
    (
        "evaluate read-only strided",
        lambda m: (
            m.evaluate(readonly(strided(X)), readonly(strided(Y)), verbose=0),
            m.evaluate(X, Y, verbose=0),
        ),
    ),
    (
        "evaluate batch_size 2**70",
        lambda m: (
            m.evaluate(X, Y, batch_size=2**70, verbose=0),
            m.evaluate(X, Y, batch_size=ROWS, verbose=0),
        ),
    ),
    (
        "fit Fortran-ordered read-only",
        lambda m: (fit_weights(readonly(fortran(X)), readonly(Y), epochs=2), fit_weights(X, Y, epochs=2)),
    ),
    (
        "fit strided x and y",
        lambda m: (fit_weights(strided(X), strided(Y), epochs=2), fit_weights(X, Y, epochs=2)),
    ),
    (
        "fit strided read-only validation_data",
        lambda m: (
            fit_weights(X, Y, epochs=2, validation_data=(readonly(strided(X)), strided(Y))),
            fit_weights(X, Y, epochs=2, validation_data=(X, Y)),
        ),
    ),
    (
        "fit batch_size 2**64 is one batch",
        lambda m: (fit_weights(X, Y, batch_size=2**64), fit_weights(X, Y, batch_size=ROWS)),
    ),
    (
        "set_weights read-only Fortran",
        lambda m: set_and_get(m, [readonly(fortran(w + 1)) for w in m.get_weights()]),
    ),
    (
        "layer set_weights Fortran kernel, strided bias",
        lambda m: layer_set_and_get(m, KERNEL.T, np.arange(8, dtype=np.float32)[::2]),
    ),
    ("Variable.assign Fortran view", lambda m: assign_and_get(m, KERNEL.T)),
    ("Variable.assign read-only", lambda m: assign_and_get(m, readonly(KERNEL.T))),
]


@pytest.mark.parametrize(("name", "call"), GOOD, ids=[g[0] for g in GOOD])
def test_unusual_but_valid_input_works(
    name: str, call: Callable[[keras.Sequential], tuple[Any, Any]]
) -> None:
    model = fresh_model()
    got, want = call(model)
    got, want = (got, want) if isinstance(got, list) else ([got], [want])
    assert len(got) == len(want)
    for g, w in zip(got, want):
        if name.endswith("~"):
            np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-6)
        else:
            np.testing.assert_array_equal(g, w)
    out = model.predict(X, verbose=0)
    assert out.shape == (ROWS, 1) and out.dtype == np.float32


# --- a few behaviours that do not fit a row ------------------------------------------------------------


@pytest.mark.parametrize("hook", ["on_train_begin", "on_epoch_end", "on_train_batch_end"])
def test_an_exception_in_a_user_callback_propagates_and_leaves_a_usable_model(hook: str) -> None:
    model = fresh_model()
    threads = threading.active_count()

    def boom(*args: Any, **kwargs: Any) -> None:
        raise ZeroDivisionError("from the user's callback")

    with pytest.raises(ZeroDivisionError, match="user's callback"):
        model.fit(X, Y, epochs=3, verbose=0, callbacks=[CB.LambdaCallback(**{hook: boom})])
    assert threading.active_count() == threads
    assert all(np.isfinite(w).all() for w in model.get_weights())
    before = model.optimizer.iterations
    model.fit(X, Y, epochs=1, verbose=0)
    assert model.optimizer.iterations == before + STEPS_PER_EPOCH
    assert model.predict(X, verbose=0).shape == (ROWS, 1)


def test_an_optimizer_shared_by_two_models_is_refused_or_counts_every_step() -> None:
    # Keras 3 refuses (the optimizer only knows the variables it was built with); counting every step it
    # applies, to either model, would be consistent too. Reporting one model's count for both is neither.
    a, b = fresh_model(), fresh_model()
    shared = OPT.Adam()
    a.compile(optimizer=shared, loss="mse")
    try:
        b.compile(optimizer=shared, loss="mse")
        b.fit(X, Y, epochs=3, verbose=0)
    except ValueError as err:
        assert "optimizer" in str(err)
        return
    a.fit(X, Y, epochs=1, verbose=0)
    assert shared.iterations == 4 * STEPS_PER_EPOCH


def test_a_refused_shared_optimizer_leaves_both_models_usable_and_its_own_model_may_recompile() -> None:
    a, b = fresh_model(), fresh_model()
    shared = OPT.Adam()
    a.compile(optimizer=shared, loss="mse")
    before = snapshot(b)
    expect_error(lambda: b.compile(optimizer=shared, loss="mse"), ValueError, ("optimizer", "'table'"))
    assert_intact_and_usable(b, before)  # b keeps its own optimizer, loss and metrics
    a.compile(optimizer=shared, loss="mae", metrics=["mae"])  # the same model again: allowed
    assert a.optimizer is shared and a.compiled_metrics._metrics == ["mae"]
    a.fit(X, Y, epochs=1, verbose=0)
    assert shared.iterations == STEPS_PER_EPOCH
    # Once its model has another optimizer, or is gone, the instance may serve a new model.
    a.compile(optimizer="sgd", loss="mse")
    b.compile(optimizer=shared, loss="mse")
    b.fit(X, Y, epochs=1, verbose=0)
    assert shared.iterations == STEPS_PER_EPOCH and a.optimizer.iterations == 0
    b = fresh_model()  # the model that used it is dropped
    gc.collect()  # a fitted model lives in a reference cycle (its History) until the collector frees it
    b.compile(optimizer=shared, loss="mse")
    b.fit(X, Y, epochs=2, verbose=0)
    assert shared.iterations == 2 * STEPS_PER_EPOCH


def test_a_layer_joins_another_model_only_at_its_width_and_both_models_share_it() -> None:
    model = fresh_model()
    before = snapshot(model)
    layer = model.layers[1]
    width = layer.input_shape[-1]
    expect_error(
        lambda: keras.Sequential([keras.Input(shape=(width + 1,)), layer]), ValueError, (f"value {width}",)
    )
    assert_intact_and_usable(model, before)
    assert model.weights[-1].path == f"table/{layer.name}/bias"
    weights = layer.get_weights()
    other = keras.Sequential([keras.Input(shape=(width,)), layer])
    for got, want in zip(other.get_weights(), weights):
        np.testing.assert_array_equal(got, want)
    assert layer.weights[0].path == f"{other.name}/{layer.name}/kernel"
    other.set_weights([np.zeros_like(w) for w in weights])  # one layer, one set of weights
    for got in layer.get_weights():
        assert not got.any()
    assert not [w for w in model.get_weights()[-len(weights) :] if w.any()]
    assert model.pop() is layer


def test_a_built_layer_keeps_its_input_width() -> None:
    layer = layers.Dense(2)
    layer(np.zeros((1, 5), np.float32))  # built on its own for 5 features
    expect_error(lambda: layer(np.zeros((1, 3), np.float32)), ValueError, ("value 5", "(1, 3)"))
    model = keras.Sequential([layer])
    model.compile(optimizer="adam", loss="mse")
    expect_error(lambda: model.fit(X, np.zeros((ROWS, 2)), verbose=0), ValueError, ("value 5", "(None, 3)"))
    assert not model.built
    model.fit(np.ones((4, 5)), np.zeros((4, 2)), verbose=0)
    assert model.input_shape == (None, 5)
    expect_error(lambda: layer.build((None, 3)), ValueError, ("value 5",))
    # Nor is the model built again for another width (Keras 3 refuses too): its weights are kept.
    before = model.get_weights()
    expect_error(lambda: model.build((None, 7)), ValueError, ("already been built", "(None, 5)"))
    model.build((None, 5))  # the same width again changes nothing
    assert [v.shape for v in model.weights] == [(5, 2), (2,)]
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
