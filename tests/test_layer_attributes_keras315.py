"""Keras 3's descriptive attributes of layers and models: ``losses``, ``compute_output_shape``,
``supports_masking``, ``dtype_policy``, ``path``, ``get_build_config`` / ``build_from_config``, ``metrics``.

Every golden value below was printed by live Keras 3.15.1 (TensorFlow backend) running the same snippet with
``import keras`` in place of ``import keras_lite as keras``.
"""

from __future__ import annotations

import gc
import re

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers, regularizers

X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype="float32")


def _regularized() -> layers.Dense:
    return layers.Dense(
        1,
        kernel_initializer="ones",
        bias_initializer="ones",
        kernel_regularizer=regularizers.L2(0.5),
        bias_regularizer=regularizers.L1(0.1),
        activity_regularizer=regularizers.L2(1.0),
    )


def _values(losses: list) -> list[float]:
    return [float(v) for v in losses]


def test_layer_losses_list_activity_then_weight_penalties() -> None:
    # Keras 3.15.1: [] unbuilt; [1.0, 0.1] built; [74.666664, 1.0, 0.1] after d(X); [16.0, 1.0, 0.1] after
    # d(X[:1]); [16.0] once frozen; each a float32 scalar
    d = _regularized()
    assert d.losses == []
    d.build((None, 2))
    assert _values(d.losses) == pytest.approx([1.0, 0.1])
    assert all(np.asarray(v).dtype == np.float32 and np.asarray(v).shape == () for v in d.losses)
    d(X)
    assert _values(d.losses) == pytest.approx([74.66666412353516, 1.0, 0.10000000149011612])
    d(X[:1])
    assert _values(d.losses) == pytest.approx([16.0, 1.0, 0.1])
    d.trainable = False
    assert _values(d.losses) == pytest.approx([16.0])
    assert layers.Dense(2).losses == []


def test_model_losses() -> None:
    # Keras 3.15.1: a Functional model of the regularized Dense gives [1.0, 0.1]; keras.Sequential().losses == []
    inp = keras.Input((2,))
    model = keras.Model(inp, _regularized()(inp))
    assert _values(model.losses) == pytest.approx([1.0, 0.1])
    assert keras.Sequential().losses == []
    seq = keras.Sequential([keras.Input((2,)), _regularized()])
    seq.layers[0](X)  # a call of the layer on its own: Keras lists its activity penalty first
    assert _values(seq.losses) == pytest.approx([74.66666412353516, 1.0, 0.1])
    # Keras 3.15.1: a nested Sequential's penalties come in its place: [2.0, 0.2, 0.0], then [0.2, 0.0] frozen
    inner = keras.Sequential(
        [
            keras.Input((2,)),
            layers.Dense(2, kernel_initializer="ones", kernel_regularizer=regularizers.L2(0.5)),
        ]
    )
    outer = keras.Sequential(
        [inner, layers.Dense(1, kernel_initializer="ones", kernel_regularizer=regularizers.L1(0.1),
                             bias_regularizer=regularizers.L1(0.2))]
    )  # fmt: skip
    assert _values(outer.losses) == pytest.approx([2.0, 0.2, 0.0])
    inner.trainable = False
    assert _values(outer.losses) == pytest.approx([0.2, 0.0])


