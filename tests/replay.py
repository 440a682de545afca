"""What the replay tests (tutorials, guides, script combinations, custom loops) share: the seeded kernels both
libraries start from, a call's error as text, and a nested result against Keras's golden with float tolerances
(float32 rounding, not a different computation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest


def seed_dense_kernels(model: Any, seed: int) -> None:
    """Seeded kernels (normal / sqrt(fan_in)) for every Dense layer, nested models included; biases kept."""
    rng = np.random.RandomState(seed)

    def walk(layers: list[Any]) -> None:
        for layer in layers:
            if hasattr(layer, "layers"):
                walk(layer.layers)
            elif type(layer).__name__ == "Dense":
                kernel, *rest = layer.get_weights()
                scaled = rng.normal(size=kernel.shape) / np.sqrt(kernel.shape[0])
                layer.set_weights([scaled.astype("float32"), *rest])

    walk(model.layers)


def plain(x: Any) -> Any:
    """Numbers, lists and dicts of them (keys as strings), floats rounded to 5 decimals (as goldens are written)."""
    if isinstance(x, dict):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if hasattr(x, "shape") or hasattr(x, "numpy"):
        x = np.asarray(x)
        return plain(x.tolist()) if x.ndim else plain(x.item())
    if isinstance(x, (float, np.floating)):
        return round(float(x), 5)
    return int(x) if isinstance(x, np.integer) else x


def error_text(call: Callable[[], Any]) -> str:
    """``"Class: message"`` of what ``call()`` raised, or ``"no error"``."""
    try:
        call()
    except Exception as e:  # noqa: BLE001 - the class and message are what is compared
        return f"{type(e).__name__}: {e}"
    return "no error"


def assert_matches(got: Any, want: Any, path: str = "") -> None:
    """``got`` equals ``want`` key by key (in order) and item by item, floats to 2e-4 relative or 2e-5 absolute."""
    if isinstance(want, float):
        assert isinstance(got, (int, float)), path
        assert got == pytest.approx(want, rel=2e-4, abs=2e-5), path
    elif isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want), path
        for key in want:
            assert_matches(got[key], want[key], f"{path}.{key}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want)):
            assert_matches(g, w, f"{path}[{i}]")
    else:
        assert got == want, path
