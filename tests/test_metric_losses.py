"""The loss metrics (crossentropies, hinges, KL divergence, Poisson, MSLE, log-cosh) in compile, on both devices,
and on their own, against values Keras 3.15.1 (TensorFlow backend) printed for the same weights and data."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers

RTOL = 2e-5


def _weights(units: list[int]) -> list[np.ndarray]:
    r = np.random.default_rng(11)
    out, prev = [], 4
    for u in units:
        out += [
            r.standard_normal((prev, u)).astype(np.float32),
            r.standard_normal(u).astype(np.float32) * 0.1,
        ]
        prev = u
    return out


# (final activation, loss, metrics, targets): the first metric is also a weighted metric. The data are drawn
# from one generator in this order, as the script that printed the goldens drew them.
CASES: list[tuple[str, str, list[str], str]] = [
    ("softmax", "sparse_categorical_crossentropy", ["sparse_categorical_crossentropy", "accuracy"], "sparse"),
    (
        "softmax",
        "categorical_crossentropy",
        ["categorical_crossentropy", "kl_divergence", "categorical_hinge", "poisson"],
        "onehot",
    ),
    # Keras on TensorFlow reads the softmax's logits for a crossentropy metric whatever the loss is.
    ("softmax", "mse", ["categorical_crossentropy", "bce"], "onehot"),
    ("sigmoid", "binary_crossentropy", ["binary_crossentropy", "hinge", "squared_hinge"], "binary"),
    ("linear", "mse", ["msle", "log_cosh_error", "hinge"], "reg"),
]

# What `model.evaluate(x, y, batch_size=16, sample_weight=sw)` returned, and the first epoch of
# `fit(batch_size=16, epochs=2, shuffle=False, validation_data=(x, y))` with SGD(0.01), in Keras.
GOLDEN_EVAL = [
    {
        "loss": 3.026101589202881,
        "sparse_categorical_crossentropy": 5.344486236572266,
        "accuracy": 0.3400000035762787,
        "weighted_sparse_categorical_crossentropy": 5.568704128265381,
    },
    {
        "loss": 2.5784294605255127,
        "categorical_crossentropy": 5.711368560791016,
        "kl_divergence": 4.984376430511475,
        "categorical_hinge": 1.2389767169952393,
        "poisson": 1.991356372833252,
        "weighted_categorical_crossentropy": 5.775748252868652,
    },
    {
        "loss": 0.16501332819461823,
        "categorical_crossentropy": 4.688905239105225,
        "bce": 2.6824817657470703,
        "weighted_categorical_crossentropy": 4.55126953125,
    },
    {
        "loss": 0.7092677354812622,
        "binary_crossentropy": 1.764089822769165,
        "hinge": 0.9074237942695618,
        "squared_hinge": 1.097784399986267,
        "weighted_binary_crossentropy": 1.5264719724655151,
    },
    {
        "loss": 10.426338195800781,
        "msle": 0.5175333619117737,
        "log_cosh_error": 3.185328722000122,
        "hinge": 2.454709768295288,
        "weighted_msle": 0.4924805760383606,
    },
]
GOLDEN_FIT = [
    {
        "sparse_categorical_crossentropy": 5.247429370880127,
        "val_sparse_categorical_crossentropy": 4.936569690704346,
    },
    {
        "categorical_crossentropy": 5.626124858856201,
        "kl_divergence": 4.945608615875244,
        "categorical_hinge": 1.2390538454055786,
        "poisson": 1.9777884483337402,
        "val_poisson": 1.9307949542999268,
    },
    {
        "loss": 0.35683849453926086,
        "categorical_crossentropy": 4.687337398529053,
        "val_bce": 2.6818888187408447,
    },
    {
        "binary_crossentropy": 1.755807638168335,
        "hinge": 0.9083653092384338,
        "val_squared_hinge": 1.1071373224258423,
    },
    {"msle": 0.5439710021018982, "log_cosh_error": 2.581040620803833, "val_hinge": 1.2813154458999634},
]


def _case_data() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((50, 4)).astype(np.float32) * 2
    out = []
    for _, _, _, kind in CASES:
        if kind == "sparse":
            y: np.ndarray = rng.integers(0, 3, 50)
        elif kind == "onehot":
            y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 50)]
        elif kind == "binary":
            y = rng.integers(0, 2, (50, 1)).astype(np.float32)
        else:
            y = np.abs(rng.standard_normal((50, 1))).astype(np.float32)
        out.append((x, y, rng.random(50).astype(np.float32)))
    return out


def _model(act: str, loss: str, metrics: list[Any], device: str, width: int) -> keras.Sequential:
    model = keras.Sequential(
        [keras.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(width, activation=act)],
        device=device,
    )
    model.set_weights(_weights([8, width]))
    model.compile(
        optimizer=keras.optimizers.SGD(0.01), loss=loss, metrics=metrics, weighted_metrics=[metrics[0]]
    )
    return model


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("case", range(len(CASES)))
def test_loss_metrics_evaluate_and_fit_as_keras(device: str, case: int) -> None:
    act, loss, metrics, kind = CASES[case]
    x, y, sw = _case_data()[case]
    model = _model(act, loss, metrics, device, 3 if kind in ("sparse", "onehot") else 1)
    got = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True, sample_weight=sw)
    assert sorted(got) == sorted(GOLDEN_EVAL[case])
    for key, want in GOLDEN_EVAL[case].items():
        assert got[key] == pytest.approx(want, rel=RTOL), key
    hist = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0, validation_data=(x, y)).history
    for key, want in GOLDEN_FIT[case].items():
        assert hist[key][0] == pytest.approx(want, rel=RTOL), key


@pytest.mark.parametrize("device", DEVICES)
def test_a_crossentropy_metric_reads_a_final_activation_layers_logits(device: str) -> None:
    """A softmax as its own layer leaves the same logits as a Dense layer's softmax: the metric reads them
    either way, and a saturated softmax gives the finite value the logits give (not the clipped one)."""
    x = np.array([[40.0, -3.0, 0.0], [0.5, 0.2, 0.1], [-30.0, 4.0, 1.0]], np.float32)
    labels = np.array([1, 0, 2])
    y = np.eye(3, dtype=np.float32)[labels]
    kernel = np.eye(3, dtype=np.float32)
    fused = keras.Sequential([keras.Input((3,)), layers.Dense(3, activation="softmax")], device=device)
    split = keras.Sequential(
        [keras.Input((3,)), layers.Dense(3), layers.Activation("softmax")], device=device
    )
    values = []
    for model in (fused, split):
        model.set_weights([kernel, np.zeros(3, np.float32)])
        model.compile(loss="mse", metrics=["categorical_crossentropy"])
        values.append(model.evaluate(x, y, verbose=0, return_dict=True)["categorical_crossentropy"])
    z = x.astype(np.float64)
    lse = np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1)) + z.max(axis=1)
    want = float(np.mean(lse - z[np.arange(3), labels]))
    assert values[0] == pytest.approx(want, rel=1e-5) and values[1] == pytest.approx(want, rel=1e-5)
    # Read from the clipped probabilities instead, the first row (its class at probability e^-43) would give
    # -ln(1e-7) = 16.1 in place of 43.
    p = np.exp(z - lse[:, None])
    clipped = float(np.mean(-np.log(np.clip(p[np.arange(3), labels], 1e-7, 1 - 1e-7))))
    assert want - clipped > 8


STANDALONE: list[tuple[str, Any, Any, Any, float]] = [
    (
        "cce",
        lambda: keras.metrics.CategoricalCrossentropy(label_smoothing=0.1),
        "onehot",
        "probs",
        0.6270343065261841,
    ),
    ("scce", keras.metrics.SparseCategoricalCrossentropy, "ids", "probs", 0.5521460175514221),
    ("bce", lambda: keras.metrics.BinaryCrossentropy(from_logits=True), "bin", "logits", 0.25515618920326233),
    ("kld", keras.metrics.KLDivergence, "onehot", "probs", 0.5521432161331177),
    ("poisson", keras.metrics.Poisson, "onehot", "probs", 0.5173819661140442),
    ("hinge", keras.metrics.Hinge, "onehot", "probs", 0.9399999976158142),
    ("sqh", keras.metrics.SquaredHinge, "onehot", "probs", 1.034666657447815),
    ("ch", keras.metrics.CategoricalHinge, "onehot", "probs", 0.6499999761581421),
    ("msle", keras.metrics.MeanSquaredLogarithmicError, "onehot", "probs", 0.04605552926659584),
    ("lc", keras.metrics.LogCoshError, "onehot", "probs", 0.045993905514478683),
]
_INPUTS = {
    "onehot": np.array([[0, 1, 0], [1, 0, 0]], np.float32),
    "probs": np.array([[0.1, 0.8, 0.1], [0.5, 0.3, 0.2]], np.float32),
    "ids": np.array([1, 0]),
    "bin": np.array([[1.0], [0.0]]),
    "logits": np.array([[0.3], [-2.0]]),
}


@pytest.mark.parametrize(
    ("name", "make", "y_true", "y_pred", "want"), STANDALONE, ids=[c[0] for c in STANDALONE]
)
def test_loss_metric_objects_on_their_own(
    name: str, make: Any, y_true: str, y_pred: str, want: float
) -> None:
    metric = make()
    metric.update_state(_INPUTS[y_true], _INPUTS[y_pred], sample_weight=np.array([0.3, 0.7]))
    assert float(metric.result()) == pytest.approx(want, rel=1e-6)
    metric.reset_state()
    assert float(metric.result()) == 0.0


def test_names_configs_and_identifiers_are_keras_s() -> None:
    m = keras.metrics
    assert m.CategoricalCrossentropy().get_config() == {
        "name": "categorical_crossentropy",
        "dtype": "float32",
        "from_logits": False,
        "label_smoothing": 0,
        "axis": -1,
    }
    assert m.SparseCategoricalCrossentropy().get_config() == {
        "name": "sparse_categorical_crossentropy",
        "dtype": "float32",
        "from_logits": False,
        "ignore_class": None,
        "axis": -1,
    }
    assert m.BinaryCrossentropy(label_smoothing=0.2).get_config()["label_smoothing"] == 0.2
    assert m.LogCoshError().name == "logcosh" and m.KLDivergence().name == "kl_divergence"
    assert repr(m.Poisson()) == "<Poisson name=poisson>" and m.Hinge.__module__ == "keras_lite.metrics"
    assert pickle.loads(pickle.dumps(m.SquaredHinge())).name == "squared_hinge"
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", metrics=["bce", "BCE", "msle", "log_cosh_error", m.Poisson()])
    hist = model.fit(np.zeros((4, 2), np.float32), np.ones(4, np.float32), verbose=0).history
    assert sorted(hist) == ["BCE", "bce", "log_cosh_error", "loss", "msle", "poisson"]
    assert hist["bce"] == hist["loss"]
    for bad in ("logcosh", "kld"):  # Keras refuses these two as metric identifiers too
        with pytest.raises(ValueError):
            model.compile(loss="mse", metrics=[bad])


def test_what_the_loss_metrics_refuse() -> None:
    with pytest.raises(ValueError, match="label_smoothing"):
        keras.metrics.BinaryCrossentropy(label_smoothing=2.0)
    with pytest.raises(ValueError, match="axis"):
        keras.metrics.CategoricalCrossentropy(axis=0)
    with pytest.raises(keras.NotSupportedError, match="ignore_class"):
        keras.metrics.SparseCategoricalCrossentropy(ignore_class=0)
    model = keras.Sequential([keras.Input((2,)), layers.Dense(3, activation="softmax")])
    # Class-id metrics need a loss whose targets are class ids, and the reverse.
    with pytest.raises(ValueError, match="class ids"):
        model.compile(loss="categorical_crossentropy", metrics=["sparse_categorical_crossentropy"])
    with pytest.raises(ValueError, match="class ids"):
        model.compile(loss="sparse_categorical_crossentropy", metrics=["kl_divergence"])
    # A loss that ignores a label would hand the metric a label that names no class.
    ignoring = keras.losses.SparseCategoricalCrossentropy(ignore_class=0)
    with pytest.raises(ValueError, match="ignores the label"):
        model.compile(loss=ignoring, metrics=["sparse_categorical_crossentropy"])
    model.compile(loss=ignoring, metrics=["accuracy"])


def test_a_saved_model_keeps_its_loss_metrics(tmp_path: Any) -> None:
    x = np.random.default_rng(0).standard_normal((20, 2)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[np.arange(20) % 3]
    model = keras.Sequential([keras.Input((2,)), layers.Dense(3, activation="softmax")])
    metrics = [keras.metrics.CategoricalCrossentropy(label_smoothing=0.1, name="cce"), "categorical_hinge"]
    model.compile(loss="categorical_crossentropy", metrics=metrics)
    before = model.evaluate(x, y, verbose=0, return_dict=True)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    after = loaded.evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(after) == ["categorical_hinge", "cce", "loss"]
    for key, value in before.items():
        assert after[key] == pytest.approx(value, rel=1e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_keras_metric_functions_compile_as_keras_names_them(device: str, tmp_path: Any) -> None:
    """A function from keras.metrics or keras.losses is a compiled metric named by the function, as Keras 3 wraps
    it, with the values Keras 3.15.1 gave; a saved model keeps it as Keras writes it."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((30, 3)).astype(np.float32)
    y = rng.integers(0, 2, (30, 1)).astype(np.float32)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1, activation="sigmoid")], device=device)
    model.set_weights([np.array([[0.4], [-0.7], [0.2]], np.float32), np.array([0.05], np.float32)])
    m = keras.metrics
    functions = [
        m.binary_accuracy,
        keras.losses.mean_absolute_error,
        m.binary_crossentropy,
        m.huber,
        m.log_cosh,
        m.hinge,
    ]
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=functions)
    want = {
        "binary_accuracy": 0.5,
        "binary_crossentropy": 0.782852828502655,
        "hinge": 0.9444722533226013,
        "huber": 0.1449272781610489,
        "log_cosh": 0.13641980290412903,
        "loss": 0.782852828502655,
        "mean_absolute_error": 0.5111389756202698,
    }
    assert model.evaluate(x, y, verbose=0, return_dict=True) == pytest.approx(want, rel=2e-6)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert loaded.compiled_metrics._metrics == functions
    assert loaded.evaluate(x, y, verbose=0, return_dict=True) == pytest.approx(want, rel=2e-6)


