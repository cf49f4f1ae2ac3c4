"""The vectorised bootstrap: reproducible, correct weights, intervals around the estimate."""

from __future__ import annotations

import numpy as np

from my_ml_project.evaluation.bootstrap import (
    mean,
    quantile,
    ratio_of_sums,
    resample_weights,
    weighted_quantile,
)


def test_weights_are_counts_of_n_draws_and_reproducible() -> None:
    first = resample_weights(50, 200, seed=3, stream="x")
    assert first.shape == (200, 50)
    assert (first.sum(axis=1) == 50).all()
    assert (resample_weights(50, 200, seed=3, stream="x") == first).all()
    assert not (resample_weights(50, 200, seed=3, stream="y") == first).all()


def test_ratio_of_sums_point_estimate_is_hand_computed() -> None:
    weights = resample_weights(4, 500, seed=1, stream="r")
    interval = ratio_of_sums(np.array([1.0, 0, 1, 0]), np.array([1.0, 1, 1, 0]), weights, 0.9)
    assert interval.value == 2 / 3
    assert 0 <= interval.low <= interval.high <= 1


def test_weighted_quantile_with_unit_weights_is_the_plain_quantile() -> None:
    values = np.array([5.0, 1, 4, 2, 3])
    assert weighted_quantile(values, np.ones((1, 5)), 0.5)[0] == 3
    assert quantile(values, 0.99, resample_weights(5, 200, 0, "q"), 0.95).value == 5


# Seeded draws, not hypothesis: importing it costs every test run ~0.5 s.
def test_interval_contains_the_mean() -> None:
    for seed in range(50):
        rng = np.random.default_rng(seed)
        data = rng.uniform(-1e6, 1e6, rng.integers(2, 61))
        if seed % 5 == 0:  # ties and repeated values, where interval ends coincide
            data = rng.choice(data[:3], data.size)
        interval = mean(data, resample_weights(data.size, 400, seed, "p"), 0.95)
        slack = 1e-9 * (1 + np.abs(data).max())
        assert interval.low - slack <= interval.value <= interval.high + slack, seed
