"""What ``compile``, ``fit``, ``evaluate`` and ``predict`` do with their arguments before the core runs them.

``Model``'s methods keep Keras's signatures and docstrings and call these functions with the model. Each one
checks and converts its arguments (Keras's names, defaults and messages), builds the model on first use, makes
the callback list, and hands the core arrays it can take; the loops themselves run in the Rust core, which
reports to `FitObserver` and so to the Keras callbacks.
"""

from __future__ import annotations

import math
import time
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _data, _data_keras, _stream
from .. import callbacks as callbacks_module
from .._errors import received, whole_number
from .._progbar import first_step, report
from .._structure_lock import _fit_history, _fit_result, _training_over
from .._tensor import Tensor
from ..layers._keras_tensor import _symbolic
from ..layers._layer_args import _MAX_SIZE
from ..optimizers._steps import restarted as restarted_rates
from . import _metric_objects, _nesting, _step_args, _stream_eval, _stream_fit, _targets, _weights
from ._compile import require_compiled, trains_nothing
from ._observer import FitObserver, _Stoppable
from ._stream_eval import Stopped
from ._targets import check_targets, settle_targets

if TYPE_CHECKING:
    from ._model import Model


def verbosity(verbose: Any) -> int:
    """``verbose`` as 0, 1 or 2 (``"auto"`` and True are 1, False 0). The callbacks' ``params`` keep the value
    as given, as Keras's do; only the progress bar reads it as a number."""
    if isinstance(verbose, str) and verbose == "auto":
        return 1
    if not isinstance(verbose, (int, np.integer)) or verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 'auto', 0, 1 or 2. {received('verbose', verbose)}")
    return int(verbose)


def _streamed(args: dict[str, Any], validation_freq: Any) -> dict[str, Any]:
    """``fit``'s arguments as a streamed fit reads them: ``verbose`` as a number (``given_verbose`` as given, for
    the callbacks' params), ``epochs`` checked, ``validation_freq`` read."""
    verbose = args["verbose"]
    return {
        **args,
        "verbose": verbosity(verbose),
        "given_verbose": verbose,
        "epochs": _epochs(args["epochs"]),
        "validation_freq": validation_freq,
    }


def _epochs(epochs: Any) -> int:
    """``fit``'s ``epochs``: a non-negative integer (Python or NumPy; not a bool or a float)."""
    if isinstance(epochs, (int, np.integer)) and not isinstance(epochs, bool) and epochs == 0:
        return 0
    try:
        return _data.as_positive_int(epochs, "epochs")
    except ValueError:
        raise ValueError(
            f"Received an invalid value for `epochs`, expected a non-negative integer. {received('epochs', epochs)}"
        ) from None


# ---- data ----------------------------------------------------------------------------------------------------
def inputs(model: Model, x: Any, arg: str = "x") -> np.ndarray:
    """``x`` as the float32 C-contiguous ``(n, width)`` array the core takes, its width checked (a model with
    several inputs takes a list or a dict of arrays, joined side by side)."""
    joined = model._join_inputs(x, arg)
    if joined is not None:
        return joined
    if isinstance(x, (list, tuple)) and len(x) == 1 and (hasattr(x[0], "shape") or hasattr(x[0], "iloc")):
        x = x[0]  # one input's array in a list, as Keras takes it (a nested list stays rows)
    width = model._input_width()
    arr = _data.to_matrix(_data_keras.keras_rank(x, (width,) if width else None), arg, expected_width=width)
    if model._net is not None and arr.shape[1] != model._net.input_dim:
        raise ValueError(
            f"Input 0 of layer {model._layers[0].name!r} is incompatible with the layer: expected axis -1 of input "
            f"shape to have value {model._net.input_dim}, but received input with shape {arr.shape}"
        )
    return arr


