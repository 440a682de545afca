"""examples/serve.py: start the service on loopback with a free port, send requests, check answers, stop it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVE = os.path.join(ROOT, "examples", "serve.py")
FIXTURES = os.path.join(ROOT, "tests", "fixtures")


def _strict_json(text):
    """``json.loads`` that refuses what RFC 8259 does not allow (NaN, Infinity), as browsers and Go do."""

    def refuse(name):
        raise ValueError(f"not valid JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def _request(port, method, path, body=None, timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, _strict_json(resp.read())
    finally:
        conn.close()


@pytest.fixture
def serve():
    """Start examples/serve.py on a model file; yields the port; stops it with SIGTERM and checks it exits 0."""
    procs = []

    def start(model_path):
        proc = subprocess.Popen(
            [sys.executable, SERVE, str(model_path), "--host", "127.0.0.1", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        line = proc.stdout.readline()
        assert line.startswith("Serving http://127.0.0.1:"), line + proc.stderr.read()
        return int(line.rsplit(":", 1)[1])

    yield start
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
        assert proc.returncode == 0, err
        assert "Stopped" in out


def test_service_answers_like_the_model(tmp_path, serve):
    model = keras.Sequential(
        [keras.Input(shape=(3,)), layers.Dense(8, activation="relu"), layers.Dense(2, activation="sigmoid")]
    )
    model.save(tmp_path / "m.keras")
    port = serve(tmp_path / "m.keras")

    assert _request(port, "GET", "/health") == (
        200,
        {"status": "ok", "input_shape": [None, 3], "output_shape": [None, 2]},
    )
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    status, body = _request(port, "POST", "/predict", {"instances": x.tolist()})
    assert status == 200
    np.testing.assert_allclose(body["predictions"], model.predict(x, verbose=0), rtol=1e-6)
    status, body = _request(port, "POST", "/predict", {"instances": [x[0].tolist()]})
    assert status == 200 and len(body["predictions"]) == 1

    # Many clients at once: each gets its own rows' predictions.
    answers = {}

    def client(i):
        rows = x[i % 5 : i % 5 + 1]
        answers[i] = (rows, _request(port, "POST", "/predict", {"instances": rows.tolist()}))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(answers) == 16
    for rows, (status, body) in answers.values():
        assert status == 200
        np.testing.assert_allclose(body["predictions"], model.predict(rows, verbose=0), rtol=1e-6)


def test_service_rejects_bad_requests(tmp_path, serve):
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
    model.save(tmp_path / "m.keras")
    port = serve(tmp_path / "m.keras")
    status, body = _request(port, "POST", "/predict", {"instances": [[1.0, 2.0]]})
    assert status == 400 and "3" in body["error"] and "2" in body["error"]  # expected and received widths
    status, body = _request(port, "POST", "/predict", b"{not json")
    assert status == 400 and body["error"]
    status, body = _request(port, "POST", "/predict", {"rows": [[1, 2, 3]]})
    assert status == 400 and "instances" in body["error"]
    status, body = _request(port, "POST", "/predict", {"instances": [1, 2, 3]})
    assert status == 400 and "2-D" in body["error"]
    status, body = _request(port, "POST", "/predict", {"instances": [["a", "b", "c"]]})
    assert status == 400
    assert _request(port, "GET", "/nothing")[0] == 404
    # Still serving after the errors.
    assert _request(port, "POST", "/predict", {"instances": [[1, 2, 3]]})[0] == 200


def test_service_loads_a_keras_written_file(serve):
    port = serve(os.path.join(FIXTURES, "adamw_mae.keras"))
    x = np.load(os.path.join(FIXTURES, "adamw_mae.x.npy"))
    status, body = _request(port, "POST", "/predict", {"instances": x.tolist()})
    assert status == 200
    np.testing.assert_allclose(
        body["predictions"], np.load(os.path.join(FIXTURES, "adamw_mae.pred.npy")), rtol=1e-5
    )


def test_service_holds_a_burst_of_256_clients_connecting_at_once(tmp_path, serve):
    """256 clients released together by a barrier: every one is accepted and answered, none is reset.

    The standard library's listen backlog (5) made the kernel reset most of them. Each client has a minute
    and the whole burst two, far more than a loaded 2-core machine needs (under a second here).
    """
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2, activation="tanh")])
    model.save(tmp_path / "m.keras")
    port = serve(tmp_path / "m.keras")
    n = 256
    x = np.random.default_rng(1).standard_normal((n, 3)).astype(np.float32)
    want = model.predict(x, verbose=0)
    barrier = threading.Barrier(n)
    results = {}

    def client(i):
        try:
            barrier.wait(timeout=60)
            results[i] = _request(port, "POST", "/predict", {"instances": x[i : i + 1].tolist()}, timeout=60)
        except Exception as e:  # recorded, so that the assertion lists every failure
            results[i] = e

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 120
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()))
    failures = {i: r for i, r in results.items() if not (isinstance(r, tuple) and r[0] == 200)}
    assert len(results) == n and not failures, f"{n - len(results)} unfinished; failures: {failures}"
    for i, (_, body) in results.items():
        np.testing.assert_allclose(body["predictions"], want[i : i + 1], rtol=1e-5, atol=1e-6)


def test_service_answers_nan_and_inf_predictions_with_valid_json(tmp_path, serve):
    """A prediction that is NaN or infinite comes back as null: strict JSON parsers accept the answer."""
    model = keras.Sequential([keras.Input(shape=(1,)), layers.Dense(2), layers.Dense(3)])
    # For x = 2 the first layer gives (6e38, 6e38), which overflows float32 to (inf, inf); the second layer
    # then gives inf - inf = NaN, inf + inf = inf and 0 * inf = NaN. For x = 1e-38 everything is finite.
    model.set_weights(
        [
            np.array([[3e38, 3e38]], np.float32),
            np.zeros(2, np.float32),
            np.array([[1.0, 1.0, 0.0], [-1.0, 1.0, 0.0]], np.float32),
            np.array([0.0, 0.0, 0.5], np.float32),
        ]
    )
    model.save(tmp_path / "m.keras")
    port = serve(tmp_path / "m.keras")
    x = [[2.0], [1e-38]]
    want = model.predict(np.array(x, np.float32), verbose=0)
    assert np.isnan(want[0, 0]) and np.isposinf(want[0, 1]) and np.isfinite(want[1]).all()
    status, body = _request(port, "POST", "/predict", {"instances": x})  # parsed strictly
    assert status == 200
    assert body["predictions"][0] == [None, None, None]
    np.testing.assert_allclose(body["predictions"][1], want[1], rtol=1e-6)
