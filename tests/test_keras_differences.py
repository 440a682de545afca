"""Behaviours where keras_lite differed from Keras 3.15 when the two ran the same scripts side by side: metric
names, the per-output forms of compile's arguments, class weights keyed by floats, a stop asked for before an
epoch, how batch hooks get their logs, the learning rate's float32, evaluate's dict, data of the wrong dtype,
the optimizer's parameter count in the summary, a model made untrainable, names with '/', and a second build.
Expected values are what Keras 3.15.1 (TensorFlow backend) printed for the same calls."""

from __future__ import annotations

import contextlib
import io
import json
import threading
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES, GPU_SKIP
from keras_lite import layers

RNG = np.random.default_rng(7)
X = RNG.standard_normal((48, 3)).astype(np.float32)
Y_BIN = (X[:, :1] > 0).astype(np.float32)


def model(out_name: str | None = None, functional: bool = False) -> keras.Model:
    if functional:
        inputs = keras.Input(shape=(3,))
        hidden = layers.Dense(4, activation="tanh")(inputs)
        return keras.Model(inputs, layers.Dense(1, activation="sigmoid", name=out_name)(hidden))
    return keras.Sequential(
        [
            keras.Input(shape=(3,)),
            layers.Dense(4, activation="tanh"),
            layers.Dense(1, activation="sigmoid", name=out_name),
        ]
    )


# ---- metric names --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("metrics", "names"),
    [
        (["mae", "mae"], ["mae", "mae_1"]),
        (["mae", "mae", "mae"], ["mae", "mae_1", "mae_2"]),
        (lambda: ["mae", keras.metrics.MeanAbsoluteError(name="mae")], ["mae", "mae_1"]),
        (
            lambda: ["precision", keras.metrics.Precision(thresholds=0.3, name="precision")],
            ["precision", "precision_1"],
        ),
    ],
)
def test_metrics_of_one_name_are_each_kept_under_a_numbered_name(metrics: Any, names: list[str]) -> None:
    m = model()
    m.compile(
        optimizer=keras.optimizers.SGD(0.1),
        loss="binary_crossentropy",
        metrics=metrics() if callable(metrics) else metrics,
    )
    history = m.fit(X, Y_BIN, epochs=2, batch_size=16, validation_split=0.25, verbose=0).history
    assert sorted(history) == sorted(["loss", *names, "val_loss", *(f"val_{n}" for n in names)])
    if names[0] == "mae":
        for n in names[1:]:  # the same metric twice: the same values
            assert history[n] == history["mae"]
    else:  # thresholds 0.5 and 0.3 differ
        logs = m.evaluate(X, Y_BIN, verbose=0, return_dict=True)
        p = (m.predict(X, verbose=0)[:, 0] > np.array([[0.5], [0.3]], np.float32)).astype(np.float32)
        want = (p * Y_BIN[:, 0]).sum(axis=1) / p.sum(axis=1)
        np.testing.assert_allclose([logs["precision"], logs["precision_1"]], want, rtol=1e-6)


def test_a_weighted_metric_named_like_a_metric_is_weighted_and_numbered_apart() -> None:
    m = model()
    m.compile(optimizer="sgd", loss="mse", metrics=["mae", "mae"], weighted_metrics=["mae"])
    history = m.fit(X, Y_BIN, epochs=1, sample_weight=np.linspace(0, 2, 48), verbose=0).history
    assert sorted(history) == ["loss", "mae", "mae_1", "weighted_mae"]


