"""A Functional model built with a dict of outputs: predictions in that dict and targets taken in one, as in
Keras 3.15.1 (``keras.Model(i, {"out": o}).predict(x)`` is ``{"out": array}``; ``fit(x, {"out": y})`` trains)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers

X = np.linspace(-1.0, 1.0, 24, dtype=np.float32).reshape(8, 3)
Y = (X @ np.array([[0.5, -1.0], [1.0, 0.2], [-0.3, 0.7]], np.float32)).astype(np.float32)


def _pair(device: str) -> tuple[keras.Model, keras.Model]:
    """The same network with a dict of outputs and with a plain one, from the same weights."""
    models = []
    for outputs in (lambda o: {"out": o}, lambda o: o):
        i = keras.Input((3,), name="x")
        models.append(keras.Model(i, outputs(layers.Dense(2, name="d")(i))).to(device))
    models[1].set_weights(models[0].get_weights())
    for m in models:
        m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return models[0], models[1]


@pytest.mark.parametrize("device", DEVICES)
def test_predictions_come_in_the_dict_and_targets_are_read_from_one(device: str) -> None:
    keyed, plain = _pair(device)
    want = plain.predict(X, verbose=0)
    for got in (keyed.predict(X, verbose=0), keyed(X), keyed.predict_on_batch(X)):
        assert isinstance(got, dict) and list(got) == ["out"]
        np.testing.assert_allclose(np.asarray(got["out"]), want, rtol=1e-6)
    h1 = keyed.fit(
        X, {"out": Y}, validation_data=(X, {"out": Y}), batch_size=4, epochs=2, shuffle=False, verbose=0
    )
    h2 = plain.fit(X, Y, validation_data=(X, Y), batch_size=4, epochs=2, shuffle=False, verbose=0)
    assert sorted(h1.history) == ["loss", "mae", "val_loss", "val_mae"]  # Keras 3.15.1's keys
    for key, values in h2.history.items():
        assert h1.history[key] == pytest.approx(values, rel=1e-6)
    assert keyed.evaluate(X, {"out": Y}, verbose=0) == pytest.approx(
        plain.evaluate(X, Y, verbose=0), rel=1e-6
    )
    assert keyed.train_on_batch(X, {"out": Y}) == pytest.approx(plain.train_on_batch(X, Y), rel=1e-6)
    # A plain model refuses targets keyed by its output name: Keras 3.15.1 raised
    # "TypeError: Expected float32, but got d of type 'str'." (it reads the dict's keys as targets).
    with pytest.raises(TypeError, match=r"not a dict of outputs.*Received: y with keys \['d'\]"):
        plain.evaluate(X, {"d": Y}, verbose=0)


def test_other_keys_are_refused_by_name(tmp_path: Path) -> None:
    keyed, _ = _pair("cpu")
    with pytest.raises(ValueError, match=r"output names \['out'\]. Received: y with keys \['y'\]"):
        keyed.fit(X, {"y": Y}, verbose=0)
    keyed.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert list(loaded.predict(X, verbose=0)) == ["out"]


def test_sample_weights_come_in_the_dict_too() -> None:
    # Keras 3.15.1 takes sample_weight={"out": w} for a dict of outputs in fit, evaluate, train_on_batch,
    # validation_data and generator batches, and weighs as with the array.
    keyed, plain = _pair("cpu")
    w = np.linspace(0.0, 2.0, 8, dtype=np.float32)
    a = keyed.fit(
        X, {"out": Y}, sample_weight={"out": w}, validation_data=(X, {"out": Y}, {"out": w}), verbose=0
    )
    b = plain.fit(X, Y, sample_weight=w, validation_data=(X, Y, w), verbose=0)
    assert a.history == b.history
    assert keyed.evaluate(X, {"out": Y}, sample_weight={"out": w}, verbose=0) == plain.evaluate(
        X, Y, sample_weight=w, verbose=0
    )
    assert keyed.train_on_batch(X, {"out": Y}, sample_weight={"out": w}) == plain.train_on_batch(
        X, Y, sample_weight=w
    )
    a = keyed.fit(iter([(X, {"out": Y}, {"out": w})]), verbose=0)
    b = plain.fit(iter([(X, Y, w)]), verbose=0)
    assert a.history == b.history
    with pytest.raises(ValueError, match="output names"):
        keyed.fit(X, {"out": Y}, sample_weight={"other": w}, verbose=0)
    with pytest.raises(TypeError, match="sample_weight"):
        plain.fit(X, Y, sample_weight={"out": w}, verbose=0)
