"""Layers, as ``keras.layers``: specifications whose weights live in the Rust core once built.

``Layer`` (``_layer``) is the base class; ``Dense``, ``Activation``, ``Dropout`` and ``BatchNormalization``
(``_builtin``) are the layers the core runs, with the activation layers ``ReLU``, ``LeakyReLU``, ``ELU`` and
``Softmax``, ``Identity`` and ``PReLU`` (``_activations``), ``LayerNormalization`` (``_layer_normalization``),
``Normalization`` (``_normalization``, its ``adapt`` in ``_adapt``), ``Discretization`` and
``CategoryEncoding`` (``_encoding``), ``Rescaling`` (``_rescaling``), and ``Flatten`` and ``Reshape``
(``_flatten``, which let a model take inputs of several dimensions);
``keras.Input`` makes an ``InputLayer`` (``_input_layer``) and returns its ``KerasTensor`` (``_keras_tensor``);
``InputSpec`` (``_input_spec``) is what ``layer.input_spec`` holds.
"""

from ._activations import ELU, Identity, LeakyReLU, PReLU, ReLU, Softmax
from ._builtin import Activation, BatchNormalization, Dense, Dropout, GaussianDropout, GaussianNoise
from ._encoding import CategoryEncoding, Discretization
from ._flatten import Flatten, Reshape
from ._input_layer import Input, InputLayer
from ._input_spec import InputSpec
from ._keras_tensor import KerasTensor
from ._layer import Layer
from ._layer_normalization import LayerNormalization
from ._merge import (
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    maximum,
    minimum,
    multiply,
    subtract,
)
from ._normalization import Normalization
from ._rescaling import Rescaling
from ._tensor_ops import LAYERS as _OPERATOR_LAYERS

_OPERATOR_LAYERS.update(Add=Add, Subtract=Subtract, Multiply=Multiply, Rescaling=Rescaling)

__all__ = [
    "Activation",
    "Add",
    "Average",
    "Concatenate",
    "Maximum",
    "Minimum",
    "Multiply",
    "Subtract",
    "add",
    "average",
    "concatenate",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
    "BatchNormalization",
    "CategoryEncoding",
    "Dense",
    "Discretization",
    "Dropout",
    "ELU",
    "Flatten",
    "GaussianDropout",
    "GaussianNoise",
    "Identity",
    "LeakyReLU",
    "ReLU",
    "Softmax",
    "Input",
    "InputLayer",
    "InputSpec",
    "KerasTensor",
    "Layer",
    "LayerNormalization",
    "Normalization",
    "PReLU",
    "Rescaling",
    "Reshape",
]
