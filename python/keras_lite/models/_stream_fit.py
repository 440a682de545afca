"""``fit`` on streamed data (see ``keras_lite._stream``): the arguments Keras refuses with a generator, the model
built from the peeked batches, a producer thread per source, and the core's streamed loop; the producer's
exception is raised as itself and no thread outlives the call (``evaluate`` and ``predict``: ``_stream_eval``)."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _core, _data, config
from .. import callbacks as callbacks_module
from .._errors import received
from .._stream import (
    RAN_OUT,
    Feeder,
    PyDataset,
    Source,
    class_weight_refused,
    is_stream,
    queue_for,
    shuffle_ignored,
)
from .._structure_lock import _fit_history, _fit_result, _training_over
from .._unsupported import NotSupportedError
from ..optimizers._steps import restarted as restarted_rates
from . import _compile, _targets
from ._step_args import steps_arg, validating_epochs
from ._stream_batches import Inputs, batch_arg, converter, empty, one_input
from ._targets import check_targets, settle_targets

if TYPE_CHECKING:
    from ._model import Model


def refuse_stream_validation(validation_data: Any) -> None:
    """In-memory training data takes in-memory validation data only."""
    if is_stream(validation_data):
        raise NotSupportedError(
            "keras_lite takes a generator or PyDataset as validation_data when x is one too; pass the "
            f"training arrays through a PyDataset. Received: validation_data of type {type(validation_data).__name__}"
        )


def prepare(model: Model, source: Source, what: str, inputs: Inputs, train: bool = False) -> None:
    """Build the model and settle its targets from the first peeked batch that holds rows (``train``: for fit)."""
    first = next((b for b in source.peeked if not empty(b[0])), source.peeked[0])
    x = one_input(model, inputs, first[0], what)
    if len(first) >= 2 and first[1] is not None:
        y = _targets.to_targets(model, first[1], batch_arg(what, "y"))
        settle_targets(model, y)
        model._ensure_built(x.shape[1], train)
        check_targets(model, y, batch_arg(what, "y"))
    else:
        model._ensure_built(x.shape[1], train)


def run_fed(feeders: list[Feeder], call: Any) -> Any:
    """``call()`` while the feeders run; stop them after it, and raise a feeder's exception as itself."""
    try:
        out = call()
    except BaseException:
        for f in feeders:
            f.stop()
        for f in feeders:
            if f.error is not None:
                raise f.error from None
        raise
    for f in feeders:
        f.stop()
    for f in feeders:
        if f.error is not None:
            raise f.error
    return out


