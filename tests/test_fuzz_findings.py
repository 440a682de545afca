"""Differences from Keras 3.15.1 that this round's differential fuzzing found (random cases run through both
libraries and compared), each pinned here with Keras's printed values as goldens."""

from __future__ import annotations

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES

Y2 = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], np.float32)  # (2, 3)
P3 = np.array([[[0.2], [0.7], [0.1]], [[0.6], [0.3], [0.1]]], np.float32)  # (2, 3, 1)


@pytest.mark.parametrize("swap", [False, True])
def test_a_loss_of_n_by_k_beside_n_by_k_by_1_is_taken_over_the_k_columns(swap: bool) -> None:
    """Keras's squeeze_or_expand_to_same_rank drops the trailing 1 unless the other side is 1-D."""

    def call(loss: keras.losses.Loss, t: np.ndarray, p: np.ndarray, **kw: object) -> np.ndarray:
        # swapped: the targets carry the trailing 1 and the predictions do not
        return np.asarray(loss(t[..., None], p[..., 0], **kw) if swap else loss(t, p, **kw))

    np.testing.assert_allclose(call(keras.losses.CategoricalCrossentropy(), Y2, P3), 0.43375027, rtol=1e-6)
    np.testing.assert_allclose(
        call(keras.losses.MeanSquaredError(reduction="sum"), Y2, P3), 0.13333334, rtol=1e-6
    )
    assert call(keras.losses.MeanSquaredError(reduction="none"), Y2, P3).shape == (2,)
    assert np.shape(keras.losses.mean_squared_error(Y2, P3)) == (2,)
    weighted = call(keras.losses.MeanAbsoluteError(), Y2, P3, sample_weight=np.array([1.0, 0.0]))
    np.testing.assert_allclose(weighted, 0.1, rtol=1e-6)
    np.testing.assert_allclose(keras.losses.KLDivergence()(Y2[..., None], P3[..., 0]), 0.4337474, rtol=1e-6)


def test_a_1d_side_beside_n_by_1_is_still_expanded() -> None:
    loss = keras.losses.MeanSquaredError(reduction="none")
    assert np.shape(loss(np.zeros(4), np.ones((4, 1)))) == (4,)
    np.testing.assert_allclose(loss(np.zeros(4), np.ones((4, 1))), np.ones(4))


def test_piecewise_boundaries_take_the_steps_type() -> None:
    """An integer step truncates the boundaries (as training counts steps); a float step compares with them
    as float32, as Keras casts them to the step's dtype."""
    schedules = keras.optimizers.schedules
    pw = schedules.PiecewiseConstantDecay(boundaries=[0.5, 50.5, 100.5], values=[1.0, 0.001, 0.1, 1.0])
    steps = [0, 0.25, 0.5, 0.75, 1, 50, 50.5, 51, 100.25, 100.5, 101]
    golden = [1.0, 1.0, 1.0, 0.001, 0.001, 0.001, 0.001, 0.1, 0.1, 0.1, 1.0]
    np.testing.assert_allclose([float(pw(s)) for s in steps], golden, rtol=1e-7)
    pw3 = schedules.PiecewiseConstantDecay(boundaries=[2.5], values=[1.0, 0.5])
    got = [float(pw3(s)) for s in [0, 1, 2, 2.4, 2.5, 2.6, 3]]
    assert got == [1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5]
    assert np.asarray(pw3(np.array([0, 1, 2, 3]))).tolist() == [1.0, 1.0, 1.0, 0.5]
    assert np.asarray(pw3(np.array([2.0, 2.5, 2.75]))).tolist() == [1.0, 1.0, 0.5]
    assert [float(pw3(np.int64(2))), float(pw3(np.int64(3))), float(pw3(np.float32(2.75)))] == [1.0, 0.5, 0.5]


def test_no_thresholds_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="`thresholds` must hold at least one"):
        keras.metrics.TruePositives(thresholds=[])


def _dense_json_edits() -> dict[str, object]:
    def dense(c: dict) -> dict:  # type: ignore[type-arg]
        return c["config"]["layers"][-1]["config"]  # type: ignore[no-any-return]

    return {
        "class name a list": lambda c: dense(c)["kernel_initializer"].__setitem__(
            "class_name", ["GlorotUniform"]
        ),
        "class name a dict": lambda c: dense(c)["kernel_initializer"].__setitem__("class_name", {"a": 1}),
        "initializer config a string": lambda c: dense(c)["kernel_initializer"].__setitem__("config", "x"),
        "initializer config an int": lambda c: dense(c)["kernel_initializer"].__setitem__("config", 5),
        "layer dtype config a string": lambda c: dense(c)["dtype"].__setitem__("config", "float32"),
        "model dtype config a list": lambda c: c["config"]["dtype"].__setitem__("config", ["float32"]),
    }


