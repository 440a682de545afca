"""Functional-API, nesting and saving differences a randomized sweep against Keras 3.15.1 (TensorFlow backend)
found, each pinned with the values that Keras run gave."""

from __future__ import annotations

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
