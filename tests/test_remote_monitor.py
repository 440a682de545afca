"""RemoteMonitor: each epoch's logs posted to a local HTTP server, as a form field holding JSON (Keras's default)
or as a JSON body, with the headers given; a server that cannot be reached gets a warning and training goes
on."""

from __future__ import annotations

import json
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers

X = np.random.default_rng(0).normal(size=(32, 3)).astype(np.float32)
Y = X.sum(axis=1, keepdims=True)


class _Server:
    """A local server that records each POST's path, headers and body."""

    def __init__(self) -> None:
        posts: list[dict[str, Any]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the handler's name is http.server's)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                posts.append({"path": self.path, "headers": dict(self.headers), "body": body.decode()})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.posts = posts
        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        self.root = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _fit(monitor: keras.callbacks.RemoteMonitor) -> keras.callbacks.History:
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    return model.fit(X, Y, epochs=2, validation_data=(X, Y), callbacks=[monitor], verbose=0)


def test_posts_each_epoch_as_a_form_field_or_json() -> None:
    server = _Server()
    try:
        history = _fit(keras.callbacks.RemoteMonitor(root=server.root))
        form = keras.callbacks.RemoteMonitor(
            root=server.root, path="/logs", field="f", headers={"X-Run": "7"}
        )
        _fit(form)
        _fit(keras.callbacks.RemoteMonitor(root=server.root, path="/json", send_as_json=True))
    finally:
        server.close()
    assert [p["path"] for p in server.posts] == ["/publish/epoch/end/"] * 2 + ["/logs"] * 2 + ["/json"] * 2
    first = json.loads(urllib.parse.parse_qs(server.posts[0]["body"])["data"][0])
    assert first == {"epoch": 0, **{k: v[0] for k, v in history.history.items()}}
    assert server.posts[2]["headers"]["X-Run"] == "7"
    assert json.loads(urllib.parse.parse_qs(server.posts[3]["body"])["f"][0])["epoch"] == 1
    assert server.posts[4]["headers"]["Content-Type"] == "application/json"
    assert json.loads(server.posts[5]["body"])["epoch"] == 1


def test_an_unreachable_server_warns_and_training_goes_on() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor root server"):
        history = _fit(keras.callbacks.RemoteMonitor(root=f"http://127.0.0.1:{port}"))
    assert len(history.history["loss"]) == 2