@pytest.mark.parametrize(
    ("make", "shape", "expected"),
    [
        (lambda: layers.Dense(3), (None, 4), (None, 3)),
        (lambda: layers.Dense(3), (8, 4), (8, 3)),
        (lambda: layers.Dense(3), (None, 5, 4), (None, 5, 3)),
        (lambda: layers.Dense(3), (4,), (3,)),
        (lambda: layers.Dense(3), [None, 4], (None, 3)),
        (lambda: layers.Dropout(0.5), [None, 4], [None, 4]),
        (lambda: layers.Activation("relu"), (None, 5, 4), (None, 5, 4)),
        (lambda: layers.BatchNormalization(), (None, 4), (None, 4)),
        (lambda: layers.LayerNormalization(), [None, 4], [None, 4]),
        (lambda: layers.Normalization(), None, None),
        (lambda: layers.GaussianNoise(0.1), (None, 6), (None, 6)),
        (lambda: layers.Flatten(), (None, 5, 4), (None, 20)),
        (lambda: layers.Flatten(), (4,), (4, 1)),
        (lambda: layers.Flatten(), (None, None), (None, None)),
        (lambda: layers.CategoryEncoding(num_tokens=5), (None, 4), (None, 5)),
        (lambda: layers.CategoryEncoding(num_tokens=5), (), (5,)),
        (lambda: layers.Discretization(bin_boundaries=[0.0, 1.0]), (None, 4), (None, 4)),
        (lambda: layers.ReLU(), (), ()),
        (lambda: layers.PReLU(), (None, 0), (None, 0)),
        (lambda: layers.Add(), [(2, 4), (None, 4)], (2, 4)),
        (lambda: layers.Maximum(), [(None, 1), (None, 4)], (None, 4)),
        (lambda: layers.Concatenate(), [(None, 4), (None, 3)], (None, 7)),
        (lambda: layers.Concatenate(), [(None, 5, 4), (None, 5, 2)], (None, 5, 6)),
    ],
)
def test_layer_compute_output_shape(make, shape, expected) -> None:  # type: ignore[no-untyped-def]
    out = make().compute_output_shape(shape)
    assert out == expected and type(out) is type(expected)


@pytest.mark.parametrize(
    ("make", "shape", "error", "message"),
    [
        (lambda: layers.BatchNormalization(), (), ValueError,
         "Axis -1 is out of bounds for input shape (). Received: axis=-1"),
        (lambda: layers.Add(), [(None, 4), (None, 3)], ValueError,
         "Inputs have incompatible shapes. Received shapes (4,) and (3,)"),
        (lambda: layers.Concatenate(), (None, 4), ValueError,
         "A `Concatenate` layer should be called on a list of inputs. Received: input_shape=(None, 4)"),
        (lambda: layers.InputLayer(shape=(4,)), (None, 4), NotImplementedError,
         "Layer InputLayer does not have a `compute_output_shape` method implemented. "
         "Should implement `def compute_output_shape(self, input_shape)`."),
    ],
)  # fmt: skip
def test_layer_compute_output_shape_errors(make, shape, error, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error) as info:
        make().compute_output_shape(shape)
    assert str(info.value) == message


def test_model_compute_output_shape() -> None:
    # Keras 3.15.1: (None, 2) and (8, 2); Input 0's error; an unbuilt Sequential chains its layers: (None, 3)
    seq = keras.Sequential([keras.Input((4,)), layers.Dense(3), layers.Dense(2)])
    assert seq.compute_output_shape((None, 4)) == (None, 2)
    assert seq.compute_output_shape((8, 4)) == (8, 2)
    name = seq._input_layer.name
    with pytest.raises(ValueError) as info:
        seq.compute_output_shape((None, 7))
    # Keras names its inner Functional model 'functional', 'functional_1', ... by how many it made before in
    # the process; keras_lite always says 'functional'. The test holds what does not depend on that count.
    assert re.fullmatch(
        rf"Input 0 with name '{name}' of layer 'functional(_\d+)?' is incompatible with the layer: expected "
        r"shape=\(None, 4\), found shape=\(None, 7\)",
        str(info.value),
    )
    assert keras.Sequential([layers.Dense(3)]).compute_output_shape((None, 4)) == (None, 3)
    inp = keras.Input((4,), name="x")
    fn = keras.Model(inp, layers.Dense(2)(layers.Dense(3)(inp)), name="f")
    assert fn.compute_output_shape((8, 4)) == (8, 2)
    with pytest.raises(
        ValueError, match="Input 0 with name 'x' of layer 'f' is incompatible with the layer: "
    ):
        fn.compute_output_shape((None, 7))
    a, b = keras.Input((2,), name="a"), keras.Input((3,), name="b")
    joined = layers.Concatenate()([a, b])
    two = keras.Model({"a": a, "b": b}, {"o": layers.Dense(1)(joined)})
    assert two.compute_output_shape({"a": (None, 2), "b": (None, 3)}) == {"o": (None, 1)}