# ---- compile's per-output forms ------------------------------------------------------------------------------
@pytest.mark.parametrize("functional", [False, True])
@pytest.mark.parametrize(
    "args",
    [
        {"loss": "mse", "metrics": {"out": ["mae"]}},
        {"loss": "mse", "metrics": {"out": "mae"}},
        {"loss": ["mse"], "metrics": [["mae"]]},
        {"loss": {"out": "mse"}, "metrics": ["mae"]},
        {"loss": "mse", "metrics": ["mae"], "weighted_metrics": {"out": ["mse"]}},
        {"loss": "mse", "metrics": {"other": ["mae"]}},  # Keras 3.15.1 reads no key of one output's metrics
    ],
)
def test_compile_takes_keras_per_output_forms_for_the_one_output(
    functional: bool, args: dict[str, Any]
) -> None:
    m, plain = model("out", functional), model("out", functional)
    plain.set_weights(m.get_weights())
    m.compile(optimizer="sgd", **args)
    plain.compile(
        optimizer="sgd",
        loss="mse",
        metrics=["mae"],
        weighted_metrics=["mse"] if "weighted_metrics" in args else None,
    )
    got = m.fit(X, Y_BIN, epochs=2, batch_size=16, shuffle=False, verbose=0).history
    assert got == plain.fit(X, Y_BIN, epochs=2, batch_size=16, shuffle=False, verbose=0).history


@pytest.mark.parametrize(
    "args",
    [
        {"loss": {"other": "mse"}},
        {"loss": {"out": "mse", "out2": "mae"}},
        {"loss": ["mse", "mae"]},
    ],
)
def test_compile_refuses_per_output_forms_for_outputs_the_model_lacks(args: dict[str, Any]) -> None:
    m = model("out", functional=True)
    with pytest.raises(ValueError, match="one output"):
        m.compile(optimizer="sgd", **args)


# ---- class weights keyed by floats ---------------------------------------------------------------------------
def test_class_weight_keys_may_be_whole_floats() -> None:
    losses = []
    for weights in ({0: 0.3, 1: 2.0}, {0.0: 0.3, 1.0: 2.0}, dict(zip(np.unique(Y_BIN), [0.3, 2.0]))):
        m = model()
        m.set_weights([np.full(w.shape, 0.1, np.float32) for w in m.get_weights()])
        m.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
        losses.append(
            m.fit(X, Y_BIN, epochs=1, batch_size=16, shuffle=False, class_weight=weights, verbose=0)
        )
    assert losses[0].history == losses[1].history == losses[2].history
    m = model()
    m.compile(optimizer="sgd", loss="binary_crossentropy")
    for bad in (0.5, float("nan"), 2.0):
        with pytest.raises(ValueError, match="class_weight"):
            m.fit(X, Y_BIN, epochs=1, class_weight={bad: 1.0}, verbose=0)


