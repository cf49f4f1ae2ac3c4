"""The metric kits this project runs, each with the baseline predictor that feeds it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..models import (
    quantized,
)
from .core import Kit, KitSettings
from .edge import KIT as EDGE

Predictor = Callable[[KitSettings], int]

# Each kit with the predict step that writes the predictions it evaluates.
KITS: Sequence[tuple[Kit, Predictor]] = [
    (EDGE, quantized.predict),
]
