"""`keras.utils.pad_sequences` against Keras 3.15.1's results (fixtures/make_pad_sequences.py) and NumPy, its
bad arguments, the batch-tuple helpers `pack_x_y_sample_weight` / `unpack_x_y_sample_weight`, and the symbolic
tensor helpers `get_source_inputs` / `is_keras_tensor`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import keras_lite as keras

FIXTURES = Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
from pad_cases import CASES  # noqa: E402

GOLDEN = json.loads((FIXTURES / "keras_pad_sequences.json").read_text())


@pytest.mark.parametrize("case", sorted(CASES))
def test_pad_sequences_returns_what_keras_returns(case: str) -> None:
    sequences, kwargs = CASES[case]
    got = keras.utils.pad_sequences(sequences, **kwargs)
    want = GOLDEN[case]
    assert str(got.dtype) == want["dtype"] and list(got.shape) == want["shape"]
    assert got.tolist() == want["values"]


@given(
    st.lists(st.lists(st.integers(-50, 50), max_size=8), max_size=6),
    st.one_of(st.none(), st.integers(0, 10)),
    st.sampled_from(["pre", "post"]),
    st.sampled_from(["pre", "post"]),
)
def test_pad_sequences_keeps_and_fills_as_asked(
    sequences: list[list[int]], maxlen: int | None, padding: str, truncating: str
) -> None:
    if maxlen == 0 and truncating == "pre" and any(sequences):  # Keras's s[-0:] is the whole sequence
        with pytest.raises(ValueError, match="could not broadcast"):
            keras.utils.pad_sequences(sequences, maxlen=0, padding=padding, truncating="pre")
        return
    out = keras.utils.pad_sequences(
        sequences, maxlen=maxlen, padding=padding, truncating=truncating, value=-99
    )
    width = maxlen if maxlen is not None else max((len(s) for s in sequences), default=0)
    assert out.shape == (len(sequences), width) and out.dtype == np.int32
    for row, s in zip(out, sequences):
        kept = s[max(0, len(s) - width) :] if truncating == "pre" else s[:width]
        fill = [-99] * (width - len(kept))
        assert row.tolist() == (fill + kept if padding == "pre" else kept + fill)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sequences": 5}, "`sequences` must be iterable"),
        ({"sequences": [[1], 2]}, "Found non-iterable: 2"),
        ({"sequences": [[1]], "padding": "middle"}, "padding='middle'"),
        ({"sequences": [[1]], "truncating": "both"}, "truncating='both'"),
        ({"sequences": [[1]], "maxlen": -1}, "maxlen=-1"),
        ({"sequences": [[1]], "value": "x"}, "not compatible with `value`'s type"),
        ({"sequences": [[[1, 2]], [[1, 2, 3]]]}, "Shape of sample \\(3,\\) of sequence at position 1"),
    ],
)
def test_pad_sequences_bad_arguments(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        keras.utils.pad_sequences(**kwargs)


def test_pack_and_unpack_batch_tuples() -> None:
    x, y, w = np.ones((2, 3)), np.zeros(2), np.ones(2)
    assert keras.utils.pack_x_y_sample_weight(x) is x
    assert keras.utils.pack_x_y_sample_weight([x, x]) == ([x, x],)
    assert keras.utils.pack_x_y_sample_weight(x, y) == (x, y)
    assert keras.utils.pack_x_y_sample_weight(x, y, w) == (x, y, w)
    assert keras.utils.unpack_x_y_sample_weight(x) == (x, None, None)
    assert keras.utils.unpack_x_y_sample_weight((x,)) == (x, None, None)
    assert keras.utils.unpack_x_y_sample_weight([x, y]) == (x, y, None)
    assert keras.utils.unpack_x_y_sample_weight((x, y, w)) == (x, y, w)
    with pytest.raises(ValueError, match="Data is expected to be in format"):
        keras.utils.unpack_x_y_sample_weight((x, y, w, w))


def test_symbolic_tensor_helpers_as_keras() -> None:
    # Keras 3.15.1 gives ['a', 'b'] for d and ['b', 'a'] for e.
    layers = keras.layers
    a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    c = layers.Add()([layers.Dense(3)(a), b])
    d = layers.Dense(1)(layers.Concatenate()([c, a]))
    e = layers.Concatenate()([b, layers.Dense(3)(a)])
    assert [t.name for t in keras.utils.get_source_inputs(d)] == ["a", "b"]
    assert [t.name for t in keras.utils.get_source_inputs(e)] == ["b", "a"]
    assert keras.utils.get_source_inputs(a) == [a]
    assert keras.utils.is_keras_tensor(d) and keras.backend.is_keras_tensor(a)
    assert not keras.utils.is_keras_tensor(np.ones(3))
    with pytest.raises(ValueError, match="must be a KerasTensor"):
        keras.utils.get_source_inputs(np.ones(3))
