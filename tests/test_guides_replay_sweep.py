"""keras.io's developer guides, their dense-network parts, replayed against Keras 3.15.1.

"The Sequential model", "The Functional API", "Training & evaluation with the built-in methods", "Writing your
own callbacks", "Serialization & saving" and "Transfer learning & fine-tuning": each replay below is a guide's
code on small generated data of the guide's kind. A replay takes the library as an argument, so the very same
code ran under Keras 3.15.1 (TensorFlow 2.21 backend) to make the goldens: every Dense kernel is given the same
seeded values and training runs with ``shuffle=False``, so histories, evaluations, predictions, summaries,
weight counts, files, printed lines and messages must agree. Each ``GOLDEN_*`` dict is what Keras 3.15.1
returned (floats rounded to 5 decimals, printed times as ``T``); keras_lite's must equal it within float32
rounding. What the guides use that keras_lite lacks (convolutions, recurrent layers, layer subclasses with
their own ``call``, ``train_step``, ``keras.ops``, custom losses, metrics and activations, several outputs)
is checked at the end to be refused with a message naming it.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import keras_lite
from replay import assert_matches, error_text, plain
from replay import seed_dense_kernels as _seed


def _printed(call: Callable[[], Any], folder: str = "") -> tuple[Any, str]:
    """``call()``'s result and what it printed, times as ``T`` and the temporary folder as ``<dir>``."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = call()
    text = out.getvalue().replace(folder, "<dir>") if folder else out.getvalue()
    text = re.sub(r"(?<![\d.])\d+(ms|us|s)\b", "T", text)
    # A progress bar's backspaces and padding follow the width of the times it printed before.
    return result, re.sub(r" +\n", "\n", re.sub("\b+", "<bs>", text))


def _summary(model: Any) -> str:
    return _printed(lambda: model.summary(line_length=80))[1]


def _raises(kind: type, call: Callable[[], Any]) -> bool:
    try:
        call()
    except kind:
        return True
    return False


def _builtin_error_text(call: Callable[[], Any]) -> str:
    """As ``error_text``, under the first built-in class the error is (keras_lite's ``NotCompiledError`` is the
    ``ValueError`` Keras raises)."""
    try:
        call()
    except Exception as e:  # noqa: BLE001 - the class and message are what is compared
        builtin = next(c for c in type(e).__mro__ if c.__module__ == "builtins")
        return f"{builtin.__name__}: {e}"
    return "no error"


def _counts(layer: Any) -> list[int]:
    return [len(layer.weights), len(layer.trainable_weights), len(layer.non_trainable_weights)]


# ---- "The Sequential model" ---------------------------------------------------------------------------------------
def sequential_guide(keras: ModuleType, folder: str) -> dict[str, Any]:
    keras.backend.clear_session()
    layers = keras.layers
    out: dict[str, Any] = {}
    model = keras.Sequential(
        [
            layers.Dense(2, activation="relu", name="layer1"),
            layers.Dense(3, activation="relu", name="layer2"),
            layers.Dense(4, name="layer3"),
        ]
    )
    out["unbuilt_weights"] = len(model.weights)
    out["unbuilt_errors"] = [
        error_text(lambda: model.input_shape),
        error_text(lambda: model.output_shape),
        error_text(model.count_params),
        error_text(lambda: keras.Sequential(name="empty").build((None, 4))),
    ]
    out["unbuilt_summary"] = _summary(model)
    x = np.ones((3, 3), dtype="float32")
    model(x)
    _seed(model, 1)
    out["called"] = model(x)
    out["layers"] = [layer.name for layer in model.layers]

    model = keras.Sequential()
    model.add(layers.Dense(2, activation="relu"))
    model.add(layers.Dense(3, activation="relu"))
    model.add(layers.Dense(4))
    model.pop()
    out["after_pop"] = [layer.name for layer in model.layers]
    out["named"] = keras.Sequential(name="my_sequential").name

    layer = layers.Dense(3)
    out["layer_weights_unbuilt"] = len(layer.weights)
    layer(np.ones((1, 4), dtype="float32"))
    out["layer_weights_built"] = [list(w.shape) for w in layer.weights]

    model = keras.Sequential([layers.Dense(2, activation="relu"), layers.Dense(3), layers.Dense(4)])
    model.build((None, 4))
    out["built_weights"] = [list(w.shape) for w in model.weights]
    out["built_summary"] = _summary(model)

    model = keras.Sequential()
    model.add(keras.Input(shape=(16,)))
    model.add(layers.Dense(8, activation="relu"))
    out["with_input_layers"] = [layer.name for layer in model.layers]
    out["stage_1"] = _summary(model)
    model.add(layers.Dense(6, activation="relu"))
    model.add(layers.Dense(4, activation="relu"))
    out["stage_2"] = _summary(model)
    model.add(layers.Dense(2))
    out["output_shape"] = list(model.output_shape)

    initial = keras.Sequential(
        [
            keras.Input(shape=(16,)),
            layers.Dense(8, activation="relu"),
            layers.Dense(6, activation="relu", name="my_intermediate_layer"),
            layers.Dense(4, activation="relu"),
        ]
    )
    _seed(initial, 2)
    extractor = keras.Model(
        inputs=initial.inputs, outputs=initial.get_layer(name="my_intermediate_layer").output
    )
    features = np.random.RandomState(3).normal(size=(2, 16)).astype("float32")
    out["features"] = extractor(features)
    out["extractor_layers"] = [layer.name for layer in extractor.layers]

    base = keras.Sequential([keras.Input(shape=(16,)), layers.Dense(8), layers.Dense(6), layers.Dense(4)])
    for layer in base.layers[:-1]:
        layer.trainable = False
    base.compile(optimizer="adam", loss="mse")
    _seed(base, 4)
    before = base.get_weights()
    base.fit(features, np.zeros((2, 4)), epochs=1, verbose=0, shuffle=False)
    after = base.get_weights()
    out["frozen_unchanged"] = [bool(np.array_equal(a, b)) for a, b in zip(before, after)]
    out["frozen_summary"] = _summary(base)
    return plain(out)


# ---- "The Functional API" -----------------------------------------------------------------------------------------
def functional_guide(keras: ModuleType, folder: str) -> dict[str, Any]:
    keras.backend.clear_session()
    layers = keras.layers
    out: dict[str, Any] = {}
    inputs = keras.Input(shape=(20,))
    out["input"] = [list(inputs.shape), str(inputs.dtype)]
    dense = layers.Dense(16, activation="relu")
    x = dense(inputs)
    x = layers.Dense(16, activation="relu")(x)
    outputs = layers.Dense(4)(x)
    model = keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")
    _seed(model, 5)
    out["summary"] = _summary(model)

    rng = np.random.RandomState(6)
    x_train = rng.normal(size=(80, 20)).astype("float32")
    y_train = np.argmax(x_train[:, :4] + 0.3 * rng.normal(size=(80, 4)), axis=1)
    x_test, y_test = x_train[:20] * 0.9, y_train[:20]
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.RMSprop(),
        metrics=["accuracy"],
    )
    history = model.fit(
        x_train, y_train, batch_size=16, epochs=2, validation_split=0.2, verbose=0, shuffle=False
    )
    out["history"] = history.history
    scores, out["evaluate_printed"] = _printed(lambda: model.evaluate(x_test, y_test, verbose=2))
    out["scores"] = scores
    path = os.path.join(folder, "my_model.keras")
    model.save(path)
    del model
    model = keras.models.load_model(path)
    out["reloaded"] = [model.name, model.predict(x_test[:2], verbose=0)]

    # all models are callable: an autoencoder of an encoder and a decoder
    encoder_input = keras.Input(shape=(20,), name="original")
    encoder_output = layers.Dense(3, activation="relu")(layers.Dense(8, activation="relu")(encoder_input))
    encoder = keras.Model(encoder_input, encoder_output, name="encoder")
    decoder_input = keras.Input(shape=(3,), name="encoded")
    decoder_output = layers.Dense(20)(layers.Dense(8, activation="relu")(decoder_input))
    decoder = keras.Model(decoder_input, decoder_output, name="decoder")
    autoencoder_input = keras.Input(shape=(20,), name="img")
    autoencoder = keras.Model(autoencoder_input, decoder(encoder(autoencoder_input)), name="autoencoder")
    _seed(autoencoder, 7)
    out["autoencoder_summary"] = _summary(autoencoder)
    autoencoder.compile(optimizer="adam", loss="mse")
    out["autoencoder_history"] = autoencoder.fit(
        x_train, x_train, batch_size=20, epochs=2, verbose=0, shuffle=False
    ).history
    out["encoded"] = encoder.predict(x_test[:2], verbose=0)

    # an ensemble of models averaged
    def get_model() -> Any:
        inputs = keras.Input(shape=(20,))
        return keras.Model(inputs, layers.Dense(1)(inputs))

    model1, model2, model3 = get_model(), get_model(), get_model()
    inputs = keras.Input(shape=(20,))
    ensemble = keras.Model(inputs, layers.average([model1(inputs), model2(inputs), model3(inputs)]))
    _seed(ensemble, 8)
    out["ensemble_summary"] = _summary(ensemble)
    out["ensemble"] = ensemble.predict(x_test[:3], verbose=0)

    # intermediate outputs by name, and a model over part of another's graph
    named = keras.Model(inputs=encoder.input, outputs=encoder.get_layer(index=1).output)
    out["intermediate"] = [named.output.shape, named.predict(x_test[:1], verbose=0)]
    out["layer_names"] = [layer.name for layer in autoencoder.layers]
    out["config_keys"] = list(autoencoder.get_config())
    rebuilt = keras.Model.from_config(autoencoder.get_config())
    out["from_config_layers"] = [layer.name for layer in rebuilt.layers]
    return plain(out)


