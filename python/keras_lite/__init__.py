"""keras_lite: Keras-compatible dense networks whose compute lives in Rust.

Use it as ``import keras_lite as keras``; ``keras.Sequential``, ``keras.layers``, ``keras.optimizers``,
``keras.losses``, ``keras.metrics``, ``keras.callbacks`` and ``keras.utils`` mirror Keras 3.
"""

from . import (
    _core,
    activations,
    callbacks,
    config,
    datasets,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    saving,
    utils,
)
from .layers import Input
from .models import Model, Sequential

__version__ = _core.__version__

__all__ = [
    "Input",
    "Model",
    "Sequential",
    "activations",
    "callbacks",
    "config",
    "datasets",
    "layers",
    "losses",
    "metrics",
    "models",
    "optimizers",
    "saving",
    "utils",
]