@pytest.mark.parametrize("edit", sorted(_dense_json_edits()))
@pytest.mark.parametrize("entry", ["model_from_json", "from_config", "deserialize_keras_object"])
def test_a_config_field_of_the_wrong_type_raises_a_type_error_that_is_a_value_error(
    edit: str, entry: str
) -> None:
    """Keras raises TypeError ("could not be deserialized properly") for most of these; keras_lite's readers
    promise a ValueError: the error is both, and names what was read, never a bare AttributeError."""
    import copy
    import json

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    tree = copy.deepcopy(json.loads(model.to_json()))
    _dense_json_edits()[edit](tree)  # type: ignore[operator]
    calls = {
        "model_from_json": lambda: keras.models.model_from_json(json.dumps(tree)),
        "from_config": lambda: keras.Sequential.from_config(tree["config"]),
        "deserialize_keras_object": lambda: keras.saving.deserialize_keras_object(tree),
    }
    with pytest.raises(TypeError) as info:
        calls[entry]()
    assert isinstance(info.value, ValueError) and "Cannot read" in str(info.value)


def test_an_unknown_class_in_a_serialized_dict_is_a_type_error_and_a_format_error() -> None:
    with pytest.raises(TypeError, match="Could not locate class 'Nope'") as info:
        keras.saving.deserialize_keras_object({"class_name": "Nope", "config": {}, "module": "mine"})
    assert isinstance(info.value, ValueError)


def test_a_weight_of_no_axes_reads_as_a_numpy_scalar() -> None:
    """Keras's ``variable.numpy()`` of a 0-d weight (Normalization's ``axis=None`` statistics) is a NumPy
    scalar, in ``get_weights()`` of the layer and the model too."""
    norm = keras.layers.Normalization(axis=None)
    norm.adapt(np.array([1.0, 2.0, 3.0, 4.0]))
    model = keras.Sequential([keras.Input((1,)), norm, keras.layers.Dense(1)])
    kinds = [(type(w), np.shape(w)) for w in model.get_weights()]
    assert kinds[:3] == [(np.float32, ()), (np.float32, ()), (np.int64, ())]
    assert all(type(w) is np.ndarray for w in model.get_weights()[3:])
    assert [type(w) for w in norm.get_weights()] == [np.float32, np.float32, np.int64]
    assert type(norm.count.numpy()) is np.int64 and int(norm.count.numpy()) == 0  # (Keras's adapt leaves it)
    assert [w.tolist() for w in norm.get_weights()] == [2.5, 1.25, 0]


def test_the_bar_of_evaluate_and_predict_ends_at_the_steps_given(capsys: pytest.CaptureFixture[str]) -> None:
    """Keras's bar ends at ``steps`` even where the arrays ran out before (with its warning)."""
    x = np.arange(30, dtype=np.float32).reshape(10, 3) / 10
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, kernel_initializer="ones")])
    model.compile("sgd", "mse")
    with pytest.warns(UserWarning, match="ran out of data"):
        model.evaluate(x, x.sum(axis=1), batch_size=32, steps=2, verbose=2)
    with pytest.warns(UserWarning, match="ran out of data"):
        assert model.predict(x, batch_size=32, steps=3, verbose=2).shape == (10, 1)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" ")[0] for line in lines] == ["2/2", "3/3"]


def test_load_weights_skips_another_models_optimizer_state_before_the_first_step(tmp_path: object) -> None:
    """A file whose optimizer slots have other shapes (another model's, as many of them) is loaded without
    them into an optimizer that never stepped, with Keras's warning; Keras's unbuilt optimizer skips them."""
    x = np.random.default_rng(0).normal(size=(8, 4)).astype(np.float32)
    a = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, trainable=False), keras.layers.Dense(2)])
    a.compile("adam", "mse")
    a.fit(x, np.ones((8, 2), np.float32), verbose=0)
    path = f"{tmp_path}/a.weights.h5"
    a.save_weights(path)
    b = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    b.compile("adam", "mse")
    with pytest.warns(UserWarning, match="because it has 2 variables whereas the saved optimizer has 6"):
        b.load_weights(path)
    np.testing.assert_array_equal(b.get_weights()[0], a.get_weights()[0])
    assert int(b.optimizer.iterations) == 0


