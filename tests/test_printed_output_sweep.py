"""What fit, evaluate, predict, the callbacks and ``summary()`` print, character for character against the text
Keras 3.15.1 (TensorFlow backend) printed for the same calls.

Each case below is a small program of ``keras`` and a folder for files. GOLDEN holds, for each, what Keras
3.15.1 wrote to stdout, as a terminal shows it (``rendered``: of each line only what follows its last ``\\r``,
the bar's backspaces and trailing blanks dropped, its colour codes kept) with the clock replaced: ``T/step``
for ``56ms/step``, ``T/sample`` likewise, ``- Ts -`` for a ``verbose=2`` line's seconds and ``\\x1b[1mT\\x1b[0m``
for the bar's elapsed time or ETA, ``<dir>`` for the folder. The models start from fixed weights (``ones``,
``zeros``) and train with ``SGD(0.01)`` without shuffling, so that both libraries print the same numbers.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import keras_lite as keras

Case = Callable[[Any, str], None]
CASES: dict[str, Case] = {}


def case(fn: Case, name: str | None = None) -> Case:
    CASES[name or fn.__name__] = fn
    return fn


def lines(*text: str) -> str:
    return "\n".join(text)


def rendered(text: str, folder: str) -> str:
    """``text`` as a terminal leaves it, its timings and ``folder`` replaced (see the module's docstring)."""
    lines = [re.sub(r"\x08+", "", line).split("\r")[-1].rstrip() for line in text.split("\n")]
    out = "\n".join(lines).replace(folder, "<dir>")
    out = re.sub(r"\d+(ms|us|s)/(step|sample)", r"T/\2", out)
    out = re.sub(r"(\x1b\[1m)\d+(:\d+)*s?(\x1b\[0m)", r"\1T\3", out)
    return re.sub(r" - \d+s - ", " - Ts - ", out)


def x_of(n: int = 10, d: int = 3) -> np.ndarray:
    return (np.arange(n * d, dtype="float32").reshape(n, d) % 7) / 7.0


def y_of(n: int = 10) -> np.ndarray:
    return (np.arange(n) % 2).astype("float32")


def dense_model(k: Any, activation: str | None = None, name: str | None = None) -> Any:
    layer = k.layers.Dense(1, activation=activation, kernel_initializer="ones", bias_initializer="zeros")
    return k.Sequential([k.Input((3,)), layer], name=name)


def compiled(k: Any, model: Any = None, loss: str = "mse", **kwargs: Any) -> Any:
    model = dense_model(k) if model is None else model
    model.compile(optimizer=k.optimizers.SGD(0.01), loss=loss, **kwargs)
    return model


def rounded(values: Any) -> Any:
    if isinstance(values, dict):
        return {key: round(float(v), 4) for key, v in values.items()}
    if isinstance(values, list):
        return [round(float(v), 4) for v in values]
    return round(float(values), 4)


def batches(n: int, size: int = 4, loop: bool = False) -> Any:
    while True:
        for _ in range(n):
            yield x_of(size), y_of(size)
        if not loop:
            return


def dataset(k: Any, n: int = 3, size: int = 4) -> Any:
    class Batches(k.utils.PyDataset):  # type: ignore[name-defined,misc]
        def __len__(self) -> int:
            return n

        def __getitem__(self, index: int) -> Any:
            return x_of(size), y_of(size)

    return Batches()


# ---- fit, evaluate and predict on arrays, for each verbose ---------------------------------------------------
for _verbose in (1, 2, "auto", 0):

    def _fit(k: Any, folder: str, v: Any = _verbose) -> None:
        compiled(k).fit(x_of(), y_of(), epochs=2, batch_size=4, verbose=v, shuffle=False)

    def _fit_val(k: Any, folder: str, v: Any = _verbose) -> None:
        model = compiled(k, metrics=["mae"])
        model.fit(
            x_of(),
            y_of(),
            epochs=2,
            batch_size=5,
            verbose=v,
            shuffle=False,
            validation_data=(x_of(4), y_of(4)),
        )

    def _fit_split(k: Any, folder: str, v: Any = _verbose) -> None:
        compiled(k).fit(
            x_of(), y_of(), epochs=1, batch_size=3, verbose=v, shuffle=False, validation_split=0.3
        )

    def _evaluate(k: Any, folder: str, v: Any = _verbose) -> None:
        print(rounded(compiled(k, metrics=["mae"]).evaluate(x_of(), y_of(), batch_size=4, verbose=v)))

    def _predict(k: Any, folder: str, v: Any = _verbose) -> None:
        print(dense_model(k).predict(x_of(), batch_size=4, verbose=v).shape)

    case(_fit, f"fit_arrays_v{_verbose}")
    case(_fit_val, f"fit_validation_data_v{_verbose}")
    case(_fit_split, f"fit_validation_split_v{_verbose}")
    case(_evaluate, f"evaluate_v{_verbose}")
    case(_predict, f"predict_v{_verbose}")


@case
def fit_steps_per_epoch(k: Any, folder: str) -> None:
    for verbose in (1, 2):
        compiled(k).fit(
            x_of(), y_of(), epochs=2, batch_size=2, steps_per_epoch=3, verbose=verbose, shuffle=False
        )


@case
def fit_validation_freq(k: Any, folder: str) -> None:
    data = dict(epochs=4, batch_size=5, shuffle=False, validation_data=(x_of(4), y_of(4)))
    compiled(k).fit(x_of(), y_of(), verbose=2, validation_freq=2, **data)
    compiled(k).fit(x_of(), y_of(), verbose=1, validation_freq=[1, 3], **data)


@case
def fit_initial_epoch(k: Any, folder: str) -> None:
    print(
        compiled(k)
        .fit(x_of(), y_of(), epochs=4, initial_epoch=2, batch_size=5, verbose=1, shuffle=False)
        .epoch
    )
    compiled(k).fit(x_of(), y_of(), epochs=3, initial_epoch=1, batch_size=5, verbose=2, shuffle=False)


@case
def fit_no_epochs_one_row_many_batches(k: Any, folder: str) -> None:
    print(compiled(k).fit(x_of(), y_of(), epochs=0, batch_size=5, verbose=1).history)
    compiled(k).fit(x_of(1), y_of(1), epochs=1, verbose=1)
    compiled(k).fit(x_of(250), y_of(250), epochs=1, batch_size=2, verbose=2, shuffle=False)


@case
def fit_twice(k: Any, folder: str) -> None:
    model = compiled(k)
    for _ in range(2):
        model.fit(x_of(), y_of(), epochs=1, batch_size=5, verbose=1, shuffle=False)


@case
def fit_validation_steps(k: Any, folder: str) -> None:
    val = (x_of(8), y_of(8))
    compiled(k).fit(
        x_of(), y_of(), batch_size=5, verbose=1, shuffle=False, validation_data=val, validation_batch_size=2,
        validation_steps=2,
    )  # fmt: skip


# ---- generators and PyDatasets -------------------------------------------------------------------------------
@case
def fit_generator(k: Any, folder: str) -> None:
    compiled(k).fit(batches(3), epochs=1, verbose=1)
    compiled(k).fit(batches(3), epochs=1, verbose=2)
    compiled(k).fit(batches(3, loop=True), epochs=2, steps_per_epoch=3, verbose=1)
    val = batches(2, loop=True)
    compiled(k).fit(
        batches(3, loop=True), epochs=2, steps_per_epoch=2, verbose=2, validation_data=val, validation_steps=2
    )


@case
def fit_pydataset(k: Any, folder: str) -> None:
    compiled(k, metrics=["mae"]).fit(dataset(k), epochs=2, verbose=1)
    compiled(k).fit(dataset(k), epochs=2, verbose=2, validation_data=dataset(k, 2))


@case
def evaluate_generator_and_pydataset(k: Any, folder: str) -> None:
    print(rounded(compiled(k, metrics=["mae"]).evaluate(batches(3), verbose=1)))
    print(rounded(compiled(k).evaluate(batches(3), verbose=2)))
    print(rounded(compiled(k).evaluate(batches(3, loop=True), steps=2, verbose=1)))
    print(rounded(compiled(k).evaluate(dataset(k), verbose=1)))
    print(rounded(compiled(k).evaluate(dataset(k), verbose=2)))


@case
def evaluate_steps_and_dict(k: Any, folder: str) -> None:
    print(rounded(compiled(k).evaluate(x_of(), y_of(), batch_size=2, steps=3, verbose=1)))
    print(rounded(compiled(k, metrics=["mae", "mse"]).evaluate(x_of(), y_of(), verbose=2, return_dict=True)))
    model = compiled(k)
    print(repr(rounded(model.evaluate(x_of(), y_of(), verbose=0))), model.metrics_names)


@case
def predict_datasets_and_steps(k: Any, folder: str) -> None:
    model = dense_model(k)
    print(model.predict(dataset(k), verbose=1).shape, model.predict(dataset(k), verbose=2).shape)
    print(model.predict(x_of(), batch_size=2, steps=2, verbose=1).shape)
    print(model.predict(x_of(1000), verbose=1).shape)
    print(model.predict(x_of(3), batch_size=100, verbose=1))
    print(model.predict(x_of(3), verbose=2))


# ---- inputs, weights, metrics and the way numbers are written -------------------------------------------------
@case
def fit_dict_inputs(k: Any, folder: str) -> None:
    a, b = k.Input((2,), name="a"), k.Input((1,), name="b")
    out = k.layers.Dense(1, kernel_initializer="ones")(k.layers.Concatenate()([a, b]))
    model = compiled(k, k.Model({"a": a, "b": b}, out))
    x = {"a": x_of()[:, :2], "b": x_of()[:, 2:]}
    model.fit(x, y_of(), epochs=1, batch_size=4, verbose=1, shuffle=False)
    model.fit(x, y_of(), epochs=1, batch_size=4, verbose=2, shuffle=False)


@case
def fit_sample_weight_weighted_metrics(k: Any, folder: str) -> None:
    model = compiled(k, metrics=["mae"], weighted_metrics=["mae", "mse"])
    sw = np.linspace(0.5, 2, 10).astype("float32")
    val = (x_of(4), y_of(4), sw[:4])
    model.fit(x_of(), y_of(), sample_weight=sw, batch_size=4, verbose=2, shuffle=False, validation_data=val)
    print(rounded(model.evaluate(x_of(), y_of(), sample_weight=sw, verbose=2)))


@case
def fit_metric_objects(k: Any, folder: str) -> None:
    metrics = [k.metrics.BinaryAccuracy(), k.metrics.AUC(name="my_auc"), k.metrics.Precision(), "accuracy"]
    model = compiled(k, dense_model(k, "sigmoid"), "binary_crossentropy", metrics=metrics)
    model.fit(x_of(), y_of(), epochs=1, batch_size=4, verbose=2, shuffle=False)
    model.fit(x_of(), y_of(), epochs=1, batch_size=4, verbose=1, shuffle=False)


@case
def fit_multiclass(k: Any, folder: str) -> None:
    model = k.Sequential([k.Input((3,)), k.layers.Dense(4, activation="softmax", kernel_initializer="ones")])
    metrics = ["accuracy", "sparse_top_k_categorical_accuracy"]
    compiled(k, model, "sparse_categorical_crossentropy", metrics=metrics)
    y = (np.arange(10) % 4).astype("float32")
    model.fit(x_of(), y, epochs=1, batch_size=4, verbose=2, shuffle=False, validation_split=0.2)


@case
def fit_small_values(k: Any, folder: str) -> None:
    model = compiled(
        k, k.Sequential([k.Input((3,)), k.layers.Dense(1, kernel_initializer="zeros")]), metrics=["mae"]
    )
    model.fit(x_of(), y_of() * 1e-4, epochs=1, batch_size=5, verbose=2, shuffle=False)
    model.fit(x_of(), y_of() * 1e-4, epochs=1, batch_size=5, verbose=1, shuffle=False)
    print(rounded(model.evaluate(x_of(), np.zeros(10), verbose=1)))


@case
def fit_infinite_loss(k: Any, folder: str) -> None:
    compiled(k).fit(x_of() * 1e30, y_of(), epochs=1, batch_size=5, verbose=2, shuffle=False)


@case
def fit_negative_values(k: Any, folder: str) -> None:
    # verbose=2 writes every value at or below 1e-3 (so every negative one) as 1.2345e-01; the bar, by its size.
    model = compiled(k, loss="cosine_similarity", metrics=["cosine_similarity"])
    model.fit(x_of(), y_of(), epochs=1, batch_size=5, verbose=2, shuffle=False)
    model.fit(x_of(), y_of(), epochs=1, batch_size=5, verbose=1, shuffle=False)
    print(rounded(model.evaluate(x_of(), y_of(), verbose=2)))


@case
def fit_long_metric_name(k: Any, folder: str) -> None:
    metric = k.metrics.MeanAbsoluteError(
        name="a_really_long_metric_name_for_testing_how_lines_wrap_in_output"
    )
    val = (x_of(4), y_of(4))
    compiled(k, metrics=[metric]).fit(
        x_of(), y_of(), batch_size=5, verbose=1, shuffle=False, validation_data=val
    )


def diverging(k: Any) -> Any:
    model = k.Sequential([k.Input((3,)), k.layers.Dense(1, kernel_initializer="ones")])
    model.compile(optimizer=k.optimizers.SGD(1e18), loss="mse")
    return model


@case
def fit_nan_loss(k: Any, folder: str) -> None:
    diverging(k).fit(x_of(), y_of() * 10, epochs=1, batch_size=2, verbose=1, shuffle=False)
    diverging(k).fit(x_of(), y_of() * 10, epochs=2, batch_size=2, verbose=2, shuffle=False)


# ---- callbacks -----------------------------------------------------------------------------------------------
def fit_with(k: Any, callback: Any, verbose: int = 1, epochs: int = 4, **kwargs: Any) -> Any:
    model = kwargs.pop("model", None) or compiled(k)
    return model.fit(
        x_of(), y_of(), epochs=epochs, batch_size=kwargs.pop("batch_size", 5), verbose=verbose, shuffle=False,
        callbacks=[callback], **kwargs,
    )  # fmt: skip


@case
def early_stopping(k: Any, folder: str) -> None:
    fit_with(k, k.callbacks.EarlyStopping(monitor="loss", patience=1, min_delta=100, verbose=1))
    es = k.callbacks.EarlyStopping(patience=1, min_delta=100, verbose=1, restore_best_weights=True)
    fit_with(k, es, verbose=2, validation_data=(x_of(4), y_of(4)))
    es = k.callbacks.EarlyStopping(monitor="loss", patience=5, verbose=1, restore_best_weights=True)
    fit_with(k, es, verbose=2, epochs=2)
    es = k.callbacks.EarlyStopping(
        monitor="loss", patience=2, baseline=1e-4, verbose=1, restore_best_weights=True
    )
    fit_with(k, es, verbose=2, epochs=5)


@case
def early_stopping_on_accuracy(k: Any, folder: str) -> None:
    model = compiled(k, dense_model(k, "sigmoid"), "binary_crossentropy", metrics=["accuracy"])
    es = k.callbacks.EarlyStopping(
        monitor="accuracy", patience=0, verbose=1, start_from_epoch=1, restore_best_weights=True
    )
    fit_with(k, es, verbose=2, model=model)


@case
def reduce_lr_on_plateau(k: Any, folder: str) -> None:
    fit_with(
        k, k.callbacks.ReduceLROnPlateau(monitor="loss", patience=1, min_delta=100, factor=0.5, verbose=1)
    )
    cb = k.callbacks.ReduceLROnPlateau(
        monitor="loss", patience=0, min_delta=100, factor=0.1, min_lr=5e-4, verbose=1
    )
    fit_with(k, cb, verbose=2)
    model = compiled(k)
    cb = k.callbacks.ReduceLROnPlateau(
        monitor="loss", patience=0, min_delta=100, factor=0.3, cooldown=1, verbose=1
    )
    fit_with(k, cb, verbose=2, epochs=5, model=model)
    print(round(float(model.optimizer.learning_rate), 6))


@case
def model_checkpoint(k: Any, folder: str) -> None:
    path = os.path.join(folder, "m.weights.h5")
    cb = k.callbacks.ModelCheckpoint(
        path, monitor="loss", save_best_only=True, save_weights_only=True, verbose=1
    )
    fit_with(k, cb, epochs=3)
    path = os.path.join(folder, "m.keras")
    fit_with(
        k, k.callbacks.ModelCheckpoint(path, monitor="loss", mode="max", save_best_only=True, verbose=1), 2, 3
    )
    path = os.path.join(folder, "e{epoch:02d}.weights.h5")
    fit_with(k, k.callbacks.ModelCheckpoint(path, save_weights_only=True, verbose=1), 2, 2)
    print(sorted(os.listdir(folder)))


@case
def model_checkpoint_save_freq(k: Any, folder: str) -> None:
    path = os.path.join(folder, "b{epoch:02d}-{batch:02d}.weights.h5")
    fit_with(k, k.callbacks.ModelCheckpoint(path, save_weights_only=True, verbose=1, save_freq=2), 2, 2)
    path = os.path.join(folder, "b.weights.h5")
    cb = k.callbacks.ModelCheckpoint(path, save_weights_only=True, verbose=1, save_freq=2)
    fit_with(k, cb, 1, 1, batch_size=2)
    cb = k.callbacks.ModelCheckpoint(
        path, monitor="loss", save_best_only=True, save_weights_only=True, verbose=1, save_freq=3
    )
    fit_with(k, cb, 2, 1, batch_size=2)
    print(sorted(os.listdir(folder)))


@case
def model_checkpoint_without_its_monitor(k: Any, folder: str) -> None:
    path = os.path.join(folder, "m.keras")
    fit_with(k, k.callbacks.ModelCheckpoint(path, save_best_only=True, verbose=1), 2, 1)


@case
def learning_rate_scheduler(k: Any, folder: str) -> None:
    fit_with(k, k.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5, verbose=1), epochs=2)
    fit_with(k, k.callbacks.LearningRateScheduler(lambda epoch: 0.001 / (epoch + 1), verbose=1), 2, 2)
    cb = k.callbacks.LearningRateScheduler(lambda epoch, lr: np.float32(0.1) ** (epoch + 1), verbose=1)
    fit_with(k, cb, 0, 2)


