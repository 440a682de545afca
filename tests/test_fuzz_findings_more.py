"""Differences from Keras 3.15.1 that a later round of differential fuzzing found (layers one at a time, callback
traces, printed output, files across the two libraries, edge values), each pinned with Keras's printed values."""

from __future__ import annotations

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import _errors as keras_lite_errors
from keras_lite._unsupported import NotSupportedError

X3 = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) ** 1.5 / 10).astype(np.float32)


@pytest.mark.parametrize(
    "make",
    [
        lambda: keras.layers.Softmax(axis=1),
        lambda: keras.layers.LayerNormalization(axis=1),
        lambda: keras.layers.LayerNormalization(axis=[1]),
        lambda: keras.layers.BatchNormalization(axis=1),
    ],
)
def test_axis_1_of_an_input_of_three_axes_is_refused_not_read_as_the_last(make: object) -> None:
    """Keras computes along axis 1 there (Softmax's column [0, :, 0] is [0.0779, 0.1734, 0.7487]); keras_lite
    computes along the last axis only, so it refuses rather than give other numbers."""
    layer = make()  # type: ignore[operator]
    with pytest.raises(NotSupportedError, match="axis=1 is not the last axis"):
        layer(X3)
    with pytest.raises(NotSupportedError, match="axis=1 is not the last axis"):
        make().build((None, 3, 4))  # type: ignore[operator]
    # on (batch, features) axis 1 is the last axis: the same numbers as axis=-1
    two_d = X3.reshape(6, 4)
    np.testing.assert_allclose(make()(two_d), type(layer)()(two_d), rtol=1e-6)  # type: ignore[operator]


def test_softmax_axis_minus_1_of_three_axes_still_computes() -> None:
    out = np.asarray(keras.layers.Softmax()(X3))
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-6)


@pytest.mark.parametrize(
    "make, nones, shapes",
    [
        (
            lambda: keras.layers.LayerNormalization(beta_initializer=None, gamma_initializer=None),
            ["beta_initializer", "gamma_initializer"],
            [(3,), (3,)],
        ),
        (lambda: keras.layers.PReLU(alpha_initializer=None), ["alpha_initializer"], [(3,)]),
        (lambda: keras.layers.BatchNormalization(gamma_initializer=None), ["gamma_initializer"], [(3,)] * 4),
    ],
)
def test_an_initializer_of_none_is_glorot_uniform_as_kerass_add_weight(
    make: object, nones: list, shapes: list
) -> None:
    layer = make()  # type: ignore[operator]
    assert layer(np.ones((2, 3), np.float32)).shape == (2, 3)
    assert [w.shape for w in layer.get_weights()] == shapes
    assert all(layer.get_config()[k] is None for k in nones)  # Keras keeps None in the config
    drawn = layer.get_weights()[0]  # gamma, alpha: glorot_uniform of a (3,) weight, fan_in = fan_out = 3
    assert np.all(np.abs(drawn) <= 1.0) and len(np.unique(drawn)) == 3


Z = np.array([np.nan, -np.inf, -2, -1, -0.5, -0.1, 0, 0.5, 1, 2, 6, 7, np.inf], np.float32)


@pytest.mark.parametrize(
    "kwargs, want",
    [
        # Keras clips to [0, max_value] above a negative threshold
        ({"max_value": 1.0, "threshold": -1.0}, [0, 0, 0, 0, 0, 0, 0, 0.5, 1, 1, 1, 1, 1]),
        (
            {"negative_slope": 0.1, "max_value": 6.0, "threshold": -1.0},
            [np.nan, -np.inf, -0.1, 0, 0, 0, 0, 0.5, 1, 2, 6, 6, 6],
        ),
        # without a cap the values between the threshold and 0 stay; NaN is 0 where a threshold reads it
        ({"threshold": -1.0}, [0, 0, 0, 0, -0.5, -0.1, 0, 0.5, 1, 2, 6, 7, np.inf]),
        ({"threshold": 1.0}, [0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 6, 7, np.inf]),
        ({"max_value": 6.0, "threshold": 1.0}, [0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 6, 6, 6]),
    ],
)
def test_relu_with_its_arguments_gives_kerass_values(kwargs: dict, want: list) -> None:
    got = np.asarray(keras.activations.relu(Z[None], **kwargs))[0]
    np.testing.assert_array_equal(got, np.array(want, np.float32))


