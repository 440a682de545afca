"""ModelCheckpoint, ReduceLROnPlateau, LearningRateScheduler, CSVLogger and BackupAndRestore, as Keras 3.15 runs
them: the messages, history keys and their order, CSV bytes, file names, and files that load back.

Golden messages are driven through the hooks with fixed logs on a real model; the rest runs real ``fit`` calls.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import callbacks as cb

X = np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32)
Y = X.sum(axis=1)


def make_model(optimizer: Any = None, metrics: Any = ("mae",)) -> keras.Sequential:
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4), keras.layers.Dense(1)])
    model.compile(optimizer=optimizer or keras.optimizers.SGD(0.01), loss="mse", metrics=list(metrics))
    return model


def drive(callback: cb.Callback, model: Any, epoch_logs: list[dict[str, float]]) -> list[dict[str, Any]]:
    """Run ``callback``'s epoch hooks over ``epoch_logs`` as fit does; return the logs the callbacks after it saw."""
    seen: list[dict[str, Any]] = []
    spy = cb.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(dict(logs)))
    cbl = cb.CallbackList(
        [callback, spy], add_history=True, model=model, verbose=0, epochs=len(epoch_logs), steps=1
    )
    cbl.on_train_begin()
    for epoch, logs in enumerate(epoch_logs):
        cbl.on_epoch_begin(epoch)
        cbl.on_epoch_end(epoch, logs)
    cbl.on_train_end()
    return seen


def test_everything_is_exported() -> None:
    for name in (
        "ModelCheckpoint",
        "ReduceLROnPlateau",
        "LearningRateScheduler",
        "CSVLogger",
        "BackupAndRestore",
        "TerminateOnNaN",
        "LambdaCallback",
        "EarlyStopping",
    ):
        assert name in cb.__all__
        assert issubclass(getattr(keras.callbacks, name), cb.Callback)


# --- the shared monitor logic ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make", [lambda **k: cb.ReduceLROnPlateau(**k), lambda **k: cb.ModelCheckpoint("m.keras", **k)]
)
def test_unknown_mode_warns_and_falls_back_to_auto(make: Any) -> None:
    with pytest.warns(UserWarning, match="mode 'sideways' is unknown, fallback to auto mode"):
        callback = make(mode="sideways")
    assert callback.mode == "auto"


@pytest.mark.parametrize(
    ("monitor", "metrics", "maximize"),
    [("val_loss", [], False), ("val_mae", ["mae"], False), ("accuracy", ["accuracy"], True)],
)
def test_auto_mode_reads_the_compiled_metric(monitor: str, metrics: list[str], maximize: bool) -> None:
    callback = cb.ReduceLROnPlateau(monitor=monitor, min_delta=0.5)
    callback.set_model(make_model(metrics=metrics))
    callback.on_train_begin()
    assert callback.monitor_op is not None and callback.monitor_op(2.0, 1.0) is maximize
    assert callback.min_delta == (0.5 if maximize else -0.5)


def test_auto_mode_refuses_an_unknown_metric_before_training(tmp_path: Path) -> None:
    epochs: list[int] = []
    with pytest.raises(
        ValueError, match="isn't able to automatically determine whether that metric should be"
    ):
        make_model().fit(
            X,
            Y,
            epochs=2,
            verbose=0,
            callbacks=[
                cb.ModelCheckpoint(str(tmp_path / "m.keras"), monitor="val_accuracy"),
                cb.LambdaCallback(on_epoch_begin=lambda e, logs: epochs.append(e)),
            ],
        )
    assert epochs == []


