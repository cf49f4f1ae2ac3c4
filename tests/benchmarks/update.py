"""`copier update` time of the default project (one template change) vs copier's floor.

The floor is the same update of a one-file template, measured in the same run; both sides
are the min of >= 5 runs of the CLI exactly as Renovate calls it. Run through `nox -s bench`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.benchmarks.common import (
    GIT_IDENTITY,
    floor_template,
    min_time,
    ratio_line,
    template_snapshot,
)

ANSWERS_TEMPLATE = "{{ _copier_answers | to_nice_yaml -}}\n"

RUNS = 5
GOAL = 1.5


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *GIT_IDENTITY, *args], cwd=cwd, check=True, capture_output=True)


def next_release(template: Path, edited: str) -> None:
    """Tag v0.2.0 with one line appended to one template file."""
    with (template / edited).open("a") as file:
        file.write("\nA line added by the next release.\n")
    git(template, "commit", "-q", "-am", "next release")
    git(template, "tag", "v0.2.0")


def rendered_project(template: Path, destination: Path) -> Path:
    command = ["copier", "copy", "--quiet", "--defaults", "--vcs-ref", "v0.1.0"]
    subprocess.run(
        [*command, str(template), str(destination)],
        check=True,
        capture_output=True,
    )
    git(destination, "init", "-q", "-b", "main")
    git(destination, "add", "-A")
    git(destination, "commit", "-q", "-m", "render")
    return destination


def copier_update(project: Path, scratch: Path) -> None:
    """One update from a fresh clone of the v0.1.0 project, so every run does the same work."""
    work = scratch / "work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(project, work, symlinks=True)
    subprocess.run(
        ["copier", "update", "--quiet", "--skip-answered", "--defaults", "--vcs-ref", "v0.2.0"],
        cwd=work,
        check=True,
        capture_output=True,
    )


def floor_release(destination: Path, files: int) -> Path:
    """A floor template with an answers file (an update needs one), tagged v0.1.0 and v0.2.0."""
    floor = floor_template(destination, files)
    (floor / "template/{{_copier_conf.answers_file}}.jinja").write_text(ANSWERS_TEMPLATE)
    git(floor, "add", "-A")
    git(floor, "commit", "-q", "--amend", "--no-edit")
    git(floor, "tag", "-f", "v0.1.0")
    next_release(floor, "template/README.md.jinja")
    return floor


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        ours = template_snapshot(scratch / "template")
        next_release(ours, "template/docs/design_doc.md.jinja")
        ours_project = rendered_project(ours, scratch / "ours-project")
        files = sum(1 for p in ours_project.rglob("*") if p.is_file() and ".git" not in p.parts)
        # One file, and as many files as ours: copier's fixed and per-file costs.
        floor = floor_release(scratch / "floor", 1)
        same_size = floor_release(scratch / "floor-same-size", files - 1)
        floor_project = rendered_project(floor, scratch / "floor-project")
        same_size_project = rendered_project(same_size, scratch / "same-size-project")

        print(f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}")
        floor_time = min_time(lambda: copier_update(floor_project, scratch), RUNS)
        same_size_time = min_time(lambda: copier_update(same_size_project, scratch), RUNS)
        ours_time = min_time(lambda: copier_update(ours_project, scratch), RUNS)
        label = f"copier update, default project ({files} files, one template change)"
        print(ratio_line(label, ours_time, floor_time, GOAL))
        print(
            f"  copier's floor for {files} one-line files: {same_size_time:.3f} s "
            f"({same_size_time / floor_time:.2f}x the 1-file floor); ours is "
            f"{ours_time / same_size_time:.2f}x that"
        )
        print(verdict(ours_time / floor_time))
    # Informational: timings on a shared machine are too noisy to fail a run on.
    return 0


def verdict(ratio: float) -> str:
    if ratio <= GOAL:
        return f"VERDICT: OK, update costs {ratio:.2f}x copier's floor (goal <= {GOAL}x)."
    return (
        f"VERDICT: SLOWER THAN GOAL, {ratio:.2f}x copier's floor (goal <= {GOAL}x). "
        f"Each side is the min of {RUNS} runs; rerun on an idle machine before acting on it."
    )


if __name__ == "__main__":
    sys.exit(main())
