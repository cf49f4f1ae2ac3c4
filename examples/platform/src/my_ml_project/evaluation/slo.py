"""Platform kit: SLO conformance from a request log (load test, canary or production export).

Rows: `timestamp` (ISO 8601), `slice` (route), `status` (HTTP code), `latency_ms`. A request
is good when it is not a 5xx; the error budget is `1 - availability_target`.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from .bootstrap import FloatArray, Interval, mean, quantile
from .core import (
    Context,
    Direction,
    EvalError,
    Kit,
    KitResult,
    KitSettings,
    Measurement,
    MetricSpec,
    field_of,
    read_csv,
    slices_of,
    timestamps,
)

METRICS = {
    "availability": MetricSpec(Direction.HIGHER, "share of requests without a 5xx"),
    "latency_p99_ms": MetricSpec(Direction.LOWER, "99th percentile latency"),
    "burn_rate": MetricSpec(Direction.LOWER, "error-budget burn rate over the whole log"),
    "burn_rate_1h": MetricSpec(Direction.LOWER, "error-budget burn rate over the last hour"),
}


def burn_rate(
    errors: FloatArray, weights: FloatArray, target: float, confidence: float
) -> Interval:
    """Observed error rate divided by the budgeted one: 1.0 spends the budget exactly on time."""
    rate = mean(errors, weights, confidence)
    budget = 1.0 - target
    return Interval(rate.value / budget, rate.low / budget, rate.high / budget)


def evaluate(settings: KitSettings, context: Context) -> KitResult:
    log_path = settings.path("requests")
    rows = read_csv(log_path)
    target = settings.number("availability_target", 0.995)
    if not 0 < target < 1:
        raise EvalError("evals/config.toml: [kits.slo] availability_target must be in (0, 1)")
    times = timestamps(rows, log_path.name)
    status = np.array([field_of(row, "status", int, log_path.name) for row in rows])
    latency = np.array([field_of(row, "latency_ms", float, log_path.name) for row in rows])
    errors = (status >= 500).astype(np.float64)
    recent = np.array([t >= max(times) - timedelta(hours=1) for t in times])
    result = KitResult()
    for name, index in slices_of(rows, log_path.name).items():
        w = context.weights(f"slo/{name}", index.size)
        conf = context.confidence
        last = index[recent[index]]
        availability = mean(1 - errors[index], w, conf)
        measured = {
            "availability": availability,
            "latency_p99_ms": quantile(latency[index], 0.99, w, conf),
            "burn_rate": burn_rate(errors[index], w, target, conf),
        }
        if last.size:
            wl = context.weights(f"slo-1h/{name}", last.size)
            measured["burn_rate_1h"] = burn_rate(errors[last], wl, target, conf)
        for metric, interval in measured.items():
            n = last.size if metric == "burn_rate_1h" else index.size
            result.measurements.append(Measurement(metric, name, interval, n))
    return result


KIT = Kit("slo", METRICS, evaluate)