# ---- callbacks -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("device", DEVICES)
def test_a_stop_asked_for_at_an_epochs_beginning_ends_training_after_its_first_batch(device: str) -> None:
    class StopAtSecondEpoch(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.batches: list[tuple[int, int]] = []
            self.epoch = 0

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self.epoch = epoch
            if epoch == 1:
                self.model.stop_training = True

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            self.batches.append((self.epoch, batch))

    m = model()
    m.to(device)
    m.compile(optimizer="sgd", loss="mse")
    cb = StopAtSecondEpoch()
    history = m.fit(
        X, Y_BIN, epochs=4, batch_size=16, validation_split=0.25, callbacks=[cb], verbose=0
    ).history
    # Keras 3: the epoch runs one batch, is validated and recorded, and training ends.
    assert cb.batches == [(0, 0), (0, 1), (0, 2), (1, 0)]
    assert len(history["loss"]) == len(history["val_loss"]) == 2
    assert m.optimizer.iterations == 4


def test_batch_hooks_get_logs_by_keyword_and_the_others_by_position() -> None:
    seen: list[tuple[str, list[str]]] = []

    class Keywords(keras.callbacks.Callback):
        def on_train_batch_end(self, batch: int, **kwargs: Any) -> None:
            seen.append(("train_batch_end", sorted(kwargs["logs"])))

        def on_test_batch_begin(self, batch: int, **kwargs: Any) -> None:
            seen.append(("test_batch_begin", sorted(kwargs)))

        def on_epoch_end(self, epoch: int, *args: Any) -> None:
            seen.append(("epoch_end", sorted(args[0])))

    m = model()
    m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    m.fit(X, Y_BIN, epochs=1, batch_size=48, validation_split=0.5, callbacks=[Keywords()], verbose=0)
    assert seen == [
        ("train_batch_end", ["loss", "mae"]),
        ("test_batch_begin", ["logs"]),
        ("epoch_end", ["loss", "mae", "val_loss", "val_mae"]),
    ]


# ---- the learning rate is float32 ----------------------------------------------------------------------------
def test_the_learning_rate_reads_back_and_saves_as_float32(tmp_path: Path) -> None:
    opt = keras.optimizers.Adam(0.01)
    assert float(opt.learning_rate) == 0.009999999776482582 == opt.get_config()["learning_rate"]
    assert opt.learning_rate == 0.01  # compared in float32, as Keras's variable is
    opt.learning_rate = 0.001
    assert float(opt.learning_rate) == 0.0010000000474974513
    m = model()
    m.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    m.save(tmp_path / "m.keras")
    config = json.loads(zipfile.ZipFile(tmp_path / "m.keras").read("config.json"))
    assert config["compile_config"]["optimizer"]["config"]["learning_rate"] == 0.009999999776482582
    assert (
        float(keras.models.load_model(tmp_path / "m.keras").optimizer.learning_rate) == 0.009999999776482582
    )


# ---- evaluate's dict is sorted -------------------------------------------------------------------------------
def test_evaluate_returns_its_dict_sorted_and_its_list_in_compile_order() -> None:
    m = model()
    m.compile(
        optimizer="sgd", loss="binary_crossentropy", metrics=["mae", "binary_accuracy", "AUC", "accuracy"]
    )
    logs = m.evaluate(X, Y_BIN, verbose=0, return_dict=True)
    assert list(logs) == ["AUC", "accuracy", "binary_accuracy", "loss", "mae"]
    values = m.evaluate(X, Y_BIN, verbose=0)
    assert values == [logs[k] for k in ("loss", "mae", "binary_accuracy", "AUC", "accuracy")]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        m.evaluate(X, Y_BIN, verbose=2)
    line = out.getvalue()
    assert line.index("AUC") < line.index("accuracy") < line.index("binary_accuracy") < line.index("loss")


# ---- data of the wrong dtype ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "x", [np.array([["a", "b", "c"]] * 4), np.array([[object()] * 3] * 4, dtype=object), "not data", None]
)
def test_data_keras_lite_cannot_compute_on_raises_a_value_error_as_in_keras(x: Any) -> None:
    m = model()
    m.compile(optimizer="sgd", loss="mse")
    for call in (lambda: m.fit(x, np.zeros(4), verbose=0), lambda: m.evaluate(X, x, verbose=0)):
        with pytest.raises(ValueError) as err:
            call()
        if x is not None:
            assert isinstance(err.value, TypeError)  # and still the TypeError it was


# ---- summary's optimizer parameters --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "line"),
    [
        (lambda: keras.optimizers.Nadam(), "Optimizer params: 45 (184.00 B)"),
        (lambda: keras.optimizers.Adamax(), "Optimizer params: 44 (180.00 B)"),
        (lambda: keras.optimizers.Adagrad(), "Optimizer params: 23 (96.00 B)"),
        (lambda: keras.optimizers.Lion(), "Optimizer params: 23 (96.00 B)"),
        (lambda: keras.optimizers.Adam(amsgrad=True), "Optimizer params: 65 (264.00 B)"),
    ],
)
def test_summary_counts_each_optimizers_variables(make: Any, line: str) -> None:
    m = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(4), layers.Dense(1)])  # 21 trainable values
    m.compile(optimizer=make(), loss="mse")
    m.fit(X, Y_BIN, epochs=1, verbose=0)
    out: list[str] = []
    m.summary(print_fn=out.append)
    assert line in "\n".join(out)


