"""Files that travel between keras_lite and Keras 3.15.1, and training that goes on after the load: a sweep of
the cases in ``tests/fixtures/saveload_sweep/cases.py`` (Sequential and Functional models of every layer class
with non-default arguments, uncompiled or compiled with every optimizer, often on a learning-rate schedule,
losses and metrics by name and as objects) through ``.keras``, ``.weights.h5``, legacy ``.h5`` and
``to_json``/``model_from_json``.

keras_lite -> Keras: keras_lite trains each case and writes its files; the goldens are what Keras 3.15.1
predicted on them and the weights it reached training one more epoch from them (so the optimizer's step
count, moments and momentum travelled). keras_lite loads its own files here and must reach the same numbers.
Keras -> keras_lite: Keras's own files for some cases (``k_<case>.<format>``) load here and resume to
Keras's weights. Both made by ``make_saveload_sweep.py`` there (it needs Keras).
"""

from __future__ import annotations

import importlib.util
import json
import warnings
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest

import keras_lite as keras

FIXTURES = Path(__file__).parent / "fixtures" / "saveload_sweep"
_spec = importlib.util.spec_from_file_location("saveload_sweep_cases", FIXTURES / "cases.py")
assert _spec is not None and _spec.loader is not None
cases: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)

# Float32 training in two libraries: 1e-5 relative, and an absolute floor for values near zero.
RTOL, ATOL = 1e-5, 1e-6


def _golden(file: str) -> tuple[Any, dict[str, int]]:
    # What Keras 3.15.1 computed: a float32 vector per key (cases.flat) and the step counts.
    data = np.load(FIXTURES / file)
    return data, json.loads(str(data["steps"]))


def _check(got: tuple[np.ndarray, int], want: np.ndarray, want_steps: int) -> None:
    vector, steps = got
    assert steps == want_steps
    assert vector.shape == want.shape
    np.testing.assert_allclose(vector, want, rtol=RTOL, atol=ATOL)


@pytest.fixture(scope="module")
def lite_files(tmp_path_factory: Any) -> tuple[Path, dict[str, list[np.ndarray]]]:
    """Every keras_lite case trained and written once (the files Keras read for the goldens)."""
    folder = tmp_path_factory.mktemp("saveload_sweep")
    saved = {case[0]: cases.train_and_save(keras, case, str(folder / case[0])) for case in cases.LITE_CASES}
    return folder, saved


def test_the_sweep_covers_the_cross_product() -> None:
    kinds = {case[1] for case in cases.CASES}
    optimizers = {case[2] for case in cases.CASES}
    built = [cases.build(keras, kind) for kind in kinds - {"seq:disc_adapt"}]
    layer_classes = {type(layer).__name__ for model in built for layer in model.layers}
    assert len(cases.LITE_CASES) * len(cases.FORMATS) >= 200
    assert {"Sequential", "Functional"} == {type(model).__name__ for model in built}
    # every exported layer class but InputLayer's own wrappers, and every optimizer class keras_lite has
    exported = set(keras.layers.__all__) - {"Input", "InputLayer", "InputSpec", "KerasTensor", "Layer"}
    assert {name for name in exported if name[0].isupper()} <= layer_classes | {"Concatenate", "Add"}
    made = {type(cases.opt(keras, o)()).__name__ for o in optimizers if o != "none"}
    assert made == {"SGD", "RMSprop", "Adam", "AdamW", "Adamax", "Nadam", "Adagrad", "Adadelta", "Lion"}


@pytest.mark.parametrize("fmt", cases.FORMATS)
@pytest.mark.parametrize("case", cases.LITE_CASES, ids=[c[0] for c in cases.LITE_CASES])
def test_a_keras_lite_file_resumes_as_keras_resumed_it(
    lite_files: tuple[Path, dict[str, list[np.ndarray]]], case: tuple[str, str, str, str], fmt: str
) -> None:
    folder, saved = lite_files
    name = case[0]
    golden_fmt = fmt
    if fmt == "h5" and case[2] != "none":
        # Keras 3.15.1 cannot resume from a legacy file ("Unknown variable"); keras_lite resumes from it with
        # the optimizer state it holds, to the weights Keras reached from the same state in a .keras file.
        golden_fmt = "keras"
    want, steps = _golden(f"keras_read_lite_{golden_fmt.replace('.', '_')}.npz")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the legacy format's own warning
        got = cases.flat(cases.resume(keras, case, str(folder / name), fmt, saved[name]))
    if fmt == "json" and case[1] == "seq:norm":
        # Keras 3.15.1's set_weights leaves an adapted Normalization normalizing with the statistics it had
        # (here the defaults, 0 and 1: a known difference); keras_lite takes the weights it is given, so it
        # predicts what Keras predicted from the .keras file, which restores them.
        want, _ = _golden("keras_read_lite_keras.npz")
        size = np.asarray(cases.probe(case[1])).shape[0]
        np.testing.assert_allclose(got[0][:size], want[name][:size], rtol=RTOL, atol=ATOL)
        return
    _check(got, want[name], steps[name])