# ---- fit, evaluate, predict ----------------------------------------------------------------------------------
def fit(
    model: Model,
    x: Any,
    y: Any,
    batch_size: Any,
    epochs: Any,
    verbose: Any,
    callbacks: Any,
    validation_split: Any,
    validation_data: Any,
    shuffle: Any,
    class_weight: Any,
    sample_weight: Any,
    initial_epoch: Any,
    steps_per_epoch: Any,
    validation_steps: Any,
    validation_batch_size: Any,
    validation_freq: Any,
) -> Any:
    """``model.fit``: the ``History``."""
    zero = _data_keras.zero_as_none  # (0 reads as not given, as Keras reads it)
    batch_size, validation_batch_size = zero(batch_size), zero(validation_batch_size)
    steps_per_epoch, validation_steps = zero(steps_per_epoch), zero(validation_steps)
    if _stream.feeds_fit_of(model):
        raise RuntimeError(
            "fit() cannot run while this model is training: this call comes from the generator or PyDataset "
            "feeding its fit. Call fit() again after that fit returns."
        )
    require_compiled(model, "training")
    vfreq = _step_args.validation_freq(validation_freq)
    if isinstance(class_weight, dict) and not class_weight:
        class_weight = None  # as Keras reads an empty one: no weights
    # (checked for streamed data and arrays read in steps too)
    whole_number("initial_epoch", initial_epoch, "initial_epoch must be a non-negative integer.", _MAX_SIZE)
    if _stream.is_stream(x):
        return _stream_fit.fit(model, x, _streamed(dict(locals()), vfreq), FitObserver, inputs)
    if x is None or y is None:
        raise ValueError(
            f"fit needs both x and y arrays. Received: x={type(x).__name__}, y={type(y).__name__}"
        )
    if class_weight is not None and sample_weight is not None:
        raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
    if steps_per_epoch is not None or validation_steps is not None:  # read in steps, as a stream of batches
        _stream_fit.refuse_stream_validation(validation_data)
        return _stream_fit.fit_arrays_in_steps(model, _streamed(dict(locals()), vfreq), FitObserver, inputs)
    given_verbose, verbose = verbose, verbosity(verbose)
    batch_size = 32 if batch_size is None else _data.as_positive_int(batch_size, "batch_size")
    epochs = _epochs(epochs)  # 0 (or epochs <= initial_epoch) runs no epoch: an empty History, as Keras
    if epochs > _MAX_SIZE:
        raise ValueError(f"epochs is too large. {received('epochs', epochs)}")
    shuffle = _data.shuffles_rows(shuffle)
    xa = inputs(model, x)
    ya = _targets.to_targets(model, y, "y")
    _data.check_same_length(xa, ya)
    sw = _weights.sample_weights(sample_weight, xa.shape[0], model=model)
    val = None
    val_sw = None
    if validation_data is not None:
        _stream_fit.refuse_stream_validation(validation_data)
        vx, vy, vw = _data.unpack_validation_data(validation_data)
        val = (
            inputs(model, vx, "validation_data x"),
            _targets.to_targets(model, vy, "validation_data y"),
        )
        _data.check_same_length(val[0], val[1], x_arg="validation_data x", y_arg="validation_data y")
        val_sw = _weights.sample_weights(vw, val[0].shape[0], "validation_data sample_weight", model)
    elif validation_split:
        (train_x, train_y), val = _data.split_validation(xa, ya, validation_split)
        split_at = train_x.shape[0]
        if sw is not None:
            sw, val_sw = np.ascontiguousarray(sw[:split_at]), np.ascontiguousarray(sw[split_at:])
        if not (_data.all_finite(val[0]) and _data.all_finite(val[1])):
            # The core would check the held-out rows as "validation_data" and count them from 0: name
            # the first bad value by where it is in the x or y the user passed instead.
            _data.check_finite(xa, "x", "inputs")
            _data.check_finite(ya, "y", "targets")
        xa, ya = np.ascontiguousarray(train_x), np.ascontiguousarray(train_y)
        val = (np.ascontiguousarray(val[0]), np.ascontiguousarray(val[1]))
    settle_targets(model, ya)
    model._ensure_built(xa.shape[1], train=True)
    check_targets(model, ya, "y")
    if val is not None:
        check_targets(model, val[1], "validation_data y")
    frozen = trains_nothing(model)  # (no optimizer step: Keras's warning)
    if class_weight is not None:
        # Training only, as in Keras: the validation rows keep their own weights.
        sw = _weights.class_weights(
            class_weight, ya, model._net.output_dim, ya.shape[1] == 1 and model._net.output_dim > 1
        )
    val_bs = (
        batch_size
        if validation_batch_size is None
        else _data.as_positive_int(validation_batch_size, "validation_batch_size")
    )
    steps = math.ceil(xa.shape[0] / batch_size)
    cbs = callbacks_module.CallbackList(
        callbacks,
        add_history=True,
        add_progbar=verbose != 0,
        model=model,
        verbose=given_verbose,
        epochs=epochs,
        steps=steps,
    )
    _fit_history(cbs.history)
    observer = FitObserver(model, cbs, model._metric_names)
    observer.validation_freq = vfreq
    if cbs.needs_batch_hooks():
        interval = 0.0
    elif verbose == 1:
        # A little under the progress bar's own 50 ms so that its redraws are not skipped.
        interval = 0.045
    else:
        interval = 1e9
    model.stop_training = False
    model._initial_epoch = None
    cbs.on_train_begin()
    observer.stop_at_start = bool(model.stop_training)
    # A callback may move the start (BackupAndRestore resuming), as Keras 3's ``model._initial_epoch``.
    resumed = model._initial_epoch
    model._initial_epoch = None
    if resumed:
        initial_epoch = int(resumed)
    rates = restarted_rates(model.optimizer)
    # A schedule written in Python: the rates of every step this fit runs (none without a trainable weight).
    if rates is not None and not frozen:
        rates.extend(steps * max(0, epochs - int(initial_epoch)))
    model._net.fit(
        xa,
        ya,
        val[0] if val is not None else None,
        val[1] if val is not None else None,
        min(batch_size, xa.shape[0]),
        epochs,
        int(initial_epoch),
        bool(shuffle),
        min(val_bs, val[0].shape[0]) if val is not None else 1,
        observer,
        interval,
        sw,
        val_sw if val is not None else None,
    )
    with _training_over(model):
        cbs.on_train_end(observer.last_logs)
    return _fit_result(model, cbs.history)