# ---- an untrainable model, names, a second build -------------------------------------------------------------
def test_a_model_made_untrainable_reports_no_trainable_weights() -> None:
    m = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)], trainable=False)
    assert m.trainable_weights == [] and len(m.non_trainable_weights) == 2
    out: list[str] = []
    m.summary(print_fn=out.append)
    assert "Trainable params: 0 (0.00 B)" in "\n".join(out)
    before = m.get_weights()
    m.compile(optimizer="sgd", loss="mse")
    m.fit(X, Y_BIN, epochs=1, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, m.get_weights()))


def test_trainable_and_non_trainable_variables_are_keras_s_other_names_for_the_weights() -> None:
    # Keras 3.15.1: Dense(2) then BatchNormalization: the model's trainable_variables are the kernel, bias,
    # gamma and beta, its non_trainable_variables the moving mean and variance; none trains once frozen.
    m = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2), layers.BatchNormalization()])
    assert [v.path for v in m.trainable_variables] == [v.path for v in m.trainable_weights]
    assert [v.name for v in m.non_trainable_variables] == ["moving_mean", "moving_variance"]
    assert [v.name for v in m.layers[1].trainable_variables] == ["gamma", "beta"]
    m.trainable = False
    assert m.trainable_variables == [] and len(m.non_trainable_variables) == 6
    assert m.layers[0].trainable_variables == [] and len(m.layers[0].non_trainable_variables) == 2


@pytest.mark.parametrize("late_layer", [False, True])
def test_a_layer_made_trainable_in_an_untrainable_model_is_not_trained(late_layer: bool) -> None:
    # Keras 3.15.1: the model's trainable_weights stay [] (its own flag is False), so fit warns "The model does
    # not have any trainable weights." and takes no optimizer step. keras_lite's core trained the layer.
    m = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2)])
    m.trainable = False
    if late_layer:  # a layer added after the model was frozen, then the first layer made trainable again
        m.add(layers.Dense(1))
    m.layers[0].trainable = True
    assert m.trainable_weights == []
    before = m.get_weights()
    m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    with pytest.warns(UserWarning, match="does not have any trainable weights"):
        m.fit(X, np.ones((len(X), m.output_shape[1]), np.float32), epochs=1, verbose=0)
    assert int(m.optimizer.iterations) == 0
    assert all(np.array_equal(a, b) for a, b in zip(before, m.get_weights()))


@pytest.mark.parametrize(
    "make",
    [
        lambda: layers.Dense(1, name="a/b"),
        lambda: keras.Sequential(name="x/y"),
        lambda: keras.Sequential(name=3),
        lambda: layers.Dense(1, name=""),
    ],
)
def test_a_name_must_be_a_string_without_a_slash(make: Any) -> None:
    with pytest.raises(ValueError, match="name"):
        make()


def test_a_built_sequential_is_not_built_again_for_another_width() -> None:
    m = keras.Sequential([layers.Dense(2)])
    m.build((None, 3))
    before = m.get_weights()
    with pytest.raises(ValueError, match=r"already been built for input shape \(None, 3\)"):
        m.build((None, 5))
    m.build((None, 3))
    assert all(np.array_equal(a, b) for a, b in zip(before, m.get_weights()))


# ---- layers from their configs, summary's options, paths that are not files ----------------------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda: layers.Dense(3, activation="relu", kernel_regularizer="l2", name="d"),
        lambda: layers.BatchNormalization(momentum=0.9),
        lambda: layers.Dropout(0.25),
        lambda: layers.Activation("tanh"),
        lambda: layers.Normalization(mean=[1.0, 2.0], variance=[1.0, 4.0]),
        lambda: layers.Concatenate(),
        lambda: layers.Add(),
    ],
)
def test_each_layer_class_is_made_from_its_config(make: Any) -> None:
    layer = make()
    again = type(layer).from_config(layer.get_config())
    assert type(again) is type(layer) and again.get_config() == layer.get_config()
    with pytest.raises(TypeError, match="dict"):
        type(layer).from_config([("name", "x")])


