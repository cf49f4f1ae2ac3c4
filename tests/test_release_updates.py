"""Every released version updates to this tree as Renovate runs it, with no conflicts.

A session fixture builds a throwaway template repository from the release commits in this
repository's own history (tagged as CHANGELOG.md names them) and the working tree on top.
Each example project is rendered at each release, updated with `copier update
--skip-answered --defaults`, and must then equal a fresh render of the working tree.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest
from copier import run_copy

from tests.conftest import ROOT
from tests.examples import example_answers
from tests.test_update import commit, git, release, tree, update, update_check, without_commit

# CHANGELOG.md's released versions and the commits they were cut from. Add a line per release.
RELEASES = {"v0.1.0": "f3be278cb277e0772cac5a6b57deb47d04fdc9ea"}
NEWEST = "v1000.0.0"  # the working tree, above every release
EXAMPLES = example_answers()


def in_history(commit_sha: str) -> bool:
    found = subprocess.run(
        ["git", "cat-file", "-e", f"{commit_sha}^{{commit}}"], cwd=ROOT, check=False
    )
    return found.returncode == 0


def extract(commit_sha: str, destination: Path) -> None:
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit_sha], cwd=ROOT, check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(destination, filter="data")


def clear(repo: Path) -> None:
    for entry in repo.iterdir():
        if entry.is_dir() and entry.name != ".git":
            shutil.rmtree(entry)
        elif entry.is_file():
            entry.unlink()


@pytest.fixture(scope="session")
def released_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = [tag for tag, sha in RELEASES.items() if not in_history(sha)]
    if missing:
        pytest.skip(f"release commits of {missing} are not in this clone (shallow?)")
    repo = tmp_path_factory.mktemp("released") / "ml-golden-path"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    for tag, sha in RELEASES.items():
        clear(repo)
        extract(sha, repo)
        release(repo, tag)
    clear(repo)
    shutil.copytree(
        ROOT,
        repo,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns(
            ".git", ".nox", ".venv", "*_cache", "__pycache__", "examples", ".bench"
        ),
    )
    release(repo, NEWEST)
    return repo


def render(template: Path, destination: Path, ref: str, answers: dict[str, Any]) -> Path:
    run_copy(str(template), destination, data=answers, defaults=True, vcs_ref=ref, quiet=True)
    return destination


@pytest.mark.parametrize("tag", RELEASES)
@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_release_updates_to_a_fresh_render(
    released_template: Path, tmp_path: Path, tag: str, example: str
) -> None:
    answers = EXAMPLES[example]
    project = render(released_template, tmp_path / "project", tag, answers)
    git(project, "init", "-q", "-b", "main")
    commit(project, "render")
    update(project, NEWEST)
    check = update_check(project)
    assert check.returncode == 0, check.stdout + check.stderr
    fresh = tree(render(released_template, tmp_path / "fresh", NEWEST, answers))
    ours = tree(project)
    answers_file = ".copier-answers.yml"
    assert without_commit(ours.pop(answers_file)) == without_commit(fresh.pop(answers_file))
    assert sorted(ours.keys() ^ fresh.keys()) == []
    assert [name for name in ours if ours[name] != fresh[name]] == []
