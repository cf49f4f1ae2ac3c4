"""Judge agreement under resample weights against scikit-learn's Cohen's kappa.

Opt-in: `uvx nox -s oracle` runs it with the `oracle` dependency group; the default test run
skips it, so scikit-learn (and scipy) are neither installed nor imported every day.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from my_ml_project.evaluation.rag import kappa

metrics = pytest.importorskip("sklearn.metrics", reason="scikit-learn oracle: `uvx nox -s oracle`")


@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(1, 3)), min_size=2))
def test_kappa_under_resample_weights_matches_scikit_learn(
    rows: list[tuple[int, int, int]],
) -> None:
    judge = np.array([j for j, _, _ in rows])
    human = np.array([h for _, h, _ in rows])
    weights = np.array([float(w) for _, _, w in rows])
    got = kappa(judge, human, weights[None, :])[0]
    if np.isnan(got):  # both raters used one and the same label: kappa is undefined
        assert len(set(judge) | set(human)) == 1
        return
    assert np.isclose(got, metrics.cohen_kappa_score(judge, human, sample_weight=weights))
