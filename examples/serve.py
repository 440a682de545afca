"""A small HTTP prediction service on the standard library: loads a ``.keras`` file, answers JSON requests.

Run: python examples/serve.py model.keras [--host 127.0.0.1] [--port 8000]

    GET  /health   -> {"status": "ok", "input_shape": [null, 11], "output_shape": [null, 1]}
    POST /predict  {"instances": [[...features...], ...]}  -> {"predictions": [[...], ...]}

Each connection is handled on its own thread (``ThreadingHTTPServer``); keras_lite's predictions are safe
from any number of threads at once, so the model is shared, loaded once. The listen backlog holds a burst of
``REQUEST_QUEUE_SIZE`` (1024) connections at once (the standard library's default, 5, makes the kernel reset
connections when a few dozen clients connect together); the operating system may cap it lower
(``/proc/sys/net/core/somaxconn`` on Linux). A malformed request gets a 400 with ``{"error": "..."}``.

Every answer is strict JSON (RFC 8259): a prediction that is NaN or infinite (a diverged model, an input
that overflows float32) comes back as ``null`` in its place, since JSON has no NaN or Infinity.

The first line printed is ``Serving http://HOST:PORT`` (with the real port when ``--port 0`` asks for a
free one); SIGTERM or Ctrl-C stops the server cleanly.
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

import keras_lite as keras

MAX_BODY = 16 << 20  # bytes
REQUEST_QUEUE_SIZE = 1024  # pending connections the kernel holds for accept()


def json_rows(predictions: np.ndarray) -> list[list[float | None]]:
    """Predictions as nested lists for JSON, with ``None`` (``null``) for each NaN or infinite value."""
    rows: list[list[float | None]] = predictions.tolist()
    if not np.isfinite(predictions).all():
        rows = [[v if math.isfinite(v) else None for v in row] for row in rows]
    return rows


class PredictionHandler(BaseHTTPRequestHandler):
    """Routes ``/health`` and ``/predict``; the model is ``self.server.model``."""

    server_version = "keras_lite-serve/1"
    protocol_version = "HTTP/1.1"  # keep-alive: a client can send many requests on one connection

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, allow_nan=False).encode()  # strict JSON: never NaN or Infinity
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path != "/health":
            self._reply(404, {"error": f"no such path: {self.path}"})
            return
        model = self.server.model  # type: ignore[attr-defined]
        self._reply(
            200, {"status": "ok", "input_shape": model.input_shape, "output_shape": model.output_shape}
        )

    def do_POST(self) -> None:
        if self.path != "/predict":
            self._reply(404, {"error": f"no such path: {self.path}"})
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            self._reply(400, {"error": "Content-Length must be an integer"})
            return
        if length > MAX_BODY:
            self.close_connection = True
            self._reply(413, {"error": f"request body over {MAX_BODY} bytes"})
            return
        try:
            request = json.loads(self.rfile.read(length))
            instances = request["instances"] if isinstance(request, dict) else None
            if instances is None:
                raise ValueError('the body must be a JSON object with an "instances" list')
            x = np.asarray(instances, dtype=np.float32)
            if x.ndim != 2:
                raise ValueError(f'"instances" must be a list of rows (2-D). Received: shape {x.shape}')
            predictions = self.server.model.predict(x, verbose=0)  # type: ignore[attr-defined]
        except (ValueError, TypeError, KeyError) as e:
            self._reply(400, {"error": str(e)})
            return
        self._reply(200, {"predictions": json_rows(predictions)})

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:  # type: ignore[attr-defined]
            super().log_message(format, *args)


class PredictionServer(ThreadingHTTPServer):
    """A thread per connection, and a listen backlog deep enough for a burst of clients."""

    request_queue_size = REQUEST_QUEUE_SIZE
    daemon_threads = True


def make_server(model_path: str, host: str = "127.0.0.1", port: int = 8000, verbose: bool = False) -> Any:
    """A ``PredictionServer`` serving the model in ``model_path`` (not yet started)."""
    server = PredictionServer((host, port), PredictionHandler)
    server.model = keras.models.load_model(model_path, compile=False)  # type: ignore[attr-defined]
    server.verbose = verbose  # type: ignore[attr-defined]
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a .keras model over HTTP.")
    parser.add_argument("model", help="path to a .keras file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    server = make_server(args.model, args.host, args.port, args.verbose)
    host, port = server.server_address[:2]

    def stop(signum: int, frame: Any) -> None:
        # shutdown() waits for serve_forever to return, so it must run on another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    print(f"Serving http://{host}:{port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    print("Stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