# ---- "Training & evaluation with the built-in methods" -------------------------------------------------------------
def _digits(keras: ModuleType, name: str = "digits") -> Any:
    layers = keras.layers
    inputs = keras.Input(shape=(12,), name=name)
    x = layers.Dense(16, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(16, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(5, activation="softmax", name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    _seed(model, 9)
    return model


def training_guide(keras: ModuleType, folder: str) -> dict[str, Any]:
    keras.backend.clear_session()
    out: dict[str, Any] = {}
    rng = np.random.RandomState(10)
    x = rng.normal(size=(120, 12)).astype("float32")
    y = np.argmax(x[:, :5] + 0.5 * rng.normal(size=(120, 5)), axis=1)
    x_train, y_train, x_val, y_val, x_test, y_test = x[:80], y[:80], x[80:100], y[80:100], x[100:], y[100:]

    model = _digits(keras)
    model.compile(
        optimizer=keras.optimizers.RMSprop(),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    history = model.fit(
        x_train, y_train, batch_size=16, epochs=2, validation_data=(x_val, y_val), verbose=0, shuffle=False
    )
    out["history"] = history.history
    out["params"] = {k: history.params[k] for k in ("verbose", "epochs", "steps")}
    out["evaluate"] = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
    out["predict"] = model.predict(x_test[:3], verbose=0)

    model = _digits(keras)
    model.compile(
        optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["sparse_categorical_accuracy"]
    )
    out["strings"] = model.fit(
        x_train, y_train, batch_size=16, epochs=1, validation_split=0.2, verbose=0, shuffle=False
    ).history

    model = _digits(keras)
    model.compile(
        optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["sparse_categorical_accuracy"]
    )
    class_weight = {0: 1.0, 1: 1.0, 2: 2.0, 3: 1.0, 4: 0.5}
    out["class_weight"] = model.fit(
        x_train, y_train, class_weight=class_weight, batch_size=16, epochs=1, verbose=0, shuffle=False
    ).history
    model = _digits(keras)
    model.compile(
        optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["sparse_categorical_accuracy"]
    )
    sample_weight = np.ones(shape=(len(y_train),))
    sample_weight[y_train == 2] = 2.0
    out["sample_weight"] = model.fit(
        x_train, y_train, sample_weight=sample_weight, batch_size=16, epochs=1, verbose=0, shuffle=False
    ).history

    class ExamplePyDataset(keras.utils.PyDataset):
        def __init__(self, x: Any, y: Any, batch_size: int, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.x, self.y, self.batch_size = x, y, batch_size

        def __len__(self) -> int:
            return int(np.ceil(len(self.x) / float(self.batch_size)))

        def __getitem__(self, idx: int) -> Any:
            batch = slice(idx * self.batch_size, (idx + 1) * self.batch_size)
            return self.x[batch], self.y[batch]

    model = _digits(keras)
    model.compile(
        optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["sparse_categorical_accuracy"]
    )
    train_dataset = ExamplePyDataset(x_train, y_train, batch_size=32)
    val_dataset = ExamplePyDataset(x_val, y_val, batch_size=32)
    out["pydataset"] = model.fit(
        train_dataset, epochs=2, validation_data=val_dataset, verbose=0, shuffle=False
    ).history
    out["pydataset_evaluate"] = model.evaluate(val_dataset, verbose=0, return_dict=True)

    model = _digits(keras)
    model.compile(
        optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["sparse_categorical_accuracy"]
    )
    callbacks = [
        keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=1e-2, patience=2, verbose=1),
        keras.callbacks.ModelCheckpoint(
            filepath=os.path.join(folder, "mymodel_{epoch}.keras"),
            save_best_only=True,
            monitor="val_loss",
            verbose=1,
        ),
    ]
    history, out["callbacks_printed"] = _printed(
        lambda: model.fit(
            x_train,
            y_train,
            epochs=20,
            batch_size=16,
            callbacks=callbacks,
            validation_split=0.2,
            verbose=0,
            shuffle=False,
        ),
        folder,
    )
    out["callbacks_history"] = history.history["val_loss"]
    out["files"] = sorted(os.listdir(folder))

    lr_schedule = keras.optimizers.schedules.ExponentialDecay(
        initial_learning_rate=0.1, decay_steps=4, decay_rate=0.5, staircase=True
    )
    model = _digits(keras)
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=lr_schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["sparse_categorical_accuracy"],
    )
    out["schedule"] = model.fit(x_train, y_train, batch_size=16, epochs=2, verbose=0, shuffle=False).history
    out["schedule_rate"] = [float(model.optimizer.learning_rate), int(model.optimizer.iterations)]
    out["schedule_config"] = lr_schedule.get_config()

    def step_decay(epoch: int, lr: float) -> float:
        return lr if epoch < 1 else lr * 0.5

    model = _digits(keras)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    scheduler = keras.callbacks.LearningRateScheduler(step_decay, verbose=1)
    history, out["scheduler_printed"] = _printed(
        lambda: model.fit(
            x_train, y_train, batch_size=16, epochs=3, callbacks=[scheduler], verbose=0, shuffle=False
        )
    )
    out["scheduler_history"] = history.history

    # two inputs, one output
    layers = keras.layers
    features_input = keras.Input(shape=(12,), name="features")
    series_input = keras.Input(shape=(6,), name="series")
    a = layers.Dense(8, activation="relu")(features_input)
    b = layers.Dense(8, activation="relu")(series_input)
    score = layers.Dense(1, name="score_output")(layers.concatenate([a, b]))
    model = keras.Model(inputs=[features_input, series_input], outputs=score)
    _seed(model, 11)
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss=keras.losses.MeanSquaredError(),
        metrics=[keras.metrics.MeanAbsolutePercentageError(), keras.metrics.MeanAbsoluteError()],
    )
    series = rng.normal(size=(80, 6)).astype("float32")
    targets = rng.normal(size=(80, 1)).astype("float32")
    out["two_inputs"] = model.fit(
        [x_train, series], targets, batch_size=32, epochs=2, verbose=0, shuffle=False
    ).history
    out["two_inputs_dict"] = model.fit(
        {"features": x_train, "series": series}, targets, batch_size=32, epochs=1, verbose=0, shuffle=False
    ).history
    # Keras 3.15.1 raised "TypeError: Expected float32, but got score_output of type 'str'." (it reads the
    # dict's keys as targets); keras_lite's TypeError says why.
    out["targets_by_name"] = _raises(
        TypeError,
        lambda: model.fit(
            [x_train, series], {"score_output": targets}, batch_size=32, verbose=0, shuffle=False
        ),
    )
    out["two_inputs_summary"] = _summary(model)
    return plain(out)


# ---- "Writing your own callbacks" -----------------------------------------------------------------------------------
def callbacks_guide(keras: ModuleType, folder: str) -> dict[str, Any]:
    keras.backend.clear_session()
    out: dict[str, Any] = {}
    rng = np.random.RandomState(12)
    x_train = rng.normal(size=(64, 8)).astype("float32")
    y_train = (x_train @ rng.normal(size=(8, 1)) + 0.1).astype("float32")
    x_test, y_test = x_train[:20], y_train[:20]

    def get_model() -> Any:
        model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
        _seed(model, 13)
        model.compile(
            optimizer=keras.optimizers.SGD(learning_rate=0.1),
            loss="mean_squared_error",
            metrics=["mean_absolute_error"],
        )
        return model

    class CustomCallback(keras.callbacks.Callback):
        def on_train_begin(self, logs: Any = None) -> None:
            print(f"Starting training; got log keys: {list(logs.keys())}")

        def on_train_end(self, logs: Any = None) -> None:
            print(f"Stop training; got log keys: {list(logs.keys())}")

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            print(f"Start epoch {epoch} of training; got log keys: {list(logs.keys())}")

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            print(f"End epoch {epoch} of training; got log keys: {list(logs.keys())}")

        def on_test_begin(self, logs: Any = None) -> None:
            print(f"Start testing; got log keys: {list(logs.keys())}")

        def on_test_end(self, logs: Any = None) -> None:
            print(f"Stop testing; got log keys: {list(logs.keys())}")

        def on_predict_begin(self, logs: Any = None) -> None:
            print(f"Start predicting; got log keys: {list(logs.keys())}")

        def on_predict_end(self, logs: Any = None) -> None:
            print(f"Stop predicting; got log keys: {list(logs.keys())}")

        def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
            print(f"...Training: start of batch {batch}; got log keys: {list(logs.keys())}")

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            print(f"...Training: end of batch {batch}; got log keys: {list(logs.keys())}")

        def on_test_batch_begin(self, batch: int, logs: Any = None) -> None:
            print(f"...Evaluating: start of batch {batch}; got log keys: {list(logs.keys())}")

        def on_test_batch_end(self, batch: int, logs: Any = None) -> None:
            print(f"...Evaluating: end of batch {batch}; got log keys: {list(logs.keys())}")

        def on_predict_batch_begin(self, batch: int, logs: Any = None) -> None:
            print(f"...Predicting: start of batch {batch}; got log keys: {list(logs.keys())}")

        def on_predict_batch_end(self, batch: int, logs: Any = None) -> None:
            print(f"...Predicting: end of batch {batch}; got log keys: {list(logs.keys())}")

    model = get_model()
    _, out["hooks_fit"] = _printed(
        lambda: model.fit(
            x_train,
            y_train,
            batch_size=16,
            epochs=1,
            verbose=0,
            validation_split=0.5,
            callbacks=[CustomCallback()],
            shuffle=False,
        )
    )
    res, out["hooks_evaluate"] = _printed(
        lambda: model.evaluate(x_test, y_test, batch_size=16, verbose=0, callbacks=[CustomCallback()])
    )
    out["evaluate"] = res
    res, out["hooks_predict"] = _printed(
        lambda: model.predict(x_test, batch_size=16, verbose=0, callbacks=[CustomCallback()])
    )
    out["predict"] = res[:2]

    class LossAndErrorPrintingCallback(keras.callbacks.Callback):
        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            print(f"Up to batch {batch}, the average loss is {logs['loss']:7.2f}.")

        def on_test_batch_end(self, batch: int, logs: Any = None) -> None:
            print(f"Up to batch {batch}, the average loss is {logs['loss']:7.2f}.")

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            print(
                f"The average loss for epoch {epoch} is {logs['loss']:7.2f} "
                f"and mean absolute error is {logs['mean_absolute_error']:7.2f}."
            )

    model = get_model()
    history, out["loss_printing_fit"] = _printed(
        lambda: model.fit(
            x_train,
            y_train,
            batch_size=32,
            epochs=2,
            verbose=0,
            callbacks=[LossAndErrorPrintingCallback()],
            shuffle=False,
        )
    )
    out["loss_printing_history"] = history.history
    res, out["loss_printing_evaluate"] = _printed(
        lambda: model.evaluate(
            x_test, y_test, batch_size=16, verbose=0, callbacks=[LossAndErrorPrintingCallback()]
        )
    )
    out["loss_printing_result"] = res

    class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
        def __init__(self, patience: int = 0) -> None:
            super().__init__()
            self.patience = patience
            self.best_weights = None

        def on_train_begin(self, logs: Any = None) -> None:
            self.wait = 0
            self.stopped_epoch = 0
            self.best = np.inf

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            current = logs.get("loss")
            if np.less(current, self.best):
                self.best = current
                self.wait = 0
                self.best_weights = self.model.get_weights()
            else:
                self.wait += 1
                if self.wait >= self.patience:
                    self.stopped_epoch = epoch
                    self.model.stop_training = True
                    print("Restoring model weights from the end of the best epoch.")
                    self.model.set_weights(self.best_weights)

        def on_train_end(self, logs: Any = None) -> None:
            if self.stopped_epoch > 0:
                print(f"Epoch {self.stopped_epoch + 1:05d}: early stopping")

    model = get_model()
    big_rate = keras.optimizers.SGD(learning_rate=0.3, momentum=0.9)
    model.compile(optimizer=big_rate, loss="mean_squared_error", metrics=["mean_absolute_error"])
    stopper = EarlyStoppingAtMinLoss()
    history, out["min_loss_printed"] = _printed(
        lambda: model.fit(
            x_train,
            y_train,
            batch_size=64,
            epochs=30,
            verbose=0,
            callbacks=[LossAndErrorPrintingCallback(), stopper],
            shuffle=False,
        )
    )
    out["min_loss_history"] = history.history["loss"]
    out["min_loss_state"] = [stopper.stopped_epoch, stopper.best, model.stop_training]
    out["min_loss_weights"] = model.get_weights()

    class CustomLearningRateScheduler(keras.callbacks.Callback):
        def __init__(self, schedule: Callable[[int, float], float]) -> None:
            super().__init__()
            self.schedule = schedule

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            if not hasattr(self.model.optimizer, "learning_rate"):
                raise ValueError('Optimizer must have a "learning_rate" attribute.')
            lr = self.model.optimizer.learning_rate
            scheduled_lr = self.schedule(epoch, lr)
            self.model.optimizer.learning_rate = scheduled_lr
            print(f"\nEpoch {epoch}: Learning rate is {float(np.array(scheduled_lr))}.")

    lr_schedule_steps = [(1, 0.05), (2, 0.01), (3, 0.005)]

    def lr_schedule(epoch: int, lr: Any) -> Any:
        if epoch < lr_schedule_steps[0][0] or epoch > lr_schedule_steps[-1][0]:
            return lr
        for i in range(len(lr_schedule_steps)):
            if epoch == lr_schedule_steps[i][0]:
                return lr_schedule_steps[i][1]
        return lr

    model = get_model()
    history, out["scheduler_printed"] = _printed(
        lambda: model.fit(
            x_train,
            y_train,
            batch_size=64,
            epochs=5,
            verbose=0,
            callbacks=[LossAndErrorPrintingCallback(), CustomLearningRateScheduler(lr_schedule)],
            shuffle=False,
        )
    )
    out["scheduler_history"] = history.history
    out["scheduler_rate"] = float(model.optimizer.learning_rate)
    return plain(out)


# ---- "Serialization & saving" ---------------------------------------------------------------------------------------
def saving_guide(keras: ModuleType, folder: str) -> dict[str, Any]:
    keras.backend.clear_session()
    out: dict[str, Any] = {}

    def get_model() -> Any:
        inputs = keras.Input(shape=(32,))
        outputs = keras.layers.Dense(1)(inputs)
        model = keras.Model(inputs, outputs)
        _seed(model, 14)
        model.compile(optimizer=keras.optimizers.Adam(), loss="mean_squared_error")
        return model

    rng = np.random.RandomState(15)
    test_input = rng.random_sample((128, 32)).astype("float32")
    test_target = rng.random_sample((128, 1)).astype("float32")
    model = get_model()
    out["fit"] = model.fit(test_input, test_target, verbose=0, shuffle=False).history
    path = os.path.join(folder, "my_model.keras")
    model.save(path)
    reconstructed = keras.models.load_model(path)
    out["same_predictions"] = bool(
        np.allclose(model.predict(test_input, verbose=0), reconstructed.predict(test_input, verbose=0))
    )
    out["refit"] = reconstructed.fit(test_input, test_target, verbose=0, shuffle=False).history
    out["optimizer_state"] = int(reconstructed.optimizer.iterations)

    layer = keras.layers.Dense(3, activation="relu")
    layer_config = layer.get_config()
    out["layer_config"] = layer_config
    out["layer_from_config"] = keras.layers.Dense.from_config(layer_config).get_config() == layer_config

    model = keras.Sequential([keras.Input((32,)), keras.layers.Dense(1)])
    config = model.get_config()
    out["sequential_config"] = [config["name"], [item["class_name"] for item in config["layers"]]]
    new_model = keras.Sequential.from_config(config)
    out["sequential_from_config"] = [layer.name for layer in new_model.layers]

    inputs = keras.Input((32,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    config = model.get_config()
    out["functional_config_keys"] = list(config)
    new_model = keras.Model.from_config(config)
    out["functional_from_config"] = [layer.name for layer in new_model.layers]

    json_config = model.to_json()
    new_model = keras.models.model_from_json(json_config)
    out["from_json"] = [type(new_model).__name__, [layer.name for layer in new_model.layers]]

    def create_layer() -> Any:
        layer = keras.layers.Dense(64, activation="relu", name="dense_2")
        layer.build((None, 784))
        return layer

    layer_1 = create_layer()
    layer_2 = create_layer()
    layer_2.set_weights(layer_1.get_weights())
    out["transferred"] = all(
        np.array_equal(a, b) for a, b in zip(layer_1.get_weights(), layer_2.get_weights())
    )

    def create_model() -> Any:
        return keras.Sequential(
            [
                keras.Input(shape=(16,)),
                keras.layers.Dense(8, activation="relu", name="dense_1"),
                keras.layers.Dense(8, activation="relu", name="dense_2"),
                keras.layers.Dense(4, name="predictions"),
            ]
        )

    functional_model = create_model()
    _seed(functional_model, 16)
    sequential_model = create_model()
    sequential_model.set_weights(functional_model.get_weights())
    probe = rng.normal(size=(2, 16)).astype("float32")
    out["copied_predict"] = sequential_model.predict(probe, verbose=0)

    weights_path = os.path.join(folder, "my_model.weights.h5")
    functional_model.save_weights(weights_path)
    fresh = create_model()
    fresh.load_weights(weights_path)
    out["loaded_weights_predict"] = fresh.predict(probe, verbose=0)
    bad_name = error_text(lambda: functional_model.save_weights(os.path.join(folder, "w.h5")))
    out["bad_weights_name"] = bad_name.replace(folder, "<dir>")
    out["files"] = sorted(os.listdir(folder))

    # a model of fewer layers than the file: Keras's error
    smaller = keras.Sequential([keras.Input(shape=(16,)), keras.layers.Dense(8, activation="relu")])
    out["mismatch"] = error_text(lambda: smaller.load_weights(weights_path))
    return plain(out)


# ---- "Transfer learning & fine-tuning" ------------------------------------------------------------------------------
def transfer_guide(keras: ModuleType, folder: str) -> dict[str, Any]:
    keras.backend.clear_session()
    layers = keras.layers
    out: dict[str, Any] = {}
    layer = layers.Dense(3)
    layer.build((None, 4))
    out["dense_counts"] = _counts(layer)
    layer = layers.BatchNormalization()
    layer.build((None, 4))
    out["batchnorm_counts"] = _counts(layer)
    layer = layers.Dense(3)
    layer.build((None, 4))
    layer.trainable = False
    out["frozen_counts"] = _counts(layer)

    layer1 = layers.Dense(3, activation="relu")
    layer2 = layers.Dense(3, activation="sigmoid")
    model = keras.Sequential([keras.Input(shape=(3,)), layer1, layer2])
    _seed(model, 17)
    layer1.trainable = False
    initial_layer1_weights_values = layer1.get_weights()
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.RandomState(18)
    model.fit(rng.random_sample((2, 3)), rng.random_sample((2, 3)), verbose=0, shuffle=False)
    final_layer1_weights_values = layer1.get_weights()
    out["frozen_kept"] = [
        bool(np.array_equal(a, b)) for a, b in zip(initial_layer1_weights_values, final_layer1_weights_values)
    ]
    out["trained"] = layer2.get_weights()

    inner_model = keras.Sequential(
        [keras.Input(shape=(3,)), layers.Dense(3, activation="relu"), layers.Dense(3)]
    )
    model = keras.Sequential([keras.Input(shape=(3,)), inner_model, layers.Dense(3, activation="sigmoid")])
    model.trainable = False
    out["recursive"] = [inner_model.trainable, inner_model.layers[0].trainable, _counts(model)]

    # the typical workflow: a frozen base (a dense stand-in for Xception, BatchNormalization inside it)
    base_model = keras.Sequential(
        [
            keras.Input(shape=(10,)),
            layers.Dense(12, activation="relu"),
            layers.BatchNormalization(),
            layers.Dense(6, activation="relu"),
        ],
        name="base",
    )
    x_base = rng.normal(size=(96, 10)).astype("float32")
    base_model.compile(optimizer="adam", loss="mse")
    _seed(base_model, 19)
    base_model.fit(x_base, rng.normal(size=(96, 6)), batch_size=32, epochs=1, verbose=0, shuffle=False)
    moving = base_model.layers[1].get_weights()[2:]
    base_model.trainable = False
    inputs = keras.Input(shape=(10,))
    x = base_model(inputs, training=False)
    outputs = layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)
    _seed(model, 20)
    out["frozen_summary"] = _summary(model)
    out["frozen_model_counts"] = _counts(model)
    x_new = rng.normal(size=(64, 10)).astype("float32")
    y_new = (x_new[:, :1] > 0).astype("float32")
    model.compile(
        optimizer=keras.optimizers.Adam(),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=[keras.metrics.BinaryAccuracy()],
    )
    out["top_history"] = model.fit(
        x_new,
        y_new,
        batch_size=16,
        epochs=2,
        validation_data=(x_new[:16], y_new[:16]),
        verbose=0,
        shuffle=False,
    ).history
    out["moving_kept"] = all(
        np.array_equal(a, b) for a, b in zip(moving, base_model.layers[1].get_weights()[2:])
    )

    base_model.trainable = True
    out["unfrozen_counts"] = _counts(model)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-5),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=[keras.metrics.BinaryAccuracy()],
    )
    # (the guide prints it before compiling again: see test_unfreezing_without_compiling_again below)
    out["unfrozen_summary"] = _summary(model)
    out["fine_tune_history"] = model.fit(
        x_new,
        y_new,
        batch_size=16,
        epochs=2,
        validation_data=(x_new[:16], y_new[:16]),
        verbose=0,
        shuffle=False,
    ).history
    out["moving_after_fine_tune"] = [moving, base_model.layers[1].get_weights()[2:]]
    out["predict"] = model.predict(x_new[:3], verbose=0)
    out["summary_trainable"] = _printed(lambda: model.summary(line_length=80, show_trainable=True))[1]
    return plain(out)


# ---- the guides' graphs: a graph shared by two models, a residual block, layer inputs and outputs --------------------
def graphs_guide(keras: ModuleType, folder: str) -> dict[str, Any]:
    keras.backend.clear_session()
    layers = keras.layers
    out: dict[str, Any] = {}
    rng = np.random.RandomState(21)
    data = rng.normal(size=(48, 12)).astype("float32")

    # "Use the same graph of layers to define multiple models": the encoder is part of the autoencoder's graph
    encoder_input = keras.Input(shape=(12,), name="img")
    x = layers.Dense(8, activation="relu")(encoder_input)
    encoder_output = layers.Dense(3, activation="relu")(x)
    encoder = keras.Model(encoder_input, encoder_output, name="encoder")
    x = layers.Dense(8, activation="relu")(encoder_output)
    decoder_output = layers.Dense(12)(x)
    autoencoder = keras.Model(encoder_input, decoder_output, name="autoencoder")
    _seed(autoencoder, 22)
    out["encoder_summary"] = _summary(encoder)
    out["autoencoder_summary"] = _summary(autoencoder)
    before = encoder.predict(data[:2], verbose=0)
    autoencoder.compile(optimizer="adam", loss="mse")
    out["autoencoder_history"] = autoencoder.fit(
        data, data, batch_size=16, epochs=2, verbose=0, shuffle=False
    ).history
    after = encoder.predict(data[:2], verbose=0)
    out["encoder_trained_too"] = [before, after]
    out["shared_weights"] = [len(encoder.weights), len(autoencoder.weights)]

    # "Manipulate complex graph topologies": a residual block of dense layers
    inputs = keras.Input(shape=(12,), name="inputs")
    x = layers.Dense(8, activation="relu")(inputs)
    block_1_output = layers.Dense(8, activation="relu")(x)
    x = layers.Dense(8, activation="relu")(block_1_output)
    x = layers.Dense(8, activation="relu")(x)
    block_2_output = layers.add([x, block_1_output])
    x = layers.Dense(8, activation="relu")(block_2_output)
    outputs = layers.Dense(3)(layers.Dropout(0.0)(x))
    model = keras.Model(inputs, outputs, name="toy_resnet")
    _seed(model, 23)
    out["resnet_summary"] = _summary(model)
    labels = np.argmax(data[:, :3], axis=1)
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True),
        metrics=["acc"],
    )
    out["resnet_history"] = model.fit(
        data, np.eye(3)[labels], batch_size=16, epochs=2, validation_split=0.25, verbose=0, shuffle=False
    ).history

    # layers' inputs and outputs, and a model over part of the graph
    out["layer_io"] = [
        [layer.name, list(layer.input.shape), list(layer.output.shape)] for layer in model.layers[1:4]
    ]
    block = keras.Model(inputs=model.input, outputs=model.get_layer(index=5).output)
    out["block_output"] = block.predict(data[:2], verbose=0)
    out["model_io"] = [[t.name for t in model.inputs], list(model.output.shape)]
    out["get_layer_error"] = error_text(lambda: model.get_layer("missing"))

    # "The Sequential model": input_shape on the first layer (deprecated), then the same built without it
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = keras.Sequential()
        model.add(layers.Dense(2, activation="relu", input_shape=(4,)))
    out["input_shape_warning"] = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    out["input_shape_model"] = [model.built, list(model.input_shape), len(model.weights)]

    # "Transfer learning": a frozen BatchNormalization keeps all four of its weights out of training
    bn = layers.BatchNormalization()
    bn.build((None, 4))
    bn.trainable = False
    out["frozen_batchnorm_counts"] = _counts(bn)
    out["frozen_batchnorm_paths"] = [w.path for w in bn.non_trainable_weights]
    return plain(out)


