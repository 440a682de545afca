"""Multi-class losses and metrics as Keras 3.15 computes them: its docstring goldens, NumPy re-implementations on
random data (standalone and through ``evaluate``), training with sparse and one-hot labels on every device,
``compile(loss="crossentropy")`` and ``"accuracy"``, ``.keras`` configs, and the errors.
"""

from __future__ import annotations

import json
import zipfile
from typing import Any, Callable

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers

L = keras.losses
EPS = 1e-7


T = [[0, 1, 0], [0, 0, 1]]
P = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]


def close(got: Any, want: Any, rtol: float = 1e-5) -> None:
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), want, rtol=rtol, atol=1e-6)


# ---- Keras's goldens ---------------------------------------------------------------------------------------
def test_categorical_crossentropy_goldens() -> None:
    cce = L.CategoricalCrossentropy()
    assert cce.name == "categorical_crossentropy" and cce.reduction == "sum_over_batch_size"
    close(cce(T, P), 1.1769392)
    close(L.CategoricalCrossentropy(reduction="sum")(T, P), 2.3538785)
    close(L.CategoricalCrossentropy(reduction=None)(T, P), [0.05129331, 2.3025851])
    close(L.CategoricalCrossentropy(reduction="none")(T, P), [0.05129331, 2.3025851])
    close(cce(T, P, sample_weight=[0.3, 0.7]), 0.8135988)
    close(cce(T, P, sample_weight=[[0.3], [0.7]]), 0.8135988)  # a (n, 1) weight is squeezed
    close(cce(T, P, sample_weight=2.0), 2 * 1.1769392)  # a scalar broadcasts
    close(
        L.CategoricalCrossentropy(reduction="mean_with_sample_weight")(T, P, sample_weight=[0.3, 0.7]),
        1.6271976,
    )
    close(cce(T, P, sample_weight=[0.0, 1.0]), 2.3025851 / 2)  # a zero weight stays in the denominator
    close(L.CategoricalCrossentropy(label_smoothing=0.1)(T, P), 1.4591359)
    close(L.categorical_crossentropy(T, [[1, 2, 3], [0, 0, 5]], from_logits=True), [1.4076059, 0.0133859])
    close(cce([[1, 0, 0]], [[0.2, 0.2, 0.2]]), 1.0986123)  # predictions are normalised to sum to 1
    close(cce([[1, 0, 0]], [[0.0, 0.5, 0.5]]), 16.118095)  # -log(1e-7)
    close(L.categorical_crossentropy(T, P), [0.05129331, 2.3025851])


def test_sparse_categorical_crossentropy_goldens() -> None:
    scce = L.SparseCategoricalCrossentropy()
    assert scce.name == "sparse_categorical_crossentropy"
    for labels in ([1, 2], [[1], [2]], np.array([1, 2], dtype=np.int64), np.array([1.0, 2.0])):
        close(scce(labels, P), 1.1769392)
    close(L.SparseCategoricalCrossentropy(reduction="sum")([1, 2], P), 2.3538785)
    close(L.SparseCategoricalCrossentropy(reduction=None)([1, 2], P), [0.05129331, 2.3025851])
    close(scce([1, 2], P, sample_weight=[0.3, 0.7]), 0.8135988)
    close(
        L.SparseCategoricalCrossentropy(reduction="mean_with_sample_weight")([1, 2], P, [0.3, 0.7]), 1.6271976
    )
    close(
        L.sparse_categorical_crossentropy([2, 2], [[1, 2, 3], [0, 0, 5]], from_logits=True),
        [0.4076059, 0.0133859],
    )
    close(L.sparse_categorical_crossentropy([[1], [2]], P), [0.05129331, 2.3025851])
    close(scce([0], [[0.0, 0.5, 0.5]]), 16.118095)


