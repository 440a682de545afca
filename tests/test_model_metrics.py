"""``model.metrics``, ``metrics_variables``, ``get_metrics_result()`` and ``reset_metrics()`` as Keras 3.15.1 has
them: the loss tracker and the ``CompileMetrics`` holding what the model's last pass (fit's last epoch or its
validation, evaluate, a one-batch call) computed.

The goldens are what Keras 3.15.1 (TensorFlow 2.21) printed for the same models and data."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

import keras_lite as keras

_rng = np.random.default_rng(0)
X = _rng.normal(size=(10, 3)).astype("float32")
Y = _rng.normal(size=(10, 1)).astype("float32")
XV = _rng.normal(size=(6, 3)).astype("float32")
YV = _rng.normal(size=(6, 1)).astype("float32")
B = (Y > 0).astype("float32")


def _stack(activation: str | None = None) -> Any:
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation, kernel_initializer="ones")])


def _functional() -> Any:
    i = keras.Input((3,), name="x")
    return keras.Model(i, keras.layers.Dense(1, kernel_initializer="ones", name="out")(i))


def _fit(model: Any, epochs: int = 2, **kwargs: Any) -> Any:
    return model.fit(X, Y, batch_size=4, epochs=epochs, verbose=0, shuffle=False, **kwargs)


def _floats(results: dict[str, Any]) -> dict[str, float]:
    return {key: float(value) for key, value in results.items()}


def _check(results: dict[str, Any], expected: dict[str, float]) -> None:
    """Same keys in the same order, each a float32 0-d value close to Keras's."""
    assert list(results) == list(expected)
    for key, value in results.items():
        assert np.asarray(value).dtype == np.float32 and np.ndim(value) == 0
        assert float(value) == pytest.approx(expected[key], rel=2e-6), key


def test_before_compile_a_model_has_no_metrics() -> None:
    # Keras 3.15.1 printed [], [] and {} for a Sequential and a Functional model never compiled.
    for model in (_stack(), _functional()):
        assert model.metrics == [] and model.metrics_variables == [] and model.get_metrics_result() == {}
        model.reset_metrics()  # (nothing to reset)


def test_after_compile_the_loss_tracker_and_an_unbuilt_compile_metrics() -> None:
    model = _stack()
    model.compile("sgd", "mse", metrics=["mae"])
    # Keras 3.15.1: [<Mean name=loss>, <CompileMetrics name=compile_metrics>]; the variables loss/total and
    # loss/count (named total and count); get_metrics_result() raised this ValueError before any pass.
    assert repr(model.metrics) == "[<Mean name=loss>, <CompileMetrics name=compile_metrics>]"
    assert isinstance(model.metrics[0], keras.metrics.Mean)
    assert isinstance(model.metrics[1], keras.metrics.Metric)
    assert [(v.path, v.name) for v in model.metrics_variables] == [
        ("loss/total", "total"),
        ("loss/count", "count"),
    ]
    compiled = model.metrics[1]
    assert compiled.name == "compile_metrics" and compiled.metrics == [] and compiled.variables == []
    with pytest.raises(
        ValueError, match=re.escape("Cannot get result() since the metric has not yet been built.")
    ):
        model.get_metrics_result()
    with pytest.raises(ValueError, match="not yet been built"):
        compiled.result()
    model.reset_metrics()  # Keras resets nothing of an unbuilt CompileMetrics, and does not fail


def test_a_compile_without_metrics_has_the_loss_tracker_alone() -> None:
    model = _functional()
    model.compile("sgd", "mse")
    # Keras 3.15.1: [<Mean name=loss>] and {'loss': 0.0} before any pass.
    assert repr(model.metrics) == "[<Mean name=loss>]"
    _check(model.get_metrics_result(), {"loss": 0.0})
    history = _fit(model)
    # Keras 3.15.1 printed {'loss': 3.7194390296936035} (the last epoch's loss) after fit.
    _check(model.get_metrics_result(), {"loss": 3.7194390296936035})
    assert float(model.get_metrics_result()["loss"]) == pytest.approx(history.history["loss"][-1], rel=1e-7)


