"""The template's README tells the truth about what it renders and how it is tested."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT, Render

README = (ROOT / "README.md").read_text()
BIN = Path(sys.executable).parent


def section(heading: str) -> str:
    return README.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_readme_opens_with_the_render_and_test_commands() -> None:
    block = README.split("```console\n", 1)[1].split("```", 1)[0].splitlines()
    assert len(block) == 2
    assert 'copier copy --defaults --vcs-ref HEAD "$PWD" ../my-ml-project' in block[0]
    ci_run = (ROOT / ".ci" / "run").read_text()
    test_command = block[1].split("&& ", 1)[1]
    assert test_command in ci_run, ".ci/run must run the README's test command"


def test_rendered_tree_names_every_top_level_entry_of_the_default_render(render: Render) -> None:
    tree = section("What it renders")
    project = render()
    files = [p for p in project.rglob("*") if p.is_file()]
    count = re.search(r"(\d+) files:", tree)
    assert count is not None, "the tree must say how many files the default render has"
    assert int(count.group(1)) == len(files)
    top_level = {p.relative_to(project).parts[0] for p in files}
    missing = sorted(name for name in top_level if name not in tree)
    assert missing == [], f"the README's tree does not mention {missing}"


def test_contributing_names_only_sessions_this_noxfile_has() -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "nox", "--list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # Default sessions are listed with "*", the others with "-".
    sessions = set(re.findall(r"^[*-] (\S+)", listed, flags=re.MULTILINE))
    mentioned = set(
        re.findall(
            r"nox -s ([a-z][a-z-]*(?: [a-z][a-z-]*)*)",
            section("Repository layout and contributing"),
        )
    )
    named = {name for group in mentioned for name in group.split()}
    assert named, "the contributing section must name the sessions to run"
    assert sorted(named - sessions) == []


def test_readme_render_records_a_source_updates_can_follow(tmp_path: Path) -> None:
    """The README's own render command, run from the checkout, records its absolute path."""
    command = README.split("```console\n", 1)[1].splitlines()[0].split("&& ", 1)[1]
    command = command.replace("../my-ml-project", str(tmp_path / "project"))
    env = {**os.environ, "PATH": os.pathsep.join([str(BIN), os.environ["PATH"]])}
    subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, check=True, capture_output=True)
    answers = yaml.safe_load((tmp_path / "project" / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == str(ROOT)


def test_a_relative_template_path_is_warned_about_after_copy(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(BIN / "copier"), "copy", "--defaults", "--vcs-ref", "HEAD", ".", str(tmp_path / "p")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert 'recorded as ".", a relative path' in result.stderr