def test_sparse_ignore_class_standalone_is_masked_as_keras() -> None:
    per = [0.05129331, 2.3025851, 0.0]
    p3 = [*P, [0.3, 0.3, 0.4]]
    close(L.sparse_categorical_crossentropy([1, 2, 0], p3, ignore_class=0), per)
    close(L.SparseCategoricalCrossentropy(ignore_class=0, reduction=None)([1, 2, 0], p3), per)
    # sum_over_batch_size divides by the samples that count; sum does not divide.
    close(L.SparseCategoricalCrossentropy(ignore_class=0)([1, 2, 0], p3), sum(per) / 2)
    close(L.SparseCategoricalCrossentropy(ignore_class=0, reduction="sum")([1, 2, 0], p3), sum(per))
    close(L.SparseCategoricalCrossentropy(ignore_class=-1)([1, 2], P), 1.1769392)


def test_regression_and_hinge_goldens() -> None:
    close(L.MeanAbsolutePercentageError()([100, 200, 300], [90, 210, 310]), 6.111111)
    close(L.mean_absolute_percentage_error([[0.0]], [[1.0]]), [1e9], rtol=1e-4)
    a = [[0, 1], [0, 0]]
    close(L.MeanSquaredLogarithmicError()(a, [[1, 1], [1, 0]]), 0.24022643)
    close(L.LogCosh()(a, [[1, 1], [0, 0]]), 0.1084452)
    close(L.Poisson()(a, [[1, 1], [0, 0]]), 0.49999997)
    close(L.KLDivergence()(a, [[0.6, 0.4], [0.4, 0.6]]), 0.45814306)
    close(L.Hinge()(a, [[0.6, 0.4], [0.4, 0.6]]), 1.3)
    close(L.hinge([[-1, 1]], [[0.6, 0.4]]), [1.1])
    close(L.SquaredHinge()(a, [[0.6, 0.4], [0.4, 0.6]]), 1.86)
    close(L.CategoricalHinge()(a, [[0.6, 0.4], [0.4, 0.6]]), 1.4)


DEFAULT_NAMES = {
    L.CategoricalCrossentropy: "categorical_crossentropy",
    L.SparseCategoricalCrossentropy: "sparse_categorical_crossentropy",
    L.MeanAbsolutePercentageError: "mean_absolute_percentage_error",
    L.MeanSquaredLogarithmicError: "mean_squared_logarithmic_error",
    L.LogCosh: "log_cosh",
    L.Poisson: "poisson",
    L.KLDivergence: "kl_divergence",
    L.Hinge: "hinge",
    L.SquaredHinge: "squared_hinge",
    L.CategoricalHinge: "categorical_hinge",
}


@pytest.mark.parametrize("cls", list(DEFAULT_NAMES), ids=lambda c: c.__name__)
def test_names_lookup_and_config(cls: type) -> None:
    loss = cls()
    assert loss.name == DEFAULT_NAMES[cls]
    # As keras.losses.get: a class name gives an instance, a function name (or the function) the function.
    assert isinstance(L.get(cls.__name__), cls) and L.get(DEFAULT_NAMES[cls]) is getattr(
        L, DEFAULT_NAMES[cls]
    )
    assert L.get(getattr(L, DEFAULT_NAMES[cls])) is getattr(L, DEFAULT_NAMES[cls])
    config = loss.get_config()
    assert config["name"] == DEFAULT_NAMES[cls] and config["reduction"] == "sum_over_batch_size"
    assert type(cls.from_config(config)) is cls


def test_aliases_and_strings_keras_rejects() -> None:
    for alias, cls in [
        ("mape", L.MeanAbsolutePercentageError),
        ("MAPE", L.MeanAbsolutePercentageError),
        ("msle", L.MeanSquaredLogarithmicError),
        ("MSLE", L.MeanSquaredLogarithmicError),
        ("kld", L.KLDivergence),
        ("KLD", L.KLDivergence),
    ]:
        assert L.get(alias) is getattr(L, DEFAULT_NAMES[cls])  # the function, as in Keras
    for name in ("logcosh", "huber_loss", "kullback_leibler_divergence", "Mape", "crossentropy", "CE"):
        with pytest.raises(ValueError, match="Could not interpret loss identifier") as info:
            L.get(name)
        assert not isinstance(info.value, keras.NotSupportedError)


