"""The quantised path stays close to the reference; latency quantiles and timing are sound."""

from __future__ import annotations

import numpy as np

from my_ml_project.evaluation.bootstrap import quantile, resample_weights
from my_ml_project.evaluation.edge import time_calls
from my_ml_project.models import quantized


def test_int8_weights_round_trip_within_half_a_step() -> None:
    layer = quantized.reference_model()[0]
    q = quantized.quantize(layer)
    restored = q.weight.astype(np.float64) * q.scale[:, None]
    assert np.abs(restored - layer.weight).max() <= q.scale.max() / 2 + 1e-7


def test_optimised_path_matches_reference() -> None:
    x = np.random.default_rng(0).normal(size=(64, quantized.INPUTS))
    layers = quantized.reference_model()
    model = (quantized.quantize(layers[0]), quantized.quantize(layers[1]))
    reference = quantized.reference(layers, x)
    optimised = quantized.optimised(model, x)
    assert np.allclose(optimised.sum(axis=1), 1.0)
    assert np.abs(optimised - reference).max() < 0.02


def test_time_calls_shape_and_positive() -> None:
    timings = time_calls(np.zeros((5, quantized.INPUTS)), rounds=3, warmup=2)
    assert timings.shape == (3, 5)
    assert (timings > 0).all()


def test_latency_quantile_hand_computed() -> None:
    timings = np.arange(1.0, 101.0)  # 1..100 ms
    p95 = quantile(timings, 0.95, resample_weights(100, 200, 0, "t"), 0.95)
    assert p95.value == 95.0  # inverted CDF: the 95th of 100 sorted values
    assert p95.low <= p95.value <= p95.high


# Seeded draws, not hypothesis: importing it costs every test run ~0.5 s.
def test_latency_quantile_is_an_observed_value() -> None:
    for seed in range(50):
        rng = np.random.default_rng(seed)
        timings = rng.uniform(0.01, 1000.0, rng.integers(1, 61))
        q = (0.5, 0.95)[seed % 2]
        got = quantile(timings, q, resample_weights(timings.size, 100, 0, "t"), 0.9)
        assert got.value in timings, seed
        assert timings.min() <= got.low <= got.high <= timings.max(), seed


def test_deployed_model_is_what_predict_runs() -> None:
    x = np.random.default_rng(1).normal(size=(8, quantized.INPUTS))
    layers = quantized.reference_model()
    expected = quantized.optimised(
        (quantized.quantize(layers[0]), quantized.quantize(layers[1])), x
    )
    assert np.array_equal(quantized.optimised(quantized.deployed(), x), expected)