def fit(model: Model, x: Any, a: dict[str, Any], observer_cls: Any, inputs: Inputs) -> Any:
    """``model.fit(x=<a generator, PyDataset or iterable>, ...)``; ``a`` holds fit's other arguments."""
    for arg in ("y", "sample_weight"):
        if a[arg] is not None:
            raise ValueError(
                f"`{arg}` argument is not supported when using a generator or PyDataset as x; the batches "
                f"carry it. {received(arg, a[arg])}"
            )
    refused = class_weight_refused(x) if a["class_weight"] is not None else None
    if refused is not None:
        raise ValueError(f"{refused} Received: class_weight={a['class_weight']}")
    ignored = shuffle_ignored(x) if a["shuffle"] else None
    if ignored is not None:
        warnings.warn(ignored, UserWarning, stacklevel=4)
    if a["validation_split"] and a["validation_data"] is None:  # (given both, Keras takes validation_data)
        raise ValueError(
            "Argument `validation_split` is only supported for tensors or NumPy arrays. Found incompatible type "
            f"in the input: {[type(x)]}. {received('validation_split', a['validation_split'])}"
        )
    steps = steps_arg(a["steps_per_epoch"], "steps_per_epoch")
    source = Source(x, steps, bool(a["shuffle"]), "x")
    source.defer_ran_out = True  # (warned by the observer, for the passes trained)
    prepare(model, source, "x", inputs, train=True)
    frozen = _compile.trains_nothing(model)  # (no optimizer step: Keras's warning)
    val_source = None
    vd = a["validation_data"]
    if is_stream(vd) and not validating_epochs(a["validation_freq"], int(a["initial_epoch"]), a["epochs"]):
        vd = None  # as Keras, which makes its validation iterator at the first validation, never reads it
    if vd is not None:
        if not (isinstance(vd, PyDataset) or not isinstance(vd, (tuple, list)) and hasattr(vd, "__iter__")):
            vx, vy, vw = _data.unpack_validation_data(vd)
            # As Keras's array adapter: validation_batch_size, batch_size, or validation_steps equal batches.
            given = a["validation_batch_size"] or a["batch_size"]
            rows = len(vy) if hasattr(vy, "__len__") else 0
            bs = _data.batch_size_for(given, a["validation_steps"], rows, "validation_batch_size")
            vd = _ArrayBatches(vx, vy, vw, bs, not model._single_input)
        val_steps = steps_arg(a["validation_steps"], "validation_steps")
        val_source = Source(vd, val_steps, False, "validation_data", restart=True)
        val_source.defer_ran_out = True
    cbs = callbacks_module.CallbackList(
        a["callbacks"],
        add_history=True,
        add_progbar=a["verbose"] != 0,
        model=model,
        verbose=a["given_verbose"],
        epochs=a["epochs"],
        steps=source.steps_per_pass(),
    )
    _fit_history(cbs.history)
    observer = _streamed_observer(observer_cls)(model, cbs, model._metric_names)
    observer.validation_freq = a["validation_freq"]
    model.stop_training = False
    model._initial_epoch = None
    cbs.on_train_begin()
    observer.stop_at_start = bool(model.stop_training)
    # A callback may move the start (BackupAndRestore resuming), as Keras 3's ``model._initial_epoch``.
    initial_epoch = int(model._initial_epoch or a["initial_epoch"])
    model._initial_epoch = None
    passes = max(0, a["epochs"] - initial_epoch)
    queue = queue_for(source)
    val_queue = queue_for(val_source) if val_source is not None else None
    rates = restarted_rates(model.optimizer)
    # A schedule written in Python: each step's rate, appended as its batch is read.
    each = None if rates is None or frozen else lambda: rates.extend(1)
    feeders = [
        Feeder(source, passes, queue, converter(model, inputs, True, "x", a["class_weight"]), model, each)
    ]
    observer.feeder, observer.first_epoch = feeders[0], initial_epoch
    observer.sources, observer.frozen = (source, val_source), frozen
    if val_source is not None:
        # One pass per epoch that validates: no batch is read for an epoch that does not.
        vpasses = validating_epochs(a["validation_freq"], initial_epoch, a["epochs"])
        feeders.append(
            Feeder(val_source, vpasses, val_queue, converter(model, inputs, True, "validation_data"), model)
        )
        observer.val_feeder = feeders[1]
    cap = max(p[0].shape[0] if hasattr(p[0], "shape") else len(p[0]) for p in source.peeked)
    interval = 0.0 if cbs.needs_batch_hooks() else (0.045 if a["verbose"] == 1 else 1e9)
    run_fed(
        feeders,
        lambda: _core.fit_stream(
            model._net, queue, val_queue, max(1, cap), a["epochs"], initial_epoch, observer, interval
        ),
    )
    with _training_over(model):
        cbs.on_train_end(observer.last_logs)
    return _fit_result(model, cbs.history)


def _streamed_observer(base: Any) -> Any:
    """``base`` (the fit observer) telling the progress bar how many steps an epoch of unknown length ran
    (the core reports batch ends only now and then), as Keras's learns the count in the first epoch."""

    class StreamObserver(base):  # type: ignore[misc, valid-type]
        feeder: Feeder | None = None
        val_feeder: Feeder | None = None
        # The training and validation sources, whose passes that ran out of data are warned here, for the
        # passes that run (their producers read ahead, also passes a stopped fit never runs).
        sources: tuple[Source | None, Source | None] = (None, None)
        first_epoch = 0
        validations = 0
        frozen = False  # no trainable weight: no optimizer step, nor Keras's extra one

        def empty_validation(self) -> bool:
            # (the producer counts a pass's batches before it tells the core the pass ended)
            sizes = [] if self.val_feeder is None else self.val_feeder.sizes
            return self.validations < len(sizes) and sizes[self.validations] == 0

        def on_epoch_end(self, epoch: int, train: list[float], val: list[float] | None) -> bool:
            i = epoch - self.first_epoch
            source, val_source = self.sources
            # A training pass that ran out and was not stopped (Keras checks stop_training after each batch,
            # so a stopped epoch never asks for the batch after the last); every validation pass that ran.
            ran_out = [source is not None and i in source.ran_out and not self.model.stop_training]
            if ran_out[0] and not self.frozen and source is not None and source.phantom_step(i):
                _skip_a_step(self.model)
            if val is not None:  # (a pass a callback stopped never asks for the batch after)
                ran_out.append(
                    val_source is not None and self.validations in val_source.ran_out and not self.val_stopped
                )
                self.validations += 1
            for _ in range(sum(ran_out)):
                warnings.warn(RAN_OUT, UserWarning, stacklevel=1)
            if self.feeder is not None and 0 <= i < len(self.feeder.sizes):
                for cb in self.cbs.callbacks:
                    if isinstance(cb, callbacks_module.ProgbarLogger):
                        cb.seen = self.feeder.sizes[i]
                # Keras logs an epoch of no batch with its reset metrics (0.0), but nothing while no batch of
                # the fit has trained yet (its logs are still None then).
                if not any(self.feeder.sizes[: i + 1]):
                    train = []
            return bool(super().on_epoch_end(epoch, train, val))

    return StreamObserver