def test_keras_metric_functions_on_their_own() -> None:
    m = keras.metrics
    assert m.mean_squared_error is keras.losses.mean_squared_error  # the same function, as in Keras
    np.testing.assert_array_equal(m.binary_accuracy([[1.0], [0.0]], [[0.6], [0.7]]), [[1.0], [0.0]])
    # Keras's golden (KERAS_COMPAT_2 §14.4): k=1 gives [0, 1] here.
    one_hot = np.eye(3)[[2, 1]]
    scores = np.array([[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]])
    np.testing.assert_array_equal(m.top_k_categorical_accuracy(one_hot, scores, k=1), [0.0, 1.0])
    np.testing.assert_array_equal(m.sparse_top_k_categorical_accuracy([2, 1], scores, k=2), [1.0, 1.0])
    assert m.sparse_categorical_accuracy([1, 0], scores).numpy().tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="k"):
        m.top_k_categorical_accuracy(one_hot, scores, k=0)
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    with pytest.raises(keras.NotSupportedError, match="custom metric functions"):
        model.compile(loss="mse", metrics=[lambda y_true, y_pred: y_pred])


def test_get_serialize_and_deserialize_as_keras() -> None:
    """Keras 3.15.1's answers: a name gives an object (auto-named as Keras numbers them), a config dict the object
    it describes, a function stays a function."""
    m = keras.metrics
    assert type(m.get("categorical_crossentropy")) is m.CategoricalCrossentropy
    assert type(m.get("MAE")) is m.MeanAbsoluteError and type(m.get("f1_score")) is m.F1Score
    auc = m.get({"class_name": "AUC", "config": {"num_thresholds": 50}})
    assert type(auc) is m.AUC and auc.num_thresholds == 50
    assert m.get(None) is None and m.get(m.binary_accuracy) is m.binary_accuracy
    assert m.serialize(m.binary_accuracy) == {
        "module": "builtins",
        "class_name": "function",
        "config": "binary_accuracy",
        "registered_name": "function",
    }
    config = m.serialize(m.Precision(thresholds=0.3, name="p"))
    assert config["class_name"] == "Precision" and config["config"]["thresholds"] == 0.3
    again = m.deserialize(config)
    assert type(again) is m.Precision and again.name == "p" and again.thresholds == [0.3]
    assert m.deserialize(m.serialize(m.binary_accuracy)) is m.binary_accuracy
    with pytest.raises(ValueError, match="Could not interpret"):
        m.get(3)
    assert type(m.get("accuracy")) is m.Accuracy  # Keras's exact-match Accuracy (compile's "accuracy" picks)
    with pytest.raises(keras.NotSupportedError, match="pearson_correlation"):
        m.get("pearson_correlation")


