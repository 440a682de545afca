"""``_core.gpu_profile`` (what ``bench/gpu_large.py --profile`` prints): one training step's dispatch and barrier
counts on the GPU, and per-kernel times where the adapter has timestamp queries; the model is left as it was."""

from __future__ import annotations

import numpy as np
import pytest

import keras_lite as keras
from devices import GPU_SKIP
from keras_lite import _core


def _model(device: str, optimizer: str = "adam") -> keras.Sequential:
    model = keras.Sequential(
        [keras.Input(shape=(6,)), keras.layers.Dense(12, activation="relu"), keras.layers.Dense(1)],
        device=device,
    )
    model.compile(optimizer=optimizer, loss="mae")
    return model


def _data(rows: int = 48) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    return rng.standard_normal((rows, 6), dtype=np.float32), rng.standard_normal((rows, 1), dtype=np.float32)


@pytest.mark.skipif(GPU_SKIP is not None, reason=f"{GPU_SKIP}")
@pytest.mark.parametrize("optimizer", ["adam", "sgd", "adamw", "rmsprop"])
def test_profile_counts_a_step_and_leaves_the_model_unchanged(optimizer: str) -> None:
    x, y = _data()
    model, twin = _model("gpu", optimizer), _model("gpu", optimizer)
    twin.set_weights(model.get_weights())
    before = [w.copy() for w in model.get_weights()]
    dispatches, barriers, needed, false_barriers, pipelines, kernels = _core.gpu_profile(model._net, x, y, 16)
    for n in (dispatches, barriers, needed, pipelines):
        assert isinstance(n, int) and n > 0
    # wgpu's barriers are at most one per dispatch, the data dependencies need no more than wgpu places, and
    # none is forced by a stand-in buffer.
    assert needed <= barriers <= dispatches
    assert false_barriers == 0
    if kernels is not None:
        assert len(kernels) == dispatches
        assert all(isinstance(k, str) and t >= 0.0 for k, t in kernels)
        # The four weights' decay and update: one dispatch.
        assert [k for k, _ in kernels].count("Update") == 1
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)
    # The profiled step left no trace in the optimizer either: training goes on as in the twin never profiled,
    # and as on the CPU.
    cpu = _model("cpu", optimizer)
    cpu.set_weights(before)
    for m in (model, twin, cpu):
        m.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    for a, b, c in zip(model.get_weights(), twin.get_weights(), cpu.get_weights(), strict=True):
        assert np.isfinite(a).all()
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(a, c, rtol=1e-3, atol=1e-5)


def test_profile_refuses_a_model_on_the_cpu() -> None:
    x, y = _data()
    model = _model("cpu")
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="on the GPU"):
        _core.gpu_profile(model._net, x, y, 16)


@pytest.mark.skipif(GPU_SKIP is not None, reason=f"{GPU_SKIP}")
def test_profile_refuses_bad_input() -> None:
    x, y = _data()
    model = _model("gpu")
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="batch_size"):
        _core.gpu_profile(model._net, x, y, 0)
    with pytest.raises(ValueError):
        _core.gpu_profile(model._net, x[:, :5].copy(), y, 16)