def _skip_a_step(model: Model) -> None:
    """Count one more optimizer step without changing a weight (see ``Source.phantom_step``)."""
    net = model._net
    iterations, rows = net.optimizer_state()
    net.set_optimizer_state(iterations + 1, [value for _, _, value in rows])


class _ArrayBatches(PyDataset):
    """In-memory data as batches: validation data for a fit whose training data is streamed, or the training
    data of a fit with ``steps_per_epoch`` (``shuffle``: its rows in a new order at the start of each pass over
    them, as Keras shuffles arrays). A model of several inputs takes ``x`` as a list or dict of arrays, each cut
    into the same batches."""

    def __init__(
        self, x: Any, y: Any, w: Any, batch_size: int, several_inputs: bool, shuffle: bool = False
    ) -> None:
        super().__init__()
        if isinstance(x, dict):
            self.x: Any = {k: np.asarray(v) for k, v in x.items()}
        elif several_inputs and isinstance(x, (list, tuple)):
            self.x = [np.asarray(v) for v in x]
        elif (
            isinstance(x, (list, tuple)) and len(x) == 1 and (hasattr(x[0], "shape") or hasattr(x[0], "iloc"))
        ):
            self.x = np.asarray(
                x[0]
            )  # one input's array in a list, as Keras takes it (a nested list stays rows)
        else:
            self.x = np.asarray(x)
        self.y, self.w, self.bs = np.asarray(y), None if w is None else np.asarray(w), int(batch_size)
        self._order: Any = None
        self._rng = np.random.default_rng(config.next_seed()) if shuffle else None

    def rows(self) -> int:
        first = next(iter(self.x.values())) if isinstance(self.x, dict) else self.x
        return len(first[0] if isinstance(first, list) else first)

    def __len__(self) -> int:
        return -(-self.rows() // self.bs)

    def part(self, at: Any) -> tuple[Any, Any, Any]:
        """``(x, y, sample_weight)`` of the rows ``at`` (a slice or indices)."""
        if isinstance(self.x, dict):
            x: Any = {k: v[at] for k, v in self.x.items()}
        elif isinstance(self.x, list):
            x = [v[at] for v in self.x]
        else:
            x = self.x[at]
        return x, self.y[at], None if self.w is None else self.w[at]

    def __getitem__(self, i: int) -> Any:
        if self._rng is not None and (i == 0 or self._order is None):  # a pass starts: a new order of rows
            self._order = self._rng.permutation(self.rows())
        s = slice(i * self.bs, (i + 1) * self.bs)
        x, y, w = self.part(s if self._order is None else self._order[s])
        return (x, y) if w is None else (x, y, w)


def fit_arrays_in_steps(model: Model, a: dict[str, Any], observer_cls: Any, inputs: Inputs) -> Any:
    """``model.fit(arrays, steps_per_epoch=...)`` (or ``validation_steps=``), as Keras 3 reads arrays in steps:
    batches of rows, shuffled anew at each pass over them when ``shuffle``; with ``steps_per_epoch`` an epoch
    reads on where the last one stopped, and ends early, with Keras's warning, where a pass ends. Run as a
    streamed fit of the arrays' batches; ``validation_split`` holds out the last rows first, as Keras does."""
    bs = 32 if a["batch_size"] is None else _data.as_positive_int(a["batch_size"], "batch_size")
    several = not model._single_input
    shuffle = _data.shuffles_rows(a["shuffle"])
    train = _ArrayBatches(a["x"], a["y"], a["sample_weight"], bs, several, shuffle=shuffle)
    kept = train.rows()  # the rows trained on: all, or those validation_split keeps
    _data.check_same_length(np.empty((kept, 0)), train.y)
    vd = a["validation_data"]
    if vd is None and a["validation_split"]:  # (the split's own checks and rounding, on the row numbers)
        rows = np.arange(train.rows()).reshape(-1, 1)
        (trained, _), _ = _data.split_validation(rows, rows, a["validation_split"])
        kept = len(trained)
        vd = train.part(slice(kept, None))
    # Without a batch_size, Keras reads the (kept) rows in steps_per_epoch batches of equal size.
    bs = _data.batch_size_for(a["batch_size"], a["steps_per_epoch"], kept)
    if (kept, bs) != (train.rows(), train.bs):
        train = _ArrayBatches(*train.part(slice(0, kept)), bs, several, shuffle=shuffle)
    # The rows are shuffled by the batches themselves, not the stream's batch order.
    streamed = {"x": train, "y": None, "sample_weight": None, "validation_split": 0.0, "validation_data": vd}
    return fit(model, train, {**a, **streamed, "shuffle": False}, observer_cls, inputs)
