"""Judge agreement under resample weights against scikit-learn's Cohen's kappa.

Opt-in: `uvx nox -s oracle` runs it with the `oracle` dependency group; the default test run
skips it, so scikit-learn (and scipy) are neither installed nor imported every day.
"""

from __future__ import annotations

import numpy as np
import pytest

from my_ml_project.evaluation.rag import kappa

metrics = pytest.importorskip("sklearn.metrics", reason="scikit-learn oracle: `uvx nox -s oracle`")


@pytest.mark.parametrize("seed", range(50))
def test_kappa_under_resample_weights_matches_scikit_learn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    size = int(rng.integers(2, 40))
    labels = 2 + seed % 2  # two or three labels in use
    judge = rng.integers(0, labels, size)
    human = rng.integers(0, labels, size)
    weights = rng.integers(1, 4, size).astype(float)
    got = kappa(judge, human, weights[None, :])[0]
    if np.isnan(got):  # both raters used one and the same label: kappa is undefined
        assert len(set(judge) | set(human)) == 1
        return
    assert np.isclose(got, metrics.cohen_kappa_score(judge, human, sample_weight=weights))
