"""Differences from Keras 3.15, and between the CPU and the GPU, that side-by-side runs of the same scripts
found: a crossentropy given ``from_logits=True`` on a model ending in its own sigmoid or softmax, a
crossentropy on a model ending in the other one, and the hinge losses' batch-wise reading of 0/1 labels in a
GPU evaluation. Expected values are Keras 3.15.1's (TensorFlow backend) for the same calls, or NumPy's of
Keras's formula."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers

RNG = np.random.default_rng(0)
X = RNG.normal(size=(90, 4)).astype(np.float32)
LABELS = RNG.integers(0, 3, 90)


def _fixed(model: keras.Model, step: float = 0.1, shift: float = 0.0) -> keras.Model:
    """Every weight set to ``step * (i % 5) - shift`` for its flat index ``i``."""
    model.set_weights(
        [
            np.full(w.shape, step, np.float32) * (np.arange(w.size).reshape(w.shape) % 5) - shift
            for w in model.get_weights()
        ]
    )
    return model


CASES = [
    ("softmax", keras.losses.SparseCategoricalCrossentropy, LABELS, 3, 1.0956),
    ("softmax", keras.losses.CategoricalCrossentropy, np.eye(3, dtype=np.float32)[LABELS], 3, 1.0956),
    ("sigmoid", keras.losses.BinaryCrossentropy, (LABELS > 0).astype(np.float32), 1, 0.6935),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("activation", "loss_cls", "y", "units", "keras_value"), CASES)
def test_from_logits_on_a_final_activation_reads_its_logits_and_warns(
    device: str, activation: str, loss_cls: type, y: np.ndarray, units: int, keras_value: float
) -> None:
    """Keras on TensorFlow reads the logits of a final sigmoid or softmax whether or not the loss was given
    ``from_logits=True``; with the flag it warns (once for the train step, once for the test step) that the
    output is not logits. keras_lite applied the activation a second time instead, silently."""
    losses = {}
    for flag in (False, True):
        model = _fixed(
            keras.Sequential([keras.Input((4,)), layers.Dense(units, activation=activation)], device=device)
        )
        model.compile(optimizer="sgd", loss=loss_cls(from_logits=flag))
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            losses[flag] = model.evaluate(X, y, verbose=0)
            model.fit(X, y, verbose=0, epochs=1, validation_split=0.2)
            model.evaluate(X, y, verbose=0)
        messages = [str(w.message) for w in seen if issubclass(w.category, UserWarning)]
        if flag:
            assert len(messages) == 2, messages  # the test step's, then the train step's
            assert "received `from_logits=True`, but the `output` argument was produced by a" in messages[0]
            assert f"{activation.capitalize()} activation" in messages[0]
        else:
            assert messages == []
    assert losses[True] == pytest.approx(losses[False], rel=1e-6)
    assert round(losses[True], 4) == keras_value


def test_from_logits_without_a_final_activation_does_not_warn() -> None:
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(X, LABELS, verbose=0)
        model.evaluate(X, LABELS, verbose=0)


ONEHOT = np.eye(3, dtype=np.float32)[LABELS]
# (final activation, as its own layer, loss, targets, Keras 3.15.1's evaluate, two epochs' fit losses and the
# evaluate after them: TensorFlow backend, the weights `_spread` sets, SGD(0.5), batch 32, no shuffle).
CROSS = [
    ("softmax", False, keras.losses.BinaryCrossentropy(), ONEHOT, [0.75554, 0.74752, 0.71936, 0.70129]),
    (
        "softmax",
        True,
        keras.losses.BinaryCrossentropy(label_smoothing=0.1),
        ONEHOT,
        [0.76492, 0.75729, 0.73105, 0.71434],
    ),
    ("sigmoid", False, keras.losses.CategoricalCrossentropy(), ONEHOT, [1.42242, 1.36053, 1.19034, 1.11669]),
    (
        "sigmoid",
        True,
        keras.losses.CategoricalCrossentropy(label_smoothing=0.2),
        ONEHOT,
        [1.45499, 1.3896, 1.21738, 1.1449],
    ),
    (
        "sigmoid",
        False,
        keras.losses.SparseCategoricalCrossentropy(),
        LABELS,
        [1.42242, 1.36053, 1.19034, 1.11669],
    ),
]


def _spread(model: keras.Model) -> keras.Model:
    return _fixed(model, 0.4, 0.6)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("activation", "own_layer", "loss", "y", "keras_values"), CROSS)
def test_a_crossentropy_reads_the_logits_of_the_other_final_activation(
    device: str, activation: str, own_layer: bool, loss: Any, y: np.ndarray, keras_values: list[float]
) -> None:
    """Keras on TensorFlow reads whichever logits a final sigmoid or softmax left on its output: a binary
    crossentropy after a softmax is the sigmoid crossentropy of the softmax's logits, a categorical one after
    a sigmoid the softmax crossentropy of the sigmoid's logits (and so are their gradients). keras_lite read
    the logits only of the activation the loss expects, and computed these from the probabilities: 3.29
    against Keras's 1.98 for a two-class softmax with ``binary_crossentropy``."""
    stack: list[Any] = [keras.Input((4,)), layers.Dense(3, activation=None if own_layer else activation)]
    if own_layer:
        stack.append(layers.Activation(activation))
    model = _spread(keras.Sequential(stack, device=device))
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss=loss)
    before = model.evaluate(X, y, verbose=0, batch_size=32)
    fit = model.fit(X, y, epochs=2, batch_size=32, verbose=0, shuffle=False).history["loss"]
    after = model.evaluate(X, y, verbose=0)
    np.testing.assert_allclose([before, *fit, after], keras_values, atol=2e-5)


