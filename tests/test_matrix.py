"""Static invariants over the answer matrix: every render is complete, clean and parseable."""

from __future__ import annotations

import ast
import hashlib
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.answer_sets import MATRIX
from tests.conftest import Render
from tests.expected_files import expected_files

BIN = Path(sys.executable).parent
LEFTOVER_JINJA = re.compile(r"(?<!\$)\{\{|\{%|\{#")
BINARY_SUFFIXES = {".whl", ".png", ".onnx"}

params = pytest.mark.parametrize("answers", MATRIX.values(), ids=MATRIX.keys())


def on_ci(provider: str) -> dict[str, dict[str, Any]]:
    """The answer sets that render this CI provider's files (github is the default)."""
    return {name: a for name, a in MATRIX.items() if a.get("ci_provider", "github") == provider}


GITHUB, GITLAB = on_ci("github"), on_ci("gitlab")


def project_files(root: Path) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def text_files(root: Path) -> list[Path]:
    return sorted(
        root / name for name in project_files(root) if Path(name).suffix not in BINARY_SUFFIXES
    )


def tool(name: str) -> str:
    return str(BIN / name)


@params
def test_exact_file_set(render: Render, answers: dict[str, Any]) -> None:
    project = render(**answers)
    actual = project_files(project)
    expected = expected_files(answers)
    assert sorted(actual - expected) == [], "rendered but not expected"
    assert sorted(expected - actual) == [], "expected but not rendered"


@params
def test_no_leftover_jinja_and_tidy_whitespace(render: Render, answers: dict[str, Any]) -> None:
    problems = []
    for path in text_files(render(**answers)):
        text = path.read_text(encoding="utf-8")
        name = path.name
        if match := LEFTOVER_JINJA.search(text):
            line_number = text.count("\n", 0, match.start()) + 1
            problems.append(f"{name}:{line_number}: leftover Jinja {match.group()!r}")
        if text and not text.endswith("\n"):
            problems.append(f"{name}: no final newline")
        if text.endswith("\n\n"):
            problems.append(f"{name}: blank lines at the end")
        if text.startswith("\n"):
            problems.append(f"{name}: blank line at the start")
        if "\n\n\n\n" in text or (path.suffix != ".py" and "\n\n\n" in text):
            problems.append(f"{name}: blank-line litter")
        for number, line in enumerate(text.splitlines(), 1):
            if line != line.rstrip():
                problems.append(f"{name}:{number}: trailing whitespace")
    assert problems == []


@params
def test_structured_files_parse(render: Render, answers: dict[str, Any]) -> None:
    project = render(**answers)
    for path in text_files(project):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            ast.parse(text, filename=str(path))
        elif path.suffix in {".yml", ".yaml"} or path.name == ".copier-answers.yml":
            yaml.safe_load(text)
        elif path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".jsonl":
            for line in text.splitlines():
                json.loads(line)


@params
def test_python_passes_ruff(render: Render, answers: dict[str, Any]) -> None:
    project = render(**answers)
    for command in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]):
        result = subprocess.run(
            [tool("ruff"), *command], cwd=project, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr


@params
def test_answers_file_records_every_question(render: Render, answers: dict[str, Any]) -> None:
    recorded = yaml.safe_load((render(**answers) / ".copier-answers.yml").read_text())
    keys = {
        "project_name", "project_slug", "package_name", "description", "author_name",
        "author_email", "owner", "repository_url", "license", "python_version", "track",
        "level", "capabilities", "ci_provider", "signing", "data_sensitivity", "ai_act_risk",
        "team",
    }  # fmt: skip
    assert keys <= recorded.keys()
    assert recorded["_src_path"]
    for key, value in answers.items():
        assert recorded[key] == value


_checked_workflows: set[str] = set()


@pytest.mark.parametrize("answers", GITHUB.values(), ids=GITHUB.keys())
def test_workflows_are_schema_valid_and_zizmor_clean(
    render: Render, answers: dict[str, Any]
) -> None:
    project = render(**answers)
    workflows = sorted((project / ".github" / "workflows").glob("*.yml"))
    assert workflows, "a GitHub project renders its workflows"
    # Many answer sets render identical workflows: audit each distinct set once.
    digest = hashlib.sha256(b"".join(path.read_bytes() for path in workflows)).hexdigest()
    if digest in _checked_workflows:
        return
    schema = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *workflows],
        capture_output=True,
        text=True,
        check=False,
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr
    audit = subprocess.run(
        [
            tool("zizmor"),
            "--offline",
            "--persona",
            "pedantic",
            "--no-progress",
            str(workflows[0].parent),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": str(BIN), "HOME": str(project)},
    )
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "No findings to report" in audit.stdout + audit.stderr
    _checked_workflows.add(digest)


@pytest.mark.parametrize("answers", GITLAB.values(), ids=GITLAB.keys())
def test_gitlab_ci_is_schema_valid(render: Render, answers: dict[str, Any]) -> None:
    gitlab_ci = render(**answers) / ".gitlab-ci.yml"
    assert gitlab_ci.exists(), "a GitLab project renders its pipeline"
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", str(gitlab_ci)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_rendered_markdown_file_passes_markdownlint_rules(render: Render) -> None:
    """markdownlint's default rules (PyMarkdown implements them), line length aside."""
    projects = [str(render(**answers)) for answers in MATRIX.values()]
    result = subprocess.run(
        [tool("pymarkdown"), "--set", "extensions.front-matter.enabled=$!True",
         "--disable-rules", "md013", "scan", "--recurse", *projects],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
