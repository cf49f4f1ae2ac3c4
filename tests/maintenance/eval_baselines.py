"""Recompute the committed eval baselines of every kit (template/_includes/evals_baseline.json).

Renders the template once per kit group, runs the rendered package's `predict` and
`evals --update-baseline`, and merges the per-kit results. Run it after changing a golden
set or a baseline model; review the diff like any other baseline change.

    uvx --with uv nox -s eval-baselines
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from copier import run_copy

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "template" / "_includes" / "evals_baseline.json"
RENDERS: tuple[dict[str, Any], ...] = (
    {"track": "applied-ml"},
    {"track": "platform"},
    {"track": "search"},
    {"track": "genai-rag", "capabilities": ["genai", "rl", "edge", "vision"]},
)


def main() -> None:
    merged: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for number, answers in enumerate(RENDERS):
            project = Path(tmp) / str(number)
            run_copy(str(ROOT), project, data=answers, defaults=True, vcs_ref="HEAD", quiet=True)
            env = {**os.environ, "PYTHONPATH": str(project / "src")}
            for command in (["predict"], ["evals", "--update-baseline"]):
                subprocess.run(
                    [sys.executable, "-m", "my_ml_project", *command],
                    cwd=project, env=env, check=command[0] == "predict", capture_output=True,
                )  # fmt: skip
            merged.update(json.loads((project / "evals" / "baseline.json").read_text()))
    TARGET.write_text(json.dumps(merged, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}: {', '.join(sorted(merged))}")


if __name__ == "__main__":
    main()