def test_from_logits_on_the_other_final_activation_warns_with_keras_words() -> None:
    """With ``from_logits=True`` Keras warns naming the activation the loss expects (a binary crossentropy
    names a Sigmoid, even after a softmax), and reads the logits as without the flag."""
    values = {}
    for flag in (False, True):
        model = _spread(keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax")]))
        model.compile(optimizer="sgd", loss=keras.losses.BinaryCrossentropy(from_logits=flag))
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            values[flag] = model.evaluate(X, ONEHOT, verbose=0)
        messages = [str(w.message) for w in seen if issubclass(w.category, UserWarning)]
        assert len(messages) == int(flag), messages
        if flag:
            assert "was produced by a Sigmoid activation and thus does not represent logits" in messages[0]
    assert values[True] == values[False] == pytest.approx(0.75554, abs=2e-5)


def _hinge(y: np.ndarray, p: np.ndarray, squared: bool) -> float:
    """Keras's hinge of one loss call: labels read as 2y - 1 only when every label of the call is 0 or 1."""
    y = y.astype(np.float64)
    if np.all((y == 0) | (y == 1)):
        y = 2 * y - 1
    v = np.maximum(1 - y * p.astype(np.float64), 0)
    return float(np.mean(v**2 if squared else v))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("loss", ["hinge", "squared_hinge"])
def test_hinge_evaluation_reads_each_batch_labels(device: str, loss: str) -> None:
    """Whether 0/1 labels become -1/1 is decided per batch (per loss call), so evaluate's and validation's
    batches are the caller's on the GPU too; it decided over chunks of up to 4,096 rows there."""
    x = X[:24, :3]
    y = (np.arange(24) % 2).astype(np.float32)
    y[3] = 0.5  # the first batch of 8 keeps its labels, the other two are read as -1/1
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)], device=device)
    model.compile(optimizer="sgd", loss=loss)
    p = model.predict(x, verbose=0)[:, 0]
    expected = np.mean([_hinge(y[i : i + 8], p[i : i + 8], loss == "squared_hinge") for i in range(0, 24, 8)])
    assert model.evaluate(x, y, batch_size=8, verbose=0) == pytest.approx(expected, rel=1e-6)
    history = model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0, validation_data=(x, y))
    after = model.predict(x, verbose=0)[:, 0]
    val = np.mean([_hinge(y[i : i + 8], after[i : i + 8], loss == "squared_hinge") for i in range(0, 24, 8)])
    assert history.history["val_loss"][0] == pytest.approx(val, rel=1e-5)


