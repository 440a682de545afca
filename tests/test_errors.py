"""Bad input raises the documented exception, with a message that names the argument; a failed call
leaves the model as it was and usable; no Rust panic ever reaches Python.

pyo3's ``PanicException`` derives from ``BaseException``, not ``Exception``, so ``pytest.raises(Exception)``
would let one through: every check here catches ``BaseException`` and rejects a panic by its type name.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Iterator
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import keras_lite as keras
from keras_lite import layers

pd = pytest.importorskip("pandas")


def _is_panic(exc: BaseException) -> bool:
    return type(exc).__name__ == "PanicException" or "pyo3_runtime" in type(exc).__module__


@contextlib.contextmanager
def raises(exc_type: type[BaseException], *words: str) -> Iterator[None]:
    """Like ``pytest.raises(exc_type)``, also checking that the message contains each of ``words``."""
    try:
        yield
    except BaseException as exc:  # noqa: B036 - a PanicException is a BaseException
        assert not _is_panic(exc), f"a Rust panic escaped: {exc!r}"
        assert isinstance(exc, exc_type), f"expected {exc_type.__name__}, got {type(exc).__name__}: {exc}"
        message = str(exc)
        for word in words:
            assert word in message, f"{word!r} not in message: {message!r}"
        return
    pytest.fail(f"no {exc_type.__name__} raised")


N = 40
RNG = np.random.default_rng(0)
X = RNG.uniform(-1, 1, size=(N, 3)).astype(np.float32)
Y = X.sum(axis=1).astype(np.float32)


def _compiled_model() -> keras.Sequential:
    model = keras.Sequential(
        [keras.Input(shape=(3,)), layers.Dense(4, activation="relu"), layers.Dense(1)], name="m"
    )
    model.compile(optimizer="adam", loss="mae", metrics=["mae"])
    model.fit(X, Y, epochs=1, verbose=0)  # optimizer slots exist, iterations > 0
    return model


def _snapshot(model: keras.Sequential) -> tuple[list[np.ndarray], int]:
    optimizer = getattr(model, "optimizer", None)  # (none before compile, as in Keras)
    return model.get_weights(), optimizer.iterations if optimizer is not None else 0


def _assert_unchanged_and_usable(model: keras.Sequential, snapshot: tuple[list[np.ndarray], int]) -> None:
    weights, iterations = snapshot
    after = model.get_weights()
    assert len(after) == len(weights)
    for a, b in zip(after, weights):
        np.testing.assert_array_equal(a, b)
    if getattr(model, "optimizer", None) is not None:
        assert model.optimizer.iterations == iterations
    # Still usable.
    assert model.predict(X, verbose=0).shape == (N, 1)
    if model.compiled:
        hist = model.fit(X, Y, epochs=1, verbose=0)
        assert np.isfinite(hist.history["loss"][0])
        assert model.optimizer.iterations == iterations + 2


def _quiet(fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    """Call without numpy's overflow warning (float64 values beyond float32's range become inf)."""
    with np.errstate(over="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args, **kw)


def _with_nan(a: np.ndarray, row: int, col: int, value: float = np.nan) -> np.ndarray:
    a = np.array(a, dtype=np.float64)
    if a.ndim == 1:
        a[row] = value
    else:
        a[row, col] = value
    return a


# (id, call on a compiled model, exception, words the message must contain)
BAD_CALLS: list[tuple[str, Callable[[keras.Sequential], Any], type[BaseException], tuple[str, ...]]] = [
    # wrong number of features
    ("fit x width", lambda m: m.fit(X[:, :2], Y, verbose=0), ValueError, ("x", "3", "2")),
    ("fit x width 1-D", lambda m: m.fit(X[:, 0], Y, verbose=0), ValueError, ("x", "3")),
    ("predict x width", lambda m: m.predict(np.zeros((2, 4)), verbose=0), ValueError, ("3",)),
    ("predict x width f32", lambda m: m.predict(np.zeros((2, 4), np.float32), verbose=0), ValueError, ("3",)),
    ("call x width", lambda m: m(np.zeros((2, 5), np.float32)), ValueError, ("3",)),
    ("evaluate x width", lambda m: m.evaluate(X[:, :1], Y, verbose=0), ValueError, ("x", "3")),
    (
        "validation x width",
        lambda m: m.fit(X, Y, validation_data=(X[:, :2], Y), verbose=0),
        ValueError,
        ("validation",),
    ),
    ("x rank 3", lambda m: m.fit(X[:, None, :], Y, verbose=0), ValueError, ("x",)),  # ((n, w, 1) is taken)
    ("y width", lambda m: m.fit(X, np.stack([Y, Y], 1), verbose=0), ValueError, ("y",)),
    ("evaluate y width", lambda m: m.evaluate(X, np.zeros((N, 3)), verbose=0), ValueError, ("y",)),
    # mismatched lengths
    ("x y lengths", lambda m: m.fit(X, Y[:10], verbose=0), ValueError, ("x", "y", "40", "10")),
    ("evaluate lengths", lambda m: m.evaluate(X[:5], Y, verbose=0), ValueError, ("x", "y")),
    (
        "validation lengths",
        lambda m: m.fit(X, Y, validation_data=(X, Y[:3]), verbose=0),
        ValueError,
        ("validation",),
    ),
    # empty data
    ("fit empty", lambda m: m.fit(X[:0], Y[:0], verbose=0), ValueError, ("x", "empty")),
    ("fit empty list", lambda m: m.fit([], [], verbose=0), ValueError, ("x",)),
    ("predict empty", lambda m: m.predict(np.zeros((0, 3)), verbose=0), ValueError, ("x",)),
    ("evaluate empty", lambda m: m.evaluate(X[:0], Y[:0], verbose=0), ValueError, ("x",)),
    (
        "validation empty",
        lambda m: m.fit(X, Y, validation_data=(X[:0], Y[:0]), verbose=0),
        ValueError,
        ("validation",),
    ),
    ("x None", lambda m: m.fit(None, Y, verbose=0), ValueError, ("x",)),
    ("y None", lambda m: m.fit(X, None, verbose=0), ValueError, ("y",)),
    # NaN and inf: the message names the argument, row and column
    (
        "x NaN",
        lambda m: m.fit(_with_nan(X, 5, 1), Y, verbose=0),
        ValueError,
        ("x", "row 5", "column 1", "NaN"),
    ),
    (
        "x inf",
        lambda m: m.fit(_with_nan(X, 0, 2, np.inf), Y, verbose=0),
        ValueError,
        ("x", "row 0", "column 2"),
    ),
    (
        "x -inf",
        lambda m: m.fit(_with_nan(X, 39, 0, -np.inf), Y, verbose=0),
        ValueError,
        ("row 39", "column 0"),
    ),
    ("y NaN", lambda m: m.fit(X, _with_nan(Y, 7, 0), verbose=0), ValueError, ("y", "row 7", "column 0")),
    ("y inf", lambda m: m.fit(X, _with_nan(Y, 39, 0, np.inf), verbose=0), ValueError, ("y", "row 39")),
    (
        "x overflows float32",
        lambda m: _quiet(m.fit, X.astype(np.float64) * 1e300, Y, verbose=0),
        ValueError,
        ("x", "row 0"),
    ),
    (
        "validation y NaN",
        lambda m: m.fit(X, Y, validation_data=(X, _with_nan(Y, 3, 0)), epochs=2, verbose=0),
        ValueError,
        ("validation", "row 3"),
    ),
    (
        "validation x NaN",
        lambda m: m.fit(X, Y, validation_data=(_with_nan(X, 2, 2), Y), verbose=0),
        ValueError,
        ("validation", "row 2", "column 2"),
    ),
    (
        "validation_split NaN in the split-off rows",
        lambda m: m.fit(X, _with_nan(Y, 38, 0), validation_split=0.1, verbose=0),
        ValueError,
        ("row",),
    ),
    (
        "evaluate x NaN",
        lambda m: m.evaluate(_with_nan(X, 4, 0), Y, verbose=0),
        ValueError,
        ("x", "row 4", "column 0"),
    ),
    ("evaluate y NaN", lambda m: m.evaluate(X, _with_nan(Y, 6, 0), verbose=0), ValueError, ("y", "row 6")),
    (
        "pandas NaN",
        lambda m: m.fit(pd.DataFrame(_with_nan(X, 1, 1)), pd.Series(Y), verbose=0),
        ValueError,
        ("x", "row 1", "column 1"),
    ),
    # non-numeric data
    ("x strings", lambda m: m.fit(np.full((N, 3), "a"), Y, verbose=0), TypeError, ("x",)),
    ("y strings", lambda m: m.fit(X, np.array(["a"] * N), verbose=0), TypeError, ("y",)),
    ("x objects", lambda m: m.fit(np.array([[1, 2, None]] * N), Y, verbose=0), TypeError, ("x",)),
    ("x complex", lambda m: m.fit(X.astype(complex), Y, verbose=0), TypeError, ("x",)),
    ("x dict", lambda m: m.fit({"a": X}, Y, verbose=0), TypeError, ("x",)),
    ("predict strings", lambda m: m.predict([["a", "b", "c"]], verbose=0), TypeError, ("x",)),
    (
        "DataFrame string column",
        lambda m: m.fit(pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": ["s"] * N}), Y, verbose=0),
        TypeError,
        ("x", "'c'"),
    ),
    ("Series strings", lambda m: m.fit(X, pd.Series(["s"] * N), verbose=0), TypeError, ("y",)),
    ("ragged list", lambda m: m.fit([[1, 2, 3], [1, 2]], [1, 2], verbose=0), ValueError, ("x",)),
    (
        "validation_data not a tuple",
        lambda m: m.fit(X, Y, validation_data=X, verbose=0),
        ValueError,
        ("validation_data",),
    ),
    # batch_size / epochs / verbose / validation settings
    ("batch_size -1", lambda m: m.fit(X, Y, batch_size=-1, verbose=0), ValueError, ("batch_size", "-1")),
    ("batch_size float", lambda m: m.fit(X, Y, batch_size=2.5, verbose=0), TypeError, ("batch_size",)),
    ("batch_size str", lambda m: m.fit(X, Y, batch_size="32", verbose=0), TypeError, ("batch_size",)),
    ("epochs -3", lambda m: m.fit(X, Y, epochs=-3, verbose=0), ValueError, ("epochs", "-3")),
    ("epochs float", lambda m: m.fit(X, Y, epochs=2.0, verbose=0), TypeError, ("epochs",)),
    ("initial_epoch -1", lambda m: m.fit(X, Y, initial_epoch=-1, verbose=0), ValueError, ("initial_epoch",)),
    (
        "validation_batch_size -4",
        lambda m: m.fit(X, Y, validation_data=(X, Y), validation_batch_size=-4, verbose=0),
        ValueError,
        ("validation_batch_size",),
    ),
    ("predict batch_size -1", lambda m: m.predict(X, batch_size=-1, verbose=0), ValueError, ("batch_size",)),
    (
        "evaluate batch_size -2",
        lambda m: m.evaluate(X, Y, batch_size=-2, verbose=0),
        ValueError,
        ("batch_size",),
    ),
    ("verbose 3", lambda m: m.fit(X, Y, verbose=3), ValueError, ("verbose", "3")),
    (
        "validation_split 1",
        lambda m: m.fit(X, Y, validation_split=1.0, verbose=0),
        ValueError,
        ("validation_split",),
    ),
    (
        "validation_split -0.1",
        lambda m: m.fit(X, Y, validation_split=-0.1, verbose=0),
        ValueError,
        ("validation_split",),
    ),
    (
        "validation_split too small",
        lambda m: m.fit(X[:3], Y[:3], validation_split=0.9, verbose=0),
        ValueError,
        ("validation_split",),
    ),
    ("shuffle str", lambda m: m.fit(X, Y, shuffle="yes", verbose=0), ValueError, ("shuffle",)),
    # compile with unknown names keeps the previous compile
    ("unknown optimizer", lambda m: m.compile(optimizer="adamm", loss="mae"), ValueError, ("adamm",)),
    ("unknown loss", lambda m: m.compile(optimizer="adam", loss="mean_abs"), ValueError, ("mean_abs",)),
    (
        "unknown metric",
        lambda m: m.compile(optimizer="adam", loss="mae", metrics=["acc_uracy"]),
        ValueError,
        ("acc_uracy",),
    ),
    # set_weights
    ("set_weights too few", lambda m: m.set_weights(m.get_weights()[:-1]), ValueError, ("3", "4")),
    (
        "set_weights too many",
        lambda m: m.set_weights([*m.get_weights(), np.zeros(1)]),
        ValueError,
        ("5", "4"),
    ),
    ("set_weights empty", lambda m: m.set_weights([]), ValueError, ("0", "4")),
    (
        "set_weights transposed kernel",
        lambda m: m.set_weights([m.get_weights()[0].T, *m.get_weights()[1:]]),
        ValueError,
        ("kernel", "(3, 4)", "(4, 3)"),
    ),
    (
        "set_weights last bias shape",
        lambda m: m.set_weights([*m.get_weights()[:3], np.zeros(2)]),
        ValueError,
        ("bias", "(1,)", "(2,)"),
    ),
    (
        "set_weights no broadcasting",
        lambda m: m.set_weights([m.get_weights()[0], np.float32(1.0), *m.get_weights()[2:]]),
        ValueError,
        ("bias",),
    ),
    ("set_weights not a list", lambda m: m.set_weights(np.zeros(4)), ValueError, ("weights",)),
    ("layer set_weights count", lambda m: m.layers[0].set_weights([np.zeros((3, 4))]), ValueError, ("1",)),
    (
        "layer set_weights shape",
        lambda m: m.layers[1].set_weights([np.zeros((1, 4)), np.zeros(1)]),
        ValueError,
        ("(4, 1)",),
    ),
    ("variable assign shape", lambda m: m.weights[1].assign(np.zeros(5)), ValueError, ("(4,)", "(5,)")),
    (
        "training=True call width 5",
        lambda m: m(np.zeros((2, 5), np.float32), training=True),
        ValueError,
        ("inputs",),
    ),
]


@pytest.mark.parametrize(("call", "exc", "words"), [c[1:] for c in BAD_CALLS], ids=[c[0] for c in BAD_CALLS])
def test_bad_call_raises_and_leaves_the_model_intact(
    call: Callable[[keras.Sequential], Any], exc: type[BaseException], words: tuple[str, ...]
) -> None:
    model = _compiled_model()
    snapshot = _snapshot(model)
    with raises(exc, *words):
        call(model)
    _assert_unchanged_and_usable(model, snapshot)
    # compile failures keep the earlier optimizer, loss and metrics.
    assert model.loss == "mae" and model.compiled_metrics._metrics == ["mae"]
    assert model.metrics_names == ["loss", "compile_metrics"]
    assert isinstance(model.optimizer, keras.optimizers.Adam)


@pytest.mark.parametrize("what", ["fit", "evaluate"])
def test_training_before_compile(what: str) -> None:
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
    weights = model.get_weights()
    with raises(ValueError, "compile"):
        model.fit(X, Y, verbose=0) if what == "fit" else model.evaluate(X, Y, verbose=0)
    for a, b in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert model.predict(X, verbose=0).shape == (N, 1)  # predict needs no compile
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, Y, epochs=1, verbose=0)


def test_errors_on_an_unbuilt_model() -> None:
    model = keras.Sequential([layers.Dense(4), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mae")
    # Data that cannot be converted builds nothing.
    with raises(TypeError, "x"):
        model.fit(np.full((N, 3), "a"), Y, verbose=0)
    with raises(ValueError, "x"):
        model.fit(X, Y[:3], verbose=0)
    assert not model.built
    with raises(ValueError, "count_params"):
        model.count_params()
    # Non-finite values are found by the core, after the model is built for the data's width (as Keras
    # builds on the first batch); no step is taken.
    with raises(ValueError, "x", "row 0"):
        model.fit(np.full((N, 3), np.nan), Y, verbose=0)
    assert model.optimizer.iterations == 0
    model.fit(X, Y, epochs=1, verbose=0)
    assert [v.shape for v in model.weights] == [(3, 4), (4,), (4, 1), (1,)]


CONSTRUCTOR_ERRORS: list[tuple[str, Callable[[], Any], type[BaseException], tuple[str, ...]]] = [
    ("units 0", lambda: layers.Dense(0), ValueError, ("units", "0")),
    ("units -1", lambda: layers.Dense(-1), ValueError, ("units", "-1")),
    ("units float", lambda: layers.Dense(2.5), ValueError, ("units",)),
    ("units None", lambda: layers.Dense(None), ValueError, ("units",)),
    ("unknown activation", lambda: layers.Dense(3, activation="relux"), ValueError, ("relux",)),
    ("unknown Activation layer", lambda: layers.Activation("softmaxx"), ValueError, ("softmaxx",)),
    ("unknown activations.get", lambda: keras.activations.get("nope"), ValueError, ("nope",)),
    ("unknown losses.get", lambda: keras.losses.get("nope"), ValueError, ("nope",)),
    ("unknown optimizers.get", lambda: keras.optimizers.get("nope"), ValueError, ("nope",)),
    (
        "Adam int learning_rate",
        lambda: keras.optimizers.Adam(learning_rate=1),
        ValueError,
        ("learning_rate",),
    ),
    (
        "SGD negative learning_rate",
        lambda: keras.optimizers.SGD(learning_rate=-0.1),
        ValueError,
        ("learning_rate",),
    ),
    (
        "SGD NaN learning_rate",
        lambda: keras.optimizers.SGD(learning_rate=float("nan")),
        ValueError,
        ("learning_rate",),
    ),
    ("SGD momentum 1.5", lambda: keras.optimizers.SGD(momentum=1.5), ValueError, ("momentum",)),
    ("Adam unknown kwarg", lambda: keras.optimizers.Adam(lr=0.1), ValueError, ("lr",)),
    ("Dropout rate 1.5", lambda: layers.Dropout(1.5), ValueError, ("rate",)),
    ("Dropout rate -0.1", lambda: layers.Dropout(-0.1), ValueError, ("rate",)),
    ("Dense unknown kwarg", lambda: layers.Dense(1, input_dims=3), ValueError, ("input_dims",)),
    ("input_shape 0", lambda: layers.Dense(1, input_shape=[0]), ValueError, ("input_shape",)),
    ("Input shape 0", lambda: keras.Input(shape=(0,)), ValueError, ("shape",)),
    ("Huber delta 0", lambda: keras.losses.Huber(delta=0.0), ValueError, ("delta",)),
    (
        "label_smoothing 2",
        lambda: keras.losses.BinaryCrossentropy(label_smoothing=2.0),
        ValueError,
        ("label_smoothing",),
    ),
    ("Sequential not a list", lambda: keras.Sequential(layers.Dense(1)), ValueError, ("layers",)),
    ("Sequential non-layer", lambda: keras.Sequential([np.zeros(3)]), ValueError, ("Layer",)),
    (
        "duplicate names",
        lambda: keras.Sequential([layers.Dense(1, name="d"), layers.Dense(1, name="d")]),
        ValueError,
        ("'d'",),
    ),
    (
        "two Inputs",
        lambda: keras.Sequential([keras.Input(shape=(2,)), keras.Input(shape=(2,))]),
        ValueError,
        ("input",),
    ),
    ("set_random_seed -1", lambda: keras.utils.set_random_seed(-1), ValueError, ("seed",)),
]


@pytest.mark.parametrize(
    ("make", "exc", "words"), [c[1:] for c in CONSTRUCTOR_ERRORS], ids=[c[0] for c in CONSTRUCTOR_ERRORS]
)
def test_constructor_errors(
    make: Callable[[], Any], exc: type[BaseException], words: tuple[str, ...]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with raises(exc, *words):
            make()


def test_optimizer_accepts_numpy_float_and_rejects_bool() -> None:
    keras.optimizers.Adam(learning_rate=np.float32(0.01))
    with raises(ValueError, "learning_rate"):
        keras.optimizers.Adam(learning_rate=True)


def test_huge_batch_size_is_one_batch() -> None:
    model = _compiled_model()
    hist = model.fit(X, Y, batch_size=2**62, epochs=1, verbose=0)
    assert hist.params["steps"] == 1


def test_batch_size_beyond_64_bits() -> None:
    model = _compiled_model()
    hist = model.fit(X, Y, batch_size=2**64, epochs=1, verbose=0)
    assert hist.params["steps"] == 1


def test_set_weights_non_numeric_is_type_error() -> None:
    model = _compiled_model()
    with raises(TypeError, "kernel"):
        model.set_weights([np.full((3, 4), "a"), *model.get_weights()[1:]])


def test_predict_nan_row_is_not_silently_finite() -> None:
    model = _compiled_model()
    x = _with_nan(X, 3, 1)
    try:
        out = model.predict(x, verbose=0)
    except ValueError as exc:
        assert "row 3" in str(exc)
    else:
        assert np.isnan(out[3, 0])


def test_parameter_count_overflow_is_refused() -> None:
    # 2**62 * 4 weights overflow a 64-bit count; it must not wrap around to an empty kernel.
    with raises(ValueError, "too large"):
        keras.Sequential([keras.Input(shape=(2**62,)), layers.Dense(4)])


def test_impossible_allocation_raises_instead_of_aborting() -> None:
    # In a child process, since an allocation failure in Rust aborts the interpreter unless the core uses
    # fallible allocation. 8 TiB fails at once (nothing is paged in).
    code = textwrap.dedent(
        """
        import keras_lite as keras
        from keras_lite import layers
        try:
            keras.Sequential([keras.Input(shape=(2,)), layers.Dense(2**40)])
        except (MemoryError, ValueError) as exc:
            print("raised", type(exc).__name__)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "raised" in proc.stdout, proc.stderr[-500:]