# ---- "Training & evaluation": the schedule objects, serialized objects and custom-object scopes ----------------------
def schedules_and_objects_guide(keras: ModuleType, folder: str) -> dict[str, Any]:
    keras.backend.clear_session()
    out: dict[str, Any] = {}
    rng = np.random.RandomState(24)
    x = rng.normal(size=(64, 6)).astype("float32")
    y = (x[:, :1] - x[:, 1:2] > 0).astype("float32")
    schedules = keras.optimizers.schedules
    for name, schedule in (
        ("polynomial", schedules.PolynomialDecay(0.1, decay_steps=6, end_learning_rate=0.01, power=2.0)),
        ("inverse_time", schedules.InverseTimeDecay(0.1, decay_steps=2, decay_rate=0.5, staircase=True)),
        ("piecewise", schedules.PiecewiseConstantDecay(boundaries=[3, 6], values=[0.1, 0.05, 0.01])),
        ("cosine", schedules.CosineDecay(0.1, decay_steps=8, alpha=0.1, warmup_target=0.2, warmup_steps=2)),
    ):
        model = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(4, activation="relu")])
        model.add(keras.layers.Dense(1, activation="sigmoid"))
        _seed(model, 25)
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule), loss="binary_crossentropy")
        history = model.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False).history
        out[name] = {
            "config": schedule.get_config(),
            "rates": [schedule(step) for step in (0, 1, 3, 5, 8, 20)],
            "loss": history["loss"],
            "rate_now": float(model.optimizer.learning_rate),
        }
    optimizer = keras.optimizers.Adam(learning_rate=schedules.ExponentialDecay(0.01, 100, 0.96))
    serialized = keras.saving.serialize_keras_object(optimizer)
    out["serialized_optimizer"] = [serialized["class_name"], serialized["config"]["learning_rate"]]
    restored = keras.saving.deserialize_keras_object(serialized)
    out["deserialized_optimizer"] = [type(restored).__name__, restored.get_config()["learning_rate"]]
    initializer = keras.saving.serialize_keras_object(keras.initializers.RandomNormal(stddev=0.5, seed=3))
    out["serialized_initializer"] = initializer
    out["registered_names"] = [
        keras.saving.get_registered_name(keras.layers.Dense),
        keras.saving.get_registered_name(keras.optimizers.Adam),
    ]

    @keras.saving.register_keras_serializable(package="MyLayers")
    class StepDecay(schedules.LearningRateSchedule):
        def __init__(self, rate: float) -> None:
            self.rate = rate

        def __call__(self, step: Any) -> Any:
            return self.rate / (1.0 + np.floor(np.asarray(step, "float32") / 4.0))

        def get_config(self) -> dict[str, Any]:
            return {"rate": self.rate}

    out["registered_custom"] = [
        keras.saving.get_registered_name(StepDecay),
        "MyLayers>StepDecay" in keras.saving.get_custom_objects(),
    ]
    # (not trained with: Keras's traced step passes it the step as a symbolic int64 tensor, NumPy cannot read)
    model = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(1, activation="sigmoid")])
    _seed(model, 26)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=StepDecay(0.5)), loss="binary_crossentropy")
    path = os.path.join(folder, "custom_schedule.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    out["loaded_schedule"] = [
        loaded.optimizer.get_config()["learning_rate"],
        float(loaded.optimizer.learning_rate),
        int(loaded.optimizer.iterations),
    ]
    return plain(out)


# ---- "Serialization & saving": what the files hold ---------------------------------------------------------------
def _h5_datasets(path: str) -> list[list[Any]]:
    import h5py

    found: list[list[Any]] = []
    with h5py.File(path, "r") as f:
        f.visititems(
            lambda name, item: found.append([name, list(item.shape)]) if hasattr(item, "shape") else None
        )
    return found


def files_guide(keras: ModuleType, folder: str) -> dict[str, Any]:
    import json
    import zipfile

    keras.backend.clear_session()
    out: dict[str, Any] = {}
    inputs = keras.Input(shape=(6,), name="features")
    x = keras.layers.Dense(4, activation="relu", name="hidden")(inputs)
    x = keras.layers.BatchNormalization(name="norm")(x)
    outputs = keras.layers.Dense(2, activation="softmax", name="probabilities")(x)
    model = keras.Model(inputs, outputs, name="classifier")
    _seed(model, 27)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    rng = np.random.RandomState(28)
    x_train = rng.normal(size=(32, 6)).astype("float32")
    y_train = (x_train[:, 0] > 0).astype("int32")
    model.fit(x_train, y_train, batch_size=8, epochs=1, verbose=0, shuffle=False)
    path = os.path.join(folder, "classifier.keras")
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        out["members"] = sorted(archive.namelist())
        config = json.loads(archive.read("config.json"))
        metadata = json.loads(archive.read("metadata.json"))
        archive.extract("model.weights.h5", folder)
    # (keras_lite adds the keras_lite_version that wrote the file: docs/keras-compatibility.md, "Files")
    out["metadata_keys"] = sorted(key for key in metadata if key != "keras_lite_version")
    # A policy's shared_object_id is its id() in the writing process: which layers share it is what matters.
    out["config"] = json.loads(
        re.sub(r'"shared_object_id": \d+', '"shared_object_id": 0', json.dumps(config))
    )
    out["weights_file"] = _h5_datasets(os.path.join(folder, "model.weights.h5"))
    weights_path = os.path.join(folder, "classifier.weights.h5")
    model.save_weights(weights_path)
    out["weights_only_file"] = _h5_datasets(weights_path)
    out["to_json"] = json.loads(model.to_json())
    out["get_config"] = model.get_config()
    out["paths"] = [w.path for w in model.weights]
    out["trainable_paths"] = [w.path for w in model.trainable_weights]
    restored = keras.models.load_model(path, compile=False)
    out["uncompiled"] = [
        restored.compiled,
        error_text(lambda: restored.optimizer),
        _builtin_error_text(lambda: restored.evaluate(x_train, y_train, verbose=0)),
        restored.predict(x_train[:2], verbose=0),
    ]
    return plain(out)


# ---- the guides' printed training, callbacks' params, and steps given with a PyDataset --------------------------------
def printed_guide(keras: ModuleType, folder: str) -> dict[str, Any]:
    keras.backend.clear_session()
    out: dict[str, Any] = {}
    rng = np.random.RandomState(29)
    x = rng.normal(size=(60, 12)).astype("float32")
    y = np.argmax(x[:, :5] + 0.5 * rng.normal(size=(60, 5)), axis=1)
    model = _digits(keras)
    model.compile(
        optimizer=keras.optimizers.RMSprop(),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )

    class Params(keras.callbacks.Callback):
        def on_train_begin(self, logs: Any = None) -> None:
            print("params:", sorted(self.params.items()))

        def on_test_begin(self, logs: Any = None) -> None:
            print("test params:", sorted(self.params.items()))

        def on_predict_begin(self, logs: Any = None) -> None:
            print("predict params:", sorted(self.params.items()))

    class BatchEnds(keras.callbacks.Callback):
        def on_test_batch_end(self, batch: int, logs: Any = None) -> None:
            print(f"[test batch {batch}: {sorted(logs)}]")

        def on_predict_batch_end(self, batch: int, logs: Any = None) -> None:
            print(f"[predict batch {batch}: {logs['outputs'].shape}]")

    history, out["fit_verbose_1"] = _printed(
        lambda: model.fit(
            x,
            y,
            batch_size=16,
            epochs=2,
            validation_split=0.2,
            verbose=1,
            shuffle=False,
            callbacks=[Params()],
        )
    )
    out["history_params"] = history.params
    out["history_epoch"] = history.epoch
    result, out["evaluate_verbose_1"] = _printed(
        lambda: model.evaluate(x, y, batch_size=32, verbose=1, callbacks=[Params()], return_dict=True)
    )
    out["evaluate"] = result
    _, out["predict_verbose_1"] = _printed(
        lambda: model.predict(x, batch_size=32, verbose=1, callbacks=[Params()])
    )
    _, out["batch_hooks_verbose_1"] = _printed(
        lambda: [
            model.evaluate(x, y, batch_size=16, verbose=1, callbacks=[BatchEnds()]),
            model.predict(x, batch_size=16, verbose=1, callbacks=[BatchEnds()]),
        ]
    )
    _, out["fit_verbose_2"] = _printed(
        lambda: model.fit(
            x, y, batch_size=16, epochs=1, validation_data=(x[:20], y[:20]), verbose=2, shuffle=False
        )
    )

    class Batches(keras.utils.PyDataset):
        def __len__(self) -> int:
            return 6

        def __getitem__(self, idx: int) -> Any:
            return x[idx * 10 : (idx + 1) * 10], y[idx * 10 : (idx + 1) * 10]

    model = _digits(keras)
    model.compile(
        optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["sparse_categorical_accuracy"]
    )
    history, out["steps_printed"] = _printed(
        lambda: model.fit(
            Batches(),
            epochs=3,
            steps_per_epoch=2,
            validation_data=Batches(),
            validation_steps=1,
            verbose=2,
            shuffle=False,
        )
    )
    out["steps_history"] = history.history
    out["steps_params"] = history.params
    out["steps_evaluate"] = model.evaluate(Batches(), steps=3, verbose=0)
    out["steps_predict"] = model.predict(Batches(), steps=1, verbose=0)[:2]
    out["iterations"] = int(model.optimizer.iterations)
    return plain(out)


# ---- "Transfer learning": the end-to-end example, a Rescaling in front of a frozen base, saved and fine-tuned ---------
def end_to_end_transfer_guide(keras: ModuleType, folder: str) -> dict[str, Any]:
    keras.backend.clear_session()
    layers = keras.layers
    out: dict[str, Any] = {}
    rng = np.random.RandomState(30)
    pixels = rng.randint(0, 256, size=(64, 16)).astype("float32")
    labels = (pixels[:, :8].mean(axis=1) > pixels[:, 8:].mean(axis=1)).astype("float32")
    base_model = keras.Sequential(
        [keras.Input(shape=(16,)), layers.Dense(12, activation="relu"), layers.BatchNormalization()],
        name="pretrained",
    )
    _seed(base_model, 31)
    base_model.trainable = False
    inputs = keras.Input(shape=(16,))
    x = layers.Rescaling(scale=1 / 127.5, offset=-1)(inputs)
    x = base_model(x, training=False)
    x = layers.Dropout(0.0)(x)  # the guide's Dropout(0.2), at a rate whose masks both libraries agree on
    outputs = layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)
    _seed(model, 32)
    out["summary"] = _summary(model)
    model.compile(
        optimizer=keras.optimizers.Adam(),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=[keras.metrics.BinaryAccuracy()],
    )
    fit = {"batch_size": 16, "validation_data": (pixels[:16], labels[:16]), "verbose": 0, "shuffle": False}
    out["top"] = model.fit(pixels, labels, epochs=2, **fit).history
    path = os.path.join(folder, "transfer.keras")
    model.save(path)
    base_model.trainable = True
    model.compile(
        optimizer=keras.optimizers.Adam(1e-5),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=[keras.metrics.BinaryAccuracy()],
    )
    out["fine_tune"] = model.fit(pixels, labels, epochs=2, **fit).history
    out["trainable_summary"] = _printed(lambda: model.summary(line_length=80, show_trainable=True))[1]
    loaded = keras.models.load_model(path)
    out["loaded"] = [
        loaded.layers[2].trainable,
        _counts(loaded),
        loaded.evaluate(pixels, labels, verbose=0),
        loaded.fit(pixels, labels, epochs=1, **fit).history,
    ]
    return plain(out)