def test_keras_configs_and_signatures() -> None:
    assert L.CategoricalCrossentropy(label_smoothing=0.1).get_config() == {
        "name": "categorical_crossentropy",
        "reduction": "sum_over_batch_size",
        "from_logits": False,
        "label_smoothing": 0.1,
        "axis": -1,
    }
    assert L.SparseCategoricalCrossentropy(True, None, "sum").get_config() == {
        "name": "sparse_categorical_crossentropy",
        "reduction": "sum",
        "from_logits": True,
        "ignore_class": None,
    }
    assert L.BinaryCrossentropy().get_config()["axis"] == -1
    with pytest.raises(ValueError, match="last axis"):
        L.CategoricalCrossentropy(axis=0)
    with pytest.raises(ValueError, match="label_smoothing"):
        L.CategoricalCrossentropy(label_smoothing=1.5)
    with pytest.raises(ValueError, match="reduction"):
        L.Poisson(reduction="max")
    with pytest.raises(ValueError, match="same shape up until the last dimension"):
        L.SparseCategoricalCrossentropy()(np.eye(3)[[1, 2]], P)


# ---- NumPy re-implementations on random data ---------------------------------------------------------------
def _cce(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    p = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return -(t * np.log(p)).sum(-1)


def _hinge_t(t: np.ndarray) -> np.ndarray:
    return 2 * t - 1 if np.all((t == 0) | (t == 1)) else t


REFERENCES: dict[str, tuple[Callable[..., np.ndarray], str]] = {
    "categorical_crossentropy": (_cce, "probabilities"),
    "mean_absolute_percentage_error": (
        lambda t, p: 100 * np.mean(np.abs(t - p) / np.maximum(np.abs(t), EPS), -1),
        "positive",
    ),
    "mean_squared_logarithmic_error": (
        lambda t, p: np.mean((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2, -1),
        "positive",
    ),
    "log_cosh": (lambda t, p: np.mean(np.log(np.cosh(p - t)), -1), "normal"),
    "poisson": (lambda t, p: np.mean(p - t * np.log(p + EPS), -1), "positive"),
    "kl_divergence": (
        lambda t, p: np.sum(np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1) / np.clip(p, EPS, 1)), -1),
        "probabilities",
    ),
    "hinge": (lambda t, p: np.mean(np.maximum(1 - _hinge_t(t) * p, 0), -1), "binary"),
    "squared_hinge": (lambda t, p: np.mean(np.maximum(1 - _hinge_t(t) * p, 0) ** 2, -1), "binary"),
    "categorical_hinge": (
        lambda t, p: np.maximum(np.max((1 - t) * p, -1) - np.sum(t * p, -1) + 1, 0),
        "onehot",
    ),
}


