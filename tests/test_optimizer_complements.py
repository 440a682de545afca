"""The decay rates' complements `1 − β` (Adam's, AdamW's and AMSGrad's β₁ and β₂, RMSprop's and Adadelta's ρ,
Adamax's β₁) are computed from the rates as given and then rounded to float32, as Keras 3 computes
`1 - self.beta_2` on its Python floats: with β₂ = 0.9999 the float32 rate's complement is 1.7e-4 off, which
Adam's first step carries whole. Goldens: Keras 3.15.1 on TensorFlow 2.21 (CPU), one weight pulled by a
gradient far larger than epsilon, three steps."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import keras_lite as keras
from devices import DEVICES

OPT = keras.optimizers
CASES = {
    "adam": (lambda: OPT.Adam(0.1), 0.29998836),
    "adam beta_2=0.9999": (lambda: OPT.Adam(0.1, beta_2=0.9999), 0.3000127),
    "amsgrad beta_2=0.9999": (lambda: OPT.Adam(0.1, beta_2=0.9999, amsgrad=True), 0.3000127),
    "adamw beta_2=0.9999": (lambda: OPT.AdamW(0.1, beta_2=0.9999), 0.2998927),
    "rmsprop rho=0.999 centered": (
        lambda: OPT.RMSprop(0.1, rho=0.999, centered=True, momentum=0.5),
        10.601619,
    ),
    "adamax beta_1=0.999": (lambda: OPT.Adamax(0.1, beta_1=0.999), 0.30015397),
    "adadelta rho=0.999": (lambda: OPT.Adadelta(1.0, rho=0.999), 0.030005),
}


def _weight_after(optimizer: Any, steps: int, device: str) -> float:
    model = keras.Sequential(
        [keras.Input((1,)), keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros")]
    )
    model.to(device)
    model.compile(optimizer=optimizer, loss="mse")
    x, y = np.ones((1, 1), np.float32), np.full((1, 1), 100.0, np.float32)  # d(mse)/dw = -200
    model.fit(x, y, batch_size=1, epochs=steps, verbose=0, shuffle=False)
    return float(model.get_weights()[0][0, 0])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", list(CASES))
def test_three_steps_are_keras_s(name: str, device: str) -> None:
    make, want = CASES[name]
    np.testing.assert_allclose(_weight_after(make(), 3, device), want, rtol=2e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_rmsprop_s_first_step_is_keras_s(device: str) -> None:
    # Keras 3.15.1: 3.162277699 (with 1 − f32(0.999) the step was 3.162298203). Its third step differs from ours
    # in the last bit, in the order TensorFlow's compiled step rounds in.
    np.testing.assert_allclose(_weight_after(OPT.RMSprop(0.1, rho=0.999), 1, device), 3.162277699, rtol=2e-7)