# --- ModelCheckpoint -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"filepath": "m.weights"}, ValueError, "must end in `.keras` \\(Keras model format\\)"),
        ({"filepath": "m.txt"}, ValueError, "must end in `.keras` \\(Keras model format\\)"),
        ({"filepath": "m.keras", "save_weights_only": True}, ValueError, "must end in `.weights.h5`"),
        ({"filepath": "m.keras", "save_freq": "batch"}, ValueError, "Unrecognized save_freq: batch"),
    ],
)
def test_checkpoint_refuses_bad_arguments(kwargs: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        cb.ModelCheckpoint(**kwargs)


def test_checkpoint_best_only_golden_messages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = make_model()
    path = str(tmp_path / "best.keras")
    checkpoint = cb.ModelCheckpoint(path, save_best_only=True, verbose=1)
    weights = []

    class SetWeights(cb.Callback):
        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            new = [np.full_like(w, epoch + 1) for w in model.get_weights()]
            model.set_weights(new)
            weights.append(new)

    cbl = cb.CallbackList([SetWeights(), checkpoint], model=model, verbose=0, epochs=3, steps=1)
    cbl.on_train_begin()
    for epoch, val_loss in enumerate([0.11698, 0.2, 0.05]):
        cbl.on_epoch_begin(epoch)
        cbl.on_epoch_end(epoch, {"loss": 1.0, "val_loss": val_loss})
        if epoch == 0:
            first = keras.models.load_model(path).get_weights()
    assert capsys.readouterr().out == (
        f"\nEpoch 1: val_loss improved from None to 0.11698, saving model to {path}\n"
        f"\nEpoch 1: finished saving model to {path}\n"
        "\nEpoch 2: val_loss did not improve from 0.11698\n"
        f"\nEpoch 3: val_loss improved from 0.11698 to 0.05000, saving model to {path}\n"
        f"\nEpoch 3: finished saving model to {path}\n"
    )
    for got, want in zip(first, weights[0]):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(keras.models.load_model(path).get_weights(), weights[2]):
        np.testing.assert_array_equal(got, want)  # epoch 3 overwrote epoch 1's file
    assert checkpoint.best == 0.05


def test_checkpoint_names_files_from_epoch_and_logs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = make_model()
    pattern = str(tmp_path / "new" / "dir" / "ep{epoch:02d}-{val_loss:.4f}.keras")
    history = model.fit(
        X,
        Y,
        epochs=2,
        batch_size=16,
        validation_split=0.25,
        verbose=0,
        callbacks=[cb.ModelCheckpoint(pattern, verbose=1)],
    )
    names = [f"ep{e + 1:02d}-{v:.4f}.keras" for e, v in enumerate(history.history["val_loss"])]
    assert sorted(os.listdir(tmp_path / "new" / "dir")) == names
    last = str(tmp_path / "new" / "dir" / names[1])
    assert (
        f"\nEpoch 2: saving model to {last}\n\nEpoch 2: finished saving model to {last}\n"
        in capsys.readouterr().out
    )
    loaded = keras.models.load_model(last)
    for got, want in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


def test_checkpoint_format_names_ep01_as_keras_does(tmp_path: Path) -> None:
    pattern = str(tmp_path / "ep{epoch:02d}-{val_loss:.4f}.keras")
    drive(cb.ModelCheckpoint(pattern), make_model(), [{"loss": 1.0, "val_loss": 0.11698}])
    assert os.listdir(tmp_path) == ["ep01-0.1170.keras"]


def test_checkpoint_missing_format_key_is_a_key_error(tmp_path: Path) -> None:
    checkpoint = cb.ModelCheckpoint(str(tmp_path / "m-{val_auc:.2f}.keras"))
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        drive(checkpoint, make_model(), [{"loss": 1.0, "val_loss": 0.5}])


def test_checkpoint_every_n_batches_counts_across_epochs(tmp_path: Path) -> None:
    pattern = str(tmp_path / "e{epoch}-b{batch}.weights.h5")
    model = make_model()
    model.fit(
        X, Y, epochs=2, batch_size=16, verbose=0,
        callbacks=[cb.ModelCheckpoint(pattern, save_weights_only=True, save_freq=3)],
    )  # fmt: skip
    # 4 batches an epoch: the 3rd, 6th (epoch 2's 2nd) batch.
    assert sorted(os.listdir(tmp_path)) == ["e1-b3.weights.h5", "e2-b2.weights.h5"]
    other = make_model()
    other.load_weights(str(tmp_path / "e2-b2.weights.h5"))
    assert not np.array_equal(other.get_weights()[0], make_model().get_weights()[0])


def test_checkpoint_initial_threshold_and_missing_monitor(tmp_path: Path) -> None:
    path = tmp_path / "m.weights.h5"
    checkpoint = cb.ModelCheckpoint(
        str(path), save_best_only=True, save_weights_only=True, initial_value_threshold=0.1
    )
    drive(checkpoint, make_model(), [{"val_loss": 0.2}, {"val_loss": 0.15}])
    assert not path.exists()
    with pytest.warns(UserWarning, match="Can save best model only with val_loss available"):
        drive(checkpoint, make_model(), [{"loss": 0.2}])
    assert path.exists()


def test_checkpoint_unwritable_path_fails_before_training(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    epochs: list[int] = []
    with pytest.raises(OSError, match="ModelCheckpoint cannot write its files in"):
        make_model().fit(
            X, Y, epochs=2, verbose=0,
            callbacks=[
                cb.ModelCheckpoint(str(tmp_path / "file" / "sub" / "m.keras")),
                cb.LambdaCallback(on_epoch_begin=lambda e, logs: epochs.append(e)),
            ],
        )  # fmt: skip
    assert epochs == []
    (tmp_path / "dir.keras").mkdir()
    with pytest.raises(IsADirectoryError, match="non-directory filepath"):
        make_model().fit(X, Y, verbose=0, callbacks=[cb.ModelCheckpoint(str(tmp_path / "dir.keras"))])


# --- ReduceLROnPlateau -----------------------------------------------------------------------------------------


def test_reduce_lr_golden_sequence(capsys: pytest.CaptureFixture[str]) -> None:
    model = make_model()
    reduce = cb.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1, verbose=1, min_lr=0.002)
    seen = drive(reduce, model, [{"val_loss": v} for v in [1.0, 1.0, 1.0, 1.0, 1.0]])
    assert [logs["learning_rate"] for logs in seen] == [
        0.009999999776482582,
        0.009999999776482582,
        0.004999999888241291,
        0.0024999999441206455,
        0.0020000000949949026,
    ]
    assert capsys.readouterr().out == (
        "\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.004999999888241291.\n"
        "\nEpoch 3: ReduceLROnPlateau reducing learning rate to 0.0024999999441206455.\n"
        "\nEpoch 4: ReduceLROnPlateau reducing learning rate to 0.002.\n"
    )
    assert float(model.optimizer.learning_rate) == np.float32(0.002)


def test_reduce_lr_patience_and_min_delta() -> None:
    model = make_model()
    reduce = cb.ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=2, min_delta=0.01)
    # 0.995 is not better by more than 0.01: two epochs without improvement, then a reduction.
    drive(reduce, model, [{"val_loss": v} for v in [1.0, 0.995, 0.992]])
    assert float(model.optimizer.learning_rate) == pytest.approx(0.001)
    assert reduce.wait == 0 and reduce.best == 1.0