def _random_pair(
    kind: str, rng: np.random.Generator, n: int = 40, c: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    if kind == "probabilities":
        t = rng.dirichlet(np.ones(c), size=n)
        p = rng.dirichlet(np.ones(c), size=n)
    elif kind == "positive":
        t, p = rng.uniform(0.1, 3, size=(n, c)), rng.uniform(0.1, 3, size=(n, c))
    elif kind == "binary":
        t, p = rng.integers(0, 2, size=(n, c)).astype(float), rng.normal(size=(n, c))
    elif kind == "onehot":
        t, p = np.eye(c)[rng.integers(0, c, size=n)], rng.normal(size=(n, c))
    else:
        t, p = rng.normal(size=(n, c)), rng.normal(size=(n, c))
    return t.astype(np.float32), p.astype(np.float32)


def _identity_model(width: int) -> keras.Sequential:
    """A model whose predictions are its inputs (no activation), so evaluate computes the loss of x against y."""
    model = keras.Sequential([keras.Input(shape=(width,)), layers.Dense(width, use_bias=False)])
    model.set_weights([np.eye(width, dtype=np.float32)])
    return model


@pytest.mark.parametrize("name", sorted(REFERENCES))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_losses_match_numpy_standalone_and_through_evaluate(name: str, seed: int) -> None:
    ref, data = REFERENCES[name]
    t, p = _random_pair(data, np.random.default_rng(seed))
    want = ref(t.astype(np.float64), p.astype(np.float64))
    close(L.get(name)(t, p), want, rtol=2e-5)  # the function: each sample's loss
    loss = next(cls for cls, fn in DEFAULT_NAMES.items() if fn == name)()
    close(loss.call(t, p), want, rtol=2e-5)
    close(loss(t, p), want.mean(), rtol=2e-5)
    model = _identity_model(t.shape[1])
    model.compile(optimizer="sgd", loss=name)
    close(model.evaluate(p, t, batch_size=16, verbose=0), want.mean(), rtol=2e-5)


@pytest.mark.parametrize("seed", [0, 1])
def test_sparse_crossentropy_and_accuracies_match_numpy_through_evaluate(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(5), size=50).astype(np.float32)
    labels = rng.integers(0, 5, size=50)
    want = _cce(np.eye(5)[labels], p.astype(np.float64))
    close(L.sparse_categorical_crossentropy(labels, p), want, rtol=2e-5)
    model = _identity_model(5)
    model.compile(
        optimizer="sgd",
        loss="sparse_categorical_crossentropy",
        metrics=[
            "accuracy",
            "sparse_top_k_categorical_accuracy",
            keras.metrics.SparseTopKCategoricalAccuracy(k=2, name="top2"),
        ],
    )
    got = model.evaluate(p, labels, batch_size=16, verbose=0, return_dict=True)
    beaten_by = (p > p[np.arange(50), labels][:, None]).sum(1)  # how many classes score above the true one
    assert sorted(got) == ["accuracy", "loss", "sparse_top_k_categorical_accuracy", "top2"]
    close(got["loss"], want.mean(), rtol=2e-5)
    close(got["accuracy"], np.mean(p.argmax(1) == labels))
    close(got["sparse_top_k_categorical_accuracy"], 1.0)
    close(got["top2"], np.mean(beaten_by < 2))


def test_top_k_goldens_and_ties() -> None:
    model = _identity_model(3)
    model.compile(
        optimizer="sgd",
        loss="categorical_crossentropy",
        metrics=[keras.metrics.TopKCategoricalAccuracy(k=1, name="top1"), "top_k_categorical_accuracy"],
    )
    got = model.evaluate(
        np.array([[0.1, 0.9, 0.8], [0.05, 0.95, 0]], np.float32),
        np.array([[0, 0, 1], [0, 1, 0]], np.float32),
        verbose=0,
        return_dict=True,
    )
    assert got["top1"] == pytest.approx(0.5) and got["top_k_categorical_accuracy"] == pytest.approx(1.0)
    tie = np.array([[0.5, 0.5, 0.0]], np.float32)
    assert model.evaluate(tie, np.array([[1, 0, 0]], np.float32), verbose=0, return_dict=True)["top1"] == 1.0
    sparse = _identity_model(3)
    sparse.compile(
        optimizer="sgd",
        loss="sparse_categorical_crossentropy",
        metrics=[keras.metrics.SparseTopKCategoricalAccuracy(k=1)],
    )
    logs = sparse.evaluate(
        np.array([[0.1, 0.9, 0.8], [0.05, 0.95, 0]], np.float32),
        np.array([2, 1]),
        verbose=0,
        return_dict=True,
    )
    assert logs["sparse_top_k_categorical_accuracy"] == pytest.approx(0.5)
    assert (
        sparse.evaluate(tie, np.array([0]), verbose=0, return_dict=True)["sparse_top_k_categorical_accuracy"]
        == 1.0
    )


# ---- a final softmax: the loss reads its logits --------------------------------------------------------------
def _softmax_model(loss: Any) -> keras.Sequential:
    model = keras.Sequential([keras.Input(shape=(1,)), layers.Dense(3, activation="softmax")])
    model.set_weights([np.array([[100.0, 0.0, -100.0]], np.float32), np.zeros(3, np.float32)])
    model.compile(optimizer="sgd", loss=loss)
    return model


def test_a_final_softmax_is_read_from_its_logits() -> None:
    x = np.ones((1, 1), np.float32)
    onehot = np.array([[0, 0, 1]], np.float32)
    assert _softmax_model("categorical_crossentropy").evaluate(x, onehot, verbose=0) == pytest.approx(200.0)
    assert _softmax_model("sparse_categorical_crossentropy").evaluate(
        x, np.array([2]), verbose=0
    ) == pytest.approx(200.0)
    smoothed = L.CategoricalCrossentropy(label_smoothing=0.1)
    assert _softmax_model(smoothed).evaluate(x, onehot, verbose=0) == pytest.approx(190.0, rel=1e-5)
    probabilities = _softmax_model("categorical_crossentropy").predict(x, verbose=0)
    close(L.categorical_crossentropy(onehot, probabilities), [16.118095])


# ---- training ------------------------------------------------------------------------------------------------
def _classification(
    n: int = 180, d: int = 5, classes: int = 3, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    labels = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0.5)
    return x, labels


def _classifier(device: str, loss: Any, metrics: list[Any]) -> keras.Sequential:
    keras.utils.set_random_seed(3)
    model = keras.Sequential(
        [keras.Input(shape=(5,)), layers.Dense(16, activation="relu"), layers.Dense(3, activation="softmax")],
        device=device,
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss=loss, metrics=metrics)
    return model


FIT = {"epochs": 3, "batch_size": 32, "shuffle": False, "verbose": 0}


@pytest.mark.parametrize("device", DEVICES)
def test_softmax_classifier_trains_alike_with_sparse_and_one_hot_labels(device: str) -> None:
    x, labels = _classification()
    onehot = np.eye(3, dtype=np.float32)[labels]
    reference = _classifier("cpu", "sparse_categorical_crossentropy", ["accuracy"])
    weights = reference.get_weights()
    want = reference.fit(x, labels, validation_split=0.25, **FIT).history
    assert sorted(want) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert want["loss"][-1] < want["loss"][0]
    runs = {
        "sparse int (n,)": ("sparse_categorical_crossentropy", labels, ["accuracy"]),
        "sparse float (n, 1)": (
            L.SparseCategoricalCrossentropy(),
            labels[:, None].astype(np.float32),
            ["accuracy"],
        ),
        "one-hot": ("categorical_crossentropy", onehot, ["accuracy"]),
        "crossentropy, labels": ("crossentropy", labels, ["accuracy"]),
        "ce, one-hot": ("CE", onehot, ["accuracy"]),
    }
    for what, (loss, y, metrics) in runs.items():
        model = _classifier(device, loss, metrics)
        model.set_weights(weights)
        got = model.fit(x, y, validation_split=0.25, **FIT).history
        assert sorted(got) == sorted(want), what
        for key in want:
            np.testing.assert_allclose(got[key], want[key], rtol=1e-4, atol=1e-5, err_msg=f"{what}: {key}")


@pytest.mark.parametrize("device", DEVICES)
def test_sparse_metrics_and_validation_data_on_each_device(device: str) -> None:
    x, labels = _classification(seed=1)
    metrics = [
        "acc",
        "sparse_categorical_accuracy",
        keras.metrics.SparseTopKCategoricalAccuracy(k=2, name="top2"),
    ]
    cpu = _classifier("cpu", "sparse_categorical_crossentropy", metrics)
    other = _classifier(device, "sparse_categorical_crossentropy", metrics)
    other.set_weights(cpu.get_weights())
    val = (x[:40], labels[:40].astype(np.int32))
    want = cpu.fit(x, labels, validation_data=val, **FIT).history
    got = other.fit(x, labels, validation_data=val, **FIT).history
    assert sorted(want) == [
        "acc",
        "loss",
        "sparse_categorical_accuracy",
        "top2",
        "val_acc",
        "val_loss",
        "val_sparse_categorical_accuracy",
        "val_top2",
    ]
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-4, atol=1e-5, err_msg=key)
    assert want["acc"] == want["sparse_categorical_accuracy"]


