"""keras.saving's custom-object registry: ``register_keras_serializable``, ``get_custom_objects``,
``custom_object_scope``, the name lookups, and ``serialize_keras_object``/``deserialize_keras_object``, checked
against Keras 3.15.1's behaviour (goldens from a live run) and through files both libraries wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from test_schedules_custom import Warmup  # noqa: E402

S = keras.saving
HERE = os.path.dirname(__file__)
FIXTURE = os.path.join(HERE, "fixtures", "custom_schedule")


@S.register_keras_serializable(package="fixtures")
class Registered(Warmup):
    """The fixture's registered schedule (``make_custom_schedule_fixture.py``), under the same name."""


@S.register_keras_serializable(package="tests", name="halved")
def halved(x: Any) -> Any:
    return x / 2


def test_registering_names_a_class_or_function_package_then_name() -> None:
    assert S.get_registered_name(Registered) == "fixtures>Registered"
    assert S.get_registered_name(halved) == "tests>halved"
    assert S.get_registered_name(Warmup) == "Warmup"  # not registered: its own name
    assert S.get_registered_object("fixtures>Registered") is Registered
    assert S.get_registered_object("Registered") is None
    assert S.get_custom_objects()["tests>halved"] is halved
    assert keras.utils.register_keras_serializable is S.register_keras_serializable
    with pytest.raises(ValueError, match=r"get_config\(\)"):

        @S.register_keras_serializable()
        class NoConfig:
            pass


def test_the_registry_is_live_and_scopes_nest() -> None:
    objects = S.get_custom_objects()
    objects["tests>Extra"] = Warmup
    try:
        assert S.get_registered_object("tests>Extra") is Warmup
    finally:
        del objects["tests>Extra"]
    assert S.get_registered_object("tests>Extra") is None
    # The scope first, then the registry, then the arguments, as in Keras.
    assert S.get_registered_object("a", custom_objects={"a": 3}, module_objects={"a": 4}) == 3
    assert S.get_registered_object("a", module_objects={"a": 4}) == 4
    with S.CustomObjectScope({"a": 5}) as scope:
        assert isinstance(scope, S.CustomObjectScope)
        with keras.utils.custom_object_scope({"a": 6}):
            assert S.get_registered_object("a", custom_objects={"a": 3}) == 6
        assert S.get_registered_object("a") == 5
    assert S.get_registered_object("a") is None
    with pytest.raises(TypeError, match="custom_objects"):
        S.custom_object_scope([("a", 1)])


def _resumes_as_keras(model: Any, golden: dict[str, Any]) -> None:
    data = json.load(open(os.path.join(FIXTURE, "warmup.json")))
    x, y = np.asarray(data["x"], np.float32), np.asarray(data["y"], np.float32)
    assert model.optimizer.iterations == golden["iterations"]
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    np.testing.assert_allclose(history.history["loss"][0], golden["resume_loss"], rtol=2e-5)
    for got, want in zip(model.get_weights(), golden["resume_weights"]):
        np.testing.assert_allclose(got, np.asarray(want, np.float32), rtol=1e-4, atol=1e-6)


def test_a_keras_file_naming_a_registered_schedule_loads_without_custom_objects() -> None:
    golden = json.load(open(os.path.join(FIXTURE, "warmup_registered.json")))
    model = keras.models.load_model(os.path.join(FIXTURE, "warmup_registered.keras"))
    assert type(model.optimizer._schedule) is Registered
    _resumes_as_keras(model, golden)


def test_an_unregistered_schedule_loads_inside_a_custom_object_scope() -> None:
    path = os.path.join(FIXTURE, "warmup.keras")
    with pytest.raises(ValueError, match="register_keras_serializable"):
        keras.models.load_model(path)
    with S.custom_object_scope({"Warmup": Warmup}):
        model = keras.models.load_model(path)
    assert type(model.optimizer._schedule) is Warmup
    _resumes_as_keras(model, json.load(open(os.path.join(FIXTURE, "warmup.json"))))


