"""``model.summary()``: the Keras 3 table, drawn without the ``rich`` library.

Keras 3 (``keras/src/utils/summary_utils.py: print_summary``) builds a ``rich.table.Table`` with the default
``HEAVY_HEAD`` box, ``show_lines=True``, columns of fixed width and ``overflow="ellipsis"``, and prints it
through a colourless console. This module lays out the same characters itself, following rich's rules:

- Each column asks for its width from ``positions`` plus one space of padding on each side. The table's
  four vertical rules and the padding do not fit in ``line_length``, so rich takes the excess back evenly
  from the columns (``rich._ratio.ratio_reduce``, which rounds half to even like Python's `round`).
- Cells wrap at spaces. A word longer than the column is cut and ends in ``…``. Header cells sit at the
  bottom of their row, body cells at the top. Text is measured as one cell per character.
- Like rich, the box falls back to ASCII when ``sys.stdout`` does not use a UTF encoding.

Standard library only.
"""

from __future__ import annotations

import math
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from typing import Any, Optional

import numpy as np

from ._io import print_msg

__all__ = ["print_summary", "readable_memory_size", "weights_size"]

#: One row per layer: (layer name, class name, output shape text, parameter count or None if unbuilt).
SummaryRow = tuple[str, str, Optional[str], Optional[int]]
#: A parameter count and its size in bytes.
CountAndBytes = tuple[int, float]

_POSITIONS = (0.45, 0.80, 1.0)
_HEADER = ("Layer (type)", "Output Shape", "Param #")
_JUSTIFY = ("left", "left", "right")
_DEFAULT_LINE_LENGTH = 88
# A graph (not a stack) gets a fourth column, "Connected to", and a wider default table.
_GRAPH_POSITIONS = (0.3, 0.56, 0.74, 1.0)
_GRAPH_HEADER = (*_HEADER, "Connected to")
_GRAPH_LINE_LENGTH = 108
# ``show_trainable`` adds a last, centred column, "Trainable", and 12 characters to the default width.
_TRAINABLE_EXTRA = 12
_PADDING = 1  # spaces on each side of a cell

# rich's box layout: each string is left edge, horizontal, divider, right edge for one kind of line.
_HEAVY_HEAD = {
    "top": "┏━┳┓",
    "head": "┃ ┃┃",
    "head_row": "┡━╇┩",
    "mid": "│ ││",
    "row": "├─┼┤",
    "bottom": "└─┴┘",
}
_ASCII = {
    "top": "+--+",
    "head": "| ||",
    "head_row": "|-+|",
    "mid": "| ||",
    "row": "|-+|",
    "bottom": "+--+",
}

_WORD = re.compile(r"\s*\S+\s*")


def weights_size(variables: Sequence[Any]) -> tuple[int, int]:
    """(values, bytes) of ``variables`` as Keras counts them: 4 bytes a float32 value, 8 an int64 one
    (Normalization's ``count``)."""
    sizes = [int(np.prod(v.shape)) for v in variables]
    return sum(sizes), sum(n * np.dtype(v.dtype).itemsize for n, v in zip(sizes, variables))


def readable_memory_size(size: float) -> str:
    """Format a size in bytes as Keras does: ``148.00 B``, ``1.50 KB``, ... (base 1024)."""
    units = ["B", "KB", "MB", "GB", "TB", "PB"]
    for unit in units[:-1]:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} {units[-1]}"