def test_pandas_series_labels() -> None:
    pd = pytest.importorskip("pandas")
    x, labels = _classification(n=64)
    a = _classifier("cpu", "sparse_categorical_crossentropy", ["accuracy"])
    b = _classifier("cpu", "sparse_categorical_crossentropy", ["accuracy"])
    b.set_weights(a.get_weights())
    want = a.fit(x, labels, **FIT).history
    got = b.fit(x, pd.Series(labels), **FIT).history
    for key in want:
        assert got[key] == pytest.approx(want[key]), key


def test_crossentropy_and_accuracy_follow_the_targets() -> None:
    x, labels = _classification(n=64)
    binary = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(1, activation="sigmoid")])
    binary.compile(optimizer="sgd", loss="crossentropy", metrics=["accuracy"])
    binary.evaluate(x, (labels > 0).astype(np.float32), verbose=0)
    assert isinstance(binary._core_loss, L.BinaryCrossentropy)
    model = _classifier("cpu", "crossentropy", ["accuracy"])
    model.evaluate(x, labels, verbose=0)
    assert isinstance(model._core_loss, L.SparseCategoricalCrossentropy)
    assert model.loss == "crossentropy"  # what compile was given
    with pytest.raises(
        ValueError, match="one integer class id"
    ):  # chosen once, as Keras builds its loss once
        model.evaluate(x, np.eye(3)[labels], verbose=0)
    model.compile(optimizer="sgd", loss="crossentropy", metrics=["accuracy"])  # a new compile chooses again
    model.evaluate(x, np.eye(3)[labels], verbose=0)
    assert isinstance(model._core_loss, L.CategoricalCrossentropy)