def test_reduce_lr_cooldown_one_still_reduces_every_epoch() -> None:
    model = make_model()
    reduce = cb.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, cooldown=1)
    seen = drive(reduce, model, [{"loss": 1.0}] * 4)
    assert [round(logs["learning_rate"], 6) for logs in seen] == [0.01, 0.01, 0.005, 0.0025]
    model = make_model()
    reduce = cb.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, cooldown=2)
    seen = drive(reduce, model, [{"loss": 1.0}] * 5)
    assert [round(logs["learning_rate"], 6) for logs in seen] == [0.01, 0.01, 0.005, 0.005, 0.0025]


def test_reduce_lr_refuses_factor_one_and_warns_on_missing_monitor() -> None:
    with pytest.raises(ValueError, match="does not support a factor >= 1.0"):
        cb.ReduceLROnPlateau(factor=1.0)
    with pytest.warns(UserWarning, match="conditioned on metric `val_loss` which is not available"):
        seen = drive(cb.ReduceLROnPlateau(), make_model(), [{"loss": 1.0}])
    assert seen[0]["learning_rate"] == pytest.approx(0.01)


def test_reduce_lr_in_fit_logs_learning_rate_after_the_sorted_keys(
    capsys: pytest.CaptureFixture[str],
) -> None:
    model = make_model()
    history = model.fit(
        X, Y, epochs=3, batch_size=16, verbose=2,
        callbacks=[cb.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=100.0)],
    )  # fmt: skip
    assert list(history.history) == ["loss", "mae", "learning_rate"]
    assert history.history["learning_rate"] == [
        0.009999999776482582,
        0.009999999776482582,
        0.004999999888241291,
    ]
    out = capsys.readouterr().out
    assert "- learning_rate: 0.0100\n" in out and "- learning_rate: 0.0050\n" in out
    assert float(model.optimizer.learning_rate) == pytest.approx(0.0025)


# --- LearningRateScheduler -------------------------------------------------------------------------------------


