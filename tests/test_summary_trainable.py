"""``model.summary(show_trainable=True)``: a last, centred ``Trainable`` column (``Y``, ``N``, or ``-`` for a
layer without weights), the other columns at 0.9 of their widths, and the default width 12 characters wider;
the tables are the ones Keras 3.15.1 printed for the same models (stdout not a terminal: line_length 76)."""

from __future__ import annotations

import keras_lite as keras

SEQUENTIAL = """\
Model: "seq"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓
┃ Layer (type)                ┃ Output Shape          ┃    Param # ┃ Trai… ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩
│ d1 (Dense)                  │ (None, 4)             │         16 │   N   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ drop (Dropout)              │ (None, 4)             │          0 │   -   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ d2 (Dense)                  │ (None, 1)             │          5 │   Y   │
└─────────────────────────────┴───────────────────────┴────────────┴───────┘
 Total params: 21 (84.00 B)
 Trainable params: 5 (20.00 B)
 Non-trainable params: 16 (64.00 B)
"""

FUNCTIONAL = """\
Model: "fun"
┏━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━┓
┃ Layer (type)      ┃ Output Shape    ┃   Param # ┃ Connected to   ┃ Trai… ┃
┡━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━┩
│ a (InputLayer)    │ (None, 3)       │         0 │ -              │   -   │
├───────────────────┼─────────────────┼───────────┼────────────────┼───────┤
│ b (InputLayer)    │ (None, 2)       │         0 │ -              │   -   │
├───────────────────┼─────────────────┼───────────┼────────────────┼───────┤
│ cat (Concatenate) │ (None, 5)       │         0 │ a[0][0],       │   -   │
│                   │                 │           │ b[0][0]        │       │
├───────────────────┼─────────────────┼───────────┼────────────────┼───────┤
│ inner             │ (None, 2)       │        12 │ cat[0][0]      │   Y   │
│ (Sequential)      │                 │           │                │       │
├───────────────────┼─────────────────┼───────────┼────────────────┼───────┤
│ out (Dense)       │ (None, 1)       │         3 │ inner[0][0]    │   Y   │
└───────────────────┴─────────────────┴───────────┴────────────────┴───────┘
 Total params: 15 (60.00 B)
 Trainable params: 15 (60.00 B)
 Non-trainable params: 0 (0.00 B)
"""

# Keras printed this 130-wide table cropped to its console's 80 columns.
EXPANDED_FIRST_80_COLUMNS = """\
Model: "fun"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━
┃ Layer (type)                     ┃ Output Shape                ┃            Pa
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━
│ a (InputLayer)                   │ (None, 3)                   │
├──────────────────────────────────┼─────────────────────────────┼──────────────
│ b (InputLayer)                   │ (None, 2)                   │
├──────────────────────────────────┼─────────────────────────────┼──────────────
│ cat (Concatenate)                │ (None, 5)                   │
├──────────────────────────────────┼─────────────────────────────┼──────────────
│ inner (Sequential)               │ (None, 2)                   │
├──────────────────────────────────┼─────────────────────────────┼──────────────
│    └ i1 (Dense)                  │ (None, 2)                   │
├──────────────────────────────────┼─────────────────────────────┼──────────────
│ out (Dense)                      │ (None, 1)                   │
└──────────────────────────────────┴─────────────────────────────┴──────────────
 Total params: 15 (60.00 B)
 Trainable params: 3 (12.00 B)
 Non-trainable params: 12 (48.00 B)
"""


def _sequential() -> keras.Sequential:
    model = keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(4, name="d1"),
            keras.layers.Dropout(0.1, name="drop"),
            keras.layers.Dense(1, name="d2"),
        ],
        name="seq",
    )
    model.get_layer("d1").trainable = False
    return model


def _functional() -> tuple[keras.Model, keras.Sequential]:
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    inner = keras.Sequential([keras.Input((5,)), keras.layers.Dense(2, name="i1")], name="inner")
    joined = keras.layers.Concatenate(name="cat")([a, b])
    return keras.Model([a, b], keras.layers.Dense(1, name="out")(inner(joined)), name="fun"), inner


def _summary(model: keras.Model, **kwargs: object) -> str:
    out: list[str] = []
    model.summary(show_trainable=True, print_fn=out.append, **kwargs)  # type: ignore[arg-type]
    return out[0]


def test_a_stack_shows_which_layers_train() -> None:
    assert _summary(_sequential(), line_length=76) == SEQUENTIAL


def test_a_graph_shows_which_layers_and_nested_models_train() -> None:
    model, inner = _functional()
    assert _summary(model, line_length=76) == FUNCTIONAL
    inner.trainable = False
    text = _summary(model, line_length=130, expand_nested=True)
    assert "\n".join(line[:80].rstrip() for line in text.splitlines()) + "\n" == EXPANDED_FIRST_80_COLUMNS
    marks = [line.rsplit("│", 2)[1].strip() for line in text.splitlines() if line.startswith("│ ")]
    assert marks == ["-", "-", "-", "N", "N", "Y"]  # the inputs, the merge, the frozen model and its layer
