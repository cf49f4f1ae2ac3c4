"""Render time of the default project vs copier's floor, and the generated repo's check time.

Prints ratios measured in one run (min of >= 5 runs each), so a noisy machine affects
both sides alike. Run through `nox -s bench`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.common import (
    GIT_IDENTITY,
    floor_template,
    min_time,
    ratio_line,
    template_snapshot,
)
from tests.conftest import clean_env

RUNS = 7


def copier_copy(source: Path, scratch: Path) -> None:
    destination = scratch / "out"
    shutil.rmtree(destination, ignore_errors=True)
    subprocess.run(
        ["copier", "copy", "--quiet", "--defaults", str(source), str(destination)],
        check=True,
        capture_output=True,
    )


def check_command_time(scratch: Path, template: Path) -> tuple[float, float]:
    """Cold-cache-free timings of `uvx nox` in a fresh render: first run and warm rerun."""
    project = scratch / "project"
    subprocess.run(
        ["copier", "copy", "--quiet", "--defaults", str(template), str(project)],
        check=True,
        capture_output=True,
    )
    for command in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", *GIT_IDENTITY, "commit", "-q", "-m", "render"],
    ):
        subprocess.run(command, cwd=project, check=True)
    env = clean_env()
    timings = []
    for _ in range(2):
        start = time.perf_counter()
        subprocess.run(["uvx", "nox"], cwd=project, env=env, check=True, capture_output=True)
        timings.append(time.perf_counter() - start)
    return timings[0], timings[1]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        ours = template_snapshot(scratch / "template")
        floor = floor_template(scratch / "floor")
        print(f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}")
        ours_time = min_time(lambda: copier_copy(ours, scratch), RUNS)
        files = sum(1 for p in (scratch / "out").rglob("*") if p.is_file())
        same_size = floor_template(scratch / "floor-same-size", files)
        floor_time = min_time(lambda: copier_copy(floor, scratch), RUNS)
        same_size_time = min_time(lambda: copier_copy(same_size, scratch), RUNS)
        label = f"copier copy, default project ({files} files)"
        print(ratio_line(label, ours_time, floor_time, 1.3))
        print(
            f"  copier's floor for {files} one-line files: {same_size_time:.3f} s "
            f"({same_size_time / floor_time:.2f}x the 1-file floor); ours is "
            f"{ours_time / same_size_time:.2f}x that"
        )
        first, warm = check_command_time(scratch, ours)
        print(f"generated repo `uvx nox`: first run {first:.1f} s, warm rerun {warm:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
