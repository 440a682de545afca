"""A legacy HDF5 file's ``training_config`` (tf.keras 2's and Keras 3's) read as the ``compile_config`` Keras 3's
legacy loader makes of it: the optimizer's config without tf.keras 2's extra keys, loss and metric names turned
into the objects Keras's loader deserializes them into (so they log under Keras's names)."""

from __future__ import annotations

from typing import Any

from . import metrics as metrics_module
from ._errors import FormatError


def compile_config(training: Any) -> dict[str, Any]:
    """The ``compile_config`` a legacy ``training_config`` describes (tf.keras 2's and Keras 3's)."""
    if not isinstance(training, dict):
        raise FormatError(f"training_config is not a dict. Received: {training!r}")
    out = {k: training.get(k) for k in ("loss", "loss_weights", "metrics", "weighted_metrics")}
    opt = training.get("optimizer_config")
    if isinstance(opt, dict):
        # tf.keras 2 names its optimizers "Custom>Adam" and adds keys Keras 3 does not have.
        name = str(opt.get("class_name", "")).split(">")[-1]
        given = opt.get("config")
        config = {
            k: v
            for k, v in (given if isinstance(given, dict) else {}).items()
            if k not in ("jit_compile", "is_legacy_optimizer")
        }
        opt = {"class_name": name, "config": _keras2_optimizer(name, config)}
    out["optimizer"] = opt if opt is not None else "rmsprop"
    # Keras's legacy loader deserializes a loss's name into the function, also per output (a dict or list)
    out["loss"] = _per_output(
        out["loss"], lambda n: {"class_name": "function", "config": n} if isinstance(n, str) else n
    )
    for key in ("metrics", "weighted_metrics"):
        value = out[key]
        # tf.keras 2 lists one list of metrics per output, each a MeanMetricWrapper of a function.
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
            value = value[0]
        out[key] = _per_output(value, _legacy_metric)
    return out


def _per_output(value: Any, convert: Any) -> Any:
    """``convert`` of ``value``, or of each entry of its list or dict of outputs (a name or a config)."""
    if isinstance(value, list):
        return [_per_output(v, convert) for v in value]
    if isinstance(value, dict) and "class_name" not in value:
        return {k: _per_output(v, convert) for k, v in value.items()}
    return convert(value)


def _legacy_metric(entry: Any) -> Any:
    """A metric of a legacy ``training_config`` as Keras 3's legacy loader reads it: a name other than
    ``accuracy``, ``acc``, ``crossentropy`` and ``ce`` becomes its metric object (``"mae"``:
    ``MeanAbsoluteError``, logged as ``mean_absolute_error``), the others stay names for compile to choose."""
    if isinstance(entry, str) and entry not in ("accuracy", "acc", "crossentropy", "ce"):
        try:
            return metrics_module.serialize(metrics_module.deserialize(entry))
        except ValueError:
            return entry  # (compile names what it cannot take)
    return _keras2_metric(entry)


def _keras2_optimizer(name: str, config: dict[str, Any]) -> dict[str, Any]:
    """An optimizer config of standalone Keras 2 or tf.keras before 2.11 as Keras 3 reads it: ``lr`` is the
    learning rate, and a time-based ``decay`` (``lr / (1 + decay * iterations)``) is the
    ``InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)`` schedule; Nadam's ``schedule_decay`` of 0.004 is
    the momentum schedule Keras 3's Nadam has."""
    config = dict(config)
    if "lr" in config:
        lr = config.pop("lr")
        config.setdefault("learning_rate", lr)
    decay = config.pop("decay", 0.0)
    if decay not in (0, 0.0, None):
        config["learning_rate"] = {
            "class_name": "InverseTimeDecay",
            "config": {
                "initial_learning_rate": config.get("learning_rate", 0.001),
                "decay_steps": 1,
                "decay_rate": decay,
                "staircase": False,
            },
        }
    if name == "Nadam" and config.get("schedule_decay") == 0.004:
        del config["schedule_decay"]
    return config


def _keras2_metric(entry: Any) -> Any:
    """tf.keras 2's ``MeanMetricWrapper(fn, name)`` of a metric given by name: that name (which gives the same
    metric and history key), or the function's."""
    cfg = entry.get("config") if isinstance(entry, dict) else None
    if entry is None or not isinstance(cfg, dict) or entry.get("class_name") != "MeanMetricWrapper":
        return entry
    for candidate in (cfg.get("name"), cfg.get("fn")):
        if isinstance(candidate, str):
            try:
                metrics_module.resolve(candidate, 1)
            except ValueError:
                continue
            return candidate
    return entry
