"""What fit, evaluate and predict return and hand their callbacks, as Keras 3.15.1 does on in-memory arrays:
`params["verbose"]` as given, `metrics_names` with `compile_metrics` for weighted metrics alone, no `history`
before the first fit, and `steps=` reading that many batches."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import keras_lite as keras

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
