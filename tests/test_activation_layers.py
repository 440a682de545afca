"""The activation layers with parameters (ReLU, LeakyReLU, ELU, Softmax) and the activation functions' parameters,
on both devices, against values Keras 3.15.1 (TensorFlow backend) printed: outputs at the kinks, caps and
infinities, three epochs of SGD through each layer (its gradient), configs, `.keras` files both ways, ONNX."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from _keras_side import run_jobs
from devices import DEVICES
from fixtures.mish_celu_data import NAMES, Z, start
from keras_lite import layers
from keras_lite._unsupported import NotSupportedError

HAVE_KERAS = (
    importlib.util.find_spec("keras") is not None and importlib.util.find_spec("tensorflow") is not None
)
X = np.array([[-np.inf, -10, -5, -1, -0.5, 0.0, 0.1, 0.5, 1.0, 2.5, 4.0, 6.0, 7.5, np.inf]], np.float32)

# keras.layers.<class>(**kwargs)(X) in Keras 3.15.1 (Softmax on [[1, 2, 1], [-3, 0.5, 10]]).
FORWARD: dict[tuple[str, tuple[tuple[str, float], ...]], list[list[float]]] = {
    ("ReLU", ()): [[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1, 0.5, 1.0, 2.5, 4.0, 6.0, 7.5, np.inf]],
    ("ReLU", (("max_value", 6),)): [[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1, 0.5, 1.0, 2.5, 4.0, 6.0, 6.0, 6.0]],
    ("ReLU", (("negative_slope", 0.1),)): [
        [-np.inf, -1.0, -0.5, -0.1, -0.05, 0.0, 0.1, 0.5, 1.0, 2.5, 4.0, 6.0, 7.5, np.inf]
    ],
    ("ReLU", (("max_value", 2.5), ("negative_slope", 0.1), ("threshold", 0.5))): [
        [-np.inf, -1.0500000715, -0.5500000119, -0.15, -0.1, -0.05, -0.04, 0.0, 1.0, 2.5, 2.5, 2.5, 2.5, 2.5]
    ],
    ("ReLU", (("max_value", 4.0), ("threshold", 1.0))): [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.5, 4.0, 4.0, 4.0, 4.0]
    ],
    ("ReLU", (("negative_slope", 0.2), ("max_value", 6))): [
        [-np.inf, -2.0, -1.0, -0.2, -0.1, 0.0, 0.1, 0.5, 1.0, 2.5, 4.0, 6.0, 6.0, 6.0]
    ],
    ("ReLU", (("threshold", 0.5),)): [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.5, 4.0, 6.0, 7.5, np.inf]
    ],
    ("LeakyReLU", ()): [[-np.inf, -3.0, -1.5, -0.3, -0.15, 0.0, 0.1, 0.5, 1.0, 2.5, 4.0, 6.0, 7.5, np.inf]],
    ("LeakyReLU", (("negative_slope", 0.05),)): [
        [-np.inf, -0.5, -0.25, -0.05, -0.025, 0.0, 0.1, 0.5, 1.0, 2.5, 4.0, 6.0, 7.5, np.inf]
    ],
    ("ELU", ()): [
        [
            -1.0,
            -0.9999545813,
            -0.9932620525,
            -0.6321205497,
            -0.3934693336,
            0.0,
            0.1,
            0.5,
            1.0,
            2.5,
            4.0,
            6.0,
            7.5,
            np.inf,
        ]
    ],  # fmt: skip
    ("ELU", (("alpha", 0.5),)): [
        [
            -0.5,
            -0.4999772906,
            -0.4966310263,
            -0.3160602748,
            -0.1967346668,
            0.0,
            0.1,
            0.5,
            1.0,
            2.5,
            4.0,
            6.0,
            7.5,
            np.inf,
        ]
    ],  # fmt: skip
    ("Softmax", ()): [[0.21194157, 0.57611686, 0.21194157], [2.2601548e-06, 7.4846059e-05, 0.99992287]],
}

# Dense(5) -> the layer -> Dense(1) from fixed weights, mse, SGD(0.01), batch 8, 3 epochs, no shuffle, in Keras
# 3.15.1: the losses, then the sum of each weight.
TRAINED: dict[tuple[str, tuple[tuple[str, float], ...]], tuple[list[float], list[float]]] = {
    ("ReLU", ()): ([11.952188491821289, 3.488068103790283, 2.025460958480835],
                   [0.8127435445785522, -0.5080530643463135, -0.5484150648117065, -0.04487564042210579]),
    ("ReLU", (("max_value", 6),)): ([12.549395561218262, 2.2357091903686523, 1.59119713306427],
                                    [1.7720212936401367, -0.49866169691085815, -0.5817065238952637,
                                     -0.10694558918476105]),
    ("ReLU", (("negative_slope", 0.1),)): ([13.015066146850586, 3.622422456741333, 2.0145020484924316],
                                           [0.8413209915161133, -0.5272258520126343, -0.47949934005737305,
                                            -0.050486695021390915]),
    ("ReLU", (("max_value", 2.5), ("negative_slope", 0.1), ("threshold", 0.5))): (
        [7.127389430999756, 3.469841718673706, 2.2873120307922363],
        [1.2196736335754395, -0.5047303438186646, -0.05040097236633301, -0.009716235101222992]),
    ("ReLU", (("max_value", 4.0), ("threshold", 1.0))): (
        [11.029095649719238, 3.5060036182403564, 1.9126358032226562],
        [1.7778750658035278, -0.7311698794364929, -0.7231442928314209, -0.13299667835235596]),
    ("ReLU", (("negative_slope", 0.2), ("max_value", 6))): (
        [14.255590438842773, 2.132340669631958, 1.6091912984848022],
        [1.876436710357666, -0.443411648273468, -0.3987020254135132, -0.09473643451929092]),
    ("ReLU", (("threshold", 0.5),)): ([11.969648361206055, 3.715216875076294, 2.2926905155181885],
                                      [0.6908479928970337, -0.6497427225112915, -0.5732711553573608,
                                       -0.051646530628204346]),
    ("LeakyReLU", ()): ([17.463836669921875, 3.2194151878356934, 2.0063319206237793],
                        [0.9035584330558777, -0.5821487903594971, -0.3005499839782715, -0.059603892266750336]),
    ("LeakyReLU", (("negative_slope", 0.05),)): ([12.478727340698242, 3.6851181983947754, 2.0264523029327393],
                                                 [0.8367902040481567, -0.5326664447784424, -0.5275990962982178,
                                                  -0.05212761461734772]),
    ("ELU", ()): ([14.772674560546875, 3.8304378986358643, 1.983539342880249],
                  [0.9492841362953186, -0.5862815380096436, -0.33461546897888184, -0.08479366451501846]),
    ("ELU", (("alpha", 0.5),)): ([12.921409606933594, 3.6407344341278076, 1.9254729747772217],
                                 [0.8499389886856079, -0.5463550090789795, -0.4624500274658203,
                                  -0.06580924242734909]),
}  # fmt: skip


def _layer(cls: str, kwargs: tuple[tuple[str, float], ...]) -> Any:
    return getattr(layers, cls)(**dict(kwargs))


@pytest.mark.parametrize("key", list(FORWARD), ids=str)
@pytest.mark.parametrize("device", DEVICES)
def test_outputs_match_keras(key: Any, device: str) -> None:
    want = np.array(FORWARD[key], np.float32)
    x = X if key[0] != "Softmax" else np.array([[1.0, 2.0, 1.0], [-3.0, 0.5, 10.0]], np.float32)
    np.testing.assert_allclose(np.asarray(_layer(*key)(x)), want, rtol=1e-6, atol=1e-7)
    model = keras.Sequential([keras.Input((x.shape[1],)), _layer(*key)], device=device)
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-6, atol=1e-7)


def _data() -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    # The arrays the Keras run used (numpy's default_rng, seeds 3 and 1).
    rng = np.random.default_rng(3)
    x = rng.standard_normal((40, 3)).astype(np.float32) * 2
    y = rng.standard_normal((40, 1)).astype(np.float32)
    r = np.random.default_rng(1)
    weights = [
        r.standard_normal((3, 5)).astype(np.float32),
        r.standard_normal(5).astype(np.float32) * 0.5,
        r.standard_normal((5, 1)).astype(np.float32),
        np.zeros(1, np.float32),
    ]
    return x, y, weights


@pytest.mark.parametrize("key", list(TRAINED), ids=str)
@pytest.mark.parametrize("device", DEVICES)
def test_training_through_the_layer_matches_keras(key: Any, device: str) -> None:
    x, y, weights = _data()
    model = keras.Sequential(
        [keras.Input((3,)), layers.Dense(5), _layer(*key), layers.Dense(1)], device=device
    )
    model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history
    losses, sums = TRAINED[key]
    assert history["loss"] == pytest.approx(losses, rel=2e-5)
    assert [float(np.sum(w)) for w in model.get_weights()] == pytest.approx(sums, rel=2e-5, abs=2e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_softmax_layer_trains_a_classifier_as_keras(device: str) -> None:
    # A Softmax layer after a linear Dense: sparse crossentropy reads its logits, as with activation="softmax".
    x, _, _ = _data()
    rng = np.random.default_rng(3)
    rng.standard_normal((40, 3)), rng.standard_normal((40, 1))
    y = rng.integers(0, 3, 40)
    r = np.random.default_rng(2)
    weights = [
        r.standard_normal((3, 5)).astype(np.float32),
        np.zeros(5, np.float32),
        r.standard_normal((5, 3)).astype(np.float32),
        np.zeros(3, np.float32),
    ]
    model = keras.Sequential(
        [keras.Input((3,)), layers.Dense(5), layers.Dense(3), layers.Softmax()], device=device
    )
    model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history
    assert history["loss"] == pytest.approx(
        [5.147029876708984, 1.3872168064117432, 1.292400598526001], rel=2e-5
    )
    sums = [float(np.sum(w)) for w in model.get_weights()]
    assert sums == pytest.approx(
        [1.9819904565811157, -0.16413331031799316, -2.1995248794555664, 0.0], abs=2e-5
    )


def test_configs_names_and_summary_rows_are_keras() -> None:
    assert layers.ReLU().name.startswith("re_lu")
    assert layers.LeakyReLU().name.startswith("leaky_re_lu")
    assert layers.ELU().name.startswith("elu")
    cfg = layers.ReLU(max_value=2.5, negative_slope=0.1, threshold=0.5, name="r").get_config()
    # Keras 3.15.1: the dtype as its serialized dtype policy
    policy = {
        "module": "keras",
        "class_name": "DTypePolicy",
        "config": {"name": "float32"},
        "registered_name": None,
    }
    assert cfg == {"name": "r", "trainable": True, "dtype": policy, "max_value": 2.5, "negative_slope": 0.1,
                   "threshold": 0.5}  # fmt: skip
    assert layers.LeakyReLU(name="l").get_config()["negative_slope"] == 0.3
    assert layers.ELU(0.5).get_config()["alpha"] == 0.5
    assert layers.Softmax().get_config()["axis"] == -1
    again = layers.ReLU.from_config(layers.ReLU(max_value=4.0, threshold=1.0, name="again").get_config())
    np.testing.assert_array_equal(
        again(X), np.array(FORWARD[("ReLU", (("max_value", 4.0), ("threshold", 1.0)))])
    )
    with pytest.warns(UserWarning, match="alpha"):
        assert layers.LeakyReLU(alpha=0.1).negative_slope == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("make", "arg"),
    [
        (lambda: layers.ReLU(max_value=-1.0), "max_value"),
        (lambda: layers.ReLU(negative_slope=None), "negative_slope"),
        (lambda: layers.ReLU(threshold=-0.5), "threshold"),
        (lambda: layers.ReLU(threshold=float("nan")), "threshold"),
        (lambda: layers.LeakyReLU(negative_slope=-0.1), "negative_slope"),
        (lambda: layers.LeakyReLU(negative_slope="0.1"), "negative_slope"),
        (lambda: layers.ELU(alpha=None), "alpha"),
        (lambda: layers.Softmax(axis="last"), "axis"),
    ],
)
def test_bad_arguments_raise_value_errors_naming_them(make: Any, arg: str) -> None:
    with pytest.raises(ValueError, match=f"{arg}="):
        make()


def test_what_keras_lite_does_not_compute_is_refused_clearly() -> None:
    with pytest.raises(NotSupportedError, match="axis"):
        layers.Softmax(axis=0)
    with pytest.raises(NotSupportedError, match="mask"):
        layers.Softmax()(np.ones((1, 3), np.float32), mask=np.ones((1, 3), bool))


def test_activation_functions_take_their_parameters() -> None:
    relu = keras.activations.relu
    np.testing.assert_allclose(
        relu(X, negative_slope=0.1, max_value=2.5, threshold=0.5),
        FORWARD[("ReLU", (("max_value", 2.5), ("negative_slope", 0.1), ("threshold", 0.5)))],
        rtol=1e-6,
    )
    np.testing.assert_allclose(relu(X, max_value=6), FORWARD[("ReLU", (("max_value", 6),))])
    np.testing.assert_allclose(
        keras.activations.elu(X, alpha=0.5), FORWARD[("ELU", (("alpha", 0.5),))], rtol=1e-6
    )
    np.testing.assert_allclose(
        keras.activations.leaky_relu(X, negative_slope=0.05),
        FORWARD[("LeakyReLU", (("negative_slope", 0.05),))],
    )
    # Keras 3.15.1's gelu(x, approximate=True) at [-1, 0.5, 2].
    np.testing.assert_allclose(
        keras.activations.gelu(np.array([-1.0, 0.5, 2.0], np.float32), approximate=True),
        [-0.15880799293518066, 0.3457140028476715, 1.9545977115631104],
        rtol=1e-6,
    )
    assert keras.activations.deserialize("elu") is keras.activations.elu
    assert (
        keras.activations.deserialize({"class_name": "function", "config": "relu"}) is keras.activations.relu
    )
    # leaky_relu's own default slope is 0.2 (the layer's is 0.3).
    assert float(keras.activations.leaky_relu(np.float32(-1.0))) == pytest.approx(-0.2)
    with pytest.raises(ValueError, match="max_value="):
        relu(X, max_value="big")


def _model(device: str = "cpu") -> Any:
    inputs = keras.Input((4,), name="features")
    h = layers.LeakyReLU(0.1)(layers.Dense(8)(inputs))
    h = layers.ReLU(max_value=2.0, negative_slope=0.05, threshold=0.2)(layers.Dense(6)(h))
    h = layers.PReLU()(layers.ELU(0.7)(layers.Dense(5)(h)))
    out = layers.Softmax()(layers.Dense(3)(layers.Identity()(h)))
    model = keras.Model(inputs, out, device=device)
    rng = np.random.default_rng(4)
    model.set_weights([rng.normal(0, 0.8, w.shape).astype(np.float32) for w in model.get_weights()])
    return model


def test_keras_files_round_trip(tmp_path: Path) -> None:
    model = _model()
    x = np.random.default_rng(5).normal(size=(16, 4)).astype(np.float32) * 2
    path = tmp_path / "acts.keras"
    model.save(path)
    again = keras.models.load_model(path)
    assert [type(layer).__name__ for layer in again.layers] == [
        type(layer).__name__ for layer in model.layers
    ]
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    assert again.layers[4].get_config() == model.layers[4].get_config()


@pytest.mark.skipif(
    not HAVE_KERAS,
    reason="Keras 3 with TensorFlow is not installed; fixtures/activation_layers.keras covers Keras -> keras_lite",
)
def test_keras_loads_keras_lite_files(tmp_path: Path) -> None:
    model = _model()
    x = np.random.default_rng(6).normal(size=(16, 4)).astype(np.float32) * 2
    model.save(tmp_path / "lite.keras")
    np.save(tmp_path / "x.npy", x)
    job = {
        "model": str(tmp_path / "lite.keras"),
        "x": str(tmp_path / "x.npy"),
        "out": str(tmp_path / "out.npz"),
    }
    run_jobs(tmp_path, [{**job, "resume": None}])
    np.testing.assert_allclose(
        np.load(tmp_path / "out.npz")["pred"], model.predict(x, verbose=0), rtol=1e-5, atol=1e-6
    )


def test_onnx_export_runs_as_predict(tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    model = _model()
    path = tmp_path / "acts.onnx"
    model.export(path, format="onnx", verbose=False)
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(7).normal(size=(9, 4)).astype(np.float32) * 3
    (got,) = session.run(None, {session.get_inputs()[0].name: x})
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


# Dense(5) -> PReLU -> Dense(1) from fixed weights (alpha [.3, -.2, 0, .1, .5]), mse, batch 8, 3 epochs, no
# shuffle, in Keras 3.15.1: (losses, the sum of each weight, alpha after training).
PRELU_TRAINED = {
    "sgd": (
        [15.74023723602295, 4.05512809753418, 1.877109169960022],
        [
            0.8720073699951172,
            -0.48691248893737793,
            0.022336460649967194,
            -0.6880559921264648,
            -0.0613212026655674,
        ],
        [
            0.3043610751628876,
            -0.22659415006637573,
            0.08150149136781693,
            -0.13944724202156067,
            0.00251529342494905,
        ],
    ),
    "adam": (
        [32.364356994628906, 23.999103546142578, 17.836029052734375],
        [
            1.8442437648773193,
            -0.5967631936073303,
            0.578636884689331,
            -0.45652246475219727,
            -0.033333875238895416,
        ],
        [
            0.4299732446670532,
            -0.32789379358291626,
            0.08633389323949814,
            0.01148517057299614,
            0.3787383437156677,
        ],
    ),
}


@pytest.mark.parametrize("optimizer", list(PRELU_TRAINED))
@pytest.mark.parametrize("device", DEVICES)
def test_prelu_trains_its_alpha_as_keras(optimizer: str, device: str) -> None:
    x, y, weights = _data()
    alpha = np.array([0.3, -0.2, 0.0, 0.1, 0.5], np.float32)
    model = keras.Sequential(
        [keras.Input((3,)), layers.Dense(5), layers.PReLU(), layers.Dense(1)], device=device
    )
    model.set_weights([weights[0], weights[1], alpha, weights[2], weights[3]])
    opt = keras.optimizers.SGD(0.01) if optimizer == "sgd" else keras.optimizers.Adam(0.01)
    model.compile(optimizer=opt, loss="mse")
    history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history
    losses, sums, trained = PRELU_TRAINED[optimizer]
    assert history["loss"] == pytest.approx(losses, rel=2e-5)
    assert [float(np.sum(w)) for w in model.get_weights()] == pytest.approx(sums, rel=2e-5, abs=2e-6)
    np.testing.assert_allclose(model.layers[1].alpha.numpy(), trained, rtol=2e-5, atol=2e-6)


def test_prelu_values_weights_config_and_errors() -> None:
    layer = layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25))
    assert layer.name.startswith("p_re_lu")
    x = np.array([[-np.inf, -2.0, -0.5, 0.0, 0.5, np.inf]], np.float32)
    np.testing.assert_array_equal(layer(x), [[-np.inf, -0.5, -0.125, 0.0, 0.5, np.inf]])  # Keras 3.15.1's
    assert [w.name for w in layer.weights] == ["alpha"] and layer.alpha.shape == (6,)
    cfg = layer.get_config()
    assert cfg["alpha_initializer"] == {
        "module": "keras.initializers",
        "class_name": "Constant",
        "config": {"value": 0.25},
        "registered_name": None,
    }
    assert (cfg["alpha_regularizer"], cfg["alpha_constraint"], cfg["shared_axes"]) == (None, None, None)
    np.testing.assert_array_equal(layers.PReLU()(x[:, 1:3]), [[0.0, 0.0]])  # alpha starts at zeros: relu
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3), layers.PReLU(), layers.Dense(1)])
    assert model.count_params() == 15 + 3 + 4
    frozen = model.layers[1]
    frozen.trainable = False
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((8, 4), np.float32), np.ones((8, 1), np.float32), epochs=1, verbose=0)
    np.testing.assert_array_equal(frozen.alpha.numpy(), np.zeros(3, np.float32))
    for arg in ("alpha_regularizer", "alpha_constraint", "shared_axes"):
        value = [1] if arg == "shared_axes" else ("l2" if arg == "alpha_regularizer" else "non_neg")
        with pytest.raises(NotSupportedError, match=arg):
            layers.PReLU(**{arg: value})


def test_prelu_in_keras_files_and_onnx(tmp_path: Path) -> None:
    inputs = keras.Input((4,), name="features")
    out = layers.Dense(2)(layers.PReLU(name="slopes")(layers.Dense(6)(inputs)))
    model = keras.Model(inputs, out)
    rng = np.random.default_rng(8)
    model.set_weights([rng.normal(0, 0.8, w.shape).astype(np.float32) for w in model.get_weights()])
    x = rng.normal(size=(9, 4)).astype(np.float32) * 2
    model.save(tmp_path / "prelu.keras")
    again = keras.models.load_model(tmp_path / "prelu.keras")
    np.testing.assert_array_equal(
        again.get_layer("slopes").alpha.numpy(), model.get_layer("slopes").alpha.numpy()
    )
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    model.export(tmp_path / "prelu.onnx", format="onnx", verbose=False)
    onnx.checker.check_model(onnx.load(str(tmp_path / "prelu.onnx")), full_check=True)
    session = ort.InferenceSession(str(tmp_path / "prelu.onnx"), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {session.get_inputs()[0].name: x})
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_from_logits_on_a_final_softmax_layer_warns_as_keras() -> None:
    # Keras warns when a crossentropy with from_logits=True reads a softmax's output, a Softmax layer's too.
    model = keras.Sequential([keras.Input((3,)), layers.Dense(3), layers.Softmax()])
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    with pytest.warns(UserWarning, match="from_logits=True"):
        model.fit(np.ones((4, 3), np.float32), np.zeros(4), verbose=0)


# ---- mish, celu, hard_silu -------------------------------------------------------------------------------------
MISH_CELU = json.loads(Path(__file__).with_name("fixtures").joinpath("mish_celu_golden.json").read_text())


def test_mish_celu_and_hard_silu_values_are_keras() -> None:
    z = np.array(Z, np.float32)
    for name in NAMES:
        got = np.asarray(keras.activations.get(name)(z))
        np.testing.assert_allclose(got, MISH_CELU["values"][name], rtol=5e-7, atol=1e-12, err_msg=name)
    got = np.asarray(keras.activations.celu(z, alpha=2.0))
    np.testing.assert_allclose(got, MISH_CELU["values"]["celu_alpha_2"], rtol=5e-7, atol=1e-12)
    assert keras.activations.hard_swish is keras.activations.hard_silu
    assert keras.activations.serialize(keras.activations.hard_swish) == "hard_silu"  # as Keras names it
    assert layers.Dense(2, activation="hard_swish").get_config()["activation"] == "hard_silu"


@pytest.mark.parametrize("device", DEVICES)
def test_training_through_mish_celu_and_hard_silu_is_keras(device: str) -> None:
    x, y, weights = start()
    fits = iter(MISH_CELU["fits"])
    for name in NAMES:
        for as_layer in (False, True):
            inner = [layers.Dense(6), layers.Activation(name)] if as_layer else [layers.Dense(6, name)]
            model = keras.Sequential([keras.Input(shape=(4,)), *inner, layers.Dense(1)], device=device)
            model.set_weights(weights)
            model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
            history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
            want = next(fits)
            np.testing.assert_allclose(history.history["loss"], want["loss"], rtol=2e-6, err_msg=name)
            for got, w in zip(model.get_weights(), want["weights"]):
                np.testing.assert_allclose(got, np.array(w, np.float32), rtol=2e-6, atol=1e-6, err_msg=name)


def test_mish_celu_and_hard_silu_export_to_onnx(tmp_path: Path) -> None:
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    x = (np.random.default_rng(0).normal(size=(50, 4)) * 4).astype(np.float32)
    for name in NAMES:
        model = keras.Sequential(
            [keras.Input(shape=(4,)), layers.Dense(6, name), layers.Dense(6), layers.Activation(name)]
        )
        model.export(tmp_path / "m.onnx", format="onnx", verbose=False)
        session = ort.InferenceSession(str(tmp_path / "m.onnx"))
        got = session.run(None, {session.get_inputs()[0].name: x})[0]
        np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=2e-6, err_msg=name)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    "name", sorted(set(keras.activations._BY_NAME) - {"threshold"})
)  # (no layer takes it)
def test_every_activation_keeps_nan_and_meets_infinities_as_the_cpu_does(device: str, name: str) -> None:
    # A NaN stays NaN through the layer and through a Dense with that activation, on either device (a GPU
    # compiler may fold `z != z` to false, which once turned celu's NaN into 0 there); hard_shrink and
    # soft_shrink give 0 for it, as Keras 3.15.1's `where` does.
    nan_gives = 0.0 if name in ("hard_shrink", "soft_shrink") else np.nan
    x = np.array([[np.nan, -np.inf, np.inf, -1.0, 0.0, 2.0]], np.float32)
    for make in (
        lambda: layers.Activation(name),
        lambda: layers.Dense(6, activation=name, kernel_initializer="identity"),
    ):
        cpu = keras.Sequential([keras.Input((6,)), make()], device="cpu")
        model = keras.Sequential([keras.Input((6,)), make()], device=device)
        model.set_weights(cpu.get_weights())
        got, want = model.predict(x, verbose=0), cpu.predict(x, verbose=0)
        np.testing.assert_array_equal([got[0, 0], want[0, 0]], [nan_gives] * 2, err_msg=name)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, equal_nan=True, err_msg=name)
