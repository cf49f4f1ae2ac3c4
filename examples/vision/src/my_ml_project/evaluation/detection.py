"""Vision kit: detection quality at IoU 0.5: mAP, precision and recall, per image slice and
per class (slices named `class:NAME`).

Golden rows: `id`, `slice`, `boxes` ([{"class", "box": [x0, y0, x1, y1]}], pixel edges,
exclusive end). Predictions: `id`, `detections` ([{"class", "box", "score"}]).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .bootstrap import FloatArray, Interval, percentile_interval, ratio_of_sums, safe_ratio
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

IOU = 0.5
METRICS = {
    "map@0.5": MetricSpec(Direction.HIGHER, "mean over classes of all-point AP at IoU 0.5"),
    "precision@0.5": MetricSpec(Direction.HIGHER, "detections above min_score that match"),
    "recall@0.5": MetricSpec(Direction.HIGHER, "ground-truth boxes matched by a detection"),
}


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    """Intersection over union of two [x0, y0, x1, y1] boxes."""
    width = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def match(truth: Sequence[Mapping[str, Any]], found: Sequence[Mapping[str, Any]]) -> list[bool]:
    """Greedy VOC matching in one image: by descending score, each detection takes the
    unmatched same-class box with the highest IoU >= 0.5. Returns a TP flag per detection."""
    taken = [False] * len(truth)
    flags = [False] * len(found)
    for d in sorted(range(len(found)), key=lambda i: -float(found[i]["score"])):
        best, best_iou = -1, IOU
        for t, box in enumerate(truth):
            if not taken[t] and box["class"] == found[d]["class"]:
                overlap = iou(box["box"], found[d]["box"])
                if overlap >= best_iou:
                    best, best_iou = t, overlap
        if best >= 0:
            taken[best] = flags[d] = True
    return flags


@dataclass(frozen=True)
class Matched:
    """Every detection of one class across images, sorted by descending score."""

    image: np.ndarray[Any, Any]
    tp: FloatArray
    positives: FloatArray  # ground-truth boxes of this class per image


def average_precision(m: Matched, weights: FloatArray) -> FloatArray:
    """All-point interpolated AP under each row of image `weights` (B, images)."""
    w = weights[:, m.image]
    tp = np.cumsum(w * m.tp, axis=1)
    fp = np.cumsum(w * (1 - m.tp), axis=1)
    positives = weights @ m.positives
    recall = safe_ratio(tp, positives[:, None])
    precision = safe_ratio(tp, tp + fp)
    # Precision envelope: the best precision at any recall at least this high.
    envelope = np.maximum.accumulate(np.nan_to_num(precision)[:, ::-1], axis=1)[:, ::-1]
    steps = np.diff(np.nan_to_num(recall), axis=1, prepend=0.0)
    ap = (steps * envelope).sum(axis=1)
    return np.where(positives > 0, ap, np.nan)


def _boxes(row: Mapping[str, Any], key: str, source: str) -> list[dict[str, Any]]:
    items = row.get(key)
    ok = isinstance(items, list) and all(
        isinstance(i, dict)
        and isinstance(i.get("class"), str)
        and isinstance(i.get("box"), list)
        and len(i["box"]) == 4
        and all(isinstance(v, int | float) for v in i["box"])
        and (key == "boxes" or isinstance(i.get("score"), int | float))
        for i in items or []
    )
    if not ok:
        raise EvalError(f"{source}:{row['_line']}: `{key}` must be a list of class/box objects")
    return list(items or [])


def evaluate(settings: KitSettings, context: Context) -> KitResult:
    golden_path, predictions_path = settings.path("golden"), settings.path("predictions")
    golden = read_jsonl(golden_path)
    predicted = by_id(golden, read_jsonl(predictions_path), golden_path.name, predictions_path.name)
    min_score = settings.number("min_score", 0.5)
    truths = [_boxes(row, "boxes", golden_path.name) for row in golden]
    founds = [_boxes(row, "detections", predictions_path.name) for row in predicted]
    # Classes the golden set never contains still count: their detections are false
    # positives (a typo such as "Car" for "car" must cost precision, not vanish).
    known = sorted({box["class"] for boxes in truths for box in boxes})
    classes = known + sorted({d["class"] for found in founds for d in found} - set(known))
    n = len(golden)
    per_class: dict[str, Matched] = {}
    # Per image and class: ground truths, kept detections (score >= min_score), kept TPs.
    counts = {key: np.zeros((len(classes), n)) for key in ("truth", "kept", "kept_tp")}
    for c, name in enumerate(classes):
        image, tp, score = [], [], []
        for i, (truth, found) in enumerate(zip(truths, founds, strict=True)):
            t = [box for box in truth if box["class"] == name]
            f = [det for det in found if det["class"] == name]
            flags = match(t, f)
            counts["truth"][c, i] = len(t)
            for det, flag in zip(f, flags, strict=True):
                image.append(i)
                tp.append(float(flag))
                score.append(float(det["score"]))
                if det["score"] >= min_score:
                    counts["kept"][c, i] += 1
                    counts["kept_tp"][c, i] += flag
        order = np.argsort(-np.array(score), kind="stable")
        per_class[name] = Matched(
            np.array(image, dtype=np.int64)[order], np.array(tp)[order], counts["truth"][c]
        )
    result = KitResult()
    conf = context.confidence
    for slice_name, index in slices_of(golden, golden_path.name).items():
        w = np.zeros((context.resamples, n))
        w[:, index] = context.weights(f"detection/{slice_name}", index.size)
        point = np.zeros((1, n))
        point[0, index] = 1.0
        aps = np.array([average_precision(per_class[c], w) for c in known])
        ap_points = np.array([average_precision(per_class[c], point)[0] for c in known])
        mean_ap = percentile_interval(float(np.nanmean(ap_points)), np.nanmean(aps, axis=0), conf)
        measured: dict[str, Interval] = {"map@0.5": mean_ap}
        measured["precision@0.5"] = ratio_of_sums(
            counts["kept_tp"].sum(axis=0)[index],
            counts["kept"].sum(axis=0)[index],
            w[:, index],
            conf,
        )
        measured["recall@0.5"] = ratio_of_sums(
            counts["kept_tp"].sum(axis=0)[index],
            counts["truth"].sum(axis=0)[index],
            w[:, index],
            conf,
        )
        for metric, interval in measured.items():
            result.measurements.append(Measurement(metric, slice_name, interval, index.size))
    all_w = context.weights("detection/classes", n)
    for c, name in enumerate(known):
        for metric, den in (
            ("precision@0.5", counts["kept"][c]),
            ("recall@0.5", counts["truth"][c]),
        ):
            interval = ratio_of_sums(counts["kept_tp"][c], den, all_w, conf)
            # n counts boxes (detections or ground truths), not images.
            measurement = Measurement(metric, f"class:{name}", interval, int(den.sum()))
            result.measurements.append(measurement)
    return result


KIT = Kit("detection", METRICS, evaluate)