def test_summary_refuses_unknown_options() -> None:
    m = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2)])
    out: list[str] = []
    m.summary(expand_nested=True, print_fn=out.append)  # no nested models: the same table
    plain: list[str] = []
    m.summary(print_fn=plain.append)
    assert out == plain
    with pytest.raises(TypeError, match="bogus"):
        m.summary(bogus=1)  # type: ignore[call-arg]


def test_a_path_that_is_not_a_file_is_a_value_error_as_in_keras(tmp_path: Path) -> None:
    m = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2)])
    for path, kind in ((tmp_path / "missing.keras", FileNotFoundError), (tmp_path, IsADirectoryError)):
        with pytest.raises(ValueError, match="File not found|directory") as err:
            keras.models.load_model(path)
        assert isinstance(err.value, kind)  # and still the OSError it was
    with pytest.raises(FileNotFoundError):
        m.load_weights(tmp_path / "missing.weights.h5")


# ---- losses of NaN predictions -------------------------------------------------------------------------------
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    "loss", ["hinge", "squared_hinge", "categorical_hinge", "mean_squared_logarithmic_error"]
)
def test_a_loss_of_nan_predictions_is_nan_on_each_device(device: str, loss: str) -> None:
    m = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2)])
    w, b = m.get_weights()
    w[0, 0] = np.nan  # the first output is NaN for every row
    m.set_weights([w, b])
    m.to(device)
    m.compile(optimizer="sgd", loss=loss)
    y = np.tile(np.array([[1.0, 0.0]], np.float32), (48, 1))
    assert np.isnan(m.evaluate(X, y, verbose=0))
    history = m.fit(X, y, epochs=3, callbacks=[keras.callbacks.TerminateOnNaN()], verbose=0).history
    assert len(history["loss"]) == 1 and np.isnan(history["loss"][0])


@pytest.mark.parametrize(
    "loss",
    [
        keras.losses.Hinge(reduction=None),
        keras.losses.SquaredHinge(reduction=None),
        keras.losses.CategoricalHinge(reduction=None),
        keras.losses.MeanSquaredLogarithmicError(reduction=None),
    ],
)
def test_a_loss_object_gives_nan_for_the_rows_with_nan_or_infinite_predictions(loss: Any) -> None:
    y_true = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], np.float32)
    y_pred = np.array([[np.nan, 0.2], [0.3, 0.6], [0.1, 0.9]], np.float32)
    values = np.asarray(loss(y_true, y_pred))
    assert np.isnan(values[0]) and np.isfinite(values[1:]).all()
    if isinstance(
        loss, keras.losses.CategoricalHinge
    ):  # (1 - 1) · inf is NaN in the row's largest negative score
        assert np.isnan(np.asarray(loss(y_true[:1], np.array([[np.inf, 1.0]], np.float32)))[0])


# ---- keras.losses.get ----------------------------------------------------------------------------------------
def test_losses_get_gives_functions_for_function_names_and_instances_for_class_names() -> None:
    t = np.array([[0.0], [1.0], [2.0]], np.float32)
    p = np.array([[1.0], [3.0], [5.0]], np.float32)
    for name in ("mse", "MSE", "mean_squared_error"):
        assert keras.losses.get(name) is keras.losses.mean_squared_error
        np.testing.assert_allclose(keras.losses.get(name)(t, p), [1.0, 4.0, 9.0])
    assert keras.losses.get(keras.losses.hinge) is keras.losses.hinge
    mse = keras.losses.get("MeanSquaredError")
    assert isinstance(mse, keras.losses.MeanSquaredError) and float(mse(t, p)) == pytest.approx(14 / 3)
    assert keras.losses.get(None) is None
    huber = keras.losses.get({"class_name": "Huber", "config": {"delta": 2.0, "name": "h"}})
    assert isinstance(huber, keras.losses.Huber) and huber.get_config()["delta"] == 2.0 and huber.name == "h"
    for bad in ("nope", {"class_name": "Nope", "config": {}}):
        with pytest.raises(ValueError, match="Could not interpret loss identifier"):
            keras.losses.get(bad)


