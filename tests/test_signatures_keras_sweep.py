"""Public constructors and functions take Keras 3.15.1's arguments: the same names, order, kinds and defaults,
so that an argument given by position or keyword means what it means in Keras, and an argument keras_lite
cannot honour is refused by name when it is given another value than its default.

Every golden is what Keras 3.15.1 (TensorFlow 2.21 backend) printed for the same code, written as
``[(name, default), ...]`` for ``inspect.signature`` (``REQUIRED`` for no default; ``*args``/``**kwargs`` by
their stars).
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest

import keras_lite as keras

REQUIRED = "<required>"


def params(obj: Any) -> list[tuple[str, Any]]:
    """``obj``'s signature as ``[(name, default)]``; a ``*args`` is ``("*args", REQUIRED)``."""
    out = []
    for p in inspect.signature(obj).parameters.values():
        star = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
        out.append((star + p.name, REQUIRED if p.default is p.empty else p.default))
    return out


# ---------------------------------------------------------------------------------------------- metrics

# print([(p.name, p.default) for p in inspect.signature(keras.metrics.Hinge).parameters.values()]) and so on.
METRIC_NAMES = {
    "Hinge": "hinge",
    "SquaredHinge": "squared_hinge",
    "CategoricalHinge": "categorical_hinge",
    "KLDivergence": "kl_divergence",
    "Poisson": "poisson",
    "MeanSquaredLogarithmicError": "mean_squared_logarithmic_error",
    "LogCoshError": "logcosh",
}


@pytest.mark.parametrize("cls", sorted(METRIC_NAMES))
def test_loss_metrics_spell_their_default_name(cls: str) -> None:
    make = getattr(keras.metrics, cls)
    assert params(make) == [("name", METRIC_NAMES[cls]), ("dtype", None)]
    assert make().name == METRIC_NAMES[cls]
    # Keras 3.15.1: Hinge().get_config() -> {"name": "hinge", "dtype": "float32"}
    assert make().get_config() == {"name": METRIC_NAMES[cls], "dtype": "float32"}


def test_a_metric_named_none_takes_its_class_name() -> None:
    # Keras 3.15.1: LogCoshError(name=None).name -> 'log_cosh_error' (the default name is 'logcosh').
    assert keras.metrics.LogCoshError(name=None).name.startswith("log_cosh_error")
    assert keras.metrics.LogCoshError().name == "logcosh"


class _Count(keras.metrics.Metric):
    def update_state(self, *args: Any) -> None:
        pass

    def result(self) -> float:
        return 0.0


def test_metric_base_takes_dtype_then_name() -> None:
    # Keras 3.15.1: Metric(dtype=None, name=None); M("float32", "nm") -> name 'nm', dtype 'float32'.
    assert params(keras.metrics.Metric) == [("dtype", None), ("name", None)]
    m = _Count("float32", "nm")
    assert (m.name, m.dtype) == ("nm", "float32")
    # Keras 3.15.1: Metric.add_weight(shape=(), initializer=None, dtype=None, name=None), no aggregation.
    assert params(keras.metrics.Metric.add_weight) == [
        ("self", REQUIRED),
        ("shape", ()),
        ("initializer", None),
        ("dtype", None),
        ("name", None),
    ]
    assert m.add_weight((), None, None, "total").path == "nm/total"


# -------------------------------------------------------------------------------------------- activations


def test_activation_signatures_are_keras() -> None:
    # Keras 3.15.1: softmax(x, axis=-1), log_softmax(x, axis=-1), sigmoid(x), serialize(activation).
    acts = keras.activations
    assert params(acts.softmax) == [("x", REQUIRED), ("axis", -1)]
    assert params(acts.log_softmax) == [("x", REQUIRED), ("axis", -1)]
    for name in ("sigmoid", "tanh", "linear", "selu", "silu", "softplus", "softsign", "relu6", "exponential"):
        assert params(getattr(acts, name)) == [("x", REQUIRED)], name
    assert params(acts.serialize) == [("activation", REQUIRED)]
    assert acts.serialize(activation=acts.relu) == "relu"


def test_activation_axis_by_position_and_python_errors() -> None:
    acts = keras.activations
    x = np.array([[1.0, 2.0]], dtype="float32")
    # Keras 3.15.1: softmax(x, -1) -> [[0.26894143 0.73105854]]
    np.testing.assert_allclose(acts.softmax(x, -1), [[0.26894143, 0.73105854]], rtol=1e-6)
    np.testing.assert_allclose(acts.log_softmax(x, 1), np.log([[0.26894143, 0.73105854]]), rtol=1e-5)
    # Keras 3.15.1's (Python's) words for these calls.
    with pytest.raises(TypeError, match=r"^sigmoid\(\) takes 1 positional argument but 2 were given$"):
        acts.sigmoid(x, 1)
    with pytest.raises(TypeError, match=r"^sigmoid\(\) got an unexpected keyword argument 'foo'$"):
        acts.sigmoid(x, foo=1)
    with pytest.raises(
        TypeError, match=r"^softmax\(\) takes from 1 to 2 positional arguments but 3 were given$"
    ):
        acts.softmax(x, -1, 3)
    with pytest.raises(TypeError, match=r"^softmax\(\) got multiple values for argument 'axis'$"):
        acts.softmax(x, -1, axis=-1)
    with pytest.raises(keras.NotSupportedError, match="Received: axis=0"):
        acts.softmax(x, 0)


# ------------------------------------------------------------------------------------------------ losses


def test_losses_deserialize_takes_name() -> None:
    # Keras 3.15.1: keras.losses.deserialize(name, custom_objects=None);
    # deserialize(name="mean_squared_error") -> <function mean_squared_error ...>
    assert params(keras.losses.deserialize) == [("name", REQUIRED), ("custom_objects", None)]
    assert keras.losses.deserialize(name="mean_squared_error") is keras.losses.mean_squared_error
