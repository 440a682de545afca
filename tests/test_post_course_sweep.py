"""Differences a sweep of post-course scripts found against Keras 3.15.1 (TensorFlow 2.21 backend), each pinned
with what that Keras printed or returned.

The sweep ran ~25 small scripts of the kind written after the Kaggle intro course (classifiers with callbacks,
regressions with Normalization and CSVLogger, Functional two-input models, PyDatasets, saving and resuming,
pandas inputs) under both libraries from the same weights, comparing printed text, files, histories, configs,
types and exceptions. Keras ran with stdout redirected to a file, where its bar still redraws with ``\\r``
(it treats any POSIX system as a dynamic display), as keras_lite's does.
"""

from __future__ import annotations

import pathlib
import warnings
from collections.abc import Iterator

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers

X6 = np.arange(12, dtype=np.float32).reshape(6, 2)
Y6 = np.zeros(6, np.float32)


def _draws(printed: str) -> list[str]:
    """The bar's draws in ``printed``: each begins with ``\\r``; the backspaces before a redraw left out."""
    return [draw.rstrip("\b") for draw in printed.split("\r")[1:]]


def _ones_model(device: str = "cpu") -> keras.Sequential:
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1, kernel_initializer="ones")], device=device)
    model.compile(loss="mae")
    return model


# ---- the message of an uncompiled model ---------------------------------------------------------------------
# Keras 3.15.1 (`Trainer._assert_compile_called`), for fit, evaluate, train_on_batch and test_on_batch alike:
#   ValueError: You must call `compile()` before using the model.
@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.fit(X6, Y6, verbose=0),
        lambda m: m.evaluate(X6, Y6, verbose=0),
        lambda m: m.train_on_batch(X6, Y6),
        lambda m: m.test_on_batch(X6, Y6),
    ],
    ids=["fit", "evaluate", "train_on_batch", "test_on_batch"],
)
def test_uncompiled_model_gives_keras_message(call: object) -> None:
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    with pytest.raises(ValueError) as info:
        call(model)  # type: ignore[operator]
    assert str(info.value) == "You must call `compile()` before using the model."


# ---- Sequential built with add(), a Rescaling before the Flatten ---------------------------------------------
# Keras 3.15.1:
#   m = keras.Sequential(name="mnist_like"); m.add(keras.Input(shape=(4, 3))); m.add(layers.Rescaling(0.5))
#   m.add(layers.Flatten()); m.add(layers.Dense(2, kernel_initializer="ones")); m.summary()
# printed rescaling (None, 4, 3) 0, flatten (None, 12) 0, dense (None, 2) 26, "Total params: 26 (104.00 B)",
# and m.predict(np.arange(24).reshape(2, 4, 3)) gave [[33.0, 33.0], [105.0, 105.0]] (0.5 * 66 and 0.5 * 210).
def test_add_rescaling_then_flatten_one_by_one(capsys: pytest.CaptureFixture[str]) -> None:
    model = keras.Sequential(name="mnist_like")
    model.add(keras.Input(shape=(4, 3)))
    model.add(layers.Rescaling(0.5))  # keras_lite refused this before the Flatten came
    model.add(layers.Flatten())
    model.add(layers.Dense(2, kernel_initializer="ones"))
    model.summary()
    printed = capsys.readouterr().out
    assert "│ rescaling (Rescaling)           │ (None, 4, 3)           │             0 │" in printed
    assert "│ flatten (Flatten)               │ (None, 12)             │             0 │" in printed
    assert "│ dense (Dense)                   │ (None, 2)              │            26 │" in printed
    assert " Total params: 26 (104.00 B)" in printed
    x = np.arange(24, dtype=np.float32).reshape(2, 4, 3)
    np.testing.assert_array_equal(model.predict(x, verbose=0), [[33.0, 33.0], [105.0, 105.0]])


