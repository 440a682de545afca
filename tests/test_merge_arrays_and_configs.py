"""Merge layers called on arrays of one axis, or of more than two, and models made from the dict Keras's
``get_config()`` returns in memory (tuples where its JSON has lists), against Keras 3.15.1.

The goldens are Keras 3.15.1's (TensorFlow 2.21): its outputs, and three configs exactly as its Functional and
Sequential ``get_config()`` returned them, with their predictions once every weight is set by `_weights_for`.
The last test asks a live Keras, where one is installed.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES
from keras_lite import layers
from keras_lite._unsupported import NotSupportedError

HAVE_KERAS = all(importlib.util.find_spec(m) is not None for m in ("keras", "tensorflow"))

KINDS = ["Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]
FUNCTIONS = {
    "Concatenate": layers.concatenate,
    "Add": layers.add,
    "Subtract": layers.subtract,
    "Multiply": layers.multiply,
    "Average": layers.average,
    "Maximum": layers.maximum,
    "Minimum": layers.minimum,
}

A = np.array([-1.0, 0.5, 2.0], np.float32)
B = np.array([10.0, 20.0, 30.0], np.float32)
C = np.array([4.0, -5.0, 6.0], np.float32)
COL = np.array([[1.0], [2.0], [3.0]], np.float32)
T1 = np.arange(12, dtype=np.float32).reshape(2, 2, 3)
T2 = (T1[::-1] * 2 - 5).copy()
M = np.arange(6, dtype=np.float32).reshape(2, 3)
INPUTS = {
    "1d_two": [A, B],
    "1d_three": [A, B, C],
    "1d_one": [A],
    "col_then_1d": [COL, A],
    "1d_then_col": [A, COL],
    "3d_two": [T1, T2],
    "2d_then_3d_row": [M, T1[:, :1]],
    "1d_lengths": [A, np.array([7.0, 8.0], np.float32)],
    "3d_widths": [T1, T1[:, :, :1]],
}

# Keras 3.15.1: getattr(keras.layers, kind)()(INPUTS[case]) -> (shape, values); a case it refuses is absent.
# fmt: off
KERAS: dict[tuple[str, str], tuple[tuple[int, ...], list[float]]] = {
    ('1d_two', 'Concatenate'): ((6,), [-1.0, 0.5, 2.0, 10.0, 20.0, 30.0]),
    ('1d_two', 'Add'): ((3,), [9.0, 20.5, 32.0]),
    ('1d_two', 'Subtract'): ((3,), [-11.0, -19.5, -28.0]),
    ('1d_two', 'Multiply'): ((3,), [-10.0, 10.0, 60.0]),
    ('1d_two', 'Average'): ((3,), [4.5, 10.25, 16.0]),
    ('1d_two', 'Maximum'): ((3,), [10.0, 20.0, 30.0]),
    ('1d_two', 'Minimum'): ((3,), [-1.0, 0.5, 2.0]),
    ('1d_three', 'Concatenate'): ((9,), [-1.0, 0.5, 2.0, 10.0, 20.0, 30.0, 4.0, -5.0, 6.0]),
    ('1d_three', 'Add'): ((3,), [13.0, 15.5, 38.0]),
    ('1d_three', 'Multiply'): ((3,), [-40.0, -50.0, 360.0]),
    ('1d_three', 'Average'): ((3,), [4.333333492279053, 5.166666507720947, 12.666666984558105]),
    ('1d_three', 'Maximum'): ((3,), [10.0, 20.0, 30.0]),
    ('1d_three', 'Minimum'): ((3,), [-1.0, -5.0, 2.0]),
    ('1d_one', 'Concatenate'): ((3,), [-1.0, 0.5, 2.0]),
    ('1d_one', 'Add'): ((3,), [-1.0, 0.5, 2.0]),
    ('1d_one', 'Multiply'): ((3,), [-1.0, 0.5, 2.0]),
    ('1d_one', 'Average'): ((3,), [-1.0, 0.5, 2.0]),
    ('1d_one', 'Maximum'): ((3,), [-1.0, 0.5, 2.0]),
    ('1d_one', 'Minimum'): ((3,), [-1.0, 0.5, 2.0]),
    ('col_then_1d', 'Add'): ((3, 1), [0.0, 2.5, 5.0]),
    ('col_then_1d', 'Subtract'): ((3, 1), [2.0, 1.5, 1.0]),
    ('col_then_1d', 'Multiply'): ((3, 1), [-1.0, 1.0, 6.0]),
    ('col_then_1d', 'Average'): ((3, 1), [0.0, 1.25, 2.5]),
    ('col_then_1d', 'Maximum'): ((3, 1), [1.0, 2.0, 3.0]),
    ('col_then_1d', 'Minimum'): ((3, 1), [-1.0, 0.5, 2.0]),
    ('1d_then_col', 'Add'): ((3, 1), [0.0, 2.5, 5.0]),
    ('1d_then_col', 'Subtract'): ((3, 1), [-2.0, -1.5, -1.0]),
    ('1d_then_col', 'Multiply'): ((3, 1), [-1.0, 1.0, 6.0]),
    ('1d_then_col', 'Average'): ((3, 1), [0.0, 1.25, 2.5]),
    ('1d_then_col', 'Maximum'): ((3, 1), [1.0, 2.0, 3.0]),
    ('1d_then_col', 'Minimum'): ((3, 1), [-1.0, 0.5, 2.0]),
    ('3d_two', 'Concatenate'): ((2, 2, 6), [0.0, 1.0, 2.0, 7.0, 9.0, 11.0, 3.0, 4.0, 5.0, 13.0, 15.0, 17.0, 6.0, 7.0, 8.0, -5.0, -3.0, -1.0, 9.0, 10.0, 11.0, 1.0, 3.0, 5.0]),
    ('3d_two', 'Add'): ((2, 2, 3), [7.0, 10.0, 13.0, 16.0, 19.0, 22.0, 1.0, 4.0, 7.0, 10.0, 13.0, 16.0]),
    ('3d_two', 'Subtract'): ((2, 2, 3), [-7.0, -8.0, -9.0, -10.0, -11.0, -12.0, 11.0, 10.0, 9.0, 8.0, 7.0, 6.0]),
    ('3d_two', 'Multiply'): ((2, 2, 3), [0.0, 9.0, 22.0, 39.0, 60.0, 85.0, -30.0, -21.0, -8.0, 9.0, 30.0, 55.0]),
    ('3d_two', 'Average'): ((2, 2, 3), [3.5, 5.0, 6.5, 8.0, 9.5, 11.0, 0.5, 2.0, 3.5, 5.0, 6.5, 8.0]),
    ('3d_two', 'Maximum'): ((2, 2, 3), [7.0, 9.0, 11.0, 13.0, 15.0, 17.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0]),
    ('3d_two', 'Minimum'): ((2, 2, 3), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, -5.0, -3.0, -1.0, 1.0, 3.0, 5.0]),
    ('2d_then_3d_row', 'Add'): ((2, 1, 3), [0.0, 2.0, 4.0, 9.0, 11.0, 13.0]),
    ('2d_then_3d_row', 'Subtract'): ((2, 1, 3), [0.0, 0.0, 0.0, -3.0, -3.0, -3.0]),
    ('2d_then_3d_row', 'Multiply'): ((2, 1, 3), [0.0, 1.0, 4.0, 18.0, 28.0, 40.0]),
    ('2d_then_3d_row', 'Average'): ((2, 1, 3), [0.0, 1.0, 2.0, 4.5, 5.5, 6.5]),
    ('2d_then_3d_row', 'Maximum'): ((2, 1, 3), [0.0, 1.0, 2.0, 6.0, 7.0, 8.0]),
    ('2d_then_3d_row', 'Minimum'): ((2, 1, 3), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]),
    ('1d_lengths', 'Concatenate'): ((5,), [-1.0, 0.5, 2.0, 7.0, 8.0]),
    ('3d_widths', 'Concatenate'): ((2, 2, 4), [0.0, 1.0, 2.0, 0.0, 3.0, 4.0, 5.0, 3.0, 6.0, 7.0, 8.0, 6.0, 9.0, 10.0, 11.0, 9.0]),
}
# fmt: on


@pytest.mark.parametrize("case, kind", list(KERAS), ids=[f"{c}-{k}" for c, k in KERAS])
def test_merge_on_arrays_as_keras(case: str, kind: str) -> None:
    shape, values = KERAS[(case, kind)]
    for call in (getattr(layers, kind)(), FUNCTIONS[kind]):
        out = call(INPUTS[case])
        assert out.shape == shape
        np.testing.assert_allclose(np.asarray(out).ravel(), values, rtol=1e-6)


@pytest.mark.parametrize("kind", KINDS)
def test_two_axis_inputs_merge_as_before(kind: str) -> None:
    rng = np.random.default_rng(4)
    a, b = (rng.normal(size=(5, 3)).astype(np.float32) for _ in range(2))
    want = {
        "Concatenate": np.hstack([a, b]),
        "Add": a + b,
        "Subtract": a - b,
        "Multiply": a * b,
        "Average": (a + b) / 2,
        "Maximum": np.maximum(a, b),
        "Minimum": np.minimum(a, b),
    }[kind]
    out = getattr(layers, kind)()([a, b])
    assert out.shape == want.shape
    np.testing.assert_allclose(out, want, rtol=1e-6)
    # a merge of one (n, w) input is that input; an input of width 1 beside a wider one is still refused
    if kind != "Subtract":
        np.testing.assert_array_equal(getattr(layers, kind)()([a]), a)
    if kind != "Concatenate":
        with pytest.raises(NotImplementedError, match="width-1 input"):
            getattr(layers, kind)()([a, a[:, :1]])


def test_the_sweeps_repro() -> None:
    """/tmp/sweep46/layers/repro_merge_1d.py: Keras joins 1-D arrays end to end, not as two columns."""
    out = layers.Concatenate()([A, B])
    assert out.shape == (6,)
    np.testing.assert_array_equal(out, [-1.0, 0.5, 2.0, 10.0, 20.0, 30.0])
    assert layers.Add()([A, B]).shape == (3,)
    assert layers.Maximum()([A, B]).shape == (3,)
    assert layers.ReLU()(A).shape == (3,)


# Where Keras 3.15.1 refuses, its error; where it broadcasts one input against another (which keras_lite's
# merges do not do yet), NotSupportedError, a ValueError, naming the shapes.
REFUSED = [
    (
        "Add",
        [A, np.array([7.0], np.float32)],
        ValueError,
        r"different batch sizes\. Received tensors with shapes \[\(3,\), \(1,\)\]",
    ),
    (
        "Maximum",
        [A, np.ones((2, 3), np.float32)],
        ValueError,
        r"different batch sizes\. .*\[\(3,\), \(2, 3\)\]",
    ),
    (
        "Concatenate",
        [A, COL],
        ValueError,
        r"matching shapes except for the concatenation axis\. Received: input_shape=\[\(3,\), \(3, 1\)\]",
    ),
    (
        "Concatenate",
        [np.ones((1, 3), np.float32), M],
        ValueError,
        r"except for the concatenation axis\. Received: input_shape=\[\(1, 3\), \(2, 3\)\]",
    ),
    ("Concatenate", [T1, T1[:, :1]], ValueError, r"except for the concatenation axis"),
    (
        "Subtract",
        [A, B, C],
        ValueError,
        r"exactly 2 inputs\. Received: input_shape=\[\(3,\), \(3,\), \(3,\)\]",
    ),
    (
        "Add",
        [T1, np.ones((2, 3, 3), np.float32)],
        ValueError,
        r"incompatible shapes\. Received shapes \(2, 3\) and \(3, 3\)",
    ),
    (
        "Add",
        [A, np.ones((3, 3), np.float32)],
        NotSupportedError,
        r"does not broadcast.*Received: input shapes \[\(3,\), \(3, 3\)\]",
    ),
    ("Multiply", [np.ones((3, 3), np.float32), A], NotSupportedError, r"input shapes \[\(3, 3\), \(3,\)\]"),
    ("Average", [A, np.ones((3, 2), np.float32)], NotSupportedError, r"input shapes \[\(3,\), \(3, 2\)\]"),
    ("Minimum", [T1, T1[:, :1]], NotSupportedError, r"input shapes \[\(2, 2, 3\), \(2, 1, 3\)\]"),
    ("Add", [T1, M], NotSupportedError, r"input shapes \[\(2, 2, 3\), \(2, 3\)\]"),
    ("Add", [np.float32(1.0), np.float32(2.0)], ValueError, r"inputs\[0\]` must be an array of samples"),
]


@pytest.mark.parametrize("kind, inputs, error, match", REFUSED)
def test_merge_refusals(kind: str, inputs: list[Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match) as info:
        getattr(layers, kind)()(inputs)
    assert isinstance(info.value, ValueError)


def test_concatenate_axis_1_joins_two_axis_inputs_only() -> None:
    np.testing.assert_array_equal(layers.Concatenate(axis=1)([M, M]), np.hstack([M, M]))
    with pytest.raises(ValueError, match=r"axis=1.*1-D inputs do not have.*Received: axis=1"):
        layers.Concatenate(axis=1)([A, B])  # Keras: TensorFlow's InvalidArgumentError
    with pytest.raises(NotSupportedError, match=r"last axis.*Received: axis=1, input_shape=\[\(2, 2, 3\)"):
        layers.Concatenate(axis=1)([T1, T2])  # Keras joins axis 1: (2, 4, 3)


def _weights_for(model: Any) -> list[np.ndarray[Any, Any]]:
    """Every weight set to a ramp, scaled by its place (the goldens' predictions are Keras's with these)."""
    return [
        np.linspace(-1.0, 1.0, w.size, dtype=np.float32).reshape(w.shape) * (0.5 + 0.25 * i)
        for i, w in enumerate(model.get_weights())
    ]


X_A = np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)
X_B = np.linspace(1, -1, 6, dtype=np.float32).reshape(3, 2)
X_SEQ = np.linspace(-1, 2, 9, dtype=np.float32).reshape(3, 3)
X_BY_NAME = {
    "x1": np.linspace(0, 1, 6, dtype=np.float32).reshape(3, 2),
    "x2": np.linspace(-1, 0, 9, dtype=np.float32).reshape(3, 3),
}

# Keras 3.15.1, printed from memory (never JSON): the Functional model
#   a (4,), b (2,) -> Concatenate([Dense(3, relu)(a), b]) -> Normalization(mean, variance)
#   -> Add([Sequential([Input((5,)), Dense(2, tanh)])(...), Dense(2)(b)]) -> Dense(1)
# fmt: off
FUNCTIONAL_CONFIG: dict[str, Any] = {'name': 'merged',
 'trainable': True,
 'layers': [{'module': 'keras.layers',
             'class_name': 'InputLayer',
             'config': {'batch_shape': (None, 4),
                        'dtype': 'float32',
                        'sparse': False,
                        'ragged': False,
                        'name': 'a',
                        'optional': False},
             'registered_name': None,
             'name': 'a',
             'inbound_nodes': []},
            {'module': 'keras.layers',
             'class_name': 'Dense',
             'config': {'name': 'da',
                        'trainable': True,
                        'dtype': {'module': 'keras',
                                  'class_name': 'DTypePolicy',
                                  'config': {'name': 'float32'},
                                  'registered_name': None},
                        'units': 3,
                        'activation': 'relu',
                        'use_bias': True,
                        'kernel_initializer': {'module': 'keras.initializers',
                                               'class_name': 'GlorotUniform',
                                               'config': {'seed': None, 'input_axes': None, 'output_axes': None},
                                               'registered_name': None},
                        'bias_initializer': {'module': 'keras.initializers',
                                             'class_name': 'Zeros',
                                             'config': {},
                                             'registered_name': None},
                        'kernel_regularizer': None,
                        'bias_regularizer': None,
                        'kernel_constraint': None,
                        'bias_constraint': None,
                        'quantization_config': None},
             'registered_name': None,
             'build_config': {'input_shape': (None, 4)},
             'name': 'da',
             'inbound_nodes': [{'args': ({'class_name': '__keras_tensor__',
                                          'config': {'shape': (None, 4),
                                                     'dtype': 'float32',
                                                     'keras_history': ['a', 0, 0]}},),
                                'kwargs': {}}]},
            {'module': 'keras.layers',
             'class_name': 'InputLayer',
             'config': {'batch_shape': (None, 2),
                        'dtype': 'float32',
                        'sparse': False,
                        'ragged': False,
                        'name': 'b',
                        'optional': False},
             'registered_name': None,
             'name': 'b',
             'inbound_nodes': []},
            {'module': 'keras.layers',
             'class_name': 'Concatenate',
             'config': {'name': 'cat',
                        'trainable': True,
                        'dtype': {'module': 'keras',
                                  'class_name': 'DTypePolicy',
                                  'config': {'name': 'float32'},
                                  'registered_name': None},
                        'axis': -1},
             'registered_name': None,
             'build_config': {'input_shape': [(None, 3), (None, 2)]},
             'name': 'cat',
             'inbound_nodes': [{'args': ([{'class_name': '__keras_tensor__',
                                           'config': {'shape': (None, 3),
                                                      'dtype': 'float32',
                                                      'keras_history': ['da', 0, 0]}},
                                          {'class_name': '__keras_tensor__',
                                           'config': {'shape': (None, 2),
                                                      'dtype': 'float32',
                                                      'keras_history': ['b', 0, 0]}}],),
                                'kwargs': {}}]},
            {'module': 'keras.layers',
             'class_name': 'Normalization',
             'config': {'name': 'norm',
                        'trainable': True,
                        'dtype': {'module': 'keras',
                                  'class_name': 'DTypePolicy',
                                  'config': {'name': 'float32'},
                                  'registered_name': None},
                        'axis': (-1,),
                        'invert': False,
                        'mean': [0.5, -0.5, 1.0, 0.0, 2.0],
                        'variance': [1.0, 4.0, 0.25, 1.0, 9.0]},
             'registered_name': None,
             'build_config': {'input_shape': (None, 5)},
             'name': 'norm',
             'inbound_nodes': [{'args': ({'class_name': '__keras_tensor__',
                                          'config': {'shape': (None, 5),
                                                     'dtype': 'float32',
                                                     'keras_history': ['cat', 0, 0]}},),
                                'kwargs': {}}]},
            {'module': 'keras',
             'class_name': 'Sequential',
             'config': {'name': 'inner',
                        'trainable': True,
                        'dtype': {'module': 'keras',
                                  'class_name': 'DTypePolicy',
                                  'config': {'name': 'float32'},
                                  'registered_name': None},
                        'layers': [{'module': 'keras.layers',
                                    'class_name': 'InputLayer',
                                    'config': {'batch_shape': (None, 5),
                                               'dtype': 'float32',
                                               'sparse': False,
                                               'ragged': False,
                                               'name': 'input_layer',
                                               'optional': False},
                                    'registered_name': None},
                                   {'module': 'keras.layers',
                                    'class_name': 'Dense',
                                    'config': {'name': 'i1',
                                               'trainable': True,
                                               'dtype': {'module': 'keras',
                                                         'class_name': 'DTypePolicy',
                                                         'config': {'name': 'float32'},
                                                         'registered_name': None},
                                               'units': 2,
                                               'activation': 'tanh',
                                               'use_bias': True,
                                               'kernel_initializer': {'module': 'keras.initializers',
                                                                      'class_name': 'GlorotUniform',
                                                                      'config': {'seed': None,
                                                                                 'input_axes': None,
                                                                                 'output_axes': None},
                                                                      'registered_name': None},
                                               'bias_initializer': {'module': 'keras.initializers',
                                                                    'class_name': 'Zeros',
                                                                    'config': {},
                                                                    'registered_name': None},
                                               'kernel_regularizer': None,
                                               'bias_regularizer': None,
                                               'kernel_constraint': None,
                                               'bias_constraint': None,
                                               'quantization_config': None},
                                    'registered_name': None,
                                    'build_config': {'input_shape': (None, 5)}}],
                        'build_input_shape': (None, 5)},
             'registered_name': None,
             'build_config': {'input_shape': (None, 5)},
             'compile_config': {},
             'name': 'inner',
             'inbound_nodes': [{'args': ({'class_name': '__keras_tensor__',
                                          'config': {'shape': (None, 5),
                                                     'dtype': 'float32',
                                                     'keras_history': ['norm', 0, 0]}},),
                                'kwargs': {'mask': None}}]},
            {'module': 'keras.layers',
             'class_name': 'Dense',
             'config': {'name': 'db',
                        'trainable': True,
                        'dtype': {'module': 'keras',
                                  'class_name': 'DTypePolicy',
                                  'config': {'name': 'float32'},
                                  'registered_name': None},
                        'units': 2,
                        'activation': 'linear',
                        'use_bias': True,
                        'kernel_initializer': {'module': 'keras.initializers',
                                               'class_name': 'GlorotUniform',
                                               'config': {'seed': None, 'input_axes': None, 'output_axes': None},
                                               'registered_name': None},
                        'bias_initializer': {'module': 'keras.initializers',
                                             'class_name': 'Zeros',
                                             'config': {},
                                             'registered_name': None},
                        'kernel_regularizer': None,
                        'bias_regularizer': None,
                        'kernel_constraint': None,
                        'bias_constraint': None,
                        'quantization_config': None},
             'registered_name': None,
             'build_config': {'input_shape': (None, 2)},
             'name': 'db',
             'inbound_nodes': [{'args': ({'class_name': '__keras_tensor__',
                                          'config': {'shape': (None, 2),
                                                     'dtype': 'float32',
                                                     'keras_history': ['b', 0, 0]}},),
                                'kwargs': {}}]},
            {'module': 'keras.layers',
             'class_name': 'Add',
             'config': {'name': 'add',
                        'trainable': True,
                        'dtype': {'module': 'keras',
                                  'class_name': 'DTypePolicy',
                                  'config': {'name': 'float32'},
                                  'registered_name': None}},
             'registered_name': None,
             'build_config': {'input_shape': [(None, 2), (None, 2)]},
             'name': 'add',
             'inbound_nodes': [{'args': ([{'class_name': '__keras_tensor__',
                                           'config': {'shape': (None, 2),
                                                      'dtype': 'float32',
                                                      'keras_history': ['inner', 0, 0]}},
                                          {'class_name': '__keras_tensor__',
                                           'config': {'shape': (None, 2),
                                                      'dtype': 'float32',
                                                      'keras_history': ['db', 0, 0]}}],),
                                'kwargs': {}}]},
            {'module': 'keras.layers',
             'class_name': 'Dense',
             'config': {'name': 'o',
                        'trainable': True,
                        'dtype': {'module': 'keras',
                                  'class_name': 'DTypePolicy',
                                  'config': {'name': 'float32'},
                                  'registered_name': None},
                        'units': 1,
                        'activation': 'linear',
                        'use_bias': True,
                        'kernel_initializer': {'module': 'keras.initializers',
                                               'class_name': 'GlorotUniform',
                                               'config': {'seed': None, 'input_axes': None, 'output_axes': None},
                                               'registered_name': None},
                        'bias_initializer': {'module': 'keras.initializers',
                                             'class_name': 'Zeros',
                                             'config': {},
                                             'registered_name': None},
                        'kernel_regularizer': None,
                        'bias_regularizer': None,
                        'kernel_constraint': None,
                        'bias_constraint': None,
                        'quantization_config': None},
             'registered_name': None,
             'build_config': {'input_shape': (None, 2)},
             'name': 'o',
             'inbound_nodes': [{'args': ({'class_name': '__keras_tensor__',
                                          'config': {'shape': (None, 2),
                                                     'dtype': 'float32',
                                                     'keras_history': ['add', 0, 0]}},),
                                'kwargs': {}}]}],
 'input_layers': [['a', 0, 0], ['b', 0, 0]],
 'output_layers': ['o', 0, 0]}
FUNCTIONAL_PRED = [11.372304916381836, 8.026512145996094, 4.10325288772583]

# Keras 3.15.1: a Sequential nesting a Functional model (Maximum of two Dense) before a Dense(1)
SEQUENTIAL_CONFIG: dict[str, Any] = {'name': 'outer',
 'trainable': True,
 'dtype': {'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': 'float32'}, 'registered_name': None},
 'layers': [{'module': 'keras.layers',
             'class_name': 'InputLayer',
             'config': {'batch_shape': (None, 3),
                        'dtype': 'float32',
                        'sparse': False,
                        'ragged': False,
                        'name': 'input_layer_1',
                        'optional': False},
             'registered_name': None},
            {'module': 'keras.src.models.functional',
             'class_name': 'Functional',
             'config': {'name': 'innerf',
                        'trainable': True,
                        'layers': [{'module': 'keras.layers',
                                    'class_name': 'InputLayer',
                                    'config': {'batch_shape': (None, 3),
                                               'dtype': 'float32',
                                               'sparse': False,
                                               'ragged': False,
                                               'name': 'ia',
                                               'optional': False},
                                    'registered_name': None,
                                    'name': 'ia',
                                    'inbound_nodes': []},
                                   {'module': 'keras.layers',
                                    'class_name': 'Dense',
                                    'config': {'name': 'f1',
                                               'trainable': True,
                                               'dtype': {'module': 'keras',
                                                         'class_name': 'DTypePolicy',
                                                         'config': {'name': 'float32'},
                                                         'registered_name': None},
                                               'units': 2,
                                               'activation': 'linear',
                                               'use_bias': True,
                                               'kernel_initializer': {'module': 'keras.initializers',
                                                                      'class_name': 'GlorotUniform',
                                                                      'config': {'seed': None,
                                                                                 'input_axes': None,
                                                                                 'output_axes': None},
                                                                      'registered_name': None},
                                               'bias_initializer': {'module': 'keras.initializers',
                                                                    'class_name': 'Zeros',
                                                                    'config': {},
                                                                    'registered_name': None},
                                               'kernel_regularizer': None,
                                               'bias_regularizer': None,
                                               'kernel_constraint': None,
                                               'bias_constraint': None,
                                               'quantization_config': None},
                                    'registered_name': None,
                                    'build_config': {'input_shape': (None, 3)},
                                    'name': 'f1',
                                    'inbound_nodes': [{'args': ({'class_name': '__keras_tensor__',
                                                                 'config': {'shape': (None, 3),
                                                                            'dtype': 'float32',
                                                                            'keras_history': ['ia', 0, 0]}},),
                                                       'kwargs': {}}]},
                                   {'module': 'keras.layers',
                                    'class_name': 'Dense',
                                    'config': {'name': 'f2',
                                               'trainable': True,
                                               'dtype': {'module': 'keras',
                                                         'class_name': 'DTypePolicy',
                                                         'config': {'name': 'float32'},
                                                         'registered_name': None},
                                               'units': 2,
                                               'activation': 'linear',
                                               'use_bias': True,
                                               'kernel_initializer': {'module': 'keras.initializers',
                                                                      'class_name': 'GlorotUniform',
                                                                      'config': {'seed': None,
                                                                                 'input_axes': None,
                                                                                 'output_axes': None},
                                                                      'registered_name': None},
                                               'bias_initializer': {'module': 'keras.initializers',
                                                                    'class_name': 'Zeros',
                                                                    'config': {},
                                                                    'registered_name': None},
                                               'kernel_regularizer': None,
                                               'bias_regularizer': None,
                                               'kernel_constraint': None,
                                               'bias_constraint': None,
                                               'quantization_config': None},
                                    'registered_name': None,
                                    'build_config': {'input_shape': (None, 3)},
                                    'name': 'f2',
                                    'inbound_nodes': [{'args': ({'class_name': '__keras_tensor__',
                                                                 'config': {'shape': (None, 3),
                                                                            'dtype': 'float32',
                                                                            'keras_history': ['ia', 0, 0]}},),
                                                       'kwargs': {}}]},
                                   {'module': 'keras.layers',
                                    'class_name': 'Maximum',
                                    'config': {'name': 'mx',
                                               'trainable': True,
                                               'dtype': {'module': 'keras',
                                                         'class_name': 'DTypePolicy',
                                                         'config': {'name': 'float32'},
                                                         'registered_name': None}},
                                    'registered_name': None,
                                    'build_config': {'input_shape': [(None, 2), (None, 2)]},
                                    'name': 'mx',
                                    'inbound_nodes': [{'args': ([{'class_name': '__keras_tensor__',
                                                                  'config': {'shape': (None, 2),
                                                                             'dtype': 'float32',
                                                                             'keras_history': ['f1', 0, 0]}},
                                                                 {'class_name': '__keras_tensor__',
                                                                  'config': {'shape': (None, 2),
                                                                             'dtype': 'float32',
                                                                             'keras_history': ['f2', 0, 0]}}],),
                                                       'kwargs': {}}]}],
                        'input_layers': ['ia', 0, 0],
                        'output_layers': ['mx', 0, 0]},
             'registered_name': 'Functional',
             'build_config': {'input_shape': None},
             'compile_config': {}},
            {'module': 'keras.layers',
             'class_name': 'Dense',
             'config': {'name': 'o',
                        'trainable': True,
                        'dtype': {'module': 'keras',
                                  'class_name': 'DTypePolicy',
                                  'config': {'name': 'float32'},
                                  'registered_name': None},
                        'units': 1,
                        'activation': 'linear',
                        'use_bias': True,
                        'kernel_initializer': {'module': 'keras.initializers',
                                               'class_name': 'GlorotUniform',
                                               'config': {'seed': None, 'input_axes': None, 'output_axes': None},
                                               'registered_name': None},
                        'bias_initializer': {'module': 'keras.initializers',
                                             'class_name': 'Zeros',
                                             'config': {},
                                             'registered_name': None},
                        'kernel_regularizer': None,
                        'bias_regularizer': None,
                        'kernel_constraint': None,
                        'bias_constraint': None,
                        'quantization_config': None},
             'registered_name': None,
             'build_config': {'input_shape': (None, 2)}}],
 'build_input_shape': (None, 3)}
SEQUENTIAL_PRED = [0.8562500476837158, 2.375, 3.8937501907348633]

# Keras 3.15.1: a Functional model of a dict of inputs, {"x1": (2,), "x2": (3,)} -> Concatenate -> Dense(1)
BY_NAME_CONFIG: dict[str, Any] = {'name': 'by_name',
 'trainable': True,
 'layers': [{'module': 'keras.layers',
             'class_name': 'InputLayer',
             'config': {'batch_shape': (None, 2),
                        'dtype': 'float32',
                        'sparse': False,
                        'ragged': False,
                        'name': 'x1',
                        'optional': False},
             'registered_name': None,
             'name': 'x1',
             'inbound_nodes': []},
            {'module': 'keras.layers',
             'class_name': 'InputLayer',
             'config': {'batch_shape': (None, 3),
                        'dtype': 'float32',
                        'sparse': False,
                        'ragged': False,
                        'name': 'x2',
                        'optional': False},
             'registered_name': None,
             'name': 'x2',
             'inbound_nodes': []},
            {'module': 'keras.layers',
             'class_name': 'Concatenate',
             'config': {'name': 'c',
                        'trainable': True,
                        'dtype': {'module': 'keras',
                                  'class_name': 'DTypePolicy',
                                  'config': {'name': 'float32'},
                                  'registered_name': None},
                        'axis': -1},
             'registered_name': None,
             'build_config': {'input_shape': [(None, 2), (None, 3)]},
             'name': 'c',
             'inbound_nodes': [{'args': ([{'class_name': '__keras_tensor__',
                                           'config': {'shape': (None, 2),
                                                      'dtype': 'float32',
                                                      'keras_history': ['x1', 0, 0]}},
                                          {'class_name': '__keras_tensor__',
                                           'config': {'shape': (None, 3),
                                                      'dtype': 'float32',
                                                      'keras_history': ['x2', 0, 0]}}],),
                                'kwargs': {}}]},
            {'module': 'keras.layers',
             'class_name': 'Dense',
             'config': {'name': 'o',
                        'trainable': True,
                        'dtype': {'module': 'keras',
                                  'class_name': 'DTypePolicy',
                                  'config': {'name': 'float32'},
                                  'registered_name': None},
                        'units': 1,
                        'activation': 'linear',
                        'use_bias': True,
                        'kernel_initializer': {'module': 'keras.initializers',
                                               'class_name': 'GlorotUniform',
                                               'config': {'seed': None, 'input_axes': None, 'output_axes': None},
                                               'registered_name': None},
                        'bias_initializer': {'module': 'keras.initializers',
                                             'class_name': 'Zeros',
                                             'config': {},
                                             'registered_name': None},
                        'kernel_regularizer': None,
                        'bias_regularizer': None,
                        'kernel_constraint': None,
                        'bias_constraint': None,
                        'quantization_config': None},
             'registered_name': None,
             'build_config': {'input_shape': (None, 5)},
             'name': 'o',
             'inbound_nodes': [{'args': ({'class_name': '__keras_tensor__',
                                          'config': {'shape': (None, 5),
                                                     'dtype': 'float32',
                                                     'keras_history': ['c', 0, 0]}},),
                                'kwargs': {}}]}],
 'input_layers': {'x1': ['x1', 0, 0], 'x2': ['x2', 0, 0]},
 'output_layers': ['o', 0, 0]}
BY_NAME_PRED = [-1.3937499523162842, -1.412500023841858, -1.431249976158142]
# fmt: on


MODELS = {
    "functional": ("Functional", FUNCTIONAL_CONFIG, [X_A, X_B], FUNCTIONAL_PRED, 36),
    "sequential": ("Sequential", SEQUENTIAL_CONFIG, X_SEQ, SEQUENTIAL_PRED, 19),
    "by_name": ("Functional", BY_NAME_CONFIG, X_BY_NAME, BY_NAME_PRED, 6),
}


def test_the_goldens_hold_tuples_as_keras_gives_them() -> None:
    node = FUNCTIONAL_CONFIG["layers"][1]["inbound_nodes"][0]
    assert isinstance(node["args"], tuple)
    assert isinstance(node["args"][0]["config"]["shape"], tuple)
    assert isinstance(FUNCTIONAL_CONFIG["layers"][0]["config"]["batch_shape"], tuple)
    assert isinstance(
        SEQUENTIAL_CONFIG["layers"][1]["config"]["layers"][1]["inbound_nodes"][0]["args"], tuple
    )


def _check(model: Any, x: Any, pred: list[float], params: int) -> None:
    assert model.count_params() == params
    model.set_weights(_weights_for(model))
    np.testing.assert_allclose(model.predict(x, verbose=0).ravel(), pred, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", list(MODELS))
def test_from_keras_in_memory_config(name: str) -> None:
    """/tmp/sweep46/layers/repro_functional_from_config.py: the dict itself, not a JSON round trip of it."""
    class_name, config, x, pred, params = MODELS[name]
    before = copy.deepcopy(config)
    cls = keras.Sequential if class_name == "Sequential" else keras.Model
    _check(cls.from_config(config), x, pred, params)
    _check(keras.Model.from_config(config), x, pred, params)
    assert config == before  # read, never changed
    _check(cls.from_config(json.loads(json.dumps(config))), x, pred, params)
    tree = {"module": "keras", "class_name": class_name, "config": config, "registered_name": class_name}
    _check(keras.models.model_from_json(json.dumps(tree)), x, pred, params)


def test_tuples_wherever_a_functional_config_has_lists() -> None:
    """keras_history, input_layers and output_layers as tuples too, and a call on several tensors."""

    def tuples(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: tuples(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return tuple(tuples(v) for v in value)
        return value

    config = {**BY_NAME_CONFIG, "layers": [tuples(item) for item in BY_NAME_CONFIG["layers"]]}
    config["input_layers"] = tuples(config["input_layers"])
    config["output_layers"] = tuples(config["output_layers"])
    _check(keras.Model.from_config(config), X_BY_NAME, BY_NAME_PRED, 6)
    listed = {**config, "input_layers": (("x1", 0, 0), ("x2", 0, 0))}
    model = keras.Model.from_config(listed)
    model.set_weights(_weights_for(model))
    np.testing.assert_allclose(
        model.predict([X_BY_NAME["x1"], X_BY_NAME["x2"]], verbose=0).ravel(), BY_NAME_PRED, rtol=1e-5
    )
    bad = copy.deepcopy(FUNCTIONAL_CONFIG)
    bad["layers"][1]["inbound_nodes"][0]["args"] = bad["layers"][1]["inbound_nodes"][0]["args"] * 2
    with pytest.raises(ValueError, match=r"layer 1 \('da'\) is called with"):
        keras.Model.from_config(bad)


_LIVE = r"""
import os, pickle, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import keras
L = keras.layers
rng = np.random.default_rng(7)
out = {"merges": {}, "models": {}}
shapes = [[(4,), (4,)], [(5,), (2,), (3,)], [(4,), (4, 1)], [(3, 1), (3,)], [(2, 3, 4), (2, 3, 4)], [(2, 3, 4), (2, 3, 2)]]
for shape in shapes:
    arrays = [rng.normal(size=s).astype("float32") for s in shape]
    for kind in ("Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"):
        try:
            y = np.asarray(getattr(L, kind)()(arrays))
        except Exception as e:
            y = type(e).__name__
        out["merges"][(kind, tuple(shape))] = (arrays, y)
