"""Gradient clipping (clipnorm, clipvalue, global_clipnorm) as Keras 3 applies it, on each device."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers

RNG = np.random.default_rng(7)
X = RNG.normal(size=(16, 3)).astype(np.float32)
Y = (X @ np.array([[2.0], [-1.0], [0.5]], np.float32) + 3.0).astype(np.float32)
K0 = np.array([[0.1], [0.2], [-0.3]], np.float32)
B0 = np.array([0.05], np.float32)


def _reference(clip: str, c: float, steps: int, lr: float = 0.1) -> list[np.ndarray]:
    """SGD on mse over the whole batch, with Keras's clipping of the gradients before each update."""
    k, b = K0.astype(np.float64), B0.astype(np.float64)
    for _ in range(steps):
        err = X @ k + b - Y
        gk, gb = 2 * X.T @ err / len(X), 2 * err.sum(axis=0) / len(X)
        if clip == "clipvalue":
            gk, gb = np.clip(gk, -c, c), np.clip(gb, -c, c)
        elif clip == "clipnorm":
            gk = gk * c / max(np.linalg.norm(gk), c)
            gb = gb * c / max(np.linalg.norm(gb), c)
        else:
            total = np.sqrt((gk**2).sum() + (gb**2).sum())
            gk, gb = gk * c / max(total, c), gb * c / max(total, c)
        k, b = k - lr * gk, b - lr * gb
    return [k, b]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("clip", "c"), [("clipvalue", 0.2), ("clipnorm", 0.5), ("global_clipnorm", 0.5)])
def test_clipped_sgd_matches_a_numpy_reference(device: str, clip: str, c: float) -> None:
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)], device=device)
    model.set_weights([K0, B0])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1, **{clip: c}), loss="mse")
    model.fit(X, Y, batch_size=16, epochs=5, shuffle=False, verbose=0)
    for got, want in zip(model.get_weights(), _reference(clip, c, 5)):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
    # The threshold binds: unclipped SGD ends elsewhere.
    unclipped = _reference("clipvalue", 1e9, 5)
    assert not np.allclose(model.get_weights()[0], unclipped[0], atol=1e-3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"clipnorm": 1.0, "clipvalue": 0.5}, "Only one of `clipnorm`, `clipvalue` and `global_clipnorm`"),
        ({"clipnorm": 0.0}, r"clipnorm must be a positive number. Received: clipnorm=0.0"),
        ({"clipvalue": -1.0}, r"clipvalue must be a positive number"),
        ({"global_clipnorm": "1"}, r"global_clipnorm must be a positive number"),
    ],
)
def test_bad_clipping_is_refused(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        keras.optimizers.Adam(**kwargs)


def test_clipping_round_trips_through_a_keras_file(tmp_path: Any) -> None:
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.RMSprop(global_clipnorm=0.25), loss="mse")
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert loaded.optimizer.global_clipnorm == 0.25 and loaded.optimizer.clipnorm is None
    loaded.fit(X, Y, verbose=0)
