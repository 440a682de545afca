"""Differences a sweep of random training runs found against Keras 3.15.1 (TensorFlow backend), on both devices:
a model with no trainable weight takes no optimizer step (and warns), and a metric with one value per output
(``R2Score(class_aggregation=None)``, ``F1Score(average=None)``) logs a vector even for a one-unit output.
The golden values are what Keras 3.15.1 printed for the same models and data."""

from __future__ import annotations

import contextlib
import io
import warnings
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES, assert_same_values
from keras_lite import layers

X = (np.arange(30, dtype=np.float32).reshape(10, 3) - 12) / 10
Y = np.linspace(-1, 1, 30, dtype=np.float32).reshape(10, 3)
NO_WEIGHTS = "The model does not have any trainable weights."


def _untrainable_warnings(caught: list[warnings.WarningMessage]) -> list[warnings.WarningMessage]:
    return [w for w in caught if str(w.message) == NO_WEIGHTS]


class _CountingSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """A schedule written in Python that records each evaluation."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(self, step: Any) -> float:
        self.calls.append(int(step))
        return 0.1

    def get_config(self) -> dict[str, Any]:
        return {}


# ---- (a) a model with no trainable weight --------------------------------------------------------------------
@pytest.mark.parametrize("device", DEVICES)
def test_a_model_without_trainable_weights_takes_no_optimizer_step_and_warns(device: str) -> None:
    model = keras.Sequential([keras.Input((3,)), layers.Activation("relu")], device=device)
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, 1, 0.5)
    model.compile(keras.optimizers.Adam(schedule), "mse", metrics=["mae"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(X, Y, batch_size=4, epochs=2, verbose=0)
        first = _untrainable_warnings(caught)
        model.fit(X, Y, batch_size=4, epochs=1, verbose=0)
        again = _untrainable_warnings(caught)
    # Keras 3.15.1: {'loss': [0.30649426579475403, 0.30649426579475403], 'mae': [0.5100000500679016, ...]},
    # iterations 0 and the schedule's rate at step 0 (0.10000000149011612) after the fit.
    np.testing.assert_allclose(history.history["loss"], [0.30649426579475403] * 2, rtol=1e-6)
    np.testing.assert_allclose(history.history["mae"], [0.5100000500679016] * 2, rtol=1e-6)
    assert int(model.optimizer.iterations) == 0
    assert float(model.optimizer.learning_rate) == pytest.approx(0.10000000149011612, rel=1e-7)
    # Keras warns (a UserWarning) as it first traces its train step after compile: the next fit is silent,
    # and a fit after a new compile warns again. The warning points at the user's call.
    assert len(first) == 1 and first[0].category is UserWarning
    assert first[0].filename == __file__
    assert len(again) == 1
    model.compile(keras.optimizers.SGD(0.1), "mse")
    with pytest.warns(UserWarning, match="does not have any trainable weights"):
        model.fit(X, Y, batch_size=4, epochs=1, verbose=0)
    assert int(model.optimizer.iterations) == 0


def _frozen(kind: str, device: str) -> keras.Model:
    if kind == "layer":
        model = keras.Sequential(
            [keras.Input((3,)), layers.Dense(3, kernel_initializer="ones", trainable=False)], device=device
        )
    elif kind == "model":
        model = keras.Sequential(
            [keras.Input((3,)), layers.Dense(3, kernel_initializer="ones")], device=device
        )
        model.trainable = False
    else:  # no trainable weight, but moving statistics that training updates
        norm = layers.BatchNormalization(center=False, scale=False, momentum=0.5)
        model = keras.Sequential([keras.Input((3,)), norm], device=device)
    return model


@pytest.mark.parametrize("kind", ["layer", "model", "batch_norm"])
@pytest.mark.parametrize("device", DEVICES)
def test_every_training_path_leaves_a_frozen_models_optimizer_alone(device: str, kind: str) -> None:
    model = _frozen(kind, device)
    schedule = _CountingSchedule()
    model.compile(keras.optimizers.SGD(schedule), "mse")
    before = [w.copy() for w in model.get_weights()]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, Y, batch_size=4, epochs=2, verbose=0)
        model.train_on_batch(X, Y)
        model.fit(((X[i : i + 5], Y[i : i + 5]) for i in (0, 5)), epochs=1, verbose=0)
        model.fit(X, Y, batch_size=5, steps_per_epoch=2, epochs=1, verbose=0)
    assert len(_untrainable_warnings(caught)) == 1  # once per compile
    assert int(model.optimizer.iterations) == 0
    assert schedule.calls == []  # Keras 3.15.1 never evaluates the schedule: no optimizer step runs
    if kind != "batch_norm":
        for got, want in zip(model.get_weights(), before):
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("device", DEVICES)
def test_train_on_batch_of_a_frozen_model_still_updates_moving_statistics(device: str) -> None:
    model = _frozen("batch_norm", device)
    model.compile(keras.optimizers.SGD(_CountingSchedule()), "mse")
    with pytest.warns(UserWarning, match="does not have any trainable weights"):
        first = model.train_on_batch(X, Y)
    second = model.train_on_batch(X, Y)
    # Keras 3.15.1: both steps' loss 0.16724619269371033; moving mean [0.1125, 0.1875, 0.2625] and
    # variance [0.806875] * 3 after the two steps; iterations 0.
    np.testing.assert_allclose([first, second], [0.16724619269371033] * 2, rtol=1e-6)
    mean, var = model.get_weights()
    np.testing.assert_allclose(mean, [0.11250000447034836, 0.1875, 0.26249998807907104], rtol=1e-6)
    np.testing.assert_allclose(var, [0.8068749904632568] * 3, rtol=1e-6)
    assert int(model.optimizer.iterations) == 0


@pytest.mark.parametrize("device", DEVICES)
def test_dropout_of_a_frozen_model_still_draws_afresh_at_each_step(device: str) -> None:
    """With no optimizer step the step count stays; dropout's draws then follow the fit's steps, so a frozen
    model's masks are those a trainable one at the same step count draws (and the same on both devices)."""

    def losses(trainable: bool) -> list[float]:
        dense = layers.Dense(3, kernel_initializer="ones", trainable=trainable)
        model = keras.Sequential([keras.Input((3,)), layers.Dropout(0.5, seed=1), dense], device=device)
        model.compile(keras.optimizers.SGD(0.0), "mse")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return list(model.fit(X, Y, batch_size=5, epochs=3, verbose=0, shuffle=False).history["loss"])

    frozen = losses(False)
    assert len(set(frozen)) > 1
    assert_same_values(device, frozen, losses(True))


