"""Count-based and other stateful metrics inside compile (AUC, Precision, Recall, TP…FN, R2Score, RMSE, MAPE,
BinaryAccuracy(threshold)), computed in the core on both devices: the goldens of KERAS_COMPAT_2 §14.5-14.7
through evaluate and fit, a live-Keras run's numbers, epoch values equal to the standalone objects over all
the rows (so an epoch's AUC comes from summed counts), history keys, and refused configurations."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers

M = keras.metrics


def _passthrough(width: int, device: str) -> keras.Sequential:
    """A model whose output is its input (identity kernel, no bias), so x gives the predictions."""
    model = keras.Sequential(
        [keras.Input((width,)), layers.Dense(width, use_bias=False, kernel_initializer="identity")],
        device=device,
    )
    return model


def _evaluate(
    p: Any, y: Any, metrics: list[Any], device: str, weighted: Any = None, sw: Any = None, batch_size: int = 2
) -> dict[str, Any]:
    p = np.asarray(p, np.float32).reshape(len(p), -1)
    y = np.asarray(y, np.float32).reshape(len(y), -1)
    model = _passthrough(p.shape[1], device)
    model.compile(keras.optimizers.SGD(0.0), "mse", metrics=metrics, weighted_metrics=weighted)
    return model.evaluate(p, y, batch_size=batch_size, sample_weight=sw, verbose=0, return_dict=True)


@pytest.mark.parametrize("device", DEVICES)
def test_threshold_goldens(device: str) -> None:
    # §14.6 K3-run: y [0,1,1,1,0], p [.6,.4,.9,.51,.1] give TP 2, TN 1, FP 1, FN 1 (0.5 exactly is negative).
    y, p = [0, 1, 1, 1, 0], [0.6, 0.4, 0.9, 0.51, 0.1]
    got = _evaluate(
        p,
        y,
        ["true_positives", M.TrueNegatives(name="tn"), M.FalsePositives(name="fp"), "FalseNegatives"],
        device,
    )
    assert (got["true_positives"], got["tn"], got["fp"], got["FalseNegatives"]) == (2.0, 1.0, 1.0, 1.0)
    # Precision(thresholds=[.3,.7]) on y [0,1,1,1], p [.5,.2,.8,.6] gives [2/3, 1] (a vector result).
    got = _evaluate(
        [0.5, 0.2, 0.8, 0.6], [0, 1, 1, 1], [M.Precision(thresholds=[0.3, 0.7], name="p")], device
    )
    np.testing.assert_allclose(got["p"], [0.6666667, 1.0], rtol=1e-6)
    # Docstring: P and R on [0,1,1,1] vs [1,0,1,1] give 2/3; with sw [0,0,1,0] only weighted_metrics see 1.0.
    sw = np.array([0, 0, 1, 0], np.float32)
    got = _evaluate([1, 0, 1, 1], [0, 1, 1, 1], ["precision", "recall"], device, ["precision"], sw)
    assert got["precision"] == pytest.approx(0.6666667) and got["recall"] == pytest.approx(0.6666667)
    assert got["weighted_precision"] == pytest.approx(1.0)
    # Recall(class_id=1) on y [[0,1,0],[0,1,0]], p [[.2,.7,.1],[.6,.3,.1]] gives 0.5.
    got = _evaluate(
        [[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]], [[0, 1, 0], [0, 1, 0]], [M.Recall(class_id=1, name="r")], device
    )
    assert got["r"] == pytest.approx(0.5)
    got = _evaluate([0.3, 0.8, 0.6], [0, 1, 0], [M.BinaryAccuracy(threshold=0.7, name="acc7")], device)
    assert got["acc7"] == pytest.approx(1.0)  # 0.6 is below 0.7: all three right


@pytest.mark.parametrize("device", DEVICES)
def test_auc_and_regression_goldens(device: str) -> None:
    # §14.7 docstring: AUC(num_thresholds=3) on y [0,0,1,1], p [0,.5,.3,.9] gives 0.75, and 1.0 with sw [1,0,0,1].
    y, p, sw = [0, 0, 1, 1], [0, 0.5, 0.3, 0.9], np.array([1, 0, 0, 1], np.float32)
    got = _evaluate(
        p, y, [M.AUC(num_thresholds=3, name="a")], device, [M.AUC(num_thresholds=3, name="w")], sw
    )
    assert got["a"] == pytest.approx(0.75) and got["w"] == pytest.approx(1.0)
    # §14.5: R2 .5714285 (over two batches); adjusted for one regressor .6571429.
    got = _evaluate([2, 4, 4], [1, 4, 3], ["r2_score"], device)
    assert got["r2_score"] == pytest.approx(0.5714285, rel=1e-6)
    got = _evaluate([2, 4, 4, 5], [1, 4, 3, 5], [M.R2Score(num_regressors=1, name="adj")], device)
    assert got["adj"] == pytest.approx(0.6571429, rel=1e-6)
    # RMSE: [[0,1],[0,0]] vs [[1,1],[0,0]] gives 0.5; with sw [1,0] 0.70710677 (weighted_metrics).
    sw = np.array([1, 0], np.float32)
    got = _evaluate(
        [[1, 1], [0, 0]],
        [[0, 1], [0, 0]],
        ["root_mean_squared_error"],
        device,
        ["root_mean_squared_error"],
        sw,
        1,
    )
    assert got["root_mean_squared_error"] == pytest.approx(0.5)
    assert got["weighted_root_mean_squared_error"] == pytest.approx(0.70710677)
    # MAPE: [[1],[2]] vs [[1.5],[2]] gives 25.0.
    assert _evaluate([1.5, 2], [1, 2], ["mape"], device)["mape"] == pytest.approx(25.0)


# A live Keras 3.15.1 run (printed once, TensorFlow backend): x, y, sw from default_rng(0) as below, Dense(2,
# sigmoid) fixed at W, b, SGD(0.0), binary_crossentropy, batch 10, shuffle=False, validation on the first 20
# rows with their weights. Keras's own History keeps one array for a vector metric across the epoch and its
# validation ('fn' there equals 'val_fn'), so the training 'fn' is Keras's evaluate() value.
KERAS_RUN = {
    "AUC": 0.45935261249542236,
    "bacc": 0.5234375,
    "fn": [1.5059982538223267, 15.889624],
    "loss": 0.36611253023147583,
    "mape": 270098880.0,
    "ml_auc": 0.45855197310447693,
    "pr_auc": 0.4364645481109619,
    "prec": [0.4403669834136963, 0.4444444477558136],
    "r2": -0.15951091051101685,
    "r2_cols": [-0.1707746982574463, -0.22858381271362305],
    "rec1": 0.42307692766189575,
    "root_mean_squared_error": 0.5333709120750427,
    "true_positives": 25.0,
    "val_AUC": 0.4362500309944153,
    "val_bacc": 0.550000011920929,
    "val_fn": [1.5059982538223267, 5.635769844055176],
    "val_loss": 0.37199825048446655,
    "val_mape": 244938928.0,
    "val_ml_auc": 0.4292929470539093,
    "val_pr_auc": 0.5085203647613525,
    "val_prec": [0.4571428596973419, 0.6000000238418579],
    "val_r2": -0.1531890630722046,
    "val_r2_cols": [-0.06197488307952881, -0.4317021369934082],
    "val_rec1": 0.3333333432674408,
    "val_root_mean_squared_error": 0.534241795539856,
    "val_true_positives": 8.0,
    "val_weighted_AUC": 0.3701591491699219,
    "weighted_AUC": 0.4182935953140259,
}


@pytest.mark.parametrize("device", DEVICES)
def test_a_fit_matches_a_live_keras_run(device: str) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (rng.random((64, 2)) < 0.5).astype("float32")
    sw = rng.random(64).astype("float32")
    w = np.array([[0.5, -0.3], [0.2, 0.8], [-0.6, 0.1]], "float32")
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2, activation="sigmoid")], device=device)
    model.layers[0].set_weights([w, np.array([0.1, -0.2], "float32")])
    metrics = [
        "AUC",
        M.AUC(curve="PR", name="pr_auc"),
        M.AUC(multi_label=True, summation_method="minoring", name="ml_auc"),
        M.Precision(thresholds=[0.3, 0.6], name="prec"),
        M.Recall(class_id=1, name="rec1"),
        "true_positives",
        M.R2Score(name="r2"),
        "root_mean_squared_error",
        "mape",
        M.BinaryAccuracy(threshold=0.6, name="bacc"),
    ]
    weighted = [
        "AUC",
        M.R2Score(class_aggregation=None, name="r2_cols"),
        M.FalseNegatives(thresholds=[0.2, 0.5], name="fn"),
    ]
    model.compile(
        keras.optimizers.SGD(0.0), "binary_crossentropy", metrics=metrics, weighted_metrics=weighted
    )
    val = (x[:20], y[:20], sw[:20])
    hist = model.fit(
        x, y, batch_size=10, shuffle=False, validation_data=val, sample_weight=sw, verbose=0
    ).history
    assert sorted(hist) == sorted(KERAS_RUN)
    for key, want in KERAS_RUN.items():
        np.testing.assert_allclose(hist[key][0], want, rtol=2e-6, err_msg=key)
    assert isinstance(hist["prec"][0], np.ndarray) and hist["prec"][0].shape == (2,)


def _standalone(metric: Any, y: np.ndarray, p: np.ndarray, sw: np.ndarray | None) -> np.ndarray:
    fresh = type(metric).from_config({k: v for k, v in metric.get_config().items() if k != "name"})
    fresh.update_state(y, p, sample_weight=sw)
    return np.asarray(fresh.result(), np.float64)


def _stateful_metrics() -> list[Any]:
    return [
        M.AUC(name="roc"),
        M.AUC(num_thresholds=37, curve="PR", name="pr"),
        M.AUC(curve="PR", summation_method="majoring", name="pr_major"),
        M.AUC(summation_method="minoring", thresholds=[0.2, 0.45, 0.7], name="roc_given"),
        M.AUC(multi_label=True, label_weights=[0.2, 1.0, 0.5], name="ml"),
        M.AUC(from_logits=True, name="logits"),
        M.Precision(thresholds=[0.1, 0.5, 0.9], name="prec"),
        M.Precision(top_k=2, name="prec_top2"),
        M.Recall(class_id=2, thresholds=0.3, name="rec"),
        M.TruePositives(thresholds=[0.25, 0.75], name="tp"),
        M.TrueNegatives(name="tn"),
        M.R2Score(class_aggregation="variance_weighted_average", name="r2v"),
        M.R2Score(class_aggregation=None, num_regressors=2, name="r2c"),
        M.RootMeanSquaredError(name="rmse_"),
        M.MeanAbsolutePercentageError(name="mape_"),
        M.BinaryAccuracy(threshold=0.35, name="bacc"),
    ]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("batch_size", [7, 32, 500])
def test_epoch_values_are_the_standalone_metric_over_all_rows(device: str, batch_size: int) -> None:
    rng = np.random.default_rng(batch_size)
    n = 150
    x = rng.normal(size=(n, 4)).astype(np.float32)
    y = (rng.random((n, 3)) < 0.4).astype(np.float32)
    sw = rng.random(n).astype(np.float32) * (rng.random(n) < 0.8)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="sigmoid")], device=device)
    batches: list[dict[str, Any]] = []
    record = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: batches.append(dict(logs)))
    plain, heavy = _stateful_metrics(), [M.AUC(name="w_roc"), M.R2Score(name="w_r2"), M.Precision(name="w_p")]
    model.compile(keras.optimizers.SGD(0.0), "binary_crossentropy", metrics=plain, weighted_metrics=heavy)
    hist = model.fit(
        x,
        y,
        batch_size=batch_size,
        shuffle=False,
        sample_weight=sw,
        validation_data=(x, y, sw),
        callbacks=[record],
        verbose=0,
    ).history
    p = model.predict(x, verbose=0)
    ev = model.evaluate(x, y, batch_size=batch_size, sample_weight=sw, verbose=0, return_dict=True)
    for m in plain + heavy:
        want = _standalone(m, y, p, sw if m in heavy else None)
        # A sigmoid of these probabilities crowds them into (0.5, 0.73), where float32 (Keras and the core) and
        # the reference's float64 put a few rows on either side of a threshold.
        rtol = 1e-3 if m.name == "logits" else 2e-5
        for got in (hist[m.name][0], hist[f"val_{m.name}"][0], ev[m.name]):
            np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-6, err_msg=m.name)
        # The first batch's log is that batch's own value (running values start afresh each epoch). The GPU
        # reads running values back now and then, and not within a one-step epoch.
        if device == "gpu" and batch_size >= n:
            continue
        first = _standalone(m, y[:batch_size], p[:batch_size], sw[:batch_size] if m in heavy else None)
        np.testing.assert_allclose(batches[0][m.name], first, rtol=rtol, atol=1e-6, err_msg=m.name)
    if batch_size == 7:
        # The epoch AUC comes from summed counts, not from the mean of the batches' AUCs.
        per_batch = [_standalone(plain[0], y[i : i + 7], p[i : i + 7], None) for i in range(0, n, 7)]
        assert abs(float(np.mean(per_batch)) - hist["roc"][0]) > 1e-3


def test_history_keys_and_names() -> None:
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(20, 2)).astype(np.float32), (rng.random((20, 1)) < 0.5).astype(np.float32)
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1, activation="sigmoid")])
    auc = M.AUC()
    metrics = [
        "AUC",
        auc,
        M.Recall(name="rec"),
        "precision",
        "r2_score",
        "mape",
        "root_mean_squared_error",
        "true_positives",
    ]
    model.compile("sgd", "binary_crossentropy", metrics=metrics, weighted_metrics=["AUC"])
    hist = model.fit(x, y, epochs=1, validation_split=0.25, verbose=0).history
    base = [
        "AUC",
        auc.name,
        "rec",
        "precision",
        "r2_score",
        "mape",
        "root_mean_squared_error",
        "true_positives",
        "weighted_AUC",
    ]
    assert auc.name.startswith("auc")
    assert sorted(hist) == sorted(["loss", "val_loss", *base, *(f"val_{k}" for k in base)])
    with pytest.raises(ValueError, match="rmse"):
        model.compile("sgd", "mse", metrics=["rmse"])


@pytest.mark.parametrize(
    ("make", "arg"),
    [
        (lambda: M.AUC(num_thresholds=1), "num_thresholds"),
        (lambda: M.Precision(thresholds=[0.5, 1.5]), "thresholds"),
        (lambda: M.TruePositives(thresholds=-0.1), "thresholds"),
        (lambda: M.AUC(curve="PRGAIN"), "curve"),
        (lambda: M.R2Score(class_aggregation="mean"), "class_aggregation"),
        (lambda: M.Recall(top_k=0), "top_k"),
    ],
)
def test_bad_metric_arguments_raise(make: Any, arg: str) -> None:
    with pytest.raises(ValueError, match=arg):
        make()


@pytest.mark.parametrize(
    ("metric", "arg"),
    [
        (lambda: M.Recall(class_id=3), "class_id"),
        (lambda: M.AUC(multi_label=True, num_labels=4), "num_labels"),
        (lambda: M.AUC(label_weights=[1.0, 2.0]), "label_weights"),
    ],
)
def test_metrics_that_do_not_fit_the_output_are_refused_at_compile(metric: Any, arg: str) -> None:
    model = keras.Sequential([keras.Input((2,)), layers.Dense(3)])
    model.compile("sgd", "mse", metrics=["mae"])
    with pytest.raises(ValueError, match=arg):
        model.compile("sgd", "mse", metrics=[metric()])
    assert model.compiled_metrics._metrics == ["mae"]  # the previous compile stays


def test_a_sparse_loss_refuses_metrics_that_read_rows() -> None:
    model = keras.Sequential([keras.Input((2,)), layers.Dense(3, activation="softmax")])
    with pytest.raises(keras.NotSupportedError, match="rows like the predictions"):
        model.compile("sgd", "sparse_categorical_crossentropy", metrics=[M.R2Score()])


def test_stateful_metrics_survive_a_keras_file_round_trip(tmp_path: Any) -> None:
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1, activation="sigmoid")])
    model.compile(
        "sgd",
        "binary_crossentropy",
        metrics=[
            M.AUC(num_thresholds=50, curve="PR", name="pr"),
            M.Precision(thresholds=[0.2, 0.8], name="p"),
        ],
    )
    path = str(tmp_path / "m.keras")
    model.save(path)
    back = keras.saving.load_model(path)
    x = np.random.default_rng(0).normal(size=(30, 2)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    a = model.evaluate(x, y, verbose=0, return_dict=True)
    b = back.evaluate(x, y, verbose=0, return_dict=True)
    assert a["pr"] == pytest.approx(b["pr"]) and np.allclose(a["p"], b["p"]) and b["p"].shape == (2,)


@pytest.mark.parametrize(
    ("metric", "key", "op"),
    [
        ("AUC", "val_AUC", operator.gt),
        ("mape", "mape", operator.lt),
        (M.FalseNegatives(name="fn"), "fn", operator.lt),
        (M.R2Score(name="r2"), "val_r2", operator.gt),
    ],
)
def test_callbacks_in_auto_mode_take_the_metrics_direction(metric: Any, key: str, op: Any) -> None:
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=[metric])
    stop = keras.callbacks.EarlyStopping(monitor=key)
    x = np.zeros((4, 2), np.float32)
    model.fit(
        x,
        np.ones((4, 1), np.float32),
        epochs=1,
        validation_data=(x, np.ones((4, 1), np.float32)),
        callbacks=[stop],
        verbose=0,
    )
    assert stop.monitor_op is op


def _one_batch(p: Any, y: Any, metrics: list[Any], device: str, fit: bool) -> dict[str, Any]:
    """The metrics of p against y as one batch, from `fit` (one epoch, SGD(0)) or `evaluate`."""
    model = _passthrough(p.shape[1], device)
    model.compile(keras.optimizers.SGD(0.0), "mse", metrics=metrics)
    if fit:
        history = model.fit(p, y, batch_size=len(p), epochs=1, shuffle=False, verbose=0).history
        return {k: v[-1] for k, v in history.items()}
    return model.evaluate(p, y, batch_size=len(p), verbose=0, return_dict=True)


@pytest.mark.parametrize("fit", [False, True])
@pytest.mark.parametrize("device", DEVICES)
def test_large_batches_count_every_row(device: str, fit: bool) -> None:
    # One batch of many rows, or a row of many classes ranked for top_k: the GPU's software driver (lavapipe)
    # ends a shader's loops after 65,535 iterations, which left rows uncounted (27,594 of 32,000 decisions
    # here) and top_k over 300 classes counted from the first row only. The counts are checked against the
    # row count and the standalone metric objects, which compute in NumPy.
    rng = np.random.default_rng(3)
    p = rng.random((4000, 8), dtype=np.float32)
    y = (rng.random((4000, 8)) > 0.5).astype(np.float32)
    names = ["tp", "fp", "tn", "fn"]
    counts = [M.TruePositives, M.FalsePositives, M.TrueNegatives, M.FalseNegatives]
    got = _one_batch(p, y, [m(name=n) for m, n in zip(counts, names)] + [M.AUC(name="a")], device, fit)
    assert sum(got[n] for n in names) == 32000
    ties = rng.random((3000, 12), dtype=np.float32)
    ties[::7, 2], ties[::11] = ties[::7, 4], 0.5  # equal values in a row: the first ones are its top k
    wide = rng.random((200, 300), dtype=np.float32)
    cases = [
        (p, y, [M.AUC(name="a"), M.AUC(multi_label=True, name="m")]),
        (ties, np.eye(12, dtype=np.float32)[rng.integers(0, 12, 3000)], [M.Precision(top_k=3, name="a")]),
        (
            ties,
            np.eye(12, dtype=np.float32)[rng.integers(0, 12, 3000)],
            [M.Recall(top_k=1, class_id=4, name="a")],
        ),
        (wide, np.eye(300, dtype=np.float32)[rng.integers(0, 300, 200)], [M.Precision(top_k=5, name="a")]),
    ]
    # R² of 70,000 rows whose last ones fit worst (float32 sums on the GPU: a looser tolerance).
    regression = rng.random((70000, 1), dtype=np.float32)
    noise = rng.random((70000, 1), dtype=np.float32) * np.where(np.arange(70000) < 65000, 0.2, 3.0)[:, None]
    cases.append((regression, regression + noise.astype(np.float32), [M.R2Score(name="a")]))
    for x, target, metrics in cases:
        got = _one_batch(x, target, metrics, device, fit)
        for m in metrics:
            standalone = type(m).from_config(m.get_config())
            standalone.update_state(target, x)
            rel = 5e-4 if isinstance(m, M.R2Score) else 2e-5
            assert got[m.name] == pytest.approx(float(standalone.result()), rel=rel), m.name


@pytest.mark.parametrize("device", DEVICES)
def test_r2_score_beyond_float32_is_zero_as_keras_float32_sums_make_it(device: str) -> None:
    # Residuals of 1e20 square past float32's range: Keras's sum is infinite and its score then 0.
    x = np.array([[1.0], [2.0], [3.0], [4.0]], np.float32)
    y = np.array([[1.0], [2.0], [0.0], [5.0]], np.float32)
    big = keras.initializers.Constant(1e20)
    model = keras.Sequential([keras.Input((1,)), layers.Dense(1, kernel_initializer=big)], device=device)
    model.compile("sgd", "mae", metrics=[keras.metrics.R2Score()])
    assert model.evaluate(x, y, verbose=0, return_dict=True)["r2_score"] == 0.0
    standalone = keras.metrics.R2Score()
    with np.errstate(over="ignore"):
        standalone.update_state(y, model.predict(x, verbose=0))
    assert float(standalone.result()) == 0.0
