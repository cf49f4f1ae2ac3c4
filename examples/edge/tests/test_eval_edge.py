"""The quantised path stays close to the reference; latency timing is well formed."""

from __future__ import annotations

import numpy as np

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