# ---- (b) one value per output: a vector, even of one ---------------------------------------------------------
# Keras 3.15.1, Dense(units, kernel_initializer="ones"), SGD(0.01), "mse",
# fit(X, Y[:, :units], batch_size=4, epochs=2, shuffle=False, validation_data=(X, Y[:, :units])).
GOLDEN_R2 = {
    1: {
        "loss": [4.336750030517578, 2.8427834510803223],
        "r2_score": [[-11.280157089233398], [-7.049766540527344]],
        "val_loss": [3.0371627807617188, 1.9936599731445312],
        "val_r2_score": [[-7.600180625915527], [-4.645346641540527]],
    },
    3: {
        "loss": [4.430472373962402, 3.8745429515838623],
        "r2_score": [
            [-11.835150718688965, -11.536604881286621, -11.264883995056152],
            [-10.214105606079102, -9.962876319885254, -9.737067222595215],
        ],
        "val_loss": [3.960524320602417, 3.4642136096954346],
        "val_r2_score": [
            [-10.46432876586914, -10.206315040588379, -9.9738130569458],
            [-9.017537117004395, -8.801366806030273, -8.609414100646973],
        ],
    },
}


class _Logs(keras.callbacks.Callback):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[dict[str, Any]] = []

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        self.seen.append(dict(logs))

    def on_test_batch_end(self, batch: int, logs: Any = None) -> None:
        self.seen.append(dict(logs))

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self.seen.append(dict(logs))


def _is_vector(value: Any, size: int) -> bool:
    return isinstance(value, np.ndarray) and value.dtype == np.float32 and value.shape == (size,)


