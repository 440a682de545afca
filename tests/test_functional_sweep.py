"""Functional-API, nesting and saving differences a randomized sweep against Keras 3.15.1 (TensorFlow backend)
found, each pinned with the values that Keras run gave."""

from __future__ import annotations

import json

import numpy as np

import keras_lite as keras

L = keras.layers


def _next_functional_name() -> str:
    a = keras.Input(shape=(3,))
    return keras.Model(a, L.Dense(1)(a)).name


def test_a_built_sequential_takes_a_functional_name_as_keras_does() -> None:
    # Keras 3.15.1 builds a Sequential as a Functional model of its layers, which takes the next automatic
    # "functional" name: a Functional model made after a built Sequential is "functional_1" (its summary and
    # config say so). Keras's run: after Sequential([Input, Dense, Dense]) the next is "functional_1"; after an
    # Input-only Sequential (not built) "functional"; after Sequential([Input]) + add + add + pop (three builds)
    # "functional_3"; after a Sequential saved and loaded again "functional_2". keras_lite gave "functional".
    keras.backend.clear_session()
    keras.Sequential([keras.Input(shape=(3,)), L.Dense(2), L.Dense(1)])
    assert _next_functional_name() == "functional_1"

    keras.backend.clear_session()
    keras.Sequential([keras.Input(shape=(3,))])
    assert _next_functional_name() == "functional"

    keras.backend.clear_session()
    model = keras.Sequential([keras.Input(shape=(3,))])
    model.add(L.Dense(2))
    model.add(L.Dense(1))
    model.pop()
    assert _next_functional_name() == "functional_3"


def test_a_built_sequential_before_a_functional_model_shows_in_its_summary(tmp_path) -> None:
    # Keras 3.15.1: the summary of a Functional model made after a Sequential and a save/load of it starts
    # 'Model: "functional_2"'.
    keras.backend.clear_session()
    seq = keras.Sequential([keras.Input(shape=(3,)), L.Dense(2)])
    seq.save(tmp_path / "s.keras")
    keras.models.load_model(tmp_path / "s.keras")
    a = keras.Input(shape=(3,))
    model = keras.Model(a, L.Dense(1)(a))
    lines: list[str] = []
    model.summary(print_fn=lambda s, **_: lines.append(s))
    assert "\n".join(lines).splitlines()[0].strip() == 'Model: "functional_2"'


def test_a_model_called_on_tensors_gives_its_output_in_the_structure_it_was_built_with() -> None:
    # Keras 3.15.1: a Functional model built with outputs=[o] gives a list of one KerasTensor when called on a
    # KerasTensor (so `inner(t)[0]` works), one built with outputs={"k": o} a dict; a model of that list keeps
    # it in its config, whose output_layers name node 1 of the nested Functional model: [["inner", 1, 0]].
    # Called on arrays it still gives one array. keras_lite gave a bare KerasTensor and ["inner", 0, 0].
    keras.backend.clear_session()
    a = keras.Input(shape=(3,), name="a")
    inner = keras.Model(a, [L.Dense(2, name="o")(a)], name="inner")
    n = keras.Input(shape=(3,))
    y = inner(n)
    assert isinstance(y, list) and len(y) == 1 and isinstance(y[0], keras.KerasTensor)
    model = keras.Model(n, y)
    assert json.loads(model.to_json())["config"]["output_layers"] == [["inner", 1, 0]]
    assert isinstance(model.predict(np.zeros((2, 3), np.float32), verbose=0), np.ndarray)

    b = keras.Input(shape=(3,), name="b")
    keyed = keras.Model(b, {"k": L.Dense(2, name="o2")(b)}, name="keyed")
    out = keyed(keras.Input(shape=(3,)))
    assert isinstance(out, dict) and list(out) == ["k"]


def test_a_model_of_a_nested_list_built_model_round_trips_its_config() -> None:
    # Such a model's config reads back, the nested model's output read as the one tensor the file names
    # (["inner", 0, 0]) where a Concatenate takes it: the same predictions.
    keras.backend.clear_session()
    a = keras.Input(shape=(3,), name="a")
    inner = keras.Model(a, [L.Dense(2, name="o")(a)], name="inner")
    n = keras.Input(shape=(3,))
    model = keras.Model(n, L.Dense(1, name="head")(L.Concatenate(name="cat")([inner(n)[0], n])))
    x = np.arange(12, dtype=np.float32).reshape(4, 3) / 10
    again = keras.Model.from_config(model.get_config())
    again.set_weights(model.get_weights())
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_the_config_records_the_call_arguments_keras_records() -> None:
    # Keras 3.15.1 records in each inbound node the defaults of the call arguments a layer's call has: training
    # False for Dropout and the noise layers, a mask of None for Softmax, BatchNormalization and a nested model
    # (one per input: a list for a model called on a list, a dict for one called by names). keras_lite wrote {}.
    keras.backend.clear_session()
    x = keras.Input(shape=(3,), name="x")
    seq = keras.Sequential([keras.Input(shape=(3,)), L.Dense(2)], name="seq")
    p, q = keras.Input(shape=(2,), name="p"), keras.Input(shape=(3,), name="q")
    pair = keras.Model([p, q], L.Concatenate(name="pq")([p, q]), name="pair")
    p2, q2 = keras.Input(shape=(5,), name="p2"), keras.Input(shape=(3,), name="q2")
    named = keras.Model(
        {"p2": p2, "q2": q2}, L.Dense(2, name="d2")(L.Concatenate(name="pq2")([p2, q2])), name="named"
    )
    d = L.Dropout(0.5, name="drop")(x)
    g = L.GaussianDropout(0.1, name="gd")(d)
    n = L.GaussianNoise(0.1, name="noise")(g)
    s = L.Softmax(name="soft")(n)
    b = L.BatchNormalization(name="bn")(s)
    h = L.Dense(3, name="dense")(seq(b))
    o = named({"p2": pair([L.Dense(2, name="two")(h), x]), "q2": x})
    cfg = json.loads(keras.Model(x, o, name="m").to_json())["config"]
    kwargs = {
        layer["name"]: layer["inbound_nodes"][0]["kwargs"]
        for layer in cfg["layers"]
        if layer["inbound_nodes"]
    }
    assert kwargs == {
        "drop": {"training": False},
        "gd": {"training": False},
        "noise": {"training": False},
        "soft": {"mask": None},
        "bn": {"mask": None},
        "seq": {"mask": None},
        "dense": {},
        "two": {},
        "pair": {"mask": [None, None]},
        "named": {"mask": {"p2": None, "q2": None}},
    }
    assert cfg["output_layers"] == ["named", 1, 0]
    # and it reads back
    again = keras.models.model_from_json(json.dumps({**json.loads(keras.Model(x, o, name="m2").to_json())}))
    assert [layer.name for layer in again.layers][-1] == "named"