def test_settling_crossentropy_keeps_the_optimizer_state() -> None:
    x, labels = _classification(n=64)
    a = _classifier("cpu", "sparse_categorical_crossentropy", [])
    b = _classifier("cpu", "sparse_categorical_crossentropy", [])
    b.set_weights(a.get_weights())
    a.fit(x, labels, **FIT)
    b.fit(x, labels, **FIT)
    b.compile(optimizer=b.optimizer, loss="crossentropy")  # built: compiled as categorical until it sees y
    b._core_network().set_optimizer_state(*_state(a))
    want = a.fit(x, labels, **FIT).history
    got = b.fit(x, labels, **FIT).history
    np.testing.assert_allclose(got["loss"], want["loss"], rtol=1e-5)
    assert b._core_network().iterations == a._core_network().iterations


def _state(model: keras.Sequential) -> tuple[int, list[np.ndarray]]:
    iterations, rows = model._core_network().optimizer_state()
    return iterations, [value for _, _, value in rows]


# ---- errors --------------------------------------------------------------------------------------------------
def test_target_errors() -> None:
    x, labels = _classification(n=32)
    sparse = _classifier("cpu", "sparse_categorical_crossentropy", [])
    with pytest.raises(ValueError, match="one integer class id") as info:
        sparse.fit(x, np.eye(3)[labels], verbose=0)
    assert "categorical_crossentropy" in str(info.value)
    with pytest.raises(ValueError, match=r"y\[\d+\]=3"):
        sparse.fit(x, labels + 1, verbose=0)
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        sparse.evaluate(x, labels - 1, verbose=0)
    with pytest.raises(ValueError, match=r"1\.5"):
        sparse.fit(x, labels + 0.5, verbose=0)
    with pytest.raises(ValueError, match="validation_data y"):
        sparse.fit(x, labels, validation_data=(x, labels + 3), verbose=0)
    onehot = _classifier("cpu", "categorical_crossentropy", [])
    with pytest.raises(ValueError, match="must have the same shape") as info:
        onehot.fit(x, np.eye(4)[labels], verbose=0)
    assert "(32, 4)" in str(info.value)
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        onehot.fit(x, labels, verbose=0)