def test_streamed_fit_of_two_inputs_takes_array_validation_data() -> None:
    """A generator-fed fit of a model with two inputs takes ``validation_data`` of arrays as a list or a dict
    by input name, as Keras does, with the value the arrays' own fit gives."""
    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=(40, 2)).astype(np.float32), rng.normal(size=(40, 3)).astype(np.float32)
    y = rng.normal(size=(40, 1)).astype(np.float32)
    a, b = keras.Input(shape=(2,), name="a"), keras.Input(shape=(3,), name="b")
    model = keras.Model(
        [a, b], layers.Dense(1)(layers.Concatenate()([layers.Dense(4)(a), layers.Dense(4)(b)]))
    )
    model.compile(optimizer="sgd", loss="mse")
    start = model.get_weights()

    def batches():
        while True:
            for i in range(0, 40, 10):
                yield [x1[i : i + 10], x2[i : i + 10]], y[i : i + 10]

    expected = None
    for vx in ([x1, x2], {"a": x1, "b": x2}):
        model.set_weights(start)
        val = model.fit(batches(), steps_per_epoch=4, epochs=1, verbose=0, validation_data=(vx, y))
        if expected is None:
            model.set_weights(start)
            expected = model.fit(
                [x1, x2], y, batch_size=10, shuffle=False, verbose=0, validation_data=(vx, y)
            )
        assert val.history["val_loss"][0] == pytest.approx(expected.history["val_loss"][0], rel=1e-6)


def test_auto_crossentropy_with_a_class_id_metric_compiles() -> None:
    """``loss="crossentropy"`` is settled by the targets; a metric that reads class ids does not make
    ``compile`` refuse it before any targets are seen (Keras accepts it)."""
    y = np.arange(30) % 3
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="crossentropy", metrics=["sparse_categorical_accuracy"])
    history = model.fit(X[:30], y, epochs=1, verbose=0)
    assert sorted(history.history) == ["loss", "sparse_categorical_accuracy"]
    with pytest.raises(ValueError, match="class id"):  # one-hot targets then make it categorical
        model.fit(X[:30], np.eye(3, dtype=np.float32)[y], epochs=1, verbose=0)


def test_unbuilt_model_reads_and_sets_its_adapted_layer_weights() -> None:
    """A Sequential not built yet whose first layer is an adapted Normalization has that layer's weights: in
    ``get_weights`` as in ``weights``, and ``set_weights`` sets them (it raised AttributeError)."""
    norm = layers.Normalization()
    norm.adapt(X)
    model = keras.Sequential([norm, layers.Dense(8, activation="relu"), layers.Dense(1)])
    assert not model.built
    values = model.get_weights()
    assert [w.shape for w in values] == [(4,), (4,), ()]
    np.testing.assert_allclose(values[0], X.mean(axis=0), rtol=1e-5, atol=1e-6)
    model.set_weights(values)
    model.set_weights([np.zeros(4, np.float32), np.ones(4, np.float32), np.array(0)])
    np.testing.assert_array_equal(np.asarray(norm.mean).ravel(), np.zeros(4))
    with pytest.raises(ValueError, match="expecting 3 weights"):
        model.set_weights([])
    np.testing.assert_array_equal(model.predict(X[:2], verbose=0).shape, (2, 1))


@pytest.mark.parametrize("verbose", [1, 2])
def test_streamed_evaluate_and_predict_print_their_bar(
    verbose: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """``evaluate`` and ``predict`` of a generator or PyDataset end with Keras's finished bar (the batches run
    and, for evaluate, the loss), as they do for arrays; they printed nothing."""
    x, y = X[:30], (X[:30, 0] > 0).astype(np.float32)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")

    class Batches(keras.utils.PyDataset):
        def __len__(self) -> int:
            return 3

        def __getitem__(self, i: int) -> tuple[np.ndarray, ...]:
            return (x[i * 10 : (i + 1) * 10],)

    capsys.readouterr()
    loss = model.evaluate(((x[i : i + 10], y[i : i + 10]) for i in range(0, 30, 10)), verbose=verbose)
    model.predict(Batches(), verbose=verbose)
    out = capsys.readouterr().out.replace("\x1b[1m", "").replace("\x1b[0m", "")
    # Each bar's last draw (with verbose=1 predict draws the first batch before, as Keras's bar does).
    lines = [line.split("\r")[-1] for line in out.split("\n") if line]
    assert len(lines) == 2 and all(line.startswith("3/3") for line in lines), lines
    assert lines[0].endswith(f"loss: {loss:.4f}")


# One SGD(1.0) step on a bias from predictions on a loss's kink or tie, and Keras 3.15.1's step (TensorFlow's
# gradients: maximum's passes at x >= y, reduce_max's is shared evenly among tied maxima).
KINKS = [
    ("hinge", [[1.0]], [1.0], [1.0]),
    ("categorical_hinge", [[1.0, 0, 0]], [0.0, 0.0, 0.0], [1.0, -1 / 3, -1 / 3]),
    ("categorical_hinge", [[1.0, 0, 0]], [0.2, 0.5, 0.5], [1.0, -0.5, -0.5]),
    ("categorical_hinge", [[1.0, 0, 0]], [1.0, 0.0, -1.0], [1.0, -0.5, 0.0]),
    ("msle", [[1.0]], [np.float32(1e-7)], [1.386294]),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("loss", "y", "bias", "keras_step"), KINKS)
def test_gradients_at_kinks_and_ties_are_tensorflows(
    device: str, loss: str, y: list[list[float]], bias: list[float], keras_step: list[float]
) -> None:
    target = np.array(y, np.float32)
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(target.shape[1])], device=device)
    start = np.array(bias, np.float32)
    model.set_weights([np.zeros((2, target.shape[1]), np.float32), start])
    model.compile(optimizer=keras.optimizers.SGD(1.0), loss=loss)
    model.fit(np.ones((1, 2), np.float32), target, batch_size=1, epochs=1, verbose=0)
    np.testing.assert_allclose(model.get_weights()[1] - start, keras_step, rtol=1e-6, atol=1e-7)


