"""Optimizer hyper-parameters assigned as attributes (``model.optimizer.beta_1 = 0.5``, ``clipnorm``,
``weight_decay``, SGD's ``momentum``...), before or after ``compile()``: the next training call uses them, on each
device; goldens from Keras 3.15.1 (TensorFlow 2.21), which reads them when it traces its training step.

They were stored and silently ignored before. Keras reads an assignment made before the first fit; one made after
it only at its next trace (the next ``compile()``), where keras_lite uses it from the next call: the same as a
recompile with that optimizer instance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES

X = np.arange(24, dtype="float32").reshape(8, 3) / 10.0
Y = X @ np.array([[0.5], [-1.0], [2.0]], "float32") + 0.25

OPT = keras.optimizers
# (attribute, value, optimizer, Keras's kernel and bias after two epochs of two batches)
CASES: list[tuple[str, Any, Callable[[], Any], list[float]]] = [
    ("beta_1", 0.5, lambda: OPT.Adam(0.1), [0.5682832598686218, 0.5708357095718384, 0.572939395904541, 0.2882850766181946]),
    ("epsilon", 1.0, lambda: OPT.Adam(0.1), [0.3383549749851227, 0.3412702977657318, 0.34413325786590576, 0.0343310609459877]),
    ("clipnorm", 0.001, lambda: OPT.SGD(0.1), [0.30020570755004883, 0.30022990703582764, 0.3002541661262512, 0.0004000000189989805]),
    ("momentum", 0.9, lambda: OPT.SGD(0.1), [0.1648198366165161, 0.17985719442367554, 0.1948944330215454, 0.15037208795547485]),
    ("weight_decay", 0.5, lambda: OPT.SGD(0.1), [0.4036833643913269, 0.41943198442459106, 0.43518057465553284, 0.15748590230941772]),
    ("centered", True, lambda: OPT.RMSprop(0.01), [0.395348459482193, 0.3958885371685028, 0.39634397625923157, 0.09994162619113922]),
]  # fmt: skip


def _model(optimizer: Any, device: str = "cpu") -> Any:
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)], device=device)
    model.set_weights([np.full((3, 1), 0.3, "float32"), np.zeros(1, "float32")])
    model.compile(optimizer=optimizer, loss="mse")
    return model


def _fit(model: Any, epochs: int = 2, **kwargs: Any) -> None:
    model.fit(X, Y, batch_size=4, epochs=epochs, shuffle=False, verbose=0, **kwargs)


def _weights(model: Any) -> np.ndarray:
    return np.concatenate([w.ravel() for w in model.get_weights()])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("attribute", "value", "make", "want"), CASES, ids=[c[0] for c in CASES])
def test_an_attribute_assigned_after_compile_trains_as_in_keras(
    device: str, attribute: str, value: Any, make: Callable[[], Any], want: list[float]
) -> None:
    model = _model(make(), device)
    setattr(model.optimizer, attribute, value)
    _fit(model)
    np.testing.assert_allclose(_weights(model), np.array(want, "float32"), rtol=2e-6, atol=1e-7)
    assert getattr(model.optimizer, attribute) == value
    assert model.optimizer.get_config()[attribute] == value


@pytest.mark.parametrize(("attribute", "value", "make", "want"), CASES[:3], ids=[c[0] for c in CASES[:3]])
def test_an_attribute_assigned_before_compile_is_compiled(
    attribute: str, value: Any, make: Callable[[], Any], want: list[float]
) -> None:
    optimizer = make()
    setattr(optimizer, attribute, value)
    model = _model(optimizer)
    _fit(model)
    np.testing.assert_allclose(_weights(model), np.array(want, "float32"), rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("device", DEVICES)
def test_an_attribute_assigned_between_fits_is_used_from_the_next_one_as_after_a_recompile(
    device: str,
) -> None:
    assigned, recompiled = _model(OPT.Adam(0.1), device), _model(OPT.Adam(0.1), device)
    for model in (assigned, recompiled):
        _fit(model, 1)
        model.optimizer.beta_1 = 0.5
        model.optimizer.clipvalue = 0.01
    # The same optimizer instance compiled again keeps its step count and moments.
    recompiled.compile(optimizer=recompiled.optimizer, loss="mse")
    for model in (assigned, recompiled):
        _fit(model, 1)
        assert int(model.optimizer.iterations) == 4
    np.testing.assert_array_equal(_weights(assigned), _weights(recompiled))
    untouched = _model(OPT.Adam(0.1), device)
    _fit(untouched, 2)
    assert not np.allclose(_weights(assigned), _weights(untouched))


def test_an_assignment_from_a_callback_is_used_from_the_next_call() -> None:
    model = _model(OPT.SGD(0.1))

    class Assign(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            self.model.optimizer.clipnorm = 0.001

    _fit(model, 1, callbacks=[Assign()])
    first = model.get_weights()
    model.train_on_batch(X[:4], Y[:4])
    # Each gradient clipped to a norm of 0.001, times the rate: each weight moves by at most 1e-4.
    moved = [float(np.linalg.norm(after - before)) for after, before in zip(model.get_weights(), first)]
    assert all(0 < m <= 1.0001e-4 for m in moved), moved


def test_a_bad_value_is_refused_at_the_next_call_as_the_constructor_refuses_it() -> None:
    model = _model(OPT.Adam(0.1))
    model.optimizer.beta_1 = "high"
    with pytest.raises((TypeError, ValueError), match="beta_1"):
        _fit(model, 1)
    model.optimizer.beta_1 = 0.8
    model.optimizer.use_ema = True  # keras_lite has no moving average of the weights
    with pytest.raises(keras.NotSupportedError, match="use_ema"):
        model.train_on_batch(X[:4], Y[:4])
    model.optimizer.use_ema = False
    model.train_on_batch(X[:4], Y[:4])
    assert model.optimizer.beta_1 == 0.8 and int(model.optimizer.iterations) == 1


def test_a_change_of_slots_after_the_first_step_is_refused_and_nothing_changes() -> None:
    model = _model(OPT.SGD(0.1))
    _fit(model, 1)
    before = _weights(model)
    model.optimizer.momentum = 0.9  # SGD keeps momentum slots only with a momentum
    with pytest.raises(ValueError, match="slots"):
        _fit(model, 1)
    np.testing.assert_array_equal(_weights(model), before)
    assert int(model.optimizer.iterations) == 2
    # A new optimizer with it, compiled, trains.
    model.compile(optimizer=OPT.SGD(0.1, momentum=0.9), loss="mse")
    _fit(model, 1)
    assert not np.array_equal(_weights(model), before)


def test_the_constructor_records_no_change() -> None:
    for optimizer in (
        OPT.Adam(),
        OPT.AdamW(),
        OPT.SGD(momentum=0.5),
        OPT.Nadam(),
        OPT.RMSprop(centered=True),
    ):
        assert not optimizer._changed
        optimizer.clipnorm = 1.0
        assert optimizer._changed