@case
def terminate_on_nan(k: Any, folder: str) -> None:
    kwargs = dict(epochs=2, batch_size=2)
    fit_with(k, k.callbacks.TerminateOnNaN(), 1, model=diverging(k), **kwargs)
    history = fit_with(k, k.callbacks.TerminateOnNaN(), 2, model=diverging(k), **kwargs)
    print(history.epoch, {key: len(v) for key, v in history.history.items()})
    val = (x_of(4), y_of(4))
    fit_with(k, k.callbacks.TerminateOnNaN(), 2, model=diverging(k), validation_data=val, **kwargs)


@case
def backup_csv_and_history(k: Any, folder: str) -> None:
    fit_with(k, k.callbacks.BackupAndRestore(os.path.join(folder, "backup")), 2, 2)
    fit_with(k, k.callbacks.CSVLogger(os.path.join(folder, "log.csv")), 0, 2)
    print(open(os.path.join(folder, "log.csv")).read())
    model = compiled(k, metrics=["mae"])
    history = model.fit(
        x_of(), y_of(), epochs=2, batch_size=5, verbose=0, shuffle=False, validation_split=0.2
    )
    print(sorted(history.history), history.params, history.epoch)
    print({key: rounded(v) for key, v in history.history.items()})


@case
def callback_prints_among_the_bar_lines(k: Any, folder: str) -> None:
    cb = k.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: print("begin", epoch),
        on_epoch_end=lambda epoch, logs: print("end", epoch, sorted(logs)),
        on_train_end=lambda logs: print("train end"),
    )
    fit_with(k, cb, 1, 2, validation_data=(x_of(4), y_of(4)))
    cb = k.callbacks.LambdaCallback(
        on_batch_end=lambda batch, logs: print("batch", batch, rounded(logs["loss"]))
    )
    fit_with(k, cb, 1, 1, batch_size=4)


