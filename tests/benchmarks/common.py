"""Helpers shared by the benchmark scripts: timing and throwaway template repositories."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import ROOT

GIT_IDENTITY = ["-c", "user.name=bench", "-c", "user.email=bench@example.com"]


def min_time(action: Callable[[], object], runs: int = 5) -> float:
    """Best of `runs` wall-clock timings: the least noisy estimate on a shared machine."""
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return min(timings)


def git_repo(path: Path, tag: str = "v0.1.0") -> Path:
    """Commit everything under `path` and tag it, as a released template would be."""
    for command in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", *GIT_IDENTITY, "commit", "-q", "-m", "release"],
        ["git", *GIT_IDENTITY, "tag", tag],
    ):
        subprocess.run(command, cwd=path, check=True)
    return path


def template_snapshot(destination: Path) -> Path:
    """The working tree of this template as a clean, tagged git repository."""
    shutil.copytree(
        ROOT,
        destination,
        # Environments and tool caches (.mypy_cache alone is ~22 MB) are no part of a release.
        ignore=shutil.ignore_patterns(
            ".git", ".nox", ".venv", "*_cache", "__pycache__", ".bench", "examples"
        ),
    )
    return git_repo(destination)


def floor_template(destination: Path, files: int = 1) -> Path:
    """Copier's floor: a template of `files` one-line files from a local git repository.

    One file is copier's fixed cost; as many files as the default project has adds copier's
    own per-file cost, so the gap left to our template is what our templates cost.
    """
    (destination / "template").mkdir(parents=True)
    (destination / "copier.yml").write_text(
        "_subdirectory: template\nname:\n  type: str\n  default: floor\n"
    )
    (destination / "template" / "README.md.jinja").write_text("# {{ name }}\n")
    for number in range(1, files):
        (destination / "template" / f"file{number}.md.jinja").write_text("# {{ name }}\n")
    return git_repo(destination)


def ratio_line(label: str, ours: float, floor: float, goal: float) -> str:
    ratio = ours / floor
    verdict = "meets" if ratio <= goal else "misses"
    return (
        f"{label}: {ours:.3f} s vs floor {floor:.3f} s = {ratio:.2f}x ({verdict} goal <= {goal}x)"
    )