def evaluate(
    model: Model,
    x: Any,
    y: Any,
    batch_size: Any,
    verbose: Any,
    sample_weight: Any,
    steps: Any,
    callbacks: Any,
    return_dict: bool,
) -> Any:
    """``model.evaluate``: a float, a list of floats, or a dict."""
    batch_size = _data_keras.zero_as_none(batch_size)
    require_compiled(model, "evaluation")
    if _stream.is_stream(x):
        v = verbosity(verbose)  # (the callbacks' params keep `verbose` as given)
        cbs = lambda n: _callback_list(model, callbacks, verbose, n)  # noqa: E731
        return _stream_eval.evaluate(model, x, dict(locals()), cbs, _Stoppable, inputs)
    given_verbose, verbose = verbose, verbosity(verbose)
    start = time.time()
    xa = inputs(model, x)
    ya = _targets.to_targets(model, y, "y")
    _data.check_same_length(xa, ya)
    bs = _data.batch_size_for(batch_size, steps, xa.shape[0])
    sw = _weights.sample_weights(sample_weight, xa.shape[0], model=model)
    rows = _steps_rows(steps, bs, xa.shape[0])  # `steps` batches
    xa, ya, sw = xa[:rows], ya[:rows], None if sw is None else sw[:rows]
    settle_targets(model, ya)
    model._ensure_built(xa.shape[1])
    check_targets(model, ya, "y")
    n_steps = _bar_steps(steps, xa.shape[0], bs)
    names = model._metric_names
    drawn = verbose == 1 and n_steps > 1

    def first_bar() -> Any:  # the bar's first draw shows the first batch's values, as Keras's does
        first = model._net.evaluate(xa[:bs], ya[:bs], bs, None, None if sw is None else sw[:bs])
        return first_step(n_steps, verbose, start, _targets.keyed(names, model._metric_sizes, first))

    bar = None
    if callbacks is None:
        bar = first_bar() if drawn else None
        keys = _targets.Keys(model)
        values = model._net.evaluate(xa, ya, min(bs, xa.shape[0]), None, sw)
        keys.check()
        _metric_objects.record(model, values)
    else:
        cbs = _callback_list(model, callbacks, given_verbose, n_steps)
        model.stop_evaluating = False
        cbs.on_test_begin()
        if model.stop_evaluating:  # as Keras, which looks after each batch: the first one only
            xa, ya, sw = xa[:bs], ya[:bs], None if sw is None else sw[:bs]
        hooked = cbs.needs_batch_hooks("test")
        # (on the GPU a batch at a time, so that weights a hook sets reach the later batches, as in Keras)
        batched = hooked and model.device == "gpu" and xa.shape[0] > 0
        kind = _stream_eval.same_compile(_Stoppable) if batched else _Stoppable
        observer = kind(model, cbs, names) if hooked else None
        if observer is not None and drawn:  # drawn after the first batch's hooks, after on_test_begin's
            observer.bar_from = (n_steps, verbose, start)
        bar = first_bar() if drawn and observer is None else None
        keys = _targets.Keys(model)
        try:
            if batched:
                values = _stream_eval.evaluate_batches(model, xa, ya, bs, observer, sw)
            else:
                values = model._net.evaluate(xa, ya, min(bs, xa.shape[0]), observer, sw)
        except Stopped:
            values = observer.running  # type: ignore[union-attr]
        bar = bar if observer is None else observer.bar
        keys.check()
        _metric_objects.record(model, values)
        cbs.on_test_end(_targets.keyed(names, model._metric_sizes, values))
    if verbose:
        logs = _targets.keyed(names, model._metric_sizes, values)
        report(n_steps, verbose, start, logs, bar or first_step(n_steps, verbose, start, logs))
    return keys.result(values, return_dict)


