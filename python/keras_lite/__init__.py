"""keras_lite: Keras-compatible dense networks whose compute lives in Rust.

Use it as ``import keras_lite as keras``; ``keras.Sequential``, ``keras.layers``, ``keras.optimizers``,
``keras.losses``, ``keras.metrics``, ``keras.initializers``, ``keras.callbacks`` and ``keras.utils`` mirror
Keras 3.

A Keras 3 name keras_lite does not have yet (``keras.layers.Conv2D``, ``keras.ops``,
``model.train_step``) raises ``NotSupportedError`` (a ``NotImplementedError`` and a ``ValueError``)
saying so and naming what keras_lite has; see ``_unsupported``.
"""

import sys

from . import (
    _core,
    _unsupported,
    activations,
    backend,
    callbacks,
    config,
    constraints,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
    saving,
    utils,
)
from ._dtype_policy import DTypePolicy
from ._unsupported import NotSupportedError
from .initializers import Initializer
from .layers import Input, InputSpec, KerasTensor, Layer
from .losses import Loss
from .metrics import Metric
from .models import Model, Sequential
from .optimizers import Optimizer

__version__ = _core.__version__

__all__ = [
    "DTypePolicy",
    "Initializer",
    "Input",
    "InputSpec",
    "KerasTensor",
    "Layer",
    "Loss",
    "Metric",
    "Model",
    "NotSupportedError",
    "Optimizer",
    "Sequential",
    "activations",
    "backend",
    "callbacks",
    "config",
    "constraints",
    "datasets",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "optimizers",
    "regularizers",
    "saving",
    "utils",
]

_unsupported.install(sys.modules[__name__])
