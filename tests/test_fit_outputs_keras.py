"""What fit, evaluate and predict return and hand their callbacks, as Keras 3.15.1 does on in-memory arrays:
`params["verbose"]` as given, `metrics_names` with `compile_metrics` for weighted metrics alone, no `history`
before the first fit, and `steps=` reading that many batches."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite.models._stream_fit import _ArrayBatches

X = np.arange(40, dtype=np.float32).reshape(20, 2)
Y = (X[:, :1] * 0.3).astype(np.float32)


def _model(**compile_args: Any) -> Any:
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="ones")])
    model.compile(optimizer="sgd", loss="mse", **compile_args)
    return model


@pytest.mark.parametrize("verbose", ["auto", 0, 1, 2, True, False])
def test_callbacks_see_verbose_as_given(verbose: Any, capsys: pytest.CaptureFixture[str]) -> None:
    seen = {}

    class Record(keras.callbacks.Callback):
        def on_train_begin(self, logs: Any = None) -> None:
            seen["fit"] = self.params["verbose"]

        def on_test_begin(self, logs: Any = None) -> None:
            seen.setdefault("evaluate", self.params["verbose"])

        def on_predict_begin(self, logs: Any = None) -> None:
            seen["predict"] = self.params["verbose"]

    model = _model()
    history = model.fit(X, Y, epochs=1, verbose=verbose, callbacks=[Record()])
    model.evaluate(X, Y, verbose=verbose, callbacks=[Record()])
    model.predict(X, verbose=verbose, callbacks=[Record()])
    assert history.params["verbose"] == verbose and type(history.params["verbose"]) is type(verbose)
    assert seen == {"fit": verbose, "evaluate": verbose, "predict": verbose}
    printed = capsys.readouterr().out
    assert ("1/1" in printed) == (verbose in ("auto", 1, True, 2))  # True prints as 1 does


def test_metrics_names_and_history_as_keras() -> None:
    # Keras 3.15.1 builds its compiled-metrics container for either list, even empty.
    assert _model(weighted_metrics=["mae"]).metrics_names == ["loss", "compile_metrics"]
    assert _model(weighted_metrics=[]).metrics_names == ["loss", "compile_metrics"]
    assert _model(metrics=[]).metrics_names == ["loss", "compile_metrics"]
    assert _model().metrics_names == ["loss"]
    model = _model(weighted_metrics=["mae"])
    model.compile(optimizer="sgd", loss="mae")  # compiled again without metrics: Keras keeps them
    assert model.metrics_names == ["loss", "compile_metrics"]
    assert not hasattr(model, "history")  # Keras sets it in fit
    history = model.fit(X, Y, epochs=1, verbose=0)
    assert model.history is history


def test_steps_reads_that_many_batches_of_arrays() -> None:
    model = _model(metrics=["mae"])
    assert model.evaluate(X, Y, batch_size=8, steps=1, verbose=0) == model.evaluate(X[:8], Y[:8], verbose=0)
    weights = np.arange(20, dtype=np.float32)
    got = model.evaluate(X, Y, batch_size=8, steps=2, sample_weight=weights, verbose=0)
    assert got == model.evaluate(X[:16], Y[:16], sample_weight=weights[:16], verbose=0)
    assert model.predict(X, batch_size=8, steps=2, verbose=0).shape == (16, 1)
    assert model.predict(X, batch_size=8, steps=0, verbose=0).shape == (20, 1)  # Keras: no limit
    with pytest.warns(UserWarning, match="Your input ran out of data"):
        assert model.evaluate(X, Y, batch_size=8, steps=5, verbose=0) == model.evaluate(X, Y, verbose=0)
    with pytest.warns(UserWarning, match="Your input ran out of data"):
        assert model.predict(X, batch_size=8, steps=5, verbose=0).shape == (20, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.evaluate(X, Y, batch_size=8, steps=3, verbose=0)  # exactly the batches there are
    for bad in (-1, 1.5, "a", True):
        with pytest.raises(ValueError, match="steps must be a non-negative integer"):
            model.evaluate(X, Y, steps=bad, verbose=0)
    with pytest.raises(ValueError, match=r"shape \(20,\)"):
        model.evaluate(X, Y, sample_weight=np.ones(3), steps=1, verbose=0)


def test_compile_from_config_takes_keras_s_in_memory_tuples() -> None:
    # Keras 3.15.1's model.get_compile_config() after compile(metrics=("mae", "mse"), weighted_metrics=(MAE(),)).
    config = {
        "optimizer": "adam",
        "loss": "mse",
        "loss_weights": None,
        "metrics": ("mae", "mse"),
        "weighted_metrics": (
            {
                "module": "keras.metrics",
                "class_name": "MeanAbsoluteError",
                "config": {"name": "mean_absolute_error", "dtype": "float32"},
                "registered_name": None,
            },
        ),
        "run_eagerly": False,
        "steps_per_execution": 1,
        "jit_compile": False,
    }
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile_from_config(config)
    logs = model.evaluate(X, Y, verbose=0, return_dict=True)
    assert list(logs) == ["loss", "mae", "mean_absolute_error", "mse"]  # Keras's order


def _steps_model(out: str = "linear", device: str = "cpu") -> Any:
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(1, activation=out, kernel_initializer="zeros")]
    )
    model.to(device)
    model.compile(optimizer="sgd", loss="mse" if out == "linear" else "binary_crossentropy")
    return model


@pytest.mark.parametrize("device", DEVICES)
def test_steps_per_epoch_reads_arrays_as_keras_reads_them(device: str) -> None:
    # Keras 3.15.1, 100 rows in batches of 32 (4 per pass, the last of 4 rows), steps_per_epoch=3, no shuffle:
    # an epoch reads on where the last stopped, so epochs take 3, 1, 3, 1 steps (the short one warns that the
    # input ran out), with these losses and weights.
    x = np.random.default_rng(0).normal(size=(100, 3)).astype(np.float32)
    y = x.sum(1, keepdims=True)
    model, steps = _steps_model(device=device), []
    record = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda e, logs: steps.append(int(model.optimizer.iterations))
    )
    with pytest.warns(UserWarning, match="Your input ran out of data"):
        history = model.fit(
            x, y, batch_size=32, epochs=4, steps_per_epoch=3, shuffle=False, verbose=0, callbacks=[record]
        )
    assert steps == [3, 4, 7, 8] and history.params == {"verbose": 0, "epochs": 4, "steps": 3}
    np.testing.assert_allclose(history.history["loss"], [3.27942, 0.35616, 2.83426, 0.29176], atol=6e-6)
    np.testing.assert_allclose(model.get_weights()[0].ravel(), [0.1533644, 0.1222124, 0.12706198], rtol=1e-5)
    # validation_steps caps each validation pass (here one batch of the held-out last 20 rows).
    history = _steps_model(device=device).fit(
        x, y, batch_size=32, epochs=2, validation_split=0.2, validation_steps=1, shuffle=False, verbose=0
    )
    np.testing.assert_allclose(history.history["loss"], [3.25409, 2.81931], atol=6e-6)
    np.testing.assert_allclose(history.history["val_loss"], [2.63439, 2.28014], atol=6e-6)


def test_steps_per_epoch_with_weights_several_inputs_and_shuffling() -> None:
    rng = np.random.default_rng(0)
    xa, xb = rng.normal(size=(50, 3)).astype(np.float32), rng.normal(size=(50, 2)).astype(np.float32)
    y = (xa.sum(1) > 0).astype(np.float32)
    sw = rng.uniform(size=50).astype(np.float32)
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    out = keras.layers.Dense(1, activation="sigmoid", kernel_initializer="zeros")(
        keras.layers.Concatenate()([a, b])
    )
    model = keras.Model({"a": a, "b": b}, out)
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    with pytest.warns(UserWarning, match="ran out of data"):
        history = model.fit(
            {"a": xa, "b": xb},
            y,
            batch_size=16,
            epochs=3,
            steps_per_epoch=3,
            shuffle=False,
            verbose=0,
            sample_weight=sw,
        )
    # Keras 3.15.1's values.
    np.testing.assert_allclose(history.history["loss"], [0.385378, 0.443567, 0.383057], atol=2e-6)
    np.testing.assert_allclose(history.history["accuracy"], [0.708333, 0.5, 0.9375], atol=2e-6)
    weighted = _steps_model("sigmoid").fit(
        xa,
        y,
        batch_size=16,
        epochs=3,
        steps_per_epoch=2,
        shuffle=False,
        verbose=0,
        class_weight={0: 1.0, 1: 3.0},
    )
    np.testing.assert_allclose(weighted.history["loss"], [1.466571, 1.36362, 1.423216], atol=2e-6)
    # Shuffled: each pass reads every row once, in a new order (a pass starts at its first batch).
    x = np.arange(30, dtype=np.float32).reshape(10, 3)
    batches = _ArrayBatches(x, x[:, 0], None, 4, False, shuffle=True)
    passes = [np.concatenate([batches[i][1] for i in range(len(batches))]) for _ in range(3)]
    assert all(sorted(p) == sorted(x[:, 0]) for p in passes) and len({tuple(p) for p in passes}) == 3
    model = _steps_model()
    history = model.fit(x, x[:, :1], batch_size=4, epochs=4, steps_per_epoch=3, verbose=0)
    assert len(history.history["loss"]) == 4 and int(model.optimizer.iterations) == 12