def _r2(y: np.ndarray, p: np.ndarray) -> float:
    y, p = y.astype(np.float64), p.astype(np.float64)
    total = ((y - y.mean(axis=0)) ** 2).sum()
    return 0.0 if total == 0 else float(1 - ((y - p) ** 2).sum() / total)


@pytest.mark.parametrize("device", DEVICES)
def test_r2_of_targets_far_from_zero_keeps_its_precision(device: str) -> None:
    """R² of targets whose mean dwarfs their spread (and of one row, or constant targets, with no spread) is
    the float64 formula's on both devices; the GPU summed the targets and their squares in float32, so their
    variance cancelled away (-6.36 for -518.6, 2.1e7 for 0)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(512, 3)).astype(np.float32)
    y = (1000 + 0.05 * x[:, :1] + 0.01 * rng.normal(size=(512, 1))).astype(np.float32)
    bias = keras.initializers.Constant(1000.0)
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1, bias_initializer=bias)], device=device)
    model.compile(optimizer="sgd", loss="mse", metrics=["r2_score"])
    expected = _r2(y, model.predict(x, verbose=0))
    for batch_size in (512, 100):
        got = model.evaluate(x, y, verbose=0, return_dict=True, batch_size=batch_size)["r2_score"]
        assert got == pytest.approx(expected, rel=1e-5)
    assert model.evaluate(x[:1], y[:1], verbose=0, return_dict=True)["r2_score"] == 0.0
    constant = np.full((50, 1), 0.1, np.float32)
    assert model.evaluate(x[:50], constant, verbose=0, return_dict=True)["r2_score"] == 0.0

    def batches():  # a stream's batches share one shift, taken from its first batch
        while True:
            for i in range(0, 512, 128):
                yield x[i : i + 128], y[i : i + 128]

    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse", metrics=["r2_score"])
    history = model.fit(batches(), steps_per_epoch=4, epochs=1, verbose=0, validation_data=(x, y))
    assert history.history["r2_score"][0] == pytest.approx(expected, rel=1e-5)
    assert history.history["val_r2_score"][0] == pytest.approx(expected, rel=1e-5)


def test_constant_initializer_takes_an_array(tmp_path: Path) -> None:
    """``Constant(np.log([pos / neg]))``, the imbalanced-data tutorial's output bias, broadcasts to the weight as
    in Keras 3, saves as Keras writes an array (``__numpy__``) and loads back; a value that does not broadcast,
    or is not numbers, is a ValueError naming it."""
    init = keras.initializers.Constant(np.log([0.02]))
    model = keras.Sequential(
        [keras.Input((3,)), layers.Dense(1, activation="sigmoid", bias_initializer=init)]
    )
    np.testing.assert_allclose(model.get_weights()[1], np.log([0.02]).astype(np.float32))
    config = init.get_config()
    assert config == {
        "value": {"class_name": "__numpy__", "config": {"value": [np.log(0.02)], "dtype": "float64"}}
    }
    path = tmp_path / "bias.keras"
    model.save(path)
    loaded = keras.models.load_model(path).layers[-1].bias_initializer
    np.testing.assert_allclose(loaded((2,)), np.full(2, np.log(0.02), np.float32))
    np.testing.assert_array_equal(keras.initializers.Constant([1, 2, 3])((2, 3)), [[1, 2, 3], [1, 2, 3]])
    assert keras.initializers.Constant([1, 2]).get_config() == {"value": [1, 2]}
    with pytest.raises(ValueError, match="does not broadcast"):
        keras.initializers.Constant(np.zeros(2))((3,))
    for bad in ("a", [1, "a"], [[1, 2], [3]], True, None):
        with pytest.raises(ValueError, match="real number"):
            keras.initializers.Constant(bad)


def test_progress_bar_shows_a_vector_metric_as_its_mean(capsys: pytest.CaptureFixture[str]) -> None:
    """A metric of several thresholds is a vector in the history; Keras's bar prints its mean."""
    model = keras.Sequential([keras.Input((4,)), layers.Dense(1, activation="sigmoid")])
    model.compile(
        optimizer="sgd", loss="binary_crossentropy", metrics=[keras.metrics.Precision([0.3, 0.6], name="p")]
    )
    capsys.readouterr()
    history = model.fit(X, (X[:, 0] > 0).astype(np.float32), epochs=1, verbose=2)
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.endswith(f" - p: {np.mean(history.history['p'][0]):.4f}"), line


