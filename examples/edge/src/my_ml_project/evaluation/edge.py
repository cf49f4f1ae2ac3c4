"""Edge kit: latency of the on-device predict function against the budget, and parity of the
optimised (quantised) outputs with the float64 reference.

Golden rows: `id`, `slice`, `x0`..`x15`. Predictions: `id`, `scores` from the optimised path.
"""

from __future__ import annotations

import time

import numpy as np

from ..models import quantized
from .bootstrap import FloatArray, mean, percentile_interval, quantile
from .core import (
    Context,
    Direction,
    EvalError,
    Kit,
    KitResult,
    KitSettings,
    Measurement,
    MetricSpec,
    by_id,
    read_jsonl,
    slices_of,
)

METRICS = {
    "max_abs_deviation": MetricSpec(Direction.LOWER, "largest |optimised - reference| score"),
    "top1_agreement": MetricSpec(Direction.HIGHER, "rows where both paths pick the same class"),
    "latency_p50_ms": MetricSpec(Direction.LOWER, "median single-input latency", stable=False),
    "latency_p95_ms": MetricSpec(Direction.LOWER, "p95 single-input latency", stable=False),
    "latency_p99_ms": MetricSpec(Direction.LOWER, "p99 single-input latency", stable=False),
}


def time_calls(inputs: FloatArray, rounds: int, warmup: int) -> FloatArray:
    """Milliseconds per single-input call of the deployed model, shape (rounds, inputs)."""
    model = quantized.deployed()
    rows = [inputs[i : i + 1] for i in range(len(inputs))]
    for i in range(warmup):  # caches, lazy allocations, CPU frequency ramp-up
        quantized.optimised(model, rows[i % len(rows)])
    timings = np.empty((rounds, len(rows)))
    for r in range(rounds):
        for i, row in enumerate(rows):
            start = time.perf_counter()
            quantized.optimised(model, row)
            timings[r, i] = (time.perf_counter() - start) * 1000.0
    return timings


def evaluate(settings: KitSettings, context: Context) -> KitResult:
    golden_path, predictions_path = settings.path("golden"), settings.path("predictions")
    rows, x = quantized.load_inputs(settings)
    predicted = by_id(rows, read_jsonl(predictions_path), golden_path.name, predictions_path.name)
    try:
        scores = np.array([row["scores"] for row in predicted], dtype=np.float64)
    except (KeyError, TypeError, ValueError):
        raise EvalError(
            f"{predictions_path.name}: every row needs a numeric `scores` list"
        ) from None
    expected = quantized.reference(quantized.reference_model(), x)
    if scores.shape != expected.shape:
        raise EvalError(f"{predictions_path.name}: `scores` must have {expected.shape[1]} values")
    deviation = np.abs(scores - expected).max(axis=1)
    agree = (scores.argmax(axis=1) == expected.argmax(axis=1)).astype(np.float64)
    result = KitResult()
    for name, index in slices_of(rows, golden_path.name).items():
        w = context.weights(f"edge/{name}", index.size)
        worst = percentile_interval(
            float(deviation[index].max()), _max(deviation[index], w), context.confidence
        )
        result.measurements.append(Measurement("max_abs_deviation", name, worst, index.size))
        agreement = mean(agree[index], w, context.confidence)
        result.measurements.append(Measurement("top1_agreement", name, agreement, index.size))
    timings = time_calls(x, int(settings.number("rounds", 30)), int(settings.number("warmup", 50)))
    calls = timings.ravel()
    # Calls of one round share the machine's state (a noisy neighbour, a frequency drop), so
    # the bootstrap resamples whole rounds: each call carries its round's weight.
    rounds = context.weights("edge/latency-rounds", timings.shape[0])
    w = np.repeat(rounds, timings.shape[1], axis=1)
    for metric, q in (("latency_p50_ms", 0.5), ("latency_p95_ms", 0.95), ("latency_p99_ms", 0.99)):
        result.measurements.append(
            Measurement(metric, "all", quantile(calls, q, w, context.confidence), calls.size)
        )
    return result


def _max(values: FloatArray, weights: FloatArray) -> FloatArray:
    """The maximum of the values each resample drew (weight > 0)."""
    drawn: FloatArray = np.where(weights > 0, values, -np.inf).max(axis=1)
    return drawn


KIT = Kit("edge", METRICS, evaluate)