# Keras 3.15.1: keras.Sequential([Input((4, 3)), Rescaling(0.5), Flatten()]).pop() leaves ['rescaling_1'];
# add(Flatten(name="f2")), add(Dense(1, kernel_initializer="ones")) then predicts [[33.0], [105.0]].
def test_pop_back_to_a_rescaling_then_add_a_flatten() -> None:
    model = keras.Sequential([keras.Input((4, 3)), layers.Rescaling(0.5), layers.Flatten()])
    model.pop()
    assert [type(layer).__name__ for layer in model.layers] == ["Rescaling"]
    model.add(layers.Flatten(name="f2"))
    model.add(layers.Dense(1, kernel_initializer="ones", name="d"))
    x = np.arange(24, dtype=np.float32).reshape(2, 4, 3)
    np.testing.assert_array_equal(model.predict(x, verbose=0), [[33.0], [105.0]])


def test_model_of_only_a_rescaling_on_a_shaped_input_is_still_refused_when_used() -> None:
    # Keras outputs (None, 4, 3) there; keras_lite models give flat outputs (docs/keras-compatibility.md).
    model = keras.Sequential()
    model.add(keras.Input(shape=(4, 3)))
    model.add(layers.Rescaling(0.5))
    with pytest.raises(keras.NotSupportedError, match="put a keras.layers.Flatten"):
        model.predict(np.ones((2, 4, 3), np.float32), verbose=0)
    with pytest.raises(keras.NotSupportedError, match="put a keras.layers.Flatten"):
        keras.Sequential([keras.Input((4, 3)), layers.Rescaling(0.5)])  # a list is the whole model


# ---- evaluate and predict, verbose=1: the bar is drawn after the first batch, then at the end -------------------
# Keras 3.15.1, stdout redirected to a file, m = Sequential([Input((2,)), Dense(1, kernel_initializer="ones")]),
# compile(loss="mae"), x = np.arange(12).reshape(6, 2), y = zeros(6):
#   m.evaluate(x, y, batch_size=2, verbose=1) printed
#     "\r1/3 ━━━━━━ ... 0s 3ms/step - loss: 3.0000" + "\b" * width + "\r3/3 ━━━━━━━━━━━━━━━━━━━━ 0s 3ms/step - loss: 11.0000\n"
#   (with the ANSI bold/colour codes; batch 1 is |0 + 1| and |2 + 3|, mean 3; all six rows: mean 11);
#   m.predict(x, batch_size=4, verbose=1): "\r1/2 ... step" then "\r2/2 ... step\n";
#   m.evaluate(x, y, batch_size=8, verbose=1): "\r1/1 ... loss: 11.0000" then "\r1/1 ... loss: 11.0000\n".
# keras_lite printed only the final draw.
@pytest.mark.parametrize("device", DEVICES)
def test_evaluate_verbose1_draws_the_first_batch_then_the_end(
    device: str, capsys: pytest.CaptureFixture[str]
) -> None:
    model = _ones_model(device)
    assert model.evaluate(X6, Y6, batch_size=2, verbose=1) == 11.0
    draws = _draws(capsys.readouterr().out)
    assert len(draws) == 2
    assert draws[0].startswith("\x1b[1m1/3\x1b[0m \x1b[32m━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━━━━━\x1b[0m ")
    assert draws[0].endswith(" - loss: 3.0000") and "\n" not in draws[0]
    assert draws[1].startswith("\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m ")
    assert draws[1].rstrip(" \n").endswith(" - loss: 11.0000") and draws[1].endswith("\n")


def test_evaluate_verbose1_of_one_batch_draws_it_twice(capsys: pytest.CaptureFixture[str]) -> None:
    _ones_model().evaluate(X6, Y6, batch_size=8, verbose=1)
    draws = _draws(capsys.readouterr().out)
    assert [d.split(" ")[0] for d in draws] == ["\x1b[1m1/1\x1b[0m", "\x1b[1m1/1\x1b[0m"]
    assert draws[0].endswith(" - loss: 11.0000") and draws[1].rstrip("\n ").endswith(" - loss: 11.0000")


