"""Classification metrics against hand-computed values, and the leakage check."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from my_ml_project.evaluation.classification import auroc, calibration_error, leakage_check

ONE = np.ones((1, 4))


def test_auroc_hand_computed_with_a_tie() -> None:
    scores = np.array([0.1, 0.4, 0.4, 0.9])
    labels = np.array([0.0, 0.0, 1.0, 1.0])
    # Pairs (pos, neg): (0.4, 0.1) win, (0.4, 0.4) tie, (0.9, 0.1) win, (0.9, 0.4) win.
    assert auroc(scores, labels, ONE)[0] == 3.5 / 4


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0.1, 0.3, 0.5, 0.8]), st.booleans()), min_size=2))
def test_auroc_matches_pairwise_definition(rows: list[tuple[float, bool]]) -> None:
    scores = np.array([s for s, _ in rows])
    labels = np.array([float(y) for _, y in rows])
    pos, neg = scores[labels == 1], scores[labels == 0]
    got = auroc(scores, labels, np.ones((1, len(rows))))[0]
    if not (pos.size and neg.size):
        assert np.isnan(got)
        return
    pairs = [1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg)]
    assert np.isclose(got, np.mean(pairs))


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
