"""IoU matching, average precision and precision/recall against hand-computed values."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np

from my_ml_project.evaluation.core import Context, KitSettings
from my_ml_project.evaluation.detection import (
    Matched,
    average_precision,
    evaluate,
    iou,
    match,
)
from my_ml_project.models.detector import detect


def test_iou_hand_computed() -> None:
    assert iou([0, 0, 2, 2], [1, 1, 3, 3]) == 1 / 7
    assert iou([0, 0, 2, 2], [2, 2, 4, 4]) == 0.0


def test_iou_of_a_box_with_itself_is_one() -> None:
    for x, y, w, h in itertools.product((0, 7, 20), (0, 13, 20), (1, 4, 10), (1, 6, 10)):
        assert iou([x, y, x + w, y + h], [x, y, x + w, y + h]) == 1.0, (x, y, w, h)


def test_match_is_greedy_by_score_and_one_to_one() -> None:
    truth = [{"class": "crate", "box": [0, 0, 4, 4]}]
    found = [
        {"class": "crate", "box": [0, 0, 4, 4], "score": 0.6},
        {"class": "crate", "box": [0, 0, 4, 5], "score": 0.9},  # matches first: higher score
        {"class": "pole", "box": [0, 0, 4, 4], "score": 0.99},  # wrong class
    ]
    assert match(truth, found) == [False, True, False]


def test_average_precision_hand_computed() -> None:
    # Two images, one box each; detections by score: TP, FP, TP.
    matched = Matched(np.array([0, 1, 1]), np.array([1.0, 0.0, 1.0]), np.array([1.0, 1.0]))
    # Recall 0.5 at precision 1, then recall 1 at precision 2/3.
    assert np.isclose(average_precision(matched, np.ones((1, 2)))[0], 0.5 * 1 + 0.5 * 2 / 3)


def test_detector_finds_a_bright_square() -> None:
    image = np.full((16, 16), 50.0)
    image[4:9, 6:11] = 150.0
    found = detect(image, contrast=30.0)
    assert [d["box"] for d in found] == [[6, 4, 11, 9]]
    assert found[0]["class"] == "crate"


def test_precision_and_recall_per_class_count_unknown_classes_as_false(tmp_path: Path) -> None:
    truth = [{"class": "crate", "box": [0, 0, 4, 4]}, {"class": "pole", "box": [8, 8, 9, 12]}]
    found = [
        {"class": "crate", "box": [0, 0, 4, 4], "score": 0.9},  # TP
        {"class": "Crate", "box": [0, 0, 4, 4], "score": 0.9},  # no such class: a false positive
    ]
    golden = {"id": "i1", "slice": "day", "boxes": truth}
    (tmp_path / "golden.jsonl").write_text(json.dumps(golden) + "\n")
    (tmp_path / "found.jsonl").write_text(json.dumps({"id": "i1", "detections": found}) + "\n")
    settings = KitSettings(
        "detection", {"golden": "golden.jsonl", "predictions": "found.jsonl"}, tmp_path
    )
    result = evaluate(settings, Context(tmp_path, seed=1, resamples=100, confidence=0.95))
    got = {(m.metric, m.slice): m.interval.value for m in result.measurements}
    assert got["precision@0.5", "all"] == 0.5
    assert got["recall@0.5", "all"] == 0.5  # the pole was missed
    assert (got["precision@0.5", "class:crate"], got["recall@0.5", "class:crate"]) == (1.0, 1.0)
    assert got["recall@0.5", "class:pole"] == 0.0
    assert ("recall@0.5", "class:Crate") not in got
