"""``RemoteMonitor``: each epoch's logs posted to a server, as Keras 3's callback posts them (with the standard
library's ``urllib`` where Keras uses ``requests``)."""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np

from ._callback import Callback, Logs

# Seconds a post may take before the callback gives up on it (and warns), so that training goes on.
TIMEOUT_S = 10.0


class RemoteMonitor(Callback):
    """Post ``{"epoch": epoch, **logs}`` to ``root + path`` at the end of each epoch.

    Args:
        root: The server's address.
        path: The path the logs are posted to.
        field: The form field holding the logs as JSON (unless ``send_as_json``).
        headers: Extra HTTP headers.
        send_as_json: Post the logs as a JSON body (``application/json``) instead of a form.

    A server that cannot be reached gets a warning, as in Keras; training goes on.
    """

    def __init__(
        self,
        root: str = "http://localhost:9000",
        path: str = "/publish/epoch/end/",
        field: str = "data",
        headers: dict[str, str] | None = None,
        send_as_json: bool = False,
    ) -> None:
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        import urllib.error  # (with http.client and ssl, a good part of keras_lite's import time: loaded when used)
        import urllib.parse
        import urllib.request

        send: dict[str, Any] = {"epoch": epoch}
        for k, v in (logs or {}).items():
            send[k] = v.item() if isinstance(v, (np.ndarray, np.generic)) else v
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(send).encode()
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                response.read()
        except (urllib.error.URLError, OSError, ValueError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}", stacklevel=2)
