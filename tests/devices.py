"""The devices a test can run on: the CPU always, the GPU backend when an adapter is usable here (on CI,
lavapipe with KERAS_LITE_ALLOW_SOFTWARE_GPU=1); parametrize with ``DEVICES``."""

from __future__ import annotations

import pytest

import keras_lite as keras


def _gpu_reason() -> str | None:
    try:
        return None if keras.config.resolve_device("gpu") == "gpu" else "no GPU adapter"
    except RuntimeError as e:
        return str(e)


GPU_SKIP = _gpu_reason()
DEVICES = ["cpu", pytest.param("gpu", marks=pytest.mark.skipif(GPU_SKIP is not None, reason=f"{GPU_SKIP}"))]
