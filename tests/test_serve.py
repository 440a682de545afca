"""examples/serve.py: start the service on loopback with a free port, send requests, check answers, stop it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVE = os.path.join(ROOT, "examples", "serve.py")
FIXTURES = os.path.join(ROOT, "tests", "fixtures")


def _request(port, method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
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
