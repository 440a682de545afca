"""Streamed data for ``fit``, ``evaluate`` and ``predict``: Python generators, ``keras.utils.PyDataset`` and
other iterables of batch tuples, with Keras 3's epoch semantics, fed to the core by a producer thread.

A ``Source`` knows Keras's rules (``trainers/epoch_iterator.py`` and the data adapters): the first two
batches are peeked (to build the model) and replayed; a finite generator is not restartable, so a later
epoch replays only the peeked batches; with ``steps_per_epoch`` the iterator continues across epochs and
running out mid-epoch warns and starts it again next epoch; a ``PyDataset``'s batch order is shuffled per
epoch and its ``on_epoch_begin``/``on_epoch_end`` are called around each pass (and ``on_epoch_end`` once
before training). A ``Feeder`` thread runs the user's code (holding the GIL only then and while it converts
a batch to float32 arrays) and puts the batches in the core's bounded ``_core.BatchQueue``.
"""

from __future__ import annotations

import itertools
import random
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from . import _core

# Keras's NUM_BATCHES_FOR_TENSOR_SPEC: the batches read before training to learn the data's shapes.
PEEKED = 2

RAN_OUT = (
    "Your input ran out of data; interrupting training. Make sure that your dataset or generator can "
    "generate at least `steps_per_epoch * epochs` batches. You may need to use the `.repeat()` function "
    "when building your dataset."
)


def shuffle_ignored(x: Any) -> str | None:
    """Keras's warning for ``fit(shuffle=True)`` on data it cannot shuffle (a generator, an infinite PyDataset,
    a `tf.data.Dataset` or a torch DataLoader); None for data it shuffles or takes without a word."""
    if hasattr(x, "__next__"):
        what = "a generator. The generator is expected to yield already-shuffled data."
    elif isinstance(x, PyDataset):
        if x.num_batches is not None:
            return None
        what = "an infinite PyDataset. The PyDataset is expected to already be shuffled."
    elif _is_class(
        x, "tensorflow.python.", ("DatasetV2", "DistributedDataset", "DistributedDatasetsFromFunction")
    ):
        what = (
            "a tf.data.Dataset. The Dataset is expected to already be shuffled (via `.shuffle(buffer_size)`)."
        )
    elif _is_class(x, "torch.utils.data", ("DataLoader",)):
        what = "a torch DataLoader. The DataLoader is expected to already be shuffled."
    else:
        return None
    return f"`shuffle=True` was passed, but will be ignored since the data `x` was provided as {what}"


def class_weight_refused(x: Any) -> str | None:
    """Keras's reason for refusing ``fit(class_weight=...)`` with ``x`` (a generator or a torch DataLoader, whose
    batches should carry sample weights instead); None where it weighs the batches' classes (a PyDataset, a
    `tf.data.Dataset`, and keras_lite's other re-iterables)."""
    if hasattr(x, "__next__"):
        return "Argument `class_weight` is not supported for Python generator inputs (use a PyDataset)."
    if _is_class(x, "torch.utils.data", ("DataLoader",)):
        return (
            "Argument `class_weight` is not supported for torch DataLoader inputs. You can modify your "
            "`__getitem__` method to return input tensor, label and class_weight."
        )
    return None


def _is_class(x: Any, module: str, names: tuple[str, ...]) -> bool:
    """Whether ``x``'s class derives from one named in ``names`` of a module under ``module``, found without
    importing that library (as Keras recognises a tf.data.Dataset or a torch DataLoader)."""
    return any(c.__name__ in names and c.__module__.startswith(module) for c in type(x).__mro__)


