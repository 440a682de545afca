"""Tests for keras_lite._summary: the Keras 3 ``model.summary()`` table, drawn without rich."""

from __future__ import annotations

import io
import os
import random
import sys
from typing import Any

import pytest

from keras_lite import _summary
from keras_lite._summary import print_summary, readable_memory_size

# Keras 3 output for Sequential([Dense(4, input_shape=[3]), Dense(1)]) when stdout is not a terminal
# (line_length = min(88, 80 - 4) = 76). Params: 3*4 + 4 = 16 and 4*1 + 1 = 5; float32 = 4 bytes each.
DENSE_GOLDEN = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (None, 4)              │            16 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 1)              │             5 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 21 (84.00 B)
 Trainable params: 21 (84.00 B)
 Non-trainable params: 0 (0.00 B)
"""
DENSE_ROWS = [("dense", "Dense", "(None, 4)", 16), ("dense_1", "Dense", "(None, 1)", 5)]

# [Dense(4, input_shape=[3]), BatchNormalization(), Dropout(0.3), Dense(1)]: BN has 4*4 = 16 params, 8 of
# them (moving mean and variance) non-trainable; "batch_normalization (BatchNormalization)" wraps.
BN_GOLDEN = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (None, 4)              │            16 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ batch_normalization             │ (None, 4)              │            16 │
│ (BatchNormalization)            │                        │               │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dropout (Dropout)               │ (None, 4)              │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 1)              │             5 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 37 (148.00 B)
 Trainable params: 29 (116.00 B)
 Non-trainable params: 8 (32.00 B)
"""


def capture(name: str, rows: Any, *counts: tuple[int, float], **kwargs: Any) -> str:
    out: list[str] = []
    total, trainable, non_trainable = counts
    print_summary(name, rows, total, trainable, non_trainable, **kwargs, print_fn=out.append)
    assert len(out) == 1  # Keras 3 calls print_fn once with the whole text
    return out[0]


def test_dense_golden() -> None:
    assert capture("sequential", DENSE_ROWS, (21, 84), (21, 84), (0, 0), line_length=76) == DENSE_GOLDEN


def test_batch_normalization_golden_wraps_long_cells() -> None:
    rows = [
        ("dense", "Dense", "(None, 4)", 16),
        ("batch_normalization", "BatchNormalization", "(None, 4)", 16),
        ("dropout", "Dropout", "(None, 4)", 0),
        ("dense_1", "Dense", "(None, 1)", 5),
    ]
    assert capture("sequential", rows, (37, 148), (29, 116), (8, 32), line_length=76) == BN_GOLDEN


def test_optimizer_line_after_fit() -> None:
    # Measured with Keras 3, Adam: 44 = 2*21 slots + iteration (int64, 8 B) + learning_rate; 42*4 + 8 + 4 = 180 B.
    # The total adds them to the model's 21 weights: 65 (84 + 180 = 264 B).
    text = capture(
        "sequential", DENSE_ROWS, (21, 84), (21, 84), (0, 0), optimizer_params=(44, 180), line_length=76
    )
    assert text.endswith(
        " Total params: 65 (264.00 B)\n"
        " Trainable params: 21 (84.00 B)\n"
        " Non-trainable params: 0 (0.00 B)\n"
        " Optimizer params: 44 (180.00 B)\n"
    )


def test_unbuilt_layer_shows_question_mark() -> None:
    text = capture(
        "sequential_2", [("dense_5", "Dense", "(None, 3)", None)], (0, 0), (0, 0), (0, 0), line_length=76
    )
    assert "│ dense_5 (Dense)                 │ ?                      │   0 (unbuilt) │" in text


def test_large_counts_use_thousands_separators() -> None:
    rows = [("dense", "Dense", "(None, 512)", 1_234_567)]
    text = capture("m", rows, (1_234_567, 4_938_268), (1_234_567, 4_938_268), (0, 0), line_length=76)
    assert "│     1,234,567 │" in text
    assert " Total params: 1,234,567 (4.71 MB)\n" in text


def test_no_layers_still_draws_the_table() -> None:
    lines = capture("empty", [], (0, 0), (0, 0), (0, 0), line_length=76).splitlines()
    assert lines[3].startswith("┡") and lines[4].startswith("└")


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (0, "0.00 B"),
        (148, "148.00 B"),
        (1023, "1023.00 B"),
        (1024, "1.00 KB"),
        (1536, "1.50 KB"),
        (5 * 2**20, "5.00 MB"),
    ],
)
def test_readable_memory_size(size: float, expected: str) -> None:
    assert readable_memory_size(size) == expected


