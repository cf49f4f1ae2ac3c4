"""Applied-ML kit: accuracy, F1, AUROC, calibration (ECE, Brier) per slice, and a leakage check.

Golden rows carry `id`, `slice`, `label` (0/1) and `timestamp`; predictions carry `id` and
`score` (the predicted probability of the positive class).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .bootstrap import FloatArray, Interval, mean, percentile_interval, ratio_of_sums, safe_ratio
from .core import (
    Check,
    Context,
    Direction,
    EvalError,
    Kit,
    KitResult,
    KitSettings,
    Measurement,
    MetricSpec,
    by_id,
    field_of,
    read_csv,
    read_jsonl,
    slices_of,
    timestamps,
)

METRICS = {
    "accuracy": MetricSpec(Direction.HIGHER, "share of correct decisions at the threshold"),
    "f1": MetricSpec(Direction.HIGHER, "F1 of the positive class at the threshold"),
    "auroc": MetricSpec(Direction.HIGHER, "area under the ROC curve (threshold-free ranking)"),
    "ece": MetricSpec(Direction.LOWER, "expected calibration error, equal-width bins"),
    "brier": MetricSpec(Direction.LOWER, "mean squared error of the probability"),
}


def auroc(scores: FloatArray, labels: FloatArray, weights: FloatArray) -> FloatArray:
    """AUROC under each row of resample `weights` (B, n); ties between scores count one half.

    Mann-Whitney form: for each positive, the weighted number of negatives scored below it.
    One sort serves every resample; tied scores share the cumulative count of their group.
    """
    order = np.argsort(scores, kind="stable")
    sorted_scores, positive = scores[order], labels[order] == 1
    w = weights[:, order]
    neg_cum = np.cumsum(np.where(positive, 0.0, w), axis=1)
    neg_cum = np.concatenate([np.zeros((w.shape[0], 1)), neg_cum], axis=1)
    # First and one-past-last sorted position of each item's tie group.
    start = np.searchsorted(sorted_scores, sorted_scores, side="left")
    end = np.searchsorted(sorted_scores, sorted_scores, side="right")
    below = neg_cum[:, start]
    tied = neg_cum[:, end] - below
    pos_w = np.where(positive, w, 0.0)
    wins = (pos_w * (below + 0.5 * tied)).sum(axis=1)
    pairs = pos_w.sum(axis=1) * np.where(positive, 0.0, w).sum(axis=1)
    return safe_ratio(wins, pairs)


def calibration_error(
    probs: FloatArray, labels: FloatArray, weights: FloatArray, bins: int
) -> FloatArray:
    """ECE under each row of `weights`: sum over bins of |observed - predicted| / total."""
    index = np.minimum((probs * bins).astype(np.int64), bins - 1)
    one_hot = np.eye(bins)[index]
    gap = weights @ (one_hot * (labels - probs)[:, None])
    return safe_ratio(np.abs(gap).sum(axis=1), weights.sum(axis=1))


def measure(
    scores: FloatArray,
    labels: FloatArray,
    weights: FloatArray,
    confidence: float,
    threshold: float = 0.5,
    bins: int = 10,
) -> dict[str, Interval]:
    """Every metric of this kit for one slice."""
    decided = (scores >= threshold).astype(np.float64)
    tp = decided * labels
    fp = decided * (1 - labels)
    fn = (1 - decided) * labels
    point = np.ones((1, scores.size))
    return {
        "accuracy": mean((decided == labels).astype(np.float64), weights, confidence),
        "f1": ratio_of_sums(2 * tp, 2 * tp + fp + fn, weights, confidence),
        "auroc": percentile_interval(
            float(auroc(scores, labels, point)[0]), auroc(scores, labels, weights), confidence
        ),
        "ece": percentile_interval(
            float(calibration_error(scores, labels, point, bins)[0]),
            calibration_error(scores, labels, weights, bins),
            confidence,
        ),
        "brier": mean((scores - labels) ** 2, weights, confidence),
    }


def leakage_check(
    train: Sequence[Mapping[str, Any]], golden: Sequence[Mapping[str, Any]], names: tuple[str, str]
) -> Check:
    """Train and eval sets must share no id, and every eval row must come after training."""
    train_ids = {str(field_of(row, "id", str, names[0])) for row in train}
    shared = sorted(train_ids & {str(field_of(row, "id", str, names[1])) for row in golden})
    train_times, eval_times = timestamps(train, names[0]), timestamps(golden, names[1])
    if (train_times[0].tzinfo is None) != (eval_times[0].tzinfo is None):
        raise EvalError(f"{names[0]} and {names[1]}: only one of them gives UTC offsets")
    last_train, first_eval = max(train_times), min(eval_times)
    problems = []
    if shared:
        problems.append(f"{len(shared)} id(s) in both sets, e.g. {shared[0]!r}")
    if first_eval <= last_train:
        problems.append(
            f"eval starts {first_eval.isoformat()}, before training ends {last_train.isoformat()}"
        )
    if problems:
        return Check("leakage", False, "; ".join(problems))
    return Check(
        "leakage",
        True,
        f"no shared ids; train ends {last_train.isoformat()}, eval starts {first_eval.isoformat()}",
    )


def evaluate(settings: KitSettings, context: Context) -> KitResult:
    golden_path, train_path = settings.path("golden"), settings.path("train")
    predictions_path = settings.path("predictions")
    golden, train = read_csv(golden_path), read_csv(train_path)
    predicted = by_id(golden, read_jsonl(predictions_path), golden_path.name, predictions_path.name)
    labels = np.array([field_of(row, "label", int, golden_path.name) for row in golden], float)
    if not np.isin(labels, (0, 1)).all():
        raise EvalError(f"{golden_path.name}: `label` must be 0 or 1")
    scores = np.array([field_of(row, "score", float, predictions_path.name) for row in predicted])
    if ((scores < 0) | (scores > 1)).any():
        raise EvalError(f"{predictions_path.name}: `score` must be a probability in [0, 1]")
    threshold = settings.number("threshold", 0.5)
    result = KitResult(checks=[leakage_check(train, golden, (train_path.name, golden_path.name))])
    for name, index in slices_of(golden, golden_path.name).items():
        weights = context.weights(f"classification/{name}", index.size)
        for metric, interval in measure(
            scores[index], labels[index], weights, context.confidence, threshold
        ).items():
            result.measurements.append(Measurement(metric, name, interval, index.size))
    return result


KIT = Kit("classification", METRICS, evaluate)
