"""Losses used on their own, against Keras 3.15.1's values (each golden printed from the live Keras 3.15.1 on
TensorFlow, CPU, by the snippet in its comment): the hinges' 0/1 labels read as -1/1 only when every label of
the call is 0 or 1 (``fit`` and ``evaluate`` decide per batch), MAPE finite where the error passes float32's
largest value / 100, the default names of ``Loss`` subclasses (Keras's ``to_snake_case``), ``Loss.dtype``, and
the focal crossentropies in ``keras.metrics``."""

from __future__ import annotations

import numpy as np
import pytest

import keras_lite as keras
from keras_lite.layers._layer import to_snake_case

# ---- hinges: one decision over the whole y_true ------------------------------------------------------------
# A row of 0/1 labels beside a row with -1: no label is converted.
MIXED_T = np.array([[0.0], [1.0], [-1.0]], "float32")
MIXED_P = np.full((3, 1), 0.5, "float32")
P2 = np.array([[0.3, -2.0], [0.1, 0.5], [-0.4, 0.2]], "float32")
ALL01_T = np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 0.0]], "float32")
MIXED2_T = np.array([[0.0, 1.0], [2.0, 1.0], [0.0, 0.0]], "float32")


def test_hinge_functions_convert_only_when_every_label_is_0_or_1() -> None:
    # keras.losses.hinge(MIXED_T, MIXED_P), keras.losses.squared_hinge(...), and the same in keras.metrics
    for fn in (keras.losses.hinge, keras.metrics.hinge):
        np.testing.assert_allclose(np.asarray(fn(MIXED_T, MIXED_P)), [1.0, 0.5, 1.5], rtol=1e-6)
    for fn in (keras.losses.squared_hinge, keras.metrics.squared_hinge):
        np.testing.assert_allclose(np.asarray(fn(MIXED_T, MIXED_P)), [1.0, 0.25, 2.25], rtol=1e-6)
    # keras.losses.hinge(ALL01_T, P2) / squared_hinge: every label 0 or 1, all converted
    np.testing.assert_allclose(np.asarray(keras.losses.hinge(ALL01_T, P2)), [2.15, 0.7, 0.9], rtol=1e-6)
    np.testing.assert_allclose(
        np.asarray(keras.losses.squared_hinge(ALL01_T, P2)), [5.345, 0.53, 0.9], rtol=1e-6
    )
    # keras.losses.hinge(MIXED2_T, P2) / squared_hinge: a 2 among them, rows of 0/1 labels kept as they are
    np.testing.assert_allclose(np.asarray(keras.losses.hinge(MIXED2_T, P2)), [2.0, 0.65, 1.0], rtol=1e-6)
    np.testing.assert_allclose(
        np.asarray(keras.losses.squared_hinge(MIXED2_T, P2)), [5.0, 0.445, 1.0], rtol=1e-6
    )


def test_hinge_objects_convert_only_when_every_label_is_0_or_1() -> None:
    # float(keras.losses.Hinge()(MIXED_T, MIXED_P)), SquaredHinge, and keras.metrics.Hinge()/SquaredHinge()
    assert float(keras.losses.Hinge()(MIXED_T, MIXED_P)) == pytest.approx(1.0, rel=1e-6)
    assert float(keras.losses.SquaredHinge()(MIXED_T, MIXED_P)) == pytest.approx(1.1666666269302368, rel=1e-6)
    assert float(keras.metrics.Hinge()(MIXED_T, MIXED_P)) == pytest.approx(1.0, rel=1e-6)
    assert float(keras.metrics.SquaredHinge()(MIXED_T, MIXED_P)) == pytest.approx(
        1.1666666269302368, rel=1e-6
    )
    # m = keras.metrics.Hinge(); m.update_state(ALL01_T, P2); m.update_state(MIXED2_T, P2): each call decides
    m = keras.metrics.Hinge()
    m.update_state(ALL01_T, P2)
    m.update_state(MIXED2_T, P2)
    assert float(m.result()) == pytest.approx(1.2333334684371948, rel=1e-6)


@pytest.mark.parametrize(
    ("t", "p", "hinge", "squared"),
    # keras.losses.hinge(t, p), keras.losses.squared_hinge(t, p)
    [
        # labels mixed: a 0 label stays 0, and 0 * inf is NaN
        ([[0.0, 1.0], [2.0, 1.0]], [[np.inf, -2.0], [1.0, 0.5]], [np.nan, 0.25], [np.nan, 0.125]),
        # every label 0 or 1: the 0 is -1, and 1 + inf is inf
        ([[0.0, 1.0], [1.0, 1.0]], [[np.inf, -2.0], [0.1, 0.5]], [np.inf, 0.7], [np.inf, 0.53]),
        # a row of -1 labels beside a row with a 0: none converted
        ([[0.0, -1.0], [-1.0, -1.0]], [[-0.5, -2.0], [0.1, -np.inf]], [0.5, 0.55], [0.5, 0.605]),
    ],
)
def test_hinge_special_values_are_keras(t: list, p: list, hinge: list, squared: list) -> None:
    t_, p_ = np.array(t, "float32"), np.array(p, "float32")
    np.testing.assert_allclose(np.asarray(keras.losses.hinge(t_, p_)), hinge, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(keras.losses.squared_hinge(t_, p_)), squared, rtol=1e-6)