@pytest.mark.parametrize("device", DEVICES)
def test_the_relu_layer_with_a_threshold_reads_nan_as_zero_on_each_device(device: str) -> None:
    model = keras.Sequential(
        [keras.Input((13,)), keras.layers.ReLU(max_value=6.0, threshold=1.0)], device=device
    )
    want = np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 6, 6, 6], np.float32)
    np.testing.assert_array_equal(model.predict(Z[None], verbose=0)[0], want)
    leaky = keras.Sequential(
        [keras.Input((13,)), keras.layers.ReLU(negative_slope=0.1, threshold=1.0)], device=device
    )
    assert np.isnan(leaky.predict(Z[None], verbose=0)[0, 0])  # Keras: NaN - 0.1·relu(NaN) stays NaN


def test_a_serialized_activation_function_is_taken_by_get_and_by_a_layer() -> None:
    relu = keras.saving.serialize_keras_object(keras.activations.relu)
    assert keras.activations.get(relu) is keras.activations.relu
    assert keras.layers.Dense(2, activation=relu).activation is keras.activations.relu
    assert keras.layers.Dense(2, activation=relu).get_config()["activation"] == "relu"


@pytest.mark.parametrize("device", DEVICES)
def test_lion_with_a_nan_gradient_makes_the_weights_nan_as_keras(device: str) -> None:
    """An infinite gradient that clipnorm turns into NaN: TensorFlow's sign(NaN) is NaN, so Keras's step is."""
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)], device=device)
    model.set_weights([np.array([[3e38], [1.0]], np.float32), np.zeros(1, np.float32)])
    model.compile(optimizer=keras.optimizers.Lion(learning_rate=0.1, clipnorm=1.0), loss="mse")
    model.train_on_batch(np.array([[2.0, 1.0]], np.float32), np.array([[0.0]], np.float32))
    assert all(np.isnan(w).all() for w in model.get_weights())


@pytest.mark.parametrize("device", DEVICES)
def test_selu_of_a_pre_activation_whose_exp_rounds_to_one_is_zero_with_the_positive_slope(
    device: str,
) -> None:
    """TensorFlow's selu computes exp(z) - 1, which is 0 for -2^-25 <= z <= 0: Keras predicts 0 there and its
    gradient takes the positive side's slope (Keras's kernel after one SGD step: [1.0507010221481323, 1.0])."""
    x = np.array([[1.0, -1e-8]], np.float32)
    model = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(1, activation="selu", use_bias=False)], device=device
    )
    model.set_weights([np.array([[0.0], [1.0]], np.float32)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0), loss="mae")
    assert model.predict(x, verbose=0)[0, 0] == 0.0
    model.train_on_batch(x, np.array([[1.0]], np.float32))
    np.testing.assert_allclose(model.get_weights()[0].ravel(), [1.0507010221481323, 1.0], rtol=1e-6)


def test_elu_and_selu_near_zero_are_kerass() -> None:
    z = np.array([[-1e-8, -2.9802322e-8, -1e-3, -1.0]], np.float32)
    np.testing.assert_array_equal(np.asarray(keras.activations.selu(z))[0, :2], [0.0, 0.0])
    np.testing.assert_allclose(
        np.asarray(keras.activations.selu(z))[0, 2:], [-1.75723841e-03, -1.11133075], rtol=2e-4
    )
    np.testing.assert_array_equal(np.asarray(keras.activations.elu(z))[0, :2], [0.0, 0.0])