@pytest.mark.parametrize("device", DEVICES)
def test_accuracy_and_cosine_similarity_objects_compile_as_keras(device: str) -> None:
    """``keras.metrics.Accuracy()`` is exact equality (the string "accuracy" picks a class match instead), and
    ``CosineSimilarity`` the mean cosine; values from Keras 3.15.1 for the same weights and data."""
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]], np.float32)
    y = np.array([[1.0, 0.0], [1.0, 2.0], [0.5, 0.5], [0.0, 0.0]], np.float32)
    model = keras.Sequential([keras.Input((2,)), layers.Dense(2)], device=device)
    model.set_weights([np.array([[1.0, 0.0], [0.5, 2.0]], np.float32), np.zeros(2, np.float32)])
    model.compile(
        loss="mse", metrics=[keras.metrics.Accuracy(), keras.metrics.CosineSimilarity(), "accuracy"]
    )
    got = model.evaluate(x, y, verbose=0, return_dict=True)
    # Keras: {'accuracy': 0.625, 'accuracy_1': 0.75, 'cosine_similarity': 0.7415341734886169, 'loss': 0.4375}.
    # Predictions [[1, 0], [0.5, 2], [1.5, 2], [0, 0]]: five of eight values equal their targets; the zero row's
    # cosine is 0; the argmax matches in three rows of four.
    want = {"accuracy": 0.625, "accuracy_1": 0.75, "cosine_similarity": 0.7415341734886169, "loss": 0.4375}
    assert got == pytest.approx(want, rel=1e-6)
    alone = keras.metrics.CosineSimilarity()
    alone.update_state(y, model.predict(x, verbose=0))
    assert float(alone.result()) == pytest.approx(got["cosine_similarity"], rel=1e-6)
