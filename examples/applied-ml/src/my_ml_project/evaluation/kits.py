"""The metric kits this project runs, each with the baseline predictor that feeds it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..models import (
    logistic,
)
from .classification import KIT as CLASSIFICATION
from .core import Kit, KitSettings

Predictor = Callable[[KitSettings], int]

# Each kit with the predict step that writes the predictions it evaluates.
KITS: Sequence[tuple[Kit, Predictor]] = [
    (CLASSIFICATION, logistic.predict),
]
