"""Off-policy estimators and the propensity check."""

from __future__ import annotations

import numpy as np

from my_ml_project.evaluation.bootstrap import ratio_of_sums
from my_ml_project.evaluation.ope import dr_terms, ips_terms, propensity_check
from my_ml_project.models.bandit import epsilon_greedy


# Seeded draws, not hypothesis: importing it costs every test run ~0.5 s.
def test_ips_of_the_logging_policy_is_the_mean_reward() -> None:
    for seed in range(50):
        rng = np.random.default_rng(seed)
        size = rng.integers(1, 51)
        propensity = rng.uniform(0.01, 1.0, size)
        rewards = rng.uniform(0.0, 1.0, size)
        weights = propensity / propensity  # target == logging policy
        assert np.isclose(ips_terms(weights, rewards).mean(), rewards.mean()), seed


def test_dr_with_an_exact_reward_model_is_the_model_value() -> None:
    q_logged = rewards = np.array([1.0, 0.0, 1.0])
    q_target = np.array([0.7, 0.2, 0.9])
    weights = np.array([2.0, 0.5, 1.0])
    assert np.allclose(dr_terms(weights, rewards, q_logged, q_target), q_target)


def test_ips_hand_computed() -> None:
    # Target picks the logged action with prob 1, 0 and 0.5; logging prob 0.5, 0.25, 0.25.
    weights = np.array([1 / 0.5, 0 / 0.25, 0.5 / 0.25])
    assert np.isclose(ips_terms(weights, np.array([1.0, 1.0, 0.5])).mean(), (2 + 0 + 1) / 3)


def test_propensity_check_catches_invalid_logs() -> None:
    dist = np.array([[0.5, 0.5], [0.9, 0.1]])
    target = np.array([[0.2, 0.8], [1.0, 0.0]])
    good = propensity_check(np.array([0.5, 0.1]), np.array([0.5, 0.1]), dist, target, "log")
    assert good.passed
    zero = propensity_check(np.array([0.0, 0.1]), np.array([0.5, 0.1]), dist, target, "log")
    assert not zero.passed
    assert "1 propensities outside (0, 1]" in zero.detail
    bad_sum = propensity_check(
        np.array([0.5, 0.1]), np.array([0.5, 0.1]), dist * 0.9, target, "log"
    )
    assert "do not sum to 1" in bad_sum.detail
    negative = np.array([[1.2, -0.2], [0.9, 0.1]])
    signed = propensity_check(np.array([1.0, 0.1]), np.array([1.0, 0.1]), negative, target, "log")
    assert "1 logged distributions have negative entries" in signed.detail


def test_propensity_check_requires_support_for_the_target_policy() -> None:
    # The logging policy never takes action 1 in the first row; the target policy does.
    dist = np.array([[1.0, 0.0], [0.5, 0.5]])
    logged = np.array([1.0, 0.5])
    covered = propensity_check(logged, logged, dist, np.array([[1.0, 0.0], [0.0, 1.0]]), "log")
    assert covered.passed
    uncovered = propensity_check(logged, logged, dist, np.array([[0.5, 0.5], [0.0, 1.0]]), "log")
    assert not uncovered.passed
    assert "1 rows where the target policy takes an action" in uncovered.detail


def test_snips_hand_computed() -> None:
    # SNIPS = sum(w * r) / sum(w): weights 2, 0, 2 and rewards 1, 1, 0.5 give 3 / 4.
    weights, rewards = np.array([2.0, 0.0, 2.0]), np.array([1.0, 1.0, 0.5])
    point = ratio_of_sums(ips_terms(weights, rewards), weights, np.ones((1, 3)), 0.95)
    assert np.isclose(point.value, 0.75)


def test_epsilon_greedy_is_a_distribution() -> None:
    probs = epsilon_greedy(np.array([[0.1, 0.9, 0.3]]), 0.3)
    assert np.allclose(probs, [[0.1, 0.8, 0.1]])
