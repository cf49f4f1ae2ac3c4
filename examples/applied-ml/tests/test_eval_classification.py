"""Classification metrics against hand-computed values, and the leakage check."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from my_ml_project.evaluation.classification import (
    auroc,
    calibration_error,
    leakage_check,
    measure,
)
from my_ml_project.evaluation.core import EvalError

ONE = np.ones((1, 4))


def test_auroc_hand_computed_with_a_tie() -> None:
    scores = np.array([0.1, 0.4, 0.4, 0.9])
    labels = np.array([0.0, 0.0, 1.0, 1.0])
    # Pairs (pos, neg): (0.4, 0.1) win, (0.4, 0.4) tie, (0.9, 0.1) win, (0.9, 0.4) win.
    assert auroc(scores, labels, ONE)[0] == 3.5 / 4


# Seeded draws, not hypothesis: importing it costs every test run ~0.5 s.
def test_auroc_matches_pairwise_definition() -> None:
    for seed in range(50):
        rng = np.random.default_rng(seed)
        size = int(rng.integers(2, 30))
        scores = rng.choice([0.1, 0.3, 0.5, 0.8], size)  # few values: many ties
        labels = rng.integers(0, 2, size).astype(float)
        pos, neg = scores[labels == 1], scores[labels == 0]
        got = auroc(scores, labels, np.ones((1, size)))[0]
        if not (pos.size and neg.size):
            assert np.isnan(got), seed
            continue
        pairs = [1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg)]
        assert np.isclose(got, np.mean(pairs)), seed


def test_ece_is_zero_when_each_bin_is_calibrated() -> None:
    probs = np.array([0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75])
    labels = np.array([1.0, 0, 0, 0, 1, 1, 1, 0])
    assert calibration_error(probs, labels, np.ones((1, 8)), bins=10)[0] == 0.0


def test_ece_hand_computed() -> None:
    probs, labels = np.array([0.9, 0.9, 0.2, 0.2]), np.array([1.0, 0, 0, 0])
    # Bin 0.9: observed 0.5, gap 0.4; bin 0.2: observed 0, gap 0.2; each half the items.
    assert np.isclose(calibration_error(probs, labels, ONE, bins=10)[0], 0.3)


def test_leakage_check_names_shared_ids_and_time_overlap() -> None:
    train = [{"id": "a", "timestamp": "2024-03-31", "_line": 2}]
    clean = [{"id": "b", "timestamp": "2024-04-01", "_line": 2}]
    assert leakage_check(train, clean, ("t", "e")).passed
    leaky = [{"id": "a", "timestamp": "2024-03-30", "_line": 2}]
    check = leakage_check(train, leaky, ("t", "e"))
    assert not check.passed
    assert "1 id(s) in both sets" in check.detail
    assert "before training ends" in check.detail


def test_leakage_check_compares_times_not_text() -> None:
    train = [{"id": "a", "timestamp": "2024-03-31T23:00:00", "_line": 2}]
    # As text "2024-03-31T9..." sorts after "2024-03-31T23...", as a time it is earlier.
    earlier = [{"id": "b", "timestamp": "2024-03-31T09:00:00", "_line": 2}]
    assert not leakage_check(train, earlier, ("t", "e")).passed


def test_leakage_check_refuses_unparsable_or_mixed_times() -> None:
    train = [{"id": "a", "timestamp": "2024-03-31", "_line": 2}]
    with pytest.raises(EvalError, match=r"e:2: `timestamp` '2024-3-15' is not ISO 8601"):
        leakage_check(train, [{"id": "b", "timestamp": "2024-3-15", "_line": 2}], ("t", "e"))
    aware = [{"id": "b", "timestamp": "2024-04-01T00:00:00+00:00", "_line": 2}]
    with pytest.raises(EvalError, match="only one of them gives UTC offsets"):
        leakage_check(train, aware, ("t", "e"))


def test_accuracy_f1_and_brier_hand_computed() -> None:
    scores = np.array([0.9, 0.2, 0.6, 0.4])
    labels = np.array([1.0, 0.0, 0.0, 1.0])
    # Decisions at 0.5: 1, 0, 1, 0 -> one TP, one TN, one FP, one FN.
    got = measure(scores, labels, ONE, 0.95)
    assert got["accuracy"].value == 0.5
    assert got["f1"].value == 2 * 1 / (2 * 1 + 1 + 1)
    assert np.isclose(got["brier"].value, (0.01 + 0.04 + 0.36 + 0.36) / 4)