def print_summary(
    model_name: str,
    rows: Sequence[SummaryRow],
    total: CountAndBytes,
    trainable: CountAndBytes,
    non_trainable: CountAndBytes,
    optimizer_params: CountAndBytes | None = None,
    line_length: int | None = None,
    print_fn: Callable[[str], object] | None = None,
    connected: Sequence[str] | None = None,
    trainable_marks: Sequence[str] | None = None,
    positions: Sequence[float] | None = None,
) -> None:
    """Print a model summary in the Keras 3 layout.

    Args:
        model_name: The model's name, shown as ``Model: "sequential"``.
        rows: One ``(layer_name, class_name, output_shape, param_count)`` tuple per layer, in order.
            ``output_shape`` is the text to show, e.g. ``"(None, 4)"``. A ``param_count`` of `None`
            marks an unbuilt layer, shown with shape ``?`` and ``0 (unbuilt)`` parameters.
        total: ``(count, bytes)`` of the model's weights. Like Keras, the printed total also counts
            ``optimizer_params`` when they are given.
        trainable: ``(count, bytes)`` of the trainable weights.
        non_trainable: ``(count, bytes)`` of the non-trainable weights.
        optimizer_params: ``(count, bytes)`` of the optimizer's variables once it is built, else `None`
            (then no ``Optimizer params`` line is printed).
        line_length: Total width of the table. Defaults to ``min(88, terminal columns - 4)``, which is 76
            when the output is not a terminal.
        print_fn: Called once with the whole summary (ending in a newline), like Keras 3. Defaults to
            writing to ``sys.stdout``.
        connected: For a graph, each row's ``Connected to`` text (``"a[0][0], b[0][0]"``, ``"-"`` for an
            input): the table then has that fourth column and a default width of ``min(108, columns - 4)``.
        trainable_marks: Keras's ``show_trainable``: each row's ``Y`` (trainable), ``N`` (frozen) or ``-``
            (no weights), in a last column; the other columns take 0.9 of their widths and the default width
            grows by 12.
        positions: Each column's right edge as a fraction of ``line_length`` (Keras's default ``[0.45, 0.8,
            1.0]``, ``[0.3, 0.56, 0.74, 1.0]`` with ``Connected to``), one a column; more are ignored, as Keras
            ignores them. With ``trainable_marks``, each takes 0.9 of its value and the last column ends at 1.

    Raises:
        ValueError: If ``line_length`` leaves a column narrower than 4 characters, or ``positions`` gives fewer
            positions than the table has columns.

    Example:

    ```python
    print_summary("sequential", [("dense", "Dense", "(None, 1)", 4)], (4, 16), (4, 16), (0, 0))
    ```
    """
    text = _format_summary(
        model_name,
        rows,
        total,
        trainable,
        non_trainable,
        optimizer_params,
        line_length,
        connected,
        trainable_marks,
        positions,
    )
    if print_fn is None:
        print_msg(text, line_break=False)  # (to the absl logger with interactive logging off, as Keras)
    else:
        print_fn(text)


def _format_summary(
    model_name: str,
    rows: Sequence[SummaryRow],
    total: CountAndBytes,
    trainable: CountAndBytes,
    non_trainable: CountAndBytes,
    optimizer_params: CountAndBytes | None,
    line_length: int | None,
    connected: Sequence[str] | None = None,
    marks: Sequence[str] | None = None,
    positions: Sequence[float] | None = None,
) -> str:
    graph = connected is not None
    given = positions
    positions = list(positions or (_GRAPH_POSITIONS if graph else _POSITIONS))
    header, justify = (_GRAPH_HEADER, (*_JUSTIFY, "left")) if graph else (_HEADER, _JUSTIFY)
    default = _GRAPH_LINE_LENGTH if graph else _DEFAULT_LINE_LENGTH
    if marks is not None:
        positions = [p * 0.90 for p in positions] + [1.0]
        header, justify, default = (*header, "Trainable"), (*justify, "center"), default + _TRAINABLE_EXTRA
    if line_length is None:
        line_length = min(default, shutil.get_terminal_size().columns - 4)
    column_widths = []
    used = 0
    for position in positions:
        width = int(position * line_length) - used
        if width < 4:
            raise ValueError(
                f"Insufficient console width to print summary. Received: line_length={line_length}"
            )
        column_widths.append(width)
        used += width
    if len(column_widths) < len(header):
        raise ValueError(
            f"positions must give one position for each of the summary's {len(header)} columns "
            f"({', '.join(header)}). Received: positions={given!r}"
        )
    column_widths = column_widths[: len(header)]

    cells = [
        [
            f"{name} ({class_name})",
            "?" if count is None or not shape else shape,
            "0 (unbuilt)" if count is None else f"{count:,}",
        ]
        for name, class_name, shape, count in rows
    ]
    for extra in (connected, marks):
        if extra is not None:
            cells = [[*row, text] for row, text in zip(cells, extra)]
    lines = [f'Model: "{model_name}"']
    lines += _render_table(cells, _table_widths(column_widths, line_length), _box_chars(), header, justify)
    if optimizer_params is not None:
        total = (total[0] + optimizer_params[0], total[1] + optimizer_params[1])
    footer = [
        ("Total params", total),
        ("Trainable params", trainable),
        ("Non-trainable params", non_trainable),
    ]
    if optimizer_params is not None:
        footer.append(("Optimizer params", optimizer_params))
    for label, (count, size) in footer:
        lines.append(f" {label}: {count:,} ({readable_memory_size(size)})")
    return "\n".join(lines) + "\n"