def test_evaluate_verbose1_first_draw_has_the_first_batchs_weighted_values(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Batch 1 holds rows 0 and 1 (|x0 + x1| = 1 and 5) with weights 2 and 0: Σ w·loss / rows = 2 · 1 / 2 = 1.
    weights = np.array([2, 0, 1, 1, 1, 1], np.float32)
    _ones_model().evaluate(X6, Y6, batch_size=2, sample_weight=weights, verbose=1)
    draws = _draws(capsys.readouterr().out)
    assert draws[0].endswith(" - loss: 1.0000")


def test_evaluate_verbose2_and_0_print_no_first_draw(capsys: pytest.CaptureFixture[str]) -> None:
    model = _ones_model()
    model.evaluate(X6, Y6, batch_size=2, verbose=0)
    assert capsys.readouterr().out == ""
    model.evaluate(X6, Y6, batch_size=2, verbose=2)
    printed = capsys.readouterr().out
    assert "\r" not in printed and printed.startswith("3/3 - ") and printed.endswith(" - loss: 11.0000\n")


def test_predict_verbose1_draws_the_first_batch_then_the_end(capsys: pytest.CaptureFixture[str]) -> None:
    _ones_model().predict(X6, batch_size=4, verbose=1)
    draws = _draws(capsys.readouterr().out)
    assert len(draws) == 2
    assert draws[0].startswith("\x1b[1m1/2\x1b[0m ") and draws[0].endswith("/step")
    assert draws[1].startswith("\x1b[1m2/2\x1b[0m ") and draws[1].rstrip(" \n").endswith("/step")
    assert draws[1].endswith("\n")


# Keras 3.15.1: m.predict(((x[i:i + 30],) for i in range(0, 90, 30)), verbose=1) printed
# "\r      1/Unknown 0s 3ms/step", its "ran out of data" warning, then "\r3/3 ━━━━━━━━━━━━━━━━━━━━ 0s 9ms/step\n".
def test_predict_of_a_generator_verbose1_draws_unknown_then_the_count(
    capsys: pytest.CaptureFixture[str],
) -> None:
    model = _ones_model()
    x = np.ones((90, 2), np.float32)
    with pytest.warns(UserWarning, match="ran out of data"):
        out = model.predict(((x[i : i + 30],) for i in range(0, 90, 30)), verbose=1)
    assert out.shape == (90, 1)
    draws = _draws(capsys.readouterr().out)
    assert len(draws) == 2
    assert draws[0].startswith("      1/Unknown \x1b[1m0s\x1b[0m ")
    assert draws[1].startswith("\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m")


# ---- a weight in a format string ------------------------------------------------------------------------------
# Keras 3.15.1, the course's first exercise: model = Sequential([Dense(units=1, input_shape=[3])]), weights set to
# [[0.5], [-0.25], [1.0]] and [0.1]; w, b = model.weights; print("Weights\n{}\n\nBias\n{}".format(w, b)) printed
#   Weights
#   <Variable path=sequential/dense/kernel, shape=(3, 1), dtype=float32, value=[[ 0.5 ]
#    [-0.25]
#    [ 1.  ]]>
#
#   Bias
#   <Variable path=sequential/dense/bias, shape=(1,), dtype=float32, value=[0.1]>
# (Keras's str() of a variable is its repr; keras_lite formatted the bare array.)
def test_weights_in_a_format_string_print_as_keras_variables() -> None:
    model = keras.Sequential([keras.Input((3,)), layers.Dense(units=1)], name="sequential")
    model.set_weights([np.array([[0.5], [-0.25], [1.0]], np.float32), np.array([0.1], np.float32)])
    w, b = model.weights
    assert "Weights\n{}\n\nBias\n{}".format(w, b) == (  # noqa: UP032 (the course writes it so)
        "Weights\n<Variable path=sequential/dense/kernel, shape=(3, 1), dtype=float32, value=[[ 0.5 ]\n"
        " [-0.25]\n [ 1.  ]]>\n\nBias\n<Variable path=sequential/dense/bias, shape=(1,), dtype=float32, value=[0.1]>"
    )
    assert f"{w}" == str(w) == repr(w)
    assert f"{b:>5}" == "[0.1]"  # a format spec formats the value (Keras raises TypeError there)


# Keras 3.15.1: repr(keras.optimizers.SGD(0.01).learning_rate) is
# "<Variable path=sgd/learning_rate, shape=(), dtype=float32, value=0.009999999776482582>" (the float32 value as
# a Python float); keras_lite showed value=0.01.
def test_learning_rate_repr_shows_the_float32_value_as_keras_does() -> None:
    lr = keras.optimizers.SGD(0.01).learning_rate
    assert (
        repr(lr) == "<Variable path=sgd/learning_rate, shape=(), dtype=float32, value=0.009999999776482582>"
    )


# ---- class_weight keyed by bools ----------------------------------------------------------------------------
# Keras 3.15.1: x = [[1, 0], [0, 1], [-1, .5], [.5, -1], [2, 1], [-2, -1]], y = x[:, 0] > 0 (bools), Sequential([
# Input((2,)), Dense(1, "sigmoid")]) with kernel [[0.1], [-0.2]], bias 0, SGD(0.1), binary_crossentropy,
# fit(batch_size=4, epochs=2, shuffle=False) gave loss [1.2393221855163574, 0.9741061329841614] and kernel
# [0.5427014231681824, -0.13427391648292542] for class_weight {False: 1.0, True: 3.0}, dict(zip(np.unique(y),
# [1.0, 3.0])) (NumPy bool keys), {True: 3.0} and {0: 1.0, 1: 3.0} alike; keras_lite refused the bool keys.
@pytest.mark.parametrize("device", DEVICES)
def test_class_weight_takes_bool_keys_as_class_ids(device: str) -> None:
    x = np.array([[1, 0], [0, 1], [-1, 0.5], [0.5, -1], [2, 1], [-2, -1]], np.float32)
    y = x[:, 0] > 0
    for class_weight in ({False: 1.0, True: 3.0}, dict(zip(np.unique(y), [1.0, 3.0])), {True: 3.0}):
        model = keras.Sequential([keras.Input((2,)), layers.Dense(1, activation="sigmoid")], device=device)
        model.set_weights([np.array([[0.1], [-0.2]], np.float32), np.zeros(1, np.float32)])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
        history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0, class_weight=class_weight)
        np.testing.assert_allclose(
            history.history["loss"], [1.2393221855163574, 0.9741061329841614], rtol=1e-6
        )
        np.testing.assert_allclose(
            model.get_weights()[0].ravel(), [0.5427014231681824, -0.13427391648292542], rtol=1e-6
        )


