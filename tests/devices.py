"""The devices a test can run on: the CPU always, the GPU backend when an adapter is usable here (on CI,
lavapipe with KERAS_LITE_ALLOW_SOFTWARE_GPU=1); parametrize with ``DEVICES``."""

from __future__ import annotations

import numpy as np
import pytest

import keras_lite as keras


def _gpu_reason() -> str | None:
    try:
        return None if keras.config.resolve_device("gpu") == "gpu" else "no GPU adapter"
    except RuntimeError as e:
        return str(e)


GPU_SKIP = _gpu_reason()
DEVICES = ["cpu", pytest.param("gpu", marks=pytest.mark.skipif(GPU_SKIP is not None, reason=f"{GPU_SKIP}"))]


def assert_same_values(device: str, got: object, want: object) -> None:
    """Exactly equal on the CPU. On a GPU within a float32 rounding of the values' size: a driver may fuse
    ``a * b + c`` into one multiply-add (Vulkan allows it and WGSL cannot forbid it; NVIDIA's driver does),
    which skips the product's rounding."""
    got_a, want_a = np.asarray(got, np.float32), np.asarray(want, np.float32)
    if device == "cpu":
        np.testing.assert_array_equal(got_a, want_a)
    else:
        scale = float(np.abs(want_a).max(initial=0.0))
        np.testing.assert_allclose(got_a, want_a, rtol=3e-7, atol=3e-7 * scale)