def test_dtype_policy() -> None:
    # Keras 3.15.1: <DTypePolicy "float32">, name/compute_dtype/variable_dtype "float32", quantization_mode
    # None, get_config {'name': 'float32'}, one object for every layer, unhashable
    policy = layers.Dense(3).dtype_policy
    assert repr(policy) == str(policy) == '<DTypePolicy "float32">'
    assert policy.name == policy.compute_dtype == policy.variable_dtype == "float32"
    assert policy.quantization_mode is None and policy.get_config() == {"name": "float32"}
    assert layers.Dropout(0.1).dtype_policy is policy is keras.Sequential().dtype_policy
    assert type(policy).from_config(policy.get_config()) == policy
    with pytest.raises(TypeError):
        hash(policy)


def test_supports_masking() -> None:
    # Keras 3.15.1: True for Dense, Dropout, the normalizations, the activation and merge layers; False for
    # Flatten, Reshape, CategoryEncoding, Discretization, InputLayer, Sequential and Functional models
    for layer in (layers.Dense(1), layers.Dropout(0.1), layers.BatchNormalization(), layers.ReLU(),
                  layers.Concatenate(), layers.Rescaling(1.0), layers.Normalization()):  # fmt: skip
        assert layer.supports_masking is True
    for layer in (layers.Flatten(), layers.Reshape((4,)), layers.CategoryEncoding(num_tokens=3),
                  layers.Discretization(bin_boundaries=[0.0]), layers.InputLayer(shape=(2,))):  # fmt: skip
        assert layer.supports_masking is False
    assert keras.Sequential().supports_masking is False


def test_path_and_build_config_of_layers() -> None:
    # Keras 3.15.1: None and None before a build; the shape as given to build(); a call's array shape
    d = layers.Dense(3)
    assert d.path is None and d.get_build_config() is None
    d.build((4,))
    assert d.get_build_config() == {"input_shape": (4,)} and d.path == d.name
    d = layers.Dense(3)
    d(np.ones((2, 4)))
    assert d.get_build_config() == {"input_shape": (2, 4)}
    drop = layers.Dropout(0.1)
    drop(np.ones((2, 3)))  # no build() of its own: nothing recorded
    assert (drop.path, drop.get_build_config()) == (None, None)
    drop.build_from_config({"input_shape": [None, 4]})
    assert drop.get_build_config() == {"input_shape": [None, 4]} and drop.path == drop.name
    d = layers.Dense(3)
    d.build_from_config({})
    assert not d.built
    d.build_from_config({"shapes_dict": {"input_shape": (None, 5)}})
    assert d.get_build_config() == {"input_shape": (None, 5)} and d.kernel.shape == (5, 3)
    assert d.metrics == [] and d.metrics_variables == []


def test_path_and_build_config_in_models() -> None:
    # Keras 3.15.1: 's/a' in a Sequential, the layer's name in a Functional model; None for a Dropout there
    seq = keras.Sequential([keras.Input((4,)), layers.Dense(3, name="a"), layers.Dropout(0.5),
                            layers.Dense(2, name="b")], name="s")  # fmt: skip
    assert seq.path == "s" and seq.get_build_config() == {"input_shape": (None, 4)}
    assert [layer.path for layer in seq.layers] == ["s/a", None, "s/b"]
    assert [layer.get_build_config() for layer in seq.layers] == [{"input_shape": (None, 4)}, None,
                                                                  {"input_shape": (None, 3)}]  # fmt: skip
    assert seq.layers[0].kernel.path == "s/a/kernel"
    flat = keras.Sequential([keras.Input((2, 3)), layers.Flatten(), layers.Dense(2)])
    assert flat.get_build_config() == {"input_shape": (None, 2, 3)}
    assert [layer.get_build_config() for layer in flat.layers] == [{"input_shape": (None, 2, 3)},
                                                                   {"input_shape": (None, 6)}]  # fmt: skip
    unbuilt = keras.Sequential([layers.Dense(3)])
    assert unbuilt.path is None and unbuilt.get_build_config() is None
    unbuilt.build_from_config({"input_shape": [None, 6]})
    assert unbuilt.built and unbuilt.layers[0].kernel.shape == (6, 3)
    a, b = keras.Input((2,), name="a"), keras.Input((3,), name="b")
    cat = layers.Concatenate(name="cc")
    out = layers.Dense(1, name="o")(cat([a, b]))
    fn = keras.Model([a, b], out, name="fm")
    assert fn.path == "fm" and fn.get_build_config() == {"input_shape": None}
    assert cat.path == "cc" and cat.get_build_config() == {"input_shape": [(None, 2), (None, 3)]}
    assert fn.layers[-1].get_build_config() == {"input_shape": (None, 5)}
    assert fn.layers[0].path is None and fn.layers[0].get_build_config() is None
    assert fn.build_from_config({"input_shape": None}) is None