@pytest.mark.parametrize("build", [_stack, _functional])
def test_after_fit_the_metrics_hold_the_last_epoch(build: Any) -> None:
    model = build()
    model.compile("sgd", "mse", metrics=["mae"])
    tracker, compiled = model.metrics
    history = _fit(model)
    # Keras 3.15.1: History {'loss': [4.2578..., 3.7194390296936035], 'mae': [1.7985..., 1.6992170810699463]};
    # get_metrics_result() {'loss': 3.7194390296936035, 'mae': 1.6992170810699463}, for both models.
    expected = {"loss": 3.7194390296936035, "mae": 1.6992170810699463}
    _check(model.get_metrics_result(), expected)
    assert _floats(model.get_metrics_result()) == pytest.approx(
        {k: v[-1] for k, v in history.history.items()}
    )
    # The same objects, taken before fit, give the values too; CompileMetrics lists its metrics.
    assert model.metrics[0] is tracker and model.metrics[1] is compiled
    assert float(tracker.result()) == pytest.approx(expected["loss"], rel=2e-6)
    assert repr(compiled.metrics) == "[<MeanAbsoluteError name=mae>]"
    _check(compiled.result(), {"mae": expected["mae"]})
    _check({"mae": compiled.metrics[0].result()}, {"mae": expected["mae"]})
    # Keras 3.15.1's metrics_variables after fit: the loss tracker's, then the metric's, made as
    # MeanAbsoluteError() before it was renamed "mae".
    assert [v.path for v in model.metrics_variables] == [
        "loss/total",
        "loss/count",
        "mean_absolute_error/total",
        "mean_absolute_error/count",
    ]


def test_after_a_fit_that_validated_the_metrics_hold_the_validation_pass() -> None:
    model = _stack()
    model.compile("sgd", "mse", metrics=["mae"])
    _fit(model, 2)
    history = _fit(model, 1, validation_data=(XV, YV))
    # Keras 3.15.1: History val_loss [7.633032321929932], val_mae [2.4600093364715576]; get_metrics_result()
    # gave those (its validation pass reuses the same metric objects).
    _check(model.get_metrics_result(), {"loss": 7.633032321929932, "mae": 2.4600093364715576})
    assert float(model.get_metrics_result()["loss"]) == pytest.approx(
        history.history["val_loss"][0], rel=1e-7
    )