class PyDataset:
    """Base class for data sets that return whole batches by index, as ``keras.utils.PyDataset``.

    Subclasses call ``super().__init__(**kwargs)`` and define ``__len__`` (the number of batches) or the
    ``num_batches`` property, and ``__getitem__(index)`` returning a batch tuple ``(x,)``, ``(x, y)`` or
    ``(x, y, sample_weight)``; ``on_epoch_begin`` and ``on_epoch_end`` are optional.

    Args:
        workers: Accepted for Keras compatibility; keras_lite reads batches on one producer thread.
        use_multiprocessing: Accepted for Keras compatibility; the batches are read on that thread too (the
            same batches as from Keras's worker processes, one at a time).
        max_queue_size: The most batches read ahead of training (the core's queue bound).

    Example:
        >>> class Batches(keras_lite.utils.PyDataset):
        ...     def __init__(self, x, y, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.x, self.y = x, y
        ...     def __len__(self):
        ...         return len(self.x) // 32
        ...     def __getitem__(self, i):
        ...         return self.x[i * 32:(i + 1) * 32], self.y[i * 32:(i + 1) * 32]
    """

    def __init__(
        self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int | None = 10
    ) -> None:
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    def _warn_if_super_not_called(self) -> None:
        """Keras's warning for a subclass whose ``__init__`` skipped ``super().__init__(**kwargs)``: given once,
        when the first of these settings is read (the defaults are then set)."""
        missing = False
        for name, default in (("_workers", 1), ("_use_multiprocessing", False), ("_max_queue_size", 10)):
            if not hasattr(self, name):
                setattr(self, name, default)
                missing = True
        if missing:
            warnings.warn(
                "Your `PyDataset` class should call `super().__init__(**kwargs)` in its constructor. `**kwargs` "
                "can include `workers`, `use_multiprocessing`, `max_queue_size`. Do not pass these arguments to "
                "`fit()`, as they will be ignored.",
                UserWarning,
                stacklevel=3,
            )

    @property
    def workers(self) -> int:
        self._warn_if_super_not_called()
        return int(self._workers)

    @property
    def use_multiprocessing(self) -> bool:
        self._warn_if_super_not_called()
        return bool(self._use_multiprocessing)

    @property
    def max_queue_size(self) -> int:
        self._warn_if_super_not_called()
        # None, which Keras's reading on one worker never uses, bounds the queue at the default.
        return 10 if self._max_queue_size is None else int(self._max_queue_size)

    @property
    def num_batches(self) -> int | None:
        """The number of batches (``len(self)``); a subclass whose batches never end returns ``None`` here.
        Without either, Keras's NotImplementedError (a fit would otherwise never end)."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(
            "You need to implement the `num_batches` property:\n\n@property\ndef num_batches(self):\n  "
            f"return ...\n\n(or `__len__`; None for batches without end). Received: {type(self).__name__} "
            "with neither"
        )

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError

    def __iter__(self) -> Iterator[Any]:
        """The batches in order: ``num_batches`` of them, or without end when it is ``None``."""
        n = self.num_batches
        for index in itertools.count() if n is None else range(n):
            yield self[index]

    def on_epoch_begin(self) -> None:
        """Called at the start of every epoch."""

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch."""


def _length(data: Any) -> int | None:
    """The batches of a re-iterable source, None when unknown: a `tf.data.Dataset` that repeats without end or
    whose length TensorFlow cannot tell has ``__len__`` but raises TypeError from it."""
    try:
        return len(data) if hasattr(data, "__len__") else None
    except TypeError:
        return None


def is_stream(x: Any) -> bool:
    """Whether ``x`` is a source of batches rather than an array-like."""
    if isinstance(x, PyDataset):
        return True
    if isinstance(x, (np.ndarray, list, tuple, dict, set, frozenset, str, bytes)) or hasattr(x, "__array__"):
        return False
    if hasattr(x, "iloc") or hasattr(x, "shape"):
        return False
    return hasattr(x, "__next__") or hasattr(x, "__iter__")


def _tuple(batch: Any, what: str) -> tuple[Any, ...]:
    if isinstance(batch, tuple) and 1 <= len(batch) <= 3:
        return batch
    received = f"Received: {type(batch).__name__} {_short(batch)}"
    if what.endswith(" generator"):  # Keras 3.15.1's words for a generator's batch
        raise ValueError(
            "When passing a Python generator to a Keras model, the generator must return a tuple, either "
            f"(input,) or (inputs, targets) or (inputs, targets, sample_weights). {received} (as {what[:-10]})."
        )
    raise ValueError(f"{what} must return a tuple `(x,)`, `(x, y)` or `(x, y, sample_weight)`. {received}")