def test_normalization_layers_take_epsilon_zero_as_keras() -> None:
    x = np.array([[1.0, 2.0], [3.0, 5.0]], np.float32)
    np.testing.assert_array_equal(keras.layers.BatchNormalization(epsilon=0.0)(x), [[1.0, 2.0], [3.0, 5.0]])
    np.testing.assert_array_equal(keras.layers.LayerNormalization(epsilon=0.0)(x), [[-1.0, 1.0], [-1.0, 1.0]])
    with pytest.raises(ValueError, match="epsilon"):
        keras.layers.LayerNormalization(epsilon=-1e-3)


def test_f1_score_refuses_a_batch_of_another_width_and_keeps_its_state() -> None:
    metric = keras.metrics.F1Score()
    metric.update_state(np.array([[1.0], [0.0]]), np.array([[0.7], [0.2]]))
    before = float(np.asarray(metric.result())[0])
    with pytest.raises(ValueError, match="must match"):
        metric.update_state(np.array([[1.0, 0, 0], [0, 1, 0]]), np.array([[0.7, 0.1, 0.2], [0.1, 0.6, 0.3]]))
    assert float(np.asarray(metric.result())[0]) == before


def test_top_k_beyond_the_output_width_is_refused() -> None:
    """Keras: "input must have last dimension >= k = 3 but is 2" (a ValueError in evaluate)."""
    y = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
    with pytest.raises(ValueError, match="k = 3 but is 2"):
        keras.metrics.Precision(top_k=3).update_state(y, y)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="k = 3 but is 2"):
        model.compile(optimizer="sgd", loss="mse", metrics=[keras.metrics.Recall(top_k=3)])
    model.compile(optimizer="sgd", loss="mse", metrics=[keras.metrics.Recall(top_k=2)])


def test_a_loss_in_another_dtype_is_not_supported() -> None:
    with pytest.raises(NotSupportedError, match="float32"):
        keras.losses.MeanSquaredError(dtype="float64")


def test_an_infinite_sample_weight_outside_a_cell_adds_nothing_to_it(
    recwarn: pytest.WarningsRecorder,
) -> None:
    y_true, y_pred, w = np.array([1.0, 1.0, 0.0]), np.array([0.0, 0.9, 0.7]), np.array([np.inf, 1.0, 1.0])
    want = {"TruePositives": 1.0, "FalsePositives": 1.0, "Recall": 0.0, "Precision": 0.5}  # Keras's
    for name, value in want.items():
        metric = getattr(keras.metrics, name)()
        metric.update_state(y_true, y_pred, sample_weight=w)
        assert float(metric.result()) == value, name
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_numpy_warnings_stay_inside_r2_and_the_progress_bar(recwarn: pytest.WarningsRecorder) -> None:
    metric = keras.metrics.R2Score()
    metric.update_state(np.array([[3e19], [1.0]]), np.array([[1.0], [2.0]]))
    assert np.isnan(float(metric.result()))  # Keras: the float32 sums overflow to NaN
    bar = keras.utils.Progbar(3, verbose=0)
    bar.update(1, [("loss", -np.inf)])
    bar.update(2, [("loss", np.inf)])
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


@pytest.mark.parametrize("device", DEVICES)
def test_accuracy_takes_the_largest_value_that_is_not_nan_as_tensorflows_argmax(device: str) -> None:
    y_pred = np.array([[np.nan, 0.4], [0.3, np.nan], [np.nan, np.nan]], np.float32)
    np.testing.assert_array_equal(
        keras.metrics.sparse_categorical_accuracy(np.array([0, 1, 0]), y_pred), [0, 0, 1]
    )
    np.testing.assert_array_equal(keras.metrics.categorical_accuracy(np.eye(2)[[0, 1, 0]], y_pred), [0, 0, 1])
    metric = keras.metrics.CategoricalAccuracy()
    metric.update_state(np.eye(2)[[0, 1, 0]], y_pred)
    assert float(metric.result()) == pytest.approx(1 / 3)
    # compiled: the first output unit is NaN (a NaN kernel entry); Keras's accuracy 0.5
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)], device=device)
    model.set_weights([np.array([[np.nan, 0.0, 1.0], [0.0, 1.0, 0.0]], np.float32), np.zeros(3, np.float32)])
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 0.5], [0.0, 2.0]], np.float32)
    assert model.evaluate(x, np.array([0, 1, 2, 1]), verbose=0, return_dict=True)["accuracy"] == 0.5