# ---- streamed validation with validation_steps, iterations, PyDataset iteration -------------------------------
class _Batches(keras.utils.PyDataset):
    def __init__(self, n: int, seen: list[int] | None = None) -> None:
        super().__init__()
        self.n, self.seen = n, seen

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        if self.seen is not None:
            self.seen.append(i)
        rows = slice(8 * i, 8 * i + 8)  # no bounds check, as many users' datasets have none
        return X[rows], Y_BIN[rows]


def test_each_validation_pass_with_validation_steps_starts_the_data_again() -> None:
    m = model()
    m.compile(optimizer="sgd", loss="mse")
    seen: list[int] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "ran out of data"
        history = m.fit(
            _Batches(4), validation_data=_Batches(4, seen), validation_steps=2, epochs=3, verbose=0
        ).history
    want = [m.evaluate(X[:16], Y_BIN[:16], batch_size=8, verbose=0)]
    assert history["val_loss"][-1] == pytest.approx(want[0], rel=1e-6)
    assert all(v > 0 for v in history["val_loss"]) and set(seen) <= {0, 1}


def test_iterations_reads_as_keras_int64_variable_and_a_pydataset_iterates_its_length() -> None:
    m = model()
    m.compile(optimizer="sgd", loss="mse")
    m.fit(X, Y_BIN, epochs=1, batch_size=16, verbose=0)
    it = m.optimizer.iterations
    assert it == 3 and isinstance(it, int) and it.numpy() == np.int64(3) and it.numpy().dtype == np.int64
    assert len(list(_Batches(3))) == 3 and [len(b[0]) for b in _Batches(2)] == [8, 8]


# ---- metric arguments and edge cases -------------------------------------------------------------------------
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("threshold", [0.0, 1.0, 1.5, 0.3])
def test_binary_accuracy_takes_any_finite_threshold_in_fit_and_alone(device: str, threshold: float) -> None:
    m = model()
    m.to(device)
    m.compile(optimizer="sgd", loss="mse", metrics=[keras.metrics.BinaryAccuracy(threshold=threshold)])
    want = float(np.mean((m.predict(X, verbose=0) > threshold) == Y_BIN))
    assert m.evaluate(X, Y_BIN, verbose=0, return_dict=True)["binary_accuracy"] == pytest.approx(want)
    alone = keras.metrics.BinaryAccuracy(threshold=threshold)
    alone.update_state(Y_BIN, m.predict(X, verbose=0))
    assert float(alone.result()) == pytest.approx(want)
    for bad in (None, float("inf"), "0.5", True):
        with pytest.raises(ValueError, match="threshold"):
            keras.metrics.BinaryAccuracy(threshold=bad)  # type: ignore[arg-type]


def test_top_k_counts_an_unknown_class_or_a_non_finite_row_as_a_miss() -> None:
    p = np.array([[0.1, 0.2, 0.7], [0.1, 0.2, 0.7], [np.nan, 0.2, 0.7], [0.1, 0.2, 0.7]], np.float32)
    sparse = keras.metrics.SparseTopKCategoricalAccuracy(k=1)
    sparse.update_state(np.array([-1, 3, 2, 2]), p)  # only the last row is a hit
    assert float(sparse.result()) == pytest.approx(0.25)
    dense = keras.metrics.TopKCategoricalAccuracy(k=2)
    dense.update_state(np.eye(3, dtype=np.float32)[[2, 2]], p[1:3])  # a hit, then a NaN row
    assert float(dense.result()) == pytest.approx(0.5)


