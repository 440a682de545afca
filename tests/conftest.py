"""pytest configuration shared by the whole suite: hypothesis profiles, and a seed per test.

``CI`` set in the environment selects the ``ci`` profile: derandomized (the same examples on every run, so a
failure reproduces on any machine), no deadline (shared runners are slow and noisy) and a moderate number
of examples. Otherwise the ``dev`` profile runs fewer, random examples; ``HYPOTHESIS_PROFILE=<name>``
picks a profile explicitly (``thorough`` for a longer local search).

Every test starts in a cleared session (``keras.backend.clear_session``: layers, metrics and optimizers named
from the start) and from ``keras.utils.set_random_seed`` of a number made from its own id, so the models it
builds have the same names and start from the same weights on every run, whatever ran before it. A test
comparing a fit with a reference (the mean absolute error's gradient flips sign at a zero residual, so some
starting weights take a float32 fit and a float64 reference apart) so passes or fails the same way each time.
"""

from __future__ import annotations

import os
import zlib

import pytest
from hypothesis import HealthCheck, settings

import keras_lite as keras

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=40,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    deadline=None,
    max_examples=25,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", deadline=None, max_examples=500, print_blob=True)

settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True)
def _seed_per_test(request: pytest.FixtureRequest) -> None:
    keras.backend.clear_session()  # names (dense, adam, auc) counted from the start, whatever ran before
    keras.utils.set_random_seed(zlib.crc32(request.node.nodeid.encode()))