@pytest.mark.parametrize("device", DEVICES)
def test_logged_values_are_float32s_as_in_keras(device: str) -> None:
    """History, callbacks and evaluate see each value as Keras's logs have it: a Python float of a float32
    (Keras prints and saves 0.6762499809265137 where a float64 mean gave 0.67625)."""
    y = (X[:, 0] > 0).astype(np.float32)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(1, activation="sigmoid")], device=device)
    model.compile(
        optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy", keras.metrics.AUC(name="auc")]
    )
    seen: list[float] = []
    history = model.fit(
        X,
        y,
        epochs=2,
        batch_size=7,
        verbose=0,
        validation_split=0.3,
        callbacks=[keras.callbacks.LambdaCallback(on_batch_end=lambda b, logs: seen.append(logs["loss"]))],
    )
    values = [v for vs in history.history.values() for v in vs] + seen
    values += list(model.evaluate(X, y, verbose=0, return_dict=True).values()) + [
        model.evaluate(X, y, verbose=0)[0]
    ]
    assert all(type(v) is float and float(np.float32(v)) == v for v in values)


# (metrics, weighted_metrics) and the history keys Keras 3.15.1 gave them ("SCA": a SparseCategoricalAccuracy()).
NAMED = [
    (
        [],
        ["sparse_categorical_accuracy", "SCA", "sparse_categorical_accuracy"],
        [
            "loss",
            "sparse_categorical_accuracy",
            "weighted_sparse_categorical_accuracy",
            "weighted_sparse_categorical_accuracy_1",
        ],
    ),
    (
        ["sparse_categorical_accuracy", "sparse_categorical_accuracy"],
        ["sparse_categorical_accuracy"],
        [
            "loss",
            "sparse_categorical_accuracy",
            "sparse_categorical_accuracy_1",
            "weighted_sparse_categorical_accuracy",
        ],
    ),
    (
        ["accuracy", "acc"],
        ["accuracy", "acc", "accuracy"],
        ["acc", "accuracy", "loss", "weighted_acc", "weighted_accuracy", "weighted_accuracy_1"],
    ),
]


@pytest.mark.parametrize(("plain", "weighted", "keys"), NAMED)
def test_weighted_metric_names_follow_keras(plain: list[str], weighted: list[str], keys: list[str]) -> None:
    """A weighted metric whose name any earlier metric has (not only a plain one) is ``weighted_<name>``."""
    heavy = [keras.metrics.SparseCategoricalAccuracy() if n == "SCA" else n for n in weighted]
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", metrics=list(plain), weighted_metrics=heavy)
    assert sorted(model.fit(X[:9], np.arange(9) % 3, verbose=0).history) == keys


def test_standalone_r2_of_a_zero_variance_column_is_zero_as_in_keras() -> None:
    """The metric object computes in float32 as Keras's, so a column without variance (one row, weighted or
    not, or constant targets) cancels to exactly 0 and R² is 0; it mixed float64 in and gave ±1e5..1e7."""
    for t, p, w in [
        ([[1.3, 0.7, -2.1]], [[1.0, 0.5, -2.0]], None),
        ([[1.3, 0.7, -2.1]], [[1.0, 0.5, -2.0]], [0.37]),
        ([[0.1], [0.1], [0.1]], [[0.2], [0.0], [0.1]], None),
    ]:
        metric = keras.metrics.R2Score(class_aggregation=None)
        metric.update_state(np.array(t, np.float32), np.array(p, np.float32), sample_weight=w)
        np.testing.assert_array_equal(metric.result(), np.zeros(len(t[0])))


