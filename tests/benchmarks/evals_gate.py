"""Eval gate cost on a 10k-example golden set with 1,000 bootstrap resamples.

Renders the applied-ml project, replaces its golden set, train split and predictions with
10,000 synthetic rows, and times the rendered package's gate in-process (CSV parsing,
five metrics overall and for three slices, each with 1,000 resamples, the leakage check
and the reports). Reference figures from the same run:
  - numpy's own resample-and-mean of one 10k column, 1,000 times (`x[idx].mean(axis=1)`),
    the floor any bootstrap of one metric pays;
  - the five point metrics once, without resampling.

    python -m tests.benchmarks.evals_gate
"""

from __future__ import annotations

import contextlib
import csv
import importlib
import io
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from tests.benchmarks.common import min_time
from tests.conftest import render_project

ROWS, RESAMPLES = 10_000, 1_000
HEADER = ["id", "timestamp", "slice", "tenure_months", "sessions_per_week", "support_tickets"]
HEADER += ["monthly_spend", "label"]


def write_split(path: Path, prefix: str, day: int, rng: np.random.Generator) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(ROWS):
            x = rng.normal(size=4)
            label = int(rng.random() < 1 / (1 + np.exp(-(x[0] - x[1]))))
            segment = ("new", "established", "enterprise")[i % 3]
            writer.writerow([f"{prefix}{i}", f"2024-0{day}-01", segment, *np.round(x, 3), label])


def main() -> None:
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        project = render_project(Path(tmp) / "project", {"track": "applied-ml"})
        golden = project / "evals" / "golden" / "classification.csv"
        write_split(project / "evals" / "data" / "classification_train.csv", "t", 1, rng)
        write_split(golden, "e", 4, rng)
        sys.path.insert(0, str(project / "src"))
        os.environ.pop("GITHUB_STEP_SUMMARY", None)
        gate = importlib.import_module("my_ml_project.evaluation.gate")
        classification = importlib.import_module("my_ml_project.evaluation.classification")
        predictions = project / "evals" / "reports" / "predictions"
        predictions.mkdir(parents=True)
        with golden.open() as handle:
            ids = [row["id"] for row in csv.DictReader(handle)]
        scores = rng.random(ROWS)
        (predictions / "classification.jsonl").write_text(
            "".join(
                json.dumps({"id": i, "score": float(s)}) + "\n"
                for i, s in zip(ids, scores, strict=True)
            )
        )
        config = project / "evals" / "config.toml"
        assert f"resamples = {RESAMPLES}" in config.read_text()

        def run_gate() -> None:
            with contextlib.redirect_stdout(io.StringIO()):
                gate.run(project)

        gate_time = min_time(run_gate, runs=3)
        labels = (rng.random(ROWS) < 0.4).astype(np.float64)
        ones = np.ones((1, ROWS))
        point_time = min_time(lambda: classification.measure(scores, labels, ones, 0.95), runs=5)

        def numpy_resample_mean() -> None:
            idx = np.random.default_rng(1).integers(0, ROWS, size=(RESAMPLES, ROWS))
            scores[idx].mean(axis=1)

        numpy_time = min_time(numpy_resample_mean, runs=3)
    print(
        f"eval gate, {ROWS:,} rows x {RESAMPLES:,} resamples, 4 slices, 5 metrics: {gate_time:.2f}s"
    )
    print(f"numpy resample-and-mean of one column ({RESAMPLES:,} x {ROWS:,}): {numpy_time:.3f} s")
    print(f"five point metrics once (no resampling): {point_time * 1000:.1f} ms")
    ratio = gate_time / numpy_time
    print(
        f"ratio gate / numpy resample-and-mean: {ratio:.1f}x (20 metric-slice pairs, CSV parsing)"
    )
    bytecode = os.environ.get("PYTHONDONTWRITEBYTECODE", "")
    print(f"PYTHONDONTWRITEBYTECODE={bytecode!r}, {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
