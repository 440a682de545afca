"""``keras_lite.initializers``: Keras 3.15's initializers by name, as objects and as configs, in Dense and
BatchNormalization, and in ``.keras`` files.

keras_lite draws with NumPy, so its values are not Keras's; the distributions are. The statistics below are
those Keras 3.15 gives for a (200, 300) weight (measured with Keras on TensorFlow), checked against draws of
keras_lite's own.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import zipfile
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import _keras_config_read, initializers, layers

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
SHAPE = (200, 300)


# ---- distributions ------------------------------------------------------------------------------------------
# name: (kind, bound, std). "uniform": values in [-bound, bound] and std bound/sqrt(3); "truncated": values in
# [-bound, bound] (two of the pre-truncation standard deviations) with std as given; "normal": std as given.
# The bounds and standard deviations are Keras 3.15's figures for (200, 300).
STATS = {
    "glorot_uniform": ("uniform", 0.1095, None),
    "glorot_normal": ("truncated", 0.1438, 0.0634),
    "he_uniform": ("uniform", 0.1732, None),
    "he_normal": ("truncated", 0.2274, 0.0997),
    "lecun_uniform": ("uniform", 0.1225, None),
    "lecun_normal": ("truncated", 0.1607, 0.0707),
    "random_normal": ("normal", None, 0.0498),
    "random_uniform": ("uniform", 0.05, None),
    "truncated_normal": ("truncated", 0.1, 0.0439),
}


@pytest.mark.parametrize("name", sorted(STATS))
def test_each_random_initializer_has_keras_distribution(name: str) -> None:
    kind, bound, std = STATS[name]
    values = initializers.get(name)(SHAPE)
    assert values.shape == SHAPE and values.dtype == np.float32
    assert isinstance(values, np.ndarray) and isinstance(values.numpy(), np.ndarray)
    assert abs(float(values.mean())) < 0.02 * (bound or std)
    if kind == "uniform":
        assert np.abs(values).max() <= bound * 1.001
        assert np.abs(values).max() > bound * 0.99  # the draws reach the edges of the range
        std = bound / math.sqrt(3)
    if kind == "truncated":
        assert np.abs(values).max() <= bound * 1.001
        assert np.abs(values).max() > bound * 0.98
    assert float(values.std()) == pytest.approx(std, rel=0.02)


def test_variance_scaling_formulas() -> None:
    vs = initializers.VarianceScaling
    # untruncated normal: std sqrt(scale / fan); "normal" is truncated_normal.
    values = vs(scale=3.0, mode="fan_out", distribution="untruncated_normal", seed=1)(SHAPE)
    assert float(values.std()) == pytest.approx(math.sqrt(3.0 / 300), rel=0.02)
    assert np.abs(values).max() > 2.5 * math.sqrt(3.0 / 300)  # not cut
    assert vs(distribution="normal").distribution == "truncated_normal"
    assert vs(distribution="UNIFORM").distribution == "uniform"
    # truncated: realised std sqrt(scale / fan), cut at 2 sqrt(scale / fan) / 0.8796...
    values = vs(scale=0.5, mode="fan_avg", seed=2)(SHAPE)
    assert float(values.std()) == pytest.approx(math.sqrt(0.5 / 250), rel=0.02)
    assert np.abs(values).max() <= 2 * math.sqrt(0.5 / 250) / 0.87962566103423978 * 1.0001
    # the fan is at least 1: a (0, 0) weight and a scalar are fine
    assert vs(distribution="uniform", seed=3)(()).shape == ()
    assert float(np.abs(vs(distribution="uniform", seed=3)(()))) <= math.sqrt(3.0)
    assert vs(seed=3)((0, 4)).shape == (0, 4)
    # the defaults: LecunNormal's formula
    assert initializers.VarianceScaling().get_config() == {
        "seed": None,
        "scale": 1.0,
        "mode": "fan_in",
        "distribution": "truncated_normal",
        "input_axes": None,
        "output_axes": None,
    }


@pytest.mark.parametrize(
    ("shape", "fans"),
    [((), (1, 1)), ((7,), (7, 7)), ((3, 5), (3, 5)), ((2, 3, 4, 5), (24, 30)), ((3, 3, 1), (9, 3))],
)
def test_compute_fans(shape: tuple[int, ...], fans: tuple[int, int]) -> None:
    assert initializers.compute_fans(shape) == fans


def test_input_and_output_axes_choose_the_fans() -> None:
    assert initializers.compute_fans((2, 3, 4), input_axes=[0, 1], output_axes=[2]) == (6, 4)
    init = initializers.HeUniform(seed=0, input_axes=[0, 1], output_axes=[2])
    values = init((2, 3, 4))
    assert np.abs(values).max() <= math.sqrt(6 / 6)
    assert init.get_config() == {"seed": 0, "input_axes": [0, 1], "output_axes": [2]}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"scale": 0.0}, "scale"),
        ({"scale": -1.0}, "scale"),
        ({"mode": "fan_max"}, "mode"),
        ({"distribution": "laplace"}, "distribution"),
        ({"seed": 1.5}, "seed"),
        ({"seed": "1"}, "seed"),
        ({"scale": "big"}, "scale"),
    ],
)
def test_variance_scaling_refuses_bad_arguments(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        initializers.VarianceScaling(**kwargs)


# ---- constants, identity, orthogonal -------------------------------------------------------------------------
def test_constant_initializers() -> None:
    np.testing.assert_array_equal(initializers.Zeros()((2, 3)), np.zeros((2, 3), np.float32))
    np.testing.assert_array_equal(initializers.get("one")(4), np.ones(4, np.float32))
    np.testing.assert_array_equal(initializers.Constant(2.5)((2,)), [2.5, 2.5])
    assert initializers.Constant().value == 0.0
    assert initializers.Constant(3).get_config() == {"value": 3.0}


def test_identity_golden_values() -> None:
    np.testing.assert_array_equal(initializers.Identity()((2, 3)), [[1, 0, 0], [0, 1, 0]])
    np.testing.assert_array_equal(initializers.get("identity")((3, 2)), [[1, 0], [0, 1], [0, 0]])
    np.testing.assert_array_equal(initializers.IdentityInitializer(gain=2.0)((2, 2)), [[2, 0], [0, 2]])
    for shape in ((3,), (2, 2, 2)):
        with pytest.raises(ValueError, match="2D"):
            initializers.Identity()(shape)


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (5, 5), (2, 3, 4)])
def test_orthogonal_is_orthogonal(shape: tuple[int, ...]) -> None:
    gain = 1.5
    values = initializers.Orthogonal(gain=gain, seed=7)(shape).astype(np.float64)
    assert values.shape == shape
    m = values.reshape(-1, shape[-1]) / gain
    rows, cols = m.shape
    gram = m.T @ m if rows >= cols else m @ m.T
    np.testing.assert_allclose(gram, np.eye(min(rows, cols)), atol=1e-5)


def test_orthogonal_golden_properties() -> None:
    init = initializers.get("orthogonal")
    assert (
        type(init) is initializers.Orthogonal
        and initializers.OrthogonalInitializer is initializers.Orthogonal
    )
    # from the QR decomposition of normal draws, with Q's signs made to match R's positive diagonal
    rng = np.random.default_rng(3)
    a = rng.standard_normal((4, 3))
    q, r = np.linalg.qr(a)
    np.testing.assert_allclose(
        initializers.Orthogonal(seed=3)((4, 3)), q * np.sign(np.diag(r)), rtol=1e-6, atol=1e-7
    )
    np.testing.assert_allclose(
        initializers.Orthogonal(seed=3)((3, 4)), (q * np.sign(np.diag(r))).T, rtol=1e-6, atol=1e-7
    )
    with pytest.raises(ValueError, match="two-dimensional"):
        initializers.Orthogonal()((5,))


# ---- seeds --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [*sorted(STATS), "orthogonal", "variance_scaling"])
def test_an_instance_gives_the_same_values_on_every_call(name: str) -> None:
    unseeded = initializers.get(name)
    np.testing.assert_array_equal(unseeded((5, 4)), unseeded((5, 4)))
    cls = type(unseeded)
    np.testing.assert_array_equal(cls(seed=11)((5, 4)), cls(seed=11)((5, 4)))
    assert not np.array_equal(cls(seed=11)((5, 4)), cls(seed=12)((5, 4)))
    assert not np.array_equal(initializers.get(name)((5, 4)), initializers.get(name)((5, 4)))


def test_unseeded_initializers_follow_set_random_seed() -> None:
    keras.utils.set_random_seed(5)
    first = initializers.HeNormal()((3, 3))
    keras.utils.set_random_seed(5)
    np.testing.assert_array_equal(initializers.HeNormal()((3, 3)), first)


def test_seeds_any_integer_but_not_a_seed_generator() -> None:
    np.testing.assert_array_equal(
        initializers.RandomNormal(seed=-4)((3,)), initializers.RandomNormal(seed=-4)((3,))
    )
    assert not np.array_equal(
        initializers.RandomNormal(seed=-4)((3,)), initializers.RandomNormal(seed=4)((3,))
    )
    with pytest.raises(keras.NotSupportedError, match="SeedGenerator"):
        initializers.RandomNormal(seed={"class_name": "SeedGenerator", "config": {"seed": 1}})


# ---- get, serialize, deserialize ---------------------------------------------------------------------------
ALL_CLASSES = [
    initializers.Constant(1.5),
    initializers.Zeros(),
    initializers.Ones(),
    initializers.Identity(gain=0.5),
    initializers.RandomNormal(mean=1.0, stddev=0.5, seed=2),
    initializers.RandomUniform(minval=0.0, maxval=2.0, seed=3),
    initializers.TruncatedNormal(seed=4),
    initializers.VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform", seed=5),
    initializers.GlorotUniform(seed=6),
    initializers.GlorotNormal(),
    initializers.HeUniform(),
    initializers.HeNormal(seed=7),
    initializers.LecunUniform(),
    initializers.LecunNormal(),
    initializers.Orthogonal(gain=2.0, seed=8),
]


@pytest.mark.parametrize("init", ALL_CLASSES, ids=lambda i: type(i).__name__)
def test_serialize_and_deserialize_round_trip(init: Any) -> None:
    tree = initializers.serialize(init)
    assert tree == {
        "module": "keras.initializers",
        "class_name": type(init).__name__,
        "config": init.get_config(),
        "registered_name": None,
    }
    again = initializers.deserialize(json.loads(json.dumps(tree)))
    assert type(again) is type(init) and again.get_config() == init.get_config()
    assert initializers.get(tree).get_config() == init.get_config()
    assert type(init).from_config(init.get_config()).get_config() == init.get_config()
    assert init.clone().get_config() == init.get_config()
    if init.get_config().get("seed") is not None:
        np.testing.assert_array_equal(again((3, 4)), init((3, 4)))


def test_keras_configs() -> None:
    # Glorot, He and Lecun hold their seed and (Keras 3.15) the axes only.
    assert initializers.HeNormal().get_config() == {"seed": None, "input_axes": None, "output_axes": None}
    assert initializers.RandomNormal().get_config() == {"seed": None, "mean": 0.0, "stddev": 0.05}
    assert initializers.RandomUniform().get_config() == {"seed": None, "minval": -0.05, "maxval": 0.05}
    assert initializers.TruncatedNormal().get_config() == {"seed": None, "mean": 0.0, "stddev": 0.05}
    assert initializers.Orthogonal().get_config() == {"seed": None, "gain": 1.0}
    assert initializers.Zeros().get_config() == {}
    assert initializers.serialize(None) is None


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("glorot_uniform", "GlorotUniform"),
        ("GlorotUniform", "GlorotUniform"),
        ("glorot_normal", "GlorotNormal"),
        ("he_uniform", "HeUniform"),
        ("he_normal", "HeNormal"),
        ("HeNormal", "HeNormal"),
        ("lecun_uniform", "LecunUniform"),
        ("lecun_normal", "LecunNormal"),
        ("random_normal", "RandomNormal"),
        ("normal", "RandomNormal"),
        ("random_uniform", "RandomUniform"),
        ("uniform", "RandomUniform"),
        ("truncated_normal", "TruncatedNormal"),
        ("variance_scaling", "VarianceScaling"),
        ("zeros", "Zeros"),
        ("zero", "Zeros"),
        ("ones", "Ones"),
        ("one", "Ones"),
        ("identity", "Identity"),
        ("IdentityInitializer", "Identity"),
        ("orthogonal", "Orthogonal"),
        ("OrthogonalInitializer", "Orthogonal"),
    ],
)
def test_names_and_aliases(name: str, cls: str) -> None:
    assert type(initializers.get(name)).__name__ == cls
    assert getattr(initializers, cls).__name__ == cls


def test_get_takes_objects_classes_functions_and_arrays() -> None:
    init = initializers.HeNormal(seed=1)
    assert initializers.get(init) is init
    assert type(initializers.get(initializers.Ones)) is initializers.Ones
    assert initializers.get(None) is None

    def fn(shape: Any, dtype: Any = None) -> Any:
        return np.full(shape, 7.0)

    assert initializers.get(fn) is fn
    values = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(initializers.get(values)((2, 3)), values)
    with pytest.raises(ValueError, match="Expected `shape`"):
        initializers.get(values)((3, 2))


def test_get_errors() -> None:
    with pytest.raises(ValueError, match="he_normall") as info:
        initializers.get("he_normall")
    assert not isinstance(info.value, NotImplementedError)
    with pytest.raises(keras.NotSupportedError, match="STFT"):
        initializers.get("STFT")
    with pytest.raises(KeyError, match="value"):  # as Keras 3.15: a name is a config without arguments
        initializers.get("constant")
    for bad in (3, 2.5, [1, 2], {"class_name": "Nope"}, {"class_name": "HeNormal", "config": {"scale": 2}}):
        with pytest.raises(ValueError):
            initializers.get(bad)
    with pytest.raises(ValueError):  # a class that is no initializer
        initializers.get(dict)
    with pytest.raises(ValueError, match="shape"):
        initializers.Zeros()((2, -1))
    with pytest.raises(keras.NotSupportedError, match="float32"):
        initializers.Zeros()((2,), dtype="float64")
    assert initializers.Zeros()((2,), dtype="float32").dtype == np.float32
    with pytest.raises(NotImplementedError):
        initializers.Initializer()((2,))


# ---- layers ------------------------------------------------------------------------------------------------
def dense_model(*dense: Any) -> keras.Sequential:
    return keras.Sequential([keras.Input(shape=(3,)), *dense])


def test_dense_uses_its_initializers() -> None:
    model = dense_model(
        layers.Dense(3, kernel_initializer="identity", bias_initializer="ones"),
        layers.Dense(
            2, kernel_initializer=initializers.Constant(0.25), bias_initializer=initializers.Constant(-1)
        ),
        layers.Dense(4, kernel_initializer={"class_name": "HeNormal", "config": {"seed": 9}}),
    )
    w = model.get_weights()
    np.testing.assert_array_equal(w[0], np.eye(3))
    np.testing.assert_array_equal(w[1], np.ones(3))
    np.testing.assert_array_equal(w[2], np.full((3, 2), 0.25))
    np.testing.assert_array_equal(w[3], [-1, -1])
    np.testing.assert_array_equal(w[4], initializers.HeNormal(seed=9)((2, 4)))
    np.testing.assert_array_equal(w[5], np.zeros(4))
    np.testing.assert_allclose(model.predict(np.eye(3), verbose=0), np.full((3, 4), 0.0), atol=0)
    layer = model.layers[0]
    assert type(layer.kernel_initializer) is initializers.Identity
    assert type(layer.bias_initializer) is initializers.Ones
    assert layer.get_config()["kernel_initializer"]["class_name"] == "Identity"


def test_dense_default_is_unchanged() -> None:
    keras.utils.set_random_seed(1)
    default = dense_model(layers.Dense(5), layers.Dense(2)).get_weights()
    keras.utils.set_random_seed(1)
    named = dense_model(
        layers.Dense(5, kernel_initializer="glorot_uniform", bias_initializer="zeros"),
        layers.Dense(2, kernel_initializer="GlorotUniform", bias_initializer="Zeros"),
    ).get_weights()
    keras.utils.set_random_seed(1)
    none_kernel = dense_model(layers.Dense(5, kernel_initializer=None), layers.Dense(2)).get_weights()
    for a, b, c in zip(default, named, none_kernel):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    # ... while a Glorot uniform object draws its own values, from the same distribution
    keras.utils.set_random_seed(1)
    own = dense_model(layers.Dense(5, kernel_initializer=initializers.GlorotUniform(seed=0))).get_weights()
    assert not np.array_equal(own[0], default[0])
    assert np.abs(own[0]).max() <= math.sqrt(6 / 8)


def test_a_none_bias_is_glorot_uniform_as_in_keras() -> None:
    bias = dense_model(layers.Dense(50, bias_initializer=None)).get_weights()[1]
    assert np.abs(bias).max() <= math.sqrt(3 / 50) and np.abs(bias).max() > 0.5 * math.sqrt(3 / 50)
    assert layers.Dense(2, bias_initializer=None).get_config()["bias_initializer"] is None


def test_a_name_gives_each_layer_its_own_values_and_an_instance_the_same() -> None:
    w = dense_model(
        layers.Dense(3, kernel_initializer="he_normal"), layers.Dense(3, kernel_initializer="he_normal")
    ).get_weights()
    assert not np.array_equal(w[0], w[2])
    shared = initializers.HeNormal()
    w = dense_model(
        layers.Dense(3, kernel_initializer=shared), layers.Dense(3, kernel_initializer=shared)
    ).get_weights()
    np.testing.assert_array_equal(w[0], w[2])


def test_functions_and_arrays_as_initializers() -> None:
    def halves(shape: Any, dtype: Any = None) -> Any:
        return np.full(shape, 0.5)

    kernel = np.arange(6, dtype=np.float32).reshape(3, 2)
    w = dense_model(layers.Dense(2, kernel_initializer=kernel, bias_initializer=halves)).get_weights()
    np.testing.assert_array_equal(w[0], kernel)
    np.testing.assert_array_equal(w[1], [0.5, 0.5])


def test_a_failing_initializer_leaves_the_model_as_it_was() -> None:
    model = dense_model(layers.Dense(2))
    before = model.get_weights()
    with pytest.raises(ValueError, match="shape"):
        model.add(layers.Dense(2, kernel_initializer=lambda shape, dtype=None: np.zeros((1, 1))))
    assert len(model.layers) == 1
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_weights_survive_a_rebuild_and_a_standalone_build_initializes() -> None:
    model = dense_model(layers.Dense(3, kernel_initializer="he_uniform"))
    kernel = model.get_weights()[0]
    model.add(layers.Dense(1))
    np.testing.assert_array_equal(model.get_weights()[0], kernel)
    layer = layers.Dense(2, kernel_initializer="identity", bias_initializer="ones")
    layer.build((None, 2))
    np.testing.assert_array_equal(layer.kernel.numpy(), np.eye(2))
    np.testing.assert_array_equal(layer(np.zeros((1, 2))).numpy(), [[1.0, 1.0]])


def test_batch_normalization_initializers() -> None:
    model = dense_model(
        layers.BatchNormalization(
            beta_initializer=initializers.Constant(0.5),
            gamma_initializer="zeros",
            moving_mean_initializer="ones",
            moving_variance_initializer=initializers.Constant(4.0),
        )
    )
    bn = model.layers[0]
    np.testing.assert_array_equal(bn.beta.numpy(), [0.5] * 3)
    np.testing.assert_array_equal(bn.gamma.numpy(), [0.0] * 3)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), [1.0] * 3)
    np.testing.assert_array_equal(bn.moving_variance.numpy(), [4.0] * 3)
    # inference: gamma 0 gives beta everywhere
    np.testing.assert_allclose(model.predict(np.ones((2, 3)), verbose=0), np.full((2, 3), 0.5))
    default = dense_model(layers.BatchNormalization(center=False)).layers[0]
    assert default.beta is None
    np.testing.assert_array_equal(default.gamma.numpy(), np.ones(3))
    assert type(default.moving_variance_initializer) is initializers.Ones


@pytest.mark.parametrize(
    ("make", "error", "text"),
    [
        (
            lambda: layers.Dense(2, kernel_initializer="he_normall"),
            ValueError,
            "kernel_initializer='he_normall'",
        ),
        (lambda: layers.Dense(2, bias_initializer=3), ValueError, "bias_initializer=3"),
        (
            lambda: layers.Dense(2, kernel_initializer="STFT"),
            keras.NotSupportedError,
            "kernel_initializer='STFT'",
        ),
        (lambda: layers.BatchNormalization(gamma_initializer="onez"), ValueError, "gamma_initializer='onez'"),
        (lambda: layers.Dense(2, kernel_initializer="constant"), KeyError, "value"),
    ],
)
def test_layers_refuse_bad_initializers_naming_them(make: Any, error: type, text: str) -> None:
    with pytest.raises(error) as info:
        make()
    assert text in str(info.value)


# ---- .keras files ------------------------------------------------------------------------------------------
def saved_config(model: keras.Sequential, tmp_path: Any) -> list[dict[str, Any]]:
    path = os.path.join(tmp_path, "m.keras")
    model.save(path)
    with zipfile.ZipFile(path) as z:
        return [item["config"] for item in json.loads(z.read("config.json"))["config"]["layers"][1:]]


def test_the_default_configs_are_written_as_before(tmp_path: Any) -> None:
    cfg = saved_config(dense_model(layers.Dense(2), layers.BatchNormalization()), tmp_path)
    ref = {"module": "keras.initializers", "registered_name": None}
    axes = {"input_axes": None, "output_axes": None}  # Keras 3.15.1 writes them
    assert cfg[0]["kernel_initializer"] == {
        **ref,
        "class_name": "GlorotUniform",
        "config": {"seed": None, **axes},
    }
    assert cfg[0]["bias_initializer"] == {**ref, "class_name": "Zeros", "config": {}}
    assert cfg[1]["gamma_initializer"] == {**ref, "class_name": "Ones", "config": {}}
    assert cfg[1]["moving_mean_initializer"] == {**ref, "class_name": "Zeros", "config": {}}


def test_keras_files_carry_the_initializers(tmp_path: Any) -> None:
    model = dense_model(
        layers.Dense(4, kernel_initializer="he_normal", bias_initializer=initializers.Constant(0.1)),
        layers.BatchNormalization(gamma_initializer=initializers.RandomUniform(0.9, 1.1, seed=3)),
        layers.Dense(2, kernel_initializer=initializers.VarianceScaling(2.0, "fan_out", "uniform", seed=4)),
        layers.Dense(1, kernel_initializer=initializers.Orthogonal(seed=5), bias_initializer=None),
    )
    cfg = saved_config(model, tmp_path)
    assert cfg[0]["kernel_initializer"] == {
        "module": "keras.initializers",
        "class_name": "HeNormal",
        "config": {"seed": None, "input_axes": None, "output_axes": None},  # as Keras 3.15.1 writes it
        "registered_name": None,
    }
    assert cfg[0]["bias_initializer"]["config"] == {"value": 0.1}
    assert cfg[1]["gamma_initializer"]["config"] == {"seed": 3, "minval": 0.9, "maxval": 1.1}
    assert cfg[2]["kernel_initializer"]["config"] == {
        "seed": 4,
        "scale": 2.0,
        "mode": "fan_out",
        "distribution": "uniform",
        "input_axes": None,
        "output_axes": None,
    }
    assert cfg[3]["kernel_initializer"]["config"] == {"seed": 5, "gain": 1.0}
    assert cfg[3]["bias_initializer"] is None

    loaded = keras.models.load_model(os.path.join(tmp_path, "m.keras"))
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    for before, after in zip(model.layers, loaded.layers):
        assert before.get_config() == after.get_config()
    assert type(loaded.layers[0].kernel_initializer) is initializers.HeNormal
    again = pickle.loads(pickle.dumps(model))
    assert again.layers[2].kernel_initializer.get_config() == model.layers[2].kernel_initializer.get_config()


def test_a_keras_written_file_reads_its_initializers() -> None:
    model = keras.models.load_model(os.path.join(FIXTURES, "adam_mse_bn_dropout.keras"), compile=False)
    dense, bn = model.layers[0], model.layers[1]
    # Keras 3.15.1 wrote GlorotUniform's config with input_axes and output_axes
    assert type(dense.kernel_initializer) is initializers.GlorotUniform
    assert dense.kernel_initializer.get_config() == {"seed": None, "input_axes": None, "output_axes": None}
    assert type(dense.bias_initializer) is initializers.Zeros
    assert [type(bn.beta_initializer), type(bn.gamma_initializer)] == [initializers.Zeros, initializers.Ones]
    # an unseeded GlorotUniform is the default: the core draws the kernel, as for a model built in code
    assert dense.kernel_initializer is dense._core_kernel


def test_a_tf_keras_2_initializer_config_with_a_dtype_reads() -> None:
    legacy = {
        "class_name": "RandomNormal",
        "config": {"mean": 0.0, "stddev": 0.1, "seed": 2, "dtype": "float32"},
    }
    layer = _keras_config_read.layer_from_config(
        {"class_name": "Dense", "config": {"name": "d", "units": 2, "kernel_initializer": legacy}}, 0
    )
    assert layer.kernel_initializer.get_config() == {"seed": 2, "mean": 0.0, "stddev": 0.1}


def test_an_unknown_initializer_in_a_file_falls_back_to_the_default() -> None:
    custom = {"module": "my_package", "class_name": "MyInit", "config": {}, "registered_name": "MyInit"}
    layer = _keras_config_read.layer_from_config(
        {"class_name": "Dense", "config": {"name": "d", "units": 2, "kernel_initializer": custom}}, 0
    )
    assert type(layer.kernel_initializer) is initializers.GlorotUniform
    bad = {"class_name": "VarianceScaling", "config": {"scale": -1.0}}
    with pytest.raises(ValueError, match="scale"):
        _keras_config_read.layer_from_config(
            {"class_name": "Dense", "config": {"name": "d", "units": 2, "kernel_initializer": bad}}, 0
        )


def test_a_negative_stddev_mirrors_the_draws_as_keras_computes_mean_plus_stddev_times_z() -> None:
    mirrored = keras.initializers.RandomNormal(mean=0.5, stddev=-2.0, seed=3)((4, 3))
    plain = keras.initializers.RandomNormal(mean=0.5, stddev=2.0, seed=3)((4, 3))
    np.testing.assert_allclose(np.asarray(mirrored) - 0.5, -(np.asarray(plain) - 0.5), rtol=1e-6)
