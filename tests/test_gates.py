"""The eval and readiness gates of rendered projects: green as shipped, red when broken.

The fast tests run the rendered package with this environment's interpreter (numpy and
scipy come from the template's own dev environment); the deep test runs the project's own
`uvx nox -s evals readiness` and then calls the CLI in the gates' runtime environment
(`.nox/runtime`) for the variants.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.answer_sets import TRACKS
from tests.conftest import Render, clean_env, git_commit_all, render_project

PACKAGE = "my_ml_project"
SLUG = "my-ml-project"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


def slice_ids(golden: Path, name: str) -> set[str]:
    rows = list(csv.DictReader(golden.open())) if golden.suffix == ".csv" else read_jsonl(golden)
    return {row["id"] for row in rows if row["slice"] == name}


def degrade_predictions(
    project: Path, kit: str, name: str, change: Callable[[dict[str, Any]], object]
) -> None:
    golden = {"classification": "classification.csv", "edge": "edge_inputs.csv",
              "detection": "detection.jsonl", "ope": "bandit_log.jsonl", "rag": "rag.jsonl",
              "ranking": "search.jsonl"}[kit]  # fmt: skip
    ids = slice_ids(project / "evals" / "golden" / golden, name)
    path = project / "evals" / "reports" / "predictions" / f"{kit}.jsonl"
    rows = read_jsonl(path)
    for row in rows:
        if row["id"] in ids:
            change(row)
    write_jsonl(path, rows)


def break_slo(project: Path) -> None:
    path = project / "evals" / "golden" / "requests.csv"
    lines = path.read_text().splitlines()
    out = [lines[0]]
    for number, line in enumerate(lines[1:]):
        stamp, route, status, latency = line.split(",")
        if route == "batch" and number % 3 == 0:
            status = "503"
        out.append(",".join([stamp, route, status, latency]))
    path.write_text("\n".join(out) + "\n")


def pessimal(row: dict[str, Any]) -> None:
    """Put all of the target policy's mass on the action its own model likes least."""
    worst = min(range(len(row["q_hat"])), key=row["q_hat"].__getitem__)
    row["probs"] = [1.0 if a == worst else 0.0 for a in range(len(row["probs"]))]


# Per track: (kit, slice) that breaking affects, and how to break it.
BREAKS: dict[str, tuple[str, str, Callable[[Path], None]]] = {
    "applied-ml": ("classification", "new", lambda p: degrade_predictions(
        p, "classification", "new", lambda r: r.update(score=1 - r["score"]))),
    "platform": ("slo", "batch", break_slo),
    "genai-rag": ("rag", "billing", lambda p: degrade_predictions(
        p, "rag", "billing", lambda r: [c.update(citation=None) for c in r["claims"]])),
    "search": ("ranking", "tail", lambda p: degrade_predictions(
        p, "ranking", "tail", lambda r: r.update(ranking=r["ranking"][10:]))),
    "rl": ("ope", "mobile", lambda p: degrade_predictions(p, "ope", "mobile", pessimal)),
    "vision": ("detection", "night", lambda p: degrade_predictions(
        p, "detection", "night", lambda r: r.update(detections=[]))),
    "edge": ("edge", "saturated", lambda p: degrade_predictions(
        p, "edge", "saturated", lambda r: r.update(scores=[s + 0.05 for s in r["scores"]]))),
}  # fmt: skip