# --- no panics, whatever fit is given ----------------------------------------------------------------------

_shapes = st.tuples(st.integers(0, 12), st.integers(0, 5))
_values = st.sampled_from([0.0, 1.0, -1.0, np.nan, np.inf, -np.inf, 1e38, -1e38, 1e-45, 3.5])


@st.composite
def _arrays(draw: Any) -> Any:
    with np.errstate(all="ignore"):
        return _make_array(draw)


def _make_array(draw: Any) -> Any:
    rows, cols = draw(_shapes)
    kind = draw(st.sampled_from(["f32", "f64", "int", "bool", "str", "1d", "3d", "list", "scalar"]))
    vals = np.array(draw(st.lists(_values, min_size=rows * cols, max_size=rows * cols)), dtype=np.float64)
    a = vals.reshape(rows, cols)
    if kind == "f32":
        with np.errstate(over="ignore"):
            return a.astype(np.float32)
    if kind == "int":
        return np.nan_to_num(a, posinf=7, neginf=-7).astype(np.int64) if rows * cols else a.astype(np.int64)
    if kind == "bool":
        return a > 0
    if kind == "str":
        return a.astype(str)
    if kind == "1d":
        return a.ravel()
    if kind == "3d":
        return a[..., None]
    if kind == "list":
        return a.tolist()
    if kind == "scalar":
        return 3.0
    return a