def test_loss_call_matches_keras_ranks_and_scalar_weight_reduction() -> None:
    """A loss called on its own reduces as Keras 3.15's ``reduce_weighted_values``: a scalar weight's
    ``mean_with_sample_weight`` divides by the weight as given (the sum of the losses), one sample's loss is
    squeezed to a scalar, and a ``(n, 1)`` weight makes ``(n, 1)`` per-sample losses."""
    mae = keras.losses.MeanAbsoluteError
    y, p = np.array([[0.0, 1.0], [1.0, 1.0]], np.float32), np.array([[0.5, 0.5], [0.0, 1.0]], np.float32)
    msw = mae(reduction="mean_with_sample_weight")
    assert float(msw(y, p, sample_weight=2.0)) == pytest.approx(1.0)  # 0.5 + 0.5, as Keras
    assert float(msw(y[:1], p[:1], sample_weight=2.0)) == pytest.approx(1.0)  # 2 * 0.5, unreduced
    assert float(msw(y, p, sample_weight=[1.0, 3.0])) == pytest.approx((0.5 + 1.5) / 4)
    none = mae(reduction=None)
    assert np.shape(none(y[:1], p[:1], sample_weight=2.0)) == ()
    assert np.shape(none(y, p, sample_weight=np.ones((2, 1)))) == (2, 1)
    assert np.shape(none(y, p, sample_weight=np.ones(2))) == (2,)
    assert float(mae()(y, p, sample_weight=2.0)) == pytest.approx(1.0)  # mean of 2 * [0.5, 0.5]
    with pytest.raises(ValueError, match="sample_weight"):
        mae()(y, p, sample_weight=np.ones(3))


def _roc_auc(y: np.ndarray, p: np.ndarray, inner: list[float], clip: bool) -> float:
    """The interpolated ROC AUC over thresholds ``[-1e-7, *inner, 1 + 1e-7]``, ``p > t`` positive, in float64."""
    t, q = y.ravel().astype(bool), p.ravel().astype(np.float64)
    q = np.clip(q, 0, 1) if clip else q
    thresholds = np.array([-1e-7, *inner, 1 + 1e-7])
    tp = np.array([(t & (q > x)).sum() for x in thresholds], float)
    fp = np.array([(~t & (q > x)).sum() for x in thresholds], float)
    tpr, fpr = tp / t.sum(), fp / (~t).sum()
    return float(np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2))


@pytest.mark.parametrize("device", DEVICES)
def test_auc_clips_predictions_only_for_evenly_spaced_thresholds(device: str) -> None:
    """Keras counts predictions in buckets for evenly spaced thresholds (as if clipped to [0, 1]) and compares
    them as they are with other thresholds, so an AUC over a linear output's values differs between the two;
    keras_lite clipped always (Keras 3.15.1: 0.104818 unclipped, where clipping gave 0.444336)."""
    rng = np.random.default_rng(11)
    y = (rng.uniform(size=(40, 2)) > 0.5).astype(np.float32)
    rng.uniform(size=(40, 2))
    p = rng.normal(0, 2, size=(40, 2)).astype(np.float32)
    for kw, inner, clip in [
        ({"thresholds": [0.2, 0.5, 0.8]}, [0.2, 0.5, 0.8], False),
        ({"thresholds": [0.5]}, [0.5], True),
        ({"num_thresholds": 5}, [0.25, 0.5, 0.75], True),
    ]:
        metric = keras.metrics.AUC(**kw)
        metric.update_state(y, p)
        assert float(metric.result()) == pytest.approx(_roc_auc(y, p, inner, clip), rel=1e-5)
    assert _roc_auc(y, p, [0.2, 0.5, 0.8], False) == pytest.approx(0.104818, abs=1e-6)
    x = rng.normal(size=(45, 3)).astype(np.float32)
    target = (rng.uniform(size=(45, 1)) > 0.5).astype(np.float32)
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)], device=device)
    model.set_weights([rng.normal(size=(3, 1)).astype(np.float32) * 2, np.zeros(1, np.float32)])
    auc = keras.metrics.AUC(thresholds=[0.2, 0.5, 0.8], name="auc")
    model.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True), metrics=[auc])
    got = model.evaluate(x, target, verbose=0, return_dict=True)["auc"]
    assert got == pytest.approx(0.03232758492231369, rel=1e-5)  # Keras 3.15.1's