def test_our_file_names_the_registered_class_and_a_fresh_process_loads_it(tmp_path: Any) -> None:
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(Registered(0.05, 6)), "mse")
    model.fit(np.ones((8, 3), np.float32), np.ones(8, np.float32), verbose=0)
    path = str(tmp_path / "m.keras")
    model.save(path)
    config = json.loads(zipfile.ZipFile(path).read("config.json"))
    entry = config["compile_config"]["optimizer"]["config"]["learning_rate"]
    assert entry == {
        "module": "test_registration",
        "class_name": "Registered",
        "config": {"peak": 0.05, "warmup_steps": 6},
        "registered_name": "fixtures>Registered",
    }
    # Another process registers its own class under that name, as a script that imports it would.
    script = textwrap.dedent(
        f"""
        import numpy as np, keras_lite as keras
        @keras.saving.register_keras_serializable(package="fixtures")
        class Registered(keras.optimizers.schedules.LearningRateSchedule):
            def __init__(self, peak, warmup_steps):
                self.peak, self.warmup_steps = peak, warmup_steps
            def __call__(self, step):
                return self.peak
            def get_config(self):
                return {{"peak": self.peak, "warmup_steps": self.warmup_steps}}
        m = keras.models.load_model({path!r})
        print(type(m.optimizer._schedule).__name__, m.optimizer._schedule.peak, int(m.optimizer.iterations))
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["Registered", "0.05", "1"]


def test_model_from_json_and_from_config_take_custom_objects() -> None:
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(Warmup(0.05, 6)), "mse")
    with pytest.raises(ValueError, match="custom_objects"):
        keras.models.model_from_json(model.to_json())
    copy = keras.models.model_from_json(model.to_json(), custom_objects={"Warmup": Warmup})
    assert type(copy.optimizer._schedule) is Warmup and copy.optimizer._schedule.peak == 0.05
    assert keras.Sequential.from_config(model.get_config(), custom_objects={"Warmup": Warmup}).built


# Keras 3.15.1's serialize_keras_object of each object (a live run), which keras_lite's equals.
KERAS_SERIALIZED = [
    (
        lambda: keras.losses.MeanSquaredError(),
        {
            "module": "keras.losses",
            "class_name": "MeanSquaredError",
            "config": {"name": "mean_squared_error", "reduction": "sum_over_batch_size"},
            "registered_name": None,
        },
    ),
    (
        lambda: keras.regularizers.L2(0.1),
        {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.1}, "registered_name": None},
    ),
    (
        lambda: keras.constraints.MaxNorm(2.0),
        {
            "module": "keras.constraints",
            "class_name": "MaxNorm",
            "config": {"max_value": 2.0, "axis": 0},
            "registered_name": None,
        },
    ),
    (
        lambda: keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9),
        {
            "module": "keras.optimizers.schedules",
            "class_name": "ExponentialDecay",
            "config": {
                "initial_learning_rate": 0.1,
                "decay_steps": 10,
                "decay_rate": 0.9,
                "staircase": False,
                "name": "ExponentialDecay",
            },
            "registered_name": None,
        },
    ),
    (
        lambda: keras.initializers.HeNormal(),
        {
            "module": "keras.initializers",
            "class_name": "HeNormal",
            "config": {"seed": None, "input_axes": None, "output_axes": None},
            "registered_name": None,
        },
    ),
    (
        lambda: keras.activations.relu,
        {"module": "builtins", "class_name": "function", "config": "relu", "registered_name": "function"},
    ),
    (
        lambda: halved,
        {
            "module": "builtins",
            "class_name": "function",
            "config": "tests>halved",
            "registered_name": "function",
        },
    ),
    (
        lambda: Registered(0.5, 2),
        {
            "module": "test_registration",
            "class_name": "Registered",
            "config": {"peak": 0.5, "warmup_steps": 2},
            "registered_name": "fixtures>Registered",
        },
    ),
]


@pytest.mark.parametrize("make, want", KERAS_SERIALIZED)
def test_serialize_keras_object_writes_as_keras_and_reads_back(make: Any, want: dict[str, Any]) -> None:
    obj = make()
    assert S.serialize_keras_object(obj) == want
    back = S.deserialize_keras_object(want)
    if callable(obj) and not hasattr(obj, "get_config"):
        assert back is obj
    else:
        assert type(back) is type(obj) and back.get_config() == obj.get_config()


def test_serialize_keras_object_covers_layers_models_metrics_and_plain_values() -> None:
    for value in ("x", 3, 1.5, None, True):
        assert S.serialize_keras_object(value) == value and S.deserialize_keras_object(value) == value
    assert S.serialize_keras_object([keras.regularizers.L1(0.5), 2]) == [
        {"module": "keras.regularizers", "class_name": "L1", "config": {"l1": 0.5}, "registered_name": None},
        2,
    ]
    dense = keras.layers.Dense(2, activation="relu", name="d")
    back = S.deserialize_keras_object(S.serialize_keras_object(dense))
    assert isinstance(back, keras.layers.Dense) and back.get_config() == dense.get_config()
    auc = S.deserialize_keras_object(S.serialize_keras_object(keras.metrics.AUC(num_thresholds=7)))
    assert isinstance(auc, keras.metrics.AUC) and auc.num_thresholds == 7
    adam = S.deserialize_keras_object(S.serialize_keras_object(keras.optimizers.Adam(0.01)))
    assert isinstance(adam, keras.optimizers.Adam) and float(adam.learning_rate) == pytest.approx(0.01)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile("sgd", "mse")
    copy = S.deserialize_keras_object(S.serialize_keras_object(model))
    assert isinstance(copy, keras.Sequential) and copy.compiled and copy.count_params() == 8
    assert (
        S.deserialize_keras_object({"class_name": "Halved", "config": {}}, custom_objects={"Halved": dict})
        == {}
    )


def test_what_cannot_be_found_or_written_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="register_keras_serializable"):
        S.deserialize_keras_object(
            {"module": None, "class_name": "Nope", "config": {}, "registered_name": "Nope"}
        )
    with pytest.raises(TypeError, match="Nope"):
        S.deserialize_keras_object(
            {"class_name": "function", "config": "Nope", "registered_name": "function"}
        )
    with pytest.raises(TypeError, match="get_config"):
        S.serialize_keras_object(object())


def test_a_registered_initializer_and_metric_are_written_and_found() -> None:
    @S.register_keras_serializable(package="tests")
    class Fives(keras.initializers.Initializer):
        def __call__(self, shape: Any, dtype: Any = None) -> Any:
            return np.full(shape, 5.0, np.float32)

        def get_config(self) -> dict[str, Any]:
            return {}

    written = keras.initializers.serialize(Fives())
    assert written["registered_name"] == "tests>Fives" and written["class_name"] == "Fives"
    assert isinstance(keras.initializers.deserialize(written), Fives)
    layer = keras.layers.Dense(2, kernel_initializer=Fives())
    model = keras.Sequential([keras.Input((3,)), layer])
    copy = keras.Sequential.from_config(model.get_config())
    np.testing.assert_array_equal(copy.layers[0].get_weights()[0], np.full((3, 2), 5.0, np.float32))

    @S.register_keras_serializable(package="tests")
    class Count(keras.metrics.Metric):
        def __init__(self, name: str = "count", **kwargs: Any) -> None:
            super().__init__(name=name, **kwargs)
            self.n = self.add_weight(name="n", initializer="zeros")

        def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
            self.n.assign_add(float(len(y_true)))

        def result(self) -> Any:
            return self.n

    written = keras.metrics.serialize(Count())
    assert written["module"] == "test_registration" and written["registered_name"] == "tests>Count"
    assert isinstance(keras.metrics.deserialize(written), Count)
