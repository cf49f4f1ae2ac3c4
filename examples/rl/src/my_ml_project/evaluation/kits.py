"""The metric kits this project runs, each with the baseline predictor that feeds it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..models import (
    bandit,
)
from .core import Kit, KitSettings
from .ope import KIT as OPE

Predictor = Callable[[KitSettings], int]

# Each kit with the predict step that writes the predictions it evaluates.
KITS: Sequence[tuple[Kit, Predictor]] = [
    (OPE, bandit.predict),
]
