"""pytest configuration shared by the whole suite: hypothesis profiles.

``CI`` set in the environment selects the ``ci`` profile: derandomized (the same examples on every run, so a
failure reproduces on any machine), no deadline (shared runners are slow and noisy) and a moderate number
of examples. Otherwise the ``dev`` profile runs fewer, random examples; ``HYPOTHESIS_PROFILE=<name>``
picks a profile explicitly (``thorough`` for a longer local search).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

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