# ---- summary() -----------------------------------------------------------------------------------------------
def graph(k: Any) -> Any:
    a, b = k.Input((3,), name="in_a"), k.Input((2,), name="in_b")
    h = k.layers.Dense(4, name="da")(a)
    out = k.layers.Dense(1, name="out")(k.layers.Concatenate(name="cat")([h, b]))
    return k.Model([a, b], out, name="fun")


def chain(k: Any) -> Any:
    a = k.Input((3,), name="in_a")
    h = k.layers.Dense(3, name="d2")(k.layers.Dense(4, name="d1")(a))
    return k.Model(a, k.layers.Dense(1, name="d3")(h), name="chain")


def nested(k: Any) -> Any:
    inner = k.Sequential(
        [k.Input((3,)), k.layers.Dense(4, name="i1"), k.layers.Dense(2, name="i2")], name="inner"
    )
    return k.Sequential(
        [k.Input((3,)), k.layers.Dense(3, name="pre"), inner, k.layers.Dense(1, name="post")], name="outer"
    )


@case
def summary_sequential_and_unbuilt(k: Any, folder: str) -> None:
    k.Sequential(
        [k.Input((3,)), k.layers.Dense(4, name="d1"), k.layers.Dropout(0.1), k.layers.Dense(1)], name="s"
    ).summary()
    k.Sequential([k.layers.Dense(4), k.layers.Dense(1)], name="unbuilt").summary()
    model = k.Sequential(
        [k.layers.Dense(4, name="a"), k.layers.Dropout(0.5, name="dr"), k.layers.Dense(1, name="b")]
    )
    model.summary(show_trainable=True)
    model.build((None, 3))
    model.summary()
    k.Sequential(name="empty").summary()


@case
def summary_graph_and_nested(k: Any, folder: str) -> None:
    graph(k).summary()
    nested(k).summary()
    nested(k).summary(expand_nested=True)
    inner = k.Sequential([k.Input((3,)), k.layers.Dense(4, name="i1")], name="inner")
    x = k.Input((3,), name="x")
    k.Model(x, k.layers.Dense(1, name="head")(inner(x)), name="outer_f").summary(
        expand_nested=True, show_trainable=True
    )


@case
def summary_trainable_and_frozen(k: Any, folder: str) -> None:
    layers = [
        k.Input((3,)),
        k.layers.Dense(4, name="d1"),
        k.layers.BatchNormalization(name="bn"),
        k.layers.Dense(1),
    ]
    model = k.Sequential(layers, name="tr")
    model.layers[0].trainable = False
    model.summary(show_trainable=True)
    inner = k.Sequential(
        [k.Input((3,)), k.layers.Dense(4, name="i1"), k.layers.Dense(4, name="i2")], name="inner"
    )
    inner.trainable = False
    outer = k.Sequential([k.Input((3,)), inner, k.layers.Dense(1, name="o")], name="outer")
    outer.summary(expand_nested=True, show_trainable=True)
    outer.compile(optimizer="adam", loss="mse")
    outer.fit(x_of(), y_of(), verbose=0)
    outer.summary()


@case
def summary_optimizer_params(k: Any, folder: str) -> None:
    model = k.Sequential(
        [k.Input((3,)), k.layers.Dense(4, name="d"), k.layers.Dense(1, name="e")], name="fitted"
    )
    model.compile(optimizer="adam", loss="mse")
    model.summary()
    model.fit(x_of(), y_of(), epochs=1, verbose=0)
    model.summary()
    model = k.Sequential([k.Input((3,)), k.layers.Dense(4, name="d")], name="fitted_sgd")
    model.compile(optimizer=k.optimizers.SGD(0.01, momentum=0.9), loss="mse")
    model.fit(x_of(), np.zeros((10, 4)), epochs=1, verbose=0)
    model.summary()


@case
def summary_optimizer_params_of_each_optimizer(k: Any, folder: str) -> None:
    made = [
        (name, {}) for name in ("SGD", "Adam", "AdamW", "Adamax", "Adagrad", "Adadelta", "RMSprop", "Nadam")
    ]
    made += [("Lion", {}), ("RMSprop", {"momentum": 0.5, "centered": True}), ("SGD", {"momentum": 0.9})]
    for name, kwargs in made:
        model = k.Sequential([k.Input((3,)), k.layers.Dense(2, name="d")], name="m")
        model.compile(getattr(k.optimizers, name)(**kwargs), "mse")
        model.fit(x_of(), np.zeros((10, 2)), verbose=0)
        texts: list[str] = []
        model.summary(print_fn=texts.append)
        print(name, kwargs, texts[0].strip().splitlines()[-4:])


@case
def summary_layer_kinds(k: Any, folder: str) -> None:
    norm = k.layers.Normalization(name="norm")
    norm.adapt(x_of())
    k.Sequential([k.Input((3,)), norm, k.layers.Dense(2, name="d")], name="withnorm").summary()
    k.Sequential(
        [k.Input((1000,)), k.layers.Dense(2000, name="big"), k.layers.Dense(10, name="small")], name="big"
    ).summary()
    acts = [k.layers.ReLU(name="r"), k.layers.LeakyReLU(name="lr"), k.layers.PReLU(name="p")]
    acts += [k.layers.LayerNormalization(name="ln"), k.layers.Softmax(name="s")]
    k.Sequential([k.Input((3,)), k.layers.Dense(4, name="d"), *acts], name="acts").summary()


@case
def summary_line_length_and_print_fn(k: Any, folder: str) -> None:
    model = k.Sequential([k.Input((3,)), k.layers.Dense(4, name="dense_with_a_long_layer_name")], name="ll")
    model.summary(line_length=60)
    lines: list[Any] = []
    model.summary(print_fn=lambda text, **kwargs: lines.append((text, sorted(kwargs))))
    for text, kwargs in lines:
        print(repr(text), kwargs)
    model.summary(print_fn=lambda text, line_break=None: print("LINE", repr(text[:30]), line_break))


@case
def summary_positions(k: Any, folder: str) -> None:
    k.Sequential([k.Input((3,)), k.layers.Dense(4, name="d")], name="pos").summary(positions=[0.5, 0.7, 1.0])
    model = nested(k)
    model.summary(positions=[0.2, 0.5, 1.0])
    model.summary(positions=[0.3, 0.6, 0.9], line_length=70)
    model.summary(positions=[0.3, 0.6, 1.0], show_trainable=True)
    model.summary(
        positions=[0.5, 0.9, 1.0], line_length=50, print_fn=lambda text, line_break=False: print(text.upper())
    )
    graph(k).summary(positions=[0.25, 0.5, 0.6, 1.0])
    graph(k).summary(positions=[0.25, 0.5, 0.6, 1.0, 1.2])  # the fifth is not used


@case
def summary_layer_range(k: Any, folder: str) -> None:
    model = chain(k)
    model.summary(layer_range=["d1", "d2"])
    model.summary(layer_range=["in", "d1"])  # regexes matched at the start of the names
    model.summary(layer_range=("d", "d"))  # the first match through the last
    model.summary(layer_range=["d3", "d2"])  # bounds given backwards
    graph(k).summary(layer_range=["da", "cat"], show_trainable=True)
    nested(k).summary(layer_range=["inner", "inner"], expand_nested=True)


@case
def reprs(k: Any, folder: str) -> None:
    dense = k.layers.Dense(3, name="dd")
    print(repr(dense), str(dense))
    model = k.Sequential([k.Input((3,)), dense], name="seqr")
    print(repr(model), str(model))
    print(
        repr(k.Input((3,), name="kin")),
        repr(k.layers.Dropout(0.5, name="drop")),
        repr(k.metrics.Mean(name="mm")),
    )
    layer = k.layers.Dense(2, kernel_initializer="ones", name="vd")
    layer.build((None, 2))
    print(repr(layer.kernel), str(layer.bias))


@case
def progbar_utility(k: Any, folder: str) -> None:
    bar = k.utils.Progbar(3, unit_name="sample", width=10)
    for step in range(1, 4):
        bar.update(step, [("x", step * 0.1)])
    bar = k.utils.Progbar(None, verbose=2)
    bar.update(2, [("y", 1.0)])
    bar.update(3, [("y", 2.0)], finalize=True)
    bar = k.utils.Progbar(100, verbose=1)
    bar.add(50, [("z", 1e-6)])
    bar.add(50, [("z", 123456.789)])