KERAS_FILES = [(name, fmt) for name, formats in cases.KERAS_FILE_CASES.items() for fmt in formats]


@pytest.mark.parametrize(("name", "fmt"), KERAS_FILES, ids=[f"{n}.{f}" for n, f in KERAS_FILES])
def test_a_keras_file_resumes_in_keras_lite_as_in_keras(name: str, fmt: str) -> None:
    case = {c[0]: c for c in cases.CASES}[name]
    want, steps = _golden("keras_files.npz")
    flat_saved = want[f"{name}/saved"]
    shapes = (
        [np.shape(w) for w in cases.build(keras, case[1]).get_weights()]
        if case[1] != "seq:disc_adapt"
        else []
    )
    sizes = np.cumsum([int(np.prod(s)) for s in shapes])[:-1] if shapes else []
    saved = [part.reshape(s) for part, s in zip(np.split(flat_saved, sizes), shapes)]
    golden_fmt = "weights.h5" if fmt == "weights.h5" else "keras"  # the legacy file: as from the .keras one
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = cases.flat(cases.resume(keras, case, str(FIXTURES / f"k_{name}"), fmt, saved))
    _check(got, want[f"{name}/{golden_fmt}"], steps[f"{name}/{golden_fmt}"])


@pytest.mark.parametrize("widths", cases.SKIP_WIDTHS, ids=str)
@pytest.mark.parametrize("optimizer", cases.SKIP_OPTIMIZERS)
def test_load_weights_skip_mismatch_takes_the_optimizer_state_up_to_its_first_misfit(
    tmp_path: Path, optimizer: str, widths: tuple[int, ...]
) -> None:
    # Keras 3.15.1 assigns the optimizer's variables in order and stops at the first whose shape differs
    # (with skip_mismatch=True, a warning): the step count, the learning rate and the slots before it come
    # from the file, the rest keep the model's own. keras_lite refused the whole file here before.
    want, steps = _golden("keras_skip_mismatch.npz")
    got = cases.flat(cases.skip_mismatch_run(keras, optimizer, widths, str(tmp_path / "w.weights.h5")))
    _check(got, want[f"{optimizer}/{widths}"], steps[f"{optimizer}/{widths}"])


def test_skip_mismatch_warns_for_the_layer_and_the_optimizer_state(tmp_path: Path) -> None:
    x = np.ones((8, 3), "float32")
    source = cases.skip_model(keras, (4, 2), "sgd")
    source.fit(x, np.ones((8, 2), "float32"), verbose=0)
    source.save_weights(tmp_path / "w.weights.h5")
    model = cases.skip_model(keras, (4, 3), "sgd")
    model.fit(x, np.ones((8, 3), "float32"), verbose=0)
    before = model.get_weights()
    with pytest.raises(ValueError, match="layer 'd1'"):
        model.load_weights(tmp_path / "w.weights.h5")
    for got, was in zip(model.get_weights(), before):  # refused before anything was written
        np.testing.assert_array_equal(got, was)
    with pytest.warns(UserWarning) as record:
        model.load_weights(tmp_path / "w.weights.h5", skip_mismatch=True)
    messages = [str(w.message) for w in record]
    assert any("layer 'd1'" in m for m in messages)
    assert any("optimizer's" in m and "has shape (4, 2), expected (4, 3)" in m for m in messages)
    np.testing.assert_array_equal(model.get_weights()[0], source.get_weights()[0])