@settings(max_examples=60)
@given(
    x=_arrays(),
    y=_arrays(),
    batch_size=st.one_of(st.none(), st.integers(-2, 2**63), st.sampled_from([0.5, "8"])),
    epochs=st.integers(-1, 2),
    initial_epoch=st.integers(-1, 3),
    validation=st.sampled_from([None, "split", "data"]),
    shuffle=st.booleans(),
    deferred=st.booleans(),
)
def test_fit_never_panics(
    x: Any,
    y: Any,
    batch_size: Any,
    epochs: int,
    initial_epoch: int,
    validation: str | None,
    shuffle: bool,
    deferred: bool,
) -> None:
    head = [] if deferred else [keras.Input(shape=(3,))]
    model = keras.Sequential(
        [*head, layers.Dense(2, activation="relu"), layers.Dense(1, activation="sigmoid")]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["binary_accuracy"])
    kw: dict[str, Any] = {}
    if validation == "split":
        kw["validation_split"] = 0.5
    elif validation == "data":
        kw["validation_data"] = (x, y)
    calls = [
        lambda: model.fit(
            x,
            y,
            batch_size=batch_size,
            epochs=epochs,
            initial_epoch=initial_epoch,
            shuffle=shuffle,
            verbose=0,
            **kw,
        ),
        lambda: model.evaluate(x, y, batch_size=batch_size, verbose=0),
        lambda: model.predict(x, batch_size=batch_size, verbose=0),
        lambda: model(x),
    ]
    for call in calls:
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                call()
        except BaseException as exc:  # noqa: B036 - a PanicException is a BaseException
            assert not _is_panic(exc), f"a Rust panic escaped: {exc!r}"
            assert isinstance(exc, Exception), f"{type(exc).__name__} is not an Exception"
    # Whatever happened, the model still works on good data (of the width it was built for: a deferred
    # model builds for the first data it is given, as in Keras).
    width = model.input_shape[1] if model.built else 3
    good = np.resize(X, (N, width))
    model.fit(good, (Y > 0).astype(np.float32), epochs=1, verbose=0)
    assert model.predict(good, verbose=0).shape == (N, 1)