def test_a_serialized_input_layer_deserializes() -> None:
    inp = keras.Input((3,), name="feat")
    model = keras.Model(inp, keras.layers.Dense(1)(inp))
    back = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(model.layers[0]))
    assert type(back).__name__ == "InputLayer" and back.name == "feat"
    assert back.get_config()["batch_shape"] == (None, 3)


def test_an_input_layer_a_sequential_makes_is_named_as_keras_names_it() -> None:
    """Keras names the InputLayer a Sequential without an Input makes when it is built with the next free
    ``input_layer_N``, which its config, JSON and files then show."""
    keras.Input((3,))  # takes "input_layer" (or a later one)
    model = keras.Sequential([keras.layers.Dense(1)])
    model.build((None, 3))
    name = model.get_config()["layers"][0]["config"]["name"]
    assert name.startswith("input_layer_")
    inner = keras.Sequential([keras.layers.Dense(2)], name="inner")
    outer = keras.Sequential([keras.Input((3,)), inner, keras.layers.Dense(1)])
    names = [item["config"]["name"] for item in outer.get_config()["layers"][1]["config"]["layers"]]
    assert (
        names[0].startswith("input_layer_") and names[0] != outer.get_config()["layers"][0]["config"]["name"]
    )


def test_a_layer_adapted_on_its_own_keeps_its_build_shape_in_a_models_config(tmp_path: object) -> None:
    """Keras's model config holds each layer's own build config: the adapted data's shape for a Normalization
    adapted before the model took it, kept through a save and a load."""
    x = np.random.default_rng(0).normal(size=(21, 3)).astype(np.float32)
    norm = keras.layers.Normalization()
    norm.adapt(x)
    model = keras.Sequential([keras.Input((3,)), norm, keras.layers.Dense(1)])
    built = [item.get("build_config") for item in model.get_config()["layers"]]
    assert built == [None, {"input_shape": (21, 3)}, {"input_shape": (None, 3)}]
    model.save(f"{tmp_path}/m.keras")
    again = keras.models.load_model(f"{tmp_path}/m.keras")
    assert [item.get("build_config") for item in again.get_config()["layers"]] == built
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("which", ["bias", "kernel"])
def test_a_constraint_axis_out_of_its_weights_range_refuses_the_fit(device: str, which: str) -> None:
    """Keras fails at the first step; keras_lite's fit refuses it before training, naming the argument (it
    trained without the constraint before). Prediction, which applies no constraint, works as in Keras."""
    axis = 1 if which == "bias" else 2
    constraint = {f"{which}_constraint": keras.constraints.UnitNorm(axis=axis)}
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, **constraint)], device=device)
    model.compile(keras.optimizers.SGD(0.01), "mse")
    before = model.get_weights()
    with pytest.raises(ValueError, match=f"{which}_constraint cannot apply: .*axis={axis} is out of range"):
        model.fit(np.ones((4, 2)), np.ones((4, 2)), verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    assert model.predict(np.ones((1, 2)), verbose=0).shape == (1, 2)
    model.layers[0].trainable = False  # a frozen layer's constraint is never applied: it trains (nothing)
    with pytest.warns(UserWarning, match="does not have any trainable weights"):
        model.fit(np.ones((4, 2)), np.ones((4, 2)), verbose=0)


def test_a_model_of_one_output_in_a_list_takes_a_loss_or_metrics_dict() -> None:
    """Keras 3.15.1 prints {'loss': 2.0, 'mse': 4.0} for this fit; a wrong key is its ValueError."""
    a = keras.Input((3,), name="a")
    model = keras.Model(a, [keras.layers.Dense(2, name="head", kernel_initializer="ones")(a)])
    model.compile("sgd", {"head": "mae"}, metrics={"head": ["mse"]})
    history = model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0, shuffle=False).history
    assert {k: round(v[0], 5) for k, v in history.items()} == {"loss": 2.0, "mse": 4.0}
    with pytest.raises(ValueError, match="keyed by output name"):
        model.compile("sgd", {"out": "mae"})


def test_compute_output_shape_through_a_model_built_on_a_dict() -> None:
    """Keras's shapes: (None, 1) for the outer graph however the inner model was called, (None, 3) for the
    inner one on a dict; a missing key is Keras's ValueError."""
    for call in ("tensor", "list", "dict"):
        i = keras.Input((2,), name="i")
        sub = keras.Model({"i": i}, keras.layers.Dense(3)(i), name="sub")
        a = keras.Input((2,))
        y = sub({"i": a} if call == "dict" else [a] if call == "list" else a)
        outer = keras.Model(a, keras.layers.Dense(1)(y))
        assert outer.compute_output_shape((None, 2)) == (None, 1), call
    assert sub.compute_output_shape({"i": (None, 2)}) == (None, 3)
    with pytest.raises(ValueError, match='Missing data for input "i"'):
        sub.compute_output_shape({"k": (None, 2)})
    z, w = keras.Input((3,), name="zeta"), keras.Input((2,), name="alpha")
    listed = keras.Model([z, w], keras.layers.Concatenate()([z, w]))
    assert listed.compute_output_shape({"zeta": (None, 3), "alpha": (None, 2)}) == (None, 5)


