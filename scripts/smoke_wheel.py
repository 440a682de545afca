"""A short smoke test of an installed keras_lite: scripts/test_wheel.sh runs it against the built wheel.

Run: python scripts/smoke_wheel.py CHECKOUT   (CHECKOUT: the repository, for its Keras 3 test files)

It checks that keras_lite comes from site-packages (not the checkout), that training, threaded prediction,
saving, pickling and loading a file written by Keras 3 work, and, where an adapter can be used (a GPU, or
Mesa's lavapipe with KERAS_LITE_ALLOW_SOFTWARE_GPU=1 as in CI), that the GPU backend trains like the CPU.
"""

from __future__ import annotations

import os
import pickle
import sys
import sysconfig
import tempfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import keras_lite as keras
from keras_lite import layers


def model(device: str = "cpu") -> keras.Sequential:
    keras.utils.set_random_seed(0)
    m = keras.Sequential(
        [keras.Input(shape=(4,)), layers.Dense(16, activation="relu"), layers.Dense(1)], device=device
    )
    m.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
    return m


def main() -> None:
    checkout = os.path.abspath(sys.argv[1])
    where = os.path.abspath(keras.__file__)
    site = os.path.abspath(sysconfig.get_paths()["purelib"])
    assert where.startswith(site + os.sep), f"keras_lite imported from {where}, not from {site}"
    assert not where.startswith(checkout + os.sep), where
    assert keras._core.has_gpu_backend(), "the wheel was built without the GPU backend"
    print(f"keras_lite {keras.__version__} from {os.path.dirname(where)}")

    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 4)).astype(np.float32)
    y = x @ np.array([1.0, -2.0, 0.5, 3.0], dtype=np.float32)
    m = model()
    losses = m.fit(x, y, batch_size=32, epochs=20, verbose=0).history["loss"]
    assert losses[-1] < 0.2 * losses[0], losses
    want = m.predict(x, verbose=0)
    with ThreadPoolExecutor(4) as pool:
        rows = list(pool.map(lambda i: m.predict(x[i : i + 1], verbose=0), range(len(x))))
    np.testing.assert_allclose(np.concatenate(rows), want, rtol=1e-5, atol=1e-6)
    print(f"fit: loss {losses[0]:.3f} -> {losses[-1]:.3f}; one-row predictions from 4 threads agree")

    with tempfile.TemporaryDirectory() as tmp:
        m.save(os.path.join(tmp, "m.keras"))
        loaded = keras.models.load_model(os.path.join(tmp, "m.keras"))
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), want)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(m)).predict(x, verbose=0), want)
    fixtures = os.path.join(checkout, "tests", "fixtures")
    keras3 = keras.models.load_model(os.path.join(fixtures, "adamw_mae.keras"))
    got = keras3.predict(np.load(os.path.join(fixtures, "adamw_mae.x.npy")), verbose=0)
    np.testing.assert_allclose(
        got, np.load(os.path.join(fixtures, "adamw_mae.pred.npy")), rtol=1e-5, atol=1e-6
    )
    print("save/load, pickle and a file written by Keras 3: same predictions")

    devices = keras.config.list_devices()
    print(f"adapters: {devices}")
    if keras.config.resolve_device("auto") == "gpu":
        g = model("gpu")
        assert g.device == "gpu", g.device
        g_losses = g.fit(x, y, batch_size=32, epochs=20, verbose=0, shuffle=False).history["loss"]
        c_losses = model().fit(x, y, batch_size=32, epochs=20, verbose=0, shuffle=False).history["loss"]
        np.testing.assert_allclose(g_losses, c_losses, rtol=1e-3, atol=1e-5)
        print("gpu: 20 epochs, the same losses as the CPU")
    else:
        print("gpu: no usable adapter here; the GPU backend was not exercised")
    print("smoke test passed")


if __name__ == "__main__":
    main()