def _summary_lines(model: keras.Model, **kwargs: object) -> list[str]:
    lines: list[str] = []
    model.summary(print_fn=lambda line, **_: lines.extend(line.split("\n")), **kwargs)
    return lines


def test_a_summary_whose_positions_end_short_of_the_line_fills_it_as_keras() -> None:
    """rich, which Keras's summary draws with, shares the rest of the line out in proportion to the widths."""
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="d")], name="pos")
    rows = [
        line for line in _summary_lines(model, line_length=60, positions=[0.3, 0.5, 0.6]) if "Dense" in line
    ]
    assert rows == ["│ d (Dense)                 │ (None, 4)         │       16 │"]  # Keras 3.15.1's
    wide = _summary_lines(model, line_length=60, positions=[0.3, 0.56, 0.74, 1.0])
    assert "┃ Layer (type)          ┃ Output Shape      ┃      Param # ┃" in wide


def test_a_layer_built_on_its_own_shows_the_shape_it_was_built_on_in_a_model_not_built_yet() -> None:
    norm = keras.layers.Normalization()
    norm.adapt(np.arange(12.0).reshape(4, 3))
    lines = _summary_lines(keras.Sequential([norm, keras.layers.Dense(1)]))
    assert any("│ normalization (Normalization)   │ (4, 3)" in line for line in lines)  # Keras 3.15.1's
    dense = keras.layers.Dense(2, name="pre_built")
    dense.build((8, 3))
    lines = _summary_lines(keras.Sequential([dense, keras.layers.Dense(1, name="head")]))
    assert any("│ pre_built (Dense)               │ (8, 2)" in line for line in lines)
    built = keras.Sequential([keras.Input((3,)), dense])  # in a built model: its batch axis is None again
    assert any("│ pre_built (Dense)               │ (None, 2)" in line for line in _summary_lines(built))


def test_a_legacy_h5_reloads_per_output_metrics_under_kerass_names(tmp_path: object) -> None:
    x = np.arange(12, dtype=np.float32).reshape(4, 3) / 10
    y = np.ones((4, 2), np.float32)
    i = keras.Input((3,))
    model = keras.Model(i, {"out": keras.layers.Dense(2, kernel_initializer="ones", name="out")(i)})
    model.compile(
        optimizer="adam",
        loss={"out": "mean_squared_error"},
        metrics={"out": ["mae"]},
        weighted_metrics={"out": "mse"},
    )
    path = f"{tmp_path}/m.h5"
    with pytest.warns(UserWarning, match="legacy"):
        model.save(path)
    logs = keras.models.load_model(path).evaluate(x, {"out": y}, verbose=0, return_dict=True)
    # Keras 3.15.1 on its own file of this model
    assert logs == pytest.approx({"loss": 1.435, "mean_absolute_error": 1.0, "mean_squared_error": 1.435})


def test_a_legacy_h5_leaves_out_what_kerass_writer_leaves_out(tmp_path: object) -> None:
    import json

    import h5py

    inner = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)], name="inner")
    inner.compile(optimizer="sgd", loss="mse")
    outer = keras.Sequential([keras.Input((3,)), inner, keras.layers.Dense(1)])
    outer.compile(optimizer="adam", loss="mean_squared_error")
    path = f"{tmp_path}/m.h5"
    with pytest.warns(UserWarning, match="legacy"):
        outer.save(path)
    with h5py.File(path) as f:
        entry = json.loads(f.attrs["model_config"])["config"]["layers"][0]
        slots = [str(n) for n in f["optimizer_weights"].attrs["weight_names"]]
    assert sorted(entry) == ["class_name", "config"]  # no nested compile_config
    assert slots == ["adam/iteration", "adam/learning_rate"]  # no slots before the first step
    assert not keras.models.load_model(path).get_layer("inner").compiled


