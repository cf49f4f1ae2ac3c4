"""Baseline for the classification kit: L2-regularised logistic regression fitted with numpy.

Newton's method on standardised features converges in a handful of steps and is exactly
reproducible, which keeps the committed baseline stable across machines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from ..evaluation.bootstrap import FloatArray
from ..evaluation.core import EvalError, KitSettings, field_of, read_csv

FEATURES = ("tenure_months", "sessions_per_week", "support_tickets", "monthly_spend")
# The customer segment is known at prediction time (it is also the eval slice).
SEGMENTS = ("new", "enterprise")


@dataclass(frozen=True)
class LogisticModel:
    mean: FloatArray
    scale: FloatArray
    coef: FloatArray  # intercept first

    def predict_proba(self, features: FloatArray) -> FloatArray:
        design = np.column_stack([np.ones(len(features)), (features - self.mean) / self.scale])
        return 1.0 / (1.0 + np.exp(-(design @ self.coef)))


def fit(
    features: FloatArray, labels: FloatArray, l2: float = 1.0, steps: int = 25
) -> LogisticModel:
    """Fit by Newton-Raphson; the intercept is not penalised."""
    mean = features.mean(axis=0)
    scale = np.where(features.std(axis=0) > 0, features.std(axis=0), 1.0)
    design = np.column_stack([np.ones(len(features)), (features - mean) / scale])
    penalty = np.diag([0.0] + [l2] * features.shape[1])
    coef = np.zeros(design.shape[1])
    for _ in range(steps):
        probs = 1.0 / (1.0 + np.exp(-(design @ coef)))
        gradient = design.T @ (probs - labels) + penalty @ coef
        hessian = (design.T * (probs * (1 - probs))) @ design + penalty
        step = np.linalg.solve(hessian, gradient)
        coef = coef - step
        if np.abs(step).max() < 1e-10:
            break
    return LogisticModel(mean, scale, coef)


def _matrix(path_name: str, rows: list[dict[str, object]]) -> FloatArray:
    numeric = [[field_of(row, name, float, path_name) for name in FEATURES] for row in rows]
    segment = [[float(row.get("slice") == name) for name in SEGMENTS] for row in rows]
    return np.hstack([np.array(numeric), np.array(segment)])


def predict(settings: KitSettings) -> int:
    """Fit on the train split, score the golden set, write `{"id", "score"}` lines."""
    train_path, golden_path = settings.path("train"), settings.path("golden")
    train, golden = read_csv(train_path), read_csv(golden_path)
    labels = np.array([field_of(row, "label", int, train_path.name) for row in train], float)
    if not np.isin(labels, (0, 1)).all():
        raise EvalError(f"{train_path.name}: `label` must be 0 or 1")
    model = fit(_matrix(train_path.name, train), labels)
    scores = model.predict_proba(_matrix(golden_path.name, golden))
    lines = [
        json.dumps({"id": row["id"], "score": round(float(score), 6)})
        for row, score in zip(golden, scores, strict=True)
    ]
    out = settings.output("predictions")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)