# What `sequential_guide(keras)` returned under Keras 3.15.1 (TensorFlow 2.21 backend).
GOLDEN_SEQUENTIAL: dict[str, Any] = {
    "unbuilt_weights": 0,
    "unbuilt_errors": [
        "AttributeError: Sequential model 'sequential' has no defined input shape yet.",
        "AttributeError: Sequential model 'sequential' has no defined output shape yet.",
        "ValueError: You tried to call `count_params` on layer 'sequential', but the "
        "layer isn't built. You can build it manually via: `layer.build(input_shape)`.",
        "ValueError: Sequential model empty cannot be built because it has no layers. "
        "Call `model.add(layer)`.",
    ],
    "unbuilt_summary": 'Model: "sequential"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                      ┃ Output Shape             ┃       Param "
    "# ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ layer1 (Dense)                    │ ?                        │   0 "
    "(unbuilt) │\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ layer2 (Dense)                    │ ?                        │   0 "
    "(unbuilt) │\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ layer3 (Dense)                    │ ?                        │   0 "
    "(unbuilt) │\n"
    "└───────────────────────────────────┴──────────────────────────┴───────────────┘\n"
    " Total params: 0 (0.00 B)\n"
    " Trainable params: 0 (0.00 B)\n"
    " Non-trainable params: 0 (0.00 B)\n",
    "called": [
        [-0.42245, -0.14097, 1.04762, -0.81317],
        [-0.42245, -0.14097, 1.04762, -0.81317],
        [-0.42245, -0.14097, 1.04762, -0.81317],
    ],
    "layers": ["layer1", "layer2", "layer3"],
    "after_pop": ["dense", "dense_1"],
    "named": "my_sequential",
    "layer_weights_unbuilt": 0,
    "layer_weights_built": [[4, 3], [3]],
    "built_weights": [[4, 2], [2], [2, 3], [3], [3, 4], [4]],
    "built_summary": 'Model: "sequential_2"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                      ┃ Output Shape             ┃       Param # "
    "┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ dense_4 (Dense)                   │ (None, 2)                │            10 "
    "│\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ dense_5 (Dense)                   │ (None, 3)                │             9 "
    "│\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ dense_6 (Dense)                   │ (None, 4)                │            16 "
    "│\n"
    "└───────────────────────────────────┴──────────────────────────┴───────────────┘\n"
    " Total params: 35 (140.00 B)\n"
    " Trainable params: 35 (140.00 B)\n"
    " Non-trainable params: 0 (0.00 B)\n",
    "with_input_layers": ["dense_7"],
    "stage_1": 'Model: "sequential_3"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                      ┃ Output Shape             ┃       Param # ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ dense_7 (Dense)                   │ (None, 8)                │           136 │\n"
    "└───────────────────────────────────┴──────────────────────────┴───────────────┘\n"
    " Total params: 136 (544.00 B)\n"
    " Trainable params: 136 (544.00 B)\n"
    " Non-trainable params: 0 (0.00 B)\n",
    "stage_2": 'Model: "sequential_3"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                      ┃ Output Shape             ┃       Param # ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ dense_7 (Dense)                   │ (None, 8)                │           136 │\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ dense_8 (Dense)                   │ (None, 6)                │            54 │\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ dense_9 (Dense)                   │ (None, 4)                │            28 │\n"
    "└───────────────────────────────────┴──────────────────────────┴───────────────┘\n"
    " Total params: 218 (872.00 B)\n"
    " Trainable params: 218 (872.00 B)\n"
    " Non-trainable params: 0 (0.00 B)\n",
    "output_shape": [None, 2],
    "features": [
        [0.34403, 0.0, 0.0, 0.12881, 0.82574, 0.18995],
        [0.57203, 0.0, 0.0, 0.32194, 2.30798, 0.36482],
    ],
    "extractor_layers": ["input_layer_3", "dense_11", "my_intermediate_layer"],
    "frozen_unchanged": [True, True, True, True, False, False],
    "frozen_summary": 'Model: "sequential_5"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                      ┃ Output Shape             ┃       Param # "
    "┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ dense_13 (Dense)                  │ (None, 8)                │           136 "
    "│\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ dense_14 (Dense)                  │ (None, 6)                │            54 "
    "│\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ dense_15 (Dense)                  │ (None, 4)                │            28 "
    "│\n"
    "└───────────────────────────────────┴──────────────────────────┴───────────────┘\n"
    " Total params: 276 (1.08 KB)\n"
    " Trainable params: 28 (112.00 B)\n"
    " Non-trainable params: 190 (760.00 B)\n"
    " Optimizer params: 58 (236.00 B)\n",
}


# What `functional_guide(keras)` returned under Keras 3.15.1 (TensorFlow 2.21 backend).
GOLDEN_FUNCTIONAL: dict[str, Any] = {
    "input": [[None, 20], "float32"],
    "summary": 'Model: "mnist_model"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                      ┃ Output Shape             ┃       Param # ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ input_layer (InputLayer)          │ (None, 20)               │             0 │\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ dense (Dense)                     │ (None, 16)               │           336 │\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ dense_1 (Dense)                   │ (None, 16)               │           272 │\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ dense_2 (Dense)                   │ (None, 4)                │            68 │\n"
    "└───────────────────────────────────┴──────────────────────────┴───────────────┘\n"
    " Total params: 676 (2.64 KB)\n"
    " Trainable params: 676 (2.64 KB)\n"
    " Non-trainable params: 0 (0.00 B)\n",
    "history": {
        "accuracy": [0.1875, 0.23438],
        "loss": [1.43175, 1.39366],
        "val_accuracy": [0.1875, 0.1875],
        "val_loss": [1.50467, 1.48282],
    },
    "evaluate_printed": "1/1 - T - T/step - accuracy: 0.3500 - loss: 1.3241\n",
    "scores": [1.32411, 0.35],
    "reloaded": [
        "mnist_model",
        [[-1.21293, -0.31507, -0.0868, 0.05206], [0.04856, -0.49206, 0.02672, -0.22222]],
    ],
    "autoencoder_summary": 'Model: "autoencoder"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                      ┃ Output Shape             ┃       "
    "Param # ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ img (InputLayer)                  │ (None, 20)               "
    "│             0 │\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ encoder (Functional)              │ (None, 3)                "
    "│           195 │\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ decoder (Functional)              │ (None, 20)               "
    "│           212 │\n"
    "└───────────────────────────────────┴──────────────────────────┴───────────────┘\n"
    " Total params: 407 (1.59 KB)\n"
    " Trainable params: 407 (1.59 KB)\n"
    " Non-trainable params: 0 (0.00 B)\n",
    "autoencoder_history": {"loss": [1.03469, 1.01562]},
    "encoded": [[0.0, 0.77607, 0.574], [0.0, 0.37123, 0.0]],
    "ensemble_summary": 'Model: "functional_3"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)          ┃ Output Shape      ┃     Param # ┃ Connected "
    "to       ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━┩\n"
    "│ input_layer_4         │ (None, 20)        │           0 │ "
    "-                  │\n"
    "│ (InputLayer)          │                   │             "
    "│                    │\n"
    "├───────────────────────┼───────────────────┼─────────────┼────────────────────┤\n"
    "│ functional            │ (None, 1)         │          21 │ "
    "input_layer_4[0][… │\n"
    "│ (Functional)          │                   │             "
    "│                    │\n"
    "├───────────────────────┼───────────────────┼─────────────┼────────────────────┤\n"
    "│ functional_1          │ (None, 1)         │          21 │ "
    "input_layer_4[0][… │\n"
    "│ (Functional)          │                   │             "
    "│                    │\n"
    "├───────────────────────┼───────────────────┼─────────────┼────────────────────┤\n"
    "│ functional_2          │ (None, 1)         │          21 │ "
    "input_layer_4[0][… │\n"
    "│ (Functional)          │                   │             "
    "│                    │\n"
    "├───────────────────────┼───────────────────┼─────────────┼────────────────────┤\n"
    "│ average (Average)     │ (None, 1)         │           0 │ "
    "functional[0][0],  │\n"
    "│                       │                   │             │ "
    "functional_1[0][0… │\n"
    "│                       │                   │             │ "
    "functional_2[0][0] │\n"
    "└───────────────────────┴───────────────────┴─────────────┴────────────────────┘\n"
    " Total params: 63 (252.00 B)\n"
    " Trainable params: 63 (252.00 B)\n"
    " Non-trainable params: 0 (0.00 B)\n",
    "ensemble": [[0.09326], [0.59228], [-0.06479]],
    "intermediate": [[None, 8], [[1.72524, 0.0, 1.85799, 0.0, 0.35185, 0.0, 0.0, 0.62022]]],
    "layer_names": ["img", "encoder", "decoder"],
    "config_keys": ["name", "trainable", "layers", "input_layers", "output_layers"],
    "from_config_layers": ["img", "encoder", "decoder"],
}


# What `training_guide(keras)` returned under Keras 3.15.1 (TensorFlow 2.21 backend).
GOLDEN_TRAINING: dict[str, Any] = {
    "history": {
        "loss": [1.67305, 1.63496],
        "sparse_categorical_accuracy": [0.175, 0.175],
        "val_loss": [1.72109, 1.69649],
        "val_sparse_categorical_accuracy": [0.2, 0.2],
    },
    "params": {"verbose": 0, "epochs": 2, "steps": 5},
    "evaluate": [1.76676, 0.1],
    "predict": [
        [0.16815, 0.10558, 0.18723, 0.34777, 0.19127],
        [0.19186, 0.1499, 0.16596, 0.21392, 0.27835],
        [0.30944, 0.06654, 0.22746, 0.08073, 0.31583],
    ],
    "strings": {
        "loss": [1.70767],
        "sparse_categorical_accuracy": [0.14062],
        "val_loss": [1.53458],
        "val_sparse_categorical_accuracy": [0.3125],
    },
    "class_weight": {"loss": [1.9289], "sparse_categorical_accuracy": [0.1625]},
    "sample_weight": {"loss": [2.06231], "sparse_categorical_accuracy": [0.175]},
    "pydataset": {
        "loss": [1.67861, 1.64442],
        "sparse_categorical_accuracy": [0.175, 0.1875],
        "val_loss": [1.72622, 1.70363],
        "val_sparse_categorical_accuracy": [0.2, 0.2],
    },
    "pydataset_evaluate": {"loss": 1.70363, "sparse_categorical_accuracy": 0.2},
    "callbacks_printed": "\n"
    "Epoch 1: val_loss improved from None to 1.53458, saving model to "
    "<dir>/mymodel_1.keras\n"
    "\n"
    "Epoch 1: finished saving model to <dir>/mymodel_1.keras\n"
    "\n"
    "Epoch 2: val_loss improved from 1.53458 to 1.53166, saving model to "
    "<dir>/mymodel_2.keras\n"
    "\n"
    "Epoch 2: finished saving model to <dir>/mymodel_2.keras\n"
    "\n"
    "Epoch 3: val_loss improved from 1.53166 to 1.53040, saving model to "
    "<dir>/mymodel_3.keras\n"
    "\n"
    "Epoch 3: finished saving model to <dir>/mymodel_3.keras\n"
    "Epoch 3: early stopping\n",
    "callbacks_history": [1.53458, 1.53166, 1.5304],
    "files": ["mymodel_1.keras", "mymodel_2.keras", "mymodel_3.keras"],
    "schedule": {"loss": [2.62835, 1.43574], "sparse_categorical_accuracy": [0.2875, 0.3875]},
    "schedule_rate": [0.025, 10],
    "schedule_config": {
        "initial_learning_rate": 0.1,
        "decay_steps": 4,
        "decay_rate": 0.5,
        "staircase": True,
        "name": "ExponentialDecay",
    },
    "scheduler_printed": "\n"
    "Epoch 1: LearningRateScheduler setting learning rate to "
    "0.10000000149011612.\n"
    "\n"
    "Epoch 2: LearningRateScheduler setting learning rate to "
    "0.05000000074505806.\n"
    "\n"
    "Epoch 3: LearningRateScheduler setting learning rate to "
    "0.02500000037252903.\n",
    "scheduler_history": {"loss": [1.66718, 1.59767, 1.57242], "learning_rate": [0.1, 0.05, 0.025]},
    "two_inputs": {
        "loss": [1.51244, 1.45346],
        "mean_absolute_error": [0.99473, 0.97284],
        "mean_absolute_percentage_error": [302.35968, 283.26535],
    },
    "two_inputs_dict": {
        "loss": [1.41706],
        "mean_absolute_error": [0.95849],
        "mean_absolute_percentage_error": [270.75748],
    },
    "targets_by_name": True,
    "two_inputs_summary": 'Model: "functional_8"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)          ┃ Output Shape      ┃     Param # ┃ Connected "
    "to       ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━┩\n"
    "│ features (InputLayer) │ (None, 12)        │           0 │ "
    "-                  │\n"
    "├───────────────────────┼───────────────────┼─────────────┼────────────────────┤\n"
    "│ series (InputLayer)   │ (None, 6)         │           0 │ "
    "-                  │\n"
    "├───────────────────────┼───────────────────┼─────────────┼────────────────────┤\n"
    "│ dense (Dense)         │ (None, 8)         │         104 │ "
    "features[0][0]     │\n"
    "├───────────────────────┼───────────────────┼─────────────┼────────────────────┤\n"
    "│ dense_1 (Dense)       │ (None, 8)         │          56 │ "
    "series[0][0]       │\n"
    "├───────────────────────┼───────────────────┼─────────────┼────────────────────┤\n"
    "│ concatenate           │ (None, 16)        │           0 │ "
    "dense[0][0],       │\n"
    "│ (Concatenate)         │                   │             │ "
    "dense_1[0][0]      │\n"
    "├───────────────────────┼───────────────────┼─────────────┼────────────────────┤\n"
    "│ score_output (Dense)  │ (None, 1)         │          17 │ "
    "concatenate[0][0]  │\n"
    "└───────────────────────┴───────────────────┴─────────────┴────────────────────┘\n"
    " Total params: 356 (1.39 KB)\n"
    " Trainable params: 177 (708.00 B)\n"
    " Non-trainable params: 0 (0.00 B)\n"
    " Optimizer params: 179 (720.00 B)\n",
}


