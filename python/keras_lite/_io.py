"""Where keras_lite's messages go, as Keras 3's ``io_utils``: the progress bar, the callbacks' lines,
``summary()``, downloads and exports write to ``sys.stdout``, or, once interactive logging is off, to the
``absl`` logger at INFO level, which prints nothing unless logging is set up to show it.

Standard library only.
"""

from __future__ import annotations

import logging
import sys

BAR_CHAR = "━"  # the progress bar's, which a stream that cannot encode it gets as "="
# One setting for the whole process (Keras keeps one per thread; keras_lite's hooks may print from a worker
# thread of the call, so a per-thread setting would not reach them).
_interactive = True


def enable_interactive_logging() -> None:
    """Write messages (progress bars, callbacks' lines, summaries) to ``sys.stdout``: the default.

    Example:

    ```python
    keras.config.enable_interactive_logging()
    ```
    """
    global _interactive
    _interactive = True


def disable_interactive_logging() -> None:
    """Send messages to the ``absl`` logger at INFO level instead of ``sys.stdout``, as Keras does (its
    ``absl.logging``): silent unless logging shows INFO records, as a server's job may configure it.

    Example:

    ```python
    keras.config.disable_interactive_logging()
    model.fit(x, y)  # no progress bar on stdout
    ```
    """
    global _interactive
    _interactive = False


def is_interactive_logging_enabled() -> bool:
    """Whether messages go to ``sys.stdout`` (True, the default) or to the ``absl`` logger (False)."""
    return _interactive


def print_msg(message: object, line_break: bool = True) -> None:
    """Write ``message`` (and a newline with ``line_break``) to ``sys.stdout`` and flush; with interactive
    logging off, log it at INFO level to the ``absl`` logger instead (without the newline), as Keras does.

    Like Keras, a stream that cannot encode the bar character gets ``=`` instead and loses any other
    character it cannot encode.
    """
    message = str(message)
    if not _interactive:
        logging.getLogger("absl").info(message)
        return
    if line_break:
        message += "\n"
    try:
        sys.stdout.write(message)
    except UnicodeEncodeError:
        encoding = getattr(sys.stdout, "encoding", None) or "ascii"
        message = message.replace(BAR_CHAR, "=")
        sys.stdout.write(message.encode(encoding, errors="ignore").decode(encoding))
    sys.stdout.flush()