def test_input_spec_of_layers_and_models() -> None:
    # Keras 3.15.1: Dense InputSpec(min_ndim=2), then with axes={-1: 4}; BatchNormalization and PReLU None until
    # built; Flatten InputSpec(min_ndim=1); a Sequential None; a Functional model one spec per input
    assert repr(layers.Dense(3).input_spec) == "InputSpec(min_ndim=2)"
    assert layers.BatchNormalization().input_spec is None and layers.PReLU().input_spec is None
    assert layers.Dropout(0.1).input_spec is None and layers.LayerNormalization().input_spec is None
    seq = keras.Sequential([keras.Input((4,)), layers.Dense(3), layers.BatchNormalization(), layers.PReLU(),
                            layers.Flatten()])  # fmt: skip
    assert [repr(layer.input_spec) for layer in seq.layers] == [
        "InputSpec(min_ndim=2, axes={-1: 4})",
        "InputSpec(ndim=2, axes={-1: 3})",
        "InputSpec(ndim=2)",
        "InputSpec(min_ndim=1)",
    ]
    assert seq.input_spec is None
    a, b = keras.Input((2,), name="a"), keras.Input((3,), name="b")
    out = layers.Dense(1)(layers.Concatenate()([a, b]))
    assert (
        repr(keras.Model([a, b], out).input_spec)
        == "[InputSpec(shape=(None, 2), ndim=2), InputSpec(shape=(None, 3), ndim=2)]"
    )
    specs = keras.Model({"b": b, "a": a}, out).input_spec
    assert [vars(s) for s in specs] == [
        {"dtype": None, "shape": (None, 2), "ndim": 2, "max_ndim": None, "min_ndim": None, "name": "a",
         "optional": False, "allow_last_axis_squeeze": True, "axes": {}},
        {"dtype": None, "shape": (None, 3), "ndim": 2, "max_ndim": None, "min_ndim": None, "name": "b",
         "optional": False, "allow_last_axis_squeeze": True, "axes": {}},
    ]  # fmt: skip


def test_input_spec_class() -> None:
    # Keras 3.15.1: keras.InputSpec and keras.layers.InputSpec, their reprs, configs and errors
    assert keras.InputSpec is layers.InputSpec
    assert repr(keras.InputSpec()) == "InputSpec()"
    spec = keras.InputSpec(dtype="float32", shape=[None, 4], name="x", axes={-1: 4})
    assert repr(spec) == "InputSpec(dtype=float32, shape=(None, 4), ndim=2, axes={-1: 4})"
    config = keras.InputSpec(ndim=2, axes={1: 3}).get_config()
    assert config == {"dtype": None, "shape": None, "ndim": 2, "max_ndim": None, "min_ndim": None,
                      "axes": {1: 3}, "optional": False}  # fmt: skip
    assert repr(keras.InputSpec.from_config(config)) == "InputSpec(ndim=2, axes={1: 3})"
    assert keras.InputSpec(dtype=np.float64).dtype == "float64"
    assert keras.InputSpec(ndim=2) != keras.InputSpec(ndim=2)  # (Keras compares identity)
    for kwargs, error, message in [
        (
            {"axes": {"a": 1}},
            TypeError,
            "Argument `axes` must be a dict with integer keys. Received: axes={'a': 1}",
        ),
        ({"ndim": 2, "axes": {2: 1}}, ValueError, "Axis 2 is greater than the maximum allowed value: 1"),
        ({"dtype": "float"}, ValueError, "Invalid dtype: float"),
        ({"shape": 4}, ValueError, "Cannot convert '4' to a shape."),
    ]:
        with pytest.raises(error) as info:
            keras.InputSpec(**kwargs)
        assert str(info.value) == message
    assert keras.DTypePolicy("float32") == layers.Dense(1).dtype_policy