def predict(model: Model, x: Any, batch_size: Any, verbose: Any, steps: Any, callbacks: Any) -> np.ndarray:
    """``model.predict`` for what its fast path does not take: conversions, callbacks, progress, errors."""
    batch_size = _data_keras.zero_as_none(batch_size)
    given_verbose, verbose = verbose, verbosity(verbose)
    if _stream.is_stream(x):
        make = None if callbacks is None else (lambda n: _callback_list(model, callbacks, given_verbose, n))
        return _stream_eval.predict(model, x, steps, make, inputs, verbose)
    start = time.time()
    xa = inputs(model, x)
    bs = _data.batch_size_for(batch_size, steps, xa.shape[0])
    xa = xa[: _steps_rows(steps, bs, xa.shape[0])]
    model._ensure_built(xa.shape[1])
    n_steps = _bar_steps(steps, xa.shape[0], bs)
    if callbacks is None:
        bar = first_step(n_steps, verbose, start, {})  # (drawn before the predictions: they take no values)
        out = model._net.predict(xa)
    else:
        cbs = _callback_list(model, callbacks, given_verbose, n_steps)
        model.stop_predicting = False
        cbs.on_predict_begin()
        if model.stop_predicting:  # as Keras, which looks after each batch: the first one only
            xa = xa[:bs]
        if cbs.needs_batch_hooks("predict"):
            observer = _Stoppable(model, cbs, [])
            observer.bar_from = (n_steps, verbose, start)  # drawn after the first batch's hooks, as Keras's
            try:
                out = model._net.predict_batches(xa, bs, observer)
            except Stopped:
                out = np.concatenate(observer.outputs, axis=0)
            bar = observer.bar
        else:
            bar = first_step(n_steps, verbose, start, {})  # (after on_predict_begin, as Keras's bar)
            out = model._net.predict(xa)
        cbs.on_predict_end()
    if verbose:
        report(n_steps, verbose, start, {}, bar)
    return out


def call(model: Model, x: Any, training: Any = None) -> Tensor:
    """``model(x)`` for what its fast path does not take: conversions, a first build, errors (on tensors, a
    ``training=False`` given is kept for the model's config, as Keras's keeps it)."""
    if _symbolic(x):
        out = _nesting.call_on_tensors(model, x)
        if training is not None:
            model._given_training = training
        return out  # type: ignore[no-any-return]
    empty = no_rows(model, x, "inputs")
    if empty is not None:
        return empty
    xa = inputs(model, x, "inputs")
    model._ensure_built(xa.shape[1])
    return model._net.predict(xa, Tensor)


def no_rows(model: Model, x: Any, arg: str) -> Tensor | None:
    """What ``model(x)`` and ``predict_on_batch(x)`` give for data of no rows, as Keras gives it: no rows of
    output (the data's widths checked as for rows); None for data with rows, or a model not built yet."""
    one = _data_keras.one_row(x)
    if one is None or model._net is None:
        return None
    inputs(model, one, arg)
    return np.zeros((0, model._net.output_dim), np.float32).view(Tensor)


def _bar_steps(steps: Any, rows: int, batch_size: int) -> int:
    """The steps the progress bar and the callbacks' ``params`` count: ``steps`` where given (as Keras's bar
    ends at it even when the data ran out first), else the batches of ``rows``."""
    return int(steps) if steps else math.ceil(rows / batch_size)


def _steps_rows(steps: Any, batch_size: int, n: int) -> int:
    """The rows ``evaluate`` or ``predict`` reads from arrays of ``n`` rows: ``steps`` batches, as Keras reads
    them (None or 0: all of them; more steps than batches: all, with Keras's warning that the input ran out)."""
    if steps is None:
        return n
    whole_number("steps", steps, "steps must be a non-negative integer or None.")
    if steps == 0:  # Keras reads it as no limit
        return n
    if steps > math.ceil(n / batch_size):
        warnings.warn(_stream.RAN_OUT, UserWarning, stacklevel=4)
    return min(n, int(steps) * batch_size)


def _callback_list(model: Model, callbacks: Any, verbose: Any, steps: int) -> Any:
    """The callbacks of an ``evaluate`` or ``predict`` call, with Keras's params for them (``verbose`` as
    given)."""
    return callbacks_module.CallbackList(callbacks, model=model, verbose=verbose, epochs=1, steps=steps)
