"""LayerNormalization on both devices against values Keras 3.15.1 (TensorFlow backend) printed: its output, three
epochs of SGD or Adam through it with and without gamma and beta (its gradients), its weights, config, `.keras`
files and ONNX export (both graph forms)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers
from keras_lite._unsupported import NotSupportedError

# Dense(5) -> LayerNormalization(center, scale, epsilon=0.01) -> Dense(1) from fixed weights (gamma
# [1.2, .8, -.5, 1, .3], beta [.1, -.2, 0, .4, -.3]), mse, batch 8, 3 epochs, no shuffle, SGD(0.05) or Adam(0.01),
# in Keras 3.15.1: the losses, then the sum of each weight.
TRAINED = {
    (True, True, "sgd"): (
        [2.351792097091675, 1.3272950649261475, 1.2566317319869995],
        [1.4427342414855957, -0.34649455547332764, 1.7440451383590698, 0.09796351194381714, -0.8958638906478882,
         -0.15907815098762512],
    ),
    (True, True, "adam"): (
        [6.784160614013672, 4.75203800201416, 3.4666759967803955],
        [1.8641566038131714, -0.3886965215206146, 2.512066125869751, -0.00865030288696289, -0.7267110347747803,
         -0.12459392100572586],
    ),
    (False, True, "sgd"): (
        [2.50917387008667, 1.1660311222076416, 1.090352177619934],
        [1.4427342414855957, -0.34649455547332764, 1.7941848039627075, -0.9281017780303955, -0.005823515355587006],
    ),
    (True, False, "adam"): (
        [12.714265823364258, 9.263517379760742, 6.94489049911499],
        [1.7246171236038208, -0.5138338208198547, -0.025948792695999146, -0.5436878204345703, -0.11898165196180344],
    ),
    (False, False, "sgd"): (
        [4.629508018493652, 2.07568097114563, 1.3895763158798218],
        [1.4427340030670166, -0.34649455547332764, -0.6778351068496704, -0.011941567063331604],
    ),
}  # fmt: skip


@pytest.mark.parametrize("key", list(TRAINED), ids=str)
@pytest.mark.parametrize("device", DEVICES)
def test_training_through_it_matches_keras(key: Any, device: str) -> None:
    center, scale, optimizer = key
    rng = np.random.default_rng(3)
    x = rng.standard_normal((40, 3)).astype(np.float32) * 2
    y = rng.standard_normal((40, 1)).astype(np.float32)
    r = np.random.default_rng(1)
    k1, b1 = r.standard_normal((3, 5)).astype(np.float32), r.standard_normal(5).astype(np.float32) * 0.5
    k2 = r.standard_normal((5, 1)).astype(np.float32)
    gamma = np.array([1.2, 0.8, -0.5, 1.0, 0.3], np.float32)
    beta = np.array([0.1, -0.2, 0.0, 0.4, -0.3], np.float32)
    norm = layers.LayerNormalization(center=center, scale=scale, epsilon=0.01)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(5), norm, layers.Dense(1)], device=device)
    model.set_weights([k1, b1] + [gamma] * scale + [beta] * center + [k2, np.zeros(1, np.float32)])
    opt = keras.optimizers.SGD(0.05) if optimizer == "sgd" else keras.optimizers.Adam(0.01)
    model.compile(optimizer=opt, loss="mse")
    history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history
    losses, sums = TRAINED[key]
    assert history["loss"] == pytest.approx(losses, rel=5e-5)
    assert [float(np.sum(w)) for w in model.get_weights()] == pytest.approx(sums, rel=5e-5, abs=5e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_output_and_config_match_keras(device: str) -> None:
    x = np.array([[1.0, 2.0, 3.0, 4.0], [-5.0, 0.0, 5.0, 100.0], [2.0, 2.0, 2.0, 2.0]], np.float32)
    want = [
        [-1.34110426902771, -0.44703471660614014, 0.4470348358154297, 1.341104507446289],
        [-0.6905222535133362, -0.575435221195221, -0.4603481888771057, 1.7263057231903076],
        [0.0, 0.0, 0.0, 0.0],
    ]  # Keras 3.15.1, epsilon 1e-3; a constant row is all zeros
    layer = layers.LayerNormalization()
    np.testing.assert_allclose(layer(x), want, rtol=1e-6, atol=1e-7)
    model = keras.Sequential([keras.Input((4,)), layers.LayerNormalization()], device=device)
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-6, atol=1e-6)
    assert [w.name for w in layer.weights] == ["gamma", "beta"]
    cfg = layer.get_config()
    assert cfg["axis"] == [-1] and cfg["epsilon"] == 0.001 and cfg["rms_scaling"] is False
    assert (
        cfg["gamma_initializer"]["class_name"] == "Ones" and cfg["beta_initializer"]["class_name"] == "Zeros"
    )
    assert layers.LayerNormalization(center=False).get_config()["axis"] == -1  # unbuilt: as given
    assert layers.LayerNormalization(center=False, scale=False)(x).shape == (3, 4)


def test_bad_and_unsupported_arguments() -> None:
    with pytest.raises(ValueError, match="epsilon"):
        layers.LayerNormalization(epsilon=-0.001)  # (Keras takes 0, and a negative one too)
    with pytest.raises(TypeError, match="axis"):
        layers.LayerNormalization(axis="last")
    for kwargs in (
        {"axis": 0},
        {"gamma_regularizer": "l2"},
        {"beta_constraint": "non_neg"},
        {"rms_scaling": True},
    ):
        with pytest.raises(NotSupportedError, match=next(iter(kwargs))):
            layers.LayerNormalization(**kwargs)


def _model() -> Any:
    inputs = keras.Input((5,), name="features")
    h = layers.LayerNormalization(name="ln", epsilon=0.01)(layers.Dense(8, activation="relu")(inputs))
    out = layers.Dense(2)(layers.LayerNormalization(center=False)(layers.Dense(4)(h)))
    model = keras.Model(inputs, out)
    rng = np.random.default_rng(9)
    model.set_weights([rng.normal(0, 0.8, w.shape).astype(np.float32) for w in model.get_weights()])
    return model


def test_keras_file_round_trip(tmp_path: Path) -> None:
    model = _model()
    x = np.random.default_rng(10).normal(size=(12, 5)).astype(np.float32)
    model.save(tmp_path / "ln.keras")
    again = keras.models.load_model(tmp_path / "ln.keras")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    assert again.get_layer("ln").epsilon == 0.01


@pytest.mark.parametrize("opset", [13, 17])
def test_onnx_export_runs_as_predict(tmp_path: Path, opset: int) -> None:
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    model = _model()
    path = tmp_path / "ln.onnx"
    model.export(path, format="onnx", verbose=False, opset_version=opset)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    assert ("LayerNormalization" in {n.op_type for n in proto.graph.node}) == (opset >= 17)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(11).normal(size=(7, 5)).astype(np.float32) * 3
    (got,) = session.run(None, {session.get_inputs()[0].name: x})
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=2e-5)


@pytest.mark.parametrize("device", DEVICES)
def test_a_row_whose_variance_passes_float32_normalizes_to_zero_as_in_keras(device: str) -> None:
    # Keras 3.15.1 printed these: its float32 variance of the first row is infinite, so 1/sqrt of it is 0.
    x = np.array([[3e19, -3e19, 0.0], [1.0, 2.0, 4.0], [3e18, -1e18, 0.0]], np.float32)
    want = [[0.0, 0.0, 0.0], [-1.0687015, -0.26717532, 1.3358769], [1.372813, -0.9805807, -0.39223227]]
    model = keras.Sequential([keras.Input((3,)), layers.LayerNormalization()], device=device)
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("device", DEVICES)
def test_rows_of_nearly_equal_values_normalize_as_on_the_cpu(device: str) -> None:
    # A row of equal values normalizes to exactly 0 (Keras 3.15.1 too), and a row of large mean and small
    # spread keeps its small differences: the GPU's float32 statistics are taken from each row's first value.
    rng = np.random.default_rng(0)
    x = np.stack([np.full(17, 0.6931472), np.full(17, 0.1), 100 + rng.random(17) * 0.01]).astype(np.float32)
    model = keras.Sequential([keras.Input((17,)), layers.LayerNormalization()], device=device)
    got = model.predict(x, verbose=0)
    assert not got[:2].any()
    cpu = keras.Sequential([keras.Input((17,)), layers.LayerNormalization()], device="cpu").predict(
        x, verbose=0
    )
    np.testing.assert_allclose(got, cpu, rtol=0, atol=2e-6)
