"""``evaluate`` and ``predict`` on streamed data (see ``keras_lite._stream``): one pass over the source, through
the core's streamed evaluation (a producer thread feeding it) or, for ``predict``, on the calling thread;
callbacks may stop either after a batch, as Keras's ``stop_evaluating`` and ``stop_predicting`` do."""

from __future__ import annotations

import _thread
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _core
from .. import callbacks as callbacks_module
from .._errors import received
from .._progbar import Progbar, first_step, report
from .._stream import Feeder, Source, queue_for
from . import _metric_objects, _targets
from ._step_args import read_steps
from ._stream_batches import Inputs, converter, empty
from ._stream_fit import prepare, run_fed

if TYPE_CHECKING:
    from ._model import Model


def evaluate(
    model: Model, x: Any, a: dict[str, Any], make_callbacks: Any, observer_cls: Any, inputs: Inputs
) -> Any:
    """``model.evaluate`` of a stream: a float, a list of floats, or (``return_dict``) a dict."""
    values, keys = _evaluate(model, x, a, make_callbacks, observer_cls, inputs)
    if not values:  # a pass of no batch (a PyDataset emptied by its on_epoch_end): Keras's logs hold nothing
        return {} if a["return_dict"] else []
    return keys.result(values, a["return_dict"])


def _evaluate(
    model: Model, x: Any, a: dict[str, Any], make_callbacks: Any, observer_cls: Any, inputs: Inputs
) -> tuple[list[float], _targets.Keys]:
    for arg in ("y", "sample_weight"):
        if a[arg] is not None:
            raise ValueError(
                f"`{arg}` argument is not supported when using a generator or PyDataset as x. {received(arg, a[arg])}"
            )
    start = time.time()
    source = Source(x, read_steps(a["steps"]), False, "x")
    prepare(model, source, "x", inputs)
    queue = queue_for(source)
    feeders = [Feeder(source, 1, queue, converter(model, inputs, True, "x"))]
    names = model._metric_names
    first = _FirstDraw(source.steps_per_pass(), start) if a["v"] == 1 else None
    if a["callbacks"] is None and first is None:
        keys = _targets.Keys(model)
        values = _pass_values(feeders, lambda: _core.evaluate_stream(model._net, queue, None))
        keys.check()  # (a compile by the generator, or another thread)
        _metric_objects.record(model, values)
    else:
        cbs = make_callbacks(source.steps_per_pass())
        if first is not None:
            cbs.callbacks.append(first)
        model.stop_evaluating = False
        cbs.on_test_begin()
        names = model._metric_names  # (as a hook there may have compiled it: the core starts after it)
        hooks = cbs.needs_batch_hooks("test") or model.stop_evaluating
        observer = same_compile(observer_cls)(model, cbs, names) if hooks else None
        keys = _targets.Keys(model)
        try:
            values = _pass_values(feeders, lambda: _core.evaluate_stream(model._net, queue, observer))
        except Stopped:  # (model.stop_evaluating, set by a callback: the batches run, as in Keras)
            values = observer.running  # type: ignore[union-attr]
        keys.check()  # (a compile by the generator, a callback or another thread)
        _metric_objects.record(model, values)
        cbs.on_test_end(_logs(names, model._metric_sizes, values))
    if a["v"]:
        steps = feeders[0].sizes[0] if feeders[0].sizes else 0
        bar = None if first is None else first.bar
        # (a pass of no batch: Keras's bar stops at the count it was given, with no value)
        report(
            steps or source.steps_per_pass() or 0,
            a["v"],
            start,
            _logs(names, model._metric_sizes, values),
            bar,
        )
    return values, keys


def evaluate_batches(
    model: Model, x: np.ndarray, y: np.ndarray, batch_size: int, observer: Any, sample_weight: Any
) -> list[float]:
    """An array ``evaluate`` with test-batch hooks on the GPU, fed to the core a batch at a time through its
    streamed evaluation. The GPU evaluates an array pass whole and then replays the hooks, so weights that a
    hook sets (``model.set_weights`` in ``on_test_batch_end``) would reach none of the pass's later batches;
    Keras evaluates a batch at a time, each with the weights the hooks before it left, as the CPU does.

    The batches are put from a bare thread: a ``threading.Thread`` joined from a hook's nested call (which
    runs on the core's worker thread) would leave that thread registered with ``threading`` for good."""
    queue = _core.BatchQueue(10)
    done = _thread.allocate_lock()
    done.acquire()
    failed: list[BaseException] = []

    def feed() -> None:
        try:
            for i in range(0, x.shape[0], batch_size):
                part = slice(i, i + batch_size)
                if not queue.put(x[part], y[part], None if sample_weight is None else sample_weight[part]):
                    return
            queue.end()
        except BaseException as e:  # noqa: BLE001 - re-raised on the caller's thread
            failed.append(e)
            queue.fail()
        finally:
            done.release()

    _thread.start_new_thread(feed, ())
    try:
        values = list(_core.evaluate_stream(model._net, queue, observer))
    finally:
        queue.close()
        done.acquire()
    if failed:
        raise failed[0]
    return values


