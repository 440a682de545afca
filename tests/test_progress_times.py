"""predict() and evaluate() report their own elapsed time in the progress bar (not the epoch clock)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import keras_lite as keras
from keras_lite import layers


def test_predict_and_evaluate_bars_show_small_times(capsys: pytest.CaptureFixture[str]) -> None:
    model = keras.Sequential([keras.Input(shape=(1,)), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mae")
    model.predict(np.linspace(-1.0, 1.0, 100), verbose=1)
    model.evaluate(np.zeros((4, 1)), np.zeros(4), verbose=2)
    out = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)
    seconds = [int(s) for s in re.findall(r" (\d+)s(?: |$)", out)]
    assert seconds and max(seconds) < 60, out
    assert "4/4" in out and "1/1" in out