# What `callbacks_guide(keras)` returned under Keras 3.15.1 (TensorFlow 2.21 backend).
GOLDEN_CALLBACKS: dict[str, Any] = {
    "hooks_fit": "Starting training; got log keys: []\n"
    "Start epoch 0 of training; got log keys: []\n"
    "...Training: start of batch 0; got log keys: []\n"
    "...Training: end of batch 0; got log keys: ['loss', 'mean_absolute_error']\n"
    "...Training: start of batch 1; got log keys: []\n"
    "...Training: end of batch 1; got log keys: ['loss', 'mean_absolute_error']\n"
    "Start testing; got log keys: []\n"
    "...Evaluating: start of batch 0; got log keys: []\n"
    "...Evaluating: end of batch 0; got log keys: ['loss', 'mean_absolute_error']\n"
    "...Evaluating: start of batch 1; got log keys: []\n"
    "...Evaluating: end of batch 1; got log keys: ['loss', 'mean_absolute_error']\n"
    "Stop testing; got log keys: ['loss', 'mean_absolute_error']\n"
    "End epoch 0 of training; got log keys: ['loss', 'mean_absolute_error', 'val_loss', "
    "'val_mean_absolute_error']\n"
    "Stop training; got log keys: ['loss', 'mean_absolute_error', 'val_loss', "
    "'val_mean_absolute_error']\n",
    "hooks_evaluate": "Start testing; got log keys: []\n"
    "...Evaluating: start of batch 0; got log keys: []\n"
    "...Evaluating: end of batch 0; got log keys: ['loss', 'mean_absolute_error']\n"
    "...Evaluating: start of batch 1; got log keys: []\n"
    "...Evaluating: end of batch 1; got log keys: ['loss', 'mean_absolute_error']\n"
    "Stop testing; got log keys: ['loss', 'mean_absolute_error']\n",
    "evaluate": [1.59502, 1.00593],
    "hooks_predict": "Start predicting; got log keys: []\n"
    "...Predicting: start of batch 0; got log keys: []\n"
    "...Predicting: end of batch 0; got log keys: ['outputs']\n"
    "...Predicting: start of batch 1; got log keys: []\n"
    "...Predicting: end of batch 1; got log keys: ['outputs']\n"
    "Stop predicting; got log keys: []\n",
    "predict": [[-0.18936], [0.70584]],
    "loss_printing_fit": "Up to batch 0, the average loss is    4.25.\n"
    "Up to batch 1, the average loss is    3.13.\n"
    "The average loss for epoch 0 is    3.13 and mean absolute error is    "
    "1.37.\n"
    "Up to batch 0, the average loss is    1.72.\n"
    "Up to batch 1, the average loss is    1.34.\n"
    "The average loss for epoch 1 is    1.34 and mean absolute error is    "
    "0.89.\n",
    "loss_printing_history": {"loss": [3.12768, 1.34182], "mean_absolute_error": [1.36927, 0.89227]},
    "loss_printing_evaluate": "Up to batch 0, the average loss is    0.76.\n"
    "Up to batch 1, the average loss is    0.87.\n",
    "loss_printing_result": [0.87134, 0.7267],
    "min_loss_printed": "Up to batch 0, the average loss is    3.60.\n"
    "The average loss for epoch 0 is    3.60 and mean absolute error is    1.50.\n"
    "Up to batch 0, the average loss is    0.73.\n"
    "The average loss for epoch 1 is    0.73 and mean absolute error is    0.65.\n"
    "Up to batch 0, the average loss is    0.66.\n"
    "The average loss for epoch 2 is    0.66 and mean absolute error is    0.63.\n"
    "Up to batch 0, the average loss is    2.18.\n"
    "The average loss for epoch 3 is    2.18 and mean absolute error is    1.16.\n"
    "Restoring model weights from the end of the best epoch.\n"
    "Epoch 00004: early stopping\n",
    "min_loss_history": [3.60325, 0.73131, 0.65964, 2.17619],
    "min_loss_state": [3, 0.65964, True],
    "min_loss_weights": [
        [[0.57812], [-0.1384], [-1.8356], [-1.10578], [-0.29876], [1.52101], [-1.11131], [-0.73107]],
        [0.33154],
    ],
    "scheduler_printed": "\n"
    "Epoch 0: Learning rate is 0.10000000149011612.\n"
    "Up to batch 0, the average loss is    3.60.\n"
    "The average loss for epoch 0 is    3.60 and mean absolute error is    "
    "1.50.\n"
    "\n"
    "Epoch 1: Learning rate is 0.05.\n"
    "Up to batch 0, the average loss is    2.35.\n"
    "The average loss for epoch 1 is    2.35 and mean absolute error is    "
    "1.20.\n"
    "\n"
    "Epoch 2: Learning rate is 0.01.\n"
    "Up to batch 0, the average loss is    1.94.\n"
    "The average loss for epoch 2 is    1.94 and mean absolute error is    "
    "1.08.\n"
    "\n"
    "Epoch 3: Learning rate is 0.005.\n"
    "Up to batch 0, the average loss is    1.87.\n"
    "The average loss for epoch 3 is    1.87 and mean absolute error is    "
    "1.06.\n"
    "\n"
    "Epoch 4: Learning rate is 0.004999999888241291.\n"
    "Up to batch 0, the average loss is    1.83.\n"
    "The average loss for epoch 4 is    1.83 and mean absolute error is    "
    "1.05.\n",
    "scheduler_history": {
        "loss": [3.60325, 2.35419, 1.93806, 1.86786, 1.83396],
        "mean_absolute_error": [1.49847, 1.20025, 1.08336, 1.0627, 1.05265],
    },
    "scheduler_rate": 0.005,
}


# What `saving_guide(keras)` returned under Keras 3.15.1 (TensorFlow 2.21 backend).
GOLDEN_SAVING: dict[str, Any] = {
    "fit": {"loss": [0.40847]},
    "same_predictions": True,
    "refit": {"loss": [0.34384]},
    "optimizer_state": 8,
    "layer_config": {
        "name": "dense_1",
        "trainable": True,
        "dtype": {
            "module": "keras",
            "class_name": "DTypePolicy",
            "config": {"name": "float32"},
            "registered_name": None,
        },
        "units": 3,
        "activation": "relu",
        "use_bias": True,
        "kernel_initializer": {
            "module": "keras.initializers",
            "class_name": "GlorotUniform",
            "config": {"seed": None, "input_axes": None, "output_axes": None},
            "registered_name": None,
        },
        "bias_initializer": {
            "module": "keras.initializers",
            "class_name": "Zeros",
            "config": {},
            "registered_name": None,
        },
        "kernel_regularizer": None,
        "bias_regularizer": None,
        "kernel_constraint": None,
        "bias_constraint": None,
        "quantization_config": None,
    },
    "layer_from_config": True,
    "sequential_config": ["sequential", ["InputLayer", "Dense"]],
    "sequential_from_config": ["dense_2"],
    "functional_config_keys": ["name", "trainable", "layers", "input_layers", "output_layers"],
    "functional_from_config": ["input_layer_2", "dense_3"],
    "from_json": ["Functional", ["input_layer_2", "dense_3"]],
    "transferred": True,
    "copied_predict": [[0.00134, -0.087, 0.14475, -0.01379], [0.18312, -0.06379, 0.25644, 0.07382]],
    "loaded_weights_predict": [[0.00134, -0.087, 0.14475, -0.01379], [0.18312, -0.06379, 0.25644, 0.07382]],
    "bad_weights_name": "ValueError: The filename must end in `.weights.h5`. Received: filepath=<dir>/w.h5",
    "files": ["my_model.keras", "my_model.weights.h5"],
    "mismatch": "no error",
}


# What `transfer_guide(keras)` returned under Keras 3.15.1 (TensorFlow 2.21 backend).
GOLDEN_TRANSFER: dict[str, Any] = {
    "dense_counts": [2, 2, 0],
    "batchnorm_counts": [4, 2, 2],
    "frozen_counts": [2, 0, 2],
    "frozen_kept": [True, True],
    "trained": [
        [[-0.25175, 1.25457, 0.66629], [-1.05109, -0.0807, 0.31268], [-1.02396, 0.76014, -0.27235]],
        [0.001, 0.001, 0.001],
    ],
    "recursive": [False, False, [6, 0, 6]],
    "frozen_summary": 'Model: "functional_4"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                      ┃ Output Shape             ┃       Param # "
    "┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ input_layer_4 (InputLayer)        │ (None, 10)               │             0 "
    "│\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ base (Sequential)                 │ (None, 6)                │           258 "
    "│\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ dense_9 (Dense)                   │ (None, 1)                │             7 "
    "│\n"
    "└───────────────────────────────────┴──────────────────────────┴───────────────┘\n"
    " Total params: 265 (1.04 KB)\n"
    " Trainable params: 7 (28.00 B)\n"
    " Non-trainable params: 258 (1.01 KB)\n",
    "frozen_model_counts": [10, 2, 8],
    "top_history": {
        "binary_accuracy": [0.51562, 0.51562],
        "loss": [0.81484, 0.81278],
        "val_binary_accuracy": [0.4375, 0.4375],
        "val_loss": [0.83083, 0.82823],
    },
    "moving_kept": True,
    "unfrozen_counts": [10, 8, 2],
    "unfrozen_summary": 'Model: "functional_4"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                      ┃ Output Shape             ┃       Param "
    "# ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ input_layer_4 (InputLayer)        │ (None, 10)               │             "
    "0 │\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ base (Sequential)                 │ (None, 6)                │           "
    "258 │\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ dense_9 (Dense)                   │ (None, 1)                │             "
    "7 │\n"
    "└───────────────────────────────────┴──────────────────────────┴───────────────┘\n"
    " Total params: 265 (1.04 KB)\n"
    " Trainable params: 241 (964.00 B)\n"
    " Non-trainable params: 24 (96.00 B)\n",
    "fine_tune_history": {
        "binary_accuracy": [0.51562, 0.51562],
        "loss": [0.82876, 0.82855],
        "val_binary_accuracy": [0.4375, 0.4375],
        "val_loss": [0.82661, 0.82537],
    },
    "moving_after_fine_tune": [
        [
            [
                0.01226,
                0.01115,
                0.00965,
                0.01123,
                0.01662,
                0.0055,
                0.0147,
                0.01795,
                0.01037,
                0.01288,
                0.01108,
                0.01584,
            ],
            [
                0.97735,
                0.97934,
                0.978,
                0.97747,
                0.98431,
                0.97311,
                0.98093,
                0.98643,
                0.97967,
                0.98112,
                0.97811,
                0.98355,
            ],
        ],
        [
            [
                0.04238,
                0.04438,
                0.02965,
                0.06158,
                0.03797,
                0.02717,
                0.05372,
                0.0454,
                0.02841,
                0.06665,
                0.02707,
                0.03852,
            ],
            [
                0.92607,
                0.92951,
                0.91478,
                0.98116,
                0.92106,
                0.92162,
                0.94391,
                0.93465,
                0.91132,
                0.96812,
                0.91171,
                0.92717,
            ],
        ],
    ],
    "predict": [[-0.22706], [-0.55983], [0.00013]],
    "summary_trainable": 'Model: "functional_4"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━┓\n"
    "┃ Layer (type)                  ┃ Output Shape           ┃     Param # ┃ "
    "Trai… ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━┩\n"
    "│ input_layer_4 (InputLayer)    │ (None, 10)             │           0 │   "
    "-   │\n"
    "├───────────────────────────────┼────────────────────────┼─────────────┼───────┤\n"
    "│ base (Sequential)             │ (None, 6)              │         258 │   "
    "Y   │\n"
    "├───────────────────────────────┼────────────────────────┼─────────────┼───────┤\n"
    "│ dense_9 (Dense)               │ (None, 1)              │           7 │   "
    "Y   │\n"
    "└───────────────────────────────┴────────────────────────┴─────────────┴───────┘\n"
    " Total params: 749 (2.93 KB)\n"
    " Trainable params: 241 (964.00 B)\n"
    " Non-trainable params: 24 (96.00 B)\n"
    " Optimizer params: 484 (1.89 KB)\n",
}


# What `graphs_guide(keras)` returned under Keras 3.15.1 (TensorFlow 2.21 backend).
GOLDEN_GRAPHS: dict[str, Any] = {
    "encoder_summary": 'Model: "encoder"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                      ┃ Output Shape             ┃       Param "
    "# ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ img (InputLayer)                  │ (None, 12)               │             "
    "0 │\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ dense (Dense)                     │ (None, 8)                │           "
    "104 │\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ dense_1 (Dense)                   │ (None, 3)                │            "
    "27 │\n"
    "└───────────────────────────────────┴──────────────────────────┴───────────────┘\n"
    " Total params: 131 (524.00 B)\n"
    " Trainable params: 131 (524.00 B)\n"
    " Non-trainable params: 0 (0.00 B)\n",
    "autoencoder_summary": 'Model: "autoencoder"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                      ┃ Output Shape             ┃       "
    "Param # ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ img (InputLayer)                  │ (None, 12)               "
    "│             0 │\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ dense (Dense)                     │ (None, 8)                "
    "│           104 │\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ dense_1 (Dense)                   │ (None, 3)                "
    "│            27 │\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ dense_2 (Dense)                   │ (None, 8)                "
    "│            32 │\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ dense_3 (Dense)                   │ (None, 12)               "
    "│           108 │\n"
    "└───────────────────────────────────┴──────────────────────────┴───────────────┘\n"
    " Total params: 271 (1.06 KB)\n"
    " Trainable params: 271 (1.06 KB)\n"
    " Non-trainable params: 0 (0.00 B)\n",
    "autoencoder_history": {"loss": [1.21934, 1.19571]},
    "encoder_trained_too": [
        [[1.62018, 0.0, 0.0], [0.1122, 0.13899, 0.0]],
        [[1.54571, 0.0, 0.0], [0.11531, 0.12038, 0.0]],
    ],
    "shared_weights": [4, 8],
    "resnet_summary": 'Model: "toy_resnet"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)          ┃ Output Shape      ┃     Param # ┃ Connected to       "
    "┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━┩\n"
    "│ inputs (InputLayer)   │ (None, 12)        │           0 │ -                  "
    "│\n"
    "├───────────────────────┼───────────────────┼─────────────┼────────────────────┤\n"
    "│ dense_4 (Dense)       │ (None, 8)         │         104 │ inputs[0][0]       "
    "│\n"
    "├───────────────────────┼───────────────────┼─────────────┼────────────────────┤\n"
    "│ dense_5 (Dense)       │ (None, 8)         │          72 │ dense_4[0][0]      "
    "│\n"
    "├───────────────────────┼───────────────────┼─────────────┼────────────────────┤\n"
    "│ dense_6 (Dense)       │ (None, 8)         │          72 │ dense_5[0][0]      "
    "│\n"
    "├───────────────────────┼───────────────────┼─────────────┼────────────────────┤\n"
    "│ dense_7 (Dense)       │ (None, 8)         │          72 │ dense_6[0][0]      "
    "│\n"
    "├───────────────────────┼───────────────────┼─────────────┼────────────────────┤\n"
    "│ add (Add)             │ (None, 8)         │           0 │ dense_7[0][0],     "
    "│\n"
    "│                       │                   │             │ dense_5[0][0]      "
    "│\n"
    "├───────────────────────┼───────────────────┼─────────────┼────────────────────┤\n"
    "│ dense_8 (Dense)       │ (None, 8)         │          72 │ add[0][0]          "
    "│\n"
    "├───────────────────────┼───────────────────┼─────────────┼────────────────────┤\n"
    "│ dropout (Dropout)     │ (None, 8)         │           0 │ dense_8[0][0]      "
    "│\n"
    "├───────────────────────┼───────────────────┼─────────────┼────────────────────┤\n"
    "│ dense_9 (Dense)       │ (None, 3)         │          27 │ dropout[0][0]      "
    "│\n"
    "└───────────────────────┴───────────────────┴─────────────┴────────────────────┘\n"
    " Total params: 419 (1.64 KB)\n"
    " Trainable params: 419 (1.64 KB)\n"
    " Non-trainable params: 0 (0.00 B)\n",
    "resnet_history": {
        "acc": [0.30556, 0.27778],
        "loss": [1.18851, 1.16897],
        "val_acc": [0.33333, 0.33333],
        "val_loss": [1.1972, 1.18951],
    },
    "layer_io": [
        ["dense_4", [None, 12], [None, 8]],
        ["dense_5", [None, 8], [None, 8]],
        ["dense_6", [None, 8], [None, 8]],
    ],
    "block_output": [
        [0.523, 0.4396, 0.0, 0.0, 0.0, 0.94729, 0.55491, 0.0],
        [0.0, 0.13873, 0.02191, 0.31594, 0.0, 0.20926, 0.0, 0.0],
    ],
    "model_io": [["inputs"], [None, 3]],
    "get_layer_error": "ValueError: No such layer: missing. Existing layers are: ['inputs', "
    "'dense_4', 'dense_5', 'dense_6', 'dense_7', 'add', 'dense_8', 'dropout', "
    "'dense_9'].",
    "input_shape_warning": [
        "Do not pass an `input_shape`/`input_dim` argument to a layer. When using "
        "Sequential models, prefer using an `Input(shape)` object as the first "
        "layer in the model instead."
    ],
    "input_shape_model": [True, [None, 4], 2],
    "frozen_batchnorm_counts": [4, 0, 4],
    "frozen_batchnorm_paths": [
        "batch_normalization/gamma",
        "batch_normalization/beta",
        "batch_normalization/moving_mean",
        "batch_normalization/moving_variance",
    ],
}


