"""examples/mnist.py: TensorFlow's beginner quickstart runs and learns, here on a synthetic file in MNIST's
layout placed in the Keras cache (the test uses no network): digits drawn as a bright bar at a position that
depends on the label, so a small network can learn them."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from keras_home import cache_fixture, install
from keras_lite.datasets import mnist

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "mnist.py"

cache = cache_fixture(mnist)


def digits(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.integers(0, 10, n).astype(np.uint8)
    images = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
    for image, label in zip(images, labels):
        image[2 + 2 * int(label) : 4 + 2 * int(label), 4:24] = 255
    return images, labels


def test_the_quickstart_learns_the_digits(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    (x_train, y_train), (x_test, y_test) = digits(rng, 2000), digits(rng, 300)
    path = cache / "mnist.npz"
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    install(monkeypatch, mnist, path)
    spec = importlib.util.spec_from_file_location("mnist_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    got = module.main(epochs=3)
    assert got["accuracy"] >= 0.95
    assert got["mismatch"] < 1e-6