def _box_chars() -> dict[str, str]:
    encoding = (getattr(sys.stdout, "encoding", None) or "utf-8").lower()
    return _HEAVY_HEAD if encoding.startswith("utf") else _ASCII


def _table_widths(column_widths: Sequence[int], line_length: int) -> list[int]:
    """Widths of the columns between the rules, padding included, as rich computes them."""
    # (rich caps each column, padding included, at the table's width before it shares out any excess)
    widths = [min(width + 2 * _PADDING, line_length) for width in column_widths]
    available = line_length - (len(widths) + 1)  # one vertical rule per column, plus the right edge
    excess = sum(widths) - available
    if excess > 0:
        widths = _ratio_reduce(excess, widths)
    elif excess < 0:  # (a table given a width fills it: rich shares the rest out in proportion to the widths)
        widths = [width + pad for width, pad in zip(widths, _ratio_distribute(-excess, widths))]
    return [min(width, available) for width in widths]


def _ratio_distribute(total: int, ratios: Sequence[int]) -> list[int]:
    """``total`` shared out in proportion to ``ratios``, each share rounded up from what is left."""
    shares = []
    remaining, ratio_left = total, sum(ratios)
    for ratio in ratios:
        share = math.ceil(ratio * remaining / ratio_left) if ratio_left > 0 else remaining
        shares.append(share)
        ratio_left -= ratio
        remaining -= share
    return shares


def _ratio_reduce(total: int, values: Sequence[int]) -> list[int]:
    """Take ``total`` away from ``values`` in equal shares, each share rounded half to even."""
    result = []
    remaining = total
    count = len(values)
    for value in values:
        share = min(value, round(remaining / count))
        result.append(value - share)
        remaining -= share
        count -= 1
    return result


def _render_table(
    body: list[list[str]],
    widths: Sequence[int],
    box: dict[str, str],
    header: Sequence[str] = _HEADER,
    justify: Sequence[str] = _JUSTIFY,
) -> list[str]:
    def rule(kind: str) -> str:
        left, horizontal, divider, right = tuple(box[kind])
        return left + divider.join(horizontal * width for width in widths) + right

    def row_lines(texts: Sequence[str], kind: str, bottom_aligned: bool) -> list[str]:
        left, _, divider, right = tuple(box[kind])
        columns = [_wrap(text, width - 2 * _PADDING, how) for text, width, how in zip(texts, widths, justify)]
        height = max(len(column) for column in columns)
        for column, width in zip(columns, widths):
            blank = [" " * (width - 2 * _PADDING)] * (height - len(column))
            column[:] = blank + column if bottom_aligned else column + blank
        pad = " " * _PADDING
        return [
            left + divider.join(pad + column[i] + pad for column in columns) + right for i in range(height)
        ]

    lines = [rule("top"), *row_lines(header, "head", bottom_aligned=True), rule("head_row")]
    for index, texts in enumerate(body):
        if index:
            lines.append(rule("row"))
        lines += row_lines(texts, "mid", bottom_aligned=False)
    lines.append(rule("bottom"))
    return lines


def _wrap(text: str, width: int, justify: str) -> list[str]:
    """Word-wrap ``text`` into lines of exactly ``width`` characters, the way rich wraps table cells."""
    lines = []
    for paragraph in text.split("\n"):
        line = ""
        for word in _WORD.findall(paragraph):
            # A word may be put on the current line if it fits without its trailing spaces; one too long
            # for any line gets a line of its own and is cut below.
            if line and len(line) + len(word.rstrip()) > width:
                lines.append(line)
                line = word
            else:
                line += word
        lines.append(line)
    return [_fit(line, width, justify) for line in lines]


def _fit(line: str, width: int, justify: str) -> str:
    """One wrapped line ``justify``-ed (``left``, ``right`` or ``center``, as rich pads: the odd space on the
    right) in exactly ``width`` characters, cut to ``…`` when too long."""
    if justify != "left":
        line = line.rstrip()
    elif len(line) > width:
        line = line[: max(width, len(line.rstrip()))]  # drop only spaces that stick out
    if len(line) > width:
        line = line[: width - 1] + "…" if width > 0 else ""
    if justify == "center":
        return (" " * ((width - len(line)) // 2) + line).ljust(width)
    return line.rjust(width) if justify == "right" else line.ljust(width)