# What `schedules_and_objects_guide(keras)` returned under Keras 3.15.1 (TensorFlow 2.21 backend).
GOLDEN_SCHEDULES_AND_OBJECTS: dict[str, Any] = {
    "polynomial": {
        "config": {
            "initial_learning_rate": 0.1,
            "decay_steps": 6,
            "end_learning_rate": 0.01,
            "power": 2.0,
            "cycle": False,
            "name": "PolynomialDecay",
        },
        "rates": [0.1, 0.0725, 0.0325, 0.0125, 0.01, 0.01],
        "loss": [0.9082, 0.85863, 0.84649],
        "rate_now": 0.01,
    },
    "inverse_time": {
        "config": {
            "initial_learning_rate": 0.1,
            "decay_steps": 2,
            "decay_rate": 0.5,
            "staircase": True,
            "name": "InverseTimeDecay",
        },
        "rates": [0.1, 0.1, 0.06667, 0.05, 0.03333, 0.01667],
        "loss": [0.90057, 0.82087, 0.78516],
        "rate_now": 0.025,
    },
    "piecewise": {
        "config": {"boundaries": [3, 6], "values": [0.1, 0.05, 0.01], "name": "PiecewiseConstant"},
        "rates": [0.1, 0.1, 0.1, 0.05, 0.01, 0.01],
        "loss": [0.89751, 0.80054, 0.77868],
        "rate_now": 0.01,
    },
    "cosine": {
        "config": {
            "initial_learning_rate": 0.1,
            "decay_steps": 8,
            "alpha": 0.1,
            "name": "CosineDecay",
            "warmup_target": 0.2,
            "warmup_steps": 2,
        },
        "rates": [0.1, 0.15, 0.19315, 0.14444, 0.04636, 0.02],
        "loss": [0.87895, 0.72856, 0.68663],
        "rate_now": 0.02,
    },
    "serialized_optimizer": [
        "Adam",
        {
            "module": "keras.optimizers.schedules",
            "class_name": "ExponentialDecay",
            "config": {
                "initial_learning_rate": 0.01,
                "decay_steps": 100,
                "decay_rate": 0.96,
                "staircase": False,
                "name": "ExponentialDecay",
            },
            "registered_name": None,
        },
    ],
    "deserialized_optimizer": [
        "Adam",
        {
            "module": "keras.optimizers.schedules",
            "class_name": "ExponentialDecay",
            "config": {
                "initial_learning_rate": 0.01,
                "decay_steps": 100,
                "decay_rate": 0.96,
                "staircase": False,
                "name": "ExponentialDecay",
            },
            "registered_name": None,
        },
    ],
    "serialized_initializer": {
        "module": "keras.initializers",
        "class_name": "RandomNormal",
        "config": {"seed": 3, "mean": 0.0, "stddev": 0.5},
        "registered_name": None,
    },
    "registered_names": ["Dense", "Adam"],
    "registered_custom": ["MyLayers>StepDecay", True],
    "loaded_schedule": [
        {
            "module": "test_guides_replay_sweep",
            "class_name": "StepDecay",
            "config": {"rate": 0.5},
            "registered_name": "MyLayers>StepDecay",
        },
        0.5,
        0,
    ],
}


# What `files_guide(keras)` returned under Keras 3.15.1 (TensorFlow 2.21 backend).
GOLDEN_FILES: dict[str, Any] = {
    "members": ["config.json", "metadata.json", "model.weights.h5"],
    "metadata_keys": ["date_saved", "keras_version"],
    "config": {
        "module": "keras.src.models.functional",
        "class_name": "Functional",
        "config": {
            "name": "classifier",
            "trainable": True,
            "layers": [
                {
                    "module": "keras.layers",
                    "class_name": "InputLayer",
                    "config": {
                        "batch_shape": [None, 6],
                        "dtype": "float32",
                        "sparse": False,
                        "ragged": False,
                        "name": "features",
                        "optional": False,
                    },
                    "registered_name": None,
                    "name": "features",
                    "inbound_nodes": [],
                },
                {
                    "module": "keras.layers",
                    "class_name": "Dense",
                    "config": {
                        "name": "hidden",
                        "trainable": True,
                        "dtype": {
                            "module": "keras",
                            "class_name": "DTypePolicy",
                            "config": {"name": "float32"},
                            "registered_name": None,
                        },
                        "units": 4,
                        "activation": "relu",
                        "use_bias": True,
                        "kernel_initializer": {
                            "module": "keras.initializers",
                            "class_name": "GlorotUniform",
                            "config": {"seed": None, "input_axes": None, "output_axes": None},
                            "registered_name": None,
                        },
                        "bias_initializer": {
                            "module": "keras.initializers",
                            "class_name": "Zeros",
                            "config": {},
                            "registered_name": None,
                        },
                        "kernel_regularizer": None,
                        "bias_regularizer": None,
                        "kernel_constraint": None,
                        "bias_constraint": None,
                        "quantization_config": None,
                    },
                    "registered_name": None,
                    "build_config": {"input_shape": [None, 6]},
                    "name": "hidden",
                    "inbound_nodes": [
                        {
                            "args": [
                                {
                                    "class_name": "__keras_tensor__",
                                    "config": {
                                        "shape": [None, 6],
                                        "dtype": "float32",
                                        "keras_history": ["features", 0, 0],
                                    },
                                }
                            ],
                            "kwargs": {},
                        }
                    ],
                },
                {
                    "module": "keras.layers",
                    "class_name": "BatchNormalization",
                    "config": {
                        "name": "norm",
                        "trainable": True,
                        "dtype": {
                            "module": "keras",
                            "class_name": "DTypePolicy",
                            "config": {"name": "float32"},
                            "registered_name": None,
                            "shared_object_id": 0,
                        },
                        "axis": -1,
                        "momentum": 0.99,
                        "epsilon": 0.001,
                        "center": True,
                        "scale": True,
                        "beta_initializer": {
                            "module": "keras.initializers",
                            "class_name": "Zeros",
                            "config": {},
                            "registered_name": None,
                        },
                        "gamma_initializer": {
                            "module": "keras.initializers",
                            "class_name": "Ones",
                            "config": {},
                            "registered_name": None,
                        },
                        "moving_mean_initializer": {
                            "module": "keras.initializers",
                            "class_name": "Zeros",
                            "config": {},
                            "registered_name": None,
                        },
                        "moving_variance_initializer": {
                            "module": "keras.initializers",
                            "class_name": "Ones",
                            "config": {},
                            "registered_name": None,
                        },
                        "beta_regularizer": None,
                        "gamma_regularizer": None,
                        "beta_constraint": None,
                        "gamma_constraint": None,
                        "synchronized": False,
                        "renorm": False,
                        "renorm_clipping": None,
                        "renorm_momentum": 0.99,
                    },
                    "registered_name": None,
                    "build_config": {"input_shape": [None, 4]},
                    "name": "norm",
                    "inbound_nodes": [
                        {
                            "args": [
                                {
                                    "class_name": "__keras_tensor__",
                                    "config": {
                                        "shape": [None, 4],
                                        "dtype": "float32",
                                        "keras_history": ["hidden", 0, 0],
                                    },
                                }
                            ],
                            "kwargs": {"mask": None},
                        }
                    ],
                },
                {
                    "module": "keras.layers",
                    "class_name": "Dense",
                    "config": {
                        "name": "probabilities",
                        "trainable": True,
                        "dtype": {
                            "module": "keras",
                            "class_name": "DTypePolicy",
                            "config": {"name": "float32"},
                            "registered_name": None,
                            "shared_object_id": 0,
                        },
                        "units": 2,
                        "activation": "softmax",
                        "use_bias": True,
                        "kernel_initializer": {
                            "module": "keras.initializers",
                            "class_name": "GlorotUniform",
                            "config": {"seed": None, "input_axes": None, "output_axes": None},
                            "registered_name": None,
                        },
                        "bias_initializer": {
                            "module": "keras.initializers",
                            "class_name": "Zeros",
                            "config": {},
                            "registered_name": None,
                        },
                        "kernel_regularizer": None,
                        "bias_regularizer": None,
                        "kernel_constraint": None,
                        "bias_constraint": None,
                        "quantization_config": None,
                    },
                    "registered_name": None,
                    "build_config": {"input_shape": [None, 4]},
                    "name": "probabilities",
                    "inbound_nodes": [
                        {
                            "args": [
                                {
                                    "class_name": "__keras_tensor__",
                                    "config": {
                                        "shape": [None, 4],
                                        "dtype": "float32",
                                        "keras_history": ["norm", 0, 0],
                                    },
                                }
                            ],
                            "kwargs": {},
                        }
                    ],
                },
            ],
            "input_layers": ["features", 0, 0],
            "output_layers": ["probabilities", 0, 0],
        },
        "registered_name": "Functional",
        "build_config": {"input_shape": None},
        "compile_config": {
            "optimizer": {
                "module": "keras.optimizers",
                "class_name": "Adam",
                "config": {
                    "name": "adam",
                    "learning_rate": 0.001,
                    "weight_decay": None,
                    "clipnorm": None,
                    "global_clipnorm": None,
                    "clipvalue": None,
                    "use_ema": False,
                    "ema_momentum": 0.99,
                    "ema_overwrite_frequency": None,
                    "loss_scale_factor": None,
                    "gradient_accumulation_steps": None,
                    "beta_1": 0.9,
                    "beta_2": 0.999,
                    "epsilon": 0.0,
                    "amsgrad": False,
                },
                "registered_name": None,
            },
            "loss": "sparse_categorical_crossentropy",
            "loss_weights": None,
            "metrics": ["accuracy"],
            "weighted_metrics": None,
            "run_eagerly": False,
            "steps_per_execution": 1,
            "jit_compile": False,
        },
    },
    "weights_file": [
        ["layers/batch_normalization/vars/0", [4]],
        ["layers/batch_normalization/vars/1", [4]],
        ["layers/batch_normalization/vars/2", [4]],
        ["layers/batch_normalization/vars/3", [4]],
        ["layers/dense/vars/0", [6, 4]],
        ["layers/dense/vars/1", [4]],
        ["layers/dense_1/vars/0", [4, 2]],
        ["layers/dense_1/vars/1", [2]],
        ["optimizer/vars/0", []],
        ["optimizer/vars/1", []],
        ["optimizer/vars/10", [4, 2]],
        ["optimizer/vars/11", [4, 2]],
        ["optimizer/vars/12", [2]],
        ["optimizer/vars/13", [2]],
        ["optimizer/vars/2", [6, 4]],
        ["optimizer/vars/3", [6, 4]],
        ["optimizer/vars/4", [4]],
        ["optimizer/vars/5", [4]],
        ["optimizer/vars/6", [4]],
        ["optimizer/vars/7", [4]],
        ["optimizer/vars/8", [4]],
        ["optimizer/vars/9", [4]],
    ],
    "weights_only_file": [
        ["layers/batch_normalization/vars/0", [4]],
        ["layers/batch_normalization/vars/1", [4]],
        ["layers/batch_normalization/vars/2", [4]],
        ["layers/batch_normalization/vars/3", [4]],
        ["layers/dense/vars/0", [6, 4]],
        ["layers/dense/vars/1", [4]],
        ["layers/dense_1/vars/0", [4, 2]],
        ["layers/dense_1/vars/1", [2]],
        ["optimizer/vars/0", []],
        ["optimizer/vars/1", []],
        ["optimizer/vars/10", [4, 2]],
        ["optimizer/vars/11", [4, 2]],
        ["optimizer/vars/12", [2]],
        ["optimizer/vars/13", [2]],
        ["optimizer/vars/2", [6, 4]],
        ["optimizer/vars/3", [6, 4]],
        ["optimizer/vars/4", [4]],
        ["optimizer/vars/5", [4]],
        ["optimizer/vars/6", [4]],
        ["optimizer/vars/7", [4]],
        ["optimizer/vars/8", [4]],
        ["optimizer/vars/9", [4]],
    ],
    "to_json": {
        "module": "keras.src.models.functional",
        "class_name": "Functional",
        "config": {
            "name": "classifier",
            "trainable": True,
            "layers": [
                {
                    "module": "keras.layers",
                    "class_name": "InputLayer",
                    "config": {
                        "batch_shape": [None, 6],
                        "dtype": "float32",
                        "sparse": False,
                        "ragged": False,
                        "name": "features",
                        "optional": False,
                    },
                    "registered_name": None,
                    "name": "features",
                    "inbound_nodes": [],
                },
                {
                    "module": "keras.layers",
                    "class_name": "Dense",
                    "config": {
                        "name": "hidden",
                        "trainable": True,
                        "dtype": {
                            "module": "keras",
                            "class_name": "DTypePolicy",
                            "config": {"name": "float32"},
                            "registered_name": None,
                        },
                        "units": 4,
                        "activation": "relu",
                        "use_bias": True,
                        "kernel_initializer": {
                            "module": "keras.initializers",
                            "class_name": "GlorotUniform",
                            "config": {"seed": None, "input_axes": None, "output_axes": None},
                            "registered_name": None,
                        },
                        "bias_initializer": {
                            "module": "keras.initializers",
                            "class_name": "Zeros",
                            "config": {},
                            "registered_name": None,
                        },
                        "kernel_regularizer": None,
                        "bias_regularizer": None,
                        "kernel_constraint": None,
                        "bias_constraint": None,
                        "quantization_config": None,
                    },
                    "registered_name": None,
                    "build_config": {"input_shape": [None, 6]},
                    "name": "hidden",
                    "inbound_nodes": [
                        {
                            "args": [
                                {
                                    "class_name": "__keras_tensor__",
                                    "config": {
                                        "shape": [None, 6],
                                        "dtype": "float32",
                                        "keras_history": ["features", 0, 0],
                                    },
                                }
                            ],
                            "kwargs": {},
                        }
                    ],
                },
                {
                    "module": "keras.layers",
                    "class_name": "BatchNormalization",
                    "config": {
                        "name": "norm",
                        "trainable": True,
                        "dtype": {
                            "module": "keras",
                            "class_name": "DTypePolicy",
                            "config": {"name": "float32"},
                            "registered_name": None,
                        },
                        "axis": -1,
                        "momentum": 0.99,
                        "epsilon": 0.001,
                        "center": True,
                        "scale": True,
                        "beta_initializer": {
                            "module": "keras.initializers",
                            "class_name": "Zeros",
                            "config": {},
                            "registered_name": None,
                        },
                        "gamma_initializer": {
                            "module": "keras.initializers",
                            "class_name": "Ones",
                            "config": {},
                            "registered_name": None,
                        },
                        "moving_mean_initializer": {
                            "module": "keras.initializers",
                            "class_name": "Zeros",
                            "config": {},
                            "registered_name": None,
                        },
                        "moving_variance_initializer": {
                            "module": "keras.initializers",
                            "class_name": "Ones",
                            "config": {},
                            "registered_name": None,
                        },
                        "beta_regularizer": None,
                        "gamma_regularizer": None,
                        "beta_constraint": None,
                        "gamma_constraint": None,
                        "synchronized": False,
                        "renorm": False,
                        "renorm_clipping": None,
                        "renorm_momentum": 0.99,
                    },
                    "registered_name": None,
                    "build_config": {"input_shape": [None, 4]},
                    "name": "norm",
                    "inbound_nodes": [
                        {
                            "args": [
                                {
                                    "class_name": "__keras_tensor__",
                                    "config": {
                                        "shape": [None, 4],
                                        "dtype": "float32",
                                        "keras_history": ["hidden", 0, 0],
                                    },
                                }
                            ],
                            "kwargs": {"mask": None},
                        }
                    ],
                },
                {
                    "module": "keras.layers",
                    "class_name": "Dense",
                    "config": {
                        "name": "probabilities",
                        "trainable": True,
                        "dtype": {
                            "module": "keras",
                            "class_name": "DTypePolicy",
                            "config": {"name": "float32"},
                            "registered_name": None,
                        },
                        "units": 2,
                        "activation": "softmax",
                        "use_bias": True,
                        "kernel_initializer": {
                            "module": "keras.initializers",
                            "class_name": "GlorotUniform",
                            "config": {"seed": None, "input_axes": None, "output_axes": None},
                            "registered_name": None,
                        },
                        "bias_initializer": {
                            "module": "keras.initializers",
                            "class_name": "Zeros",
                            "config": {},
                            "registered_name": None,
                        },
                        "kernel_regularizer": None,
                        "bias_regularizer": None,
                        "kernel_constraint": None,
                        "bias_constraint": None,
                        "quantization_config": None,
                    },
                    "registered_name": None,
                    "build_config": {"input_shape": [None, 4]},
                    "name": "probabilities",
                    "inbound_nodes": [
                        {
                            "args": [
                                {
                                    "class_name": "__keras_tensor__",
                                    "config": {
                                        "shape": [None, 4],
                                        "dtype": "float32",
                                        "keras_history": ["norm", 0, 0],
                                    },
                                }
                            ],
                            "kwargs": {},
                        }
                    ],
                },
            ],
            "input_layers": ["features", 0, 0],
            "output_layers": ["probabilities", 0, 0],
        },
        "registered_name": "Functional",
        "build_config": {"input_shape": None},
        "compile_config": {
            "optimizer": {
                "module": "keras.optimizers",
                "class_name": "Adam",
                "config": {
                    "name": "adam",
                    "learning_rate": 0.001,
                    "weight_decay": None,
                    "clipnorm": None,
                    "global_clipnorm": None,
                    "clipvalue": None,
                    "use_ema": False,
                    "ema_momentum": 0.99,
                    "ema_overwrite_frequency": None,
                    "loss_scale_factor": None,
                    "gradient_accumulation_steps": None,
                    "beta_1": 0.9,
                    "beta_2": 0.999,
                    "epsilon": 0.0,
                    "amsgrad": False,
                },
                "registered_name": None,
            },
            "loss": "sparse_categorical_crossentropy",
            "loss_weights": None,
            "metrics": ["accuracy"],
            "weighted_metrics": None,
            "run_eagerly": False,
            "steps_per_execution": 1,
            "jit_compile": False,
        },
    },
    "get_config": {
        "name": "classifier",
        "trainable": True,
        "layers": [
            {
                "module": "keras.layers",
                "class_name": "InputLayer",
                "config": {
                    "batch_shape": [None, 6],
                    "dtype": "float32",
                    "sparse": False,
                    "ragged": False,
                    "name": "features",
                    "optional": False,
                },
                "registered_name": None,
                "name": "features",
                "inbound_nodes": [],
            },
            {
                "module": "keras.layers",
                "class_name": "Dense",
                "config": {
                    "name": "hidden",
                    "trainable": True,
                    "dtype": {
                        "module": "keras",
                        "class_name": "DTypePolicy",
                        "config": {"name": "float32"},
                        "registered_name": None,
                    },
                    "units": 4,
                    "activation": "relu",
                    "use_bias": True,
                    "kernel_initializer": {
                        "module": "keras.initializers",
                        "class_name": "GlorotUniform",
                        "config": {"seed": None, "input_axes": None, "output_axes": None},
                        "registered_name": None,
                    },
                    "bias_initializer": {
                        "module": "keras.initializers",
                        "class_name": "Zeros",
                        "config": {},
                        "registered_name": None,
                    },
                    "kernel_regularizer": None,
                    "bias_regularizer": None,
                    "kernel_constraint": None,
                    "bias_constraint": None,
                    "quantization_config": None,
                },
                "registered_name": None,
                "build_config": {"input_shape": [None, 6]},
                "name": "hidden",
                "inbound_nodes": [
                    {
                        "args": [
                            {
                                "class_name": "__keras_tensor__",
                                "config": {
                                    "shape": [None, 6],
                                    "dtype": "float32",
                                    "keras_history": ["features", 0, 0],
                                },
                            }
                        ],
                        "kwargs": {},
                    }
                ],
            },
            {
                "module": "keras.layers",
                "class_name": "BatchNormalization",
                "config": {
                    "name": "norm",
                    "trainable": True,
                    "dtype": {
                        "module": "keras",
                        "class_name": "DTypePolicy",
                        "config": {"name": "float32"},
                        "registered_name": None,
                    },
                    "axis": -1,
                    "momentum": 0.99,
                    "epsilon": 0.001,
                    "center": True,
                    "scale": True,
                    "beta_initializer": {
                        "module": "keras.initializers",
                        "class_name": "Zeros",
                        "config": {},
                        "registered_name": None,
                    },
                    "gamma_initializer": {
                        "module": "keras.initializers",
                        "class_name": "Ones",
                        "config": {},
                        "registered_name": None,
                    },
                    "moving_mean_initializer": {
                        "module": "keras.initializers",
                        "class_name": "Zeros",
                        "config": {},
                        "registered_name": None,
                    },
                    "moving_variance_initializer": {
                        "module": "keras.initializers",
                        "class_name": "Ones",
                        "config": {},
                        "registered_name": None,
                    },
                    "beta_regularizer": None,
                    "gamma_regularizer": None,
                    "beta_constraint": None,
                    "gamma_constraint": None,
                    "synchronized": False,
                    "renorm": False,
                    "renorm_clipping": None,
                    "renorm_momentum": 0.99,
                },
                "registered_name": None,
                "build_config": {"input_shape": [None, 4]},
                "name": "norm",
                "inbound_nodes": [
                    {
                        "args": [
                            {
                                "class_name": "__keras_tensor__",
                                "config": {
                                    "shape": [None, 4],
                                    "dtype": "float32",
                                    "keras_history": ["hidden", 0, 0],
                                },
                            }
                        ],
                        "kwargs": {"mask": None},
                    }
                ],
            },
            {
                "module": "keras.layers",
                "class_name": "Dense",
                "config": {
                    "name": "probabilities",
                    "trainable": True,
                    "dtype": {
                        "module": "keras",
                        "class_name": "DTypePolicy",
                        "config": {"name": "float32"},
                        "registered_name": None,
                    },
                    "units": 2,
                    "activation": "softmax",
                    "use_bias": True,
                    "kernel_initializer": {
                        "module": "keras.initializers",
                        "class_name": "GlorotUniform",
                        "config": {"seed": None, "input_axes": None, "output_axes": None},
                        "registered_name": None,
                    },
                    "bias_initializer": {
                        "module": "keras.initializers",
                        "class_name": "Zeros",
                        "config": {},
                        "registered_name": None,
                    },
                    "kernel_regularizer": None,
                    "bias_regularizer": None,
                    "kernel_constraint": None,
                    "bias_constraint": None,
                    "quantization_config": None,
                },
                "registered_name": None,
                "build_config": {"input_shape": [None, 4]},
                "name": "probabilities",
                "inbound_nodes": [
                    {
                        "args": [
                            {
                                "class_name": "__keras_tensor__",
                                "config": {
                                    "shape": [None, 4],
                                    "dtype": "float32",
                                    "keras_history": ["norm", 0, 0],
                                },
                            }
                        ],
                        "kwargs": {},
                    }
                ],
            },
        ],
        "input_layers": ["features", 0, 0],
        "output_layers": ["probabilities", 0, 0],
    },
    "paths": [
        "hidden/kernel",
        "hidden/bias",
        "norm/gamma",
        "norm/beta",
        "norm/moving_mean",
        "norm/moving_variance",
        "probabilities/kernel",
        "probabilities/bias",
    ],
    "trainable_paths": [
        "hidden/kernel",
        "hidden/bias",
        "norm/gamma",
        "norm/beta",
        "probabilities/kernel",
        "probabilities/bias",
    ],
    "uncompiled": [
        False,
        "AttributeError: 'Functional' object has no attribute 'optimizer'",
        "ValueError: You must call `compile()` before using the model.",
        [[0.66011, 0.33989], [0.50603, 0.49397]],
    ],
}