def test_metric_objects_take_numbers_in_an_object_array_and_refuse_anything_else() -> None:
    metric = keras.metrics.MeanSquaredError()
    metric.update_state(np.array([[1.0, 2.0]], dtype=object), np.array([[1.5, 2.0]], np.float32))
    assert float(metric.result()) == 0.125  # Keras's
    mean = keras.metrics.Mean()
    mean.update_state(np.array([1.0, 3.0]), sample_weight=np.array([1.0, 3.0], dtype=object))
    assert float(mean.result()) == 2.5  # Keras's
    for bad in (np.array([[None, 1.0]], dtype=object), np.array([["1.5", 2.0]], dtype=object)):
        with pytest.raises(keras_lite_errors.DataTypeError, match="y_true"):
            keras.metrics.MeanSquaredError().update_state(bad, np.ones((1, 2)))


def test_pad_sequences_to_length_zero_is_kerass() -> None:
    assert keras.utils.pad_sequences([[1, 2], [3]], maxlen=0, truncating="post").shape == (2, 0)
    assert keras.utils.pad_sequences([[], []], maxlen=0).shape == (2, 0)
    with pytest.raises(
        ValueError, match=r"could not broadcast input array from shape \(2,\) into shape \(0,\)"
    ):
        keras.utils.pad_sequences([[1, 2], [3]], maxlen=0)  # Keras's s[-0:] keeps the whole sequence


def test_trainable_set_to_the_value_a_model_has_leaves_its_layers_flags_as_keras_on_tensorflow() -> None:
    """Keras on TensorFlow skips assigning an attribute the very value it holds (its trackable's __setattr__):
    `model.trainable = True` on a trainable model does not unfreeze a layer frozen on its own."""
    model = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(2, name="a", kernel_initializer="ones"),
            keras.layers.Dense(2, name="b"),
        ]
    )
    model.layers[0].trainable = False
    model.trainable = True
    assert [layer.trainable for layer in model.layers] == [False, True]
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((4, 2)), np.zeros((4, 2)), verbose=0)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], np.ones((2, 2)))
    model.trainable = False
    model.trainable = True  # a change: every layer follows, as in Keras
    assert [layer.trainable for layer in model.layers] == [True, True]


def test_a_sequential_emptied_by_pop_after_its_shared_layer_moved_has_no_weights() -> None:
    shared = keras.layers.Dense(2)
    m1 = keras.Sequential([keras.Input((3,)), shared, keras.layers.Dense(1)])
    m2 = keras.Sequential([keras.Input((3,)), shared, keras.layers.Dense(1)])
    m1.pop()
    m2.predict(np.ones((1, 3)), verbose=0)  # m2 takes the shared layer's weights
    m1.pop()
    assert m1.get_weights() == [] and m1.weights == []


def test_a_pickle_whose_trainable_weights_changed_since_the_optimizer_was_built_loads_with_a_fresh_one() -> (
    None
):
    """`trainable = False` on a model, then one layer trainable again: the optimizer the fit built has no slots,
    the unpickled model's has that layer's. Keras warns and starts the optimizer afresh (its weights after the
    next fit below: 0.9980183839797974 from the ones kernel)."""
    import pickle

    x = np.random.default_rng(0).standard_normal((64, 3)).astype(np.float32)
    model = keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(4, kernel_initializer="ones"),
            keras.layers.Dense(1, kernel_initializer="ones"),
        ]
    )
    model.compile(optimizer="adam", loss="mse")
    model.trainable = False
    model.layers[0].trainable = True
    with pytest.warns(UserWarning, match="trainable weights"):
        model.fit(x, x[:, :1], epochs=1, verbose=0)
    with pytest.warns(
        UserWarning, match="because it has 6 variables whereas the saved optimizer has 2 variables"
    ):
        loaded = pickle.loads(pickle.dumps(model))
    assert int(loaded.optimizer.iterations) == 0 and [layer.trainable for layer in loaded.layers] == [
        True,
        False,
    ]
    loaded.fit(x, x[:, :1], epochs=1, verbose=0, shuffle=False)
    np.testing.assert_allclose(loaded.get_weights()[0][0, :3], 0.9980183839797974, rtol=1e-6)
    again = pickle.loads(pickle.dumps(loaded))  # a pickle whose optimizer fits loads its state
    assert int(again.optimizer.iterations) == 2


