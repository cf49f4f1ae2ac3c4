"""The eval gate: measure every kit, compare with floors and the baseline, write the report.

A metric fails when its point estimate is past its absolute floor (or ceiling), or when it
has regressed beyond the allowed margin *with confidence*: the whole bootstrap interval
lies on the wrong side of `baseline - max_regression`. Noise inside the margin passes.
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .core import Check, Context, Direction, EvalError, Kit, KitSettings, Measurement, MetricSpec
from .kits import KITS

CONFIG = Path("evals/config.toml")
BASELINE = Path("evals/baseline.json")
REPORTS = Path("evals/reports")

Baseline = dict[str, dict[str, dict[str, float]]]


@dataclass(frozen=True)
class Threshold:
    floor: float | None = None
    ceiling: float | None = None
    max_regression: float | None = None


@dataclass(frozen=True)
class KitConfig:
    kit: Kit
    settings: KitSettings
    thresholds: Mapping[str, Threshold]


@dataclass(frozen=True)
class Config:
    context: Context
    kits: Sequence[KitConfig]
    min_slice_size: int = 20


@dataclass(frozen=True)
class Row:
    """One line of the report: a measurement with what it was held against."""

    kit: str
    measurement: Measurement
    spec: MetricSpec
    threshold: Threshold | None
    baseline: float | None
    status: str
    bounded: bool  # False: a slice too small for floors and ceilings

    @property
    def failed(self) -> bool:
        return self.status not in {"ok", "info"}


def _number(table: Mapping[str, Any], key: str, where: str) -> float | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EvalError(f"evals/config.toml: {where} `{key}` must be a number")
    return float(value)


def _thresholds(kit: Kit, table: Any) -> dict[str, Threshold]:
    if not isinstance(table, dict):
        raise EvalError(f"evals/config.toml: [kits.{kit.name}.metrics] must be a table")
    result = {}
    for name, raw in table.items():
        where = f"[kits.{kit.name}.metrics] {name}"
        spec = kit.metrics.get(name)
        if spec is None:
            known = ", ".join(sorted(kit.metrics))
            raise EvalError(f"evals/config.toml: {where}: unknown metric (known: {known})")
        if not isinstance(raw, dict) or not raw.keys() <= {"floor", "ceiling", "max_regression"}:
            raise EvalError(
                f"evals/config.toml: {where} must be a table of floor/ceiling and max_regression"
            )
        bound = "floor" if spec.direction is Direction.HIGHER else "ceiling"
        wrong = "ceiling" if bound == "floor" else "floor"
        if wrong in raw:
            raise EvalError(
                f"evals/config.toml: {where}: {'higher' if bound == 'floor' else 'lower'} is "
                f"better, so it takes a `{bound}`, not a `{wrong}`"
            )
        margin = _number(raw, "max_regression", where)
        if margin is not None and (margin < 0 or not spec.stable):
            raise EvalError(
                f"evals/config.toml: {where}: max_regression must be >= 0 and only set on "
                "metrics kept in the baseline"
                + ("" if spec.stable else f" ({name} is machine-dependent)")
            )
        result[name] = Threshold(
            floor=_number(raw, "floor", where),
            ceiling=_number(raw, "ceiling", where),
            max_regression=margin,
        )
    return result


def load_config(root: Path) -> Config:
    path = root / CONFIG
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvalError(f"{CONFIG}: file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise EvalError(f"{CONFIG}: invalid TOML ({error})") from None
    bootstrap = raw.get("bootstrap", {})
    seed, resamples = raw.get("seed"), bootstrap.get("resamples")
    confidence = bootstrap.get("confidence")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise EvalError(f"{CONFIG}: `seed` must be a non-negative integer")
    if not isinstance(resamples, int) or isinstance(resamples, bool) or resamples < 100:
        raise EvalError(f"{CONFIG}: [bootstrap] resamples must be an integer >= 100")
    if not isinstance(confidence, float) or not 0.5 <= confidence < 1:
        raise EvalError(f"{CONFIG}: [bootstrap] confidence must be a number in [0.5, 1)")
    min_slice_size = bootstrap.get("min_slice_size", 20)
    if (
        not isinstance(min_slice_size, int)
        or isinstance(min_slice_size, bool)
        or min_slice_size < 1
    ):
        raise EvalError(f"{CONFIG}: [bootstrap] min_slice_size must be a positive integer")
    tables = raw.get("kits")
    if not isinstance(tables, dict) or not tables:
        raise EvalError(f"{CONFIG}: no [kits.*] tables: nothing to evaluate")
    known = {kit.name: kit for kit, _ in KITS}
    kits = []
    for name, table in tables.items():
        if name not in known:
            raise EvalError(
                f"{CONFIG}: [kits.{name}] is not a kit of this project ({', '.join(known)})"
            )
        if not isinstance(table, dict):
            raise EvalError(f"{CONFIG}: [kits.{name}] must be a table")
        values = {key: value for key, value in table.items() if key != "metrics"}
        kits.append(
            KitConfig(
                kit=known[name],
                settings=KitSettings(name, values, root),
                thresholds=_thresholds(known[name], table.get("metrics", {})),
            )
        )
    context = Context(root=root, seed=seed, resamples=resamples, confidence=confidence)
    return Config(context=context, kits=kits, min_slice_size=min_slice_size)


def load_baseline(root: Path) -> Baseline:
    path = root / BASELINE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise EvalError(f"{BASELINE}: invalid JSON ({error.msg})") from None
    shape = f"{BASELINE}: expected an object of kit -> metric -> slice -> number"
    if not isinstance(data, dict):
        raise EvalError(shape)
    for kit, metrics in data.items():
        if not isinstance(metrics, dict):
            raise EvalError(f"{shape}; `{kit}` is not an object")
        for metric, slices in metrics.items():
            if not isinstance(slices, dict):
                raise EvalError(f"{shape}; `{kit}.{metric}` is not an object")
            for name, value in slices.items():
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise EvalError(f"{shape}; `{kit}.{metric}.{name}` is {value!r}")
    return data


def _status(
    m: Measurement, spec: MetricSpec, t: Threshold | None, base: float | None, bounded: bool
) -> str:
    if t is None:
        return "info"
    value = m.interval.value
    if math.isnan(value):
        return "no data"
    if bounded and t.floor is not None and value < t.floor:
        return "below floor"
    if bounded and t.ceiling is not None and value > t.ceiling:
        return "above ceiling"
    if t.max_regression is None:
        return "ok"
    if base is None:
        return "no baseline"
    if spec.direction is Direction.HIGHER and m.interval.high < base - t.max_regression:
        return "regressed"
    if spec.direction is Direction.LOWER and m.interval.low > base + t.max_regression:
        return "regressed"
    return "ok"


def evaluate(config: Config, baseline: Baseline) -> tuple[list[Row], list[tuple[str, Check]]]:
    rows: list[Row] = []
    checks: list[tuple[str, Check]] = []
    for kit_config in config.kits:
        kit = kit_config.kit
        result = kit.evaluate(kit_config.settings, config.context)
        checks.extend((kit.name, check) for check in result.checks)
        for m in result.measurements:
            spec = kit.metrics[m.metric]
            threshold = kit_config.thresholds.get(m.metric)
            base = baseline.get(kit.name, {}).get(m.metric, {}).get(m.slice)
            # A floor on the point estimate of a handful of items is noise; the CI-based
            # regression test still covers small slices.
            bounded = m.slice == "all" or m.n >= config.min_slice_size
            status = _status(m, spec, threshold, base, bounded)
            rows.append(Row(kit.name, m, spec, threshold, base, status, bounded))
    return rows, checks


def new_baseline(rows: Sequence[Row]) -> Baseline:
    baseline: Baseline = {}
    for row in rows:
        if row.spec.stable and not math.isnan(row.measurement.interval.value):
            metric = baseline.setdefault(row.kit, {}).setdefault(row.measurement.metric, {})
            metric[row.measurement.slice] = round(row.measurement.interval.value, 6)
    return baseline


def _fmt(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.4g}"


def _threshold_text(row: Row) -> str:
    t = row.threshold
    if t is None:
        return "-"
    parts = []
    for sign, bound in ((">=", t.floor), ("<=", t.ceiling)):
        if bound is not None:
            text = f"{sign} {_fmt(bound)}"
            parts.append(text if row.bounded else f"({text} skipped: n < min_slice_size)")
    if t.max_regression is not None and row.baseline is not None:
        # The bound the regression test applies, spelled out: no arithmetic for the reader.
        if row.spec.direction is Direction.HIGHER:
            bound = row.baseline - t.max_regression
            parts.append(f"CI must reach {_fmt(bound)} (baseline - {_fmt(t.max_regression)})")
        else:
            bound = row.baseline + t.max_regression
            parts.append(f"CI must reach {_fmt(bound)} (baseline + {_fmt(t.max_regression)})")
    return ", ".join(parts) or "-"


def table(rows: Sequence[Row], confidence: float) -> list[list[str]]:
    header = ["kit", "metric", "slice", "n", "value", f"{confidence:.0%} CI", "baseline"]
    lines = [[*header, "threshold", "status"]]
    for row in rows:
        ci = row.measurement.interval
        lines.append(
            [
                row.kit,
                row.measurement.metric,
                row.measurement.slice,
                str(row.measurement.n),
                _fmt(ci.value),
                f"[{_fmt(ci.low)}, {_fmt(ci.high)}]",
                _fmt(row.baseline),
                _threshold_text(row),
                row.status.upper() if row.failed else row.status,
            ]
        )
    return lines


def render_text(lines: Sequence[Sequence[str]]) -> str:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def failure_line(row: Row) -> str:
    m = row.measurement
    return (
        f"{row.kit} {m.metric} [{m.slice}]: {_fmt(m.interval.value)} "
        f"(CI {_fmt(m.interval.low)}..{_fmt(m.interval.high)}) {row.status}; "
        f"baseline {_fmt(row.baseline)}, threshold {_threshold_text(row)}"
    )


def render_markdown(
    lines: Sequence[Sequence[str]],
    checks: Sequence[tuple[str, Check]],
    failures: Sequence[Row],
) -> str:
    def md(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    failed_checks = [f"{kit} {c.name}: {c.detail}" for kit, c in checks if not c.passed]
    failed = [failure_line(row) for row in failures] + failed_checks
    out = [f"## Eval gate: {'FAILED' if failed else 'passed'}", ""]
    if failed:
        # What broke comes first: the full table below can run to dozens of rows.
        out += [f"- {line}" for line in failed] + [""]
    out += [md(lines[0]), md(["---"] * len(lines[0]))]
    out += [md(line) for line in lines[1:]]
    if checks:
        out += ["", "| kit | check | result | detail |", "| --- | --- | --- | --- |"]
        out += [md([kit, c.name, "pass" if c.passed else "FAIL", c.detail]) for kit, c in checks]
    return "\n".join(out) + "\n"


def run(root: Path, update_baseline: bool = False) -> int:
    """Run the gate in `root`; returns the process exit code (0 pass, 1 fail)."""
    config = load_config(root)
    baseline = load_baseline(root)
    rows, checks = evaluate(config, baseline)
    if update_baseline:
        fresh = new_baseline(rows)
        (root / BASELINE).write_text(json.dumps(fresh, indent=2, sort_keys=True) + "\n")
        print(f"evals: wrote {BASELINE}; review the diff and commit it with the reason")
        rows, checks = evaluate(config, fresh)
    passed = not any(row.failed for row in rows) and all(check.passed for _, check in checks)
    lines = table(rows, config.context.confidence)
    print(render_text(lines))
    for kit, check in checks:
        print(f"{'ok  ' if check.passed else 'FAIL'} {kit} {check.name}: {check.detail}")
    failures = [row for row in rows if row.failed]
    for row in failures:
        print(f"FAIL {failure_line(row)}")
    markdown = render_markdown(lines, checks, failures)
    reports = root / REPORTS
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "report.md").write_text(markdown, encoding="utf-8")
    result = {
        "passed": passed,
        "metrics": [
            {
                "kit": row.kit,
                "metric": row.measurement.metric,
                "slice": row.measurement.slice,
                "n": row.measurement.n,
                "value": _json_number(row.measurement.interval.value),
                "ci": [
                    _json_number(row.measurement.interval.low),
                    _json_number(row.measurement.interval.high),
                ],
                "baseline": row.baseline,
                "threshold": _threshold_json(row),
                "status": row.status,
            }
            for row in rows
        ],
        "checks": [
            {"kit": kit, "check": c.name, "passed": c.passed, "detail": c.detail}
            for kit, c in checks
        ],
    }
    (reports / "result.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as handle:
            handle.write(markdown)
    print(f"evals: {'passed' if passed else 'FAILED'}; report in {REPORTS / 'report.md'}")
    return 0 if passed else 1


def _threshold_json(row: Row) -> dict[str, float | bool | None] | None:
    t = row.threshold
    if t is None:
        return None
    return {
        "floor": t.floor,
        "ceiling": t.ceiling,
        "applied": row.bounded,
        "max_regression": t.max_regression,
    }


def _json_number(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 6)
