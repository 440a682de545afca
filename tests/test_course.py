"""The Kaggle "Intro to Deep Learning" course, lessons 1-6, end to end (examples/course/).

Each lesson script is the course's tutorial and exercise code on keras_lite, training on generated
stand-in data, with the course's learntools checks as asserts. This module runs every script's ``main()``
and checks each training run's ``History``: the keys Keras 3 would give (sorted, ``val_`` ones with
validation data), one float per epoch, and a loss that ends lower than it started.
"""

from __future__ import annotations

import importlib.util
import math
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

COURSE = Path(__file__).resolve().parents[1] / "examples" / "course"

# The course passes input_shape= to the first layer, which Keras 3 (and keras_lite) warn about.
pytestmark = pytest.mark.filterwarnings("ignore:Do not pass an `input_shape`:UserWarning")

LOSS = ["loss"]
LOSS_VAL = ["loss", "val_loss"]
MAE_VAL = ["loss", "mae", "val_loss", "val_mae"]
BINARY_VAL = ["binary_accuracy", "loss", "val_binary_accuracy", "val_loss"]

# lesson script -> {run name in main()'s result: (history keys, whether EarlyStopping may end it early)}
RUNS: dict[str, dict[str, tuple[list[str], bool]]] = {
    "lesson3_stochastic_gradient_descent": {
        "tutorial": (LOSS_VAL, False),
        "exercise": (LOSS, False),
        "sgd": (LOSS, False),
    },
    "lesson4_overfitting_and_underfitting": {
        "tutorial": (LOSS_VAL, True),
        "exercise_linear": (LOSS_VAL, False),
        "exercise_capacity": (LOSS_VAL, False),
        "exercise_early_stopping": (LOSS_VAL, True),
    },
    "lesson5_dropout_and_batch_normalization": {
        "tutorial": (LOSS_VAL, False),
        "exercise_dropout": (LOSS_VAL, False),
        "exercise_unscaled": (MAE_VAL, False),
        "exercise_batchnorm": (MAE_VAL, False),
    },
    "lesson6_binary_classification": {
        "tutorial": (BINARY_VAL, True),
        "exercise": (BINARY_VAL, True),
    },
}


@pytest.fixture(scope="module", autouse=True)
def course_on_path() -> Any:
    """The scripts import their helper ``_standin`` from their own folder, as when run directly."""
    sys.path.insert(0, str(COURSE))
    yield
    sys.path.remove(str(COURSE))


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"course_{name}", COURSE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_lesson_has_a_script() -> None:
    scripts = sorted(p.stem for p in COURSE.glob("lesson*.py"))
    assert [s.split("_")[0] for s in scripts] == [f"lesson{i}" for i in range(1, 7)]
    assert set(RUNS) < set(scripts)


def test_lesson1_single_neuron() -> None:
    result = load("lesson1_single_neuron").main()
    assert result["tutorial_model"].layers[0].input_shape == (None, 3)
    x, y = result["x"], result["y"]
    assert x.shape == (100,)
    # predict() on a 1-D input (tf.linspace in the course) reads it as 100 samples of one feature.
    assert y.shape == (100, 1) and y.dtype == np.float32
    w, b = result["model"].get_weights()
    np.testing.assert_allclose(y[:, 0], x * w[0, 0] + b[0], rtol=1e-5, atol=1e-6)
    assert re.fullmatch(r"Weight: -?\d+\.\d\d\nBias: -?\d+\.\d\d", result["title"])


def test_lesson2_deep_neural_networks() -> None:
    result = load("lesson2_deep_neural_networks").main()
    x, curves = result["x"], result["curves"]
    assert set(curves) == {"relu", "elu", "selu", "swish"}
    for y in curves.values():
        assert y.shape == x.shape == (100,)
    np.testing.assert_allclose(curves["elu"], np.where(x > 0, x, np.expm1(x)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(curves["swish"], x / (1 + np.exp(-x)), rtol=1e-5, atol=1e-6)
    assert result["deep_model"].count_params() == 8 * 512 + 512 + 2 * (512 * 512 + 512) + 512 + 1


@pytest.mark.parametrize("lesson", sorted(RUNS))
def test_lesson_trains(lesson: str) -> None:
    histories = load(lesson).main()
    assert set(histories) == set(RUNS[lesson])
    for run, (keys, may_stop_early) in RUNS[lesson].items():
        history = histories[run]
        logs = history.history
        # Keras 3 sorts the epoch logs, so the History keys come out sorted.
        assert list(logs) == keys, (run, list(logs))
        epochs = len(logs["loss"])
        assert all(len(values) == epochs for values in logs.values()), run
        assert all(type(v) is float for values in logs.values() for v in values), run
        planned = history.params["epochs"]
        assert epochs <= planned if may_stop_early else epochs == planned, (run, epochs, planned)
        losses = logs["loss"]
        if run == "exercise_unscaled" and not all(map(math.isfinite, losses)):
            # The course says of this run: "Trying to train this network on this dataset will usually
            # fail." A loss that overflows is that failure, not a keras_lite bug.
            continue
        assert losses[-1] < losses[0], (run, losses[0], losses[-1])


def test_script_runs_directly() -> None:
    """``python examples/course/lessonN_....py`` works from any directory (finds ``_standin`` itself)."""
    done = subprocess.run(
        [sys.executable, "-W", "ignore", str(COURSE / "lesson1_single_neuron.py")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=COURSE.parent.parent,
    )
    assert done.returncode == 0, done.stderr
    assert "Weight: " in done.stdout
