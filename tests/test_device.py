"""Backend conformance from Python: the same code on every available device gives the same results.

The GPU runs where an adapter exists; CI uses Mesa's software Vulkan driver (lavapipe) with
KERAS_LITE_ALLOW_SOFTWARE_GPU=1. Without an adapter the GPU cases skip with the reason.
"""

from __future__ import annotations

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES, GPU_SKIP
from keras_lite import layers


def _data(n: int = 240, d: int = 6, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    return x, (np.sin(x[:, :1]) + 0.5 * x[:, 1:2]).astype(np.float32)


CASES = {
    "relu_mae_adam": (
        lambda: [layers.Dense(16, activation="relu"), layers.Dense(8, activation="relu"), layers.Dense(1)],
        "adam",
        "mae",
        [],
        False,
    ),
    "sigmoid_bce_sgd": (
        lambda: [layers.Dense(8, activation="tanh"), layers.Dense(1, activation="sigmoid")],
        keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
        "binary_crossentropy",
        ["binary_accuracy"],
        True,
    ),
    "bn_mse_rmsprop": (
        lambda: [layers.Dense(12, activation="elu"), layers.BatchNormalization(), layers.Dense(1)],
        "rmsprop",
        "mse",
        ["mae"],
        False,
    ),
}


def _model(device: str, case: str, d: int) -> keras.Sequential:
    make, opt, loss, metrics, _ = CASES[case]
    keras.utils.set_random_seed(7)
    model = keras.Sequential([keras.Input(shape=(d,)), *make()], device=device)
    # A fresh optimizer per model (an instance holds its model's step count).
    fresh = opt if isinstance(opt, str) else keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)
    model.compile(optimizer=fresh, loss=loss, metrics=metrics)
    return model


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("device", DEVICES)
def test_fit_agrees_with_cpu_per_epoch(device: str, case: str) -> None:
    x, y = _data()
    if CASES[case][4]:
        y = (y > 0).astype(np.float32)
    cpu = _model("cpu", case, x.shape[1])
    other = _model(device, case, x.shape[1])
    other.set_weights(cpu.get_weights())
    assert other.device == device
    kwargs = {"epochs": 4, "batch_size": 32, "shuffle": False, "validation_split": 0.25, "verbose": 0}
    want = cpu.fit(x, y, **kwargs).history
    got = other.fit(x, y, **kwargs).history
    assert sorted(got) == sorted(want)
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-4, atol=1e-6, err_msg=key)
    np.testing.assert_allclose(other.predict(x, verbose=0), cpu.predict(x, verbose=0), rtol=1e-4, atol=1e-5)
    for a, b in zip(other.get_weights(), cpu.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4)


@pytest.mark.skipif(GPU_SKIP is not None, reason=f"{GPU_SKIP}")
def test_moving_between_devices_keeps_weights_and_optimizer_state() -> None:
    x, y = _data()
    a = _model("cpu", "relu_mae_adam", x.shape[1])
    b = _model("cpu", "relu_mae_adam", x.shape[1])
    b.set_weights(a.get_weights())
    a.fit(x, y, epochs=2, shuffle=False, verbose=0)
    b.fit(x, y, epochs=1, shuffle=False, verbose=0)
    b.to("gpu")
    b.fit(x, y, epochs=1, shuffle=False, verbose=0)  # resumes the CPU's Adam state on the GPU
    b.to("cpu")
    assert b.device == "cpu" and b.optimizer.iterations == a.optimizer.iterations
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wb, wa, rtol=1e-3, atol=1e-4)


@pytest.mark.skipif(GPU_SKIP is not None, reason=f"{GPU_SKIP}")
def test_callbacks_see_and_set_gpu_weights_each_epoch() -> None:
    x, y = _data()
    results = {}
    start = _model("cpu", "relu_mae_adam", x.shape[1]).get_weights()
    for device in ("cpu", "gpu"):
        model = _model(device, "relu_mae_adam", x.shape[1])
        model.set_weights(start)
        stop = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True, min_delta=1e9)
        model.fit(x, y, epochs=5, shuffle=False, validation_split=0.25, callbacks=[stop], verbose=0)
        results[device] = model.get_weights()
    # min_delta so large that epoch 0 stays best: both restore the epoch-0 weights.
    for a, b in zip(results["cpu"], results["gpu"]):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5)


def test_device_names_are_checked() -> None:
    with pytest.raises(ValueError, match="device"):
        keras.config.set_device("tpu")
    with pytest.raises(ValueError, match="device"):
        keras.Sequential([layers.Dense(1)], device="npu")
    assert keras.config.get_device()["device"] in ("cpu", "gpu")


def test_gpu_without_a_usable_adapter_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KERAS_LITE_ALLOW_SOFTWARE_GPU", raising=False)
    if any(d["kind"] in ("discrete", "integrated") for d in keras.config.list_devices()):
        pytest.skip("this machine has a hardware GPU")
    with pytest.raises(RuntimeError, match="list_devices"):
        keras.config.set_device("gpu")
    assert keras.config.resolve_device("auto") == "cpu"


_BESIDE_TENSORFLOW = """
import os, sys, types
sys.modules["tensorflow"] = types.ModuleType("tensorflow")  # as if TensorFlow were loaded
import keras_lite
names = [d["name"] for d in keras_lite.config.list_devices()]
print(os.environ.get("VK_LOADER_DRIVERS_DISABLE"), any("llvmpipe" in n for n in names))
try:
    keras_lite.config.resolve_device("gpu")
except RuntimeError as e:
    print("TensorFlow is loaded" in str(e))
"""


@pytest.mark.parametrize("chosen", [None, "*nvidia*"])
def test_drivers_that_link_llvm_are_left_out_beside_tensorflow(chosen):
    # Mesa's lavapipe and RADV link LLVM, and loading either beside TensorFlow's LLVM crashes the process
    # (seen with TensorFlow 2.21): with TensorFlow loaded keras_lite asks the Vulkan loader to leave them out,
    # unless the user chose the drivers.
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("VK_")}
    env["KERAS_LITE_ALLOW_SOFTWARE_GPU"] = "1"
    if chosen:
        env["VK_LOADER_DRIVERS_DISABLE"] = chosen
    run = subprocess.run(
        [sys.executable, "-c", _BESIDE_TENSORFLOW], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.split()
    if chosen is None:
        assert lines[:2] == ["*lvp*,*radeon*", "False"]
        assert lines[2:] in ([], ["True"])  # (no message where another GPU was found)
    else:
        assert lines[0] == chosen