def test_scheduler_sets_the_rate_each_epoch(capsys: pytest.CaptureFixture[str]) -> None:
    calls = []

    def schedule(epoch: int, lr: float) -> float:
        calls.append((epoch, lr))
        return lr if epoch < 1 else lr * 0.5

    model = make_model()
    history = model.fit(X, Y, epochs=3, verbose=0, callbacks=[cb.LearningRateScheduler(schedule, verbose=1)])
    assert calls == [(0, 0.009999999776482582), (1, 0.009999999776482582), (2, 0.004999999888241291)]
    assert history.history["learning_rate"] == [
        0.009999999776482582,
        0.004999999888241291,
        0.0024999999441206455,
    ]
    assert capsys.readouterr().out == (
        "\nEpoch 1: LearningRateScheduler setting learning rate to 0.009999999776482582.\n"
        "\nEpoch 2: LearningRateScheduler setting learning rate to 0.004999999888241291.\n"
        "\nEpoch 3: LearningRateScheduler setting learning rate to 0.0024999999441206455.\n"
    )


def test_scheduler_of_the_epoch_alone_and_numpy_floats() -> None:
    model = make_model()
    model.fit(
        X, Y, epochs=2, verbose=0, callbacks=[cb.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))]
    )
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)
    model.fit(X, Y, epochs=1, verbose=0, callbacks=[cb.LearningRateScheduler(lambda e, lr: np.float32(0.25))])
    assert float(model.optimizer.learning_rate) == 0.25


@pytest.mark.parametrize(
    ("result", "message"),
    [(1, "should be a float. Got: 1"), ("0.1", "should be a float. Got: 0.1"), (float("nan"), "finite")],
)
def test_scheduler_refuses_what_is_not_a_float_rate(result: Any, message: str) -> None:
    model = make_model()
    with pytest.raises(ValueError, match=message):
        model.fit(X, Y, epochs=1, verbose=0, callbacks=[cb.LearningRateScheduler(lambda e, lr: result)])
    assert float(model.optimizer.learning_rate) == np.float32(0.01)


# --- CSVLogger -------------------------------------------------------------------------------------------------