def test_keras_defaults_keras_lite_keeps() -> None:
    # Keras 3.15.1: Dense autocast True, quantization_mode None, lora_enabled False, lora_rank and lora_alpha
    # None; Dropout's activity_regularizer None; a Sequential's quantization_mode None, autocast True,
    # activity_regularizer None
    d = layers.Dense(3)
    assert d.autocast is True and d.quantization_mode is None
    assert d.lora_enabled is False and d.lora_rank is None and d.lora_alpha is None
    assert d.activity_regularizer is None and layers.Dropout(0.1).activity_regularizer is None
    seq = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    assert seq.quantization_mode is None and seq.autocast is True and seq.activity_regularizer is None


# ---- review fixes (golden values from live Keras 3.15.1, TensorFlow backend) ---------------------------------


def test_outer_calls_clear_a_layers_activity_penalty() -> None:
    # Keras 3.15.1: a Sequential built with an Input around a layer called on its own lists [] (its build
    # clears the layer's penalty); after model(x) Keras lists [9.0], keras_lite [] (its core keeps no
    # per-layer penalty); a call on a KerasTensor clears it too.
    d2 = layers.Dense(1, kernel_initializer="ones", activity_regularizer=regularizers.L2(1.0))
    d2(X)
    assert _values(d2.losses) == pytest.approx([59.666668])
    m2 = keras.Sequential([keras.Input((2,)), d2])
    assert m2.losses == [] and d2.losses == []
    d2(X)
    m2(X[:1])
    assert m2.losses == [] and d2.losses == []
    d2(X)
    m2.predict(X[:1], verbose=0)  # (the one-row fast path clears it as well)
    assert m2.losses == [] and d2.losses == []
    d2(X)
    del d2, m2  # a layer that kept a penalty goes away; later calls of other models still work
    gc.collect()
    m4 = keras.Sequential([keras.Input((2,)), layers.Dense(1, kernel_initializer="ones")])
    np.testing.assert_allclose(m4.predict(X[:1], verbose=0), X[:1].sum(axis=1, keepdims=True), rtol=1e-6)
    d3 = layers.Dense(1, kernel_initializer="ones", activity_regularizer=regularizers.L2(1.0))
    d3(X)
    d3(keras.Input((2,)))
    assert d3.losses == []


def test_failed_build_keeps_the_build_config() -> None:
    # Keras 3.15.1: the layer's build to another width raises ValueError and it keeps (None, 4)
    seq = keras.Sequential([keras.Input((4,)), layers.Dense(2)])
    with pytest.raises(ValueError):
        seq.layers[0].build((None, 5))
    assert seq.layers[0].get_build_config() == {"input_shape": (None, 4)}
    assert repr(seq.layers[0].input_spec) == "InputSpec(min_ndim=2, axes={-1: 4})"


def test_flatten_keeps_its_first_build_shape() -> None:
    # Keras 3.15.1: {'input_shape': (2, 3, 2)} after calls on (2, 3, 2) then (5, 3, 2)
    fl = layers.Flatten()
    fl(np.ones((2, 3, 2)))
    fl(np.ones((5, 3, 2)))
    assert fl.get_build_config() == {"input_shape": (2, 3, 2)}


def test_single_input_model_made_with_a_list() -> None:
    # Keras 3.15.1: (None, 2) for a shape on its own and in a list
    a = keras.Input((2,))
    model = keras.Model([a], layers.Dense(2)(a))
    assert model.compute_output_shape((None, 2)) == (None, 2)
    assert model.compute_output_shape([(None, 2)]) == (None, 2)


def test_sequential_popped_empty_keeps_build_config_and_path() -> None:
    # Keras 3.15.1: {'input_shape': (None, 4)} and 'sp' once both layers are popped; built is False
    s = keras.Sequential([keras.Input((4,)), layers.Dense(3), layers.Dense(2)], name="sp")
    s.pop()
    s.pop()
    assert s.get_build_config() == {"input_shape": (None, 4)}
    assert s.path == "sp"


def test_autocast_argument_and_adapted_build_shape() -> None:
    # Keras 3.15.1: False as given, True by default; a Normalization adapted on a (10, 3) array: (10, 3)
    assert layers.Dense(2, autocast=False).autocast is False
    assert layers.Dense(2).autocast is True
    norm = layers.Normalization()
    norm.adapt(np.arange(30.0).reshape(10, 3))
    assert norm.get_build_config() == {"input_shape": (10, 3)}