def run_package(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    env.pop("GITHUB_STEP_SUMMARY", None)
    return subprocess.run(
        [sys.executable, "-m", PACKAGE, *args],
        cwd=project, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("track", TRACKS)
def test_eval_gate_green_as_shipped_and_names_the_broken_slice(
    render: Render, tmp_path: Path, track: str
) -> None:
    project = shutil.copytree(render(track=track), tmp_path / "project")
    predicted = run_package(project, "predict")
    assert predicted.returncode == 0, predicted.stderr
    green = run_package(project, "evals")
    assert green.returncode == 0, green.stdout + green.stderr
    result = json.loads((project / "evals/reports/result.json").read_text())
    assert result["passed"]
    assert result["metrics"]
    assert {row["status"] for row in result["metrics"]} <= {"ok", "info"}

    kit, broken_slice, breaker = BREAKS[track]
    breaker(project)
    red = run_package(project, "evals")
    assert red.returncode == 1, red.stdout + red.stderr
    failures = [line for line in red.stdout.splitlines() if line.startswith("FAIL ")]
    assert any(f"FAIL {kit} " in line and f"[{broken_slice}]" in line for line in failures), (
        red.stdout
    )
    assert "Traceback" not in red.stderr
    report = (project / "evals/reports/report.md").read_text()
    assert "Eval gate: FAILED" in report
    assert broken_slice in report


def test_update_baseline_is_deliberate(render: Render, tmp_path: Path) -> None:
    project = shutil.copytree(render(track="search"), tmp_path / "project")
    shipped = (project / "evals/baseline.json").read_text()
    run_package(project, "predict")
    BREAKS["search"][2](project)
    assert run_package(project, "evals").returncode == 1
    assert (project / "evals/baseline.json").read_text() == shipped  # never implicit
    accepted = run_package(project, "evals", "--update-baseline")
    assert "wrote evals/baseline.json" in accepted.stdout
    assert json.loads((project / "evals/baseline.json").read_text()) != json.loads(shipped)


def test_shipped_baseline_matches_what_the_gate_writes(render: Render, tmp_path: Path) -> None:
    """The committed baseline is reproducible: --update-baseline on a fresh render is a no-op."""
    project = shutil.copytree(
        render(track="genai-rag", capabilities=["genai", "rl", "edge", "vision"]), tmp_path / "p"
    )
    shipped = (project / "evals/baseline.json").read_text()
    run_package(project, "predict")
    run_package(project, "evals", "--update-baseline")
    assert (project / "evals/baseline.json").read_text() == shipped


def test_latency_budget_comes_from_the_answers(render: Render) -> None:
    config = (render(track="platform", capabilities=["edge"], latency_budget_ms=25)
              / "evals/config.toml").read_text()  # fmt: skip
    assert re.search(r"latency_p95_ms = \{ ceiling = 25\.0 \}", config)
    assert "[kits.slo]" in config
    assert "[kits.edge]" in config


def tick_all(project: Path) -> None:
    for doc in {line.split('"')[1] for line in (project / "readiness.toml").read_text().splitlines()
                if line.startswith("doc = ")}:  # fmt: skip
        path = project / doc
        path.write_text(path.read_text().replace("- [ ] **", "- [x] **"))


def set_stage(project: Path, stage: str) -> None:
    manifest = project / "readiness.toml"
    manifest.write_text(
        re.sub(r'^stage = ".*"', f'stage = "{stage}"', manifest.read_text(), flags=re.M)
    )


@pytest.mark.deep
@pytest.mark.parametrize("track", TRACKS)
def test_gates_through_nox(tmp_path: Path, track: str) -> None:
    project = render_project(tmp_path / "project", {"track": track})
    git_commit_all(project)
    env = clean_env()
    nox = subprocess.run(["uvx", "nox", "-s", "evals", "readiness"], cwd=project, env=env,
                         capture_output=True, text=True, check=False)  # fmt: skip
    assert nox.returncode == 0, nox.stdout[-3000:] + nox.stderr[-6000:]
    assert "evals: passed" in nox.stdout + nox.stderr
    assert "GO for stage prototype" in nox.stdout + nox.stderr

    cli = project / ".nox" / "runtime" / "bin" / SLUG  # the gates share one runtime env

    def readiness() -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(cli), "readiness"], cwd=project, env=env,
                              capture_output=True, text=True, check=False)  # fmt: skip

    set_stage(project, "production")
    blocked = readiness()
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "NO-GO for stage production" in blocked.stdout
    assert re.search(r"^BLOCKING \S+ \(.+\) unticked at \S+\.md:\d+$", blocked.stdout, re.M)
    tick_all(project)
    ready = readiness()
    assert ready.returncode == 0, ready.stdout + ready.stderr
    assert "GO for stage production" in ready.stdout

    kit, broken_slice, breaker = BREAKS[track]
    breaker(project)
    red = subprocess.run([str(cli), "evals"], cwd=project,
                         env=env, capture_output=True, text=True, check=False)  # fmt: skip
    assert red.returncode == 1, red.stdout + red.stderr
    assert re.search(rf"^FAIL {kit} .*\[{broken_slice}\]", red.stdout, re.M), red.stdout
