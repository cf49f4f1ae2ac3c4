"""The platform kit has no model: it reads the request log named in evals/config.toml.

Export that log from the load test or canary (timestamp, route as `slice`, status,
latency_ms) before `nox -s evals`; this step only checks that it is there.
"""

from __future__ import annotations

from ..evaluation.core import KitSettings, read_csv


def predict(settings: KitSettings) -> int:
    return len(read_csv(settings.path("requests")))
