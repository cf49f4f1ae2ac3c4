"""The eval gate end to end on the shipped golden sets, and its pass/fail rules."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest

from my_ml_project.cli import main
from my_ml_project.evaluation.bootstrap import Interval
from my_ml_project.evaluation.command import register
from my_ml_project.evaluation.core import Direction, Measurement, MetricSpec
from my_ml_project.evaluation.gate import Threshold, _status, run

ROOT = Path(__file__).resolve().parents[1]
HIGHER = MetricSpec(Direction.HIGHER, "")
LOWER = MetricSpec(Direction.LOWER, "")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "evals", tmp_path / "evals", ignore=shutil.ignore_patterns("reports"))
    return tmp_path


def measured(value: float, low: float, high: float, n: int = 100) -> Measurement:
    return Measurement("m", "s", Interval(value, low, high), n)


def test_shipped_baseline_passes_and_writes_reports(project: Path) -> None:
    assert main(["predict", "--root", str(project)]) == 0
    assert run(project) == 0
    result = json.loads((project / "evals/reports/result.json").read_text())
    assert result["passed"] is True
    assert {row["status"] for row in result["metrics"]} <= {"ok", "info"}
    assert "Eval gate: passed" in (project / "evals/reports/report.md").read_text()


def test_update_baseline_is_explicit(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["predict", "--root", str(project)])
    baseline = project / "evals/baseline.json"
    baseline.write_text("{}\n")
    assert run(project) == 1  # no baseline: the gate does not invent one
    assert baseline.read_text() == "{}\n"
    assert "no baseline" in capsys.readouterr().out
    assert run(project, update_baseline=True) == 0
    assert json.loads(baseline.read_text())


def test_missing_input_is_one_clear_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(project / "evals/golden")
    assert main(["evals", "--root", str(project)]) == 2
    err = capsys.readouterr().err
    assert "evals/golden/" in err
    assert "file not found" in err
    assert "Traceback" not in err


def test_bad_config_is_one_clear_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = project / "evals/config.toml"
    config.write_text(config.read_text().replace("resamples = 1000", "resamples = 5"))
    assert main(["evals", "--root", str(project)]) == 2
    assert "resamples must be an integer >= 100" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("spec", "m", "threshold", "base", "status"),
    [
        (HIGHER, measured(0.8, 0.7, 0.9), Threshold(floor=0.75), None, "ok"),
        (HIGHER, measured(0.7, 0.6, 0.8), Threshold(floor=0.75), None, "below floor"),
        (HIGHER, measured(0.7, 0.6, 0.8, n=5), Threshold(floor=0.75), None, "ok"),
        (LOWER, measured(0.3, 0.2, 0.4), Threshold(ceiling=0.25), None, "above ceiling"),
        # Worse than the baseline, but the CI still reaches baseline - margin: noise.
        (HIGHER, measured(0.80, 0.76, 0.84), Threshold(max_regression=0.05), 0.85, "ok"),
        # The whole CI is below baseline - margin: a regression with confidence.
        (HIGHER, measured(0.70, 0.66, 0.74), Threshold(max_regression=0.05), 0.85, "regressed"),
        (LOWER, measured(0.30, 0.26, 0.34), Threshold(max_regression=0.05), 0.20, "regressed"),
        (HIGHER, measured(0.8, 0.7, 0.9), Threshold(max_regression=0.05), None, "no baseline"),
        (HIGHER, measured(0.8, 0.7, 0.9), None, None, "info"),
    ],
)
def test_status_rules(
    spec: MetricSpec, m: Measurement, threshold: Threshold | None, base: float | None, status: str
) -> None:
    bounded = m.n >= 20  # what the gate decides from min_slice_size = 20
    assert _status(m, spec, threshold, base, bounded) == status


def test_register_adds_both_commands() -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    assert parser.parse_args(["evals", "--update-baseline"]).update_baseline is True
    assert parser.parse_args(["predict"]).handler is not None
