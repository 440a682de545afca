"""Cases kept from a randomized sweep of the GPU backend against the CPU backend: the same model, data and
callbacks, from the same starting weights, on each device, must give the same history, the same logs at every
batch, the same final weights, the same evaluation and predictions, and an optimizer state that carries on the
same way after a save and a load (on the other device too).

The sweep varied the layers (every activation, the normalizations, Dropout and the noise layers with seeds,
merges, Flatten), the losses and their arguments, the stateful metrics, the optimizers with clipping, weight
decay and schedules, regularizers, constraints, sample and class weights, validation, streamed data and
callbacks; the cases below are a fixed selection of those that agree. Each runs on the CPU as the reference and
on the device under test; on the CPU itself the two runs must be identical (the seeded runs repeat bit for
bit). On a GPU the results agree within float32 rounding carried through a few training steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES, GPU_SKIP
from keras_lite import layers


def _assert_agrees(device: str, got: Any, want: Any, what: str) -> None:
    got_a, want_a = np.asarray(got, np.float64), np.asarray(want, np.float64)
    assert got_a.shape == want_a.shape, what
    if device == "cpu":
        np.testing.assert_array_equal(got_a, want_a, err_msg=what)
    else:
        # A few training steps carry the float32 rounding of each (the GPU may fuse a multiply-add) onward.
        np.testing.assert_allclose(got_a, want_a, rtol=1e-4, atol=1e-5, err_msg=what)


def _assert_same_run(device: str, got: dict[str, Any], want: dict[str, Any]) -> None:
    assert sorted(got) == sorted(want)
    for key, value in want.items():
        if isinstance(value, dict):
            assert list(got[key]) == list(value), key  # Keras's key order
            for name in value:
                _assert_agrees(device, got[key][name], value[name], f"{key}[{name}]")
        elif isinstance(value, list) and value and isinstance(value[0], tuple):
            assert [entry[:2] for entry in got[key]] == [entry[:2] for entry in value], key
            for (hook, step, logs), (_, _, want_logs) in zip(got[key], value):
                assert list(logs) == list(want_logs), (key, hook, step)
                for name in want_logs:
                    _assert_agrees(device, logs[name], want_logs[name], f"{key} {hook} {step} {name}")
        elif isinstance(value, list) and value and isinstance(value[0], np.ndarray):
            assert len(got[key]) == len(value), key
            for i, (a, b) in enumerate(zip(got[key], value)):
                _assert_agrees(device, a, b, f"{key}[{i}]")
        else:
            _assert_agrees(device, got[key], value, key)


class _Recorder(keras.callbacks.Callback):
    """Records the logs of every batch and epoch, and the learning rate each epoch ends with."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, int, dict[str, float]]] = []
        self.rates: list[float] = []

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.seen.append(("train", batch, dict(logs or {})))

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.seen.append(("test", batch, dict(logs or {})))

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.seen.append(("epoch", epoch, dict(logs or {})))
        self.rates.append(float(self.model.optimizer.learning_rate))