def test_fit_and_evaluate_still_decide_per_batch() -> None:
    # Keras 3.15.1: a Dense(1, use_bias=False, kernel_initializer="ones") on x = 0.5, compile(loss="hinge",
    # metrics=["hinge", "squared_hinge"]), evaluate(x, y, batch_size=2): the first batch's 0/1 labels are
    # converted, the second's (0 and -1) are not -> {'hinge': 1.125, 'loss': 1.125, 'squared_hinge': 1.4375}.
    x = np.full((4, 1), 0.5, "float32")
    y = np.array([[0.0], [1.0], [0.0], [-1.0]], "float32")
    model = keras.Sequential(
        [keras.Input(shape=(1,)), keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")]
    )
    model.compile(loss="hinge", metrics=["hinge", "squared_hinge"])
    result = model.evaluate(x, y, batch_size=2, verbose=0, return_dict=True)
    assert result == pytest.approx({"hinge": 1.125, "loss": 1.125, "squared_hinge": 1.4375}, rel=1e-6)
    # ... and the loss on its own over the four rows (mixed labels, none converted): Keras gives 1.0.
    assert float(keras.losses.Hinge()(y, model.predict(x, verbose=0))) == pytest.approx(1.0, rel=1e-6)


# ---- MAPE: 100 * mean(|t - p| / max(|t|, eps)), divided before it is multiplied ----------------------------
def test_mape_stays_finite_where_100_times_the_error_overflows() -> None:
    t = np.array([[1e37, 2e37]], "float32")
    p = np.array([[3e37, 1e37]], "float32")
    # keras.losses.mean_absolute_percentage_error(t, p), MeanAbsolutePercentageError()(t, p), and with
    # reduction="sum" on the row twice
    np.testing.assert_allclose(
        np.asarray(keras.losses.mean_absolute_percentage_error(t, p)), [125.00001525878906]
    )
    assert float(keras.losses.MeanAbsolutePercentageError()(t, p)) == 125.00001525878906
    loss = keras.losses.MeanAbsolutePercentageError(reduction="sum")
    assert float(loss(np.vstack([t, t]), np.vstack([p, p]))) == 250.00003051757812


def test_mape_ordinary_values_unchanged() -> None:
    t = np.array([[2.0, -4.0, 0.0], [1e-9, 3.0, 5.0]], "float32")
    p = np.array([[1.0, -1.0, 0.5], [0.0, 3.5, -5.0]], "float32")
    # keras.losses.mean_absolute_percentage_error(t, p)
    values = np.asarray(keras.losses.mean_absolute_percentage_error(t, p))
    np.testing.assert_allclose(values, [166666704.0, 72.55555725097656], rtol=1e-6)


# ---- names and dtype --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "snake"),
    # keras.src.utils.naming.to_snake_case(name)
    [
        ("MyMSELoss", "my_mse_loss"),
        ("HTTPError", "http_error"),
        ("AUCMetric", "auc_metric"),
        ("F1Score", "f1_score"),
        ("Dense2D", "dense2d"),
        ("MyLoss2", "my_loss2"),
        ("RMSprop", "rm_sprop"),
    ],
)
def test_to_snake_case_is_keras(name: str, snake: str) -> None:
    assert to_snake_case(name) == snake


def test_a_loss_subclass_is_named_as_keras_names_it() -> None:
    # class MyMSELoss(keras.losses.Loss) -> MyMSELoss().name, MyMSELoss().name: my_mse_loss, my_mse_loss_1
    # (a name of its own here, so that no other test has taken it)
    class KerasLiteNamesMyMSELoss(keras.losses.Loss):
        def call(self, y_true, y_pred):  # type: ignore[no-untyped-def]
            return np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2, axis=-1)

    first, second = KerasLiteNamesMyMSELoss(), KerasLiteNamesMyMSELoss()
    assert first.name == "keras_lite_names_my_mse_loss"
    assert second.name == "keras_lite_names_my_mse_loss_1"
    assert KerasLiteNamesMyMSELoss(name="x").name == "x"


def test_losses_have_keras_dtype() -> None:
    # MyMSELoss().dtype, keras.losses.MeanSquaredError().dtype, keras.losses.Hinge().dtype: "float32"
    for loss in (
        keras.losses.MeanSquaredError(),
        keras.losses.Hinge(),
        keras.losses.CategoricalCrossentropy(),
    ):
        assert loss.dtype == "float32"
    with pytest.raises(AttributeError):
        keras.losses.Huber().dtype = "float64"  # type: ignore[misc]


# ---- the focal crossentropies in keras.metrics ------------------------------------------------------------
def test_metrics_module_has_the_focal_functions() -> None:
    y = np.array([[0.0, 1.0], [1.0, 0.0]], "float32")
    q = np.array([[0.3, 0.7], [0.6, 0.4]], "float32")
    # keras.metrics.binary_focal_crossentropy(y, q), keras.metrics.categorical_focal_crossentropy(y, q)
    assert keras.metrics.binary_focal_crossentropy is keras.losses.binary_focal_crossentropy
    assert keras.metrics.categorical_focal_crossentropy is keras.losses.categorical_focal_crossentropy
    np.testing.assert_allclose(
        np.asarray(keras.metrics.binary_focal_crossentropy(y, q)),
        [0.032100748270750046, 0.08173207938671112],
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        np.asarray(keras.metrics.categorical_focal_crossentropy(y, q)),
        [0.008025187067687511, 0.02043301984667778],
        rtol=1e-5,
    )
    assert {"binary_focal_crossentropy", "categorical_focal_crossentropy"} <= set(keras.metrics.__all__)


def test_compiled_mape_past_float32_range_over_100_stays_finite_as_in_keras() -> None:
    # Keras 3.15.1 evaluated this model (predictions 3e37) at 112.50001525878906.
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.set_weights([np.zeros((2, 1), np.float32), np.array([3e37], np.float32)])
    model.compile("sgd", "mape")
    y = np.array([[1e37], [2e37], [1e37], [3e37]], np.float32)
    assert model.evaluate(np.ones((4, 2), np.float32), y, verbose=0) == pytest.approx(
        112.50001525878906, rel=1e-6
    )