def test_weight_decay_exclusion_by_name_matches_the_weight_path() -> None:
    """``exclude_from_weight_decay(var_names=...)`` searches each weight's full name, as Keras on TensorFlow
    does (``sequential/dense_b/kernel:0``), so a layer's name leaves out its weights; it matched "kernel" only."""

    def fit(exclude: Any) -> list[np.ndarray]:
        keras.utils.set_random_seed(3)
        model = keras.Sequential(
            [keras.Input((4,)), layers.Dense(3, name="dense_a"), layers.Dense(2, name="dense_b")]
        )
        opt = keras.optimizers.Adam(0.05, weight_decay=0.3)
        exclude(opt, model)
        model.compile(optimizer=opt, loss="mse")
        model.fit(X, X[:, :2], batch_size=16, epochs=2, shuffle=False, verbose=0)
        return model.get_weights()

    by_name = fit(lambda opt, m: opt.exclude_from_weight_decay(var_names=["dense_b"]))
    by_list = fit(lambda opt, m: opt.exclude_from_weight_decay(var_list=m.get_layer("dense_b").weights))
    by_path = fit(
        lambda opt, m: opt.exclude_from_weight_decay(var_names=["dense_b/kernel", "dense_b/bias:0"])
    )
    decayed = fit(lambda opt, m: None)
    for a, b, c in zip(by_name, by_list, by_path):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    assert not np.array_equal(by_name[2], decayed[2])


def test_a_missing_legacy_h5_file_is_file_not_found(tmp_path: Path) -> None:
    """``load_model("model.h5")`` of a file that is not there says so (a FileNotFoundError, as Keras); an
    existing one that is not a whole HDF5 file is refused as such."""
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    for path in (tmp_path / "model.h5", tmp_path / "model.hdf5"):
        with pytest.raises(FileNotFoundError):
            keras.models.load_model(path)
        with pytest.raises(FileNotFoundError):
            model.load_weights(str(path))
    legacy = tmp_path / "old.h5"
    legacy.write_bytes(b"\x89HDF\r\n\x1a\n")
    with pytest.raises(ValueError, match="old.h5.*not a valid HDF5 file"):
        keras.models.load_model(legacy)


def test_optimizer_names_are_keras_auto_names() -> None:
    """Optimizers are named as Keras 3.15 names them: the class's name in snake case, numbered after the first
    in a session (its variables' paths follow)."""
    opt = keras.optimizers
    names = [
        o.name for o in (opt.SGD(), opt.RMSprop(), opt.AdamW(), opt.Adam(), opt.get("adam"), opt.Nadam())
    ]
    assert names == ["sgd", "rm_sprop", "adam_w", "adam", "adam_1", "nadam"]
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    assert model.optimizer.name == "adam_2"
    assert repr(model.optimizer.learning_rate).startswith("<Variable path=adam_2/learning_rate")
    assert opt.Adam(name="mine").name == "mine"
    keras.backend.clear_session()
    assert opt.Adam().name == "adam"


def test_metric_auto_names_taken_as_keras_takes_them() -> None:
    """A compile's ``"auc"`` takes an auto name when the model first trains or evaluates (the instance Keras
    makes of it), once per compile, and a metric class given uninstantiated is named once: the history keys of
    a second model in the session are Keras 3.15.1's (keras_lite took ``auc_3`` where Keras has ``auc_2``)."""
    x, y = X[:16, :2], (X[:16, :1] > 0).astype(np.float32)
    keys = []
    for _ in range(2):
        model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(1, activation="sigmoid")])
        model.compile(
            loss="binary_crossentropy", metrics=[keras.metrics.AUC(), keras.metrics.Precision(), "auc"]
        )
        keys.append(sorted(model.fit(x, y, verbose=0, validation_split=0.25).history))
    assert keys[1] == [
        "auc",
        "auc_2",
        "loss",
        "precision_1",
        "val_auc",
        "val_auc_2",
        "val_loss",
        "val_precision_1",
    ]
    model.compile(loss="binary_crossentropy", metrics=["auc"])
    assert keras.metrics.AUC().name == "auc_4"  # compiled, not yet trained: nothing taken
    model.evaluate(x, y, verbose=0)
    model.evaluate(x, y, verbose=0)
    assert keras.metrics.AUC().name == "auc_6"  # the first evaluate took auc_5
    model.compile(loss="binary_crossentropy", metrics=[keras.metrics.AUC])
    assert sorted(model.fit(x, y, verbose=0).history) == ["auc_7", "loss"]