def test_activation_keywords_at_keras_defaults_are_taken_and_others_refused_clearly() -> None:
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 8.0]], np.float32)
    for fn, kwargs in (
        (keras.activations.relu, {"negative_slope": 0.0, "max_value": None, "threshold": 0.0}),
        (keras.activations.elu, {"alpha": 1.0}),
        (keras.activations.leaky_relu, {"negative_slope": 0.2}),
        (keras.activations.gelu, {"approximate": False}),
        (keras.activations.softmax, {"axis": -1}),
        (keras.activations.softmax, {"axis": 1}),
    ):
        np.testing.assert_array_equal(fn(x, **kwargs), fn(x))
    # relu's, leaky_relu's, elu's and gelu's other arguments are computed (tests/test_activation_layers.py).
    for fn, kwargs in ((keras.activations.softmax, {"axis": 0}),):
        with pytest.raises(NotImplementedError, match=next(iter(kwargs))):
            fn(x, **kwargs)
    with pytest.raises(TypeError, match="alpha"):
        keras.activations.relu(x, alpha=0.1)
    with pytest.raises(NotImplementedError, match="curve"):
        keras.metrics.AUC(curve="PRGAIN")


# ---- NaN on the GPU as on the CPU ----------------------------------------------------------------------------
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    ("activation", "loss"),
    [
        ("relu6", "mse"),
        ("hard_sigmoid", "binary_crossentropy"),
        ("softmax", "kl_divergence"),
        (None, "huber"),
    ],
)
def test_a_nan_weight_gives_a_nan_loss_and_terminate_on_nan_stops_on_each_device(
    device: str, activation: str | None, loss: str
) -> None:
    m = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2, activation=activation)])
    w, b = m.get_weights()
    w[0, 0] = np.nan
    m.set_weights([w, b])
    m.to(device)
    m.compile(optimizer="sgd", loss=loss)
    y = np.tile(np.array([[1.0, 0.0]], np.float32), (48, 1))
    assert np.isnan(m.predict(X[:4], verbose=0)[:, 0]).all()
    assert np.isnan(m.evaluate(X, y, verbose=0))
    history = m.fit(X, y, epochs=3, callbacks=[keras.callbacks.TerminateOnNaN()], verbose=0).history
    assert len(history["loss"]) == 1 and np.isnan(history["loss"][0])


@pytest.mark.parametrize("clip", [{"clipvalue": 0.1}, {"clipnorm": 0.1}, {"global_clipnorm": 0.1}])
def test_a_nan_gradient_is_clipped_to_nan_on_both_devices_alike(clip: dict[str, float]) -> None:
    results = []
    for device in ["cpu"] + ([] if GPU_SKIP is not None else ["gpu"]):
        m = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
        w, b = m.get_weights()
        w[0, 0] = np.nan
        m.set_weights([w, b])
        m.to(device)
        m.compile(optimizer=keras.optimizers.SGD(0.1, **clip), loss="mse")
        m.fit(X[:8], Y_BIN[:8], batch_size=8, epochs=1, verbose=0)
        results.append(m.get_weights())
    if "clipvalue" not in clip:  # TensorFlow's clip_by_norm: a NaN norm makes every gradient NaN
        assert all(np.isnan(v).all() for v in results[0])
    for other in results[1:]:
        for a, b in zip(results[0], other):
            np.testing.assert_allclose(a, b, rtol=1e-6, equal_nan=True)


