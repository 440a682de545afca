"""What ``fit`` and ``evaluate`` check of the targets against the loss, and how they settle ``"crossentropy"``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _data
from .. import losses as losses_module
from .. import metrics as metrics_module
from .._errors import ArgumentTypeError
from .._metric_regression import PerOutput

if TYPE_CHECKING:
    from ._model import Model


def settle_targets(model: Model, y: np.ndarray) -> None:
    """Let the targets fit or evaluate first sees after ``compile`` settle ``loss="crossentropy"``.

    As Keras 3 builds its compiled loss on the first batch: one output means binary crossentropy, one column of
    targets (rank 1 or ``(n, 1)``) with several outputs sparse, and otherwise categorical. The choice stays
    until the next ``compile``. A built model whose core was compiled with the provisional choice is compiled
    again, keeping its optimizer state (a loaded model's moments and iterations).
    """
    if not isinstance(model._loss_obj, losses_module._AutoCrossentropy) or model._target_width is not None:
        return
    model._target_width = int(y.shape[1])
    net = model._net
    if net is None or model._core_loss is None:
        return  # the build compiles the core with the choice
    chosen = losses_module._concrete(model._loss_obj, net.output_dim, model._target_width)
    if chosen._spec() == model._core_loss._spec():
        return
    iterations, rows = net.optimizer_state()
    try:
        model._compile_core()
    except ValueError:
        model._target_width = None
        raise
    if iterations:
        net.set_optimizer_state(iterations, [value for _, _, value in rows])


def check_targets(model: Model, y: np.ndarray, arg: str) -> None:
    """``y`` has the layout the loss reads: one class id per row for a sparse loss, else the output's width."""
    width = model._net.output_dim
    loss = model._core_loss
    if loss is not None and losses_module.is_sparse(loss):
        if y.shape[1] != 1:
            raise ValueError(
                f"{arg} has shape {y.shape}, but the loss {loss.name!r} takes one integer class id per sample: "
                f"(n,) or (n, 1) labels in [0, {width}). For one-hot targets use categorical_crossentropy. "
                f"Received: target.shape={y.shape}, output.shape=(None, {width})"
            )
        return
    if y.shape[1] != width:
        hint = ""
        if y.shape[1] == 1 and width > 1:
            hint = " For integer class labels use sparse_categorical_crossentropy."
        elif width == 1:
            hint = " Targets must be (n, 1) or (n,)."
        raise ValueError(
            f"Arguments `target` and `output` must have the same shape. Received: target.shape={y.shape}, "
            f"output.shape=(None, {width}): {arg} has {y.shape[1]} column{'s' if y.shape[1] != 1 else ''} but the model's output has "
            f"{width} units.{hint}"
        )


def layouts_apart(kind: str, loss: Any) -> tuple[str, str] | None:
    """How the metric ``kind`` reads the targets and how ``loss`` takes them (class ids, or rows like the
    predictions), when the two differ; ``None`` when they agree."""
    if metrics_module.is_sparse(kind) == losses_module.is_sparse(loss):
        return None
    ids, rows = "class ids", "rows like the predictions"
    return (ids, rows) if metrics_module.is_sparse(kind) else (rows, ids)


def _check_reads_targets(loss: losses_module.Loss, kind: str, name: str, arg: str) -> None:
    """Refuse a metric that cannot read the targets as ``loss`` takes them (class ids, or rows like the
    predictions), and a sparse crossentropy metric beside a loss that ignores a label, which names no class
    (the core refuses both too; here the message names the metric and the loss as the user gave them)."""
    apart = layouts_apart(kind, loss)
    if apart is not None:
        want, have = apart
        raise ValueError(
            f"The metric {name!r} reads targets as {want}, but the loss {loss.name!r} takes {have}. "
            f"Received: {arg}=[{name!r}] with loss={loss.name!r}"
        )
    ignored = getattr(loss, "ignore_class", None)
    if kind == "sparse_categorical_crossentropy" and ignored is not None:
        raise ValueError(
            f"The metric {name!r} reads every target as a class id, but the loss {loss.name!r} ignores the label "
            f"{ignored}, which is not one (the metric has no ignore_class). Received: {arg}=[{name!r}] with "
            f"loss={type(loss).__name__}(ignore_class={ignored})"
        )


def resolve_metrics(
    output_dim: int, loss: losses_module.Loss, metrics: list[Any], weighted: list[Any]
) -> tuple[list[str], list[str], list[str], list[int], list[str]]:
    """The core's kinds for ``metrics`` and ``weighted_metrics``, their history names, how many values each
    reports (more than one for a vector result: several thresholds, R² per output), and each metric's own name
    (its history name before the numbering and prefixes below: what Keras's ``evaluate`` list goes by).

    Names as Keras 3 gives them: a repeated name gets ``_1``, ``_2``, ...; a ``weighted_metrics`` name already
    taken (by any metric before it) becomes ``weighted_<name>``, then ``weighted_<name>_1``, ...
    """
    sparse = losses_module.is_sparse(loss)
    plain = [metrics_module.resolve_sized(m, output_dim, sparse) for m in metrics]
    heavy = [metrics_module.resolve_sized(m, output_dim, sparse) for m in weighted]
    for arg, group in (("metrics", plain), ("weighted_metrics", heavy)):
        for kind, name, _ in group:
            _check_reads_targets(loss, kind, name, arg)
    names: list[str] = []
    taken: set[str] = set()  # the names as a set: a file's config may list a hundred thousand metrics
    counts: dict[str, int] = {}

    def numbered(name: str) -> str:
        k = counts.get(name, 0)
        counts[name] = k + 1
        numbered = f"{name}_{k}" if k else name
        while numbered in taken:  # a metric named like another's numbered name ("mae_1"); Keras overwrites
            k += 1
            counts[name] = k + 1
            numbered = f"{name}_{k}"
        taken.add(numbered)
        return numbered

    for _, name, _ in plain:
        names.append(numbered(name))
    for _, name, _ in heavy:
        names.append(numbered(f"weighted_{name}" if name in counts else name))
    sizes = [size for _, _, size in plain + heavy]
    bases = [name for _, name, _ in plain + heavy]
    return [kind for kind, _, _ in plain], [kind for kind, _, _ in heavy], names, sizes, bases


def keyed(names: list[str], sizes: list[int], values: Any, sort: bool = True) -> dict[str, Any]:
    """The core's flat ``[loss, metric values...]`` as logs: each name with its value, or its vector of values
    (a float32 array) where a metric reports several (``sizes`` gives each metric's count after the loss) or
    one per output (a ``PerOutput`` count, a vector even for a one-unit output, as in Keras 3).
    Sorted by name, as Keras 3's logs are, unless ``sort`` is false (then the loss, then the metrics in the
    order compile was given them: ``evaluate``'s list). Each value is a float32's, as Keras's logs are (a
    Python float of it): the core's sums are float64, and ``0.67625`` is logged as ``0.6762499809265137``."""
    if len(values) == len(names) and not any(isinstance(size, PerOutput) for size in sizes):
        logs: dict[str, Any] = {name: _float32(v) for name, v in zip(names, values)}
    else:
        logs = {names[0]: _float32(values[0])}  # the loss
        at = 1
        for name, size in zip(names[1:], sizes):
            vector = size != 1 or isinstance(size, PerOutput)  # one value per output: a vector even of one
            logs[name] = np.asarray(values[at : at + size], np.float32) if vector else _float32(values[at])
            at += size
    return dict(sorted(logs.items())) if sort else logs


class Keys:
    """The names of the values the core computes, read before an evaluation: ``check`` after it raises
    ``RuntimeError`` if the model was compiled (or rebuilt) again meanwhile, from another thread, a callback or
    the data, since the values would then be another compile's (keyed by the wrong names, or too few)."""

    def __init__(self, model: Model) -> None:
        # (read first: compile_net counts before and after)
        self.model, self.compiles = model, model._compiles
        self.names, self.sizes, self.bases = model._metric_names, model._metric_sizes, model._metric_bases

    def check(self, call: str = "evaluate") -> Keys:
        # (an odd count was read in the middle of a compile: the names may be the old compile's and the values
        # the new one's, with the count the same after)
        if self.model._compiles != self.compiles or self.compiles % 2:
            raise RuntimeError(
                f"the model was rebuilt or recompiled during evaluation: model {self.model.name!r} was compiled "
                f"again while its {call}() ran (from a callback, the data it reads or another thread). Compile "
                f"it before or after {call}()."
            )
        return self

    def result(self, values: Any, as_dict: bool) -> Any:
        return evaluate_result(self.names, self.sizes, values, as_dict, self.bases)


def evaluate_result(names: list[str], sizes: list[int], values: Any, as_dict: bool, bases: list[str]) -> Any:
    """``evaluate``'s result from the core's flat values: the sorted logs (``return_dict``), else the loss
    alone, or a list in Keras 3's order (``_flatten_metrics_in_order``): the value of each of ``bases`` (the
    loss's and each metric's own name, in compile order) that is a log key, a name given twice giving its value
    twice, then the other keys' values, sorted by key (``weighted_mae`` beside a plain ``mae``, ``mae_1``)."""
    if as_dict:
        return keyed(names, sizes, values)
    if len(values) == 1:
        return _float32(values[0])
    logs = keyed(names, sizes, values, sort=False)
    return [logs[b] for b in bases if b in logs] + [logs[k] for k in sorted(logs) if k not in bases]


def _float32(value: Any) -> float:
    return float(np.float32(value))


def to_targets(model: Model, y: Any, arg: str) -> np.ndarray:
    """``y`` as the core takes targets (``_data.to_targets``), taken first from a dict by output name."""
    return _data.to_targets(unkeyed(model, y, arg), arg)


def unkeyed(model: Model, y: Any, arg: str) -> Any:
    """Targets (or sample weights) given as a dict by output name to a model built with a dict of outputs: the one output's array,
    as Keras maps them; the one output's array in a list or tuple, as Keras takes it (a nested list of numbers
    stays rows); any other ``y`` as it is."""
    if isinstance(y, (list, tuple)) and len(y) == 1 and getattr(y[0], "ndim", 0) >= 1:
        return y[0]
    if not isinstance(y, dict):
        return y
    structure = getattr(model, "_output_structure", None)
    if not isinstance(structure, list):
        # Keras 3.15.1 raises a TypeError here too: it reads the dict's keys as float targets.
        raise ArgumentTypeError(
            f"`{arg}` is a dict, but this model's output is not a dict of outputs (`keras.Model(inputs, "
            f"{{name: output}})`), so it takes its targets as an array, as Keras does. Received: {arg} with keys "
            f"{list(y)}"
        )
    if sorted(y) == sorted(structure):
        return y[structure[0]]
    raise ValueError(
        f"The keys of `{arg}` must be the model's output names {list(structure)}. Received: {arg} with keys "
        f"{list(y)}"
    )
