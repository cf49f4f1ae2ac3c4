"""Baseline for the vision kit: a threshold-and-connected-components detector.

Pixels brighter than the background by `contrast` form blobs; each blob's bounding box is
a detection, classed by shape (tall and thin: pole, otherwise crate) and scored by its
contrast. Replace `detect` with the real model; keep the output format.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
from scipy import ndimage

from ..evaluation.bootstrap import FloatArray
from ..evaluation.core import EvalError, KitSettings, field_of, read_jsonl


def decode(row: dict[str, Any], source: str) -> FloatArray:
    """The row's grayscale image: base64 of `height * width` uint8 pixels."""
    height, width = field_of(row, "height", int, source), field_of(row, "width", int, source)
    try:
        pixels = np.frombuffer(base64.b64decode(row["image"], validate=True), dtype=np.uint8)
        return pixels.reshape(height, width).astype(np.float64)
    except (KeyError, TypeError, ValueError):
        raise EvalError(
            f"{source}:{row['_line']}: `image` is not {height}x{width} base64 pixels"
        ) from None


def detect(image: FloatArray, contrast: float, min_area: int = 4) -> list[dict[str, Any]]:
    background = float(np.median(image))
    labels, _ = ndimage.label(image > background + contrast)
    detections = []
    for index, found in enumerate(ndimage.find_objects(labels), 1):
        if found is None:
            continue
        rows, cols = found
        blob = labels[found] == index
        if int(blob.sum()) < min_area:
            continue
        height, width = rows.stop - rows.start, cols.stop - cols.start
        strength = float(image[found][blob].mean()) - background
        detections.append(
            {
                "class": "pole" if height >= 2.5 * width else "crate",
                "box": [cols.start, rows.start, cols.stop, rows.stop],
                "score": round(min(1.0, strength / 128.0), 4),
            }
        )
    return detections


def predict(settings: KitSettings) -> int:
    golden = settings.path("golden")
    contrast = settings.number("contrast", 40.0)
    lines = [
        json.dumps({"id": row["id"], "detections": detect(decode(row, golden.name), contrast)})
        for row in read_jsonl(golden)
    ]
    settings.output("predictions").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)