@pytest.mark.parametrize("kwargs", [{"use_ema": 0}, {"use_ema": None}, {"gradient_accumulation_steps": 0}])
def test_optimizer_features_given_a_false_value_are_off_as_in_keras(kwargs: dict) -> None:
    config = keras.optimizers.Adam(**kwargs).get_config()
    assert config["use_ema"] is False and config["gradient_accumulation_steps"] is None
    with pytest.raises(NotSupportedError, match="loss_scale_factor"):
        keras.optimizers.Adam(loss_scale_factor=1.0)


def test_load_weights_into_a_model_whose_layer_another_fit_trains_is_that_runtime_error(
    tmp_path: object,
) -> None:
    x = np.random.default_rng(0).standard_normal((32, 3)).astype(np.float32)
    shared = keras.layers.Dense(4)
    a = keras.Sequential([keras.Input((3,)), shared, keras.layers.Dense(1)])
    b = keras.Sequential([keras.Input((3,)), shared, keras.layers.Dense(1)])
    b.compile(optimizer="sgd", loss="mse")
    path = f"{tmp_path}/a.weights.h5"
    a.save_weights(path)
    seen = []

    class TouchTheOtherModel(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: object = None) -> None:
            for call in (lambda: a.set_weights(a.get_weights()), lambda: a.load_weights(path)):
                with pytest.raises(RuntimeError, match="is training its layer") as e:
                    call()
                seen.append(type(e.value))

    b.fit(x, x[:, :1], epochs=1, verbose=0, callbacks=[TouchTheOtherModel()])
    assert seen == [RuntimeError, RuntimeError]  # (not the file's FormatError)
    a.load_weights(path)  # after the fit it loads


def test_predict_batch_logs_of_a_dict_output_model_are_keyed_by_the_output_as_kerass() -> None:
    i = keras.Input((2,))
    model = keras.Model(i, {"out": keras.layers.Dense(2, kernel_initializer="ones", name="out")(i)})
    seen: list = []
    hook = keras.callbacks.LambdaCallback(on_predict_batch_end=lambda batch, logs: seen.append(sorted(logs)))
    model.predict(np.ones((5, 2), np.float32), batch_size=3, verbose=0, callbacks=[hook])
    assert seen == [["out"], ["out"]]
    plain = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    plain.predict(np.ones((2, 2), np.float32), verbose=0, callbacks=[hook])
    assert seen[-1] == ["outputs"]


def test_the_one_batch_calls_take_one_number_as_every_rows_weight() -> None:
    x = np.array([[1.0, 2.0], [0.0, 1.0], [3.0, -1.0]], np.float32)
    y = np.array([[0.5], [2.0], [1.0]], np.float32)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="ones")])
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse", weighted_metrics=["mae"])
    assert model.test_on_batch(x, y, sample_weight=2.0) == pytest.approx([5.5, 1.5])  # Keras 3.15.1's
    assert model.test_on_batch(x, y, sample_weight=np.float32(2.0)) == pytest.approx([5.5, 1.5])
    assert model.train_on_batch(x, y, sample_weight=2.0, return_dict=True) == pytest.approx(
        {"loss": 5.5, "mae": 1.5}
    )