# What `printed_guide(keras)` returned under Keras 3.15.1 (TensorFlow 2.21 backend).
GOLDEN_PRINTED: dict[str, Any] = {
    "fit_verbose_1": "params: [('epochs', 2), ('steps', 3), ('verbose', 1)]\n"
    "Epoch 1/2\n"
    "\r"
    "\x1b[1m1/3\x1b[0m \x1b[32m━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━━━━━\x1b[0m "
    "\x1b[1mT\x1b[0m T/step - loss: 1.7957 - sparse_categorical_accuracy: 0.2500test "
    "params: [('epochs', 2), ('steps', 3), ('verbose', 1)]\n"
    "<bs>\r"
    "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m "
    "\x1b[1mT\x1b[0m T/step - loss: 1.7259 - sparse_categorical_accuracy: 0.1875 - "
    "val_loss: 1.5696 - val_sparse_categorical_accuracy: 0.1667\n"
    "Epoch 2/2\n"
    "\r"
    "\x1b[1m1/3\x1b[0m \x1b[32m━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━━━━━\x1b[0m "
    "\x1b[1mT\x1b[0m T/step - loss: 1.7126 - sparse_categorical_accuracy: 0.2500test "
    "params: [('epochs', 2), ('steps', 3), ('verbose', 1)]\n"
    "<bs>\r"
    "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m "
    "\x1b[1mT\x1b[0m T/step - loss: 1.6728 - sparse_categorical_accuracy: 0.2083 - "
    "val_loss: 1.5577 - val_sparse_categorical_accuracy: 0.1667\n",
    "history_params": {"verbose": 1, "epochs": 2, "steps": 3},
    "history_epoch": [0, 1],
    "evaluate_verbose_1": "test params: [('epochs', 1), ('steps', 2), ('verbose', 1)]\n"
    "\r"
    "\x1b[1m1/2\x1b[0m \x1b[32m━━━━━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━\x1b[0m "
    "\x1b[1mT\x1b[0m T/step - loss: 1.6434 - sparse_categorical_accuracy: "
    "0.2500<bs>\r"
    "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m "
    "\x1b[1mT\x1b[0m T/step - loss: 1.6260 - sparse_categorical_accuracy: "
    "0.2000\n",
    "evaluate": {"loss": 1.626, "sparse_categorical_accuracy": 0.2},
    "predict_verbose_1": "predict params: [('epochs', 1), ('steps', 2), ('verbose', 1)]\n"
    "\r"
    "\x1b[1m1/2\x1b[0m \x1b[32m━━━━━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━\x1b[0m "
    "\x1b[1mT\x1b[0m T/step<bs>\r"
    "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m "
    "\x1b[1mT\x1b[0m T/step\n",
    "batch_hooks_verbose_1": "[test batch 0: ['loss', 'sparse_categorical_accuracy']]\n"
    "\r"
    "\x1b[1m1/4\x1b[0m \x1b[32m━━━━━\x1b[0m\x1b[37m━━━━━━━━━━━━━━━\x1b[0m "
    "\x1b[1mT\x1b[0m T/step - loss: 1.6639 - sparse_categorical_accuracy: "
    "0.3125[test batch 1: ['loss', 'sparse_categorical_accuracy']]\n"
    "[test batch 2: ['loss', 'sparse_categorical_accuracy']]\n"
    "[test batch 3: ['loss', 'sparse_categorical_accuracy']]\n"
    "<bs>\r"
    "\x1b[1m4/4\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m "
    "\x1b[1mT\x1b[0m T/step - loss: 1.6260 - sparse_categorical_accuracy: "
    "0.2000\n"
    "[predict batch 0: (16, 5)]\n"
    "\r"
    "\x1b[1m1/4\x1b[0m \x1b[32m━━━━━\x1b[0m\x1b[37m━━━━━━━━━━━━━━━\x1b[0m "
    "\x1b[1mT\x1b[0m T/step[predict batch 1: (16, 5)]\n"
    "[predict batch 2: (16, 5)]\n"
    "[predict batch 3: (12, 5)]\n"
    "<bs>\r"
    "\x1b[1m4/4\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m "
    "\x1b[1mT\x1b[0m T/step\n",
    "fit_verbose_2": "4/4 - T - T/step - loss: 1.6208 - sparse_categorical_accuracy: 0.2333 - "
    "val_loss: 1.6415 - val_sparse_categorical_accuracy: 0.3000\n",
    "steps_printed": "Epoch 1/3\n"
    "2/2 - T - T/step - loss: 1.7974 - sparse_categorical_accuracy: 0.2000 - "
    "val_loss: 1.8695 - val_sparse_categorical_accuracy: 0.2000\n"
    "Epoch 2/3\n"
    "2/2 - T - T/step - loss: 1.6075 - sparse_categorical_accuracy: 0.2000 - "
    "val_loss: 1.8578 - val_sparse_categorical_accuracy: 0.2000\n"
    "Epoch 3/3\n"
    "2/2 - T - T/step - loss: 1.6670 - sparse_categorical_accuracy: 0.1500 - "
    "val_loss: 1.8410 - val_sparse_categorical_accuracy: 0.2000\n",
    "steps_history": {
        "loss": [1.7974, 1.60748, 1.66703],
        "sparse_categorical_accuracy": [0.2, 0.2, 0.15],
        "val_loss": [1.86948, 1.85783, 1.84095],
        "val_sparse_categorical_accuracy": [0.2, 0.2, 0.2],
    },
    "steps_params": {"verbose": 2, "epochs": 3, "steps": 2},
    "steps_evaluate": [1.65046, 0.26667],
    "steps_predict": [
        [0.2225, 0.04101, 0.13801, 0.227, 0.37148],
        [0.15499, 0.05953, 0.09096, 0.07071, 0.6238],
    ],
    "iterations": 6,
}