def test_a_callback_reads_the_metrics_at_each_epoch_end() -> None:
    seen: list[dict[str, float]] = []

    class Reader(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            seen.append(_floats(self.model.get_metrics_result()))

    model = _stack()
    model.compile("sgd", "mse", metrics=["mae"])
    _fit(model, validation_data=(XV, YV), callbacks=[Reader()])
    # Keras 3.15.1's callback printed the validation values at each epoch's end:
    # {'loss': 8.497574806213379, 'mae': 2.578279733657837}, {'loss': 8.040436744689941, 'mae': 2.5172038078308105}
    assert seen == [
        pytest.approx({"loss": 8.497574806213379, "mae": 2.578279733657837}, rel=2e-6),
        pytest.approx({"loss": 8.040436744689941, "mae": 2.5172038078308105}, rel=2e-6),
    ]


def test_evaluate_and_the_one_batch_calls_leave_their_values() -> None:
    model = _stack()
    model.compile("sgd", "mse", metrics=["mae"])
    _fit(model, 2)
    _fit(model, 1, validation_data=(XV, YV))
    # Keras 3.15.1, in this order: evaluate(X, Y) {'loss': 2.9491474628448486, 'mae': 1.5371997356414795};
    # train_on_batch(X[:4], Y[:4]) {'loss': 2.0185935497283936, 'mae': 1.2799301147460938};
    # test_on_batch(X[:5], Y[:5]) {'loss': 3.391183853149414, 'mae': 1.6113214492797852}; get_metrics_result()
    # gave each call's values after it.
    for call, expected in (
        (lambda: model.evaluate(X, Y, verbose=0), {"loss": 2.9491474628448486, "mae": 1.5371997356414795}),
        (lambda: model.train_on_batch(X[:4], Y[:4]), {"loss": 2.0185935497283936, "mae": 1.2799301147460938}),
        (lambda: model.test_on_batch(X[:5], Y[:5]), {"loss": 3.391183853149414, "mae": 1.6113214492797852}),
    ):
        call()
        _check(model.get_metrics_result(), expected)
    model.predict(X, verbose=0)  # predict leaves the metrics as they are
    _check(model.get_metrics_result(), {"loss": 3.391183853149414, "mae": 1.6113214492797852})


def test_a_streamed_evaluate_and_sample_weights() -> None:
    model = _stack()
    model.compile("sgd", "mse", metrics=["mae"])
    with pytest.warns(UserWarning, match="ran out of data"):  # (Keras 3.15.1 warns too)
        model.evaluate(((X[i : i + 4], Y[i : i + 4]) for i in range(0, 10, 4)), verbose=0)
    # Keras 3.15.1: {'loss': 4.3801703453063965, 'mae': 1.8175556659698486} for this generator.
    _check(model.get_metrics_result(), {"loss": 4.3801703453063965, "mae": 1.8175556659698486})
    _fit(model)
    model.evaluate(X, Y, sample_weight=np.linspace(0.5, 2, 10), verbose=0)
    # Keras 3.15.1: {'loss': 4.285244941711426, 'mae': 1.6232719421386719}
    _check(model.get_metrics_result(), {"loss": 4.285244941711426, "mae": 1.6232719421386719})


def test_reset_metrics_zeroes_every_metric_until_the_next_pass() -> None:
    model = _stack()
    model.compile("sgd", "mse", metrics=["mae"])
    _fit(model)
    model.reset_metrics()
    # Keras 3.15.1: {'loss': 0.0, 'mae': 0.0} and every variable 0 after reset_metrics().
    _check(model.get_metrics_result(), {"loss": 0.0, "mae": 0.0})
    assert all(float(np.sum(v.numpy())) == 0.0 for v in model.metrics_variables)
    model.test_on_batch(X[:5], Y[:5])
    assert float(model.get_metrics_result()["loss"]) > 0
    # Resetting one metric object alone: Keras 3.15.1 gave loss 0.0 and the compiled metrics' values kept.
    model.metrics[0].reset_state()
    results = _floats(model.get_metrics_result())
    assert results["loss"] == 0.0 and results["mae"] > 0


def test_compile_metrics_of_several_metrics_weighted_ones_and_an_instance() -> None:
    auc = keras.metrics.AUC(num_thresholds=5)
    auc.update_state([0, 1], [0.2, 0.9])  # (state of its own, which the model's first pass starts over)
    model = _functional()
    model.compile("sgd", "mse", metrics=["accuracy", auc, "mae", "mae"], weighted_metrics=["mse"])
    model.fit(X, B, batch_size=4, epochs=2, verbose=0, shuffle=False)
    compiled = model.metrics[1]
    # Keras 3.15.1 (a one-unit output): [<BinaryAccuracy name=accuracy>, <AUC name=auc>, <MeanAbsoluteError
    # name=mae>, <MeanAbsoluteError name=mae>, <MeanSquaredError name=mse>], the AUC given being one of them;
    # result() keyed accuracy, auc, mae, mae_1, mse (the History's keys, in compile order).
    assert [type(m).__name__ for m in compiled.metrics] == [
        "BinaryAccuracy",
        "AUC",
        "MeanAbsoluteError",
        "MeanAbsoluteError",
        "MeanSquaredError",
    ]
    assert [m.name for m in compiled.metrics] == ["accuracy", "auc", "mae", "mae", "mse"]
    assert compiled.metrics[1] is auc
    history = model.history.history
    results = model.get_metrics_result()
    assert list(results) == ["loss", "accuracy", "auc", "mae", "mae_1", "mse"]
    assert _floats(results) == pytest.approx({k: v[-1] for k, v in history.items()}, rel=1e-6)
    assert float(auc.result()) == pytest.approx(history["auc"][-1], rel=1e-6)
    paths = [v.path for v in compiled.variables]
    assert paths[:6] == ["accuracy/total", "accuracy/count"] + [
        f"{auc.name}/{n}" for n in ("true_positives", "false_positives", "true_negatives", "false_negatives")
    ]
    assert paths[6:] == [
        f"{n}/{v}" for n in ["mean_absolute_error"] * 2 + ["mean_squared_error"] for v in ("total", "count")
    ]
    compiled.reset_state()  # Keras 3.15.1: the compiled metrics 0.0, the loss kept
    assert _floats(model.get_metrics_result())["auc"] == 0.0 and float(model.metrics[0].result()) > 0


def test_a_vector_metric_gives_its_vector() -> None:
    model = _stack("sigmoid")
    model.compile(
        "sgd", "binary_crossentropy", metrics=[keras.metrics.Precision(thresholds=[0.3, 0.6], name="p")]
    )
    model.fit(X, B, batch_size=4, epochs=1, verbose=0, shuffle=False)
    # Keras 3.15.1: {'loss': 1.5931955575942993, 'p': array([0.16666667, 0.], dtype=float32)}
    results = model.get_metrics_result()
    assert float(results["loss"]) == pytest.approx(1.5931955575942993, rel=2e-6)
    assert results["p"].dtype == np.float32
    np.testing.assert_allclose(results["p"], [0.16666667, 0.0], rtol=2e-6)


def test_a_recompile_without_metrics_keeps_the_compile_metrics() -> None:
    model = _stack()
    model.compile("sgd", "mse", metrics=["mae"])
    _fit(model)
    compiled = model.metrics[1]
    model.compile("sgd", "mse")
    # Keras 3.15.1 kept its CompileMetrics (and its values) and made a new loss tracker: loss 0.0, mae kept.
    assert model.metrics[1] is compiled
    _check(model.get_metrics_result(), {"loss": 0.0, "mae": 1.6992170810699463})
    # A hand update of the loss tracker: Keras 3.15.1 gave loss 2.0 for update_state([1.0, 3.0]).
    model.metrics[0].update_state([1.0, 3.0])
    assert float(model.get_metrics_result()["loss"]) == 2.0
    history = _fit(model, 1)
    assert _floats(model.get_metrics_result()) == pytest.approx(
        {k: v[-1] for k, v in history.history.items()}
    )
    model.compile("sgd", "mse", metrics=["mse"])  # metrics given: a new, unbuilt one
    assert model.metrics[1] is not compiled and model.metrics[1].metrics == []


def test_metric_variables_have_keras_paths() -> None:
    # Keras 3.15.1: Mean() -> mean/total, mean/count; MeanAbsoluteError(name="mae") -> mae/total; a renamed
    # metric keeps its variables' paths.
    mean = keras.metrics.Mean()
    assert [(v.path, v.name) for v in mean.variables] == [("mean/total", "total"), ("mean/count", "count")]
    assert repr(mean.variables[0]) == "<Variable path=mean/total, shape=(), dtype=float32, value=0.0>"
    mae = keras.metrics.MeanAbsoluteError(name="mae")
    mae.name = "renamed"
    assert [v.path for v in mae.variables] == ["mae/total", "mae/count"]


def test_a_compiled_function_and_accuracy_are_metric_objects() -> None:
    # A compiled function is held in a MeanMetricWrapper named after it (Keras 3.15.1:
    # <MeanMetricWrapper name=mean_squared_error>, variables mean_metric_wrapper/...); "accuracy" the
    # accuracy the output calls for, named as given (<BinaryAccuracy name=accuracy>, accuracy/total).
    model = _stack()
    model.compile("sgd", "mse", metrics=[keras.metrics.mean_squared_error, "accuracy"])
    model.fit(X, B, verbose=0)
    wrapper, accuracy = model.metrics[1].metrics
    assert repr(wrapper) == "<MeanMetricWrapper name=mean_squared_error>"
    assert re.fullmatch(r"mean_metric_wrapper(_\d+)?/total", wrapper.variables[0].path)
    assert (
        repr(accuracy) == "<BinaryAccuracy name=accuracy>" and accuracy.variables[0].path == "accuracy/total"
    )


def test_the_metric_api_is_no_longer_reported_missing() -> None:
    model = _stack()
    for name in ("metrics", "metrics_variables", "get_metrics_result", "reset_metrics"):
        assert hasattr(model, name)


def test_a_metric_object_shared_by_two_models_gives_the_last_pass() -> None:
    # One list of metric objects compiled into several models (TensorFlow's imbalanced-data tutorial does it):
    # each object gives the value of the pass that ran last, whichever model ran it. (Keras 3.15.1 also adds a
    # new model's first pass onto the previous model's counts; keras_lite starts each pass from zero.)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(40, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    shared = [keras.metrics.TruePositives(name="tp")]
    models = []
    for scale in (1.0, -1.0):
        m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
        m.set_weights([np.array([[scale], [0.0], [0.0]], "float32"), np.zeros(1, "float32")])
        m.compile(optimizer="sgd", loss="binary_crossentropy", metrics=shared)
        models.append(m)
    a = models[0].evaluate(x, y, verbose=0, return_dict=True)["tp"]
    assert float(shared[0].result()) == a
    b = models[1].evaluate(x, y, verbose=0, return_dict=True)["tp"]
    assert a != b and float(shared[0].result()) == b
    models[0].evaluate(x[:10], y[:10], verbose=0)
    assert float(shared[0].result()) == float(((x[:10, 0] > 0) & (y[:10] == 1)).sum())