@pytest.mark.parametrize(
    ("dtype", "name"),
    [
        (float, "float32"),
        (int, "int64"),
        ("int", "int64"),
        ("string", "string"),
        ("bfloat16", "bfloat16"),
        (bool, "bool"),
        (np.float16, "float16"),
        (np.dtype("int8"), "int8"),
        ("complex64", "complex64"),
    ],
)
def test_input_spec_dtype_names(dtype: object, name: str) -> None:
    # Keras 3.15.1's InputSpec(dtype=...).dtype
    assert keras.InputSpec(dtype=dtype).dtype == name


def test_input_spec_refusals_and_shapes() -> None:
    # Keras 3.15.1's results and messages
    assert keras.InputSpec(shape=(None, True)).shape == (None, 1)
    assert keras.InputSpec(shape=[None, np.int64(3)]).shape == (None, 3)
    for bad in ("float", "str", "half", 3):
        with pytest.raises(ValueError, match=f"^Invalid dtype: {bad}$"):
            keras.InputSpec(dtype=bad)
    with pytest.raises(ValueError) as info:
        keras.InputSpec(shape=(None, 2.5))
    assert str(info.value) == (
        "Cannot convert '(None, 2.5)' to a shape. Found invalid dimension '2.5' of type '<class 'float'>'. "
    )
    with pytest.raises(ValueError) as info:
        keras.InputSpec(shape=(None, -1))
    assert str(info.value) == "Cannot convert '(None, -1)' to a shape. Negative dimensions are not allowed."
    with pytest.raises(ValueError, match="^Cannot convert '5' to a shape.$"):
        keras.InputSpec(shape=5)
    with pytest.raises(TypeError) as info:
        keras.InputSpec(axes={"a": 1})
    assert str(info.value) == "Argument `axes` must be a dict with integer keys. Received: axes={'a': 1}"
    with pytest.raises(ValueError, match="^Axis 3 is greater than the maximum allowed value: 2$"):
        keras.InputSpec(ndim=0, max_ndim=3, axes={3: 3})
    assert keras.InputSpec(axes={"1": 3}).axes == {1: 3}
    spec = keras.InputSpec(shape=(None, 3), min_ndim=1, max_ndim=4, axes={1: 3}, dtype="int32")
    assert (
        repr(spec) == "InputSpec(dtype=int32, shape=(None, 3), ndim=2, max_ndim=4, min_ndim=1, axes={1: 3})"
    )
    assert keras.InputSpec(shape=(), dtype="int32").get_config() == {
        "dtype": "int32",
        "shape": (),
        "ndim": 0,
        "max_ndim": None,
        "min_ndim": None,
        "axes": {},
        "optional": False,
    }


def test_model_input_check_drops_a_last_axis_of_one() -> None:
    # Keras 3.15.1: (None, 5, 1) against an input of (None, 4): found shape=(None, 5); (None, 4, 1) passes
    a = keras.Input((4,), name="x")
    fn = keras.Model(a, layers.Dense(2)(a), name="f")
    assert fn.compute_output_shape((None, 4, 1)) == (None, 4, 2)
    with pytest.raises(ValueError) as info:
        fn.compute_output_shape((None, 5, 1))
    assert str(info.value) == (
        "Input 0 with name 'x' of layer 'f' is incompatible with the layer: expected shape=(None, 4), "
        "found shape=(None, 5)"
    )


def test_a_layer_built_on_its_own_keeps_its_bare_path() -> None:
    # Keras 3.15.1: a1 a1/kernel (built on its own, then in a Sequential built by a call), a2 a2/kernel (called
    # on arrays, then in a Sequential with an Input); q3/a3 q3/a3/kernel when the Sequential builds it
    d1 = layers.Dense(2, name="a1")
    s1 = keras.Sequential([d1], name="q")
    d1.build((None, 3))
    s1(np.ones((2, 3)))
    assert (d1.path, d1.kernel.path) == ("a1", "a1/kernel")
    d2 = layers.Dense(2, name="a2")
    d2(np.ones((2, 3)))
    keras.Sequential([keras.Input((3,)), d2], name="q2")
    assert (d2.path, d2.kernel.path) == ("a2", "a2/kernel")
    d3 = layers.Dense(2, name="a3")
    s3 = keras.Sequential([keras.Input((3,)), d3], name="q3")
    assert s3.layers == [d3]
    assert (d3.path, d3.kernel.path) == ("q3/a3", "q3/a3/kernel")
