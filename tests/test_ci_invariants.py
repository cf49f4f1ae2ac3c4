"""Hardening rules every rendered GitHub workflow keeps, beyond what zizmor checks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Render

PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")
ANSWER_SETS = {
    "default": {},
    "L5-key": {"level": "L5", "signing": "key"},
    "L6-none": {"level": "L6", "signing": "none"},
}


def workflows(project: Path) -> dict[str, dict[str, Any]]:
    return {
        path.name: yaml.safe_load(path.read_text())
        for path in sorted((project / ".github" / "workflows").glob("*.yml"))
    }


def uses_lines(project: Path) -> list[str]:
    lines = []
    for path in sorted((project / ".github" / "workflows").glob("*.yml")):
        for line in path.read_text().splitlines():
            if (stripped := line.strip().removeprefix("- ")).startswith("uses:"):
                lines.append(stripped.removeprefix("uses:").strip())
    return lines


@pytest.mark.parametrize("answers", ANSWER_SETS.values(), ids=ANSWER_SETS.keys())
def test_every_external_action_is_pinned_by_sha_with_version(
    render: Render, answers: dict[str, Any]
) -> None:
    external = [use for use in uses_lines(render(**answers)) if not use.startswith("./")]
    assert external
    assert [use for use in external if not PINNED.match(use)] == []


@pytest.mark.parametrize("answers", ANSWER_SETS.values(), ids=ANSWER_SETS.keys())
def test_least_privilege_and_no_persisted_credentials(
    render: Render, answers: dict[str, Any]
) -> None:
    for name, workflow in workflows(render(**answers)).items():
        assert workflow["permissions"] == {}, f"{name}: top-level permissions must be empty"
        for job_name, job in workflow["jobs"].items():
            if "uses" in job:  # a reusable-workflow call inherits only what it is granted
                continue
            assert "permissions" in job, f"{name}:{job_name} must declare its permissions"
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, f"{name}:{job_name}"


def test_only_release_jobs_get_an_oidc_token(render: Render) -> None:
    with_token = {
        (name, job_name)
        for name, workflow in workflows(render(level="L5")).items()
        for job_name, job in workflow["jobs"].items()
        if job.get("permissions", {}).get("id-token") == "write"
    }
    assert with_token, "keyless signing and attestations need an OIDC token somewhere"
    assert {name for name, _ in with_token} <= {"release.yml", "build.yml"}


@pytest.mark.parametrize("signing", ["keyless", "key", "none"])
@pytest.mark.parametrize("level", ["L3", "L5"])
def test_jobs_holding_an_oidc_token_run_no_project_code(
    render: Render, signing: str, level: str
) -> None:
    """A token that can sign as this repository never shares a job with its dependencies."""
    project = render(signing=signing, level=level)
    for name, workflow in workflows(project).items():
        for job_name, job in workflow["jobs"].items():
            if job.get("permissions", {}).get("id-token") != "write" or "steps" not in job:
                continue
            for step in job["steps"]:
                where = f"{name} {job_name}: {step.get('name')}"
                assert "run" not in step, f"{where} runs a shell step next to the OIDC token"
                assert not step.get("uses", "").startswith("actions/checkout@"), where


def test_dependabot_leaves_exactly_the_template_pinned_actions_to_the_template(
    render: Render,
) -> None:
    project = render(level="L6")
    pinned = {use.split("@")[0] for use in uses_lines(project) if not use.startswith("./")}
    config = yaml.safe_load((project / ".github" / "dependabot.yml").read_text())
    (actions,) = [u for u in config["updates"] if u["package-ecosystem"] == "github-actions"]
    assert {entry["dependency-name"] for entry in actions["ignore"]} == pinned
