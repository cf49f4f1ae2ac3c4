"""SLO metrics against hand-computed values, and bad request logs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from my_ml_project.evaluation.bootstrap import resample_weights
from my_ml_project.evaluation.core import Context, EvalError, KitSettings
from my_ml_project.evaluation.slo import burn_rate, evaluate

HEADER = "timestamp,slice,status,latency_ms\n"


def measure(tmp_path: Path, rows: list[str]) -> dict[tuple[str, str], float]:
    (tmp_path / "requests.csv").write_text(HEADER + "\n".join(rows) + "\n")
    settings = KitSettings("slo", {"requests": "requests.csv"}, tmp_path)
    result = evaluate(settings, Context(tmp_path, seed=1, resamples=200, confidence=0.95))
    return {(m.metric, m.slice): m.interval.value for m in result.measurements}


def test_burn_rate_hand_computed() -> None:
    errors = np.array([1.0] + [0.0] * 199)  # 0.5% errors against a 99.5% target
    interval = burn_rate(errors, resample_weights(200, 300, 0, "b"), 0.995, 0.95)
    assert np.isclose(interval.value, 1.0)
    assert interval.low <= interval.value <= interval.high


def test_no_errors_burn_nothing() -> None:
    interval = burn_rate(np.zeros(50), resample_weights(50, 200, 0, "b"), 0.99, 0.95)
    assert (interval.value, interval.low, interval.high) == (0.0, 0.0, 0.0)


def test_availability_p99_and_last_hour_hand_computed(tmp_path: Path) -> None:
    rows = [f"2024-05-06T08:{i:02d}:00+00:00,predict,200,{10 + i}" for i in range(50)]
    rows += [f"2024-05-06T10:{i:02d}:00+00:00,predict,503,100" for i in range(2)]
    got = measure(tmp_path, rows)
    assert np.isclose(got["availability", "all"], 50 / 52)
    # Inverted CDF: the 99th percentile of 52 latencies is the largest one, 100 ms.
    assert got["latency_p99_ms", "all"] == 100.0
    # Only the two 10:xx requests fall in the last hour: both failed.
    assert np.isclose(got["burn_rate_1h", "all"], 1.0 / (1 - 0.995))


def test_mixed_time_zones_are_one_clear_error(tmp_path: Path) -> None:
    rows = ["2024-05-06T08:00:00+00:00,predict,200,10", "2024-05-06T08:01:00,predict,200,10"]
    with pytest.raises(EvalError, match="some timestamps have a UTC offset and some do not"):
        measure(tmp_path, rows)