@pytest.mark.parametrize("units", [1, 3])
@pytest.mark.parametrize("device", DEVICES)
def test_r2_score_per_output_logs_a_float32_vector(device: str, units: int) -> None:
    y = Y[:, :units]
    model = keras.Sequential(
        [keras.Input((3,)), layers.Dense(units, kernel_initializer="ones")], device=device
    )
    model.compile(keras.optimizers.SGD(0.01), "mse", metrics=[keras.metrics.R2Score(class_aggregation=None)])
    logs = _Logs()
    history = model.fit(
        X, y, batch_size=4, epochs=2, shuffle=False, validation_data=(X, y), callbacks=[logs], verbose=0
    )
    # Keras 3.15.1: every log of the metric (History, batch and epoch hooks, evaluate, the on-batch calls)
    # is a float32 array of one value per output; the loss a float.
    for name, want in GOLDEN_R2[units].items():
        got = history.history[name]
        if "r2" in name:
            assert all(_is_vector(v, units) for v in got)
        else:
            assert all(type(v) is float for v in got)
        np.testing.assert_allclose(np.array(got, dtype=np.float64), want, rtol=2e-6)
    assert all(_is_vector(seen["r2_score"], units) for seen in logs.seen)
    result = model.evaluate(X, y, return_dict=True, verbose=0)
    assert _is_vector(result["r2_score"], units) and type(result["loss"]) is float
    np.testing.assert_allclose(result["r2_score"], GOLDEN_R2[units]["val_r2_score"][1], rtol=2e-6)
    loss, r2 = model.evaluate(X, y, verbose=0)
    assert type(loss) is float and _is_vector(r2, units)
    assert _is_vector(model.test_on_batch(X, y, return_dict=True)["r2_score"], units)
    assert _is_vector(model.train_on_batch(X, y)[1], units)
    # The progress bar shows the vector's mean, as Keras's does (Keras 3.15.1 printed "loss: 1.9937 -
    # r2_score: -4.6453e+00" and "loss: 3.4642 - r2_score: -8.8094e+00": verbose=2 writes a negative mean in
    # the e-format, as keras_lite now does).
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.evaluate(X, y, verbose=2)
    mean = f"{float(np.mean(model.evaluate(X, y, return_dict=True, verbose=0)['r2_score'])):.4e}"
    assert f"r2_score: {mean}" in out.getvalue()


@pytest.mark.parametrize("device", DEVICES)
def test_per_output_f1_is_a_vector_and_one_threshold_a_float(device: str) -> None:
    yb = (np.arange(10) % 3 == 0).astype(np.float32).reshape(10, 1)
    dense = layers.Dense(1, activation="sigmoid", kernel_initializer="ones")
    model = keras.Sequential([keras.Input((3,)), dense], device=device)
    metrics = [
        keras.metrics.F1Score(average=None),
        keras.metrics.Precision(thresholds=[0.5]),
        keras.metrics.FBetaScore(average="macro", beta=2.0),
    ]
    model.compile("sgd", "binary_crossentropy", metrics=metrics)
    result = model.evaluate(X, yb, return_dict=True, verbose=0)
    # Keras 3.15.1: {'f1_score': array([0.5714285], dtype=float32), 'fbeta_score': 0.7692307829856873,
    # 'loss': 1.4071937799453735, 'precision': 0.3333333432674408}
    assert _is_vector(result["f1_score"], 1)
    assert all(type(result[k]) is float for k in ("fbeta_score", "loss", "precision"))
    np.testing.assert_allclose(result["f1_score"], [0.5714285373687744], rtol=1e-6)
    np.testing.assert_allclose(
        [result["fbeta_score"], result["loss"], result["precision"]],
        [0.7692307829856873, 1.4071937799453735, 0.3333333432674408],
        rtol=1e-6,
    )


def test_callbacks_treat_a_one_value_vector_as_keras_does(tmp_path: Any) -> None:
    """Keras 3.15.1 with ``R2Score(class_aggregation=None)`` on one output: ``ModelCheckpoint(save_best_only=
    True)`` monitoring it warns and saves every epoch; ``TensorBoard`` refuses it (``ValueError: Expected
    scalar shape, saw shape: (1,).``); ``EarlyStopping``, ``ReduceLROnPlateau`` and ``CSVLogger`` take it."""

    def model() -> keras.Model:
        m = keras.Sequential([keras.Input((3,)), layers.Dense(1, kernel_initializer="ones")])
        m.compile(keras.optimizers.SGD(0.01), "mse", metrics=[keras.metrics.R2Score(class_aggregation=None)])
        return m

    y = Y[:, :1]
    path = str(tmp_path / "m.weights.h5")
    checkpoint = keras.callbacks.ModelCheckpoint(
        path, save_weights_only=True, monitor="val_r2_score", save_best_only=True
    )
    with pytest.warns(
        UserWarning, match=r"Can save best model only when `monitor` is a scalar value. Received: \["
    ):
        model().fit(X, y, epochs=2, verbose=0, validation_data=(X, y), callbacks=[checkpoint])
    assert (tmp_path / "m.weights.h5").exists()
    others = [
        keras.callbacks.EarlyStopping(monitor="r2_score", patience=0),
        keras.callbacks.ReduceLROnPlateau(monitor="r2_score", patience=0),
        keras.callbacks.CSVLogger(str(tmp_path / "log.csv")),
    ]
    model().fit(X, y, epochs=2, verbose=0, callbacks=others)
    with pytest.raises(ValueError, match=r"Expected scalar shape, saw shape: \(1,\)"):
        model().fit(X, y, epochs=1, verbose=0, callbacks=[keras.callbacks.TensorBoard(str(tmp_path / "tb"))])