def _logs(names: list[str], sizes: list[int], values: list[float]) -> dict[str, Any]:
    return _targets.keyed(names, sizes, values) if values else {}


def _pass_values(feeders: list[Feeder], call: Any) -> list[float]:
    """The core's values for the one pass ``call`` evaluates; none where the pass read no batch, which the core
    refuses (a PyDataset its ``on_epoch_end`` emptied: Keras warns that it ran out and logs nothing)."""
    try:
        return list(run_fed(feeders, call))
    except ValueError:
        if feeders[0].error is None and feeders[0].sizes == [0]:
            return []
        raise


class Stopped(Exception):
    """Raised through the core by an evaluate's or predict's observer when a callback stopped it."""


def _refuse_recompiled(model: Model, names: list[str], sizes: list[int]) -> None:
    """Raise ``RuntimeError`` if ``model`` was compiled with other metrics than ``names`` and ``sizes`` (those
    a streamed evaluate started with): its values would be keyed, or summed, by metrics they are not."""
    if (model._metric_names, model._metric_sizes) != (names, sizes):
        raise RuntimeError(
            f"the model was rebuilt or recompiled during evaluation: model {model.name!r} was compiled again "
            "while its evaluate() ran (from a callback, the data it reads or another thread). Compile it before "
            "or after evaluate()."
        )


def same_compile(base: Any) -> Any:
    """``base`` (the observer) refusing, after each test-batch hook, a model that a hook recompiled with other
    metrics: the core sums a streamed evaluate's columns as they were at its start, so it must not go on with
    more or fewer (an array evaluate raises the same error from the core)."""

    class SameCompile(base):  # type: ignore[misc, valid-type]
        def __init__(self, model: Model, cbs: Any, names: list[str]) -> None:
            super().__init__(model, cbs, names)
            self.sizes = list(model._metric_sizes)

        def _check(self) -> None:
            _refuse_recompiled(self.model, self.names, self.sizes)

        def on_test_batch_begin(self, step: int) -> None:
            super().on_test_batch_begin(step)
            self._check()

        def on_test_batch_end(self, step: int, running: list[float]) -> bool:
            self._check()  # (before the running values are keyed by names they no longer match)
            stop = super().on_test_batch_end(step, running)
            self._check()
            return bool(stop)

    return SameCompile


class _FirstDraw(callbacks_module.Callback):
    """Draws a streamed evaluate's bar after its first batch, with that batch's values, as Keras's bar draws
    itself (see `first_step`); ``report`` finishes it."""

    def __init__(self, steps: int | None, start: float) -> None:
        super().__init__()
        self.steps, self.start = steps, start
        self.bar: Progbar | None = None

    def on_test_batch_end(self, batch: int, logs: Any = None) -> None:
        if batch == 0:
            self.bar = first_step(self.steps, 1, self.start, dict(logs or {}))


def predict(
    model: Model, x: Any, steps: Any, make_callbacks: Any, inputs: Inputs, verbose: int
) -> np.ndarray:
    """``model.predict`` of a stream: the outputs of every batch, in order, as one array."""
    start = time.time()
    source = Source(x, read_steps(steps), False, "x", reset=False)
    prepare(model, source, "x", inputs)
    cbs = make_callbacks(source.steps_per_pass()) if make_callbacks is not None else None
    if cbs is not None:
        model.stop_predicting = False
        cbs.on_predict_begin()
    outs = []
    bar: Progbar | None = None
    # The network the predict started with, for every batch, as an array predict keeps it: a callback that
    # pops or adds a layer changes the model for the calls after this one.
    net = model._net
    for batches in source.passes(1):
        for step, batch in enumerate(batches):
            if cbs is not None:
                cbs.on_predict_batch_begin(step)
            if empty(batch[0]):  # (a PyDataset's batch of no rows, as Keras predicts it)
                out = np.empty((0, net.output_dim), np.float32)
            else:
                out = net.predict(inputs(model, batch[0], "x"))
            outs.append(out)
            if cbs is not None:
                cbs.on_predict_batch_end(step, predict_logs(model, out))
            if step == 0:
                bar = first_step(source.steps_per_pass(), verbose, start, {})
            if cbs is not None and model.stop_predicting:  # (set by a callback: the batches run, as Keras)
                break
    if cbs is not None:
        cbs.on_predict_end()
    if verbose:
        report(len(outs), verbose, start, {}, bar)
    return np.concatenate(outs, axis=0)


def predict_logs(model: Any, out: np.ndarray) -> dict[str, Any]:
    """A predict batch's logs as Keras flattens its outputs there: under the output's key for a model built
    with a dict of outputs (``keras.Model(i, {"out": o})``), else ``{"outputs": out}``."""
    keyed = getattr(model, "_keyed", None)  # (a Functional model's: its dict of outputs, else the array)
    logs = keyed(out) if keyed is not None else out
    return logs if isinstance(logs, dict) else {"outputs": out}
