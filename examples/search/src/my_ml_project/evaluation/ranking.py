"""Search kit: Recall@k, NDCG@k and MRR per query slice.

Golden rows: `id`, `slice`, `query`, `relevant` (passage id -> graded relevance, 1 or more).
Predictions: `id`, `ranking` (passage ids, best first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .bootstrap import FloatArray, mean
from .core import (
    Context,
    Direction,
    EvalError,
    Kit,
    KitResult,
    KitSettings,
    Measurement,
    MetricSpec,
    by_id,
    read_jsonl,
    slices_of,
)

METRICS = {
    "recall@10": MetricSpec(Direction.HIGHER, "share of relevant passages in the top 10"),
    "ndcg@10": MetricSpec(Direction.HIGHER, "graded ranking quality of the top 10"),
    "mrr": MetricSpec(Direction.HIGHER, "mean reciprocal rank of the first relevant passage"),
}


def recall_at_k(ranking: Sequence[str], relevant: Mapping[str, float], k: int) -> float:
    hits = sum(1 for doc in ranking[:k] if relevant.get(doc, 0) > 0)
    return hits / sum(1 for grade in relevant.values() if grade > 0)


def ndcg_at_k(ranking: Sequence[str], relevant: Mapping[str, float], k: int) -> float:
    """NDCG with exponential gain 2^rel - 1; 1.0 for the ideal ordering."""

    def dcg(grades: Sequence[float]) -> float:
        return float(sum((2**g - 1) / np.log2(i + 2) for i, g in enumerate(grades[:k])))

    ideal = dcg(sorted(relevant.values(), reverse=True))
    return dcg([relevant.get(doc, 0.0) for doc in ranking]) / ideal if ideal > 0 else 0.0


def reciprocal_rank(ranking: Sequence[str], relevant: Mapping[str, float]) -> float:
    for position, doc in enumerate(ranking, 1):
        if relevant.get(doc, 0) > 0:
            return 1.0 / position
    return 0.0


def evaluate(settings: KitSettings, context: Context) -> KitResult:
    golden_path, predictions_path = settings.path("golden"), settings.path("predictions")
    golden = read_jsonl(golden_path)
    predicted = by_id(golden, read_jsonl(predictions_path), golden_path.name, predictions_path.name)
    scores: dict[str, list[float]] = {name: [] for name in METRICS}
    for query, prediction in zip(golden, predicted, strict=True):
        relevant, ranking = query.get("relevant"), prediction.get("ranking")
        if not isinstance(relevant, dict) or not any(
            isinstance(g, int | float) and g > 0 for g in relevant.values()
        ):
            raise EvalError(f"{golden_path.name}:{query['_line']}: `relevant` needs a grade > 0")
        where = f"{predictions_path.name}:{prediction['_line']}"
        if not isinstance(ranking, list) or not all(isinstance(d, str) for d in ranking):
            raise EvalError(f"{where}: `ranking` must be a list of passage ids")
        if len(set(ranking)) != len(ranking):
            # A repeated passage would be counted once per position: recall above 1.
            repeated = next(d for d in ranking if ranking.count(d) > 1)
            raise EvalError(f"{where}: `ranking` lists passage {repeated!r} more than once")
        scores["recall@10"].append(recall_at_k(ranking, relevant, 10))
        scores["ndcg@10"].append(ndcg_at_k(ranking, relevant, 10))
        scores["mrr"].append(reciprocal_rank(ranking, relevant))
    arrays: dict[str, FloatArray] = {name: np.array(values) for name, values in scores.items()}
    result = KitResult()
    for name, index in slices_of(golden, golden_path.name).items():
        weights = context.weights(f"ranking/{name}", index.size)
        for metric, values in arrays.items():
            interval = mean(values[index], weights, context.confidence)
            result.measurements.append(Measurement(metric, name, interval, index.size))
    return result


KIT = Kit("ranking", METRICS, evaluate)