# What `end_to_end_transfer_guide(keras)` returned under Keras 3.15.1 (TensorFlow 2.21 backend).
GOLDEN_END_TO_END_TRANSFER: dict[str, Any] = {
    "summary": 'Model: "functional_1"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    "┃ Layer (type)                      ┃ Output Shape             ┃       Param # ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    "│ input_layer_1 (InputLayer)        │ (None, 16)               │             0 │\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ rescaling (Rescaling)             │ (None, 16)               │             0 │\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ pretrained (Sequential)           │ (None, 12)               │           252 │\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ dropout (Dropout)                 │ (None, 12)               │             0 │\n"
    "├───────────────────────────────────┼──────────────────────────┼───────────────┤\n"
    "│ dense_1 (Dense)                   │ (None, 1)                │            13 │\n"
    "└───────────────────────────────────┴──────────────────────────┴───────────────┘\n"
    " Total params: 265 (1.04 KB)\n"
    " Trainable params: 13 (52.00 B)\n"
    " Non-trainable params: 252 (1008.00 B)\n",
    "top": {
        "binary_accuracy": [0.48438, 0.48438],
        "loss": [0.70189, 0.70075],
        "val_binary_accuracy": [0.4375, 0.4375],
        "val_loss": [0.68649, 0.68589],
    },
    "fine_tune": {
        "binary_accuracy": [0.54688, 0.54688],
        "loss": [0.77583, 0.77569],
        "val_binary_accuracy": [0.4375, 0.4375],
        "val_loss": [0.68611, 0.68635],
    },
    "trainable_summary": 'Model: "functional_1"\n'
    "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━┓\n"
    "┃ Layer (type)                  ┃ Output Shape           ┃     Param # ┃ "
    "Trai… ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━┩\n"
    "│ input_layer_1 (InputLayer)    │ (None, 16)             │           0 │   "
    "-   │\n"
    "├───────────────────────────────┼────────────────────────┼─────────────┼───────┤\n"
    "│ rescaling (Rescaling)         │ (None, 16)             │           0 │   "
    "-   │\n"
    "├───────────────────────────────┼────────────────────────┼─────────────┼───────┤\n"
    "│ pretrained (Sequential)       │ (None, 12)             │         252 │   "
    "Y   │\n"
    "├───────────────────────────────┼────────────────────────┼─────────────┼───────┤\n"
    "│ dropout (Dropout)             │ (None, 12)             │           0 │   "
    "-   │\n"
    "├───────────────────────────────┼────────────────────────┼─────────────┼───────┤\n"
    "│ dense_1 (Dense)               │ (None, 1)              │          13 │   "
    "Y   │\n"
    "└───────────────────────────────┴────────────────────────┴─────────────┴───────┘\n"
    " Total params: 749 (2.93 KB)\n"
    " Trainable params: 241 (964.00 B)\n"
    " Non-trainable params: 24 (96.00 B)\n"
    " Optimizer params: 484 (1.89 KB)\n",
    "loaded": [
        True,
        [8, 2, 6],
        [0.70008, 0.48438],
        {
            "binary_accuracy": [0.48438],
            "loss": [0.69975],
            "val_binary_accuracy": [0.4375],
            "val_loss": [0.68537],
        },
    ],
}


# The UserWarnings each replay gave under Keras 3.15.1 (none for the others), a tensor's number as N: Keras
# counts a tensor for each layer of a Sequential when it builds, keras_lite when its graph is first read
# (docs/keras-compatibility.md, "How objects print").
KERAS_WARNINGS: dict[str, list[str]] = {
    "sequential_guide": [
        "The structure of `inputs` doesn't match the expected structure.\n"
        "Expected: ['keras_tensor_N']\n"
        "Received: inputs=Tensor(shape=(2, 16))"
    ]
}

REPLAYS: list[tuple[Callable[[ModuleType, str], dict[str, Any]], dict[str, Any]]] = [
    (sequential_guide, GOLDEN_SEQUENTIAL),
    (functional_guide, GOLDEN_FUNCTIONAL),
    (training_guide, GOLDEN_TRAINING),
    (callbacks_guide, GOLDEN_CALLBACKS),
    (saving_guide, GOLDEN_SAVING),
    (transfer_guide, GOLDEN_TRANSFER),
    (graphs_guide, GOLDEN_GRAPHS),
    (schedules_and_objects_guide, GOLDEN_SCHEDULES_AND_OBJECTS),
    (files_guide, GOLDEN_FILES),
    (printed_guide, GOLDEN_PRINTED),
    (end_to_end_transfer_guide, GOLDEN_END_TO_END_TRANSFER),
]


@pytest.mark.parametrize("replay, golden", REPLAYS, ids=[replay.__name__ for replay, _ in REPLAYS])
def test_guide_matches_keras(
    replay: Callable[[ModuleType, str], dict[str, Any]], golden: dict[str, Any], tmp_path: Any
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = replay(keras_lite, str(tmp_path))
    assert_matches(got, golden)
    said = sorted({str(w.message) for w in caught if issubclass(w.category, UserWarning)})
    assert [re.sub(r"keras_tensor_\d+", "keras_tensor_N", text) for text in said] == KERAS_WARNINGS.get(
        replay.__name__, []
    )


# ---- calling a model on data in another structure than its inputs: Keras's warning, word for word -------------
def _said(call: Callable[[], Any]) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


def test_a_model_called_on_inputs_in_another_structure_warns_as_keras() -> None:
    keras_lite.backend.clear_session()
    i = keras_lite.Input((3,))
    listed = keras_lite.Model(inputs=[i], outputs=keras_lite.layers.Dense(2)(i))
    x = np.ones((2, 3), "float32")
    # What Keras 3.15.1 warned, for an array and a DataFrame given to a model built from a list of its input:
    want = "The structure of `inputs` doesn't match the expected structure.\nExpected: ['keras_tensor']\n"
    assert _said(lambda: listed(x)) == [want + "Received: inputs=Tensor(shape=(2, 3))"]
    assert _said(lambda: listed(np.ones((2, 3)))) == [want + "Received: inputs=Tensor(shape=(2, 3))"]
    # ... and nothing for the list, predict, a model's own output (a tensor, as in Keras) or a symbolic call.
    tensor = listed([x])[:, :1] + x
    for call in (lambda: listed([x]), lambda: listed.predict(x, verbose=0), lambda: listed(tensor)):
        assert _said(call) == []
    assert _said(lambda: listed(keras_lite.Input((3,)))) == []
    j = keras_lite.Input((3,))
    bare = keras_lite.Model(inputs=j, outputs=keras_lite.layers.Dense(2)(j))
    # What Keras 3.15.1 warned for a list and a tuple of one array given to a model built from its input:
    want = f"The structure of `inputs` doesn't match the expected structure.\nExpected: {j.name}\n"
    assert _said(lambda: bare([x])) == [want + "Received: inputs=['Tensor(shape=(2, 3))']"]
    assert _said(lambda: bare((x,))) == [want + "Received: inputs=('Tensor(shape=(2, 3))',)"]
    assert _said(lambda: bare(x)) == []


# ---- the Sequential guide's add() refusals, in Keras 3.15.1's words ---------------------------------------------
def test_sequential_add_refuses_as_keras() -> None:
    keras_lite.backend.clear_session()
    layers = keras_lite.layers
    # What Keras 3.15.1 raised (ValueError each):
    with pytest.raises(ValueError) as caught:
        keras_lite.Sequential([layers.Dense(2, name="a"), layers.Dense(2, name="a")])
    assert str(caught.value) == (
        "All layers added to a Sequential model should have unique names. Name 'a' is already the name of a "
        "layer in this model. Update the `name` argument to pass a unique name."
    )
    model = keras_lite.Sequential([keras_lite.Input((3,)), layers.Dense(2)], name="s4")
    with pytest.raises(ValueError) as caught:
        model.add(keras_lite.Input((3,)))
    assert str(caught.value) == (
        "Sequential model 's4' has already been configured to use input shape (None, 3). You cannot add a "
        "different Input layer to it."
    )
    for item, shown in ((3, "3 (of type <class 'int'>)"), ("dense", "dense (of type <class 'str'>)")):
        with pytest.raises(ValueError) as caught:
            keras_lite.Sequential().add(item)
        assert str(caught.value) == (
            f"Only instances of `keras.Layer` can be added to a Sequential model. Received: {shown}"
        )
    # Keras 3.15.1 appends an Input given after the layers, where no layer reads it; keras_lite refuses it.
    with pytest.raises(ValueError, match="only have one input layer, and it must come first"):
        keras_lite.Sequential([layers.Dense(2), keras_lite.Input((3,))])
    assert [layer.name for layer in model.layers] == ["dense"] and model.input_shape == (None, 3)  # unchanged


# ---- a frozen Sequential rebuilt from its config: its layers' flags, not its own ----------------------------------
def test_a_sequential_from_its_config_reads_its_layers_trainable_not_its_own(tmp_path: Any) -> None:
    layers = keras_lite.layers
    model = keras_lite.Sequential([keras_lite.Input(shape=(4,)), layers.Dense(3), layers.Dense(2)])
    model.trainable = False
    model.layers[0].trainable = True
    # Keras 3.15.1's Sequential.from_config leaves the model's own `trainable` unread: True, and the layer made
    # trainable again trains (its kernel and bias), from a config, a JSON string and a file alike.
    path = str(tmp_path / "frozen.keras")
    model.save(path)
    for rebuilt in (
        keras_lite.Sequential.from_config(model.get_config()),
        keras_lite.models.model_from_json(model.to_json()),
        keras_lite.models.load_model(path),
    ):
        assert rebuilt.trainable and [layer.trainable for layer in rebuilt.layers] == [True, False]
        assert len(rebuilt.trainable_weights) == 2 and len(rebuilt.non_trainable_weights) == 2
    # ... while clone_model keeps it, as Keras 3.15.1's does.
    clone = keras_lite.models.clone_model(model)
    assert not clone.trainable and clone.trainable_weights == []


# ---- a known difference: trainable changed without compiling again ---------------------------------------------
def test_unfreezing_without_compiling_again_counts_the_optimizer_state_of_the_weights_trainable_now() -> None:
    # The transfer-learning guide prints the summary after `base_model.trainable = True`, before compiling again.
    # Keras 3.15.1 printed "Optimizer params: 10 (44.00 B)" here (the slots of the top Dense it compiled with);
    # keras_lite trains the unfrozen weights at the next fit and counts their slots (docs/keras-compatibility.md,
    # "compile() again").
    keras_lite.backend.clear_session()
    layers = keras_lite.layers
    base = keras_lite.Sequential([keras_lite.Input((4,)), layers.Dense(5), layers.Dense(3)])
    base.trainable = False
    inputs = keras_lite.Input((4,))
    model = keras_lite.Model(inputs, layers.Dense(1)(base(inputs, training=False)))
    model.compile("adam", "mse")
    model.fit(np.ones((8, 4), "float32"), np.ones((8, 1), "float32"), verbose=0)
    assert "Optimizer params: 10 (44.00 B)" in _printed(lambda: model.summary())[1]
    base.trainable = True
    assert "Optimizer params: 96 (388.00 B)" in _printed(lambda: model.summary())[1]  # 2 x 47 + 2
    model.compile(keras_lite.optimizers.Adam(1e-5), "mse")
    assert "Optimizer params" not in _printed(lambda: model.summary())[1]  # as Keras: not built yet


# ---- what the guides use that keras_lite refuses, each with a message naming it -------------------------------
def test_the_guides_layers_beyond_dense_networks_are_refused_by_name() -> None:
    layers = keras_lite.layers
    for name, make in (
        ("Conv2D", lambda: layers.Conv2D(32, 3, activation="relu")),  # type: ignore[attr-defined]
        ("MaxPooling2D", lambda: layers.MaxPooling2D(3)),  # type: ignore[attr-defined]
        ("GlobalMaxPooling2D", lambda: layers.GlobalMaxPooling2D()),  # type: ignore[attr-defined]
        ("Embedding", lambda: layers.Embedding(1000, 64)),  # type: ignore[attr-defined]
        ("LSTM", lambda: layers.LSTM(32)),  # type: ignore[attr-defined]
    ):
        with pytest.raises(AttributeError, match=rf"does not support keras\.layers\.{name} yet"):
            make()
    with pytest.raises(AttributeError, match=r"does not support keras\.ops yet"):
        keras_lite.ops.mean  # type: ignore[attr-defined]  # noqa: B018


def test_the_guides_custom_code_is_refused_by_name() -> None:
    layers = keras_lite.layers
    model = keras_lite.Sequential([keras_lite.Input((4,)), layers.Dense(2)])

    def custom_mean_squared_error(y_true: Any, y_pred: Any) -> Any:
        return ((y_true - y_pred) ** 2).mean(axis=-1)

    with pytest.raises(
        keras_lite.NotSupportedError, match="custom loss functions.*custom_mean_squared_error"
    ):
        model.compile("adam", loss=custom_mean_squared_error)
    with pytest.raises(
        keras_lite.NotSupportedError, match="custom metric functions.*custom_mean_squared_error"
    ):
        model.compile("adam", loss="mse", metrics=[custom_mean_squared_error])

    class CustomMSE(keras_lite.losses.Loss):
        def call(self, y_true: Any, y_pred: Any) -> Any:
            return 0.0

    with pytest.raises(keras_lite.NotSupportedError, match="Loss subclass with its own call.*CustomMSE"):
        model.compile("adam", loss=CustomMSE())

    class CategoricalTruePositives(keras_lite.metrics.Metric):
        def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
            pass

        def result(self) -> Any:
            return 0.0

    with pytest.raises(keras_lite.NotSupportedError, match="CategoricalTruePositives works on its own"):
        model.compile(
            "adam", loss="mse", metrics=[CategoricalTruePositives(name="categorical_true_positives")]
        )

    @keras_lite.saving.register_keras_serializable(package="my_package", name="custom_fn")
    def custom_fn(x: Any) -> Any:
        return x**2

    with pytest.raises(keras_lite.NotSupportedError, match="custom activation functions.*custom_fn"):
        layers.Dense(3, activation=custom_fn)

    class CustomModel(keras_lite.Model):
        def train_step(self, data: Any) -> Any:
            return {}

    inputs = keras_lite.Input((4,))
    with pytest.raises(keras_lite.NotSupportedError, match=r"model subclassing \(CustomModel\)"):
        CustomModel(inputs, layers.Dense(1)(inputs))
    with pytest.raises(AttributeError, match=r"Sequential\.add_loss"):
        model.add_loss(1.0)


def test_the_functional_guides_several_outputs_and_shared_layers_are_refused() -> None:
    keras_lite.backend.clear_session()
    layers = keras_lite.layers
    initial = keras_lite.Sequential(
        [
            keras_lite.Input(shape=(16,)),
            layers.Dense(8, activation="relu"),
            layers.Dense(4, activation="relu"),
        ]
    )
    with pytest.raises(
        keras_lite.NotSupportedError, match="several outputs"
    ):  # the guide's feature extractor
        keras_lite.Model(inputs=initial.inputs, outputs=[layer.output for layer in initial.layers])
    shared = layers.Dense(3)
    shared(keras_lite.Input((4,)))
    with pytest.raises(keras_lite.NotSupportedError, match="calling a layer twice"):
        shared(keras_lite.Input((4,)))