@pytest.mark.parametrize(("columns", "width"), [(80, 76), (200, 88), (60, 56)])
def test_default_line_length_follows_terminal(
    monkeypatch: pytest.MonkeyPatch, columns: int, width: int
) -> None:
    monkeypatch.setattr(_summary.shutil, "get_terminal_size", lambda: os.terminal_size((columns, 24)))
    lines = capture("sequential", DENSE_ROWS, (21, 84), (21, 84), (0, 0)).splitlines()
    assert {len(line) for line in lines[1:8]} == {width}


def test_prints_to_stdout_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    print_summary("sequential", DENSE_ROWS, (21, 84), (21, 84), (0, 0), line_length=76)
    assert capsys.readouterr().out == DENSE_GOLDEN


def test_too_narrow_raises() -> None:
    with pytest.raises(ValueError, match="line_length=10"):
        capture("sequential", DENSE_ROWS, (21, 84), (21, 84), (0, 0), line_length=10)


def test_ascii_box_when_stdout_is_not_utf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="ascii"))
    lines = capture("sequential", DENSE_ROWS, (21, 84), (21, 84), (0, 0), line_length=76).splitlines()
    assert lines[1] == "+" + "-" * 74 + "+"
    assert lines[3] == "|" + "-" * 33 + "+" + "-" * 24 + "+" + "-" * 15 + "|"


def _rich_reference(name: str, rows: list[tuple[str, str, str, int | None]], line_length: int) -> str:
    """The table as Keras 3 builds it with rich (keras/src/utils/summary_utils.py)."""
    rich_console = pytest.importorskip("rich.console")
    rich_markup = pytest.importorskip("rich.markup")
    rich_table = pytest.importorskip("rich.table")
    widths, used = [], 0
    for position in (0.45, 0.80, 1.0):
        widths.append(int(position * line_length) - used)
        used += widths[-1]
    columns = [
        rich_table.Column(header, justify=justify, width=width)  # type: ignore[arg-type]
        for header, justify, width in zip(
            ("Layer (type)", "Output Shape", "Param #"), ("left", "left", "right"), widths
        )
    ]
    table = rich_table.Table(*columns, width=line_length, show_lines=True)
    for layer, cls, shape, count in rows:
        table.add_row(
            f"{rich_markup.escape(layer)} ([color(33)]{rich_markup.escape(cls)}[/])",
            "?" if count is None else shape,
            "0 (unbuilt)" if count is None else f"{count:,}",
        )
    console = rich_console.Console(highlight=False, force_terminal=False, color_system=None, width=1000)
    console.begin_capture()
    console.print(f'Model: "{name}"', markup=False)
    console.print(table)
    console.print(" Total params: 1 (4.00 B)", markup=False)
    console.print(" Trainable params: 1 (4.00 B)", markup=False)
    console.print(" Non-trainable params: 0 (0.00 B)", markup=False)
    return console.end_capture()


def test_matches_rich_on_random_tables() -> None:
    """Where rich is installed (Keras 3 depends on it), compare with the real thing on random layouts."""
    rng = random.Random(0)

    def word() -> str:
        return "".join(rng.choice("abcdefghij_[]") for _ in range(rng.randint(1, 30)))

    for _ in range(200):
        line_length = rng.randint(16, 120)
        rows = [
            (
                word() if rng.random() < 0.7 else f"{word()} {word()}",
                rng.choice(["Dense", "BatchNormalization", word()]),
                rng.choice(["(None, 4)", "(None, 12345678, 3, 4)", "(1, 2)"]),
                rng.choice([None, 0, 16, 10**12 + 7]),
            )
            for _ in range(rng.randint(0, 4))
        ]
        expected = _rich_reference("seq", rows, line_length)
        assert capture("seq", rows, (1, 4), (1, 4), (0, 0), line_length=line_length) == expected


def test_absolute_positions_as_keras_draws_them(capsys: pytest.CaptureFixture[str]) -> None:
    # Keras 3.15.1, summary(line_length=70, positions=[35, 55, 70]) ("relative or absolute positions"): rich
    # caps each column at the table's width, then shares the excess out equally.
    import keras_lite as keras

    model = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(16, name="hidden"), keras.layers.Dense(1, name="out")],
        name="m",
    )
    model.summary(line_length=70, positions=[35, 55, 70])
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:7] == [
        "┏━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)         ┃ Output Shape         ┃              Param # ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━┩",
        "│ hidden (Dense)       │ (None, 16)           │                  144 │",
        "├──────────────────────┼──────────────────────┼──────────────────────┤",
        "│ out (Dense)          │ (None, 1)            │                   17 │",
    ]