@pytest.mark.parametrize("op", ["2 / x", "x // 2", "x % 2", "abs(x)", "x > 0", "x <= 1", "2 ** x"])
def test_operators_keras_builds_and_keras_lite_lacks_are_refused_by_name(op: str) -> None:
    x = keras.Input((3,))
    with pytest.raises(keras.NotSupportedError, match="on symbolic tensors"):
        eval(op, {"x": x})


def test_unary_plus_on_a_tensor_is_the_tensor() -> None:
    x = keras.Input((3,))
    model = keras.Model(x, +x)
    data = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(model.predict(data, verbose=0), data)


def test_early_stopping_takes_a_whole_float_patience_and_a_0d_baseline() -> None:
    """Keras 3.15.1 runs 3 epochs and stops at epoch 2 with patience=2.0 or start_from_epoch=1.0 here."""
    x = np.linspace(-1, 1, 32).reshape(16, 2).astype(np.float32)
    for kw in ({"patience": 2.0}, {"start_from_epoch": 1.0}):
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="zeros")])
        model.compile(keras.optimizers.SGD(0.01), "mse")
        stop = keras.callbacks.EarlyStopping(monitor="loss", min_delta=1.0, **kw)
        history = model.fit(
            x, x.sum(1, keepdims=True), epochs=6, batch_size=8, shuffle=False, verbose=0, callbacks=[stop]
        )
        assert (len(history.epoch), stop.stopped_epoch) == (3, 2), kw
    assert keras.callbacks.EarlyStopping(baseline=np.array(5.0)).baseline == 5.0
    with pytest.raises(ValueError, match="`patience` must be a non-negative integer"):
        keras.callbacks.EarlyStopping(patience=1.5)


def test_a_checkpoint_that_never_saves_leaves_no_folder(tmp_path: object) -> None:
    """Keras makes a checkpoint's folder when it first saves; a path that cannot be written is still refused
    before training."""
    import os

    x = np.ones((8, 2), np.float32)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    callbacks = [
        keras.callbacks.ModelCheckpoint(
            f"{tmp_path}/ckpt/best.keras", monitor="loss", save_best_only=True, initial_value_threshold=0.0
        ),
        keras.callbacks.BackupAndRestore(f"{tmp_path}/backup", save_freq=100, delete_checkpoint=False),
    ]
    model.fit(x, x[:, :1], epochs=2, verbose=0, callbacks=callbacks)
    assert os.listdir(str(tmp_path)) == []
    saving = keras.callbacks.ModelCheckpoint(f"{tmp_path}/deep/er/m.keras")
    model.fit(x, x[:, :1], epochs=1, verbose=0, callbacks=[saving])
    assert os.listdir(f"{tmp_path}/deep/er") == ["m.keras"]


def test_normalization_statistics_take_the_rank_of_the_data_adapted_on(tmp_path: object) -> None:
    """Keras 3.15.1's shapes of ``mean`` after adapt, and after a save and a load of a model holding the layer."""
    cases = [
        (None, np.arange(4.0), (1,)),
        (None, np.arange(8.0).reshape(4, 2), (1, 1)),
        (-1, np.arange(8.0).reshape(4, 2), (1, 2)),
        (-1, np.arange(4.0), (4,)),
        (-1, np.arange(4.0).reshape(4, 1), (1, 1)),
    ]
    for axis, data, shape in cases:
        norm = keras.layers.Normalization(axis=axis)
        norm.adapt(data)
        assert np.shape(norm.mean) == np.shape(norm.variance) == shape, (axis, data.shape)
    hp = np.array([130.0, 165.0, 150.0, 95.0])
    norm = keras.layers.Normalization(axis=None)
    norm.adapt(hp)
    model = keras.Sequential([keras.Input((1,)), norm, keras.layers.Dense(1)])
    assert model.get_config()["layers"][1]["build_config"] == {"input_shape": (4,)}
    model.save(f"{tmp_path}/m.keras")
    again = keras.models.load_model(f"{tmp_path}/m.keras")
    assert np.shape(again.layers[0].mean) == (1,)
    np.testing.assert_allclose(again.predict(hp, verbose=0), model.predict(hp, verbose=0), rtol=1e-6)
