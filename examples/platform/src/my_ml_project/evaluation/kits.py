"""The metric kits this project runs, each with the baseline predictor that feeds it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..models import (
    replay,
)
from .core import Kit, KitSettings
from .slo import KIT as SLO

Predictor = Callable[[KitSettings], int]

# Each kit with the predict step that writes the predictions it evaluates.
KITS: Sequence[tuple[Kit, Predictor]] = [
    (SLO, replay.predict),
]