# ---- a PyDataset whose __init__ skips super().__init__() ------------------------------------------------------
# Keras 3.15.1 (`PyDataset._warn_if_super_not_called`, run when fit, evaluate or predict reads the settings):
#   UserWarning: Your `PyDataset` class should call `super().__init__(**kwargs)` in its constructor. `**kwargs`
#   can include `workers`, `use_multiprocessing`, `max_queue_size`. Do not pass these arguments to `fit()`, as
#   they will be ignored.
# once per dataset (a second predict, fit or evaluate of the same one gave none), its workers, use_multiprocessing
# and max_queue_size then 1, False, 10. keras_lite said nothing.
class _NoSuper(keras.utils.PyDataset):
    def __init__(self) -> None:  # (no super().__init__(**kwargs))
        self.rows = X6

    def __len__(self) -> int:
        return 2

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        return self.rows[i * 3 : (i + 1) * 3], Y6[i * 3 : (i + 1) * 3]


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_pydataset_without_super_init_warns_once_as_keras_does(method: str) -> None:
    model = _ones_model()
    dataset = _NoSuper()
    run = getattr(model, method)
    with pytest.warns(
        UserWarning, match=r"^Your `PyDataset` class should call `super\(\).__init__\(\*\*kwargs\)`"
    ):
        run(dataset, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run(dataset, verbose=0)
    assert (dataset.workers, dataset.use_multiprocessing, dataset.max_queue_size) == (1, False, 10)


def test_pydataset_calling_super_init_does_not_warn() -> None:
    class Batches(_NoSuper):
        def __init__(self) -> None:
            super(_NoSuper, self).__init__(max_queue_size=4)
            self.rows = X6

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _ones_model().fit(Batches(), verbose=0)


# ---- saving a model that is not built yet ---------------------------------------------------------------------
# Keras 3.15.1, u = keras.Sequential([layers.Dense(2)]) (no Input, never called):
#   u.save("u.keras") wrote the file with "UserWarning: You are saving a model that has not yet been built. It
#   might not contain any weights yet. Consider building the model first by calling it on some data.";
#   u.save_weights("u.weights.h5") raised "ValueError: You are saving a model that has not yet been built. Try
#   building the model first by calling it on some data or by using `build()`." and wrote nothing;
#   u.load_weights(...) raised "ValueError: You are loading weights into a model that has not yet been built. Try
#   building the model first by calling it on some data or by using `build()`."
# keras_lite saved both files without a word and refused the load with a message of its own.
def test_saving_an_unbuilt_model_warns_or_refuses_as_keras_does(tmp_path: pathlib.Path) -> None:
    unbuilt = keras.Sequential([layers.Dense(2)])
    with pytest.warns(
        UserWarning, match=r"^You are saving a model that has not yet been built\. It might not"
    ):
        unbuilt.save(tmp_path / "u.keras")
    assert (tmp_path / "u.keras").exists()
    with pytest.raises(ValueError) as saving:
        unbuilt.save_weights(tmp_path / "u.weights.h5")
    assert str(saving.value) == (
        "You are saving a model that has not yet been built. Try building the model first by calling it on some "
        "data or by using `build()`."
    )
    assert not (tmp_path / "u.weights.h5").exists()
    built = _ones_model()
    built.save_weights(tmp_path / "b.weights.h5")
    with pytest.raises(ValueError) as loading:
        unbuilt.load_weights(tmp_path / "b.weights.h5")
    assert str(loading.value) == (
        "You are loading weights into a model that has not yet been built. Try building the model first by "
        "calling it on some data or by using `build()`."
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        built.save(tmp_path / "b.keras")  # (built: no warning)


# ---- a tf.data.Dataset whose length TensorFlow cannot tell ------------------------------------------------------
# tf.data's __len__ raises TypeError for a dataset that repeats ("The dataset is infinite.") or whose length it
# cannot tell ("The dataset length is unknown.", after a filter); keras_lite called len() and crashed. A stand-in
# with tf.data's class name and module, so that the test needs no TensorFlow.
X12 = np.arange(24, dtype=np.float32).reshape(12, 2) / 10
Y12 = (X12[:, 0] > 1).astype(np.float32)


class DatasetV2:
    """Batches of 4 rows of X12, Y12, as `tf.data.Dataset.from_tensor_slices((x, y)).batch(4)` gives them, once
    (``repeat=False``: its length unknown) or without end."""

    def __init__(self, repeat: bool) -> None:
        self.repeat = repeat

    def __len__(self) -> int:
        raise TypeError("The dataset is infinite." if self.repeat else "The dataset length is unknown.")

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        while True:
            for i in range(0, 12, 4):
                yield X12[i : i + 4], Y12[i : i + 4]
            if not self.repeat:
                return


DatasetV2.__module__ = "tensorflow.python.data.ops.dataset_ops"


def _sgd_classifier(device: str) -> keras.Sequential:
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1, activation="sigmoid")], device=device)
    model.set_weights([np.array([[0.1], [-0.2]], np.float32), np.zeros(1, np.float32)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    return model


# Keras 3.15.1 with ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(4).repeat() and that model:
#   fit(ds, steps_per_epoch=2, epochs=3, verbose=0) warned "`shuffle=True` was passed, but will be ignored since the
#   data `x` was provided as a tf.data.Dataset. The Dataset is expected to already be shuffled (via
#   `.shuffle(buffer_size)`)." and gave params {'verbose': 0, 'epochs': 3, 'steps': 2}, loss [0.6905468106269836,
#   0.7712321281433105, 0.65505051612854], kernel [0.29028886556625366, -0.00896599143743515];
#   a fresh model's fit of tf.data.Dataset.from_tensor_slices((x, y)).filter(...).batch(4) (length unknown),
#   epochs=1, shuffle=False: "Your input ran out of data" and params steps None, loss [0.6397845149040222]
#   (the first model trained on from there: Keras's value was taken after the fit above).
@pytest.mark.parametrize("device", DEVICES)
def test_tf_dataset_of_unknown_or_infinite_length_trains(device: str) -> None:
    model = _sgd_classifier(device)
    with pytest.warns(UserWarning) as caught:
        history = model.fit(DatasetV2(repeat=True), steps_per_epoch=2, epochs=3, verbose=0)
    assert [str(w.message) for w in caught] == [
        "`shuffle=True` was passed, but will be ignored since the data `x` was provided as a tf.data.Dataset. The "
        "Dataset is expected to already be shuffled (via `.shuffle(buffer_size)`)."
    ]
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 2}
    np.testing.assert_allclose(
        history.history["loss"], [0.6905468106269836, 0.7712321281433105, 0.65505051612854], rtol=1e-6
    )
    np.testing.assert_allclose(
        model.get_weights()[0].ravel(), [0.29028886556625366, -0.00896599143743515], rtol=1e-5
    )
    with pytest.warns(UserWarning, match="ran out of data"):
        history = model.fit(DatasetV2(repeat=False), epochs=1, verbose=0, shuffle=False)
    assert history.params == {"verbose": 0, "epochs": 1, "steps": None}
    np.testing.assert_allclose(history.history["loss"], [0.6397845149040222], rtol=1e-6)


# Keras 3.15.1 drew a streamed evaluate's bar after the first batch too: evaluate of a PyDataset of 3 batches,
# verbose=1, printed "\r1/3 ━━━━━━ ... - accuracy: 0.6333 - loss: 0.6696" (batch 1's values), then
# "\r3/3 ━━━━━━━━━━━━━━━━━━━━ ... - accuracy: 0.5889 - loss: 0.6649\n"; of a generator "\r      1/Unknown ...".
# Here: the mean |x0 + x1| of rows 0-2 is (1 + 5 + 9) / 3 = 5, of all six rows 11.
class _TwoBatches(keras.utils.PyDataset):
    def __len__(self) -> int:
        return 2

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        return X6[i * 3 : (i + 1) * 3], Y6[i * 3 : (i + 1) * 3]


@pytest.mark.parametrize("device", DEVICES)
def test_streamed_evaluate_verbose1_draws_the_first_batch_then_the_end(
    device: str, capsys: pytest.CaptureFixture[str]
) -> None:
    model = _ones_model(device)
    assert model.evaluate(_TwoBatches(), verbose=1) == 11.0
    draws = _draws(capsys.readouterr().out)
    assert len(draws) == 2
    assert draws[0].startswith("\x1b[1m1/2\x1b[0m ") and draws[0].endswith(" - loss: 5.0000")
    assert draws[1].startswith("\x1b[1m2/2\x1b[0m ") and draws[1].rstrip(" \n").endswith(" - loss: 11.0000")
    batches = ((X6[i : i + 3], Y6[i : i + 3]) for i in (0, 3))
    with pytest.warns(UserWarning, match="ran out of data"):
        model.evaluate(batches, verbose=1)
    draws = _draws(capsys.readouterr().out)
    assert draws[0].startswith("      1/Unknown ") and draws[0].endswith(" - loss: 5.0000")
    assert draws[1].startswith("\x1b[1m2/2\x1b[0m ")


# ---- a Sequential's input and output ------------------------------------------------------------------------
# Keras 3.15.1: m = keras.Sequential([keras.Input((3,)), layers.Dense(2)]): m.inputs and m.outputs are
# [(None, 3)] and [(None, 2)], but m.input raised "AttributeError: The layer sequential has never been called
# and thus has no defined input." (m.output: "... no defined output."), also after fit, predict or m(array);
# after o = m(i) on i = keras.Input((3,)), m.input is i and m.output is o, shapes (None, 3) and (None, 2).
# keras_lite raised its NotSupportedError ("does not support Sequential.input yet") in every case.
def test_sequential_input_and_output_as_keras_gives_them() -> None:
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)], name="sequential")
    model.compile(loss="mse")
    model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    model(np.ones((2, 3)))
    for which in ("input", "output"):
        with pytest.raises(AttributeError) as info:
            getattr(model, which)
        assert (
            str(info.value) == f"The layer sequential has never been called and thus has no defined {which}."
        )
        assert not isinstance(info.value, keras.NotSupportedError)
    assert [t.shape for t in model.inputs] == [(None, 3)]
    i = keras.Input((3,))
    o = model(i)
    assert model.input is i and model.output is o
    assert model.input.shape == (None, 3) and model.output.shape == (None, 2)


