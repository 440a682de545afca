"""keras.metrics objects on their own: update_state / result / reset_state, Keras 3.15's numbers."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import keras_lite as keras

M = keras.metrics


def close(value: Any, expected: Any, tol: float = 1e-6) -> None:
    np.testing.assert_allclose(np.asarray(value, dtype=np.float64), expected, rtol=tol, atol=tol)


# ---- goldens (Keras 3.15 runs) --------------------------------------------------------------------------
def test_mean_goldens() -> None:
    m = M.Mean()
    m.update_state([1, 3, 5, 7])
    close(m.result(), 4.0)
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    close(m.total.numpy(), 20.0)
    close(m.count.numpy(), 6.0)
    close(m.result(), 3.3333333)
    assert hasattr(m.result(), "numpy") and m.result().shape == () and m.result().dtype == np.float32
    assert float(m.result()) == pytest.approx(10 / 3, rel=1e-6)


def test_sum_and_wrapper() -> None:
    s = M.Sum()
    close(s([1, 2, 3]), 6.0)
    close(s([1, 2, 3], sample_weight=[0, 1, 0]), 8.0)
    w = M.MeanMetricWrapper(lambda t, p: np.abs(np.asarray(t) - np.asarray(p)), name="abs_err")
    close(w([0.0, 0.0], [1.0, 3.0]), 2.0)
    assert w.name == "abs_err"


def test_root_mean_squared_error_goldens() -> None:
    close(M.RootMeanSquaredError()([[0, 1], [0, 0]], [[1, 1], [0, 0]]), 0.5)
    close(M.RootMeanSquaredError()([[0, 1], [0, 0]], [[1, 1], [0, 0]], sample_weight=[1, 0]), 0.70710677)


def test_mean_absolute_percentage_error_golden() -> None:
    close(M.MeanAbsolutePercentageError()([[1], [2]], [[1.5], [2]]), 25.0)


def test_r2_score_goldens() -> None:
    close(M.R2Score()([[1], [4], [3]], [[2], [4], [4]]), 0.5714285)
    m = M.R2Score()
    m.update_state([[1], [4]], [[2], [4]])
    m.update_state([[3]], [[4]])
    close(m.result(), 0.5714285)
    close(M.R2Score(num_regressors=1)([[1], [4], [3], [5]], [[2], [4], [4], [5]]), 0.6571429)
    close(M.R2Score()([1, 4, 3], [[2], [4], [4]]), 0.5714285)  # (n,) with (n, 1): expanded
    with pytest.raises(ValueError, match="2D"):
        M.R2Score()([1, 4, 3], [2, 4, 4])


def test_r2_score_adjusted_falls_back_with_a_warning() -> None:
    m = M.R2Score(num_regressors=5)
    m.update_state([[1], [4], [3]], [[2], [4], [4]])
    with pytest.warns(UserWarning, match="Falling back"):
        close(m.result(), 0.5714285)
    m = M.R2Score(num_regressors=2)
    m.update_state([[1], [4], [3]], [[2], [4], [4]])
    with pytest.warns(UserWarning, match="Division by zero"):
        close(m.result(), 0.5714285)


def test_confusion_goldens() -> None:
    close(M.Precision()([0, 1, 1, 1], [1, 0, 1, 1]), 0.6666667)
    close(M.Recall()([0, 1, 1, 1], [1, 0, 1, 1]), 0.6666667)
    close(M.Precision()([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0]), 1.0)
    close(M.Recall()([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0]), 1.0)
    close(M.TruePositives()([0, 1, 1, 1], [1, 0, 1, 1]), 2.0)
    y, p = [0, 1, 1, 1, 0], [0.6, 0.4, 0.9, 0.51, 0.1]
    close(M.TruePositives()(y, p), 2.0)
    close(M.TrueNegatives()(y, p), 1.0)
    close(M.FalsePositives()(y, p), 1.0)
    close(M.FalseNegatives()(y, p), 1.0)
    close(M.TruePositives()([1], [0.5]), 0.0)  # 0.5 is not above 0.5
    precision = M.Precision(thresholds=[0.3, 0.7])([0, 1, 1, 1], [0.5, 0.2, 0.8, 0.6])
    assert precision.shape == (2,)
    close(precision, [0.6666667, 1.0])
    close(M.Recall(class_id=1)([[0, 1, 0], [0, 1, 0]], [[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]]), 0.5)


def test_auc_goldens() -> None:
    close(M.AUC(num_thresholds=3)([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]), 0.75)
    close(M.AUC(num_thresholds=3)([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], sample_weight=[1, 0, 0, 1]), 1.0)
    auc = M.AUC(num_thresholds=3)
    assert auc.thresholds == [-1e-7, 0.5, 1 + 1e-7]
    assert M.AUC(thresholds=[0.7, 0.2]).thresholds == [-1e-7, 0.2, 0.7, 1 + 1e-7]


# ---- NumPy references on random data --------------------------------------------------------------------
def exact_rank_auc(y: np.ndarray, s: np.ndarray) -> float:
    pos, neg = s[y == 1], s[y == 0]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def test_roc_auc_is_close_to_the_exact_rank_auc() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 1000)
    s = np.clip(rng.normal(0.5 + 0.15 * (y - 0.5), 0.2), 0, 1)
    assert abs(float(M.AUC()(y, s)) - exact_rank_auc(y, s)) < 1e-3


def ref_counts(y: np.ndarray, p: np.ndarray, w: np.ndarray, t: float) -> tuple[float, ...]:
    pos, lab = p > t, y != 0
    return tuple(float(np.sum(w * c)) for c in (pos & lab, pos & ~lab, ~pos & ~lab, ~pos & lab))


def ref_auc(
    y: np.ndarray, p: np.ndarray, w: np.ndarray, thresholds: list[float], curve: str, method: str
) -> float:
    c = np.array([ref_counts(y, np.clip(p, 0, 1), w, t) for t in thresholds])
    tp, fp, tn, fn = c.T

    def div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.array([x / z if z else 0.0 for x, z in zip(a, b)])

    if curve == "PR" and method == "interpolation":
        total = 0.0
        for i in range(len(thresholds) - 1):
            dtp = tp[i] - tp[i + 1]
            p0, p1 = tp[i] + fp[i], tp[i + 1] + fp[i + 1]
            slope = dtp / (p0 - p1) if p0 - p1 > 0 else 0.0
            icpt = tp[i + 1] - slope * p1
            ratio = p0 / p1 if p0 > 0 and p1 > 0 else 1.0
            den = tp[i + 1] + fn[i + 1]
            total += slope * (dtp + icpt * np.log(ratio)) / den if den > 0 else 0.0
        return total
    rec = div(tp, tp + fn)
    x, h = (div(fp, fp + tn), rec) if curve == "ROC" else (rec, div(tp, tp + fp))
    pick = {"interpolation": lambda a, b: (a + b) / 2, "minoring": min, "majoring": max}[method]
    return float(sum((x[i] - x[i + 1]) * pick(h[i], h[i + 1]) for i in range(len(x) - 1)))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("curve", ["ROC", "pr"])
@pytest.mark.parametrize("method", ["interpolation", "Minoring", "majoring"])
def test_auc_matches_a_numpy_reference(weighted: bool, curve: str, method: str) -> None:
    rng = np.random.default_rng(1)
    y, p = rng.integers(0, 2, 300), rng.random(300)
    w = rng.random(300) if weighted else np.ones(300)
    m = M.AUC(num_thresholds=50, curve=curve, summation_method=method)
    m.update_state(y, p, sample_weight=w if weighted else None)
    close(m.result(), ref_auc(y, p, w, m.thresholds, curve.upper(), method.lower()), 1e-4)


def test_multi_label_auc_is_the_weighted_mean_of_per_label_aucs() -> None:
    rng = np.random.default_rng(2)
    y, p = rng.integers(0, 2, (200, 3)), rng.random((200, 3))
    per = [float(M.AUC(num_thresholds=40)(y[:, j], p[:, j])) for j in range(3)]
    close(M.AUC(num_thresholds=40, multi_label=True)(y, p), np.mean(per), 1e-5)
    lw = [1.0, 2.0, 0.5]
    close(M.AUC(num_thresholds=40, multi_label=True, label_weights=lw)(y, p), np.dot(per, lw) / sum(lw), 1e-5)
    logits = np.log(p / (1 - p))
    close(M.AUC(num_thresholds=40, multi_label=True, from_logits=True)(y, logits), np.mean(per), 1e-4)


@pytest.mark.parametrize("weighted", [False, True])
def test_confusion_metrics_match_a_numpy_reference(weighted: bool) -> None:
    rng = np.random.default_rng(3)
    y, p = rng.integers(0, 2, (50, 4)), rng.random((50, 4))
    w = rng.random(50) if weighted else np.ones(50)
    sw = w if weighted else None
    thr = [0.2, 0.5, 0.9]
    counts = np.array([ref_counts(y, p, w[:, None] * np.ones((1, 4)), t) for t in thr])
    for i, cls in enumerate([M.TruePositives, M.FalsePositives, M.TrueNegatives, M.FalseNegatives]):
        close(cls(thresholds=thr)(y, p, sample_weight=sw), counts[:, i], 1e-5)
    tp, fp, _, fn = counts.T
    close(M.Precision(thresholds=thr)(y, p, sample_weight=sw), tp / (tp + fp), 1e-5)
    close(M.Recall(thresholds=thr)(y, p, sample_weight=sw), tp / (tp + fn), 1e-5)
    col = [ref_counts(y[:, 2], p[:, 2], w, 0.5)]
    close(M.Precision(class_id=2)(y, p, sample_weight=sw), col[0][0] / (col[0][0] + col[0][1]), 1e-5)


def test_precision_top_k_keeps_the_k_largest_per_row() -> None:
    y = np.array([[0, 1, 0, 1], [1, 0, 0, 0]])
    p = np.array([[0.1, 0.9, 0.3, 0.2], [0.5, 0.6, 0.7, 0.1]])
    # top 1: row 0 predicts class 1 (right), row 1 class 2 (wrong)
    close(M.Precision(top_k=1)(y, p), 0.5)
    close(M.Recall(top_k=2)(y, p), 1 / 3)


def np_r2(y: np.ndarray, q: np.ndarray, w: np.ndarray) -> np.ndarray:
    mean = np.sum(w * y, axis=0) / np.sum(w, axis=0)
    return 1 - np.sum(w * (y - q) ** 2, axis=0) / np.sum(w * (y - mean) ** 2, axis=0)


@pytest.mark.parametrize("weighted", [False, True])
def test_regression_metrics_match_numpy(weighted: bool) -> None:
    rng = np.random.default_rng(4)
    y, q = rng.normal(size=(40, 3)), rng.normal(size=(40, 3))
    w = rng.random(40) if weighted else np.ones(40)
    sw = w if weighted else None
    per_sample = np.mean((y - q) ** 2, axis=1)
    close(M.RootMeanSquaredError()(y, q, sample_weight=sw), np.sqrt(np.sum(w * per_sample) / np.sum(w)), 1e-5)
    close(M.MeanSquaredError()(y, q, sample_weight=sw), np.sum(w * per_sample) / np.sum(w), 1e-5)
    mae = np.mean(np.abs(y - q), axis=1)
    close(M.MeanAbsoluteError()(y, q, sample_weight=sw), np.sum(w * mae) / np.sum(w), 1e-5)
    mape = 100 * np.mean(np.abs((y - q) / np.abs(y)), axis=1)
    close(M.MeanAbsolutePercentageError()(y, q, sample_weight=sw), np.sum(w * mape) / np.sum(w), 1e-4)
    r2 = np_r2(y, q, w[:, None])
    close(M.R2Score(class_aggregation=None)(y, q, sample_weight=sw), r2, 1e-4)
    close(M.R2Score()(y, q, sample_weight=sw), np.mean(r2), 1e-4)
    var = np.sum(w[:, None] * (y - np.sum(w[:, None] * y, 0) / np.sum(w)) ** 2, axis=0)
    close(
        M.R2Score(class_aggregation="variance_weighted_average")(y, q, sample_weight=sw),
        np.dot(var, r2) / var.sum(),
        1e-4,
    )


@pytest.mark.parametrize("weighted", [False, True])
def test_accuracy_metrics_match_numpy(weighted: bool) -> None:
    rng = np.random.default_rng(5)
    p = rng.random((60, 5))
    ids = rng.integers(0, 5, 60)
    onehot = np.eye(5)[ids]
    w = rng.random(60) if weighted else np.ones(60)
    sw = w if weighted else None

    def mean(v: np.ndarray) -> float:
        return float(np.sum(w * v) / np.sum(w))

    close(M.CategoricalAccuracy()(onehot, p, sample_weight=sw), mean(p.argmax(1) == ids), 1e-6)
    close(M.SparseCategoricalAccuracy()(ids[:, None], p, sample_weight=sw), mean(p.argmax(1) == ids), 1e-6)
    rank = (p > p[np.arange(60), ids][:, None]).sum(1)
    close(M.TopKCategoricalAccuracy(k=2)(onehot, p, sample_weight=sw), mean(rank < 2), 1e-6)
    close(M.SparseTopKCategoricalAccuracy(k=3)(ids, p, sample_weight=sw), mean(rank < 3), 1e-6)
    yb, pb = rng.integers(0, 2, (60, 1)), rng.random((60, 1))
    close(M.BinaryAccuracy()(yb, pb, sample_weight=sw), mean((yb == (pb > 0.5))[:, 0]), 1e-6)
    close(M.BinaryAccuracy(threshold=0.8)(yb, pb, sample_weight=sw), mean((yb == (pb > 0.8))[:, 0]), 1e-6)


# ---- state: reset, several updates --------------------------------------------------------------------
MAKERS = [
    lambda: M.Mean(),
    lambda: M.MeanSquaredError(),
    lambda: M.RootMeanSquaredError(),
    lambda: M.R2Score(),
    lambda: M.Precision(thresholds=[0.3, 0.6]),
    lambda: M.Recall(),
    lambda: M.FalseNegatives(),
    lambda: M.AUC(num_thresholds=30),
    lambda: M.AUC(curve="PR"),
    lambda: M.BinaryAccuracy(),
]


def batch(make: Any, rng: np.random.Generator, n: int) -> tuple[Any, ...]:
    y = rng.integers(0, 2, (n, 1)).astype(float)
    p = rng.random((n, 1))
    if type(make()) is M.Mean:
        return (p[:, 0],)
    return (y, p)


@pytest.mark.parametrize("make", MAKERS)
def test_several_updates_equal_one_big_update_and_reset_starts_over(make: Any) -> None:
    rng = np.random.default_rng(6)
    parts = [batch(make, rng, n) for n in (7, 13, 5)]
    weights = [rng.random(len(p[0])) for p in parts]
    split = make()
    for args, w in zip(parts, weights):
        split.update_state(*args, sample_weight=w)
    whole = make()
    whole.update_state(*(np.concatenate(a) for a in zip(*parts)), sample_weight=np.concatenate(weights))
    close(split.result(), whole.result(), 1e-5)
    first = make()
    first.update_state(*parts[0])
    split.reset_state()
    assert all(not np.any(np.asarray(v)) for v in split.variables)
    split.update_state(*parts[0])
    close(split.result(), first.result(), 1e-6)


def test_variables_are_named_float32_state() -> None:
    assert [v.name for v in M.Mean().variables] == ["total", "count"]
    assert [v.name for v in M.Precision().variables] == ["true_positives", "false_positives"]
    assert [v.name for v in M.Recall().variables] == ["true_positives", "false_negatives"]
    auc = M.AUC(num_thresholds=7)
    assert [v.shape for v in auc.variables] == [(7,)] * 4
    assert all(np.asarray(v).dtype == np.float32 for v in auc.variables)
    r2 = M.R2Score()
    r2.update_state([[1, 2]], [[1, 2]])
    assert {v.name for v in r2.variables} == {"num_samples", "squared_sum", "sum", "residual", "count"}


# ---- names and configs ----------------------------------------------------------------------------------
def test_default_names_count_as_keras_auto_name() -> None:
    keras.utils.clear_session()
    assert [M.AUC().name, M.AUC().name, M.AUC(name="roc").name] == ["auc", "auc_1", "roc"]
    assert M.TruePositives().name == "true_positives" and M.Precision().name == "precision"
    assert M.Recall().name == "recall" and M.Recall().name == "recall_1"
    # explicit default names do not count
    assert M.Mean().name == M.Mean().name == "mean" and M.R2Score().name == "r2_score"
    assert M.RootMeanSquaredError().name == "root_mean_squared_error"
    assert M.MeanAbsolutePercentageError().name == "mean_absolute_percentage_error"
    keras.utils.clear_session()
    assert M.AUC().name == "auc"


def test_configs_round_trip() -> None:
    assert M.Mean().get_config() == {"name": "mean", "dtype": "float32"}
    assert M.BinaryAccuracy(threshold=0.3).get_config() == {
        "name": "binary_accuracy",
        "dtype": "float32",
        "threshold": 0.3,
    }
    p = M.Precision(thresholds=[0.2, 0.4], class_id=1, name="p")
    assert p.get_config() == {
        "name": "p",
        "dtype": "float32",
        "thresholds": [0.2, 0.4],
        "top_k": None,
        "class_id": 1,
    }
    assert M.TruePositives(name="tp").get_config() == {"name": "tp", "dtype": "float32", "thresholds": None}
    cfg = M.AUC(thresholds=[0.3, 0.6], curve="pr", name="a").get_config()
    assert cfg["curve"] == "PR" and cfg["thresholds"] == [0.3, 0.6] and cfg["name"] == "a"
    assert "thresholds" not in M.AUC(name="b").get_config()
    again = M.AUC.from_config(cfg)
    assert again.thresholds == M.AUC(thresholds=[0.3, 0.6]).thresholds and again.curve == "PR"
    r2 = M.R2Score(class_aggregation=None, num_regressors=2)
    assert M.R2Score.from_config(r2.get_config()).get_config() == r2.get_config()


def test_directions() -> None:
    up = [M.AUC(), M.Precision(), M.Recall(), M.R2Score(), M.BinaryAccuracy(), M.TruePositives()]
    down = [
        M.RootMeanSquaredError(),
        M.MeanSquaredError(),
        M.MeanAbsolutePercentageError(),
        M.FalseNegatives(),
    ]
    assert all(m._direction == "up" for m in up) and all(m._direction == "down" for m in down)


# ---- errors ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: M.Precision(thresholds=1.5), "[0, 1]"),
        (lambda: M.TruePositives(thresholds=[0.5, -0.1]), "[0, 1]"),
        (lambda: M.AUC(num_thresholds=1), "num_thresholds"),
        (lambda: M.AUC(curve="XY"), "curve"),
        (lambda: M.AUC(summation_method="trapezoid"), "summation_method"),
        (lambda: M.AUC(num_labels=3), "num_labels"),
        (lambda: M.R2Score(class_aggregation="mean"), "class_aggregation"),
        (lambda: M.R2Score(num_regressors=-1), "num_regressors"),
        (
            lambda: M.BinaryAccuracy(threshold=float("nan")),
            "threshold",
        ),  # any finite value is taken, as in Keras 3.15
        (lambda: M.Precision(top_k=0), "top_k"),
        (lambda: M.Mean(dtype="float64"), "dtype"),
        (lambda: M.Recall(class_id=1)([0, 1], [0.2, 0.8]), "class_id"),
        (lambda: M.Mean()(np.ones(3), sample_weight=np.ones(4)), "sample_weight"),
    ],
)
def test_bad_arguments_raise_value_error(make: Any, words: str) -> None:
    with pytest.raises(ValueError, match=words.replace("[", r"\[").replace("]", r"\]")):
        make()


def test_unweighted_metrics_start_at_zero() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for m in (M.Mean(), M.Precision(), M.Recall(), M.AUC(), M.R2Score(), M.RootMeanSquaredError()):
            close(m.result(), 0.0)


def test_a_metric_subclass_keeps_its_own_state() -> None:
    class CountAbove(M.Metric):
        def __init__(self, name: str = "count_above", **kwargs: Any) -> None:
            super().__init__(name=name, **kwargs)
            self.n = self.add_variable(shape=(), initializer="zeros", name="n")

        def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
            self.n.assign_add(np.sum(np.asarray(y_pred) > 0.5))

        def result(self) -> Any:
            return self.n.numpy()

    m = CountAbove()
    assert float(m([1, 0], [0.9, 0.7])) == 2.0 and float(m.n) == 2.0
    m.reset_state()
    assert float(m.result()) == 0.0 and m.get_config() == {"name": "count_above", "dtype": "float32"}
    with pytest.raises(keras.NotSupportedError, match="initializer"):
        m.add_variable(shape=(), initializer="ones", name="x")
