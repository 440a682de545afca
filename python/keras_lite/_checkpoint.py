"""``ModelCheckpoint`` and ``BackupAndRestore``: callbacks that write the model to disk during ``fit``.

Both write through the model's own ``save`` / ``save_weights`` (files Keras 3 loads), and check before the first
epoch that the folder they write in can be made and written in, so that a bad path fails before training time
is spent rather than after the first epoch.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
import warnings
from typing import Any

import numpy as np

from ._callback import Callback, Logs, _print
from ._monitor import MonitorCallback


def _check_save_freq(save_freq: Any, message: str) -> None:
    if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)):
        raise ValueError(message)


def _check_folder(owner: str, folder: str) -> None:
    """Check that files can be written in ``folder`` once it is made (by the first save, as Keras makes it):
    that it, or else the nearest folder above it that exists, takes a new file; a clear ``OSError`` if not.
    Nothing is left behind (a callback that never saves leaves no folder, as Keras's)."""
    folder = folder or "."
    existing = os.path.abspath(folder)
    while not os.path.exists(existing) and os.path.dirname(existing) != existing:
        existing = os.path.dirname(existing)
    try:
        if not os.path.isdir(existing):  # a file where a folder of the path would go
            raise NotADirectoryError(errno.ENOTDIR, f"{existing!r} is a file")
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as e:
        raise type(e)(
            e.errno,
            f"{owner} cannot write its files in {folder!r}: {e.strerror or e}. Pass a path in a folder that "
            "can be created and written in",
        ) from e


class _BatchCounter:
    """Counts training batches across epochs and says when ``save_freq`` of them have passed (Keras 3)."""

    def __init__(self, save_freq: Any) -> None:
        self.save_freq = save_freq
        self.since_last = 0
        self.last_batch = 0

    def due(self, batch: int) -> bool:
        if self.save_freq == "epoch":
            return False
        # A batch index not above the last one seen starts a new epoch.
        self.since_last += batch + 1 if batch <= self.last_batch else batch - self.last_batch
        self.last_batch = batch
        if self.since_last >= self.save_freq:
            self.since_last = 0
            return True
        return False


class ModelCheckpoint(MonitorCallback):
    """Save the model (or its weights) during training, every epoch or every ``save_freq`` batches.

    Args:
        filepath: Where to save. It may hold ``str.format`` fields filled from ``epoch`` (1-based), ``batch``
            (1-based, for batch saves) and the epoch logs, e.g. ``"ckpt/ep{epoch:02d}-{val_loss:.4f}.keras"``.
            Missing folders are created; an existing file is replaced.
        monitor: The logged quantity ``save_best_only`` compares.
        verbose: 0 is silent; 1 prints a message at each save decision.
        save_best_only: Save only when ``monitor`` improves on the best value so far.
        save_weights_only: Save ``model.save_weights`` files (``.weights.h5``) instead of model files
            (``.keras``, or Keras's legacy HDF5 model files for a ``.h5`` path).
        mode: ``"auto"``, ``"min"`` or ``"max"``, as for `EarlyStopping`.
        save_freq: ``"epoch"``, or an int: save every that many batches (counted across epochs).
        initial_value_threshold: The best value to beat before the first save (with ``save_best_only``).

    Raises:
        ValueError: If ``filepath`` does not end in ``.keras`` or ``.h5`` (``.weights.h5`` with
            ``save_weights_only``) or ``save_freq`` is neither ``"epoch"`` nor an int.

    Example:

    ```python
    checkpoint = ModelCheckpoint("best.keras", monitor="val_loss", save_best_only=True)
    model.fit(x, y, validation_split=0.2, epochs=10, callbacks=[checkpoint])
    ```
    """

    def __init__(
        self,
        filepath: Any,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: Any = "epoch",
        initial_value_threshold: Any = None,
    ) -> None:
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath) if isinstance(filepath, os.PathLike) else filepath
        if not isinstance(self.filepath, str):
            raise ValueError(f"`filepath` must be a str or a path. Received: filepath={filepath!r}")
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        _check_save_freq(
            save_freq,
            f"Unrecognized save_freq: {save_freq}. Expected save_freq are 'epoch' or integer values",
        )
        if save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError(
                    "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must end in "
                    f"`.weights.h5` (Keras weights format). Received: filepath={self.filepath}"
                )
        elif not self.filepath.endswith((".keras", ".h5")):
            raise ValueError(
                "The filepath provided must end in `.keras` (Keras model format). "
                f"Received: filepath={self.filepath}"
            )
        self._counter = _BatchCounter(save_freq)
        self._current_epoch = 0

    def on_train_begin(self, logs: Logs = None) -> None:
        self._set_monitor_op()
        folder = os.path.dirname(self.filepath)
        if "{" not in folder:  # a folder named from the logs is only known at the save
            _check_folder("ModelCheckpoint", folder)
            if "{" not in self.filepath and os.path.isdir(self.filepath):
                raise IsADirectoryError(
                    errno.EISDIR,
                    "Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an existing "
                    f"directory: {self.filepath}",
                )

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        if self._counter.due(batch):
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _get_file_path(self, epoch: int, batch: int | None, logs: Logs) -> str:
        logs = dict(logs or {})
        try:
            if batch is None or "batch" in logs:
                return str(self.filepath.format(epoch=epoch + 1, **logs))
            return str(self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs))
        except KeyError as e:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: {e}'
            ) from None

    def _should_save(self, epoch: int, logs: Logs, filepath: str) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                _print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=3)
            return True
        if np.ndim(current):  # a vector (several thresholds, R² per output), as Keras 3 falls back
            warnings.warn(
                f"Can save best model only when `monitor` is a scalar value. Received: {current}. "
                "Falling back to `save_best_only=False`.",
                stacklevel=3,
            )
            return True
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                _print(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to {current:.5f}, "
                    f"saving model to {filepath}"
                )
            self.best = current
            return True
        if self.verbose > 0:
            _print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _save_model(self, epoch: int, batch: int | None, logs: Logs) -> None:
        filepath = self._get_file_path(epoch, batch, logs)
        if not self._should_save(epoch, logs, filepath):
            return
        folder = os.path.dirname(filepath)
        if folder:
            os.makedirs(folder, exist_ok=True)
        try:
            if self.save_weights_only:
                self.model.save_weights(filepath, overwrite=True)
            else:
                self.model.save(filepath, overwrite=True)
        except IsADirectoryError:
            raise IsADirectoryError(
                errno.EISDIR,
                "Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an existing "
                f"directory: {filepath}",
            ) from None
        if self.verbose > 0:
            _print(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")


class BackupAndRestore(Callback):
    """Back up the training state every epoch, so that a ``fit`` interrupted and run again resumes.

    ``backup_dir`` gets ``latest.weights.h5`` (the weights and the optimizer state) and
    ``training_metadata.json`` (``{"epoch": ..., "batch": ...}``: the epochs completed). When ``fit`` begins
    and a backup is there, it is loaded and ``fit`` resumes from the epoch after the last one backed up.

    Args:
        backup_dir: The folder for the backup (created if missing). Use one per training run.
        save_freq: ``"epoch"``, or an int: back up every that many batches as well.
        double_checkpoint: Keep the previous backup beside the latest as ``*.bkp``, and load it when the
            latest cannot be read (e.g. it was cut short by the interruption).
        delete_checkpoint: Delete ``backup_dir`` when ``fit`` completes.

    Raises:
        ValueError: If ``backup_dir`` is empty or ``save_freq`` is neither ``"epoch"`` nor an int; when
            training begins, if the model is not built.

    Example:

    ```python
    backup = BackupAndRestore("backup")
    model.fit(x, y, epochs=10, callbacks=[backup])  # run again after an interruption: it resumes
    ```
    """

    def __init__(
        self,
        backup_dir: Any,
        save_freq: Any = "epoch",
        double_checkpoint: bool = False,
        delete_checkpoint: bool = True,
    ) -> None:
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        _check_save_freq(
            save_freq,
            f"Invalid value for argument `save_freq`. Received: save_freq={save_freq}. "
            "Expected either 'epoch' or an integer value.",
        )
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._training_metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._prev_weights_path = self._weights_path + ".bkp"
        self._prev_training_metadata_path = self._training_metadata_path + ".bkp"
        self._counter = _BatchCounter(save_freq)
        self._current_epoch = 0

    def on_train_begin(self, logs: Logs = None) -> None:
        if not self.model.built:
            raise ValueError(
                "To use the BackupAndRestore callback, you model must be built before you call `fit()`. "
                f"Model {self.model} is unbuilt. You can build it beforehand by calling it on a batch of data."
            )
        _check_folder("BackupAndRestore", self.backup_dir)
        self._counter = _BatchCounter(self.save_freq)
        self._current_epoch = 0
        if not os.path.exists(self._weights_path):
            return
        metadata_path = self._training_metadata_path
        try:
            self.model.load_weights(self._weights_path)
        except Exception:
            if not (self.double_checkpoint and os.path.exists(self._prev_weights_path)):
                raise
            with open(self._prev_weights_path, "rb") as f:  # a file object: its name lacks `.weights.h5`
                self.model.load_weights(f)
            metadata_path = self._prev_training_metadata_path
        if os.path.exists(metadata_path):
            with open(metadata_path, encoding="utf-8") as f:
                epoch = int(json.load(f)["epoch"])
            self._current_epoch = epoch
            self.model._initial_epoch = epoch

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        if self._counter.due(batch):
            self._save_model()

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        self._current_epoch = epoch + 1
        self._counter.last_batch = 0
        if self.save_freq == "epoch":
            self._save_model()

    def _save_model(self) -> None:
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint:
            for path in (self._weights_path, self._training_metadata_path):
                if os.path.exists(path):
                    shutil.copyfile(path, path + ".bkp")
        self.model.save_weights(self._weights_path, overwrite=True)
        metadata = {"epoch": self._current_epoch, "batch": self._counter.last_batch}
        with open(self._training_metadata_path, "w", encoding="utf-8") as f:
            f.write(json.dumps(metadata))

    def on_train_end(self, logs: Logs = None) -> None:
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)