a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(3,), name="b")
norm = L.Normalization(name="norm")
norm.adapt(rng.normal(size=(20, 6)).astype("float32"))
joined = norm(L.Concatenate(name="cat")([L.Dense(3, activation="relu", name="da")(a), b]))
mixed = L.Subtract(name="sub")([L.Dense(2, name="p")(joined), L.Dense(2, name="q")(joined)])
inner = keras.Sequential([keras.Input(shape=(2,)), L.Dense(2, activation="tanh", name="i")], name="inner")
models = {
    "functional": keras.Model([a, b], L.Dense(1, name="o")(L.Multiply(name="mul")([mixed, inner(mixed)]))),
    "sequential": keras.Sequential([keras.Input(shape=(3,)), L.Dense(4, activation="elu"), L.Dropout(0.1), L.Dense(1)]),
}
for name, model in models.items():
    x = [rng.normal(size=(4, 3)).astype("float32") for _ in model.inputs]
    x = x if len(x) > 1 else x[0]
    out["models"][name] = (model.get_config(), model.get_weights(), x, model.predict(x, verbose=0))
with open(sys.argv[1], "wb") as f:
    pickle.dump(out, f)
"""


@pytest.mark.skipif(not HAVE_KERAS, reason="Keras 3 with TensorFlow is not installed; the goldens cover it")
def test_against_live_keras(tmp_path: Path) -> None:
    path = tmp_path / "keras.pkl"
    run = subprocess.run(
        [sys.executable, "-c", _LIVE, str(path)], capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr[-4000:]
    with open(path, "rb") as f:
        got = pickle.load(f)  # written just now by the script above
    for (kind, shape), (arrays, want) in got["merges"].items():
        if isinstance(want, str):  # Keras refused: so does keras_lite, or it does not broadcast yet
            with pytest.raises(ValueError):
                getattr(layers, kind)()(arrays)
            continue
        try:
            out = getattr(layers, kind)()(arrays)
        except NotSupportedError:
            assert len({a.shape for a in arrays}) > 1, (kind, shape)  # only a broadcast is refused
            continue
        assert out.shape == want.shape, (kind, shape)
        np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6, err_msg=f"{kind} {shape}")
    for name, (config, weights, x, want) in got["models"].items():
        model = (keras.Sequential if name == "sequential" else keras.Model).from_config(config)
        model.set_weights(weights)
        np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("device", DEVICES)
def test_maximum_and_minimum_give_a_nan_on_either_side(device: str) -> None:
    # As Keras 3.15.1 on TensorFlow: Maximum()([[nan, 1, -2]], [[0.5, nan, 3]]) is [[nan, nan, 3]].
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(2, 300, 3)).astype(np.float32)
    x[rng.random((300, 3)) < 0.1] = np.nan
    y[rng.random((300, 3)) < 0.1] = np.nan
    x[0, 2], y[0, 2] = np.nan, -np.inf
    a, b = keras.Input(shape=(3,)), keras.Input(shape=(3,))
    model = keras.Model([a, b], layers.Concatenate()([layers.Maximum()([a, b]), layers.Minimum()([a, b])]))
    model.to(device)
    got = model.predict([x, y], verbose=0)
    want = np.concatenate([np.maximum(x, y), np.minimum(x, y)], axis=1)  # NumPy's propagate NaN too
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(layers.Maximum()([x, y]), np.maximum(x, y))