class _Meddler(keras.callbacks.Callback):
    """Halves the weights at a training batch of the second epoch, stops a validation pass after its first
    batch, and stops the training at a batch of the fourth epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.epoch = 0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.epoch == 1 and batch == 1:
            self.model.set_weights([w * 0.5 for w in self.model.get_weights()])
        if self.epoch == 3 and batch == 2:
            self.model.stop_training = True

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.epoch == 2:
            self.model.stop_evaluating = True


class _Batches(keras.utils.PyDataset):
    def __init__(self, x: np.ndarray, y: np.ndarray, batch_size: int) -> None:
        super().__init__()
        self.x, self.y, self.batch_size = x, y, batch_size

    def __len__(self) -> int:
        return -(-len(self.y) // self.batch_size)

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        part = slice(i * self.batch_size, (i + 1) * self.batch_size)
        return self.x[part], self.y[part]


def _batches_forever(
    x: np.ndarray, y: np.ndarray, batch_size: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    while True:
        for i in range(0, len(y), batch_size):
            yield x[i : i + batch_size], y[i : i + batch_size]


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _merge_bn_dropout(device: str, tmp: Path) -> tuple[keras.Model, dict[str, Any], Any]:
    # A Functional model of two inputs, merged, with BatchNormalization and a seeded Dropout; label smoothing,
    # stateful metrics, Nesterov momentum with clipping, sample weights, a split that the batches do not divide.
    a, b = keras.Input((4,), name="a"), keras.Input((5,), name="b")
    h = layers.Average()([layers.Dense(6, activation="elu")(a), layers.Dense(6, activation="selu")(b)])
    h = layers.Dropout(0.3, seed=3)(layers.BatchNormalization(momentum=0.9)(h))
    model = keras.Model([a, b], layers.Dense(3, activation="softmax")(h), device=device)
    model.compile(
        optimizer=keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True, clipnorm=0.5),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1),
        metrics=[
            "categorical_accuracy",
            keras.metrics.TopKCategoricalAccuracy(k=2),
            keras.metrics.AUC(multi_label=True, num_thresholds=9),
        ],
    )
    rng = _rng(1)
    x = [rng.normal(size=(40, 4)).astype(np.float32), rng.normal(size=(40, 5)).astype(np.float32)]
    y = np.eye(3, dtype=np.float32)[(np.abs(x[0].sum(1) + x[1].sum(1)) * 2).astype(int) % 3]
    weights = rng.uniform(0.2, 2.0, 40).astype(np.float32)
    fit = {"x": x, "y": y, "sample_weight": weights, "batch_size": 7, "epochs": 3, "validation_split": 0.25}
    return model, fit, (x, y)


def _regularized_schedule(device: str, tmp: Path) -> tuple[keras.Model, dict[str, Any], Any]:
    # Regularizers, constraints, a frozen layer, LayerNormalization, a warmup-and-cosine schedule with weight
    # decay and global clipping, Huber's delta, regression metrics, validation data with sample weights.
    frozen = layers.Dense(5, activation="softplus", bias_constraint=keras.constraints.NonNeg())
    frozen.trainable = False
    reg = keras.regularizers.L1L2(0.01, 0.01)
    model = keras.Sequential(
        [
            keras.Input((6,)),
            layers.Dense(
                8, activation="gelu", kernel_regularizer=reg, kernel_constraint=keras.constraints.MaxNorm(1.0)
            ),
            layers.LayerNormalization(),
            frozen,
            layers.Dense(2, activation="linear", activity_regularizer=keras.regularizers.L2(0.02)),
        ],
        device=device,
    )
    schedule = keras.optimizers.schedules.CosineDecay(0.01, 12, warmup_target=0.02, warmup_steps=3)
    model.compile(
        optimizer=keras.optimizers.SGD(schedule, momentum=0.5, weight_decay=0.004, global_clipnorm=1.0),
        loss=keras.losses.Huber(delta=0.5),
        metrics=["mae", keras.metrics.RootMeanSquaredError(), keras.metrics.R2Score()],
    )
    rng = _rng(2)
    x = rng.normal(size=(30, 6)).astype(np.float32)
    y = np.stack([np.sin(x.sum(1)), np.cos(x[:, 0])], axis=1).astype(np.float32)
    vx = rng.normal(size=(11, 6)).astype(np.float32)
    vy = np.stack([np.sin(vx.sum(1)), np.cos(vx[:, 0])], axis=1).astype(np.float32)
    valid = (vx, vy, np.linspace(0.5, 1.5, 11).astype(np.float32))
    fit = {"x": x, "y": y, "batch_size": 8, "epochs": 3, "validation_data": valid, "shuffle": True}
    return model, fit, (vx, vy)


def _stream_class_weight(device: str, tmp: Path) -> tuple[keras.Model, dict[str, Any], Any]:
    # A PyDataset for training and validation, class weights, a seeded GaussianNoise, focal crossentropy with
    # class balancing, the confusion metrics over thresholds, centered RMSprop with momentum.
    model = keras.Sequential(
        [
            keras.Input((3,)),
            layers.Dense(5, activation="mish"),
            layers.GaussianNoise(0.2, seed=1),
            layers.Dense(1, activation="sigmoid"),
        ],
        device=device,
    )
    model.compile(
        optimizer=keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
        loss=keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, alpha=0.3),
        metrics=[
            keras.metrics.AUC(num_thresholds=17),
            "precision",
            keras.metrics.Recall(thresholds=[0.3, 0.6]),
            keras.metrics.F1Score(threshold=0.5),
        ],
    )
    rng = _rng(3)
    x = rng.normal(size=(37, 3)).astype(np.float32)
    y = (x.sum(1, keepdims=True) > 0).astype(np.float32)
    vx = rng.normal(size=(13, 3)).astype(np.float32)
    vy = (vx.sum(1, keepdims=True) > 0).astype(np.float32)
    fit = {
        "x": _Batches(x, y, 8),
        "epochs": 3,
        "class_weight": {0: 1.0, 1: 2.0},
        "validation_data": _Batches(vx, vy, 5),
    }
    return model, fit, (vx, vy)


def _generator_steps(device: str, tmp: Path) -> tuple[keras.Model, dict[str, Any], Any]:
    # Images flattened on the way in, a generator read for a fixed number of steps per epoch, class-id
    # targets with sparse metrics, Adagrad with clipped values, ReduceLROnPlateau and LearningRateScheduler.
    model = keras.Sequential(
        [
            keras.Input((2, 3)),
            layers.Flatten(),
            layers.Dense(6, activation="hard_silu"),
            layers.Dense(4, activation="softmax"),
        ],
        device=device,
    )
    model.compile(
        optimizer=keras.optimizers.Adagrad(0.1, clipvalue=0.2),
        loss="sparse_categorical_crossentropy",
        metrics=["sparse_categorical_accuracy", keras.metrics.SparseTopKCategoricalAccuracy(k=2)],
    )
    rng = _rng(4)
    x = rng.normal(size=(26, 2, 3)).astype(np.float32)
    y = (np.abs(x.sum((1, 2))) * 2).astype(np.int64) % 4
    callbacks = [
        keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, min_delta=10.0),
        keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.9),
    ]
    fit = {
        "x": _batches_forever(x, y.astype(np.float32), 6),
        "steps_per_epoch": 3,
        "epochs": 4,
        "validation_data": (x[:9], y[:9]),
        "callbacks": callbacks,
        "shuffle": False,
    }
    return model, fit, (x, y)


def _meddling_callbacks(device: str, tmp: Path) -> tuple[keras.Model, dict[str, Any], Any]:
    # Callbacks that act on the model mid-fit: weights set at a batch, a validation pass stopped, the training
    # stopped at a batch; EarlyStopping restoring its best weights and ModelCheckpoint keeping the best.
    model = keras.Sequential(
        [keras.Input((4,)), layers.Dense(6, activation="tanh"), layers.Dense(1)],
        device=device,
    )
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss="mse", metrics=["mae"])
    rng = _rng(5)
    x = rng.normal(size=(35, 4)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5], [0.0]], np.float32) + 0.3).astype(np.float32)
    callbacks = [
        _Meddler(),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True),
        keras.callbacks.ModelCheckpoint(
            str(tmp / f"best_{device}.weights.h5"),
            monitor="val_loss",
            save_best_only=True,
            save_weights_only=True,
        ),
    ]
    fit = {"x": x, "y": y, "batch_size": 5, "epochs": 6, "validation_split": 0.3, "callbacks": callbacks}
    return model, fit, (x, y)


def _wide_softmax(device: str, tmp: Path) -> tuple[keras.Model, dict[str, Any], Any]:
    # Widths and batches past a GPU workgroup's 256 lanes: 257 classes, batches of 300 rows of 700 (the last
    # of 100), a Dense of 260 units; class-id targets, a crossentropy metric from the softmax's logits.
    model = keras.Sequential(
        [
            keras.Input((40,)),
            layers.Dense(260, activation="relu"),
            layers.Dense(257, activation="softmax"),
        ],
        device=device,
    )
    model.compile(
        optimizer=keras.optimizers.SGD(0.1, momentum=0.9),
        loss="sparse_categorical_crossentropy",
        metrics=[keras.metrics.SparseCategoricalCrossentropy()],
    )
    rng = _rng(7)
    x = rng.normal(size=(700, 40)).astype(np.float32)
    y = (np.abs(x[:, :5].sum(1)) * 60).astype(np.int64) % 257
    fit = {"x": x, "y": y, "batch_size": 300, "epochs": 2, "validation_split": 0.2}
    return model, fit, (x[:50], y[:50])


CASES: dict[str, Callable[[str, Path], tuple[keras.Model, dict[str, Any], Any]]] = {
    "merge_bn_dropout": _merge_bn_dropout,
    "regularized_schedule": _regularized_schedule,
    "stream_class_weight": _stream_class_weight,
    "generator_steps": _generator_steps,
    "meddling_callbacks": _meddling_callbacks,
    "wide_softmax": _wide_softmax,
}


def _run(case: str, device: str, tmp: Path) -> dict[str, Any]:
    keras.backend.clear_session()
    keras.utils.set_random_seed(11)
    model, fit, (vx, vy) = CASES[case](device, tmp)
    assert model.device == device
    recorder = _Recorder()
    fit["callbacks"] = [*fit.get("callbacks", []), recorder]
    history = model.fit(verbose=0, **fit).history
    run: dict[str, Any] = {
        "history": history,
        "seen": recorder.seen,
        "rates": recorder.rates,
        "weights": model.get_weights(),
        "evaluate": model.evaluate(vx, vy, batch_size=4, verbose=0, return_dict=True),
        "predict": model.predict(vx, batch_size=3, verbose=0),
    }
    best = tmp / f"best_{device}.weights.h5"
    if best.exists():
        model.load_weights(best)
        run["checkpoint"] = model.get_weights()
    return run


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("device", DEVICES)
def test_generated_case_agrees_with_the_cpu(device: str, case: str, tmp_path: Path) -> None:
    want = _run(case, "cpu", tmp_path)
    got = _run(case, device, tmp_path)
    _assert_same_run(device, got, want)


def _continued(first: str, second: str, tmp: Path) -> dict[str, Any]:
    """Two epochs on ``first``, saved to a .keras file, loaded, one more epoch on ``second``."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(12)
    model = keras.Sequential(
        [
            keras.Input((5,)),
            layers.Dense(7, activation="swish"),
            layers.BatchNormalization(),
            layers.Dense(2),
        ],
        device=first,
    )
    schedule = keras.optimizers.schedules.ExponentialDecay(0.01, 4, 0.7)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule, amsgrad=True), loss="mse", metrics=[keras.metrics.R2Score()]
    )
    rng = _rng(6)
    x = rng.normal(size=(29, 5)).astype(np.float32)
    y = np.stack([x[:, 0] * x[:, 1], np.tanh(x.sum(1))], axis=1).astype(np.float32)
    first_history = model.fit(x, y, batch_size=6, epochs=2, shuffle=False, verbose=0).history
    path = tmp / f"from_{first}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path).to(second)
    assert loaded.device == second
    second_history = loaded.fit(x, y, batch_size=6, epochs=1, shuffle=False, verbose=0).history
    return {
        "history": {**{f"first_{k}": v for k, v in first_history.items()}, **second_history},
        "iterations": [int(loaded.optimizer.iterations)],
        "weights": loaded.get_weights(),
        "predict": loaded.predict(x, verbose=0),
    }