# Keras 3.15.1: keras.Sequential([layers.InputLayer(input_shape=(3,)), layers.Dense(1)]) warned "UserWarning:
# Argument `input_shape` is deprecated. Use `shape` instead." (input_shape (None, 3)); keras_lite said nothing.
def test_input_layer_input_shape_warns_that_it_is_deprecated() -> None:
    with pytest.warns(UserWarning, match=r"^Argument `input_shape` is deprecated\. Use `shape` instead\.$"):
        model = keras.Sequential([layers.InputLayer(input_shape=(3,)), layers.Dense(1)])
    assert model.input_shape == (None, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        keras.Sequential([layers.InputLayer(shape=(3,)), layers.Dense(1)])


# Keras 3.15.1: a model trained with Adam saved with save_weights("b.weights.h5") (10 optimizer variables for
# Sequential([Input((3,)), Dense(2), Dense(1)])), then load_weights into the same architecture compiled with
# SGD() warned "Skipping variable loading for optimizer 'sgd', because it has 2 variables whereas the saved
# optimizer has 10 variables. " (with that last space) and loaded the layers' weights.
def test_optimizer_mismatch_warning_is_keras_text(tmp_path: pathlib.Path) -> None:
    def model(optimizer: str) -> keras.Sequential:
        m = keras.Sequential([keras.Input((3,)), layers.Dense(2), layers.Dense(1)])
        m.compile(optimizer=optimizer, loss="mse")
        return m

    trained = model("adam")
    trained.fit(np.ones((8, 3)), np.ones(8), verbose=0)
    trained.save_weights(tmp_path / "b.weights.h5")
    other = model("sgd")
    with pytest.warns(UserWarning) as caught:
        other.load_weights(tmp_path / "b.weights.h5")
    assert [str(w.message) for w in caught] == [
        "Skipping variable loading for optimizer 'sgd', because it has 2 variables whereas the saved optimizer "
        "has 10 variables. "
    ]
    for got, want in zip(other.get_weights(), trained.get_weights()):
        np.testing.assert_array_equal(got, want)
