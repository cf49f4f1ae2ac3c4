"""Ranking metrics against hand-computed values and their invariants."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import pytest

from my_ml_project.evaluation.core import Context, EvalError, KitSettings
from my_ml_project.evaluation.ranking import (
    evaluate,
    ndcg_at_k,
    recall_at_k,
    reciprocal_rank,
)

RELEVANT = {"a": 2.0, "b": 1.0}


def test_hand_computed_values() -> None:
    ranking = ["x", "b", "a"]
    assert recall_at_k(ranking, RELEVANT, 2) == 0.5
    assert reciprocal_rank(ranking, RELEVANT) == 0.5
    dcg = 1 / math.log2(3) + 3 / math.log2(4)
    ideal = 3 / math.log2(2) + 1 / math.log2(3)
    assert math.isclose(ndcg_at_k(ranking, RELEVANT, 10), dcg / ideal)


def test_ndcg_is_in_unit_interval_and_one_for_the_ideal() -> None:
    grades = {"a": 3.0, "b": 2.0, "c": 0.0, "d": 1.0}
    for ranking in itertools.permutations(["a", "b", "c", "d", "e"]):  # all 120 of them
        assert 0.0 <= ndcg_at_k(list(ranking), grades, 3) <= 1.0 + 1e-12, ranking
    assert math.isclose(ndcg_at_k(["a", "b", "d", "c", "e"], grades, 3), 1.0)


def test_a_ranking_that_repeats_a_passage_is_refused(tmp_path: Path) -> None:
    golden = {"id": "q1", "slice": "head", "query": "q", "relevant": {"a": 1}}
    (tmp_path / "golden.jsonl").write_text(json.dumps(golden) + "\n")
    # Counted once per position, `a` repeated would score recall@10 = 3.
    (tmp_path / "ranking.jsonl").write_text(json.dumps({"id": "q1", "ranking": ["a"] * 3}) + "\n")
    settings = KitSettings(
        "ranking", {"golden": "golden.jsonl", "predictions": "ranking.jsonl"}, tmp_path
    )
    context = Context(tmp_path, seed=1, resamples=100, confidence=0.95)
    with pytest.raises(EvalError, match=r"ranking.jsonl:1: `ranking` lists passage 'a' more"):
        evaluate(settings, context)
