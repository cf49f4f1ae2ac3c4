"""Shared vocabulary of the eval gate: what a kit measures and how it reports it."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np

from .bootstrap import FloatArray, Interval, resample_weights


class EvalError(Exception):
    """Bad configuration or input data: reported as one clear line, never a traceback."""


class Direction(Enum):
    HIGHER = "higher"
    LOWER = "lower"


@dataclass(frozen=True)
class MetricSpec:
    """A metric a kit can report; `stable` metrics are deterministic and kept in the baseline."""

    direction: Direction
    description: str
    stable: bool = True


@dataclass(frozen=True)
class Measurement:
    metric: str
    slice: str
    interval: Interval
    n: int


@dataclass(frozen=True)
class Check:
    """A pass/fail precondition (leakage, valid propensities, ...) that no margin can excuse."""

    name: str
    passed: bool
    detail: str


@dataclass
class KitResult:
    measurements: list[Measurement] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """Where files live and how to bootstrap; shared by every kit of one run."""

    root: Path
    seed: int
    resamples: int
    confidence: float

    def weights(self, stream: str, n: int) -> FloatArray:
        return resample_weights(n, self.resamples, self.seed, stream)


@dataclass(frozen=True)
class KitSettings:
    """The `[kits.NAME]` table of evals/config.toml, minus its `metrics` table."""

    kit: str
    values: Mapping[str, Any]
    root: Path

    def path(self, key: str) -> Path:
        raw = self.values.get(key)
        if not isinstance(raw, str) or not raw:
            raise EvalError(f"evals/config.toml: [kits.{self.kit}] needs a string `{key}` path")
        path = self.root / raw
        if not path.is_file():
            hint = " (run `predict` first)" if key == "predictions" else ""
            raise EvalError(f"{raw}: file not found{hint}")
        return path

    def output(self, key: str) -> Path:
        """A path the predict step writes to; its directory is created."""
        raw = self.values.get(key)
        if not isinstance(raw, str) or not raw:
            raise EvalError(f"evals/config.toml: [kits.{self.kit}] needs a string `{key}` path")
        path = self.root / raw
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def number(self, key: str, default: float) -> float:
        raw = self.values.get(key, default)
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise EvalError(f"evals/config.toml: [kits.{self.kit}] `{key}` must be a number")
        return float(raw)


@dataclass(frozen=True)
class Kit:
    """A metric kit: its metric names and the function that measures them."""

    name: str
    metrics: Mapping[str, MetricSpec]
    evaluate: Callable[[KitSettings, Context], KitResult]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read a JSON Lines file whose lines are objects; errors name the file and line."""
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise EvalError(f"{path.name}:{number}: not valid JSON ({error.msg})") from None
            if not isinstance(row, dict):
                raise EvalError(f"{path.name}:{number}: expected a JSON object")
            row["_line"] = number
            rows.append(row)
    if not rows:
        raise EvalError(f"{path.name}: no rows")
    return rows


def read_csv(path: Path) -> list[dict[str, Any]]:
    """Read a CSV file with a header into dicts of strings; `_line` is the file's line number."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows: list[dict[str, Any]] = [
            {**row, "_line": number} for number, row in enumerate(csv.DictReader(handle), 2)
        ]
    if not rows:
        raise EvalError(f"{path.name}: no rows")
    return rows


def field_of(row: Mapping[str, Any], key: str, kind: type, source: str) -> Any:
    """One typed field of a row, with an error naming the file, line and field."""
    where = f"{source}:{row.get('_line', '?')}"
    if key not in row:
        raise EvalError(f"{where}: missing field `{key}`")
    value = row[key]
    try:
        if kind is float:
            result = float(value)
            if not np.isfinite(result):
                raise ValueError
            return result
        if kind is int:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            return int(value)
        if kind is bool:
            if isinstance(value, bool):
                return value
            if str(value).lower() in {"true", "1"}:
                return True
            if str(value).lower() in {"false", "0"}:
                return False
            raise ValueError
        if kind is str:
            if not isinstance(value, str) or not value:
                raise ValueError
            return value
        if not isinstance(value, kind):
            raise ValueError
    except (TypeError, ValueError):
        raise EvalError(f"{where}: field `{key}` must be {kind.__name__}, got {value!r}") from None
    return value


def timestamps(rows: Sequence[Mapping[str, Any]], source: str) -> list[datetime]:
    """The ISO 8601 `timestamp` of every row, parsed (text order is not time order).

    All rows must agree on carrying a UTC offset or not: naive and aware times cannot be
    compared, and guessing a zone for the naive ones would hide a data bug.
    """
    times = []
    for row in rows:
        raw = field_of(row, "timestamp", str, source)
        try:
            times.append(datetime.fromisoformat(raw))
        except ValueError:
            raise EvalError(
                f"{source}:{row['_line']}: `timestamp` {raw!r} is not ISO 8601 "
                "(e.g. 2024-04-01 or 2024-04-01T08:00:00+00:00)"
            ) from None
    aware = {t.tzinfo is not None for t in times}
    if len(aware) > 1:
        raise EvalError(f"{source}: some timestamps have a UTC offset and some do not")
    return times


def by_id(
    golden: Sequence[Mapping[str, Any]],
    predictions: Sequence[Mapping[str, Any]],
    golden_name: str,
    predictions_name: str,
) -> list[Mapping[str, Any]]:
    """The prediction for each golden row, in golden order; every id exactly once."""
    found: dict[str, Mapping[str, Any]] = {}
    for row in predictions:
        key = str(field_of(row, "id", str, predictions_name))
        if key in found:
            raise EvalError(f"{predictions_name}:{row['_line']}: duplicate id {key!r}")
        found[key] = row
    wanted = [str(field_of(row, "id", str, golden_name)) for row in golden]
    missing = [key for key in wanted if key not in found]
    if missing:
        raise EvalError(
            f"{predictions_name}: no prediction for {len(missing)} golden id(s), e.g. "
            f"{missing[0]!r} (rerun `predict`)"
        )
    extra = sorted(set(found) - set(wanted))
    if extra:
        raise EvalError(f"{predictions_name}: id {extra[0]!r} is not in {golden_name}")
    return [found[key] for key in wanted]


def slices_of(rows: Sequence[Mapping[str, Any]], source: str) -> dict[str, np.ndarray[Any, Any]]:
    """Index arrays per slice: "all" first, then each value of the `slice` column, sorted."""
    names = np.array([field_of(row, "slice", str, source) for row in rows])
    result: dict[str, np.ndarray[Any, Any]] = {"all": np.arange(len(rows))}
    for name in sorted(set(names.tolist())):
        if name == "all":
            raise EvalError(f"{source}: `all` is reserved for the whole set; rename that slice")
        result[name] = np.flatnonzero(names == name)
    return result