def _listed(batch: Any) -> Any:
    """A PyDataset's or a DataLoader-like iterable's batch as a tuple: its list `[x, y]` (what torch's collation
    makes), or a bare `x` (an array or a dict of inputs, a ``tf.data`` dataset of inputs only) as `(x,)`, as
    Keras reads the batches of these sources (a generator's must be tuples)."""
    if isinstance(batch, list) and 1 <= len(batch) <= 3:
        return tuple(batch)
    return batch if isinstance(batch, (tuple, list)) else (batch,)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class Source:
    """One data source with Keras's epoch semantics. ``passes(n)`` yields, for each of ``n`` passes, an
    iterator of batch tuples; ``peeked`` holds the first batches, read at construction."""

    def __init__(
        self,
        data: Any,
        steps: int | None,
        shuffle: bool,
        what: str,
        restart: bool = False,
        reset: bool = True,
    ) -> None:
        self.steps = steps
        # Whether each pass starts the data again even with ``steps`` (Keras's validation passes: its evaluate
        # resets the iterator, while fit's training passes go on where the last one stopped). ``reset``: a
        # PyDataset's on_epoch_end runs once first.
        self.restart = restart
        self.what = what
        self.dataset: PyDataset | None = data if isinstance(data, PyDataset) else None
        self.shuffle = shuffle and self.dataset is not None
        self._iter: Iterator[Any] | None = None
        self._seen = 0  # batches taken from ``_iter``
        # Set by fit for its training data: the passes that ran out of data are listed in ``ran_out`` (from
        # 0) for the fit to warn when it trains that pass's last batch, as Keras warns when its loop asks for
        # one more; the producer reads ahead, so a warning here would come for passes never trained.
        self.defer_ran_out = False
        self.ran_out: list[int] = []
        self._short: list[int] = []  # passes without ``steps`` that ran out before the length counted
        self._passes = 0
        self._gen: Iterator[Any] | None = None
        self._iterable: Any = None
        if self.dataset is not None:
            self.dataset._warn_if_super_not_called()  # (Keras reads its settings as fit, evaluate, predict start)
            n = self.dataset.num_batches
            self.size: int | None = None if n is None else int(n)
            if self.size == 0:
                raise ValueError(f"The PyDataset has length 0 (the PyDataset given as {what}).")
            self.peeked = [
                _tuple(_listed(self.dataset[i]), f"{what} __getitem__")
                for i in range(min(PEEKED, self.size or PEEKED))
            ]
            # Keras's EpochIterator.reset(), which fit and evaluate call (predict does not), calls on_epoch_end
            # once before the first pass.
            if reset:
                self.dataset.on_epoch_end()
        elif hasattr(data, "__next__"):
            self._gen = data
            self.size = None
            self.peeked = []
            for batch in data:
                self.peeked.append(_tuple(batch, f"{what} generator"))
                if len(self.peeked) == PEEKED:
                    break
        else:
            self._iterable = data
            self.size = _length(data)
            self.peeked = []
            for batch in data:
                self.peeked.append(_tuple(_listed(batch), f"{what} iterable"))
                if len(self.peeked) == PEEKED:
                    break
        if not self.peeked and self._gen is not None:
            raise ValueError(
                "When passing a Python generator to a Keras model, the generator must yield at least one batch. "
                f"Received an empty generator (as {what})."
            )
        if not self.peeked:
            raise ValueError(f"The {what} data source is empty: it must return at least one batch tuple.")

    def steps_per_pass(self) -> int | None:
        """The steps of a pass when known before it runs (Keras's progress bar total)."""
        return self.steps if self.steps is not None else self.size

    def _new_iterator(self) -> Iterator[Any]:
        if self.dataset is not None:
            return self._dataset_iterator(self.dataset)
        if self._gen is not None:
            return self._replay(self.peeked, self._gen, "generator")
        return self._replay([], iter(self._iterable), "iterable")

    def _replay(self, first: list[Any], rest: Iterator[Any], kind: str) -> Iterator[Any]:
        yield from first
        for batch in rest:
            yield _tuple(_listed(batch) if kind == "iterable" else batch, f"{self.what} {kind}")

    def _dataset_iterator(self, ds: PyDataset) -> Iterator[Any]:
        if self.size is None:
            i = 0
            while True:
                yield _tuple(_listed(ds[i]), f"{self.what} __getitem__")
                i += 1
        # The batches the data set holds as the pass starts (its length may change from epoch to epoch).
        now = ds.num_batches
        order = list(range(self.size if now is None else max(0, int(now))))
        if self.shuffle:
            random.shuffle(order)
        for i in order:
            yield _tuple(_listed(ds[i]), f"{self.what} __getitem__")

    def passes(self, n: int) -> Iterator[Iterator[Any]]:
        for _ in range(n):
            yield self._pass()

    def _pass(self) -> Iterator[Any]:
        index, self._passes = self._passes, self._passes + 1
        ds = self.dataset
        if ds is not None:
            if self.restart and index > 0:
                # Keras's evaluate resets its iterator before each validation pass: the pass's step count is
                # the length then, and on_epoch_end runs once more.
                if self.size is not None and ds.num_batches is not None:
                    self.size = int(ds.num_batches)
                ds.on_epoch_end()
            ds.on_epoch_begin()
        if self.steps is None:
            # A PyDataset's pass takes at most the batches it had when Keras counted them (one that has grown
            # since gives no more; one that has shrunk runs out, with the warning). Counted 0 (a validation
            # PyDataset emptied since fit began), Keras reads it as of unknown length: it runs out at once.
            limit = self.size if ds is not None and self.size else None
            taken = 0
            for batch in itertools.islice(self._new_iterator(), limit):
                taken += 1
                yield batch
            unknown = self.size is None or ds is not None and self.size == 0
            if limit is None and unknown or limit is not None and taken < limit:
                # A source of unknown length ends by running out, which Keras 3.15.1 warns of too (3.16 only
                # with steps).
                self._ran_out(index)
                self._short.append(index)
        else:
            if self._iter is None or self.restart:
                self._iter, self._seen = self._new_iterator(), 0
            for _ in range(self.steps):
                try:
                    batch = next(self._iter)
                except StopIteration:
                    self._ran_out(index)
                    self._iter = None
                    break
                self._seen += 1
                yield batch
            if self.size is not None and self._seen >= self.size:
                # A pass that took the last batch: the next starts the data again, as Keras's EpochIterator
                # does when its step count reaches the data's length (no epoch runs empty).
                self._iter = None
        if ds is not None:
            ds.on_epoch_end()

    def _ran_out(self, index: int) -> None:
        if self.defer_ran_out:
            self.ran_out.append(index)
        else:
            warnings.warn(RAN_OUT, UserWarning, stacklevel=3)

    def phantom_step(self, index: int) -> bool:
        """Whether Keras 3.15.1 (TensorFlow) counts one more optimizer step at the end of training pass ``index``:
        a pass that ran out of a source of unknown length (a generator) asks its step function for one more
        batch, and the failed step still advances ``optimizer.iterations`` (and so Adam's bias correction and a
        schedule's step) though it changes no weight. A PyDataset's known length stops the loop first, unless
        the PyDataset has shrunk since it was counted."""
        return index in self.ran_out and (self.size is None or index in self._short)


