"""Binary nDCG against scikit-learn's.

Opt-in: `uvx nox -s oracle` runs it with the `oracle` dependency group; the default test run
skips it, so scikit-learn (and scipy) are neither installed nor imported every day.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from my_ml_project.evaluation.ranking import ndcg_at_k

metrics = pytest.importorskip("sklearn.metrics", reason="scikit-learn oracle: `uvx nox -s oracle`")


DOCS = list("abcdefghijkl")


@pytest.mark.parametrize("seed", range(50))
def test_binary_ndcg_matches_scikit_learn(seed: int) -> None:
    """With 0/1 grades the exponential gain 2^rel - 1 equals scikit-learn's linear gain."""
    rng = np.random.default_rng(seed)
    ranking = [str(doc) for doc in rng.permutation(DOCS)]
    relevant = {str(doc) for doc in rng.choice(DOCS, int(rng.integers(1, len(DOCS) + 1)))}
    docs = sorted(ranking)
    truth = np.array([[1.0 if doc in relevant else 0.0 for doc in docs]])
    # scikit-learn takes scores: the first-ranked document gets the highest.
    scores = np.array([[float(len(ranking) - ranking.index(doc)) for doc in docs]])
    grades = dict.fromkeys(relevant, 1.0)
    assert math.isclose(ndcg_at_k(ranking, grades, 10), metrics.ndcg_score(truth, scores, k=10))