def test_csv_logger_golden_bytes(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    drive(
        cb.CSVLogger(str(path)),
        make_model(),
        [{"mae": 0.5855534076690674, "loss": 0.5375354886054993}, {"loss": 0.5, "mae": 0.25}],
    )
    assert path.read_bytes() == (
        b"epoch,loss,mae,val_loss,val_mae\r\n"
        b"0,0.5375354886054993,0.5855534076690674,NA,NA\r\n"
        b"1,0.5,0.25,NA,NA\r\n"
    )


def test_csv_logger_append_separator_and_fit(tmp_path: Path) -> None:
    path = tmp_path / "log.tsv"
    model = make_model()
    model.fit(
        X, Y, epochs=2, verbose=0, validation_split=0.25, callbacks=[cb.CSVLogger(path, separator="\t")]
    )
    history = model.fit(
        X,
        Y,
        epochs=1,
        verbose=0,
        validation_split=0.25,
        callbacks=[cb.CSVLogger(path, separator="\t", append=True)],
    )
    lines = path.read_bytes().split(b"\r\n")
    assert lines[0] == b"epoch\tloss\tmae\tval_loss\tval_mae"
    assert [line.split(b"\t")[0] for line in lines[1:]] == [b"0", b"1", b"0", b""]
    assert lines[3].split(b"\t")[1] == str(history.history["loss"][0]).encode()
    model.fit(X, Y, epochs=1, verbose=0, callbacks=[cb.CSVLogger(path)])  # not appending: replaced
    assert path.read_bytes().count(b"\r\n") == 2


def test_csv_logger_sees_learning_rate_only_after_the_callback_that_logs_it(tmp_path: Path) -> None:
    before, after = tmp_path / "before.csv", tmp_path / "after.csv"
    reduce = cb.ReduceLROnPlateau(monitor="loss")
    make_model().fit(X, Y, epochs=1, verbose=0, callbacks=[cb.CSVLogger(before), reduce, cb.CSVLogger(after)])
    assert before.read_bytes().split(b"\r\n")[0] == b"epoch,loss,mae,val_loss,val_mae"
    assert after.read_bytes().split(b"\r\n")[0] == (
        b"epoch,learning_rate,loss,mae,val_learning_rate,val_loss,val_mae"
    )


# --- BackupAndRestore ------------------------------------------------------------------------------------------


class Interrupt(cb.Callback):
    def __init__(self, at_epoch: int) -> None:
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        if epoch == self.at_epoch:
            raise RuntimeError("interrupted")


def test_backup_resumes_after_an_interruption_as_if_uninterrupted(tmp_path: Path) -> None:
    backup = tmp_path / "backup"
    straight = make_model("adam")
    straight.fit(X, Y, epochs=5, batch_size=16, shuffle=False, verbose=0)

    model = make_model("adam")
    with pytest.raises(RuntimeError, match="interrupted"):
        model.fit(
            X, Y, epochs=5, batch_size=16, shuffle=False, verbose=0,
            callbacks=[cb.BackupAndRestore(backup), Interrupt(2)],
        )  # fmt: skip
    assert sorted(os.listdir(backup)) == ["latest.weights.h5", "training_metadata.json"]
    assert json.loads((backup / "training_metadata.json").read_text()) == {"epoch": 3, "batch": 0}

    resumed = make_model("adam")  # a new process would start from fresh weights
    epochs: list[int] = []
    history = resumed.fit(
        X, Y, epochs=5, batch_size=16, shuffle=False, verbose=0,
        callbacks=[cb.BackupAndRestore(backup), cb.LambdaCallback(on_epoch_begin=lambda e, logs: epochs.append(e))],
    )  # fmt: skip
    assert epochs == [3, 4] and history.epoch == [3, 4]
    assert not backup.exists()  # deleted at the end of a completed fit
    assert resumed.optimizer.iterations == straight.optimizer.iterations == 20
    for got, want in zip(resumed.get_weights(), straight.get_weights()):
        np.testing.assert_array_equal(got, want)
    # The next fit starts from epoch 0 again.
    assert resumed.fit(X, Y, epochs=1, verbose=0).epoch == [0]


def test_backup_double_checkpoint_falls_back_and_keep(tmp_path: Path) -> None:
    backup = tmp_path / "backup"
    model = make_model()
    with pytest.raises(RuntimeError):
        model.fit(
            X, Y, epochs=5, verbose=0,
            callbacks=[cb.BackupAndRestore(backup, double_checkpoint=True, delete_checkpoint=False), Interrupt(1)],
        )  # fmt: skip
    assert sorted(os.listdir(backup)) == [
        "latest.weights.h5",
        "latest.weights.h5.bkp",
        "training_metadata.json",
        "training_metadata.json.bkp",
    ]
    assert json.loads((backup / "training_metadata.json.bkp").read_text())["epoch"] == 1
    (backup / "latest.weights.h5").write_bytes(b"cut short")
    epochs: list[int] = []
    make_model().fit(
        X, Y, epochs=3, verbose=0,
        callbacks=[
            cb.BackupAndRestore(backup, double_checkpoint=True, delete_checkpoint=False),
            cb.LambdaCallback(on_epoch_begin=lambda e, logs: epochs.append(e)),
        ],
    )  # fmt: skip
    assert epochs == [1, 2]  # resumed from the previous backup (epoch 1 done)
    assert backup.exists()  # delete_checkpoint=False


def test_backup_refuses_bad_arguments_and_unbuilt_models(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Empty `backup_dir`"):
        cb.BackupAndRestore("")
    with pytest.raises(ValueError, match="Invalid value for argument `save_freq`"):
        cb.BackupAndRestore(tmp_path, save_freq="batch")
    unbuilt = keras.Sequential([keras.layers.Dense(1)])
    unbuilt.compile(optimizer="sgd", loss="mse")
    backup = cb.BackupAndRestore(tmp_path / "b")
    backup.set_model(unbuilt)
    with pytest.raises(ValueError, match="must be built before you call `fit\\(\\)`"):
        backup.on_train_begin()
    (tmp_path / "file").write_text("x")
    with pytest.raises(OSError, match="BackupAndRestore cannot write its files in"):
        make_model().fit(X, Y, verbose=0, callbacks=[cb.BackupAndRestore(tmp_path / "file" / "b")])


def test_backup_every_n_batches(tmp_path: Path) -> None:
    backup = tmp_path / "b"
    saves = []

    class Watch(cb.Callback):
        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            if (backup / "training_metadata.json").exists():
                saves.append(json.loads((backup / "training_metadata.json").read_text()))
                os.remove(backup / "training_metadata.json")

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_model().fit(
            X, Y, epochs=1, batch_size=16, verbose=0,
            callbacks=[cb.BackupAndRestore(backup, save_freq=2, delete_checkpoint=False), Watch()],
        )  # fmt: skip
    assert saves == [{"epoch": 0, "batch": 1}, {"epoch": 0, "batch": 3}]
