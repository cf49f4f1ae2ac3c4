"""Burn rate against hand-computed values."""

from __future__ import annotations

import numpy as np

from my_ml_project.evaluation.bootstrap import resample_weights
from my_ml_project.evaluation.slo import burn_rate


def test_burn_rate_hand_computed() -> None:
    errors = np.array([1.0] + [0.0] * 199)  # 0.5% errors against a 99.5% target
    interval = burn_rate(errors, resample_weights(200, 300, 0, "b"), 0.995, 0.95)
    assert np.isclose(interval.value, 1.0)
    assert interval.low <= interval.value <= interval.high


def test_no_errors_burn_nothing() -> None:
    interval = burn_rate(np.zeros(50), resample_weights(50, 200, 0, "b"), 0.99, 0.95)
    assert (interval.value, interval.low, interval.high) == (0.0, 0.0, 0.0)
