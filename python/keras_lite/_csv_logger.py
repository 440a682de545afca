"""``CSVLogger``: a callback that streams the epoch logs to a CSV file, one row per epoch."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from typing import IO, Any

import numpy as np

from ._callback import Callback, Logs
from ._errors import received


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable) and not (isinstance(value, np.ndarray) and value.ndim == 0):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class CSVLogger(Callback):
    """Write the epoch results to a CSV file, as Keras 3 does.

    The columns are fixed at the first epoch's end: ``epoch`` (from 0) and the sorted log keys; when no key
    starts with ``val_``, a ``val_<key>`` column is added for every key (filled with ``NA``). Rows use the
    ``csv.excel`` dialect (lines end in ``\\r\\n``) and are flushed after every epoch.

    Args:
        filename: The CSV file.
        separator: The string separating cells.
        append: Append to an existing file (its header is written only when the file is empty) instead of
            replacing it.

    Example:

    ```python
    model.fit(x, y, epochs=10, callbacks=[CSVLogger("training.log")])
    ```
    """

    def __init__(self, filename: Any, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        if not isinstance(separator, str) or len(separator) != 1:
            # csv's TypeError, which Keras meets after the first epoch has trained; here before training
            raise TypeError(f"`separator` must be a one-character string. {received('separator', separator)}")
        self.sep = separator
        try:
            self.filename = os.fspath(filename)
        except TypeError:  # Keras's TypeError (when training begins), naming the argument here
            raise TypeError(f"`filename` must be a path. {received('filename', filename)}") from None
        self.append = append
        self.writer: Any = None
        self.keys: list[str] | None = None
        self.append_header = True
        self.csv_file: IO[str] | None = None

    def on_train_begin(self, logs: Logs = None) -> None:
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, mode)  # noqa: SIM115 (open for the whole of fit)
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs.keys())
            if not any(key.startswith("val_") for key in self.keys):
                # Validation may start after the first epoch: make room for its columns now.
                self.keys.extend(["val_" + key for key in self.keys])
        if self.writer is None:
            if self.csv_file is None:
                raise RuntimeError("CSVLogger.on_epoch_end ran before on_train_begin opened the file.")

            class _Dialect(csv.excel):
                delimiter = self.sep

            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch", *self.keys], dialect=_Dialect)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        if self.csv_file is not None:
            self.csv_file.flush()

    def on_train_end(self, logs: Logs = None) -> None:
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None