# ---- a batch callback reads the model as it stands, on each device -------------------------------------------
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("streamed", [False, True])
def test_a_batch_callback_reads_the_weights_step_count_and_logs_of_that_batch(
    device: str, streamed: bool
) -> None:
    class Reader(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[tuple[int, float, float]] = []

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            bias = float(self.model.get_weights()[-1][0])
            self.seen.append((int(self.model.optimizer.iterations), bias, logs["loss"]))
            if batch == 1:  # a read-modify-write keeps the steps before it
                self.model.set_weights([w * 0.5 for w in self.model.get_weights()])

    runs = []
    for dev in ("cpu", device):
        m = model()
        m.set_weights([np.full(w.shape, 0.1, np.float32) for w in m.get_weights()])
        m.to(dev)
        m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        reader = Reader()
        data: Any = (_Batches(6),) if streamed else (X, Y_BIN)
        m.fit(*data, batch_size=8, epochs=2, shuffle=False, callbacks=[reader], verbose=0)
        runs.append((reader.seen, m.get_weights()))
    (cpu_seen, cpu_w), (dev_seen, dev_w) = runs
    assert [s[0] for s in dev_seen] == list(range(1, 13)) and len(set(s[1] for s in dev_seen)) == 12
    np.testing.assert_allclose(np.array(dev_seen)[:, 1:], np.array(cpu_seen)[:, 1:], rtol=1e-5, atol=1e-6)
    for a, b in zip(cpu_w, dev_w):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


# ---- a fit nested through another call, empty data, predict's callbacks ---------------------------------------
@pytest.mark.parametrize("through", ["predict", "evaluate"])
def test_a_fit_of_the_training_model_from_a_predict_or_evaluate_callback_inside_fit_is_refused(
    through: str,
) -> None:
    m = model()
    m.compile(optimizer="sgd", loss="mse")
    errors: list[BaseException] = []

    class Inner(keras.callbacks.Callback):
        def _refit(self) -> None:
            try:
                m.fit(X, Y_BIN, epochs=1, verbose=0)
            except RuntimeError as e:
                errors.append(e)

        def on_predict_batch_end(self, batch: int, logs: Any = None) -> None:
            self._refit()

        def on_test_batch_end(self, batch: int, logs: Any = None) -> None:
            self._refit()

    class Outer(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            call = m.predict if through == "predict" else lambda x, **kw: m.evaluate(x, Y_BIN[:16], **kw)
            call(X[:16], batch_size=8, verbose=0, callbacks=[Inner()])

    done = threading.Event()

    def run() -> None:
        m.fit(X, Y_BIN, epochs=1, verbose=0, callbacks=[Outer()])
        done.set()

    worker = threading.Thread(target=run, daemon=True)  # a regression would wait forever: fail, not hang
    worker.start()
    worker.join(60)
    assert (
        done.is_set() and len(errors) == 2 and all("while this model is training" in str(e) for e in errors)
    )
    m.fit(X, Y_BIN, epochs=1, verbose=0)  # usable afterwards


def test_an_empty_pydataset_is_refused_and_predict_calls_its_callbacks_at_verbose_0() -> None:
    m = model()
    m.compile(optimizer="sgd", loss="mse")
    for call in (lambda: m.fit(_Batches(0), epochs=1, verbose=0), lambda: m.predict(_Batches(0), verbose=0)):
        with pytest.raises(ValueError, match="length 0"):
            call()
    seen: list[str] = []
    hooks = keras.callbacks.LambdaCallback(
        on_predict_begin=lambda logs: seen.append("begin"),
        on_predict_batch_end=lambda batch, logs: seen.append("batch"),
        on_predict_end=lambda logs: seen.append("end"),
    )
    m.predict(X, verbose=0, callbacks=[hooks])
    assert seen == ["begin", "batch", "batch", "end"]


def test_a_fit_of_the_training_model_from_the_generator_feeding_it_is_refused() -> None:
    m = model()
    m.compile(optimizer="sgd", loss="mse")

    def batches() -> Any:
        for i in range(4):
            if i == 2:
                m.fit(X, Y_BIN, epochs=1, verbose=0)  # from the feeder's thread
            yield X[8 * i : 8 * i + 8], Y_BIN[8 * i : 8 * i + 8]

    outcome: list[BaseException] = []

    def run() -> None:
        try:
            m.fit(batches(), epochs=1, verbose=0)
        except RuntimeError as e:
            outcome.append(e)

    worker = threading.Thread(target=run, daemon=True)  # a regression would wait forever: fail, not hang
    worker.start()
    worker.join(60)
    assert len(outcome) == 1 and "feeding its fit" in str(outcome[0])
    m.fit(X, Y_BIN, epochs=1, verbose=0)  # usable afterwards