def test_compile_errors() -> None:
    with pytest.raises(keras.NotSupportedError, match="reads targets as class ids"):
        _classifier("cpu", "categorical_crossentropy", ["sparse_categorical_accuracy"])
    with pytest.raises(keras.NotSupportedError, match="rows like the predictions"):
        _classifier("cpu", "sparse_categorical_crossentropy", ["top_k_categorical_accuracy"])
    for name in ("logcosh", "huber_loss", "kullback_leibler_divergence"):
        with pytest.raises(ValueError, match="Could not interpret loss identifier"):
            _classifier("cpu", name, [])
    with pytest.raises(ValueError, match="k must be a positive integer"):
        keras.metrics.TopKCategoricalAccuracy(k=0)
    with pytest.raises(keras.NotSupportedError, match="from_sorted_ids"):
        keras.metrics.SparseTopKCategoricalAccuracy(from_sorted_ids=True)


def test_metric_names_and_lookup() -> None:
    m = keras.metrics
    assert m.SparseCategoricalAccuracy().name == "sparse_categorical_accuracy"
    assert (
        m.TopKCategoricalAccuracy().k == 5
        and m.TopKCategoricalAccuracy().name == "top_k_categorical_accuracy"
    )
    assert m.SparseTopKCategoricalAccuracy(k=3).get_config() == {
        "name": "sparse_top_k_categorical_accuracy",
        "dtype": "float32",
        "k": 3,
    }
    assert m.resolve("sparse_top_k_categorical_accuracy", 3) == (
        "sparse_top_k_categorical_accuracy:5",
        "sparse_top_k_categorical_accuracy",
    )
    assert m.resolve("ACC", 3, sparse=True) == ("sparse_categorical_accuracy", "ACC")
    assert m.resolve("accuracy", 3) == ("categorical_accuracy", "accuracy")
    assert m.resolve("accuracy", 1, sparse=True) == ("binary_accuracy", "accuracy")


# ---- .keras files --------------------------------------------------------------------------------------------
def test_keras_file_round_trip(tmp_path: Any) -> None:
    x, labels = _classification(n=48)
    model = _classifier(
        "cpu",
        L.SparseCategoricalCrossentropy(from_logits=False),
        ["accuracy", keras.metrics.SparseTopKCategoricalAccuracy(k=2)],
    )
    model.fit(x, labels, **FIT)
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        compile_config = json.loads(zf.read("config.json"))["compile_config"]
    assert compile_config["loss"] == {
        "module": "keras.losses",
        "class_name": "SparseCategoricalCrossentropy",
        "config": {
            "name": "sparse_categorical_crossentropy",
            "reduction": "sum_over_batch_size",
            "from_logits": False,
            "ignore_class": None,
        },
        "registered_name": None,
    }
    assert compile_config["metrics"] == [
        "accuracy",
        {
            "module": "keras.metrics",
            "class_name": "SparseTopKCategoricalAccuracy",
            "config": {"name": "sparse_top_k_categorical_accuracy", "dtype": "float32", "k": 2},
            "registered_name": None,
        },
    ]
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.loss, L.SparseCategoricalCrossentropy)
    assert loaded.evaluate(x, labels, verbose=0) == pytest.approx(
        model.evaluate(x, labels, verbose=0), rel=1e-6
    )
    want = model.fit(x, labels, **FIT).history
    got = loaded.fit(x, labels, **FIT).history
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-5, err_msg=key)


@pytest.mark.parametrize(
    "loss",
    [
        "crossentropy",
        "categorical_crossentropy",
        "kld",
        L.CategoricalCrossentropy(label_smoothing=0.2),
        L.categorical_hinge,
        L.KLDivergence(),
        L.Poisson(name="p"),
    ],
    ids=str,
)
def test_compile_configs_read_back(tmp_path: Any, loss: Any) -> None:
    x, labels = _classification(n=32)
    onehot = np.eye(3, dtype=np.float32)[labels]
    model = _classifier("cpu", loss, ["accuracy", keras.metrics.TopKCategoricalAccuracy(k=1, name="t1")])
    model.fit(x, onehot, **FIT)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    want = model._keras_compile_config()
    got = loaded._keras_compile_config()
    assert got == want  # a function reads back as the function, as in Keras 3.15.1
    assert type(loaded._core_loss) is type(model._core_loss)
    close(loaded.evaluate(x, onehot, verbose=0), model.evaluate(x, onehot, verbose=0))