def test_progress_bar_draws_each_epochs_first_batch(capsys: pytest.CaptureFixture[str]) -> None:
    """With ``verbose=1`` Keras's bar draws an epoch's first batch before its last, however fast the epoch;
    keras_lite's batch updates, throttled to one each 45 ms, skipped it (seen in logs of redirected output)."""
    x = X[:36, :3]
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    capsys.readouterr()
    model.fit(x, x[:, :1], epochs=2, batch_size=4, verbose=1)
    out = capsys.readouterr().out.replace("\x1b[1m", "").replace("\x1b[0m", "")
    frames = [f.split(" ")[0] for f in out.split("\r") if f.strip() and not f.startswith("Epoch")]
    assert frames == ["1/9", "9/9", "1/9", "9/9"], frames


@pytest.mark.parametrize("device", DEVICES)
def test_r2_sums_keep_a_small_spread_on_both_devices(device: str) -> None:
    """R² sums targets less one of them on the CPU too (float64 Σy² − (Σy)²/n left ±1e-13 of a zero total,
    so constant targets gave 4.5e14 where the GPU gave 0), and batches or chunks taken with different shifts
    merge exactly: arrays, several batches, and a generator's batches give the float64 formula's value."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(308, 3)).astype(np.float32)
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)], device=device)
    model.compile(optimizer="sgd", loss="mse", metrics=["r2_score"])
    constant = np.full((308, 1), -0.40705064, np.float32)
    assert model.evaluate(x, constant, verbose=0, return_dict=True)["r2_score"] == 0.0
    y = (5e4 + 1e-2 * rng.normal(size=(308, 1))).astype(np.float32)
    model.set_weights([np.zeros((3, 1), np.float32), np.full(1, 5e4, np.float32)])
    expected = _r2(y, model.predict(x, verbose=0))
    for batch_size in (308, 32):
        got = model.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True)["r2_score"]
        assert got == pytest.approx(expected, rel=1e-6)
    batches = ((x[i : i + 50], y[i : i + 50]) for i in range(0, 308, 50))
    assert model.evaluate(batches, verbose=0, return_dict=True)["r2_score"] == pytest.approx(
        expected, rel=1e-6
    )


@pytest.mark.parametrize("device", DEVICES)
def test_sigmoid_stays_below_one_until_tensorflows_point(device: str) -> None:
    """sigmoid(z) rounds as the exact value does: 0.99999994 up to z = 17.33, as TensorFlow's; 1/(1 + e^-z)
    gave 1.0 from z = 16.64, and with it a zero derivative that stalled training (Keras 3.15.1's bias after
    three SGD(1e6) steps from 17: 16.642372; keras_lite's stayed at 17)."""
    z = np.array([[16.5], [16.7], [17.0], [17.3], [17.4]], np.float32)
    np.testing.assert_array_equal(
        keras.activations.sigmoid(z).numpy().ravel(), [np.float32(0.99999994)] * 4 + [1.0]
    )
    model = keras.Sequential([keras.Input(shape=(1,)), layers.Dense(1, activation="sigmoid")], device=device)
    model.set_weights([np.zeros((1, 1), np.float32), np.array([17.0], np.float32)])
    np.testing.assert_array_equal(model.predict(z[:1], verbose=0), [[np.float32(0.99999994)]])
    model.compile(optimizer=keras.optimizers.SGD(1e6), loss="mse")
    model.fit(np.zeros((1, 1), np.float32), np.zeros((1, 1), np.float32), epochs=3, verbose=0)
    assert model.get_weights()[1][0] == pytest.approx(16.642372, abs=2e-6)


def test_r2_built_for_one_output_takes_1d_batches_after() -> None:
    """As Keras: a first batch must be 2-D; once built for one output, 1-D batches count (they were refused)."""
    metric = keras.metrics.R2Score()
    metric.update_state([[0.5], [1.0], [-0.3], [2.0]], [[0.4], [1.2], [-0.1], [1.5]])
    metric.update_state(np.array([0.1, 0.7, -1.0]), np.array([0.0, 0.9, -0.8]))
    assert float(metric.result()) == pytest.approx(0.9225823, rel=1e-6)  # Keras 3.15.1's
    with pytest.raises(ValueError, match="R2Score expects"):
        keras.metrics.R2Score().update_state(np.array([0.1, 0.7]), np.array([0.0, 0.9]))
