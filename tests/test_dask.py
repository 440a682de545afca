"""examples/dask_batch_predict.py and examples/dask_sweep.py on a LocalCluster of worker processes (loopback
only), checked against local runs. Skipped when the optional ``dask`` extra is not installed."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip(
    "dask.dataframe", reason="the optional dask extra (pip install keras_lite[dask]) is missing"
)
distributed = pytest.importorskip("distributed", reason="the optional dask extra is missing")
cloudpickle = pytest.importorskip("cloudpickle")

import dask.dataframe as dd  # noqa: E402

import keras_lite as keras  # noqa: E402

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def _example(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    # Worker processes cannot import examples/: send the module's functions by value.
    cloudpickle.register_pickle_by_value(module)
    return module


batch = _example("dask_batch_predict")
sweep = _example("dask_sweep")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    with cluster, distributed.Client(cluster) as c:
        # The examples' functions go by value, but a graph dask pickles whole (a filtered frame's) may name
        # them by module: the workers get the two modules too, whatever test runs first.
        for name in ("dask_batch_predict", "dask_sweep"):
            c.upload_file(os.path.join(EXAMPLES, f"{name}.py"))
        yield c


def _count_unpickles():
    import keras_lite.saving as saving
    from keras_lite.models import Model

    if not hasattr(saving, "_unpickle_count"):
        saving._unpickle_count = 0
        original = Model.__setstate__

        def counting(self, state):
            saving._unpickle_count += 1
            original(self, state)

        Model.__setstate__ = counting
    saving._unpickle_count = 0


def _unpickles():
    import keras_lite.saving as saving

    return saving._unpickle_count


def test_batch_predict_matches_local(client):
    model = batch.demo_model(features=6)
    frame = batch.make_frame(rows=5000, features=6)
    columns = list(frame.columns)
    client.run(_count_unpickles)
    lazy = batch.score(client, model, dd.from_pandas(frame, npartitions=10), columns)
    assert lazy.npartitions == 10
    scores = lazy.compute()
    assert scores.index.equals(frame.index)
    np.testing.assert_allclose(
        scores["score"].to_numpy(),
        model.predict(frame.to_numpy(dtype=np.float32), verbose=0)[:, 0],
        rtol=1e-6,
    )
    # The model reached each worker process, and not once per partition (10 here). scatter(broadcast=True)
    # sends it to each worker once, but on a heavily loaded machine one worker was seen to unpickle it a second
    # time (dask moved the scattered data again), so a count of 2 is allowed.
    counts = sorted(client.run(_unpickles).values())
    assert len(counts) == 2 and all(1 <= n <= 2 for n in counts), counts


def test_batch_predict_loaded_model_and_empty_partitions(client, tmp_path):
    model = batch.demo_model(features=3)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    frame = batch.make_frame(rows=7, features=3)
    scores = batch.score(client, loaded, dd.from_pandas(frame, npartitions=3), list(frame.columns))
    filtered = scores[scores["score"] > 1e9].compute()  # every partition empty
    assert len(filtered) == 0
    np.testing.assert_allclose(
        scores.compute()["score"].to_numpy(),
        model.predict(frame.to_numpy(np.float32), verbose=0)[:, 0],
        rtol=1e-6,  # partitions of 2-3 rows take another GEMM path than 7 rows at once: last-bit differences
    )


def test_sweep_matches_local_run_and_saves_best(client, tmp_path):
    data = sweep.make_data(rows=600)
    points = sweep.grid(units=(4, 16), learning_rate=(0.01,), dropout=(0.0, 0.3))
    results = sweep.sweep(client, points, data, epochs=3)
    assert len(results) == 4
    losses = [loss for _, loss, _ in results]
    assert losses == sorted(losses)
    for params, loss, model in results:
        local_params, local_loss, local_model = sweep.train(params, data, epochs=3)
        assert np.isclose(loss, local_loss, rtol=1e-5), params
        np.testing.assert_allclose(model.get_weights()[0], local_model.get_weights()[0], rtol=1e-5, atol=1e-6)
    best = results[0][2]
    assert best.compiled and best.optimizer.iterations == 3 * 8  # 480 training rows, batch 64
    best.save(tmp_path / "best.keras")
    x_val = data[2]
    np.testing.assert_array_equal(
        keras.models.load_model(tmp_path / "best.keras").predict(x_val, verbose=0),
        best.predict(x_val, verbose=0),
    )


@pytest.mark.parametrize(
    "script, args",
    [
        ("dask_batch_predict.py", ["--rows", "3000", "--partitions", "4"]),
        ("dask_sweep.py", ["--epochs", "2"]),
    ],
)
def test_examples_run_as_scripts(tmp_path, script, args):
    if script == "dask_sweep.py":
        args = [*args, "--out", str(tmp_path / "best.keras")]
    run = subprocess.run(
        [sys.executable, os.path.join(EXAMPLES, script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert ": True" in run.stdout
    if script == "dask_sweep.py":
        assert (tmp_path / "best.keras").exists()