def test_a_legacy_h5_training_config_is_written_as_keras_writes_it(tmp_path: Path) -> None:
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(
        optimizer=keras.optimizers.Nadam(),
        loss=keras.losses.categorical_crossentropy,
        metrics=[keras.metrics.categorical_accuracy, "mse", keras.metrics.MeanSquaredError(name="msq")],
        weighted_metrics=[keras.metrics.CategoricalAccuracy(name="wacc")],
        loss_weights=[0.5],
    )
    x = np.random.default_rng(0).random((8, 3)).astype("float32")
    model.fit(x, np.eye(2, dtype="float32")[np.arange(8) % 2], verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5") as f:
        training = json.loads(f.attrs["training_config"])
    assert training.pop("optimizer_config")["class_name"] == "Nadam"
    # What Keras 3.15.1 wrote for the same compile (functions by name, objects without module/registered_name).
    assert training == {
        "loss": "categorical_crossentropy",
        "loss_weights": [0.5],
        "metrics": [
            "categorical_accuracy",
            "mse",
            {"class_name": "MeanSquaredError", "config": {"name": "msq", "dtype": "float32"}},
        ],
        "weighted_metrics": [
            {"class_name": "CategoricalAccuracy", "config": {"name": "wacc", "dtype": "float32"}}
        ],
        "run_eagerly": False,
        "steps_per_execution": 1,
        "jit_compile": False,
    }
    # The .keras config keeps the full entries (and, unlike Keras 3.15.1 after a legacy save, the optimizer).
    compile_config = json.loads(model.to_json())["compile_config"]
    assert compile_config["optimizer"]["class_name"] == "Nadam"
    assert compile_config["weighted_metrics"][0]["module"] == "keras.metrics"
    reloaded = keras.models.load_model(tmp_path / "m.h5")
    y = np.eye(2, dtype="float32")[np.arange(8) % 2]
    before = model.evaluate(x, y, verbose=0, return_dict=True)
    after = reloaded.evaluate(x, y, verbose=0, return_dict=True)
    # Keras 3's legacy loader makes a metric object of a metric's name ("mae" is logged mean_absolute_error;
    # it fails on "mse"), so the reloaded model logs mean_squared_error for "mse".
    assert after == {("mean_squared_error" if key == "mse" else key): value for key, value in before.items()}
    assert int(reloaded.optimizer.iterations) == int(model.optimizer.iterations)


def _saved(model: Any, path: Path) -> Any:
    if path.suffix == ".json":
        return keras.models.model_from_json(model.to_json())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(path)
    return keras.models.load_model(path)


@pytest.mark.parametrize("suffix", [".keras", ".h5", ".json"])
def test_a_loss_function_loads_back_as_the_function(tmp_path: Path, suffix: str) -> None:
    # Keras 3.15.1 printed <function mean_absolute_error ...> for model.loss after each of the three.
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss=keras.losses.mean_absolute_error)
    loaded = _saved(model, tmp_path / f"m{suffix}")
    assert loaded.loss is keras.losses.mean_absolute_error
    assert loaded.get_compile_config()["loss"] == {
        "module": "builtins",
        "class_name": "function",
        "config": "mean_absolute_error",
        "registered_name": "function",
    }


def test_names_in_a_legacy_file_load_as_keras_legacy_loader_reads_them(tmp_path: Path) -> None:
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(
        optimizer="adam", loss="binary_crossentropy", metrics=[keras.metrics.mean_squared_error, "mae"]
    )
    kept = _saved(model, tmp_path / "m.keras")
    assert kept.loss == "binary_crossentropy"  # Keras 3.15.1: 'binary_crossentropy'
    legacy = _saved(model, tmp_path / "m.h5")
    assert legacy.loss is keras.losses.binary_crossentropy  # Keras 3.15.1: <function binary_crossentropy ...>
    config = legacy.get_compile_config()
    config.pop("optimizer")
    # What Keras 3.15.1 printed for the same file's reloaded model.
    assert config == {
        "loss": {
            "module": "builtins",
            "class_name": "function",
            "config": "binary_crossentropy",
            "registered_name": "function",
        },
        "loss_weights": None,
        "metrics": [
            {
                "module": "keras.metrics",
                "class_name": "MeanSquaredError",
                "config": {"name": "mean_squared_error", "dtype": "float32"},
                "registered_name": None,
            },
            {
                "module": "keras.metrics",
                "class_name": "MeanAbsoluteError",
                "config": {"name": "mean_absolute_error", "dtype": "float32"},
                "registered_name": None,
            },
        ],
        "weighted_metrics": None,
        "run_eagerly": False,
        "steps_per_execution": 1,
        "jit_compile": False,
    }