# What Keras 3.15.1 printed for each case above, rendered as the module's docstring says (one string a line).
GOLDEN: dict[str, str] = {
    "fit_arrays_v1": lines(
        "Epoch 1/2",
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1814",
        "Epoch 2/2",
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.0690",
        "",
    ),
    "fit_validation_data_v1": lines(
        "Epoch 1/2",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1930 - mae: 0.8578 - val_loss: 0.3893 - val_mae: 0.5611",
        "Epoch 2/2",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1168 - mae: 0.8342 - val_loss: 0.3421 - val_mae: 0.5179",
        "",
    ),
    "fit_validation_split_v1": lines(
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.2254 - val_loss: 0.9757",
        "",
    ),
    "evaluate_v1": lines(
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.2122 - mae: 0.8571",
        "[1.2122, 0.8571]",
        "",
    ),
    "predict_v1": lines(
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step",
        "(10, 1)",
        "",
    ),
    "fit_arrays_v2": lines(
        "Epoch 1/2",
        "3/3 - Ts - T/step - loss: 1.1814",
        "Epoch 2/2",
        "3/3 - Ts - T/step - loss: 1.0690",
        "",
    ),
    "fit_validation_data_v2": lines(
        "Epoch 1/2",
        "2/2 - Ts - T/step - loss: 1.1930 - mae: 0.8578 - val_loss: 0.3893 - val_mae: 0.5611",
        "Epoch 2/2",
        "2/2 - Ts - T/step - loss: 1.1168 - mae: 0.8342 - val_loss: 0.3421 - val_mae: 0.5179",
        "",
    ),
    "fit_validation_split_v2": lines(
        "3/3 - Ts - T/step - loss: 1.2254 - val_loss: 0.9757",
        "",
    ),
    "evaluate_v2": lines(
        "3/3 - Ts - T/step - loss: 1.2122 - mae: 0.8571",
        "[1.2122, 0.8571]",
        "",
    ),
    "predict_v2": lines(
        "3/3 - Ts - T/step",
        "(10, 1)",
        "",
    ),
    "fit_arrays_vauto": lines(
        "Epoch 1/2",
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1814",
        "Epoch 2/2",
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.0690",
        "",
    ),
    "fit_validation_data_vauto": lines(
        "Epoch 1/2",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1930 - mae: 0.8578 - val_loss: 0.3893 - val_mae: 0.5611",
        "Epoch 2/2",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1168 - mae: 0.8342 - val_loss: 0.3421 - val_mae: 0.5179",
        "",
    ),
    "fit_validation_split_vauto": lines(
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.2254 - val_loss: 0.9757",
        "",
    ),
    "evaluate_vauto": lines(
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.2122 - mae: 0.8571",
        "[1.2122, 0.8571]",
        "",
    ),
    "predict_vauto": lines(
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step",
        "(10, 1)",
        "",
    ),
    "fit_arrays_v0": lines(
        "",
    ),
    "fit_validation_data_v0": lines(
        "",
    ),
    "fit_validation_split_v0": lines(
        "",
    ),
    "evaluate_v0": lines(
        "[1.2122, 0.8571]",
        "",
    ),
    "predict_v0": lines(
        "(10, 1)",
        "",
    ),
    "fit_steps_per_epoch": lines(
        "Epoch 1/2",
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.6864",
        "Epoch 2/2",
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.8180",
        "Epoch 1/2",
        "3/3 - Ts - T/step - loss: 0.6864",
        "Epoch 2/2",
        "3/3 - Ts - T/step - loss: 1.8180",
        "",
    ),
    "fit_validation_freq": lines(
        "Epoch 1/4",
        "2/2 - Ts - T/step - loss: 1.1930",
        "Epoch 2/4",
        "2/2 - Ts - T/step - loss: 1.1168 - val_loss: 0.3421",
        "Epoch 3/4",
        "2/2 - Ts - T/step - loss: 1.0493",
        "Epoch 4/4",
        "2/2 - Ts - T/step - loss: 0.9895 - val_loss: 0.2658",
        "Epoch 1/4",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1930 - val_loss: 0.3893",
        "Epoch 2/4",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1168",
        "Epoch 3/4",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.0493 - val_loss: 0.3012",
        "Epoch 4/4",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.9895",
        "",
    ),
    "fit_initial_epoch": lines(
        "Epoch 3/4",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1930",
        "Epoch 4/4",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1168",
        "[2, 3]",
        "Epoch 2/3",
        "2/2 - Ts - T/step - loss: 1.1930",
        "Epoch 3/3",
        "2/2 - Ts - T/step - loss: 1.1168",
        "",
    ),
    "fit_no_epochs_one_row_many_batches": lines(
        "{}",
        "\x1b[1m1/1\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.1837",
        "125/125 - Ts - T/step - loss: 0.4912",
        "",
    ),
    "fit_twice": lines(
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1930",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1168",
        "",
    ),
    "fit_validation_steps": lines(
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1930 - val_loss: 0.3893",
        "",
    ),
    "fit_generator": lines(
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.4229",
        "3/3 - Ts - T/step - loss: 0.4229",
        "Epoch 1/2",
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.4229",
        "Epoch 2/2",
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.3656",
        "Epoch 1/2",
        "2/2 - Ts - T/step - loss: 0.4332 - val_loss: 0.4023",
        "Epoch 2/2",
        "2/2 - Ts - T/step - loss: 0.3928 - val_loss: 0.3653",
        "",
    ),
    "fit_pydataset": lines(
        "Epoch 1/2",
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.4229 - mae: 0.5899",
        "Epoch 2/2",
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.3656 - mae: 0.5405",
        "Epoch 1/2",
        "3/3 - Ts - T/step - loss: 0.4229 - val_loss: 0.3832",
        "Epoch 2/2",
        "3/3 - Ts - T/step - loss: 0.3656 - val_loss: 0.3323",
        "",
    ),
    "evaluate_generator_and_pydataset": lines(
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.4439 - mae: 0.6071",
        "[0.4439, 0.6071]",
        "3/3 - Ts - T/step - loss: 0.4439",
        "0.4439",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.4439",
        "0.4439",
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.4439",
        "0.4439",
        "3/3 - Ts - T/step - loss: 0.4439",
        "0.4439",
        "",
    ),
    "evaluate_steps_and_dict": lines(
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.7109",
        "0.7109",
        "1/1 - Ts - T/step - loss: 1.2122 - mae: 0.8571 - mse: 1.2122",
        "{'loss': 1.2122, 'mae': 0.8571, 'mse': 1.2122}",
        "1.2122 ['loss']",
        "",
    ),
    "predict_datasets_and_steps": lines(
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step",
        "3/3 - Ts - T/step",
        "(12, 1) (12, 1)",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step",
        "(4, 1)",
        "\x1b[1m32/32\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step",
        "(1000, 1)",
        "\x1b[1m1/1\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step",
        "[[0.42857146]",
        " [1.7142857 ]",
        " [1.        ]]",
        "1/1 - Ts - T/step",
        "[[0.42857146]",
        " [1.7142857 ]",
        " [1.        ]]",
        "",
    ),
    "fit_dict_inputs": lines(
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1814",
        "3/3 - Ts - T/step - loss: 1.0690",
        "",
    ),
    "fit_sample_weight_weighted_metrics": lines(
        "3/3 - Ts - T/step - loss: 1.6579 - mae: 0.8551 - mse: 1.3263 - val_loss: 0.2552 - val_mae: 0.5102 - val_mse: 0.3403 - val_weighted_mae: 0.5045 - weighted_mae: 0.8897",
        "1/1 - Ts - T/step - loss: 1.4996 - mae: 0.8070 - mse: 1.1997 - weighted_mae: 0.8573",
        "[1.4996, 0.807, 0.807, 1.1997, 0.8573]",
        "",
    ),
    "fit_metric_objects": lines(
        "3/3 - Ts - T/step - accuracy: 0.5000 - binary_accuracy: 0.5000 - loss: 0.9707 - my_auc: 0.3400 - precision: 0.5000",
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - accuracy: 0.5000 - binary_accuracy: 0.5000 - loss: 0.9666 - my_auc: 0.3400 - precision: 0.5000",
        "",
    ),
    "fit_multiclass": lines(
        "2/2 - Ts - T/step - accuracy: 0.2500 - loss: 1.3864 - sparse_top_k_categorical_accuracy: 1.0000 - val_accuracy: 0.0000e+00 - val_loss: 1.3868 - val_sparse_top_k_categorical_accuracy: 1.0000",
        "",
    ),
    "fit_small_values": lines(
        "2/2 - Ts - T/step - loss: 4.9349e-09 - mae: 4.9991e-05",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 4.6782e-09 - mae: 5.0087e-05",
        "\x1b[1m1/1\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 3.0463e-11 - mae: 5.4728e-06",
        "[0.0, 0.0]",
        "",
    ),
    "fit_infinite_loss": lines(
        "2/2 - Ts - T/step - loss: nan",
        "",
    ),
    "fit_negative_values": lines(
        "2/2 - Ts - T/step - cosine_similarity: 0.5000 - loss: -5.0000e-01",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - cosine_similarity: 0.5000 - loss: -0.5000",
        "1/1 - Ts - T/step - cosine_similarity: 0.5000 - loss: -5.0000e-01",
        "[-0.5, 0.5]",
        "",
    ),
    "fit_long_metric_name": lines(
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - a_really_long_metric_name_for_testing_how_lines_wrap_in_output: 0.8578 - loss: 1.1930 - val_a_really_long_metric_name_for_testing_how_lines_wrap_in_output: 0.5611 - val_loss: 0.3893",
        "",
    ),
    "fit_nan_loss": lines(
        "\x1b[1m5/5\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: nan",
        "Epoch 1/2",
        "5/5 - Ts - T/step - loss: nan",
        "Epoch 2/2",
        "5/5 - Ts - T/step - loss: nan",
        "",
    ),
    "early_stopping": lines(
        "Epoch 1/4",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1930",
        "Epoch 2/4",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1168",
        "Epoch 2: early stopping",
        "Epoch 1/4",
        "2/2 - Ts - T/step - loss: 1.1930 - val_loss: 0.3893",
        "Epoch 2/4",
        "2/2 - Ts - T/step - loss: 1.1168 - val_loss: 0.3421",
        "Epoch 2: early stopping",
        "Restoring model weights from the end of the best epoch: 1.",
        "Epoch 1/2",
        "2/2 - Ts - T/step - loss: 1.1930",
        "Epoch 2/2",
        "2/2 - Ts - T/step - loss: 1.1168",
        "Restoring model weights from the end of the best epoch: 2.",
        "Epoch 1/5",
        "2/2 - Ts - T/step - loss: 1.1930",
        "Epoch 2/5",
        "2/2 - Ts - T/step - loss: 1.1168",
        "Epoch 3/5",
        "2/2 - Ts - T/step - loss: 1.0493",
        "Epoch 4/5",
        "2/2 - Ts - T/step - loss: 0.9895",
        "Epoch 5/5",
        "2/2 - Ts - T/step - loss: 0.9364",
        "Restoring model weights from the end of the best epoch: 5.",
        "",
    ),
    "early_stopping_on_accuracy": lines(
        "Epoch 1/4",
        "2/2 - Ts - T/step - accuracy: 0.5000 - loss: 0.9710",
        "Epoch 2/4",
        "2/2 - Ts - T/step - accuracy: 0.5000 - loss: 0.9684",
        "Epoch 3/4",
        "2/2 - Ts - T/step - accuracy: 0.5000 - loss: 0.9657",
        "Epoch 3: early stopping",
        "Restoring model weights from the end of the best epoch: 2.",
        "",
    ),
    "reduce_lr_on_plateau": lines(
        "Epoch 1/4",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1930 - learning_rate: 0.0100",
        "Epoch 2/4",
        "\x1b[1m1/2\x1b[0m \x1b[32m━━━━━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.7714",
        "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.004999999888241291.",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1168 - learning_rate: 0.0100",
        "Epoch 3/4",
        "\x1b[1m1/2\x1b[0m \x1b[32m━━━━━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.7028",
        "Epoch 3: ReduceLROnPlateau reducing learning rate to 0.0024999999441206455.",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.0568 - learning_rate: 0.0050",
        "Epoch 4/4",
        "\x1b[1m1/2\x1b[0m \x1b[32m━━━━━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.6717",
        "Epoch 4: ReduceLROnPlateau reducing learning rate to 0.0012499999720603228.",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.0293 - learning_rate: 0.0025",
        "Epoch 1/4",
        "2/2 - Ts - T/step - loss: 1.1930 - learning_rate: 0.0100",
        "Epoch 2/4",
        "",
        "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.0009999999776482583.",
        "2/2 - Ts - T/step - loss: 1.1168 - learning_rate: 0.0100",
        "Epoch 3/4",
        "",
        "Epoch 3: ReduceLROnPlateau reducing learning rate to 0.0005.",
        "2/2 - Ts - T/step - loss: 1.0628 - learning_rate: 1.0000e-03",
        "Epoch 4/4",
        "2/2 - Ts - T/step - loss: 1.0571 - learning_rate: 5.0000e-04",
        "Epoch 1/5",
        "2/2 - Ts - T/step - loss: 1.1930 - learning_rate: 0.0100",
        "Epoch 2/5",
        "",
        "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.0029999999329447745.",
        "2/2 - Ts - T/step - loss: 1.1168 - learning_rate: 0.0100",
        "Epoch 3/5",
        "",
        "Epoch 3: ReduceLROnPlateau reducing learning rate to 0.0009000000078231095.",
        "2/2 - Ts - T/step - loss: 1.0598 - learning_rate: 0.0030",
        "Epoch 4/5",
        "",
        "Epoch 4: ReduceLROnPlateau reducing learning rate to 0.00026999999536201356.",
        "2/2 - Ts - T/step - loss: 1.0439 - learning_rate: 9.0000e-04",
        "Epoch 5/5",
        "",
        "Epoch 5: ReduceLROnPlateau reducing learning rate to 8.099999686237424e-05.",
        "2/2 - Ts - T/step - loss: 1.0393 - learning_rate: 2.7000e-04",
        "8.1e-05",
        "",
    ),
    "model_checkpoint": lines(
        "Epoch 1/3",
        "\x1b[1m1/2\x1b[0m \x1b[32m━━━━━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.8490",
        "Epoch 1: loss improved from None to 1.19299, saving model to <dir>/m.weights.h5",
        "",
        "Epoch 1: finished saving model to <dir>/m.weights.h5",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1930",
        "Epoch 2/3",
        "\x1b[1m1/2\x1b[0m \x1b[32m━━━━━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.7714",
        "Epoch 2: loss improved from 1.19299 to 1.11682, saving model to <dir>/m.weights.h5",
        "",
        "Epoch 2: finished saving model to <dir>/m.weights.h5",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1168",
        "Epoch 3/3",
        "\x1b[1m1/2\x1b[0m \x1b[32m━━━━━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.7028",
        "Epoch 3: loss improved from 1.11682 to 1.04933, saving model to <dir>/m.weights.h5",
        "",
        "Epoch 3: finished saving model to <dir>/m.weights.h5",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.0493",
        "Epoch 1/3",
        "",
        "Epoch 1: loss improved from None to 1.19299, saving model to <dir>/m.keras",
        "",
        "Epoch 1: finished saving model to <dir>/m.keras",
        "2/2 - Ts - T/step - loss: 1.1930",
        "Epoch 2/3",
        "",
        "Epoch 2: loss did not improve from 1.19299",
        "2/2 - Ts - T/step - loss: 1.1168",
        "Epoch 3/3",
        "",
        "Epoch 3: loss did not improve from 1.19299",
        "2/2 - Ts - T/step - loss: 1.0493",
        "Epoch 1/2",
        "",
        "Epoch 1: saving model to <dir>/e01.weights.h5",
        "",
        "Epoch 1: finished saving model to <dir>/e01.weights.h5",
        "2/2 - Ts - T/step - loss: 1.1930",
        "Epoch 2/2",
        "",
        "Epoch 2: saving model to <dir>/e02.weights.h5",
        "",
        "Epoch 2: finished saving model to <dir>/e02.weights.h5",
        "2/2 - Ts - T/step - loss: 1.1168",
        "['e01.weights.h5', 'e02.weights.h5', 'm.keras', 'm.weights.h5']",
        "",
    ),
    "model_checkpoint_save_freq": lines(
        "Epoch 1/2",
        "",
        "Epoch 1: saving model to <dir>/b01-02.weights.h5",
        "",
        "Epoch 1: finished saving model to <dir>/b01-02.weights.h5",
        "2/2 - Ts - T/step - loss: 1.1930",
        "Epoch 2/2",
        "",
        "Epoch 2: saving model to <dir>/b02-02.weights.h5",
        "",
        "Epoch 2: finished saving model to <dir>/b02-02.weights.h5",
        "2/2 - Ts - T/step - loss: 1.1168",
        "\x1b[1m1/5\x1b[0m \x1b[32m━━━━\x1b[0m\x1b[37m━━━━━━━━━━━━━━━━\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.3469",
        "Epoch 1: saving model to <dir>/b.weights.h5",
        "",
        "Epoch 1: finished saving model to <dir>/b.weights.h5",
        "",
        "Epoch 1: saving model to <dir>/b.weights.h5",
        "",
        "Epoch 1: finished saving model to <dir>/b.weights.h5",
        "\x1b[1m5/5\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1391",
        "",
        "Epoch 1: loss improved from None to 0.68641, saving model to <dir>/b.weights.h5",
        "",
        "Epoch 1: finished saving model to <dir>/b.weights.h5",
        "5/5 - Ts - T/step - loss: 1.1391",
        "['b.weights.h5', 'b01-02.weights.h5', 'b02-02.weights.h5']",
        "",
    ),
    "model_checkpoint_without_its_monitor": lines(
        "",
        "Epoch 1: finished saving model to <dir>/m.keras",
        "2/2 - Ts - T/step - loss: 1.1930",
        "",
    ),
    "learning_rate_scheduler": lines(
        "",
        "Epoch 1: LearningRateScheduler setting learning rate to 0.004999999888241291.",
        "Epoch 1/2",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.2025 - learning_rate: 0.0050",
        "",
        "Epoch 2: LearningRateScheduler setting learning rate to 0.0024999999441206455.",
        "Epoch 2/2",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1676 - learning_rate: 0.0025",
        "",
        "Epoch 1: LearningRateScheduler setting learning rate to 0.001.",
        "Epoch 1/2",
        "2/2 - Ts - T/step - loss: 1.2103 - learning_rate: 0.0010",
        "",
        "Epoch 2: LearningRateScheduler setting learning rate to 0.0005.",
        "Epoch 2/2",
        "2/2 - Ts - T/step - loss: 1.2031 - learning_rate: 5.0000e-04",
        "",
        "Epoch 1: LearningRateScheduler setting learning rate to 0.10000000149011612.",
        "",
        "Epoch 2: LearningRateScheduler setting learning rate to 0.010000000707805157.",
        "",
    ),
    "terminate_on_nan": lines(
        "Epoch 1/2",
        "\x1b[1m1/5\x1b[0m \x1b[32m━━━━\x1b[0m\x1b[37m━━━━━━━━━━━━━━━━\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.3469Batch 2: Invalid loss, terminating training",
        "\x1b[1m5/5\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: inf",
        "Epoch 1/2",
        "Batch 2: Invalid loss, terminating training",
        "5/5 - Ts - T/step - loss: inf",
        "[0] {'loss': 1}",
        "Epoch 1/2",
        "Batch 2: Invalid loss, terminating training",
        "5/5 - Ts - T/step - loss: inf - val_loss: nan",
        "",
    ),
    "backup_csv_and_history": lines(
        "Epoch 1/2",
        "2/2 - Ts - T/step - loss: 1.1930",
        "Epoch 2/2",
        "2/2 - Ts - T/step - loss: 1.1168",
        "epoch,loss,val_loss",
        "0,1.1929855346679688,NA",
        "1,1.1168243885040283,NA",
        "",
        "['loss', 'mae', 'val_loss', 'val_mae'] {'verbose': 0, 'epochs': 2, 'steps': 2} [0, 1]",
        "{'loss': [1.1354, 1.0661], 'mae': [0.8583, 0.8317], 'val_loss': [1.3819, 1.3036], 'val_mae': [0.852, 0.8471]}",
        "",
    ),
    "callback_prints_among_the_bar_lines": lines(
        "begin 0",
        "Epoch 1/2",
        "\x1b[1m1/2\x1b[0m \x1b[32m━━━━━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.8490end 0 ['loss', 'val_loss']",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1930 - val_loss: 0.3893",
        "begin 1",
        "Epoch 2/2",
        "\x1b[1m1/2\x1b[0m \x1b[32m━━━━━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.7714end 1 ['loss', 'val_loss']",
        "\x1b[1m2/2\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1168 - val_loss: 0.3421",
        "train end",
        "batch 0 0.4439",
        "\x1b[1m1/3\x1b[0m \x1b[32m━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━━━━━\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 0.4439batch 1 1.1315",
        "batch 2 1.1814",
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - loss: 1.1814",
        "",
    ),
    "summary_sequential_and_unbuilt": lines(
        'Model: "s"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ d1 (Dense)                      │ (None, 4)              │            16 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ dropout (Dropout)               │ (None, 4)              │             0 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ dense (Dense)                   │ (None, 1)              │             5 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 21 (84.00 B)",
        " Trainable params: 21 (84.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        'Model: "unbuilt"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ dense_1 (Dense)                 │ ?                      │   0 (unbuilt) │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ dense_2 (Dense)                 │ ?                      │   0 (unbuilt) │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 0 (0.00 B)",
        " Trainable params: 0 (0.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        'Model: "sequential"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓",
        "┃ Layer (type)                ┃ Output Shape          ┃    Param # ┃ Trai… ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩",
        "│ a (Dense)                   │ ?                     │          0 │   -   │",
        "│                             │                       │  (unbuilt) │       │",
        "├─────────────────────────────┼───────────────────────┼────────────┼───────┤",
        "│ dr (Dropout)                │ ?                     │          0 │   -   │",
        "├─────────────────────────────┼───────────────────────┼────────────┼───────┤",
        "│ b (Dense)                   │ ?                     │          0 │   -   │",
        "│                             │                       │  (unbuilt) │       │",
        "└─────────────────────────────┴───────────────────────┴────────────┴───────┘",
        " Total params: 0 (0.00 B)",
        " Trainable params: 0 (0.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        'Model: "sequential"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ a (Dense)                       │ (None, 4)              │            16 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ dr (Dropout)                    │ (None, 4)              │             0 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ b (Dense)                       │ (None, 1)              │             5 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 21 (84.00 B)",
        " Trainable params: 21 (84.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        'Model: "empty"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 0 (0.00 B)",
        " Trainable params: 0 (0.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        "",
    ),
    "summary_graph_and_nested": lines(
        'Model: "fun"',
        "┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩",
        "│ in_a (InputLayer)   │ (None, 3)         │          0 │ -                 │",
        "├─────────────────────┼───────────────────┼────────────┼───────────────────┤",
        "│ da (Dense)          │ (None, 4)         │         16 │ in_a[0][0]        │",
        "├─────────────────────┼───────────────────┼────────────┼───────────────────┤",
        "│ in_b (InputLayer)   │ (None, 2)         │          0 │ -                 │",
        "├─────────────────────┼───────────────────┼────────────┼───────────────────┤",
        "│ cat (Concatenate)   │ (None, 6)         │          0 │ da[0][0],         │",
        "│                     │                   │            │ in_b[0][0]        │",
        "├─────────────────────┼───────────────────┼────────────┼───────────────────┤",
        "│ out (Dense)         │ (None, 1)         │          7 │ cat[0][0]         │",
        "└─────────────────────┴───────────────────┴────────────┴───────────────────┘",
        " Total params: 23 (92.00 B)",
        " Trainable params: 23 (92.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        'Model: "outer"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ pre (Dense)                     │ (None, 3)              │            12 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ inner (Sequential)              │ (None, 2)              │            26 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ post (Dense)                    │ (None, 1)              │             3 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 41 (164.00 B)",
        " Trainable params: 41 (164.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        'Model: "outer"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ pre (Dense)                     │ (None, 3)              │            12 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ inner (Sequential)              │ (None, 2)              │            26 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│    └ i1 (Dense)                 │ (None, 4)              │            16 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│    └ i2 (Dense)                 │ (None, 2)              │            10 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ post (Dense)                    │ (None, 1)              │             3 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 41 (164.00 B)",
        " Trainable params: 41 (164.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        'Model: "outer_f"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓",
        "┃ Layer (type)                ┃ Output Shape          ┃    Param # ┃ Trai… ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩",
        "│ x (InputLayer)              │ (None, 3)             │          0 │   -   │",
        "├─────────────────────────────┼───────────────────────┼────────────┼───────┤",
        "│ inner (Sequential)          │ (None, 4)             │         16 │   Y   │",
        "├─────────────────────────────┼───────────────────────┼────────────┼───────┤",
        "│    └ i1 (Dense)             │ (None, 4)             │         16 │   Y   │",
        "├─────────────────────────────┼───────────────────────┼────────────┼───────┤",
        "│ head (Dense)                │ (None, 1)             │          5 │   Y   │",
        "└─────────────────────────────┴───────────────────────┴────────────┴───────┘",
        " Total params: 21 (84.00 B)",
        " Trainable params: 21 (84.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        "",
    ),
    "summary_trainable_and_frozen": lines(
        'Model: "tr"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓",
        "┃ Layer (type)                ┃ Output Shape          ┃    Param # ┃ Trai… ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩",
        "│ d1 (Dense)                  │ (None, 4)             │         16 │   N   │",
        "├─────────────────────────────┼───────────────────────┼────────────┼───────┤",
        "│ bn (BatchNormalization)     │ (None, 4)             │         16 │   Y   │",
        "├─────────────────────────────┼───────────────────────┼────────────┼───────┤",
        "│ dense (Dense)               │ (None, 1)             │          5 │   Y   │",
        "└─────────────────────────────┴───────────────────────┴────────────┴───────┘",
        " Total params: 37 (148.00 B)",
        " Trainable params: 13 (52.00 B)",
        " Non-trainable params: 24 (96.00 B)",
        'Model: "outer"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓",
        "┃ Layer (type)                ┃ Output Shape          ┃    Param # ┃ Trai… ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩",
        "│ inner (Sequential)          │ (None, 4)             │         36 │   N   │",
        "├─────────────────────────────┼───────────────────────┼────────────┼───────┤",
        "│    └ i1 (Dense)             │ (None, 4)             │         16 │   N   │",
        "├─────────────────────────────┼───────────────────────┼────────────┼───────┤",
        "│    └ i2 (Dense)             │ (None, 4)             │         20 │   N   │",
        "├─────────────────────────────┼───────────────────────┼────────────┼───────┤",
        "│ o (Dense)                   │ (None, 1)             │          5 │   Y   │",
        "└─────────────────────────────┴───────────────────────┴────────────┴───────┘",
        " Total params: 41 (164.00 B)",
        " Trainable params: 5 (20.00 B)",
        " Non-trainable params: 36 (144.00 B)",
        'Model: "outer"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ inner (Sequential)              │ (None, 4)              │            36 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ o (Dense)                       │ (None, 1)              │             5 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 53 (216.00 B)",
        " Trainable params: 5 (20.00 B)",
        " Non-trainable params: 36 (144.00 B)",
        " Optimizer params: 12 (52.00 B)",
        "",
    ),
    "summary_optimizer_params": lines(
        'Model: "fitted"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ d (Dense)                       │ (None, 4)              │            16 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ e (Dense)                       │ (None, 1)              │             5 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 21 (84.00 B)",
        " Trainable params: 21 (84.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        'Model: "fitted"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ d (Dense)                       │ (None, 4)              │            16 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ e (Dense)                       │ (None, 1)              │             5 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 65 (264.00 B)",
        " Trainable params: 21 (84.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        " Optimizer params: 44 (180.00 B)",
        'Model: "fitted_sgd"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ d (Dense)                       │ (None, 4)              │            16 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 34 (140.00 B)",
        " Trainable params: 16 (64.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        " Optimizer params: 18 (76.00 B)",
        "",
    ),
    "summary_layer_kinds": lines(
        'Model: "withnorm"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ norm (Normalization)            │ (None, 3)              │             7 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ d (Dense)                       │ (None, 2)              │             8 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 15 (64.00 B)",
        " Trainable params: 8 (32.00 B)",
        " Non-trainable params: 7 (32.00 B)",
        'Model: "big"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ big (Dense)                     │ (None, 2000)           │     2,002,000 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ small (Dense)                   │ (None, 10)             │        20,010 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 2,022,010 (7.71 MB)",
        " Trainable params: 2,022,010 (7.71 MB)",
        " Non-trainable params: 0 (0.00 B)",
        'Model: "acts"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ d (Dense)                       │ (None, 4)              │            16 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ r (ReLU)                        │ (None, 4)              │             0 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ lr (LeakyReLU)                  │ (None, 4)              │             0 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ p (PReLU)                       │ (None, 4)              │             4 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ ln (LayerNormalization)         │ (None, 4)              │             8 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ s (Softmax)                     │ (None, 4)              │             0 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 28 (112.00 B)",
        " Trainable params: 28 (112.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        "",
    ),
    "summary_line_length_and_print_fn": lines(
        'Model: "ll"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┓",
        "┃ Layer (type)             ┃ Output Shape      ┃   Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━┩",
        "│ dense_with_a_long_layer… │ (None, 4)         │        16 │",
        "│ (Dense)                  │                   │           │",
        "└──────────────────────────┴───────────────────┴───────────┘",
        " Total params: 16 (64.00 B)",
        " Trainable params: 16 (64.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        "'Model: \"ll\"\\n┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\\n┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃\\n┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\\n│ dense_with_a_long_layer_name    │ (None, 4)              │            16 │\\n│ (Dense)                         │                        │               │\\n└─────────────────────────────────┴────────────────────────┴───────────────┘\\n Total params: 16 (64.00 B)\\n Trainable params: 16 (64.00 B)\\n Non-trainable params: 0 (0.00 B)\\n' []",
        "LINE 'Model: \"ll\"\\n┏━━━━━━━━━━━━━━━━━' None",
        "",
    ),
    "summary_positions": lines(
        'Model: "pos"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━┓",
        "┃                                     ┃ Output      ┃                      ┃",
        "┃ Layer (type)                        ┃ Shape       ┃              Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━┩",
        "│ d (Dense)                           │ (None, 4)   │                   16 │",
        "└─────────────────────────────────────┴─────────────┴──────────────────────┘",
        " Total params: 16 (64.00 B)",
        " Trainable params: 16 (64.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        'Model: "outer"',
        "┏━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓",
        "┃ Layer (type) ┃ Output Shape        ┃                             Param # ┃",
        "┡━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩",
        "│ pre (Dense)  │ (None, 3)           │                                  12 │",
        "├──────────────┼─────────────────────┼─────────────────────────────────────┤",
        "│ inner        │ (None, 2)           │                                  26 │",
        "│ (Sequential) │                     │                                     │",
        "├──────────────┼─────────────────────┼─────────────────────────────────────┤",
        "│ post (Dense) │ (None, 1)           │                                   3 │",
        "└──────────────┴─────────────────────┴─────────────────────────────────────┘",
        " Total params: 41 (164.00 B)",
        " Trainable params: 41 (164.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        'Model: "outer"',
        "┏━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)         ┃ Output Shape         ┃              Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━┩",
        "│ pre (Dense)          │ (None, 3)            │                   12 │",
        "├──────────────────────┼──────────────────────┼──────────────────────┤",
        "│ inner (Sequential)   │ (None, 2)            │                   26 │",
        "├──────────────────────┼──────────────────────┼──────────────────────┤",
        "│ post (Dense)         │ (None, 1)            │                    3 │",
        "└──────────────────────┴──────────────────────┴──────────────────────┘",
        " Total params: 41 (164.00 B)",
        " Trainable params: 41 (164.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        'Model: "outer"',
        "┏━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━┓",
        "┃ Layer (type)      ┃ Output Shape       ┃                 Param # ┃ Trai… ┃",
        "┡━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━┩",
        "│ pre (Dense)       │ (None, 3)          │                      12 │   Y   │",
        "├───────────────────┼────────────────────┼─────────────────────────┼───────┤",
        "│ inner             │ (None, 2)          │                      26 │   Y   │",
        "│ (Sequential)      │                    │                         │       │",
        "├───────────────────┼────────────────────┼─────────────────────────┼───────┤",
        "│ post (Dense)      │ (None, 1)          │                       3 │   Y   │",
        "└───────────────────┴────────────────────┴─────────────────────────┴───────┘",
        " Total params: 41 (164.00 B)",
        " Trainable params: 41 (164.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        'MODEL: "OUTER"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━┓",
        "┃                        ┃                  ┃ P… ┃",
        "┃ LAYER (TYPE)           ┃ OUTPUT SHAPE     ┃  # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━┩",
        "│ PRE (DENSE)            │ (NONE, 3)        │ 12 │",
        "├────────────────────────┼──────────────────┼────┤",
        "│ INNER (SEQUENTIAL)     │ (NONE, 2)        │ 26 │",
        "├────────────────────────┼──────────────────┼────┤",
        "│ POST (DENSE)           │ (NONE, 1)        │  3 │",
        "└────────────────────────┴──────────────────┴────┘",
        " TOTAL PARAMS: 41 (164.00 B)",
        " TRAINABLE PARAMS: 41 (164.00 B)",
        " NON-TRAINABLE PARAMS: 0 (0.00 B)",
        "",
        'Model: "fun"',
        "┏━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓",
        "┃                  ┃                  ┃ Pa… ┃                              ┃",
        "┃ Layer (type)     ┃ Output Shape     ┃   # ┃ Connected to                 ┃",
        "┡━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩",
        "│ in_a             │ (None, 3)        │   0 │ -                            │",
        "│ (InputLayer)     │                  │     │                              │",
        "├──────────────────┼──────────────────┼─────┼──────────────────────────────┤",
        "│ da (Dense)       │ (None, 4)        │  16 │ in_a[0][0]                   │",
        "├──────────────────┼──────────────────┼─────┼──────────────────────────────┤",
        "│ in_b             │ (None, 2)        │   0 │ -                            │",
        "│ (InputLayer)     │                  │     │                              │",
        "├──────────────────┼──────────────────┼─────┼──────────────────────────────┤",
        "│ cat              │ (None, 6)        │   0 │ da[0][0], in_b[0][0]         │",
        "│ (Concatenate)    │                  │     │                              │",
        "├──────────────────┼──────────────────┼─────┼──────────────────────────────┤",
        "│ out (Dense)      │ (None, 1)        │   7 │ cat[0][0]                    │",
        "└──────────────────┴──────────────────┴─────┴──────────────────────────────┘",
        " Total params: 23 (92.00 B)",
        " Trainable params: 23 (92.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        'Model: "fun"',
        "┏━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓",
        "┃                  ┃                  ┃ Pa… ┃                              ┃",
        "┃ Layer (type)     ┃ Output Shape     ┃   # ┃ Connected to                 ┃",
        "┡━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩",
        "│ in_a             │ (None, 3)        │   0 │ -                            │",
        "│ (InputLayer)     │                  │     │                              │",
        "├──────────────────┼──────────────────┼─────┼──────────────────────────────┤",
        "│ da (Dense)       │ (None, 4)        │  16 │ in_a[0][0]                   │",
        "├──────────────────┼──────────────────┼─────┼──────────────────────────────┤",
        "│ in_b             │ (None, 2)        │   0 │ -                            │",
        "│ (InputLayer)     │                  │     │                              │",
        "├──────────────────┼──────────────────┼─────┼──────────────────────────────┤",
        "│ cat              │ (None, 6)        │   0 │ da[0][0], in_b[0][0]         │",
        "│ (Concatenate)    │                  │     │                              │",
        "├──────────────────┼──────────────────┼─────┼──────────────────────────────┤",
        "│ out (Dense)      │ (None, 1)        │   7 │ cat[0][0]                    │",
        "└──────────────────┴──────────────────┴─────┴──────────────────────────────┘",
        " Total params: 23 (92.00 B)",
        " Trainable params: 23 (92.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        "",
    ),
    "summary_layer_range": lines(
        'Model: "chain"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ d1 (Dense)                      │ (None, 4)              │            16 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ d2 (Dense)                      │ (None, 3)              │            15 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 35 (140.00 B)",
        " Trainable params: 35 (140.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        'Model: "chain"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ in_a (InputLayer)               │ (None, 3)              │             0 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ d1 (Dense)                      │ (None, 4)              │            16 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 35 (140.00 B)",
        " Trainable params: 35 (140.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        'Model: "chain"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ d1 (Dense)                      │ (None, 4)              │            16 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ d2 (Dense)                      │ (None, 3)              │            15 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ d3 (Dense)                      │ (None, 1)              │             4 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 35 (140.00 B)",
        " Trainable params: 35 (140.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        'Model: "chain"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ d2 (Dense)                      │ (None, 3)              │            15 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│ d3 (Dense)                      │ (None, 1)              │             4 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 35 (140.00 B)",
        " Trainable params: 35 (140.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        'Model: "fun"',
        "┏━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━┓",
        "┃ Layer (type)      ┃ Output Shape    ┃   Param # ┃ Connected to   ┃ Trai… ┃",
        "┡━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━┩",
        "│ da (Dense)        │ (None, 4)       │        16 │ in_a[0][0]     │   Y   │",
        "├───────────────────┼─────────────────┼───────────┼────────────────┼───────┤",
        "│ in_b (InputLayer) │ (None, 2)       │         0 │ -              │   -   │",
        "├───────────────────┼─────────────────┼───────────┼────────────────┼───────┤",
        "│ cat (Concatenate) │ (None, 6)       │         0 │ da[0][0],      │   -   │",
        "│                   │                 │           │ in_b[0][0]     │       │",
        "└───────────────────┴─────────────────┴───────────┴────────────────┴───────┘",
        " Total params: 23 (92.00 B)",
        " Trainable params: 23 (92.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        'Model: "outer"',
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
        "│ inner (Sequential)              │ (None, 2)              │            26 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│    └ i1 (Dense)                 │ (None, 4)              │            16 │",
        "├─────────────────────────────────┼────────────────────────┼───────────────┤",
        "│    └ i2 (Dense)                 │ (None, 2)              │            10 │",
        "└─────────────────────────────────┴────────────────────────┴───────────────┘",
        " Total params: 41 (164.00 B)",
        " Trainable params: 41 (164.00 B)",
        " Non-trainable params: 0 (0.00 B)",
        "",
    ),
    "reprs": lines(
        "<Dense name=dd, built=False> <Dense name=dd, built=False>",
        "<Sequential name=seqr, built=True> <Sequential name=seqr, built=True>",
        "<KerasTensor shape=(None, 3), dtype=float32, sparse=False, ragged=False, name=kin> <Dropout name=drop, built=True> <Mean name=mm>",
        "<Variable path=vd/kernel, shape=(2, 2), dtype=float32, value=[[1. 1.]",
        " [1. 1.]]> <Variable path=vd/bias, shape=(2,), dtype=float32, value=[0. 0.]>",
        "",
    ),
    "progbar_utility": lines(
        "\x1b[1m3/3\x1b[0m \x1b[32m━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/sample - x: 0.3000",
        "\x1b[1m100/100\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1mT\x1b[0m T/step - z: 123456.7890",
        "",
    ),
    "summary_optimizer_params_of_each_optimizer": lines(
        "SGD {} [' Total params: 10 (44.00 B)', ' Trainable params: 8 (32.00 B)', ' Non-trainable params: 0 (0.00 B)', ' Optimizer params: 2 (12.00 B)']",
        "Adam {} [' Total params: 26 (108.00 B)', ' Trainable params: 8 (32.00 B)', ' Non-trainable params: 0 (0.00 B)', ' Optimizer params: 18 (76.00 B)']",
        "AdamW {} [' Total params: 26 (108.00 B)', ' Trainable params: 8 (32.00 B)', ' Non-trainable params: 0 (0.00 B)', ' Optimizer params: 18 (76.00 B)']",
        "Adamax {} [' Total params: 26 (108.00 B)', ' Trainable params: 8 (32.00 B)', ' Non-trainable params: 0 (0.00 B)', ' Optimizer params: 18 (76.00 B)']",
        "Adagrad {} [' Total params: 18 (76.00 B)', ' Trainable params: 8 (32.00 B)', ' Non-trainable params: 0 (0.00 B)', ' Optimizer params: 10 (44.00 B)']",
        "Adadelta {} [' Total params: 26 (108.00 B)', ' Trainable params: 8 (32.00 B)', ' Non-trainable params: 0 (0.00 B)', ' Optimizer params: 18 (76.00 B)']",
        "RMSprop {} [' Total params: 18 (76.00 B)', ' Trainable params: 8 (32.00 B)', ' Non-trainable params: 0 (0.00 B)', ' Optimizer params: 10 (44.00 B)']",
        "Nadam {} [' Total params: 27 (112.00 B)', ' Trainable params: 8 (32.00 B)', ' Non-trainable params: 0 (0.00 B)', ' Optimizer params: 19 (80.00 B)']",
        "Lion {} [' Total params: 18 (76.00 B)', ' Trainable params: 8 (32.00 B)', ' Non-trainable params: 0 (0.00 B)', ' Optimizer params: 10 (44.00 B)']",
        "RMSprop {'momentum': 0.5, 'centered': True} [' Total params: 34 (140.00 B)', ' Trainable params: 8 (32.00 B)', ' Non-trainable params: 0 (0.00 B)', ' Optimizer params: 26 (108.00 B)']",
        "SGD {'momentum': 0.9} [' Total params: 18 (76.00 B)', ' Trainable params: 8 (32.00 B)', ' Non-trainable params: 0 (0.00 B)', ' Optimizer params: 10 (44.00 B)']",
        "",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_prints_what_keras_3_15_1_prints(
    name: str, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    keras.backend.clear_session()  # layers and models named by default are numbered from the start again
    CASES[name](keras, str(tmp_path))
    assert rendered(capsys.readouterr().out, str(tmp_path)) == GOLDEN[name]


def test_summary_layer_range_errors_name_what_was_received() -> None:
    model = chain(keras)
    # Keras 3.15.1 raised ValueError for each: "Passed layer_names do not match the layer names in the model.
    # Received: ['zz', 'd1']", "layer_range must be a list or tuple of length 2. Received: layer_range = ['d1']
    # of length 1" and "layer_range should contain string type only. Received: ['d1', 3]".
    for layer_range, message in (
        (
            ["zz", "d1"],
            "Passed layer_names do not match the layer names in the model. Received: layer_range=",
        ),
        (["d1"], "layer_range must be a list or tuple of length 2. Received: layer_range=['d1'] of length 1"),
        (["d1", 3], "layer_range should contain strings only. Received: layer_range=['d1', 3]"),
    ):
        with pytest.raises(ValueError, match=re.escape(message)):
            model.summary(layer_range=layer_range)
    # A nested model's layers are not the model's own: Keras 3.15.1 raised the first error above.
    with pytest.raises(ValueError, match="do not match"):
        nested(keras).summary(layer_range=["i1", "post"], expand_nested=True)


def test_summary_positions_must_cover_every_column() -> None:
    # Keras 3.15.1: "Insufficient console width to print summary." (ValueError) for a column narrower than 4,
    # and an IndexError for fewer positions than columns, where keras_lite says which columns it needs.
    with pytest.raises(ValueError, match="Insufficient console width"):
        graph(keras).summary(positions=[0.01, 0.5, 0.7, 1.0])
    with pytest.raises(ValueError, match=r"4 columns .*Received: positions=\[0.5, 1.0\]"):
        graph(keras).summary(positions=[0.5, 1.0])
    with pytest.raises(ValueError, match=r"3 columns .*Received: positions=\[0.5, 1.0\]"):
        nested(keras).summary(positions=[0.5, 1.0])


def test_an_input_named_by_default_prints_a_keras_tensor_name() -> None:
    # Keras 3.15.1 names the tensor of an Input without a name keras_tensor_<n>, counted with the layers'
    # outputs (its layer is input_layer_<n>), and an Input's given name is its tensor's.
    keras.backend.clear_session()
    a, b = keras.Input((3,)), keras.Input((2,))
    out = keras.layers.Dense(1)(keras.layers.Concatenate()([a, b]))
    assert (
        repr(a)
        == "<KerasTensor shape=(None, 3), dtype=float32, sparse=False, ragged=False, name=keras_tensor>"
    )
    assert (b.name, out.name) == ("keras_tensor_1", "keras_tensor_3")
    model = keras.Model([a, b], out)
    assert [layer.name for layer in model.layers[:2]] == ["input_layer", "input_layer_1"]
    stack = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    assert ([t.name for t in stack.inputs], [t.name for t in stack.outputs]) == (
        ["keras_tensor_4"],
        ["keras_tensor_5"],
    )
    keras.backend.clear_session()
    assert [keras.Input((3,), name="named").name, keras.Input((3,)).name] == ["named", "keras_tensor"]
    assert keras.layers.InputLayer(shape=(2,)).output.name == "keras_tensor_1"
    # Data by input is still read by the input layers' names, as Keras's messages name them.
    x = {"input_layer": np.ones((2, 3), "float32"), "input_layer_1": np.ones((2, 2), "float32")}
    assert model.predict(x, verbose=0).shape == (2, 1)
    with pytest.raises(ValueError, match="Input 0 with name 'input_layer' of model"):
        model.predict([np.ones((2, 4)), np.ones((2, 2))], verbose=0)


def test_the_optimizer_step_count_and_rate_print_as_keras_variables() -> None:
    optimizer = keras.optimizers.Adam(name="myopt")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer, "mse")
    model.fit(np.ones((4, 3)), np.ones(4), verbose=0)
    steps, rate = optimizer.iterations, optimizer.learning_rate
    # Keras 3.15.1 printed these for repr(), str(), f"{}" and "%s" of each.
    want_steps = "<Variable path=myopt/iteration, shape=(), dtype=int64, value=1>"
    want_rate = "<Variable path=myopt/learning_rate, shape=(), dtype=float32, value=0.0010000000474974513>"
    for text in (repr, str, "{}".format, "%s".__mod__):
        assert (text(steps), text(rate)) == (want_steps, want_rate)
    assert (
        repr(keras.optimizers.SGD().iterations)
        == "<Variable path=sgd/iteration, shape=(), dtype=int64, value=0>"
    )
    # They still read as numbers (Keras 3.15.1: int(steps) 1, steps.numpy() np.int64(1)).
    assert (int(steps), steps + 1, repr(steps.numpy()), f"{rate:.4f}") == (1, 2, "np.int64(1)", "0.0010")


def test_interactive_logging_off_sends_the_messages_to_the_absl_logger(
    tmp_path: Any, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    # Keras 3.15.1 with interactive logging off: nothing on stdout, one INFO record of the "absl" logger per
    # message it would print (a line without its newline; a bar's redraw as written), and clear_session()
    # turns it back on. Both settings are in keras.config and keras.utils.
    assert keras.config.is_interactive_logging_enabled() and keras.utils.is_interactive_logging_enabled()
    keras.config.disable_interactive_logging()
    try:
        assert not keras.utils.is_interactive_logging_enabled()
        with caplog.at_level(logging.INFO, logger="absl"):
            stop = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=10, verbose=1)
            fit_with(keras, stop, verbose=2, epochs=2)
            model = compiled(keras)
            model.summary(line_length=50)
            model.predict(x_of(), verbose=2)
    finally:
        keras.config.enable_interactive_logging()
    assert capsys.readouterr().out == ""
    messages = [rendered(r.getMessage(), str(tmp_path)) for r in caplog.records if r.name == "absl"]
    assert messages == [
        "Epoch 1/2",
        "2/2 - Ts - T/step - loss: 1.1930\n",
        "Epoch 2/2",
        "2/2 - Ts - T/step - loss: 1.1168\n",
        "Epoch 2: early stopping",
        lines(
            'Model: "sequential_1"',
            "┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━┓",
            "┃ Layer (type)        ┃ Output Shape   ┃ Param # ┃",
            "┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━┩",
            "│ dense_1 (Dense)     │ (None, 1)      │       4 │",
            "└─────────────────────┴────────────────┴─────────┘",
            " Total params: 4 (16.00 B)",
            " Trainable params: 4 (16.00 B)",
            " Non-trainable params: 0 (0.00 B)",
            "",
        ),
        "1/1 - Ts - T/step\n",
    ]
    keras.config.disable_interactive_logging()
    keras.backend.clear_session()
    assert keras.config.is_interactive_logging_enabled()


# keras.utils.Progbar(1, verbose=v, stateful_metrics=["m"]).update(1, [("m", value)]): what Keras 3.15.1 wrote
# after the bar's last " - " (verbose=1) and in the verbose=2 line.
PROGBAR_VALUES = [
    (0.001, "1.0000e-03", "1.0000e-03"),
    (0.0010001, "0.0010", "0.0010"),
    (-0.001, "-1.0000e-03", "-1.0000e-03"),
    (-0.0005, "-5.0000e-04", "-5.0000e-04"),
    (0.000999, "9.9900e-04", "9.9900e-04"),
    (0.0, "0.0000e+00", "0.0000e+00"),
    (-0.0, "-0.0000e+00", "-0.0000e+00"),
    (1e10, "10000000000.0000", "10000000000.0000"),
    (-1e10, "-10000000000.0000", "-1.0000e+10"),
    (123456789.123, "123456789.1230", "123456789.1230"),
    (float("nan"), "nan", "nan"),
    (float("inf"), "inf", "inf"),
    (float("-inf"), "-inf", "-inf"),
    (np.float32(0.1), "0.1000", "0.1000"),
    (np.array([0.5, -0.7]), "-0.1000", "-1.0000e-01"),
    (np.float64(2.5), "2.5000", "2.5000"),
    (7, "7.0000", "7.0000"),
    (True, "1.0000", "1.0000"),
    (np.int64(3), "3.0000", "3.0000"),
]


@pytest.mark.parametrize(("value", "in_bar", "in_line"), PROGBAR_VALUES)
def test_progbar_writes_each_value_as_keras_does(
    value: Any, in_bar: str, in_line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for verbose, want in ((1, in_bar), (2, in_line)):
        keras.utils.Progbar(1, verbose=verbose, stateful_metrics=["m"]).update(1, [("m", value)])
        assert capsys.readouterr().out.endswith(f" - m: {want}\n")


def test_a_generator_of_bare_arrays_is_refused_in_keras_words() -> None:
    # Keras 3.15.1: "When passing a Python generator to a Keras model, the generator must return a tuple, either
    # (input,) or (inputs, targets) or (inputs, targets, sample_weights). Received: [[0. ...]]" (ValueError);
    # keras_lite shortens what it received and says which argument it was.
    model = dense_model(keras)
    with pytest.raises(ValueError) as error:
        model.predict((x for x in [x_of(4)]), verbose=0)
    message = str(error.value)
    assert message.startswith(
        "When passing a Python generator to a Keras model, the generator must return a tuple, either (input,) or "
        "(inputs, targets) or (inputs, targets, sample_weights). Received: ndarray array([[0. "
    )
    assert message.endswith(" (as x).")