@pytest.mark.parametrize("device", DEVICES)
def test_saved_on_one_device_training_goes_on_on_the_other(device: str, tmp_path: Path) -> None:
    # The optimizer's moments, its step count (the schedule's position) and the moving statistics travel in
    # the file: training saved on one device and continued on the other is the CPU's uninterrupted run.
    other = "cpu" if device == "gpu" or GPU_SKIP is not None else "gpu"
    want = _continued("cpu", "cpu", tmp_path)
    got = _continued(device, other, tmp_path)
    assert want["iterations"] == [15]  # 5 batches of 6 rows (the last of 5) a epoch, three epochs
    _assert_same_run("cpu" if device == other == "cpu" else "gpu", got, want)


class _HalveAfterFirstBatch(keras.callbacks.Callback):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[list[float]] = []

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.seen.append([logs["loss"], logs["mae"]])  # type: ignore[index]
        if batch == 0:
            self.model.set_weights([w * 0.5 for w in self.model.get_weights()])


@pytest.mark.parametrize("device", DEVICES)
def test_weights_set_by_a_test_batch_hook_reach_the_later_batches_of_evaluate(device: str) -> None:
    # Keras evaluates a batch at a time, each with the weights the hooks before it left. The GPU evaluated an
    # array pass whole and replayed the hooks, so the halved weights reached none of the later batches.
    x = np.linspace(-1, 1, 40, dtype=np.float32).reshape(20, 2)
    y = x.sum(axis=1, keepdims=True) * 2 + np.arange(20, dtype=np.float32).reshape(20, 1) / 10
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1, kernel_initializer="ones")], device=device)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    hook = _HalveAfterFirstBatch()
    result = model.evaluate(x, y, batch_size=6, callbacks=[hook], verbose=0, return_dict=True)
    # Keras 3.15.1 printed these (the running loss and mae after each of the 4 batches, then the result).
    want_seen = [[1.6779, 1.1859], [1.22839, 0.95513], [3.95749, 1.63291], [5.69963, 1.93154]]
    np.testing.assert_allclose(hook.seen, want_seen, atol=1e-5)
    assert list(result) == ["loss", "mae"]
    np.testing.assert_allclose([result["loss"], result["mae"]], [5.69963, 1.93154], atol=1e-5)
