"""A newcomer's first run: render, commit, run the one documented command; it must be green."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.answer_sets import DEEP
from tests.conftest import clean_env, git_commit_all, render_project

CHECK_COMMAND = ("uvx", "nox")


@pytest.mark.deep
@pytest.mark.parametrize("answers", DEEP.values(), ids=DEEP.keys())
def test_documented_check_command_is_green_on_first_run(
    tmp_path: Path, answers: dict[str, Any]
) -> None:
    project = render_project(tmp_path / "project", answers)
    readme = (project / "README.md").read_text()
    assert " ".join(CHECK_COMMAND) in readme, "README must document the check command"
    git_commit_all(project)
    result = subprocess.run(
        CHECK_COMMAND, cwd=project, env=clean_env(), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-8000:]
    # The run leaves nothing tracked modified: generated outputs are ignored, not committed.
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == ""


@pytest.mark.deep
def test_pre_commit_hooks_run_offline_and_catch_conflict_markers(tmp_path: Path) -> None:
    project = render_project(tmp_path / "project", {})
    git_commit_all(project)
    env = clean_env()
    run = ["pre-commit", "run", "--all-files", "--show-diff-on-failure"]
    clean = subprocess.run(run, cwd=project, env=env, capture_output=True, text=True, check=False)
    assert clean.returncode == 0, clean.stdout[-4000:] + clean.stderr[-4000:]

    design_doc = project / "docs" / "design_doc.md"
    design_doc.write_text(design_doc.read_text() + "<<<<<<< before updating\nmine\n=======\n")
    dirty = subprocess.run(run, cwd=project, env=env, capture_output=True, text=True, check=False)
    assert dirty.returncode != 0
    assert "Merge conflict string" in dirty.stdout
