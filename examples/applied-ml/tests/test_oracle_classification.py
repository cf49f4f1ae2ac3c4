"""Classification metrics under resample weights against scikit-learn's.

Opt-in: `uvx nox -s oracle` runs it with the `oracle` dependency group; the default test run
skips it, so scikit-learn (and scipy) are neither installed nor imported every day.
"""

from __future__ import annotations

import numpy as np
import pytest

from my_ml_project.evaluation.classification import auroc, measure

metrics = pytest.importorskip("sklearn.metrics", reason="scikit-learn oracle: `uvx nox -s oracle`")


@pytest.mark.parametrize("seed", range(50))
def test_metrics_under_resample_weights_match_scikit_learn(seed: int) -> None:
    """A bootstrap resample is a weight per row: the same numbers as sample_weight."""
    rng = np.random.default_rng(seed)
    size = int(rng.integers(2, 41))
    scores = rng.uniform(0.0, 1.0, size)
    if seed % 3 == 0:  # tied scores
        scores = np.round(scores, 1)
    labels = rng.integers(0, 2, size).astype(float)
    weights = rng.integers(0, 4, size).astype(float)
    kept = weights > 0
    if len(set(labels[kept])) < 2:
        pytest.skip("AUROC and F1 need both classes in the resample")
    # With a single resample row, the interval's bounds are that resample's value.
    got = measure(scores, labels, weights[None, :], 0.95)
    decided = scores >= 0.5
    assert np.isclose(
        auroc(scores, labels, weights[None, :])[0],
        metrics.roc_auc_score(labels, scores, sample_weight=weights),
    )
    expected_f1 = metrics.f1_score(labels, decided, sample_weight=weights, zero_division=np.nan)
    assert np.isclose(got["f1"].low, expected_f1, equal_nan=True)
    expected_brier = metrics.brier_score_loss(labels, scores, sample_weight=weights)
    assert np.isclose(got["brier"].low, expected_brier)