# The model whose fit this thread feeds (set on each feeder thread).
_FEEDING = threading.local()


def feeds_fit_of(model: Any) -> bool:
    """Whether this thread feeds a fit of ``model`` (its generator or PyDataset runs here): a ``fit`` of it
    from here could only wait for that fit, which waits for this thread's batches."""
    return getattr(_FEEDING, "model", None) is model


class Feeder:
    """A producer thread: ``passes`` passes of ``source``, each batch converted by ``convert`` to
    ``(x, y, sample_weight)`` float32 arrays and put in ``queue``; ``queue.end()`` after each pass. An
    exception from the user's code or the conversion is kept in ``error`` (``queue.fail()`` tells the core).
    ``model`` is the model being trained, when it is a fit's; ``each`` is called before each batch is put
    (a training batch's step: its learning rate, for a schedule written in Python)."""

    def __init__(
        self,
        source: Source,
        passes: int,
        queue: Any,
        convert: Callable[[tuple[Any, ...]], Any],
        model: Any = None,
        each: Callable[[], None] | None = None,
    ) -> None:
        self.model = model
        self.each = each
        self.source = source
        self.queue = queue
        self.convert = convert
        self.passes = passes
        # The batches of each finished pass (a progress bar's total once the first epoch has run).
        self.sizes: list[int] = []
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="keras_lite-feeder", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        _FEEDING.model = self.model
        try:
            for batches in self.source.passes(self.passes):
                n = 0
                for batch in batches:
                    converted = self.convert(batch)
                    if self.each is not None:
                        self.each()
                    if not self.queue.put(*converted):
                        return
                    n += 1
                if self.each is not None and self.source.phantom_step(len(self.sizes)):
                    self.each()  # (the schedule's rate of the step Keras counts there, never applied)
                self.sizes.append(n)
                if not self.queue.end():
                    return
        except BaseException as e:  # noqa: BLE001 - re-raised on the caller's thread
            self.error = e
            self.queue.fail()

    def stop(self) -> None:
        """Stop the thread (the queue is closed, so a waiting ``put`` returns) and wait for it."""
        self.queue.close()
        self.thread.join()


def queue_for(source: Source, max_queue_size: int = 10) -> Any:
    """The core's bounded queue for ``source`` (a PyDataset's own ``max_queue_size``)."""
    size = source.dataset.max_queue_size if source.dataset is not None else max_queue_size
    return _core.BatchQueue(max(1, int(size)))
