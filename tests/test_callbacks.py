"""Tests for keras_lite.callbacks, driven by a fake model and a small fit-like loop (no Rust needed)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import _progbar
from keras_lite.callbacks import (
    Callback,
    CallbackList,
    EarlyStopping,
    History,
    LambdaCallback,
    ProgbarLogger,
    TerminateOnNaN,
)

# Measured with Keras 3: val_loss per epoch with EarlyStopping(min_delta=0.001, patience=3,
# restore_best_weights=True). Epoch 8 (0.4076) does not improve on epoch 6: 0.4076 >= 0.4080 - 0.001.
GOLDEN_VAL_LOSS = [1.0466, 0.4977, 0.5888, 0.4452, 0.4534, 0.4276, 0.4080, 0.4203, 0.4076, 0.4081]


class FakeModel:
    """What callbacks touch on a model: weights, ``stop_training``, ``history``, the compiled metrics."""

    def __init__(self, metrics: Sequence[str] = ("mae", "binary_accuracy")) -> None:
        self._compile_metrics = list(metrics)  # what "auto" mode reads a metric's direction from
        self._compile_weighted: list[Any] = []
        self._loss_obj = keras.losses.BinaryCrossentropy()
        self.weights: list[float] = [0.0]
        self.stop_training = False
        self.history: Any = None
        self.set_weights_calls = 0

    def get_weights(self) -> list[float]:
        return list(self.weights)

    def set_weights(self, weights: list[float]) -> None:
        self.set_weights_calls += 1
        self.weights = list(weights)


def run_fit(
    callbacks: Sequence[Callback],
    epoch_logs: Sequence[dict[str, float]],
    model: FakeModel | None = None,
    initial_epoch: int = 0,
    **params: Any,
) -> tuple[FakeModel, CallbackList]:
    """Mimic fit(): weights become [epoch] during epoch ``epoch``; stop when ``model.stop_training``."""
    model = model or FakeModel()
    params.setdefault("verbose", 0)
    params.setdefault("epochs", initial_epoch + len(epoch_logs))
    params.setdefault("steps", 1)
    cbl = CallbackList(
        list(callbacks), add_history=True, add_progbar=params["verbose"] != 0, model=model, **params
    )
    model.stop_training = False
    cbl.on_train_begin()
    logs: dict[str, float] = {}
    for epoch, logs in enumerate(epoch_logs, start=initial_epoch):
        cbl.on_epoch_begin(epoch)
        model.weights = [float(epoch)]
        cbl.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    cbl.on_train_end(logs)
    return model, cbl


def val_losses(values: Sequence[float]) -> list[dict[str, float]]:
    return [{"val_loss": v} for v in values]


# --- EarlyStopping -----------------------------------------------------------------------------------


def test_early_stopping_golden_sequence(capsys: pytest.CaptureFixture[str]) -> None:
    es = EarlyStopping(min_delta=0.001, patience=3, restore_best_weights=True, verbose=1)
    model, cbl = run_fit([es], val_losses(GOLDEN_VAL_LOSS))
    assert es.stopped_epoch == 9
    assert es.best_epoch == 6
    assert es.best == 0.4080
    assert model.weights == [6.0]  # snapshot taken at the end of epoch index 6
    assert cbl.history is not None and len(cbl.history.history["val_loss"]) == 10
    assert capsys.readouterr().out == (
        "Epoch 10: early stopping\nRestoring model weights from the end of the best epoch: 7.\n"
    )


def test_min_delta_is_sign_flipped_in_init() -> None:
    # tf.keras 2 behaviour, asserted by the learntools ex4 checker before fit.
    assert EarlyStopping(min_delta=0.001).min_delta == -0.001
    assert EarlyStopping(min_delta=-0.001).min_delta == -0.001
    assert EarlyStopping(min_delta=0.001, monitor="val_binary_accuracy").min_delta == 0.001
    assert EarlyStopping(min_delta=0.001, mode="max").min_delta == 0.001
    assert EarlyStopping(min_delta=0.001, monitor="accuracy", mode="min").min_delta == -0.001


@pytest.mark.parametrize(
    ("monitor", "metrics", "maximize"),
    [
        ("val_loss", [], False),
        ("loss", [], False),
        ("val_mae", ["mae"], False),
        ("mean_squared_error", ["mean_squared_error"], False),
        ("binary_accuracy", ["binary_accuracy"], True),
        ("val_binary_accuracy", ["binary_accuracy"], True),
        ("val_acc", ["acc"], True),
        ("accuracy", ["accuracy"], True),
    ],
)
def test_auto_mode_direction(monitor: str, metrics: list[str], maximize: bool) -> None:
    # Keras 3: `loss` is minimized; any other name takes the direction of the compiled metric of that name.
    es = EarlyStopping(monitor=monitor)
    es.set_model(FakeModel(metrics))
    es.on_train_begin()
    assert es.monitor_op is not None and es.monitor_op(2.0, 1.0) is maximize


@pytest.mark.parametrize(
    ("arg", "metric", "monitor", "maximize"),
    [
        ("metrics", lambda: keras.metrics.F1Score(threshold=0.5), "val_f1_score", True),
        ("metrics", lambda: "f1_score", "val_f1_score", True),
        ("metrics", lambda: keras.metrics.FBetaScore(beta=2.0), "val_fbeta_score", True),
        ("metrics", lambda: keras.metrics.CosineSimilarity(), "val_cosine_similarity", True),
        ("metrics", lambda: keras.metrics.Accuracy(), "val_accuracy", True),
        ("metrics", lambda: keras.metrics.PrecisionAtRecall(0.5), "val_precision_at_recall", True),
        (
            "metrics",
            lambda: keras.metrics.SensitivityAtSpecificity(0.5),
            "val_sensitivity_at_specificity",
            True,
        ),
        ("metrics", lambda: "AUC", "val_AUC", True),
        ("metrics", lambda: "RootMeanSquaredError", "val_RootMeanSquaredError", False),
        ("metrics", lambda: keras.metrics.BinaryCrossentropy(), "binary_crossentropy", False),
        ("weighted_metrics", lambda: "accuracy", "val_accuracy", True),
        ("weighted_metrics", lambda: keras.metrics.AUC(name="wauc"), "val_wauc", True),
        ("weighted_metrics", lambda: "mae", "val_mae", False),
    ],
)
def test_auto_mode_takes_each_metric_objects_direction(
    arg: str, metric: Any, monitor: str, maximize: bool
) -> None:
    # Keras 3.15.1 reads the direction off each compiled metric object (weighted metrics too): these are the
    # directions its EarlyStopping chose for the same compile. (Before, the f-scores, the cosine similarity,
    # exact accuracy and the *_at_* metrics were minimized, and weighted metrics refused.)
    x = np.random.default_rng(0).normal(size=(60, 4)).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", **{arg: [metric()]})
    es = EarlyStopping(monitor=monitor)
    model.fit(x, (x[:, :1] > 0).astype("float32"), epochs=1, verbose=0, validation_split=0.2, callbacks=[es])
    assert es.monitor_op is not None and es.monitor_op(2.0, 1.0) is maximize


@pytest.mark.parametrize(("monitor", "metrics"), [("val_acc", ["accuracy"]), ("val_auc", []), ("mae", [])])
def test_auto_mode_refuses_a_monitor_no_compiled_metric_has(monitor: str, metrics: list[str]) -> None:
    es = EarlyStopping(monitor=monitor)
    with pytest.raises(ValueError, match="isn't able to automatically determine whether that metric"):
        run_fit([es], val_losses([1.0]), model=FakeModel(metrics))


def test_unknown_mode_warns_and_falls_back_to_auto() -> None:
    with pytest.warns(UserWarning, match="EarlyStopping mode 'sideways' is unknown, fallback to auto mode"):
        es = EarlyStopping(mode="sideways", monitor="val_accuracy", min_delta=0.01)
    assert es.mode == "auto"
    assert es.min_delta == 0.01


def test_max_mode_stops_when_accuracy_stalls() -> None:
    logs = [{"val_binary_accuracy": v} for v in [0.5, 0.6, 0.6005, 0.59, 0.61]]
    es = EarlyStopping(monitor="val_binary_accuracy", min_delta=0.001, patience=2)
    run_fit([es], logs)
    assert (es.best, es.best_epoch, es.stopped_epoch) == (0.6, 1, 3)


def test_restores_best_weights_at_train_end_even_without_stopping(capsys: pytest.CaptureFixture[str]) -> None:
    es = EarlyStopping(patience=5, restore_best_weights=True, verbose=1)
    model, _ = run_fit([es], val_losses([3.0, 1.0, 2.0]))
    assert es.stopped_epoch == 0
    assert model.weights == [1.0]
    assert capsys.readouterr().out == "Restoring model weights from the end of the best epoch: 2.\n"


def test_without_restore_the_last_weights_stay() -> None:
    es = EarlyStopping(patience=1)
    model, _ = run_fit([es], val_losses([1.0, 2.0, 3.0, 4.0]))
    assert es.stopped_epoch == 1
    assert model.weights == [1.0]
    assert model.set_weights_calls == 0


def test_patience_zero_stops_at_first_non_improvement_after_epoch_0() -> None:
    es = EarlyStopping()
    run_fit([es], val_losses([1.0, 1.0, 0.5]))
    assert es.stopped_epoch == 1


def test_start_from_epoch_ignores_warm_up_epochs() -> None:
    es = EarlyStopping(patience=1, start_from_epoch=2, restore_best_weights=True)
    model, _ = run_fit([es], val_losses([0.1, 0.2, 5.0, 6.0, 7.0]))
    assert (es.best, es.best_epoch, es.stopped_epoch) == (5.0, 2, 3)
    assert model.weights == [2.0]


def test_baseline_not_beaten_keeps_counting() -> None:
    # Epoch 0 improves on "nothing yet" but not on the baseline, so the wait count is not reset.
    es = EarlyStopping(patience=2, baseline=0.5)
    run_fit([es], val_losses([0.9, 0.95, 0.97]))
    assert es.stopped_epoch == 1


def test_baseline_beaten_resets_the_count() -> None:
    es = EarlyStopping(patience=2, baseline=0.5)
    run_fit([es], val_losses([0.4, 0.45, 0.46, 0.47]))
    assert es.stopped_epoch == 2


def test_missing_monitor_warns_and_does_nothing() -> None:
    es = EarlyStopping(monitor="val_loss")
    with pytest.warns(
        UserWarning, match="`val_loss` which is not available. Available metrics are: loss,mae"
    ):
        model, _ = run_fit([es], [{"mae": 1.0, "loss": 1.0}] * 3)
    assert not model.stop_training
    assert es.stopped_epoch == 0


def test_state_is_reset_on_train_begin() -> None:
    es = EarlyStopping(patience=1, restore_best_weights=True)
    run_fit([es], val_losses([1.0, 2.0, 3.0]))
    assert es.stopped_epoch == 1
    model, _ = run_fit([es], val_losses([5.0, 4.0, 3.0]))
    assert (es.best, es.best_epoch, es.stopped_epoch, es.wait) == (3.0, 2, 0, 0)
    assert model.weights == [2.0]


def test_silent_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    run_fit([EarlyStopping(restore_best_weights=True)], val_losses([1.0, 2.0]))
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"patience": -1}, "patience=-1"),
        ({"patience": 1.5}, "patience=1.5"),
        ({"start_from_epoch": -2}, "start_from_epoch=-2"),
        ({"min_delta": "0.1"}, "min_delta='0.1'"),
    ],
)
def test_bad_arguments_raise(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EarlyStopping(**kwargs)


# --- History and CallbackList ---------------------------------------------------------------------------


def test_history_records_sorted_float_logs() -> None:
    logs = [
        {"val_loss": Fraction(1, 2), "loss": 1, "mae": 0.25},
        {"val_loss": 0.25, "loss": 0.5, "mae": 0.125},
    ]
    model, cbl = run_fit([], logs, initial_epoch=3)  # type: ignore[arg-type]
    history = cbl.history
    assert isinstance(history, History)
    assert model.history is history
    assert list(history.history) == ["loss", "mae", "val_loss"]
    assert history.history["val_loss"] == [0.5, 0.25]
    assert all(type(v) is float for values in history.history.values() for v in values)
    assert history.epoch == [3, 4]
    assert history.params == {"verbose": 0, "epochs": 5, "steps": 1}


def test_callback_list_adds_defaults_once() -> None:
    history, progbar = History(), ProgbarLogger()
    cbl = CallbackList([[history], (progbar,)], add_history=True, add_progbar=True)
    assert cbl.callbacks == [history, progbar]
    assert cbl.history is history and cbl.progbar is progbar
    cbl = CallbackList(None, add_history=True, add_progbar=True)
    assert [type(c) for c in cbl.callbacks] == [History, ProgbarLogger]
    assert CallbackList(EarlyStopping()).history is None


def test_callback_list_sets_model_and_params() -> None:
    es = EarlyStopping()
    model = FakeModel()
    cbl = CallbackList([es], add_history=True, model=model, verbose=2, epochs=7, steps=3)
    assert es.model is model and cbl.model is model
    assert es.params == {"verbose": 2, "epochs": 7, "steps": 3}
    assert model.history is cbl.history


def test_callback_list_rejects_non_callbacks() -> None:
    with pytest.raises(ValueError, match="Received: 'early_stopping'"):
        CallbackList(["early_stopping"])
    with pytest.raises(ValueError, match="Received: callbacks=3"):
        CallbackList(3)  # type: ignore[arg-type]


def test_callback_list_dispatches_every_hook_in_order() -> None:
    hooks = sorted(name for name in vars(Callback) if name.startswith("on_"))
    calls: list[tuple[str, str, Any]] = []

    class Recorder(Callback):
        def __init__(self, tag: str) -> None:
            super().__init__()
            for name in hooks:
                # Batch hooks get ``logs=`` by keyword (as Keras 3 passes it), the others by position.
                setattr(
                    self,
                    name,
                    lambda *args, _name=name, **kw: calls.append(
                        (tag, _name, (*args, *kw.values()), sorted(kw))
                    ),
                )

    cbl = CallbackList([Recorder("a"), Recorder("b")])
    for name in hooks:
        if "epoch" in name or "batch" in name:
            getattr(cbl, name)(1, {"loss": 1})
        else:
            getattr(cbl, name)({"loss": 1})
    assert [(tag, name) for tag, name, _, _ in calls] == [(tag, name) for name in hooks for tag in "ab"]
    assert all(args[-1] == {"loss": 1.0} for _, _, args, _ in calls)
    assert all(kw == (["logs"] if "_batch_" in name else []) for _, name, _, kw in calls)


def test_train_batch_hooks_fall_back_to_legacy_on_batch_hooks() -> None:
    seen: list[tuple[str, int, dict[str, Any]]] = []

    class Legacy(Callback):
        def on_batch_begin(self, batch: int, logs: Any = None) -> None:
            seen.append(("begin", batch, dict(logs)))

        def on_batch_end(self, batch: int, logs: Any = None) -> None:
            seen.append(("end", batch, dict(logs)))

    cbl = CallbackList([Legacy()])
    cbl.on_train_batch_begin(2)
    cbl.on_train_batch_end(2, {"mae": 1, "loss": 0.5})
    assert seen == [("begin", 2, {}), ("end", 2, {"loss": 0.5, "mae": 1.0})]
    assert list(seen[1][2]) == ["loss", "mae"]


def test_needs_batch_hooks() -> None:
    class EveryBatch(Callback):
        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            pass

    class LegacyBatch(Callback):
        def on_batch_begin(self, batch: int, logs: Any = None) -> None:
            pass

    class TestBatch(Callback):
        def on_test_batch_end(self, batch: int, logs: Any = None) -> None:
            pass

    quiet = [EarlyStopping(), History(), ProgbarLogger(), LambdaCallback(on_epoch_end=lambda e, logs: None)]
    assert not CallbackList(quiet, add_history=True, add_progbar=True).needs_batch_hooks()
    assert CallbackList([EveryBatch()]).needs_batch_hooks()
    assert CallbackList([LegacyBatch()]).needs_batch_hooks()
    assert CallbackList([TerminateOnNaN()]).needs_batch_hooks()
    assert CallbackList([LambdaCallback(on_train_batch_end=lambda b, logs: None)]).needs_batch_hooks()
    assert not CallbackList([TestBatch()]).needs_batch_hooks()
    assert CallbackList([TestBatch()]).needs_batch_hooks("test")
    assert not CallbackList([TestBatch()]).needs_batch_hooks("predict")
    with pytest.raises(ValueError, match="mode='eval'"):
        CallbackList([]).needs_batch_hooks("eval")


def test_needs_progress_updates() -> None:
    assert not CallbackList([], add_progbar=False).needs_progress_updates()
    assert CallbackList([], add_progbar=True, verbose="auto", epochs=1, steps=2).needs_progress_updates()
    assert not CallbackList([], add_progbar=True, verbose=2, epochs=1, steps=2).needs_progress_updates()
    cbl = CallbackList([], add_progbar=True, verbose=1, epochs=1, steps=2)
    cbl.on_train_begin()
    assert cbl.needs_progress_updates("train")
    assert not cbl.needs_progress_updates("test")  # validation inside fit is silent


# --- ProgbarLogger ---------------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(_progbar, "time", fake)
    monkeypatch.setattr(_progbar, "_dynamic_display", lambda: True)
    return fake


def test_progbar_logger_verbose2_lines(clock: FakeClock, capsys: pytest.CaptureFixture[str]) -> None:
    model = FakeModel()
    cbl = CallbackList([], add_history=True, add_progbar=True, model=model, verbose=2, epochs=2, steps=5)
    cbl.on_train_begin()
    for epoch in range(2):
        cbl.on_epoch_begin(epoch)
        for step in range(5):
            clock.now += 0.033
            cbl.on_train_batch_end(step, {"loss": 0.7})
        cbl.on_test_begin()
        cbl.on_test_batch_end(0, {"loss": 0.6})  # validation inside fit: silent
        cbl.on_test_end({"loss": 0.6})
        cbl.on_epoch_end(epoch, {"val_loss": 0.6759, "loss": 0.6773, "binary_accuracy": 0.5733})
    cbl.on_train_end()
    line = "5/5 - 0s - 33ms/step - binary_accuracy: 0.5733 - loss: 0.6773 - val_loss: 0.6759\n"
    assert capsys.readouterr().out == f"Epoch 1/2\n{line}Epoch 2/2\n{line}"


def test_progbar_logger_verbose1_final_line_has_val_logs(
    clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    cbl = CallbackList([], add_progbar=True, verbose="auto", epochs=1, steps=2)
    cbl.on_train_begin()
    cbl.on_epoch_begin(0)
    clock.now += 0.1
    cbl.on_train_batch_end(0, {"loss": 0.9})
    clock.now += 0.1
    cbl.on_train_batch_end(1, {"loss": 0.8})
    cbl.on_epoch_end(0, {"val_loss": 0.5, "loss": 0.8})
    out = capsys.readouterr().out
    assert "Epoch" not in out  # epochs == 1
    last = out.split("\r")[-1]
    assert last.startswith("\x1b[1m2/2\x1b[0m ")
    assert last.endswith(" 100ms/step - loss: 0.8000 - val_loss: 0.5000\n")


def test_progbar_logger_epoch_count_is_relative_to_epochs(
    clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    run_fit([], [{"loss": 1.0}] * 2, initial_epoch=3, verbose=2)
    out = capsys.readouterr().out
    assert out.startswith("Epoch 4/5\n")
    assert "Epoch 5/5\n" in out


def test_progbar_logger_evaluate_and_predict(clock: FakeClock, capsys: pytest.CaptureFixture[str]) -> None:
    cbl = CallbackList([], add_progbar=True, verbose=2, epochs=1, steps=4)
    cbl.on_test_begin()
    clock.now += 0.04
    cbl.on_test_batch_end(3, {"loss": 1.6789})
    cbl.on_test_end({"mae": 1.6789, "loss": 1.6789})
    assert capsys.readouterr().out == "4/4 - 0s - 10ms/step - loss: 1.6789 - mae: 1.6789\n"

    cbl = CallbackList([], add_progbar=True, verbose=2, epochs=1, steps=None)
    cbl.on_predict_begin()
    clock.now += 0.03
    cbl.on_predict_batch_end(0, {"outputs": [1.0]})
    cbl.on_predict_end()
    assert capsys.readouterr().out == "1/1 - 0s - 30ms/step\n"


# --- TerminateOnNaN --------------------------------------------------------------------------------------


def test_terminate_on_nan_batch(capsys: pytest.CaptureFixture[str]) -> None:
    model = FakeModel()
    cbl = CallbackList([TerminateOnNaN()], model=model)
    cbl.on_epoch_begin(0)
    cbl.on_train_batch_end(2, {"loss": 1.0})
    assert not model.stop_training
    cbl.on_train_batch_end(3, {"loss": math.nan})
    assert model.stop_training
    cbl.on_epoch_end(0, {"loss": math.nan})  # already reported for the batch
    assert capsys.readouterr().out == "Batch 3: Invalid loss, terminating training\n"


def test_terminate_on_nan_epoch_fallback(capsys: pytest.CaptureFixture[str]) -> None:
    model, _ = run_fit([TerminateOnNaN()], [{"loss": 1.0}, {"loss": math.inf}, {"loss": 1.0}])
    assert model.stop_training
    assert model.weights == [1.0]
    assert capsys.readouterr().out == "Epoch 1: Invalid loss, terminating training\n"


def test_terminate_on_nan_raise_error() -> None:
    cbl = CallbackList([TerminateOnNaN(raise_error=True)], model=FakeModel())
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 0"):
        cbl.on_train_batch_end(0, {"loss": -math.inf})


# --- LambdaCallback and Callback -------------------------------------------------------------------------


def test_lambda_callback_calls_the_functions() -> None:
    calls: list[Any] = []
    cb = LambdaCallback(
        on_train_begin=lambda logs: calls.append("begin"),
        on_epoch_end=lambda epoch, logs: calls.append((epoch, logs["val_loss"])),
        on_train_batch_end=lambda batch, logs: calls.append(("batch", batch)),
        on_train_end=lambda logs: calls.append("end"),
        on_test_end=lambda logs: calls.append("test_end"),
    )
    model, cbl = run_fit([cb], val_losses([0.5]))
    cbl.on_train_batch_end(4, {"loss": 1.0})
    cbl.on_test_end()
    assert calls == ["begin", (0, 0.5), "end", ("batch", 4), "test_end"]


def test_lambda_callback_rejects_unknown_hooks_and_non_callables() -> None:
    with pytest.raises(ValueError, match="on_epoch_finish"):
        LambdaCallback(on_epoch_finish=print)
    with pytest.raises(ValueError, match="on_epoch_end=3"):
        LambdaCallback(on_epoch_end=3)  # type: ignore[arg-type]


def test_base_callback_defaults() -> None:
    cb = Callback()
    assert cb.model is None and cb.params is None  # Keras 3.15.1's Callback().params is None
    model = FakeModel()
    cb.set_model(model)
    cb.set_params({"epochs": 2})
    assert cb.model is model and cb.params == {"epochs": 2}
    for name in dir(Callback):
        if name.startswith("on_"):
            args = (0, None) if "epoch" in name or "batch" in name else (None,)
            assert getattr(cb, name)(*args) is None
